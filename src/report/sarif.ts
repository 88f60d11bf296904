import type * as Sarif from 'sarif';
import { compareFindings, type Finding, type Severity } from '../core/finding.js';
import type { Diagnostic, ScanResult } from '../core/result.js';
import { docsUrl, RULE_IDS, RULE_META, type RuleId } from '../core/rule-meta.js';
import { compareLocated, toJsonReport } from './json.js';
import { relatedLocations } from './related.js';
import { ruleDoc } from './rule-docs.js';
import type { ReportOptions, Reporter } from './types.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const INFORMATION_URI = 'https://github.com/tenant-lint/tenant-lint';
/** Artifact URIs are relative to this base; consumers such as GitHub code scanning resolve it to the checkout. */
const SRCROOT = '%SRCROOT%';
const FINGERPRINT_KEY = 'tenantLint/v1';

/**
 * `properties['security-severity']` by severity, on GitHub's CVSS-like scale (9.0+ critical,
 * 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low). An error is a read or write of another tenant's
 * rows reachable from a request (high); a warning is a leak that needs more (a cache entry shared
 * by tenants, an unreachable query today: medium); info is code that runs as the system (low).
 * Code scanning reads the rule's value (its default severity); results carry their own too.
 */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { error: '8.1', warning: '5.0', info: '2.0' };

/** What code scanning shows and filters on, per rule. */
export const RULE_SARIF: Readonly<Record<RuleId, { name: string; tags: readonly string[]; precision: 'very-high' | 'high' | 'medium' | 'low'; security: boolean }>> = {
  // A client-chosen tenant id is IDOR on the tenant itself (CWE-639); found by following request
  // input through code, so less certain than a schema fact.
  'no-client-tenant-id': { name: 'NoClientTenantId', tags: ['security', 'external/cwe/cwe-639'], precision: 'medium', security: true },
  // Cached tenant data under a key without the tenant: CWE-639 through the cache, CWE-524 (cache
  // with sensitive data). Keys are read from code, so medium.
  'require-tenant-cache-key': { name: 'RequireTenantCacheKey', tags: ['security', 'external/cwe/cwe-639', 'external/cwe/cwe-524'], precision: 'medium', security: true },
  // A schema fact: the column is missing or nullable.
  'require-tenant-column': { name: 'RequireTenantColumn', tags: ['security', 'external/cwe/cwe-639'], precision: 'high', security: true },
  // The query's filter is read from the code and the schema; what it cannot read is counted, not reported.
  'require-tenant-filter': { name: 'RequireTenantFilter', tags: ['security', 'external/cwe/cwe-639'], precision: 'high', security: true },
  // Mostly performance (a tenant's queries scan every tenant's rows); a unique constraint without
  // the tenant leaks existence across tenants (CWE-203). A quality alert, not a security one.
  'require-tenant-index': { name: 'RequireTenantIndex', tags: ['performance', 'correctness', 'external/cwe/cwe-203'], precision: 'high', security: false },
};

export const renderSarif: Reporter = (result, options) => `${JSON.stringify(toSarifLog(result, options), null, 2)}\n`;

export function toSarifLog(result: ScanResult, options: Partial<ReportOptions> = {}): Sarif.Log {
  const rules = RULE_IDS.map(toReportingDescriptor);
  const exists = options.fileExists;
  const related = (finding: Finding) => relatedLocations(finding, result, exists);
  const run: Sarif.Run = {
    tool: {
      driver: { name: 'tenant-lint', version: result.tool.version, informationUri: INFORMATION_URI, rules },
    },
    // Code scanning keeps one set of alerts per category; a subfolder scan gets its own unless
    // --category says otherwise. The upload action's `category` input does not replace it.
    automationDetails: { id: automationId(options) },
    // No absolute path here either: the scan root stays on the machine that ran the scan.
    originalUriBaseIds: {
      [SRCROOT]: {
        description: { text: 'The repository root (git top level), or the scanned directory when it is not in a repository. Artifact URIs are relative to it.' },
      },
    },
    invocations: [
      {
        // A scan that could analyse nothing (no schema, no tenant root, no client traced) did not do its job.
        // An internal error lost part of the scan: it did not do its job either.
        executionSuccessful: result.coverage.verdict !== 'NONE' && !result.diagnostics.some((d) => d.code === 'internal'),
        toolExecutionNotifications: [...[...result.diagnostics].sort(compareLocated).map(toNotification), ...coverageNotifications(result)],
      },
    ],
    columnKind: 'utf16CodeUnits',
    // Findings a baseline accepts stay in the log, marked as suppressed, as code scanning expects.
    results: [
      ...[...result.findings].sort(compareFindings).map((finding) => toResult(finding, related(finding))),
      ...[...(options.baseline?.known ?? [])].sort(compareFindings).map((finding) => toResult(finding, related(finding), options.baseline?.file)),
    ],
    properties: { tenantLint: { projects: toJsonReport(result).projects } },
  };
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}

/** `tenant-lint/` for a scan of the repository root, `tenant-lint/apps/api/` for a subfolder: the code scanning category. */
export function automationId(options: Partial<Pick<ReportOptions, 'category' | 'pathBase'>>): string {
  const category = options.category ?? (options.pathBase === undefined || options.pathBase === '.' ? 'tenant-lint' : `tenant-lint/${options.pathBase}`);
  return category.endsWith('/') ? category : `${category}/`;
}

function toReportingDescriptor(ruleId: RuleId): Sarif.ReportingDescriptor {
  const meta = RULE_META[ruleId];
  const sarif = RULE_SARIF[ruleId];
  const doc = ruleDoc(ruleId);
  const helpUri = docsUrl(ruleId);
  return {
    id: ruleId,
    name: sarif.name,
    shortDescription: { text: meta.description },
    fullDescription: { text: doc?.summary || `${meta.description}.` },
    // The rule's docs page, shipped in the package: code scanning shows `help.markdown`.
    help: doc ? { text: doc.text, markdown: doc.markdown } : { text: `${meta.description}. See ${helpUri}`, markdown: `${meta.description}. See [the rule's documentation](${helpUri}).` },
    helpUri,
    defaultConfiguration: { level: toLevel(meta.defaultSeverity) },
    properties: {
      recommended: meta.recommended,
      tags: [...sarif.tags],
      precision: sarif.precision,
      ...(sarif.security ? { 'security-severity': SECURITY_SEVERITY[meta.defaultSeverity] } : {}),
      'problem.severity': (meta.defaultSeverity as Severity) === 'info' ? 'recommendation' : meta.defaultSeverity,
    },
  };
}

function toResult(finding: Finding, related: ReturnType<typeof relatedLocations>, baselineFile?: string): Sarif.Result {
  const ruleIndex = RULE_IDS.indexOf(finding.ruleId);
  let text = `${finding.message}\nWhy: ${finding.evidence}\nFix: ${finding.help}`;
  if (related.length > 0) text = embedLinks(text, related);
  return {
    ruleId: finding.ruleId,
    ...(ruleIndex === -1 ? {} : { ruleIndex }),
    level: toLevel(finding.severity),
    message: { text },
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
    ...(related.length === 0
      ? {}
      : {
          relatedLocations: related.map((location, index) => ({
            id: index + 1,
            physicalLocation: { artifactLocation: { uri: toUri(location.file), uriBaseId: SRCROOT }, region: { startLine: location.line } },
            message: { text: location.label },
          })),
        }),
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    ...(baselineFile === undefined
      ? {}
      : { suppressions: [{ kind: 'external', status: 'accepted', justification: `accepted in the baseline ${baselineFile}` }] }),
    ...(RULE_SARIF[finding.ruleId]?.security ? { properties: { 'security-severity': SECURITY_SEVERITY[finding.severity] } } : {}),
  };
}

/**
 * Turns each reference into an embedded link to its related location (`[prisma/schema.prisma:20](1)`,
 * SARIF 3.11.6), which is how code scanning links them. Literal brackets in the text are escaped
 * first, as the same section requires of a message with embedded links.
 */
function embedLinks(text: string, related: ReturnType<typeof relatedLocations>): string {
  let escaped = text.replace(/[[\]]/g, (bracket) => `\\${bracket}`);
  // Longest references first, so `src/a.ts:4` is not split by a shorter `a.ts:4`.
  const order = related.map((location, index) => ({ location, id: index + 1 })).sort((a, b) => b.location.reference.length - a.location.reference.length);
  const placeholders: string[] = [];
  for (const { location, id } of order) {
    const reference = location.reference.replace(/[[\]]/g, (bracket) => `\\${bracket}`);
    const pattern = new RegExp(`(?<![\\w/.@-])${reference.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\d)`, 'g');
    escaped = escaped.replace(pattern, `\u0000${placeholders.length}\u0000`);
    placeholders.push(`[${reference}](${id})`);
  }
  return escaped.replace(/\u0000(\d+)\u0000/g, (_whole, index: string) => placeholders[Number(index)]);
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
