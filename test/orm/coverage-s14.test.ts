// Coverage on the field corpus, session 14 (issue 16): the census counts data-access calls, not
// query sites, and counts SQL handed to helpers the analysis does not follow. Each shape beside
// its twin: the shape the recognizers do analyse (not counted twice) or a near miss that is not a query.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TSESTree } from '@typescript-eslint/types';
import { T, walk } from '../../src/core/ast.js';
import { Resolver } from '../../src/core/resolve.js';
import { ModuleGraph } from '../../src/project/modules.js';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

const SQL = `CREATE TABLE orgs (id uuid PRIMARY KEY);
CREATE TABLE invoices (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id), status text);
CREATE INDEX ON invoices (org_id, id);
CREATE TABLE payments (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id), invoice_id uuid REFERENCES invoices (id));
CREATE INDEX ON payments (org_id, id);
`;

const PRISMA = `
model Organization {
  id       String    @id
  invoices Invoice[]
  payments Payment[]
}
model Invoice {
  id    String       @id
  orgId String       @map("org_id")
  org   Organization @relation(fields: [orgId], references: [id])
  @@index([orgId])
  @@map("invoices")
}
model Payment {
  id    String       @id
  orgId String       @map("org_id")
  org   Organization @relation(fields: [orgId], references: [id])
  @@index([orgId])
  @@map("payments")
}
`;

function filterSites(result: Awaited<ReturnType<typeof scan>>): string[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`);
}

describe('coverage counts calls, not the tables a call reads', () => {
  it('pg: one statement over two tables, both scoped, is one scoped call', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { pg: '8' } }),
      'migrations/0001_init.sql': SQL,
      'src/db.ts': `import { Pool } from 'pg';\nexport const pool = new Pool();\n`,
      'src/a.ts': [
        `import { pool } from './db';`,
        `export const paid = (orgId: string) => pool.query('SELECT i.id FROM invoices i JOIN payments p ON p.invoice_id = i.id AND p.org_id = $1 WHERE i.org_id = $1', [orgId]);`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, scoped: 1, unscoped: 0, notTraced: 0 });
    expect(filterSites(result)).toEqual([]);
  });

  it('twin: the same statement without the filter on one table is one unscoped call, and still its finding', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { pg: '8' } }),
      'migrations/0001_init.sql': SQL,
      'src/db.ts': `import { Pool } from 'pg';\nexport const pool = new Pool();\n`,
      'src/a.ts': [
        `import { pool } from './db';`,
        `export const paid = (orgId: string, id: string) => pool.query('SELECT i.id FROM invoices i JOIN payments p ON p.id = $2 WHERE i.org_id = $1', [orgId, id]);`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, scoped: 0, unscoped: 1, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/a.ts:2']);
  });

  // `payments` is not constrained (a cross join; a join on `p.invoice_id = i.id` would constrain it by the invoice's key).
  it('Prisma `$queryRaw` over two tables is one call; two calls stay two', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { '@prisma/client': '5' } }),
      'prisma/schema.prisma': PRISMA,
      'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
      'src/a.ts': [
        `import { prisma } from './db';`,
        `export const both = (orgId: string) => prisma.$queryRaw\`SELECT * FROM invoices i CROSS JOIN payments p WHERE i.org_id = \${orgId}\`;`,
        `export const one = (orgId: string) => prisma.invoice.findMany({ where: { orgId } });`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/a.ts:2']);
  });
});

// umami: `clickhouse.rawQuery(sql, params)` where rawQuery calls `@clickhouse/client`'s
// `query({ query, ... })`, and `pagedRawQuery(sql)`, which wraps the text before it reaches a
// client: SQL that no recognizer follows to a client was not seen at all.
const CLICKHOUSE_LIB = [
  `import { createClient } from '@clickhouse/client';`,
  `const client = createClient({});`,
  `async function rawQuery(query: string, params: Record<string, unknown> = {}) {`,
  `  const rows = await client.query({ query, query_params: params, format: 'JSONEachRow' });`,
  `  return rows.json();`,
  `}`,
  `async function insert(table: string, values: unknown[]) {`,
  `  return client.insert({ table, values, format: 'JSONEachRow' });`,
  `}`,
  `export default { rawQuery, insert };`,
  '',
].join('\n');

describe('SQL handed to a helper the analysis does not follow is counted as not traced', () => {
  it('`rawQuery(sql)` of a ClickHouse helper (now followed), a `let sql` given in branches, and `insert(table, rows)`', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { '@clickhouse/client': '1', pg: '8' } }),
      'migrations/0001_init.sql': SQL,
      'src/clickhouse.ts': CLICKHOUSE_LIB,
      'src/a.ts': [
        `import clickhouse from './clickhouse';`,
        `export async function list(orgId: string, paid: boolean) {`,
        `  const { rawQuery, insert } = clickhouse;`,
        `  await rawQuery(\`select id from invoices where org_id = {orgId:UUID}\`, { orgId });`,
        `  let sql = '';`,
        `  if (paid) sql = \`select id from payments where org_id = {orgId:UUID}\`;`,
        `  else sql = \`select id from invoices_hourly where org_id = {orgId:UUID} group by id\`;`,
        `  await rawQuery(sql, { orgId });`,
        `  await insert('invoices', [{ org_id: orgId }]);`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    const reasons = result.coverage.notTracedSites.map((s) => `${s.file}:${s.line} ${s.reason}`);
    // `rawQuery` is now followed to the ClickHouse client (test/orm/clickhouse.test.ts): its SQL is
    // read against the ClickHouse tables, and this project has no ClickHouse DDL, so each call (and
    // the helper's own `client.query({ query })`) is counted as not analysable, with the reason.
    expect(reasons).toEqual([]);
    expect(result.unknown.map((u) => `${u.file}:${u.line} ${u.reason}`).sort()).toEqual([
      'src/a.ts:4 rawQuery: table `invoices` is not in the ClickHouse schema',
      'src/a.ts:8 rawQuery: the SQL text `sql` cannot be followed',
      'src/a.ts:9 insert: table `invoices` is not in the ClickHouse schema',
      'src/clickhouse.ts:4 client.query: the SQL text `query` cannot be followed',
      'src/clickhouse.ts:8 client.insert: the table it writes (`table`) is not a constant',
    ]);
    expect(result.coverage).toMatchObject({ seen: 5, analysed: 5, notAnalysable: 5, notTraced: 0 });
  });

  it('twin: the same helper over a pg pool is analysed (not counted again), and text that is only built or logged is not a query', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { pg: '8' } }),
      'migrations/0001_init.sql': SQL,
      'src/db.ts': [
        `import { Pool } from 'pg';`,
        `const pool = new Pool();`,
        `export async function rawQuery(sql: string, params: unknown[]) { const r = await pool.query(sql, params); return r.rows; }`,
        '',
      ].join('\n'),
      'src/a.ts': [
        `import { rawQuery } from './db';`,
        `const log = (...args: unknown[]) => args;`,
        `const trim = (text: string) => text.trim();`,
        `export async function list(orgId: string) {`,
        `  const sql = 'select id from invoices where org_id = $1';`,
        `  log('running', sql);`,
        `  const text = \`\${trim('select id from payments where org_id = $1')}\`;`,
        `  console.log(sql.replace('$1', orgId), text);`,
        `  return rawQuery(sql, [orgId]);`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites).toEqual([]);
    // The call in a.ts (scoped) and the helper's own \`pool.query(sql)\`, whose text is its parameter.
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, notAnalysable: 1, notTraced: 0 });
  });

  it('twin: a string that reads like a sentence, not a statement, handed to a helper is not counted', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { pg: '8' } }),
      'migrations/0001_init.sql': SQL,
      'src/db.ts': `import { Pool } from 'pg';\nexport const pool = new Pool();\n`,
      'src/a.ts': [
        `import { pool } from './db';`,
        `import { notify } from './notify';`,
        `export async function list(orgId: string) {`,
        `  notify('Select from the list of invoices to continue');`,
        `  notify('update your payment method');`,
        `  return pool.query('select id from invoices where org_id = $1', [orgId]);`,
        `}`,
        '',
      ].join('\n'),
      'src/notify.ts': `export function notify(text: string) { return text; }\n`,
    });
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites).toEqual([]);
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, notTraced: 0 });
  });
});

// teable: `packages/db-main-prisma/src/index.ts` is `export * from '@prisma/client'` beside its own
// modules, and the app imports `{ Prisma, PrismaService } from '@teable/db-main-prisma'`.
function prismaMonorepo(index: string, app: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['packages/*', 'apps/*'] }),
    'packages/db/package.json': JSON.stringify({ name: '@acme/db', main: 'src/index.ts', dependencies: { '@prisma/client': '5' } }),
    'packages/db/prisma/schema.prisma': PRISMA,
    'packages/db/src/index.ts': index,
    'packages/db/src/prisma.service.ts': `import { PrismaClient } from '@prisma/client';\nexport class PrismaService extends PrismaClient {}\n`,
    'packages/db/src/helpers.ts': `export const pageSize = 20;\n`,
    'apps/api/package.json': JSON.stringify({ name: '@acme/api', dependencies: { '@acme/db': '*', '@prisma/client': '5' } }),
    'apps/api/src/a.ts': app,
  });
}

describe('`export *` of a package in a workspace package', () => {
  const app = [
    `import { Prisma, PrismaClient, pageSize } from '@acme/db';`,
    `const prisma = new PrismaClient();`,
    `export const list = (orgId: string) => prisma.$queryRaw(Prisma.sql\`SELECT id FROM invoices WHERE org_id = \${orgId} LIMIT \${pageSize}\`);`,
    `export const all = () => prisma.invoice.findMany({});`,
    '',
  ].join('\n');

  it('a name no project module of the package exports is the re-exported package\'s: `Prisma.sql` and `new PrismaClient()` are traced', async () => {
    const dir = prismaMonorepo(`export * from '@prisma/client';\nexport * from './prisma.service';\nexport * from './helpers';\n`, app);
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites.map((s) => s.reason)).toEqual([]);
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1, schemaMatched: 0, notTraced: 0 });
    expect(filterSites(result)).toEqual(['apps/api/src/a.ts:4']);
  });

  it('twin: two packages re-exported side by side do not say which one a name comes from', async () => {
    const dir = prismaMonorepo(`export * from '@prisma/client';\nexport * from 'other-orm';\nexport * from './prisma.service';\nexport * from './helpers';\n`, app);
    const result = await scan({ path: dir });
    // The delegate call is still matched by the schema; the raw fragment is a part of the `$queryRaw` call, counted there.
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, notTraced: 0 });
    expect(filterSites(result)).toEqual(['apps/api/src/a.ts:4']);
  });
});

describe('the resolver: a name found only through `export *` of a package', () => {
  function bindingsIn(dir: string): Record<string, string> {
    const modules = new ModuleGraph();
    const resolver = new Resolver(modules);
    const unit = modules.unit(join(dir, 'apps/api/src/a.ts'))!;
    const out: Record<string, string> = {};
    walk(unit.ast, (node) => {
      if (node.type !== T.ImportSpecifier) return;
      const local = (node as TSESTree.ImportSpecifier).local;
      const b = resolver.bindingOf(local, unit);
      out[local.name] = b.kind === 'package' ? `package ${b.source} ${b.imported}` : b.kind;
    });
    return out;
  }
  const app = `import { Prisma, PrismaService, pageSize } from '@acme/db';\nexport const x = [Prisma, PrismaService, pageSize];\n`;

  it('is the one package re-exported beside the project modules', () => {
    const dir = prismaMonorepo(`export * from '@prisma/client';\nexport * from './prisma.service';\nexport * from './helpers';\n`, app);
    expect(bindingsIn(dir)).toEqual({ Prisma: 'package @prisma/client Prisma', PrismaService: 'class', pageSize: 'value' });
  });

  it('twin: with two packages re-exported, it is not guessed', () => {
    const dir = prismaMonorepo(`export * from '@prisma/client';\nexport * from 'other-orm';\nexport * from './prisma.service';\nexport * from './helpers';\n`, app);
    expect(bindingsIn(dir)).toEqual({ Prisma: 'unknown', PrismaService: 'class', pageSize: 'value' });
  });
});

describe('SQL text handed to a library function is the library recognizer\'s to read', () => {
  it('`pgFormat(text, rows)` formats text; a catalog query on pg is not project data; a query function chosen by `||` is not traced', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { pg: '8', 'pg-format': '1' } }),
      'migrations/0001_init.sql': SQL,
      'src/db.ts': `import { Pool } from 'pg';\nexport const pool = new Pool();\n`,
      'src/a.ts': [
        `import pgFormat from 'pg-format';`,
        `import pg from 'pg';`,
        `import { pool } from './db';`,
        `export async function save(rows: unknown[][], queryIn?: (q: string, v: unknown[]) => Promise<pg.QueryResult>) {`,
        `  const text = pgFormat('insert into invoices (id, org_id) values %L', rows);`,
        `  await pool.query('select count(1) from pg_timezone_names where name = $1', ['UTC']);`,
        `  const query = queryIn || pool.query.bind(pool);`,
        `  await query('insert into payments (id, org_id) values ($1, $2)', ['a', 'b']);`,
        `  return pool.query(text);`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites.map((s) => `${s.line} ${s.table}`)).toEqual(['8 payments']);
  });
});

// retraced: `saveEvent(..., querier?: Querier)` with `interface Querier { query(query: string, args?: any[]): Promise<pg.QueryResult> }`.
describe('a parameter typed with a project interface whose `query` returns the driver\'s result', () => {
  const files = (querier: string) => ({
    'package.json': JSON.stringify({ dependencies: { pg: '8' } }),
    'migrations/0001_init.sql': SQL,
    'src/pg.ts': `import pg from 'pg';\n${querier}\n`,
    'src/a.ts': [
      `import type { Querier } from './pg';`,
      `export class Store {`,
      `  async list(orgId: string, querier: Querier) { return querier.query('select id from invoices where org_id = $1', [orgId]); }`,
      `  async one(id: string, querier?: Querier) { return querier!.query('select id from invoices where id = $1', [id]); }`,
      `}`,
      '',
    ].join('\n'),
  });

  it('is the driver\'s client: both queries are analysed, the one without the tenant key is reported', async () => {
    const dir = makeProject(files(`export interface Querier {\n  query(query: string, args?: any[]): Promise<pg.QueryResult>;\n}`));
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/a.ts:4']);
  });

  it('twin: an interface whose `query` returns a project type (capgo\'s `PgQueryClient`) says nothing of a driver: not traced, counted', async () => {
    const dir = makeProject(files(`export interface Querier {\n  query: <T>(text: string, params?: unknown[]) => Promise<{ rows: T[] }>;\n}`));
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 0, notTraced: 2 });
    expect(filterSites(result)).toEqual([]);
  });
});

describe('migration steps are run by an operator, not counted as untraced data access', () => {
  const step = `exports.up = async function (db) {\n  await db.query('UPDATE invoices SET status = $1', ['open']);\n};\n`;

  it('`database/pg-migrations/1781_x.js` and `src/migrations/2021_x.js`: not counted', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { pg: '8' } }),
      'migrations/0001_init.sql': SQL,
      'database/pg-migrations/1781000000000_fix.js': step,
      'src/migrations/20210615115226-migrate.js': step,
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 0, notTraced: 0 });
  });

  // unleash: src/migrations has its own package.json (db-migrate's), so it is a project of its own and
  // its files' project paths (`2014_x.js`) name no migrations folder; it was 184 untraced calls, NONE.
  it('a migrations folder that is a project of its own: not counted', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { pg: '8' } }),
      'src/migrations/package.json': JSON.stringify({ type: 'commonjs' }),
      'src/migrations/20210101000000-init.js': `exports.up = function (db, cb) {\n  db.runSql(\`${SQL}\`, cb);\n};\n`,
      'src/migrations/20210615115226-migrate.js': step,
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 0, notTraced: 0 });
  });

  it('twin: the same step in an application module is counted as not traced', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { pg: '8' } }),
      'migrations/0001_init.sql': SQL,
      'src/services/migrate-status.js': step,
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 1, notTraced: 1 });
    expect(result.coverage.notTracedSites[0]?.reason).toContain('`db` is a parameter of unknown type');
  });
});

describe('a raw fragment inside a query the analysis read is part of that query', () => {
  const KNEX_FILES = (select: string) => ({
    'package.json': JSON.stringify({ dependencies: { knex: '3' } }),
    'migrations/0001_init.sql': SQL,
    'src/db.ts': `import knex from 'knex';\nexport const db = knex({ client: 'pg' });\n`,
    'src/a.ts': [
      `import { db } from './db';`,
      `export const list = (orgId: string) =>`,
      `  db('invoices').select('*', ${select}).where({ org_id: orgId });`,
      '',
    ].join('\n'),
  });

  it('Knex: `db.raw(...)` fragments in the select list of a scoped query do not add calls', async () => {
    const dir = makeProject(KNEX_FILES(`db.raw('(SELECT COUNT(*) FROM payments WHERE payments.invoice_id = invoices.id) as n'), db.raw('(select 1 as)')`));
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, scoped: 1, notTraced: 0 });
  });

  it('twin: the same fragment as a query of its own is counted', async () => {
    const dir = makeProject({
      ...KNEX_FILES(`'id'`),
      'src/b.ts': `import { db } from './db';\nexport const n = () => db.raw('(select 1 as)');\n`,
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, notAnalysable: 1, notTraced: 0 });
  });
});

// openpanel (fresh repo): its events live in ClickHouse (`@clickhouse/client` in packages/db), read
// through 130 query-builder calls no rule reads; the scan counted none of them and said nothing.
describe('a data store tenant-lint does not read', () => {
  const app = (dependencies: Record<string, string>) => ({
    'package.json': JSON.stringify({ dependencies }),
    'migrations/0001_init.sql': SQL,
    'src/db.ts': `import { Pool } from 'pg';\nexport const pool = new Pool();\nexport const list = (orgId: string) => pool.query('SELECT * FROM invoices WHERE org_id = $1', [orgId]);\n`,
  });

  it('a package.json that depends on @clickhouse/client: one diagnostic, and the verdict is not COMPLETE', async () => {
    const result = await scan({ path: makeProject(app({ pg: '8', '@clickhouse/client': '1' })) });
    expect(result.diagnostics.map((d) => `${d.code} ${d.file}`)).toEqual(['unread-store package.json']);
    expect(result.diagnostics[0]?.message).toContain('ClickHouse');
    expect(result.coverage.verdict).toBe('PARTIAL');
  });

  it('two of them in one package.json: one diagnostic naming both', async () => {
    const result = await scan({ path: makeProject(app({ pg: '8', '@clickhouse/client': '1', '@clickhouse/client-web': '1' })) });
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      // ClickHouse's queries are read where its DDL is (test/orm/clickhouse.test.ts): here there is none.
      'depends on `@clickhouse/client`, `@clickhouse/client-web`, but no ClickHouse DDL (`CREATE TABLE ... ENGINE = ...` in a .sql file) was found: its queries sent through `client.query({ query })` are counted as not analysable, and ClickHouse access the analysis does not trace to the client is not counted in the coverage',
    ]);
  });

  it('twin: without it, nothing is said and the same scan is COMPLETE', async () => {
    const result = await scan({ path: makeProject(app({ pg: '8' })) });
    expect(result.diagnostics).toEqual([]);
    expect(result.coverage.verdict).toBe('COMPLETE');
  });
});
