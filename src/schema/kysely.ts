/**
 * Tables declared by Kysely migrations, read from the AST as data:
 * `db.schema.createTable('invoices').addColumn('tenant_id', 'uuid', (col) => col.notNull().references('tenants.id'))`,
 * `.addPrimaryKeyConstraint`, `.addUniqueConstraint`, `.addForeignKeyConstraint`,
 * `db.schema.alterTable(t).addColumn/dropColumn/renameColumn/alterColumn/renameTo(...)`,
 * `db.schema.createIndex(name).on(t).columns([...])` and `db.schema.dropTable(t)`.
 *
 * Kysely code names tables and columns by their SQL names, so tables and columns are keyed by
 * them (`name` = `dbName`). Statements inside a migration's `down` are not read: they undo `up`.
 * A statement on a table created in another migration file is applied once every file is read
 * (`deferred`), in the order the files were read. Raw `sql` statements (RLS, triggers) are left
 * to the SQL readers.
 */
import type { TSESTree } from '@typescript-eslint/types';
import type { KyselyCamelCase, Relation } from '../core/schema.js';
import { methodChain, isChainLink, T, memberName, propertyName, textOf, unwrap, walk, type FileUnit, type Node } from '../core/ast.js';
import type { RawTable } from './raw.js';
import { booleanOf, constStringOf, emptyRead, importsAny, isFrom, locationOf, moduleRefOf, propertyOf, returnedOf, stringList, stringOf, type TsReadResult, type TsTable } from './ts-sources.js';

const KYSELY = new Set(['kysely']);
const CAMEL_CASE_PLUGIN = new Set(['CamelCasePlugin']);
const SCHEMA_STATEMENTS = new Set(['createTable', 'alterTable', 'createIndex', 'dropTable']);
/** Column types PostgreSQL declares NOT NULL by themselves. */
const NOT_NULL_TYPES = /^(small|big)?serial$/i;
const NOT_NULL_METHODS = new Set(['notNull', 'primaryKey', 'generatedAlwaysAsIdentity', 'generatedByDefaultAsIdentity', 'identity']);

interface Link {
  name: string;
  call: TSESTree.CallExpression;
}

/** A table of this file by its SQL name. */
type Resolve = (name: string) => RawTable | undefined;

/** The Kysely migration tables of one file. */
export function readKysely(unit: FileUnit, projectFile: string): RawTable[] {
  return readKyselyDetailed(unit, projectFile).tables.map((t) => t.table);
}

export function readKyselyDetailed(unit: FileUnit, projectFile: string): TsReadResult {
  const read = emptyRead();
  if (!importsAny(unit, KYSELY)) return read;
  const statements: { name: string; links: Link[] }[] = [];
  walk(unit.ast, (node) => {
    if (node.type !== T.CallExpression || isChainLink(node) || insideDown(node)) return;
    const statement = schemaStatement(node);
    if (statement) statements.push(statement);
  });
  const plugins = camelCasePlugins(unit);
  if (plugins.length) read.camelCasePlugins = plugins;
  const file = new Map<string, TsTable>();
  const local: Resolve = (name) => file.get(plainName(name))?.table;
  for (const { name, links } of statements) {
    const [first] = links;
    if (!first) continue;
    const tableName = name === 'createIndex' ? onTable(links) : constStringOf(unit, first.call.arguments[0]);
    if (tableName === undefined) continue;
    const key = plainName(tableName);
    if (name === 'createTable') {
      const table = newTable(key, projectFile, first.call.arguments[0] ?? first.call);
      file.set(key, { table, bindings: [] });
      read.tables.push(file.get(key) as TsTable);
      applyLinks(table, links.slice(1), unit, projectFile);
      continue;
    }
    if (name === 'dropTable') {
      const dropped = file.get(key);
      if (dropped) {
        file.delete(key);
        read.tables.splice(read.tables.indexOf(dropped), 1);
      }
      continue;
    }
    const apply = (table: RawTable): void => {
      if (name === 'createIndex') addIndex(table, links, unit);
      else applyLinks(table, links.slice(1), unit, projectFile);
    };
    const here = local(key);
    if (here) apply(here);
    // A table of an earlier migration file: changed once every file has been read.
    else read.deferred.push((resolve) => {
      const found = resolve({ kind: 'name', local: key });
      if (found) apply(found.table);
    });
  }
  return read;
}

/** `new CamelCasePlugin(options?)` from `kysely`: the options that decide how camelCase names map to SQL. */
function camelCasePlugins(unit: FileUnit): KyselyCamelCase[] {
  if (!unit.text.includes('CamelCasePlugin')) return [];
  const found: KyselyCamelCase[] = [];
  walk(unit.ast, (node) => {
    if (node.type !== T.NewExpression || !isFrom(moduleRefOf(unit, node.callee), KYSELY, CAMEL_CASE_PLUGIN)) return;
    const options: KyselyCamelCase = {};
    for (const key of ['upperCase', 'underscoreBeforeDigits', 'underscoreBetweenUppercaseLetters'] as const) {
      if (booleanOf(propertyOf(node.arguments[0], key)) === true) options[key] = true;
    }
    found.push(options);
  });
  return found;
}

/** Inside `export async function down(db)` (or a `down:` property, `const down = ...`): undoes `up`. */
function insideDown(node: Node): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === T.FunctionDeclaration && current.id?.name === 'down') return true;
    if (current.type === T.VariableDeclarator && current.id.type === T.Identifier && current.id.name === 'down') return true;
    if ((current.type === T.Property || current.type === T.MethodDefinition) && propertyName(current) === 'down') return true;
  }
  return false;
}

/** A chain that starts at `<x>.schema.createTable(...)` (or `<x>.schema.withSchema(s).createTable(...)`). */
function schemaStatement(call: TSESTree.CallExpression): { name: string; links: Link[] } | undefined {
  const links = methodChain(call);
  const start = links.findIndex((link) => SCHEMA_STATEMENTS.has(link.name));
  const first = links[start];
  // Knex's `schema.createTable('t', (table) => ...)` takes a callback: Kysely's takes the name alone.
  if (!first || first.call.arguments.length !== 1 || !onSchemaModule(first.call)) return undefined;
  return { name: first.name, links: links.slice(start) };
}

function onSchemaModule(call: TSESTree.CallExpression): boolean {
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression) return false;
  let object = unwrap(callee.object);
  if (object.type === T.CallExpression) {
    const inner = unwrap(object.callee);
    if (inner.type !== T.MemberExpression || memberName(inner) !== 'withSchema') return false;
    object = unwrap(inner.object);
  }
  return object.type === T.MemberExpression && memberName(object) === 'schema';
}

/** `public.invoices` is `invoices`; other schemas stay qualified. */
function plainName(name: string): string {
  return name.replace(/^public\./i, '');
}

function newTable(name: string, projectFile: string, at: Node): RawTable {
  return {
    name,
    dbName: name,
    columns: new Map(),
    primaryKey: [],
    uniques: [],
    indexes: [],
    relations: new Map(),
    location: locationOf(projectFile, at),
    source: 'kysely',
  };
}

/** The links of `createTable` / `alterTable` after the statement itself. */
function applyLinks(table: RawTable, links: Link[], unit: FileUnit, projectFile: string): void {
  for (const { name, call } of links) {
    const args = call.arguments;
    switch (name) {
      case 'addColumn':
      case 'modifyColumn':
        addColumn(table, call, unit, projectFile);
        break;
      case 'dropColumn':
        dropColumn(table, constStringOf(unit, args[0]));
        break;
      case 'renameColumn':
        renameColumn(table, constStringOf(unit, args[0]), constStringOf(unit, args[1]));
        break;
      case 'alterColumn':
        alterColumn(table, constStringOf(unit, args[0]), args[1], unit);
        break;
      case 'addPrimaryKeyConstraint':
        setPrimaryKey(table, stringList(args[1]));
        break;
      case 'addUniqueConstraint':
        addUnique(table, stringList(args[1]), constStringOf(unit, args[0]));
        break;
      case 'addForeignKeyConstraint':
        addForeignKey(table, stringList(args[1]), constStringOf(unit, args[2]), stringList(args[3]) ?? [], constStringOf(unit, args[0]));
        break;
      case 'dropConstraint':
        dropConstraint(table, constStringOf(unit, args[0]));
        break;
      case 'renameTo': {
        const to = constStringOf(unit, args[0]);
        if (to !== undefined) table.name = table.dbName = plainName(to);
        break;
      }
      default:
        // ifNotExists, temporary, addCheckConstraint, execute...: nothing the schema keeps.
        break;
    }
  }
}

/** `addColumn('tenant_id', 'uuid', (col) => col.notNull().references('tenants.id').onDelete('cascade'))`. */
function addColumn(table: RawTable, call: TSESTree.CallExpression, unit: FileUnit, projectFile: string): void {
  const [nameArg, typeArg, builder] = call.arguments;
  const name = constStringOf(unit, nameArg);
  if (name === undefined || !nameArg) return;
  const type = typeOf(typeArg, unit);
  const modifiers = builderLinks(builder);
  const has = (method: string) => modifiers.some((m) => m.name === method);
  const notNull = NOT_NULL_TYPES.test(type) || modifiers.some((m) => NOT_NULL_METHODS.has(m.name));
  table.columns.set(name, { name, dbName: name, type, nullable: !notNull, isList: type.endsWith('[]'), location: locationOf(projectFile, nameArg) });
  if (has('primaryKey')) setPrimaryKey(table, [name]);
  if (has('unique')) addUnique(table, [name], undefined);
  const references = modifiers.find((m) => m.name === 'references');
  const target = references ? constStringOf(unit, references.call.arguments[0]) : undefined;
  const dot = target?.lastIndexOf('.') ?? -1;
  if (target !== undefined && dot > 0) addForeignKey(table, [name], target.slice(0, dot), [target.slice(dot + 1)], undefined);
}

/** `'uuid'`, `'varchar(255)'`, or the text of `sql\`vector(3)\``. */
function typeOf(node: Node | undefined, unit: FileUnit): string {
  if (!node) return 'unknown';
  const literal = constStringOf(unit, node);
  if (literal !== undefined) return literal;
  const current = unwrap(node);
  if (current.type === T.TaggedTemplateExpression && current.quasi.expressions.length === 0) return current.quasi.quasis[0]?.value.cooked ?? 'unknown';
  return textOf(unit, current);
}

/** The modifiers a column-builder callback chains on its parameter: `(col) => col.notNull().unique()`. */
function builderLinks(builder: Node | undefined): Link[] {
  const body = returnedOf(builder);
  return body?.type === T.CallExpression ? methodChain(body) : [];
}

function dropColumn(table: RawTable, name: string | undefined): void {
  if (name === undefined) return;
  table.columns.delete(name);
  table.primaryKey = table.primaryKey.filter((c) => c !== name);
  table.uniques = table.uniques.filter((u) => !u.fields.includes(name));
  table.indexes = table.indexes.filter((i) => !i.includes(name));
  for (const [key, relation] of table.relations) if (relation.fields.includes(name)) table.relations.delete(key);
}

function renameColumn(table: RawTable, from: string | undefined, to: string | undefined): void {
  const column = from === undefined ? undefined : table.columns.get(from);
  if (!column || to === undefined || from === undefined) return;
  // Rebuilt so the renamed column keeps its place.
  const entries = [...table.columns].map(([key, value]): [string, typeof value] => (key === from ? [to, { ...column, name: to, dbName: to }] : [key, value]));
  table.columns = new Map(entries);
  const rename = (fields: string[]) => fields.map((f) => (f === from ? to : f));
  table.primaryKey = rename(table.primaryKey);
  table.uniques = table.uniques.map((u) => ({ ...u, fields: rename(u.fields) }));
  table.indexes = table.indexes.map(rename);
  for (const relation of table.relations.values()) relation.fields = rename(relation.fields);
}

/** `alterColumn('tenant_id', (col) => col.setNotNull())`, `.dropNotNull()`, `.setDataType('text')`. */
function alterColumn(table: RawTable, name: string | undefined, builder: Node | undefined, unit: FileUnit): void {
  const column = name === undefined ? undefined : table.columns.get(name);
  if (!column) return;
  for (const link of builderLinks(builder)) {
    if (link.name === 'setNotNull') column.nullable = false;
    else if (link.name === 'dropNotNull') column.nullable = !table.primaryKey.includes(column.name);
    else if (link.name === 'setDataType') column.type = typeOf(link.call.arguments[0], unit);
  }
  refreshRequired(table);
}

function setPrimaryKey(table: RawTable, fields: string[] | undefined): void {
  if (!fields || fields.length === 0) return;
  table.primaryKey = fields;
  for (const field of fields) {
    const column = table.columns.get(field);
    if (column) column.nullable = false;
  }
  refreshRequired(table);
}

function addUnique(table: RawTable, fields: string[] | undefined, name: string | undefined): void {
  if (!fields || fields.length === 0) return;
  table.uniques.push({ fields, name: name ?? fields.join('_') });
}

/** Relations are keyed by their first column, as the SQL migrations reader keys them. */
function addForeignKey(table: RawTable, fields: string[] | undefined, target: string | undefined, references: string[], constraint: string | undefined): void {
  if (!fields || fields.length === 0 || target === undefined) return;
  let key = fields[0] ?? target;
  for (let n = 2; table.relations.has(key); n++) key = `${fields[0]}_${n}`;
  const relation: Relation = {
    name: key,
    target: plainName(target),
    fields,
    references,
    required: fields.every((f) => table.columns.get(f)?.nullable === false),
    isList: false,
  };
  table.relations.set(key, relation);
  if (constraint !== undefined) constraintNames.set(relation, constraint);
}

/** The declared name of a foreign key, for `dropConstraint`. */
const constraintNames = new WeakMap<Relation, string>();

function dropConstraint(table: RawTable, name: string | undefined): void {
  if (name === undefined) return;
  table.uniques = table.uniques.filter((u) => u.name !== name);
  for (const [key, relation] of table.relations) if (constraintNames.get(relation) === name) table.relations.delete(key);
}

function refreshRequired(table: RawTable): void {
  for (const relation of table.relations.values()) {
    relation.required = relation.fields.every((f) => table.columns.get(f)?.nullable === false);
  }
}

/** `createIndex('x').on('invoices')`: the table the index is on. */
function onTable(links: Link[]): string | undefined {
  const on = links.find((l) => l.name === 'on');
  return on ? stringOf(on.call.arguments[0]) : undefined;
}

/** `createIndex(name).on(t).columns(['tenant_id', 'id'])` / `.column('tenant_id')`, `.unique()`. */
function addIndex(table: RawTable, links: Link[], unit: FileUnit): void {
  const fields: string[] = [];
  for (const { name, call } of links) {
    if (name === 'column') {
      const column = constStringOf(unit, call.arguments[0]);
      if (column !== undefined) fields.push(indexColumn(column));
    } else if (name === 'columns') {
      fields.push(...(stringList(call.arguments[0]) ?? []).map(indexColumn));
    }
  }
  if (fields.length === 0) return;
  const unique = links.some((l) => l.name === 'unique');
  const name = constStringOf(unit, links[0]?.call.arguments[0]);
  if (unique) addUnique(table, fields, name);
  else table.indexes.push(fields);
}

/** `'created_at desc'` names the column `created_at`. */
function indexColumn(text: string): string {
  return text.trim().split(/\s+/)[0] ?? text;
}
