import type { TSESTree } from '@typescript-eslint/types';
import { enclosingFunction, findByName, memberName, propertyName, T, textOf, unwrap, variableOf, walk, type Node } from '../../core/ast.js';
import type { Suggestion } from '../../core/finding.js';
import type { AnalysisContext, QuerySite } from '../../core/query-site.js';
import type { Table, TenantSchema } from '../../core/schema.js';
import type { CheckOutput, RawFinding } from '../../core/check-output.js';
import { testsFailure } from '../../core/syntax.js';
import { narrowedFrom } from '../../flow/filled.js';
import { clip, derivedFromRows, functionOf, keyedByRowsOf, pathsOf, rowMadeOrLoaded, verifiedUserId, type PathOptions, type PathVerdict } from '../shared/paths.js';
import { tenancyEvidence } from '../shared/evidence.js';
import { publishedRowsPin, publishedTest } from '../shared/published.js';
import { dbColumn, rlsColumns, rlsIsolates, rlsOpenings } from '../shared/rls.js';
import { rowTableOf } from './rows.js';
import { bySessionKey } from './session-keys.js';
import { publicTokenLookup } from './token-lookup.js';

const VERB = { read: 'reads', update: 'updates', delete: 'deletes', insert: 'writes' } as const;

/**
 * The policy for `require-tenant-filter`: which query sites leak. Recognizers say what a query
 * constrains; this decides, and words the finding.
 */
/**
 * Code only instance operators reach (an admin console): the barrier lives with no-client-tenant-id's
 * policy, and the analysis driver hands it in, since a policy never imports another.
 */
export type AdminOnly = (node: TSESTree.FunctionLike | Node, unit: AnalysisContext['unit'], context: AnalysisContext) => boolean;

export function checkQuerySites(sites: QuerySite[], context: AnalysisContext, localSettings: Node[], isAdminOnly: AdminOnly): CheckOutput {
  const out: CheckOutput = { findings: [], unknown: [], sites: 0 };
  for (const site of sites) {
    const { table } = site;
    for (const issue of site.nested) out.findings.push(connectFinding(site, issue.node, issue.target, context.schema));
    if (table.class !== 'tenant' && table.class !== 'child') continue;
    out.sites += 1;
    if (site.client.kind === 'client' && site.client.scoped) continue;
    // A client row-level security applies to (supabase-js anon / user JWT): the table's policies isolate tenants.
    if (site.client.kind === 'rls-client' && site.client.key !== 'service-role' && site.predicate.kind !== 'scoped' && rlsIsolates(table, site.operation)) {
      if (site.client.key === 'user') continue;
      out.unknown.push({ ruleId: 'require-tenant-filter', node: site.callee, reason: `${site.calleeText}: row-level security isolates \`${table.dbName}\` for a user client, but whether this client carries the service-role key is not known (${site.client.how})` });
      continue;
    }
    const predicate = site.predicate;
    if (predicate.kind === 'scoped') {
      if (predicate.condition && site.operation !== 'insert') {
        out.findings.push(conditionalFinding(site, predicate.condition, predicate.via, context));
        continue;
      }
      if (predicate.mayBeUndefined && predicate.value && DROPS_UNDEFINED.has(site.orm) && site.operation !== 'insert') out.findings.push(undefinedValueFinding(site, predicate.value, context));
      continue;
    }
    if (predicate.kind === 'unknown') {
      out.unknown.push({ ruleId: 'require-tenant-filter', node: site.callee, reason: `${site.calleeText}: ${predicate.reason}` });
      continue;
    }
    // Only rows their tenant published (`eq(boards.visibility, 'public')` in the conjunction): shown to anyone by design.
    if (predicate.kind === 'unscoped' && publishedRowsPin(site)) continue;
    if (verifiedEarlier(site, sites, context) || guardedAfter(site, sites, context) || scopedThroughParent(site, sites, context) || insertedHere(site, sites, context) || referencedByScopedRow(site, sites, context)) continue;
    if (rlsNote(table).demoted && tenantSetBefore(site, localSettings)) continue;
    // An operator console: reached only after the verified identity was checked to be an admin.
    if (isAdminOnly(site.call, context.unit, context)) continue;
    // A read of the verified user's own rows (`member.findMany({ where: { userId } })`) other than this one.
    const ownRows = (node: Node) => sites.some((other) => other !== site && other.call === node && readsOwnRows(other));
    if (predicate.kind === 'or-bypass') {
      // `OR: [{ spaceId: { in: spaceIds } }, { id: { in: baseIds } }]` where the branch's ids are the rows of a read
      // of the verified user's own rows (teable's trash, judged G081): only what that user is linked to matches.
      if (derivedFromRows([predicate.branch], context.unit, ownRows)) continue;
      out.findings.push(orBypassFinding(site, predicate.branch, context));
      continue;
    }
    if (byVerifiedUser(site, context.schema) || bySessionKey(site, context)) continue;
    // Keyed by the rows of another query of the same table in the function: reported there if that one is unscoped.
    // So is a filter on the row's own key read from those rows (`update({ where: { id: posts[posts.length - 1].id },
    // data: { tags: ... } })` after `posts.push(await post.upsert(...))`, postiz judged G044): what the write sets
    // does not choose the row.
    const sameTable = (node: Node) => sites.some((other) => other !== site && other.call === node && other.table === site.table);
    if (keyedByRowsOf(site.call, context.unit, sameTable) || ownKeyOfRows(site, context, sameTable) || keyedByHelperRows(site, sites, context)) continue;
    const address = predicate.kind === 'unscoped' && !predicate.bySession ? ownAddressValues(site) : undefined;
    const owner = predicate.kind === 'unscoped' && !predicate.bySession && !address ? ownerValues(site, context) : undefined;
    // The owner's id is the verified user's, read right here (`where('userId', '=', user.id)` with `@AuthUser() user`).
    if (owner?.values.every((value) => verifiedUserId(value, context.unit, context.resolver))) continue;
    const paths = pathsFor(site, context, isAdminOnly, undefined, predicate.kind === 'unscoped' ? predicate.bySession ?? address ?? owner : undefined, address ? 'address' : owner ? 'user' : undefined);
    if (paths?.local) continue;
    // The scope hangs on a parameter of the query's function (`t.user_id = owner_id`), and every caller
    // passes a value of the verified session for it (`req.user.owner_id`): the query is scoped.
    if (paths?.bySession?.length && paths.bySession.length === paths.guarded.length && !paths.unguarded.length && !paths.cut.length && !paths.uncalled.length && !paths.system.length && !paths.loose.length) continue;
    // Every path checks first: if each check is of the parent key the query filters by, the rows
    // hang off a parent the caller verified (`deleteMany({ where: { websiteId } })` after
    // `canUpdateWebsite(auth, websiteId)`): scoped through that parent, nothing to report.
    if (paths && paths.unguarded.length === 0 && paths.cut.length === 0 && paths.guarded.length > 0 && parentVerifiedOnEveryPath(site, context, isAdminOnly)) continue;
    const finding = publicTokenLookup(site, paths, expirySweep(site, context, byUniqueEmail(site, withPaths(missingFinding(site, predicate.detail, context), paths))), pinnedColumns(site));
    // Keyed by the rows of a read of the verified user's own rows (`member.findMany({ where: { userId } })`):
    // the ids are the user's memberships, not the client's choice.
    const own = !finding.informational && !finding.mild ? keyedByRowsOf(site.call, context.unit, ownRows) : undefined;
    if (own) {
      finding.mild = true;
      finding.evidence += ` The ids come from the rows of \`${own}\`, which reads the verified user's own rows: only what that user is linked to matches.`;
    }
    out.findings.push(finding);
  }
  return out;
}

const IDENTITY_VALUE = /(^|\.)(user|session|currentUser|viewer|auth|me)\??\.(id|userId)$|(^|\.)userId$/;
const SESSION_USER = /(^|\.)(user|session|currentUser|viewer|auth|me)\??\.(id|userId)$|^userId$/;
const REQUEST_VALUE = /^(input|body|params|query|args|req\.(body|query|params)|request\.(body|query|params)|data|dto)\./;

/**
 * "Which tenants is this user in?": a read (or a change) of a tenant table by its foreign key to a table that is
 * not tenant data (the users), compared with the verified user's id (`userId`, `ctx.user.id`,
 * `session.user.id`), not a request value. It crosses tenants on purpose, and only the user's own
 * rows match.
 */
function byVerifiedUser(site: QuerySite, schema: TenantSchema): boolean {
  // A change of the user's own rows (`DELETE FROM task_timers WHERE user_id = $1 AND task_id = $2` with the
  // session's user, worklenz judged F073) touches nothing of anyone else's either; an insert has no filter.
  if (site.operation === 'insert' || !site.whereKeys) return false;
  for (const [key, value] of Object.entries(site.whereKeys)) {
    const text = value.replace(/\s+/g, '');
    if (!IDENTITY_VALUE.test(text) || REQUEST_VALUE.test(text)) continue;
    // A write takes the session's user, not a field named `userId` of what the function was handed (`opts.userId`).
    if (site.operation !== 'read' && !SESSION_USER.test(text)) continue;
    for (const relation of site.table.relations.values()) {
      if (!relation.fields.includes(key)) continue;
      const target = schema.tables.get(relation.target);
      if (target && target.class !== 'tenant' && target.class !== 'child' && target.name !== schema.root) return true;
    }
  }
  return false;
}

/** A read filtered by the verified user's id (`{ userId: session.user.id }`), not a request value. */
function readsOwnRows(site: QuerySite): boolean {
  if (site.operation !== 'read' || !site.whereKeys) return false;
  return Object.values(site.whereKeys).some((value) => IDENTITY_VALUE.test(value) && !REQUEST_VALUE.test(value));
}

/**
 * A read filtered by a person's address (`where: { email }`, `eq(t.email, email)`, `email = $1`): if every
 * caller hands it the verified user's own address, only the rows addressed to that person match, across
 * tenants by design (the invitations to the caller; papra judged G025). The paths decide (see ownAddress).
 */
function ownAddressValues(site: QuerySite): { values: Node[]; via: string } | undefined {
  if (site.operation !== 'read') return undefined;
  const values = ownerFilterValues(site)
    .filter(({ column }) => /^e_?mail$/i.test(column) || /^e_?mail$/i.test(site.table.columns.get(column)?.dbName ?? column.replace(/^.*\./, '')))
    .map(({ value }) => value);
  return values.length ? { values, via: "names the verified user's own address: only the rows addressed to that person match" } : undefined;
}

/**
 * A filter by the row's owner: a foreign key to the table of people (`favorites.user_id`), or the key
 * of a person's own row (`users.id`). If every caller hands it the verified user's own id, only that
 * user's rows match, and that user is one of the caller's tenant (docmost's favorites, watchers,
 * notifications and user settings, issue 13). The paths decide (see verifiedUserId).
 */
function ownerValues(site: QuerySite, context: AnalysisContext): { values: Node[]; via: string } | undefined {
  const person = (table: Table | undefined) => table !== undefined && (PERSON_TABLE.test(table.name) || PERSON_TABLE.test(table.dbName));
  // The column as written (`userId` under Kysely's CamelCasePlugin) names the field or its SQL name (`user_id`).
  const flat = (name: string) => name.replace(/^.*\./, '').toLowerCase().replace(/[^a-z0-9]/g, '');
  const names = (field: string) => [field, site.table.columns.get(field)?.dbName ?? field].map(flat);
  const isKey = (column: string) => site.table.primaryKey.length === 1 && names(site.table.primaryKey[0]!).includes(flat(column));
  const ownerRelation = (column: string) =>
    [...site.table.relations.values()].some((relation) => relation.fields.length === 1 && relation.target !== site.table.name && names(relation.fields[0]!).includes(flat(column)) && person(context.schema.tables.get(relation.target)));
  const values = ownerFilterValues(site)
    .filter(({ column }) => (person(site.table) ? isKey(column) : ownerRelation(column)))
    .map(({ value }) => value);
  if (values.length === 0) return undefined;
  const via = person(site.table) ? "is the verified user's own row" : "names the verified user as the rows' owner: only that user's rows match";
  return { values, via };
}

/**
 * `db.delete(sharedSecrets).where(lt(sharedSecrets.expiresAt, now))` with `const now = Date.now()`
 * (unkey's share/create.ts, judged a housekeeping sweep): a delete whose only filter is a column before
 * the current time removes the expired rows of every tenant, and no value the client sends picks a
 * row. Nothing is read or returned, and what goes is what had already expired: not a leak, a warning
 * that says so, unless the paths already said less. `gt` (live rows) or a client's date stays an error.
 */
function expirySweep(site: QuerySite, context: AnalysisContext, finding: RawFinding): RawFinding {
  if (finding.informational || finding.mild || site.operation !== 'delete') return finding;
  const columns = beforeNowColumns(site, context);
  if (!columns?.length) return finding;
  finding.mild = true;
  finding.evidence += ` It is an expiry sweep: it deletes only rows whose ${columns.map((c) => `\`${c}\``).join(', ')} is before the current time, of every tenant, and no value a client sends chooses the rows; only rows already expired go. Check that nothing reads expired rows as live data.`;
  return finding;
}

/** The columns of a filter made only of `column < now` comparisons (Drizzle `lt`/`lte`, Prisma `{ lt }`/`{ lte }`). */
function beforeNowColumns(site: QuerySite, context: AnalysisContext): string[] | undefined {
  if (site.whereObject) {
    const columns: string[] = [];
    for (const property of site.whereObject.properties) {
      const key = property.type === T.Property ? propertyName(property) : undefined;
      const value = property.type === T.Property ? unwrap(property.value) : undefined;
      if (!key || value?.type !== T.ObjectExpression || value.properties.length !== 1) return undefined;
      const inner = value.properties[0]!;
      if (inner.type !== T.Property || !['lt', 'lte'].includes(propertyName(inner) ?? '') || !isNow(unwrap(inner.value), context)) return undefined;
      columns.push(key);
    }
    return columns;
  }
  const condition = whereArgument(site.call);
  return condition ? comparedBeforeNow(unwrap(condition), context) : undefined;
}

/** The argument of the `.where(...)` of a chained statement (`db.delete(t).where(cond)`), above or below the call. */
function whereArgument(call: TSESTree.CallExpression): Node | undefined {
  let node: Node = call;
  for (;;) {
    if (node.type === T.CallExpression && node.callee.type === T.MemberExpression && memberName(node.callee) === 'where' && node.arguments.length === 1) return node.arguments[0];
    const parent: Node | undefined = node.parent;
    const next: Node | undefined = parent?.parent;
    if (parent?.type !== T.MemberExpression || parent.object !== node || next?.type !== T.CallExpression || next.callee !== parent) return undefined;
    node = next;
  }
}

function comparedBeforeNow(condition: Node, context: AnalysisContext): string[] | undefined {
  if (condition.type !== T.CallExpression || condition.callee.type !== T.Identifier) return undefined;
  const name = condition.callee.name;
  if (name === 'and') {
    const parts = condition.arguments.map((arg) => comparedBeforeNow(unwrap(arg), context));
    return parts.length > 0 && parts.every(Boolean) ? parts.flat() as string[] : undefined;
  }
  if ((name !== 'lt' && name !== 'lte') || condition.arguments.length !== 2) return undefined;
  const [column, value] = condition.arguments.map((arg) => unwrap(arg));
  if (column?.type !== T.MemberExpression || !value || !isNow(value, context)) return undefined;
  return [textOf(context.unit, column)];
}

/** The current time: `Date.now()`, `new Date()`, `now()`, or a const of the function holding one. */
function isNow(value: Node, context: AnalysisContext, depth = 0): boolean {
  if (value.type === T.NewExpression) return value.callee.type === T.Identifier && value.callee.name === 'Date' && value.arguments.length === 0;
  if (value.type === T.CallExpression) {
    const callee = unwrap(value.callee);
    if (value.arguments.length !== 0) return false;
    if (callee.type === T.Identifier) return callee.name === 'now';
    return callee.type === T.MemberExpression && callee.object.type === T.Identifier && callee.object.name === 'Date' && memberName(callee) === 'now';
  }
  if (value.type !== T.Identifier || depth > 0) return false;
  const variable = variableOf(context.unit.scopeManager, value);
  const definition = variable?.defs.length === 1 ? variable.defs[0] : undefined;
  const declarator = definition?.node.type === T.VariableDeclarator ? definition.node : undefined;
  if (!declarator?.init || declarator.parent?.type !== T.VariableDeclaration || declarator.parent.kind !== 'const') return false;
  return isNow(unwrap(declarator.init), context, depth + 1);
}

/** A table of people: the accounts sessions are issued for. */
/** Tables of people who sign in: users, and the operators of a console (`admins`, `administrators`). */
const PERSON_TABLE = /^(users?|accounts?|persons?|people|members?|admins?|administrators?)$/i;

/**
 * `User.findOne({ email })` where `email` is unique across the whole table: a person is found by
 * their address at sign-in, sign-up and invitation, across tenants by design, and at most one row
 * matches. Not a proven leak: a warning that says so, unless the paths already said less.
 */
function byUniqueEmail(site: QuerySite, finding: RawFinding): RawFinding {
  if (finding.informational || finding.mild || site.operation !== 'read' || !site.whereKeys) return finding;
  const keys = Object.keys(site.whereKeys);
  if (keys.length !== 1 || !/^e_?mail$/i.test(keys[0]!) || !PERSON_TABLE.test(site.table.name)) return finding;
  if (!site.table.uniques.some((u) => u.fields.length === 1 && u.fields[0] === keys[0])) return finding;
  finding.mild = true;
  finding.evidence += ` \`${site.table.name}.${keys[0]}\` is unique across all tenants: this finds one person by their address (sign-in, invitations), across tenants by design. Check that the row's data is not returned to a caller of another tenant.`;
  return finding;
}

/**
 * The query filters by a key of its parent (a column that references tenant data), and every path
 * to it checks that very value: in the query's function, or in each caller, for the argument the
 * value comes in by. A check of something else on the way (a decorator, a route's middleware, a
 * check of another id) does not count.
 */
function parentVerifiedOnEveryPath(site: QuerySite, context: AnalysisContext, isAdminOnly: AdminOnly): boolean {
  const values = filterValues(site)
    .filter(({ column }) => {
      const target = relationTarget(site.table, column);
      const parent = target ? context.schema.tables.get(target) : undefined;
      return parent !== undefined && (parent.class === 'tenant' || parent.class === 'child');
    })
    .map(({ value }) => value);
  if (values.length === 0) return false;
  const verdict = pathsFor(site, context, isAdminOnly, values);
  if (!verdict) return false;
  if (verdict.local) return true;
  return verdict.guarded.length > 0 && verdict.unguarded.length === 0 && verdict.cut.length === 0 && verdict.uncalled.length === 0 && verdict.loose.length === 0;
}

/** The paths from entry points to an unscoped query, with the checks on them (see paths.ts). */
function pathsFor(site: QuerySite, context: AnalysisContext, isAdminOnly: AdminOnly, focus?: Node[], session?: { values: Node[]; via: string }, sessionKind?: 'address' | 'user'): PathVerdict | undefined {
  if (!context.root) return undefined;
  return pathsOf(site.call, context.unit, {
    ...pathOptions(context, context.root),
    isAdminOnly: (fn, unit) => isAdminOnly(fn, unit, { ...context, unit }),
    read: site.operation === 'read',
    ...(context.statementOf ? { statementOf: context.statementOf } : {}),
    focus,
    ...(session ? { session: session.values, sessionVia: session.via, sessionAddress: sessionKind === 'address', sessionUser: sessionKind === 'user' } : {}),
  });
}

function pathOptions(context: AnalysisContext, root: string): PathOptions {
  const tenantKeys = new Set<string>();
  for (const table of context.schema.tables.values()) for (const key of table.tenantKeys) tenantKeys.add(key);
  return {
    root,
    resolver: context.resolver,
    isExcluded: context.isTestPath ?? (() => false),
    isSystemFile: context.isSystemPath ?? (() => false),
    tenantKeys,
  };
}

const LISTED = 4;

function listed(items: string[]): string {
  const shown = items.slice(0, LISTED).join('; ');
  return items.length > LISTED ? `${shown}; and ${items.length - LISTED} more` : shown;
}

/**
 * Severity by exploitability: an unchecked path from an entry point keeps the error; when every
 * path the analysis sees checks first, the missing filter is defence in depth (warning); when every
 * path starts in system code, info. The evidence names the paths either way.
 */
function withPaths(finding: RawFinding, paths: PathVerdict | undefined): RawFinding {
  if (!paths) return finding;
  const { guarded, system, unguarded, uncalled, cut } = paths;
  if (unguarded.length > 0) {
    // The query's own function is the entry point: the finding already says all there is.
    if (!paths.throughCallers && guarded.length === 0 && system.length === 0) return finding;
    finding.evidence += ` Unchecked path${unguarded.length > 1 ? 's' : ''}: ${listed(unguarded)}.`;
    if (guarded.length) finding.evidence += ` Checked: ${listed(guarded)}.`;
    if (system.length) finding.evidence += ` From system code: ${listed(system)}.`;
    return finding;
  }
  if (cut.length > 0) {
    // Not proven either way: a warning that says where the analysis stopped, never an error.
    finding.mild = true;
    finding.evidence += ` No unchecked path was found, but the analysis stopped before an entry point on ${cut.length > 1 ? 'these' : 'this one'}: ${listed(cut)}${guarded.length ? `; checked: ${listed(guarded)}` : ''}. Check the callers above it.`;
    return finding;
  }
  if (guarded.length > 0) {
    finding.mild = true;
    finding.evidence += ` Every path the analysis found checks the caller's access, so this is defence in depth: ${listed(guarded)}${system.length ? `; from system code: ${listed(system)}` : ''}${uncalled.length ? `; never called: ${listed(uncalled)}` : ''}.`;
    return finding;
  }
  if (uncalled.length > 0) {
    finding.mild = true;
    finding.evidence += ` Nothing in the repository calls ${listed(uncalled)}, and ${uncalled.length > 1 ? 'they are' : 'it is'} not an entry point by form (a route export, a server action, a controller method): no request reaches this query today. Add the filter before a caller appears.`;
    return finding;
  }
  if (system.length > 0) {
    finding.informational = true;
    finding.evidence += ` Every path to it starts in system code, without a request: ${listed(system)}. Check that the ids it uses come from server-side state.`;
  }
  return finding;
}

/** ORMs that leave a key whose value is `undefined` out of the filter, instead of failing or matching nothing. */
const DROPS_UNDEFINED = new Set(['prisma', 'typeorm', 'drizzle']);

/**
 * `where: { orgId: ctx.orgId }` with `ctx.orgId: string | undefined`: Prisma and TypeORM drop an
 * undefined key, so on the path where it is undefined the query reads every tenant. Reported only
 * with type information, and only when no other conjunct scopes the query.
 */
function undefinedValueFinding(site: QuerySite, value: Node, context: AnalysisContext): RawFinding {
  const { table } = site;
  const key = keyOf(table) || childKey(table, context.schema);
  const text = context.unit.text.slice(value.range[0], value.range[1]);
  return {
    ruleId: 'require-tenant-filter',
    messageId: 'tenantValueMayBeUndefined',
    node: value,
    subject: 'undefined',
    message: `\`${site.calleeText}\` filters \`${table.name}\` by \`${key}\`, but \`${text}\` may be \`undefined\`.`,
    evidence: `${tenancyEvidence(table, context.schema)} The type of \`${text}\` includes \`undefined\`, and ${site.orm === 'typeorm' ? 'TypeORM' : site.orm === 'drizzle' ? 'Drizzle' : 'Prisma'} leaves a key whose value is \`undefined\` out of the filter: when it is, this call matches rows of every tenant.`,
    help: `Narrow the value first (\`if (!${text}) throw ...\`, or a non-optional type from the verified session), so that the filter always has a tenant.`,
  };
}

/** `where: { id, ...(org ? { organizationId: org } : {}) }`: scoped only when the condition holds. */
function conditionalFinding(site: QuerySite, condition: Node, via: string, context: AnalysisContext): RawFinding {
  const { table } = site;
  const text = clip(context.unit.text.slice(condition.range[0], condition.range[1]));
  return {
    ruleId: 'require-tenant-filter',
    messageId: 'conditionalTenantFilter',
    node: condition,
    message: `\`${site.calleeText}\` filters \`${table.name}\` by ${via} only when \`${text}\` holds.`,
    evidence: `${tenancyEvidence(table, context.schema)} When \`${text}\` does not hold, the filter has no tenant and this call ${VERB[site.operation]} rows of every tenant; whether every caller passes the tenant is not decided here.`,
    help: `Make the tenant required (a parameter that cannot be omitted), or move the cross-tenant use into its own function whose name says so.`,
    mild: true,
  };
}

function keyOf(table: Table): string {
  return table.tenantKeys[0] ?? '';
}

function clientEvidence(site: QuerySite): string {
  if (site.client.kind === 'unknown' && site.orm !== 'prisma') return ` The receiver was not traced to a ${site.orm} client (${site.client.reason}).`;
  if (site.client.kind === 'unknown') return ` The receiver was not traced to a PrismaClient (${site.client.reason}); it was recognised because \`${site.callee.type === T.MemberExpression ? tableDelegate(site) : ''}\` is a model of the schema.`;
  return '';
}

function tableDelegate(site: QuerySite): string {
  return site.calleeText.split('.').slice(-2, -1)[0] ?? site.table.name;
}

function filterHint(table: Table, schema: TenantSchema): string {
  if (table.class !== 'child') return `\`${keyOf(table)}\``;
  return `\`${table.parentRelations[0] ?? 'parent'}: { ${childKey(table, schema)} }\``;
}

/**
 * Row-level security changes what a missing filter means: enabled and forced with a policy on the
 * tenant column, the database still isolates (defence in depth, lower severity); enabled but not
 * forced, the table owner (often the app's role) bypasses it.
 */
function rlsNote(table: Table): { demoted: boolean; evidence: string } {
  const rls = table.rls;
  if (!rls?.enabled) return { demoted: false, evidence: '' };
  // A child's key to its parent counts: its policy reads the parent row, which the parent's policy scopes.
  const keys = rlsColumns(table);
  const policy = rls.policies.find((p) => p.columns.some((c) => keys.has(c)));
  if (rls.forced && policy) {
    return { demoted: true, evidence: ` Row-level security is enabled and forced on \`${table.dbName}\` with policy \`${policy.name}\` on the tenant column, so the database still isolates tenants when the session sets the tenant: this is defence in depth.` };
  }
  if (!rls.forced) return { demoted: false, evidence: ` Row-level security is enabled on \`${table.dbName}\` but not forced: the table owner, often the application's role, bypasses it.` };
  return { demoted: false, evidence: ` Row-level security is forced on \`${table.dbName}\`, but no policy compares its tenant column.` };
}

/** What row-level security does for a supabase-js client, as evidence. */
function rlsClientNote(site: QuerySite): { demoted: boolean; evidence: string } {
  const { client, table } = site;
  if (client.kind !== 'rls-client') return rlsNote(table);
  if (client.key === 'service-role') return { demoted: false, evidence: ` The client is ${client.how}, which bypasses row-level security: only the query's own filter isolates tenants.` };
  const subject = client.key === 'user' ? `The client (${client.how}) is subject to row-level security` : `The client's key is not known (${client.how})`;
  if (table.view && !table.rls) return { demoted: false, evidence: ` ${subject}, but \`${table.dbName}\` is a view without \`security_invoker\`: it reads its tables with its owner's rights, so their row-level security does not apply and it returns every tenant's rows.` };
  if (!table.rls?.enabled) return { demoted: false, evidence: ` ${subject}, but the migrations do not enable RLS on \`${table.dbName}\`: it can read and change every tenant's rows.` };
  const open = rlsOpenings(table, site.operation) ?? table.rls.policies;
  const names = open.map((p) => `\`${p.name}\``).join(', ');
  return {
    demoted: false,
    evidence: ` ${subject}, but ${names} on \`${table.dbName}\` compare${open.length === 1 ? 's' : ''} neither its tenant column (\`${[...rlsColumns(table)].join('`, `')}\`) nor the row's owner to \`auth.uid()\`: ${open.length === 1 ? 'it lets' : 'they let'} other tenants' rows through.`,
  };
}

/** The wording of an unconstrained table in raw SQL, shared by SQL in TypeScript and `.sql` query files. */
export function sqlMissingWording(
  where: string,
  operation: QuerySite['operation'],
  table: Table,
  alias: string,
  detail: string,
  schema: TenantSchema,
): { message: string; evidence: string; help: string; demoted: boolean } {
  const column = table.class === 'child' ? '' : dbColumn(table, keyOf(table));
  const rls = rlsNote(table);
  const how =
    table.class === 'child'
      ? `Join \`${table.dbName}\` to its parent and constrain the parent's tenant column (\`JOIN ... ON parent.id = ${alias}.<fk> WHERE parent.${childKey(table, schema)} = $n\`)`
      : `Add \`AND ${alias}.${column} = $n\` with the tenant from the verified session`;
  return {
    message: `${where} ${VERB[operation]} tenant-scoped table \`${table.dbName}\` without a tenant filter.`,
    evidence: `${tenancyEvidence(table, schema)} In this SQL there is ${detail}, so it matches rows of every tenant.${rls.evidence}`,
    help: `${how}, or join it on the tenant key to a table that is constrained.`,
    demoted: rls.demoted,
  };
}

function missingSqlFinding(site: QuerySite, detail: string, context: AnalysisContext): RawFinding {
  const alias = site.sql?.alias ?? site.table.dbName;
  const wording = sqlMissingWording(`\`${site.calleeText}\``, site.operation, site.table, alias, detail, context.schema);
  return {
    ruleId: 'require-tenant-filter',
    messageId: 'missingTenantFilter',
    node: site.callee,
    span: site.sql?.span,
    subject: alias,
    ...wording,
  };
}

function missingFinding(site: QuerySite, detail: string, context: AnalysisContext): RawFinding {
  if (site.orm === 'sql') return missingSqlFinding(site, detail, context);
  const { table } = site;
  const rls = rlsClientNote(site);
  const verb = VERB[site.operation];
  // `where` filters only on `id`; `orgId` is written into it on some paths only: the message says "by `id` alone", the evidence the rest.
  const keys = detail.includes(';') ? detail.slice(0, detail.indexOf(';')) : detail;
  const byIdOnly = /^`(where|filter)` filters only on/.test(keys) ? ` (${keys.replace(/^`(where|filter)` filters only on /, 'by ')} alone)` : '';
  const evidence = `${tenancyEvidence(table, context.schema)} Without it this call matches rows of every tenant; ${detail}.${clientEvidence(site)}${rls.evidence}`;
  const parentKey = childKey(table, context.schema);
  const how = site.fix
    ? site.fix.missing
    : site.orm === 'drizzle'
      ? drizzleHow(table, parentKey)
      : table.class === 'child'
        ? `Filter through the parent: \`where: { ${parentFilter(table, context.schema)} }\``
        : `Add \`${keyOf(table)}\` to \`where\` (\`where: { ..., ${keyOf(table)} }\`)`;
  return {
    ruleId: 'require-tenant-filter',
    messageId: 'missingTenantFilter',
    node: site.callee,
    message: `\`${site.calleeText}\` ${verb} tenant-scoped model \`${table.name}\`${byIdOnly} without a tenant filter.`,
    evidence,
    help: `${how}, or run it through a tenant-scoped client.`,
    suggestions: site.orm === 'prisma' ? suggestions(site, context, parentKey) : undefined,
    demoted: rls.demoted,
  };
}

/** Drizzle filters with operators, not objects. */
function drizzleHow(table: Table, parentKey: string): string {
  if (table.class === 'child') return `Join the parent on its key and constrain it: \`.innerJoin(parent, eq(parent.id, t.${table.relations.get(table.parentRelations[0] ?? '')?.fields[0] ?? 'parentId'})).where(eq(parent.${parentKey}, ...))\``;
  return `Add the tenant to the condition (\`and(eq(t.${keyOf(table)}, ${keyOf(table)}), ...)\`)`;
}

/** For a child table: the tenant key of the parent it inherits from, for the hint. */
/**
 * The nested relation filter from a child table up to the table that carries the tenant key:
 * `table: { base: { spaceId } }` for a field whose table belongs to a base of a space.
 */
function parentFilter(table: Table, schema: TenantSchema): string {
  const path: string[] = [];
  let current: Table | undefined = table;
  for (let i = 0; current && current.class === 'child' && i < 8; i++) {
    const name = current.parentRelations[0] ?? '';
    path.push(name);
    const relation = current.relations.get(name);
    current = relation ? schema.tables.get(relation.target) : undefined;
  }
  // Up to the tenant root itself (a many-to-many to it, vendure's `channels`): its own key.
  const key = current?.tenantKeys[0] ?? (current && current.name === schema.root ? (current.primaryKey[0] ?? 'id') : 'tenantId');
  return path.reduceRight((inner, name) => `${name}: { ${inner} }`, key);
}

function childKey(table: Table, schema: TenantSchema): string {
  let current: Table | undefined = table;
  for (let i = 0; current && current.class === 'child' && i < 8; i++) {
    const relation = current.relations.get(current.parentRelations[0] ?? '');
    current = relation ? schema.tables.get(relation.target) : undefined;
  }
  return current?.tenantKeys[0] ?? (current && current.name === schema.root ? (current.primaryKey[0] ?? 'id') : 'tenantId');
}

function orBypassFinding(site: QuerySite, branch: Node, context: AnalysisContext): RawFinding {
  const { table } = site;
  const key = filterHint(table, context.schema);
  if (site.orm === 'sql') {
    const column = `${site.sql?.alias ?? table.dbName}.${dbColumn(table, keyOf(table) || childKey(table, context.schema))}`;
    return {
      ruleId: 'require-tenant-filter',
      messageId: 'orBypassesTenantFilter',
      node: site.callee,
      span: site.sql?.span,
      subject: site.sql?.alias,
      message: `\`${site.calleeText}\`: an \`OR\` branch without \`${column}\` defeats the tenant filter on \`${table.dbName}\`.`,
      evidence: `${tenancyEvidence(table, context.schema)} \`a AND b OR c\` is \`(a AND b) OR c\`: the branch without the tenant predicate matches rows of every tenant.`,
      help: `Put the tenant predicate outside the \`OR\`: \`WHERE ${column} = $n AND (... OR ...)\`.`,
    };
  }
  if (site.fix?.orBypass) {
    return {
      ruleId: 'require-tenant-filter',
      messageId: 'orBypassesTenantFilter',
      node: site.callee,
      message: `\`${site.calleeText}\`: an \`OR\` branch without the tenant key defeats the tenant filter on \`${table.name}\`.`,
      evidence: `${tenancyEvidence(table, context.schema)} The branch at line ${branch.loc.start.line} matches rows of every tenant, and nothing outside the \`OR\` constrains the tenant.${site.client.kind === 'rls-client' ? rlsClientNote(site).evidence : ''}`,
      help: site.fix.orBypass,
    };
  }
  if (site.orm === 'drizzle') {
    const column = keyOf(table) || childKey(table, context.schema);
    return {
      ruleId: 'require-tenant-filter',
      messageId: 'orBypassesTenantFilter',
      node: site.callee,
      message: `\`${site.calleeText}\`: an \`or(...)\` branch without \`${column}\` defeats the tenant filter on \`${table.name}\`.`,
      evidence: `${tenancyEvidence(table, context.schema)} The branch at line ${branch.loc.start.line} matches rows of every tenant, and nothing outside the \`or(...)\` constrains the tenant.`,
      help: `Move the tenant condition out of the \`or(...)\` (\`and(eq(t.${column}, ${column}), or(...))\`), or add it to every branch.`,
    };
  }
  return {
    ruleId: 'require-tenant-filter',
    messageId: 'orBypassesTenantFilter',
    node: site.callee,
    message: `\`${site.calleeText}\`: an \`OR\` branch without ${key} defeats the tenant filter on \`${table.name}\`.`,
    evidence: `${tenancyEvidence(table, context.schema)} The branch at line ${branch.loc.start.line} matches rows of every tenant, and nothing outside the \`OR\` constrains the tenant.`,
    help: `Move ${key} out of the \`OR\` to the top level of \`where\` (\`where: { ${keyOf(table) || childKey(table, context.schema)}, OR: [...] }\`), or add it to every branch.`,
  };
}

function connectFinding(site: QuerySite, node: Node, target: Table, schema: TenantSchema): RawFinding {
  const key = target.tenantKeys[0] ?? childKey(target, schema);
  const compound = target.uniques.find((u) => u.fields.includes(key));
  return {
    ruleId: 'require-tenant-filter',
    messageId: 'connectWithoutTenant',
    node,
    message: `\`${site.calleeText}\` connects a \`${target.name}\` by a key that does not include the tenant.`,
    evidence: `${tenancyEvidence(target, schema)} A client-supplied id can name another tenant's \`${target.name}\`, and this write links it.`,
    help: compound
      ? `Connect through the compound unique \`${compound.name}\` (\`connect: { ${compound.name}: { ${compound.fields.join(', ')} } }\`), or load the row with a tenant filter first.`
      : `Connect by the id and the tenant key together (\`connect: { id, ${key} }\`, Prisma 5+), so that another tenant's \`${target.name}\` cannot match.`,
  };
}

/**
 * A suggestion, not an autofix: adding a filter changes results. Offered only when a variable
 * named like the tenant key is in scope, so the inserted code refers to something real.
 */
function suggestions(site: QuerySite, context: AnalysisContext, parentKey: string): Suggestion[] | undefined {
  const { table } = site;
  const key = table.class === 'child' ? parentKey : keyOf(table);
  if (!key || !findByName(context.unit.scopeManager, site.call, key)) return undefined;
  const fragment = table.class === 'child' ? parentFilter(table, context.schema) : key;
  const taken = table.class === 'child' ? table.parentRelations[0] : key;
  // `{ orgId: { not: orgId } }` already has the key: inserting it again would be a duplicate.
  if (site.whereObject?.properties.some((p) => p.type === T.Property && propertyName(p) === taken)) return undefined;
  if (site.whereObject) return [insertInto(site.whereObject, fragment, `Add \`${fragment}\` to \`where\``)];
  if (site.argsObject) return [insertInto(site.argsObject, `where: { ${fragment} }`, `Add \`where: { ${fragment} }\``)];
  if (site.call.arguments.length === 0) {
    const closing = site.call.range[1] - 1;
    return [{ desc: `Add \`where: { ${fragment} }\``, fix: { range: [closing, closing], text: `{ where: { ${fragment} } }` } }];
  }
  return undefined;
}

function insertInto(object: TSESTree.ObjectExpression, fragment: string, desc: string): Suggestion {
  const first = object.properties[0];
  if (!first) return { desc, fix: { range: [object.range[0], object.range[1]], text: `{ ${fragment} }` } };
  return { desc, fix: { range: [first.range[0], first.range[0]], text: `${fragment}, ` } };
}

/**
 * Row-level security enabled and forced, with a tenant policy, and the tenant set for the
 * transaction (`set_config('app.org_id', $1, true)`, `SET LOCAL`) earlier in the same function or
 * in a function that encloses the query (the transaction callback it runs in): the database
 * scopes the query, by construction.
 */
function tenantSetBefore(site: QuerySite, settings: Node[]): boolean {
  const fns = enclosingFunctions(site.call);
  return settings.some((setting) => setting.range[0] < site.call.range[0] && fns.has(enclosingFunction(setting)));
}

/** The functions around a node, innermost first; `undefined` alone for top-level code. */
function enclosingFunctions(node: Node): Set<Node | undefined> {
  const fns = new Set<Node | undefined>();
  for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) fns.add(fn);
  if (fns.size === 0) fns.add(undefined);
  return fns;
}

/**
 * Verified, then written: `findFirst({ where: { id: emailId, org: ... } })` earlier in the same
 * function, then `update({ where: { id: emailId } })`. The write touches the row the scoped read
 * proved to be the tenant's. A read whose scope could not be decided counts too (it is already
 * reported as not analysable), so that one unknown does not become a finding twice.
 */
function verifiedEarlier(site: QuerySite, sites: QuerySite[], context: AnalysisContext): boolean {
  const keys = site.whereKeys;
  if (!keys) return false;
  const unique = uniqueKeysOf(site.table).filter((k) => keys[k] !== undefined);
  if (unique.length === 0) return false;
  // The read may be in the function that encloses the write's transaction callback.
  const fns = enclosingFunctions(site.call);
  // A read checked after it (an ownership guard, a scoped read of its parent) vouches for what comes after the check.
  const checkedBefore = (other: QuerySite) => {
    const guard = guardOf(other, sites, context);
    return guard !== undefined && guard.range[1] <= site.call.range[0];
  };
  return sites.some(
    (other) =>
      other !== site &&
      other.table === site.table &&
      other.call.range[0] < site.call.range[0] &&
      fns.has(enclosingFunction(other.call)) &&
      unique.some((k) => other.whereKeys?.[k] === keys[k]) &&
      (other.predicate.kind === 'scoped' || other.predicate.kind === 'unknown' || checkedBefore(other)) &&
      stopsWhenMissing(other),
  );
}

/**
 * Keyed by a parent the function proved to be the tenant's: a filter column that references a
 * table of tenant data (`group_id -> groups`) compared with
 * - the rows of a scoped read of that parent earlier in the function
 *   (`const { data: groups } = await sb.from('groups').select('id').eq('ws_id', wsId);
 *   await sb.from('group_members').delete().in('group_id', groups.map((g) => g.id))`), or
 * - the id a scoped read of that parent looked up and stopped on when missing
 *   (`.from('products').select().eq('id', productId).eq('ws_id', wsId).single()`, `if (!product) return 404`,
 *   then `.from('inventory').delete().eq('product_id', productId)`).
 * The rows it touches hang off the tenant's own parent.
 */
function scopedThroughParent(site: QuerySite, sites: QuerySite[], context: AnalysisContext, depth = 0): boolean {
  const fns = enclosingFunctions(site.call);
  for (const { column, value } of filterValues(site)) {
    const target = relationTarget(site.table, column);
    const parent = target ? context.schema.tables.get(target) : undefined;
    if (!parent || (parent.class !== 'tenant' && parent.class !== 'child')) continue;
    // A parent read that is itself keyed by a scoped grandparent counts (course -> modules -> quizzes).
    const reads = sites.filter(
      (other) =>
        other !== site &&
        other.table === parent &&
        other.operation === 'read' &&
        other.call.range[0] < site.call.range[0] &&
        fns.has(enclosingFunction(other.call)) &&
        (other.predicate.kind === 'scoped' || (depth < 3 && scopedThroughParent(other, sites, context, depth + 1))),
    );
    if (reads.length === 0) continue;
    if (derivedFromRows([value], context.unit, (node) => reads.some((read) => read.call === node))) return true;
    const text = textOf(context.unit, value).replace(/\s+/g, '');
    const keys = uniqueKeysOf(parent);
    if (reads.some((read) => stopsWhenMissing(read) && keys.some((k) => read.whereKeys?.[k] === text))) return true;
  }
  return false;
}

/**
 * Followed from a row of the tenant: the key is a reference held by the rows of a scoped read earlier
 * in the function (`const thread = ...eq('ws_id', wsId).eq('id', threadId).single()`, then
 * `.from('conversations').eq('id', thread.conversation_id)`, or `.in('id', rows.map((r) => r.project_id))`),
 * and that column references the table queried (by its unique key) or the same parent the query
 * filters by; or it is the unique key of a row of the same table that the scoped read returned. The tenant's row says which row it points to; the client did not choose it. A reference
 * read with `?.` counts only when the scoped read stops when its row is missing.
 * The row may be one of a relation loaded with the scoped row (`envelope.recipients`, Prisma `include`,
 * documenso's resend-document.ts), and the filter may be a relation filter that pins the related row
 * (`recipient: { id: recipient.id }` after a lookup of the recipient by its secret token, documenso's
 * sign-envelope-field.ts). A read whose scope could not be decided counts, as in verifiedEarlier: it is
 * already reported as not analysable.
 */
function referencedByScopedRow(site: QuerySite, sites: QuerySite[], context: AnalysisContext): boolean {
  const fns = enclosingFunctions(site.call);
  const reads = sites.filter(
    (other) =>
      other !== site &&
      other.operation === 'read' &&
      other.call.range[0] < site.call.range[0] &&
      fns.has(enclosingFunction(other.call)) &&
      (other.predicate.kind === 'scoped' ? !other.predicate.condition : other.predicate.kind === 'unknown' || scopedThroughParent(other, sites, context)),
  );
  const pins = (table: Table, column: string, value: Node): boolean => {
    const reference = referenceIn(value, context.unit);
    if (!reference) return false;
    const keys = new Set(uniqueKeysOf(table).flatMap((key) => [key, dbColumn(table, key)]));
    const parentOfColumn = relationTarget(table, column);
    const matches = (rowTable: Table): boolean => {
      // The row's own key, read from a row the scoped read of this very table returned
      // (`for (const i of await findMany({ where: { organizationId } })) update({ where: { id: i.id } })`).
      if (rowTable === table && keys.has(column) && (reference.field === column || dbColumn(table, reference.field) === column)) return true;
      const target = relationTarget(rowTable, reference.field);
      return target !== undefined && ((target === table.name && keys.has(column)) || (parentOfColumn !== undefined && target === parentOfColumn));
    };
    for (const read of reads) {
      if (reference.optional && !stopsWhenMissing(read)) continue;
      const rows = rowTableOf(reference.row, context.unit, context.schema, (node) => (node === read.call ? read.table : createdInTenant(node, sites)));
      const rowTable = rows?.table ?? (derivedFromRows([reference.row], context.unit, (node) => node === read.call) ? read.table : undefined);
      if (rowTable && matches(rowTable)) return true;
    }
    // A row a function of this file returns from a scoped read (`const existing = await findWidgetByType(projectId, type)`).
    if (reference.optional) return false;
    const returned = rowTableOf(reference.row, context.unit, context.schema, (node) => returnedRows(node, sites, context, scopedRead));
    return returned !== undefined && matches(returned.table);
  };
  if (filterValues(site).some(({ column, value }) => pins(site.table, column, value))) return true;
  // `where: { recipient: { id: recipient.id } }`: a relation filter that pins the related row to one of the tenant's.
  for (const property of site.whereObject?.properties ?? []) {
    if (property.type !== T.Property) continue;
    const relation = site.table.relations.get(propertyName(property) ?? '');
    const related = relation && relation.fields.length > 0 ? context.schema.tables.get(relation.target) : undefined;
    if (!related || (related.class !== 'tenant' && related.class !== 'child')) continue;
    const value = unwrap(property.value as Node);
    if (value.type !== T.ObjectExpression) continue;
    const alternatives = conjunctAlternatives(value);
    if (alternatives && alternatives.every((conjuncts) => conjuncts.some(({ column, value: v }) => pins(related, column, v)))) return true;
  }
  return false;
}

/**
 * The table of the rows a call of a function of this file returns, when every value it returns is
 * the rows of a scoped read in its body, or one of them (`const widgets = await findMany({ where: {
 * projectId } }); return widgets.find(...)`, openpanel's findWidgetByType), or nothing (`null`).
 */
function returnedRows(call: Node, sites: QuerySite[], context: AnalysisContext, accepts: (read: QuerySite) => boolean, depth = 0): Table | undefined {
  if (call.type !== T.CallExpression || depth > 1) return undefined;
  const found = functionOf(call, context.unit, context.resolver);
  if (!found || found.unit.file !== context.unit.file) return undefined;
  // The resolver may hold its own parse of this file: the same function in the tree the sites belong to.
  const fn = found.unit === context.unit ? found : sameNode(found.node, context.unit);
  if (!fn) return undefined;
  const reads = sites.filter((other) => other.operation === 'read' && accepts(other) && enclosingFunction(other.call) === fn.node);
  if (reads.length === 0) return undefined;
  const values: Node[] = [];
  if (fn.node.body?.type !== T.BlockStatement) {
    if (fn.node.body) values.push(fn.node.body);
  } else {
    walk(fn.node.body, (node) => {
      if (node.type === T.ReturnStatement && node.argument && enclosingFunction(node) === fn.node) values.push(node.argument);
    });
  }
  let table: Table | undefined;
  for (const value of values) {
    const plain = unwrap(value);
    if ((plain.type === T.Literal && plain.value === null) || (plain.type === T.Identifier && plain.name === 'undefined')) continue;
    const rows = rowTableOf(value, context.unit, context.schema, (node) => reads.find((read) => read.call === node)?.table ?? returnedRows(node, sites, context, accepts, depth + 1));
    if (!rows || (table && rows.table !== table)) return undefined;
    table = rows.table;
  }
  return table;
}

/** A filter on the table's own unique key, read from rows that `isQuery` (a query of the same table) returned. */
function ownKeyOfRows(site: QuerySite, context: AnalysisContext, isQuery: (node: Node) => boolean): boolean {
  const keys = new Set(uniqueKeysOf(site.table).flatMap((key) => [key, dbColumn(site.table, key)]));
  return filterValues(site).some(({ column, value }) => {
    const reference = keys.has(column) ? referenceIn(value, context.unit) : undefined;
    if (!reference || (reference.field !== column && dbColumn(site.table, reference.field) !== column)) return false;
    // The key of a related row loaded with them (`items[0].documentData.id`) is not the row's own.
    const rows = rowTableOf(reference.row, context.unit, context.schema, (node) => (isQuery(node) ? site.table : undefined));
    if (rows && rows.table !== site.table) return false;
    return derivedFromRows([reference.row], context.unit, isQuery) !== undefined;
  });
}

/**
 * The table of a row an insert of this file creates with the tenant key among the values it writes
 * (`create({ workspaceId: workspace.id, isAnonymous: true })`): a row of that tenant, whose id is the
 * tenant's as much as a scoped read's. Whose tenant it names is no-client-tenant-id's to judge.
 */
function createdInTenant(call: Node, sites: QuerySite[]): Table | undefined {
  const site = sites.find((other) => other.call === call && other.operation === 'insert');
  const data = site?.data && unwrap(site.data);
  if (!site || data?.type !== T.ObjectExpression) return undefined;
  const keys = new Set(site.table.tenantKeys.flatMap((key) => [key, dbColumn(site.table, key)]));
  return data.properties.some((p) => p.type === T.Property && keys.has(propertyName(p) ?? '')) ? site.table : undefined;
}

function scopedRead(read: QuerySite): boolean {
  return read.predicate.kind === 'scoped' && !read.predicate.condition && !read.predicate.credential;
}

/**
 * Selected by its own key read from a row a function of this file returns from a read of the same
 * table (`const existing = await findWidgetByType(projectId, type)`, then `shareWidget.update({ where:
 * { id: existing.id } })`, openpanel's widget router): that read decides, and is reported if unscoped,
 * as for a read of the same table in the query's own function (keyedByRowsOf).
 */
function keyedByHelperRows(site: QuerySite, sites: QuerySite[], context: AnalysisContext): boolean {
  const keys = new Set(uniqueKeysOf(site.table).flatMap((key) => [key, dbColumn(site.table, key)]));
  return filterValues(site).some(({ column, value }) => {
    const reference = keys.has(column) ? referenceIn(value, context.unit) : undefined;
    if (!reference || reference.optional || (reference.field !== column && dbColumn(site.table, reference.field) !== column)) return false;
    const rows = rowTableOf(reference.row, context.unit, context.schema, (node) => returnedRows(node, sites, context, (read) => read.table === site.table));
    return rows?.table === site.table;
  });
}

/** The function of `unit`'s tree at the place `node` has in another parse of the same file. */
function sameNode(node: TSESTree.FunctionLike, unit: AnalysisContext['unit']): { node: TSESTree.FunctionLike; unit: AnalysisContext['unit'] } | undefined {
  let match: TSESTree.FunctionLike | undefined;
  walk(unit.ast, (inner) => {
    if (!match && inner.type === node.type && inner.range[0] === node.range[0] && inner.range[1] === node.range[1]) match = inner as TSESTree.FunctionLike;
  });
  return match && { node: match, unit };
}

/**
 * The conjuncts of a Prisma filter object, one list per way its conditional spreads can go
 * (`{ a, ...(cond ? { b } : { c }) }` is `[a, b]` or `[a, c]`); undefined for any other spread.
 */
function conjunctAlternatives(object: TSESTree.ObjectExpression, depth = 0): { column: string; value: Node }[][] | undefined {
  let alternatives: { column: string; value: Node }[][] = [[]];
  for (const property of object.properties) {
    if (property.type === T.Property) {
      const column = propertyName(property);
      if (!column) continue;
      const entry = { column, value: unwrap(property.value as Node) };
      alternatives = alternatives.map((list) => [...list, entry]);
      continue;
    }
    const spread = unwrap(property.argument);
    if (spread.type !== T.ConditionalExpression || depth > 2) return undefined;
    const branches: { column: string; value: Node }[][] = [];
    for (const branch of [spread.consequent, spread.alternate]) {
      const inner = unwrap(branch);
      if (inner.type !== T.ObjectExpression) return undefined;
      const lists = conjunctAlternatives(inner, depth + 1);
      if (!lists) return undefined;
      branches.push(...lists);
    }
    alternatives = alternatives.flatMap((list) => branches.map((branch) => [...list, ...branch]));
  }
  return alternatives;
}

/** The table a single-column relation of `table` on `column` (a field or its database name) points to. */
function relationTarget(table: Table, column: string): string | undefined {
  for (const relation of table.relations.values()) {
    if (relation.fields.length !== 1) continue;
    const field = relation.fields[0]!;
    if (field === column || table.columns.get(field)?.dbName === column) return relation.target;
  }
  return undefined;
}

/** `row.project_id` or `rows.map((r) => r.project_id)`: the rows and the field read from them. */
function referenceIn(value: Node, unit?: AnalysisContext['unit']): { row: Node; field: string; optional: boolean } | undefined {
  const node = value.type === T.ChainExpression ? value.expression : value;
  const plain = unwrap(node);
  // `const { baseId } = invitation`, then `{ id: baseId }`: the field destructured from the row.
  if (plain.type === T.Identifier && unit) {
    const def = variableOf(unit.scopeManager, plain)?.defs[0];
    const property = def?.name.parent;
    const declarator = def?.node;
    if (def?.type === 'Variable' && declarator?.type === T.VariableDeclarator && declarator.init && declarator.id.type === T.ObjectPattern && property?.type === T.Property && property.parent === declarator.id && property.value === def.name && declarator.parent?.type === T.VariableDeclaration && declarator.parent.kind === 'const') {
      const field = propertyName(property);
      const row = unwrap(declarator.init);
      if (field && row.type === T.Identifier) return { row, field, optional: false };
    }
    // `const ids = userVideos.map((v) => v.id)`, then `inArray(videos.id, ids)` (Cap's remove-videos): what the const holds.
    if (def?.type === 'Variable' && declarator?.type === T.VariableDeclarator && declarator.id === def.name && declarator.init && declarator.parent?.type === T.VariableDeclaration && declarator.parent.kind === 'const') {
      const init = unwrap(declarator.init);
      if (init.type === T.MemberExpression || init.type === T.CallExpression || init.type === T.ChainExpression) return referenceIn(init);
    }
    // `let ids = toAud.templates.map((t) => t.id)`, later only `ids = ids.filter(...)`: what it started with.
    const start = narrowedFrom(plain, unit);
    const init = start && unwrap(start);
    if (init && (init.type === T.MemberExpression || init.type === T.CallExpression)) return referenceIn(init);
    return undefined;
  }
  // `ids[i]`: one of the ids.
  if (plain.type === T.MemberExpression && plain.computed && unwrap(plain.object).type === T.Identifier && unit) {
    const ids = referenceIn(unwrap(plain.object), unit);
    return ids && { ...ids, optional: ids.optional || plain.optional };
  }
  // Prisma's `{ in: ... }` / `{ equals: ... }`.
  if (plain.type === T.ObjectExpression && plain.properties.length === 1) {
    const only = plain.properties[0]!;
    return only.type === T.Property && ['in', 'equals'].includes(propertyName(only) ?? '') ? referenceIn(only.value as Node, unit) : undefined;
  }
  if (plain.type === T.MemberExpression && !plain.computed && plain.property.type === T.Identifier) {
    return { row: plain.object, field: plain.property.name, optional: plain.optional || hasOptional(plain.object) };
  }
  if (plain.type === T.CallExpression && plain.callee.type === T.MemberExpression && memberName(plain.callee) === 'map' && plain.arguments.length === 1) {
    const fn = plain.arguments[0]!;
    if (fn.type !== T.ArrowFunctionExpression || fn.params.length !== 1 || fn.params[0]!.type !== T.Identifier) return undefined;
    const param = fn.params[0].name;
    const body = fn.body.type === T.ChainExpression ? fn.body.expression : fn.body;
    if (body.type !== T.MemberExpression || body.computed || body.property.type !== T.Identifier) return undefined;
    if (body.object.type !== T.Identifier || body.object.name !== param) return undefined;
    return { row: plain.callee.object, field: body.property.name, optional: false };
  }
  return undefined;
}

function hasOptional(node: Node): boolean {
  let found = false;
  walk(node, (inner) => {
    if ((inner.type === T.MemberExpression || inner.type === T.CallExpression) && inner.optional) found = true;
  });
  return found;
}

/**
 * The row this function just inserted, read back or changed by the key the insert returned
 * (`insert(...).select('id').single()`, `.returning('id')`, Prisma `create`): whatever tenant the
 * insert wrote, no other tenant's existing row has that key. Whether the insert's own tenant came
 * from the client is no-client-tenant-id's question.
 */
function insertedHere(site: QuerySite, sites: QuerySite[], context: AnalysisContext): boolean {
  if (madeByProjectFunction(site, context)) return true;
  const fns = enclosingFunctions(site.call);
  const inserts = sites.filter((other) => other !== site && other.table === site.table && other.operation === 'insert' && other.call.range[0] < site.call.range[0] && fns.has(enclosingFunction(other.call)));
  if (inserts.length === 0) return false;
  const keys = new Set(uniqueKeysOf(site.table).flatMap((key) => [key, dbColumn(site.table, key)]));
  return filterValues(site).some(({ column, value }) => keys.has(column) && derivedFromRows([value], context.unit, (node) => inserts.some((insert) => insert.call === node)));
}

/**
 * The same through a project function: the query's unique key is that key of a row a project function
 * created in this function (`envelope = await createDocumentFromTemplate({ teamId: team.id, ... })`, then
 * `envelope.update({ where: { id: envelope.id } })`, documenso's API v1), or loaded when handed the
 * tenant's id (`const existing = await findWidgetByType(input.projectId, type)`, then `update({ where:
 * { id: existing.id } })`, openpanel's widget router). See createdRow in shared/paths.ts, which the
 * path search applies to the ids callers hand on. A helper handed only the client's id vouches for nothing.
 */
function madeByProjectFunction(site: QuerySite, context: AnalysisContext): boolean {
  if (!context.root || site.operation === 'insert') return false;
  const keys = new Set(uniqueKeysOf(site.table).flatMap((key) => [key, dbColumn(site.table, key)]));
  const options = pathOptions(context, context.root);
  return filterValues(site).some(({ column, value }) => {
    const reference = referenceIn(value);
    if (!reference) return false;
    if (keys.has(column)) return (reference.field === column || dbColumn(site.table, reference.field) === column) && rowMadeOrLoaded(reference.row, context.unit, options) !== undefined;
    // The key of a parent row loaded within the tenant by a helper of another file (useSend's
    // `contactBook = await getContactBook(c, team.id)`, then `contact.findFirst({ where: { id, contactBookId:
    // contactBook.id } })`, issue 13): the rows hang off the tenant's own parent, as in scopedThroughParent.
    const target = relationTarget(site.table, column);
    const parent = target ? context.schema.tables.get(target) : undefined;
    if (!parent || (parent.class !== 'tenant' && parent.class !== 'child')) return false;
    if (!uniqueKeysOf(parent).some((key) => key === reference.field || dbColumn(parent, key) === reference.field)) return false;
    return rowMadeOrLoaded(reference.row, context.unit, options)?.loaded === true;
  });
}

/** The columns the filter compares with a value: from the object or the chain, else (raw SQL) the `where` keys its recognizer read. */
function pinnedColumns(site: QuerySite): string[] {
  return site.whereObject || site.equalities ? filterValues(site).map(({ column }) => column) : Object.keys(site.whereKeys ?? {});
}

/** Whose rows a filter names: the ORM's filter values, or raw SQL's parameters by column (`WHERE id = $1`). */
function ownerFilterValues(site: QuerySite): { column: string; value: Node }[] {
  const values = filterValues(site);
  return values.length ? values : (site.keyValues ?? []);
}

/** The top-level conjuncts of a filter and their values: a chain's (`.eq`, `.in`, `.where`), or a `where` object's. */
function filterValues(site: QuerySite): { column: string; value: Node }[] {
  if (site.equalities) return site.equalities;
  const found: { column: string; value: Node }[] = [];
  for (const property of site.whereObject?.properties ?? []) {
    const key = property.type === T.Property ? propertyName(property) : undefined;
    if (property.type !== T.Property || !key) continue;
    let value = unwrap(property.value);
    // Prisma `{ groupId: { in: ids } }`
    if (value.type === T.ObjectExpression) {
      const inner = value.properties.find((p): p is TSESTree.Property => p.type === T.Property && ['in', 'equals'].includes(propertyName(p) ?? ''));
      if (!inner) continue;
      value = unwrap(inner.value);
    }
    found.push({ column: key, value });
  }
  return found;
}

/**
 * The scoped read must stop the function when the row is not the tenant's: `findFirstOrThrow`,
 * or a result that is checked (`if (!email) throw ...`). A `findFirst` whose null result is
 * ignored lets the write below run for any id.
 */
function stopsWhenMissing(read: QuerySite): boolean {
  // Prisma `findFirstOrThrow`, TypeORM `findOneOrFail`/`getOneOrFail`, Kysely `executeTakeFirstOrThrow`.
  if (/Or(Throw|Fail)$/.test(read.method)) return true;
  const declared = declarationOf(read);
  if (!declared) return false;
  return declared.after.some((next) => next.type === T.IfStatement && mentions(next.test, declared.name) && exits(next.consequent));
}

function mentions(node: Node, name: string): boolean {
  let found = false;
  walk(node, (inner) => {
    if (inner.type === T.Identifier && inner.name === name) found = true;
  });
  return found;
}

/** `const row = await <read>`: the variable and the statements that follow it in its block. */
function declarationOf(site: QuerySite): { name: string; after: Node[] } | undefined {
  const climb = (from: Node): Node => {
    let node = from;
    for (;;) {
      const parent = node.parent;
      if (parent && (parent.type === T.AwaitExpression || parent.type === T.TSNonNullExpression || parent.type === T.TSAsExpression)) node = parent;
      else if (parent?.type === T.MemberExpression && parent.object === node && parent.parent?.type === T.CallExpression && keepsMissing(parent.parent, parent)) node = parent.parent;
      // `(await db.select()...)[0]`, `... ?? null`: the first row, or nothing when there is none.
      else if (parent?.type === T.MemberExpression && parent.object === node && parent.computed && parent.property.type === T.Literal && parent.property.value === 0) node = parent;
      else if (parent?.type === T.LogicalExpression && parent.left === node && (parent.operator === '??' || parent.operator === '||') && nothing(unwrap(parent.right))) node = parent;
      else return node;
    }
  };
  let node = climb(site.call);
  // `let domain = null; if (...) { domain = await <read>; } else { domain = await <read>; } if (!domain) return ...`
  // (useSend's verify-domain.ts, issue 13): the check after the branches stops a missing row of this read.
  if (node.parent?.type === T.AssignmentExpression && node.parent.operator === '=' && node.parent.right === node && node.parent.left.type === T.Identifier) return assignedLet(node.parent, node.parent.left.name);
  let id: Node | undefined;
  // `const [{ data: a }, { data: b }] = await Promise.all([<read>, <read>])`: the read's element.
  const list = node.parent;
  const all = list?.parent;
  if (list?.type === T.ArrayExpression && all?.type === T.CallExpression && all.arguments[0] === list && isPromiseAll(all)) {
    const index = list.elements.indexOf(node as TSESTree.Expression);
    node = climb(all);
    const pattern = node.parent?.type === T.VariableDeclarator ? node.parent.id : undefined;
    if (pattern?.type !== T.ArrayPattern) return undefined;
    id = pattern.elements[index] ?? undefined;
  }
  const declarator = node.parent;
  if (declarator?.type !== T.VariableDeclarator) return undefined;
  id ??= declarator.id;
  const name = rowBinding(id, site);
  if (!name) return undefined;
  const statement = declarator.parent?.type === T.VariableDeclaration ? declarator.parent : undefined;
  const block = statement?.parent;
  if (!statement || (block?.type !== T.BlockStatement && block?.type !== T.Program)) return undefined;
  return { name, after: block.body.slice(block.body.indexOf(statement) + 1) };
}

/**
 * A read assigned to a `let` that starts empty, declared in an enclosing block: the statements of that
 * block after the one that holds the assignment, up to the next statement that assigns the name again.
 */
function assignedLet(assignment: TSESTree.AssignmentExpression, name: string): { name: string; after: Node[] } | undefined {
  let holder: Node = assignment;
  for (let block: Node | undefined = assignment.parent; block; holder = block, block = block.parent as Node | undefined) {
    if (block.type === T.ArrowFunctionExpression || block.type === T.FunctionExpression || block.type === T.FunctionDeclaration) return undefined;
    if (block.type !== T.BlockStatement && block.type !== T.Program) continue;
    const index = block.body.indexOf(holder as TSESTree.Statement);
    const declared = block.body.slice(0, index).some(
      (statement) =>
        statement.type === T.VariableDeclaration &&
        statement.kind === 'let' &&
        statement.declarations.some((d) => d.id.type === T.Identifier && d.id.name === name && (!d.init || nothing(unwrap(d.init)))),
    );
    if (!declared) continue;
    const after: Node[] = [];
    for (const statement of block.body.slice(index + 1)) {
      if (assigns(statement, name)) break;
      after.push(statement);
    }
    return { name, after };
  }
  return undefined;
}

function assigns(node: Node, name: string): boolean {
  let found = false;
  walk(node, (inner) => {
    if (inner.type === T.AssignmentExpression && inner.left.type === T.Identifier && inner.left.name === name) found = true;
  });
  return found;
}

/**
 * `<read>.catch(() => { throw new TRPCError(...) })`, `.catch(() => null)`: a handler that throws, or
 * hands back nothing, leaves the result a row or nothing, so a check of the result still stops on a
 * missing row (unkey's github router). A handler that returns some value (`.catch(() => ({}))`, an error
 * response) would pass the check: not followed.
 */
function keepsMissing(call: TSESTree.CallExpression, member: TSESTree.MemberExpression): boolean {
  if (call.callee !== member || memberName(member) !== 'catch' || call.arguments.length !== 1) return false;
  const handler = unwrap(call.arguments[0] as Node);
  if (handler.type !== T.ArrowFunctionExpression && handler.type !== T.FunctionExpression) return false;
  if (handler.body.type !== T.BlockStatement) return nothing(unwrap(handler.body));
  let ok = true;
  walk(handler.body, (node) => {
    if (node.type === T.ReturnStatement && enclosingFunction(node) === handler && node.argument && !nothing(unwrap(node.argument))) ok = false;
  });
  return ok;
}

/** `null`, `undefined`, `false`: a value a check of the row treats as missing. */
function nothing(node: Node): boolean {
  return (node.type === T.Literal && (node.value === null || node.value === false)) || (node.type === T.Identifier && node.name === 'undefined');
}

function isPromiseAll(call: TSESTree.CallExpression): boolean {
  const callee = unwrap(call.callee);
  return callee.type === T.MemberExpression && memberName(callee) === 'all' && unwrap(callee.object).type === T.Identifier && (unwrap(callee.object) as TSESTree.Identifier).name === 'Promise';
}

/**
 * The name the row is bound to: `const row = ...`; supabase-js `const { data: row } = ...`; a list of
 * rows destructured to its first (`const [row] = await db.select()...`, Drizzle, Kysely, Knex, Prisma
 * `findMany`); pg's `const { rows: [row] } = await pool.query(...)`. mysql2's and Sequelize's
 * `const [rows] = await x.query(...)` is the list, not a row: not bound.
 */
function rowBinding(id: Node, site: QuerySite): string | undefined {
  if (id.type === T.Identifier) return id.name;
  if (id.type === T.ObjectPattern) {
    const data = dataBinding(id);
    if (data) return data;
    const rows = id.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'rows');
    return rows?.value.type === T.ArrayPattern ? firstOnly(rows.value) : undefined;
  }
  if (id.type === T.ArrayPattern && !returnsTuple(site)) return firstOnly(id);
  return undefined;
}

/** `[row]`: a pattern that binds the first element alone. */
function firstOnly(pattern: TSESTree.ArrayPattern): string | undefined {
  const [first] = pattern.elements;
  return pattern.elements.length === 1 && first?.type === T.Identifier ? first.name : undefined;
}

/**
 * `query`/`execute` of mysql2 and Sequelize (and Drizzle's `execute` on mysql2) resolve to `[rows, fields]`:
 * the first element is the list, not a row.
 */
function returnsTuple(site: QuerySite): boolean {
  if (site.orm !== 'sql' && site.orm !== 'sequelize') return false;
  const callee = unwrap(site.call.callee);
  const method = callee.type === T.MemberExpression ? memberName(callee) : undefined;
  return /^(query|execute)$/.test(method ?? site.method);
}

function dataBinding(pattern: TSESTree.ObjectPattern): string | undefined {
  for (const property of pattern.properties) {
    if (property.type === T.Property && propertyName(property) === 'data' && property.value.type === T.Identifier) return property.value.name;
  }
  return undefined;
}

function uniqueKeysOf(table: Table): string[] {
  return [...table.primaryKey, ...table.uniques.filter((u) => u.fields.length === 1).map((u) => u.fields[0])];
}

/**
 * A post-fetch ownership guard: `const row = await ...findUnique({ where: { id } })` followed in the
 * same block by `if (!row || row.orgId !== ctx.orgId) throw ...` (or `return`), an
 * `assert(row.orgId === orgId)`, a configured `ownershipGuards` call (`authorize(user, 'read', row)`),
 * or a call of a project function that does one of these to its parameter. The guard must dominate
 * every use of the row: a guard after `res.json(row)`, or on another variable, is not one.
 */
function guardedAfter(site: QuerySite, sites: QuerySite[], context: AnalysisContext): boolean {
  return guardOf(site, sites, context) !== undefined;
}

/** The statement that checks the row (see guardedAfter), when one does before any use of it. */
function guardOf(site: QuerySite, sites: QuerySite[], context: AnalysisContext): Node | undefined {
  if (site.operation !== 'read') return undefined;
  const declared = declarationOf(site);
  if (!declared) return undefined;
  const keys = site.table.class === 'child' ? [] : site.table.tenantKeys;
  const owners = ownerColumns(site.table, context.schema);
  const parent = parentCheck(site, declared, sites, context);
  const scan = (statements: Node[], depth: number): Node | undefined => {
    for (const [index, next] of statements.entries()) {
      // Until the parent's check, the row's key to that parent may be read: it is what the check is handed.
      const allowed = parent && parent.exit.range[1] >= next.range[1] ? parent.columns : undefined;
      if (parent && next === parent.exit) return usesRow(next, declared.name, allowed) ? undefined : next;
      if (isGuardStatement(next, declared.name, keys, context, 0)) return next;
      if (ownerGuard(next, declared.name, owners)) return next;
      // `if (!(widget && widget.public)) throw ...`: only a row its tenant published goes on.
      if (next.type === T.IfStatement && exits(next.consequent) && publishedTest(next.test, declared.name, site.table)) return next;
      if (checkedVerdict(next, statements.slice(index + 1), declared.name, keys)) return next;
      if (answersWithComparison(next, declared.name, owners, keys)) return next;
      // `if (row) { if (row.ownerId !== user.id) throw ...; ... }`: the row is used only in a branch that checks it first.
      const branch = presentBranch(next, declared.name);
      if (branch && depth < 2) return scan(branch, depth + 1);
      if (usesRow(next, declared.name, allowed)) return undefined;
    }
    return undefined;
  };
  return scan(declared.after, 0);
}

/**
 * A check that answers with the comparison alone: `return doc?.ownerId === userId`, `return !!doc && doc.orgId === orgId`.
 * The row is read only to compare its owner with the verified user (or its tenant key), and only the
 * boolean leaves the function: the read is the check. An owner compared with anything else is not one.
 */
function answersWithComparison(statement: Node, row: string, owners: string[], keys: string[]): boolean {
  if (statement.type !== T.ReturnStatement || !statement.argument) return false;
  let compared = false;
  let other = false;
  walk(statement.argument, (node) => {
    if (other || node.type !== T.Identifier || node.name !== row) return;
    const parent = node.parent;
    if ((parent?.type === T.MemberExpression && parent.property === node && !parent.computed) || (parent?.type === T.Property && parent.key === node && !parent.shorthand)) return;
    // `!doc`, `!!doc && ...`, `doc && ...`: whether there is a row, nothing of it.
    if (parent?.type === T.UnaryExpression && parent.operator === '!') return;
    if (parent?.type === T.LogicalExpression && parent.left === node) return;
    let side: Node | undefined = parent?.type === T.MemberExpression && parent.object === node ? parent : undefined;
    while (side?.parent?.type === T.ChainExpression) side = side.parent;
    const comparison = side?.parent;
    if (side && comparison?.type === T.BinaryExpression && ['===', '!==', '==', '!='].includes(comparison.operator)) {
      const against = comparison.left === side ? comparison.right : comparison.left;
      if (isRowKey(side, row, owners) && IDENTITY_VALUE.test(flatText(against)) && !REQUEST_VALUE.test(flatText(against))) {
        compared = true;
        return;
      }
      if (isRowKey(side, row, keys)) {
        compared = true;
        return;
      }
    }
    other = true;
  });
  return compared && !other;
}

/** `if (row) { ... }` (or `row !== null`, `row !== undefined`) with no `else` that reads the row: the branch's statements. */
function presentBranch(statement: Node, row: string): Node[] | undefined {
  if (statement.type !== T.IfStatement || (statement.alternate && mentions(statement.alternate, row))) return undefined;
  const test = unwrap(statement.test);
  const isRow = (node: Node) => {
    const inner = unwrap(node);
    return inner.type === T.Identifier && inner.name === row;
  };
  const isNothing = (node: Node) => {
    const inner = unwrap(node);
    return (inner.type === T.Literal && inner.value === null) || (inner.type === T.Identifier && inner.name === 'undefined');
  };
  const present = isRow(test) || (test.type === T.BinaryExpression && ['!==', '!='].includes(test.operator) && ((isRow(test.left) && isNothing(test.right)) || (isRow(test.right) && isNothing(test.left))));
  if (!present) return undefined;
  return statement.consequent.type === T.BlockStatement ? statement.consequent.body : [statement.consequent];
}

/**
 * Read by id, then verified through its parent: a scoped read of the table the row's key references,
 * keyed by that key of the row, whose empty result stops the function
 * (`const a = await prisma.attachment.findFirst({ where: { id } }); if (!a) throw ...;
 * const doc = await prisma.doc.findFirst({ where: { id: a.docId, teamId } }); if (!doc) throw ...`,
 * documenso's delete-attachment.ts). The parent is the tenant's, so the row that hangs off it is too.
 * The parent read counts when it is scoped, keyed by the verified user's own rows, or not analysable
 * (already reported as such, as in verifiedEarlier). Returns the statement that stops the function and
 * the row's keys the check may read before it.
 */
function parentCheck(site: QuerySite, declared: { name: string; after: Node[] }, sites: QuerySite[], context: AnalysisContext): { exit: Node; columns: Set<string> } | undefined {
  const parents = new Map<string, Table>();
  for (const relation of site.table.relations.values()) {
    const target = relation.fields.length === 1 ? context.schema.tables.get(relation.target) : undefined;
    if (!target || (target.class !== 'tenant' && target.class !== 'child')) continue;
    const field = relation.fields[0]!;
    parents.set(field, target);
    parents.set(site.table.columns.get(field)?.dbName ?? field, target);
  }
  if (parents.size === 0) return undefined;
  const fn = enclosingFunction(site.call);
  for (const other of sites) {
    if (other === site || other.operation !== 'read' || other.call.range[0] < site.call.range[1] || enclosingFunction(other.call) !== fn) continue;
    const predicate = other.predicate;
    const vouches = (predicate.kind === 'scoped' && !predicate.condition && !predicate.credential) || predicate.kind === 'unknown' || byVerifiedUser(other, context.schema);
    if (!vouches) continue;
    const columns = [...parents].filter(([, table]) => table === other.table).map(([column]) => column);
    if (columns.length === 0 || !keyedByRow(other, declared.name, columns, context)) continue;
    const exit = exitOf(other, declared.after);
    if (exit) return { exit, columns: new Set(columns) };
  }
  return undefined;
}

/**
 * Whether a query's filter is made of `row.<column>`: in its arguments, or in the locals they are
 * built from (`const { where } = await whereFor({ id: row.docId, userId })`), up to three steps back.
 */
function keyedByRow(site: QuerySite, row: string, columns: string[], context: AnalysisContext): boolean {
  const { unit } = context;
  const seen = new Set<Node>();
  let found = false;
  const visit = (root: Node, depth: number): void => {
    walk(root, (node) => {
      if (found) return;
      if (node.type === T.MemberExpression && !node.computed) {
        const object = unwrap(node.object);
        if (object.type === T.Identifier && object.name === row && columns.includes(memberName(node) ?? '')) found = true;
        return;
      }
      if (node.type !== T.Identifier || node.name === row || depth >= 3) return;
      const parent = node.parent;
      if (parent?.type === T.MemberExpression && parent.property === node && !parent.computed) return;
      if (parent?.type === T.Property && parent.key === node && !parent.shorthand) return;
      const def = variableOf(unit.scopeManager, node)?.defs[0];
      if (def?.node.type !== T.VariableDeclarator || !def.node.init || seen.has(def.node)) return;
      seen.add(def.node);
      visit(def.node.init, depth + 1);
    });
  };
  // The arguments of every call of the chain (`db.select().from(t).where(eq(t.id, row.docId))`), not its receiver.
  walk(chainOf(site.call), (node) => {
    if (node.type === T.CallExpression) for (const arg of node.arguments) visit(arg, 0);
  });
  return found;
}

/** The whole call chain a query call is part of (`db.select().from(t).where(...)`). */
function chainOf(call: Node): Node {
  let node = call;
  for (;;) {
    const parent = node.parent;
    if (parent?.type === T.MemberExpression && parent.object === node && parent.parent?.type === T.CallExpression && parent.parent.callee === parent) node = parent.parent;
    else return node;
  }
}

/**
 * The statement of `block` that stops the function when the read found nothing: the read itself when it
 * throws (`findFirstOrThrow`), or the `if (!row) throw/return` on its result.
 */
function exitOf(read: QuerySite, block: Node[]): Node | undefined {
  const top = block.find((statement) => statement.range[0] <= read.call.range[0] && read.call.range[1] <= statement.range[1]);
  if (!top) return undefined;
  if (/Or(Throw|Fail)$/.test(read.method)) return top;
  const declared = declarationOf(read);
  if (!declared) return undefined;
  const exit = declared.after.find((next) => next.type === T.IfStatement && mentions(next.test, declared.name) && exits(next.consequent));
  return exit && block.includes(exit) ? exit : undefined;
}

/** Columns of `table` that reference a table of users (not tenant data, not the root): the row's owner. */
function ownerColumns(table: Table, schema: TenantSchema): string[] {
  const found: string[] = [];
  for (const relation of table.relations.values()) {
    const target = schema.tables.get(relation.target);
    if (relation.fields.length !== 1 || !target || target.class === 'tenant' || target.class === 'child' || target.name === schema.root) continue;
    const field = relation.fields[0] as string;
    found.push(field, table.columns.get(field)?.dbName ?? field);
  }
  return found;
}

/** `if (template.created_by !== user.id) return 403`: the row's owner compared with the verified user, exiting. */
function ownerGuard(statement: Node, row: string, owners: string[]): boolean {
  if (statement.type !== T.IfStatement || owners.length === 0 || !exits(statement.consequent)) return false;
  let found = false;
  walk(statement.test, (node) => {
    if (found || node.type !== T.BinaryExpression || !['!==', '!='].includes(node.operator)) return;
    const [a, b] = [unwrap(node.left), unwrap(node.right)];
    for (const [side, other] of [[a, b], [b, a]] as const) {
      if (isRowKey(side, row, owners) && IDENTITY_VALUE.test(flatText(other))) found = true;
    }
  });
  return found;
}

/**
 * A check handed the row's tenant and the verified user (or the request), whose verdict exits:
 * `const m = await verifyMembership({ wsId: row.ws_id, userId: user.id }); if (!m.ok) return 403`,
 * `const { data: allowed } = await sb.rpc('has_permission', { p_ws_id: row.ws_id, p_user_id: user.id }); if (!allowed) return`,
 * `if (!(await canEdit(user.id, row.orgId))) throw ...`.
 */
function checkedVerdict(statement: Node, after: Node[], row: string, keys: string[]): boolean {
  if (keys.length === 0) return false;
  if (statement.type === T.IfStatement) {
    if (!exits(statement.consequent)) return false;
    const test = unwrap(statement.test);
    if (test.type !== T.UnaryExpression || test.operator !== '!') return false;
    const inner = unwrap(test.argument.type === T.AwaitExpression ? test.argument.argument : test.argument);
    return inner.type === T.CallExpression && handsRowAndUser(inner, row, keys);
  }
  if (statement.type !== T.VariableDeclaration || statement.declarations.length !== 1) return false;
  const declarator = statement.declarations[0] as TSESTree.VariableDeclarator;
  const init = declarator.init ? unwrap(declarator.init) : undefined;
  const call = init?.type === T.AwaitExpression ? unwrap(init.argument) : init;
  if (call?.type !== T.CallExpression || !handsRowAndUser(call, row, keys)) return false;
  const name = declarator.id.type === T.Identifier ? declarator.id.name : declarator.id.type === T.ObjectPattern ? dataBinding(declarator.id) : undefined;
  if (!name) return false;
  const next = after.find((s) => mentions(s, name));
  if (next?.type !== T.IfStatement || !exits(next.consequent)) return false;
  const test = unwrap(next.test);
  if (test.type === T.UnaryExpression && test.operator === '!' && unwrap(test.argument).type === T.Identifier && (unwrap(test.argument) as TSESTree.Identifier).name === name) return true;
  return testsFailure(next.test, name);
}

function handsRowAndUser(call: TSESTree.CallExpression, row: string, keys: string[]): boolean {
  let tenant = false;
  let user = false;
  walk(call, (node) => {
    if (node === call.callee) return;
    if (node.type === T.MemberExpression && isRowKey(node, row, keys)) tenant = true;
    if ((node.type === T.MemberExpression || node.type === T.Identifier) && (IDENTITY_VALUE.test(flatText(node)) || (node.type === T.Identifier && REQUEST_NAMES.has(node.name)))) user = true;
  });
  return tenant && user;
}

const REQUEST_NAMES = new Set(['req', 'request']);

function flatText(node: Node): string {
  const value = unwrap(node);
  if (value.type === T.Identifier) return value.name;
  if (value.type === T.MemberExpression && !value.computed) return `${flatText(value.object)}.${memberName(value) ?? ''}`;
  if (value.type === T.ChainExpression) return flatText(value.expression).replace(/\?\./g, '.');
  return '';
}

/**
 * A use of the row before its guard: anything but `if (!row) throw/return` that mentions it, other than a
 * read of one of the `allowed` keys (`row.docId` handed to the check of its parent).
 */
function usesRow(statement: Node, row: string, allowed?: ReadonlySet<string>): boolean {
  if (statement.type === T.IfStatement && exits(statement.consequent) && !mentions(statement.consequent, row) && !statement.alternate) return false;
  if (!allowed) return mentions(statement, row);
  let used = false;
  walk(statement, (node) => {
    if (used || node.type !== T.Identifier || node.name !== row) return;
    const parent = node.parent;
    // `prisma.attachment.delete(...)`, `{ attachment: x }`: a name, not the row.
    if ((parent?.type === T.MemberExpression && parent.property === node && !parent.computed) || (parent?.type === T.Property && parent.key === node && !parent.shorthand)) return;
    if (parent?.type === T.MemberExpression && parent.object === node && !parent.computed && allowed.has(memberName(parent) ?? '')) return;
    used = true;
  });
  return used;
}

function isGuardStatement(statement: Node, row: string, keys: string[], context: AnalysisContext, depth: number): boolean {
  if (statement.type === T.IfStatement) return comparesTenantKey(statement.test, row, keys, ['!==', '!=']) && exits(statement.consequent);
  if (statement.type !== T.ExpressionStatement) return false;
  const call = unwrap(statement.expression.type === T.AwaitExpression ? statement.expression.argument : statement.expression);
  if (call.type !== T.CallExpression) return false;
  const callee = unwrap(call.callee);
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (!name) return false;
  const argIndex = call.arguments.findIndex((a) => mentions(a, row));
  if (argIndex < 0) return false;
  if ((context.config.ownershipGuards ?? []).includes(name)) return true;
  // `assert(row.orgId === orgId)`, `invariant(...)`: throws unless the tenant matches.
  if (ASSERTIONS.has(name)) return comparesTenantKey(call.arguments[0] ?? call, row, keys, ['===', '==']);
  return depth === 0 && callee.type === T.Identifier && projectGuard(callee, argIndex, keys, context);
}

const ASSERTIONS = new Set(['assert', 'invariant', 'ok', 'strictEqual']);

/** `assertSameTenant(row, ctx)`: a project function that guards the parameter the row is passed as. */
function projectGuard(callee: TSESTree.Identifier, argIndex: number, keys: string[], context: AnalysisContext): boolean {
  const binding = context.resolver.bindingOf(callee, context.unit, 1);
  if (binding.kind !== 'function') return false;
  const param = binding.fn.node.params[argIndex];
  const name = param?.type === T.Identifier ? param.name : param?.type === T.AssignmentPattern && param.left.type === T.Identifier ? param.left.name : undefined;
  const body = binding.fn.node.body;
  if (!name || body?.type !== T.BlockStatement) return false;
  return body.body.some((statement) => isGuardStatement(statement, name, keys, context, 1));
}

/**
 * `row.orgId !== x`, Sequelize's `row.get('orgId') !== x`, and the ObjectId forms: `String(row.tenant) !== x`,
 * `row.tenant.toString() !== x`, `!row.tenant.equals(x)` (for `!==`; without `!` for `===`).
 */
function comparesTenantKey(test: Node, row: string, keys: string[], operators: string[]): boolean {
  const negated = operators.includes('!==');
  let found = false;
  walk(test, (node) => {
    if (found) return;
    if (node.type === T.BinaryExpression && operators.includes(node.operator)) {
      if ([node.left, node.right].some((side) => isRowKey(side, row, keys))) found = true;
      return;
    }
    // `row.tenant.equals(x)`, under `!` when the guard is on inequality.
    if (node.type !== T.CallExpression || node.callee.type !== T.MemberExpression || memberName(node.callee) !== 'equals') return;
    if (!isRowKey(node.callee.object, row, keys)) return;
    const underNot = node.parent?.type === T.UnaryExpression && node.parent.operator === '!';
    if (underNot === negated) found = true;
  });
  return found;
}

function isRowKey(side: Node, row: string, keys: string[]): boolean {
  let value = unwrap(side);
  // String(row.tenant), row.tenant.toString()
  // Sequelize without declared attributes: row.get('companyId')
  if (value.type === T.CallExpression && value.callee.type === T.MemberExpression && memberName(value.callee) === 'get') {
    const object = unwrap(value.callee.object);
    const arg = value.arguments[0];
    return object.type === T.Identifier && object.name === row && arg?.type === T.Literal && typeof arg.value === 'string' && keys.includes(arg.value);
  }
  if (value.type === T.CallExpression && value.callee.type === T.Identifier && value.callee.name === 'String' && value.arguments[0]) value = unwrap(value.arguments[0]);
  else if (value.type === T.CallExpression && value.callee.type === T.MemberExpression && memberName(value.callee) === 'toString') value = unwrap(value.callee.object);
  if (value.type !== T.MemberExpression) return false;
  const object = unwrap(value.object);
  return object.type === T.Identifier && object.name === row && keys.includes(memberName(value) ?? '');
}

/** A `throw`, a `return`, or Koa's `ctx.throw(404)`. */
function exits(statement: Node): boolean {
  let found = false;
  walk(statement, (node) => {
    if (node.type === T.ThrowStatement || node.type === T.ReturnStatement) found = true;
    if (node.type === T.CallExpression && node.callee.type === T.MemberExpression && memberName(node.callee) === 'throw') found = true;
  });
  return found;
}

/**
 * `SET app.tenant_id = ...` or `set_config('app.tenant_id', $1, false)` sets the tenant for the
 * whole session. With a connection pool the session outlives the request: the next request that
 * gets this connection runs with this tenant, and RLS policies then hand it another tenant's rows.
 */
export function sessionSettingFinding(node: Node, calleeText: string, span: RawFinding['span']): RawFinding {
  return {
    ruleId: 'require-tenant-filter',
    messageId: 'tenantSettingOutlivesRequest',
    node,
    span,
    subject: 'set_config',
    message: `\`${calleeText}\` sets the tenant for the whole database session, not for this transaction.`,
    evidence: 'Pooled connections are reused across requests: a session-level tenant setting stays on the connection, and the next request that borrows it reads with this tenant unless it sets its own first.',
    help: 'Use `SET LOCAL app.tenant_id = ...` or `set_config(..., true)` inside the transaction that runs the queries, so the setting ends with it.',
  };
}
