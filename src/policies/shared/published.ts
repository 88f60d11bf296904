import { T, type Node } from '../../core/ast.js';
import type { QuerySite } from '../../core/query-site.js';
import type { Table } from '../../core/schema.js';

/**
 * Words of a column or a value that say a row is published to everyone: `visibility = 'public'`,
 * `allow_preview = true`, `isPublic: true`, `published: true`.
 */
const PUBLISHING_VALUE = /^(public|published|listed)$/i;
/**
 * Not `shared`/`share`: a row shared with the tenant's team (`isShared: true`) is shown to that team, not to
 * everyone, and a read of every tenant's shared rows is a leak.
 */
const PUBLISHING_COLUMN = /(^|_|[a-z])(public|published|publish|preview)(_|[A-Z]|$)|^(public|published|preview)/i;
/**
 * A column whose value says who may see the row (`visibility`, `privacy`, `access_level`, `sharing`): a
 * value pinned on any other column (`state: 'PUBLISHED'`, a post sent to a network) publishes nothing here.
 */
const AUDIENCE_COLUMN = /visib|privacy|access|audience|shar|public|publish/i;

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
    if (PUBLISHING_VALUE.test(value) && value !== text.trim() && AUDIENCE_COLUMN.test(name)) return `\`${column}\` = '${value}'`;
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

/**
 * `if (!(widget && widget.public)) throw ...`, `if (!share || !share.public) return`, `if (board.visibility !==
 * 'public') throw`: right after the read, the row is let through only when its publication flag holds
 * (openpanel's share widgets, widget.ts:121/144/188). A test of anything else (`widget.options.type`), or a
 * flag compared with another value, does not count; the caller checks that the branch exits and that nothing
 * used the row before.
 */
export function publishedTest(test: Node, row: string, table: Table): boolean {
  const disjuncts: Node[] = [];
  const split = (node: Node): void => {
    if (node.type === T.LogicalExpression && node.operator === '||') {
      split(node.left);
      split(node.right);
    } else disjuncts.push(node);
  };
  split(test);
  let flag = false;
  for (const part of disjuncts) {
    if (part.type === T.UnaryExpression && part.operator === '!') {
      const inner = part.argument;
      if (inner.type === T.Identifier && inner.name === row) continue;
      if (flagRead(inner, row, table)) {
        flag = true;
        continue;
      }
      // `!(row && row.public)`
      if (inner.type === T.LogicalExpression && inner.operator === '&&' && inner.left.type === T.Identifier && inner.left.name === row && flagRead(inner.right, row, table)) {
        flag = true;
        continue;
      }
      return false;
    }
    // `row.visibility !== 'public'`
    if (part.type === T.BinaryExpression && (part.operator === '!==' || part.operator === '!=')) {
      const [a, b] = [part.left, part.right];
      const literal = b.type === T.Literal ? b : a.type === T.Literal ? a : undefined;
      const read = literal === b ? a : b;
      if (literal && typeof literal.value === 'string' && PUBLISHING_VALUE.test(literal.value) && AUDIENCE_COLUMN.test(rowColumn(read, row, table) ?? '')) {
        flag = true;
        continue;
      }
    }
    return false;
  }
  return flag;
}

/** `row.public`, `row?.allowPreview`: a publishing flag column of the table read from the row. */
function flagRead(node: Node, row: string, table: Table): boolean {
  const name = rowColumn(node, row, table);
  return name !== undefined && PUBLISHING_COLUMN.test(name);
}

function rowColumn(node: Node, row: string, table: Table): string | undefined {
  const read = node.type === T.ChainExpression ? node.expression : node;
  if (read.type !== T.MemberExpression || read.computed || read.object.type !== T.Identifier || read.object.name !== row || read.property.type !== T.Identifier) return undefined;
  return columnOf(table, read.property.name);
}
