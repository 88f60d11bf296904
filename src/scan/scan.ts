import { statSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { analyzeFile, schemaFindings, toPosix, type TableQueryCounts } from '../analyze/analyze.js';
import { compareFindings } from '../core/finding.js';
import type { CoverageReport, Diagnostic, ProjectSummary, ScanResult, SuppressionEntry, TableDetail, UnknownSite } from '../core/result.js';
import { addCoverage, coverageReport, newTally, type CoverageTally } from './coverage.js';
import { Resolver } from '../core/resolve.js';
import { EFFECT_SERVICES } from '../models/services.js';
import { BRAND_FACTORIES, JOB_REGISTRARS, SAME_BEHAVIOUR_WRAPPERS } from '../models/wrappers.js';
import { unreadStores } from '../models/data-stores.js';
import type { TableClass } from '../core/schema.js';
import { ConfigurationError, defaultConfig, findConfig, loadConfigFile } from '../config/load.js';
import { DEFAULT_CACHE_LOCATION, ScanCache, type CachedOutcome } from './cache.js';
import { observeCallerSearches } from '../flow/callers.js';
import { configFilesRead, MAX_FILE_BYTES, ModuleGraph, ParseError, parseUnit, type FrontEnd } from '../project/modules.js';
import { oxcParser } from '../project/oxc.js';
import type * as TS from 'typescript';
import { findProjectRoot, loadProject, withWorkspaceSchema, type CandidateRead, type Project, type SchemaMemo } from '../project/project.js';
import { discoverFiles, discoverSqlFiles } from './discover.js';
import { analyzeSqlQueryFile, type SqlFileAnalysis } from '../analyze/sql-files.js';
import { blankUnparseableStatements } from '../sql/recover.js';
import { loadSqlParsers } from '../sql/libpg.js';
import { VERSION } from '../version.js';
import { assertPlainFile, readTextFileSafe, withReadBoundary } from './safe-read.js';
import { dataAccessText, PROBE_MAX_BYTES } from './large-files.js';
import { scanBoundary } from './repo-root.js';
import { BudgetExceeded, budgetSettings, checkBudget, isIncompleteMessage, outsideFileBudget, withBudgetSettings, withFileBudget } from './budget.js';

/** A config file above the repository root: named, never read (docs/configuration.md). */
export const CONFIG_ABOVE_REPOSITORY = 'not read: this config is above the repository root (the folder holding .git, or the scanned folder outside git); pass it with --config to use it';

/**
 * Source characters of parsed units the module graph keeps between files (ModuleGraph.retain, trim):
 * the files scanned and those looked into (imports, the call graph's search for callers), most
 * recently used first. All of kan (2.1 MB) and most of postiz-app (4 MB), whose helpers would
 * otherwise be parsed again, while memory stays bounded on monorepos of thousands of files.
 */
const RETAINED_SOURCE_CHARS = 3_000_000;

/**
 * Source characters of the units the call graph's search for callers parsed in files the scan has
 * not reached yet, kept for when it does (ModuleGraph.lookahead): about 800 files of teable's size,
 * which were otherwise parsed twice.
 */
const LOOKAHEAD_SOURCE_CHARS = 2_000_000;

/** Diagnostics that mean a file was not analysed. */
const SKIPPING_CODES = new Set<Diagnostic['code']>(['unreadable', 'parse-error', 'too-large', 'too-large-no-data-access', 'binary', 'not-a-query-file', 'internal']);
/**
 * Source files the scan did not read at all: over the size cap, binary (a NUL byte), or not a
 * regular file inside the tree. A leak hidden that way (padding, one NUL byte, a link) must not pass
 * as clean: the verdict is PARTIAL and the CLI exits 2, as for an `internal` diagnostic.
 */
export const NOT_READ_CODES: ReadonlySet<Diagnostic['code']> = new Set<Diagnostic['code']>(['unreadable', 'too-large', 'binary']);

export interface ScanOptions {
  /** Directory (or single file) to scan. */
  path: string;
  /**
   * The parser of source files (`TENANT_LINT_PARSER`): oxc-parser when installed (an optional
   * dependency), which gives the same trees (src/project/oxc.ts) for about a third of the CPU, else
   * typescript-estree. `--types` scans always use typescript-estree (the program's own trees).
   */
  parser?: FrontEnd;
  /** Override the failing severity from config. */
  failOn?: 'error' | 'warning';
  /** Build a TypeScript program per project (from its tsconfig.json) for the type-aware checks. */
  types?: boolean;
  /** `--config FILE`: this config for every project instead of the discovered ones. */
  config?: string;
  /**
   * `--no-config-lookup` (auditor mode): no config file of the scanned repository, or above it, is
   * read (tenant-lint.config.json, .tenant-lintrc.json, package.json#tenantLint): only `config`, or
   * the defaults.
   */
  noConfigLookup?: boolean;
  /**
   * Files named on the command line (absolute; `path` is a folder that holds them): only these
   * are analysed, while each project's schema is still read from its whole tree.
   */
  files?: string[];
  /**
   * Milliseconds one file's analysis may take before it is left out with an `internal` diagnostic
   * (the verdict becomes PARTIAL, the exit code 2). Default: TENANT_LINT_FILE_BUDGET_MS, else 10 s;
   * 0: no budget.
   */
  fileBudgetMs?: number;
  /** The monotonic clock the budget reads, in milliseconds (tests inject a fake one). Default performance.now. */
  clock?: () => number;
  /**
   * Text to analyse instead of what is on disk, by absolute path (`--stdin --stdin-filename`):
   * the file need not exist; its project and schema are still found from its path.
   */
  sources?: ReadonlyMap<string, string>;
  /**
   * Also return what the HTML report shows: each project's tables with their isolation and the
   * query sites on them (`tableDetails`), and every finding a comment silenced (`suppressions`).
   */
  details?: boolean;
  /**
   * `--cache`: reuse each file's analysis from the previous scan while nothing it depends on changed
   * (see cache.ts); the result is the one a scan without the cache gives. Not with `types` or `sources`.
   */
  cache?: boolean;
  /** `--cache-location DIR`: where the cache lives, relative to the scanned folder. Default node_modules/.cache/tenant-lint. */
  cacheLocation?: string;
  /** Called as files are analysed (the CLI's progress display on a terminal); must be cheap. */
  onProgress?: (progress: ScanProgress) => void;
}

/** Where a scan is: `files` (TypeScript and JavaScript), then `sql` (query files); `done` of `total`. */
export interface ScanProgress {
  phase: 'files' | 'sql';
  done: number;
  total: number;
}

/** A mistake in how the scan was invoked: exit code 2 with a one-line message. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * The programmatic API behind `tenant-lint scan`: discover files, build each project's
 * TenantSchema once, parse each file once, run the core, collect findings and diagnostics.
 */
export async function scan(options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const budget = budgetSettings(options.fileBudgetMs, options.clock);
  const target = resolve(options.path);
  let isDir: boolean;
  try {
    isDir = statSync(target).isDirectory();
  } catch {
    throw new UsageError(`path does not exist or cannot be read: ${options.path}`);
  }
  const root = isDir ? target : dirname(target);
  // What the scan may read, and where the config lookup stops: the repository (see scanBoundary).
  const boundary = scanBoundary(root, options.files !== undefined);
  // Throws ConfigurationError on an invalid config: exit 2.
  const rootConfig = options.config ? loadConfigFile(resolve(options.config), root) : options.noConfigLookup ? defaultConfig() : findConfig(root, boundary);
  // One config for every project: the auditor's, or the defaults when no lookup is allowed.
  const fixedConfig = options.config !== undefined || options.noConfigLookup === true;
  // The type-aware parse and its helpers are loaded only when asked for (see typed.ts).
  const typed = options.types ? await import('../project/typed.js') : undefined;
  // libpg-query (WASM) loads asynchronously; once loaded it parses synchronously for every project.
  await loadSqlParsers();
  // `ignore` is relative to the config file; the file search runs relative to the scanned folder.
  const ignores = (rootConfig.config.ignore ?? [])
    .map((pattern) => toPosix(relative(root, resolve(rootConfig.dir ?? root, pattern))))
    .filter((pattern) => !pattern.startsWith('..'));
  const files = options.files?.filter((file) => !file.endsWith('.sql')) ?? (isDir ? await discoverFiles(root, ignores) : [target]);
  const rel = (path: string) => toPosix(relative(root, path)) || '.';

  // The cache is keyed, besides each file's dependencies, by what decides how every file is analysed.
  const cache =
    options.cache && !options.types && !options.sources
      ? new ScanCache(root, options.cacheLocation ?? DEFAULT_CACHE_LOCATION, { noConfigLookup: options.noConfigLookup === true, fixedConfig, failOn: options.failOn ?? null }, files)
      : undefined;
  const diagnostics: Diagnostic[] = [];
  for (const file of rootConfig.ignoredAbove ?? []) diagnostics.push({ code: 'config', file: rel(file), message: CONFIG_ABOVE_REPOSITORY });
  const frontEnd = options.types ? 'typescript-estree' : (options.parser ?? (oxcParser() ? 'oxc' : 'typescript-estree'));
  if (frontEnd === 'oxc' && !oxcParser()) throw new UsageError('the oxc parser needs the oxc-parser package: npm i oxc-parser');
  const parseFile = (file: string, text: string) => parseUnit(file, text, frontEnd);
  const modules = new ModuleGraph(false, boundary, frontEnd, LOOKAHEAD_SOURCE_CHARS);
  // The call graph searches the files this scan found, and their texts as the scan reads them, instead
  // of listing and reading the tree again. Not when the config ignores files (the call graph, like
  // the editor's, still counts their calls) or only some files were named.
  const listed = isDir && !options.files && ignores.length === 0;
  if (listed) modules.listSources(root, files);
  const resolver = new Resolver(modules, SAME_BEHAVIOUR_WRAPPERS, BRAND_FACTORIES, EFFECT_SERVICES, JOB_REGISTRARS);
  const projects = new Map<string, Project>();
  // Each directory's own project, loaded once: also the workspace whose schema packages borrow.
  const loaded = new Map<string, Project>();
  // The candidate files every project reads for TypeScript schema sources, read once per scan.
  const candidateReads = new Map<string, CandidateRead | null>();
  const loadAt = (projectRoot: string): Project => {
    let project = loaded.get(projectRoot);
    if (!project) {
      try {
        // The schema readers parse through the scan's module graph: the scan reuses those trees.
        const parse = options.types ? undefined : (file: string, text: string) => (options.sources?.has(file) ? parseFile(file, text) : modules.parse(file, text));
        const loadOptions = { ...(options.files ? {} : { candidates: files, candidateReads }), ...(listed ? { read: (file: string) => modules.sourceRead(file) } : {}), ...(fixedConfig ? { config: rootConfig } : {}), ...(parse ? { parse } : {}), ...(cache ? { memo: cache.memo.bind(cache) as SchemaMemo } : {}) };
        // Each migration file and schema file has its own budget (see projectFor).
        project = withReadBoundary(boundary, () => withBudgetSettings(budget, () => loadProject(projectRoot, undefined, loadOptions)));
      } catch (error) {
        // A nested package (a test fixture) whose package.json or config is broken costs that
        // package's settings, not the scan: its files are analysed with the enclosing project.
        const enclosing = projectRoot === root ? undefined : loaded.get(root);
        if (!enclosing) throw error;
        diagnostics.push({ code: 'config', file: rel(projectRoot), message: `${configProblem(error, rel)}; analysed with the settings of the scanned root` });
        project = enclosing;
      }
      loaded.set(projectRoot, project);
      // A data store no rule reads (ClickHouse, BigQuery...): said once, not left out of the coverage in silence.
      const packageJson = resolve(projectRoot, 'package.json');
      // ClickHouse is read where its DDL gives the project ClickHouse tables (its queries are then
      // analysed against them); without it, its queries have no schema and the store stays unread.
      const clickhouseRead = [...project.schema.tables.values()].some((t) => t.database === 'clickhouse');
      const all = unreadStores(packageJson);
      const stores = all.filter((s) => s.store !== 'ClickHouse');
      const clickhouse = clickhouseRead ? [] : all.filter((s) => s.store === 'ClickHouse');
      if (clickhouse.length > 0) {
        const names = clickhouse.map((s) => `\`${s.package}\``).join(', ');
        diagnostics.push({ code: 'unread-store', file: rel(packageJson), message: `depends on ${names}, but no ClickHouse DDL (\`CREATE TABLE ... ENGINE = ...\` in a .sql file) was found: its queries sent through \`client.query({ query })\` are counted as not analysable, and ClickHouse access the analysis does not trace to the client is not counted in the coverage` });
      }
      if (stores.length > 0) {
        const names = stores.map((s) => `\`${s.package}\``).join(', ');
        const kinds = [...new Set(stores.map((s) => s.store))].join(', ');
        diagnostics.push({ code: 'unread-store', file: rel(packageJson), message: `depends on ${names}: tenant-lint does not read ${kinds} queries or schemas, so data access through it is neither analysed nor counted in the coverage` });
      }
    }
    return project;
  };
  const projectRootOf = new Map<string, string>();
  const schemaFolders = new Map<string, boolean>();
  // A project is shared by all its files: loading it is off the clock of the file that needed it first.
  const projectFor = (file: string): Project => {
    // Known already: no clock to stop (reading it is a system call, and this runs for every file and helper).
    const known = projectRootOf.get(dirname(file));
    const project = known === undefined ? undefined : projects.get(known);
    return project ?? outsideFileBudget(() => projectOf(file));
  };
  const projectOf = (file: string): Project => {
    const dir = dirname(file);
    let projectRoot = projectRootOf.get(dir);
    if (!projectRoot) {
      projectRoot = findProjectRoot(dir, undefined, schemaFolders);
      projectRootOf.set(dir, projectRoot);
    }
    let project = projects.get(projectRoot);
    if (!project) {
      project = withWorkspaceSchema(loadAt(projectRoot), loadAt);
      projects.set(projectRoot, project);
    }
    return project;
  };
  // A repository with only a schema and no code still gets its schema read and summarised.
  projectFor(resolve(root, 'package.json'));

  const programs = new Map<string, TS.Program | undefined>();
  const programOf = (projectRoot: string): TS.Program | undefined => {
    if (!programs.has(projectRoot)) {
      const built = outsideFileBudget(() => typed?.programFor(projectRoot, boundary));
      for (const problem of built?.problems ?? []) diagnostics.push({ code: 'config', file: rel(problem.file), message: problem.message });
      programs.set(projectRoot, built?.program);
    }
    return programs.get(projectRoot);
  };
  const findings: ScanResult['findings'] = [];
  const unknown: UnknownSite[] = [];
  const census = new Map<string, CoverageTally>();
  const tallyOf = (key: string): CoverageTally => {
    let tally = census.get(key);
    if (!tally) census.set(key, (tally = newTally()));
    return tally;
  };
  const notTracedSites: CoverageReport['notTracedSites'] = [];
  /** Functions that send SQL over HTTP to a store no rule reads, by where they are: their calls and the tables those name. */
  const unreadSenders = new Map<string, { sender: string; file: string; line: number; url: string; calls: number; tables: Set<string> }>();
  const suppressions: SuppressionEntry[] = [];
  /** Query sites per project (its schema's root) and table, for the isolation matrix. */
  const tableQueries = new Map<string, Map<string, TableQueryCounts>>();
  let filesScanned = 0;
  let querySites = 0;
  let suppressed = 0;
  let testFiles = 0;

  type SourceOutcome =
    | { kind: 'skipped'; code: Diagnostic['code']; message: string; line?: number; column?: number }
    | { kind: 'analysed'; analysis: ReturnType<typeof analyzeFile>; project: Project };
  /**
   * A file over the parse limit is probed as text (large-files.ts): without any data-access-looking
   * text it is skipped without consequence (generated type declarations); with some, it stays "not
   * read" and the scan exits 2.
   */
  const oversized = (file: string, size: number, given: string | undefined): SourceOutcome => {
    const over = `skipped: ${Math.round(size / 1000)} kB is over the ${MAX_FILE_BYTES / 1000} kB limit for source files`;
    if (size > PROBE_MAX_BYTES) return { kind: 'skipped', code: 'too-large', message: `${over} (and over the ${PROBE_MAX_BYTES / 1_000_000} MB limit for a text probe)` };
    let text: string;
    try {
      text = given ?? readTextFileSafe(file, { root, maxBytes: PROBE_MAX_BYTES });
    } catch {
      return { kind: 'skipped', code: 'too-large', message: over };
    }
    if (text.slice(0, 8000).includes('\u0000')) return { kind: 'skipped', code: 'binary', message: 'skipped: binary content' };
    const access = dataAccessText(text);
    if (access) return { kind: 'skipped', code: 'too-large', message: `${over}; it holds data-access-looking text (line ${access.line}: \`${access.excerpt}\`), so it counts as not read`, line: access.line };
    return { kind: 'skipped', code: 'too-large-no-data-access', message: `${over}; a text probe found no data access in it (no operation call of a supported library, no \`sql\` tag, no SQL text), so the scan is complete without it` };
  };
  /** Read, parse and analyse one source file; phases are separated by budget checkpoints. */
  const analyseSourceFile = (file: string): SourceOutcome => {
    let text: string;
    const given = options.sources?.get(file);
    try {
      const size = given === undefined ? statSync(file).size : Buffer.byteLength(given);
      if (size > MAX_FILE_BYTES) return oversized(file, size, given);
      text = given ?? modules.knownText(file) ?? readTextFileSafe(file, { root, maxBytes: MAX_FILE_BYTES });
    } catch (error) {
      return { kind: 'skipped', code: 'unreadable', message: `cannot read: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (given === undefined) modules.noteText(file, text);
    // A NUL byte makes a file binary unless it parses: a NUL inside a string literal or a comment is
    // legal source (docmost's `utils.spec.ts` tests a string holding one), and skipping such a file
    // would leave the scan incomplete for nothing.
    const nul = text.slice(0, 8000).includes('\u0000');
    checkBudget();
    // Text given in place of the file is parsed from that text, never taken from the cache of the copy on disk.
    let unit = options.types || given !== undefined ? undefined : modules.cached(file, text);
    try {
      unit ??= typed ? typed.parseTypedUnit(file, text, programOf(projectFor(file).root)) : parseFile(file, text);
    } catch (error) {
      if (nul && !(error instanceof BudgetExceeded)) return { kind: 'skipped', code: 'binary', message: 'skipped: binary content' };
      if (error instanceof ParseError) return { kind: 'skipped', code: 'parse-error', message: `cannot parse: ${error.message}`, line: error.line, column: error.column };
      if (error instanceof BudgetExceeded) throw error;
      return { kind: 'skipped', code: 'internal', message: `internal error while parsing: ${oneLine(error)}` };
    }
    // Text given in place of the file (stdin) is what every other lookup of this file must see too
    // (callers, exports, the module graph), not the copy on disk.
    if (given !== undefined) modules.add(unit);
    // Scanned units are kept within a bound (see ModuleGraph.retain): a helper scanned before its
    // first importer is not parsed again, and memory stays flat on large monorepos.
    else if (!options.types) modules.retain(unit, RETAINED_SOURCE_CHARS);
    const project = projectFor(file);
    checkBudget();
    try {
      return { kind: 'analysed', analysis: analyzeFile(unit, project, resolver, { eslintDirectives: true }), project };
    } catch (error) {
      if (error instanceof BudgetExceeded) throw error;
      // An analysis bug must not lose the rest of the scan; it is reported, and exits 2.
      return { kind: 'skipped', code: 'internal', message: `internal error while analysing: ${oneLine(error)}` };
    }
  };

  /** A fresh analysis, with the callers it searched for (what the cache keys it by besides imports). */
  const analyseRecorded = (file: string) => {
    if (!cache) return withFileBudget(() => analyseSourceFile(file), budget);
    const names = new Set<string>();
    const candidates = new Set<string>();
    const run = observeCallerSearches(
      (name, files) => {
        names.add(name);
        for (const candidate of files) candidates.add(candidate);
      },
      () => withFileBudget(() => analyseSourceFile(file), budget),
    );
    if (run.tripped) return run;
    const outcome = run.value;
    // Only what the file alone decides, or a complete analysis: never a time budget or an internal error.
    if (outcome.kind === 'analysed' && !outcome.analysis.internal?.length) cache.record(file, outcome.project, { kind: 'analysed', analysis: outcome.analysis }, { names, candidates });
    else if (outcome.kind === 'skipped' && (outcome.code === 'parse-error' || outcome.code === 'too-large' || outcome.code === 'too-large-no-data-access' || outcome.code === 'binary')) cache.record(file, undefined, outcome, { names, candidates });
    return run;
  };
  const fromCache = (file: string): SourceOutcome | undefined => {
    const cached: CachedOutcome | undefined = cache?.lookup(file, () => projectFor(file));
    if (!cached) return undefined;
    return cached.kind === 'skipped' ? cached : { kind: 'analysed', analysis: cached.analysis, project: projectFor(file) };
  };

  let done = 0;
  for (const file of files) {
    // Between files, never during one: a file's analysis sees one parse of each file it looks into.
    modules.trim(RETAINED_SOURCE_CHARS);
    options.onProgress?.({ phase: 'files', done: done++, total: files.length });
    const display = rel(file);
    const skip = (code: Diagnostic['code'], message: string, line?: number, column?: number) =>
      diagnostics.push({ code, file: display, message, ...(line ? { line, column } : {}) });
    const skipNote = (code: Diagnostic['code'], message: string, line: number) => diagnostics.push({ code, file: display, message, line });
    let outcome = fromCache(file);
    if (!outcome) {
      // One file's work under its time budget, checked between phases (and per SQL statement inside):
      // what it found is kept only when it finished in time.
      const run = analyseRecorded(file);
      if (run.tripped) {
        skip('internal', `${run.error.message}; the file was not analysed`);
        continue;
      }
      outcome = run.value;
    }
    if (outcome.kind === 'skipped') {
      skip(outcome.code, outcome.message, outcome.line, outcome.column);
      continue;
    }
    const { analysis, project } = outcome;
    suppressed += analysis.suppressed;
    if (analysis.skippedAsTest) testFiles += 1;
    else filesScanned += 1;
    for (const problem of analysis.suppressionProblems) skipNote('suppression', problem.message, problem.line);
    // A policy that threw on this file: that rule did not check it (verdict PARTIAL, exit 2); the others did.
    for (const failed of analysis.internal ?? []) skip('internal', `internal error in ${failed.ruleId}: ${failed.message}; that rule did not check the file`);
    querySites += analysis.querySites;
    const toScanPath = (projectFile: string) => rel(resolve(project.root, projectFile));
    for (const finding of analysis.findings) findings.push({ ...finding, file: toScanPath(finding.file) });
    for (const site of analysis.unknown) unknown.push({ ...site, file: toScanPath(site.file) });
    const tally = tallyOf(project.schemaFrom ?? project.root);
    addCoverage(tally, analysis.coverage);
    for (const missed of analysis.coverage.notTraced) notTracedSites.push({ file: display, ...missed });
    for (const call of analysis.coverage.unreadStore ?? []) {
      const file = toScanPath(call.file);
      const key = `${file}:${call.line}`;
      let sender = unreadSenders.get(key);
      if (!sender) unreadSenders.set(key, (sender = { sender: call.sender, file, line: call.line, url: call.url, calls: 0, tables: new Set() }));
      sender.calls += 1;
      sender.tables.add(call.table);
    }
    if (options.details) {
      for (const entry of analysis.suppressedFindings ?? []) {
        const { directive, ...rest } = entry;
        suppressions.push({ ...rest, file: toScanPath(entry.file), directive: directive.directive, directiveLine: directive.line, reason: directive.reason });
      }
      const key = project.schemaFrom ?? project.root;
      let perTable = tableQueries.get(key);
      if (!perTable) tableQueries.set(key, (perTable = new Map()));
      for (const [table, counts] of Object.entries(analysis.tableQueries ?? {})) {
        const total = perTable.get(table) ?? { analysed: 0, unscoped: 0, notAnalysable: 0 };
        total.analysed += counts.analysed;
        total.unscoped += counts.unscoped;
        total.notAnalysable += counts.notAnalysable;
        perTable.set(table, total);
      }
    }
  }

  // `.sql` query files (sqlc, PgTyped, plain): every statement checked like raw SQL in code.
  // Migrations are the schema's, not queries: the files a project folded are left out.
  const sqlFiles = options.files ? options.files.filter((file) => file.endsWith('.sql')) : isDir ? await discoverSqlFiles(root, ignores) : target.endsWith('.sql') ? [target] : [];
  done = 0;
  // Which `.sql` files the scanned code names (`readFileSync(join(__dirname, 'notes.sql'))`), read
  // once and only when a file neither names its queries nor binds a parameter (see sentByTheApplication).
  let namedSqlFiles: SqlFileNames | undefined;
  // Only a scan of the whole tree sees all the code that could load a file; otherwise it is assumed loaded.
  const loadedByCode = (file: string) => () => {
    if (!isDir || options.files) return true;
    namedSqlFiles ??= sqlFileNamesIn(files, (source) => modules.knownText(source) ?? readTextFileSafe(source, { root, maxBytes: MAX_FILE_BYTES }));
    return namedSqlFiles.anyName || namedSqlFiles.names.has(basename(file).toLowerCase());
  };
  for (const file of sqlFiles) {
    options.onProgress?.({ phase: 'sql', done: done++, total: sqlFiles.length });
    // A FIFO, socket or device named like a query or a migration, or a link out of the tree: never
    // opened for reading, and counted as a file not read (exit 2), whatever the project has.
    if (!options.sources?.has(file)) {
      try {
        assertPlainFile(file, { root });
      } catch (error) {
        diagnostics.push({ code: 'unreadable', file: rel(file), message: `cannot read: ${oneLine(error)}` });
        continue;
      }
    }
    const project = projectFor(file);
    const projectFile = toPosix(relative(project.root, file));
    // A schema file (a folded migration, ClickHouse DDL) is the schema, not queries the application sends.
    if (project.schema.sources.some((s) => (s.kind === 'sql' || s.kind === 'clickhouse') && s.files.includes(projectFile))) continue;
    if (project.schema.tables.size === 0) continue;
    let text: string;
    try {
      text = options.sources?.get(file) ?? readTextFileSafe(file, { root });
    } catch (error) {
      diagnostics.push({ code: 'unreadable', file: rel(file), message: `cannot read: ${error instanceof Error ? error.message : String(error)}` });
      continue;
    }
    let analysis: SqlFileAnalysis;
    try {
      const run = withFileBudget(() => analyzeSqlFileRecovering(text, projectFile, project, loadedByCode(file)), budget);
      if (run.tripped) {
        diagnostics.push({ code: 'internal', file: rel(file), message: `${run.error.message}; the file was not analysed` });
        continue;
      }
      analysis = run.value;
    } catch (error) {
      diagnostics.push({ code: 'internal', file: rel(file), message: `internal error while analysing SQL: ${oneLine(error)}` });
      continue;
    }
    if (analysis.skipped) {
      // A psql script or an undo migration: counted as skipped, with the reason, never silently.
      diagnostics.push({ code: 'not-a-query-file', file: rel(file), message: `skipped: ${analysis.skipped}` });
      continue;
    }
    if (analysis.querySites === 0 && analysis.unknown.length === 0) continue;
    filesScanned += 1;
    querySites += analysis.querySites;
    suppressed += analysis.suppressed;
    const tally = tallyOf(project.schemaFrom ?? project.root);
    tally.analysed += analysis.querySites + analysis.unknown.length;
    tally.notAnalysable += analysis.unknown.length;
    tally.unscoped += analysis.querySites;
    for (const finding of analysis.findings) findings.push({ ...finding, file: rel(file) });
    for (const site of analysis.unknown) unknown.push({ ...site, file: rel(file) });
  }

  // Schema findings in schema.prisma or .sql migrations: files no TypeScript pass sees. Those in
  // TypeScript files (Drizzle tables, TypeORM entities) came with analyzeFile, as in ESLint.
  // A schema in a sub-package is read by that package's project and by an enclosing one (the
  // repository root): each finding and diagnostic of a schema file is reported once.
  const reported = new Set<string>();
  const once = (key: string): boolean => !reported.has(key) && Boolean(reported.add(key));
  // A nested package whose package.json or config is broken is analysed with the enclosing project:
  // several folders then map to one project, which is summarised and counted once.
  // The workspace project whose schema a package borrows is summarised and counted too, as in a
  // scan of the repository root (a file argument or a subfolder may not load it otherwise).
  const withSchemaOwners = [...projects.values()].flatMap((project) => {
    const owner = project.schemaFrom === undefined ? undefined : loaded.get(project.schemaFrom);
    return owner ? [project, owner] : [project];
  });
  const distinct = new Map(withSchemaOwners.map((project) => [project.root, project]));
  for (const project of distinct.values()) {
    if (project.schemaFrom) continue; // reported by the workspace's own project
    let fromSchema: ReturnType<typeof schemaFindings> = [];
    try {
      fromSchema = schemaFindings(project);
    } catch (error) {
      diagnostics.push({ code: 'internal', file: rel(project.root) || '.', message: `internal error while checking the schema: ${oneLine(error)}` });
    }
    for (const finding of fromSchema) {
      if (/\.[cm]?[jt]sx?$/.test(finding.file)) continue;
      // Tables of the package this one extends are that package's to report.
      if (project.schemaExtends && finding.file.startsWith('../')) continue;
      const file = rel(resolve(project.root, finding.file));
      if (file.startsWith('../')) continue;
      if (!once(`${file}:${finding.line}:${finding.column}:${finding.ruleId}:${finding.messageId}:${finding.message}`)) continue;
      findings.push({ ...finding, file });
    }
  }

  const summaries: ProjectSummary[] = [];
  for (const project of distinct.values()) {
    if (project.schema.sources.length === 0 && project.root !== root && !project.configFile) continue;
    if (project.schemaFrom) continue; // its schema is the workspace's, summarised there
    const summary = summarise(project, rel);
    if (options.details) summary.tableDetails = tableDetails(project, tableQueries.get(project.root), rel);
    summaries.push(summary);
    for (const d of project.schema.diagnostics) {
      const file = rel(resolve(project.root, d.file));
      if (!once(`diagnostic ${file}:${d.line}:${d.column}:${d.message}`)) continue;
      // A schema reader that failed or ran out of time left part of the schema unread: that is an
      // incomplete analysis (exit 2), not a mistake in the schema.
      diagnostics.push({ code: isIncompleteMessage(d.message) ? 'internal' : 'schema-error', file, line: d.line, column: d.column, message: d.message });
    }
  }
  cache?.save((file) => modules.importsOf(file), modules.importers(), configFilesRead());
  findings.sort(compareFindings);
  // SQL sent over HTTP to a store no rule reads (capgo's Cloudflare Analytics Engine): said once per function, like a ClickHouse dependency.
  for (const s of [...unreadSenders.values()].sort((a, b) => compareText(a.file, b.file) || a.line - b.line)) {
    const tables = [...s.tables].sort(compareText);
    const named = tables.slice(0, 4).map((t) => `\`${t}\``).join(', ') + (tables.length > 4 ? `, and ${tables.length - 4} more` : '');
    diagnostics.push({ code: 'unread-store', file: s.file, line: s.line, message: `\`${s.sender}\` sends SQL over HTTP to \`${s.url}\`, a store tenant-lint does not read: its ${s.calls} call${s.calls === 1 ? '' : 's'} (on ${named}) are neither analysed nor counted in the coverage` });
  }
  const coverage = deterministic(coverageReport(distinct, census, notTracedSites, rel));
  // A file left out by an internal error or its time budget, or not read at all, was not analysed:
  // the scan cannot say COMPLETE (and exits 2, as for every `internal` diagnostic).
  if (coverage.verdict === 'COMPLETE' && diagnostics.some((d) => d.code === 'internal' || d.code === 'unread-store' || NOT_READ_CODES.has(d.code))) coverage.verdict = 'PARTIAL';
  // A project whose package.json depends on a store no rule reads is not COMPLETE either.
  for (const p of coverage.projects) {
    const inProject = (d: Diagnostic) => (d.line === undefined ? toPosix(dirname(d.file)) === p.root : p.root === '.' || toPosix(d.file).startsWith(`${p.root}/`));
    if (p.verdict === 'COMPLETE' && diagnostics.some((d) => d.code === 'unread-store' && inProject(d))) p.verdict = 'PARTIAL';
  }
  return {
    coverage,
    tool: { name: 'tenant-lint', version: VERSION },
    root,
    // Plain code-unit order, never localeCompare: the same tree gives the same bytes in every locale.
    projects: summaries.sort((a, b) => compareText(a.root, b.root)),
    findings,
    diagnostics: diagnostics.sort(compareDiagnostics),
    unknown: unknown.sort((a, b) => compareText(a.file, b.file) || a.line - b.line || a.column - b.column || compareText(a.ruleId, b.ruleId) || compareText(a.reason, b.reason)),
    stats: {
      filesScanned,
      filesSkipped: diagnostics.filter((d) => SKIPPING_CODES.has(d.code)).length,
      suppressed,
      testFiles,
      querySites,
      durationMs: Math.round(performance.now() - started),
    },
    failOn: options.failOn ?? rootConfig.config.failOn ?? 'error',
    ...(options.details ? { suppressions: suppressions.sort((a, b) => compareText(a.file, b.file) || a.line - b.line || a.column - b.column || compareText(a.ruleId, b.ruleId)) } : {}),
  };
}

/** The tenant isolation matrix of one project: every table, what isolates it, and the queries on it. */
function tableDetails(project: Project, queries: Map<string, TableQueryCounts> | undefined, rel: (path: string) => string): TableDetail[] {
  const { schema } = project;
  const hasSql = schema.sources.some((source) => source.kind === 'sql');
  const at = (location: { file: string; line: number } | undefined) => (location ? { file: rel(resolve(project.root, location.file)), line: location.line } : undefined);
  const rows: TableDetail[] = [];
  for (const table of schema.tables.values()) {
    const keys = new Set(table.tenantKeys);
    const candidates = [table.primaryKey, ...table.uniques.map((u) => u.fields), ...table.indexes].filter((columns) => columns.length > 0);
    const leading = candidates.filter((columns) => keys.has(columns[0]));
    const tenantIndex: TableDetail['tenantIndex'] = keys.size === 0 ? 'n/a' : leading.length === 0 ? 'none' : leading.some((columns) => columns.length > 1) ? 'composite' : 'alone';
    // A policy isolates by the tenant column, or for a child table by its key to the tenant parent.
    const parentFields = table.parentRelations.flatMap((name) => table.relations.get(name)?.fields ?? []);
    const dbKeys = new Set([...table.tenantKeys, ...parentFields].flatMap((field) => [field, table.columns.get(field)?.dbName ?? field]));
    const rls: TableDetail['rls'] = table.rls
      ? {
          enabled: table.rls.enabled,
          forced: table.rls.forced,
          tenantPolicies: table.rls.policies.filter((p) => p.columns.some((c) => dbKeys.has(c))).map((p) => p.name),
          otherPolicies: table.rls.policies.filter((p) => !p.columns.some((c) => dbKeys.has(c))).map((p) => p.name),
        }
      : hasSql
        ? { enabled: false, forced: false, tenantPolicies: [], otherPolicies: [] }
        : undefined;
    const location = at(table.location);
    rows.push({
      name: table.name,
      dbName: table.dbName,
      class: table.class,
      classReason: table.classReason,
      ...(location ? { location } : {}),
      tenantKeys: table.tenantKeys.map((field) => {
        const key = schema.tenantKeys.find((k) => k.table === table.name && k.field === field);
        const keyAt = at(key?.location);
        return { field, notNull: table.columns.get(field)?.nullable === false, references: key?.references ?? schema.root ?? '', ...(keyAt ? { location: keyAt } : {}) };
      }),
      parentRelations: table.parentRelations,
      tenantIndex,
      ...(rls ? { rls } : {}),
      queries: queries?.get(table.name) ?? { analysed: 0, unscoped: 0, notAnalysable: 0 },
    });
  }
  return rows.sort((a, b) => compareText(a.name, b.name));
}

interface SqlFileNames {
  /** File names (lower case) a source file writes in a string: `'./queries/notes.sql'`. */
  names: Set<string>;
  /** A name built at run time (`${name}.sql`, `name + '.sql'`, `.endsWith('.sql')`): any file may be loaded. */
  anyName: boolean;
}

/** The `.sql` file names the given source files write in strings; a file that cannot be read names none. */
function sqlFileNamesIn(files: readonly string[], read: (file: string) => string): SqlFileNames {
  const found: SqlFileNames = { names: new Set(), anyName: false };
  for (const file of files) {
    let text: string;
    try {
      text = read(file);
    } catch {
      continue;
    }
    if (!/\.sql\b/i.test(text)) continue;
    for (const match of text.matchAll(/(?<=['"`/\\])([\w.-]*)\.sql(?=['"`])/gi)) {
      if (match[1]) found.names.add(`${match[1].toLowerCase()}.sql`);
      else found.anyName = true;
    }
    if (/\}\.sql['"`]/i.test(text)) found.anyName = true;
  }
  return found;
}

/** How the query-file analysis says a file did not parse: one undecided site, nothing else. */
const DOES_NOT_PARSE = 'the SQL does not parse';

/**
 * A `.sql` query file, analysed; when it does not parse as a whole, analysed again without the
 * statements that do not parse on their own, each of which is then one undecided site (a counted
 * loss of that statement, not of the file).
 */
function analyzeSqlFileRecovering(text: string, projectFile: string, project: Project, loaded: () => boolean): SqlFileAnalysis {
  const analysis = analyzeSqlQueryFile(text, projectFile, project.schema, project.config, { loaded });
  const failed = (a: SqlFileAnalysis) => a.findings.length === 0 && a.querySites === 0 && a.unknown.length === 1 && a.unknown[0].reason.startsWith(DOES_NOT_PARSE);
  if (!failed(analysis)) return analysis;
  const recovered = blankUnparseableStatements(text);
  if (recovered.unparsed.length === 0) return analysis;
  const retry = analyzeSqlQueryFile(recovered.text, projectFile, project.schema, project.config, { loaded });
  // The splitter and the parser disagree about this file: keep the whole-file verdict.
  if (failed(retry)) return analysis;
  const lost = recovered.unparsed.map((statement) => ({
    ruleId: 'require-tenant-filter',
    file: projectFile,
    line: statement.line,
    column: statement.column,
    reason: `${DOES_NOT_PARSE}: this statement (${statement.message}); the other statements of the file were analysed`,
  }));
  return { ...retry, unknown: [...retry.unknown, ...lost] };
}

/** Code-unit order: the same in every locale, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return compareText(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || compareText(a.code, b.code) || compareText(a.message, b.message);
}

/**
 * The coverage report in code-unit order (coverage.ts sorts with localeCompare, whose order depends on
 * the process's locale). Top reasons and files stay in count order; ties are broken by code units.
 */
function deterministic(coverage: CoverageReport): CoverageReport {
  const byCount = <T>(count: (item: T) => number, key: (item: T) => string) => (a: T, b: T) => count(b) - count(a) || compareText(key(a), key(b));
  return {
    ...coverage,
    projects: [...coverage.projects].sort((a, b) => compareText(a.root, b.root)),
    topReasons: [...coverage.topReasons].sort(byCount((r) => r.count, (r) => r.reason)),
    topFiles: [...coverage.topFiles].sort(byCount((f) => f.notTraced, (f) => f.file)),
    notTracedSites: [...coverage.notTracedSites].sort((a, b) => compareText(a.file, b.file) || a.line - b.line || a.column - b.column || compareText(a.reason, b.reason)),
  };
}

function summarise(project: Project, rel: (path: string) => string): ProjectSummary {
  const tables: Record<TableClass, string[]> = { tenant: [], child: [], global: [], unclassified: [] };
  for (const table of project.schema.tables.values()) tables[table.class].push(table.name);
  for (const list of Object.values(tables)) list.sort();
  return {
    root: rel(project.root),
    schemaSources: project.schema.sources.map((s) => ({ kind: s.kind, files: s.files.map((f) => rel(resolve(project.root, f))) })),
    tenantRoot: project.schema.root ?? null,
    tenantRootReason: project.schema.rootReason,
    tenantLevels: project.schema.levels,
    tenantKeys: project.schema.tenantKeys.map((k) => ({ table: k.table, field: k.field, references: k.references, ...(k.byName ? { byName: true } : {}) })),
    tables,
    globalByStructure: [...project.schema.tables.values()].filter((t) => t.globalByStructure).map((t) => t.name).sort(),
    ...otherDatabases(project),
    configFile: project.configFile ? rel(project.configFile) : null,
  };
}

/** The tables of another database (ClickHouse) and how each joins the tenant hierarchy of the application's. */
function otherDatabases(project: Project): Pick<ProjectSummary, 'otherDatabases'> {
  const byDatabase = new Map<string, { name: string; class: TableClass; link: string }[]>();
  for (const table of project.schema.tables.values()) {
    if (!table.database) continue;
    const parent = table.parentRelations.map((r) => table.relations.get(r)).find((r) => r !== undefined);
    const key = table.tenantKeys[0];
    const link = parent
      ? `child of ${parent.target} by ${table.columns.get(parent.fields[0] ?? '')?.dbName ?? parent.fields[0]}`
      : key
        ? `tenant key ${table.columns.get(key)?.dbName ?? key}`
        : table.class === 'global'
          ? 'global'
          : 'no column names a tenant key';
    const list = byDatabase.get(table.database) ?? [];
    list.push({ name: table.name, class: table.class, link });
    byDatabase.set(table.database, list);
  }
  if (byDatabase.size === 0) return {};
  return { otherDatabases: [...byDatabase].map(([database, tables]) => ({ database, tables: tables.sort((a, b) => compareText(a.name, b.name)) })) };
}

/** A nested package's config problem in one line, its file relative to the scan (no absolute path in a report). */
function configProblem(error: unknown, rel: (path: string) => string): string {
  if (!(error instanceof ConfigurationError)) return oneLine(error);
  const [file, key] = error.file.split('#');
  return `${rel(file)}${key ? `#${key}` : ''}: ${error.reason.split('\n')[0]}`;
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
