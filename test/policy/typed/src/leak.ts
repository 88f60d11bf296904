import { PrismaClient } from '@prisma/client';

const prisma = new PrismaClient();

// `orgId` is optional: on the path where it is missing, Prisma drops it and reads every tenant.
export const list = (ctx: { orgId?: string }) => prisma.invoice.findMany({ where: { orgId: ctx.orgId } });

export function listChecked(ctx: { orgId?: string }) {
  if (!ctx.orgId) throw new Error('no tenant');
  return prisma.invoice.findMany({ where: { orgId: ctx.orgId } });
}
