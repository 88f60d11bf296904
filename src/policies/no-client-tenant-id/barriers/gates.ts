import type { TSESTree } from '@typescript-eslint/types';
import { enclosingFunction, memberName, propertyName, T, unwrap, walk, type Node } from '../../../core/ast.js';
import { ARRAY_CALLBACKS, calleeName, isPromiseAll, statementOf } from '../syntax.js';
import type { Check } from '../types.js';

/** Calls that end the request: after them the handler does not go on. */
const EXIT_CALLS = new Set(['notFound', 'redirect', 'permanentRedirect', 'forbidden', 'unauthorized', 'throw', 'assert', 'error']);
const ASSERTS = new Set(['assert', 'invariant', 'ok', 'strictEqual', 'equal']);
/** Members of a query result beside its rows (`{ data, error, count }`): not the rows a lookup found. */
const RESULT_META = new Set(['error', 'count', 'status', 'statusText']);


/**
 * How a check's result stops the request: the `if` it is tested in (`if (!member) return 403`),
 * an assertion, an `OrThrow` lookup, or the variable it is stored in and tested later.
 */
export function gatesOf(node: Node, key: string, what: string, certain: boolean): Check[] {
  if (node.type === T.CallExpression && /OrThrow$/.test(calleeName(node) ?? '')) return [{ key, gate: statementOf(node), mode: 'exit', throws: true, what, certain }];
  let current: Node = node;
  for (;;) {
    const parent = current.parent;
    if (!parent) return [];
    if (parent.type === T.UnaryExpression || parent.type === T.LogicalExpression || parent.type === T.AwaitExpression || parent.type === T.ChainExpression || parent.type === T.TSNonNullExpression || parent.type === T.BinaryExpression || parent.type === T.TSAsExpression || (parent.type === T.MemberExpression && parent.object === current)) {
      current = parent;
      continue;
    }
    // `user.orgIds.some((id) => id === orgId)`: the callback's verdict is the call's.
    if ((parent.type === T.ArrowFunctionExpression && parent.body === current) || parent.type === T.ReturnStatement) {
      const fn = parent.type === T.ReturnStatement ? enclosingFunction(parent) : parent;
      const call = fn?.parent;
      if (call?.type === T.CallExpression && call.arguments.some((a) => a === fn) && ARRAY_CALLBACKS.has(calleeName(call) ?? '')) {
        current = call;
        continue;
      }
      return [{ key, gate: parent, mode: 'verdict', throws: false, what, certain }];
    }
    if (parent.type === T.IfStatement && parent.test === current) return ifGates(parent, passesWhenTrue(node, parent.test), key, what, certain);
    if (parent.type === T.CallExpression && ASSERTS.has(calleeName(parent) ?? '')) return [{ key, gate: statementOf(parent), mode: 'exit', throws: true, what, certain }];
    if (parent.type === T.VariableDeclarator && parent.id.type === T.Identifier && parent.init === current) return storedGates(parent.id, key, what, certain);
    // supabase-js: `const { data: membership, error } = await supabase.from('members')...maybeSingle()`,
    // then `if (!membership) ...`: the rows are the destructured locals other than the error and the count.
    if (parent.type === T.VariableDeclarator && parent.id.type === T.ObjectPattern && parent.init === current) {
      return parent.id.properties.flatMap((p) => (p.type === T.Property && p.value.type === T.Identifier && !RESULT_META.has(propertyName(p) ?? '') ? storedGates(p.value, key, what, certain) : []));
    }
    // Drizzle: `const [organization] = await db.select().from(organizations).where(...)`, then `if
    // (!organization) return null`: an element is a row the lookup found, so testing it tests the
    // lookup. A rest element (`const [...rows]`) is an array, present even when nothing matched.
    if (parent.type === T.VariableDeclarator && parent.id.type === T.ArrayPattern && parent.init === current) {
      return parent.id.elements.flatMap((element) => (element?.type === T.Identifier ? storedGates(element, key, what, certain) : []));
    }
    // `const [access, member] = await Promise.all([q1, q2])`: the lookup's row is the local at its index.
    if (parent.type === T.ArrayExpression && parent.parent?.type === T.CallExpression && parent.parent.arguments[0] === parent && isPromiseAll(parent.parent)) {
      const index = parent.elements.indexOf(current as TSESTree.Expression);
      let call: Node = parent.parent;
      while (call.parent?.type === T.AwaitExpression) call = call.parent;
      const declarator = call.parent;
      if (declarator?.type !== T.VariableDeclarator || declarator.init !== call || declarator.id.type !== T.ArrayPattern) return [];
      const element = declarator.id.elements[index];
      return element?.type === T.Identifier ? storedGates(element, key, what, certain) : [];
    }
    return [];
  }
}

/**
 * `if (member) { ...uses... }` runs its consequent only when the check passes; `if (!member)
 * return 403` stops the request when it fails, so what follows the `if` is gated.
 */
export function ifGates(statement: TSESTree.IfStatement, positive: boolean, key: string, what: string, certain: boolean): Check[] {
  const failing = positive ? statement.alternate : statement.consequent;
  const exit = failing ? exitOf(failing) : undefined;
  const gates: Check[] = positive ? [{ key, gate: statement, mode: 'inside', throws: false, what, certain }] : [];
  if (exit && failing) gates.push({ key, gate: statement, mode: 'exit', throws: exit === 'throw', what, certain, failing });
  return gates;
}

/**
 * Is the `if` test true when the check passes? `!member`, `member === null` and `orgId !==
 * user.orgId` are true when it fails. `check` is the comparison itself or the checked value.
 */
export function passesWhenTrue(check: Node, test: Node): boolean {
  let positive = !(check.type === T.BinaryExpression && (check.operator === '!==' || check.operator === '!='));
  for (let current: Node = check; current !== test && current.parent; current = current.parent) {
    const parent = current.parent;
    // `rows.length === 0`, `rows.length < 1`: true when the lookup found nothing, that is when it fails;
    // `rows.length > 0`, `rows.length !== 0`: true when it found a row.
    const count = parent.type === T.MemberExpression && parent.object === current && memberName(parent) === 'length' ? parent.parent : undefined;
    if (count?.type === T.BinaryExpression && count.left === parent && count.right.type === T.Literal && typeof count.right.value === 'number' && count !== test.parent) {
      const n = count.right.value;
      const empty = ((count.operator === '===' || count.operator === '==') && n === 0) || (count.operator === '<' && n === 1) || (count.operator === '<=' && n === 0);
      if (empty) positive = !positive;
      current = count;
      if (current === test) break;
      continue;
    }
    if (parent.type === T.UnaryExpression && parent.operator === '!') positive = !positive;
    if (parent.type === T.BinaryExpression) {
      const other = parent.left === current ? parent.right : parent.left;
      const nullish = (other.type === T.Literal && other.value === null) || (other.type === T.Identifier && other.name === 'undefined');
      const equality = parent.operator === '===' || parent.operator === '==';
      const inequality = parent.operator === '!==' || parent.operator === '!=';
      if ((nullish && equality) || (!nullish && inequality)) positive = !positive;
    }
  }
  return positive;
}

/**
 * `const member = await prisma.membership.findFirst(...)`, then `if (!member) ...` anywhere in the
 * function, or `return member !== null` (the verdict, for the caller to test).
 */
export function storedGates(id: TSESTree.Identifier, key: string, what: string, certain: boolean, aliases = 2): Check[] {
  const fn = enclosingFunction(id);
  const scope: Node | undefined = fn?.body ?? undefined;
  if (!fn || !scope) return [];
  const gates: Check[] = [];
  walk(scope, (node) => {
    // `const allowed = result.rows[0]?.allowed === true`, then `return allowed` or `if (!allowed)`: a
    // value computed from the result (not a call given it, not its error or count) stands for it.
    if (aliases > 0 && node.type === T.VariableDeclarator && node.id.type === T.Identifier && node.id !== id && node.init && node.range[0] > id.range[1] && enclosingFunction(node) === fn && isDerived(node.init, id.name)) {
      gates.push(...storedGates(node.id, key, what, certain, aliases - 1));
    }
    const mention = node.type === T.IfStatement ? mentionOf(node.test, id.name) : undefined;
    if (node.type === T.IfStatement && mention) gates.push(...ifGates(node, passesWhenTrue(mention, node.test), key, what, certain));
    // An object built from the row (`return { ok: true, role: membership.role }`) is a result, not the verdict (see resultChecks).
    if (node.type === T.ReturnStatement && node.argument && enclosingFunction(node) === fn && !isLiteralObject(node.argument) && mentions(node.argument, id.name)) gates.push({ key, gate: node, mode: 'verdict', throws: false, what, certain });
  });
  if (fn.body?.type !== T.BlockStatement && fn.body && mentions(fn.body, id.name)) gates.push({ key, gate: fn.body, mode: 'verdict', throws: false, what, certain });
  return gates;
}

/** An expression computed from `name` by reading it (members, comparisons, negation), not by a call given it nor its error/count. */
function isDerived(init: Node, name: string): boolean {
  const value = unwrap(init);
  if (!mentions(value, name) || value.type === T.CallExpression || value.type === T.NewExpression || value.type === T.ObjectExpression || value.type === T.ArrayExpression) return false;
  let found = true;
  walk(value, (inner) => {
    if (inner.type === T.CallExpression && inner.arguments.some((arg) => mentions(arg, name))) found = false;
    if (inner.type === T.MemberExpression && RESULT_META.has(memberName(inner) ?? '') && mentions(inner.object, name)) found = false;
  });
  return found;
}

function isLiteralObject(node: Node): boolean {
  const value = unwrap(node);
  return value.type === T.ObjectExpression || value.type === T.ArrayExpression;
}

export function mentionOf(node: Node, name: string): Node | undefined {
  let found: Node | undefined;
  walk(node, (inner) => {
    if (!found && inner.type === T.Identifier && inner.name === name) found = inner;
  });
  return found;
}

export function mentions(node: Node, name: string): boolean {
  let found = false;
  walk(node, (inner) => {
    if (inner.type === T.Identifier && inner.name === name) found = true;
  });
  return found;
}

/** Does a branch end the request? `'throw'` when it also ends the caller. */
export function exitOf(branch: Node): 'throw' | 'return' | undefined {
  const statements = branch.type === T.BlockStatement ? branch.body : [branch];
  let exit: 'throw' | 'return' | undefined;
  for (const statement of statements) {
    if (statement.type === T.ThrowStatement) return 'throw';
    if (statement.type === T.ReturnStatement) {
      const argument = statement.argument ? unwrap(statement.argument) : undefined;
      if (argument?.type === T.CallExpression && EXIT_CALLS.has(calleeName(argument) ?? '')) return 'throw';
      exit ??= 'return';
    }
    if (statement.type === T.ExpressionStatement) {
      const expression = unwrap(statement.expression);
      if (expression.type === T.CallExpression && EXIT_CALLS.has(calleeName(expression) ?? '')) return 'throw';
    }
  }
  return exit;
}

