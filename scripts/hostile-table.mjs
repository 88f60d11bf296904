#!/usr/bin/env node
// Runs the built CLI on every case of the hostile repository (scripts/hostile-repo.mjs) and prints a
// markdown table: exit code, wall time, peak RSS and what the scan said about that input. The
// numbers for docs/hostile.md come from here.
//
//   npm run build && node scripts/hostile-table.mjs                 # the cases at their small sizes
//   TENANT_LINT_HOSTILE_BIG=1 node scripts/hostile-table.mjs --big-only   # the big cases only
//
// A case is scanned on its own where it can be: a source or .sql query file of repo/ as a file argument
// (the schema and migrations of the whole tree are still read: the "base" row is that cost), a
// variant as its own root, a write or baseline case with its flags. Schema, migration, config and
// package.json cases of repo/ are read by every scan of it: their row is the full scan of repo/, with
// the diagnostics it gives for that path. Every run has a timeout and a V8 heap limit; peak RSS is
// measured by /usr/bin/time -v when present, else by the process itself at exit.
// Nothing of the scanned trees is executed; the generated tree is removed at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'tenant-lint.js');
const BIG = process.env.TENANT_LINT_HOSTILE_BIG === '1';
const BIG_ONLY = process.argv.includes('--big-only');
const TIMEOUT_MS = Number(process.env.HOSTILE_TIMEOUT_MS ?? (BIG ? 900_000 : 120_000));
const OPEN_TIMEOUT_MS = Number(process.env.HOSTILE_OPEN_TIMEOUT_MS ?? 45_000);
const HEAP_MB = BIG ? 3072 : 1536;
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const TIMEOUT_BIN = existsSync('/usr/bin/timeout') ? '/usr/bin/timeout' : undefined;
const SOURCE = /\.(?:[cm]?[jt]sx?|sql)$/;

if (!existsSync(join(ROOT, 'dist', 'src', 'cli.js'))) {
  process.stderr.write('build first: npm run build\n');
  process.exit(2);
}

const out = mkdtempSync(join(tmpdir(), 'tenant-lint-hostile-table-'));
const results = mkdtempSync(join(tmpdir(), 'tenant-lint-hostile-table-results-'));
const generated = spawnSync(process.execPath, [join(ROOT, 'scripts', 'hostile-repo.mjs'), out], { encoding: 'utf8' });
if (generated.status !== 0) throw new Error(generated.stderr);
const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));

/** Runs the CLI with a time and heap bound; wall time and peak RSS from /usr/bin/time -v when present. */
function run(args, cwd, timeout) {
  const rssFile = join(results, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const node = [`--max-old-space-size=${HEAP_MB}`];
  if (!TIME) node.push('--import', `data:text/javascript,import fs from 'node:fs';process.on('exit',()=>fs.writeFileSync(${JSON.stringify(rssFile)},String(process.resourceUsage().maxRSS)))`);
  const inner = TIME ? [TIME, '-v', process.execPath, ...node, BIN, ...args] : [process.execPath, ...node, BIN, ...args];
  // GNU timeout kills the whole process group: the CLI under /usr/bin/time is not left behind,
  // blocked on a FIFO, when the bound is reached. Without it, spawnSync's own timeout.
  const command = TIMEOUT_BIN ? [TIMEOUT_BIN, ['-s', 'KILL', `${Math.ceil(timeout / 1000)}s`, ...inner]] : [inner[0], inner.slice(1)];
  const started = process.hrtime.bigint();
  const child = spawnSync(command[0], command[1], {
    cwd,
    encoding: 'utf8',
    timeout: timeout + 10_000,
    killSignal: 'SIGKILL',
    maxBuffer: 1024 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', CI_TOKEN: 'hostile-table-canary' },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let stderr = child.stderr ?? '';
  let rssKb;
  let status = child.status;
  if (TIME) {
    const at = stderr.lastIndexOf('\tCommand being timed:');
    const usage = at >= 0 ? stderr.slice(at) : '';
    stderr = (at >= 0 ? stderr.slice(0, at) : stderr).replace(/^Command (?:exited with non-zero status|terminated by signal) .*$/gm, '');
    rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(usage)?.[1]) || undefined;
    // /usr/bin/time reports a child killed by a signal as "Command terminated by signal N".
    const signal = /Command terminated by signal (\d+)/.exec(usage)?.[1] ?? /Command terminated by signal (\d+)/.exec(stderr)?.[1];
    if (signal) status = `signal ${signal}`;
  } else if (existsSync(rssFile)) {
    rssKb = Number(readFileSync(rssFile, 'utf8'));
  }
  if (child.signal || (TIMEOUT_BIN && child.status === 137)) status = `killed at the ${Math.round(timeout / 1000)} s bound`;
  return { status, seconds, rssKb, stdout: child.stdout ?? '', stderr };
}

function json(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Escapes what would break a table cell or a terminal, and the generated tree's location. */
function cell(text) {
  return String(text)
    .split(out)
    .join('<out>')
    .split(results)
    .join('<results>')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\|/g, '\\|')
    .replace(/`/g, "'");
}

function shorten(text, max = 160) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** What a report says about one path of repo/: findings, unknown sites, diagnostics. */
function about(report, rel) {
  if (!report) return '';
  // A file argument scans from its own folder: the report names it relative to that folder.
  const under = (file) => file !== undefined && (file === rel || file.startsWith(`${rel}/`) || rel.endsWith(`/${file}`));
  const findings = report.findings.filter((f) => under(f.file)).length;
  const unknown = report.unknown.filter((u) => under(u.file)).length;
  const diagnostics = report.diagnostics.filter((d) => under(d.file));
  const parts = [];
  if (findings) parts.push(`${findings} finding${findings === 1 ? '' : 's'}`);
  if (unknown) parts.push(`${unknown} not analysable`);
  const codes = new Map();
  for (const d of diagnostics) {
    const key = `${d.code}: ${shorten(d.message.replace(/\s+/g, ' '), 110)}`;
    codes.set(key, (codes.get(key) ?? 0) + 1);
  }
  for (const [key, count] of codes) parts.push(count > 1 ? `${count}× ${key}` : key);
  return parts.join('; ') || 'nothing reported for it';
}

function summary(result, rel, quiet = false) {
  const report = json(result.stdout);
  const line = result.stderr.trim().split('\n').filter(Boolean)[0] ?? '';
  if (typeof result.status !== 'number') return `${result.status}${line ? `; ${line}` : ''}`;
  if (!report) return line || result.stdout.trim().split('\n')[0] || '(no output)';
  const verdict = report.coverage?.verdict ? `verdict ${report.coverage.verdict}` : '';
  const said = rel === undefined ? `${report.findings.length} findings, ${report.diagnostics.length} diagnostics` : about(report, rel);
  return [said, verdict, quiet ? '' : line].filter(Boolean).join('; ');
}

const rows = [];
function row(id, attack, command, result, message) {
  rows.push(
    `| ${cell(id)} | ${cell(shorten(attack, 140))} | \`${cell(command)}\` | ${cell(result.status)} | ${result.seconds.toFixed(1)} s | ${result.rssKb ? `${Math.round(result.rssKb / 1024)} MB` : '?'} | ${cell(shorten(message, 220))} |`,
  );
}

const repo = join(out, 'repo');
const full = run(['scan', '.', '--format', 'json'], repo, TIMEOUT_MS);
const fullReport = json(full.stdout);
if (!BIG_ONLY) {
  row('full scan of repo/', 'every repo/ case at once', 'scan . --format json', full, summary(full));
  const base = run(['scan', 'src/db.ts', '--format', 'json'], repo, TIMEOUT_MS);
  row('base', 'a file argument without findings: the cost every single-file row below includes (schema and migrations of the tree)', 'scan src/db.ts --format json', base, summary(base));
}

for (const c of manifest.cases) {
  if (BIG_ONLY && !c.big) continue;
  const timeout = c.open ? OPEN_TIMEOUT_MS : TIMEOUT_MS;
  const variant = c.path.startsWith('variants/') ? c.path.split('/').slice(0, 2).join('/') : undefined;
  if (c.run) {
    const target = c.run.target ?? (c.run.cwd === 'repo' ? '.' : c.path);
    const cwd = c.run.cwd === 'repo' ? repo : results;
    const args = ['scan', c.run.cwd === 'repo' ? target : join(out, target), '--format', 'json', ...c.run.args];
    // The last --format wins (commander): a case's own --format is kept.
    const result = run(args, cwd, timeout);
    row(c.id, c.attack, `scan ${c.run.cwd === 'repo' ? target : `<out>/${target}`} ${c.run.args.join(' ')}`, result, summary(result) + (c.open ? ` (open: ${c.open})` : ''));
    continue;
  }
  if (variant) {
    const result = run(['scan', join(out, variant), '--format', 'json'], results, timeout);
    row(c.id, c.attack, `scan <out>/${variant} --format json`, result, summary(result) + (c.open ? ` (open: ${c.open})` : ''));
    continue;
  }
  const rel = c.path.replace(/^repo\//, '');
  let kind;
  try {
    kind = lstatSync(join(out, c.path));
  } catch {
    kind = undefined;
  }
  // A query file is a file argument too (pre-commit passes them): its project's schema and migrations
  // are read as the full scan reads them. Special files and links among them are the full scan's.
  const queryFile = /^repo\/packages\/[^/]+\/queries\/[^/*]+\.sql$/.test(c.path) && kind?.isFile();
  const singleFile = (c.path.startsWith('repo/src/') || queryFile) && kind && !kind.isDirectory() && SOURCE.test(rel) && !rel.includes('*');
  if (singleFile) {
    const result = run(['scan', rel, '--format', 'json'], repo, timeout);
    row(c.id, c.attack, `scan ${rel} --format json`, result, summary(result, rel));
  } else {
    const pathRel = rel.replace(/\/\*.*$/, '').replace(/\/$/, '');
    row(c.id, c.attack, '(full scan of repo/)', full, summary(full, pathRel === 'repo' ? undefined : pathRel, true));
  }
}

process.stdout.write(
  [
    `Generated ${manifest.cases.length} cases${BIG ? ' (big sizes)' : ''}; node ${process.version}, ${process.platform}; peak RSS by ${TIME ? '/usr/bin/time -v' : 'process.resourceUsage()'}.`,
    '',
    '| case | input | command | exit | time | peak RSS | what the scan said |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n'),
);
const canaries = spawnSync('ls', ['-A', join(out, 'canaries')], { encoding: 'utf8' }).stdout.trim();
process.stdout.write(`\ncanaries (files written by executed repository code): ${canaries || 'none'}\n`);
rmSync(out, { recursive: true, force: true });
rmSync(results, { recursive: true, force: true });
