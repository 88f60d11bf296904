import type { TSESTree } from '@typescript-eslint/types';
import { client, headerName, NONE, nodeRequestMember, trusted } from './node-request.js';
import { fromPackage, importMarkers, HTTP_METHODS, methodOf, packageOfType, parameterType, precedingHandlers, registrationsOf, stringOf } from './trace.js';
import type { FrameworkObject, HttpRecognizer, HttpValue } from './types.js';

const PACKAGES = ['express', 'express-serve-static-core', 'connect', 'router'];

export const expressRequest: FrameworkObject = { kind: 'framework', framework: 'express', role: 'request', label: 'req', context: true };
export const expressResponse: FrameworkObject = { kind: 'framework', framework: 'express', role: 'response', label: 'res', context: false };
const locals: FrameworkObject = { kind: 'framework', framework: 'express', role: 'locals', label: 'res.locals', context: true };

/** Express and Connect: `(req, res, next)` handlers on an app or router built by `express()` or `Router()`. */
export const expressRecognizer: HttpRecognizer = {
  name: 'express',
  markers: importMarkers(PACKAGES),
  identityHint: '`req.user` or `req.auth`, which your authentication middleware (passport, express-jwt, a session) sets from a verified credential',

  parameter(fn, index, context) {
    const typed = packageOfType(parameterType(fn.params[index]), context.unit, context.resolver);
    if (typed && fromPackage(typed, ...PACKAGES)) {
      if (typed.imported === 'Request') return expressRequest;
      if (typed.imported === 'Response') return expressResponse;
      return undefined;
    }
    for (const registration of registrationsOf(fn, context.unit)) {
      const target = methodOf(registration.call);
      if (!target || (!HTTP_METHODS.has(target.method) && target.method !== 'param')) continue;
      if (!fromPackage(context.packageRoot(target.receiver), ...PACKAGES)) continue;
      return byPosition(fn, index, target.method, registration.call);
    }
    return undefined;
  },

  typed(ref) {
    if (!fromPackage(ref, ...PACKAGES)) return undefined;
    return ref.imported === 'Request' ? expressRequest : ref.imported === 'Response' ? expressResponse : undefined;
  },

  guards(fn, context) {
    return precedingHandlers(fn, context, PACKAGES, (handler, routeParameter) => {
      if (routeParameter) return [expressRequest, expressResponse, undefined, client('express', 'route parameter', [routeParameter])];
      return handler.params.length >= 4 ? [undefined, expressRequest, expressResponse] : [expressRequest, expressResponse];
    });
  },

  member(object, name) {
    if (object.role === 'request') return nodeRequestMember('express', name);
    if (object.role === 'response') return name === 'locals' ? locals : NONE;
    if (object.role === 'locals') return trusted('`res.locals` holds what middleware derived from the verified identity');
    return undefined;
  },

  call(object, method, call) {
    if (object.role !== 'request') return NONE;
    if (method === 'header' || method === 'get') return headerValue(call);
    // `req.param(name)` (Express 4) reads route parameters, then body, then query.
    if (method === 'param') return client('express', 'route parameter', [stringOf(call.arguments[0]) ?? '?']);
    return NONE;
  },
};

function headerValue(call: TSESTree.CallExpression): HttpValue {
  const name = headerName(stringOf(call.arguments[0]));
  const value = client('express', 'header', [name ?? '?']);
  return name ? value : { ...value, dynamic: true };
}

/**
 * `(req, res, next)`, `(err, req, res, next)` for error handlers, and `app.param('orgId',
 * (req, res, next, orgId) => ...)` whose fourth parameter is the route parameter's value.
 */
function byPosition(fn: TSESTree.FunctionLike, index: number, method: string, call: TSESTree.CallExpression): HttpValue | undefined {
  if (method === 'param') {
    if (index === 3) {
      const name = stringOf(call.arguments[0]);
      return name ? client('express', 'route parameter', [name]) : { ...client('express', 'route parameter', ['?']), dynamic: true };
    }
    return index === 0 ? expressRequest : index === 1 ? expressResponse : undefined;
  }
  const offset = fn.params.length >= 4 ? 1 : 0;
  if (index === offset) return expressRequest;
  if (index === offset + 1) return expressResponse;
  return undefined;
}
