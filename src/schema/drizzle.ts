/**
 * Drizzle table definitions, read from the AST: `pgTable('invoices', { ... }, (t) => [...])`,
 * `mysqlTable`, `sqliteTable`, `pgSchema('s').table(...)`, `pgTableCreator(...)` and
 * `relations(...)` from `drizzle-orm`. Only functions imported from Drizzle count.
 *
 * Relation targets are table (SQL) names: `.references(() => orgs.id)` with `orgs = pgTable('organizations', ...)`
 * in the same file gives `organizations`. A table variable imported from another file cannot be
 * resolved from this file alone: the target is then the variable name, and `readTsSchemaSources`
 * replaces it with the table name when it reads the other file too.
 */
import type { TSESTree } from '@typescript-eslint/types';
import type { Column, Relation } from '../core/schema.js';
import { T, memberName, textOf, unwrap, walk, type FileUnit, type Node } from '../core/ast.js';
import type { RawTable } from './raw.js';
import {
  bindingRefOf,
  calleeToken,
  constObjectOf,
  constStringOf,
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
  stringOf,
  type BindingRef,
  variableAt,
  type TsReadResult,
  type TsTable,
} from './ts-sources.js';

const CORE = new Set(['drizzle-orm/pg-core', 'drizzle-orm/mysql-core', 'drizzle-orm/sqlite-core']);
/** `relations` is exported by `drizzle-orm` and by its `drizzle-orm/relations` entry point (Cap's schema). */
const ORM = new Set(['drizzle-orm', 'drizzle-orm/relations']);
const ANY_DRIZZLE = new Set([...CORE, ...ORM]);
const TABLE_FUNCTIONS = new Set(['pgTable', 'mysqlTable', 'sqliteTable']);
const TABLE_CREATORS = new Set(['pgTableCreator', 'mysqlTableCreator', 'sqliteTableCreator']);
const SCHEMA_FUNCTIONS = new Set(['pgSchema', 'mysqlSchema']);
const RELATIONS = new Set(['relations']);
const CUSTOM_TYPE = new Set(['customType']);
/** Column types Drizzle declares NOT NULL by themselves. */
const NOT_NULL_TYPES = new Set(['serial', 'bigserial', 'smallserial']);
/** Random bytes drawn for a column's value (see Column.randomSecret): `gen_random_bytes(n)`, Node's `randomBytes(n)`. */
const RANDOM_BYTES = /\b(gen_random_bytes|randomBytes)\s*\(/;

const NOT_NULL_METHODS = new Set(['notNull', 'generatedAlwaysAsIdentity', 'generatedByDefaultAsIdentity']);
/** Modifiers of a column inside an index: `t.createdAt.desc()`. */
const ORDER_METHODS = new Set(['asc', 'desc', 'nullsFirst', 'nullsLast', 'op']);

/** The Drizzle tables of one file. */
export function readDrizzle(unit: FileUnit, projectFile: string): RawTable[] {
  return readDrizzleDetailed(unit, projectFile).tables.map((t) => t.table);
}

/** Tables with their variable names, and what the file could not resolve alone (see ts-sources). */
export function readDrizzleDetailed(unit: FileUnit, projectFile: string): TsReadResult {
  const read = emptyRead();
  if (!importsAny(unit, ANY_DRIZZLE)) return read;
  const calls: TSESTree.CallExpression[] = [];
  walk(unit.ast, (node) => {
    if (node.type === T.CallExpression) calls.push(node);
  });
  for (const call of calls) {
    const kind = tableFunction(unit, call.callee);
    if (!kind) continue;
    const table = readTable(unit, projectFile, call, kind.rename, read);
    if (table) read.tables.push(table);
  }
  for (const call of calls) {
    if (isFrom(moduleRefOf(unit, call.callee), ORM, RELATIONS)) readRelations(unit, call, read);
  }
  resolveInFile(read);
  return read;
}

type Rename = (name: string) => string;

/** Is `callee` a Drizzle table function, and how does it name the table? */
function tableFunction(unit: FileUnit, callee: Node): { rename: Rename } | undefined {
  const identity: Rename = (name) => name;
  if (isFrom(moduleRefOf(unit, callee), CORE, TABLE_FUNCTIONS)) return { rename: identity };
  const current = unwrap(callee);
  if (current.type === T.MemberExpression && memberName(current) === 'table' && isSchemaObject(unit, current.object, 0)) {
    return { rename: identity };
  }
  // `latitudeSchema.table('projects', { ... })` with `latitudeSchema` imported from a project module
  // (its `pgSchema('latitude')` lives in a helpers file): the schema files read one at a time, so
  // the import is taken for what the call's shape says, a named table with its columns, in a file
  // that imports Drizzle's column builders.
  if (current.type === T.MemberExpression && memberName(current) === 'table' && isImportedFromProject(unit, current.object) && isTableCall(callee)) {
    return { rename: identity };
  }
  if (current.type === T.Identifier) {
    const def = variableAt(unit, current)?.defs[0];
    const init = def?.type === 'Variable' && def.node.init ? unwrap(def.node.init) : undefined;
    if (init?.type === T.CallExpression && isFrom(moduleRefOf(unit, init.callee), CORE, TABLE_CREATORS)) {
      return { rename: creatorRename(init.arguments[0]) ?? identity };
    }
  }
  return undefined;
}

/** A binding imported from a module of the project (a relative path, or a workspace package's subpath), not a library. */
function isImportedFromProject(unit: FileUnit, node: Node): boolean {
  const current = unwrap(node);
  if (current.type !== T.Identifier) return false;
  const def = variableAt(unit, current)?.defs[0];
  if (def?.type !== 'ImportBinding' || def.parent.type !== T.ImportDeclaration) return false;
  const source = def.parent.source.value;
  return source.startsWith('.') || source.startsWith('@/') || source.startsWith('~/');
}

/** The callee of `x.table('name', { ...columns })`: a literal name and an object of columns. */
function isTableCall(callee: Node): boolean {
  const call = callee.parent;
  if (call?.type !== T.CallExpression || call.callee !== callee) return false;
  const [name, columns] = call.arguments;
  return name?.type === T.Literal && typeof name.value === 'string' && columns !== undefined && unwrap(columns).type === T.ObjectExpression;
}

/** `pgSchema('billing')`, directly or through a `const`. */
function isSchemaObject(unit: FileUnit, node: Node, depth: number): boolean {
  if (depth > 4) return false;
  const current = unwrap(node);
  if (current.type === T.CallExpression) return isFrom(moduleRefOf(unit, current.callee), CORE, SCHEMA_FUNCTIONS);
  if (current.type !== T.Identifier) return false;
  const def = variableAt(unit, current)?.defs[0];
  return def?.type === 'Variable' && def.node.init !== null && isSchemaObject(unit, def.node.init, depth + 1);
}

/** `pgTableCreator((name) => \`app_${name}\`)`: the prefix and suffix, read statically. */
function creatorRename(fn: Node | undefined): Rename | undefined {
  const current = fn ? unwrap(fn) : undefined;
  if (current?.type !== T.ArrowFunctionExpression && current?.type !== T.FunctionExpression) return undefined;
  const param = current.params[0];
  const body = returnedOf(current);
  if (param?.type !== T.Identifier || !body) return undefined;
  if (body.type === T.Identifier && body.name === param.name) return (name) => name;
  if (body.type !== T.TemplateLiteral) return undefined;
  if (!body.expressions.every((e) => e.type === T.Identifier && e.name === param.name)) return undefined;
  const quasis = body.quasis.map((q) => q.value.cooked ?? '');
  return (name) => quasis.join(name);
}

interface Chain {
  /** The innermost call: the column builder `uuid('org_id')`, `index('x')`. */
  root: TSESTree.CallExpression;
  /** Calls chained on it, in source order: `.notNull()`, `.on(...)`. */
  methods: { name: string; call: TSESTree.CallExpression }[];
}

function chainOf(node: Node): Chain | undefined {
  let current = unwrap(node);
  if (current.type !== T.CallExpression) return undefined;
  const methods: Chain['methods'] = [];
  for (;;) {
    const callee = unwrap(current.callee);
    if (callee.type === T.MemberExpression) {
      const object = unwrap(callee.object);
      if (object.type === T.CallExpression) {
        methods.unshift({ name: memberName(callee) ?? '', call: current });
        current = object;
        continue;
      }
    }
    return { root: current, methods };
  }
}

/**
 * A column written through a helper of the file, `const nanoIdRequired = (name: string) =>
 * varchar(name, { length: 15 }).notNull()` (Cap's schema): the helper's builder and methods come
 * first, then those chained at the use. The column's name is the one written at the use.
 */
function throughHelper(unit: FileUnit, chain: Chain): Chain {
  const callee = unwrap(chain.root.callee);
  if (callee.type !== T.Identifier) return chain;
  const def = variableAt(unit, callee)?.defs[0];
  const init = def?.type === 'Variable' && def.node.init ? unwrap(def.node.init) : undefined;
  const body = init?.type === T.ArrowFunctionExpression || init?.type === T.FunctionExpression ? returnedOf(init) : undefined;
  const inner = body ? chainOf(body) : undefined;
  if (!inner || unwrap(inner.root.callee).type !== T.Identifier || !isFrom(moduleRefOf(unit, inner.root.callee), CORE)) return chain;
  return { root: inner.root, methods: [...inner.methods, ...chain.methods] };
}

/**
 * The SQL type of a `customType` of the file: `const nanoId = customType<...>({ dataType() { return
 * \`varchar(${n})\`; } })` is a `varchar` (Cap's ids), the type the same key has where it is
 * written `varchar(...)`.
 */
function customTypeOf(unit: FileUnit, callee: TSESTree.Identifier): string | undefined {
  const def = variableAt(unit, callee)?.defs[0];
  const init = def?.type === 'Variable' && def.node.init ? unwrap(def.node.init) : undefined;
  if (init?.type !== T.CallExpression || !isFrom(moduleRefOf(unit, init.callee), CORE, CUSTOM_TYPE)) return undefined;
  const dataType = propertyOf(objectOf(init.arguments[0]), 'dataType');
  const returned = returnedOf(dataType);
  const text = returned?.type === T.TemplateLiteral ? (returned.quasis[0]?.value.cooked ?? '') : returned ? stringOf(returned) : undefined;
  return text === undefined ? undefined : /^[a-z][a-z0-9_ ]*?(?=\(|$)/i.exec(text.trim())?.[0].trim().toLowerCase() || undefined;
}

function argumentsOf(call: TSESTree.CallExpression): Node[] {
  return call.arguments.filter((a) => a.type !== T.SpreadElement);
}

function readTable(
  unit: FileUnit,
  projectFile: string,
  call: TSESTree.CallExpression,
  rename: Rename,
  read: TsReadResult,
): TsTable | undefined {
  const args = argumentsOf(call);
  const binding = declaredName(call);
  const written = constStringOf(unit, args[0]) ?? binding;
  if (written === undefined || !args[1]) return undefined;
  const name = rename(written);

  const columns = new Map<string, Column>();
  const relations = new Map<string, Relation>();
  const uniques: RawTable['uniques'] = [];
  const indexes: string[][] = [];
  let primaryKey: string[] = [];
  const pending: { relation: Relation; target: BindingRef }[] = [];

  // The column map, or (Drizzle 0.36+) a function of the column builders returning it.
  const columnsArg = unwrap(args[1]);
  const columnMap = columnsArg.type === T.ObjectExpression ? columnsArg : objectOf(returnedOf(columnsArg));
  for (const entry of columnEntries(unit, columnMap, 0)) {
    const written = chainOf(entry.value);
    if (!written) continue;
    const chain = throughHelper(unit, written);
    const rootCallee = unwrap(chain.root.callee);
    let type = 'unknown';
    if (rootCallee.type === T.Identifier) {
      const ref = moduleRefOf(unit, rootCallee);
      type = isFrom(ref, CORE) && ref.path.length === 1 ? ref.path[0] : (customTypeOf(unit, rootCallee) ?? rootCallee.name);
    } else if (rootCallee.type === T.MemberExpression) {
      type = memberName(rootCallee) ?? 'unknown';
    }
    let notNull = NOT_NULL_TYPES.has(type);
    let primary = false;
    let isList = false;
    let generated = false;
    let randomSecret = false;
    let references: Node | undefined;
    let onDelete: string | undefined;
    for (const method of chain.methods) {
      // `$defaultFn(() => nanoid())`, `defaultRandom()`, `.default(sql\`gen_random_uuid()\`)`: minted when the row is written.
      if (method.name === '$defaultFn' || method.name === '$default' || method.name === 'defaultRandom') generated = true;
      else if (method.name === 'default' && method.call.arguments[0] && /\b(gen_random_uuid|uuid_generate_v[1-7]|uuid|nanoid|cuid2?|ulid)\s*\(/i.test(unit.text.slice(method.call.arguments[0].range[0], method.call.arguments[0].range[1]))) generated = true;
      // `.default(sql`encode(gen_random_bytes(32), 'hex')`)`, `$defaultFn(() => randomBytes(32).toString('hex'))`: a secret.
      if ((method.name === 'default' || method.name === '$defaultFn' || method.name === '$default') && method.call.arguments[0] && RANDOM_BYTES.test(unit.text.slice(method.call.arguments[0].range[0], method.call.arguments[0].range[1]))) randomSecret = true;
      if (NOT_NULL_METHODS.has(method.name)) notNull = true;
      else if (method.name === 'primaryKey') primary = true;
      else if (method.name === 'array') isList = true;
      else if (method.name === 'unique') uniques.push({ fields: [entry.key], name: stringOf(method.call.arguments[0]) ?? entry.key });
      else if (method.name === 'references') {
        references = method.call.arguments[0];
        onDelete = stringOf(propertyOf(objectOf(method.call.arguments[1]), 'onDelete'))?.toLowerCase();
      }
    }
    if (primary) primaryKey = [entry.key];
    columns.set(entry.key, {
      name: entry.key,
      dbName: stringOf(written.root.arguments[0]) ?? stringOf(chain.root.arguments[0]) ?? entry.key,
      type,
      nullable: !notNull && !primary,
      isList,
      ...(generated ? { generated: true } : {}),
      ...(randomSecret ? { randomSecret: true } : {}),
      location: locationOf(projectFile, entry.keyNode),
    });
    const target = returnedOf(references);
    if (target?.type === T.MemberExpression) {
      const ref = bindingRefOf(unit, target.object);
      const column = memberName(target);
      if (ref && column !== undefined) {
        const relation: Relation = { name: entry.key, target: ref.local, fields: [entry.key], references: [column], required: false, isList: false, ...(onDelete ? { onDelete } : {}) };
        relations.set(entry.key, relation);
        pending.push({ relation, target: ref });
      }
    }
  }

  // Indexes, uniques, primary and foreign keys: `(t) => [...]` or the older `(t) => ({ ... })`.
  const extras = returnedOf(args[2]);
  const extraNodes: Node[] = [];
  if (extras?.type === T.ArrayExpression) {
    for (const element of extras.elements) if (element && element.type !== T.SpreadElement) extraNodes.push(element);
  } else if (extras?.type === T.ObjectExpression) {
    for (const property of extras.properties) if (property.type === T.Property) extraNodes.push(property.value);
  }
  for (const node of extraNodes) {
    const chain = chainOf(node);
    const ref = chain ? moduleRefOf(unit, chain.root.callee) : undefined;
    if (!chain || !isFrom(ref, CORE) || ref.path.length !== 1) continue;
    const kind = ref.path[0];
    const rootArgs = argumentsOf(chain.root);
    const on = chain.methods.find((m) => m.name === 'on' || m.name === 'onOnly');
    const using = chain.methods.find((m) => m.name === 'using');
    const columnArgs = on ? argumentsOf(on.call) : using ? argumentsOf(using.call).slice(1) : [];
    if (kind === 'index' || kind === 'uniqueIndex') {
      const fields = columnArgs.map((arg) => fieldName(unit, arg));
      if (fields.length === 0) continue;
      indexes.push(fields);
      if (kind === 'uniqueIndex') uniques.push({ fields, name: stringOf(rootArgs[0]) ?? fields.join('_') });
    } else if (kind === 'unique') {
      const fields = columnArgs.map((arg) => fieldName(unit, arg));
      if (fields.length > 0) uniques.push({ fields, name: stringOf(rootArgs[0]) ?? fields.join('_') });
    } else if (kind === 'primaryKey') {
      const config = objectOf(rootArgs[0]);
      const list = config ? arrayItems(propertyOf(config, 'columns')) : rootArgs;
      const fields = list.map((arg) => fieldName(unit, arg));
      if (fields.length > 0) primaryKey = fields;
    } else if (kind === 'foreignKey') {
      const config = rootArgs[0];
      const fields = arrayItems(propertyOf(config, 'columns')).map((arg) => fieldName(unit, arg));
      const foreign = arrayItems(propertyOf(config, 'foreignColumns'));
      const first = foreign[0] ? unwrap(foreign[0]) : undefined;
      const target = first?.type === T.MemberExpression ? bindingRefOf(unit, first.object) : undefined;
      if (fields.length === 0 || !target) continue;
      const relationName = stringOf(propertyOf(config, 'name')) ?? fields.join('_');
      if (relations.has(relationName)) continue;
      const relation: Relation = {
        name: relationName,
        target: target.local,
        fields,
        references: foreign.map((arg) => fieldName(unit, arg)),
        required: false,
        isList: false,
      };
      const onDelete = stringOf(chain.methods.find((m) => m.name === 'onDelete')?.call.arguments[0])?.toLowerCase();
      if (onDelete) relation.onDelete = onDelete;
      relations.set(relationName, relation);
      pending.push({ relation, target });
    }
  }

  // Primary-key columns are NOT NULL; a composite key is also a compound unique (as for Prisma @@id).
  for (const field of primaryKey) {
    const column = columns.get(field);
    if (column) column.nullable = false;
  }
  if (primaryKey.length > 1) uniques.push({ fields: primaryKey, name: primaryKey.join('_') });
  for (const relation of relations.values()) {
    relation.required = relation.fields.every((f) => columns.get(f)?.nullable === false);
  }
  read.pending.push(...pending);

  return {
    table: {
      name,
      dbName: name,
      columns,
      primaryKey,
      uniques,
      indexes,
      relations,
      location: locationOf(projectFile, calleeToken(call.callee)),
      source: 'drizzle',
      ...(binding === undefined ? {} : { codeNames: [binding] }),
    },
    bindings: binding === undefined ? [] : [binding],
  };
}

/** Column entries of the column map, following `...sharedColumns` spreads of consts of this file. */
function columnEntries(unit: FileUnit, object: TSESTree.ObjectExpression | undefined, depth: number): { key: string; keyNode: Node; value: Node }[] {
  if (!object || depth > 4) return [];
  const entries: { key: string; keyNode: Node; value: Node }[] = [];
  for (const property of object.properties) {
    if (property.type === T.SpreadElement) {
      entries.push(...columnEntries(unit, constObjectOf(unit, property.argument), depth + 1));
      continue;
    }
    if (property.kind !== 'init') continue;
    const key = property.computed ? stringOf(property.key) : property.key.type === T.Identifier ? property.key.name : stringOf(property.key);
    if (key !== undefined) entries.push({ key, keyNode: property.key, value: property.value });
  }
  return entries;
}

function arrayItems(node: Node | undefined): Node[] {
  const current = node ? unwrap(node) : undefined;
  if (current?.type !== T.ArrayExpression) return [];
  return current.elements.filter((e): e is TSESTree.Expression => e !== null && e.type !== T.SpreadElement);
}

/** `t.orgId`, `t.createdAt.desc()` → the column key; an SQL expression keeps its source text. */
function fieldName(unit: FileUnit, node: Node): string {
  let current = unwrap(node);
  while (current.type === T.CallExpression) {
    const callee = unwrap(current.callee);
    if (callee.type !== T.MemberExpression || !ORDER_METHODS.has(memberName(callee) ?? '')) break;
    current = unwrap(callee.object);
  }
  if (current.type === T.MemberExpression) {
    const name = memberName(current);
    if (name !== undefined) return name;
  }
  return textOf(unit, current);
}

/**
 * `relations(invoices, ({ one, many }) => ({ organization: one(organizations, { fields: [invoices.orgId],
 * references: [organizations.id] }), lines: many(invoiceLines) }))`.
 */
function readRelations(unit: FileUnit, call: TSESTree.CallExpression, read: TsReadResult): void {
  const args = argumentsOf(call);
  const owner = args[0] ? bindingRefOf(unit, args[0]) : undefined;
  const fn = args[1] ? unwrap(args[1]) : undefined;
  const body = objectOf(returnedOf(fn));
  if (!owner || !body || (fn?.type !== T.ArrowFunctionExpression && fn?.type !== T.FunctionExpression)) return;
  const helpers = new Map<string, string>();
  const param = fn.params[0];
  if (param?.type === T.ObjectPattern) {
    for (const property of param.properties) {
      if (property.type !== T.Property) continue;
      const key = property.key.type === T.Identifier ? property.key.name : stringOf(property.key);
      const value = property.value.type === T.AssignmentPattern ? property.value.left : property.value;
      if (key !== undefined && value.type === T.Identifier) helpers.set(value.name, key);
    }
  }
  const paramName = param?.type === T.Identifier ? param.name : undefined;
  const ownerTable = findTable(read.tables, owner);

  for (const property of body.properties) {
    if (property.type !== T.Property) continue;
    const key = property.key.type === T.Identifier && !property.computed ? property.key.name : stringOf(property.key);
    const value = unwrap(property.value);
    if (key === undefined || value.type !== T.CallExpression) continue;
    const callee = unwrap(value.callee);
    let helper: string | undefined;
    if (callee.type === T.Identifier) helper = helpers.get(callee.name);
    else if (callee.type === T.MemberExpression && unwrap(callee.object).type === T.Identifier && paramName !== undefined) {
      const object = unwrap(callee.object);
      if (object.type === T.Identifier && object.name === paramName) helper = memberName(callee);
    }
    if (helper !== 'one' && helper !== 'many') continue;
    const callArgs = argumentsOf(value);
    const target = callArgs[0] ? bindingRefOf(unit, callArgs[0]) : undefined;
    if (!target) continue;
    const config = callArgs[1];
    const relation: Relation = {
      name: key,
      target: target.local,
      fields: arrayItems(propertyOf(config, 'fields')).map((arg) => fieldName(unit, arg)),
      references: arrayItems(propertyOf(config, 'references')).map((arg) => fieldName(unit, arg)),
      required: false,
      isList: helper === 'many',
    };
    if (ownerTable) {
      if (ownerTable.table.relations.has(key)) continue;
      const columns = ownerTable.table.columns;
      relation.required = relation.fields.length > 0 && relation.fields.every((f) => columns.get(f)?.nullable === false);
      ownerTable.table.relations.set(key, relation);
      read.pending.push({ relation, target });
    } else {
      read.foreign.push({ owner, relation, target });
    }
  }
}
