import type { TSESTree } from '@typescript-eslint/types';
import { propertyName, T, unwrap, type Node } from '../../../core/ast.js';
import type { QueryFacts } from '../../../core/facts.js';
import type { ClientTenantFlow as Flow } from '../flow.js';
import { isLiteral } from '../syntax.js';
import type { Frame, Origin, Pin } from '../types.js';
import { whereBuilder } from './delegated.js';

/**
 * Does the query's filter pin the verified user (`userId: req.user.id`, `members: { some: {
 * userId: session.userId } }`)? Then it returns only rows that user may see: a membership
 * condition. When the value is neither the verified identity nor client input (it comes from a
 * helper the analysis cannot read), the pin is `untraced`: not a finding, and not proof either.
 * The values are judged in the order they are written, and the first verified one decides.
 */
export function pinOf(flow: Flow, query: QueryFacts, frame: Frame): Pin {
  let untraced = false;
  for (const value of query.positions.principals) {
    if (isLiteral(value.node)) continue;
    const origin = flow.evaluate(value.node, { unit: value.unit, env: frame.env });
    if (origin.kind === 'trusted') return 'verified';
    if (origin.kind !== 'client') untraced = true;
  }
  return untraced ? 'untraced' : undefined;
}

/**
 * The tenant root (or a level of the tenant hierarchy) looked up by a client value
 * (`organization.findFirst({ where: { slug } })`): its row is the client's choice unless the
 * lookup pins the verified user (`members: { some: { userId } }`).
 */
export function tenantLookup(flow: Flow, query: QueryFacts, frame: Frame): Origin | undefined {
  const { schema } = flow.context;
  const { site, positions } = query;
  if (!schema.root) return undefined;
  if (site.operation !== 'read' || (site.table.name !== schema.root && !schema.levels.includes(site.table.name))) return undefined;
  // A lookup whose filter the model could not read (none, or built elsewhere) is not followed.
  if (!positions.readable) return undefined;
  const pin = pinOf(flow, query, frame);
  if (pin === 'verified') return { kind: 'trusted', why: `\`${site.calleeText}\` looks the tenant up with a membership condition on the verified user` };
  if (pin === 'untraced') return { kind: 'unknown', reason: `\`${site.calleeText}\` looks the tenant up for a user that could not be traced to the verified identity`, client: true };
  // `where: { ...buildTeamWhereQuery({ userId }), id: teamId }`: most likely a membership condition, not read.
  if (whereBuilder(flow, query, frame)) return { kind: 'unknown', reason: `\`${site.calleeText}\` looks the tenant up with a filter built by a helper given the verified user`, client: true };
  for (const value of positions.criteria) {
    const origin = flow.evaluate(value.node, { unit: value.unit, env: frame.env });
    if (origin.kind !== 'client') continue;
    const lookup = { table: site.table.name, callee: site.calleeText, at: `${flow.displayPath(frame.unit.file)}:${site.call.loc.start.line}`, rowPath: [] };
    return { kind: 'client', source: { ...origin.source, lookup } };
  }
  return undefined;
}

/**
 * `prisma.user.findUnique({ where: { id: session.user.id } })`, `db().select().from(users)
 * .where(eq(users.id, session.user.id))` (Cap's getCurrentUser): a read of a table that spans
 * tenants (the users', neither the tenant root nor tenant data) by one of its own unique keys,
 * equal to the verified identity, finds the verified user's own row, verified as the identity it
 * was found by. A key the client gives, a column that is not unique, or a table of tenant data
 * gives nothing.
 */
export function ownRow(flow: Flow, query: QueryFacts, frame: Frame): Origin | undefined {
  const { schema } = flow.context;
  const { site } = query;
  const table = site.table;
  if (site.operation !== 'read' || table.name === schema.root || table.class === 'tenant' || table.class === 'child') return undefined;
  const unique = new Set([...(table.primaryKey.length === 1 ? table.primaryKey : []), ...table.uniques.filter((u) => u.fields.length === 1).flatMap((u) => u.fields)]);
  const keyed: { value: Node; frame: Frame }[] = [];
  for (const { column, value } of site.equalities ?? []) if (unique.has(column)) keyed.push({ value, frame });
  if (site.whereObject) keyed.push(...keysIn(flow, site.whereObject, frame, unique));
  for (const { value, frame: at } of keyed) {
    if (isLiteral(value) || unwrap(value).type === T.ObjectExpression) continue;
    const origin = flow.evaluate(value, at);
    if (origin.kind === 'trusted') return { kind: 'trusted', why: `\`${site.calleeText}\` finds the row of \`${table.name}\` keyed by the verified identity (${origin.why})` };
  }
  return undefined;
}

/**
 * The values of a filter object's unique keys, through spreads of objects the flow follows (umami's
 * `findUser({ where: { id: userId } })` spreads `...criteria.where` into its own `where`).
 */
function keysIn(flow: Flow, where: TSESTree.ObjectExpression, frame: Frame, unique: ReadonlySet<string>, depth = 0): { value: Node; frame: Frame }[] {
  const keyed: { value: Node; frame: Frame }[] = [];
  for (const property of where.properties) {
    if (property.type === T.Property && !property.computed && unique.has(propertyName(property) ?? '')) keyed.push({ value: property.value as Node, frame });
    if (property.type !== T.SpreadElement || depth >= 3) continue;
    const spread = flow.evaluate(property.argument, frame);
    if (spread.kind === 'object') keyed.push(...keysIn(flow, spread.node, { unit: spread.unit, env: spread.env }, unique, depth + 1));
  }
  return keyed;
}

/**
 * openpanel's `db.projectAccess.findMany({ where: { userId, organizationId } })`: the rows of a
 * read whose filter pins the verified user (see pinOf) are that user's own (its grants, its
 * memberships), so the tenants they name are tenants of the user: `rows.find((r) => r.projectId
 * === projectId)` checks the client's project against them. Asked of the elements such a list's
 * callback is handed, not of the rows as a whole: a helper returning a membership row returns no
 * verified user (its `id` is the membership's). A read pinned to a user the analysis cannot trace,
 * or to none, gives nothing.
 */
export function userRows(flow: Flow, query: QueryFacts, frame: Frame): Origin | undefined {
  if (query.site.operation !== 'read' || !query.positions.readable) return undefined;
  if (pinOf(flow, query, frame) !== 'verified') return undefined;
  return { kind: 'trusted', why: `\`${query.site.calleeText}\` reads rows of the verified user` };
}
