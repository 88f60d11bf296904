import type { TSESTree } from '@typescript-eslint/types';
import { T } from '../../../core/ast.js';
import type { QueryFacts } from '../../../core/facts.js';
import { publishedRowsPin } from '../../shared/published.js';
import { rlsIsolates } from '../../shared/rls.js';
import type { ClientTenantFlow as Flow } from '../flow.js';
import { calleeText } from '../syntax.js';
import { onlyTested } from './existence.js';
import type { Frame, Sink } from '../types.js';

/**
 * A query's tenant positions, whichever data layer carries them: the values its filter compares
 * the tenant key with and the values it writes as the row's tenant. A filter that also pins the
 * verified user (a membership lookup, `members: { some: { userId: req.user.id } }`) reads only
 * that user's rows: not a sink.
 */
export function querySinks(flow: Flow, call: TSESTree.CallExpression | TSESTree.TaggedTemplateExpression, frame: Frame): Sink[] {
  const query = flow.query(call, frame.unit);
  if (!query) return [];
  const { site, positions } = query;
  const at = `\`${site.calleeText}\``;
  const rls = rlsGuard(query);
  // The database enforces the tenant for this client: a tenant id the client chose selects nothing of another tenant.
  if (rls === 'isolates') return [];
  const sinks: Sink[] = [];
  // The tenant root read by its own key is a lookup of the tenant (followed as one, see
  // tenantLookup); writing or deleting it by a client id is a sink.
  const lookup = site.table.name === flow.context.schema.root && site.operation === 'read';
  const pin = flow.pinOf(query, frame);
  // A read whose rows never leave the code, only whether it found any: a check, not a use (see
  // existence.ts). One that also pins a user the analysis cannot trace stays counted as undecided.
  const existence = pin === undefined && site.operation === 'read' && onlyTested(call, frame.unit);
  // A read of the rows the chosen tenant published (`visibility = 'public'`): what that tenant shows everyone.
  const published = publishedRowsPin(site) !== undefined;
  if (!lookup && !published && pin !== 'verified' && !existence && !scopedByVerified(flow, query, frame)) {
    const uncertain = pin === 'untraced' ? 'which also filters by a user that could not be traced to the verified identity' : undefined;
    for (const value of positions.filter) {
      sinks.push({ kind: 'query', label: `used as the tenant filter of ${at}`, value: value.node, node: site.callee, unit: value.unit, ...(site.operation === 'read' ? { read: true } : {}), ...(uncertain ? { uncertain } : {}) });
    }
  }
  if (site.operation === 'insert' || site.operation === 'update') {
    for (const value of positions.write) sinks.push({ kind: 'query', label: `written as the tenant of the row by ${at}`, value: value.node, node: site.callee, unit: value.unit });
  }
  return sinks;
}

/**
 * unkey's deploy routers: `.innerJoin(projects, ...)` with `eq(projects.workspaceId,
 * ctx.workspace.id)` in the filter, or `inArray(frontlineRoutes.appId, appIds)` with the ids of rows
 * read within the verified workspace: beside the client's tenant key, the filter's conjunction
 * restricts the rows to the verified tenant (see TenantPositions.scopes), so a tenant id the client
 * chose selects nothing of another tenant.
 */
function scopedByVerified(flow: Flow, query: QueryFacts, frame: Frame): boolean {
  return (query.positions.scopes ?? []).some((value) => flow.evaluate(value.node, { unit: value.unit, env: frame.env }).kind === 'trusted');
}

/**
 * Row-level security as the database enforces it for the query's client: a supabase-js client built
 * from the user's session (the anon key, not the service role), on a table whose migrations enable
 * RLS with policies that all compare the tenant column (or pin the row to `auth.uid()`) for this
 * operation (see shared/rls.ts, the facts require-tenant-filter uses). Then a tenant id the client
 * chose reaches only rows of tenants the user belongs to: `'isolates'`, no sink. A client whose key
 * is not known (a parameter typed `SupabaseClient`, which a caller may fill with the admin client)
 * proves nothing: undefined, the sink stays.
 */
export function rlsGuard(query: QueryFacts): 'isolates' | undefined {
  const { site } = query;
  if (site.client.kind !== 'rls-client' || site.client.key !== 'user') return undefined;
  return rlsIsolates(site.table, site.operation) ? 'isolates' : undefined;
}

/**
 * `forOrg(orgId)`: a function that returns a tenant-scoped client (a `$extends` client that
 * injects the key, or a configured `scopedClientFactories` entry) scopes it to its argument.
 */
export function factorySinks(flow: Flow, call: TSESTree.CallExpression, frame: Frame): Sink[] {
  const values = call.arguments.filter((arg): arg is TSESTree.Expression => arg.type !== T.SpreadElement);
  if (!values.some((arg) => flow.evaluate(arg, frame).kind === 'client')) return [];
  if (!flow.models.queries.isScopedClientFactory(call, { ...flow.context, unit: frame.unit })) return [];
  const name = calleeText(call, frame.unit);
  return values.map((value) => ({ kind: 'query', label: `passed to the tenant-scoped client factory \`${name}()\``, value, node: call, unit: frame.unit }));
}
