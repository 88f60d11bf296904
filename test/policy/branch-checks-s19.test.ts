import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Issue 13, Cap (judged s19: actions/spaces/add-videos.ts:14, organizations/remove-videos.ts:17): a
 * server action whose client-chosen space is checked on every branch of an if/else before the
 * reads: `if (isOrgEntry) await requireOrganizationManager(user.id, spaceId); else { const access =
 * await getSpaceAccess(user.id, spaceId); if (!access?.canManage) throw ... }`. Every branch stops
 * a request the caller may not make, so what follows is checked. Twins: one branch without a check.
 */

const { makeProject } = useScratch();

const SCHEMA = `import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
export const organizations = pgTable('organizations', { id: uuid('id').primaryKey(), name: text('name') });
export const members = pgTable('members', { id: uuid('id').primaryKey(), organizationId: uuid('organization_id').notNull().references(() => organizations.id), userId: uuid('user_id').notNull(), role: text('role').notNull() });
export const shared = pgTable('shared', { id: uuid('id').primaryKey(), organizationId: uuid('organization_id').notNull().references(() => organizations.id), videoId: uuid('video_id').notNull() });
`;

const DB = `import { drizzle } from 'drizzle-orm/node-postgres';
export const db = drizzle(process.env.DATABASE_URL!);
`;

const AUTH = `import { and, eq } from 'drizzle-orm';
import { cookies } from 'next/headers';
import { db } from './db';
import { members } from './schema';
export async function getCurrentUser(): Promise<{ id: string; activeOrganizationId: string } | null> {
  const token = (await cookies()).get('session')?.value;
  return token ? { id: token, activeOrganizationId: token } : null;
}
export async function getAccess(userId: string, organizationId: string) {
  const [row] = await db.select().from(members).where(and(eq(members.userId, userId), eq(members.organizationId, organizationId)));
  return row ? { canManage: row.role === 'owner' } : null;
}
export async function requireManager(userId: string, organizationId: string) {
  const [row] = await db.select().from(members).where(and(eq(members.userId, userId), eq(members.organizationId, organizationId), eq(members.role, 'owner')));
  if (!row) throw new Error('Forbidden');
}
`;

function action(elseBranch: string): string {
  return `'use server';
import { and, eq } from 'drizzle-orm';
import { db } from '../db';
import { getAccess, getCurrentUser, requireManager } from '../auth';
import { shared } from '../schema';

export async function addVideos(organizationId: string, videoId: string) {
  const user = await getCurrentUser();
  if (!user) throw new Error('Unauthorized');
  const isAll = user.activeOrganizationId === organizationId;
  if (isAll) {
    await requireManager(user.id, organizationId);
  } else {
${elseBranch}
  }
  return db.select().from(shared).where(and(eq(shared.organizationId, organizationId), eq(shared.videoId, videoId)));
}
`;
}

const CHECKED = `    const access = await getAccess(user.id, organizationId);
    if (!access?.canManage) {
      throw new Error('Forbidden');
    }`;

function project(elseBranch: string, source = action(elseBranch)): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'cap-like', private: true, dependencies: { next: '^15.0.0', 'drizzle-orm': '^0.36.0', pg: '^8.13.0' } }),
    'drizzle.config.ts': `export default { schema: './src/schema.ts', dialect: 'postgresql' };`,
    'src/schema.ts': SCHEMA,
    'src/db.ts': DB,
    'src/auth.ts': AUTH,
    'src/actions/add.ts': source,
  });
}

async function errors(path: string) {
  return (await scan({ path })).findings.filter((f) => f.severity === 'error' && f.file === 'src/actions/add.ts').map((f) => `${f.ruleId}:${f.line}`);
}

describe('a client-chosen tenant checked on every branch of an if/else', () => {
  it('ok: requireManager in one branch, getAccess + throw in the other', async () => {
    expect(await errors(project(CHECKED))).toEqual([]);
  });

  it('err: the else branch checks nothing', async () => {
    expect(await errors(project(`    console.log('adding');`))).toEqual(['no-client-tenant-id:7']);
  });
});

describe('an else-if chain', () => {
  const chain = (last: string) =>
    action(CHECKED).replace(
      '  } else {\n' + CHECKED + '\n  }',
      `  } else if (organizationId.startsWith('team_')) {\n${CHECKED}\n  } else {\n${last}\n  }`,
    );

  it('ok: every arm of if / else if / else checks', async () => {
    const source = chain('    await requireManager(user.id, organizationId);');
    expect(source).toContain('else if');
    expect(await errors(project('', source))).toEqual([]);
  });

  it('err: the last else checks nothing', async () => {
    const source = chain('    console.log(organizationId);');
    expect(await errors(project('', source))).toEqual(['no-client-tenant-id:7']);
  });

  it('err: an if without else checks only some requests', async () => {
    const source = action(CHECKED).replace('  } else {\n' + CHECKED + '\n  }', '  }');
    expect(source).not.toContain('getAccess(user.id');
    expect(await errors(project('', source))).toEqual(['no-client-tenant-id:7']);
  });
});

describe('the same shape over Prisma', () => {
  const PRISMA = `model Organization {
  id      String   @id
  name    String
  members Member[]
  shared  Shared[]
}
model Member {
  id             String       @id
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  userId         String
  role           String
  @@index([organizationId, id])
}
model Shared {
  id             String       @id
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  videoId        String
  @@index([organizationId, id])
}
`;
  const AUTH_PRISMA = AUTH.replace("import { and, eq } from 'drizzle-orm';\n", '')
    .replace("import { members } from './schema';\n", '')
    .replace("const [row] = await db.select().from(members).where(and(eq(members.userId, userId), eq(members.organizationId, organizationId)));", 'const row = await db.member.findFirst({ where: { userId, organizationId } });')
    .replace("const [row] = await db.select().from(members).where(and(eq(members.userId, userId), eq(members.organizationId, organizationId), eq(members.role, 'owner')));", "const row = await db.member.findFirst({ where: { userId, organizationId, role: 'owner' } });");
  const prismaProject = (elseBranch: string) =>
    makeProject({
      'package.json': JSON.stringify({ name: 'cap-like-prisma', private: true, dependencies: { next: '^15.0.0', '@prisma/client': '^6.0.0' } }),
      'prisma/schema.prisma': PRISMA,
      'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
      'src/auth.ts': AUTH_PRISMA,
      'src/actions/add.ts': action(elseBranch)
        .replace("import { and, eq } from 'drizzle-orm';\n", '')
        .replace("import { shared } from '../schema';\n", '')
        .replace('return db.select().from(shared).where(and(eq(shared.organizationId, organizationId), eq(shared.videoId, videoId)));', 'return db.shared.findMany({ where: { organizationId, videoId } });'),
    });

  it('ok: both branches check', async () => {
    expect(AUTH_PRISMA).not.toContain('drizzle');
    expect(await errors(prismaProject(CHECKED))).toEqual([]);
  });

  it('err: the else branch checks nothing', async () => {
    expect(await errors(prismaProject(`    console.log('adding');`))).toEqual(['no-client-tenant-id:5']);
  });
});
