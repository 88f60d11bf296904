/**
 * Table definitions written in TypeScript (Drizzle, TypeORM, Sequelize, Mongoose), read from the
 * AST as data: the scanned code is never executed. This module runs every reader over the files,
 * resolves relation targets across files, and holds the AST helpers the readers share.
 */
import { posix } from 'node:path';
import type { TSESTree } from '@typescript-eslint/types';
import type { Variable } from '@typescript-eslint/scope-manager';
import type { KyselyCamelCase, Relation, SchemaDiagnostic, SchemaSource, SchemaSourceKind, SourceLocation } from '../core/schema.js';
import { T, memberName, staticName, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import type { RawTable, SchemaReadResult } from './raw.js';
import { readDrizzleDetailed } from './drizzle.js';
import { readTypeormDetailed } from './typeorm.js';
import { readSequelizeDetailed } from './sequelize.js';
import { readMongooseDetailed } from './mongoose.js';
import { readKnexDetailed } from './knex.js';
import { readKyselyDetailed } from './kysely.js';
import { readMikroOrmDetailed } from './mikro-orm.js';

/**
 * Cheap test run on the source text before parsing: the file imports (or requires) one of the
 * libraries whose table definitions we read. `drizzle-orm` itself counts only in a file that calls
 * `relations(` (a relations file), so that files which merely query with Drizzle are not parsed.
 * A file that calls a Sequelize association method (`X.belongsTo(`, `.hasMany(`, `.hasOne(`,
 * `.belongsToMany(`) counts too: the usual `models/index.ts` declares the associations of models
 * it imports without importing `sequelize` itself. A Knex migration in plain JavaScript
 * (`exports.up = (knex) => knex.schema.createTable(...)`) imports nothing and counts by its call.
 */
export const TS_SCHEMA_MARKERS = {
  /**
   * One pass of MARKERS; a bare `drizzle-orm` import counts when a `relations(` call follows it.
   * (As one regex, `drizzle-orm['"](?=[\s\S]*\brelations\s*\()`, every such import rescanned the rest
   * of the file: quadratic in a file of many of them.)
   */
  test(text: string): boolean {
    let lastRelations: number | undefined;
    MARKERS.lastIndex = 0;
    for (let match = MARKERS.exec(text); match; match = MARKERS.exec(text)) {
      if (!match[1]) return true;
      if (lastRelations === undefined) {
        lastRelations = -1;
        RELATIONS_CALL.lastIndex = 0;
        for (let call = RELATIONS_CALL.exec(text); call; call = RELATIONS_CALL.exec(text)) lastRelations = call.index;
      }
      if (lastRelations > match.index) return true;
    }
    return false;
  },
};
const MARKERS =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"](?:(?:drizzle-orm\/(?:pg|mysql|sqlite)-core|typeorm|sequelize(?:-typescript)?|(?:@nestjs\/)?mongoose|knex|kysely|@mikro-orm\/[\w/-]+)['"]|(drizzle-orm)['"])|\.(?:belongsTo(?:Many)?|hasMany|hasOne)\s*\(|\.schema\s*\.\s*(?:withSchema\s*\([^()]*\)\s*\.\s*)?(?:createTable(?:IfNotExists)?|alterTable)\s*\(/g;
const RELATIONS_CALL = /\brelations\s*\(/g;

// ---------------------------------------------------------------------------------------------
// Reader output (internal to the TS schema readers, exported for them and for the integrator).

/** How a file names something that may be a table defined elsewhere. */
export interface BindingRef {
  /**
   * `binding`: a variable or class name (`organizations`, `Organization`, `models.Organization`);
   * `name`: a table or model name written as a string (`ref: 'Tenant'`, `references: { model: 'orgs' }`).
   */
  kind: 'binding' | 'name';
  /** The name as written in the file. */
  local: string;
  /** Where an imported binding comes from: `import { organizations } from './orgs'`. */
  from?: ModuleRef;
}

export interface TsTable {
  table: RawTable;
  /** Names code uses for this table: the variable or class it is bound to, the model name. */
  bindings: string[];
}

export interface TsReadResult {
  tables: TsTable[];
  /** Relations whose target the file alone could not resolve; `relation.target` holds the local name until then. */
  pending: { relation: Relation; target: BindingRef }[];
  /** Relations declared in this file for a table of another file (Drizzle `relations(imported, ...)`). */
  foreign: { owner: BindingRef; relation: Relation; target: BindingRef }[];
  /**
   * Work that needs the tables of other files (Sequelize associations of imported models, which
   * add columns and relations to them). `readTsSchemaSources` runs it once every file has been
   * read, before resolving `pending`, with `resolve` finding a table of the same library as seen
   * from this file (through its imports, else by binding or table name).
   */
  deferred: ((resolve: (ref: BindingRef) => TsTable | undefined) => void)[];
  /**
   * Classes that are not tables but whose mapped properties tables inherit (a MikroORM abstract
   * `BaseTenantEntity` in its own file). Never tables themselves.
   */
  bases?: TsTable[];
  /** Tables (and bases) whose class extends an imported class: they inherit its columns and relations. */
  extending?: { table: RawTable; base: BindingRef }[];
  /** Kysely `CamelCasePlugin`s this file constructs, with their options. */
  camelCasePlugins?: KyselyCamelCase[];
}

export function emptyRead(): TsReadResult {
  return { tables: [], pending: [], foreign: [], deferred: [] };
}

/** Resolves what a file could not, in the file itself: binding names first, then table names. */
export function resolveInFile(read: TsReadResult): void {
  const unresolved: TsReadResult['pending'] = [];
  for (const entry of read.pending) {
    const found = findTable(read.tables, entry.target);
    if (found) entry.relation.target = found.table.name;
    else unresolved.push(entry);
  }
  read.pending = unresolved;
}

/** The table a binding or name refers to among `tables`, when exactly one fits. */
export function findTable(tables: TsTable[], ref: BindingRef): TsTable | undefined {
  if (ref.kind === 'binding') {
    // An imported binding names a table of another file; a same-named table here is not it.
    if (ref.from) return undefined;
    const byBinding = unique(tables.filter((t) => t.bindings.includes(ref.local)));
    if (byBinding) return byBinding;
  }
  return findByTableName(tables, ref.local);
}

/** Exact table name, then database name, then either ignoring case, then a naive plural / singular. */
export function findByTableName(tables: TsTable[], name: string): TsTable | undefined {
  const lower = name.toLowerCase();
  const stages: ((t: RawTable) => boolean)[] = [
    (t) => t.name === name,
    (t) => t.dbName === name,
    (t) => t.name.toLowerCase() === lower || t.dbName.toLowerCase() === lower,
    (t) => pluralForms(t.name).includes(lower) || pluralForms(t.dbName).includes(lower) || pluralForms(name).includes(t.name.toLowerCase()),
  ];
  for (const stage of stages) {
    const matches = tables.filter((t) => stage(t.table));
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) return undefined;
  }
  return undefined;
}

function pluralForms(name: string): string[] {
  const lower = name.toLowerCase();
  const forms = [`${lower}s`, `${lower}es`];
  if (/[^aeiou]y$/.test(lower)) forms.push(`${lower.slice(0, -1)}ies`);
  return forms;
}

function unique<V>(values: V[]): V | undefined {
  return values.length === 1 ? values[0] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Running the readers.

export interface TsSchemaReadResult extends SchemaReadResult {
  /** One entry per library that produced tables, with its files. */
  sources: SchemaSource[];
  /** Which table a variable or class of which file stands for (Drizzle `invoices`, TypeORM `Invoice`...). */
  bindings: { file: string; binding: string; table: string; source: SchemaSourceKind }[];
  /** The options of the project's Kysely `CamelCasePlugin`s, when it has some and they agree. */
  kyselyCamelCase?: KyselyCamelCase;
}

type Reader = (unit: FileUnit, projectFile: string) => TsReadResult;

const READERS: { kind: SchemaSourceKind; read: Reader }[] = [
  { kind: 'drizzle', read: readDrizzleDetailed },
  { kind: 'typeorm', read: readTypeormDetailed },
  { kind: 'sequelize', read: readSequelizeDetailed },
  { kind: 'mongoose', read: readMongooseDetailed },
  { kind: 'knex', read: readKnexDetailed },
  { kind: 'kysely', read: readKyselyDetailed },
  { kind: 'mikroorm', read: readMikroOrmDetailed },
];

/**
 * Runs every reader on every unit (units whose text does not match TS_SCHEMA_MARKERS are skipped),
 * runs the readers' cross-file work (a Sequelize association declared in a file that only imports
 * the models), then resolves relation targets across files: an imported table variable or class
 * becomes the name of the table it is bound to. A reader that throws on a file becomes a
 * diagnostic for that file; the other readers and files are still read.
 */
export function readTsSchemaSources(units: { unit: FileUnit; projectFile: string }[]): TsSchemaReadResult {
  const diagnostics: SchemaDiagnostic[] = [];
  const reads: { projectFile: string; kind: SchemaSourceKind; read: TsReadResult }[] = [];
  for (const { unit, projectFile } of units) {
    if (!TS_SCHEMA_MARKERS.test(unit.text)) continue;
    for (const { kind, read } of READERS) {
      try {
        reads.push({ projectFile, kind, read: read(unit, projectFile) });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        diagnostics.push({ file: projectFile, message: `could not read the ${kind} table definitions of this file: ${message}` });
      }
    }
  }

  const all = reads.flatMap((r) => r.read.tables.map((table) => ({ ...table, file: r.projectFile, kind: r.kind })));
  const resolveAmong = (tables: typeof all, fromFile: string, ref: BindingRef): TsTable | undefined => {
    if (ref.kind === 'binding' && ref.from && ref.from.source.startsWith('.') && ref.from.path.length > 0) {
      const target = posix.join(posix.dirname(fromFile), ref.from.source);
      const inFile = tables.filter((t) => sameModule(t.file, target));
      const found = unique(inFile.filter((t) => t.bindings.includes(ref.from?.path[0] ?? '')));
      if (found) return found;
    }
    if (ref.kind === 'binding') {
      const name = ref.from?.path[0] ?? ref.local;
      const found = unique(tables.filter((t) => t.bindings.includes(name)));
      if (found) return found;
    }
    return findByTableName(tables, ref.local);
  };
  // Only tables of the same library: a Mongoose `ref: 'Organization'` means a Mongoose model.
  const resolve = (kind: SchemaSourceKind, fromFile: string, ref: BindingRef): TsTable | undefined =>
    resolveAmong(
      all.filter((t) => t.kind === kind),
      fromFile,
      ref,
    );

  // Cross-file work first: it may add columns and relations (with pending targets) to tables of other files.
  for (const { projectFile, kind, read } of reads) {
    for (const work of read.deferred) {
      try {
        work((ref) => resolve(kind, projectFile, ref));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        diagnostics.push({ file: projectFile, message: `could not read the ${kind} table definitions of this file: ${message}` });
      }
    }
  }
  for (const { projectFile, kind, read } of reads) {
    for (const entry of read.pending) {
      const found = resolve(kind, projectFile, entry.target);
      if (found) entry.relation.target = found.table.name;
    }
    for (const entry of read.foreign) {
      const owner = resolve(kind, projectFile, entry.owner);
      if (!owner || owner.table.relations.has(entry.relation.name)) continue;
      const target = resolve(kind, projectFile, entry.target);
      if (target) entry.relation.target = target.table.name;
      const fields = entry.relation.fields;
      entry.relation.required = fields.length > 0 && fields.every((f) => owner.table.columns.get(f)?.nullable === false);
      owner.table.relations.set(entry.relation.name, entry.relation);
    }
  }

  inheritAcrossFiles(reads, resolveAmong);

  const tables: RawTable[] = [];
  const files: string[] = [];
  const sources = new Map<SchemaSourceKind, SchemaSource>();
  const bindings: TsSchemaReadResult['bindings'] = [];
  for (const { projectFile, kind, read } of reads) {
    if (read.tables.length === 0) continue;
    if (!files.includes(projectFile)) files.push(projectFile);
    const source = sources.get(kind) ?? { kind, files: [] };
    if (!source.files.includes(projectFile)) source.files.push(projectFile);
    sources.set(kind, source);
    for (const table of read.tables) {
      tables.push(table.table);
      for (const binding of table.bindings) bindings.push({ file: projectFile, binding, table: table.table.name, source: kind });
    }
  }
  const plugins = reads.flatMap((r) => r.read.camelCasePlugins ?? []);
  const agreed = plugins.length > 0 && plugins.every((p) => JSON.stringify(p) === JSON.stringify(plugins[0])) ? plugins[0] : undefined;
  return { tables, diagnostics, files, sources: [...sources.values()], bindings, ...(agreed ? { kyselyCamelCase: agreed } : {}) };
}

/**
 * A table whose class extends a class of another file gets that class's columns, key, indexes and
 * relations (its own members win), the base's own base first. Runs once relation targets are
 * resolved, so the copies carry resolved targets.
 */
function inheritAcrossFiles(
  reads: { projectFile: string; kind: SchemaSourceKind; read: TsReadResult }[],
  resolveAmong: (tables: (TsTable & { file: string; kind: SchemaSourceKind })[], fromFile: string, ref: BindingRef) => TsTable | undefined,
): void {
  const bases = reads.flatMap((r) => (r.read.bases ?? []).map((b) => ({ ...b, file: r.projectFile, kind: r.kind })));
  const work = reads.flatMap((r) => (r.read.extending ?? []).map((e) => ({ ...e, file: r.projectFile, kind: r.kind })));
  if (work.length === 0) return;
  const byTable = new Map(work.map((w) => [w.table, w]));
  const done = new Set<RawTable>();
  const inherit = (table: RawTable, depth: number): void => {
    const entry = byTable.get(table);
    if (!entry || done.has(table) || depth > 8) return;
    done.add(table);
    const base = resolveAmong(bases.filter((b) => b.kind === entry.kind), entry.file, entry.base);
    if (!base || base.table === table) return;
    inherit(base.table, depth + 1);
    const from = base.table;
    for (const [key, column] of from.columns) if (!table.columns.has(key)) table.columns.set(key, { ...column });
    for (const [key, relation] of from.relations) if (!table.relations.has(key)) table.relations.set(key, { ...relation, fields: [...relation.fields], references: [...relation.references] });
    for (const key of from.primaryKey) if (!table.primaryKey.includes(key)) table.primaryKey.push(key);
    table.indexes.push(...from.indexes.map((index) => [...index]));
    table.uniques.push(...from.uniques.map((unique) => ({ ...unique, fields: [...unique.fields] })));
  };
  for (const entry of work) inherit(entry.table, 0);
}

/** `src/db/orgs.ts` is the module `./orgs`, `./orgs.js` or `./orgs/index` seen from `src/db/x.ts`. */
function sameModule(file: string, specifierPath: string): boolean {
  const stripped = specifierPath.replace(/\.[cm]?[jt]sx?$/, '');
  const withoutExt = file.replace(/\.[cm]?[jt]sx?$/, '');
  return withoutExt === stripped || withoutExt === `${stripped}/index`;
}

// ---------------------------------------------------------------------------------------------
// AST helpers shared by the readers.

const resolvedReferences = new WeakMap<FileUnit, Map<TSESTree.Identifier | TSESTree.JSXIdentifier, Variable | null>>();

/**
 * The variable an identifier refers to. Like `variableOf`, but every reference of the file is
 * indexed once: a schema file with thousands of column builders would otherwise scan the module
 * scope's references once per call.
 */
export function variableAt(unit: FileUnit, identifier: TSESTree.Identifier): Variable | null {
  let index = resolvedReferences.get(unit);
  if (!index) {
    index = new Map();
    for (const scope of unit.scopeManager.scopes) {
      for (const reference of scope.references) index.set(reference.identifier, reference.resolved);
    }
    resolvedReferences.set(unit, index);
  }
  const resolved = index.get(identifier);
  return resolved === undefined ? variableOf(unit.scopeManager, identifier) : resolved;
}

/** A value exported by a package: `{ source: 'mongoose', path: ['Schema', 'Types', 'ObjectId'] }`. */
export interface ModuleRef {
  source: string;
  /** Export path inside the module; empty for the module object (default or namespace import, `require()`). */
  path: string[];
}

/**
 * What package export `node` stands for, following import specifiers (aliases included),
 * namespace and default imports, `require()`, destructuring and `const` aliases. Scopes are
 * honoured: a local function named like an export is not the export.
 */
export function moduleRefOf(unit: FileUnit, node: Node, depth = 0): ModuleRef | undefined {
  if (depth > 8) return undefined;
  const current = unwrap(node);
  switch (current.type) {
    case T.Identifier:
      return identifierModuleRef(unit, current, depth);
    case T.MemberExpression: {
      const name = memberName(current);
      const base = name === undefined ? undefined : moduleRefOf(unit, current.object, depth + 1);
      return base && name !== undefined ? { source: base.source, path: [...base.path, name] } : undefined;
    }
    case T.CallExpression: {
      const source = requireSource(unit, current);
      return source === undefined ? undefined : { source, path: [] };
    }
    default:
      return undefined;
  }
}

function identifierModuleRef(unit: FileUnit, identifier: TSESTree.Identifier, depth: number): ModuleRef | undefined {
  const variable = variableAt(unit, identifier);
  const def = variable?.defs[0];
  if (!variable || !def) return undefined;
  if (def.type === 'ImportBinding') {
    const spec = def.node;
    if (spec.type === T.TSImportEqualsDeclaration) {
      const reference = spec.moduleReference;
      if (reference.type !== T.TSExternalModuleReference) return undefined;
      const source = staticName(reference.expression);
      return source === undefined ? undefined : { source, path: [] };
    }
    const declaration = def.parent;
    if (declaration.type !== T.ImportDeclaration) return undefined;
    const source = declaration.source.value;
    if (spec.type === T.ImportSpecifier) {
      const imported = staticName(spec.imported);
      return imported === undefined ? undefined : { source, path: [imported] };
    }
    return { source, path: [] };
  }
  if (def.type === 'Variable') {
    const declarator = def.node;
    if (!declarator.init) return undefined;
    if (variable.references.some((ref) => ref.isWrite() && ref.identifier !== def.name)) return undefined;
    const base = moduleRefOf(unit, declarator.init, depth + 1);
    if (!base) return undefined;
    if (declarator.id.type === T.Identifier) return base;
    if (declarator.id.type === T.ObjectPattern) {
      for (const property of declarator.id.properties) {
        if (property.type !== T.Property) continue;
        const value = property.value.type === T.AssignmentPattern ? property.value.left : property.value;
        if (value !== def.name) continue;
        const key = staticName(property.key, property.computed);
        return key === undefined ? undefined : { source: base.source, path: [...base.path, key] };
      }
    }
  }
  return undefined;
}

/** `require('x')` with the global `require`. */
function requireSource(unit: FileUnit, call: TSESTree.CallExpression): string | undefined {
  if (call.callee.type !== T.Identifier || call.callee.name !== 'require' || call.arguments.length !== 1) return undefined;
  if (variableAt(unit, call.callee)?.defs.length) return undefined;
  const argument = call.arguments[0];
  return argument ? stringOf(argument) : undefined;
}

export function isFrom(ref: ModuleRef | undefined, sources: ReadonlySet<string>, names?: ReadonlySet<string>): ref is ModuleRef {
  if (!ref || !sources.has(ref.source)) return false;
  if (!names) return true;
  return ref.path.length === 1 && names.has(ref.path[0]);
}

/** Does the file import (or require) one of `sources` at all? */
export function importsAny(unit: FileUnit, sources: ReadonlySet<string>): boolean {
  for (const statement of unit.ast.body) {
    if (statement.type === T.ImportDeclaration && sources.has(statement.source.value)) return true;
  }
  const pattern = new RegExp(`require\\s*\\(\\s*['"](?:${[...sources].map(escapeRegExp).join('|')})['"]`);
  return pattern.test(unit.text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** A binding reference for an identifier (`organizations`) or a member (`models.Organization`). */
export function bindingRefOf(unit: FileUnit, node: Node): BindingRef | undefined {
  const current = unwrap(node);
  if (current.type === T.Identifier) {
    const ref = identifierModuleRef(unit, current, 0);
    return { kind: 'binding', local: current.name, from: ref };
  }
  if (current.type === T.MemberExpression) {
    const name = memberName(current);
    return name === undefined ? undefined : { kind: 'binding', local: name };
  }
  const name = stringOf(current);
  return name === undefined ? undefined : { kind: 'name', local: name };
}

/** The span of `start` (through `end`), 1-based columns, end exclusive. */
export function locationOf(file: string, start: Node, end: Node = start): SourceLocation {
  return {
    file,
    line: start.loc.start.line,
    column: start.loc.start.column + 1,
    endLine: end.loc.end.line,
    endColumn: end.loc.end.column + 1,
  };
}

export function stringOf(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  const current = unwrap(node);
  if (current.type === T.Literal && typeof current.value === 'string') return current.value;
  if (current.type === T.TemplateLiteral && current.expressions.length === 0) return current.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

/** A string literal, or an identifier bound to a `const` string of this file: `@Entity({ name: INVOICES })`. */
export function constStringOf(unit: FileUnit, node: Node | null | undefined): string | undefined {
  const direct = stringOf(node);
  if (direct !== undefined || !node) return direct;
  const current = unwrap(node);
  if (current.type !== T.Identifier) return undefined;
  const def = variableAt(unit, current)?.defs[0];
  if (def?.type !== 'Variable' || def.parent.kind !== 'const' || def.node.id.type !== T.Identifier || !def.node.init) return undefined;
  return stringOf(def.node.init);
}

export function booleanOf(node: Node | null | undefined): boolean | undefined {
  if (!node) return undefined;
  const current = unwrap(node);
  return current.type === T.Literal && typeof current.value === 'boolean' ? current.value : undefined;
}

export function objectOf(node: Node | null | undefined): TSESTree.ObjectExpression | undefined {
  if (!node) return undefined;
  const current = unwrap(node);
  return current.type === T.ObjectExpression ? current : undefined;
}

/** The statically named properties of an object literal, in order (spreads and computed keys skipped). */
export function entriesOf(object: TSESTree.ObjectExpression): { key: string; keyNode: Node; value: Node }[] {
  const entries: { key: string; keyNode: Node; value: Node }[] = [];
  for (const property of object.properties) {
    if (property.type !== T.Property || property.kind !== 'init') continue;
    const key = staticName(property.key, property.computed);
    if (key !== undefined) entries.push({ key, keyNode: property.key, value: property.value });
  }
  return entries;
}

/** The value of `name` in an object literal (the last one wins, as at run time). */
export function propertyOf(node: Node | null | undefined, name: string): Node | undefined {
  const object = objectOf(node);
  if (!object) return undefined;
  let found: Node | undefined;
  for (const entry of entriesOf(object)) if (entry.key === name) found = unwrap(entry.value);
  return found;
}

export function stringList(node: Node | null | undefined): string[] | undefined {
  if (!node) return undefined;
  const current = unwrap(node);
  if (current.type !== T.ArrayExpression) return undefined;
  const items: string[] = [];
  for (const element of current.elements) {
    const value = element && element.type !== T.SpreadElement ? stringOf(element) : undefined;
    if (value === undefined) return undefined;
    items.push(value);
  }
  return items;
}

/** What a function returns: the expression body of an arrow, or the first top-level `return`. */
export function returnedOf(node: Node | null | undefined): Node | undefined {
  if (!node) return undefined;
  const fn = unwrap(node);
  if (fn.type !== T.ArrowFunctionExpression && fn.type !== T.FunctionExpression) return undefined;
  if (fn.body.type !== T.BlockStatement) return unwrap(fn.body);
  for (const statement of fn.body.body) {
    if (statement.type === T.ReturnStatement && statement.argument) return unwrap(statement.argument);
  }
  return undefined;
}

/** An object literal bound to a `const` of this file: `...timestamps` in a Drizzle column map. */
export function constObjectOf(unit: FileUnit, node: Node): TSESTree.ObjectExpression | undefined {
  const current = unwrap(node);
  if (current.type === T.ObjectExpression) return current;
  if (current.type !== T.Identifier) return undefined;
  const def = variableAt(unit, current)?.defs[0];
  if (def?.type !== 'Variable' || def.node.id.type !== T.Identifier || !def.node.init) return undefined;
  return objectOf(def.node.init);
}

/** A variable's name when `node` is its initializer: `const invoices = pgTable(...)`. */
export function declaredName(node: Node): string | undefined {
  let current: Node = node;
  // `pgTable('board', {...}).enableRLS()`: the variable holds the table the chain returns.
  while (
    current.parent?.type === T.MemberExpression &&
    current.parent.object === current &&
    current.parent.property.type === T.Identifier &&
    current.parent.property.name === 'enableRLS' &&
    current.parent.parent?.type === T.CallExpression &&
    current.parent.parent.callee === current.parent
  ) {
    current = current.parent.parent;
  }
  while (
    current.parent &&
    (current.parent.type === T.TSAsExpression ||
      current.parent.type === T.TSSatisfiesExpression ||
      current.parent.type === T.TSNonNullExpression ||
      current.parent.type === T.LogicalExpression ||
      current.parent.type === T.ConditionalExpression)
  ) {
    current = current.parent;
  }
  const parent = current.parent;
  if (parent?.type === T.VariableDeclarator && parent.init === current && parent.id.type === T.Identifier) return parent.id.name;
  return undefined;
}

/** The class a decorator or member belongs to, with its name. */
export function className(node: TSESTree.ClassDeclaration | TSESTree.ClassExpression): string | undefined {
  return node.id?.name ?? declaredName(node);
}

/** The in-file class a class extends (`class Invoice extends TenantEntity`), when there is one. */
export function superClassOf(unit: FileUnit, node: TSESTree.ClassDeclaration | TSESTree.ClassExpression): TSESTree.ClassDeclaration | TSESTree.ClassExpression | undefined {
  const superClass = node.superClass ? unwrap(node.superClass) : undefined;
  if (superClass?.type !== T.Identifier) return undefined;
  const def = variableAt(unit, superClass)?.defs[0];
  if (def?.type === 'ClassName') return def.node;
  if (def?.type === 'Variable' && def.node.init) {
    const init = unwrap(def.node.init);
    if (init.type === T.ClassExpression) return init;
  }
  return undefined;
}

/** A decorator split into its callee (`Column` in `@Column({...})`) and arguments (none for `@Column`). */
export function decoratorParts(decorator: TSESTree.Decorator): { callee: Node; args: Node[] } {
  const expression = unwrap(decorator.expression);
  if (expression.type === T.CallExpression) {
    return { callee: expression.callee, args: expression.arguments.filter((a) => a.type !== T.SpreadElement) };
  }
  return { callee: expression, args: [] };
}

/** The identifier token of a callee: `pgTable` in `pgTable(`, `table` in `schema.table(`. */
export function calleeToken(callee: Node): Node {
  const current = unwrap(callee);
  return current.type === T.MemberExpression ? current.property : current;
}

/** `TypeORM`-style camelCase: `organization_id` → `organizationId`. */
export function camelCase(text: string): string {
  return text.replace(/^([A-Z])|[\s\-_](\w)/g, (_match, first: string | undefined, next: string | undefined) =>
    next ? next.toUpperCase() : (first ?? '').toLowerCase(),
  );
}

export function snakeCase(text: string): string {
  return text.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}
