/**
 * MikroORM entities, read from the AST: `@Entity()` classes with `@PrimaryKey`, `@Property`,
 * `@ManyToOne` / `@OneToOne` (owning side), `@OneToMany`, `@Index` / `@Unique`, decorators imported
 * from any `@mikro-orm/*` package; columns of in-file base classes are included. `new
 * EntitySchema({ name, tableName, properties })` and `defineEntity({ ... })` are read the same way.
 *
 * Naming follows MikroORM's default UnderscoreNamingStrategy: class `InvoiceLine` is table
 * `invoice_line`, property `createdAt` is column `created_at`, and a `@ManyToOne() organization`
 * is column `organization_id`. The schema key of a relation is its property (`organization`),
 * which is what filters name: `em.find(Invoice, { organization: orgId })`.
 */
import type { TSESTree } from '@typescript-eslint/types';
import type { Column, Relation } from '../core/schema.js';
import { T, unwrap, walk, type FileUnit, type Node } from '../core/ast.js';
import type { RawTable } from './raw.js';
import {
  bindingRefOf,
  booleanOf,
  className,
  decoratorParts,
  emptyRead,
  entriesOf,
  importsAny,
  locationOf,
  moduleRefOf,
  objectOf,
  propertyOf,
  resolveInFile,
  returnedOf,
  snakeCase,
  stringList,
  stringOf,
  superClassOf,
  type BindingRef,
  type TsReadResult,
} from './ts-sources.js';

const PACKAGES = new Set([
  '@mikro-orm/core', '@mikro-orm/postgresql', '@mikro-orm/mysql', '@mikro-orm/mariadb', '@mikro-orm/sqlite', '@mikro-orm/better-sqlite',
  '@mikro-orm/libsql', '@mikro-orm/mssql', '@mikro-orm/mongodb', '@mikro-orm/knex', '@mikro-orm/decorators/legacy', '@mikro-orm/decorators/es',
]);
const OWNING = new Set(['ManyToOne', 'OneToOne']);
const RELATIONS = new Set(['ManyToOne', 'OneToOne', 'OneToMany', 'ManyToMany']);

type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;

/** Whether a decorator or call is one of MikroORM's, by the package its name is imported from. */
export function isMikroOrm(unit: FileUnit, node: Node, name: string): boolean {
  const ref = moduleRefOf(unit, node);
  return ref !== undefined && PACKAGES.has(ref.source) && ref.path.length === 1 && ref.path[0] === name;
}

export function readMikroOrmDetailed(unit: FileUnit, projectFile: string): TsReadResult {
  const read = emptyRead();
  if (!importsAny(unit, PACKAGES)) return read;
  walk(unit.ast, (node) => {
    if (node.type === T.ClassDeclaration || node.type === T.ClassExpression) {
      const entity = decorator(unit, node.decorators, 'Entity');
      if (entity && booleanOf(propertyOf(objectOf(entity.args[0]), 'abstract')) !== true) readEntityClass(unit, projectFile, node, entity, read);
      else if (hasMappedProperty(unit, node)) readBaseClass(unit, projectFile, node, entity, read);
    }
    if ((node.type === T.NewExpression && isMikroOrm(unit, node.callee, 'EntitySchema')) || (node.type === T.CallExpression && isMikroOrm(unit, node.callee, 'defineEntity'))) {
      const options = objectOf(node.arguments[0]);
      if (options) readEntitySchema(unit, projectFile, node, options, read);
    }
  });
  resolveInFile(read);
  return read;
}

function decorator(unit: FileUnit, decorators: TSESTree.Decorator[] | undefined, name: string): { args: Node[]; node: TSESTree.Decorator } | undefined {
  for (const d of decorators ?? []) {
    const { callee, args } = decoratorParts(d);
    if (isMikroOrm(unit, callee, name)) return { args, node: d };
  }
  return undefined;
}

function newTable(name: string, dbName: string, location: RawTable['location']): RawTable {
  return { name, dbName, columns: new Map(), primaryKey: [], uniques: [], indexes: [], relations: new Map(), location, source: 'mikroorm' };
}

function readEntityClass(unit: FileUnit, projectFile: string, cls: ClassNode, entity: { args: Node[]; node: TSESTree.Decorator }, read: TsReadResult): void {
  const name = className(cls);
  if (!name) return;
  const options = objectOf(entity.args[0]);
  const table = newTable(name, stringOf(propertyOf(options, 'tableName')) ?? stringOf(propertyOf(options, 'collection')) ?? snakeCase(name), locationOf(projectFile, entity.node, cls.id ?? entity.node));
  readMembers(unit, projectFile, cls, table, read);
  readClassIndexes(unit, cls, table);
  read.tables.push({ table, bindings: [name] });
}

/**
 * A class with mapped properties but no `@Entity` (or `@Entity({ abstract: true })`): entities of
 * other files may extend it (`class Team extends BaseTenantEntity`), so its columns are kept as a
 * base, never as a table.
 */
function readBaseClass(unit: FileUnit, projectFile: string, cls: ClassNode, entity: { args: Node[]; node: TSESTree.Decorator } | undefined, read: TsReadResult): void {
  const name = className(cls);
  if (!name) return;
  const table = newTable(name, snakeCase(name), locationOf(projectFile, entity?.node ?? cls, cls.id ?? cls));
  readMembers(unit, projectFile, cls, table, read);
  (read.bases ??= []).push({ table, bindings: [name] });
}

/** The mapped properties of a class and of the classes it extends; an imported base is left to `readTsSchemaSources`. */
function readMembers(unit: FileUnit, projectFile: string, cls: ClassNode, table: RawTable, read: TsReadResult): void {
  const chain: ClassNode[] = [cls];
  for (let base = superClassOf(unit, cls); base && chain.length < 8 && !chain.includes(base); base = superClassOf(unit, base)) chain.unshift(base);
  const top = chain[0];
  const imported = top?.superClass ? unwrap(top.superClass) : undefined;
  if (imported?.type === T.Identifier && superClassOf(unit, top) === undefined) {
    const base = bindingRefOf(unit, imported);
    if (base?.from) (read.extending ??= []).push({ table, base });
  }
  for (const current of chain) {
    for (const member of current.body.body) {
      if (member.type !== T.PropertyDefinition || member.key.type !== T.Identifier) continue;
      for (const d of member.decorators ?? []) {
        const { callee, args } = decoratorParts(d);
        const ref = moduleRefOf(unit, callee);
        if (!ref || !PACKAGES.has(ref.source) || ref.path.length !== 1) continue;
        const kind = ref.path[0] ?? '';
        const optional = member.optional === true;
        addProperty(unit, projectFile, table, member.key.name, member.key, kind, args, optional, read, member.typeAnnotation?.typeAnnotation);
      }
    }
  }
}

function hasMappedProperty(unit: FileUnit, cls: ClassNode): boolean {
  return cls.body.body.some(
    (member) =>
      member.type === T.PropertyDefinition &&
      (member.decorators ?? []).some((d) => {
        const ref = moduleRefOf(unit, decoratorParts(d).callee);
        return ref !== undefined && PACKAGES.has(ref.source) && ref.path.length === 1;
      }),
  );
}

function readClassIndexes(unit: FileUnit, cls: ClassNode, table: RawTable): void {
  // Class-level `@Index({ properties: [...] })` and `@Unique({ properties: [...] })`.
  for (const d of cls.decorators ?? []) {
    const { callee, args } = decoratorParts(d);
    const props = stringList(propertyOf(objectOf(args[0]), 'properties'));
    if (!props) continue;
    if (isMikroOrm(unit, callee, 'Index')) table.indexes.push(props);
    if (isMikroOrm(unit, callee, 'Unique')) table.uniques.push({ fields: props, name: props.join('_') });
  }
}

/** `new EntitySchema({ name: 'Invoice', properties: { id: { primary: true }, organization: { kind: 'm:1', entity: () => Organization } } })` */
function readEntitySchema(unit: FileUnit, projectFile: string, node: Node, options: TSESTree.ObjectExpression, read: TsReadResult): void {
  const name = stringOf(propertyOf(options, 'name')) ?? stringOf(propertyOf(options, 'class'));
  const properties = objectOf(propertyOf(options, 'properties'));
  if (!name || !properties) return;
  const table = newTable(name, stringOf(propertyOf(options, 'tableName')) ?? snakeCase(name), locationOf(projectFile, node));
  for (const entry of entriesOf(properties)) {
    const spec = objectOf(entry.value);
    const reference = stringOf(propertyOf(spec, 'kind')) ?? stringOf(propertyOf(spec, 'reference'));
    const kind = booleanOf(propertyOf(spec, 'primary')) ? 'PrimaryKey' : reference === 'm:1' ? 'ManyToOne' : reference === '1:1' ? 'OneToOne' : reference === '1:m' ? 'OneToMany' : reference === 'm:n' ? 'ManyToMany' : 'Property';
    addProperty(unit, projectFile, table, entry.key, entry.keyNode, kind, spec ? [spec] : [], false, read);
  }
  for (const [option, list] of [['indexes', table.indexes], ['uniques', undefined]] as const) {
    const items = propertyOf(options, option);
    if (items?.type !== T.ArrayExpression) continue;
    for (const item of items.elements) {
      const props = item && item.type !== T.SpreadElement ? stringList(propertyOf(item, 'properties')) : undefined;
      if (!props) continue;
      if (list) list.push(props);
      else table.uniques.push({ fields: props, name: props.join('_') });
    }
  }
  read.tables.push({ table, bindings: [name] });
}

function addProperty(
  unit: FileUnit,
  projectFile: string,
  table: RawTable,
  key: string,
  keyNode: Node,
  kind: string,
  args: Node[],
  optional: boolean,
  read: TsReadResult,
  declaredType?: TSESTree.TypeNode,
): void {
  const options = args.map((a) => objectOf(a)).find((o) => o !== undefined);
  const nullable = booleanOf(propertyOf(options, 'nullable')) ?? optional;
  const fieldName = stringOf(propertyOf(options, 'fieldName')) ?? stringOf(propertyOf(options, 'name'));
  if (kind === 'PrimaryKey' || kind === 'SerializedPrimaryKey' || kind === 'Property' || kind === 'Enum') {
    const column: Column = { name: key, dbName: fieldName ?? snakeCase(key), type: stringOf(propertyOf(options, 'type')) ?? 'unknown', nullable: kind === 'PrimaryKey' ? false : nullable, isList: false, location: locationOf(projectFile, keyNode) };
    table.columns.set(key, column);
    if (kind === 'PrimaryKey') table.primaryKey.push(key);
    if (booleanOf(propertyOf(options, 'unique'))) table.uniques.push({ fields: [key], name: key });
    if (booleanOf(propertyOf(options, 'index'))) table.indexes.push([key]);
    return;
  }
  if (!RELATIONS.has(kind)) {
    if (kind === 'Index') table.indexes.push([key]);
    if (kind === 'Unique') table.uniques.push({ fields: [key], name: key });
    return;
  }
  const target = relationTarget(unit, args, options) ?? typeTarget(unit, declaredType);
  if (!target) return;
  const owning = OWNING.has(kind) && !(kind === 'OneToOne' && propertyOf(options, 'mappedBy') !== undefined);
  const primary = booleanOf(propertyOf(options, 'primary')) === true;
  if (owning) {
    table.columns.set(key, { name: key, dbName: fieldName ?? `${snakeCase(key)}_id`, type: 'unknown', nullable: primary ? false : nullable, isList: false, location: locationOf(projectFile, keyNode) });
    if (primary) table.primaryKey.push(key);
  }
  const relation: Relation = {
    name: key,
    target: target.local,
    fields: owning ? [key] : [],
    references: owning ? ['id'] : [],
    required: owning && !(primary ? false : nullable),
    isList: kind === 'OneToMany' || kind === 'ManyToMany',
  };
  table.relations.set(key, relation);
  read.pending.push({ relation, target });
}

/** `@ManyToOne(() => Organization)`, `@ManyToOne({ entity: () => Organization })`, `@ManyToOne({ type: Organization })`, `@ManyToOne('Organization')`. */
function relationTarget(unit: FileUnit, args: Node[], options: TSESTree.ObjectExpression | undefined): BindingRef | undefined {
  const candidates = [args[0], propertyOf(options, 'entity'), propertyOf(options, 'type')];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const value = unwrap(candidate);
    if (value.type === T.ObjectExpression) continue;
    const returned = value.type === T.ArrowFunctionExpression || value.type === T.FunctionExpression ? returnedOf(value) : value;
    if (returned) {
      const ref = bindingRefOf(unit, returned);
      if (ref) return ref;
    }
  }
  return undefined;
}

/** Wrappers whose type argument is the related entity: `Ref<Tenant>`, `Collection<Invoice>`. */
const WRAPPERS = new Set(['Ref', 'Reference', 'IdentifiedReference', 'Rel', 'Loaded', 'Collection', 'Opt']);

/**
 * `@ManyToOne() tenant!: Tenant`: without an entity argument MikroORM takes the target from the
 * property's declared type (reflect-metadata or ts-morph), so the reader does too: `Tenant`,
 * `Tenant | null`, `Ref<Tenant>`, `Collection<Invoice>`.
 */
function typeTarget(unit: FileUnit, type: TSESTree.TypeNode | undefined, depth = 0): BindingRef | undefined {
  if (!type || depth > 4) return undefined;
  if (type.type === T.TSUnionType) {
    const named = type.types.filter((t) => t.type !== T.TSNullKeyword && t.type !== T.TSUndefinedKeyword);
    return named.length === 1 ? typeTarget(unit, named[0], depth + 1) : undefined;
  }
  if (type.type !== T.TSTypeReference || type.typeName.type !== T.Identifier) return undefined;
  const name = type.typeName.name;
  const params = type.typeArguments?.params ?? [];
  if (WRAPPERS.has(name)) return params.length > 0 ? typeTarget(unit, params[0], depth + 1) : undefined;
  if (params.length > 0) return undefined;
  return bindingRefOf(unit, type.typeName);
}
