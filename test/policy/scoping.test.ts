import { join } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/require-tenant-filter.js';

// What really scopes a query, beyond the filter itself: post-fetch ownership guards (inline, in a
// project helper, configured), and what does not (a check on something else, a guard after use).
// Invalid cases name the tenant `org`, so that no fix suggestion is offered. Linted as a file of test/rules/project (Prisma; tenant root Organization, key orgId).
const filename = join(import.meta.dirname, '..', 'rules', 'project', 'src', 'service.ts');
const ruleTester = new RuleTester({ defaultFilenames: { ts: filename, tsx: filename } });

const head = `import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
declare const res: { json(x: unknown): void };
declare function notFound(): Error;
declare function authorize(user: unknown, action: string, row: unknown): void;
declare function assertCanAccess(orgId: string): Promise<void>;
declare function assert(condition: unknown): asserts condition;
`;

ruleTester.run('require-tenant-filter: ownership guards', rule, {
  valid: [
    // the row's tenant is compared before it is returned
    `${head}export async function get(orgId: string, id: string) {
  const invoice = await prisma.invoice.findUnique({ where: { id } });
  if (!invoice || invoice.orgId !== orgId) throw notFound();
  return invoice;
}`,
    // the ObjectId forms of the comparison, and Koa's ctx.throw
    `${head}declare const ctx: { throw(status: number): never };
export async function get(orgId: string, id: string) {
  const invoice = await prisma.invoice.findUnique({ where: { id } });
  if (!invoice || invoice.orgId.toString() !== orgId) ctx.throw(404);
  return invoice;
}`,
    `${head}export async function get(orgId: { equals(x: unknown): boolean }, id: string) {
  const invoice = await prisma.invoice.findUnique({ where: { id } });
  if (!invoice) throw notFound();
  if (!(invoice.orgId as unknown as { equals(x: unknown): boolean }).equals(orgId)) throw notFound();
  return invoice;
}`,
    // Sequelize rows without declared attributes: row.get('orgId')
    `${head}export async function get(orgId: string, id: string) {
  const invoice: any = await prisma.invoice.findUnique({ where: { id } });
  if (!invoice || invoice.get('orgId') !== orgId) throw notFound();
  return invoice;
}`,
    // a null check first, then the tenant guard
    `${head}export async function get(orgId: string, id: string) {
  const invoice = await prisma.invoice.findUnique({ where: { id } });
  if (!invoice) throw notFound();
  if (invoice.orgId !== orgId) throw notFound();
  return invoice;
}`,
    // assert(...) with the tenant comparison
    `${head}export async function get(orgId: string, id: string) {
  const invoice = await prisma.invoice.findUniqueOrThrow({ where: { id } });
  assert(invoice.orgId === orgId);
  return invoice;
}`,
    // a project helper that throws unless the row is the tenant's
    `${head}function assertSameOrg(row: { orgId: string } | null, orgId: string) {
  if (!row || row.orgId !== orgId) throw notFound();
}
export async function get(orgId: string, id: string) {
  const invoice = await prisma.invoice.findUnique({ where: { id } });
  assertSameOrg(invoice, orgId);
  return invoice;
}`,
    // a configured policy call
    {
      code: `${head}export async function get(user: { orgId: string }, id: string) {
  const invoice = await prisma.invoice.findUnique({ where: { id } });
  authorize(user, 'read', invoice);
  return invoice;
}`,
      settings: { 'tenant-lint': { ownershipGuards: ['authorize'] } },
    },
    // id provenance: the project was loaded with a tenant filter, so its invoices are the tenant's
    `${head}export async function invoicesOf(orgId: string, id: string) {
  const project = await prisma.project.findFirst({ where: { id, orgId } });
  if (!project) throw notFound();
  return prisma.invoice.findMany({ where: { projectId: project.id } });
}`,
    // the same row again: a write by the id of the row a scoped read returned
    `${head}export async function rename(orgId: string, id: string) {
  const invoice = await prisma.invoice.findFirst({ where: { id, orgId } });
  if (!invoice) throw notFound();
  return prisma.invoice.update({ where: { id: invoice.id }, data: { status: 'RENAMED' } });
}`,
    // ...even when the read's filter comes from a helper the analysis cannot follow
    `${head}import { scopeOf } from 'some-auth-package';
export async function rename(user: string, id: string) {
  const invoice = await prisma.invoice.findFirst({ where: { id, ...scopeOf(user) } });
  if (!invoice) throw notFound();
  return prisma.invoice.delete({ where: { id: invoice.id } });
}`,
    // a scoped read, then the write inside a transaction callback
    `${head}export async function archive(orgId: string, id: string) {
  const invoice = await prisma.invoice.findFirstOrThrow({ where: { id, orgId } });
  return prisma.$transaction(async (tx) => tx.invoice.update({ where: { id }, data: { status: 'ARCHIVED' } }));
}`,
    // the guarded read protects the write by the same id
    `${head}export async function archive(orgId: string, id: string) {
  const invoice = await prisma.invoice.findUnique({ where: { id } });
  if (!invoice || invoice.orgId !== orgId) throw notFound();
  return prisma.invoice.update({ where: { id }, data: { status: 'ARCHIVED' } });
}`,
  ],
  invalid: [
    // a check on another thing does not scope this query
    {
      code: `${head}export async function remove(org: string, id: string) {
  await assertCanAccess(org);
  return prisma.invoice.delete({ where: { id } });
}`,
      errors: [{ messageId: 'missingTenantFilter' }],
    },
    // id provenance needs a loaded row: a projectId from the caller names any tenant's project
    {
      code: `${head}export const invoicesOf = (org: string, projectId: string) => prisma.invoice.findMany({ where: { projectId } });`,
      errors: [{ messageId: 'missingTenantFilter' }],
    },
    // the id of a row of another table names nothing of this one
    {
      code: `${head}export async function remove(org: string, id: string) {
  const project = await prisma.project.findFirst({ where: { id, orgId: org } });
  if (!project) throw notFound();
  return prisma.invoice.delete({ where: { id: project.id } });
}`,
      errors: [{ messageId: 'missingTenantFilter' }],
    },
    // the guard comes after the row was sent
    {
      code: `${head}export async function get(org: string, id: string) {
  const invoice = await prisma.invoice.findUnique({ where: { id } });
  res.json(invoice);
  if (!invoice || invoice.orgId !== org) throw notFound();
}`,
      errors: [{ messageId: 'missingTenantFilter' }],
    },
    // a guard on another variable
    {
      code: `${head}export async function get(org: string, id: string, other: { orgId: string }) {
  const invoice = await prisma.invoice.findUnique({ where: { id } });
  if (other.orgId !== org) throw notFound();
  return invoice;
}`,
      errors: [{ messageId: 'missingTenantFilter' }],
    },
    // a guard that does not exit
    {
      code: `${head}export async function get(org: string, id: string) {
  const invoice = await prisma.invoice.findUnique({ where: { id } });
  if (invoice && invoice.orgId !== org) console.warn('cross-tenant read');
  return invoice;
}`,
      errors: [{ messageId: 'missingTenantFilter' }],
    },
    // an unconfigured call with the row is not a guard
    {
      code: `${head}export async function get(user: { orgId: string }, id: string) {
  const invoice = await prisma.invoice.findUnique({ where: { id } });
  authorize(user, 'read', invoice);
  return invoice;
}`,
      errors: [{ messageId: 'missingTenantFilter' }],
    },
  ],
});

// Admin consoles: code reached only after the verified identity was checked to be an admin reads
// any tenant's rows on purpose.
const trpcHead = `import { initTRPC } from '@trpc/server';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const t = initTRPC.context<{ user: { id: string; isAdmin: boolean; orgId: string } }>().create();
`;

ruleTester.run('require-tenant-filter: admin-only procedures', rule, {
  valid: [
    `${trpcHead}const adminProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user.isAdmin) throw new Error('FORBIDDEN');
  return next();
});
export const findInvoice = adminProcedure.query(({ input }) => prisma.invoice.findFirst({ where: { id: String(input) } }));`,
  ],
  invalid: [
    {
      // a middleware that only logs is not a check
      code: `${trpcHead}const loggedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user.isAdmin) console.warn('not an admin');
  return next();
});
export const findInvoice = loggedProcedure.query(({ input }) => prisma.invoice.findFirst({ where: { id: String(input) } }));`,
      errors: [{ messageId: 'missingTenantFilter' }],
    },
  ],
});
