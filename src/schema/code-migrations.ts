/**
 * Migrations written as code around SQL text: db-migrate (`exports.up = (db, cb) => db.runSql(\`...\`)`),
 * TypeORM (`async up(queryRunner) { await queryRunner.query(\`...\`) }`), node-pg-migrate
 * (`pgm.sql(...)`), Knex (`knex.raw(...)`), Kysely (`sql\`...\`.execute(db)`). The SQL of the `up`
 * direction is what the schema is made of; it is read as data (the file is parsed, never run) and
 * laid out at its own lines, so the migration fold's locations point into the `.js`/`.ts` file.
 */
import { extname } from 'node:path';
import { parseUnit } from '../project/modules.js';
import { T, walk, type Node } from '../core/ast.js';
import type { TSESTree } from '@typescript-eslint/types';

/** `1700000000000-Init.ts`, `20141020151056-initial-schema.js`, `0001_orgs.cjs`: ordered by a number. */
export const CODE_MIGRATION = /^\d{3}[^/]*\.(?:[cm]?js|ts)$/i;

/** Methods that send their first argument as SQL. */
const SQL_CALLS = new Set(['runSql', 'query', 'raw', 'sql', 'unsafe', 'execute', 'exec', 'none', 'any', 'many', 'multi', 'executeQuery']);

/** Schema builders taking a callback (Knex `createTable('t', (table) => ...)`): such a file is read by the TypeScript schema readers instead. */
const BUILDER_METHODS = new Set(['createTable', 'alterTable', 'createTableIfNotExists', 'table']);

export interface CodeMigrationSql {
  /** The SQL of the `up` direction, every statement at the line and column of its literal, `;`-separated. */
  text: string;
  /** Literals left out: their text depends on a value the file computes (`${name}` in an identifier). */
  skipped: number;
}

/**
 * What earlier calls answered, by the file's extension (which decides how it parses) and its text, the
 * only inputs: a monorepo's root project and the package that holds the migrations read the same files
 * (docmost: 48 Kysely migrations parsed twice per ESLint run and per scan, 0.4 s). Bounded by the
 * characters held, oldest dropped first.
 */
const answered = new Map<string, { sql: CodeMigrationSql | undefined; chars: number }>();
let answeredChars = 0;
const ANSWERED_CHARS = 8_000_000;

/** Undefined when the file is not a migration of SQL text (a schema-builder migration, or no SQL at all). */
export function sqlOfCodeMigration(file: string, source: string): CodeMigrationSql | undefined {
  const key = `${extname(file)}\0${source}`;
  const known = answered.get(key);
  if (known) return known.sql;
  const sql = readCodeMigration(file, source);
  const chars = key.length + (sql?.text.length ?? 0);
  if (chars > ANSWERED_CHARS) return sql;
  answered.set(key, { sql, chars });
  answeredChars += chars;
  for (const [oldest, entry] of answered) {
    if (answeredChars <= ANSWERED_CHARS) break;
    answered.delete(oldest);
    answeredChars -= entry.chars;
  }
  return sql;
}

function readCodeMigration(file: string, source: string): CodeMigrationSql | undefined {
  let unit;
  try {
    unit = parseUnit(file, source);
  } catch {
    return undefined;
  }
  let builder = false;
  walk(unit.ast, (node) => {
    if (node.type === T.CallExpression && node.callee.type === T.MemberExpression && BUILDER_METHODS.has(keyName(node.callee.property) ?? '')) {
      builder ||= node.arguments.some((arg) => isFunction(arg));
    }
  });
  if (builder) return undefined;
  const consts = new Map<string, string>();
  walk(unit.ast, (node) => {
    if (node.type === T.VariableDeclarator && node.id.type === T.Identifier && node.init) {
      const value = constantText(node.init);
      if (value !== undefined) consts.set(node.id.name, value);
    }
  });
  const literals: { node: Node; sql: string }[] = [];
  let skipped = 0;
  for (const up of upFunctions(unit.ast)) {
    walk(up, (node) => {
      const created = createTableSql(node) ?? addColumnSql(node);
      if (created) literals.push(created);
      const literal = sqlArgument(node);
      if (!literal) return;
      const sql = literal.type === T.Literal ? String(literal.value) : templateText(literal, consts);
      if (sql === undefined) skipped++;
      else literals.push({ node: literal, sql });
    });
  }
  if (literals.length === 0) return undefined;
  literals.sort((a, b) => a.node.range[0] - b.node.range[0]);
  // Each SQL text at its literal's line and column: pad with the newlines and spaces in between.
  let text = '';
  let line = 1;
  let column = 0;
  for (const { node, sql } of literals) {
    const start = node.loc.start;
    if (start.line < line || (start.line === line && start.column + 1 < column)) continue; // nested in an earlier one
    text += '\n'.repeat(start.line - line);
    if (start.line > line) column = 0;
    text += ' '.repeat(Math.max(0, start.column + 1 - column));
    text += `${sql};`;
    const lines = sql.split('\n');
    line = start.line + lines.length - 1;
    column = lines.length > 1 ? (lines[lines.length - 1]?.length ?? 0) + 1 : start.column + 1 + sql.length + 1;
  }
  return { text, skipped };
}

/** db-migrate column types, as PostgreSQL. */
const DB_MIGRATE_TYPES: Record<string, string> = {
  string: 'varchar', char: 'char', text: 'text', int: 'integer', integer: 'integer', smallint: 'smallint', bigint: 'bigint',
  serial: 'serial', bigserial: 'bigserial', real: 'real', decimal: 'numeric', numeric: 'numeric', boolean: 'boolean',
  date: 'date', datetime: 'timestamp', timestamp: 'timestamp', time: 'time', json: 'json', jsonb: 'jsonb', uuid: 'uuid', blob: 'bytea', binary: 'bytea',
};

/**
 * db-migrate's `db.createTable('projects', { id: { type: 'string', primaryKey: true, notNull: true } })`
 * (also `createTable.bind(db, 'projects', {...})`), as the CREATE TABLE it runs, on one line.
 */
function createTableSql(node: Node): { node: Node; sql: string } | undefined {
  if (node.type !== T.CallExpression || node.callee.type !== T.MemberExpression) return undefined;
  const method = keyName(node.callee.property);
  let args = node.arguments;
  if (method === 'bind' && node.callee.object.type === T.MemberExpression && keyName(node.callee.object.property) === 'createTable') args = args.slice(1);
  else if (method !== 'createTable') return undefined;
  const [name, spec] = args;
  if (name?.type !== T.Literal || typeof name.value !== 'string' || spec?.type !== T.ObjectExpression) return undefined;
  const ident = (text: string) => `"${text.replace(/"/g, '""')}"`;
  const columns: string[] = [];
  const columnsOf = spec.properties.some((p) => p.type === T.Property && keyName(p.key) === 'columns' && p.value.type === T.ObjectExpression)
    ? (spec.properties.find((p) => p.type === T.Property && keyName(p.key) === 'columns') as TSESTree.Property).value
    : spec;
  if (columnsOf.type !== T.ObjectExpression) return undefined;
  for (const property of columnsOf.properties) {
    if (property.type !== T.Property) continue;
    const column = keyName(property.key);
    if (!column) continue;
    columns.push(columnSql(column, property.value));
  }
  return columns.length ? { node, sql: `CREATE TABLE IF NOT EXISTS ${ident(name.value)} (${columns.join(', ')})` } : undefined;
}

/** One db-migrate column spec (`{ type: 'string', notNull: true, foreignKey: {...} }`, or the type alone) as SQL. */
function columnSql(column: string, value: Node): string {
  const ident = (text: string) => `"${text.replace(/"/g, '""')}"`;
  const option = (key: string): Node | undefined => (value.type === T.ObjectExpression ? value.properties.find((p): p is TSESTree.Property => p.type === T.Property && keyName(p.key) === key)?.value : undefined);
  const type = value.type === T.Literal ? value : option('type');
  const typeName = type?.type === T.Literal && typeof type.value === 'string' ? type.value.toLowerCase() : 'text';
  let sql = `${ident(column)} ${DB_MIGRATE_TYPES[typeName] ?? 'text'}`;
  const flag = (key: string) => option(key)?.type === T.Literal && (option(key) as TSESTree.Literal).value === true;
  if (flag('primaryKey')) sql += ' PRIMARY KEY';
  if (flag('notNull')) sql += ' NOT NULL';
  if (flag('unique')) sql += ' UNIQUE';
  const foreign = option('foreignKey');
  if (foreign?.type === T.ObjectExpression) {
    const get = (key: string) => foreign.properties.find((p): p is TSESTree.Property => p.type === T.Property && keyName(p.key) === key)?.value;
    const table = get('table');
    const mapping = get('mapping');
    const target = mapping?.type === T.Literal && typeof mapping.value === 'string' ? mapping.value : undefined;
    if (table?.type === T.Literal && typeof table.value === 'string') sql += ` REFERENCES ${ident(table.value)}${target ? ` (${ident(target)})` : ''}`;
  }
  return sql;
}

/**
 * db-migrate's `db.addColumn('features', 'project', { type: 'string', defaultValue: 'default' })`, as
 * the ALTER TABLE it runs (unleash adds `features.project` so: without it the table looked like it
 * held no tenant key at all).
 */
function addColumnSql(node: Node): { node: Node; sql: string } | undefined {
  if (node.type !== T.CallExpression || node.callee.type !== T.MemberExpression || keyName(node.callee.property) !== 'addColumn') return undefined;
  const [table, column, spec] = node.arguments;
  if (table?.type !== T.Literal || typeof table.value !== 'string' || column?.type !== T.Literal || typeof column.value !== 'string' || !spec) return undefined;
  if (spec.type !== T.ObjectExpression && spec.type !== T.Literal) return undefined;
  return { node, sql: `ALTER TABLE "${table.value.replace(/"/g, '""')}" ADD COLUMN ${columnSql(column.value, spec)}` };
}

/** The bodies of the `up` direction: `exports.up = ...`, `export async function up`, a class method or object property `up`. */
function upFunctions(ast: TSESTree.Program): Node[] {
  const out: Node[] = [];
  walk(ast, (node) => {
    if (node.type === T.FunctionDeclaration && node.id?.name === 'up') out.push(node.body);
    else if (node.type === T.MethodDefinition && keyName(node.key) === 'up') out.push(node.value);
    else if (node.type === T.Property && keyName(node.key) === 'up' && isFunction(node.value)) out.push(node.value);
    else if (node.type === T.AssignmentExpression && node.left.type === T.MemberExpression && keyName(node.left.property) === 'up' && isFunction(node.right)) out.push(node.right);
  });
  return out;
}

function isFunction(node: Node): boolean {
  return node.type === T.FunctionExpression || node.type === T.ArrowFunctionExpression;
}

function keyName(node: Node): string | undefined {
  return node.type === T.Identifier ? node.name : node.type === T.Literal && typeof node.value === 'string' ? node.value : undefined;
}

/** The SQL literal a call sends (`db.runSql(\`...\`)`, `queryRunner.query('...')`), or a tagged template (`sql\`...\``). */
function sqlArgument(node: Node): TSESTree.Literal | TSESTree.TemplateLiteral | undefined {
  if (node.type === T.TaggedTemplateExpression) {
    const tag = node.tag.type === T.MemberExpression ? keyName(node.tag.property) : node.tag.type === T.Identifier ? node.tag.name : undefined;
    return tag === 'sql' ? node.quasi : undefined;
  }
  if (node.type !== T.CallExpression) return undefined;
  const callee = node.callee;
  const name = callee.type === T.MemberExpression ? keyName(callee.property) : callee.type === T.Identifier ? callee.name : undefined;
  if (!name || !SQL_CALLS.has(name)) return undefined;
  const first = node.arguments[0];
  if (first?.type === T.TemplateLiteral) return first;
  return first?.type === T.Literal && typeof first.value === 'string' ? first : undefined;
}

/** A string the file spells out: a literal, or a template without substitutions. */
function constantText(node: Node): string | undefined {
  if (node.type === T.Literal && typeof node.value === 'string') return node.value;
  if (node.type === T.TemplateLiteral && node.expressions.length === 0) return node.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

/**
 * A template's SQL: a substitution by a constant of the file is its text; any other inside a
 * quoted SQL string is a value (`'${strategy.name}'`) and becomes a placeholder; one anywhere else
 * (a table name, a clause) makes the text unknown.
 */
function templateText(node: TSESTree.TemplateLiteral, consts: Map<string, string>): string | undefined {
  let text = node.quasis[0]?.value.cooked ?? '';
  for (let i = 0; i < node.expressions.length; i++) {
    const expression = node.expressions[i];
    const known = expression?.type === T.Identifier ? consts.get(expression.name) : expression ? constantText(expression) : undefined;
    if (known !== undefined) text += known;
    else if (insideQuotes(text)) text += 'x';
    else return undefined;
    text += node.quasis[i + 1]?.value.cooked ?? '';
  }
  return text;
}

function insideQuotes(text: string): boolean {
  let inside = false;
  for (const char of text) if (char === "'") inside = !inside;
  return inside;
}
