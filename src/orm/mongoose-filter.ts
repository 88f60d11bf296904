/**
 * Mongoose filters: `{ tenantId, $or: [...] }` objects (evaluated by the shared object-filter
 * evaluator with the Mongoose dialect), filters held in variables or returned by helpers, and
 * aggregation pipelines, scoped only by a first `$match` stage.
 */
import type { TSESTree } from '@typescript-eslint/types';
import type { Variable } from '@typescript-eslint/scope-manager';
import { memberName, propertyName, T, textOf, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext, Predicate } from '../core/query-site.js';
import { returnedExpressions } from '../core/resolve.js';
import type { Table } from '../core/schema.js';
import { combineAll, evaluateFilterObject, isNullish, MAX_FILTER_DEPTH, type ObjectFilterDialect } from './object-filter.js';

/** Operators whose condition is code the analysis cannot read. */
const OPAQUE = new Set(['$expr', '$where', '$function', '$jsonSchema']);
const MUTATORS = new Set(['push', 'unshift', 'splice']);

export const MONGOOSE_DIALECT: ObjectFilterDialect = {
  and: ['$and'],
  or: ['$or'],
  // `$nor` negates: a tenant key inside it excludes a tenant, it does not pin one.
  ignored: ['$nor', '$comment', '$text'],
  noun: 'filter',
  evaluateSpreads: true,
  valueConstrains,
  branch: (node, unit, table, context, depth) => evaluateFilter(node, unit, table, context, depth),
  other: (name) => (OPAQUE.has(name) ? { kind: 'unknown', reason: `a \`${name}\` condition is not analysed` } : undefined),
};

/** `tenantId: x`, `{ $eq: x }`, `{ $in: xs }` pin the tenant; `null`, `undefined`, a regex, `{ $ne: x }`, `{ $exists: true }` do not. */
export function valueConstrains(value: Node): boolean {
  const node = unwrap(value);
  if (isNullish(node)) return false;
  if (node.type === T.Literal && 'regex' in node && node.regex) return false;
  if (node.type !== T.ObjectExpression) return true;
  return node.properties.some((p) => p.type === T.Property && ['$eq', '$in'].includes(propertyName(p) ?? '') && valueConstrains(p.value));
}

/** Does a filter (an object, a variable, a helper's result...) constrain `table` to one tenant? */
export function evaluateFilter(expression: Node, unit: FileUnit, table: Table, context: AnalysisContext, depth = 0): Predicate {
  if (depth > MAX_FILTER_DEPTH) return { kind: 'unknown', reason: 'filter nested too deeply' };
  const node = unwrap(expression);
  switch (node.type) {
    case T.ObjectExpression:
      return evaluateFilterObject(node, unit, table, context, MONGOOSE_DIALECT, depth);
    case T.Identifier:
      return filterOfIdentifier(node, unit, table, context, depth);
    case T.CallExpression:
      return filterOfCall(node, unit, table, context, depth);
    case T.ConditionalExpression:
      return combineAll([evaluateFilter(node.consequent, unit, table, context, depth + 1), evaluateFilter(node.alternate, unit, table, context, depth + 1)], 'no branch');
    case T.Literal:
      if (node.value === null) return { kind: 'unscoped', detail: 'the filter is `null`, which matches every document' };
      break;
    default:
      break;
  }
  return { kind: 'unknown', reason: `the filter \`${textOf(unit, node)}\` cannot be followed` };
}

function filterOfIdentifier(node: TSESTree.Identifier, unit: FileUnit, table: Table, context: AnalysisContext, depth: number): Predicate {
  if (node.name === 'undefined') return { kind: 'unscoped', detail: 'the filter is `undefined`, which matches every document' };
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  if (binding.kind === 'parameter') return { kind: 'unknown', reason: `the filter \`${node.name}\` is a parameter` };
  if (binding.kind !== 'value') return { kind: 'unknown', reason: `the filter \`${node.name}\` cannot be followed` };
  const variable = variableOf(unit.scopeManager, node);
  const later = variable && binding.value.unit === unit ? assignedLater(variable, table) : undefined;
  if (later) return later;
  return evaluateFilter(binding.value.node, binding.value.unit, table, context, depth + 1);
}

/**
 * `const filter: FilterQuery<IBoard> = {}; filter.tenantId = tenantId;`: a filter built up after
 * its declaration. A tenant key assigned scopes it; other dynamic changes make it unreadable.
 */
function assignedLater(variable: Variable, table: Table): Predicate | undefined {
  let unknown: Predicate | undefined;
  for (const ref of variable.references) {
    const parent = ref.identifier.parent;
    if (parent?.type === T.MemberExpression && parent.object === ref.identifier) {
      const assignment = parent.parent;
      if (assignment?.type === T.AssignmentExpression && assignment.left === parent) {
        const key = memberName(parent);
        if (key && table.tenantKeys.includes(key) && valueConstrains(assignment.right)) return { kind: 'scoped', via: `\`${key}\` assigned to the filter`, value: assignment.right };
        if (!key || key.startsWith('$')) unknown ??= { kind: 'unknown', reason: 'the filter is changed after its declaration' };
      }
      if (parent.parent?.type === T.CallExpression && MUTATORS.has(memberName(parent) ?? '')) unknown ??= { kind: 'unknown', reason: 'the filter is built up after its declaration' };
    }
    if (parent?.type === T.CallExpression && parent.arguments[0] === ref.identifier && unwrap(parent.callee).type === T.MemberExpression && memberName(unwrap(parent.callee) as TSESTree.MemberExpression) === 'assign') {
      unknown ??= { kind: 'unknown', reason: 'the filter is changed with `Object.assign`' };
    }
  }
  return unknown;
}

function filterOfCall(node: TSESTree.CallExpression, unit: FileUnit, table: Table, context: AnalysisContext, depth: number): Predicate {
  const callee = unwrap(node.callee);
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (name && (context.config.filterHelpers ?? []).includes(name)) return { kind: 'scoped', via: `\`${name}()\`, a configured filter helper` };
  if (callee.type === T.Identifier) {
    const binding = context.resolver.bindingOf(callee, unit, depth + 1);
    if (binding.kind === 'function') {
      const results = returnedExpressions(binding.fn.node).map((e) => evaluateFilter(e, binding.fn.unit, table, context, depth + 1));
      return combineAll(results, `\`${callee.name}()\` returns nothing that can be read`);
    }
  }
  return { kind: 'unknown', reason: `the filter is the result of \`${textOf(unit, node.callee)}()\`` };
}

/**
 * An aggregation runs over the whole collection until a `$match` narrows it: only a pipeline whose
 * FIRST stage is a `$match` with the tenant key is scoped. A `$lookup` (or anything else) before
 * it joins and computes across every tenant.
 */
export function evaluatePipeline(argument: Node, unit: FileUnit, table: Table, context: AnalysisContext): Predicate {
  const located = arrayOf(argument, unit, context);
  if ('reason' in located) return { kind: 'unknown', reason: located.reason };
  const first = located.node.elements[0];
  if (!first) return { kind: 'unscoped', detail: 'the pipeline is empty, so it reads every document' };
  if (first.type === T.SpreadElement) return { kind: 'unknown', reason: 'the pipeline starts with a spread' };
  const stage = objectOf(first, located.unit, context);
  if (!stage) return { kind: 'unknown', reason: `the first stage \`${textOf(located.unit, first)}\` cannot be followed` };
  const match = stage.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === '$match');
  if (!match) {
    const name = stage.node.properties.map((p) => (p.type === T.Property ? propertyName(p) : undefined)).find(Boolean) ?? 'a stage';
    return { kind: 'unscoped', detail: `the pipeline starts with \`${name}\`, not a \`$match\` on the tenant key` };
  }
  return firstMatch(evaluateFilter(match.value, stage.unit, table, context, 1));
}

/** The first `$match`, worded as the pipeline's. */
export function firstMatch(result: Predicate): Predicate {
  if (result.kind === 'unscoped') return { kind: 'unscoped', detail: `the first \`$match\` does not pin the tenant (${result.detail})` };
  return result.kind === 'scoped' ? { ...result, via: `the first \`$match\` (${result.via})` } : result;
}

function arrayOf(node: Node, unit: FileUnit, context: AnalysisContext, depth = 0): { node: TSESTree.ArrayExpression; unit: FileUnit } | { reason: string } {
  const value = unwrap(node);
  if (value.type === T.ArrayExpression) return { node: value, unit };
  if (value.type !== T.Identifier || depth > 4) return { reason: `the pipeline \`${textOf(unit, value)}\` cannot be followed` };
  const binding = context.resolver.bindingOf(value, unit, depth + 1);
  if (binding.kind !== 'value') return { reason: `the pipeline \`${value.name}\` cannot be followed` };
  const variable = variableOf(unit.scopeManager, value);
  const grown = variable?.references.some((ref) => {
    const parent = ref.identifier.parent;
    return parent?.type === T.MemberExpression && parent.object === ref.identifier && MUTATORS.has(memberName(parent) ?? '');
  });
  if (grown) return { reason: `the pipeline \`${value.name}\` is built up after its declaration` };
  return arrayOf(binding.value.node, binding.value.unit, context, depth + 1);
}

function objectOf(node: Node, unit: FileUnit, context: AnalysisContext): { node: TSESTree.ObjectExpression; unit: FileUnit } | undefined {
  const value = unwrap(node);
  if (value.type === T.ObjectExpression) return { node: value, unit };
  if (value.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(value, unit, 1);
  return binding.kind === 'value' && unwrap(binding.value.node).type === T.ObjectExpression ? { node: unwrap(binding.value.node) as TSESTree.ObjectExpression, unit: binding.value.unit } : undefined;
}

