import type { TSESTree } from '@typescript-eslint/types';
import { T, textOf } from '../core/ast.js';
import { calleeSpan, keyOf, methodTable, tableAccess } from './access.js';
import type { CacheRecognizer } from './types.js';

const METHODS = methodTable([
  ['read', 'first', 'get ttl'],
  ['read', 'all', 'mget'],
  ['write', 'first', 'set'],
  ['write', 'entries', 'mset'],
  ['invalidate', 'first', 'del'],
  ['invalidate', 'list', 'mdel'],
]);
const byTable = tableAccess(METHODS);

/**
 * cache-manager: `caching(...)` (v5), `createCache(...)` (v6+), `multiCaching(...)`, parameters
 * typed `Cache`, and NestJS's `@Inject(CACHE_MANAGER)`. `wrap(key, loader)` reads through: the
 * loader's result is what gets cached. NestJS's `@CacheKey('...')` on a handler caches the
 * handler's response under that key for every caller.
 */
export const cacheManagerRecognizer: CacheRecognizer = {
  name: 'cache-manager',
  enablers: ['cache-manager', '@nestjs/cache-manager', '@nestjs/common'],
  client: {
    packages: ['cache-manager'],
    classes: [],
    factories: ['caching', 'createCache', 'multiCaching'],
    types: ['Cache', 'MemoryCache', 'MultiCache'],
    namespaceOptions: [],
    fluent: [],
    facets: {},
    injectionTokens: ['@nestjs/cache-manager#CACHE_MANAGER', '@nestjs/common#CACHE_MANAGER'],
  },
  methods: new Set([...METHODS.keys(), 'wrap']),
  access(call, method, client, context) {
    if (method !== 'wrap') return byTable(call, method, client, context);
    const [key, loader] = call.arguments;
    if (!key || key.type === T.SpreadElement) return undefined;
    return {
      library: client.library,
      operation: 'read',
      method,
      call,
      ...calleeSpan(call, context),
      keys: [keyOf(key, context)],
      values: loader && loader.type !== T.SpreadElement ? [{ node: loader, unit: context.unit }] : [],
      client,
      keyNoun: 'key',
      verb: 'reads through',
    };
  },
  direct(call, imported, context) {
    if (imported.path.join('.') !== 'CacheKey' || (imported.source !== '@nestjs/cache-manager' && imported.source !== '@nestjs/common')) return undefined;
    const decorator = call.parent;
    const method = decorator?.type === T.Decorator ? decorator.parent : undefined;
    const key = call.arguments[0];
    if (method?.type !== T.MethodDefinition || !key || key.type === T.SpreadElement) return undefined;
    const handler: TSESTree.FunctionExpression | TSESTree.TSEmptyBodyFunctionExpression = method.value;
    return {
      library: 'NestJS',
      operation: 'read',
      method: '@CacheKey',
      call,
      callee: call.callee,
      calleeText: `@${textOf(context.unit, call.callee)}`,
      keys: [keyOf(key, context)],
      values: [{ node: handler, unit: context.unit }],
      keyNoun: 'key',
      verb: `caches the response of \`${textOf(context.unit, method.key)}\` under`,
    };
  },
};
