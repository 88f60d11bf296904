import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Issue 13, class 3 (rybbit, judged: 18 of 22 errors): the verdict of an access check stored before it
 * is tested, `const ok = await getUserHasAccessToBoard(req, boardId); if (!ok) return 403`, is the
 * same check as the inline `if (!(await getUserHasAccessToBoard(req, boardId))) return 403`; so are the
 * destructured `const { allowed } = await ...; if (!allowed)` and `const access = await ...; if
 * (!access.ok) throw`. Twins keep the error: the stored verdict never tested, or tested without
 * stopping the request.
 */

const { makeProject } = useScratch();

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id     String  @id
  boards Board[]
  members Member[]
}

model Member {
  id             String       @id
  userId         String
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, userId])
}

model Board {
  id             String       @id
  name           String
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, id])
}
`;

const MIGRATION = `CREATE TABLE organizations (id uuid PRIMARY KEY);
CREATE TABLE members (id uuid PRIMARY KEY, user_id uuid NOT NULL, organization_id uuid NOT NULL REFERENCES organizations(id));
CREATE INDEX members_org ON members (organization_id, user_id);
CREATE TABLE boards (id uuid PRIMARY KEY, name text, organization_id uuid NOT NULL REFERENCES organizations(id));
CREATE INDEX boards_org ON boards (organization_id, id);
`;

const DRIZZLE_SCHEMA = `import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
export const organizations = pgTable('organizations', { id: uuid('id').primaryKey() });
export const members = pgTable('members', { id: uuid('id').primaryKey(), userId: uuid('user_id').notNull(), organizationId: uuid('organization_id').notNull().references(() => organizations.id) }, (t) => [index('members_org').on(t.organizationId, t.userId)]);
export const boards = pgTable('boards', { id: uuid('id').primaryKey(), name: text('name'), organizationId: uuid('organization_id').notNull().references(() => organizations.id) }, (t) => [index('boards_org').on(t.organizationId, t.id)]);
`;

type Orm = 'prisma' | 'drizzle' | 'knex';

const ORMS: Record<Orm, { db: string; imports: string; read: string; rename: string; deps: Record<string, string>; schema: Record<string, string> }> = {
  prisma: {
    db: `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
    imports: '',
    read: `db.board.findFirst({ where: { id: boardId } })`,
    rename: `db.board.update({ where: { id: boardId }, data: { name: req.body.name } })`,
    deps: { '@prisma/client': '^6.8.0' },
    schema: { 'prisma/schema.prisma': SCHEMA },
  },
  drizzle: {
    db: `import { drizzle } from 'drizzle-orm/node-postgres';\nexport const db = drizzle(process.env.DATABASE_URL!);\n`,
    imports: `import { eq } from 'drizzle-orm';\nimport { boards } from './schema';\n`,
    read: `db.select().from(boards).where(eq(boards.id, boardId))`,
    rename: `db.update(boards).set({ name: req.body.name }).where(eq(boards.id, boardId))`,
    deps: { 'drizzle-orm': '^0.44.0', pg: '^8.11.0' },
    schema: { 'src/schema.ts': DRIZZLE_SCHEMA },
  },
  knex: {
    db: `import knex from 'knex';\nexport const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });\n`,
    imports: '',
    read: `db('boards').where({ id: boardId }).first()`,
    rename: `db.raw('UPDATE boards SET name = ? WHERE id = ?', [req.body.name, boardId])`,
    deps: { knex: '^3.1.0', pg: '^8.11.0' },
    schema: { 'migrations/0001_init.sql': MIGRATION },
  },
};

// rybbit's shape: the helper loads the boards the verified user may see and answers whether the id is one.
const AUTH = `export async function listBoardsOf(userId: string): Promise<{ id: string }[]> {
  return [{ id: userId }];
}
export async function getUserHasAccessToBoard(req: any, boardId: string): Promise<boolean> {
  const boards = await listBoardsOf(req.user.id);
  return boards.some((board) => board.id === boardId);
}
export async function checkBoardAccess(req: any, boardId: string): Promise<{ allowed: boolean; ok: boolean }> {
  const allowed = await getUserHasAccessToBoard(req, boardId);
  return { allowed, ok: allowed };
}
`;

function repo(orm: Orm, guard: string, write = false): string {
  const o = ORMS[orm];
  const routes = `import express from 'express';
import { db } from './db';
import { checkBoardAccess, getUserHasAccessToBoard } from './auth';
${o.imports}
export const app = express();
app.post('/boards/:boardId', async (req: any, res: any) => {
  const { boardId } = req.params;
${guard}
  res.json(await ${write ? o.rename : o.read});
});
`;
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { ...o.deps, express: '^5.1.0' } }),
    ...o.schema,
    'src/db.ts': o.db,
    'src/auth.ts': AUTH,
    'src/routes.ts': routes,
  });
}

async function rtf(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file} ${f.severity}`);
}

const STORED = `  const userHasAccess = await getUserHasAccessToBoard(req, String(boardId));\n  if (!userHasAccess) {\n    return res.status(403).send({ error: 'Forbidden' });\n  }`;
const DESTRUCTURED = `  const { allowed } = await checkBoardAccess(req, boardId);\n  if (!allowed) return res.status(403).end();`;
const FIELD = `  const access = await checkBoardAccess(req, boardId);\n  if (!access.ok) throw new Error('forbidden');`;
const UNTESTED = `  const userHasAccess = await getUserHasAccessToBoard(req, boardId);\n  console.log(userHasAccess);`;
const NOT_EXITING = `  const userHasAccess = await getUserHasAccessToBoard(req, boardId);\n  if (!userHasAccess) console.warn('no access');`;
const OTHER_ID = `  const userHasAccess = await getUserHasAccessToBoard(req, req.query.otherId);\n  if (!userHasAccess) return res.status(403).end();`;

describe.each(['prisma', 'drizzle', 'knex'] as Orm[])('an access check stored in a variable, then tested (%s)', (orm) => {
  it('the inline check: not reported (checked in the handler)', async () => {
    expect(await rtf(repo(orm, `  if (!(await getUserHasAccessToBoard(req, boardId))) return res.status(403).end();`))).toEqual([]);
  });

  it('stored, then `if (!ok) return 403`: not reported, as inline', async () => {
    expect(await rtf(repo(orm, STORED))).toEqual([]);
  });

  it('stored, then a write: not reported', async () => {
    expect(await rtf(repo(orm, STORED, true))).toEqual([]);
  });

  it('destructured `const { allowed } = await ...; if (!allowed) return`: not reported', async () => {
    expect(await rtf(repo(orm, DESTRUCTURED))).toEqual([]);
  });

  it('`const access = await ...; if (!access.ok) throw`: not reported', async () => {
    expect(await rtf(repo(orm, FIELD))).toEqual([]);
  });

  it('twin: the stored verdict is never tested: error', async () => {
    expect(await rtf(repo(orm, UNTESTED))).toEqual(['src/routes.ts error']);
  });

  it('twin: tested, but the request goes on: error', async () => {
    expect(await rtf(repo(orm, NOT_EXITING))).toEqual(['src/routes.ts error']);
  });

  it('twin: the stored check is of another id: error', async () => {
    expect(await rtf(repo(orm, OTHER_ID))).toEqual(['src/routes.ts error']);
  });
});

/*
 * rybbit's getSitesFromOrg (judged misreading): the membership lookup runs in the same `Promise.all` as
 * the read of the tenant the client names, and the 403 comes before the rows are used. The rows never
 * reach a caller who is not a member: checked. Twin: a write in that `Promise.all` has already
 * happened when the check fails: still reported.
 */
const PARALLEL: Record<Orm, { member: string; read: string; write: string }> = {
  prisma: {
    member: `db.member.findFirst({ where: { organizationId, userId: req.user.id } })`,
    read: `db.board.findMany({ where: { organizationId } })`,
    write: `db.board.deleteMany({ where: { organizationId } })`,
  },
  drizzle: {
    member: `db.select().from(members).where(and(eq(members.organizationId, organizationId), eq(members.userId, req.user.id))).limit(1)`,
    read: `db.select().from(boards).where(eq(boards.organizationId, organizationId))`,
    write: `db.delete(boards).where(eq(boards.organizationId, organizationId))`,
  },
  knex: {
    member: `db('members').where({ organization_id: organizationId, user_id: req.user.id }).first()`,
    read: `db('boards').where({ organization_id: organizationId })`,
    write: `db('boards').where({ organization_id: organizationId }).del()`,
  },
};

function parallel(orm: Orm, second: 'read' | 'write', sequential = false): string {
  const o = ORMS[orm];
  const q = PARALLEL[orm];
  const missing = orm === 'drizzle' ? 'memberRows.length === 0' : '!memberRows';
  const body = sequential
    ? `  const memberRows = await ${q.member};\n  if (${missing}) return res.status(403).end();\n  const rows = await ${q[second]};`
    : `  const [memberRows, rows] = await Promise.all([\n    ${q.member},\n    ${q[second]},\n  ]);\n  if (${missing}) return res.status(403).end();`;
  const routes = `import express from 'express';
import { db } from './db';
${orm === 'drizzle' ? `import { and, eq } from 'drizzle-orm';\nimport { boards, members } from './schema';\n` : ''}
export const app = express();
app.get('/orgs/:organizationId/boards', async (req: any, res: any) => {
  const { organizationId } = req.params;
${body}
  res.json(rows);
});
`;
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { ...o.deps, express: '^5.1.0' } }),
    ...o.schema,
    'src/db.ts': o.db,
    'src/routes.ts': routes,
  });
}

async function nct(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'no-client-tenant-id').map((f) => `${f.file} ${f.severity}`);
}

describe.each(['prisma', 'drizzle', 'knex'] as Orm[])('a membership check in the same Promise.all as the tenant query (%s)', (orm) => {
  it('sequential: the check before the read is recognised', async () => {
    expect(await nct(parallel(orm, 'read', true))).toEqual([]);
  });

  it('the read beside the check, its rows held until the 403: not reported', async () => {
    expect(await nct(parallel(orm, 'read'))).toEqual([]);
  });

  it('twin: a write beside the check has happened before it: error', async () => {
    expect(await nct(parallel(orm, 'write'))).toEqual(['src/routes.ts error']);
  });
});
