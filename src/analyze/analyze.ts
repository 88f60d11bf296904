import { dirname, relative } from 'node:path';
import picomatch from 'picomatch';
import type { TSESTree } from '@typescript-eslint/types';
import type { TenantLintConfig } from '../config/schema.js';
import { RECOGNIZERS, recognizeQueries } from '../orm/index.js';
import { recognizeRawSql } from '../orm/raw-sql.js';
import { callOf, censusCall, censusSqlText, countCalls, isMigrationFile, type UnreadStoreCall } from '../orm/census.js';
import { enclosingSymbol, T, textOf, walk, type FileUnit, type Node } from '../core/ast.js';
import { sessionSettingFinding } from '../policies/require-tenant-filter/index.js';
import { checkSchema } from '../policies/schema-rules/index.js';
import { onlyTestedForExistence } from '../core/syntax.js';
import { isTestFile } from '../core/test-files.js';
import { checkCacheKeys, checkClientTenantIds, checkQuerySites } from './policies.js';
import type { CheckOutput } from '../core/check-output.js';
import type { AnalysisContext } from '../core/query-site.js';
import type { RawFinding } from '../core/check-output.js';
import { fingerprintOf, Occurrences, type Finding, type Severity } from '../core/finding.js';
import type { OrmRecognizer, QuerySite } from '../core/query-site.js';
import type { Resolver } from '../core/resolve.js';
import { useServiceLayers } from '../flow/callers.js';
import { RULE_META, type RuleId } from '../core/rule-meta.js';
import { BudgetExceeded } from '../scan/budget.js';
import type { TenantSchema } from '../core/schema.js';
import type { UnknownSite } from '../core/result.js';
import { readSuppressions, type SuppressionDirective } from '../core/suppressions.js';

/** Checks that run on every file with the calls of one walk; a rule that is not about query sites adds one here. */
export const FILE_CHECKS: ((calls: TSESTree.CallExpression[], context: AnalysisContext) => CheckOutput)[] = [checkClientTenantIds, checkCacheKeys];
/** The rule each of FILE_CHECKS decides, in the same order: a check that throws costs that rule on that file. */
const FILE_CHECK_RULES: RuleId[] = ['no-client-tenant-id', 'require-tenant-cache-key'];

/** Registered ORM recognizers (src/orm/index.ts), re-exported for the docs test. */
export { RECOGNIZERS };

export interface ProjectView {
  root: string;
  schema: TenantSchema;
  config: TenantLintConfig;
  /** ORM packages the project imports; when known, only their recognizers run. */
  orms?: ReadonlySet<string>;
}

export interface FileAnalysis {
  findings: Finding[];
  unknown: UnknownSite[];
  querySites: number;
  /** Findings silenced by a suppression comment. */
  suppressed: number;
  /** Suppression comments that name unknown rules or lack a reason. */
  suppressionProblems: { line: number; message: string }[];
  /** A test, spec, e2e or seed file, not analysed unless `includeTests` is set. */
  skippedAsTest?: boolean;
  /** The coverage census of this file's data access. */
  coverage: FileCoverage;
  /** Each finding a comment silenced, with the directive and its reason (the HTML report's inventory). */
  suppressedFindings?: SuppressedFinding[];
  /** Query sites of this file per table (by the schema's table name): analysed, unscoped, filter unreadable. */
  tableQueries?: Record<string, TableQueryCounts>;
  /** Rules whose policy threw on this file (a bug, or an input nobody foresaw): that rule did not check it; the others did. */
  internal?: { ruleId: RuleId; message: string }[];
}

export interface SuppressedFinding {
  ruleId: string;
  /** Project-relative, like findings. */
  file: string;
  line: number;
  column: number;
  message: string;
  directive: SuppressionDirective;
}

export interface TableQueryCounts {
  analysed: number;
  unscoped: number;
  notAnalysable: number;
}

/** Data-access calls of one file: analysed (by outcome) and not traced (with where the trace stopped). */
export interface FileCoverage {
  scoped: number;
  unscoped: number;
  /** Recognised as queries on a tenant table, but the filter could not be read (a `where` built elsewhere). */
  notAnalysable: number;
  /** Recognised because the schema names the model or table, though the receiver was not traced to a client. */
  schemaMatched: number;
  notTraced: { orm: string; table: string; line: number; column: number; reason: string }[];
  /** Calls that hand SQL to a project function sending it to a store no rule reads: one diagnostic per function, not counted per call. */
  unreadStore?: (UnreadStoreCall & { table: string })[];
}

export function emptyCoverage(): FileCoverage {
  return { scoped: 0, unscoped: 0, notAnalysable: 0, schemaMatched: 0, notTraced: [] };
}


// `**/migrations/**`: a migration's code (Cap's `packages/database/migrations/orgid_backfill.ts`, a
// backfill its migrate step runs at boot) is run by a deployment, never by a request.
const DEFAULT_SYSTEM_PATHS = ['**/jobs/**', '**/workers/**', '**/cron/**', '**/crons/**', '**/scripts/**', '**/migrations/**', '**/*.job.{ts,js}', '**/*.worker.{ts,js}'];
const systemMatchers = new WeakMap<TenantLintConfig, (path: string) => boolean>();

/** Background jobs, workers, cron, scripts and migrations: code that runs as the system, without a request. */
export function isSystemPath(projectFile: string, config: TenantLintConfig): boolean {
  let matcher = systemMatchers.get(config);
  if (!matcher) {
    const patterns = config.systemPaths ?? DEFAULT_SYSTEM_PATHS;
    matcher = patterns.length ? picomatch(patterns, { dot: true }) : () => false;
    systemMatchers.set(config, matcher);
  }
  // A file outside the project root that holds the schema (`../lib/jobs/x.ts` in a monorepo whose
  // schema package is a sibling) is matched by its path below the common folder.
  return matcher(projectFile.replace(/^(\.\.\/)+/, ''));
}

export { isTestFile };

export interface AnalyzeOptions {
  /** Only this rule (the ESLint adapter runs one rule at a time). */
  only?: RuleId;
  /** Honour `eslint-disable` comments for tenant-lint rules (scanner only; ESLint does it itself). */
  eslintDirectives?: boolean;
}

export function toPosix(path: string): string {
  return path.split('\\').join('/');
}

export function severityFor(ruleId: RuleId, config: TenantLintConfig, demoted = false, mild = false, informational = false): Severity | 'off' {
  const setting = config.rules?.[ruleId] ?? RULE_META[ruleId].defaultSeverity;
  if (setting === 'off') return 'off';
  if (informational) return 'info';
  let severity: Severity = setting;
  if (mild && severity === 'error') severity = 'warning';
  if (demoted) severity = severity === 'error' ? 'warning' : 'info';
  return severity;
}

const recognizerCache = new WeakMap<ReadonlySet<string>, OrmRecognizer[]>();

/** Prisma always (its client is often generated to a local path); the others when the project imports them. */
function recognizersFor(project: ProjectView): OrmRecognizer[] {
  const orms = project.orms;
  if (!orms) return RECOGNIZERS;
  let found = recognizerCache.get(orms);
  if (!found) {
    found = RECOGNIZERS.filter((r) => r.name === 'prisma' || r.enablers.some((e) => orms.has(e)));
    recognizerCache.set(orms, found);
  }
  return found;
}

/** Everything about one file, all rules at once; the ESLint rules share it through this cache. */
const analysisCache = new WeakMap<TSESTree.Program, { project: ProjectView; result: FileAnalysis }>();

/**
 * Runs every check on one file: one walk collects the call sites, recognizers turn them into
 * facts, the policies decide. Both faces call this; ESLint with its own tree and scopes. Schema
 * findings located in this file (a Drizzle table, a TypeORM entity) are part of it.
 */
export function analyzeFile(unit: FileUnit, project: ProjectView, resolver: Resolver, options: AnalyzeOptions = {}): FileAnalysis {
  const cached = analysisCache.get(unit.ast);
  const all = cached && cached.project === project ? cached.result : analyzeAll(unit, project, resolver, options.eslintDirectives ?? false);
  analysisCache.set(unit.ast, { project, result: all });
  const { only } = options;
  if (!only) return all;
  return {
    ...all,
    findings: all.findings.filter((f) => f.ruleId === only),
    unknown: all.unknown.filter((u) => u.ruleId === only),
  };
}

function analyzeAll(unit: FileUnit, project: ProjectView, resolver: Resolver, eslintDirectives: boolean): FileAnalysis {
  const projectFile = toPosix(relative(project.root, unit.file));
  if (!project.config.includeTests && isTestFile(projectFile)) {
    return { findings: [], unknown: [], querySites: 0, suppressed: 0, suppressionProblems: [], skippedAsTest: true, coverage: emptyCoverage() };
  }
  const context: AnalysisContext = {
    unit,
    schema: project.schema,
    config: project.config,
    resolver,
    recognizers: recognizersFor(project),
    root: project.root,
    isTestPath: isTestFile,
    isSystemPath: (path) => isSystemPath(path, project.config),
  };
  const statements = (context.recognizers ?? []).filter((r) => r.statementOf);
  if (statements.length > 0) {
    context.statementOf = (fn, at) => {
      for (const recognizer of statements) {
        const statement = recognizer.statementOf?.(fn, { ...context, unit: at });
        if (statement) return statement;
      }
      return undefined;
    };
  }
  // `yield* SqlClient` is what the project's layers provide for it: every question of this file sees them.
  useServiceLayers(project.root, resolver, isTestFile);
  const calls: TSESTree.CallExpression[] = [];
  const tagged: TSESTree.TaggedTemplateExpression[] = [];
  walk(unit.ast, (node) => {
    if (node.type === T.CallExpression) calls.push(node);
    if (node.type === T.TaggedTemplateExpression) tagged.push(node);
  });
  const sites: QuerySite[] = [];
  const coverage = emptyCoverage();
  if (project.schema.tables.size > 0) {
    const orms = new Set((context.recognizers ?? RECOGNIZERS).map((r) => r.name));
    for (const call of calls) {
      const found = recognizeQueries(call, context);
      if (found.length > 0) {
        sites.push(...found);
        continue;
      }
      const missed = censusCall(call, context, orms);
      if (missed) coverage.notTraced.push({ ...missed, line: call.loc.start.line, column: call.loc.start.column + 1 });
    }
  }
  const raw = project.schema.tables.size > 0 ? recognizeRawSql([...calls, ...tagged], context) : { sites: [], unknown: [], settings: [], localSettings: [], notTraced: [] };
  sites.push(...raw.sites);
  // A secret looked up only to see that it exists vouches for no tenant in particular: not scoped, whatever the library.
  for (const site of sites) {
    if (site.predicate.kind === 'scoped' && site.predicate.credential && onlyTestedForExistence(site.call, unit)) {
      site.predicate = { kind: 'unscoped', detail: `a lookup by the secret \`${site.predicate.credential}\` whose result is only tested for existence: the row's tenant is never read, so any tenant's secret passes` };
    }
  }
  // Raw SQL sent on a receiver no recognizer traced (not a call an ORM recognizer or the census already counted).
  const counted = new Set<Node>(sites.map((s) => s.call));
  const censused = new Set(coverage.notTraced.map((m) => `${m.line}:${m.column}`));
  // The calls an ORM recognizer or the raw-SQL reader read (decided or not): by range, and by where they start.
  const read = [...sites.map((s) => s.call), ...raw.unknown.map((u) => callOf(u.node))];
  const analysedCalls = new Set(read.map((n) => `${n.range[0]}:${n.range[1]}`));
  for (const missed of raw.notTraced) {
    const at = { line: missed.call.loc.start.line, column: missed.call.loc.start.column + 1 };
    if (counted.has(missed.call as Node) || censused.has(`${at.line}:${at.column}`)) continue;
    // A fragment inside an analysed call (\`prisma.$queryRaw(Prisma.sql\`...\`)\`) is a part of that call, counted there.
    if (insideCall(missed.call, analysedCalls)) continue;
    coverage.notTraced.push({ orm: 'sql', table: missed.table, reason: missed.reason, ...at });
    censused.add(`${at.line}:${at.column}`);
  }
  // SQL text handed to a function no recognizer traced (a project helper over an unread client).
  if (project.schema.tables.size > 0) {
    const analysed = new Set<string>(read.map((n) => `${n.loc.start.line}:${n.loc.start.column + 1}`));
    for (const call of calls) {
      const at = { line: call.loc.start.line, column: call.loc.start.column + 1 };
      const key = `${at.line}:${at.column}`;
      if (analysed.has(key) || censused.has(key)) continue;
      const missed = censusSqlText(call, context);
      if (missed?.store) (coverage.unreadStore ??= []).push({ ...missed.store, table: missed.table });
      else if (missed) coverage.notTraced.push({ ...missed, ...at });
    }
  }
  // With the project's own folder: a migrations folder with its own package.json is a project (unleash's src/migrations).
  if (isMigrationFile(toPosix(relative(dirname(project.root), unit.file)))) {
    coverage.notTraced = [];
    delete coverage.unreadStore;
  }
  const tableQueries: Record<string, TableQueryCounts> = {};
  for (const site of sites) {
    const perTable = (tableQueries[site.table.name] ??= { analysed: 0, unscoped: 0, notAnalysable: 0 });
    perTable.analysed++;
    if (site.predicate.kind === 'unknown') perTable.notAnalysable++;
    else if (!(site.predicate.kind === 'scoped' || (site.client.kind === 'client' && site.client.scoped))) perTable.unscoped++;
  }
  // Per call, not per site: a statement over three tables is one data-access call.
  Object.assign(coverage, countCalls(sites, raw.unknown.map((u) => callOf(u.node))));
  // A policy that throws costs its rule on this file, named in `internal`; the other rules' results stand.
  const internal: { ruleId: RuleId; message: string }[] = [];
  const isolated = (ruleId: RuleId, run: () => CheckOutput): CheckOutput => {
    try {
      return run();
    } catch (error) {
      if (error instanceof BudgetExceeded) throw error;
      internal.push({ ruleId, message: (error instanceof Error ? error.message : String(error)).split('\n')[0] });
      return { findings: [], unknown: [], sites: 0 };
    }
  };
  const output = isolated('require-tenant-filter', () => checkQuerySites(sites, context, raw.localSettings));
  if (isSystemPath(projectFile, project.config)) {
    for (const f of output.findings) {
      if (f.ruleId !== 'require-tenant-filter') continue;
      f.informational = true;
      f.evidence += ' This file matches `systemPaths` (jobs, workers, scripts: code that runs without a request), so it is reported at info: check that the ids it uses come from server-side state, not from a request.';
    }
  }
  for (const u of raw.unknown) output.unknown.push({ ruleId: 'require-tenant-filter', node: u.node, reason: u.reason });
  for (const s of raw.settings) output.findings.push(sessionSettingFinding(s.node, s.calleeText, s.span));
  for (const [index, check] of FILE_CHECKS.entries()) {
    const more = isolated(FILE_CHECK_RULES[index], () => check(calls, context));
    output.findings.push(...more.findings);
    output.unknown.push(...more.unknown);
    // Cache accesses and tenant-id flows are counted with query sites: "N analysed, M not analysable".
    output.sites += more.sites;
  }
  const suppressions = readSuppressions(unit.ast.comments, eslintDirectives);
  const kept = output.findings.filter((f) => !suppressions.isSuppressed(f.ruleId, f.span?.line ?? f.node.loc.start.line));
  const schemaHere = schemaFindings(project).filter((f) => f.file === projectFile);
  const schemaKept = schemaHere.filter((f) => !suppressions.isSuppressed(f.ruleId, f.line));
  const suppressedFindings: SuppressedFinding[] = [];
  for (const f of output.findings) {
    const line = f.span?.line ?? f.node.loc.start.line;
    const directive = suppressions.directiveFor(f.ruleId, line);
    if (directive) suppressedFindings.push({ ruleId: f.ruleId, file: projectFile, line, column: f.span?.column ?? f.node.loc.start.column + 1, message: f.message, directive });
  }
  for (const f of schemaHere) {
    const directive = suppressions.directiveFor(f.ruleId, f.line);
    if (directive) suppressedFindings.push({ ruleId: f.ruleId, file: projectFile, line: f.line, column: f.column, message: f.message, directive });
  }
  return {
    suppressedFindings,
    tableQueries,
    suppressed: output.findings.length - kept.length + schemaHere.length - schemaKept.length,
    suppressionProblems: suppressions.problems,
    findings: [...toFindings(kept, unit, projectFile, project.config), ...schemaKept],
    unknown: output.unknown.map((u) => ({ ruleId: u.ruleId, file: projectFile, line: u.node.loc.start.line, column: u.node.loc.start.column + 1, reason: u.reason })),
    querySites: output.sites,
    coverage,
    ...(internal.length ? { internal } : {}),
  };
}

function insideCall(node: Node, calls: ReadonlySet<string>): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if ((current.type === T.CallExpression || current.type === T.TaggedTemplateExpression) && calls.has(`${current.range[0]}:${current.range[1]}`)) return true;
  }
  return false;
}

const schemaFindingCache = new WeakMap<TenantSchema, Finding[]>();

/**
 * The schema rules' findings for a project, computed once per TenantSchema. File paths are
 * project-relative; the scanner reports those outside TypeScript files (schema.prisma, .sql)
 * itself, and analyzeFile reports the rest with the file they are in, in both faces.
 */
export function schemaFindings(project: ProjectView): Finding[] {
  const cached = schemaFindingCache.get(project.schema);
  if (cached) return cached;
  const occurrences = new Occurrences();
  const findings: Finding[] = [];
  for (const f of checkSchema(project.schema, project.config)) {
    const severity = severityFor(f.ruleId, project.config, false, f.mild, f.informational);
    if (severity === 'off') continue;
    const occurrence = occurrences.next(f.ruleId, f.at.file, f.table, f.messageId);
    findings.push({
      ruleId: f.ruleId,
      messageId: f.messageId,
      severity,
      message: f.message,
      evidence: f.evidence,
      help: f.help,
      file: f.at.file,
      line: f.at.line,
      column: f.at.column,
      endLine: f.at.endLine,
      endColumn: f.at.endColumn,
      fingerprint: fingerprintOf({ ruleId: f.ruleId, projectFile: f.at.file, symbol: f.table, snippet: f.messageId, occurrence }),
    });
  }
  schemaFindingCache.set(project.schema, findings);
  return findings;
}

function toFindings(raw: RawFinding[], unit: FileUnit, projectFile: string, config: TenantLintConfig): Finding[] {
  const occurrences = new Occurrences();
  const findings: Finding[] = [];
  for (const f of [...raw].sort((a, b) => a.node.range[0] - b.node.range[0])) {
    const severity = severityFor(f.ruleId, config, f.demoted, f.mild, f.informational);
    if (severity === 'off') continue;
    const symbol = enclosingSymbol(f.node);
    const snippet = `${textOf(unit, f.node)}${f.subject ? `#${f.subject}` : ''}`;
    const occurrence = occurrences.next(f.ruleId, symbol, snippet.replace(/\s+/g, ''));
    findings.push({
      ruleId: f.ruleId,
      messageId: f.messageId,
      severity,
      message: f.message,
      evidence: f.evidence,
      help: f.help,
      file: projectFile,
      line: f.span?.line ?? f.node.loc.start.line,
      column: f.span?.column ?? f.node.loc.start.column + 1,
      endLine: f.span?.endLine ?? f.node.loc.end.line,
      endColumn: f.span?.endColumn ?? f.node.loc.end.column + 1,
      suggestions: f.suggestions,
      fingerprint: fingerprintOf({ ruleId: f.ruleId, projectFile, symbol, snippet, occurrence }),
    });
  }
  return findings;
}
