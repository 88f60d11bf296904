import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { type Client, DB, DEPENDENCIES } from './clients.js';

/*
 * A client id the statement itself checks against the tenant (worklenz overview `getById`, a
 * no-client-tenant-id error): `SELECT ..., (SELECT ... FROM tasks WHERE project_id = $1) FROM
 * projects WHERE id = $1 AND team_id = $2`, $1 the route's project and $2 the session's team. The
 * outer WHERE returns the project only when it is the session team's, and the select-list
 * sub-select reaches the result only with that row: $1 is a row the query checks, not the tenant
 * it is scoped by. Twins: the project not tied to a team, a team the body names (reported as the
 * tenant id), a different parameter checked, the check on the kept side of an OR.
 */

const { makeProject } = useScratch();

const MIGRATION = `CREATE TABLE users (id uuid PRIMARY KEY, email text);
CREATE TABLE teams (id uuid PRIMARY KEY, name text);
CREATE TABLE projects (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), name text);
CREATE TABLE team_members (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), user_id uuid NOT NULL REFERENCES users(id));
CREATE TABLE clients (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), name text);
CREATE TABLE labels (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), name text);
CREATE TABLE tasks (id uuid PRIMARY KEY, project_id uuid NOT NULL REFERENCES projects(id), name text, done boolean);
CREATE TABLE project_members (id uuid PRIMARY KEY, project_id uuid NOT NULL REFERENCES projects(id), team_member_id uuid NOT NULL REFERENCES team_members(id));
CREATE TABLE task_labels (id uuid PRIMARY KEY, task_id uuid NOT NULL REFERENCES tasks(id), label_id uuid NOT NULL REFERENCES labels(id));
`;

function send(client: Client, sql: string, values: string[]): string {
  const inline = (text: string) => text.replace(/\$(\d+)/g, (_, n: string) => `\${${values[Number(n) - 1]}}`);
  switch (client) {
    case 'pg':
      return `await db.query(\`${sql}\`, [${values.join(', ')}])`;
    case 'postgres':
      return `await sql\`${inline(sql)}\``;
    case 'knex':
      // knex binds in the order written: one binding per `?`.
      return `await db.raw(\`${sql.replace(/\$\d+/g, '?')}\`, [${[...sql.matchAll(/\$(\d+)/g)].map((m) => values[Number(m[1]) - 1]).join(', ')}])`;
    case 'prisma':
      return `await db.$queryRaw\`${inline(sql)}\``;
  }
}

function repo(client: Client, statement: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: DEPENDENCIES[client] }),
    'migrations/0001_init.sql': MIGRATION,
    'src/db.ts': DB[client],
    'src/routes.ts': `import express from 'express';\nimport { ${client === 'postgres' ? 'sql' : 'db'} } from './db';\n\nexport const app = express();\napp.get('/projects/:id', async (req: any, res: any) => {\n  const rows = ${statement};\n  res.json(rows);\n});\n`,
  });
}

/** The client inputs no-client-tenant-id reports. */
async function clientIds(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'no-client-tenant-id').map((f) => /\((.*?)\)/.exec(f.message)?.[1] ?? f.message).sort();
}

const OVERVIEW = (where: string) => `SELECT name, (SELECT count(*) FROM tasks WHERE project_id = $1 AND done) AS done FROM projects WHERE ${where}`;

describe.each(['pg', 'postgres', 'knex', 'prisma'] as Client[])('%s', (client) => {
  it('the route\'s project checked against the session\'s team in the outer WHERE ok', async () => {
    expect(await clientIds(repo(client, send(client, OVERVIEW('id = $2 AND team_id = $3'), ['req.params.id', 'req.params.id', 'req.user.team_id'])))).toEqual([]);
  });
  it('the same parameter written once for both ok', async () => {
    if (client !== 'pg') return;
    expect(await clientIds(repo(client, send(client, OVERVIEW('id = $1 AND team_id = $2'), ['req.params.id', 'req.user.team_id'])))).toEqual([]);
  });
  it('twin: the project not tied to a team err', async () => {
    expect(await clientIds(repo(client, send(client, OVERVIEW('id = $2'), ['req.params.id', 'req.params.id'])))).toEqual(['route parameter `id`']);
  });
  it('twin: a team the body names is the tenant id the client chose err', async () => {
    expect(await clientIds(repo(client, send(client, OVERVIEW('id = $2 AND team_id = $3'), ['req.params.id', 'req.params.id', 'req.body.team_id'])))).toEqual(['body field `team_id`']);
  });
  it('twin: the outer WHERE checks another project than the sub-select reads err', async () => {
    if (client !== 'pg') return;
    expect(await clientIds(repo(client, send(client, OVERVIEW('id = $3 AND team_id = $2'), ['req.params.id', 'req.user.team_id', 'req.query.other'])))).toEqual(['route parameter `id`']);
  });
  it('twin: the check is one branch of an OR err', async () => {
    expect(await clientIds(repo(client, send(client, OVERVIEW('(id = $2 AND team_id = $3) OR name = $4'), ['req.params.id', 'req.params.id', 'req.user.team_id', 'req.query.name'])))).toEqual(['route parameter `id`']);
  });

  const LABELS = (team: string, project: string) =>
    `SELECT id, name FROM labels WHERE ${team} AND EXISTS (SELECT 1 FROM tasks WHERE ${project} AND EXISTS (SELECT 1 FROM task_labels WHERE task_id = tasks.id AND label_id = labels.id))`;
  it('a project in a condition of the session team\'s labels only chooses among them ok', async () => {
    expect(await clientIds(repo(client, send(client, LABELS('team_id = $1', 'project_id = $2'), ['req.user.team_id', 'req.params.id'])))).toEqual([]);
  });
  it('twin: the project in a select-list sub-select: its rows reach the result err', async () => {
    const sql = 'SELECT id, (SELECT name FROM tasks WHERE project_id = $2 LIMIT 1) AS task FROM labels WHERE team_id = $1';
    expect(await clientIds(repo(client, send(client, sql, ['req.user.team_id', 'req.params.id'])))).toEqual(['route parameter `id`']);
  });
  it('twin: labels with no team filter err', async () => {
    expect(await clientIds(repo(client, send(client, LABELS("name <> ''", 'project_id = $1'), ['req.params.id'])))).toEqual(['route parameter `id`']);
  });
  it('twin: the team from the body is the tenant id the client chose err', async () => {
    expect(await clientIds(repo(client, send(client, LABELS('team_id = $1', 'project_id = $2'), ['req.body.team_id', 'req.params.id'])))).toEqual(['body field `team_id`']);
  });
});
