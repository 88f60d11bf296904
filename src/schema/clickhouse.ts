import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Column, SchemaDiagnostic } from '../core/schema.js';
import type { RawTable, SchemaReadResult } from './raw.js';
import { migrationPathReason } from './sql-migrations.js';

/**
 * ClickHouse DDL as schema: `CREATE TABLE [db.]name (col Type, ...) ENGINE = MergeTree ORDER BY (...)`.
 * ClickHouse is a database of its own beside the application's PostgreSQL (umami keeps its events
 * in both, under the same table names): its tables are read into the TenantSchema marked
 * `database: 'clickhouse'`, never merged with a PostgreSQL table of the same name, and queries sent
 * through a ClickHouse client are read against them alone. A column is NOT NULL unless its type is
 * `Nullable(T)` (ClickHouse stores a default for a missing value); the sorting key (`ORDER BY`, or
 * `PRIMARY KEY` when given) is the table's index. No foreign keys exist in ClickHouse: a table
 * joins the tenant hierarchy when a NOT NULL column is named and typed like the key other tables
 * declare (`website_event.website_id` like `session.website_id -> website`), as the inference does
 * for any table without declared keys.
 */

function toPosix(path: string): string {
  return path.split('\\').join('/');
}

/**
 * A file of ClickHouse DDL: a ClickHouse table engine clause (the MergeTree family, Distributed, Log,
 * Kafka...). MySQL has `ENGINE=InnoDB` too: a MySQL table pasted into PostgreSQL migrations is not
 * ClickHouse (fixtures/sql-migrations).
 */
export const CLICKHOUSE_DDL = /\bENGINE\s*=\s*(?:\w*MergeTree|Distributed|Log|TinyLog|StripeLog|Kafka|Buffer|Dictionary|MaterializedView)\b/i;

/** Whether a `.sql` file is ClickHouse's, by its text or its folder (`db/clickhouse/...`). */
export function isClickHouseSql(projectFile: string, text: string): boolean {
  return CLICKHOUSE_DDL.test(text) || /(^|\/)clickhouse(\/|$)/i.test(toPosix(projectFile));
}

/**
 * The DDL files to read: the schema files (`db/clickhouse/schema.sql`), which describe the tables as
 * they are; the migrations, folded in order, only where no schema file exists.
 */
export function clickhouseSchemaFiles(root: string, files: string[]): string[] {
  const rel = (file: string) => toPosix(relative(root, file));
  const schema = files.filter((file) => migrationPathReason(rel(file)) === undefined);
  return schema.length ? schema : files;
}

interface Statement {
  text: string;
  /** Offset of the statement in its file. */
  start: number;
}

/** Statements split at `;` outside quotes and comments; comments blanked (same length). */
function statementsOf(text: string): Statement[] {
  const out: Statement[] = [];
  let bare = '';
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const piece = bare.slice(start, end);
    if (piece.trim()) out.push({ text: piece, start });
    start = end + 1;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      bare += ' '.repeat(stop - i);
      i = stop;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      bare += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== "'") j += text[j] === '\\' ? 2 : 1;
      bare += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    bare += c;
    if (c === ';') push(i);
    i++;
  }
  push(bare.length);
  return out;
}

/** `umami.website_event`, `"event_data"`, `` `t` ``: the table name without its database. */
function bareName(name: string): string {
  return name.replace(/[`"]/g, '').replace(/^.*\./, '');
}

/** Splits at top-level commas. */
function topLevel(list: string): { text: string; offset: number }[] {
  const parts: { text: string; offset: number }[] = [];
  let depth = 0;
  let from = 0;
  let quote = false;
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (c === "'") quote = !quote;
    if (quote) continue;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push({ text: list.slice(from, i), offset: from });
      from = i + 1;
    }
  }
  parts.push({ text: list.slice(from), offset: from });
  return parts.filter((p) => p.text.trim());
}

/** The matching `)` of the `(` at `open`. */
function closing(text: string, open: number): number {
  let depth = 0;
  let quote = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") quote = !quote;
    if (quote) continue;
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** A column type: its text up to a column clause (`DEFAULT`, `CODEC`, `TTL`, `COMMENT`...). */
function columnType(rest: string): string {
  let depth = 0;
  let end = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && /\s/.test(c) && /^\s+(DEFAULT|MATERIALIZED|ALIAS|EPHEMERAL|CODEC|TTL|COMMENT|AFTER|FIRST|SETTINGS|NOT\s+NULL|NULL)\b/i.test(rest.slice(i))) {
      end = i;
      break;
    }
  }
  return rest.slice(0, end).trim();
}

/** `Nullable(T)`, `LowCardinality(Nullable(T))`, or `T NULL`. */
function isNullable(type: string, rest: string): boolean {
  return /^(LowCardinality\s*\(\s*)?Nullable\s*\(/i.test(type) || (/\bNULL\b/i.test(rest.slice(type.length)) && !/\bNOT\s+NULL\b/i.test(rest.slice(type.length)));
}

/** The base type a column stores: `LowCardinality(String)` is a String, `Nullable(UUID)` a UUID. */
function storedType(type: string): string {
  const wrapper = /^(LowCardinality|Nullable|SimpleAggregateFunction\s*\(\s*\w+\s*,)\s*\(?/i.exec(type);
  if (!wrapper) return type;
  const inner = type.slice(wrapper[0].length).replace(/\)\s*$/, '');
  return storedType(inner.trim());
}

/** Columns of a sorting key: `(toStartOfHour(created_at), website_id, ...)` names created_at, then website_id. */
function keyColumns(expression: string, columns: Map<string, Column>): string[] {
  const inner = expression.trim().replace(/^\(([\s\S]*)\)$/, '$1');
  const names: string[] = [];
  for (const part of topLevel(inner)) {
    // An expression of one column keeps that column's place (`toStartOfHour(created_at)`).
    const used = [...part.text.matchAll(/[A-Za-z_]\w*/g)].map((m) => m[0]).filter((word) => columns.has(word));
    const name = used.length === 1 ? used[0]! : undefined;
    if (!name) {
      names.push(part.text.trim());
      continue;
    }
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** The clause after `keyword` in a table's tail, up to the next clause. */
function clause(tail: string, keyword: RegExp): string | undefined {
  const match = keyword.exec(tail);
  if (!match) return undefined;
  const after = tail.slice(match.index + match[0].length);
  const stop = /\b(PARTITION\s+BY|ORDER\s+BY|PRIMARY\s+KEY|SAMPLE\s+BY|TTL|SETTINGS|COMMENT)\b/i.exec(after);
  return (stop ? after.slice(0, stop.index) : after).trim();
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/** Tables of ClickHouse DDL files, folded in order (CREATE, RENAME, DROP, ALTER ... ADD/DROP/RENAME COLUMN). */
export function readClickHouseDdl(root: string, files: string[]): SchemaReadResult {
  const texts: { file: string; text: string }[] = [];
  const diagnostics: SchemaDiagnostic[] = [];
  for (const path of files) {
    const file = toPosix(relative(root, path));
    try {
      texts.push({ file, text: readFileSync(path, 'utf8') });
    } catch (error) {
      diagnostics.push({ file, message: `cannot read ClickHouse DDL: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  const result = readClickHouseTexts(texts);
  return { ...result, diagnostics: [...diagnostics, ...result.diagnostics] };
}

/** Tables of ClickHouse DDL texts (`file`: the project-relative path its locations name), folded in order. */
export function readClickHouseTexts(texts: { file: string; text: string }[]): SchemaReadResult {
  const tables = new Map<string, RawTable>();
  const diagnostics: SchemaDiagnostic[] = [];
  const read: string[] = [];
  for (const { file, text } of texts) {
    read.push(file);
    for (const statement of statementsOf(text)) {
      const sql = statement.text;
      const create = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([`"\w.]+)(?:\s+ON\s+CLUSTER\s+[`"'\w{}.-]+)?\s*\(/i.exec(sql);
      if (create) {
        const open = create.index + create[0].length - 1;
        const close = closing(sql, open);
        if (close < 0) {
          diagnostics.push({ file, ...lineColumn(text, statement.start + create.index), message: 'a ClickHouse CREATE TABLE whose column list does not close' });
          continue;
        }
        const name = bareName(create[1]!);
        const columns = new Map<string, Column>();
        for (const part of topLevel(sql.slice(open + 1, close))) {
          const definition = part.text.trim();
          if (/^(INDEX|PROJECTION|CONSTRAINT)\b/i.test(definition)) continue;
          const column = /^([`"]?)(\w+)\1\s+([\s\S]+)$/.exec(definition);
          if (!column) continue;
          const type = columnType(column[3]!);
          const at = statement.start + open + 1 + part.offset + (part.text.length - part.text.trimStart().length);
          columns.set(column[2]!, {
            name: column[2]!,
            dbName: column[2]!,
            type: storedType(type),
            nullable: isNullable(type, column[3]!),
            isList: /^Array\s*\(/i.test(storedType(type)),
            location: { file, ...lineColumn(text, at) },
          });
        }
        const tail = sql.slice(close + 1);
        const order = clause(tail, /\bORDER\s+BY\b/i);
        const primary = clause(tail, /\bPRIMARY\s+KEY\b/i);
        const indexes = [primary, order].filter((k): k is string => k !== undefined && k !== '' && !/^tuple\s*\(\s*\)$/i.test(k)).map((k) => keyColumns(k, columns));
        tables.set(name, {
          name,
          dbName: name,
          columns,
          primaryKey: [],
          uniques: [],
          indexes,
          relations: new Map(),
          source: 'clickhouse',
          database: 'clickhouse',
          location: { file, ...lineColumn(text, statement.start + create.index + (sql.slice(create.index).length - sql.slice(create.index).trimStart().length)) },
        });
        continue;
      }
      const rename = /^\s*RENAME\s+TABLE\s+([\s\S]+)$/i.exec(sql);
      if (rename) {
        for (const pair of topLevel(rename[1]!)) {
          const names = /^\s*([`"\w.]+)\s+TO\s+([`"\w.]+)/i.exec(pair.text);
          if (!names) continue;
          const table = tables.get(bareName(names[1]!));
          tables.delete(bareName(names[1]!));
          if (table) tables.set(bareName(names[2]!), { ...table, name: bareName(names[2]!), dbName: bareName(names[2]!) });
        }
        continue;
      }
      const drop = /^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?([`"\w.]+)/i.exec(sql);
      if (drop) {
        tables.delete(bareName(drop[1]!));
        continue;
      }
      const alter = /^\s*ALTER\s+TABLE\s+([`"\w.]+)(?:\s+ON\s+CLUSTER\s+[`"'\w{}.-]+)?\s+([\s\S]+)$/i.exec(sql);
      const table = alter ? tables.get(bareName(alter[1]!)) : undefined;
      if (!alter || !table) continue;
      for (const action of topLevel(alter[2]!)) {
        const add = /^\s*ADD\s+COLUMN\s+(?:IF\s+NOT\s+EXISTS\s+)?([`"]?)(\w+)\1\s+([\s\S]+)$/i.exec(action.text);
        if (add) {
          const type = columnType(add[3]!);
          table.columns.set(add[2]!, { name: add[2]!, dbName: add[2]!, type: storedType(type), nullable: isNullable(type, add[3]!), isList: /^Array\s*\(/i.test(storedType(type)), location: { file, ...lineColumn(text, statement.start) } });
          continue;
        }
        const dropColumn = /^\s*DROP\s+COLUMN\s+(?:IF\s+EXISTS\s+)?([`"]?)(\w+)\1/i.exec(action.text);
        if (dropColumn) {
          table.columns.delete(dropColumn[2]!);
          continue;
        }
        const renameColumn = /^\s*RENAME\s+COLUMN\s+(?:IF\s+EXISTS\s+)?([`"]?)(\w+)\1\s+TO\s+([`"]?)(\w+)\3/i.exec(action.text);
        const column = renameColumn ? table.columns.get(renameColumn[2]!) : undefined;
        if (renameColumn && column) {
          table.columns.delete(renameColumn[2]!);
          table.columns.set(renameColumn[4]!, { ...column, name: renameColumn[4]!, dbName: renameColumn[4]! });
          table.indexes = table.indexes.map((index) => index.map((c) => (c === renameColumn[2] ? renameColumn[4]! : c)));
        }
      }
    }
  }
  return { tables: [...tables.values()], diagnostics, files: read };
}
