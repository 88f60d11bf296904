import type { TSESTree } from '@typescript-eslint/types';
import { enclosingClass, memberName, propertyName, T, unwrap, walk, type Node } from '../../../core/ast.js';
import type { Located } from '../../../core/resolve.js';
import type { ClientTenantFlow as Flow } from '../flow.js';
import { calleeName, calleeText, statementOf } from '../syntax.js';
import { keyOf, type Check, type Frame } from '../types.js';

/*
 * `await this.permissionService.validPermissions(spaceId, ['space|delete'])` as a statement of its
 * own (teable, judged G076): a project method named as an authorization check, handed the client's
 * id, that reads the verified identity itself (from the request's store, `this.cls.get('user.id')`)
 * somewhere below it and throws when the check fails. Such resolvers run several calls deep
 * (validPermissions -> getPermissions -> getRoleBySpaceId -> the collaborator lookup), beyond what
 * the value flow follows, so the shape is read instead: the name says what it checks, the identity
 * read below it says for whom, the `throw` says it stops the request. A helper that reads no
 * identity (an input validator, `validateSpaceName(spaceId)`) or never throws is no check.
 */

/** Named as a check (`assert`, `check`, `valid`...) and for authorization (`Permission`, `Access`, `Member`...). */
const CHECK_NAME = /^(assert|ensure|check|require|verify|valid|validate|authori[sz]e|guard|enforce|must)[A-Z_]/;
const AUTHZ_WORDS = new Set(['Permission', 'Permissions', 'Access', 'Member', 'Membership', 'Owner', 'Ownership', 'Role', 'Roles', 'Authorized', 'Allowed', 'Policy', 'Ability', 'Collaborator']);

/** How many project functions below the check are read, and how deep. */
const MAX_DEPTH = 6;
const MAX_FUNCTIONS = 40;

export function authorizationCallChecks(flow: Flow, call: TSESTree.CallExpression, frame: Frame): Check[] {
  const name = calleeName(call);
  if (!name || !CHECK_NAME.test(name) || !name.split(/(?=[A-Z])/).some((word) => AUTHZ_WORDS.has(word))) return [];
  // Awaited or called as a statement of its own: its throw stops the caller.
  const statement = statementOf(call);
  if (statement?.type !== T.ExpressionStatement) return [];
  const keys = new Set<string>();
  for (const arg of call.arguments) {
    if (arg.type === T.SpreadElement) continue;
    const origin = flow.evaluate(arg, frame);
    if (origin.kind === 'client' && flow.isTenantSource(origin.source)) keys.add(keyOf(origin.source));
  }
  if (keys.size === 0) return [];
  const callee = flow.calleeOf(call, frame);
  if (callee.kind !== 'function') return [];
  const read = identityBelow(flow, callee.fn);
  if (!read || !throwsIn(callee.fn.node)) return [];
  const what = `the authorization check \`${calleeText(call, frame.unit)}()\`, which reads the verified identity (${read}) and throws`;
  return [...keys].map((key) => ({ key, gate: statement, mode: 'exit', throws: true, what, certain: true }));
}

/** Where the function, or a project function it calls (bounded), reads the verified identity. */
function identityBelow(flow: Flow, start: Located<TSESTree.FunctionLike>): string | undefined {
  const seen = new Set<Node>([start.node]);
  let queue: Located<TSESTree.FunctionLike>[] = [start];
  for (let depth = 0; depth < MAX_DEPTH && queue.length > 0; depth++) {
    const next: Located<TSESTree.FunctionLike>[] = [];
    for (const fn of queue) {
      if (!fn.node.body) continue;
      const frame: Frame = { unit: fn.unit, env: flow.top };
      let found: string | undefined;
      walk(fn.node.body, (node) => {
        if (found || node.type !== T.CallExpression) return;
        const callee = ownMethod(node, fn) ?? flow.calleeOf(node, frame);
        // A project function is read in turn, not evaluated (that would follow it once more).
        if (callee.kind === 'function') {
          if (!seen.has(callee.fn.node) && seen.size < MAX_FUNCTIONS) {
            seen.add(callee.fn.node);
            next.push(callee.fn);
          }
          return;
        }
        const origin = flow.evaluate(node, frame);
        if (origin.kind === 'trusted') found = `\`${calleeText(node, fn.unit)}()\`: ${origin.why}`;
      });
      if (found) return found;
    }
    queue = next;
  }
  return undefined;
}

/** `this.getPermissions(...)`: a method of the class the function is a method of. */
function ownMethod(call: TSESTree.CallExpression, fn: Located<TSESTree.FunctionLike>): { kind: 'function'; fn: Located<TSESTree.FunctionLike> } | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression || unwrap(callee.object).type !== T.ThisExpression) return undefined;
  const name = memberName(callee);
  const cls = fn.node.parent?.type === T.MethodDefinition ? enclosingClass(fn.node.parent) : undefined;
  for (const element of cls?.body.body ?? []) {
    if (element.type === T.MethodDefinition && propertyName(element) === name && element.value.body) return { kind: 'function', fn: { node: element.value, unit: fn.unit } };
  }
  return undefined;
}

function throwsIn(fn: TSESTree.FunctionLike): boolean {
  let found = false;
  if (fn.body) walk(fn.body, (node) => {
    if (node.type === T.ThrowStatement) found = true;
  });
  return found;
}
