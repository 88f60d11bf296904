import { findByName, propertyName, T, unwrap, type FileUnit, type Node } from '../../core/ast.js';
import type { TSESTree } from '@typescript-eslint/types';
import { identityRead, memberPath } from '../../core/identity.js';

const USER_ID_FIELD = /^(id|userId|user_id|uid)$/;

/**
 * `const { userId, organizationId } = req` (verifywise's controllers, judged own-user-row
 * approvalRequest.ctrl.ts:556), `const { id } = req.user`: a local destructured, once, out of the
 * verified request carrier or session, reading the user's id. The same value as `req.userId` or
 * `req.user.id` read in place (src/core/identity.ts identityRead); `const { userId } = req.params`
 * or `= req.body` is the client's choice (identityRead refuses client parts).
 */
export function destructuredUserId(identifier: TSESTree.Identifier, unit: FileUnit): boolean {
  const variable = findByName(unit.scopeManager, identifier, identifier.name);
  const def = variable?.defs.length === 1 ? variable.defs[0] : undefined;
  if (!variable || def?.type !== 'Variable' || def.node.type !== T.VariableDeclarator || def.node.id.type !== T.ObjectPattern || !def.node.init) return false;
  // Bound once: a later assignment could hold anything.
  if (variable.references.some((ref) => ref.isWrite() && !ref.init)) return false;
  const base = memberPath(unwrap(def.node.init));
  if (!base) return false;
  for (const property of def.node.id.properties) {
    if (property.type !== T.Property || property.computed) continue;
    const target: Node = property.value.type === T.AssignmentPattern ? property.value.left : property.value;
    if (target !== def.name) continue;
    const key = propertyName(property);
    if (!key || !USER_ID_FIELD.test(key)) return false;
    const read = identityRead([...base, key]);
    return Boolean(read && read.via !== 'name' && read.field.length === 1);
  }
  return false;
}
