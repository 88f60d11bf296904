import { scan } from '../../src/scan/scan.js';

/*
 * A Next.js app with server actions over Prisma, an organisation guard and a session helper: the
 * shapes of Cap's and openpanel's identity getters and guards (field M2, M8), shared by the tests of
 * identity getters and of memoising wrappers.
 */

type MakeProject = (files: Record<string, string>) => string;

export const SCHEMA = `datasource db {
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

export const DB = `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`;

export function project(makeProject: MakeProject, files: Record<string, string>): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { '@prisma/client': '^6.8.0', next: '^15.0.0', react: '^19.0.0', 'next-auth': '^4.24.0', lodash: '^4.17.0' } }),
    'prisma/schema.prisma': SCHEMA,
    'src/db.ts': DB,
    ...files,
  });
}

/** The no-client-tenant-id findings and the sites it could not decide, in the action file. */
export async function verdicts(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  const findings = result.findings.filter((f) => f.ruleId === 'no-client-tenant-id').map((f) => `${f.file}:${f.line} ${f.severity}`);
  const unknown = result.unknown.filter((u) => u.ruleId === 'no-client-tenant-id').map((u) => `${u.file}:${u.line} unknown`);
  return [...findings, ...unknown];
}

// ---------------------------------------------------------------- the verified user (M8)

export const REQUIRE_ACCESS = `import { prisma } from './db';
export async function requireOrganizationAccess(userId: string, organizationId: string) {
  const member = await prisma.member.findFirst({ where: { userId, organizationId } });
  if (!member) throw new Error('Forbidden');
  return member;
}
`;

export const RENAME = `'use server';
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

export const CURRENT_USER = `async () => {
  const session = await getServerSession();
  if (!session) return null;
  return session.user ?? null;
}`;

export function identityProject(makeProject: MakeProject, session: string): string {
  return project(makeProject, { 'src/access.ts': REQUIRE_ACCESS, 'src/actions.ts': RENAME, 'src/session.ts': session });
}
