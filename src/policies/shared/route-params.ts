/**
 * Koa router parameters (parcelvoy's controllers):
 *
 *   router.param('campaignId', async (value, ctx, next) => {
 *     ctx.state.campaign = await getCampaign(parseInt(value, 10), ctx.state.project.id)
 *     if (!ctx.state.campaign) { ctx.throw(404); return }
 *     return await next()
 *   })
 *   router.patch('/:campaignId', async ctx => { ctx.body = await updateCampaign(ctx.state.campaign!.id, ...) })
 *
 * The router runs the parameter's handler before every route of it whose path names the parameter:
 * the row it stores in `ctx.state` was looked up by the client's id within a scope the server holds
 * (`ctx.state.project.id`), and the request stops when there is none. A route handler that hands a
 * query only that row (or its id, or the parameter it was looked up by) reaches rows of that scope.
 * A lookup by the client's value alone, one whose missing row does not stop the request, or one
 * whose scope argument the looked-up function ignores, verifies nothing.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { memberName, T, textOf, unwrap, walk, type FileUnit, type Node } from '../../core/ast.js';
import type { Resolver } from '../../core/resolve.js';
import { memberPath } from '../../core/identity.js';
import { clip, exits, functionOf, ID_LIKE } from './paths.js';

interface ParamLoad {
  /** The parameter's name in route paths. */
  param: string;
  /** The `ctx.state` key that holds the row. */
  key: string;
  lookup: TSESTree.CallExpression;
  unit: FileUnit;
}

const ROUTE_PARAMETER = /:([A-Za-z_$][\w$]*)/g;

/**
 * `fn` is a route handler (`router.patch('/:campaignId', fn)`) and the values it hands `call` (the
 * focused ones, else every argument) are rows that a `router.param` handler of the same router loaded
 * within the server's scope, their ids, or the parameters they were loaded by; without a focus, other
 * `ctx.state` values are the server's. Returns the evidence.
 */
export function loadedByRouteParam(fn: TSESTree.FunctionLike, call: TSESTree.CallExpression, unit: FileUnit, resolver: Resolver, focus?: Node[]): string | undefined {
  const registration = fn.parent;
  if (registration?.type !== T.CallExpression || !registration.arguments.includes(fn as TSESTree.CallExpressionArgument)) return undefined;
  if (focus && focus.length === 0) return undefined;
  const callee = unwrap(registration.callee);
  const path = registration.arguments[0];
  if (callee.type !== T.MemberExpression || path?.type !== T.Literal || typeof path.value !== 'string') return undefined;
  const names = new Set([...path.value.matchAll(ROUTE_PARAMETER)].map((m) => m[1]!));
  const context = fn.params[0];
  if (names.size === 0 || context?.type !== T.Identifier) return undefined;
  const loads = paramLoads(textOf(unit, callee.object), unit, resolver).filter((load) => names.has(load.param));
  if (loads.length === 0) return undefined;
  const keys = new Set(loads.map((l) => l.key));
  const params = new Set(loads.map((l) => l.param));
  let verified = 0;
  for (const value of focus ?? call.arguments) {
    const inner = unwrap(value);
    if (inner.type === T.Literal) continue;
    const chain = contextChain(inner, context.name);
    if (chain?.[0] === 'state' && chain[1] !== undefined && keys.has(chain[1])) verified++;
    else if (chain?.[0] === 'params' && chain.length === 2 && params.has(chain[1]!)) verified++;
    // Without a focus, the server's state (`ctx.state.project.id`) and body fields that name no row
    // (`ctx.request.body.name`) are the call's other inputs.
    else if (focus || !chain || !(chain[0] === 'state' || (chain[0] === 'request' && chain[1] === 'body' && chain.length === 3 && !ID_LIKE.test(chain[2]!)))) return undefined;
  }
  if (verified === 0) return undefined;
  const texts = loads.map((l) => `\`${clip(textOf(l.unit, l.lookup))}\``).join(', ');
  return `rows that its router's \`param\` handler loaded: ${texts} looks the row up within the server's scope and stops the request when it is missing`;
}

/** `ctx.state.campaign.id` from the handler's `ctx`: ['state', 'campaign', 'id']. */
function contextChain(node: Node, context: string): string[] | undefined {
  const path = memberPath(node);
  return path && path[0] === context ? path.slice(1) : undefined;
}

/** The `router.param(name, handler)` registrations of the module on the router `router` that load a row. */
function paramLoads(router: string, unit: FileUnit, resolver: Resolver): ParamLoad[] {
  const loads: ParamLoad[] = [];
  walk(unit.ast, (node) => {
    if (node.type !== T.CallExpression) return;
    const callee = unwrap(node.callee);
    if (callee.type !== T.MemberExpression || memberName(callee) !== 'param' || textOf(unit, callee.object) !== router) return;
    const [name, handler] = node.arguments;
    if (name?.type !== T.Literal || typeof name.value !== 'string' || !handler) return;
    const fn = handlerOf(handler, unit, resolver);
    const load = fn && paramLoad(fn.node, fn.unit, resolver);
    if (load) loads.push({ param: name.value, ...load });
  });
  return loads;
}

function handlerOf(node: Node, unit: FileUnit, resolver: Resolver): { node: TSESTree.FunctionLike; unit: FileUnit } | undefined {
  const value = unwrap(node);
  if (value.type === T.ArrowFunctionExpression || value.type === T.FunctionExpression) return { node: value, unit };
  if (value.type !== T.Identifier) return undefined;
  const binding = resolver.bindingOf(value, unit);
  if (binding.kind === 'function') return binding.fn;
  if (binding.kind !== 'value') return undefined;
  const init = unwrap(binding.value.node);
  return init.type === T.ArrowFunctionExpression || init.type === T.FunctionExpression ? { node: init, unit: binding.value.unit } : undefined;
}

/**
 * `ctx.state.<key> = await lookup(<value>..., ctx.state.<scope>...)` followed by `if (!ctx.state.<key>) <exit>`
 * in a `(value, ctx, next)` handler, where `lookup` is a project function that reads the scope it is handed.
 */
function paramLoad(fn: TSESTree.FunctionLike, unit: FileUnit, resolver: Resolver): { key: string; lookup: TSESTree.CallExpression; unit: FileUnit } | undefined {
  const [value, context] = fn.params;
  if (value?.type !== T.Identifier || context?.type !== T.Identifier || fn.body?.type !== T.BlockStatement) return undefined;
  const body = fn.body.body;
  for (const [index, statement] of body.entries()) {
    if (statement.type !== T.ExpressionStatement || statement.expression.type !== T.AssignmentExpression) continue;
    const assignment = statement.expression;
    const target = contextChain(assignment.left, context.name);
    const lookup = assignment.right.type === T.AwaitExpression ? unwrap(assignment.right) : undefined;
    if (target?.length !== 2 || target[0] !== 'state' || lookup?.type !== T.CallExpression) continue;
    const key = target[1]!;
    const byValue = lookup.arguments.some((arg) => mentions(arg, value.name));
    const scope = lookup.arguments.findIndex((arg) => contextChain(arg, context.name)?.[0] === 'state');
    if (!byValue || scope < 0 || !readsParameter(lookup, scope, unit, resolver)) continue;
    const stops = body.slice(index + 1).some((s) => s.type === T.IfStatement && !s.alternate && exits(s.consequent) && testsAbsent(s.test, context.name, key));
    if (stops) return { key, lookup, unit };
  }
  return undefined;
}

function mentions(node: Node, name: string): boolean {
  let found = false;
  walk(node, (inner) => {
    if (!found && inner.type === T.Identifier && inner.name === name) found = true;
  });
  return found;
}

/** `!ctx.state.<key>`, `ctx.state.<key> == null`. */
function testsAbsent(test: Node, context: string, key: string): boolean {
  const inner = unwrap(test);
  const isRow = (node: Node) => {
    const chain = contextChain(node, context);
    return chain?.length === 2 && chain[0] === 'state' && chain[1] === key;
  };
  if (inner.type === T.UnaryExpression && inner.operator === '!') return isRow(inner.argument);
  if (inner.type === T.BinaryExpression && (inner.operator === '==' || inner.operator === '===')) {
    const other = isRow(inner.left) ? inner.right : isRow(inner.right) ? inner.left : undefined;
    return other !== undefined && ((other.type === T.Literal && other.value === null) || (other.type === T.Identifier && other.name === 'undefined'));
  }
  return false;
}

/** The project function `call` calls reads its parameter at `index` (the scope is not handed in and dropped). */
function readsParameter(call: TSESTree.CallExpression, index: number, unit: FileUnit, resolver: Resolver): boolean {
  const target = functionOf(call, unit, resolver);
  const param = target?.node.params[index];
  const inner = param?.type === T.AssignmentPattern ? param.left : param;
  if (inner?.type !== T.Identifier || !target?.node.body) return false;
  let used = false;
  walk(target.node.body, (node) => {
    if (used || node.type !== T.Identifier || node.name !== inner.name || node === inner) return;
    const parent = node.parent;
    // `{ projectId: 1 }`, `row.projectId`: a key, not the parameter.
    if (parent?.type === T.Property && parent.key === node && !parent.computed && parent.value !== node) return;
    if (parent?.type === T.MemberExpression && parent.property === node && !parent.computed) return;
    used = true;
  });
  return used;
}
