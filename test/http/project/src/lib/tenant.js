// Helpers the RuleTester cases import: where the tenant comes from, and membership checks.
import { prisma } from './db';

/** Reads the tenant from a header: a client-controlled source behind a helper. */
export function getTenantId(req) {
  return req.headers['x-tenant-id'];
}

/** Reads the tenant from the verified user. */
export function getVerifiedTenantId(req) {
  return req.user.orgId;
}

/** Throws unless the user is a member of the organization. */
export async function assertMember(userId, orgId) {
  const membership = await prisma.membership.findFirst({ where: { userId, orgId } });
  if (!membership) throw new Error('Forbidden');
}

/** Whether the user is a member of the organization. */
export async function isMember(userId, orgId) {
  const membership = await prisma.membership.findUnique({ where: { orgId_userId: { orgId, userId } } });
  return membership !== null;
}

/** Sets the tenant context from a header, given any request. */
export function useHeaderTenant(req) {
  req.orgId = req.get('x-org-id');
}
