// Coverage on Effect-TS code, session 16 (issue 16; latitude-llm's repositories, Cap's Database
// service): a client reached through a service tag (`const sql = yield* SqlClient`) is what the
// project's layers provide for that tag (`Layer.effect(SqlClient, ...)`, `Layer.succeed`,
// `Effect.Service`'s own `effect`), found through the call graph. Each shape beside its twin: the
// tag no layer provides stays not traced, with where the trace stopped.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';

const { makeProject } = useScratch();

type Result = Awaited<ReturnType<typeof scan>>;

function filterSites(result: Result): string[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`).sort();
}

function notTraced(result: Result): string[] {
  return result.coverage.notTracedSites.map((s) => `${s.file}:${s.line} ${s.reason}`);
}

const DRIZZLE_SCHEMA = `import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
export const organizations = pgTable('organizations', { id: uuid('id').primaryKey(), name: text('name').notNull() });
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  organizationId: uuid('organization_id').notNull().references(() => organizations.id),
  status: text('status').notNull(),
}, (t) => [index('invoices_org_idx').on(t.organizationId, t.id)]);
`;

const DRIZZLE_CLIENT = `import { drizzle } from 'drizzle-orm/node-postgres';
import { Pool } from 'pg';
export type PostgresDb = ReturnType<typeof drizzle>;
export interface PostgresClient { readonly db: PostgresDb }
export const createPostgresClient = (): PostgresClient => ({ db: drizzle({ client: new Pool() }) });
`;

/** latitude-llm's shape: a tag in a shared module, its live layer beside the client, repositories asking for it. */
const SQL_TAG = `import { Context, type Effect } from 'effect';
export interface SqlClientShape<X = unknown> {
  readonly query: <T>(fn: (tx: X, organizationId: string) => Promise<T>) => Effect.Effect<T>;
}
export class SqlClient extends Context.Tag('SqlClient')<SqlClient, SqlClientShape>() {}
`;

const SQL_LAYER = `import { Effect, Layer } from 'effect';
import type { PostgresClient, PostgresDb } from './client';
import { SqlClient } from './sql-tag';
export const SqlClientLive = (client: PostgresClient, organizationId: string) =>
  Layer.effect(
    SqlClient,
    Effect.gen(function* () {
      return {
        query: <T>(fn: (tx: PostgresDb, organizationId: string) => Promise<T>) =>
          Effect.promise(() => client.db.transaction(async (tx) => fn(tx, organizationId))),
      };
    }),
  );
`;

const REPOSITORY = `import { and, eq } from 'drizzle-orm';
import { Effect } from 'effect';
import { invoices } from './schema';
import { SqlClient } from './sql-tag';

export const findInvoice = (id: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient;
    return yield* sql.query((db, organizationId) => db.select().from(invoices).where(and(eq(invoices.organizationId, organizationId), eq(invoices.id, id))));
  });

export const findAnyInvoice = (id: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient;
    return yield* sql.query((db) => db.select().from(invoices).where(eq(invoices.id, id)));
  });
`;

function drizzleProject(files: Record<string, string>): Record<string, string> {
  return {
    'package.json': JSON.stringify({ dependencies: { 'drizzle-orm': '0.40.0', effect: '3.10.0', pg: '8' } }),
    'src/schema.ts': DRIZZLE_SCHEMA,
    'src/client.ts': DRIZZLE_CLIENT,
    'src/sql-tag.ts': SQL_TAG,
    'src/repository.ts': REPOSITORY,
    ...files,
  };
}

describe('Effect: a service tag is what the layers provide for it', () => {
  it('Drizzle: `yield* SqlClient` provided by `Layer.effect(SqlClient, Effect.gen(...))`: the callback\'s `db` is the client', async () => {
    const dir = makeProject(drizzleProject({ 'src/sql-client.ts': SQL_LAYER }));
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1, schemaMatched: 0, notTraced: 0 });
    // `byId` returns its `Effect.gen` program, which is its own code; nothing calls `byId` in this application: dead code.
    expect(filterSites(result)).toEqual(['src/repository.ts:15 warning']);
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
  });

  it('twin: with no layer that provides the tag, the calls stay not traced, and the reason says where the trace stopped', async () => {
    const dir = makeProject(drizzleProject({}));
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, schemaMatched: 2, notTraced: 0 });
    const finding = result.findings.find((f) => f.ruleId === 'require-tenant-filter');
    expect(finding?.evidence).toContain('is the service tag `SqlClient`, and no layer of the project that provides it was found');
  });

  it('a test layer does not provide the tag: only the application\'s layers count', async () => {
    const dir = makeProject(
      drizzleProject({
        'src/sql-client.test.ts': `import { Effect, Layer } from 'effect';\nimport { SqlClient } from './sql-tag';\nexport const FakeSql = Layer.succeed(SqlClient, { query: () => Effect.succeed([]) });\n`,
      }),
    );
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, schemaMatched: 2 });
  });

  it('`Layer.succeed(Tag, Tag.of({ ... }))` and a const tag (`Context.GenericTag`)', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { 'drizzle-orm': '0.40.0', effect: '3.10.0', pg: '8' } }),
      'src/schema.ts': DRIZZLE_SCHEMA,
      'src/client.ts': DRIZZLE_CLIENT,
      'src/tags.ts': `import { Context } from 'effect';\nimport type { PostgresDb } from './client';\nexport interface Db { readonly db: PostgresDb }\nexport const Db = Context.GenericTag<Db>('Db');\n`,
      'src/live.ts': `import { Layer } from 'effect';\nimport { createPostgresClient } from './client';\nimport { Db } from './tags';\nconst client = createPostgresClient();\nexport const DbLive = Layer.succeed(Db, Db.of({ db: client.db }));\n`,
      'src/repository.ts': [
        `import { eq } from 'drizzle-orm';`,
        `import { Effect } from 'effect';`,
        `import { invoices } from './schema';`,
        `import { Db } from './tags';`,
        `export const byId = (id: string) => Effect.gen(function* () {`,
        `  const { db } = yield* Db;`,
        `  return yield* Effect.promise(() => db.select().from(invoices).where(eq(invoices.id, id)));`,
        `});`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, unscoped: 1, schemaMatched: 0, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/repository.ts:7 error']);
  });

  it("Cap's shape: `Effect.Service` builds the service itself (`effect: Effect.gen(...)`), and `db.use((db) => ...)` hands the client", async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { 'drizzle-orm': '0.40.0', effect: '3.10.0', pg: '8' } }),
      'src/schema.ts': DRIZZLE_SCHEMA,
      'src/client.ts': DRIZZLE_CLIENT,
      'src/database.ts': [
        `import { Effect } from 'effect';`,
        `import { createPostgresClient, type PostgresDb } from './client';`,
        `const client = createPostgresClient();`,
        `export class Database extends Effect.Service<Database>()('Database', {`,
        `  effect: Effect.gen(function* () {`,
        `    return { use: <T>(cb: (db: PostgresDb) => Promise<T>) => Effect.promise(() => cb(client.db)) };`,
        `  }),`,
        `}) {}`,
        '',
      ].join('\n'),
      'src/repository.ts': [
        `import { eq } from 'drizzle-orm';`,
        `import { Effect } from 'effect';`,
        `import { Database } from './database';`,
        `import { invoices } from './schema';`,
        `export const byId = (id: string) => Effect.gen(function* () {`,
        `  const database = yield* Database;`,
        `  return yield* database.use((db) => db.select().from(invoices).where(eq(invoices.id, id)));`,
        `});`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, unscoped: 1, schemaMatched: 0, notTraced: 0 });
    // As above: the program `byId` returns is its own code, and nothing calls `byId`.
    expect(filterSites(result)).toEqual(['src/repository.ts:7 warning']);
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
  });

  it('Kysely: `yield* Db` provided by `Layer.sync(Db, () => new Kysely(...))` is the client', async () => {
    const sql = `CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE invoices (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id), status text);\nCREATE INDEX ON invoices (org_id, id);\n`;
    const files = (layer: string) => ({
      'package.json': JSON.stringify({ dependencies: { kysely: '0.27.0', effect: '3.10.0', pg: '8' } }),
      'migrations/0001_init.sql': sql,
      'src/db.ts': `import { Context } from 'effect';\nimport type { Kysely } from 'kysely';\nexport class Db extends Context.Tag('Db')<Db, Kysely<any>>() {}\n`,
      'src/live.ts': layer,
      'src/repository.ts': [
        `import { Effect } from 'effect';`,
        `import { Db } from './db';`,
        `export const byId = (id: string) => Effect.gen(function* () {`,
        `  const db = yield* Db;`,
        `  return yield* Effect.promise(() => db.selectFrom('invoices').selectAll().where('id', '=', id).execute());`,
        `});`,
        `export const inOrg = (orgId: string, id: string) => Effect.gen(function* () {`,
        `  const db = yield* Db;`,
        `  return yield* Effect.promise(() => db.selectFrom('invoices').selectAll().where('org_id', '=', orgId).where('id', '=', id).execute());`,
        `});`,
        '',
      ].join('\n'),
    });
    const traced = await scan({ path: makeProject(files(`import { Layer } from 'effect';\nimport { Kysely, PostgresDialect } from 'kysely';\nimport { Pool } from 'pg';\nimport { Db } from './db';\nexport const DbLive = Layer.sync(Db, () => new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool() }) }));\n`)) });
    expect(traced.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1, notTraced: 0 });
    expect(filterSites(traced)).toEqual(['src/repository.ts:5 error']);
    // Twin: no layer provides `Db`: the calls are counted as not traced, and say where the trace stopped.
    const untraced = await scan({ path: makeProject(files(`export {};\n`)) });
    expect(untraced.coverage).toMatchObject({ analysed: 0 });
    expect(notTraced(untraced)).toEqual([
      expect.stringContaining('src/repository.ts:5 '),
      expect.stringContaining('src/repository.ts:9 '),
    ]);
    expect(notTraced(untraced)[0]).toContain('is the service tag `Db`, and no layer of the project that provides it was found (line 4)');
  });
});

describe('Drizzle: a table declared in a database schema object', () => {
  const files = (query: string) => ({
    'package.json': JSON.stringify({ dependencies: { 'drizzle-orm': '0.40.0', pg: '8' } }),
    'src/helpers.ts': `import { pgSchema } from 'drizzle-orm/pg-core';\nexport const appSchema = pgSchema('app');\n`,
    'src/schema.ts': [
      `import { index, text, uuid } from 'drizzle-orm/pg-core';`,
      `import { appSchema } from './helpers';`,
      `export const organizations = appSchema.table('organizations', { id: uuid('id').primaryKey(), name: text('name').notNull() });`,
      `export const invoices = appSchema.table('invoices', {`,
      `  id: uuid('id').primaryKey(),`,
      `  organizationId: uuid('organization_id').notNull().references(() => organizations.id),`,
      `}, (t) => [index('invoices_org_idx').on(t.organizationId, t.id)]);`,
      '',
    ].join('\n'),
    'src/client.ts': DRIZZLE_CLIENT,
    'src/a.ts': `import { and, eq } from 'drizzle-orm';\nimport { createPostgresClient } from './client';\nimport { invoices } from './schema';\nconst { db } = createPostgresClient();\nexport const read = (orgId: string, id: string) => ${query};\n`,
  });

  it("`appSchema.table('invoices', {...})` with `appSchema = pgSchema('app')` in another module is the schema's table: a scoped read", async () => {
    const result = await scan({ path: makeProject(files(`db.select().from(invoices).where(and(eq(invoices.organizationId, orgId), eq(invoices.id, id)))`)) });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, scoped: 1, notAnalysable: 0 });
    expect(filterSites(result)).toEqual([]);
  });

  it('twin: the same table read by id alone is unscoped, reported', async () => {
    const result = await scan({ path: makeProject(files(`db.select().from(invoices).where(eq(invoices.id, id))`)) });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, unscoped: 1, notAnalysable: 0 });
    expect(filterSites(result)).toEqual(['src/a.ts:5 warning']);
  });
});
