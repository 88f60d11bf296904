// @ts-nocheck -- a fixture the rule reads; its imports are not installed.
// A tRPC context built from a Hono request: the organization comes from a request header and is
// not checked here (the procedures must check it). `user` comes from the session helper.
import type { Context } from 'hono';
import { z } from 'zod';
import { readSession } from './session';

type OrgContextOptions = { c: Context; source: 'app' | 'api' };

export type OrgContext = {
  user: { id: string; isAdmin: boolean; roles: string[] };
  orgId: string | undefined;
  source: 'app' | 'api';
};

export const createOrgContext = async ({ c, source }: OrgContextOptions): Promise<OrgContext> => {
  const session = await readSession(c);
  const headerOrg = c.req.raw.headers.get('x-org-id') || undefined;
  const orgId = z.string().optional().parse(headerOrg);
  return { user: session.user, orgId, source };
};
