import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';
import { type Client, DB, dbName, DEPENDENCIES } from './clients.js';

/*
 * Raw SQL read the way Postgres reads it, session 15.
 * - worklenz judged W00/W05/W08: `JOIN teams t ON tmi.team_id = t.id WHERE tmi.email = $1 AND
 *   t.user_id = $2`, $2 the parameter `owner_id` of the function that holds the query, which its
 *   callers pass `req.user.owner_id` (the owner of the caller's organisation, a field of the verified
 *   session): the root rows that person owns. Decided on each path by what the caller passes. Twins:
 *   a caller passing the owner the body names, one of two callers doing so.
 * - worklenz judged W10: `(SELECT name FROM tasks WHERE id = tasks.parent_task_id)` in a query over
 *   `tasks`: Postgres binds `tasks.parent_task_id` to the inner `tasks` (the nearest scope with the
 *   name), so the sub-select is not correlated; its condition holds only for a row that is its own
 *   parent, which no request chooses. A column reference refers out only when no scope inside the
 *   sub-select has its name, even when a sub-select deeper down names a table like the outer one.
 *   Twins: the inner row chosen by the query string, a key that is not the row's own parent key, a
 *   sub-select really correlated to an unscoped outer row.
 * - verifywise judged H017: `JOIN files f ON f.organization_id = fel.organization_id AND fel.file_id =
 *   f.id JOIN users u ON f.uploaded_by = u.id WHERE fel.organization_id = $1`: `users` is reached only
 *   by the key of a row whose scope hangs on a table the schema does not know; decided at that row
 *   (not decided, counted), not reported as having no join to a constrained table. Twins: the row it
 *   is joined to has no filter, a join on a column that is not a key.
 * - worklenz judged W06: `email_invitations WHERE LOWER(email) = LOWER((SELECT email FROM users WHERE
 *   id = $1))`, $1 the session's user: rows addressed to the caller by an attribute of the caller's own
 *   row that names that person (a unique column, or the address they sign in with), across teams by
 *   design. Twins: an address the body names, the row of a user the query string names, an attribute
 *   that does not name one person.
 */

const { makeProject } = useScratch();

const MIGRATION = `CREATE TABLE users (id uuid PRIMARY KEY, email text, name text, handle text UNIQUE);
CREATE TABLE teams (id uuid PRIMARY KEY, name text, user_id uuid NOT NULL REFERENCES users(id));
CREATE TABLE team_members (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), user_id uuid REFERENCES users(id), active boolean);
CREATE TABLE email_invitations (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), email text NOT NULL);
CREATE TABLE projects (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), name text);
CREATE TABLE tasks (id uuid PRIMARY KEY, project_id uuid NOT NULL REFERENCES projects(id), parent_task_id uuid REFERENCES tasks(id), name text);
CREATE TABLE files (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), uploaded_by uuid REFERENCES team_members(id), label text, name text);
CREATE TABLE file_links (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), file_id uuid NOT NULL REFERENCES files(id), entity_id integer);
`;

/** `sql` with `$1`, `$2` sent by each client with the values `values`. */
function send(client: Client, sql: string, values: string[]): string {
  const inline = (text: string) => text.replace(/\$(\d+)/g, (_, n: string) => `\${${values[Number(n) - 1]}}`);
  switch (client) {
    case 'pg':
      return `await db.query(\`${sql}\`, [${values.join(', ')}])`;
    case 'postgres':
      return `await sql\`${inline(sql)}\``;
    case 'knex':
      return `await db.raw(\`${sql.replace(/\$\d+/g, '?')}\`, [${[...sql.matchAll(/\$(\d+)/g)].map((m) => values[Number(m[1]) - 1]).join(', ')}])`;
    case 'prisma':
      return `await db.$queryRaw\`${inline(sql)}\``;
  }
}

/** A handler that runs `statement` itself. */
function handler(client: Client, statement: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: DEPENDENCIES[client] }),
    'migrations/0001_init.sql': MIGRATION,
    'src/db.ts': DB[client],
    'src/routes.ts': `import express from 'express';\nimport { ${dbName(client)} } from './db';\n\nexport const app = express();\napp.get('/x', async (req: any, res: any) => {\n  const rows = ${statement};\n  res.json(rows);\n});\n`,
  });
}

/** A function of another file that runs `statement` with its parameters `params`, called by routes with `calls` (argument lists). */
function helper(client: Client, params: string, statement: string, calls: string[]): string {
  const routes = calls.map((args, i) => `app.post('/r${i}', async (req: any, res: any) => {\n  res.json(await exists(${args}));\n});\n`).join('');
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: DEPENDENCIES[client] }),
    'migrations/0001_init.sql': MIGRATION,
    'src/db.ts': DB[client],
    'src/members.ts': `import { ${dbName(client)} } from './db';\n\nexport async function exists(${params}) {\n  const rows = ${statement};\n  return rows;\n}\n`,
    'src/routes.ts': `import express from 'express';\nimport { exists } from './members';\n\nexport const app = express();\n${routes}`,
  });
}

/** `table severity` of each require-tenant-filter finding. */
async function findings(dir: string, rule = 'require-tenant-filter'): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === rule).map((f) => `${/`(\w+)` without/.exec(f.message)?.[1] ?? f.message} ${f.severity}`).sort();
}

const OWNED = `SELECT EXISTS(SELECT tm.id FROM team_members tm JOIN users u ON u.id = tm.user_id JOIN teams t ON tm.team_id = t.id WHERE u.email = $1 AND t.user_id = $2 AND tm.active)`;

describe.each(['pg', 'postgres', 'knex', 'prisma'] as Client[])('%s', (client) => {
  describe("the root rows the session's organisation owner owns (worklenz W00/W05/W08)", () => {
    it('req.user.owner_id in the handler itself ok', async () => {
      expect(await findings(handler(client, send(client, OWNED, ['req.body.email', 'req.user.owner_id'])))).toEqual([]);
    });
    it('twin: the owner the body names err', async () => {
      expect(await findings(handler(client, send(client, OWNED, ['req.body.email', 'req.body.owner_id'])))).toEqual(['team_members error']);
    });
    it('a parameter of the function every caller passes req.user.owner_id ok', async () => {
      const dir = helper(client, 'email: string, owner_id: string', send(client, OWNED, ['email', 'owner_id']), ['req.body.email, req.user?.owner_id as string', 'req.query.email as string, req.user.owner_id']);
      expect(await findings(dir)).toEqual([]);
    });
    it('twin: a parameter one caller passes the owner the body names err', async () => {
      const dir = helper(client, 'email: string, owner_id: string', send(client, OWNED, ['email', 'owner_id']), ['req.body.email, req.user.owner_id', 'req.body.email, req.body.owner_id']);
      expect(await findings(dir)).toEqual(['team_members error']);
    });
    it('twin: a parameter that is not the one compared with the owner err', async () => {
      const dir = helper(client, 'email: string, owner_id: string', send(client, OWNED, ['owner_id', 'email']), ['req.body.email, req.user.owner_id']);
      expect(await findings(dir)).toEqual(['team_members error']);
    });
  });
});

const TREE = (sub: string, where = 'p.team_id = $1') => `SELECT tasks.id, tasks.name, ${sub} AS extra FROM tasks JOIN projects p ON p.id = tasks.project_id WHERE ${where} AND tasks.parent_task_id IS NULL`;

const NESTED = (where: string) =>
  `SELECT t.name, (SELECT count(*) FROM tasks c WHERE c.parent_task_id = t.id AND EXISTS (SELECT 1 FROM projects t WHERE t.id = c.project_id AND t.name <> '')) AS n FROM tasks t JOIN projects p ON p.id = t.project_id WHERE ${where}`;

describe.each(['pg', 'postgres', 'knex', 'prisma'] as Client[])('%s', (client) => {
  describe('a name the sub-select\'s own FROM shadows (worklenz W10)', () => {
    it('the inner tasks whose key is their own parent key: no request chooses them ok', async () => {
      const sql = TREE('(SELECT name FROM tasks WHERE id = tasks.parent_task_id), (SELECT COUNT(*) FROM tasks WHERE parent_task_id = tasks.id)');
      expect(await findings(handler(client, send(client, sql, ['req.user.team_id'])))).toEqual([]);
    });
    it('twin: the inner task the query string names err', async () => {
      const sql = TREE('(SELECT name FROM tasks WHERE id = $2)');
      expect(await findings(handler(client, send(client, sql, ['req.user.team_id', 'req.query.parent'])))).toEqual(['tasks error']);
    });
    it('twin: a key of the inner row that is not its parent key err', async () => {
      const sql = TREE('(SELECT name FROM tasks WHERE tasks.name = tasks.project_id::text)');
      expect(await findings(handler(client, send(client, sql, ['req.user.team_id'])))).toEqual(['tasks error']);
    });
    it('twin: a sub-select correlated to the outer row, which is not scoped: reported there err', async () => {
      const sql = `SELECT t.name, (SELECT name FROM tasks parent WHERE parent.id = t.parent_task_id) AS parent_name FROM tasks t WHERE t.name = $1`;
      expect(await findings(handler(client, send(client, sql, ['req.query.name'])))).toEqual(['tasks error']);
    });
  });
  describe('an outer name that a sub-select deeper down reuses', () => {
    it('c.parent_task_id = t.id refers to the outer t, which is scoped ok', async () => {
      expect(await findings(handler(client, send(client, NESTED('p.team_id = $1'), ['req.user.team_id'])))).toEqual([]);
    });
    it('twin: the outer rows not scoped: reported there (t and its project), not at c err', async () => {
      expect(await findings(handler(client, send(client, NESTED('t.name = $1'), ['req.query.name'])))).toEqual(['projects error', 'tasks error']);
    });
  });
});

const LINKED = (join: string, where = 'fel.team_id = $1 AND fel.entity_id = $2') =>
  `SELECT f.id, f.name, m.id AS uploader FROM file_entity_links fel JOIN files f ON f.team_id = fel.team_id AND fel.file_id = f.id JOIN team_members m ON ${join} WHERE ${where}`;

/** The reasons of the require-tenant-filter unknowns. */
async function unknowns(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.unknown.filter((u) => u.ruleId === 'require-tenant-filter').map((u) => u.reason);
}

describe.each(['pg', 'postgres', 'knex', 'prisma'] as Client[])('%s', (client) => {
  describe('a table joined by a key of a row whose scope is not decided (verifywise H017)', () => {
    it('the uploader of a file joined to a link table the schema does not know: decided there, not reported ok', async () => {
      const dir = handler(client, send(client, LINKED('f.uploaded_by = m.id'), ['req.user.team_id', 'req.params.id']));
      expect(await findings(dir)).toEqual([]);
      expect((await unknowns(dir)).filter((r) => r.includes('`m`'))).toHaveLength(1);
    });
    it('twin: the file has no filter: both reported err', async () => {
      const sql = `SELECT f.id, m.id AS uploader FROM files f JOIN team_members m ON f.uploaded_by = m.id WHERE f.label = $1`;
      expect(await findings(handler(client, send(client, sql, ['req.query.label'])))).toEqual(['files error', 'team_members error']);
    });
    it('twin: the member joined on a column that is not a key err', async () => {
      const dir = handler(client, send(client, LINKED('f.label = m.id::text'), ['req.user.team_id', 'req.params.id']));
      expect(await findings(dir)).toEqual(['team_members error']);
    });
  });
});

const ADDRESSED = (value: string) => `SELECT count(*) AS n, (SELECT count(*) FROM email_invitations WHERE LOWER(email) = LOWER(${value})) AS invitations FROM users WHERE users.id = $1`;

describe.each(['pg', 'postgres', 'knex', 'prisma'] as Client[])('%s', (client) => {
  describe("rows addressed to the verified user's own address (worklenz W06)", () => {
    it('the address read from the session user\'s own row ok', async () => {
      expect(await findings(handler(client, send(client, ADDRESSED('(SELECT email FROM users WHERE id = $1)'), ['req.user.id'])))).toEqual([]);
    });
    it('a unique attribute of the session user\'s row, in WHERE ok', async () => {
      const sql = `SELECT id FROM email_invitations WHERE email = (SELECT u.handle FROM users u WHERE u.id = $1)`;
      expect(await findings(handler(client, send(client, sql, ['req.user.id'])))).toEqual([]);
    });
    it('twin: the address the body names err', async () => {
      expect(await findings(handler(client, send(client, ADDRESSED('$2'), ['req.user.id', 'req.body.email'])))).toEqual(['email_invitations error']);
    });
    it('twin: the row of a user the query string names err', async () => {
      expect(await findings(handler(client, send(client, ADDRESSED('(SELECT email FROM users WHERE id = $2)'), ['req.user.id', 'req.query.user'])))).toEqual(['email_invitations error']);
    });
    it('twin: an attribute that does not name one person err', async () => {
      expect(await findings(handler(client, send(client, ADDRESSED('(SELECT name FROM users WHERE id = $1)'), ['req.user.id'])))).toEqual(['email_invitations error']);
    });
  });
});

describe('both faces agree', () => {
  it('the owner passed by every caller, and its twin', async () => {
    for (const [owner, expected] of [['req.user.owner_id', 0], ['req.body.owner_id', 1]] as const) {
      const dir = helper('pg', 'email: string, owner_id: string', send('pg', OWNED, ['email', 'owner_id']), [`req.body.email, ${owner}`]);
      const { scanner, eslint } = await bothFaces(dir, 'require-tenant-filter');
      expect(eslint).toEqual(scanner);
      expect([...scanner.values()].flat()).toHaveLength(expected);
    }
  });
  it('the shadowed name, the undecided row, the caller\'s own address, and their twins', async () => {
    const statements = [
      send('pg', TREE('(SELECT name FROM tasks WHERE id = tasks.parent_task_id)'), ['req.user.team_id']),
      send('pg', TREE('(SELECT name FROM tasks WHERE id = $2)'), ['req.user.team_id', 'req.query.parent']),
      send('pg', LINKED('f.uploaded_by = m.id'), ['req.user.team_id', 'req.params.id']),
      send('pg', LINKED('f.label = m.id::text'), ['req.user.team_id', 'req.params.id']),
      send('pg', ADDRESSED('(SELECT email FROM users WHERE id = $1)'), ['req.user.id']),
      send('pg', ADDRESSED('$2'), ['req.user.id', 'req.body.email']),
    ];
    const routes = statements.map((statement, i) => `app.get('/r${i}', async (req: any, res: any) => {\n  const rows = ${statement};\n  res.json(rows);\n});\n`).join('');
    const dir = makeProject({
      'package.json': JSON.stringify({ name: 'p', private: true, dependencies: DEPENDENCIES.pg }),
      'migrations/0001_init.sql': MIGRATION,
      'src/db.ts': DB.pg,
      'src/routes.ts': `import express from 'express';\nimport { db } from './db';\n\nexport const app = express();\n${routes}`,
    });
    const { scanner, eslint } = await bothFaces(dir, 'require-tenant-filter');
    expect(eslint).toEqual(scanner);
    // One finding for each twin (the second, fourth and sixth route), none for the safe shapes.
    expect([...scanner.values()].flat()).toHaveLength(3);
  });
});
