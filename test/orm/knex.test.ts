import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/require-tenant-filter.js';
import { onDisk } from '../helpers/on-disk.js';

const ruleTester = new RuleTester();

// Tenant root `tenants` (key `tenant_id`); customers and invoices are tenant tables, invoice_lines a
// child of invoices, api_tokens carries the tenant and is looked up by its unique hash.
const migration = `import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenants', (t) => {
    t.uuid('id').primary();
    t.string('name').notNullable();
  });
  await knex.schema.createTable('customers', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants');
    t.string('email').notNullable();
    t.index(['tenant_id', 'id']);
  });
  await knex.schema.createTable('invoices', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('tenants.id');
    t.uuid('customer_id').notNullable().references('id').inTable('customers');
    t.string('status').notNullable();
    t.index(['tenant_id', 'id']);
  });
  await knex.schema.createTable('invoice_lines', (t) => {
    t.increments('id');
    t.uuid('invoice_id').notNullable().references('id').inTable('invoices');
    t.integer('amount').notNullable();
  });
  await knex.schema.createTable('api_tokens', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants');
    t.string('token_hash').notNullable().unique();
    t.index(['tenant_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_tokens');
}
`;

const dbModule = `import knex from 'knex';

export const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });
`;

const head = `import type { Knex } from 'knex';
import { db } from '../db';
`;

const config = JSON.stringify({ scopedClientFactories: ['forTenant'], filterHelpers: ['tenantScope', 'withTenant'] });

/** A file of a throwaway Knex project: src/routes/service.ts next to src/db.ts and migrations/. */
function project(body: string, withHead = true): { code: string; filename: string } {
  return onDisk(`${withHead ? head : ''}${body}`, 'src/routes/service.ts', {
    'package.json': JSON.stringify({ name: 'knex-case', main: 'index.js', dependencies: { knex: '^3.1.0' } }),
    'migrations/20240101000000_init.ts': migration,
    'src/db.ts': dbModule,
    'tenant-lint.config.json': config,
  });
}

type MessageId = 'missingTenantFilter' | 'orBypassesTenantFilter';

/** With `message`, the full text is asserted instead of the messageId (RuleTester takes one or the other). */
function invalid(body: string, messageId: MessageId, position?: { line?: number; column?: number; endColumn?: number; message?: string }) {
  const { message, ...where } = position ?? {};
  // RuleTester checks `message` at run time; its types only describe `messageId`.
  const error = (message !== undefined ? { message, ...where } : { messageId, ...where }) as { messageId: MessageId };
  return { ...project(body), errors: [error] };
}

ruleTester.run('require-tenant-filter (knex)', rule, {
  valid: [
    // object filter with the tenant key, first()
    project(`export const a = (tenantId: string, id: string) => db('invoices').where({ tenant_id: tenantId, id }).first();`),
    // column/value and column/operator/value forms, with an alias
    project(`export async function b(tenantId: string) {\n  return await db('invoices as i').select('i.id').where('i.tenant_id', tenantId).orderBy('i.id');\n}`),
    project(`export const c = (tenantId: string, id: string) => db.from('invoices').where('id', id).andWhere('tenant_id', '=', tenantId).first();`),
    // whereIn with a list of tenants
    project(`export const d = (tenantIds: string[]) => db.select('id').from('customers').whereIn('tenant_id', tenantIds).then((rows) => rows);`),
    // update and delete with the tenant key
    project(`export const e = (tenantId: string, id: string) => db('invoices').where({ id, tenant_id: tenantId }).update({ status: 'void' });`),
    project(`export const f = (tenantId: string, id: string) => db.table('invoices').where('tenant_id', tenantId).where('id', id).del();`),
    // an OR grouped next to the tenant key, and every orWhere branch scoped
    project(`export const g = (tenantId: string, q: string) => db('invoices').where({ tenant_id: tenantId }).where(function () {\n  this.where('status', q).orWhere('id', q);\n}).first();`),
    project(`export const h = (tenantId: string, q: string) => db('invoices').where({ tenant_id: tenantId, status: q }).orWhere({ tenant_id: tenantId, id: q }).first();`),
    project(`export const h2 = (tenantId: string, q: string) => db('invoices').where((qb) => qb.where('tenant_id', tenantId).andWhere('status', q)).first();`),
    // whereRaw that compares only the tenant column
    project(`export const i = (tenantId: string) => db('customers').whereRaw('tenant_id = ?', [tenantId]).first();`),
    // inserts are checked by other rules, not this one
    project(`export const j = (tenantId: string) => db('invoices').insert({ id: 'x', tenant_id: tenantId, customer_id: 'c', status: 'open' });`),
    project(`export const j2 = (row: { id: string }) => db.insert(row).into('customers');`),
    // a child table joined to its parent, with the parent's tenant key
    project(`export const k = (tenantId: string, id: string) => db('invoice_lines').join('invoices', 'invoice_lines.invoice_id', 'invoices.id').where('invoices.tenant_id', tenantId).where('invoice_lines.invoice_id', id).select('invoice_lines.*');`),
    project(`export const k2 = (tenantId: string) => db('invoice_lines as l').innerJoin('invoices as i', 'i.id', '=', 'l.invoice_id').where({ 'i.tenant_id': tenantId });`),
    // a transaction client, a typed transaction, and `await db.transaction()`
    project(`export const l = (tenantId: string) => db.transaction(async (trx) => {\n  await trx('invoices').where({ tenant_id: tenantId }).del();\n});`),
    project(`export const m = (trx: Knex.Transaction, tenantId: string) => trx('customers').where('tenant_id', tenantId).first();`),
    // a class with an injected client
    project(`export class InvoiceRepo {\n  constructor(private readonly db: Knex) {}\n  list(tenantId: string) { return this.db('invoices').where({ tenant_id: tenantId }); }\n}`),
    // a credential lookup by a unique hash
    project(`export const n = (hash: string) => db('api_tokens').where({ token_hash: hash }).first('tenant_id');`),
    // the tenant root is not a tenant table
    project(`export const o = (id: string) => db('tenants').where({ id }).first();`),
    // schema per tenant: withSchema and a per-tenant searchPath
    project(`export const p = (tenantId: string, id: string) => db.withSchema(\`tenant_\${tenantId}\`).from('invoices').where({ id }).first();`),
    project(`import knex from 'knex';\nexport const q = (schema: string, id: string) => knex({ client: 'pg', searchPath: [schema] })('invoices').where({ id }).del();`, false),
    // configured scoped-client factory and filter helpers
    project(`import { forTenant } from '../tenancy';\nexport const r = (tenantId: string, id: string) => forTenant(tenantId)('invoices').where({ id }).del();`),
    project(`import { tenantScope, withTenant } from '../tenancy';\nexport const s = (ctx: { tenantId: string }, id: string) => db('invoices').where(tenantScope(ctx)).where({ id }).first();\nexport const s2 = (tenantId: string) => db('customers').modify(withTenant, tenantId).select('*');`),
    // a filter handed in from outside cannot be followed: counted, not reported
    project(`export const t = (filter: Record<string, string>) => db('invoices').where(filter).first();`),
    // a builder kept for later, and one built across statements
    project(`export function u(status?: string) {\n  let query = db('invoices');\n  if (status) query = query.where({ status });\n  return query;\n}`),
    // a verified-then-written update: the scoped read by the same id stops when the row is missing
    project(`export async function v(tenantId: string, id: string) {\n  const invoice = await db('invoices').where({ id, tenant_id: tenantId }).first();\n  if (!invoice) throw new Error('not found');\n  await db('invoices').where({ id }).update({ status: 'paid' });\n}`),
    // not a Knex client: a function of the project that only looks like one
    project(`const store = (name: string) => ({ where: (x: unknown) => ({ del: () => [name, x] }) });\nexport const w = (id: string) => store('invoices').where({ id }).del();`, false),
    // schema statements in a migration are not queries
    project(`export async function up(knex: Knex) {\n  await knex.schema.alterTable('invoices', (t) => { t.index(['tenant_id', 'status']); });\n}`),
  ],
  invalid: [
    // no filter at all
    invalid(`export async function list() {\n  return await db('invoices').select('*');\n}`, 'missingTenantFilter', { line: 4, column: 16, endColumn: 30 }),
    // by id alone, in each form
    invalid(`export const a = (id: string) => db('invoices').where({ id }).first();`, 'missingTenantFilter', {
      line: 3,
      column: 34,
      message:
        "`db('invoices')` reads tenant-scoped model `invoices` (by `id` alone) without a tenant filter. Why: `invoices.tenant_id` references the tenant `tenants` (migrations/20240101000000_init.ts:16). Without it this call matches rows of every tenant; `where` filters only on `id`. Fix: Add the tenant to the query (`.where({ tenant_id: tenantId })`), or run it through a tenant-scoped client.",
    }),
    invalid(`export const b = (id: string) => db.from('customers').where('id', id).first();`, 'missingTenantFilter', { line: 3, column: 34, endColumn: 54 }),
    invalid(`export const c = (id: string) => db('invoices').where({ id }).update({ status: 'void' });`, 'missingTenantFilter'),
    invalid(`export const d = (id: string) => db.table('invoices').where('id', '=', id).del();`, 'missingTenantFilter'),
    invalid(`export const e = () => db.select('id', 'email').from('customers').then((rows) => rows);`, 'missingTenantFilter'),
    // the tenant key compared with something else than equality, or with undefined / null
    invalid(`export const f = (tenantId: string) => db('invoices').where('tenant_id', '!=', tenantId).first();`, 'missingTenantFilter'),
    invalid(`export const g = () => db('invoices').where({ tenant_id: undefined }).first();`, 'missingTenantFilter'),
    invalid(`export const g2 = (tenantId: string) => db('invoices').whereNot({ tenant_id: tenantId }).del();`, 'missingTenantFilter'),
    // an orWhere branch without the tenant key
    invalid(`export const h = (tenantId: string, q: string) => db('invoices').where({ tenant_id: tenantId }).orWhere('status', q).first();`, 'orBypassesTenantFilter', {
      message:
        "`db('invoices')`: an `OR` branch without the tenant key defeats the tenant filter on `invoices`. Why: `invoices.tenant_id` references the tenant `tenants` (migrations/20240101000000_init.ts:16). The branch at line 3 matches rows of every tenant, and nothing outside the `OR` constrains the tenant. Fix: Keep the tenant outside the `OR`: `.where({ tenant_id: tenantId }).where(function () { this.where(...).orWhere(...) })`, or add it to every `orWhere` branch.",
    }),
    invalid(`export const i = (tenantId: string, q: string) => db('invoices').where('status', q).orWhere('tenant_id', tenantId).update({ status: 'void' });`, 'orBypassesTenantFilter'),
    // a filter on a joined table's tenant key does not scope this one
    invalid(`export const j = (tenantId: string) => db('invoices').join('customers', 'customers.id', 'invoices.customer_id').where('customers.tenant_id', tenantId).select('invoices.*');`, 'missingTenantFilter'),
    // a child table read by its parent's id from the request, without a join
    invalid(`export const k = (invoiceId: string) => db('invoice_lines').where({ invoice_id: invoiceId });`, 'missingTenantFilter'),
    // a transaction client, and a typed class field
    invalid(`export const l = (id: string) => db.transaction(async (trx) => {\n  await trx('invoices').where({ id }).del();\n});`, 'missingTenantFilter', { line: 4, column: 9, endColumn: 24 }),
    {
      ...project(`export class CustomerRepo {\n  private readonly db: Knex;\n  constructor(db: Knex) { this.db = db; }\n  remove(id: string) { return this.db('customers').where({ id }).del(); }\n}`),
      errors: [{ messageId: 'missingTenantFilter', line: 6, column: 31, endColumn: 51 }],
    },
    // CommonJS: require('knex')(config)
    {
      ...project(`const db = require('knex')({ client: 'pg' });\nexport const m = (id: string) => db('invoices').where('id', id).del();`, false),
      errors: [{ messageId: 'missingTenantFilter', line: 2, column: 34, endColumn: 48 }],
    },
    // a stored builder completed later without the tenant
    invalid(`export async function n(id: string) {\n  const query = db('customers');\n  return query.where({ id }).first();\n}`, 'missingTenantFilter', { line: 4, column: 17, endColumn: 32 }),
    // the help text speaks Knex
    invalid(`export const o = (id: string) => db('customers').where({ id }).del();`, 'missingTenantFilter', {
      message:
        "`db('customers')` deletes tenant-scoped model `customers` (by `id` alone) without a tenant filter. Why: `customers.tenant_id` references the tenant `tenants` (migrations/20240101000000_init.ts:10). Without it this call matches rows of every tenant; `where` filters only on `id`. Fix: Add the tenant to the query (`.where({ tenant_id: tenantId })`), or run it through a tenant-scoped client.",
    }),
  ],
});
