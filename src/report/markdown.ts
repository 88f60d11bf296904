import { compareFindings, type Finding, type Severity } from '../core/finding.js';
import type { ScanResult } from '../core/result.js';
import { docsUrl } from '../core/rule-meta.js';
import { noFindingsLine, type ReportOptions, type Reporter } from './types.js';

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
/** Enough to act on; the SARIF and JSON reports carry every finding. */
export const MAX_TOP_FINDINGS = 20;

/**
 * A summary for `$GITHUB_STEP_SUMMARY` or a pull-request comment: counts by rule and severity,
 * the coverage verdict when the scan states one, the baseline, and the top findings.
 * Everything taken from the scanned repository is escaped.
 */
export const renderMarkdown: Reporter = (result, options) => {
  const findings = [...result.findings].sort(bySeverityThenLocation);
  const lines = ['## tenant-lint', ''];
  const counts = SEVERITIES.map((severity) => {
    const count = findings.filter((f) => f.severity === severity).length;
    return `${count} ${severity === 'info' || count === 1 ? severity : `${severity}s`}`;
  });
  lines.push(
    findings.length === 0
      ? `**${noFindingsLine(result)}**`
      : `**${findings.length} finding${findings.length === 1 ? '' : 's'}** (${counts.join(', ')})`,
  );
  lines.push('');
  const { stats } = result;
  lines.push(`Files: ${stats.filesScanned} scanned, ${stats.filesSkipped} skipped. Query sites: ${stats.querySites} analysed, ${result.unknown.length} not analysable.`);
  const coverage = coverageLine(result);
  if (coverage) lines.push('', coverage);
  if (options.baseline) {
    lines.push('', `Baseline \`${code(options.baseline.file)}\`: ${options.baseline.known.length} known finding${options.baseline.known.length === 1 ? '' : 's'} not shown, ${options.baseline.fixed} fixed.`);
  }
  if (options.quietHidden) lines.push('', `${options.quietHidden} warning or info finding${options.quietHidden === 1 ? '' : 's'} not shown (\`--quiet\`).`);
  if (stats.suppressed > 0) lines.push('', `${stats.suppressed} finding${stats.suppressed === 1 ? '' : 's'} suppressed in the source.`);
  const failOn = options.failOn ?? result.failOn;
  lines.push('', `Fails on: ${failOn}.`);

  if (findings.length > 0) {
    lines.push('', '| Rule | Errors | Warnings | Info |', '|---|---:|---:|---:|');
    for (const [ruleId, bySeverity] of countByRule(findings)) {
      lines.push(`| [\`${ruleId}\`](${docsUrl(ruleId)}) | ${SEVERITIES.map((s) => bySeverity[s]).join(' | ')} |`);
    }
    const top = findings.slice(0, MAX_TOP_FINDINGS);
    lines.push('', findings.length > top.length ? `### Top ${top.length} of ${findings.length} findings` : '### Findings', '');
    lines.push('| Severity | Location | Rule | Finding |', '|---|---|---|---|');
    for (const finding of top) lines.push(findingRow(finding, options));
    if (findings.length > top.length) lines.push('', `… and ${findings.length - top.length} more in the SARIF or JSON report.`);
  }
  if (result.diagnostics.length > 0) {
    lines.push('', `<details><summary>${result.diagnostics.length} diagnostic${result.diagnostics.length === 1 ? '' : 's'}</summary>`, '');
    for (const diagnostic of result.diagnostics) {
      const where = diagnostic.file === '' ? '' : `\`${code(diagnostic.line === undefined ? diagnostic.file : `${diagnostic.file}:${diagnostic.line}`)}\` `;
      lines.push(`- ${where}${text(diagnostic.code)}: ${prose(diagnostic.message)}`);
    }
    lines.push('', '</details>');
  }
  return `${lines.join('\n')}\n`;
};

function coverageLine(result: ScanResult): string | undefined {
  const c = result.coverage;
  const lines = [`Coverage: **${c.verdict}**: ${c.seen} data-access calls seen, ${c.analysed} analysed (${c.percent}%), ${c.notTraced} not traced.`];
  if (c.failClosed) lines.push(`Cannot analyse: ${text(c.failClosed)}`);
  for (const r of c.topReasons) lines.push(`- ${r.count} not traced: ${prose(r.reason)}`);
  return lines.join('\n');
}

function findingRow(finding: Finding, options: ReportOptions): string {
  const location = `${finding.file}:${finding.line}`;
  const shown = `\`${code(location)}\``;
  const cell = options.link ? `[${shown}](${encodeURI(options.link(finding.file, finding.line))})` : shown;
  return `| ${finding.severity} | ${cell} | \`${finding.ruleId}\` | ${prose(finding.message)} |`;
}

function bySeverityThenLocation(a: Finding, b: Finding): number {
  return SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || compareFindings(a, b);
}

function countByRule(findings: readonly Finding[]): [string, Record<Severity, number>][] {
  const counts = new Map<string, Record<Severity, number>>();
  for (const finding of findings) {
    const row = counts.get(finding.ruleId) ?? { error: 0, warning: 0, info: 0 };
    row[finding.severity] += 1;
    counts.set(finding.ruleId, row);
  }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Inside a code span: only what would end the span or the table cell. */
function code(value: string): string {
  return value.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** Plain text: markdown and HTML syntax neutralised, one line. */
function text(value: string): string {
  return value
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_{}[\]()#+!|~>]/g, (char) => `\\${char}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;');
}

/** A message: its `code spans` kept as code, the rest as plain text. */
function prose(value: string): string {
  const parts = value.replace(/[\r\n]+/g, ' ').split('`');
  // An unpaired backtick: everything is plain text.
  if (parts.length % 2 === 0) return text(value);
  return parts.map((part, index) => (index % 2 === 1 ? `\`${code(part)}\`` : text(part))).join('');
}
