import type { TSESTree } from '@typescript-eslint/types';
import type { Variable } from '@typescript-eslint/scope-manager';
import { enclosingClass, memberName, propertyName, proxyTarget, staticName, T, thisAssigned, unwrap, variableOf, walk, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext, ClientInfo } from '../core/query-site.js';
import { returnedExpressions, type Binding, type Located } from '../core/resolve.js';
import { originsOf } from '../flow/origin.js';
import { tenantKeyNames } from '../core/schema.js';

const MAX_DEPTH = 10;
const NOT_CLIENT_NODES = new Set<string>([
  T.Literal, T.ObjectExpression, T.ArrayExpression, T.TemplateLiteral, T.BinaryExpression, T.UnaryExpression,
]);

/**
 * Is `expression` a Prisma client, and is it tenant-scoped by construction? Clients are found by
 * following imports and constructions (`new PrismaClient()`, a class that extends it, `$extends`,
 * `$transaction` callbacks, typed parameters, `this.prisma`), never by variable name.
 */
export function clientOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): ClientInfo {
  if (depth > MAX_DEPTH) return { kind: 'unknown', reason: 'client resolution too deep' };
  // `{} as PrismaClient`, the placeholder target of a forwarding `new Proxy(...)` (comp's `db`): the
  // asserted type says what the code uses the value as, when the value itself is no client.
  if (expression.type === T.TSAsExpression || expression.type === T.TSTypeAssertion) {
    const inner = clientOf(expression.expression, unit, context, depth + 1);
    if (inner.kind === 'client' || !isClientType(expression.typeAnnotation, unit, context, depth + 1)) return inner;
    return { kind: 'client', scoped: false, how: `asserted as \`${textOf(unit, expression.typeAnnotation)}\`` };
  }
  const node = unwrap(expression);
  switch (node.type) {
    case T.NewExpression: {
      // `new Proxy(client, handler)`: the client, some members intercepted.
      const target = proxyTarget(node, unit);
      if (target) return clientOf(target, unit, context, depth + 1);
      return isClientClassExpression(node.callee, unit, context, depth + 1)
        ? { kind: 'client', scoped: false, how: `\`new ${textOf(unit, node.callee)}()\`` }
        : { kind: 'not-client', how: 'constructed from another class' };
    }
    case T.CallExpression:
      return clientOfCall(node, unit, context, depth);
    case T.LogicalExpression: {
      // `globalForPrisma.prisma ?? new PrismaClient()`: the singleton idiom of every Next.js app.
      const left = clientOf(node.left, unit, context, depth + 1);
      const right = clientOf(node.right, unit, context, depth + 1);
      if (left.kind === 'client' && right.kind === 'client') return { ...right, scoped: left.scoped && right.scoped };
      if (left.kind === 'client') return left;
      if (right.kind === 'client') return right;
      return left.kind === 'unknown' ? left : right;
    }
    case T.ConditionalExpression: {
      const a = clientOf(node.consequent, unit, context, depth + 1);
      const b = clientOf(node.alternate, unit, context, depth + 1);
      if (a.kind === 'client' && b.kind === 'client') return { ...a, scoped: a.scoped && b.scoped };
      return a.kind === 'client' ? a : b;
    }
    case T.Identifier:
      return clientOfIdentifier(node, unit, context, depth);
    case T.ThisExpression: {
      const cls = enclosingClass(node);
      if (cls?.superClass && isClientClassExpression(cls.superClass, unit, context, depth + 1)) {
        return { kind: 'client', scoped: false, how: `\`this\` in a class that extends ${textOf(unit, cls.superClass)}` };
      }
      return { kind: 'unknown', reason: '`this` is not a Prisma client class' };
    }
    case T.MemberExpression:
      return clientOfMember(node, unit, context, depth);
    default:
      if (NOT_CLIENT_NODES.has(node.type)) return { kind: 'not-client', how: 'a literal value' };
      return { kind: 'unknown', reason: `cannot follow a ${node.type}` };
  }
}

function textOf(unit: FileUnit, node: Node): string {
  return unit.text.slice(node.range[0], node.range[1]);
}

function clientOfCall(node: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext, depth: number): ClientInfo {
  const callee = unwrap(node.callee);
  const factories = context.config.scopedClientFactories ?? [];
  const calleeName = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (calleeName && factories.includes(calleeName)) {
    return { kind: 'client', scoped: true, how: `\`${calleeName}()\` is a configured scoped-client factory` };
  }
  if (callee.type === T.MemberExpression && calleeName === '$extends') {
    const base = clientOf(callee.object, unit, context, depth + 1);
    if (base.kind !== 'client') return base;
    const injects = node.arguments.some((arg) => extensionInjectsTenant(arg, unit, context, depth + 1));
    if (injects) return { kind: 'client', scoped: true, how: 'a `$extends` client whose query extension adds the tenant key' };
    return base;
  }
  const binding = callee.type === T.Identifier ? context.resolver.bindingOf(callee, unit, depth + 1) : undefined;
  if (binding?.kind === 'function') return clientReturnedBy(binding.fn, context, depth);
  // `this.prismaService.txClient()`: a method of a project class (one that extends PrismaClient)
  // that the value-flow engine follows to a PrismaClient instance on every path.
  if (callee.type === T.MemberExpression) {
    const origins = originsOf(node, unit, context.resolver);
    const prisma = origins.filter((o) => o.kind === 'lib' && o.source === '@prisma/client');
    // Every library origin is Prisma's; an untraced other path (`this.cls.get('tx.client')`) is most often the transaction client.
    if (prisma.length > 0 && origins.every((o) => o.kind !== 'lib' || o.source === '@prisma/client')) {
      return { kind: 'client', scoped: false, how: `\`${textOf(unit, node.callee)}()\` returns a PrismaClient (followed through the project's class)` };
    }
  }
  return { kind: 'unknown', reason: `the result of \`${textOf(unit, node.callee)}()\` cannot be followed` };
}

function clientReturnedBy(fn: Located<TSESTree.FunctionLike>, context: AnalysisContext, depth: number): ClientInfo {
  const results = returnedExpressions(fn.node).map((expr) => clientOf(expr, fn.unit, context, depth + 1));
  const clients = results.filter((r): r is Extract<ClientInfo, { kind: 'client' }> => r.kind === 'client');
  if (clients.length === 0) return results.find((r) => r.kind === 'unknown') ?? { kind: 'not-client', how: 'the function returns no client' };
  const scoped = clients.every((c) => c.scoped) && clients.length === results.length;
  return { kind: 'client', scoped, how: scoped ? clients[0].how : `returned by a function (${clients[0].how})` };
}

function clientOfIdentifier(node: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number): ClientInfo {
  const variable = variableOf(unit.scopeManager, node);
  if (variable && importedName(variable) === 'PrismaClient') return { kind: 'not-client', how: 'the PrismaClient class itself' };
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  return clientOfBinding(binding, context, depth);
}

function clientOfBinding(binding: Binding, context: AnalysisContext, depth: number): ClientInfo {
  switch (binding.kind) {
    case 'value':
      return clientOf(binding.value.node, binding.value.unit, context, depth + 1);
    case 'parameter':
      return clientOfParameter(binding.param, binding.fn, context, depth);
    case 'function':
    case 'class':
    case 'namespace':
      return { kind: 'not-client', how: `a ${binding.kind}` };
    case 'package':
      return { kind: 'unknown', reason: `imported from the package \`${binding.source}\`` };
    case 'unknown':
      return { kind: 'unknown', reason: binding.reason };
  }
}

function clientOfParameter(param: Located<TSESTree.Identifier>, fn: TSESTree.FunctionLike | undefined, context: AnalysisContext, depth: number): ClientInfo {
  const annotation = param.node.typeAnnotation?.typeAnnotation;
  if (annotation && isClientType(annotation, param.unit, context, depth + 1)) {
    return { kind: 'client', scoped: false, how: `\`${param.node.name}\` is typed as a Prisma client` };
  }
  // `prisma.$transaction(async (tx) => ...)`: tx is the client, scoped if the outer one is.
  const call = fn?.parent;
  if (fn && call?.type === T.CallExpression && call.arguments.some((arg) => arg === fn) && fn.params[0] === param.node) {
    const callee = unwrap(call.callee);
    if (callee.type === T.MemberExpression && memberName(callee) === '$transaction') {
      const outer = clientOf(callee.object, param.unit, context, depth + 1);
      if (outer.kind === 'client') return { ...outer, how: `the \`${param.node.name}\` of an interactive transaction on ${outer.how}` };
    }
  }
  return { kind: 'unknown', reason: `\`${param.node.name}\` is a parameter of unknown type` };
}

function clientOfMember(node: TSESTree.MemberExpression, unit: FileUnit, context: AnalysisContext, depth: number): ClientInfo {
  const name = memberName(node);
  if (!name) return { kind: 'unknown', reason: 'computed member' };
  const object = unwrap(node.object);
  if (object.type === T.ThisExpression) return clientOfThisMember(node, name, unit, context, depth);
  if (object.type === T.Identifier) {
    const binding = context.resolver.bindingOf(object, unit, depth + 1);
    if (binding.kind === 'value' && binding.value.node.type === T.ObjectExpression) {
      for (const property of binding.value.node.properties) {
        if (property.type === T.Property && propertyName(property) === name) return clientOf(property.value, binding.value.unit, context, depth + 1);
      }
    }
  }
  return { kind: 'unknown', reason: `\`${textOf(unit, node)}\` is not traced to a client` };
}

/** `this.prisma`: a constructor parameter property, a class field, or a `this.prisma = ...` assignment. */
function clientOfThisMember(node: TSESTree.MemberExpression, name: string, unit: FileUnit, context: AnalysisContext, depth: number): ClientInfo {
  const cls = enclosingClass(node);
  if (!cls) return { kind: 'unknown', reason: '`this` outside a class' };
  for (const member of cls.body.body) {
    if (member.type === T.PropertyDefinition && propertyName(member) === name) {
      if (member.value) return clientOf(member.value, unit, context, depth + 1);
      const type = member.typeAnnotation?.typeAnnotation;
      if (type && isClientType(type, unit, context, depth + 1)) return { kind: 'client', scoped: false, how: `\`this.${name}\` is typed as a Prisma client` };
    }
    if (member.type === T.MethodDefinition && member.kind === 'constructor') {
      for (const param of member.value.params) {
        if (param.type !== T.TSParameterProperty || param.parameter.type !== T.Identifier || param.parameter.name !== name) continue;
        const type = param.parameter.typeAnnotation?.typeAnnotation;
        if (type && isClientType(type, unit, context, depth + 1)) {
          return { kind: 'client', scoped: false, how: `\`this.${name}\` is injected as a Prisma client` };
        }
      }
    }
  }
  const assigned = thisAssigned(cls.body, name);
  if (assigned) return clientOf(assigned, unit, context, depth + 1);
  return { kind: 'unknown', reason: `\`this.${name}\` is not traced to a client` };
}

function importedName(variable: Variable): string | undefined {
  const def = variable.defs[0];
  if (def?.type !== 'ImportBinding' || def.node.type !== T.ImportSpecifier) return undefined;
  return def.node.imported.type === T.Identifier ? def.node.imported.name : def.node.imported.value;
}

/** `PrismaClient` imported from any module (custom generator outputs included), or a class extending it. */
function isClientClassExpression(expression: Node, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const node = unwrap(expression);
  if (node.type !== T.Identifier) return false;
  const variable = variableOf(unit.scopeManager, node);
  if (variable && importedName(variable) === 'PrismaClient') return true;
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  if (binding.kind === 'package') return binding.imported === 'PrismaClient';
  if (binding.kind !== 'class') return false;
  const superClass = binding.cls.node.superClass;
  return superClass ? isClientClassExpression(superClass, binding.cls.unit, context, depth + 1) : false;
}

/** Type annotations that denote a client: `PrismaClient`, a subclass, `Prisma.TransactionClient`, `typeof prisma`. */
function isClientType(type: TSESTree.TypeNode, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (type.type === T.TSUnionType) return type.types.some((member) => isClientType(member, unit, context, depth + 1));
  if (type.type === T.TSTypeQuery && type.exprName.type === T.Identifier) {
    return clientOf(type.exprName, unit, context, depth + 1).kind === 'client';
  }
  if (type.type !== T.TSTypeReference) return false;
  const name = type.typeName;
  if (name.type === T.TSQualifiedName) return name.right.name === 'TransactionClient';
  if (name.type !== T.Identifier) return false;
  if (name.name === 'Omit' || name.name === 'Pick') {
    const first = type.typeArguments?.params[0];
    return first ? isClientType(first, unit, context, depth + 1) : false;
  }
  return isClientClassExpression(name, unit, context, depth + 1);
}

/**
 * A `$extends` whose `query` component mentions a tenant key (`args.where = { ...args.where, orgId }`)
 * injects the tenant filter into every query of the client it returns.
 */
function extensionInjectsTenant(argument: Node, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  let target: Located = { node: unwrap(argument), unit };
  if (target.node.type === T.Identifier) {
    const binding = context.resolver.bindingOf(target.node, unit, depth + 1);
    if (binding.kind === 'value') target = binding.value;
    else if (binding.kind === 'function') target = binding.fn;
  }
  const keys = tenantKeyNames(context.schema, context.config);
  let found = false;
  // Only a `$allModels` query extension scopes every model; one for `project` alone does not
  // make `invoice` queries safe (per-model extensions are not modelled yet: they stay findings).
  walk(target.node, (inner) => {
    if (found || inner.type !== T.Property || staticName(inner.key, inner.computed) !== 'query') return;
    const allModels = inner.value.type === T.ObjectExpression
      ? inner.value.properties.find((p) => p.type === T.Property && staticName(p.key, p.computed) === '$allModels')
      : undefined;
    if (!allModels || allModels.type !== T.Property) return;
    walk(allModels.value, (deep) => {
      if (found) return;
      if (deep.type === T.Property && keys.has(staticName(deep.key, deep.computed) ?? '')) found = true;
      if (deep.type === T.MemberExpression && keys.has(memberName(deep) ?? '')) found = true;
    });
  });
  return found;
}
