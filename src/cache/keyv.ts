import { methodTable, tableAccess } from './access.js';
import type { CacheRecognizer } from './types.js';

const METHODS = methodTable([
  ['read', 'list', 'get getRaw has'],
  ['read', 'list', 'getMany getManyRaw hasMany'],
  ['write', 'first', 'set'],
  ['write', 'entries', 'setMany'],
  ['invalidate', 'list', 'delete deleteMany'],
]);

/**
 * Keyv: `new Keyv(...)` and `createKeyv(...)` of its storage adapters (`@keyv/redis`,
 * `@keyv/valkey`). The `namespace` option prefixes every key: a tenant in it namespaces the client.
 */
export const keyvRecognizer: CacheRecognizer = {
  name: 'keyv',
  enablers: ['keyv', '@keyvhq/core', '@keyv/redis', '@keyv/valkey'],
  client: {
    packages: ['keyv', '@keyvhq/core', '@keyv/redis', '@keyv/valkey'],
    classes: ['default', 'Keyv'],
    factories: ['createKeyv'],
    types: ['default', 'Keyv'],
    namespaceOptions: ['namespace'],
    fluent: [],
    facets: {},
  },
  methods: new Set(METHODS.keys()),
  access: tableAccess(METHODS),
};
