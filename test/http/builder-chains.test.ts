import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { MAX_ROOT_HOPS } from '../../src/http/trace.js';
import { useScratch } from '../helpers/scratch.js';

// Issue 13: a tRPC procedure whose builder is built from builders (`protectedProcedure =
// publicProcedure.use(...)`, re-exported across files) was not recognised past ten calls and
// declarations, and its input was never traced: no finding, and nothing said so. The calls of one
// chain now cost nothing and each builder is followed once; a chain still longer than the budget
// is counted as not analysable with the reason, never dropped.
const { makeProject } = useScratch();

const schema = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Team {
  id       String    @id
  projects Project[]
}

model Project {
  id     String @id
  teamId String
  team   Team   @relation(fields: [teamId], references: [id])
}
`;

const trpc = `import { initTRPC, TRPCError } from '@trpc/server';
import type { createContext } from './context';
const t = initTRPC.context<typeof createContext>().create();
export const router = t.router;
export const logged = t.middleware(({ next }) => next());
export const p0 = t.procedure.use(({ ctx, next }) => {
  if (!ctx.session) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next({ ctx: { session: ctx.session } });
});
`;

const context = `import type { CreateExpressContextOptions } from '@trpc/server/adapters/express';
import jwt from 'jsonwebtoken';
export function createContext({ req }: CreateExpressContextOptions) {
  const token = req.headers.authorization ?? '';
  return { session: jwt.verify(token, process.env.JWT_SECRET ?? '') as { teamId: string } };
}
`;

/** `p1 = p0.use(logged).use(logged)`, ... `pN`: N builders, each a declaration built on the one before. */
function builders(count: number): string {
  const lines = [`import { logged, p0 } from './trpc';`];
  for (let i = 1; i <= count; i++) lines.push(`${i === count ? 'export ' : ''}const p${i} = p${i - 1}.use(logged).use(logged).meta({});`);
  return `${lines.join('\n')}\n`;
}

function router(builder: string): string {
  return `import { z } from 'zod';
import { PrismaClient } from '@prisma/client';
import { ${builder} } from './builders';
import { router } from './trpc';
const db = new PrismaClient();
export const projects = router({
  mine: ${builder}.input(z.object({})).query(({ ctx }) => db.project.findMany({ where: { teamId: ctx.session.teamId } })),
  forTeam: ${builder}.input(z.object({ teamId: z.string() })).query(({ input }) => db.project.findMany({ where: { teamId: input.teamId } })),
});
`;
}

async function scanChain(count: number) {
  const dir = makeProject({
    'package.json': JSON.stringify({ name: 'chain', dependencies: { '@prisma/client': '^6', '@trpc/server': '^11', zod: '^3', jsonwebtoken: '^9' } }),
    'prisma/schema.prisma': schema,
    'src/trpc.ts': trpc,
    'src/context.ts': context,
    'src/builders.ts': builders(count),
    'src/router.ts': router(`p${count}`),
  });
  return scan({ path: dir });
}

describe('tRPC builder chains', () => {
  it('a procedure twelve builders (and thirty-six calls) from initTRPC is still a procedure: its input leaks, its session does not err', async () => {
    const result = await scanChain(12);
    const nct = result.findings.filter((f) => f.ruleId === 'no-client-tenant-id');
    expect(nct.map((f) => `${f.file}:${f.line}`)).toEqual(['src/router.ts:8']);
    expect(result.unknown.filter((u) => u.ruleId === 'no-client-tenant-id')).toEqual([]);
  });

  it('a chain of builders past the budget is counted as not analysable, with the reason, not dropped err', async () => {
    const result = await scanChain(MAX_ROOT_HOPS + 4);
    const unknown = result.unknown.filter((u) => u.ruleId === 'no-client-tenant-id' && u.file === 'src/router.ts');
    expect(unknown.length).toBeGreaterThan(0);
    expect(unknown[0]?.reason).toMatch(/belongs to a web framework is not decided: its receiver is built through more than \d+ declarations/);
  });
});
