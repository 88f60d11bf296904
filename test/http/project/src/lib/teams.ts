// @ts-nocheck -- a fixture the rule reads; its imports are not installed.
// Helpers that take an organization id from the caller together with the signed-in user's id
// (documenso's getTeamById shape). Whether they check membership decides the caller's query.
import { prisma } from './db';

/** Checks membership, but through a `where` that another helper builds (read only by spreading it). */
export const requireOrg = async ({ orgId, userId }: { orgId: string; userId: string }) => {
  const org = await prisma.organization.findFirst({ where: { ...memberOrgWhere({ userId }), id: orgId } });
  if (!org) throw new Error('Not found');
  return org;
};

function memberOrgWhere({ userId }: { userId: string }) {
  return { members: { some: { userId } } };
}

/** Checks membership five calls down: deeper than the analysis follows. */
export const requireOrgDeep = async (orgId: string, userId: string) => levelOne(orgId, userId);
const levelOne = async (orgId: string, userId: string) => levelTwo(orgId, userId);
const levelTwo = async (orgId: string, userId: string) => levelThree(orgId, userId);
const levelThree = async (orgId: string, userId: string) => levelFour(orgId, userId);
const levelFour = async (orgId: string, userId: string) => {
  const membership = await prisma.membership.findFirst({ where: { orgId, userId } });
  if (!membership) throw new Error('Forbidden');
};

/** Takes the user's id and never uses it: loads any organization the caller names. */
export const loadOrg = async ({ orgId, userId }: { orgId: string; userId: string }) => {
  void userId;
  return prisma.organization.findUnique({ where: { id: orgId } });
};

/** Checks membership with a lookup whose `where` another helper builds, then lists the invoices (documenso's getWebhooksByTeamId). */
export const listOrgInvoices = async (orgId: string, userId: string) => {
  const org = await prisma.organization.findFirst({ where: userId ? memberOrgWhere({ userId, orgId }) : { id: orgId } });
  if (!org) throw new Error('Not found');
  return prisma.invoice.findMany({ where: { orgId } });
};

/** Lists the invoices of any organization the caller names: the user's id is only logged. */
export const listOrgInvoicesUnchecked = async (orgId: string, userId: string) => {
  console.log(userId);
  return prisma.invoice.findMany({ where: { orgId } });
};

/** Checks membership through an `include` filtered by the user (documenso's getMemberRoles). */
export const orgRoles = async ({ orgId, reference }: { orgId: string; reference: { id: string } }) => {
  const org = await prisma.organization.findUnique({ where: { id: orgId }, include: { members: { where: { userId: reference.id } } } });
  if (!org || org.members.length === 0) throw new Error('Not found');
  return org.members;
};
