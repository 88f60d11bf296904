import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * A fragment is not a query (issue 16): `$queryRaw(Prisma.sql\`...\`)` is one query, counted at
 * `$queryRaw`; the `Prisma.sql` inside it was also counted as SQL sent by a receiver that is not
 * traced when `Prisma` came from a package the analysis does not follow (teable's
 * oauth.service.ts). Twin: a tag of such a package that sends by itself stays not traced.
 */

const { makeProject } = useScratch();

const MIGRATION = `CREATE TABLE orgs (id uuid PRIMARY KEY, name text);
CREATE TABLE invoices (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id), total int);
`;

function repo(body: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { '@prisma/client': '^6.8.0', express: '^5.1.0' } }),
    'migrations/0001_init.sql': MIGRATION,
    'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
    // Re-exports the analysis does not follow.
    'src/bits.ts': `export * from 'unknown-prisma-bits';\n`,
    'src/routes.ts': `import express from 'express';\nimport { db } from './db';\nimport { Prisma, sql } from './bits';\n\nexport const app = express();\napp.get('/invoices', async (req: any, res: any) => {\n${body}\n  res.json([]);\n});\n`,
  });
}

describe('SQL fragments', () => {
  it('Prisma.sql inside $queryRaw: one query, analysed ok', async () => {
    const result = await scan({ path: repo('  await db.$queryRaw(Prisma.sql`SELECT id FROM invoices WHERE org_id = ${req.user.orgId}`);') });
    expect(result.coverage.notTracedSites.map((s) => s.reason)).toEqual([]);
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, notTraced: 0 });
  });
  it('Prisma.sql held in a const and sent later: one query ok', async () => {
    const result = await scan({ path: repo('  const q = Prisma.sql`SELECT id FROM invoices WHERE org_id = ${req.user.orgId}`;\n  await db.$queryRaw(q);') });
    expect(result.coverage).toMatchObject({ notTraced: 0 });
  });
  it('twin: a tag of an untraced package that sends by itself is not traced err', async () => {
    const result = await scan({ path: repo('  await sql`SELECT id FROM invoices WHERE org_id = ${req.user.orgId}`;') });
    expect(result.coverage).toMatchObject({ notTraced: 1 });
  });
});
