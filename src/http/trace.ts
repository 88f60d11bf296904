import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, staticName, T, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import { returnedExpressions, type Located, type Resolver } from '../core/resolve.js';
import { fromPackage, methodOf, parameterType, stringOf, thisMemberType } from '../core/syntax.js';
import type { Guard, HttpContext, HttpValue, PackageRef } from './types.js';

export { chainRoot, fromPackage, methodOf, parameterDecorators, parameterType, stringOf, thisMemberType } from '../core/syntax.js';

/**
 * Declarations `packageRoot` may have open at once (a binding's value, a function's return, each
 * one hop; a chain of calls on one builder costs none). Builders are built from builders across
 * files (`protectedProcedure = publicProcedure.use(auth)`), a handful deep in real code: a search
 * that still runs out is reported as undecided (HttpContext.undecided), never answered "no package".
 */
export const MAX_ROOT_HOPS = 32;

/** What a search found: a package, none, or no answer within MAX_ROOT_HOPS. */
type Root = PackageRef | undefined | typeof UNDECIDED;
const UNDECIDED = 'undecided';

/** Per resolver, per declaration (a binding's value, a function): the package it is built from, or null for none. */
const roots = new WeakMap<Resolver, WeakMap<Node, PackageRef | null>>();
/** Declarations being followed now, by any search on the stack (a parameter's callers start a search of their own). */
const openRoots = new Set<Node>();
/** Searches cut short (a cycle, the budget): a declaration whose search saw one is not memoised. */
let cutRoots = 0;

/**
 * The package import `node` is bound to: `express` → `{ source: 'express', imported: 'default' }`,
 * `express.Router` → `{ source: 'express', imported: 'Router' }`, `Koa.Context` →
 * `{ source: 'koa', imported: 'Context' }`. Local re-exports are followed by the Resolver.
 */
export function packageOf(node: Node, unit: FileUnit, resolver: Resolver): PackageRef | undefined {
  const value = unwrap(node);
  if (value.type === T.Identifier) {
    const binding = resolver.bindingOf(value, unit);
    return binding.kind === 'package' ? { source: binding.source, imported: binding.imported } : undefined;
  }
  const qualified = value.type === T.MemberExpression ? { object: value.object, name: memberName(value) } : value.type === T.TSQualifiedName ? { object: value.left, name: value.right.name } : undefined;
  if (!qualified?.name) return undefined;
  const base = packageOf(qualified.object, unit, resolver);
  if (!base) return undefined;
  return { source: base.source, imported: base.imported === 'default' || base.imported === '*' ? qualified.name : `${base.imported}.${qualified.name}` };
}

/** The package a type annotation names: `req: Request` (express), `c: Context` (hono), `Koa.Context`. */
export function packageOfType(annotation: TSESTree.TypeNode | undefined, unit: FileUnit, resolver: Resolver): PackageRef | undefined {
  if (!annotation) return undefined;
  if (annotation.type === T.TSTypeReference) return packageOf(annotation.typeName, unit, resolver);
  return undefined;
}

/**
 * The import a receiver is constructed from: `express()`, `express.Router()`, `new Hono()`,
 * `app.route('/x')` (the app's), `t.procedure.input(z)` (`initTRPC` from @trpc/server), a typed
 * parameter (`app: FastifyInstance`), or what a recognizer says of a parameter (a Fastify plugin's
 * `instance`). Found by following imports and constructions, never by variable name. Each
 * declaration is followed once per resolver (memoised), a cycle ends its branch, and a search that
 * needs more than MAX_ROOT_HOPS declarations at once is handed to `context.undecided`.
 */
export function packageRoot(node: Node, unit: FileUnit, context: HttpContext, parameterRoot: (fn: TSESTree.FunctionLike, index: number, unit: FileUnit) => PackageRef | undefined): PackageRef | undefined {
  const found = rootOf(node, unit, context, parameterRoot);
  if (found !== UNDECIDED) return found;
  context.undecided?.(node, `its receiver is built through more than ${MAX_ROOT_HOPS} declarations, further than the analysis follows`);
  return undefined;
}

function rootOf(node: Node, unit: FileUnit, context: HttpContext, parameterRoot: (fn: TSESTree.FunctionLike, index: number, unit: FileUnit) => PackageRef | undefined): Root {
  const { resolver } = context;
  // The calls and members of one chain (`t.procedure.use(a).use(b).input(z)`) are walked here, free.
  let value = unwrap(node);
  for (;;) {
    switch (value.type) {
      case T.Identifier: {
        const binding = resolver.bindingOf(value, unit);
        if (binding.kind === 'package') return { source: binding.source, imported: binding.imported };
        if (binding.kind === 'value') {
          const declared = binding.value;
          return hop(declared.node, resolver, () => rootOf(declared.node, declared.unit, context, parameterRoot));
        }
        if (binding.kind === 'parameter' && binding.fn) {
          const fn = binding.fn;
          const index = fn.params.findIndex((p) => p === binding.param.node || (p.type === T.TSParameterProperty && p.parameter === binding.param.node));
          const typed = packageOfType(parameterType(fn.params[index]), binding.param.unit, resolver);
          if (typed || index < 0) return typed;
          return hop(binding.param.node, resolver, () => parameterRoot(fn, index, binding.param.unit));
        }
        return undefined;
      }
      case T.CallExpression: {
        const callee = unwrap(value.callee);
        const direct = packageOf(callee, unit, resolver);
        if (direct) return direct;
        if (callee.type === T.MemberExpression) {
          value = unwrap(callee.object);
          continue;
        }
        if (callee.type !== T.Identifier) return undefined;
        // `export function createApp() { const app = express(); ...; return app; }`
        const binding = resolver.bindingOf(callee, unit);
        if (binding.kind !== 'function') return undefined;
        const fn = binding.fn;
        return hop(fn.node, resolver, () => {
          let undecided = false;
          for (const returned of returnedExpressions(fn.node)) {
            const found = rootOf(returned, fn.unit, context, parameterRoot);
            if (found === UNDECIDED) undecided = true;
            else if (found) return found;
          }
          return undecided ? UNDECIDED : undefined;
        });
      }
      case T.NewExpression: {
        const direct = packageOf(value.callee, unit, resolver);
        if (direct) return direct;
        // `class Api extends Hono {}` ... `new Api()`
        const callee = unwrap(value.callee);
        if (callee.type !== T.Identifier) return undefined;
        const binding = resolver.bindingOf(callee, unit);
        if (binding.kind === 'class' && binding.cls.node.superClass) return packageOf(binding.cls.node.superClass, binding.cls.unit, resolver);
        return undefined;
      }
      case T.MemberExpression: {
        const direct = packageOf(value, unit, resolver);
        if (direct) return direct;
        // `this.cls` injected through the constructor (`constructor(private readonly cls: ClsService)`).
        if (unwrap(value.object).type === T.ThisExpression) return packageOfType(thisMemberType(value), unit, resolver);
        value = unwrap(value.object);
        continue;
      }
      default:
        return undefined;
    }
  }
}

/** One declaration followed: memoised per resolver, a cycle ends the branch, past MAX_ROOT_HOPS undecided. */
function hop(declaration: Node, resolver: Resolver, follow: () => Root): Root {
  let memo = roots.get(resolver);
  if (!memo) roots.set(resolver, (memo = new WeakMap()));
  const known = memo.get(declaration);
  if (known !== undefined) return known ?? undefined;
  if (openRoots.has(declaration)) {
    cutRoots += 1;
    return undefined;
  }
  if (openRoots.size >= MAX_ROOT_HOPS) {
    cutRoots += 1;
    return UNDECIDED;
  }
  const cut = cutRoots;
  openRoots.add(declaration);
  try {
    const found = follow();
    // A search cut short below may answer otherwise when asked from here directly.
    if (found !== UNDECIDED && cutRoots === cut) memo.set(declaration, found ?? null);
    return found;
  } finally {
    openRoots.delete(declaration);
  }
}

/** Per function node: every recognizer asks, and the answer depends on the tree alone. */
const registrations = new WeakMap<TSESTree.FunctionLike, Registration[]>();

/** How a function is handed to a framework: the call it is an argument of, or an option of. */
export interface Registration {
  call: TSESTree.CallExpression;
  /** Position among the call's arguments (for an option, the position of the options object). */
  index: number;
  /** The option key when the function is a property of an options object (`{ handler }`). */
  option?: string;
}

/**
 * The calls that register `fn`: `app.get('/', fn)`, `fastify.route({ handler: fn })`, or, for a
 * named function or a const, each call in the same file that passes it by name.
 */
export function registrationsOf(fn: TSESTree.FunctionLike, unit: FileUnit): Registration[] {
  const cached = registrations.get(fn);
  if (cached) return cached;
  const found: Registration[] = [];
  registrations.set(fn, found);
  const direct = registrationAt(fn);
  if (direct) found.push(direct);
  let name: TSESTree.Identifier | undefined;
  if (fn.type === T.FunctionDeclaration && fn.id) name = fn.id;
  else if (fn.parent?.type === T.VariableDeclarator && fn.parent.id.type === T.Identifier) name = fn.parent.id;
  if (!name) return found;
  const variable = variableOf(unit.scopeManager, name);
  for (const reference of variable?.references ?? []) {
    const at = registrationAt(reference.identifier);
    if (at) found.push(at);
  }
  return found;
}

function registrationAt(node: Node): Registration | undefined {
  const parent = node.parent;
  if (parent?.type === T.CallExpression) {
    const index = parent.arguments.findIndex((arg) => arg === node);
    if (index >= 0) return { call: parent, index };
  }
  // `app.get('/', [auth, handler])`: Express and Fastify accept arrays of handlers.
  if (parent?.type === T.ArrayExpression && parent.parent?.type === T.CallExpression) {
    const index = parent.parent.arguments.findIndex((arg) => arg === parent);
    if (index >= 0) return { call: parent.parent, index };
  }
  if (parent?.type === T.Property && parent.value === node && parent.parent.type === T.ObjectExpression && parent.parent.parent?.type === T.CallExpression) {
    const call = parent.parent.parent;
    const index = call.arguments.findIndex((arg) => arg === parent.parent);
    const option = staticName(parent.key, parent.computed);
    if (index >= 0 && option) return { call, index, option };
  }
  return undefined;
}

/**
 * How a file that imports `packages` mentions them: `'express'`, `"express"` and, with
 * `subpaths`, `'hono/factory'`. Quoted, so that a comment about an "expression" is no marker.
 */
export function importMarkers(packages: string[], subpaths = false): string[] {
  return packages.flatMap((p) => [`'${p}'`, `"${p}"`, ...(subpaths ? [`'${p}/`, `"${p}/`] : [])]);
}

export const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'options', 'head', 'use', 'on']);

/**
 * Middleware that runs before `fn` on the same route: earlier arguments of the call that
 * registers it (`router.get('/:orgId', requireMember, handler)`), and functions registered with
 * `use` on the same receiver earlier in the file (`router.use(requireMember)`). A middleware
 * factory (`requireRole('admin')`) stands for the functions it returns.
 */
export function precedingHandlers(
  fn: TSESTree.FunctionLike,
  context: HttpContext,
  packages: string[],
  params: (handler: TSESTree.FunctionLike, routeParameter?: string) => (HttpValue | undefined)[],
): Guard[] {
  const { unit, resolver } = context;
  const guards: Guard[] = [];
  const add = (argument: Node, at: FileUnit, routeParameter?: string) => {
    for (const handler of functionsOf(argument, at, resolver)) {
      if (handler.node !== fn && !guards.some((g) => g.fn.node === handler.node)) guards.push({ fn: handler, params: params(handler.node, routeParameter), decides: false });
    }
  };
  for (const registration of registrationsOf(fn, unit)) {
    if (registration.option !== undefined) continue;
    const target = methodOf(registration.call);
    // Only routes of this framework: a Koa router's `param()` callback is not an Express one.
    if (!target || !fromPackage(context.packageRoot(target.receiver), ...packages)) continue;
    for (const argument of registration.call.arguments.slice(0, registration.index)) add(argument, unit);
    const receiver = unwrap(target.receiver);
    if (receiver.type !== T.Identifier) continue;
    const variable = variableOf(unit.scopeManager, receiver);
    for (const reference of variable?.references ?? []) {
      const member = reference.identifier.parent;
      const call = member?.parent;
      if (member?.type !== T.MemberExpression || !USE_METHODS.has(memberName(member) ?? '') || call?.type !== T.CallExpression || call.callee !== member) continue;
      if (call.range[1] > registration.call.range[0]) continue;
      // `app.param('orgId', (req, res, next, orgId) => ...)` runs before every route with `:orgId`.
      if (memberName(member) === 'param') {
        const name = stringOf(call.arguments[0]);
        if (name && call.arguments[1]) add(call.arguments[1], unit, name);
        continue;
      }
      if (memberName(member) === 'addHook') {
        // `app.addHook('preHandler', fn)`: only hooks that run before the handler can reject it.
        if (HOOK_OPTIONS.has(stringOf(call.arguments[0]) ?? '') && call.arguments[1]) add(call.arguments[1], unit);
        continue;
      }
      for (const argument of call.arguments) add(argument, unit);
    }
  }
  return guards;
}

/**
 * The functions an argument stands for: an inline function, a named one, or what a factory returns.
 * Each declaration (a const's value, a factory) is followed once per question, so a cycle ends and
 * re-exports through several files cost one hop each, up to MAX_ROOT_HOPS.
 */
export function functionsOf(argument: Node, unit: FileUnit, resolver: Resolver, seen: Set<Node> = new Set()): Located<TSESTree.FunctionLike>[] {
  const node = unwrap(argument);
  const follow = (declaration: Node, inner: () => Located<TSESTree.FunctionLike>[]) => {
    if (seen.has(declaration) || seen.size >= MAX_ROOT_HOPS) return [];
    seen.add(declaration);
    return inner();
  };
  if (node.type === T.FunctionExpression || node.type === T.ArrowFunctionExpression) return [{ node, unit }];
  if (node.type === T.ArrayExpression) return node.elements.flatMap((element) => (element && element.type !== T.SpreadElement ? functionsOf(element, unit, resolver, seen) : []));
  if (node.type === T.Identifier) {
    const binding = resolver.bindingOf(node, unit);
    if (binding.kind === 'function') return [binding.fn];
    if (binding.kind === 'value') return follow(binding.value.node, () => functionsOf(binding.value.node, binding.value.unit, resolver, seen));
    return [];
  }
  if (node.type === T.CallExpression) {
    const callee = unwrap(node.callee);
    // `t.middleware(async ({ ctx, next }) => ...)`: a builder method that wraps the function.
    if (callee.type === T.MemberExpression) return node.arguments.flatMap((arg) => functionsOf(arg, unit, resolver, seen));
    if (callee.type !== T.Identifier) return [];
    const binding = resolver.bindingOf(callee, unit);
    // `createMiddleware(async (c, next) => ...)`: a package helper that wraps the function.
    if (binding.kind === 'package') return node.arguments.flatMap((arg) => functionsOf(arg, unit, resolver, seen));
    if (binding.kind !== 'function') return [];
    const factory = binding.fn;
    return follow(factory.node, () => returnedExpressions(factory.node).flatMap((returned) => functionsOf(returned, factory.unit, resolver, seen)));
  }
  if (node.type === T.ObjectExpression) {
    // Fastify route options: `{ preHandler: [requireMember] }`.
    return node.properties.flatMap((p) => (p.type === T.Property && HOOK_OPTIONS.has(propertyName(p) ?? '') ? functionsOf(p.value, unit, resolver, seen) : []));
  }
  return [];
}

const USE_METHODS = new Set(['use', 'addHook', 'param']);
const HOOK_OPTIONS = new Set(['preHandler', 'onRequest', 'preValidation']);

/**
 * The declared type of property `name` of a parameter's type: `{ c }: { c: Context }`, or a type
 * alias or interface of the same file or imported from a project file
 * (`{ c }: CreateContextOptions` with `type CreateContextOptions = { c: Context<Env> }`).
 */
export function declaredPropertyType(param: TSESTree.Parameter | undefined, name: string, unit: FileUnit, resolver: Resolver): Located<TSESTree.TypeNode> | undefined {
  const annotation = parameterType(param);
  return annotation ? propertyTypeIn({ node: annotation, unit }, name, resolver, 0) : undefined;
}

function propertyTypeIn(type: Located<TSESTree.TypeNode>, name: string, resolver: Resolver, depth: number): Located<TSESTree.TypeNode> | undefined {
  if (depth > 4) return undefined;
  const { node, unit } = type;
  if (node.type === T.TSTypeLiteral) return memberType(node.members, name, unit);
  if (node.type === T.TSIntersectionType) {
    for (const part of node.types) {
      const found = propertyTypeIn({ node: part, unit }, name, resolver, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (node.type !== T.TSTypeReference || node.typeName.type !== T.Identifier) return undefined;
  const declared = typeDeclaration(node.typeName, unit, resolver);
  if (!declared) return undefined;
  if (declared.node.type === T.TSInterfaceDeclaration) return memberType(declared.node.body.body, name, declared.unit);
  return propertyTypeIn({ node: declared.node.typeAnnotation, unit: declared.unit }, name, resolver, depth + 1);
}

function memberType(members: TSESTree.TypeElement[], name: string, unit: FileUnit): Located<TSESTree.TypeNode> | undefined {
  for (const member of members) {
    if (member.type === T.TSPropertySignature && staticName(member.key, member.computed) === name && member.typeAnnotation) return { node: member.typeAnnotation.typeAnnotation, unit };
  }
  return undefined;
}

/** The type alias or interface a type name refers to: declared in the file, or imported from a project file. */
export function typeDeclaration(name: TSESTree.Identifier, unit: FileUnit, resolver: Resolver): Located<TSESTree.TSTypeAliasDeclaration | TSESTree.TSInterfaceDeclaration> | undefined {
  const variable = variableOf(unit.scopeManager, name);
  const def = variable?.defs[0];
  if (def?.type === 'Type' && (def.node.type === T.TSTypeAliasDeclaration || def.node.type === T.TSInterfaceDeclaration)) return { node: def.node, unit };
  if (def?.type !== 'ImportBinding' || def.node.type !== T.ImportSpecifier || def.parent.type !== T.ImportDeclaration) return undefined;
  const imported = def.node.imported.type === T.Identifier ? def.node.imported.name : def.node.imported.value;
  const file = resolver.modules.resolve(unit.file, def.parent.source.value);
  const target = file ? resolver.modules.unit(file) : undefined;
  if (!target) return undefined;
  for (const statement of target.ast.body) {
    const declaration = statement.type === T.ExportNamedDeclaration ? statement.declaration : statement;
    if ((declaration?.type === T.TSTypeAliasDeclaration || declaration?.type === T.TSInterfaceDeclaration) && declaration.id.name === imported) return { node: declaration, unit: target };
  }
  return undefined;
}
