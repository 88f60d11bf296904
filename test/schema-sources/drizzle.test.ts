import { describe, expect, it } from 'vitest';
import { readDrizzle } from '../../src/schema/drizzle.js';
import { column, dbNames, nullability, relation, tableNamed, unitOf } from './helpers.js';

const FILE = 'src/db/schema.ts';

function read(text: string) {
  return readDrizzle(unitOf(text), FILE);
}

const SCHEMA = `import { pgTable, uuid, text, timestamp, serial, index, uniqueIndex, primaryKey, unique } from 'drizzle-orm/pg-core';
export const orgs = pgTable('organizations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
});
export const invoices = pgTable('invoices', {
  id: uuid('id').defaultRandom(),
  orgId: uuid('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
  reviewerOrgId: uuid('reviewer_org_id').references(() => orgs.id),
  number: serial('number'),
  email: text().unique(),
  memo: text('memo'),
  createdAt: timestamp('created_at').notNull().defaultNow(),
}, (t) => [
  index('invoices_org_created').on(t.orgId, t.createdAt.desc()),
  index('invoices_created_org').on(t.createdAt, t.orgId),
  uniqueIndex('invoices_number').on(t.number),
  primaryKey({ columns: [t.orgId, t.id] }),
  unique().on(t.orgId, t.email),
]);
`;

describe('Drizzle pgTable', () => {
  it('names the table by its SQL name and locates the pgTable callee token', () => {
    const tables = read(SCHEMA);
    expect(tables.map((t) => t.name)).toEqual(['organizations', 'invoices']);
    const invoices = tableNamed(tables, 'invoices');
    expect(invoices.dbName).toBe('invoices');
    expect(invoices.source).toBe('drizzle');
    // `export const invoices = pgTable(` : the identifier starts at column 25 of line 6.
    expect(invoices.location).toEqual({ file: FILE, line: 6, column: 25, endLine: 6, endColumn: 32 });
  });

  it('keys columns by property name, with the builder name argument as dbName (or the property name)', () => {
    const invoices = tableNamed(read(SCHEMA), 'invoices');
    expect(dbNames(invoices)).toEqual({
      id: 'id',
      orgId: 'org_id',
      reviewerOrgId: 'reviewer_org_id',
      number: 'number',
      email: 'email',
      memo: 'memo',
      createdAt: 'created_at',
    });
    expect(column(invoices, 'orgId').type).toBe('uuid');
    expect(column(invoices, 'orgId').location).toMatchObject({ file: FILE, line: 8, column: 3 });
  });

  it('makes columns nullable unless notNull, primaryKey (single or composite) or serial', () => {
    const tables = read(SCHEMA);
    expect(nullability(tableNamed(tables, 'organizations'))).toEqual({ id: false, name: false });
    expect(nullability(tableNamed(tables, 'invoices'))).toEqual({
      id: false, // in the composite primary key
      orgId: false,
      reviewerOrgId: true,
      number: false,
      email: true,
      memo: true,
      createdAt: false,
    });
  });

  it('reads single and composite primary keys; a composite key is also a compound unique', () => {
    const tables = read(SCHEMA);
    expect(tableNamed(tables, 'organizations').primaryKey).toEqual(['id']);
    const invoices = tableNamed(tables, 'invoices');
    expect(invoices.primaryKey).toEqual(['orgId', 'id']);
    expect(invoices.uniques).toContainEqual({ fields: ['orgId', 'id'], name: 'orgId_id' });
  });

  it('keeps index columns in their written order, so the leading column is known', () => {
    const invoices = tableNamed(read(SCHEMA), 'invoices');
    expect(invoices.indexes).toEqual([['orgId', 'createdAt'], ['createdAt', 'orgId'], ['number']]);
  });

  it('reads column .unique(), uniqueIndex() and unique().on() as uniques', () => {
    const invoices = tableNamed(read(SCHEMA), 'invoices');
    expect(invoices.uniques).toEqual([
      { fields: ['email'], name: 'email' },
      { fields: ['number'], name: 'invoices_number' },
      { fields: ['orgId', 'email'], name: 'orgId_email' },
      { fields: ['orgId', 'id'], name: 'orgId_id' },
    ]);
  });

  it('turns .references() into a relation to the referenced table, required when notNull', () => {
    const invoices = tableNamed(read(SCHEMA), 'invoices');
    expect(relation(invoices, 'orgId')).toEqual({
      name: 'orgId',
      target: 'organizations', // the SQL name of `orgs`, not the variable name
      fields: ['orgId'],
      references: ['id'],
      required: true,
      isList: false,
      onDelete: 'cascade',
    });
    expect(relation(invoices, 'reviewerOrgId')).toMatchObject({ target: 'organizations', required: false });
  });

  it('reads the older object form of the extra-config callback', () => {
    const tables = read(`import { pgTable, uuid, timestamp, index, uniqueIndex, primaryKey } from 'drizzle-orm/pg-core';
export const members = pgTable('members', {
  orgId: uuid('org_id').notNull(),
  userId: uuid('user_id').notNull(),
  createdAt: timestamp('created_at'),
}, (t) => ({
  pk: primaryKey(t.orgId, t.userId),
  byOrg: index('members_by_org').on(t.orgId, t.createdAt),
  byUser: uniqueIndex('members_by_user').on(t.userId, t.orgId),
}));
`);
    const members = tableNamed(tables, 'members');
    expect(members.primaryKey).toEqual(['orgId', 'userId']);
    expect(members.indexes).toEqual([['orgId', 'createdAt'], ['userId', 'orgId']]);
    expect(members.uniques).toContainEqual({ fields: ['userId', 'orgId'], name: 'members_by_user' });
  });

  it('reads a block-bodied extra-config callback and foreignKey() constraints', () => {
    const tables = read(`import { pgTable, uuid, foreignKey } from 'drizzle-orm/pg-core';
export const organizations = pgTable('organizations', { id: uuid('id').primaryKey() });
export const projects = pgTable('projects', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull(),
}, (table) => {
  return [foreignKey({ columns: [table.orgId], foreignColumns: [organizations.id], name: 'projects_org_fk' })];
});
`);
    expect(relation(tableNamed(tables, 'projects'), 'projects_org_fk')).toEqual({
      name: 'projects_org_fk',
      target: 'organizations',
      fields: ['orgId'],
      references: ['id'],
      required: true,
      isList: false,
    });
  });
});

describe('Drizzle dialects and table factories', () => {
  it('reads mysqlTable and sqliteTable', () => {
    const mysql = read(`import { mysqlTable, varchar, int } from 'drizzle-orm/mysql-core';
export const accounts = mysqlTable('accounts', { id: int('id').primaryKey().autoincrement(), slug: varchar('slug', { length: 64 }).notNull() });
`);
    expect(tableNamed(mysql, 'accounts').columns.get('slug')).toMatchObject({ dbName: 'slug', type: 'varchar', nullable: false });
    const sqlite = read(`import { sqliteTable, integer, text } from 'drizzle-orm/sqlite-core';
export const notes = sqliteTable('notes', { id: integer('id').primaryKey(), body: text('body') });
`);
    expect(nullability(tableNamed(sqlite, 'notes'))).toEqual({ id: false, body: true });
  });

  it('reads pgSchema(...).table(...), inline or through a const, located at the `table` token', () => {
    const tables = read(`import { pgSchema, uuid } from 'drizzle-orm/pg-core';
export const billing = pgSchema('billing');
export const charges = billing.table('charges', { id: uuid('id').primaryKey() });
export const refunds = pgSchema('billing').table('refunds', { id: uuid('id').primaryKey() });
`);
    expect(tables.map((t) => t.name)).toEqual(['charges', 'refunds']);
    expect(tableNamed(tables, 'charges').location).toEqual({ file: FILE, line: 3, column: 32, endLine: 3, endColumn: 37 });
  });

  it("reads `x.table('name', { ...columns })` where x is a pgSchema imported from a project module (latitude-llm)", () => {
    const tables = read(`import { varchar } from 'drizzle-orm/pg-core';
import { latitudeSchema, cuid } from '../schemaHelpers.ts';
export const projects = latitudeSchema.table('projects', { id: cuid('id').primaryKey(), organizationId: cuid('organization_id').notNull(), name: varchar('name') });
`);
    expect(tables.map((t) => t.name)).toEqual(['projects']);
    expect(nullability(tableNamed(tables, 'projects'))).toMatchObject({ organizationId: false });
  });

  it('twin: `.table(...)` on a library import, or without a column object, is no table', () => {
    const tables = read(`import { varchar } from 'drizzle-orm/pg-core';
import knex from 'knex';
import { helpers } from './helpers';
export const a = knex.table('projects', { id: varchar('id') });
export const b = helpers.table('notes');
`);
    expect(tables).toEqual([]);
  });

  it('applies a static pgTableCreator prefix to the table name', () => {
    const tables = read(`import { pgTableCreator, uuid } from 'drizzle-orm/pg-core';
const createTable = pgTableCreator((name) => \`acme_\${name}\`);
export const posts = createTable('posts', { id: uuid('id').primaryKey() });
`);
    expect(tables.map((t) => t.name)).toEqual(['acme_posts']);
  });

  it('reads a table name held in a const of the file', () => {
    const tables = read(`import { pgTable, uuid } from 'drizzle-orm/pg-core';
const INVOICES = 'invoices';
export const invoices = pgTable(INVOICES, { id: uuid('id').primaryKey() });
`);
    expect(tables.map((t) => t.name)).toEqual(['invoices']);
  });

  it('reads the column-builder callback form pgTable(name, (t) => ({ ... }))', () => {
    const tables = read(`import { pgTable } from 'drizzle-orm/pg-core';
export const tasks = pgTable('tasks', (t) => ({
  id: t.uuid().primaryKey(),
  orgId: t.uuid('org_id').notNull(),
  title: t.text(),
}));
`);
    const tasks = tableNamed(tables, 'tasks');
    expect(dbNames(tasks)).toEqual({ id: 'id', orgId: 'org_id', title: 'title' });
    expect(nullability(tasks)).toEqual({ id: false, orgId: false, title: true });
    expect(column(tasks, 'orgId').type).toBe('uuid');
  });

  it('includes columns spread from a shared const object', () => {
    const tables = read(`import { pgTable, uuid, timestamp } from 'drizzle-orm/pg-core';
const tenantColumns = { orgId: uuid('org_id').notNull(), createdAt: timestamp('created_at').notNull() };
export const files = pgTable('files', { id: uuid('id').primaryKey(), ...tenantColumns });
`);
    expect(dbNames(tableNamed(tables, 'files'))).toEqual({ id: 'id', orgId: 'org_id', createdAt: 'created_at' });
  });
});

describe('Drizzle recognition is by import', () => {
  it('follows an aliased import: import { pgTable as table }', () => {
    const tables = read(`import { pgTable as table, uuid as id, text } from 'drizzle-orm/pg-core';
export const users = table('users', { id: id('id').primaryKey(), email: text('email').notNull() });
`);
    expect(tables.map((t) => t.name)).toEqual(['users']);
    expect(column(tables[0], 'id').type).toBe('uuid');
    expect(tables[0].location).toMatchObject({ line: 2, column: 22, endColumn: 27 });
  });

  it('follows a namespace import: pg.pgTable', () => {
    const tables = read(`import * as pg from 'drizzle-orm/pg-core';
export const users = pg.pgTable('users', { id: pg.uuid('id').primaryKey() });
`);
    expect(tables.map((t) => t.name)).toEqual(['users']);
    expect(column(tables[0], 'id').type).toBe('uuid');
  });

  it('follows require() destructuring in JavaScript', () => {
    const tables = readDrizzle(
      unitOf(`const { pgTable, uuid } = require('drizzle-orm/pg-core');
const users = pgTable('users', { id: uuid('id').primaryKey() });
module.exports = { users };
`, '/project/src/db/schema.js'),
      'src/db/schema.js',
    );
    expect(tables.map((t) => t.name)).toEqual(['users']);
  });

  it('ignores a local function that is only named pgTable', () => {
    expect(
      read(`function pgTable(name: string, columns: object) { return { name, columns }; }
export const users = pgTable('users', { id: uuid('id').primaryKey() });
function uuid(name: string) { return { primaryKey: () => name }; }
`),
    ).toEqual([]);
  });

  it('ignores pgTable imported from somewhere other than Drizzle', () => {
    expect(
      read(`import { pgTable, uuid } from './fake-drizzle';
export const users = pgTable('users', { id: uuid('id').primaryKey() });
`),
    ).toEqual([]);
  });

  it('ignores a local pgTable that shadows the import', () => {
    expect(
      read(`import { pgTable as realTable } from 'drizzle-orm/pg-core';
export function build(pgTable: (n: string, c: object) => unknown) {
  return pgTable('users', {});
}
`),
    ).toEqual([]);
  });
});

describe('Drizzle relation targets', () => {
  it('reads relations() from drizzle-orm: fields, references, required from the owner columns', () => {
    const tables = read(`import { relations } from 'drizzle-orm';
import { pgTable, uuid } from 'drizzle-orm/pg-core';
export const organizations = pgTable('organizations', { id: uuid('id').primaryKey() });
export const projects = pgTable('projects', { id: uuid('id').primaryKey(), orgId: uuid('org_id').notNull(), ownerId: uuid('owner_id') });
export const projectsRelations = relations(projects, ({ one, many }) => ({
  organization: one(organizations, { fields: [projects.orgId], references: [organizations.id] }),
  owner: one(organizations, { fields: [projects.ownerId], references: [organizations.id] }),
  children: many(projects),
}));
`);
    const projects = tableNamed(tables, 'projects');
    expect(relation(projects, 'organization')).toEqual({
      name: 'organization',
      target: 'organizations',
      fields: ['orgId'],
      references: ['id'],
      required: true,
      isList: false,
    });
    expect(relation(projects, 'owner').required).toBe(false);
    expect(relation(projects, 'children')).toMatchObject({ target: 'projects', fields: [], isList: true });
  });

  it('leaves an imported table variable as the target when the file is read alone', () => {
    const tables = read(`import { pgTable, uuid } from 'drizzle-orm/pg-core';
import { organizations } from './organizations';
export const invoices = pgTable('invoices', { orgId: uuid('org_id').notNull().references(() => organizations.id) });
`);
    // readTsSchemaSources resolves it to the table name across files (see ts-sources.test.ts).
    expect(relation(tableNamed(tables, 'invoices'), 'orgId').target).toBe('organizations');
  });

  it('resolves a self-reference', () => {
    const tables = read(`import { pgTable, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';
export const folders = pgTable('folders', { id: uuid('id').primaryKey(), parentId: uuid('parent_id').references((): AnyPgColumn => folders.id) });
`);
    expect(relation(tableNamed(tables, 'folders'), 'parentId')).toMatchObject({ target: 'folders', required: false });
  });
});
