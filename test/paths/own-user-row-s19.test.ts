import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * The caller's own user row (judged own-user-row, session 19): verifywise reads the rejecting user's
 * name with `SELECT name FROM users WHERE id = :userId` where `const { userId } = req` (or
 * `const userId = req.userId!`), the id the auth middleware put on the request
 * (approvalRequest.ctrl.ts:556, postMarketMonitoring.ctrl.ts:817). Only that person's row matches.
 * Twins: the id from the request's params or body stays an error. In raw SQL (pg and Sequelize
 * replacements), Prisma and Drizzle.
 */

const { makeProject } = useScratch();

type Orm = 'sql' | 'sequelize' | 'prisma' | 'drizzle';

const SQL_SCHEMA = `CREATE TABLE organizations (id text PRIMARY KEY);
CREATE TABLE users (id text PRIMARY KEY, name text, organization_id text NOT NULL REFERENCES organizations(id));
CREATE INDEX users_org ON users (organization_id, id);
`;

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id    String @id
  users User[]
}

model User {
  id             String       @id
  name           String
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, id])
}
`;

const DRIZZLE_SCHEMA = `import { index, pgTable, text } from 'drizzle-orm/pg-core';
export const organizations = pgTable('organizations', { id: text('id').primaryKey() });
export const users = pgTable('users', { id: text('id').primaryKey(), name: text('name'), organizationId: text('organization_id').notNull().references(() => organizations.id) }, (t) => [index('users_org').on(t.organizationId, t.id)]);
`;

const ORMS: Record<Orm, { deps: Record<string, string>; schema: Record<string, string>; head: string; read: string }> = {
  sql: {
    deps: { pg: '^8.11.0' },
    schema: { 'migrations/001_init.sql': SQL_SCHEMA },
    head: `import { Pool } from 'pg';\nconst db = new Pool();\n`,
    read: `(await db.query('SELECT name FROM users WHERE id = $1', [userId])).rows[0]`,
  },
  sequelize: {
    deps: { sequelize: '^6.37.0', pg: '^8.11.0' },
    schema: { 'migrations/001_init.sql': SQL_SCHEMA },
    head: `import { QueryTypes, Sequelize } from 'sequelize';\nconst sequelize = new Sequelize(process.env.DATABASE_URL!);\n`,
    read: `(await sequelize.query('SELECT name FROM users WHERE id = :userId', { replacements: { userId }, type: QueryTypes.SELECT }))[0]`,
  },
  prisma: {
    deps: { '@prisma/client': '^6.8.0' },
    schema: { 'prisma/schema.prisma': PRISMA_SCHEMA },
    head: `import { PrismaClient } from '@prisma/client';\nconst db = new PrismaClient();\n`,
    read: `await db.user.findUnique({ where: { id: userId }, select: { name: true } })`,
  },
  drizzle: {
    deps: { 'drizzle-orm': '^0.44.0', pg: '^8.11.0' },
    schema: { 'src/schema.ts': DRIZZLE_SCHEMA },
    head: `import { drizzle } from 'drizzle-orm/node-postgres';\nimport { eq } from 'drizzle-orm';\nimport { users } from './schema';\nconst db = drizzle(process.env.DATABASE_URL!);\n`,
    read: `(await db.select({ name: users.name }).from(users).where(eq(users.id, userId)))[0]`,
  },
};

function project(orm: Orm, binding: string): string {
  const o = ORMS[orm];
  const routes = `import express from 'express';\n${o.head}\nexport const router = express.Router();\nrouter.post('/requests/:id/reject', async (req: any, res: any) => {\n  ${binding}\n  const rejector = ${o.read};\n  res.json({ name: rejector?.name });\n});\n`;
  return makeProject({
    'package.json': JSON.stringify({ name: 'own-user', private: true, dependencies: { ...o.deps, express: '^4.19.0' } }),
    ...o.schema,
    'src/routes.ts': routes,
  });
}

async function severities(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/routes.ts').map((f) => f.severity);
}

describe.each(['sql', 'sequelize', 'prisma', 'drizzle'] as Orm[])("the caller's own user row (%s)", (orm) => {
  it('`const { userId } = req` (set by the auth middleware): no finding', async () => {
    expect(await severities(project(orm, 'const { userId, organizationId } = req;'))).toEqual([]);
  });

  it('`const userId = req.userId!`: no finding', async () => {
    expect(await severities(project(orm, 'const userId = req.userId!;'))).toEqual([]);
  });

  it('twin: the id from the request params stays an error', async () => {
    expect(await severities(project(orm, 'const { userId } = req.params;'))).toEqual(['error']);
  });

  it('twin: the id from the request body stays an error', async () => {
    expect(await severities(project(orm, 'const userId = req.body.userId;'))).toEqual(['error']);
  });
});
