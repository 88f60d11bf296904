import { describe, expect, it } from 'vitest';
import { readKnex } from '../../src/schema/knex.js';
import { readTsSchemaSources } from '../../src/schema/ts-sources.js';
import { column, dbNames, nullability, relation, tableNamed, unitOf } from './helpers.js';

const FILE = 'migrations/20240101_init.ts';

function read(text: string, file = FILE) {
  return readKnex(unitOf(text, `/project/${file}`), file);
}

const INIT = `import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenants', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    table.string('name').notNullable();
  });
  await knex.schema.createTable('invoices', (table) => {
    table.increments('id');
    table.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    table.uuid('reviewer_tenant_id').references('tenants.id');
    table.string('number', 32).notNullable();
    table.text('memo');
    table.timestamps(true, true);
    table.index(['tenant_id', 'id']);
    table.unique(['tenant_id', 'number']);
  });
  await knex.raw('ALTER TABLE invoices ENABLE ROW LEVEL SECURITY');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('invoices');
  await knex.schema.dropTable('tenants');
}
`;

describe('Knex createTable', () => {
  it('names tables by their SQL name and locates the createTable token', () => {
    const tables = read(INIT);
    expect(tables.map((t) => t.name)).toEqual(['tenants', 'invoices']);
    const invoices = tableNamed(tables, 'invoices');
    expect(invoices).toMatchObject({ dbName: 'invoices', source: 'knex' });
    // `  await knex.schema.createTable('invoices'`: `createTable` starts at column 21 of line 8.
    expect(invoices.location).toEqual({ file: FILE, line: 8, column: 21, endLine: 8, endColumn: 32 });
  });

  it('keys columns by SQL name, with the builder method as type and the name literal as location', () => {
    const invoices = tableNamed(read(INIT), 'invoices');
    expect(dbNames(invoices)).toEqual({
      id: 'id',
      tenant_id: 'tenant_id',
      reviewer_tenant_id: 'reviewer_tenant_id',
      number: 'number',
      memo: 'memo',
      created_at: 'created_at',
      updated_at: 'updated_at',
    });
    expect(column(invoices, 'tenant_id').type).toBe('uuid');
    expect(column(invoices, 'tenant_id').location).toMatchObject({ file: FILE, line: 10, column: 16 });
  });

  it('makes columns nullable unless notNullable, primary or increments (Knex columns are nullable by default)', () => {
    const tables = read(INIT);
    expect(nullability(tableNamed(tables, 'tenants'))).toEqual({ id: false, name: false });
    expect(nullability(tableNamed(tables, 'invoices'))).toEqual({
      id: false,
      tenant_id: false,
      reviewer_tenant_id: true,
      number: false,
      memo: true,
      created_at: false, // timestamps(true, true): defaulted to now, NOT NULL
      updated_at: false,
    });
    expect(tableNamed(tables, 'invoices').primaryKey).toEqual(['id']);
    expect(tableNamed(tables, 'tenants').primaryKey).toEqual(['id']);
  });

  it('turns references().inTable() and references("table.column") into relations, required when NOT NULL', () => {
    const invoices = tableNamed(read(INIT), 'invoices');
    expect(relation(invoices, 'tenant_id')).toEqual({
      name: 'tenant_id',
      target: 'tenants',
      fields: ['tenant_id'],
      references: ['id'],
      required: true,
      isList: false,
      // the key's `.onDelete('CASCADE')`
      onDelete: 'cascade',
    });
    expect(relation(invoices, 'reviewer_tenant_id')).toMatchObject({ target: 'tenants', references: ['id'], required: false });
  });

  it('reads t.index and t.unique with their columns in written order, uniques named as Knex names them', () => {
    const invoices = tableNamed(read(INIT), 'invoices');
    expect(invoices.indexes).toEqual([['tenant_id', 'id']]);
    expect(invoices.uniques).toEqual([{ fields: ['tenant_id', 'number'], name: 'invoices_tenant_id_number_unique' }]);
  });

  it('ignores the down migration: its dropTable does not remove what up created', () => {
    expect(read(INIT).map((t) => t.name)).toEqual(['tenants', 'invoices']);
  });
});

describe('Knex table-level constraints and other forms', () => {
  it('reads t.foreign().references().inTable(), composite t.primary(), column .unique() and .index()', () => {
    const tables = read(`import { Knex } from 'knex';
export const up = async (knex: Knex) => {
  await knex.schema.createTableIfNotExists('members', function (t) {
    t.uuid('tenant_id').notNullable();
    t.uuid('user_id').notNullable().index();
    t.string('email').unique({ indexName: 'members_email_key' });
    t.primary(['tenant_id', 'user_id']);
    t.foreign('tenant_id').references('id').inTable('tenants');
    t.foreign('user_id').references('users.id');
  });
};
`);
    const members = tableNamed(tables, 'members');
    expect(members.primaryKey).toEqual(['tenant_id', 'user_id']);
    expect(members.indexes).toEqual([['user_id']]);
    expect(members.uniques).toEqual([
      { fields: ['email'], name: 'members_email_key' },
      { fields: ['tenant_id', 'user_id'], name: 'tenant_id_user_id' },
    ]);
    expect(relation(members, 'tenant_id')).toMatchObject({ target: 'tenants', fields: ['tenant_id'], references: ['id'], required: true });
    expect(relation(members, 'user_id')).toMatchObject({ target: 'users', references: ['id'], required: true });
  });

  it('reads chained createTable calls, withSchema, and CommonJS migrations with require', () => {
    const tables = read(`const knexLib = require('knex');
exports.up = function (knex) {
  return knex.schema
    .createTable('projects', (t) => { t.bigIncrements('id'); t.uuid('tenant_id').notNullable().references('tenants.id'); })
    .withSchema('billing')
    .createTable('charges', (t) => { t.increments(); t.integer('project_id').unsigned().references('id').inTable('projects'); });
};
`, 'migrations/002.js');
    expect(tables.map((t) => t.name)).toEqual(['projects', 'billing.charges']);
    expect(relation(tableNamed(tables, 'projects'), 'tenant_id').target).toBe('tenants');
    expect(column(tableNamed(tables, 'projects'), 'id')).toMatchObject({ type: 'bigIncrements', nullable: false });
  });

  it('applies alterTable / table in the same file: new columns, alter(), dropColumn, renameColumn', () => {
    const tables = read(`import type { Knex } from 'knex';
export async function up(knex: Knex) {
  await knex.schema.createTable('notes', (t) => { t.increments('id'); t.uuid('tenant_id'); t.text('body'); t.text('old'); });
  await knex.schema.alterTable('notes', (t) => {
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').alter();
    t.dropColumn('old');
    t.renameColumn('body', 'content');
  });
  await knex.schema.table('notes', (t) => { t.index(['tenant_id', 'id']); });
}
`);
    const notes = tableNamed(tables, 'notes');
    expect(nullability(notes)).toEqual({ id: false, tenant_id: false, content: true });
    expect(relation(notes, 'tenant_id')).toMatchObject({ target: 'tenants', required: true });
    expect(notes.indexes).toEqual([['tenant_id', 'id']]);
  });

  it('ignores files that neither import knex nor export a migration, and query builders named like schema calls', () => {
    expect(read(`export const x = (db: any) => db.schema.createTable('t', (t: any) => t.uuid('id'));`)).toEqual([]);
    expect(read(`import knex from 'knex';\nconst db = knex({});\nexport const q = () => db.table('invoices').where({ id: 1 });`)).toEqual([]);
  });
});

describe('Knex JavaScript migrations without an import', () => {
  it('reads module.exports = { up, down } and skips its down', () => {
    const tables = read(`module.exports = {
  async up(knex) {
    await knex.schema.createTable('labels', (t) => { t.increments('id'); t.uuid('tenant_id').notNullable().references('tenants.id'); });
  },
  async down(knex) {
    await knex.schema.dropTable('labels');
    await knex.schema.createTable('old_labels', (t) => { t.increments('id'); });
  },
};
`, 'migrations/003_labels.js');
    expect(tables.map((t) => t.name)).toEqual(['labels']);
    expect(relation(tableNamed(tables, 'labels'), 'tenant_id')).toMatchObject({ target: 'tenants', required: true });
  });
});

describe('Knex migrations across files', () => {
  it('applies an alterTable of a later migration to the table an earlier one created', () => {
    const result = readTsSchemaSources([
      { unit: unitOf(INIT, '/project/migrations/001_init.ts'), projectFile: 'migrations/001_init.ts' },
      {
        unit: unitOf(`import type { Knex } from 'knex';
export async function up(knex: Knex) {
  await knex.schema.alterTable('invoices', (t) => {
    t.uuid('customer_id').notNullable().references('id').inTable('customers');
    t.index(['tenant_id', 'customer_id']);
  });
}
export async function down(knex: Knex) {
  await knex.schema.alterTable('invoices', (t) => { t.dropColumn('customer_id'); });
}
`, '/project/migrations/002_customer.ts'),
        projectFile: 'migrations/002_customer.ts',
      },
    ]);
    const invoices = tableNamed(result.tables, 'invoices');
    expect(column(invoices, 'customer_id')).toMatchObject({ nullable: false, location: { file: 'migrations/002_customer.ts', line: 4 } });
    expect(relation(invoices, 'customer_id').target).toBe('customers');
    expect(invoices.indexes).toEqual([['tenant_id', 'id'], ['tenant_id', 'customer_id']]);
    expect(result.sources).toEqual([{ kind: 'knex', files: ['migrations/001_init.ts'] }]);
  });
});
