import { methodTable, tableAccess } from './access.js';
import type { CacheRecognizer } from './types.js';

const MEMCACHED_METHODS = methodTable([
  ['read', 'first', 'get gets'],
  ['read', 'list', 'getMulti'],
  ['write', 'first', 'set add replace append prepend cas incr decr touch'],
  ['invalidate', 'first', 'del'],
]);

/** memcached: `new Memcached(servers, options)`; callbacks after the key and value. */
export const memcachedRecognizer: CacheRecognizer = {
  name: 'memcached',
  enablers: ['memcached'],
  client: {
    packages: ['memcached'],
    classes: ['default'],
    factories: [],
    types: ['default'],
    namespaceOptions: [],
    fluent: [],
    facets: {},
  },
  methods: new Set(MEMCACHED_METHODS.keys()),
  access: tableAccess(MEMCACHED_METHODS),
};

const MEMJS_METHODS = methodTable([
  ['read', 'first', 'get'],
  ['read', 'list', 'getMulti'],
  ['write', 'first', 'set add replace append prepend increment decrement touch'],
  ['invalidate', 'first', 'delete'],
]);

/** memjs: `memjs.Client.create(servers)`, and parameters typed `Client` from memjs. */
export const memjsRecognizer: CacheRecognizer = {
  name: 'memjs',
  enablers: ['memjs'],
  client: {
    packages: ['memjs'],
    classes: [],
    factories: ['Client.create', 'default.Client.create'],
    types: ['Client', 'default.Client'],
    namespaceOptions: [],
    fluent: [],
    facets: {},
  },
  methods: new Set(MEMJS_METHODS.keys()),
  access: tableAccess(MEMJS_METHODS),
};
