import type { FileUnit } from '../../src/core/ast.js';
import type { Column, Relation } from '../../src/core/schema.js';
import { parseUnit } from '../../src/project/modules.js';
import type { RawTable } from '../../src/schema/raw.js';

/** Parses an inline snippet as a project file (nothing is executed). */
export function unitOf(text: string, file = '/project/src/db/schema.ts'): FileUnit {
  return parseUnit(file, text);
}

export function tableNamed(tables: RawTable[], name: string): RawTable {
  const found = tables.find((t) => t.name === name);
  if (!found) throw new Error(`no table ${name}; tables: ${tables.map((t) => t.name).join(', ')}`);
  return found;
}

export function column(table: RawTable, key: string): Column {
  const found = table.columns.get(key);
  if (!found) throw new Error(`no column ${key} in ${table.name}; columns: ${[...table.columns.keys()].join(', ')}`);
  return found;
}

export function relation(table: RawTable, name: string): Relation {
  const found = table.relations.get(name);
  if (!found) throw new Error(`no relation ${name} in ${table.name}; relations: ${[...table.relations.keys()].join(', ')}`);
  return found;
}

/** `{ key: nullable }` for every column: the shape most tests compare. */
export function nullability(table: RawTable): Record<string, boolean> {
  return Object.fromEntries([...table.columns.values()].map((c) => [c.name, c.nullable]));
}

/** `{ key: dbName }` for every column. */
export function dbNames(table: RawTable): Record<string, string> {
  return Object.fromEntries([...table.columns.values()].map((c) => [c.name, c.dbName]));
}
