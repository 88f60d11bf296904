/**
 * Sequelize models, read from the AST: `Invoice.init(attributes, options)` on a class extending
 * `Model`, `sequelize.define('Invoice', attributes, options)`, associations (`belongsTo`,
 * `hasMany`, `hasOne`, `belongsToMany`) anywhere in the file, and sequelize-typescript `@Table`
 * classes. Models are read only in files importing (or requiring) `sequelize` /
 * `sequelize-typescript`. Associations are also read in a file that only imports the models
 * (the usual `models/index.ts`): `Invoice.belongsTo(Company, ...)` on imported models is applied,
 * once every file has been read, to the models those imports resolve to. An association whose
 * model is defined in another file is applied the same way.
 *
 * Naming: the table name is the `tableName` option, else the model name (`modelName` option, the
 * `define` name or the class name) as written. Sequelize itself pluralises the model name unless
 * `freezeTableName` is set (`Invoice` → `Invoices`); we keep the model name, and give the
 * pluralised name as an alias, so that migrations of `Invoices` merge with the model (the
 * option may be set for every model in the `Sequelize` constructor, in another file). Like Sequelize, a
 * model without a primary-key attribute gets an `id` primary key, and `createdAt` / `updatedAt`
 * (and `deletedAt` when paranoid) unless `timestamps: false`.
 */
import type { TSESTree } from '@typescript-eslint/types';
import type { Column, Relation } from '../core/schema.js';
import { T, enclosingClass, memberName, staticName, textOf, unwrap, walk, type FileUnit, type Node } from '../core/ast.js';
import { pluralize } from 'inflection';
import type { RawTable } from './raw.js';
import {
  bindingRefOf,
  booleanOf,
  className,
  constStringOf,
  decoratorParts,
  emptyRead,
  entriesOf,
  findTable,
  importsAny,
  isFrom,
  locationOf,
  moduleRefOf,
  objectOf,
  propertyOf,
  resolveInFile,
  returnedOf,
  snakeCase,
  stringOf,
  superClassOf,
  type BindingRef,
  variableAt,
  type TsReadResult,
  type TsTable,
} from './ts-sources.js';

const SEQUELIZE = new Set(['sequelize']);
const SEQUELIZE_TS = new Set(['sequelize-typescript']);
const ANY_SEQUELIZE = new Set([...SEQUELIZE, ...SEQUELIZE_TS]);
const MODEL = new Set(['Model']);
const ASSOCIATIONS = new Set(['belongsTo', 'hasMany', 'hasOne', 'belongsToMany']);

type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;

interface ModelDef {
  ts: TsTable;
  modelName: string;
  underscored: boolean;
  projectFile: string;
  /** The `indexes` option, re-resolved whenever an association adds a column. */
  indexes: IndexSpec[];
}

/**
 * One entry of the `indexes` option: its fields as written (attribute keys or column names) and
 * the field list the table holds (shared with the unique it makes, if any), resolved to attribute
 * keys with the columns known so far: a column that `belongsTo` adds later (`company_id` through
 * `foreignKey: { name: 'companyId', field: 'company_id' }`) is resolved when it is added.
 */
interface IndexSpec {
  written: string[];
  fields: string[];
  unique?: { fields: string[]; name: string };
  /** The unique has an explicit `name` (else it is named after its fields). */
  named: boolean;
}

/** The model each table read by this module stands for: cross-file associations find it from the table. */
const MODELS = new WeakMap<RawTable, ModelDef>();

function register(model: ModelDef): ModelDef {
  MODELS.set(model.ts.table, model);
  return model;
}

function modelOf(table: TsTable | undefined): ModelDef | undefined {
  return table ? MODELS.get(table.table) : undefined;
}

/** The Sequelize models of one file. */
export function readSequelize(unit: FileUnit, projectFile: string): RawTable[] {
  return readSequelizeDetailed(unit, projectFile).tables.map((t) => t.table);
}

/** Text worth walking for associations in a file that does not import Sequelize. */
const ASSOCIATION_CALL = /\.(?:belongsTo(?:Many)?|hasMany|hasOne)\s*\(/;

export function readSequelizeDetailed(unit: FileUnit, projectFile: string): TsReadResult {
  const read = emptyRead();
  const importsSequelize = importsAny(unit, ANY_SEQUELIZE);
  if (!importsSequelize && !ASSOCIATION_CALL.test(unit.text)) return read;
  const models: ModelDef[] = [];
  const calls: TSESTree.CallExpression[] = [];
  const classes: ClassNode[] = [];
  walk(unit.ast, (node) => {
    if (node.type === T.CallExpression) calls.push(node);
    if (node.type === T.ClassDeclaration || node.type === T.ClassExpression) classes.push(node);
  });
  if (!importsSequelize) {
    // A file that only imports the models (`models/index.ts`): its associations, on imported models only.
    for (const call of calls) readAssociation(unit, call, models, read, true);
    return read;
  }

  for (const call of calls) {
    const callee = unwrap(call.callee);
    if (callee.type !== T.MemberExpression) continue;
    const method = memberName(callee);
    const args = call.arguments.filter((a) => a.type !== T.SpreadElement);
    const attributes = objectOf(args[method === 'define' ? 1 : 0]);
    if (!attributes) continue;
    const location = locationOf(projectFile, callee.object, callee.property);
    if (method === 'init') {
      const cls = modelClass(unit, callee.object);
      if (!cls) continue;
      const options = objectOf(args[1]);
      const name = className(cls.node) ?? cls.name;
      const modelName = constStringOf(unit, propertyOf(options, 'modelName')) ?? name;
      models.push(readModel(unit, projectFile, modelName, [name], attributes, options, location, read));
    } else if (method === 'define') {
      const modelName = constStringOf(unit, args[0]);
      if (modelName === undefined) continue;
      const binding = declaredBinding(call);
      const bindings = binding === undefined || binding === modelName ? [modelName] : [binding, modelName];
      models.push(readModel(unit, projectFile, modelName, bindings, attributes, objectOf(args[2]), location, read));
    }
  }
  for (const cls of classes) {
    const model = readDecoratedModel(unit, projectFile, cls);
    if (model) models.push(model);
  }
  read.tables.push(...models.map((m) => m.ts));

  for (const call of calls) readAssociation(unit, call, models, read, false);
  for (const cls of classes) readDecoratedAssociations(unit, cls, models, read);
  resolveInFile(read);
  return read;
}

/** `const Invoice = sequelize.define(...)` or `Invoice = sequelize.define(...)`. */
function declaredBinding(call: TSESTree.CallExpression): string | undefined {
  const parent = call.parent;
  if (parent?.type === T.VariableDeclarator && parent.id.type === T.Identifier) return parent.id.name;
  if (parent?.type === T.AssignmentExpression && parent.left.type === T.Identifier) return parent.left.name;
  return undefined;
}

/** The class of `Invoice.init(...)` when it extends Sequelize's `Model` (directly or through in-file classes). */
function modelClass(unit: FileUnit, object: Node): { node: ClassNode; name: string } | undefined {
  const current = unwrap(object);
  let cls: ClassNode | undefined;
  if (current.type === T.ThisExpression) cls = enclosingClass(current);
  else if (current.type === T.Identifier) {
    const def = variableAt(unit, current)?.defs[0];
    if (def?.type === 'ClassName') cls = def.node;
    else if (def?.type === 'Variable' && def.node.init && unwrap(def.node.init).type === T.ClassExpression) {
      const init = unwrap(def.node.init);
      if (init.type === T.ClassExpression) cls = init;
    }
  }
  if (!cls) return undefined;
  for (let c: ClassNode | undefined = cls, depth = 0; c && depth < 8; c = superClassOf(unit, c), depth++) {
    if (c.superClass && isFrom(moduleRefOf(unit, c.superClass), ANY_SEQUELIZE, MODEL)) {
      return { node: cls, name: className(cls) ?? (current.type === T.Identifier ? current.name : 'anonymous') };
    }
  }
  return undefined;
}

/** `DataTypes.STRING(255)` → `STRING`; `DataTypes.ARRAY(DataTypes.UUID)` → `UUID`, a list. */
function typeOf(unit: FileUnit, node: Node | undefined): { type: string; isList: boolean } {
  if (!node) return { type: 'unknown', isList: false };
  let current = unwrap(node);
  let isList = false;
  if (current.type === T.CallExpression) {
    const callee = unwrap(current.callee);
    const name = callee.type === T.MemberExpression ? memberName(callee) : callee.type === T.Identifier ? callee.name : undefined;
    if (name === 'ARRAY' && current.arguments[0]) {
      isList = true;
      return { type: typeOf(unit, current.arguments[0]).type, isList };
    }
    current = callee;
  }
  if (current.type === T.MemberExpression) {
    // `DataTypes.INTEGER.UNSIGNED`, `Sequelize.DataTypes.UUID`: the data type is the upper-case segment.
    const segments: string[] = [];
    let part: Node = current;
    while (part.type === T.MemberExpression) {
      segments.unshift(memberName(part) ?? '');
      part = unwrap(part.object);
    }
    return { type: segments.find((segment) => /^[A-Z][A-Z0-9_]*$/.test(segment)) ?? segments[segments.length - 1] ?? textOf(unit, current), isList };
  }
  if (current.type === T.Identifier) return { type: current.name, isList };
  return { type: stringOf(current) ?? textOf(unit, current), isList };
}

interface TableParts {
  columns: Map<string, Column>;
  primaryKey: string[];
  uniques: RawTable['uniques'];
  indexes: string[][];
  relations: Map<string, Relation>;
}

function emptyParts(): TableParts {
  return { columns: new Map(), primaryKey: [], uniques: [], indexes: [], relations: new Map() };
}

/** Adds one attribute; `unique: 'name'` groups attributes into one compound unique via `named`. */
function addAttribute(
  unit: FileUnit,
  projectFile: string,
  parts: TableParts,
  named: Map<string, string[]>,
  key: string,
  keyNode: Node,
  definition: Node,
  underscored: boolean,
  read: TsReadResult,
): void {
  const value = unwrap(definition);
  const options = value.type === T.ObjectExpression ? value : undefined;
  const { type, isList } = typeOf(unit, options ? propertyOf(options, 'type') : value);
  const primary = booleanOf(propertyOf(options, 'primaryKey')) === true;
  const column: Column = {
    name: key,
    dbName: stringOf(propertyOf(options, 'field')) ?? (underscored ? snakeCase(key) : key),
    type,
    nullable: !primary && booleanOf(propertyOf(options, 'allowNull')) !== false,
    isList,
    location: locationOf(projectFile, keyNode),
  };
  parts.columns.set(key, column);
  if (primary) parts.primaryKey.push(key);
  addUnique(parts, named, key, propertyOf(options, 'unique'));
  const references = propertyOf(options, 'references');
  const model = propertyOf(references, 'model');
  if (model) {
    const tableName = stringOf(propertyOf(model, 'tableName'));
    const target: BindingRef | undefined = tableName !== undefined ? { kind: 'name', local: tableName } : bindingRefOf(unit, model);
    if (target) {
      const relation: Relation = {
        name: key,
        target: target.local,
        fields: [key],
        references: [stringOf(propertyOf(references, 'key')) ?? 'id'],
        required: !column.nullable,
        isList: false,
      };
      parts.relations.set(key, relation);
      read.pending.push({ relation, target });
    }
  }
}

/** `unique: true`, `unique: 'org_email'` (a compound unique shared by attributes), `unique: { name }`. */
function addUnique(parts: TableParts, named: Map<string, string[]>, key: string, unique: Node | true | undefined): void {
  if (unique === undefined) return;
  if (unique === true || booleanOf(unique) === true) {
    parts.uniques.push({ fields: [key], name: key });
    return;
  }
  const name = stringOf(unique) ?? stringOf(propertyOf(unique, 'name'));
  if (name === undefined) return;
  const fields = named.get(name) ?? [];
  if (fields.length === 0) named.set(name, fields);
  fields.push(key);
}

/** Adds what Sequelize adds by itself and reads the `indexes` option (returned, to be re-resolved later). */
function finishParts(parts: TableParts, named: Map<string, string[]>, options: TSESTree.ObjectExpression | undefined, underscored: boolean): IndexSpec[] {
  for (const [name, fields] of named) parts.uniques.push({ fields, name });
  // What Sequelize adds by itself: an `id` primary key and the timestamp attributes.
  if (parts.primaryKey.length === 0) {
    const existing = parts.columns.get('id');
    if (existing) existing.nullable = false;
    else parts.columns.set('id', { name: 'id', dbName: 'id', type: 'INTEGER', nullable: false, isList: false });
    parts.primaryKey.push('id');
  }
  if (parts.primaryKey.length > 1) parts.uniques.push({ fields: parts.primaryKey, name: parts.primaryKey.join('_') });
  for (const field of parts.primaryKey) {
    const column = parts.columns.get(field);
    if (column) column.nullable = false;
  }
  if (booleanOf(propertyOf(options, 'timestamps')) !== false) {
    const paranoid = booleanOf(propertyOf(options, 'paranoid')) === true;
    const stamps: [string, string, boolean][] = [
      ['createdAt', 'createdAt', false],
      ['updatedAt', 'updatedAt', false],
    ];
    if (paranoid) stamps.push(['deletedAt', 'deletedAt', true]);
    for (const [option, fallback, nullable] of stamps) {
      const setting = propertyOf(options, option);
      if (setting && booleanOf(setting) === false) continue;
      const key = stringOf(setting) ?? fallback;
      if (parts.columns.has(key)) continue;
      parts.columns.set(key, { name: key, dbName: underscored ? snakeCase(key) : key, type: 'DATE', nullable, isList: false });
    }
  }
  // `indexes: [{ fields: ['org_id', { name: 'created_at', order: 'DESC' }], unique: true }]`
  const specs: IndexSpec[] = [];
  const indexes = propertyOf(options, 'indexes');
  if (indexes?.type !== T.ArrayExpression) return specs;
  for (const element of indexes.elements) {
    if (!element || element.type === T.SpreadElement) continue;
    const fieldsNode = propertyOf(element, 'fields');
    if (fieldsNode?.type !== T.ArrayExpression) continue;
    const written: string[] = [];
    for (const item of fieldsNode.elements) {
      if (!item || item.type === T.SpreadElement) continue;
      const name = stringOf(item) ?? stringOf(propertyOf(item, 'name')) ?? stringOf(propertyOf(item, 'attribute'));
      if (name !== undefined) written.push(name);
    }
    if (written.length === 0) continue;
    const fields = written.map((name) => columnKey(parts.columns, name));
    const spec: IndexSpec = { written, fields, named: false };
    parts.indexes.push(fields);
    if (booleanOf(propertyOf(element, 'unique')) === true) {
      const name = stringOf(propertyOf(element, 'name'));
      spec.unique = { fields, name: name ?? fields.join('_') };
      spec.named = name !== undefined;
      parts.uniques.push(spec.unique);
    }
    specs.push(spec);
  }
  return specs;
}

/** Resolves the `indexes` fields again with the columns the model has now (in place: the table holds these arrays). */
function resolveIndexes(model: ModelDef): void {
  const columns = model.ts.table.columns;
  for (const spec of model.indexes) {
    spec.fields.splice(0, spec.fields.length, ...spec.written.map((name) => columnKey(columns, name)));
    if (spec.unique && !spec.named) spec.unique.name = spec.fields.join('_');
  }
}

/** An attribute or database column name → the attribute key. */
function columnKey(columns: Map<string, Column>, name: string): string {
  if (columns.has(name)) return name;
  return [...columns.values()].find((c) => c.dbName === name)?.name ?? name;
}

function readModel(
  unit: FileUnit,
  projectFile: string,
  modelName: string,
  bindings: string[],
  attributes: TSESTree.ObjectExpression,
  options: TSESTree.ObjectExpression | undefined,
  location: RawTable['location'],
  read: TsReadResult,
): ModelDef {
  const underscored = booleanOf(propertyOf(options, 'underscored')) === true;
  const parts = emptyParts();
  const named = new Map<string, string[]>();
  for (const entry of entriesOf(attributes)) {
    addAttribute(unit, projectFile, parts, named, entry.key, entry.keyNode, entry.value, underscored, read);
  }
  const indexes = finishParts(parts, named, options, underscored);
  const explicit = constStringOf(unit, propertyOf(options, 'tableName'));
  const name = explicit ?? modelName;
  return register({
    ts: { table: { name, dbName: name, ...parts, location, source: 'sequelize', ...defaultTableAliases(explicit, modelName, options) }, bindings },
    modelName,
    underscored,
    projectFile,
    indexes,
  });
}

/** Sequelize's `Utils.camelize`: `Organization_id` → `OrganizationId` (the first letter is kept). */
function camelize(text: string): string {
  return text.replace(/[-_\s]+(.)?/g, (_match, next: string | undefined) => (next ? next.toUpperCase() : ''));
}

function primaryOf(model: ModelDef | undefined): string {
  return model?.ts.table.primaryKey.length === 1 ? model.ts.table.primaryKey[0] : 'id';
}

/** Finds or adds (as Sequelize would) the foreign-key attribute `key` of `model`; an added column may be what an index names. */
function foreignKeyColumn(model: ModelDef, key: string, allowNull: boolean | undefined, field: string | undefined, location: RawTable['location']): Column {
  const columns = model.ts.table.columns;
  const existing = columns.get(key) ?? [...columns.values()].find((c) => c.dbName === key);
  if (existing) {
    if (allowNull === false) existing.nullable = false;
    return existing;
  }
  const column: Column = {
    name: key,
    dbName: field ?? (model.underscored ? snakeCase(key) : key),
    type: 'unknown',
    nullable: allowNull !== false,
    isList: false,
    location,
  };
  columns.set(key, column);
  resolveIndexes(model);
  return column;
}

/** Adds a foreign-key relation, replacing the one an attribute's `references` made for the same key. */
function setForeignRelation(model: ModelDef, relation: Relation): void {
  const relations = model.ts.table.relations;
  for (const [name, existing] of relations) {
    if (name !== relation.name && existing.fields.length === 1 && existing.fields[0] === relation.fields[0] && existing.name === existing.fields[0]) {
      relations.delete(name);
    }
  }
  relations.set(relation.name, relation);
}

/**
 * `Invoice.belongsTo(Organization, { foreignKey: 'orgId', as: 'organization' })` and the other
 * associations. With `importedOnly` (a file that does not import Sequelize), only associations
 * between imported bindings are read (`import { Invoice } from './invoice'`, `models.Invoice` of
 * `import * as models from './models'`): they are resolved once every file has been read.
 */
function readAssociation(unit: FileUnit, call: TSESTree.CallExpression, models: ModelDef[], read: TsReadResult, importedOnly: boolean): void {
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression) return;
  const kind = memberName(callee);
  if (kind === undefined || !ASSOCIATIONS.has(kind)) return;
  const args = call.arguments.filter((a) => a.type !== T.SpreadElement);
  const ownerNode = unwrap(callee.object);
  let owner: BindingRef | undefined;
  let target: BindingRef | undefined;
  if (importedOnly) {
    owner = importedBindingOf(unit, ownerNode);
    target = args[0] ? importedBindingOf(unit, args[0]) : undefined;
  } else {
    if (ownerNode.type === T.ThisExpression) {
      const cls = enclosingClass(ownerNode);
      const name = cls ? className(cls) : undefined;
      owner = name === undefined ? undefined : { kind: 'binding', local: name };
    } else {
      owner = bindingRefOf(unit, ownerNode);
    }
    target = args[0] ? bindingRefOf(unit, args[0]) : undefined;
  }
  if (!owner || !target || owner.kind !== 'binding' || target.kind !== 'binding') return;
  const ownerModel = modelByRef(models, read, owner);
  const targetModel = modelByRef(models, read, target);
  const options = objectOf(args[1]);
  addAssociation(kind, owner, ownerModel, target, targetModel, optionsOf(options), read);
}

/** An imported value as a binding of the module it comes from: `Invoice` of `import { Invoice } from './invoice'`. */
function importedBindingOf(unit: FileUnit, node: Node): BindingRef | undefined {
  const ref = moduleRefOf(unit, node);
  if (!ref || ref.path.length !== 1 || ANY_SEQUELIZE.has(ref.source)) return undefined;
  return { kind: 'binding', local: ref.path[0], from: ref };
}

interface AssociationOptions {
  as?: string;
  foreignKey?: string;
  allowNull?: boolean;
  field?: string;
  targetKey?: string;
}

function optionsOf(options: TSESTree.ObjectExpression | undefined): AssociationOptions {
  const as = propertyOf(options, 'as');
  const foreignKey = propertyOf(options, 'foreignKey');
  return {
    as: stringOf(as) ?? stringOf(propertyOf(as, 'singular')),
    foreignKey: stringOf(foreignKey) ?? stringOf(propertyOf(foreignKey, 'name')),
    allowNull: booleanOf(propertyOf(foreignKey, 'allowNull')),
    field: stringOf(propertyOf(foreignKey, 'field')),
    targetKey: stringOf(propertyOf(options, 'targetKey')),
  };
}

/**
 * Applies an association: `belongsTo` adds the foreign key (and the relation) to the owner,
 * `hasMany` / `hasOne` add a back relation to the owner and the foreign key to the target,
 * `belongsToMany` a back relation. A part whose model is not defined in this file is deferred
 * until every file has been read (`read.deferred`), then applied to the model the binding
 * resolves to. With `guessForeignKey: false` (sequelize-typescript, whose key comes from the
 * target's `@ForeignKey`), a target of another file gets no default foreign key.
 */
function addAssociation(
  kind: string,
  owner: BindingRef,
  ownerModel: ModelDef | undefined,
  target: BindingRef,
  targetModel: ModelDef | undefined,
  options: AssociationOptions,
  read: TsReadResult,
  guessForeignKey = true,
): void {
  // Deferred work applies only when both sides turn out to be Sequelize models.
  const later = (apply: (ownerModel: ModelDef, targetModel: ModelDef) => void): void => {
    read.deferred.push((resolve) => {
      const o = ownerModel ?? modelOf(resolve(owner));
      const t = targetModel ?? modelOf(resolve(target));
      if (o && t) apply(o, t);
    });
  };
  if (kind === 'belongsTo') {
    if (ownerModel) addBelongsTo(ownerModel, target, targetModel, options, read);
    else later((o, t) => addBelongsTo(o, target, t, options, read));
    return;
  }
  if (ownerModel) addBackRelation(kind, ownerModel, target, targetModel, options, read);
  else later((o, t) => addBackRelation(kind, o, target, t, options, read));
  // hasMany / hasOne put the foreign key on the target: the target belongs to the owner.
  if (kind === 'belongsToMany') return;
  if (targetModel) addTargetForeignKey(owner, ownerModel, targetModel, options, read);
  else if (guessForeignKey || options.foreignKey !== undefined) later((o, t) => addTargetForeignKey(owner, o, t, options, read));
}

function addBelongsTo(ownerModel: ModelDef, target: BindingRef, targetModel: ModelDef | undefined, options: AssociationOptions, read: TsReadResult): void {
  const targetName = targetModel?.modelName ?? target.local;
  const as = options.as ?? targetName;
  const referenced = options.targetKey ?? primaryOf(targetModel);
  const fk = options.foreignKey ?? camelize(`${as}_${referenced}`);
  const column = foreignKeyColumn(ownerModel, fk, options.allowNull, options.field, ownerModel.ts.table.location);
  const relation: Relation = { name: as, target: target.local, fields: [column.name], references: [referenced], required: !column.nullable, isList: false };
  setForeignRelation(ownerModel, relation);
  read.pending.push({ relation, target });
}

function addBackRelation(kind: string, ownerModel: ModelDef, target: BindingRef, targetModel: ModelDef | undefined, options: AssociationOptions, read: TsReadResult): void {
  const back: Relation = {
    name: options.as ?? targetModel?.modelName ?? target.local,
    target: target.local,
    fields: [],
    references: [],
    required: false,
    isList: kind !== 'hasOne',
  };
  if (ownerModel.ts.table.relations.has(back.name)) return;
  ownerModel.ts.table.relations.set(back.name, back);
  read.pending.push({ relation: back, target });
}

function addTargetForeignKey(owner: BindingRef, ownerModel: ModelDef | undefined, targetModel: ModelDef, options: AssociationOptions, read: TsReadResult): void {
  const ownerName = ownerModel?.modelName ?? owner.local;
  const fk = options.foreignKey ?? camelize(`${ownerName}_${primaryOf(ownerModel)}`);
  const column = foreignKeyColumn(targetModel, fk, options.allowNull, options.field, targetModel.ts.table.location);
  const already = [...targetModel.ts.table.relations.values()].some((r) => r.fields.length === 1 && r.fields[0] === column.name && r.name !== column.name);
  if (already) return;
  const relation: Relation = {
    name: column.name,
    target: owner.local,
    fields: [column.name],
    references: [primaryOf(ownerModel)],
    required: !column.nullable,
    isList: false,
  };
  setForeignRelation(targetModel, relation);
  read.pending.push({ relation, target: owner });
}

function modelByRef(models: ModelDef[], read: TsReadResult, ref: BindingRef): ModelDef | undefined {
  const table = findTable(read.tables, ref);
  return table ? models.find((m) => m.ts === table) : undefined;
}

// ---------------------------------------------------------------------------------------------
// sequelize-typescript: `@Table` classes.

interface Decorated {
  name: string;
  decorator: TSESTree.Decorator;
  args: Node[];
}

function tsDecorators(unit: FileUnit, decorators: TSESTree.Decorator[] | undefined): Decorated[] {
  const found: Decorated[] = [];
  for (const decorator of decorators ?? []) {
    const { callee, args } = decoratorParts(decorator);
    const ref = moduleRefOf(unit, callee);
    if (isFrom(ref, SEQUELIZE_TS) && ref.path.length === 1) found.push({ name: ref.path[0], decorator, args });
  }
  return found;
}

const TIMESTAMP_DECORATORS = new Set(['CreatedAt', 'UpdatedAt', 'DeletedAt']);

function readDecoratedModel(unit: FileUnit, projectFile: string, cls: ClassNode): ModelDef | undefined {
  const table = tsDecorators(unit, cls.decorators).find((d) => d.name === 'Table');
  if (!table) return undefined;
  const name = className(cls) ?? 'anonymous';
  const options = objectOf(table.args[0]);
  const modelName = constStringOf(unit, propertyOf(options, 'modelName')) ?? name;
  const underscored = booleanOf(propertyOf(options, 'underscored')) === true;
  const parts = emptyParts();
  const named = new Map<string, string[]>();
  const namedIndexes = new Map<string, { fields: string[]; unique: boolean }>();

  for (const member of cls.body.body) {
    if (member.type !== T.PropertyDefinition) continue;
    const key = staticName(member.key, member.computed);
    if (key === undefined) continue;
    const decorators = tsDecorators(unit, member.decorators);
    const column = decorators.find((d) => d.name === 'Column');
    const stamp = decorators.find((d) => TIMESTAMP_DECORATORS.has(d.name));
    if (!column && !stamp) continue;
    const columnOptions = objectOf(column?.args[0]);
    const annotation = member.typeAnnotation?.typeAnnotation;
    const typeNode = columnOptions ? propertyOf(columnOptions, 'type') : column?.args[0];
    const { type, isList } = typeNode ? typeOf(unit, typeNode) : { type: annotation ? textOf(unit, annotation) : 'unknown', isList: false };
    const allowNullDecorator = decorators.find((d) => d.name === 'AllowNull');
    const allowNull = allowNullDecorator ? (booleanOf(allowNullDecorator.args[0]) ?? true) : booleanOf(propertyOf(columnOptions, 'allowNull'));
    const primary = decorators.some((d) => d.name === 'PrimaryKey') || booleanOf(propertyOf(columnOptions, 'primaryKey')) === true;
    const nullable = !primary && (stamp ? stamp.name === 'DeletedAt' : allowNull !== false);
    parts.columns.set(key, {
      name: key,
      dbName: stringOf(propertyOf(columnOptions, 'field')) ?? (underscored ? snakeCase(key) : key),
      type,
      nullable,
      isList,
      location: locationOf(projectFile, member.key),
    });
    if (primary) parts.primaryKey.push(key);
    addUnique(parts, named, key, propertyOf(columnOptions, 'unique'));
    const unique = decorators.find((d) => d.name === 'Unique');
    if (unique) addUnique(parts, named, key, unique.args[0] ?? true);
    for (const index of decorators.filter((d) => d.name === 'Index')) {
      const indexName = stringOf(index.args[0]) ?? stringOf(propertyOf(index.args[0], 'name'));
      const isUnique = booleanOf(propertyOf(index.args[0], 'unique')) === true;
      if (indexName === undefined) {
        parts.indexes.push([key]);
        if (isUnique) parts.uniques.push({ fields: [key], name: key });
        continue;
      }
      const group = namedIndexes.get(indexName) ?? { fields: [], unique: false };
      group.fields.push(key);
      group.unique ||= isUnique;
      namedIndexes.set(indexName, group);
    }
  }
  for (const [indexName, group] of namedIndexes) {
    parts.indexes.push(group.fields);
    if (group.unique) parts.uniques.push({ fields: group.fields, name: indexName });
  }
  const indexes = finishParts(parts, named, options, underscored);
  const explicitName = constStringOf(unit, propertyOf(options, 'tableName'));
  const tableName = explicitName ?? modelName;
  return register({
    ts: {
      table: { name: tableName, dbName: tableName, ...parts, location: locationOf(projectFile, table.decorator, decoratorName(table.decorator)), source: 'sequelize', ...defaultTableAliases(explicitName, modelName, options) },
      bindings: name === modelName ? [name] : [name, modelName],
    },
    modelName,
    underscored,
    projectFile,
    indexes,
  });
}

function decoratorName(decorator: TSESTree.Decorator): Node {
  const expression = unwrap(decorator.expression);
  return expression.type === T.CallExpression ? expression.callee : expression;
}

/** `@ForeignKey(() => Organization) @Column orgId`, `@BelongsTo(() => Organization) organization`, `@HasMany(...)`. */
function readDecoratedAssociations(unit: FileUnit, cls: ClassNode, models: ModelDef[], read: TsReadResult): void {
  const name = className(cls);
  const ownerModel = models.find((m) => name !== undefined && m.ts.bindings.includes(name) && m.ts.table.source === 'sequelize');
  if (!ownerModel || name === undefined) return;
  const owner: BindingRef = { kind: 'binding', local: name };
  const foreignKeys: { key: string; target: BindingRef }[] = [];
  const associations: { key: string; kind: string; target: BindingRef; args: Node[] }[] = [];
  for (const member of cls.body.body) {
    if (member.type !== T.PropertyDefinition) continue;
    const key = staticName(member.key, member.computed);
    if (key === undefined) continue;
    for (const decorated of tsDecorators(unit, member.decorators)) {
      const target = targetOf(unit, decorated.args[0]);
      if (!target) continue;
      if (decorated.name === 'ForeignKey') foreignKeys.push({ key, target });
      else if (decorated.name === 'BelongsTo' || decorated.name === 'HasMany' || decorated.name === 'HasOne' || decorated.name === 'BelongsToMany') {
        associations.push({ key, kind: decorated.name, target, args: decorated.args });
      }
    }
  }
  const claimed = new Set<string>();
  for (const association of associations) {
    const targetModel = modelByRef(models, read, association.target);
    const second = association.args[1];
    const options: AssociationOptions = { ...optionsOf(objectOf(second)), as: association.key };
    options.foreignKey ??= stringOf(second);
    if (association.kind === 'BelongsTo') {
      options.foreignKey ??= foreignKeys.find((fk) => fk.target.local === association.target.local)?.key;
      if (options.foreignKey !== undefined) claimed.add(options.foreignKey);
      addAssociation('belongsTo', owner, ownerModel, association.target, targetModel, options, read);
    } else {
      const kind = association.kind === 'HasMany' ? 'hasMany' : association.kind === 'HasOne' ? 'hasOne' : 'belongsToMany';
      if (kind !== 'belongsToMany' && options.foreignKey === undefined && targetModel) {
        // The target's `@ForeignKey(() => Owner)` names the key.
        const targetClass = classOf(unit, targetModel);
        options.foreignKey = targetClass ? foreignKeysOf(unit, targetClass).find((fk) => fk.target.local === name)?.key : undefined;
      }
      // A target of another file names its key with its own `@ForeignKey`: no default key is guessed for it.
      addAssociation(kind, owner, ownerModel, association.target, targetModel, options, read, false);
    }
  }
  // A `@ForeignKey` without a `@BelongsTo` is still a foreign key.
  for (const fk of foreignKeys) {
    if (claimed.has(fk.key) || [...ownerModel.ts.table.relations.values()].some((r) => r.fields.includes(fk.key))) continue;
    const column = ownerModel.ts.table.columns.get(fk.key);
    const relation: Relation = { name: fk.key, target: fk.target.local, fields: [fk.key], references: ['id'], required: column?.nullable === false, isList: false };
    ownerModel.ts.table.relations.set(fk.key, relation);
    read.pending.push({ relation, target: fk.target });
  }
}

function targetOf(unit: FileUnit, node: Node | undefined): BindingRef | undefined {
  const returned = returnedOf(node);
  return returned ? bindingRefOf(unit, returned) : undefined;
}

function classOf(unit: FileUnit, model: ModelDef): ClassNode | undefined {
  let found: ClassNode | undefined;
  walk(unit.ast, (node) => {
    if ((node.type === T.ClassDeclaration || node.type === T.ClassExpression) && !found) {
      const name = className(node);
      if (name !== undefined && model.ts.bindings.includes(name)) found = node;
    }
  });
  return found;
}

function foreignKeysOf(unit: FileUnit, cls: ClassNode): { key: string; target: BindingRef }[] {
  const keys: { key: string; target: BindingRef }[] = [];
  for (const member of cls.body.body) {
    if (member.type !== T.PropertyDefinition) continue;
    const key = staticName(member.key, member.computed);
    const fk = tsDecorators(unit, member.decorators).find((d) => d.name === 'ForeignKey');
    const target = fk ? targetOf(unit, fk.args[0]) : undefined;
    if (key !== undefined && target) keys.push({ key, target });
  }
  return keys;
}

/** Sequelize's default table name (the pluralised model name, by inflection, as Sequelize does) as an alias. */
function defaultTableAliases(explicit: string | undefined, modelName: string, options: TSESTree.ObjectExpression | undefined): { dbAliases?: string[] } {
  if (explicit || booleanOf(propertyOf(options, 'freezeTableName')) === true) return {};
  const plural = pluralize(modelName);
  return plural === modelName ? {} : { dbAliases: [plural] };
}
