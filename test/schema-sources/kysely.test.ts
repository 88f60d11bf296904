import { describe, expect, it } from 'vitest';
import { readKysely } from '../../src/schema/kysely.js';
import { readTsSchemaSources } from '../../src/schema/ts-sources.js';
import { buildTenantSchema } from '../../src/schema/infer.js';
import { column, nullability, relation, tableNamed, unitOf } from './helpers.js';

const FILE = 'src/migrations/2024_01_01_init.ts';

function read(text: string) {
  return readKysely(unitOf(text, `/project/${FILE}`), FILE);
}

const INIT = `import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql\`gen_random_uuid()\`))
    .addColumn('name', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('invoices')
    .ifNotExists()
    .addColumn('id', 'uuid', (col) => col.defaultTo(sql\`gen_random_uuid()\`))
    .addColumn('tenant_id', 'uuid', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('number', 'serial')
    .addColumn('memo', 'text')
    .addColumn('tags', sql\`text[]\`)
    .addColumn('reviewer_tenant_id', 'uuid', (col) => col.references('public.tenants.id'))
    .addPrimaryKeyConstraint('invoices_pk', ['tenant_id', 'id'])
    .addUniqueConstraint('invoices_tenant_number_uq', ['tenant_id', 'number'])
    .execute();

  await db.schema
    .createTable('invoice_lines')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('invoice_id', 'uuid', (col) => col.notNull())
    .addColumn('sku', 'varchar(64)', (col) => col.unique())
    .addForeignKeyConstraint('invoice_lines_invoice_fk', ['invoice_id'], 'invoices', ['id'], (cb) => cb.onDelete('cascade'))
    .execute();

  await db.schema.createIndex('invoices_tenant_created_idx').on('invoices').columns(['tenant_id', 'memo desc']).execute();
  await db.schema.createIndex('invoice_lines_invoice_idx').on('invoice_lines').column('invoice_id').execute();
  await db.schema.createIndex('invoices_number_uq').on('invoices').column('number').unique().execute();
  await sql\`ALTER TABLE invoices ENABLE ROW LEVEL SECURITY\`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('invoice_lines').execute();
  await db.schema.dropTable('invoices').execute();
  await db.schema.createTable('leftovers').addColumn('id', 'uuid').execute();
}
`;

describe('Kysely createTable', () => {
  it('names tables by their SQL name, located at the name passed to createTable, and skips down()', () => {
    const tables = read(INIT);
    expect(tables.map((t) => t.name)).toEqual(['tenants', 'invoices', 'invoice_lines']);
    const invoices = tableNamed(tables, 'invoices');
    expect(invoices.dbName).toBe('invoices');
    expect(invoices.source).toBe('kysely');
    // `    .createTable('invoices')`: the string starts at column 18 of line 11.
    expect(invoices.location).toEqual({ file: FILE, line: 11, column: 18, endLine: 11, endColumn: 28 });
  });

  it('keys columns by SQL name with their types, and locates them at the addColumn name', () => {
    const invoices = tableNamed(read(INIT), 'invoices');
    expect([...invoices.columns.keys()]).toEqual(['id', 'tenant_id', 'number', 'memo', 'tags', 'reviewer_tenant_id']);
    expect(column(invoices, 'tenant_id')).toMatchObject({ dbName: 'tenant_id', type: 'uuid', isList: false });
    expect(column(invoices, 'tags')).toMatchObject({ type: 'text[]', isList: true });
    expect(column(invoices, 'tenant_id').location).toMatchObject({ file: FILE, line: 14, column: 16 });
  });

  it('makes columns nullable unless notNull, primaryKey (column or constraint) or serial', () => {
    const tables = read(INIT);
    expect(nullability(tableNamed(tables, 'tenants'))).toEqual({ id: false, name: false });
    expect(nullability(tableNamed(tables, 'invoices'))).toEqual({
      id: false, // in the composite primary key constraint
      tenant_id: false,
      number: false,
      memo: true,
      tags: true,
      reviewer_tenant_id: true,
    });
  });

  it('reads primary keys, unique columns, unique constraints and indexes', () => {
    const tables = read(INIT);
    expect(tableNamed(tables, 'tenants').primaryKey).toEqual(['id']);
    const invoices = tableNamed(tables, 'invoices');
    expect(invoices.primaryKey).toEqual(['tenant_id', 'id']);
    expect(invoices.uniques).toEqual([
      { fields: ['tenant_id', 'number'], name: 'invoices_tenant_number_uq' },
      { fields: ['number'], name: 'invoices_number_uq' },
    ]);
    expect(invoices.indexes).toEqual([['tenant_id', 'memo']]);
    const lines = tableNamed(tables, 'invoice_lines');
    expect(lines.uniques).toEqual([{ fields: ['sku'], name: 'sku' }]);
    expect(lines.indexes).toEqual([['invoice_id']]);
  });

  it('reads foreign keys from references() and addForeignKeyConstraint as relations keyed by column', () => {
    const tables = read(INIT);
    const invoices = tableNamed(tables, 'invoices');
    expect(relation(invoices, 'tenant_id')).toEqual({ name: 'tenant_id', target: 'tenants', fields: ['tenant_id'], references: ['id'], required: true, isList: false });
    expect(relation(invoices, 'reviewer_tenant_id')).toMatchObject({ target: 'tenants', required: false });
    expect(relation(tableNamed(tables, 'invoice_lines'), 'invoice_id')).toEqual({
      name: 'invoice_id',
      target: 'invoices',
      fields: ['invoice_id'],
      references: ['id'],
      required: true,
      isList: false,
    });
  });

  it('reads nothing from a file that does not import kysely, or from a Knex createTable', () => {
    expect(read(INIT.replace(`from 'kysely'`, `from './kysely-ish'`))).toEqual([]);
    expect(read(`import { Kysely } from 'kysely';\nexport const up = (knex: any) => knex.schema.createTable('invoices', (t: any) => { t.uuid('id'); });`)).toEqual([]);
  });
});

describe('Kysely alterTable across migration files', () => {
  const files = {
    [FILE]: INIT,
    'src/migrations/2024_02_01_customers.ts': `import type { Kysely } from 'kysely';
export async function up(db: Kysely<unknown>) {
  await db.schema.alterTable('invoices').addColumn('customer_id', 'uuid', (col) => col.references('customers.id')).execute();
  await db.schema.alterTable('invoices').alterColumn('customer_id', (col) => col.setNotNull()).execute();
  await db.schema.alterTable('invoices').renameColumn('memo', 'note').dropColumn('tags').execute();
  await db.schema.alterTable('invoice_lines').dropConstraint('invoice_lines_invoice_fk').execute();
  await db.schema.createTable('customers')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('tenant_id', 'uuid', (col) => col.notNull().references('tenants.id'))
    .addColumn('email', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('customers_tenant_idx').on('customers').columns(['tenant_id', 'id']).execute();
}
`,
  };
  const result = readTsSchemaSources(Object.entries(files).map(([projectFile, text]) => ({ unit: unitOf(text, `/project/${projectFile}`), projectFile })));

  it('applies later migrations to tables created in earlier ones', () => {
    const invoices = tableNamed(result.tables, 'invoices');
    expect([...invoices.columns.keys()]).toEqual(['id', 'tenant_id', 'number', 'note', 'reviewer_tenant_id', 'customer_id']);
    expect(column(invoices, 'customer_id').nullable).toBe(false);
    expect(relation(invoices, 'customer_id')).toMatchObject({ target: 'customers', required: true });
    expect(invoices.indexes).toEqual([['tenant_id', 'note']]);
    expect(tableNamed(result.tables, 'invoice_lines').relations.size).toBe(0);
    expect(result.sources).toEqual([{ kind: 'kysely', files: [FILE, 'src/migrations/2024_02_01_customers.ts'] }]);
  });

  it('lets inference find the tenant root and classify tenant and child tables', () => {
    const schema = buildTenantSchema(result.tables, result.sources, result.diagnostics, {});
    expect(schema.root).toBe('tenants');
    expect(schema.tables.get('invoices')).toMatchObject({ class: 'tenant', tenantKeys: ['tenant_id'] });
    expect(schema.tables.get('customers')).toMatchObject({ class: 'tenant', tenantKeys: ['tenant_id'] });
  });
});
