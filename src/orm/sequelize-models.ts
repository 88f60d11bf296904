/**
 * Which Sequelize model a query's receiver is, and what is bound to it: the model is traced
 * through imports to a class that extends `Model` (from `sequelize` or `sequelize-typescript`), a
 * `sequelize.define('Name', ...)`, `sequelize.models.Name` / `sequelize.model('Name')`, or a
 * property of a models object (`models.Invoice`, `const { Invoice } = db`). On the way it records
 * `.scope(...)` / `.unscoped()` (which scopes apply), `.schema(\`tenant_${id}\`)` and configured
 * scoped-client factories (`forTenant(id).Invoice`). Never by variable name.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TSESTree } from '@typescript-eslint/types';
import { enclosingClass, memberName, propertyName, T, thisAssigned, unwrap, variableOf, walk, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext } from '../core/query-site.js';
import { returnedExpressions, type Binding, type Located } from '../core/resolve.js';
import type { Table, TenantSchema } from '../core/schema.js';
import { originsOf } from '../flow/origin.js';
import { tableKey } from '../schema/merge.js';
import { className, constStringOf, decoratorParts, importsAny, isFrom, moduleRefOf, objectOf, propertyOf, stringOf } from '../schema/ts-sources.js';

const MAX_DEPTH = 10;
export const SEQUELIZE_PACKAGES: ReadonlySet<string> = new Set(['sequelize', 'sequelize-typescript', '@sequelize/core']);

type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;

/** One model definition and the table the schema holds for it. */
export interface ModelDef {
  table: Table;
  /** The model name (`modelName` option, the `define` name, or the class name). */
  modelName: string;
  unit: FileUnit;
  /** The model class, for `@Scopes` / `@DefaultScope` and `Model.addScope` on it. */
  cls?: ClassNode;
  /** The binding `addScope` calls are made on (`Invoice` in `Invoice.addScope(...)`). */
  binding?: string;
  /** The `init` / `define` / `@Table` options: `scopes`, `defaultScope`. */
  options?: TSESTree.ObjectExpression;
}

/** A scope named in `.scope(...)`: a name with its arguments, or an inline scope object. */
export type ScopeRef = { name: string; args: Node[]; unit: FileUnit } | { inline: Node; unit: FileUnit } | { unknown: string };

export interface ModelUse {
  def: ModelDef;
  /** Which scopes apply: the default scope, those named in `.scope(...)`, or none (`.unscoped()`). */
  scopes: { kind: 'default' } | { kind: 'named'; refs: ScopeRef[] } | { kind: 'none' };
  /** The model is bound to one tenant by construction (a configured factory, a tenant schema). */
  scopedBy?: string;
}

/** The model `expression` stands for, or undefined when it is not traced to a Sequelize model. */
export function modelUseOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): ModelUse | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unwrap(expression);
  const found = syntacticModel(node, unit, context, depth);
  // What the written forms do not reach, the value flow may: a model held in a `Map` cache of
  // per-database model sets (`appDBs.get(appId)`), spread into a result object, returned by a factory.
  return found || depth > 0 ? found : flowModel(node, unit, context);
}

function syntacticModel(node: Node, unit: FileUnit, context: AnalysisContext, depth: number): ModelUse | undefined {
  switch (node.type) {
    case T.LogicalExpression:
      return node.operator === '&&' ? undefined : eitherModel(node, unit, context, depth);
    case T.Identifier:
      return identifierModel(node, unit, context, depth);
    case T.CallExpression:
      return callModel(node, unit, context, depth);
    case T.MemberExpression:
      return memberModel(node, unit, context, depth);
    case T.ThisExpression: {
      // `this.findAll(...)` in a static method of the model class.
      const cls = enclosingClass(node);
      return cls && isStaticContext(node) ? use(classModel(cls, unit, context, depth + 1)) : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * `db.models.Meta ?? db.models.AppMeta`, `a || b`: a model when both sides are models; of two
 * tables, the one that holds tenant data, so that a fallback cannot hide an unscoped read.
 */
function eitherModel(node: TSESTree.LogicalExpression, unit: FileUnit, context: AnalysisContext, depth: number): ModelUse | undefined {
  const left = modelUseOf(node.left, unit, context, depth + 1);
  const right = left && modelUseOf(node.right, unit, context, depth + 1);
  if (!left || !right) return undefined;
  return pickTenantModel([left, right]);
}

function pickTenantModel(uses: ModelUse[]): ModelUse | undefined {
  return uses.find((u) => u.def.table.class === 'tenant' || u.def.table.class === 'child') ?? uses[0];
}

/**
 * The model the value flow (src/flow/origin.ts) finds for a receiver: a model class (`class Invoice
 * extends Model`, wherever the value came from), or `.models.Invoice` of a `new Sequelize(...)`.
 */
function flowModel(node: Node, unit: FileUnit, context: AnalysisContext): ModelUse | undefined {
  if (node.type !== T.Identifier && node.type !== T.MemberExpression && node.type !== T.CallExpression) return undefined;
  const uses: ModelUse[] = [];
  for (const origin of originsOf(node, unit, context.resolver)) {
    if (origin.kind === 'class') {
      const found = use(classModel(origin.cls, origin.unit, context, 1));
      if (found) uses.push(found);
    } else if (origin.kind === 'lib' && SEQUELIZE_PACKAGES.has(origin.source)) {
      // `new Sequelize(...)`, or a value typed `Sequelize`: then `.models.Invoice`.
      const steps = origin.steps[0]?.kind === 'new' ? origin.steps.slice(1) : origin.typed ? origin.steps : [];
      const [models, model, ...rest] = steps;
      if (models?.kind !== 'get' || models.name !== 'models' || model?.kind !== 'get' || rest.length > 0) continue;
      const found = use(modelNamed(model.name, context, unit));
      if (found) uses.push(found);
    }
  }
  return pickTenantModel(uses);
}

function use(def: ModelDef | undefined, scopedBy?: string): ModelUse | undefined {
  return def ? { def, scopes: { kind: 'default' }, scopedBy } : undefined;
}

function isStaticContext(node: Node): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === T.MethodDefinition || current.type === T.PropertyDefinition) return current.static;
    if (current.type === T.FunctionDeclaration || current.type === T.FunctionExpression) {
      if (current.parent?.type !== T.MethodDefinition) return false;
    }
  }
  return false;
}

function identifierModel(node: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number): ModelUse | undefined {
  const variable = variableOf(unit.scopeManager, node);
  const def = variable?.defs[0];
  // `const { Invoice } = models` / `= sequelize.models`
  if (def?.type === 'Variable' && def.node.id.type === T.ObjectPattern && def.node.init) {
    const key = destructuredKey(def.node.id, node.name);
    return key ? propertyModel(def.node.init, key, unit, context, depth + 1) : undefined;
  }
  if (def?.type === 'ImportBinding' && def.node.type === T.ImportNamespaceSpecifier) return undefined;
  return bindingModel(context.resolver.bindingOf(node, unit, depth + 1), context, depth);
}

function destructuredKey(pattern: TSESTree.ObjectPattern, local: string): string | undefined {
  for (const property of pattern.properties) {
    if (property.type !== T.Property) continue;
    const value = property.value.type === T.AssignmentPattern ? property.value.left : property.value;
    if (value.type === T.Identifier && value.name === local) return propertyName(property);
  }
  return undefined;
}

function bindingModel(binding: Binding, context: AnalysisContext, depth: number): ModelUse | undefined {
  switch (binding.kind) {
    case 'class':
      return use(classModel(binding.cls.node, binding.cls.unit, context, depth + 1));
    case 'value':
      return modelUseOf(binding.value.node, binding.value.unit, context, depth + 1);
    case 'parameter': {
      const annotation = binding.param.node.typeAnnotation?.typeAnnotation;
      return annotation ? typeModel(annotation, binding.param.unit, context, depth + 1) : undefined;
    }
    default:
      return undefined;
  }
}

/** `typeof Invoice`, `ModelStatic<Invoice>`, `ModelCtor<Invoice>`: a parameter or property holding the model. */
function typeModel(annotation: TSESTree.TypeNode, unit: FileUnit, context: AnalysisContext, depth: number): ModelUse | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (annotation.type === T.TSTypeQuery && annotation.exprName.type === T.Identifier) return modelUseOf(annotation.exprName, unit, context, depth + 1);
  if (annotation.type !== T.TSTypeReference || annotation.typeName.type !== T.Identifier) return undefined;
  const wrapper = moduleRefOf(unit, annotation.typeName);
  const first = annotation.typeArguments?.params[0];
  if (!isFrom(wrapper, SEQUELIZE_PACKAGES) || !first || first.type !== T.TSTypeReference || first.typeName.type !== T.Identifier) return undefined;
  if (!['ModelStatic', 'ModelCtor', 'ModelType'].includes(wrapper.path[0] ?? '')) return undefined;
  return modelUseOf(first.typeName, unit, context, depth + 1);
}

function callModel(call: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext, depth: number): ModelUse | undefined {
  const callee = unwrap(call.callee);
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (name && (context.config.scopedClientFactories ?? []).includes(name)) {
    // `tenantModel(Invoice, orgId)`: a configured factory handed the model.
    for (const arg of call.arguments) {
      const inner = arg.type === T.SpreadElement ? undefined : modelUseOf(arg, unit, context, depth + 1);
      if (inner) return { ...inner, scopedBy: `\`${name}()\`, a configured scoped-client factory` };
    }
    return undefined;
  }
  if (callee.type === T.MemberExpression) {
    if (name === 'define') return use(defineModel(call, unit, context, depth + 1));
    if (name === 'model') {
      const modelName = constStringOf(unit, call.arguments[0]);
      return modelName !== undefined && isSequelizeInstance(callee.object, unit, context, depth + 1) ? use(modelNamed(modelName, context, unit)) : undefined;
    }
    if (name === 'scope' || name === 'unscoped' || name === 'schema') {
      const base = modelUseOf(callee.object, unit, context, depth + 1);
      if (!base) return undefined;
      if (name === 'unscoped') return { ...base, scopes: { kind: 'none' } };
      if (name === 'scope') return { ...base, scopes: scopesOf(call, unit) };
      return tenantSchema(call.arguments[0], unit) ? { ...base, scopedBy: 'a tenant schema (`.schema(...)` per tenant)' } : base;
    }
    return undefined;
  }
  if (callee.type !== T.Identifier) return undefined;
  // A project function that returns a model: `const invoices = () => Invoice.scope('live')`.
  const binding = context.resolver.bindingOf(callee, unit, depth + 1);
  if (binding.kind !== 'function') return undefined;
  for (const returned of returnedExpressions(binding.fn.node)) {
    const found = modelUseOf(returned, binding.fn.unit, context, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** `.scope('tenant')`, `.scope({ method: ['tenant', id] })`, `.scope(['a', 'b'])`, `.scope({ where })`, `.scope(null)`. */
function scopesOf(call: TSESTree.CallExpression, unit: FileUnit): ModelUse['scopes'] {
  const refs: ScopeRef[] = [];
  const add = (arg: Node): void => {
    const node = unwrap(arg);
    if (node.type === T.ArrayExpression) {
      for (const element of node.elements) if (element && element.type !== T.SpreadElement) add(element);
      return;
    }
    if (node.type === T.Literal && node.value === null) return;
    const name = constStringOf(unit, node);
    if (name !== undefined) {
      refs.push({ name, args: [], unit });
      return;
    }
    if (node.type === T.ObjectExpression) {
      const method = propertyOf(node, 'method');
      if (!method) {
        refs.push({ inline: node, unit });
        return;
      }
      const list = method.type === T.ArrayExpression ? method.elements : [method];
      const first = list[0];
      const methodName = first && first.type !== T.SpreadElement ? constStringOf(unit, first) : undefined;
      const args = list.slice(1).filter((e): e is TSESTree.Expression => !!e && e.type !== T.SpreadElement);
      refs.push(methodName === undefined ? { unknown: 'a scope method named by an expression' } : { name: methodName, args, unit });
      return;
    }
    refs.push({ unknown: 'a scope named by an expression' });
  };
  for (const arg of call.arguments) if (arg.type !== T.SpreadElement) add(arg);
  return refs.length ? { kind: 'named', refs } : { kind: 'none' };
}

/** `` `tenant_${orgId}` ``, or any schema name computed at run time; a constant schema is not per tenant. */
function tenantSchema(arg: Node | undefined, unit: FileUnit): boolean {
  if (!arg || arg.type === T.SpreadElement) return false;
  const node = unwrap(arg);
  if (constStringOf(unit, node) !== undefined) return false;
  if (node.type === T.TemplateLiteral) return node.expressions.length > 0;
  return node.type === T.Identifier || node.type === T.CallExpression || node.type === T.MemberExpression;
}

function memberModel(node: TSESTree.MemberExpression, unit: FileUnit, context: AnalysisContext, depth: number): ModelUse | undefined {
  const name = memberName(node);
  if (!name) return undefined;
  const object = unwrap(node.object);
  if (object.type === T.ThisExpression) return thisMemberModel(node, name, unit, context, depth);
  // `forTenant(orgId).Invoice`, `const db = forTenant(orgId); db.Invoice`
  const factory = factoryCall(object, unit, context, depth + 1);
  if (factory) return use(modelNamed(name, context, unit), `\`${factory}()\`, a configured scoped-client factory`);
  // `sequelize.models.Invoice`
  if (object.type === T.MemberExpression && memberName(object) === 'models' && isSequelizeInstance(object.object, unit, context, depth + 1)) {
    return use(modelNamed(name, context, unit));
  }
  return propertyModel(object, name, unit, context, depth + 1);
}

/** The configured factory a receiver is the result of, if any. */
function factoryCall(node: Node, unit: FileUnit, context: AnalysisContext, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const inner = unwrap(node);
  if (inner.type === T.CallExpression) {
    const callee = unwrap(inner.callee);
    const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
    return name && (context.config.scopedClientFactories ?? []).includes(name) ? name : undefined;
  }
  if (inner.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(inner, unit, depth + 1);
  return binding.kind === 'value' ? factoryCall(binding.value.node, binding.value.unit, context, depth + 1) : undefined;
}

/** `models.Invoice` where `models` is an object literal of models, or a namespace import of the models module. */
function propertyModel(objectNode: Node, key: string, unit: FileUnit, context: AnalysisContext, depth: number): ModelUse | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const object = unwrap(objectNode);
  if (object.type === T.ObjectExpression) {
    for (const property of object.properties) {
      if (property.type === T.Property && propertyName(property) === key) return modelUseOf(property.value, unit, context, depth + 1);
    }
    return undefined;
  }
  if (object.type === T.MemberExpression && memberName(object) === 'models' && isSequelizeInstance(object.object, unit, context, depth + 1)) {
    return use(modelNamed(key, context, unit));
  }
  if (object.type !== T.Identifier) return undefined;
  const variable = variableOf(unit.scopeManager, object);
  const def = variable?.defs[0];
  if (def?.type === 'ImportBinding' && def.node.type === T.ImportNamespaceSpecifier && def.parent.type === T.ImportDeclaration) {
    const file = context.resolver.modules.resolve(unit.file, def.parent.source.value);
    const target = file ? context.resolver.modules.unit(file) : null;
    return target ? bindingModel(context.resolver.exportBinding(target, key, depth + 1), context, depth + 1) : undefined;
  }
  const binding = context.resolver.bindingOf(object, unit, depth + 1);
  return binding.kind === 'value' ? propertyModel(binding.value.node, key, binding.value.unit, context, depth + 1) : undefined;
}

/** `this.invoices` with `private invoices: typeof Invoice` (a field or constructor parameter), or `this.invoices = Invoice`. */
function thisMemberModel(node: TSESTree.MemberExpression, name: string, unit: FileUnit, context: AnalysisContext, depth: number): ModelUse | undefined {
  const cls = enclosingClass(node);
  if (!cls) return undefined;
  for (const member of cls.body.body) {
    if (member.type === T.PropertyDefinition && propertyName(member) === name) {
      if (member.value) return modelUseOf(member.value, unit, context, depth + 1);
      const annotation = member.typeAnnotation?.typeAnnotation;
      return annotation ? typeModel(annotation, unit, context, depth + 1) : undefined;
    }
    if (member.type === T.MethodDefinition && member.kind === 'constructor') {
      for (const param of member.value.params) {
        if (param.type !== T.TSParameterProperty || param.parameter.type !== T.Identifier || param.parameter.name !== name) continue;
        const annotation = param.parameter.typeAnnotation?.typeAnnotation;
        return annotation ? typeModel(annotation, unit, context, depth + 1) : undefined;
      }
    }
  }
  const assigned = thisAssigned(cls.body, name);
  return assigned ? modelUseOf(assigned, unit, context, depth + 1) : undefined;
}

/** `new Sequelize(...)` from a Sequelize package, traced through imports; or a value typed as one. */
export function isSequelizeInstance(expression: Node, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const node = unwrap(expression);
  if (node.type === T.NewExpression) {
    const ref = moduleRefOf(unit, node.callee);
    return isFrom(ref, SEQUELIZE_PACKAGES) && (ref.path.length === 0 || ref.path[ref.path.length - 1] === 'Sequelize');
  }
  if (node.type !== T.Identifier) return false;
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  if (binding.kind === 'value') return isSequelizeInstance(binding.value.node, binding.value.unit, context, depth + 1);
  if (binding.kind !== 'parameter') return false;
  const annotation = binding.param.node.typeAnnotation?.typeAnnotation;
  return annotation?.type === T.TSTypeReference && isFrom(moduleRefOf(binding.param.unit, annotation.typeName), SEQUELIZE_PACKAGES, new Set(['Sequelize']));
}

// ---------------------------------------------------------------------------------------------
// Definitions.

/** A class is a model when it extends `Model` of a Sequelize package, directly or through project classes. */
function extendsModel(cls: ClassNode, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  if (depth > MAX_DEPTH || !cls.superClass) return false;
  if (isFrom(moduleRefOf(unit, cls.superClass), SEQUELIZE_PACKAGES, new Set(['Model']))) return true;
  const superClass = unwrap(cls.superClass);
  if (superClass.type !== T.Identifier) return false;
  const binding = context.resolver.bindingOf(superClass, unit, depth + 1);
  return binding.kind === 'class' && extendsModel(binding.cls.node, binding.cls.unit, context, depth + 1);
}

/** Definitions read once per schema: an editor session re-reads the schema, and tables change with it. */
const definitionCache = new WeakMap<TenantSchema, WeakMap<Node, ModelDef>>();

function cacheFor(schema: TenantSchema): WeakMap<Node, ModelDef> {
  let cache = definitionCache.get(schema);
  if (!cache) definitionCache.set(schema, (cache = new WeakMap()));
  return cache;
}

function classModel(cls: ClassNode, unit: FileUnit, context: AnalysisContext, depth: number): ModelDef | undefined {
  const cache = cacheFor(context.schema);
  const cached = cache.get(cls);
  if (cached) return cached;
  const def = extendsModel(cls, unit, context, depth) ? readClassModel(cls, unit, context) : undefined;
  if (def) cache.set(cls, def);
  return def;
}

function readClassModel(cls: ClassNode, unit: FileUnit, context: AnalysisContext): ModelDef | undefined {
  const name = className(cls);
  const tableDecorator = decorated(cls.decorators, unit, 'Table');
  let options = tableDecorator ? objectOf(tableDecorator[0]) : undefined;
  if (!tableDecorator) options = initOptions(cls, unit);
  const modelName = constStringOf(unit, propertyOf(options, 'modelName')) ?? name;
  if (modelName === undefined) return undefined;
  const table = tableByName(constStringOf(unit, propertyOf(options, 'tableName')) ?? modelName, context.schema);
  return table ? { table, modelName, unit, cls, binding: name, options } : undefined;
}

/** The options of `Invoice.init(attributes, options)` (or `this.init` in a static method) in the class's file. */
function initOptions(cls: ClassNode, unit: FileUnit): TSESTree.ObjectExpression | undefined {
  let found: TSESTree.ObjectExpression | undefined;
  walk(unit.ast, (node) => {
    if (found || node.type !== T.CallExpression) return;
    const callee = unwrap(node.callee);
    if (callee.type !== T.MemberExpression || memberName(callee) !== 'init') return;
    const object = unwrap(callee.object);
    const target = object.type === T.ThisExpression ? enclosingClass(object) : object.type === T.Identifier ? classOfIdentifier(object, unit) : undefined;
    if (target === cls) found = objectOf(node.arguments[1]);
  });
  return found;
}

function classOfIdentifier(identifier: TSESTree.Identifier, unit: FileUnit): ClassNode | undefined {
  const def = variableOf(unit.scopeManager, identifier)?.defs[0];
  if (def?.type === 'ClassName') return def.node;
  if (def?.type === 'Variable' && def.node.init) {
    const init = unwrap(def.node.init);
    if (init.type === T.ClassExpression) return init;
  }
  return undefined;
}

/** The arguments of a sequelize-typescript decorator (`@Table({...})`, `@Scopes(() => ...)`) on a class. */
function decorated(decorators: TSESTree.Decorator[] | undefined, unit: FileUnit, name: string): Node[] | undefined {
  for (const decorator of decorators ?? []) {
    const { callee, args } = decoratorParts(decorator);
    if (isFrom(moduleRefOf(unit, callee), new Set(['sequelize-typescript']), new Set([name]))) return args;
  }
  return undefined;
}

/** `sequelize.define('Invoice', attributes, options)` on a Sequelize instance (or in a file that imports Sequelize). */
function defineModel(call: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext, depth: number): ModelDef | undefined {
  const cache = cacheFor(context.schema);
  const cached = cache.get(call);
  if (cached) return cached;
  const callee = unwrap(call.callee);
  const modelName = constStringOf(unit, call.arguments[0]);
  if (callee.type !== T.MemberExpression || modelName === undefined) return undefined;
  if (!isSequelizeInstance(callee.object, unit, context, depth + 1) && !importsAny(unit, SEQUELIZE_PACKAGES)) return undefined;
  const options = objectOf(call.arguments[2]);
  const table = tableByName(constStringOf(unit, propertyOf(options, 'tableName')) ?? modelName, context.schema);
  const parent = call.parent;
  const binding = parent?.type === T.VariableDeclarator && parent.id.type === T.Identifier ? parent.id.name : undefined;
  const def = table ? { table, modelName, unit, binding, options } : undefined;
  if (def) cache.set(call, def);
  return def;
}

/** The schema's table for a Sequelize table name (the merged schema keys tables by their database name). */
export function tableByName(name: string, schema: TenantSchema): Table | undefined {
  const key = tableKey(name);
  for (const table of schema.tables.values()) if (tableKey(table.dbName) === key) return table;
  return schema.tables.get(name);
}

// ---------------------------------------------------------------------------------------------
// Models by name: `sequelize.models.Invoice`, `forTenant(id).Invoice`.

interface NameIndex {
  byName: Map<string, ModelDef>;
  byTable: Map<Table, ModelDef>;
}

const nameIndexes = new WeakMap<TenantSchema, NameIndex>();

/** The model named `name` (its model or class name), found through the definitions the schema was read from. */
export function modelNamed(name: string, context: AnalysisContext, from: FileUnit): ModelDef | undefined {
  return nameIndex(context, from).byName.get(name);
}

/** The model name code uses for a table, for the wording of fixes. */
export function modelNameOf(table: Table, context: AnalysisContext, from: FileUnit): string {
  return nameIndex(context, from).byTable.get(table)?.modelName ?? table.name;
}

function nameIndex(context: AnalysisContext, from: FileUnit): NameIndex {
  const cached = nameIndexes.get(context.schema);
  if (cached) return cached;
  const index: NameIndex = { byName: new Map(), byTable: new Map() };
  const files = new Set<string>();
  for (const table of context.schema.tables.values()) {
    if (table.source === 'sequelize' && table.location) files.add(table.location.file);
  }
  const root = projectRoot(from.file, [...files]);
  for (const file of files) {
    const unit = root === undefined ? null : context.resolver.modules.unit(join(root, file));
    if (unit) for (const def of definitionsIn(unit, context)) addToIndex(index, def);
  }
  nameIndexes.set(context.schema, index);
  return index;
}

function addToIndex(index: NameIndex, def: ModelDef): void {
  if (!index.byName.has(def.modelName)) index.byName.set(def.modelName, def);
  if (def.binding && !index.byName.has(def.binding)) index.byName.set(def.binding, def);
  if (!index.byTable.has(def.table)) index.byTable.set(def.table, def);
}

/** The directory the schema's project-relative paths are relative to: an ancestor of the file being analysed. */
function projectRoot(file: string, relatives: string[]): string | undefined {
  const probe = relatives[0];
  if (probe === undefined) return undefined;
  for (let dir = dirname(file), i = 0; i < 30; dir = dirname(dir), i++) {
    if (existsSync(join(dir, probe))) return dir;
    if (dirname(dir) === dir) break;
  }
  return undefined;
}

function definitionsIn(unit: FileUnit, context: AnalysisContext): ModelDef[] {
  const defs: ModelDef[] = [];
  walk(unit.ast, (node) => {
    if (node.type === T.ClassDeclaration || node.type === T.ClassExpression) {
      const def = classModel(node, unit, context, 0);
      if (def) defs.push(def);
    }
    if (node.type === T.CallExpression) {
      const callee = unwrap(node.callee);
      if (callee.type !== T.MemberExpression || memberName(callee) !== 'define') return;
      const def = defineModel(node, unit, context, 0);
      if (def) defs.push(def);
    }
  });
  return defs;
}

// ---------------------------------------------------------------------------------------------
// Scope definitions.

export interface ScopeDefs {
  named: Map<string, Located>;
  defaultScope?: Located;
}

/** `scopes` / `defaultScope` options, `Model.addScope(name, scope)` in the model's file, `@Scopes` / `@DefaultScope`. */
export function scopeDefsOf(def: ModelDef): ScopeDefs {
  const named = new Map<string, Located>();
  const { unit } = def;
  let defaultScope: Located | undefined;
  const addObject = (object: Node | undefined): void => {
    const scopes = objectOf(object);
    for (const property of scopes?.properties ?? []) {
      const name = property.type === T.Property ? propertyName(property) : undefined;
      if (property.type === T.Property && name !== undefined) named.set(name, { node: property.value, unit });
    }
  };
  addObject(propertyOf(def.options, 'scopes'));
  const defaultOption = propertyOf(def.options, 'defaultScope');
  if (defaultOption) defaultScope = { node: defaultOption, unit };
  if (def.cls) {
    const scopes = decorated(def.cls.decorators, unit, 'Scopes');
    if (scopes?.[0]) addObject(returnedOrSelf(scopes[0]));
    const defaults = decorated(def.cls.decorators, unit, 'DefaultScope');
    if (defaults?.[0]) defaultScope = { node: returnedOrSelf(defaults[0]), unit };
  }
  walk(unit.ast, (node) => {
    if (node.type !== T.CallExpression) return;
    const callee = unwrap(node.callee);
    if (callee.type !== T.MemberExpression || memberName(callee) !== 'addScope') return;
    const object = unwrap(callee.object);
    const onModel = object.type === T.ThisExpression ? enclosingClass(object) === def.cls && def.cls !== undefined : object.type === T.Identifier && object.name === def.binding;
    const [nameArg, scope] = node.arguments;
    const name = nameArg ? stringOf(nameArg) : undefined;
    if (!onModel || name === undefined || !scope || scope.type === T.SpreadElement) return;
    if (name === 'defaultScope') defaultScope = { node: scope, unit };
    else named.set(name, { node: scope, unit });
  });
  return { named, defaultScope };
}

/** `@Scopes(() => ({ ... }))`: the object the arrow returns. */
function returnedOrSelf(node: Node): Node {
  const inner = unwrap(node);
  if (inner.type === T.ArrowFunctionExpression || inner.type === T.FunctionExpression) return returnedExpressions(inner)[0] ?? inner;
  return inner;
}
