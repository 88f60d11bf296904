import { RuleTester } from '@typescript-eslint/rule-tester';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import rule from '../../rules/require-tenant-filter.js';
import { onDisk } from '../helpers/on-disk.js';

const ruleTester = new RuleTester();

// Tenant root `accounts` (key `accountId`); invoices and customers are tenant tables, invoice_lines a
// child of invoices, api_tokens carries the tenant and is looked up by its hash.
const schema = `import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';

export const accounts = pgTable('accounts', { id: uuid('id').primaryKey(), name: text('name').notNull() });

export const customers = pgTable('customers', {
  id: uuid('id').primaryKey(),
  accountId: uuid('account_id').notNull().references(() => accounts.id),
  email: text('email').notNull(),
}, (t) => [index('customers_account_idx').on(t.accountId, t.id)]);

export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  accountId: uuid('account_id').notNull().references(() => accounts.id),
  status: text('status').notNull(),
}, (t) => [index('invoices_account_idx').on(t.accountId, t.id)]);

export const invoiceLines = pgTable('invoice_lines', {
  id: uuid('id').primaryKey(),
  invoiceId: uuid('invoice_id').notNull().references(() => invoices.id),
  amount: text('amount').notNull(),
});

export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey(),
  accountId: uuid('account_id').notNull().references(() => accounts.id),
  tokenHash: text('token_hash').notNull().unique(),
}, (t) => [index('api_tokens_account_idx').on(t.accountId, t.id)]);
`;

const dbModule = `import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema';

export const db = drizzle(postgres(process.env.DATABASE_URL ?? ''), { schema });
export type Db = typeof db;
`;

const head = `import { and, eq, inArray, ne, or } from 'drizzle-orm';
import { db } from '../db';
import { apiTokens, accounts, customers, invoiceLines, invoices } from '../db/schema';
`;

/** A file of a throwaway Drizzle project: src/routes/service.ts next to src/db. */
function project(body: string, withHead = true): { code: string; filename: string } {
  return onDisk(`${withHead ? head : ''}${body}`, 'src/routes/service.ts', { 'src/db/schema.ts': schema, 'src/db/index.ts': dbModule });
}

function invalid(body: string, messageId: 'missingTenantFilter' | 'orBypassesTenantFilter', position?: { line: number; column: number; endColumn: number }) {
  return { ...project(body), errors: [{ messageId, ...position }] };
}

ruleTester.run('require-tenant-filter (drizzle)', rule, {
  valid: [
    // a subquery that narrows a scoped outer query (inArray/exists): the outer query carries the tenant
    project(`export const sq = (accountId: string, status: string) =>\n  db.select().from(customers).where(and(eq(customers.accountId, accountId), inArray(customers.id, db.select({ id: invoices.id }).from(invoices).where(eq(invoices.status, status)))));`),
    // select with the tenant key
    project(`export const a = (accountId: string) => db.select().from(invoices).where(eq(invoices.accountId, accountId));`),
    // an or() over two lists of one membership lookup: the ids are the user's access list
    project(`declare function accessOf(userId: string): Promise<{ accountIds: string[]; invoiceIds: string[] }>;\nexport async function mine(userId: string) {\n  const { accountIds, invoiceIds } = await accessOf(userId);\n  return db.select().from(invoices).where(or(inArray(invoices.id, invoiceIds), inArray(invoices.accountId, accountIds)));\n}`),
    // inside and(...), with more of the chain after .where
    project(`export async function b(accountId: string, id: string) {\n  return await db.select().from(invoices).where(and(eq(invoices.id, id), eq(invoices.accountId, accountId))).limit(1);\n}`),
    // eq the other way round, and inArray
    project(`export const c = (accountId: string) => db.select().from(invoices).where(eq(accountId, invoices.accountId));`),
    project(`export const d = (ids: string[]) => db.delete(invoices).where(inArray(invoices.accountId, ids));`),
    // update and delete with the tenant key
    project(`export const e = (accountId: string, id: string) => db.update(invoices).set({ status: 'void' }).where(and(eq(invoices.id, id), eq(invoices.accountId, accountId))).returning();`),
    project(`export const f = (accountId: string, id: string) => db.delete(invoices).where(and(eq(invoices.accountId, accountId), eq(invoices.id, id)));`),
    // every or(...) branch has the tenant key
    project(`export const g = (accountId: string, q: string) => db.select().from(invoices).where(or(and(eq(invoices.accountId, accountId), eq(invoices.id, q)), and(eq(invoices.accountId, accountId), eq(invoices.status, q))));`),
    // the tenant key next to an or(...)
    project(`export const h = (accountId: string, q: string) => db.select().from(invoices).where(and(eq(invoices.accountId, accountId), or(eq(invoices.id, q), eq(invoices.status, q))));`),
    // relational API: SQL condition, callback and object forms
    project(`export const i = (accountId: string, id: string) => db.query.invoices.findFirst({ where: and(eq(invoices.id, id), eq(invoices.accountId, accountId)) });`),
    project(`export const j = (accountId: string, id: string) => db.query.invoices.findFirst({ where: (t, { eq, and }) => and(eq(t.id, id), eq(t.accountId, accountId)) });`),
    project(`export const k = (accountId: string) => db.query.invoices.findMany({ where: (t, ops) => ops.eq(t.accountId, accountId), with: { lines: true } });`),
    project(`export const l = (accountId: string, id: string) => db.query.invoices.findFirst({ where: { id, accountId } });`),
    project(`export const l2 = (accountId: string) => db.query.invoices.findMany({ where: { OR: [{ accountId, id: '1' }, { accountId: { eq: accountId } }] } });`),
    // condition in a const and in a helper
    project(`export async function m(accountId: string) {\n  const cond = and(eq(invoices.accountId, accountId), eq(invoices.status, 'open'));\n  return await db.select().from(invoices).where(cond);\n}`),
    project(`const ofAccount = (accountId: string) => eq(invoices.accountId, accountId);\nexport const n = (accountId: string) => db.select().from(invoices).where(ofAccount(accountId));`),
    // a condition handed in from outside cannot be followed: counted, not reported
    project(`export const o = (cond: ReturnType<typeof eq>) => db.select().from(invoices).where(cond);`),
    // a builder kept in a variable may get its .where later
    project(`export function p() {\n  const query = db.select().from(invoices);\n  return query.$dynamic();\n}`),
    // inserts are not checked
    project(`export const q = (accountId: string) => db.insert(invoices).values({ id: 'x', accountId, status: 'open' });`),
    // a child table joined to its parent, with the parent's tenant key
    project(`export const r = (accountId: string, id: string) => db.select({ line: invoiceLines }).from(invoiceLines).innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId)).where(and(eq(invoiceLines.invoiceId, id), eq(invoices.accountId, accountId)));`),
    // a transaction client
    project(`export const s = (accountId: string) => db.transaction(async (tx) => tx.select().from(invoices).where(eq(invoices.accountId, accountId)));`),
    // the database typed from the drizzle module
    project(`import type { Db } from '../db';\nexport const t = (database: Db, accountId: string) => database.select().from(customers).where(eq(customers.accountId, accountId));`),
    // a credential lookup by a unique hash
    project(`export const u = (tokenHash: string) => db.select({ accountId: apiTokens.accountId }).from(apiTokens).where(eq(apiTokens.tokenHash, tokenHash)).limit(1);`),
    // several secrets at once (a key rotation, a batch verify): each one still names its own row
    project(`export const v = (hashes: string[]) => db.select({ accountId: apiTokens.accountId }).from(apiTokens).where(inArray(apiTokens.tokenHash, hashes));`),
    // the tenant root itself is not a tenant table
    project(`export const v = (id: string) => db.select().from(accounts).where(eq(accounts.id, id));`),
    // not a Drizzle client: a local object with a delete method
    project(`const store = { delete: (x: unknown) => x };\nexport const w = () => store.delete(invoices);`),
    // id provenance: the same row again, and a child by its parent's id from a loaded row
    project(`export async function rename(accountId: string, id: string) {
  const invoice = await db.query.invoices.findFirst({ where: (t, { and, eq }) => and(eq(t.accountId, accountId), eq(t.id, id)) });
  if (!invoice) throw new Error('not found');
  await db.update(invoices).set({ status: 'renamed' }).where(eq(invoices.id, invoice.id));
  return db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoice.id));
}`),
    // a client constructed in the same file, NestJS-style injection by type
    project(
      `import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';\nimport { eq } from 'drizzle-orm';\nimport { invoices } from '../db/schema';\nconst local = drizzle(process.env.URL ?? '');\nexport const x = (accountId: string) => local.select().from(invoices).where(eq(invoices.accountId, accountId));\nexport class InvoiceService {\n  constructor(private readonly db: NodePgDatabase) {}\n  list(accountId: string) { return this.db.select().from(invoices).where(eq(invoices.accountId, accountId)); }\n}`,
      false,
    ),
  ],
  invalid: [
    // the unsafe twin: the same subquery under an outer query without the tenant, reported at the outer query
    invalid(`export const sq = (status: string) =>\n  db.select().from(customers).where(inArray(customers.id, db.select({ id: invoices.id }).from(invoices).where(eq(invoices.status, status))));`, 'missingTenantFilter', { line: 5, column: 3, endColumn: 30 }),
    // no .where at all
    invalid(`export async function list() {\n  return await db.select().from(invoices);\n}`, 'missingTenantFilter', { line: 5, column: 16, endColumn: 42 }),
    // by id alone
    invalid(`export const a = (id: string) => db.select().from(invoices).where(eq(invoices.id, id));`, 'missingTenantFilter', { line: 4, column: 34, endColumn: 60 }),
    invalid(`export const b = (id: string) => db.update(invoices).set({ status: 'void' }).where(eq(invoices.id, id));`, 'missingTenantFilter', { line: 4, column: 34, endColumn: 53 }),
    invalid(`export const c = (id: string) => db.delete(invoices).where(eq(invoices.id, id)).returning();`, 'missingTenantFilter'),
    invalid(`export const d = () => db.delete(customers);`, 'missingTenantFilter'),
    // relational API without where, and by id only in each form
    invalid(`export const e = () => db.query.invoices.findMany();`, 'missingTenantFilter', { line: 4, column: 24, endColumn: 50 }),
    invalid(`export const f = (id: string) => db.query.invoices.findFirst({ where: (t, { eq }) => eq(t.id, id) });`, 'missingTenantFilter'),
    invalid(`export const g = (id: string) => db.query.invoices.findFirst({ where: { id } });`, 'missingTenantFilter'),
    invalid(`export const h = (id: string) => db.query.invoices.findFirst({ where: eq(invoices.id, id), with: { lines: true } });`, 'missingTenantFilter'),
    // the id of a row of another table names nothing of this one
    invalid(`export async function wrong(accountId: string, id: string) {
  const customer = await db.query.customers.findFirst({ where: (t, { and, eq }) => and(eq(t.accountId, accountId), eq(t.id, id)) });
  if (!customer) throw new Error('not found');
  return db.delete(invoices).where(eq(invoices.id, customer.id));
}`, 'missingTenantFilter'),
    // the tenant key compared with something else than equality, or with undefined
    invalid(`export const i = (accountId: string) => db.select().from(invoices).where(ne(invoices.accountId, accountId));`, 'missingTenantFilter'),
    invalid(`export const j = () => db.select().from(invoices).where(eq(invoices.accountId, undefined));`, 'missingTenantFilter'),
    // a filter on another table's tenant key does not scope this one
    invalid(`export const k = (accountId: string) => db.select().from(invoices).where(eq(customers.accountId, accountId));`, 'missingTenantFilter'),
    // or(...) with a branch without the tenant key
    invalid(`export const l = (accountId: string, q: string) => db.select().from(invoices).where(or(eq(invoices.accountId, accountId), eq(invoices.status, q)));`, 'orBypassesTenantFilter'),
    // its twin: the id list is the caller's, not the lookup's
    invalid(`declare function accessOf(userId: string): Promise<{ accountIds: string[]; invoiceIds: string[] }>;\nexport async function mine(userId: string, ids: string[]) {\n  const { accountIds } = await accessOf(userId);\n  return db.select().from(invoices).where(or(inArray(invoices.id, ids), inArray(invoices.accountId, accountIds)));\n}`, 'orBypassesTenantFilter'),
    invalid(`export const m = (accountId: string, q: string) => db.update(invoices).set({ status: q }).where(and(eq(invoices.status, 'open'), or(eq(invoices.accountId, accountId), eq(invoices.id, q))));`, 'orBypassesTenantFilter'),
    invalid(`export const n = (accountId: string, id: string) => db.query.invoices.findFirst({ where: { OR: [{ accountId }, { id }] } });`, 'orBypassesTenantFilter'),
    // a child table read by its parent's id from the request, without a join
    invalid(`export const o = (invoiceId: string) => db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoiceId));`, 'missingTenantFilter'),
    // a transaction client, and a client typed from the drizzle module
    invalid(`export const p = (id: string) => db.transaction(async (tx) => { await tx.delete(invoices).where(eq(invoices.id, id)); });`, 'missingTenantFilter'),
    // a client constructed in the same file, and one injected by its Drizzle type
    {
      ...project(
        `import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';\nimport { eq } from 'drizzle-orm';\nimport { invoices } from '../db/schema';\nconst local = drizzle(process.env.URL ?? '');\nexport const x = (id: string) => local.select().from(invoices).where(eq(invoices.id, id));\nexport class InvoiceService {\n  constructor(private readonly db: NodePgDatabase) {}\n  remove(id: string) { return this.db.delete(invoices).where(eq(invoices.id, id)); }\n}`,
        false,
      ),
      errors: [
        { messageId: 'missingTenantFilter', line: 5, column: 34, endColumn: 63 },
        { messageId: 'missingTenantFilter', line: 8, column: 31, endColumn: 55 },
      ],
    },
    invalid(`import type { Db } from '../db';\nexport const q = (database: Db, id: string) => database.query.customers.findFirst({ where: eq(customers.id, id) });`, 'missingTenantFilter'),
    // a forwarding Proxy whose target is an empty object asserted to be the database (comp's shape, in Drizzle)
    {
      ...project(
        `import type { NodePgDatabase } from 'drizzle-orm/node-postgres';\nimport { eq } from 'drizzle-orm';\nimport { invoices } from '../db/schema';\nconst local = new Proxy({} as NodePgDatabase, { get(_t, p) { return Reflect.get(globalThis, p); } });\nexport const y = (id: string) => local.select().from(invoices).where(eq(invoices.id, id));\nexport const z = (accountId: string) => local.select().from(invoices).where(eq(invoices.accountId, accountId));`,
        false,
      ),
      errors: [{ messageId: 'missingTenantFilter', line: 5 }],
    },
  ],
});

// MySQL, laid out like a monorepo's db package: tables reached through a namespace object
// (`schema.keys`), operators and `drizzle` re-exported by the db module (`export * from 'drizzle-orm'`),
// a `Database` type alias and a transaction type. Tenant root `workspaces` (key `workspaceId`);
// `keys` and `apis` are tenant tables, `key_secrets` a child of `keys`.
const mysqlSchema = `import { mysqlTable, varchar } from 'drizzle-orm/mysql-core';

export const workspaces = mysqlTable('workspaces', { id: varchar('id', { length: 256 }).primaryKey() });

export const apis = mysqlTable('apis', {
  id: varchar('id', { length: 256 }).primaryKey(),
  workspaceId: varchar('workspace_id', { length: 256 }).notNull().references(() => workspaces.id),
});

export const keys = mysqlTable('keys', {
  id: varchar('id', { length: 256 }).primaryKey(),
  workspaceId: varchar('workspace_id', { length: 256 }).notNull().references(() => workspaces.id),
  apiId: varchar('api_id', { length: 256 }).notNull(),
});

export const keySecrets = mysqlTable('key_secrets', {
  id: varchar('id', { length: 256 }).primaryKey(),
  keyId: varchar('key_id', { length: 256 }).notNull().references(() => keys.id),
});
`;

const mysqlDbPackage = `import type { MySqlTransaction } from 'drizzle-orm/mysql-core';
import type { MySql2Database } from 'drizzle-orm/mysql2';
import * as schema from './schema';
export { schema };
export * from 'drizzle-orm';
export { drizzle } from 'drizzle-orm/mysql2';
export type Database = MySql2Database<typeof schema>;
export type Transaction = MySqlTransaction<any, any, typeof schema, any>;
`;

const mysqlClient = `import { drizzle, schema } from '../db';
declare const pool: unknown;
export const db = drizzle(pool, { schema, mode: 'default' });
export * from '../db';
`;

const tablesObject = `import { apis, keys } from './schema';
export const tables = { keys, apis };
`;

const mysqlHead = `import { and, db, eq, schema } from '../lib/db';
`;

function mysqlProject(body: string, withHead = true): { code: string; filename: string } {
  return onDisk(`${withHead ? mysqlHead : ''}${body}`, 'src/routes/keys.ts', {
    'src/db/schema.ts': mysqlSchema,
    'src/db/index.ts': mysqlDbPackage,
    'src/db/tables.ts': tablesObject,
    'src/lib/db.ts': mysqlClient,
  });
}

function mysqlInvalid(body: string, position?: { line: number; column: number; endColumn: number }, withHead = true) {
  return { ...mysqlProject(body, withHead), errors: [{ messageId: 'missingTenantFilter' as const, ...position }] };
}

ruleTester.run('require-tenant-filter (drizzle, MySQL, tables through a namespace)', rule, {
  valid: [
    // select, update and delete on `schema.keys` with the tenant key
    mysqlProject(`export const a = (workspaceId: string, id: string) => db.select().from(schema.keys).where(and(eq(schema.keys.id, id), eq(schema.keys.workspaceId, workspaceId)));`),
    mysqlProject(`export const b = (workspaceId: string, id: string) => db.update(schema.keys).set({ apiId: 'x' }).where(and(eq(schema.keys.workspaceId, workspaceId), eq(schema.keys.id, id)));`),
    mysqlProject(`export const c = (workspaceId: string) => db.delete(schema.apis).where(eq(schema.apis.workspaceId, workspaceId));`),
    // the relational API with the callback's table and operators
    mysqlProject(`export const d = (workspaceId: string, id: string) => db.query.keys.findFirst({ where: (table, { eq, and }) => and(eq(table.workspaceId, workspaceId), eq(table.id, id)) });`),
    // a child joined to its parent through the namespace
    mysqlProject(`export const e = (workspaceId: string, keyId: string) => db.select().from(schema.keySecrets).innerJoin(schema.keys, eq(schema.keys.id, schema.keySecrets.keyId)).where(and(eq(schema.keySecrets.keyId, keyId), eq(schema.keys.workspaceId, workspaceId)));`),
    // a namespace import of the schema module itself, and a re-exported object of tables
    mysqlProject(`import * as s from '../db/schema';\nexport const f = (workspaceId: string) => db.select().from(s.keys).where(eq(s.keys.workspaceId, workspaceId));`),
    mysqlProject(`import { tables } from '../db/tables';\nexport const g = (workspaceId: string) => db.select().from(tables.keys).where(eq(tables.keys.workspaceId, workspaceId));`),
    // clients typed as the db package's `Database` and `Transaction`
    mysqlProject(`import type { Database, Transaction } from '../db';\nexport const h = (database: Database, workspaceId: string) => database.select().from(schema.keys).where(eq(schema.keys.workspaceId, workspaceId));\nexport const i = (tx: Transaction, workspaceId: string) => tx.delete(schema.keys).where(eq(schema.keys.workspaceId, workspaceId));`),
    // an insert through the namespace is not checked
    mysqlProject(`export const j = (workspaceId: string) => db.insert(schema.keys).values({ id: 'k', workspaceId, apiId: 'a' });`),
    // verified, then written: a scoped read of the same id, stopped when missing, before a write by id
    mysqlProject(`export async function l(workspaceId: string, id: string) {\n  const key = await db.query.keys.findFirst({ where: (table, { eq, and }) => and(eq(table.id, id), eq(table.workspaceId, workspaceId)) });\n  if (!key) throw new Error('not found');\n  await db.update(schema.keys).set({ apiId: 'x' }).where(eq(schema.keys.id, id));\n}`),
    // the callback's operators renamed while destructuring
    mysqlProject(`export const k = (workspaceId: string) => db.query.apis.findFirst({ where: (table, { eq: eqFn }) => eqFn(table.workspaceId, workspaceId) });`),
  ],
  invalid: [
    // by id alone, in each form
    mysqlInvalid(`export const a = (id: string) => db.select().from(schema.keys).where(eq(schema.keys.id, id));`, { line: 2, column: 34, endColumn: 63 }),
    mysqlInvalid(`export const b = (id: string) => db.update(schema.keys).set({ apiId: 'x' }).where(eq(schema.keys.id, id));`),
    mysqlInvalid(`export const c = (id: string) => db.delete(schema.apis).where(eq(schema.apis.id, id));`),
    mysqlInvalid(`export async function d() {\n  return await db.select().from(schema.keys);\n}`),
    mysqlInvalid(`export const e = (id: string) => db.query.keys.findFirst({ where: (table, { eq }) => eq(table.id, id) });`),
    // a filter on another table's tenant key, through the namespace
    mysqlInvalid(`export const f = (workspaceId: string, id: string) => db.select().from(schema.keys).where(and(eq(schema.keys.id, id), eq(schema.apis.workspaceId, workspaceId)));`),
    // a namespace import of the schema module, and a re-exported object of tables
    mysqlInvalid(`import * as s from '../db/schema';\nexport const g = (id: string) => db.delete(s.keys).where(eq(s.keys.id, id));`),
    mysqlInvalid(`import { tables } from '../db/tables';\nexport const h = (id: string) => db.select().from(tables.keys).where(eq(tables.keys.id, id));`),
    // a named table with `eq` re-exported by the db module (`export * from 'drizzle-orm'`)
    mysqlInvalid(`import { keys } from '../db/schema';\nexport const i = (id: string) => db.select().from(keys).where(eq(keys.id, id));`),
    // clients typed as the db package's `Database` and `Transaction`
    mysqlInvalid(`import type { Database } from '../db';\nexport const j = (database: Database, id: string) => database.select().from(schema.keys).where(eq(schema.keys.id, id));`),
    mysqlInvalid(`import type { Transaction } from '../db';\nexport const k = (tx: Transaction, id: string) => tx.update(schema.keys).set({ apiId: 'x' }).where(eq(schema.keys.id, id));`),
    // a scoped read whose missing row does not stop the write does not verify it
    mysqlInvalid(`export async function n(workspaceId: string, id: string) {\n  await db.query.keys.findFirst({ where: (table, { eq, and }) => and(eq(table.id, id), eq(table.workspaceId, workspaceId)) });\n  await db.update(schema.keys).set({ apiId: 'x' }).where(eq(schema.keys.id, id));\n}`),
    // a renamed operator is still the operator it names
    mysqlInvalid(`export const m = (id: string) => db.query.apis.findFirst({ where: (table, { eq: same }) => same(table.id, id) });`),
    // PlanetScale's serverless driver
    mysqlInvalid(`import { drizzle } from 'drizzle-orm/planetscale-serverless';\nimport { eq } from 'drizzle-orm';\nimport * as schema from '../db/schema';\nconst ps = drizzle({ url: '' }, { schema });\nexport const l = (id: string) => ps.query.apis.findFirst({ where: eq(schema.apis.id, id) });`, undefined, false),
  ],
});

describe('drizzle: a table that cannot be resolved', () => {
  // A traced client queried on a table we cannot follow (a parameter, a dynamic lookup) is counted as
  // not analysable, never silently skipped; a `.from()` of a subquery is not a table at all.
  it('counts the call as not analysable', async () => {
    const { filename } = mysqlProject(
      `import type { MySqlTable } from 'drizzle-orm/mysql-core';\nexport const a = (t: MySqlTable, id: string) => db.delete(t).where(eq(schema.keys.id, id));\nexport const b = (name: 'keys' | 'apis') => db.select().from(schema[name]);\nexport const c = () => db.query.unknownThing.findMany();\nexport async function d(workspaceId: string) {\n  const sq = db.select().from(schema.keys).where(eq(schema.keys.workspaceId, workspaceId)).as('sq');\n  return await db.select().from(sq);\n}`,
    );
    const result = await scan({ path: dirname(dirname(dirname(filename))) });
    const unknown = result.unknown.filter((u) => u.file === 'src/routes/keys.ts').map((u) => u.line);
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter')).toEqual([]);
    expect(unknown).toEqual([3, 4, 5]);
  });
});
