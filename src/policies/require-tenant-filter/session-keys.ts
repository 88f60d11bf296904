import type { TSESTree } from '@typescript-eslint/types';
import { findByName, T, textOf, unwrap, type Node } from '../../core/ast.js';
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
    const field = sessionField(value, site, context);
    if (!field || !sameName(field, key, site)) continue;
    if (referencesTenantRow(site, key, context.schema)) return true;
  }
  return false;
}

/** The verified session objects: `req.user`, `ctx.state.user`, `ctx.session.user`, `session`, `session.user`. */
const SESSION_OBJECT = /^(?:(?:req|request|ctx|context)\.(?:state\.)?(?:user|session|session\.user)|session|session\.user)$/;
/** What the client sends, never the session, whatever follows. */
const REQUEST_PART = /(^|\.)(body|query|params|headers|cookies|input|args)(\.|$)/;

function normalised(text: string): string {
  return text.replace(/\s+/g, '').replace(/[?!]\./g, '.');
}

/** `req.user.team_member_id` -> `team_member_id`. */
function sessionMember(text: string): string | undefined {
  const flat = normalised(text);
  if (REQUEST_PART.test(flat)) return undefined;
  const at = flat.lastIndexOf('.');
  if (at < 0) return undefined;
  const field = flat.slice(at + 1);
  return SESSION_OBJECT.test(flat.slice(0, at)) && /^[A-Za-z_$][\w$]*$/.test(field) ? field : undefined;
}

/**
 * The session field a filter value holds: read in place (`req.user?.team_member_id`), or a local
 * bound once to one (`const memberId = req.user.team_member_id`, `const { team_member_id } = req.user`).
 */
function sessionField(value: string, site: QuerySite, context: AnalysisContext): string | undefined {
  const direct = sessionMember(value);
  if (direct) return direct;
  const name = normalised(value);
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return undefined;
  const variable = findByName(context.unit.scopeManager, site.call, name);
  const def = variable?.defs.length === 1 ? variable.defs[0] : undefined;
  if (!variable || def?.type !== 'Variable' || def.node.type !== T.VariableDeclarator || !def.node.init) return undefined;
  // Bound once: a later assignment could hold anything.
  if (variable.references.some((ref) => ref.isWrite() && !ref.init)) return undefined;
  const init = unwrap(def.node.init);
  if (def.node.id.type === T.Identifier) {
    return init.type === T.MemberExpression ? sessionMember(textOf(context.unit, init)) : undefined;
  }
  if (def.node.id.type !== T.ObjectPattern || !SESSION_OBJECT.test(normalised(textOf(context.unit, init)))) return undefined;
  return patternKey(def.node.id, def.name);
}

/** The key a destructuring reads into `name` (`{ team_member_id }`, `{ team_member_id: memberId }`). */
function patternKey(pattern: TSESTree.ObjectPattern, name: TSESTree.Identifier): string | undefined {
  for (const property of pattern.properties) {
    if (property.type !== T.Property || property.computed) continue;
    const target: Node = property.value.type === T.AssignmentPattern ? property.value.left : property.value;
    if (target !== name) continue;
    return property.key.type === T.Identifier ? property.key.name : property.key.type === T.Literal ? String(property.key.value) : undefined;
  }
  return undefined;
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
