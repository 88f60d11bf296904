// Coverage on the field corpus, session 15 (issue 16): every data-access-looking call is analysed or
// counted as not traced, with the reason. Each shape beside its twin.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';

const { makeProject } = useScratch();

const SQL = `CREATE TABLE orgs (id uuid PRIMARY KEY);
CREATE TABLE invoices (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id), status text);
CREATE INDEX ON invoices (org_id, id);
CREATE TABLE payments (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id), invoice_id uuid REFERENCES invoices (id));
CREATE INDEX ON payments (org_id, id);
`;

type Result = Awaited<ReturnType<typeof scan>>;

function filterSites(result: Result): string[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.message.match(/`(invoices|payments)`/)?.[1] ?? f.message}`).sort();
}

function notTraced(result: Result): string[] {
  return result.coverage.notTracedSites.map((s) => `${s.file}:${s.line} ${s.reason}`);
}

const KNEX = {
  'package.json': JSON.stringify({ dependencies: { knex: '3' } }),
  'migrations/0001_init.sql': SQL,
  'src/db.ts': `import knex, { type Knex } from 'knex';\nexport type Db = Knex;\nexport const db: Db = knex({ client: 'pg' });\n`,
};

/** unleash's CRUDStore: the base class takes the table in its constructor, each subclass passes its own. */
function crudStore(filter: string, subclasses: Record<string, string>): Record<string, string> {
  return {
    ...KNEX,
    'src/crud-store.ts': [
      `import type { Db } from './db';`,
      `export abstract class CrudStore {`,
      `  protected db: Db;`,
      `  protected tableName: string;`,
      `  constructor(tableName: string, db: Db) {`,
      `    this.tableName = tableName;`,
      `    this.db = db;`,
      `  }`,
      `  async get(id: string, orgId: string) { return this.db(this.tableName).where(${filter}).first(); }`,
      `}`,
      '',
    ].join('\n'),
    ...subclasses,
  };
}

const subclass = (name: string, table: string, body = '') =>
  [
    `import type { Db } from './db';`,
    `import { CrudStore } from './crud-store';`,
    `export class ${name} extends CrudStore {`,
    `  constructor(db: Db) {`,
    `    super(${table}, db);`,
    `  }`,
    body,
    `}`,
    '',
  ].join('\n');

describe('Knex: a table held by a class field', () => {
  it("a base store's query is analysed once per table its subclasses pass to `super(...)`", async () => {
    const dir = makeProject(
      crudStore('{ id }', {
        'src/invoice-store.ts': subclass('InvoiceStore', `'invoices'`),
        'src/payment-store.ts': `const TABLE = 'payments';\n${subclass('PaymentStore', 'TABLE')}`,
      }),
    );
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, unscoped: 1, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/crud-store.ts:9 invoices', 'src/crud-store.ts:9 payments']);
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
  });

  it('twin: the base store filters by the tenant: analysed, scoped, no finding', async () => {
    const dir = makeProject(
      crudStore('{ id, org_id: orgId }', {
        'src/invoice-store.ts': subclass('InvoiceStore', `'invoices'`),
        'src/payment-store.ts': subclass('PaymentStore', `'payments'`),
      }),
    );
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, scoped: 1, notTraced: 0 });
    expect(filterSites(result)).toEqual([]);
  });

  it("in a subclass, `this` is that subclass: only the table it passes is read", async () => {
    const list = `  list() { return this.db(this.tableName).where({ status: 'open' }); }`;
    const dir = makeProject(
      crudStore('{ id, org_id: orgId }', {
        'src/invoice-store.ts': subclass('InvoiceStore', `'invoices'`, list),
        'src/payment-store.ts': subclass('PaymentStore', `'payments'`),
      }),
    );
    const result = await scan({ path: dir });
    expect(filterSites(result)).toEqual(['src/invoice-store.ts:7 invoices']);
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1, notTraced: 0 });
  });

  it('a field initialised with a constant, or assigned one in the constructor, is that table', async () => {
    const dir = makeProject({
      ...KNEX,
      'src/stores.ts': [
        `import type { Knex } from 'knex';`,
        `const PAYMENTS = 'payments';`,
        `export class InvoiceStore {`,
        `  private readonly table = 'invoices';`,
        `  constructor(private db: Knex) {}`,
        `  byId(id: string) { return this.db(this.table).where({ id }).first(); }`,
        `  mine(id: string, orgId: string) { return this.db(\`\${this.table} as i\`).where({ 'i.id': id, 'i.org_id': orgId }).first(); }`,
        `}`,
        `export class PaymentStore {`,
        `  private table: string;`,
        `  constructor(private db: Knex) { this.table = PAYMENTS; }`,
        `  byId(id: string) { return this.db(this.table).where({ id }).first(); }`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(filterSites(result)).toEqual(['src/stores.ts:12 payments', 'src/stores.ts:6 invoices']);
    expect(result.coverage).toMatchObject({ seen: 3, analysed: 3, scoped: 1, unscoped: 2, notTraced: 0 });
  });

  it('a module constant (`this.db(TABLE)`) is that table', async () => {
    const dir = makeProject({
      ...KNEX,
      'src/store.ts': [
        `import type { Knex } from 'knex';`,
        `const TABLE = 'invoices';`,
        `export class InvoiceStore {`,
        `  constructor(private db: Knex) {}`,
        `  byId(id: string) { return this.db(TABLE).where({ id }).first(); }`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(filterSites(result)).toEqual(['src/store.ts:5 invoices']);
  });

  it('a const chosen between two constants is either table; a sub-query (`.as(...)`) is part of its query, not a call of its own', async () => {
    const dir = makeProject({
      ...KNEX,
      'src/store.ts': [
        `import type { Knex } from 'knex';`,
        `const HOURLY = 'invoices';`,
        `const DAILY = 'payments';`,
        `export class Store {`,
        `  constructor(private db: Knex) {}`,
        `  recent(hours: number, orgId: string) {`,
        `    const table = hours <= 48 ? HOURLY : DAILY;`,
        `    return this.db(table).where({ org_id: orgId }).leftJoin(this.db('payments').select('*').as('p'), 'p.invoice_id', 'invoices.id');`,
        `  }`,
        `  all(hours: number) {`,
        `    const table = hours <= 48 ? HOURLY : DAILY;`,
        `    return this.db(table).select('*');`,
        `  }`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(notTraced(result)).toEqual([]);
    expect(filterSites(result)).toEqual(['src/store.ts:12 invoices', 'src/store.ts:12 payments']);
  });

  it('a table no constant decides is counted as not traced, with where its trace stopped', async () => {
    const dir = makeProject(
      crudStore('{ id }', {
        'src/invoice-store.ts': subclass('InvoiceStore', `'invoices'`),
        // The table is chosen by whoever constructs it, and here that is the request.
        'src/any-store.ts': [
          `import type { Db } from './db';`,
          `import { CrudStore } from './crud-store';`,
          `export class AnyStore extends CrudStore {`,
          `  constructor(table: string, db: Db) { super(table, db); }`,
          `}`,
          `export const storeFor = (req: { query: { table: string } }, db: Db) => new AnyStore(req.query.table, db);`,
          '',
        ].join('\n'),
      }),
    );
    const result = await scan({ path: dir });
    expect(filterSites(result)).toEqual([]);
    expect(notTraced(result)).toEqual([
      "src/crud-store.ts:9 `this.db(this.tableName)` is a Knex query, but which table it reads is not known: `CrudStore`'s constructor parameter `tableName`: `new AnyStore(...)` (src/any-store.ts:6) passes `req.query.table`, not a constant",
    ]);
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 0, notTraced: 1 });
  });

  it('a field assigned outside the constructor is not known either', async () => {
    const dir = makeProject({
      ...KNEX,
      'src/store.ts': [
        `import type { Knex } from 'knex';`,
        `export class Store {`,
        `  private table = 'invoices';`,
        `  constructor(private db: Knex) {}`,
        `  use(table: string) { this.table = table; }`,
        `  byId(id: string) { return this.db(this.table).where({ id }).first(); }`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(notTraced(result)).toEqual([
      'src/store.ts:6 `this.db(this.table)` is a Knex query, but which table it reads is not known: `this.table` is also assigned in `use` of `Store`',
    ]);
  });

  it('a table name from the client is not traced', async () => {
    const dir = makeProject({
      ...KNEX,
      'src/rows.ts': [
        `import { db } from './db';`,
        `export const row = (req: { params: { table: string; id: string } }) => db(req.params.table).where({ id: req.params.id }).first();`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(notTraced(result)).toEqual([
      'src/rows.ts:2 `db(req.params.table)` is a Knex query, but which table it reads is not known: `req.params.table` is read from `req`, a parameter of the function, not a constant',
    ]);
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 0, notTraced: 1 });
  });

  it('twin: `f(x).where(...)` of something that is not Knex is no query', async () => {
    const dir = makeProject({
      ...KNEX,
      'src/rows.ts': [
        `const collection = (name: string) => ({ where: (filter: object) => ({ name, filter }) });`,
        `export const row = (req: { params: { table: string; id: string } }) => collection(req.params.table).where({ id: req.params.id });`,
        `export class Finder {`,
        `  private table: string;`,
        `  constructor(table: string, private pick: (t: string) => { where: (f: object) => unknown }) { this.table = table; }`,
        `  byId(id: string) { return this.pick(this.table).where({ id }); }`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 0, notTraced: 0 });
  });
});

// worklenz: `export default { query: (text, params) => pool.query(text, params) }`, and SQL handed to it
// in a `let` assigned per branch, or through a second helper (`removeMails(query)`).
describe('pg: SQL handed to a project wrapper of the pool', () => {
  const DB = `import { Pool } from 'pg';\nconst pool = new Pool();\nexport default {\n  query: (text: string, params?: unknown[]) => pool.query(text, params),\n};\n`;
  const app = (code: string) =>
    makeProject({
      'package.json': JSON.stringify({ dependencies: { pg: '8' } }),
      'migrations/0001_init.sql': SQL,
      'src/db.ts': DB,
      'src/a.ts': `import db from './db';\n${code}`,
    });

  it('a `let` given SQL in each branch is a query: read, not analysable (the text is chosen at run time)', async () => {
    const dir = app(
      [
        `export async function move(kind: string, id: string, orgId: string) {`,
        `  let q = '';`,
        `  if (kind === 'a') q = \`UPDATE invoices SET status = 'a' WHERE id = $1\`;`,
        `  else q = \`UPDATE invoices SET status = 'b' WHERE id = $1 AND org_id = $2\`;`,
        `  await db.query(q, [id, orgId]);`,
        `}`,
        '',
      ].join('\n'),
    );
    const result = await scan({ path: dir });
    expect(notTraced(result)).toEqual([]);
    // With the wrapper's own `pool.query(text, params)`, whose text is its parameter.
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, notAnalysable: 2, notTraced: 0 });
  });

  it('twin: a `const` of SQL is read and reported', async () => {
    const dir = app(`export const one = (id: string) => { const q = \`SELECT id FROM invoices WHERE id = $1\`; return db.query(q, [id]); };\n`);
    const result = await scan({ path: dir });
    expect(filterSites(result)).toEqual(['src/a.ts:2 invoices']);
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, unscoped: 1, notTraced: 0 });
  });

  it('a helper that hands its parameter to the wrapper sends SQL: its calls are read', async () => {
    const dir = app(
      [
        `async function removeMails(query: string, emails: string[]) {`,
        `  const result = await db.query(query, []);`,
        `  return emails.filter((e) => !result.rows.some((r: { email: string }) => r.email === e));`,
        `}`,
        `export const leaky = (emails: string[]) => removeMails('SELECT status AS email FROM invoices ORDER BY status', emails);`,
        `export const scoped = (emails: string[]) => removeMails("SELECT status AS email FROM invoices WHERE org_id = '00000000-0000-0000-0000-000000000000'", emails);`,
        '',
      ].join('\n'),
    );
    const result = await scan({ path: dir });
    expect(notTraced(result)).toEqual([]);
    expect(filterSites(result)).toEqual(['src/a.ts:6 invoices']);
  });

  it('twin: a helper whose parameter goes nowhere near a SQL client is still counted as not traced', async () => {
    const dir = app(
      [
        `import { EventEmitter } from 'node:events';`,
        `const bus = new EventEmitter();`,
        `function announce(query: string) { bus.emit('query', query); }`,
        `export const later = () => announce('SELECT status FROM invoices ORDER BY status');`,
        '',
      ].join('\n'),
    );
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, notTraced: 1 });
    expect(notTraced(result)[0]).toMatch(/^src\/a\.ts:5 `announce` is handed SQL on `invoices`, but it is a project function/);
  });
});

// capgo: `runQueryToCFA(c, query)` posts the SQL to Cloudflare's Analytics Engine with `fetch`: a store
// the analysis does not read (its datasets share names with Postgres tables), like a ClickHouse client.
describe('SQL sent over HTTP to a store the analysis does not read', () => {
  const app = (sender: string) =>
    makeProject({
      'package.json': JSON.stringify({ dependencies: { pg: '8' } }),
      'migrations/0001_init.sql': SQL,
      'src/invoices.ts': `import { Pool } from 'pg';\nconst pool = new Pool();\nexport const mine = (orgId: string) => pool.query('SELECT id FROM invoices WHERE org_id = $1', [orgId]);\n`,
      'src/analytics.ts': [
        sender,
        "export const usage = (appId: string) => runQuery(`SELECT blob1 AS device_id FROM invoices WHERE index1 = '${appId}' GROUP BY device_id`);",
        'export const logs = () => runQuery(`SELECT count() AS n FROM app_log WHERE timestamp > now() LIMIT 1`);',
        '',
      ].join('\n'),
    });

  it('is one unread-store diagnostic naming the function and its calls, not two calls not traced', async () => {
    const dir = app("export async function runQuery(query: string) { const res = await fetch(`https://api.example.com/analytics_engine/sql`, { method: 'POST', body: query }); return res.json(); }");
    const result = await scan({ path: dir });
    expect(notTraced(result)).toEqual([]);
    // The Postgres query is analysed and scoped; the analytics calls are not counted, and the scan is not COMPLETE.
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, scoped: 1, notTraced: 0 });
    expect(result.diagnostics.filter((d) => d.code === 'unread-store').map((d) => `${d.file}:${d.line} ${d.message}`)).toEqual([
      'src/analytics.ts:1 `runQuery` sends SQL over HTTP to `https://api.example.com/analytics_engine/sql`, a store tenant-lint does not read: its 2 calls (on `app_log`, `invoices`) are neither analysed nor counted in the coverage',
    ]);
    expect(result.coverage.verdict).toBe('PARTIAL');
    expect(result.coverage.projects.map((p) => p.verdict)).toEqual(['PARTIAL']);
  });

  it('twin: a helper that fetches something else, and never sends the SQL, is still a helper not followed', async () => {
    const dir = app("const seen: string[] = [];\nexport async function runQuery(query: string) { seen.push(query); const res = await fetch('https://api.example.com/health'); return res.json(); }");
    const result = await scan({ path: dir });
    expect(result.diagnostics.filter((d) => d.code === 'unread-store')).toEqual([]);
    expect(notTraced(result).map((r) => r.replace(/, but .*/, ''))).toEqual([
      'src/analytics.ts:3 `runQuery` is handed SQL on `invoices`',
      'src/analytics.ts:4 `runQuery` is handed SQL on `app_log` (not a table of the schema)',
    ]);
  });
});
