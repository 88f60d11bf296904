import type { TSESTree } from '@typescript-eslint/types';
import { memberName, T, unwrap, variableOf } from '../core/ast.js';
import type { CacheModel } from '../core/facts.js';
import type { AnalysisContext } from '../core/query-site.js';
import { cacheManagerRecognizer } from './cache-manager.js';
import { ClientTracer, importPathOf } from './clients.js';
import { ioredisRecognizer } from './ioredis.js';
import { keyvRecognizer } from './keyv.js';
import { lruCacheRecognizer } from './lru-cache.js';
import { mapCacheRecognizer } from './map.js';
import { memcachedRecognizer, memjsRecognizer } from './memcached.js';
import { nextCacheRecognizer } from './next.js';
import { nodeCacheRecognizer } from './node-cache.js';
import { nodeRedisRecognizer } from './node-redis.js';
import type { CacheAccess, CacheRecognizer } from './types.js';
import { upstashRecognizer } from './upstash.js';
import { valueFacts } from './values.js';

/** Registered cache recognizers: adding a cache client is adding one entry here. */
export const CACHE_RECOGNIZERS: readonly CacheRecognizer[] = [
  ioredisRecognizer,
  nodeRedisRecognizer,
  upstashRecognizer,
  lruCacheRecognizer,
  nodeCacheRecognizer,
  cacheManagerRecognizer,
  keyvRecognizer,
  memcachedRecognizer,
  memjsRecognizer,
  nextCacheRecognizer,
  mapCacheRecognizer,
];

const METHOD_NAMES: ReadonlySet<string> = new Set(CACHE_RECOGNIZERS.flatMap((recognizer) => [...(recognizer.methods ?? [])]));
/** Packages whose functions are cache calls themselves (`unstable_cache`, `@CacheKey`). */
const DIRECT_SOURCES: ReadonlySet<string> = new Set(['next/cache', '@nestjs/cache-manager', '@nestjs/common']);

/**
 * Turns the calls of one file into CacheAccess facts. A method call is looked at only when its
 * name is a cache method of some recognizer, and its receiver is then traced to a client by
 * import and construction; a function call only when it is imported from a package whose
 * functions cache (`next/cache`, `@nestjs/cache-manager`).
 */
export class CacheRecognition {
  private readonly tracer: ClientTracer;

  constructor(private readonly context: AnalysisContext) {
    this.tracer = new ClientTracer(CACHE_RECOGNIZERS, context);
  }

  recognize(call: TSESTree.CallExpression): CacheAccess | undefined {
    const callee = unwrap(call.callee);
    const direct = this.direct(call, callee);
    if (direct) return direct;
    if (callee.type !== T.MemberExpression) return undefined;
    const method = memberName(callee);
    if (!method || !METHOD_NAMES.has(method.toLowerCase())) return undefined;
    const traced = this.tracer.trace(callee.object, this.context.unit);
    if (!traced?.recognizer.access) return undefined;
    return traced.recognizer.access(call, method, traced.client, this.context);
  }

  private direct(call: TSESTree.CallExpression, callee: TSESTree.Node): CacheAccess | undefined {
    let root: TSESTree.Node = callee;
    while (root.type === T.MemberExpression) root = unwrap(root.object);
    if (root.type !== T.Identifier) return undefined;
    const def = variableOf(this.context.unit.scopeManager, root)?.defs[0];
    if (def?.type !== 'ImportBinding' || def.parent.type !== T.ImportDeclaration || !DIRECT_SOURCES.has(def.parent.source.value)) return undefined;
    const path = importPathOf(callee, this.context.unit, this.context);
    if (!path) return undefined;
    for (const recognizer of CACHE_RECOGNIZERS) {
      const access = recognizer.direct?.(call, path, this.context);
      if (access) return access;
    }
    return undefined;
  }
}

/** The cache model handed to policies (the `cache` of core `Models`). */
export const CACHE_MODEL: CacheModel = {
  accesses(calls, context) {
    if (calls.length === 0) return [];
    const recognition = new CacheRecognition(context);
    return calls.flatMap((call) => recognition.recognize(call) ?? []);
  },
  valueFacts,
};
