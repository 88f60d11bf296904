import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../src/core/result.js';
import { scan } from '../src/scan/scan.js';
import { runCli, useScratch } from './helpers/scratch.js';
import { SCHEMA } from './helpers/invoice-app.js';

const { makeProject } = useScratch();

const DB = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

/** A leaking query on line 3, importing the client from `dbPath`. */
function leak(dbPath = './db'): string {
  return `import { prisma } from '${dbPath}';
export function getInvoice(id: string) {
  return prisma.invoice.findFirst({ where: { id } });
}
`;
}

function findingLines(result: ScanResult): string[] {
  return result.findings.map((f) => `${f.file}:${f.line}`);
}

describe('unparseable and unreadable sources', () => {
  it('a .ts syntax error is one parse-error diagnostic with file and line; other files still produce findings', async () => {
    const dir = makeProject({
      'prisma/schema.prisma': SCHEMA,
      'src/db.ts': DB,
      'src/invoices.ts': leak(),
      'src/broken.ts': 'export const a = 1;\nexport const b = 2;\nexport const c = ;\n',
    });
    const result = await scan({ path: dir });
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ code: 'parse-error', file: 'src/broken.ts', line: 3 });
    expect(findingLines(result)).toEqual(['src/invoices.ts:3']);
    expect(result.stats.filesScanned).toBe(2);
    expect(result.stats.filesSkipped).toBe(1);
  });

  it('a schema.prisma syntax error is a schema-error diagnostic with file and line, and the scan does not throw', async () => {
    const broken = `${SCHEMA}
model Broken {
  id   String @id
  oops ???
}
`;
    const badLine = broken.split('\n').findIndex((line) => line.includes('???')) + 1;
    const dir = makeProject({ 'prisma/schema.prisma': broken, 'src/db.ts': DB, 'src/invoices.ts': leak() });
    const result = await scan({ path: dir });
    const schemaErrors = result.diagnostics.filter((d) => d.code === 'schema-error');
    expect(schemaErrors).toHaveLength(1);
    expect(schemaErrors[0]).toMatchObject({ file: 'prisma/schema.prisma', line: badLine });
    expect(result.projects[0].schemaSources).toEqual([{ kind: 'prisma', files: ['prisma/schema.prisma'] }]);
  });

  it('a binary file named x.ts is skipped with a binary diagnostic', async () => {
    const binary = Buffer.from([0x65, 0x78, 0x70, 0x00, 0x00, 0x01, 0x02, 0xff, 0x00, 0x7f]);
    const dir = makeProject({ 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': leak(), 'src/x.ts': binary });
    const result = await scan({ path: dir });
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'binary', file: 'src/x.ts' })]);
    expect(findingLines(result)).toEqual(['src/invoices.ts:3']);
  });

  it('a source file with a NUL byte inside a string or a comment is read, not skipped as binary (docmost)', async () => {
    const withNul = `${leak()}export const SEPARATOR = '\u0000';\n// a comment with \u0000 in it\n`;
    expect(withNul.includes('\u0000')).toBe(true);
    const dir = makeProject({ 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': withNul });
    const result = await scan({ path: dir });
    expect(result.diagnostics).toEqual([]);
    expect(findingLines(result)).toEqual(['src/invoices.ts:3']);
  });

  it('twin: a NUL byte outside any string, in text that does not parse, is still binary', async () => {
    const dir = makeProject({ 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': leak(), 'src/y.ts': `${leak()}\u0000\u0001 not code\n` });
    const result = await scan({ path: dir });
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'binary', file: 'src/y.ts' })]);
  });

  it('a file over 1 MB is skipped with a too-large diagnostic', async () => {
    // Valid TypeScript with a leak on line 3, padded past the limit: it must not be parsed.
    const big = `${leak()}${'// generated padding line\n'.repeat(50_000)}`;
    expect(Buffer.byteLength(big)).toBeGreaterThan(1_000_000);
    const dir = makeProject({ 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/big.ts': big });
    const result = await scan({ path: dir });
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'too-large', file: 'src/big.ts' })]);
    expect(result.findings).toEqual([]);
    expect(result.stats.filesScanned).toBe(1);
  });
});

describe('a source file not read never passes as clean', () => {
  // A leak padded past the size cap, or behind one NUL byte, would otherwise exit 0 in CI.
  const cases: [string, string | Buffer][] = [
    ['padded past 1 MB', `${leak()}${'// padding\n'.repeat(100_000)}`],
    ['one NUL byte', `${leak()}\u0000\n`],
  ];
  for (const [what, content] of cases) {
    it(`${what}: verdict PARTIAL, exit 2, one note on stderr`, async () => {
      const dir = makeProject({ 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/ok.ts': leak().replace('findFirst({ where: { id } })', 'findFirst({ where: { id, orgId: "o" } })'), 'src/hidden.ts': content });
      const run = await runCli(['scan', dir, '--format', 'json']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/incomplete: 1 source file was not read/);
      const report = JSON.parse(run.stdout) as ScanResult;
      expect(report.diagnostics.map((d) => d.file)).toEqual(['src/hidden.ts']);
      expect(report.coverage.verdict).toBe('PARTIAL');
    });
  }
});

describe('a source file over the parse limit is probed as text', () => {
  // Generated type declarations (GraphQL codegen, `supabase gen types`) are the usual oversized files.
  const generated = `export type Maybe<T> = T | null;\n${Array.from({ length: 12_000 }, (_, i) => `export type Invoice${i}WhereInput = { where?: Maybe<string>; select?: boolean; kind: 'update' | 'delete'; orderBy?: string };`).join('\n')}\n`;

  it('without data-access text: skipped with a too-large-no-data-access diagnostic, the scan stays complete (exit 0)', async () => {
    expect(Buffer.byteLength(generated)).toBeGreaterThan(1_000_000);
    const dir = makeProject({ 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/ok.ts': leak().replace('findFirst({ where: { id } })', 'findFirst({ where: { id, orgId: "o" } })'), 'src/generated-types.ts': generated });
    const run = await runCli(['scan', dir, '--format', 'json']);
    const report = JSON.parse(run.stdout) as ScanResult;
    expect(report.diagnostics).toEqual([expect.objectContaining({ code: 'too-large-no-data-access', file: 'src/generated-types.ts' })]);
    expect(run.stderr).not.toMatch(/incomplete/);
    expect(run.code).toBe(0);
  });

  it('with one data-access call hidden in it: still not read, exit 2, and the diagnostic names the line', async () => {
    const hidden = `${generated}export const rows = () => prisma.invoice['findMany']({});\n`;
    const dir = makeProject({ 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/generated-types.ts': hidden });
    const run = await runCli(['scan', dir, '--format', 'json']);
    const report = JSON.parse(run.stdout) as ScanResult;
    expect(report.diagnostics).toEqual([expect.objectContaining({ code: 'too-large', file: 'src/generated-types.ts', line: 12_002 })]);
    expect(run.code).toBe(2);
  });
});

describe('file discovery', () => {
  it('a symlink loop terminates and the real finding is reported once', async () => {
    const dir = makeProject({ 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': leak() });
    symlinkSync('..', join(dir, 'src', 'loop'));
    const result = await scan({ path: dir });
    expect(findingLines(result)).toEqual(['src/invoices.ts:3']);
    expect(result.stats.filesScanned).toBe(2);
  });

  it('node_modules/, dist/, *.d.ts and .gitignore-listed paths are not scanned', async () => {
    const dir = makeProject({
      'prisma/schema.prisma': SCHEMA,
      'src/db.ts': DB,
      'src/invoices.ts': leak(),
      'node_modules/some-pkg/index.ts': leak('../../src/db'),
      'dist/invoices.ts': leak('../src/db'),
      'src/types.d.ts': leak(),
      'src/legacy.d.ts': leak(),
      '.gitignore': 'generated/\nsrc/scratch.ts\n',
      'generated/client.ts': leak('../src/db'),
      'src/scratch.ts': leak(),
      'src/nested/.gitignore': 'ignored-here.ts\n',
      'src/nested/ignored-here.ts': leak('../db'),
    });
    const result = await scan({ path: dir });
    expect(findingLines(result)).toEqual(['src/invoices.ts:3']);
    // Only src/db.ts and src/invoices.ts are counted.
    expect(result.stats.filesScanned).toBe(2);
    expect(result.stats.filesSkipped).toBe(0);
    expect(result.diagnostics).toEqual([]);
  });
});

describe('what the analysis cannot decide', () => {
  it('a where built by a parameter function is counted in unknown with a reason, not reported', async () => {
    const code = `import { prisma } from './db';
export function listInvoices(buildWhere: (req: unknown) => object, req: unknown) {
  return prisma.invoice.findMany({ where: buildWhere(req) });
}
`;
    const dir = makeProject({ 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/list.ts': code });
    const result = await scan({ path: dir });
    expect(result.findings).toEqual([]);
    expect(result.unknown).toHaveLength(1);
    expect(result.unknown[0]).toMatchObject({ ruleId: 'require-tenant-filter', file: 'src/list.ts', line: 3 });
    expect(result.unknown[0].reason).toContain('buildWhere');
    expect(result.stats.querySites).toBe(1);
  });

  it('a project with no schema at all scans without findings and says no schema source was found', async () => {
    const dir = makeProject({ 'package.json': JSON.stringify({ name: 'no-schema' }), 'src/db.ts': DB, 'src/invoices.ts': leak() });
    // A repository boundary, so that nothing above the scratch directory can be taken for its schema.
    mkdirSync(join(dir, '.git'));
    const result = await scan({ path: dir });
    expect(result.findings).toEqual([]);
    expect(result.diagnostics).toEqual([]);
    expect(result.stats.filesScanned).toBe(2);
    expect(result.projects).toHaveLength(1);
    expect(result.projects[0].schemaSources).toEqual([]);
    expect(result.projects[0].tenantRoot).toBeNull();
    expect(result.projects[0].tenantRootReason).toMatch(/no schema source found/);
  });
});
