// Coverage, session 18 (issue 16; parcelvoy's data layer): a project base class whose static
// methods run Knex on `db(this.tableName)` (`static query(db = main.db) { return db(this.tableName) }`,
// `static async find(id, query = (qb) => qb) { ... }`), one subclass per table naming it with
// `static tableName = 'x'` or by its class name (`get tableName() { return plural(snake(this.name)) }`).
// `Invoice.query().where(...)` is a Knex chain on the subclass's table; `Invoice.find(id, (qb) =>
// qb.where(...))` is a query of the subclass's table whose conditions are the callback's. Each shape
// beside its twin: the callback that pins the tenant beside one that does not, or none at all.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';

const { makeProject } = useScratch();

type Result = Awaited<ReturnType<typeof scan>>;

function filterSites(result: Result): string[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`).sort();
}

const BASE = {
  'package.json': JSON.stringify({ dependencies: { express: '^5.1.0', knex: '^3.1.0', mysql2: '^3' } }),
  'db/migrations/20240101000000_init.js': [
    `exports.up = function (knex) {`,
    `  return knex.schema`,
    `    .createTable('workspaces', function (table) {`,
    `      table.increments()`,
    `      table.string('name', 255)`,
    `    })`,
    `    .createTable('invoices', function (table) {`,
    `      table.increments()`,
    `      table.integer('workspace_id').unsigned().notNullable().references('id').inTable('workspaces').onDelete('CASCADE')`,
    `      table.string('status', 32)`,
    `      table.index(['workspace_id', 'id'])`,
    `    })`,
    `    .createTable('invoice_notes', function (table) {`,
    `      table.increments()`,
    `      table.integer('workspace_id').unsigned().notNullable().references('id').inTable('workspaces').onDelete('CASCADE')`,
    `      table.string('body', 2048)`,
    `      table.index(['workspace_id', 'id'])`,
    `    })`,
    `}`,
    `exports.down = function () {}`,
    '',
  ].join('\n'),
  'src/config/database.ts': [
    `import knex, { Knex as Database } from 'knex'`,
    `export { Database }`,
    `export type Query = (builder: Database.QueryBuilder<any>) => Database.QueryBuilder<any>`,
    `export const connect = () => knex({ client: 'mysql2', connection: process.env.DATABASE_URL })`,
    '',
  ].join('\n'),
  'src/app.ts': [
    `import { connect, Database } from './config/database'`,
    `export default class App {`,
    `  static main: App`,
    `  constructor(public db: Database = connect()) {}`,
    `}`,
    '',
  ].join('\n'),
  'src/core/Model.ts': [
    `import App from '../app'`,
    `import { Database, Query } from '../config/database'`,
    `const snake = (s: string) => s.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()`,
    `const plural = (s: string) => s + 's'`,
    `export default class Model {`,
    `  id!: number`,
    `  static fromJson<T extends typeof Model>(this: T, json: any): InstanceType<T> { return Object.assign(new this(), json) as InstanceType<T> }`,
    `  static get tableName(): string { return plural(snake(this.name)) }`,
    `  static table(db: Database = App.main.db): Database.QueryBuilder<any> { return db(this.tableName) }`,
    `  static query<T extends typeof Model>(this: T, db: Database = App.main.db): Database.QueryBuilder<InstanceType<T>> { return this.table(db) }`,
    `  static build(query: Query, db: Database = App.main.db) {`,
    `    const builder = query(this.table(db)) as any`,
    `    return builder`,
    `  }`,
    `  static async find<T extends typeof Model>(this: T, id: number, query: Query = (qb) => qb, db: Database = App.main.db) {`,
    `    const record = await this.build(query, db).where(\`\${this.tableName}.id\`, id).first()`,
    `    return record ? this.fromJson(record) : undefined`,
    `  }`,
    `  static async all<T extends typeof Model>(this: T, query: Query = (qb) => qb, db: Database = App.main.db) {`,
    `    const records = await this.build(query, db)`,
    `    return records.map((r: any) => this.fromJson(r))`,
    `  }`,
    `  static async update(query: Query, data: Record<string, unknown> = {}, db: Database = App.main.db): Promise<number> {`,
    `    return await query(this.table(db)).update(data)`,
    `  }`,
    `  static async deleteById(id: number, query: Query = (qb) => qb, db: Database = App.main.db): Promise<boolean> {`,
    `    const count = await query(this.table(db)).where('id', id).delete()`,
    `    return count > 0`,
    `  }`,
    `  static async insert(data: Record<string, unknown>, db: Database = App.main.db): Promise<number> {`,
    `    const [id] = await this.table(db).insert(data)`,
    `    return id`,
    `  }`,
    `}`,
    '',
  ].join('\n'),
  'src/invoices/Invoice.ts': [
    `import Model from '../core/Model'`,
    `export default class Invoice extends Model {`,
    `  workspace_id!: number`,
    `  status!: string`,
    `}`,
    '',
  ].join('\n'),
  'src/invoices/InvoiceNote.ts': [
    `import Model from '../core/Model'`,
    `export default class InvoiceNote extends Model {`,
    `  static tableName = 'invoice_notes'`,
    `  workspace_id!: number`,
    `  static async forWorkspace(workspaceId: number) {`,
    `    return this.all((qb) => qb.where('workspace_id', workspaceId))`,
    `  }`,
    `}`,
    '',
  ].join('\n'),
};

const SERVICE = [
  `import Invoice from './Invoice'`,
  `import InvoiceNote from './InvoiceNote'`,
  `export const getInvoice = (workspaceId: number, id: number) =>`,
  `  Invoice.find(id, (qb) => qb.where('workspace_id', workspaceId))`,
  `export const getInvoiceAnyWorkspace = (id: number) =>`,
  `  Invoice.find(id)`,
  `export const openInvoices = (workspaceId: number) =>`,
  `  Invoice.query().where('workspace_id', workspaceId).where('status', 'open')`,
  `export const openInvoicesEverywhere = () =>`,
  `  Invoice.query().where('status', 'open')`,
  `export const closeInvoice = (workspaceId: number, id: number) =>`,
  `  Invoice.update((qb) => qb.where('workspace_id', workspaceId).where('id', id), { status: 'closed' })`,
  `export const closeAnyInvoice = (id: number) =>`,
  `  Invoice.update((qb) => qb.where('id', id), { status: 'closed' })`,
  `export const deleteNote = (workspaceId: number, id: number) =>`,
  `  InvoiceNote.deleteById(id, (qb) => qb.where('workspace_id', workspaceId))`,
  `export const deleteAnyNote = (id: number) =>`,
  `  InvoiceNote.deleteById(id)`,
  `export const addNote = (workspaceId: number, body: string) =>`,
  `  InvoiceNote.insert({ workspace_id: workspaceId, body })`,
  `export const notes = (workspaceId: number) => InvoiceNote.forWorkspace(workspaceId)`,
  '',
].join('\n');

/** Every service function reached from a request, the workspace from the session. */
const ROUTES = [
  `import { Router } from 'express'`,
  `import * as service from './service'`,
  `export const invoices = Router()`,
  `invoices.get('/a/:id', async (req, res) => { res.json(await service.getInvoice(req.user.workspaceId, Number(req.params.id))) })`,
  `invoices.get('/b/:id', async (req, res) => { res.json(await service.getInvoiceAnyWorkspace(Number(req.params.id))) })`,
  `invoices.get('/c', async (req, res) => { res.json(await service.openInvoices(req.user.workspaceId)) })`,
  `invoices.get('/d', async (req, res) => { res.json(await service.openInvoicesEverywhere()) })`,
  `invoices.post('/e/:id', async (req, res) => { res.json(await service.closeInvoice(req.user.workspaceId, Number(req.params.id))) })`,
  `invoices.post('/f/:id', async (req, res) => { res.json(await service.closeAnyInvoice(Number(req.params.id))) })`,
  `invoices.delete('/g/:id', async (req, res) => { res.json(await service.deleteNote(req.user.workspaceId, Number(req.params.id))) })`,
  `invoices.delete('/h/:id', async (req, res) => { res.json(await service.deleteAnyNote(Number(req.params.id))) })`,
  `invoices.post('/i', async (req, res) => { res.json(await service.addNote(req.user.workspaceId, String(req.body.text))) })`,
  `invoices.get('/j', async (req, res) => { res.json(await service.notes(req.user.workspaceId)) })`,
  '',
].join('\n');

describe('Knex: static model methods of a project base class (parcelvoy)', () => {
  it('`Invoice.find(id, qb => ...)`, `Invoice.query().where(...)`, `update`, `deleteById`: each a query of the subclass\'s table, the unscoped twins errors', async () => {
    const dir = makeProject({ ...BASE, 'src/invoices/service.ts': SERVICE, 'src/invoices/routes.ts': ROUTES });
    const result = await scan({ path: dir });
    expect(filterSites(result)).toEqual([
      'src/invoices/service.ts:10 error',
      'src/invoices/service.ts:14 error',
      'src/invoices/service.ts:18 error',
      'src/invoices/service.ts:6 error',
    ]);
    // Four scoped, four unscoped, the insert, and `this.all(...)` inside `forWorkspace` (scoped); the
    // call of `forWorkspace` itself is not a second query, and the base class's own calls are none.
    expect(result.coverage).toMatchObject({ seen: 10, analysed: 10, unscoped: 4, notTraced: 0 });
    const evidence = result.findings.find((f) => f.ruleId === 'require-tenant-filter' && f.line === 6)?.evidence ?? '';
    expect(evidence).toContain('`Invoice.find(...)` is given no query callback');
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
  });

  it('twin: a callback the analysis cannot read (a parameter passed on) is not analysable, never scoped', async () => {
    const dir = makeProject({
      ...BASE,
      'src/invoices/service.ts': [
        `import Invoice from './Invoice'`,
        `import type { Query } from '../config/database'`,
        `export const findWith = (id: number, query: Query) => Invoice.find(id, query)`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    // With `this.all(...)` in `InvoiceNote.forWorkspace`, scoped.
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 0, notAnalysable: 1 });
    expect(filterSites(result)).toEqual([]);
  });

  it('the table is what the subclass names: a class named for no table of the schema is not a query of another', async () => {
    const dir = makeProject({
      ...BASE,
      'src/invoices/Draft.ts': [`import Model from '../core/Model'`, `export default class Draft extends Model {}`, ''].join('\n'),
      'src/invoices/service.ts': [`import Draft from './Draft'`, `export const drafts = () => Draft.query().where('status', 'open')`, ''].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(filterSites(result)).toEqual([]);
  });
});
