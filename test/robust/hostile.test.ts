/**
 * The hostile repository of issue 17 (scripts/hostile-repo.mjs), scanned end to end through the built
 * CLI as CI and auditors run it. Bounds are enforced, not asserted: every child process runs under a
 * timeout (a hang fails the test with a signal) and a V8 heap limit (unbounded memory fails it with
 * a crash). For every run: no crash (exit 0, 1 or 2, with a report when one is due), no secret from
 * the scanner's environment in any output, nothing written anywhere in the generated tree, and no
 * side-effect canary created (nothing of the repository was executed).
 *
 * The big cases (100k-statement SQL files, a 100k-finding line, megabyte ReDoS payloads) run only with
 * TENANT_LINT_HOSTILE_BIG=1: `npm run test:hostile`. A case the manifest marks `open` (none today) is
 * skipped here, by name, with what must change.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(REPO, 'bin', 'tenant-lint.js');
const BUILT = existsSync(join(REPO, 'dist', 'src', 'cli.js'));
const POSIX = process.platform !== 'win32';
const BIG = process.env.TENANT_LINT_HOSTILE_BIG === '1';
/** Per scan: generous for a loaded 2-core machine; a hang or a quadratic blow-up still ends the test. */
const CHILD_TIMEOUT_MS = BIG ? 900_000 : 120_000;
const HEAP_MB = BIG ? 3072 : 1536;
// The child's own timeout is the bound that catches a hang; the test waits for it, not less.
vi.setConfig({ testTimeout: CHILD_TIMEOUT_MS + 30_000 });
const CANARY = `canary-${randomBytes(8).toString('hex')}`;

interface Manifest {
  big: boolean;
  cases: { id: string; path: string; attack: string; expect: string; open?: string; openWith?: string[] }[];
}

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let out: string;
let results: string;
let manifest: Manifest;
let before: Map<string, string>;

/** Every entry of the generated tree, links and FIFOs by lstat only (never opened). */
function snapshot(root: string): Map<string, string> {
  const entries = new Map<string, string>();
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) entries.set(path, `link ${readlinkSync(path)}`);
      else if (stat.isDirectory()) {
        entries.set(path, 'dir');
        visit(path);
      } else if (stat.isFile()) entries.set(path, `file ${createHash('sha1').update(readFileSync(path)).digest('hex')}`);
      else entries.set(path, `special ${stat.mode}`);
    }
  };
  visit(root);
  return entries;
}

function cli(args: string[], cwd: string): Run {
  const child = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 1024 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', TENANT_LINT_HOSTILE_CANARY: CANARY, CI_TOKEN: CANARY },
  });
  return { status: child.status, signal: child.signal, stdout: child.stdout ?? '', stderr: child.stderr ?? '' };
}

/** What must hold for every run: it ended by itself with a documented exit code, and leaked nothing. */
function sane(run: Run, what: string): void {
  expect(run.signal, `${what}: killed (time or memory bound); stderr: ${run.stderr.slice(-500)}`).toBeNull();
  expect([0, 1, 2], `${what}: exit code; stderr: ${run.stderr.slice(-500)}`).toContain(run.status);
  expect(run.stdout.includes(CANARY) || run.stderr.includes(CANARY), `${what}: a secret from the environment in the output`).toBe(false);
  expect(run.stderr, `${what}: internal error`).not.toMatch(/internal error: (?!.*time budget)/);
}

interface JsonReport {
  findings: { file: string; line: number; ruleId: string }[];
  diagnostics: { code: string; file: string; line?: number; message: string }[];
  unknown: { file: string; line: number; reason: string }[];
  projects: { root: string; tables: Record<string, string[]> }[];
  coverage: { verdict: string };
}

function countBy(findings: JsonReport['findings']): Map<string, number> {
  const counts = new Map<string, number>();
  for (const finding of findings) counts.set(finding.file, (counts.get(finding.file) ?? 0) + 1);
  return counts;
}

const describePosix = POSIX && BUILT ? describe : describe.skip;

describePosix('the hostile repository, end to end through the built CLI', () => {
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'tenant-lint-hostile-'));
    results = mkdtempSync(join(tmpdir(), 'tenant-lint-hostile-results-'));
    const generated = spawnSync(process.execPath, [join(REPO, 'scripts', 'hostile-repo.mjs'), out], { encoding: 'utf8', timeout: 300_000 });
    expect(generated.status, generated.stderr).toBe(0);
    manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    before = snapshot(out);
  }, 300_000);

  afterAll(() => {
    // Nothing anywhere in the generated tree changed: no report, baseline or canary written there.
    if (before) {
      const after = snapshot(out);
      const changed = [...new Set([...before.keys(), ...after.keys()])].filter((path) => before.get(path) !== after.get(path));
      expect(changed).toEqual([]);
      expect(readdirSync(join(out, 'canaries'))).toEqual([]);
    }
    rmSync(out, { recursive: true, force: true });
    rmSync(results, { recursive: true, force: true });
  });

  const repo = () => join(out, 'repo');
  const openFor = (flag: string) => manifest.cases.filter((c) => c.open && c.openWith?.includes(flag));

  it('JSON: every hostile input costs at most itself, the real leaks are reported, nothing outside is read', () => {
    const run = cli(['scan', '.', '--format', 'json'], repo());
    sane(run, 'scan --format json');
    expect(run.status).toBe(2); // findings, and source files not read (NUL byte, over 1 MB, FIFO, links): incomplete
    const report = JSON.parse(run.stdout) as JsonReport;
    const counts = countBy(report.findings);
    // The leak that must never pass silently, and every finding of the crafted files.
    expect(report.findings.map((f) => `${f.file}:${f.line}`)).toContain('src/invoices.ts:3');
    expect(counts.get('src/long-line.ts')).toBe(BIG ? 2_000 : 500);
    expect(counts.get('src/many-in-one-function.ts')).toBe(300);
    expect(counts.get('packages/sqlapp/queries/one-line.sql')).toBe(BIG ? 100_000 : 2_000);
    expect(counts.get('packages/sqlapp/queries/many.sql')).toBe(BIG ? 100_000 : 2_000);
    expect(counts.get('src/terminal-attack.ts')).toBe(1);
    // A disable/enable pair around harmless code silences nothing after it.
    expect(report.findings.filter((f) => f.file === 'src/eslint-enable.ts').map((f) => f.line)).toEqual([5]);
    expect([...counts.keys()].filter((file) => file.startsWith('src/names/'))).toHaveLength(5);
    // One bad statement in a query file costs that statement; the others are checked.
    expect(report.findings.filter((f) => f.file === 'packages/sqlapp/queries/notes.sql').map((f) => f.line)).toEqual([2, 13]);
    expect(report.unknown.filter((u) => u.file === 'packages/sqlapp/queries/notes.sql').map((u) => u.line)).toEqual([5, 14]);
    // One syntax error in schema.prisma costs that model; an empty model is read.
    const root = report.projects.find((p) => p.root === '.');
    expect(root?.tables.tenant).toEqual(expect.arrayContaining(['Invoice', 'notes']));
    // (read: with no relation to tenant data it is global by structure)
    expect([...(root?.tables.global ?? []), ...(root?.tables.unclassified ?? [])]).toContain('Empty');
    expect([...(root?.tables.tenant ?? []), ...(root?.tables.global ?? []), ...(root?.tables.unclassified ?? [])]).not.toContain('Note');
    const diagnostic = (code: string, file: string) => report.diagnostics.filter((d) => d.code === code && d.file === file);
    expect(diagnostic('schema-error', 'prisma/schema.prisma').map((d) => d.line)).toEqual([32]);
    // A junk later migration costs its statements only.
    expect(diagnostic('schema-error', 'packages/sqlapp/migrations/0002_junk.sql').map((d) => d.line)).toEqual([1, 2, 5]);
    // Special files and links: diagnosed where a project reads them, never read.
    expect(diagnostic('binary', 'src/nul.ts')).toHaveLength(1);
    expect(diagnostic('too-large', 'src/huge.ts')).toHaveLength(1);
    // Named like a source, a migration or a query file, but a FIFO, a device, /proc or a link out: each counted as not read.
    expect(report.diagnostics.filter((d) => d.code === 'unreadable').map((d) => d.file)).toEqual([
      'packages/sqlapp/migrations/0004_env.sql',
      'packages/sqlapp/migrations/0005_zero.sql',
      'packages/sqlapp/migrations/0006_pipe.sql',
      'packages/sqlapp/migrations/0007_outside.sql',
      'packages/sqlapp/queries/outside.sql',
      'packages/sqlapp/queries/pipe.sql',
      'src/environ.ts',
      'src/outside.ts',
      'src/pipe.ts',
      'src/urandom.ts',
      'src/zero.ts',
    ]);
    for (const pkg of ['fifo-config', 'zero-config', 'urandom-config', 'fifo-package', 'environ-package', 'broken-package']) expect(diagnostic('config', `packages/${pkg}`), pkg).toHaveLength(1);
    expect(diagnostic('schema-error', 'packages/env-schema/prisma/schema.prisma')[0]?.message).toMatch(/not a regular file \(under \/proc\)/);
    // Named by the config outside the tree, or links out of it: refused, never read.
    expect(report.diagnostics.filter((d) => /outside the scanned tree/.test(d.message)).map((d) => d.file)).toEqual([
      '../outside/secret.prisma',
      '../outside/secret.sql',
      'packages/sqlapp/migrations/0007_outside.sql',
      'packages/sqlapp/queries/outside.sql',
      'src/outside.ts',
    ]);
    // Nothing of the files outside the tree, nor of the environment.
    expect(run.stdout).not.toMatch(/canary_outside|CanaryOutsideModel|canaryOutsideSource/);
    expect(run.stdout).not.toMatch(/(HOME|PATH|SHELL)=\//);
    expect(report.coverage.verdict).toBe('PARTIAL');
  });

  it('text: no control character of the repository reaches the terminal', () => {
    const run = cli(['scan', '.'], repo());
    sane(run, 'scan (text)');
    expect(run.status).toBe(2); // findings, and source files not read (NUL byte, over 1 MB, FIFO, links): incomplete
    expect(run.stdout).toContain('invoices.ts');
    // eslint-disable-next-line no-control-regex
    expect(run.stdout.match(/[\u0000-\u0008\u000b-\u001f\u007f\u009b]/g) ?? []).toEqual([]);
    expect(run.stdout).not.toMatch(/^\s*No tenant-isolation findings/m);
  });

  it('SARIF to a new file outside the repository: written, valid, and secret-free', () => {
    const target = join(results, 'hostile.sarif');
    const run = cli(['scan', '.', '--format', 'sarif', '--output', target], repo());
    sane(run, 'scan --format sarif --output');
    expect(run.status).toBe(2); // findings, and source files not read (NUL byte, over 1 MB, FIFO, links): incomplete
    const text = readFileSync(target, 'utf8');
    expect(text).not.toContain(CANARY);
    expect(text).not.toMatch(/canary_outside/);
    expect((JSON.parse(text) as { runs: { results: unknown[] }[] }).runs[0].results.length).toBeGreaterThan(1000);
  });

  it('planted links: --output, --write-baseline and --baseline refuse them at once (exit 2, one line)', () => {
    const cases: [string[], RegExp][] = [
      [['--format', 'sarif', '--output', 'tenant-lint.sarif'], /symbolic link/],
      [['--format', 'json', '--output', 'reports/r.json'], /symbolic link/],
      [['--write-baseline', 'written-baseline.json'], /cannot read baseline written-baseline\.json: outside/],
      [['--baseline', 'baseline-zero.json'], /not a regular file \(under \/dev\)/],
      [['--baseline', 'baseline-environ.json'], /not a regular file \(under \/proc\)/],
      [['--format', 'json', '--output', 'x\n.bashrc'], /control characters/],
    ];
    for (const [args, message] of cases) {
      const run = cli(['scan', '.', ...args], repo());
      sane(run, args.join(' '));
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(run.stderr, args.join(' ')).toMatch(message);
      expect(run.stderr).not.toContain('original');
    }
  });

  it('auditor mode on the hostile repository: a full report', () => {
    const run = cli(['scan', '.', '--format', 'json', '--no-config-lookup'], repo());
    sane(run, 'scan --no-config-lookup');
    expect(run.status).toBe(2); // findings, and source files not read (NUL byte, over 1 MB, FIFO, links): incomplete
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.findings.map((f) => `${f.file}:${f.line}`)).toContain('src/invoices.ts:3');
    expect(report.diagnostics.filter((d) => d.code === 'config')).toEqual([]);
  });

  it('--types on the hostile repository', (ctx) => {
    const open = openFor('--types');
    ctx.skip(open.length > 0, `open: ${open.map((c) => `${c.id}: ${c.open}`).join('; ')}`);
    const run = cli(['scan', '.', '--types', '--format', 'json'], repo());
    sane(run, 'scan --types');
  });

  it('--types with tsconfig extends loops, a tsserver plugin, and tsconfigs that extend, include, reference or are a link outside the tree', () => {
    const run = cli(['scan', join(out, 'variants', 'types'), '--types', '--format', 'json'], results);
    sane(run, 'scan variants/types --types');
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.findings.map((f) => `${f.file}:${f.line}`)).toContain('src/invoices.ts:3');
    expect(report.diagnostics.filter((d) => d.code === 'config').map((d) => d.file)).toEqual(['packages/include-outside/tsconfig.json', 'packages/ref-outside/tsconfig.json', 'packages/tsconfig-root/tsconfig.json']);
    expect(report.diagnostics.every((d) => d.message.startsWith('--types: no type information for this project: '))).toBe(true);
  });

  describe('repositories whose root is hostile', () => {
    const variants: [string, number, 'report' | 'message'][] = [
      ['config-fifo', 2, 'message'],
      ['config-zero', 2, 'message'],
      ['config-environ', 2, 'message'],
      ['package-fifo', 2, 'message'],
      ['package-environ', 2, 'message'],
      ['no-schema', 2, 'report'],
      ['schema-unparseable', 2, 'report'],
    ];
    for (const [name, code, output] of variants) {
      it(`${name}: exit ${code}, promptly, with ${output === 'report' ? 'a report' : 'one line naming the file'}`, () => {
        const run = cli(['scan', join(out, 'variants', name), '--format', 'json'], results);
        sane(run, name);
        expect(run.status).toBe(code);
        if (output === 'report') expect((JSON.parse(run.stdout) as JsonReport).coverage.verdict).toBe('NONE');
        else expect(run.stderr.trim().split('\n')).toHaveLength(1);
      });
    }

    for (const name of ['config-fifo', 'config-zero', 'config-environ', 'package-environ']) {
      it(`${name} with --no-config-lookup: a full report`, () => {
        const run = cli(['scan', join(out, 'variants', name), '--format', 'json', '--no-config-lookup'], results);
        sane(run, `${name} --no-config-lookup`);
        expect((JSON.parse(run.stdout) as JsonReport).findings.map((f) => `${f.file}:${f.line}`)).toContain('src/invoices.ts:3');
      });
    }

    it('a config above the repository and its .git: not read, named in a diagnostic; --no-config-lookup does not name it', () => {
      const inner = join(out, 'variants', 'config-above-git', 'inner');
      const leaks = (run: Run) => (JSON.parse(run.stdout) as JsonReport).findings.filter((f) => f.ruleId.endsWith('require-tenant-filter')).map((f) => `${f.file}:${f.line}`);
      const lookup = cli(['scan', inner, '--format', 'json'], results);
      sane(lookup, 'config-above-git');
      expect(leaks(lookup)).toEqual(['src/invoices.ts:3']);
      expect((JSON.parse(lookup.stdout) as JsonReport).diagnostics.map((d) => `${d.code} ${d.file}`)).toEqual(['config ../tenant-lint.config.json']);
      const auditor = cli(['scan', inner, '--format', 'json', '--no-config-lookup'], results);
      sane(auditor, 'config-above-git --no-config-lookup');
      expect(leaks(auditor)).toEqual(['src/invoices.ts:3']);
      expect((JSON.parse(auditor.stdout) as JsonReport).diagnostics).toEqual([]);
    });

    it('a root package.json that is a FIFO, with --no-config-lookup: no hang (the call graph reads it safely)', () => {
      const run = cli(['scan', join(out, 'variants', 'package-fifo'), '--format', 'json', '--no-config-lookup'], results);
      sane(run, 'package-fifo --no-config-lookup');
      expect((JSON.parse(run.stdout) as JsonReport).findings.map((f) => `${f.file}:${f.line}`)).toContain('src/invoices.ts:3');
    });

    it('a nested package.json that is a FIFO, in a package holding a query: no hang, the query reported', () => {
      const run = cli(['scan', join(out, 'variants', 'nested-package-fifo'), '--format', 'json'], results);
      sane(run, 'nested-package-fifo');
      expect((JSON.parse(run.stdout) as JsonReport).findings.map((f) => `${f.file}:${f.line}`)).toContain('pkg/src/leak.ts:3');
    });

    it("--changed-since in a repository whose .git/config runs commands: none is run", (ctx) => {
      ctx.skip(!existsSync(join(out, 'variants', 'git-config-exec', '.git')), 'git is not installed');
      const run = cli(['scan', join(out, 'variants', 'git-config-exec'), '--changed-since', 'HEAD', '--format', 'json'], results);
      sane(run, 'git-config-exec --changed-since');
      expect(run.status).toBe(1);
      expect((JSON.parse(run.stdout) as JsonReport).findings.map((f) => `${f.file}:${f.line}`)).toContain('src/invoices.ts:4');
      expect(readdirSync(join(out, 'canaries'))).toEqual([]);
    });

    it('a tsconfig.json that extends a symlink to /dev/zero: read as absent, a full report', () => {
      const run = cli(['scan', join(out, 'variants', 'tsconfig-zero'), '--format', 'json'], results);
      sane(run, 'tsconfig-zero');
      expect((JSON.parse(run.stdout) as JsonReport).findings.map((f) => `${f.file}:${f.line}`)).toContain('src/invoices.ts:3');
    });

    it('an empty folder never passes as a clean scan of something', () => {
      const run = cli(['scan', join(out, 'variants', 'empty'), '--format', 'json'], results);
      sane(run, 'empty');
      expect((JSON.parse(run.stdout) as JsonReport).coverage.verdict).toBe('NONE');
    });

    it('no case is open: every input of the manifest is handled', () => {
      expect(manifest.cases.filter((c) => c.open).map((c) => c.id)).toEqual([]);
    });
  });
});
