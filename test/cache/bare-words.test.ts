import { beforeAll, describe, expect, it } from 'vitest';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces, type Verdicts } from '../parity/faces.js';

/*
 * require-tenant-cache-key on a key whose words name a model only as a piece of a compound word,
 * while its id names another model (docmost page-update-email-rate-limiter.ts:20: a per-user email
 * counter under `page-update:emails:${userId}`, read as naming `pages`). The entry is the user's,
 * keyed by the user's id; it holds a counter or a list of notification ids, not a page: a bare word
 * match. The unsafe twins stay reported: the same compound before an id of its own model
 * (`page-update:${pageId}`), the bare-word key when what it caches comes from a query on tenant
 * data, and a whole word naming the model (`pages:${userId}`). Two cache clients (ioredis,
 * node-redis), both faces.
 */

const { makeProject } = useScratch();

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Workspace {
  id    String @id @default(uuid())
  name  String
  pages Page[]
  users User[]
}

model User {
  id          String    @id @default(uuid())
  workspaceId String
  email       String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
}

model Page {
  id          String    @id @default(uuid())
  workspaceId String
  title       String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
}
`;

/** One cache call per file, on the line marked `// call`; `redis` is an ioredis or a node-redis client. */
const ioredisFile = (body: string) => `import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';

const redis = new Redis();
const db = new PrismaClient();

export async function run(userId: string, pageId: string, notificationId: string, workspaceId: string) {
${body}
}
`;

const nodeRedisFile = (body: string) => `import { createClient } from 'redis';
import { PrismaClient } from '@prisma/client';

const redis = createClient();
const db = new PrismaClient();

export async function run(userId: string, pageId: string, notificationId: string, workspaceId: string) {
${body}
}
`;

const CASES: { name: string; safe: boolean; ioredis: string; nodeRedis: string }[] = [
  {
    name: 'a per-user counter under a compound word that contains a model name',
    safe: true,
    ioredis: '  return redis.incr(`page-update:emails:${userId}`); // call',
    nodeRedis: '  return redis.incr(`page-update:emails:${userId}`); // call',
  },
  {
    name: 'a per-user list of notification ids under the same compound word',
    safe: true,
    ioredis: '  return redis.rpush(`page-update:digest:${userId}`, notificationId); // call',
    nodeRedis: '  return redis.rPush(`page-update:digest:${userId}`, notificationId); // call',
  },
  {
    name: 'the compound word before an id of its own model',
    safe: false,
    ioredis: '  return redis.get(`page-update:${pageId}`); // call',
    nodeRedis: '  return redis.get(`page-update:${pageId}`); // call',
  },
  {
    name: 'the bare-word key caching rows of a tenant model',
    safe: false,
    ioredis: '  const pages = await db.page.findMany({ where: { workspaceId } });\n  return redis.set(`page-update:digest:${userId}`, JSON.stringify(pages)); // call',
    nodeRedis: '  const pages = await db.page.findMany({ where: { workspaceId } });\n  return redis.set(`page-update:digest:${userId}`, JSON.stringify(pages)); // call',
  },
  {
    name: 'a whole word naming the model, keyed by the user',
    safe: false,
    ioredis: '  return redis.get(`pages:${userId}`); // call',
    nodeRedis: '  return redis.get(`pages:${userId}`); // call',
  },
];

describe('require-tenant-cache-key: a model name inside a compound word of a key keyed by another model\'s id', () => {
  const faces: { scanner: Verdicts; eslint: Verdicts } = { scanner: new Map(), eslint: new Map() };
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify({ name: 'bare-words', private: true, dependencies: { '@prisma/client': '^6.8.0', ioredis: '^5.6.0', redis: '^4.7.0' } }, null, 2)}\n`,
    'prisma/schema.prisma': SCHEMA,
  };
  CASES.forEach((c, i) => {
    files[`src/c${i}/ioredis.ts`] = ioredisFile(c.ioredis);
    files[`src/c${i}/node-redis.ts`] = nodeRedisFile(c.nodeRedis);
  });

  beforeAll(async () => {
    Object.assign(faces, await bothFaces(makeProject(files), 'require-tenant-cache-key'));
  }, 60_000);

  for (const face of ['scanner', 'eslint'] as const) {
    CASES.forEach((c, i) => {
      for (const client of ['ioredis', 'node-redis'] as const) {
        const text = client === 'ioredis' ? ioredisFile(c.ioredis) : nodeRedisFile(c.nodeRedis);
        const line = text.split('\n').findIndex((l) => l.includes('// call')) + 1;
        it(`${face} ${client}: ${c.name} is ${c.safe ? 'not reported' : 'reported'}`, () => {
          const got = faces[face].get(`src/c${i}/${client}.ts`);
          if (c.safe) expect(got).toBeUndefined();
          else expect(got).toEqual([`${line} cacheKeyWithoutTenant`]);
        });
      }
    });
  }
});
