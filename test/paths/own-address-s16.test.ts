import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * papra's pending invitations (judged G025): a repository function counts the invitations addressed
 * to an email, and its only caller hands it the address of the verified user's own row
 * (`const { user } = await users.getUserByIdOrThrow({ userId })`, `userId` the session's), so only
 * what is addressed to that person matches, across organizations by design (the invitee's view; the
 * same rule as worklenz W06 in one SQL statement). Twins: the address from the request body, and
 * the address of a row found by a client-chosen id, stay errors. In Prisma, Drizzle and raw SQL.
 */

const { makeProject } = useScratch();

type Orm = 'prisma' | 'drizzle' | 'sql';

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id          String       @id
  invitations Invitation[]
}

model User {
  id    String @id
  email String @unique
}

model Invitation {
  id             String       @id
  email          String
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, id])
}
`;

const DRIZZLE_SCHEMA = `import { index, pgTable, text } from 'drizzle-orm/pg-core';
export const organizations = pgTable('organizations', { id: text('id').primaryKey() });
export const users = pgTable('users', { id: text('id').primaryKey(), email: text('email').notNull().unique() });
export const invitations = pgTable('invitations', { id: text('id').primaryKey(), email: text('email').notNull(), organizationId: text('organization_id').notNull().references(() => organizations.id) }, (t) => [index('invitations_org').on(t.organizationId, t.id)]);
`;

const SQL_SCHEMA = `CREATE TABLE organizations (id text PRIMARY KEY);
CREATE TABLE users (id text PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE invitations (id text PRIMARY KEY, email text NOT NULL, organization_id text NOT NULL REFERENCES organizations(id));
CREATE INDEX invitations_org ON invitations (organization_id, id);
`;

const ORMS: Record<Orm, { deps: Record<string, string>; schema: Record<string, string>; repo: string }> = {
  prisma: {
    deps: { '@prisma/client': '^6.8.0' },
    schema: { 'prisma/schema.prisma': PRISMA_SCHEMA },
    repo: `import { PrismaClient } from '@prisma/client';\nconst db = new PrismaClient();\n\nexport async function getUserById({ userId }: { userId: string }) {\n  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });\n  return { user };\n}\n\nexport async function pendingInvitationsCount({ email }: { email: string }) {\n  return db.invitation.count({ where: { email } });\n}\n`,
  },
  drizzle: {
    deps: { 'drizzle-orm': '^0.44.0', pg: '^8.11.0' },
    schema: { 'src/schema.ts': DRIZZLE_SCHEMA },
    repo: `import { drizzle } from 'drizzle-orm/node-postgres';\nimport { count, eq } from 'drizzle-orm';\nimport { invitations, users } from './schema';\nconst db = drizzle(process.env.DATABASE_URL!);\n\nexport async function getUserById({ userId }: { userId: string }) {\n  const [user] = await db.select().from(users).where(eq(users.id, userId));\n  return { user };\n}\n\nexport async function pendingInvitationsCount({ email }: { email: string }) {\n  return db.select({ n: count(invitations.id) }).from(invitations).where(eq(invitations.email, email));\n}\n`,
  },
  sql: {
    deps: { pg: '^8.11.0' },
    schema: { 'migrations/001_init.sql': SQL_SCHEMA },
    repo: `import { Pool } from 'pg';\nconst db = new Pool();\n\nexport async function getUserById({ userId }: { userId: string }) {\n  const { rows } = await db.query('SELECT * FROM users WHERE id = $1', [userId]);\n  return { user: rows[0] };\n}\n\nexport async function pendingInvitationsCount({ email }: { email: string }) {\n  return db.query('SELECT count(*) FROM invitations WHERE email = $1', [email]);\n}\n`,
  },
};

const route = (userId: string, email: string) => `import { Hono } from 'hono';\nimport { getUserById, pendingInvitationsCount } from './repository';\nimport { getUser } from './auth';\n\nexport const app = new Hono();\napp.get('/api/invitations/count', async (context) => {\n  const { userId } = getUser({ context });\n  const body = await context.req.json();\n  const { user } = await getUserById({ userId: ${userId} });\n  const count = await pendingInvitationsCount({ email: ${email} });\n  return context.json({ count, body });\n});\n`;

const AUTH = `export function getUser({ context }: { context: { get(key: string): unknown } }) {\n  const userId = context.get('userId') as string | undefined;\n  if (!userId) throw new Error('unauthorized');\n  return { userId };\n}\n`;

function project(orm: Orm, handler: string): string {
  const o = ORMS[orm];
  return makeProject({
    'package.json': JSON.stringify({ name: 'invites', private: true, dependencies: { ...o.deps, hono: '^4.0.0' } }),
    ...o.schema,
    'src/repository.ts': o.repo,
    'src/auth.ts': AUTH,
    'src/routes.ts': handler,
  });
}

async function severities(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/repository.ts' && /nvitation/.test(f.message)).map((f) => f.severity);
}

// Raw SQL too since session 19: its parameters by column (QuerySite.keyValues) reach the owner/address check.
describe.each(['prisma', 'drizzle', 'sql'] as Orm[])('invitations addressed to the verified user (%s)', (orm) => {
  it("the address of the verified user's own row: no finding", async () => {
    expect(await severities(project(orm, route('userId', 'user.email.toLowerCase()')))).toEqual([]);
  });

  it('twin: an address from the request body stays an error', async () => {
    expect(await severities(project(orm, route('userId', 'body.email')))).toEqual(['error']);
  });

  it('twin: the address of a row found by a client-chosen id stays an error', async () => {
    expect(await severities(project(orm, route('body.userId', 'user.email')))).toEqual(['error']);
  });
});
