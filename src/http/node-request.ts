import type { ClientInput, FrameworkName, HttpValue, SourceCategory } from './types.js';

/** A client-input container or value, as recognizers create them. */
export function client(framework: FrameworkName, category: SourceCategory, path: string[] = [], shape: 'object' | 'map' | 'any' = 'object', unwrap?: string): ClientInput {
  return { kind: 'client', framework, category, path, shape, ...(unwrap ? { unwrap } : {}) };
}

export const NONE: HttpValue = { kind: 'none' };

export function trusted(why: string): HttpValue {
  return { kind: 'trusted', why };
}

/** Request properties that carry no tenant and no identity: reading them is not interesting. */
const PLAIN = new Set([
  'method', 'url', 'originalUrl', 'baseUrl', 'path', 'protocol', 'secure', 'xhr', 'ip', 'ips', 'app', 'res', 'route', 'socket',
  'connection', 'httpVersion', 'complete', 'aborted', 'rawHeaders', 'trailers', 'statusCode', 'fresh', 'stale', 'log', 'id', 'raw',
  'routeOptions', 'server', 'is', 'accepts', 'on', 'pipe', 'file', 'files',
]);

/**
 * Members of a Node-style request, shared by Express/Connect, Fastify, Next.js API routes and
 * the request in a tRPC context: the client sends `headers`, `query`, `params`, `body` and
 * `cookies`; `user`, `auth` and `session` are the verified identity; `signedCookies` were signed
 * by the server. Any other property was put there by middleware (`req.tenantId`): it is the
 * request's context, which is a sink when assigned and not client input when read.
 */
export function nodeRequestMember(framework: FrameworkName, name: string | undefined): HttpValue | undefined {
  switch (name) {
    case 'headers':
      return client(framework, 'header');
    case 'query':
      return client(framework, 'query parameter');
    case 'params':
      return client(framework, 'route parameter');
    case 'body':
    case 'rawBody':
    case 'fields':
      return client(framework, 'body field');
    case 'cookies':
      return client(framework, 'cookie');
    case 'hostname':
    case 'host':
      return client(framework, 'hostname');
    case 'subdomains':
      return client(framework, 'hostname', ['subdomains']);
    case 'signedCookies':
      return trusted('`signedCookies` carry the server\'s signature');
    case 'user':
    case 'auth':
    case 'session':
      return trusted(`\`${name}\` is the verified identity set by authentication`);
    case undefined:
      return undefined;
    default:
      if (PLAIN.has(name)) return NONE;
      return trusted(`\`${name}\` was put on the request by middleware`);
  }
}

/** `req.header('x-tenant-id')`, `req.get('x-tenant-id')`: header names are case-insensitive. */
export function headerName(name: string | undefined): string | undefined {
  return name?.toLowerCase();
}
