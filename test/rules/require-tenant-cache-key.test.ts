import { join } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/require-tenant-cache-key.js';

// Cases are linted as a file of test/cache/project, whose schema.prisma has the tenant root
// Organization with key orgId: Invoice and Project are tenant models, InvoiceLine a child of
// Invoice, ApiKey and CustomDomain tenant models, User spans organizations (global), Plan,
// FeatureFlag and ProjectTemplate are global by configuration.
// Its src/lib holds the shared ioredis client (keyPrefix 'billing:'), key helpers and a
// tenant-namespaced client factory.
const filename = join(import.meta.dirname, '..', 'cache', 'project', 'src', 'service.ts');
const ruleTester = new RuleTester({ defaultFilenames: { ts: filename, tsx: filename } });

const ioredis = `import Redis from 'ioredis';\nconst redis = new Redis();\n`;
const shared = `import { redis } from './lib/redis';\n`;
const db = `import { db } from './lib/db';\n`;

ruleTester.run('require-tenant-cache-key', rule, {
  valid: [
    // tenant id in a template literal (ioredis)
    `${ioredis}export const get = (orgId: string, id: string) => redis.get(\`org:\${orgId}:invoice:\${id}\`);`,
    // tenant id read from the verified request (node-redis)
    `import { createClient } from 'redis';
const client = createClient();
export const get = (req: { user: { orgId: string } }, id: string) => client.hGetAll(\`\${req.user.orgId}:invoice:\${id}\`);`,
    // id of the tenant object (@upstash/redis)
    `import { Redis } from '@upstash/redis';
const redis = Redis.fromEnv();
export const get = (org: { id: string }, id: string) => redis.get(\`\${org.id}:invoice:\${id}\`);`,
    // tenant getter call
    `${shared}import { getTenantId } from './context';
export const get = (id: string) => redis.get(\`\${getTenantId()}:invoice:\${id}\`);`,
    // a value that follows a tenant word
    `${shared}export const get = (o: string, id: string) => redis.get(\`org:\${o}:invoice:\${id}\`);`,
    // concatenation with the tenant id
    `${shared}export const get = (orgId: string, id: string) => redis.get('org:' + orgId + ':invoice:' + id);`,
    // array joined with the tenant id
    `${shared}export const get = (orgId: string, id: string) => redis.get([orgId, 'invoice', id].join(':'));`,
    // key helper imported from another file, with the tenant
    `${shared}import { tenantKey } from './lib/cache-keys';
export const get = (orgId: string, id: string) => redis.get(tenantKey(orgId, 'invoice', id));`,
    // key helper in the same file, with the tenant
    `${shared}const invoiceKey = (orgId: string, id: string) => \`\${orgId}:invoice:\${id}\`;
export const get = (orgId: string, id: string) => redis.get(invoiceKey(orgId, id));`,
    // key built in a const
    `${shared}export async function get(orgId: string, id: string) {
  const key = \`\${orgId}:invoice:\${id}\`;
  return redis.get(key);
}`,
    // hash of a tenant-qualified input
    `${shared}import { createHash } from 'node:crypto';
export const search = (orgId: string, q: string) => redis.get(\`invoices:\${createHash('sha1').update(\`\${orgId}:\${q}\`).digest('hex')}\`);`,
    // constant keys
    `${shared}export const plans = () => redis.get('plans:all');
export const flags = () => redis.smembers('feature-flags');`,
    // constant key from an enum and a key map
    `${shared}import { KEYS } from './lib/cache-keys';
enum CacheKey { Currencies = 'currencies' }
export const a = () => redis.get(KEYS.plans);
export const b = () => redis.get(CacheKey.Currencies);`,
    // global model in the key
    `${shared}export const plan = (code: string) => redis.get(\`plan:\${code}\`);`,
    // users span organizations (global through Membership)
    `${shared}export const profile = (userId: string) => redis.get(\`user:\${userId}:profile\`);`,
    // tenant-namespaced client: keyPrefix with the tenant
    `import Redis from 'ioredis';
export function invoiceCache(orgId: string, id: string) {
  const cache = new Redis({ keyPrefix: \`org:\${orgId}:\` });
  return cache.get(\`invoice:\${id}\`);
}`,
    // tenant-namespaced client returned by a project factory
    `import { cacheFor } from './lib/tenant-cache';
export const get = (orgId: string, id: string) => cacheFor(orgId).get(\`invoice:\${id}\`);`,
    // tenant-namespaced Keyv
    `import Keyv from 'keyv';
export const get = (orgId: string, id: string) => new Keyv({ namespace: \`org:\${orgId}\` }).get(\`invoice:\${id}\`);`,
    // id taken from a row a tenant-scoped query returned
    `${shared}${db}export async function stats(orgId: string, id: string) {
  const project = await db.project.findFirst({ where: { id, orgId } });
  if (!project) return null;
  return redis.get(\`project:\${project.id}:stats\`);
}`,
    // key that names no model and caches no tenant data
    `${shared}export const hits = (ip: string) => redis.incr(\`ratelimit:\${ip}\`);`,
    // a session entry stores the tenant id, it is not tenant data
    `${shared}export const save = (sid: string, userId: string, orgId: string) => redis.set(\`session:\${sid}\`, JSON.stringify({ userId, orgId }));`,
    // cache-aside get and set, both with the tenant
    `${shared}${db}export async function getInvoice(orgId: string, id: string) {
  const key = \`\${orgId}:invoice:\${id}\`;
  const hit = await redis.get(key);
  if (hit) return JSON.parse(hit);
  const invoice = await db.invoice.findFirst({ where: { id, orgId } });
  await redis.set(key, JSON.stringify(invoice), 'EX', 60);
  return invoice;
}`,
    // pipeline, eval and generic commands with the tenant
    `${shared}export async function touch(orgId: string, id: string) {
  await redis.multi().set(\`\${orgId}:invoice:\${id}\`, '1').expire(\`\${orgId}:invoice:\${id}\`, 60).exec();
  await redis.eval('return redis.call("GET", KEYS[1])', 1, \`\${orgId}:invoice:\${id}\`);
  return redis.call('JSON.GET', \`\${orgId}:invoice:\${id}\`);
}`,
    // lru-cache keyed by tenant and id in a repository
    `import { LRUCache } from 'lru-cache';
${db}export class InvoiceRepository {
  private readonly cache = new LRUCache<string, object>({ max: 500 });
  async findById(orgId: string, id: string) {
    const hit = this.cache.get(\`\${orgId}:\${id}\`);
    if (hit) return hit;
    const invoice = await db.invoice.findFirst({ where: { id, orgId } });
    if (invoice) this.cache.set(\`\${orgId}:\${id}\`, invoice);
    return invoice;
  }
}`,
    // node-cache with the tenant
    `import NodeCache from 'node-cache';
const cache = new NodeCache();
export const get = (orgId: string, ids: string[]) => cache.mget(ids.map((id) => \`\${orgId}:invoice:\${id}\`));`,
    // cache-manager wrap with the tenant in the key
    `import { createCache } from 'cache-manager';
${db}const cache = createCache();
export const count = (orgId: string) => cache.wrap(\`\${orgId}:invoices:count\`, () => db.invoice.count({ where: { orgId } }));`,
    // NestJS CACHE_MANAGER with the tenant in the key
    `import { Inject, Injectable } from '@nestjs/common';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import type { Cache } from 'cache-manager';
@Injectable()
export class InvoicesService {
  constructor(@Inject(CACHE_MANAGER) private readonly cacheManager: Cache) {}
  get(orgId: string, id: string) { return this.cacheManager.get(\`\${orgId}:invoice:\${id}\`); }
}`,
    // NestJS @CacheKey on data shared by every organization
    `import { Controller, Get } from '@nestjs/common';
import { CacheKey } from '@nestjs/cache-manager';
${db}@Controller('plans')
export class PlansController {
  @Get()
  @CacheKey('plans')
  list() { return db.plan.findMany(); }
}`,
    // memcached and memjs with the tenant
    `import Memcached from 'memcached';
import memjs from 'memjs';
const mc = new Memcached('localhost:11211');
const client = memjs.Client.create();
export function get(orgId: string, id: string, done: () => void) {
  mc.get(\`\${orgId}:invoice:\${id}\`, done);
  return client.get(\`\${orgId}:invoice:\${id}\`);
}`,
    // unstable_cache: the tenant is an argument of the cached function
    `import { unstable_cache } from 'next/cache';
${db}export const getInvoices = unstable_cache(async (orgId: string) => db.invoice.findMany({ where: { orgId } }), ['invoices'], { tags: ['invoices'] });`,
    // unstable_cache: the tenant is in the key parts
    `import { unstable_cache } from 'next/cache';
${db}export async function page(orgId: string) {
  return unstable_cache(async () => db.invoice.findMany({ where: { orgId } }), ['invoices', orgId])();
}`,
    // revalidateTag of a constant tag
    `import { revalidateTag } from 'next/cache';
export async function refresh() {
  revalidateTag('invoices');
}`,
    // a local Map named like a client is not a cache client
    `export function lookup(id: string) {
  const redis = new Map<string, string>();
  return redis.get(\`invoice:\${id}\`);
}`,
    // module-level Map caches are not checked unless configured
    `const invoices = new Map<string, object>();
export const cached = (id: string) => invoices.get(\`invoice:\${id}\`);`,
    // typed parameter, tenant in the key
    `import type { Redis } from 'ioredis';
export const get = (redis: Redis, orgId: string, id: string) => redis.get(\`\${orgId}:invoice:\${id}\`);`,
    // --- keys that name no shared tenant data (issue 13, class 1) ---
    // a key minted from a random token: no other tenant can name the entry
    `import { randomUUID } from 'node:crypto';
${shared}${db}export async function share(orgId: string, id: string) {
  const invoice = await db.invoice.findFirst({ where: { id, orgId } });
  const token = randomUUID();
  await redis.set(\`invoice-share:\${token}\`, JSON.stringify(invoice), 'EX', 3600);
  return token;
}`,
    // a random token from nanoid, and reading the entry back by the token it was minted with
    `import { nanoid } from 'nanoid';
${shared}${db}export async function share(orgId: string, id: string) {
  const invoice = await db.invoice.findFirst({ where: { id, orgId } });
  const token = nanoid(32);
  await redis.set(\`invoice-share:\${token}\`, JSON.stringify(invoice));
  return token;
}
export const open = (token: string) => redis.get(\`invoice-share:\${token}\`);`,
    // a credential the client presents (the bearer token), hashed: it names one API key
    `import { createHash } from 'node:crypto';
${shared}${db}export async function authenticate(req: Request) {
  const presented = req.headers.get('authorization') ?? '';
  const hash = createHash('sha256').update(presented).digest('hex');
  const hit = await redis.get(\`apikey:\${hash}\`);
  if (hit) return JSON.parse(hit);
  const key = await db.apiKey.findUnique({ where: { keyHash: hash } });
  await redis.set(\`apikey:\${hash}\`, JSON.stringify(key), 'EX', 60);
  return key;
}`,
    // the session cookie the server issued
    `import type { Request } from 'express';
${shared}export const session = (req: Request) => redis.get(\`project-session:\${req.cookies.sid}\`);`,
    // a hostname identifies the one organization it serves (express req.hostname)
    `import type { Request } from 'express';
${shared}${db}export async function orgForHost(req: Request) {
  const hit = await redis.get(\`custom-domain:\${req.hostname}\`);
  if (hit) return JSON.parse(hit);
  const domain = await db.customDomain.findUnique({ where: { hostname: req.hostname } });
  await redis.set(\`custom-domain:\${req.hostname}\`, JSON.stringify(domain));
  return domain;
}`,
    // the Host header (Next.js headers())
    `import { headers } from 'next/headers';
${shared}export async function orgForHost() {
  const host = (await headers()).get('host');
  return redis.get(\`custom-domain:\${host}\`);
}`,
    // the verified user's own id: only that user can ask for the entry
    `${shared}${db}export async function myProjects(ctx: { session: { user: { id: string } } }) {
  const userId = ctx.session.user.id;
  const projects = await db.project.findMany({ where: { org: { memberships: { some: { userId } } } } });
  await redis.set(\`projects-of:\${userId}\`, JSON.stringify(projects));
}`,
    // a lock on a model's id holds no data: the key names Invoice, the entry is '1'
    `${shared}export const lock = (id: string) => redis.set(\`invoice:\${id}:render-lock\`, '1', 'EX', 30, 'NX');`,
    // a compound word that is a global model (ProjectTemplate), not the tenant model it contains
    `${shared}export const templates = (category: string) => redis.get(\`project-templates:\${category}\`);`,
    // --- issue 12 parity ---
    // a hash field keyed under the tenant
    `${shared}export const total = (orgId: string, id: string) => redis.hget(\`org:\${orgId}:invoice-totals\`, id);`,
    // a hash of users (global) by user id
    `${shared}export const profile = (userId: string) => redis.hget('user-profiles', userId);`,
    // lru-cache of a global model keyed by a bare id
    `import { LRUCache } from 'lru-cache';
import type { Plan } from '@prisma/client';
const plans = new LRUCache<string, Plan>({ max: 100 });
export const plan = (id: string) => plans.get(id);`,
    // lru-cache of a tenant model keyed by tenant and id
    `import { LRUCache } from 'lru-cache';
import type { Invoice } from '@prisma/client';
const invoices = new LRUCache<string, Invoice>({ max: 100 });
export const invoice = (orgId: string, id: string) => invoices.get(\`\${orgId}:\${id}\`);`,
  ],
  invalid: [
    {
      // a key that names a tenant model by id; no tenant variable in scope, so no suggestion
      code: `${ioredis}export const get = (id: string) => redis.get(\`invoice:\${id}\`);`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 3, column: 36, endColumn: 45 },
      ],
    },
    {
      // the tenant is in scope but not in the key: suggestion prepends it
      code: `${shared}export const get = (orgId: string, id: string) => redis.get(\`invoice:\${id}\`);`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 2, column: 51, endColumn: 60, suggestions: [{ messageId: 'suggestion', output: `${shared}export const get = (orgId: string, id: string) => redis.get(\`\${orgId}:invoice:\${id}\`);` }] },
      ],
    },
    {
      // string literal concatenation
      code: `${shared}export const get = (orgId: string, id: string) => redis.get('invoice:' + id);`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 2, column: 51, endColumn: 60, suggestions: [{ messageId: 'suggestion', output: `${shared}export const get = (orgId: string, id: string) => redis.get(\`\${orgId}:\${'invoice:' + id}\`);` }] },
      ],
    },
    {
      // array joined
      code: `${shared}export const get = (orgId: string, id: string) => redis.get(['invoice', id].join(':'));`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 2, column: 51, endColumn: 60, suggestions: [{ messageId: 'suggestion', output: `${shared}export const get = (orgId: string, id: string) => redis.get(\`\${orgId}:\${['invoice', id].join(':')}\`);` }] },
      ],
    },
    {
      // key helper imported from another file
      code: `${shared}import { cacheKey } from './lib/cache-keys';
export const get = (orgId: string, id: string) => redis.get(cacheKey('invoice', id));`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 3, column: 51, endColumn: 60, suggestions: [{ messageId: 'suggestion', output: `${shared}import { cacheKey } from './lib/cache-keys';
export const get = (orgId: string, id: string) => redis.get(\`\${orgId}:\${cacheKey('invoice', id)}\`);` }] },
      ],
    },
    {
      // key helper in the same file
      code: `${shared}function invoiceKey(id: string) {
  return \`invoice:\${id}\`;
}
export const get = (orgId: string, id: string) => redis.get(invoiceKey(id));`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 5, column: 51, endColumn: 60, suggestions: [{ messageId: 'suggestion', output: `${shared}function invoiceKey(id: string) {
  return \`invoice:\${id}\`;
}
export const get = (orgId: string, id: string) => redis.get(\`\${orgId}:\${invoiceKey(id)}\`);` }] },
      ],
    },
    {
      // key builder method on the class (this.keyFor)
      code: `import type { Redis } from 'ioredis';
export class InvoiceCache {
  constructor(private readonly redis: Redis) {}
  private keyFor(id: string) {
    return \`invoice:\${id}\`;
  }
  get(id: string) {
    return this.redis.get(this.keyFor(id));
  }
}`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 8, column: 12, endColumn: 26 },
      ],
    },
    {
      // key map function (KEYS.invoice(id))
      code: `${shared}import { KEYS } from './lib/cache-keys';
export const get = (id: string) => redis.get(KEYS.invoice(id));`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 3, column: 36, endColumn: 45 },
      ],
    },
    {
      // a child model (InvoiceLine) in the key
      code: `${shared}export const lines = (invoiceId: string) => redis.lrange(\`invoice-lines:\${invoiceId}\`, 0, -1);`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 2, column: 45, endColumn: 57 },
      ],
    },
    {
      // ioredis hash, delete and expire commands
      code: `${shared}export async function touch(id: string) {
  await redis.hset(\`project:\${id}\`, 'name', 'x');
  await redis.expire(\`project:\${id}\`, 60);
  await redis.del(\`project:\${id}\`);
}`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 3, column: 9, endColumn: 19 },
        { messageId: 'cacheKeyWithoutTenant', line: 4, column: 9, endColumn: 21 },
        { messageId: 'cacheKeyWithoutTenant', line: 5, column: 9, endColumn: 18 },
      ],
    },
    {
      // mget: the second key lacks the tenant
      code: `${shared}export const both = (orgId: string, id: string) => redis.mget(\`\${orgId}:invoice:\${id}\`, \`invoice:\${id}\`);`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 2, column: 52, endColumn: 62, suggestions: [{ messageId: 'suggestion', output: `${shared}export const both = (orgId: string, id: string) => redis.mget(\`\${orgId}:invoice:\${id}\`, \`\${orgId}:invoice:\${id}\`);` }] },
      ],
    },
    {
      // eval key arguments
      code: `${shared}export const bump = (id: string) => redis.eval('return redis.call("INCR", KEYS[1])', 1, \`invoice:\${id}:views\`);`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 2, column: 37, endColumn: 47 },
      ],
    },
    {
      // a command in a multi() chain
      code: `${shared}export const save = (id: string, body: string) => redis.multi().set(\`invoice:\${id}\`, body).exec();`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 2, column: 65, endColumn: 68 },
      ],
    },
    {
      // generic call('GET', key)
      code: `${shared}export const raw = (id: string) => redis.call('GET', \`invoice:\${id}\`);`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 2, column: 36, endColumn: 46 },
      ],
    },
    {
      // node-redis camelCase command after connect()
      code: `import { createClient } from 'redis';
const client = await createClient({ url: process.env.REDIS_URL }).connect();
export const get = (id: string) => client.hGetAll(\`invoice:\${id}\`);`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 3, column: 36, endColumn: 50 },
      ],
    },
    {
      // node-redis JSON command
      code: `import { createClient } from 'redis';
const client = createClient();
export const get = (id: string) => client.json.get(\`project:\${id}\`);`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 3, column: 36, endColumn: 51 },
      ],
    },
    {
      // @upstash/redis Redis.fromEnv()
      code: `import { Redis } from '@upstash/redis';
const redis = Redis.fromEnv();
export const get = (id: string) => redis.get(\`invoice:\${id}\`);`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 3, column: 36, endColumn: 45 },
      ],
    },
    {
      // @vercel/kv kv instance
      code: `import { kv } from '@vercel/kv';
export const get = (id: string) => kv.get(\`invoice:\${id}\`);`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 2, column: 36, endColumn: 42 },
      ],
    },
    {
      // cache-aside in one function: one finding, on the get
      code: `${shared}${db}export async function getInvoice(orgId: string, id: string) {
  const hit = await redis.get(\`inv:\${id}\`);
  if (hit) return JSON.parse(hit);
  const invoice = await db.invoice.findFirst({ where: { id, orgId } });
  await redis.set(\`inv:\${id}\`, JSON.stringify(invoice), 'EX', 60);
  return invoice;
}`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 4, column: 21, endColumn: 30, suggestions: [{ messageId: 'suggestion', output: `${shared}${db}export async function getInvoice(orgId: string, id: string) {
  const hit = await redis.get(\`\${orgId}:inv:\${id}\`);
  if (hit) return JSON.parse(hit);
  const invoice = await db.invoice.findFirst({ where: { id, orgId } });
  await redis.set(\`inv:\${id}\`, JSON.stringify(invoice), 'EX', 60);
  return invoice;
}` }] },
      ],
    },
    {
      // get and set keys disagree on the tenant: one finding, on the get
      code: `${shared}${db}export async function getInvoice(orgId: string, id: string) {
  const hit = await redis.get(\`invoice:\${id}\`);
  if (hit) return JSON.parse(hit);
  const invoice = await db.invoice.findFirst({ where: { id, orgId } });
  await redis.set(\`\${orgId}:invoice:\${id}\`, JSON.stringify(invoice));
  return invoice;
}`,
      errors: [
        { messageId: 'cacheKeyMismatch', line: 4, column: 21, endColumn: 30, suggestions: [{ messageId: 'suggestion', output: `${shared}${db}export async function getInvoice(orgId: string, id: string) {
  const hit = await redis.get(\`\${orgId}:invoice:\${id}\`);
  if (hit) return JSON.parse(hit);
  const invoice = await db.invoice.findFirst({ where: { id, orgId } });
  await redis.set(\`\${orgId}:invoice:\${id}\`, JSON.stringify(invoice));
  return invoice;
}` }] },
      ],
    },
    {
      // a constant key holding the result of a tenant-scoped query
      code: `${shared}${db}export async function warm(orgId: string) {
  const open = await db.invoice.findMany({ where: { orgId, number: { gt: 0 } } });
  await redis.set('dashboard', JSON.stringify(open));
}`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 5, column: 9, endColumn: 18, suggestions: [{ messageId: 'suggestion', output: `${shared}${db}export async function warm(orgId: string) {
  const open = await db.invoice.findMany({ where: { orgId, number: { gt: 0 } } });
  await redis.set(\`\${orgId}:dashboard\`, JSON.stringify(open));
}` }] },
      ],
    },
    {
      // a value computed by a call that takes the tenant
      code: `${shared}import { buildReport } from './reports';
export async function warm(orgId: string, month: string) {
  await redis.set(\`report:\${month}\`, JSON.stringify(await buildReport(orgId, month)));
}`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 4, column: 9, endColumn: 18, suggestions: [{ messageId: 'suggestion', output: `${shared}import { buildReport } from './reports';
export async function warm(orgId: string, month: string) {
  await redis.set(\`\${orgId}:report:\${month}\`, JSON.stringify(await buildReport(orgId, month)));
}` }] },
      ],
    },
    {
      // lru-cache in a repository, keyed by id alone
      code: `import { LRUCache } from 'lru-cache';
${db}export class InvoiceRepository {
  private readonly cache = new LRUCache<string, object>({ max: 500 });
  async findById(orgId: string, id: string) {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const invoice = await db.invoice.findFirst({ where: { id, orgId } });
    if (invoice) this.cache.set(id, invoice);
    return invoice;
  }
}`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 6, column: 17, endColumn: 31, suggestions: [{ messageId: 'suggestion', output: `import { LRUCache } from 'lru-cache';
${db}export class InvoiceRepository {
  private readonly cache = new LRUCache<string, object>({ max: 500 });
  async findById(orgId: string, id: string) {
    const hit = this.cache.get(\`\${orgId}:\${id}\`);
    if (hit) return hit;
    const invoice = await db.invoice.findFirst({ where: { id, orgId } });
    if (invoice) this.cache.set(id, invoice);
    return invoice;
  }
}` }] },
      ],
    },
    {
      // node-cache mget of mapped keys
      code: `import NodeCache from 'node-cache';
const cache = new NodeCache();
export const get = (ids: string[]) => cache.mget(ids.map((id) => \`invoice:\${id}\`));`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 3, column: 39, endColumn: 49 },
      ],
    },
    {
      // cache-manager wrap: a constant key around a tenant-scoped loader
      code: `import { createCache } from 'cache-manager';
${db}const cache = createCache();
export const count = (orgId: string) => cache.wrap('invoices:count', () => db.invoice.count({ where: { orgId } }));`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 4, column: 41, endColumn: 51, suggestions: [{ messageId: 'suggestion', output: `import { createCache } from 'cache-manager';
${db}const cache = createCache();
export const count = (orgId: string) => cache.wrap(\`\${orgId}:invoices:count\`, () => db.invoice.count({ where: { orgId } }));` }] },
      ],
    },
    {
      // NestJS CACHE_MANAGER
      code: `import { Inject, Injectable } from '@nestjs/common';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import type { Cache } from 'cache-manager';
@Injectable()
export class InvoicesService {
  constructor(@Inject(CACHE_MANAGER) private readonly cacheManager: Cache) {}
  get(id: string) {
    return this.cacheManager.get(\`invoice:\${id}\`);
  }
}`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 8, column: 12, endColumn: 33 },
      ],
    },
    {
      // NestJS @CacheKey on a handler whose response depends on the tenant
      code: `import { Controller, Get, Req } from '@nestjs/common';
import { CacheKey } from '@nestjs/cache-manager';
@Controller('invoices')
export class InvoicesController {
  constructor(private readonly invoices: { list(orgId: string): Promise<object[]> }) {}
  @Get()
  @CacheKey('invoices')
  list(@Req() req: { user: { orgId: string } }) {
    return this.invoices.list(req.user.orgId);
  }
}`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 7, column: 4, endColumn: 12 },
      ],
    },
    {
      // Keyv with a namespace that is the same for every organization
      code: `import Keyv from 'keyv';
const kv = new Keyv({ namespace: 'billing' });
export const get = (id: string) => kv.get(\`invoice:\${id}\`);`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 3, column: 36, endColumn: 42 },
      ],
    },
    {
      // memcached
      code: `import Memcached from 'memcached';
const mc = new Memcached('localhost:11211');
export function get(id: string, done: () => void) {
  mc.get(\`invoice:\${id}\`, done);
}`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 4, column: 3, endColumn: 9 },
      ],
    },
    {
      // memjs
      code: `import memjs from 'memjs';
const client = memjs.Client.create();
export const get = (id: string) => client.get(\`invoice:\${id}\`);`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 3, column: 36, endColumn: 46 },
      ],
    },
    {
      // unstable_cache: the tenant is read from the closure, not the key parts
      code: `import { unstable_cache } from 'next/cache';
${db}export async function page(orgId: string) {
  const getInvoices = unstable_cache(async () => db.invoice.findMany({ where: { orgId } }), ['invoices']);
  return getInvoices();
}`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 4, column: 23, endColumn: 37, suggestions: [{ messageId: 'suggestion', output: `import { unstable_cache } from 'next/cache';
${db}export async function page(orgId: string) {
  const getInvoices = unstable_cache(async () => db.invoice.findMany({ where: { orgId } }), [orgId, 'invoices']);
  return getInvoices();
}` }] },
      ],
    },
    {
      // unstable_cache without key parts, tenant in the closure
      code: `import { unstable_cache } from 'next/cache';
${db}export async function page(orgId: string) {
  return unstable_cache(async () => db.project.findMany({ where: { orgId } }))();
}`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 4, column: 10, endColumn: 24, suggestions: [{ messageId: 'suggestion', output: `import { unstable_cache } from 'next/cache';
${db}export async function page(orgId: string) {
  return unstable_cache(async () => db.project.findMany({ where: { orgId } }), [orgId])();
}` }] },
      ],
    },
    {
      // revalidateTag of a tenant model by id
      code: `import { revalidateTag } from 'next/cache';
export async function refresh(id: string) {
  revalidateTag(\`invoice:\${id}\`);
}`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 3, column: 3, endColumn: 16 },
      ],
    },
    {
      // a client passed as a typed parameter
      code: `import type { Redis } from 'ioredis';
export const get = (redis: Redis, id: string) => redis.get(\`invoice:\${id}\`);`,
      errors: [
        { messageId: 'cacheKeyWithoutTenant', line: 2, column: 50, endColumn: 59 },
      ],
    },

    // --- unsafe twins of the class-1 exemptions (issue 13) ---
    {
      // the share entry keyed by the invoice id the client chose, not by a minted token
      code: `${shared}${db}export async function share(orgId: string, id: string) {
  const invoice = await db.invoice.findFirst({ where: { id, orgId } });
  await redis.set(\`invoice-share:\${id}\`, JSON.stringify(invoice), 'EX', 3600);
}`,
      errors: [{ messageId: 'cacheKeyWithoutTenant', line: 5, suggestions: [{ messageId: 'suggestion', output: `${shared}${db}export async function share(orgId: string, id: string) {
  const invoice = await db.invoice.findFirst({ where: { id, orgId } });
  await redis.set(\`\${orgId}:invoice-share:\${id}\`, JSON.stringify(invoice), 'EX', 3600);
}` }] }],
    },
    {
      // a random-looking name is not a random value: the token is the client's route parameter
      code: `import type { Request } from 'express';
${shared}export const open = (req: Request) => redis.get(\`invoice-share:\${req.params.token}\`);`,
      errors: [{ messageId: 'cacheKeyWithoutTenant', line: 3 }],
    },
    {
      // the API key looked up by an id the client chose, not by the credential it presents
      code: `import type { Request } from 'express';
${shared}export const key = (req: Request) => redis.get(\`apikey:\${req.query.id}\`);`,
      errors: [{ messageId: 'cacheKeyWithoutTenant', line: 3 }],
    },
    {
      // a domain row looked up by a query parameter, not the request's own Host
      code: `import type { Request } from 'express';
${shared}export const domain = (req: Request) => redis.get(\`custom-domain:\${req.query.host}\`);`,
      errors: [{ messageId: 'cacheKeyWithoutTenant', line: 3 }],
    },
    {
      // a user id the client sends in the body is not the verified user
      code: `${shared}${db}export async function theirProjects(req: { body: { user: { id: string } } }) {
  const userId = req.body.user.id;
  const projects = await db.project.findMany({ where: { org: { memberships: { some: { userId } } } } });
  await redis.set(\`projects-of:\${userId}\`, JSON.stringify(projects));
}`,
      errors: [{ messageId: 'cacheKeyWithoutTenant', line: 6 }],
    },
    {
      // a "lock" that stores the invoice itself is the invoice
      code: `${shared}${db}export async function lock(orgId: string, id: string) {
  const invoice = await db.invoice.findFirst({ where: { id, orgId } });
  await redis.set(\`invoice:\${id}:render-lock\`, JSON.stringify(invoice), 'EX', 30, 'NX');
}`,
      errors: [{ messageId: 'cacheKeyWithoutTenant', line: 5, suggestions: [{ messageId: 'suggestion', output: `${shared}${db}export async function lock(orgId: string, id: string) {
  const invoice = await db.invoice.findFirst({ where: { id, orgId } });
  await redis.set(\`\${orgId}:invoice:\${id}:render-lock\`, JSON.stringify(invoice), 'EX', 30, 'NX');
}` }] }],
    },
    {
      // the tenant model on its own, next to the compound global one
      code: `${shared}export const project = (id: string) => redis.get(\`project:\${id}\`);`,
      errors: [{ messageId: 'cacheKeyWithoutTenant', line: 2 }],
    },
    // --- issue 12 parity ---
    {
      // a hash of invoice totals, one field per invoice id, shared by every organization
      code: `${shared}export const total = (id: string) => redis.hget('invoice-totals', id);`,
      errors: [{ messageId: 'cacheKeyWithoutTenant', line: 2 }],
    },
    {
      // hset of a field of a shared hash
      code: `${shared}export const save = (id: string, total: number) => redis.hset('invoice-totals', id, total);`,
      errors: [{ messageId: 'cacheKeyWithoutTenant', line: 2 }],
    },
    {
      // lru-cache of a tenant model keyed by the bare id
      code: `import { LRUCache } from 'lru-cache';
import type { Invoice } from '@prisma/client';
const invoices = new LRUCache<string, Invoice>({ max: 100 });
export const invoice = (id: string) => invoices.get(id);`,
      errors: [{ messageId: 'cacheKeyWithoutTenant', line: 4 }],
    },
    {
      // lru-cache keyed by the bare id, filled with tenant rows by another function of the file
      code: `import { LRUCache } from 'lru-cache';
${db}const cache = new LRUCache<string, object>({ max: 100 });
export const cached = (id: string) => cache.get(id);
export async function load(orgId: string, id: string) {
  const project = await db.project.findFirst({ where: { id, orgId } });
  if (project) cache.set(id, project);
}`,
      errors: [{ messageId: 'cacheKeyWithoutTenant', line: 4 }, { messageId: 'cacheKeyWithoutTenant', line: 7, suggestions: [{ messageId: 'suggestion', output: `import { LRUCache } from 'lru-cache';
${db}const cache = new LRUCache<string, object>({ max: 100 });
export const cached = (id: string) => cache.get(id);
export async function load(orgId: string, id: string) {
  const project = await db.project.findFirst({ where: { id, orgId } });
  if (project) cache.set(\`\${orgId}:\${id}\`, project);
}` }] }],
    },
    {
      // Keyv whose constant namespace names the model, keyed by the bare id
      code: `import Keyv from 'keyv';
const kv = new Keyv({ namespace: 'invoices' });
export const get = (id: string) => kv.get(id);`,
      errors: [{ messageId: 'cacheKeyWithoutTenant', line: 3 }],
    },
    {
      // Keyv<Invoice> keyed by the bare id
      code: `import Keyv from 'keyv';
import type { Invoice } from '@prisma/client';
const kv = new Keyv<Invoice>({ namespace: 'billing' });
export const get = (id: string) => kv.get(id);`,
      errors: [{ messageId: 'cacheKeyWithoutTenant', line: 4 }],
    },
  ],
});
