/**
 * The per-file time budget, tested with a fake clock (never with real time): a file that runs past its
 * budget is one `internal` diagnostic, the rest of the scan completes, the verdict is not COMPLETE,
 * and the CLI exits 2.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BudgetExceeded, budgetSettings, checkBudget, outsideFileBudget, withBudgetSettings, withFileBudget } from '../../src/scan/budget.js';
import { scan } from '../../src/scan/scan.js';
import { runCli, useScratch } from '../helpers/scratch.js';
import { SCHEMA, DB, LEAK } from '../helpers/invoice-app.js';

/** Fake time: the mocked parser advances it when it parses a file named slow.ts. */
const clock = { now: 0 };

vi.mock('../../src/project/modules.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/project/modules.js')>();
  return {
    ...actual,
    parseUnit: (file: string, text: string) => {
      if (file.endsWith('slow.ts')) clock.now += 60_000;
      return actual.parseUnit(file, text);
    },
  };
});

const { makeProject } = useScratch();

const SCOPED = `import { prisma } from './db';\nexport function listInvoices(orgId: string) {\n  return prisma.invoice.findMany({ where: { orgId } });\n}\n`;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('budget primitives', () => {
  it('a checkpoint past the deadline throws, and the trip survives a caller that swallows it', () => {
    let now = 0;
    const settings = { ms: 10, now: () => now };
    const run = withFileBudget(() => {
      checkBudget();
      now = 11;
      try {
        checkBudget();
      } catch {
        // a parser wrapper that turns every throw into "does not parse"
      }
      return 'finished anyway';
    }, settings);
    expect(run.tripped).toBe(true);
    if (run.tripped) expect(run.error).toBeInstanceOf(BudgetExceeded);
  });

  it('nested budgets are their own; work outside the file budget is not charged to it', () => {
    let now = 0;
    const settings = { ms: 10, now: () => now };
    const outer = withFileBudget(() => {
      const shared = outsideFileBudget(() => {
        now += 100; // a project load shared by many files
        checkBudget(); // no budget in force here
        return withFileBudget(() => {
          now += 20;
          checkBudget();
        }).tripped;
      });
      checkBudget();
      return shared;
    }, settings);
    expect(outer).toEqual({ tripped: false, value: true });
  });

  it('no settings, or a budget of 0, never trips; checkpoints outside a file are no-ops', () => {
    expect(() => checkBudget()).not.toThrow();
    expect(withFileBudget(() => 1)).toEqual({ tripped: false, value: 1 });
    const none = budgetSettings(0);
    expect(none.ms).toBe(Infinity);
    expect(withBudgetSettings(none, () => withFileBudget(() => 2))).toEqual({ tripped: false, value: 2 });
    expect(budgetSettings(undefined, undefined, { TENANT_LINT_FILE_BUDGET_MS: '250' }).ms).toBe(250);
    expect(budgetSettings(undefined, undefined, { TENANT_LINT_FILE_BUDGET_MS: 'soon' }).ms).toBe(10_000);
  });
});

describe('a file over its budget', () => {
  it('is one internal diagnostic; the other files are analysed and the verdict is PARTIAL', async () => {
    const dir = makeProject({
      'package.json': '{"name":"app"}',
      'prisma/schema.prisma': SCHEMA,
      'src/db.ts': DB,
      'src/invoices.ts': LEAK,
      'src/list.ts': SCOPED,
      'src/slow.ts': LEAK.replace('getInvoice', 'getSlowInvoice'),
    });
    const result = await scan({ path: dir, fileBudgetMs: 1000, clock: () => clock.now });
    expect(result.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['src/invoices.ts:3']);
    const budget = result.diagnostics.filter((d) => /time budget/.test(d.message));
    expect(budget).toEqual([{ code: 'internal', file: 'src/slow.ts', message: expect.stringMatching(/^time budget exceeded: over the 1 s per file .*; the file was not analysed$/) }]);
    expect(result.stats.filesSkipped).toBe(1);
    expect(result.coverage.verdict).toBe('PARTIAL');
    // The same scan without a budget analyses slow.ts too.
    const unbounded = await scan({ path: dir, fileBudgetMs: 0, clock: () => clock.now });
    expect(unbounded.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['src/invoices.ts:3', 'src/slow.ts:3']);
    expect(unbounded.coverage.verdict).toBe('COMPLETE');
  });

  it('a long .sql query file and a long migration stop at a statement checkpoint; short ones are read', async () => {
    const many = (n: number, line: string) => Array.from({ length: n }, () => line).join('\n');
    const dir = makeProject({
      'package.json': '{"name":"app"}',
      'migrations/0001_init.sql': 'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE notes (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id));\nCREATE INDEX ON notes (org_id);\n',
      'migrations/0002_long.sql': many(2000, 'ALTER TABLE notes ADD COLUMN IF NOT EXISTS extra int;'),
      'queries/short.sql': 'SELECT * FROM notes WHERE id = $1;\n',
      'queries/long.sql': many(2000, 'SELECT * FROM notes WHERE org_id = $1;'),
    });
    // Every reading of the clock is one millisecond later: deterministic, and proportional to the checkpoints passed.
    let ticks = 0;
    const result = await scan({ path: dir, fileBudgetMs: 500, clock: () => ticks++ });
    expect(result.findings.filter((f) => f.file.startsWith('queries/')).map((f) => `${f.file}:${f.line}`)).toEqual(['queries/short.sql:1']);
    const budget = result.diagnostics.filter((d) => /time budget/.test(d.message)).map((d) => [d.code, d.file]);
    expect(budget).toEqual([
      ['internal', 'migrations/0002_long.sql'],
      ['internal', 'queries/long.sql'],
    ]);
    // The first migration was folded: the schema has its tenant table.
    expect(result.projects[0].tables.tenant).toEqual(['notes']);
    expect(result.coverage.verdict).toBe('PARTIAL');
  });

  it('makes the CLI exit 2 with the report written (budget from the environment, clock faked)', async () => {
    const dir = makeProject({
      'package.json': '{"name":"app"}',
      'prisma/schema.prisma': SCHEMA,
      'src/db.ts': DB,
      'src/list.ts': SCOPED,
      'src/slow.ts': SCOPED,
    });
    vi.spyOn(process, 'cpuUsage').mockImplementation(() => ({ user: clock.now * 1000, system: 0 }));
    vi.stubEnv('TENANT_LINT_FILE_BUDGET_MS', '5000');
    try {
      const run = await runCli(['scan', dir, '--format', 'json']);
      expect(run.code).toBe(2);
      const report = JSON.parse(run.stdout) as { diagnostics: { code: string; file: string; message: string }[]; coverage: { verdict: string } };
      expect(report.diagnostics).toEqual([expect.objectContaining({ code: 'internal', file: 'src/slow.ts', message: expect.stringContaining('over the 5 s per file') })]);
      expect(report.coverage.verdict).toBe('PARTIAL');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
