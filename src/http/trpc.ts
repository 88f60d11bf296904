import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, unwrap, variableOf, walk, type FileUnit, type Node } from '../core/ast.js';
import { returnedExpressions, type Located, type Resolver } from '../core/resolve.js';
import { client, NONE, nodeRequestMember, trusted } from './node-request.js';
import { chainRoot, fromPackage, functionsOf, MAX_ROOT_HOPS, methodOf, packageOfType, parameterType, registrationsOf, typeDeclaration } from './trace.js';
import type { FrameworkObject, Guard, HttpContext, HttpRecognizer, HttpValue, SinkFact } from './types.js';

const procedureOptions: FrameworkObject = { kind: 'framework', framework: 'trpc', role: 'procedure-options', label: 'opts', context: false };
const next: FrameworkObject = { kind: 'framework', framework: 'trpc', role: 'next', label: 'next', context: false };
const nodeContextOptions: FrameworkObject = { kind: 'framework', framework: 'trpc', role: 'node-context-options', label: 'opts', context: false };
const fetchContextOptions: FrameworkObject = { kind: 'framework', framework: 'trpc', role: 'fetch-context-options', label: 'opts', context: false };
const nodeRequest: FrameworkObject = { kind: 'framework', framework: 'trpc', role: 'node-request', label: 'opts.req', context: false };
const fetchRequest: FrameworkObject = { kind: 'framework', framework: 'trpc', role: 'fetch-request', label: 'opts.req', context: false };
/** The options of a context factory found from the procedures (`initTRPC.context<typeof createContext>()`), adapter unknown. */
const factoryOptions: FrameworkObject = { kind: 'framework', framework: 'trpc', role: 'factory-options', label: 'opts', context: false };
const anyRequest: FrameworkObject = { kind: 'framework', framework: 'trpc', role: 'any-request', label: 'opts.req', context: false };
const CTX_TRUSTED = '`ctx` is built by createContext from the verified session';

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
      if (fromPackage(context.packageRoot(registration.call.callee), '@trpc/server')) return optionsFor(registration.call, context.unit, context.resolver);
    }
    return undefined;
  },

  guards(fn, context) {
    const guards: Guard[] = [];
    for (const registration of registrationsOf(fn, context.unit)) {
      const target = methodOf(registration.call);
      if (!target || !PROCEDURES.has(target.method) || registration.option !== undefined) continue;
      for (const middleware of middlewaresOf(target.receiver, context.unit, context.resolver)) {
        guards.push({ fn: middleware.fn, params: [optionsFor(middleware.call, middleware.unit, context.resolver)], decides: false });
      }
    }
    return guards;
  },

  member(object, name) {
    switch (object.role) {
      case 'procedure-options':
        if (name === 'input' || name === 'rawInput') return client('trpc', 'tRPC input field');
        if (name === 'ctx') {
          if (!object.builds) return trusted(CTX_TRUSTED);
          // What the context factory returns: a member it reads from the request stays the client's.
          return { kind: 'framework', framework: 'trpc', role: 'procedure-context', label: 'ctx', context: false, ...object.builds, argument: factoryOptions };
        }
        if (name === 'next') return next;
        return NONE;
      case 'node-context-options':
      case 'fetch-context-options':
        if (name === 'req') return object.role === 'node-context-options' ? nodeRequest : fetchRequest;
        if (name === 'info') return NONE;
        return NONE;
      case 'procedure-context':
        return trusted(CTX_TRUSTED);
      case 'factory-options':
        if (name === 'req' || name === 'request') return anyRequest;
        if (name === 'headers') return client('trpc', 'header', [], 'any');
        return NONE;
      case 'any-request':
        if (name === 'headers') return client('trpc', 'header', [], 'any');
        if (name === 'url') return client('trpc', 'request URL');
        return nodeRequestMember('trpc', name);
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
    if ((object.role === 'fetch-request' || object.role === 'any-request') && method === 'json') return client('trpc', 'body field');
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
    // `teamId: ctx.teamId || -1` passes the context's own member on: where it came from is reported
    // where it is used, not at every middleware that forwards it.
    return tenantProperties(value, context, (key) => `put on the tRPC context as \`ctx.${key}\` by a middleware`).filter((sink) => !forwardsOwnMember(sink, context));
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

interface Middleware {
  fn: Located<TSESTree.FunctionLike>;
  /** The `.use(fn)` call. */
  call: TSESTree.CallExpression;
  unit: FileUnit;
}

/**
 * The `.use(middleware)` calls along a procedure's builder chain, across the files the chain is
 * built in (`companyProcedure = authedProcedure.input(...).use(checkCompany)`): they run before
 * the resolver and can reject the call. Nearest first. The calls of one chain are walked in a
 * loop; each builder a chain starts from is one hop, followed once (a cycle ends the walk), up to
 * MAX_ROOT_HOPS builders.
 */
export function middlewaresOf(node: Node, unit: FileUnit, resolver: Resolver): Middleware[] {
  const out: Middleware[] = [];
  const seen = new Set<Node>();
  let at: Located<Node> = { node, unit };
  for (;;) {
    const here = at.unit;
    const root = chainRoot(at.node, (call, callee) => {
      if (memberName(callee) !== 'use') return;
      for (const arg of call.arguments) {
        for (const fn of functionsOf(arg, here, resolver)) out.push({ fn, call, unit: here });
      }
    });
    if (root.type !== T.Identifier) return out;
    const binding = resolver.bindingOf(root, here);
    if (binding.kind !== 'value' || seen.has(binding.value.node) || seen.size >= MAX_ROOT_HOPS) return out;
    seen.add(binding.value.node);
    at = binding.value;
  }
}

const optionsCache = new WeakMap<TSESTree.CallExpression, FrameworkObject>();

/**
 * What a resolver or middleware registered at `call` (`.query(fn)`, `.use(fn)`, `t.middleware(fn)`)
 * receives: `{ ctx, input, next }`, with `ctx` tied to the context factory the builder names and
 * to the middlewares that run before it on the chain.
 */
function optionsFor(call: TSESTree.CallExpression, unit: FileUnit, resolver: Resolver): FrameworkObject {
  const cached = optionsCache.get(call);
  if (cached) return cached;
  const factories = contextFactoriesOf(call.callee, unit, resolver);
  const target = methodOf(call);
  const options: FrameworkObject = factories.length
    ? { ...procedureOptions, builds: { returnedBy: factories, replacedBy: target ? middlewaresOf(target.receiver, unit, resolver).map((m) => m.fn) : [] } }
    : procedureOptions;
  optionsCache.set(call, options);
  return options;
}

/**
 * The functions that build a builder's `ctx`, from the type `initTRPC.context<X>()` is given:
 * `typeof createContext` (also inside `Awaited<ReturnType<...>>` or a type alias of it), or a named
 * type (`TrpcContext`) that a function of the file declaring it returns
 * (`createTrpcContext(...): Promise<TrpcContext>`). None when the builder names no context.
 */
export function contextFactoriesOf(node: Node, unit: FileUnit, resolver: Resolver): Located<TSESTree.FunctionLike>[] {
  const type = contextTypeArgument(node, unit, resolver);
  return type ? factoriesOfType(type, resolver, 0) : [];
}

function contextTypeArgument(node: Node, unit: FileUnit, resolver: Resolver): Located<TSESTree.TypeNode> | undefined {
  const seen = new Set<Node>();
  let at: Located<Node> = { node, unit };
  for (;;) {
    const here = at.unit;
    let argument: TSESTree.TypeNode | undefined;
    let root = chainRoot(at.node, (call, callee) => {
      if (memberName(callee) !== 'context') return false;
      argument = call.typeArguments?.params[0];
      return true;
    });
    if (root.type === T.CallExpression && unwrap(root.callee).type === T.MemberExpression) return argument ? { node: argument, unit: here } : undefined;
    // `create()` with `const create = initTRPC.context<Ctx>().create`.
    if (root.type === T.CallExpression) root = unwrap(root.callee);
    if (root.type !== T.Identifier) return undefined;
    const binding = resolver.bindingOf(root, here);
    if (binding.kind !== 'value' || seen.has(binding.value.node) || seen.size >= MAX_ROOT_HOPS) return undefined;
    seen.add(binding.value.node);
    at = binding.value;
  }
}

function factoriesOfType(type: Located<TSESTree.TypeNode>, resolver: Resolver, depth: number): Located<TSESTree.FunctionLike>[] {
  if (depth > 4) return [];
  // `typeof createContext`, also inside `Awaited<ReturnType<typeof createContext>>`.
  const found: Located<TSESTree.FunctionLike>[] = [];
  walk(type.node, (inner) => {
    if (inner.type !== T.TSTypeQuery || inner.exprName.type !== T.Identifier) return;
    const binding = resolver.bindingOf(inner.exprName, type.unit);
    if (binding.kind === 'function') found.push(binding.fn);
  });
  if (found.length) return found;
  // A named type: an alias of one of the above, or the type a factory declares it returns.
  const node = type.node;
  if (node.type !== T.TSTypeReference || node.typeName.type !== T.Identifier) return [];
  const declared = typeDeclaration(node.typeName, type.unit, resolver);
  if (!declared) return [];
  if (declared.node.type === T.TSTypeAliasDeclaration) {
    const inner = factoriesOfType({ node: declared.node.typeAnnotation, unit: declared.unit }, resolver, depth + 1);
    if (inner.length) return inner;
  }
  return functionsReturning(declared.node.id.name, declared.unit);
}

/** Top-level functions of a file whose declared return type names `typeName` (`Promise<TrpcContext>`). */
function functionsReturning(typeName: string, unit: FileUnit): Located<TSESTree.FunctionLike>[] {
  const found: Located<TSESTree.FunctionLike>[] = [];
  const consider = (fn: TSESTree.FunctionLike) => {
    if (!fn.returnType) return;
    let names = false;
    walk(fn.returnType, (inner) => {
      if (inner.type === T.TSTypeReference && inner.typeName.type === T.Identifier && inner.typeName.name === typeName) names = true;
    });
    if (names) found.push({ node: fn, unit });
  };
  for (const statement of unit.ast.body) {
    const declaration = statement.type === T.ExportNamedDeclaration ? statement.declaration : statement;
    if (declaration?.type === T.FunctionDeclaration) consider(declaration);
    if (declaration?.type !== T.VariableDeclaration) continue;
    for (const declarator of declaration.declarations) {
      const init = declarator.init ? unwrap(declarator.init) : undefined;
      if (init?.type === T.ArrowFunctionExpression || init?.type === T.FunctionExpression) consider(init);
    }
  }
  return found;
}

function contextOptions(source: string): HttpValue | undefined {
  if (source.endsWith('/fetch') || source.endsWith('/aws-lambda')) return fetchContextOptions;
  if (source.includes('/adapters/')) return nodeContextOptions;
  return undefined;
}

function forwardsOwnMember(sink: SinkFact, context: HttpContext): boolean {
  let value = unwrap(sink.value);
  while (value.type === T.LogicalExpression) value = unwrap(value.left);
  if (value.type !== T.MemberExpression || sink.node.type !== T.Property || memberName(value) !== propertyName(sink.node)) return false;
  return context.frameworkObject(value.object)?.role === 'procedure-context';
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
