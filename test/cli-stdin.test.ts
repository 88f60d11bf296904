import { execFileSync, spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../src/cli.js';
import { RULE_IDS } from '../src/core/rule-meta.js';
import { progressDisplay, progressEnabled } from '../src/report/progress.js';
import { scan, type ScanProgress } from '../src/scan/scan.js';
import { useScratch } from './helpers/scratch.js';
import { sarifSchemaErrors } from './report/sarif-schema.js';

const REPO = join(import.meta.dirname, '..');
const BIN = join(REPO, 'bin', 'tenant-lint.js');

const { makeProject } = useScratch();

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id       String    @id
  invoices Invoice[]
}

model Invoice {
  id           String       @id
  orgId        String
  organization Organization @relation(fields: [orgId], references: [id])

  @@index([orgId, id])
}
`;

const DB = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

const CLEAN = `import { prisma } from './db';
export function listInvoices(orgId: string) {
  return prisma.invoice.findMany({ where: { orgId } });
}
`;

const LEAK = `import { prisma } from './db';
export function getInvoice(id: string) {
  return prisma.invoice.findFirst({ where: { id } });
}
`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in-process, with `stdin` as standard input and a terminal on stderr when asked. */
async function run(args: string[], options: { stdin?: string; stderrIsTTY?: boolean; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTTY: false,
    stderrIsTTY: options.stderrIsTTY ?? false,
    readStdin: async () => options.stdin ?? '',
    env: options.env ?? {},
  };
  const previous = process.cwd();
  if (options.cwd) process.chdir(options.cwd);
  try {
    const code = await main(args, io);
    return { code, stdout, stderr };
  } finally {
    process.chdir(previous);
  }
}

/** A git repository holding a Prisma project whose `src/invoices.ts` is clean on disk. */
function project(): string {
  const dir = realpathSync(makeProject({ 'package.json': '{ "name": "app", "main": "index.js" }', 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': CLEAN }));
  execFileSync('git', ['init', '--quiet'], { cwd: dir });
  return dir;
}

describe('tenant-lint scan --stdin --stdin-filename', () => {
  it('analyses the text on stdin, not the file on disk, as if it were at that path', async () => {
    const dir = project();
    const onDisk = await run(['scan', join(dir, 'src', 'invoices.ts'), '--format', 'github']);
    expect(onDisk).toEqual({ code: 0, stdout: 'tenant-lint: 0 findings\n', stderr: '' });

    const piped = await run(['scan', '--stdin', '--stdin-filename', join(dir, 'src', 'invoices.ts'), '--format', 'github'], { stdin: LEAK });
    expect(piped.stderr).toBe('');
    expect(piped.code).toBe(1);
    expect(piped.stdout).toBe(
      '::error file=src/invoices.ts,line=3,endLine=3,col=10,endColumn=34,title=tenant-lint/require-tenant-filter::`prisma.invoice.findFirst` reads tenant-scoped model `Invoice` (by `id` alone) without a tenant filter.%0AWhy: `Invoice.orgId` references the tenant `Organization` (prisma/schema.prisma:13). Without it this call matches rows of every tenant; `where` filters only on `id`.%0AFix: Add `orgId` to `where` (`where: { ..., orgId }`), or run it through a tenant-scoped client.%0ADocs: https://github.com/tenant-lint/tenant-lint/blob/main/docs/rules/require-tenant-filter.md\n' +
        'tenant-lint: 1 finding\n',
    );
  });

  it('prints the same text report for stdin as for the file, frames included, and takes a relative path from the current folder', async () => {
    const dir = project();
    const strip = (text: string) => text.replace(/^ {2}duration: .*$/m, '  duration: -');
    const diskDir = realpathSync(makeProject({ 'package.json': '{ "name": "app", "main": "index.js" }', 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': LEAK }));
    const fromDisk = await run(['scan', 'src/invoices.ts'], { cwd: diskDir });
    const fromStdin = await run(['scan', '--stdin', '--stdin-filename', 'src/invoices.ts'], { cwd: dir, stdin: LEAK });
    expect(fromStdin.code).toBe(fromDisk.code);
    expect(strip(fromStdin.stdout)).toBe(strip(fromDisk.stdout));
    expect(fromStdin.stdout).toContain('> 3 |   return prisma.invoice.findFirst({ where: { id } });');
  });

  it('analyses a file that does not exist yet, in an existing folder', async () => {
    const dir = project();
    const piped = await run(['scan', '--stdin', '--stdin-filename', join(dir, 'src', 'new.ts'), '--format', 'json'], { stdin: LEAK });
    expect(piped.stderr).toBe('');
    const report = JSON.parse(piped.stdout) as { findings: { file: string; line: number; ruleId: string }[] };
    expect(report.findings.map((f) => [f.file, f.line, f.ruleId])).toEqual([['new.ts', 3, 'require-tenant-filter']]);
  });

  it('writes valid SARIF with repository paths', async () => {
    const dir = project();
    const piped = await run(['scan', '--stdin', '--stdin-filename', join(dir, 'src', 'invoices.ts'), '--format', 'sarif'], { stdin: LEAK });
    const log = JSON.parse(piped.stdout) as Sarif.Log;
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0].results?.map((r) => r.locations?.[0].physicalLocation?.artifactLocation?.uri)).toEqual(['src/invoices.ts']);
    expect(log.runs[0].automationDetails).toEqual({ id: 'tenant-lint/src/' });
  });

  it.each([
    [['scan', '--stdin'], 'tenant-lint: --stdin needs --stdin-filename <path>: the path decides the project and the schema the text is checked against\n'],
    [['scan', '--stdin-filename', 'src/a.ts'], 'tenant-lint: --stdin-filename is only used with --stdin\n'],
    [['scan', 'src', '--stdin', '--stdin-filename', 'src/a.ts'], 'tenant-lint: --stdin analyses standard input: pass no paths (name the file with --stdin-filename)\n'],
    [['scan', '--stdin', '--stdin-filename', 'README.md'], 'tenant-lint: --stdin-filename README.md: tenant-lint analyses .ts, .tsx, .mts, .cts, .js, .jsx, .mjs, .cjs, .sql files\n'],
    [['scan', '--stdin', '--stdin-filename', 'no/such/folder/a.ts'], 'tenant-lint: --stdin-filename no/such/folder/a.ts: its folder does not exist\n'],
    [['scan', '--stdin', '--stdin-filename', 'a.ts', '--write-baseline'], "error: option '--stdin' cannot be used with option '--write-baseline [file]'\n(run tenant-lint --help for usage)\n"],
    [['scan', '--stdin', '--stdin-filename', 'a.ts', '--changed-since', 'main'], "error: option '--stdin' cannot be used with option '--changed-since <ref>'\n(run tenant-lint --help for usage)\n"],
  ])('%j is a usage error (exit 2) with an exact message', async (args, message) => {
    const dir = project();
    const result = await run(args, { cwd: dir, stdin: LEAK });
    expect(result).toEqual({ code: 2, stdout: '', stderr: message });
  });

  it('reads standard input through the built CLI', () => {
    const dir = project();
    const child = spawnSync(process.execPath, [BIN, 'scan', '--stdin', '--stdin-filename', 'src/invoices.ts', '--format', 'json'], { cwd: dir, input: LEAK, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(1);
    expect((JSON.parse(child.stdout) as { findings: unknown[] }).findings).toHaveLength(1);
  });
});

describe('tenant-lint scan --category', () => {
  it('sets the SARIF automationDetails.id', async () => {
    const dir = project();
    const result = await run(['scan', dir, '--format', 'sarif', '--category', 'tenant-lint/api']);
    expect(result.code).toBe(0);
    const log = JSON.parse(result.stdout) as Sarif.Log;
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0].automationDetails).toEqual({ id: 'tenant-lint/api/' });
  });

  it('is a usage error with another format, or empty', async () => {
    const dir = project();
    expect(await run(['scan', dir, '--category', 'x'])).toEqual({ code: 2, stdout: '', stderr: 'tenant-lint: --category applies to --format sarif only (the format is text)\n' });
    expect(await run(['scan', dir, '--format', 'sarif', '--category', ' '])).toEqual({ code: 2, stdout: '', stderr: 'tenant-lint: --category needs a name, for example --category tenant-lint/api\n' });
  });
});

describe('tenant-lint explain', () => {
  it('prints the rule page as text: a title, the page without front matter, and the docs link', async () => {
    const result = await run(['explain', 'tenant-lint/require-tenant-index']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('tenant-lint/require-tenant-index: Require an index that leads with the tenant column on every tenant table');
    expect(lines[1]).toBe('='.repeat(lines[0].length));
    expect(lines[2]).toBe('');
    expect(result.stdout).not.toContain('description:');
    expect(result.stdout).not.toContain('```');
    expect(result.stdout).toMatch(/^How to fix\n-{10}$/m);
    expect(result.stdout.endsWith('\ndocs: https://github.com/tenant-lint/tenant-lint/blob/main/docs/rules/require-tenant-index.md\n')).toBe(true);
  });

  it('an unknown id exits 2 with one line that lists the rule ids', async () => {
    expect(await run(['explain', 'require-tenant-filtre'])).toEqual({
      code: 2,
      stdout: '',
      stderr: `tenant-lint: unknown rule "require-tenant-filtre"; known rules: ${RULE_IDS.join(', ')}\n`,
    });
    expect(RULE_IDS.join(', ')).toBe('no-client-tenant-id, require-tenant-cache-key, require-tenant-column, require-tenant-filter, require-tenant-index');
  });
});

describe('progress on stderr', () => {
  it('is shown only on a terminal, outside CI and without --quiet', () => {
    expect(progressEnabled({ stderrIsTTY: true, env: {}, quiet: false })).toBe(true);
    expect(progressEnabled({ stderrIsTTY: false, env: {}, quiet: false })).toBe(false);
    expect(progressEnabled({ stderrIsTTY: true, env: { CI: 'true' }, quiet: false })).toBe(false);
    expect(progressEnabled({ stderrIsTTY: true, env: { CI: '1' }, quiet: false })).toBe(false);
    expect(progressEnabled({ stderrIsTTY: true, env: { CI: 'false' }, quiet: false })).toBe(true);
    expect(progressEnabled({ stderrIsTTY: true, env: {}, quiet: true })).toBe(false);
  });

  it('writes one rewritten line after the delay, at most once per interval, and erases it at the end', () => {
    let time = 0;
    let out = '';
    const display = progressDisplay((text) => (out += text), { delayMs: 1000, intervalMs: 100, now: () => time });
    display.update({ phase: 'files', done: 0, total: 200 });
    time = 999;
    display.update({ phase: 'files', done: 10, total: 200 });
    expect(out).toBe('');
    time = 1000;
    display.update({ phase: 'files', done: 50, total: 200 });
    time = 1050;
    display.update({ phase: 'files', done: 60, total: 200 });
    time = 1100;
    display.update({ phase: 'sql', done: 1, total: 4 });
    display.done();
    expect(out).toBe('\r\u001b[Ktenant-lint: analysing files 50/200 (25%)\r\u001b[Ktenant-lint: checking .sql query files 1/4 (25%)\r\u001b[K');
  });

  it('a short scan on a terminal prints nothing on stderr; CI=true neither', async () => {
    const dir = project();
    expect((await run(['scan', dir, '--format', 'json'], { stderrIsTTY: true })).stderr).toBe('');
    expect((await run(['scan', dir, '--format', 'json'], { stderrIsTTY: true, env: { CI: 'true' } })).stderr).toBe('');
  });

  it('the scan reports each file of each phase, in order, before analysing it', async () => {
    const dir = realpathSync(
      makeProject({
        'package.json': '{ "name": "app", "main": "index.js" }',
        'prisma/schema.prisma': SCHEMA,
        'src/db.ts': DB,
        'src/invoices.ts': CLEAN,
        'src/leak.ts': LEAK,
        'queries/invoices.sql': 'SELECT * FROM "Invoice" WHERE "orgId" = $1;\n',
      }),
    );
    const events: ScanProgress[] = [];
    await scan({ path: dir, onProgress: (progress) => events.push(progress) });
    expect(events).toEqual([
      { phase: 'files', done: 0, total: 3 },
      { phase: 'files', done: 1, total: 3 },
      { phase: 'files', done: 2, total: 3 },
      { phase: 'sql', done: 0, total: 1 },
    ]);
  });

  it('`scan . | true` (the reader gone before the report) ends quietly with the exit code of the scan', () => {
    const dir = realpathSync(makeProject({ 'package.json': '{ "name": "app", "main": "index.js" }', 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/leak.ts': LEAK }));
    const child = spawnSync('bash', ['-c', '"$0" "$1" scan . --format json | true; echo "exit=${PIPESTATUS[0]}"', process.execPath, BIN], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('exit=1\n');
  });
});
