import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Issue 13, misreadings judged on AFFiNE (E058) and worklenz (E084): a read whose rows never leave
 * the code, only whether it found any, is a check and not a use of the tenant's data. AFFiNE's
 * `workspacePage.count({ where: { workspaceId, public: true } })` answers "does this workspace
 * share a page?" as a boolean (inside `Promise.all`); worklenz's login asks whether the invitation's
 * team member has the authenticated email (`if (r.rowCount && r.rowCount > 0)`). Twins: the rows,
 * or the count itself, are sent back to the client. (The filter pins `archived: false`, not AFFiNE's `public: true`:
 * a read pinned to published rows is exempt on its own, see published-rows-s18.test.ts.)
 */

const { makeProject } = useScratch();

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Workspace {
  id      String   @id
  pages   Page[]
  members Member[]
  blobs   Blob[]
}

model User {
  id      String   @id
  members Member[]
}

model Member {
  id          String    @id
  workspaceId String
  userId      String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
  user        User      @relation(fields: [userId], references: [id])
  @@index([workspaceId, id])
}

model Page {
  id          String    @id
  workspaceId String
  public      Boolean
  archived    Boolean
  title       String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
  @@index([workspaceId, id])
}

model Blob {
  id          String    @id
  workspaceId String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
  @@index([workspaceId, id])
}
`;

function prismaProject(service: string, handler: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'existence-prisma', private: true, dependencies: { express: '^4.21.0', '@prisma/client': '^6.8.0' } }),
    'prisma/schema.prisma': PRISMA_SCHEMA,
    'src/db.ts': `import { PrismaClient } from '@prisma/client';\n\nexport const prisma = new PrismaClient();\n`,
    'src/pages.ts': `import { prisma } from './db';\n\n${service}`,
    'src/routes.ts': `import express from 'express';\nimport { isPublic, publicPages } from './pages';\n\nexport const app = express();\n\napp.get('/workspaces/:id/shared', async (req, res) => {\n${handler}\n});\n`,
  });
}

const IS_PUBLIC = `export async function isPublic(workspaceId: string, userId?: string): Promise<boolean> {
  const [member, pages] = await Promise.all([
    userId ? prisma.member.findFirst({ where: { workspaceId, userId } }) : null,
    prisma.page.count({ where: { workspaceId, archived: false } }),
  ]);
  return member !== null || pages > 0;
}

export async function publicPages(workspaceId: string) {
  return prisma.page.findMany({ where: { workspaceId, archived: false } });
}
`;

async function clientTenantFindings(path: string) {
  return (await scan({ path })).findings.filter((f) => f.ruleId === 'no-client-tenant-id');
}

describe('a read only tested for whether it found anything (Prisma)', () => {
  it('ok: a count inside Promise.all, compared, returned as a boolean', async () => {
    expect(await clientTenantFindings(prismaProject(IS_PUBLIC, `  res.json({ shared: await isPublic(req.params.id, (req as any).user?.id) });`))).toEqual([]);
  });

  it('err: the rows of the same filter sent back', async () => {
    const found = await clientTenantFindings(prismaProject(IS_PUBLIC, `  res.json(await publicPages(req.params.id));`));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/routes.ts:7']);
  });

  it('err: the count itself sent back', async () => {
    const service = `export async function isPublic(workspaceId: string) {\n  const pages = await prisma.page.count({ where: { workspaceId, archived: false } });\n  return pages;\n}\nexport const publicPages = isPublic;\n`;
    const found = await clientTenantFindings(prismaProject(service, `  res.json({ pages: await isPublic(req.params.id) });`));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/routes.ts:7']);
  });
});

const MIGRATION = `create table users (id uuid primary key, email text not null);
create table teams (id uuid primary key, name text not null);
create table team_members (id uuid primary key, team_id uuid not null references teams (id), user_id uuid references users (id), email text not null);
create table clients (id uuid primary key, team_id uuid not null references teams (id), name text);
create table job_titles (id uuid primary key, team_id uuid not null references teams (id), name text);
create index on team_members (team_id, id);
create index on clients (team_id, id);
create index on job_titles (team_id, id);
`;

function login(after: string): string {
  return `import { Request } from 'express';
import { Strategy as LocalStrategy } from 'passport-local';
import bcrypt from 'bcrypt';
import db from './db';

async function handleLogin(req: Request, email: string, password: string, done: any) {
  const result = await db.query('SELECT id, password FROM users WHERE LOWER(email) = $1', [email.toLowerCase()]);
  const [user] = result.rows;
  if (!user || !bcrypt.compareSync(password, user.password)) return done(null, false);
  const { team_id, team_member_id } = req.body;
  if (team_id && team_member_id) {
    const invitation = await db.query('SELECT 1 FROM team_members tm WHERE tm.id = $1 AND tm.team_id = $2 AND LOWER(tm.email) = $3 LIMIT 1', [team_member_id, team_id, email.toLowerCase()]);
${after}
  }
  return done(null, user);
}

export default new LocalStrategy({ usernameField: 'email', passReqToCallback: true }, handleLogin);
`;
}

function sqlProject(after: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'existence-sql', private: true, dependencies: { express: '^4.21.0', pg: '^8.13.0', 'passport-local': '^1.0.0', bcrypt: '^5.1.0' } }),
    'migrations/0001_init.sql': MIGRATION,
    'src/db.ts': `import { Pool } from 'pg';\n\nconst pool = new Pool();\n\nexport default {\n  query: (text: string, params?: unknown[]) => pool.query(text, params),\n};\n`,
    'src/login.ts': login(after),
  });
}

describe('a read only tested for whether it found anything (raw SQL)', () => {
  it('ok: the invitation row is only tested before the team is activated', async () => {
    const after = `    if (invitation.rowCount && invitation.rowCount > 0) await db.query('SELECT set_active_team($1, $2)', [user.id, team_id]);`;
    expect(await clientTenantFindings(sqlProject(after))).toEqual([]);
  });

  it('ok: the rows\' count tested (`if (!invitation.rows.length) return`)', async () => {
    const after = `    if (!invitation.rows.length) return done(null, user);\n    await db.query('SELECT set_active_team($1, $2)', [user.id, team_id]);`;
    expect(await clientTenantFindings(sqlProject(after))).toEqual([]);
  });

  it('err: the invitation rows are handed on', async () => {
    const after = `    req.session.invitation = invitation.rows[0];`;
    const found = await clientTenantFindings(sqlProject(after));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/login.ts:10']);
  });
});
