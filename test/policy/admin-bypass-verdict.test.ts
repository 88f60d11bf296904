import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * umami's permission helpers: `canUpdateTeam({ user }, teamId)` returns true at once for an instance
 * admin (`if (user.isAdmin) return true`) and otherwise the verdict of the caller's membership row.
 * A helper's result decides a key only when every truthy return is judged by a check of it; the
 * admin's return is an operator's bypass, not a gap (a regression of the either/or verdict rule
 * turned six of umami's team routes into errors). Twins: a bypass on a flag the client sends, and
 * one on a field that names no operator, still leave the route unchecked.
 */

const { makeProject } = useScratch();

const SCHEMA = `datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n
model User {\n  id      String     @id\n  isAdmin Boolean    @default(false)\n  teams   TeamUser[]\n}
model Team {\n  id    String     @id\n  name  String\n  users TeamUser[]\n}
model TeamUser {\n  id     String @id\n  teamId String\n  userId String\n  role   String\n  team   Team   @relation(fields: [teamId], references: [id])\n  user   User   @relation(fields: [userId], references: [id])\n  @@index([teamId, userId])\n}
`;

const AUTH = `import { getServerSession } from 'next-auth';
export async function parseRequest(request: Request) {
  const session = await getServerSession();
  return { auth: { user: session?.user ?? null }, body: await request.json() };
}
`;

function permission(bypass: string): string {
  return `import { prisma } from './db';
export async function canUpdateTeam({ user }: { user: { id: string; isAdmin: boolean; email: string } | null }, teamId: string, body?: { isAdmin?: boolean }) {
  if (!user) return false;
  if (${bypass}) return true;
  const teamUser = await prisma.teamUser.findFirst({ where: { teamId, userId: user.id } });
  return teamUser && teamUser.role === 'team-owner';
}
`;
}

const ROUTE = `import { prisma } from '../../../../db';
import { getServerSession } from 'next-auth';
import { canUpdateTeam } from '../../../../permissions';
export async function POST(request: Request, { params }: { params: { teamId: string } }) {
  const session = await getServerSession();
  if (!session) return new Response('unauthorized', { status: 401 });
  const body = await request.json();
  const teamId = params.teamId;
  if (!(await canUpdateTeam({ user: session.user }, teamId, body))) return new Response('unauthorized', { status: 401 });
  return prisma.team.update({ where: { id: teamId }, data: { name: body.name } });
}
`;

async function clientTenant(bypass: string): Promise<string[]> {
  const dir = makeProject({
    'package.json': JSON.stringify({ name: 'u', private: true, dependencies: { '@prisma/client': '^6.8.0', next: '^15.0.0', 'next-auth': '^4.24.0' } }),
    'prisma/schema.prisma': SCHEMA,
    'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
    'src/auth.ts': AUTH,
    'src/permissions.ts': permission(bypass),
    'src/app/api/teams/[teamId]/route.ts': ROUTE,
  });
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'no-client-tenant-id').map((f) => `${f.file} ${f.severity}`);
}

describe('an admin bypass inside a membership helper (umami canUpdateTeam)', () => {
  it("the verified user's admin flag returning true first: the helper still decides the team id", async () => {
    expect(await clientTenant('user.isAdmin')).toEqual([]);
  });

  it('twin: a flag the client sends in the body is no bypass: the route is reported', async () => {
    expect(await clientTenant('body?.isAdmin')).toEqual(['src/app/api/teams/[teamId]/route.ts error']);
  });

  it('twin: a truthy field that names no operator (any user with an email) is no bypass', async () => {
    expect(await clientTenant('user.email')).toEqual(['src/app/api/teams/[teamId]/route.ts error']);
  });
});
