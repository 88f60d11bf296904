import { describe, expect, it } from 'vitest';
import { useScratch } from '../helpers/scratch.js';
import { REQUIRE_ACCESS, RENAME, CURRENT_USER, project, verdicts, identityProject } from '../helpers/server-action-app.js';

/*
 * A project helper that returns the verified user is the verified user where it is called:
 * `if (!session) return null; return session.user ?? null` (the user or nothing), and the user's
 * own row found by the session's user id (`prisma.user.findUnique({ where: { id: session.user.id }
 * })`, Cap's getCurrentUser, field M8). Twins: the row found by an id the caller hands in, or by a
 * row of tenant data found by the user's id; the user read from the request headers.
 */

const { makeProject } = useScratch();


describe('a helper that returns the verified user', () => {
  it("the session's user, or null", async () => {
    const dir = identityProject(makeProject, `import { getServerSession } from 'next-auth';\nexport const getCurrentUser = ${CURRENT_USER};\n`);
    expect(await verdicts(dir)).toEqual([]);
  });

  it("the user's row found by the session's user id", async () => {
    const dir = identityProject(makeProject, 
      `import { getServerSession } from 'next-auth';\nimport { prisma } from './db';\nexport async function getCurrentUser() {\n  const session = await getServerSession();\n  if (!session) return null;\n  const currentUser = await prisma.user.findUnique({ where: { id: session.user.id } });\n  return currentUser ?? null;\n}\n`,
    );
    expect(await verdicts(dir)).toEqual([]);
  });

  it("twin: the row found by an id the caller hands in is not the verified user", async () => {
    const session = `import { prisma } from './db';\nexport async function getCurrentUser(id: string) {\n  return prisma.user.findUnique({ where: { id } });\n}\n`;
    const action = RENAME.replace('renameProjects(organizationId: string, name: string)', 'renameProjects(organizationId: string, name: string, userId: string)').replace('getCurrentUser()', 'getCurrentUser(userId)');
    const dir = project(makeProject, { 'src/access.ts': REQUIRE_ACCESS, 'src/actions.ts': action, 'src/session.ts': session });
    expect(await verdicts(dir)).not.toEqual([]);
  });

  it("twin: a row of tenant data found by the user's id (a membership) is not the user", async () => {
    const dir = identityProject(makeProject, 
      `import { getServerSession } from 'next-auth';\nimport { prisma } from './db';\nexport async function getCurrentUser() {\n  const session = await getServerSession();\n  return prisma.member.findFirst({ where: { userId: session.user.id } });\n}\n`,
    );
    expect(await verdicts(dir)).not.toEqual([]);
  });

  it('twin: the user read from the request headers is the client\'s choice', async () => {
    const dir = identityProject(makeProject, `import { headers } from 'next/headers';\nexport async function getCurrentUser() {\n  const h = await headers();\n  return { id: h.get('x-user-id') };\n}\n`);
    expect(await verdicts(dir)).not.toEqual([]);
  });
});
