import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, textOf, unwrap, type Node } from '../../core/ast.js';
import type { QueryFacts, TenantPositions } from '../../core/facts.js';
import type { AnalysisContext, QuerySite } from '../../core/query-site.js';
import type { Located } from '../../core/resolve.js';
import { knexBindings, recognizeRawSql, sqlLookup, sqlTextOf } from '../../orm/raw-sql.js';
import { parameterPositions, type ParameterPositions } from '../../sql/parameters.js';
import { noPositions } from './object.js';

/**
 * A raw SQL call as one query (`pool.query(text, values)`, `$queryRawUnsafe(text, ...values)`,
 * `knex.raw`): the site of the first tenant table it touches, or of its first table.
 */
export function rawSqlSite(call: TSESTree.CallExpression, context: AnalysisContext): QuerySite | undefined {
  if (context.schema.tables.size === 0 || call.arguments.length === 0) return undefined;
  const { sites } = recognizeRawSql([call], context);
  return sites.find((site) => site.table.class === 'tenant' || site.table.class === 'child') ?? sites[0] ?? insertSite(call, context);
}

/** Methods that send the SQL text they are given: pg's `query`, knex's `raw`, postgres.js `unsafe`, Prisma's `$executeRawUnsafe`. */
const SQL_METHODS = new Set(['query', 'raw', 'unsafe', '$executeRawUnsafe', '$queryRawUnsafe']);

/**
 * `INSERT INTO invoices (org_id) VALUES ($1)`: the raw SQL recognizer reports the tables a
 * statement reads, and an insert of values reads none; the table it writes is found here, for a
 * call of a method that sends SQL whose text is an insert into a table of the schema.
 */
function insertSite(call: TSESTree.CallExpression, context: AnalysisContext): QuerySite | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression || !SQL_METHODS.has(memberName(callee) ?? '')) return undefined;
  const parsed = parse(call, context);
  const target = parsed?.found.inserts[0];
  const table = target ? sqlLookup(context.schema)(target)?.table : undefined;
  if (!table) return undefined;
  const calleeText = textOf(context.unit, callee).replace(/\s+/g, '');
  return {
    orm: 'sql',
    table,
    operation: 'insert',
    method: 'insert',
    callee,
    calleeText,
    call,
    client: { kind: 'client', scoped: false, how: `\`${calleeText}\` sends SQL` },
    predicate: { kind: 'scoped', via: 'an insert has no filter' },
    nested: [],
  };
}

/**
 * Raw SQL's parameters in tenant positions (`org_id = $1`, `VALUES ($1)`), matched to the values
 * the call passes: the array after the text (`[orgId]`, `{ text, values }`), the arguments after
 * it (`$queryRawUnsafe(text, orgId)`), or the expressions of a template literal, in order.
 */
export function sqlPositions(site: QuerySite, context: AnalysisContext): TenantPositions {
  const positions = noPositions();
  // knex's `raw` binds `?` in order, as the recognizer reads it.
  const knex = site.client.kind === 'client' && site.client.how === '`knex`' && site.method !== 'insert';
  const parsed = parse(site.call, context, knex);
  if (!parsed) return positions;
  const { found, textNode, options } = parsed;
  const option = (name: string) => options?.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === name)?.value;
  const value = valuesOf(site.call, textNode, options ? option('values') : site.call.arguments[1], Boolean(options), context);
  const at = (numbers: number[]) => numbers.flatMap((n) => value(n) ?? []);
  positions.readable = true;
  positions.filter.push(...withoutChecked(at(found.filter), at(found.checked)));
  positions.write.push(...at(found.write));
  positions.principals.push(...at(found.principals));
  positions.compared.push(...at(found.compared));
  positions.criteria.push(...at(found.compared));
  return positions;
}

/** Filter values other than the row keys the statement checks against its tenant (the same expression, written again). */
function withoutChecked(filter: Located[], checked: Located[]): Located[] {
  if (checked.length === 0) return filter;
  const texts = new Set(checked.map((c) => textOf(c.unit, c.node).replace(/\s+/g, '')));
  return filter.filter((f) => !texts.has(textOf(f.unit, f.node).replace(/\s+/g, '')));
}

/** The SQL a call sends (`text`, or `{ text, values }`), parsed for the tenant positions of its parameters. */
function parse(call: TSESTree.CallExpression, context: AnalysisContext, knex = false): { found: ParameterPositions; textNode: Node; options?: TSESTree.ObjectExpression } | undefined {
  const first = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
  if (!first) return undefined;
  const options = first.type === T.ObjectExpression ? first : undefined;
  const textNode = options ? options.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'text')?.value : first;
  if (!textNode) return undefined;
  const written = sqlTextOf(textNode, context.unit, context);
  const text = knex && !('unknown' in written) ? knexBindings(written) : written;
  if ('unknown' in text) return undefined;
  const found = parsed(text.sql, context);
  return found ? { found, textNode, ...(options ? { options } : {}) } : undefined;
}

function parsed(text: string, context: AnalysisContext): ParameterPositions | undefined {
  const lookup = sqlLookup(context.schema);
  // Named placeholders of query helpers (`{{orgId}}`) are parameters too, as for the recognizer.
  const sql = text.replace(/\{\{[^{}]*\}\}/g, (m) => '$0'.padEnd(m.length, ' '));
  return parameterPositions(
    sql,
    (name) => {
      const table = lookup(name);
      return table && (table.table.class === 'tenant' || table.table.class === 'child') ? table.info.tenantColumns : [];
    },
    // The key of a level of the tenant hierarchy below the root (`projects.id`): a row the statement may check against its tenant.
    (name) => {
      const table = lookup(name)?.table;
      const key = table && context.schema.levels.slice(1).includes(table.name) && table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
      return key ? (table?.columns.get(key)?.dbName ?? key) : undefined;
    },
    (name) => lookup(name)?.info,
  );
}

/** The value of parameter `$n`, where the call's shape says. */
function valuesOf(call: TSESTree.CallExpression, textNode: Node, values: Node | undefined, fromOptions: boolean, context: AnalysisContext): (n: number) => Located | undefined {
  const template = unwrap(textNode);
  if (template.type === T.TemplateLiteral && template.expressions.length > 0) {
    return (n) => (template.expressions[n - 1] ? { node: template.expressions[n - 1], unit: context.unit } : undefined);
  }
  let array: Located<TSESTree.ArrayExpression> | undefined;
  const node = values ? unwrap(values) : undefined;
  if (node?.type === T.ArrayExpression) array = { node, unit: context.unit };
  else if (node?.type === T.Identifier) {
    const binding = context.resolver.bindingOf(node, context.unit);
    const init = binding.kind === 'value' ? unwrap(binding.value.node) : undefined;
    if (binding.kind === 'value' && init?.type === T.ArrayExpression) array = { node: init, unit: binding.value.unit };
  }
  if (array) {
    const { node: elements, unit } = array;
    return (n) => {
      const element = elements.elements[n - 1];
      return element && element.type !== T.SpreadElement ? { node: element, unit } : undefined;
    };
  }
  if (fromOptions) return () => undefined;
  // `$queryRawUnsafe(text, a, b)`: the parameters follow the text.
  return (n) => {
    const argument = call.arguments[n];
    return argument && argument.type !== T.SpreadElement ? { node: argument, unit: context.unit } : undefined;
  };
}

/**
 * An SQL tagged template (postgres.js `` sql`...` ``, `` prisma.$queryRaw`...` ``, the `sql` tags
 * of drizzle-orm, kysely, slonik, @vercel/postgres): its interpolations are its parameters, in order.
 */
export function templateFacts(tagged: TSESTree.TaggedTemplateExpression, context: AnalysisContext): QueryFacts | undefined {
  if (context.schema.tables.size === 0) return undefined;
  const { sites } = recognizeRawSql([tagged], context);
  const text = sqlTextOf(tagged, context.unit, context);
  if ('unknown' in text) return undefined;
  const found = parsed(text.sql, context);
  if (!found) return undefined;
  const target = found.inserts[0];
  const table = target ? sqlLookup(context.schema)(target)?.table : undefined;
  const site = sites.find((s) => s.table.class === 'tenant' || s.table.class === 'child') ?? sites[0] ?? (table && isSqlTag(tagged.tag, context) ? templateInsertSite(tagged, table, context) : undefined);
  if (!site) return undefined;
  // Each interpolation is one parameter when none is an SQL fragment the text inlines (their count then differs).
  const expressions = tagged.quasi.expressions;
  const count = Math.max(0, ...[...text.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  const value = (n: number): Located[] => (count === expressions.length && expressions[n - 1] ? [{ node: expressions[n - 1], unit: context.unit }] : []);
  const positions = noPositions();
  positions.readable = count === expressions.length;
  positions.filter.push(...withoutChecked(found.filter.flatMap(value), found.checked.flatMap(value)));
  positions.write.push(...found.write.flatMap(value));
  positions.principals.push(...found.principals.flatMap(value));
  positions.compared.push(...found.compared.flatMap(value));
  positions.criteria.push(...found.compared.flatMap(value));
  return { site, positions };
}

/** Packages whose `sql` tag sends a query, and Prisma's raw template methods (as the raw SQL recognizer reads them). */
const SQL_TAG_PACKAGES = /^(drizzle-orm(\/.*)?|kysely|slonik|@vercel\/postgres|postgres|@neondatabase\/serverless)$/;
const PRISMA_RAW = new Set(['$queryRaw', '$executeRaw']);

/** Is the tag an SQL tag: imported from such a package, or a value a function of one returns (`sql = postgres(url)`)? */
function isSqlTag(tag: Node, context: AnalysisContext, depth = 0): boolean {
  const node = unwrap(tag);
  if (node.type === T.MemberExpression) return PRISMA_RAW.has(memberName(node) ?? '');
  if (node.type === T.CallExpression) return isSqlTag(node.callee, context, depth + 1);
  if (node.type !== T.Identifier || depth > 3) return false;
  const binding = context.resolver.bindingOf(node, context.unit);
  if (binding.kind === 'package') return SQL_TAG_PACKAGES.test(binding.source);
  if (binding.kind !== 'value') return false;
  const init = unwrap(binding.value.node);
  return init.type === T.CallExpression && isSqlTag(init.callee, { ...context, unit: binding.value.unit }, depth + 1);
}

function templateInsertSite(tagged: TSESTree.TaggedTemplateExpression, table: QuerySite['table'], context: AnalysisContext): QuerySite {
  const calleeText = textOf(context.unit, tagged.tag).replace(/\s+/g, '');
  return {
    orm: 'sql',
    table,
    operation: 'insert',
    method: 'insert',
    callee: tagged.tag,
    calleeText,
    // The template stands where a call would (the raw SQL recognizer does the same).
    call: { type: T.CallExpression, callee: tagged.tag, arguments: [], optional: false, typeArguments: undefined, range: tagged.range, loc: tagged.loc, parent: tagged.parent },
    client: { kind: 'client', scoped: false, how: `the SQL tag \`${calleeText}\`` },
    predicate: { kind: 'scoped', via: 'an insert has no filter' },
    nested: [],
  };
}
