import { T, type Node } from '../../core/ast.js';
import type { QuerySite } from '../../core/query-site.js';
import type { Table } from '../../core/schema.js';

/**
 * Words of a column or a value that say a row is published to everyone: `visibility = 'public'`,
 * `allow_preview = true`, `isPublic: true`, `shareEnabled: true`, `published: true`.
 */
const PUBLISHING_VALUE = /^(public|published|shared|listed)$/i;
const PUBLISHING_COLUMN = /(^|_|[a-z])(public|published|publish|shared|share|preview)(_|[A-Z]|$)|^(public|published|shared|preview)/i;

/**
 * A read whose filter pins, in its conjunction, a column of the table to the literal that publishes the
 * row (kan's public board: `and(eq(boards.slug, slug), eq(boards.visibility, "public"))`; a preview
 * `eq('allow_preview', true)`; Prisma `where: { isPublic: true, id }`): it returns only rows a tenant chose
 * to show everyone, whoever asks. Returns the pin as text, for the evidence. A write is never such a
 * read (publishing a row does not let anyone change it), nor is a pin to any other value
 * (`visibility: 'private'`), nor one under an `OR` (whereKeys and equalities hold top-level conjuncts only).
 */
export function publishedRowsPin(site: QuerySite): string | undefined {
  if (site.operation !== 'read') return undefined;
  const pins: [string, string][] = Object.entries(site.whereKeys ?? {});
  for (const { column, value } of site.equalities ?? []) {
    const literal = literalText(value);
    if (literal !== undefined) pins.push([column, literal]);
  }
  for (const [column, text] of pins) {
    const name = columnOf(site.table, column);
    if (!name) continue;
    const value = text.trim().replace(/^(['"`])(.*)\1$/s, '$2');
    if (PUBLISHING_VALUE.test(value) && value !== text.trim()) return `\`${column}\` = '${value}'`;
    if (value === 'true' && PUBLISHING_COLUMN.test(name)) return `\`${column}\` = true`;
  }
  return undefined;
}

function literalText(value: Node): string | undefined {
  if (value.type === T.Literal && (typeof value.value === 'string' || typeof value.value === 'boolean')) return typeof value.value === 'string' ? `'${value.value}'` : String(value.value);
  return undefined;
}

/** The table's column named `column` in code or in the database, by its code name. */
function columnOf(table: Table, column: string): string | undefined {
  const bare = column.slice(column.lastIndexOf('.') + 1);
  if (table.columns.has(bare)) return bare;
  for (const c of table.columns.values()) if (c.dbName === bare) return c.name;
  return undefined;
}
