/**
 * supabase-js clients: the result of `createClient` (`@supabase/supabase-js`), `createServerClient` /
 * `createBrowserClient` (`@supabase/ssr`) and the auth-helpers factories, followed through consts,
 * module exports, project functions that return one (`getSupabaseServerClient()`, `await
 * createClient()` from `@/utils/supabase/server`), React's `useMemo(() => ...)`, parameters and
 * class fields typed `SupabaseClient` (or `ReturnType<typeof factory>`). Never by variable name.
 *
 * Which key a client carries decides what row-level security does for it: the service-role key
 * bypasses RLS, the anon key (with or without the user's JWT) is subject to it. The key is the
 * second argument of the factory; it is the service role when what it is built from names it
 * (`process.env.SUPABASE_SERVICE_ROLE_KEY`, `getEnv(c, 'SUPABASE_SERVICE_ROLE_KEY')`, a const or a
 * function named `serviceRoleKey`), unknown when it comes from a parameter, the user's otherwise.
 *
 * The one entry point is `supabaseClientOf`: the value-flow engine can replace it wholesale.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { enclosingClass, memberName, propertyName, proxyTarget, T, thisAssigned, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext, ClientInfo } from '../core/query-site.js';
import { returnedExpressions } from '../core/resolve.js';

/** Steps of one reading: a client factory of a workspace package is several helpers deep (createClient -> createGenericClient -> checkEnv). */
const MAX_DEPTH = 24;

/** Factories by package; each returns a client whose key is its second argument. */
const FACTORIES: Record<string, ReadonlySet<string>> = {
  '@supabase/supabase-js': new Set(['createClient']),
  '@supabase/ssr': new Set(['createServerClient', 'createBrowserClient']),
};
/** The auth-helpers factories take the request's cookies and always carry the user's session. */
const USER_FACTORIES: Record<string, ReadonlySet<string>> = {
  '@supabase/auth-helpers-nextjs': new Set([
    'createRouteHandlerClient', 'createServerComponentClient', 'createServerActionClient', 'createClientComponentClient',
    'createMiddlewareClient', 'createPagesServerClient', 'createPagesBrowserClient',
  ]),
};
/** Types that name a client: `SupabaseClient<Database>`. */
const CLIENT_TYPES = new Set(['SupabaseClient']);
const SERVICE_ROLE = /service[_-]?role|supabase[_-]?secret|sb_secret_/i;

export type SupabaseKey = 'service-role' | 'user' | 'unknown';

export interface SupabaseClient {
  key: SupabaseKey;
  /** How the client was found, for the evidence. */
  how: string;
  /** The Postgres schema it was switched to with `.schema('name')`, when it was. */
  schema?: string;
}

/** What the policy gets: a client RLS applies to unless it carries the service-role key. */
export function supabaseClientInfo(client: SupabaseClient): ClientInfo {
  return { kind: 'rls-client', key: client.key, how: client.how };
}

/** The supabase-js client an expression evaluates to, with the key it carries; `undefined` when it is not one. */
export function supabaseClientOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0, env?: Env): SupabaseClient | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unwrap(expression);
  switch (node.type) {
    case T.CallExpression:
      return clientOfCall(node, unit, context, depth, env);
    case T.Identifier:
      return clientOfIdentifier(node, unit, context, depth, env);
    case T.MemberExpression:
      return unwrap(node.object).type === T.ThisExpression ? thisProperty(node, unit, context, depth) : undefined;
    case T.NewExpression: {
      const target = proxyTarget(node, unit);
      return target ? supabaseClientOf(target, unit, context, depth + 1, env) : undefined;
    }
    case T.LogicalExpression:
    case T.ConditionalExpression: {
      const [a, b] = node.type === T.LogicalExpression ? [node.left, node.right] : [node.consequent, node.alternate];
      const left = supabaseClientOf(a, unit, context, depth + 1, env);
      const right = supabaseClientOf(b, unit, context, depth + 1, env);
      if (left && right) return merge([left, right]);
      return node.type === T.LogicalExpression ? (left ?? right) : undefined;
    }
    default:
      return undefined;
  }
}

/** Several possible clients: the service role wins (it is the one that leaks), then an unknown key. */
function merge(clients: SupabaseClient[]): SupabaseClient | undefined {
  return clients.find((c) => c.key === 'service-role') ?? clients.find((c) => c.key === 'unknown') ?? clients[0];
}

/**
 * The calls that led into the function being read, innermost first: its parameters are their
 * arguments (`createGenericClient(true)` reads `isAdmin` as `true`), so that one helper that picks
 * the key by a flag gives the service role to one caller and the anon key to another.
 */
export interface Env {
  fn: TSESTree.FunctionLike;
  args: readonly TSESTree.CallExpressionArgument[];
  /** The file of the call, where the arguments are read. */
  unit: FileUnit;
  outer?: Env;
}

/** The argument a call in `env` gives parameter `name` (a property of an object argument for a destructured one), or its default. */
function argumentOf(name: TSESTree.Identifier, fn: TSESTree.FunctionLike | undefined, env: Env | undefined): { value: Node; unit: FileUnit | undefined; env: Env | undefined } | undefined {
  if (!env || !fn || env.fn !== fn) return undefined;
  const index = fn.params.findIndex((p) => p.range[0] <= name.range[0] && name.range[1] <= p.range[1]);
  const param = fn.params[index];
  if (!param) return undefined;
  const arg = env.args[index];
  const given = arg && arg.type !== T.SpreadElement ? unwrap(arg) : undefined;
  let pattern: Node = param.type === T.AssignmentPattern ? param.left : param;
  if (pattern === name) {
    if (given) return { value: given, unit: env.unit, env: env.outer };
    return param.type === T.AssignmentPattern ? { value: param.right, unit: undefined, env } : undefined;
  }
  // `{ useSecretKey = false }: Options` given `{ useSecretKey: true }`, or nothing.
  let object: Node | undefined = given;
  while (pattern.type === T.ObjectPattern) {
    const property: TSESTree.Property | undefined = pattern.properties.find((p): p is TSESTree.Property => p.type === T.Property && p.value.range[0] <= name.range[0] && name.range[1] <= p.value.range[1]);
    const key = property ? propertyName(property) : undefined;
    if (!property || !key) return undefined;
    const found = object?.type === T.ObjectExpression ? object.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === key) : undefined;
    if (object && object.type !== T.ObjectExpression) return undefined;
    const inner: Node = property.value;
    const target: Node = inner.type === T.AssignmentPattern ? inner.left : inner;
    if (found) {
      if (target === name) return { value: unwrap(found.value), unit: env.unit, env: env.outer };
      object = unwrap(found.value);
    } else {
      if (target === name) return inner.type === T.AssignmentPattern ? { value: inner.right, unit: undefined, env } : undefined;
      object = undefined;
    }
    pattern = target;
  }
  return undefined;
}

/** The parameter a condition tests (`useSecretKey`, `!isAdmin`), when it is one. */
function flagParameter(expression: Node, unit: FileUnit, context: AnalysisContext, depth: number): string | undefined {
  let node = unwrap(expression);
  while (node.type === T.UnaryExpression && node.operator === '!') node = unwrap(node.argument);
  if (node.type !== T.Identifier) return undefined;
  return context.resolver.bindingOf(node, unit, depth + 1).kind === 'parameter' ? node.name : undefined;
}

/** A condition known from literals and the arguments of the calls that led here: `useSecretKey` given `true`. */
function truthOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth: number, env: Env | undefined): boolean | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unwrap(expression);
  if (node.type === T.Literal) return typeof node.value === 'boolean' ? node.value : undefined;
  if (node.type === T.UnaryExpression && node.operator === '!') {
    const inner = truthOf(node.argument, unit, context, depth + 1, env);
    return inner === undefined ? undefined : !inner;
  }
  if (node.type !== T.Identifier) return undefined;
  // The resolver's depth bounds its own chains (re-exports), not this reading's: a flag read at the
  // end of a long factory chain (createClient -> wrapper -> builder -> env reader) is one local lookup.
  const binding = context.resolver.bindingOf(node, unit);
  if (binding.kind === 'value') return truthOf(binding.value.node, binding.value.unit, context, depth + 1, undefined);
  if (binding.kind !== 'parameter') return undefined;
  const arg = argumentOf(binding.param.node, binding.fn, env);
  return arg ? truthOf(arg.value, arg.unit ?? unit, context, depth + 1, arg.env) : undefined;
}

function clientOfCall(node: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext, depth: number, env?: Env): SupabaseClient | undefined {
  const callee = unwrap(node.callee);
  // `supabase.schema('private')`: the same client, with the same key, on another Postgres schema.
  const switched = schemaSwitch(node);
  if (switched) {
    const client = supabaseClientOf(switched.receiver, unit, context, depth + 1, env);
    return client && { ...client, schema: switched.schema ?? client.schema };
  }
  const factory = factoryOf(callee, unit, context, depth + 1);
  if (factory) return constructed(node, factory, unit, context, depth, env);
  if (callee.type !== T.Identifier) return undefined;
  // `useMemo(() => getSupabaseBrowserClient(), [])`
  if (callee.name === 'useMemo' && node.arguments[0]) {
    const fn = unwrap(node.arguments[0]);
    if (fn.type === T.ArrowFunctionExpression || fn.type === T.FunctionExpression) return returnedClient(fn, unit, context, depth, env);
    return undefined;
  }
  const binding = context.resolver.bindingOf(callee, unit, depth + 1);
  if (binding.kind !== 'function') return undefined;
  return returnedClient(binding.fn.node, binding.fn.unit, context, depth, { fn: binding.fn.node, args: node.arguments, unit, ...(env ? { outer: env } : {}) });
}

/**
 * `client.schema('name')`: its receiver and the schema named (`undefined` when the argument is not a
 * string literal). Exported for the chain reader.
 */
export function schemaSwitch(node: TSESTree.CallExpression): { receiver: Node; schema: string | undefined } | undefined {
  const callee = unwrap(node.callee);
  if (callee.type !== T.MemberExpression || callee.computed || memberName(callee) !== 'schema' || node.arguments.length !== 1) return undefined;
  const argument = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
  const schema = argument?.type === T.Literal && typeof argument.value === 'string' ? argument.value : argument?.type === T.TemplateLiteral && argument.expressions.length === 0 ? argument.quasis[0]?.value.cooked ?? undefined : undefined;
  return { receiver: callee.object, schema };
}

/** `getDb()`: every value the function returns must be a client. */
function returnedClient(fn: TSESTree.FunctionLike, unit: FileUnit, context: AnalysisContext, depth: number, env?: Env): SupabaseClient | undefined {
  const results = returnedExpressions(fn).map((e) => supabaseClientOf(e, unit, context, depth + 1, env));
  if (results.length === 0 || results.some((r) => !r)) return undefined;
  return merge(results as SupabaseClient[]);
}

interface Factory {
  name: string;
  source: string;
  user: boolean;
}

/** The factory a callee is: an import of one, or a const that holds one. */
function factoryOf(callee: Node, unit: FileUnit, context: AnalysisContext, depth: number): Factory | undefined {
  if (depth > MAX_DEPTH || callee.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(callee, unit, depth + 1);
  if (binding.kind === 'value') return factoryOf(unwrap(binding.value.node), binding.value.unit, context, depth + 1);
  if (binding.kind !== 'package') return undefined;
  const source = packageName(binding.source);
  if (FACTORIES[source]?.has(binding.imported)) return { name: binding.imported, source, user: false };
  if (USER_FACTORIES[source]?.has(binding.imported)) return { name: binding.imported, source, user: true };
  return undefined;
}

/** Deno and edge-function specifiers name the same package: `npm:@supabase/supabase-js@2`, `https://esm.sh/@supabase/supabase-js@2.39.0`, `jsr:...`. */
function packageName(source: string): string {
  const match = /^(?:npm:|jsr:|https?:\/\/(?:esm\.sh|cdn\.skypack\.dev|cdn\.jsdelivr\.net\/npm)\/)(@supabase\/[\w.-]+?)(?:@[^/]*)?(?:\/.*)?$/.exec(source);
  return match?.[1] ?? source;
}

function constructed(node: TSESTree.CallExpression, factory: Factory, unit: FileUnit, context: AnalysisContext, depth: number, env?: Env): SupabaseClient {
  const how = `\`${factory.name}()\` from \`${factory.source}\``;
  if (factory.user) return { key: 'user', how: `${how}, with the user's session` };
  const keyArg = node.arguments[1];
  if (!keyArg) return { key: 'unknown', how: `${how} without a key argument` };
  const key = keyOf(keyArg, unit, context, depth + 1, false, env);
  if (key.kind === 'service-role') return { key: 'service-role', how: `${how} with the service-role key (${key.evidence})` };
  if (key.kind === 'unknown') return { key: 'unknown', how: `${how} with a key the analysis cannot follow (${key.evidence})` };
  return { key: 'user', how: `${how} with the anon key` };
}

type KeyFact = { kind: 'service-role' | 'unknown'; evidence: string } | { kind: 'user' };

/** What the key argument is built from: names and strings that say service role, or a parameter. */
function keyOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth: number, inGetter = false, env?: Env): KeyFact {
  if (depth > MAX_DEPTH) return { kind: 'unknown', evidence: 'resolution too deep' };
  const node = unwrap(expression);
  switch (node.type) {
    case T.Literal:
      return typeof node.value === 'string' && SERVICE_ROLE.test(node.value) ? { kind: 'service-role', evidence: `\`'${node.value}'\`` } : { kind: 'user' };
    case T.TemplateLiteral:
      return node.quasis.some((q) => SERVICE_ROLE.test(q.value.raw)) ? { kind: 'service-role', evidence: 'a template naming the service role' } : combine(node.expressions.map((e) => keyOf(e, unit, context, depth + 1, inGetter, env)));
    case T.MemberExpression: {
      const name = memberName(node) ?? '';
      if (SERVICE_ROLE.test(name)) return { kind: 'service-role', evidence: `\`${name}\`` };
      // `process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY`, `env.SUPABASE_ANON_KEY`, `config.supaKey`
      return node.computed ? keyOf(node.property, unit, context, depth + 1, inGetter, env) : { kind: 'user' };
    }
    case T.Identifier: {
      if (SERVICE_ROLE.test(node.name)) return { kind: 'service-role', evidence: `\`${node.name}\`` };
      const binding = context.resolver.bindingOf(node, unit, depth + 1);
      if (binding.kind === 'value') return keyOf(binding.value.node, binding.value.unit, context, depth + 1, inGetter, env);
      if (binding.kind === 'parameter') {
        // A parameter of a function reached through a call: that call's argument.
        const arg = argumentOf(binding.param.node, binding.fn, env);
        if (arg) return keyOf(arg.value, arg.unit ?? binding.param.unit, context, depth + 1, inGetter, arg.env);
        // Inside a getter (`getEnv(c, name)`), its parameters are the lookup, already read at the call.
        return inGetter ? { kind: 'user' } : { kind: 'unknown', evidence: `the parameter \`${node.name}\`` };
      }
      // `const { url, key } = checkEnv({ useSecretKey: true })`: the member of what the helper returns.
      if (binding.kind === 'unknown') return destructuredKey(node, unit, context, depth, env) ?? { kind: 'user' };
      return { kind: 'user' };
    }
    case T.CallExpression: {
      const callee = unwrap(node.callee);
      const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? (memberName(callee) ?? '') : '';
      if (SERVICE_ROLE.test(name)) return { kind: 'service-role', evidence: `\`${name}()\`` };
      // `getEnv(c, 'SUPABASE_SERVICE_ROLE_KEY')`, `z.string().parse(process.env.SUPABASE_SERVICE_ROLE_KEY)`
      const args = combine(node.arguments.map((a) => (a.type === T.SpreadElement ? { kind: 'user' as const } : keyOf(a, unit, context, depth + 1, inGetter, env))));
      if (args.kind === 'service-role') return args;
      if (callee.type === T.Identifier) {
        const binding = context.resolver.bindingOf(callee, unit, depth + 1);
        if (binding.kind === 'function') return combine(returnedExpressions(binding.fn.node).map((e) => keyOf(e, binding.fn.unit, context, depth + 1, true)));
      }
      if (callee.type === T.MemberExpression) {
        const inner = keyOf(callee.object, unit, context, depth + 1, inGetter, env);
        if (inner.kind === 'service-role') return inner;
      }
      // A getter's parameters (`getEnv(c, name)`) are the lookup, not the key: only names count.
      return { kind: 'user' };
    }
    case T.LogicalExpression:
      return combine([keyOf(node.left, unit, context, depth + 1, inGetter, env), keyOf(node.right, unit, context, depth + 1, inGetter, env)]);
    case T.ConditionalExpression: {
      // `useSecretKey ? SECRET : PUBLISHABLE` with the flag known from the caller: that branch.
      const test = truthOf(node.test, unit, context, depth + 1, env);
      if (test !== undefined) return keyOf(test ? node.consequent : node.alternate, unit, context, depth + 1, inGetter, env);
      const branches = [keyOf(node.consequent, unit, context, depth + 1, inGetter, env), keyOf(node.alternate, unit, context, depth + 1, inGetter, env)];
      // A flag the caller passes and this reading does not know (`useSecretKey` of a helper read on its own): either key.
      const flag = flagParameter(node.test, unit, context, depth + 1);
      if (flag && branches.some((b) => b.kind !== 'service-role')) return { kind: 'unknown', evidence: `picked by the parameter \`${flag}\`` };
      return combine(branches);
    }
    default:
      return { kind: 'user' };
  }
}

/**
 * A key destructured from what a project function returns (`const { url, key } = checkEnv({ useSecretKey: true })`):
 * the member of every object it returns, read with the call's arguments.
 */
function destructuredKey(node: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number, env: Env | undefined): KeyFact | undefined {
  const def = variableOf(unit.scopeManager, node)?.defs[0];
  if (def?.type !== 'Variable' || def.node.id.type !== T.ObjectPattern || !def.node.init) return undefined;
  const property = def.node.id.properties.find((p): p is TSESTree.Property => p.type === T.Property && p.value.type === T.Identifier && p.value.name === node.name);
  const key = property ? propertyName(property) : undefined;
  const call = unwrap(def.node.init);
  if (!key || call.type !== T.CallExpression || call.callee.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(call.callee, unit, depth + 1);
  if (binding.kind !== 'function') return undefined;
  const inner: Env = { fn: binding.fn.node, args: call.arguments, unit, ...(env ? { outer: env } : {}) };
  const facts = returnedExpressions(binding.fn.node).map((returned) => {
    const object = unwrap(returned);
    if (object.type !== T.ObjectExpression) return undefined;
    const value = object.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === key)?.value;
    return value ? keyOf(value, binding.fn.unit, context, depth + 1, false, inner) : undefined;
  });
  if (facts.length === 0 || facts.some((f) => !f)) return undefined;
  return combine(facts as KeyFact[]);
}

function combine(facts: KeyFact[]): KeyFact {
  return facts.find((f) => f.kind === 'service-role') ?? facts.find((f) => f.kind === 'unknown') ?? { kind: 'user' };
}

function clientOfIdentifier(node: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number, env?: Env): SupabaseClient | undefined {
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  if (binding.kind === 'value') return supabaseClientOf(binding.value.node, binding.value.unit, context, depth + 1, env);
  if (binding.kind === 'unknown') return destructuredClient(node, unit, context, depth);
  if (binding.kind !== 'parameter') return undefined;
  // A parameter of a function reached through a call (`wrap(userClient)`): that call's argument.
  const arg = argumentOf(binding.param.node, binding.fn, env);
  const passed = arg && arg.unit ? supabaseClientOf(arg.value, arg.unit, context, depth + 1, arg.env) : undefined;
  if (passed) return passed;
  const annotation = binding.param.node.typeAnnotation?.typeAnnotation;
  if (!annotation || !isClientType(annotation, binding.param.unit, context, depth + 1)) return undefined;
  return { key: 'unknown', how: `\`${node.name}\` is typed as a Supabase client, whose key is chosen by the caller` };
}

/**
 * `const { supabase, response } = createClient(request)`: a project function that returns the
 * client in an object (Next.js middleware helpers do); the property of every returned object.
 */
function destructuredClient(node: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number): SupabaseClient | undefined {
  const def = variableOf(unit.scopeManager, node)?.defs[0];
  if (def?.type !== 'Variable' || def.node.id.type !== T.ObjectPattern || !def.node.init) return undefined;
  const property = def.node.id.properties.find((p): p is TSESTree.Property => p.type === T.Property && p.value.type === T.Identifier && p.value.name === node.name);
  const key = property ? propertyName(property) : undefined;
  const call = unwrap(def.node.init);
  if (!key || call.type !== T.CallExpression || call.callee.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(call.callee, unit, depth + 1);
  if (binding.kind !== 'function') return undefined;
  const results = returnedExpressions(binding.fn.node).map((returned) => {
    const object = unwrap(returned);
    if (object.type !== T.ObjectExpression) return undefined;
    const value = object.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === key)?.value;
    return value ? supabaseClientOf(value, binding.fn.unit, context, depth + 1) : undefined;
  });
  if (results.length === 0 || results.some((r) => !r)) return undefined;
  const client = merge(results as SupabaseClient[]);
  return client && { ...client, how: `${client.how}, returned as \`${key}\` by \`${call.callee.name}()\`` };
}

/**
 * `SupabaseClient<Database>` imported from `@supabase/supabase-js`; `ReturnType<typeof f>` and
 * `Awaited<...>` of a factory or of a project function that returns a client; a local alias of one.
 */
export function isClientType(annotation: TSESTree.TypeNode, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  if (depth > MAX_DEPTH || annotation.type !== T.TSTypeReference) return false;
  const name = annotation.typeName;
  if (name.type !== T.Identifier) return false;
  const args = annotation.typeArguments?.params ?? [];
  if ((name.name === 'ReturnType' || name.name === 'Awaited') && args[0]) {
    const inner = args[0];
    if (inner.type === T.TSTypeQuery && inner.exprName.type === T.Identifier) return functionReturnsClient(inner.exprName, unit, context, depth + 1);
    return isClientType(inner, unit, context, depth + 1);
  }
  const def = variableOf(unit.scopeManager, name)?.defs[0];
  if (def?.type === 'Type' && def.node.type === T.TSTypeAliasDeclaration) return isClientType(def.node.typeAnnotation, unit, context, depth + 1);
  if (def?.type !== 'ImportBinding' || def.parent.type !== T.ImportDeclaration || def.node.type !== T.ImportSpecifier) return false;
  const imported = def.node.imported.type === T.Identifier ? def.node.imported.name : def.node.imported.value;
  const source = def.parent.source.value;
  if (source.startsWith('@supabase/')) return CLIENT_TYPES.has(imported);
  // `export type Client = SupabaseClient<Database>` in a project module.
  const file = context.resolver.modules.resolve(unit.file, source);
  const target = file ? context.resolver.modules.unit(file) : null;
  if (!target) return false;
  for (const statement of target.ast.body) {
    const declaration = statement.type === T.ExportNamedDeclaration ? statement.declaration : statement;
    if (declaration?.type === T.TSTypeAliasDeclaration && declaration.id.name === imported) return isClientType(declaration.typeAnnotation, target, context, depth + 1);
  }
  return false;
}

/** `typeof createClient`: a factory, or a project function whose every return is a client. */
function functionReturnsClient(name: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  if (factoryOf(name, unit, context, depth + 1)) return true;
  const binding = context.resolver.bindingOf(name, unit, depth + 1);
  return binding.kind === 'function' && returnedClient(binding.fn.node, binding.fn.unit, context, depth + 1) !== undefined;
}

/** `this.supabase`: a typed or initialised class field, a typed constructor parameter property, or `this.supabase = ...`. */
function thisProperty(node: TSESTree.MemberExpression, unit: FileUnit, context: AnalysisContext, depth: number): SupabaseClient | undefined {
  const name = memberName(node);
  const cls = enclosingClass(node);
  if (!name || !cls) return undefined;
  const typed = (annotation: TSESTree.TypeNode | undefined): SupabaseClient | undefined =>
    annotation && isClientType(annotation, unit, context, depth + 1) ? { key: 'unknown', how: `\`this.${name}\` is typed as a Supabase client, whose key is chosen by the code that constructs the class` } : undefined;
  for (const member of cls.body.body) {
    if (member.type === T.PropertyDefinition && propertyName(member) === name) {
      return (member.value ? supabaseClientOf(member.value, unit, context, depth + 1) : undefined) ?? typed(member.typeAnnotation?.typeAnnotation);
    }
    if (member.type === T.MethodDefinition && member.kind === 'constructor') {
      for (const param of member.value.params) {
        if (param.type === T.TSParameterProperty && param.parameter.type === T.Identifier && param.parameter.name === name) return typed(param.parameter.typeAnnotation?.typeAnnotation);
      }
    }
  }
  const assigned = thisAssigned(cls.body, name);
  return assigned ? supabaseClientOf(assigned, unit, context, depth + 1) : undefined;
}
