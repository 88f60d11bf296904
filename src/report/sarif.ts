import type * as Sarif from 'sarif';
import { compareFindings, type Finding, type Severity } from '../core/finding.js';
import type { Diagnostic, ScanResult } from '../core/result.js';
import { docsUrl, RULE_IDS, RULE_META } from '../core/rule-meta.js';
import { compareLocated, toJsonReport } from './json.js';
import type { ReportOptions, Reporter } from './types.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const INFORMATION_URI = 'https://github.com/tenant-lint/tenant-lint';
/** Artifact URIs are relative to this base; consumers such as GitHub code scanning resolve it to the checkout. */
const SRCROOT = '%SRCROOT%';
const FINGERPRINT_KEY = 'tenantLint/v1';

export const renderSarif: Reporter = (result, options) => `${JSON.stringify(toSarifLog(result, options), null, 2)}\n`;

export function toSarifLog(result: ScanResult, options: Partial<ReportOptions> = {}): Sarif.Log {
  const rules = RULE_IDS.map(toReportingDescriptor);
  const run: Sarif.Run = {
    tool: {
      driver: { name: 'tenant-lint', version: result.tool.version, informationUri: INFORMATION_URI, rules },
    },
    // No absolute path here either: the scan root stays on the machine that ran the scan.
    originalUriBaseIds: {
      [SRCROOT]: {
        description: { text: 'The repository root (git top level), or the scanned directory when it is not in a repository. Artifact URIs are relative to it.' },
      },
    },
    invocations: [
      {
        // A scan that could analyse nothing (no schema, no tenant root, no client traced) did not do its job.
        executionSuccessful: result.coverage.verdict !== 'NONE',
        toolExecutionNotifications: [...[...result.diagnostics].sort(compareLocated).map(toNotification), ...coverageNotifications(result)],
      },
    ],
    columnKind: 'utf16CodeUnits',
    // Findings a baseline accepts stay in the log, marked as suppressed, as code scanning expects.
    results: [
      ...[...result.findings].sort(compareFindings).map((finding) => toResult(finding)),
      ...[...(options.baseline?.known ?? [])].sort(compareFindings).map((finding) => toResult(finding, options.baseline?.file)),
    ],
    properties: { tenantLint: { projects: toJsonReport(result).projects } },
  };
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}

function toReportingDescriptor(ruleId: (typeof RULE_IDS)[number]): Sarif.ReportingDescriptor {
  const meta = RULE_META[ruleId];
  return {
    id: ruleId,
    shortDescription: { text: meta.description },
    helpUri: docsUrl(ruleId),
    defaultConfiguration: { level: toLevel(meta.defaultSeverity) },
    properties: { recommended: meta.recommended },
  };
}

function toResult(finding: Finding, baselineFile?: string): Sarif.Result {
  const ruleIndex = RULE_IDS.indexOf(finding.ruleId);
  return {
    ruleId: finding.ruleId,
    ...(ruleIndex === -1 ? {} : { ruleIndex }),
    level: toLevel(finding.severity),
    message: { text: `${finding.message}\nWhy: ${finding.evidence}\nFix: ${finding.help}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: toUri(finding.file), uriBaseId: SRCROOT },
          region: {
            startLine: finding.line,
            startColumn: finding.column,
            endLine: finding.endLine,
            endColumn: finding.endColumn,
          },
        },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    ...(baselineFile === undefined
      ? {}
      : { suppressions: [{ kind: 'external', status: 'accepted', justification: `accepted in the baseline ${baselineFile}` }] }),
  };
}

/** The coverage verdict, and one notification per reason a data-access call was not traced (with its first places). */
function coverageNotifications(result: ScanResult): Sarif.Notification[] {
  const c = result.coverage;
  const verdict: Sarif.Notification = {
    descriptor: { id: 'coverage' },
    level: c.verdict === 'COMPLETE' ? 'note' : c.verdict === 'PARTIAL' ? 'warning' : 'error',
    message: { text: `coverage ${c.verdict}: ${c.seen} data-access calls seen, ${c.analysed} analysed (${c.percent}%), ${c.notTraced} not traced${c.failClosed ? `; ${c.failClosed}` : ''}` },
  };
  const byReason = new Map<string, typeof c.notTracedSites>();
  for (const site of c.notTracedSites) {
    const key = site.reason.replace(/`[^`]*`/g, '`…`').replace(/ \(line \d+\)/g, '');
    byReason.set(key, [...(byReason.get(key) ?? []), site]);
  }
  const reasons: Sarif.Notification[] = [...byReason].map(([reason, sites]) => ({
    descriptor: { id: 'not-traced' },
    level: 'warning',
    message: { text: `${sites.length} data-access call(s) not traced: ${reason}` },
    locations: sites.slice(0, 10).map((site) => ({
      physicalLocation: { artifactLocation: { uri: toUri(site.file), uriBaseId: SRCROOT }, region: { startLine: site.line, startColumn: site.column } },
    })),
  }));
  return [verdict, ...reasons];
}

function toNotification(diagnostic: Diagnostic): Sarif.Notification {
  const notification: Sarif.Notification = {
    descriptor: { id: diagnostic.code },
    // An internal error means tenant-lint itself failed; the rest are inputs it had to skip.
    level: diagnostic.code === 'internal' ? 'error' : 'warning',
    message: { text: diagnostic.message },
  };
  if (diagnostic.file === '') return notification;

  const region: Sarif.Region = {};
  if (diagnostic.line !== undefined) region.startLine = diagnostic.line;
  if (diagnostic.column !== undefined) region.startColumn = diagnostic.column;
  const physicalLocation: Sarif.PhysicalLocation = {
    artifactLocation: { uri: toUri(diagnostic.file), uriBaseId: SRCROOT },
    ...(region.startLine === undefined ? {} : { region }),
  };
  return { ...notification, locations: [{ physicalLocation }] };
}

function toLevel(severity: Severity): Sarif.Result.level {
  if (severity === 'info') return 'note';
  return severity;
}

/** A relative POSIX path as a URI reference: spaces, `[id]` route folders, `#` and `?` must be escaped. */
function toUri(file: string): string {
  return encodeURI(file).replace(/[#?]/g, (char) => encodeURIComponent(char));
}
