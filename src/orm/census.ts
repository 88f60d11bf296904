/**
 * The coverage census: calls that look like data access of a library the project uses, anchored
 * on the schema (the model, table or entity they name is one of its tables), that no recognizer
 * turned into a query site. Each is counted as "not traced" with the reason the receiver could not
 * be followed, so a scan says what it did not see instead of passing silently.
 *
 * The shapes are deliberately syntactic (what a reader would call a query at a glance); deciding
 * what the call does is the recognizers' job.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { relative } from 'node:path';
import { isChainLink, memberName, methodChain, T, textOf, unwrap, variableOf, walk, type Node } from '../core/ast.js';
import type { AnalysisContext, QuerySite } from '../core/query-site.js';
import { namesIn } from '../core/syntax.js';
import { delegateName, type Table } from '../core/schema.js';
import { originsOf, type LibOrigin } from '../flow/origin.js';
import { knexTableTexts } from './knex.js';
import { knexClientOf } from './knex-client.js';
import { constantText } from './knex-where.js';
import { MONGOOSE_MODEL_METHODS } from './mongoose.js';
import { flowOptions } from './supabase.js';
import { builderSite, TERMINALS } from './typeorm-builder.js';
import { receiverOf } from './typeorm-receiver.js';

export interface CensusEntry {
  orm: string;
  /** The table or model the call names. */
  table: string;
  /** Why it was not analysed: where the trace of the receiver stopped. */
  reason: string;
  /** SQL sent to a store the analysis does not read (see httpSqlSender): said once per sender, not counted per call. */
  store?: UnreadStoreCall;
}

/** A call that hands SQL to a project function that sends it over HTTP to a store no rule reads. */
export interface UnreadStoreCall {
  /** The function's name, its file (relative to the project root, posix) and line. */
  sender: string;
  file: string;
  line: number;
  /** Where it sends the text: the URL as written. */
  url: string;
}

const PRISMA_OPS = new Set(['findMany', 'findFirst', 'findFirstOrThrow', 'findUnique', 'findUniqueOrThrow', 'count', 'aggregate', 'groupBy', 'update', 'updateMany', 'updateManyAndReturn', 'upsert', 'delete', 'deleteMany', 'create', 'createMany', 'createManyAndReturn']);
const MODEL_OPS = new Set(['find', 'findOne', 'findById', 'findOneAndUpdate', 'findByIdAndUpdate', 'findOneAndDelete', 'findByIdAndDelete', 'updateOne', 'updateMany', 'deleteOne', 'deleteMany', 'countDocuments', 'aggregate', 'findAll', 'findAndCountAll', 'findByPk', 'destroy', 'update', 'count', 'upsert', 'bulkCreate', 'create']);
const REPOSITORY_OPS = new Set(['find', 'findOne', 'findOneBy', 'findBy', 'findAndCount', 'findOneOrFail', 'findOneByOrFail', 'count', 'countBy', 'update', 'delete', 'softDelete', 'remove', 'createQueryBuilder', 'exists', 'existsBy', 'increment', 'decrement', 'upsert', 'save', 'insert', 'nativeUpdate', 'nativeDelete', 'findOneOrFail']);
const KNEX_CHAIN = new Set(['where', 'whereIn', 'select', 'first', 'insert', 'update', 'del', 'delete', 'join', 'leftJoin', 'innerJoin', 'count', 'orderBy', 'returning', 'andWhere', 'pluck', 'increment', 'decrement', 'modify', 'onConflict']);
const KNEX_NOT_RUN = new Set(['as', 'toSQL', 'toString', 'toQuery', 'clone']);
const KYSELY_STARTS = new Set(['selectFrom', 'updateTable', 'deleteFrom', 'insertInto']);
const DRIZZLE_TABLE_LINKS = new Set(['from', 'update', 'delete', 'insert']);
const SUPABASE_OPS = new Set(['select', 'insert', 'update', 'upsert', 'delete']);

/** Which census shapes apply, by the recognizers the project enables. */
export function censusCall(call: TSESTree.CallExpression, context: AnalysisContext, orms: ReadonlySet<string>): CensusEntry | undefined {
  if (isChainLink(call)) return undefined;
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression) return undefined;
  const method = memberName(callee);
  if (!method) return undefined;
  const object = unwrap(callee.object);

  if (orms.has('prisma') && PRISMA_OPS.has(method) && object.type === T.MemberExpression) {
    const delegate = memberName(object);
    const table = delegate ? prismaTable(delegate, context) : undefined;
    if (table) return traced(object.object, context, 'prisma', table.name, `\`${delegate}\` is a Prisma model, but the receiver \`${short(context, object.object)}\``);
  }
  const chain = links(call);
  if (orms.has('drizzle')) {
    for (const link of chain) {
      if (DRIZZLE_TABLE_LINKS.has(link.name) && link.call.arguments[0]) {
        const table = drizzleTable(link.call.arguments[0], context);
        if (table) return traced(link.receiver, context, 'drizzle', table.name, `\`${short(context, link.call.arguments[0])}\` is a Drizzle table, but the receiver \`${short(context, link.receiver)}\``);
      }
    }
    if ((method === 'findMany' || method === 'findFirst') && object.type === T.MemberExpression) {
      const query = unwrap(object.object);
      const key = memberName(object);
      if (key && query.type === T.MemberExpression && memberName(query) === 'query') {
        const table = tableByCodeName(key, context, 'drizzle');
        if (table) return traced(query.object, context, 'drizzle', table.name, `\`query.${key}\` is a Drizzle table, but the receiver \`${short(context, query.object)}\``);
      }
    }
  }
  if (orms.has('kysely')) {
    for (const link of chain) {
      if (!KYSELY_STARTS.has(link.name)) continue;
      const table = literalTable(link.call.arguments[0], context);
      if (table) return traced(link.receiver, context, 'kysely', table.name, `\`${link.name}('${table.dbName}')\` names a table of the schema, but the receiver \`${short(context, link.receiver)}\``);
    }
  }
  if (orms.has('knex')) {
    const start = knexStartOf(chain, context);
    if (start) return start;
  }
  if (orms.has('supabase-js')) {
    // `supabase.from('invoices').select(...)`: a table of the schema, then a PostgREST operation.
    const index = chain.findIndex((link) => link.name === 'from');
    const from = chain[index];
    const table = from ? literalTable(from.call.arguments[0], context) : undefined;
    if (from && table && SUPABASE_OPS.has(chain[index + 1]?.name ?? '')) {
      return traced(from.receiver, context, 'supabase-js', table.name, `\`from('${table.dbName}')\` names a table of the schema, but the receiver \`${short(context, from.receiver)}\``, 'supabase');
    }
  }
  if ((orms.has('mongoose') || orms.has('sequelize')) && MODEL_OPS.has(method) && object.type === T.Identifier) {
    const table = tableByCodeName(object.name, context, orms.has('mongoose') ? 'mongoose' : 'sequelize');
    if (table) return traced(object, context, table.source, table.name, `\`${object.name}\` is a ${table.source} model, but it`);
  }
  if (orms.has('mongoose') && MONGOOSE_MODEL_METHODS.has(method) && importsMongoose(context)) {
    const entry = mongooseModelCall(object, method, context);
    if (entry) return entry;
  }
  if ((orms.has('typeorm') || orms.has('mikroorm')) && REPOSITORY_OPS.has(method)) {
    // `getRepository(Invoice).find(...)`, `manager.find(Invoice, ...)`.
    const repoCall = object.type === T.CallExpression ? unwrap(object.callee) : undefined;
    const entityArg = repoCall?.type === T.MemberExpression && memberName(repoCall) === 'getRepository' && object.type === T.CallExpression ? object.arguments[object.arguments.length - 1] : call.arguments[0];
    const entity = entityArg ? unwrap(entityArg) : undefined;
    if (entity?.type === T.Identifier && !(method === 'createQueryBuilder' && runsAtTerminal(call, context))) {
      const table = tableByCodeName(entity.name, context, 'typeorm') ?? tableByCodeName(entity.name, context, 'mikroorm');
      if (table) return traced(object, context, table.source, table.name, `\`${entity.name}\` is an entity, but the receiver \`${short(context, object)}\``, table.source === 'mikroorm' ? 'mikro-orm' : 'typeorm');
    }
  }
  return undefined;
}

const MONGOOSE_SOURCES = new Set(['mongoose', '@nestjs/mongoose']);

/** Only a file that imports Mongoose (or its NestJS module) names a model by its type or decorator. */
function importsMongoose(context: AnalysisContext): boolean {
  return context.unit.ast.body.some((s) => s.type === T.ImportDeclaration && MONGOOSE_SOURCES.has(s.source.value));
}

/**
 * `this.customersModel.find(...)` where the flow engine finds a Mongoose model (a `Model<...>` from
 * `mongoose`, a member injected by `@InjectModel(...)`) but the recognizer could not place it on a
 * model of the schema (a schema class the readers did not see, a name computed at run time): a
 * query on an unknown collection, counted as not traced rather than dropped. A document or a
 * query derived from a model (`(await Model.findOne()).remove()`) is not the model itself.
 */
function mongooseModelCall(object: Node, method: string, context: AnalysisContext): CensusEntry | undefined {
  const model = originsOf(object, context.unit, context.resolver).find(
    (o): o is LibOrigin =>
      o.kind === 'lib' &&
      MONGOOSE_SOURCES.has(o.source) &&
      ((o.name === 'Model' && o.steps.length === 0) || (o.name === 'InjectModel' && o.steps.length === 1 && o.steps[0]?.kind === 'call')),
  );
  if (!model) return undefined;
  const how = model.trail.length > 0 ? model.trail[model.trail.length - 1] : `a \`Model\` from \`${model.source}\``;
  return { orm: 'mongoose', table: '', reason: `\`${short(context, object)}.${method}\` is a Mongoose model call (${how}), but the model is not traced to one of the schema` };
}

/**
 * `const qb = repo.createQueryBuilder('o'); ...; qb.getOne()`: the builder is not a query of its
 * own; the query is its terminal call, analysed there (vendure: each such builder was counted once
 * more as not traced beside its analysed terminal).
 */
function runsAtTerminal(create: TSESTree.CallExpression, context: AnalysisContext): boolean {
  let node: Node = create;
  while (node.parent && (node.parent.type === T.TSAsExpression || node.parent.type === T.TSNonNullExpression || node.parent.type === T.AwaitExpression)) node = node.parent;
  const declarator = node.parent;
  if (declarator?.type !== T.VariableDeclarator || declarator.init !== node || declarator.id.type !== T.Identifier) return false;
  const variable = context.unit.scopeManager.getDeclaredVariables(declarator)[0];
  for (const ref of variable?.references ?? []) {
    // Each call of the chain on it: the terminal may be followed by `.then(...)`.
    let outer: Node = ref.identifier;
    while (outer.parent?.type === T.MemberExpression && outer.parent.object === outer && outer.parent.parent?.type === T.CallExpression && outer.parent.parent.callee === outer.parent) {
      const link: TSESTree.CallExpression = outer.parent.parent;
      const name = memberName(outer.parent);
      if (name && TERMINALS.has(name) && builderSite(link, name, context)) return true;
      outer = link;
    }
  }
  return false;
}

const BUILT_INS = new Set(['Array', 'Object', 'Promise', 'Set', 'Map', 'String', 'Number', 'JSON', 'Math', 'Date', 'Reflect', 'Buffer', 'Intl', 'Symbol', 'BigInt', 'URL']);

interface Link {
  name: string;
  call: TSESTree.CallExpression;
  receiver: Node;
}

/** The member calls of a chain, innermost first, each with the receiver the chain starts from. */
function links(call: TSESTree.CallExpression): Link[] {
  const chain = methodChain(call);
  const first = chain[0]?.call.callee;
  const receiver = first && unwrap(first).type === T.MemberExpression ? (unwrap(first) as TSESTree.MemberExpression).object : call;
  return chain.map((l) => ({ ...l, receiver }));
}

/** `db('invoices').where(...)`: a call with a table of the schema as its only argument, followed by a Knex builder method. */
function knexStartOf(chain: Link[], context: AnalysisContext): CensusEntry | undefined {
  const [first, second] = chain;
  if (!first) return undefined;
  // `db('t').select(...).as('fs')` inside another query's join, `.toQuery()`: a part of a query, or its text, not a query run here.
  if (chain.some((link) => KNEX_NOT_RUN.has(link.name))) return undefined;
  let base: Node;
  if (KNEX_CHAIN.has(first.name)) {
    const start = unwrap(first.call.callee);
    if (start.type !== T.MemberExpression) return undefined;
    base = unwrap(start.object);
  } else if (second && KNEX_CHAIN.has(second.name) && unwrap((unwrap(first.call.callee) as TSESTree.MemberExpression).object).type === T.ThisExpression) {
    // `this.db(table).where(...)`: the client is a field, and its call is the chain's first link. A
    // method of a TypeORM repository (`this.createQueryBuilder('user').where(...)` in a repository
    // extension) is that repository's builder, not a Knex field.
    const self = unwrap((unwrap(first.call.callee) as TSESTree.MemberExpression).object);
    if (context.recognizers?.some((r) => r.name === 'typeorm') !== false && receiverOf(self, context.unit, context)) return undefined;
    base = first.call;
  } else return undefined;
  if (base.type !== T.CallExpression || base.arguments.length !== 1) return undefined;
  const table = literalTable(base.arguments[0], context);
  const callee = unwrap(base.callee);
  if (!table) return knexDynamicTable(base, callee, context);
  if (callee.type === T.MemberExpression && ['from', 'into', 'table', 'selectFrom', 'updateTable', 'deleteFrom', 'insertInto', 'collection', 'model'].includes(memberName(callee) ?? '')) return undefined;
  return traced(callee, context, 'knex', table.name, `\`${short(context, base)}\` names a table of the schema, but \`${short(context, callee)}\``);
}

/**
 * `this.db(this.tableName).where({ id }).delete()`, `db(table).where(...)`: a Knex query whose table is
 * not a constant the recognizer could place (a class field whose constructions it cannot all read,
 * a parameter, a value from the request). Which table it reads is not known: counted as not traced,
 * with where the table's trace stopped. Only on a receiver the Knex recognizer traces to a client:
 * `f(x).where(...)` of anything else is no query. A table that is known but outside the schema is
 * not the project's tenant data, as with a written one.
 */
function knexDynamicTable(base: TSESTree.CallExpression, callee: Node, context: AnalysisContext): CensusEntry | undefined {
  const arg = base.arguments[0];
  if (!arg || arg.type === T.SpreadElement) return undefined;
  const node = unwrap(arg);
  if (node.type === T.Literal || node.type === T.ObjectExpression || node.type === T.ArrowFunctionExpression || node.type === T.FunctionExpression) return undefined;
  if (constantText(arg, context.unit, context) !== undefined) return undefined;
  if (callee.type === T.MemberExpression && ['from', 'into', 'table', 'raw', 'transaction', 'schema', 'with'].includes(memberName(callee) ?? '')) return undefined;
  if (!knexClientOf(callee, context.unit, context)) return undefined;
  const field = knexTableTexts(arg, context.unit, context);
  if (field && 'texts' in field) return undefined;
  const shown = short(context, arg);
  const why = field && 'unknown' in field ? field.unknown : `\`${shown}\` is ${whatValue(node, context)}, not a constant`;
  return { orm: 'knex', table: '', reason: `\`${short(context, base)}\` is a Knex query, but which table it reads is not known: ${why}` };
}

/** A value in words, for a reason: a parameter of the function, or an expression. */
function whatValue(node: Node, context: AnalysisContext): string {
  let base = node;
  while (base.type === T.MemberExpression) base = unwrap(base.object);
  if (base.type !== T.Identifier) return 'computed';
  const binding = context.resolver.bindingOf(base, context.unit);
  if (binding.kind === 'parameter') return base === node ? 'a parameter of the function' : `read from \`${base.name}\`, a parameter of the function`;
  return base === node ? 'a variable' : `read from \`${base.name}\``;
}

/**
 * Counted as not traced when the flow engine stops somewhere (the reason says where), or when it
 * reaches this library but the call was still not understood. A receiver traced to a project value
 * or to another library is not this library's query: not counted.
 */
function traced(receiver: Node, context: AnalysisContext, orm: string, table: string, what: string, library = orm.replace('-', '')): CensusEntry | undefined {
  // `Array.from(x)`, `Object.entries(x)`: a built-in of the language is never a database client.
  const bare = unwrap(receiver);
  if (bare.type === T.Identifier && BUILT_INS.has(bare.name) && !context.unit.scopeManager.globalScope?.set.get(bare.name)?.defs.length) return undefined;
  // As the supabase-js recognizer asks (with the call graph), so that both see the same origins.
  const origins = originsOf(receiver, context.unit, context.resolver, library === 'supabase' ? flowOptions(context) : {});
  const unknown = origins.find((o) => o.kind === 'unknown');
  if (unknown?.kind === 'unknown') {
    const where = unknown.file === context.unit.file ? ` (line ${unknown.line})` : '';
    return { orm, table, reason: `${what} is not traced to a client: ${unknown.reason}${where}` };
  }
  const own = origins.find((o): o is LibOrigin => o.kind === 'lib' && o.source.toLowerCase().includes(library));
  if (own) return { orm, table, reason: `${what} is traced to \`${own.source}\`, but the call's shape is not understood` };
  return undefined;
}

function short(context: AnalysisContext, node: Node): string {
  const text = textOf(context.unit, node).replace(/\s+/g, '');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function prismaTable(delegate: string, context: AnalysisContext): Table | undefined {
  for (const table of context.schema.tables.values()) {
    if (table.source === 'prisma' && delegateName(table.name) === delegate) return table;
  }
  return undefined;
}

/**
 * `invoices` or `schema.invoices` named like a Drizzle table of the schema. A name reached from a
 * parameter or a local object (`Array.from(oldBoard.lists)`, where `oldBoard` is a callback's
 * argument) is a value that happens to share the table's name, not the table.
 */
function drizzleTable(arg: Node, context: AnalysisContext): Table | undefined {
  const node = unwrap(arg);
  const name = node.type === T.Identifier ? node.name : node.type === T.MemberExpression ? memberName(node) : undefined;
  if (!name) return undefined;
  let base: Node = node;
  while (base.type === T.MemberExpression) base = unwrap(base.object);
  if (base.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(base, context.unit);
  if (binding.kind === 'parameter' || binding.kind === 'function' || binding.kind === 'class') return undefined;
  if (binding.kind === 'value' && base !== node && isLocalValue(binding.value.node)) return undefined;
  return tableByCodeName(name, context, 'drizzle');
}

/** A value made in a function body (an object, an array, a call's result), not a module's table or namespace. */
function isLocalValue(node: Node): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === T.FunctionDeclaration || current.type === T.FunctionExpression || current.type === T.ArrowFunctionExpression) return true;
  }
  return false;
}

function tableByCodeName(name: string, context: AnalysisContext, source: string): Table | undefined {
  for (const table of context.schema.tables.values()) {
    if (table.source !== source && !table.codeNames?.includes(name)) continue;
    if (table.name === name || table.codeNames?.includes(name)) return table;
  }
  return undefined;
}

/** A table of the schema named by a string or a constant (`'invoices'`, `TABLE`, `T.invoices`, `` `${TABLE} as i` ``). */
function literalTable(arg: Node | undefined, context: AnalysisContext): Table | undefined {
  const text = constantText(arg, context.unit, context);
  if (text === undefined) return undefined;
  const name = beforeAlias(text).trim().replace(/^public\./, '');
  for (const table of context.schema.tables.values()) {
    if (table.dbName === name || table.name === name) return table;
  }
  return undefined;
}

/**
 * `'invoices as i'` -> `'invoices'`: what `text.split(/\s+as\s+/i)[0]` gives, in linear time (that
 * expression backtracks quadratically over a long run of blanks in a scanned string literal). The
 * first blank-`as`-blank is found by a fixed-width search; the match starts where its run of blanks does.
 */
export function beforeAlias(text: string): string {
  const at = /\sas\s/i.exec(text)?.index;
  if (at === undefined) return text;
  let start = at;
  while (start > 0 && /\s/.test(text[start - 1])) start--;
  return text.slice(0, start);
}

/** What a call sends, when it is SQL: the statement starts with a query's keyword. */
const SQL_START = /^\s*(?:\(\s*)?(select|with|insert\s+into|update|delete\s+from)\b/i;
/** The tables a statement names (`from x`, `join x`, `into x`, `update x`), schema prefix and quotes dropped. */
const SQL_TABLE = /\b(?:from|join|into|update)\s+(?:["`]?\w+["`]?\.)?["`]?([a-z_][\w]*)["`]?/gi;
/**
 * Calls that take SQL text without sending it: string methods, loggers, builders of more text.
 * `sql.replace(...)` or `log(query)` is not a query.
 */
const NOT_SENDERS = new Set(['replace', 'replaceAll', 'concat', 'split', 'trim', 'join', 'push', 'unshift', 'includes', 'startsWith', 'endsWith', 'match', 'matchAll', 'test', 'exec', 'indexOf', 'slice', 'substring', 'toLowerCase', 'toUpperCase', 'padEnd', 'padStart', 'format', 'dedent', 'stripIndent', 'log', 'debug', 'info', 'warn', 'error', 'trace', 'fatal', 'assert', 'expect', 'toBe', 'toEqual', 'toContain', 'toMatch', 'set', 'get', 'has', 'add', 'emit', 'send', 'write', 'json', 'stringify', 'parse', 'String', 'Error', 'sql', 'raw', 'Prisma.sql', 'Prisma.raw', 'empty', 'append', 'toString', 'describe', 'it', 'test']);

/**
 * A call that hands SQL text naming a table of the schema (written in the call, or held by a local
 * it passes: `let sql = ''; if (a) sql = \`select ... from website_event\`; ... rawQuery(sql, params)`)
 * to a function no recognizer traced to a SQL client: umami's `clickhouse.rawQuery`, a
 * `pagedRawQuery` helper that wraps the text before it reaches the client. Such a call queries the
 * database as surely as `pool.query(...)`; it is counted as not traced, with the callee, instead of
 * passing unseen. Calls the raw-SQL recognizer analysed or counted are left out by the caller.
 */
export function censusSqlText(call: TSESTree.CallExpression, context: AnalysisContext): CensusEntry | undefined {
  const callee = unwrap(call.callee);
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (!name || NOT_SENDERS.has(name) || /^(log|logger|console|debug)/i.test(name)) return undefined;
  if (callee.type === T.MemberExpression) {
    const base = unwrap(callee.object);
    if (base.type === T.Identifier && /^(console|log|logger|debug|JSON|Object|Array|String|Promise|Math)$/i.test(base.name)) return undefined;
  }
  // Text built from text: the result goes into a template or a concatenation, not to a database.
  const parent = call.parent;
  if (parent?.type === T.TemplateLiteral || (parent?.type === T.BinaryExpression && parent.operator === '+')) return undefined;
  for (const argument of call.arguments.slice(0, 2)) {
    if (argument.type === T.SpreadElement) continue;
    for (const text of textsOf(argument, context)) {
      if (!SQL_START.test(text)) continue;
      const table = schemaTableIn(text, context);
      if (!table) continue;
      // A library's function (\`pgFormat(text, rows)\`, a driver's \`query\`) is its recognizer's to read: it formats the
      // text, or the raw-SQL reader decided the statement (a catalog query) is not the project's data.
      if (isLibraryFunction(callee, context)) return undefined;
      const shown = short(context, callee);
      const named = typeof table === 'string' ? `\`${table}\` (not a table of the schema)` : `\`${table.dbName}\``;
      const tableName = typeof table === 'string' ? table : table.name;
      const store = httpSqlSender(callee, call.arguments.indexOf(argument), context);
      if (store) return { orm: 'sql', table: tableName, reason: `\`${shown}\` is handed SQL on ${named}, which it sends over HTTP to \`${store.url}\`, a store the analysis does not read`, store };
      return { orm: 'sql', table: tableName, reason: `\`${shown}\` is handed SQL on ${named}, but ${senderOf(callee, context)}` };
    }
  }
  // `insert('website_event', rows)`: a project helper over a client the analysis does not read (ClickHouse's `insert({ table, values })`).
  const first = call.arguments[0];
  if (name === 'insert' && callee.type === T.Identifier && first?.type === T.Literal && typeof first.value === 'string') {
    const table = [...context.schema.tables.values()].find((t) => t.dbName === first.value || t.name === first.value);
    if (table && !isLibraryFunction(callee, context)) return { orm: 'sql', table: table.name, reason: `\`${name}('${first.value}', ...)\` writes a table of the schema, but ${senderOf(callee, context)}` };
  }
  return undefined;
}

/** A function of a library and nothing else (a value that may also be a parameter of unknown type is not). */
function isLibraryFunction(callee: Node, context: AnalysisContext): boolean {
  const origins = originsOf(callee, context.unit, context.resolver);
  return origins.some((o) => o.kind === 'lib') && !origins.some((o) => o.kind === 'unknown');
}

/** The texts an argument may hold: a literal, a template (interpolations as `?`), or every value a local of this function is given. */
function textsOf(argument: Node, context: AnalysisContext): string[] {
  const node = unwrap(argument);
  const flat = plainText(node);
  if (flat !== undefined) return [flat];
  if (node.type !== T.Identifier) return [];
  const variable = variableOf(context.unit.scopeManager, node);
  if (!variable || variable.defs.length !== 1 || variable.defs[0]?.type !== 'Variable') return [];
  const texts: string[] = [];
  const def = variable.defs[0];
  if (def.node.type === T.VariableDeclarator && def.node.init) {
    const init = plainText(unwrap(def.node.init));
    if (init !== undefined) texts.push(init);
  }
  for (const reference of variable.references) {
    const assignment = reference.identifier.parent;
    if (!reference.isWrite() || assignment?.type !== T.AssignmentExpression || assignment.left !== reference.identifier) continue;
    const value = plainText(unwrap(assignment.right));
    if (value !== undefined) texts.push(value);
  }
  return texts;
}

function plainText(node: Node): string | undefined {
  if (node.type === T.Literal && typeof node.value === 'string') return node.value;
  if (node.type === T.TemplateLiteral) return node.quasis.map((q) => q.value.cooked ?? q.value.raw).join(' ? ');
  if (node.type === T.BinaryExpression && node.operator === '+') {
    const left = plainText(unwrap(node.left));
    const right = plainText(unwrap(node.right));
    return left === undefined && right === undefined ? undefined : `${left ?? ' ? '}${right ?? ' ? '}`;
  }
  return undefined;
}

/**
 * The first table of the schema a statement names; else, for a statement that reads as a query
 * (`from x` with a `where`, `join`, `group by`, `order by` or `limit`), the first table it names,
 * which the schema does not know (a ClickHouse rollup beside the Prisma schema): still data access.
 */
function schemaTableIn(text: string, context: AnalysisContext): Table | string | undefined {
  let first: string | undefined;
  for (const match of text.matchAll(SQL_TABLE)) {
    const name = match[1]!;
    if (/^(select|set|the|a|an|and|or|to|of)$/i.test(name)) continue;
    // The catalog (\`pg_timezone_names\`, \`information_schema.columns\`) holds no rows of the project.
    if (/^(pg_|information_schema$)/i.test(name) || /\binformation_schema\./i.test(match[0])) return undefined;
    first ??= name;
    for (const table of context.schema.tables.values()) {
      if (table.dbName === name || table.name === name) return table;
    }
  }
  return first && /\bfrom\b/i.test(text) && /\b(where|join|group\s+by|order\s+by|limit)\b/i.test(text) ? first : undefined;
}

/**
 * `runQueryToCFA(c, query)` whose body is `fetch(\`https://api.cloudflare.com/.../analytics_engine/sql\`, { body: query })`
 * (capgo's Cloudflare Analytics Engine; `hogql(c, query)` posting to PostHog): a project function that
 * sends its SQL parameter over HTTP with the global `fetch`. The text goes to a store no rule reads
 * (its tables are datasets of that service, whatever names they share with the schema), not to the
 * project's database: like a ClickHouse client, said once per function with the count of its calls
 * (an `unread-store` diagnostic), instead of each call counted as a helper not followed.
 */
function httpSqlSender(callee: Node, index: number, context: AnalysisContext): UnreadStoreCall | undefined {
  if (index < 0) return undefined;
  const origins = originsOf(callee, context.unit, context.resolver);
  if (origins.length !== 1 || origins[0]?.kind !== 'function') return undefined;
  const { fn, unit } = origins[0];
  const param = fn.params[index];
  const name = param?.type === T.Identifier ? param.name : param?.type === T.AssignmentPattern && param.left.type === T.Identifier ? param.left.name : undefined;
  if (!name || !fn.body) return undefined;
  let url: string | undefined;
  walk(fn.body, (node) => {
    if (url !== undefined || node.type !== T.CallExpression) return;
    const target = unwrap(node.callee);
    if (target.type !== T.Identifier || target.name !== 'fetch' || variableOf(unit.scopeManager, target)?.defs.length) return;
    if (!node.arguments.some((arg) => namesIn(arg, fn, unit).has(name))) return;
    const first = node.arguments[0];
    url = first ? textOf(unit, first).replace(/\s+/g, '').replace(/^[`'"]([^`'"]*)[`'"]$/, '$1') : '';
  });
  if (url === undefined) return undefined;
  const file = context.root ? relative(context.root, unit.file).split('\\').join('/') : unit.file;
  const id = fn.type === T.FunctionDeclaration && fn.id ? fn.id.name : callee.type === T.Identifier ? callee.name : short(context, callee);
  return { sender: id, file, line: fn.loc.start.line, url: url.length > 80 ? `${url.slice(0, 77)}...` : url };
}

/** Where the trace of the function that receives the SQL stopped, in words. */
function senderOf(callee: Node, context: AnalysisContext): string {
  const origins = originsOf(callee, context.unit, context.resolver);
  const stop = origins.find((o) => o.kind === 'unknown');
  if (stop?.kind === 'unknown') return `it is not traced to a SQL client: ${stop.reason}${stop.file === context.unit.file ? ` (line ${stop.line})` : ''}`;
  const lib = origins.find((o): o is LibOrigin => o.kind === 'lib');
  if (lib) return `it is traced to \`${lib.source}\`, which is not read as a SQL client`;
  const fn = origins.find((o) => o.kind === 'function');
  if (fn?.kind === 'function') return `it is a project function (${fn.unit.file === context.unit.file ? 'this file' : fn.unit.file.replace(/^.*\/(?=[^/]+\/[^/]+$)/, '')}, line ${fn.fn.loc.start.line}) that the raw-SQL reader does not follow to a SQL client`;
  return 'no recognizer traced it to a SQL client';
}

/** A data-access call's outcome counts, per call: the sites one call gives (a statement over three tables, each a site) count once. */
export interface CallCounts {
  scoped: number;
  unscoped: number;
  notAnalysable: number;
  schemaMatched: number;
}

/**
 * Coverage counts data-access calls, as the issue and the census mean them. A raw statement that
 * joins three tables is three query sites (each decided by the policy) but one call: counted per
 * site, unleash's 273 calls were "690 seen". A call is unscoped when one of its sites is, not
 * analysable when none is unscoped and one could not be read (a site's filter, or a table of the
 * statement the raw-SQL reader could not place: `unknownCalls`), scoped otherwise.
 */
export function countCalls(sites: readonly QuerySite[], unknownCalls: readonly Node[]): CallCounts {
  const outcome = new Map<string, { unscoped: boolean; unknown: boolean; schemaMatched: boolean }>();
  const entry = (node: Node) => {
    const key = `${node.range[0]}:${node.range[1]}`;
    let found = outcome.get(key);
    if (!found) outcome.set(key, (found = { unscoped: false, unknown: false, schemaMatched: false }));
    return found;
  };
  for (const site of sites) {
    const call = entry(site.call);
    if (site.client.kind === 'unknown') call.schemaMatched = true;
    if (site.predicate.kind === 'unknown') call.unknown = true;
    else if (!(site.predicate.kind === 'scoped' || (site.client.kind === 'client' && site.client.scoped))) call.unscoped = true;
  }
  // \`this.db.raw('(SELECT COUNT(*) ...) as n')\` in the select list of a Knex chain the analysis read: a
  // fragment of that query (unleash: three such fragments made one query four "seen"), not a call of its own.
  const siteCalls = new Set(sites.map((s) => `${s.call.range[0]}:${s.call.range[1]}`));
  const insideSite = (node: Node) => {
    for (let current = node.parent; current; current = current.parent) {
      if (current.type === T.CallExpression && siteCalls.has(`${current.range[0]}:${current.range[1]}`)) return true;
    }
    return false;
  };
  for (const node of unknownCalls) if (!insideSite(node)) entry(node).unknown = true;
  const counts: CallCounts = { scoped: 0, unscoped: 0, notAnalysable: 0, schemaMatched: 0 };
  for (const call of outcome.values()) {
    if (call.schemaMatched) counts.schemaMatched++;
    if (call.unscoped) counts.unscoped++;
    else if (call.unknown) counts.notAnalysable++;
    else counts.scoped++;
  }
  return counts;
}

/** The call (or tagged template) a reported callee belongs to: what `countCalls` groups by. */
export function callOf(callee: Node): Node {
  for (let node: Node | undefined = callee; node; node = node.parent) {
    const parent: Node | undefined = node.parent;
    if (parent?.type === T.CallExpression && parent.callee === node) return parent;
    if (parent?.type === T.TaggedTemplateExpression && parent.tag === node) return parent;
    if (!parent || !(parent.type === T.TSAsExpression || parent.type === T.TSNonNullExpression || parent.type === T.ChainExpression || parent.type === T.AwaitExpression || parent.type === T.TSSatisfiesExpression)) return callee;
  }
  return callee;
}

/**
 * A migration step (`migrations/20210615_x.js`, `database/pg-migrations/178_x.js`: `exports.up =
 * async (db) => db.query(...)`): run once by an operator, like a seed file, not data access of the
 * application. Its untraced calls are not counted (worklenz's pg-migrations, unleash's db-migrate
 * steps); what the analysis does recognise in it is still analysed.
 */
export function isMigrationFile(projectFile: string): boolean {
  return /(^|\/)[\w.-]*migrations?\/(?:[^/]+\/)?[^/]+\.[cm]?[jt]s$/i.test(projectFile);
}
