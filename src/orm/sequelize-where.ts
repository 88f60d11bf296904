/**
 * Sequelize filters: `where` objects (`{ companyId, [Op.or]: [...] }`, legacy `$or` keys), the
 * `and(...)` / `or(...)` helpers, `include` of a parent with its tenant key, and the scopes a
 * query runs with. Object filters go through the shared evaluator with a Sequelize dialect.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, textOf, unwrap, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext, Predicate } from '../core/query-site.js';
import { returnedExpressions, type Located } from '../core/resolve.js';
import type { Table } from '../core/schema.js';
import { isFrom, moduleRefOf } from '../schema/ts-sources.js';
import { combineAll, combineAnd, combineOr, evaluateFilterObject, isNullish, whereKeysOf as objectWhereKeys, type ObjectFilterDialect } from './object-filter.js';
import { modelUseOf, scopeDefsOf, SEQUELIZE_PACKAGES, type ModelUse } from './sequelize-models.js';

const MAX_DEPTH = 10;
/** Operators that pin a value: `{ [Op.eq]: x }`, `{ [Op.in]: xs }` (and the legacy `$eq`, `$in`). */
const PINNING = new Set(['Op.eq', 'Op.in', '$eq', '$in']);

/**
 * The name of a `where` key: a plain key, or `Op.x` for a computed `[Op.x]` whose `Op` is traced
 * to a Sequelize package (`import { Op }`, `Sequelize.Op`, `const { Op } = require(...)`).
 */
export function keyNameOf(property: TSESTree.Property, unit: FileUnit): string | undefined {
  if (!property.computed) return propertyName(property);
  const key = unwrap(property.key);
  if (key.type !== T.MemberExpression) return propertyName(property);
  const operator = memberName(key);
  const ref = moduleRefOf(unit, key.object);
  const isOp = isFrom(ref, SEQUELIZE_PACKAGES) && ref.path[ref.path.length - 1] === 'Op';
  return isOp && operator ? `Op.${operator}` : undefined;
}

function dialectFor(unit: FileUnit): ObjectFilterDialect {
  return {
    and: ['Op.and', '$and'],
    or: ['Op.or', '$or'],
    ignored: ['Op.not', '$not'],
    keyName: keyNameOf,
    valueConstrains: (value) => valueConstrains(value, unit),
    branch: (node, branchUnit, table, context, depth) => evaluateWhere(node, branchUnit, table, context, depth),
    other: otherKey,
    andAcceptsObject: true,
    evaluateSpreads: true,
  };
}

/** `companyId: x`, `companyId: [a, b]` (IN), `{ [Op.eq]: x }`, `{ [Op.in]: xs }` pin the tenant; `Op.ne`, `Op.not`, nullish do not. */
function valueConstrains(value: Node, unit: FileUnit): boolean {
  const node = unwrap(value);
  if (isNullish(node)) return false;
  if (node.type === T.ArrayExpression) return node.elements.length > 0;
  if (node.type !== T.ObjectExpression) return true;
  return node.properties.some((p) => p.type === T.Property && PINNING.has(keyNameOf(p, unit) ?? '') && valueConstrains(p.value, unit));
}

/** Keys the shared evaluator does not know: a tenant column by its database name, `$nested.attribute$` keys. */
function otherKey(name: string, value: Node, unit: FileUnit, table: Table): Predicate | undefined {
  if (/^\$.+\$$/.test(name)) return { kind: 'unknown', reason: `the nested attribute key \`${name}\` is not analysed` };
  const column = [...table.columns.values()].find((c) => c.dbName === name && c.name !== name);
  if (column && table.tenantKeys.includes(column.name)) {
    return valueConstrains(value, unit) ? { kind: 'scoped', via: `\`${name}\`` } : { kind: 'unscoped', detail: `\`${name}\` is not compared for equality` };
  }
  if (name.startsWith('Op.') || name.startsWith('$')) return { kind: 'unknown', reason: `the operator \`${name}\` is not analysed at the top of \`where\`` };
  return undefined;
}

/** A `where` value: an object, a const, `and(...)` / `or(...)`, a configured filter helper, a helper returning a filter. */
export function evaluateWhere(value: Node, unit: FileUnit, table: Table, context: AnalysisContext, depth: number): Predicate {
  if (depth > MAX_DEPTH) return { kind: 'unknown', reason: 'filter nested too deeply' };
  const node = unwrap(value);
  switch (node.type) {
    case T.ObjectExpression:
      return evaluateFilterObject(node, unit, table, context, dialectFor(unit), depth);
    case T.Identifier: {
      if (node.name === 'undefined') return { kind: 'unscoped', detail: '`where` is undefined' };
      const binding = context.resolver.bindingOf(node, unit, depth + 1);
      if (binding.kind === 'value') return evaluateWhere(binding.value.node, binding.value.unit, table, context, depth + 1);
      if (binding.kind === 'parameter') return { kind: 'unknown', reason: `the filter \`${node.name}\` is a parameter` };
      return { kind: 'unknown', reason: `the filter \`${node.name}\` cannot be followed` };
    }
    case T.CallExpression:
      return evaluateWhereCall(node, unit, table, context, depth);
    case T.ConditionalExpression:
      return combineAll([evaluateWhere(node.consequent, unit, table, context, depth + 1), evaluateWhere(node.alternate, unit, table, context, depth + 1)], 'no branch');
    case T.Literal:
      return node.value === null ? { kind: 'unscoped', detail: '`where` is null' } : { kind: 'unknown', reason: 'a literal filter' };
    default:
      return { kind: 'unknown', reason: `the filter is a ${node.type}` };
  }
}

function evaluateWhereCall(call: TSESTree.CallExpression, unit: FileUnit, table: Table, context: AnalysisContext, depth: number): Predicate {
  const callee = unwrap(call.callee);
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (name && (context.config.filterHelpers ?? []).includes(name)) return { kind: 'scoped', via: `\`${name}()\`, a configured filter helper` };
  const ref = moduleRefOf(unit, callee);
  // `and(...)` / `or(...)` imported from Sequelize, or `Sequelize.and(...)`.
  if (isFrom(ref, SEQUELIZE_PACKAGES)) {
    const args = call.arguments.filter((a): a is TSESTree.Expression => a.type !== T.SpreadElement);
    if (name === 'and') return combineAnd(args.map((a) => evaluateWhere(a, unit, table, context, depth + 1)), 'no condition of `and(...)` has the tenant key');
    if (name === 'or') return combineOr(args.map((a) => ({ node: a as Node, predicate: evaluateWhere(a, unit, table, context, depth + 1) })), 'no branch of `or(...)` has the tenant key');
    return { kind: 'unknown', reason: `\`${name ?? textOf(unit, callee)}(...)\` is not analysed` };
  }
  if (callee.type !== T.Identifier) return { kind: 'unknown', reason: `the filter is built by \`${textOf(unit, callee)}()\`` };
  const binding = context.resolver.bindingOf(callee, unit, depth + 1);
  if (binding.kind !== 'function') return { kind: 'unknown', reason: `\`${callee.name}()\` cannot be followed` };
  const results = returnedExpressions(binding.fn.node).map((e) => evaluateWhere(e, binding.fn.unit, table, context, depth + 1));
  const combined = combineAll(results, `\`${callee.name}()\` returns nothing we can read`);
  return combined.kind === 'scoped' ? { kind: 'scoped', via: `the helper \`${callee.name}()\`` } : combined;
}

/** Top-level `where` keys with the source text of their values, for verified-then-written. */
export function whereKeysOf(where: TSESTree.ObjectExpression, unit: FileUnit): Record<string, string> {
  return objectWhereKeys(where, unit, (property) => keyNameOf(property, unit));
}

// ---------------------------------------------------------------------------------------------
// include: a child table joined to its parent, with the parent's tenant key.

/**
 * `include: [{ model: Payslip, where: { companyId }, required: true }]` on a child table: an
 * inner join (a `where` on the include makes it required unless `required: false`) to the parent
 * it inherits tenancy from, with the parent constrained, keeps only the tenant's rows.
 */
export function throughInclude(options: Located<TSESTree.ObjectExpression>, table: Table, context: AnalysisContext, depth: number): Predicate | undefined {
  if (depth > MAX_DEPTH || table.class !== 'child') return undefined;
  for (const entry of includeEntries(options)) {
    const parent = includedParent(entry, table, context, depth);
    if (!parent) continue;
    const required = booleanProperty(entry.node, 'required');
    const where = propertyValue(entry.node, 'where');
    if (required === false || (!where && required !== true)) continue;
    const result = includedScope(entry, parent, where, context, depth + 1);
    if (result?.kind === 'scoped') return { kind: 'scoped', via: `the required include of its parent \`${parent.table.name}\` (${result.via})` };
  }
  return undefined;
}

function includedScope(entry: Located<TSESTree.ObjectExpression>, parent: { table: Table; use?: ModelUse }, where: Node | undefined, context: AnalysisContext, depth: number): Predicate | undefined {
  const scoped = parent.use ? scopePredicate(parent.use, context, depth) : undefined;
  if (scoped) return scoped;
  if (parent.use?.scopedBy) return { kind: 'scoped', via: parent.use.scopedBy };
  const own = where ? evaluateWhere(where, entry.unit, parent.table, context, depth) : undefined;
  if (own?.kind === 'scoped') return own;
  // The parent is itself a child: its own required include of its parent.
  return throughInclude(entry, parent.table, context, depth + 1) ?? own;
}

function includeEntries(options: Located<TSESTree.ObjectExpression>): Located<TSESTree.ObjectExpression>[] {
  const include = propertyValue(options.node, 'include');
  if (!include) return [];
  const list = include.type === T.ArrayExpression ? include.elements : [include];
  const entries: Located<TSESTree.ObjectExpression>[] = [];
  for (const element of list) {
    const node = element && element.type !== T.SpreadElement ? unwrap(element) : undefined;
    if (node?.type === T.ObjectExpression) entries.push({ node, unit: options.unit });
  }
  return entries;
}

/** The included model when it is the parent `table` inherits tenancy from (`model: Payslip` or `association: 'payslip'`). */
function includedParent(entry: Located<TSESTree.ObjectExpression>, table: Table, context: AnalysisContext, depth: number): { table: Table; use?: ModelUse } | undefined {
  const parents = table.parentRelations.map((name) => table.relations.get(name)).filter((r) => r !== undefined);
  const model = propertyValue(entry.node, 'model');
  if (model) {
    const use = modelUseOf(model, entry.unit, context, depth + 1);
    if (!use) return undefined;
    const target = use.def.table;
    return parents.some((r) => r.target === target.name || r.target === target.dbName) ? { table: target, use } : undefined;
  }
  const association = propertyValue(entry.node, 'association') ?? propertyValue(entry.node, 'as');
  const name = association?.type === T.Literal && typeof association.value === 'string' ? association.value : undefined;
  const relation = parents.find((r) => r.name === name);
  const target = relation ? context.schema.tables.get(relation.target) : undefined;
  return target ? { table: target } : undefined;
}

function propertyValue(object: TSESTree.ObjectExpression, name: string): Node | undefined {
  let found: Node | undefined;
  for (const property of object.properties) {
    if (property.type === T.Property && !property.computed && propertyName(property) === name) found = unwrap(property.value);
  }
  return found;
}

function booleanProperty(object: TSESTree.ObjectExpression, name: string): boolean | undefined {
  const value = propertyValue(object, name);
  return value?.type === T.Literal && typeof value.value === 'boolean' ? value.value : undefined;
}

// ---------------------------------------------------------------------------------------------
// Scopes.

/**
 * The scopes a query runs with, when one adds the tenant key to `where`: `Invoice.scope('tenant')`
 * with `scopes: { tenant: (id) => ({ where: { companyId: id } }) }` (or `addScope`), an inline
 * `scope({ where })`, or a `defaultScope` that filters on the tenant (unless `.unscoped()`).
 */
export function scopePredicate(use: ModelUse, context: AnalysisContext, depth: number): Predicate | undefined {
  if (use.scopes.kind === 'none') return undefined;
  const defs = scopeDefsOf(use.def);
  const table = use.def.table;
  if (use.scopes.kind === 'default') {
    if (!defs.defaultScope) return undefined;
    const result = scopeFilter(defs.defaultScope, table, context, depth);
    return result?.kind === 'scoped' ? { kind: 'scoped', via: `the model's \`defaultScope\` (${result.via})` } : undefined;
  }
  for (const ref of use.scopes.refs) {
    if ('unknown' in ref) continue;
    if ('inline' in ref) {
      const result = scopeFilter({ node: ref.inline, unit: ref.unit }, table, context, depth);
      if (result?.kind === 'scoped') return { kind: 'scoped', via: `an inline scope (${result.via})` };
      continue;
    }
    const definition = ref.name === 'defaultScope' ? defs.defaultScope : defs.named.get(ref.name);
    // `scope({ method: ['tenant', undefined] })`: the scope's tenant value would be undefined.
    if (!definition || ref.args.some((a) => isNullish(a))) continue;
    const result = scopeFilter(definition, table, context, depth);
    if (result?.kind === 'scoped') return { kind: 'scoped', via: `the \`${ref.name}\` scope (${result.via})` };
  }
  return undefined;
}

/** A scope definition (an object or a function returning one) whose `where` scopes the table. */
function scopeFilter(definition: Located, table: Table, context: AnalysisContext, depth: number): Predicate | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unwrap(definition.node);
  if (node.type === T.ArrowFunctionExpression || node.type === T.FunctionExpression) {
    const results = returnedExpressions(node).map((e) => scopeFilter({ node: e, unit: definition.unit }, table, context, depth + 1) ?? { kind: 'unscoped' as const, detail: 'no `where`' });
    return combineAll(results, 'the scope returns nothing we can read');
  }
  if (node.type === T.Identifier) {
    const binding = context.resolver.bindingOf(node, definition.unit, depth + 1);
    if (binding.kind === 'value') return scopeFilter(binding.value, table, context, depth + 1);
    if (binding.kind === 'function') return scopeFilter(binding.fn, table, context, depth + 1);
    return undefined;
  }
  if (node.type !== T.ObjectExpression) return undefined;
  const where = propertyValue(node, 'where');
  return where ? evaluateWhere(where, definition.unit, table, context, depth + 1) : undefined;
}
