/**
 * Drizzle query builder and relational API: `db.select().from(t).where(cond)`,
 * `db.update(t).set(...).where(cond)`, `db.delete(t).where(cond)`, `db.insert(t)`, and
 * `db.query.t.findMany/findFirst({ where })`. The client is traced to `drizzle(...)` from a
 * `drizzle-orm/*` adapter (or a value typed as a Drizzle database); the table to its
 * `pgTable`/`mysqlTable`/`sqliteTable` definition, mapped to the schema by its SQL name.
 */
import type { TSESTree } from '@typescript-eslint/types';
import type { Variable } from '@typescript-eslint/scope-manager';
import { runsHere, isChainLink, memberName, propertyName, T, textOf, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import { credentialScope, type AnalysisContext, type ClientInfo, type Operation, type OrmRecognizer, type Predicate, type QuerySite } from '../core/query-site.js';
import { returnedExpressions, type Located } from '../core/resolve.js';
import { combineAll, combineAnd, conditional, isNullish, combineOr, evaluateFilterObject, resolveObject, isOwnKeyFromRow, isParentKeyFromRow, isUndefinedNode, type ObjectFilterDialect } from './object-filter.js';
import { isCredentialColumn, pinsTenant, type Table } from '../core/schema.js';
import { flowClient } from './client-specs.js';
import { DRIZZLE_SOURCE, drizzleImportOf, namespaceOf, resolveTable, unresolvedTable, type TableRef } from './drizzle-resolve.js';

const MAX_DEPTH = 10;
const SELECTS = new Set(['select', 'selectDistinct', 'selectDistinctOn']);
const RELATIONAL: Record<string, Operation> = { findMany: 'read', findFirst: 'read' };
/** Links after which a stored builder may still get its `.where`, or that make it something other than a query. */
const OPEN_ENDED = new Set(['$dynamic', 'as', 'getSQL', 'toSQL']);

interface Link {
  name: string;
  call: TSESTree.CallExpression;
}

export const drizzleRecognizer: OrmRecognizer = {
  name: 'drizzle',
  enablers: ['drizzle-orm'],
  recognize(call, context) {
    const callee = unwrap(call.callee);
    if (callee.type !== T.MemberExpression) return undefined;
    // A relational call is the query whole; `.then`/`.catch`/`.finally` after it only handle its promise
    // (unkey's `db.query.apps.findFirst({ ... }).catch(() => { throw ... })`).
    if (RELATIONAL[memberName(callee) ?? ''] && (!isChainLink(call) || PROMISE_METHODS.has(nextLink(call) ?? ''))) return relational(call, callee, context);
    // Only the outermost call of a chain is a query; its inner links are parts of it.
    if (isChainLink(call)) return undefined;
    return builder(call, context);
  },
};

const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);

/** The method called on a call's result (`x.findFirst(...).catch(...)`: `catch`). */
function nextLink(call: TSESTree.CallExpression): string | undefined {
  let node: Node = call;
  while (node.parent && (node.parent.type === T.TSAsExpression || node.parent.type === T.TSNonNullExpression)) node = node.parent;
  return node.parent?.type === T.MemberExpression && node.parent.object === node ? memberName(node.parent) : undefined;
}

const NARROWING = new Set(['inArray', 'notInArray', 'exists', 'notExists']);

/** `inArray(t.id, db.select(...).from(u).where(...))`: the select is a condition's subquery. */
function narrowingOperator(call: TSESTree.CallExpression): string | undefined {
  let node: Node = call;
  while (node.parent && (node.parent.type === T.TSAsExpression || node.parent.type === T.TSNonNullExpression)) node = node.parent;
  const parent = node.parent;
  if (parent?.type !== T.CallExpression || !parent.arguments.includes(node as TSESTree.Expression)) return undefined;
  const callee = unwrap(parent.callee);
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  return name && NARROWING.has(name) ? name : undefined;
}

/** The links of a chain, innermost first: `db.select().from(t).where(c)` gives select, from, where. */
function linksOf(call: TSESTree.CallExpression): { links: Link[]; receiver: Node } | undefined {
  const links: Link[] = [];
  let current: Node = call;
  for (let i = 0; i < 40; i++) {
    const node = unwrap(current);
    if (node.type !== T.CallExpression) return links.length ? { links: links.reverse(), receiver: node } : undefined;
    const callee = unwrap(node.callee);
    // `db().select()...`: the chain starts from a call of a function that returns the client.
    if (callee.type !== T.MemberExpression) return links.length ? { links: links.reverse(), receiver: node } : undefined;
    const name = memberName(callee);
    if (!name) return undefined;
    links.push({ name, call: node });
    current = callee.object;
  }
  return undefined;
}

function builder(call: TSESTree.CallExpression, context: AnalysisContext): QuerySite | undefined {
  const chain = linksOf(call);
  if (!chain) return undefined;
  const [first] = chain.links;
  if (!first) return undefined;
  let operation: Operation;
  let tableArg: Node | undefined;
  let base: TSESTree.CallExpression;
  if (SELECTS.has(first.name)) {
    const from = chain.links[1];
    if (from?.name !== 'from') return undefined;
    operation = 'read';
    tableArg = from.call.arguments[0];
    base = from.call;
  } else if (first.name === 'update' || first.name === 'delete' || first.name === 'insert') {
    operation = first.name === 'insert' ? 'insert' : first.name;
    tableArg = first.call.arguments[0];
    base = first.call;
  } else if (first.name === '$count' && chain.links.length === 1) {
    // `db.$count(table, condition?)`: a count with its filter as the second argument.
    operation = 'read';
    tableArg = first.call.arguments[0];
    base = first.call;
  } else {
    return undefined;
  }
  if (!tableArg || tableArg.type === T.SpreadElement) return undefined;
  const { unit } = context;
  const ref = resolveTable(tableArg, unit, context);
  const client = clientOf(chain.receiver, unit, context) ?? (ref.kind === 'table' ? schemaMatched(chain.receiver, unit, context, `\`${textOf(unit, tableArg)}\``) : undefined);
  if (!client) return undefined;
  if (ref.kind === 'other' || (ref.kind === 'unresolved' && operation === 'insert')) return undefined;
  const table = ref.kind === 'table' ? ref.table : unresolvedTable(textOf(unit, tableArg), context);
  if (!table) return undefined;

  const site: QuerySite = {
    orm: 'drizzle',
    table,
    operation,
    method: first.name,
    callee: base,
    calleeText: textOf(unit, base).replace(/\s+/g, ''),
    call,
    client: client.info,
    predicate: { kind: 'scoped', via: 'an insert has no filter' },
    nested: [],
  };
  if (operation === 'insert') return site;
  const narrowing = operation === 'read' ? narrowingOperator(call) : undefined;
  if (narrowing) {
    // The outer query is analysed on its own; this one's rows can only narrow what it returns.
    site.predicate = { kind: 'scoped', via: `a subquery of \`${narrowing}(...)\`: its rows only narrow the outer query, which is checked on its own` };
    return site;
  }
  if (ref.kind === 'unresolved') {
    site.predicate = { kind: 'unknown', reason: ref.reason };
    return site;
  }
  const names = chain.links.map((l) => l.name);
  if (first.name === '$count') {
    const condition = first.call.arguments[1];
    if (!condition || condition.type === T.SpreadElement) {
      site.predicate = { kind: 'unscoped', detail: '`$count` has no condition' };
      return site;
    }
    const scope: Scope = { table, context, tableParams: new Set(), operatorParams: new Map() };
    site.predicate = evaluateCondition(condition, unit, scope, 0);
    setKeys(site, conjunctsOf(condition, unit, scope), unit);
    return site;
  }
  const wheres = chain.links.filter((l) => l.name === 'where');
  const where = wheres[wheres.length - 1];
  const joined = chain.links.filter((l) => /join$/i.test(l.name));
  if (!where) {
    if (joined.length > 0) site.predicate = { kind: 'unknown', reason: 'a join without `.where` is not analysed' };
    else if (names.some((n) => OPEN_ENDED.has(n)) || !runsHere(call)) site.predicate = { kind: 'unknown', reason: 'the query builder is kept and may get its `.where` later' };
    else site.predicate = { kind: 'unscoped', detail: 'the query has no `.where`' };
    return site;
  }
  const condition = where.call.arguments[0];
  if (!condition) {
    site.predicate = { kind: 'unscoped', detail: '`.where()` has no condition' };
    return site;
  }
  const scope: Scope = { table, context, tableParams: new Set(), operatorParams: new Map() };
  const result = evaluateCondition(condition, unit, scope, 0);
  setKeys(site, conjunctsOf(condition, unit, scope), unit);
  if (result.kind !== 'scoped' && joined.length > 0) {
    site.predicate = throughJoin(table, joined, condition, unit, context);
    return site;
  }
  site.predicate = result;
  return site;
}

/**
 * A child table joined to its parent on the foreign key, with the parent's tenant key in `.where`
 * (`.from(lines).innerJoin(invoices, eq(invoices.id, lines.invoiceId)).where(eq(invoices.accountId, x))`),
 * is scoped through the parent. Other joins are not analysed.
 */
function throughJoin(table: Table, joined: Link[], condition: Node, unit: FileUnit, context: AnalysisContext): Predicate {
  const fresh = (t: Table): Scope => ({ table: t, context, tableParams: new Set(), operatorParams: new Map() });
  for (const join of joined) {
    const [arg, on] = join.call.arguments;
    const target = arg ? tableOfNode(arg, unit, context) : undefined;
    if (!target || !on || table.class !== 'child') continue;
    const relation = table.parentRelations.map((r) => table.relations.get(r)).find((r) => r && r.fields.length === 1 && (r.target === target.name || r.target === target.dbName));
    const fk = relation?.fields[0];
    const ref = relation?.references[0] ?? 'id';
    if (!fk || !joinsOn(on, unit, fresh(table), fresh(target), fk, ref)) continue;
    const parent = evaluateCondition(condition, unit, fresh(target), 0);
    if (parent.kind === 'scoped') return { kind: 'scoped', via: `the join to its parent \`${target.name}\` (${parent.via})` };
  }
  return { kind: 'unknown', reason: 'queries with joins are not analysed beyond a child joined to its parent' };
}

/** `eq(parent.id, child.parentId)` (either way round), alone or inside `and(...)`. */
function joinsOn(on: Node, unit: FileUnit, child: Scope, parent: Scope, fk: string, ref: string): boolean {
  const node = unwrap(on);
  if (node.type !== T.CallExpression) return false;
  const operator = operatorOf(node, unit, child, 0);
  if (operator === 'and') return node.arguments.some((a) => a.type !== T.SpreadElement && joinsOn(a, unit, child, parent, fk, ref));
  if (operator !== 'eq') return false;
  const [a, b] = node.arguments;
  if (!a || !b || a.type === T.SpreadElement || b.type === T.SpreadElement) return false;
  return (columnOf(a, unit, parent) === ref && columnOf(b, unit, child) === fk) || (columnOf(b, unit, parent) === ref && columnOf(a, unit, child) === fk);
}

function tableOfNode(node: Node, unit: FileUnit, context: AnalysisContext): Table | undefined {
  const ref = resolveTable(node, unit, context);
  return ref.kind === 'table' ? ref.table : undefined;
}

function relational(call: TSESTree.CallExpression, callee: TSESTree.MemberExpression, context: AnalysisContext): QuerySite | undefined {
  const method = memberName(callee) ?? '';
  const operation = RELATIONAL[method];
  if (!operation) return undefined;
  const delegate = unwrap(callee.object);
  if (delegate.type !== T.MemberExpression) return undefined;
  const key = memberName(delegate);
  const query = unwrap(delegate.object);
  if (!key || query.type !== T.MemberExpression || memberName(query) !== 'query') return undefined;
  const { unit } = context;
  const traced = clientOf(query.object, unit, context);
  const ref = relationalTable(key, traced?.construction, context);
  const client = traced ?? (ref.kind === 'table' ? schemaMatched(query.object, unit, context, `\`query.${key}\``) : undefined);
  if (!client) return undefined;
  if (ref.kind === 'other') return undefined;
  const table = ref.kind === 'table' ? ref.table : unresolvedTable(key, context);
  if (!table) return undefined;
  const site: QuerySite = {
    orm: 'drizzle',
    table,
    operation,
    method,
    callee,
    calleeText: textOf(unit, callee).replace(/\s+/g, ''),
    call,
    client: client.info,
    predicate: { kind: 'unscoped', detail: 'the call has no `where`' },
    nested: [],
  };
  if (ref.kind === 'unresolved') {
    site.predicate = { kind: 'unknown', reason: ref.reason };
    return site;
  }
  const args = call.arguments[0];
  if (!args) return site;
  const object = resolveObject(args, unit, context, 0);
  if (!object) {
    site.predicate = { kind: 'unknown', reason: `the arguments \`${textOf(unit, args)}\` cannot be followed` };
    return site;
  }
  const where = object.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'where');
  if (!where) {
    if (object.node.properties.some((p) => p.type === T.SpreadElement)) site.predicate = { kind: 'unknown', reason: 'the arguments are spread from an object that may hold `where`' };
    return site;
  }
  site.predicate = evaluateWhereValue(where.value, object.unit, table, context, 0);
  const conjuncts = object.unit === unit ? relationalConjuncts(where.value, unit, table, context) : undefined;
  if (conjuncts) setKeys(site, conjuncts, unit);
  return site;
}

/** `where: (t, { eq }) => eq(t.accountId, x)`, `where: eq(invoices.accountId, x)` or `where: { accountId: x }`. */
function evaluateWhereValue(value: Node, unit: FileUnit, table: Table, context: AnalysisContext, depth: number): Predicate {
  if (depth > MAX_DEPTH) return { kind: 'unknown', reason: 'filter nested too deeply' };
  const node = unwrap(value);
  if (node.type === T.ArrowFunctionExpression || node.type === T.FunctionExpression) {
    const scope = callbackScope(node, unit, table, context);
    const results = returnedExpressions(node).map((expr) => evaluateCondition(expr, unit, scope, depth + 1));
    return combineAll(results, 'the `where` callback returns nothing we can read');
  }
  if (node.type === T.ObjectExpression) return evaluateObject(node, unit, table, context, depth);
  if (node.type === T.Identifier && node.name !== 'undefined') {
    const binding = context.resolver.bindingOf(node, unit, depth + 1);
    if (binding.kind === 'value') return evaluateWhereValue(binding.value.node, binding.value.unit, table, context, depth + 1);
    if (binding.kind === 'function') return evaluateWhereValue(binding.fn.node, binding.fn.unit, table, context, depth + 1);
  }
  return evaluateCondition(node, unit, { table, context, tableParams: new Set(), operatorParams: new Map() }, depth + 1);
}

/** The relational callback `(table, { eq, and }) => ...`: its table parameter and its operators. */
function callbackScope(fn: TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression, unit: FileUnit, table: Table, context: AnalysisContext): Scope {
  const scope: Scope = { table, context, tableParams: new Set(), operatorParams: new Map() };
  const [tableParam, operators] = fn.params;
  if (tableParam?.type === T.Identifier) addVariable(scope.tableParams, tableParam, unit);
  if (operators?.type === T.ObjectPattern) {
    for (const property of operators.properties) {
      // `{ eq: eqFn }`: the local name differs from the operator it stands for.
      const name = property.type === T.Property ? propertyName(property) : undefined;
      if (name && property.type === T.Property && property.value.type === T.Identifier) {
        const variable = variableOf(unit.scopeManager, property.value);
        if (variable) scope.operatorParams.set(variable, name);
      }
    }
  } else if (operators?.type === T.Identifier) {
    const variable = variableOf(unit.scopeManager, operators);
    if (variable) scope.operatorParams.set(variable, '*');
  }
  return scope;
}

type Conjunct = { column: string; value: Node; operator: 'eq' | 'inArray' };

/**
 * Top-level `eq(t.col, value)` and `inArray(t.col, values)` conjuncts with their value nodes: the policy
 * matches a write by id to an earlier scoped read of the same id (`whereKeys`, the `eq` ones as text)
 * and follows a parent key's value (`equalities`).
 */
function conjunctsOf(condition: Node, unit: FileUnit, scope: Scope, depth = 0): Conjunct[] {
  const node = unwrap(condition);
  if (depth > MAX_DEPTH || node.type !== T.CallExpression) return [];
  const operator = operatorOf(node, unit, scope, depth);
  const args = node.arguments.filter((a): a is TSESTree.Expression => a.type !== T.SpreadElement);
  if (operator === 'and') return args.flatMap((a) => conjunctsOf(a, unit, scope, depth + 1));
  if ((operator !== 'eq' && operator !== 'inArray') || args.length !== 2) return [];
  const [a, b] = args as [Node, Node];
  for (const [col, value] of operator === 'eq' ? ([[a, b], [b, a]] as const) : ([[a, b]] as const)) {
    const name = columnOf(col, unit, scope);
    if (name) return [{ column: name, value, operator }];
  }
  return [];
}

/** Sets the site's `whereKeys` and `equalities` from a condition's conjuncts. */
function setKeys(site: QuerySite, conjuncts: Conjunct[], unit: FileUnit): void {
  site.whereKeys = Object.fromEntries(conjuncts.filter((c) => c.operator === 'eq').map((c) => [c.column, textOf(unit, c.value)]));
  site.equalities = conjuncts.map(({ column, value }) => ({ column, value }));
}

/** The conjuncts of a relational call's `where`: the callback's single returned condition, or a condition. */
function relationalConjuncts(value: Node, unit: FileUnit, table: Table, context: AnalysisContext): Conjunct[] | undefined {
  const node = unwrap(value);
  if (node.type === T.ArrowFunctionExpression || node.type === T.FunctionExpression) {
    const returned = returnedExpressions(node);
    return returned.length === 1 && returned[0] ? conjunctsOf(returned[0], unit, callbackScope(node, unit, table, context)) : undefined;
  }
  if (node.type === T.CallExpression) return conjunctsOf(node, unit, { table, context, tableParams: new Set(), operatorParams: new Map() });
  return undefined;
}

function addVariable(set: Set<Variable>, identifier: TSESTree.Identifier, unit: FileUnit): void {
  const variable = variableOf(unit.scopeManager, identifier);
  if (variable) set.add(variable);
}

/** The relational API's object filter (`where: { accountId, OR: [...] }`): raw SQL and relation filters are not followed. */
const DRIZZLE_DIALECT: ObjectFilterDialect = {
  and: ['AND'],
  or: ['OR'],
  ignored: ['NOT'],
  valueConstrains: objectValueConstrains,
  branch: (node, unit, table, context, depth) => evaluateWhereValue(node, unit, table, context, depth),
  other: (name, _value, _unit, table) => (name === 'RAW' || !table.columns.has(name) ? { kind: 'unknown', reason: `the filter key \`${name}\` is not analysed` } : undefined),
};

function evaluateObject(node: TSESTree.ObjectExpression, unit: FileUnit, table: Table, context: AnalysisContext, depth: number): Predicate {
  return evaluateFilterObject(node, unit, table, context, DRIZZLE_DIALECT, depth);
}

/** `accountId: x`, `{ eq: x }`, `{ in: xs }` constrain; `undefined`, `null`, `{ ne: x }` do not. */
function objectValueConstrains(value: Node): boolean {
  const node = unwrap(value);
  if (node.type === T.Identifier && node.name === 'undefined') return false;
  if (node.type === T.Literal && node.value === null) return false;
  if (node.type !== T.ObjectExpression) return true;
  return node.properties.some((p) => p.type === T.Property && ['eq', 'in'].includes(propertyName(p) ?? '') && objectValueConstrains(p.value));
}

interface Scope {
  table: Table;
  context: AnalysisContext;
  /** The relational callback's first parameter: the table itself. */
  tableParams: Set<Variable>;
  /** The relational callback's operators: each destructured local with the operator it names (`{ eq: eqFn }`), or `*` for `ops`. */
  operatorParams: Map<Variable, string>;
}

/** A Drizzle SQL condition: `eq(t.accountId, x)`, `and(...)`, `or(...)`, `inArray(...)`. */
function evaluateCondition(expression: Node, unit: FileUnit, scope: Scope, depth: number): Predicate {
  if (depth > MAX_DEPTH) return { kind: 'unknown', reason: 'condition nested too deeply' };
  const node = unwrap(expression);
  const { context } = scope;
  switch (node.type) {
    case T.CallExpression: {
      const operator = operatorOf(node, unit, scope, depth);
      if (operator === undefined) return helperCall(node, unit, scope, depth);
      const args = node.arguments;
      if (operator === 'and') {
        if (args.some((a) => a.type === T.SpreadElement) && !args.some((a) => a.type !== T.SpreadElement && evaluateCondition(a, unit, scope, depth + 1).kind === 'scoped')) {
          return { kind: 'unknown', reason: '`and(...)` of a spread list' };
        }
        return combineAnd(args.filter((a) => a.type !== T.SpreadElement && !isUndefinedNode(a)).map((a) => evaluateCondition(a, unit, scope, depth + 1)), 'no condition of `and(...)` has the tenant key');
      }
      if (operator === 'or') {
        if (args.some((a) => a.type === T.SpreadElement)) return { kind: 'unknown', reason: '`or(...)` of a spread list' };
        return combineOr(args.filter((a) => !isUndefinedNode(a)).map((a) => ({ node: a, predicate: evaluateCondition(a, unit, scope, depth + 1) })), 'no `or(...)` branch has the tenant key');
      }
      if (operator === 'eq' || operator === 'inArray') return comparison(operator, args, unit, scope);
      if (operator === 'sql') return { kind: 'unknown', reason: 'a `sql` condition' };
      return { kind: 'unscoped', detail: `\`${operator}(...)\` does not constrain the tenant` };
    }
    case T.TaggedTemplateExpression:
      return { kind: 'unknown', reason: 'a `sql` template condition' };
    case T.Identifier: {
      if (node.name === 'undefined') return { kind: 'unscoped', detail: '`.where(undefined)` has no condition' };
      const binding = context.resolver.bindingOf(node, unit, depth + 1);
      if (binding.kind === 'value') return evaluateCondition(binding.value.node, binding.value.unit, scope, depth + 1);
      if (binding.kind === 'parameter') return { kind: 'unknown', reason: `the condition comes from the parameter \`${node.name}\`` };
      return { kind: 'unknown', reason: binding.kind === 'unknown' ? binding.reason : `\`${node.name}\` is a ${binding.kind}` };
    }
    case T.ConditionalExpression: {
      const a = evaluateCondition(node.consequent, unit, scope, depth + 1);
      const b = evaluateCondition(node.alternate, unit, scope, depth + 1);
      // `and(eq(t.id, id), org ? eq(t.orgId, org) : undefined)`: drizzle drops an undefined condition.
      return conditional(node, a, b, isNullish);
    }
    default:
      return { kind: 'unknown', reason: `the condition is a ${node.type}` };
  }
}




/** `eq(t.accountId, x)` / `inArray(t.accountId, xs)`, either way round for `eq`. */
function comparison(operator: 'eq' | 'inArray', args: TSESTree.CallExpressionArgument[], unit: FileUnit, scope: Scope): Predicate {
  const [left, right] = args;
  if (!left || !right || left.type === T.SpreadElement || right.type === T.SpreadElement) return { kind: 'unknown', reason: `\`${operator}\` with spread arguments` };
  const sides: [Node, Node][] = operator === 'eq' ? [[left, right], [right, left]] : [[left, right]];
  let column: string | undefined;
  for (const [col, value] of sides) {
    const name = columnOf(col, unit, scope);
    if (name === undefined) continue;
    column = name;
    if (pinsTenant(scope.table, name)) {
      return valueConstrains(value) ? { kind: 'scoped', via: `\`${operator}(${scope.table.name}.${name}, ...)\``, value } : { kind: 'unscoped', detail: `\`${name}\` is compared with nothing` };
    }
    if (isCredentialColumn(scope.table, name)) {
      return credentialScope(name);
    }
    // Id provenance, as for object filters: the same row again, or a parent's key from a loaded row.
    if (operator === 'eq' && isOwnKeyFromRow(scope.table, name, value, unit, scope.context, 0)) {
      return { kind: 'scoped', via: `\`${name}\` of a row an earlier query loaded` };
    }
    if (operator === 'eq' && isParentKeyFromRow(scope.table, name, value, unit, scope.context, 0)) {
      return { kind: 'scoped', via: `\`${name}\` taken from a loaded parent row` };
    }
  }
  return { kind: 'unscoped', detail: column ? `the condition filters only on \`${column}\`` : `\`${operator}(...)\` does not compare a column of \`${scope.table.name}\`` };
}

function valueConstrains(value: Node): boolean {
  const node = unwrap(value);
  if (node.type === T.Identifier && node.name === 'undefined') return false;
  if (node.type === T.Literal && node.value === null) return false;
  return !(node.type === T.ArrayExpression && node.elements.length === 0);
}

/** `t.accountId` where `t` is the query's table (its definition, or the relational callback's parameter). */
function columnOf(node: Node, unit: FileUnit, scope: Scope): string | undefined {
  const member = unwrap(node);
  if (member.type !== T.MemberExpression) return undefined;
  const object = unwrap(member.object);
  if (object.type === T.Identifier) {
    const variable = variableOf(unit.scopeManager, object);
    if (variable && scope.tableParams.has(variable)) return memberName(member);
  } else if (object.type !== T.MemberExpression) {
    return undefined;
  }
  return tableOfNode(object, unit, scope.context) === scope.table ? memberName(member) : undefined;
}

/** The Drizzle operator a call is (`eq` from `drizzle-orm`, or the relational callback's), if it is one. */
function operatorOf(call: TSESTree.CallExpression, unit: FileUnit, scope: Scope, depth: number): string | undefined {
  const callee = unwrap(call.callee);
  if (callee.type === T.MemberExpression) {
    const object = unwrap(callee.object);
    if (object.type !== T.Identifier) return undefined;
    const variable = variableOf(unit.scopeManager, object);
    if (variable && scope.operatorParams.get(variable) === '*') return memberName(callee);
    const binding = scope.context.resolver.bindingOf(object, unit, depth + 1);
    return binding.kind === 'package' && DRIZZLE_SOURCE.test(binding.source) && binding.imported === '*' ? memberName(callee) : undefined;
  }
  if (callee.type !== T.Identifier) return undefined;
  const variable = variableOf(unit.scopeManager, callee);
  const named = variable ? scope.operatorParams.get(variable) : undefined;
  if (named && named !== '*') return named;
  return drizzleImportOf(callee, unit, scope.context, depth + 1)?.imported;
}

/** A condition built by a helper: configured filter helpers scope; others are followed to what they return. */
function helperCall(call: TSESTree.CallExpression, unit: FileUnit, scope: Scope, depth: number): Predicate {
  const callee = unwrap(call.callee);
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (name && (scope.context.config.filterHelpers ?? []).includes(name)) return { kind: 'scoped', via: `\`${name}()\`, a configured filter helper` };
  if (callee.type !== T.Identifier) return { kind: 'unknown', reason: `the condition is built by \`${textOf(unit, callee)}()\`` };
  const binding = scope.context.resolver.bindingOf(callee, unit, depth + 1);
  if (binding.kind !== 'function') return { kind: 'unknown', reason: `\`${callee.name}()\` cannot be followed` };
  const results = returnedExpressions(binding.fn.node).map((expr) => evaluateCondition(expr, binding.fn.unit, { ...scope, tableParams: new Set(), operatorParams: new Map() }, depth + 1));
  const combined = combineAll(results, `\`${callee.name}()\` returns nothing we can read`);
  return combined.kind === 'scoped' ? { kind: 'scoped', via: `the helper \`${callee.name}()\`` } : combined;
}

/**
 * `db.query.<key>`: the table exported as `key` by the schema passed to `drizzle(..., { schema })`.
 * Unresolved when the schema object was found but cannot be followed to a table of that name.
 */
function relationalTable(key: string, construction: Located<TSESTree.CallExpression> | undefined, context: AnalysisContext): TableRef {
  const fromSchema = construction ? schemaExport(key, construction, context) : undefined;
  if (fromSchema && fromSchema.kind !== 'unresolved') return fromSchema;
  // Without the schema object, only an exact name of a Drizzle table is trusted.
  for (const table of context.schema.tables.values()) {
    if (table.source === 'drizzle' && (table.name === key || table.dbName === key || camel(table.dbName) === key || table.codeNames?.includes(key))) return { kind: 'table', table };
  }
  return fromSchema ?? { kind: 'unresolved', reason: `\`query.${key}\` is not a table of the schema we could follow` };
}

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The `schema` option of `drizzle(client, { schema })`: an object literal, a namespace import, or a re-exported namespace. */
function schemaExport(key: string, construction: Located<TSESTree.CallExpression>, context: AnalysisContext): TableRef | undefined {
  const { unit } = construction;
  for (const arg of construction.node.arguments) {
    const options = unwrap(arg);
    if (options.type !== T.ObjectExpression) continue;
    const property = options.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'schema');
    if (!property) continue;
    const namespace = namespaceOf(property.value, unit, context);
    if (!namespace) return undefined;
    if (namespace.kind === 'object') {
      const entry = namespace.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === key);
      return entry ? resolveTable(entry.value, namespace.unit, context) : { kind: 'unresolved', reason: `the schema object has no \`${key}\`` };
    }
    const exported = context.resolver.exportBinding(namespace.unit, key, 0);
    if (exported.kind !== 'value') return { kind: 'unresolved', reason: `the schema module does not export \`${key}\` as a table` };
    return resolveTable(exported.value.node, exported.value.unit, context);
  }
  return undefined;
}

interface TracedClient {
  info: ClientInfo;
  construction?: Located<TSESTree.CallExpression>;
}

/** The receiver traced to `drizzle(...)`, a Drizzle database type, or a transaction of one; undefined when not traced. */
function clientOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): TracedClient | undefined {
  const traced = tracedClientOf(expression, unit, context, depth);
  if (traced || depth > 0) return traced;
  const flow = flowClient(expression, unit, context.resolver, 'drizzle');
  return flow.kind === 'client' ? { info: { kind: 'client', scoped: false, how: flow.how } } : undefined;
}

/**
 * Not traced, but the schema says what the call is: `.from(invoices)`, `.update(invoices)` with a
 * Drizzle table of the schema, on a receiver the flow engine could not follow (a request-scoped
 * `ctx.db`, an untyped parameter). A receiver traced to another library is not Drizzle's.
 */
function schemaMatched(expression: Node, unit: FileUnit, context: AnalysisContext, what: string): TracedClient | undefined {
  const flow = flowClient(expression, unit, context.resolver, 'drizzle');
  if (flow.kind === 'other') return undefined;
  const reason = flow.kind === 'unknown' ? flow.reason : flow.how;
  return { info: { kind: 'unknown', reason: `${reason}; recognised because ${what} is a Drizzle table of the schema` } };
}

function tracedClientOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): TracedClient | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unwrap(expression);
  if (node.type === T.CallExpression) {
    const callee = unwrap(node.callee);
    if (callee.type !== T.Identifier) return undefined;
    const origin = drizzleImportOf(callee, unit, context, depth + 1);
    if (origin?.imported === 'drizzle') {
      return { info: { kind: 'client', scoped: false, how: `\`drizzle()\` from \`${origin.source}\`` }, construction: { node, unit } };
    }
    return undefined;
  }
  if (node.type === T.MemberExpression && unwrap(node.object).type === T.ThisExpression) return thisProperty(node, unit, context, depth);
  if (node.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  if (binding.kind === 'value') return clientOf(binding.value.node, binding.value.unit, context, depth + 1);
  if (binding.kind !== 'parameter') return undefined;
  const annotation = binding.param.node.typeAnnotation?.typeAnnotation;
  if (annotation) return typeClient(annotation, binding.param.unit, context, depth + 1);
  return transactionParameter(binding.param.node, binding.fn, binding.param.unit, context, depth);
}

/** `db.transaction(async (tx) => ...)`: `tx` is a client of the same database. */
function transactionParameter(param: TSESTree.Identifier, fn: TSESTree.FunctionLike | undefined, unit: FileUnit, context: AnalysisContext, depth: number): TracedClient | undefined {
  if (!fn || fn.params[0] !== param) return undefined;
  const call = fn.parent;
  if (call?.type !== T.CallExpression || call.arguments[0] !== fn) return undefined;
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression || memberName(callee) !== 'transaction') return undefined;
  return clientOf(callee.object, unit, context, depth + 1);
}

/** `this.db` with `private db: NodePgDatabase<typeof schema>` (a class property or a constructor parameter property). */
function thisProperty(node: TSESTree.MemberExpression, unit: FileUnit, context: AnalysisContext, depth: number): TracedClient | undefined {
  const name = memberName(node);
  let cls: Node | undefined = node.parent;
  while (cls && cls.type !== T.ClassBody) cls = cls.parent;
  if (!name || cls?.type !== T.ClassBody) return undefined;
  for (const member of cls.body) {
    if (member.type === T.PropertyDefinition && propertyName(member) === name) {
      const annotation = member.typeAnnotation?.typeAnnotation;
      if (annotation) return typeClient(annotation, unit, context, depth + 1);
      return member.value ? clientOf(member.value, unit, context, depth + 1) : undefined;
    }
    if (member.type === T.MethodDefinition && member.kind === 'constructor') {
      for (const param of member.value.params) {
        if (param.type !== T.TSParameterProperty || param.parameter.type !== T.Identifier || param.parameter.name !== name) continue;
        const annotation = param.parameter.typeAnnotation?.typeAnnotation;
        return annotation ? typeClient(annotation, unit, context, depth + 1) : undefined;
      }
    }
  }
  return undefined;
}

/** Drizzle's database and transaction types: `NodePgDatabase`, `MySql2Database`, `PlanetScaleDatabase`, `MySqlTransaction`. */
const CLIENT_TYPE = /(Database|Transaction)$/;

/** A Drizzle database type (`PostgresJsDatabase<...>`), or an alias of `typeof db`. */
function typeClient(annotation: TSESTree.TypeNode, unit: FileUnit, context: AnalysisContext, depth: number): TracedClient | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (annotation.type === T.TSTypeQuery && annotation.exprName.type === T.Identifier) return clientOf(annotation.exprName, unit, context, depth + 1);
  if (annotation.type !== T.TSTypeReference || annotation.typeName.type !== T.Identifier) return undefined;
  return localTypeClient(annotation.typeName.name, unit, context, depth + 1);
}

/** The type named `name` in the module scope of `unit`: a local alias or an import. */
function localTypeClient(name: string, unit: FileUnit, context: AnalysisContext, depth: number): TracedClient | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const scope = unit.scopeManager.globalScope;
  const variable = scope?.set.get(name) ?? scope?.childScopes.find((c) => c.type === 'module')?.set.get(name);
  const def = variable?.defs[0];
  if (!def) return undefined;
  if (def.type === 'ImportBinding' && def.parent.type === T.ImportDeclaration) {
    const imported = def.node.type === T.ImportSpecifier ? (def.node.imported.type === T.Identifier ? def.node.imported.name : def.node.imported.value) : '';
    return importedTypeClient(imported, def.parent.source.value, unit, context, depth + 1);
  }
  if (def.type === 'Type' && def.node.type === T.TSTypeAliasDeclaration) return typeClient(def.node.typeAnnotation, unit, context, depth + 1);
  return undefined;
}

/** The type `name` as `source` exports it, through `export type { X } from`, `export { X }` and `export *`. */
function importedTypeClient(name: string, source: string, unit: FileUnit, context: AnalysisContext, depth: number): TracedClient | undefined {
  if (depth > MAX_DEPTH || !name) return undefined;
  const file = context.resolver.modules.resolve(unit.file, source);
  const target = file ? context.resolver.modules.unit(file) : null;
  if (!target) return DRIZZLE_SOURCE.test(source) && CLIENT_TYPE.test(name) ? { info: { kind: 'client', scoped: false, how: `a \`${name}\` from \`${source}\`` } } : undefined;
  for (const statement of target.ast.body) {
    if (statement.type !== T.ExportNamedDeclaration) continue;
    const declaration = statement.declaration;
    if (declaration?.type === T.TSTypeAliasDeclaration && declaration.id.name === name) return typeClient(declaration.typeAnnotation, target, context, depth + 1);
    for (const spec of statement.specifiers) {
      const exported = spec.exported.type === T.Identifier ? spec.exported.name : spec.exported.value;
      if (exported !== name) continue;
      const local = spec.local.type === T.Identifier ? spec.local.name : spec.local.value;
      return statement.source ? importedTypeClient(local, statement.source.value, target, context, depth + 1) : localTypeClient(local, target, context, depth + 1);
    }
  }
  for (const statement of target.ast.body) {
    if (statement.type !== T.ExportAllDeclaration || statement.exported) continue;
    const found = importedTypeClient(name, statement.source.value, target, context, depth + 1);
    if (found) return found;
  }
  return undefined;
}
