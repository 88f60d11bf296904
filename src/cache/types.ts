import type { TSESTree } from '@typescript-eslint/types';
import type { FileUnit, Node } from '../core/ast.js';
import type { AnalysisContext, QuerySite } from '../core/query-site.js';
import type { Located } from '../core/resolve.js';

/** `invalidate` is a write that removes (`del`, `unlink`, `revalidateTag`): no value is stored. */
export type CacheOperation = 'read' | 'write' | 'invalidate';

/**
 * Where a runtime value in a key comes from, as far as the analysis followed it. The policy
 * (src/core/checks/require-tenant-cache-key.ts) decides which of these name the tenant.
 */
export type ValueOrigin =
  /** A parameter of the function that makes the cache call: its callers decide what it holds. */
  | { kind: 'parameter'; fn: string }
  /** A field of a row read by a database query (`invoice.id` after `findFirst`). */
  | { kind: 'row'; site: QuerySite }
  /** The result of a call the analysis does not follow (`hash(email)`, `getSession()`). */
  | { kind: 'call'; callee: string }
  /** A value a random generator returned (`randomUUID()`, `nanoid()`, `randomBytes(32)`): `source` is its package. */
  | { kind: 'random'; source: string }
  /** A header the request carries, read by name (`req.headers.get('host')`): the name, lower case. */
  | { kind: 'header'; name: string }
  | { kind: 'other' };

/** One piece of a key: literal text, or a runtime value named by its access path. */
export type KeyPart =
  | { kind: 'text'; text: string }
  | {
      kind: 'value';
      /** `req.user.orgId` -> ['req', 'user', 'orgId']; a call contributes `getTenantId()`. */
      path: string[];
      /** Source text as written, for the rendered shape (`${id}`). */
      text: string;
      node: Node;
      unit: FileUnit;
      origin: ValueOrigin;
    };

/**
 * A key as far as it can be evaluated: each alternative (`a ? 'x' : 'y'` has two) is a list of
 * parts. `unknown` means the key is built by code the analysis cannot follow.
 */
export type KeyValue =
  | { kind: 'key'; alternatives: KeyPart[][] }
  | { kind: 'array'; items: KeyValue[] }
  | { kind: 'unknown'; reason: string };

/** A key argument of a cache call: the expression as written and what it evaluates to. */
export interface CacheKey {
  node: Node;
  value: KeyValue;
}

/** How a cache client was identified, and whether it is namespaced by construction. */
export interface CacheClient {
  library: string;
  /** For evidence: "`new Redis()` from ioredis (src/lib/redis.ts:5)". */
  how: string;
  /** The construction (or injection) node: two calls on the same client share it. */
  origin: Node;
  /** `keyPrefix` / `namespace` given at construction, evaluated like a key. */
  namespace?: { option: string; value: KeyValue };
  /** Type names the construction gives its values (`Invoice` of `new LRUCache<string, Invoice>()`). */
  holds?: string[];
  /** A configured tenant-scoped factory (`scopedClientFactories`) returned this client. */
  scopedFactory?: string;
  /** Sub-object of the client the call is made on: `pipeline` (multi/pipeline), `json`. */
  facet?: string;
}

/** The fact a cache recognizer hands the policy: one cache call and the keys it touches. */
export interface CacheAccess {
  library: string;
  operation: CacheOperation;
  /** `get`, `hSet`, `unstable_cache`, `@CacheKey`. */
  method: string;
  call: TSESTree.CallExpression;
  /** The span to report: the callee (`redis.get`, `unstable_cache`, `CacheKey`). */
  callee: Node;
  calleeText: string;
  keys: CacheKey[];
  /** Expressions whose data ends up in the cache: written values, loaders, the cached function. */
  values: Located[];
  /** A cached function whose arguments are part of the key (Next.js `unstable_cache`). */
  keyedFunction?: TSESTree.FunctionLike;
  client?: CacheClient;
  /** How the key is described in messages (`key`, `key parts`, `tag`). */
  keyNoun: string;
  /** Replaces "key `...`" in messages when the key is not written at the call (`the function's source and arguments`). */
  keyLabel?: string;
  /** What the call does with the key, for messages (`reads`, `caches the response under`). */
  verb: string;
  /** Where a suggestion prepends the tenant when the key node is not the place (`unstable_cache` without key parts). */
  insertAfter?: Node;
}

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
