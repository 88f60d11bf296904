/**
 * What a repository cannot make the scanner read, write or repeat: files outside the scanned tree
 * named by its config, baselines that are planted links, broken nested packages counted twice.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { assertPlainFile } from '../../src/scan/safe-read.js';
import { runCli, useScratch } from '../helpers/scratch.js';
import { SCHEMA, DB, LEAK } from '../helpers/invoice-app.js';

const { makeProject, tempDir } = useScratch();
const posixOnly = process.platform === 'win32' ? it.skip : it;

describe('a config that points outside the scanned tree', () => {
  it('cannot make a migration or schema outside it part of the report', async () => {
    const outer = makeProject({
      'elsewhere/secret.sql': 'CREATE TABLE canary_outside_table (id uuid PRIMARY KEY);\n',
      'elsewhere/secret.prisma': 'model CanaryOutsideModel {\n  id String @id\n}\n',
      'repo/package.json': '{"name":"app"}',
      'repo/prisma/schema.prisma': SCHEMA,
      'repo/src/db.ts': DB,
      'repo/src/invoices.ts': LEAK,
      'repo/packages/api/package.json': JSON.stringify({ name: 'api', tenantLint: { schema: ['../../../elsewhere/secret.prisma'], migrations: ['../../../elsewhere/*.sql'] } }),
      'repo/packages/api/prisma/schema.prisma': SCHEMA,
      'repo/packages/api/src/db.ts': DB,
      'repo/packages/api/src/a.ts': LEAK,
    });
    const result = await scan({ path: join(outer, 'repo'), fileBudgetMs: 0 });
    const all = JSON.stringify(result);
    expect(all).not.toContain('canary_outside_table');
    expect(all).not.toContain('CanaryOutsideModel');
    expect(result.diagnostics.filter((d) => /outside the scanned tree/.test(d.message)).map((d) => d.file)).toEqual(['../elsewhere/secret.prisma', '../elsewhere/secret.sql']);
  });

  it('a sibling package’s migrations inside the scanned tree are still read', async () => {
    const dir = makeProject({
      'package.json': '{"name":"root","private":true}',
      'packages/db/migrations/0001_init.sql': 'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE notes (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id));\n',
      'packages/api/package.json': JSON.stringify({ name: 'api', dependencies: { pg: '8' }, tenantLint: { migrations: ['../db/migrations'] } }),
      'packages/api/prisma/schema.prisma': 'model Unused {\n  id String @id\n}\n',
      'packages/api/src/q.ts': "import { Pool } from 'pg';\nconst pool = new Pool();\nexport const q = (id: string) => pool.query('SELECT * FROM notes WHERE id = $1', [id]);\n",
    });
    const result = await scan({ path: dir, fileBudgetMs: 0 });
    expect(result.diagnostics.filter((d) => /outside/.test(d.message))).toEqual([]);
    expect(result.projects.find((p) => p.root === 'packages/api')?.tables.tenant).toEqual(['notes']);
  });
});

describe('broken nested packages', () => {
  it('are analysed with the enclosing project, which is summarised and counted once; no absolute path in the diagnostic', async () => {
    const dir = makeProject({
      'package.json': '{"name":"app"}',
      'prisma/schema.prisma': SCHEMA,
      'src/db.ts': DB,
      'src/invoices.ts': LEAK,
      'packages/a/package.json': '{ "name": ',
      'packages/a/prisma/schema.prisma': SCHEMA,
      'packages/a/src/db.ts': DB,
      'packages/a/src/leak.ts': LEAK,
      'packages/b/package.json': '{"name":"b"}',
      'packages/b/tenant-lint.config.json': '{ "rules": {',
      'packages/b/prisma/schema.prisma': SCHEMA,
      'packages/b/src/db.ts': DB,
      'packages/b/src/leak.ts': LEAK,
    });
    const result = await scan({ path: dir, fileBudgetMs: 0 });
    expect(result.projects.map((p) => p.root)).toEqual(['.']);
    expect(result.coverage.projects.map((p) => p.root)).toEqual(['.']);
    expect(result.coverage.analysed).toBe(3);
    const config = result.diagnostics.filter((d) => d.code === 'config');
    expect(config.map((d) => d.message)).toEqual([
      expect.stringMatching(/^packages\/a\/package\.json: not valid JSON: .*; analysed with the settings of the scanned root$/),
      expect.stringMatching(/^packages\/b\/tenant-lint\.config\.json: not valid JSON: .*; analysed with the settings of the scanned root$/),
    ]);
    expect(JSON.stringify(result.diagnostics)).not.toContain(dir);
  });
});

describe('baselines', () => {
  posixOnly('assertPlainFile refuses devices, /proc and a link that leads out of its root; a missing file passes', () => {
    const outside = tempDir();
    writeFileSync(join(outside, 'credentials'), 'https://user:token@example.invalid');
    const dir = tempDir();
    symlinkSync('/dev/zero', join(dir, 'zero.json'));
    symlinkSync('/proc/self/environ', join(dir, 'env.json'));
    symlinkSync(join(outside, 'credentials'), join(dir, 'creds.json'));
    writeFileSync(join(dir, 'real.json'), '{}');
    symlinkSync(join(dir, 'real.json'), join(dir, 'inside.json'));
    expect(() => assertPlainFile(join(dir, 'zero.json'))).toThrow(/not a regular file \(under \/dev\)/);
    expect(() => assertPlainFile(join(dir, 'env.json'))).toThrow(/not a regular file \(under \/proc\)/);
    expect(() => assertPlainFile(join(dir, 'creds.json'), { linkRoot: dir })).toThrow(/outside/);
    expect(() => assertPlainFile(join(dir, 'inside.json'), { linkRoot: dir })).not.toThrow();
    expect(() => assertPlainFile(join(outside, 'credentials'), { linkRoot: dir })).not.toThrow();
    expect(() => assertPlainFile(join(dir, 'missing.json'))).not.toThrow();
  });

  posixOnly('--baseline through a planted link to /dev/zero or /proc/self/environ is one line, exit 2, and quotes nothing', async () => {
    const dir = makeProject({ 'package.json': '{"name":"app"}', 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': LEAK });
    symlinkSync('/dev/zero', join(dir, 'tenant-lint-baseline.json'));
    symlinkSync('/proc/self/environ', join(dir, 'env-baseline.json'));
    const zero = await runCli(['scan', dir, '--baseline', join(dir, 'tenant-lint-baseline.json')]);
    expect(zero).toMatchObject({ code: 2, stderr: expect.stringMatching(/^tenant-lint: cannot read baseline .*: not a regular file \(under \/dev\)\n$/) });
    process.env.TENANT_LINT_TEST_CANARY = 'canary-baseline-3c1d';
    try {
      const env = await runCli(['scan', dir, '--baseline', join(dir, 'env-baseline.json')]);
      expect(env.code).toBe(2);
      expect(env.stderr).not.toMatch(/canary|=/);
    } finally {
      delete process.env.TENANT_LINT_TEST_CANARY;
    }
  });

  posixOnly('--write-baseline never writes through a planted link, dangling or not, and never quotes its target', async () => {
    const outside = tempDir();
    writeFileSync(join(outside, 'victim'), 'original secret');
    const dir = makeProject({ 'package.json': '{"name":"app"}', 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': LEAK });
    mkdirSync(join(dir, 'ci'));
    symlinkSync(join(outside, 'victim'), join(dir, 'ci', 'baseline.json'));
    symlinkSync(join(outside, 'created.json'), join(dir, 'ci', 'dangling.json'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const existing = await runCli(['scan', '.', '--write-baseline', 'ci/baseline.json']);
      expect(existing.code).toBe(2);
      expect(existing.stderr).not.toContain('original');
      const dangling = await runCli(['scan', '.', '--write-baseline', 'ci/dangling.json']);
      expect(dangling).toMatchObject({ code: 2, stderr: expect.stringContaining('symbolic link') });
    } finally {
      process.chdir(cwd);
    }
    expect(readFileSync(join(outside, 'victim'), 'utf8')).toBe('original secret');
    expect(existsSync(join(outside, 'created.json'))).toBe(false);
  });
});
