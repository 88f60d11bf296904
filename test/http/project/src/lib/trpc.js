// tRPC builders the router cases import; procedures are traced back to initTRPC.
import { initTRPC } from '@trpc/server';

const t = initTRPC.context().create();
export const router = t.router;
export const publicProcedure = t.procedure;
export const middleware = t.middleware;
