import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Issue 13, class 5, session 17. openops registers its system jobs with a project registry
 * (`systemJobHandlers.registerJobHandler(SystemJobName.TRIGGER_DATA_CLEANER, async function () {...})`,
 * judged openops trigger-event.service.ts:171): the registrar stores the handler in a module map by
 * the job's name, and a BullMQ `Worker`'s processor takes it out of the map (`getJobHandler(job.name)`)
 * and runs it. Recognised by that structure, not by the registrar's name: a handler stored in a keyed
 * map whose readers run inside a job runner's processor is a job (info). Twins: the same registry read
 * by a route, and a registry no job runner reads, stay errors. In Prisma, Drizzle and raw SQL.
 */

const { makeProject } = useScratch();

type Orm = 'prisma' | 'drizzle' | 'sql';

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

const ORMS: Record<Orm, { deps: Record<string, string>; schema: Record<string, string>; db: string; imports: string; touch: string }> = {
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

function project(orm: Orm, files: Record<string, string>): string {
  const o = ORMS[orm];
  return makeProject({
    'package.json': JSON.stringify({ name: 'jobs', private: true, dependencies: { ...o.deps, bullmq: '^5.0.0', express: '^5.1.0' } }),
    ...o.schema,
    'src/db.ts': o.db,
    'src/integrations.ts': `import { db } from './db';\n${o.imports}\nexport async function markRun(id: string) {\n  return ${o.touch};\n}\n`,
    ...files,
  });
}

function at(orm: Orm): string {
  return `src/integrations.ts:${3 + ORMS[orm].imports.split('\n').length}`;
}

async function severities(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`);
}

const REGISTRY = `type Handler = (data: any) => Promise<void>;\nconst jobHandlers = new Map<string, Handler>();\n\nexport const systemJobHandlers = {\n  registerJobHandler(name: string, handler: Handler): void {\n    jobHandlers.set(name, handler);\n  },\n  getJobHandler(name: string): Handler {\n    const handler = jobHandlers.get(name);\n    if (!handler) throw new Error(\`No handler for job \${name}\`);\n    return handler;\n  },\n};\n`;

const WORKER = `import { Worker } from 'bullmq';\nimport { systemJobHandlers } from './job-handlers';\n\nexport function startSystemJobs() {\n  return new Worker('system-jobs', async (job: any) => {\n    const handler = systemJobHandlers.getJobHandler(job.name);\n    await handler(job.data);\n  });\n}\n`;

const MODULE = `import { systemJobHandlers } from './job-handlers';\nimport { markRun } from './integrations';\n\nexport async function integrationsModule(app: unknown) {\n  systemJobHandlers.registerJobHandler('integrations-touch', async function touchJobHandler(data: any): Promise<void> {\n    await markRun(data.id);\n  });\n}\n`;

const NAMED = `import { systemJobHandlers } from './job-handlers';\nimport { markRun } from './integrations';\n\nasync function touchJobHandler(data: any): Promise<void> {\n  await markRun(data.id);\n}\n\nexport function integrationsModule() {\n  systemJobHandlers.registerJobHandler('integrations-touch', touchJobHandler);\n}\n`;

const ROUTE_RUNS = `import express from 'express';\nimport { systemJobHandlers } from './job-handlers';\n\nconst app = express();\napp.post('/jobs/:name', async (req, res) => {\n  await systemJobHandlers.getJobHandler(req.params.name)(req.body);\n  res.json({ ok: true });\n});\n`;

describe.each(['prisma', 'drizzle', 'sql'] as Orm[])('a project job registry (%s)', (orm) => {
  it('a handler stored by name in a map that a BullMQ Worker reads and runs is a job: info', async () => {
    expect(await severities(project(orm, { 'src/job-handlers.ts': REGISTRY, 'src/queue.ts': WORKER, 'src/module.ts': MODULE }))).toEqual([`${at(orm)} info`]);
    expect(await severities(project(orm, { 'src/job-handlers.ts': REGISTRY, 'src/queue.ts': WORKER, 'src/module.ts': NAMED }))).toEqual([`${at(orm)} info`]);
  });

  it('twin: the same registry also read and run by a route stays an error', async () => {
    expect(await severities(project(orm, { 'src/job-handlers.ts': REGISTRY, 'src/queue.ts': WORKER, 'src/module.ts': MODULE, 'src/server.ts': ROUTE_RUNS }))).toEqual([`${at(orm)} error`]);
  });

  it('twin: a registry that no job runner reads registers no job: error', async () => {
    expect(await severities(project(orm, { 'src/job-handlers.ts': REGISTRY, 'src/server.ts': ROUTE_RUNS, 'src/module.ts': MODULE }))).toEqual([`${at(orm)} error`]);
  });
});

describe('both faces', () => {
  it('the scanner and the ESLint plugin agree on the registry job and its twin', async () => {
    for (const files of [
      { 'src/job-handlers.ts': REGISTRY, 'src/queue.ts': WORKER, 'src/module.ts': MODULE },
      { 'src/job-handlers.ts': REGISTRY, 'src/server.ts': ROUTE_RUNS, 'src/module.ts': MODULE },
    ] as Record<string, string>[]) {
      const { scanner, eslint } = await bothFaces(project('prisma', files), 'require-tenant-filter');
      expect(eslint).toEqual(scanner);
    }
  });
});
