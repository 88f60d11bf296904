import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, unwrap, type FileUnit, type Node } from '../../../core/ast.js';
import type { AnalysisContext } from '../../../core/query-site.js';
import type { Table } from '../../../core/schema.js';
import type { ClientTenantFlow as Flow } from '../flow.js';
import { SAFE_PARSE, VALIDATORS } from '../syntax.js';
import type { Frame, Sink } from '../types.js';
import { rlsGuard } from './queries.js';

/**
 * Mass assignment: `data: req.body`, `{ orgId, ...input }` (the spread comes after the key and
 * overrides it), `Invoice.create(ctx.request.body)`, `Object.assign(invoice, req.body)`. The
 * client can send the tenant key and move the row to another tenant. A value that went through
 * a validator (`Schema.parse(body)`) is left alone: schemas usually strip unknown keys.
 */
export function massSinks(flow: Flow, call: TSESTree.CallExpression, frame: Frame): Sink[] {
  const assigned = objectAssignTarget(flow, call, frame);
  if (assigned) {
    return call.arguments.slice(1).flatMap((arg): Sink[] =>
      arg.type === T.SpreadElement || throughValidator(arg, frame.unit, flow.context) ? [] : [massSink(arg, call, assigned, `\`Object.assign\` into a \`${assigned.name}\` row`, frame)],
    );
  }
  const query = flow.query(call, frame.unit);
  if (!query) return [];
  const { site } = query;
  if (site.operation !== 'insert' && site.operation !== 'update') return [];
  const table = site.table;
  if ((table.class !== 'tenant' && table.class !== 'child') || !table.tenantKeys[0]) return [];
  // Row-level security checks the written tenant for a user client (see rlsGuard).
  if (rlsGuard(query) === 'isolates') return [];
  const data = query.positions.written;
  if (!data) return [];
  const label = `written into \`${table.name}\` by \`${site.calleeText}\``;
  const node = unwrap(data);
  if (node.type !== T.ObjectExpression) return throughValidator(node, frame.unit, flow.context) ? [] : [massSink(node, site.callee, table, label, frame)];
  // A spread is overridden by a tenant key written after it.
  const sinks: Sink[] = [];
  node.properties.forEach((property, index) => {
    if (property.type !== T.SpreadElement || throughValidator(property.argument, frame.unit, flow.context)) return;
    const overridden = node.properties.slice(index + 1).some((later) => later.type === T.Property && table.tenantKeys.includes(propertyName(later) ?? ''));
    if (!overridden) sinks.push(massSink(property.argument, site.callee, table, label, frame));
  });
  return sinks;
}

function massSink(value: Node, node: Node, table: Table, label: string, frame: Frame): Sink {
  return { kind: 'query', label, value, node, unit: frame.unit, mass: { table: table.name, key: table.tenantKeys[0] ?? 'tenantId' } };
}

/** `Object.assign(row, ...)` where `row` holds a row of a tenant table read by a query. */
function objectAssignTarget(flow: Flow, call: TSESTree.CallExpression, frame: Frame): Table | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression || memberName(callee) !== 'assign') return undefined;
  const object = unwrap(callee.object);
  if (object.type !== T.Identifier || object.name !== 'Object') return undefined;
  const target = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
  if (target?.type !== T.Identifier) return undefined;
  const binding = flow.context.resolver.bindingOf(target, frame.unit, 1);
  if (binding.kind !== 'value') return undefined;
  const init = unwrap(binding.value.node);
  if (init.type !== T.CallExpression) return undefined;
  const table = flow.query(init, binding.value.unit)?.site.table;
  return table && (table.class === 'tenant' || table.class === 'child') && table.tenantKeys[0] ? table : undefined;
}

/** Did the value pass through a validator (`Schema.parse(body)`, `validate(dto)`), following consts? */
function throughValidator(value: Node, unit: FileUnit, context: AnalysisContext, depth = 0): boolean {
  const node = unwrap(value);
  if (depth > 3) return false;
  if (node.type === T.CallExpression) {
    const callee = unwrap(node.callee);
    const name = callee.type === T.MemberExpression ? memberName(callee) : callee.type === T.Identifier ? callee.name : undefined;
    return VALIDATORS.has(name ?? '') || SAFE_PARSE.has(name ?? '');
  }
  if (node.type === T.MemberExpression && memberName(node) === 'data') return throughValidator(node.object, unit, context, depth + 1);
  if (node.type !== T.Identifier) return false;
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  return binding.kind === 'value' && throughValidator(binding.value.node, binding.value.unit, context, depth + 1);
}
