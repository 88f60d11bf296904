import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Field misreadings M2 and M8: a guard or an identity getter wrapped in a memoising function is
 * the function it wraps. Cap's `export const getCurrentUser = cache(async () => { const session =
 * await getServerSession(...); if (!session) return null; ... })` (react), and openpanel's
 * `export const getProjectAccess = cacheable('getProjectAccess', async ({ userId, projectId }) =>
 * !!(await db.member.findFirst(...)), 60 * 5)` (a project wrapper whose returned function calls
 * `fn(...args)` and returns its result). Twins: a wrapper whose function ignores the one handed in,
 * or calls it with other arguments; the identity read from the request inside the wrapped
 * function; a guard whose failure does not stop the request.
 */

const { makeProject } = useScratch();

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id       String    @id
  projects Project[]
  members  Member[]
}

model User {
  id      String   @id
  email   String   @unique
  members Member[]
}

model Member {
  id             String       @id
  userId         String
  organizationId String
  user           User         @relation(fields: [userId], references: [id])
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, userId])
}

model Project {
  id             String       @id
  name           String
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, id])
}
`;

const DB = `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`;

function project(files: Record<string, string>): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { '@prisma/client': '^6.8.0', next: '^15.0.0', react: '^19.0.0', 'next-auth': '^4.24.0', lodash: '^4.17.0' } }),
    'prisma/schema.prisma': SCHEMA,
    'src/db.ts': DB,
    ...files,
  });
}

/** The no-client-tenant-id findings and the sites it could not decide, in the action file. */
async function verdicts(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  const findings = result.findings.filter((f) => f.ruleId === 'no-client-tenant-id').map((f) => `${f.file}:${f.line} ${f.severity}`);
  const unknown = result.unknown.filter((u) => u.ruleId === 'no-client-tenant-id').map((u) => `${u.file}:${u.line} unknown`);
  return [...findings, ...unknown];
}

// ---------------------------------------------------------------- the verified user (M8)

const REQUIRE_ACCESS = `import { prisma } from './db';
export async function requireOrganizationAccess(userId: string, organizationId: string) {
  const member = await prisma.member.findFirst({ where: { userId, organizationId } });
  if (!member) throw new Error('Forbidden');
  return member;
}
`;

const RENAME = `'use server';
import { prisma } from './db';
import { getCurrentUser } from './session';
import { requireOrganizationAccess } from './access';

export async function renameProjects(organizationId: string, name: string) {
  const user = await getCurrentUser();
  if (!user) throw new Error('Unauthorized');
  await requireOrganizationAccess(user.id, organizationId);
  await prisma.project.updateMany({ where: { organizationId }, data: { name } });
}
`;

const CURRENT_USER = `async () => {
  const session = await getServerSession();
  if (!session) return null;
  return session.user ?? null;
}`;

function identityProject(session: string): string {
  return project({ 'src/access.ts': REQUIRE_ACCESS, 'src/actions.ts': RENAME, 'src/session.ts': session });
}

describe('an identity getter wrapped in a memoising function (Cap, M8)', () => {
  it("react's cache(): the session's user, or null, is the verified user", async () => {
    const dir = identityProject(`import { cache } from 'react';\nimport { getServerSession } from 'next-auth';\nexport const getCurrentUser = cache(${CURRENT_USER});\n`);
    expect(await verdicts(dir)).toEqual([]);
  });

  it("lodash's memoize through the namespace, and a project wrapper that forwards its arguments", async () => {
    const lodash = identityProject(`import _ from 'lodash';\nimport { getServerSession } from 'next-auth';\nexport const getCurrentUser = _.memoize(${CURRENT_USER});\n`);
    expect(await verdicts(lodash)).toEqual([]);
    const own = identityProject(
      `import { getServerSession } from 'next-auth';\nfunction once<T extends (...args: any[]) => any>(fn: T) {\n  let done: ReturnType<T> | undefined;\n  return (...args: Parameters<T>) => {\n    if (done) return done;\n    const result = fn(...args);\n    done = result;\n    return result;\n  };\n}\nexport const getCurrentUser = once(${CURRENT_USER});\n`,
    );
    expect(await verdicts(own)).toEqual([]);
  });

  it("Cap's shape: the user's row found by the session's user id is the verified user", async () => {
    const dir = identityProject(
      `import { cache } from 'react';\nimport { getServerSession } from 'next-auth';\nimport { prisma } from './db';\nexport const getCurrentUser = cache(async () => {\n  const session = await getServerSession();\n  if (!session) return null;\n  const currentUser = await prisma.user.findUnique({ where: { id: session.user.id } });\n  return currentUser ?? null;\n});\n`,
    );
    expect(await verdicts(dir)).toEqual([]);
  });

  it("twin: a user's row found by an id the caller hands in is not the verified user", async () => {
    const session = `import { cache } from 'react';\nimport { prisma } from './db';\nexport const getCurrentUser = cache(async (id: string) => prisma.user.findUnique({ where: { id } }));\n`;
    const action = RENAME.replace('renameProjects(organizationId: string, name: string)', 'renameProjects(organizationId: string, name: string, userId: string)').replace('getCurrentUser()', 'getCurrentUser(userId)');
    const dir = project({ 'src/access.ts': REQUIRE_ACCESS, 'src/actions.ts': action, 'src/session.ts': session });
    expect(await verdicts(dir)).not.toEqual([]);
  });

  it('twin: a project wrapper whose function ignores the one handed in is not seen through', async () => {
    const dir = identityProject(
      `import { getServerSession } from 'next-auth';\nfunction remember<T extends (...args: any[]) => any>(fn: T) {\n  void fn;\n  return async (..._args: Parameters<T>) => ({ id: process.env.DEFAULT_USER });\n}\nexport const getCurrentUser = remember(${CURRENT_USER});\n`,
    );
    expect(await verdicts(dir)).not.toEqual([]);
  });

  it('twin: the wrapped getter reads the user from the request headers: the client chose it', async () => {
    const dir = identityProject(
      `import { cache } from 'react';\nimport { headers } from 'next/headers';\nexport const getCurrentUser = cache(async () => {\n  const h = await headers();\n  return { id: h.get('x-user-id') };\n});\n`,
    );
    expect(await verdicts(dir)).not.toEqual([]);
  });
});

// ---------------------------------------------------------------- a guard (M2)

const CACHEABLE = `export function cacheable<T extends (...args: any) => any>(fn: T, ttl: number): T;
export function cacheable<T extends (...args: any) => any>(name: string, fn: T, ttl: number): T;
export function cacheable<T extends (...args: any) => any>(fnOrName: T | string, fnOrTtl: number | T, maybeTtl?: number) {
  const fn = typeof fnOrName === 'function' ? fnOrName : typeof fnOrTtl === 'function' ? fnOrTtl : null;
  if (typeof fn !== 'function') throw new Error('fn is not a function');
  const store = new Map<string, any>();
  const cachedFn = async (...args: Parameters<T>): Promise<Awaited<ReturnType<T>>> => {
    const key = JSON.stringify(args);
    if (store.has(key)) return store.get(key);
    const result = await fn(...(args as any));
    store.set(key, result);
    return result;
  };
  void maybeTtl;
  return cachedFn;
}
`;

const ACCESS = `import { prisma } from './db';
import { cacheable } from './cachable';
export const getOrganizationAccess = cacheable(
  'getOrganizationAccess',
  async ({ userId, organizationId }: { userId: string; organizationId: string }) => !!(await prisma.member.findFirst({ where: { userId, organizationId } })),
  60 * 5,
);
`;

const LIST = `'use server';
import { getServerSession } from 'next-auth';
import { prisma } from './db';
import { getOrganizationAccess } from './access';

export async function listProjects(organizationId: string) {
  const session = await getServerSession();
  const access = await getOrganizationAccess({ organizationId, userId: session.user.id });
  if (!access) throw new Error('Forbidden');
  return prisma.project.findMany({ where: { organizationId } });
}
`;

function guardProject(files: Record<string, string>): string {
  return project({ 'src/cachable.ts': CACHEABLE, 'src/access.ts': ACCESS, 'src/actions.ts': LIST, ...files });
}

describe('a membership guard wrapped in a caching function (openpanel, M2)', () => {
  it('a project wrapper (name, fn, ttl) whose function returns fn(...args): the guard is read', async () => {
    expect(await verdicts(guardProject({}))).toEqual([]);
  });

  it("next's unstable_cache: the guard is read", async () => {
    const access = `import { unstable_cache } from 'next/cache';\nimport { prisma } from './db';\nexport const getOrganizationAccess = unstable_cache(async ({ userId, organizationId }: { userId: string; organizationId: string }) => !!(await prisma.member.findFirst({ where: { userId, organizationId } })), ['access']);\n`;
    expect(await verdicts(guardProject({ 'src/access.ts': access }))).toEqual([]);
  });

  it('twin: the guard whose failure does not stop the request', async () => {
    const list = LIST.replace("if (!access) throw new Error('Forbidden');", "if (!access) console.warn('no access');");
    expect(await verdicts(guardProject({ 'src/actions.ts': list }))).toEqual(['src/actions.ts:6 error']);
  });

  it('twin: a wrapper whose function does not call the one handed in gives nothing', async () => {
    const cachable = `export function cacheable<T extends (...args: any) => any>(name: string, fn: T, ttl: number) {\n  void name; void ttl; void fn;\n  return async (..._args: Parameters<T>) => true;\n}\n`;
    expect(await verdicts(guardProject({ 'src/cachable.ts': cachable }))).toEqual(['src/actions.ts:6 error']);
  });

  it('twin: a wrapper that calls the function with other arguments gives nothing', async () => {
    const cachable = `export function cacheable<T extends (...args: any) => any>(name: string, fn: T, ttl: number) {\n  void name; void ttl;\n  return async (...args: Parameters<T>) => fn({ ...args[0], userId: 'system' });\n}\n`;
    expect(await verdicts(guardProject({ 'src/cachable.ts': cachable }))).toEqual(['src/actions.ts:6 error']);
  });
});
