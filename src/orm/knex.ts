/**
 * Knex query chains: `db('invoices')`, `db.from('invoices')`, `db.table('invoices')`,
 * `db.select(...).from('invoices as i')`, `db.insert(row).into('invoices')`, with their
 * `.where*` / `.orWhere*` links, joins, `.update()`, `.del()`, `.insert()`, `.first()`.
 * The client is traced to `knex(config)` (src/orm/knex-client.ts); tables are SQL names, mapped
 * to the schema by `dbName`. A builder kept in a `const` and completed later is followed; one
 * built across statements (`let q = ...; q = q.where(...)`) is not analysable unless already scoped.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { isChainLink, memberName, T, textOf, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext, ClientInfo, Operation, OrmRecognizer, QuerySite } from '../core/query-site.js';
import type { Table } from '../core/schema.js';
import { tableKey } from '../schema/merge.js';
import { isPerTenant, knexClientOf, type KnexClient } from './knex-client.js';
import { chainEqualities } from './chain-equalities.js';
import { callGraphFor, searchRootOf } from '../flow/callers.js';
import { thisFieldValues } from '../flow/fields.js';
import { modelBuilderStart, modelMethodSite, type ModelTable } from './knex-model.js';
import { columnOf, constantText, evaluateLinks, stringLiteral, whereKeysOf, type Link, type QueryScope, type Source } from './knex-where.js';

const MAX_DEPTH = 8;
/** Methods that start a query on a client: `db.from('t')`, `db.select('a').from('t')`, `db.insert(r).into('t')`. */
const STARTS = new Set([
  'from', 'table', 'into', 'select', 'first', 'insert', 'update', 'del', 'delete', 'where', 'withSchema', 'count', 'distinct',
  'column', 'columns', 'pluck', 'queryBuilder', 'max', 'min', 'sum', 'avg',
]);
const TABLE_LINKS = new Set(['from', 'table', 'into']);
const JOINS = /^(join|innerJoin|leftJoin|leftOuterJoin|rightJoin|rightOuterJoin|fullOuterJoin|crossJoin)$/;
const UPDATES = new Set(['update', 'increment', 'decrement']);
const DELETES = new Set(['del', 'delete', 'truncate']);
const INSERTS = new Set(['insert', 'upsert']);
/** Links that run the query, or after which the chain is a query that already ran. */
const TERMINAL = new Set(['first', 'pluck', 'then', 'catch', 'finally', 'stream', 'pipe', 'del', 'delete', 'update', 'insert', 'increment', 'decrement', 'truncate', 'upsert']);
/** Links that make the chain something other than a query run here. */
const NOT_A_QUERY = new Set(['as', 'toSQL', 'toString', 'toQuery', 'clone']);

export const knexRecognizer: OrmRecognizer = {
  name: 'knex',
  enablers: ['knex'],
  recognize(call, context) {
    return knexSites(call, context)[0];
  },
  recognizeAll: knexSites,
};

/**
 * The query's sites: one, or one per table when the table is a class field that the subclasses of
 * a base store set each to its own constant (`this.db(this.tableName)` in unleash's CRUDStore).
 */
function knexSites(call: TSESTree.CallExpression, context: AnalysisContext): QuerySite[] {
  if (isChainLink(call)) return [];
  const chain = chainOf(call, context.unit, context, 0);
  if (!chain) {
    const model = modelMethodSite(call, context, { fix: (table) => fixFor(table, context), scope: scopeOf });
    return model ? [model] : [];
  }
  return sitesOf(call, chain, context);
}

interface Chain {
  client: KnexClient;
  /** `db('invoices')` / `db.from('invoices')`: the span reported, and where the table is named. */
  start: TSESTree.CallExpression;
  startUnit: FileUnit;
  tableArg?: Node;
  /** Every link after the client, innermost first (the table link included). */
  links: Link[];
  /** Links written in another statement (`const q = db('t')`), followed through a `const`. */
  inherited: boolean;
  /** `Invoice.query()`: the table a static model class names (src/orm/knex-model.ts). */
  model?: ModelTable;
}

/**
 * Splits a call into the client and the links called on it. `db('t').where(...)`: the root call's
 * callee is the client; `this.db('t')`: the innermost member call's callee is; `db.from('t')`:
 * the receiver of the first link is.
 */
function chainOf(call: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext, depth: number): Chain | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const links: Link[] = [];
  let node: Node = call;
  for (let i = 0; i < 60; i++) {
    const current = unwrap(node);
    if (current.type !== T.CallExpression) break;
    const callee = unwrap(current.callee);
    if (callee.type !== T.MemberExpression) break;
    links.unshift({ name: memberName(callee) ?? '', call: current });
    node = callee.object;
  }
  const root = unwrap(node);
  // `db('invoices')...` or `forTenant(id)('invoices')...`
  if (root.type === T.CallExpression) {
    const client = knexClientOf(root.callee, unit, context);
    if (!client) return undefined;
    return { client, start: root, startUnit: unit, tableArg: root.arguments[0], links, inherited: false };
  }
  const [first, ...rest] = links;
  if (!first) return undefined;
  // `this.db('invoices')`, `fastify.knex('invoices')`: the callee of the first call is the client.
  const calleeClient = knexClientOf(first.call.callee, unit, context);
  if (calleeClient) return { client: calleeClient, start: first.call, startUnit: unit, tableArg: first.call.arguments[0], links: rest, inherited: false };
  // `Invoice.query()`: a static method of a model class that returns the builder of its table.
  const model = root.type === T.Identifier || root.type === T.ThisExpression ? modelBuilderStart(root, first.call, unit, context) : undefined;
  if (model) return { client: model.client, start: first.call, startUnit: unit, links: rest, inherited: false, model: model.model };
  if (!STARTS.has(first.name)) return root.type === T.Identifier ? inheritedChain(root, links, unit, context, depth) : undefined;
  const client = knexClientOf(root, unit, context);
  if (client) return { client, start: first.call, startUnit: unit, links, inherited: false };
  return root.type === T.Identifier ? inheritedChain(root, links, unit, context, depth) : undefined;
}

/** `const q = db('invoices').where(...)` then `q.first()`: the links of the stored builder come first. */
function inheritedChain(root: TSESTree.Identifier, links: Link[], unit: FileUnit, context: AnalysisContext, depth: number): Chain | undefined {
  const binding = context.resolver.bindingOf(root, unit, depth + 1);
  if (binding.kind !== 'value') return undefined;
  // `const rows = await db('t').where(...)`: the variable holds the rows the query returned, not a builder.
  const def = variableOf(unit.scopeManager, root)?.defs[0];
  if (isAwaited(binding.value.node) || (def?.type === 'Variable' && def.node.init && isAwaited(def.node.init))) return undefined;
  const stored = unwrap(binding.value.node);
  if (stored.type !== T.CallExpression) return undefined;
  const base = chainOf(stored, binding.value.unit, context, depth + 1);
  if (!base || base.startUnit !== unit) return undefined;
  return { ...base, links: [...base.links, ...links], inherited: true };
}

function isAwaited(node: Node): boolean {
  let current = node;
  while (current.type === T.TSAsExpression || current.type === T.TSNonNullExpression || current.type === T.TSSatisfiesExpression) current = current.expression;
  return current.type === T.AwaitExpression;
}

const EQUALITY_FILTERS = new Set(['where', 'andWhere', 'whereIn', 'andWhereIn']);

function sitesOf(call: TSESTree.CallExpression, chain: Chain, context: AnalysisContext): QuerySite[] {
  if (chain.links.some((l) => NOT_A_QUERY.has(l.name))) return [];
  return tablesOf(chain, context).map((named) => siteOf(call, chain, named, context));
}

function siteOf(call: TSESTree.CallExpression, chain: Chain, named: NamedTable, context: AnalysisContext): QuerySite {
  const { unit } = context;
  const names = chain.links.map((l) => l.name);
  const { table, aliases } = named;
  const operation = operationOf(names);
  const client = clientWithSchema(chain.client, chain.links, unit);
  const site: QuerySite = {
    orm: 'knex',
    table,
    operation,
    method: methodOf(chain.links, operation),
    callee: chain.start,
    calleeText: textOf(unit, chain.start).replace(/\s+/g, ''),
    call,
    client,
    predicate: { kind: 'scoped', via: 'an insert' },
    nested: [],
    fix: fixFor(table, context),
  };
  const write = chain.links.find((l) => INSERTS.has(l.name) || UPDATES.has(l.name));
  if (write?.call.arguments[0] && (operation === 'insert' || operation === 'update')) site.data = write.call.arguments[0];
  if (operation === 'insert') return site;

  const scope = scopeOf(table, aliases, chain.links, context);
  const predicate = evaluateLinks(chain.links, scope, 0);
  const keys = whereKeysOf(chain.links, scope);
  if (keys) site.whereKeys = keys;
  site.equalities = chainEqualities(chain.links, EQUALITY_FILTERS);
  if (predicate) site.predicate = predicate;
  else if (!isRun(call, names)) site.predicate = { kind: 'unknown', reason: 'the query builder is kept and may get its `.where` later' };
  else site.predicate = { kind: 'unscoped', detail: 'the query has no `.where`' };
  if (site.predicate.kind !== 'scoped' && chain.inherited && !isRun(call, names)) {
    site.predicate = { kind: 'unknown', reason: 'the query is built across statements' };
  }
  return site;
}

function operationOf(names: string[]): Operation {
  if (names.some((n) => INSERTS.has(n))) return 'insert';
  if (names.some((n) => DELETES.has(n))) return 'delete';
  if (names.some((n) => UPDATES.has(n))) return 'update';
  return 'read';
}

function methodOf(links: Link[], operation: Operation): string {
  const writes = operation === 'insert' ? INSERTS : operation === 'update' ? UPDATES : operation === 'delete' ? DELETES : undefined;
  const found = writes ? links.find((l) => writes.has(l.name)) : links.find((l) => TERMINAL.has(l.name));
  return found?.name ?? 'select';
}

/** `db.withSchema(\`tenant_${id}\`)`: the builder is bound to one tenant's schema. */
function clientWithSchema(client: KnexClient, links: Link[], unit: FileUnit): ClientInfo {
  const schema = links.find((l) => l.name === 'withSchema');
  const arg = schema?.call.arguments[0];
  if (arg && isPerTenant(arg)) return { kind: 'client', scoped: true, how: `\`withSchema(${textOf(unit, arg)})\`: a schema per tenant` };
  return client;
}

interface NamedTable {
  table: Table;
  aliases: Set<string>;
}

/**
 * The tables named by `db('t')` or the first `.from` / `.table` / `.into` link, in the schema: one,
 * or each constant a class field holds (`this.db(this.tableName)`, see knexTableTexts).
 */
function tablesOf(chain: Chain, context: AnalysisContext): NamedTable[] {
  if (chain.model) return [{ table: chain.model.table, aliases: new Set([chain.model.table.dbName, chain.model.table.name]) }];
  const link = chain.links.find((l) => TABLE_LINKS.has(l.name));
  const arg = chain.tableArg ?? link?.call.arguments[0];
  if (!arg) return [];
  const constant = tableName(arg, chain.startUnit, context);
  const dynamic = constant ? undefined : knexTableTexts(arg, chain.startUnit, context);
  const named = constant ? [constant] : dynamic && 'texts' in dynamic ? dynamic.texts.map(parseTableText).filter((n) => n !== undefined) : [];
  const schema = chain.links.find((l) => l.name === 'withSchema');
  const staticSchema = constantText(schema?.call.arguments[0], chain.startUnit, context);
  const out: NamedTable[] = [];
  for (const one of named) {
    const qualified = staticSchema && !one.name.includes('.') ? `${staticSchema}.${one.name}` : one.name;
    const table = bySqlName(qualified, context) ?? (staticSchema ? undefined : bySqlName(one.name, context));
    if (!table || out.some((o) => o.table === table)) continue;
    const aliases = new Set([one.name, one.name.replace(/^.*\./, ''), table.dbName]);
    if (one.alias) aliases.add(one.alias);
    out.push({ table, aliases });
  }
  return out;
}

function parseTableText(text: string): { name: string; alias?: string } | undefined {
  const match = /^\s*([\w.]+)(?:\s+as\s+(\w+))?\s*$/i.exec(text);
  return match?.[1] ? { name: match[1], alias: match[2] } : undefined;
}

/**
 * A table argument that is not a constant but a class field (`this.tableName`, `` `${this.tableName} AS rpd` ``):
 * the texts it may hold when each is a constant (see thisFieldValues), or why that is not known.
 * Undefined for any other expression (a parameter, a call's result): the census words that itself.
 */
export function knexTableTexts(arg: Node, unit: FileUnit, context: AnalysisContext): { texts: string[] } | { unknown: string } | undefined {
  const node = unwrap(arg);
  const graph = context.root ? callGraphFor(searchRootOf(context.root), context.resolver, context.isTestPath ?? (() => false)) : undefined;
  const constantOf = (value: Node, at: FileUnit) => constantText(value, at, context);
  if (node.type === T.MemberExpression) {
    const values = thisFieldValues(node, unit, context.resolver, graph, constantOf);
    return values && ('unknown' in values ? values : { texts: values.values.map((v) => v.text) });
  }
  // `const mainTable = hoursBack <= 48 ? HOURLY_TABLE : DAILY_TABLE` (unleash's client metrics): either constant.
  if (node.type === T.Identifier) {
    const variable = variableOf(unit.scopeManager, node);
    const def = variable?.defs[0];
    if (variable?.defs.length !== 1 || def?.type !== 'Variable' || def.parent.kind !== 'const' || !def.node.init) return undefined;
    const init = unwrap(def.node.init);
    if (init.type !== T.ConditionalExpression) return undefined;
    const texts = [init.consequent, init.alternate].map((branch) => constantText(branch, unit, context));
    return texts.every((t) => t !== undefined) ? { texts: texts as string[] } : undefined;
  }
  // `` `${this.tableName} AS rpd` ``: one field among constants.
  if (node.type !== T.TemplateLiteral) return undefined;
  let texts = [node.quasis[0]?.value.cooked ?? ''];
  let fields = 0;
  for (const [i, expression] of node.expressions.entries()) {
    const after = node.quasis[i + 1]?.value.cooked ?? '';
    const fixed = constantText(expression, unit, context);
    if (fixed !== undefined) {
      texts = texts.map((t) => t + fixed + after);
      continue;
    }
    const inner = unwrap(expression);
    const values = inner.type === T.MemberExpression && ++fields === 1 ? thisFieldValues(inner, unit, context.resolver, graph, constantOf) : undefined;
    if (!values) return undefined;
    if ('unknown' in values) return values;
    texts = texts.flatMap((t) => values.values.map((v) => t + v.text + after));
  }
  return { texts };
}

/** `'invoices'`, `'invoices as i'`, `'public.invoices'`, `{ i: 'invoices' }`, or a constant holding one (`TABLE`, `T.invoices`, `` `${TABLE} as i` ``). */
function tableName(arg: Node, unit: FileUnit, context: AnalysisContext): { name: string; alias?: string } | undefined {
  const text = constantText(arg, unit, context);
  if (text !== undefined) return parseTableText(text);
  const node = unwrap(arg);
  if (node.type !== T.ObjectExpression || node.properties.length !== 1) return undefined;
  const property = node.properties[0];
  if (property?.type !== T.Property || property.key.type !== T.Identifier) return undefined;
  const name = constantText(property.value, unit, context);
  return name ? { name, alias: property.key.name } : undefined;
}

function bySqlName(name: string, context: AnalysisContext): Table | undefined {
  const key = tableKey(name);
  for (const table of context.schema.tables.values()) if (tableKey(table.dbName) === key) return table;
  return undefined;
}

/** The query's table and its joins; a child table joined to its parent on the foreign key links the parent. */
function scopeOf(table: Table, aliases: Set<string>, links: Link[], context: AnalysisContext, unit = context.unit): QueryScope {
  const scope: QueryScope = { base: { table, names: aliases }, joined: [], context, unit };
  for (const link of links) {
    if (!JOINS.test(link.name)) continue;
    const [target, left, operatorOrRight, right] = link.call.arguments;
    const named = target ? tableName(target, unit, context) : undefined;
    const joined = named ? bySqlName(named.name, context) : undefined;
    if (!named || !joined) continue;
    const source: Source = { table: joined, names: new Set([named.name, joined.dbName, ...(named.alias ? [named.alias] : [])]) };
    scope.joined.push(source);
    const other = right ?? operatorOrRight;
    if (right && stringLiteral(operatorOrRight) !== '=') continue;
    if (!scope.parent && left && other && joinsParent(scope, source, left, other)) scope.parent = source;
  }
  return scope;
}

/** `.join('invoices', 'invoice_lines.invoice_id', 'invoices.id')`, either way round. */
function joinsParent(scope: QueryScope, parent: Source, a: Node, b: Node): boolean {
  const { table } = scope.base;
  if (table.class !== 'child') return false;
  const probe: QueryScope = { ...scope, joined: [parent], parent };
  const x = columnOf(a, probe);
  const y = columnOf(b, probe);
  if (!x || !y) return false;
  return table.parentRelations.some((name) => {
    const relation = table.relations.get(name);
    if (!relation || relation.fields.length !== 1 || (relation.target !== parent.table.name && relation.target !== parent.table.dbName)) return false;
    const fk = table.columns.get(relation.fields[0] ?? '')?.dbName ?? relation.fields[0];
    const ref = relation.references[0] ?? 'id';
    const pairs: [typeof x, typeof y][] = [[x, y], [y, x]];
    return pairs.some(([c, p]) => c.source === scope.base && c.name === fk && p.source === parent && p.name === ref);
  });
}

/** Awaited, returned, an arrow's body, or ended by a link that runs it. */
function isRun(call: TSESTree.CallExpression, names: string[]): boolean {
  const last = names[names.length - 1];
  if (last && TERMINAL.has(last)) return true;
  let node: Node = call;
  while (node.parent && (node.parent.type === T.TSAsExpression || node.parent.type === T.TSNonNullExpression || node.parent.type === T.TSSatisfiesExpression)) node = node.parent;
  const parent = node.parent;
  if (!parent) return false;
  if (parent.type === T.AwaitExpression || parent.type === T.ReturnStatement || parent.type === T.YieldExpression) return true;
  return parent.type === T.ArrowFunctionExpression && parent.body === node;
}

function fixFor(table: Table, context: AnalysisContext): { missing: string; orBypass: string } {
  const parent = table.class === 'child' ? context.schema.tables.get(parentName(table)) : undefined;
  const key = tenantColumnName(parent ?? table);
  const variable = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const missing = parent
    ? `Join the parent on its key and constrain its tenant (\`.join('${parent.dbName}', ...).where('${parent.dbName}.${key}', ${variable})\`)`
    : `Add the tenant to the query (\`.where({ ${key}: ${variable} })\`)`;
  return {
    missing,
    orBypass: `Keep the tenant outside the \`OR\`: \`.where({ ${key}: ${variable} }).where(function () { this.where(...).orWhere(...) })\`, or add it to every \`orWhere\` branch.`,
  };
}

function tenantColumnName(table: Table): string {
  const key = table.tenantKeys[0];
  return (key ? table.columns.get(key)?.dbName : undefined) ?? key ?? 'tenant_id';
}

function parentName(table: Table): string {
  const relation = table.relations.get(table.parentRelations[0] ?? '');
  return relation?.target ?? 'parent';
}
