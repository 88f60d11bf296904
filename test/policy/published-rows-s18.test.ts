import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Issue 13, class 7 (public rows), session 18. kan's public board page looks the workspace up by the slug in
 * the URL and reads the board with `and(eq(boards.slug, slug), eq(boards.workspaceId, workspace.id),
 * eq(boards.visibility, "public"))` (packages/api/src/routers/board.ts:258, board.repo.ts:416): the filter
 * pins the row's publication flag to the literal that publishes it, so only what a tenant chose to show
 * everyone comes back, whoever asks. Neither require-tenant-filter nor no-client-tenant-id reports it.
 * Twins, still errors: the same read without the pin, pinned to 'private', a write through the public
 * pin, and the pin under an OR. In Prisma, Drizzle and Knex; both faces.
 */

const { makeProject } = useScratch();

type Orm = 'prisma' | 'drizzle' | 'knex';

const PRISMA_SCHEMA = `datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\nmodel Workspace {\n  id     String  @id\n  slug   String  @unique\n  boards Board[]\n}\n\nmodel Board {\n  id          String    @id\n  slug        String\n  visibility  String\n  isPublic    Boolean   @default(false)\n  workspaceId String\n  workspace   Workspace @relation(fields: [workspaceId], references: [id])\n  @@index([workspaceId, id])\n}\n`;
const DRIZZLE_SCHEMA = `import { boolean, index, pgTable, text } from 'drizzle-orm/pg-core';\nexport const workspaces = pgTable('workspaces', { id: text('id').primaryKey(), slug: text('slug').notNull().unique() });\nexport const boards = pgTable('boards', { id: text('id').primaryKey(), slug: text('slug').notNull(), visibility: text('visibility').notNull(), isPublic: boolean('is_public').notNull().default(false), workspaceId: text('workspace_id').notNull().references(() => workspaces.id) }, (t) => [index('boards_ws').on(t.workspaceId, t.id)]);\n`;
const SQL_SCHEMA = `CREATE TABLE workspaces (id text PRIMARY KEY, slug text NOT NULL UNIQUE);\nCREATE TABLE boards (\n  id text PRIMARY KEY,\n  slug text NOT NULL,\n  visibility text NOT NULL,\n  is_public boolean NOT NULL DEFAULT false,\n  workspace_id text NOT NULL REFERENCES workspaces(id)\n);\nCREATE INDEX boards_ws ON boards (workspace_id, id);\n`;

const SETUP: Record<Orm, { deps: Record<string, string>; files: Record<string, string> }> = {
  prisma: { deps: { '@prisma/client': '^6.8.0' }, files: { 'prisma/schema.prisma': PRISMA_SCHEMA, 'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n` } },
  drizzle: { deps: { 'drizzle-orm': '^0.44.0', pg: '^8.11.0' }, files: { 'src/schema.ts': DRIZZLE_SCHEMA, 'src/db.ts': `import { drizzle } from 'drizzle-orm/node-postgres';\nexport const db = drizzle(process.env.DATABASE_URL!);\n` } },
  knex: { deps: { knex: '^3.1.0', pg: '^8.11.0' }, files: { 'migrations/001_init.sql': SQL_SCHEMA, 'src/db.ts': `import knex from 'knex';\nexport const db = knex({ client: 'pg' });\n` } },
};

/** The board read: `pin` is the publication conjunct (or '' for none), in each ORM's syntax. */
type Pin = 'public' | 'flag' | 'private' | 'shared' | 'none';

const READ: Record<Orm, (pin: Pin) => string> = {
  prisma: (pin) => `db.board.findFirst({ where: { slug: req.params.board${pin === 'public' ? `, visibility: 'public'` : pin === 'flag' ? ', isPublic: true' : pin === 'private' || pin === 'shared' ? `, visibility: '${pin}'` : ''} } })`,
  drizzle: (pin) => `db.select().from(boards).where(and(eq(boards.slug, req.params.board)${pin === 'public' ? `, eq(boards.visibility, 'public')` : pin === 'flag' ? ', eq(boards.isPublic, true)' : pin === 'private' || pin === 'shared' ? `, eq(boards.visibility, '${pin}')` : ''}))`,
  knex: (pin) => `db('boards').where({ slug: req.params.board${pin === 'public' ? `, visibility: 'public'` : pin === 'flag' ? ', is_public: true' : pin === 'private' || pin === 'shared' ? `, visibility: '${pin}'` : ''} }).first()`,
};
const WRITE: Record<Orm, string> = {
  prisma: `db.board.updateMany({ where: { slug: req.params.board, visibility: 'public' }, data: { slug: req.body.slug } })`,
  drizzle: `db.update(boards).set({ slug: req.body.slug }).where(and(eq(boards.slug, req.params.board), eq(boards.visibility, 'public')))`,
  knex: `db('boards').where({ slug: req.params.board, visibility: 'public' }).update({ slug: req.body.slug })`,
};
const OR_PIN: Record<Orm, string> = {
  prisma: `db.board.findFirst({ where: { slug: req.params.board, OR: [{ visibility: 'public' }, { isPublic: false }] } })`,
  drizzle: `db.select().from(boards).where(and(eq(boards.slug, req.params.board), or(eq(boards.visibility, 'public'), eq(boards.isPublic, false))))`,
  knex: `db('boards').where({ slug: req.params.board }).orWhere({ visibility: 'public' }).first()`,
};
const IMPORTS: Record<Orm, string> = {
  prisma: '',
  drizzle: `import { and, eq, or } from 'drizzle-orm';\nimport { boards } from './schema';\n`,
  knex: '',
};

function project(orm: Orm, query: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'boards', private: true, dependencies: { ...SETUP[orm].deps, express: '^5.1.0' } }),
    ...SETUP[orm].files,
    'src/routes.ts': `import express from 'express';\nimport { db } from './db';\n${IMPORTS[orm]}\nexport const app = express();\napp.get('/public/boards/:board', async (req, res) => {\n  res.json(await ${query});\n});\n`,
  });
}

async function severities(dir: string, ruleId = 'require-tenant-filter'): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === ruleId).map((f) => `${f.file} ${f.severity}`);
}

describe.each(['prisma', 'drizzle', 'knex'] as Orm[])('require-tenant-filter: a read pinned to published rows (%s)', (orm) => {
  it('visibility pinned to \'public\': only published rows, not reported', async () => {
    expect(await severities(project(orm, READ[orm]('public')))).toEqual([]);
  });

  it('a public flag pinned to true: not reported', async () => {
    expect(await severities(project(orm, READ[orm]('flag')))).toEqual([]);
  });

  it('twin: the same read without the pin: error', async () => {
    expect(await severities(project(orm, READ[orm]('none')))).toEqual(['src/routes.ts error']);
  });

  it('twin: visibility pinned to \'private\': error', async () => {
    expect(await severities(project(orm, READ[orm]('private')))).toEqual(['src/routes.ts error']);
  });

  // Shared with the tenant's team is not shown to everyone: every tenant's shared boards are a leak.
  it('twin: visibility pinned to \'shared\': error', async () => {
    expect(await severities(project(orm, READ[orm]('shared')))).toEqual(['src/routes.ts error']);
  });

  it('twin: \'published\' pinned on a column that says nothing of the audience (a post\'s `slug`, as postiz\'s `state: \'PUBLISHED\'`): error', async () => {
    expect(await severities(project(orm, READ[orm]('none').replace('req.params.board', "'published'")))).toEqual(['src/routes.ts error']);
  });

  it('twin: a write through the public pin: error', async () => {
    expect(await severities(project(orm, WRITE[orm]))).toEqual(['src/routes.ts error']);
  });

  it('twin: the pin under an OR: reported', async () => {
    expect((await severities(project(orm, OR_PIN[orm]))).length).toBe(1);
  });
});

/** kan's shape: the workspace named by the URL's slug, then its board read by that workspace's id. */
const KAN: Record<'prisma' | 'drizzle', (pinned: boolean) => string> = {
  prisma: (pinned) => `const ws = await db.workspace.findUnique({ where: { slug: req.params.ws } });\n  if (!ws) return res.sendStatus(404);\n  res.json(await db.board.findFirst({ where: { workspaceId: ws.id, slug: req.params.board${pinned ? `, visibility: 'public'` : ''} } }));`,
  drizzle: (pinned) => `const [ws] = await db.select().from(workspaces).where(eq(workspaces.slug, req.params.ws));\n  if (!ws) return res.sendStatus(404);\n  res.json(await db.select().from(boards).where(and(eq(boards.workspaceId, ws.id), eq(boards.slug, req.params.board)${pinned ? `, eq(boards.visibility, 'public')` : ''})));`,
};

function kanProject(orm: 'prisma' | 'drizzle', pinned: boolean): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'boards', private: true, dependencies: { ...SETUP[orm].deps, express: '^5.1.0' } }),
    ...SETUP[orm].files,
    'src/routes.ts': `import express from 'express';\nimport { db } from './db';\n${orm === 'drizzle' ? `import { and, eq } from 'drizzle-orm';\nimport { boards, workspaces } from './schema';\n` : ''}\nexport const app = express();\napp.get('/:ws/:board', async (req, res) => {\n  ${KAN[orm](pinned)}\n});\n`,
  });
}

describe.each(['prisma', 'drizzle'] as const)('no-client-tenant-id: the tenant the URL names, its published rows only (%s)', (orm) => {
  it('the board read pins visibility to \'public\': not reported', async () => {
    expect(await severities(kanProject(orm, true), 'no-client-tenant-id')).toEqual([]);
  });

  it('twin: the same read without the pin: error', async () => {
    expect(await severities(kanProject(orm, false), 'no-client-tenant-id')).toEqual(['src/routes.ts error']);
  });
});

/*
 * openpanel's share widgets (widget.ts:121/144/188): `const widget = await db.shareWidget.findUnique({ where: { id:
 * input.shareId } }); if (!(widget && widget.public)) throw new TRPCNotFoundError(...)`: the row goes on only when
 * its publication flag holds. Twins: a test of existence alone, the row sent before the test, a flag compared with
 * 'private'.
 */
const ROW: Record<Orm, string> = {
  prisma: `const row = await db.board.findFirst({ where: { slug: req.params.board } });`,
  drizzle: `const [row] = await db.select().from(boards).where(eq(boards.slug, req.params.board));`,
  knex: `const row = await db('boards').where({ slug: req.params.board }).first();`,
};
const FLAG: Record<Orm, string> = { prisma: 'isPublic', drizzle: 'isPublic', knex: 'is_public' };

function guardProject(orm: Orm, after: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'boards', private: true, dependencies: { ...SETUP[orm].deps, express: '^5.1.0' } }),
    ...SETUP[orm].files,
    'src/routes.ts': `import express from 'express';\nimport { db } from './db';\n${IMPORTS[orm]}\nexport const app = express();\napp.get('/public/boards/:board', async (req, res) => {\n  ${ROW[orm]}\n${after}});\n`,
  });
}

describe.each(['prisma', 'drizzle', 'knex'] as Orm[])('require-tenant-filter: a row let through only when published (%s)', (orm) => {
  it('`if (!(row && row.<flag>)) throw`: not reported', async () => {
    expect(await severities(guardProject(orm, `  if (!(row && row.${FLAG[orm]})) throw new Error('not found');\n  res.json(row);\n`))).toEqual([]);
  });

  it('`if (!row || row.visibility !== \'public\') return 404`: not reported', async () => {
    expect(await severities(guardProject(orm, `  if (!row || row.visibility !== 'public') return res.sendStatus(404);\n  res.json(row);\n`))).toEqual([]);
  });

  it('twin: a test of existence alone: error', async () => {
    expect(await severities(guardProject(orm, `  if (!row) return res.sendStatus(404);\n  res.json(row);\n`))).toEqual(['src/routes.ts error']);
  });

  it('twin: the row sent before the test: error', async () => {
    expect(await severities(guardProject(orm, `  res.json(row);\n  if (!(row && row.${FLAG[orm]})) throw new Error('not found');\n`))).toEqual(['src/routes.ts error']);
  });

  it('twin: visibility compared with \'private\': error', async () => {
    expect(await severities(guardProject(orm, `  if (!row || row.visibility !== 'private') return res.sendStatus(404);\n  res.json(row);\n`))).toEqual(['src/routes.ts error']);
  });
});

describe('both faces', () => {
  it('the scanner and the ESLint plugin agree on the published read and its twins', async () => {
    for (const [dir, rule] of [
      [project('drizzle', READ.drizzle('public')), 'require-tenant-filter'],
      [project('prisma', READ.prisma('none')), 'require-tenant-filter'],
      [kanProject('drizzle', true), 'no-client-tenant-id'],
      [kanProject('prisma', false), 'no-client-tenant-id'],
      [guardProject('knex', `  if (!(row && row.is_public)) throw new Error('not found');\n  res.json(row);\n`), 'require-tenant-filter'],
      [guardProject('drizzle', `  res.json(row);\n  if (!(row && row.isPublic)) throw new Error('not found');\n`), 'require-tenant-filter'],
    ] as const) {
      const { scanner, eslint } = await bothFaces(dir, rule);
      expect(eslint).toEqual(scanner);
    }
  });
});
