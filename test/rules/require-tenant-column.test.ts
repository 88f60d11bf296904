import { RuleTester } from '@typescript-eslint/rule-tester';
import { afterAll, describe, it } from 'vitest';
import rule from '../../rules/require-tenant-column.js';
import { onDisk } from '../helpers/on-disk.js';

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const ruleTester = new RuleTester();

const drizzleOrgs = `import { pgTable, uuid, text, index } from 'drizzle-orm/pg-core';

export const organizations = pgTable('organizations', { id: uuid('id').primaryKey() });
`;

ruleTester.run('require-tenant-column', rule, {
  valid: [
    // Drizzle: a required tenant key, led index
    onDisk(`${drizzleOrgs}
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
}, (t) => [index('invoices_org_idx').on(t.orgId, t.id)]);
`),
    // Drizzle: a child table inherits tenancy through a required foreign key
    onDisk(`${drizzleOrgs}
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
}, (t) => [index('invoices_org_idx').on(t.orgId, t.id)]);
export const invoiceLines = pgTable('invoice_lines', {
  id: uuid('id').primaryKey(),
  invoiceId: uuid('invoice_id').notNull().references(() => invoices.id),
});
`),
    // a global table named in the configuration
    onDisk(
      `${drizzleOrgs}
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
}, (t) => [index('invoices_org_idx').on(t.orgId, t.id)]);
export const plans = pgTable('plans', { id: uuid('id').primaryKey(), name: text('name').notNull() });
`,
      'src/schema.ts',
      { 'tenant-lint.config.json': '{ "globalTables": ["plans"] }' },
    ),
    // TypeORM: a required @ManyToOne to the tenant
    onDisk(`import { Entity, PrimaryGeneratedColumn, Column, ManyToOne, JoinColumn, Index } from 'typeorm';

@Entity('organizations')
export class Organization {
  @PrimaryGeneratedColumn('uuid') id!: string;
}

@Entity('projects')
@Index(['orgId', 'id'])
export class Project {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'org_id' }) orgId!: string;
  @ManyToOne(() => Organization) @JoinColumn({ name: 'org_id' }) org!: Organization;
}
`),
    // a file that defines no table is never reported
    `export const answer = 42;`,
  ],
  invalid: [
    {
      // Drizzle: the tenant key is nullable
      ...onDisk(`${drizzleOrgs}
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').references(() => organizations.id),
}, (t) => [index('invoices_org_idx').on(t.orgId, t.id)]);
`),
      errors: [{ messageId: 'nullableTenantColumn', line: 7, column: 3, endColumn: 8 }],
    },
    {
      // Drizzle: a table with no tenant key and no relation to a tenant table
      ...onDisk(`${drizzleOrgs}
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
}, (t) => [index('invoices_org_idx').on(t.orgId, t.id)]);
export const auditEvents = pgTable('audit_events', { id: uuid('id').primaryKey(), action: text('action').notNull() });
`),
      errors: [{ messageId: 'missingTenantColumn', line: 9, column: 28 }],
    },
    {
      // checkChildTables: a child table without its own tenant column
      ...onDisk(
        `${drizzleOrgs}
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
}, (t) => [index('invoices_org_idx').on(t.orgId, t.id)]);
export const invoiceLines = pgTable('invoice_lines', {
  id: uuid('id').primaryKey(),
  invoiceId: uuid('invoice_id').notNull().references(() => invoices.id),
});
`,
        'src/schema.ts',
        { 'tenant-lint.config.json': '{ "checkChildTables": true }' },
      ),
      errors: [{ messageId: 'childWithoutTenantColumn', line: 9, column: 29 }],
    },
    {
      // Mongoose: the tenant reference is not required
      ...onDisk(`import { Schema, model } from 'mongoose';

const tenantSchema = new Schema({ name: String });
export const Tenant = model('Tenant', tenantSchema);

const invoiceSchema = new Schema({
  tenantId: { type: Schema.Types.ObjectId, ref: 'Tenant' },
  total: Number,
});
invoiceSchema.index({ tenantId: 1, _id: 1 });
export const Invoice = model('Invoice', invoiceSchema);
`),
      errors: [{ messageId: 'nullableTenantColumn', line: 7 }],
    },
  ],
});
