import { vitestRuleTester } from '../helpers/rule-tester.js';
import { describe, expect, it } from 'vitest';
import rule from '../../rules/no-client-tenant-id.js';
import { onDisk } from '../helpers/on-disk.js';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

const ruleTester = vitestRuleTester();

// Field case tianji (judged tianji-1, -8): the base procedure's middleware reads the workspace id
// with lodash's `get(input, 'workspaceId', '')` and throws unless the verified user is a member of
// that workspace. The read is the member it names, so every procedure on the base is checked, used
// bare (`workspaceProcedure.query(...)`) or with its own `.input(...)`. Twins: the same procedures on
// a base whose middleware only authenticates, and a `get` whose path is not written out.
const schema = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
model Workspace {
  id            String         @id
  members       WorkspaceUser[]
  notifications Notification[]
}
model WorkspaceUser {
  userId      String
  workspaceId String
  role        String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
  @@id([userId, workspaceId])
}
model Notification {
  id          String    @id
  name        String
  workspaceId String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
  @@index([workspaceId, id])
}
`;

const db = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

const trpc = `import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import { get } from 'lodash-es';
import { prisma } from './db';

export async function createContext({ req }: { req: any }) {
  return { user: req.user as { id: string } | undefined };
}
type Context = Awaited<ReturnType<typeof createContext>>;
const t = initTRPC.context<Context>().create();
export const router = t.router;
export const publicProcedure = t.procedure;

const isUser = t.middleware(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next({ ctx: { user: ctx.user } });
});

async function getWorkspaceUser(workspaceId: string, userId: string) {
  return prisma.workspaceUser.findUnique({ where: { userId_workspaceId: { userId, workspaceId } } });
}

function createWorkspacePermissionMiddleware(roles: string[] = []) {
  return isUser.unstable_pipe(async (opts) => {
    const { ctx, input } = opts;
    const workspaceId = get(input, 'workspaceId', '');
    if (!workspaceId) throw new TRPCError({ code: 'BAD_REQUEST' });
    const info = await getWorkspaceUser(workspaceId, ctx.user.id);
    if (!info) throw new TRPCError({ code: 'FORBIDDEN' });
    if (roles.length > 0 && !roles.includes(info.role)) throw new TRPCError({ code: 'FORBIDDEN' });
    return opts.next();
  });
}

export const workspaceProcedure = publicProcedure.input(z.object({ workspaceId: z.string() })).use(createWorkspacePermissionMiddleware());
export const looseProcedure = publicProcedure.input(z.object({ workspaceId: z.string() })).use(isUser);
`;

const routes = `import { z } from 'zod';
import { prisma } from '../db';
import { looseProcedure, router, workspaceProcedure } from '../trpc';

export const notificationRouter = router({
  all: workspaceProcedure.query(({ input }) => prisma.notification.findMany({ where: { workspaceId: input.workspaceId } })),
  named: workspaceProcedure.input(z.object({ name: z.string() })).query(({ input }) => prisma.notification.findMany({ where: { workspaceId: input.workspaceId, name: input.name } })),
  bare: workspaceProcedure.query(({ input }) => { const { workspaceId } = input; return prisma.notification.findMany({ where: { workspaceId } }); }),
});
`;

const files = (trpcText: string) => ({
  'package.json': JSON.stringify({ name: 'trpc-lodash-get', dependencies: { '@trpc/server': '^11.0.0', '@prisma/client': '^6.0.0', 'lodash-es': '^4.17.0', zod: '^3.24.0' } }),
  'prisma/schema.prisma': schema,
  'src/db.ts': db,
  'src/trpc.ts': trpcText,
});

const clientTenant = { messageId: 'clientTenantId' as const };
const loose = routes.replaceAll('workspaceProcedure', 'looseProcedure').replace('import { looseProcedure, router, looseProcedure }', 'import { looseProcedure, router }');
const dynamicPath = trpc.replace("get(input, 'workspaceId', '')", "get(input, String(ctx.user?.id), '')");

ruleTester.run('no-client-tenant-id: a procedure middleware that reads the input with lodash get', rule, {
  valid: [onDisk(routes, 'src/routers/notification.ts', files(trpc))],
  invalid: [
    { ...onDisk(loose, 'src/routers/notification.ts', files(trpc)), errors: [clientTenant, clientTenant, clientTenant] },
    { ...onDisk(routes, 'src/routers/notification.ts', files(dynamicPath)), errors: [clientTenant, clientTenant, clientTenant] },
  ],
});

const { makeProject } = useScratch();

describe('the scan agrees', () => {
  it('checked by the middleware: no finding; on the base without it: error', async () => {
    const dir = makeProject({ ...files(trpc), 'src/routers/notification.ts': routes, 'src/routers/loose.ts': loose });
    const result = await scan({ path: dir });
    expect(result.findings.filter((f) => f.ruleId === 'no-client-tenant-id').map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual(['src/routers/loose.ts:6 error', 'src/routers/loose.ts:7 error', 'src/routers/loose.ts:8 error']);
  });
});
