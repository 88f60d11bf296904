import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/no-client-tenant-id.js';
import { onDisk } from '../helpers/on-disk.js';

const ruleTester = new RuleTester();

// Field case M1 (openpanel): the procedures of a router are built on a base procedure whose
// middleware reads the raw input (`await getRawInput()`, or the `rawInput` option of older tRPC),
// and, when it carries a `projectId`, asks a membership helper whether the verified user may see
// that project and throws when not. Every procedure built on the base has its `input.projectId`
// checked before the resolver runs. Only the field the middleware checks is covered; twins: a
// middleware that only logs the failure, one that checks another field, one whose user is the
// client's.
const schema = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id       String    @id
  name     String
  members  Member[]
  projects Project[]
}

model Member {
  id             String       @id
  userId         String
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
}

model Project {
  id             String       @id
  name           String
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  reports        Report[]
}

model Dashboard {
  id             String @id
  name           String
  projectId      String
  organizationId String
}

model Report {
  id        String  @id
  name      String
  projectId String
  project   Project @relation(fields: [projectId], references: [id])
}
`;

const db = `import { PrismaClient } from '@prisma/client';
export const db = new PrismaClient();
`;

// The membership helpers: the project's organization, then a member row of the user in it. Defined
// plainly, or as the function a cache wrapper is handed (`cached('key', async (...) => ..., ttl)`);
// or the project looked up through its organization's members (`relation`).
function access(wrapped = false, memberFilter = 'organizationId: project.organizationId, userId', relation = false): string {
  const project = relation
    ? `async ({ userId, projectId }: { userId: string; projectId: string }) => {
  const project = await db.project.findFirst({ where: { id: projectId, organization: { members: { some: { userId } } } } });
  return project !== null;
}`
    : `async ({ userId, projectId }: { userId: string; projectId: string }) => {
  const project = await db.project.findUnique({ where: { id: projectId } });
  if (!project) return false;
  const member = await db.member.findFirst({ where: { ${memberFilter} } });
  return Boolean(member);
}`;
  return `import { db } from './db';
import { cached } from './cache';

export const canSeeProject = ${wrapped ? `cached('project-access', ${project}, 300)` : project};

export async function canSeeOrganization({ userId, organizationId }: { userId: string; organizationId: string }) {
  return db.member.findFirst({ where: { organizationId, userId } });
}
`;
}

// A cache wrapper: calls the function it wraps with the arguments it is given.
const cache = `const store = new Map<string, unknown>();

export function cached<A extends object, R>(name: string, fn: (args: A) => Promise<R>, ttl: number) {
  return async (args: A): Promise<R> => {
    const key = name + JSON.stringify(args) + ttl;
    if (store.has(key)) return store.get(key) as R;
    const value = await fn(args);
    store.set(key, value);
    return value;
  };
}
`;

interface Options {
  /** How the middleware gets the raw input: tRPC 11's `getRawInput()` or tRPC 10's `rawInput` option. */
  raw?: 'getRawInput' | 'rawInput';
  /** The field the middleware tests for and checks. */
  field?: 'projectId' | 'organizationId';
  /** What the middleware does when the helper says no. */
  deny?: string;
  /** The user handed to the helper. */
  user?: string;
  /** The middleware body around the check (`%` is the check). */
  around?: string;
  /** The project helper is the function handed to a cache wrapper. */
  wrapped?: boolean;
  /** The member lookup's filter in the project helper. */
  memberFilter?: string;
  /** The project helper finds the project through its organization's members. */
  relation?: boolean;
}

function trpc(options: Options = {}): string {
  const { raw = 'getRawInput', field = 'projectId', deny = `throw new ForbiddenError('no access to this ${field === 'projectId' ? 'project' : 'organization'}');`, user = 'ctx.session.userId!' } = options;
  const helper = field === 'projectId' ? 'canSeeProject' : 'canSeeOrganization';
  const read = raw === 'getRawInput' ? `  const rawInput = await getRawInput();\n` : '';
  const check = `  if (has('${field}', rawInput)) {
    const allowed = await ${helper}({ userId: ${user}, ${field}: rawInput.${field} as string });
    if (!allowed) {
      ${deny}
    }
  }
  return next();`;
  const body = options.around ? options.around.replace('%', check) : check;
  return `import { initTRPC, TRPCError } from '@trpc/server';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import { has } from 'ramda';
import { canSeeOrganization, canSeeProject } from './access';

export class ForbiddenError extends TRPCError {
  constructor(message: string) {
    super({ code: 'FORBIDDEN', message });
  }
}

export async function createContext({ req }: CreateFastifyContextOptions) {
  return { req, session: (req as any).session as { userId?: string } };
}
export type Context = Awaited<ReturnType<typeof createContext>>;

const t = initTRPC.context<Context>().create();

const requireUser = t.middleware(({ ctx, next }) => {
  if (!ctx.session?.userId) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next({ ctx: { session: { ...ctx.session } } });
});

const requireAccess = t.middleware(async ({ ctx, next, ${raw} }) => {
${read}${body}
});

export const router = t.router;
export const publicProcedure = t.procedure;
export const protectedProcedure = t.procedure.use(requireUser).use(requireAccess);
`;
}

const reportsByProject = `import { z } from 'zod';
import { db } from '../db';
import { protectedProcedure, router } from '../trpc';

export const reportRouter = router({
  list: protectedProcedure.input(z.object({ projectId: z.string() })).query(({ input }) => db.report.findMany({ where: { projectId: input.projectId } })),
  create: protectedProcedure
    .input(z.object({ projectId: z.string(), name: z.string() }))
    .mutation(({ input }) => db.report.create({ data: { projectId: input.projectId, name: input.name } })),
});
`;

const projectsByOrganization = `import { z } from 'zod';
import { db } from '../db';
import { protectedProcedure, router } from '../trpc';

export const projectRouter = router({
  list: protectedProcedure.input(z.object({ organizationId: z.string() })).query(({ input }) => db.project.findMany({ where: { organizationId: input.organizationId } })),
});
`;

// The project's organization, looked up by the project the client names, written beside it.
const dashboardsByProject = `import { z } from 'zod';
import { db } from '../db';
import { protectedProcedure, router } from '../trpc';

export const dashboardRouter = router({
  create: protectedProcedure.input(z.object({ projectId: z.string(), name: z.string() })).mutation(async ({ input }) => {
    const project = await db.project.findUniqueOrThrow({ where: { id: input.projectId } });
    return db.dashboard.create({ data: { name: input.name, projectId: input.projectId, organizationId: project.organizationId } });
  }),
});
`;

function project(router: string, options: Options = {}, file = 'src/routers/report.ts'): { code: string; filename: string } {
  return onDisk(router, file, {
    'package.json': JSON.stringify({ name: 'trpc-raw-input', dependencies: { '@trpc/server': '^11.0.0', '@prisma/client': '^6.0.0', ramda: '^0.30.0', zod: '^3.24.0' } }),
    'prisma/schema.prisma': schema,
    'src/db.ts': db,
    'src/access.ts': access(options.wrapped, options.memberFilter, options.relation),
    'src/cache.ts': cache,
    'src/trpc.ts': trpc(options),
  });
}

const clientTenant = { messageId: 'clientTenantId' as const };

ruleTester.run('no-client-tenant-id: a base procedure whose middleware checks the raw input', rule, {
  valid: [
    // tRPC 11: `await getRawInput()`, checked against the verified user, a throw on failure
    project(reportsByProject),
    // tRPC 10: the `rawInput` option
    project(reportsByProject, { raw: 'rawInput' }),
    // the failure returned as an error result instead of thrown
    project(reportsByProject, { deny: `return { ok: false as const, error: new TRPCError({ code: 'FORBIDDEN' }) };` }),
    // the check inside an early return of the middleware
    project(reportsByProject, { around: `if (!rawInput) return next();\n%` }),
    // a row looked up by the checked project (its organization) is the user's too
    project(dashboardsByProject, {}, 'src/routers/dashboard.ts'),
    project(reportsByProject, { relation: true }),
    project(dashboardsByProject, { relation: true }, 'src/routers/dashboard.ts'),
    // the project helper is the function a cache wrapper is handed
    project(reportsByProject, { wrapped: true }),
    // the organization checked, and the procedure filters by the organization
    project(projectsByOrganization, { field: 'organizationId' }, 'src/routers/project.ts'),
  ],
  invalid: [
    // the same procedures on the base without the middleware
    {
      ...project(reportsByProject.replaceAll('protectedProcedure', 'publicProcedure')),
      errors: [clientTenant, clientTenant],
    },
    // a middleware that only logs the failure lets every call through
    { ...project(reportsByProject, { deny: `console.warn('no access', rawInput.projectId);` }), errors: [clientTenant, clientTenant] },
    // a middleware that checks the organization does not cover the project the procedure names
    { ...project(reportsByProject, { field: 'organizationId' }), errors: [clientTenant, clientTenant] },
    { ...project(dashboardsByProject, { field: 'organizationId' }, 'src/routers/dashboard.ts'), errors: [{ messageId: 'unverifiedTenantLookup' as const }] },
    // ... nor does one that checks the project cover the organization
    { ...project(projectsByOrganization, {}, 'src/routers/project.ts'), errors: [clientTenant] },
    // the project helper looks up any member of the project's organization, not the user
    { ...project(reportsByProject, { memberFilter: 'organizationId: project.organizationId' }), errors: [clientTenant, clientTenant] },
    { ...project(reportsByProject, { wrapped: true, memberFilter: 'organizationId: project.organizationId' }), errors: [clientTenant, clientTenant] },
    // the user handed to the helper is the client's: the check proves nothing
    { ...project(reportsByProject, { user: 'rawInput.userId as string' }), errors: [clientTenant, clientTenant] },
  ],
});
