import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import { parseBaseline } from '../src/baseline/baseline.js';
import { runCli, useScratch } from './helpers/scratch.js';
import { sarifSchemaErrors } from './report/sarif-schema.js';

const REPO = join(import.meta.dirname, '..');
const BUILT_CLI = join(REPO, 'dist', 'src', 'cli.js');
const BIN = join(REPO, 'bin', 'tenant-lint.js');

const { makeProject, tempDir } = useScratch();

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

const ONE_LEAK = `import { prisma } from './db';
export function getInvoice(id: string) {
  return prisma.invoice.findFirst({ where: { id } });
}
`;

const TWO_LEAKS = `import { prisma } from './db';
export function getInvoice(id: string) {
  return prisma.invoice.findFirst({ where: { id } });
}
export function deleteInvoice(id: string) {
  return prisma.invoice.delete({ where: { id } });
}
`;

const CLEAN = `import { prisma } from './db';
export function getInvoice(id: string, orgId: string) {
  return prisma.invoice.findFirst({ where: { id, orgId } });
}
`;

function project(code: string, extra: Record<string, string> = {}): string {
  return makeProject({ 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': code, ...extra });
}

describe('--write-baseline, --baseline, --prune-baseline', () => {
  it('a written baseline accepts today\'s findings: exit 0, and the file counts them by file, rule and fingerprint', async () => {
    const dir = project(ONE_LEAK);
    const file = join(tempDir(), 'baseline.json');
    const run = await runCli(['scan', dir, '--write-baseline', file]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`tenant-lint: wrote baseline ${file} (1 finding in 1 file)\n`);
    const baseline = parseBaseline(readFileSync(file, 'utf8'), file);
    const entries = baseline.findings['src/invoices.ts']['require-tenant-filter'];
    expect(Object.values(entries).map((e) => e.count)).toEqual([1]);

    const again = await runCli(['scan', dir, '--baseline', file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No tenant-isolation findings.');
    expect(again.stdout).toContain(`baseline: 1 known finding not shown (${file}), 0 fixed`);
  });

  it('reports only the new finding, even in the same file and rule, and survives a line shift', async () => {
    const dir = project(ONE_LEAK);
    const file = join(tempDir(), 'baseline.json');
    expect((await runCli(['scan', dir, '--write-baseline', file])).code).toBe(0);
    // Two lines inserted above the known leak, and a second leak of the same rule below it.
    writeFileSync(join(dir, 'src/invoices.ts'), `// header\n// more\n${TWO_LEAKS}`);
    const run = await runCli(['scan', dir, '--baseline', file, '--format', 'json']);
    expect(run.code).toBe(1);
    const report: { findings: { file: string; line: number }[]; baseline: { known: number; fixed: number } } = JSON.parse(run.stdout);
    expect(report.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['src/invoices.ts:8']);
    expect(report.baseline).toEqual({ file, known: 1, fixed: 0 });
  });

  it('counts fixed entries, and --prune-baseline removes them so they cannot come back unnoticed', async () => {
    const dir = project(TWO_LEAKS);
    const file = join(tempDir(), 'baseline.json');
    await runCli(['scan', dir, '--write-baseline', file]);
    writeFileSync(join(dir, 'src/invoices.ts'), ONE_LEAK);
    const run = await runCli(['scan', dir, '--baseline', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`baseline: 1 known finding not shown (${file}), 1 fixed`);
    expect(run.stdout).toContain('run with --prune-baseline');

    const pruned = await runCli(['scan', dir, '--baseline', file, '--prune-baseline']);
    expect(pruned.code).toBe(0);
    expect(pruned.stderr).toBe(`tenant-lint: pruned baseline ${file}: 1 fixed entry removed, 1 kept\n`);
    const after = parseBaseline(readFileSync(file, 'utf8'), file);
    expect(Object.keys(after.findings['src/invoices.ts']['require-tenant-filter'])).toHaveLength(1);
    // The deleted leak comes back: the pruned baseline no longer accepts it.
    writeFileSync(join(dir, 'src/invoices.ts'), TWO_LEAKS);
    expect((await runCli(['scan', dir, '--baseline', file])).code).toBe(1);
  });

  it('a missing or malformed baseline is an exit-2 usage error, before scanning', async () => {
    const dir = project(ONE_LEAK);
    const missing = join(tempDir(), 'nope.json');
    const run = await runCli(['scan', dir, '--baseline', missing]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`tenant-lint: cannot read baseline ${missing}: no such file (create it with --write-baseline)\n`);

    const broken = join(tempDir(), 'broken.json');
    writeFileSync(broken, '{"version":1,"findings":[]}');
    const bad = await runCli(['scan', dir, '--baseline', broken]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(new RegExp(`^tenant-lint: baseline ${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not a tenant-lint baseline at "findings": `));
  });

  it('--write-baseline and --prune-baseline together are refused', async () => {
    const run = await runCli(['scan', project(CLEAN), '--write-baseline', 'x.json', '--prune-baseline']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("option '--write-baseline [file]' cannot be used with option '--prune-baseline'");
  });

  it('with no file, --write-baseline writes tenant-lint-baseline.json in the current folder (built CLI)', (ctx) => {
    ctx.skip(!existsSync(BUILT_CLI), 'dist/src/cli.js does not exist: run `npm run build` first');
    const dir = project(ONE_LEAK);
    const child = spawnSync(process.execPath, [BIN, 'scan', '.', '--write-baseline'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(child.status).toBe(0);
    expect(existsSync(join(dir, 'tenant-lint-baseline.json'))).toBe(true);
    const prune = spawnSync(process.execPath, [BIN, 'scan', '.', '--prune-baseline'], { cwd: dir, encoding: 'utf8' });
    expect(prune.status).toBe(0);
    expect(prune.stderr).toContain('pruned baseline tenant-lint-baseline.json: 0 fixed entries removed, 1 kept');
  });
});

describe('--rule, --quiet, --max-warnings, --fail-on none, --config', () => {
  const warningConfig = JSON.stringify({ rules: { 'require-tenant-filter': 'warning' } });

  it('--rule keeps only the named rules; an unknown rule is an exit-2 error naming the known ones', async () => {
    const dir = project(ONE_LEAK);
    const other = await runCli(['scan', dir, '--rule', 'require-tenant-cache-key', '--format', 'json']);
    expect(other.code).toBe(0);
    expect(JSON.parse(other.stdout).findings).toEqual([]);
    const same = await runCli(['scan', dir, '--rule', 'tenant-lint/require-tenant-filter', '--rule', 'require-tenant-index', '--format', 'json']);
    expect(same.code).toBe(1);
    expect(JSON.parse(same.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['require-tenant-filter']);
    const bad = await runCli(['scan', dir, '--rule', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'tenant-lint: unknown rule "nope" in --rule; known rules: no-client-tenant-id, require-tenant-cache-key, require-tenant-column, require-tenant-filter, require-tenant-index\n',
    );
  });

  it('--max-warnings fails the run when warnings exceed it, and says so on stderr', async () => {
    const dir = project(ONE_LEAK, { 'tenant-lint.config.json': warningConfig });
    expect((await runCli(['scan', dir, '--max-warnings', '1'])).code).toBe(0);
    const run = await runCli(['scan', dir, '--max-warnings', '0']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('tenant-lint: too many warnings: 1 reported, --max-warnings allows 0\n');
    const bad = await runCli(['scan', dir, '--max-warnings', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("option '--max-warnings <n>' argument 'lots' is invalid. expected a whole number of warnings (0 or more).");
  });

  it('--quiet reports errors only, but warnings still count for --max-warnings', async () => {
    const dir = project(ONE_LEAK, { 'tenant-lint.config.json': warningConfig });
    const run = await runCli(['scan', dir, '--quiet']);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('tenant-lint/require-tenant-filter');
    expect(run.stdout).toContain('quiet: 1 warning or info finding not shown');
    expect((await runCli(['scan', dir, '--quiet', '--max-warnings', '0'])).code).toBe(1);
  });

  it('--fail-on none reports the findings and exits 0', async () => {
    const run = await runCli(['scan', project(ONE_LEAK), '--fail-on', 'none']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('tenant-lint/require-tenant-filter');
    expect(run.stdout).toContain('fail on: none (findings never fail the run)');
  });

  it('--config uses a file outside the repository instead of the one in it', async () => {
    const dir = project(ONE_LEAK, { 'tenant-lint.config.json': JSON.stringify({ rules: { 'require-tenant-filter': 'off' } }) });
    expect((await runCli(['scan', dir])).code).toBe(0);
    const auditor = join(tempDir(), 'audit.json');
    writeFileSync(auditor, JSON.stringify({ rules: { 'require-tenant-filter': 'error' } }));
    const run = await runCli(['scan', dir, '--config', auditor]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('tenant-lint/require-tenant-filter');

    const invalid = join(tempDir(), 'bad.json');
    writeFileSync(invalid, JSON.stringify({ rulez: {} }));
    const bad = await runCli(['scan', dir, '--config', invalid]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${invalid}: invalid configuration: unknown key "rulez"`);
  });
});

describe('paths relative to the repository root', () => {
  function gitRepo(): string {
    const top = makeProject({
      'README.md': '# monorepo\n',
      'apps/api/package.json': '{ "name": "api", "main": "index.js" }',
      'apps/api/prisma/schema.prisma': SCHEMA,
      'apps/api/src/db.ts': DB,
      'apps/api/src/invoices.ts': ONE_LEAK,
    });
    execFileSync('git', ['init', '--quiet'], { cwd: top });
    return top;
  }

  it('SARIF, github and the baseline of a subfolder scan use repository paths; JSON says where the scan root is', async () => {
    const top = gitRepo();
    const api = join(top, 'apps', 'api');
    const sarif = await runCli(['scan', api, '--format', 'sarif']);
    const log = JSON.parse(sarif.stdout) as Sarif.Log;
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0].automationDetails).toEqual({ id: 'tenant-lint/apps/api/' });
    const uris = (log.runs[0].results ?? []).map((r) => r.locations?.[0].physicalLocation?.artifactLocation?.uri);
    expect(uris).toContain('apps/api/src/invoices.ts');
    expect(log.runs[0].originalUriBaseIds?.['%SRCROOT%'].uri).toBeUndefined();

    const github = await runCli(['scan', api, '--format', 'github']);
    expect(github.stdout).toMatch(/^::error file=apps\/api\/src\/invoices\.ts,line=3,/m);

    const json = JSON.parse((await runCli(['scan', api, '--format', 'json'])).stdout);
    expect(json.pathBase).toBe('apps/api');
    expect(json.findings[0].file).toBe('src/invoices.ts');

    const file = join(tempDir(), 'baseline.json');
    await runCli(['scan', api, '--write-baseline', file]);
    expect(Object.keys(parseBaseline(readFileSync(file, 'utf8'), file).findings)).toEqual(['apps/api/src/invoices.ts']);
    // The same baseline applies to a scan of the whole repository.
    expect((await runCli(['scan', top, '--baseline', file])).code).toBe(0);
  });

  it('a baseline written for one folder keeps the entries of another', async () => {
    const top = gitRepo();
    const file = join(tempDir(), 'baseline.json');
    writeFileSync(
      file,
      JSON.stringify({ version: 1, findings: { 'apps/web/src/x.ts': { 'require-tenant-filter': { abc: { count: 1 } } } } }),
    );
    const run = await runCli(['scan', join(top, 'apps', 'api'), '--baseline', file]);
    expect(run.code).toBe(1);
    // The other folder's entry is not "fixed": this scan cannot see it.
    expect(run.stdout).toContain(`baseline: 0 known findings not shown (${file}), 0 fixed`);
    await runCli(['scan', join(top, 'apps', 'api'), '--write-baseline', file]);
    expect(Object.keys(parseBaseline(readFileSync(file, 'utf8'), file).findings)).toEqual(['apps/api/src/invoices.ts', 'apps/web/src/x.ts']);
  });
});

describe('--format markdown through the CLI', () => {
  it('prints the summary table and the finding location', async () => {
    const run = await runCli(['scan', project(ONE_LEAK), '--format', 'markdown']);
    expect(run.code).toBe(1);
    expect(run.stdout.startsWith('## tenant-lint\n')).toBe(true);
    expect(run.stdout).toContain('**1 finding** (1 error, 0 warnings, 0 info)');
    expect(run.stdout).toMatch(/\| error \| (\[)?`src\/invoices\.ts:3`/);
  });
});

describe('docs in step with the CLI', () => {
  it('docs/ci.md documents every option of `tenant-lint scan --help`', async () => {
    const help = await runCli(['scan', '--help']);
    expect(help.code).toBe(0);
    const flags = [...new Set(help.stdout.match(/--[a-z][a-z-]+/g) ?? [])].filter((flag) => !['--help', '--no-color', '--types'].includes(flag));
    expect(flags).toContain('--write-baseline');
    const doc = readFileSync(join(REPO, 'docs', 'ci.md'), 'utf8');
    expect(flags.filter((flag) => !doc.includes(`\`${flag}`) && !doc.includes(`| \`-${flag.slice(2, 3)}, ${flag}`))).toEqual([]);
  });
});

describe('file arguments and --changed-since', () => {
  const OTHER_LEAK = `import { prisma } from './db';
export function removeInvoice(id: string) {
  return prisma.invoice.deleteMany({ where: { id } });
}
`;

  function committedRepo(): string {
    const dir = makeProject({
      'package.json': '{ "name": "app", "main": "index.js" }',
      'prisma/schema.prisma': SCHEMA,
      'src/db.ts': DB,
      'src/invoices.ts': ONE_LEAK,
      'src/remove.ts': OTHER_LEAK,
    });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: dir });
    git('init', '--quiet');
    git('add', '.');
    git('commit', '--quiet', '-m', 'initial');
    return dir;
  }

  it('`scan a.ts b.md` analyses and reports only the named source files, with the schema from the whole tree', async () => {
    const dir = project(ONE_LEAK, { 'src/remove.ts': OTHER_LEAK, 'README.md': '# x\n' });
    const run = await runCli(['scan', join(dir, 'src/remove.ts'), join(dir, 'README.md'), '--format', 'json']);
    expect(run.code).toBe(1);
    const report: { findings: { file: string; line: number }[]; stats: { filesScanned: number } } = JSON.parse(run.stdout);
    expect(report.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['src/remove.ts:3']);
    expect(report.stats.filesScanned).toBe(1);
  });

  it('a directory among files, or a missing file, is an exit-2 usage error', async () => {
    const dir = project(ONE_LEAK);
    const mixed = await runCli(['scan', join(dir, 'src/invoices.ts'), join(dir, 'src')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toBe(`tenant-lint: ${join(dir, 'src')} is a directory: pass one directory, or files only\n`);
    const missing = await runCli(['scan', join(dir, 'src/invoices.ts'), join(dir, 'src/nope.ts')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`tenant-lint: path does not exist or cannot be read: ${join(dir, 'src/nope.ts')}\n`);
  });

  it('--changed-since reports findings only in changed and untracked files', async () => {
    const dir = committedRepo();
    const clean = await runCli(['scan', dir, '--changed-since', 'HEAD', '--format', 'json']);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout).findings).toEqual([]);

    writeFileSync(join(dir, 'src/remove.ts'), `// edited\n${OTHER_LEAK}`);
    writeFileSync(join(dir, 'src/new.ts'), ONE_LEAK.replace('getInvoice', 'getAgain'));
    const run = await runCli(['scan', dir, '--changed-since', 'HEAD', '--format', 'json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).findings.map((f: { file: string }) => f.file)).toEqual(['src/new.ts', 'src/remove.ts']);
  });

  it('--changed-since re-checks every query when the schema changed', async () => {
    const dir = committedRepo();
    writeFileSync(join(dir, 'prisma/schema.prisma'), `${SCHEMA}\n// a comment\n`);
    const run = await runCli(['scan', dir, '--changed-since', 'HEAD', '--format', 'json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('tenant-lint: --changed-since HEAD: the schema changed, so every query is re-checked\n');
    expect(JSON.parse(run.stdout).findings.map((f: { file: string }) => f.file)).toEqual(['src/invoices.ts', 'src/remove.ts']);
  });

  it("--changed-since runs none of the repository's git config commands (core.fsmonitor, filter drivers)", async () => {
    const dir = committedRepo();
    const config = (...args: string[]) => execFileSync('git', ['config', ...args], { cwd: dir });
    // Each writes a marker when git runs it: a plain `git diff HEAD` here runs both (checked below).
    config('core.fsmonitor', `touch "${join(dir, 'EXECUTED-fsmonitor')}"; false`);
    config('filter.evil.clean', `touch "${join(dir, 'EXECUTED-clean')}"; cat`);
    config('filter.evil.process', `touch "${join(dir, 'EXECUTED-process')}"`);
    config('filter.evil.required', 'true');
    writeFileSync(join(dir, '.git', 'info', 'attributes'), '*.ts filter=evil\n');
    writeFileSync(join(dir, 'src/remove.ts'), `// edited\n${OTHER_LEAK}`);
    const run = await runCli(['scan', dir, '--changed-since', 'HEAD', '--format', 'json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).findings.map((f: { file: string }) => f.file)).toEqual(['src/remove.ts']);
    expect(readdirSync(dir).filter((name) => name.startsWith('EXECUTED-'))).toEqual([]);
    // Control: git itself does run them in this repository.
    spawnSync('git', ['diff', '--name-only', 'HEAD'], { cwd: dir });
    expect(readdirSync(dir).filter((name) => name.startsWith('EXECUTED-')).length).toBeGreaterThan(0);
  });

  it('--changed-since with an unknown ref, or outside git, is an exit-2 usage error', async () => {
    const dir = committedRepo();
    const run = await runCli(['scan', dir, '--changed-since', 'no-such-branch']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^tenant-lint: --changed-since: git rev-parse failed: /);
    const option = await runCli(['scan', dir, '--changed-since', '--output=x']);
    expect(option.code).toBe(2);
    expect(option.stderr).toBe('tenant-lint: --changed-since: "--output=x" is not a git revision\n');
  });
});
