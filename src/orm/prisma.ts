import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, textOf, unwrap, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext, NestedIssue, Operation, OrmRecognizer, Predicate, QuerySite } from '../core/query-site.js';
import { findTableByDelegate, type Table } from '../core/schema.js';
import { clientOf } from './prisma-client.js';
import { flowClient } from './client-specs.js';
import { evaluateWhere, resolveObject } from './prisma-where.js';
import { whereKeysOf } from './object-filter.js';

const OPERATIONS: Record<string, Operation> = {
  findMany: 'read',
  findFirst: 'read',
  findFirstOrThrow: 'read',
  findUnique: 'read',
  findUniqueOrThrow: 'read',
  count: 'read',
  aggregate: 'read',
  groupBy: 'read',
  update: 'update',
  updateMany: 'update',
  updateManyAndReturn: 'update',
  upsert: 'update',
  delete: 'delete',
  deleteMany: 'delete',
  create: 'insert',
  createMany: 'insert',
  createManyAndReturn: 'insert',
};

/** Method names only Prisma delegates have; generic names (`update`, `delete`) need a traced client or a Prisma-shaped argument. */
const PRISMA_ONLY = new Set(['findMany', 'findFirst', 'findFirstOrThrow', 'findUnique', 'findUniqueOrThrow', 'groupBy', 'aggregate', 'updateMany', 'updateManyAndReturn', 'deleteMany', 'upsert', 'createMany', 'createManyAndReturn']);

/** `client.<model>.<operation>(args)`, where the client is traced to a PrismaClient. */
export const prismaRecognizer: OrmRecognizer = {
  name: 'prisma',
  enablers: ['@prisma/client', 'prisma'],
  recognize(call, context) {
    const callee = unwrap(call.callee);
    if (callee.type !== T.MemberExpression) return undefined;
    const method = memberName(callee);
    const operation = method ? OPERATIONS[method] : undefined;
    if (!method || !operation) return undefined;
    const delegateNode = unwrap(callee.object);
    if (delegateNode.type !== T.MemberExpression) return undefined;
    const delegate = memberName(delegateNode);
    const table = delegate ? findTableByDelegate(context.schema, delegate) : undefined;
    // Only models of schema.prisma have Prisma delegates: `db.query.invoices` of Drizzle is not one.
    if (!table || table.source !== 'prisma') return undefined;

    const { unit } = context;
    let client = clientOf(delegateNode.object, unit, context);
    if (client.kind === 'unknown') {
      // The shared flow engine follows what the Prisma tracer does not: `db()` factories, singleton wrappers, destructured typed parameters.
      const flow = flowClient(delegateNode.object, unit, context.resolver, 'prisma');
      if (flow.kind === 'client') client = { kind: 'client', scoped: false, how: flow.how };
      // Another library's value, or a plain value (what a project method hands its callback: `fn([])`).
      else if (flow.kind === 'other' && (flow.how.startsWith('a value of') || flow.how === 'a literal value')) return undefined;
      else if (flow.kind === 'unknown') client = { kind: 'unknown', reason: flow.reason };
    }
    if (client.kind === 'not-client') return undefined;
    const args = call.arguments[0];
    const argsObject = args ? resolveObject(args, unit, context) : undefined;
    if (client.kind === 'unknown' && !PRISMA_ONLY.has(method) && !hasPrismaShape(argsObject?.node)) return undefined;

    const site: QuerySite = {
      orm: 'prisma',
      table,
      operation,
      method,
      callee,
      calleeText: textOf(unit, callee).replace(/\s+/g, ''),
      call,
      client,
      predicate: { kind: 'scoped', via: 'an insert has no filter' },
      nested: [],
    };
    if (argsObject) site.nested = nestedConnects(argsObject.node, argsObject.unit, table, context);
    if (operation === 'insert') return site;
    site.predicate = predicateOf(args, argsObject, unit, table, context, site);
    return site;
  },
};

function predicateOf(
  args: Node | undefined,
  argsObject: { node: TSESTree.ObjectExpression; unit: FileUnit } | undefined,
  unit: FileUnit,
  table: Table,
  context: AnalysisContext,
  site: QuerySite,
): Predicate {
  if (!args) return { kind: 'unscoped', detail: 'the call has no arguments, so no `where`' };
  if (!argsObject) return { kind: 'unknown', reason: `the arguments \`${textOf(unit, args)}\` cannot be followed` };
  const where = argsObject.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'where');
  if (!where) {
    if (argsObject.node.properties.some((p) => p.type === T.SpreadElement)) {
      return { kind: 'unknown', reason: 'the arguments are spread from an object that may hold `where`' };
    }
    if (argsObject.unit === unit) site.argsObject = argsObject.node;
    return { kind: 'unscoped', detail: 'the call has no `where`' };
  }
  const value = unwrap(where.value);
  if (value.type === T.ObjectExpression && argsObject.unit === unit) {
    site.whereObject = value;
    site.whereKeys = whereKeysOf(value, unit);
  }
  return evaluateWhere(where.value, argsObject.unit, table, context);
}

function hasPrismaShape(args: TSESTree.ObjectExpression | undefined): boolean {
  return Boolean(args?.properties.some((p) => p.type === T.Property && ['where', 'data', 'select', 'include'].includes(propertyName(p) ?? '')));
}

/**
 * `data: { project: { connect: { id } } }` links a row of another tenant when the id is all it
 * checks. Connecting through a compound unique that includes the tenant key is safe.
 */
function nestedConnects(args: TSESTree.ObjectExpression, unit: FileUnit, table: Table, context: AnalysisContext): NestedIssue[] {
  const issues: NestedIssue[] = [];
  for (const key of ['data', 'create', 'update']) {
    const property = args.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === key);
    const data = property ? resolveObject(property.value, unit, context) : undefined;
    if (data) collectConnects(data.node, data.unit, table, context, issues, 0);
  }
  return issues;
}

function collectConnects(data: TSESTree.ObjectExpression, unit: FileUnit, table: Table, context: AnalysisContext, issues: NestedIssue[], depth: number): void {
  if (depth > 4 || unit !== context.unit) return;
  for (const property of data.properties) {
    if (property.type !== T.Property) continue;
    const relation = table.relations.get(propertyName(property) ?? '');
    const target = relation ? context.schema.tables.get(relation.target) : undefined;
    if (!relation || !target) continue;
    const nested = resolveObject(property.value, unit, context);
    if (!nested) continue;
    for (const op of nested.node.properties) {
      if (op.type !== T.Property) continue;
      const opName = propertyName(op);
      if (opName === 'connect' && (target.class === 'tenant' || target.class === 'child')) {
        const opValue = unwrap(op.value);
        const values = opValue.type === T.ArrayExpression ? opValue.elements : [opValue];
        const unscoped = values.some((v) => v && v.type !== T.SpreadElement && evaluateWhere(v, unit, target, context).kind === 'unscoped');
        if (unscoped) issues.push({ messageId: 'connectWithoutTenant', node: op.key, target });
      }
      if (opName === 'create') {
        const created = resolveObject(op.value, unit, context);
        if (created) collectConnects(created.node, created.unit, target, context, issues, depth + 1);
      }
    }
  }
}
