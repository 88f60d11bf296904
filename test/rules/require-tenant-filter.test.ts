import { join } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/require-tenant-filter.js';

// Cases are linted as a file of test/rules/project, whose schema.prisma has the tenant root
// Organization with key orgId; Invoice is a tenant model, InvoiceLine its child, User unclassified.
const filename = join(import.meta.dirname, 'project', 'src', 'service.ts');
const ruleTester = new RuleTester({ defaultFilenames: { ts: filename, tsx: filename } });

const client = `import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n`;

ruleTester.run('require-tenant-filter', rule, {
  valid: [
    // tenant key directly
    `${client}export const list = (orgId: string) => prisma.invoice.findMany({ where: { orgId } });`,
    // an OR over two lists of one membership lookup (teable's getAllBaseList): the ids are the user's access list, as the tenant ids are
    `${client}declare function accessOf(userId: string): Promise<{ orgIds: string[]; invoiceIds: string[] }>;\nexport async function mine(userId: string) {\n  const { orgIds, invoiceIds } = await accessOf(userId);\n  return prisma.invoice.findMany({ where: { OR: [{ id: { in: invoiceIds } }, { orgId: { in: orgIds } }] } });\n}`,
    `${client}declare function accessOf(userId: string): Promise<{ orgIds: string[]; invoiceIds: string[] }>;\nexport async function mine2(userId: string) {\n  const access = await accessOf(userId);\n  return prisma.invoice.findMany({ where: { OR: [{ id: { in: access.invoiceIds } }, { orgId: { in: access.orgIds } }] } });\n}`,
    // tenant key with a value, equals and in
    `${client}export const a = (ctx: { orgId: string }) => prisma.invoice.findMany({ where: { orgId: ctx.orgId } });`,
    `${client}export const b = (orgId: string) => prisma.invoice.count({ where: { orgId: { equals: orgId } } });`,
    `${client}export const c = (ids: string[]) => prisma.invoice.deleteMany({ where: { orgId: { in: ids } } });`,
    // compound unique that includes the tenant key
    `${client}export const d = (orgId: string, number: number) => prisma.invoice.findUnique({ where: { orgId_number: { orgId, number } } });`,
    // AND, as an array and as an object
    `${client}export const e = (orgId: string, id: string) => prisma.invoice.findFirst({ where: { AND: [{ id }, { orgId }] } });`,
    `${client}export const f = (orgId: string, id: string) => prisma.invoice.findFirst({ where: { id, AND: { orgId } } });`,
    // an OR next to a top-level tenant key
    `${client}export const g = (orgId: string, q: string) => prisma.invoice.findMany({ where: { orgId, OR: [{ id: q }, { projectId: q }] } });`,
    // every OR branch has the tenant key
    `${client}export const h = (orgId: string, q: string) => prisma.invoice.findMany({ where: { OR: [{ orgId, id: q }, { orgId, projectId: q }] } });`,
    // relation filter, with and without \`is\`
    `${client}export const i = (orgId: string) => prisma.invoice.findMany({ where: { project: { orgId } } });`,
    `${client}export const j = (orgId: string) => prisma.invoice.findMany({ where: { project: { is: { orgId } } } });`,
    // relation filter that pins the tenant root
    `${client}export const k = (orgId: string) => prisma.invoice.findMany({ where: { org: { id: orgId } } });`,
    // child model filtered through its parent
    `${client}export const l = (orgId: string, invoiceId: string) => prisma.invoiceLine.findMany({ where: { invoice: { id: invoiceId, orgId } } });`,
    // where built in a const
    `${client}export async function m(orgId: string) { const where = { orgId, status: 'OPEN' }; return prisma.invoice.findMany({ where }); }`,
    // helper spread, same file
    `${client}const tenant = (orgId: string) => ({ orgId });\nexport const n = (orgId: string, id: string) => prisma.invoice.findFirst({ where: { id, ...tenant(orgId) } });`,
    // helper spread imported from another file
    `${client}import { byOrg } from './lib/filters';\nexport const o = (orgId: string, id: string) => prisma.invoice.findFirst({ where: { id, ...byOrg(orgId) } });`,
    // client re-exported from another module
    `import { db } from './lib/db';\nexport const p = (orgId: string) => db.invoice.findMany({ where: { orgId } });`,
    // interactive transaction
    `${client}export const q = (orgId: string) => prisma.$transaction(async (tx) => tx.invoice.findMany({ where: { orgId } }));`,
    // tenant-scoped client by construction ($extends query extension)
    `${client}export function forOrg(orgId: string) {\n  return prisma.$extends({ query: { $allModels: { async $allOperations({ args, query }) { args.where = { ...args.where, orgId }; return query(args); } } } });\n}\nexport const r = (orgId: string) => forOrg(orgId).invoice.findMany();`,
    // global model: the tenant root itself
    `${client}export const s = (id: string) => prisma.organization.findUnique({ where: { id } });`,
    // unclassified model (users span organizations)
    `${client}export const t = (id: string) => prisma.user.findUnique({ where: { id } });`,
    // inserts carry their tenant key in data
    `${client}export const u = (orgId: string, number: number) => prisma.invoice.create({ data: { orgId, number, projectId: 'p' } });`,
    // a shadowed name that is not the client
    `export function v(id: string) { const prisma = { invoice: new Map<string, string>() }; return prisma.invoice.delete(id); }`,
    // include of children is covered by the parent's filter
    `${client}export const w = (orgId: string, id: string) => prisma.invoice.findFirst({ where: { id, orgId }, include: { lines: true } });`,
    // raw SQL with the tenant predicate
    `${client}export const raw = (orgId: string, id: string) => prisma.$queryRaw\`SELECT * FROM "Invoice" WHERE "orgId" = \${orgId} AND "id" = \${id}\`;`,
    // raw SQL: a child table joined to its constrained parent
    `import { Pool } from 'pg';\nconst pool = new Pool();\nexport const lines = (orgId: string) => pool.query('SELECT l.* FROM "InvoiceLine" l JOIN "Invoice" i ON i."id" = l."invoiceId" WHERE i."orgId" = $1', [orgId]);`,
    // raw SQL on a global table
    `${client}export const orgs = () => prisma.$queryRaw\`SELECT * FROM "Organization"\`;`,
    // NestJS-style injected client
    `import { PrismaClient } from '@prisma/client';\nexport class InvoiceService {\n  constructor(private readonly prisma: PrismaClient) {}\n  list(orgId: string) { return this.prisma.invoice.findMany({ where: { orgId } }); }\n}`,
  ],
  invalid: [
    {
      // the tenant key only when a condition holds: a caller that omits it reads every tenant
      code: `${client}export const maybe = (id: string, orgId?: string) => prisma.invoice.findFirst({ where: { id, ...(orgId ? { orgId } : {}) } });`,
      errors: [{ messageId: 'conditionalTenantFilter', line: 3, column: 98, endColumn: 103 }],
    },
    {
      // findUnique by a unique id alone
      code: `${client}export const get = (orgId: string, id: string) => prisma.invoice.findUnique({ where: { id } });`,
      errors: [
        {
          messageId: 'missingTenantFilter',
          line: 3,
          column: 51,
          endColumn: 76,
          suggestions: [
            {
              messageId: 'suggestion',
              output: `${client}export const get = (orgId: string, id: string) => prisma.invoice.findUnique({ where: { orgId, id } });`,
            },
          ],
        },
      ],
    },
    {
      // no where at all; no orgId in scope, so no suggestion
      code: `${client}export const all = () => prisma.invoice.findMany();`,
      errors: [{ messageId: 'missingTenantFilter', line: 3, column: 26, endColumn: 49 }],
    },
    {
      // arguments without a where
      code: `${client}export const page = (orgId: string) => prisma.invoice.findMany({ take: 20 });`,
      errors: [
        {
          messageId: 'missingTenantFilter',
          line: 3,
          column: 40,
          suggestions: [{ messageId: 'suggestion', output: `${client}export const page = (orgId: string) => prisma.invoice.findMany({ where: { orgId }, take: 20 });` }],
        },
      ],
    },
    {
      // its twin: the id list is the caller's, not the lookup's
      code: `${client}declare function accessOf(userId: string): Promise<{ orgIds: string[]; invoiceIds: string[] }>;\nexport async function mine(userId: string, ids: string[]) {\n  const { orgIds } = await accessOf(userId);\n  return prisma.invoice.findMany({ where: { OR: [{ id: { in: ids } }, { orgId: { in: orgIds } }] } });\n}`,
      errors: [{ messageId: 'orBypassesTenantFilter', line: 6, column: 10, endColumn: 33 }],
    },
    {
      // an OR branch without the tenant defeats the filter
      code: `${client}export const search = (orgId: string, q: string) => prisma.invoice.findMany({ where: { OR: [{ orgId, id: q }, { projectId: q }] } });`,
      errors: [{ messageId: 'orBypassesTenantFilter', line: 3, column: 53, endColumn: 76 }],
    },
    {
      // update and delete by id alone
      code: `${client}export async function archive(id: string) {\n  await prisma.invoice.update({ where: { id }, data: { number: 0 } });\n  await prisma.invoice.delete({ where: { id } });\n}`,
      errors: [
        { messageId: 'missingTenantFilter', line: 4, column: 9, endColumn: 30 },
        { messageId: 'missingTenantFilter', line: 5, column: 9, endColumn: 30 },
      ],
    },
    {
      // child model filtered by its parent id only
      code: `${client}export const lines = (invoiceId: string) => prisma.invoiceLine.findMany({ where: { invoiceId } });`,
      errors: [{ messageId: 'missingTenantFilter', line: 3, column: 45 }],
    },
    {
      // the tenant key compared with \`not\` does not scope
      code: `${client}export const others = (orgId: string) => prisma.invoice.findMany({ where: { orgId: { not: orgId } } });`,
      errors: [{ messageId: 'missingTenantFilter', line: 3, column: 42 }],
    },
    {
      // an undefined tenant value: Prisma drops the key, the query reads every tenant
      code: `${client}export const u = () => prisma.invoice.findMany({ where: { orgId: undefined } });`,
      errors: [{ messageId: 'missingTenantFilter', line: 3, column: 24 }],
    },
    {
      // a helper that does not return the tenant key
      code: `${client}import { notAFilter } from './lib/filters';\nexport const x = (id: string) => prisma.invoice.findFirst({ where: { ...notAFilter(id) } });`,
      errors: [{ messageId: 'missingTenantFilter', line: 4, column: 34 }],
    },
    {
      // nested connect by id alone links another tenant's project
      code: `${client}export const create = (orgId: string, projectId: string) => prisma.invoice.create({ data: { orgId, number: 1, project: { connect: { id: projectId } } } });`,
      errors: [{ messageId: 'connectWithoutTenant', line: 3, column: 122, endColumn: 129 }],
    },
    {
      // a membership check elsewhere does not scope this query
      code: `${client}declare function assertCanAccess(orgId: string): Promise<void>;\nexport async function removeMember(orgId: string, id: string) {\n  await assertCanAccess(orgId);\n  return prisma.member.delete({ where: { id } });\n}`,
      errors: [
        {
          messageId: 'missingTenantFilter',
          line: 6,
          column: 10,
          suggestions: [
            {
              messageId: 'suggestion',
              output: `${client}declare function assertCanAccess(orgId: string): Promise<void>;\nexport async function removeMember(orgId: string, id: string) {\n  await assertCanAccess(orgId);\n  return prisma.member.delete({ where: { orgId, id } });\n}`,
            },
          ],
        },
      ],
    },
    {
      // the transaction client is checked like the client
      code: `${client}export const t = (id: string) => prisma.$transaction(async (tx) => tx.invoice.delete({ where: { id } }));`,
      errors: [{ messageId: 'missingTenantFilter', line: 3, column: 68 }],
    },
    {
      // re-exported client
      code: `import { db } from './lib/db';\nexport const find = (id: string) => db.invoice.findFirst({ where: { id } });`,
      errors: [{ messageId: 'missingTenantFilter', line: 2, column: 37 }],
    },
    {
      // injected client in a class
      code: `import { PrismaClient } from '@prisma/client';\nexport class InvoiceService {\n  constructor(private readonly prisma: PrismaClient) {}\n  get(id: string) { return this.prisma.invoice.findUnique({ where: { id } }); }\n}`,
      errors: [{ messageId: 'missingTenantFilter', line: 4, column: 28 }],
    },
    {
      // raw SQL through Prisma: the table name inside the SQL string is reported
      code: `${client}export const raw = (id: string) => prisma.$queryRaw\`SELECT * FROM "Invoice" WHERE "id" = \${id}\`;`,
      errors: [{ messageId: 'missingTenantFilter', line: 3, column: 67, endColumn: 76 }],
    },
    {
      // raw SQL through pg: the AND/OR precedence mistake
      code: `import { Pool } from 'pg';\nconst pool = new Pool();\nexport const search = (orgId: string, q: string) => pool.query('SELECT * FROM "Invoice" WHERE "orgId" = $1 AND "status" = $2 OR "number" = $2', [orgId, q]);`,
      errors: [{ messageId: 'orBypassesTenantFilter', line: 3, column: 79 }],
    },
    {
      // postgres.js: the sql tag of a client made by postgres()
      code: `import postgres from 'postgres';\nconst sql = postgres();\nexport const get = (id: string) => sql\`SELECT * FROM "Invoice" WHERE "id" = \${id}\`;`,
      errors: [{ messageId: 'missingTenantFilter', line: 3, column: 54 }],
    },
    {
      // knex raw
      code: `import knex from 'knex';\nconst db = knex({ client: 'pg' });\nexport const count = () => db.raw('SELECT count(*) FROM "Invoice"');`,
      errors: [{ messageId: 'missingTenantFilter', line: 3, column: 57 }],
    },
    {
      // drizzle's sql tag in db.execute
      code: `import { sql } from 'drizzle-orm';\ndeclare const db: { execute(query: unknown): Promise<unknown> };\nexport const del = (id: string) => db.execute(sql\`DELETE FROM "Invoice" WHERE "id" = \${id}\`);`,
      errors: [{ messageId: 'missingTenantFilter', line: 3, column: 63 }],
    },
    {
      // kysely's sql tag
      code: `import { sql } from 'kysely';\nexport const q = (id: string) => sql\`SELECT * FROM "Invoice" WHERE "id" = \${id}\`;`,
      errors: [{ messageId: 'missingTenantFilter', line: 2, column: 52 }],
    },
    {
      // slonik's sql tag
      code: `import { sql } from 'slonik';\nexport const q = (id: string) => sql.unsafe\`UPDATE "Invoice" SET "status" = 'void' WHERE "id" = \${id}\`;`,
      errors: [{ messageId: 'missingTenantFilter', line: 2, column: 52 }],
    },
    {
      // TypeORM DataSource.query
      code: `import { DataSource } from 'typeorm';\nconst dataSource = new DataSource({ type: 'postgres' });\nexport const q = (id: string) => dataSource.query('DELETE FROM "Invoice" WHERE "id" = $1', [id]);`,
      errors: [{ messageId: 'missingTenantFilter', line: 3, column: 64 }],
    },
    {
      // Sequelize query
      code: `import { Sequelize } from 'sequelize';\nconst sequelize = new Sequelize('postgres://localhost/app');\nexport const q = () => sequelize.query('SELECT * FROM "Invoice"');`,
      errors: [{ messageId: 'missingTenantFilter', line: 3, column: 55 }],
    },
    {
      // a session-wide tenant setting on a pooled connection
      code: `import { Pool } from 'pg';\nconst pool = new Pool();\nexport const use = (orgId: string) => pool.query("SELECT set_config('app.org_id', $1, false)", [orgId]);`,
      errors: [{ messageId: 'tenantSettingOutlivesRequest', line: 3, column: 58 }],
    },
    {
      // a receiver that cannot be traced is recognised by its model delegate (tRPC ctx.db)
      code: `export const router = { byId: ({ ctx, input }: { ctx: { db: unknown }; input: { id: string } }) => (ctx.db as any).invoice.findUnique({ where: { id: input.id } }) };`,
      errors: [{ messageId: 'missingTenantFilter', line: 1 }],
    },
  ],
});
