import type { QuerySite } from '../../core/query-site.js';
import type { RlsState, Table } from '../../core/schema.js';

/*
 * What the migrations' row-level security says of a table, for a client RLS applies to (a
 * supabase-js client without the service-role key): shared by require-tenant-filter (a query
 * without a tenant filter) and no-client-tenant-id (a tenant filter whose value the client chose).
 */

/** Column name in the database, for SQL wording. */
export function dbColumn(table: Table, field: string): string {
  return table.columns.get(field)?.dbName ?? field;
}

/**
 * For a client row-level security applies to, the policies that let rows of other tenants through
 * for this operation; empty when the table isolates. Permissive policies of a command are OR-ed:
 * each must compare the tenant column (for a child table, its key to the parent), pin the row to
 * the signed-in user (`user_id = auth.uid()`, narrower than the tenant), or match a key against an
 * access list the session alone computes (`id = ANY(readable_ids())`), unless a restrictive one
 * does. A SELECT policy gated by a flag of the row (`sharing <> 'private'`, `is_public`) publishes
 * those rows by the schema's own decision: not a leak of the query. With RLS on and no policy for
 * the command, the database returns no rows to such a client.
 */
export function rlsOpenings(table: Table, operation: QuerySite['operation']): RlsState['policies'] | undefined {
  const rls = table.rls;
  if (!rls?.enabled) return undefined;
  const command = operation === 'read' ? 'select' : operation;
  const applicable = rls.policies.filter((p) => p.command === undefined || p.command === 'all' || p.command === command);
  const columns = rlsColumns(table);
  const isolates = (p: RlsState['policies'][number]) => p.columns.some((c) => columns.has(c)) || (p.userColumns?.length ?? 0) > 0 || (p.accessListColumns?.length ?? 0) > 0;
  if (applicable.some((p) => p.permissive === false && isolates(p))) return [];
  const publishes = (p: RlsState['policies'][number]) => command === 'select' && p.command === 'select' && (p.flagColumns?.length ?? 0) > 0;
  return applicable.filter((p) => p.permissive !== false && !isolates(p) && !publishes(p));
}

export function rlsIsolates(table: Table, operation: QuerySite['operation']): boolean {
  return rlsOpenings(table, operation)?.length === 0;
}

export function rlsColumns(table: Table): Set<string> {
  const fields = table.class === 'child' ? table.parentRelations.flatMap((name) => table.relations.get(name)?.fields ?? []) : table.tenantKeys;
  return new Set(fields.map((k) => dbColumn(table, k)));
}
