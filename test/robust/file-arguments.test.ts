/**
 * File arguments (`tenant-lint scan apps/api/queries/notes.sql`, what pre-commit and lint-staged
 * pass) resolve each file's project and schema exactly as a scan of the repository does. The bug:
 * the read boundary was the folder of the files, so migrations in a workspace package above them
 * were refused, the query file had no schema, and the scan reported nothing and exited 0.
 */
import { cpSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/core/result.js';
import { scan } from '../../src/scan/scan.js';
import { runCli, useScratch } from '../helpers/scratch.js';

const { tempDir } = useScratch();
const MONOREPO_SQL = join(import.meta.dirname, 'fixtures', 'monorepo-sql');
const WORKSPACES_DRIZZLE = join(import.meta.dirname, '..', '..', 'fixtures', 'workspaces-drizzle');

/** What must not depend on how the files were named: findings and projects, by absolute path. */
function outcome(result: ScanResult, only?: readonly string[]) {
  const at = (path: string) => resolve(result.root, path);
  const findings = result.findings.map((f) => `${at(f.file)}:${f.line} ${f.ruleId}`).filter((f) => !only || only.some((file) => f.startsWith(`${file}:`)));
  return {
    findings,
    projects: result.projects.filter((p) => p.schemaSources.length > 0).map((p) => ({ root: at(p.root), sources: p.schemaSources.map((s) => s.files.map(at)), tables: p.tables, tenantRoot: p.tenantRoot })),
    verdict: result.coverage.verdict,
    diagnostics: result.diagnostics.map((d) => `${at(d.file)} ${d.code}`),
  };
}

async function fileScan(files: string[]): Promise<ScanResult> {
  const common = files.length === 1 ? resolve(files[0], '..') : resolve(files[0], '..', '..');
  return scan({ path: common, files, fileBudgetMs: 0 });
}

describe('file arguments in a monorepo: the schema in a workspace package, the file in an app', () => {
  const query = (root: string) => join(root, 'apps/api/queries/notes.sql');
  const code = (root: string) => join(root, 'apps/api/src/notes.ts');

  it('a .sql query file alone reports its leak against the migrations of packages/db, as the folder scan does', async () => {
    const folder = await scan({ path: MONOREPO_SQL, fileBudgetMs: 0 });
    const expected = outcome(folder, [query(MONOREPO_SQL)]);
    expect(expected.findings).toEqual([`${query(MONOREPO_SQL)}:3 require-tenant-filter`]);
    const alone = outcome(await fileScan([query(MONOREPO_SQL)]));
    expect(alone.findings).toEqual(expected.findings);
    expect(alone.verdict).toBe('COMPLETE');
    expect(alone.diagnostics).toEqual([]);
    // The schema it was checked against is that of the database package the app depends on
    // (@acme/db), named as the folder scan names it.
    expect(alone.projects).toEqual(expected.projects.filter((p) => p.root === join(MONOREPO_SQL, 'packages/db')));
  });

  it('a .ts file alone reports its raw-SQL leak against the same migrations', async () => {
    const folder = outcome(await scan({ path: MONOREPO_SQL, fileBudgetMs: 0 }), [code(MONOREPO_SQL)]);
    expect(folder.findings).toEqual([`${code(MONOREPO_SQL)}:13 require-tenant-filter`]);
    const alone = outcome(await fileScan([code(MONOREPO_SQL)]));
    expect(alone.findings).toEqual(folder.findings);
    expect(alone.verdict).toBe('COMPLETE');
  });

  it('both files at once, through the CLI: both leaks, exit 1', async () => {
    const run = await runCli(['scan', query(MONOREPO_SQL), code(MONOREPO_SQL), '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { findings: { file: string; line: number }[]; coverage: { verdict: string } };
    expect(report.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['queries/notes.sql:3', 'src/notes.ts:13']);
    expect(report.coverage.verdict).toBe('COMPLETE');
  });

  it('outside git, the enclosing workspace is the tree: a copy with no .git gives the same findings', async () => {
    const copy = join(tempDir(), 'monorepo-sql');
    cpSync(MONOREPO_SQL, copy, { recursive: true });
    rmSync(join(copy, '.git'), { recursive: true, force: true });
    const alone = outcome(await fileScan([query(copy)]));
    expect(alone.findings).toEqual([`${query(copy)}:3 require-tenant-filter`]);
    expect(alone.verdict).toBe('COMPLETE');
  });

  it('a .ts file of an app whose Drizzle schema is in packages/db (fixtures/workspaces-drizzle): same finding, and the same project summary', async () => {
    const route = join(WORKSPACES_DRIZZLE, 'apps/web/src/app/api/invoices/route.ts');
    const folder = outcome(await scan({ path: WORKSPACES_DRIZZLE, fileBudgetMs: 0 }), [route]);
    expect(folder.findings).toEqual([`${route}:16 require-tenant-filter`]);
    const alone = outcome(await fileScan([route]));
    expect(alone.findings).toEqual(folder.findings);
    expect(alone.verdict).toBe('COMPLETE');
    expect(alone.projects.map((p) => p.tables.tenant)).toEqual([folder.projects.find((p) => p.root === WORKSPACES_DRIZZLE)?.tables.tenant]);
  });
});
