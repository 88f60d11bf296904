/**
 * supabase-js filters, normalised to a Predicate: `.eq(col, v)`, `.in(col, vs)`, `.match({ ... })`,
 * `.filter(col, 'eq' | 'in', v)` and PostgREST's `.or('a.eq.1,and(b.eq.2,c.eq.3)')` string, whose
 * every branch must carry the tenant. Successive filters of one chain are ANDed.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { T, textOf, unwrap, type FileUnit, type Node } from '../core/ast.js';
import { credentialScope, type AnalysisContext, type Predicate } from '../core/query-site.js';
import { isCredentialColumn, type Table } from '../core/schema.js';
import { combineAnd, combineOr, evaluateFilterObject, isNullish, type ObjectFilterDialect } from './object-filter.js';

export interface FilterLink {
  name: string;
  call: TSESTree.CallExpression;
}

/** What a query's filters are judged against: its table, and the embeds the select string joins as `!inner`. */
export interface FilterScope {
  table: Table;
  /** Tables embedded with `!inner` (`.select('*, projects!inner(org_id)')`), by table name or alias: a filter on `projects.org_id` scopes a child. */
  innerEmbeds: ReadonlyMap<string, string>;
  context: AnalysisContext;
  unit: FileUnit;
}

/** Filters that constrain rows; everything else in a chain (order, limit, single...) does not. */
export const FILTERS = new Set([
  'eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'is', 'in', 'contains', 'containedBy', 'rangeGt', 'rangeGte',
  'rangeLt', 'rangeLte', 'rangeAdjacent', 'overlaps', 'textSearch', 'match', 'not', 'or', 'filter', 'likeAllOf',
  'likeAnyOf', 'ilikeAllOf', 'ilikeAnyOf', 'isDistinct',
]);

/** The conjunction of a chain's filters; `undefined` when the chain has none. */
export function evaluateFilters(links: FilterLink[], scope: FilterScope): Predicate | undefined {
  const results: Predicate[] = [];
  const columns: string[] = [];
  for (const link of links) {
    if (!FILTERS.has(link.name)) continue;
    const result = evaluateLink(link, scope, columns);
    if (result) results.push(result);
  }
  if (results.length === 0) return columns.length ? { kind: 'unscoped', detail: detailOf(columns) } : undefined;
  const combined = combineAnd(results);
  if (combined.kind === 'unscoped' && columns.length) return { kind: 'unscoped', detail: detailOf(columns) };
  return combined;
}

function detailOf(columns: string[]): string {
  return `\`filter\` filters only on ${[...new Set(columns)].map((c) => `\`${c}\``).join(', ')}`;
}

function evaluateLink(link: FilterLink, scope: FilterScope, columns: string[]): Predicate | undefined {
  const [first, second, third] = link.call.arguments;
  switch (link.name) {
    case 'eq':
    case 'in':
      return columnFilter(first, second, scope, columns);
    case 'filter': {
      const operator = stringValue(second);
      if (operator === 'eq' || operator === 'in') return columnFilter(first, third, scope, columns);
      const column = stringValue(first);
      if (column !== undefined) columns.push(column);
      return { kind: 'unscoped', detail: `\`.filter('${column ?? '?'}', '${operator ?? '?'}', ...)\` does not pin the tenant` };
    }
    case 'match':
      return first ? matchObject(first, scope) : undefined;
    case 'or':
      // `.or(filter, { referencedTable })` filters the embedded rows, not the query's.
      if (second !== undefined) return undefined;
      return first ? orString(first, scope) : undefined;
    default: {
      const column = stringValue(first);
      if (column !== undefined) columns.push(column);
      return { kind: 'unscoped', detail: `\`.${link.name}()\` does not pin the tenant` };
    }
  }
}

/** `.eq('org_id', orgId)`, `.in('org_id', orgIds)`, `.eq('projects.org_id', orgId)` on an `!inner` embed. */
function columnFilter(columnArg: Node | undefined, value: Node | undefined, scope: FilterScope, columns: string[]): Predicate {
  const column = stringValue(columnArg);
  if (column === undefined) return { kind: 'unknown', reason: 'a filter on a column the analysis cannot read' };
  columns.push(column);
  if (!value || isNullish(value)) return { kind: 'unscoped', detail: `\`${column}\` is compared with nothing` };
  return columnScopes(column, scope, value) ?? { kind: 'unscoped', detail: detailOf([column]) };
}

/** Does a filter on `column` pin the tenant of the query's rows? */
function columnScopes(column: string, scope: FilterScope, value?: Node): Predicate | undefined {
  const { table } = scope;
  const field = fieldOf(table, column);
  if (field && table.tenantKeys.includes(field)) return { kind: 'scoped', via: `\`.eq('${column}', ...)\``, ...(value ? { value } : {}) };
  if (field && isCredentialColumn(table, field)) return credentialScope(column);
  // A child table filtered through its parent, embedded with `!inner`; or through a chain of them
  // (`.select('*, posts!inner(groups!inner(ws_id))').eq('posts.groups.ws_id', wsId)`), each embed
  // a table the one before it references, so the inner joins keep only rows under that tenant.
  const path = column.split('.');
  if (path.length > 1) {
    const embeds = path.slice(0, -1);
    let current: Table | undefined = table;
    for (const embed of embeds) {
      const embedded = scope.innerEmbeds.get(embed);
      const next: Table | undefined = embedded === undefined ? undefined : tableBySqlName(embedded, scope.context);
      current = next && current && references(current, next) ? next : undefined;
    }
    if (current && current.tenantKeys.includes(fieldOf(current, path[path.length - 1] ?? '') ?? '')) {
      return { kind: 'scoped', via: `the parent \`${embeds.join('.')}\` embedded with \`!inner\` and filtered on its tenant column` };
    }
  }
  return undefined;
}

/** `child` has a foreign key to `parent`: an inner join keeps only the rows whose parent matches. */
function references(child: Table, parent: Table): boolean {
  for (const relation of child.relations.values()) {
    if (relation.fields.length > 0 && (relation.target === parent.name || relation.target === parent.dbName)) return true;
  }
  return false;
}

/** The schema field a database column name stands for. */
export function fieldOf(table: Table, column: string): string | undefined {
  if (table.columns.has(column)) return column;
  for (const c of table.columns.values()) if (c.dbName === column) return c.name;
  return undefined;
}

export function tableBySqlName(name: string, context: AnalysisContext): Table | undefined {
  const bare = name.replace(/^.*\./, '').replace(/^"|"$/g, '').toLowerCase();
  for (const table of context.schema.tables.values()) if (table.dbName.toLowerCase() === bare || table.dbName.toLowerCase().endsWith(`.${bare}`)) return table;
  return undefined;
}

/** `.match({ id, org_id: orgId })`: the shared object evaluator, with database column names as keys. */
function matchObject(argument: Node, scope: FilterScope): Predicate {
  const node = unwrap(argument);
  if (node.type !== T.ObjectExpression) return { kind: 'unknown', reason: '`.match()` is given something other than an object literal' };
  const dialect: ObjectFilterDialect = {
    and: [],
    or: [],
    noun: 'filter',
    keyName: (property) => {
      const key = property.key;
      const name = key.type === T.Identifier && !property.computed ? key.name : key.type === T.Literal ? String(key.value) : undefined;
      return name === undefined ? undefined : (fieldOf(scope.table, name) ?? name);
    },
    valueConstrains: (value) => !isNullish(value),
    branch: () => ({ kind: 'unknown', reason: 'a nested filter in `.match()`' }),
  };
  return evaluateFilterObject(node, scope.unit, scope.table, scope.context, dialect, 0);
}

/**
 * `.or('org_id.eq.1,status.eq.open')`: PostgREST's filter grammar, a comma list of `col.op.value`,
 * `and(...)`, `or(...)` and `not.`-prefixed items. A template literal's placeholders are values.
 */
function orString(argument: Node, scope: FilterScope): Predicate {
  const text = templateText(argument, scope);
  if (text === undefined) return { kind: 'unknown', reason: `\`.or(${textOf(scope.unit, argument)})\` is built at run time` };
  const branches = splitTopLevel(text).map((branch) => ({ node: argument, predicate: branchPredicate(branch, scope, 0) }));
  return combineOr(branches, 'no `.or()` branch has the tenant column');
}

function branchPredicate(branch: string, scope: FilterScope, depth: number): Predicate {
  const item = branch.trim();
  if (depth > 8) return { kind: 'unknown', reason: 'an `.or()` string nested too deeply' };
  const group = /^(and|or)\((.*)\)$/s.exec(item);
  if (group) {
    const parts = splitTopLevel(group[2] ?? '').map((p) => branchPredicate(p, scope, depth + 1));
    if (group[1] === 'and') return combineAnd(parts);
    return combineOr(parts.map((predicate) => ({ node: scope.unit.ast as Node, predicate })));
  }
  if (item.startsWith('not.')) return { kind: 'unscoped', detail: `\`${item}\` is negated` };
  const match = /^([\w."]+?)\.(eq|in)\.(.+)$/s.exec(item);
  if (!match) return { kind: 'unscoped', detail: `the \`.or()\` branch \`${item}\` does not pin the tenant` };
  const [, column = '', , value = ''] = match;
  if (/^(null|\(\))$/i.test(value)) return { kind: 'unscoped', detail: `\`${item}\` compares with nothing` };
  return columnScopes(column.replace(/"/g, ''), scope) ?? { kind: 'unscoped', detail: `the \`.or()\` branch \`${item}\` does not pin the tenant` };
}

/** Splits on commas outside parentheses and double quotes. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === ',') {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.filter((p) => p.trim() !== '');
}

/** A string literal, a template literal (each placeholder a value), or a const holding one. */
function templateText(argument: Node, scope: FilterScope, depth = 0): string | undefined {
  const node = unwrap(argument);
  if (node.type === T.Literal && typeof node.value === 'string') return node.value;
  if (node.type === T.TemplateLiteral) return node.quasis.map((q, i) => q.value.cooked + (i < node.expressions.length ? '\u0000' : '')).join('');
  if (node.type === T.Identifier && depth < 4) {
    const binding = scope.context.resolver.bindingOf(node, scope.unit, depth + 1);
    if (binding.kind === 'value' && binding.value.unit === scope.unit) return templateText(binding.value.node, scope, depth + 1);
  }
  return undefined;
}

export function stringValue(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const inner = unwrap(node);
  if (inner.type === T.Literal && typeof inner.value === 'string') return inner.value;
  if (inner.type === T.TemplateLiteral && inner.expressions.length === 0) return inner.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}
