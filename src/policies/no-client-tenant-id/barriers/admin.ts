import type { TSESTree } from '@typescript-eslint/types';
import { enclosingFunction, memberName, T, unwrap, walk, type Node } from '../../../core/ast.js';
import { methodOf } from '../../../core/syntax.js';
import type { ClientTenantFlow as Flow } from '../flow.js';
import { calleeName, statementOf, within } from '../syntax.js';
import { Env, type Check, type Frame } from '../types.js';
import { gatesOf } from './gates.js';

/*
 * Code only instance operators reach (an admin console): choosing any tenant is what it is for.
 * Shared with require-tenant-filter through `isAdminOnly` (see index.ts).
 */

/** Admin checks (see `adminChecksIn`): a flag of the verified identity, a role field and its values, a helper. */
const ADMIN_FLAG = /^(is_?|has_?)?(super_?|site_?|system_?|global_?|platform_?|instance_?)?(admin|administrator|superuser|staff)(_?access)?$/i;
const ROLE_FIELD = /^(roles?|global_?roles?|system_?roles?|user_?roles?|platform_?roles?)$/i;
const ADMIN_ROLE = /^(super_?|site_?|system_?|global_?|platform_?|instance_?)?(admin|administrator|superuser|staff)$/i;
const ADMIN_HELPER = /^(is|has|assert|require|ensure|check)_?(super_?|site_?|system_?|global_?|platform_?|instance_?)?(admin|administrator|superuser|staff)(_?user|_?role|_?access)?$/i;
const ADMIN_KEY = 'admin';

/**
 * Does only an instance operator reach `at`? True when a function that holds it is guarded by a
 * middleware, guard or earlier handler with an admin check that stops the request (see
 * `adminChecksIn`), or has such a check itself before `at`.
 */
export function isAdminOnly(flow: Flow, at: Node): boolean {
  const frame: Frame = { unit: flow.context.unit, env: flow.top };
  const functions: TSESTree.FunctionLike[] = [];
  if (at.type === T.FunctionDeclaration || at.type === T.FunctionExpression || at.type === T.ArrowFunctionExpression) functions.push(at);
  for (let fn = enclosingFunction(at); fn; fn = enclosingFunction(fn)) functions.push(fn);
  for (const fn of functions) {
    if (adminGuardedBefore(flow, fn, frame)) return true;
    const own = adminChecksIn(flow, fn, frame);
    if (own.some((check) => check.mode === 'exit' && (at === fn || (check.gate.range[1] <= at.range[0] && check.gate.parent !== undefined && within(at, check.gate.parent))))) return true;
  }
  return false;
}

export function adminGuardedBefore(flow: Flow, fn: TSESTree.FunctionLike, frame: Frame): boolean {
  const cached = flow.adminGuarded.get(fn);
  if (cached !== undefined) return cached;
  flow.adminGuarded.set(fn, false);
  const http = flow.http(frame);
  let guarded = false;
  for (const recognizer of flow.models.http.recognizers) {
    for (const guard of recognizer.guards?.(fn, http) ?? []) {
      if (guarded) break;
      const env = new Env(flow.top, guard.fn.node, guard.params.map((p) => (p ? flow.fromHttp(p, guard.fn.node, guard.fn.unit, flow.top) : undefined)));
      const checks = adminChecksIn(flow, guard.fn.node, { unit: guard.fn.unit, env });
      guarded = checks.some((check) => check.mode === 'exit' || (guard.decides && check.mode === 'verdict'));
    }
  }
  flow.adminGuarded.set(fn, guarded);
  return guarded;
}

/**
 * Admin checks of the verified identity in a function, with how they stop the request: a flag
 * (`ctx.user.isAdmin`, `req.user.isSuperAdmin`, `session.user.isStaff`), a role
 * (`user.roles.includes('ADMIN')`, `user.roles.includes(Role.ADMIN)`, `user.role === 'admin'`)
 * or a helper named for the check and given the identity (`isAdmin(ctx.user)`,
 * `assertSuperAdmin(session)`). The object must be the verified identity: a membership row's
 * role is a role inside one tenant, not over all of them.
 */
export function adminChecksIn(flow: Flow, scope: TSESTree.FunctionLike, frame: Frame): Check[] {
  const body = scope.body;
  if (!body) return [];
  const checks: Check[] = [];
  const what = 'an admin check of the verified identity';
  const verified = (node: Node) => flow.evaluate(node, frame).kind === 'trusted';
  walk(body, (node) => {
    if (node.type === T.MemberExpression && ADMIN_FLAG.test(memberName(node) ?? '') && !(node.parent?.type === T.CallExpression && node.parent.callee === node) && verified(node.object)) {
      checks.push(...gatesOf(node, ADMIN_KEY, what, true));
    }
    if (node.type === T.BinaryExpression && ['===', '!==', '==', '!='].includes(node.operator)) {
      const pair = [[node.left, node.right], [node.right, node.left]] as const;
      if (pair.some(([role, value]) => role.type === T.MemberExpression && ROLE_FIELD.test(memberName(role) ?? '') && isAdminRole(value) && verified(role.object))) checks.push(...gatesOf(node, ADMIN_KEY, what, true));
      // `ctx.session.user.email !== env.ADMIN_EMAIL` (useSend's adminProcedure): the one operator the server's
      // environment names; no request chooses it.
      else if (pair.some(([mine, other]) => mine.type === T.MemberExpression && OWN_FIELD.test(memberName(mine) ?? '') && environmentSetting(other) && verified(mine))) checks.push(...gatesOf(node, ADMIN_KEY, 'a comparison of the verified identity with the operator the environment names', true));
    }
    if (node.type !== T.CallExpression) return;
    const name = calleeName(node) ?? '';
    const target = methodOf(node);
    if (target && ['includes', 'has', 'indexOf'].includes(target.method) && node.arguments[0] && isAdminRole(node.arguments[0])) {
      const roles = unwrap(target.receiver);
      if (roles.type === T.MemberExpression && ROLE_FIELD.test(memberName(roles) ?? '') && verified(roles.object)) checks.push(...gatesOf(node, ADMIN_KEY, what, true));
      return;
    }
    const helper = ADMIN_HELPER.exec(name);
    if (!helper || !node.arguments.some((arg) => arg.type !== T.SpreadElement && verified(arg))) return;
    // `await assertAdmin(user)` throws; `isAdmin(user)` returns the verdict for an `if` to test.
    if (/^(assert|require|ensure|check)/i.test(name)) checks.push({ key: ADMIN_KEY, gate: statementOf(node), mode: 'exit', throws: true, what, certain: true });
    else checks.push(...gatesOf(node, ADMIN_KEY, what, true));
  });
  return checks;
}

const OWN_FIELD = /^(email|id|userId|user_id|sub)$/i;

/** `process.env.ADMIN_EMAIL`, `env.ADMIN_EMAIL`: a setting of the server's environment, in capitals. */
function environmentSetting(node: Node): boolean {
  const value = unwrap(node);
  if (value.type !== T.MemberExpression || !/^[A-Z][A-Z0-9_]*$/.test(memberName(value) ?? '')) return false;
  const object = unwrap(value.object);
  if (object.type === T.Identifier) return /^(env|ENV)$/.test(object.name);
  return object.type === T.MemberExpression && memberName(object) === 'env' && unwrap(object.object).type === T.Identifier && (unwrap(object.object) as TSESTree.Identifier).name === 'process';
}

/** `'ADMIN'`, `Role.ADMIN`, `UserRole.SuperAdmin`: a value that names the admin role. */
function isAdminRole(node: Node): boolean {
  const value = unwrap(node);
  if (value.type === T.Literal && typeof value.value === 'string') return ADMIN_ROLE.test(value.value);
  return value.type === T.MemberExpression && ADMIN_ROLE.test(memberName(value) ?? '');
}
