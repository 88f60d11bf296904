import { codeFrameColumns } from '@babel/code-frame';
import { Chalk, type ChalkInstance } from 'chalk';
import { compareFindings, type Finding, type Severity } from '../core/finding.js';
import type { Diagnostic, ProjectCoverage, ProjectSummary, ScanResult, UnknownSite } from '../core/result.js';
import { docsUrl } from '../core/rule-meta.js';
import type { TableClass } from '../core/schema.js';
import { compareLocated } from './json.js';
import { noFindingsLine, type BaselineReport, type ReportOptions, type Reporter } from './types.js';
import { terminalSafe, terminalSafeResult } from './terminal-safe.js';

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
const TABLE_CLASSES: readonly TableClass[] = ['tenant', 'child', 'global', 'unclassified'];
/** Long schemas would drown the findings; the JSON report carries the full lists. */
const MAX_NAMES = 10;
/** Schema files listed one by one in the header; more are counted, with the folder that holds them. */
const MAX_SOURCE_FILES = 3;
const MAX_UNKNOWN = 5;
/** Same line breaks as @babel/code-frame (and TypeScript's scanner), so line numbers agree. */
const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/;

export const renderText: Reporter = (raw, rawOptions) => {
  // Every string from the scanned repository is neutralised before it can reach a terminal.
  const result = terminalSafeResult(raw);
  const options = { ...rawOptions, sources: new Map([...rawOptions.sources].map(([file, text]) => [terminalSafe(file), text])) };
  const style = new Chalk({ level: options.color ? 1 : 0 });
  const findings = [...result.findings].sort(compareFindings);
  const sections = [
    ...result.projects.map((project) => formatProject(project, style, result.coverage.projects.find((p) => p.root === project.root), sameSchemaAs(project, result.projects))),
    ...(result.projects.length === 0 ? ['No project with a schema was found; nothing was inferred.'] : []),
    ...findings.map((finding) => formatFinding(finding, options, style)),
    ...(result.diagnostics.length > 0 ? [formatDiagnostics(result.diagnostics, style, options.displayPath ?? same)] : []),
    formatSummary(result, findings, style, options),
  ];
  return `${sections.join('\n\n')}\n`;
};

/**
 * The project whose block already shows this project's schema: the root project of a monorepo reads
 * the same files as the package that holds them (`.` and `backend` with `backend/src/entities`), and
 * the package, the deepest root, gets the full block; the others name it.
 */
function sameSchemaAs(project: ProjectSummary, projects: readonly ProjectSummary[]): ProjectSummary | undefined {
  const signature = (p: ProjectSummary) => JSON.stringify([p.schemaSources, p.tenantRoot, p.tenantRootReason, p.tenantLevels, p.tenantKeys, p.tables, p.globalByStructure ?? [], p.otherDatabases ?? [], p.configFile]);
  if (project.schemaSources.length === 0) return undefined;
  const own = signature(project);
  const depth = (p: ProjectSummary) => (p.root === '.' ? 0 : p.root.split('/').length);
  const owner = projects.filter((p) => signature(p) === own).sort((a, b) => depth(b) - depth(a) || a.root.localeCompare(b.root))[0];
  return owner && owner.root !== project.root ? owner : undefined;
}

function formatProject(project: ProjectSummary, style: ChalkInstance, coverage?: ProjectCoverage, same?: ProjectSummary): string {
  if (same) {
    const rows: [string, string][] = [['schema', `the same as Project ${same.root} (tenant root ${project.tenantRoot ?? 'none'})`]];
    if (coverage) rows.push(['coverage', coverageLine(coverage)]);
    const width = Math.max(...rows.map(([label]) => label.length)) + 1;
    return [style.bold(`Project ${project.root}`), ...rows.map(([label, value]) => `  ${style.dim(`${label}:`.padEnd(width))} ${value}`)].join('\n');
  }
  const sources = project.schemaSources.map((source) => `${source.kind}: ${sourceFiles(source.kind, source.files)}`);
  const tenantRoot = project.tenantRoot === null ? 'none' : style.bold(project.tenantRoot);
  const keys = project.tenantKeys.map((key) => `${key.table}.${key.field} -> ${key.references}${key.byName ? ' (by name)' : ''}`);
  const rows: [string, string][] = [
    ['schema', sources.length > 0 ? sources.join('; ') : 'none found'],
    ['tenant root', `${tenantRoot} (${project.tenantRootReason})`],
  ];
  if (project.tenantLevels.length > 1) rows.push(['tenant levels', project.tenantLevels.join(' > ')]);
  rows.push(['tenant keys', keys.length > 0 ? listNames(keys) : 'none']);
  for (const tableClass of TABLE_CLASSES) {
    const names = project.tables[tableClass];
    rows.push([`${tableClass} tables`, names.length > 0 ? `${names.length}: ${listNames(names)}` : '0']);
    // Not reported, and not decided by anyone: printed so that a person can list tenant data in `tenantTables`.
    const structural = project.globalByStructure ?? [];
    if (tableClass === 'global' && structural.length > 0) rows.push(['global by structure', `${structural.length}: ${listNames(structural)} (no foreign key to tenant data; list tenant data in tenantTables)`]);
  }
  for (const other of project.otherDatabases ?? []) {
    const shown = other.tables.map((t) => `${t.name} (${t.link})`);
    rows.push([`${other.database} tables`, `${other.tables.length}, a database of its own: ${listNames(shown)}`]);
  }
  rows.push(['config', project.configFile ?? 'none (zero-config)']);
  if (coverage) rows.push(['coverage', coverageLine(coverage)]);

  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  const lines = rows.map(([label, value]) => `  ${style.dim(`${label}:`.padEnd(width))} ${value}`);
  return [style.bold(`Project ${project.root}`), ...lines].join('\n');
}

function coverageLine(coverage: ProjectCoverage): string {
  return `${coverage.verdict}: ${coverage.analysed} of ${coverage.seen} data-access calls analysed (${coverage.percent}%${coverage.notAnalysable > 0 ? `, of which ${coverage.notAnalysable} not analysable` : ''})${coverage.problem ? `; ${coverage.problem}` : ''}`;
}

/** A source's files, or past a few of them where they are: `163 migrations in packages/prisma/migrations`. */
function sourceFiles(kind: string, files: readonly string[]): string {
  if (files.length <= MAX_SOURCE_FILES) return files.join(', ');
  const folders = files.map((file) => file.split('/').slice(0, -1));
  let common = folders[0] ?? [];
  for (const folder of folders) {
    let i = 0;
    while (i < common.length && i < folder.length && common[i] === folder[i]) i++;
    common = common.slice(0, i);
  }
  const where = common.length > 0 ? common.join('/') : '.';
  return `${files.length} ${kind === 'sql' ? 'migrations' : 'files'} in ${where}`;
}

function listNames(names: readonly string[]): string {
  if (names.length <= MAX_NAMES) return names.join(', ');
  return `${names.slice(0, MAX_NAMES).join(', ')} ... and ${names.length - MAX_NAMES} more`;
}

function formatFinding(finding: Finding, options: ReportOptions, style: ChalkInstance): string {
  const header = [
    style.bold(`${(options.displayPath ?? same)(finding.file)}:${finding.line}:${finding.column}`),
    style.dim(`tenant-lint/${finding.ruleId}`),
    colorSeverity(finding.severity, style),
  ].join('  ');
  const frame = codeFrame(finding, options);
  return [
    header,
    indent(finding.message),
    ...(frame === undefined ? [] : [indent(frame)]),
    indent(`${style.cyan('why:')} ${finding.evidence}`),
    indent(`${style.green('help:')} ${finding.help}`),
    // The rule's page: what it checks, examples, every fix (also `tenant-lint explain <rule>`).
    indent(`${style.dim('docs:')} ${docsUrl(finding.ruleId)}`),
  ].join('\n');
}

/** The lines of the last source framed: findings come sorted by file, so each file is split once. */
let splitCache: { source: string; lines: string[] } | undefined;
/** A frame shows at most this many lines of a span, and this many columns of a line. */
const MAX_FRAME_LINES = 12;
const MAX_FRAME_WIDTH = 160;

function codeFrame(finding: Finding, options: ReportOptions): string | undefined {
  const source = options.sources.get(finding.file);
  if (source === undefined) return undefined;
  if (splitCache?.source !== source) splitCache = { source, lines: source.split(LINE_BREAK) };
  const { lines } = splitCache;
  const lineCount = lines.length;
  // A stale or foreign position (file changed since the scan) gets no frame rather than a wrong one.
  if (finding.line < 1 || finding.line > lineCount) return undefined;

  let endLine = Math.min(Math.max(finding.endLine, finding.line), lineCount, finding.line + MAX_FRAME_LINES);
  // Finding.endColumn is exclusive. code-frame reads it that way on a single line, but on the last
  // line of a multi-line span it marks `column` characters, so step back one there.
  let endColumn = endLine === finding.line ? finding.endColumn : Math.max(finding.endColumn - 1, 1);
  if (endLine < finding.endLine) endColumn = lines[endLine - 1].length + 1;
  // Only the lines shown, and of a long line (minified code, one line of many findings) only a
  // window around the column: the frame stays small whatever the file holds.
  const first = Math.max(1, finding.line - 2);
  const last = Math.min(lineCount, endLine + 2);
  const from = Math.max(0, finding.column - 1 - MAX_FRAME_WIDTH / 2);
  const window = lines.slice(first - 1, last).map((line) => terminalSafe(line.slice(from, from + MAX_FRAME_WIDTH)));
  if (endLine === finding.line) endColumn = Math.min(endColumn - from, MAX_FRAME_WIDTH + 1);
  else endColumn = Math.min(Math.max(endColumn - from, 1), MAX_FRAME_WIDTH + 1);
  return codeFrameColumns(
    window.join('\n'),
    // `startLine` (code-frame >= 7.22, not in its types): the window's first line keeps its number.
    { start: { line: finding.line, column: finding.column - from }, end: { line: endLine, column: endColumn } },
    { highlightCode: options.color, forceColor: options.color, linesAbove: 2, linesBelow: 2, startLine: first } as Parameters<typeof codeFrameColumns>[2],
  );
}

function formatDiagnostics(diagnostics: readonly Diagnostic[], style: ChalkInstance, show: (file: string) => string): string {
  const lines = [...diagnostics].sort(compareLocated).map((diagnostic) => {
    const file = show(diagnostic.file);
    const where = diagnostic.line === undefined ? file : `${file}:${diagnostic.line}`;
    // A config or internal problem may belong to no file.
    const prefix = where === '' ? '' : `${where}  `;
    return `  ${prefix}${style.yellow(diagnostic.code)}  ${diagnostic.message}`;
  });
  return [style.bold(`Diagnostics (${diagnostics.length})`), ...lines].join('\n');
}

function formatSummary(result: ScanResult, findings: readonly Finding[], style: ChalkInstance, options: ReportOptions): string {
  const lines = [style.bold('Summary')];
  const failOn = options.failOn ?? result.failOn;
  if (findings.length === 0) {
    lines.push(`  ${result.coverage.verdict === 'COMPLETE' ? style.green(noFindingsLine(result)) : style.yellow(noFindingsLine(result))}`);
  } else {
    const bySeverity = SEVERITIES.map((severity) => {
      const count = findings.filter((finding) => finding.severity === severity).length;
      return severity === 'info' ? `${count} info` : plural(count, severity);
    });
    lines.push(`  ${plural(findings.length, 'finding')}: ${bySeverity.join(', ')}`);
    for (const [ruleId, count] of countByRule(findings)) lines.push(`    tenant-lint/${ruleId}  ${count}`);
    if (failOn === 'none') {
      lines.push('  fail on: none (findings never fail the run)');
    } else {
      const failing = findings.filter((finding) => atOrAbove(finding.severity, failOn)).length;
      lines.push(`  fail on: ${failOn} (${plural(failing, 'finding')} at or above)`);
    }
  }
  if (options.quietHidden) lines.push(`  quiet: ${plural(options.quietHidden, 'warning or info finding', 'warning or info findings')} not shown`);
  if (options.baseline) lines.push(...formatBaseline(options.baseline));

  const { stats } = result;
  lines.push(`  files: ${stats.filesScanned} scanned, ${stats.filesSkipped} skipped`);
  if (stats.testFiles > 0) lines.push(`  tests: ${stats.testFiles} test, spec or seed files not analysed (set "includeTests": true to analyse them)`);
  if (stats.suppressed > 0) lines.push(`  suppressed: ${stats.suppressed} finding${stats.suppressed === 1 ? '' : 's'} silenced by tenant-lint-ignore or eslint-disable comments`);
  lines.push(`  query sites: ${stats.querySites} analysed, ${result.unknown.length} not analysable`);
  lines.push(...formatCoverage(result, style, options.displayPath ?? same));
  lines.push(...formatUnknown(result.unknown, options.displayPath ?? same));
  if (result.diagnostics.length > 0) lines.push(`  diagnostics: ${result.diagnostics.length}`);
  lines.push(`  duration: ${formatDuration(stats.durationMs)}`);
  return lines.join('\n');
}

function formatCoverage(result: ScanResult, style: ChalkInstance, show: (file: string) => string): string[] {
  const c = result.coverage;
  const verdict = c.verdict === 'COMPLETE' ? style.green(c.verdict) : c.verdict === 'PARTIAL' ? style.yellow(c.verdict) : style.red(c.verdict);
  const lines = [
    `  coverage: ${verdict}: ${c.seen} data-access call${c.seen === 1 ? '' : 's'} seen, ${c.analysed} analysed (${c.percent}%; ${c.scoped} scoped, ${c.unscoped} unscoped, ${c.notAnalysable} not analysable, ${c.schemaMatched} recognised by the schema alone), ${c.notTraced} not traced`,
  ];
  if (c.failClosed) lines.push(`    ${style.red('cannot analyse:')} ${c.failClosed}`);
  if (result.coverage.projects.length > 1) {
    for (const p of c.projects) lines.push(`    ${p.root}: ${p.verdict} ${p.analysed}/${p.seen} (${p.percent}%)${p.problem ? ` - ${p.problem}` : ''}`);
  }
  if (c.topReasons.length > 0) {
    lines.push('    not traced, most frequent reasons:');
    for (const r of c.topReasons) lines.push(`      ${r.count} x ${r.reason}`);
    lines.push(`    most untraced calls: ${c.topFiles.map((f) => `${show(f.file)} (${f.notTraced})`).join(', ')}`);
  }
  return lines;
}

function formatUnknown(unknown: readonly UnknownSite[], show: (file: string) => string): string[] {
  const sorted = [...unknown].sort(compareLocated);
  const lines = sorted.slice(0, MAX_UNKNOWN).map((site) => `    ${show(site.file)}:${site.line} ${site.reason}`);
  if (sorted.length > MAX_UNKNOWN) lines.push(`    ... and ${sorted.length - MAX_UNKNOWN} more`);
  return lines;
}

function countByRule(findings: readonly Finding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const finding of findings) counts.set(finding.ruleId, (counts.get(finding.ruleId) ?? 0) + 1);
  return new Map([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function atOrAbove(severity: Severity, threshold: ScanResult['failOn']): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

function colorSeverity(severity: Severity, style: ChalkInstance): string {
  if (severity === 'error') return style.red(severity);
  if (severity === 'warning') return style.yellow(severity);
  return style.blue(severity);
}

function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

function same(file: string): string {
  return file;
}

function formatBaseline(baseline: BaselineReport): string[] {
  const lines = [`  baseline: ${plural(baseline.known.length, 'known finding')} not shown (${baseline.file}), ${baseline.fixed} fixed`];
  if (baseline.written === 'written') lines.push(`    wrote ${baseline.file}: every current finding is now accepted`);
  else if (baseline.written === 'pruned') lines.push(`    pruned ${baseline.file}: fixed entries removed`);
  else if (baseline.fixed > 0) lines.push('    run with --prune-baseline to drop the fixed entries, so that they cannot come back unnoticed');
  return lines;
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

function indent(block: string): string {
  return block
    .split('\n')
    .map((line) => (line.length > 0 ? `  ${line}` : line))
    .join('\n');
}
