import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, unwrap, variableOf, type FileUnit, type Node } from '../../../core/ast.js';

/*
 * A read whose rows never leave the code: only whether it found something is used (`if
 * (result.rowCount > 0)`, `publicPages > 0`, `!member`). Such a read is a check, not a use of the
 * tenant's data: AFFiNE's `workspacePage.count({ where: { workspaceId, public: true } })` answering
 * "does this workspace share a page?", worklenz's login asking whether the invitation's team member
 * has the authenticated email. The client learns one bit at most, and whatever the answer gates is a
 * sink of its own, judged on its own: the read is a check only if it pins the verified user.
 */

/** Counts and sizes of a result: a number, not rows. */
const SIZE = new Set(['rowCount', 'length', 'count', 'size', '_count']);
const COMPARISON = new Set(['===', '!==', '==', '!=', '<', '<=', '>', '>=']);

/** Is every use of what `call` returns a test of whether it found anything? */
export function onlyTested(call: Node, unit: FileUnit): boolean {
  const holder = climb(call);
  const parent = holder.parent;
  if (!parent) return false;
  // `const [a, b] = await Promise.all([check(), db.count(...)])`: the element's own name.
  if (parent.type === T.ArrayExpression) {
    const index = parent.elements.indexOf(holder as TSESTree.Expression);
    const all = parent.parent;
    if (index < 0 || all?.type !== T.CallExpression || !isPromiseAll(all)) return false;
    const declarator = climb(all).parent;
    if (declarator?.type !== T.VariableDeclarator || declarator.id.type !== T.ArrayPattern) return false;
    const element = declarator.id.elements[index];
    return element?.type === T.Identifier && usesTested(element, unit);
  }
  if (parent.type === T.VariableDeclarator && parent.init === holder) {
    if (parent.id.type === T.Identifier) return usesTested(parent.id, unit);
    if (parent.id.type === T.ObjectPattern) {
      return parent.id.properties.every((p) => p.type === T.Property && p.value.type === T.Identifier && SIZE.has(propertyName(p) ?? '') && usesTested(p.value, unit));
    }
    return false;
  }
  return tested(holder);
}

function isPromiseAll(call: TSESTree.CallExpression): boolean {
  const callee = unwrap(call.callee);
  return callee.type === T.MemberExpression && memberName(callee) === 'all' && unwrap(callee.object).type === T.Identifier && (unwrap(callee.object) as TSESTree.Identifier).name === 'Promise';
}

/** Up through `await`, casts and `!`, to the node whose parent uses the value. */
function climb(node: Node): Node {
  let at = node;
  while (at.parent && (at.parent.type === T.AwaitExpression || at.parent.type === T.TSAsExpression || at.parent.type === T.TSNonNullExpression || at.parent.type === T.ChainExpression || at.parent.type === T.TSSatisfiesExpression)) at = at.parent;
  return at;
}

/** Every read of the variable (there may be none) is a test. */
function usesTested(id: TSESTree.Identifier, unit: FileUnit): boolean {
  const variable = variableOf(unit.scopeManager, id);
  if (!variable || variable.defs.length !== 1) return false;
  return variable.references.every((ref) => ref.identifier === id || (ref.isReadOnly() && tested(ref.identifier)));
}

/** `x`, `x.rowCount`, `x.length` used only as a condition or compared. */
function tested(node: Node): boolean {
  let at = climb(node);
  // `result.rows.length`: the rows' count, not the rows.
  const rows = at.parent?.type === T.MemberExpression && at.parent.object === at && memberName(at.parent) === 'rows' ? at.parent : undefined;
  if (rows?.parent?.type === T.MemberExpression && rows.parent.object === rows && SIZE.has(memberName(rows.parent) ?? '')) at = rows;
  while (at.parent?.type === T.MemberExpression && at.parent.object === at && SIZE.has(memberName(at.parent) ?? '')) at = climb(at.parent);
  return isCondition(at);
}

function isCondition(at: Node): boolean {
  const parent = at.parent;
  if (!parent) return false;
  switch (parent.type) {
    case T.UnaryExpression:
      return parent.operator === '!';
    case T.BinaryExpression:
      return COMPARISON.has(parent.operator);
    case T.IfStatement:
    case T.ConditionalExpression:
    case T.WhileStatement:
    case T.DoWhileStatement:
      return parent.test === at;
    case T.LogicalExpression:
      // `a.rowCount && a.rowCount > 0` in a condition: the whole expression must be one.
      return isCondition(climb(parent));
    case T.CallExpression: {
      const callee = unwrap(parent.callee);
      return callee.type === T.Identifier && callee.name === 'Boolean';
    }
    default:
      return false;
  }
}
