import { beforeAll, describe, expect, it } from 'vitest';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces, type Verdicts } from '../parity/faces.js';
import { analyse } from './helpers.js';

/*
 * require-tenant-cache-key on a key that holds a row's id by name (`page:${pageId}:html`,
 * `${userId}`), the single-column primary key of its model: ids are unique in the whole table, so no
 * two tenants share the entry (issue 13, row UUIDs). What it can still leak is the entry of a row the
 * client picked. So the key is quiet when every caller of the function passes an id the server chose
 * (a field of rows it loaded, looped over in a job), and stays reported when a caller passes a route
 * parameter (directly or destructured), or when the model's key is composite with the tenant (ids
 * repeat per tenant). Two cache clients (ioredis, keyv), both faces.
 */

const { makeProject } = useScratch();

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Workspace {
  id     String  @id @default(uuid())
  pages  Page[]
  blocks Block[]
}

model Page {
  id          String    @id @default(uuid())
  workspaceId String
  title       String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
}

model Block {
  id          String
  workspaceId String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])

  @@id([workspaceId, id])
}
`;

const ioredisCache = (key: string) => `import Redis from 'ioredis';

const redis = new Redis();

export async function cachedHtml(pageId: string, blockId: string): Promise<string | null> {
  return redis.get(${key}); // call
}
`;

const keyvCache = (key: string) => `import Keyv from 'keyv';

const cache = new Keyv();

export async function cachedHtml(pageId: string, blockId: string): Promise<string | undefined> {
  return cache.get(${key}); // call
}
`;

/** A job over the pages the server loaded: every id it passes is a row's. */
const JOB = `import { PrismaClient } from '@prisma/client';
import { cachedHtml } from './cache';

const db = new PrismaClient();

export async function warm(workspaceId: string) {
  const pages = await db.page.findMany({ where: { workspaceId } });
  for (const page of pages) {
    await cachedHtml(page.id, page.id);
  }
}
`;

/** A route that passes the id the client sent. */
const ROUTE = (destructured: boolean) => `import express from 'express';
import { cachedHtml } from './cache';

const app = express();

app.get('/pages/:pageId', async (req, res) => {
${destructured ? '  const { pageId } = req.params;\n  res.send(await cachedHtml(pageId, pageId));' : '  res.send(await cachedHtml(req.params.pageId, req.params.pageId));'}
});
`;

const CASES: { name: string; safe: boolean; key: string; caller: string }[] = [
  { name: 'a page id every caller takes from loaded rows', safe: true, key: '`page:${pageId}:html`', caller: JOB },
  { name: 'a page id a route takes from its path', safe: false, key: '`page:${pageId}:html`', caller: ROUTE(false) },
  { name: 'a page id destructured from the route parameters', safe: false, key: '`page:${pageId}:html`', caller: ROUTE(true) },
  { name: 'the id of a model keyed by (tenant, id), from loaded rows', safe: false, key: '`block:${blockId}:html`', caller: JOB },
];

describe('require-tenant-cache-key: a row id the server chose, by name', () => {
  const faces: { scanner: Verdicts; eslint: Verdicts } = { scanner: new Map(), eslint: new Map() };
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify({ name: 'server-row-ids', private: true, dependencies: { '@prisma/client': '^6.8.0', ioredis: '^5.6.0', keyv: '^5.3.0', express: '^4.21.0' } }, null, 2)}\n`,
    'prisma/schema.prisma': SCHEMA,
  };
  CASES.forEach((c, i) => {
    files[`src/ioredis${i}/cache.ts`] = ioredisCache(c.key);
    files[`src/ioredis${i}/caller.ts`] = c.caller;
    files[`src/keyv${i}/cache.ts`] = keyvCache(c.key);
    files[`src/keyv${i}/caller.ts`] = c.caller;
  });

  beforeAll(async () => {
    Object.assign(faces, await bothFaces(makeProject(files), 'require-tenant-cache-key'));
  }, 60_000);

  for (const face of ['scanner', 'eslint'] as const) {
    CASES.forEach((c, i) => {
      for (const client of ['ioredis', 'keyv'] as const) {
        const text = client === 'ioredis' ? ioredisCache(c.key) : keyvCache(c.key);
        const line = text.split('\n').findIndex((l) => l.includes('// call')) + 1;
        it(`${face} ${client}: ${c.name} is ${c.safe ? 'not reported' : 'reported'}`, () => {
          const got = faces[face].get(`src/${client}${i}/cache.ts`);
          if (c.safe) expect(got).toBeUndefined();
          else expect(got).toEqual([`${line} cacheKeyWithoutTenant`]);
        });
      }
    });
  }
});

describe('require-tenant-cache-key: the evidence of a row id the server is not shown to choose', () => {
  const redis = `import { redis } from './lib/redis';\n`;

  it('says the entry is one row\'s and names how it leaks (a caller passing a client id) err', () => {
    const [finding] = analyse(`${redis}export const pdf = (invoiceId: string) => redis.get(\`invoice:\${invoiceId}:pdf\`);`).findings;
    expect(finding?.evidence).toContain('`invoiceId` is the id of one `Invoice` row, so no two organizations share an entry');
    expect(finding?.evidence).not.toContain('gets the same key');
  });

  it('keeps the shared-key wording for an id that names no model err', () => {
    const [finding] = analyse(`${redis}export const pdf = (id: string) => redis.get(\`invoice:\${id}:pdf\`);`).findings;
    expect(finding?.evidence).toContain('Every organization gets the same key');
  });
});
