import { RuleTester } from '@typescript-eslint/rule-tester';
import { afterAll, describe, it } from 'vitest';
import rule from '../../rules/require-tenant-index.js';
import { onDisk } from '../helpers/on-disk.js';

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const ruleTester = new RuleTester();

const drizzleOrgs = `import { pgTable, uuid, text, index, uniqueIndex, primaryKey, unique } from 'drizzle-orm/pg-core';

export const organizations = pgTable('organizations', { id: uuid('id').primaryKey() });
`;

ruleTester.run('require-tenant-index', rule, {
  valid: [
    // composite index that leads with the tenant key
    onDisk(`${drizzleOrgs}
export const members = pgTable('members', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  email: text('email').notNull(),
}, (t) => [index('members_org_created_idx').on(t.orgId, t.id)]);
`),
    // compound unique that leads with the tenant key (object form of the extra config)
    onDisk(`${drizzleOrgs}
export const members = pgTable('members', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  email: text('email').notNull(),
}, (t) => ({ orgEmail: uniqueIndex('members_org_email_key').on(t.orgId, t.email) }));
`),
    // composite primary key that leads with the tenant key
    onDisk(`${drizzleOrgs}
export const members = pgTable('members', {
  id: uuid('id').notNull(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
}, (t) => [primaryKey({ columns: [t.orgId, t.id] })]);
`),
    // a unique secret is global by design
    onDisk(`${drizzleOrgs}
export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  hashedKey: text('hashed_key').notNull().unique(),
}, (t) => [index('api_keys_org_idx').on(t.orgId, t.id)]);
`),
    // an index on the tenant key alone, with reportTenantOnlyIndex: false
    onDisk(
      `${drizzleOrgs}
export const members = pgTable('members', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
}, (t) => [index('members_org_idx').on(t.orgId)]);
`,
      'src/schema.ts',
      { 'tenant-lint.config.json': '{ "reportTenantOnlyIndex": false }' },
    ),
  ],
  invalid: [
    {
      // the tenant key is second in the only index
      ...onDisk(`${drizzleOrgs}
export const members = pgTable('members', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  createdAt: text('created_at').notNull(),
}, (t) => [index('members_created_org_idx').on(t.createdAt, t.orgId)]);
`),
      errors: [{ messageId: 'missingTenantIndex', line: 5, column: 24, endColumn: 31 }],
    },
    {
      // an index on the tenant key alone
      ...onDisk(`${drizzleOrgs}
export const members = pgTable('members', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
}, (t) => [index('members_org_idx').on(t.orgId)]);
`),
      errors: [{ messageId: 'tenantOnlyIndex', line: 5, column: 24 }],
    },
    {
      // a business key unique across all tenants
      ...onDisk(`${drizzleOrgs}
export const members = pgTable('members', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  email: text('email').notNull(),
}, (t) => [index('members_org_idx').on(t.orgId, t.id), unique('members_email_key').on(t.email)]);
`),
      errors: [{ messageId: 'uniqueWithoutTenant', line: 5, column: 24 }],
    },
    {
      // TypeORM: an entity with no index at all
      ...onDisk(`import { Entity, PrimaryGeneratedColumn, Column, ManyToOne, JoinColumn } from 'typeorm';

@Entity('organizations')
export class Organization {
  @PrimaryGeneratedColumn('uuid') id!: string;
}

@Entity('projects')
export class Project {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'org_id' }) orgId!: string;
  @ManyToOne(() => Organization) @JoinColumn({ name: 'org_id' }) org!: Organization;
}
`),
      errors: [{ messageId: 'missingTenantIndex', line: 8 }],
    },
  ],
});
