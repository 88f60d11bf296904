import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import { returnedExpressions } from '../core/resolve.js';
import { client, NONE, nodeRequestMember, trusted } from './node-request.js';
import { fromPackage, functionsOf, methodOf, packageOfType, parameterType, registrationsOf } from './trace.js';
import type { FrameworkObject, Guard, HttpContext, HttpRecognizer, HttpValue, SinkFact } from './types.js';

const procedureOptions: FrameworkObject = { kind: 'framework', framework: 'trpc', role: 'procedure-options', label: 'opts', context: false };
const next: FrameworkObject = { kind: 'framework', framework: 'trpc', role: 'next', label: 'next', context: false };
const nodeContextOptions: FrameworkObject = { kind: 'framework', framework: 'trpc', role: 'node-context-options', label: 'opts', context: false };
const fetchContextOptions: FrameworkObject = { kind: 'framework', framework: 'trpc', role: 'fetch-context-options', label: 'opts', context: false };
const nodeRequest: FrameworkObject = { kind: 'framework', framework: 'trpc', role: 'node-request', label: 'opts.req', context: false };
const fetchRequest: FrameworkObject = { kind: 'framework', framework: 'trpc', role: 'fetch-request', label: 'opts.req', context: false };

/** Builder methods that define a procedure's resolver. */
const PROCEDURES = new Set(['query', 'mutation', 'subscription']);

/** Builder methods whose function receives `{ ctx, input, next }`. */
const RESOLVERS = new Set(['query', 'mutation', 'subscription', 'use', 'middleware', 'unstable_pipe']);

/**
 * tRPC: a procedure's `input` is whatever the client sent (validation checks its shape, not whose
 * tenant it names); `ctx` is built by `createContext` from the verified session. Procedures are
 * found by following the builder chain (`protectedProcedure.input(z).query(...)`) back to
 * `initTRPC` from @trpc/server.
 */
export const trpcRecognizer: HttpRecognizer = {
  name: 'trpc',
  // Routers import their builders from a project file, so the builder calls are markers too.
  markers: ["'@trpc/", '"@trpc/', '.query(', '.mutation(', '.subscription(', 'middleware(', '.use('],
  identityHint: '`ctx.session` (or the tenant `createContext` derives from it), never `input`',

  parameter(fn, index, context) {
    const typed = packageOfType(parameterType(fn.params[index]), context.unit, context.resolver);
    if (typed && fromPackage(typed, '@trpc/server')) return contextOptions(typed.source);
    if (index !== 0) return undefined;
    for (const registration of registrationsOf(fn, context.unit)) {
      if (registration.option === 'createContext') {
        const adapter = context.packageOf(registration.call.callee);
        if (adapter && fromPackage(adapter, '@trpc/server')) return contextOptions(adapter.source);
        continue;
      }
      if (registration.option !== undefined || !RESOLVERS.has(builderMethod(registration.call, context) ?? '')) continue;
      if (fromPackage(context.packageRoot(registration.call.callee), '@trpc/server')) return procedureOptions;
    }
    return undefined;
  },

  guards(fn, context) {
    const guards: Guard[] = [];
    for (const registration of registrationsOf(fn, context.unit)) {
      const target = methodOf(registration.call);
      if (!target || !PROCEDURES.has(target.method) || registration.option !== undefined) continue;
      middlewaresOf(target.receiver, context.unit, context, guards, 0);
    }
    return guards;
  },

  member(object, name) {
    switch (object.role) {
      case 'procedure-options':
        if (name === 'input' || name === 'rawInput') return client('trpc', 'tRPC input field');
        if (name === 'ctx') return trusted('`ctx` is built by createContext from the verified session');
        if (name === 'next') return next;
        return NONE;
      case 'node-context-options':
      case 'fetch-context-options':
        if (name === 'req') return object.role === 'node-context-options' ? nodeRequest : fetchRequest;
        if (name === 'info') return NONE;
        return NONE;
      case 'node-request':
        return nodeRequestMember('trpc', name);
      case 'fetch-request':
        if (name === 'headers') return client('trpc', 'header', [], 'map');
        if (name === 'url') return client('trpc', 'request URL');
        return NONE;
      default:
        return NONE;
    }
  },

  call(object, method) {
    if (object.role === 'procedure-options' && method === 'getRawInput') return client('trpc', 'tRPC input field');
    if (object.role === 'fetch-request' && method === 'json') return client('trpc', 'body field');
    return NONE;
  },

  sinks(call, context) {
    // `t.middleware(({ ctx, next }) => next({ ctx: { ...ctx, orgId } }))`
    const options = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
    if (options?.type !== T.ObjectExpression) return [];
    const callee = context.frameworkObject(call.callee);
    if (callee?.framework !== 'trpc' || callee.role !== 'next') return [];
    const ctx = options.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'ctx');
    const value = ctx ? unwrap(ctx.value) : undefined;
    if (value?.type !== T.ObjectExpression) return [];
    return tenantProperties(value, context, (key) => `put on the tRPC context as \`ctx.${key}\` by a middleware`);
  },

  returnSinks(fn, role, context) {
    if (role?.kind !== 'framework' || (role.role !== 'node-context-options' && role.role !== 'fetch-context-options')) return [];
    const sinks: SinkFact[] = [];
    for (const returned of returnedExpressions(fn)) {
      const value = unwrap(returned);
      if (value.type === T.ObjectExpression) sinks.push(...tenantProperties(value, context, (key) => `returned as \`ctx.${key}\` by createContext`));
    }
    return sinks;
  },
};

/** `procedure.query(fn)`, or `middleware(fn)` where `middleware` is `t.middleware` exported from the tRPC setup file. */
function builderMethod(call: TSESTree.CallExpression, context: HttpContext): string | undefined {
  const target = methodOf(call);
  if (target) return target.method;
  const callee = unwrap(call.callee);
  if (callee.type !== T.Identifier) return undefined;
  // Only a local const or an import from a project file can be `t.middleware`; package
  // functions (`useCallback(fn)`, `setTimeout(fn)`) are not resolved.
  const def = variableOf(context.unit.scopeManager, callee)?.defs[0];
  if (!def) return undefined;
  if (def.type === 'ImportBinding' && def.parent.type === T.ImportDeclaration && !/^[.~@]\/|^\./.test(def.parent.source.value)) return undefined;
  if (def.type !== 'ImportBinding' && def.type !== 'Variable') return undefined;
  const binding = context.resolver.bindingOf(callee, context.unit);
  const value = binding.kind === 'value' ? unwrap(binding.value.node) : undefined;
  return value?.type === T.MemberExpression ? memberName(value) : undefined;
}

/**
 * The `.use(middleware)` calls along a procedure's builder chain, across the files the chain is
 * built in (`companyProcedure = authedProcedure.input(...).use(checkCompany)`): they run before
 * the resolver and can reject the call.
 */
function middlewaresOf(node: Node, unit: FileUnit, context: HttpContext, out: Guard[], depth: number): void {
  if (depth > 12) return;
  const value = unwrap(node);
  if (value.type === T.CallExpression) {
    const callee = unwrap(value.callee);
    if (callee.type !== T.MemberExpression) return;
    if (memberName(callee) === 'use') {
      for (const arg of value.arguments) {
        for (const fn of functionsOf(arg, unit, context.resolver, 0)) out.push({ fn, params: [procedureOptions], decides: false });
      }
    }
    middlewaresOf(callee.object, unit, context, out, depth + 1);
    return;
  }
  if (value.type === T.MemberExpression) {
    middlewaresOf(value.object, unit, context, out, depth + 1);
    return;
  }
  if (value.type !== T.Identifier) return;
  const binding = context.resolver.bindingOf(value, unit);
  if (binding.kind === 'value') middlewaresOf(binding.value.node, binding.value.unit, context, out, depth + 1);
}

function contextOptions(source: string): HttpValue | undefined {
  if (source.endsWith('/fetch') || source.endsWith('/aws-lambda')) return fetchContextOptions;
  if (source.includes('/adapters/')) return nodeContextOptions;
  return undefined;
}

function tenantProperties(object: TSESTree.ObjectExpression, context: HttpContext, label: (key: string) => string): SinkFact[] {
  const sinks: SinkFact[] = [];
  for (const property of object.properties) {
    if (property.type !== T.Property) continue;
    const key = propertyName(property);
    if (key && context.isTenantName(key)) sinks.push({ label: label(key), value: property.value, node: property });
  }
  return sinks;
}
