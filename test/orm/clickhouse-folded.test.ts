import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { loadProject } from '../../src/project/project.js';
import { runCli, useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';

/*
 * ClickHouse SQL whose table name is read from a constant object, and ClickHouse DDL a project
 * function builds (issue 16; openpanel's `FROM ${TABLE_NAMES.events}` and `createTable({ name,
 * engine, columns, orderBy })` code migrations):
 * - `${TABLES.pageViews}` in a table position, where `TABLES` is a `const` object literal of strings
 *   (imported), is SQL text, not a `$n` parameter; an interpolation there that is not such a
 *   constant stays not analysable, with that reason (a table cannot be a parameter).
 * - A call of a project function whose body builds `CREATE TABLE` text, with an object literal of a
 *   string `name`, an `engine` and a `columns` list of string literals, is that CREATE TABLE: read
 *   by the ClickHouse DDL reader, its files named in the project header.
 * Twins: the query with the tenant predicate and without it.
 */

const { makeProject } = useScratch();

const MIGRATION = `CREATE TABLE organizations (id uuid PRIMARY KEY, name text);
CREATE TABLE projects (id uuid PRIMARY KEY, organization_id uuid NOT NULL REFERENCES organizations(id), name text);
CREATE INDEX projects_org ON projects (organization_id, id);
CREATE TABLE dashboards (id uuid PRIMARY KEY, project_id uuid NOT NULL REFERENCES projects(id), title text);
CREATE INDEX dashboards_project ON dashboards (project_id, id);
`;

const CLIENT = `import { createClient } from '@clickhouse/client';

export const ch = createClient({ url: process.env.CH_URL });

export const TABLES = {
  pageViews: 'page_views',
  clicks: 'click_log',
} as const;

export async function chSelect<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const result = await ch.query({ query, query_params: params, format: 'JSONEachRow' });
  return (await result.json()) as T[];
}
`;

/** The project's DDL builder: a template that starts CREATE TABLE, from an options object. */
const BUILDER = `interface TableSpec {
  name: string;
  columns: string[];
  engine?: string;
  orderBy: string[];
}

export function buildTable({ name, columns, engine = 'MergeTree()', orderBy }: TableSpec): string {
  return \`CREATE TABLE IF NOT EXISTS \${name} (
  \${columns.join(',\\n  ')}
) ENGINE = \${engine} ORDER BY (\${orderBy.join(', ')})\`;
}
`;

const CH_MIGRATION = `import { buildTable } from '../src/ch/ddl';
import { TABLES } from '../src/ch/client';

export const statements = [
  buildTable({
    name: TABLES.pageViews,
    engine: 'ReplacingMergeTree(seen_at)',
    columns: ['\`project_id\` String', '\`path\` String CODEC(ZSTD(3))', '\`referrer\` Nullable(String)', '\`seen_at\` DateTime'],
    orderBy: ['project_id', 'seen_at'],
  }),
  buildTable({
    name: 'click_log',
    columns: ['\`project_id\` String', '\`target\` String'],
    orderBy: ['project_id'],
  }),
];
`;

function repo(routes: string, extra: Record<string, string> = {}): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'chf', private: true, dependencies: { '@clickhouse/client': '^1.11.0', pg: '^8.16.0', express: '^5.1.0' } }),
    'migrations/0001_init.sql': MIGRATION,
    'src/ch/client.ts': CLIENT,
    'src/ch/ddl.ts': BUILDER,
    'ch-migrations/1-views.ts': CH_MIGRATION,
    'src/routes.ts': `import express from 'express';\nimport { ch, chSelect, TABLES } from './ch/client';\n\nexport const app = express();\n${routes}`,
    ...extra,
  });
}

const route = (call: string) => `app.get('/projects/:projectId/views', async (req: any, res: any) => {\n  res.json(${call});\n});\n`;

async function filterFindings(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity} ${/table `([\w.]+)`/.exec(f.message)?.[1] ?? f.message}`);
}

const SCOPED = `SELECT path FROM \${TABLES.pageViews} WHERE project_id = {projectId:String} ORDER BY seen_at DESC`;
const UNSCOPED = `SELECT path FROM \${TABLES.pageViews} ORDER BY seen_at DESC LIMIT 50`;
const PARAMS = `{ projectId: req.user.projectId }`;

describe('a table name read from a const object is folded into the SQL', () => {
  it('`FROM ${TABLES.pageViews}` with `project_id = {projectId:String}` of the session: analysed and scoped, both faces agree', async () => {
    const dir = repo(route(`await chSelect(\`${SCOPED}\`, ${PARAMS})`));
    expect(await filterFindings(dir)).toEqual([]);
    const result = await scan({ path: dir });
    // The wrapper's own `ch.query({ query })` takes its SQL as a parameter: the one not analysable.
    expect(result.unknown.map((u) => u.reason)).toEqual(['ch.query: the SQL text `query` cannot be followed']);
    expect(result.coverage.scoped).toBe(1);
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
  });

  it('twin: the same folded table without the tenant predicate: error, both faces agree', async () => {
    const dir = repo(route(`await chSelect(\`${UNSCOPED}\`)`));
    expect(await filterFindings(dir)).toEqual(['src/routes.ts:6 error page_views']);
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
    expect(faces.scanner.get('src/routes.ts')).toEqual(['6 missingTenantFilter']);
  });

  it('a JOIN of two folded tables: the unfiltered one is still reported', async () => {
    const sql = `SELECT v.path FROM \${TABLES.pageViews} v JOIN \${TABLES.clicks} c ON c.target = v.path WHERE v.project_id = {projectId:String}`;
    expect(await filterFindings(repo(route(`await chSelect(\`${sql}\`, ${PARAMS})`)))).toEqual(['src/routes.ts:6 error click_log']);
  });

  it('a table name that is not a constant (a parameter, a `let` object) stays not analysable, with the reason', async () => {
    const routes = `export async function views(table: string) {\n  return chSelect(\`SELECT path FROM \${table} WHERE project_id = {projectId:String}\`, { projectId: 'p' });\n}\n`;
    const mutable = `let NAMES = { views: 'page_views' };\nexport function reset() {\n  NAMES = { views: 'other' };\n}\nexport async function all() {\n  return chSelect(\`SELECT path FROM \${NAMES.views}\`);\n}\n`;
    const result = await scan({ path: repo(routes + mutable) });
    expect(result.unknown.map((u) => u.reason).sort()).toEqual([
      'ch.query: the SQL text `query` cannot be followed',
      'chSelect: the table name is interpolated from `NAMES.views`, which is not a constant: a table name cannot be a query parameter',
      'chSelect: the table name is interpolated from `table`, which is not a constant: a table name cannot be a query parameter',
    ]);
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter')).toEqual([]);
  });

  it('a folded constant in value position stays a parameter: `= ${TABLES.clicks}` is a value, not a column', async () => {
    const sql = `SELECT path FROM \${TABLES.pageViews} WHERE path = \${TABLES.clicks}`;
    expect(await filterFindings(repo(route(`await chSelect(\`${sql}\`)`)))).toEqual(['src/routes.ts:6 error page_views']);
  });

  it('`ch.insert({ table: TABLES.clicks })` writes the folded table', async () => {
    const dir = repo(route(`await ch.insert({ table: TABLES.clicks, values: [{ project_id: req.user.projectId, target: 'a' }], format: 'JSONEachRow' })`));
    const result = await scan({ path: dir });
    expect(result.unknown.map((u) => u.reason)).toEqual(['ch.query: the SQL text `query` cannot be followed']);
    expect(result.coverage.scoped).toBe(1);
  });
});

describe('ClickHouse DDL built by a project function', () => {
  it('each call with a string name, an engine and literal columns is a ClickHouse table; the header names its files', async () => {
    const dir = repo(route('1'));
    const { schema } = loadProject(dir);
    const views = [...schema.tables.values()].find((t) => t.name === 'page_views');
    expect(views?.database).toBe('clickhouse');
    expect(views?.tenantKeys).toEqual(['project_id']);
    expect([...(views?.columns.keys() ?? [])]).toEqual(['project_id', 'path', 'referrer', 'seen_at']);
    expect(views?.columns.get('referrer')?.nullable).toBe(true);
    expect(views?.columns.get('path')?.type).toBe('String');
    expect(views?.indexes[0]).toEqual(['project_id', 'seen_at']);
    // Located at the column's literal in the migration.
    expect(views?.columns.get('path')?.location).toMatchObject({ file: 'ch-migrations/1-views.ts', line: 8 });
    expect([...schema.tables.values()].find((t) => t.name === 'click_log')?.database).toBe('clickhouse');
    expect(schema.sources.find((s) => s.kind === 'clickhouse')?.files).toEqual(['ch-migrations/1-views.ts', 'src/ch/ddl.ts']);
    const run = await runCli(['scan', dir, '--format', 'text', '--no-color']);
    expect(run.stdout).toMatch(/clickhouse: ch-migrations\/1-views\.ts, src\/ch\/ddl\.ts/);
    expect(run.stdout).toMatch(/clickhouse tables: +2, a database of its own: click_log \(tenant key project_id\), page_views \(tenant key project_id\)/);
  });

  it("the application's camelCase key (`\"projectId\"`, as Prisma names it) links ClickHouse's `project_id`; the scoped query is ok, its twin an error", async () => {
    const camel = MIGRATION.replace('dashboards (id uuid PRIMARY KEY, project_id uuid', 'dashboards (id uuid PRIMARY KEY, "projectId" uuid').replace('dashboards (project_id, id)', 'dashboards ("projectId", id)');
    const scoped = repo(route(`await chSelect(\`${SCOPED}\`, ${PARAMS})`), { 'migrations/0001_init.sql': camel });
    const { schema } = loadProject(scoped);
    expect([...schema.tables.values()].find((t) => t.name === 'page_views')?.tenantKeys).toEqual(['project_id']);
    expect(await filterFindings(scoped)).toEqual([]);
    expect(await filterFindings(repo(route(`await chSelect(\`${UNSCOPED}\`)`), { 'migrations/0001_init.sql': camel }))).toEqual(['src/routes.ts:6 error page_views']);
  });

  it('twin: the same options passed to a function that does not build CREATE TABLE text are not DDL', () => {
    const dir = repo(route('1'), { 'src/ch/ddl.ts': `export function buildTable(spec: { name: string; columns: string[] }): string {\n  return spec.name;\n}\n` });
    const { schema } = loadProject(dir);
    expect([...schema.tables.values()].filter((t) => t.database === 'clickhouse')).toEqual([]);
  });

  it('a column list that is computed leaves that call out (the table would not be known whole)', () => {
    const computed = CH_MIGRATION.replace("columns: ['`project_id` String', '`target` String']", "columns: ['`project_id` String', ...extraColumns]").replace('export const statements', "const extraColumns = ['`target` String'];\nexport const statements");
    const { schema } = loadProject(repo(route('1'), { 'ch-migrations/1-views.ts': computed }));
    const names = [...schema.tables.values()].filter((t) => t.database === 'clickhouse').map((t) => t.name);
    expect(names).toEqual(['page_views']);
  });
});
