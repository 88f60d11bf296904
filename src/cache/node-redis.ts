import { REDIS_METHOD_NAMES, redisAccess } from './redis-commands.js';
import type { CacheRecognizer } from './types.js';

/**
 * node-redis (v4+): `createClient(...)` / `createCluster(...)` from `redis` or `@redis/client`,
 * also after `.connect()` and `.on('error', ...)`; camelCase commands (`hGetAll`, `setEx`),
 * `client.json.*` and `multi()`.
 */
export const nodeRedisRecognizer: CacheRecognizer = {
  name: 'node-redis',
  enablers: ['redis', '@redis/client'],
  client: {
    packages: ['redis', '@redis/client'],
    classes: [],
    factories: ['createClient', 'createCluster', 'default.createClient', 'default.createCluster'],
    types: ['RedisClientType', 'RedisClusterType', 'RedisClientPoolType'],
    namespaceOptions: [],
    fluent: ['connect', 'on', 'once', 'duplicate', 'withTypeMapping', 'withCommandOptions', 'isolated'],
    facets: { multi: 'pipeline', MULTI: 'pipeline', json: 'json' },
  },
  methods: REDIS_METHOD_NAMES,
  access: redisAccess,
};
