import { describe, expect, it } from 'vitest';
import { TS_SCHEMA_MARKERS, readTsSchemaSources } from '../../src/schema/ts-sources.js';
import { relation, tableNamed, unitOf } from './helpers.js';

/** Units for a small project: `{ 'src/db/orgs.ts': '...' }` → parsed units with project-relative paths. */
function project(files: Record<string, string>) {
  return Object.entries(files).map(([projectFile, text]) => ({ unit: unitOf(text, `/project/${projectFile}`), projectFile }));
}

describe('TS_SCHEMA_MARKERS', () => {
  it('matches files that import or require one of the libraries', () => {
    for (const text of [
      `import { pgTable } from 'drizzle-orm/pg-core';`,
      `import { mysqlTable } from "drizzle-orm/mysql-core";`,
      `import { sqliteTable } from 'drizzle-orm/sqlite-core'`,
      `import { relations } from 'drizzle-orm';\nexport const r = relations(users, () => ({}));`,
      `import { Entity } from 'typeorm';`,
      `import { Model } from 'sequelize';`,
      `import { Table } from 'sequelize-typescript';`,
      `import mongoose from 'mongoose';`,
      `const mongoose = require('mongoose');`,
      `import typeorm = require('typeorm');`,
      `import 'mongoose';`,
      `export { Schema } from 'mongoose';`,
      // A models/index.ts that imports only the models and declares their associations.
      `import { Invoice } from './invoice';\nimport { Company } from './company';\nInvoice.belongsTo(Company, { foreignKey: 'companyId' });`,
      `import { Company, Invoice } from './models';\nCompany.hasMany(Invoice);`,
      `import type { Knex } from 'knex';`,
      `import { Kysely } from 'kysely';`,
      // A plain JavaScript Knex migration imports nothing.
      `exports.up = (knex) => knex.schema.createTable('projects', (t) => { t.uuid('id').primary(); });`,
      `exports.up = (knex) => knex.schema.withSchema('app').alterTable('projects', (t) => { t.index(['org_id']); });`,
    ]) {
      expect(TS_SCHEMA_MARKERS.test(text), text).toBe(true);
    }
  });

  it('does not match other packages or mere mentions', () => {
    for (const text of [
      `import paginate from 'mongoose-paginate-v2';`,
      `import { something } from 'typeorm-extension';`,
      `import { x } from './sequelize';`,
      `// we used to use mongoose here`,
      `const lib = 'typeorm';`,
      // A file that only queries with Drizzle: no table definitions, not worth parsing here.
      `import { eq } from 'drizzle-orm';\nexport const q = db.select().from(users).where(eq(users.id, id));`,
    ]) {
      expect(TS_SCHEMA_MARKERS.test(text), text).toBe(false);
    }
  });
});

describe('readTsSchemaSources', () => {
  it('resolves a Drizzle reference to an imported table variable to that table’s SQL name', () => {
    const result = readTsSchemaSources(
      project({
        'src/db/orgs.ts': `import { pgTable, uuid } from 'drizzle-orm/pg-core';
export const orgs = pgTable('organizations', { id: uuid('id').primaryKey() });
`,
        'src/db/invoices.ts': `import { pgTable, uuid } from 'drizzle-orm/pg-core';
import { orgs } from './orgs.js';
export const invoices = pgTable('invoices', { orgId: uuid('org_id').notNull().references(() => orgs.id) });
`,
      }),
    );
    expect(result.diagnostics).toEqual([]);
    expect(relation(tableNamed(result.tables, 'invoices'), 'orgId')).toMatchObject({ target: 'organizations', required: true });
    expect(result.files).toEqual(['src/db/orgs.ts', 'src/db/invoices.ts']);
    expect(result.sources).toEqual([{ kind: 'drizzle', files: ['src/db/orgs.ts', 'src/db/invoices.ts'] }]);
    expect(result.bindings).toContainEqual({ file: 'src/db/orgs.ts', binding: 'orgs', table: 'organizations', source: 'drizzle' });
  });

  it('attaches Drizzle relations() declared in another file to the owner table', () => {
    const result = readTsSchemaSources(
      project({
        'src/db/schema/index.ts': `import { pgTable, uuid } from 'drizzle-orm/pg-core';
export const organizations = pgTable('organizations', { id: uuid('id').primaryKey() });
export const projects = pgTable('projects', { id: uuid('id').primaryKey(), orgId: uuid('org_id').notNull() });
`,
        'src/db/relations.ts': `import { relations } from 'drizzle-orm';
import { organizations, projects } from './schema';
export const projectRelations = relations(projects, ({ one }) => ({
  organization: one(organizations, { fields: [projects.orgId], references: [organizations.id] }),
}));
`,
      }),
    );
    expect(relation(tableNamed(result.tables, 'projects'), 'organization')).toEqual({
      name: 'organization',
      target: 'organizations',
      fields: ['orgId'],
      references: ['id'],
      required: true,
      isList: false,
    });
    // The relations file produced no table of its own.
    expect(result.files).toEqual(['src/db/schema/index.ts']);
  });

  it('resolves an imported TypeORM entity class to its table name', () => {
    const result = readTsSchemaSources(
      project({
        'src/entities/organization.ts': `import { Entity, PrimaryGeneratedColumn } from 'typeorm';
@Entity('organizations') export class Organization { @PrimaryGeneratedColumn('uuid') id!: string; }
`,
        'src/entities/invoice.ts': `import { Entity, PrimaryGeneratedColumn, ManyToOne } from 'typeorm';
import { Organization } from './organization';
@Entity('invoices') export class Invoice {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @ManyToOne(() => Organization, { nullable: false }) organization!: Organization;
}
`,
      }),
    );
    expect(relation(tableNamed(result.tables, 'invoices'), 'organization')).toMatchObject({ target: 'organizations', fields: ['organizationId'], required: true });
  });

  it('matches a Sequelize table-name reference to a model named in the singular', () => {
    const result = readTsSchemaSources(
      project({
        'src/models/organization.ts': `import { Model, DataTypes } from 'sequelize';
export class Organization extends Model {}
Organization.init({ id: { type: DataTypes.UUID, primaryKey: true } }, { sequelize });
`,
        'src/models/invoice.ts': `import { Model, DataTypes } from 'sequelize';
export class Invoice extends Model {}
Invoice.init({ orgId: { type: DataTypes.UUID, allowNull: false, references: { model: 'organizations', key: 'id' } } }, { sequelize });
`,
      }),
    );
    expect(relation(tableNamed(result.tables, 'Invoice'), 'orgId')).toMatchObject({ target: 'Organization', required: true });
  });

  it('reads Sequelize associations declared in a file that only imports the models (models/index.ts)', () => {
    const result = readTsSchemaSources(
      project({
        'src/models/company.ts': `import { DataTypes, Model } from 'sequelize';
export class Company extends Model {}
Company.init({ id: { type: DataTypes.UUID, primaryKey: true } }, { sequelize, tableName: 'companies' });
`,
        'src/models/time-entry.ts': `import { DataTypes } from 'sequelize';
import { sequelize } from '../db';
export const TimeEntry = sequelize.define('TimeEntry', {
  companyId: { type: DataTypes.UUID, field: 'company_id' },
  minutes: DataTypes.INTEGER,
}, { tableName: 'time_entries', underscored: true });
`,
        'src/models/index.ts': `import { Company } from './company.js';
import { TimeEntry } from './time-entry.js';
Company.hasMany(TimeEntry, { as: 'timeEntries', foreignKey: 'companyId' });
TimeEntry.belongsTo(Company, { as: 'company', foreignKey: { name: 'companyId', allowNull: false } });
export { Company, TimeEntry };
`,
      }),
    );
    expect(result.diagnostics).toEqual([]);
    const entries = tableNamed(result.tables, 'time_entries');
    expect(relation(entries, 'company')).toEqual({ name: 'company', target: 'companies', fields: ['companyId'], references: ['id'], required: true, isList: false });
    expect(entries.columns.get('companyId')).toMatchObject({ dbName: 'company_id', nullable: false });
    expect(relation(tableNamed(result.tables, 'companies'), 'timeEntries')).toMatchObject({ target: 'time_entries', fields: [], isList: true });
    // The associations file defines no table of its own.
    expect(result.files).toEqual(['src/models/company.ts', 'src/models/time-entry.ts']);
  });

  it('lets an associations file add the foreign-key column an index of another file names', () => {
    const result = readTsSchemaSources(
      project({
        'src/models/company.ts': `import { DataTypes, Model } from 'sequelize';
export class Company extends Model {}
Company.init({ id: { type: DataTypes.UUID, primaryKey: true } }, { sequelize, tableName: 'companies' });
`,
        'src/models/payment.ts': `import { DataTypes, Model } from 'sequelize';
export class Payment extends Model {}
Payment.init({ amount: DataTypes.INTEGER }, { sequelize, tableName: 'payments', underscored: true, indexes: [{ fields: ['company_id', 'created_at'] }] });
`,
        'src/models/index.ts': `import * as models from './payment';
import { Company as Tenant } from './company';
models.Payment.belongsTo(Tenant, { as: 'company', foreignKey: { name: 'companyId', field: 'company_id', allowNull: false } });
`,
      }),
    );
    const payments = tableNamed(result.tables, 'payments');
    expect(payments.indexes).toEqual([['companyId', 'createdAt']]);
    expect(relation(payments, 'company')).toMatchObject({ target: 'companies', fields: ['companyId'], required: true });
  });

  it('applies an association of a model file to an imported model of another file', () => {
    const result = readTsSchemaSources(
      project({
        'src/models/company.ts': `import { DataTypes, Model } from 'sequelize';
export class Company extends Model {}
Company.init({ id: { type: DataTypes.UUID, primaryKey: true } }, { sequelize, tableName: 'companies' });
`,
        'src/models/invoice.ts': `import { DataTypes, Model } from 'sequelize';
import { Company } from './company';
export class Invoice extends Model {}
Invoice.init({ total: DataTypes.INTEGER }, { sequelize, tableName: 'invoices' });
Company.hasMany(Invoice, { as: 'invoices', foreignKey: { name: 'companyId', allowNull: false } });
`,
      }),
    );
    expect(relation(tableNamed(result.tables, 'invoices'), 'companyId')).toMatchObject({ target: 'companies', fields: ['companyId'], required: true });
    expect(relation(tableNamed(result.tables, 'companies'), 'invoices')).toMatchObject({ target: 'invoices', isList: true });
  });

  it('ignores association calls that do not resolve to Sequelize models through the imports', () => {
    const units = project({
      'src/models/company.ts': `import { DataTypes, Model } from 'sequelize';
export class Company extends Model {}
Company.init({ id: { type: DataTypes.UUID, primaryKey: true } }, { sequelize, tableName: 'companies' });
`,
      'src/graph.ts': `import { Node } from './node';
import { Company } from './models/company';
const tree = { belongsTo: (_other: unknown) => true };
tree.belongsTo(Node);
Node.hasMany(Company);
Company.belongsTo(Node);
`,
    });
    const result = readTsSchemaSources(units);
    expect(result.diagnostics).toEqual([]);
    // `Node` is no Sequelize model: neither side gets a relation or a foreign-key column.
    const companies = tableNamed(result.tables, 'companies');
    expect([...companies.relations.keys()]).toEqual([]);
    expect([...companies.columns.keys()]).toEqual(['id', 'createdAt', 'updatedAt']);
    expect(result.files).toEqual(['src/models/company.ts']);
  });

  it('keeps a Mongoose ref to a model of another file by its model name', () => {
    const result = readTsSchemaSources(
      project({
        'src/models/tenant.ts': `import { Schema, model } from 'mongoose';
export const Tenant = model('Tenant', new Schema({ name: String }));
`,
        'src/models/invoice.ts': `import { Schema, model } from 'mongoose';
export const Invoice = model('Invoice', new Schema({ tenantId: { type: Schema.Types.ObjectId, ref: 'Tenant', required: true } }));
`,
      }),
    );
    expect(relation(tableNamed(result.tables, 'Invoice'), 'tenantId')).toMatchObject({ target: 'Tenant', required: true });
    expect(result.sources).toEqual([{ kind: 'mongoose', files: ['src/models/tenant.ts', 'src/models/invoice.ts'] }]);
  });

  it('resolves relation targets only among tables of the same library', () => {
    const result = readTsSchemaSources(
      project({
        'src/db/schema.ts': `import { pgTable, uuid } from 'drizzle-orm/pg-core';
export const organizations = pgTable('organizations', { id: uuid('id').primaryKey() });
`,
        'src/models/invoice.ts': `import { Schema, model } from 'mongoose';
export const Invoice = model('Invoice', new Schema({ orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true } }));
`,
      }),
    );
    // No Mongoose model named Organization: the ref stays as written, not the Drizzle table.
    expect(relation(tableNamed(result.tables, 'Invoice'), 'orgId').target).toBe('Organization');
  });

  it('reads several libraries side by side and skips files without a marker', () => {
    const result = readTsSchemaSources(
      project({
        'src/db/schema.ts': `import { pgTable, uuid } from 'drizzle-orm/pg-core';
export const users = pgTable('users', { id: uuid('id').primaryKey() });
`,
        'src/models/log.ts': `import { Schema, model } from 'mongoose';
export const Log = model('Log', new Schema({ message: String }));
`,
        'src/lib/fake.ts': `export const users = pgTable('users', { id: uuid('id').primaryKey() });
function pgTable(name: string, columns: object) { return { name, columns }; }
function uuid(name: string) { return { primaryKey: () => name }; }
`,
      }),
    );
    expect(result.tables.map((t) => [t.name, t.source])).toEqual([
      ['users', 'drizzle'],
      ['Log', 'mongoose'],
    ]);
    expect(result.files).toEqual(['src/db/schema.ts', 'src/models/log.ts']);
  });

  it('turns a reader that throws on an odd file into a diagnostic for that file, and still reads the others', () => {
    const units = project({
      'src/db/broken.ts': `import { pgTable, uuid } from 'drizzle-orm/pg-core';
export const a = pgTable('a', { id: uuid('id').primaryKey() });
`,
      'src/db/ok.ts': `import { pgTable, uuid } from 'drizzle-orm/pg-core';
export const b = pgTable('b', { id: uuid('id').primaryKey() });
`,
    });
    // An AST no reader expects: a program without a body.
    Reflect.set(units[0].unit.ast, 'body', null);
    const result = readTsSchemaSources(units);
    expect(result.tables.map((t) => t.name)).toEqual(['b']);
    expect(result.files).toEqual(['src/db/ok.ts']);
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics.every((d) => d.file === 'src/db/broken.ts' && /could not read the \w+ table definitions/.test(d.message))).toBe(true);
  });
});
