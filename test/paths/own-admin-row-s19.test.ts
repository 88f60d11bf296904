// parcelvoy (issue 13, session 19): an operator console signs its admins in and hangs the signed-in
// admin on the request (`ctx.state.admin`, `req.admin`). `Admin.find(ctx.state.admin.id)` reads that
// admin's own row of `admins` (a tenant table: `admins.organization_id`): only the caller's row matches
// (ProfileController.ts:10). Twin: the id from the route stays an error. And `if (req.admin.id ===
// admin.id) throw` after a lookup by a client's id turns away only the caller's own row: every other
// admin, of any organization, passes, so it is no check (ProjectAdminController.ts:70 stays an error);
// its twin, the ownership test `admin.organization_id !== req.admin.organization_id`, is one.
// In a Knex model base class (parcelvoy's shape) and Prisma.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

type Result = Awaited<ReturnType<typeof scan>>;

function errors(result: Result): string[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.severity === 'error').map((f) => `${f.file}:${f.line}`).sort();
}

/** Route handlers: line 3 own row, line 4 route id, line 5 self-exclusion only, line 6 ownership test. */
const routes = (find: (id: string) => string) => [
  `import { Router } from 'express'`,
  `export const admins = Router()`,
  `admins.get('/me', async (req: any, res) => { res.json(await ${find('req.admin.id')}) })`,
  `admins.get('/a/:id', async (req: any, res) => { res.json(await ${find('Number(req.params.id)')}) })`,
  `admins.put('/b/:id', async (req: any, res) => { const admin = await ${find('Number(req.params.id)')}; if (!admin) throw new Error('404'); if (req.admin.id === admin.id) throw new Error('not yourself'); res.json(admin) })`,
  `admins.put('/c/:id', async (req: any, res) => { const admin = await ${find('Number(req.params.id)')}; if (!admin) throw new Error('404'); if (admin.organization_id !== req.admin.organization_id) throw new Error('403'); res.json(admin) })`,
  '',
].join('\n');

const KNEX = {
  'package.json': JSON.stringify({ dependencies: { express: '^5.1.0', knex: '^3.1.0', mysql2: '^3' } }),
  'db/migrations/20240101000000_init.js': [
    `exports.up = function (knex) {`,
    `  return knex.schema`,
    `    .createTable('organizations', function (table) { table.increments(); table.string('name', 255) })`,
    `    .createTable('admins', function (table) {`,
    `      table.increments()`,
    `      table.integer('organization_id').unsigned().notNullable().references('id').inTable('organizations').onDelete('CASCADE')`,
    `      table.string('email', 255).notNullable()`,
    `      table.index(['organization_id', 'id'])`,
    `    })`,
    `    .createTable('projects', function (table) {`,
    `      table.increments()`,
    `      table.integer('organization_id').unsigned().notNullable().references('id').inTable('organizations').onDelete('CASCADE')`,
    `      table.index(['organization_id', 'id'])`,
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
  'src/app.ts': [`import { connect, Database } from './config/database'`, `export default class App {`, `  static main: App`, `  constructor(public db: Database = connect()) {}`, `}`, ''].join('\n'),
  'src/core/Model.ts': [
    `import App from '../app'`,
    `import { Database, Query } from '../config/database'`,
    `export default class Model {`,
    `  id!: number`,
    `  static tableName = ''`,
    `  static fromJson<T extends typeof Model>(this: T, json: any): InstanceType<T> { return Object.assign(new this(), json) as InstanceType<T> }`,
    `  static table(db: Database = App.main.db): Database.QueryBuilder<any> { return db(this.tableName) }`,
    `  static build(query: Query, db: Database = App.main.db) {`,
    `    const builder = query(this.table(db)) as any`,
    `    return builder`,
    `  }`,
    `  static async find<T extends typeof Model>(this: T, id: number, query: Query = (qb) => qb, db: Database = App.main.db) {`,
    `    const record = await this.build(query, db).where(\`\${this.tableName}.id\`, id).first()`,
    `    return record ? this.fromJson(record) : undefined`,
    `  }`,
    `}`,
    '',
  ].join('\n'),
  'src/auth/Admin.ts': [`import Model from '../core/Model'`, `export default class Admin extends Model {`, `  static tableName = 'admins'`, `  organization_id!: number`, `  email!: string`, `}`, ''].join('\n'),
  'src/auth/routes.ts': `import Admin from './Admin'\n` + routes((id) => `Admin.find(${id})`),
};

const PRISMA = {
  'package.json': JSON.stringify({ dependencies: { express: '^5.1.0', '@prisma/client': '^6.8.0' } }),
  'prisma/schema.prisma': `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id       Int       @id @default(autoincrement())
  admins   Admin[]
  projects Project[]
}

model Admin {
  id              Int          @id @default(autoincrement())
  email           String
  organization_id Int
  organization    Organization @relation(fields: [organization_id], references: [id])
  @@index([organization_id, id])
}

model Project {
  id              Int          @id @default(autoincrement())
  organization_id Int
  organization    Organization @relation(fields: [organization_id], references: [id])
  @@index([organization_id, id])
}
`,
  'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
  'src/auth/routes.ts': `import { db } from '../db'\n` + routes((id) => `db.admin.findUnique({ where: { id: ${id} } })`),
};

describe('the signed-in admin\'s own row, and a test that turns away only the caller (parcelvoy)', () => {
  for (const [orm, files] of [['knex model', KNEX], ['prisma', PRISMA]] as const) {
    it(`${orm}: own row by req.admin.id ok; the route's id, and the self-exclusion test, err; the ownership test ok (no error)`, async () => {
      const dir = makeProject(files);
      const result = await scan({ path: dir });
      // routes.ts starts with one import line: the handlers are at lines 4-7.
      expect(errors(result)).toEqual(['src/auth/routes.ts:5', 'src/auth/routes.ts:6']);
    });
  }
});
