import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import type { ScanResult } from '../../src/core/result.js';
import { command, escapeData, escapeProperty, renderGithub } from '../../src/report/github.js';
import { MAX_TOP_FINDINGS, renderMarkdown } from '../../src/report/markdown.js';
import { rebaseResult } from '../../src/report/paths.js';
import { toSarifLog } from '../../src/report/sarif.js';
import { renderText } from '../../src/report/text.js';
import type { ReportOptions } from '../../src/report/types.js';
import { sarifSchemaErrors } from './sarif-schema.js';

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'require-tenant-filter',
    messageId: 'missingTenantFilter',
    severity: 'error',
    message: '`db.invoice.findMany` reads tenant-scoped model `Invoice` without a tenant filter.',
    evidence: '`Invoice.orgId` references `Organization`.',
    help: 'Add `orgId` to `where`.',
    file: 'src/invoices.ts',
    line: 4,
    column: 10,
    endLine: 4,
    endColumn: 35,
    fingerprint: 'f1',
    ...overrides,
  };
}

function result(findings: Finding[], overrides: Partial<ScanResult> = {}): ScanResult {
  return {
    coverage: { verdict: 'COMPLETE', seen: 5, analysed: 5, scoped: 3, unscoped: 2, notAnalysable: 0, schemaMatched: 0, notTraced: 0, percent: 100, projects: [], topReasons: [], topFiles: [], notTracedSites: [] },
    tool: { name: 'tenant-lint', version: '0.1.0' },
    root: '/repo/apps/api',
    projects: [],
    findings,
    diagnostics: [],
    unknown: [],
    stats: { filesScanned: 3, filesSkipped: 0, querySites: 5, suppressed: 0, testFiles: 0, durationMs: 10 },
    failOn: 'error',
    ...overrides,
  };
}

const plain: ReportOptions = { color: false, sources: new Map() };

describe('github workflow commands', () => {
  it('escapes %, CR and LF in messages, and also : and , in properties (as @actions/core does)', () => {
    expect(escapeData('100% done\r\nnext')).toBe('100%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%d\ne')).toBe('a%3Ab%2Cc%25d%0Ae');
    // `%` is escaped first: an existing escape is not decoded by GitHub into a newline.
    expect(escapeData('%0A')).toBe('%250A');
    expect(command('error', { file: 'src/a,b:c.ts', line: 3 }, 'x::y')).toBe('::error file=src/a%2Cb%3Ac.ts,line=3::x::y');
  });

  it('prints one command per finding with file, lines, columns and the rule as title', () => {
    const out = renderGithub(result([finding(), finding({ severity: 'warning', file: 'src/b.ts', line: 2, endLine: 5, fingerprint: 'f2' })]), plain);
    const lines = out.trimEnd().split('\n');
    expect(lines[1]).toBe(
      '::error file=src/invoices.ts,line=4,endLine=4,col=10,endColumn=35,title=tenant-lint/require-tenant-filter::`db.invoice.findMany` reads tenant-scoped model `Invoice` without a tenant filter.%0AWhy: `Invoice.orgId` references `Organization`.%0AFix: Add `orgId` to `where`.%0ADocs: https://github.com/tenant-lint/tenant-lint/blob/main/docs/rules/require-tenant-filter.md',
    );
    // Multi-line spans carry no endColumn (GitHub accepts column ranges on one line only).
    expect(lines[0]).toMatch(/^::warning file=src\/b\.ts,line=2,endLine=5,col=10,title=tenant-lint\/require-tenant-filter::/);
    expect(lines[2]).toBe('tenant-lint: 2 findings');
    expect(lines).toHaveLength(3);
  });

  it('maps info to notice, and reports diagnostics as warnings (internal errors as errors)', () => {
    const out = renderGithub(
      result([finding({ severity: 'info' })], {
        diagnostics: [
          { code: 'parse-error', file: 'src/x.ts', line: 2, column: 1, message: "',' expected." },
          { code: 'internal', file: '', message: 'boom' },
        ],
      }),
      plain,
    );
    expect(out).toMatch(/^::notice file=src\/invoices\.ts/m);
    expect(out).toContain("::warning title=tenant-lint%3A parse-error,file=src/x.ts,line=2,col=1::',' expected.");
    expect(out).toContain('::error title=tenant-lint%3A internal::boom');
  });

  it('a message with a newline and a fake command stays on one line', () => {
    const out = renderGithub(result([finding({ message: 'a\n::set-output name=x::y' })]), plain);
    expect(out.split('\n').filter((line) => line.startsWith('::'))).toHaveLength(1);
  });
});

describe('markdown summary', () => {
  it('counts by rule and severity and lists findings with their location', () => {
    const md = renderMarkdown(
      result([finding(), finding({ severity: 'warning', ruleId: 'require-tenant-index', file: 'prisma/schema.prisma', line: 9, fingerprint: 'f2' })]),
      plain,
    );
    expect(md).toContain('**2 findings** (1 error, 1 warning, 0 info)');
    expect(md).toContain('| [`require-tenant-filter`](https://github.com/tenant-lint/tenant-lint/blob/main/docs/rules/require-tenant-filter.md) | 1 | 0 | 0 |');
    expect(md).toContain('| [`require-tenant-index`](https://github.com/tenant-lint/tenant-lint/blob/main/docs/rules/require-tenant-index.md) | 0 | 1 | 0 |');
    // Errors first, then warnings; message code spans kept.
    const errorRow = md.indexOf('| error | `src/invoices.ts:4` | `require-tenant-filter` | `db.invoice.findMany` reads tenant-scoped model `Invoice` without a tenant filter. |');
    const warningRow = md.indexOf('| warning | `prisma/schema.prisma:9` |');
    expect(errorRow).toBeGreaterThan(0);
    expect(warningRow).toBeGreaterThan(errorRow);
    expect(md).toContain('Fails on: error.');
  });

  it('escapes markdown and HTML taken from the repository', () => {
    const md = renderMarkdown(result([finding({ message: 'table <img src=x> | [click](http://evil) `a|b`', file: 'src/we|ird`.ts' })]), plain);
    expect(md).toContain('table &lt;img src=x\\> \\| \\[click\\]\\(http://evil\\) `a\\|b`');
    expect(md).toContain("`src/we\\|ird'.ts:4`");
    expect(md).not.toContain('<img');
  });

  it('links locations when given a link builder, and caps the list', () => {
    const many = Array.from({ length: MAX_TOP_FINDINGS + 3 }, (_, i) => finding({ line: i + 1, fingerprint: `f${i}` }));
    const md = renderMarkdown(result(many), { ...plain, link: (file, line) => `https://github.com/o/r/blob/abc/${file}#L${line}` });
    expect(md).toContain('[`src/invoices.ts:1`](https://github.com/o/r/blob/abc/src/invoices.ts#L1)');
    expect(md).toContain(`### Top ${MAX_TOP_FINDINGS} of ${MAX_TOP_FINDINGS + 3} findings`);
    expect(md).toContain('… and 3 more in the SARIF or JSON report.');
  });

  it('renders the coverage verdict with its reasons, and the baseline', () => {
    expect(renderMarkdown(result([]), plain)).toContain('Coverage: **COMPLETE**: 5 data-access calls seen, 5 analysed (100%), 0 not traced.');
    const partial = { verdict: 'PARTIAL' as const, seen: 10, analysed: 8, scoped: 4, unscoped: 4, notAnalysable: 0, schemaMatched: 0, notTraced: 2, percent: 80 };
    const withCoverage = { ...result([]), coverage: { ...partial, projects: [], topReasons: [{ reason: '`…` is a parameter of unknown type', count: 2 }], topFiles: [], notTracedSites: [] } };
    const md = renderMarkdown(withCoverage, { ...plain, baseline: { file: 'tenant-lint-baseline.json', known: [finding()], fixed: 2 } });
    expect(md).toContain('Coverage: **PARTIAL**: 10 data-access calls seen, 8 analysed (80%), 2 not traced.');
    expect(md).toContain('- 2 not traced:');
    expect(md).toContain('Baseline `tenant-lint-baseline.json`: 1 known finding not shown, 2 fixed.');
    expect(md).toContain('**No tenant-isolation findings in the 8 of 10 data-access calls analysed (coverage PARTIAL');
    expect(renderMarkdown(result([]), plain)).toContain('**No tenant-isolation findings.**');
  });
});

describe('baseline and paths in the other reports', () => {
  it('SARIF lists baseline findings with an external, accepted suppression', () => {
    const known = finding({ fingerprint: 'old', line: 20, endLine: 20 });
    const log = toSarifLog(result([finding()]), { baseline: { file: 'b.json', known: [known], fixed: 0 } });
    expect(sarifSchemaErrors(log)).toEqual([]);
    const results = log.runs[0].results ?? [];
    expect(results).toHaveLength(2);
    expect(results[0].suppressions).toBeUndefined();
    expect(results[1].suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'accepted in the baseline b.json' }]);
  });

  it('text prints --fail-on none, the baseline line and the quiet count', () => {
    const text = renderText(result([finding()]), {
      ...plain,
      failOn: 'none',
      quietHidden: 2,
      baseline: { file: 'b.json', known: [finding()], fixed: 1 },
      displayPath: (file) => `apps/api/${file}`,
    });
    expect(text).toContain('apps/api/src/invoices.ts:4:10');
    expect(text).toContain('fail on: none (findings never fail the run)');
    expect(text).toContain('quiet: 2 warning or info findings not shown');
    expect(text).toContain('baseline: 1 known finding not shown (b.json), 1 fixed');
    expect(text).toContain('run with --prune-baseline');
  });

  it('rebaseResult re-expresses every path relative to another root', () => {
    const scanned = result([finding()], {
      diagnostics: [{ code: 'parse-error', file: 'src/x.ts', message: 'm' }, { code: 'config', file: '', message: 'no file' }],
      unknown: [{ ruleId: 'require-tenant-filter', file: 'src/y.ts', line: 1, column: 1, reason: 'r' }],
      projects: [
        {
          root: '.',
          schemaSources: [{ kind: 'prisma', files: ['prisma/schema.prisma'] }],
          tenantRoot: null,
          tenantRootReason: '',
          tenantLevels: [],
          tenantKeys: [],
          tables: { tenant: [], child: [], global: [], unclassified: [] },
          configFile: null,
        },
      ],
    });
    const moved = rebaseResult(scanned, '/repo');
    expect(moved.root).toBe('/repo');
    expect(moved.findings[0].file).toBe('apps/api/src/invoices.ts');
    expect(moved.diagnostics.map((d) => d.file)).toEqual(['apps/api/src/x.ts', '']);
    expect(moved.unknown[0].file).toBe('apps/api/src/y.ts');
    expect(moved.projects[0].root).toBe('apps/api');
    expect(moved.projects[0].schemaSources[0].files).toEqual(['apps/api/prisma/schema.prisma']);
    expect(rebaseResult(moved, '/repo/apps/api').findings[0].file).toBe('src/invoices.ts');
  });
});
