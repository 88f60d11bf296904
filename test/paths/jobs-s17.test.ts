import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';
import { ORMS, type Orm } from '../helpers/integration-jobs.js';

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
