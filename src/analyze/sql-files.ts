import type { TenantLintConfig } from '../config/schema.js';
import { sqlLookup } from '../orm/raw-sql.js';
import { migrationPathReason, OPERATOR_FOLDER } from '../schema/sql-migrations.js';
import { byteOffsetToIndex } from '../sql/split.js';
import { SqlQueryAnalyzer } from '../sql/query.js';
import { sqlMissingWording } from '../policies/require-tenant-filter/index.js';
import { fingerprintOf, Occurrences, type Finding } from '../core/finding.js';
import type { UnknownSite } from '../core/result.js';
import { severityFor } from './analyze.js';
import type { TenantSchema } from '../core/schema.js';

/**
 * `.sql` query files (sqlc `query.sql`, PgTyped, plain files of queries): every statement is
 * checked like raw SQL in TypeScript. Placeholders (`:name`, `@name`, `sqlc.arg(name)`) become
 * `$n` of the same length so that positions stay where they are written. Findings are the
 * scanner's: ESLint does not lint .sql files.
 */
export interface SqlFileAnalysis {
  findings: Finding[];
  unknown: UnknownSite[];
  querySites: number;
  suppressed: number;
  /** Why the file is not a query file at all (a migration, a psql script): nothing in it was checked. */
  skipped?: string;
}

/** psql meta-commands (`\\connect db`, `\\set`, `\\i file`) at the start of a line: a psql script, not queries an app runs. */
const PSQL_META_COMMAND = /^[ \t]*\\[a-z!?]/im;

const SEED_STEMS = new Set(['seed', 'seeds', 'seeder', 'fixture', 'fixtures']);

/** Why a `.sql` file outside the folded migrations is not a query file, or undefined when it is one. */
export function notAQueryFile(text: string, projectFile: string): string | undefined {
  const migration = migrationPathReason(projectFile);
  if (migration) return migration;
  if (/(^|\/)[^/]*initdb\.d\//i.test(projectFile)) return 'a database init script (`docker-entrypoint-initdb.d`), not a query file';
  if (PSQL_META_COMMAND.test(blankSqlComments(text))) return 'a psql script (backslash meta-commands such as `\\connect`), not a query file';
  const operator = projectFile.split('/').slice(0, -1).find((part) => OPERATOR_FOLDER.test(part));
  if (operator) return `a script an operator runs (in a \`${operator}/\` folder), not a query the application sends`;
  // `supabase/seed.sql`, `db/seeds.sql`, `users.seed.sql`, `seed_dashboard.sql`: test data loaded by an
  // operator (capgo, judged G068; useSend's `apps/web/prisma/seed_dashboard.sql`), whichever word of the name says so.
  const name = projectFile.split('/').pop() ?? '';
  const words = name.toLowerCase().endsWith('.sql') ? name.slice(0, -4).toLowerCase().split(/[._-]/) : [];
  if (words.some((word) => SEED_STEMS.has(word))) return `seed data an operator loads (\`${name}\`), not a query the application sends`;
  return undefined;
}

/** `--` line comments blanked, so that a backslash in a comment is not a meta-command. */
function blankSqlComments(text: string): string {
  return text.replace(/--[^\n]*/g, '');
}

const OPERATOR_SCRIPT =
  'System code: no query of this file is named (sqlc, PgTyped), none binds a parameter, and no application code loads the file by its name; an operator runs it, not a request.';

const PLACEHOLDER = /sqlc\.n?arg\([^()]*\)|(?<![:\w$@]):[A-Za-z_]\w*|(?<![\w@])@[A-Za-z_]\w*/g;
const STATEMENT_START = /^\s*(--[^\n]*\n\s*)*(select|with|update|delete|insert)\b/i;

function withParameters(text: string): string {
  let n = 0;
  return text.replace(PLACEHOLDER, (match) => {
    const param = `$${++n}`;
    return param.length <= match.length ? param.padEnd(match.length, ' ') : match;
  });
}

/** Line starts of the last text asked about: a file's positions cost one pass, not one per site. */
let lineStarts: { text: string; starts: number[] } | undefined;

function position(text: string, index: number): { line: number; column: number } {
  if (lineStarts?.text !== text) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    lineStarts = { text, starts };
  }
  const { starts } = lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= index) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: index - starts[lo] + 1 };
}

/**
 * The ids of `-- tenant-lint-ignore <ids> -- reason`, as `--\s*tenant-lint-ignore\s+([\w-, ]+?)\s+--\s*\S`
 * would capture them, in linear time (that lazy group and `\s+` backtrack quadratically over blanks).
 */
function sqlIgnoreIds(line: string): string | undefined {
  const head = /--\s*tenant-lint-ignore\s+/.exec(line);
  if (!head) return undefined;
  const rest = line.slice(head.index + head[0].length);
  const reason = /(?<!\s)\s+--\s*\S/.exec(rest);
  if (!reason || reason.index < 1) return undefined;
  const ids = rest.slice(0, reason.index);
  return /^[\w\-, ]+$/.test(ids) ? ids : undefined;
}

/** `-- tenant-lint-ignore require-tenant-filter -- reason` on the line before a statement, or on its line. */
function suppressedLines(text: string): Set<number> {
  const lines = new Set<number>();
  text.split('\n').forEach((line, index) => {
    const match = sqlIgnoreIds(line);
    if (match?.split(/[\s,]+/).includes('require-tenant-filter')) {
      lines.add(index + 1);
      lines.add(index + 2);
    }
  });
  return lines;
}

/** sqlc's `-- name: GetNote :one` or PgTyped's `/* @name GetNote *\/`: queries compiled into the application's code. */
const QUERY_NAME = /--\s*name:\s*\w+|\/\*\s*@name\s+\w+/;

/**
 * Whether the application sends this file's statements: a query file names its queries (sqlc, PgTyped),
 * binds parameters (`$1`, `:id`, `@id`: values a caller supplies), or is loaded by the application's
 * code (`loaded`, when the caller can tell). Otherwise it is a script an operator runs (unkey's
 * `tools/migrate/timestamps.sql`, a backfill over all rows): system code, like a migration.
 */
/** `/* ... *\/` comments replaced by a space; an unclosed one runs to the end. A scan by indexOf: linear. */
function withoutBlockComments(text: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const open = text.indexOf('/*', from);
    if (open < 0) return out + text.slice(from);
    const close = text.indexOf('*/', open + 2);
    out += `${text.slice(from, open)} `;
    if (close < 0) return out;
    from = close + 2;
  }
}

export function sentByTheApplication(text: string, loaded: () => boolean): boolean {
  if (QUERY_NAME.test(text)) return true;
  const code = withoutBlockComments(blankSqlComments(text));
  if (/\$\d/.test(code) || new RegExp(PLACEHOLDER.source).test(code)) return true;
  return loaded();
}

export interface SqlFileOptions {
  /**
   * Whether the application's code loads this file by its name (`readFileSync('notes.sql')`). Not
   * given: assumed, so that a file nothing is known about is checked as the application's.
   */
  loaded?: () => boolean;
}

export function analyzeSqlQueryFile(text: string, projectFile: string, schema: TenantSchema, config: TenantLintConfig, options: SqlFileOptions = {}): SqlFileAnalysis {
  const result: SqlFileAnalysis = { findings: [], unknown: [], querySites: 0, suppressed: 0 };
  const skipped = notAQueryFile(text, projectFile);
  if (skipped) return { ...result, skipped };
  if (!STATEMENT_START.test(text.replace(/^(\s*--[^\n]*\n)*/, ''))) {
    if (!/\b(select|update|delete)\b/i.test(text)) return result;
  }
  const lookup = sqlLookup(schema);
  const analyzer = new SqlQueryAnalyzer((name) => lookup(name)?.info);
  const sql = withParameters(text);
  let statements;
  try {
    statements = analyzer.analyze(sql);
  } catch (error) {
    result.unknown.push({ ruleId: 'require-tenant-filter', file: projectFile, line: 1, column: 1, reason: `the SQL does not parse (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` });
    return result;
  }
  const suppressed = suppressedLines(text);
  const operatorScript = !sentByTheApplication(text, options.loaded ?? (() => true));
  const severitySetting = severityFor('require-tenant-filter', config);
  const occurrences = new Occurrences();
  for (const statement of statements) {
    const start = byteOffsetToIndex(sql, statement.location);
    // sqlc names each query in a comment: `-- name: GetInvoice :one`.
    // libpg-query's location skips leading comments: the ones since the previous `;` belong to this statement.
    const leading = text.slice(text.lastIndexOf(';', start - 1) + 1, start);
    const name = [...leading.matchAll(/--\s*name:\s*(\w+)/g)].pop()?.[1];
    for (const use of statement.uses) {
      const found = lookup(use.table);
      if (!found || (found.table.class !== 'tenant' && found.table.class !== 'child')) continue;
      result.querySites += 1;
      if (use.constrained) continue;
      const at = byteOffsetToIndex(sql, use.location);
      const { line, column } = position(text, at);
      if (suppressed.has(line)) {
        result.suppressed += 1;
        continue;
      }
      const wording = sqlMissingWording(name ? `Query \`${name}\`` : 'This query', statement.kind === 'other' ? 'read' : statement.kind === 'select' ? 'read' : statement.kind, found.table, use.alias, `no predicate on \`${use.alias}.${found.info.tenantColumns[0] ?? 'tenant key'}\` and no join to a constrained table`, schema);
      const severity = severityFor('require-tenant-filter', config, wording.demoted, false, operatorScript);
      if (severity === 'off' || severitySetting === 'off') continue;
      const occurrence = occurrences.next(name ?? '', use.alias);
      const isOr = use.orBypass !== undefined;
      result.findings.push({
        ruleId: 'require-tenant-filter',
        messageId: isOr ? 'orBypassesTenantFilter' : 'missingTenantFilter',
        severity,
        message: isOr ? `${name ? `Query \`${name}\`` : 'This query'}: an \`OR\` branch without the tenant predicate defeats the tenant filter on \`${found.table.dbName}\`.` : wording.message,
        evidence: operatorScript ? `${wording.evidence ? `${wording.evidence} ` : ''}${OPERATOR_SCRIPT}` : wording.evidence,
        help: isOr ? `Put the tenant predicate outside the \`OR\`: \`WHERE ${use.alias}.${found.info.tenantColumns[0] ?? 'tenant_id'} = $n AND (... OR ...)\`.` : wording.help,
        file: projectFile,
        line,
        column,
        endLine: line,
        endColumn: column + use.table.length,
        fingerprint: fingerprintOf({ ruleId: 'require-tenant-filter', projectFile, symbol: name ?? '<file>', snippet: use.alias, occurrence }),
      });
    }
  }
  return result;
}
