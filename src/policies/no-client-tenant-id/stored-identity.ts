import type { TSESTree } from '@typescript-eslint/types';
import { enclosingClass, enclosingFunction, propertyName, T, unwrap, walk, type FileUnit } from '../../core/ast.js';
import { fromPackage, methodOf, stringOf } from '../../core/syntax.js';
import { searchRootOf } from '../../flow/callers.js';
import type { ClientTenantFlow as Flow } from './flow.js';
import type { Frame, Origin } from './types.js';

/*
 * A request-scoped store that the authentication step fills: nestjs-cls (`this.cls.get('user.id')`
 * with `cls: ClsService<IClsStore>`). Each request gets its own store, so a key the authentication
 * code sets (`this.cls.set('user.id', user.id)` in a Passport strategy's `validate`, a guard's
 * `canActivate`, a middleware's `use`) holds the verified caller when a service reads it later
 * (teable, judged G076). A key set only elsewhere (a handler, a service) is whatever that code put
 * there: not the verified identity.
 */

const STORE_PACKAGE = 'nestjs-cls';

/** The verified identity when `call` reads a key of the request's store that authentication code sets. */
export function storedIdentity(flow: Flow, call: TSESTree.CallExpression, frame: Frame): Origin | undefined {
  const target = methodOf(call);
  if (target?.method !== 'get') return undefined;
  const key = stringOf(call.arguments[0]);
  if (!key || !fromPackage(flow.http(frame).packageRoot(target.receiver), STORE_PACKAGE)) return undefined;
  const setter = authenticationSetter(flow, key);
  return setter ? { kind: 'trusted', why: `\`${key}\` of the request's CLS store is set by the authentication step ${setter}` } : undefined;
}

const setters = new WeakMap<object, Map<string, string | null>>();

/**
 * Where authentication code sets `key` in the store (`\`SessionStrategy.validate\``), else undefined.
 * Reads the scan's listing of source files: without one (the editor), nothing is trusted.
 */
function authenticationSetter(flow: Flow, key: string): string | undefined {
  const { resolver, root } = flow.context;
  const modules: object = resolver.modules;
  let known = setters.get(modules);
  if (!known) setters.set(modules, (known = new Map()));
  const cached = known.get(`${root}\u0000${key}`);
  if (cached !== undefined) return cached ?? undefined;
  let found: string | undefined;
  const listing = 'sourceFilesUnder' in modules && 'sourceText' in modules ? (modules as { sourceFilesUnder(dir: string): readonly string[] | undefined; sourceText(file: string): string }) : undefined;
  for (const file of (root && listing?.sourceFilesUnder(searchRootOf(root))) || []) {
    const text = listing!.sourceText(file);
    if (!text.includes(STORE_PACKAGE) || !(text.includes(`'${key}'`) || text.includes(`"${key}"`))) continue;
    const unit = resolver.modules.unit(file);
    if (!unit) continue;
    found = setterIn(flow, unit, key);
    if (found) break;
  }
  known.set(`${root}\u0000${key}`, found ?? null);
  return found;
}

function setterIn(flow: Flow, unit: FileUnit, key: string): string | undefined {
  let found: string | undefined;
  walk(unit.ast, (node) => {
    if (found || node.type !== T.CallExpression) return;
    const target = methodOf(node);
    if (target?.method !== 'set' || stringOf(node.arguments[0]) !== key) return;
    if (!fromPackage(flow.http({ unit, env: flow.top }).packageRoot(target.receiver), STORE_PACKAGE)) return;
    found = authenticationStep(enclosingFunction(node), unit, flow);
  });
  return found;
}

/**
 * The function is a step of authentication: `validate` of a Passport strategy (a class extending
 * `PassportStrategy(...)` from @nestjs/passport), a guard's `canActivate`, or a middleware's `use`
 * (a class with `canActivate`/`use` taking the request). Returns its name for the evidence.
 */
function authenticationStep(fn: TSESTree.FunctionLike | undefined, unit: FileUnit, flow: Flow): string | undefined {
  const method = fn?.parent?.type === T.MethodDefinition ? fn.parent : undefined;
  const cls = method ? enclosingClass(method) : undefined;
  if (!method || !cls) return undefined;
  const name = propertyName(method);
  const label = `\`${cls.id?.name ?? 'class'}.${name}\``;
  if (name === 'canActivate' || name === 'use') return label;
  if (name !== 'validate' || cls.superClass?.type !== T.CallExpression) return undefined;
  const ref = flow.models.http.packageOf(unwrap(cls.superClass.callee), unit, flow.context.resolver);
  return ref && fromPackage(ref, '@nestjs/passport') && ref.imported === 'PassportStrategy' ? label : undefined;
}
