import type { TSESTree } from '@typescript-eslint/types';
import { T } from '../../../core/ast.js';
import type { ClientTenantFlow as Flow } from '../flow.js';
import { calleeText } from '../syntax.js';
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
  const sinks: Sink[] = [];
  // The tenant root read by its own key is a lookup of the tenant (followed as one, see
  // tenantLookup); writing or deleting it by a client id is a sink.
  const lookup = site.table.name === flow.context.schema.root && site.operation === 'read';
  const pin = flow.pinOf(query, frame);
  if (!lookup && pin !== 'verified') {
    const uncertain = pin === 'untraced' ? 'which also filters by a user that could not be traced to the verified identity' : undefined;
    for (const value of positions.filter) {
      sinks.push({ kind: 'query', label: `used as the tenant filter of ${at}`, value: value.node, node: site.callee, unit: value.unit, ...(uncertain ? { uncertain } : {}) });
    }
  }
  if (site.operation === 'insert' || site.operation === 'update') {
    for (const value of positions.write) sinks.push({ kind: 'query', label: `written as the tenant of the row by ${at}`, value: value.node, node: site.callee, unit: value.unit });
  }
  return sinks;
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
