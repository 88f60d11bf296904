import { join } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/no-client-tenant-id.js';
import filterRule from '../../rules/require-tenant-filter.js';

// Issue 13, useSend's adminProcedure (judged s18): `protectedProcedure.use(async ({ ctx, next }) => { if
// (env.NEXT_PUBLIC_IS_CLOUD && ctx.session.user.email !== env.ADMIN_EMAIL) throw ...; return next(); })`.
// Only the operator the server's environment names passes: choosing any team is what the console is
// for, as with an `isAdmin` flag. Twins: the address compared with one the client sends, and a
// middleware that compares nothing. Linted as files of test/http/project (tenant root Organization, key orgId).
const project = join(import.meta.dirname, '..', 'http', 'project');
const filename = join(project, 'src', 'handler.ts');
const ruleTester = new RuleTester({ defaultFilenames: { ts: filename, tsx: filename } });

const head = `import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { prisma } from './lib/db';
import { authedProcedure } from './lib/trpc-org';
`;

ruleTester.run('no-client-tenant-id: a procedure only the operator named by the environment reaches', rule, {
  valid: [
    // the session user's address compared with the operator's, from the environment
    `${head}const operatorProcedure = authedProcedure.use(async ({ ctx, next }) => {
  if (process.env.IS_CLOUD && ctx.user.email !== process.env.ADMIN_EMAIL) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next();
});
export const settle = operatorProcedure.input(z.object({ orgId: z.string() })).mutation(({ input }) => prisma.invoice.updateMany({ where: { orgId: input.orgId }, data: { status: 'void' } }));`,
  ],
  invalid: [
    {
      // the address it is compared with is the client's own
      code: `${head}const operatorProcedure = authedProcedure.use(async ({ ctx, next, input }) => {
  if (ctx.user.email !== (input as { adminEmail: string }).adminEmail) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next();
});
export const settle = operatorProcedure.input(z.object({ orgId: z.string() })).mutation(({ input }) => prisma.invoice.updateMany({ where: { orgId: input.orgId }, data: { status: 'void' } }));`,
      errors: [{ messageId: 'clientTenantId' }],
    },
    {
      // a middleware that only reads the environment checks no one
      code: `${head}const operatorProcedure = authedProcedure.use(async ({ ctx, next }) => {
  if (!process.env.ADMIN_EMAIL) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next();
});
export const settle = operatorProcedure.input(z.object({ orgId: z.string() })).mutation(({ input }) => prisma.invoice.updateMany({ where: { orgId: input.orgId }, data: { status: 'void' } }));`,
      errors: [{ messageId: 'clientTenantId' }],
    },
  ],
});

ruleTester.run('require-tenant-filter: a procedure only the operator named by the environment reaches', filterRule, {
  valid: [
    // operator code: reads any tenant's invoice on purpose
    `${head}const operatorProcedure = authedProcedure.use(async ({ ctx, next }) => {
  if (ctx.user.email !== process.env.ADMIN_EMAIL) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next();
});
export const find = operatorProcedure.input(z.object({ id: z.string() })).query(({ input }) => prisma.invoice.findFirst({ where: { id: input.id } }));`,
  ],
  invalid: [
    {
      // compared with an address from the request: not an operator check
      code: `${head}const operatorProcedure = authedProcedure.use(async ({ ctx, next, input }) => {
  if (ctx.user.email !== (input as { adminEmail: string }).adminEmail) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next();
});
export const find = operatorProcedure.input(z.object({ id: z.string() })).query(({ input }) => prisma.invoice.findFirst({ where: { id: input.id } }));`,
      errors: [{ messageId: 'missingTenantFilter' }],
    },
  ],
});
