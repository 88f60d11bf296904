import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, unwrap, variableOf, type Node } from '../../core/ast.js';
import type { Located } from '../../core/resolve.js';
import { thisMemberType } from '../../core/syntax.js';
import type { ClientTenantFlow as Flow } from './flow.js';
import type { Frame } from './types.js';

/*
 * What a call calls, so that the policy can follow client input into it: a function of the
 * project (through imports), a method of a class the receiver is an instance of, a member of an
 * object literal or of a namespace import, or a package (not followed).
 */

export type Callee = { kind: 'function'; fn: Located<TSESTree.FunctionLike> } | { kind: 'package' | 'none' } | { kind: 'unknown'; reason: string };

export function calleeOf(flow: Flow, call: TSESTree.CallExpression, frame: Frame): Callee {
  const callee = unwrap(call.callee);
  const { resolver } = flow.context;
  if (callee.type === T.Identifier) {
    const variable = variableOf(frame.unit.scopeManager, callee);
    if (!variable || variable.defs.length === 0) return { kind: 'none' };
    const binding = resolver.bindingOf(callee, frame.unit);
    if (binding.kind === 'function') return { kind: 'function', fn: binding.fn };
    if (binding.kind === 'package' || binding.kind === 'class') return { kind: 'package' };
    if (binding.kind === 'value') return { kind: 'none' };
    return { kind: 'unknown', reason: binding.kind === 'unknown' ? binding.reason : `\`${callee.name}\` is a parameter` };
  }
  if (callee.type !== T.MemberExpression) return { kind: 'none' };
  const method = memberName(callee);
  const object = unwrap(callee.object);
  if (!method) return { kind: 'unknown', reason: 'a computed method name' };
  const receiver = flow.evaluate(object, frame);
  if (receiver.kind !== 'none' && receiver.kind !== 'object' && receiver.kind !== 'param' && receiver.kind !== 'unknown') return { kind: 'none' };
  const found = memberFunction(flow, object, method, frame);
  if (found) return found;
  if (receiver.kind === 'param' || receiver.kind === 'unknown') return { kind: 'unknown', reason: `the receiver of \`${method}()\` is not traced to its definition` };
  return { kind: 'package' };
}

function memberFunction(flow: Flow, object: Node, method: string, frame: Frame): { kind: 'function'; fn: Located<TSESTree.FunctionLike> } | { kind: 'package' } | undefined {
  const { resolver } = flow.context;
  const cls = classOf(flow, object, frame);
  if (cls) {
    for (const element of cls.node.body.body) {
      if (element.type === T.MethodDefinition && propertyName(element) === method && element.value.body) return { kind: 'function', fn: { node: element.value, unit: cls.unit } };
      if (element.type === T.PropertyDefinition && propertyName(element) === method && element.value) {
        const value = unwrap(element.value);
        if (value.type === T.ArrowFunctionExpression || value.type === T.FunctionExpression) return { kind: 'function', fn: { node: value, unit: cls.unit } };
      }
    }
    return undefined;
  }
  if (object.type !== T.Identifier) return undefined;
  const variable = variableOf(frame.unit.scopeManager, object);
  const def = variable?.defs[0];
  if (def?.type === 'ImportBinding' && def.node.type === T.ImportNamespaceSpecifier && def.parent.type === T.ImportDeclaration) {
    const file = resolver.modules.resolve(frame.unit.file, def.parent.source.value);
    const target = file ? resolver.modules.unit(file) : undefined;
    if (!target) return { kind: 'package' };
    const binding = resolver.exportBinding(target, method, 0);
    return binding.kind === 'function' ? { kind: 'function', fn: binding.fn } : undefined;
  }
  const binding = resolver.bindingOf(object, frame.unit);
  if (binding.kind === 'package') return { kind: 'package' };
  if (binding.kind !== 'value') return undefined;
  const value = unwrap(binding.value.node);
  if (value.type !== T.ObjectExpression) return undefined;
  for (const property of value.properties) {
    if (property.type !== T.Property || propertyName(property) !== method) continue;
    const fn = unwrap(property.value);
    if (fn.type === T.FunctionExpression || fn.type === T.ArrowFunctionExpression) return { kind: 'function', fn: { node: fn, unit: binding.value.unit } };
    if (fn.type === T.Identifier) {
      const inner = resolver.bindingOf(fn, binding.value.unit);
      if (inner.kind === 'function') return { kind: 'function', fn: inner.fn };
    }
  }
  return undefined;
}

function classOf(flow: Flow, object: Node, frame: Frame): Located<TSESTree.ClassDeclaration | TSESTree.ClassExpression> | undefined {
  const { resolver } = flow.context;
  let typeName: Node | undefined;
  if (object.type === T.MemberExpression && unwrap(object.object).type === T.ThisExpression) {
    const type = thisMemberType(object);
    if (type?.type === T.TSTypeReference) typeName = type.typeName;
  } else if (object.type === T.Identifier) {
    const binding = resolver.bindingOf(object, frame.unit);
    if (binding.kind === 'value') {
      const value = unwrap(binding.value.node);
      if (value.type === T.NewExpression && value.callee.type === T.Identifier) {
        const cls = resolver.bindingOf(value.callee, binding.value.unit);
        return cls.kind === 'class' ? cls.cls : undefined;
      }
    }
    if (binding.kind === 'parameter') {
      const type = binding.param.node.typeAnnotation?.typeAnnotation;
      if (type?.type === T.TSTypeReference) typeName = type.typeName;
    }
  }
  if (typeName?.type !== T.Identifier) return undefined;
  const cls = resolver.bindingOf(typeName, frame.unit);
  return cls.kind === 'class' ? cls.cls : undefined;
}
