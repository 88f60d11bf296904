// `npm run bench [-- options] [path ...]`: how fast tenant-lint is next to the parser it cannot avoid.
// Never part of `npm test` (no timed tests). Needs a built tool (`npm run build`).
//
//   npm run bench                                  generated corpus, 10,000 files
//   npm run bench -- --files 1000,5000,10000       several generated sizes
//   npm run bench -- /path/to/checkout [...]       any checkout, measured the same way
//   options: --runs N (default 3)  --tool DIR (tenant-lint checkout to measure, default this one)
//            --label NAME (key in results.json, default "current")  --only parse,scan1,...
//            --out FILE (default bench/results.json)  --keep (keep generated corpora)
//
// For each target, on the same files (tenant-lint's own discovery), alternating the workloads in
// rotated order every run, each in a fresh process (whole-process wall time, peak RSS from
// process.resourceUsage() at exit):
//   parse        typescript-estree parse with loc/range/comments, walked once: the yardstick
//   scan1        `tenant-lint scan`, cold, one worker (`--jobs 1` when the CLI has --jobs)
//   scanN        the same with --jobs <cores>, when the CLI has --jobs
//   warm         `scan --cache` after one file changed, when the CLI has --cache (cache filled untimed)
//   eslint       ESLint (Node API, in-memory flat config) with @typescript-eslint/parser alone
//   eslintPlugin the same plus tenant-lint's recommended config
//   importParser / importPlugin: a fresh `node` importing the parser / the plugin
// Prints medians, ratios and peak RSS; writes them (aggregate numbers only, never file contents or
// paths inside the target) to results.json, merged by label and target.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateCorpus } from './corpus.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const flag = (name) => {
  const i = args.indexOf(`--${name}`);
  if (i !== -1) args.splice(i, 1);
  return i !== -1;
};
const runs = Number(option('runs', 3));
const tool = resolve(option('tool', join(here, '..')));
const label = option('label', 'current');
const outFile = resolve(option('out', join(here, 'results.json')));
const only = option('only', '')
  .split(',')
  .filter(Boolean);
const sizesArg = option('files', undefined);
const keep = flag('keep');
const paths = args;
const sizes = sizesArg ? sizesArg.split(',').map(Number) : paths.length === 0 ? [10_000] : [];

if (!existsSync(join(tool, 'dist/src/scan/scan.js'))) {
  console.error(`bench: ${tool} has no dist/ (run npm run build there first)`);
  process.exit(2);
}
const cores = availableParallelism();
const bin = join(tool, 'bin/tenant-lint.js');
const help = spawnSync(process.execPath, [bin, 'scan', '--help'], { encoding: 'utf8' }).stdout;
const hasJobs = /--jobs\b/.test(help);
const hasCache = /--cache\b/.test(help);
const hook = pathToFileURL(join(here, 'rss-hook.js')).href;
const child = join(here, 'child.js');
const { discoverFiles } = await import(pathToFileURL(join(tool, 'dist/src/scan/discover.js')).href);
const toolCommit = spawnSync('git', ['-C', tool, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim() || null;
const toolDirty = spawnSync('git', ['-C', tool, 'status', '--porcelain', '--', 'src', 'rules'], { encoding: 'utf8' }).stdout.trim() !== '';
const work = mkdtempSync(join(tmpdir(), 'tenant-lint-bench-'));

/**
 * Runs one command in a fresh process; returns wall seconds, CPU seconds (user + system, all threads),
 * peak RSS (MiB) and its stdout. Ratios use CPU seconds: on a shared machine wall time measures the
 * neighbours; wall time is kept for the worker comparison, where parallelism is the point.
 */
function measure(argv, { env = {} } = {}) {
  const stats = join(work, `stats-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--import', hook, ...argv], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, ...env, BENCH_STATS: stats, NO_COLOR: '1' },
  });
  const seconds = (performance.now() - started) / 1000;
  let rssMiB = null;
  let cpuSeconds = null;
  try {
    const usage = JSON.parse(readFileSync(stats, 'utf8'));
    rssMiB = Math.round(usage.maxRSS / 1024);
    cpuSeconds = (usage.user + usage.system) / 1e6;
    rmSync(stats);
  } catch {
    // the process died before its exit hook
  }
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`bench: ${argv.join(' ')} exited ${result.status}: ${(result.stderr || '').slice(0, 2000)}`);
  }
  return { seconds, cpuSeconds, rssMiB, stdout: result.stdout };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Aggregate numbers of a scan report: counts only, no file names. */
function scanSummary(reportFile) {
  const r = JSON.parse(readFileSync(reportFile, 'utf8'));
  const byRule = {};
  for (const f of r.findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  return {
    filesScanned: r.stats.filesScanned,
    testFiles: r.stats.testFiles,
    filesSkipped: r.stats.filesSkipped,
    querySites: r.stats.querySites,
    findings: r.findings.length,
    unknown: r.unknown.length,
    byRule,
    coverage: r.coverage?.verdict ?? r.coverage ?? undefined,
    fingerprint: JSON.stringify(r.findings.map((f) => [f.file, f.line, f.column, f.ruleId, f.fingerprint])),
  };
}

async function benchTarget(name, root, kind, description) {
  console.log(`\n== ${name} (${root})`);
  const files = await discoverFiles(root);
  const list = join(work, `${name.replace(/[^\w.-]+/g, '_')}.files.json`);
  writeFileSync(list, JSON.stringify(files));
  let bytes = 0;
  for (const f of files) bytes += readFileSync(f).length;
  console.log(`${files.length} source files, ${(bytes / 1e6).toFixed(1)} MB; ${runs} run(s); ${cores} cores; tool ${toolCommit ?? tool}${toolDirty ? ' (dirty)' : ''}`);

  const report = (tag) => join(work, `${tag}.json`);
  const scanArgs = (tag, extra = []) => [bin, 'scan', root, '--format', 'json', '--output', report(tag), '--no-color', ...extra];
  // Warm scans run on a private copy: real checkouts are read-only.
  let warmRoot = null;
  let touched = null;
  if (hasCache && (only.length === 0 || only.includes('warm'))) {
    warmRoot = kind === 'generated' ? root : join(work, `${name}-copy`);
    if (warmRoot !== root) cpSync(root, warmRoot, { recursive: true, filter: (src) => !/[\\/](node_modules|\.git)$/.test(src) });
    const warmFiles = await discoverFiles(warmRoot);
    touched = warmFiles.find((f) => /repositor|service|route|handler/i.test(f)) ?? warmFiles[0];
  }
  const cacheDir = join(work, `${name}-cache`);
  const workloads = {
    parse: () => measure([child, 'parse', tool, list]),
    scan1: () => measure(scanArgs('scan1', hasJobs ? ['--jobs', '1'] : [])),
    ...(hasJobs ? { scanN: () => measure(scanArgs('scanN', ['--jobs', String(cores)])) } : {}),
    ...(hasCache
      ? {
          warm: () => {
            const warmArgs = [bin, 'scan', warmRoot, '--format', 'json', '--output', report('warm'), '--no-color', '--cache', '--cache-location', cacheDir];
            rmSync(cacheDir, { recursive: true, force: true });
            measure(warmArgs); // fills the cache, untimed
            const original = readFileSync(touched, 'utf8');
            appendFileSync(touched, `\n// bench: touched\n`);
            try {
              return measure(warmArgs);
            } finally {
              writeFileSync(touched, original);
            }
          },
        }
      : {}),
    eslint: () => measure([child, 'eslint', tool, list, root, 'parser']),
    eslintPlugin: () => measure([child, 'eslint', tool, list, root, 'plugin']),
    importParser: () => measure([child, 'import', tool, 'parser']),
    importPlugin: () => measure([child, 'import', tool, 'plugin']),
    importParserPlugin: () => measure([child, 'import', tool, 'parser+plugin']),
  };
  const names = Object.keys(workloads).filter((w) => only.length === 0 || only.includes(w));
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let run = 0; run < runs; run++) {
    // Alternate: each run starts one workload later, so drift (thermal, page cache) spreads evenly.
    const order = names.map((_, i) => names[(i + run) % names.length]);
    for (const n of order) {
      const sample = workloads[n]();
      let inner = null;
      try {
        inner = JSON.parse(sample.stdout.trim().split('\n').pop());
      } catch {
        // scans write their report to a file
      }
      samples[n].push({ seconds: sample.seconds, cpuSeconds: sample.cpuSeconds, rssMiB: sample.rssMiB, inner });
      process.stdout.write(
        `  run ${run + 1} ${n.padEnd(13)} ${sample.cpuSeconds.toFixed(2).padStart(8)} s cpu ${sample.seconds.toFixed(2).padStart(8)} s wall ${String(sample.rssMiB).padStart(6)} MiB\n`,
      );
    }
  }
  const med = {};
  for (const n of names) {
    med[n] = {
      cpuSeconds: Number(median(samples[n].map((s) => s.cpuSeconds)).toFixed(3)),
      wallSeconds: Number(median(samples[n].map((s) => s.seconds)).toFixed(3)),
      peakRssMiB: Math.max(...samples[n].map((s) => s.rssMiB ?? 0)),
      samples: samples[n].map((s) => [Number(s.cpuSeconds.toFixed(3)), Number(s.seconds.toFixed(3))]),
    };
    const inner = samples[n].at(-1).inner;
    if (inner) med[n].inner = { ...inner, ms: Math.round(median(samples[n].map((s) => s.inner?.ms ?? 0))) };
  }
  const ratio = (a, b, key = 'cpuSeconds') => (med[a] && med[b] ? Number((med[a][key] / med[b][key]).toFixed(2)) : null);
  const ratios = {
    scan1VsParse: ratio('scan1', 'parse'),
    scanNVsScan1Wall: hasJobs ? ratio('scanN', 'scan1', 'wallSeconds') : 'no --jobs: the scanner has no workers',
    warmVsScan1: hasCache ? ratio('warm', 'scan1') : 'no cache',
    eslintPluginVsParser: ratio('eslintPlugin', 'eslint'),
    // What the plugin adds to an ESLint process that loads the parser anyway (CPU seconds).
    importPluginAddsSeconds:
      med.importParserPlugin && med.importParser ? Number((med.importParserPlugin.cpuSeconds - med.importParser.cpuSeconds).toFixed(2)) : null,
    importPluginAloneSeconds: med.importPlugin ? med.importPlugin.cpuSeconds : null,
    importParserAloneSeconds: med.importParser ? med.importParser.cpuSeconds : null,
    importPluginMs: med.importPlugin?.inner?.ms ?? null,
    importParserMs: med.importParser?.inner?.ms ?? null,
    msPerFileParse: med.parse ? Number(((1000 * med.parse.cpuSeconds) / files.length).toFixed(2)) : null,
    msPerFileScan1: med.scan1 ? Number(((1000 * med.scan1.cpuSeconds) / files.length).toFixed(2)) : null,
  };
  const result = { name, kind, files: files.length, bytes, ...(description ? { corpus: description } : {}), medians: med, ratios };
  if (med.scan1) {
    const s1 = scanSummary(report('scan1'));
    result.scan = { ...s1, fingerprint: undefined };
    if (med.scanN) result.scanNIdentical = scanSummary(report('scanN')).fingerprint === s1.fingerprint;
    if (med.warm) result.warmIdentical = scanSummary(report('warm')).fingerprint === s1.fingerprint;
  }
  if (med.eslintPlugin?.inner) result.eslintPluginMessages = med.eslintPlugin.inner.messages;

  console.log(`  medians: ${names.map((n) => `${n} ${med[n].cpuSeconds}s cpu/${med[n].wallSeconds}s wall/${med[n].peakRssMiB}MiB`).join(', ')}`);
  console.log(
    `  ratios: scan/parse ${ratios.scan1VsParse}, scanN/scan1 ${ratios.scanNVsScan1Wall} (wall), warm/cold ${ratios.warmVsScan1}, ` +
      `eslint+plugin/eslint ${ratios.eslintPluginVsParser}, import cpu: parser ${ratios.importParserAloneSeconds} s, plugin alone ${ratios.importPluginAloneSeconds} s, ` +
      `plugin after parser +${ratios.importPluginAddsSeconds} s`,
  );
  if (result.scan) console.log(`  scan: ${result.scan.findings} findings, ${result.scan.querySites} query sites, ${result.scan.unknown} unknown, ${ratios.msPerFileScan1} ms/file`);
  if (result.eslintPluginMessages !== undefined) console.log(`  eslint plugin: ${result.eslintPluginMessages} tenant-lint messages`);
  return result;
}

const results = [];
try {
  for (const size of sizes) {
    const root = join(work, `generated-${size}`);
    const description = generateCorpus(root, size);
    results.push(await benchTarget(`generated-${size}`, root, 'generated', description));
    if (!keep) rmSync(root, { recursive: true, force: true });
    else console.log(`  kept ${root}`);
  }
  for (const path of paths) results.push(await benchTarget(basename(resolve(path)), resolve(path), 'path'));
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}

let saved = { runs: {} };
try {
  saved = JSON.parse(readFileSync(outFile, 'utf8'));
} catch {
  // first run
}
saved.runs ??= {};
saved.runs[label] ??= {};
saved.runs[label].machine = { node: process.version, cores, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30) };
saved.runs[label].tool = { commit: toolCommit, dirty: toolDirty, workers: hasJobs, cache: hasCache };
saved.runs[label].targets ??= {};
for (const r of results) saved.runs[label].targets[r.name] = { ...r, measuredAt: new Date().toISOString().slice(0, 10), runs };
writeFileSync(outFile, JSON.stringify(saved, null, 2) + '\n');
console.log(`\nwrote ${outFile}`);
