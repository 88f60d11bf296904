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
    `    .createTable('invoice_lines', function (table) {`,
    `      table.increments()`,
    `      table.integer('invoice_id').unsigned().notNullable().references('id').inTable('invoices').onDelete('CASCADE')`,
    `      table.integer('amount')`,
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
    `  static async count(query: Query = (qb) => qb, db: Database = App.main.db): Promise<number> {`,
    `    const [row] = await query(this.table(db)).count('* as C')`,
    `    return Number(row?.C ?? 0)`,
    `  }`,
    `  static async exists(query: Query = (qb) => qb, db: Database = App.main.db): Promise<boolean> {`,
    `    return (await this.count((qb) => query(qb).limit(1), db)) > 0`,
    `  }`,
    `  static async insert(data: Record<string, unknown>, db?: Database): Promise<number>`,
    `  static async insert(data: Record<string, unknown>[], db?: Database): Promise<number[]>`,
    `  static async insert(data: any, db: Database = App.main.db): Promise<any> {`,
    `    const ids = await this.table(db).insert(data)`,
    `    return Array.isArray(data) ? ids : ids[0]`,
    `  }`,
    `  static async insertAndFetch(data: Record<string, unknown>, db: Database = App.main.db) {`,
    `    const id = await this.insert(data, db)`,
    `    return this.find(id, (b) => b, db)`,
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
  'src/invoices/InvoiceLine.ts': [
    `import Model from '../core/Model'`,
    `export default class InvoiceLine extends Model {`,
    `  static tableName = 'invoice_lines'`,
    `  invoice_id!: number`,
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
  `import InvoiceLine from './InvoiceLine'`,
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
  `export const hasOpenInvoice = (workspaceId: number) =>`,
  `  Invoice.exists((qb) => qb.where('workspace_id', workspaceId).where('status', 'open'))`,
  `export const anyOpenInvoice = () =>`,
  `  Invoice.exists((qb) => qb.where('status', 'open'))`,
  `export const linesOf = (workspaceId: number, invoiceId: number) =>`,
  `  InvoiceLine.all((qb) => qb.join('invoices', 'invoice_lines.invoice_id', 'invoices.id').where('workspace_id', workspaceId).where('invoice_id', invoiceId))`,
  `export const anyLines = (invoiceId: number) =>`,
  `  InvoiceLine.all((qb) => qb.join('invoices', 'invoice_lines.invoice_id', 'invoices.id').where('invoice_id', invoiceId))`,
  `export const createInvoice = (workspaceId: number) =>`,
  `  Invoice.insertAndFetch({ workspace_id: workspaceId, status: 'draft' })`,
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
  `invoices.get('/k', async (req, res) => { res.json(await service.hasOpenInvoice(req.user.workspaceId)) })`,
  `invoices.get('/l', async (req, res) => { res.json(await service.anyOpenInvoice()) })`,
  `invoices.get('/m/:id', async (req, res) => { res.json(await service.linesOf(req.user.workspaceId, Number(req.params.id))) })`,
  `invoices.get('/n/:id', async (req, res) => { res.json(await service.anyLines(Number(req.params.id))) })`,
  `invoices.post('/o', async (req, res) => { res.json(await service.createInvoice(req.user.workspaceId)) })`,
  '',
].join('\n');

describe('Knex: static model methods of a project base class (parcelvoy)', () => {
  it('`Invoice.find(id, qb => ...)`, `Invoice.query().where(...)`, `update`, `deleteById`, `exists`, a join in the callback: each a query of the subclass\'s table, the unscoped twins errors', async () => {
    const dir = makeProject({ ...BASE, 'src/invoices/service.ts': SERVICE, 'src/invoices/routes.ts': ROUTES });
    const result = await scan({ path: dir });
    expect(filterSites(result)).toEqual([
      'src/invoices/service.ts:11 error',
      'src/invoices/service.ts:15 error',
      'src/invoices/service.ts:19 error',
      'src/invoices/service.ts:26 error',
      'src/invoices/service.ts:30 error',
      'src/invoices/service.ts:7 error',
    ]);
    // Six scoped, six unscoped, two inserts, and `this.all(...)` inside `forWorkspace` (scoped); the
    // call of `forWorkspace` itself is not a second query, and the base class's own calls are none.
    // `exists` passes its callback on to `count` inside an arrow; `insertAndFetch` is an insert (its
    // `insert` has overload signatures), and a callback's join to the parent scopes a child table.
    expect(result.coverage).toMatchObject({ seen: 15, analysed: 15, unscoped: 6, notTraced: 0 });
    const evidence = result.findings.find((f) => f.ruleId === 'require-tenant-filter' && f.line === 7)?.evidence ?? '';
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
