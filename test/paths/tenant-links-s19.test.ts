import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * A table with two links to the tenant root (judged wrong-parse, session 19): unkey's root keys are
 * owned by the internal workspace (`keys.workspaceId`) and belong to the customer's workspace through
 * the optional `keys.forWorkspaceId` (`updateRootKeyName.ts:15` filters
 * `eq(keys.forWorkspaceId, ctx.workspace.id)`). A filter on either link to the session's tenant scopes
 * the read. Twins: a filter on another column only, and the link compared with a client's value,
 * stay errors. In Drizzle and Prisma.
 */

const { makeProject } = useScratch();

type Orm = 'drizzle' | 'prisma';

const DRIZZLE_SCHEMA = `import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { relations } from 'drizzle-orm';
export const workspaces = pgTable('workspaces', { id: text('id').primaryKey() });
export const keys = pgTable('keys', { id: text('id').primaryKey(), name: text('name'), workspaceId: text('workspace_id').notNull().references(() => workspaces.id), forWorkspaceId: text('for_workspace_id') }, (t) => [index('keys_ws').on(t.workspaceId, t.id)]);
export const keysRelations = relations(keys, ({ one }) => ({
  workspace: one(workspaces, { fields: [keys.workspaceId], references: [workspaces.id] }),
  forWorkspace: one(workspaces, { fields: [keys.forWorkspaceId], references: [workspaces.id] }),
}));
`;

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Workspace {
  id      String @id
  keys    Key[]  @relation("owner")
  forKeys Key[]  @relation("for")
}

model Key {
  id             String     @id
  name           String?
  workspaceId    String
  workspace      Workspace  @relation("owner", fields: [workspaceId], references: [id])
  forWorkspaceId String?
  forWorkspace   Workspace? @relation("for", fields: [forWorkspaceId], references: [id])
  @@index([workspaceId, id])
}
`;

const ORMS: Record<Orm, { deps: Record<string, string>; schema: Record<string, string>; head: string; read: (column: string, value: string) => string }> = {
  drizzle: {
    deps: { 'drizzle-orm': '^0.44.0', pg: '^8.11.0' },
    schema: { 'src/schema.ts': DRIZZLE_SCHEMA },
    head: `import { drizzle } from 'drizzle-orm/node-postgres';\nimport { and, eq } from 'drizzle-orm';\nimport { keys } from './schema';\nconst db = drizzle(process.env.DATABASE_URL!);\n`,
    read: (column, value) => `await db.select().from(keys).where(and(eq(keys.id, input.keyId), eq(keys.${column}, ${value})))`,
  },
  prisma: {
    deps: { '@prisma/client': '^6.8.0' },
    schema: { 'prisma/schema.prisma': PRISMA_SCHEMA },
    head: `import { PrismaClient } from '@prisma/client';\nconst db = new PrismaClient();\n`,
    read: (column, value) => `await db.key.findFirst({ where: { id: input.keyId, ${column}: ${value} } })`,
  },
};

function project(orm: Orm, column: string, value: string): string {
  const o = ORMS[orm];
  const routes = `import express from 'express';\n${o.head}\nexport const router = express.Router();\nrouter.post('/root-keys/name', async (req: any, res: any) => {\n  const input = req.body;\n  const key = ${o.read(column, value)};\n  res.json(key);\n});\n`;
  return makeProject({
    'package.json': JSON.stringify({ name: 'root-keys', private: true, dependencies: { ...o.deps, express: '^4.19.0' } }),
    ...o.schema,
    'src/routes.ts': routes,
  });
}

async function severities(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/routes.ts' && f.severity === 'error').map((f) => f.severity);
}

async function clientTenant(dir: string): Promise<number> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'no-client-tenant-id' && f.file === 'src/routes.ts').length;
}

describe.each(['drizzle', 'prisma'] as Orm[])('a second link to the tenant root (%s)', (orm) => {
  it("the second link pinned to the session's workspace: no finding", async () => {
    expect(await severities(project(orm, 'forWorkspaceId', 'req.user.workspaceId'))).toEqual([]);
  });

  it('the tenant key itself still scopes: no finding', async () => {
    expect(await severities(project(orm, 'workspaceId', 'req.user.workspaceId'))).toEqual([]);
  });

  it('twin: a filter on another column only stays an error', async () => {
    expect(await severities(project(orm, 'name', 'input.name'))).toEqual(['error']);
  });

  it.each(["forWorkspaceId", "workspaceId"])("twin: the link %s compared with the client's workspace is reported", async (column) => {
    const dir = project(orm, column, "input.workspaceId");
    expect((await severities(dir)).length + (await clientTenant(dir))).toBeGreaterThan(0);
  });
});
