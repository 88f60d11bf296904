// A service the RuleTester cases call: its query is where a tenant id passed in becomes the filter.
import { prisma } from './db';

export function listInvoices(orgId) {
  return prisma.invoice.findMany({ where: { orgId } });
}

export function countInvoices(orgId) {
  return prisma.invoice.count({ where: { orgId } });
}

export function findInvoices({ orgId, take }) {
  return prisma.invoice.findMany({ where: { orgId }, take });
}
