import type { TypeOracle } from './types.js';
import type { TSESTree } from '@typescript-eslint/types';
import { AST_NODE_TYPES } from '@typescript-eslint/types';
import type { ScopeManager, Scope, Variable } from '@typescript-eslint/scope-manager';
import { visitorKeys } from '@typescript-eslint/visitor-keys';

export { AST_NODE_TYPES as T };
export type Node = TSESTree.Node;

/** One parsed file with its scopes: what ESLint hands a rule, and what the scanner builds itself. */
export interface FileUnit {
  /** Absolute path. */
  file: string;
  text: string;
  ast: TSESTree.Program;
  scopeManager: ScopeManager;
  /** Type information for this file's nodes, when the face has a TypeScript program. */
  types?: TypeOracle;
}

/**
 * Visits every node once, depth first, setting `parent` on the way down (typescript-estree does
 * not set it; ESLint does, and setting it again is harmless).
 */
export function walk(root: Node, enter: (node: Node) => void): void {
  // Plain property reads and an inlined node test: this runs over every node of every parsed file
  // (parent pointers) and of every helper searched, 3 to 5 % of a scan's CPU with Reflect calls.
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (!node) break;
    enter(node);
    const keys = visitorKeys[node.type];
    if (!keys) continue;
    const fields = node as unknown as Record<string, unknown>;
    for (let k = keys.length - 1; k >= 0; k--) {
      const child = fields[keys[k]];
      if (typeof child !== 'object' || child === null) continue;
      if (Array.isArray(child)) {
        for (let i = child.length - 1; i >= 0; i--) {
          const item: unknown = child[i];
          if (isNode(item)) {
            if (item.parent !== node) (item as { parent: Node }).parent = node;
            stack.push(item);
          }
        }
      } else if (isNode(child)) {
        if (child.parent !== node) (child as { parent: Node }).parent = node;
        stack.push(child);
      }
    }
  }
}

const sortedKeys = new Map<string, readonly string[]>();

/**
 * The child keys of a node type in alphabetical order. typescript-estree's nodes list their
 * properties alphabetically, and the walks that once went by property order (Object.keys) keep that
 * order through this list, so that what they find first does not depend on the parser that built
 * the tree (oxc lists them in source order, src/project/oxc.ts).
 */
export function childKeys(type: string): readonly string[] {
  let keys = sortedKeys.get(type);
  if (!keys) {
    keys = [...(visitorKeys[type as keyof typeof visitorKeys] ?? [])].sort();
    sortedKeys.set(type, keys);
  }
  return keys;
}

export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' && 'range' in value;
}

/** Strips what does not change a value: `x as T`, `x!`, `x satisfies T`, `<T>x`, `await x`. */
export function unwrap(node: Node): Node {
  let current = node;
  for (;;) {
    switch (current.type) {
      case AST_NODE_TYPES.AwaitExpression:
        current = current.argument;
        break;
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
      case AST_NODE_TYPES.ChainExpression:
        current = current.expression;
        break;
      default:
        return current;
    }
  }
}

/** Static name of a property key or member property: `a`, `'a'`, `['a']`. */
export function staticName(node: Node | null | undefined, computed = false): string | undefined {
  if (!node) return undefined;
  if (node.type === AST_NODE_TYPES.Identifier && !computed) return node.name;
  if (node.type === AST_NODE_TYPES.Literal && typeof node.value === 'string') return node.value;
  if (node.type === AST_NODE_TYPES.TemplateLiteral && node.expressions.length === 0) return node.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

export function propertyName(property: TSESTree.Property | TSESTree.PropertyDefinition | TSESTree.MethodDefinition): string | undefined {
  return staticName(property.key, property.computed);
}

export function memberName(node: TSESTree.MemberExpression): string | undefined {
  return staticName(node.property, node.computed);
}

const thisAssignmentsOf = new WeakMap<Node, ReadonlyMap<string, Node[]>>();

/**
 * What `this.<name> = value` assigns anywhere in `body` (a class body, nested functions included),
 * by name, in walk order: one walk per class, kept while its tree lives. Each trace of `this.x`
 * walked the whole class again, once per member call (teable's services of thousands of lines).
 */
export function thisAssignments(body: Node): ReadonlyMap<string, Node[]> {
  let found = thisAssignmentsOf.get(body);
  if (found) return found;
  const byName = new Map<string, Node[]>();
  walk(body, (inner) => {
    if (inner.type !== AST_NODE_TYPES.AssignmentExpression || inner.left.type !== AST_NODE_TYPES.MemberExpression) return;
    if (unwrap(inner.left.object).type !== AST_NODE_TYPES.ThisExpression) return;
    const name = memberName(inner.left);
    if (name === undefined) return;
    const list = byName.get(name);
    if (list) list.push(inner.right);
    else byName.set(name, [inner.right]);
  });
  thisAssignmentsOf.set(body, (found = byName));
  return found;
}

/** The first value `this.<name>` is assigned in `body` (see thisAssignments). */
export function thisAssigned(body: Node, name: string): Node | undefined {
  return thisAssignments(body).get(name)?.[0];
}

/** The innermost scope that contains `node`. */
export function scopeOf(scopeManager: ScopeManager, node: Node): Scope | null {
  for (let current: Node | undefined = node; current; current = current.parent) {
    const scope = scopeManager.acquire(current, true);
    if (scope) {
      // A function's own name and parameters live in its scope; its body is what we ask about.
      return scope.type === 'function-expression-name' ? (scope.childScopes[0] ?? scope) : scope;
    }
  }
  return null;
}

/** The variable an identifier refers to, resolved by the scope manager (so shadowing is honoured). */
export function variableOf(scopeManager: ScopeManager, identifier: TSESTree.Identifier): Variable | null {
  for (let scope = scopeOf(scopeManager, identifier); scope; scope = scope.upper) {
    const reference = scope.references.find((ref) => ref.identifier === identifier);
    if (reference) return reference.resolved;
    const own = scope.set.get(identifier.name);
    if (own && own.identifiers.includes(identifier)) return own;
  }
  return findByName(scopeManager, identifier, identifier.name);
}

/** A variable visible at `node` by name (for suggestions: is `orgId` in scope here?). */
export function findByName(scopeManager: ScopeManager, node: Node, name: string): Variable | null {
  for (let scope = scopeOf(scopeManager, node); scope; scope = scope.upper) {
    const found = scope.set.get(name);
    if (found) return found;
  }
  return null;
}

export function enclosingFunction(node: Node): TSESTree.FunctionLike | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (
      current.type === AST_NODE_TYPES.FunctionDeclaration ||
      current.type === AST_NODE_TYPES.FunctionExpression ||
      current.type === AST_NODE_TYPES.ArrowFunctionExpression
    ) {
      return current;
    }
  }
  return undefined;
}

export function enclosingClass(node: Node): TSESTree.ClassDeclaration | TSESTree.ClassExpression | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === AST_NODE_TYPES.ClassDeclaration || current.type === AST_NODE_TYPES.ClassExpression) return current;
  }
  return undefined;
}

/** Name of the function, method or class member that encloses `node`: part of a fingerprint. */
export function enclosingSymbol(node: Node): string {
  const names: string[] = [];
  for (let current = node.parent; current; current = current.parent) {
    const name = symbolName(current);
    if (name) names.unshift(name);
  }
  return names.join('.') || '<module>';
}

function symbolName(node: Node): string | undefined {
  switch (node.type) {
    case AST_NODE_TYPES.FunctionDeclaration:
    case AST_NODE_TYPES.ClassDeclaration:
      return node.id?.name;
    case AST_NODE_TYPES.MethodDefinition:
    case AST_NODE_TYPES.PropertyDefinition:
      return staticName(node.key, node.computed);
    case AST_NODE_TYPES.VariableDeclarator:
      return node.id.type === AST_NODE_TYPES.Identifier ? node.id.name : undefined;
    case AST_NODE_TYPES.Property:
      return node.value.type === AST_NODE_TYPES.FunctionExpression || node.value.type === AST_NODE_TYPES.ArrowFunctionExpression
        ? staticName(node.key, node.computed)
        : undefined;
    default:
      return undefined;
  }
}

export function textOf(unit: FileUnit, node: Node): string {
  return unit.text.slice(node.range[0], node.range[1]);
}

/**
 * Is this call the object of a further method call (`db.select().from(t)` inside `.where(...)`)?
 * Only the outermost call of a chain is a query or a statement; its inner links are parts of it.
 * Type assertions between the links (`(q as Query).lean()`) do not break the chain.
 */
export function isChainLink(call: TSESTree.CallExpression): boolean {
  let node: Node = call;
  while (node.parent && (node.parent.type === AST_NODE_TYPES.TSAsExpression || node.parent.type === AST_NODE_TYPES.TSNonNullExpression)) node = node.parent;
  const parent = node.parent;
  return parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === node && parent.parent?.type === AST_NODE_TYPES.CallExpression && parent.parent.callee === parent;
}

/** A builder chain that runs where it stands: awaited, returned, or an arrow function's body. */
export function runsHere(call: TSESTree.CallExpression): boolean {
  let node: Node = call;
  while (node.parent && (node.parent.type === AST_NODE_TYPES.TSAsExpression || node.parent.type === AST_NODE_TYPES.TSNonNullExpression || node.parent.type === AST_NODE_TYPES.TSSatisfiesExpression)) node = node.parent;
  const parent = node.parent;
  if (!parent) return false;
  if (parent.type === AST_NODE_TYPES.AwaitExpression || parent.type === AST_NODE_TYPES.ReturnStatement) return true;
  return parent.type === AST_NODE_TYPES.ArrowFunctionExpression && parent.body === node;
}

/** The method calls of a chain, innermost first: `db.selectFrom('t').where(c)` gives selectFrom, where. */
export function methodChain(call: TSESTree.CallExpression): { name: string; call: TSESTree.CallExpression }[] {
  const links: { name: string; call: TSESTree.CallExpression }[] = [];
  let current: Node = call;
  for (let i = 0; i < 200; i++) {
    const node = unwrap(current);
    if (node.type !== AST_NODE_TYPES.CallExpression) break;
    const callee = unwrap(node.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) break;
    links.push({ name: memberName(callee) ?? '', call: node });
    current = callee.object;
  }
  return links.reverse();
}

/**
 * `new Proxy(target, handler)` with the language's global `Proxy` (not a project class of that
 * name): the target it forwards to, some members intercepted. Undefined for any other construction.
 */
export function proxyTarget(node: TSESTree.NewExpression, unit: FileUnit): Node | undefined {
  const [target] = node.arguments;
  if (node.callee.type !== AST_NODE_TYPES.Identifier || node.callee.name !== 'Proxy' || !target || target.type === AST_NODE_TYPES.SpreadElement) return undefined;
  return variableOf(unit.scopeManager, node.callee)?.defs.length ? undefined : target;
}
