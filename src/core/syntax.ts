/**
 * Small questions about syntax that models and policies both ask: what method a call calls, the
 * string a literal holds, the declared type of a parameter or of `this.x`. Pure functions of the
 * tree; nothing here follows values across files (that is the flow engine's and the models' work).
 */
import { dirname, relative, sep } from 'node:path';
import type { TSESTree } from '@typescript-eslint/types';
import type { Variable } from '@typescript-eslint/scope-manager';
import { enclosingClass, enclosingFunction, memberName, propertyName, T, unwrap, variableOf, walk, type FileUnit, type Node } from './ast.js';
import type { PackageRef } from './facts.js';

/** The method name of a call on a receiver: `get` for `app.get(...)`. */
export function methodOf(call: TSESTree.CallExpression): { receiver: Node; method: string } | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression) return undefined;
  const method = memberName(callee);
  return method ? { receiver: callee.object, method } : undefined;
}

/**
 * The root of a chain of calls and members (`t.procedure.use(a).input(z)` -> `t`), walked in a
 * loop: each call on a member (`.use(a)`, nearest first) is handed to `visit`, which stops the
 * walk there by returning true (the call is then returned).
 */
export function chainRoot(node: Node, visit?: (call: TSESTree.CallExpression, callee: TSESTree.MemberExpression) => boolean | void): Node {
  let value = unwrap(node);
  for (;;) {
    if (value.type === T.MemberExpression) {
      value = unwrap(value.object);
      continue;
    }
    if (value.type !== T.CallExpression) return value;
    const callee = unwrap(value.callee);
    if (callee.type !== T.MemberExpression) return value;
    if (visit?.(value, callee)) return value;
    value = unwrap(callee.object);
  }
}

/** A string literal or a template without expressions. */
export function stringOf(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const value = unwrap(node);
  if (value.type === T.Literal && typeof value.value === 'string') return value.value;
  if (value.type === T.TemplateLiteral && value.expressions.length === 0) return value.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

/** Is `source` one of `packages` (or a subpath of one: `@trpc/server/adapters/express`)? */
export function fromPackage(ref: PackageRef | undefined, ...packages: string[]): boolean {
  if (!ref) return false;
  return packages.some((p) => ref.source === p || ref.source.startsWith(`${p}/`));
}

/** The type annotation of a parameter, looking through `x = default` and parameter properties. */
export function parameterType(param: TSESTree.Parameter | undefined): TSESTree.TypeNode | undefined {
  if (!param) return undefined;
  if (param.type === T.TSParameterProperty) return parameterType(param.parameter);
  if (param.type === T.AssignmentPattern) return parameterType(param.left);
  if (param.type === T.Identifier || param.type === T.ObjectPattern || param.type === T.ArrayPattern || param.type === T.RestElement) {
    return param.typeAnnotation?.typeAnnotation;
  }
  return undefined;
}

export function parameterDecorators(param: TSESTree.Parameter | undefined): TSESTree.Decorator[] {
  if (!param) return [];
  if (param.type === T.TSParameterProperty) return param.decorators;
  if (param.type === T.Identifier || param.type === T.ObjectPattern || param.type === T.ArrayPattern || param.type === T.AssignmentPattern || param.type === T.RestElement) {
    return param.decorators;
  }
  return [];
}

/** The declared type of `this.name`: a class field or a constructor parameter property. */
export function thisMemberType(member: TSESTree.MemberExpression): TSESTree.TypeNode | undefined {
  const name = memberName(member);
  const cls = enclosingClass(member);
  if (!name || !cls) return undefined;
  for (const element of cls.body.body) {
    if (element.type === T.PropertyDefinition && propertyName(element) === name) return element.typeAnnotation?.typeAnnotation;
    if (element.type !== T.MethodDefinition || element.kind !== 'constructor') continue;
    for (const param of element.value.params) {
      if (param.type === T.TSParameterProperty && param.parameter.type === T.Identifier && param.parameter.name === name) return param.parameter.typeAnnotation?.typeAnnotation;
    }
  }
  return undefined;
}

/**
 * Where a node is, for evidence: `line 5` in the same file, `src/lib/redis.ts:5` in another (the
 * path from the parent of the two files' common folder, the same in the scanner and in ESLint).
 */
export function locationOf(node: Node, unit: FileUnit, from: FileUnit): string {
  if (unit === from) return `line ${node.loc.start.line}`;
  const a = dirname(from.file).split(sep);
  const b = dirname(unit.file).split(sep);
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common += 1;
  const base = a.slice(0, Math.max(common - 1, 1)).join(sep) || sep;
  return `${relative(base, unit.file).split(sep).join('/')}:${node.loc.start.line}`;
}

const AUTHZ_DECORATOR = /^(Permissions?|RequirePermissions?|RequiresPermissions?|Roles|RequireRoles?|CheckPolicies|Policies|Authorize|Can|CheckAbilities|Abilities|ResourceAccess|RequireAccess)$/;
const AUTHZ_GUARD_WORDS = new Set(['Permission', 'Permissions', 'Role', 'Roles', 'Policy', 'Policies', 'Access', 'Member', 'Membership', 'Owner', 'Ownership', 'Tenant', 'Organization', 'Organisation', 'Org', 'Workspace', 'Team', 'Space', 'Share', 'Ability', 'Abilities']);

/**
 * A controller method (or its class) behind an authorization decorator: NestJS `@Permissions(...)`,
 * `@Roles(...)`, `@CheckPolicies(...)`, or `@UseGuards(...)` with a guard named for permissions,
 * membership or a tenant (not an authentication guard such as `JwtAuthGuard`). The guard checks the
 * caller's access to the resource the request names before the method runs. Returns the decorator.
 */
export function authorizationDecoratorOf(fn: TSESTree.FunctionLike): TSESTree.Decorator | undefined {
  const owner = fn.parent;
  if (owner?.type !== T.MethodDefinition) return undefined;
  const cls = owner.parent?.parent;
  const classDecorators = cls && (cls.type === T.ClassDeclaration || cls.type === T.ClassExpression) ? cls.decorators : [];
  for (const decorator of [...(owner.decorators ?? []), ...(classDecorators ?? [])]) {
    const expression = unwrap(decorator.expression);
    const callee = expression.type === T.CallExpression ? unwrap(expression.callee) : expression;
    const name = callee.type === T.Identifier ? callee.name : undefined;
    if (!name) continue;
    if (AUTHZ_DECORATOR.test(name)) return decorator;
    if (name === 'UseGuards' && expression.type === T.CallExpression && expression.arguments.some((arg) => isAuthorizationGuard(arg))) return decorator;
  }
  return undefined;
}

/** `PermissionGuard`, `WorkspaceMemberGuard`, `new RolesGuard(...)`: named for authorization, not authentication. */
function isAuthorizationGuard(arg: Node): boolean {
  const value = unwrap(arg);
  const named = value.type === T.NewExpression ? unwrap(value.callee) : value;
  const name = named.type === T.Identifier ? named.name : undefined;
  if (!name || !name.endsWith('Guard')) return false;
  return name.slice(0, -'Guard'.length).split(/(?=[A-Z])/).some((word) => AUTHZ_GUARD_WORDS.has(word));
}

/** Fields of a guard's result that say the check passed (`!access.success`, `!membership.ok`). */
const PASSED_FIELDS = new Set(['success', 'ok', 'allowed', 'authorized', 'authorised', 'isMember', 'hasAccess', 'permitted', 'granted', 'valid']);
/** Response classes a guard returns in place of its result when the check fails. */
const RESPONSE_CLASSES = new Set(['Response', 'NextResponse']);

/** `!r.success`, `!r.ok`, `r instanceof NextResponse`, `'error' in r`, `r.error`: true when the guard failed. */
export function testsFailure(test: Node, name: string): boolean {
  const node = unwrap(test);
  const isResult = (n: Node) => {
    const inner = unwrap(n);
    return inner.type === T.Identifier && inner.name === name;
  };
  const field = (n: Node) => {
    const inner = unwrap(n);
    if (inner.type === T.ChainExpression) return field(inner.expression);
    return inner.type === T.MemberExpression && !inner.computed && inner.property.type === T.Identifier && isResult(inner.object) ? inner.property.name : undefined;
  };
  if (node.type === T.UnaryExpression && node.operator === '!') return PASSED_FIELDS.has(field(node.argument) ?? '');
  if (node.type === T.BinaryExpression && node.operator === 'instanceof') {
    const right = unwrap(node.right);
    return isResult(node.left) && right.type === T.Identifier && RESPONSE_CLASSES.has(right.name);
  }
  if (node.type === T.BinaryExpression && node.operator === 'in') return node.left.type === T.Literal && node.left.value === 'error' && isResult(node.right);
  return field(node) === 'error';
}

/**
 * `const key = await prisma.apiKey.findUnique({ where: { hash } }); if (!key) throw 401`, `const res =
 * await pool.query('... WHERE token = $1', [t]); if (_.isEmpty(res.rows)) throw 401`, and nothing more
 * of the result nor of the values it was handed: a secret checked and dropped authenticates some
 * tenant, not the one the request then acts on. A result that is read (`key.orgId`, returned, handed
 * on) is not only tested, and a secret the function goes on with is still what the request acts on.
 * (retraced's admin_token, judged G005, hands its secret on as a claim: the leak is in what a caller
 * does with that claim, which this does not see.)
 */
export function onlyTestedForExistence(call: Node, unit: FileUnit): boolean {
  let node: Node = call;
  // The whole chain (`db.select().from(t).where(...)`), awaited, cast.
  for (;;) {
    const parent = node.parent;
    if (parent?.type === T.MemberExpression && parent.object === node && parent.parent?.type === T.CallExpression && parent.parent.callee === parent) node = parent.parent;
    else if (parent?.type === T.AwaitExpression || parent?.type === T.TSAsExpression || parent?.type === T.TSNonNullExpression) node = parent;
    else break;
  }
  const holder = node.parent;
  if (holder?.type !== T.VariableDeclarator || holder.init !== node || !plainBinding(holder.id)) return false;
  // `const [row] = ...`, `const { rows } = ...`, `const { data, error } = ...`: every name it binds is only tested.
  const reads = unit.scopeManager.getDeclaredVariables(holder).flatMap((v) => v.references.filter((r) => r.isRead() && !(r.init ?? false)));
  return reads.length > 0 && reads.every((r) => testedOnly(r.identifier as Node)) && !valuesReadAfter(node, holder, unit);
}

/** A name, or array and object patterns of names (`[row]`, `{ rows: [row] }`, `{ data: key, error }`): no defaults, no rest. */
function plainBinding(id: Node): boolean {
  if (id.type === T.Identifier) return true;
  if (id.type === T.ArrayPattern) return id.elements.every((element) => element === null || plainBinding(element));
  if (id.type === T.ObjectPattern) return id.properties.every((p) => p.type === T.Property && !p.computed && plainBinding(p.value));
  return false;
}

/**
 * Whether a value the call is handed (`token` of `{ where: { token } }`, `adminToken` of `const v =
 * [adminToken]` passed as `v`) is read again after the statement: a secret that goes on with the
 * request (`return { token }`, looked up again by it) is still what the request acts on; one that is
 * checked and dropped is not (retraced's admin_token; documenso's report page returns its token).
 */
function valuesReadAfter(expression: Node, statement: Node, unit: FileUnit): boolean {
  const variables = new Set<Variable>();
  const collect = (root: Node, depth: number): void => {
    walk(root, (inner) => {
      if (inner.type !== T.Identifier || (inner.parent?.type === T.MemberExpression && inner.parent.property === inner && !inner.parent.computed)) return;
      const variable = variableOf(unit.scopeManager, inner);
      if (!variable || variables.has(variable)) return;
      variables.add(variable);
      // `const v = [adminToken]`: the values a local the call reads was made of.
      const init = variable.defs[0]?.node.type === T.VariableDeclarator ? variable.defs[0].node.init : undefined;
      if (init && depth < 1) collect(init, depth + 1);
    });
  };
  // The arguments of every call of the chain (`.where(eq(t.token, token))`), not its receiver (`db`, `prisma`).
  walk(expression, (inner) => {
    if (inner.type === T.CallExpression) for (const arg of inner.arguments) collect(arg, 0);
    if (inner.type === T.TaggedTemplateExpression) for (const value of inner.quasi.expressions) collect(value, 0);
  });
  const end = (enclosingFunction(statement) ?? unit.ast).range[1];
  return [...variables].some((v) => v.references.some((r) => r.isRead() && r.identifier.range[0] > statement.range[1] && r.identifier.range[0] < end));
}

/** `!x`, `x.rows.length === 0`, `_.isEmpty(x.rows)` (or `res.rowCount`) in an `if` test: whether rows came back, nothing of them. */
function testedOnly(identifier: Node): boolean {
  let use = identifier;
  while (use.parent?.type === T.MemberExpression && use.parent.object === use && ['rows', 'length', 'rowCount'].includes(memberName(use.parent) ?? '')) use = use.parent;
  const parent = use.parent;
  if (!parent) return false;
  if (parent.type === T.CallExpression && parent.arguments.includes(use as TSESTree.CallExpressionArgument)) {
    const callee = unwrap(parent.callee);
    const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
    return /^(isEmpty|isNil)$/.test(name ?? '') && inIfTest(parent);
  }
  if ((parent.type === T.UnaryExpression && parent.operator === '!') || (parent.type === T.BinaryExpression && /^[=!<>]=?=?$/.test(parent.operator))) return inIfTest(parent);
  return inIfTest(use);
}

/** Part of an `if` test, through `!` and `&&`/`||`: not a value passed on. */
function inIfTest(node: Node): boolean {
  let current = node;
  while (current.parent && (current.parent.type === T.LogicalExpression || current.parent.type === T.UnaryExpression)) current = current.parent;
  return current.parent?.type === T.IfStatement && current.parent.test === current;
}

/**
 * The identifiers an expression is built from, through the consts of the function it is in
 * (`const body = JSON.stringify({ query })` is built from `query`): a member's property name is not
 * one, a const declared outside the function is not followed.
 */
export function namesIn(expression: Node, fn: TSESTree.FunctionLike, unit: FileUnit, depth = 0): Set<string> {
  const names = new Set<string>();
  walk(expression, (node) => {
    if (node.type !== T.Identifier) return;
    if (node.parent?.type === T.MemberExpression && node.parent.property === node && !node.parent.computed) return;
    names.add(node.name);
    if (depth > 2) return;
    const def = variableOf(unit.scopeManager, node)?.defs[0];
    if (def?.type === 'Variable' && def.node.init && def.node.range[0] >= fn.range[0] && def.node.range[1] <= fn.range[1]) {
      for (const inner of namesIn(def.node.init, fn, unit, depth + 1)) names.add(inner);
    }
  });
  return names;
}
