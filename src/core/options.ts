import type * as Zod from 'zod';
import { RULE_IDS } from './rule-meta.js';

/**
 * The one configuration schema, a contract every layer reads (the options' types are inferred from
 * it); src/config/ validates files against it. `schema.json` (for `$schema` completion in editors) is generated
 * from it by `npm run build:schema`; both are data, never executed.
 */
export function buildConfigSchema(z: typeof Zod.z) {
  const ruleSetting = z.enum(['off', 'info', 'warning', 'error']);
  return z
    .strictObject({
      $schema: z.string().optional(),
      tenantRoot: z.string().min(1).optional().describe('Model or table that is the tenant root (Organization, Workspace...). Inferred from foreign keys when absent.'),
      tenantKeys: z.array(z.string().min(1)).optional().describe('Fields or columns that identify the tenant (orgId, workspace_id). Replaces the inferred keys.'),
      globalTables: z.array(z.string().min(1)).optional().describe('Models or tables shared by all tenants (plans, feature flags); never flagged.'),
      tenantTables: z.array(z.string().min(1)).optional().describe('Models or tables to treat as tenant data even when inference says otherwise (tables global by structure included); require-tenant-column reports one without a tenant column.'),
      scopedClientFactories: z.array(z.string().min(1)).optional().describe('Functions that return a tenant-scoped database client, such as forTenant or tenantDb.'),
      filterHelpers: z.array(z.string().min(1)).optional().describe('Functions whose result is a tenant filter (spread into where or passed as where).'),
      ownershipGuards: z.array(z.string().min(1)).optional().describe('Functions that throw unless a row belongs to the caller\'s tenant, called with the row (`authorize(user, action, row)`, `assertSameTenant(row, ctx)`): a read guarded by one before its use is scoped.'),
      systemPaths: z.array(z.string().min(1)).optional().describe('Glob patterns (relative to the project) of code that runs without a request: background jobs, workers, cron, scripts, migrations. require-tenant-filter reports there at info. Default: **/jobs/**, **/workers/**, **/cron/**, **/crons/**, **/scripts/**, **/migrations/**, **/*.job.ts, **/*.worker.ts; [] turns it off.'),
      tenantPlugins: z.array(z.string().min(1)).optional().describe('Mongoose schema plugins that add the tenant to every query of the models that use them (`schema.plugin(tenantPlugin)`).'),
      schema: z.array(z.string().min(1)).optional().describe('Schema files or folders (schema.prisma, prisma/schema), relative to the config file. Located automatically when absent.'),
      migrations: z.array(z.string().min(1)).optional().describe('Glob patterns of SQL migration files, relative to the config file, when the layout is not one tenant-lint knows (Prisma, Drizzle Kit, Supabase, Flyway, golang-migrate, dbmate, numbered files).'),
      sqlSinks: z
        .array(z.string().regex(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/, 'a SQL sink is a function or method name (`rawQuery`) or a dotted callee path (`sequelize.query`), without arguments or wildcards'))
        .optional()
        .describe('Functions or methods whose first argument is SQL sent to the database (your own `rawQuery(sql, params)` helper), checked like pool.query. A bare name matches any function or method of that name; a dotted path (`sequelize.query`) matches the end of the callee as written (`this.sequelize.query` too).'),
      ignore: z.array(z.string().min(1)).optional().describe('Extra glob patterns of files not to scan, relative to the config file.'),
      includeTests: z.boolean().optional().describe('Also analyse tests, e2e specs, fixtures and seed scripts (excluded by default: they query across tenants on purpose).'),
      checkChildTables: z.boolean().optional().describe('require-tenant-column: report child tables (tenancy inherited through a required foreign key) that lack their own tenant column, at info. Default: true; false turns it off.'),
      reportTenantOnlyIndex: z.boolean().optional().describe('require-tenant-index: report tables indexed on the tenant column alone (a milder message). Default: true.'),
      checkMapCaches: z.boolean().optional().describe('require-tenant-cache-key: also treat module-level `new Map()` objects used as caches as cache clients. Default: false.'),
      failOn: z.enum(['error', 'warning']).optional().describe('Lowest severity that makes `tenant-lint scan` exit with 1. Default: error.'),
      rules: z
        .strictObject(Object.fromEntries(RULE_IDS.map((id) => [id, ruleSetting.optional()])))
        .optional()
        .describe('Severity per rule id: off, info, warning or error.'),
    })
    .describe('tenant-lint configuration');
}

export type TenantLintConfig = Zod.infer<ReturnType<typeof buildConfigSchema>>;
export type RuleSetting = 'off' | 'info' | 'warning' | 'error';
