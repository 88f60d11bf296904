import Redis from 'ioredis';

/** The shared client every service imports: no key prefix, so one keyspace for all organizations. */
export const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379', { keyPrefix: 'billing:' });
