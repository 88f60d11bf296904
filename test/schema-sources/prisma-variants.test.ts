import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * A database package that generates its Prisma schema per provider from a template
 * (`prisma/postgres/schema.prisma` and `prisma/sqlite/schema.prisma`, the same models; teable's
 * shape): no `prisma/schema.prisma`, so the app's every `prisma.<model>` call was invisible while
 * the package's SQL migrations gave table names no delegate matches.
 */

const { makeProject } = useScratch();

const models = (provider: string) => `datasource db {
  provider = "${provider}"
  url      = env("DATABASE_URL")
}
model Space {
  id      String   @id
  bases   Base[]
}
model Base {
  id      String @id
  spaceId String
  space   Space  @relation(fields: [spaceId], references: [id])
  name    String
  @@index([spaceId])
}
`;

function repo(app: string, variants = true, extra: Record<string, string> = {}): string {
  return makeProject({
    ...extra,
    'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['apps/*', 'packages/*'] }),
    'packages/db/package.json': JSON.stringify({ name: '@acme/db', main: 'dist/index.js', dependencies: { '@prisma/client': '^6.0.0' } }),
    'packages/db/src/index.ts': "import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n",
    ...(variants
      ? { 'packages/db/prisma/postgres/schema.prisma': models('postgresql'), 'packages/db/prisma/sqlite/schema.prisma': models('sqlite') }
      : { 'packages/db/prisma/template.prisma': models('postgresql') }),
    'apps/api/package.json': JSON.stringify({ name: 'api', private: true, dependencies: { '@acme/db': '*' } }),
    'apps/api/src/bases.ts': app,
  });
}

const APP = `import { prisma } from '@acme/db';
export const list = (spaceId: string) => prisma.base.findMany({ where: { spaceId } });
export const one = (id: string) => prisma.base.findUnique({ where: { id } });
`;

describe('a Prisma schema generated per provider (prisma/<provider>/schema.prisma)', () => {
  it('reads the PostgreSQL variant once: the scoped read passes, the read by id is reported', async () => {
    const result = await scan({ path: repo(APP) });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`)).toEqual(['apps/api/src/bases.ts:3']);
    expect(result.coverage).toMatchObject({ analysed: 2, notTraced: 0 });
    const db = result.projects.find((p) => p.root === 'packages/db');
    expect(db?.schemaSources.flatMap((s) => s.files)).toEqual(['packages/db/prisma/postgres/schema.prisma']);
  });
  it('twin: only a template that is not a schema Prisma reads: no schema, the scan fails closed naming `schema`', async () => {
    const result = await scan({ path: repo(APP, false) });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter')).toEqual([]);
    expect(result.coverage.verdict).toBe('NONE');
    expect(JSON.stringify(result.coverage)).toContain('`schema`');
  });
  it('the app uses the schema of the package it depends on, not the root that finds that package\'s SQL migrations (their table names match no delegate)', async () => {
    const migration = 'CREATE TABLE "space" ("id" TEXT PRIMARY KEY);\nCREATE TABLE "base" ("id" TEXT PRIMARY KEY, "space_id" TEXT NOT NULL REFERENCES "space"("id"), "name" TEXT);\nCREATE INDEX ON "base" ("space_id");\n';
    const result = await scan({ path: repo(APP, true, { 'packages/db/prisma/postgres/migrations/20240308114704_init/migration.sql': migration }) });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`)).toEqual(['apps/api/src/bases.ts:3']);
    expect(result.coverage).toMatchObject({ analysed: 2, notTraced: 0 });
  });
});
