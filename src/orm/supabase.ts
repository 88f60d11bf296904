/**
 * supabase-js query chains: `supabase.from('invoices').select().eq('org_id', orgId).single()`,
 * `.insert(row)`, `.update(patch).eq(...)`, `.upsert(row)`, `.delete().match({ ... })`,
 * `.schema('s').from('t')`, and `.rpc('fn', args)`. The client is traced to its factory
 * (src/orm/supabase-client.ts), which also tells which key it carries; the policy decides with the
 * table's row-level security. Tables are SQL names, mapped to the schema by `dbName`.
 *
 * Not followed: a builder kept in a variable and completed later (`let q = ...; q = q.eq(...)`),
 * counted as not analysable unless already scoped; nested selects of related tables (embedded rows
 * are joined to the rows the query returns, and RLS applies to them for a user client).
 */
import type { TSESTree } from '@typescript-eslint/types';
import { isChainLink, methodChain, type Node, T, textOf, unwrap } from '../core/ast.js';
import type { AnalysisContext, Operation, OrmRecognizer, QuerySite } from '../core/query-site.js';
import type { Table } from '../core/schema.js';
import { schemaSwitch, supabaseClientInfo, supabaseClientOf, type SupabaseClient } from './supabase-client.js';
import { libraryOrigin, type FlowOptions, type Step } from '../flow/origin.js';
import { callerLookup } from '../flow/callers.js';
import { chainEqualities } from './chain-equalities.js';
import { evaluateFilters, stringValue, tableBySqlName, type FilterLink } from './supabase-filter.js';

const WRITES: Record<string, Operation> = { insert: 'insert', upsert: 'insert', update: 'update', delete: 'delete' };
/** Links after which the chain is something other than a query (`.storage.from(bucket)` is never reached: its receiver is not a client). */
const NOT_A_QUERY = new Set(['channel', 'subscribe', 'on', 'removeChannel']);
/** Links that run the query where they stand. */
const RUNNERS = new Set(['then', 'single', 'maybeSingle', 'throwOnError', 'csv', 'explain', 'returns', 'overrideTypes', 'abortSignal']);

export const supabaseRecognizer: OrmRecognizer = {
  name: 'supabase-js',
  enablers: ['@supabase/supabase-js', '@supabase/ssr', '@supabase/auth-helpers-nextjs'],
  recognize(call, context) {
    if (isChainLink(call)) return undefined;
    const chain = chainOf(call, context);
    if (!chain) return undefined;
    return chain.rpc ? rpcSite(call, chain, context) : siteOf(call, chain, context);
  },
};

interface Chain {
  client: SupabaseClient;
  /** `supabase.from('t')` / `supabase.rpc('fn')`: the span reported. */
  start: TSESTree.CallExpression;
  rpc: boolean;
  /** The links after the start, innermost first. */
  links: FilterLink[];
}

/** Splits a chain at its `.from(...)` / `.rpc(...)` link, whose receiver must be a client (or `client.schema(s)`). */
function chainOf(call: TSESTree.CallExpression, context: AnalysisContext): Chain | undefined {
  const links = methodChain(call);
  const index = links.findIndex((l) => l.name === 'from' || l.name === 'rpc');
  const start = links[index];
  if (!start) return undefined;
  // `supabase.schema('billing').from('invoices')`
  const callee = unwrap(start.call.callee);
  if (callee.type !== T.MemberExpression) return undefined;
  const client = supabaseClientOf(callee.object, context.unit, context) ?? tracedClient(callee.object, context);
  if (!client) return undefined;
  return { client, start: start.call, rpc: start.name === 'rpc', links: links.slice(index + 1) };
}

/**
 * A client the value-flow engine follows where the key-aware reader above stops (a member of an
 * access helper's result, `access.sbAdmin`; a field of a context object): it is a client, but which
 * key it carries is not followed, so row-level security decides only as far as an unknown key allows.
 */
function tracedClient(expression: Node, context: AnalysisContext): SupabaseClient | undefined {
  // `access.sbAdmin.schema('private')`: the client it switches.
  let receiver = unwrap(expression);
  let schema: string | undefined;
  for (let switched = receiver.type === T.CallExpression ? schemaSwitch(receiver) : undefined; switched; switched = receiver.type === T.CallExpression ? schemaSwitch(receiver) : undefined) {
    schema ??= switched.schema;
    receiver = unwrap(switched.receiver);
  }
  const traced = libraryOrigin(receiver, context.unit, context.resolver, (o) => {
    const factories = SUPABASE_FACTORIES[o.source];
    if (!factories) return false;
    const steps = withoutSchemaSwitches(o.steps);
    if (o.typed) return o.name === 'SupabaseClient' && steps.length === 0;
    return factories.has(o.name) && steps.length === 1 && steps[0]?.kind === 'call';
  }, flowOptions(context)).found;
  if (!traced) return undefined;
  const via = traced.trail.length ? ` (${traced.trail.join('; ')})` : '';
  // The outermost project call that made it (`createAdminClient()`): the key-aware reader may know its key.
  const made = traced.via && !traced.typed ? supabaseClientOf(traced.via.node, traced.via.unit, context) : undefined;
  if (made) return { key: made.key, ...(schema ? { schema } : {}), how: `${made.how}, traced by the value flow${via}` };
  return { key: 'unknown', ...(schema ? { schema } : {}), how: `${traced.typed ? `typed \`SupabaseClient\`` : `\`${traced.name}()\``} from \`${traced.source}\`, traced by the value flow${via}, with a key it does not follow` };
}

/** The value flow with the project's call graph: a parameter no type describes is what its callers pass. */
export function flowOptions(context: AnalysisContext): FlowOptions {
  return context.root ? { callers: callerLookup(context.root, context.resolver, context.isTestPath ?? (() => false)) } : {};
}

/** A client's steps without the `.schema(name)` switches after it (the value flow keeps no argument). */
function withoutSchemaSwitches(steps: readonly Step[]): readonly Step[] {
  const out: Step[] = [];
  for (const step of steps) {
    const last = out[out.length - 1];
    if (step.kind === 'call' && last?.kind === 'get' && last.name === 'schema') out.pop();
    else out.push(step);
  }
  return out;
}

const SUPABASE_FACTORIES: Record<string, ReadonlySet<string>> = {
  '@supabase/supabase-js': new Set(['createClient', 'SupabaseClient']),
  '@supabase/ssr': new Set(['createServerClient', 'createBrowserClient', 'SupabaseClient']),
};

const EQUALITY_FILTERS = new Set(['eq', 'match', 'in']);

function siteOf(call: TSESTree.CallExpression, chain: Chain, context: AnalysisContext): QuerySite | undefined {
  const names = chain.links.map((l) => l.name);
  if (names.some((n) => NOT_A_QUERY.has(n))) return undefined;
  const tableName = stringValue(chain.start.arguments[0]);
  if (tableName === undefined) return undefined;
  const table = tableInSchema(tableName, chain.client.schema, context) ?? unknownRelation(tableName, call, names, context);
  if (!table) return undefined;
  const write = chain.links.find((l) => WRITES[l.name] !== undefined);
  const operation: Operation = write ? (WRITES[write.name] ?? 'read') : 'read';
  const site: QuerySite = {
    orm: 'supabase-js',
    table,
    operation,
    method: write?.name ?? 'select',
    callee: chain.start,
    calleeText: textOf(context.unit, chain.start).replace(/\s+/g, ''),
    call,
    client: supabaseClientInfo(chain.client),
    predicate: { kind: 'scoped', via: 'an insert' },
    nested: [],
    fix: fixFor(table, context),
  };
  if (write?.call.arguments[0] && operation !== 'delete') site.data = write.call.arguments[0];
  if (table.name.startsWith(UNKNOWN_RELATION)) {
    site.predicate = { kind: 'unknown', reason: `\`.from('${tableName}')\` names a relation the schema does not define (a view, or a table created outside the migrations): its tenancy is not known` };
    return site;
  }
  if (operation === 'insert') return site;
  const select = chain.links.find((l) => l.name === 'select');
  const predicate = evaluateFilters(chain.links, { table, innerEmbeds: innerEmbeds(select), context, unit: context.unit });
  const keys = whereKeysOf(chain.links, context);
  if (keys) site.whereKeys = keys;
  site.equalities = chainEqualities(chain.links, EQUALITY_FILTERS);
  site.predicate = predicate ?? { kind: 'unscoped', detail: 'the query has no filter (`.eq`, `.match`, `.in`...)' };
  if (site.predicate.kind !== 'scoped' && !isRun(call, names)) {
    site.predicate = { kind: 'unknown', reason: 'the query builder is kept and may get its filters later' };
  }
  return site;
}

const UNKNOWN_RELATION = 'relation:';

/**
 * `.from('x')` on a traced client, where the schema has no `x` (a view, a table created by hand or by
 * another tool): counted as not analysable, against a stand-in, so that coverage says it was seen.
 */
function unknownRelation(name: string, call: TSESTree.CallExpression, names: string[], context: AnalysisContext): Table | undefined {
  if (context.schema.tables.size === 0 || !context.schema.root || !isRun(call, names)) return undefined;
  return { ...functionTable(name), name: `${UNKNOWN_RELATION}${name}`, classReason: 'a relation the schema does not define: its tenancy is not known' };
}

/** `.from('t')` on a client switched to schema `s`: the table named `s.t` when the schema has one, else `t`. */
function tableInSchema(name: string, schema: string | undefined, context: AnalysisContext): Table | undefined {
  if (schema && !name.includes('.')) {
    const qualified = `${schema}.${name}`.toLowerCase();
    for (const table of context.schema.tables.values()) if (table.dbName.toLowerCase() === qualified) return table;
  }
  return tableBySqlName(name, context);
}

/**
 * `.rpc('fn', args)` runs a database function: what it reads is in its body, which the analysis
 * does not follow. Reported as not analysable, against a stand-in for the function.
 */
function rpcSite(call: TSESTree.CallExpression, chain: Chain, context: AnalysisContext): QuerySite | undefined {
  const name = stringValue(chain.start.arguments[0]) ?? textOf(context.unit, chain.start.arguments[0] ?? chain.start);
  if (context.schema.tables.size === 0 || !context.schema.root) return undefined;
  return {
    orm: 'supabase-js',
    table: functionTable(name),
    operation: 'read',
    method: 'rpc',
    callee: chain.start,
    calleeText: textOf(context.unit, chain.start).replace(/\s+/g, ''),
    call,
    client: supabaseClientInfo(chain.client),
    predicate: { kind: 'unknown', reason: `\`.rpc('${name}')\` calls a database function whose body is not analysed` },
    nested: [],
  };
}

function functionTable(name: string): Table {
  return {
    name: `rpc:${name}`,
    dbName: name,
    columns: new Map(),
    primaryKey: [],
    uniques: [],
    indexes: [],
    relations: new Map(),
    source: 'sql',
    columnsUnknown: true,
    class: 'tenant',
    tenantKeys: [],
    parentRelations: [],
    classReason: 'a database function called with `.rpc()`: what it reads is not known',
  };
}

/**
 * `.select('*, projects!inner(org_id)')`: the embeds joined as inner joins, by the name a filter
 * uses for them (the table, or its alias: `owner:users!users_fkey!inner(id)`, filtered as
 * `owner.id`), to the embedded table. Exported for the ReDoS tests.
 */
export function innerEmbeds(select: FilterLink | undefined): Map<string, string> {
  const text = stringValue(select?.call.arguments[0]) ?? '';
  const found = new Map<string, string>();
  // Tried only where a word starts: unanchored, `\w+` would backtrack over every suffix of a long word.
  // The optional `!hint` between the table and `!inner` names the foreign key or column to join on.
  for (const match of text.matchAll(/(?<!\w)(?:(\w+):)?(\w+)(?:!(\w+))?!inner\b/g)) {
    const table = match[2];
    if (!table) continue;
    found.set(table, table);
    if (match[1]) found.set(match[1], table);
  }
  return found;
}

/** `.eq('id', id)` and `.match({ id })`, with the source text of their values, for provenance. */
function whereKeysOf(links: FilterLink[], context: AnalysisContext): Record<string, string> | undefined {
  const keys: Record<string, string> = {};
  for (const link of links) {
    const [column, value] = link.call.arguments;
    if (link.name === 'eq' && value) {
      const name = stringValue(column);
      if (name !== undefined) keys[name] = textOf(context.unit, value).replace(/\s+/g, '');
    }
    if (link.name === 'match' && column) {
      const object = unwrap(column);
      if (object.type !== T.ObjectExpression) continue;
      for (const property of object.properties) {
        if (property.type !== T.Property) continue;
        const key = property.key.type === T.Identifier ? property.key.name : property.key.type === T.Literal ? String(property.key.value) : undefined;
        if (key) keys[key] = textOf(context.unit, property.value).replace(/\s+/g, '');
      }
    }
  }
  return Object.keys(keys).length ? keys : undefined;
}

/** Awaited, returned, an arrow's body, passed on (`Promise.all([...])`), or ended by a link that runs it. */
function isRun(call: TSESTree.CallExpression, names: string[]): boolean {
  const last = names[names.length - 1];
  if (last && RUNNERS.has(last)) return true;
  let node: Node = call;
  while (node.parent && (node.parent.type === T.TSAsExpression || node.parent.type === T.TSNonNullExpression || node.parent.type === T.TSSatisfiesExpression)) node = node.parent;
  const parent = node.parent;
  if (!parent) return false;
  if (parent.type === T.AwaitExpression || parent.type === T.ReturnStatement || parent.type === T.YieldExpression || parent.type === T.ArrayExpression) return true;
  if (parent.type === T.CallExpression && parent.arguments.includes(node as TSESTree.CallExpressionArgument)) return true;
  return parent.type === T.ArrowFunctionExpression && parent.body === node;
}

function fixFor(table: Table, context: AnalysisContext): { missing: string; orBypass: string } {
  const relation = table.class === 'child' ? table.relations.get(table.parentRelations[0] ?? '') : undefined;
  const parent = relation ? context.schema.tables.get(relation.target) : undefined;
  const key = columnName(parent ?? table);
  const variable = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const missing = parent
    ? `Embed the parent as an inner join and filter its tenant column (\`.select('*, ${parent.dbName}!inner(${key})').eq('${parent.dbName}.${key}', ${variable})\`)`
    : `Add the tenant to the chain (\`.eq('${key}', ${variable})\`)`;
  return {
    missing,
    orBypass: `Keep the tenant outside the \`.or()\` string (\`.eq('${key}', ${variable}).or('...')\`), or put it in every branch (\`and(${key}.eq.\${${variable}},...)\`).`,
  };
}

function columnName(table: Table): string {
  const key = table.tenantKeys[0];
  return (key ? table.columns.get(key)?.dbName : undefined) ?? key ?? 'tenant_id';
}
