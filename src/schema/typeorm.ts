/**
 * TypeORM entities, read from the AST: `@Entity` classes with their column, index, unique and
 * relation decorators (decorators imported from `typeorm` only). Columns and relations of in-file
 * base classes (`class Invoice extends TenantEntity`) are included.
 *
 * Naming: the table name is the `@Entity('name')` / `@Entity({ name })` argument, else the class
 * name as written (TypeORM's default naming strategy would use the snake_cased class name; a
 * custom naming strategy can change it: we keep the class name). Column names likewise: `name`
 * option, else the property name.
 *
 * Entities declared as data, `new EntitySchema({ name, tableName, columns, relations, indices,
 * uniques })` (imported from `typeorm`), are read as the same models: the entity is `name` (what
 * `getRepository('flow')` and relation targets name), the table `tableName` else `name`; the
 * variable holding the schema is a binding code uses (`getRepository(FlowEntity)`).
 */
import type { TSESTree } from '@typescript-eslint/types';
import type { Column, Relation } from '../core/schema.js';
import { T, memberName, staticName, textOf, unwrap, walk, type FileUnit, type Node } from '../core/ast.js';
import type { RawTable } from './raw.js';
import {
  bindingRefOf,
  booleanOf,
  calleeToken,
  camelCase,
  className,
  constObjectOf,
  constStringOf,
  decoratorParts,
  declaredName,
  emptyRead,
  findTable,
  importsAny,
  isFrom,
  locationOf,
  moduleRefOf,
  objectOf,
  propertyOf,
  resolveInFile,
  returnedOf,
  stringList,
  stringOf,
  superClassOf,
  type BindingRef,
  type TsReadResult,
  type TsTable,
} from './ts-sources.js';

const TYPEORM = new Set(['typeorm']);
const PRIMARY_COLUMNS = new Set(['PrimaryColumn', 'PrimaryGeneratedColumn', 'ObjectIdColumn']);
const COLUMNS = new Set(['Column', 'CreateDateColumn', 'UpdateDateColumn', 'DeleteDateColumn', 'VersionColumn', ...PRIMARY_COLUMNS]);
const RELATIONS = new Set(['ManyToOne', 'OneToOne', 'OneToMany', 'ManyToMany']);
const ENTITY_SCHEMA = new Set(['EntitySchema']);
/** EntitySchema relation types, as the decorator that declares the same relation. */
const SCHEMA_RELATIONS: Record<string, string> = { 'many-to-one': 'ManyToOne', 'one-to-one': 'OneToOne', 'one-to-many': 'OneToMany', 'many-to-many': 'ManyToMany' };

type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;

interface Decorated {
  name: string;
  decorator: TSESTree.Decorator;
  callee: Node;
  args: Node[];
}

interface RelationSpec {
  key: string;
  keyNode: Node;
  kind: string;
  target: BindingRef;
  options: TSESTree.ObjectExpression | undefined;
  joinColumns: (TSESTree.ObjectExpression | undefined)[] | undefined;
}

interface Entity {
  table: TsTable;
  relations: RelationSpec[];
  /** Index and unique field lists as written (property names, relation names resolved later). */
  indexes: string[][];
  uniques: { fields: string[]; name?: string }[];
}

/** The TypeORM entities of one file. */
export function readTypeorm(unit: FileUnit, projectFile: string): RawTable[] {
  return readTypeormDetailed(unit, projectFile).tables.map((t) => t.table);
}

export function readTypeormDetailed(unit: FileUnit, projectFile: string): TsReadResult {
  const read = emptyRead();
  if (!importsAny(unit, TYPEORM)) return read;
  const entities: Entity[] = [];
  walk(unit.ast, (node) => {
    if (node.type !== T.ClassDeclaration && node.type !== T.ClassExpression) return;
    const entity = typeormDecorators(unit, node.decorators).find((d) => d.name === 'Entity');
    if (entity) entities.push(readEntity(unit, projectFile, node, entity));
  });
  walk(unit.ast, (node) => {
    if (node.type !== T.NewExpression || !isFrom(moduleRefOf(unit, node.callee), TYPEORM, ENTITY_SCHEMA)) return;
    const options = node.arguments[0] ? constObjectOf(unit, node.arguments[0]) : undefined;
    const entity = options ? readEntitySchema(unit, projectFile, node, options) : undefined;
    if (entity) entities.push(entity);
  });
  read.tables.push(...entities.map((e) => e.table));
  for (const entity of entities) addRelations(projectFile, entity, read);
  for (const entity of entities) {
    const table = entity.table.table;
    for (const fields of entity.indexes) table.indexes.push(columnKeys(table, fields));
    for (const unique of entity.uniques) {
      const fields = columnKeys(table, unique.fields);
      table.uniques.push({ fields, name: unique.name ?? fields.join('_') });
    }
    // A composite primary key is also a compound unique (as for Prisma's @@id).
    if (table.primaryKey.length > 1) table.uniques.push({ fields: table.primaryKey, name: table.primaryKey.join('_') });
  }
  resolveInFile(read);
  return read;
}

function typeormDecorators(unit: FileUnit, decorators: TSESTree.Decorator[] | undefined): Decorated[] {
  const found: Decorated[] = [];
  for (const decorator of decorators ?? []) {
    const { callee, args } = decoratorParts(decorator);
    const ref = moduleRefOf(unit, callee);
    if (isFrom(ref, TYPEORM) && ref.path.length === 1) found.push({ name: ref.path[0], decorator, callee, args });
  }
  return found;
}

/** The class and its in-file ancestors, base first. */
function lineage(unit: FileUnit, cls: ClassNode): ClassNode[] {
  const chain: ClassNode[] = [cls];
  for (let current = superClassOf(unit, cls); current && chain.length < 8 && !chain.includes(current); current = superClassOf(unit, current)) {
    chain.unshift(current);
  }
  return chain;
}

function readEntity(unit: FileUnit, projectFile: string, cls: ClassNode, entity: Decorated): Entity {
  const binding = className(cls);
  const name =
    constStringOf(unit, entity.args[0]) ??
    constStringOf(unit, propertyOf(entity.args[0], 'name')) ??
    constStringOf(unit, propertyOf(entity.args[1], 'name')) ??
    binding ??
    'anonymous';
  const columns = new Map<string, Column>();
  const primaryKey: string[] = [];
  const uniques: Entity['uniques'] = [];
  const indexes: string[][] = [];
  const relations: RelationSpec[] = [];

  for (const current of lineage(unit, cls)) {
    for (const decorated of typeormDecorators(unit, current.decorators)) {
      if (decorated.name === 'Index') {
        const spec = indexArguments(decorated.args);
        if (spec.fields) indexes.push(spec.fields);
        if (spec.fields && spec.unique) uniques.push({ fields: spec.fields, name: spec.name });
      } else if (decorated.name === 'Unique') {
        const spec = indexArguments(decorated.args);
        if (spec.fields) uniques.push({ fields: spec.fields, name: spec.name });
      }
    }
    for (const member of current.body.body) {
      if (member.type !== T.PropertyDefinition && member.type !== T.TSAbstractPropertyDefinition) continue;
      const key = staticName(member.key, member.computed);
      if (key === undefined) continue;
      const decorators = typeormDecorators(unit, member.decorators);
      const columnDecorator = decorators.find((d) => COLUMNS.has(d.name));
      if (columnDecorator) {
        const column = readColumn(unit, projectFile, member, key, columnDecorator);
        if (column) {
          columns.set(key, column.column);
          if (column.primary && !primaryKey.includes(key)) primaryKey.push(key);
          if (column.unique) uniques.push({ fields: [key], name: key });
        }
      }
      const relationDecorator = decorators.find((d) => RELATIONS.has(d.name));
      if (relationDecorator) {
        const target = relationTarget(unit, relationDecorator.args[0]);
        const join = decorators.find((d) => d.name === 'JoinColumn');
        if (target) {
          relations.push({
            key,
            keyNode: member.key,
            kind: relationDecorator.name,
            target,
            options: relationDecorator.args.slice(1).map((a) => objectOf(a)).find((o) => o !== undefined),
            joinColumns: join ? joinColumnList(join.args[0]) : undefined,
          });
        }
      }
      for (const index of decorators.filter((d) => d.name === 'Index')) {
        const spec = indexArguments(index.args);
        indexes.push([key]);
        if (spec.unique) uniques.push({ fields: [key], name: spec.name });
      }
    }
  }

  return {
    table: {
      table: {
        name,
        dbName: name,
        columns,
        primaryKey,
        uniques: [],
        indexes: [],
        relations: new Map(),
        location: locationOf(projectFile, entity.decorator, calleeToken(entity.callee)),
        source: 'typeorm',
      },
      bindings: binding === undefined ? [] : [binding],
    },
    relations,
    indexes,
    uniques,
  };
}

/**
 * `new EntitySchema({ name: 'flow', columns: { id: { type: String, primary: true }, projectId: { type:
 * String, nullable: false } }, relations: { project: { type: 'many-to-one', target: 'project',
 * joinColumn: { name: 'projectId' } } }, indices: [{ columns: ['projectId'] }] })`. Column and
 * relation options are TypeORM's column and relation options, so they read as the decorators'
 * (NOT NULL unless `nullable: true`; a `deleteDate` column is nullable). Spreads of objects of this
 * file (`...BaseColumns`, `{ ...IdColumn, nullable: false }`) are followed; an imported one is not
 * (its columns come from the migrations when they exist).
 */
function readEntitySchema(unit: FileUnit, projectFile: string, node: TSESTree.NewExpression, options: TSESTree.ObjectExpression): Entity | undefined {
  const spec = flatObject(unit, options);
  const name = constStringOf(unit, spec.get('name'));
  if (name === undefined) return undefined;
  const dbName = constStringOf(unit, spec.get('tableName')) ?? name;
  const columns = new Map<string, Column>();
  const primaryKey: string[] = [];
  const uniques: Entity['uniques'] = [];
  const indexes: string[][] = [];
  const relations: RelationSpec[] = [];
  const columnMap = spec.get('columns');
  for (const [key, entry] of columnMap ? flatObject(unit, columnMap, true) : []) {
    const column = flatObject(unit, entry.value);
    const typeNode = column.get('type');
    const primary = booleanOf(column.get('primary')) === true;
    const nullable = !primary && (booleanOf(column.get('nullable')) ?? booleanOf(column.get('deleteDate')) === true);
    columns.set(key, {
      name: key,
      dbName: constStringOf(unit, column.get('name')) ?? key,
      type: typeNode ? (stringOf(typeNode) ?? textOf(unit, typeNode)) : 'unknown',
      nullable,
      isList: booleanOf(column.get('array')) === true,
      location: locationOf(projectFile, entry.keyNode),
    });
    if (primary) primaryKey.push(key);
    if (booleanOf(column.get('unique')) === true) uniques.push({ fields: [key], name: key });
    if (booleanOf(column.get('index')) === true) indexes.push([key]);
  }
  const relationMap = spec.get('relations');
  for (const [key, entry] of relationMap ? flatObject(unit, relationMap, true) : []) {
    const relation = flatObject(unit, entry.value);
    const kind = SCHEMA_RELATIONS[stringOf(relation.get('type')) ?? ''];
    const target = kind ? relationTarget(unit, relation.get('target')) : undefined;
    if (!kind || !target) continue;
    const join = relation.get('joinColumn');
    const joinColumns = join === undefined || booleanOf(join) === false ? undefined : booleanOf(join) === true ? [undefined] : joinColumnList(join);
    relations.push({ key, keyNode: entry.keyNode, kind, target, options: objectOf(entry.value), joinColumns });
  }
  for (const [option, unique] of [['indices', false], ['uniques', true]] as const) {
    const list = spec.get(option);
    if (list?.type !== T.ArrayExpression) continue;
    for (const element of list.elements) {
      if (!element || element.type === T.SpreadElement) continue;
      const item = flatObject(unit, element);
      const fields = stringList(item.get('columns')) ?? memberList(returnedOf(item.get('columns')));
      if (!fields) continue;
      const indexName = constStringOf(unit, item.get('name'));
      if (!unique) indexes.push(fields);
      if (unique || booleanOf(item.get('unique')) === true) uniques.push({ fields, name: indexName ?? fields.join('_') });
    }
  }
  const binding = declaredName(node);
  return {
    table: {
      table: { name, dbName, columns, primaryKey, uniques: [], indexes: [], relations: new Map(), location: locationOf(projectFile, node, calleeToken(node.callee)), source: 'typeorm' },
      bindings: binding === undefined || binding === name ? [name] : [binding, name],
    },
    relations,
    indexes,
    uniques,
  };
}

/**
 * The table a `new EntitySchema({ ... })` expression declares (`tableName`, else `name`), read as
 * `readEntitySchema` reads it; undefined when it is not TypeORM's or names no entity.
 */
export function entitySchemaTable(unit: FileUnit, node: Node): string | undefined {
  const current = unwrap(node);
  if (current.type !== T.NewExpression || !isFrom(moduleRefOf(unit, current.callee), TYPEORM, ENTITY_SCHEMA) || !current.arguments[0]) return undefined;
  const spec = flatObject(unit, current.arguments[0]);
  return constStringOf(unit, spec.get('tableName')) ?? constStringOf(unit, spec.get('name'));
}

/**
 * The properties of an object literal (or a `const` of this file holding one), spreads of such
 * objects included, later ones winning as at run time; `entries` keeps each key's node.
 */
function flatObject(unit: FileUnit, node: Node, entries: true): Map<string, { keyNode: Node; value: Node }>;
function flatObject(unit: FileUnit, node: Node | undefined): Map<string, Node>;
function flatObject(unit: FileUnit, node: Node | undefined, entries?: true): Map<string, Node> | Map<string, { keyNode: Node; value: Node }> {
  const out = new Map<string, { keyNode: Node; value: Node }>();
  const visit = (current: Node, depth: number): void => {
    const object = depth > 4 ? undefined : constObjectOf(unit, current);
    for (const property of object?.properties ?? []) {
      if (property.type === T.SpreadElement) visit(property.argument, depth + 1);
      else if (property.kind === 'init') {
        const key = staticName(property.key, property.computed);
        if (key !== undefined) {
          out.delete(key);
          out.set(key, { keyNode: property.key, value: unwrap(property.value) });
        }
      }
    }
  };
  if (node) visit(node, 0);
  if (entries) return out;
  return new Map([...out].map(([key, entry]) => [key, entry.value]));
}

function readColumn(
  unit: FileUnit,
  projectFile: string,
  member: TSESTree.PropertyDefinition | TSESTree.TSAbstractPropertyDefinition,
  key: string,
  decorated: Decorated,
): { column: Column; primary: boolean; unique: boolean } | undefined {
  const first = decorated.args[0] ? unwrap(decorated.args[0]) : undefined;
  // `@Column(() => Address)`: an embedded entity, whose columns are prefixed; not read.
  if (first?.type === T.ArrowFunctionExpression || first?.type === T.FunctionExpression) return undefined;
  const options = decorated.args.map((a) => objectOf(a)).find((o) => o !== undefined);
  const firstString = stringOf(first);
  let type: string | undefined;
  if (decorated.name === 'PrimaryGeneratedColumn') type = firstString === 'uuid' ? 'uuid' : firstString === undefined ? undefined : 'integer';
  else type = firstString;
  const typeOption = propertyOf(options, 'type');
  type = (typeOption ? (stringOf(typeOption) ?? textOf(unit, typeOption)) : undefined) ?? type;
  const annotation = member.typeAnnotation?.typeAnnotation;
  type ??= annotation ? textOf(unit, annotation) : 'unknown';

  const primary = PRIMARY_COLUMNS.has(decorated.name) || booleanOf(propertyOf(options, 'primary')) === true;
  const nullableOption = booleanOf(propertyOf(options, 'nullable'));
  // @DeleteDateColumn is NULL until the row is soft-deleted; every other column defaults to NOT NULL.
  const nullable = !primary && (nullableOption ?? decorated.name === 'DeleteDateColumn');
  return {
    column: {
      name: key,
      dbName: stringOf(propertyOf(options, 'name')) ?? key,
      type,
      nullable,
      isList: booleanOf(propertyOf(options, 'array')) === true,
      location: locationOf(projectFile, member.key),
    },
    primary,
    unique: booleanOf(propertyOf(options, 'unique')) === true,
  };
}

/** `@Index('name', ['a', 'b'], { unique })`, `@Index(['a'])`, `@Index((e) => [e.a, e.b])`, `@Unique(...)`. */
function indexArguments(args: Node[]): { name?: string; fields?: string[]; unique: boolean } {
  let name: string | undefined;
  let fields: string[] | undefined;
  let unique = false;
  for (const arg of args) {
    const current = unwrap(arg);
    const text = stringOf(current);
    if (text !== undefined && name === undefined && fields === undefined) name = text;
    else if (current.type === T.ArrayExpression) fields = stringList(current) ?? fields;
    else if (current.type === T.ArrowFunctionExpression || current.type === T.FunctionExpression) fields = memberList(returnedOf(current)) ?? fields;
    else if (current.type === T.ObjectExpression) unique = booleanOf(propertyOf(current, 'unique')) === true;
  }
  return { name, fields, unique };
}

/** `[e.orgId, e.createdAt]` → `['orgId', 'createdAt']`. */
function memberList(node: Node | undefined): string[] | undefined {
  if (node?.type !== T.ArrayExpression) return undefined;
  const names: string[] = [];
  for (const element of node.elements) {
    const current = element && element.type !== T.SpreadElement ? unwrap(element) : undefined;
    const name = current?.type === T.MemberExpression ? memberName(current) : undefined;
    if (name === undefined) return undefined;
    names.push(name);
  }
  return names;
}

/** `() => Organization`, `(type) => Organization`, `'Organization'`. */
function relationTarget(unit: FileUnit, node: Node | undefined): BindingRef | undefined {
  if (!node) return undefined;
  const current = unwrap(node);
  const target = current.type === T.ArrowFunctionExpression || current.type === T.FunctionExpression ? returnedOf(current) : current;
  if (!target) return undefined;
  const text = stringOf(target);
  if (text !== undefined) return { kind: 'binding', local: text };
  return bindingRefOf(unit, target);
}

function joinColumnList(node: Node | undefined): (TSESTree.ObjectExpression | undefined)[] {
  const current = node ? unwrap(node) : undefined;
  if (current?.type === T.ArrayExpression) {
    return current.elements.map((e) => (e && e.type !== T.SpreadElement ? objectOf(e) : undefined));
  }
  return [objectOf(current)];
}

/**
 * Relations: the owning side (`@ManyToOne`, `@OneToOne` with `@JoinColumn`) has foreign-key
 * fields: the `@Column` whose database name is the join column's (`@JoinColumn({ name: 'org_id' })`
 * pairs with `@Column({ name: 'org_id' }) orgId`), else an implicit column named as TypeORM's
 * default naming strategy would (`organization` + `id` → `organizationId`).
 *
 * Nullability follows TypeORM: a join column TypeORM generates is NULLABLE unless the relation
 * says `nullable: false` (`isNullable = options.nullable === false ? false : true`); an explicit
 * `@Column` for the join column keeps its own nullability, whatever the relation's option says.
 */
function addRelations(projectFile: string, entity: Entity, read: TsReadResult): void {
  const table = entity.table.table;
  for (const spec of entity.relations) {
    const targetTable = findTable(read.tables, spec.target);
    const targetPk = targetTable?.table.primaryKey.length === 1 ? targetTable.table.primaryKey[0] : undefined;
    const owning = spec.kind === 'ManyToOne' || (spec.kind === 'OneToOne' && spec.joinColumns !== undefined);
    const fields: string[] = [];
    const references: string[] = [];
    // RelationOptions.nullable defaults to true: only `nullable: false` makes a generated join column NOT NULL.
    const generatedNullable = booleanOf(propertyOf(spec.options, 'nullable')) !== false;
    const nullableWritten = propertyOf(spec.options, 'nullable') !== undefined;
    let allGenerated = true;
    if (owning) {
      for (const join of spec.joinColumns ?? [undefined]) {
        const referenced = stringOf(propertyOf(join, 'referencedColumnName')) ?? targetPk ?? 'id';
        const fkName = stringOf(propertyOf(join, 'name')) ?? camelCase(`${spec.key}_${referenced}`);
        let column = [...table.columns.values()].find((c) => c.dbName === fkName) ?? table.columns.get(fkName);
        if (column) allGenerated = false;
        if (!column) {
          const referencedColumn = targetTable?.table.columns.get(referenced);
          column = {
            name: fkName,
            dbName: fkName,
            type: referencedColumn?.type ?? 'unknown',
            nullable: generatedNullable,
            isList: false,
            location: locationOf(projectFile, spec.keyNode),
          };
          table.columns.set(fkName, column);
        }
        fields.push(column.name);
        references.push(referenced);
      }
    }
    const relation: Relation = {
      name: spec.key,
      target: spec.target.local,
      fields,
      references,
      // Required exactly when every join column is NOT NULL: an explicit `@Column` decides for
      // itself, a generated one is NOT NULL only with `nullable: false` on the relation.
      required: owning && fields.length > 0 && fields.every((f) => table.columns.get(f)?.nullable === false),
      isList: spec.kind === 'OneToMany' || spec.kind === 'ManyToMany',
    };
    // `@ManyToOne(() => Workspaces) workspace` with no `nullable` written: NULL by TypeORM's default only.
    if (!relation.required && owning && fields.length > 0 && allGenerated && !nullableWritten) relation.nullableByDefault = true;
    const onDelete = stringOf(propertyOf(spec.options, 'onDelete'))?.toLowerCase();
    if (owning && onDelete) relation.onDelete = onDelete;
    table.relations.set(spec.key, relation);
    read.pending.push({ relation, target: spec.target });
  }
}

/** Index fields as written → column keys: a relation stands for its join columns, a database name for its column. */
function columnKeys(table: RawTable, fields: string[]): string[] {
  return fields.flatMap((field) => {
    if (table.columns.has(field)) return [field];
    const relation = table.relations.get(field);
    if (relation && relation.fields.length > 0) return relation.fields;
    const byDbName = [...table.columns.values()].find((c) => c.dbName === field);
    return [byDbName?.name ?? field];
  });
}
