import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import {
  applyBaseline,
  BaselineError,
  type Baseline,
  type BaselineScope,
  countEntries,
  DEFAULT_BASELINE_FILE,
  pruneBaseline,
  readBaseline,
  serializeBaseline,
  writeBaselineFrom,
} from './baseline/baseline.js';
import type { Severity } from './core/finding.js';
import type { ScanResult } from './core/result.js';
import { isRuleId, RULE_IDS } from './core/rule-meta.js';
import type { Format, ReportOptions } from './report/index.js';
import { displayFrom, rebaseResult, relativeDir } from './report/paths.js';
import { repositoryRoot } from './scan/repo-root.js';
import { assertPlainFile, readFailure } from './scan/safe-read.js';
import { writeFileSafe } from './scan/safe-write.js';
import { NOT_READ_CODES, scan, UsageError, type ScanOptions } from './scan/scan.js';
import { changedSince, resolveTargets } from './scan/targets.js';

/** `tenant-lint scan` options as commander parses them. */
export interface ScanCliOptions {
  format: string;
  output?: string;
  failOn?: 'error' | 'warning' | 'none';
  color: boolean;
  types?: boolean;
  maxWarnings?: number;
  quiet?: boolean;
  rule: string[];
  config?: string;
  /** false with `--no-config-lookup`: the repository's own config files are not read. */
  configLookup?: boolean;
  baseline?: string;
  writeBaseline?: string | true;
  pruneBaseline?: boolean;
  changedSince?: string;
  category?: string;
  stdin?: boolean;
  stdinFilename?: string;
  cache?: boolean;
  cacheLocation?: string;
}

/** `--stdin`: the text read from standard input, analysed as if it were `file` (absolute). */
export interface StdinInput {
  file: string;
  text: string;
}

/** What runScan takes besides the flags: standard input, the progress hook, the environment. */
export interface ScanExtras {
  stdin?: StdinInput;
  onProgress?: ScanOptions['onProgress'];
  env?: NodeJS.ProcessEnv;
}

export interface ScanRun {
  /** The result to render: paths relative to `result.root` (the repository root, or the scanned folder for JSON). */
  result: ScanResult;
  /** Reporter options beyond colour and sources. */
  options: Omit<ReportOptions, 'color' | 'sources'>;
  /** One-line notes for stderr (baseline written, too many warnings). */
  notes: string[];
  exitCode: 0 | 1 | 2;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of warnings (0 or more).');
  return Number(value);
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
/** Rules whose findings depend on the schema of a table used elsewhere. */
const QUERY_RULES: ReadonlySet<string> = new Set(['require-tenant-filter', 'require-tenant-cache-key']);

/**
 * Everything `tenant-lint scan` does between parsing its flags and writing the report: the scan,
 * paths relative to the repository root, `--rule`, the baseline, `--quiet`, and the exit code.
 * Writes no stdout (cli.ts does); writes baseline files when asked to.
 */
export async function runScan(paths: readonly string[], opts: ScanCliOptions, format: Format, cwd = process.cwd(), extras: ScanExtras = {}): Promise<ScanRun> {
  const rules = ruleFilter(opts.rule);
  if (opts.category !== undefined) {
    if (format !== 'sarif') throw new UsageError(`--category applies to --format sarif only (the format is ${format})`);
    if (opts.category.trim() === '') throw new UsageError('--category needs a name, for example --category tenant-lint/api');
  }
  const writeTarget = opts.writeBaseline === undefined ? undefined : opts.writeBaseline === true ? (opts.baseline ?? DEFAULT_BASELINE_FILE) : opts.writeBaseline;
  const baselineFile = opts.baseline ?? (opts.pruneBaseline ? DEFAULT_BASELINE_FILE : undefined);
  // Read before the scan, so that a missing or broken baseline fails in a second, not after minutes.
  let baseline: Baseline | undefined = baselineFile !== undefined && writeTarget === undefined ? readBaseline(plainBaseline(baselineFile)) : undefined;
  const previous = writeTarget !== undefined && existsSync(writeTarget) ? readBaseline(plainBaseline(writeTarget)) : undefined;

  const { stdin } = extras;
  // Standard input is analysed as the one file named by --stdin-filename, which need not exist.
  const targets = stdin ? { root: dirname(stdin.file), files: [stdin.file] } : resolveTargets(paths);
  const changed = opts.changedSince === undefined ? undefined : await changedSince(opts.changedSince, targets.root);
  // The scanner's parser (src/project/oxc.ts): oxc-parser when installed; the environment can choose.
  const parser = (extras.env ?? process.env).TENANT_LINT_PARSER;
  if (parser !== undefined && parser !== '' && parser !== 'oxc' && parser !== 'typescript-estree') throw new UsageError(`TENANT_LINT_PARSER must be oxc or typescript-estree (it is ${parser})`);
  const scanned = await scan({
    path: targets.root,
    ...(parser === 'oxc' || parser === 'typescript-estree' ? { parser } : {}),
    ...(targets.files ? { files: targets.files } : {}),
    failOn: opts.failOn === 'none' ? undefined : opts.failOn,
    types: opts.types === true,
    ...(opts.config === undefined ? {} : { config: opts.config }),
    ...(opts.configLookup === false ? { noConfigLookup: true } : {}),
    ...(stdin ? { sources: new Map([[stdin.file, stdin.text]]) } : {}),
    ...(extras.onProgress ? { onProgress: extras.onProgress } : {}),
    ...(opts.cache ? { cache: true, ...(opts.cacheLocation === undefined ? {} : { cacheLocation: resolve(cwd, opts.cacheLocation) }) } : {}),
    // The HTML report's isolation matrix and inventory of suppressions.
    ...(format === 'html' ? { details: true } : {}),
  });
  // Every report speaks in paths relative to the repository root, whatever folder was scanned.
  const repoRoot = await repositoryRoot(scanned.root);
  const folder = relativeDir(repoRoot, scanned.root);
  let result = rebaseResult(scanned, repoRoot);
  if (rules) {
    result = { ...result, findings: result.findings.filter((f) => rules.has(f.ruleId)), unknown: result.unknown.filter((u) => rules.has(u.ruleId)) };
  }

  const scope: BaselineScope = { folder, ...(rules ? { rules } : {}) };
  const notes: string[] = [];
  if (targets.files) {
    // `scan a.ts b.ts` reports on, and speaks for, those files only.
    const named = new Set(targets.files.map((file) => relativeDir(repoRoot, file)));
    result = { ...result, findings: result.findings.filter((f) => named.has(f.file)), unknown: result.unknown.filter((u) => named.has(u.file)) };
    scope.files = named;
  }
  if (changed) {
    // A changed schema can make any query wrong: then every query finding is kept, wherever it is.
    const schemaFiles = result.projects.flatMap((project) => project.schemaSources.flatMap((source) => source.files));
    const schemaChanged = schemaFiles.some((file) => changed.has(file));
    if (schemaChanged) notes.push(`--changed-since ${opts.changedSince}: the schema changed, so every query is re-checked`);
    const keep = (file: string, ruleId: string) => changed.has(file) || (schemaChanged && QUERY_RULES.has(ruleId));
    result = { ...result, findings: result.findings.filter((f) => keep(f.file, f.ruleId)), unknown: result.unknown.filter((u) => keep(u.file, u.ruleId)) };
    scope.include = keep;
  }
  const options: ScanRun['options'] = { pathBase: folder };
  if (opts.failOn === 'none') options.failOn = 'none';
  if (opts.category !== undefined) options.category = opts.category;

  let reported = result.findings;
  if (writeTarget !== undefined) {
    baseline = writeBaselineFrom(result.findings, previous, scope);
    write(writeTarget, serializeBaseline(baseline));
    const { findings, files } = countEntries(baseline);
    notes.push(`wrote baseline ${writeTarget} (${findings} finding${findings === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'})`);
  }
  if (baseline) {
    const match = applyBaseline(result.findings, baseline, scope);
    const file = writeTarget ?? baselineFile ?? DEFAULT_BASELINE_FILE;
    options.baseline = { file, known: match.known, fixed: match.fixed, ...(writeTarget === undefined ? {} : { written: 'written' as const }) };
    if (opts.pruneBaseline && baselineFile !== undefined) {
      const pruned = pruneBaseline(baseline, match.known, scope);
      write(baselineFile, serializeBaseline(pruned));
      options.baseline = { ...options.baseline, written: 'pruned' };
      notes.push(`pruned baseline ${baselineFile}: ${match.fixed} fixed entr${match.fixed === 1 ? 'y' : 'ies'} removed, ${match.known.length} kept`);
    }
    reported = match.fresh;
  }

  const warnings = reported.filter((f) => f.severity === 'warning').length;
  const failOn = opts.failOn ?? result.failOn;
  const failing = failOn === 'none' ? 0 : reported.filter((f) => SEVERITIES.indexOf(f.severity) <= SEVERITIES.indexOf(failOn)).length;
  const tooManyWarnings = opts.maxWarnings !== undefined && warnings > opts.maxWarnings;
  if (tooManyWarnings) notes.push(`too many warnings: ${warnings} reported, --max-warnings allows ${opts.maxWarnings}`);

  if (opts.quiet) {
    const errors = reported.filter((f) => f.severity === 'error');
    if (errors.length < reported.length) options.quietHidden = reported.length - errors.length;
    reported = errors;
  }
  result = { ...result, findings: reported };

  // JSON keeps its documented contract: paths relative to the scanned folder, `pathBase` says where
  // that is. Text names projects relative to the scanned folder and prints locations clickable
  // from the shell's folder.
  if (format === 'json' || format === 'text') result = rebaseResult(result, scanned.root);
  if (format === 'text') options.displayPath = displayFrom(cwd, scanned.root);
  if (format === 'markdown') {
    const link = githubBlobLink(extras.env ?? process.env);
    if (link) options.link = link;
  }

  const internal = result.diagnostics.some((d) => d.code === 'internal');
  // Fail closed: a scan that could not analyse the data access it saw never passes as clean.
  if (result.coverage.failClosed) notes.push(`cannot analyse: ${result.coverage.failClosed}`);
  // Nor one that left source files unread (a leak padded past the size cap, behind a NUL byte or a link).
  const notRead = result.diagnostics.filter((d) => NOT_READ_CODES.has(d.code)).length;
  if (notRead > 0) notes.push(`incomplete: ${notRead} source file${notRead === 1 ? ' was' : 's were'} not read (too large, binary or not a regular file inside the tree; see the diagnostics): exit 2`);
  const exitCode = internal || notRead > 0 || result.coverage.failClosed ? 2 : failing > 0 || tooManyWarnings ? 1 : 0;
  return { result, options, notes, exitCode };
}

function ruleFilter(ids: readonly string[]): ReadonlySet<string> | undefined {
  if (ids.length === 0) return undefined;
  const rules = new Set<string>();
  for (const given of ids) {
    const id = given.replace(/^tenant-lint\//, '');
    if (!isRuleId(id)) throw new UsageError(`unknown rule "${given}" in --rule; known rules: ${RULE_IDS.join(', ')}`);
    rules.add(id);
  }
  return rules;
}

/** A baseline may be a planted link to /dev/zero or /proc/self/environ: only a plain file is read. */
function plainBaseline(file: string): string {
  try {
    assertPlainFile(file, { maxBytes: 256_000_000, linkRoot: process.cwd() });
  } catch (error) {
    throw new BaselineError(`cannot read baseline ${file}: ${readFailure(error)}`);
  }
  return file;
}

function write(file: string, text: string): void {
  try {
    // Never through a symlink planted where the baseline goes (safe-write.ts).
    writeFileSafe(file, text);
  } catch (error) {
    throw new UsageError(`cannot write baseline ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** In a GitHub Actions run, a link to the scanned commit's file and line; undefined elsewhere. */
export function githubBlobLink(env: NodeJS.ProcessEnv): ((file: string, line: number) => string) | undefined {
  const server = env.GITHUB_SERVER_URL;
  const repository = env.GITHUB_REPOSITORY;
  const sha = env.GITHUB_SHA;
  if (!server || !repository || !sha) return undefined;
  return (file, line) => `${server}/${repository}/blob/${sha}/${file}#L${line}`;
}
