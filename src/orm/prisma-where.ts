import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, unwrap, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext, Predicate } from '../core/query-site.js';
import { returnedExpressions, type Located } from '../core/resolve.js';
import { isCredentialColumn, type Table } from '../core/schema.js';
import type { AssignedKey } from '../flow/filled.js';
import { evaluateFilterExpression, evaluateFilterObject, resolveObject, rootPinningField, type ObjectFilterDialect } from './object-filter.js';

export { resolveObject };


/**
 * Decides whether a Prisma `where` constrains `table` to one tenant. Conjuncts at the top level
 * (plain keys, `AND`, spreads) scope the query when any one of them does; an `OR` scopes only
 * when every branch does.
 */
export function evaluateWhere(where: Node, unit: FileUnit, table: Table, context: AnalysisContext, depth = 0): Predicate {
  return evaluateFilterExpression(where, unit, context, {
    object: (node, at, d, assigned) => evaluateObject(node, at, table, context, d, assigned),
    call: (node, at, d) => evaluateHelperCall(node, at, table, context, d),
  }, depth);
}

/** `...tenantWhere(orgId)` or `where: scopeTo(ctx)`: the helper's returned object decides. */
function evaluateHelperCall(node: TSESTree.CallExpression, unit: FileUnit, table: Table, context: AnalysisContext, depth: number): Predicate {
  const callee = unwrap(node.callee);
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (name && (context.config.filterHelpers ?? []).includes(name)) return { kind: 'scoped', via: `\`${name}()\`, a configured filter helper` };
  if (callee.type !== T.Identifier) return { kind: 'unknown', reason: `the filter is built by \`${unit.text.slice(callee.range[0], callee.range[1])}()\`` };
  const binding = context.resolver.bindingOf(callee, unit, depth + 1);
  if (binding.kind !== 'function') return { kind: 'unknown', reason: `\`${callee.name}()\` cannot be followed` };
  const results = returnedExpressions(binding.fn.node).map((expr) => evaluateWhere(expr, binding.fn.unit, table, context, depth + 1));
  if (results.length === 0) return { kind: 'unknown', reason: `\`${callee.name}()\` returns nothing we can read` };
  const notScoped = results.find((r) => r.kind !== 'scoped');
  if (!notScoped) return { kind: 'scoped', via: `the helper \`${callee.name}()\`` };
  return notScoped;
}

/** Prisma's filter dialect: `AND` (a list or one object), `OR`, relation filters and the tenant-level shortcuts. */
const PRISMA_DIALECT: ObjectFilterDialect = {
  and: ['AND'],
  or: ['OR'],
  andAcceptsObject: true,
  evaluateSpreads: true,
  valueConstrains,
  branch: (node, unit, table, context, depth) => evaluateWhere(node, unit, table, context, depth),
  other: prismaKey,
};

function evaluateObject(node: TSESTree.ObjectExpression, unit: FileUnit, table: Table, context: AnalysisContext, depth: number, assigned?: AssignedKey[]): Predicate {
  return evaluateFilterObject(node, unit, table, context, PRISMA_DIALECT, depth, assigned);
}

function prismaKey(name: string, value: Node, unit: FileUnit, table: Table, context: AnalysisContext, depth: number): Predicate | undefined {
  if (isMembershipByUser(table, name, context)) return { kind: 'scoped', via: `\`${name}\`: a membership lookup by the user, which is how the user's tenants are found` };
  if (isLevelOwnKey(table, name, context)) return { kind: 'scoped', via: `\`${name}\`, the own key of the tenant level \`${table.name}\`` };
  if (isMembershipCondition(table, name, value, unit, context, depth)) return { kind: 'scoped', via: `the membership condition \`${name}\`` };
  if (isRelatedCredential(table, name, value, unit, context, depth)) return { kind: 'scoped', via: `a unique secret of the related \`${name}\`: whoever holds it may reach this row` };
  const compound = table.uniques.find((u) => u.name === name);
  if (compound?.fields.some((f) => table.tenantKeys.includes(f))) return { kind: 'scoped', via: `the compound key \`${name}\`` };
  const relation = table.relations.get(name);
  if (relation && !relation.isList) return evaluateRelationFilter(name, relation.target, value, unit, context, depth);
  // `channels: { some: { id: channelId } }` on a many-to-many to the tenant root: only rows joined to
  // that tenant (`every` and `none` hold for rows joined to no tenant at all, so they never scope).
  if (relation && relation.target === context.schema.root) {
    const located = resolveObject(value, unit, context, depth + 1);
    const some = located?.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'some');
    if (some && located) return evaluateRelationFilter(name, relation.target, some.value, located.unit, context, depth);
  }
  return undefined;
}

/**
 * `{ project: { orgId } }` or `{ project: { is: { orgId } } }` scopes through the parent. A relation
 * to the tenant root scopes when it pins the root by a unique field (`{ org: { id } }`).
 */
function evaluateRelationFilter(name: string, targetName: string, value: Node, unit: FileUnit, context: AnalysisContext, depth: number): Predicate | undefined {
  const target = context.schema.tables.get(targetName);
  if (!target) return undefined;
  const located = resolveObject(value, unit, context, depth + 1);
  if (!located) return { kind: 'unknown', reason: `the \`${name}\` relation filter cannot be read` };
  let filter: Node = located.node;
  for (const property of located.node.properties) {
    if (property.type === T.Property && propertyName(property) === 'is') filter = property.value;
  }
  if (target.class === 'tenant' || target.class === 'child') {
    const result = evaluateWhere(filter, located.unit, target, context, depth + 1);
    return result.kind === 'scoped' ? { kind: 'scoped', via: `the relation filter \`${name}\` (${result.via})` } : result.kind === 'unknown' ? result : undefined;
  }
  if (targetName === context.schema.root) {
    const pinned = resolveObject(filter, located.unit, context, depth + 1);
    const uniqueFields = new Set([...target.primaryKey, ...target.uniques.filter((u) => u.fields.length === 1).flatMap((u) => u.fields)]);
    const pins = pinned?.node.properties.some((p) => p.type === T.Property && uniqueFields.has(propertyName(p) ?? '') && valueConstrains(p.value));
    if (pins) return { kind: 'scoped', via: `the relation filter \`${name}\` on the tenant root` };
    // `{ organization: { paymentId: customerId } }`: one tenant, by an external id of the root.
    for (const p of pinned?.node.properties ?? []) {
      if (p.type !== T.Property || !valueConstrains(p.value)) continue;
      const how = rootPinningField(target, propertyName(p) ?? '');
      if (how) return { kind: 'scoped', via: `the relation filter \`${name}\` on the tenant root by ${how}` };
    }
  }
  return undefined;
}

/** `x`, `{ equals: x }`, `{ in: xs }` constrain; `undefined`, `{ not: x }`, `{ gt: x }` do not. */
function valueConstrains(value: Node): boolean {
  const node = unwrap(value);
  if (node.type === T.Identifier && node.name === 'undefined') return false;
  if (node.type === T.Literal && node.value === null) return false;
  if (node.type !== T.ObjectExpression) return true;
  return node.properties.some((p) => p.type === T.Property && ['equals', 'in'].includes(propertyName(p) ?? '') && valueConstrains(p.value));
}

/**
 * A lower tenant level (Team under Organisation) read by its own key is like the root read by
 * id: the key *is* the tenant value that scopes the models below it.
 */
function isLevelOwnKey(table: Table, name: string, context: AnalysisContext): boolean {
  if (!context.schema.levels.slice(1).includes(table.name)) return false;
  return table.primaryKey.includes(name) || table.uniques.some((u) => u.fields.length === 1 && u.fields[0] === name);
}

/**
 * `members: { some: { userId } }`: only rows the user is a member of. The membership condition
 * scopes a tenant container (a level such as Team) to the user's own tenants.
 */
function isMembershipCondition(table: Table, name: string, value: Node, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  const relation = table.relations.get(name);
  const target = relation ? context.schema.tables.get(relation.target) : undefined;
  if (!relation?.isList || !target) return false;
  const filter = resolveObject(value, unit, context, depth + 1);
  const some = filter?.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && ['some', 'every'].includes(propertyName(p) ?? ''));
  const inner = some ? resolveObject(some.value, filter?.unit ?? unit, context, depth + 1) : undefined;
  if (!inner) return false;
  return inner.node.properties.some((p) => {
    if (p.type !== T.Property) return false;
    const key = propertyName(p) ?? '';
    if (isMembershipByUser(target, key, context)) return true;
    // `members: { some: { user: { id: userId } } }`
    const userRelation = target.relations.get(key);
    return Boolean(userRelation && USER_MODEL.test(userRelation.target));
  });
}

const USER_MODEL = /^(user|users|account|accounts|person|people)$/i;

/**
 * `teamMember.findMany({ where: { userId } })`: the membership table of the tenant root, read by
 * the user's key, lists the user's own tenants. (Whether `userId` itself is trusted is
 * no-client-tenant-id's question.)
 */
function isMembershipByUser(table: Table, name: string, context: AnalysisContext): boolean {
  const relations = [...table.relations.values()];
  const toRoot = relations.some((r) => r.target === context.schema.root && r.required);
  const toUser = relations.find((r) => r.fields.length === 1 && r.fields[0] === name && r.required && USER_MODEL.test(r.target));
  return toRoot && Boolean(toUser);
}

/**
 * `signers: { some: { token } }`, `share: { is: { secret } }`: the row is reached through a unique
 * secret of a related row, as `where: { token }` reaches the row that holds it. The secret is the
 * authorisation (a signing link, a share link); the client cannot guess another tenant's.
 */
function isRelatedCredential(table: Table, name: string, value: Node, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  const relation = table.relations.get(name);
  const target = relation ? context.schema.tables.get(relation.target) : undefined;
  if (!relation || !target) return false;
  const filter = resolveObject(value, unit, context, depth + 1);
  if (!filter) return false;
  const wrapper = relation.isList ? ['some'] : ['is'];
  let inner: Located<TSESTree.ObjectExpression> | undefined = relation.isList ? undefined : filter;
  for (const p of filter.node.properties) {
    if (p.type === T.Property && wrapper.includes(propertyName(p) ?? '')) inner = resolveObject(p.value, filter.unit, context, depth + 1);
  }
  return Boolean(inner?.node.properties.some((p) => p.type === T.Property && isCredentialColumn(target, propertyName(p) ?? '') && valueConstrains(p.value)));
}
