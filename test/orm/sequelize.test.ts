import { RuleTester } from '@typescript-eslint/rule-tester';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import rule from '../../rules/require-tenant-filter.js';
import { onDisk } from '../helpers/on-disk.js';
import { loadProject } from '../../src/project/project.js';
import { runCli, useScratch } from '../helpers/scratch.js';

const ruleTester = new RuleTester();

// Tenant root `companies` (key `companyId`); invoices and api_keys are tenant tables (invoices with
// a `tenant` scope), invoice_lines a child of invoices, notes carry a defaultScope on the tenant.
const files: Record<string, string> = {
  'src/db.ts': `import { Sequelize } from 'sequelize';
export const sequelize = new Sequelize(process.env.DATABASE_URL ?? '');
`,
  'src/models/company.ts': `import { DataTypes, Model } from 'sequelize';
import { sequelize } from '../db';
export class Company extends Model {}
Company.init({ id: { type: DataTypes.UUID, primaryKey: true }, name: DataTypes.STRING }, { sequelize, tableName: 'companies' });
`,
  'src/models/invoice.ts': `import { DataTypes, Model } from 'sequelize';
import { sequelize } from '../db';
export class Invoice extends Model {
  static forCompany(companyId: string) {
    return this.findAll({ where: { companyId } });
  }
}
Invoice.init(
  {
    id: { type: DataTypes.UUID, primaryKey: true },
    companyId: { type: DataTypes.UUID, allowNull: false, references: { model: 'companies', key: 'id' } },
    number: DataTypes.STRING,
    status: DataTypes.STRING,
  },
  {
    sequelize,
    tableName: 'invoices',
    indexes: [{ fields: ['companyId', 'id'] }],
    scopes: {
      tenant: (companyId: string) => ({ where: { companyId } }),
      open: { where: { status: 'open' } },
    },
  },
);
Invoice.addScope('ofCompany', (companyId: string) => ({ where: { companyId } }));
`,
  'src/models/invoice-line.ts': `import { DataTypes } from 'sequelize';
import { sequelize } from '../db';
export const InvoiceLine = sequelize.define(
  'InvoiceLine',
  {
    invoiceId: { type: DataTypes.UUID, allowNull: false, references: { model: 'invoices', key: 'id' } },
    amount: DataTypes.INTEGER,
  },
  { tableName: 'invoice_lines' },
);
`,
  'src/models/api-key.ts': `import { DataTypes, Model } from 'sequelize';
import { sequelize } from '../db';
export class ApiKey extends Model {}
ApiKey.init(
  {
    companyId: { type: DataTypes.UUID, allowNull: false, references: { model: 'companies', key: 'id' } },
    tokenHash: { type: DataTypes.STRING, allowNull: false, unique: true },
  },
  { sequelize, tableName: 'api_keys', indexes: [{ fields: ['companyId'] }] },
);
`,
  'src/models/note.ts': `import { DataTypes, Model } from 'sequelize';
import { sequelize } from '../db';
import { currentCompanyId } from '../context';
export class Note extends Model {}
Note.init(
  {
    companyId: { type: DataTypes.UUID, allowNull: false, references: { model: 'companies', key: 'id' } },
    body: DataTypes.TEXT,
  },
  { sequelize, modelName: 'Note', indexes: [{ fields: ['companyId'] }], defaultScope: { where: { companyId: currentCompanyId() } } },
);
`,
  'src/models/project.ts': `import { Column, ForeignKey, Model, Scopes, Table } from 'sequelize-typescript';
import { Company } from './company';
@Scopes(() => ({ tenant: (companyId: string) => ({ where: { companyId } }) }))
@Table({ tableName: 'projects', indexes: [{ fields: ['companyId', 'id'] }] })
export class Project extends Model {
  @ForeignKey(() => Company) @Column({ allowNull: false }) declare companyId: string;
  @Column declare name: string;
}
`,
  'src/context.ts': `export const currentCompanyId = (): string => 'x';\n`,
  'src/models/index.ts': `import { ApiKey } from './api-key';
import { Company } from './company';
import { Invoice } from './invoice';
import { InvoiceLine } from './invoice-line';
import { Note } from './note';
InvoiceLine.belongsTo(Invoice, { as: 'invoice', foreignKey: 'invoiceId' });
Invoice.hasMany(InvoiceLine, { as: 'lines', foreignKey: 'invoiceId' });
export const db = { Invoice, InvoiceLine, Note };
export { ApiKey, Company, Invoice, InvoiceLine, Note };
`,
};

const head = `import { Op } from 'sequelize';
import { sequelize } from '../db';
import { ApiKey, Company, Invoice, InvoiceLine, Note } from '../models';
`;

/** A file of a throwaway Sequelize project: src/routes/service.ts next to src/models. */
function project(body: string, extra: Record<string, string> = {}): { code: string; filename: string } {
  return onDisk(`${head}${body}`, 'src/routes/service.ts', { ...files, ...extra });
}

/** A project with tenant-lint.config.json. */
function configured(body: string, config: object): { code: string; filename: string } {
  return project(body, { 'tenant-lint.config.json': JSON.stringify(config) });
}

function invalid(body: string, messageId: 'missingTenantFilter' | 'orBypassesTenantFilter', more: object = {}) {
  return { ...project(body), errors: [{ messageId, ...more }] };
}

ruleTester.run('require-tenant-filter (sequelize)', rule, {
  valid: [
    // the tenant key in `where`, with the id, on reads, updates and deletes
    project(`export const a = (companyId: string) => Invoice.findAll({ where: { companyId }, order: [['number', 'DESC']] });`),
    project(`export const b = (companyId: string, id: string) => Invoice.findOne({ where: { id, companyId } });`),
    project(`export const c = (companyId: string, id: string) => Invoice.update({ status: 'void' }, { where: { id, companyId } });`),
    project(`export const d = (companyId: string, id: string) => Invoice.destroy({ where: { id, companyId } });`),
    project(`export const e = (companyId: string) => Promise.all([Invoice.count({ where: { companyId } }), Invoice.sum('number', { where: { companyId } }), Invoice.findAndCountAll({ where: { companyId }, limit: 20 })]);`),
    // [Op.and] holding the tenant key; [Op.or] next to it, or with it in every branch
    project(`export const f = (companyId: string) => Invoice.findAll({ where: { [Op.and]: [{ companyId }, { status: 'open' }] } });`),
    project(`export const g = (companyId: string, q: string) => Invoice.findAll({ where: { companyId, [Op.or]: [{ number: q }, { status: q }] } });`),
    project(`export const h = (companyId: string, q: string) => Invoice.findAll({ where: { [Op.or]: [{ companyId, number: q }, { companyId, status: q }] } });`),
    // Op.in / Op.eq pin the tenant; Sequelize.Op and legacy `$or` keys are read too
    project(`export const i = (companyIds: string[]) => Invoice.findAll({ where: { companyId: { [Op.in]: companyIds } } });`),
    project(`import { Sequelize } from 'sequelize';\nexport const j = (companyId: string, q: string) => Invoice.findAll({ where: { companyId: { [Sequelize.Op.eq]: companyId }, [Sequelize.Op.or]: [{ number: q }, { status: q }] } });`),
    project(`export const k = (companyId: string, q: string) => Invoice.findAll({ where: { $or: [{ companyId, number: q }, { companyId, status: q }] } });`),
    // inserts carry their tenant in the values (mass assignment is another rule's business)
    project(`export const l = (companyId: string) => Invoice.create({ companyId, number: 'F-1', status: 'open' });`),
    project(`export const m = (companyId: string) => Invoice.bulkCreate([{ companyId, number: 'F-1' }, { companyId, number: 'F-2' }]);`),
    // findByPk followed by an ownership guard before the row is used
    project(`export async function n(companyId: string, id: string) {\n  const invoice = await Invoice.findByPk(id);\n  if (!invoice || invoice.companyId !== companyId) throw new Error('not found');\n  return invoice;\n}`),
    // a credential lookup by a unique hash; the tenant root itself
    project(`export const o = (tokenHash: string) => ApiKey.findOne({ where: { tokenHash } });`),
    project(`export const p = (id: string) => Company.findByPk(id);`),
    // a child table through a required include of its parent with the tenant key
    project(`export const q = (companyId: string, invoiceId: string) => InvoiceLine.findAll({ where: { invoiceId }, include: [{ model: Invoice, where: { companyId } }] });`),
    project(`export const r = (companyId: string, id: string) => InvoiceLine.findByPk(id, { include: [{ association: 'invoice', where: { companyId }, required: true }] });`),
    // named scopes that add the tenant key: `scopes` option and `addScope`
    project(`export const s = (companyId: string, id: string) => Invoice.scope({ method: ['tenant', companyId] }).findByPk(id);`),
    project(`export const t = (companyId: string, id: string) => Invoice.scope('open', { method: ['ofCompany', companyId] }).destroy({ where: { id } });`),
    // a defaultScope on the tenant key
    project(`export const u = () => Note.findAll();`),
    // transactions
    project(`export const v = (companyId: string, id: string) => sequelize.transaction(async (t) => Invoice.update({ status: 'paid' }, { where: { id, companyId }, transaction: t }));`),
    // models reached through the models object, sequelize.models, and a typed injected model
    project(`import { db } from '../models';\nexport const w = (companyId: string) => db.Invoice.findAll({ where: { companyId } });`),
    project(`export const x = (companyId: string) => sequelize.models.Invoice.findAll({ where: { companyId } });`),
    project(`export class InvoiceService {\n  constructor(private readonly invoices: typeof Invoice) {}\n  list(companyId: string) { return this.invoices.findAll({ where: { companyId } }); }\n}`),
    // a row's own update/destroy is not a query site; the load that found it is scoped
    project(`export async function y(companyId: string, id: string) {\n  const invoice = await Invoice.findOne({ where: { id, companyId } });\n  await invoice?.update({ status: 'void' });\n  await invoice?.destroy();\n}`),
    // verified, then written by its id
    project(`export async function z(companyId: string, id: string) {\n  const invoice = await Invoice.findOne({ where: { id, companyId } });\n  if (!invoice) throw new Error('not found');\n  await Invoice.update({ status: 'void' }, { where: { id } });\n}`),
    // a where handed in from outside cannot be followed: counted as not analysable, not reported
    project(`import type { WhereOptions } from 'sequelize';\nexport const aa = (where: WhereOptions) => Invoice.findAll({ where });`),
    // configured filter helpers, passed as where or spread into it
    configured(`import { tenantWhere } from '../tenancy';\nexport const ab = (req: { companyId: string }, id: string) => Invoice.findOne({ where: { ...tenantWhere(req), id } });\nexport const ac = (req: { companyId: string }) => Invoice.findAll({ where: tenantWhere(req) });`, { filterHelpers: ['tenantWhere'] }),
    // a configured scoped-client factory returning the models
    configured(`import { forTenant } from '../tenancy';\nexport const ad = (companyId: string, id: string) => forTenant(companyId).Invoice.findByPk(id);`, { scopedClientFactories: ['forTenant'] }),
    // schema per tenant
    project(`export const ae = (companyId: string) => Invoice.schema(\`tenant_\${companyId}\`).findAll();`),
    // sequelize-typescript: a `@Scopes` scope with the tenant key, and `and(...)` from Sequelize
    project(`import { Project } from '../models/project';\nexport const ag = (companyId: string) => Project.scope({ method: ['tenant', companyId] }).findAll();`),
    project(`import { Sequelize } from 'sequelize';\nexport const ah = (companyId: string, q: string) => Invoice.findAll({ where: Sequelize.and({ companyId }, Sequelize.or({ number: q }, { status: q })) });`),
    // not a model: an object with a findAll method
    project(`const store = { findAll: (_: unknown) => [] };\nexport const af = () => store.findAll({});`),
  ],
  invalid: [
    // no options at all, and findByPk by its key alone (message and Sequelize fix)
    invalid(`export const a = () => Invoice.findAll();`, 'missingTenantFilter', { line: 4, column: 24, endColumn: 39 }),
    invalid(`export const b = (id: string) => Invoice.findByPk(id);`, 'missingTenantFilter'),
    // by id only, on reads, updates and deletes
    invalid(`export const c = (id: string) => Invoice.findOne({ where: { id } });`, 'missingTenantFilter'),
    invalid(`export const d = (id: string) => Invoice.update({ status: 'void' }, { where: { id } });`, 'missingTenantFilter'),
    invalid(`export const e = (id: string) => Invoice.destroy({ where: { id } });`, 'missingTenantFilter'),
    invalid(`export const f = () => Invoice.count();`, 'missingTenantFilter'),
    invalid(`export const g = (id: string) => Invoice.restore({ where: { id } });`, 'missingTenantFilter'),
    invalid(`export const h = () => Invoice.destroy({ truncate: true });`, 'missingTenantFilter'),
    // an [Op.or] / $or branch without the tenant key
    invalid(`export const i = (companyId: string, q: string) => Invoice.findAll({ where: { [Op.or]: [{ companyId }, { number: q }] } });`, 'orBypassesTenantFilter'),
    invalid(`export const j = (companyId: string, q: string) => Invoice.findAll({ where: { $or: [{ companyId }, { number: q }] } });`, 'orBypassesTenantFilter'),
    invalid(`export const k = (companyId: string, q: string) => Invoice.update({ status: q }, { where: { status: 'open', [Op.and]: [{ [Op.or]: [{ companyId }, { id: q }] }] } });`, 'orBypassesTenantFilter'),
    // the tenant key compared with Op.ne, or undefined
    invalid(`export const l = (companyId: string) => Invoice.findAll({ where: { companyId: { [Op.ne]: companyId } } });`, 'missingTenantFilter'),
    invalid(`export const m = () => Invoice.findAll({ where: { companyId: undefined } });`, 'missingTenantFilter'),
    // a scope that does not add the tenant, and `.unscoped()` dropping the default scope
    invalid(`export const n = () => Invoice.scope('open').findAll();`, 'missingTenantFilter'),
    invalid(`export const o = (id: string) => Note.unscoped().destroy({ where: { id } });`, 'missingTenantFilter'),
    // a child table by its parent's id from the request, or with a non-required include
    invalid(`export const p = (invoiceId: string) => InvoiceLine.findAll({ where: { invoiceId } });`, 'missingTenantFilter'),
    invalid(`export const q = (companyId: string, invoiceId: string) => InvoiceLine.findAll({ where: { invoiceId }, include: [{ model: Invoice, where: { companyId }, required: false }] });`, 'missingTenantFilter'),
    // inside a transaction, through the models object, sequelize.models and an injected model
    invalid(`export const r = (id: string) => sequelize.transaction(async (t) => { await Invoice.destroy({ where: { id }, transaction: t }); });`, 'missingTenantFilter'),
    invalid(`import { db } from '../models';\nexport const s = (id: string) => db.Invoice.findByPk(id);`, 'missingTenantFilter'),
    invalid(`export const t = (id: string) => sequelize.models.Invoice.destroy({ where: { id } });`, 'missingTenantFilter'),
    invalid(`export class InvoiceService {\n  constructor(private readonly invoices: typeof Invoice) {}\n  remove(id: string) { return this.invoices.destroy({ where: { id } }); }\n}`, 'missingTenantFilter'),
    // sequelize-typescript model without its scope; `or(...)` with a branch without the tenant key
    invalid(`import { Project } from '../models/project';\nexport const v = (id: string) => Project.findByPk(id);`, 'missingTenantFilter'),
    invalid(`import { Sequelize } from 'sequelize';\nexport const w = (companyId: string, q: string) => Invoice.findAll({ where: Sequelize.or({ companyId }, { number: q }) });`, 'orBypassesTenantFilter'),
    // a constant schema is not per tenant
    invalid(`export const u = () => Invoice.schema('archive').findAll();`, 'missingTenantFilter'),
  ],
});

/** What the scanner says about one file of the throwaway project: findings of this rule and what it could not analyse. */
async function scan(body: string): Promise<{ findings: string[]; unknown: string[]; text: string[] }> {
  const { filename } = project(body);
  const root = dirname(dirname(dirname(filename)));
  const run = await runCli(['scan', root, '--format', 'json']);
  const report = JSON.parse(run.stdout) as {
    findings: { ruleId: string; file: string; messageId: string; message: string; help: string }[];
    unknown: { file: string; reason: string }[];
  };
  const here = (file: string) => file === 'src/routes/service.ts';
  const findings = report.findings.filter((f) => f.ruleId === 'require-tenant-filter' && here(f.file));
  return {
    findings: findings.map((f) => f.messageId),
    unknown: report.unknown.filter((u) => here(u.file)).map((u) => u.reason),
    text: findings.map((f) => `${f.message} Fix: ${f.help}`),
  };
}

describe('require-tenant-filter (sequelize): wording in Sequelize syntax', () => {
  it('findByPk: by its key alone, fixed with findOne and the tenant key', async () => {
    expect((await scan(`export const b = (id: string) => Invoice.findByPk(id);`)).text).toEqual([
      '`Invoice.findByPk` reads tenant-scoped model `invoices` (by `id` alone) without a tenant filter. Fix: Use `findOne({ where: { id, companyId } })` instead of `findByPk`, or run it through a tenant-scoped client.',
    ]);
  });
  it('a missing key, and an [Op.or] branch without it', async () => {
    const { text } = await scan(`export const c = (id: string) => Invoice.findOne({ where: { id } });\nexport const i = (companyId: string, q: string) => Invoice.findAll({ where: { [Op.or]: [{ companyId }, { number: q }] } });`);
    expect(text).toEqual([
      '`Invoice.findOne` reads tenant-scoped model `invoices` (by `id` alone) without a tenant filter. Fix: Add `companyId` to `where` (`where: { ..., companyId }`), or run it through a tenant-scoped client.',
      '`Invoice.findAll`: an `OR` branch without the tenant key defeats the tenant filter on `invoices`. Fix: Move `companyId` out of `[Op.or]` to the top level of `where` (`where: { companyId, [Op.or]: [...] }`), or add it to every branch.',
    ]);
  });
  it('a child table: a required include of the parent for reads, the parent loaded first for writes', async () => {
    const { text } = await scan(`export const p = (invoiceId: string) => InvoiceLine.findAll({ where: { invoiceId } });\nexport const d = (invoiceId: string) => InvoiceLine.destroy({ where: { invoiceId } });`);
    expect(text).toEqual([
      '`InvoiceLine.findAll` reads tenant-scoped model `invoice_lines` (by `invoiceId` alone) without a tenant filter. Fix: Include the parent it inherits tenancy from, constrained to the tenant (`include: [{ model: Invoice, where: { companyId }, required: true }]`), or run it through a tenant-scoped client.',
      '`InvoiceLine.destroy` deletes tenant-scoped model `invoice_lines` (by `invoiceId` alone) without a tenant filter. Fix: Load the parent with the tenant key first (`const parent = await Invoice.findOne({ where: { id: invoiceId, companyId } })`, stop when it is missing), then filter by its id (`where: { invoiceId: parent.id }`), or run it through a tenant-scoped client.',
    ]);
  });
});

describe('require-tenant-filter (sequelize): safe forms are decided, not merely unanalysable', () => {
  it('scopes, includes, helpers, Op symbols and Sequelize.and leave nothing unanalysed', async () => {
    const body = [
      `import { Sequelize } from 'sequelize';`,
      `import { Project } from '../models/project';`,
      `export const a = (companyId: string) => Project.scope({ method: ['tenant', companyId] }).findAll();`,
      `export const b = (companyId: string, q: string) => Invoice.findAll({ where: Sequelize.and({ companyId }, Sequelize.or({ number: q }, { status: q })) });`,
      `export const c = (companyId: string, q: string) => Invoice.findAll({ where: { [Sequelize.Op.or]: [{ companyId, number: q }, { companyId: { [Op.eq]: companyId } }] } });`,
      `export const d = (companyId: string, id: string) => InvoiceLine.findByPk(id, { include: [{ model: Invoice, where: { companyId } }] });`,
      `export const e = (companyId: string, id: string) => Invoice.scope('open', { method: ['ofCompany', companyId] }).destroy({ where: { id } });`,
      `export const f = () => Note.findAll();`,
      `export const g = (companyId: string) => sequelize.models.Invoice.count({ where: { companyId } });`,
    ].join('\n');
    expect(await scan(body)).toMatchObject({ findings: [], unknown: [] });
  });
});

describe('require-tenant-filter (sequelize): not analysable, never reported', () => {
  it('a `where` handed in as a parameter', async () => {
    expect(await scan(`import type { WhereOptions } from 'sequelize';\nexport const a = (where: WhereOptions) => Invoice.findAll({ where });`)).toMatchObject({ findings: [], unknown: ['Invoice.findAll: the filter `where` is a parameter'] });
  });
  it('options from a parameter, and options spread from an object', async () => {
    expect(await scan(`import type { FindOptions } from 'sequelize';\nexport const a = (options: FindOptions) => Invoice.findAll(options);\nexport const b = (options: FindOptions) => Invoice.findAll({ ...options, limit: 10 });`)).toMatchObject({
      findings: [],
      unknown: ['Invoice.findAll: the options `options` cannot be followed', 'Invoice.findAll: the options are spread from an object that may hold `where`'],
    });
  });
  it('a scoped read, then a write by the same id, is silent; without the read it is a finding', async () => {
    const write = `await Invoice.update({ status: 'void' }, { where: { id } });`;
    expect(await scan(`export async function a(companyId: string, id: string) {\n  const invoice = await Invoice.findOne({ where: { id, companyId } });\n  if (!invoice) throw new Error('not found');\n  ${write}\n}`)).toMatchObject({ findings: [], unknown: [] });
    expect(await scan(`export async function a(id: string) {\n  ${write}\n}`)).toMatchObject({ findings: ['missingTenantFilter'], unknown: [] });
  });
});

// Attribute names in code, column names in the database: `underscored: true` and `field:` map one to the other.
describe('sequelize: attribute names vs column names', () => {
  const { makeProject } = useScratch();
  const mapped: Record<string, string> = {
    'package.json': '{"name":"mapped","dependencies":{"sequelize":"^6.37.0"}}',
    'migrations/0001_init.sql': `CREATE TABLE tenants (id uuid PRIMARY KEY);
CREATE TABLE documents (id uuid PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants(id), title text NOT NULL);
CREATE INDEX documents_tenant_idx ON documents (tenant_id, id);
CREATE TABLE folders (id uuid PRIMARY KEY, owner_tenant uuid NOT NULL REFERENCES tenants(id), name text NOT NULL);
CREATE INDEX folders_tenant_idx ON folders (owner_tenant, id);
`,
    'src/db.ts': `import { Sequelize } from 'sequelize';\nexport const sequelize = new Sequelize(process.env.DATABASE_URL ?? '');\n`,
    'src/models.ts': `import { DataTypes, Model } from 'sequelize';
import { sequelize } from './db';
export class Tenant extends Model {}
Tenant.init({ id: { type: DataTypes.UUID, primaryKey: true } }, { sequelize, tableName: 'tenants' });
export class Document extends Model {}
Document.init(
  {
    id: { type: DataTypes.UUID, primaryKey: true },
    tenantId: { type: DataTypes.UUID, allowNull: false, references: { model: 'tenants', key: 'id' } },
    title: { type: DataTypes.STRING, allowNull: false },
  },
  { sequelize, tableName: 'documents', underscored: true, indexes: [{ fields: ['tenantId', 'id'] }] },
);
export class Folder extends Model {}
Folder.init(
  {
    id: { type: DataTypes.UUID, primaryKey: true },
    tenantId: { type: DataTypes.UUID, allowNull: false, field: 'owner_tenant', references: { model: 'tenants', key: 'id' } },
    name: { type: DataTypes.STRING, allowNull: false },
  },
  { sequelize, tableName: 'folders', indexes: [{ fields: ['tenantId', 'id'] }] },
);
`,
  };

  async function scanMapped(body: string): Promise<{ findings: { ruleId: string; messageId: string; message: string; help: string; file: string }[] }> {
    const root = makeProject({ ...mapped, 'src/service.ts': `import { Document, Folder } from './models';\n${body}\n` });
    const run = await runCli(['scan', root, '--format', 'json']);
    return JSON.parse(run.stdout);
  }

  it('the model and the migrations are one table each, keyed by the attribute with the column name from underscored / field', () => {
    const root = makeProject(mapped);
    const { schema } = loadProject(root);
    const documents = schema.tables.get('documents');
    const folders = schema.tables.get('folders');
    expect(documents?.tenantKeys).toEqual(['tenantId']);
    expect(documents?.columns.get('tenantId')?.dbName).toBe('tenant_id');
    expect(folders?.tenantKeys).toEqual(['tenantId']);
    expect(folders?.columns.get('tenantId')?.dbName).toBe('owner_tenant');
    expect([...schema.tables.keys()].sort()).toEqual(['documents', 'folders', 'tenants']);
  });

  it('a filter on tenantId scopes the tenant_id and owner_tenant columns; the schema rules see NOT NULL, indexed keys', async () => {
    const { findings } = await scanMapped(
      `export const a = (tenantId: string) => Document.findAll({ where: { tenantId } });\nexport const b = (tenantId: string, id: string) => Folder.findOne({ where: { id, tenantId } });`,
    );
    expect(findings).toEqual([]);
  });

  it('a filter without it is reported, and the fix names the attribute, not the column', async () => {
    const { findings } = await scanMapped(`export const a = (title: string) => Document.findAll({ where: { title } });\nexport const b = (id: string) => Folder.findOne({ where: { id } });`);
    expect(findings.map((f) => `${f.file} ${f.ruleId}/${f.messageId}`)).toEqual(['src/service.ts require-tenant-filter/missingTenantFilter', 'src/service.ts require-tenant-filter/missingTenantFilter']);
    for (const f of findings) {
      expect(f.help).toContain('tenantId');
      expect(f.help).not.toMatch(/tenant_id|owner_tenant/);
    }
  });
});
