import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { SqlQueryAnalyzer, type SqlTableInfo } from '../../src/sql/query.js';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { expectTables, table } from './helpers.js';

/*
 * worklenz judged F066 (project-managers-controller.ts): a view row reached through a join chain
 * `tmi <- tm <- pm.team_member_id <- projects p`, with `p.team_id = t.id` and `t.id IN (SELECT id
 * FROM teams WHERE in_organization(id, $1))`, `$1` the session's `req.user.team_id`. The root
 * filtered by its own key, or by a database function of it, with a value of the verified session
 * constrains the rows joined to it. A client's value there stays a finding (no-client-tenant-id does
 * not read those positions), and so does a chain that breaks.
 */

const ref = (column: string, target: string) => ({ column, table: target, parentColumn: 'id' });

const TABLES: Record<string, SqlTableInfo> = {
  teams: { class: 'global', tenantColumns: [], parents: [], rootKey: 'id' },
  projects: { class: 'tenant', tenantColumns: ['team_id'], parents: [], references: [ref('team_id', 'teams')] },
  project_members: { class: 'tenant', tenantColumns: ['project_id'], parents: [], references: [ref('project_id', 'projects'), ref('team_member_id', 'team_members')] },
  team_members: { class: 'tenant', tenantColumns: ['team_id'], parents: [], references: [ref('team_id', 'teams')] },
  tasks: { class: 'tenant', tenantColumns: ['project_id'], parents: [], references: [ref('project_id', 'projects'), ref('status_id', 'task_statuses')] },
  tasks_assignees: { class: 'child', tenantColumns: [], parents: [ref('task_id', 'tasks')], references: [ref('task_id', 'tasks'), ref('team_member_id', 'team_members')] },
  task_statuses: { class: 'tenant', tenantColumns: ['team_id'], parents: [], references: [ref('team_id', 'teams')] },
  member_info: { class: 'tenant', tenantColumns: ['team_id'], parents: [], references: [ref('team_member_id', 'team_members'), ref('team_id', 'teams')] },
};

beforeAll(loadSqlParsers);

const SESSION = (n: number) => n === 1;
const CLIENT = () => false;

function uses(sql: string, trusted: (n: number) => boolean): string[] {
  const analyzer = new SqlQueryAnalyzer((name) => TABLES[name]);
  return analyzer.analyze(sql, trusted).flatMap((s) => s.uses.filter((u) => u.info && u.info.class !== 'global').map((u) => `${u.alias}:${u.constrained ? 'ok' : u.undecided ? 'UNKNOWN' : 'LEAK'}`));
}

const CHAIN = `SELECT tm.user_id FROM projects p JOIN project_members pm ON p.id = pm.project_id JOIN teams t ON p.team_id = t.id
  JOIN team_members tm ON pm.team_member_id = tm.id JOIN member_info tmi ON tm.id = tmi.team_member_id`;

describe('the tenant root filtered by its own key', () => {
  it('a database function of the root key and a session value, then the join chain ok', () =>
    expect(uses(`${CHAIN} WHERE t.id IN (SELECT id FROM teams WHERE in_organization(id, $1))`, SESSION)).toEqual(['p:ok', 'pm:ok', 'tm:ok', 'tmi:ok']));
  it('the root key equal to a session value ok', () => expect(uses(`${CHAIN} WHERE t.id = $1`, SESSION)).toEqual(['p:ok', 'pm:ok', 'tm:ok', 'tmi:ok']));
  it('twin: the same function with a value the client sends err', () =>
    expect(uses(`${CHAIN} WHERE t.id IN (SELECT id FROM teams WHERE in_organization(id, $1))`, CLIENT)).toEqual(['p:LEAK', 'pm:LEAK', 'tm:LEAK', 'tmi:LEAK']));
  it('twin: the root key equal to a value the client sends err', () => expect(uses(`${CHAIN} WHERE t.id = $1`, CLIENT)).toEqual(['p:LEAK', 'pm:LEAK', 'tm:LEAK', 'tmi:LEAK']));
  it('twin: a function of a column that is not a key err', () =>
    expect(uses('SELECT p.id FROM projects p WHERE is_visible(p.name, $1)', SESSION)).toEqual(['p:LEAK']));
  it('twin: the view joined on a column that is not its key to the member err', () =>
    expect(uses(`SELECT tmi.team_id FROM projects p JOIN teams t ON p.team_id = t.id JOIN member_info tmi ON p.id = tmi.team_member_id WHERE t.id = $1`, SESSION)).toEqual(['p:ok', 'tmi:LEAK']));
});

// worklenz judged F067: `member_time_off` comes from a migration folder the schema does not read.
describe('joined to a table the schema does not know', () => {
  it('which the query filters by a value: not known, counted, not a finding ok', () =>
    expect(uses('SELECT tm.user_id FROM member_time_off mto JOIN team_members tm ON mto.team_member_id = tm.id WHERE mto.organization_id = $1', CLIENT)).toEqual(['tm:UNKNOWN']));
  it('the reason names the table the schema does not know ok', () => {
    const analyzer = new SqlQueryAnalyzer((name) => TABLES[name]);
    const [statement] = analyzer.analyze('SELECT tm.user_id FROM member_time_off mto JOIN team_members tm ON mto.team_member_id = tm.id WHERE mto.organization_id = $1');
    expect(statement!.uses.find((u) => u.alias === 'tm')?.undecided).toContain('`member_time_off`');
  });
  it('twin: a recursive CTE\'s own name is not an unknown table: the rows it follows stay reported err', () =>
    expect(
      uses(
        'WITH RECURSIVE chain AS (SELECT id, reports_to FROM team_members WHERE id = $1 UNION SELECT tm.id, tm.reports_to FROM team_members tm JOIN chain h ON tm.id = h.reports_to WHERE h.id = $2) SELECT count(*) FROM chain',
        CLIENT,
      ),
    ).toEqual(['team_members:LEAK', 'tm:LEAK']));
  it('twin: the unknown table is not filtered at all err', () =>
    expect(uses('SELECT tm.user_id FROM member_time_off mto JOIN team_members tm ON mto.team_member_id = tm.id WHERE tm.active', CLIENT)).toEqual(['tm:LEAK']));
  it('twin: a LEFT JOIN keeps every row of the known table err', () =>
    expect(uses('SELECT tm.user_id FROM team_members tm LEFT JOIN member_time_off mto ON mto.team_member_id = tm.id AND mto.organization_id = $1', CLIENT)).toEqual(['tm:LEAK']));
});

// worklenz personal-overview-controller.ts:88: the caller's own assignments, through a scalar sub-select.
describe('a key equal to a scalar sub-select of a constrained row', () => {
  const MINE = 'SELECT count(*) FROM tasks t JOIN tasks_assignees ta ON t.id = ta.task_id JOIN task_statuses ts ON t.status_id = ts.id WHERE ta.team_member_id = ';
  it('the member row of the tenant: the rows that reference it, and the rows they reference ok', () =>
    expect(uses(`${MINE}(SELECT id FROM team_members WHERE user_id = $1 AND team_id = $2)`, CLIENT)).toEqual(['t:ok', 'ta:ok', 'ts:ok']));
  it('twin: a member row of any tenant err', () =>
    expect(uses(`${MINE}(SELECT id FROM team_members WHERE user_id = $1)`, CLIENT)).toEqual(['team_members:ok', 't:LEAK', 'ta:LEAK', 'ts:LEAK']));
  it('twin: the scalar sub-select compared with a column that is not a key to it err', () =>
    expect(uses('SELECT count(*) FROM tasks_assignees ta WHERE ta.task_id = (SELECT id FROM team_members WHERE user_id = $1 AND team_id = $2)', CLIENT)).toEqual(['team_members:ok', 'ta:LEAK']));
});

describe('a view that carries the primary key of a table it reads', () => {
  it('names that row, as a foreign key would ok', () => {
    const tables = expectTables(`CREATE TABLE teams (id uuid PRIMARY KEY);
CREATE TABLE users (id uuid PRIMARY KEY, name text);
CREATE TABLE team_members (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), user_id uuid REFERENCES users(id));
CREATE VIEW member_info (name, team_member_id, team_id) AS SELECT u.name, team_members.id AS team_member_id, team_members.team_id FROM team_members LEFT JOIN users u ON team_members.user_id = u.id;`);
    expect(table(tables, 'member_info').relations.get('team_member_id')).toMatchObject({ target: 'team_members', references: ['id'] });
  });
});

const { makeProject } = useScratch();

const MIGRATION = `CREATE TABLE teams (id uuid PRIMARY KEY, name text);
CREATE TABLE users (id uuid PRIMARY KEY, name text);
CREATE TABLE projects (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), name text);
CREATE TABLE team_members (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), user_id uuid REFERENCES users(id));
CREATE TABLE project_members (id uuid PRIMARY KEY, project_id uuid NOT NULL REFERENCES projects(id), team_member_id uuid NOT NULL REFERENCES team_members(id));
CREATE VIEW member_info (name, team_member_id, team_id) AS SELECT u.name, team_members.id AS team_member_id, team_members.team_id FROM team_members LEFT JOIN users u ON team_members.user_id = u.id;
`;

function repo(value: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { pg: '^8.16.0', express: '^5.1.0' } }),
    'migrations/0001_init.sql': MIGRATION,
    'src/db.ts': `import { Pool } from 'pg';\nexport const db = new Pool();\n`,
    'src/routes.ts': `import express from 'express';
import { db } from './db';

export const app = express();
app.get('/managers', async (_req: any, res: any) => {
  const q = \`SELECT tm.user_id, tmi.name FROM projects p JOIN project_members pm ON p.id = pm.project_id JOIN teams t ON p.team_id = t.id
    JOIN team_members tm ON pm.team_member_id = tm.id JOIN member_info tmi ON tm.id = tmi.team_member_id
    WHERE t.id IN (SELECT id FROM teams WHERE in_organization(id, $1))\`;
  res.json((await db.query(q, [${value}])).rows);
});
`,
  });
}

async function findings(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`);
}

describe('a join chain from the root the session names (pg)', () => {
  it('the session\'s team: not reported ok', async () => {
    expect(await findings(repo('_req.user?.team_id'))).toEqual([]);
  });
  it('twin: the team the query string names: every table of the chain is reported err', async () => {
    expect(await findings(repo('_req.query.team_id'))).toEqual(['src/routes.ts:6 error', 'src/routes.ts:6 error', 'src/routes.ts:7 error', 'src/routes.ts:7 error']);
  });
});
