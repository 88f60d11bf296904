import { describe, expect, it } from 'vitest';
import { accessesIn, describeAccess, PROJECT } from './helpers.js';

/**
 * One recognizer per cache client: each test names the facts (library, operation, method, key
 * shapes) that a snippet must produce. Clients are found by import and construction; the last
 * block proves that names alone recognise nothing.
 */

const facts = (code: string) => accessesIn(code).map(describeAccess);

describe('ioredis', () => {
  const client = `import Redis from 'ioredis';\nconst redis = new Redis();\n`;

  it('string, hash, set and expiry commands ok', () => {
    expect(
      facts(`${client}export async function f(id: string) {
  await redis.get(\`a:\${id}\`);
  await redis.setex(\`b:\${id}\`, 60, 'v');
  await redis.hget(\`c:\${id}\`, 'field');
  await redis.hset(\`d:\${id}\`, { x: 1 });
  await redis.sadd(\`e:\${id}\`, 'm');
  await redis.expire(\`f:\${id}\`, 10);
  await redis.incr(\`g:\${id}\`);
  await redis.getBuffer(\`h:\${id}\`);
}`),
    ).toEqual([
      'ioredis read get a:${id}',
      'ioredis write setex b:${id}',
      'ioredis read hget c:${id}:field',
      'ioredis write hset d:${id}',
      'ioredis write sadd e:${id}',
      'ioredis write expire f:${id}',
      'ioredis write incr g:${id}',
      'ioredis read getBuffer h:${id}',
    ]);
  });

  it('multi-key commands: mget, del, mset pairs and objects, rename ok', () => {
    expect(
      facts(`${client}export async function f(a: string, b: string) {
  await redis.mget(\`x:\${a}\`, \`x:\${b}\`);
  await redis.mget([\`y:\${a}\`, \`y:\${b}\`]);
  await redis.del(\`z:\${a}\`, \`z:\${b}\`);
  await redis.mset(\`p:\${a}\`, '1', \`p:\${b}\`, '2');
  await redis.mset({ [\`q:\${a}\`]: '1', static: '2' });
  await redis.rename(\`r:\${a}\`, \`r:\${b}\`);
}`),
    ).toEqual([
      'ioredis read mget x:${a} | x:${b}',
      'ioredis read mget y:${a} | y:${b}',
      'ioredis invalidate del z:${a} | z:${b}',
      'ioredis write mset p:${a} | p:${b}',
      'ioredis write mset q:${a} | static',
      'ioredis write rename r:${a} | r:${b}',
    ]);
  });

  it('eval and evalsha key arguments, and the generic call() ok', () => {
    expect(
      facts(`${client}export async function f(id: string, n: number) {
  await redis.eval('return 1', 2, \`k1:\${id}\`, \`k2:\${id}\`, 'arg');
  await redis.evalsha('abc', 1, \`k3:\${id}\`);
  await redis.eval('return 1', n, \`k4:\${id}\`);
  await redis.call('JSON.GET', \`k5:\${id}\`, '$');
}`),
    ).toEqual([
      'ioredis read eval k1:${id} | k2:${id}',
      'ioredis read evalsha k3:${id}',
      'ioredis read eval unknown(the number of keys passed to `eval` is not a literal)',
      'ioredis read call k5:${id}',
    ]);
  });

  it('pipeline and multi chains, duplicate() ok', () => {
    expect(
      facts(`${client}export async function f(id: string) {
  await redis.pipeline().set(\`a:\${id}\`, '1').get(\`b:\${id}\`).exec();
  const tx = redis.multi();
  tx.del(\`c:\${id}\`);
  await redis.duplicate().get(\`d:\${id}\`);
}`),
    ).toEqual(['ioredis write set a:${id}', 'ioredis read get b:${id}', 'ioredis invalidate del c:${id}', 'ioredis read get d:${id}']);
  });

  it('keyPrefix is recorded as the namespace ok', () => {
    const [access] = accessesIn(`import Redis from 'ioredis';\nexport const f = (orgId: string, id: string) => new Redis({ keyPrefix: \`org:\${orgId}:\` }).get(id);`);
    expect(access?.client?.namespace?.option).toBe('keyPrefix');
  });

  it('a client imported from a project module, a Cluster and a typed parameter ok', () => {
    expect(
      facts(`import Redis, { Cluster } from 'ioredis';\nimport { redis } from './lib/redis';\nconst cluster = new Cluster([]);\nexport async function f(client: Redis, id: string) {
  await redis.get(\`a:\${id}\`);
  await cluster.get(\`b:\${id}\`);
  await client.get(\`c:\${id}\`);
}`),
    ).toEqual(['ioredis read get a:${id}', 'ioredis read get b:${id}', 'ioredis read get c:${id}']);
  });
});

describe('node-redis', () => {
  it('createClient, connect(), camelCase commands, json, multi and sendCommand ok', () => {
    expect(
      facts(`import { createClient } from 'redis';
const client = await createClient({ url: 'redis://localhost' }).on('error', console.error).connect();
export async function f(id: string) {
  await client.hGetAll(\`a:\${id}\`);
  await client.setEx(\`b:\${id}\`, 60, 'v');
  await client.mGet([\`c:\${id}\`]);
  await client.json.get(\`d:\${id}\`);
  await client.multi().sAdd(\`e:\${id}\`, 'm').exec();
  await client.sendCommand(['GET', \`f:\${id}\`]);
  await client.eval('return 1', { keys: [\`g:\${id}\`], arguments: [] });
}`),
    ).toEqual([
      'node-redis read hGetAll a:${id}',
      'node-redis write setEx b:${id}',
      'node-redis read mGet c:${id}',
      'node-redis read get d:${id}',
      'node-redis write sAdd e:${id}',
      'node-redis read sendCommand f:${id}',
      'node-redis read eval g:${id}',
    ]);
  });
});

describe('@upstash/redis and @vercel/kv', () => {
  it('new Redis(), Redis.fromEnv(), kv, json, pipeline and eval ok', () => {
    expect(
      facts(`import { Redis } from '@upstash/redis';
import { kv } from '@vercel/kv';
const a = new Redis({ url: 'https://x', token: 't' });
const b = Redis.fromEnv();
export async function f(id: string) {
  await a.get(\`a:\${id}\`);
  await b.json.set(\`b:\${id}\`, '$', {});
  await kv.hgetall(\`c:\${id}\`);
  await b.pipeline().incr(\`d:\${id}\`).exec();
  await a.eval('return 1', [\`e:\${id}\`], []);
}`),
    ).toEqual([
      '@upstash/redis read get a:${id}',
      '@upstash/redis write set b:${id}',
      '@upstash/redis read hgetall c:${id}',
      '@upstash/redis write incr d:${id}',
      '@upstash/redis read eval e:${id}',
    ]);
  });
});

describe('lru-cache', () => {
  it('named and default imports, class fields and typed parameters ok', () => {
    expect(
      facts(`import { LRUCache } from 'lru-cache';
import LRU from 'lru-cache';
const old = new LRU({ max: 10 });
export class Repo {
  private readonly cache = new LRUCache<string, string>({ max: 10 });
  constructor(private readonly shared: LRUCache<string, string>) {}
  f(id: string) {
    this.cache.get(\`a:\${id}\`);
    this.cache.set(\`b:\${id}\`, 'v');
    this.shared.peek(\`c:\${id}\`);
    this.shared.delete(\`d:\${id}\`);
    old.has(\`e:\${id}\`);
  }
}`),
    ).toEqual(['lru-cache read get a:${id}', 'lru-cache write set b:${id}', 'lru-cache read peek c:${id}', 'lru-cache invalidate delete d:${id}', 'lru-cache read has e:${id}']);
  });
});

describe('node-cache', () => {
  it('get, mget of an array, mset entries, del of a list ok', () => {
    expect(
      facts(`import NodeCache from 'node-cache';
const cache = new NodeCache({ stdTTL: 60 });
export function f(a: string, b: string) {
  cache.get(\`a:\${a}\`);
  cache.mget([\`b:\${a}\`, \`b:\${b}\`]);
  cache.mset([{ key: \`c:\${a}\`, val: 1 }, { key: 'd', val: 2 }]);
  cache.del([\`e:\${a}\`]);
  cache.take(\`f:\${a}\`);
}`),
    ).toEqual(['node-cache read get a:${a}', 'node-cache read mget b:${a} | b:${b}', 'node-cache write mset c:${a} | d', 'node-cache invalidate del e:${a}', 'node-cache read take f:${a}']);
  });
});

describe('cache-manager and NestJS', () => {
  it('createCache, caching(), wrap with its loader as the value ok', () => {
    const accesses = accessesIn(`import { caching, createCache } from 'cache-manager';
const cache = createCache();
const memory = await caching('memory', { max: 100 });
export async function f(id: string) {
  await cache.get(\`a:\${id}\`);
  await memory.set(\`b:\${id}\`, 1);
  await cache.mget(\`c:\${id}\`, \`d:\${id}\`);
  return cache.wrap(\`e:\${id}\`, async () => 1);
}`);
    expect(accesses.map(describeAccess)).toEqual([
      'cache-manager read get a:${id}',
      'cache-manager write set b:${id}',
      'cache-manager read mget c:${id} | d:${id}',
      'cache-manager read wrap e:${id}',
    ]);
    expect(accesses[3]?.values).toHaveLength(1);
  });

  it('@Inject(CACHE_MANAGER) on a constructor parameter and on a field ok', () => {
    expect(
      facts(`import { Inject } from '@nestjs/common';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
export class A {
  @Inject(CACHE_MANAGER) private readonly field!: { get(key: string): Promise<unknown> };
  constructor(@Inject(CACHE_MANAGER) private readonly cache: unknown) {}
  f(id: string) {
    this.cache.get(\`a:\${id}\`);
    this.field.get(\`b:\${id}\`);
  }
}`),
    ).toEqual(['cache-manager read get a:${id}', 'cache-manager read get b:${id}']);
  });

  it('@CacheKey caches the decorated handler under its key ok', () => {
    const [access] = accessesIn(`import { CacheKey } from '@nestjs/cache-manager';
export class C {
  @CacheKey('stats')
  stats() { return 1; }
}`);
    expect(access ? describeAccess(access) : undefined).toBe('NestJS read @CacheKey stats');
    expect(access?.values[0]?.node.type).toBe('FunctionExpression');
  });
});

describe('Keyv', () => {
  it('get of one key or a list, setMany entries, delete, namespace ok', () => {
    const accesses = accessesIn(`import Keyv from 'keyv';
const kv = new Keyv({ namespace: 'billing' });
export async function f(a: string, b: string) {
  await kv.get(\`a:\${a}\`);
  await kv.get([\`b:\${a}\`, \`b:\${b}\`]);
  await kv.setMany([{ key: \`c:\${a}\`, value: 1 }]);
  await kv.delete(\`d:\${a}\`);
}`);
    expect(accesses.map(describeAccess)).toEqual(['keyv read get a:${a}', 'keyv read get b:${a} | b:${b}', 'keyv write setMany c:${a}', 'keyv invalidate delete d:${a}']);
    expect(accesses[0]?.client?.namespace?.option).toBe('namespace');
  });
});

describe('memcached and memjs', () => {
  it('memcached get, getMulti, set and del; memjs Client.create() ok', () => {
    expect(
      facts(`import Memcached from 'memcached';
import memjs from 'memjs';
const mc = new Memcached('localhost:11211');
const client = memjs.Client.create();
export function f(id: string, done: () => void) {
  mc.get(\`a:\${id}\`, done);
  mc.getMulti([\`b:\${id}\`], done);
  mc.set(\`c:\${id}\`, 'v', 60, done);
  mc.del(\`d:\${id}\`, done);
  client.get(\`e:\${id}\`);
  client.delete(\`f:\${id}\`);
}`),
    ).toEqual([
      'memcached read get a:${id}',
      'memcached read getMulti b:${id}',
      'memcached write set c:${id}',
      'memcached invalidate del d:${id}',
      'memjs read get e:${id}',
      'memjs invalidate delete f:${id}',
    ]);
  });
});

describe('Next.js', () => {
  it('unstable_cache keys by key parts and the arguments of the cached function ok', () => {
    const accesses = accessesIn(`import { unstable_cache } from 'next/cache';
export const a = unstable_cache(async (teamId: string, page: number) => [teamId, page], ['documents']);
export const b = unstable_cache(async () => 1);`);
    expect(accesses.map(describeAccess)).toEqual(['next read unstable_cache documents:${teamId}:${page}', 'next read unstable_cache ']);
    expect(accesses[1]?.keyLabel).toBe("the function's source and arguments");
  });

  it('revalidateTag and updateTag, also through a namespace import ok', () => {
    expect(
      facts(`import * as cache from 'next/cache';
import { revalidateTag, updateTag } from 'next/cache';
export function f(id: string) {
  revalidateTag(\`a:\${id}\`);
  updateTag(\`b:\${id}\`);
  cache.revalidateTag('c');
}`),
    ).toEqual(['next invalidate revalidateTag a:${id}', 'next invalidate updateTag b:${id}', 'next invalidate revalidateTag c']);
  });
});

describe('module-level Map caches', () => {
  const code = `const invoices = new Map<string, object>();\nexport const get = (id: string) => invoices.get(\`invoice:\${id}\`);`;

  it('are not caches unless configured ok', () => {
    expect(facts(code)).toEqual([]);
  });

  it('are caches with checkMapCaches ok', () => {
    const config = { ...PROJECT.config, checkMapCaches: true };
    expect(accessesIn(code, config).map(describeAccess)).toEqual(['Map read get invoice:${id}']);
  });

  it('a Map inside a function or a Map imported from a library is never one ok', () => {
    const config = { ...PROJECT.config, checkMapCaches: true };
    expect(accessesIn(`export function f(id: string) { const m = new Map(); return m.get(id); }`, config)).toEqual([]);
    expect(accessesIn(`import { Map } from 'immutable';\nconst m = new Map();\nexport const f = (id: string) => m.get(id);`, config)).toEqual([]);
  });
});

describe('names alone recognise nothing', () => {
  it('a local object named redis, headers.get, a project class named Redis ok', () => {
    expect(
      facts(`class Redis { get(key: string) { return key; } }
const cache = new Redis();
export function f(headers: Headers, id: string) {
  const redis = { get: (key: string) => key };
  redis.get(\`invoice:\${id}\`);
  headers.get('x-id');
  return cache.get(\`invoice:\${id}\`);
}`),
    ).toEqual([]);
  });
});
