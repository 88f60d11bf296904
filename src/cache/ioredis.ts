import { REDIS_METHOD_NAMES, redisAccess } from './redis-commands.js';
import type { CacheRecognizer } from './types.js';

/**
 * ioredis: `new Redis(...)`, `new Redis.Cluster(...)`, `new Cluster(...)`, a parameter or field
 * typed `Redis`. `keyPrefix` namespaces every command of the client; `pipeline()` and `multi()`
 * chain commands that take keys like the client's own.
 */
export const ioredisRecognizer: CacheRecognizer = {
  name: 'ioredis',
  enablers: ['ioredis'],
  client: {
    packages: ['ioredis'],
    classes: ['default', 'Redis', 'default.Cluster', 'Redis.Cluster', 'Cluster'],
    factories: [],
    types: ['default', 'Redis', 'Cluster', 'default.Cluster', 'Redis.Cluster'],
    namespaceOptions: ['keyPrefix'],
    fluent: ['duplicate', 'on', 'once'],
    facets: { pipeline: 'pipeline', multi: 'pipeline' },
  },
  methods: REDIS_METHOD_NAMES,
  access: redisAccess,
};
