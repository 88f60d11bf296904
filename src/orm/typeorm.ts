/**
 * TypeORM queries for require-tenant-filter: `Repository` and `EntityManager` methods
 * (`repo.find({ where })`, `repo.findOneBy(where)`, `repo.update(criteria, partial)`,
 * `manager.find(Entity, options)`...) and query builders (`createQueryBuilder('t')...getMany()`,
 * in `typeorm-builder.ts`). Receivers are traced in `typeorm-receiver.ts`; filters are evaluated
 * in `typeorm-where.ts` with the shared object-filter evaluator.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, textOf, unwrap, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext, Operation, OrmRecognizer, Predicate, QuerySite } from '../core/query-site.js';
import type { Table } from '../core/schema.js';
import { builderSite, RELATION_WRITES, TERMINALS } from './typeorm-builder.js';
import { projectMethodSite } from './typeorm-project-methods.js';
import { entityTable, receiverOf } from './typeorm-receiver.js';
import { evaluateWhere } from './typeorm-where.js';
import { resolveObject, whereKeysOf } from './object-filter.js';

/** How a method takes its filter: find options with `where`, a `where` object, update/delete criteria, or data to insert. */
type Shape = 'options' | 'where' | 'criteria' | 'aggregate' | 'insert' | 'ids' | 'entities';

const METHODS: Record<string, { operation: Operation; shape: Shape }> = {
  find: { operation: 'read', shape: 'options' },
  findOne: { operation: 'read', shape: 'options' },
  findOneOrFail: { operation: 'read', shape: 'options' },
  findAndCount: { operation: 'read', shape: 'options' },
  count: { operation: 'read', shape: 'options' },
  exists: { operation: 'read', shape: 'options' },
  findBy: { operation: 'read', shape: 'where' },
  findOneBy: { operation: 'read', shape: 'where' },
  findOneByOrFail: { operation: 'read', shape: 'where' },
  findAndCountBy: { operation: 'read', shape: 'where' },
  countBy: { operation: 'read', shape: 'where' },
  existsBy: { operation: 'read', shape: 'where' },
  findByIds: { operation: 'read', shape: 'ids' },
  sum: { operation: 'read', shape: 'aggregate' },
  average: { operation: 'read', shape: 'aggregate' },
  minimum: { operation: 'read', shape: 'aggregate' },
  maximum: { operation: 'read', shape: 'aggregate' },
  update: { operation: 'update', shape: 'criteria' },
  restore: { operation: 'update', shape: 'criteria' },
  increment: { operation: 'update', shape: 'criteria' },
  decrement: { operation: 'update', shape: 'criteria' },
  delete: { operation: 'delete', shape: 'criteria' },
  softDelete: { operation: 'delete', shape: 'criteria' },
  save: { operation: 'insert', shape: 'insert' },
  insert: { operation: 'insert', shape: 'insert' },
  upsert: { operation: 'insert', shape: 'insert' },
  // the entity objects it is given, deleted or restored by their primary key
  remove: { operation: 'delete', shape: 'entities' },
  softRemove: { operation: 'delete', shape: 'entities' },
  recover: { operation: 'update', shape: 'entities' },
};

export const typeormRecognizer: OrmRecognizer = {
  name: 'typeorm',
  enablers: ['typeorm', '@nestjs/typeorm'],
  recognize(call, context) {
    const callee = unwrap(call.callee);
    if (callee.type !== T.MemberExpression) return undefined;
    const method = memberName(callee);
    if (!method) return undefined;
    if (TERMINALS.has(method) || (RELATION_WRITES.has(method) && isRelationOf(callee.object))) return builderSite(call, method, context);
    const spec = METHODS[method];
    return spec ? methodSite(call, callee, method, spec, context) : projectMethodSite(call, callee, method, context);
  },
};

/** `<builder>.relation('payments').of(order)`: the receiver of a relation write (`.add(payment)`). */
function isRelationOf(node: Node): boolean {
  const of = unwrap(node);
  if (of.type !== T.CallExpression) return false;
  const ofCallee = unwrap(of.callee);
  if (ofCallee.type !== T.MemberExpression || memberName(ofCallee) !== 'of') return false;
  const relation = unwrap(ofCallee.object);
  const relationCallee = relation.type === T.CallExpression ? unwrap(relation.callee) : undefined;
  return relationCallee?.type === T.MemberExpression && memberName(relationCallee) === 'relation';
}

/** `repo.<method>(args)` or `manager.<method>(Entity, args)`. */
function methodSite(call: TSESTree.CallExpression, callee: TSESTree.MemberExpression, method: string, spec: { operation: Operation; shape: Shape }, context: AnalysisContext): QuerySite | undefined {
  const { unit } = context;
  const receiver = receiverOf(callee.object, unit, context);
  if (!receiver || receiver.kind === 'datasource' || receiver.kind === 'runner') return undefined;
  let table: Table | undefined;
  let args: Node[] = call.arguments.filter((a): a is TSESTree.Expression => a.type !== T.SpreadElement);
  if (receiver.kind === 'repository') {
    table = receiver.table;
  } else {
    // EntityManager methods take the entity first: `manager.find(Invoice, { where })`.
    const [entity, ...rest] = args;
    table = entity ? entityTable(entity, unit, context) : undefined;
    args = rest;
  }
  if (!table) return undefined;
  const site: QuerySite = {
    orm: 'typeorm',
    table,
    operation: spec.operation,
    method,
    callee,
    calleeText: textOf(unit, callee).replace(/\s+/g, ''),
    call,
    client: { kind: 'client', scoped: receiver.scoped, how: receiver.how },
    predicate: { kind: 'scoped', via: 'an insert has no filter' },
    nested: [],
  };
  if (spec.shape === 'insert') {
    site.data = args[0];
    return site;
  }
  if (spec.shape === 'entities') {
    // `remove(invoice)` of a row the code holds: whether it is the tenant's was decided where it was
    // read (that read is checked). An object written here (`remove({ id: body.id })`) is a criteria.
    const first = args[0] ? unwrap(args[0]) : undefined;
    const built = first ? builtHere(first, context) : undefined;
    if (first && first.type !== T.ObjectExpression && first.type !== T.ArrayExpression && !built) {
      site.predicate = { kind: 'scoped', via: `\`${method}()\` acts on the entity objects it is given, rows read earlier (the read that loaded them is checked)` };
      return site;
    }
    // Built from an object literal (`repo.create({ id })`): that object is the criteria.
    if (built && built !== true) args = [built, ...args.slice(1)];
  }
  if (spec.operation === 'update' && method === 'update') site.data = args[1];
  site.predicate = predicateOf(spec.shape, method, args, unit, table, context, site);
  site.fix = methodFix(table, spec.shape, context);
  return site;
}

/**
 * An entity object the code builds rather than reads (`repo.create({ id: body.id })`,
 * `new Invoice()`, `Object.assign(...)`): `remove` of it deletes by whatever id it was given.
 */
function builtHere(node: Node, context: AnalysisContext): Node | boolean {
  if (node.type !== T.Identifier) return false;
  const binding = context.resolver.bindingOf(node, context.unit);
  if (binding.kind !== 'value') return false;
  const value = unwrap(binding.value.node);
  if (value.type === T.ObjectExpression) return value;
  if (value.type === T.NewExpression) return true;
  if (value.type !== T.CallExpression) return false;
  const callee = unwrap(value.callee);
  const name = callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (name !== 'create' && name !== 'assign' && name !== 'merge') return false;
  // The last argument holds the fields it was given (`create({ id })`, `Object.assign(x, { id })`, `merge(E, x, { id })`).
  const last = value.arguments.at(-1);
  return last && unwrap(last).type === T.ObjectExpression ? unwrap(last) : true;
}

function predicateOf(shape: Shape, method: string, args: Node[], unit: FileUnit, table: Table, context: AnalysisContext, site: QuerySite): Predicate {
  switch (shape) {
    case 'options':
      return optionsPredicate(method, args[0], unit, table, context, site);
    case 'where':
      if (!args[0]) return { kind: 'unscoped', detail: `\`${method}()\` has no \`where\`` };
      return wherePredicate(args[0], unit, table, context, site);
    case 'aggregate':
      if (!args[1]) return { kind: 'unscoped', detail: `\`${method}()\` has no \`where\`` };
      return wherePredicate(args[1], unit, table, context, site);
    case 'ids':
      return { kind: 'unscoped', detail: `\`${method}()\` filters by primary key only` };
    default:
      if (!args[0]) return { kind: 'unscoped', detail: `\`${method}()\` has no criteria` };
      return criteriaPredicate(args[0], unit, table, context, site);
  }
}

/** `find({ where, order })`: no options, or options without `where`, read every tenant's rows. */
function optionsPredicate(method: string, arg: Node | undefined, unit: FileUnit, table: Table, context: AnalysisContext, site: QuerySite): Predicate {
  if (!arg) return { kind: 'unscoped', detail: `\`${method}()\` has no \`where\`` };
  const options = resolveObject(arg, unit, context);
  if (!options) {
    const node = unwrap(arg);
    if (node.type === T.Literal) return { kind: 'unscoped', detail: `\`${method}(${textOf(unit, node)})\` finds by primary key only` };
    return { kind: 'unknown', reason: `the options \`${textOf(unit, arg).slice(0, 60)}\` cannot be followed` };
  }
  const where = options.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'where');
  if (!where) {
    if (options.node.properties.some((p) => p.type === T.SpreadElement)) return { kind: 'unknown', reason: 'the options are spread from an object that may hold `where`' };
    return { kind: 'unscoped', detail: `\`${method}()\` has no \`where\`` };
  }
  return wherePredicate(where.value, options.unit, table, context, site);
}

function wherePredicate(where: Node, unit: FileUnit, table: Table, context: AnalysisContext, site: QuerySite): Predicate {
  const value = unwrap(where);
  if (value.type === T.ObjectExpression && unit === context.unit) {
    site.whereObject = value;
    site.whereKeys = whereKeysOf(value, unit);
  }
  return evaluateWhere(where, unit, table, context);
}

/**
 * `update(criteria, partial)`, `delete(criteria)`: criteria is a where object, or a primary key
 * (`delete(id)`, `delete([id1, id2])`) that names rows of any tenant.
 */
function criteriaPredicate(arg: Node, unit: FileUnit, table: Table, context: AnalysisContext, site: QuerySite): Predicate {
  const node = unwrap(arg);
  if (isPrimaryKeyValue(node, unit, context)) {
    const key = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
    if (key) site.whereKeys = { [key]: textOf(unit, node).replace(/\s+/g, '') };
    // `update(row.id, partial)`: the key is an equality of the criteria, as `{ id: row.id }` would be, for the
    // policies that follow where the value came from (a row loaded within the tenant, openops' app connections).
    if (key && node.type !== T.ArrayExpression) site.equalities = [{ column: key, value: node }];
    return { kind: 'unscoped', detail: `the criteria \`${textOf(unit, node)}\` is a primary key only` };
  }
  return wherePredicate(node, unit, table, context, site);
}

/** A literal, a list of them, a `string`/`number` parameter, or `x.id`/`params.invoiceId`. */
function isPrimaryKeyValue(node: Node, unit: FileUnit, context: AnalysisContext): boolean {
  if (node.type === T.Literal || node.type === T.TemplateLiteral) return true;
  if (node.type === T.ArrayExpression) return node.elements.every((e) => e && e.type !== T.SpreadElement && isPrimaryKeyValue(unwrap(e), unit, context));
  if (node.type === T.MemberExpression) return /^(id|\w+Id)$/.test(memberName(node) ?? '');
  if (node.type !== T.Identifier) return false;
  const binding = context.resolver.bindingOf(node, unit);
  if (binding.kind !== 'parameter') return false;
  const type = binding.param.node.typeAnnotation?.typeAnnotation;
  if (!type) return false;
  const element = type.type === T.TSArrayType ? type.elementType : type;
  return element.type === T.TSStringKeyword || element.type === T.TSNumberKeyword;
}

/** The fix in TypeORM's own syntax: the tenant key in `where` or in the criteria; a child through its parent relation. */
function methodFix(table: Table, shape: Shape, context: AnalysisContext): QuerySite['fix'] {
  const place = shape === 'criteria' ? 'the criteria' : '`where`';
  if (table.class === 'child') {
    const relation = table.parentRelations[0] ?? 'parent';
    const parent = context.schema.tables.get(table.relations.get(relation)?.target ?? '');
    // A many-to-many to the tenant root (vendure's `channels`): the root's own key.
    const key = parent?.tenantKeys[0] ?? (parent && parent.name === context.schema.root ? (parent.primaryKey[0] ?? 'id') : 'tenantId');
    return {
      missing: `Filter through the parent relation in ${place}: \`{ ..., ${relation}: { ${key} } }\``,
      orBypass: `Add \`${relation}: { ${key} }\` to every object of the \`where\` array.`,
    };
  }
  const key = table.tenantKeys[0] ?? 'tenantId';
  return {
    missing: shape === 'criteria' ? `Pass criteria with the tenant key: \`{ id, ${key} }\` instead of the id alone` : `Add \`${key}\` to \`where\` (\`where: { ..., ${key} }\`)`,
    orBypass: `Add \`${key}\` to every object of the \`where\` array (\`where: [{ ..., ${key} }, { ..., ${key} }]\`): TypeORM ORs them.`,
  };
}
