import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/require-tenant-filter.js';
import { onDisk } from '../helpers/on-disk.js';

const ruleTester = new RuleTester();

// Tenant root `tenants` (key `tenant_id`), read from the Kysely migration; invoices and customers
// are tenant tables, invoice_lines a child of invoices, api_tokens is looked up by its hash.
const migration = `import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('tenants').addColumn('id', 'uuid', (col) => col.primaryKey()).addColumn('name', 'text', (col) => col.notNull()).execute();
  await db.schema.createTable('customers')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('tenant_id', 'uuid', (col) => col.notNull().references('tenants.id'))
    .addColumn('email', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createTable('invoices')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('tenant_id', 'uuid', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('customer_id', 'uuid', (col) => col.notNull().references('customers.id'))
    .addColumn('status', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createTable('invoice_lines')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('invoice_id', 'uuid', (col) => col.notNull().references('invoices.id'))
    .addColumn('amount', 'integer', (col) => col.notNull())
    .execute();
  await db.schema.createTable('api_tokens')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('tenant_id', 'uuid', (col) => col.notNull().references('tenants.id'))
    .addColumn('token_hash', 'text', (col) => col.notNull().unique())
    .execute();
  for (const table of ['customers', 'invoices', 'api_tokens']) {
    await db.schema.createIndex(\`\${table}_tenant_idx\`).on(table).columns(['tenant_id', 'id']).execute();
  }
}
`;

const dbModule = `import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import { Pool } from 'pg';
import type { DB } from './types';

export const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new Pool() }) });
export type Database = Kysely<DB>;
export type Tx = Transaction<DB>;
`;

const head = `import { sql, type Kysely } from 'kysely';
import { db, type Database } from '../db';
`;
/** Lines taken by `head`: a case's own first line is line 3. */
const L = 2;

const config = JSON.stringify({ scopedClientFactories: ['forTenant'], filterHelpers: ['tenantFilter', 'withTenant'] });

/** A file of a throwaway Kysely project: src/routes/service.ts next to src/db and src/migrations. */
function project(body: string, withHead = true): { code: string; filename: string } {
  return onDisk(`${withHead ? head : ''}${body}`, 'src/routes/service.ts', {
    'package.json': JSON.stringify({ name: 'kysely-case', main: 'index.js', dependencies: { kysely: '^0.27.0' } }),
    'src/migrations/2024_01_01_init.ts': migration,
    'src/db/index.ts': dbModule,
    'src/db/types.ts': 'export interface DB { invoices: { id: string; tenant_id: string } }\n',
    'tenant-lint.config.json': config,
  });
}

type MessageId = 'missingTenantFilter' | 'orBypassesTenantFilter';

function invalid(body: string, messageId: MessageId, position?: { line?: number; column?: number; endColumn?: number }) {
  return { ...project(body), errors: [{ messageId, ...position }] };
}

/**
 * The full text is asserted instead of the messageId (RuleTester takes one or the other at run
 * time; its types only know `messageId`).
 */
function invalidWithMessage(body: string, message: string, position?: { line?: number; column?: number; endColumn?: number }) {
  return { ...project(body), errors: [{ message, ...position } as unknown as { messageId: MessageId }] };
}

ruleTester.run('require-tenant-filter (kysely)', rule, {
  valid: [
    // the tenant key compared with `=`, with more of the chain after `.where`
    project(`export const a = (tenantId: string) => db.selectFrom('invoices').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute();`),
    // an alias, and `in` with a list
    project(`export const b = (tenantIds: string[]) => db.selectFrom('invoices as i').select(['i.id']).where('i.tenant_id', 'in', tenantIds).execute();`),
    // successive `.where` calls are AND: one scoping conjunct is enough
    project(`export async function c(tenantId: string, id: string) {\n  return await db.updateTable('invoices').set({ status: 'void' }).where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();\n}`),
    project(`export const d = (tenantId: string, id: string) => db.deleteFrom('invoices').where('invoices.tenant_id', '=', tenantId).where('id', '=', id).execute();`),
    // expression builder: eb.and([...]), the object form, destructured helpers
    project(`export const e = (tenantId: string, id: string) => db.selectFrom('invoices').selectAll().where((eb) => eb.and([eb('id', '=', id), eb('tenant_id', '=', tenantId)])).executeTakeFirst();`),
    project(`export const f = (tenantId: string, id: string) => db.selectFrom('invoices').selectAll().where((eb) => eb.and({ tenant_id: tenantId, id })).executeTakeFirstOrThrow();`),
    project(`export const g = (tenantId: string, q: string) => db.selectFrom('invoices').selectAll().where(({ eb, and, or }) => and([eb('tenant_id', '=', tenantId), or([eb('status', '=', q), eb('id', '=', q)])])).execute();`),
    // every `or` branch has the tenant key
    project(`export const h = (tenantId: string, q: string) => db.selectFrom('invoices').selectAll().where((eb) => eb.or([eb.and([eb('tenant_id', '=', tenantId), eb('status', '=', q)]), eb.and({ tenant_id: tenantId, id: q })])).execute();`),
    // the tenant key next to an `or`, in a block-bodied callback
    project(`export const i = (tenantId: string, q: string) => db.selectFrom('invoices').selectAll().where('tenant_id', '=', tenantId).where((eb) => {\n  return eb.or([eb('status', '=', q), eb('id', '=', q)]);\n}).execute();`),
    // inserts are not checked
    project(`export const j = (tenantId: string) => db.insertInto('invoices').values({ id: 'x', tenant_id: tenantId, customer_id: 'c', status: 'open' }).execute();`),
    // a child table joined to its parent, with the parent's tenant key
    project(`export const k = (tenantId: string, id: string) => db.selectFrom('invoice_lines').innerJoin('invoices', 'invoices.id', 'invoice_lines.invoice_id').selectAll('invoice_lines').where('invoice_lines.invoice_id', '=', id).where('invoices.tenant_id', '=', tenantId).execute();`),
    project(`export const l = (tenantId: string) => db.selectFrom('invoice_lines as l').innerJoin('invoices as i', (join) => join.onRef('i.id', '=', 'l.invoice_id').on('i.tenant_id', '=', tenantId)).selectAll('l').execute();`),
    // a transaction, and a database received by its Kysely type
    project(`export const m = (tenantId: string) => db.transaction().execute(async (trx) => {\n  await trx.deleteFrom('invoices').where('tenant_id', '=', tenantId).execute();\n});`),
    project(`export const n = (database: Database, tenantId: string) => database.selectFrom('customers').selectAll().where('tenant_id', '=', tenantId).execute();`),
    // a credential lookup by a unique hash
    project(`export const o = (hash: string) => db.selectFrom('api_tokens').select(['tenant_id']).where('token_hash', '=', hash).executeTakeFirst();`),
    // the tenant root is not a tenant table
    project(`export const p = (id: string) => db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();`),
    // id provenance: the same row again, and a child by its parent's id from a loaded row
    project(`export async function q(tenantId: string, id: string) {
  const invoice = await db.selectFrom('invoices').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  await db.updateTable('invoices').set({ status: 'seen' }).where('id', '=', invoice.id).execute();
  return db.selectFrom('invoice_lines').selectAll().where('invoice_id', '=', invoice.id).execute();
}`),
    // schema per tenant: the database is bound to the tenant's schema
    project(`export const q = (tenantId: string) => db.withSchema(\`tenant_\${tenantId}\`).selectFrom('invoices').selectAll().execute();`),
    project(`export function r(tenantId: string) {\n  const tenantDb = db.withSchema(\`tenant_\${tenantId}\`);\n  return tenantDb.deleteFrom('invoices').where('id', '=', '1').execute();\n}`),
    // a configured scoped-client factory, and configured filter helpers
    project(`import { forTenant } from '../tenancy';\nexport const s = (tenantId: string) => forTenant(tenantId).selectFrom('invoices').selectAll().execute();`),
    project(`import { tenantFilter, withTenant } from '../tenancy';\nexport const t = (ctx: { tenantId: string }) => db.selectFrom('invoices').selectAll().where(tenantFilter(ctx)).execute();\nexport const t2 = (ctx: { tenantId: string }) => db.selectFrom('customers').selectAll().$call(withTenant(ctx)).execute();`),
    // a project helper followed to its condition, and `$call` with a callback
    project(`const ofTenant = (tenantId: string) => (eb: any) => eb('tenant_id', '=', tenantId);\nexport const u = (tenantId: string) => db.selectFrom('invoices').selectAll().where(ofTenant(tenantId)).execute();\nexport const u2 = (tenantId: string) => db.selectFrom('invoices').selectAll().$call((qb) => qb.where('tenant_id', '=', tenantId)).execute();`),
    // a post-fetch ownership guard
    project(`export async function v(tenantId: string, id: string) {\n  const row = await db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirst();\n  if (!row || row.tenant_id !== tenantId) throw new Error('not found');\n  return row;\n}`),
    // a `sql` condition and a condition from a parameter cannot be read: counted, not reported
    project(`export const w = (tenantId: string) => db.selectFrom('invoices').selectAll().where(sql<boolean>\`tenant_id = \${tenantId}\`).execute();`),
    // a builder kept in a variable may get its `.where` later
    project(`export function x(tenantId: string) {\n  const query = db.selectFrom('invoices').selectAll();\n  return query.where('tenant_id', '=', tenantId);\n}`),
    // not a Kysely database: a local object with a selectFrom method; a table that is not in the schema
    project(`const store = { selectFrom: (t: string) => ({ execute: () => t }) };\nexport const y = () => store.selectFrom('invoices').execute();\nexport const y2 = () => db.selectFrom('audit_events').selectAll().execute();`),
    // verified, then written: the scoped read stops the function when the row is not the tenant's
    project(`export async function z(tenantId: string, id: string) {\n  await db.selectFrom('invoices').select('id').where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();\n  await db.updateTable('invoices').set({ status: 'paid' }).where('id', '=', id).execute();\n}`),
    // a database built per tenant with a WithSchemaPlugin, returned by a function
    project(
      `import { Kysely, PostgresDialect, WithSchemaPlugin } from 'kysely';\nimport { Pool } from 'pg';\nfunction tenantDb(tenantId: string) {\n  return new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool() }), plugins: [new WithSchemaPlugin(\`tenant_\${tenantId}\`)] });\n}\nexport const pl = (tenantId: string) => tenantDb(tenantId).selectFrom('invoices').selectAll().execute();`,
      false,
    ),
    // a project helper that receives the expression builder
    project(`function byTenant(eb: any, tenantId: string) {\n  return eb('tenant_id', '=', tenantId);\n}\nexport const hb = (tenantId: string, id: string) => db.selectFrom('invoices').selectAll().where((eb) => eb.and([byTenant(eb, tenantId), eb('id', '=', id)])).execute();`),
    // a class with an injected Kysely database, in a file of its own
    project(
      `import { Kysely } from 'kysely';\nimport type { DB } from '../db/types';\nexport class InvoiceRepo {\n  constructor(private readonly db: Kysely<DB>) {}\n  list(tenantId: string) { return this.db.selectFrom('invoices').selectAll().where('tenant_id', '=', tenantId).execute(); }\n}`,
      false,
    ),
  ],
  invalid: [
    // no `.where` at all: reported at `db.selectFrom('invoices')`, with the fix in Kysely syntax
    invalid(`export async function list() {\n  return await db.selectFrom('invoices').selectAll().execute();\n}`, 'missingTenantFilter', { line: L + 2, column: 16, endColumn: 41 }),
    invalidWithMessage(
      `export const a = (id: string) => db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirst();`,
      "`db.selectFrom('invoices')` reads tenant-scoped model `invoices` (by `id` alone) without a tenant filter. Why: `invoices.tenant_id` references the tenant `tenants` (src/migrations/2024_01_01_init.ts:12). Without it this call matches rows of every tenant; `where` filters only on `id`. Fix: Add `.where('tenant_id', '=', tenantId)` to the query, or run it through a tenant-scoped client.",
      { line: L + 1, column: 34, endColumn: 59 },
    ),
    // update and delete by id only; a returned builder counts as run
    invalid(`export const b = (id: string) => db.updateTable('invoices').set({ status: 'void' }).where('id', '=', id).execute();`, 'missingTenantFilter'),
    invalid(`export const c = (id: string) => db.deleteFrom('invoices').where('id', '=', id);`, 'missingTenantFilter'),
    invalid(`export const d = () => db.deleteFrom('customers').execute();`, 'missingTenantFilter'),
    // the tenant key compared with `!=` / `<>` / `is not`, or with undefined / null
    invalid(`export const e = (tenantId: string) => db.selectFrom('invoices').selectAll().where('tenant_id', '!=', tenantId).execute();`, 'missingTenantFilter'),
    invalid(`export const f = (tenantId: string) => db.selectFrom('invoices').selectAll().where('tenant_id', '<>', tenantId).execute();`, 'missingTenantFilter'),
    invalid(`export const g = () => db.selectFrom('invoices').selectAll().where('tenant_id', 'is not', null).execute();`, 'missingTenantFilter'),
    invalid(`export const h = () => db.selectFrom('invoices').selectAll().where('tenant_id', '=', undefined as unknown as string).execute();`, 'missingTenantFilter'),
    // another table's tenant key does not scope this one
    invalid(`export const i = (tenantId: string) => db.selectFrom('invoices').selectAll().where('customers.tenant_id', '=', tenantId).execute();`, 'missingTenantFilter'),
    // an `or` with a branch without the tenant key, in the list and the object forms
    invalid(`export const j = (tenantId: string, q: string) => db.selectFrom('invoices').selectAll().where((eb) => eb.or([eb('tenant_id', '=', tenantId), eb('status', '=', q)])).execute();`, 'orBypassesTenantFilter'),
    invalid(`export const k = (tenantId: string, id: string) => db.updateTable('invoices').set({ status: 'x' }).where(({ eb, or }) => or([eb('tenant_id', '=', tenantId), eb('id', '=', id)])).execute();`, 'orBypassesTenantFilter'),
    invalidWithMessage(
      `export const l = (tenantId: string, id: string) => db.selectFrom('invoices').selectAll().where((eb) => eb.or({ tenant_id: tenantId, id })).execute();`,
      "`db.selectFrom('invoices')`: an `OR` branch without the tenant key defeats the tenant filter on `invoices`. Why: `invoices.tenant_id` references the tenant `tenants` (src/migrations/2024_01_01_init.ts:12). The branch at line 3 matches rows of every tenant, and nothing outside the `OR` constrains the tenant. Fix: Move the tenant condition out of the `or` (`.where('tenant_id', '=', tenantId).where((eb) => eb.or([...]))`), or add it to every branch.",
    ),
    // a tenant filter only under `$if` is not always applied
    invalid(`export const m = (tenantId: string | undefined) => db.selectFrom('invoices').selectAll().$if(!!tenantId, (qb) => qb.where('tenant_id', '=', tenantId as string)).execute();`, 'missingTenantFilter'),
    // a child table read by its parent's id from the request, without a join
    invalid(`export const n = (invoiceId: string) => db.selectFrom('invoice_lines').selectAll().where('invoice_id', '=', invoiceId).execute();`, 'missingTenantFilter'),
    // the id of another table's row names nothing of this one
    invalid(`export async function r(tenantId: string, id: string) {
  const customer = await db.selectFrom('customers').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return db.deleteFrom('invoices').where('id', '=', customer.id).execute();
}`, 'missingTenantFilter'),
    // a child joined to its parent without the parent's tenant key
    invalid(`export const o = (id: string) => db.selectFrom('invoice_lines').innerJoin('invoices', 'invoices.id', 'invoice_lines.invoice_id').selectAll().where('invoices.id', '=', id).execute();`, 'missingTenantFilter'),
    // a transaction, a typed database, a class field, a constant schema
    invalid(`export const p = (id: string) => db.transaction().execute(async (trx) => {\n  await trx.deleteFrom('invoices').where('id', '=', id).execute();\n});`, 'missingTenantFilter', { line: L + 2 }),
    invalid(`export const q = (database: Kysely<any>, id: string) => database.selectFrom('customers').selectAll().where('id', '=', id).execute();`, 'missingTenantFilter'),
    invalid(`export class Repo {\n  constructor(private readonly database: Database) {}\n  remove(id: string) { return this.database.deleteFrom('invoices').where('id', '=', id).execute(); }\n}`, 'missingTenantFilter', { line: L + 3 }),
    invalid(`export const r = () => db.withSchema('public').selectFrom('invoices').selectAll().execute();`, 'missingTenantFilter'),
    // a negated condition does not pin the tenant; the pre-0.27 `orWhere` is an OR
    invalid(`export const n1 = (tenantId: string) => db.selectFrom('invoices').selectAll().where((eb) => eb.not(eb('tenant_id', '=', tenantId))).execute();`, 'missingTenantFilter'),
    invalid(`export const n2 = (tenantId: string, id: string) => (db.selectFrom('invoices').selectAll().where('tenant_id', '=', tenantId) as any).orWhere('id', '=', id).execute();`, 'orBypassesTenantFilter'),
    // whereRef between two columns pins nothing
    invalid(`export const s = () => db.selectFrom('invoices').selectAll().whereRef('invoices.tenant_id', '=', 'invoices.customer_id').execute();`, 'missingTenantFilter'),
    // an empty `in` list matches nothing of this tenant and everything of none: not a tenant filter
    invalid(`export const t = (id: string) => db.selectFrom('invoices').selectAll().where('tenant_id', 'in', []).where('id', '=', id).execute();`, 'missingTenantFilter'),
  ],
});
