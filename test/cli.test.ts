import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import { useScratch, runCli } from './helpers/scratch.js';
import { sarifSchemaErrors } from './report/sarif-schema.js';

const REPO = join(import.meta.dirname, '..');
const EXPRESS = join(REPO, 'fixtures', 'prisma-express');
const BUILT_CLI = join(REPO, 'dist', 'src', 'cli.js');
const BIN = join(REPO, 'bin', 'tenant-lint.js');


const { tempDir, makeProject } = useScratch();

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id       String    @id
  name     String
  invoices Invoice[]
}

model Invoice {
  id           String       @id
  orgId        String
  number       Int
  organization Organization @relation(fields: [orgId], references: [id])

  @@index([orgId, id])
}
`;

const DB = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

const CLEAN_CODE = `import { prisma } from './db';
export function listInvoices(orgId: string) {
  return prisma.invoice.findMany({ where: { orgId } });
}
`;

const LEAKY_CODE = `import { prisma } from './db';
export function getInvoice(id: string) {
  return prisma.invoice.findFirst({ where: { id } });
}
`;

/** A stack frame as Node prints it: `    at fn (file:line:col)`. */
const STACK_FRAME = /^\s+at /m;

describe('tenant-lint --help and --version', () => {
  it('--help exits 0 and prints the exit-code section', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Exit codes:');
    expect(run.stdout).toMatch(/^\s+0\s+no finding/m);
    expect(run.stdout).toMatch(/^\s+1\s+findings fail the run/m);
    expect(run.stdout).toMatch(/^\s+2\s+usage error/m);
  });

  it("--version prints package.json's version", async () => {
    const pkg: { version: string } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
  });
});

describe('tenant-lint explain', () => {
  it('explain require-tenant-filter prints the rule page and exits 0', async () => {
    const run = await runCli(['explain', 'require-tenant-filter']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // The page itself is being written elsewhere: only its subject is asserted.
    expect(run.stdout).toContain('require-tenant-filter');
  });

  it('explain of an unknown rule exits 2 with one stderr line naming the known rules', async () => {
    const run = await runCli(['explain', 'nope']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('nope');
    expect(lines[0]).toContain('require-tenant-filter');
  });
});

describe('tenant-lint usage errors', () => {
  it('an unknown command exits 2', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'frobnicate'");
  });

  it('an unknown option exits 2', async () => {
    const run = await runCli(['scan', EXPRESS, '--no-such-option']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--no-such-option'");
    expect(run.stdout).toBe('');
  });

  it('an unknown --format exits 2', async () => {
    const run = await runCli(['scan', EXPRESS, '--format', 'xml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('xml');
    expect(run.stdout).toBe('');
  });

  it('scan of a path that does not exist exits 2 with a message and no stack trace', async () => {
    const missing = join(tempDir(), 'no', 'such', 'dir');
    const run = await runCli(['scan', missing]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('path does not exist');
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.stdout).toBe('');
  });
});

describe('tenant-lint scan', () => {
  it('--format sarif --output writes a SARIF 2.1.0 file and exits 1 on fixtures/prisma-express', async () => {
    const output = join(tempDir(), 'report.sarif');
    const run = await runCli(['scan', EXPRESS, '--format', 'sarif', '--output', output]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(existsSync(output)).toBe(true);
    const log = JSON.parse(readFileSync(output, 'utf8')) as Sarif.Log;
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const results = log.runs[0].results ?? [];
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((result) => result.ruleId === 'require-tenant-filter').length).toBe(12);
    expect(results.every((result) => result.ruleId?.startsWith('require-tenant-'))).toBe(true);
  });

  it('a clean project exits 0 and says there are no findings', async () => {
    const dir = makeProject({ 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': CLEAN_CODE });
    const run = await runCli(['scan', dir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No tenant-isolation findings.');
    // The query was seen and decided, so the project is clean, not merely unrecognised.
    expect(run.stdout).toContain('query sites: 1 analysed, 0 not analysable');
  });

  describe('--fail-on warning with the rule configured as a warning', () => {
    const files = {
      'prisma/schema.prisma': SCHEMA,
      'src/db.ts': DB,
      'src/invoices.ts': LEAKY_CODE,
      'tenant-lint.config.json': JSON.stringify({ rules: { 'require-tenant-filter': 'warning' } }),
    };

    it('exits 1 with --fail-on warning', async () => {
      const run = await runCli(['scan', makeProject(files), '--fail-on', 'warning']);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/src\/invoices\.ts:3:\d+ +tenant-lint\/require-tenant-filter +warning/);
    });

    it('exits 0 without --fail-on', async () => {
      const run = await runCli(['scan', makeProject(files)]);
      expect(run.code).toBe(0);
      // The finding is still reported; it just does not fail the run.
      expect(run.stdout).toContain('tenant-lint/require-tenant-filter');
      expect(run.stdout).toContain('1 finding: 0 errors, 1 warning, 0 info');
    });
  });

  it('text output starts with the inferred project block (tenant root, tenant keys) before findings', async () => {
    const run = await runCli(['scan', EXPRESS]);
    expect(run.code).toBe(1);
    const out = run.stdout;
    expect(out.startsWith('Project .')).toBe(true);
    const rootAt = out.indexOf('tenant root:');
    const keysAt = out.indexOf('tenant keys:');
    const firstFindingAt = out.search(/^\S+:\d+:\d+ +tenant-lint\//m);
    expect(rootAt).toBeGreaterThan(0);
    expect(keysAt).toBeGreaterThan(rootAt);
    expect(firstFindingAt).toBeGreaterThan(keysAt);
    expect(out.slice(rootAt, keysAt)).toContain('Organization');
    expect(out.slice(keysAt, firstFindingAt)).toContain('Invoice.orgId -> Organization');
  });

  it('the built bin/tenant-lint.js exits 1 on fixtures/prisma-express and reports the rule', (ctx) => {
    ctx.skip(!existsSync(BUILT_CLI), 'dist/src/cli.js does not exist: run `npm run build` first');
    const child = spawnSync(process.execPath, [BIN, 'scan', EXPRESS], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(child.error).toBeUndefined();
    expect(child.status).toBe(1);
    expect(child.stdout).toContain('tenant-lint/require-tenant-filter');
  });
});
