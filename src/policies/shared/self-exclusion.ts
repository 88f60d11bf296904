import { T, unwrap, type Node } from '../../core/ast.js';

/**
 * `if (ctx.state.admin.id === admin.id) throw new RequestError('You cannot add yourself')` (parcelvoy's
 * ProjectAdminController): a test that exits when the row IS the caller's excludes only the caller's own
 * row, and every other row, of any tenant, passes. It checks nothing about access: not a guard. A test
 * made only of equalities (`===`, `==`) between the row and the verified identity is that shape; an
 * inequality (`row.userId !== me.id`, the ownership test) or any other conjunct is read as before.
 */
export function excludesOnlyTheCaller(test: Node, mentionsRow: (side: Node) => boolean, isIdentity: (side: Node) => boolean): boolean {
  const plain = unwrap(test);
  if (plain.type === T.LogicalExpression && plain.operator === '||') {
    return excludesOnlyTheCaller(plain.left, mentionsRow, isIdentity) && excludesOnlyTheCaller(plain.right, mentionsRow, isIdentity);
  }
  if (plain.type !== T.BinaryExpression || (plain.operator !== '===' && plain.operator !== '==')) return false;
  const sides = [plain.left as Node, plain.right as Node];
  return sides.some((side) => mentionsRow(side) && !isIdentity(side)) && sides.some((side) => !mentionsRow(side) && isIdentity(side));
}
