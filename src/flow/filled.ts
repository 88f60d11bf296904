import type { TSESTree } from '@typescript-eslint/types';
import { enclosingFunction, memberName, propertyName, T, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';

/**
 * Values a function builds up before it uses them: a collection filled by `add`/`push`, a filter
 * object filled by `where.key = value`, a `let` written more than once. What a policy or a filter
 * dialect makes of the values is theirs; this only says what was put in, and whether it is put in
 * on every path to a use.
 */

/** `new Set()`, `new Map()`, `[]`: a collection that holds only what is added to it later. */
export function isEmptyCollection(init: Node): boolean {
  if (init.type === T.ArrayExpression) return init.elements.length === 0;
  return init.type === T.NewExpression && init.callee.type === T.Identifier && (init.callee.name === 'Set' || init.callee.name === 'Map') && init.arguments.length === 0;
}

const ADDS = new Set(['add', 'push', 'unshift', 'set']);
/** Reads of a collection that hand it to nobody who could fill it. */
const COPIES = new Set(['from', 'isArray']);

/**
 * The values added to the collection `name` is bound to (`ids.add(v)`, `ids.push(...vs)`), when every
 * other use only reads it (`Array.from(ids)`, `[...ids]`, `ids.size`); undefined when a use could
 * fill it some other way (handed to a function, reassigned). `use`, when given, is the one place the
 * caller reads it from (`find({ where: parts })`), which is not a hand-over.
 */
export function additionsTo(name: TSESTree.Identifier, unit: FileUnit, use?: Node): Node[] | undefined {
  return pushesTo(name, unit, use)?.map((push) => push.value);
}

/** Each value added to the collection, with the call that adds it. */
export function pushesTo(name: TSESTree.Identifier, unit: FileUnit, at?: Node): { value: Node; call: TSESTree.CallExpression }[] | undefined {
  const variable = variableOf(unit.scopeManager, name);
  if (!variable) return undefined;
  const added: { value: Node; call: TSESTree.CallExpression }[] = [];
  for (const reference of variable.references) {
    if (reference.init) continue;
    if (reference.isWrite()) return undefined;
    const use = reference.identifier as Node;
    // The query this filter is read for, or another read of it (`count({ where: parts })` before `find({ where: parts })`).
    if (use === at || (at && readOnlyUse(use))) continue;
    // `return { previousPost, posts }`: handed to the caller when this function is done with it.
    if (returnedByOwner(use, (variable.defs[0]?.name as Node | undefined) ?? name)) continue;
    const parent = use.parent;
    if (parent?.type === T.MemberExpression && parent.object === use) {
      const method = memberName(parent) ?? '';
      const call = parent.parent;
      if (ADDS.has(method) && call?.type === T.CallExpression && call.callee === parent) {
        for (const arg of call.arguments) added.push({ value: arg.type === T.SpreadElement ? arg.argument : arg, call });
      }
      continue;
    }
    if (parent?.type === T.SpreadElement) continue;
    if (parent?.type === T.CallExpression && parent.callee.type === T.MemberExpression && COPIES.has(memberName(parent.callee) ?? '') && parent.arguments.includes(use as TSESTree.CallExpressionArgument)) continue;
    if (parent?.type === T.NewExpression && parent.callee.type === T.Identifier && (parent.callee.name === 'Set' || parent.callee.name === 'Array')) continue;
    return undefined;
  }
  return added;
}

/** A use inside a `return` of the function that declares the collection: nothing in it reads the collection after. */
function returnedByOwner(use: Node, declared: Node): boolean {
  for (let node: Node | undefined = use.parent; node; node = node.parent) {
    if (node.type === T.FunctionDeclaration || node.type === T.FunctionExpression || node.type === T.ArrowFunctionExpression) return false;
    if (node.type === T.ReturnStatement) return enclosingFunction(node) === enclosingFunction(declared);
  }
  return false;
}

/** A key written into a filter object after it was made (`where.projectId = x`), and whether every path to the use writes it. */
export interface AssignedKey {
  key: string;
  value: Node;
  /** Written on every path from the object's declaration to the use (both arms of an `if`/`else`, or unconditionally). */
  definite: boolean;
}

/**
 * `const where: any = {}; if (a) { ...; where.projectId = id } else { where.projectId = { in: ids } }`,
 * then `findMany({ where })` (openpanel's listReferences): the keys written into the object `name`
 * holds before `use`, in the function that declares it. Undefined when something else could change
 * it: a computed key (`where[k] = v`), a `delete`, the object handed to a function or reassigned, a
 * write from another function.
 */
export function assignedKeys(name: TSESTree.Identifier, unit: FileUnit, use: Node): AssignedKey[] | undefined {
  const variable = variableOf(unit.scopeManager, name);
  const declared = variable?.defs[0]?.name as Node | undefined;
  if (!variable || !declared) return undefined;
  const owner = enclosingFunction(declared);
  const keys: AssignedKey[] = [];
  for (const reference of variable.references) {
    if (reference.init) continue;
    if (reference.isWrite()) return undefined;
    const at = reference.identifier as Node;
    if (at === use) continue;
    const parent = at.parent;
    if (parent?.type !== T.MemberExpression || parent.object !== at) {
      // `{ where }` or `where` handed to the query itself, read once more (`count({ where })`): not a change.
      if (readOnlyUse(at)) continue;
      return undefined;
    }
    const outer = parent.parent;
    if (outer?.type === T.UnaryExpression && outer.operator === 'delete') return undefined;
    if (outer?.type === T.AssignmentExpression && outer.left === parent) {
      const key = parent.computed ? undefined : memberName(parent);
      if (!key || outer.operator !== '=' || enclosingFunction(outer) !== owner) return undefined;
      if (outer.range[0] > use.range[0]) continue;
      keys.push({ key, value: outer.right, definite: writtenOnEveryPath(outer, use, (statement) => assigns(statement, variable, key)) });
      continue;
    }
    // `where.AND.push(...)`, `where.x.y = v`: a change below a key.
    if (outer?.type === T.MemberExpression || outer?.type === T.CallExpression) return undefined;
  }
  return keys;
}

/** The filter object passed on as a value (`{ where }`, `where: where`) where nothing can write to it. */
function readOnlyUse(at: Node): boolean {
  const parent = at.parent;
  if (parent?.type === T.Property && parent.value === at) {
    const object = parent.parent;
    const call = object?.parent;
    return object?.type === T.ObjectExpression && call?.type === T.CallExpression && call.arguments.includes(object as TSESTree.CallExpressionArgument) && (propertyName(parent) === 'where' || propertyName(parent) === 'filter');
  }
  return false;
}

/** `where.key = v;` as a statement, or a block / `if`-`else` that runs one on every path through it. */
function assigns(statement: Node, variable: NonNullable<ReturnType<typeof variableOf>>, key: string): boolean {
  if (statement.type === T.ExpressionStatement) {
    const expression = unwrap(statement.expression);
    if (expression.type !== T.AssignmentExpression || expression.operator !== '=' || expression.left.type !== T.MemberExpression) return false;
    const object = unwrap(expression.left.object);
    return object.type === T.Identifier && variable.references.some((r) => r.identifier === object) && !expression.left.computed && memberName(expression.left) === key;
  }
  if (statement.type === T.BlockStatement) return statement.body.some((inner) => assigns(inner, variable, key));
  if (statement.type === T.IfStatement) return Boolean(statement.alternate) && assigns(statement.consequent, variable, key) && assigns(statement.alternate!, variable, key);
  return false;
}

/**
 * Every path that reaches `use` runs a statement `writes` accepts first: one of the statements before
 * `use` in a block that holds it (climbing out to the function), whether plain or an `if`/`else`
 * whose both arms write. `write` is only a hint that some write exists.
 */
export function writtenOnEveryPath(write: Node, use: Node, writes: (statement: Node) => boolean): boolean {
  const fn = enclosingFunction(write);
  for (let node: Node = use; node.parent && node !== fn; node = node.parent) {
    const parent: Node = node.parent;
    const body = parent.type === T.BlockStatement || parent.type === T.Program ? parent.body : undefined;
    if (!body) continue;
    for (const statement of body) {
      if (statement === node) break;
      if (writes(statement as Node)) return true;
    }
  }
  return false;
}

/**
 * Every value a `let` holds (`let ids = rows.map((r) => r.id); ids = ids.filter(...)`): its
 * initializer and each value written with `=`, or undefined when it is written any other way
 * (`+=`, destructuring, `for ... of`). A `let` with no initializer holds only what is written.
 */
export function writtenValues(name: TSESTree.Identifier, unit: FileUnit): Node[] | undefined {
  const variable = variableOf(unit.scopeManager, name);
  const def = variable?.defs[0];
  if (!variable || def?.type !== 'Variable' || def.node.type !== T.VariableDeclarator || def.node.id.type !== T.Identifier || def.parent?.type !== T.VariableDeclaration || def.parent.kind !== 'let') return undefined;
  if (def.parent.parent?.type === T.ForOfStatement || def.parent.parent?.type === T.ForInStatement) return undefined;
  const values: Node[] = def.node.init ? [def.node.init] : [];
  for (const reference of variable.references) {
    if (!reference.isWrite() || reference.init) continue;
    const assignment = (reference.identifier as Node).parent;
    if (assignment?.type !== T.AssignmentExpression || assignment.operator !== '=' || assignment.left !== reference.identifier) return undefined;
    values.push(assignment.right);
  }
  return values;
}

/** Array methods that hand back elements of the array they are called on, unchanged. */
export const KEEPS_ELEMENTS = new Set(['filter', 'find', 'findLast', 'slice', 'sort', 'toSorted', 'reverse', 'toReversed', 'at']);

/**
 * `let ids = audience.templates.map((t) => t.id)`, later only narrowed (`ids = ids.filter(...)`,
 * laudspeaker's moveCustomer): what the `let` started with, since every later value is a part of it.
 * Undefined for anything else written to it.
 */
export function narrowedFrom(name: TSESTree.Identifier, unit: FileUnit): Node | undefined {
  const values = writtenValues(name, unit);
  const [init, ...later] = values ?? [];
  if (!init) return undefined;
  const narrows = (value: Node): boolean => {
    const call = unwrap(value);
    if (call.type !== T.CallExpression || call.callee.type !== T.MemberExpression || !KEEPS_ELEMENTS.has(memberName(call.callee) ?? '')) return false;
    const object = unwrap(call.callee.object);
    return object.type === T.Identifier && object.name === name.name && variableOf(unit.scopeManager, object) === variableOf(unit.scopeManager, name);
  };
  return later.every(narrows) ? init : undefined;
}
