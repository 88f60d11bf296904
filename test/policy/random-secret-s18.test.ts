import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Issue 13, class 7, session 18. capgo's invitation is found by `tmp_users.invite_magic_string`, a column
 * the database fills with `encode(gen_random_bytes(128), 'hex')` and mails to the invitee; it is neither
 * unique in the schema nor named like a token (accept_invitation.ts:266/326/394/482). A column whose
 * default is random bytes is a secret by construction: a lookup by it is the caller presenting the
 * invitation, whatever tenant it names. Twins: the same column filled by `gen_random_uuid()` (an
 * identifier, shown in URLs and lists) or with no default stays an error. In SQL migrations (pg),
 * Prisma (`dbgenerated`) and Drizzle (`.default(sql...)`, `$defaultFn(() => randomBytes(...))`).
 */

const { makeProject } = useScratch();

type Default = 'bytes' | 'uuid' | 'none';

const SQL_DEFAULT: Record<Default, string> = {
  bytes: ` DEFAULT encode(gen_random_bytes(64), 'hex')`,
  uuid: ` DEFAULT gen_random_uuid()::text`,
  none: '',
};
const PRISMA_DEFAULT: Record<Default, string> = {
  bytes: ` @default(dbgenerated("encode(gen_random_bytes(64), 'hex')"))`,
  uuid: ` @default(uuid())`,
  none: '',
};
const DRIZZLE_DEFAULT: Record<Default, string> = {
  bytes: `.$defaultFn(() => randomBytes(64).toString('hex'))`,
  uuid: `.defaultRandom()`,
  none: '',
};

const ROUTE = (lookup: string, imports: string) =>
  `import express from 'express';\nimport { db } from './db';\n${imports}\nexport const app = express();\napp.post('/invitations/accept', async (req, res) => {\n  const invite = await ${lookup};\n  res.json(invite);\n});\n`;

function sqlProject(def: Default): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'inv', private: true, dependencies: { pg: '^8.11.0', express: '^5.1.0' } }),
    'migrations/001_init.sql': `CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE invitations (\n  id serial PRIMARY KEY,\n  org_id uuid NOT NULL REFERENCES orgs(id),\n  email text NOT NULL,\n  magic text NOT NULL${SQL_DEFAULT[def]}\n);\nCREATE INDEX invitations_org ON invitations (org_id, id);\n`,
    'src/db.ts': `import { Pool } from 'pg';\nexport const db = new Pool();\n`,
    'src/routes.ts': ROUTE(`db.query('SELECT * FROM invitations WHERE magic = $1', [req.body.magic])`, ''),
  });
}

function prismaProject(def: Default): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'inv', private: true, dependencies: { '@prisma/client': '^6.8.0', express: '^5.1.0' } }),
    'prisma/schema.prisma': `datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\nmodel Org {\n  id          String       @id\n  invitations Invitation[]\n}\n\nmodel Invitation {\n  id    Int    @id @default(autoincrement())\n  orgId String\n  org   Org    @relation(fields: [orgId], references: [id])\n  email String\n  magic String${PRISMA_DEFAULT[def]}\n  @@index([orgId, id])\n}\n`,
    'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
    'src/routes.ts': ROUTE(`db.invitation.findFirst({ where: { magic: req.body.magic } })`, ''),
  });
}

function drizzleProject(def: Default): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'inv', private: true, dependencies: { 'drizzle-orm': '^0.44.0', pg: '^8.11.0', express: '^5.1.0' } }),
    'src/schema.ts': `import { randomBytes } from 'node:crypto';\nimport { index, pgTable, serial, text } from 'drizzle-orm/pg-core';\nexport const orgs = pgTable('orgs', { id: text('id').primaryKey() });\nexport const invitations = pgTable('invitations', { id: serial('id').primaryKey(), orgId: text('org_id').notNull().references(() => orgs.id), email: text('email').notNull(), magic: ${def === 'uuid' ? `uuid('magic')` : `text('magic')`}.notNull()${DRIZZLE_DEFAULT[def]} }, (t) => [index('invitations_org').on(t.orgId, t.id)]);\n`.replace("import { index, pgTable, serial, text }", def === 'uuid' ? 'import { index, pgTable, serial, text, uuid }' : 'import { index, pgTable, serial, text }'),
    'src/db.ts': `import { drizzle } from 'drizzle-orm/node-postgres';\nexport const db = drizzle(process.env.DATABASE_URL!);\n`,
    'src/routes.ts': ROUTE(`db.select().from(invitations).where(eq(invitations.magic, req.body.magic))`, `import { eq } from 'drizzle-orm';\nimport { invitations } from './schema';\n`),
  });
}

const PROJECTS = { sql: sqlProject, prisma: prismaProject, drizzle: drizzleProject };

async function severities(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file} ${f.severity}`);
}

describe.each(['sql', 'prisma', 'drizzle'] as const)('a lookup by a column filled with random bytes (%s)', (orm) => {
  it('the invitation found by its random-bytes secret: a credential lookup, not reported', async () => {
    expect(await severities(PROJECTS[orm]('bytes'))).toEqual([]);
  });

  it('twin: the column filled with a generated uuid is an identifier: error', async () => {
    expect(await severities(PROJECTS[orm]('uuid'))).toEqual(['src/routes.ts error']);
  });

  it('twin: the column with no default: error', async () => {
    expect(await severities(PROJECTS[orm]('none'))).toEqual(['src/routes.ts error']);
  });
});

describe('both faces', () => {
  it('the scanner and the ESLint plugin agree on the random-bytes secret and its twin', async () => {
    for (const dir of [drizzleProject('bytes'), drizzleProject('none'), prismaProject('bytes'), prismaProject('uuid')]) {
      const { scanner, eslint } = await bothFaces(dir, 'require-tenant-filter');
      expect(eslint).toEqual(scanner);
    }
  });
});
