import type { TSESTree } from '@typescript-eslint/types';
import { enclosingFunction, memberName, propertyName, T, unwrap, walk, type Node } from '../../../core/ast.js';
import { methodOf, testsFailure } from '../../../core/syntax.js';
import type { ClientTenantFlow as Flow } from '../flow.js';
import { calleeName, calleeText, isLiteral, isPlainValue, statementOf, within } from '../syntax.js';
import { ANY_KEY, Env, INLINE_BUDGET, keyOf, MAX_INLINE_DEPTH, type Check, type Failure, type Frame, type Origin } from '../types.js';
import { authorizationCallChecks } from './authorization-calls.js';
import { argumentValues } from './delegated.js';
import { exitOf, gatesOf } from './gates.js';

/*
 * Checks that make a client value safe, found in a function: an equality test with the verified
 * identity (`if (orgId !== req.user.orgId) return 403`), membership in a trusted list
 * (`req.user.orgIds.includes(orgId)`), a lookup whose filter pins the verified user and gates
 * what follows, a helper that throws or returns the verdict of such a check, a webhook signature.
 */

const SIGNATURE = /signature|hmac|webhook/i;
const HMAC_CALLS = new Set(['createHmac', 'timingSafeEqual', 'createVerify']);

/**
 * Checks of client values against the verified identity in a function: an equality test with a
 * trusted value (`if (orgId !== req.user.orgId) return res.sendStatus(403)`), membership in a
 * trusted list (`req.user.orgIds.includes(orgId)`), a membership lookup that pins the verified
 * user and gates what follows, or a call to a helper that throws when such a check fails.
 */
export function checksIn(flow: Flow, scope: Node, frame: Frame): Check[] {
  const cached = frame.env === flow.top ? flow.checkCache.get(scope) : undefined;
  if (cached) return cached;
  const checks: Check[] = [];
  const body = scope.type === T.Program ? scope : 'body' in scope && scope.body ? scope.body : undefined;
  if (!body || typeof body !== 'object' || !('type' in body)) return checks;
  const calls: TSESTree.CallExpression[] = [];
  walk(body, (node) => {
    if (node.type === T.BinaryExpression && ['===', '!==', '==', '!='].includes(node.operator)) {
      const pair = comparedWithIdentity(flow, node.left, node.right, frame) ?? comparedWithIdentity(flow, node.right, node.left, frame);
      if (pair) checks.push(...gatesOf(node, pair.key, 'an equality check with the verified identity', pair.certain));
    }
    if (node.type === T.CallExpression) calls.push(node);
  });
  for (const call of calls) {
    const target = methodOf(call);
    if (target && ['includes', 'has', 'indexOf'].includes(target.method) && call.arguments[0]) {
      const list = flow.evaluate(target.receiver, frame);
      const item = flow.evaluate(call.arguments[0], frame);
      if (list.kind === 'trusted' && item.kind === 'client') checks.push(...gatesOf(call, keyOf(item.source), 'membership in a list from the verified identity', true));
    }
    const lookups = membershipLookupKeys(flow, call, frame);
    for (const lookup of lookups) checks.push(...gatesOf(call, lookup.key, 'a membership lookup for the verified user', lookup.certain));
    if (lookups.length === 0) checks.push(...flow.builtLookupChecks(call, frame));
    checks.push(...helperChecks(flow, call, frame));
    checks.push(...testedResultChecks(flow, call, frame));
    checks.push(...permissionFunctionChecks(flow, call, frame));
    checks.push(...authorizationCallChecks(flow, call, frame));
    if (verifiesSignature(flow, call, frame)) checks.push(...gatesOf(call, ANY_KEY, 'a signature check of the request', true));
  }
  if (frame.env === flow.top) flow.checkCache.set(scope, checks);
  return checks;
}

/**
 * `if (!verifyWebhookSignature(req)) return`: a webhook whose sender signs the request with a
 * shared secret is authenticated as a whole, so what it says (the tenant included) is verified.
 * Recognised by the helper's name or by an HMAC comparison in its body.
 */
function verifiesSignature(flow: Flow, call: TSESTree.CallExpression, frame: Frame): boolean {
  const name = calleeName(call) ?? '';
  if (!call.arguments.some((arg) => arg.type !== T.SpreadElement && ['framework', 'client'].includes(flow.evaluate(arg, frame).kind))) return false;
  if (SIGNATURE.test(name)) return true;
  const callee = flow.calleeOf(call, frame);
  if (callee.kind !== 'function' || !callee.fn.node.body) return false;
  let hmac = false;
  walk(callee.fn.node.body, (node) => {
    if (node.type === T.CallExpression && HMAC_CALLS.has(calleeName(node) ?? '')) hmac = true;
  });
  return hmac;
}

/**
 * A client value compared with the verified identity (certain), or with a value the analysis
 * cannot trace to it, such as a user loaded by a helper it cannot read (uncertain). A literal
 * or another client value is no check.
 */
function comparedWithIdentity(flow: Flow, a: Node, b: Node, frame: Frame): { key: string; certain: boolean } | undefined {
  const left = flow.evaluate(a, frame);
  if (left.kind !== 'client' || isLiteral(b)) return undefined;
  const right = flow.evaluate(b, frame);
  if (right.kind === 'trusted') return { key: keyOf(left.source), certain: true };
  if (right.kind === 'client') return undefined;
  return { key: keyOf(left.source), certain: false };
}

/**
 * `await assertMember(req.user.id, orgId)`: a helper whose check throws gates its caller. A
 * helper given both a client tenant value and the verified user that the analysis cannot follow
 * to a decision is an uncertain check (see `delegatedChecks`).
 */
function helperChecks(flow: Flow, call: TSESTree.CallExpression, frame: Frame): Check[] {
  if (call.arguments.length === 0) return [];
  const args = call.arguments.map((arg) => (arg.type === T.SpreadElement ? undefined : flow.evaluate(arg, frame)));
  if (!args.some((o) => o && flow.carries(o) && o.kind !== 'framework')) return [];
  const callee = flow.calleeOf(call, frame);
  if (callee.kind !== 'function') return callee.kind === 'none' ? [] : flow.delegatedChecks(call, args, frame, true);
  if (frame.env.depth >= MAX_INLINE_DEPTH || frame.env.lookup(callee.fn.node) || flow.inlined >= INLINE_BUDGET) {
    const delegated = flow.delegatedChecks(call, args, frame, true);
    return delegated.length > 0 || flow.inlined < INLINE_BUDGET ? delegated : unfollowedChecks(flow, call, args, frame);
  }
  flow.inlined += 1;
  const env = new Env(frame.env, callee.fn.node, args);
  const inner = checksIn(flow, callee.fn.node, { unit: callee.fn.unit, env });
  const checks: Check[] = [];
  for (const check of inner) {
    if (check.throws && check.mode === 'exit') checks.push({ ...check, gate: statementOf(call) });
  }
  // `if (!(await isMember(userId, orgId))) return 403`: the helper returns the verdict.
  // `if (user.isAdmin) return true` before the membership lookup: an operator's bypass, not a gap.
  const bypass = flow.adminChecksIn(callee.fn.node, { unit: callee.fn.unit, env });
  for (const verdict of verdicts(flow, callee.fn.node, inner, bypass)) checks.push(...gatesOf(call, verdict.key, verdict.what, verdict.certain));
  // `const { ok } = await verifyMembership(...); if (!ok) return 403`: the helper returns a failure
  // when its check fails, and the caller stops on that failure.
  checks.push(...resultChecks(call, callee.fn.node, inner, calleeText(call, frame.unit)));
  if (checks.length > 0) return checks;
  return flow.undecided(callee.fn, env, 0) ? flow.delegatedChecks(call, args, frame, false) : [];
}

/**
 * The keys a helper's result is the verdict of. openpanel's getProjectAccess returns `true` when the
 * user is a member of the project's organization (`if (projectAccess.length === 0 && member) return
 * true`) and otherwise the user's own grant of the project (`return projectAccess.find((item) =>
 * item.projectId === projectId)`): either way a value that is truthy only when a check of the
 * project passed. A key is the verdict's when every `return` of something truthy is judged by a
 * check of it (the verdict of one, inside an `if` one passes, or after one that exits); one truthy
 * `return` no check of the key judges (`if (member) return true` for any member of the
 * organization) lets a failing request through, and the result decides nothing of that key; one
 * inside an admin check of the verified identity (`bypass`) is an operator's, not a gap.
 * Certain when every judging check is.
 */
function verdicts(flow: Flow, fn: TSESTree.FunctionLike, inner: Check[], bypass: readonly Check[] = []): { key: string; what: string; certain: boolean }[] {
  const keys = new Map<string, string>();
  for (const check of inner) if (check.mode === 'verdict' || (check.mode === 'inside' && truthyReturns(fn, check.gate).length > 0)) keys.set(check.key, keys.get(check.key) ?? check.what);
  if (keys.size === 0) return [];
  const returns = fn.body?.type === T.BlockStatement ? truthyReturns(fn, fn.body) : [];
  const found: { key: string; what: string; certain: boolean }[] = [];
  for (const [key, what] of keys) {
    let certain = true;
    const judged = returns.every((ret) => {
      // A truthy return only an instance operator reaches (`if (user.isAdmin) return true`, umami's
      // canUpdateTeam) lets no tenant's member through: choosing any tenant is what it is for.
      if (bypass.some((check) => judges(check, ret))) return true;
      const judging = inner.filter((check) => flow.covers(check.key, key) && judges(check, ret));
      if (judging.length === 0) return false;
      if (!judging.some((check) => check.certain)) certain = false;
      return true;
    });
    // A helper with no truthy `return` of its own (an expression body, `return helper(...)` passed on) is judged by its verdicts.
    if (judged) found.push({ key, what, certain: certain && inner.some((check) => check.key === key && check.mode === 'verdict' && check.certain) || (certain && returns.length > 0) });
  }
  return found;
}

/** Does `check` judge what `ret` returns: its verdict, an `if` it passes holding the return, or an exit before it? */
function judges(check: Check, ret: TSESTree.ReturnStatement): boolean {
  if (check.mode === 'verdict') return check.gate === ret;
  if (check.mode === 'inside') return within(ret, check.gate.type === T.IfStatement ? check.gate.consequent : check.gate);
  return check.gate.range[1] <= ret.range[0] && check.gate.parent !== undefined && within(ret, check.gate.parent);
}

/** The function's own `return`s under `scope` that may return something truthy (not `false`, `null`, `undefined`, `0`, `''`, nothing). */
function truthyReturns(fn: TSESTree.FunctionLike, scope: Node): TSESTree.ReturnStatement[] {
  const found: TSESTree.ReturnStatement[] = [];
  walk(scope, (node) => {
    if (node.type !== T.ReturnStatement || enclosingFunction(node) !== fn || !node.argument) return;
    const value = unwrap(node.argument);
    if (value.type === T.Literal && !value.value) return;
    if (value.type === T.Identifier && value.name === 'undefined') return;
    found.push(node);
  });
  return found;
}

/** Named like a check: a helper whose failure throws (`assertMember`, `requireAccess`). */
const CHECK_HELPER = /^(assert|require|ensure|check|verify|validate|authorize|authorise|is|has|can)[A-Z_]/;

/**
 * A project helper given the client's tenant that the file's budget of followed calls no longer
 * lets the analysis read: beyond the budget flows are not analysable, so a helper that may be the
 * check is an uncertain one when its answer stops the request (`if (!(await isMember(user.id,
 * orgId))) return 403`) or it is named like a check that throws (`await assertMember(orgId)`). A
 * helper whose result nothing tests (`await recordVisit(orgId)`) checks nothing: no check.
 */
function unfollowedChecks(flow: Flow, call: TSESTree.CallExpression, args: (Origin | undefined)[], frame: Frame): Check[] {
  const keys = new Set(args.flatMap((arg) => (arg ? argumentValues(flow, arg) : [])).flatMap((o) => (o.kind === 'client' && flow.isTenantSource(o.source) ? [keyOf(o.source)] : [])));
  const helper = calleeText(call, frame.unit);
  const what = `\`${helper}()\`, not read: the file's budget of followed calls ran out`;
  return [...keys].flatMap((key) => {
    const gates = gatesOf(call, key, what, false);
    if (gates.length > 0) return gates;
    return CHECK_HELPER.test(calleeName(call) ?? '') ? [{ key, gate: statementOf(call), mode: 'exit' as const, throws: true, what, certain: false }] : [];
  });
}

/** The client values a read looks up together with the verified user (a membership lookup). */
function membershipLookupKeys(flow: Flow, call: TSESTree.CallExpression, frame: Frame): { key: string; certain: boolean }[] {
  const query = flow.query(call, frame.unit);
  if (!query || query.site.operation !== 'read') return [];
  const pin = flow.pinOf(query, frame);
  if (!pin) return [];
  const keys: { key: string; certain: boolean }[] = [];
  for (const value of query.positions.compared) {
    const origin = flow.evaluate(value.node, { unit: value.unit, env: frame.env });
    if (origin.kind === 'client') keys.push({ key: keyOf(origin.source), certain: pin === 'verified' });
  }
  return keys;
}

/** A property that names the user a database function is asked about (`p_user_id`, `userId`, `user`). */
const USER_ARGUMENT = /^(p_|_)?user(_?id)?$/i;

/** The client tenants of an options object whose own properties also name the user (the verified one, or one named `user`/`userId`). */
function membershipOptions(flow: Flow, origin: Extract<Origin, { kind: 'object' }>): string[] {
  const keys: string[] = [];
  let user = false;
  for (const p of origin.node.properties) {
    if (p.type !== T.Property) continue;
    const value = unwrap(p.value);
    if (!isPlainValue(value)) continue;
    const inner = flow.evaluate(value, { unit: origin.unit, env: origin.env });
    if (inner.kind === 'client') keys.push(keyOf(inner.source));
    else if (inner.kind === 'trusted' || (!isLiteral(value) && USER_ARGUMENT.test(propertyName(p) ?? ''))) user = true;
  }
  return user ? keys : [];
}

/**
 * `const { data: allowed } = await supabase.rpc('has_workspace_permission', { p_user_id: user.id,
 * p_ws_id: wsId })`, then `if (!allowed) return 403`: a database function asked whether the user
 * may act in the tenant the client names, its answer gating what follows. A check of that tenant
 * when it is given a user: the verified identity (certain), or a user the analysis cannot trace to
 * it but passes as the user argument (uncertain). A function given the tenant alone (`rpc('stats',
 * { ws_id })`) decides nothing about the user: no check.
 */
function permissionFunctionChecks(flow: Flow, call: TSESTree.CallExpression, frame: Frame): Check[] {
  const sql = sqlFunctionCall(call);
  if (sql) return sqlFunctionChecks(flow, call, sql, frame);
  const target = methodOf(call);
  const [name, params] = call.arguments;
  if (target?.method !== 'rpc' || !name || !isLiteral(name) || params?.type !== T.ObjectExpression) return [];
  const keys = new Set<string>();
  let user: 'verified' | 'untraced' | undefined;
  for (const p of params.properties) {
    if (p.type !== T.Property) continue;
    const value = unwrap(p.value);
    if (!isPlainValue(value)) continue;
    const origin = flow.evaluate(value, frame);
    if (origin.kind === 'client') keys.add(keyOf(origin.source));
    else if (origin.kind === 'trusted') user = 'verified';
    else if (!isLiteral(value) && USER_ARGUMENT.test(propertyName(p) ?? '')) user ??= 'untraced';
  }
  if (!user || keys.size === 0) return [];
  const fn = typeof (name as TSESTree.Literal).value === 'string' ? (name as TSESTree.Literal).value : 'rpc';
  return [...keys].flatMap((key) => gatesOf(call, key, `the database function \`${String(fn)}()\` asked about the user`, user === 'verified'));
}

/** `SELECT public.has_permission($1, $2) AS allowed`: a statement that only calls a database function (no table read). */
const SQL_FUNCTION = /^\s*select\s+(?:[\w"]+\.)?([\w"]+)\s*\(/i;

/**
 * Raw SQL that asks a database function (`pool.query('SELECT check_perm($1, $2)', [userId, orgId])`,
 * `db.execute(sql\`SELECT check_perm(${userId}, ${orgId})\`)`): its name and the values it is given.
 */
function sqlFunctionCall(call: TSESTree.CallExpression): { name: string; values: Node[] } | undefined {
  const [first, second] = call.arguments;
  if (!first) return undefined;
  const text = unwrap(first);
  let sql: string | undefined;
  let values: Node[] = [];
  if (text.type === T.Literal && typeof text.value === 'string') sql = text.value;
  else if (text.type === T.TemplateLiteral && text.expressions.length === 0) sql = text.quasis.map((q) => q.value.cooked ?? '').join('');
  else if (text.type === T.TaggedTemplateExpression) {
    sql = text.quasi.quasis.map((q) => q.value.cooked ?? '').join('?');
    values = text.quasi.expressions;
  }
  if (sql === undefined || /\bfrom\b/i.test(sql)) return undefined;
  const name = SQL_FUNCTION.exec(sql)?.[1];
  if (!name) return undefined;
  if (text.type !== T.TaggedTemplateExpression) {
    const params = second ? unwrap(second) : undefined;
    if (params?.type !== T.ArrayExpression) return undefined;
    values = params.elements.filter((e): e is TSESTree.Expression => !!e && e.type !== T.SpreadElement);
  }
  return { name: name.replace(/"/g, ''), values };
}

/** A database function asked in raw SQL about the user and the tenant the client names: see permissionFunctionChecks. */
function sqlFunctionChecks(flow: Flow, call: TSESTree.CallExpression, sql: { name: string; values: Node[] }, frame: Frame): Check[] {
  const keys = new Set<string>();
  let user: 'verified' | 'untraced' | undefined;
  for (const value of sql.values) {
    if (isLiteral(value)) continue;
    const origin = flow.evaluate(value, frame);
    if (origin.kind === 'client') keys.add(keyOf(origin.source));
    else if (origin.kind === 'trusted') user = 'verified';
  }
  // Positional values carry no names: a user is recognised only when it is the verified identity.
  if (user !== 'verified' || keys.size === 0) return [];
  return [...keys].flatMap((key) => gatesOf(call, key, `the database function \`${sql.name}()\` asked about the user`, true));
}

/**
 * `const access = await requireWorkspaceAccess(req, wsId); if (!access.success) return access.response;`,
 * `if (auth instanceof NextResponse) return auth;`, `if ('error' in r) throw ...`: a project or
 * imported helper handed the client tenant, awaited, whose result is tested for failure in an `if`
 * that exits. The helper is the membership check of the values it is handed, for what follows.
 */
function testedResultChecks(flow: Flow, call: TSESTree.CallExpression, frame: Frame): Check[] {
  const awaited = call.parent;
  if (awaited?.type !== T.AwaitExpression) return [];
  const declarator = awaited.parent;
  if (declarator?.type !== T.VariableDeclarator || declarator.init !== awaited || declarator.id.type !== T.Identifier) return [];
  const keys = new Set<string>();
  for (const arg of call.arguments) {
    if (arg.type === T.SpreadElement) continue;
    const origin = flow.evaluate(arg, frame);
    if (origin.kind === 'client') keys.add(keyOf(origin.source));
    // `verifyWorkspaceMembershipType({ wsId, userId: user.id })`: an options object that names the
    // tenant and the user side by side is the membership question. One that carries the tenant
    // without a user, or only deeper (`sendEmail({ metadata: { wsId, userId } })`), asks something else.
    if (origin.kind === 'object') for (const key of membershipOptions(flow, origin)) keys.add(key);
  }
  if (keys.size === 0 || flow.calleeOf(call, frame).kind === 'none') return [];
  const name = declarator.id.name;
  const scope = enclosingFunction(declarator)?.body;
  if (!scope) return [];
  const checks: Check[] = [];
  walk(scope, (node) => {
    if (node.type !== T.IfStatement || node.range[0] < declarator.range[1] || !testsFailure(node.test, name)) return;
    const exit = exitOf(node.consequent);
    if (!exit) return;
    for (const key of keys) checks.push({ key, gate: node, mode: 'exit', throws: exit === 'throw', what: `a guard helper whose result \`${name}\` is tested`, certain: true });
  });
  return checks;
}


const RESPONSES = new Set(['Response', 'NextResponse']);

/**
 * A helper that returns, rather than throws, when its own check of a client value fails
 * (`if (!membership) return { ok: false }`, `if (!member) return null`), called by a caller that
 * tests the result for that very failure and stops (`if (!access.ok) return 403`, `const { ok } =
 * ...; if (!ok) notFound()`, `if (!permissions) redirect(...)`): the check gates the caller. The
 * failure is read from the helper's own `return` on the failing branch, so a test of something
 * else (`if (!r.data)` when the failure is `{ ok: false }`) or no test gates nothing. Returns the
 * caller's `if` as the gate, naming the helper and its check.
 */
function resultChecks(call: TSESTree.CallExpression, fn: TSESTree.FunctionLike, inner: Check[], helper: string): Check[] {
  const returning = inner.filter((check) => check.mode === 'exit' && !check.throws && (check.failing || check.failures) && enclosingFunction(check.gate) === fn);
  if (returning.length === 0) return [];
  const checks: Check[] = [];
  // `return getPermissionsImpl(args)`: the caller's failures are the callee's, passed on.
  const passed = passedOn(call);
  for (const check of returning) {
    const failures = check.failures ?? failuresOf(check.failing!, fn);
    if (failures.length === 0) continue;
    if (passed) {
      checks.push({ key: check.key, gate: passed, mode: 'exit', throws: false, what: check.what, certain: check.certain, failures });
      continue;
    }
    const result = resultBinding(call);
    if (!result) continue;
    // `return member.ok`: the failure flag handed on as this function's verdict, for its caller to test.
    for (const verdict of flagReturns(result, failures)) checks.push({ key: check.key, gate: verdict, mode: 'verdict', throws: false, what: check.what, certain: check.certain });
    for (const gate of failureTests(result, failures)) {
      checks.push({ key: check.key, gate: gate.node, mode: 'exit', throws: gate.exit === 'throw', what: `\`${helper}()\`, which returns a failure when ${check.what} fails, tested before use`, certain: check.certain && gate.always, failing: gate.node.consequent });
    }
  }
  return checks;
}

/** The `return result.ok` statements of the caller's own function that hand on a failure flag as its verdict. */
function flagReturns(result: ResultBinding, failures: Failure[]): TSESTree.ReturnStatement[] {
  const flags = new Set(failures.flatMap((f) => (f.kind === 'flag' ? [f.name] : [])));
  if (flags.size === 0 || result.name === undefined) return [];
  const fn = enclosingFunction(result.scope);
  const found: TSESTree.ReturnStatement[] = [];
  walk(result.scope, (node) => {
    if (node.type !== T.ReturnStatement || !node.argument || node.range[0] < result.after || enclosingFunction(node) !== fn) return;
    const value = unwrap(node.argument);
    const object = value.type === T.MemberExpression ? unwrap(value.object) : undefined;
    if (value.type === T.MemberExpression && flags.has(memberName(value) ?? '') && object?.type === T.Identifier && object.name === result.name) found.push(node);
  });
  return found;
}

/** The `return` statement that hands the call's result on as the function's own (`return f(x)`, `return await f(x)`). */
function passedOn(call: TSESTree.CallExpression): TSESTree.ReturnStatement | undefined {
  let node: Node = call;
  while (node.parent && (node.parent.type === T.AwaitExpression || node.parent.type === T.TSAsExpression || node.parent.type === T.TSNonNullExpression)) node = node.parent;
  return node.parent?.type === T.ReturnStatement ? node.parent : undefined;
}

/** What the failing branch returns, for each `return` it ends with. */
function failuresOf(branch: Node, fn: TSESTree.FunctionLike): Failure[] {
  const found: Failure[] = [];
  walk(branch, (node) => {
    if (node.type !== T.ReturnStatement || enclosingFunction(node) !== fn) return;
    const value = node.argument ? unwrap(node.argument) : undefined;
    if (!value || (value.type === T.Literal && (value.value === null || value.value === false)) || (value.type === T.Identifier && value.name === 'undefined')) {
      found.push({ kind: 'falsy' });
      return;
    }
    if (value.type === T.ObjectExpression) {
      for (const p of value.properties) {
        if (p.type !== T.Property) continue;
        const name = propertyName(p);
        const v = unwrap(p.value);
        if (name && v.type === T.Literal && v.value === false) found.push({ kind: 'flag', name });
        if (name === 'error') found.push({ kind: 'error' });
      }
      return;
    }
    const built = value.type === T.NewExpression ? unwrap(value.callee) : value.type === T.CallExpression ? unwrap(value.callee) : undefined;
    const cls = built?.type === T.MemberExpression ? unwrap(built.object) : built;
    if (cls?.type === T.Identifier && RESPONSES.has(cls.name)) found.push({ kind: 'response' });
  });
  return found;
}

/** How the caller holds the result: `const access = await f()` (by name) or `const { ok: allowed } = await f()` (by field). */
type ResultBinding = { scope: Node; after: number; name?: string; fields: Map<string, string> };

function resultBinding(call: TSESTree.CallExpression): ResultBinding | undefined {
  let node: Node = call;
  const up = () => {
    while (node.parent && (node.parent.type === T.AwaitExpression || node.parent.type === T.TSAsExpression || node.parent.type === T.TSNonNullExpression)) node = node.parent;
  };
  up();
  // `const [membership, workspace] = await Promise.all([verify(...), ...])`: the element at the call's index.
  let element: number | undefined;
  const list = node.parent;
  if (list?.type === T.ArrayExpression && list.parent?.type === T.CallExpression && list.parent.arguments[0] === list && isPromiseAll(list.parent)) {
    element = list.elements.indexOf(node as TSESTree.Expression);
    node = list.parent;
    up();
  }
  const declarator = node.parent;
  if (declarator?.type !== T.VariableDeclarator || declarator.init !== node) return undefined;
  const scope = enclosingFunction(declarator)?.body;
  if (!scope) return undefined;
  let id: Node | null | undefined = declarator.id;
  if (element !== undefined) id = id.type === T.ArrayPattern ? id.elements[element] : undefined;
  if (!id) return undefined;
  if (id.type === T.Identifier) return { scope, after: declarator.range[1], name: id.name, fields: new Map() };
  if (id.type !== T.ObjectPattern) return undefined;
  const fields = new Map<string, string>();
  for (const p of id.properties) if (p.type === T.Property && p.value.type === T.Identifier) fields.set(p.value.name, propertyName(p) ?? '');
  return { scope, after: declarator.range[1], fields };
}

function isPromiseAll(call: TSESTree.CallExpression): boolean {
  const callee = unwrap(call.callee);
  return callee.type === T.MemberExpression && ['all', 'allSettled'].includes(memberName(callee) ?? '') && unwrap(callee.object).type === T.Identifier && (unwrap(callee.object) as TSESTree.Identifier).name === 'Promise';
}

/**
 * The `if`s after the call that test the result for one of the helper's failures and stop. `always`:
 * the test holds whenever the failure does (`!r.ok`, `!r.ok || other`); a failure tested together
 * with another condition (`!isCreator && !r.ok`) stops only some failing requests: an uncertain check.
 */
function failureTests(result: ResultBinding, failures: Failure[]): { node: TSESTree.IfStatement; exit: 'throw' | 'return'; always: boolean }[] {
  const gates: { node: TSESTree.IfStatement; exit: 'throw' | 'return'; always: boolean }[] = [];
  walk(result.scope, (node) => {
    if (node.type !== T.IfStatement || node.range[0] < result.after) return;
    const matches = (test: Node) => failures.some((failure) => testsFor(test, failure, result));
    const always = disjuncts(node.test).some(matches);
    if (!always && !disjuncts(node.test).some((d) => conjuncts(d).some(matches))) return;
    const exit = exitOf(node.consequent);
    if (exit) gates.push({ node, exit, always });
  });
  return gates;
}

/** `a && b`: all must hold. */
function conjuncts(test: Node): Node[] {
  const node = unwrap(test);
  return node.type === T.LogicalExpression && node.operator === '&&' ? [...conjuncts(node.left), ...conjuncts(node.right)] : [node];
}

/** Is `test` true when the helper returned `failure`? */
function testsFor(test: Node, failure: Failure, result: ResultBinding): boolean {
  const node = unwrap(test);
  const isResult = (n: Node) => {
    const inner = unwrap(n);
    return result.name !== undefined && inner.type === T.Identifier && inner.name === result.name;
  };
  /** `result.name`, `result?.name`, or the local destructured from `name`. */
  const field = (n: Node, name: string): boolean => {
    const inner = unwrap(n.type === T.ChainExpression ? n.expression : n);
    if (inner.type === T.Identifier) return result.fields.get(inner.name) === name;
    return inner.type === T.MemberExpression && memberName(inner) === name && isResult(inner.object);
  };
  const negated = node.type === T.UnaryExpression && node.operator === '!' ? unwrap(node.argument) : undefined;
  /** `result?.ok`, `result?.can('x')`: undefined whenever the result is nullish, so `!` of it holds then. */
  const optionalOnResult = (n: Node): boolean => {
    let link: Node = n.type === T.ChainExpression ? n.expression : n;
    for (;;) {
      if (link.type === T.CallExpression) link = link.callee;
      else if (link.type === T.MemberExpression && isResult(link.object)) return link.optional;
      else if (link.type === T.MemberExpression) link = link.object;
      else return false;
    }
  };
  const nullish = (n: Node) => (n.type === T.Literal && n.value === null) || (n.type === T.Identifier && n.name === 'undefined');
  switch (failure.kind) {
    case 'falsy':
      if (negated && (isResult(negated) || optionalOnResult(negated))) return true;
      return node.type === T.BinaryExpression && (node.operator === '===' || node.operator === '==') && ((isResult(node.left) && nullish(unwrap(node.right))) || (isResult(node.right) && nullish(unwrap(node.left))));
    case 'flag':
      if (negated && field(negated, failure.name)) return true;
      return node.type === T.BinaryExpression && node.operator === '===' && field(node.left, failure.name) && unwrap(node.right).type === T.Literal && (unwrap(node.right) as TSESTree.Literal).value === false;
    case 'error':
      if (field(node, 'error')) return true;
      return node.type === T.BinaryExpression && node.operator === 'in' && node.left.type === T.Literal && node.left.value === 'error' && isResult(node.right);
    case 'response':
      return node.type === T.BinaryExpression && node.operator === 'instanceof' && isResult(node.left) && unwrap(node.right).type === T.Identifier && RESPONSES.has((unwrap(node.right) as TSESTree.Identifier).name);
  }
}

/** `a || b || c`: the request stops when any of them holds. */
function disjuncts(test: Node): Node[] {
  const node = unwrap(test);
  return node.type === T.LogicalExpression && node.operator === '||' ? [...disjuncts(node.left), ...disjuncts(node.right)] : [node];
}
