import type { RawFinding } from '../../core/check-output.js';
import type { QuerySite } from '../../core/query-site.js';
import type { Column, Table } from '../../core/schema.js';
import type { PathVerdict } from '../shared/paths.js';

/**
 * `@Public() @Query() getInviteInfo(@Args('inviteId') inviteId)` reading `workspaceUserPermission.findUnique({
 * where: { id: inviteId } })` (AFFiNE's workspace.ts:466, `id String @id @default(uuid())`): a route that
 * declares itself open to callers who are not signed in has no tenant to filter by, and a read pinned to
 * a value the schema generates at random returns only the row of whoever was handed that value (an
 * invitation link, a share token). Intentional cross-tenant access by an unguessable key: a warning that
 * says so, not an error. Only when every unchecked path is such a route and the filter pins a generated
 * column; a plain key (`slug`, an autoincrement id), a write, or a route behind sign-in stays as it was.
 * `columns`: the columns the filter compares with a value.
 */
export function publicTokenLookup(site: QuerySite, paths: PathVerdict | undefined, finding: RawFinding, columns: string[]): RawFinding {
  if (finding.informational || finding.mild || site.operation !== 'read' || site.predicate.kind !== 'unscoped') return finding;
  const open = paths?.publicEntries;
  if (!paths || !open?.length || paths.unguarded.length === 0 || paths.cut.length > 0) return finding;
  if (!paths.unguarded.every((path) => open.some((entry) => entry.path === path))) return finding;
  const random = columns.map((name) => ({ name, column: columnOf(site.table, name) })).find(({ column }) => column?.generated || column?.randomSecret);
  if (!random) return finding;
  const declarations = [...new Set(open.map((entry) => `\`${entry.declaration}\``))].join(', ');
  finding.mild = true;
  finding.evidence += ` The route${open.length > 1 ? 's' : ''} declare${open.length > 1 ? '' : 's'} ${open.length > 1 ? 'themselves' : 'itself'} open to callers who are not signed in (${declarations}), so there is no tenant to filter by, and the filter pins \`${random.name}\`, a value the schema generates at random: only whoever was handed it (an invitation, a share link) finds the row. This is intentional cross-tenant access by an unguessable key; check that the value is never listed to other tenants and that the route returns no more than its holder should see.`;
  return finding;
}

/** The table's column by its code or database name (`id`, `t.share_token`). */
function columnOf(table: Table, name: string): Column | undefined {
  const bare = name.slice(name.lastIndexOf('.') + 1);
  const direct = table.columns.get(bare);
  if (direct) return direct;
  for (const column of table.columns.values()) if (column.dbName === bare) return column;
  return undefined;
}
