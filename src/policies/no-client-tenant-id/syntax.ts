import type { TSESTree } from '@typescript-eslint/types';
import { memberName, T, unwrap, type FileUnit, type Node } from '../../core/ast.js';

/** String methods that return (a form of) the same value. */
export const TRANSPARENT_METHODS = new Set(['trim', 'trimStart', 'trimEnd', 'toLowerCase', 'toUpperCase', 'toString', 'valueOf', 'normalize', 'toLocaleLowerCase', 'toLocaleUpperCase', 'at']);
export const TRANSPARENT_FUNCTIONS = new Set(['String', 'Number', 'BigInt', 'parseInt', 'decodeURIComponent', 'decodeURI']);
/** Validation keeps the client's value: `schema.parse(req.body)` is still the body. */
export const VALIDATORS = new Set(['parse', 'parseAsync', 'validateSync', 'validate', 'validateAsync', 'cast', 'assert']);
export const SAFE_PARSE = new Set(['safeParse', 'safeParseAsync']);
export const ARRAY_CALLBACKS = new Set(['some', 'every', 'find', 'findIndex', 'filter', 'map', 'forEach', 'flatMap']);

/** `'default'`, `42`, `null`, a template with no expressions: a constant, never an identity. */
export function isLiteral(node: Node): boolean {
  const value = unwrap(node);
  return value.type === T.Literal || (value.type === T.TemplateLiteral && value.expressions.length === 0) || (value.type === T.Identifier && value.name === 'undefined');
}

/** `teamId`, `input.teamId`, `String(orgId)`, `slug.trim()`: a variable or a member chain, no helper call. */
export function isPlainValue(node: Node): boolean {
  const value = unwrap(node);
  if (value.type === T.Identifier) return true;
  if (value.type === T.MemberExpression) return isPlainValue(value.object);
  if (value.type !== T.CallExpression || !value.arguments[0] && value.callee.type !== T.MemberExpression) return false;
  const callee = unwrap(value.callee);
  if (callee.type === T.Identifier) return TRANSPARENT_FUNCTIONS.has(callee.name) && value.arguments[0] !== undefined && isPlainValue(value.arguments[0]);
  return callee.type === T.MemberExpression && TRANSPARENT_METHODS.has(memberName(callee) ?? '') && isPlainValue(callee.object);
}

export function numericName(node: TSESTree.MemberExpression): string | undefined {
  return node.computed && node.property.type === T.Literal && typeof node.property.value === 'number' ? String(node.property.value) : undefined;
}

export function calleeText(call: TSESTree.CallExpression, unit: FileUnit): string {
  return unit.text.slice(call.callee.range[0], call.callee.range[1]).replace(/\s+/g, '');
}

export function calleeName(call: TSESTree.CallExpression): string | undefined {
  const callee = unwrap(call.callee);
  if (callee.type === T.Identifier) return callee.name;
  return callee.type === T.MemberExpression ? memberName(callee) : undefined;
}

export function within(inner: Node, outer: Node): boolean {
  return inner.range[0] >= outer.range[0] && inner.range[1] <= outer.range[1];
}

/** The statement that holds `node`: what runs before the code after it. */
export function statementOf(node: Node): Node {
  let current: Node = node;
  while (current.parent && current.parent.type !== T.BlockStatement && current.parent.type !== T.Program && current.parent.type !== T.SwitchCase) {
    if (current.parent.type === T.ArrowFunctionExpression || current.parent.type === T.FunctionExpression || current.parent.type === T.FunctionDeclaration) break;
    current = current.parent;
  }
  return current;
}

/** `createContext` for `export const createContext = async () => ...` or `function createContext() {}`. */
export function functionName(fn: TSESTree.FunctionLike): string | undefined {
  if ((fn.type === T.FunctionDeclaration || fn.type === T.FunctionExpression) && fn.id) return fn.id.name;
  return fn.parent?.type === T.VariableDeclarator && fn.parent.id.type === T.Identifier ? fn.parent.id.name : undefined;
}

export function isFunction(node: Node): node is TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression {
  return node.type === T.FunctionDeclaration || node.type === T.FunctionExpression || node.type === T.ArrowFunctionExpression;
}

/** `Promise.all([...])`: its result is the list of its elements' results, in order. */
export function isPromiseAll(call: TSESTree.CallExpression): boolean {
  const callee = unwrap(call.callee);
  const object = callee.type === T.MemberExpression ? unwrap(callee.object) : undefined;
  return callee.type === T.MemberExpression && memberName(callee) === 'all' && object?.type === T.Identifier && object.name === 'Promise';
}
