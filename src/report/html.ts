import { compareFindings, type Finding, type Severity } from '../core/finding.js';
import type { ProjectSummary, ScanResult, TableDetail } from '../core/result.js';
import { docsUrl } from '../core/rule-meta.js';
import { noFindingsLine, type ReportOptions, type Reporter } from './types.js';

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
/** Lines of code shown before and after a finding's span. */
const CONTEXT = 2;
/** At most this many lines of a finding's span are shown. */
const MAX_SPAN = 12;

/**
 * The auditor's report: one self-contained HTML file. No script, no external resource (a
 * Content-Security-Policy forbids both, so even a bug here cannot make the file fetch anything),
 * and everything that comes from the scanned repository (paths, code, table names, reasons) is
 * escaped. Deterministic: the same scan gives the same bytes (no timestamps).
 */
export const renderHtml: Reporter = (result, options) => {
  const findings = [...result.findings].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || compareFindings(a, b));
  const title = `tenant-lint report: ${options.pathBase ?? '.'}`;
  const body = [
    `<header><h1>tenant-lint report</h1><p class="meta">Scanned folder <code>${esc(options.pathBase ?? '.')}</code> · tenant-lint ${esc(result.tool.version)} · ${result.stats.filesScanned} files analysed, ${result.stats.filesSkipped} skipped, ${result.stats.testFiles} test files left out · ${result.stats.querySites} query sites</p></header>`,
    nav(),
    summarySection(result, findings, options),
    coverageSection(result),
    matrixSection(result.projects),
    hierarchySection(result.projects),
    inventorySection(result, findings, options),
    findingsSection(findings, options),
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="tenant-lint ${esc(result.tool.version)}">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
};

function nav(): string {
  const links = [
    ['summary', 'Summary'],
    ['coverage', 'Coverage'],
    ['matrix', 'Isolation matrix'],
    ['hierarchy', 'Tenant hierarchy'],
    ['inventory', 'Intentional cross-tenant access'],
    ['findings', 'Findings'],
  ];
  return `<nav>${links.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</nav>`;
}

function summarySection(result: ScanResult, findings: Finding[], options: ReportOptions): string {
  const count = (severity: Severity) => findings.filter((f) => f.severity === severity).length;
  const failOn = options.failOn ?? result.failOn;
  const failing = failOn === 'none' ? 0 : findings.filter((f) => SEVERITIES.indexOf(f.severity) <= SEVERITIES.indexOf(failOn)).length;
  const verdict = result.coverage.failClosed ? 'cannot analyse (exit 2)' : failing > 0 ? `fails: ${failing} finding${failing === 1 ? '' : 's'} at or above ${failOn}` : `passes (fails on ${failOn})`;
  const cards = [
    card(String(findings.length), `finding${findings.length === 1 ? '' : 's'}`, ''),
    card(String(count('error')), 'errors', 'error'),
    card(String(count('warning')), 'warnings', 'warning'),
    card(String(count('info')), 'info', 'info'),
    card(result.coverage.verdict, 'coverage', `verdict-${result.coverage.verdict.toLowerCase()}`),
  ].join('');
  const rows = [...countByRule(findings)].map(
    ([ruleId, by]) => `<tr><td><a href="${esc(docsUrl(ruleId))}"><code>${esc(ruleId)}</code></a></td>${SEVERITIES.map((s) => `<td class="num">${by[s]}</td>`).join('')}<td class="num">${by.error + by.warning + by.info}</td></tr>`,
  );
  const notes: string[] = [`<p>Run: <strong>${esc(verdict)}</strong>.</p>`];
  if (options.baseline) notes.push(`<p>Baseline <code>${esc(options.baseline.file)}</code>: ${options.baseline.known.length} known finding${options.baseline.known.length === 1 ? '' : 's'} not counted above, ${options.baseline.fixed} fixed entr${options.baseline.fixed === 1 ? 'y' : 'ies'}.</p>`);
  if (options.quietHidden) notes.push(`<p>${options.quietHidden} warning or info finding${options.quietHidden === 1 ? '' : 's'} hidden by <code>--quiet</code>.</p>`);
  if (result.stats.suppressed) notes.push(`<p>${result.stats.suppressed} finding${result.stats.suppressed === 1 ? '' : 's'} suppressed in the source (listed under <a href="#inventory">intentional cross-tenant access</a>).</p>`);
  return section(
    'summary',
    'Summary',
    `<div class="cards">${cards}</div>${notes.join('')}` +
      (rows.length
        ? `<table><thead><tr><th>Rule</th><th class="num">Errors</th><th class="num">Warnings</th><th class="num">Info</th><th class="num">Total</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
        : `<p class="${result.coverage.verdict === 'COMPLETE' ? 'ok' : 'warn'}">${esc(noFindingsLine(result))}</p>`),
  );
}

function coverageSection(result: ScanResult): string {
  const c = result.coverage;
  const parts = [
    `<p><span class="badge verdict-${c.verdict.toLowerCase()}">${c.verdict}</span> ${c.seen} data-access calls seen, ${c.analysed} analysed (${c.percent}%): ${c.scoped} scoped, ${c.unscoped} unscoped, ${c.notAnalysable} whose filter could not be read, ${c.schemaMatched} recognised by the schema alone; ${c.notTraced} not traced.</p>`,
  ];
  if (c.failClosed) parts.push(`<p class="error-text">Cannot analyse: ${esc(c.failClosed)}</p>`);
  if (c.projects.length > 1 || c.projects.some((p) => p.problem)) {
    parts.push(
      `<table><thead><tr><th>Project</th><th>Verdict</th><th class="num">Seen</th><th class="num">Analysed</th><th class="num">Unscoped</th><th class="num">Not traced</th><th>Problem</th></tr></thead><tbody>${c.projects
        .map((p) => `<tr><td><code>${esc(p.root)}</code></td><td><span class="badge verdict-${p.verdict.toLowerCase()}">${p.verdict}</span></td><td class="num">${p.seen}</td><td class="num">${p.analysed}</td><td class="num">${p.unscoped}</td><td class="num">${p.notTraced}</td><td>${esc(p.problem ?? '')}</td></tr>`)
        .join('')}</tbody></table>`,
    );
  }
  if (c.notTracedSites.length) {
    parts.push(
      `<details open><summary>Not traced: ${c.notTracedSites.length} call${c.notTracedSites.length === 1 ? '' : 's'} the analysis could not follow to a client</summary>` +
        (c.topReasons.length ? `<ul>${c.topReasons.map((r) => `<li>${r.count} × ${esc(r.reason)}</li>`).join('')}</ul>` : '') +
        `<table><thead><tr><th>Location</th><th>ORM</th><th>Table</th><th>Where the trace stopped</th></tr></thead><tbody>${c.notTracedSites
          .map((s) => `<tr><td><code>${esc(`${s.file}:${s.line}:${s.column}`)}</code></td><td>${esc(s.orm)}</td><td><code>${esc(s.table)}</code></td><td>${esc(s.reason)}</td></tr>`)
          .join('')}</tbody></table></details>`,
    );
  } else {
    parts.push('<p>Every data-access call seen was traced to its client.</p>');
  }
  if (result.unknown.length) {
    parts.push(
      `<details open><summary>Not analysable: ${result.unknown.length} quer${result.unknown.length === 1 ? 'y' : 'ies'} whose filter could not be read</summary><table><thead><tr><th>Location</th><th>Rule</th><th>Reason</th></tr></thead><tbody>${result.unknown
        .map((u) => `<tr><td><code>${esc(`${u.file}:${u.line}:${u.column}`)}</code></td><td><code>${esc(u.ruleId)}</code></td><td>${esc(u.reason)}</td></tr>`)
        .join('')}</tbody></table></details>`,
    );
  }
  if (result.diagnostics.length) {
    parts.push(
      `<details><summary>${result.diagnostics.length} diagnostic${result.diagnostics.length === 1 ? '' : 's'} (files not read or parsed, schema notes)</summary><table><thead><tr><th>Location</th><th>Code</th><th>Message</th></tr></thead><tbody>${result.diagnostics
        .map((d) => `<tr><td><code>${esc(d.line === undefined ? d.file || '.' : `${d.file}:${d.line}`)}</code></td><td>${esc(d.code)}</td><td>${esc(d.message)}</td></tr>`)
        .join('')}</tbody></table></details>`,
    );
  }
  return section('coverage', 'Coverage', parts.join('\n'));
}

function matrixSection(projects: ProjectSummary[]): string {
  const parts: string[] = [
    '<p>Every table of the schema: how tenancy is carried, whether the database helps isolate it, and the queries the analysis saw on it (TypeScript and JavaScript; <code>.sql</code> query files are counted in the coverage only).</p>',
  ];
  for (const project of projects) {
    const tables = project.tableDetails ?? [];
    if (projects.length > 1) parts.push(`<h3>Project <code>${esc(project.root)}</code></h3>`);
    if (tables.length === 0) {
      parts.push('<p>No schema: no table is known.</p>');
      continue;
    }
    parts.push(
      `<table class="matrix"><thead><tr><th>Table</th><th>Class</th><th>Tenant column</th><th>NOT NULL</th><th>Tenant-leading index</th><th>Row-level security</th><th class="num">Queries analysed</th><th class="num">Unscoped</th><th class="num">Filter unreadable</th></tr></thead><tbody>${tables.map(matrixRow).join('')}</tbody></table>`,
    );
  }
  return section('matrix', 'Tenant isolation matrix', parts.join('\n'));
}

function matrixRow(table: TableDetail): string {
  const name = table.name === table.dbName ? `<code>${esc(table.name)}</code>` : `<code>${esc(table.name)}</code> <span class="muted">(<code>${esc(table.dbName)}</code>)</span>`;
  const where = table.location ? `<div class="muted small"><code>${esc(`${table.location.file}:${table.location.line}`)}</code></div>` : '';
  const column =
    table.tenantKeys.length > 0
      ? table.tenantKeys.map((k) => `<code>${esc(k.field)}</code> → <code>${esc(k.references)}</code>`).join('<br>')
      : table.class === 'child'
        ? `via ${table.parentRelations.map((r) => `<code>${esc(r)}</code>`).join(', ')}`
        : '<span class="muted">none</span>';
  const notNull = table.tenantKeys.length === 0 ? '<span class="muted">n/a</span>' : table.tenantKeys.map((k) => (k.notNull ? yes('yes') : no('nullable'))).join('<br>');
  const index = { composite: yes('yes'), alone: warn('tenant column alone'), none: no('none'), 'n/a': '<span class="muted">n/a</span>' }[table.tenantIndex];
  const rls = !table.rls
    ? '<span class="muted">unknown (no SQL migrations)</span>'
    : !table.rls.enabled
      ? table.class === 'tenant' || table.class === 'child'
        ? warn('off')
        : '<span class="muted">off</span>'
      : [
          table.rls.forced ? yes('enabled, forced') : warn('enabled, not forced'),
          table.rls.tenantPolicies.length ? `tenant polic${table.rls.tenantPolicies.length === 1 ? 'y' : 'ies'}: ${table.rls.tenantPolicies.map((p) => `<code>${esc(p)}</code>`).join(', ')}` : no('no policy on the tenant column'),
          ...(table.rls.otherPolicies.length ? [`other: ${table.rls.otherPolicies.map((p) => `<code>${esc(p)}</code>`).join(', ')}`] : []),
        ].join('<br>');
  // Unscoped queries on a global table are expected; on tenant data each one is a leak to review.
  const unscoped = table.queries.unscoped > 0 && (table.class === 'tenant' || table.class === 'child') ? `<span class="error-text">${table.queries.unscoped}</span>` : String(table.queries.unscoped);
  return `<tr class="class-${table.class}"><td>${name}${where}</td><td><span class="badge class-${table.class}" title="${esc(table.classReason)}">${table.class}</span></td><td>${column}</td><td>${notNull}</td><td>${index}</td><td>${rls}</td><td class="num">${table.queries.analysed}</td><td class="num">${unscoped}</td><td class="num">${table.queries.notAnalysable}</td></tr>`;
}

function hierarchySection(projects: ProjectSummary[]): string {
  const parts: string[] = [];
  for (const project of projects) {
    if (projects.length > 1) parts.push(`<h3>Project <code>${esc(project.root)}</code></h3>`);
    const sources = project.schemaSources.map((s) => `<li>${esc(s.kind)}: ${s.files.map((f) => `<code>${esc(f)}</code>`).join(', ')}</li>`).join('');
    parts.push(`<p>Schema sources:</p><ul>${sources || '<li>none found</li>'}</ul>`);
    parts.push(`<p>Configuration: ${project.configFile ? `<code>${esc(project.configFile)}</code>` : 'none (everything below is inferred)'}</p>`);
    if (!project.tenantRoot) {
      parts.push(`<p class="error-text">No tenant root: ${esc(project.tenantRootReason)}</p>`);
      continue;
    }
    parts.push(`<p>Tenant root <code>${esc(project.tenantRoot)}</code>: ${esc(project.tenantRootReason)}.</p>`);
    parts.push(`<p>Hierarchy: ${project.tenantLevels.map((level) => `<code>${esc(level)}</code>`).join(' › ')}</p>`);
    const details = new Map((project.tableDetails ?? []).map((t) => [t.name, t]));
    const keys = project.tenantKeys.map((key) => {
      const at = details.get(key.table)?.tenantKeys.find((k) => k.field === key.field)?.location;
      return `<tr><td><code>${esc(`${key.table}.${key.field}`)}</code></td><td><code>${esc(key.references)}</code></td><td>${at ? `<code>${esc(`${at.file}:${at.line}`)}</code>` : ''}</td></tr>`;
    });
    if (keys.length) parts.push(`<table><thead><tr><th>Tenant key</th><th>References</th><th>Evidence</th></tr></thead><tbody>${keys.join('')}</tbody></table>`);
    const reasons = [...details.values()].filter((t) => t.class !== 'tenant');
    if (reasons.length) {
      parts.push(
        `<details><summary>Why the other tables are classed as they are (${reasons.length})</summary><ul>${reasons
          .map((t) => `<li><span class="badge class-${t.class}">${t.class}</span> ${esc(t.classReason)}</li>`)
          .join('')}</ul></details>`,
      );
    }
  }
  return section('hierarchy', 'Tenant hierarchy', parts.join('\n'));
}

function inventorySection(result: ScanResult, findings: Finding[], options: ReportOptions): string {
  const parts: string[] = ['<p>Everything that deliberately reaches across tenants or is exempt from the checks: review each entry.</p>'];
  const suppressions = result.suppressions ?? [];
  parts.push(`<h3>Suppressions in the source (${suppressions.length})</h3>`);
  parts.push(
    suppressions.length
      ? `<table><thead><tr><th>Location</th><th>Rule</th><th>Directive</th><th>Reason</th><th>Silenced finding</th></tr></thead><tbody>${suppressions
          .map(
            (s) =>
              `<tr><td><code>${esc(`${s.file}:${s.line}`)}</code></td><td><code>${esc(s.ruleId)}</code></td><td><code>${esc(s.directive)}</code> <span class="muted">(line ${s.directiveLine})</span></td><td>${s.reason ? esc(s.reason) : no('no reason given')}</td><td>${esc(s.message)}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : '<p class="muted">None.</p>',
  );
  const baseline = options.baseline;
  parts.push(`<h3>Baseline entries${baseline ? ` in <code>${esc(baseline.file)}</code> (${baseline.known.length} matched, ${baseline.fixed} fixed)` : ''}</h3>`);
  parts.push(
    !baseline
      ? '<p class="muted">No baseline was given (<code>--baseline FILE</code>).</p>'
      : baseline.known.length
        ? `<table><thead><tr><th>Location</th><th>Rule</th><th>Severity</th><th>Accepted finding</th></tr></thead><tbody>${[...baseline.known]
            .sort(compareFindings)
            .map((f) => `<tr><td><code>${esc(`${f.file}:${f.line}`)}</code></td><td><code>${esc(f.ruleId)}</code></td><td>${esc(f.severity)}</td><td>${esc(f.message)}</td></tr>`)
            .join('')}</tbody></table>`
        : '<p class="muted">No current finding is accepted by the baseline.</p>',
  );
  // An unscoped query below error is one the analysis judged exempt or defended elsewhere: every
  // path checks first (admin-only, guards), row-level security isolates, or it runs as the system
  // (jobs, scripts) or is never called. Each evidence says which.
  const system = findings.filter((f) => f.severity === 'info' || (f.ruleId === 'require-tenant-filter' && f.severity !== 'error'));
  parts.push(`<h3>Unscoped queries judged exempt or defended elsewhere: system code, admin-only or checked paths, row-level security (${system.length})</h3>`);
  parts.push(
    system.length
      ? `<table><thead><tr><th>Location</th><th>Rule</th><th>Severity</th><th>Why</th></tr></thead><tbody>${system
          .map((f) => `<tr><td><a href="#${findingId(f)}"><code>${esc(`${f.file}:${f.line}`)}</code></a></td><td><code>${esc(f.ruleId)}</code></td><td>${esc(f.severity)}</td><td>${esc(f.evidence)}</td></tr>`)
          .join('')}</tbody></table>`
      : '<p class="muted">None.</p>',
  );
  const globals = result.projects.flatMap((p) => (p.tableDetails ?? []).filter((t) => t.class === 'global'));
  parts.push(`<h3>Global tables: never checked (${globals.length})</h3>`);
  parts.push(globals.length ? `<ul>${globals.map((t) => `<li><code>${esc(t.name)}</code>: ${esc(t.classReason)}</li>`).join('')}</ul>` : '<p class="muted">None.</p>');
  return section('inventory', 'Intentional cross-tenant access', parts.join('\n'));
}

function findingsSection(findings: Finding[], options: ReportOptions): string {
  if (findings.length === 0) return section('findings', 'Findings', '<p class="ok">No findings.</p>');
  return section('findings', `Findings (${findings.length})`, findings.map((f) => findingArticle(f, options)).join('\n'));
}

function findingArticle(finding: Finding, options: ReportOptions): string {
  const excerpt = codeExcerpt(finding, options.sources.get(finding.file));
  return `<article class="finding sev-${finding.severity}" id="${findingId(finding)}">
<h3><span class="badge sev-${finding.severity}">${finding.severity}</span> <code>${esc(`${finding.file}:${finding.line}:${finding.column}`)}</code> <a class="rule" href="${esc(docsUrl(finding.ruleId))}">tenant-lint/${esc(finding.ruleId)}</a></h3>
<p class="message">${esc(finding.message)}</p>
${excerpt}<p><strong>Why:</strong> ${esc(finding.evidence)}</p>
<p><strong>Fix:</strong> ${esc(finding.help)}</p>
<p class="muted small">fingerprint <code>${esc(finding.fingerprint)}</code></p>
</article>`;
}

function codeExcerpt(finding: Finding, source: string | undefined): string {
  if (source === undefined) return '';
  const lines = source.split(/\r\n|\r|\n/);
  const first = Math.max(1, finding.line - CONTEXT);
  const spanEnd = Math.min(finding.endLine, finding.line + MAX_SPAN - 1);
  const last = Math.min(lines.length, spanEnd + CONTEXT);
  if (first > lines.length) return '';
  const width = String(last).length;
  const rows: string[] = [];
  for (let n = first; n <= last; n++) {
    const marked = n >= finding.line && n <= spanEnd;
    rows.push(`<span class="${marked ? 'line hit' : 'line'}"><span class="ln">${String(n).padStart(width, ' ')}</span> ${esc(lines[n - 1] ?? '')}</span>`);
  }
  return `<pre class="code">${rows.join('\n')}</pre>\n`;
}

/** A stable anchor for a finding: its fingerprint (hex), never text from the repository. */
function findingId(finding: Finding): string {
  return `f-${finding.fingerprint.replace(/[^0-9a-z]/gi, '')}-${finding.line}`;
}

function countByRule(findings: Finding[]): Map<string, Record<Severity, number>> {
  const counts = new Map<string, Record<Severity, number>>();
  for (const f of [...findings].sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0))) {
    const entry = counts.get(f.ruleId) ?? { error: 0, warning: 0, info: 0 };
    entry[f.severity] += 1;
    counts.set(f.ruleId, entry);
  }
  return counts;
}

function section(id: string, heading: string, content: string): string {
  return `<section id="${id}"><h2>${esc(heading)}</h2>\n${content}\n</section>`;
}

function card(value: string, label: string, cls: string): string {
  return `<div class="card ${cls}"><div class="value">${esc(value)}</div><div class="label">${esc(label)}</div></div>`;
}

const yes = (text: string) => `<span class="yes">✓ ${esc(text)}</span>`;
const no = (text: string) => `<span class="no">✗ ${esc(text)}</span>`;
const warn = (text: string) => `<span class="warn">! ${esc(text)}</span>`;

/** Text from the repository, made inert in element content and in quoted attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const STYLE = `
:root{--fg:#1d2330;--muted:#667085;--bg:#fff;--line:#e4e7ec;--error:#b42318;--warning:#b54708;--info:#175cd3;--ok:#067647}
*{box-sizing:border-box}
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1200px;padding:24px}
h1{margin:0 0 4px;font-size:24px}h2{border-bottom:2px solid var(--line);padding-bottom:4px;margin-top:32px}h3{font-size:15px;margin:20px 0 8px}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f2f4f7;padding:1px 4px;border-radius:4px}
nav{position:sticky;top:0;background:var(--bg);border-bottom:1px solid var(--line);padding:8px 0;display:flex;gap:16px;flex-wrap:wrap;z-index:1}
nav a,a{color:#1849a9;text-decoration:none}a:hover{text-decoration:underline}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}th{background:#f9fafb;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.meta,.muted{color:var(--muted)}.small{font-size:12px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}.card{border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:110px}
.card .value{font-size:24px;font-weight:700}.card .label{color:var(--muted)}
.card.error .value{color:var(--error)}.card.warning .value{color:var(--warning)}.card.info .value{color:var(--info)}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;border:1px solid currentColor}
.sev-error{color:var(--error)}.sev-warning{color:var(--warning)}.sev-info{color:var(--info)}
.verdict-complete{color:var(--ok)}.verdict-partial{color:var(--warning)}.verdict-none{color:var(--error)}
.badge.class-tenant{color:#1849a9}.badge.class-child{color:#6941c6}.badge.class-global{color:#475467}.badge.class-unclassified{color:var(--warning)}
.yes{color:var(--ok)}.no,.error-text{color:var(--error)}.warn{color:var(--warning)}.ok{color:var(--ok);font-weight:600}
article.finding{border:1px solid var(--line);border-left:4px solid currentColor;border-radius:6px;padding:4px 16px;margin:12px 0}
article.finding>*{color:var(--fg)}article.finding h3 .badge{vertical-align:1px}
.message{font-weight:600}.rule{font-size:12px;margin-left:8px}
pre.code{background:#0d1117;color:#e6edf3;padding:8px 0;border-radius:6px;overflow-x:auto;font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre.code .line{display:block;padding:0 12px;white-space:pre}pre.code .hit{background:#5a1e1e}pre.code .ln{color:#7d8590;user-select:none}
table.matrix td:first-child{min-width:250px;max-width:320px;overflow-wrap:anywhere}table.matrix td:nth-child(6){min-width:230px}table.matrix td:nth-child(3){min-width:170px}
details{margin:8px 0}summary{cursor:pointer;font-weight:600}
@media print{nav{display:none}}
`;
