import { RuleTester } from '@typescript-eslint/rule-tester';
import { afterAll, describe, it } from 'vitest';
import rule from '../../rules/require-tenant-filter.js';
import { onDisk } from '../helpers/on-disk.js';

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

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
    // select with the tenant key
    project(`export const a = (accountId: string) => db.select().from(invoices).where(eq(invoices.accountId, accountId));`),
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
    // the tenant root itself is not a tenant table
    project(`export const v = (id: string) => db.select().from(accounts).where(eq(accounts.id, id));`),
    // not a Drizzle client: a local object with a delete method
    project(`const store = { delete: (x: unknown) => x };\nexport const w = () => store.delete(invoices);`),
    // a client constructed in the same file, NestJS-style injection by type
    project(
      `import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';\nimport { eq } from 'drizzle-orm';\nimport { invoices } from '../db/schema';\nconst local = drizzle(process.env.URL ?? '');\nexport const x = (accountId: string) => local.select().from(invoices).where(eq(invoices.accountId, accountId));\nexport class InvoiceService {\n  constructor(private readonly db: NodePgDatabase) {}\n  list(accountId: string) { return this.db.select().from(invoices).where(eq(invoices.accountId, accountId)); }\n}`,
      false,
    ),
  ],
  invalid: [
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
    // the tenant key compared with something else than equality, or with undefined
    invalid(`export const i = (accountId: string) => db.select().from(invoices).where(ne(invoices.accountId, accountId));`, 'missingTenantFilter'),
    invalid(`export const j = () => db.select().from(invoices).where(eq(invoices.accountId, undefined));`, 'missingTenantFilter'),
    // a filter on another table's tenant key does not scope this one
    invalid(`export const k = (accountId: string) => db.select().from(invoices).where(eq(customers.accountId, accountId));`, 'missingTenantFilter'),
    // or(...) with a branch without the tenant key
    invalid(`export const l = (accountId: string, q: string) => db.select().from(invoices).where(or(eq(invoices.accountId, accountId), eq(invoices.status, q)));`, 'orBypassesTenantFilter'),
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
  ],
});
