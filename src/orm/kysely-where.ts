/**
 * Kysely conditions: `.where('tenant_id', '=', x)`, `.where('i.tenant_id', 'in', xs)`, expression
 * builder callbacks (`(eb) => eb.and([eb('tenant_id', '=', x), ...])`, `({ eb, and, or }) => ...`,
 * `eb.and({ tenant_id: x })`), helpers that build a condition, and the `.where` links of a chain.
 * Columns are SQL names, qualified by a table name or alias (`invoices.tenant_id`, `i.tenant_id`).
 */
import type { TSESTree } from '@typescript-eslint/types';
import type { Variable } from '@typescript-eslint/scope-manager';
import { memberName, propertyName, T, textOf, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import { credentialScope, type AnalysisContext, type Predicate } from '../core/query-site.js';
import { returnedExpressions } from '../core/resolve.js';
import { isCredentialColumn, type KyselyCamelCase, type Table } from '../core/schema.js';
import { combineAll, combineAnd, combineOr, evaluateFilterObject, isNullish, isOwnKeyFromRow, isParentKeyFromRow, MAX_FILTER_DEPTH, type ObjectFilterDialect } from './object-filter.js';

/** Operators that pin a column to the given values. */
const PINNING = new Set(['=', '==', 'in', 'is']);

export interface Link {
  name: string;
  call: TSESTree.CallExpression;
}

/** A table of the query with the names its columns are qualified by (`invoices`, `i`). */
export interface Source {
  table: Table | undefined;
  names: Set<string>;
  /** A `CamelCasePlugin` on the database: the SQL name of an identifier the code writes (`workspaceId` -> `workspace_id`). */
  snake?: (name: string) => string;
}

/**
 * The identifier mapping of Kysely's `CamelCasePlugin` (its snake-case mapper): an underscore before
 * each upper-case letter (one per run of them unless `underscoreBetweenUppercaseLetters`), before the
 * first digit of a run with `underscoreBeforeDigits`; lower case, or upper case with `upperCase`.
 */
export function camelCaseMapper(options: KyselyCamelCase): (name: string) => string {
  return (name) => {
    if (name.length === 0) return name;
    let out = name[0]?.toLowerCase() ?? '';
    for (let i = 1; i < name.length; i++) {
      const char = name[i] as string;
      const prev = name[i - 1] as string;
      const isDigit = (c: string) => c >= '0' && c <= '9';
      const isUpper = (c: string) => c !== c.toLowerCase() && c === c.toUpperCase();
      if (options.underscoreBeforeDigits && isDigit(char) && !isDigit(prev)) out += `_${char}`;
      else if (isUpper(char)) out += options.underscoreBetweenUppercaseLetters || !isUpper(prev) ? `_${char.toLowerCase()}` : char.toLowerCase();
      else out += char;
    }
    return options.upperCase ? out.toUpperCase() : out;
  };
}

export interface Env {
  context: AnalysisContext;
  unit: FileUnit;
  /** The table that must be constrained to one tenant. */
  target: Source;
  /** Every table of the query, for qualified names. */
  sources: Source[];
  /** Expression-builder variables (`eb`) and destructured helpers (`and`, `or`, ...) of the callbacks in scope. */
  builders: Map<Variable, string>;
  /** Columns of the target that conditions filter on, for the finding's detail. */
  columns: string[];
  /** Top-level `.where(col, '=', value)` of the target: field -> source text of the value. */
  keys?: Record<string, string>;
}

/** The outcome of a chain's condition links: undefined `predicate` when there is none. */
export interface LinksResult {
  predicate?: Predicate;
  /** A tenant filter applied only under `.$if(...)`. */
  conditional: boolean;
}

/** `.where(...)`, `.orWhere(...)`, `.$call(...)`, `.$if(...)`, `.on(...)`: successive conditions are AND, `orWhere` starts an OR branch. */
export function evaluateLinks(links: Link[], env: Env, depth: number): LinksResult {
  let groups: { node: Node; results: Predicate[] }[] = [];
  let conditional = false;
  const add = (node: Node, result: Predicate, startsBranch: boolean) => {
    const last = groups[groups.length - 1];
    if (!last || startsBranch) groups.push({ node, results: [result] });
    else last.results.push(result);
  };
  for (const { name, call } of links) {
    switch (name) {
      case 'where':
      case 'on':
      case 'orWhere':
      case 'orOn':
        add(call, evaluateWhere(call.arguments, env, depth + 1), name.startsWith('or'));
        break;
      case 'whereRef':
      case 'orWhereRef':
        add(call, { kind: 'unscoped', detail: '`whereRef` compares two columns' }, name.startsWith('or'));
        break;
      case '$call':
        add(call, evaluateCall$(call.arguments[0], env, depth + 1), false);
        break;
      case '$if': {
        const inner = callbackLinks(call.arguments[1], env, depth + 1);
        if (inner?.predicate?.kind === 'scoped') conditional = true;
        break;
      }
      case 'clearWhere':
        groups = [];
        break;
      default:
        break;
    }
  }
  if (groups.length === 0) return { conditional };
  const conjunctions = groups.map((g) => ({ node: g.node, predicate: combineAnd(g.results, unscopedDetail(g.results)) }));
  const [only] = conjunctions;
  const predicate = conjunctions.length === 1 && only ? only.predicate : combineOr(conjunctions, 'no `orWhere` branch has the tenant key');
  return { predicate, conditional };
}

export const NO_TENANT_KEY = 'no condition has the tenant key';

/** Why a conjunction of unscoped conditions is unscoped: a misused tenant key says more than "only on `id`". */
function unscopedDetail(results: Predicate[]): string {
  for (const result of results) if (result.kind === 'unscoped' && !/^the condition filters only on/.test(result.detail)) return result.detail;
  return NO_TENANT_KEY;
}

/** The arguments of `.where(...)`: `(ref, op, value)`, or one expression / callback / helper call. */
export function evaluateWhere(args: TSESTree.CallExpressionArgument[], env: Env, depth: number): Predicate {
  if (depth > MAX_FILTER_DEPTH) return { kind: 'unknown', reason: 'filter nested too deeply' };
  if (args.some((a) => a.type === T.SpreadElement)) return { kind: 'unknown', reason: 'spread arguments to `.where`' };
  const [first, op, value] = args as Node[];
  if (!first) return { kind: 'unscoped', detail: '`.where()` has no condition' };
  if (op && value) return comparison(first, op, value, env, true);
  if (op) return { kind: 'unknown', reason: '`.where` with two arguments' };
  return evaluateExpression(first, env, depth + 1);
}

/** `'tenant_id', '=', x`: scoped when the ref is the target's tenant key, the operator pins it and the value is a value. */
function comparison(ref: Node, operator: Node, value: Node, env: Env, topLevel: boolean): Predicate {
  const column = refOf(ref, env);
  if (column === 'unknown') return { kind: 'unknown', reason: `the compared expression \`${textOf(env.unit, ref)}\` is not a column name` };
  const op = stringOf(operator)?.toLowerCase();
  if (op === undefined) return { kind: 'unknown', reason: `the operator \`${textOf(env.unit, operator)}\` is not a string` };
  if (!column) return { kind: 'unscoped', detail: `\`${textOf(env.unit, ref)}\` is not a column of \`${env.target.table?.dbName ?? 'the table'}\`` };
  const table = env.target.table;
  if (!table) return { kind: 'unknown', reason: 'the table is not in the schema' };
  if (topLevel && env.keys && op === '=') env.keys[column] = textOf(env.unit, value);
  if (table.tenantKeys.includes(column)) {
    if (!PINNING.has(op)) return { kind: 'unscoped', detail: `\`${columnName(table, column)}\` is compared with \`${op}\`` };
    if (!valueConstrains(value)) return { kind: 'unscoped', detail: `\`${columnName(table, column)}\` is compared with \`${textOf(env.unit, value)}\`` };
    return { kind: 'scoped', via: `\`.where('${columnName(table, column)}', '${op}', ...)\``, value };
  }
  if (op === '=' && isCredentialColumn(table, column)) {
    return credentialScope(column);
  }
  // Id provenance, shared with every ORM: a parent's key from a loaded row, or the same row again.
  if (op === '=' && isParentKeyFromRow(table, column, value, env.unit, env.context, 0)) return { kind: 'scoped', via: `\`${column}\` taken from a loaded parent row` };
  if (op === '=' && isOwnKeyFromRow(table, column, value, env.unit, env.context, 0)) return { kind: 'scoped', via: `\`${column}\` of a row an earlier query loaded` };
  env.columns.push(columnName(table, column));
  return { kind: 'unscoped', detail: `the condition filters only on \`${columnName(table, column)}\`` };
}

function columnName(table: Table, field: string): string {
  return table.columns.get(field)?.dbName ?? field;
}

function valueConstrains(value: Node): boolean {
  if (isNullish(value)) return false;
  const node = unwrap(value);
  return !(node.type === T.ArrayExpression && node.elements.length === 0);
}

function stringOf(node: Node): string | undefined {
  const current = unwrap(node);
  if (current.type === T.Literal && typeof current.value === 'string') return current.value;
  if (current.type === T.TemplateLiteral && current.expressions.length === 0) return current.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

/**
 * The target's field a column reference names: `'tenant_id'`, `'i.tenant_id'`, `eb.ref('tenant_id')`.
 * Undefined for a column of another table; `'unknown'` when the reference is not a name.
 */
function refOf(ref: Node, env: Env): string | undefined | 'unknown' {
  let node = unwrap(ref);
  if (node.type === T.CallExpression && node.arguments[0] && builderMethod(node, env) === 'ref') node = unwrap(node.arguments[0]);
  const text = stringOf(node);
  if (text === undefined) return 'unknown';
  return fieldOfRef(text.trim(), env.target, env.sources);
}

/** `'invoices.tenant_id'` / `'tenant_id'` seen from `target`: its field, or undefined when another table's. */
export function fieldOfRef(text: string, target: Source, sources: Source[]): string | undefined {
  const dot = text.lastIndexOf('.');
  const column = dot >= 0 ? text.slice(dot + 1) : text;
  const table = target.table;
  if (!table) return undefined;
  if (dot >= 0) {
    const qualifier = text.slice(0, dot);
    const last = qualifier.slice(qualifier.lastIndexOf('.') + 1);
    if (!target.names.has(qualifier) && !target.names.has(last)) return undefined;
  } else if (!hasColumn(table, column, target.snake) && sources.some((s) => s !== target && s.table && hasColumn(s.table, column, s.snake))) {
    return undefined;
  }
  return fieldOf(table, column, target.snake);
}

function hasColumn(table: Table, column: string, snake?: (name: string) => string): boolean {
  return fieldOf(table, column, snake) !== undefined;
}

/** The field whose SQL name (or field name) is `column`, or, under a `CamelCasePlugin`, its snake_case form. */
export function fieldOf(table: Table, column: string, snake?: (name: string) => string): string | undefined {
  if (table.columns.has(column)) return column;
  for (const [field, definition] of table.columns) if (definition.dbName === column) return field;
  const mapped = snake?.(column);
  return mapped !== undefined && mapped !== column ? fieldOf(table, mapped) : undefined;
}

/** A condition expression: `eb(...)`, `eb.and([...])`, `and([...])`, a helper call, a callback, a `sql` template. */
function evaluateExpression(value: Node, env: Env, depth: number): Predicate {
  if (depth > MAX_FILTER_DEPTH) return { kind: 'unknown', reason: 'filter nested too deeply' };
  const node = unwrap(value);
  switch (node.type) {
    case T.ArrowFunctionExpression:
    case T.FunctionExpression:
      return evaluateCallback(node, env, depth);
    case T.CallExpression:
      return evaluateCall(node, env, depth);
    case T.TaggedTemplateExpression:
      return { kind: 'unknown', reason: 'a `sql` template condition' };
    case T.ConditionalExpression: {
      const results = [evaluateExpression(node.consequent, env, depth + 1), evaluateExpression(node.alternate, env, depth + 1)];
      return combineAll(results, 'the condition is empty');
    }
    case T.Identifier: {
      if (node.name === 'undefined') return { kind: 'unscoped', detail: '`.where(undefined)` has no condition' };
      const binding = env.context.resolver.bindingOf(node, env.unit, depth + 1);
      if (binding.kind === 'value') return evaluateExpression(binding.value.node, { ...env, unit: binding.value.unit }, depth + 1);
      if (binding.kind === 'function') return evaluateExpression(binding.fn.node, { ...env, unit: binding.fn.unit }, depth + 1);
      return { kind: 'unknown', reason: binding.kind === 'parameter' ? `the condition comes from the parameter \`${node.name}\`` : `\`${node.name}\` cannot be followed` };
    }
    default:
      return { kind: 'unknown', reason: `the condition is a ${node.type}` };
  }
}

/** `(eb) => ...` or `({ eb, and, or }) => ...`: every returned expression must scope. */
function evaluateCallback(fn: TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression | TSESTree.FunctionDeclaration, env: Env, depth: number): Predicate {
  const builders = new Map(env.builders);
  const [param] = fn.params;
  if (param?.type === T.Identifier) addBuilder(builders, param, 'eb', env.unit);
  else if (param?.type === T.ObjectPattern) {
    for (const property of param.properties) {
      if (property.type !== T.Property || property.value.type !== T.Identifier) continue;
      addBuilder(builders, property.value, propertyName(property) ?? '', env.unit);
    }
  }
  const inner = { ...env, builders };
  const results = returnedExpressions(fn).map((expr) => evaluateExpression(expr, inner, depth + 1));
  return combineAll(results, 'the `where` callback returns nothing we can read');
}

function addBuilder(builders: Map<Variable, string>, identifier: TSESTree.Identifier, role: string, unit: FileUnit): void {
  const variable = variableOf(unit.scopeManager, identifier);
  if (variable) builders.set(variable, role);
}

/** What an expression-builder call is: `eb(...)` is `eb`, `eb.and(...)` is `and`, a destructured `or(...)` is `or`. */
function builderMethod(call: TSESTree.CallExpression, env: Env): string | undefined {
  const callee = unwrap(call.callee);
  if (callee.type === T.Identifier) {
    const variable = variableOf(env.unit.scopeManager, callee);
    return variable ? env.builders.get(variable) : undefined;
  }
  if (callee.type !== T.MemberExpression) return undefined;
  const object = unwrap(callee.object);
  if (object.type !== T.Identifier) return undefined;
  const variable = variableOf(env.unit.scopeManager, object);
  return variable && env.builders.get(variable) === 'eb' ? memberName(callee) : undefined;
}

function evaluateCall(call: TSESTree.CallExpression, env: Env, depth: number): Predicate {
  const method = builderMethod(call, env);
  const args = call.arguments.filter((a): a is TSESTree.Expression => a.type !== T.SpreadElement);
  switch (method) {
    case 'eb':
    case 'cmpr': {
      const [ref, op, value] = args;
      return ref && op && value ? comparison(ref, op, value, env, false) : { kind: 'unknown', reason: 'an `eb(...)` call without three arguments' };
    }
    case 'and':
      return conjunction(args[0], env, depth);
    case 'or':
      return disjunction(args[0], env, depth);
    case 'not':
      return { kind: 'unscoped', detail: 'a negated condition does not pin the tenant' };
    case 'between':
    case 'betweenSymmetric':
      return { kind: 'unscoped', detail: 'a range does not pin the tenant' };
    case undefined:
      return helperCall(call, env, depth);
    default:
      return { kind: 'unknown', reason: `\`eb.${method}(...)\` is not analysed` };
  }
}

/** `eb.and([a, b])` (any scoping conjunct scopes) or `eb.and({ tenant_id: x, id })` (the shared object evaluator). */
function conjunction(arg: Node | undefined, env: Env, depth: number): Predicate {
  const node = arg ? unwrap(arg) : undefined;
  if (node?.type === T.ObjectExpression) {
    if (!env.target.table) return { kind: 'unknown', reason: 'the table is not in the schema' };
    return evaluateFilterObject(node, env.unit, env.target.table, env.context, dialect(env), depth + 1);
  }
  if (node?.type !== T.ArrayExpression) return { kind: 'unknown', reason: '`and(...)` of something other than a list or an object' };
  const results = node.elements.map((element) =>
    !element || element.type === T.SpreadElement ? ({ kind: 'unknown', reason: 'a spread inside `and([...])`' } as const) : evaluateExpression(element, env, depth + 1),
  );
  return combineAnd(results, 'no `and` branch has the tenant key');
}

/** `eb.or([a, b])` / `eb.or({ a: x, b: y })`: scoped only when every branch is. */
function disjunction(arg: Node | undefined, env: Env, depth: number): Predicate {
  const node = arg ? unwrap(arg) : undefined;
  if (node?.type === T.ObjectExpression) {
    const branches = node.properties.map((property) => {
      if (property.type !== T.Property) return { node: property as Node, predicate: { kind: 'unknown', reason: 'a spread inside `or({...})`' } as Predicate };
      const single = { ...node, properties: [property] };
      const predicate = env.target.table ? evaluateFilterObject(single, env.unit, env.target.table, env.context, dialect(env), depth + 1) : ({ kind: 'unknown', reason: 'the table is not in the schema' } as Predicate);
      return { node: property as Node, predicate };
    });
    return combineOr(branches, 'no `or` branch has the tenant key');
  }
  if (node?.type !== T.ArrayExpression) return { kind: 'unknown', reason: '`or(...)` of something other than a list or an object' };
  const branches = node.elements.flatMap((element) => {
    if (!element) return [];
    if (element.type === T.SpreadElement) return [{ node: element as Node, predicate: { kind: 'unknown', reason: 'a spread inside `or([...])`' } as Predicate }];
    return [{ node: element as Node, predicate: evaluateExpression(element, env, depth + 1) }];
  });
  return combineOr(branches, 'no `or` branch has the tenant key');
}

/** `eb.and({ tenant_id: x })` compares each key with `=`; keys may be qualified (`'i.tenant_id'`). */
function dialect(env: Env): ObjectFilterDialect {
  return {
    and: [],
    or: [],
    noun: 'where',
    keyName: (property) => {
      const name = propertyName(property);
      return name === undefined ? undefined : (fieldOfRef(name, env.target, env.sources) ?? name);
    },
    valueConstrains,
    branch: () => ({ kind: 'unknown', reason: 'a nested filter object' }),
  };
}

/**
 * A condition built by a function: a configured filter helper scopes; a project function is followed
 * to what it returns, with its parameters that receive `eb` treated as the expression builder.
 */
function helperCall(call: TSESTree.CallExpression, env: Env, depth: number): Predicate {
  const callee = unwrap(call.callee);
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (name && (env.context.config.filterHelpers ?? []).includes(name)) return { kind: 'scoped', via: `\`${name}()\`, a configured filter helper` };
  if (callee.type === T.MemberExpression && unwrap(callee.object).type === T.Identifier && (unwrap(callee.object) as TSESTree.Identifier).name === 'sql') {
    return { kind: 'unknown', reason: 'a `sql` condition' };
  }
  if (callee.type !== T.Identifier) return { kind: 'unknown', reason: `the condition is built by \`${textOf(env.unit, callee)}()\`` };
  const binding = env.context.resolver.bindingOf(callee, env.unit, depth + 1);
  if (binding.kind !== 'function') return { kind: 'unknown', reason: `\`${callee.name}()\` cannot be followed` };
  const fn = binding.fn.node;
  const builders = new Map(env.builders);
  // `byTenant(eb, tenantId)`: the parameter that receives `eb` is the expression builder inside.
  call.arguments.forEach((arg, index) => {
    const param = fn.params[index];
    const value = unwrap(arg);
    if (param?.type !== T.Identifier || value.type !== T.Identifier) return;
    const variable = variableOf(env.unit.scopeManager, value);
    const role = variable ? env.builders.get(variable) : undefined;
    if (role) addBuilder(builders, param, role, binding.fn.unit);
  });
  const inner: Env = { ...env, unit: binding.fn.unit, builders };
  const results = returnedExpressions(fn).map((expr) => evaluateExpression(expr, inner, depth + 1));
  const combined = combineAll(results, `\`${callee.name}()\` returns nothing we can read`);
  return combined.kind === 'scoped' ? { kind: 'scoped', via: `the helper \`${callee.name}()\`` } : combined;
}

/**
 * `.$call(withTenant(ctx))` / `.$call(withTenant)` with a configured filter helper, or
 * `.$call((qb) => qb.where(...))` and project functions returning such a callback.
 */
function evaluateCall$(arg: TSESTree.CallExpressionArgument | undefined, env: Env, depth: number): Predicate {
  if (!arg || arg.type === T.SpreadElement) return { kind: 'unknown', reason: '`.$call` without a function' };
  const node = unwrap(arg);
  const helpers = env.context.config.filterHelpers ?? [];
  const callee = node.type === T.CallExpression ? unwrap(node.callee) : node;
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (name && helpers.includes(name)) return { kind: 'scoped', via: `\`${name}\`, a configured filter helper` };
  const inner = callbackLinks(node, env, depth + 1);
  if (inner?.predicate) return inner.predicate;
  return { kind: 'unknown', reason: `\`.$call(${textOf(env.unit, node)})\` cannot be followed` };
}

/**
 * The condition links a builder callback adds to its parameter: `(qb) => qb.where(...)`. A function
 * reference, or a call of a project function that returns such a callback, is followed.
 */
function callbackLinks(arg: Node | undefined, env: Env, depth: number): LinksResult | undefined {
  if (!arg || depth > MAX_FILTER_DEPTH) return undefined;
  const node = unwrap(arg);
  if (node.type === T.Identifier || node.type === T.CallExpression) {
    const callee = node.type === T.CallExpression ? unwrap(node.callee) : node;
    if (callee.type !== T.Identifier) return undefined;
    const binding = env.context.resolver.bindingOf(callee, env.unit, depth + 1);
    if (binding.kind !== 'function') return undefined;
    const fn = binding.fn.node;
    const inner = { ...env, unit: binding.fn.unit };
    if (node.type === T.Identifier) return callbackLinks(fn, inner, depth + 1);
    const returned = returnedExpressions(fn);
    return returned.length === 1 && returned[0] ? callbackLinks(returned[0], inner, depth + 1) : undefined;
  }
  if (node.type !== T.ArrowFunctionExpression && node.type !== T.FunctionExpression && node.type !== T.FunctionDeclaration) return undefined;
  const param = node.params[0];
  if (param?.type !== T.Identifier) return undefined;
  const results = returnedExpressions(node).map((expr) => linksOnParameter(expr, param, env, depth));
  if (results.length === 0 || results.some((r) => !r)) return undefined;
  const predicates = results.map((r) => r?.predicate ?? ({ kind: 'unscoped', detail: 'the callback adds no condition' } as Predicate));
  return { predicate: combineAll(predicates, 'the callback returns nothing'), conditional: results.some((r) => r?.conditional) };
}

/** `qb.where(...).where(...)` where `qb` is the callback's parameter. */
function linksOnParameter(expr: Node, param: TSESTree.Identifier, env: Env, depth: number): LinksResult | undefined {
  const links: Link[] = [];
  let current = unwrap(expr);
  while (current.type === T.CallExpression) {
    const callee = unwrap(current.callee);
    if (callee.type !== T.MemberExpression) return undefined;
    links.unshift({ name: memberName(callee) ?? '', call: current });
    current = unwrap(callee.object);
  }
  if (current.type !== T.Identifier || current.name !== param.name) return undefined;
  return evaluateLinks(links, env, depth + 1);
}
