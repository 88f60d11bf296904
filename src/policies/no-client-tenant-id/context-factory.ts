import type { TSESTree } from '@typescript-eslint/types';
import { propertyName, T, unwrap, walk } from '../../core/ast.js';
import type { FrameworkObject } from '../../core/facts.js';
import { returnedExpressions, type Located } from '../../core/resolve.js';
import type { ClientTenantFlow as Flow } from './flow.js';
import { functionName } from './syntax.js';
import { Env, merge, type Frame, type Origin } from './types.js';

/*
 * Members of an object a factory builds (a tRPC `ctx`, which `createContext` returns, then
 * middlewares replace with `next({ ctx })`): a member built from client input is that input.
 */

/**
 * A member of an object built by a factory (a tRPC `ctx`, which `createContext` returns): the
 * client's input when the factory reads it from the request (`teamId: req.headers['x-team-id']`)
 * and no middleware before the code replaces it with a value of its own. Otherwise undefined:
 * the recognizer says what the member is (the verified session).
 */
export function factoryMember(flow: Flow, object: FrameworkObject, name: string | undefined): Origin | undefined {
  if (name === undefined || !object.returnedBy) return undefined;
  const built: Origin[] = [];
  // The nearest middleware that replaces the member on every path decides; one that replaces
  // it on some paths adds its values to what the earlier ones (and the factory) say.
  let replacedEverywhere = false;
  for (const middleware of object.replacedBy ?? []) {
    const replaced = replacement(flow, middleware, name);
    if (!replaced) continue;
    built.push(...replaced.values);
    if (replaced.everywhere) {
      replacedEverywhere = true;
      break;
    }
  }
  if (!replacedEverywhere) {
    for (const factory of object.returnedBy) {
      const value = factoryReturn(flow, factory, name, object.argument);
      if (value) built.push(value);
    }
  }
  const merged = merge(built);
  if (merged.kind === 'framework' || (merged.kind === 'unknown' && merged.client)) return merged;
  return merged.kind === 'client' ? merged : undefined;
}

export function factoryReturn(flow: Flow, factory: Located<TSESTree.FunctionLike>, name: string, argument: FrameworkObject | undefined): Origin | undefined {
  let byName = flow.factoryReturns.get(factory.node);
  if (!byName) flow.factoryReturns.set(factory.node, (byName = new Map()));
  if (byName.has(name)) return byName.get(name) ?? undefined;
  byName.set(name, null);
  const role = flow.roleOf(factory.node, 0, factory.unit);
  const args: (Origin | undefined)[] = [];
  const env = new Env(flow.top, factory.node, args);
  if (!role && argument) args.push({ kind: 'framework', object: argument, env });
  const frame: Frame = { unit: factory.unit, env };
  const values: Origin[] = [];
  for (const returned of returnedExpressions(factory.node)) {
    const origin = flow.evaluate(returned, frame);
    if (origin.kind === 'object') values.push(flow.member(origin, name, returned, frame));
  }
  let merged = merge(values);
  if (merged.kind === 'client') {
    const label = `${functionName(factory.node) ?? 'the context factory'}() at ${flow.displayPath(factory.unit.file)}:${merged.source.read.loc.start.line} (as \`ctx.${name}\`)`;
    merged = { kind: 'client', source: { ...merged.source, context: `ctx.${name}`, via: [label, ...merged.source.via] } };
  }
  byName.set(name, merged);
  return merged;
}

/**
 * The values a middleware gives `ctx.<name>` when it goes on (`next({ ctx: { ...ctx, teamId:
 * team.id } })`), and whether every `next()` call replaces it. Undefined when none does. A client
 * value it passes on (`companyId: input.companyId`) stays the client's: a check in that
 * middleware gates it like any other guard's.
 */
export function replacement(flow: Flow, middleware: Located<TSESTree.FunctionLike>, name: string): { everywhere: boolean; values: Origin[] } | undefined {
  let byName = flow.replacing.get(middleware.node);
  if (!byName) flow.replacing.set(middleware.node, (byName = new Map()));
  if (byName.has(name)) return byName.get(name) ?? undefined;
  byName.set(name, null);
  const frame: Frame = { unit: middleware.unit, env: flow.top };
  const body = middleware.node.body;
  let calls = 0;
  const values: Origin[] = [];
  if (body) {
    walk(body, (node) => {
      if (node.type !== T.CallExpression) return;
      const callee = flow.evaluate(node.callee, frame);
      if (callee.kind !== 'framework' || callee.object.framework !== 'trpc' || callee.object.role !== 'next') return;
      calls += 1;
      const options = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
      const ctx = options?.type === T.ObjectExpression ? options.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'ctx') : undefined;
      const value = ctx ? unwrap(ctx.value) : undefined;
      const property = value?.type === T.ObjectExpression ? value.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === name) : undefined;
      if (property) values.push(flow.evaluate(property.value, frame));
    });
  }
  const result = values.length > 0 ? { everywhere: values.length === calls, values } : undefined;
  byName.set(name, result ?? null);
  return result;
}
