import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * The session's own key of a tenant-scoped row (worklenz judged F076: `DELETE FROM
 * task_comment_reactions WHERE comment_id = $1 AND team_member_id = $2` with $2 the session's
 * `req.user.team_member_id`). `team_members` carries the tenant key, so a filter by the session's
 * member id matches only the caller's own rows in the caller's own tenant: not reported. Twins keep
 * the finding: the same key from the body, a session field that is not that key, a local that is
 * reassigned.
 */

const { makeProject } = useScratch();

const MIGRATION = `CREATE TABLE teams (id uuid PRIMARY KEY, name text);
CREATE TABLE users (id uuid PRIMARY KEY, email text);
CREATE TABLE team_members (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), user_id uuid NOT NULL REFERENCES users(id));
CREATE TABLE comments (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), body text);
CREATE TABLE reactions (id uuid PRIMARY KEY, comment_id uuid NOT NULL REFERENCES comments(id), team_member_id uuid NOT NULL REFERENCES team_members(id), kind text);
`;

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Team {
  id       String       @id
  members  TeamMember[]
  comments Comment[]
}

model TeamMember {
  id        String     @id
  teamId    String
  team      Team       @relation(fields: [teamId], references: [id])
  reactions Reaction[]
}

model Comment {
  id        String     @id
  teamId    String
  team      Team       @relation(fields: [teamId], references: [id])
  reactions Reaction[]
}

model Reaction {
  id           String     @id
  commentId    String
  comment      Comment    @relation(fields: [commentId], references: [id])
  teamMemberId String
  teamMember   TeamMember @relation(fields: [teamMemberId], references: [id])
}
`;

type Orm = 'pg' | 'prisma' | 'kysely';

const DB: Record<Orm, string> = {
  pg: `import { Pool } from 'pg';\nexport const db = new Pool();\n`,
  prisma: `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
  kysely: `import { Kysely, PostgresDialect } from 'kysely';\nimport { Pool } from 'pg';\nexport const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool() }) });\n`,
};

/** The delete of one reaction of a comment, by the member `member` (an expression of the handler). */
const DELETE: Record<Orm, (member: string) => string> = {
  pg: (member) => `  await db.query('DELETE FROM reactions WHERE comment_id = $1 AND team_member_id = $2', [req.params.id, ${member}]);`,
  prisma: (member) => `  await db.reaction.deleteMany({ where: { commentId: req.params.id, teamMemberId: ${member} } });`,
  kysely: (member) => `  await db.deleteFrom('reactions').where('comment_id', '=', req.params.id).where('team_member_id', '=', ${member}).execute();`,
};

/** The session field that holds the member id, as each code base names it. */
const FIELD: Record<Orm, string> = { pg: 'team_member_id', prisma: 'teamMemberId', kysely: 'team_member_id' };

function repo(orm: Orm, body: string): string {
  const dependencies = orm === 'prisma' ? { '@prisma/client': '^6.8.0', express: '^5.1.0' } : orm === 'pg' ? { pg: '^8.16.0', express: '^5.1.0' } : { kysely: '^0.27.0', pg: '^8.11.0', express: '^5.1.0' };
  const schema: Record<string, string> = orm === 'prisma' ? { 'prisma/schema.prisma': PRISMA_SCHEMA } : { 'migrations/0001_init.sql': MIGRATION };
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies }),
    ...schema,
    'src/db.ts': DB[orm],
    'src/routes.ts': `import express from 'express';\nimport { db } from './db';\n\nexport const app = express();\napp.delete('/comments/:id/reaction', async (req: any, res: any) => {\n${body}\n  res.sendStatus(204);\n});\n`,
  });
}

async function findings(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`);
}

describe.each(['pg', 'prisma', 'kysely'] as Orm[])('a filter by the session\'s key of a tenant-scoped row (%s)', (orm) => {
  const field = FIELD[orm];

  it('the session member read in place: not reported ok', async () => {
    expect(await findings(repo(orm, DELETE[orm](`req.user?.${field}`)))).toEqual([]);
  });

  it('a local bound once to the session member: not reported ok', async () => {
    expect(await findings(repo(orm, `  const memberId = req.user.${field};\n${DELETE[orm]('memberId')}`))).toEqual([]);
  });

  it('a destructuring of the session user: not reported ok', async () => {
    expect(await findings(repo(orm, `  const { ${field}: memberId } = req.user;\n${DELETE[orm]('memberId')}`))).toEqual([]);
  });

  it('twin: the member id the body names: error err', async () => {
    expect(await findings(repo(orm, DELETE[orm](`req.body.${field}`)))).toEqual(['src/routes.ts:6 error']);
  });

  it('twin: a session field that is not the key compared (the session user\'s id): error err', async () => {
    expect(await findings(repo(orm, DELETE[orm]('req.user.id')))).toEqual(['src/routes.ts:6 error']);
  });

  it('twin: a local reassigned from the query: error err', async () => {
    expect(await findings(repo(orm, `  let memberId = req.user.${field};\n  if (req.query.as) memberId = req.query.as;\n${DELETE[orm]('memberId')}`))).toEqual(['src/routes.ts:8 error']);
  });
});
