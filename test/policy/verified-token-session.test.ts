import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * umami's identity: `checkAuth(request)` verifies the bearer token with the server's secret
 * (`jwt.verify(decrypt(token, secret), secret)`), then loads the user's own row by the token's
 * `userId`, or first reads the server's session store under the token's `authKey` (Redis) and
 * loads the row by the `userId` stored there; `parseRequest` hands the route `{ auth, body, error }`.
 * The permission helpers test `user.isAdmin` of that user before the team membership, so the admin
 * return is an operator's bypass and the helper decides the team id (six team routes had become
 * errors when the user was not traced through `let user = null; user = ...`, `payload || {}`, the
 * returned object and the spread `where`).
 * Twins: the admin flag read from the body, a token only decoded (not verified), and a session
 * store read under a key the client sends all leave the route unchecked.
 */

const { makeProject } = useScratch();

const PRISMA_SCHEMA = `datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n
model User {\n  id      String     @id\n  role    String\n  teams   TeamUser[]\n}
model Team {\n  id    String     @id\n  name  String\n  users TeamUser[]\n}
model TeamUser {\n  id     String @id\n  teamId String\n  userId String\n  role   String\n  team   Team   @relation(fields: [teamId], references: [id])\n  user   User   @relation(fields: [userId], references: [id])\n  @@index([teamId, userId])\n}
`;

const DRIZZLE_SCHEMA = `import { pgTable, text } from 'drizzle-orm/pg-core';
export const users = pgTable('users', { id: text('id').primaryKey(), role: text('role').notNull() });
export const teams = pgTable('teams', { id: text('id').primaryKey(), name: text('name').notNull() });
export const teamUsers = pgTable('team_users', {
  id: text('id').primaryKey(),
  teamId: text('team_id').notNull().references(() => teams.id),
  userId: text('user_id').notNull().references(() => users.id),
  role: text('role').notNull(),
});
`;

interface Layer {
  deps: Record<string, string>;
  files: Record<string, string>;
  /** `getUser(userId)`: the user's own row. */
  getUser: string;
  getTeamUser: string;
  updateTeam: string;
  imports: string;
}

const PRISMA: Layer = {
  deps: { '@prisma/client': '^6.8.0' },
  files: {
    'prisma/schema.prisma': PRISMA_SCHEMA,
    'src/lib/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
  },
  imports: `import { prisma } from './db';`,
  // umami's findUser: the caller's criteria spread into the filter.
  getUser: `async function findUser(criteria: { where: { id?: string } }) {
  return prisma.user.findUnique({ ...criteria, where: { ...criteria.where, deletedAt: null } });
}
export async function getUser(userId: string) {
  return findUser({ where: { id: userId } });
}`,
  getTeamUser: `export async function getTeamUser(teamId: string, userId: string) {
  return prisma.teamUser.findFirst({ where: { teamId, userId } });
}`,
  updateTeam: `export async function updateTeam(teamId: string, data: any) {
  return prisma.team.update({ where: { id: teamId }, data });
}`,
};

const DRIZZLE: Layer = {
  deps: { 'drizzle-orm': '^0.44.0', postgres: '^3.4.0' },
  files: {
    'src/lib/schema.ts': DRIZZLE_SCHEMA,
    'src/lib/db.ts': `import { drizzle } from 'drizzle-orm/postgres-js';\nimport postgres from 'postgres';\nimport * as schema from './schema';\nexport const db = drizzle(postgres(process.env.DATABASE_URL!), { schema });\n`,
  },
  imports: `import { and, eq } from 'drizzle-orm';\nimport { db } from './db';\nimport { teams, teamUsers, users } from './schema';`,
  getUser: `export async function getUser(userId: string) {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  return user;
}`,
  getTeamUser: `export async function getTeamUser(teamId: string, userId: string) {
  const [row] = await db.select().from(teamUsers).where(and(eq(teamUsers.teamId, teamId), eq(teamUsers.userId, userId)));
  return row;
}`,
  updateTeam: `export async function updateTeam(teamId: string, data: any) {
  return db.update(teams).set({ name: data.name }).where(eq(teams.id, teamId));
}`,
};

interface Variant {
  /** How the token is read: `jwt.verify(token, secret)` or a decode that checks nothing. */
  verify?: string;
  /** The key of the session store read. */
  sessionKey?: string;
  /** The admin test in the permission helper. */
  bypass?: string;
  /** Which branch sets the user: the token's own id, or the session store's. */
  branch?: 'token' | 'session';
}

function project(layer: Layer, variant: Variant = {}): Record<string, string> {
  const { verify = 'jwt.verify(token, secret)', sessionKey = 'authKey', bypass = 'user.isAdmin', branch = 'token' } = variant;
  const lookup =
    branch === 'token'
      ? `  if (userId) {
    user = await getUser(userId);
  }`
      : `  if (authKey) {
    const key = await redis.get(${sessionKey});
    if (key?.userId) {
      user = await getUser(key.userId);
    }
  }`;
  return {
    'package.json': JSON.stringify({ name: 'u', private: true, dependencies: { ...layer.deps, next: '^15.0.0', jsonwebtoken: '^9.0.0', ioredis: '^5.4.0' } }),
    ...layer.files,
    'src/lib/redis.ts': `import Redis from 'ioredis';\nexport const redis = new Redis(process.env.REDIS_URL!);\n`,
    'src/lib/jwt.ts': `import jwt from 'jsonwebtoken';
export function parseSecureToken(token: string | undefined, secret: string): any {
  try {
    return ${verify};
  } catch {
    return null;
  }
}
`,
    'src/lib/users.ts': `${layer.imports}\n${layer.getUser}\n`,
    'src/lib/auth.ts': `import { parseSecureToken } from './jwt';
import { redis } from './redis';
import { getUser } from './users';
export async function checkAuth(request: Request) {
  const token = request.headers.get('authorization')?.split(' ')[1];
  const payload = parseSecureToken(token, process.env.APP_SECRET!);
  let user: any = null;
  const { userId, authKey } = payload || {};
${lookup}
  if (!user?.id) return null;
  user.isAdmin = user.role === 'admin';
  return { token, user };
}
`,
    'src/lib/request.ts': `import { checkAuth } from './auth';
export async function parseRequest(request: Request, options?: { skipAuth: boolean }): Promise<any> {
  const body = await request.clone().json();
  let error: (() => Response) | undefined;
  let auth = null;
  if (!options?.skipAuth) {
    auth = await checkAuth(request);
    if (!auth) {
      error = () => new Response('unauthorized', { status: 401 });
    }
  }
  return { body, auth, error };
}
`,
    'src/lib/teams.ts': `${layer.imports}\n${layer.getTeamUser}\n${layer.updateTeam}\n`,
    'src/permissions/team.ts': `import { getTeamUser } from '../lib/teams';
export async function canUpdateTeam({ user }: any, teamId: string, body?: any) {
  if (!user) {
    return false;
  }
  if (${bypass}) {
    return true;
  }
  const teamUser = await getTeamUser(teamId, user.id);
  return teamUser && teamUser.role === 'team-owner';
}
`,
    'src/app/api/teams/[teamId]/route.ts': `import { parseRequest } from '../../../../lib/request';
import { canUpdateTeam } from '../../../../permissions/team';
import { updateTeam } from '../../../../lib/teams';
export async function POST(request: Request, { params }: { params: Promise<{ teamId: string }> }) {
  const { auth, body, error } = await parseRequest(request);
  if (error) {
    return error();
  }
  const { teamId } = await params;
  if (!(await canUpdateTeam(auth, teamId, body))) {
    return new Response('unauthorized', { status: 401 });
  }
  const team = await updateTeam(teamId, body);
  return Response.json(team);
}
`,
  };
}

async function clientTenant(layer: Layer, variant?: Variant): Promise<string[]> {
  const result = await scan({ path: makeProject(project(layer, variant)) });
  return result.findings.filter((f) => f.ruleId === 'no-client-tenant-id').map((f) => `${f.file} ${f.severity}`);
}

const ROUTE = ['src/app/api/teams/[teamId]/route.ts error'];

describe.each([
  ['Prisma', PRISMA],
  ['Drizzle', DRIZZLE],
])("umami's checkAuth: the user loaded by a verified token is the verified identity (%s)", (_name, layer) => {
  it("the token's own user id: the admin bypass is the operator's, the helper decides the team id", async () => {
    expect(await clientTenant(layer)).toEqual([]);
  });

  it("the server's session store read under the token's key: the same", async () => {
    expect(await clientTenant(layer, { branch: 'session' })).toEqual([]);
  });

  it('twin: an admin flag read from the request body is no bypass', async () => {
    expect(await clientTenant(layer, { bypass: 'body?.isAdmin' })).toEqual(ROUTE);
  });

  it('twin: a token only decoded, not verified, names no verified user', async () => {
    expect(await clientTenant(layer, { verify: 'jwt.decode(token)' })).toEqual(ROUTE);
  });

  it('twin: a session store read under a key the client sends holds what anyone stored there', async () => {
    expect(await clientTenant(layer, { branch: 'session', sessionKey: "request.headers.get('x-session')" })).toEqual(ROUTE);
  });

  it('twin: a session store read under a key built around the verified value may hold what the user picked', async () => {
    expect(await clientTenant(layer, { branch: 'session', sessionKey: '`prefs:${authKey}`' })).toEqual(ROUTE);
  });
});
