import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import type { ScanResult } from '../../src/core/result.js';
import { docsUrl } from '../../src/core/rule-meta.js';
import { FORMATS, isFormat, reporters } from '../../src/report/index.js';
import type { JsonReport } from '../../src/report/json.js';
import type { ReportOptions } from '../../src/report/types.js';
import { sarifSchemaErrors } from './sarif-schema.js';

const ROOT = '/home/ci/work/acme-billing';

const invoicesSource = [
  "import { database } from './db';",
  '',
  'export async function listInvoices(orgId: string) {',
  '  return database.invoice.findMany({ where: { status: "open" } });',
  '}',
  '',
].join('\n');

// Written on Windows: the frame must not carry stray carriage returns or shift lines.
const projectsSource = [
  "import { database } from '../db';",
  '',
  'export async function getProject(id: string) {',
  '  const project = await database.project.findUnique({',
  '    where: { id },',
  '  });',
  '  return project;',
  '}',
  '',
].join('\r\n');

const invoiceFinding: Finding = {
  ruleId: 'require-tenant-filter',
  messageId: 'missingTenantFilter',
  severity: 'error',
  message: '`database.invoice.findMany` reads tenant-scoped table `Invoice` without a tenant filter.',
  evidence: '`Invoice.orgId` references `Organization`, the tenant root (prisma/schema.prisma:14).',
  help: 'Add `orgId` to `where`, for example `where: { orgId, status: "open" }`.',
  file: 'src/invoices.ts',
  line: 4,
  column: 10,
  endLine: 4,
  endColumn: 35,
  fingerprint: '0f3a6c2d9b8e7f1a2b3c4d5e6f708192',
};

const projectFinding: Finding = {
  ruleId: 'require-tenant-filter',
  messageId: 'missingTenantFilter',
  severity: 'warning',
  message: '`database.project.findUnique` reads tenant-scoped table `Project` by `id` alone.',
  evidence: '`Project.orgId` references `Organization`; `id` is unique across all tenants.',
  help: 'Use `findFirst({ where: { id, orgId } })` or the compound unique `orgId_id`.',
  file: 'src/routes/projects.ts',
  line: 4,
  column: 25,
  endLine: 4,
  endColumn: 53,
  fingerprint: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
};

function scanResult(overrides: Partial<ScanResult> = {}): ScanResult {
  return {
    coverage: {
      verdict: 'PARTIAL',
      seen: 4,
      analysed: 3,
      scoped: 1,
      unscoped: 2,
      notAnalysable: 0,
      schemaMatched: 1,
      notTraced: 1,
      percent: 75,
      projects: [{ root: '.', verdict: 'PARTIAL', seen: 4, analysed: 3, scoped: 1, unscoped: 2, notAnalysable: 0, schemaMatched: 1, notTraced: 1, percent: 75 }],
      topReasons: [{ reason: '`…` is a Prisma model, but the receiver `…` is not traced to a client: `…` is a parameter of unknown type', count: 1 }],
      topFiles: [{ file: 'src/jobs.ts', notTraced: 1 }],
      notTracedSites: [{ file: 'src/jobs.ts', line: 3, column: 9, orm: 'prisma', table: 'Invoice', reason: '`invoice` is a Prisma model, but the receiver `db` is not traced to a client: `db` is a parameter of unknown type (line 2)' }],
    },
    tool: { name: 'tenant-lint', version: '0.1.0' },
    root: ROOT,
    projects: [
      {
        root: '.',
        schemaSources: [{ kind: 'prisma', files: ['prisma/schema.prisma'] }],
        tenantRoot: 'Organization',
        tenantRootReason: 'inferred: referenced by 3 models through a required foreign key',
        tenantLevels: ['Organization'],
        tenantKeys: [
          { table: 'Invoice', field: 'orgId', references: 'Organization' },
          { table: 'Project', field: 'orgId', references: 'Organization' },
        ],
        tables: {
          tenant: ['Invoice', 'Project'],
          child: ['InvoiceLine'],
          global: ['Currency', 'Plan'],
          unclassified: [],
        },
        configFile: null,
      },
    ],
    // Deliberately out of order: every reporter sorts.
    findings: [projectFinding, invoiceFinding],
    diagnostics: [
      { code: 'parse-error', file: 'src/legacy/report.ts', line: 12, column: 3, message: "')' expected." },
    ],
    unknown: [
      {
        ruleId: 'require-tenant-filter',
        file: 'src/search.ts',
        line: 22,
        column: 10,
        reason: '`where` is built by `buildFilter()`, which is not followed',
      },
      {
        ruleId: 'require-tenant-filter',
        file: 'src/export.ts',
        line: 8,
        column: 3,
        reason: '`where` comes from a function parameter',
      },
    ],
    stats: { filesScanned: 42, filesSkipped: 1, querySites: 17, suppressed: 0, testFiles: 0, durationMs: 1234 },
    failOn: 'error',
    ...overrides,
  };
}

const plain: ReportOptions = {
  color: false,
  sources: new Map([
    ['src/invoices.ts', invoicesSource],
    ['src/routes/projects.ts', projectsSource],
  ]),
};

describe('reporters registry', () => {
  it('lists every format', () => {
    expect(FORMATS).toEqual(['text', 'json', 'sarif', 'github', 'markdown', 'html']);
    expect(isFormat('sarif')).toBe(true);
    expect(isFormat('toString')).toBe(false);
  });
});

describe('text reporter', () => {
  const output = reporters.text(scanResult(), plain);

  it('renders the inferred project, findings with frames, diagnostics and summary', () => {
    expect(output).toMatchInlineSnapshot(`
      "Project .
        schema:              prisma: prisma/schema.prisma
        tenant root:         Organization (inferred: referenced by 3 models through a required foreign key)
        tenant keys:         Invoice.orgId -> Organization, Project.orgId -> Organization
        tenant tables:       2: Invoice, Project
        child tables:        1: InvoiceLine
        global tables:       2: Currency, Plan
        unclassified tables: 0
        config:              none (zero-config)
        coverage:            PARTIAL: 3 of 4 data-access calls analysed (75%)

      src/invoices.ts:4:10  tenant-lint/require-tenant-filter  error
        \`database.invoice.findMany\` reads tenant-scoped table \`Invoice\` without a tenant filter.
          2 |
          3 | export async function listInvoices(orgId: string) {
        > 4 |   return database.invoice.findMany({ where: { status: "open" } });
            |          ^^^^^^^^^^^^^^^^^^^^^^^^^
          5 | }
          6 |
        why: \`Invoice.orgId\` references \`Organization\`, the tenant root (prisma/schema.prisma:14).
        help: Add \`orgId\` to \`where\`, for example \`where: { orgId, status: "open" }\`.
        docs: https://github.com/tenant-lint/tenant-lint/blob/main/docs/rules/require-tenant-filter.md

      src/routes/projects.ts:4:25  tenant-lint/require-tenant-filter  warning
        \`database.project.findUnique\` reads tenant-scoped table \`Project\` by \`id\` alone.
          2 |
          3 | export async function getProject(id: string) {
        > 4 |   const project = await database.project.findUnique({
            |                         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
          5 |     where: { id },
          6 |   });
        why: \`Project.orgId\` references \`Organization\`; \`id\` is unique across all tenants.
        help: Use \`findFirst({ where: { id, orgId } })\` or the compound unique \`orgId_id\`.
        docs: https://github.com/tenant-lint/tenant-lint/blob/main/docs/rules/require-tenant-filter.md

      Diagnostics (1)
        src/legacy/report.ts:12  parse-error  ')' expected.

      Summary
        2 findings: 1 error, 1 warning, 0 info
          tenant-lint/require-tenant-filter  2
        fail on: error (1 finding at or above)
        files: 42 scanned, 1 skipped
        query sites: 17 analysed, 2 not analysable
        coverage: PARTIAL: 4 data-access calls seen, 3 analysed (75%; 1 scoped, 2 unscoped, 0 not analysable, 1 recognised by the schema alone), 1 not traced
          not traced, most frequent reasons:
            1 x \`…\` is a Prisma model, but the receiver \`…\` is not traced to a client: \`…\` is a parameter of unknown type
          most untraced calls: src/jobs.ts (1)
          src/export.ts:8 \`where\` comes from a function parameter
          src/search.ts:22 \`where\` is built by \`buildFilter()\`, which is not followed
        diagnostics: 1
        duration: 1.2 s
      "
    `);
  });

  it('starts with what it inferred', () => {
    expect(output).toContain('Project .');
    expect(output).toContain('prisma: prisma/schema.prisma');
    expect(output).toContain('Organization (inferred: referenced by 3 models through a required foreign key)');
    expect(output).toContain('Invoice.orgId -> Organization, Project.orgId -> Organization');
    expect(output).toContain('tenant tables:       2: Invoice, Project');
    expect(output).toContain('none (zero-config)');
  });

  it('prints findings sorted by file with a header, frame, why and help', () => {
    const invoices = output.indexOf('src/invoices.ts:4:10  tenant-lint/require-tenant-filter  error');
    const projects = output.indexOf('src/routes/projects.ts:4:25  tenant-lint/require-tenant-filter  warning');
    expect(invoices).toBeGreaterThan(output.indexOf('Project .'));
    expect(projects).toBeGreaterThan(invoices);
    expect(output).toContain(`why: ${invoiceFinding.evidence}`);
    expect(output).toContain(`help: ${invoiceFinding.help}`);
  });

  it('puts one ^ under each character of the span', () => {
    const lines = output.split('\n');
    const codeLine = lines.findIndex((line) => line.includes('> 4 |   return database.invoice.findMany('));
    const markerLine = lines[codeLine + 1];
    const codeStart = lines[codeLine].indexOf('|') + 2;
    expect(markerLine.indexOf('^') - codeStart).toBe(invoiceFinding.column - 1);
    expect(markerLine.trim().replace(/^\|\s*/, '')).toBe('^'.repeat(invoiceFinding.endColumn - invoiceFinding.column));
  });

  it('frames a CRLF source without carriage returns', () => {
    expect(output).not.toContain('\r');
    expect(output).toContain('> 4 |   const project = await database.project.findUnique({');
    expect(output).toContain('  5 |     where: { id },');
  });

  it('summarises counts, files, query sites and unknown sites', () => {
    expect(output).toContain('2 findings: 1 error, 1 warning, 0 info');
    expect(output).toContain('tenant-lint/require-tenant-filter  2');
    expect(output).toContain('fail on: error (1 finding at or above)');
    expect(output).toContain('files: 42 scanned, 1 skipped');
    expect(output).toContain('query sites: 17 analysed, 2 not analysable');
    expect(output).toContain('src/export.ts:8 `where` comes from a function parameter');
    expect(output).toContain('src/legacy/report.ts:12  parse-error  \')\' expected.');
    expect(output).toContain('duration: 1.2 s');
    expect(output).not.toContain(ROOT);
  });

  it('omits the frame when the source is missing or the position is stale', () => {
    const noSources = reporters.text(scanResult(), { color: false, sources: new Map() });
    expect(noSources).toContain('src/invoices.ts:4:10  tenant-lint/require-tenant-filter  error');
    expect(noSources).not.toContain(' | ');

    const stale = reporters.text(scanResult({ findings: [{ ...invoiceFinding, line: 99, endLine: 99 }] }), plain);
    expect(stale).toContain('src/invoices.ts:99:10');
    expect(stale).not.toContain(' | ');
  });

  it('marks a multi-line span up to its exclusive end column', () => {
    const span = { ...projectFinding, line: 4, column: 25, endLine: 6, endColumn: 4 };
    const lines = reporters.text(scanResult({ findings: [span] }), plain).split('\n');
    const lastLine = lines.findIndex((line) => line.includes('> 6 |   });'));
    expect(lines[lastLine + 1].endsWith('| ^^^')).toBe(true);
  });

  it('prints a diagnostic that belongs to no file without a location', () => {
    const output = reporters.text(
      scanResult({ diagnostics: [{ code: 'config', file: '', message: 'Unknown rule `require-tenant`.' }] }),
      plain,
    );
    expect(output).toContain('\n  config  Unknown rule `require-tenant`.');
  });

  it('lists at most five unknown sites', () => {
    const unknown = Array.from({ length: 7 }, (_, index) => ({
      ruleId: 'require-tenant-filter',
      file: 'src/dynamic.ts',
      line: index + 1,
      column: 1,
      reason: 'dynamic where',
    }));
    const output = reporters.text(scanResult({ unknown }), plain);
    expect(output).toContain('src/dynamic.ts:5 dynamic where');
    expect(output).not.toContain('src/dynamic.ts:6 dynamic where');
    expect(output).toContain('... and 2 more');
  });

  it('says so plainly when there are no findings', () => {
    const clean = reporters.text(scanResult({ findings: [], diagnostics: [], unknown: [] }), plain);
    // PARTIAL: "no findings" is said of what was analysed, not of the code.
    expect(clean).toContain('No tenant-isolation findings in the 3 of 4 data-access calls analysed (coverage PARTIAL');
    expect(clean).not.toContain('tenant-lint/require-tenant-filter');
    expect(clean).not.toContain('Diagnostics');
    const base = scanResult({ findings: [], diagnostics: [], unknown: [] });
    const complete = reporters.text({ ...base, coverage: { ...base.coverage, verdict: 'COMPLETE' } }, plain);
    expect(complete).toContain('No tenant-isolation findings.');
    // Field (rocketadmin): "No tenant-isolation findings." printed under a NONE verdict read as a clean bill.
    const none = reporters.text({ ...base, coverage: { ...base.coverage, verdict: 'NONE' } }, plain);
    expect(none).not.toContain('No tenant-isolation findings');
    expect(none).toContain('No findings, because the scan could not check the data access (coverage NONE');
  });

  it('counts a long list of migrations with the folder that holds them, and lists a short one (documenso: 163 paths on one line)', () => {
    const base = scanResult();
    const withSources = (files: string[]) =>
      reporters.text({ ...base, projects: base.projects.map((p) => ({ ...p, schemaSources: [{ kind: 'prisma', files: ['packages/prisma/schema.prisma'] }, { kind: 'sql', files }] })) }, plain);
    const many = Array.from({ length: 163 }, (_, i) => `packages/prisma/migrations/2023${String(i).padStart(4, '0')}_m/migration.sql`);
    const long = withSources(many);
    expect(long).toContain('schema:              prisma: packages/prisma/schema.prisma; sql: 163 migrations in packages/prisma/migrations\n');
    expect(long).not.toContain('20230001_m');
    const few = withSources(many.slice(0, 3));
    expect(few).toContain(`sql: ${many.slice(0, 3).join(', ')}\n`);
  });

  it('prints a schema once when the root project reads the same files as a package (rocketadmin: `.` and `backend`)', () => {
    const base = scanResult();
    const project = base.projects[0]!;
    const shared = { ...project, schemaSources: [{ kind: 'typeorm', files: ['backend/src/entities/a.entity.ts'] }] };
    const coverage = base.coverage.projects[0]!;
    const twice = {
      ...base,
      projects: [shared, { ...shared, root: 'backend' }],
      coverage: { ...base.coverage, projects: [coverage, { ...coverage, root: 'backend', seen: 9, analysed: 9, percent: 100, verdict: 'COMPLETE' as const }] },
    };
    const text = reporters.text(twice, plain);
    expect(text.match(/tenant keys:/g)).toHaveLength(1);
    expect(text).toContain('Project .\n  schema:   the same as Project backend (tenant root Organization)\n  coverage: PARTIAL: 3 of 4 data-access calls analysed (75%)');
    expect(text).toContain('Project backend\n  schema:              typeorm: backend/src/entities/a.entity.ts');
    // twin: another schema is another block.
    const other = reporters.text({ ...twice, projects: [project, { ...shared, root: 'backend' }] }, plain);
    expect(other.match(/tenant keys:/g)).toHaveLength(2);
  });

  it('colours only when asked', () => {
    const coloured = reporters.text(scanResult(), { ...plain, color: true });
    expect(coloured).toContain('\u001b[');
    expect(output).not.toContain('\u001b[');
  });
});

describe('json reporter', () => {
  const output = reporters.json(scanResult(), plain);
  const report: JsonReport = JSON.parse(output);

  it('is pretty-printed with a trailing newline', () => {
    expect(output.endsWith('}\n')).toBe(true);
    expect(output).toContain('\n  "version": 1,');
  });

  it('has the documented top-level keys in order', () => {
    expect(Object.keys(report)).toEqual([
      'version',
      'tool',
      'projects',
      'findings',
      'diagnostics',
      'unknown',
      'stats',
      'failOn',
      'coverage',
    ]);
    expect(report.coverage.verdict).toBe('PARTIAL');
    expect(report.coverage.notTracedSites[0]).toMatchObject({ file: 'src/jobs.ts', line: 3, orm: 'prisma' });
    expect(report.tool).toEqual({ name: 'tenant-lint', version: '0.1.0' });
    expect(report.failOn).toBe('error');
    expect(report.stats).toEqual({ filesScanned: 42, filesSkipped: 1, querySites: 17, durationMs: 1234 });
  });

  it('sorts findings, diagnostics and unknown sites', () => {
    expect(report.findings.map((finding) => finding.file)).toEqual(['src/invoices.ts', 'src/routes/projects.ts']);
    expect(report.unknown.map((site) => site.file)).toEqual(['src/export.ts', 'src/search.ts']);
    expect(report.findings[0]).toMatchObject({ line: 4, column: 10, endLine: 4, endColumn: 35, suggestions: [] });
    expect(report.diagnostics[0]).toEqual({
      code: 'parse-error',
      file: 'src/legacy/report.ts',
      line: 12,
      column: 3,
      message: "')' expected.",
    });
  });

  it('contains no absolute path', () => {
    expect(output).not.toContain(ROOT);
    expect(Object.keys(report)).not.toContain('root');
  });
});

describe('sarif reporter', () => {
  const output = reporters.sarif(scanResult(), plain);
  const log: Sarif.Log = JSON.parse(output);
  const [run] = log.runs;

  it('is a SARIF 2.1.0 log with one run', () => {
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.runs).toHaveLength(1);
    expect(output.endsWith('}\n')).toBe(true);
  });

  it('describes each rule with its docs URL and default level', () => {
    expect(run.tool.driver).toMatchObject({ name: 'tenant-lint', version: '0.1.0' });
    expect(run.tool.driver.rules?.find((rule) => rule.id === 'require-tenant-filter')).toMatchObject({
      id: 'require-tenant-filter',
      name: 'RequireTenantFilter',
      shortDescription: { text: 'Require a tenant predicate on every query against a tenant-scoped table' },
      helpUri: docsUrl('require-tenant-filter'),
      defaultConfiguration: { level: 'error' },
      properties: { recommended: true, tags: ['security', 'external/cwe/cwe-639'], precision: 'high', 'security-severity': '8.1' },
    });
  });

  it('locates results with relative URIs and 1-based regions', () => {
    expect(run.results).toHaveLength(2);
    const [first, second] = run.results ?? [];
    expect(first).toMatchObject({ ruleId: 'require-tenant-filter', level: 'error' });
    expect(run.tool.driver.rules?.[first?.ruleIndex ?? -1]?.id).toBe('require-tenant-filter');
    expect(second.level).toBe('warning');
    // The schema line the evidence names is a related location, linked from the message.
    expect(first.message.text).toBe(
      `${invoiceFinding.message}\nWhy: ${invoiceFinding.evidence.replace('(prisma/schema.prisma:14)', '([prisma/schema.prisma:14](1))')}\nFix: ${invoiceFinding.help}`,
    );
    expect(first.relatedLocations).toEqual([
      {
        id: 1,
        physicalLocation: { artifactLocation: { uri: 'prisma/schema.prisma', uriBaseId: '%SRCROOT%' }, region: { startLine: 14 } },
        message: { text: '`Invoice.orgId` references `Organization`, the tenant root' },
      },
    ]);
    expect(first.locations?.[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'src/invoices.ts', uriBaseId: '%SRCROOT%' },
      region: { startLine: 4, startColumn: 10, endLine: 4, endColumn: 35 },
    });
    expect(first.partialFingerprints).toEqual({ 'tenantLint/v1': invoiceFinding.fingerprint });
    expect(run.originalUriBaseIds?.['%SRCROOT%']).toBeDefined();
    expect(output).not.toContain(ROOT);
  });

  it('escapes paths that are not valid URI references', () => {
    const odd: Sarif.Log = JSON.parse(
      reporters.sarif(scanResult({ findings: [{ ...invoiceFinding, file: 'app/[id]/my page#1.ts' }] }), plain),
    );
    expect(sarifSchemaErrors(odd)).toEqual([]);
    expect(odd.runs[0].results?.[0].locations?.[0].physicalLocation?.artifactLocation?.uri).toBe(
      'app/%5Bid%5D/my%20page%231.ts',
    );
  });

  it('carries the inferred projects and the diagnostics', () => {
    expect(run).toMatchObject({ properties: { tenantLint: { projects: [{ root: '.', tenantRoot: 'Organization' }] } } });
    expect(run.invocations?.[0].executionSuccessful).toBe(true);
    expect(run.invocations?.[0].toolExecutionNotifications?.[0]).toEqual({
      descriptor: { id: 'parse-error' },
      level: 'warning',
      message: { text: "')' expected." },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'src/legacy/report.ts', uriBaseId: '%SRCROOT%' },
            region: { startLine: 12, startColumn: 3 },
          },
        },
      ],
    });
  });

  it('maps info to note', () => {
    const info: Sarif.Log = JSON.parse(
      reporters.sarif(scanResult({ findings: [{ ...invoiceFinding, severity: 'info' }] }), plain),
    );
    expect(sarifSchemaErrors(info)).toEqual([]);
    expect(info.runs[0].results?.[0].level).toBe('note');
  });
});
