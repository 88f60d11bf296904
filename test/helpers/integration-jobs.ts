/**
 * Organization > Integration in Prisma, Drizzle and raw SQL (pg), with the one write a job makes
 * (`markRun(id)`: an update by the integration's id alone): the project of the job-entry test files in
 * test/paths, which differ only in how the write is reached.
 */
export type Orm = 'prisma' | 'drizzle' | 'sql';

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id           String        @id
  integrations Integration[]
}

model Integration {
  id             String       @id
  lastRunAt      DateTime?
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, id])
}
`;

const DRIZZLE_SCHEMA = `import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
export const organizations = pgTable('organizations', { id: text('id').primaryKey() });
export const integrations = pgTable('integrations', { id: text('id').primaryKey(), lastRunAt: timestamp('last_run_at'), organizationId: text('organization_id').notNull().references(() => organizations.id) }, (t) => [index('integrations_org').on(t.organizationId, t.id)]);
`;

const SQL_SCHEMA = `CREATE TABLE organizations (id text PRIMARY KEY);
CREATE TABLE integrations (
  id text PRIMARY KEY,
  last_run_at timestamptz,
  organization_id text NOT NULL REFERENCES organizations(id)
);
CREATE INDEX integrations_org ON integrations (organization_id, id);
`;

export const ORMS: Record<Orm, { deps: Record<string, string>; schema: Record<string, string>; db: string; imports: string; touch: string }> = {
  prisma: {
    deps: { '@prisma/client': '^6.8.0' },
    schema: { 'prisma/schema.prisma': PRISMA_SCHEMA },
    db: `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
    imports: '',
    touch: `db.integration.update({ where: { id }, data: { lastRunAt: new Date() } })`,
  },
  drizzle: {
    deps: { 'drizzle-orm': '^0.44.0', pg: '^8.11.0' },
    schema: { 'src/schema.ts': DRIZZLE_SCHEMA },
    db: `import { drizzle } from 'drizzle-orm/node-postgres';\nexport const db = drizzle(process.env.DATABASE_URL!);\n`,
    imports: `import { eq } from 'drizzle-orm';\nimport { integrations } from './schema';\n`,
    touch: `db.update(integrations).set({ lastRunAt: new Date() }).where(eq(integrations.id, id))`,
  },
  sql: {
    deps: { pg: '^8.11.0' },
    schema: { 'migrations/001_init.sql': SQL_SCHEMA },
    db: `import { Pool } from 'pg';\nexport const db = new Pool();\n`,
    imports: '',
    touch: `db.query('UPDATE integrations SET last_run_at = now() WHERE id = $1', [id])`,
  },
};

