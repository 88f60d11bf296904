import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Session 17, kan (workspace update/delete): the workspace is looked up by the client's public id,
 * the verified user's permission in the row found is checked (`assertPermission(db, userId,
 * workspace.id, ...)`, which throws), and the write then names the row by the same public id. The
 * check of the row a client value found is a check of that value: the value names the row the user
 * was checked in. Twins: the permission is checked in a row found by another client value, or not at
 * all.
 */

const { makeProject } = useScratch();

const TRPC = `import { initTRPC, TRPCError } from '@trpc/server';
export interface Context { user: { id: string } | null; db: any }
const t = initTRPC.context<Context>().create();
export const router = t.router;
export const protectedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next({ ctx: { ...ctx, user: ctx.user } });
});
`;

const DRIZZLE_SCHEMA = `import { pgTable, serial, text, integer, varchar } from 'drizzle-orm/pg-core';
export const users = pgTable('users', { id: varchar('id').primaryKey(), email: text('email') });
export const workspaces = pgTable('workspaces', { id: serial('id').primaryKey(), publicId: varchar('public_id').notNull().unique(), name: text('name') });
export const workspaceMembers = pgTable('workspace_members', {
  id: serial('id').primaryKey(),
  workspaceId: integer('workspace_id').notNull().references(() => workspaces.id),
  userId: varchar('user_id').notNull().references(() => users.id),
});
export const boards = pgTable('boards', { id: serial('id').primaryKey(), workspaceId: integer('workspace_id').notNull().references(() => workspaces.id), name: text('name') });
`;

const DRIZZLE_REPO = `import { and, eq } from 'drizzle-orm';
import { workspaces, workspaceMembers } from './schema';
export const getByPublicId = (db: any, workspacePublicId: string) =>
  db.query.workspaces.findFirst({ columns: { id: true, name: true }, where: eq(workspaces.publicId, workspacePublicId) });
export const update = (db: any, workspacePublicId: string, name: string) =>
  db.update(workspaces).set({ name }).where(eq(workspaces.publicId, workspacePublicId));
export const hardDelete = (db: any, workspacePublicId: string) => db.delete(workspaces).where(eq(workspaces.publicId, workspacePublicId));
export const getMember = (db: any, userId: string, workspaceId: number) =>
  db.query.workspaceMembers.findFirst({ where: and(eq(workspaceMembers.userId, userId), eq(workspaceMembers.workspaceId, workspaceId)) });
`;

const PERMISSIONS = `import { TRPCError } from '@trpc/server';
import * as repo from './workspace.repo';
export async function assertPermission(db: any, userId: string, workspaceId: number, permission: string): Promise<void> {
  const member = await repo.getMember(db, userId, workspaceId);
  if (!member) throw new TRPCError({ code: 'FORBIDDEN', message: permission });
}
`;

function drizzleRouter(body: string, input = 'workspacePublicId: z.string()'): string {
  return `import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { router, protectedProcedure } from './trpc';
import * as workspaceRepo from './workspace.repo';
import { assertPermission } from './permissions';

export const workspaceRouter = router({
  update: protectedProcedure
    .input(z.object({ ${input}, name: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const userId = ctx.user.id;
${body}
    }),
});
`;
}

function drizzleProject(router: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'kan-like', private: true, dependencies: { '@trpc/server': '^11.0.0', 'drizzle-orm': '^0.43.1', pg: '^8.13.0', zod: '^3.23.0' } }),
    'src/schema.ts': DRIZZLE_SCHEMA,
    'src/trpc.ts': TRPC,
    'src/workspace.repo.ts': DRIZZLE_REPO,
    'src/permissions.ts': PERMISSIONS,
    'src/router.ts': router,
  });
}

async function clientTenantFindings(path: string) {
  return (await scan({ path })).findings.filter((f) => f.ruleId === 'no-client-tenant-id' && f.severity === 'error');
}

const LOOKUP = `      const workspace = await workspaceRepo.getByPublicId(ctx.db, input.workspacePublicId);
      if (!workspace) throw new TRPCError({ code: 'NOT_FOUND' });
`;

describe('Drizzle: the row a client value found is checked, then the same value names the row written', () => {
  it('ok: assertPermission on workspace.id, then update by input.workspacePublicId', async () => {
    const body = `${LOOKUP}      await assertPermission(ctx.db, userId, workspace.id, 'workspace:edit');
      return workspaceRepo.update(ctx.db, input.workspacePublicId, input.name);`;
    expect(await clientTenantFindings(drizzleProject(drizzleRouter(body)))).toEqual([]);
  });

  it('ok: the same before a delete', async () => {
    const body = `${LOOKUP}      await assertPermission(ctx.db, userId, workspace.id, 'workspace:delete');
      await workspaceRepo.hardDelete(ctx.db, input.workspacePublicId);
      return { success: true };`;
    expect(await clientTenantFindings(drizzleProject(drizzleRouter(body)))).toEqual([]);
  });

  it('err: the checked row was found by another client value', async () => {
    const body = `      const workspace = await workspaceRepo.getByPublicId(ctx.db, input.sourcePublicId);
      if (!workspace) throw new TRPCError({ code: 'NOT_FOUND' });
      await assertPermission(ctx.db, userId, workspace.id, 'workspace:edit');
      return workspaceRepo.update(ctx.db, input.workspacePublicId, input.name);`;
    const found = await clientTenantFindings(drizzleProject(drizzleRouter(body, 'workspacePublicId: z.string(), sourcePublicId: z.string()')));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/router.ts:15']);
  });

  it('err: the row is looked up but no permission is checked', async () => {
    const body = `${LOOKUP}      return workspaceRepo.update(ctx.db, input.workspacePublicId, input.name);`;
    const found = await clientTenantFindings(drizzleProject(drizzleRouter(body)));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/router.ts:14']);
  });
});

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id      String   @id
  members Member[]
}

model Workspace {
  id       Int      @id @default(autoincrement())
  publicId String   @unique
  name     String
  members  Member[]
  boards   Board[]
}

model Member {
  id          Int       @id @default(autoincrement())
  userId      String
  workspaceId Int
  user        User      @relation(fields: [userId], references: [id])
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
}

model Board {
  id          Int       @id @default(autoincrement())
  name        String
  workspaceId Int
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
}
`;

const PRISMA_PERMISSIONS = `import { TRPCError } from '@trpc/server';
export async function assertMember(db: any, userId: string, workspaceId: number): Promise<void> {
  const member = await db.member.findFirst({ where: { userId, workspaceId } });
  if (!member) throw new TRPCError({ code: 'FORBIDDEN' });
}
`;

function prismaRouter(body: string): string {
  return `import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { router, protectedProcedure } from './trpc';
import { assertMember } from './permissions';

export const workspaceRouter = router({
  rename: protectedProcedure
    .input(z.object({ workspacePublicId: z.string(), otherPublicId: z.string(), name: z.string() }))
    .mutation(async ({ ctx, input }) => {
${body}
    }),
});
`;
}

function prismaProject(router: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'kan-like-prisma', private: true, dependencies: { '@trpc/server': '^11.0.0', '@prisma/client': '^5.0.0', zod: '^3.23.0' } }),
    'prisma/schema.prisma': PRISMA_SCHEMA,
    'src/trpc.ts': TRPC,
    'src/permissions.ts': PRISMA_PERMISSIONS,
    'src/router.ts': router,
  });
}

describe('Prisma: the same through ctx.db', () => {
  it('ok: the membership of the row found by publicId, then the write by publicId', async () => {
    const body = `      const workspace = await ctx.db.workspace.findUnique({ where: { publicId: input.workspacePublicId } });
      if (!workspace) throw new TRPCError({ code: 'NOT_FOUND' });
      await assertMember(ctx.db, ctx.user.id, workspace.id);
      return ctx.db.workspace.update({ where: { publicId: input.workspacePublicId }, data: { name: input.name } });`;
    expect(await clientTenantFindings(prismaProject(prismaRouter(body)))).toEqual([]);
  });

  it('err: the membership of another row, then the write by publicId', async () => {
    const body = `      const workspace = await ctx.db.workspace.findUnique({ where: { publicId: input.otherPublicId } });
      if (!workspace) throw new TRPCError({ code: 'NOT_FOUND' });
      await assertMember(ctx.db, ctx.user.id, workspace.id);
      return ctx.db.workspace.update({ where: { publicId: input.workspacePublicId }, data: { name: input.name } });`;
    const found = await clientTenantFindings(prismaProject(prismaRouter(body)));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/router.ts:13']);
  });

  it('err: the row found by publicId, its name (not its key) compared, then the write', async () => {
    const body = `      const workspace = await ctx.db.workspace.findUnique({ where: { publicId: input.workspacePublicId } });
      if (!workspace) throw new TRPCError({ code: 'NOT_FOUND' });
      await assertMember(ctx.db, ctx.user.id, Number(workspace.name));
      return ctx.db.workspace.update({ where: { publicId: input.workspacePublicId }, data: { name: input.name } });`;
    const found = await clientTenantFindings(prismaProject(prismaRouter(body)));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/router.ts:13']);
  });
});

/*
 * Session 17, unkey (deploy/app/list.ts, deploy/domains/list.ts): a query filtered by the client's
 * project id whose conjunction also restricts the rows to the verified workspace: `inArray(routes.appId,
 * appIds)` with the ids of apps read within `ctx.workspace.id`, or an inner join of `projects` with
 * `eq(projects.workspaceId, ctx.workspace.id)`. Twins: the ids are the client's, the join lacks the
 * workspace condition, the condition is a branch of `or`.
 */
const DEPLOY_SCHEMA = `import { mysqlTable, varchar } from 'drizzle-orm/mysql-core';
export const workspaces = mysqlTable('workspaces', { id: varchar('id', { length: 256 }).primaryKey(), name: varchar('name', { length: 256 }) });
export const projects = mysqlTable('projects', { id: varchar('id', { length: 256 }).primaryKey(), workspaceId: varchar('workspace_id', { length: 256 }).notNull().references(() => workspaces.id) });
export const apps = mysqlTable('apps', {
  id: varchar('id', { length: 256 }).primaryKey(),
  workspaceId: varchar('workspace_id', { length: 256 }).notNull().references(() => workspaces.id),
  projectId: varchar('project_id', { length: 256 }).notNull(),
});
export const routes = mysqlTable('routes', {
  id: varchar('id', { length: 256 }).primaryKey(),
  projectId: varchar('project_id', { length: 256 }).notNull().references(() => projects.id),
  appId: varchar('app_id', { length: 256 }).notNull(),
  hostname: varchar('hostname', { length: 256 }),
});
`;

const DEPLOY_TRPC = `import { initTRPC, TRPCError } from '@trpc/server';
export interface Context { user: { id: string } | null; workspace: { id: string } | null }
const t = initTRPC.context<Context>().create();
export const router = t.router;
export const workspaceProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.workspace) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next({ ctx: { ...ctx, user: ctx.user, workspace: ctx.workspace } });
});
`;

function deployProject(body: string, input = 'projectId: z.string()'): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'unkey-like', private: true, dependencies: { '@trpc/server': '^11.0.0', 'drizzle-orm': '^0.43.1', mysql2: '^3.0.0', zod: '^3.23.0' } }),
    'src/schema.ts': DEPLOY_SCHEMA,
    'src/trpc.ts': DEPLOY_TRPC,
    'src/db.ts': "import { drizzle } from 'drizzle-orm/mysql2';\nimport * as schema from './schema';\nexport const db = drizzle(process.env.DATABASE_URL ?? '', { schema, mode: 'default' });\n",
    'src/router.ts': `import { z } from 'zod';
import { and, eq, inArray, or } from 'drizzle-orm';
import { workspaceProcedure } from './trpc';
import { db } from './db';
import { apps, projects, routes } from './schema';

export const list = workspaceProcedure
  .input(z.object({ ${input} }))
  .query(async ({ ctx, input }) => {
${body}
  });
`,
  });
}

const APPS = `    const appRows = await db.select({ id: apps.id }).from(apps).where(and(eq(apps.workspaceId, ctx.workspace.id), eq(apps.projectId, input.projectId)));
    if (appRows.length === 0) return [];
    const appIds = appRows.map((a) => a.id);
`;

describe('Drizzle: a client tenant key beside a condition that restricts the rows to the verified tenant', () => {
  it('ok: inArray(routes.appId, ids of apps read within ctx.workspace.id)', async () => {
    const body = `${APPS}    return db.select().from(routes).where(and(eq(routes.projectId, input.projectId), inArray(routes.appId, appIds)));`;
    expect(await clientTenantFindings(deployProject(body))).toEqual([]);
  });

  it('err: inArray(routes.appId, ids the client sent)', async () => {
    const body = `    return db.select().from(routes).where(and(eq(routes.projectId, input.projectId), inArray(routes.appId, input.appIds)));`;
    const found = await clientTenantFindings(deployProject(body, 'projectId: z.string(), appIds: z.array(z.string())'));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/router.ts:10']);
  });

  it('err: the ids of apps read by the client project alone', async () => {
    const body = `    const appRows = await db.select({ id: apps.id }).from(apps).where(eq(apps.projectId, input.projectId));
    const appIds = appRows.map((a) => a.id);
    return db.select().from(routes).where(and(eq(routes.projectId, input.projectId), inArray(routes.appId, appIds)));`;
    const found = await clientTenantFindings(deployProject(body));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/router.ts:12']);
  });

  it('ok: inner join of projects with eq(projects.workspaceId, ctx.workspace.id)', async () => {
    const body = `    return db
      .select({ id: routes.id })
      .from(routes)
      .innerJoin(projects, and(eq(projects.id, routes.projectId), eq(projects.workspaceId, ctx.workspace.id)))
      .where(and(eq(routes.projectId, input.projectId), eq(projects.workspaceId, ctx.workspace.id)));`;
    expect(await clientTenantFindings(deployProject(body))).toEqual([]);
  });

  it('err: the join without the workspace condition', async () => {
    const body = `    return db
      .select({ id: routes.id })
      .from(routes)
      .innerJoin(projects, eq(projects.id, routes.projectId))
      .where(eq(routes.projectId, input.projectId));`;
    const found = await clientTenantFindings(deployProject(body));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/router.ts:14']);
  });

  it('err: the workspace condition is a branch of or', async () => {
    const body = `    return db
      .select({ id: routes.id })
      .from(routes)
      .innerJoin(projects, eq(projects.id, routes.projectId))
      .where(and(eq(routes.projectId, input.projectId), or(eq(projects.workspaceId, ctx.workspace.id), eq(routes.hostname, 'public'))));`;
    const found = await clientTenantFindings(deployProject(body));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/router.ts:14']);
  });
});

const DEPLOY_PRISMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Workspace {
  id       String    @id
  projects Project[]
  apps     App[]
}

model Project {
  id          String    @id
  workspaceId String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
  routes      Route[]
}

model App {
  id          String    @id
  workspaceId String
  projectId   String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
}

model Route {
  id        String  @id
  projectId String
  appId     String
  project   Project @relation(fields: [projectId], references: [id])
}
`;

function deployPrisma(body: string, input = 'projectId: z.string()'): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'unkey-like-prisma', private: true, dependencies: { '@trpc/server': '^11.0.0', '@prisma/client': '^5.0.0', zod: '^3.23.0' } }),
    'prisma/schema.prisma': DEPLOY_PRISMA,
    'src/trpc.ts': DEPLOY_TRPC,
    'src/db.ts': "import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n",
    'src/router.ts': `import { z } from 'zod';
import { workspaceProcedure } from './trpc';
import { prisma } from './db';

export const list = workspaceProcedure
  .input(z.object({ ${input} }))
  .query(async ({ ctx, input }) => {
${body}
  });
`,
  });
}

describe('Prisma: the same restrictions', () => {
  it('ok: appId in the ids of apps read within ctx.workspace.id', async () => {
    const body = `    const appRows = await prisma.app.findMany({ where: { workspaceId: ctx.workspace.id, projectId: input.projectId } });
    const appIds = appRows.map((a) => a.id);
    return prisma.route.findMany({ where: { projectId: input.projectId, appId: { in: appIds } } });`;
    expect(await clientTenantFindings(deployPrisma(body))).toEqual([]);
  });

  it('err: appId in the ids the client sent', async () => {
    const body = `    return prisma.route.findMany({ where: { projectId: input.projectId, appId: { in: input.appIds } } });`;
    const found = await clientTenantFindings(deployPrisma(body, 'projectId: z.string(), appIds: z.array(z.string())'));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/router.ts:8']);
  });

  it('ok: the related project pinned to ctx.workspace.id', async () => {
    const body = `    return prisma.route.findMany({ where: { projectId: input.projectId, project: { workspaceId: ctx.workspace.id } } });`;
    expect(await clientTenantFindings(deployPrisma(body))).toEqual([]);
  });

  it('err: the related project pinned only in a branch of OR', async () => {
    const body = `    return prisma.route.findMany({ where: { projectId: input.projectId, OR: [{ project: { workspaceId: ctx.workspace.id } }, { appId: 'public' }] } });`;
    const found = await clientTenantFindings(deployPrisma(body));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/router.ts:8']);
  });
});
