import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { loadProject } from '../../src/project/project.js';
import { withoutClickHouseClauses, numberClickHouseParameters } from '../../src/sql/clickhouse.js';
import { runCli, useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';

/*
 * ClickHouse as a data store (issue 16; umami's 64 ClickHouse queries sent through `rawQuery(sql,
 * params)` in lib/clickhouse.ts, its DDL in db/clickhouse/schema.sql):
 * - `@clickhouse/client`'s `client.query({ query, query_params })`, and a project function that hands
 *   its parameter to it, send SQL in ClickHouse's dialect: `{name:Type}` parameters (valued by
 *   `query_params` or the wrapper's object), `FINAL`, `SETTINGS`, `FORMAT` are normalised for the
 *   PostgreSQL grammar; what still does not parse is counted as not analysable, with the reason.
 * - ClickHouse DDL is a database of its own: never merged with a PostgreSQL table of the same name,
 *   `Nullable(T)` nullable and other types NOT NULL, the sorting key its index, and linked to the
 *   tenant hierarchy when a column is named like a key of the application's tables.
 * Twins: each query with the tenant predicate and without it, directly and through the wrapper.
 */

const { makeProject } = useScratch();

const MIGRATION = `CREATE TABLE teams (id uuid PRIMARY KEY, name text);
CREATE TABLE websites (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), name text);
CREATE TABLE sessions (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), website_id uuid NOT NULL REFERENCES websites(id));
CREATE INDEX websites_team ON websites (team_id, id);
CREATE INDEX sessions_team ON sessions (team_id, id);
CREATE TABLE website_event (id uuid PRIMARY KEY, website_id uuid NOT NULL REFERENCES websites(id), name text);
`;

const DDL = `-- events
CREATE TABLE analytics.website_event
(
    team_id UUID,
    website_id UUID,
    url_path String,
    referrer LowCardinality(Nullable(String)),
    created_at DateTime('UTC')
)
ENGINE = MergeTree
    PARTITION BY toYYYYMM(created_at)
    ORDER BY (team_id, website_id, created_at)
    SETTINGS index_granularity = 8192;

CREATE TABLE analytics.page_stats
(
    website_id UUID,
    views UInt64
)
ENGINE = SummingMergeTree
    ORDER BY (website_id);

CREATE TABLE analytics.audit_log
(
    team_id UUID,
    message String,
    created_at DateTime
)
ENGINE = MergeTree
    ORDER BY (created_at, team_id);
`;

const CLIENT = `import { createClient } from '@clickhouse/client';

export const client = createClient({ url: process.env.CLICKHOUSE_URL });

export async function rawQuery<T>(query: string, params: Record<string, unknown> = {}): Promise<T> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return (await result.json()) as T;
}
`;

function repo(routes: string, extra: Record<string, string> = {}): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'ch', private: true, dependencies: { '@clickhouse/client': '^1.11.0', pg: '^8.16.0', express: '^5.1.0' } }),
    'migrations/0001_init.sql': MIGRATION,
    'db/clickhouse/schema.sql': DDL,
    'src/clickhouse.ts': CLIENT,
    'src/routes.ts': `import express from 'express';\nimport { client, rawQuery } from './clickhouse';\n\nexport const app = express();\n${routes}`,
    ...extra,
  });
}

/** A route that runs `call` (with `req` in scope). */
const route = (call: string) => `app.get('/websites/:websiteId/events', async (req: any, res: any) => {\n  res.json(${call});\n});\n`;

/** `client.query({ query, query_params })` itself. */
const direct = (sql: string, params: string) => `await (await client.query({ query: \`${sql}\`, query_params: ${params} })).json()`;
/** The project's wrapper, umami's `rawQuery(sql, params)`. */
const wrapped = (sql: string, params: string) => `await rawQuery(\`${sql}\`, ${params})`;

async function filterFindings(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity} ${/table `([\w.]+)`/.exec(f.message)?.[1] ?? f.message}`);
}

const SCOPED = `select url_path from website_event final where team_id = {teamId:UUID} and website_id = {websiteId:UUID} settings max_threads = 2 format JSONEachRow`;
const UNSCOPED = `select url_path from website_event final where website_id = {websiteId:UUID} settings max_threads = 2 format JSONEachRow`;
const PARAMS = `{ teamId: req.user.team_id, websiteId: req.params.websiteId }`;

describe.each([
  ['client.query({ query, query_params })', direct],
  ['a project wrapper (rawQuery(sql, params))', wrapped],
])('%s', (_name, send) => {
  it('the tenant predicate on the session team, FINAL/SETTINGS/FORMAT normalised: ok, both faces agree', async () => {
    const dir = repo(route(send(SCOPED, PARAMS)));
    expect(await filterFindings(dir)).toEqual([]);
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ notTraced: 0 });
    expect(result.coverage.scoped).toBeGreaterThanOrEqual(1);
  });

  it('twin: only the website the route names, no tenant predicate: error, both faces agree', async () => {
    const dir = repo(route(send(UNSCOPED, PARAMS)));
    expect(await filterFindings(dir)).toEqual(['src/routes.ts:6 error website_event']);
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
    expect(faces.scanner.get('src/routes.ts')).toEqual(['6 missingTenantFilter']);
  });

  it('`team_id IN {teams:Array(UUID)}` of the session: ok; twin: the teams the query string names: error', async () => {
    const sql = `select url_path from website_event where team_id in {teams:Array(UUID)}`;
    expect(await filterFindings(repo(route(send(sql, `{ teams: [req.user.team_id] }`))))).toEqual([]);
    expect(await filterFindings(repo(route(send(`select url_path from website_event where website_id in {teams:Array(UUID)}`, `{ teams: req.query.ids }`))))).toEqual(['src/routes.ts:6 error website_event']);
  });
});

describe('inserts: `client.insert({ table, values })` and umami\'s `insert(table, values)` wrapper', () => {
  const INSERT = `\nexport async function insert(table: string, values: unknown[]) {\n  return client.insert({ table, values, format: 'JSONEachRow' });\n}\n`;
  it('a write of a ClickHouse table is analysed as an insert (no filter), through the wrapper too', async () => {
    const dir = repo(
      route(`await client.insert({ table: 'website_event', values: [{ team_id: req.user.team_id, url_path: req.path }], format: 'JSONEachRow' })`),
      { 'src/clickhouse.ts': CLIENT + INSERT, 'src/track.ts': `import { insert } from './clickhouse';\n\nexport async function track(teamId: string) {\n  await insert('page_stats', [{ website_id: teamId, views: 1 }]);\n}\n` },
    );
    const result = await scan({ path: dir });
    // The wrappers' own `client.query({ query })` and `client.insert({ table })` take their SQL and table as parameters: not analysable there.
    expect(result.coverage).toMatchObject({ notTraced: 0, notAnalysable: 2 });
    expect(result.coverage.scoped).toBe(2);
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter')).toEqual([]);
  });

  it('twin: a table the ClickHouse DDL does not declare is counted as not analysable, with the reason', async () => {
    const dir = repo(route('1'), { 'src/clickhouse.ts': CLIENT + INSERT, 'src/track.ts': `import { insert } from './clickhouse';\n\nexport async function track() {\n  await insert('clicks', [{ n: 1 }]);\n}\n` });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ notTraced: 0, notAnalysable: 3 });
    expect(result.unknown.map((u) => u.reason).sort()).toEqual([
      'client.insert: the table it writes (`table`) is not a constant',
      'client.query: the SQL text `query` cannot be followed',
      'insert: table `clicks` is not in the ClickHouse schema',
    ]);
  });
});

describe('ClickHouse DDL is a database of its own', () => {
  it('tables, Nullable columns, the sorting key as index, a link to the hierarchy by key name, no merge with the PostgreSQL table of the same name', () => {
    const dir = repo(route('1'));
    const { schema } = loadProject(dir);
    const byName = (name: string) => [...schema.tables.values()].find((t) => t.name === name);
    const event = byName('clickhouse.website_event');
    expect(event?.database).toBe('clickhouse');
    expect(event?.class).toBe('tenant');
    expect(event?.tenantKeys).toEqual(['team_id']);
    expect(event?.columns.get('referrer')?.nullable).toBe(true);
    expect(event?.columns.get('url_path')?.nullable).toBe(false);
    expect(event?.indexes[0]).toEqual(['team_id', 'website_id', 'created_at']);
    // PostgreSQL's `website_event` is still the migration's table, with its own key.
    const pg = byName('website_event');
    expect(pg?.database).toBeUndefined();
    expect([...(pg?.columns.keys() ?? [])]).toEqual(['id', 'website_id', 'name']);
    // `page_stats.website_id` is named like `sessions.website_id -> websites`: a child of websites.
    const stats = byName('page_stats');
    expect(stats?.class).toBe('child');
    expect(schema.sources.map((s) => s.kind)).toContain('clickhouse');
    // The PostgreSQL migrations do not fold the ClickHouse DDL.
    expect(schema.sources.find((s) => s.kind === 'sql')?.files).toEqual(['migrations/0001_init.sql']);
  });

  it('the printed hierarchy names the ClickHouse tables and how each is linked; the store is no longer reported unread', async () => {
    const dir = repo(route('1'));
    const run = await runCli(['scan', dir, '--format', 'text', '--no-color']);
    expect(run.stdout).toMatch(/clickhouse tables: +3, a database of its own: audit_log \(tenant key team_id\), clickhouse\.website_event \(tenant key team_id\), page_stats \(child of websites by website_id\)/);
    const result = await scan({ path: dir });
    expect(result.diagnostics.filter((d) => d.code === 'unread-store')).toEqual([]);
  });

  it('a sorting key that does not lead with the tenant column is reported by require-tenant-index; twin: one that does is not', async () => {
    const result = await scan({ path: repo(route('1')) });
    const index = result.findings.filter((f) => f.ruleId === 'require-tenant-index').map((f) => `${f.file}:${f.line}`);
    // `audit_log` sorts by `created_at` first; `website_event` leads with `team_id`.
    expect(index).toEqual(['db/clickhouse/schema.sql:23']);
  });

  it('a PostgreSQL query on `website_event` reads the PostgreSQL table, a ClickHouse one the ClickHouse table', async () => {
    const pg = `import { Pool } from 'pg';\nexport const pool = new Pool();\n`;
    const routes = `import { pool } from './pg';\n${route("(await pool.query('select name from website_event where website_id = $1', [req.params.websiteId])).rows")}`;
    const dir = makeProject({
      'package.json': JSON.stringify({ name: 'ch', private: true, dependencies: { '@clickhouse/client': '^1.11.0', pg: '^8.16.0', express: '^5.1.0' } }),
      'migrations/0001_init.sql': MIGRATION,
      'db/clickhouse/schema.sql': DDL,
      'src/pg.ts': pg,
      'src/routes.ts': `import express from 'express';\n${routes.replace('app.get', 'export const app = express();\napp.get')}`,
    });
    const result = await scan({ path: dir });
    const site = result.findings.find((f) => f.ruleId === 'require-tenant-filter');
    // The PostgreSQL table is a child of websites (no `team_id`), the ClickHouse one has `team_id`.
    expect(site?.evidence).toMatch(/inherits tenancy from `websites`/);
  });
});

describe('census: ClickHouse SQL is analysed or counted, never dropped', () => {
  it('a statement the grammar still does not take (`LIMIT n BY`) is not analysable, with the reason', async () => {
    const dir = repo(route(wrapped(`select url_path from website_event where team_id = {teamId:UUID} order by created_at limit 5 by website_id`, PARAMS)));
    const result = await scan({ path: dir });
    // The wrapper's own `client.query({ query })` is seen too: its SQL is a parameter, not analysable there.
    expect(result.coverage).toMatchObject({ seen: 2, notAnalysable: 2, notTraced: 0 });
    expect(result.unknown.map((u) => u.reason).sort()).toEqual(['client.query: the SQL text `query` cannot be followed', 'rawQuery: the SQL does not parse (syntax error at or near "by")']);
  });

  it('a table the ClickHouse DDL does not declare (the PostgreSQL `teams`) is counted, not read against the other database', async () => {
    const dir = repo(route(wrapped(`select name from teams where id = {teamId:UUID}`, PARAMS)));
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, notAnalysable: 2, notTraced: 0 });
    expect(result.unknown.map((u) => u.reason).sort()).toEqual(['client.query: the SQL text `query` cannot be followed', 'rawQuery: table `teams` is not in the ClickHouse schema']);
  });

  it('without ClickHouse DDL the store stays reported unread, and its queries are counted as not analysable', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ name: 'ch', private: true, dependencies: { '@clickhouse/client': '^1.11.0', pg: '^8.16.0', express: '^5.1.0' } }),
      'migrations/0001_init.sql': MIGRATION,
      'src/clickhouse.ts': CLIENT,
      'src/routes.ts': `import express from 'express';\nimport { rawQuery } from './clickhouse';\n\nexport const app = express();\n${route(wrapped(UNSCOPED, PARAMS))}`,
    });
    const result = await scan({ path: dir });
    expect(result.diagnostics.filter((d) => d.code === 'unread-store')).toHaveLength(1);
    expect(result.coverage).toMatchObject({ seen: 2, notAnalysable: 2, notTraced: 0 });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter')).toEqual([]);
  });
});

describe('the ClickHouse normaliser keeps every position', () => {
  it('parameters, FINAL, SETTINGS, FORMAT, ANY JOIN, parametric aggregates, array literals', () => {
    const sql = `select quantile(0.75)(lcp) from e final any left join (select x from t where w = {w:UUID} and u in {ids:Array(String)}) s on s.x = e.x where w = {w:UUID} and has(['a'], c) and arr[1] = 2 settings max_threads = 2 format JSONEachRow`;
    const names: string[] = [];
    const out = numberClickHouseParameters(withoutClickHouseClauses(sql), names, 0);
    expect(out).toHaveLength(sql.length);
    expect(names).toEqual(['w', 'ids']);
    expect(out.replace(/\s+/g, ' ').trim()).toBe(`select quantile(0.75, lcp) from e left join (select x from t where w = $1 and u in ($2) ) s on s.x = e.x where w = $1 and has(('a'), c) and arr[1] = 2`);
  });
});
