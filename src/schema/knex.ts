/**
 * Tables declared by Knex migrations, read from the AST (nothing is executed):
 * `knex.schema.createTable('invoices', (t) => { t.uuid('tenant_id').notNullable().references('id').inTable('tenants'); t.index(['tenant_id', 'id']); })`,
 * `createTableIfNotExists`, `alterTable` / `table`, `withSchema('s').createTable(...)`, and chains of
 * them (`knex.schema.createTable(a, ...).createTable(b, ...)`).
 *
 * Knex has no mapping between code names and SQL names, so tables and columns are named by their
 * SQL names (`name === dbName`), and relation targets are the SQL names given to `inTable`.
 * Only a migration's `up` is read: its `down` drops what `up` created. An `alterTable` of a table
 * created in an earlier migration file is applied once every file has been read (deferred work).
 */
import type { TSESTree } from '@typescript-eslint/types';
import type { Relation } from '../core/schema.js';
import { isChainLink, T, memberName, staticName, unwrap, walk, type FileUnit, type Node } from '../core/ast.js';
import type { RawTable } from './raw.js';
import {
  calleeToken,
  constStringOf,
  emptyRead,
  importsAny,
  locationOf,
  stringList,
  stringOf,
  variableAt,
  type TsReadResult,
  type TsTable,
} from './ts-sources.js';

const KNEX = new Set(['knex']);
const CREATE = new Set(['createTable', 'createTableIfNotExists']);
const ALTER = new Set(['alterTable', 'table']);
const DROP = new Set(['dropTable', 'dropTableIfExists']);
/** Schema-builder methods a chain may pass through before the one we read. */
const SCHEMA_METHODS = new Set([...CREATE, ...ALTER, ...DROP, 'raw', 'renameTable', 'createSchema', 'createSchemaIfNotExists', 'createView', 'dropView']);
/** Methods of the table builder that are not column types. */
const TABLE_METHODS = new Set([
  'index', 'unique', 'primary', 'foreign', 'dropColumn', 'dropColumns', 'renameColumn', 'dropForeign', 'dropIndex',
  'dropUnique', 'dropPrimary', 'dropTimestamps', 'comment', 'engine', 'charset', 'collate', 'inherits', 'timestamps',
  'check', 'setNullable', 'dropNullable', 'queryContext', 'increments', 'bigIncrements', 'specificType',
]);
const INCREMENTS = new Set(['increments', 'bigIncrements']);
/** A migration file's `up`, and the `down` whose statements undo it. */
const MIGRATION_EXPORT = /\bexports\.up\b|\bmodule\.exports\s*=\s*\{|\bexport\s+(?:async\s+)?function\s+up\b|\bexport\s+const\s+up\b/;

/** The Knex tables of one file. */
export function readKnex(unit: FileUnit, projectFile: string): RawTable[] {
  return readKnexDetailed(unit, projectFile).tables.map((t) => t.table);
}

export function readKnexDetailed(unit: FileUnit, projectFile: string): TsReadResult {
  const read = emptyRead();
  // A JavaScript migration often has no import at all: `exports.up = (knex) => knex.schema...`.
  if (!importsAny(unit, KNEX) && !(MIGRATION_EXPORT.test(unit.text) && /\.schema\b/.test(unit.text))) return read;
  const calls: TSESTree.CallExpression[] = [];
  walk(unit.ast, (node) => {
    if (node.type === T.CallExpression) calls.push(node);
  });
  for (const call of orderChains(calls)) {
    if (insideDown(call)) continue;
    const statement = schemaStatement(unit, call);
    if (statement) apply(unit, projectFile, statement, read);
  }
  return read;
}

/** Calls ordered by where their method name is written, so chained statements run in order. */
function orderChains(calls: TSESTree.CallExpression[]): TSESTree.CallExpression[] {
  const position = (call: TSESTree.CallExpression) => {
    const callee = unwrap(call.callee);
    return callee.type === T.MemberExpression ? callee.property.range[0] : call.range[0];
  };
  return [...calls].sort((a, b) => position(a) - position(b));
}

interface SchemaStatement {
  kind: 'create' | 'alter' | 'drop';
  name: string;
  call: TSESTree.CallExpression;
  /** The table builder callback: `(t) => { ... }`. */
  builder?: TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression;
}

/** `<x>.schema[.withSchema(s)].createTable(name, (t) => ...)`, or a link of a schema chain. */
function schemaStatement(unit: FileUnit, call: TSESTree.CallExpression): SchemaStatement | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression) return undefined;
  const method = memberName(callee) ?? '';
  const kind = CREATE.has(method) ? 'create' : ALTER.has(method) ? 'alter' : DROP.has(method) ? 'drop' : undefined;
  if (!kind) return undefined;
  const schema = schemaReceiver(unit, callee.object, 0);
  if (!schema) return undefined;
  const table = constStringOf(unit, call.arguments[0]);
  if (table === undefined) return undefined;
  const name = schema.name && schema.name !== 'public' ? `${schema.name}.${table}` : table;
  if (kind === 'drop') return { kind, name, call };
  const fn = call.arguments[1] ? unwrap(call.arguments[1]) : undefined;
  if (fn?.type !== T.ArrowFunctionExpression && fn?.type !== T.FunctionExpression) return undefined;
  return { kind, name, call, builder: fn };
}

/**
 * The schema builder a call is made on: `knex.schema`, `trx.schema`, `this.knex.schema`, through
 * `withSchema('s')` (a static schema qualifies the table; a per-tenant one does not) and earlier
 * links of the same chain.
 */
function schemaReceiver(unit: FileUnit, node: Node, depth: number): { name?: string } | undefined {
  if (depth > 20) return undefined;
  const current = unwrap(node);
  if (current.type === T.MemberExpression) return memberName(current) === 'schema' ? {} : undefined;
  if (current.type !== T.CallExpression) return undefined;
  const callee = unwrap(current.callee);
  if (callee.type !== T.MemberExpression) return undefined;
  const method = memberName(callee) ?? '';
  if (method === 'withSchema') {
    const base = schemaReceiver(unit, callee.object, depth + 1);
    return base ? { name: constStringOf(unit, current.arguments[0]) } : undefined;
  }
  return SCHEMA_METHODS.has(method) ? schemaReceiver(unit, callee.object, depth + 1) : undefined;
}

/** Inside a migration's `down` (or `exports.down = ...`): statements that undo `up`. */
function insideDown(node: Node): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === T.FunctionDeclaration && current.id?.name === 'down') return true;
    if (current.type !== T.ArrowFunctionExpression && current.type !== T.FunctionExpression) continue;
    const parent = current.parent;
    if (parent?.type === T.VariableDeclarator && parent.id.type === T.Identifier && parent.id.name === 'down') return true;
    if ((parent?.type === T.Property || parent?.type === T.MethodDefinition) && staticName(parent.key, parent.computed) === 'down') return true;
    if (parent?.type === T.AssignmentExpression && parent.left.type === T.MemberExpression && memberName(parent.left) === 'down') return true;
  }
  return false;
}

function apply(unit: FileUnit, projectFile: string, statement: SchemaStatement, read: TsReadResult): void {
  const existing = read.tables.find((t) => t.table.dbName === statement.name);
  if (statement.kind === 'drop') {
    if (existing) read.tables.splice(read.tables.indexOf(existing), 1);
    return;
  }
  if (statement.kind === 'create') {
    if (existing) read.tables.splice(read.tables.indexOf(existing), 1);
    const table = emptyTable(statement.name, projectFile, statement.call);
    readBuilder(unit, projectFile, statement, table.table);
    read.tables.push(table);
    return;
  }
  if (existing) {
    readBuilder(unit, projectFile, statement, existing.table);
    return;
  }
  // A table created by an earlier migration file: altered once every file has been read.
  read.deferred.push((resolve) => {
    const found = resolve({ kind: 'name', local: statement.name });
    if (found && found.table.dbName === statement.name) readBuilder(unit, projectFile, statement, found.table);
  });
}

function emptyTable(name: string, projectFile: string, call: TSESTree.CallExpression): TsTable {
  return {
    table: {
      name,
      dbName: name,
      columns: new Map(),
      primaryKey: [],
      uniques: [],
      indexes: [],
      relations: new Map(),
      location: locationOf(projectFile, calleeToken(call.callee)),
      source: 'knex',
    },
    bindings: [],
  };
}

interface Link {
  name: string;
  call: TSESTree.CallExpression;
}

/** `t.uuid('x').notNullable().references('id')`: the root method on the table builder, then its modifiers. */
function builderChain(unit: FileUnit, call: TSESTree.CallExpression, param: TSESTree.Identifier): Link[] | undefined {
  const links: Link[] = [];
  let current: Node = call;
  for (let i = 0; i < 30; i++) {
    const node = unwrap(current);
    if (node.type !== T.CallExpression) return undefined;
    const callee = unwrap(node.callee);
    if (callee.type !== T.MemberExpression) return undefined;
    links.unshift({ name: memberName(callee) ?? '', call: node });
    const object = unwrap(callee.object);
    if (object.type === T.Identifier) {
      const variable = variableAt(unit, object);
      return variable && variable.identifiers.includes(param) ? links : undefined;
    }
    current = object;
  }
  return undefined;
}

/** Applies the statements of the table builder callback to `table`. */
function readBuilder(unit: FileUnit, projectFile: string, statement: SchemaStatement, table: RawTable): void {
  const param = statement.builder?.params[0];
  if (!statement.builder || param?.type !== T.Identifier) return;
  const chains: Link[][] = [];
  walk(statement.builder.body, (node) => {
    if (node.type !== T.CallExpression || isChainLink(node)) return;
    const chain = builderChain(unit, node, param);
    if (chain) chains.push(chain);
  });
  chains.sort((a, b) => (a[0]?.call.range[0] ?? 0) - (b[0]?.call.range[0] ?? 0));
  for (const chain of chains) {
    const [root, ...modifiers] = chain;
    if (!root) continue;
    if (TABLE_METHODS.has(root.name) && !INCREMENTS.has(root.name) && root.name !== 'specificType') tableMethod(unit, projectFile, table, root, modifiers);
    else column(unit, projectFile, table, root, modifiers);
  }
  for (const relation of table.relations.values()) {
    relation.required = relation.fields.length > 0 && relation.fields.every((f) => table.columns.get(f)?.nullable === false);
    if (relation.required) delete relation.nullableByDefault;
  }
}

/** `t.uuid('tenant_id').notNullable().references('id').inTable('tenants')` and the other column types. */
function column(unit: FileUnit, projectFile: string, table: RawTable, root: Link, modifiers: Link[]): void {
  const nameNode = root.call.arguments[0];
  // `table.increments()` with no name: Knex names the column `id` (and makes it the primary key).
  const name = nameNode ? constStringOf(unit, nameNode) : INCREMENTS.has(root.name) ? 'id' : undefined;
  if (name === undefined) return;
  const altering = modifiers.some((m) => m.name === 'alter');
  const previous = table.columns.get(name);
  const type = root.name === 'specificType' ? (stringOf(root.call.arguments[1]) ?? 'specificType') : root.name;
  let nullable = !INCREMENTS.has(root.name);
  let primary = INCREMENTS.has(root.name) && !hasFalse(root.call.arguments[1], 'primaryKey');
  let references: { column?: string; table?: string } | undefined;
  let nullableWritten = false;
  for (const modifier of modifiers) {
    const arg = modifier.call.arguments[0];
    if (modifier.name === 'notNullable' || modifier.name === 'nullable') nullableWritten = true;
    if (modifier.name === 'notNullable') nullable = false;
    else if (modifier.name === 'nullable') nullable = true;
    else if (modifier.name === 'primary') primary = true;
    else if (modifier.name === 'unique') addUnique(table, [name], uniqueName(unit, table, [name], arg));
    else if (modifier.name === 'index') table.indexes.push([name]);
    else if (modifier.name === 'references') references = { ...references, ...referenceOf(unit, arg) };
    else if (modifier.name === 'inTable') references = { ...references, table: constStringOf(unit, arg) };
  }
  if (primary) {
    table.primaryKey = [name];
    nullable = false;
  }
  const location = altering && previous?.location ? previous.location : locationOf(projectFile, nameNode ?? root.call);
  table.columns.set(name, { name, dbName: name, type, nullable, isList: false, location });
  if (references?.table) setRelation(table, [name], references.table, [references.column ?? 'id'], onDeleteOf(unit, modifiers), nullable && !nullableWritten);
}

/** `.onDelete('CASCADE')` among a column's or a foreign key's modifiers, lower case. */
function onDeleteOf(unit: FileUnit, modifiers: Link[]): string | undefined {
  const modifier = modifiers.find((m) => m.name === 'onDelete');
  return modifier ? constStringOf(unit, modifier.call.arguments[0])?.toLowerCase() : undefined;
}

/** `{ primaryKey: false }` in `t.increments('id', { primaryKey: false })`. */
function hasFalse(node: Node | undefined, key: string): boolean {
  const object = node ? unwrap(node) : undefined;
  if (object?.type !== T.ObjectExpression) return false;
  return object.properties.some((p) => p.type === T.Property && staticName(p.key, p.computed) === key && p.value.type === T.Literal && p.value.value === false);
}

/** `references('id')` (with `inTable`), `references('tenants.id')` or `references(['a', 'b'])`. */
function referenceOf(unit: FileUnit, node: Node | undefined): { column?: string; table?: string } {
  const text = constStringOf(unit, node);
  return text === undefined ? {} : splitReference(text);
}

/** `tenants.id` → table `tenants`, column `id`; `id` → column `id`. */
function splitReference(text: string): { column?: string; table?: string } {
  const dot = text.lastIndexOf('.');
  return dot < 0 ? { column: text } : { table: text.slice(0, dot), column: text.slice(dot + 1) };
}

/**
 * `onDelete`: the action written (`cascade`, `set null`). `byDefault`: the column is nullable only
 * because Knex makes a column nullable when neither `.nullable()` nor `.notNullable()` is written
 * (parcelvoy's `table.integer('journey_id').references('id').inTable('journeys').onDelete('CASCADE')`):
 * with `ON DELETE CASCADE` the row still belongs to the one it points at (see `nullableByDefault`),
 * which is set only then.
 */
function setRelation(table: RawTable, fields: string[], target: string, references: string[], onDelete?: string, byDefault = false): void {
  const name = fields.join('_');
  const relation: Relation = { name, target, fields, references, required: false, isList: false };
  if (onDelete) relation.onDelete = onDelete;
  // Only a cascading key: the row is deleted with its parent, which owns it.
  if (byDefault && onDelete === 'cascade') relation.nullableByDefault = true;
  table.relations.set(name, relation);
}

/** `t.index(...)`, `t.unique(...)`, `t.primary(...)`, `t.foreign(...)`, `t.timestamps()`, `t.dropColumn(...)`... */
function tableMethod(unit: FileUnit, projectFile: string, table: RawTable, root: Link, modifiers: Link[]): void {
  const [first, second, third] = root.call.arguments;
  const fields = columnList(unit, first);
  switch (root.name) {
    case 'index':
      if (fields.length) table.indexes.push(fields);
      return;
    case 'unique':
      if (fields.length) addUnique(table, fields, uniqueName(unit, table, fields, second));
      return;
    case 'primary':
      if (fields.length) {
        table.primaryKey = fields;
        for (const field of fields) {
          const col = table.columns.get(field);
          if (col) col.nullable = false;
        }
        if (fields.length > 1) addUnique(table, fields, fields.join('_'));
      }
      return;
    case 'foreign': {
      const references = modifiers.find((m) => m.name === 'references');
      const inTable = modifiers.find((m) => m.name === 'inTable');
      if (!fields.length || !references) return;
      const refs = columnList(unit, references.call.arguments[0]).map(splitReference);
      const target = (inTable ? constStringOf(unit, inTable.call.arguments[0]) : undefined) ?? refs[0]?.table;
      if (target) setRelation(table, fields, target, refs.map((r) => r.column ?? 'id'), onDeleteOf(unit, modifiers));
      return;
    }
    case 'timestamps': {
      // `t.timestamps(useTimestamps, defaultToNow, useCamelCase)`: NOT NULL when defaulted to now.
      const notNull = third === undefined && second?.type === T.Literal && second.value === true;
      const camel = third?.type === T.Literal && third.value === true;
      for (const name of camel ? ['createdAt', 'updatedAt'] : ['created_at', 'updated_at']) {
        table.columns.set(name, { name, dbName: name, type: 'timestamp', nullable: !notNull, isList: false, location: locationOf(projectFile, calleeToken(root.call.callee)) });
      }
      return;
    }
    case 'dropColumn':
    case 'dropColumns':
      for (const arg of root.call.arguments) for (const name of columnList(unit, arg)) dropColumn(table, name);
      return;
    case 'renameColumn': {
      const from = constStringOf(unit, first);
      const to = constStringOf(unit, second);
      const col = from === undefined ? undefined : table.columns.get(from);
      if (col && to !== undefined && from !== undefined) {
        table.columns.delete(from);
        table.columns.set(to, { ...col, name: to, dbName: to });
      }
      return;
    }
    case 'dropNullable':
    case 'setNullable': {
      const col = fields[0] === undefined ? undefined : table.columns.get(fields[0]);
      if (col) col.nullable = root.name === 'setNullable';
      return;
    }
    default:
      return;
  }
}

function dropColumn(table: RawTable, name: string): void {
  table.columns.delete(name);
  for (const [key, relation] of table.relations) if (relation.fields.includes(name)) table.relations.delete(key);
  table.indexes = table.indexes.filter((fields) => !fields.includes(name));
  table.uniques = table.uniques.filter((u) => !u.fields.includes(name));
}

/** `'a'` or `['a', 'b']`. */
function columnList(unit: FileUnit, node: Node | undefined): string[] {
  if (!node) return [];
  const single = constStringOf(unit, node);
  if (single !== undefined) return [single];
  return stringList(node) ?? [];
}

function addUnique(table: RawTable, fields: string[], name: string): void {
  if (!table.uniques.some((u) => u.fields.join() === fields.join())) table.uniques.push({ fields, name });
}

/** The constraint name Knex gives: `indexName` option or string argument, else `<table>_<columns>_unique`. */
function uniqueName(unit: FileUnit, table: RawTable, fields: string[], option: Node | undefined): string {
  const direct = constStringOf(unit, option);
  if (direct !== undefined) return direct;
  const object = option ? unwrap(option) : undefined;
  if (object?.type === T.ObjectExpression) {
    for (const property of object.properties) {
      if (property.type === T.Property && staticName(property.key, property.computed) === 'indexName') {
        const name = stringOf(property.value);
        if (name !== undefined) return name;
      }
    }
  }
  return `${table.dbName.replace(/^.*\./, '')}_${fields.join('_')}_unique`.toLowerCase();
}
