/**
 * ClickHouse DDL a project builds in code rather than writes in `.sql` files: a project function
 * whose body makes `CREATE TABLE` text from an options object (`createTable({ name: 'sessions',
 * engine: 'MergeTree()', columns: ['`id` String', ...], orderBy: ['project_id', ...] })`), called by
 * the migrations. Read structurally, as data (nothing is run): a call of such a function (found
 * through the call's import, or in the same file) with an object literal whose `name` is a string
 * (or a member of a `const` object of strings) and whose `columns` is an array of string literals
 * is the CREATE TABLE it builds; that text, laid out at the lines of the call and its column
 * literals, is handed to the ClickHouse DDL reader. Calls whose options are computed are skipped.
 */
import { dirname, relative, resolve } from 'node:path';
import type { TSESTree } from '@typescript-eslint/types';
import { T, unwrap, walk, type FileUnit, type Node } from '../core/ast.js';
import type { SchemaReadResult } from './raw.js';
import { readClickHouseTexts } from './clickhouse.js';
import { entriesOf, objectOf, stringList, stringOf, variableAt } from './ts-sources.js';

/** A template that starts a CREATE TABLE: a file that may hold a builder. */
export const CLICKHOUSE_BUILDER_TEXT = /`\s*CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\b/i;
/** An options object with a list of column literals: a file that may call a builder. */
export const CLICKHOUSE_CALL_TEXT = /\bcolumns\s*:\s*\[\s*['"`]/;

const CREATE_TABLE = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\b/i;
const EXTENSIONS = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '/index.ts', '/index.js'];

type Parse = (file: string, text: string) => FileUnit;
type Read = (file: string) => string | undefined;

function toPosix(path: string): string {
  return path.split('\\').join('/');
}

/** Functions of a file (declared, or `const f = () => ...`) whose body has a template starting CREATE TABLE. */
function buildersOf(unit: FileUnit): Set<string> {
  const names = new Set<string>();
  const check = (name: string | undefined, fn: Node) => {
    if (name === undefined) return;
    let found = false;
    walk(fn, (node) => {
      if (!found && node.type === T.TemplateLiteral && CREATE_TABLE.test(node.quasis[0]?.value.cooked ?? '')) found = true;
    });
    if (found) names.add(name);
  };
  walk(unit.ast, (node) => {
    if (node.type === T.FunctionDeclaration) check(node.id?.name, node);
    else if (node.type === T.VariableDeclarator && node.id.type === T.Identifier && node.init) {
      const init = unwrap(node.init);
      if (init.type === T.ArrowFunctionExpression || init.type === T.FunctionExpression) check(node.id.name, init);
    }
  });
  return names;
}

/** The project file an import specifier names, when it is relative; undefined for a package. */
function resolveImport(from: string, source: string, exists: (path: string) => boolean): string | undefined {
  if (!source.startsWith('.')) return undefined;
  const base = resolve(dirname(from), source);
  const stem = base.replace(/\.(?:[cm]?js|jsx)$/, '');
  for (const candidate of [base, stem].flatMap((b) => EXTENSIONS.map((ext) => b + ext))) if (exists(candidate)) return candidate;
  return undefined;
}

/** Where an identifier comes from: its import (file and exported name), or this file. */
function importOf(unit: FileUnit, identifier: TSESTree.Identifier): { source: string; name: string } | 'local' | undefined {
  const def = variableAt(unit, identifier)?.defs[0];
  if (!def) return undefined;
  if (def.type !== 'ImportBinding') return 'local';
  if (def.parent.type !== T.ImportDeclaration || def.node.type !== T.ImportSpecifier) return undefined;
  const imported = def.node.imported;
  return { source: def.parent.source.value, name: imported.type === T.Identifier ? imported.name : String(imported.value) };
}

/**
 * ClickHouse tables built by project functions. `builders`: files whose text has a CREATE TABLE
 * template; `callers`: files whose text has a `columns: ['...` list. Files are read and parsed only
 * when so picked.
 */
export function readClickHouseCodeDdl(root: string, builders: string[], callers: string[], read: Read, parse: Parse): SchemaReadResult & { builders: string[] } {
  const units = new Map<string, FileUnit | null>();
  const unitOf = (file: string): FileUnit | undefined => {
    let unit = units.get(file);
    if (unit === undefined) {
      const text = read(file);
      try {
        unit = text === undefined ? null : parse(file, text);
      } catch {
        unit = null;
      }
      units.set(file, unit);
    }
    return unit ?? undefined;
  };
  const builderNames = new Map<string, Set<string>>();
  for (const file of builders) {
    const unit = unitOf(file);
    const names = unit ? buildersOf(unit) : new Set<string>();
    if (names.size) builderNames.set(file, names);
  }
  if (builderNames.size === 0) return { tables: [], diagnostics: [], files: [], builders: [] };
  const known = new Set([...builders, ...callers].map((f) => resolve(f)));
  const exists = (path: string) => known.has(path) || read(path) !== undefined;
  const usedBuilders = new Set<string>();
  const texts: { file: string; text: string }[] = [];
  // Migrations apply in the order of their numbers (`3-init.ts` before `10-add.ts`).
  const ordered = [...callers].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const file of ordered) {
    const unit = unitOf(file);
    if (!unit) continue;
    const pieces: Piece[] = [];
    walk(unit.ast, (node) => {
      if (node.type !== T.CallExpression || node.callee.type !== T.Identifier) return;
      const origin = importOf(unit, node.callee);
      const builderFile = origin === 'local' ? resolve(file) : origin ? resolveImport(file, origin.source, exists) : undefined;
      const name = origin === 'local' ? node.callee.name : origin?.name;
      if (!builderFile || name === undefined || !builderNames.get(builderFile)?.has(name)) return;
      const statement = createTableOf(node, unit, file, exists, unitOf);
      if (!statement) return;
      pieces.push(...statement);
      usedBuilders.add(toPosix(relative(root, builderFile)));
    });
    if (pieces.length) texts.push({ file: toPosix(relative(root, file)), text: layout(pieces) });
  }
  const result = readClickHouseTexts(texts);
  return { ...result, builders: [...usedBuilders].sort() };
}

/** A piece of DDL text to place at a line and column (1-based line, 0-based column) of its file. */
interface Piece {
  line: number;
  column: number;
  text: string;
}

/** The CREATE TABLE a builder call stands for, as pieces placed at the call and its column literals. */
function createTableOf(call: TSESTree.CallExpression, unit: FileUnit, file: string, exists: (path: string) => boolean, unitOf: (file: string) => FileUnit | undefined): Piece[] | undefined {
  const options = objectOf(call.arguments[0]);
  if (!options) return undefined;
  const entries = new Map(entriesOf(options).map((e) => [e.key, unwrap(e.value)]));
  const nameNode = entries.get('name');
  const name = nameNode ? (stringOf(nameNode) ?? constantMember(nameNode, unit, file, exists, unitOf)) : undefined;
  const columnsNode = entries.get('columns');
  if (!name || !/^[A-Za-z_][\w.]*$/.test(name) || columnsNode?.type !== T.ArrayExpression) return undefined;
  const columns: { node: Node; text: string }[] = [];
  for (const element of columnsNode.elements) {
    const text = element && element.type !== T.SpreadElement ? stringOf(element) : undefined;
    if (text === undefined) return undefined; // a computed column: the table is not known whole
    columns.push({ node: element!, text });
  }
  if (columns.length === 0) return undefined;
  const engine = stringOf(entries.get('engine')) ?? 'MergeTree()';
  const orderBy = stringList(entries.get('orderBy'));
  const start = call.loc.start;
  const pieces: Piece[] = [{ line: start.line, column: start.column, text: `CREATE TABLE ${name} (` }];
  columns.forEach((column, index) => {
    const at = column.node.loc.start;
    pieces.push({ line: at.line, column: at.column, text: `${index ? ', ' : ''}${column.text}` });
  });
  pieces.push({ line: columnsNode.loc.end.line, column: columnsNode.loc.end.column, text: `) ENGINE = ${engine}${orderBy?.length ? ` ORDER BY (${orderBy.join(', ')})` : ''};` });
  return pieces;
}

/** Pieces in order, each at its place when it is still ahead, else right after the one before. */
function layout(pieces: Piece[]): string {
  let text = '';
  let line = 1;
  let column = 0;
  for (const piece of pieces) {
    if (piece.line > line) {
      text += '\n'.repeat(piece.line - line);
      line = piece.line;
      column = 0;
    }
    if (piece.line === line && piece.column > column) {
      text += ' '.repeat(piece.column - column);
      column = piece.column;
    } else if (text && !/\s$/.test(text)) {
      text += ' ';
      column++;
    }
    const lines = piece.text.split('\n');
    text += piece.text;
    line += lines.length - 1;
    column = lines.length > 1 ? lines[lines.length - 1]!.length : column + piece.text.length;
  }
  return text;
}

/** `TABLE_NAMES.groups`: a string property of a `const` object literal of this file or of the file it is imported from. */
function constantMember(node: Node, unit: FileUnit, file: string, exists: (path: string) => boolean, unitOf: (file: string) => FileUnit | undefined): string | undefined {
  if (node.type !== T.MemberExpression || node.computed || node.property.type !== T.Identifier || node.object.type !== T.Identifier) return undefined;
  const key = node.property.name;
  const origin = importOf(unit, node.object);
  let object: TSESTree.ObjectExpression | undefined;
  if (origin === 'local') object = constObject(unit, node.object.name);
  else if (origin) {
    const target = resolveImport(file, origin.source, exists);
    const other = target ? unitOf(target) : undefined;
    object = other ? constObject(other, origin.name) : undefined;
  }
  if (!object) return undefined;
  let value: string | undefined;
  for (const entry of entriesOf(object)) if (entry.key === key) value = stringOf(entry.value);
  return value;
}

/** The object literal a top-level `const name = { ... }` (exported or not) of a file holds. */
function constObject(unit: FileUnit, name: string): TSESTree.ObjectExpression | undefined {
  for (const statement of unit.ast.body) {
    const declaration = statement.type === T.ExportNamedDeclaration ? statement.declaration : statement;
    if (declaration?.type !== T.VariableDeclaration || declaration.kind !== 'const') continue;
    for (const declarator of declaration.declarations) {
      if (declarator.id.type === T.Identifier && declarator.id.name === name && declarator.init) return objectOf(declarator.init);
    }
  }
  return undefined;
}
