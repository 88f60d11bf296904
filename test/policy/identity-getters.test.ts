import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * A project helper that returns the verified user is the verified user where it is called:
 * `if (!session) return null; return session.user ?? null` (the user or nothing), and the user's
 * own row found by the session's user id (`prisma.user.findUnique({ where: { id: session.user.id }
 * })`, Cap's getCurrentUser, field M8). Twins: the row found by an id the caller hands in, or by a
 * row of tenant data found by the user's id; the user read from the request headers.
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

describe('a helper that returns the verified user', () => {
  it("the session's user, or null", async () => {
    const dir = identityProject(`import { getServerSession } from 'next-auth';\nexport const getCurrentUser = ${CURRENT_USER};\n`);
    expect(await verdicts(dir)).toEqual([]);
  });

  it("the user's row found by the session's user id", async () => {
    const dir = identityProject(
      `import { getServerSession } from 'next-auth';\nimport { prisma } from './db';\nexport async function getCurrentUser() {\n  const session = await getServerSession();\n  if (!session) return null;\n  const currentUser = await prisma.user.findUnique({ where: { id: session.user.id } });\n  return currentUser ?? null;\n}\n`,
    );
    expect(await verdicts(dir)).toEqual([]);
  });

  it("twin: the row found by an id the caller hands in is not the verified user", async () => {
    const session = `import { prisma } from './db';\nexport async function getCurrentUser(id: string) {\n  return prisma.user.findUnique({ where: { id } });\n}\n`;
    const action = RENAME.replace('renameProjects(organizationId: string, name: string)', 'renameProjects(organizationId: string, name: string, userId: string)').replace('getCurrentUser()', 'getCurrentUser(userId)');
    const dir = project({ 'src/access.ts': REQUIRE_ACCESS, 'src/actions.ts': action, 'src/session.ts': session });
    expect(await verdicts(dir)).not.toEqual([]);
  });

  it("twin: a row of tenant data found by the user's id (a membership) is not the user", async () => {
    const dir = identityProject(
      `import { getServerSession } from 'next-auth';\nimport { prisma } from './db';\nexport async function getCurrentUser() {\n  const session = await getServerSession();\n  return prisma.member.findFirst({ where: { userId: session.user.id } });\n}\n`,
    );
    expect(await verdicts(dir)).not.toEqual([]);
  });

  it('twin: the user read from the request headers is the client\'s choice', async () => {
    const dir = identityProject(`import { headers } from 'next/headers';\nexport async function getCurrentUser() {\n  const h = await headers();\n  return { id: h.get('x-user-id') };\n}\n`);
    expect(await verdicts(dir)).not.toEqual([]);
  });
});
