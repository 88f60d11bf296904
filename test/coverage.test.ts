import { describe, expect, it } from 'vitest';
import { scan } from '../src/scan/scan.js';
import { runCli, useScratch } from './helpers/scratch.js';

const { makeProject } = useScratch();

const PRISMA = `
model Organization {
  id       String    @id
  invoices Invoice[]
}
model Invoice {
  id    String       @id
  orgId String
  org   Organization @relation(fields: [orgId], references: [id])
  @@index([orgId])
}
`;

const DRIZZLE_SCHEMA = `import { pgTable, text } from 'drizzle-orm/pg-core';
export const orgs = pgTable('orgs', { id: text('id').primaryKey() });
export const invoices = pgTable('invoices', { id: text('id').primaryKey(), orgId: text('org_id').notNull().references(() => orgs.id) });
`;

describe('coverage census', () => {
  it('follows a memoised db() factory and a destructured typed parameter to the Drizzle client', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { 'drizzle-orm': '1' } }),
      'src/schema.ts': DRIZZLE_SCHEMA,
      'src/db.ts': `import { drizzle } from 'drizzle-orm/node-postgres';\nlet cached: ReturnType<typeof drizzle> | undefined;\nexport function db() { return (cached ??= drizzle('postgres://x')); }\nexport type Database = ReturnType<typeof db>;\n`,
      'src/repo.ts': `import { eq } from 'drizzle-orm';\nimport { db, type Database } from './db';\nimport { invoices } from './schema';\nexport const a = (id: string) => db().select().from(invoices).where(eq(invoices.id, id));\nexport function make({ conn }: { conn: Database }) { return (orgId: string) => conn.select().from(invoices).where(eq(invoices.orgId, orgId)); }\n`,
    });
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites.map((s) => s.reason)).toEqual([]);
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, notTraced: 0, scoped: 1, unscoped: 1, schemaMatched: 0, verdict: 'COMPLETE' });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter')).toHaveLength(1);
  });

  it('counts a call on a schema model whose receiver cannot be traced as not traced, with where the trace stopped', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { '@prisma/client': '6' } }),
      'prisma/schema.prisma': PRISMA,
      'src/a.ts': `export async function touch(db: any, x: unknown) {\n  return db.invoice.update(x);\n}\n`,
      'src/b.ts': `export async function list(db: any, orgId: string) {\n  return db.invoice.findMany({ where: { orgId } });\n}\n`,
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 1, notTraced: 1, schemaMatched: 1, verdict: 'PARTIAL', percent: 50 });
    expect(result.coverage.notTracedSites[0]).toMatchObject({ file: 'src/a.ts', line: 2, orm: 'prisma', table: 'Invoice' });
    expect(result.coverage.notTracedSites[0].reason).toContain('`db` is a parameter of unknown type');
    const cli = await runCli(['scan', dir, '--format', 'sarif']);
    const sarif = JSON.parse(cli.stdout) as { runs: { invocations: { executionSuccessful: boolean; toolExecutionNotifications: { descriptor: { id: string } }[] }[] }[] };
    expect(sarif.runs[0].invocations[0].executionSuccessful).toBe(true);
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications.map((n) => n.descriptor.id)).toContain('not-traced');
  });

  it('counts supabase-js calls on a table of the schema whose client cannot be traced', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { '@supabase/supabase-js': '2' } }),
      'supabase/migrations/20240101000000_init.sql': `CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE invoices (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id));\nCREATE INDEX ON invoices (org_id, id);\n`,
      // A client from a package the scan cannot read, as a workspace package built to dist/ is.
      'src/a.ts': `import { createClient } from '@acme/supabase/server';\nexport async function one(id: string) {\n  const supabase = await createClient();\n  return supabase.from('invoices').select('*').eq('id', id);\n}\n`,
      'src/types.ts': `import type { SupabaseClient } from '@supabase/supabase-js';\nexport type Db = SupabaseClient;\n`,
      // Storage buckets and unknown tables are not data access of the schema.
      'src/c.ts': `export const up = (supabase: any) => supabase.storage.from('avatars').upload('x', new Blob());\nexport const other = (supabase: any) => supabase.from('not_a_table').select('*');\n`,
    });
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites.map((s) => [s.file, s.orm, s.table])).toEqual([['src/a.ts', 'supabase-js', 'invoices']]);
    expect(result.coverage.notTracedSites[0]?.reason).toContain("`from('invoices')` names a table of the schema");
  });

  it('counts a traced supabase-js client reading a relation the schema does not define (a view without a tenant key) as not analysable', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { '@supabase/supabase-js': '2' } }),
      'supabase/migrations/20240101000000_init.sql': `CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE invoices (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id));\nCREATE INDEX ON invoices (org_id, id);\nCREATE VIEW invoice_totals AS SELECT count(*) AS n FROM invoices;\n`,
      'src/a.ts': `import { createClient } from '@supabase/supabase-js';\nconst admin = createClient(process.env.URL ?? '', process.env.SUPABASE_SERVICE_ROLE_KEY ?? '');\nexport const totals = () => admin.from('invoice_totals').select('*');\nexport const up = () => admin.storage.from('avatars').upload('x', new Blob());\nexport const one = (orgId: string, id: string) => admin.from('invoices').select('*').eq('id', id).eq('org_id', orgId);\n`,
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, notAnalysable: 1, notTraced: 0, verdict: 'PARTIAL' });
    expect(result.unknown.map((u) => `${u.file}:${u.line} ${u.reason}`)).toEqual([expect.stringMatching(/^src\/a\.ts:3 .*names a relation the schema does not define/)]);
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter')).toEqual([]);
  });

  it('counts MikroORM calls on an entity whose EntityManager cannot be traced', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { '@mikro-orm/core': '6' } }),
      'src/entities.ts': `import { Entity, Index, ManyToOne, PrimaryKey } from '@mikro-orm/core';\n@Entity() export class Org { @PrimaryKey() id!: string; }\n@Entity() @Index({ properties: ['org', 'id'] }) export class Note { @PrimaryKey() id!: string; @ManyToOne(() => Org) org!: Org; }\n`,
      'src/b.ts': `import { Note } from './entities';\nexport const note = (em: any, id: string) => em.findOne(Note, { id });\n`,
    });
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites.map((s) => [s.file, s.orm, s.table])).toEqual([['src/b.ts', 'mikroorm', 'Note']]);
    expect(result.coverage.notTracedSites[0]?.reason).toContain('`em` is a parameter of unknown type');
  });

  it('fails closed (exit 2, NONE) when a project uses an ORM but no tenant root can be inferred', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { '@prisma/client': '6' } }),
      'prisma/schema.prisma': 'model Note {\n  id String @id\n  body String\n}\n',
      'src/a.ts': `import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nexport const all = () => prisma.note.findMany();\n`,
    });
    const cli = await runCli(['scan', dir]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('set `tenantRoot`');
    expect(cli.stdout).toContain('coverage: NONE');
  });
});
