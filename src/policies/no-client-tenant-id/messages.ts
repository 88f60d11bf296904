import type { Node } from '../../core/ast.js';
import { delegateName, type Table } from '../../core/schema.js';
import type { ClientTenantFlow as Flow } from './flow.js';
import { RULE, type Certainty, type Hit, type Source } from './types.js';
import type { RawFinding } from '../../core/check-output.js';

/*
 * Wording: what leaked (the source and every sink it reaches), why (nothing checks it against
 * the verified identity), and the fix in the project's own terms (its membership model).
 */

export function finding(flow: Flow, node: Node, hits: Hit[]): RawFinding {
  const sorted = [...hits].sort((a, b) => a.sink.node.range[0] - b.sink.node.range[0]);
  const hit = sorted[0];
  const { source, sink } = hit;
  const framework = flow.models.http.recognizerFor(source.input.framework);
  const where = `${flow.displayPath(sink.unit.file)}:${sink.node.loc.start.line}`;
  const others = new Set(sorted.slice(1).map((h) => `${h.sink.label} at ${flow.displayPath(h.sink.unit.file)}:${h.sink.node.loc.start.line}`));
  others.delete(`${sink.label} at ${where}`);
  const also = others.size ? ` It also reaches: ${[...others].join('; ')}.` : '';
  const via = source.via.length ? ` It is read through ${source.via.join(', then ')}.` : '';
  const identity = framework?.identityHint ?? 'the verified identity';
  if (sink.mass) {
    return {
      ruleId: RULE,
      messageId: 'massAssignment',
      node,
      message: `Client input (${sourceName(source)}) is ${sink.label} at ${where} as a whole, so the client can set \`${sink.mass.key}\`.`,
      evidence: `\`${sink.mass.table}\` is tenant data keyed by \`${sink.mass.key}\`. Every field the client sends is written, including \`${sink.mass.key}\`: one request can move a row into another tenant, or plant one there.${via}${also}`,
      help: `Pick the fields to write (\`{ name: body.name, ... }\`) or validate the input with a schema that has no \`${sink.mass.key}\`, and set \`${sink.mass.key}\` last from ${identity}.`,
    };
  }
  if (source.lookup) {
    return {
      ruleId: RULE,
      messageId: 'unverifiedTenantLookup',
      node,
      message: `The tenant is looked up from client input (${sourceName(source)}) and ${sink.label} at ${where}.`,
      evidence: `\`${source.lookup.callee}\` (${source.lookup.at}) finds the \`${source.lookup.table}\` the client names, with no membership condition for the verified user, and nothing checks membership before the row's key is used, so any caller can act as any tenant.${via}${also}`,
      help: `Look the tenant up together with the user's membership (${membershipCondition(flow)}) and reject the request when it is not found, or derive the tenant from ${identity}.`,
    };
  }
  if (source.context) {
    return {
      ruleId: RULE,
      messageId: 'clientTenantId',
      node,
      message: `The tenant id comes from client input (${sourceName(source)}, as \`${source.context}\`) and is ${sink.label} at ${where}.`,
      evidence: `The context factory reads ${sourceName(source)} from the request, and neither a middleware of this procedure nor the code before the query checks that the verified user belongs to that tenant, so a request can name another tenant and reach its data.${via}${also}`,
      help: `Check the membership in a middleware of the procedure (${membershipLookup(flow)} with \`${source.context}\`, throwing when there is none) and pass the checked id on with \`next({ ctx })\`, or derive the tenant from the session in the context factory.`,
    };
  }
  return {
    ruleId: RULE,
    messageId: 'clientTenantId',
    node,
    message: `The tenant id comes from client input (${sourceName(source)}) and is ${sink.label} at ${where}.`,
    evidence: `The client chooses ${sourceName(source)} freely, and nothing compares it with the verified identity before it is used, so a request can name another tenant and reach its data.${via}${also}`,
    help: `Derive the tenant from ${identity}. If the client picks among its own tenants, check membership first (${membershipLookup(flow)}) and reject the request when there is none.`,
  };
}

/**
 * The schema's membership model: a tenant model with a required foreign key to the users'
 * model (`Membership.userId`). Hints name it, so the fix reads like the user's own code.
 */
function membership(flow: Flow): { table: Table; tenantKey: string; userKey: string } | undefined {
  const { schema } = flow.context;
  const candidates: { table: Table; tenantKey: string; userKey: string }[] = [];
  for (const table of schema.tables.values()) {
    const tenantKey = table.tenantKeys[0];
    if (!tenantKey) continue;
    for (const relation of table.relations.values()) {
      const target = schema.tables.get(relation.target);
      if (relation.required && relation.fields.length === 1 && target && isPrincipal(target, schema.root)) candidates.push({ table, tenantKey, userKey: relation.fields[0] });
    }
  }
  return candidates.find((c) => /member|employ|seat|access/i.test(c.table.name)) ?? candidates[0];
}

function membershipLookup(flow: Flow): string {
  const found = membership(flow);
  if (!found) return 'look up the verified user\'s membership in that tenant';
  return `\`${delegateName(found.table.name)}.findFirst({ where: { ${found.tenantKey}, ${found.userKey}: <verified user id> } })\``;
}

function membershipCondition(flow: Flow): string {
  const found = membership(flow);
  const root = flow.context.schema.root ? flow.context.schema.tables.get(flow.context.schema.root) : undefined;
  const relation = found && root ? [...root.relations.values()].find((r) => r.isList && r.target === found.table.name) : undefined;
  if (!found || !relation) return 'a membership condition on the verified user';
  return `\`where: { ..., ${relation.name}: { some: { ${found.userKey}: <verified user id> } } }\``;
}

/** The users' model (or another that spans tenants): neither tenant data nor the tenant root. */
function isPrincipal(table: Table, root: string | undefined): boolean {
  return table.name !== root && table.class !== 'tenant' && table.class !== 'child';
}

/** A value checked only by a helper not followed to a decision: the same entry for every sink it reaches. */
export function delegatedReason(source: Source, helper: string): string {
  return `${sourceName(source)}${source.context ? ` (as \`${source.context}\`)` : ''} is checked by \`${helper}()\`, which receives the verified user; not followed`;
}

/** Why a hit that no certain check settles is counted as not analysable rather than reported. */
export function undecidedReason(hit: Hit, checked: Certainty): string | undefined {
  const what = `${sourceName(hit.source)} ${hit.sink.label}`;
  if (hit.sink.uncertain) return hit.sink.uncertain.startsWith('is ') ? `${what} ${hit.sink.uncertain}` : `${what}, ${hit.sink.uncertain}`;
  if (checked === 'uncertain') return `${what} is checked against a user or value that could not be traced to the verified identity`;
  return undefined;
}

export function sourceName(source: Source): string {
  const { category, path } = source.input;
  if (category === 'hostname') return path[0] === 'subdomains' ? 'the subdomain' : 'the hostname';
  const name = path.join('.');
  if (!name) return `the ${category === 'tRPC input field' ? 'tRPC input' : category.replace(/ (field|parameter|argument)$/, '')}`;
  return `${category} \`${name}\``;
}
