// @ts-nocheck -- a fixture the rule reads; its imports are not installed.
// tRPC builders whose ctx is OrgContext (org-context.ts): `ctx.orgId` is the client's header
// until a middleware checks it or replaces it.
import { initTRPC, TRPCError } from '@trpc/server';
import { prisma } from './db';
import type { OrgContext } from './org-context';
import { isAdmin } from './session';

const t = initTRPC.context<OrgContext>().create();

export const orgRouter = t.router;
export const orgMiddleware = t.middleware;

/** Signed in; passes the header's organization on unchanged. */
export const authedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next({ ctx: { ...ctx, orgId: ctx.orgId } });
});

/** Checks that the signed-in user is a member of the header's organization. */
export const memberProcedure = authedProcedure.use(async ({ ctx, next }) => {
  const membership = await prisma.membership.findFirst({ where: { orgId: ctx.orgId, userId: ctx.user.id } });
  if (!membership) throw new TRPCError({ code: 'FORBIDDEN' });
  return next();
});

/** Replaces the header's organization with the one of a membership of the signed-in user. */
export const scopedProcedure = authedProcedure.use(async ({ ctx, next }) => {
  const membership = await prisma.membership.findFirstOrThrow({ where: { orgId: ctx.orgId, userId: ctx.user.id } });
  return next({ ctx: { ...ctx, orgId: membership.orgId } });
});

/** Instance operators only: a flag on the verified user. */
export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (!ctx.user.isAdmin) throw new TRPCError({ code: 'FORBIDDEN' });
  return next();
});

/** Instance operators only: a role of the verified user. */
export const rolesAdminProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (!ctx.user || !ctx.user.roles.includes('ADMIN')) {
    throw new TRPCError({ code: 'FORBIDDEN' });
  }
  return next({ ctx });
});

/** Instance operators only: a helper named like the check, stored then tested. */
const operatorOnly = t.middleware(async ({ ctx, next }) => {
  const operator = isAdmin(ctx.user);
  if (!operator) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next();
});
export const helperAdminProcedure = t.procedure.use(operatorOnly);

/** Looks at the admin flag but lets everyone through. */
export const loggedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user.isAdmin) console.log('not an operator');
  return next();
});
