import type { TSESTree } from '@typescript-eslint/types';
import { propertyName, T, unwrap } from '../core/ast.js';
import { client, headerName, NONE, nodeRequestMember, trusted } from './node-request.js';
import { fromPackage, importMarkers, HTTP_METHODS, methodOf, packageOfType, parameterType, precedingHandlers, registrationsOf, stringOf } from './trace.js';
import type { FrameworkObject, HttpRecognizer, HttpValue } from './types.js';

const PACKAGES = ['koa', '@koa/router', 'koa-router'];
const CONTEXT_TYPES = new Set(['Context', 'ParameterizedContext', 'DefaultContext', 'ExtendableContext', 'BaseContext', 'RouterContext', 'RouterParamContext']);

const ctx: FrameworkObject = { kind: 'framework', framework: 'koa', role: 'context', label: 'ctx', context: true };
const koaRequest: FrameworkObject = { kind: 'framework', framework: 'koa', role: 'request', label: 'ctx.request', context: false };
const nodeRequest: FrameworkObject = { kind: 'framework', framework: 'koa', role: 'node-request', label: 'ctx.req', context: true };
const state: FrameworkObject = { kind: 'framework', framework: 'koa', role: 'state', label: 'ctx.state', context: true };
const cookies: FrameworkObject = { kind: 'framework', framework: 'koa', role: 'cookies', label: 'ctx.cookies', context: false };

/** Koa and @koa/router: `(ctx, next)` middleware; `ctx.state` is where authentication puts the user. */
export const koaRecognizer: HttpRecognizer = {
  name: 'koa',
  markers: importMarkers(PACKAGES),
  identityHint: '`ctx.state.user`, which your authentication middleware (koa-jwt, koa-passport) sets from a verified credential',

  parameter(fn, index, context) {
    const typed = packageOfType(parameterType(fn.params[index]), context.unit, context.resolver);
    if (typed && fromPackage(typed, ...PACKAGES)) return CONTEXT_TYPES.has(typed.imported) ? ctx : undefined;
    for (const registration of registrationsOf(fn, context.unit)) {
      const target = methodOf(registration.call);
      if (!target || (!HTTP_METHODS.has(target.method) && target.method !== 'param')) continue;
      if (!fromPackage(context.packageRoot(target.receiver), ...PACKAGES)) continue;
      if (target.method === 'param') {
        // koa-router: `router.param('orgId', (orgId, ctx, next) => ...)`.
        if (index === 1) return ctx;
        const name = stringOf(registration.call.arguments[0]);
        return index === 0 ? client('koa', 'route parameter', [name ?? '?']) : undefined;
      }
      return index === 0 ? ctx : undefined;
    }
    return undefined;
  },

  guards(fn, context) {
    return precedingHandlers(fn, context, PACKAGES, (_handler, routeParameter) =>
      routeParameter ? [client('koa', 'route parameter', [routeParameter]), ctx] : [ctx],
    );
  },

  member(object, name) {
    switch (object.role) {
      case 'context':
        return contextMember(name);
      case 'request':
        if (name === 'body') return client('koa', 'body field');
        if (name === 'headers' || name === 'header') return client('koa', 'header');
        if (name === 'query') return client('koa', 'query parameter');
        if (name === 'hostname' || name === 'host') return client('koa', 'hostname');
        return NONE;
      case 'node-request':
        return nodeRequestMember('koa', name);
      case 'state':
        return trusted('`ctx.state` holds what authentication middleware derived from a verified credential');
      default:
        return NONE;
    }
  },

  call(object, method, call) {
    if ((object.role === 'context' || object.role === 'request') && method === 'get') {
      const name = headerName(stringOf(call.arguments[0]));
      return name ? client('koa', 'header', [name]) : { ...client('koa', 'header', ['?']), dynamic: true };
    }
    if (object.role === 'cookies' && method === 'get') {
      if (isSigned(call.arguments[1])) return trusted('a cookie read with `{ signed: true }` carries the server\'s signature');
      const name = stringOf(call.arguments[0]);
      return name ? client('koa', 'cookie', [name]) : { ...client('koa', 'cookie', ['?']), dynamic: true };
    }
    return NONE;
  },
};

function contextMember(name: string | undefined): HttpValue | undefined {
  switch (name) {
    case 'headers':
    case 'header':
      return client('koa', 'header');
    case 'query':
      return client('koa', 'query parameter');
    case 'params':
      return client('koa', 'route parameter');
    case 'hostname':
    case 'host':
      return client('koa', 'hostname');
    case 'subdomains':
      return client('koa', 'hostname', ['subdomains']);
    case 'request':
      return koaRequest;
    case 'req':
      return nodeRequest;
    case 'state':
      return state;
    case 'cookies':
      return cookies;
    case 'session':
    case 'user':
      return trusted(`\`ctx.${name}\` is the verified identity`);
    case undefined:
      return undefined;
    case 'body':
    case 'response':
    case 'res':
    case 'status':
    case 'method':
    case 'path':
    case 'url':
    case 'originalUrl':
    case 'ip':
    case 'app':
      return NONE;
    default:
      return trusted(`\`ctx.${name}\` was put on the context by middleware`);
  }
}

function isSigned(options: TSESTree.CallExpressionArgument | undefined): boolean {
  if (!options) return false;
  const value = unwrap(options);
  if (value.type !== T.ObjectExpression) return false;
  return value.properties.some((p) => p.type === T.Property && propertyName(p) === 'signed' && p.value.type === T.Literal && p.value.value === true);
}
