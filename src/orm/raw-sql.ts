import type { TSESTree } from '@typescript-eslint/types';
import type { Variable } from '@typescript-eslint/scope-manager';
import { findByName, memberName, T, textOf, unwrap, variableOf, walk, type FileUnit, type Node } from '../core/ast.js';
import { originsOf, type LibOrigin, type Origin } from '../flow/origin.js';
import { returnedExpressions } from '../core/resolve.js';
import { credentialScope, type AnalysisContext, type ClientInfo, type Operation, type QuerySite } from '../core/query-site.js';
import { isCredentialColumn, type Table, type TenantSchema } from '../core/schema.js';
import { namesIn } from '../core/syntax.js';
import { tableKey } from '../schema/merge.js';
import { byteOffsetToIndex } from '../sql/split.js';
import { SqlQueryAnalyzer, type SqlTableInfo, type StatementAnalysis, type TableUse } from '../sql/query.js';
import { clientOf } from './prisma-client.js';
import { flowClient } from './client-specs.js';
import { numberClickHouseParameters, withoutClickHouseClauses } from '../sql/clickhouse.js';
import { sessionFieldOf } from '../core/tenant-values.js';
import { configuredSink, SEQUELIZE_PACKAGES, sequelizeReplacements } from './sequelize-sql.js';
import { joinedConditions } from './joined-conditions.js';

/**
 * Raw SQL in TypeScript: the SQL text of a call that sends SQL to the database, with its
 * interpolations turned into parameters, analysed with the SQL front end against the TenantSchema.
 * Sinks are found through their imports: `pg` pools and clients, postgres.js and `sql` tags of
 * drizzle-orm / kysely / slonik / @vercel/postgres, Prisma `$queryRaw`/`$executeRaw(Unsafe)`,
 * and knex `raw`.
 */

/** The SQL text and how to map its offsets back to the TypeScript source. */
export interface SqlText {
  sql: string;
  /** Pieces of `sql` copied from the source: [sqlStart, sourceStart, length]. */
  segments: [number, number, number][];
  node: Node;
  /** The interpolated value each `$n` of a template stands for (`params[n - 1]`). */
  params?: Node[];
  /** A template with both interpolations and placeholders written in its text: which `$n` is which value is not known. */
  paramsUnknown?: true;
  /**
   * An interpolation where a table name goes (`FROM ${name}`) that is not a constant: a parameter
   * cannot stand there, so the text does not parse; this names it for the reason given.
   */
  tableInterpolated?: string;
}

/** Packages whose `sql` tag builds a query. */
const SQL_TAG_PACKAGES = /^(drizzle-orm(\/.*)?|kysely|slonik|@vercel\/postgres|postgres|@neondatabase\/serverless)$/;
const PG_PACKAGES = /^(pg|pg-pool|@neondatabase\/serverless|@vercel\/postgres)$/;
const PRISMA_RAW = new Set(['$queryRaw', '$executeRaw', '$queryRawUnsafe', '$executeRawUnsafe']);
const QUERY_START = /^\s*(\(\s*)*(select|with|update|delete|insert)\b/i;

function importOf(variable: Variable | null): { source: string; imported: string } | undefined {
  const def = variable?.defs[0];
  if (def?.type !== 'ImportBinding' || def.parent.type !== T.ImportDeclaration) return undefined;
  const spec = def.node;
  const imported =
    spec.type === T.ImportDefaultSpecifier ? 'default' : spec.type === T.ImportNamespaceSpecifier ? '*' : spec.type === T.ImportSpecifier ? (spec.imported.type === T.Identifier ? spec.imported.name : spec.imported.value) : '';
  return { source: def.parent.source.value, imported };
}

/** The import an expression is built from: `new Pool()`, `postgres(url)`, `knex(config)`, `pg.Pool`. */
function originImport(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): { source: string; imported: string } | undefined {
  if (depth > 8) return undefined;
  const node = unwrap(expression);
  if (node.type === T.Identifier) {
    const variable = variableOf(unit.scopeManager, node);
    const direct = importOf(variable);
    // A package import is the origin; an import of a project file is followed to its export.
    if (direct && !direct.source.startsWith('.') && !context.resolver.modules.resolve(unit.file, direct.source)) return direct;
    const binding = context.resolver.bindingOf(node, unit);
    if (binding.kind === 'value') return originImport(binding.value.node, binding.value.unit, context, depth + 1);
    if (binding.kind === 'package') return { source: binding.source, imported: binding.imported };
    if (binding.kind === 'parameter') {
      const annotation = binding.param.node.typeAnnotation?.typeAnnotation;
      if (annotation?.type === T.TSTypeReference && annotation.typeName.type === T.Identifier) {
        return importOf(variableOf(binding.param.unit.scopeManager, annotation.typeName));
      }
    }
    return undefined;
  }
  if (node.type === T.NewExpression || node.type === T.CallExpression) {
    const callee = unwrap(node.callee);
    // `await pool.connect()` is a client of the pool's package.
    if (callee.type === T.MemberExpression) return originImport(callee.object, unit, context, depth + 1);
    return originImport(callee, unit, context, depth + 1);
  }
  if (node.type === T.MemberExpression) return originImport(node.object, unit, context, depth + 1);
  return undefined;
}

/**
 * The SQL library a receiver is, asked of the value-provenance engine (so a driver picked by a
 * flag, `pgModule.native ?? pgModule`, a lazy singleton `getPool()`, `db.pool.connect()`, a
 * constructor-injected `pg.Pool` and `querier || pool` are all followed), with the import-only
 * reading as a fallback. `unknown`: where the engine stopped, when it found no library at all.
 */
function sqlLibraryOf(receiver: Node, unit: FileUnit, context: AnalysisContext, accept: (source: string) => boolean): { source: string } | { unknown?: string; origins: Origin[] } {
  const origins = originsOf(receiver, unit, context.resolver);
  const found = origins.find((o): o is LibOrigin => o.kind === 'lib' && accept(o.source));
  if (found) return { source: found.source };
  const direct = originImport(receiver, unit, context);
  if (direct && accept(direct.source)) return { source: direct.source };
  const stop = origins.find((o): o is Extract<Origin, { kind: 'unknown' }> => o.kind === 'unknown');
  return { origins, ...(stop ? { unknown: stop.file === unit.file ? `${stop.reason} (line ${stop.line})` : stop.reason } : {}) };
}

/** Turns a string, template or constant into SQL text with `$n` for interpolations. */
export function sqlTextOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): SqlText | { unknown: string } {
  const node = unwrap(expression);
  if (node.type === T.Literal && typeof node.value === 'string') {
    const raw = textOf(unit, node).slice(1, -1);
    return { sql: raw, segments: [[0, node.range[0] + 1, raw.length]], node };
  }
  if (node.type === T.TemplateLiteral) return templateText(node.quasis, node.expressions, unit, context, depth);
  if (node.type === T.TaggedTemplateExpression) return templateText(node.quasi.quasis, node.quasi.expressions, unit, context, depth);
  if (node.type === T.BinaryExpression && node.operator === '+') {
    // 'SELECT ... ' + 'WHERE ...': constants joined in place; anything dynamic is not analysable.
    const left = sqlTextOf(node.left, unit, context, depth + 1);
    const right = sqlTextOf(node.right, unit, context, depth + 1);
    if ('unknown' in left) return left;
    if ('unknown' in right) return right;
    return { sql: left.sql + right.sql, segments: [...left.segments, ...right.segments.map(([s, src, len]): [number, number, number] => [s + left.sql.length, src, len])], node };
  }
  if (node.type === T.Identifier && depth < 4) {
    const binding = context.resolver.bindingOf(node, unit);
    if (binding.kind === 'value' && binding.value.unit === unit) return sqlTextOf(binding.value.node, unit, context, depth + 1);
    return { unknown: `the SQL text \`${node.name}\` cannot be followed` };
  }
  // `EventCreater.insertIntoIngestTask`: a static readonly field of a class of this file.
  if (node.type === T.MemberExpression && !node.computed && node.property.type === T.Identifier && node.object.type === T.Identifier && depth < 4) {
    const field = staticField(node.object.name, node.property.name, unit);
    if (field) return sqlTextOf(field, unit, context, depth + 1);
  }
  return { unknown: `the SQL text is built by a ${node.type}` };
}

function staticField(className: string, name: string, unit: FileUnit): Node | undefined {
  for (const statement of unit.ast.body) {
    const declaration = statement.type === T.ExportNamedDeclaration || statement.type === T.ExportDefaultDeclaration ? statement.declaration : statement;
    if (declaration?.type !== T.ClassDeclaration || declaration.id?.name !== className) continue;
    for (const member of declaration.body.body) {
      if (member.type === T.PropertyDefinition && member.static && member.readonly && !member.computed && member.key.type === T.Identifier && member.key.name === name && member.value) return member.value;
    }
  }
  return undefined;
}

/**
 * A template becomes SQL with `$n` for each interpolation, except interpolated SQL fragments
 * (`Prisma.sql`, `sql` tags, `Prisma.raw` of a constant) defined in the same function, which are
 * inlined: `prisma.$queryRaw\`SELECT * FROM t ${where}\`` with `const where = Prisma.sql\`WHERE ...\``.
 */
function templateText(quasis: TSESTree.TemplateElement[], expressions: TSESTree.Expression[], unit: FileUnit, context?: AnalysisContext, depth = 0): SqlText {
  let sql = '';
  const segments: [number, number, number][] = [];
  const params: Node[] = [];
  let param = 0;
  let inlined = false;
  let tableInterpolated: string | undefined;
  quasis.forEach((quasi, index) => {
    const raw = quasi.value.raw;
    // A quasi's range includes its delimiters: the backtick or `}` before, `${` or the backtick after.
    segments.push([sql.length, quasi.range[0] + 1, raw.length]);
    sql += raw;
    const expression = expressions[index];
    if (!expression) return;
    const base = conditionBase(expression, unit) ?? joinedConditions(expression, unit, hasTopLevelOr);
    if (base) {
      segments.push([sql.length, base.start, base.text.length]);
      sql += base.text;
      inlined = true;
      return;
    }
    // `FROM ${TABLE_NAMES.events}`: a table name read from a constant object is SQL text, not a value.
    if (context && TABLE_POSITION.test(sql)) {
      const name = constantMemberOf(expression, unit, context);
      if (name !== undefined) {
        sql += name;
        return;
      }
      tableInterpolated ??= textOf(unit, expression);
    }
    const fragment = context && depth < 4 ? fragmentOf(expression, unit, context, depth) : undefined;
    if (fragment) {
      for (const [s, src, len] of fragment.segments) segments.push([s + sql.length, src, len]);
      // The fragment's own parameters are renumbered after ours.
      sql += fragment.sql.replace(/\$(\d+)/g, (_m, n: string) => {
        params[param] = fragment.params?.[Number(n) - 1] ?? expression;
        return `$${++param}`;
      });
      return;
    }
    // `LIMIT $${limitParam}`: the text already holds the `$` of a placeholder whose number is computed.
    // Its value is not the expression (that is the number); the value is not known.
    const computed = raw.endsWith('$') && !raw.endsWith('$$');
    if (!computed) params[param] = expression;
    sql += computed ? `${++param}` : `$${++param}`;
  });
  // Placeholders written in the text (`= $1`) beside interpolations: which value is which is not known.
  const written = inlined || quasis.some((quasi) => /\$\d/.test(quasi.value.raw));
  return {
    sql,
    segments,
    node: quasis[0] ?? expressionsFallback(expressions),
    ...(written && param > 0 ? { params: [], paramsUnknown: true } : { params }),
    ...(tableInterpolated !== undefined ? { tableInterpolated } : {}),
  };
}

/** The text before an interpolation ends where a table name goes: `FROM `, `JOIN `, `INTO `, `UPDATE `, `db.`. */
const TABLE_POSITION = /(?:\b(?:from|join|into|update|table)\s+|[\w`"]\.)$/i;

/**
 * `TABLE_NAMES.events` where `const TABLE_NAMES = { events: 'events' }` (in this file or one it
 * imports): the name it holds, when the object is a `const` literal whose property is a string
 * literal naming a table (letters, digits, `_`, `.`). Anything else (a `let`, a computed key, a
 * value made at run time) is not folded.
 */
function constantMemberOf(expression: Node, unit: FileUnit, context: AnalysisContext): string | undefined {
  const node = unwrap(expression);
  if (node.type !== T.MemberExpression) return undefined;
  const key = node.computed ? (node.property.type === T.Literal && typeof node.property.value === 'string' ? node.property.value : undefined) : node.property.type === T.Identifier ? node.property.name : undefined;
  const object = unwrap(node.object);
  if (key === undefined || object.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(object, unit);
  if (binding.kind !== 'value' || binding.value.node.type !== T.ObjectExpression || !declaredConst(binding.value.node)) return undefined;
  let value: Node | undefined;
  for (const property of binding.value.node.properties) {
    if (property.type === T.SpreadElement) return undefined; // a spread may hold the key
    const name = property.computed ? undefined : property.key.type === T.Identifier ? property.key.name : property.key.type === T.Literal ? String(property.key.value) : undefined;
    if (name === key) value = unwrap(property.value);
  }
  const text = value?.type === T.Literal && typeof value.value === 'string' ? value.value : value?.type === T.TemplateLiteral && value.expressions.length === 0 ? (value.quasis[0]?.value.cooked ?? undefined) : undefined;
  return text !== undefined && /^[A-Za-z_][\w.]*$/.test(text) ? text : undefined;
}

/** An initializer of a `const` declaration (through `as const` and `satisfies`). */
function declaredConst(init: Node): boolean {
  let current: Node | undefined = init.parent;
  while (current && (current.type === T.TSAsExpression || current.type === T.TSSatisfiesExpression)) current = current.parent;
  return current?.type === T.VariableDeclarator && current.parent?.type === T.VariableDeclaration && current.parent.kind === 'const';
}

/**
 * `let whereClause = \`WHERE p.team_id = $1\`` then only `whereClause += \` AND t.x = $${i}\``, and
 * the query ends `... ${whereClause}`: the condition is built by appending conjuncts, each of which
 * can only narrow the rows, so the text it starts with holds on every path and is read in place
 * (its placeholders are the query's own, written in the text). Not when a piece is assigned
 * otherwise, has an `OR` outside parentheses, or the start has interpolations.
 */
function conditionBase(expression: Node, unit: FileUnit): { text: string; start: number } | undefined {
  const node = unwrap(expression);
  if (node.type !== T.Identifier) return undefined;
  const variable = variableOf(unit.scopeManager, node);
  const def = variable?.defs[0];
  if (!variable || def?.type !== 'Variable' || def.parent.kind !== 'let' || !def.node.init) return undefined;
  const start = plainText(def.node.init);
  if (!start || !/^\s*(where|and)\b/i.test(start.text) || hasTopLevelOr(start.text)) return undefined;
  for (const reference of variable.references) {
    if (!reference.isWrite() || reference.identifier === def.name) continue;
    const assignment = reference.identifier.parent;
    if (assignment?.type !== T.AssignmentExpression || assignment.operator !== '+=' || assignment.left !== reference.identifier) return undefined;
    const piece = unwrap(assignment.right);
    const text = piece.type === T.TemplateLiteral ? piece.quasis.map((q) => q.value.raw).join('0') : piece.type === T.Literal && typeof piece.value === 'string' ? piece.value : undefined;
    if (text === undefined || !/^\s*and\b/i.test(text) || hasTopLevelOr(text)) return undefined;
  }
  return start;
}

/** A string literal or a template without interpolations: its text and where it starts in the source. */
function plainText(node: Node): { text: string; start: number } | undefined {
  const value = unwrap(node);
  if (value.type === T.Literal && typeof value.value === 'string') return { text: value.raw.slice(1, -1), start: value.range[0] + 1 };
  if (value.type === T.TemplateLiteral && value.expressions.length === 0) return { text: value.quasis[0]!.value.raw, start: value.range[0] + 1 };
  return undefined;
}

function hasTopLevelOr(text: string): boolean {
  let depth = 0;
  const bare = text.replace(/'(?:[^']|'')*'/g, "''");
  for (let i = 0; i < bare.length; i++) {
    const ch = bare[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && /^or\b/i.test(bare.slice(i, i + 3)) && (i === 0 || /[\s)]/.test(bare[i - 1]!))) return true;
  }
  return false;
}

const FRAGMENT_TAGS = /^(sql|Prisma\.sql|raw)$/;

function fragmentOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth: number): SqlText | undefined {
  let node = unwrap(expression);
  if (node.type === T.Identifier) {
    const binding = context.resolver.bindingOf(node, unit);
    if (binding.kind !== 'value' || binding.value.unit !== unit) return undefined;
    node = unwrap(binding.value.node);
  }
  if (node.type !== T.TaggedTemplateExpression) return undefined;
  if (!FRAGMENT_TAGS.test(textOf(unit, node.tag).replace(/\s+/g, ''))) return undefined;
  return templateText(node.quasi.quasis, node.quasi.expressions, unit, context, depth + 1);
}

function expressionsFallback(expressions: TSESTree.Expression[]): Node {
  const first = expressions[0];
  if (!first) throw new Error('a template literal always has a quasi');
  return first;
}

/** Where a raw SQL call is: the callee to report, the SQL text argument, and the SQL dialect when it is not PostgreSQL's. */
interface Sink {
  callee: Node;
  text: Node;
  client: ClientInfo;
  /** ClickHouse's SQL (`{name:Type}` parameters, `FINAL`, `SETTINGS`), read against the ClickHouse tables of the schema. */
  dialect?: 'clickhouse';
  /** pg-promise formats the text itself: `$(name)`, `$<name>`, `$[name]`, `$/name/` name a property of the values. */
  pgPromise?: true;
}

/** pg-promise's query methods (on a database, a task or a transaction): each sends its first argument as SQL. */
const PG_PROMISE_METHODS = new Set(['any', 'many', 'manyOrNone', 'one', 'oneOrNone', 'none', 'result', 'query', 'multi', 'multiResult', 'each', 'map']);

function sinkOf(call: TSESTree.CallExpression | TSESTree.TaggedTemplateExpression, context: AnalysisContext): Sink | undefined {
  return librarySinkOf(call, context, true);
}

/** Methods of a ClickHouse client that send `{ query }` as SQL. */
const CLICKHOUSE_METHODS = new Set(['query', 'command', 'exec']);

/**
 * `client.query({ query, query_params })` (also `command`, `exec`) on a client of `@clickhouse/client`,
 * traced by the flow engine (`createClient(...)`, a value typed `ClickHouseClient`): its `query` is SQL
 * in ClickHouse's dialect.
 */
function clickhouseSinkOf(call: TSESTree.CallExpression, callee: TSESTree.MemberExpression, context: AnalysisContext): Sink | undefined {
  if (!CLICKHOUSE_METHODS.has(memberName(callee) ?? '')) return undefined;
  const arg = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
  if (arg?.type !== T.ObjectExpression) return undefined;
  const query = propertyOf(arg, 'query');
  if (!query) return undefined;
  const flow = flowClient(callee.object, context.unit, context.resolver, 'clickhouse');
  if (flow.kind !== 'client') return undefined;
  return { callee, text: query, client: { kind: 'client', scoped: false, how: `a ClickHouse client (${flow.how})` }, dialect: 'clickhouse' };
}

/** `client.insert({ table, values })` of a ClickHouse client: the table and the rows it writes. */
interface ClickHouseInsert {
  callee: Node;
  table: Node;
  values?: Node;
  how: string;
}

function directInsertOf(call: TSESTree.CallExpression, context: AnalysisContext): ClickHouseInsert | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression || memberName(callee) !== 'insert') return undefined;
  const arg = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
  if (arg?.type !== T.ObjectExpression) return undefined;
  const table = propertyOf(arg, 'table');
  if (!table) return undefined;
  const flow = flowClient(callee.object, context.unit, context.resolver, 'clickhouse');
  if (flow.kind !== 'client') return undefined;
  const values = propertyOf(arg, 'values');
  return { callee, table, ...(values ? { values } : {}), how: `a ClickHouse client (${flow.how})` };
}

const insertWrappers = new WeakMap<Node, { table: number; values: number; how: string } | null>();

/** Which parameters of a project function name the table and the rows of a ClickHouse insert in its body (umami's `insert(table, values)`). */
function insertParametersOf(fn: TSESTree.FunctionLike, unit: FileUnit, context: AnalysisContext): { table: number; values: number; how: string } | undefined {
  const known = insertWrappers.get(fn);
  if (known !== undefined) return known ?? undefined;
  insertWrappers.set(fn, null);
  const params = fn.params.map((p) => (p.type === T.Identifier ? p.name : p.type === T.AssignmentPattern && p.left.type === T.Identifier ? p.left.name : undefined));
  let found: { table: number; values: number; how: string } | undefined;
  const inner = { ...context, unit };
  walk(fn.body ?? fn, (node) => {
    if (found || node.type !== T.CallExpression) return;
    const insert = directInsertOf(node, inner);
    if (!insert) return;
    const table = params.findIndex((p) => p !== undefined && namesIn(insert.table, fn, unit).has(p));
    const values = insert.values ? params.findIndex((p) => p !== undefined && namesIn(insert.values!, fn, unit).has(p)) : -1;
    if (table >= 0) found = { table, values, how: insert.how };
  });
  insertWrappers.set(fn, found ?? null);
  return found;
}

/** A ClickHouse insert: on the client itself, or through a project function that hands it its table. */
function clickhouseInsertOf(call: TSESTree.CallExpression, context: AnalysisContext): ClickHouseInsert | undefined {
  const direct = directInsertOf(call, context);
  if (direct) return direct;
  const callee = unwrap(call.callee);
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (name !== 'insert' || call.arguments.length === 0) return undefined;
  for (const origin of originsOf(callee, context.unit, context.resolver)) {
    if (origin.kind !== 'function') continue;
    const wrapper = insertParametersOf(origin.fn, origin.unit, context);
    const table = wrapper ? call.arguments[wrapper.table] : undefined;
    if (!wrapper || !table || table.type === T.SpreadElement) continue;
    const values = wrapper.values >= 0 ? call.arguments[wrapper.values] : undefined;
    return { callee, table, ...(values && values.type !== T.SpreadElement ? { values } : {}), how: `\`${name}\`, a project function that hands its table to ${wrapper.how}` };
  }
  return undefined;
}

/** The table a ClickHouse insert names: a string, a const of one, or a member of a const object of them. */
function insertTableName(node: Node, unit: FileUnit, context?: AnalysisContext): string | undefined {
  const value = unwrap(node);
  const member = context ? constantMemberOf(value, unit, context) : undefined;
  if (member !== undefined) return member;
  if (value.type === T.Literal && typeof value.value === 'string') return value.value;
  if (value.type === T.TemplateLiteral && value.expressions.length === 0) return value.quasis[0]?.value.cooked ?? undefined;
  const init = constValueOf(value, unit);
  return init && init !== value ? insertTableName(init, unit) : undefined;
}

function librarySinkOf(call: TSESTree.CallExpression | TSESTree.TaggedTemplateExpression, context: AnalysisContext, wrappersToo = false): Sink | undefined {
  const { unit } = context;
  if (call.type === T.TaggedTemplateExpression) {
    const tag = unwrap(call.tag);
    if (tag.type === T.MemberExpression && PRISMA_RAW.has(memberName(tag) ?? '')) {
      // `$queryRaw` is Prisma's alone: a receiver that cannot be traced (a client from a workspace
      // package) still sends SQL; only one traced to something else does not.
      const client = clientOf(tag.object, unit, context);
      return client.kind === 'not-client' ? undefined : { callee: tag, text: call, client };
    }
    // The tag is the client (`this.sql\`...\`` of an injected postgres.js `Sql`), or a member of a library (`db.sql`).
    const accept = (source: string) => SQL_TAG_PACKAGES.test(source);
    let origin = sqlLibraryOf(tag, unit, context, accept);
    if (!('source' in origin) && tag.type === T.MemberExpression) origin = sqlLibraryOf(tag.object, unit, context, accept);
    if ('source' in origin) return { callee: tag, text: call, client: { kind: 'client', scoped: false, how: `\`${origin.source}\`` } };
    return undefined;
  }
  const callee = unwrap(call.callee);
  const name = configuredSink(callee, context.config.sqlSinks ?? [], unit);
  if (name && call.arguments[0]) {
    return { callee, text: call.arguments[0], client: { kind: 'client', scoped: false, how: `\`${name}\`, a configured SQL sink` } };
  }
  const wrapped = wrappersToo ? wrapperSink(call, callee, context) : undefined;
  if (wrapped) return wrapped;
  if (callee.type !== T.MemberExpression || !call.arguments[0]) return undefined;
  const method = memberName(callee) ?? '';
  const clickhouse = call.type === T.CallExpression ? clickhouseSinkOf(call, callee, context) : undefined;
  if (clickhouse) return clickhouse;
  if (PRISMA_RAW.has(method)) {
    const client = clientOf(callee.object, unit, context);
    return client.kind === 'not-client' ? undefined : { callee, text: call.arguments[0], client };
  }
  if (PG_PROMISE_METHODS.has(method)) {
    const origin = sqlLibraryOf(callee.object, unit, context, (source) => source === 'pg-promise');
    if ('source' in origin) return { callee, text: call.arguments[0], client: { kind: 'client', scoped: false, how: '`pg-promise`' }, pgPromise: true };
  }
  if (method !== 'query' && method !== 'raw' && method !== 'unsafe') return undefined;
  const origin = sqlLibraryOf(callee.object, unit, context, (source) => sendsSql(method, source));
  if (!('source' in origin)) return undefined;
  let text: Node = call.arguments[0];
  const arg = unwrap(text);
  // pg's `query({ text, values })`
  if (arg.type === T.ObjectExpression) {
    const property = arg.properties.find((p): p is TSESTree.Property => p.type === T.Property && p.key.type === T.Identifier && p.key.name === 'text');
    if (!property) return undefined;
    text = property.value;
  }
  return { callee, text, client: { kind: 'client', scoped: false, how: `\`${origin.source}\`` } };
}

/** Whether `.method(text)` of a value of this package sends `text` as SQL. */
function sendsSql(method: string, source: string): boolean {
  return (
    (method === 'query' && (PG_PACKAGES.test(source) || source === 'typeorm' || SEQUELIZE_PACKAGES.test(source))) ||
    (method === 'raw' && source === 'knex') ||
    (method === 'unsafe' && source === 'postgres')
  );
}

/**
 * `rawQuery(\`select ... from website_event where website_id = {{websiteId}}\`, params)`: a project
 * function whose parameter reaches a raw SQL sink in its body (`client.$queryRawUnsafe(query)`,
 * `pool.query(text)`, possibly after a `replace` of its placeholders). The call is the query: its
 * argument is the SQL. Found without configuration; `sqlSinks` names helpers this does not see.
 */
function wrapperSink(call: TSESTree.CallExpression, callee: Node, context: AnalysisContext): Sink | undefined {
  // Only calls that pass SQL text: a string or template whose text starts like a query.
  const first = call.arguments.findIndex((arg) => looksLikeSql(arg) || looksLikeSql(constValueOf(arg, context.unit)) || holdsSql(arg, context.unit));
  if (first < 0) return undefined;
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (!name) return undefined;
  for (const origin of originsOf(callee, context.unit, context.resolver)) {
    if (origin.kind !== 'function') continue;
    const sink = sqlParameterOf(origin.fn, origin.unit, context);
    if (sink && sink.index === first) return { callee, text: call.arguments[first]!, client: { kind: 'client', scoped: false, how: `\`${name}\`, a project function that sends its argument to ${sink.how}` }, ...(sink.dialect ? { dialect: sink.dialect } : {}), ...(sink.pgPromise ? { pgPromise: true as const } : {}) };
  }
  return undefined;
}

/**
 * `q` of `const q = \`SELECT ...\``, declared in this file and never reassigned: SQL held in a
 * variable before it is handed to the project's `db.query(q, params)` (worklenz's every query).
 */
function constValueOf(arg: Node, unit: FileUnit): Node | undefined {
  const node = unwrap(arg);
  if (node.type !== T.Identifier) return undefined;
  const variable = variableOf(unit.scopeManager, node);
  const def = variable?.defs[0];
  if (def?.type !== 'Variable' || def.node.id.type !== T.Identifier || !def.node.init) return undefined;
  if (variable!.references.some((ref) => ref.isWrite() && ref.identifier !== def.name)) return undefined;
  return def.node.init;
}

/**
 * `q` of `let q = ''; if (a) q = \`UPDATE tasks ...\`; else q = \`SELECT ...\`; await db.query(q, params)`, or
 * `let memberQuery = \`SELECT ...\`; memberQuery += \` ORDER BY ...\``: a local of this file that is given
 * SQL text (worklenz's roadmap and capacity controllers). The call sends SQL as surely as with a
 * `const`; which text is read is the raw-SQL reader's question (a text built across statements is
 * counted as not analysable there), not whether the call is a query.
 */
function holdsSql(arg: Node, unit: FileUnit): boolean {
  const node = unwrap(arg);
  if (node.type !== T.Identifier) return false;
  const variable = variableOf(unit.scopeManager, node);
  const def = variable?.defs[0];
  if (!variable || variable.defs.length !== 1 || def?.type !== 'Variable' || def.node.id.type !== T.Identifier) return false;
  if (looksLikeSql(def.node.init ?? undefined)) return true;
  return variable.references.some((ref) => {
    const parent = ref.identifier.parent;
    return ref.isWrite() && parent?.type === T.AssignmentExpression && parent.operator === '=' && parent.left === ref.identifier && looksLikeSql(parent.right);
  });
}

function looksLikeSql(arg: Node | undefined): boolean {
  if (!arg) return false;
  const value = unwrap(arg);
  const text = value.type === T.TemplateLiteral ? value.quasis[0]?.value.cooked ?? '' : value.type === T.Literal && typeof value.value === 'string' ? value.value : undefined;
  return text !== undefined && QUERY_START.test(text);
}

interface WrapperSql {
  index: number;
  how: string;
  dialect?: 'clickhouse';
  /** The text reaches the client formatted by pg-promise (its own sink, or `pgp.as.format(text, values)` before another client): its `$(name)` are values. */
  pgPromise?: true;
}

/**
 * `formatQuery(query, params)` whose body returns `pgp.as.format(query, params)`, or that call
 * itself: text formatted by pg-promise before it is sent (crowd.dev formats for Sequelize too), so
 * its placeholders are pg-promise's, whichever client receives it.
 */
function formattedByPgPromise(text: Node, unit: FileUnit, context: AnalysisContext, depth = 0): boolean {
  const node = unwrap(text);
  if (node.type !== T.CallExpression || depth > 2) return false;
  return originsOf(node.callee, unit, context.resolver).some(
    (o) =>
      (o.kind === 'lib' && o.source === 'pg-promise' && o.steps.some((step) => step.kind === 'get' && step.name === 'format')) ||
      (o.kind === 'function' && returnedExpressions(o.fn).some((r) => formattedByPgPromise(r, o.unit, context, depth + 1))),
  );
}

const wrappers = new WeakMap<Node, WrapperSql | null>();

/** Which parameter of a project function is sent as SQL by a sink in its body, and to what. */
function sqlParameterOf(fn: TSESTree.FunctionLike, unit: FileUnit, context: AnalysisContext): WrapperSql | undefined {
  const known = wrappers.get(fn);
  if (known !== undefined) return known ?? undefined;
  wrappers.set(fn, null);
  const params = fn.params.map((p) => (p.type === T.Identifier ? p.name : p.type === T.AssignmentPattern && p.left.type === T.Identifier ? p.left.name : undefined));
  let found: WrapperSql | undefined;
  const inner = { ...context, unit };
  walk(fn.body ?? fn, (node) => {
    if (found || node.type !== T.CallExpression || node === (fn as Node)) return;
    const callee = unwrap(node.callee);
    const sink = callee.type === T.MemberExpression ? librarySinkOf(node, inner) : undefined;
    if (sink) {
      const names = namesIn(sink.text, fn, unit);
      const index = params.findIndex((p) => p !== undefined && names.has(p));
      const pgPromise = sink.pgPromise || formattedByPgPromise(sink.text, unit, inner);
      if (index >= 0) found = { index, how: sink.client.kind === 'client' ? sink.client.how : 'a SQL client', ...(sink.dialect ? { dialect: sink.dialect } : {}), ...(pgPromise ? { pgPromise: true as const } : {}) };
      return;
    }
    // `removeMails(query, emails) { await db.query(query, []) }` where `db.query` is itself a project
    // wrapper of `pool.query` (worklenz): a parameter handed on to a wrapper's SQL parameter is SQL too.
    const paramAt = (i: number): number => {
      const arg = node.arguments[i];
      const value = arg && arg.type !== T.SpreadElement ? unwrap(arg) : undefined;
      if (value?.type === T.TemplateLiteral) return wrappedParameter(value, params);
      return value?.type === T.Identifier ? params.indexOf(value.name) : -1;
    };
    if (!node.arguments.some((_, i) => paramAt(i) >= 0)) return;
    for (const origin of originsOf(callee, unit, context.resolver)) {
      if (origin.kind !== 'function' || origin.fn === fn) continue;
      const nested = sqlParameterOf(origin.fn, origin.unit, context);
      const index = nested ? paramAt(nested.index) : -1;
      if (nested && index >= 0) {
        found = { ...nested, index };
        return;
      }
    }
  });
  wrappers.set(fn, found ?? null);
  return found;
}

/**
 * The parameter a new template wraps whole: umami's `pagedRawQuery(query, ...)` runs
 * `rawQuery(\`select count(*) as num from (${query}) t\`)` and `rawQuery(\`${query}${statements}\`)`.
 * The caller's text is the query, counted or paged. A template that adds a condition of its own
 * (`${query} and team_id = $1`, a `where` or a join) is not: the caller's text alone would misread it.
 */
function wrappedParameter(template: TSESTree.TemplateLiteral, params: (string | undefined)[]): number {
  const text = template.quasis.map((q) => q.value.cooked ?? '').join(' ');
  if (/\b(where|and|or|join|having|on)\b/i.test(text)) return -1;
  for (const expression of template.expressions) {
    const value = unwrap(expression);
    const index = value.type === T.Identifier ? params.indexOf(value.name) : -1;
    if (index >= 0) return index;
  }
  return -1;
}

/**
 * Schema lookup by database table name, in database column names: the tables of one database (the
 * application's, or ClickHouse's for a query sent to a ClickHouse client).
 */
export function sqlLookup(schema: TenantSchema, database?: 'clickhouse'): (name: string) => { info: SqlTableInfo; table: Table } | undefined {
  const byKey = new Map<string, Table>();
  for (const table of schema.tables.values()) {
    if (table.database !== database) continue;
    byKey.set(tableKey(table.dbName), table);
    if (!byKey.has(tableKey(table.name))) byKey.set(tableKey(table.name), table);
  }
  const cache = new Map<string, { info: SqlTableInfo; table: Table } | undefined>();
  return (name) => {
    const key = tableKey(name);
    if (cache.has(key)) return cache.get(key);
    const table = byKey.get(key);
    const db = (t: Table, field: string) => t.columns.get(field)?.dbName ?? field;
    const result = table && {
      table,
      info: {
        class: table.class,
        tenantColumns: table.tenantKeys.map((k) => db(table, k)),
        parents: table.parentRelations.flatMap((r) => {
          const relation = table.relations.get(r);
          const parent = relation ? schema.tables.get(relation.target) : undefined;
          if (!relation || !parent || relation.fields.length !== 1) return [];
          return [{ column: db(table, relation.fields[0]), table: parent.dbName, parentColumn: db(parent, relation.references[0] ?? 'id') }];
        }),
        // The root too: a row's key to its tenant (`projects.team_id` -> teams) joins it to a constrained root row.
        references: [...table.relations.values()].flatMap((relation) => {
          const target = schema.tables.get(relation.target);
          if (!target || relation.fields.length !== 1 || (target.class !== 'tenant' && target.class !== 'child' && target.name !== schema.root)) return [];
          return [{ column: db(table, relation.fields[0] ?? ''), table: target.dbName, parentColumn: db(target, relation.references[0] ?? 'id') }];
        }),
        principals: [...table.relations.values()].flatMap((relation) => {
          const target = schema.tables.get(relation.target);
          if (!target || relation.fields.length !== 1 || target.class === 'tenant' || target.class === 'child' || target.name === schema.root) return [];
          return [db(table, relation.fields[0] ?? '')];
        }),
        ...(table.name === schema.root && table.primaryKey.length === 1 ? { rootKey: db(table, table.primaryKey[0]!) } : {}),
        credentials: [...table.columns.keys()].filter((field) => isCredentialColumn(table, field)).map((field) => db(table, field)),
        ...(table.primaryKey.length === 1 ? { key: db(table, table.primaryKey[0]!) } : {}),
        unique: table.uniques.filter((u) => u.fields.length === 1).map((u) => db(table, u.fields[0]!)),
        columns: [...table.columns.keys()].map((field) => db(table, field)),
      },
    };
    cache.set(key, result);
    return result;
  };
}

const OPERATION: Record<StatementAnalysis['kind'], Operation> = { select: 'read', update: 'update', delete: 'delete', insert: 'insert', other: 'read' };

export interface RawSqlResult {
  sites: QuerySite[];
  unknown: { node: Node; reason: string }[];
  /** Session-wide tenant settings (`SET app.tenant_id`, `set_config(..., false)`). */
  settings: { node: Node; calleeText: string; span?: { line: number; column: number; endLine: number; endColumn: number } }[];
  /** Transaction-local tenant settings (`SET LOCAL app.tenant_id`, `set_config(..., true)`): row-level security then scopes the transaction. */
  localSettings: Node[];
  /** Calls that send SQL (their text names a table) on a receiver not traced to a SQL client: the census counts them. */
  notTraced: { node: Node; call: TSESTree.CallExpression | TSESTree.TaggedTemplateExpression; table: string; reason: string }[];
}

/** Words followed by `(` that are SQL syntax, not a function call. */
const SQL_SYNTAX = new Set('select from where and or not in exists values any all some as on using over filter within lateral row array cast case when then else end is null interval returning into set by limit offset table with union conflict recursive distinct default join group order having window partition like ilike between call'.split(' '));
/** PostgreSQL's own functions: calling them reads no table of the project. */
const BUILTIN_FUNCTIONS = new Set(
  (
    'count sum avg min max coalesce nullif greatest least now lower upper length trim btrim ltrim rtrim substring substr replace concat concat_ws position left right abs round floor ceil ceiling random md5 ' +
    'date_trunc date_part extract to_char to_date to_timestamp to_number age make_interval generate_series unnest string_agg array_agg array_length array_to_json array_remove array_append array_cat ' +
    'row_to_json to_json to_jsonb json_agg jsonb_agg json_build_object jsonb_build_object json_build_array jsonb_build_array json_object_agg jsonb_object_agg jsonb_set json_array_elements jsonb_array_elements ' +
    'json_array_elements_text jsonb_array_elements_text jsonb_array_length json_array_length json_populate_record json_populate_recordset jsonb_populate_record jsonb_populate_recordset jsonb_to_recordset json_to_recordset ' +
    'jsonb_strip_nulls json_strip_nulls jsonb_each json_each jsonb_object_keys json_object_keys jsonb_extract_path jsonb_extract_path_text json_extract_path_text jsonb_typeof json_typeof jsonb_pretty ' +
    'gen_random_uuid uuid_generate_v4 set_config current_setting current_date current_timestamp timezone bool_or bool_and every row_number rank dense_rank lag lead first_value last_value nextval currval setval ' +
    'encode decode crypt gen_salt digest format regexp_replace regexp_matches regexp_match split_part char_length initcap lpad rpad reverse strpos translate sqrt power mod sign trunc exp ln log ' +
    'date time timestamp timestamptz numeric decimal int integer bigint smallint text varchar char uuid boolean bool jsonb json citext float real percentile_cont percentile_disc mode ' +
    'ts_rank to_tsvector to_tsquery plainto_tsquery websearch_to_tsquery similarity word_similarity unaccent overlay clock_timestamp statement_timestamp transaction_timestamp justify_interval date_bin ' +
    'isfinite cardinality array_position array_positions make_date make_timestamp make_timestamptz string_to_array array_to_string quote_ident quote_literal quote_nullable octet_length bit_length hashtext hashtextextended'
  ).split(' '),
);

/**
 * Functions of the database a statement that names no table calls (`SELECT create_task($1)`,
 * `CALL archive_team($1)`): their bodies are not read, so what they touch and how they filter is
 * not known. Literals and comments are left out; PostgreSQL's own functions and `pg_*` are not counted.
 */
export function databaseFunctionsIn(sql: string): string[] {
  const bare = withoutBlockComments(sql).replace(/--[^\n]*/g, ' ').replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")*"/g, '""');
  const found = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w$.:])((?:[a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*)\s*\(/gi)) {
    const name = match[1]!.toLowerCase();
    const local = name.replace(/^.*\./, '');
    if (SQL_SYNTAX.has(local) || BUILTIN_FUNCTIONS.has(local) || local.startsWith('pg_') || name.startsWith('pg_catalog.')) continue;
    found.add(name);
  }
  return [...found];
}

/** `/* ... *\/` removed in linear time (a lazy regular expression backtracks over an unterminated one). */
function withoutBlockComments(sql: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const start = sql.indexOf('/*', at);
    if (start < 0) return out + sql.slice(at);
    out += sql.slice(at, start) + ' ';
    const end = sql.indexOf('*/', start + 2);
    if (end < 0) return out;
    at = end + 2;
  }
}

/** Methods that send their first argument as SQL in the drivers people use (pg, postgres.js, mysql2, pg-promise). */
const SQL_METHODS = new Set(['query', 'unsafe', 'execute', 'many', 'manyOrNone', 'one', 'oneOrNone', 'none', 'any', 'result']);

/**
 * The census of raw SQL: `x.query(text)` / `x.sql\`...\`` whose text (inline, or a const of this
 * file) is a statement that names a table, but whose receiver no recognizer traced to a SQL client.
 * Counted as not traced, with where the trace stopped, so a scan never says 100% over calls it dropped.
 */
function untracedSql(call: TSESTree.CallExpression | TSESTree.TaggedTemplateExpression, context: AnalysisContext, analyzer: SqlQueryAnalyzer, lookup: ReturnType<typeof sqlLookup>): RawSqlResult['notTraced'][number] | undefined {
  const { unit } = context;
  let callee: Node;
  let textNode: Node | undefined;
  let receiver: Node;
  let otherTag = false;
  if (call.type === T.TaggedTemplateExpression) {
    callee = unwrap(call.tag);
    const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
    if (!name) return undefined;
    // `Prisma.sql\`...\``: a fragment that never sends itself (`$queryRaw(Prisma.sql\`...\`)` sends
    // it, and is counted there), even when `Prisma` comes from a package the analysis does not
    // follow (teable's `@teable/db-main-prisma`); so is a tag whose call passes it to a sink.
    if (callee.type === T.MemberExpression && callee.object.type === T.Identifier && callee.object.name === 'Prisma') return undefined;
    const parent = call.parent;
    if (parent?.type === T.CallExpression && parent.arguments.includes(call) && sinkOf(parent, context)) return undefined;
    // Another tag (`tx` of `sql.begin(async (tx) => ...)`) counts only when its text is a query on a table of the schema.
    otherTag = name !== 'sql';
    receiver = callee;
    textNode = call;
  } else {
    callee = unwrap(call.callee);
    if (callee.type !== T.MemberExpression || !SQL_METHODS.has(memberName(callee) ?? '')) return undefined;
    receiver = callee.object;
    textNode = call.arguments[0];
    const arg = textNode && unwrap(textNode);
    // `tx.execute(sql\`...\`)`: the tag is the sink, analysed where it stands; not counted twice.
    const held = arg ? (arg.type === T.TaggedTemplateExpression ? arg : constValueOf(arg, unit)) : undefined;
    if (held?.type === T.TaggedTemplateExpression && sinkOf(held, context)) return undefined;
    if (arg?.type === T.ObjectExpression) {
      const property = arg.properties.find((p): p is TSESTree.Property => p.type === T.Property && p.key.type === T.Identifier && p.key.name === 'text');
      textNode = property?.value;
    }
  }
  if (!textNode || textNode.type === T.SpreadElement) return undefined;
  const text = sqlTextOf(textNode, unit, context);
  if ('unknown' in text || !QUERY_START.test(text.sql)) return undefined;
  let table: string | undefined;
  try {
    const uses = analyzer.analyze(text.sql.replace(/\{\{[^{}]*\}\}/g, (m) => '$0'.padEnd(m.length, ' '))).flatMap((st) => st.uses.map((u) => u.table));
    const named = uses.filter((t) => !/^(pg_|information_schema\.)/.test(t));
    const known = named.find((t) => lookup(t))?.replace(/^.*\./, '');
    table = otherTag ? known : (known ?? named[0] ?? (/^\s*(\(\s*)*select\b/i.test(text.sql) ? databaseFunctionsIn(text.sql)[0] : undefined));
  } catch {
    table = otherTag ? undefined : '';
  }
  if (table === undefined) return undefined;
  const calleeText = textOf(unit, callee).replace(/\s+/g, '');
  const shown = calleeText.length > 60 ? `${calleeText.slice(0, 57)}...` : calleeText;
  const target = textOf(unit, receiver).replace(/\s+/g, '');
  const origins = originsOf(receiver, unit, context.resolver);
  const stop = origins.find((o): o is Extract<Origin, { kind: 'unknown' }> => o.kind === 'unknown');
  const lib = origins.find((o): o is LibOrigin => o.kind === 'lib');
  const why = stop
    ? `is not traced to a SQL client: ${stop.reason}${stop.file === unit.file ? ` (line ${stop.line})` : ''}`
    : lib
      ? `is traced to \`${lib.source}\`, whose \`${callee.type === T.MemberExpression ? memberName(callee) : 'sql'}\` is not read as a SQL client`
      : `is a project value not traced to a SQL client (${origins.map((o) => o.kind).join(', ') || 'no value'})`;
  return { node: callee, call, table, reason: `\`${shown}\` sends SQL, but the receiver \`${target.length > 60 ? `${target.slice(0, 57)}...` : target}\` ${why}` };
}

/**
 * Every raw SQL sink of a file. Each tenant table a statement touches becomes one QuerySite, so
 * the policy of require-tenant-filter decides for raw SQL as it does for ORM calls.
 */
export function recognizeRawSql(calls: (TSESTree.CallExpression | TSESTree.TaggedTemplateExpression)[], context: AnalysisContext): RawSqlResult {
  const result: RawSqlResult = { sites: [], unknown: [], settings: [], localSettings: [], notTraced: [] };
  const lookup = sqlLookup(context.schema);
  const analyzer = new SqlQueryAnalyzer((name) => lookup(name)?.info);
  let clickhouse: { lookup: ReturnType<typeof sqlLookup>; analyzer: SqlQueryAnalyzer } | undefined;
  const dialect = (sink: Sink) => {
    if (sink.dialect !== 'clickhouse') return { lookup, analyzer };
    if (!clickhouse) {
      const chLookup = sqlLookup(context.schema, 'clickhouse');
      clickhouse = { lookup: chLookup, analyzer: new SqlQueryAnalyzer((name) => chLookup(name)?.info) };
    }
    return clickhouse;
  };
  for (const call of calls) {
    // `client.insert({ table: 'website_event', values })`, `insert('website_event', rows)`: a write of
    // the ClickHouse table, read as an insert (no filter; its rows are the data written).
    const insert = call.type === T.CallExpression ? clickhouseInsertOf(call, context) : undefined;
    if (insert) {
      const calleeText = textOf(context.unit, insert.callee).replace(/\s+/g, '');
      const name = insertTableName(insert.table, context.unit, context);
      const found = name ? dialect({ callee: insert.callee, text: insert.table, client: { kind: 'client', scoped: false, how: insert.how }, dialect: 'clickhouse' }).lookup(name.replace(/^.*\./, '')) : undefined;
      if (!found) {
        result.unknown.push({ node: insert.callee, reason: name ? `${calleeText}: table \`${name}\` is not in the ClickHouse schema` : `${calleeText}: the table it writes (\`${textOf(context.unit, insert.table)}\`) is not a constant` });
        continue;
      }
      result.sites.push({
        orm: 'sql',
        table: found.table,
        operation: 'insert',
        method: 'insert',
        callee: insert.callee,
        calleeText,
        call: call as TSESTree.CallExpression,
        client: { kind: 'client', scoped: false, how: insert.how },
        predicate: { kind: 'scoped', via: 'an insert has no filter' },
        nested: [],
        ...(insert.values ? { data: insert.values } : {}),
      });
      continue;
    }
    const sink = sinkOf(call, context);
    if (!sink) {
      const missed = untracedSql(call, context, analyzer, lookup);
      if (missed) result.notTraced.push(missed);
      continue;
    }
    const written = sqlTextOf(sink.text, context.unit, context);
    // Sequelize's replacements (`:name`, `?`) and binds (`$name`) become `$n`, each with its value;
    // knex.raw's `?` bindings become `$n` too.
    const calleeText = textOf(context.unit, sink.callee).replace(/\s+/g, '');
    const text = 'unknown' in written ? written : isKnexRaw(sink) ? knexBindings(written) : sequelizeReplacements(call, sink.text, written, context);
    if ('unknown' in text) {
      result.unknown.push({ node: sink.callee, reason: `${calleeText}: ${text.unknown}` });
      continue;
    }
    if (!QUERY_START.test(text.sql) && !/\b(set_config|set\s+(local\s+)?app\.)/i.test(text.sql)) continue;
    let statements: StatementAnalysis[];
    const db = dialect(sink);
    const named = numberPlaceholders(text.sql, sink.dialect, sink.pgPromise);
    const valueOf = parameterValues(call, sink.text, text, named, context);
    // A value of the verified session (`req.user.team_id`, a local bound once to one) may pin the root by its key.
    const trusted = (n: number) => {
      const value = valueOf(n);
      return value !== undefined && sessionFieldOf(textOf(context.unit, value), value, context.unit) !== undefined;
    };
    try {
      // Named placeholders of query helpers (`{{websiteId::uuid}}`) are parameters too; the same
      // length keeps positions where they were written.
      statements = db.analyzer.analyze(named.sql, trusted);
    } catch (error) {
      const table = 'unknown' in written ? undefined : written.tableInterpolated;
      const why = table !== undefined ? `the table name is interpolated from \`${clipText(table)}\`, which is not a constant: a table name cannot be a query parameter` : `the SQL does not parse (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
      result.unknown.push({ node: sink.callee, reason: `${calleeText}: ${why}` });
      continue;
    }
    const bySession = sessionPins(statements, named.sql, db.analyzer, trusted, valueOf, context.unit);
    // ClickHouse's functions are its own (`toStartOfDay`, `uniq`): no project code behind them.
    if (!sink.dialect && statements.every((st) => st.kind === 'select' && st.uses.length === 0 && !st.setsTenantSetting)) {
      const functions = databaseFunctionsIn(text.sql);
      if (functions.length) {
        const shown = functions.slice(0, 3).map((f) => `\`${f}\``).join(', ');
        result.unknown.push({ node: sink.callee, reason: `${calleeText}: calls the database function${functions.length > 1 ? 's' : ''} ${shown}, whose body is not read: what it reads and whether it filters by the tenant is not known` });
        continue;
      }
    }
    for (const statement of statements) {
      if (statement.setsTenantSetting?.local) result.localSettings.push(sink.callee);
      if (statement.setsTenantSetting && !statement.setsTenantSetting.local) {
        const span = spanOf(text, byteOffsetToIndex(text.sql, statement.setsTenantSetting.location), 3, context.unit);
        result.settings.push({ node: sink.callee, calleeText, span });
      }
      for (const use of statement.uses) {
        const found = db.lookup(use.table);
        if (!found) {
          // A table the schema does not know is not guessed at: counted, unless it is the catalog's.
          const schema = sink.dialect === 'clickhouse' ? 'the ClickHouse schema' : 'the schema';
          if (!/^(pg_|information_schema\.)/.test(use.table)) result.unknown.push({ node: sink.callee, reason: `${calleeText}: table \`${use.table}\` is not in ${schema}` });
          continue;
        }
        const at = byteOffsetToIndex(text.sql, use.location);
        // A quoted name (`"Invoice"`) is underlined with its quotes.
        const length = text.sql[at] === '"' ? use.table.replace(/^.*\./, '').length + 2 : use.table.replace(/^.*\./, '').length;
        const span = spanOf(text, at, length, context.unit);
        result.sites.push({
          orm: 'sql',
          table: found.table,
          operation: OPERATION[statement.kind],
          method: statement.kind,
          callee: sink.callee,
          calleeText,
          call: call.type === T.CallExpression ? call : syntheticCall(call),
          client: sink.client,
          predicate: use.constrained
            ? use.credential
              ? credentialScope(`${use.alias}.${use.credential}`)
              : { kind: 'scoped', via: use.via ?? 'a tenant predicate' }
            : use.undecided
              ? { kind: 'unknown', reason: `\`${use.alias}\`: ${use.undecided}` }
            : use.orBypass !== undefined
              ? { kind: 'or-bypass', branch: sink.callee }
              : { kind: 'unscoped', detail: unscopedDetail(use, found.info, valueOf, context.unit), ...(bySession.has(use) ? { bySession: bySession.get(use) } : {}) },
          nested: [],
          sql: { alias: use.alias, span },
          ...filterKeys(use, found.table, valueOf, context.unit),
        });
      }
    }
  }
  return result;
}

/** At most this many parameters are tried as session values (one analysis each). */
const MAX_PASSED_IN = 4;

/**
 * The tables a statement leaves unconstrained that a value of the verified session would constrain,
 * were a parameter of the query's function (`owner_id` in `WHERE t.user_id = $2`, `[email,
 * owner_id]`) to hold one: whether it does is the callers' to say (worklenz's
 * checkIfUserAlreadyExists, called with `req.user.owner_id`). Each such parameter is tried on its
 * own, as the analysis would read it with a session value there.
 */
function sessionPins(
  statements: StatementAnalysis[],
  sql: string,
  analyzer: SqlQueryAnalyzer,
  trusted: (n: number) => boolean,
  valueOf: (n: number) => Node | undefined,
  unit: FileUnit,
): Map<TableUse, { values: Node[]; via: string }> {
  const out = new Map<TableUse, { values: Node[]; via: string }>();
  const open = statements.flatMap((st, index) => st.uses.filter((u) => !u.constrained && !u.undecided && u.info).map((use) => ({ use, index })));
  if (open.length === 0) return out;
  const numbers = [...new Set([...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])))].filter((n) => n > 0 && !trusted(n));
  const passed = numbers.map((n) => ({ n, value: valueOf(n) })).filter((p): p is { n: number; value: Node } => p.value !== undefined && isParameter(p.value, unit));
  for (const { n, value } of passed.slice(0, MAX_PASSED_IN)) {
    let again: StatementAnalysis[];
    try {
      again = analyzer.analyze(sql, (m) => m === n || trusted(m));
    } catch {
      return out;
    }
    for (const { use, index } of open) {
      if (out.has(use)) continue;
      const same = again[index]?.uses.find((u) => u.location === use.location && u.table === use.table);
      if (same?.constrained && !same.credential) out.set(use, { values: [value], via: `constrains \`${use.alias}\` (${same.via ?? 'a predicate on a value of the session'})` });
    }
  }
  return out;
}

/** A parameter of the function the expression is in (`owner_id`, `owner_id as string`): its callers give it its value. */
function isParameter(node: Node, unit: FileUnit): boolean {
  const value = unwrap(node);
  if (value.type !== T.Identifier) return false;
  const variable = findByName(unit.scopeManager, value, value.name);
  return variable?.defs.length === 1 && variable.defs[0]!.type === 'Parameter' && !variable.references.some((ref) => ref.isWrite());
}

function isKnexRaw(sink: { callee: Node; client: ClientInfo }): boolean {
  const callee = unwrap(sink.callee);
  return callee.type === T.MemberExpression && memberName(callee) === 'raw' && sink.client.kind === 'client' && sink.client.how === '`knex`';
}

/**
 * knex's `raw(text, bindings)`: its `?` are positional bindings, numbered `$1`, `$2`, ... in the
 * order written (the bindings array is then read like pg's values), so the text parses and its
 * filters are read (teable). `??` binds an identifier (a table or a column) at run time, and `:name`
 * named bindings are not read: the call is then counted as unknown, not guessed at. The segments are
 * rebuilt so that spans still point at the source.
 */
export function knexBindings(text: SqlText): SqlText | { unknown: string } {
  const { sql } = text;
  if (text.params?.length || text.paramsUnknown) return text;
  let out = '';
  const origin: number[] = [];
  let n = 0;
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '\\' && sql[i + 1] === '?') {
      // `\\?`: a literal question mark (a jsonb operator).
      out += '?';
      origin.push(i + 1);
      i += 1;
      continue;
    } else if (c === '?') {
      if (sql[i + 1] === '?') return { unknown: 'a `??` binding names a table or a column at run time' };
      const param = `$${++n}`;
      out += param;
      for (let k = 0; k < param.length; k++) origin.push(i);
      continue;
    } else if (c === ':' && /\w/.test(sql[i + 1] ?? '') && sql[i - 1] !== ':' && /[\s(,=]/.test(sql[i - 1] ?? ' ')) {
      return { unknown: 'its `:name` bindings are not read' };
    }
    out += c;
    origin.push(i);
  }
  if (n === 0) return text;
  const sourceOf = (index: number): number | undefined => {
    for (const [sqlStart, sourceStart, length] of text.segments) if (index >= sqlStart && index < sqlStart + length) return sourceStart + (index - sqlStart);
    return undefined;
  };
  const segments: [number, number, number][] = [];
  for (let j = 0; j < out.length; j++) {
    const source = sourceOf(origin[j]!);
    if (source === undefined) continue;
    const last = segments[segments.length - 1];
    if (last && last[0] + last[2] === j && last[1] + last[2] === source) last[2] += 1;
    else segments.push([j, source, 1]);
  }
  return { ...text, sql: out, segments };
}

/**
 * Named placeholders of query helpers (`{{websiteId::uuid}}`) as parameters, one number per name,
 * in the same length (positions stay where they were written); `names[n - 1]` is the name of `$n`.
 */
function numberPlaceholders(sql: string, dialect?: 'clickhouse', pgPromise?: boolean): { sql: string; names: string[]; offset: number } {
  // After the template's own `$n`, so that the two never share a number.
  const offset = Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  const names: string[] = [];
  const number = (whole: string, name: string) => {
    if (!names.includes(name)) names.push(name);
    const param = `$${offset + names.indexOf(name) + 1}`;
    return (param.length <= whole.length ? param : '$0').padEnd(whole.length, ' ');
  };
  let numbered = sql.replace(/\{\{([^{}]*)\}\}/g, (whole, inner: string) => number(whole, inner.split('::')[0]!.trim()));
  // pg-promise's `$(tenantId)`, `$<ids:csv>`: a value. `$(where:raw)`, `$(col:name)` splice text or a
  // name into the SQL: left as written, so the statement does not parse and is not analysable.
  if (pgPromise) {
    numbered = numbered.replace(/\$(?:\(([^()]*)\)|<([^<>]*)>|\[([^[\]]*)\]|\/([^/]*)\/)/g, (whole, ...groups: (string | undefined)[]) => {
      const inner = (groups.slice(0, 4).find((g) => g !== undefined) ?? '').trim();
      const match = /^([A-Za-z_$][\w$]*)(?::(csv|list|json|value))?$/.exec(inner);
      return match?.[1] ? number(whole, match[1]) : whole;
    });
  }
  if (dialect === 'clickhouse') return { sql: numberClickHouseParameters(withoutClickHouseClauses(numbered), names, offset), names, offset };
  return { sql: numbered, names, offset };
}

/**
 * The value the call passes for `$n`: the interpolation of a template, the element of the values
 * array after the text (`query(text, [a, b])`, `query({ text, values })`), the argument after the
 * text (`$queryRawUnsafe(text, a, b)`), or the property a named placeholder names in the object
 * after the text (`rawQuery(sql, { websiteId })`). Undefined where the shape does not say.
 */
function parameterValues(
  call: TSESTree.CallExpression | TSESTree.TaggedTemplateExpression,
  textNode: Node,
  text: SqlText,
  named: { names: string[]; offset: number },
  context: AnalysisContext,
): (n: number) => Node | undefined {
  const none = () => undefined;
  if (text.paramsUnknown) return none;
  const { names, offset } = named;
  const interpolated = text.params && text.params.length > 0 ? text.params : undefined;
  if (call.type === T.TaggedTemplateExpression) return (n) => interpolated?.[n - 1];
  if (interpolated && names.length === 0) return (n) => interpolated[n - 1];
  const first = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
  const index = call.arguments.findIndex((arg) => arg === textNode || unwrap(arg) === textNode);
  // pg's `query({ text, values })`; ClickHouse's `query({ query, query_params })`.
  const values = first?.type === T.ObjectExpression ? (propertyOf(first, 'values') ?? propertyOf(first, 'query_params')) : index >= 0 ? call.arguments[index + 1] : undefined;
  const held = values ? heldValue(values, context) : undefined;
  if (names.length > 0) {
    return (n) => (n <= offset ? interpolated?.[n - 1] : held?.type === T.ObjectExpression ? propertyOf(held, names[n - offset - 1] ?? '') : undefined);
  }
  if (held?.type === T.ArrayExpression) {
    return (n) => {
      const element = held.elements[n - 1];
      return element && element.type !== T.SpreadElement ? element : undefined;
    };
  }
  const callee = unwrap(call.callee);
  if (index >= 0 && callee.type === T.MemberExpression && /^\$(query|execute)RawUnsafe$/.test(memberName(callee) ?? '')) {
    return (n) => {
      const argument = call.arguments[index + n];
      return argument && argument.type !== T.SpreadElement ? argument : undefined;
    };
  }
  return none;
}

/** An array or object literal, or a const of this file that holds one. */
function heldValue(node: Node, context: AnalysisContext): Node | undefined {
  const value = unwrap(node);
  if (value.type === T.ArrayExpression || value.type === T.ObjectExpression) return value;
  const init = constValueOf(value, context.unit);
  const held = init ? unwrap(init) : undefined;
  return held?.type === T.ArrayExpression || held?.type === T.ObjectExpression ? held : undefined;
}

function propertyOf(object: TSESTree.ObjectExpression, name: string): Node | undefined {
  for (const property of object.properties) {
    if (property.type !== T.Property || property.computed) continue;
    const key = property.key.type === T.Identifier ? property.key.name : property.key.type === T.Literal ? String(property.key.value) : undefined;
    if (key === name) return property.value;
  }
  return undefined;
}

/**
 * The filter keys of a table of the statement, as the policy reads an ORM's `where`: each column
 * compared with a parameter whose value the call shows, by field name, with the text of the value
 * (the verified user's own rows, the row a scoped read just checked). Not `equalities`: with them
 * the policy would also accept a parent whose earlier read is scoped by a tenant id the client
 * chose (`WHERE project_id = $1` with a socket payload's project), which no-client-tenant-id
 * does not yet see in raw SQL, and the missing filter here is then the only finding left.
 */
function filterKeys(use: TableUse, table: Table, valueOf: (n: number) => Node | undefined, unit: FileUnit): Pick<QuerySite, 'whereKeys' | 'keyValues'> {
  const whereKeys: Record<string, string> = {};
  const keyValues: { column: string; value: Node }[] = [];
  for (const key of use.keys ?? []) {
    const value = valueOf(key.param);
    if (!value) continue;
    const field = [...table.columns.entries()].find(([, column]) => column.dbName === key.column)?.[0] ?? key.column;
    whereKeys[field] = textOf(unit, value);
    keyValues.push({ column: field, value });
  }
  return Object.keys(whereKeys).length > 0 ? { whereKeys, keyValues } : {};
}

/**
 * Why a table of the statement is not constrained, in words that say what the SQL does filter:
 * a key to a parent or to other tenant data compared with a value (`environment_id = $1`) is a
 * filter, but on a row the query takes on trust, not on the tenant.
 */
function unscopedDetail(use: TableUse, info: SqlTableInfo, valueOf: (n: number) => Node | undefined, unit: FileUnit): string {
  const tenantColumn = info.tenantColumns[0] ?? info.parents[0]?.column ?? 'tenant key';
  for (const key of use.keys ?? []) {
    const target = info.parents.find((p) => p.column === key.column)?.table ?? info.references?.find((r) => r.column === key.column)?.table;
    if (!target) continue;
    const value = valueOf(key.param);
    const shown = value ? `\`${clipText(textOf(unit, value))}\`` : `\`$${key.param}\``;
    const parent = info.parents.some((p) => p.column === key.column);
    return `a filter on \`${use.alias}.${key.column}\` (${parent ? 'its key to the parent' : 'a key to'} \`${target}\`), compared with ${shown}, a value this query takes on trust, and no predicate on ${parent ? `the tenant key of \`${target}\`` : `\`${use.alias}.${tenantColumn}\``} and no join to a constrained table`;
  }
  return `no predicate on \`${use.alias}.${tenantColumn}\` and no join to a constrained table`;
}

function clipText(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}

/** The tagged template stands where a call would: enough for the policy (enclosing function, position). */
function syntheticCall(tagged: TSESTree.TaggedTemplateExpression): TSESTree.CallExpression {
  return {
    type: T.CallExpression,
    callee: tagged.tag,
    arguments: [],
    optional: false,
    typeArguments: undefined,
    range: tagged.range,
    loc: tagged.loc,
    parent: tagged.parent,
  };
}

/** 1-based line and column of an SQL offset, in the TypeScript file. */
function spanOf(text: SqlText, sqlIndex: number, length: number, unit: FileUnit): { line: number; column: number; endLine: number; endColumn: number } | undefined {
  for (const [sqlStart, sourceStart, segmentLength] of text.segments) {
    if (sqlIndex < sqlStart || sqlIndex >= sqlStart + segmentLength) continue;
    const start = sourceStart + (sqlIndex - sqlStart);
    const before = unit.text.slice(0, start);
    const line = before.split('\n').length;
    const column = start - before.lastIndexOf('\n');
    return { line, column, endLine: line, endColumn: column + length };
  }
  return undefined;
}
