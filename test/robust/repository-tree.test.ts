/**
 * The tree a scan reads is the repository (the folder holding .git, else the scanned folder): what
 * lies outside it is never read, and what lies inside it but cannot be read is counted. Issue 17's
 * leftovers: a tsconfig (or what it extends, references or includes) leaving the tree with
 * `--types`, special files named like a migration or a query file, and a config above the repository.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_ABOVE_REPOSITORY, scan } from '../../src/scan/scan.js';
import { runCli, useScratch } from '../helpers/scratch.js';
import { SCHEMA, DB, LEAK } from '../helpers/invoice-app.js';

const { makeProject } = useScratch();
const posixOnly = process.platform === 'win32' ? it.skip : it;

const APP = { 'package.json': '{"name":"app","main":"src/invoices.ts"}', 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': LEAK };
const NO_TYPES = '--types: no type information for this project: ';
const UNTYPED = '; its files are analysed without it';

function leaks(result: Awaited<ReturnType<typeof scan>>): string[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`);
}

describe('--types: a tsconfig that leads outside the scanned tree', () => {
  posixOnly('include ["src"] with src/root -> /: the folder link is not entered, the program is built, promptly', async () => {
    const dir = makeProject({ ...APP, 'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true }, include: ['src'] }) });
    symlinkSync('/', join(dir, 'src', 'root'));
    // The test's timeout is the bound: enumerating / through src/root ran out of memory after 90 s.
    const result = await scan({ path: dir, types: true, fileBudgetMs: 0 });
    expect(leaks(result)).toEqual(['src/invoices.ts:3']);
    expect(result.diagnostics).toEqual([]);
  });

  posixOnly('tsconfig.json itself a symlink to /: one diagnostic, the scan goes on untyped', async () => {
    const dir = makeProject(APP);
    symlinkSync('/', join(dir, 'tsconfig.json'));
    const result = await scan({ path: dir, types: true, fileBudgetMs: 0 });
    expect(leaks(result)).toEqual(['src/invoices.ts:3']);
    expect(result.diagnostics).toEqual([
      { code: 'config', file: 'tsconfig.json', message: `${NO_TYPES}tsconfig.json cannot be read (outside the scanned tree (after following symlinks))${UNTYPED}` },
    ]);
  });

  posixOnly('extends a config that is a link to a file outside: not read, named', async () => {
    const outer = makeProject({ 'elsewhere/base.json': JSON.stringify({ compilerOptions: { strict: true } }) });
    const dir = join(outer, 'repo');
    for (const [path, text] of Object.entries({ ...APP, 'tsconfig.json': JSON.stringify({ extends: './base.json', include: ['src'] }) })) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    symlinkSync(join(outer, 'elsewhere', 'base.json'), join(dir, 'base.json'));
    const result = await scan({ path: dir, types: true, fileBudgetMs: 0 });
    expect(leaks(result)).toEqual(['src/invoices.ts:3']);
    expect(result.diagnostics).toEqual([
      { code: 'config', file: 'tsconfig.json', message: `${NO_TYPES}it extends or references base.json, which cannot be read (outside the scanned tree (after following symlinks))${UNTYPED}` },
    ]);
  });

  it('extends and references that name folders above the repository: not read, named', async () => {
    const outer = makeProject({
      'elsewhere/tsconfig.json': JSON.stringify({ compilerOptions: { strict: true } }),
      ...Object.fromEntries(Object.entries(APP).map(([path, text]) => [`repo/${path}`, text])),
      'repo/tsconfig.json': JSON.stringify({ extends: '../elsewhere/tsconfig.json', include: ['src'] }),
      'repo/packages/api/package.json': '{"name":"api","main":"src/a.ts"}',
      'repo/packages/api/prisma/schema.prisma': SCHEMA,
      'repo/packages/api/src/db.ts': DB,
      'repo/packages/api/src/a.ts': LEAK,
      'repo/packages/api/tsconfig.json': JSON.stringify({ include: ['src'], references: [{ path: '../../../elsewhere' }] }),
    });
    const result = await scan({ path: join(outer, 'repo'), types: true, fileBudgetMs: 0 });
    expect(leaks(result)).toEqual(['packages/api/src/a.ts:3', 'src/invoices.ts:3']);
    expect(result.diagnostics).toEqual([
      { code: 'config', file: 'packages/api/tsconfig.json', message: `${NO_TYPES}it names ../../../elsewhere, outside the scanned tree${UNTYPED}` },
      { code: 'config', file: 'tsconfig.json', message: `${NO_TYPES}it extends or references ../elsewhere/tsconfig.json, which cannot be read (outside the scanned tree (after following symlinks))${UNTYPED}` },
    ]);
  });

  it('an include that reaches above the repository: nothing there is listed, the include is named', async () => {
    const outer = makeProject({
      'elsewhere/secret.ts': 'export const canaryOutside = 1;\n',
      ...Object.fromEntries(Object.entries(APP).map(([path, text]) => [`repo/${path}`, text])),
      'repo/tsconfig.json': JSON.stringify({ include: ['src', '../elsewhere/**/*'] }),
    });
    const result = await scan({ path: join(outer, 'repo'), types: true, fileBudgetMs: 0 });
    expect(leaks(result)).toEqual(['src/invoices.ts:3']);
    expect(result.diagnostics).toEqual([
      { code: 'config', file: 'tsconfig.json', message: `${NO_TYPES}its include "../elsewhere/**/*" reaches outside the scanned tree${UNTYPED}` },
    ]);
  });
});

describe('special files named like a migration, a query file or a source file', () => {
  posixOnly('a FIFO migrations/0001.sql, a FIFO queries/get.sql and a FIFO src/pipe.ts: each a diagnostic, PARTIAL, exit 2, never blocking', async () => {
    const dir = makeProject({
      'package.json': '{"name":"app","dependencies":{"pg":"8"}}',
      'migrations/0000_init.sql': 'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE notes (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id));\nCREATE INDEX notes_org ON notes (org_id, id);\n',
      'queries/list.sql': '-- name: ListNotes :many\nSELECT * FROM notes WHERE org_id = $1;\n',
      'src/notes.ts': "import { Pool } from 'pg';\nconst pool = new Pool();\nexport const getNote = (id: string) => pool.query('SELECT * FROM notes WHERE id = $1', [id]);\n",
    });
    execFileSync('mkfifo', [join(dir, 'migrations', '0001_more.sql'), join(dir, 'queries', 'get.sql'), join(dir, 'src', 'pipe.ts')]);
    symlinkSync('/dev/zero', join(dir, 'queries', 'zero.sql'));
    const result = await scan({ path: dir, fileBudgetMs: 0 });
    expect(result.diagnostics).toEqual([
      { code: 'unreadable', file: 'migrations/0001_more.sql', message: 'cannot read: not a regular file (a FIFO, socket or device)' },
      { code: 'unreadable', file: 'queries/get.sql', message: 'cannot read: not a regular file (a FIFO, socket or device)' },
      { code: 'unreadable', file: 'queries/zero.sql', message: 'cannot read: not a regular file (under /dev)' },
      { code: 'unreadable', file: 'src/pipe.ts', message: 'cannot read: not a regular file (a FIFO, socket or device)' },
    ]);
    expect(result.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['src/notes.ts:3']);
    expect(result.coverage.verdict).toBe('PARTIAL');
    const run = await runCli(['scan', dir, '--format', 'json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('tenant-lint: incomplete: 4 source files were not read (too large, binary or not a regular file inside the tree; see the diagnostics): exit 2\n');
  });

  posixOnly('a link to a regular file inside the tree is not reported (that file is scanned where it is)', async () => {
    const dir = makeProject(APP);
    symlinkSync(join(dir, 'src', 'invoices.ts'), join(dir, 'src', 'alias.ts'));
    const result = await scan({ path: dir, fileBudgetMs: 0 });
    expect(leaks(result)).toEqual(['src/invoices.ts:3']);
    expect(result.diagnostics).toEqual([]);
  });
});

describe('a config above the repository', () => {
  const SILENCING = JSON.stringify({ rules: { 'require-tenant-filter': 'off' } });

  it('above the folder holding .git: not read, named in a diagnostic; the leak is reported', async () => {
    const outer = makeProject({
      'tenant-lint.config.json': SILENCING,
      'repo/.git/HEAD': 'ref: refs/heads/main\n',
      ...Object.fromEntries(Object.entries(APP).map(([path, text]) => [`repo/${path}`, text])),
    });
    const result = await scan({ path: join(outer, 'repo'), fileBudgetMs: 0 });
    expect(leaks(result)).toEqual(['src/invoices.ts:3']);
    expect(result.diagnostics).toEqual([{ code: 'config', file: '../tenant-lint.config.json', message: CONFIG_ABOVE_REPOSITORY }]);
    expect(CONFIG_ABOVE_REPOSITORY).toBe(
      'not read: this config is above the repository root (the folder holding .git, or the scanned folder outside git); pass it with --config to use it',
    );
    expect(result.projects[0].configFile).toBeNull();
  });

  it('between a scanned subfolder and the folder holding .git: read, as ESLint and Prettier would', async () => {
    const outer = makeProject({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'tenant-lint.config.json': SILENCING,
      ...Object.fromEntries(Object.entries(APP).map(([path, text]) => [`apps/api/${path}`, text])),
    });
    const result = await scan({ path: join(outer, 'apps', 'api'), fileBudgetMs: 0 });
    expect(leaks(result)).toEqual([]);
    expect(result.diagnostics).toEqual([]);
    expect(result.projects[0].configFile).toBe('../../tenant-lint.config.json');
  });

  it('--config names one explicitly: then it is read, and no diagnostic', async () => {
    const outer = makeProject({
      'tenant-lint.config.json': SILENCING,
      'repo/.git/HEAD': 'ref: refs/heads/main\n',
      ...Object.fromEntries(Object.entries(APP).map(([path, text]) => [`repo/${path}`, text])),
    });
    const result = await scan({ path: join(outer, 'repo'), config: join(outer, 'tenant-lint.config.json'), fileBudgetMs: 0 });
    expect(leaks(result)).toEqual([]);
    expect(result.diagnostics).toEqual([]);
  });
});

describe('a folder of an unpacked monorepo (no .git): the workspace that lists it is its tree', () => {
  const MONOREPO = {
    'package.json': '{"name":"acme","private":true}',
    'pnpm-workspace.yaml': 'packages:\n  - "apps/*"\n  - "packages/*"\n',
    'packages/db/package.json': '{"name":"@acme/db","main":"src/index.ts","dependencies":{"@prisma/client":"5"}}',
    'packages/db/prisma/schema.prisma': SCHEMA,
    'packages/db/src/index.ts': DB,
    'apps/api/package.json': '{"name":"@acme/api","dependencies":{"@acme/db":"workspace:*"}}',
    'apps/api/src/invoices.ts': LEAK.replace("'./db'", "'@acme/db'"),
    'apps/web/package.json': '{"name":"@acme/web","dependencies":{"@acme/db":"workspace:*"}}',
    'apps/web/src/page.ts': "import type { PrismaClient } from '@acme/db';\nexport const title = 'Invoices';\n",
    'tools/script/package.json': '{"name":"script"}',
    'tools/script/src/run.ts': LEAK.replace("'./db'", "'@acme/db'"),
  };

  it('scan apps/api finds the schema in packages/db and reports the leak', async () => {
    const dir = makeProject(MONOREPO);
    const result = await scan({ path: join(dir, 'apps/api'), fileBudgetMs: 0 });
    expect(result.projects.map((p) => p.tenantRoot)).toContain('Organization');
    expect(leaks(result)).toEqual(['src/invoices.ts:3']);
    expect(result.coverage.failClosed).toBeUndefined();
  });

  it('scan apps/web, whose queries all live in packages/db: exit 2 naming the package, not "no findings"', async () => {
    const dir = makeProject(MONOREPO);
    const run = await runCli(['scan', join(dir, 'apps/web')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no data access in the scanned folder: it uses the database package ../../packages/db');
  });

  it('an app that reaches the client through another workspace package (which depends on the ORM) uses the schema', async () => {
    const dir = makeProject({
      ...MONOREPO,
      'packages/client/package.json': '{"name":"@acme/client","main":"src/index.ts","dependencies":{"@acme/db":"workspace:*","@prisma/client":"5"}}',
      'packages/client/src/index.ts': "export { prisma } from '@acme/db';\n",
      'apps/worker/package.json': '{"name":"@acme/worker","dependencies":{"@acme/client":"workspace:*"}}',
      'apps/worker/src/job.ts': LEAK.replace("'./db'", "'@acme/client'"),
    });
    const result = await scan({ path: dir, fileBudgetMs: 0 });
    expect(leaks(result)).toContain('apps/worker/src/job.ts:3');
  });

  it('a folder the workspace does not list stays its own tree: no schema borrowed', async () => {
    const dir = makeProject(MONOREPO);
    const result = await scan({ path: join(dir, 'tools/script'), fileBudgetMs: 0 });
    expect(result.projects.map((p) => p.tenantRoot)).not.toContain('Organization');
    expect(leaks(result)).toEqual([]);
  });
});
