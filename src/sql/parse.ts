/**
 * SQL text -> the statement model. The file is split into statements here (see split.ts); each one is
 * parsed on its own, so one statement no parser accepts (MySQL, ClickHouse, a template) is one
 * diagnostic and the rest of the file is still read.
 *
 * Parser order: libpg-query first, pgsql-ast-parser when libpg-query rejects a statement or is not
 * loaded. Measured with bench/sql-parsers.js (Node 20, 2 busy cores, ranges over 3 runs):
 * - 820 statements of real Prisma migrations (documenso, boxyhq/saas-starter-kit): libpg-query parses
 *   100 % at 40,000-67,000 statements/s; pgsql-ast-parser 98.4 % at 3,600-4,200/s (it misses
 *   UPDATE ... FROM, CREATE OR REPLACE FUNCTION with defaults, ALTER TYPE ... ADD VALUE IF NOT EXISTS).
 * - 3,839 statements of Postgres's own extension scripts: libpg-query 99.97 % (the one miss is an
 *   `@extowner@` template), pgsql-ast-parser 14.3 % (no GRANT, operator classes, text search...).
 * - pgsql-ast-parser accepted no statement that libpg-query rejected, and understands no RLS or policy
 *   statement at all (the architecture notes measured 99.8 % vs 89 % on 4,823 statements).
 * So libpg-query first is both faster (10-20x; the whole front end runs at ~55,000 statements/s with
 * it, ~4,000/s without) and more complete; trying pgsql-ast-parser first would cost its slow parse on
 * every statement for nothing. pgsql-ast-parser stays as the fallback when libpg-query cannot load
 * (in this thread or in the worker of src/sql/libpg.ts); what it misses then becomes a diagnostic.
 */
import { createRequire } from 'node:module';
import type * as PgsqlAst from 'pgsql-ast-parser';
import type { SchemaDiagnostic } from '../core/schema.js';
import { convertContext, type ConvertContext } from './convert-context.js';
import { fromLibpg } from './from-libpg.js';
import { fromPgsqlAst } from './from-pgsql-ast.js';
import { libpgReady, libpgUnavailableReason, parseSync } from './libpg.js';
import { byteOffsetToIndex, splitStatements, type RawStatement } from './split.js';
import type { QualifiedName, SqlParserName, SqlStatement } from './statements.js';
import { findTopLevel } from './text.js';
import { checkBudget } from '../scan/budget.js';

// pgsql-ast-parser is the fallback (libpg-query rejected a statement or is not loaded): required on
// first use, so that processes which never need it (the ESLint plugin on a file without SQL, most
// scans) do not pay its load (about 0.3 s of CPU, bench/).
let pgsqlAst: typeof PgsqlAst | undefined;
function parseAst(text: string): PgsqlAst.Statement[] {
  pgsqlAst ??= createRequire(import.meta.url)('pgsql-ast-parser') as typeof PgsqlAst;
  return pgsqlAst.parse(text, { locationTracking: true });
}

export interface SqlParseStats {
  /** Statements found by the splitter. */
  total: number;
  /** Statements whose tree came from pgsql-ast-parser. */
  pgsqlAstParser: number;
  /** Statements whose tree came from libpg-query. */
  libpgQuery: number;
  /** Statements no parser accepted (one diagnostic each). */
  failed: number;
}

export interface SqlParseResult {
  statements: SqlStatement[];
  diagnostics: SchemaDiagnostic[];
  stats: SqlParseStats;
}

export function emptyParseStats(): SqlParseStats {
  return { total: 0, pgsqlAstParser: 0, libpgQuery: 0, failed: 0 };
}

export function addParseStats(into: SqlParseStats, from: SqlParseStats): void {
  into.total += from.total;
  into.pgsqlAstParser += from.pgsqlAstParser;
  into.libpgQuery += from.libpgQuery;
  into.failed += from.failed;
}

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0].trim();
}

function tryLibpg(raw: RawStatement, ctx: ConvertContext): SqlStatement[] | { error: string; offset?: number } {
  try {
    const result = parseSync(raw.text);
    return (result.stmts ?? []).flatMap((entry) => (entry.stmt ? [fromLibpg(entry.stmt, ctx)] : []));
  } catch (error) {
    const details: unknown = typeof error === 'object' && error !== null ? Reflect.get(error, 'sqlDetails') : undefined;
    const cursor: unknown = typeof details === 'object' && details !== null ? Reflect.get(details, 'cursorPosition') : undefined;
    return { error: errorMessage(error), ...(typeof cursor === 'number' ? { offset: byteOffsetToIndex(raw.text, cursor) } : {}) };
  }
}

function tryPgsqlAst(raw: RawStatement, ctx: ConvertContext): SqlStatement[] | { error: string; offset?: number } {
  try {
    return parseAst(raw.text).map((stmt) => fromPgsqlAst(stmt, ctx));
  } catch (error) {
    const message = errorMessage(error);
    // "invalid syntax at line 2 col 14:" (1-based, within the statement)
    const at = /at line (\d+) col (\d+)/.exec(message);
    if (!at) return { error: message };
    const lines = raw.text.split('\n');
    const line = Number(at[1]);
    let offset = Number(at[2]) - 1;
    for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
    return { error: message.endsWith(':') ? message.slice(0, -1).trimEnd() : message, offset };
  }
}

export interface SqlParseOptions {
  /** Parsers to try, in this order; default libpg-query (when loaded), then pgsql-ast-parser. For parity tests and benchmarks. */
  parsers?: SqlParserName[];
}

type Failure = { error: string; offset?: number };
type Attempt = { parser: SqlParserName; statements: SqlStatement[] } | { libpg?: Failure; ast?: Failure };

/** Tries the parsers in order on one statement. */
function parseOne(raw: RawStatement, ctx: ConvertContext, order: SqlParserName[]): Attempt {
  const failures: { libpg?: Failure; ast?: Failure } = {};
  for (const parser of order) {
    if (parser === 'libpg-query') {
      if (!libpgReady()) continue;
      const result = tryLibpg(raw, ctx);
      if (Array.isArray(result)) return { parser, statements: result };
      failures.libpg = result;
    } else {
      const result = tryPgsqlAst(raw, ctx);
      if (Array.isArray(result)) return { parser, statements: result };
      failures.ast = result;
    }
  }
  return failures;
}

// DO $$ BEGIN <statements> [EXCEPTION WHEN ... ] END $$: Drizzle Kit wraps foreign keys and enums so.
// Matched by a scanner: the one regex for it (a lazy body, an optional EXCEPTION part, a back-reference
// and `$`) backtracks quadratically over a body of many `END`s and `EXCEPTION`s.
const DO_HEAD = /^DO\s+(?:LANGUAGE\s+plpgsql\s+)?(\$[A-Za-z_0-9]*\$)\s*BEGIN\b/i;
const DO_TAIL = /^\s*(?:LANGUAGE\s+plpgsql\s*)?$/i;

/** The body of `DO $tag$ BEGIN <body> [EXCEPTION ...] END [;] $tag$ [LANGUAGE plpgsql]`, and where it starts. */
function matchDoBlock(text: string): { body: string; start: number } | undefined {
  const head = DO_HEAD.exec(text);
  if (!head) return undefined;
  const start = head[0].length;
  // The closing tag: a dollar quote ends at the first repetition of its tag.
  const close = text.indexOf(head[1], start);
  if (close < 0 || !DO_TAIL.test(text.slice(close + head[1].length))) return undefined;
  // `END\s*;?\s*` right before the tag.
  let end = close;
  while (end > start && /\s/.test(text[end - 1])) end--;
  if (text[end - 1] === ';') end--;
  while (end > start && /\s/.test(text[end - 1])) end--;
  const endWord = end - 3;
  if (endWord < start || text.slice(endWord, end).toUpperCase() !== 'END' || (endWord > 0 && /\w/.test(text[endWord - 1]))) return undefined;
  const exception = /\bEXCEPTION\b/i.exec(text.slice(start, endWord));
  return { body: text.slice(start, exception ? start + exception.index : endWord), start };
}

/**
 * The SQL statements inside a simple DO block, located in the file. Pieces that are PL/pgSQL rather
 * than SQL (RAISE, END IF) and statements the schema does not need (INSERT, GRANT) are left out: the
 * block as a whole was understood, and stays one `Other` statement when nothing in it matters.
 */
function doBlockStatements(
  raw: RawStatement,
  file: string,
  positionAt: (offset: number) => { line: number; column: number },
  order: SqlParserName[],
): SqlStatement[] {
  const match = matchDoBlock(raw.text);
  if (!match) return [];
  const bodyStart = match.start;
  const out: SqlStatement[] = [];
  for (const inner of splitStatements(match.body).statements) {
    // `IF NOT EXISTS (SELECT ... FROM information_schema ...) THEN ALTER TABLE ...`: an idempotence
    // guard; the statement it guards is what the migration does.
    const guard = /^IF\b/i.test(inner.text) ? findTopLevel(inner.text, /THEN\b\s*/i) : undefined;
    const skip = guard?.end ?? 0;
    const offset = raw.offset + bodyStart + inner.offset + skip;
    const located: RawStatement = { text: inner.text.slice(skip), offset, ...positionAt(offset) };
    if (!located.text) continue;
    const attempt = parseOne(located, convertContext(located, file, positionAt), order);
    if ('statements' in attempt) out.push(...attempt.statements.filter((statement) => statement.kind !== 'Other'));
  }
  return out;
}

/** Parses every statement of a SQL file. `file` is the project-relative path put in locations. */
export function parseSqlFile(text: string, file: string, options: SqlParseOptions = {}): SqlParseResult {
  const order: SqlParserName[] = options.parsers ?? ['libpg-query', 'pgsql-ast-parser'];
  const split = splitStatements(text);
  const statements: SqlStatement[] = [];
  const diagnostics: SchemaDiagnostic[] = [];
  const stats = emptyParseStats();
  for (const raw of split.statements) {
    checkBudget(true);
    stats.total++;
    const attempt = parseOne(raw, convertContext(raw, file, split.positionAt), order);
    if ('statements' in attempt) {
      if (attempt.parser === 'libpg-query') stats.libpgQuery++;
      else stats.pgsqlAstParser++;
      const [first] = attempt.statements;
      const inner = attempt.statements.length === 1 && first.kind === 'Other' && first.other === 'Do' ? doBlockStatements(raw, file, split.positionAt, order) : [];
      statements.push(...(inner.length ? inner : attempt.statements));
      continue;
    }
    stats.failed++;
    diagnostics.push(unparsedDiagnostic(raw, file, split.positionAt, attempt, order));
    const creates = createdTableName(raw.text);
    statements.push({ kind: 'Unparsed', location: { file, line: raw.line, column: raw.column }, text: raw.text, ...(creates ? { creates } : {}) });
  }
  return { statements, diagnostics, stats };
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|\`[^\`]+\`|[A-Za-z_][A-Za-z0-9_$]*)`;
const CREATE_TABLE = new RegExp(
  String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?(?:TABLE|MATERIALIZED\s+VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(${IDENT})(?:\s*\.\s*(${IDENT}))?`,
  'i',
);

function identifier(text: string): string {
  if (text.startsWith('"')) return text.slice(1, -1).replace(/""/g, '"');
  if (text.startsWith('`')) return text.slice(1, -1);
  return text.toLowerCase();
}

/** The table (or materialized view) an unparsed `CREATE TABLE` names, when its first words say. */
function createdTableName(text: string): QualifiedName | undefined {
  const match = CREATE_TABLE.exec(text);
  if (!match) return undefined;
  return match[2] ? { schema: identifier(match[1]), name: identifier(match[2]) } : { name: identifier(match[1]) };
}

function unparsedDiagnostic(
  raw: RawStatement,
  file: string,
  positionAt: (offset: number) => { line: number; column: number },
  failures: { libpg?: Failure; ast?: Failure },
  order: SqlParserName[],
): SchemaDiagnostic {
  // libpg-query is Postgres's own parser: its message is the one to show when it ran.
  const reported = failures.libpg ?? failures.ast ?? { error: 'no parser enabled' };
  const where = reported.offset === undefined ? '' : ` (${positionText(positionAt(raw.offset + reported.offset))})`;
  const excerpt = raw.text.replace(/\s+/g, ' ');
  const shown = excerpt.length > 60 ? `${excerpt.slice(0, 57)}...` : excerpt;
  const tried = order.filter((p) => p !== 'libpg-query' || libpgReady()).join(' or ');
  const why = failures.libpg
    ? `not PostgreSQL that ${tried} accepts`
    : `not understood by pgsql-ast-parser${order.includes('libpg-query') ? `, and ${libpgUnavailableReason()}` : ''}`;
  return {
    file,
    line: raw.line,
    column: raw.column,
    message: `SQL statement skipped, ${why}: ${reported.error}${where}. Tables it creates or changes may be missing or incomplete. Statement: ${shown}`,
  };
}

function positionText(position: { line: number; column: number }): string {
  return `line ${position.line}, column ${position.column}`;
}
