import { expect } from 'vitest';
import type { SchemaDiagnostic } from '../../src/core/schema.js';
import type { RawTable } from '../../src/schema/raw.js';
import { SchemaFold } from '../../src/sql/fold.js';
import { parseSqlFile } from '../../src/sql/parse.js';
import type { SqlStatement } from '../../src/sql/statements.js';

/** A migration per string, applied in order as `migrations/0001.sql`, `migrations/0002.sql`, ... */
function fold(sql: string | string[]): { tables: Map<string, RawTable>; diagnostics: SchemaDiagnostic[] } {
  const migrations = Array.isArray(sql) ? sql : [sql];
  const state = new SchemaFold();
  const diagnostics: SchemaDiagnostic[] = [];
  migrations.forEach((text, i) => {
    const parsed = parseSqlFile(text, migrationFile(i));
    diagnostics.push(...parsed.diagnostics);
    for (const statement of parsed.statements) state.apply(statement);
  });
  diagnostics.push(...state.diagnostics);
  return { tables: new Map(state.result().map((t) => [t.name, t])), diagnostics };
}

export function migrationFile(index: number): string {
  return `migrations/${String(index + 1).padStart(4, '0')}.sql`;
}

/** The tables the migrations leave behind; fails the test on any diagnostic. */
export function expectTables(sql: string | string[]): Map<string, RawTable> {
  const { tables, diagnostics } = fold(sql);
  expect(diagnostics).toEqual([]);
  return tables;
}

/** The diagnostics of the migrations, and the tables they still produce. */
export function expectDiagnostics(sql: string | string[]): { diagnostics: SchemaDiagnostic[]; tables: Map<string, RawTable> } {
  const { tables, diagnostics } = fold(sql);
  expect(diagnostics.length).toBeGreaterThan(0);
  return { diagnostics, tables };
}

/** One table, or a failure that names the tables there are. */
export function table(tables: Map<string, RawTable>, name: string): RawTable {
  const found = tables.get(name);
  if (!found) throw new Error(`no table ${name}; tables: ${[...tables.keys()].join(', ')}`);
  return found;
}

/** The only statement of `sql`, parsed. */
export function statementOf(sql: string): SqlStatement {
  const parsed = parseSqlFile(sql, 'm.sql');
  expect(parsed.diagnostics).toEqual([]);
  expect(parsed.statements).toHaveLength(1);
  return parsed.statements[0];
}

/** `{ column: nullable }` of a table. */
export function nullability(t: RawTable): Record<string, boolean> {
  return Object.fromEntries([...t.columns.values()].map((c) => [c.name, c.nullable]));
}
