import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, unwrap, variableOf, walk, type FileUnit, type Node } from '../../core/ast.js';
import type { TenantPositions } from '../../core/facts.js';
import type { AnalysisContext, QuerySite } from '../../core/query-site.js';
import type { Located } from '../../core/resolve.js';
import { pinsTenant, type Table, type TenantSchema } from '../../core/schema.js';
import { resolveObject } from '../../orm/prisma-where.js';
import { commonPrincipals, equalityValues, isPrincipal, isPrincipalKey, noPositions, uniqueKeyValues, USER_KEYS, writtenTenantValues } from './object.js';

/** Relations that lead to the user, when the schema does not say (`user`, `members`, `memberships`). */
const USER_RELATIONS = /^(user|users|member|members|membership|memberships|owner)$/i;
const MAX_DEPTH = 4;

/**
 * Prisma's filter and data objects, read for their tenant positions: the tenant key and its
 * compound uniques, `AND`/`OR`/`NOT`, relation filters down to the tenant root (`org: { id }`,
 * `is`), keys assigned to the `where` after it is built, `data`/`create`/`update` with nested
 * `connect`s, and the user a filter pins (`userId`, `members: { some: { userId } }`).
 */
export function prismaPositions(site: QuerySite, context: AnalysisContext): TenantPositions {
  const positions = noPositions();
  const { call, table } = site;
  const first = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
  // The written object as it is passed (`data: req.body`), for mass assignment.
  if (first?.type === T.ObjectExpression) {
    const data = first.properties.find((p): p is TSESTree.Property => p.type === T.Property && ['data', 'create'].includes(propertyName(p) ?? ''));
    if (data) positions.written = data.value;
  }
  const args = call.arguments[0] ? resolveObject(call.arguments[0], context.unit, context) : undefined;
  if (!args) return positions;
  const whereProperty = args.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'where');
  const where = whereProperty ? resolveObject(whereProperty.value, args.unit, context) : undefined;
  if (whereProperty) {
    positions.filterExpressions.push({ node: whereProperty.value, unit: args.unit });
    if (where && where.node !== whereProperty.value) positions.filterExpressions.push(where);
  }
  if (where) {
    positions.readable = true;
    const { schema } = context;
    const values = table.name === schema.root ? uniqueKeyValues(where, table) : tenantKeyValues(where, table, context, 0);
    positions.filter.push(...values, ...mutatedKeys(where, table));
    positions.principals.push(...principalValues(where, table, schema, 0));
    for (const property of where.node.properties) if (property.type === T.Property) positions.criteria.push({ node: property.value, unit: where.unit });
    positions.scopes = scopeValues(where, table, context);
    walk(where.node, (node) => {
      if (node.type === T.Property && node.parent?.type === T.ObjectExpression) positions.compared.push({ node: node.value, unit: where.unit });
    });
  }
  for (const key of ['data', 'create', 'update']) {
    const property = args.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === key);
    const data = property ? resolveObject(property.value, args.unit, context) : undefined;
    if (data) positions.write.push(...writtenTenantValues(data, table, context));
  }
  for (const property of args.node.properties) {
    if (property.type !== T.Property || propertyName(property) === 'where' || propertyName(property) === 'data') continue;
    walk(property.value, (node) => {
      if (node.type === T.Property) positions.options.push({ node: node.value, unit: args.unit });
    });
  }
  return positions;
}

/** The values a `where` compares the tenant key with, through `AND`/`OR`/`NOT`, compound keys and relation filters. */
function tenantKeyValues(where: Located<TSESTree.ObjectExpression>, table: Table, context: AnalysisContext, depth: number): Located[] {
  if (depth > MAX_DEPTH) return [];
  const found: Located[] = [];
  for (const property of where.node.properties) {
    if (property.type !== T.Property) continue;
    const key = propertyName(property) ?? '';
    const value = unwrap(property.value);
    if (pinsTenant(table, key)) {
      found.push(...equalityValues(value, where.unit));
      continue;
    }
    if (key === 'AND' || key === 'OR' || key === 'NOT') {
      const branches = value.type === T.ArrayExpression ? value.elements : [value];
      for (const branch of branches) {
        const located = branch && branch.type !== T.SpreadElement ? resolveObject(branch, where.unit, context) : undefined;
        if (located) found.push(...tenantKeyValues(located, table, context, depth + 1));
      }
      continue;
    }
    const compound = table.uniques.find((u) => u.name === key && u.fields.some((f) => table.tenantKeys.includes(f)));
    if (compound && value.type === T.ObjectExpression) {
      for (const inner of value.properties) {
        if (inner.type === T.Property && table.tenantKeys.includes(propertyName(inner) ?? '')) found.push(...equalityValues(unwrap(inner.value), where.unit));
      }
      continue;
    }
    found.push(...relatedTenantValues(key, value, table, where.unit, context, depth + 1));
  }
  return found;
}

/** A to-one relation filter's tenant values: the root's unique key, or a tenant or child row's tenant key. */
function relatedTenantValues(key: string, value: Node, table: Table, unit: FileUnit, context: AnalysisContext, depth: number): Located[] {
  const { schema } = context;
  const relation = table.relations.get(key);
  const target = relation ? schema.tables.get(relation.target) : undefined;
  if (!relation || relation.isList || !target || value.type !== T.ObjectExpression) return [];
  const filter = unwrapIs(value);
  if (target.name === schema.root) return uniqueKeyValues({ node: filter, unit }, target);
  if (target.class === 'tenant' || target.class === 'child') return tenantKeyValues({ node: filter, unit }, target, context, depth);
  return [];
}

/**
 * The values a `where`'s own keys (never a branch of `OR`/`NOT`) compare with something that restricts
 * the rows besides the table's tenant key: another column (`appId: { in: appIds }`), or the tenant
 * key of a related row (`project: { workspaceId: w }`). See TenantPositions.scopes.
 */
function scopeValues(where: Located<TSESTree.ObjectExpression>, table: Table, context: AnalysisContext): Located[] {
  const found: Located[] = [];
  for (const property of where.node.properties) {
    if (property.type !== T.Property) continue;
    const key = propertyName(property) ?? '';
    const value = unwrap(property.value);
    if (table.tenantKeys.includes(key) || key === 'OR' || key === 'NOT' || key === 'AND') continue;
    if (table.columns.has(key) && !table.relations.has(key)) {
      found.push(...equalityValues(value, where.unit));
      continue;
    }
    found.push(...relatedTenantValues(key, value, table, where.unit, context, 1));
  }
  return found;
}

/** `const where = {}; where.orgId = v; findMany({ where })`: keys added to the filter after it is built. */
function mutatedKeys(where: Located<TSESTree.ObjectExpression>, table: Table): Located[] {
  const declarator = where.node.parent;
  if (declarator?.type !== T.VariableDeclarator || declarator.id.type !== T.Identifier) return [];
  const variable = variableOf(where.unit.scopeManager, declarator.id);
  const found: Located[] = [];
  for (const reference of variable?.references ?? []) {
    const member = reference.identifier.parent;
    const assignment = member?.parent;
    if (member?.type !== T.MemberExpression || assignment?.type !== T.AssignmentExpression || assignment.left !== member) continue;
    if (table.tenantKeys.includes(memberName(member) ?? '')) found.push({ node: assignment.right, unit: where.unit });
  }
  return found;
}

/**
 * The values a `where` compares a user with, in the order they are written: `userId: v`, a
 * foreign key to a model that spans tenants (`agentId` on TeamMember), `user: { id: v }` on a
 * relation to the users' model, `members: { some: { userId: v } }`, and `AND` branches. A filter
 * that pins the verified user returns only that user's rows: a membership condition.
 */
function principalValues(where: Located<TSESTree.ObjectExpression>, table: Table | undefined, schema: TenantSchema, depth: number): Located[] {
  if (depth > MAX_DEPTH) return [];
  const found: Located[] = [];
  const at = (node: TSESTree.Node): Located => ({ node: unwrap(node), unit: where.unit });
  for (const property of where.node.properties) {
    if (property.type !== T.Property) continue;
    const key = propertyName(property) ?? '';
    const value = unwrap(property.value);
    if (USER_KEYS.test(key) || isPrincipalKey(table, key, schema)) found.push(at(value));
    const branches = key === 'AND' || key === 'OR' ? (value.type === T.ArrayExpression ? value.elements : [value]) : [];
    const pinned = branches.map((branch) => (branch?.type === T.ObjectExpression ? principalValues({ node: branch, unit: where.unit }, table, schema, depth + 1) : []));
    if (key === 'AND') found.push(...pinned.flat());
    // `OR: [{ ownerId: u }, { members: { some: { userId: u } } }]`: the owner or a member, both the
    // user. A branch that does not pin it (`{ public: true }`) lets other rows through.
    if (key === 'OR') found.push(...commonPrincipals(pinned));
    // `NOT: { userId }`, `members: { none: { userId } }`, `{ every: ... }` (true of no members at all): no pin.
    if (NEGATIONS.has(key) || value.type !== T.ObjectExpression) continue;
    const relation = table?.relations.get(key);
    const target = relation ? schema.tables.get(relation.target) : undefined;
    // `user: { id }` on a relation to the users' model, or `members: { some: { userId } }`.
    const inner = unwrapRelationFilter(value);
    if (target && isPrincipal(target, schema.root)) {
      const unique = new Set([...target.primaryKey, ...target.uniques.filter((u) => u.fields.length === 1).flatMap((u) => u.fields)]);
      for (const p of inner.properties) if (p.type === T.Property && unique.has(propertyName(p) ?? '')) found.push(at(p.value));
      continue;
    }
    if (!table && !USER_RELATIONS.test(key)) continue;
    found.push(...principalValues({ node: inner, unit: where.unit }, target, schema, depth + 1));
    if (target || !USER_RELATIONS.test(key)) continue;
    for (const p of inner.properties) if (p.type === T.Property && (propertyName(p) === 'id' || propertyName(p) === 'email')) found.push(at(p.value));
  }
  return found;
}

/** Keys under which a user's value pins no row to that user. */
const NEGATIONS = new Set(['NOT', 'none', 'every', 'isNot']);

/** `{ some: { ... } }`, `{ every: ... }`, `{ is: { ... } }` on a relation: the inner filter. */
function unwrapRelationFilter(filter: TSESTree.ObjectExpression): TSESTree.ObjectExpression {
  for (const property of filter.properties) {
    if (property.type === T.Property && ['some', 'is'].includes(propertyName(property) ?? '') && property.value.type === T.ObjectExpression) return property.value;
  }
  return filter;
}

function unwrapIs(filter: TSESTree.ObjectExpression): TSESTree.ObjectExpression {
  for (const property of filter.properties) {
    if (property.type === T.Property && propertyName(property) === 'is' && property.value.type === T.ObjectExpression) return property.value;
  }
  return filter;
}
