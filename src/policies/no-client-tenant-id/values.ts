import type { Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, unwrap, variableOf, type Node } from '../../core/ast.js';
import { returnedExpressions, type Located } from '../../core/resolve.js';
import { fromPackage, methodOf, parameterDecorators } from '../../core/syntax.js';
import type { QueryFacts } from '../../core/facts.js';
import type { ClientTenantFlow as Flow } from './flow.js';
import { storedIdentity } from './stored-identity.js';
import { ARRAY_CALLBACKS, calleeText, isFunction, isPromiseAll, numericName, SAFE_PARSE, TRANSPARENT_FUNCTIONS, VALIDATORS, within } from './syntax.js';
import { Env, INLINE_BUDGET, MAX_INLINE_DEPTH, MAX_VALUE_DEPTH, merge, NONE, PENDING, withInput, type Frame, type Origin } from './types.js';

/*
 * Where a value comes from: client input, the verified identity, a framework object, an object
 * literal, a parameter of a function being followed, or something the analysis cannot follow.
 * Variables, destructuring, parameters bound by the calls being followed, helpers' return values
 * and package calls; what frameworks say of their own objects is asked of the http model.
 */

/** Verifying a credential yields the verified identity. */
export const IDENTITY_METHODS = new Set(['verify', 'jwtVerify', 'jwtDecrypt', 'verifyIdToken', 'verifySessionCookie', 'verifyToken', 'getAuth']);
/** Methods of an auth client's namespace (`<client>.auth`) that return the verified user. */
const AUTH_SERVER_METHODS = new Set(['getUser', 'getClaims']);
/**
 * Methods of a server-side auth instance that return the session it verified: better-auth's
 * `betterAuth({...}).api.getSession({ headers })` checks the signed session cookie (or bearer token)
 * against its session store. Not its browser client (`better-auth/client`, `better-auth/react`),
 * whose `getSession()` only asks the server for the caller's own session.
 */
const SESSION_METHODS = new Set(['getSession']);
const BROWSER_AUTH = ['better-auth/client', 'better-auth/react', 'better-auth/vue', 'better-auth/svelte', 'better-auth/solid'];

function isAuthNamespace(node: Node): boolean {
  const object = unwrap(node);
  return object.type === T.MemberExpression && memberName(object) === 'auth';
}

export const IDENTITY_PACKAGES = ['jsonwebtoken', 'jose', 'firebase-admin', '@clerk/express', '@clerk/fastify', '@clerk/backend', 'passport-jwt'];

export function evaluateInner(flow: Flow, node: Node, frame: Frame): Origin {
  switch (node.type) {
    case T.Identifier:
      return identifier(flow, node, frame);
    case T.MemberExpression:
      return member(flow, flow.evaluate(node.object, frame), memberName(node) ?? numericName(node), node, frame);
    case T.CallExpression:
      return call(flow, node, frame);
    case T.NewExpression: {
      // `new URL(request.url)`, `new URLSearchParams(...)`: the client's URL.
      const callee = unwrap(node.callee);
      if (callee.type === T.Identifier && (callee.name === 'URL' || callee.name === 'URLSearchParams') && node.arguments[0]) {
        const inner = flow.evaluate(node.arguments[0], frame);
        if (inner.kind === 'client' && callee.name === 'URLSearchParams') return withInput(inner, { ...inner.source.input, category: 'search parameter', shape: 'map', path: [] }, node, frame);
        return inner.kind === 'client' ? inner : NONE;
      }
      return NONE;
    }
    case T.LogicalExpression:
      if (node.operator === '&&') return flow.evaluate(node.right, frame);
      // `currentUser ?? null`, `payload || {}`: the value, or nothing (an empty object has no property to read).
      if (isNullish(node.right) || isEmptyObject(node.right)) return flow.evaluate(node.left, frame);
      return merge([flow.evaluate(node.left, frame), flow.evaluate(node.right, frame)]);
    case T.ConditionalExpression:
      return merge([flow.evaluate(node.consequent, frame), flow.evaluate(node.alternate, frame)]);
    case T.TemplateLiteral:
      return node.expressions.length === 1 && node.quasis.every((q) => q.value.cooked === '') ? flow.evaluate(node.expressions[0], frame) : NONE;
    case T.ObjectExpression:
      return { kind: 'object', node, unit: frame.unit, env: frame.env };
    case T.AssignmentExpression:
      return flow.evaluate(node.right, frame);
    case T.SequenceExpression:
      return node.expressions.length ? flow.evaluate(node.expressions[node.expressions.length - 1], frame) : NONE;
    default:
      return NONE;
  }
}

export function identifier(flow: Flow, node: TSESTree.Identifier, frame: Frame): Origin {
  if (node.name === 'undefined') return NONE;
  const variable = variableOf(frame.unit.scopeManager, node);
  const def = variable?.defs[0];
  if (!variable || !def) return NONE;
  if (def.type === 'Parameter') {
    const fn = functionOf(def.node);
    if (!fn || def.name.type !== T.Identifier) return NONE;
    const position = parameterPosition(fn, def.name);
    if (!position) return NONE;
    // A declared framework type is more precise than a framework object the caller handed in.
    const bound = frame.env.lookup(fn)?.[position.index];
    const typed = position.path[0] !== undefined && (!bound || bound.kind === 'framework') ? flow.typedProperty(fn, position.index, position.path[0], def.name, frame) : undefined;
    if (typed) return applyPath(flow, typed, position.path.slice(1), def.name, frame);
    return applyPath(flow, parameter(flow, fn, position.index, frame), position.path, def.name, frame);
  }
  if (def.type !== 'Variable') return NONE;
  // Each variable is computed once per frame; a read of it inside its own writes adds nothing.
  const cacheable = frame.env === flow.top && frame.unit === flow.context.unit;
  const cached = cacheable ? flow.variables.get(variable) : undefined;
  if (cached) return cached;
  if (flow.pendingVariables.has(variable)) {
    flow.cycles += 1;
    return PENDING;
  }
  flow.pendingVariables.add(variable);
  try {
    const origin = variableOrigin(flow, node, variable, def.node, def.name, frame);
    if (cacheable) flow.variables.set(variable, origin);
    return origin;
  } finally {
    flow.pendingVariables.delete(variable);
  }
}

export function variableOrigin(flow: Flow, node: TSESTree.Identifier, variable: Variable, declarator: TSESTree.VariableDeclarator, name: TSESTree.Identifier, frame: Frame): Origin {
  let origin: Origin = NONE;
  // `const [access, member] = await Promise.all([q1, q2])`: each local is what its own element is.
  const element = declarator.id.type === T.ArrayPattern && declarator.init ? promiseAllElement(declarator.init, declarator.id, name) : undefined;
  if (element) origin = flow.evaluate(element.value, frame);
  else if (declarator.init) origin = flow.evaluate(declarator.init, frame);
  else if (declarator.parent?.parent?.type === T.ForOfStatement) origin = flow.evaluate(declarator.parent.parent.right, frame);
  if (element) {
    if (element.path.length > 0) origin = applyPath(flow, origin, element.path, name, frame);
  } else if (declarator.id.type !== T.Identifier) {
    const path = patternPath(declarator.id, name);
    origin = path ? applyPath(flow, origin, path, name, frame) : { kind: 'unknown', reason: 'a destructuring pattern the analysis does not read', client: origin.kind === 'client' };
  }
  const writes = variable.references.filter((ref) => ref.isWrite() && ref.identifier !== name && ref.writeExpr);
  if (writes.length === 0) return origin;
  // `let id: string; try { id = await resolve(wsId) } catch { return null }`: declared without a value, it holds only what is written;
  // so does one declared as nothing (`let user = null; if (userId) user = await getUser(userId)`): a read of the nothing reads no tenant.
  const declared = (declarator.init && !isNullish(declarator.init)) || declarator.parent?.parent?.type === T.ForOfStatement ? [origin] : [];
  const all = [...declared, ...writes.map((ref) => (ref.writeExpr ? flow.evaluate(ref.writeExpr, frame) : NONE))].filter((o) => o.kind !== 'pending');
  if (all.length === 0) return NONE;
  // `let auth = null; ... auth = await checkAuth(request)`: the one object written, read as written.
  if (all.length === 1 && all[0].kind === 'object') return all[0];
  const clients = all.filter((o) => o.kind === 'client');
  if (clients.length === all.length) return clients[0];
  if (clients.length > 0) return { kind: 'unknown', reason: `\`${node.name}\` is reassigned, and only some of its values come from client input`, client: true };
  return all.every((o) => o.kind === 'trusted') ? all[0] : (all.find((o) => o.kind === 'unknown' && o.client) ?? NONE);
}

/** The element of `await Promise.all([a, b])` that the local `name` of the array pattern holds, and the path into it. */
function promiseAllElement(init: Node, pattern: TSESTree.ArrayPattern, name: TSESTree.Identifier): { value: Node; path: string[] } | undefined {
  const value = unwrap(init);
  const call = value.type === T.AwaitExpression ? unwrap(value.argument) : value;
  if (call.type !== T.CallExpression || !isPromiseAll(call)) return undefined;
  const list = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
  if (list?.type !== T.ArrayExpression) return undefined;
  const path = patternPath(pattern, name);
  const index = path?.[0] !== undefined ? Number(path[0]) : NaN;
  const item = Number.isInteger(index) ? list.elements[index] : undefined;
  if (!path || !item || item.type === T.SpreadElement) return undefined;
  return { value: item, path: path.slice(1) };
}

export function parameter(flow: Flow, fn: TSESTree.FunctionLike, index: number, frame: Frame): Origin {
  const bound = frame.env.lookup(fn)?.[index];
  if (bound) return bound;
  const role = flow.roleOf(fn, index, frame.unit);
  if (role) {
    // `@Headers('x-tenant-id') tenantId: string`: the decorator is where the value is read.
    const param = fn.params[index];
    const read = parameterDecorators(param)[0]?.expression ?? param ?? fn;
    return flow.fromHttp(role, read, frame.unit, frame.env);
  }
  // `user.orgIds.some((id) => id === orgId)`: elements of a trusted list are trusted.
  const call = fn.parent;
  if (call?.type === T.CallExpression && call.arguments.some((arg) => arg === fn) && index === 0) {
    const target = methodOf(call);
    if (target && ARRAY_CALLBACKS.has(target.method)) {
      const list = flow.evaluate(target.receiver, frame);
      if (list.kind === 'trusted' || list.kind === 'client') return list;
      // `projectAccess.find((item) => item.projectId === projectId)`, the list read by a query that
      // pins the verified user: each element is a row of that user (a grant, a membership).
      const rows = queryBehind(flow, target.receiver, frame);
      const own = rows ? flow.userRows(rows, frame) : undefined;
      if (own) return own;
    }
  }
  return { kind: 'param', fn, index };
}

/** The query whose result `node` holds: `const rows = await q`, `const [a, b] = await Promise.all([q1, q2])`. */
function queryBehind(flow: Flow, node: Node, frame: Frame): QueryFacts | undefined {
  const name = unwrap(node);
  if (name.type !== T.Identifier) return undefined;
  const def = variableOf(frame.unit.scopeManager, name)?.defs[0];
  if (def?.type !== 'Variable' || !def.node.init || def.name.type !== T.Identifier) return undefined;
  const declarator = def.node;
  const element = declarator.id.type === T.ArrayPattern ? promiseAllElement(declarator.init!, declarator.id, def.name) : undefined;
  if (declarator.id.type !== T.Identifier && (!element || element.path.length > 0)) return undefined;
  let value = unwrap(element ? element.value : declarator.init!);
  if (value.type === T.AwaitExpression) value = unwrap(value.argument);
  return value.type === T.CallExpression ? flow.query(value, frame.unit) : undefined;
}

export function applyPath(flow: Flow, origin: Origin, path: string[], read: Node, frame: Frame): Origin {
  let current = origin;
  for (const name of path) current = member(flow, current, name, read, frame);
  return current;
}

export function member(flow: Flow, base: Origin, name: string | undefined, node: Node, frame: Frame): Origin {
  switch (base.kind) {
    case 'framework': {
      const built = base.object.returnedBy ? flow.factoryMember(base.object, name) : undefined;
      if (built) return built;
      const value = flow.models.http.recognizerFor(base.object.framework)?.member(base.object, name) ?? { kind: 'none' };
      return flow.fromHttp(value, node, frame.unit, base.env);
    }
    case 'client':
      return flow.clientMember(base, name, node, frame);
    case 'object': {
      const property = base.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === name);
      return property ? flow.evaluate(property.value, { unit: base.unit, env: base.env }) : NONE;
    }
    case 'trusted':
    case 'none':
    case 'unknown':
    case 'param':
    case 'pending':
      return base;
  }
}

export function call(flow: Flow, node: TSESTree.CallExpression, frame: Frame): Origin {
  // `User.UserId.make(user.id)`: a brand's constructor hands back its argument, and the verified user
  // is still the verified user. A client value is not followed through it yet: on Cap that turned
  // five sites from not traced into errors whose checks the analysis does not read (an owner test
  // of the organization row, `organization.ownerId !== user.id`); it stays not traced, as before.
  const preserved = flow.context.resolver.preservedArgument(node, frame.unit);
  if (preserved) {
    const branded = flow.evaluate(preserved, frame);
    if (branded.kind !== 'client') return branded;
  }
  const callee = unwrap(node.callee);
  if (callee.type === T.MemberExpression) {
    const method = memberName(callee);
    if (!method) return NONE;
    // `supabase.auth.getUser()` asks the auth server to verify the session's JWT, `getClaims()`
    // verifies its signature; `getSession()` only reads the cookie and is not verified.
    if (AUTH_SERVER_METHODS.has(method) && isAuthNamespace(callee.object)) return { kind: 'trusted', why: `\`${calleeText(node, frame.unit)}()\` returns the user the auth server verified` };
    const receiver = flow.evaluate(callee.object, frame);
    switch (receiver.kind) {
      case 'framework': {
        const value = flow.models.http.recognizerFor(receiver.object.framework)?.call(receiver.object, method, node, flow.http(frame)) ?? { kind: 'none' };
        return flow.fromHttp(value, node, frame.unit, receiver.env);
      }
      case 'client':
        return flow.clientCall(receiver, method, node, frame);
      case 'trusted':
        // A handle the verified context carries (`ctx.db`) reads rows like any other: the tenant
        // the client named, looked up through it, is still the client's choice (see tenantLookup).
        return trustedHandleLookup(flow, node, frame) ?? receiver;
      case 'pending':
        return receiver;
      case 'param':
        return NONE;
      default:
        break;
    }
    if (VALIDATORS.has(method) && node.arguments[0]) return flow.evaluate(node.arguments[0], frame);
    if (SAFE_PARSE.has(method) && node.arguments[0]) {
      const parsed = flow.evaluate(node.arguments[0], frame);
      return parsed.kind === 'client' ? { kind: 'client', source: { ...parsed.source, input: { ...parsed.source.input, unwrap: 'data' } } } : parsed;
    }
    // `this.cls.get('user.id')`: a key of the request's store that authentication code sets.
    const stored = storedIdentity(flow, node, frame);
    if (stored) return stored;
    // `await redis.get(authKey)` with the key a verified token carries: a server-side session store.
    const session = sessionRead(flow, node, frame);
    if (session) return session;
    // A row the database returns is not client input, unless it is the tenant the client named.
    const query = flow.query(node, frame.unit);
    if (query) return flow.tenantLookup(query, frame) ?? flow.ownRow(query, frame) ?? verifiedRows(flow, query, frame) ?? NONE;
    const ref = flow.models.http.packageOf(callee, frame.unit, flow.context.resolver);
    const authRoot = SESSION_METHODS.has(method) ? flow.http(frame).packageRoot(callee.object) : undefined;
    if (fromPackage(authRoot, 'better-auth') && !fromPackage(authRoot, ...BROWSER_AUTH)) return { kind: 'trusted', why: `\`${calleeText(node, frame.unit)}()\` returns the session better-auth verified` };
    // `jwt.decode(token)`, jose's `decodeJwt(token)`: read without checking the signature, the client's own claims.
    if (/^decode/i.test(method)) return NONE;
    if ((ref && fromPackage(ref, ...IDENTITY_PACKAGES)) || IDENTITY_METHODS.has(method)) return { kind: 'trusted', why: `\`${calleeText(node, frame.unit)}()\` verifies a credential` };
  } else if (callee.type === T.Identifier) {
    const variable = variableOf(frame.unit.scopeManager, callee);
    const global = !variable || variable.defs.length === 0;
    if (global && TRANSPARENT_FUNCTIONS.has(callee.name) && node.arguments[0]) return flow.evaluate(node.arguments[0], frame);
    if (global) return NONE;
    const method = variable ? destructuredMethod(flow, variable, node, frame) : undefined;
    if (method) return method;
    // One resolution of the callee: a package function, a project function, or one destructured
    // from a package call (`export const { auth } = NextAuth(...)`).
    const binding = flow.context.resolver.bindingOf(callee, frame.unit);
    if (binding.kind === 'package') return flow.packageCall({ source: binding.source, imported: binding.imported }, node, frame);
    if (binding.kind === 'function') return returnedBy(flow, binding.fn, node, frame);
    const destructured = binding.kind === 'unknown' ? flow.destructuredFromPackage(callee, frame.unit) : undefined;
    if (destructured) return flow.packageCall(destructured, node, frame);
    return lostThrough(flow, node, frame, binding.kind === 'unknown' ? `the result of \`${callee.name}()\` (${binding.reason})` : undefined);
  }
  const target = flow.calleeOf(node, frame);
  if (target.kind === 'function') return returnedBy(flow, target.fn, node, frame);
  return lostThrough(flow, node, frame, target.kind === 'unknown' ? `the result of \`${calleeText(node, frame.unit)}()\` (${target.reason})` : undefined);
}

/**
 * `db.select().from(apps).where(and(eq(apps.workspaceId, ctx.workspace.id), ...))` (unkey's
 * listApps): rows of tenant data read by a filter whose every tenant value is the verified tenant
 * are that tenant's, and so are their ids (`appRows.map((a) => a.id)`), which restrict a later
 * query to the tenant's rows (see scopedByVerified). A filter the model could not read, or with a
 * tenant value that is not verified, gives nothing.
 */
function verifiedRows(flow: Flow, query: QueryFacts, frame: Frame): Origin | undefined {
  const { site, positions } = query;
  if (site.operation !== 'read' || !positions.readable || positions.filter.length === 0) return undefined;
  if (site.table.class !== 'tenant' && site.table.class !== 'child') return undefined;
  const whys: string[] = [];
  for (const value of positions.filter) {
    const origin = flow.evaluate(value.node, { unit: value.unit, env: frame.env });
    if (origin.kind !== 'trusted') return undefined;
    whys.push(origin.why);
  }
  return { kind: 'trusted', why: `\`${site.calleeText}\` reads rows of \`${site.table.name}\` within the verified tenant (${whys[0]})` };
}

/**
 * `ctx.db.query.workspaces.findFirst({ where: eq(workspaces.publicId, input.workspacePublicId) })`
 * (kan): a lookup of the tenant by a client value through a database handle of the verified context.
 * Only the client's tenant lookup is taken from the query; anything else read through the handle
 * stays what the handle is.
 */
function trustedHandleLookup(flow: Flow, node: TSESTree.CallExpression, frame: Frame): Origin | undefined {
  const query = flow.query(node, frame.unit);
  const found = query ? flow.tenantLookup(query, frame) : undefined;
  return found?.kind === 'client' ? found : undefined;
}

/**
 * A cache read whose whole key is the verified identity, or a value a verified token carries
 * (umami's checkAuth: `redis.client.get(authKey)` with the `authKey` of a token it decrypted with
 * its secret): a server-side session store, whose entry only the server wrote under a key only the
 * server issued, so what it holds is verified as the key is. A key the client sends, or one built
 * around a verified value (`user:${id}:lastTeam`, which may hold anything the user picked), is not.
 */
function sessionRead(flow: Flow, node: TSESTree.CallExpression, frame: Frame): Origin | undefined {
  const key = node.arguments[0];
  if (!key || key.type === T.SpreadElement || unwrap(key).type === T.TemplateLiteral) return undefined;
  const verified = flow.evaluate(key, frame);
  if (verified.kind !== 'trusted') return undefined;
  const context = frame.unit === flow.context.unit ? flow.context : { ...flow.context, unit: frame.unit };
  const access = flow.models.cache.accesses([node], context)[0];
  if (access?.operation !== 'read' || access.keys.length !== 1 || access.keys[0].node !== key) return undefined;
  return { kind: 'trusted', why: `\`${access.calleeText}\` reads the server's session store under a key the verified credential carries (${verified.why})` };
}

/**
 * `async ({ ctx, next, getRawInput }) => { const raw = await getRawInput(); ... }`: a method
 * destructured from a framework object (a parameter or a local's pattern) and called bare is the
 * framework's method of that object, as `opts.getRawInput()` is.
 */
function destructuredMethod(flow: Flow, variable: Variable, node: TSESTree.CallExpression, frame: Frame): Origin | undefined {
  const def = variable.defs[0];
  let receiver: Origin | undefined;
  let method: string | undefined;
  if (def.type === 'Parameter' && def.name.type === T.Identifier) {
    const fn = functionOf(def.node);
    const position = fn ? parameterPosition(fn, def.name) : undefined;
    if (!fn || !position || position.path.length === 0) return undefined;
    method = position.path[position.path.length - 1];
    receiver = applyPath(flow, parameter(flow, fn, position.index, frame), position.path.slice(0, -1), def.name, frame);
  } else if (def.type === 'Variable' && def.node.id.type === T.ObjectPattern && def.node.init && def.name.type === T.Identifier) {
    const path = patternPath(def.node.id, def.name);
    if (!path || path.length === 0) return undefined;
    method = path[path.length - 1];
    receiver = applyPath(flow, flow.evaluate(def.node.init, frame), path.slice(0, -1), def.name, frame);
  }
  if (receiver?.kind !== 'framework' || method === undefined) return undefined;
  const value = flow.models.http.recognizerFor(receiver.object.framework)?.call(receiver.object, method, node, flow.http(frame)) ?? { kind: 'none' };
  return value.kind === 'none' ? undefined : flow.fromHttp(value, node, frame.unit, receiver.env);
}

export function lostThrough(flow: Flow, node: TSESTree.CallExpression, frame: Frame, reason: string | undefined): Origin {
  for (const arg of node.arguments) {
    if (arg.type === T.SpreadElement) continue;
    const origin = flow.evaluate(arg, frame);
    if (origin.kind === 'client' || (origin.kind === 'unknown' && origin.client)) {
      return { kind: 'unknown', reason: reason ?? `the result of \`${calleeText(node, frame.unit)}()\``, client: true };
    }
  }
  return NONE;
}

/**
 * `getTenantId(req)`: what a project function returns, with its parameters bound to the
 * arguments. A client value it reads itself is reported at this call, naming the helper.
 */
export function returnedBy(flow: Flow, fn: Located<TSESTree.FunctionLike>, call: TSESTree.CallExpression, frame: Frame): Origin {
  const lost = () => lostThrough(flow, call, frame, `the result of \`${calleeText(call, frame.unit)}()\`, deeper than the analysis follows calls`);
  if (frame.env.lookup(fn.node) || frame.env.depth >= MAX_VALUE_DEPTH || flow.inlined >= INLINE_BUDGET) return lost();
  const args = call.arguments.map((arg) => (arg.type === T.SpreadElement ? undefined : flow.evaluate(arg, frame)));
  // Past the depth that calls are followed to, only a helper handed plain values (the client's id,
  // literals, the verified identity) is followed, for what it returns: an id normaliser at the end
  // of a verifier's chain (`normalizeWorkspaceId(wsId)` -> `resolveWorkspaceId(wsId)`).
  if (frame.env.depth >= MAX_INLINE_DEPTH && !args.every((arg) => !arg || arg.kind === 'client' || arg.kind === 'none' || arg.kind === 'trusted')) return lost();
  flow.inlined += 1;
  return returnedWith(flow, fn, bindable(flow, fn, args), call, frame);
}

/**
 * Arguments to bind to a callee's parameters. A request handed to a parameter that is a request
 * by its own type (`req: Request`) is left to that parameter: what the callee reads from it is
 * reported in the callee's file, once, not at every call.
 */
export function bindable(flow: Flow, fn: Located<TSESTree.FunctionLike>, args: (Origin | undefined)[]): (Origin | undefined)[] {
  return args.map((arg, index) => (arg?.kind === 'framework' && flow.roleOf(fn.node, index, fn.unit) ? undefined : arg));
}

export function returnedWith(flow: Flow, fn: Located<TSESTree.FunctionLike>, args: (Origin | undefined)[], call: Node, frame: Frame): Origin {
  const plain = args.every((arg) => !arg || arg.kind === 'none' || arg.kind === 'trusted');
  let merged = plain ? flow.plainReturns.get(fn.node) : undefined;
  if (!merged) {
    const env = new Env(frame.env, fn.node, args);
    // `if (!session) return null; ... return user`: a helper that returns the verified user or
    // nothing returns the verified user (the caller tests for nothing, or reads from nothing).
    const returned = returnedExpressions(fn.node);
    const values = returned.filter((expr) => !isNullish(expr));
    merged = merge((values.length ? values : returned).map((expr) => flow.evaluate(expr, { unit: fn.unit, env })));
    if (plain) flow.plainReturns.set(fn.node, merged);
  }
  // A value the helper read itself (from the request handed to it, or from `headers()`) is
  // reported at this call; one the caller handed in keeps the caller's read.
  const readInside = merged.kind === 'client' && merged.source.readUnit === fn.unit && within(merged.source.read, fn.node);
  if (merged.kind !== 'client' || !readInside) return merged;
  const name = fn.node.type === T.FunctionDeclaration || fn.node.type === T.FunctionExpression ? fn.node.id?.name : undefined;
  const label = `${name ?? (call.type === T.CallExpression ? calleeText(call, frame.unit) : 'a helper')}() at ${flow.displayPath(fn.unit.file)}:${merged.source.read.loc.start.line}`;
  return { kind: 'client', source: { ...merged.source, read: call, readUnit: frame.unit, readEnv: frame.env, via: [label, ...merged.source.via] } };
}

/** `{}`. */
function isEmptyObject(node: Node): boolean {
  const value = unwrap(node);
  return value.type === T.ObjectExpression && value.properties.length === 0;
}

/** `null`, `undefined`. */
function isNullish(node: Node): boolean {
  const value = unwrap(node);
  return (value.type === T.Literal && value.value === null && !('regex' in value)) || (value.type === T.Identifier && value.name === 'undefined');
}

function functionOf(node: Node): TSESTree.FunctionLike | undefined {
  return isFunction(node) ? node : undefined;
}
/** Which parameter holds `name`, and the property path to it inside a destructuring pattern. */
function parameterPosition(fn: TSESTree.FunctionLike, name: TSESTree.Identifier): { index: number; path: string[] } | undefined {
  for (let index = 0; index < fn.params.length; index++) {
    const param = fn.params[index];
    const pattern = param.type === T.TSParameterProperty ? param.parameter : param;
    const path = patternPath(pattern, name);
    if (path) return { index, path };
  }
  return undefined;
}

export function patternPath(pattern: Node, target: TSESTree.Identifier): string[] | undefined {
  switch (pattern.type) {
    case T.Identifier:
      return pattern === target ? [] : undefined;
    case T.AssignmentPattern:
      return patternPath(pattern.left, target);
    case T.RestElement:
      return patternPath(pattern.argument, target);
    case T.ObjectPattern:
      for (const property of pattern.properties) {
        if (property.type === T.RestElement) {
          const rest = patternPath(property.argument, target);
          if (rest) return rest;
          continue;
        }
        const inner = patternPath(property.value, target);
        if (!inner) continue;
        const key = propertyName(property);
        return key === undefined ? undefined : [key, ...inner];
      }
      return undefined;
    case T.ArrayPattern:
      for (let i = 0; i < pattern.elements.length; i++) {
        const element = pattern.elements[i];
        const inner = element ? patternPath(element, target) : undefined;
        if (inner) return [String(i), ...inner];
      }
      return undefined;
    default:
      return undefined;
  }
}

