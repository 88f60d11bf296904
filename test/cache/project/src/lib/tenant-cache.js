import Redis from 'ioredis';

/** A client whose every key starts with the organization. */
export function cacheFor(orgId) {
  return new Redis({ keyPrefix: `org:${orgId}:` });
}
