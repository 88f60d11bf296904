import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { SqlQueryAnalyzer, type SqlTableInfo } from '../../src/sql/query.js';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Scoping forms of raw SQL as worklenz writes them (issue 13): rows reached by joins to a
 * constrained row, an `IN (sub-select)` of the tenants, a CTE read only through a join to
 * constrained rows. Each safe form has an unsafe twin: an outer join whose kept side is the table,
 * a join or sub-select on an unrelated column, a sub-select not tied to a person or a tenant.
 */

const ref = (column: string, table: string) => ({ column, table, parentColumn: 'id' });

const TABLES: Record<string, SqlTableInfo> = {
  projects: { class: 'tenant', tenantColumns: ['team_id'], parents: [] },
  task_statuses: { class: 'tenant', tenantColumns: ['team_id'], parents: [] },
  tasks: { class: 'tenant', tenantColumns: ['project_id'], parents: [], references: [ref('project_id', 'projects'), ref('status_id', 'task_statuses')] },
  task_activity_logs: { class: 'tenant', tenantColumns: ['team_id'], parents: [], references: [ref('project_id', 'projects'), ref('task_id', 'tasks')], principals: ['user_id'] },
  team_members: { class: 'tenant', tenantColumns: ['team_id'], parents: [], principals: ['user_id'] },
  member_time_off: { class: 'child', tenantColumns: [], parents: [ref('team_member_id', 'team_members')], references: [ref('team_member_id', 'team_members')] },
  task_work_log: { class: 'child', tenantColumns: [], parents: [ref('task_id', 'tasks')], references: [ref('task_id', 'tasks')], principals: ['user_id'] },
  users: { class: 'global', tenantColumns: [], parents: [] },
};

beforeAll(loadSqlParsers);

/** `alias:ok|LEAK` per table use, statement by statement (global tables left out). */
function uses(sql: string): string[] {
  const analyzer = new SqlQueryAnalyzer((name) => TABLES[name]);
  return analyzer.analyze(sql).flatMap((s) => s.uses.filter((u) => u.info?.class !== 'global').map((u) => `${u.alias}:${u.constrained ? 'ok' : u.orBypass !== undefined ? 'OR' : 'LEAK'}`));
}

describe('a row that references a constrained row (its foreign key to it)', () => {
  // E089: `INNER JOIN projects p ON tal.project_id = p.id AND p.team_id = $1`.
  it('inner join to the constrained parent ok', () =>
    expect(uses('SELECT tal.task_id FROM task_activity_logs tal INNER JOIN tasks t ON tal.task_id = t.id INNER JOIN projects p ON tal.project_id = p.id AND p.team_id = $1 WHERE tal.user_id = $2')).toEqual([
      'tal:ok',
      't:ok',
      'p:ok',
    ]));
  it('the same join as a LEFT JOIN keeps every row of the left side err', () =>
    expect(uses('SELECT tal.task_id FROM task_activity_logs tal LEFT JOIN projects p ON tal.project_id = p.id AND p.team_id = $1 WHERE tal.user_id = $2')).toEqual(['tal:LEAK', 'p:ok']));
  it('a LEFT JOIN whose nullable side WHERE requires is an inner join ok', () =>
    expect(uses('SELECT tal.task_id FROM task_activity_logs tal LEFT JOIN projects p ON tal.project_id = p.id WHERE p.team_id = $1')).toEqual(['tal:ok', 'p:ok']));
  it('a join on a column that is not the key to it err', () =>
    expect(uses('SELECT tal.task_id FROM task_activity_logs tal JOIN projects p ON tal.user_id = p.id WHERE p.team_id = $1')).toEqual(['tal:LEAK', 'p:ok']));
  it('a LEFT JOIN predicate on the kept side does not filter it err', () =>
    expect(uses('SELECT * FROM projects p LEFT JOIN task_statuses ts ON p.team_id = $1 AND ts.team_id = p.team_id')).toEqual(['p:LEAK', 'ts:LEAK']));
});

describe('the row a constrained row references (its key to the joined table)', () => {
  // E086: task_statuses joined through `t.status_id` of tasks joined to the constrained project.
  it('parent through the constrained child key ok', () =>
    expect(uses('SELECT t.id, ts.name FROM tasks t JOIN projects p ON t.project_id = p.id JOIN task_statuses ts ON t.status_id = ts.id WHERE p.team_id = $1')).toEqual(['t:ok', 'p:ok', 'ts:ok']));
  it('as a LEFT JOIN from the constrained child: only referenced rows come back ok', () =>
    expect(uses('SELECT t.id, ts.name FROM tasks t JOIN projects p ON t.project_id = p.id LEFT JOIN task_statuses ts ON t.status_id = ts.id WHERE p.team_id = $1')).toEqual(['t:ok', 'p:ok', 'ts:ok']));
  it('the referenced table on the kept side of a LEFT JOIN err', () =>
    expect(uses('SELECT ts.name FROM task_statuses ts LEFT JOIN tasks t ON t.status_id = ts.id AND t.project_id = $1')).toEqual(['ts:LEAK', 't:ok']));
  it('joined on a column that is not a key to it err', () =>
    expect(uses('SELECT t.id, ts.name FROM tasks t JOIN task_statuses ts ON t.priority_id = ts.id WHERE t.project_id = $1')).toEqual(['t:ok', 'ts:LEAK']));
  // E085: team_members joined only through `mto.team_member_id` of constrained time-off rows.
  it('a child constrained through its parent, then the parent again ok', () =>
    expect(uses('SELECT mto.id FROM member_time_off mto JOIN team_members tm ON mto.team_member_id = tm.id WHERE tm.team_id = $1')).toEqual(['mto:ok', 'tm:ok']));
});

describe('IN (sub-select)', () => {
  // E091: `tm.team_id IN (SELECT team_id FROM team_members WHERE user_id = $1 ...)`.
  it('the tenants of a person: the outer rows are scoped, the sub-select is checked on its own', () => {
    const analyzer = new SqlQueryAnalyzer((name) => TABLES[name]);
    const [statement] = analyzer.analyze('SELECT DISTINCT user_id FROM team_members tm WHERE tm.team_id IN (SELECT team_id FROM team_members WHERE user_id = $1)');
    const outer = statement!.uses.find((u) => u.alias === 'tm');
    const inner = statement!.uses.find((u) => u.alias === 'team_members');
    expect(outer).toMatchObject({ constrained: true, via: expect.stringContaining('user_id') });
    // The sub-select's read is the membership: whether `$1` is the verified user is the policy's question.
    expect(inner).toMatchObject({ constrained: false, keys: [{ column: 'user_id', param: 1 }] });
  });
  it('a sub-select scoped by the tenant ok', () =>
    expect(uses('SELECT * FROM task_statuses ts WHERE ts.team_id IN (SELECT team_id FROM projects WHERE team_id = $1)')).toEqual(['ts:ok']));
  // Once the outer rows are constrained, a sub-select in WHERE only chooses among them: not a read of its own.
  it('a sub-select of constrained rows by their key ok', () =>
    expect(uses('SELECT * FROM task_work_log w WHERE w.task_id IN (SELECT id FROM tasks WHERE project_id = $1)')).toEqual(['w:ok']));
  // worklenz: `role_id IN (SELECT id FROM roles WHERE admin_role IS TRUE)` only tests the row the key names.
  it("a sub-select on the row the outer row's key names ok", () =>
    expect(uses('SELECT * FROM tasks t WHERE t.project_id = $1 AND t.status_id IN (SELECT id FROM task_statuses WHERE done IS TRUE)')).toEqual(['t:ok']));
  it('a sub-select on a column that is not the key err', () =>
    expect(uses('SELECT * FROM tasks t WHERE t.name = $1 AND t.priority_id IN (SELECT id FROM task_statuses WHERE done IS TRUE)')).toEqual(['task_statuses:LEAK', 't:LEAK']));
  it('the same sub-select under an unconstrained outer is not reported, the outer is', () =>
    expect(uses('SELECT * FROM tasks t WHERE t.name = $1 AND t.status_id IN (SELECT id FROM task_statuses WHERE done IS TRUE)')).toEqual(['task_statuses:ok', 't:LEAK']));
  it('a sub-select by a row id, not a person err', () =>
    expect(uses('SELECT * FROM team_members tm WHERE tm.team_id IN (SELECT team_id FROM team_members WHERE id = $1)')).toEqual(['team_members:LEAK', 'tm:LEAK']));
  it('NOT IN a sub-select does not scope err', () =>
    expect(uses('SELECT * FROM team_members tm WHERE tm.team_id NOT IN (SELECT team_id FROM team_members WHERE user_id = $1)')).toEqual(['team_members:LEAK', 'tm:LEAK']));
  it('a sub-select compared with a column that is not the tenant key err', () =>
    expect(uses('SELECT * FROM team_members tm WHERE tm.id IN (SELECT team_id FROM team_members WHERE user_id = $1)')).toEqual(['team_members:LEAK', 'tm:LEAK']));
});

describe('a CTE read through a join to constrained rows', () => {
  // E098: `WITH work_log AS (SELECT task_id, SUM(time_spent) ... GROUP BY task_id) ... FROM tasks JOIN work_log ON work_log.task_id = tasks.id WHERE project_id = $1`.
  const CTE = 'WITH work_log AS (SELECT task_id, SUM(time_spent) AS total FROM task_work_log GROUP BY task_id) ';
  it('inner join on the key to the constrained row ok', () =>
    expect(uses(`${CTE}SELECT id, work_log.total FROM tasks JOIN work_log ON work_log.task_id = tasks.id WHERE project_id = $1`)).toEqual(['task_work_log:ok', 'tasks:ok']));
  it('the CTE on the kept side of a LEFT JOIN err', () =>
    expect(uses(`${CTE}SELECT work_log.total FROM work_log LEFT JOIN tasks ON work_log.task_id = tasks.id AND tasks.project_id = $1`)).toEqual(['task_work_log:LEAK', 'tasks:ok']));
  it('also read on its own elsewhere in the statement err', () =>
    expect(uses(`${CTE}SELECT id FROM tasks JOIN work_log ON work_log.task_id = tasks.id WHERE project_id = $1 UNION SELECT task_id FROM work_log`)).toEqual(['task_work_log:LEAK', 'tasks:ok']));
  it('joined on an output that is not the key err', () =>
    expect(uses(`WITH w AS (SELECT user_id, SUM(time_spent) AS total FROM task_work_log GROUP BY user_id) SELECT * FROM tasks JOIN w ON w.user_id = tasks.id WHERE project_id = $1`)).toEqual(['task_work_log:LEAK', 'tasks:ok']));
  it('a window over every row mixes other tenants in err', () =>
    expect(uses(`WITH w AS (SELECT task_id, SUM(time_spent) OVER () AS total FROM task_work_log) SELECT * FROM tasks JOIN w ON w.task_id = tasks.id WHERE project_id = $1`)).toEqual(['task_work_log:LEAK', 'tasks:ok']));
});

describe('writes are scoped by their own WHERE, FROM or USING', () => {
  it('UPDATE joined in FROM to a constrained parent by its key ok', () =>
    expect(uses('UPDATE task_activity_logs tal SET x = 1 FROM projects p WHERE tal.project_id = p.id AND p.team_id = $1')).toEqual(['tal:ok', 'p:ok']));
  it('DELETE whose USING table is constrained, joined on an unrelated column err', () =>
    expect(uses('DELETE FROM task_activity_logs tal USING projects p WHERE tal.user_id = p.id AND p.team_id = $1')).toEqual(['tal:LEAK', 'p:ok']));
});

describe('end to end: the scan reads these forms in a pg project', () => {
  const { makeProject } = useScratch();
  const MIGRATION = `CREATE TABLE users (id uuid PRIMARY KEY, name text);
CREATE TABLE teams (id uuid PRIMARY KEY, name text);
CREATE TABLE team_members (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), user_id uuid NOT NULL REFERENCES users(id));
CREATE TABLE environments (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id));
CREATE TABLE environment_users (environment_id uuid NOT NULL REFERENCES environments(id), user_id uuid NOT NULL REFERENCES users(id), daily boolean, PRIMARY KEY (environment_id, user_id));
`;
  const DB = `import { Pool } from 'pg';\nconst pool = new Pool();\nexport default { query: (text: string, params?: unknown[]) => pool.query(text, params) };\n`;
  const members = (value: string) => `import db from './db';

export async function unassigned(req: any) {
  const q = \`SELECT DISTINCT user_id FROM team_members tm
             WHERE tm.team_id IN (SELECT team_id
                                  FROM team_members
                                  WHERE user_id = $1)\`;
  return (await db.query(q, [${value}])).rows;
}
`;
  async function rtf(files: Record<string, string>) {
    const dir = makeProject({
      'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { pg: '^8.16.0' } }),
      'migrations/0001_init.sql': MIGRATION,
      'src/db.ts': DB,
      ...files,
    });
    const result = await scan({ path: dir });
    return result.findings.filter((f) => f.ruleId === 'require-tenant-filter');
  }

  // E086: worklenz builds WHERE by appending conjuncts to a `let` and interpolates it whole.
  const timeline = (append: string) => `import db from './db';

export async function timeline(req: any) {
  const params: unknown[] = [req.user.teamId];
  let whereClause = \`WHERE e.team_id = $1\`;
  if (req.query.user) {
    whereClause += \`${append}\`;
    params.push(req.query.user);
  }
  const q = \`SELECT eu.daily FROM environment_users eu JOIN environments e ON eu.environment_id = e.id \${whereClause} ORDER BY eu.daily\`;
  return (await db.query(q, params)).rows;
}
`;
  it('a WHERE built by appending conjuncts to its start: the start is read in place', async () => {
    expect(await rtf({ 'src/timeline.ts': timeline(' AND eu.user_id = $2') })).toEqual([]);
  });
  it('an appended OR widens the start: not read in place, reported', async () => {
    const findings = await rtf({ 'src/timeline.ts': timeline(' OR eu.user_id = $2') });
    expect(findings.map((f) => f.line)).toEqual([10, 10]);
  });

  // worklenz team-management: the row a scoped read checked (and stopped on when missing) is then written by its id.
  const checkedThenWritten = (check: string) => `import db from './db';

export async function assign(req: any) {
  const memberId = req.body.memberId;
  ${check}
  await db.query('UPDATE team_members SET user_id = $1 WHERE id = $2', [req.body.userId, memberId]);
}
`;
  it('a write by the id a scoped read checked first: not reported', async () => {
    const check = "const found = await db.query('SELECT id FROM team_members WHERE id = $1 AND team_id = $2', [memberId, req.user.teamId]);\n  if (found.rows.length === 0) return;";
    expect(await rtf({ 'src/assign.ts': checkedThenWritten(check) })).toEqual([]);
  });
  it('the same write without the check: reported', async () => {
    expect((await rtf({ 'src/assign.ts': checkedThenWritten('') })).map((f) => f.line)).toEqual([6]);
  });

  it('the teams of the verified user: not reported', async () => {
    expect(await rtf({ 'src/members.ts': members('req.user.id') })).toEqual([]);
  });
  it('the teams of a user the client names: reported at the sub-select', async () => {
    const findings = await rtf({ 'src/members.ts': members('req.body.userId') });
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual(['src/members.ts:6']);
  });
  it("a child filtered by its parent's key: the evidence names the filter and the value", async () => {
    const findings = await rtf({
      'src/env-users.ts': `import db from './db';\n\nexport async function setDaily(opts: { environmentId: string; userId: string }) {\n  await db.query('update environment_users set daily = true where environment_id = $1 and user_id = $2', [opts.environmentId, opts.userId]);\n}\n`,
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.evidence).toContain('a filter on `environment_users.environment_id` (its key to the parent `environments`), compared with `opts.environmentId`');
    expect(findings[0]!.evidence).not.toContain('no predicate on `environment_users.environment_id`');
  });
});
