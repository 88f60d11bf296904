import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * node-postgres clients as real code builds them (worklenz, retraced): a driver picked by a flag,
 * SQL held in a const and handed to the project's `db.query`, lazy singleton pools and clients
 * from their `.connect()`, pools as members of an imported object, constructor-injected and
 * `pg.Pool`-typed pools, an optional querier with a fallback. Each traced shape is analysed; its
 * twin, whose receiver cannot be followed but whose first argument is SQL, is counted as not
 * traced with a reason: never dropped.
 */

const { makeProject } = useScratch();

const MIGRATION = `CREATE TABLE teams (id uuid PRIMARY KEY, name text);
CREATE TABLE projects (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), name text);
CREATE TABLE tasks (id uuid PRIMARY KEY, project_id uuid NOT NULL REFERENCES projects(id), team_id uuid NOT NULL REFERENCES teams(id), name text);
`;

function repo(files: Record<string, string>): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { pg: '^8.16.0' } }),
    'migrations/0001_init.sql': MIGRATION,
    ...files,
  });
}

async function measure(files: Record<string, string>, file = 'src/use.ts') {
  const result = await scan({ path: repo(files) });
  const c = result.coverage;
  return {
    /** Lines of `file` with a require-tenant-filter finding: the calls that were analysed and unscoped. */
    analysed: result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === file).map((f) => f.line),
    notTraced: c.notTracedSites.filter((s) => s.file === file).map((s) => s.line),
    reasons: c.notTracedSites.filter((s) => s.file === file).map((s) => s.reason),
    coverage: c,
  };
}

// The driver picked by a flag: worklenz's `config/db.ts`.
const CONDITIONAL_DB = `import pgModule from 'pg';
const pg = process.env.USE_PG_NATIVE === 'true' && pgModule.native ? pgModule.native : pgModule;
const pool = new pg.Pool({});
export default {
  pool,
  query: (text: string, params?: unknown[]) => pool.query(text, params),
};
`;

// The driver from somewhere the analysis cannot see.
const UNKNOWN_DB = `const pg = (globalThis as any).driver;
const pool = new pg.Pool({});
export default {
  pool,
  query: (text: string, params?: unknown[]) => pool.query(text, params),
};
`;

describe('1. a driver picked by a conditional (pgModule.native or pgModule)', () => {
  const use = `import db from './db';
export async function f(id: string) {
  return db.pool.query(\`SELECT * FROM projects WHERE id = $1\`, [id]);
}
`;
  it('is the pg module: the pool query is analysed', async () => {
    const m = await measure({ 'src/db.ts': CONDITIONAL_DB, 'src/use.ts': use });
    expect(m.notTraced).toEqual([]);
    expect(m.analysed).toEqual([3]);
  });
  it('twin: a driver that cannot be followed, counted as not traced', async () => {
    const m = await measure({ 'src/db.ts': UNKNOWN_DB, 'src/use.ts': use });
    expect(m.analysed).toEqual([]);
    expect(m.notTraced).toEqual([3]);
    expect(m.reasons[0]).toContain('is not traced to a SQL client');
  });
});

describe('2. SQL held in a const, passed to the project wrapper db.query', () => {
  const use = `import db from './db';
export async function f(id: string) {
  const q = \`SELECT * FROM projects WHERE id = $1\`;
  const r = await db.query(q, [id]);
  return r.rows;
}
`;
  it('is the query: analysed at the wrapper call', async () => {
    const m = await measure({ 'src/db.ts': CONDITIONAL_DB, 'src/use.ts': use });
    expect(m.notTraced).toEqual([]);
    // reported where the table is named: in the const
    expect(m.analysed).toEqual([3]);
  });
  it('a named wrapper function, with SQL in a const', async () => {
    const db = `import { Pool } from 'pg';
export const pool = new Pool({});
export async function query(text: string, params?: unknown[]) { return pool.query(text, params); }
`;
    const named = `import { query } from './db';
export async function f(id: string) {
  const q = \`SELECT * FROM projects WHERE id = $1\`;
  return query(q, [id]);
}
`;
    const m = await measure({ 'src/db.ts': db, 'src/use.ts': named });
    expect(m.notTraced).toEqual([]);
    expect(m.analysed).toEqual([3]);
  });
  it('twin: the wrapper object cannot be followed (a parameter of unknown type), counted as not traced', async () => {
    const twin = `export async function f(db: any, id: string) {
  const q = \`SELECT * FROM projects WHERE id = $1\`;
  const r = await db.query(q, [id]);
  return r.rows;
}
`;
    const m = await measure({ 'src/db.ts': CONDITIONAL_DB, 'src/use.ts': twin });
    expect(m.analysed).toEqual([]);
    expect(m.notTraced).toEqual([3]);
    expect(m.reasons[0]).toContain('`db` is a parameter of unknown type');
  });
});

describe('3. a lazy singleton pool from a factory, and clients from its connect()', () => {
  const pgp = `import pg from 'pg';
let pgPool: pg.Pool;
export default function getPgPool(): pg.Pool {
  if (!pgPool) {
    pgPool = new pg.Pool({});
  }
  return pgPool;
}
`;
  const use = `import getPgPool from './pgp';
const pool = getPgPool();
export async function f(id: string) {
  await pool.query(\`SELECT * FROM projects WHERE id = $1\`, [id]);
  const client = await pool.connect();
  await client.query(\`SELECT * FROM tasks WHERE id = $1\`, [id]);
  pool.connect((err, c, done) => { c!.query(\`SELECT * FROM tasks WHERE id = $1\`, [id], () => done()); });
}
`;
  it('is a pg pool: the pool, its client and the callback client are analysed', async () => {
    const m = await measure({ 'src/pgp.ts': pgp, 'src/use.ts': use });
    expect(m.notTraced).toEqual([]);
    expect(m.analysed).toEqual([4, 6, 7]);
  });
  it('twin: a factory from nowhere, counted as not traced', async () => {
    const twin = use.replace(`import getPgPool from './pgp';`, `const getPgPool = (globalThis as any).getPgPool;`);
    const m = await measure({ 'src/pgp.ts': pgp, 'src/use.ts': twin });
    expect(m.analysed).toEqual([]);
    expect(m.notTraced).toEqual([4, 6, 7]);
  });
});

describe('4. a client from a pool exposed as a member of an imported object', () => {
  const use = `import db from './db';
export async function f(id: string) {
  const client = await db.pool.connect();
  try {
    await client.query(\`UPDATE tasks SET name = 'x' WHERE id = $1\`, [id]);
  } finally {
    client.release();
  }
}
`;
  it('is a pg client: analysed', async () => {
    const m = await measure({ 'src/db.ts': CONDITIONAL_DB, 'src/use.ts': use });
    expect(m.notTraced).toEqual([]);
    expect(m.analysed).toEqual([5]);
  });
  it('twin: the object cannot be followed, counted as not traced', async () => {
    const m = await measure({ 'src/db.ts': UNKNOWN_DB, 'src/use.ts': use });
    expect(m.analysed).toEqual([]);
    expect(m.notTraced).toEqual([5]);
  });
});

describe('5. a constructor-injected pool and namespace-qualified pg types', () => {
  const use = `import pg, { Pool } from 'pg';
export class Store {
  constructor(private readonly pool: pg.Pool) {}
  one(id: string) { return this.pool.query(\`SELECT * FROM projects WHERE id = $1\`, [id]); }
}
export const two = (id: string, p: pg.PoolClient) => p.query(\`SELECT * FROM projects WHERE id = $1\`, [id]);
export const three = (id: string, p: Pool) => p.query(\`SELECT * FROM projects WHERE id = $1\`, [id]);
const typed: pg.Pool = (globalThis as any).pool;
export const four = (id: string) => typed.query(\`SELECT * FROM projects WHERE id = $1\`, [id]);
`;
  it('are pg clients: analysed', async () => {
    const m = await measure({ 'src/use.ts': use });
    expect(m.notTraced).toEqual([]);
    expect(m.analysed).toEqual([4, 6, 7, 9]);
  });
  it('twin: injected without a type, counted as not traced', async () => {
    const twin = `export class Store {
  constructor(private readonly pool: any) {}
  one(id: string) { return this.pool.query(\`SELECT * FROM projects WHERE id = $1\`, [id]); }
}
`;
    const m = await measure({ 'src/use.ts': twin });
    expect(m.analysed).toEqual([]);
    expect(m.notTraced).toEqual([3]);
  });
});

describe('6. an optional querier with a fallback (querier = querier || pool)', () => {
  // The twins declare `query` to return a project type: declared as pg's result, the parameter is a
  // pg client whatever its fallback (the interface says so), and only the fallback is left to decide.
  const use = (fallback: string, result = 'pg.QueryResult') => `import pg from 'pg';
const pool = new pg.Pool({});
export interface Querier { query(text: string, args?: unknown[]): Promise<${result}>; }
export async function f(id: string, querier?: Querier) {
  querier = querier || ${fallback};
  return querier.query(\`SELECT * FROM projects WHERE id = $1\`, [id]);
}
`;
  it('may be the pool: analysed', async () => {
    const m = await measure({ 'src/use.ts': use('pool') });
    expect(m.notTraced).toEqual([]);
    expect(m.analysed).toEqual([6]);
  });
  it('twin: a fallback that cannot be followed, counted as not traced', async () => {
    const m = await measure({ 'src/use.ts': use('(globalThis as any).pool', 'Rows') });
    expect(m.analysed).toEqual([]);
    expect(m.notTraced).toEqual([6]);
  });
  const byDefault = (fallback: string, result = 'pg.QueryResult') => `import pg from 'pg';
const pool = new pg.Pool({});
export interface Querier { query(text: string, args?: unknown[]): Promise<${result}>; }
export async function f(id: string, querier: Querier = ${fallback}) {
  return querier.query(\`SELECT * FROM projects WHERE id = $1\`, [id]);
}
`;
  it('a default value (querier: Querier = pool): analysed', async () => {
    const m = await measure({ 'src/use.ts': byDefault('pool') });
    expect(m.notTraced).toEqual([]);
    expect(m.analysed).toEqual([5]);
  });
  it('twin: a default that cannot be followed, counted as not traced', async () => {
    const m = await measure({ 'src/use.ts': byDefault('(globalThis as any).pool', 'Rows') });
    expect(m.analysed).toEqual([]);
    expect(m.notTraced).toEqual([5]);
  });
});

describe('the census of raw SQL calls whose receiver is not traced', () => {
  it('counts SQL text through a const, a sql tag on an untraced receiver; not a call without SQL', async () => {
    const use = `export async function f(db: any, gql: any, id: string) {
  const q = 'SELECT * FROM projects WHERE id = $1';
  await db.query(q, [id]);
  await db.sql\`SELECT * FROM tasks WHERE id = \${id}\`;
  await gql.query({ query: 'projects' });
  await db.query('SELECT 1');
  await db.query(q.replace('x', 'y'), [id]);
}
`;
    const m = await measure({ 'src/use.ts': use });
    expect(m.notTraced).toEqual([3, 4]);
    expect(m.coverage).toMatchObject({ notTraced: 2, verdict: 'NONE' });
    expect(m.coverage.notTracedSites.map((s) => [s.orm, s.table])).toEqual([
      ['sql', 'projects'],
      ['sql', 'tasks'],
    ]);
  });
});

describe('a postgres.js `Sql` injected in a constructor', () => {
  const use = (type: string) => `import type { Sql } from 'postgres';
export class Store {
  constructor(private readonly sql: ${type}) {}
  one(id: string) { return this.sql\`SELECT * FROM projects WHERE id = \${id}\`; }
}
`;
  it('is the tag: analysed', async () => {
    const m = await measure({ 'src/use.ts': use('Sql') });
    expect(m.notTraced).toEqual([]);
    expect(m.analysed).toEqual([4]);
  });
  it('twin: injected without a type, counted as not traced', async () => {
    const m = await measure({ 'src/use.ts': use('any') });
    expect(m.analysed).toEqual([]);
    expect(m.notTraced).toEqual([4]);
    expect(m.reasons[0]).toContain('`this.sql` is not traced');
  });
});

describe('test harnesses', () => {
  it('an e2e-tests folder is test code: its cleanup queries are neither analysed nor counted', async () => {
    const m = await measure({ 'src/e2e-tests/handlers/a.ts': `export async function cleanup(pool: any) {\n  await pool.query('DELETE FROM projects WHERE id = $1', ['test']);\n}\n` }, 'src/e2e-tests/handlers/a.ts');
    expect(m.notTraced).toEqual([]);
    expect(m.coverage.seen).toBe(0);
  });
});

describe('CommonJS scripts: require(\'pg\')', () => {
  const use = (spec: string) => `const { Client } = require(${spec});
export async function run(id: string) {
  const client = new Client({});
  await client.query('DELETE FROM tasks WHERE id = $1', [id]);
}
`;
  it('is the pg module: analysed', async () => {
    const m = await measure({ 'src/use.ts': use(`'pg'`) });
    expect(m.notTraced).toEqual([]);
    expect(m.analysed).toEqual([4]);
  });
  it('twin: a computed require, counted as not traced', async () => {
    const m = await measure({ 'src/use.ts': use(`process.env.DRIVER!`) });
    expect(m.analysed).toEqual([]);
    expect(m.notTraced).toEqual([4]);
  });
});

describe('a placeholder whose number is computed ($${n})', () => {
  it('is a placeholder: the query parses and is analysed', async () => {
    const use = `import { Pool } from 'pg';
const pool = new Pool({});
export async function page(teamId: string, size: number, extra: unknown[]) {
  const limit = extra.length + 2;
  return pool.query(\`SELECT * FROM projects WHERE team_id = $1 LIMIT $\${limit}\`, [teamId, ...extra, size]);
}
`;
    const result = await scan({ path: repo({ 'src/use.ts': use }) });
    expect(result.unknown.map((u) => u.reason)).toEqual([]);
    expect(result.coverage).toMatchObject({ analysed: 1, scoped: 1, notAnalysable: 0 });
  });
});

describe('a statement that only calls a database function (SELECT create_task($1))', () => {
  const use = (receiver: string) => `import { Pool } from 'pg';
const pool = new Pool({});
export async function f(db: any, body: unknown) {
  await ${receiver}.query('SELECT create_task($1) AS task', [JSON.stringify(body)]);
  await ${receiver}.query('SELECT now(), count(*) FILTER (WHERE true), COALESCE($1, gen_random_uuid())', [body]);
  await ${receiver}.query("INSERT INTO tasks (id, project_id, team_id, name) VALUES ($1, $2, $3, 'x') ON CONFLICT (id) DO NOTHING", [body]);
}
`;
  it('on a pg pool: not analysable, with the function named (builtins are not; INSERT ... VALUES is a scoped write)', async () => {
    const result = await scan({ path: repo({ 'src/use.ts': use('pool') }) });
    expect(result.unknown.map((u) => [u.line, u.reason])).toEqual([[4, expect.stringContaining('calls the database function `create_task`')]]);
    expect(result.coverage).toMatchObject({ notAnalysable: 1, scoped: 1, notTraced: 0 });
  });
  it('twin: on an untraced receiver, counted as not traced', async () => {
    const m = await measure({ 'src/use.ts': use('db') });
    expect(m.notTraced).toEqual([4, 6]);
    expect(m.coverage.notTracedSites.map((s) => s.table)).toEqual(['create_task', 'tasks']);
  });
});

describe('views of the migrations', () => {
  it('a view that carries the tenant key is checked like its table; one that does not is counted as not analysable', async () => {
    const views = 'CREATE VIEW task_list AS SELECT t.id, t.team_id, t.name FROM tasks t;\nCREATE VIEW task_counts AS SELECT count(*) AS n FROM tasks;\n';
    const result = await scan({
      path: makeProject({
        'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { pg: '^8.16.0' } }),
        'migrations/0001_init.sql': MIGRATION,
        'migrations/0002_views.sql': views,
        'src/use.ts': `import { Pool } from 'pg';\nconst pool = new Pool();\nexport const one = (id: string) => pool.query('SELECT * FROM task_list WHERE id = $1', [id]);\nexport const mine = (teamId: string) => pool.query('SELECT * FROM task_list WHERE team_id = $1', [teamId]);\n`,
      }),
    });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`)).toEqual(['src/use.ts:3']);
    // views are not storage: no tenant-column or tenant-index finding on them
    expect(result.findings.filter((f) => f.file === 'migrations/0002_views.sql')).toEqual([]);
  });
});

describe('INSERT ... VALUES and clients checked out of a pool with a callback (retraced)', () => {
  const use = (pool: string) => `import { Pool } from 'pg';
const pgPool = ${pool};
export function create(projectId: string, teamId: string) {
  pgPool.connect((err: Error | undefined, pg: any, done: () => void) => {
    pg.query('INSERT INTO projects (id, team_id, name) VALUES ($1, $2, $3)', [projectId, teamId, 'x'], () => done());
    pg.query('SELECT * FROM projects WHERE id = $1', [projectId], () => done());
  });
}
`;
  it('the callback parameter of pool.connect is a client: both statements analysed, the read by id reported', async () => {
    const m = await measure({ 'src/use.ts': use('new Pool({})') });
    expect(m.notTraced).toEqual([]);
    expect(m.analysed).toEqual([6]);
    expect(m.coverage).toMatchObject({ analysed: 2, scoped: 1, unscoped: 1 });
  });
  it('twin: a pool that cannot be traced: both calls counted as not traced, the INSERT included', async () => {
    const m = await measure({ 'src/use.ts': use('(globalThis as any).makePool()') });
    expect(m.analysed).toEqual([]);
    expect(m.notTraced).toEqual([5, 6]);
  });
});

describe('postgres.js transactions: sql.begin(async (tx) => tx`...`)', () => {
  const use = (client: string) => `import postgres from 'postgres';
const sql = ${client};
export async function move(teamId: string, taskId: string, projectId: string) {
  return sql.begin(async (tx) => {
    await tx\`UPDATE tasks SET project_id = \${projectId} WHERE id = \${taskId} AND team_id = \${teamId}\`;
    await tx\`DELETE FROM tasks WHERE id = \${taskId}\`;
  });
}
`;
  const project = (client: string) =>
    makeProject({
      'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { postgres: '^3.4.0' } }),
      'migrations/0001_init.sql': MIGRATION,
      'src/use.ts': use(client),
    });
  it('the transaction is the client: the scoped UPDATE passes, the DELETE by id is reported', async () => {
    const result = await scan({ path: project('postgres(process.env.DATABASE_URL!)') });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => f.line)).toEqual([6]);
    expect(result.coverage).toMatchObject({ analysed: 2, notTraced: 0 });
  });
  it('twin: a client that cannot be traced: both statements counted as not traced', async () => {
    const result = await scan({ path: project('(globalThis as any).makeSql()') });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter')).toEqual([]);
    expect(result.coverage.notTracedSites.map((s) => s.line)).toEqual([5, 6]);
  });
});

describe('drizzle `db.execute(sql`...`)` (kan, capgo)', () => {
  const use = `import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
const db = drizzle(process.env.DATABASE_URL!);
export async function bump(teamId: string, id: string) {
  await db.execute(sql\`UPDATE tasks SET name = 'x' WHERE id = \${id}\`);
  const query = sql\`UPDATE tasks SET name = 'y' WHERE id = \${id} AND team_id = \${teamId}\`;
  await db.execute(query);
}
`;
  const project = (text: string) =>
    makeProject({
      'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { 'drizzle-orm': '^0.44.0', pg: '^8.16.0' } }),
      'migrations/0001_init.sql': MIGRATION,
      'src/use.ts': text,
    });
  it('the tag is the statement: each analysed once, never also counted as not traced', async () => {
    const result = await scan({ path: project(use) });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => f.line)).toEqual([5]);
    expect(result.coverage).toMatchObject({ analysed: 2, notTraced: 0 });
  });
  it('twin: SQL text without the tag on a receiver that cannot be traced is counted as not traced', async () => {
    const result = await scan({ path: project(`export async function bump(db: any, id: string) {\n  await db.execute(\`UPDATE tasks SET name = 'x' WHERE id = '\${id}'\`);\n}\n`) });
    expect(result.coverage.notTracedSites.map((s) => s.line)).toEqual([2]);
  });
});

describe('a WHERE built elsewhere and interpolated whole (retraced filter.ts)', () => {
  const use = (where: string) => `import { Pool } from 'pg';
const pool = new Pool({});
export async function search(filters: string[], values: unknown[]) {
  return pool.query(\`SELECT * FROM tasks WHERE ${where}\`, values);
}
`;
  it('is not analysable (the built condition may hold the tenant): counted, not reported', async () => {
    const result = await scan({ path: repo({ 'src/use.ts': use("${filters.join(' AND ')}") }) });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter')).toEqual([]);
    expect(result.unknown.map((u) => u.reason)).toEqual([expect.stringContaining('SQL built elsewhere and interpolated')]);
    expect(result.coverage).toMatchObject({ notAnalysable: 1 });
  });
  it('twin: a fixed condition by id alone beside it is still reported', async () => {
    const result = await scan({ path: repo({ 'src/use.ts': use('id = $1') }) });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => f.line)).toEqual([4]);
  });
});

describe('SQL held in a static readonly field of a class of the file (retraced EventCreater)', () => {
  const use = (modifier: string) => `import { Pool } from 'pg';
const pool = new Pool({});
export class Tasks {
  public ${modifier} byId = 'SELECT * FROM tasks WHERE id = $1';
  async get(id: string) {
    const q = Tasks.byId;
    return pool.query(q, [id]);
  }
}
`;
  it('is followed: the read by id is analysed and reported', async () => {
    const m = await measure({ 'src/use.ts': use('static readonly') });
    expect(m.analysed).toEqual([4]); // at the table name inside the field's SQL
  });
  it('twin: a static field that may be reassigned is not followed: counted as not analysable, not reported', async () => {
    const result = await scan({ path: repo({ 'src/use.ts': use('static') }) });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter')).toEqual([]);
    expect(result.coverage).toMatchObject({ notAnalysable: 1 });
  });
});
