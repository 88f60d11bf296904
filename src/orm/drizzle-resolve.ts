/**
 * How Drizzle code reaches its tables and operators in a monorepo: through a namespace object
 * (`schema.keys` with `import * as schema`, `export { schema }`, `export const tables = { keys }`)
 * and through a db module that re-exports the ORM (`export * from 'drizzle-orm'`). The shared
 * resolver follows named bindings; these two shapes need a little more.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, textOf, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext } from '../core/query-site.js';
import type { Located } from '../core/resolve.js';
import type { Table } from '../core/schema.js';

const MAX_DEPTH = 10;
export const DRIZZLE_SOURCE = /^drizzle-orm(\/|$)/;
const TABLE_FUNCTIONS = new Set(['pgTable', 'mysqlTable', 'sqliteTable']);
/** Calls that give a table under another name: `alias(keys, 'k')`. */
const TABLE_WRAPPERS = new Set(['alias']);
/** Methods of a table that return the same table. */
const TABLE_METHODS = new Set(['enableRLS']);
/** `pgSchema('billing')`: an object whose `.table('name', {...})` declares a table in that database schema. */
const SCHEMA_FUNCTIONS = new Set(['pgSchema', 'mysqlSchema']);

export interface DrizzleImport {
  source: string;
  imported: string;
}

function exportedName(node: TSESTree.Identifier | TSESTree.StringLiteral): string {
  return node.type === T.Identifier ? node.name : node.value;
}

/**
 * The `drizzle-orm/*` export an identifier stands for, also when a project module re-exports the
 * package wholesale (`export * from 'drizzle-orm'`), which the shared resolver does not attribute.
 */
export function drizzleImportOf(identifier: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth = 0): DrizzleImport | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const binding = context.resolver.bindingOf(identifier, unit, depth + 1);
  if (binding.kind === 'package') return DRIZZLE_SOURCE.test(binding.source) ? { source: binding.source, imported: binding.imported } : undefined;
  if (binding.kind !== 'unknown') return undefined;
  const def = variableOf(unit.scopeManager, identifier)?.defs[0];
  if (def?.type !== 'ImportBinding' || def.parent.type !== T.ImportDeclaration || def.node.type !== T.ImportSpecifier) return undefined;
  return drizzleExport(def.parent.source.value, exportedName(def.node.imported), unit, context, depth + 1);
}

/** `name` as exported by the module `source` (seen from `unit`), if it is Drizzle's. */
function drizzleExport(source: string, name: string, unit: FileUnit, context: AnalysisContext, depth: number): DrizzleImport | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const target = moduleUnit(source, unit, context);
  if (!target) return DRIZZLE_SOURCE.test(source) && isBare(source) ? { source, imported: name } : undefined;
  const packages: string[] = [];
  for (const statement of target.ast.body) {
    if (statement.type === T.ExportNamedDeclaration) {
      if (statement.declaration) {
        if (declares(statement.declaration, name)) return undefined;
        continue;
      }
      for (const spec of statement.specifiers) {
        if (exportedName(spec.exported) !== name) continue;
        if (statement.source) return drizzleExport(statement.source.value, exportedName(spec.local), target, context, depth + 1);
        return spec.local.type === T.Identifier ? drizzleImportOf(spec.local, target, context, depth + 1) : undefined;
      }
    }
  }
  // Project modules first: a name they declare shadows the package's of the same name.
  for (const statement of target.ast.body) {
    if (statement.type !== T.ExportAllDeclaration || statement.exported) continue;
    const from = statement.source.value;
    if (!moduleUnit(from, target, context)) {
      if (DRIZZLE_SOURCE.test(from)) packages.push(from);
      continue;
    }
    const found = drizzleExport(from, name, target, context, depth + 1);
    if (found) return found;
  }
  const [pkg] = packages;
  return pkg ? { source: pkg, imported: name } : undefined;
}

function declares(declaration: TSESTree.NamedExportDeclarations, name: string): boolean {
  if (declaration.type === T.VariableDeclaration) return declaration.declarations.some((d) => d.id.type === T.Identifier && d.id.name === name);
  return 'id' in declaration && declaration.id?.type === T.Identifier && declaration.id.name === name;
}

function isBare(source: string): boolean {
  return !source.startsWith('.') && !source.startsWith('/');
}

function moduleUnit(source: string, unit: FileUnit, context: AnalysisContext): FileUnit | undefined {
  const file = context.resolver.modules.resolve(unit.file, source);
  return (file && context.resolver.modules.unit(file)) || undefined;
}

/** A namespace of tables: a module (`import * as schema`) or an object literal (`{ keys, apis }`). */
type Namespace = { kind: 'module'; unit: FileUnit } | { kind: 'object'; node: TSESTree.ObjectExpression; unit: FileUnit };

/** What `expression` stands for when it is used as a namespace (`schema` in `schema.keys`). */
export function namespaceOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): Namespace | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unwrap(expression);
  if (node.type === T.ObjectExpression) return { kind: 'object', node, unit };
  if (node.type === T.MemberExpression) {
    const inner = memberOf(node, unit, context, depth + 1);
    return inner ? namespaceOf(inner.node, inner.unit, context, depth + 1) : undefined;
  }
  if (node.type !== T.Identifier) return undefined;
  const variable = variableOf(unit.scopeManager, node);
  const def = variable?.defs[0];
  if (!def) return undefined;
  if (def.type === 'Variable' && def.node.id.type === T.Identifier && def.node.init) {
    if (variable.references.some((r) => r.isWrite() && r.identifier !== def.node.id)) return undefined;
    return namespaceOf(def.node.init, unit, context, depth + 1);
  }
  if (def.type !== 'ImportBinding' || def.parent.type !== T.ImportDeclaration) return undefined;
  const source = def.parent.source.value;
  if (def.node.type === T.ImportNamespaceSpecifier) {
    const target = moduleUnit(source, unit, context);
    return target ? { kind: 'module', unit: target } : undefined;
  }
  const imported = def.node.type === T.ImportSpecifier ? exportedName(def.node.imported) : 'default';
  return exportedNamespace(source, imported, unit, context, depth + 1);
}

/** The namespace a module exports as `name`: `export * as schema from`, `export { schema }`, `export const tables = {...}`. */
function exportedNamespace(source: string, name: string, unit: FileUnit, context: AnalysisContext, depth: number): Namespace | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const target = moduleUnit(source, unit, context);
  if (!target) return undefined;
  for (const statement of target.ast.body) {
    if (statement.type === T.ExportAllDeclaration && statement.exported && exportedName(statement.exported) === name) {
      const inner = moduleUnit(statement.source.value, target, context);
      return inner ? { kind: 'module', unit: inner } : undefined;
    }
    if (statement.type === T.ExportDefaultDeclaration && name === 'default') return namespaceOf(statement.declaration, target, context, depth + 1);
    if (statement.type !== T.ExportNamedDeclaration) continue;
    const declaration = statement.declaration;
    if (declaration?.type === T.VariableDeclaration) {
      const declarator = declaration.declarations.find((d) => d.id.type === T.Identifier && d.id.name === name);
      if (declarator?.init) return namespaceOf(declarator.init, target, context, depth + 1);
    }
    for (const spec of statement.specifiers) {
      if (exportedName(spec.exported) !== name) continue;
      if (statement.source) return exportedNamespace(statement.source.value, exportedName(spec.local), target, context, depth + 1);
      return spec.local.type === T.Identifier ? namespaceOf(spec.local, target, context, depth + 1) : undefined;
    }
  }
  for (const statement of target.ast.body) {
    if (statement.type !== T.ExportAllDeclaration || statement.exported) continue;
    const found = exportedNamespace(statement.source.value, name, target, context, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The value behind `ns.key` (or `ns['key']`) when `ns` is a namespace we can follow. */
export function memberOf(member: TSESTree.MemberExpression, unit: FileUnit, context: AnalysisContext, depth = 0): Located | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const key = memberName(member);
  if (!key) return undefined;
  const namespace = namespaceOf(member.object, unit, context, depth + 1);
  if (!namespace) return undefined;
  if (namespace.kind === 'module') {
    const binding = context.resolver.exportBinding(namespace.unit, key, depth + 1);
    return binding.kind === 'value' ? binding.value : undefined;
  }
  const property = namespace.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === key);
  return property ? { node: property.value, unit: namespace.unit } : undefined;
}

/** What a table argument turned out to be. */
export type TableRef =
  | { kind: 'table'; table: Table }
  /** A Drizzle table the schema does not hold, a subquery, a CTE: not a query on a tenant table we know. */
  | { kind: 'other' }
  | { kind: 'unresolved'; reason: string };

/** `keys`, `schema.keys`, `tables.keys`, `alias(keys, 'k')`, mapped to the schema by the table's SQL name. */
export function resolveTable(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): TableRef {
  const text = textOf(unit, expression);
  if (depth > MAX_DEPTH) return { kind: 'unresolved', reason: `\`${text}\` is nested too deeply` };
  const node = unwrap(expression);
  if (node.type === T.Identifier) {
    const binding = context.resolver.bindingOf(node, unit, depth + 1);
    if (binding.kind === 'value') return resolveTable(binding.value.node, binding.value.unit, context, depth + 1);
    return { kind: 'unresolved', reason: `the table \`${text}\` is ${binding.kind === 'unknown' ? `not followed (${binding.reason})` : `a ${binding.kind}`}` };
  }
  if (node.type === T.MemberExpression) {
    const value = memberOf(node, unit, context, depth + 1);
    return value ? resolveTable(value.node, value.unit, context, depth + 1) : { kind: 'unresolved', reason: `the table \`${text}\` cannot be followed` };
  }
  if (node.type === T.CallExpression) return tableCall(node, unit, context, depth);
  return { kind: 'unresolved', reason: `the table is a ${node.type}` };
}

function tableCall(call: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext, depth: number): TableRef {
  const callee = unwrap(call.callee);
  // `db.select().from(t).as('sq')`, `db.$with('sq').as(...)`: a subquery, analysed as its own query.
  if (callee.type === T.MemberExpression) {
    const method = memberName(callee);
    // `pgTable('board', {...}).enableRLS()` is the same table, with row-level security on.
    if (method && TABLE_METHODS.has(method)) return resolveTable(callee.object, unit, context, depth + 1);
    if (method === 'table' && schemaObject(callee.object, unit, context, depth + 1)) {
      const name = call.arguments[0];
      if (name?.type !== T.Literal || typeof name.value !== 'string') return { kind: 'unresolved', reason: 'the table has a computed name' };
      const table = tableBySqlName(name.value, context);
      return table ? { kind: 'table', table } : { kind: 'other' };
    }
    return method === 'as' ? { kind: 'other' } : { kind: 'unresolved', reason: `the table is built by \`.${method ?? '?'}()\`` };
  }
  if (callee.type !== T.Identifier) return { kind: 'unresolved', reason: 'the table is built by a call' };
  const fn = drizzleImportOf(callee, unit, context, depth + 1);
  if (fn && TABLE_WRAPPERS.has(fn.imported) && call.arguments[0]) return resolveTable(call.arguments[0], unit, context, depth + 1);
  if (!fn || !TABLE_FUNCTIONS.has(fn.imported)) return { kind: 'unresolved', reason: `the table is built by \`${callee.name}()\`` };
  const name = call.arguments[0];
  if (name?.type !== T.Literal || typeof name.value !== 'string') return { kind: 'unresolved', reason: 'the table has a computed name' };
  const table = tableBySqlName(name.value, context);
  return table ? { kind: 'table', table } : { kind: 'other' };
}

/**
 * `latitudeSchema` in `latitudeSchema.table('projects', {...})`: a `pgSchema('latitude')` of Drizzle,
 * through consts and imports (latitude-llm's tables, declared in a helpers module's schema object).
 */
function schemaObject(expression: Node, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const node = unwrap(expression);
  if (node.type === T.Identifier) {
    const binding = context.resolver.bindingOf(node, unit, depth + 1);
    return binding.kind === 'value' && schemaObject(binding.value.node, binding.value.unit, context, depth + 1);
  }
  if (node.type !== T.CallExpression) return false;
  const callee = unwrap(node.callee);
  const fn = callee.type === T.Identifier ? drizzleImportOf(callee, unit, context, depth + 1) : undefined;
  return Boolean(fn && SCHEMA_FUNCTIONS.has(fn.imported));
}

export function tableBySqlName(name: string, context: AnalysisContext): Table | undefined {
  for (const table of context.schema.tables.values()) {
    if (table.dbName === name) return table;
  }
  return context.schema.tables.get(name);
}

/**
 * A stand-in for a table we could not follow, on a traced Drizzle client: it lets the policy
 * count the call as not analysable instead of dropping it. Only where the schema has tenant tables.
 */
export function unresolvedTable(text: string, context: AnalysisContext): Table | undefined {
  const tenancy = [...context.schema.tables.values()].some((t) => t.class === 'tenant' || t.class === 'child');
  if (!tenancy) return undefined;
  return {
    name: text,
    dbName: text,
    columns: new Map(),
    primaryKey: [],
    uniques: [],
    indexes: [],
    relations: new Map(),
    source: 'drizzle',
    class: 'tenant',
    tenantKeys: [],
    parentRelations: [],
    classReason: 'the table could not be resolved',
  };
}
