/**
 * MikroORM queries: `em.find/findOne/findOneOrFail/findAndCount/count/findAll/nativeUpdate/
 * nativeDelete(Entity, where, options)`, the same on a repository without the entity, and
 * `em.createQueryBuilder(Entity).where(...)`. Filters are objects (`{ organization: orgId,
 * $or: [...] }`), judged by the shared object-filter evaluator. An entity whose `@Filter({ cond,
 * default: true })` constrains the tenant key is scoped by construction, unless the query turns
 * that filter off (`filters: false`, `filters: { tenant: false }`).
 */
import type { TSESTree } from '@typescript-eslint/types';
import { type FileUnit, isChainLink, memberName, methodChain, type Node, propertyName, T, textOf, unwrap, walk } from '../core/ast.js';
import type { AnalysisContext, Operation, OrmRecognizer, Predicate, QuerySite } from '../core/query-site.js';
import type { Table } from '../core/schema.js';
import { isMikroOrm } from '../schema/mikro-orm.js';
import { mikroOrmReceiverOf, type MikroReceiver } from './mikro-orm-client.js';
import { combineAnd, evaluateFilterExpression, evaluateFilterObject, isLoadedRow, isNullish, whereKeysOf, type ObjectFilterDialect } from './object-filter.js';

/** Method → operation, and where its filter and options are (after the entity, for an EntityManager). */
const METHODS: Record<string, { operation: Operation; where?: number; options?: number; data?: number }> = {
  find: { operation: 'read', where: 0, options: 1 },
  findOne: { operation: 'read', where: 0, options: 1 },
  findOneOrFail: { operation: 'read', where: 0, options: 1 },
  findAndCount: { operation: 'read', where: 0, options: 1 },
  findByCursor: { operation: 'read', where: 0, options: 1 },
  count: { operation: 'read', where: 0, options: 1 },
  findAll: { operation: 'read', options: 0 },
  nativeUpdate: { operation: 'update', where: 0, data: 1, options: 2 },
  nativeDelete: { operation: 'delete', where: 0, options: 1 },
  create: { operation: 'insert', data: 0 },
  insert: { operation: 'insert', data: 0 },
  insertMany: { operation: 'insert', data: 0 },
};

export const mikroOrmRecognizer: OrmRecognizer = {
  name: 'mikroorm',
  enablers: ['@mikro-orm/core', '@mikro-orm/postgresql', '@mikro-orm/mysql', '@mikro-orm/sqlite', '@mikro-orm/mariadb', '@mikro-orm/mongodb', '@mikro-orm/nestjs', '@mikro-orm/libsql', '@mikro-orm/mssql', '@mikro-orm/better-sqlite'],
  recognize(call, context) {
    const callee = unwrap(call.callee);
    if (callee.type !== T.MemberExpression) return undefined;
    const method = memberName(callee) ?? '';
    if (method === 'createQueryBuilder' || method === 'qb') return undefined;
    if (!isChainLink(call)) {
      const builder = builderSite(call, context);
      if (builder) return builder;
    }
    const spec = METHODS[method];
    if (!spec) return undefined;
    const receiver = mikroOrmReceiverOf(callee.object, context.unit, context);
    if (!receiver) return undefined;
    const offset = receiver.kind === 'em' ? 1 : 0;
    const entity = receiver.kind === 'em' ? call.arguments[0] : receiver.entity;
    const entityUnit = receiver.kind === 'em' ? context.unit : receiver.entityUnit;
    if (!entity || entity.type === T.SpreadElement) return undefined;
    const found = entityOf(entity, entityUnit, context);
    if (!found) return undefined;
    const argument = (index: number | undefined): Node | undefined => {
      const arg = index === undefined ? undefined : call.arguments[index + offset];
      return arg && arg.type !== T.SpreadElement ? arg : undefined;
    };
    const site: QuerySite = {
      orm: 'mikroorm',
      table: found.table,
      operation: spec.operation,
      method,
      callee,
      calleeText: textOf(context.unit, callee).replace(/\s+/g, ''),
      call,
      client: { kind: 'client', scoped: false, how: receiver.how },
      predicate: { kind: 'scoped', via: 'an insert' },
      nested: [],
      fix: fixFor(found.table),
    };
    const data = argument(spec.data);
    if (data) site.data = data;
    if (spec.operation === 'insert') return site;
    const options = argument(spec.options);
    let where = argument(spec.where);
    if (method === 'findAll' && options) where = propertyValue(options, 'where');
    const filter = globalFilter(found, options, context);
    if (filter) {
      site.predicate = { kind: 'scoped', via: filter };
      return site;
    }
    const object = where ? unwrap(where) : undefined;
    if (object?.type === T.ObjectExpression) {
      site.whereObject = object;
      site.whereKeys = whereKeysOf(object, context.unit);
    }
    site.predicate = where ? evaluateWhere(where, found.table, context) : { kind: 'unscoped', detail: 'the query has no filter' };
    return site;
  },
};

interface Entity {
  table: Table;
  cls?: TSESTree.ClassDeclaration | TSESTree.ClassExpression;
  clsUnit?: FileUnit;
}

/** `Invoice` (a class of the schema) or `'Invoice'`. */
function entityOf(node: Node, unit: FileUnit, context: AnalysisContext): Entity | undefined {
  const inner = unwrap(node);
  if (inner.type === T.Literal && typeof inner.value === 'string') {
    const table = context.schema.tables.get(inner.value);
    return table ? { table } : undefined;
  }
  if (inner.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(inner, unit, 1);
  const name = binding.kind === 'class' ? (binding.cls.node.id?.name ?? inner.name) : inner.name;
  const table = context.schema.tables.get(name);
  if (!table) return undefined;
  return binding.kind === 'class' ? { table, cls: binding.cls.node, clsUnit: binding.cls.unit } : { table };
}

function propertyValue(node: Node, name: string): Node | undefined {
  const object = unwrap(node);
  if (object.type !== T.ObjectExpression) return undefined;
  for (const property of object.properties) if (property.type === T.Property && propertyName(property) === name) return property.value;
  return undefined;
}

/**
 * `@Filter({ name: 'tenant', cond: ..., default: true })` on the entity, whose condition names a
 * tenant key: the filter adds the tenant to every query, unless this one turns it off.
 */
function globalFilter(entity: Entity, options: Node | undefined, context: AnalysisContext): string | undefined {
  const { cls, clsUnit } = entity;
  if (!cls || !clsUnit) return undefined;
  const setting = options ? propertyValue(options, 'filters') : undefined;
  const settingNode = setting ? unwrap(setting) : undefined;
  if (settingNode?.type === T.Literal && settingNode.value === false) return undefined;
  for (const decorator of cls.decorators ?? []) {
    const expression = unwrap(decorator.expression);
    if (expression.type !== T.CallExpression || !isMikroOrm(clsUnit, expression.callee, 'Filter')) continue;
    const spec = expression.arguments[0];
    if (!spec) continue;
    const name = stringValue(propertyValue(spec, 'name'));
    const isDefault = unwrap(propertyValue(spec, 'default') ?? spec).type === T.Literal && (unwrap(propertyValue(spec, 'default') ?? spec) as TSESTree.Literal).value === true;
    const cond = propertyValue(spec, 'cond');
    if (!name || !cond || !mentionsKey(cond, entity.table)) continue;
    // `filters: { tenant: false }` turns this one off; `filters: ['tenant']` / `{ tenant: true }` turns it on.
    const own = settingNode?.type === T.ObjectExpression ? propertyValue(settingNode, name) : undefined;
    const ownValue = own ? unwrap(own) : undefined;
    const enabledHere = ownValue?.type === T.Literal ? ownValue.value !== false : ownValue !== undefined || (settingNode?.type === T.ArrayExpression && settingNode.elements.some((e) => e && stringValue(e) === name));
    if (ownValue?.type === T.Literal && ownValue.value === false) return undefined;
    if (isDefault || enabledHere) return `the \`@Filter\` \`${name}\` of \`${entity.table.name}\`, which constrains the tenant key`;
  }
  void context;
  return undefined;
}

function mentionsKey(cond: Node, table: Table): boolean {
  let found = false;
  walk(cond, (node) => {
    if (node.type === T.Property && table.tenantKeys.includes(propertyName(node) ?? '')) found = true;
  });
  return found;
}

function stringValue(node: Node | undefined): string | undefined {
  const inner = node ? unwrap(node) : undefined;
  return inner?.type === T.Literal && typeof inner.value === 'string' ? inner.value : undefined;
}

const OPERATORS_THAT_PIN = new Set(['$eq', '$in', 'id']);

function dialect(context: AnalysisContext): ObjectFilterDialect {
  const d: ObjectFilterDialect = {
    and: ['$and'],
    or: ['$or'],
    ignored: ['$not', '$nor'],
    valueConstrains(value) {
      const inner = unwrap(value);
      if (isNullish(inner)) return false;
      if (inner.type !== T.ObjectExpression) return true;
      return inner.properties.some((p) => p.type === T.Property && OPERATORS_THAT_PIN.has(propertyName(p) ?? '')) || isMembershipFilter(inner, context);
    },
    branch(node, unit, table, context, depth) {
      return evaluateWhere(node, table, { ...context, unit }, depth);
    },
    other(name, value, unit, table, context, depth) {
      // A child filtered through its parent: `{ invoice: { organization: orgId } }`.
      const relation = table.relations.get(name);
      // `{ invoice }` with the entity an earlier query loaded: keyed by that row, whose own query is checked where it runs.
      const target = relation && !relation.isList && relation.fields.length === 1 ? context.schema.tables.get(relation.target) : undefined;
      if ((target?.class === 'tenant' || target?.class === 'child') && isLoadedRow(value, unit, context, depth)) {
        return { kind: 'scoped', via: `\`${name}\`, an entity an earlier query loaded` };
      }
      const parent = relation && table.parentRelations.includes(name) ? context.schema.tables.get(relation.target) : undefined;
      const inner = unwrap(value);
      if (!parent || inner.type !== T.ObjectExpression) return undefined;
      const result = evaluateFilterObject(inner, unit, parent, context, d, depth + 1);
      return result.kind === 'scoped' ? { ...result, via: `\`${name}\` filtered on its tenant key` } : undefined;
    },
  };
  return d;
}

const USER_MODEL = /^(user|users|account|accounts|person|people|profile|profiles)$/i;

/**
 * `{ project: { members: { user: { id: userId } } } }`: the tenant (or a tenant level) restricted
 * to those the user is a member of. A MikroORM collection in a filter means "some member": the
 * membership entity must belong to the tenant and to a user, and the condition must name the user.
 */
function isMembershipFilter(object: TSESTree.ObjectExpression, context: AnalysisContext): boolean {
  const levels = context.schema.levels.map((name) => context.schema.tables.get(name)).filter((t): t is Table => t !== undefined);
  return object.properties.some((property) => {
    if (property.type !== T.Property) return false;
    const name = propertyName(property) ?? '';
    const inner = unwrap(property.value);
    if (inner.type !== T.ObjectExpression) return false;
    return levels.some((level) => {
      const relation = level.relations.get(name);
      const member = relation?.isList ? context.schema.tables.get(relation.target) : undefined;
      if (!member) return false;
      const members = [...member.relations.values()];
      if (!members.some((r) => r.target === level.name && r.required && !r.isList)) return false;
      return inner.properties.some((p) => {
        if (p.type !== T.Property) return false;
        const userRelation = member.relations.get(propertyName(p) ?? '');
        if (!userRelation || userRelation.isList || !userRelation.required || !USER_MODEL.test(userRelation.target)) return false;
        const value = unwrap(p.value);
        if (isNullish(value)) return false;
        if (value.type !== T.ObjectExpression) return true;
        return value.properties.some((q) => q.type === T.Property && ['id', '$eq'].includes(propertyName(q) ?? '') && !isNullish(unwrap(q.value)));
      });
    });
  });
}

function evaluateWhere(where: Node, table: Table, context: AnalysisContext, depth = 0): Predicate {
  const d = dialect(context);
  if (isPrimaryKeyParameter(where, context)) return { kind: 'unscoped', detail: '`where` filters only on the primary key' };
  return evaluateFilterExpression(where, context.unit, context, {
    object: (node, unit, level, assigned) => evaluateFilterObject(node, unit, table, context, d, level, assigned),
    call: (node) => ({ kind: 'unknown', reason: `the filter is built by \`${textOf(context.unit, node.callee)}()\`` }),
    other: (node) => {
      // `em.findOne(Invoice, id)`, `findOne(Invoice, dto.id)`: a primary key.
      if (node.type === T.Literal || node.type === T.MemberExpression || node.type === T.TemplateLiteral) return { kind: 'unscoped', detail: '`where` filters only on the primary key' };
      return undefined;
    },
  }, depth);
}

/** `em.createQueryBuilder(Invoice).where({ ... }).andWhere({ ... }).getResult()`. */
function builderSite(call: TSESTree.CallExpression, context: AnalysisContext): QuerySite | undefined {
  const links = methodChain(call);
  const index = links.findIndex((l) => l.name === 'createQueryBuilder' || l.name === 'qb');
  const start = links[index];
  if (!start) return undefined;
  const callee = unwrap(start.call.callee);
  if (callee.type !== T.MemberExpression) return undefined;
  const receiver: MikroReceiver | undefined = mikroOrmReceiverOf(callee.object, context.unit, context);
  if (!receiver) return undefined;
  const entityNode = receiver.kind === 'em' ? start.call.arguments[0] : receiver.entity;
  if (!entityNode || entityNode.type === T.SpreadElement) return undefined;
  const entity = entityOf(entityNode, receiver.kind === 'em' ? context.unit : receiver.entityUnit, context);
  if (!entity) return undefined;
  const rest = links.slice(index + 1);
  const names = rest.map((l) => l.name);
  const operation: Operation = names.includes('insert') ? 'insert' : names.includes('delete') ? 'delete' : names.includes('update') ? 'update' : 'read';
  const site: QuerySite = {
    orm: 'mikroorm',
    table: entity.table,
    operation,
    method: names.find((n) => ['getResult', 'getResultList', 'getSingleResult', 'execute', 'getCount', 'update', 'delete', 'insert'].includes(n)) ?? 'createQueryBuilder',
    callee: start.call,
    calleeText: textOf(context.unit, start.call).replace(/\s+/g, ''),
    call,
    client: { kind: 'client', scoped: false, how: receiver.how },
    predicate: { kind: 'scoped', via: 'an insert' },
    nested: [],
    fix: fixFor(entity.table),
  };
  if (operation === 'insert') return site;
  const filter = globalFilter(entity, undefined, context);
  if (filter && !rest.some((l) => l.name === 'setFlag' || l.name === 'withoutFilters')) {
    site.predicate = { kind: 'scoped', via: filter };
    return site;
  }
  const results: Predicate[] = [];
  for (const link of rest) {
    if (link.name === 'orWhere') return { ...site, predicate: { kind: 'unknown', reason: '`.orWhere()` in a query builder is not followed' } };
    if ((link.name === 'where' || link.name === 'andWhere') && link.call.arguments[0]) {
      const arg = link.call.arguments[0];
      if (arg.type === T.Literal && typeof arg.value === 'string') {
        results.push({ kind: 'unknown', reason: 'a SQL string condition in `.where()`' });
        continue;
      }
      if (arg.type !== T.SpreadElement) results.push(evaluateWhere(arg, entity.table, context));
    }
  }
  site.predicate = results.length ? combineAnd(results) : { kind: 'unscoped', detail: 'the query builder has no `.where()`' };
  if (site.predicate.kind !== 'scoped' && !isRun(call)) site.predicate = { kind: 'unknown', reason: 'the query builder is kept and may get its `.where()` later' };
  return site;
}

function isRun(call: TSESTree.CallExpression): boolean {
  const parent = call.parent;
  if (!parent) return false;
  if (parent.type === T.AwaitExpression || parent.type === T.ReturnStatement) return true;
  return parent.type === T.ArrowFunctionExpression && parent.body === call;
}

function fixFor(table: Table): { missing: string; orBypass: string } {
  const parent = table.class === 'child' ? table.parentRelations[0] : undefined;
  const key = table.tenantKeys[0] ?? 'organization';
  return {
    missing: parent
      ? `Filter through the parent: \`{ ${parent}: { <tenant key>: orgId }, ... }\``
      : `Add \`${key}\` to the filter (\`{ ..., ${key}: orgId }\`), or a \`@Filter({ name: 'tenant', cond: ..., default: true })\` on the entity`,
    orBypass: `Keep \`${key}\` outside \`$or\` (\`{ ${key}: orgId, $or: [...] }\`), or add it to every branch.`,
  };
}

/** `findOne(Invoice, id)` with `id: string` (or `number`): a primary key, not a filter object. */
function isPrimaryKeyParameter(where: Node, context: AnalysisContext): boolean {
  const node = unwrap(where);
  if (node.type !== T.Identifier) return false;
  const binding = context.resolver.bindingOf(node, context.unit, 1);
  const type = binding.kind === 'parameter' ? binding.param.node.typeAnnotation?.typeAnnotation : undefined;
  return type?.type === T.TSStringKeyword || type?.type === T.TSNumberKeyword;
}
