import { NONE, nodeRequestMember, trusted } from './node-request.js';
import { fromPackage, importMarkers, HTTP_METHODS, methodOf, packageOfType, parameterType, precedingHandlers, registrationsOf, type Registration } from './trace.js';
import type { FrameworkObject, HttpContext, HttpRecognizer, PackageRef } from './types.js';

const request: FrameworkObject = { kind: 'framework', framework: 'fastify', role: 'request', label: 'request', context: true };
const reply: FrameworkObject = { kind: 'framework', framework: 'fastify', role: 'reply', label: 'reply', context: false };

/** Route options whose functions receive `(request, reply)`. */
const HANDLER_OPTIONS = new Set(['handler', 'preHandler', 'onRequest', 'preValidation', 'preParsing', 'preSerialization', 'onSend', 'onResponse']);

/**
 * Fastify: `(request, reply)` handlers and hooks on an instance built by `fastify()`, a plugin's
 * `instance` (`app.register(async (instance) => ...)`, `fastify-plugin`), or a typed
 * `FastifyInstance`. `request.user` is what @fastify/jwt verified.
 */
export const fastifyRecognizer: HttpRecognizer = {
  name: 'fastify',
  markers: importMarkers(['fastify', 'fastify-plugin']),
  identityHint: '`request.user`, which @fastify/jwt (`await request.jwtVerify()`) or your authentication hook sets from a verified credential',

  parameter(fn, index, context) {
    const typed = packageOfType(parameterType(fn.params[index]), context.unit, context.resolver);
    if (typed && fromPackage(typed, 'fastify')) {
      if (typed.imported === 'FastifyRequest') return request;
      if (typed.imported === 'FastifyReply') return reply;
      return undefined;
    }
    for (const registration of registrationsOf(fn, context.unit)) {
      if (!isHandlerRegistration(registration, context)) continue;
      return index === 0 ? request : index === 1 ? reply : undefined;
    }
    return undefined;
  },

  receiverParameter(fn, index, context): PackageRef | undefined {
    if (index !== 0) return undefined;
    for (const registration of registrationsOf(fn, context.unit)) {
      const plugin = context.packageOf(registration.call.callee);
      if (plugin && fromPackage(plugin, 'fastify-plugin')) return { source: 'fastify', imported: 'FastifyInstance' };
      const target = methodOf(registration.call);
      if (target?.method === 'register' && fromPackage(context.packageRoot(target.receiver), 'fastify')) return { source: 'fastify', imported: 'FastifyInstance' };
    }
    return undefined;
  },

  guards(fn, context) {
    return precedingHandlers(fn, context, ['fastify'], () => [request, reply]);
  },

  member(object, name) {
    if (object.role === 'request') return nodeRequestMember('fastify', name);
    return NONE;
  },

  call(object, method) {
    if (object.role !== 'request') return NONE;
    if (method === 'jwtVerify') return trusted('`request.jwtVerify()` verifies the token\'s signature');
    if (method === 'unsignCookie') return trusted('`request.unsignCookie()` checks the cookie\'s signature');
    return NONE;
  },
};

function isHandlerRegistration(registration: Registration, context: HttpContext): boolean {
  const target = methodOf(registration.call);
  if (!target) return false;
  const { method } = target;
  const routing = HTTP_METHODS.has(method) || method === 'route' || method === 'addHook';
  if (!routing) return false;
  if (registration.option !== undefined && !HANDLER_OPTIONS.has(registration.option)) return false;
  if (method === 'addHook' && registration.index !== 1) return false;
  return fromPackage(context.packageRoot(target.receiver), 'fastify');
}

