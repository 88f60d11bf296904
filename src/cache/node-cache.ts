import { methodTable, tableAccess } from './access.js';
import type { CacheRecognizer } from './types.js';

const METHODS = methodTable([
  ['read', 'first', 'get take has getTtl'],
  ['read', 'list', 'mget'],
  ['write', 'first', 'set ttl'],
  ['write', 'entries', 'mset'],
  ['invalidate', 'list', 'del'],
]);

/** node-cache: `new NodeCache(...)` (default export) and parameters or fields typed `NodeCache`. */
export const nodeCacheRecognizer: CacheRecognizer = {
  name: 'node-cache',
  enablers: ['node-cache'],
  client: {
    packages: ['node-cache'],
    classes: ['default'],
    factories: [],
    types: ['default'],
    namespaceOptions: [],
    fluent: [],
    facets: {},
  },
  methods: new Set(METHODS.keys()),
  access: tableAccess(METHODS),
};
