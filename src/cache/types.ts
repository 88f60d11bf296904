import type { TSESTree } from '@typescript-eslint/types';
import type { FileUnit } from '../core/ast.js';
import type { AnalysisContext } from '../core/query-site.js';

/** The facts a cache recognizer hands the policy are core contracts (src/core/facts.ts). */
export type { CacheAccess, CacheClient, CacheKey, CacheOperation, KeyPart, KeyValue, ValueOrigin } from '../core/facts.js';
import type { CacheAccess, CacheClient } from '../core/facts.js';

/** How one library's clients are constructed and typed, for import tracking. */
export interface ClientSpec {
  /** Import sources (`ioredis`, `redis`, `@redis/client`). */
  packages: string[];
  /** Import paths that are constructed with `new`: `default`, `Redis`, `default.Cluster`. */
  classes: string[];
  /** Import paths that return a client when called: `createClient`, `default.Client.create`. */
  factories: string[];
  /** Type names that denote a client in annotations (`Redis`, `RedisClientType`, `LRUCache`). */
  types: string[];
  /** Constructor / factory options that namespace every key (`keyPrefix`, `namespace`). */
  namespaceOptions: string[];
  /** Methods that return the same client (`connect`, `on`, `duplicate`). */
  fluent: string[];
  /** Methods or properties that return a sub-object whose commands take keys (`multi`, `json`). */
  facets: Record<string, string>;
  /** Client instances the package exports (`kv` of @vercel/kv). */
  instances?: string[];
  /** NestJS injection tokens, as `source#name` (`@nestjs/cache-manager#CACHE_MANAGER`), for `@Inject(TOKEN)`. */
  injectionTokens?: string[];
}

/**
 * One recognizer per cache client, shaped like the ORM recognizers: `client` says how its
 * clients are found by import and construction, `access` turns a method call on such a client
 * into a CacheAccess, `direct` recognises calls of an imported function (`unstable_cache`).
 */
export interface CacheRecognizer {
  name: string;
  /** Packages whose presence enables the recognizer. */
  enablers: string[];
  client?: ClientSpec;
  /** Lower-case method names `access` handles: calls with other names are not traced at all. */
  methods?: ReadonlySet<string>;
  /** A construction the spec cannot describe by import (a module-level `new Map()`): how it was recognised. */
  constructs?(node: TSESTree.NewExpression, unit: FileUnit, context: AnalysisContext): string | undefined;
  access?(call: TSESTree.CallExpression, method: string, client: CacheClient, context: AnalysisContext): CacheAccess | undefined;
  /** A call whose callee is imported from one of `enablers`: `imported` is its import path (`unstable_cache`). */
  direct?(call: TSESTree.CallExpression, imported: ImportPath, context: AnalysisContext): CacheAccess | undefined;
}

/** A value imported from a package, with the members taken from it: `memjs.Client.create` -> { source: 'memjs', path: ['*', 'Client', 'create'] }. */
export interface ImportPath {
  source: string;
  path: string[];
}
