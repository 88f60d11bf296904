/**
 * Kysely queries: `db.selectFrom('invoices')`, `db.updateTable(t).set(...)`, `db.deleteFrom(t)`,
 * `db.insertInto(t).values(...)`, each with its `.where` links, joins, `.$call` / `.$if`, run by
 * `execute`, `executeTakeFirst(OrThrow)`, `stream`, or returned / awaited as a builder. The database
 * is traced to `new Kysely<DB>()` (src/orm/kysely-client.ts); tables are SQL names, mapped to the
 * schema by their database name; conditions are read by src/orm/kysely-where.ts.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { memberName, methodChain, runsHere, isChainLink, T, textOf, unwrap, type Node } from '../core/ast.js';
import type { AnalysisContext, Operation, OrmRecognizer, Predicate, QuerySite } from '../core/query-site.js';
import type { Table } from '../core/schema.js';
import { kyselyClientOf, kyselyStatementOf, type KyselyClient } from './kysely-client.js';
import { chainEqualities } from './chain-equalities.js';
import { constantText } from './knex-where.js';
import { camelCaseMapper, evaluateLinks, fieldOfRef, NO_TENANT_KEY, type Env, type Link, type Source } from './kysely-where.js';

const STARTS: Record<string, Operation> = { selectFrom: 'read', updateTable: 'update', deleteFrom: 'delete', insertInto: 'insert', replaceInto: 'insert' };
const TERMINALS = new Set(['execute', 'executeTakeFirst', 'executeTakeFirstOrThrow', 'stream', 'compile', 'explain']);
const JOIN = /^(inner|left|right|full|cross)Join(Lateral)?$/;

export const kyselyRecognizer: OrmRecognizer = {
  name: 'kysely',
  enablers: ['kysely'],
  recognize(call, context) {
    // Only the outermost call of a chain is a query; its inner links are parts of it.
    if (isChainLink(call)) return undefined;
    const links = methodChain(call);
    const start = links.findIndex((l) => STARTS[l.name] !== undefined);
    const first = links[start];
    if (!first) return undefined;
    const arg = first.call.arguments[0];
    const exact = tableArgument(arg, context);
    const project = context.schema.kyselyCamelCase;
    if (!exact && !(project && tableArgument(arg, context, camelCaseMapper(project)))) return undefined;
    const traced = clientOfStart(first.call, context);
    if (!traced) return undefined;
    const { naming, builder, ...client } = traced;
    // The database's own construction decides; one not traced to it (an injected `Kysely<DB>`)
    // takes the project's CamelCasePlugin. Names are matched as written first, so the mapping only
    // gives a meaning to names that would otherwise be no table or column at all.
    const options = naming === 'plain' ? undefined : (naming ?? project);
    const snake = options ? camelCaseMapper(options) : undefined;
    const named = snake ? (exact ? { ...exact, snake } : tableArgument(arg, context, snake)) : exact;
    if (!named) return undefined;
    return site(call, first, links.slice(start + 1), named, client, context, builder);
  },
  statementOf: (fn, context) => kyselyStatementOf(fn, context.unit, context),
};

function clientOfStart(call: TSESTree.CallExpression, context: AnalysisContext): KyselyClient | undefined {
  const callee = unwrap(call.callee);
  return callee.type === T.MemberExpression ? kyselyClientOf(callee.object, context.unit, context) : undefined;
}

/**
 * `'invoices'`, `'invoices as i'`, `'public.invoices'`: the schema table and the names its columns go
 * by; under a `CamelCasePlugin` (`snake`), `'spaceMembers'` is `space_members`.
 */
function tableArgument(arg: TSESTree.CallExpressionArgument | undefined, context: AnalysisContext, snake?: (name: string) => string): Source | undefined {
  const text = arg ? constString(arg, context) : undefined;
  if (text === undefined) return undefined;
  const match = /^\s*([\w.]+)(?:\s+as\s+(\w+))?\s*$/i.exec(text);
  if (!match?.[1]) return undefined;
  const written = match[1];
  const bare = written.replace(/^public\./i, '');
  const table = tableBySqlName(bare, context) ?? (snake ? tableBySqlName(bare.split('.').map(snake).join('.'), context) : undefined);
  if (!table) return undefined;
  const names = new Set(match[2] ? [match[2]] : [written, written.slice(written.lastIndexOf('.') + 1)]);
  return snake ? { table, names, snake } : { table, names };
}

function constString(arg: Node, context: AnalysisContext): string | undefined {
  return constantText(arg, context.unit, context);
}

function tableBySqlName(name: string, context: AnalysisContext): Table | undefined {
  const lower = name.toLowerCase();
  for (const table of context.schema.tables.values()) {
    if (table.dbName.replace(/^public\./i, '').toLowerCase() === lower) return table;
  }
  return context.schema.tables.get(name);
}

const EQUALITY_FILTERS = new Set(['where']);

function site(call: TSESTree.CallExpression, first: Link, rest: Link[], main: Source, client: KyselyClient, context: AnalysisContext, builder?: KyselyClient['builder']): QuerySite {
  const { unit } = context;
  const table = main.table as Table;
  const operation = STARTS[first.name] ?? 'read';
  const end = rest.findIndex((l) => TERMINALS.has(l.name));
  const links = end >= 0 ? rest.slice(0, end) : rest;
  const terminal = end >= 0 ? rest[end] : undefined;
  const result: QuerySite = {
    orm: 'kysely',
    table,
    operation,
    method: terminal?.name ?? first.name,
    callee: first.call,
    calleeText: textOf(unit, first.call).replace(/\s+/g, ''),
    call: beforeBranches(call, links, terminal),
    client,
    predicate: { kind: 'scoped', via: 'an insert has no filter' },
    nested: [],
    fix: fixWording(table, context),
  };
  if (operation === 'insert') {
    const values = links.find((l) => l.name === 'values')?.call.arguments[0];
    if (values) result.data = values;
    return result;
  }
  const set = links.find((l) => l.name === 'set')?.call.arguments[0];
  if (set) result.data = set;
  const keys: Record<string, string> = {};
  // A subquery, a CTE body or a union branch is complete where it is written: it runs with its statement.
  const runs = terminal !== undefined || runsHere(call) || builder !== undefined;
  result.predicate = predicateOf(main, links, keys, runs, context);
  if (builder && result.predicate.kind !== 'scoped') {
    const via = correlation(call, main, links, builder, context);
    if (via) result.predicate = { kind: 'scoped', via };
  }
  result.whereKeys = keys;
  result.equalities = chainEqualities(links, EQUALITY_FILTERS);
  return result;
}

const CTE = /^with(Recursive|Materialized|NotMaterialized)?$/;

/**
 * A nested query correlated to the rows of its statement: `whereRef('users.id', '=', 'comments.creatorId')`
 * (or a join on such a pair) names a table the outer query reads, and that table is tenant data the
 * outer query's own site checks; or the query joins a CTE of its statement (the step of a recursive
 * CTE walks from rows the anchor chose). Its rows are those the outer rows point at, so the outer
 * query's filter decides. Uncorrelated, or correlated only to a table that is not tenant data, it
 * is judged on its own filter.
 */
function correlation(call: TSESTree.CallExpression, main: Source, links: Link[], builder: NonNullable<KyselyClient['builder']>, context: AnalysisContext): string | undefined {
  const own = new Set(main.names);
  const joined: string[] = [];
  for (const link of links) {
    if (!JOIN.test(link.name)) continue;
    const text = link.call.arguments[0] ? constString(link.call.arguments[0], context) : undefined;
    const match = text ? /^\s*([\w.]+)(?:\s+as\s+(\w+))?\s*$/i.exec(text) : null;
    if (!match?.[1]) continue;
    own.add(match[2] ?? match[1]);
    if (link.name.startsWith('inner')) joined.push(match[1]);
  }
  // The CTEs of the enclosing statement, and the tables (by alias) its outer queries read.
  const ctes = new Set<string>();
  const aliases = new Map<string, string>();
  const addTable = (text: string) => {
    const match = /^\s*([\w.]+)(?:\s+as\s+(\w+))?\s*$/i.exec(text);
    if (match?.[1]) aliases.set(match[2] ?? match[1], match[1]);
  };
  builder.outer.forEach(addTable);
  for (let node: Node | undefined = call.parent; node; node = node.parent) {
    if (node.type !== T.CallExpression) continue;
    for (const link of methodChain(node)) {
      const arg = link.call.arguments[0];
      const text = arg ? constString(arg, context) : undefined;
      if (text === undefined) continue;
      if (CTE.test(link.name)) {
        const name = text.replace(/\(.*$/s, '').trim();
        ctes.add(name);
        // Under a `CamelCasePlugin`, SQL written by hand names `allAncestors` as `all_ancestors`.
        if (main.snake) ctes.add(main.snake(name));
      }
      else if (link.name === 'selectFrom' || link.name === 'updateTable' || link.name === 'deleteFrom' || JOIN.test(link.name)) addTable(text);
    }
  }
  const recursive = joined.find((name) => ctes.has(name)) ?? sqlReadingCte(links, ctes);
  if (recursive) return `it joins \`${recursive}\`, a CTE of its statement: its rows follow from the rows the CTE's first query chose, which that query's own site checks`;
  const outerRef = (ref: string) => {
    const dot = ref.lastIndexOf('.');
    const qualifier = dot > 0 ? ref.slice(0, dot) : undefined;
    return qualifier && !own.has(qualifier) ? qualifier : undefined;
  };
  const table = main.table;
  for (const [a, b] of refPairs(links, context)) {
    // `whereRef('users.workspaceId', '=', 'workspaces.id')`: its own tenant key is the outer row's.
    for (const [mine, other] of [[a, b], [b, a]] as const) {
      const field = table && !outerRef(mine) ? fieldOfRef(mine, main, [main]) : undefined;
      if (field && table?.tenantKeys.includes(field) && outerRef(other)) return `its tenant key is correlated to the outer row (\`${mine} = ${other}\`)`;
    }
    for (const ref of [a, b]) {
      const qualifier = outerRef(ref);
      if (!qualifier) continue;
      if (ctes.has(qualifier)) return `it is correlated to the rows of \`${qualifier}\`, a CTE of its statement (\`${a} = ${b}\`), which that query's own site checks`;
      const outer = outerTable(aliases.get(qualifier) ?? qualifier, main.snake, context);
      if (outer && (outer.tenantKeys.length > 0 || outer.class === 'child')) {
        return `it is correlated to the outer query's \`${outer.dbName}\` rows (\`${a} = ${b}\`), which that query's own site checks`;
      }
    }
  }
  return undefined;
}

/**
 * `.where('pagePermissions.pageAccessId', '=', sql\`(SELECT pa.id FROM ancestors a ...)\`)`: the value is
 * chosen from a CTE of the statement, by a SQL sub-select that reads it.
 */
function sqlReadingCte(links: Link[], ctes: Set<string>): string | undefined {
  if (ctes.size === 0) return undefined;
  for (const link of links) {
    const value = link.name === 'where' && link.call.arguments.length === 3 ? unwrap(link.call.arguments[2] as Node) : undefined;
    if (value?.type !== T.TaggedTemplateExpression) continue;
    const text = value.quasi.quasis.map((q) => q.value.cooked ?? '').join(' ');
    if (!/^\s*\(\s*select\b/i.test(text)) continue;
    for (const match of text.matchAll(/\b(?:from|join)\s+"?(\w+)"?/gi)) if (match[1] && ctes.has(match[1])) return match[1];
  }
  return undefined;
}

/**
 * Column pairs compared for equality: `whereRef(a, '=', b)`, `where(a, '=', eb.ref(b))`,
 * `whereRef(a, '=', sql\`ANY(${eb.ref(b)})\`)`, `innerJoin(t, a, b)`, `innerJoin(t, (j) => j.onRef(a, '=', b))`.
 */
function refPairs(links: Link[], context: AnalysisContext): [string, string][] {
  const pairs: [string, string][] = [];
  const pair = (args: TSESTree.CallExpressionArgument[], withOperator: boolean) => {
    const [x, op, y] = withOperator ? args : [args[0], undefined, args[1]];
    if (withOperator && (!op || constString(op, context) !== '=')) return;
    const left = x ? refText(x, context) : undefined;
    const right = y ? refText(y, context) : undefined;
    if (left !== undefined && right !== undefined) pairs.push([left.trim(), right.trim()]);
  };
  for (const link of links) {
    if (link.name === 'whereRef') pair(link.call.arguments, true);
    else if (link.name === 'where' && link.call.arguments.length === 3 && isRefCall(link.call.arguments[2])) pair(link.call.arguments, true);
    else if (JOIN.test(link.name) && link.name.startsWith('inner')) {
      const callback = link.call.arguments[1] ? unwrap(link.call.arguments[1]) : undefined;
      if (callback?.type === T.ArrowFunctionExpression && callback.body.type !== T.BlockStatement && unwrap(callback.body).type === T.CallExpression) {
        for (const inner of methodChain(unwrap(callback.body) as TSESTree.CallExpression)) if (inner.name === 'onRef') pair(inner.call.arguments, true);
      } else pair(link.call.arguments.slice(1), false);
    }
  }
  return pairs;
}

/** `eb.ref('comments.creatorId')`, `ref('comments.creatorId')`. */
function isRefCall(node: Node | undefined): node is TSESTree.CallExpression {
  const value = node ? unwrap(node) : undefined;
  if (value?.type !== T.CallExpression) return false;
  const callee = unwrap(value.callee);
  return (callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined) === 'ref';
}

/** A column reference: `'users.id'`, `eb.ref('comments.creatorId')`, or `sql\`ANY(${eb.ref('pages.contributorIds')})\`` (one of an array column's values). */
function refText(node: Node, context: AnalysisContext): string | undefined {
  const value = unwrap(node);
  if (isRefCall(value)) return value.arguments[0] ? constString(value.arguments[0], context) : undefined;
  if (value.type === T.TaggedTemplateExpression && value.quasi.expressions.length === 1 && isRefCall(value.quasi.expressions[0])) {
    const text = value.quasi.quasis.map((q) => q.value.cooked ?? '').join('');
    return /^(?:any\s*\(\s*\))?$/i.test(text.trim()) ? refText(value.quasi.expressions[0] as Node, context) : undefined;
  }
  return constString(value, context);
}

function outerTable(name: string, snake: ((name: string) => string) | undefined, context: AnalysisContext): Table | undefined {
  const bare = name.replace(/^public\./i, '');
  return tableBySqlName(bare, context) ?? (snake ? tableBySqlName(snake(bare), context) : undefined);
}

const COMPOUND = /^(union|intersect|except)(All)?$/;

/**
 * A CTE's anchor written `qb.selectFrom(t).where(...).unionAll((eb) => step)`: the chain ends in its
 * union, whose argument is another query (a branch with sites of its own), not values this one is
 * keyed by; the anchor's own call is the link before it.
 */
function beforeBranches(call: TSESTree.CallExpression, links: Link[], terminal: Link | undefined): TSESTree.CallExpression {
  if (terminal) return call;
  let end = links.length;
  while (end > 0 && COMPOUND.test(links[end - 1]?.name ?? '')) end--;
  return end < links.length && end > 0 ? (links[end - 1]?.call ?? call) : call;
}

interface Join {
  source: Source;
  /** Column pairs the join is on: `('invoices.id', 'invoice_lines.invoice_id')`. */
  pairs: [string, string][];
  /** `.on(...)` conditions of an inner join's callback: they filter the result like `.where`. */
  conditions: Link[];
}

function predicateOf(main: Source, links: Link[], keys: Record<string, string>, runs: boolean, context: AnalysisContext): Predicate {
  const joins = links.filter((l) => JOIN.test(l.name)).flatMap((l) => joinOf(l, context, main.snake) ?? []);
  const sources = [main, ...joins.map((j) => j.source)];
  const conditions = [...links, ...joins.flatMap((j) => j.conditions)];
  const env: Env = { context, unit: context.unit, target: main, sources, builders: new Map(), columns: [], keys };
  const own = evaluateLinks(conditions, env, 0);
  let predicate = own.predicate;
  if (predicate?.kind !== 'scoped' && joins.length > 0) predicate = throughJoins(main, joins, conditions, sources, context) ?? predicate;
  if (!predicate) {
    return runs ? { kind: 'unscoped', detail: 'the query has no `.where`' } : { kind: 'unknown', reason: 'the query builder is kept and may get its `.where` later' };
  }
  if (predicate.kind === 'scoped') return predicate;
  // A builder kept in a variable (or passed as a subquery) may be narrowed before it runs.
  if (!runs) return { kind: 'unknown', reason: 'the query builder is kept and may get more `.where` later' };
  if (predicate.kind !== 'unscoped') return predicate;
  if (own.conditional) return { kind: 'unscoped', detail: 'the tenant condition is applied only inside `.$if(...)`' };
  if (env.columns.length > 0 && predicate.detail === NO_TENANT_KEY) {
    return { kind: 'unscoped', detail: `\`where\` filters only on ${[...new Set(env.columns)].map((c) => `\`${c}\``).join(', ')}` };
  }
  return predicate;
}

/**
 * A child table joined to its parent on the foreign key, with the parent's tenant key constrained,
 * is scoped through the parent. A tenant constrained only on some other joined table is not
 * decided (the join may or may not tie the rows together): unknown.
 */
function throughJoins(main: Source, joins: Join[], conditions: Link[], sources: Source[], context: AnalysisContext): Predicate | undefined {
  const table = main.table;
  const onTarget = (target: Source) => evaluateLinks(conditions, { context, unit: context.unit, target, sources, builders: new Map(), columns: [] }, 0).predicate;
  if (table?.class === 'child') {
    for (const name of table.parentRelations) {
      const relation = table.relations.get(name);
      const fk = relation?.fields.length === 1 ? relation.fields[0] : undefined;
      const ref = relation?.references[0] ?? 'id';
      const parent = relation ? context.schema.tables.get(relation.target) : undefined;
      const join = joins.find((j) => j.source.table === parent);
      if (!fk || !join || !joinsOn(join, main, fk, ref, sources)) continue;
      const predicate = onTarget(join.source);
      if (predicate?.kind === 'scoped') return { kind: 'scoped', via: `the join to its parent \`${parent?.dbName}\` (${predicate.via})` };
    }
  }
  if (joins.some((j) => j.source.table?.tenantKeys.length && onTarget(j.source)?.kind === 'scoped')) {
    return { kind: 'unknown', reason: 'the tenant is constrained on a joined table, not on this one' };
  }
  return undefined;
}

/** The join is on `parent.<ref> = child.<fk>`, either way round. */
function joinsOn(join: Join, child: Source, fk: string, ref: string, sources: Source[]): boolean {
  return join.pairs.some(([a, b]) => {
    const fits = (x: string, y: string) => fieldOfRef(x, join.source, sources) === ref && fieldOfRef(y, child, sources) === fk;
    return fits(a, b) || fits(b, a);
  });
}

/** `.innerJoin('invoices as i', 'i.id', 'l.invoice_id')` or `.innerJoin('invoices', (join) => join.onRef(...).on(...))`. */
function joinOf(link: Link, context: AnalysisContext, snake?: (name: string) => string): Join | undefined {
  const [target, a, b] = link.call.arguments;
  const source = tableArgument(target, context, snake);
  if (!source) return undefined;
  const first = a ? constString(a, context) : undefined;
  const second = b ? constString(b, context) : undefined;
  if (first !== undefined && second !== undefined) return { source, pairs: [[first, second]], conditions: [] };
  const callback = a ? unwrap(a) : undefined;
  if (callback?.type !== T.ArrowFunctionExpression && callback?.type !== T.FunctionExpression) return { source, pairs: [], conditions: [] };
  const pairs: [string, string][] = [];
  const conditions: Link[] = [];
  const body = callback.body.type === T.BlockStatement ? undefined : callback.body;
  for (const inner of body && unwrap(body).type === T.CallExpression ? methodChain(unwrap(body) as TSESTree.CallExpression) : []) {
    if (inner.name === 'onRef') {
      const [x, , y] = inner.call.arguments;
      const left = x ? constString(x, context) : undefined;
      const right = y ? constString(y, context) : undefined;
      if (left !== undefined && right !== undefined) pairs.push([left, right]);
    } else if (inner.name === 'on' && link.name.startsWith('inner')) {
      conditions.push(inner);
    }
  }
  return { source, pairs, conditions };
}

/** The fix in Kysely's own syntax: `.where('tenant_id', '=', tenantId)`, or a join to the parent for a child table. */
function fixWording(table: Table, context: AnalysisContext): QuerySite['fix'] {
  if (table.class === 'child') {
    const relation = table.relations.get(table.parentRelations[0] ?? '');
    const parent = relation ? context.schema.tables.get(relation.target) : undefined;
    const key = parent?.tenantKeys[0];
    if (relation && parent && key) {
      const column = parent.columns.get(key)?.dbName ?? key;
      const fk = table.columns.get(relation.fields[0] ?? '')?.dbName ?? relation.fields[0];
      const ref = relation.references[0] ?? 'id';
      return {
        missing: `Join the parent and constrain its tenant column (\`.innerJoin('${parent.dbName}', '${parent.dbName}.${ref}', '${table.dbName}.${fk}').where('${parent.dbName}.${column}', '=', ${camel(column)})\`)`,
      };
    }
    return undefined;
  }
  const key = table.tenantKeys[0];
  if (!key) return undefined;
  const column = table.columns.get(key)?.dbName ?? key;
  const variable = camel(column);
  return {
    missing: `Add \`.where('${column}', '=', ${variable})\` to the query`,
    orBypass: `Move the tenant condition out of the \`or\` (\`.where('${column}', '=', ${variable}).where((eb) => eb.or([...]))\`), or add it to every branch.`,
  };
}

function camel(column: string): string {
  return column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
