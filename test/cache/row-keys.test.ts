import { beforeAll, describe, expect, it } from 'vitest';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces, type Verdicts } from '../parity/faces.js';

/*
 * require-tenant-cache-key on a key that holds the primary key (or a single-column unique) of the
 * row it caches (tianji monitor/runner.ts:49: `monitor:${this.monitor.id}:retriedNum`). The id is
 * unique in the whole table, so the entry names one row and cannot collide across tenants. Its
 * unsafe twins stay reported: a non-unique column of the same row (`${monitor.name}`), the id of a
 * table whose key is composite with the tenant (`@@id([workspaceId, id])`: ids repeat per tenant),
 * and an id taken from client input. Two cache clients (ioredis, keyv), both faces.
 */

const { makeProject } = useScratch();

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Workspace {
  id       String    @id @default(cuid())
  name     String
  monitors Monitor[]
  checks   Check[]
}

model Monitor {
  id          String    @id @default(cuid())
  workspaceId String
  name        String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])

  @@index([workspaceId])
}

model Check {
  id          String
  workspaceId String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])

  @@id([workspaceId, id])
}
`;

const redisFile = (key: string) => `import Redis from 'ioredis';
import type { Monitor, Check } from '@prisma/client';

const redis = new Redis();

export async function status(monitor: Monitor, check: Check, req: { body: { monitor: { id: string } } }) {
  return redis.get(${key});
}
`;

const keyvFile = (key: string) => `import Keyv from 'keyv';
import type { Monitor, Check } from '@prisma/client';

const cache = new Keyv();

export class Runner {
  constructor(public monitor: Monitor, public check: Check, public body: { monitor: { id: string } }) {}

  async retried(): Promise<number> {
    const value = await cache.get(${key});
    return Number(value ?? 0);
  }
}
`;

const CASES: { name: string; safe: boolean; redis: string; keyv: string }[] = [
  { name: 'the primary key of the cached row', safe: true, redis: '`monitor:${monitor.id}:status`', keyv: '`monitor:${this.monitor.id}:retriedNum`' },
  { name: 'a non-unique column of the row', safe: false, redis: '`monitor:${monitor.name}:status`', keyv: '`monitor:${this.monitor.name}:retriedNum`' },
  { name: 'the id of a table keyed by (tenant, id)', safe: false, redis: '`check:${check.id}:status`', keyv: '`check:${this.check.id}:retriedNum`' },
  { name: 'an id taken from client input', safe: false, redis: '`monitor:${req.body.monitor.id}:status`', keyv: '`monitor:${this.body.monitor.id}:retriedNum`' },
];

describe('require-tenant-cache-key: keys that hold a row\'s unique id', () => {
  const faces: { scanner: Verdicts; eslint: Verdicts } = { scanner: new Map(), eslint: new Map() };
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify({ name: 'row-keys', private: true, dependencies: { '@prisma/client': '^6.8.0', ioredis: '^5.6.0', keyv: '^5.3.0' } }, null, 2)}\n`,
    'prisma/schema.prisma': SCHEMA,
  };
  CASES.forEach((c, i) => {
    files[`src/c${i}/redis.ts`] = redisFile(c.redis);
    files[`src/c${i}/keyv.ts`] = keyvFile(c.keyv);
  });

  beforeAll(async () => {
    Object.assign(faces, await bothFaces(makeProject(files), 'require-tenant-cache-key'));
  }, 60_000);

  for (const face of ['scanner', 'eslint'] as const) {
    CASES.forEach((c, i) => {
      for (const client of ['redis', 'keyv'] as const) {
        const line = (client === 'redis' ? redisFile(c.redis) : keyvFile(c.keyv)).split('\n').findIndex((l) => l.includes('.get(')) + 1;
        it(`${face} ${client}: ${c.name} is ${c.safe ? 'not reported ok' : 'reported err'}`, () => {
          const got = faces[face].get(`src/c${i}/${client}.ts`);
          if (c.safe) expect(got).toBeUndefined();
          else expect(got).toEqual([`${line} cacheKeyWithoutTenant`]);
        });
      }
    });
  }
});
