/**
 * What a TypeORM call is made on: a `Repository` of an entity, an `EntityManager`, a `DataSource`
 * or a `QueryRunner`. Receivers are traced through imports, constructions and injection
 * (`new DataSource()`, `getRepository(E)`, `@InjectRepository(E)`, `Repository<E>` types,
 * `extends Repository<E>`, transaction callbacks), never by variable name.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, textOf, thisAssigned, unwrap, variableOf, walk, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext } from '../core/query-site.js';
import { returnedExpressions, type Located } from '../core/resolve.js';
import type { Table } from '../core/schema.js';
import { tableKey } from '../schema/merge.js';
import { entitySchemaTable, readTypeormDetailed } from '../schema/typeorm.js';
import { originsOf, type Closure } from '../flow/origin.js';
import { callGraphFor, searchRootOf } from '../flow/callers.js';

const MAX_DEPTH = 12;
const TYPEORM = 'typeorm';
const NEST_TYPEORM = '@nestjs/typeorm';
const REPOSITORY_TYPES = new Set(['Repository', 'TreeRepository', 'MongoRepository']);
const MANAGER_TYPES = new Set(['EntityManager', 'MongoEntityManager', 'SqljsEntityManager']);
const DATASOURCE_TYPES = new Set(['DataSource', 'Connection']);
const GET_REPOSITORY = new Set(['getRepository', 'getTreeRepository', 'getMongoRepository']);

export type ReceiverKind = 'repository' | 'manager' | 'datasource' | 'runner';

export interface Receiver {
  kind: ReceiverKind;
  /** The entity's table, for repositories (undefined when the entity is not an entity of the schema). */
  table?: Table;
  /** Bound to one tenant: a schema-per-tenant connection or a configured scoped factory. */
  scoped: boolean;
  how: string;
}

/** The receiver an expression stands for, or undefined when it is not traced to TypeORM. */
export function receiverOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): Receiver | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unwrap(expression);
  switch (node.type) {
    case T.NewExpression:
      return receiverOfNew(node, unit, context, depth);
    case T.CallExpression:
      return receiverOfCall(node, unit, context, depth);
    case T.Identifier:
      return receiverOfIdentifier(node, unit, context, depth);
    case T.ThisExpression:
      return receiverOfThis(node, unit, context, depth);
    case T.MemberExpression:
      return receiverOfMember(node, unit, context, depth);
    case T.LogicalExpression:
    case T.ConditionalExpression: {
      const [a, b] = node.type === T.LogicalExpression ? [node.left, node.right] : [node.consequent, node.alternate];
      const left = receiverOf(a, unit, context, depth + 1);
      const right = receiverOf(b, unit, context, depth + 1);
      if (left && right && left.kind === right.kind) return { ...left, scoped: left.scoped && right.scoped };
      return left ?? right;
    }
    default:
      return undefined;
  }
}

/** The package export an identifier is bound to (`Repository` from `typeorm`), if any. */
export function packageImport(identifier: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth = 0): { source: string; imported: string } | undefined {
  const binding = context.resolver.bindingOf(identifier, unit, depth + 1);
  return binding.kind === 'package' ? { source: binding.source, imported: binding.imported } : undefined;
}

function fromTypeorm(node: Node, unit: FileUnit, context: AnalysisContext, depth: number): string | undefined {
  const inner = unwrap(node);
  if (inner.type !== T.Identifier) return undefined;
  const found = packageImport(inner, unit, context, depth);
  return found?.source === TYPEORM ? found.imported : undefined;
}

function receiverOfNew(node: TSESTree.NewExpression, unit: FileUnit, context: AnalysisContext, depth: number): Receiver | undefined {
  const imported = fromTypeorm(node.callee, unit, context, depth);
  if (imported && DATASOURCE_TYPES.has(imported)) {
    const options = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
    const schema = options?.type === T.ObjectExpression ? tenantSchemaOption(options, unit) : undefined;
    if (schema) return { kind: 'datasource', scoped: true, how: `a \`DataSource\` bound to the schema ${schema}` };
    return { kind: 'datasource', scoped: false, how: `\`new ${imported}()\` from \`typeorm\`` };
  }
  const callee = unwrap(node.callee);
  if (callee.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(callee, unit, depth + 1);
  return binding.kind === 'class' ? classReceiver(binding.cls, context, depth + 1) : undefined;
}

/** `schema: \`tenant_${id}\``: a connection whose schema is computed per tenant (schema-per-tenant). */
function tenantSchemaOption(options: TSESTree.ObjectExpression, unit: FileUnit): string | undefined {
  const property = options.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'schema');
  const value = property ? unwrap(property.value) : undefined;
  if (value?.type === T.TemplateLiteral && value.expressions.length > 0) return `\`${textOf(unit, value)}\``;
  if (value?.type === T.BinaryExpression && value.operator === '+') return `\`${textOf(unit, value)}\``;
  return undefined;
}

function receiverOfCall(node: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext, depth: number): Receiver | undefined {
  const callee = unwrap(node.callee);
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (name && (context.config.scopedClientFactories ?? []).includes(name)) return scopedFactory(node, name, unit, context, depth);
  if (callee.type === T.Identifier) {
    const imported = fromTypeorm(callee, unit, context, depth);
    if (imported && GET_REPOSITORY.has(imported)) return repositoryFor(node.arguments[0], unit, context, depth, false, `\`${imported}()\` from \`typeorm\``);
    if (imported === 'getManager') return { kind: 'manager', scoped: false, how: '`getManager()` from `typeorm`' };
    if (imported === 'getConnection') return { kind: 'datasource', scoped: false, how: '`getConnection()` from `typeorm`' };
    if (imported === 'getCustomRepository') return customRepository(node.arguments[0], unit, context, depth);
    const binding = context.resolver.bindingOf(callee, unit, depth + 1);
    if (binding.kind === 'function') return withArguments([{ fn: binding.fn.node, args: node.arguments, unit }], () => returnedReceiver(binding.fn, context, depth));
    return binding.kind === 'value' ? closureReceiver(node, callee, unit, context, depth) : undefined;
  }
  if (callee.type !== T.MemberExpression || !name) return undefined;
  const base = receiverOf(callee.object, unit, context, depth + 1);
  if (!base) return GET_REPOSITORY.has(name) ? wrappedRepository(node, name, unit, context, depth) : undefined;
  if (base.kind !== 'repository' && GET_REPOSITORY.has(name)) return repositoryFor(node.arguments[0], unit, context, depth, base.scoped, `\`${name}()\` on ${base.how}`);
  if (base.kind !== 'repository' && name === 'getCustomRepository') return customRepository(node.arguments[0], unit, context, depth);
  if (base.kind === 'manager' && name === 'withRepository' && node.arguments[0]) {
    const repository = receiverOf(node.arguments[0], unit, context, depth + 1);
    return repository?.kind === 'repository' ? { ...repository, scoped: repository.scoped || base.scoped } : undefined;
  }
  if (base.kind === 'repository' && name === 'extend') return base;
  if (base.kind === 'datasource' && (name === 'initialize' || name === 'connect')) return base;
  if (base.kind === 'datasource' && name === 'createQueryRunner') return { kind: 'runner', scoped: base.scoped, how: `a query runner of ${base.how}` };
  return undefined;
}

/** `forTenant(id)`, `forTenant(Invoice, id)`, `forTenant<Invoice>(id)`: a configured scoped factory. */
function scopedFactory(node: TSESTree.CallExpression, name: string, unit: FileUnit, context: AnalysisContext, depth: number): Receiver {
  const how = `\`${name}()\` is a configured scoped-client factory`;
  for (const arg of node.arguments) {
    const table = arg.type === T.SpreadElement ? undefined : entityTable(arg, unit, context, depth + 1);
    if (table) return { kind: 'repository', table, scoped: true, how };
  }
  const typeArg = node.typeArguments?.params[0];
  const fromType = typeArg ? entityTableOfType(typeArg, unit, context, depth + 1) : undefined;
  if (fromType) return { kind: 'repository', table: fromType, scoped: true, how };
  const callee = unwrap(node.callee);
  const binding = callee.type === T.Identifier ? context.resolver.bindingOf(callee, unit, depth + 1) : undefined;
  const returned = binding?.kind === 'function' ? returnedReceiver(binding.fn, context, depth) : undefined;
  if (returned) return { ...returned, scoped: true, how };
  return { kind: 'manager', scoped: true, how };
}

/**
 * `this.connection.getRepository(ctx, Order)`: a project's own connection class (Vendure's
 * TransactionalConnection) whose `getRepository` the value-flow engine follows to TypeORM's. The
 * entity is whichever argument is one (a request context often comes first).
 */
function wrappedRepository(node: TSESTree.CallExpression, name: string, unit: FileUnit, context: AnalysisContext, depth: number): Receiver | undefined {
  let table: Table | undefined;
  for (const arg of node.arguments) {
    table = arg.type === T.SpreadElement ? undefined : entityTable(arg, unit, context, depth + 1);
    if (table) break;
  }
  if (!table) return undefined;
  const origins = originsOf(node, unit, context.resolver);
  const lib = origins.find((o) => o.kind === 'lib' && o.source === 'typeorm');
  if (!lib && !projectMethodReturnsTypeorm(node, name, unit, context, depth)) return undefined;
  return { kind: 'repository', table, scoped: false, how: `\`${name}()\` of a project connection that returns TypeORM's repository` };
}

/**
 * `connection.getRepository(ctx, Order)` where `connection` is an instance of a project class whose
 * `getRepository` returns TypeORM's repository: a variable declared with the class as its type
 * (`let connection: TransactionalConnection`, set later), or the class asked of a dependency
 * container (`injector.get(TransactionalConnection)`).
 */
function projectMethodReturnsTypeorm(call: TSESTree.CallExpression, name: string, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression) return false;
  const cls = instanceClass(callee.object, unit, context, depth + 1);
  if (!cls) return false;
  const method = cls.node.body.body.find((m): m is TSESTree.MethodDefinition => m.type === T.MethodDefinition && m.kind === 'method' && propertyName(m) === name && m.value.body !== null);
  if (!method) return false;
  return returnedExpressions(method.value).some((e) => originsOf(e, cls.unit, context.resolver).some((o) => o.kind === 'lib' && o.source === TYPEORM));
}

/** The project class an expression is an instance of, by a declared type or a container lookup. */
function instanceClass(expression: Node, unit: FileUnit, context: AnalysisContext, depth: number): Located<TSESTree.ClassDeclaration | TSESTree.ClassExpression> | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unwrap(expression);
  if (node.type === T.CallExpression) {
    // `injector.get(Service)`, `moduleRef.get(Service)`, `app.get(Service)`: the class is the one argument.
    const callee = unwrap(node.callee);
    const arg = node.arguments.length === 1 ? node.arguments[0] : undefined;
    if (callee.type !== T.MemberExpression || memberName(callee) !== 'get' || !arg || arg.type === T.SpreadElement) return undefined;
    const target = unwrap(arg);
    const binding = target.type === T.Identifier ? context.resolver.bindingOf(target, unit, depth + 1) : undefined;
    return binding?.kind === 'class' ? binding.cls : undefined;
  }
  if (node.type !== T.Identifier) return undefined;
  const def = variableOf(unit.scopeManager, node)?.defs[0];
  if (def?.type !== 'Variable' || def.node.id.type !== T.Identifier) return undefined;
  const annotation = def.node.id.typeAnnotation?.typeAnnotation;
  if (annotation?.type === T.TSTypeReference && annotation.typeName.type === T.Identifier) {
    const binding = context.resolver.bindingOf(annotation.typeName, unit, depth + 1);
    if (binding.kind === 'class') return binding.cls;
  }
  return def.node.init ? instanceClass(def.node.init, unit, context, depth + 1) : undefined;
}

function repositoryFor(arg: Node | undefined, unit: FileUnit, context: AnalysisContext, depth: number, scoped: boolean, how: string): Receiver {
  const table = arg && arg.type !== T.SpreadElement ? entityTable(arg, unit, context, depth + 1) : undefined;
  return { kind: 'repository', table, scoped, how };
}

function customRepository(arg: Node | undefined, unit: FileUnit, context: AnalysisContext, depth: number): Receiver | undefined {
  const node = arg ? unwrap(arg) : undefined;
  if (node?.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  return binding.kind === 'class' ? classReceiver(binding.cls, context, depth + 1) : undefined;
}

/**
 * Arguments of the project functions being followed, by parameter: `entity` in
 * `getRepository(entity)` inside `repoFactory = (entity) => () => ds.getRepository(entity)` is the
 * `FlowEntity` of `repoFactory(FlowEntity)`. A stack: the frames of the calls being followed.
 */
const boundArguments: Map<Node, { node: Node; unit: FileUnit }>[] = [];

function withArguments<R>(calls: Closure[], run: () => R): R {
  const frame = new Map<Node, { node: Node; unit: FileUnit }>();
  for (const { fn, args, unit } of calls) {
    fn.params.forEach((param, index) => {
      const inner = param.type === T.TSParameterProperty ? param.parameter : param;
      const name = inner.type === T.AssignmentPattern ? inner.left : inner;
      const arg = args[index];
      if (name.type === T.Identifier && arg && arg.type !== T.SpreadElement) frame.set(name, { node: arg, unit });
    });
  }
  boundArguments.push(frame);
  try {
    return run();
  } finally {
    boundArguments.pop();
  }
}

function boundArgument(param: Node): { node: Node; unit: FileUnit } | undefined {
  for (let i = boundArguments.length - 1; i >= 0; i--) {
    const found = boundArguments[i]?.get(param);
    if (found) return found;
  }
  return undefined;
}

/**
 * `flowRepo()` where `const flowRepo = repoFactory(FlowEntity)` and the project's `repoFactory`
 * returns a function (`(em?) => em?.getRepository(entity) ?? db().getRepository(entity)`): the
 * value-flow engine says which function `flowRepo` holds and the call that made it; what that
 * function returns, with the maker's arguments bound, is the receiver.
 */
function closureReceiver(node: TSESTree.CallExpression, callee: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number): Receiver | undefined {
  const functions = originsOf(callee, unit, context.resolver).filter((o) => o.kind === 'function');
  let found: Receiver | undefined;
  for (const origin of functions) {
    const calls: Closure[] = [...(origin.closure ? [origin.closure] : []), { fn: origin.fn, args: node.arguments, unit }];
    const receiver = withArguments(calls, () => returnedReceiver({ node: origin.fn, unit: origin.unit }, context, depth));
    if (!receiver || (found && (found.kind !== receiver.kind || found.table !== receiver.table))) return undefined;
    found = found ? { ...found, scoped: found.scoped && receiver.scoped } : receiver;
  }
  return found;
}

/** A project function that returns a receiver: every return must be one, scoped only if all are. */
function returnedReceiver(fn: Located<TSESTree.FunctionLike>, context: AnalysisContext, depth: number): Receiver | undefined {
  const results = returnedExpressions(fn.node).map((expr) => receiverOf(expr, fn.unit, context, depth + 1));
  const first = results[0];
  if (!first || results.some((r) => !r || r.kind !== first.kind || r.table !== first.table)) return undefined;
  return { ...first, scoped: results.every((r) => r?.scoped) };
}

function receiverOfIdentifier(node: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number): Receiver | undefined {
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  switch (binding.kind) {
    case 'value':
      return receiverOf(binding.value.node, binding.value.unit, context, depth + 1);
    case 'parameter': {
      const annotation = binding.param.node.typeAnnotation?.typeAnnotation;
      const typed = annotation ? receiverOfType(annotation, binding.param.unit, context, depth + 1) : undefined;
      // `queryRunner = this.dataSource.createQueryRunner()` (laudspeaker workflows.service.ts:407): the default says what it is.
      const holder = binding.param.node.parent;
      const defaulted = !typed && holder?.type === T.AssignmentPattern && holder.left === binding.param.node ? receiverOf(holder.right, binding.param.unit, context, depth + 1) : undefined;
      return typed ?? defaulted ?? transactionParameter(binding.param.node, binding.fn, binding.param.unit, context, depth);
    }
    default:
      return undefined;
  }
}

/** `dataSource.transaction(async (manager) => ...)`, also with an isolation level first. */
function transactionParameter(param: TSESTree.Identifier, fn: TSESTree.FunctionLike | undefined, unit: FileUnit, context: AnalysisContext, depth: number): Receiver | undefined {
  if (!fn || fn.params[0] !== param) return undefined;
  const call = fn.parent;
  if (call?.type !== T.CallExpression || !call.arguments.includes(fn as TSESTree.CallExpressionArgument)) return undefined;
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression || memberName(callee) !== 'transaction') return undefined;
  const outer = receiverOf(callee.object, unit, context, depth + 1);
  if (!outer || outer.kind === 'repository' || outer.kind === 'runner') return undefined;
  return { kind: 'manager', scoped: outer.scoped, how: `the transaction manager of ${outer.how}` };
}

function receiverOfMember(node: TSESTree.MemberExpression, unit: FileUnit, context: AnalysisContext, depth: number): Receiver | undefined {
  const name = memberName(node);
  if (!name) return undefined;
  const object = unwrap(node.object);
  if (object.type === T.ThisExpression) {
    const own = thisProperty(node, name, unit, context, depth);
    if (own) return own;
  }
  if (name === 'manager') {
    const base = receiverOf(object, unit, context, depth + 1);
    if (base && base.kind !== 'manager') return { kind: 'manager', scoped: base.scoped, how: `the manager of ${base.how}` };
    return undefined;
  }
  if (object.type === T.Identifier) {
    const binding = context.resolver.bindingOf(object, unit, depth + 1);
    if (binding.kind === 'value' && binding.value.node.type === T.ObjectExpression) {
      for (const property of binding.value.node.properties) {
        if (property.type === T.Property && propertyName(property) === name) return receiverOf(property.value, binding.value.unit, context, depth + 1);
      }
    }
  }
  return declaredMember(node, unit, context, depth);
}

/**
 * `this._dbContext.userRepository`: a member of an object whose declared type (an interface of a
 * unit of work, a class) says it is `Repository<UserEntity> & IUserRepository`, `EntityManager` or
 * `DataSource`, as the value-flow engine reads declared types. Every origin must agree.
 */
function declaredMember(node: TSESTree.MemberExpression, unit: FileUnit, context: AnalysisContext, depth: number): Receiver | undefined {
  const origins = originsOf(node, unit, context.resolver).filter((o) => o.kind === 'lib' && o.source === TYPEORM && o.steps.length === 0);
  let found: Receiver | undefined;
  for (const origin of origins) {
    if (origin.kind !== 'lib') continue;
    const how = `\`${textOf(unit, node)}\`, declared as TypeORM's \`${origin.name}\``;
    let receiver: Receiver | undefined;
    if (REPOSITORY_TYPES.has(origin.name)) {
      const arg = origin.typeArguments?.params[0];
      receiver = { kind: 'repository', table: arg && origin.typeArguments ? entityTableOfType(arg, origin.typeArguments.unit, context, depth + 1) : undefined, scoped: false, how };
    } else if (MANAGER_TYPES.has(origin.name)) receiver = { kind: 'manager', scoped: false, how };
    else if (DATASOURCE_TYPES.has(origin.name)) receiver = { kind: 'datasource', scoped: false, how };
    if (!receiver) continue;
    if (found && (found.kind !== receiver.kind || found.table !== receiver.table)) return undefined;
    found = receiver;
  }
  return found;
}

/** `this` in a class that extends `Repository<E>`, or in a method of `repository.extend({ ... })`. */
function receiverOfThis(node: TSESTree.ThisExpression, unit: FileUnit, context: AnalysisContext, depth: number): Receiver | undefined {
  for (let current: Node | undefined = node.parent; current; current = current.parent) {
    if (current.type === T.FunctionExpression || current.type === T.FunctionDeclaration) {
      const extended = extendedRepository(current, unit, context, depth);
      if (extended) return extended;
      if (current.type === T.FunctionDeclaration) return undefined;
    }
    if (current.type === T.ClassDeclaration || current.type === T.ClassExpression) return classReceiver({ node: current, unit }, context, depth + 1);
  }
  return undefined;
}

function extendedRepository(fn: TSESTree.FunctionExpression | TSESTree.FunctionDeclaration, unit: FileUnit, context: AnalysisContext, depth: number): Receiver | undefined {
  const property = fn.parent;
  const object = property?.type === T.Property ? property.parent : undefined;
  const call = object?.parent;
  if (object?.type === T.ObjectExpression && call?.type === T.VariableDeclarator) return extensionObject(object, call, context, depth);
  if (object?.type !== T.ObjectExpression || call?.type !== T.CallExpression) return undefined;
  return extendCall(call, unit, context, depth);
}

/** `<repository>.extend(...)`: the repository extended. */
function extendCall(call: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext, depth: number): Receiver | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression || memberName(callee) !== 'extend') return undefined;
  const base = receiverOf(callee.object, unit, context, depth + 1);
  return base?.kind === 'repository' ? base : undefined;
}

const extensionMemo = new WeakMap<Node, Receiver | null>();

/**
 * `export const userExtension = { findActive() { return this.find(...) } }`, handed elsewhere to
 * `dataSource.getRepository(User).extend(userExtension)`: `this` is the repository of every `.extend`
 * call handed this object (found by the call graph, confirmed by resolving the argument), when they agree.
 */
function extensionObject(object: TSESTree.ObjectExpression, declarator: TSESTree.VariableDeclarator, context: AnalysisContext, depth: number): Receiver | undefined {
  if (declarator.id.type !== T.Identifier || declarator.init !== object || !context.root) return undefined;
  const known = extensionMemo.get(object);
  if (known !== undefined) return known ?? undefined;
  extensionMemo.set(object, null);
  const graph = callGraphFor(searchRootOf(context.root), context.resolver, context.isTestPath ?? (() => false));
  let found: Receiver | undefined;
  for (const use of graph.callsHanded(declarator.id.name)) {
    const ref = unwrap(use.ref);
    if (ref.type !== T.Identifier || use.call.arguments[0] !== use.ref) continue;
    const binding = context.resolver.bindingOf(ref, use.unit, depth + 1);
    if (binding.kind !== 'value' || binding.value.node !== object) continue;
    const receiver = extendCall(use.call, use.unit, context, depth);
    if (!receiver || (found && (found.table !== receiver.table || found.scoped !== receiver.scoped))) {
      found = undefined;
      break;
    }
    found = { ...receiver, how: `${receiver.how}, extended with \`${declarator.id.name}\`` };
  }
  extensionMemo.set(object, found ?? null);
  return found;
}

/** A class that extends `Repository<E>` (directly or through project classes) is a repository of E. */
function classReceiver(cls: Located<TSESTree.ClassDeclaration | TSESTree.ClassExpression>, context: AnalysisContext, depth: number): Receiver | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const superClass = cls.node.superClass ? unwrap(cls.node.superClass) : undefined;
  if (superClass?.type !== T.Identifier) return undefined;
  const imported = fromTypeorm(superClass, cls.unit, context, depth);
  if (imported && REPOSITORY_TYPES.has(imported)) {
    const arg = cls.node.superTypeArguments?.params[0];
    const table = arg ? entityTableOfType(arg, cls.unit, context, depth + 1) : undefined;
    return { kind: 'repository', table, scoped: false, how: `\`${cls.node.id?.name ?? 'a class'}\`, which extends \`${imported}\`` };
  }
  const binding = context.resolver.bindingOf(superClass, cls.unit, depth + 1);
  return binding.kind === 'class' ? classReceiver(binding.cls, context, depth + 1) : undefined;
}

/**
 * `this.repo`: a constructor parameter property (`@InjectRepository(E) private repo: Repository<E>`),
 * a class field (typed or initialised), or a `this.repo = ...` assignment.
 */
function thisProperty(node: TSESTree.MemberExpression, name: string, unit: FileUnit, context: AnalysisContext, depth: number): Receiver | undefined {
  let body: Node | undefined = node.parent;
  while (body && body.type !== T.ClassBody) body = body.parent;
  if (body?.type !== T.ClassBody) return undefined;
  for (const member of body.body) {
    if (member.type === T.PropertyDefinition && propertyName(member) === name) {
      const injected = injectedReceiver(member.decorators, unit, context, depth);
      if (injected) return injected;
      const annotation = member.typeAnnotation?.typeAnnotation;
      const typed = annotation ? receiverOfType(annotation, unit, context, depth + 1) : undefined;
      if (typed) return typed;
      if (member.value) return receiverOf(member.value, unit, context, depth + 1);
    }
    if (member.type === T.MethodDefinition && member.kind === 'constructor') {
      for (const param of member.value.params) {
        if (param.type !== T.TSParameterProperty || param.parameter.type !== T.Identifier || param.parameter.name !== name) continue;
        const injected = injectedReceiver(param.decorators, unit, context, depth);
        if (injected) return injected;
        const annotation = param.parameter.typeAnnotation?.typeAnnotation;
        return annotation ? receiverOfType(annotation, unit, context, depth + 1) : undefined;
      }
    }
  }
  const assigned = thisAssigned(body, name);
  return assigned ? receiverOf(assigned, unit, context, depth + 1) : undefined;
}

/** NestJS: `@InjectRepository(E)`, `@InjectEntityManager()`, `@InjectDataSource()` from `@nestjs/typeorm`. */
function injectedReceiver(decorators: TSESTree.Decorator[] | undefined, unit: FileUnit, context: AnalysisContext, depth: number): Receiver | undefined {
  for (const decorator of decorators ?? []) {
    const call = unwrap(decorator.expression);
    if (call.type !== T.CallExpression || unwrap(call.callee).type !== T.Identifier) continue;
    const found = packageImport(unwrap(call.callee) as TSESTree.Identifier, unit, context, depth);
    if (found?.source !== NEST_TYPEORM) continue;
    const how = `injected with \`@${found.imported}()\``;
    if (found.imported === 'InjectRepository') return repositoryFor(call.arguments[0], unit, context, depth, false, how);
    if (found.imported === 'InjectEntityManager') return { kind: 'manager', scoped: false, how };
    if (found.imported === 'InjectDataSource' || found.imported === 'InjectConnection') return { kind: 'datasource', scoped: false, how };
  }
  return undefined;
}

/** `Repository<E>`, `EntityManager`, `DataSource`, a custom repository class, `typeof x`. */
export function receiverOfType(type: TSESTree.TypeNode, unit: FileUnit, context: AnalysisContext, depth: number): Receiver | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (type.type === T.TSTypeQuery && type.exprName.type === T.Identifier) return receiverOf(type.exprName, unit, context, depth + 1);
  if (type.type !== T.TSTypeReference || type.typeName.type !== T.Identifier) return undefined;
  const imported = fromTypeorm(type.typeName, unit, context, depth);
  if (imported) {
    const how = `\`${textOf(unit, type)}\` from \`typeorm\``;
    if (REPOSITORY_TYPES.has(imported)) {
      const arg = type.typeArguments?.params[0];
      return { kind: 'repository', table: arg ? entityTableOfType(arg, unit, context, depth + 1) : undefined, scoped: false, how };
    }
    if (MANAGER_TYPES.has(imported)) return { kind: 'manager', scoped: false, how };
    if (DATASOURCE_TYPES.has(imported)) return { kind: 'datasource', scoped: false, how };
    if (imported === 'QueryRunner') return { kind: 'runner', scoped: false, how };
    return undefined;
  }
  const variable = variableOf(unit.scopeManager, type.typeName);
  const def = variable?.defs[0];
  if (def?.type === 'Type' && def.node.type === T.TSTypeAliasDeclaration) return receiverOfType(def.node.typeAnnotation, unit, context, depth + 1);
  const binding = context.resolver.bindingOf(type.typeName, unit, depth + 1);
  return binding.kind === 'class' ? classReceiver(binding.cls, context, depth + 1) : undefined;
}

/** The table of an entity type argument (`Repository<Invoice>`). */
export function entityTableOfType(type: TSESTree.TypeNode, unit: FileUnit, context: AnalysisContext, depth: number): Table | undefined {
  if (type.type !== T.TSTypeReference || type.typeName.type !== T.Identifier) return undefined;
  return entityTable(type.typeName, unit, context, depth);
}

/** The table of an entity class reference (`Invoice`), named as the TypeORM schema reader names it. */
export function entityTable(node: Node, unit: FileUnit, context: AnalysisContext, depth = 0): Table | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const inner = unwrap(node);
  // `getRepository('flow')`: an entity named by its name.
  if (inner.type === T.Literal && typeof inner.value === 'string') return entityByName(inner.value, context);
  if (inner.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(inner, unit, depth + 1);
  let dbName: string | undefined;
  if (binding.kind === 'class') dbName = entityNames(binding.cls.unit).get(binding.cls.node);
  // `const FlowEntity = new EntitySchema({ name: 'flow', ... })`.
  else if (binding.kind === 'value') dbName = entitySchemaTable(binding.value.unit, binding.value.node);
  else if (binding.kind === 'parameter') {
    // A parameter of a project function being followed: the argument its call passed.
    const bound = boundArgument(binding.param.node);
    return bound ? entityTable(bound.node, bound.unit, context, depth + 1) : undefined;
  }
  if (dbName === undefined) return undefined;
  const key = tableKey(dbName);
  for (const table of context.schema.tables.values()) {
    if (tableKey(table.dbName) === key) return table;
  }
  return undefined;
}

/** The TypeORM entity a name stands for: the entity's (or class's) name, else its table's. */
function entityByName(name: string, context: AnalysisContext): Table | undefined {
  const tables = [...context.schema.tables.values()];
  const key = tableKey(name);
  return tables.find((t) => t.source === 'typeorm' && t.name === name) ?? tables.find((t) => tableKey(t.dbName) === key);
}

const entityNameCache = new WeakMap<FileUnit, Map<Node, string>>();

/** Entity class → table name in one file, read by the schema reader itself so both agree. */
function entityNames(unit: FileUnit): Map<Node, string> {
  let names = entityNameCache.get(unit);
  if (names) return names;
  names = new Map();
  const read = readTypeormDetailed(unit, unit.file);
  const byBinding = new Map<string, string>();
  for (const entry of read.tables) for (const binding of entry.bindings) byBinding.set(binding, entry.table.dbName);
  walk(unit.ast, (node) => {
    if ((node.type === T.ClassDeclaration || node.type === T.ClassExpression) && node.id && byBinding.has(node.id.name)) {
      names?.set(node, byBinding.get(node.id.name) ?? '');
    }
  });
  entityNameCache.set(unit, names);
  return names;
}

/**
 * The project class `expression` is an instance of (`this.connection`, an injected
 * TransactionalConnection), when one of its methods returns TypeORM's values (a repository, a
 * manager): a connection wrapper of the project's, whose other methods read through it.
 */
export function typeormWrapperClass(expression: Node, unit: FileUnit, context: AnalysisContext): Located<TSESTree.ClassDeclaration | TSESTree.ClassExpression> | undefined {
  const origin = originsOf(expression, unit, context.resolver).find((o) => o.kind === 'instance');
  const cls = origin?.kind === 'instance' ? { node: origin.cls, unit: origin.unit } : instanceClass(expression, unit, context, 0);
  if (!cls) return undefined;
  const known = wrapperClasses.get(cls.node);
  if (known !== undefined) return known ? cls : undefined;
  const returnsTypeorm = cls.node.body.body.some(
    (m) =>
      m.type === T.MethodDefinition &&
      m.kind === 'method' &&
      m.value.body !== null &&
      returnedExpressions(m.value).some((e) => originsOf(e, cls.unit, context.resolver).some((o) => o.kind === 'lib' && o.source === TYPEORM)),
  );
  wrapperClasses.set(cls.node, returnsTypeorm);
  return returnsTypeorm ? cls : undefined;
}

const wrapperClasses = new WeakMap<Node, boolean>();
