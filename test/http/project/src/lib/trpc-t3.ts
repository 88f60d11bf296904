// @ts-nocheck -- a fixture the rule reads; its imports are not installed.
// A create-t3-app style setup: the context type is `typeof createTRPCContext`, and the context
// takes the organization from a header of the fetch request.
import { initTRPC } from '@trpc/server';
import { auth } from './auth';

export const createTRPCContext = async (opts: { headers: Headers }) => {
  const session = await auth();
  return { session, orgId: opts.headers.get('x-org-id') };
};

const t = initTRPC.context<typeof createTRPCContext>().create();

export const t3Procedure = t.procedure;
