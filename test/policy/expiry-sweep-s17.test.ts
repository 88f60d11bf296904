import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * unkey's share/create.ts (issue 13, judged a housekeeping sweep): inside a request,
 * `db.delete(sharedSecrets).where(lt(sharedSecrets.expiresAt, now))` with `const now = Date.now()`
 * removes the expired rows of every workspace. No client value picks a row and only expired rows go:
 * not a leak, a warning with that evidence. Twins that stay errors: the live rows (`gt`, `{ gt }`)
 * and a date the client sends. In Drizzle and Prisma.
 */

const { makeProject } = useScratch();

type Orm = 'prisma' | 'drizzle';

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Workspace {
  id      String   @id
  secrets Secret[]
}

model Secret {
  id          String    @id
  expiresAt   DateTime
  workspaceId String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
  @@index([workspaceId, id])
}
`;

const DRIZZLE_SCHEMA = `import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
export const workspaces = pgTable('workspaces', { id: text('id').primaryKey() });
export const secrets = pgTable('secrets', { id: text('id').primaryKey(), expiresAt: timestamp('expires_at').notNull(), workspaceId: text('workspace_id').notNull().references(() => workspaces.id) }, (t) => [index('secrets_ws').on(t.workspaceId, t.id)]);
`;

const ORMS: Record<Orm, { deps: Record<string, string>; schema: Record<string, string>; db: string; imports: string; sweep: (op: string, value: string) => string }> = {
  prisma: {
    deps: { '@prisma/client': '^6.8.0' },
    schema: { 'prisma/schema.prisma': PRISMA_SCHEMA },
    db: `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
    imports: '',
    sweep: (op, value) => `db.secret.deleteMany({ where: { expiresAt: { ${op}: ${value} } } })`,
  },
  drizzle: {
    deps: { 'drizzle-orm': '^0.44.0', pg: '^8.11.0' },
    schema: { 'src/schema.ts': DRIZZLE_SCHEMA },
    db: `import { drizzle } from 'drizzle-orm/node-postgres';\nexport const db = drizzle(process.env.DATABASE_URL!);\n`,
    imports: `import { gt, lt } from 'drizzle-orm';\nimport { secrets } from './schema';\n`,
    sweep: (op, value) => `db.delete(secrets).where(${op}(secrets.expiresAt, ${value}))`,
  },
};

function project(orm: Orm, op: string, value: string): string {
  const o = ORMS[orm];
  return makeProject({
    'package.json': JSON.stringify({ name: 'sweep', private: true, dependencies: { ...o.deps, express: '^5.1.0' } }),
    ...o.schema,
    'src/db.ts': o.db,
    'src/server.ts': `import express from 'express';\nimport { db } from './db';\n${o.imports}\nconst app = express();\napp.post('/share', async (req: any, res: any) => {\n  const now = new Date();\n  await ${o.sweep(op, value)};\n  res.json({ ok: true });\n});\n`,
  });
}

async function severities(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => f.severity);
}

describe.each(['prisma', 'drizzle'] as Orm[])('an expiry sweep in a request (%s)', (orm) => {
  it('a delete whose only filter is a column before now is a warning', async () => {
    expect(await severities(project(orm, 'lt', 'now'))).toEqual(['warning']);
    expect(await severities(project(orm, 'lt', 'new Date()'))).toEqual(['warning']);
  });

  it('twin: deleting the rows after now (live rows of every tenant) stays an error', async () => {
    expect(await severities(project(orm, 'gt', 'now'))).toEqual(['error']);
  });

  it('twin: a cut-off date the client sends stays an error', async () => {
    expect(await severities(project(orm, 'lt', 'new Date(req.body.before)'))).toEqual(['error']);
    expect(await severities(project(orm, 'lt', 'req.body.before'))).toEqual(['error']);
  });
});

describe('both faces', () => {
  it('the scanner and the ESLint plugin agree on the sweep and its twin', async () => {
    for (const op of ['lt', 'gt']) {
      const { scanner, eslint } = await bothFaces(project('drizzle', op, 'now'), 'require-tenant-filter');
      expect(eslint).toEqual(scanner);
    }
  });
});
