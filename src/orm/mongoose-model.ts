/**
 * Which Mongoose model a receiver is, and whether it is tenant-scoped by construction. Models are
 * traced, never guessed from names: `model('Board', schema)` and `mongoose.model(...)` from the
 * `mongoose` package, `conn.model(...)` of a traced connection, `mongoose.models.Board`, values typed
 * `Model<IBoard>` (imported from `mongoose`), NestJS `@InjectModel(Board.name)` properties, and
 * models returned by project functions or held in object literals. A connection of a per-tenant
 * database (`useDb(\`tenant_${id}\`)`) or a configured scoped factory scopes its models.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { enclosingClass, memberName, propertyName, T, textOf, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext } from '../core/query-site.js';
import { returnedExpressions, type Located } from '../core/resolve.js';
import type { Table } from '../core/schema.js';
import { constStringOf, moduleRefOf } from '../schema/ts-sources.js';
import { originsOf } from '../flow/origin.js';

const MAX_DEPTH = 10;
const MONGOOSE = 'mongoose';
const NEST_MONGOOSE = '@nestjs/mongoose';

/** A connection or model and whether it is bound to one tenant. */
export interface Scope {
  scoped: boolean;
  how: string;
}

export interface TracedModel extends Scope {
  table: Table;
  /** The `model('Board', schema)` call, when it was seen: its schema is checked for tenant plugins. */
  construction?: Located<TSESTree.CallExpression>;
}

/** The Mongoose model `expression` evaluates to, or undefined when it is not traced to one. */
export function modelOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): TracedModel | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unwrap(expression);
  switch (node.type) {
    case T.Identifier:
      return modelOfIdentifier(node, unit, context, depth);
    case T.CallExpression:
      return modelOfCall(node, unit, context, depth);
    case T.MemberExpression:
      return modelOfMember(node, unit, context, depth);
    case T.LogicalExpression:
      // `mongoose.models.Board || mongoose.model('Board', boardSchema)`: the Next.js hot-reload idiom.
      return modelOf(node.right, unit, context, depth + 1) ?? modelOf(node.left, unit, context, depth + 1);
    default:
      return undefined;
  }
}

/** A model name of the schema: Mongoose tables are named after their model (`model('Board', ...)`). */
export function tableNamed(name: string | undefined, context: AnalysisContext): Table | undefined {
  if (!name) return undefined;
  const exact = context.schema.tables.get(name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  for (const table of context.schema.tables.values()) {
    if (table.source === 'mongoose' && table.name.toLowerCase() === lower) return table;
  }
  return undefined;
}

function isMongoose(unit: FileUnit, node: Node, path?: string[]): boolean {
  const ref = moduleRefOf(unit, node);
  if (ref?.source !== MONGOOSE) return false;
  // `import mongoose from 'mongoose'` and `import * as mongoose` both reach the default instance.
  const own = ref.path[0] === 'default' ? ref.path.slice(1) : ref.path;
  return path === undefined ? own.length === 0 : own.join('.') === path.join('.');
}

function modelOfIdentifier(node: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number): TracedModel | undefined {
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  if (binding.kind === 'value') return modelOf(binding.value.node, binding.value.unit, context, depth + 1);
  if (binding.kind === 'parameter') {
    const param = binding.param.node;
    return modelOfDeclared(param.typeAnnotation?.typeAnnotation, param.decorators, binding.param.unit, context, depth);
  }
  if (binding.kind === 'unknown') return destructured(node, unit, context, depth);
  return undefined;
}

/** `const { Board } = tenantModels(tenantId)`: a property of an object of models. */
function destructured(node: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number): TracedModel | undefined {
  const def = variableOf(unit.scopeManager, node)?.defs[0];
  if (def?.type !== 'Variable' || def.node.id.type !== T.ObjectPattern || !def.node.init) return undefined;
  const property = def.node.id.properties.find((p): p is TSESTree.Property => p.type === T.Property && (p.value === def.name || (p.value.type === T.AssignmentPattern && p.value.left === def.name)));
  const key = property ? propertyName(property) : undefined;
  return key ? propertyModel(def.node.init, key, unit, context, depth + 1) : undefined;
}

function modelOfCall(node: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext, depth: number): TracedModel | undefined {
  const callee = unwrap(node.callee);
  const name = calleeName(callee);
  if (name && (context.config.scopedClientFactories ?? []).includes(name)) {
    // `forTenant(Board, tenantId)`: the factory hands back the model bound to one tenant.
    for (const arg of node.arguments) {
      const model = modelOf(arg, unit, context, depth + 1);
      if (model) return { ...model, scoped: true, how: `\`${name}()\` is a configured scoped-client factory` };
    }
    return undefined;
  }
  const connection = modelFactory(node, unit, context, depth);
  if (connection) {
    const table = tableNamed(constStringOf(unit, node.arguments[0]), context);
    return table ? { table, ...connection, construction: { node, unit } } : undefined;
  }
  if (callee.type === T.Identifier) {
    const binding = context.resolver.bindingOf(callee, unit, depth + 1);
    if (binding.kind === 'function') return agree(returnedExpressions(binding.fn.node).map((e) => modelOf(e, binding.fn.unit, context, depth + 1)));
  }
  return undefined;
}

/** Every returned model must be the same table; the result is scoped when every one is. */
function agree(models: (TracedModel | undefined)[]): TracedModel | undefined {
  const first = models[0];
  if (!first || models.some((m) => !m || m.table !== first.table)) return undefined;
  const scoped = models.every((m) => m?.scoped);
  return { ...first, scoped, how: scoped ? first.how : `returned by a function (${first.how})` };
}

function calleeName(callee: Node): string | undefined {
  if (callee.type === T.Identifier) return callee.name;
  return callee.type === T.MemberExpression ? memberName(callee) : undefined;
}

/** `model(...)` from mongoose, `mongoose.model(...)` or `<connection>.model(...)`: the connection it registers on. */
function modelFactory(node: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext, depth: number): Scope | undefined {
  const callee = unwrap(node.callee);
  if (callee.type === T.Identifier) return isMongoose(unit, callee, ['model']) ? { scoped: false, how: '`model()` from `mongoose`' } : undefined;
  if (callee.type !== T.MemberExpression || memberName(callee) !== 'model') return undefined;
  if (isMongoose(unit, callee.object)) return { scoped: false, how: '`mongoose.model()`' };
  return connectionOf(callee.object, unit, context, depth + 1);
}

function modelOfMember(node: TSESTree.MemberExpression, unit: FileUnit, context: AnalysisContext, depth: number): TracedModel | undefined {
  const name = memberName(node);
  if (!name) return undefined;
  const object = unwrap(node.object);
  if (object.type === T.ThisExpression) {
    const member = thisMember(node, name);
    if (!member) return undefined;
    if (member.value) return modelOf(member.value, unit, context, depth + 1);
    return modelOfDeclared(member.type, member.decorators, unit, context, depth);
  }
  // `mongoose.models.Board`, `conn.models.Board`: a model already registered under that name.
  if (object.type === T.MemberExpression && memberName(object) === 'models') {
    const base = isMongoose(unit, object.object) ? { scoped: false, how: '`mongoose.models`' } : connectionOf(object.object, unit, context, depth + 1);
    const table = base ? tableNamed(name, context) : undefined;
    return base && table ? { table, ...base } : undefined;
  }
  return propertyModel(object, name, unit, context, depth + 1) ?? serviceMember(object, name, unit, context, depth);
}

/**
 * `this.customersService.CustomerModel.findOne(...)`: a model injected into another service, read
 * through that service (laudspeaker's events.service.ts:708). The flow engine says which class the
 * object is an instance of; the member is read in that class as `this.<name>` would be.
 */
function serviceMember(object: Node, name: string, unit: FileUnit, context: AnalysisContext, depth: number): TracedModel | undefined {
  for (const origin of originsOf(object, unit, context.resolver)) {
    if (origin.kind !== 'instance') continue;
    const member = memberOf(origin.cls, name);
    if (!member) continue;
    const model = member.value ? modelOf(member.value, origin.unit, context, depth + 1) : modelOfDeclared(member.type, member.decorators, origin.unit, context, depth);
    if (model) return { ...model, how: `\`${textOf(unit, object)}.${name}\`, ${model.how}` };
  }
  return undefined;
}

/** `models.Board` where `models` is an object literal of models, or a function's returned one. */
function propertyModel(object: Node, key: string, unit: FileUnit, context: AnalysisContext, depth: number): TracedModel | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unwrap(object);
  if (node.type === T.ObjectExpression) {
    const property = node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === key);
    if (!property) return undefined;
    // `{ Board }` shorthand and `{ Board: db.model('Board', schema) }` alike.
    return modelOf(property.value, unit, context, depth + 1);
  }
  if (node.type === T.Identifier) {
    const binding = context.resolver.bindingOf(node, unit, depth + 1);
    return binding.kind === 'value' ? propertyModel(binding.value.node, key, binding.value.unit, context, depth + 1) : undefined;
  }
  if (node.type !== T.CallExpression) return undefined;
  const callee = unwrap(node.callee);
  const name = calleeName(callee);
  if (name && (context.config.scopedClientFactories ?? []).includes(name)) {
    // `forTenant(tenantId).Board`: the factory's models are bound to one tenant.
    const table = tableNamed(key, context);
    return table ? { table, scoped: true, how: `\`${name}()\` is a configured scoped-client factory` } : undefined;
  }
  if (callee.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(callee, unit, depth + 1);
  if (binding.kind !== 'function') return undefined;
  return agree(returnedExpressions(binding.fn.node).map((e) => propertyModel(e, key, binding.fn.unit, context, depth + 1)));
}

interface Member {
  value?: Node;
  type?: TSESTree.TypeNode;
  decorators: TSESTree.Decorator[];
}

/** `this.<name>`: a class field, or a constructor parameter property (NestJS injection). */
function thisMember(node: TSESTree.MemberExpression, name: string): Member | undefined {
  const cls = enclosingClass(node);
  return cls ? memberOf(cls, name) : undefined;
}

/** A class field or constructor parameter property named `name`. */
function memberOf(cls: TSESTree.ClassDeclaration | TSESTree.ClassExpression, name: string): Member | undefined {
  for (const member of cls.body.body) {
    if (member.type === T.PropertyDefinition && propertyName(member) === name) {
      return { value: member.value ?? undefined, type: member.typeAnnotation?.typeAnnotation, decorators: member.decorators };
    }
    if (member.type !== T.MethodDefinition || member.kind !== 'constructor') continue;
    for (const param of member.value.params) {
      if (param.type !== T.TSParameterProperty || param.parameter.type !== T.Identifier || param.parameter.name !== name) continue;
      return { type: param.parameter.typeAnnotation?.typeAnnotation, decorators: [...param.decorators, ...param.parameter.decorators] };
    }
  }
  return undefined;
}

/**
 * A parameter or property known by its declaration: `@InjectModel(Board.name)` names the model;
 * otherwise the type does (`Model<IBoard>` from mongoose, `typeof Board`).
 */
function modelOfDeclared(type: TSESTree.TypeNode | undefined, decorators: TSESTree.Decorator[], unit: FileUnit, context: AnalysisContext, depth: number): TracedModel | undefined {
  for (const decorator of decorators) {
    const call = decorator.expression;
    if (call.type !== T.CallExpression || !moduleRefIs(unit, call.callee, NEST_MONGOOSE, 'InjectModel')) continue;
    const table = tableNamed(injectedName(call.arguments[0], unit), context);
    return table ? { table, scoped: false, how: `\`@InjectModel(${call.arguments[0] ? textOf(unit, call.arguments[0]) : ''})\`` } : undefined;
  }
  return type ? modelOfType(type, unit, context, depth + 1) : undefined;
}

function moduleRefIs(unit: FileUnit, node: Node, source: string, name: string): boolean {
  const ref = moduleRefOf(unit, node);
  return ref?.source === source && ref.path.join('.') === name;
}

/** `Board.name` (the NestJS schema class) or `'Board'`. */
function injectedName(arg: Node | undefined, unit: FileUnit): string | undefined {
  if (!arg) return undefined;
  const node = unwrap(arg);
  if (node.type === T.MemberExpression && memberName(node) === 'name' && unwrap(node.object).type === T.Identifier) return (unwrap(node.object) as TSESTree.Identifier).name;
  return constStringOf(unit, node);
}

function modelOfType(type: TSESTree.TypeNode, unit: FileUnit, context: AnalysisContext, depth: number): TracedModel | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (type.type === T.TSTypeQuery && type.exprName.type === T.Identifier) return modelOf(type.exprName, unit, context, depth + 1);
  if (type.type !== T.TSTypeReference) return undefined;
  const name = type.typeName;
  const isModel =
    (name.type === T.Identifier && moduleRefIs(unit, name, MONGOOSE, 'Model')) ||
    (name.type === T.TSQualifiedName && name.right.name === 'Model' && name.left.type === T.Identifier && isMongoose(unit, name.left));
  if (isModel) {
    const document = type.typeArguments?.params[0];
    const table = document ? tableOfDocumentType(document, context) : undefined;
    return table ? { table, scoped: false, how: `a \`Model<${table.name}>\` from \`mongoose\`` } : undefined;
  }
  if (name.type !== T.Identifier) return undefined;
  // A local alias or interface: `type BoardModel = Model<IBoard>`, `interface BoardModel extends Model<IBoard> {}`.
  const def = variableOf(unit.scopeManager, name)?.defs[0];
  if (def?.type !== 'Type') return undefined;
  if (def.node.type === T.TSTypeAliasDeclaration) return modelOfType(def.node.typeAnnotation, unit, context, depth + 1);
  if (def.node.type !== T.TSInterfaceDeclaration) return undefined;
  for (const heritage of def.node.extends) {
    if (heritage.expression.type !== T.Identifier || !moduleRefIs(unit, heritage.expression, MONGOOSE, 'Model')) continue;
    const document = heritage.typeArguments?.params[0];
    const table = document ? tableOfDocumentType(document, context) : undefined;
    if (table) return { table, scoped: false, how: `\`${name.name}\` extends \`Model<${table.name}>\`` };
  }
  return undefined;
}

/** `IBoard`, `Board`, `BoardDocument`, `BoardDoc` name the model `Board`. */
function tableOfDocumentType(type: TSESTree.TypeNode, context: AnalysisContext): Table | undefined {
  if (type.type !== T.TSTypeReference || type.typeName.type !== T.Identifier) return undefined;
  const name = type.typeName.name;
  const candidates = [name, name.replace(/^I(?=[A-Z])/, ''), name.replace(/(Document|Doc|Attrs|Fields)$/, ''), name.replace(/^I(?=[A-Z])/, '').replace(/(Document|Doc|Attrs|Fields)$/, '')];
  for (const candidate of candidates) {
    const table = tableNamed(candidate, context);
    if (table?.source === 'mongoose') return table;
  }
  return undefined;
}

/**
 * A Mongoose connection: `mongoose.connection`, `createConnection()`, a connection typed
 * `Connection` or injected with `@InjectConnection()`. `conn.useDb(\`tenant_${id}\`)` is a
 * database of one tenant: every model registered on it reads only that tenant's documents.
 */
export function connectionOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): Scope | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unwrap(expression);
  if (isMongoose(unit, node, ['connection'])) return { scoped: false, how: '`mongoose.connection`' };
  switch (node.type) {
    case T.CallExpression:
      return connectionOfCall(node, unit, context, depth);
    case T.Identifier: {
      const binding = context.resolver.bindingOf(node, unit, depth + 1);
      if (binding.kind === 'value') return connectionOf(binding.value.node, binding.value.unit, context, depth + 1);
      if (binding.kind !== 'parameter') return undefined;
      return connectionDeclared(binding.param.node.typeAnnotation?.typeAnnotation, binding.param.node.decorators, binding.param.unit);
    }
    case T.MemberExpression: {
      const name = memberName(node);
      if (!name || unwrap(node.object).type !== T.ThisExpression) return undefined;
      const member = thisMember(node, name);
      if (!member) return undefined;
      return member.value ? connectionOf(member.value, unit, context, depth + 1) : connectionDeclared(member.type, member.decorators, unit);
    }
    default:
      return undefined;
  }
}

function connectionOfCall(node: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext, depth: number): Scope | undefined {
  const callee = unwrap(node.callee);
  const name = calleeName(callee);
  if (name && (context.config.scopedClientFactories ?? []).includes(name)) return { scoped: true, how: `\`${name}()\` is a configured scoped-client factory` };
  if (callee.type === T.Identifier && isMongoose(unit, callee, ['createConnection'])) return { scoped: false, how: '`createConnection()` from `mongoose`' };
  if (callee.type === T.MemberExpression) {
    if (name === 'createConnection' && isMongoose(unit, callee.object)) return { scoped: false, how: '`mongoose.createConnection()`' };
    if (name === 'asPromise' || name === 'openUri') return connectionOf(callee.object, unit, context, depth + 1);
    if (name === 'useDb') return useDb(node, callee, unit, context, depth);
    return undefined;
  }
  if (callee.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(callee, unit, depth + 1);
  if (binding.kind !== 'function') return undefined;
  const results = returnedExpressions(binding.fn.node).map((e) => connectionOf(e, binding.fn.unit, context, depth + 1));
  const first = results[0];
  if (!first || results.some((r) => !r)) return undefined;
  return results.every((r) => r?.scoped) ? first : { scoped: false, how: `returned by \`${callee.name}()\`` };
}

/** `useDb(\`tenant_${id}\`)` (a name computed per call) is a tenant's database; `useDb('reports')` is shared. */
function useDb(node: TSESTree.CallExpression, callee: TSESTree.MemberExpression, unit: FileUnit, context: AnalysisContext, depth: number): Scope | undefined {
  const base = connectionOf(callee.object, unit, context, depth + 1);
  if (!base) return undefined;
  const name = node.arguments[0];
  if (!name || constStringOf(unit, name) !== undefined) return base;
  return { scoped: true, how: `a per-tenant database (\`useDb(${textOf(unit, name)})\`)` };
}

function connectionDeclared(type: TSESTree.TypeNode | undefined, decorators: TSESTree.Decorator[] | undefined, unit: FileUnit): Scope | undefined {
  for (const decorator of decorators ?? []) {
    const call = decorator.expression;
    if (call.type === T.CallExpression && moduleRefIs(unit, call.callee, NEST_MONGOOSE, 'InjectConnection')) return { scoped: false, how: '`@InjectConnection()`' };
  }
  if (type?.type !== T.TSTypeReference) return undefined;
  const name = type.typeName;
  if (name.type === T.Identifier && moduleRefIs(unit, name, MONGOOSE, 'Connection')) return { scoped: false, how: 'a `Connection` from `mongoose`' };
  if (name.type === T.TSQualifiedName && name.right.name === 'Connection' && name.left.type === T.Identifier && isMongoose(unit, name.left)) return { scoped: false, how: 'a `mongoose.Connection`' };
  return undefined;
}

