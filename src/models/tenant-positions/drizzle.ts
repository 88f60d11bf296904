import type { Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, unwrap, variableOf, type FileUnit, type Node } from '../../core/ast.js';
import type { TenantPositions } from '../../core/facts.js';
import type { AnalysisContext, QuerySite } from '../../core/query-site.js';
import { returnedExpressions } from '../../core/resolve.js';
import type { Located } from '../../core/resolve.js';
import type { Table } from '../../core/schema.js';
import { drizzleImportOf, resolveTable } from '../../orm/drizzle-resolve.js';
import { resolveObject } from '../../orm/object-filter.js';
import { commonPrincipals, equalityValues, isPrincipalKey, noPositions, USER_KEYS, writtenTenantValues } from './object.js';

const MAX_DEPTH = 6;
const COMPARISONS = new Set(['eq', 'inArray']);
const CONJUNCTIONS = new Set(['and', 'or', 'not']);

/** The query's table and, in a relational callback `(t, { eq }) => ...`, its parameters. */
interface Scope {
  table: Table;
  context: AnalysisContext;
  tableParam?: Variable;
  operators: Map<Variable, string>;
  /** Tables joined to the query's table by a condition that links their rows (see joinedTables). */
  joined?: Table[];
}

/**
 * Drizzle's conditions and written values, read for their tenant positions: `eq(t.orgId, v)` and
 * `inArray(t.orgId, vs)` through `and`/`or`/`not` in `.where(...)` of the query builder or in
 * `where` of the relational API (a condition, a callback `(t, { eq }) => ...`, or an object), and
 * the objects of `.values(...)` and `.set(...)`.
 */
export function drizzlePositions(site: QuerySite, context: AnalysisContext): TenantPositions {
  const positions = noPositions();
  const { table } = site;
  const { unit } = context;
  const links = chainOf(site.call);
  for (const link of links) {
    if (link.name !== 'values' && link.name !== 'set') continue;
    const written = link.call.arguments[0];
    if (!written || written.type === T.SpreadElement) continue;
    positions.written = written;
    const value = unwrap(written);
    const rows = value.type === T.ArrayExpression ? value.elements : [written];
    for (const row of rows) {
      const data = row && row.type !== T.SpreadElement ? resolveObject(row, unit, context) : undefined;
      if (data) positions.write.push(...writtenTenantValues(data, table, context));
    }
  }
  const where = links.find((link) => link.name === 'where')?.call.arguments[0];
  if (where && where.type !== T.SpreadElement) {
    read(positions, where, unit, { table, context, operators: new Map(), joined: joinedTables(links, unit, table, context) }, 0);
    return positions;
  }
  const options = site.call.arguments[0] ? resolveObject(site.call.arguments[0], unit, context) : undefined;
  const property = options?.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'where');
  if (!options || !property) return positions;
  const value = unwrap(property.value);
  if (value.type === T.ArrowFunctionExpression || value.type === T.FunctionExpression) {
    const scope = callbackScope(value, options.unit, table, context);
    positions.filterExpressions.push({ node: value, unit: options.unit });
    for (const returned of returnedExpressions(value)) read(positions, returned, options.unit, scope, 0);
    return positions;
  }
  const object = resolveObject(property.value, options.unit, context);
  if (object) {
    positions.readable = true;
    for (const p of object.node.properties) {
      if (p.type !== T.Property) continue;
      const key = propertyName(p) ?? '';
      positions.criteria.push({ node: p.value, unit: object.unit });
      positions.compared.push({ node: p.value, unit: object.unit });
      if (filterKeys(table, context).includes(key)) positions.filter.push(...equalityValues(unwrap(p.value), object.unit));
      else if (USER_KEYS.test(key) || isPrincipalKey(table, key, context.schema)) positions.principals.push({ node: unwrap(p.value), unit: object.unit });
    }
    return positions;
  }
  read(positions, property.value, options.unit, { table, context, operators: new Map() }, 0);
  return positions;
}

/** The tenant key of tenant data; on the tenant root, its own unique keys (the row that is the tenant). */
function filterKeys(table: Table, context: AnalysisContext): string[] {
  if (table.name !== context.schema.root) return [...table.tenantKeys, ...(table.tenantLinks ?? [])];
  return [...table.primaryKey, ...table.uniques.filter((u) => u.fields.length === 1).flatMap((u) => u.fields)];
}

/**
 * The positions of one condition: its comparisons, through conjunctions. A user compared under
 * `and` pins the rows to that user; under `or` only when every branch pins the same value
 * (`or(eq(t.ownerId, u), eq(members.userId, u))`: the owner or a member, both the user), since a
 * branch without it (`or(eq(t.ownerId, u), eq(t.public, true))`) lets other rows through; under
 * `not` never.
 */
function read(positions: TenantPositions, condition: Node, unit: FileUnit, scope: Scope, depth: number): void {
  if (depth === 0) {
    positions.readable = true;
    positions.filterExpressions.push({ node: condition, unit });
  }
  if (depth > MAX_DEPTH) return;
  const node = unwrap(condition);
  if (node.type !== T.CallExpression) return;
  const operator = operatorOf(node, unit, scope);
  if (operator && CONJUNCTIONS.has(operator)) {
    const branches = node.arguments.filter((arg): arg is TSESTree.Expression => arg.type !== T.SpreadElement);
    if (operator === 'and') {
      for (const arg of branches) read(positions, arg, unit, scope, depth + 1);
      return;
    }
    const pinned: Located[][] = [];
    for (const arg of branches) {
      const branch = noPositions();
      read(branch, arg, unit, scope, depth + 1);
      positions.filter.push(...branch.filter);
      positions.compared.push(...branch.compared);
      positions.criteria.push(...branch.criteria);
      pinned.push(branch.principals);
    }
    if (operator === 'or') positions.principals.push(...commonPrincipals(pinned));
    return;
  }
  if (!operator || !COMPARISONS.has(operator)) return;
  const [left, right] = node.arguments;
  if (!left || !right || left.type === T.SpreadElement || right.type === T.SpreadElement) return;
  const sides: [Node, Node][] = operator === 'eq' ? [[left, right], [right, left]] : [[left, right]];
  for (const [column, value] of sides) {
    const located = { node: value, unit };
    const name = columnOf(column, unit, scope);
    if (name === undefined) {
      // `eq(organizationMembers.userId, u)` on a table joined to this one: the user of the joined row.
      const joined = operator === 'eq' ? joinedColumn(column, unit, scope) : undefined;
      if (joined && (USER_KEYS.test(joined.name) || isPrincipalKey(joined.table, joined.name, scope.context.schema))) {
        positions.compared.push(located);
        positions.principals.push(located);
        return;
      }
      // `eq(projects.workspaceId, w)` on a table joined along a foreign key: the rows' parent lies in `w`.
      if (joined && filterKeys(joined.table, scope.context).includes(joined.name)) {
        positions.compared.push(located);
        (positions.scopes ??= []).push(located);
        return;
      }
      continue;
    }
    positions.compared.push(located);
    positions.criteria.push(located);
    if (filterKeys(scope.table, scope.context).includes(name)) positions.filter.push(located);
    else if (USER_KEYS.test(name) || isPrincipalKey(scope.table, name, scope.context.schema)) positions.principals.push(located);
    else (positions.scopes ??= []).push(located);
    return;
  }
}

/**
 * `.innerJoin(members, and(eq(members.orgId, orgs.id), ...))`, `.leftJoin(...)`: the tables joined
 * to the query's table by an equality of a column of each along a foreign key of the schema, so
 * that a row of the joined table is one of this row's. A join on anything else (`leftJoin(members,
 * eq(members.userId, u))`: the user's membership anywhere) links nothing. Right and full joins put
 * the query's own table on the nullable side: not read.
 */
function joinedTables(links: { name: string; call: TSESTree.CallExpression }[], unit: FileUnit, table: Table, context: AnalysisContext): Table[] {
  const found: Table[] = [];
  for (const link of links) {
    if (link.name !== 'innerJoin' && link.name !== 'leftJoin') continue;
    const [target, on] = link.call.arguments;
    if (!target || !on || target.type === T.SpreadElement || on.type === T.SpreadElement) continue;
    const ref = resolveTable(target, unit, context);
    if (ref.kind !== 'table' || ref.table === table) continue;
    if (linksRows(on, unit, table, ref.table, context, 0)) found.push(ref.table);
  }
  return found;
}

/** Does the join condition equate a foreign key of one table with the column of the other it references (through `and`)? */
function linksRows(condition: Node, unit: FileUnit, table: Table, joined: Table, context: AnalysisContext, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const node = unwrap(condition);
  if (node.type !== T.CallExpression) return false;
  const scope: Scope = { table, context, operators: new Map() };
  const operator = operatorOf(node, unit, scope);
  if (operator === 'and') return node.arguments.some((arg) => arg.type !== T.SpreadElement && linksRows(arg, unit, table, joined, context, depth + 1));
  if (operator !== 'eq') return false;
  const [left, right] = node.arguments;
  if (!left || !right || left.type === T.SpreadElement || right.type === T.SpreadElement) return false;
  for (const [a, b] of [[left, right], [right, left]] as const) {
    const own = columnOf(a, unit, scope);
    const other = columnOf(b, unit, { table: joined, context, operators: new Map() });
    if (own === undefined || other === undefined) continue;
    const references = (from: Table, column: string, to: Table, target: string) =>
      [...from.relations.values()].some((relation) => relation.target === to.name && relation.fields.includes(column) && (relation.references.length === 0 || relation.references.includes(target)));
    if (references(joined, other, table, own) || references(table, own, joined, other)) return true;
  }
  return false;
}

/** `members.userId` where `members` is a table joined to the query's (see joinedTables). */
function joinedColumn(node: Node, unit: FileUnit, scope: Scope): { table: Table; name: string } | undefined {
  if (!scope.joined || scope.joined.length === 0) return undefined;
  const member = unwrap(node);
  if (member.type !== T.MemberExpression) return undefined;
  const ref = resolveTable(unwrap(member.object), unit, scope.context);
  const name = memberName(member);
  return ref.kind === 'table' && name !== undefined && scope.joined.includes(ref.table) ? { table: ref.table, name } : undefined;
}

/** `t.orgId` where `t` is the query's table (its definition, or the relational callback's parameter). */
function columnOf(node: Node, unit: FileUnit, scope: Scope): string | undefined {
  const member = unwrap(node);
  if (member.type !== T.MemberExpression) return undefined;
  const object = unwrap(member.object);
  if (object.type === T.Identifier && scope.tableParam && variableOf(unit.scopeManager, object) === scope.tableParam) return memberName(member);
  const ref = resolveTable(object, unit, scope.context);
  return ref.kind === 'table' && ref.table === scope.table ? memberName(member) : undefined;
}

/** The Drizzle operator a call is: imported from `drizzle-orm`, or one of the relational callback's. */
function operatorOf(call: TSESTree.CallExpression, unit: FileUnit, scope: Scope): string | undefined {
  const callee = unwrap(call.callee);
  if (callee.type === T.MemberExpression) {
    const object = unwrap(callee.object);
    const variable = object.type === T.Identifier ? variableOf(unit.scopeManager, object) : null;
    return variable && scope.operators.get(variable) === '*' ? memberName(callee) : undefined;
  }
  if (callee.type !== T.Identifier) return undefined;
  const variable = variableOf(unit.scopeManager, callee);
  const named = variable ? scope.operators.get(variable) : undefined;
  if (named && named !== '*') return named;
  return drizzleImportOf(callee, unit, scope.context)?.imported;
}

function callbackScope(fn: TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression, unit: FileUnit, table: Table, context: AnalysisContext): Scope {
  const scope: Scope = { table, context, operators: new Map() };
  const [tableParam, operators] = fn.params;
  if (tableParam?.type === T.Identifier) scope.tableParam = variableOf(unit.scopeManager, tableParam) ?? undefined;
  if (operators?.type === T.ObjectPattern) {
    for (const property of operators.properties) {
      const name = property.type === T.Property ? propertyName(property) : undefined;
      if (!name || property.type !== T.Property || property.value.type !== T.Identifier) continue;
      const variable = variableOf(unit.scopeManager, property.value);
      if (variable) scope.operators.set(variable, name);
    }
  } else if (operators?.type === T.Identifier) {
    const variable = variableOf(unit.scopeManager, operators);
    if (variable) scope.operators.set(variable, '*');
  }
  return scope;
}

/** The links of a method chain, outermost first: `db.insert(t).values(v)` gives values, insert. */
function chainOf(call: TSESTree.CallExpression): { name: string; call: TSESTree.CallExpression }[] {
  const links: { name: string; call: TSESTree.CallExpression }[] = [];
  let current: Node = call;
  for (let i = 0; i < 40; i++) {
    const node = unwrap(current);
    if (node.type !== T.CallExpression) break;
    const callee = unwrap(node.callee);
    if (callee.type !== T.MemberExpression) break;
    const name = memberName(callee);
    if (!name) break;
    links.push({ name, call: node });
    current = callee.object;
  }
  return links;
}
