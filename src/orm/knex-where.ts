/**
 * Knex filters: the `.where*` / `.orWhere*` links of a query chain, evaluated against the query's
 * table (and the parent it is joined to). Knex joins the links with AND / OR in order, so SQL
 * precedence groups them: `.where(a).where(b).orWhere(c)` is `(a AND b) OR c`. Object filters go
 * through the shared evaluator (src/orm/object-filter.ts).
 */
import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, textOf, unwrap, variableOf, walk, type FileUnit, type Node } from '../core/ast.js';
import { credentialScope, type AnalysisContext, type Predicate } from '../core/query-site.js';
import { returnedExpressions } from '../core/resolve.js';
import { isCredentialColumn, type Table } from '../core/schema.js';
import { combineAnd, combineOr, evaluateFilterObject, isNullish, MAX_FILTER_DEPTH, type ObjectFilterDialect } from './object-filter.js';

export interface Link {
  name: string;
  call: TSESTree.CallExpression;
}

/** A table of the query under the names SQL may qualify its columns with (`invoices`, `i`). */
export interface Source {
  table: Table;
  names: Set<string>;
}

/** The query's table, and the tables joined to it; `parent` is a joined parent of a child table. */
export interface QueryScope {
  base: Source;
  parent?: Source;
  joined: Source[];
  context: AnalysisContext;
  unit: FileUnit;
}

const AND_LINKS = new Set(['where', 'andWhere', 'whereIn', 'andWhereIn', 'whereRaw', 'andWhereRaw']);
const OR_LINKS = new Set(['orWhere', 'orWhereIn', 'orWhereRaw']);
/** Conjuncts that never pin a tenant: negations, null tests, ranges, pattern matches, existence. */
const NEVER_SCOPING = /^(and|or)?where(Not|NotIn|Null|NotNull|Between|NotBetween|Like|ILike|Exists|NotExists|Json\w*|Column)$/i;

export function isFilterLink(name: string): boolean {
  return AND_LINKS.has(name) || OR_LINKS.has(name) || NEVER_SCOPING.test(name) || name === 'modify';
}

/** Top-level `column -> value text` of the filter, for verified-then-written. */
export function whereKeysOf(links: Link[], scope: QueryScope): Record<string, string> | undefined {
  if (links.some((l) => OR_LINKS.has(l.name) || /^orWhere/.test(l.name))) return undefined;
  const keys: Record<string, string> = {};
  for (const link of links) {
    if (link.name !== 'where' && link.name !== 'andWhere') continue;
    const [first, second, third] = link.call.arguments;
    const object = first ? unwrap(first) : undefined;
    if (object?.type === T.ObjectExpression) {
      for (const property of object.properties) {
        if (property.type !== T.Property) continue;
        const column = keyColumn(property, scope);
        if (column?.source === scope.base) keys[column.name] = textOf(scope.unit, property.value);
      }
    } else if (first && second) {
      const column = columnOf(first, scope);
      const value = third && stringLiteral(second) === '=' ? third : third ? undefined : second;
      if (column?.source === scope.base && value) keys[column.name] = textOf(scope.unit, value);
    }
  }
  return Object.keys(keys).length ? keys : undefined;
}

/** The filter of the chain, or undefined when it has no filter link. */
export function evaluateLinks(links: Link[], scope: QueryScope, depth: number): Predicate | undefined {
  const groups: { node: Node; results: Predicate[] }[] = [];
  for (const link of links) {
    if (!isFilterLink(link.name)) continue;
    const result = evaluateLink(link, scope, depth);
    const current = groups[groups.length - 1];
    if (/^or/.test(link.name) || !current) groups.push({ node: link.call.arguments[0] ?? link.call, results: [result] });
    else current.results.push(result);
  }
  if (groups.length === 0) return undefined;
  const anded = groups.map((g) => ({ node: g.node, predicate: conjunction(g.results) }));
  const only = anded[0];
  if (anded.length === 1 && only) return only.predicate;
  return combineOr(anded, 'no `orWhere` branch has the tenant key');
}

/** `combineAnd`, keeping the filtered columns in the detail when no conjunct scopes (`by \`id\` alone`). */
function conjunction(results: Predicate[]): Predicate {
  const combined = combineAnd(results, 'no condition has the tenant key');
  if (combined.kind !== 'unscoped') return combined;
  const columns: string[] = [];
  for (const result of results) {
    const match = result.kind === 'unscoped' ? /^`where` filters only on (.+)$/.exec(result.detail) : null;
    if (!match?.[1]) return results.length === 1 && results[0] ? results[0] : combined;
    columns.push(match[1]);
  }
  return { kind: 'unscoped', detail: `\`where\` filters only on ${columns.join(', ')}` };
}

function evaluateLink(link: Link, scope: QueryScope, depth: number): Predicate {
  const { name, call } = link;
  const args = call.arguments;
  if (NEVER_SCOPING.test(name)) return { kind: 'unscoped', detail: `\`.${name}(...)\` does not pin one tenant` };
  if (name === 'modify') return modify(call, scope);
  if (/Raw$/.test(name)) return whereRaw(args[0], scope);
  const [first, second, third] = args;
  if (!first) return { kind: 'unscoped', detail: `\`.${name}()\` has no condition` };
  if (/In$/.test(name)) return second ? comparison(first, 'in', second, scope) : { kind: 'unknown', reason: `\`.${name}\` without values` };
  if (third) {
    const operator = stringLiteral(second);
    return operator === undefined ? { kind: 'unknown', reason: 'the operator is not a literal' } : comparison(first, operator.toLowerCase(), third, scope);
  }
  if (second) return comparison(first, '=', second, scope);
  return condition(first, scope.unit, scope, depth);
}

/** The one argument of `.where(x)`: an object, a grouping callback, a filter helper, or `knex.raw`. */
function condition(argument: Node, unit: FileUnit, scope: QueryScope, depth: number): Predicate {
  if (depth > MAX_FILTER_DEPTH) return { kind: 'unknown', reason: 'filter nested too deeply' };
  const node = unwrap(argument);
  if (node.type === T.ObjectExpression) return evaluateFilterObject(node, unit, scope.base.table, scope.context, dialect(scope), depth + 1);
  if (node.type === T.ArrowFunctionExpression || node.type === T.FunctionExpression) return grouping(node, unit, scope, depth);
  if (node.type === T.CallExpression) return helperCall(node, unit, scope, depth);
  if (node.type === T.Identifier) {
    const binding = scope.context.resolver.bindingOf(node, unit, depth + 1);
    if (binding.kind === 'value') return condition(binding.value.node, binding.value.unit, scope, depth + 1);
    if (binding.kind === 'function') return grouping(binding.fn.node, binding.fn.unit, scope, depth);
    return { kind: 'unknown', reason: `the filter \`${node.name}\` comes from ${binding.kind === 'parameter' ? 'a parameter' : 'somewhere that cannot be followed'}` };
  }
  return { kind: 'unknown', reason: `the filter is a ${node.type}` };
}

/** `.where(tenantScope(ctx))` (configured helper), a local helper returning an object, or `knex.raw(...)`. */
function helperCall(call: TSESTree.CallExpression, unit: FileUnit, scope: QueryScope, depth: number): Predicate {
  const callee = unwrap(call.callee);
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (name && (scope.context.config.filterHelpers ?? []).includes(name)) return { kind: 'scoped', via: `\`${name}()\`, a configured filter helper` };
  if (callee.type !== T.Identifier) return { kind: 'unknown', reason: `the filter is built by \`${textOf(unit, callee)}()\`` };
  const binding = scope.context.resolver.bindingOf(callee, unit, depth + 1);
  if (binding.kind !== 'function') return { kind: 'unknown', reason: `\`${callee.name}()\` cannot be followed` };
  const results = returnedExpressions(binding.fn.node).map((e) => condition(e, binding.fn.unit, scope, depth + 1));
  const failing = results.find((r) => r.kind !== 'scoped');
  if (results.length === 0) return { kind: 'unknown', reason: `\`${callee.name}()\` returns nothing we can read` };
  return failing ?? { kind: 'scoped', via: `the helper \`${callee.name}()\`` };
}

/** `.modify(withTenant, tenantId)`: scoped when `withTenant` is a configured filter helper. */
function modify(call: TSESTree.CallExpression, scope: QueryScope): Predicate {
  const fn = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
  const name = fn?.type === T.Identifier ? fn.name : fn?.type === T.MemberExpression ? memberName(fn) : undefined;
  if (name && (scope.context.config.filterHelpers ?? []).includes(name)) return { kind: 'scoped', via: `\`.modify(${name})\`, a configured filter helper` };
  return { kind: 'unknown', reason: '`.modify(...)` with a function that is not a configured filter helper' };
}

/**
 * `.where(function () { this.where(a).orWhere(b) })` or `.where((qb) => qb.where(a).orWhere(b))`:
 * a parenthesised group, evaluated like a chain of its own.
 */
function grouping(fn: TSESTree.FunctionLike, unit: FileUnit, scope: QueryScope, depth: number): Predicate {
  if (!fn.body) return { kind: 'unknown', reason: 'a grouping function without a body' };
  const inner = evaluateLinks(groupLinks(fn, unit), { ...scope, unit }, depth + 1);
  return inner ?? { kind: 'unknown', reason: 'the grouping function adds no condition we can read' };
}

/**
 * A callback given the query builder (`(qb) => qb.where(...)`, a function declared in the project):
 * the links it adds, in its file; undefined when it adds none (`(qb) => qb`); 'unknown' when the
 * callback cannot be followed (a parameter, a call's result).
 */
export function builderCallbackLinks(argument: Node, unit: FileUnit, context: AnalysisContext, depth = 0): { links: Link[]; unit: FileUnit } | undefined | 'unknown' {
  if (depth > MAX_FILTER_DEPTH) return 'unknown';
  const node = unwrap(argument);
  if (node.type === T.ArrowFunctionExpression || node.type === T.FunctionExpression || node.type === T.FunctionDeclaration) {
    const links = groupLinks(node, unit);
    return links.some((l) => isFilterLink(l.name)) ? { links, unit } : undefined;
  }
  if (node.type !== T.Identifier) return 'unknown';
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  if (binding.kind === 'value') return builderCallbackLinks(binding.value.node, binding.value.unit, context, depth + 1);
  if (binding.kind === 'function') return builderCallbackLinks(binding.fn.node, binding.fn.unit, context, depth + 1);
  return 'unknown';
}

/** The links called on a function's first parameter (or on `this` in a `function`), innermost first. */
function groupLinks(fn: TSESTree.FunctionLike, unit: FileUnit): Link[] {
  const param = fn.params[0];
  const paramVariable = param?.type === T.Identifier ? variableOf(unit.scopeManager, param) : null;
  const links: Link[] = [];
  if (!fn.body) return links;
  walk(fn.body, (node) => {
    if (node.type !== T.CallExpression) return;
    const callee = unwrap(node.callee);
    if (callee.type !== T.MemberExpression) return;
    const object = unwrap(callee.object);
    const onGroup =
      (object.type === T.ThisExpression && fn.type === T.FunctionExpression) ||
      (object.type === T.Identifier && paramVariable !== null && variableOf(unit.scopeManager, object) === paramVariable);
    if (!onGroup) return;
    // The whole chain on the group builder, innermost link first.
    const chain: Link[] = [];
    let current: Node = node;
    for (;;) {
      const inner = unwrap(current);
      if (inner.type !== T.CallExpression) break;
      const member = unwrap(inner.callee);
      if (member.type !== T.MemberExpression) break;
      chain.push({ name: memberName(member) ?? '', call: inner });
      const parent = inner.parent;
      if (parent?.type !== T.MemberExpression || parent.parent?.type !== T.CallExpression || parent.parent.callee !== parent) break;
      current = parent.parent;
    }
    links.push(...chain);
  });
  return dedupe(links);
}

function dedupe(links: Link[]): Link[] {
  const seen = new Set<TSESTree.CallExpression>();
  return links.filter((l) => (seen.has(l.call) ? false : (seen.add(l.call), true))).sort((a, b) => a.call.range[1] - b.call.range[1]);
}

/** `.whereRaw('tenant_id = ?', [x])`: scoped only when the whole text is one comparison of the tenant column. */
function whereRaw(sql: Node | undefined, scope: QueryScope): Predicate {
  const text = sql ? stringLiteral(sql) : undefined;
  if (text === undefined) return { kind: 'unknown', reason: 'raw SQL in `whereRaw` is not analysed' };
  const match = /^\s*(?:"?(\w+)"?\.)?"?(\w+)"?\s*=\s*(?:\?|:\w+|\$\d+)\s*$/.exec(text);
  if (match) {
    const column = resolveColumn(match[1], match[2] ?? '', scope);
    if (column && tenantColumn(column)) return { kind: 'scoped', via: `\`.whereRaw('${text.trim()}')\`` };
  }
  return { kind: 'unknown', reason: 'raw SQL in `whereRaw` is not analysed beyond one comparison of the tenant column' };
}

/** `.where('tenant_id', x)`, `.where('i.tenant_id', '=', x)`, `.whereIn('tenant_id', xs)`. */
function comparison(columnNode: Node, operator: string, value: Node, scope: QueryScope): Predicate {
  const column = columnOf(columnNode, scope);
  if (!column) return { kind: 'unknown', reason: `the column \`${textOf(scope.unit, columnNode)}\` is not a column of the query's tables` };
  if (tenantColumn(column)) {
    if (operator !== '=' && operator !== 'in') return { kind: 'unscoped', detail: `\`${column.name}\` is compared with \`${operator}\`` };
    if (isNullish(value)) return { kind: 'unscoped', detail: `\`${column.name}\` is compared with ${textOf(scope.unit, value)}` };
    const inner = unwrap(value);
    if (inner.type === T.ArrayExpression && inner.elements.length === 0) return { kind: 'unscoped', detail: `\`${column.name}\` is compared with an empty list` };
    return { kind: 'scoped', via: viaOf(column, scope), value };
  }
  if (operator === '=' && column.source === scope.base && isCredentialColumn(scope.base.table, column.name)) {
    return credentialScope(column.name);
  }
  return { kind: 'unscoped', detail: `\`where\` filters only on \`${column.name}\`` };
}

interface ColumnRef {
  source: Source;
  name: string;
}

function viaOf(column: ColumnRef, scope: QueryScope): string {
  return column.source === scope.base ? `\`${column.name}\`` : `the join to its parent \`${column.source.table.dbName}\` (\`${column.name}\`)`;
}

/** The tenant key of the query's table, or of the parent a child table is joined to. */
function tenantColumn(column: ColumnRef): boolean {
  return column.source.table.tenantKeys.some((k) => column.source.table.columns.get(k)?.dbName === column.name || k === column.name);
}

export function columnOf(node: Node, scope: QueryScope): ColumnRef | undefined {
  const text = constantText(node, scope.unit, scope.context);
  if (text === undefined) return undefined;
  const dot = text.lastIndexOf('.');
  return dot < 0 ? resolveColumn(undefined, text, scope) : resolveColumn(text.slice(0, dot), text.slice(dot + 1), scope);
}

function resolveColumn(qualifier: string | undefined, name: string, scope: QueryScope): ColumnRef | undefined {
  const sources = [scope.base, ...scope.joined];
  if (qualifier !== undefined) {
    const source = sources.find((s) => s.names.has(qualifier));
    if (!source) return undefined;
    return { source: source === scope.parent || source === scope.base ? source : { ...source, table: { ...source.table, tenantKeys: [] } }, name };
  }
  if (hasColumn(scope.base.table, name)) return { source: scope.base, name };
  // An unqualified column only the joined parent has is the parent's.
  if (scope.parent && hasColumn(scope.parent.table, name)) return { source: scope.parent, name };
  return { source: scope.base, name };
}

function hasColumn(table: Table, name: string): boolean {
  return [...table.columns.values()].some((c) => c.dbName === name || c.name === name);
}

/** Object keys may be qualified (`{ 'i.tenant_id': x }`): the base table's keys lose the qualifier. */
function keyColumn(property: TSESTree.Property, scope: QueryScope): ColumnRef | undefined {
  const key = property.computed ? undefined : property.key.type === T.Identifier ? property.key.name : stringLiteral(property.key);
  if (key === undefined) return undefined;
  const dot = key.lastIndexOf('.');
  return dot < 0 ? resolveColumn(undefined, key, scope) : resolveColumn(key.slice(0, dot), key.slice(dot + 1), scope);
}

/** Knex object filters: a conjunction of column equalities, no OR keys; qualified keys resolved. */
function dialect(scope: QueryScope): ObjectFilterDialect {
  return {
    and: [],
    or: [],
    keyName: (property) => {
      const column = keyColumn(property, scope);
      if (!column) return undefined;
      return column.source === scope.base ? column.name : `${[...column.source.names][0] ?? ''}.${column.name}`;
    },
    valueConstrains: (value) => !isNullish(value) && !(unwrap(value).type === T.ArrayExpression),
    branch: (node, unit, _table, _context, depth) => condition(node, unit, scope, depth),
    other: (name, value) => {
      const dot = name.lastIndexOf('.');
      if (dot < 0) return undefined;
      const column = resolveColumn(name.slice(0, dot), name.slice(dot + 1), scope);
      if (!column || !tenantColumn(column)) return undefined;
      return isNullish(value) ? { kind: 'unscoped', detail: `\`${name}\` is compared with nothing` } : { kind: 'scoped', via: viaOf(column, scope), value };
    },
  };
}

/**
 * The text of a string the code names by a constant: a literal, `TABLE` (`const TABLE = 'users'`,
 * here or imported), `T.users` (`const T = { users: 'users' } as const`), `` `${TABLE} as u` ``,
 * `PREFIX + 'users'`. Anything that is not a constant (a parameter, a `let`, a call) gives undefined.
 */
export function constantText(node: Node | undefined, unit: FileUnit, context: AnalysisContext, depth = 0): string | undefined {
  if (!node || depth > MAX_CONSTANT_DEPTH) return undefined;
  const inner = unwrap(node);
  if (inner.type === T.Literal) return typeof inner.value === 'string' ? inner.value : undefined;
  if (inner.type === T.TemplateLiteral) {
    let text = inner.quasis[0]?.value.cooked ?? '';
    for (const [i, expression] of inner.expressions.entries()) {
      const part = constantText(expression, unit, context, depth + 1);
      if (part === undefined) return undefined;
      text += part + (inner.quasis[i + 1]?.value.cooked ?? '');
    }
    return text;
  }
  if (inner.type === T.BinaryExpression && inner.operator === '+') {
    const left = constantText(inner.left, unit, context, depth + 1);
    const right = left === undefined ? undefined : constantText(inner.right, unit, context, depth + 1);
    return right === undefined ? undefined : `${left ?? ''}${right}`;
  }
  if (inner.type === T.Identifier) {
    const value = constantValue(inner, unit, context, depth);
    return value ? constantText(value.node, value.unit, context, depth + 1) : undefined;
  }
  if (inner.type === T.MemberExpression) {
    const key = memberName(inner);
    const object = unwrap(inner.object);
    if (!key || object.type !== T.Identifier) return undefined;
    const value = constantValue(object, unit, context, depth);
    const literal = value ? unwrap(value.node) : undefined;
    if (literal?.type !== T.ObjectExpression || !value) return undefined;
    const property = literal.properties.find((p): p is TSESTree.Property => p.type === T.Property && !p.computed && propertyName(p) === key);
    return property ? constantText(property.value, value.unit, context, depth + 1) : undefined;
  }
  return undefined;
}

const MAX_CONSTANT_DEPTH = 6;

/** The initial value of a `const` (here or imported); a variable written again is not a constant. */
function constantValue(identifier: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number): { node: Node; unit: FileUnit } | undefined {
  const variable = variableOf(unit.scopeManager, identifier);
  const def = variable?.defs[0];
  if (def?.type === 'Variable' && (def.parent.kind !== 'const' || variable?.references.some((r) => r.isWrite() && r.identifier !== def.node.id))) return undefined;
  const binding = context.resolver.bindingOf(identifier, unit, depth + 1);
  return binding.kind === 'value' ? binding.value : undefined;
}

export function stringLiteral(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const inner = unwrap(node);
  if (inner.type === T.Literal && typeof inner.value === 'string') return inner.value;
  if (inner.type === T.TemplateLiteral && inner.expressions.length === 0) return inner.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}
