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
