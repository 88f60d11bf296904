/**
 * Routes registered through a project base class's method, with their authorization in the options
 * (unleash's controllers):
 *
 *   this.route({ method: 'post', path: PATH, handler: this.toggleOn, permission: UPDATE_FEATURE });
 *
 * where the class (or a base class) declares
 *
 *   route(options) { this.app[options.method](options.path, checkPermission(options.permission), ..., options.handler.bind(this)); }
 *
 * The registering method hands an option of the route to a middleware factory placed before the
 * handler: that option is the route's check, and the handler runs only for callers it lets through.
 * An option set to the "no check" constant (`permission: NONE`, whose value is `'NONE'`) or left out
 * names no check.
 */
import { basename } from 'node:path';
import type { TSESTree } from '@typescript-eslint/types';
import { enclosingClass, memberName, propertyName, T, textOf, unwrap, walk, type FileUnit, type Node } from '../../core/ast.js';
import { inheritedMethod } from '../../flow/heritage.js';
import type { Resolver } from '../../core/resolve.js';

/** A value that stands for "no check": the constant `NONE` (or a string `'none'`, `'public'`...). */
const NO_CHECK = /^(none|public|anonymous|anyone|open|unauthenticated)$/i;

/**
 * The check a `this.<method>({ ..., handler })` registration applies, read from the options it is handed
 * and the registering method's body; undefined when the route names none. Returns evidence text.
 */
export function routeOptionCheck(registration: TSESTree.CallExpression, unit: FileUnit, resolver: Resolver): string | undefined {
  const callee = unwrap(registration.callee);
  if (callee.type !== T.MemberExpression || unwrap(callee.object).type !== T.ThisExpression) return undefined;
  const name = memberName(callee);
  const index = registration.arguments.findIndex((arg) => {
    const value = unwrap(arg);
    return value.type === T.ObjectExpression && value.properties.some((p) => p.type === T.Property && !p.computed && propertyName(p) === 'handler');
  });
  const options = index >= 0 ? (unwrap(registration.arguments[index]!) as TSESTree.ObjectExpression) : undefined;
  if (!name || !options) return undefined;
  const cls = enclosingClass(registration);
  const method = cls && inheritedMethod(cls, unit, name, resolver);
  if (!method) return undefined;
  const checked = checkedOption(method.node, index);
  if (!checked) return undefined;
  const property = options.properties.find((p): p is TSESTree.Property => p.type === T.Property && !p.computed && propertyName(p) === checked.key);
  if (!property || namesNoCheck(property.value, unit, resolver)) return undefined;
  return `\`${textOf(unit, property)}\`, which \`${name}\` (\`${basename(method.unit.file)}:${method.node.loc.start.line}\`) hands to \`${textOf(method.unit, checked.middleware)}\` before the handler`;
}

/**
 * In the registering method, the call that registers `<options>.handler` and, before it among that
 * call's arguments, a middleware built from another option (`checkPermission(options.permission)`).
 */
function checkedOption(method: TSESTree.FunctionExpression, index: number): { key: string; middleware: Node } | undefined {
  const param = method.params[index];
  if (param?.type !== T.Identifier || !method.body) return undefined;
  const option = (node: Node): string | undefined => {
    const value = unwrap(node);
    return value.type === T.MemberExpression && !value.computed && unwrap(value.object).type === T.Identifier && (unwrap(value.object) as TSESTree.Identifier).name === param.name ? memberName(value) : undefined;
  };
  const reads = (node: Node, key: string) => {
    let found = false;
    walk(node, (inner) => {
      if (!found && option(inner) === key) found = true;
    });
    return found;
  };
  let checked: { key: string; middleware: Node } | undefined;
  walk(method.body, (node) => {
    if (checked || node.type !== T.CallExpression) return;
    const at = node.arguments.findIndex((arg) => reads(arg, 'handler'));
    if (at < 0) return;
    for (const arg of node.arguments.slice(0, at)) {
      const value = unwrap(arg);
      if (value.type !== T.CallExpression) continue;
      const key = value.arguments.map(option).find((k) => k !== undefined && k !== 'handler' && k !== 'path' && k !== 'method');
      if (key) {
        checked = { key, middleware: value };
        return;
      }
    }
  });
  return checked;
}

/** `NONE` (a constant whose name or string value says no check), `'none'`, `undefined`, `null`, `[]`. */
function namesNoCheck(node: Node, unit: FileUnit, resolver: Resolver): boolean {
  const value = unwrap(node);
  if (value.type === T.Literal) return value.value === null || (typeof value.value === 'string' && NO_CHECK.test(value.value));
  if (value.type === T.ArrayExpression) return value.elements.length === 0 || value.elements.every((e) => e !== null && e.type !== T.SpreadElement && namesNoCheck(e, unit, resolver));
  const named = value.type === T.Identifier ? value : value.type === T.MemberExpression && !value.computed ? value.property : undefined;
  if (named?.type !== T.Identifier) return false;
  if (named.name === 'undefined' || NO_CHECK.test(named.name)) return true;
  if (value.type !== T.Identifier) return false;
  const binding = resolver.bindingOf(value, unit);
  if (binding.kind !== 'value') return false;
  const init = unwrap(binding.value.node);
  return init.type === T.Literal && typeof init.value === 'string' && NO_CHECK.test(init.value);
}
