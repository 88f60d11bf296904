// Coverage, session 19 (issue 16; crowd.dev's data-access layer): a parameter typed with a project
// interface (`qx: QueryExecutor`) whose implementations in the interface's module wrap a SQL client
// (`class PgPromiseQueryExecutor implements QueryExecutor { select(query, params) { return
// this.db.query(formatQuery(query, params)) } }`, a Sequelize twin, a factory returning an object
// literal over a `pg` pool) sends SQL with each method whose implementations hand a parameter to
// that client: `qx.select(text, values)` is a raw-SQL site, read as the client reads it. A static
// method of a project class (`SequelizeRepository.getSequelize(options)`) is followed to what it
// returns. Each shape beside its unscoped twin, in more than one client.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';

const { makeProject } = useScratch();

type Result = Awaited<ReturnType<typeof scan>>;

function filterSites(result: Result): string[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`).sort();
}

const MIGRATION = [
  `CREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL);`,
  `CREATE TABLE members (id uuid PRIMARY KEY, "tenantId" uuid NOT NULL REFERENCES tenants(id), email text);`,
  `CREATE INDEX members_tenant ON members ("tenantId", id);`,
  '',
].join('\n');

const TYPES = [
  `import pgPromise from 'pg-promise'`,
  `export type DbConnection = pgPromise.IDatabase<unknown>`,
  `export type DbTransaction = pgPromise.ITask<unknown>`,
  `export type DbConnOrTx = DbConnection | DbTransaction`,
  '',
].join('\n');

// crowd.dev's services/libs/data-access-layer/src/queryExecutor.ts, reduced.
const EXECUTOR = [
  `import pgp from 'pg-promise'`,
  `import { QueryTypes, Sequelize, Transaction } from 'sequelize'`,
  `import type { DbConnOrTx } from './types'`,
  `export interface QueryExecutor {`,
  `  select(query: string, params?: object): Promise<any>`,
  `  selectOne(query: string, params?: object): Promise<any>`,
  `  result(query: string, params?: object): Promise<number>`,
  `  tx<T>(fn: (tx: QueryExecutor) => Promise<T>): Promise<T>`,
  `}`,
  `export function formatQuery(query: string, params?: object): string {`,
  `  return pgp.as.format(query, params)`,
  `}`,
  `export class SequelizeQueryExecutor implements QueryExecutor {`,
  `  constructor(private readonly sequelize: Sequelize) {}`,
  `  protected prepareOptions(options: any): any { return options }`,
  `  select(query: string, params?: object): Promise<any> {`,
  `    return this.sequelize.query(formatQuery(query, params), this.prepareOptions({ type: QueryTypes.SELECT }))`,
  `  }`,
  `  async selectOne(query: string, params?: object): Promise<any> {`,
  `    const result: any = await this.sequelize.query(formatQuery(query, params), this.prepareOptions({ type: QueryTypes.SELECT }))`,
  `    return result[0]`,
  `  }`,
  `  async result(query: string, params?: object): Promise<number> {`,
  `    const [, result] = await this.sequelize.query(formatQuery(query, params), this.prepareOptions({}))`,
  `    return result as number`,
  `  }`,
  `  async tx<T>(fn: (tx: QueryExecutor) => Promise<T>): Promise<T> {`,
  `    const transaction = await this.sequelize.transaction()`,
  `    return fn(new TransactionalSequelizeQueryExecutor(this.sequelize, transaction))`,
  `  }`,
  `}`,
  `export class TransactionalSequelizeQueryExecutor extends SequelizeQueryExecutor {`,
  `  constructor(sequelize: Sequelize, private readonly transaction: Transaction) { super(sequelize) }`,
  `  protected prepareOptions(options: any): any { return { ...options, transaction: this.transaction } }`,
  `}`,
  `export class PgPromiseQueryExecutor implements QueryExecutor {`,
  `  constructor(private readonly db: DbConnOrTx) {}`,
  `  select(query: string, params?: object): Promise<any> { return this.db.query(formatQuery(query, params)) }`,
  `  selectOne(query: string, params?: object): Promise<any> { return this.db.one(formatQuery(query, params)) }`,
  `  async result(query: string, params?: object): Promise<number> {`,
  `    const result = await this.db.result(formatQuery(query, params))`,
  `    return result.rowCount`,
  `  }`,
  `  tx<T>(fn: (tx: QueryExecutor) => Promise<T>): Promise<T> { return this.db.tx((tx) => fn(new PgPromiseQueryExecutor(tx))) }`,
  `}`,
  `export function pgpQx(db: DbConnOrTx): QueryExecutor {`,
  `  return new PgPromiseQueryExecutor(db)`,
  `}`,
  `export function optionsQx(options: any): QueryExecutor {`,
  `  const seq = options.database.sequelize`,
  `  if (options.transaction) return new TransactionalSequelizeQueryExecutor(seq, options.transaction)`,
  `  return new SequelizeQueryExecutor(seq)`,
  `}`,
  '',
].join('\n');

const MEMBERS = [
  `import type { QueryExecutor } from '../db/queryExecutor'`,
  `export async function byId(qx: QueryExecutor, tenantId: string, id: string) {`,
  `  return qx.selectOne('select * from members where id = $(id) and "tenantId" = $(tenantId)', { id, tenantId })`,
  `}`,
  `export async function byIdAnyTenant(qx: QueryExecutor, id: string) {`,
  `  return qx.selectOne('select * from members where id = $(id)', { id })`,
  `}`,
  `export async function purge(qx: QueryExecutor, tenantId: string) {`,
  `  return qx.tx(async (tx) => {`,
  `    await tx.result('delete from members where "tenantId" = $(tenantId)', { tenantId })`,
  `    return tx.result('delete from members where email is null')`,
  `  })`,
  `}`,
  '',
].join('\n');

const CONNECTION = [
  `import pgPromise from 'pg-promise'`,
  `const pgp = pgPromise({})`,
  `export const db = pgp({ host: process.env.DB_HOST })`,
  '',
].join('\n');

const ROUTES = [
  `import { Router } from 'express'`,
  `import { db } from '../db/connection'`,
  `import { pgpQx } from '../db/queryExecutor'`,
  `import * as members from './members'`,
  `export const router = Router()`,
  `router.get('/a/:id', async (req, res) => { res.json(await members.byId(pgpQx(db), req.user.tenantId, req.params.id)) })`,
  `router.get('/b/:id', async (req, res) => { res.json(await members.byIdAnyTenant(pgpQx(db), req.params.id)) })`,
  `router.delete('/c', async (req, res) => { res.json(await members.purge(pgpQx(db), req.user.tenantId)) })`,
  '',
].join('\n');

const PG_PROMISE_PKG = JSON.stringify({ dependencies: { express: '^5.1.0', 'pg-promise': '^11.5.0', sequelize: '^6.37.0' } });

describe('a parameter typed with a project interface whose implementations send SQL', () => {
  it('`qx.selectOne(text, values)` on `qx: QueryExecutor` (pg-promise and Sequelize classes): analysed, the unscoped twins errors', async () => {
    const dir = makeProject({
      'package.json': PG_PROMISE_PKG,
      'migrations/V1__init.sql': MIGRATION,
      'src/db/types.ts': TYPES,
      'src/db/queryExecutor.ts': EXECUTOR,
      'src/db/connection.ts': CONNECTION,
      'src/members/members.ts': MEMBERS,
      'src/members/routes.ts': ROUTES,
    });
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites).toEqual([]);
    expect(filterSites(result)).toEqual(['src/members/members.ts:11 error', 'src/members/members.ts:6 error']);
    // The executor's own six sends (`this.db.one(formatQuery(query, params))`) are seen too, their text a parameter: not analysable there.
    expect(result.coverage).toMatchObject({ seen: 10, analysed: 10, scoped: 2, unscoped: 2, notAnalysable: 6, notTraced: 0 });
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
  });

  it('twin: the methods of an interface no class of its module implements stay not traced', async () => {
    const dir = makeProject({
      'package.json': PG_PROMISE_PKG,
      'migrations/V1__init.sql': MIGRATION,
      'src/db/types.ts': TYPES,
      // The same interface, its implementations elsewhere (not searched): `qx` is not known to send SQL.
      'src/db/queryExecutor.ts': EXECUTOR.slice(0, EXECUTOR.indexOf('export function formatQuery')),
      'src/members/members.ts': MEMBERS,
    });
    const result = await scan({ path: dir });
    expect(filterSites(result)).toEqual([]);
    expect(result.coverage).toMatchObject({ seen: 4, analysed: 0, notTraced: 4 });
    expect(result.coverage.notTracedSites.map((s) => s.reason)[0]).toMatch(/`selectOne` is a method the type declares, and no implementation of it was found/);
  });

  it('a factory returning an object literal over a `pg` pool (`function pgQx(pool): QueryExecutor { return { select: ... } }`): `$1` with the values array; the unscoped twin errors', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { express: '^5.1.0', pg: '^8.11.0' } }),
      'migrations/V1__init.sql': MIGRATION,
      'src/db/executor.ts': [
        `import { Pool } from 'pg'`,
        `export interface QueryExecutor {`,
        `  select(text: string, values?: unknown[]): Promise<any[]>`,
        `  execute: (text: string, values?: unknown[]) => Promise<number>`,
        `}`,
        `export const pool = new Pool({ connectionString: process.env.DATABASE_URL })`,
        `export function pgQx(client: Pool): QueryExecutor {`,
        `  return {`,
        `    select: async (text, values) => (await client.query(text, values)).rows,`,
        `    async execute(text, values) { return (await client.query(text, values)).rowCount ?? 0 },`,
        `  }`,
        `}`,
        '',
      ].join('\n'),
      'src/members/members.ts': [
        `import type { QueryExecutor } from '../db/executor'`,
        `export const byId = (qx: QueryExecutor, tenantId: string, id: string) =>`,
        `  qx.select('select * from members where id = $1 and "tenantId" = $2', [id, tenantId])`,
        `export const byIdAnyTenant = (qx: QueryExecutor, id: string) =>`,
        `  qx.select('select * from members where id = $1', [id])`,
        `export const clear = (qx: QueryExecutor, tenantId: string) =>`,
        `  qx.execute('update members set email = null where "tenantId" = $1', [tenantId])`,
        `export const clearAll = (qx: QueryExecutor) =>`,
        `  qx.execute('update members set email = null')`,
        '',
      ].join('\n'),
      'src/members/routes.ts': [
        `import { Router } from 'express'`,
        `import { pgQx, pool } from '../db/executor'`,
        `import * as members from './members'`,
        `export const router = Router()`,
        `router.get('/a/:id', async (req, res) => { res.json(await members.byId(pgQx(pool), req.user.tenantId, req.params.id)) })`,
        `router.get('/b/:id', async (req, res) => { res.json(await members.byIdAnyTenant(pgQx(pool), req.params.id)) })`,
        `router.post('/c', async (req, res) => { res.json(await members.clear(pgQx(pool), req.user.tenantId)) })`,
        `router.post('/d', async (req, res) => { res.json(await members.clearAll(pgQx(pool))) })`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites).toEqual([]);
    expect(filterSites(result)).toEqual(['src/members/members.ts:5 error', 'src/members/members.ts:9 error']);
    // The factory's own two sends (`client.query(text, values)`) are seen, their text a parameter.
    expect(result.coverage).toMatchObject({ seen: 6, analysed: 6, scoped: 2, unscoped: 2, notAnalysable: 2, notTraced: 0 });
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
  });
});

describe('a static method of a project class', () => {
  it('`SequelizeRepository.getSequelize(options).query(sql, { replacements })` (and `this.getSequelize` in a static method): analysed, the unscoped twins errors', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { express: '^5.1.0', sequelize: '^6.37.0' } }),
      'migrations/V1__init.sql': MIGRATION,
      'src/db/sequelizeRepository.ts': [
        `import { Sequelize } from 'sequelize'`,
        `export default class SequelizeRepository {`,
        `  static getSequelize(options: any): Sequelize {`,
        `    return options.database.sequelize as Sequelize`,
        `  }`,
        `  static async countMembers(options: any, tenantId: string) {`,
        `    return this.getSequelize(options).query('select count(*) from members where "tenantId" = :tenantId', { replacements: { tenantId } })`,
        `  }`,
        `  static async countAllMembers(options: any) {`,
        `    return this.getSequelize(options).query('select count(*) from members')`,
        `  }`,
        `}`,
        '',
      ].join('\n'),
      'src/members/members.ts': [
        `import { QueryTypes } from 'sequelize'`,
        `import SequelizeRepository from '../db/sequelizeRepository'`,
        `export async function byId(options: any, tenantId: string, id: string) {`,
        `  const seq = SequelizeRepository.getSequelize(options)`,
        `  return seq.query('select * from members where id = :id and "tenantId" = :tenantId', { replacements: { id, tenantId }, type: QueryTypes.SELECT })`,
        `}`,
        `export async function byIdAnyTenant(options: any, id: string) {`,
        `  const seq = SequelizeRepository.getSequelize(options)`,
        `  return seq.query('select * from members where id = :id', { replacements: { id }, type: QueryTypes.SELECT })`,
        `}`,
        '',
      ].join('\n'),
      'src/members/routes.ts': [
        `import { Router } from 'express'`,
        `import SequelizeRepository from '../db/sequelizeRepository'`,
        `import * as members from './members'`,
        `export const router = Router()`,
        `router.get('/a/:id', async (req, res) => { res.json(await members.byId(req, req.user.tenantId, req.params.id)) })`,
        `router.get('/b/:id', async (req, res) => { res.json(await members.byIdAnyTenant(req, req.params.id)) })`,
        `router.get('/c', async (req, res) => { res.json(await SequelizeRepository.countMembers(req, req.user.tenantId)) })`,
        `router.get('/d', async (req, res) => { res.json(await SequelizeRepository.countAllMembers(req)) })`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites).toEqual([]);
    expect(filterSites(result)).toEqual(['src/db/sequelizeRepository.ts:10 error', 'src/members/members.ts:9 error']);
    expect(result.coverage).toMatchObject({ seen: 4, analysed: 4, scoped: 2, unscoped: 2, notTraced: 0 });
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
  });
});

describe('a member assigned after the object literal is made', () => {
  // Sequelize's generated `models/index` and crowd.dev's `models()`: `const database = {} as any; ...;
  // database.sequelize = sequelize; return database`, read as `dbOptions.database.sequelize.query(...)`.
  const models = (client: 'sequelize' | 'pg') =>
    [
      client === 'sequelize' ? `import { Sequelize } from 'sequelize'` : `import { Pool } from 'pg'`,
      `export async function models() {`,
      `  const database = {} as any`,
      client === 'sequelize' ? `  const sequelize = new Sequelize(process.env.DATABASE_URL!)` : `  const pool = new Pool({ connectionString: process.env.DATABASE_URL })`,
      client === 'sequelize' ? `  database.sequelize = sequelize` : `  database.pool = pool`,
      `  return database`,
      `}`,
      `export async function options() {`,
      `  return { database: await models(), language: 'en' }`,
      `}`,
      '',
    ].join('\n');
  const job = (client: 'sequelize' | 'pg') => {
    const send = client === 'sequelize' ? 'dbOptions.database.sequelize.query' : 'dbOptions.database.pool.query';
    const scoped = client === 'sequelize' ? `'select * from members where "tenantId" = :tenantId', { replacements: { tenantId } }` : `'select * from members where "tenantId" = $1', [tenantId]`;
    return [
      `import { options } from '../db/models'`,
      `export async function listMembers(tenantId: string) {`,
      `  const dbOptions = await options()`,
      `  return ${send}(${scoped})`,
      `}`,
      `export async function listAllMembers() {`,
      `  const dbOptions = await options()`,
      `  return ${send}('select * from members')`,
      `}`,
      '',
    ].join('\n');
  };
  const routes = [
    `import { Router } from 'express'`,
    `import { listAllMembers, listMembers } from './members'`,
    `export const router = Router()`,
    `router.get('/a', async (req, res) => { res.json(await listMembers(req.user.tenantId)) })`,
    `router.get('/b', async (req, res) => { res.json(await listAllMembers()) })`,
    '',
  ].join('\n');

  for (const client of ['sequelize', 'pg'] as const) {
    it(`\`database.${client === 'sequelize' ? 'sequelize' : 'pool'} = ...\` after \`const database = {} as any\` (${client}): analysed, the unscoped twin errors`, async () => {
      const dir = makeProject({
        'package.json': JSON.stringify({ dependencies: { express: '^5.1.0', [client]: client === 'pg' ? '^8.11.0' : '^6.37.0' } }),
        'migrations/V1__init.sql': MIGRATION,
        'src/db/models.ts': models(client),
        'src/members/members.ts': job(client),
        'src/members/routes.ts': routes,
      });
      const result = await scan({ path: dir });
      expect(result.coverage.notTracedSites).toEqual([]);
      expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1, notTraced: 0 });
      expect(filterSites(result)).toEqual(['src/members/members.ts:8 error']);
    });
  }

  it('twin: a member assigned to another object of the same name elsewhere is not the literal\'s: not traced', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { express: '^5.1.0', pg: '^8.11.0' } }),
      'migrations/V1__init.sql': MIGRATION,
      'src/db/models.ts': [
        `import { Pool } from 'pg'`,
        `export function other() {`,
        `  const database = {} as any`,
        `  database.pool = new Pool()`,
        `  return database`,
        `}`,
        `export async function models() {`,
        `  const database = {} as any`,
        `  return database`,
        `}`,
        `export async function options() {`,
        `  return { database: await models(), language: 'en' }`,
        `}`,
        '',
      ].join('\n'),
      'src/members/members.ts': job('pg'),
      'src/members/routes.ts': routes,
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 0, notTraced: 2 });
    expect(result.coverage.notTracedSites[0]?.reason).toMatch(/the object has no member `pool` that can be followed/);
  });
});
