import { sessionFieldOf } from '../../core/tenant-values.js';
import type { AnalysisContext, QuerySite } from '../../core/query-site.js';
import type { TenantSchema } from '../../core/schema.js';

/**
 * The session's own key of a tenant-scoped row: a filter by a foreign key to a table of tenant data,
 * compared with the field of the verified session that holds that very key (`team_member_id =
 * req.user.team_member_id`, `{ memberId: ctx.session.user.memberId }`, or a local read of one).
 * Only the caller's own rows in the caller's own tenant match (worklenz judged F076: `DELETE FROM
 * task_comment_reactions WHERE comment_id = $1 AND team_member_id = $2` with the session's member).
 * A request value (`req.body.team_member_id`) is the client's choice and does not count, nor does a
 * session field of another name (`project_id = req.user.team_id`), nor a local `user` whose origin is
 * not the session.
 */
export function bySessionKey(site: QuerySite, context: AnalysisContext): boolean {
  if (site.operation === 'insert' || !site.whereKeys) return false;
  for (const [key, value] of Object.entries(site.whereKeys)) {
    const field = sessionFieldOf(value, site.call, context.unit);
    if (!field || !sameName(field, key, site)) continue;
    if (referencesTenantRow(site, key, context.schema)) return true;
  }
  return false;
}

/** The session field names the filter's column (`team_member_id`, `teamMemberId`, the column's database name). */
function sameName(field: string, key: string, site: QuerySite): boolean {
  const flat = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const names = [key, site.table.columns.get(key)?.dbName ?? key].map(flat);
  return names.includes(flat(field));
}

/** `key` is the whole of a declared foreign key to a table of tenant data (or the tenant root). */
function referencesTenantRow(site: QuerySite, key: string, schema: TenantSchema): boolean {
  const dbName = site.table.columns.get(key)?.dbName;
  for (const relation of site.table.relations.values()) {
    if (relation.undeclared || relation.fields.length !== 1) continue;
    const field = relation.fields[0]!;
    if (field !== key && (dbName === undefined || site.table.columns.get(field)?.dbName !== dbName)) continue;
    const target = schema.tables.get(relation.target);
    if (target && (target.class === 'tenant' || target.class === 'child' || target.name === schema.root)) return true;
  }
  return false;
}
