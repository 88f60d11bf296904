import { REDIS_METHOD_NAMES, redisAccess } from './redis-commands.js';
import type { CacheRecognizer } from './types.js';

/**
 * @upstash/redis (HTTP Redis for serverless and edge): `new Redis({ url, token })`,
 * `Redis.fromEnv()`, and @vercel/kv's `kv` instance and `createClient()`; `json.*`,
 * `pipeline()` and `multi()`.
 */
export const upstashRecognizer: CacheRecognizer = {
  name: '@upstash/redis',
  enablers: ['@upstash/redis', '@vercel/kv'],
  client: {
    packages: ['@upstash/redis', '@upstash/redis/nodejs', '@upstash/redis/cloudflare', '@upstash/redis/fastly', '@vercel/kv'],
    classes: ['Redis'],
    factories: ['Redis.fromEnv', 'createClient'],
    types: ['Redis', 'VercelKV'],
    namespaceOptions: [],
    fluent: [],
    facets: { pipeline: 'pipeline', multi: 'pipeline', json: 'json' },
    instances: ['kv'],
  },
  methods: REDIS_METHOD_NAMES,
  access: redisAccess,
};
