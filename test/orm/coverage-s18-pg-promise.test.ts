// Coverage, session 18 (issue 16; crowd.dev's services): pg-promise is a raw-SQL client. A value of
// `pgPromise(options)(connection)`, a parameter typed with its `IDatabase` / `ITask` (or a project
// alias of them), and the `t` of `db.tx((t) => ...)` / `db.task(...)` send their first argument as
// SQL with `any`, `many`, `manyOrNone`, `one`, `oneOrNone`, `none`, `result`, `query`; the text is read
// by the SQL reader, its named placeholders (`$(tenantId)`, `$<tenantId>`, `$[tenantId]`, `$/tenantId/`)
// standing for the property of the values object they name. Each shape beside its twin.
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
  'package.json': JSON.stringify({ dependencies: { express: '^5.1.0', 'pg-promise': '^11.5.0' } }),
  'migrations/V1__init.sql': [
    `CREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL);`,
    `CREATE TABLE members (id uuid PRIMARY KEY, "tenantId" uuid NOT NULL REFERENCES tenants(id), email text);`,
    `CREATE INDEX members_tenant ON members ("tenantId", id);`,
    '',
  ].join('\n'),
  'src/db/types.ts': [
    `import pgPromise from 'pg-promise'`,
    `export type DbConnection = pgPromise.IDatabase<unknown>`,
    `export type DbTransaction = pgPromise.ITask<unknown>`,
    `export type DbConnOrTx = DbConnection | DbTransaction`,
    '',
  ].join('\n'),
  'src/db/connection.ts': [
    `import pgPromise from 'pg-promise'`,
    `const pgp = pgPromise({})`,
    `export const db = pgp({ host: process.env.DB_HOST })`,
    '',
  ].join('\n'),
};

const MEMBERS = [
  `import { db } from '../db/connection'`,
  `import type { DbConnOrTx } from '../db/types'`,
  `export const byId = (tenantId: string, id: string) =>`,
  `  db.oneOrNone('select * from members where id = $(id) and "tenantId" = $(tenantId)', { id, tenantId })`,
  `export const byIdAnyTenant = (id: string) =>`,
  `  db.oneOrNone('select * from members where id = $(id)', { id })`,
  `export const listAll = (conn: DbConnOrTx, tenantId: string) =>`,
  `  conn.any('select * from members where "tenantId" = $1', [tenantId])`,
  `export const listEverywhere = (conn: DbConnOrTx) =>`,
  `  conn.any('select * from members')`,
  `export const rename = (tenantId: string, id: string, email: string) =>`,
  `  db.tx(async (t) => {`,
  `    await t.none('update members set email = $<email> where id = $<id> and "tenantId" = $<tenantId>', { email, id, tenantId })`,
  `    await t.none('delete from members where id = $/id/', { id })`,
  `  })`,
  '',
].join('\n');

const ROUTES = [
  `import { Router } from 'express'`,
  `import { db } from '../db/connection'`,
  `import * as members from './members'`,
  `export const router = Router()`,
  `router.get('/a/:id', async (req, res) => { res.json(await members.byId(req.user.tenantId, req.params.id)) })`,
  `router.get('/b/:id', async (req, res) => { res.json(await members.byIdAnyTenant(req.params.id)) })`,
  `router.get('/c', async (req, res) => { res.json(await members.listAll(db, req.user.tenantId)) })`,
  `router.get('/d', async (req, res) => { res.json(await members.listEverywhere(db)) })`,
  `router.post('/e/:id', async (req, res) => { res.json(await members.rename(req.user.tenantId, req.params.id, String(req.body.email))) })`,
  '',
].join('\n');

describe('pg-promise: a raw-SQL client', () => {
  it('`db.oneOrNone`, `conn.any` on an `IDatabase | ITask` alias, `t.none` in `db.tx`: analysed, the unscoped twins errors', async () => {
    const dir = makeProject({ ...BASE, 'src/members/members.ts': MEMBERS, 'src/members/routes.ts': ROUTES });
    const result = await scan({ path: dir });
    expect(filterSites(result)).toEqual(['src/members/members.ts:10 error', 'src/members/members.ts:14 error', 'src/members/members.ts:6 error']);
    expect(result.coverage).toMatchObject({ seen: 6, analysed: 6, scoped: 3, unscoped: 3, notTraced: 0 });
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
  });

  it('twin: `$(tenantId:raw)` is text spliced into the SQL, not a value: the query is not analysable, never scoped', async () => {
    const dir = makeProject({
      ...BASE,
      'src/members/members.ts': [
        `import { db } from '../db/connection'`,
        `export const byFilter = (filter: string, id: string) =>`,
        `  db.oneOrNone('select * from members where id = $(id) and $(filter:raw)', { id, filter })`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, scoped: 0, notAnalysable: 1, notTraced: 0 });
  });
});
