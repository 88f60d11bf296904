/**
 * Fault isolation (issue 17): each component is made to throw on one marked input (schema reading,
 * the migration fold, .sql query analysis, a model, a policy). The scan completes, the failure is
 * one `internal` diagnostic naming that file (and the rule, for a model or a policy), every other
 * result stands, the verdict is PARTIAL and the CLI exits 2. In ESLint, the failing rule reports one
 * problem on that file and the run goes on.
 */
import { relative } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { describe, expect, it, vi } from 'vitest';
import plugin from '../../rules/index.js';
import { clearEditorCache } from '../../src/project/editor-cache.js';
import { scan } from '../../src/scan/scan.js';
import { runCli, useScratch } from '../helpers/scratch.js';
import { SCHEMA, DB } from '../helpers/invoice-app.js';

vi.mock('../../src/schema/prisma.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/schema/prisma.js')>();
  return {
    ...actual,
    readPrismaModels: (...args: Parameters<typeof actual.readPrismaModels>) => {
      if (args[0].some((f) => f.text.includes('THROW_SCHEMA'))) throw new Error('boom in schema reading');
      return actual.readPrismaModels(...args);
    },
  };
});

vi.mock('../../src/schema/sql-migrations.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/schema/sql-migrations.js')>();
  return {
    ...actual,
    readSqlMigrations: (...args: Parameters<typeof actual.readSqlMigrations>) => {
      if (args[1].some((path) => path.includes('throw-migrations'))) throw new Error('boom in the migration fold');
      return actual.readSqlMigrations(...args);
    },
  };
});

vi.mock('../../src/analyze/sql-files.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/analyze/sql-files.js')>();
  return {
    ...actual,
    analyzeSqlQueryFile: (...args: Parameters<typeof actual.analyzeSqlQueryFile>) => {
      if (args[0].includes('THROW_SQL')) throw new Error('boom in the SQL analysis');
      return actual.analyzeSqlQueryFile(...args);
    },
  };
});

// A model: the web-framework model that no-client-tenant-id asks first.
vi.mock('../../src/http/index.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/http/index.js')>();
  const mayReadClientInput = (file: string, text: string) => {
    if (text.includes('THROW_MODEL')) throw new Error('boom in the HTTP model');
    return actual.HTTP_MODEL.mayReadClientInput(file, text);
  };
  return { ...actual, mayReadClientInput, HTTP_MODEL: { ...actual.HTTP_MODEL, mayReadClientInput } };
});

// A policy: require-tenant-cache-key's.
vi.mock('../../src/policies/require-tenant-cache-key/index.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/policies/require-tenant-cache-key/index.js')>();
  return {
    ...actual,
    checkCacheKeys: (...args: Parameters<typeof actual.checkCacheKeys>) => {
      if (args[1].unit.text.includes('THROW_POLICY')) throw new Error('boom in the cache-key policy');
      return actual.checkCacheKeys(...args);
    },
  };
});

const { makeProject } = useScratch();

const leak = (marker = '') => `import { prisma } from './db';\n// ${marker}\nexport function getInvoice(id: string) {\n  return prisma.invoice.findFirst({ where: { id } });\n}\n`;

function hostileProject(): string {
  return makeProject({
    'package.json': '{"name":"app","workspaces":["packages/*"]}',
    'prisma/schema.prisma': SCHEMA,
    'src/db.ts': DB,
    'src/invoices.ts': leak(),
    'src/model-throws.ts': leak('THROW_MODEL'),
    'src/policy-throws.ts': leak('THROW_POLICY'),
    'queries/bad.sql': '-- THROW_SQL\nSELECT * FROM "Invoice" WHERE id = $1;\n',
    'queries/good.sql': 'SELECT * FROM "Invoice" WHERE id = $1;\n',
    'packages/bad-schema/package.json': '{"name":"bad-schema"}',
    'packages/bad-schema/prisma/schema.prisma': `// THROW_SCHEMA\n${SCHEMA}`,
    'packages/bad-schema/src/a.ts': 'export const a = 1;\n',
    'packages/throw-migrations/package.json': '{"name":"throw-migrations","dependencies":{"pg":"8"}}',
    'packages/throw-migrations/migrations/001_init.sql': 'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE notes (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id));\n',
    'packages/throw-migrations/src/a.ts': 'export const a = 1;\n',
  });
}

describe('fault isolation: each component throws on one input', () => {
  it('the scan completes: one internal diagnostic per failure, every other result kept, verdict PARTIAL', async () => {
    const dir = hostileProject();
    const result = await scan({ path: dir });
    const internal = result.diagnostics.filter((d) => d.code === 'internal').map((d) => `${d.file}: ${d.message}`);
    expect(internal).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^packages\/bad-schema\/prisma\/schema\.prisma: internal error while reading the Prisma schema: boom in schema reading/),
        expect.stringMatching(/^packages\/throw-migrations\/migrations\/001_init\.sql: internal error while folding the SQL migrations: boom in the migration fold/),
        expect.stringMatching(/^queries\/bad\.sql: internal error while analysing SQL: boom in the SQL analysis/),
        expect.stringMatching(/^src\/model-throws\.ts: internal error in no-client-tenant-id: boom in the HTTP model; that rule did not check the file/),
        expect.stringMatching(/^src\/policy-throws\.ts: internal error in require-tenant-cache-key: boom in the cache-key policy; that rule did not check the file/),
      ]),
    );
    // A failing model or policy costs its rule on that file only: the other rules' findings stand.
    const leaks = result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`);
    expect(leaks).toEqual(expect.arrayContaining(['src/invoices.ts:4', 'src/model-throws.ts:4', 'src/policy-throws.ts:4', 'queries/good.sql:1']));
    expect(result.coverage.verdict).toBe('PARTIAL');
  });

  it('the CLI exits 2 (incomplete) with the report', async () => {
    const dir = hostileProject();
    const run = await runCli(['scan', dir, '--format', 'json']);
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as { coverage: { verdict: string }; findings: unknown[] };
    expect(report.coverage.verdict).toBe('PARTIAL');
    expect(report.findings.length).toBeGreaterThan(3);
  });

  it('ESLint: the failing rule reports one problem on that file, the run goes on', async () => {
    const dir = hostileProject();
    clearEditorCache();
    const rules = Object.fromEntries(Object.keys(plugin.rules).map((id) => [`tenant-lint/${id}`, 'error']));
    const eslint = new ESLint({
      cwd: dir,
      overrideConfigFile: true,
      // @ts-expect-error -- typescript-eslint's RuleModule type is not structurally ESLint's Rule.RuleModule (see test/parity/faces.ts)
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, { ...plugin.configs.recommended, rules }],
    });
    const results = await eslint.lintFiles(['src/**/*.ts', 'packages/*/src/**/*.ts']);
    const messages = new Map(results.map((r) => [relative(dir, r.filePath).split('\\').join('/'), r.messages.map((m) => `${m.line} ${m.ruleId} ${m.fatal ? 'fatal ' : ''}${m.message.startsWith('tenant-lint could not check') ? 'cannot-check' : 'finding'}`)]));
    expect(messages.get('src/model-throws.ts')).toEqual(['1 tenant-lint/no-client-tenant-id cannot-check', '4 tenant-lint/require-tenant-filter finding']);
    expect(messages.get('src/policy-throws.ts')).toEqual(['1 tenant-lint/require-tenant-cache-key cannot-check', '4 tenant-lint/require-tenant-filter finding']);
    expect(messages.get('src/invoices.ts')).toEqual(['4 tenant-lint/require-tenant-filter finding']);
    expect(messages.get('packages/bad-schema/src/a.ts')).toEqual([]);
    expect(messages.get('packages/throw-migrations/src/a.ts')).toEqual([]);
  });
});
