import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

const DRIZZLE_SCHEMA = `import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
});

export const organizations = pgTable('organizations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  ownerId: text('owner_id').notNull().references(() => users.id),
  public: text('public'),
  tombstoneAt: timestamp('tombstone_at'),
});

export const organizationMembers = pgTable('organization_members', {
  id: text('id').primaryKey(),
  organizationId: text('organization_id').notNull().references(() => organizations.id),
  userId: text('user_id').notNull().references(() => users.id),
  role: text('role').notNull(),
});

export const videos = pgTable('videos', {
  id: text('id').primaryKey(),
  orgId: text('org_id').notNull().references(() => organizations.id),
  ownerId: text('owner_id').notNull().references(() => users.id),
  name: text('name'),
});
`;

const DRIZZLE_DB = `import { drizzle } from 'drizzle-orm/node-postgres';\nexport const db = () => drizzle(process.env.DATABASE_URL ?? '');\n`;

// Cap's getCurrentUser: React's cache() around a read of the user's own row, keyed by the session's
// user id through an Effect Schema brand (`User.UserId.make(session.user.id)`).
const DRIZZLE_SESSION = `import { getServerSession } from 'next-auth';
import { eq } from 'drizzle-orm';
import { cache } from 'react';
import { User } from './domain';
import { db } from './db';
import { users } from './schema';

export const getCurrentUser = cache(async () => {
  const session = await getServerSession();
  if (!session) return null;
  const [currentUser] = await db().select().from(users).where(eq(users.id, User.UserId.make(session.user.id)));
  return currentUser ?? null;
});
`;

const DOMAIN_USER = `import { Schema } from 'effect';\n\nexport const UserId = Schema.String.pipe(Schema.brand('UserId'));\nexport type UserId = typeof UserId.Type;\n`;
const DOMAIN_INDEX = `export * as User from './user';\nexport { UserId } from './user';\n`;

function drizzleAccess(where: string, join = 'eq(organizationMembers.organizationId, organizations.id),\n        eq(organizationMembers.userId, userId),'): string {
  return `import { and, eq, isNull, or } from 'drizzle-orm';
import { db } from './db';
import { organizationMembers, organizations } from './schema';

export async function getOrganizationAccess(userId: string, organizationId: string) {
  const [organization] = await db()
    .select({ id: organizations.id, ownerId: organizations.ownerId, memberId: organizationMembers.id })
    .from(organizations)
    .leftJoin(
      organizationMembers,
      and(
        ${join}
      ),
    )
    .where(${where})
    .limit(1);
  if (!organization) return null;
  return organization;
}

export async function requireOrganizationAccess(userId: string, organizationId: string) {
  const access = await getOrganizationAccess(userId, organizationId);
  if (!access) throw new Error('Forbidden');
  return access;
}

export async function requireOrganizationSettingsAccess(userId: string, organizationId: string) {
  const access = await requireOrganizationAccess(userId, organizationId);
  return access;
}

export async function requireOrganizationSettingsManager(userId: string, organizationId: string) {
  const access = await requireOrganizationSettingsAccess(userId, organizationId);
  return access;
}
`;
}

const OWNER_OR_MEMBER = `and(
        eq(organizations.id, organizationId),
        isNull(organizations.tombstoneAt),
        or(eq(organizations.ownerId, userId), eq(organizationMembers.userId, userId)),
      )`;

function drizzleAction(check: string): string {
  return `'use server';
import { eq } from 'drizzle-orm';
import { db } from './db';
import { getCurrentUser } from './session';
import { organizations, videos } from './schema';
import { getOrganizationAccess, requireOrganizationSettingsManager } from './access';

export async function renameOrganization({ organizationId, name }: { organizationId: string; name: string }) {
  const user = await getCurrentUser();
  if (!user) throw new Error('Unauthorized');
${check}
  await db().update(organizations).set({ name }).where(eq(organizations.id, organizationId));
}
`;
}

function drizzleProject(files: Record<string, string>): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'cap-like', private: true, dependencies: { 'drizzle-orm': '^0.36.0', effect: '^3.18.0', next: '^15.0.0', 'next-auth': '^4.24.0', pg: '^8.13.0', react: '^19.0.0' } }),
    'src/schema.ts': DRIZZLE_SCHEMA,
    'src/db.ts': DRIZZLE_DB,
    'src/session.ts': DRIZZLE_SESSION,
    'src/domain/user.ts': DOMAIN_USER,
    'src/domain/index.ts': DOMAIN_INDEX,
    ...files,
  });
}

async function verdicts(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  const findings = result.findings.filter((f) => f.ruleId === 'no-client-tenant-id').map((f) => `${f.file}:${f.line} ${f.severity}`);
  const unknown = result.unknown.filter((u) => u.ruleId === 'no-client-tenant-id').map((u) => `${u.file}:${u.line} unknown: ${u.reason}`);
  return [...findings, ...unknown];
}

const MANAGER = `  await requireOrganizationSettingsManager(user.id, organizationId);`;
const ACTION_FILE = 'src/actions.ts:8 error';

describe('Drizzle: owner OR member through a left join, behind three helpers (Cap update-details.ts:14)', () => {
  it('ok: the helper chain ends in a lookup pinned to the verified user in both branches', async () => {
    expect(await verdicts(drizzleProject({ 'src/access.ts': drizzleAccess(OWNER_OR_MEMBER), 'src/actions.ts': drizzleAction(MANAGER) }))).toEqual([]);
  });

  it("ok: the lookup's null result tested by the action (Cap loom.ts:639)", async () => {
    const check = `  const access = await getOrganizationAccess(user.id, organizationId);\n  if (!access) return;`;
    expect(await verdicts(drizzleProject({ 'src/access.ts': drizzleAccess(OWNER_OR_MEMBER), 'src/actions.ts': drizzleAction(check) }))).toEqual([]);
  });

  it('err: one branch of the OR does not involve the user (owner OR public)', async () => {
    const where = OWNER_OR_MEMBER.replace('eq(organizationMembers.userId, userId)', "eq(organizations.public, 'yes')");
    expect(where).not.toBe(OWNER_OR_MEMBER);
    expect(await verdicts(drizzleProject({ 'src/access.ts': drizzleAccess(where), 'src/actions.ts': drizzleAction(MANAGER) }))).toEqual([ACTION_FILE]);
  });

  it('err: the user pinned under not()', async () => {
    const where = OWNER_OR_MEMBER.replace('or(eq(organizations.ownerId, userId), eq(organizationMembers.userId, userId))', 'not(eq(organizations.ownerId, userId))').replace('isNull, or', 'isNull, not, or');
    expect(await verdicts(drizzleProject({ 'src/access.ts': drizzleAccess(where).replace('isNull, or', 'isNull, not, or'), 'src/actions.ts': drizzleAction(MANAGER) }))).toEqual([ACTION_FILE]);
  });

  it("not proof: the joined members are not this organization's (joined on the user alone)", async () => {
    const found = await verdicts(drizzleProject({ 'src/access.ts': drizzleAccess(OWNER_OR_MEMBER, 'eq(organizationMembers.userId, userId),'), 'src/actions.ts': drizzleAction(MANAGER) }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^src\/actions\.ts:\d+ (error|unknown)/);
  });

  it("err: the helper's null result is not acted on", async () => {
    const check = `  await getOrganizationAccess(user.id, organizationId);`;
    expect(await verdicts(drizzleProject({ 'src/access.ts': drizzleAccess(OWNER_OR_MEMBER), 'src/actions.ts': drizzleAction(check) }))).toEqual([ACTION_FILE]);
  });

  it('err: the check is of another organization than the one updated', async () => {
    const action = drizzleAction(`  await requireOrganizationSettingsManager(user.id, sourceOrganizationId);`).replace('{ organizationId, name }: { organizationId: string; name: string }', '{ organizationId, sourceOrganizationId, name }: { organizationId: string; sourceOrganizationId: string; name: string }');
    expect(await verdicts(drizzleProject({ 'src/access.ts': drizzleAccess(OWNER_OR_MEMBER), 'src/actions.ts': action }))).toEqual([ACTION_FILE]);
  });

  it('err: the user checked is one the client names', async () => {
    const action = drizzleAction(`  await requireOrganizationSettingsManager(userId, organizationId);`).replace('{ organizationId, name }: { organizationId: string; name: string }', '{ organizationId, userId, name }: { organizationId: string; userId: string; name: string }');
    expect(await verdicts(drizzleProject({ 'src/access.ts': drizzleAccess(OWNER_OR_MEMBER), 'src/actions.ts': action }))).toEqual([ACTION_FILE]);
  });
});

// ---------------------------------------------------------------- Prisma

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id      String         @id
  email   String         @unique
  owned   Organization[]
  members Member[]
}

model Organization {
  id        String    @id
  name      String
  ownerId   String
  public    Boolean   @default(false)
  deletedAt DateTime?
  owner     User      @relation(fields: [ownerId], references: [id])
  members   Member[]
  videos    Video[]
}

model Member {
  id             String       @id
  userId         String
  organizationId String
  user           User         @relation(fields: [userId], references: [id])
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, userId])
}

model Video {
  id             String       @id
  name           String
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, id])
}
`;

const PRISMA_OWNER_OR_MEMBER = `{ id: organizationId, deletedAt: null, OR: [{ ownerId: userId }, { members: { some: { userId } } }] }`;

function prismaAccess(where: string): string {
  return `import { prisma } from './db';

export async function getOrganizationAccess(userId: string, organizationId: string) {
  const organization = await prisma.organization.findFirst({ where: ${where} });
  if (!organization) return null;
  return organization;
}

export async function requireOrganizationAccess(userId: string, organizationId: string) {
  const access = await getOrganizationAccess(userId, organizationId);
  if (!access) throw new Error('Forbidden');
  return access;
}
`;
}

function prismaAction(check: string): string {
  return `'use server';
import { prisma } from './db';
import { getCurrentUser } from './session';
import { getOrganizationAccess, requireOrganizationAccess } from './access';

export async function renameVideos({ organizationId, name }: { organizationId: string; name: string }) {
  const user = await getCurrentUser();
  if (!user) throw new Error('Unauthorized');
${check}
  await prisma.video.updateMany({ where: { organizationId }, data: { name } });
}
`;
}

function prismaProject(files: Record<string, string>): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'prisma-either', private: true, dependencies: { '@prisma/client': '^6.8.0', next: '^15.0.0', 'next-auth': '^4.24.0' } }),
    'prisma/schema.prisma': PRISMA_SCHEMA,
    'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
    'src/session.ts': `import { getServerSession } from 'next-auth';\nexport async function getCurrentUser() {\n  const session = await getServerSession();\n  if (!session) return null;\n  return session.user ?? null;\n}\n`,
    ...files,
  });
}

const PRISMA_REQUIRE = `  await requireOrganizationAccess(user.id, organizationId);`;
const PRISMA_ACTION = 'src/actions.ts:6 error';

describe('Prisma: OR: [{ ownerId }, { members: { some: { userId } } }]', () => {
  it('ok: both branches pin the verified user', async () => {
    expect(await verdicts(prismaProject({ 'src/access.ts': prismaAccess(PRISMA_OWNER_OR_MEMBER), 'src/actions.ts': prismaAction(PRISMA_REQUIRE) }))).toEqual([]);
  });

  it("ok: the lookup's null result tested by the action", async () => {
    const check = `  const access = await getOrganizationAccess(user.id, organizationId);\n  if (!access) return;`;
    expect(await verdicts(prismaProject({ 'src/access.ts': prismaAccess(PRISMA_OWNER_OR_MEMBER), 'src/actions.ts': prismaAction(check) }))).toEqual([]);
  });

  it('err: one branch of the OR does not involve the user (owner OR public)', async () => {
    const where = PRISMA_OWNER_OR_MEMBER.replace('{ members: { some: { userId } } }', '{ public: true }');
    expect(await verdicts(prismaProject({ 'src/access.ts': prismaAccess(where), 'src/actions.ts': prismaAction(PRISMA_REQUIRE) }))).toEqual([PRISMA_ACTION]);
  });

  it('err: the user pinned under NOT, or a relation with none of them', async () => {
    for (const where of [`{ id: organizationId, NOT: { ownerId: userId } }`, `{ id: organizationId, members: { none: { userId } } }`]) {
      expect(await verdicts(prismaProject({ 'src/access.ts': prismaAccess(where), 'src/actions.ts': prismaAction(PRISMA_REQUIRE) }))).toEqual([PRISMA_ACTION]);
    }
  });

  it("err: the helper's null result is not acted on", async () => {
    expect(await verdicts(prismaProject({ 'src/access.ts': prismaAccess(PRISMA_OWNER_OR_MEMBER), 'src/actions.ts': prismaAction(`  await getOrganizationAccess(user.id, organizationId);`) }))).toEqual([PRISMA_ACTION]);
  });

  it('err: the check is of another organization than the one written', async () => {
    const action = prismaAction(`  await requireOrganizationAccess(user.id, sourceOrganizationId);`).replace('{ organizationId, name }: { organizationId: string; name: string }', '{ organizationId, sourceOrganizationId, name }: { organizationId: string; sourceOrganizationId: string; name: string }');
    expect(await verdicts(prismaProject({ 'src/access.ts': prismaAccess(PRISMA_OWNER_OR_MEMBER), 'src/actions.ts': action }))).toEqual([PRISMA_ACTION]);
  });

  it('err: the user checked is one the client names', async () => {
    const action = prismaAction(`  await requireOrganizationAccess(userId, organizationId);`).replace('{ organizationId, name }: { organizationId: string; name: string }', '{ organizationId, userId, name }: { organizationId: string; userId: string; name: string }');
    expect(await verdicts(prismaProject({ 'src/access.ts': prismaAccess(PRISMA_OWNER_OR_MEMBER), 'src/actions.ts': action }))).toEqual([PRISMA_ACTION]);
  });
});

// ---------------------------------------------------------------- raw SQL (node-postgres)

const MIGRATION = `create table users (id uuid primary key, email text not null unique);
create table organizations (id uuid primary key, name text not null, owner_id uuid not null references users (id), public boolean not null default false);
create table organization_members (id uuid primary key, organization_id uuid not null references organizations (id), user_id uuid not null references users (id));
create table videos (id uuid primary key, organization_id uuid not null references organizations (id), name text);
create index on organization_members (organization_id, user_id);
create index on videos (organization_id, id);
`;

const SQL_OWNER_OR_MEMBER = `SELECT o.id FROM organizations o LEFT JOIN organization_members m ON m.organization_id = o.id AND m.user_id = $1 WHERE o.id = $2 AND (o.owner_id = $1 OR m.user_id = $1) LIMIT 1`;

function sqlRoutes(sql: string, check = `  const access = await getOrganizationAccess(req.user.id, orgId);\n  if (!access) return res.sendStatus(403);`): string {
  return `import express from 'express';
import { pool } from './db';

export async function getOrganizationAccess(userId: string, organizationId: string) {
  const result = await pool.query('${sql}', [userId, organizationId]);
  const organization = result.rows[0];
  if (!organization) return null;
  return organization;
}

const app = express();
app.post('/orgs/:orgId/videos', async (req, res) => {
  const orgId = req.params.orgId;
${check}
  await pool.query('UPDATE videos SET name = $1 WHERE organization_id = $2', [req.body.name, orgId]);
  res.sendStatus(204);
});
`;
}

function sqlProject(routes: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'sql-either', private: true, dependencies: { express: '^4.21.0', pg: '^8.13.0' } }),
    'migrations/20240101000000_init.sql': MIGRATION,
    'src/db.ts': `import { Pool } from 'pg';\nexport const pool = new Pool();\n`,
    'src/routes.ts': routes,
  });
}

describe('raw SQL: owner_id = $1 OR m.user_id = $1 through a left join', () => {
  it('ok: both branches pin the verified user', async () => {
    expect(await verdicts(sqlProject(sqlRoutes(SQL_OWNER_OR_MEMBER)))).toEqual([]);
  });

  it('err: one branch of the OR does not involve the user (owner OR public)', async () => {
    const found = await verdicts(sqlProject(sqlRoutes(SQL_OWNER_OR_MEMBER.replace('OR m.user_id = $1', 'OR o.public'))));
    expect(found).toEqual(['src/routes.ts:13 error']);
  });

  it('err: the user only in the ON of the left join, which keeps every organization', async () => {
    const found = await verdicts(sqlProject(sqlRoutes(SQL_OWNER_OR_MEMBER.replace(' AND (o.owner_id = $1 OR m.user_id = $1)', ''))));
    expect(found).toEqual(['src/routes.ts:13 error']);
  });

  it('err: the user compared with <>', async () => {
    const found = await verdicts(sqlProject(sqlRoutes(SQL_OWNER_OR_MEMBER.replace('(o.owner_id = $1 OR m.user_id = $1)', 'o.owner_id <> $1'))));
    expect(found).toEqual(['src/routes.ts:13 error']);
  });

  it("err: the helper's null result is not acted on", async () => {
    expect(await verdicts(sqlProject(sqlRoutes(SQL_OWNER_OR_MEMBER, `  await getOrganizationAccess(req.user.id, orgId);`)))).toEqual(['src/routes.ts:13 error']);
  });

  it('err: the check is of another organization than the one written', async () => {
    expect(await verdicts(sqlProject(sqlRoutes(SQL_OWNER_OR_MEMBER, `  const access = await getOrganizationAccess(req.user.id, req.body.sourceOrgId);\n  if (!access) return res.sendStatus(403);`)))).toEqual(['src/routes.ts:13 error']);
  });

  it('err: the user checked is one the client names', async () => {
    expect(await verdicts(sqlProject(sqlRoutes(SQL_OWNER_OR_MEMBER, `  const access = await getOrganizationAccess(req.body.userId, orgId);\n  if (!access) return res.sendStatus(403);`)))).toEqual(['src/routes.ts:13 error']);
  });
});

// ---------------------------------------------------------------- openpanel: getProjectAccess

const OP_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id            String          @id
  name          String
  members       Member[]
  projects      Project[]
  projectAccess ProjectAccess[]
}

model Member {
  id             String       @id
  userId         String
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, userId])
}

model Project {
  id             String          @id
  name           String
  organizationId String
  organization   Organization    @relation(fields: [organizationId], references: [id])
  access         ProjectAccess[]
  reports        Report[]
  @@index([organizationId, id])
}

model ProjectAccess {
  id             String       @id
  userId         String
  projectId      String
  organizationId String
  project        Project      @relation(fields: [projectId], references: [id])
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, userId])
}

model Report {
  id        String  @id
  name      String
  projectId String
  project   Project @relation(fields: [projectId], references: [id])
  @@index([projectId, id])
}
`;

const OP_CACHE = `const store = new Map<string, unknown>();

export function cacheable<A extends object, R>(name: string, fn: (args: A) => Promise<R>, ttl: number) {
  return async (args: A): Promise<R> => {
    const key = name + JSON.stringify(args) + ttl;
    if (store.has(key)) return store.get(key) as R;
    const value = await fn(args);
    store.set(key, value);
    return value;
  };
}
`;

const OP_PROJECT_ACCESS = `          userId,
          organizationId: project.organizationId,`;
const OP_MEMBER = `          organizationId: project.organizationId,
          userId,`;
const OP_VERDICT = `  if (projectAccess.length === 0 && member) {
    return true;
  }
  return projectAccess.find((item) => item.projectId === projectId);`;

function opAccess(projectAccess = OP_PROJECT_ACCESS, member = OP_MEMBER, verdict = OP_VERDICT): string {
  return `import { db } from './db';
import { cacheable } from './cache';

export async function getProjectById(id: string) {
  return db.project.findUnique({ where: { id } });
}

export const getProjectAccess = cacheable(
  'getProjectAccess',
  async ({ userId, projectId }: { userId: string; projectId: string }) => {
    try {
      const project = await getProjectById(projectId);
      if (!project?.organizationId) {
        return false;
      }
      const [projectAccess, member] = await Promise.all([
        db.projectAccess.findMany({
          where: {
${projectAccess}
          },
        }),
        db.member.findFirst({
          where: {
${member}
          },
        }),
      ]);
${verdict.replace(/^/gm, '    ')}
    } catch (err) {
      return false;
    }
  },
  60 * 5,
);
`;
}

const OP_TRPC = `import { initTRPC, TRPCError } from '@trpc/server';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';

export async function createContext({ req }: CreateFastifyContextOptions) {
  return { req, session: (req as any).session as { userId?: string } };
}
export type Context = Awaited<ReturnType<typeof createContext>>;

const t = initTRPC.context<Context>().create();

const requireUser = t.middleware(({ ctx, next }) => {
  if (!ctx.session?.userId) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next({ ctx: { session: { ...ctx.session, userId: ctx.session.userId } } });
});

export const router = t.router;
export const protectedProcedure = t.procedure.use(requireUser);
`;

function opRouter(userId = 'ctx.session.userId', checked = 'input.projectId'): string {
  return `import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { db } from '../db';
import { getProjectAccess } from '../access';
import { protectedProcedure, router } from '../trpc';

export const reportRouter = router({
  list: protectedProcedure
    .input(z.object({ projectId: z.string(), otherProjectId: z.string(), userId: z.string() }))
    .query(async ({ input, ctx }) => {
      const access = await getProjectAccess({
        projectId: ${checked},
        userId: ${userId},
      });
      if (!access) {
        throw new TRPCError({ code: 'FORBIDDEN' });
      }
      return db.report.findMany({ where: { projectId: input.projectId } });
    }),
});
`;
}

function opProject(access: string, router = opRouter()): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'openpanel-like', private: true, dependencies: { '@trpc/server': '^11.0.0', '@prisma/client': '^6.0.0', zod: '^3.24.0' } }),
    'prisma/schema.prisma': OP_SCHEMA,
    'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
    'src/cache.ts': OP_CACHE,
    'src/trpc.ts': OP_TRPC,
    'src/access.ts': access,
    'src/routers/report.ts': router,
  });
}

describe("Prisma: openpanel's getProjectAccess, a member of the project's organization OR a project-access row of the user", () => {
  it('ok: both branches are rows of the verified user', async () => {
    expect(await verdicts(opProject(opAccess()))).toEqual([]);
  });
});

describe("twins of openpanel's getProjectAccess", () => {
  const ROUTER = 'src/routers/report.ts:18 error';

  it("err: the member branch is any member of the project's organization, not the user", async () => {
    expect(await verdicts(opProject(opAccess(OP_PROJECT_ACCESS, `          organizationId: project.organizationId,`)))).toEqual([ROUTER]);
  });

  it('err: the project-access rows are anyone’s, not the user’s (the lookup uses the project the client names)', async () => {
    const found = await verdicts(opProject(opAccess(`          organizationId: project.organizationId,`)));
    expect(found).toContain('src/routers/report.ts:12 error');
    expect(found.some((v) => v.startsWith('src/routers/report.ts:18'))).toBe(true);
  });

  it('err: the user checked is one the client names (the project-access lookup itself uses the project the client names)', async () => {
    expect(await verdicts(opProject(opAccess(), opRouter('input.userId')))).toContain('src/routers/report.ts:12 error');
  });

  it('err: the check is of another project than the one read', async () => {
    expect(await verdicts(opProject(opAccess(), opRouter('ctx.session.userId', 'input.otherProjectId')))).toEqual([ROUTER]);
  });

  it("err: the helper's result is not acted on", async () => {
    const router = opRouter().replace("      if (!access) {\n        throw new TRPCError({ code: 'FORBIDDEN' });\n      }\n", '');
    expect(router).not.toBe(opRouter());
    expect(await verdicts(opProject(opAccess(), router))).toEqual(['src/routers/report.ts:15 error']);
  });
});
