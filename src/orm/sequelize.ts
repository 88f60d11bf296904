/**
 * Sequelize queries for require-tenant-filter: static model methods (`Invoice.findAll({ where })`,
 * `findOne`, `findByPk`, `count`, `update(values, { where })`, `destroy({ where })`, `create`...)
 * on a model traced to its definition (see sequelize-models.ts). Instance methods
 * (`invoice.update(...)` on a loaded row) are not query sites: the row was loaded by a query
 * that is checked at its own site. Tables are named as the schema reader names them: the
 * `tableName` option, else the model name.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, textOf, unwrap, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext, Operation, OrmRecognizer, Predicate, QuerySite } from '../core/query-site.js';
import type { Located } from '../core/resolve.js';
import type { Table, TenantSchema } from '../core/schema.js';
import { modelNameOf, modelUseOf, type ModelUse } from './sequelize-models.js';
import { evaluateWhere, scopePredicate, throughInclude, whereKeysOf } from './sequelize-where.js';
import { resolveObject } from './object-filter.js';


interface MethodSpec {
  operation: Operation;
  /** Index of the options argument (`{ where, include, ... }`). */
  options: number;
  /** Index of the values written. */
  data?: number;
  /** `findByPk(pk, options)`: the primary key is the filter; `options.where` is replaced by it. */
  byPk?: boolean;
}

const METHODS: Record<string, MethodSpec> = {
  findAll: { operation: 'read', options: 0 },
  findOne: { operation: 'read', options: 0 },
  findAndCountAll: { operation: 'read', options: 0 },
  findOrCreate: { operation: 'read', options: 0 },
  findOrBuild: { operation: 'read', options: 0 },
  findCreateFind: { operation: 'read', options: 0 },
  count: { operation: 'read', options: 0 },
  max: { operation: 'read', options: 1 },
  min: { operation: 'read', options: 1 },
  sum: { operation: 'read', options: 1 },
  aggregate: { operation: 'read', options: 2 },
  findByPk: { operation: 'read', options: 1, byPk: true },
  update: { operation: 'update', options: 1, data: 0 },
  increment: { operation: 'update', options: 1 },
  decrement: { operation: 'update', options: 1 },
  restore: { operation: 'update', options: 0 },
  destroy: { operation: 'delete', options: 0 },
  create: { operation: 'insert', options: 1, data: 0 },
  bulkCreate: { operation: 'insert', options: 1, data: 0 },
  upsert: { operation: 'insert', options: 1, data: 0 },
};

export const sequelizeRecognizer: OrmRecognizer = {
  name: 'sequelize',
  enablers: ['sequelize', 'sequelize-typescript', '@sequelize/core'],
  recognize(call, context) {
    const callee = unwrap(call.callee);
    if (callee.type !== T.MemberExpression) return undefined;
    const method = memberName(callee);
    const spec = method ? METHODS[method] : undefined;
    if (!method || !spec) return undefined;
    // Only a receiver traced to a model: a row (`invoice.update(...)`) is not one.
    const model = modelUseOf(callee.object, context.unit, context);
    if (!model) return undefined;
    return siteOf(call, callee, method, spec, model, context);
  },
};

function siteOf(call: TSESTree.CallExpression, callee: TSESTree.MemberExpression, method: string, spec: MethodSpec, model: ModelUse, context: AnalysisContext): QuerySite {
  const { unit } = context;
  const table = model.def.table;
  const site: QuerySite = {
    orm: 'sequelize',
    table,
    operation: spec.operation,
    method,
    callee,
    calleeText: textOf(unit, callee).replace(/\s+/g, ''),
    call,
    client: model.scopedBy
      ? { kind: 'client', scoped: true, how: model.scopedBy }
      : { kind: 'client', scoped: false, how: `\`${model.def.modelName}\`, a Sequelize model` },
    predicate: { kind: 'scoped', via: 'an insert has no filter' },
    nested: [],
    fix: fixOf(table, method, spec.operation, context),
  };
  const data = spec.data === undefined ? undefined : argument(call, spec.data);
  if (data && spec.operation !== 'read') site.data = data;
  if (spec.operation === 'insert') return site;
  const filter = spec.byPk ? byPrimaryKey(call, table, spec, unit, context) : byOptions(call, table, spec, unit, context);
  site.predicate = filter.predicate;
  site.whereObject = filter.whereObject;
  site.argsObject = filter.argsObject;
  site.whereKeys = filter.whereKeys;
  const scope = scopePredicate(model, context, 0);
  if (scope && site.predicate.kind !== 'scoped') site.predicate = scope;
  return site;
}

function argument(call: TSESTree.CallExpression, index: number): Node | undefined {
  const arg = call.arguments[index];
  return arg && arg.type !== T.SpreadElement ? arg : undefined;
}

interface Filter {
  predicate: Predicate;
  whereObject?: TSESTree.ObjectExpression;
  argsObject?: TSESTree.ObjectExpression;
  whereKeys?: Record<string, string>;
}

/** `findByPk(id, options)`: the key alone, unless a required include of the parent scopes a child row. */
function byPrimaryKey(call: TSESTree.CallExpression, table: Table, spec: MethodSpec, unit: FileUnit, context: AnalysisContext): Filter {
  const pk = argument(call, 0);
  const key = table.primaryKey.length === 1 ? (table.primaryKey[0] ?? 'id') : 'id';
  const filter: Filter = {
    predicate: pk ? { kind: 'unscoped', detail: `\`where\` filters only on \`${key}\`` } : { kind: 'unscoped', detail: '`findByPk` has no key' },
    whereKeys: pk ? { [key]: textOf(unit, pk) } : undefined,
  };
  const options = argument(call, spec.options);
  const object = options ? resolveObject(options, unit, context, 0) : undefined;
  const included = object ? throughInclude(object, table, context, 0) : undefined;
  if (included) filter.predicate = included;
  return filter;
}

/** The options object: its `where`, spreads of configured helpers, a child's include of its parent. */
function byOptions(call: TSESTree.CallExpression, table: Table, spec: MethodSpec, unit: FileUnit, context: AnalysisContext): Filter {
  const options = argument(call, spec.options);
  if (!options) return { predicate: { kind: 'unscoped', detail: 'the call has no `where`' } };
  const helper = configuredHelper(options, context);
  if (helper) return { predicate: { kind: 'scoped', via: `\`${helper}()\`, a configured filter helper` } };
  const object = resolveObject(options, unit, context, 0);
  if (!object) return { predicate: { kind: 'unknown', reason: `the options \`${textOf(unit, options)}\` cannot be followed` } };
  const filter = whereOf(object, table, context);
  if (filter.predicate.kind !== 'scoped') {
    const included = throughInclude(object, table, context, 0);
    if (included) filter.predicate = included;
  }
  return filter;
}

function whereOf(object: Located<TSESTree.ObjectExpression>, table: Table, context: AnalysisContext): Filter {
  const { node, unit } = object;
  const local = unit === context.unit;
  const where = node.properties.find((p): p is TSESTree.Property => p.type === T.Property && !p.computed && propertyName(p) === 'where');
  const truncate = node.properties.some((p) => p.type === T.Property && propertyName(p) === 'truncate' && unwrap(p.value).type === T.Literal && (unwrap(p.value) as TSESTree.Literal).value === true);
  if (truncate) return { predicate: { kind: 'unscoped', detail: '`truncate: true` empties the whole table' } };
  const spreads = node.properties.filter((p): p is TSESTree.SpreadElement => p.type === T.SpreadElement);
  // `{ ...tenantScope(orgId), order }`: a configured helper spread into the options.
  const helper = spreads.map((s) => configuredHelper(s.argument, context)).find((h) => h !== undefined);
  if (helper) return { predicate: { kind: 'scoped', via: `\`${helper}()\`, a configured filter helper` } };
  if (!where) {
    if (spreads.length) return { predicate: { kind: 'unknown', reason: 'the options are spread from an object that may hold `where`' } };
    return { predicate: { kind: 'unscoped', detail: 'the call has no `where`' }, argsObject: local ? node : undefined };
  }
  const value = unwrap(where.value);
  const whereObject = value.type === T.ObjectExpression ? value : undefined;
  return {
    predicate: evaluateWhere(where.value, unit, table, context, 0),
    whereObject: local ? whereObject : undefined,
    whereKeys: whereObject ? whereKeysOf(whereObject, unit) : undefined,
  };
}

function configuredHelper(node: Node, context: AnalysisContext): string | undefined {
  const inner = unwrap(node);
  if (inner.type !== T.CallExpression) return undefined;
  const callee = unwrap(inner.callee);
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  return name && (context.config.filterHelpers ?? []).includes(name) ? name : undefined;
}

/** The fix in Sequelize's own syntax, replacing the Prisma wording of the policy. */
function fixOf(table: Table, method: string, operation: Operation, context: AnalysisContext): QuerySite['fix'] {
  if (table.class === 'child') {
    const parent = parentOf(table, context.schema);
    const parentModel = parent ? modelNameOf(parent.table, context, context.unit) : 'Parent';
    const key = parent?.key ?? 'tenantId';
    const fk = table.relations.get(table.parentRelations[0] ?? '')?.fields[0] ?? 'parentId';
    if (operation !== 'read') {
      // `update` and `destroy` take no `include`: prove the parent is the tenant's, then write by its id.
      const load = `const parent = await ${parentModel}.findOne({ where: { id: ${fk}, ${key} } })`;
      return {
        missing: `Load the parent with the tenant key first (\`${load}\`, stop when it is missing), then filter by its id (\`where: { ${fk}: parent.id }\`)`,
        orBypass: `Load the parent with the tenant key first (\`${load}\`) and filter by its id outside the \`[Op.or]\`.`,
      };
    }
    const include = `include: [{ model: ${parentModel}, where: { ${key} }, required: true }]`;
    return {
      missing: `Include the parent it inherits tenancy from, constrained to the tenant (\`${include}\`)`,
      orBypass: `Constrain the parent through a required include (\`${include}\`) instead of an \`[Op.or]\` branch.`,
    };
  }
  const key = table.tenantKeys[0] ?? 'tenantId';
  const pk = table.primaryKey[0] ?? 'id';
  return {
    missing: method === 'findByPk'
      ? `Use \`findOne({ where: { ${pk}, ${key} } })\` instead of \`findByPk\``
      : `Add \`${key}\` to \`where\` (\`where: { ..., ${key} }\`)`,
    orBypass: `Move \`${key}\` out of \`[Op.or]\` to the top level of \`where\` (\`where: { ${key}, [Op.or]: [...] }\`), or add it to every branch.`,
  };
}

/** The parent a child table inherits from, and the tenant key up its chain. */
function parentOf(table: Table, schema: TenantSchema): { table: Table; key: string } | undefined {
  const relation = table.relations.get(table.parentRelations[0] ?? '');
  const parent = relation ? schema.tables.get(relation.target) : undefined;
  if (!parent) return undefined;
  let current: Table | undefined = parent;
  for (let i = 0; current && current.class === 'child' && i < 8; i++) {
    const up = current.relations.get(current.parentRelations[0] ?? '');
    current = up ? schema.tables.get(up.target) : undefined;
  }
  return { table: parent, key: current?.tenantKeys[0] ?? 'tenantId' };
}
