import { describe, expect, it } from 'vitest';
import { useScratch } from '../helpers/scratch.js';
import { REQUIRE_ACCESS, RENAME, CURRENT_USER, project, verdicts, identityProject } from '../helpers/server-action-app.js';

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


describe('an identity getter wrapped in a memoising function (Cap, M8)', () => {
  it("react's cache(): the session's user, or null, is the verified user", async () => {
    const dir = identityProject(makeProject, `import { cache } from 'react';\nimport { getServerSession } from 'next-auth';\nexport const getCurrentUser = cache(${CURRENT_USER});\n`);
    expect(await verdicts(dir)).toEqual([]);
  });

  it("lodash's memoize through the namespace, and a project wrapper that forwards its arguments", async () => {
    const lodash = identityProject(makeProject, `import _ from 'lodash';\nimport { getServerSession } from 'next-auth';\nexport const getCurrentUser = _.memoize(${CURRENT_USER});\n`);
    expect(await verdicts(lodash)).toEqual([]);
    const own = identityProject(makeProject, 
      `import { getServerSession } from 'next-auth';\nfunction once<T extends (...args: any[]) => any>(fn: T) {\n  let done: ReturnType<T> | undefined;\n  return (...args: Parameters<T>) => {\n    if (done) return done;\n    const result = fn(...args);\n    done = result;\n    return result;\n  };\n}\nexport const getCurrentUser = once(${CURRENT_USER});\n`,
    );
    expect(await verdicts(own)).toEqual([]);
  });

  it("Cap's shape: the user's row found by the session's user id is the verified user", async () => {
    const dir = identityProject(makeProject, 
      `import { cache } from 'react';\nimport { getServerSession } from 'next-auth';\nimport { prisma } from './db';\nexport const getCurrentUser = cache(async () => {\n  const session = await getServerSession();\n  if (!session) return null;\n  const currentUser = await prisma.user.findUnique({ where: { id: session.user.id } });\n  return currentUser ?? null;\n});\n`,
    );
    expect(await verdicts(dir)).toEqual([]);
  });

  it("twin: a user's row found by an id the caller hands in is not the verified user", async () => {
    const session = `import { cache } from 'react';\nimport { prisma } from './db';\nexport const getCurrentUser = cache(async (id: string) => prisma.user.findUnique({ where: { id } }));\n`;
    const action = RENAME.replace('renameProjects(organizationId: string, name: string)', 'renameProjects(organizationId: string, name: string, userId: string)').replace('getCurrentUser()', 'getCurrentUser(userId)');
    const dir = project(makeProject, { 'src/access.ts': REQUIRE_ACCESS, 'src/actions.ts': action, 'src/session.ts': session });
    expect(await verdicts(dir)).not.toEqual([]);
  });

  it('twin: a project wrapper whose function ignores the one handed in is not seen through', async () => {
    const dir = identityProject(makeProject, 
      `import { getServerSession } from 'next-auth';\nfunction remember<T extends (...args: any[]) => any>(fn: T) {\n  void fn;\n  return async (..._args: Parameters<T>) => ({ id: process.env.DEFAULT_USER });\n}\nexport const getCurrentUser = remember(${CURRENT_USER});\n`,
    );
    expect(await verdicts(dir)).not.toEqual([]);
  });

  it('twin: the wrapped getter reads the user from the request headers: the client chose it', async () => {
    const dir = identityProject(makeProject, 
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
  return project(makeProject, { 'src/cachable.ts': CACHEABLE, 'src/access.ts': ACCESS, 'src/actions.ts': LIST, ...files });
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
