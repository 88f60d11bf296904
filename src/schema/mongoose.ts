/**
 * Mongoose schemas and models, read from the AST: `new Schema({...}, options)` (with `Schema`
 * imported or required from `mongoose`), `schema.index({...})`, and `model('Invoice', schema)`.
 *
 * Naming: the table name is the model name (`model('Invoice', ...)`). Mongoose itself stores the
 * documents in the lower-cased plural collection (`invoices`) unless a collection is given; `dbName`
 * is the given collection (third argument of `model()` or the `collection` option), else the model
 * name. A schema with no `model()` call in its file is named after its variable (`invoiceSchema`
 * → `Invoice`); a schema used only inside another schema (a subdocument) is not a table. Every
 * document has an `_id` primary key unless `_id: false`.
 */
import type { TSESTree } from '@typescript-eslint/types';
import type { Variable } from '@typescript-eslint/scope-manager';
import type { Column, Relation } from '../core/schema.js';
import { T, memberName, textOf, unwrap, walk, type FileUnit, type Node } from '../core/ast.js';
import type { RawTable } from './raw.js';
import {
  bindingRefOf,
  booleanOf,
  calleeToken,
  constStringOf,
  declaredName,
  emptyRead,
  entriesOf,
  importsAny,
  isFrom,
  locationOf,
  moduleRefOf,
  objectOf,
  propertyOf,
  resolveInFile,
  stringOf,
  type BindingRef,
  variableAt,
  type TsReadResult,
} from './ts-sources.js';

const MONGOOSE = new Set(['mongoose']);
const NEST_MONGOOSE = new Set(['@nestjs/mongoose']);
const SCHEMA = new Set(['Schema']);
const LIBRARIES = new Set([...MONGOOSE, ...NEST_MONGOOSE]);

type SchemaCall = TSESTree.NewExpression | TSESTree.CallExpression;

interface SchemaDef {
  node: SchemaCall;
  variable: Variable | undefined;
  variableName: string | undefined;
  indexes: { fields: string[]; unique: boolean; name?: string }[];
  models: { name: string; collection?: string; binding?: string }[];
}

/** The Mongoose models of one file. */
export function readMongoose(unit: FileUnit, projectFile: string): RawTable[] {
  return readMongooseDetailed(unit, projectFile).tables.map((t) => t.table);
}

export function readMongooseDetailed(unit: FileUnit, projectFile: string): TsReadResult {
  const read = emptyRead();
  if (!importsAny(unit, LIBRARIES)) return read;
  const schemas: SchemaDef[] = [];
  const classes: ClassSchema[] = [];
  const calls: TSESTree.CallExpression[] = [];
  walk(unit.ast, (node) => {
    if (node.type === T.CallExpression) calls.push(node);
    if ((node.type === T.NewExpression || node.type === T.CallExpression) && isFrom(moduleRefOf(unit, node.callee), MONGOOSE, SCHEMA)) {
      const declarator = node.parent?.type === T.VariableDeclarator && node.parent.init === node ? node.parent : undefined;
      const variable = declarator?.id.type === T.Identifier ? (variableAt(unit, declarator.id) ?? undefined) : undefined;
      schemas.push({ node, variable, variableName: declaredName(node), indexes: [], models: [] });
    }
    if (node.type === T.ClassDeclaration && node.id) {
      const decorator = node.decorators.find((d) => d.expression.type === T.CallExpression && isFrom(moduleRefOf(unit, d.expression.callee), NEST_MONGOOSE, SCHEMA));
      if (decorator && decorator.expression.type === T.CallExpression) {
        classes.push({ node, name: node.id.name, options: objectOf(decorator.expression.arguments[0]), schemaVariables: [], indexes: [] });
      }
    }
  });
  // `export const CustomerSchema = SchemaFactory.createForClass(Customer)`: the schema of the class.
  for (const call of calls) {
    const callee = unwrap(call.callee);
    if (callee.type !== T.MemberExpression || memberName(callee) !== 'createForClass' || !isFrom(moduleRefOf(unit, callee.object), NEST_MONGOOSE, new Set(['SchemaFactory']))) continue;
    const arg = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
    const cls = arg?.type === T.Identifier ? classes.find((c) => c.name === arg.name) : undefined;
    const declarator = call.parent?.type === T.VariableDeclarator && call.parent.init === call ? call.parent : undefined;
    const variable = declarator?.id.type === T.Identifier ? variableAt(unit, declarator.id) : undefined;
    if (cls && variable) cls.schemaVariables.push(variable);
  }
  const schemaOf = (node: Node | undefined): SchemaDef | undefined => {
    const current = node ? unwrap(node) : undefined;
    if (!current) return undefined;
    if (current.type === T.Identifier) {
      const variable = variableAt(unit, current);
      return variable ? schemas.find((s) => s.variable === variable) : undefined;
    }
    return schemas.find((s) => s.node === current);
  };

  for (const call of calls) {
    const callee = unwrap(call.callee);
    const method = callee.type === T.MemberExpression ? memberName(callee) : callee.type === T.Identifier ? callee.name : undefined;
    const args = call.arguments.filter((a) => a.type !== T.SpreadElement);
    if (method === 'index' && callee.type === T.MemberExpression) {
      // `invoiceSchema.index({ tenantId: 1, createdAt: -1 }, { unique: true })`
      const object = unwrap(callee.object);
      const variable = object.type === T.Identifier ? variableAt(unit, object) : undefined;
      const schema = schemaOf(callee.object) ?? (variable ? classes.find((c) => c.schemaVariables.includes(variable)) : undefined);
      const spec = objectOf(args[0]);
      if (!schema || !spec) continue;
      const fields = entriesOf(spec).map((e) => e.key);
      if (fields.length === 0) continue;
      schema.indexes.push({ fields, unique: booleanOf(propertyOf(args[1], 'unique')) === true, name: stringOf(propertyOf(args[1], 'name')) });
    } else if (method === 'model') {
      // `model('Invoice', invoiceSchema, 'invoices')`, `mongoose.model(...)`, `connection.model(...)`
      const schema = schemaOf(args[1]);
      const name = constStringOf(unit, args[0]);
      if (!schema || name === undefined) continue;
      schema.models.push({ name, collection: constStringOf(unit, args[2]), binding: declaredName(call) });
    }
  }

  for (const schema of schemas) {
    let models = schema.models;
    if (models.length === 0) {
      if (schema.variableName === undefined || usedInsideAnotherSchema(schema, schemas)) continue;
      const base = schema.variableName.replace(/Schema$/i, '') || schema.variableName;
      models = [{ name: base.charAt(0).toUpperCase() + base.slice(1) }];
    }
    for (const model of models) {
      const table = readSchema(unit, projectFile, schema, model.name, model.collection, read, (node) => schemaOf(node) !== undefined);
      read.tables.push({ table, bindings: model.binding === undefined ? [] : [model.binding] });
    }
  }
  for (const cls of classes) {
    if (usedAsSubdocument(unit, cls, classes)) continue;
    read.tables.push({ table: readClass(unit, projectFile, cls, read), bindings: [cls.name, ...cls.schemaVariables.map((v) => v.name)] });
  }
  resolveInFile(read);
  return read;
}

/**
 * A @nestjs/mongoose schema class: `@Schema({ timestamps: true }) class Customer { @Prop({ required:
 * true, index: true }) workspaceId: string }`, with `SchemaFactory.createForClass(Customer)` for its
 * schema. NestJS registers it under the class name (`MongooseModule.forFeature([{ name:
 * Customer.name, schema: CustomerSchema }])`), which is the model name.
 */
interface ClassSchema {
  node: TSESTree.ClassDeclaration;
  name: string;
  options: TSESTree.ObjectExpression | undefined;
  /** Variables holding `SchemaFactory.createForClass(<class>)`. */
  schemaVariables: Variable[];
  indexes: SchemaDef['indexes'];
}

/** Whether `word` (an identifier) stands in `text` as a whole word. */
function mentionsWord(text: string, word: string): boolean {
  const isPart = (ch: string | undefined) => ch !== undefined && /[\w$]/.test(ch);
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    if (!isPart(text[at - 1]) && !isPart(text[at + word.length])) return true;
  }
  return false;
}

/** `@Prop({ type: LineSchema })` or `@Prop([Line])` in another schema class: a subdocument, never registered on its own. */
function usedAsSubdocument(unit: FileUnit, cls: ClassSchema, classes: ClassSchema[]): boolean {
  if (cls.schemaVariables.length > 0) return false;
  return classes.some((other) => other !== cls && mentionsWord(unit.text.slice(other.node.body.range[0], other.node.body.range[1]), cls.name));
}

function readClass(unit: FileUnit, projectFile: string, cls: ClassSchema, read: TsReadResult): RawTable {
  const columns = new Map<string, Column>();
  const relations = new Map<string, Relation>();
  const uniques: RawTable['uniques'] = [];
  const indexes: string[][] = [];
  if (booleanOf(propertyOf(cls.options, '_id')) !== false) {
    columns.set('_id', { name: '_id', dbName: '_id', type: 'ObjectId', nullable: false, isList: false });
  }
  for (const member of cls.node.body.body) {
    if (member.type !== T.PropertyDefinition || member.static || member.key.type !== T.Identifier) continue;
    const prop = member.decorators.find((d) => d.expression.type === T.CallExpression && isFrom(moduleRefOf(unit, d.expression.callee), NEST_MONGOOSE, new Set(['Prop'])));
    if (!prop || prop.expression.type !== T.CallExpression) continue;
    const key = member.key.name;
    const arg = prop.expression.arguments[0];
    // `@Prop(raw({...}))`: a nested object; `@Prop([String])`, `@Prop({ type: [String] })`: arrays.
    const options = arg && arg.type !== T.SpreadElement ? unwrap(arg) : undefined;
    const annotated = typeOfAnnotation(member.typeAnnotation?.typeAnnotation);
    const plain: Field = { ...annotated, required: false, unique: false, index: false };
    let field: Field;
    if (options?.type === T.ArrayExpression || (options?.type === T.ObjectExpression && propertyOf(options, 'type'))) {
      field = readField(unit, options, () => false);
    } else if (options?.type === T.ObjectExpression) {
      // `@Prop({ required: true, index: true })`: the type is the property's TypeScript type.
      const ref = propertyOf(options, 'ref');
      field = {
        ...plain,
        required: isRequired(propertyOf(options, 'required')),
        requiredStated: propertyOf(options, 'required') !== undefined,
        unique: booleanOf(propertyOf(options, 'unique')) === true || booleanOf(propertyOf(propertyOf(options, 'index'), 'unique')) === true,
        index: booleanOf(propertyOf(options, 'index')) === true || objectOf(propertyOf(options, 'index')) !== undefined,
        ref: ref ? bindingRefOf(unit, ref) : undefined,
        generated: generatedDefault(unit, propertyOf(options, 'default')),
      };
    } else {
      // `@Prop()`, or `@Prop(raw({...}))` (a nested object).
      field = options ? { ...plain, type: 'Object', isList: false } : plain;
    }
    const primary = key === '_id';
    // `workspaceId?: string` or `string | null` says the value may be missing; `workspaceId: string` does not.
    const optional = member.optional || acceptsNothing(member.typeAnnotation?.typeAnnotation);
    columns.set(key, {
      name: key,
      dbName: key,
      type: field.type,
      nullable: !primary && !field.required,
      isList: field.isList,
      ...(field.generated ? { generated: true } : {}),
      ...(!primary && !field.required && !field.requiredStated && !optional ? { nullableByDefault: true } : {}),
      location: locationOf(projectFile, member.key),
    });
    if (field.unique) uniques.push({ fields: [key], name: key });
    if (field.index || field.unique) indexes.push([key]);
    if (field.ref) {
      const relation: Relation = { name: key, target: field.ref.local, fields: [key], references: ['_id'], required: field.required, isList: field.isList };
      relations.set(key, relation);
      read.pending.push({ relation, target: field.ref });
    }
  }
  addTimestamps(cls.options, columns);
  for (const index of cls.indexes) {
    indexes.push(index.fields);
    if (index.unique) uniques.push({ fields: index.fields, name: index.name ?? index.fields.join('_') });
  }
  const dbName = constStringOf(unit, propertyOf(cls.options, 'collection')) ?? cls.name;
  return {
    name: cls.name,
    dbName,
    columns,
    primaryKey: columns.has('_id') ? ['_id'] : [],
    uniques,
    indexes,
    relations,
    location: locationOf(projectFile, cls.node.id ?? cls.node),
    source: 'mongoose',
  };
}

/** `string | null`, `string | undefined`: the property's type admits a missing value. */
function acceptsNothing(type: TSESTree.TypeNode | undefined): boolean {
  return type?.type === T.TSUnionType && type.types.some((t) => t.type === T.TSNullKeyword || t.type === T.TSUndefinedKeyword);
}

/** `string` -> String, `string[]` -> a list of String, `Date`, `Types.ObjectId`. */
function typeOfAnnotation(type: TSESTree.TypeNode | undefined): { type: string; isList: boolean } {
  if (!type) return { type: 'Mixed', isList: false };
  switch (type.type) {
    case T.TSStringKeyword:
      return { type: 'String', isList: false };
    case T.TSNumberKeyword:
      return { type: 'Number', isList: false };
    case T.TSBooleanKeyword:
      return { type: 'Boolean', isList: false };
    case T.TSArrayType:
      return { type: typeOfAnnotation(type.elementType).type, isList: true };
    case T.TSTypeReference:
      return { type: type.typeName.type === T.Identifier ? type.typeName.name : type.typeName.type === T.TSQualifiedName ? type.typeName.right.name : 'Mixed', isList: false };
    default:
      return { type: 'Mixed', isList: false };
  }
}

/** `lines: [lineSchema]` in another schema: a subdocument, not a collection. */
function usedInsideAnotherSchema(schema: SchemaDef, schemas: SchemaDef[]): boolean {
  if (!schema.variable) return false;
  return schema.variable.references.some((ref) =>
    schemas.some((other) => other !== schema && ref.identifier.range[0] >= other.node.range[0] && ref.identifier.range[1] <= other.node.range[1]),
  );
}

function readSchema(
  unit: FileUnit,
  projectFile: string,
  schema: SchemaDef,
  name: string,
  collection: string | undefined,
  read: TsReadResult,
  isSchema: (node: Node) => boolean,
): RawTable {
  const args = schema.node.arguments.filter((a) => a.type !== T.SpreadElement);
  const definition = objectOf(args[0]);
  const options = objectOf(args[1]);
  const columns = new Map<string, Column>();
  const relations = new Map<string, Relation>();
  const uniques: RawTable['uniques'] = [];
  const indexes: string[][] = [];

  if (booleanOf(propertyOf(options, '_id')) !== false) {
    columns.set('_id', { name: '_id', dbName: '_id', type: 'ObjectId', nullable: false, isList: false });
  }
  for (const entry of definition ? entriesOf(definition) : []) {
    const field = readField(unit, entry.value, isSchema);
    const primary = entry.key === '_id';
    columns.set(entry.key, {
      name: entry.key,
      dbName: entry.key,
      type: field.type,
      nullable: !primary && !field.required,
      isList: field.isList,
      ...(field.generated ? { generated: true } : {}),
      ...(!primary && !field.required && !field.requiredStated ? { nullableByDefault: true } : {}),
      location: locationOf(projectFile, entry.keyNode),
    });
    if (field.unique) uniques.push({ fields: [entry.key], name: entry.key });
    if (field.index || field.unique) indexes.push([entry.key]);
    if (field.ref) {
      const relation: Relation = {
        name: entry.key,
        target: field.ref.local,
        fields: [entry.key],
        references: ['_id'],
        required: field.required,
        isList: field.isList,
      };
      relations.set(entry.key, relation);
      read.pending.push({ relation, target: field.ref });
    }
  }
  addTimestamps(options, columns);
  for (const index of schema.indexes) {
    indexes.push(index.fields);
    if (index.unique) uniques.push({ fields: index.fields, name: index.name ?? index.fields.join('_') });
  }
  const dbName = collection ?? constStringOf(unit, propertyOf(options, 'collection')) ?? name;
  return {
    name,
    dbName,
    columns,
    primaryKey: columns.has('_id') ? ['_id'] : [],
    uniques,
    indexes,
    relations,
    location: locationOf(projectFile, calleeToken(schema.node.callee)),
    source: 'mongoose',
  };
}

/** `timestamps: true` (or `{ createdAt: 'created' }`) adds the two dates, never null. */
function addTimestamps(options: Node | undefined, columns: Map<string, Column>): void {
  const timestamps = propertyOf(options, 'timestamps');
  if (!timestamps || booleanOf(timestamps) === false) return;
  for (const stamp of ['createdAt', 'updatedAt']) {
    const setting = propertyOf(timestamps, stamp);
    if (setting && booleanOf(setting) === false) continue;
    const key = stringOf(setting) ?? stamp;
    if (!columns.has(key)) columns.set(key, { name: key, dbName: key, type: 'Date', nullable: false, isList: false });
  }
}

interface Field {
  type: string;
  isList: boolean;
  required: boolean;
  /** `required` is written, whatever its value (`required: false`, a condition). */
  requiredStated?: boolean;
  unique: boolean;
  index: boolean;
  ref?: BindingRef;
  /** The default is a generator (`default: uuid`). */
  generated?: boolean;
}

/** `String`, `[String]`, `{ type: Schema.Types.ObjectId, ref: 'Tenant', required: true, index: true }`, nested objects. */
function readField(unit: FileUnit, value: Node, isSchema: (node: Node) => boolean, depth = 0): Field {
  const current = unwrap(value);
  const plain: Field = { type: 'Mixed', isList: false, required: false, unique: false, index: false };
  if (depth > 3) return plain;
  if (current.type === T.ArrayExpression) {
    const first = current.elements[0];
    const inner = first && first.type !== T.SpreadElement ? readField(unit, first, isSchema, depth + 1) : { ...plain, type: 'Array' };
    // The array itself is never null: Mongoose defaults it to [].
    return { ...inner, isList: true };
  }
  if (current.type === T.ObjectExpression) {
    const type = propertyOf(current, 'type');
    if (!type || type.type === T.ObjectExpression) return { ...plain, type: 'Object' };
    const typed = type.type === T.ArrayExpression ? readField(unit, type, isSchema, depth + 1) : { ...plain, type: typeName(unit, type) };
    const index = propertyOf(current, 'index');
    const ref = propertyOf(current, 'ref');
    return {
      type: typed.type,
      isList: typed.isList,
      required: isRequired(propertyOf(current, 'required')),
      requiredStated: propertyOf(current, 'required') !== undefined,
      unique: booleanOf(propertyOf(current, 'unique')) === true || booleanOf(propertyOf(index, 'unique')) === true,
      index: booleanOf(index) === true || objectOf(index) !== undefined,
      ref: ref ? bindingRefOf(unit, ref) : typed.ref,
      generated: generatedDefault(unit, propertyOf(current, 'default')),
    };
  }
  if (current.type === T.NewExpression || current.type === T.CallExpression || isSchema(current)) return { ...plain, type: 'Subdocument' };
  return { ...plain, type: typeName(unit, current) };
}

/**
 * `default: uuid`, `default: uuidv4`, `default: () => nanoid()`, `default: randomUUID`: a generator,
 * not a value. A constant (`default: 'draft'`) or a date (`default: Date.now`) is not one.
 */
function generatedDefault(unit: FileUnit, node: Node | undefined): boolean {
  if (!node) return false;
  const current = unwrap(node);
  const text = current.type === T.Identifier || current.type === T.MemberExpression || current.type === T.ArrowFunctionExpression || current.type === T.FunctionExpression ? textOf(unit, current) : '';
  return /\b(uuid(v?[1-7])?|v[1-7]|randomUUID|nanoid|cuid2?|createId|ulid|ObjectId)\b/.test(text);
}

function typeName(unit: FileUnit, node: Node): string {
  const current = unwrap(node);
  if (current.type === T.Identifier) return current.name;
  if (current.type === T.MemberExpression) return memberName(current) ?? textOf(unit, current);
  return stringOf(current) ?? textOf(unit, current);
}

/** `required: true`, `required: [true, 'message']`; a function makes it conditional (not required). */
function isRequired(node: Node | undefined): boolean {
  if (!node) return false;
  if (booleanOf(node) === true) return true;
  if (node.type === T.ArrayExpression) {
    const first = node.elements[0];
    return first !== null && first !== undefined && first.type !== T.SpreadElement && booleanOf(first) === true;
  }
  return false;
}
