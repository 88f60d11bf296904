import type { TSESTree } from '@typescript-eslint/types';
import { memberName, T, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import { additionsTo } from '../flow/filled.js';

/**
 * `const conditions = ['s.organization_id = :organizationId']; if (status) conditions.push('s.status = :status');`
 * then `WHERE ${conditions.join(' AND ')}`, directly or through `const whereClause = \`WHERE ${...}\``
 * (verifywise's getScansListQuery): the conditions are joined by `AND`, so the ones the array starts with
 * hold on every path and what is pushed only narrows the rows. The text read in place of the
 * interpolation: the prefix (`WHERE `) and the starting conditions joined by ` AND `, and where the
 * first of them starts in the source. Undefined when a piece may hold an `OR` outside parentheses,
 * the array is filled any other way, or it starts empty.
 */
export function joinedConditions(expression: Node, unit: FileUnit, hasTopLevelOr: (text: string) => boolean, depth = 0): { text: string; start: number } | undefined {
  const node = unwrap(expression);
  if (depth > 2) return undefined;
  if (node.type === T.Identifier) {
    const def = variableOf(unit.scopeManager, node)?.defs[0];
    if (def?.type !== 'Variable' || def.parent.kind !== 'const' || !def.node.init || def.node.id !== def.name) return undefined;
    return joinedConditions(def.node.init, unit, hasTopLevelOr, depth + 1);
  }
  // `WHERE ${conditions.join(' AND ')}`
  if (node.type === T.TemplateLiteral && node.expressions.length === 1 && node.quasis[1]?.value.raw.trim() === '') return prefixed(node.quasis[0]!.value.raw, node.expressions[0]!, unit, hasTopLevelOr);
  // `'WHERE ' + conditions.join(' AND ')`
  if (node.type === T.BinaryExpression && node.operator === '+' && node.left.type === T.Literal && typeof node.left.value === 'string') return prefixed(node.left.value, node.right, unit, hasTopLevelOr);
  return joined(node, unit, hasTopLevelOr);
}

function prefixed(prefix: string, rest: Node, unit: FileUnit, hasTopLevelOr: (text: string) => boolean): { text: string; start: number } | undefined {
  if (!/^\s*where\s*$/i.test(prefix)) return undefined;
  const conditions = joined(unwrap(rest), unit, hasTopLevelOr);
  return conditions && { text: `${prefix}${conditions.text}`, start: conditions.start };
}

function joined(node: Node, unit: FileUnit, hasTopLevelOr: (text: string) => boolean): { text: string; start: number } | undefined {
  if (node.type !== T.CallExpression || node.callee.type !== T.MemberExpression || memberName(node.callee) !== 'join') return undefined;
  const separator = node.arguments[0];
  if (separator?.type !== T.Literal || typeof separator.value !== 'string' || !/^\s*and\s*$/i.test(separator.value)) return undefined;
  const array = unwrap(node.callee.object);
  if (array.type !== T.Identifier) return undefined;
  const def = variableOf(unit.scopeManager, array)?.defs[0];
  const init = def?.type === 'Variable' && def.parent.kind === 'const' && def.node.init ? unwrap(def.node.init) : undefined;
  if (init?.type !== T.ArrayExpression || init.elements.length === 0) return undefined;
  const starts: string[] = [];
  for (const element of init.elements) {
    const text = element && element.type !== T.SpreadElement ? pieceText(element) : undefined;
    if (text === undefined || hasTopLevelOr(text)) return undefined;
    starts.push(text);
  }
  const added = additionsTo(array, unit);
  if (!added || added.some((value) => {
    const text = pieceText(value);
    return text === undefined || hasTopLevelOr(text);
  })) return undefined;
  return { text: starts.map((text) => `(${text})`).join(' AND '), start: (init.elements[0] as TSESTree.Node).range[0] + 1 };
}

/** A condition's text: a string literal, or a template's text with its values left out (they are values, not SQL). */
function pieceText(node: Node): string | undefined {
  const value = unwrap(node);
  if (value.type === T.Literal && typeof value.value === 'string') return value.value;
  if (value.type === T.TemplateLiteral) return value.quasis.map((q) => q.value.raw).join('0');
  return undefined;
}
