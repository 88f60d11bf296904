import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, unwrap, type FileUnit, type Node } from '../../../core/ast.js';
import { returnedExpressions } from '../../../core/resolve.js';
import { fromPackage, methodOf } from '../../../core/syntax.js';
import type { ClientTenantFlow as Flow } from '../flow.js';
import { querySinks } from './queries.js';
import type { Frame, Sink } from '../types.js';

/*
 * Where a value becomes the request's tenant context: a property of the request or the context
 * (`req.tenantId = v`), what a context factory returns, a framework's own store (`c.set`, CLS),
 * AsyncLocalStorage, and the row-level security setting of the database session.
 */

/** A setting or store named for the tenant (`app.current_org`, `tenantStorage`). */
const SQL_SETTING = /tenant|org|workspace|team|account|company/i;

/** The framework's own context sinks at a call: `c.set('tenantId', v)`, tRPC `next({ ctx: { orgId } })`, nestjs-cls. */
export function frameworkSinks(flow: Flow, call: TSESTree.CallExpression, frame: Frame): Sink[] {
  const http = flow.http(frame);
  return flow.models.http.recognizers.flatMap((r) => r.sinks?.(call, http) ?? []).map((fact) => ({ kind: 'context', label: fact.label, value: fact.value, node: fact.node, unit: frame.unit }));
}

export function sinksAt(flow: Flow, node: Node, frame: Frame): Sink[] {
  if (node.type === T.AssignmentExpression) return assignmentSinks(flow, node, frame);
  // An SQL template: a query whose parameters are its interpolations, and maybe a session setting.
  if (node.type === T.TaggedTemplateExpression) return [...querySinks(flow, node, frame), ...sessionSinks(flow, node, frame.unit)];
  if (node.type === T.FunctionDeclaration || node.type === T.FunctionExpression || node.type === T.ArrowFunctionExpression) {
    // Only a function that returns an object literal can return a tenant context.
    if (node.params.length === 0 || !returnedExpressions(node).some((expr) => unwrap(expr).type === T.ObjectExpression)) return [];
    const role = flow.roleOf(node, 0, frame.unit);
    if (role?.kind !== 'framework') return [];
    const http = flow.http(frame);
    return flow.models.http.recognizers.flatMap((r) => r.returnSinks?.(node, role, http) ?? []).map((fact) => ({ kind: 'context', label: fact.label, value: fact.value, node: fact.node, unit: frame.unit }));
  }
  return [];
}

export function assignmentSinks(flow: Flow, node: TSESTree.AssignmentExpression, frame: Frame): Sink[] {
  if (node.left.type !== T.MemberExpression) return [];
  const name = memberName(node.left);
  if (!name) return [];
  const target = flow.evaluate(node.left.object, frame);
  if (target.kind !== 'framework' || !target.object.context) return [];
  const where = `${target.object.label}.${name}`;
  const value = unwrap(node.right);
  if (flow.isTenantName(name)) return [{ kind: 'context', label: `assigned to \`${where}\` as the tenant context`, value: node.right, node, unit: frame.unit }];
  if (value.type !== T.ObjectExpression) return [];
  return value.properties.flatMap((p): Sink[] => {
    const key = p.type === T.Property ? propertyName(p) : undefined;
    if (p.type !== T.Property || !key || !flow.isTenantName(key)) return [];
    return [{ kind: 'context', label: `assigned to \`${where}.${key}\` as the tenant context`, value: p.value, node, unit: frame.unit }];
  });
}

export function storageSinks(flow: Flow, call: TSESTree.CallExpression, frame: Frame): Sink[] {
  const target = methodOf(call);
  if (!target || (target.method !== 'run' && target.method !== 'enterWith') || !call.arguments[0]) return [];
  const root = flow.models.http.packageRoot(target.receiver, frame.unit, flow.http(frame), (fn, index, unit) => flow.receiverParameter(fn, index, unit));
  if (!root || !fromPackage(root, 'node:async_hooks', 'async_hooks')) return [];
  const storage = frame.unit.text.slice(target.receiver.range[0], target.receiver.range[1]);
  const store = unwrap(call.arguments[0]);
  if (store.type === T.ObjectExpression) {
    return store.properties.flatMap((p): Sink[] => {
      const key = p.type === T.Property ? propertyName(p) : undefined;
      if (p.type !== T.Property || !key || !flow.isTenantName(key)) return [];
      return [{ kind: 'context', label: `stored as \`${key}\` in the AsyncLocalStorage \`${storage}\``, value: p.value, node: call, unit: frame.unit }];
    });
  }
  if (!SQL_SETTING.test(storage)) return [];
  return [{ kind: 'context', label: `stored as the tenant in the AsyncLocalStorage \`${storage}\``, value: store, node: call, unit: frame.unit }];
}

/** A database session setting that names the tenant (`app.current_org`): row-level security scopes by it. */
export function sessionSinks(flow: Flow, node: TSESTree.CallExpression | TSESTree.TaggedTemplateExpression, unit: FileUnit): Sink[] {
  return flow.models.queries.sessionSettings(node).flatMap((found): Sink[] =>
    SQL_SETTING.test(found.setting) ? [{ kind: 'context', label: `set as the row-level security setting \`${found.setting}\``, value: found.value, node: found.node, unit }] : [],
  );
}
