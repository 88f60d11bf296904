import type { TSESTree } from '@typescript-eslint/types';
import { client, headerName, NONE, trusted } from './node-request.js';
import { fromPackage, importMarkers, HTTP_METHODS, methodOf, packageOfType, parameterType, precedingHandlers, registrationsOf, stringOf } from './trace.js';
import type { ClientInput, FrameworkObject, HttpContext, HttpRecognizer, HttpValue, SourceCategory } from './types.js';

const c: FrameworkObject = { kind: 'framework', framework: 'hono', role: 'context', label: 'c', context: false };
const honoRequest: FrameworkObject = { kind: 'framework', framework: 'hono', role: 'request', label: 'c.req', context: false };
const rawRequest: FrameworkObject = { kind: 'framework', framework: 'hono', role: 'raw', label: 'c.req.raw', context: false };

/** `c.req.valid(target)`: what a validator middleware (zValidator) validated is still client input. */
const VALIDATED: Record<string, SourceCategory> = {
  json: 'body field',
  form: 'form field',
  query: 'query parameter',
  param: 'route parameter',
  header: 'header',
  cookie: 'cookie',
};

/**
 * Hono: handlers and middleware `(c, next)` on `new Hono()` or from `createMiddleware`. Values
 * that authentication middleware stores with `c.set()` (read back with `c.get()` or `c.var`) are
 * the verified context; `c.req.*` is the client's.
 */
export const honoRecognizer: HttpRecognizer = {
  name: 'hono',
  markers: importMarkers(['hono'], true),
  identityHint: "`c.get('jwtPayload')` (hono/jwt) or a variable your authentication middleware stores with `c.set()` from a verified credential",

  parameter(fn, index, context) {
    const typed = packageOfType(parameterType(fn.params[index]), context.unit, context.resolver);
    if (typed && fromPackage(typed, 'hono')) return typed.imported === 'Context' ? c : undefined;
    for (const registration of registrationsOf(fn, context.unit)) {
      if (index !== 0 || !isHonoRegistration(registration.call, context)) continue;
      return c;
    }
    return undefined;
  },

  guards(fn, context) {
    return precedingHandlers(fn, context, ['hono'], () => [c]);
  },

  typed(ref) {
    return fromPackage(ref, 'hono') && ref.imported === 'Context' ? c : undefined;
  },

  member(object, name) {
    if (object.role === 'context') {
      if (name === 'req') return honoRequest;
      if (name === 'var') return trusted('`c.var` holds what middleware stored with `c.set()`');
      return NONE;
    }
    if (object.role === 'request') {
      if (name === 'url') return client('hono', 'request URL');
      if (name === 'raw') return rawRequest;
      return NONE;
    }
    if (object.role === 'raw') {
      if (name === 'headers') return client('hono', 'header', [], 'map');
      if (name === 'url') return client('hono', 'request URL');
    }
    return NONE;
  },

  call(object, method, call) {
    if (object.role === 'context') {
      if (method === 'get') return trusted(`\`c.get(${quoted(stringOf(call.arguments[0]))})\` reads what middleware stored with \`c.set()\``);
      return NONE;
    }
    if (object.role === 'request') return requestCall(method, call);
    if (object.role === 'raw') {
      if (method === 'json') return client('hono', 'body field');
      if (method === 'formData') return client('hono', 'form field', [], 'map');
    }
    return NONE;
  },

  imported(ref, call, context) {
    if (fromPackage(ref, 'hono/cookie')) {
      if (ref.imported === 'getSignedCookie') return trusted('`getSignedCookie()` checks the cookie\'s signature');
      if (ref.imported !== 'getCookie' || !call.arguments[0] || context.frameworkObject(call.arguments[0])?.framework !== 'hono') return undefined;
      return named('cookie', call.arguments[1], call.arguments.length < 2);
    }
    if (fromPackage(ref, 'hono/jwt') && (ref.imported === 'verify' || ref.imported === 'decode')) {
      return ref.imported === 'verify' ? trusted('`verify()` from hono/jwt checks the token\'s signature') : undefined;
    }
    return undefined;
  },

  sinks(call, context) {
    const target = methodOf(call);
    if (target?.method !== 'set' || call.arguments.length < 2) return [];
    const key = stringOf(call.arguments[0]);
    if (!key || !context.isTenantName(key)) return [];
    const object = context.frameworkObject(target.receiver);
    if (object?.framework !== 'hono' || object.role !== 'context') return [];
    return [{ label: `stored as the tenant context with \`c.set('${key}')\``, value: call.arguments[1], node: call }];
  },
};

function requestCall(method: string, call: TSESTree.CallExpression): HttpValue {
  const first = call.arguments[0];
  switch (method) {
    case 'header':
      return named('header', first, !first, true);
    case 'query':
    case 'queries':
      return named('query parameter', first, !first);
    case 'param':
      return named('route parameter', first, !first);
    case 'json':
      return client('hono', 'body field');
    case 'parseBody':
      return client('hono', 'form field');
    case 'formData':
      return client('hono', 'form field', [], 'map');
    case 'valid': {
      const category = VALIDATED[stringOf(first) ?? ''];
      return category ? client('hono', category) : NONE;
    }
    default:
      return NONE;
  }
}

/** `c.req.header('x-tenant-id')` is one value; `c.req.header()` is the container of all of them. */
function named(category: SourceCategory, argument: TSESTree.CallExpressionArgument | undefined, whole: boolean, isHeader = false): ClientInput {
  if (whole) return client('hono', category);
  const raw = stringOf(argument);
  const name = isHeader ? headerName(raw) : raw;
  return name ? client('hono', category, [name]) : { ...client('hono', category, ['?']), dynamic: true };
}

function quoted(name: string | undefined): string {
  return name ? `'${name}'` : '...';
}

function isHonoRegistration(call: TSESTree.CallExpression, context: HttpContext): boolean {
  const direct = context.packageOf(call.callee);
  // `createMiddleware(async (c, next) => ...)` from hono/factory.
  if (direct) return fromPackage(direct, 'hono') && direct.imported === 'createMiddleware';
  const target = methodOf(call);
  if (!target) return false;
  const routing = HTTP_METHODS.has(target.method) || target.method === 'createMiddleware' || target.method === 'createHandlers';
  return routing && fromPackage(context.packageRoot(target.receiver), 'hono');
}
