import type { TSESTree } from '@typescript-eslint/types';
import { T, unwrap, walk, type Node } from '../../../core/ast.js';
import type { QueryFacts } from '../../../core/facts.js';
import type { Located } from '../../../core/resolve.js';
import type { ClientTenantFlow as Flow } from '../flow.js';
import { calleeName, calleeText, isPlainValue, statementOf, TRANSPARENT_FUNCTIONS, TRANSPARENT_METHODS } from '../syntax.js';
import { Env, INLINE_BUDGET, keyOf, MAX_INLINE_DEPTH, type Check, type Frame, type Origin } from '../types.js';
import { gatesOf } from './gates.js';

/*
 * Checks the analysis sees made but cannot read to a decision: a helper given both the client's
 * tenant value and the verified user, or a lookup whose filter such a helper builds. They are
 * uncertain checks: never proof, never reported, counted as not analysable.
 */

/** A helper from a package or too deep to follow that receives the tenant and the verified user: named like a lookup or a check. */
const LOOKUP_HELPER = /^(get|find|fetch|load|read|resolve|lookup|assert|require|ensure|check|verify|validate|authorize|authorise|is|has|can)[A-Z_]/;

/**
 * documenso's `getTeamById({ teamId: ctx.teamId, userId: ctx.user.id })`: a helper given both
 * a client tenant value and the verified user, whose check the analysis cannot see (a package,
 * calls too deep, a membership `where` built by another helper). It most likely checks that the
 * user belongs to the tenant: an uncertain check, counted as not analysable, never trusted as
 * proof and never reported. A helper called for its value is a lookup; one from a package must
 * be named like one (`getTeam`, `assertMember`), so that a logger given both ids is no check.
 */
export function delegatedChecks(flow: Flow, call: TSESTree.CallExpression, args: (Origin | undefined)[], frame: Frame, unfollowed: boolean): Check[] {
  if (flow.query(call, frame.unit)) return [];
  const name = calleeName(call) ?? '';
  if (unfollowed && !LOOKUP_HELPER.test(name)) return [];
  const values = args.flatMap((arg) => (arg ? argumentValues(flow, arg) : []));
  if (!values.some((o) => o.kind === 'trusted')) return [];
  const keys = new Set(values.flatMap((o) => (o.kind === 'client' && flow.isTenantSource(o.source) ? [keyOf(o.source)] : [])));
  const helper = calleeText(call, frame.unit);
  return [...keys].map((key) => ({ key, gate: statementOf(call), mode: 'exit', throws: true, what: `a check by \`${helper}()\``, certain: false, delegate: helper }));
}

/**
 * An argument's value, or the plain values of an options object (`{ teamId, userId: user.id }`),
 * one level of nesting included (`{ teamId, reference: { type: 'User', id: userId } }`).
 */
export function argumentValues(flow: Flow, origin: Origin, depth = 0): Origin[] {
  if (origin.kind !== 'object') return [origin];
  return origin.node.properties.flatMap((p) => {
    if (p.type !== T.Property) return [];
    const value = unwrap(p.value);
    if (value.type === T.ObjectExpression) return depth < 1 ? argumentValues(flow, { ...origin, node: value }, depth + 1) : [];
    return isPlainValue(value) ? [flow.evaluate(value, { unit: origin.unit, env: origin.env })] : [];
  });
}

/**
 * Can a followed helper that found no check still decide, where the analysis cannot see? True
 * when the verified user it was given reaches a call that is not followed (a package, too deep)
 * or whose result becomes part of a query's `where` (`...buildTeamWhereQuery({ userId })`).
 * False when every use of it was read: the helper provably checks nothing.
 */
export function undecided(flow: Flow, fn: Located<TSESTree.FunctionLike>, env: Env, depth: number): boolean {
  const body = fn.node.body;
  if (!body) return false;
  const frame: Frame = { unit: fn.unit, env };
  const calls: TSESTree.CallExpression[] = [];
  walk(body, (node) => {
    if (node.type === T.CallExpression) calls.push(node);
  });
  for (const call of calls) {
    const query = flow.query(call, fn.unit);
    if (query) {
      if (whereBuilder(flow, query, frame) || userOutsideFilter(flow, query, frame)) return true;
      continue;
    }
    const args = call.arguments.map((arg) => (arg.type === T.SpreadElement ? undefined : flow.evaluate(arg, frame)));
    if (!args.some((arg) => arg && argumentValues(flow, arg).some((o) => o.kind === 'trusted'))) continue;
    const callee = flow.calleeOf(call, frame);
    if (callee.kind === 'none') continue;
    if (callee.kind !== 'function') {
      if (LOOKUP_HELPER.test(calleeName(call) ?? '')) return true;
      continue;
    }
    if (depth + 1 >= MAX_INLINE_DEPTH || env.lookup(callee.fn.node) || flow.inlined >= INLINE_BUDGET) return true;
    flow.inlined += 1;
    if (undecided(flow, callee.fn, new Env(env, callee.fn.node, args), depth + 1)) return true;
  }
  return false;
}

/**
 * A read that filters by the verified user outside its filter (`include: { teamGroups: { where:
 * { ... userId } } }`, then `if (team.teamGroups.length === 0) throw`): a check the analysis
 * does not read.
 */
function userOutsideFilter(flow: Flow, query: QueryFacts, frame: Frame): boolean {
  return query.positions.options.some((value) => isPlainValue(value.node) && flow.evaluate(value.node, { unit: value.unit, env: frame.env }).kind === 'trusted');
}

/**
 * The call given the verified user that builds (part of) a query's filter (`where:
 * buildTeamWhereQuery({ teamId, userId })`, spread into it, or one branch of a conditional): a
 * filter the analysis does not read.
 */
export function whereBuilder(flow: Flow, query: QueryFacts, frame: Frame): Located<TSESTree.CallExpression> | undefined {
  let found: Located<TSESTree.CallExpression> | undefined;
  // `eq(t.ownerId, userId)`: a comparison the data layer's model read (its value is one the filter
  // compares) was judged there, as a membership condition or not; it builds nothing unread.
  const read = new Set(query.positions.compared.map((value) => value.node));
  for (const root of query.positions.filterExpressions) {
    walk(root.node, (node) => {
      if (found || node.type !== T.CallExpression) return;
      const name = calleeName(node) ?? '';
      if (TRANSPARENT_FUNCTIONS.has(name) || TRANSPARENT_METHODS.has(name)) return;
      const given = node.arguments.some((arg) => {
        if (arg.type === T.SpreadElement || read.has(arg)) return false;
        const origin = flow.evaluate(arg, { unit: root.unit, env: frame.env });
        return argumentValues(flow, origin).some((o) => o.kind === 'trusted');
      });
      if (given) found = { node, unit: root.unit };
    });
  }
  return found;
}

/**
 * `team.findFirst({ where: buildTeamWhereQuery({ teamId, userId }) })`, then `if (!team)
 * throw`: a lookup whose filter a helper given the verified user builds. Most likely a
 * membership condition: uncertain checks of the client values in the filter, counted as not
 * analysable when they are what gates a query.
 */
export function builtLookupChecks(flow: Flow, call: TSESTree.CallExpression, frame: Frame): Check[] {
  const query = flow.query(call, frame.unit);
  if (!query || query.site.operation !== 'read') return [];
  const builder = whereBuilder(flow, query, frame);
  if (!builder) return [];
  const keys = new Set<string>();
  for (const root of query.positions.filterExpressions) {
    walk(root.node, (node) => {
      const values: Node[] = node.type === T.Property ? [node.value] : node.type === T.CallExpression ? node.arguments.filter((a) => a.type !== T.SpreadElement) : [];
      for (const item of values) {
        for (const origin of argumentValues(flow, flow.evaluate(item, { unit: root.unit, env: frame.env }))) {
          if (origin.kind === 'client' && flow.isTenantSource(origin.source)) keys.add(keyOf(origin.source));
        }
      }
    });
  }
  const helper = calleeText(builder.node, builder.unit);
  return [...keys].flatMap((key) => gatesOf(call, key, `a lookup filtered by \`${helper}()\``, false).map((check) => ({ ...check, delegate: helper })));
}
