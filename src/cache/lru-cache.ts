import { methodTable, tableAccess } from './access.js';
import type { CacheRecognizer } from './types.js';

const METHODS = methodTable([
  ['read', 'first', 'get peek has fetch memo'],
  ['write', 'first', 'set'],
  ['invalidate', 'first', 'delete'],
]);

/**
 * lru-cache: `new LRUCache(...)` (v7.14+, named) or `new LRU(...)` (the default export of older
 * versions), and parameters or fields typed `LRUCache<K, V>`. In-process, but shared by every
 * request the process serves, so by every tenant.
 */
export const lruCacheRecognizer: CacheRecognizer = {
  name: 'lru-cache',
  enablers: ['lru-cache'],
  client: {
    packages: ['lru-cache'],
    classes: ['LRUCache', 'default', 'default.LRUCache'],
    factories: [],
    types: ['LRUCache', 'default', 'default.LRUCache'],
    namespaceOptions: [],
    fluent: [],
    facets: {},
  },
  methods: new Set(METHODS.keys()),
  access: tableAccess(METHODS),
};
