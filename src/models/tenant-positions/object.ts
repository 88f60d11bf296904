import type { TSESTree } from '@typescript-eslint/types';
import { propertyName, T, textOf, unwrap } from '../../core/ast.js';
import type { TenantPositions } from '../../core/facts.js';
import type { AnalysisContext, QuerySite } from '../../core/query-site.js';
import type { Located } from '../../core/resolve.js';
import type { Table, TenantSchema } from '../../core/schema.js';
import { resolveObject } from '../../orm/object-filter.js';

export function noPositions(): TenantPositions {
  return { readable: false, filter: [], write: [], principals: [], criteria: [], compared: [], filterExpressions: [], options: [] };
}

/**
 * Data layers whose recognizer hands over the tenant value it found and the written object
 * (TypeORM, Sequelize, Mongoose, Knex, Kysely, MikroORM, supabase-js): the filter value is
 * `predicate.value`, the written values are the tenant keys of `data` when it is an object.
 */
export function recognizedPositions(site: QuerySite, context: AnalysisContext): TenantPositions {
  const positions = noPositions();
  if (site.data) positions.written = site.data;
  const { table } = site;
  // Only tenant data has tenant positions: a global table's key is not the tenant.
  if (table.class !== 'tenant' && table.class !== 'child') return positions;
  if (site.predicate.kind === 'scoped' && site.predicate.value && site.operation !== 'insert') {
    positions.filter.push({ node: site.predicate.value, unit: context.unit });
    positions.principals.push(...siblingPrincipals(site.predicate.value, table, context));
    positions.compared.push({ node: site.predicate.value, unit: context.unit });
    // `.eq('org_id', o).eq('user_id', u)`: a chained filter's conjuncts beside the tenant key; a
    // membership lookup checks every value it compares.
    for (const { column, value } of site.equalities ?? []) {
      if (USER_KEYS.test(column) || isPrincipalKey(table, column, context.schema)) positions.principals.push({ node: value, unit: context.unit });
      if (value !== site.predicate.value) positions.compared.push({ node: value, unit: context.unit });
    }
  }
  const data = site.data ? resolveObject(site.data, context.unit, context) : undefined;
  if (data) positions.write.push(...writtenTenantValues(data, table, context));
  return positions;
}

/**
 * `{ account_id: a, user_id: u }` (Knex, TypeORM, Sequelize, Mongoose, MikroORM filter objects):
 * the values of the keys beside the tenant key that name the user the row belongs to, so that a
 * membership lookup reads as one whichever data layer carries it.
 */
function siblingPrincipals(value: TSESTree.Node, table: Table, context: AnalysisContext): Located[] {
  let node: TSESTree.Node = value;
  while (node.parent && (node.parent.type === T.TSAsExpression || node.parent.type === T.TSNonNullExpression)) node = node.parent;
  const property = node.parent;
  if (property?.type !== T.Property || property.value !== node || property.parent?.type !== T.ObjectExpression) return [];
  const found: Located[] = [];
  for (const sibling of property.parent.properties) {
    if (sibling === property || sibling.type !== T.Property) continue;
    const key = propertyName(sibling) ?? '';
    if (USER_KEYS.test(key) || isPrincipalKey(table, key, context.schema)) found.push({ node: unwrap(sibling.value), unit: context.unit });
  }
  return found;
}

/** `{ orgId: v }`, or Prisma's `{ organization: { connect: { id: v } } }`: the values written as the row's tenant. */
export function writtenTenantValues(data: Located<TSESTree.ObjectExpression>, table: Table, context: AnalysisContext): Located[] {
  const { schema } = context;
  const found: Located[] = [];
  for (const property of data.node.properties) {
    if (property.type !== T.Property) continue;
    const key = propertyName(property) ?? '';
    if (table.tenantKeys.includes(key)) {
      found.push({ node: property.value, unit: data.unit });
      continue;
    }
    const relation = table.relations.get(key);
    const value = unwrap(property.value);
    if (!relation || relation.target !== schema.root || value.type !== T.ObjectExpression) continue;
    const root = schema.tables.get(relation.target);
    for (const op of value.properties) {
      const opValue = op.type === T.Property && propertyName(op) === 'connect' ? unwrap(op.value) : undefined;
      if (root && opValue?.type === T.ObjectExpression) found.push(...uniqueKeyValues({ node: opValue, unit: data.unit }, root));
    }
  }
  return found;
}

/** `{ id: v }` or another single-field unique key of `table`: the values that name one row of it. */
export function uniqueKeyValues(filter: Located<TSESTree.ObjectExpression>, table: Table): Located[] {
  const keys = new Set([...table.primaryKey, ...table.uniques.filter((u) => u.fields.length === 1).flatMap((u) => u.fields)]);
  return filter.node.properties.flatMap((p) => (p.type === T.Property && keys.has(propertyName(p) ?? '') ? equalityValues(unwrap(p.value), filter.unit) : []));
}

/** `orgId: v`, `orgId: { equals: v }`, `orgId: { in: vs }`. */
export function equalityValues(value: TSESTree.Node, unit: Located['unit']): Located[] {
  if (value.type !== T.ObjectExpression) return [{ node: value, unit }];
  return value.properties.flatMap((p) => (p.type === T.Property && ['equals', 'in'].includes(propertyName(p) ?? '') ? [{ node: p.value, unit }] : []));
}

/** Keys that name the user a row belongs to, when the schema does not say (`userId`, `member_id`, `ownerId`). */
export const USER_KEYS = /^(user|member|owner)_?id$/i;

/** `agentId` on TeamMember: the foreign key to a model that is not tenant data, or a key named like a user's. */
export function isPrincipalKey(table: Table | undefined, key: string, schema: TenantSchema): boolean {
  if (!table) return false;
  for (const relation of table.relations.values()) {
    if (!relation.fields.includes(key)) continue;
    const target = schema.tables.get(relation.target);
    if (target && isPrincipal(target, schema.root)) return true;
  }
  return false;
}

/** The users' model (or another that spans tenants): neither tenant data nor the tenant root. */
export function isPrincipal(table: Table, root: string | undefined): boolean {
  return table.name !== root && table.class !== 'tenant' && table.class !== 'child';
}

/**
 * The users every branch of a disjunction pins, by the same expression (the first branch's, once
 * each): `owner = u OR member = u` pins `u`; a branch that pins no one, or another value, pins nothing.
 */
export function commonPrincipals(branches: Located[][]): Located[] {
  if (branches.length === 0 || branches.some((b) => b.length === 0)) return [];
  const text = (value: Located) => `${value.unit.file}\u0000${textOf(value.unit, value.node)}`;
  const others = branches.slice(1).map((b) => new Set(b.map(text)));
  const seen = new Set<string>();
  return branches[0]!.filter((value) => {
    const key = text(value);
    if (seen.has(key) || !others.every((set) => set.has(key))) return false;
    seen.add(key);
    return true;
  });
}
