import type { TSESTree } from '@typescript-eslint/types';
import { T, walk, type Node } from '../../core/ast.js';
import type { ClientTenantFlow as Flow } from './flow.js';
import { frameworkSinks, sessionSinks, sinksAt, storageSinks } from './sinks/context.js';
import { massSinks } from './sinks/mass-assignment.js';
import { factorySinks, querySinks } from './sinks/queries.js';
import { sourceName } from './messages.js';
import { calleeText, isPlainValue } from './syntax.js';
import { Env, INLINE_BUDGET, MAX_INLINE_DEPTH, type Check, type ClientOrigin, type Frame, type Origin, type Sink, type Visit } from './types.js';

/*
 * The walk of the policy: every sink in a file (or in a function followed into), with the origin
 * of the value that reaches it; calls that pass client input are followed into their callees, so
 * that a sink inside a service is reported at the read in the handler.
 */

/**
 * Every sink reached in `root` (a file or a function being followed into), with the origin of
 * the value that reaches it; calls that pass client input are followed into their callees.
 */
export function visit(flow: Flow, root: Node, knownCalls: TSESTree.CallExpression[] | undefined, frame: Frame): Visit {
  const out: Visit = { hits: [], lost: [] };
  const calls: TSESTree.CallExpression[] = knownCalls ? [...knownCalls] : [];
  const others: Node[] = [];
  walk(root, (node) => {
    if (node.type === T.CallExpression && !knownCalls) calls.push(node);
    else if (node.type === T.AssignmentExpression || node.type === T.TaggedTemplateExpression) others.push(node);
    else if (node.type === T.FunctionDeclaration || node.type === T.FunctionExpression || node.type === T.ArrowFunctionExpression) others.push(node);
  });
  const sinks: Sink[] = [];
  for (const node of others) sinks.push(...sinksAt(flow, node, frame));
  for (const call of calls) {
    sinks.push(...callSinks(flow, call, frame));
    followCall(flow, call, frame, out);
  }
  for (const sink of sinks) {
    const origin = flow.evaluate(sink.value, { unit: sink.unit, env: frame.env });
    if (origin.kind === 'client') out.hits.push({ sink, source: origin.source, at: sink.value });
    else if (origin.kind === 'unknown' && origin.client) out.lost.push({ at: sink.value, reason: `the tenant value ${sink.label} comes from client input through code that cannot be followed: ${origin.reason}` });
  }
  return out;
}

function callSinks(flow: Flow, call: TSESTree.CallExpression, frame: Frame): Sink[] {
  return [
    ...frameworkSinks(flow, call, frame),
    ...querySinks(flow, call, frame),
    ...storageSinks(flow, call, frame),
    ...sessionSinks(flow, call, frame.unit),
    ...factorySinks(flow, call, frame),
    ...massSinks(flow, call, frame),
  ];
}

/**
 * A call that passes client input (or the request itself) to a project function: the callee is
 * visited with its parameters bound to the arguments, so that a sink inside it (`where.orgId` in
 * a service) is reported at the read in this file.
 */
function followCall(flow: Flow, call: TSESTree.CallExpression, frame: Frame, out: Visit): void {
  if (call.arguments.length === 0) return;
  const args = call.arguments.map((arg) => (arg.type === T.SpreadElement ? undefined : flow.evaluate(arg, frame)));
  if (!args.some((o) => o && carries(flow, o))) return;
  const callee = flow.calleeOf(call, frame);
  if (callee.kind !== 'function') {
    const named = args.find((o): o is ClientOrigin => o?.kind === 'client' && flow.isTenantSource(o.source));
    if (callee.kind === 'unknown' && named) out.lost.push({ at: call, read: named.source.read, reason: `${sourceName(named.source)} is passed to \`${calleeText(call, frame.unit)}()\`, which cannot be followed (${callee.reason})` });
    return;
  }
  if (flow.inlined >= INLINE_BUDGET || frame.env.depth >= MAX_INLINE_DEPTH || frame.env.lookup(callee.fn.node)) {
    const named = args.find((o): o is ClientOrigin => o?.kind === 'client' && flow.isTenantSource(o.source));
    if (named) out.lost.push({ at: call, read: named.source.read, reason: `${sourceName(named.source)} is passed to \`${calleeText(call, frame.unit)}()\`, deeper than the analysis follows calls` });
    return;
  }
  flow.inlined += 1;
  const env = new Env(frame.env, callee.fn.node, flow.bindable(callee.fn, args));
  const inner: Frame = { unit: callee.fn.unit, env };
  const body = callee.fn.node.body;
  if (!body) return;
  const visit = flow.visit(body, undefined, inner);
  const checks = flow.checksIn(callee.fn.node, inner);
  for (const hit of visit.hits) {
    // Sources the callee read from its own typed parameters are reported in its own file.
    if (hit.source.readEnv.within(env)) continue;
    const delegates: Check[] = [];
    const gated = flow.gatedBy(hit, checks, callee.fn.node, delegates);
    if (gated === 'certain') continue;
    // Undecided inside the callee, but a check in the caller (a webhook's signature) may still settle it.
    const delegate = gated === 'uncertain' ? delegates[0]?.delegate : undefined;
    const sink: Sink | undefined =
      gated !== 'uncertain' ? undefined : delegate && !hit.sink.uncertain ? { ...hit.sink, delegate } : { ...hit.sink, uncertain: 'is checked against a user or value that could not be traced to the verified identity' };
    out.hits.push({ ...hit, at: call, ...(sink ? { sink } : {}) });
  }
  for (const lost of visit.lost) out.lost.push({ ...lost, at: call });
}

/**
 * Does an argument carry client input (or the request) into a callee? An options object
 * counts when one of its properties does: `findTeamMembers({ userId: user.id, teamId })`.
 */
export function carries(flow: Flow, origin: Origin): boolean {
  if (origin.kind === 'client' || origin.kind === 'framework') return true;
  if (origin.kind === 'unknown') return origin.client;
  if (origin.kind !== 'object') return false;
  return origin.node.properties.some((p) => {
    // Only plain values (`teamId`, `input.teamId`): evaluating calls here would follow every
    // helper called in every options object.
    if (p.type !== T.Property || !isPlainValue(p.value)) return false;
    const value = flow.evaluate(p.value, { unit: origin.unit, env: origin.env });
    return value.kind === 'client' || value.kind === 'framework' || (value.kind === 'unknown' && value.client);
  });
}
