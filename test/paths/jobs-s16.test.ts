import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';
import { ORMS, type Orm } from '../helpers/integration-jobs.js';

/*
 * Background jobs met in the field (issue 13, class 5): comp's Trigger.dev tasks (`schemaTask({ id,
 * schema, run })`, judged C00/C03/C07) and useSend's BullMQ workers, whose processor is a project
 * wrapper's result (`new Worker(queue, createWorkerHandler(async (job) => ...))`, judged
 * useSend-3/-12). What a job runs is system code (info), recognised by the registration's import
 * and shape, not by a folder. Each safe shape has its unsafe twin: the same query reached from a
 * route stays an error, and a project function that only shares a job runner's name is not one.
 * In Prisma, Drizzle and raw SQL.
 */

const { makeProject } = useScratch();

function project(orm: Orm, files: Record<string, string>): string {
  const o = ORMS[orm];
  return makeProject({
    'package.json': JSON.stringify({ name: 'jobs', private: true, dependencies: { ...o.deps, '@trigger.dev/sdk': '^4.0.0', bullmq: '^5.0.0', express: '^5.1.0', zod: '^3.0.0' } }),
    ...o.schema,
    'src/db.ts': o.db,
    'src/integrations.ts': `import { db } from './db';\n${o.imports}\nexport async function markRun(id: string) {\n  return ${o.touch};\n}\n`,
    ...files,
  });
}

/** The line of the query in `src/integrations.ts`. */
function at(orm: Orm): string {
  return `src/integrations.ts:${3 + ORMS[orm].imports.split('\n').length}`;
}

async function severities(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`);
}

const TASK = `import { schemaTask } from '@trigger.dev/sdk';\nimport { z } from 'zod';\nimport { markRun } from './integrations';\n\nexport const sendResults = schemaTask({\n  id: 'send-results',\n  schema: z.object({ id: z.string() }),\n  run: async ({ id }) => {\n    await markRun(id);\n  },\n});\n`;

const ROUTE = `import express from 'express';\nimport { markRun } from './integrations';\n\nconst app = express();\napp.post('/integrations/run', async (req, res) => {\n  await markRun(req.body.id);\n  res.json({ ok: true });\n});\n`;

const WRAPPER = `import type { Job } from 'bullmq';\n\nexport function createWorkerHandler<T>(handler: (job: Job<T>) => Promise<void>) {\n  return async (job: Job<T>) => {\n    return await handler(job);\n  };\n}\n`;

describe.each(['prisma', 'drizzle', 'sql'] as Orm[])('background jobs (%s)', (orm) => {
  it('a Trigger.dev `schemaTask({ run })` from `@trigger.dev/sdk` is system code: info', async () => {
    expect(await severities(project(orm, { 'src/task.ts': TASK }))).toEqual([`${at(orm)} info`]);
  });

  it('twin: the same query reached from a route as well stays an error', async () => {
    expect(await severities(project(orm, { 'src/task.ts': TASK, 'src/server.ts': ROUTE }))).toEqual([`${at(orm)} error`]);
  });

  it('twin: a project function that is only named `schemaTask` registers no job: error', async () => {
    const local = TASK.replace(`import { schemaTask } from '@trigger.dev/sdk';`, `import { schemaTask } from './handlers';`);
    const handlers = `export function schemaTask(def: { run: (payload: any) => Promise<void> }) {\n  return def;\n}\n`;
    expect(await severities(project(orm, { 'src/task.ts': local, 'src/handlers.ts': handlers }))).toEqual([`${at(orm)} error`]);
  });

  it('a BullMQ `new Worker(queue, wrap(handler))` runs the wrapped handler for jobs: info', async () => {
    const inline = `import { Worker } from 'bullmq';\nimport { createWorkerHandler } from './bullmq-context';\nimport { markRun } from './integrations';\n\nexport class RunService {\n  static worker = new Worker(\n    'runs',\n    createWorkerHandler(async (job: any) => {\n      await markRun(job.data.id);\n    }),\n  );\n}\n`;
    expect(await severities(project(orm, { 'src/bullmq-context.ts': WRAPPER, 'src/worker.ts': inline }))).toEqual([`${at(orm)} info`]);
    const named = `import { Worker } from 'bullmq';\nimport { createWorkerHandler } from './bullmq-context';\nimport { markRun } from './integrations';\n\nasync function processRun(job: any) {\n  await markRun(job.data.id);\n}\n\nexport function start() {\n  return new Worker('runs', createWorkerHandler(processRun));\n}\n`;
    expect(await severities(project(orm, { 'src/bullmq-context.ts': WRAPPER, 'src/worker.ts': named }))).toEqual([`${at(orm)} info`]);
  });

  it('twin: the same wrapper handed to a route registers a request handler: error', async () => {
    const route = `import express from 'express';\nimport { createWorkerHandler } from './bullmq-context';\nimport { markRun } from './integrations';\n\nconst app = express();\napp.post('/runs', createWorkerHandler(async (req: any) => {\n  await markRun(req.body.id);\n}));\n`;
    expect(await severities(project(orm, { 'src/bullmq-context.ts': WRAPPER, 'src/server.ts': route }))).toEqual([`${at(orm)} error`]);
  });
});

describe('both faces', () => {
  it('the scanner and the ESLint plugin agree on the job and on its twin', async () => {
    for (const files of [{ 'src/task.ts': TASK }, { 'src/task.ts': TASK, 'src/server.ts': ROUTE }] as Record<string, string>[]) {
      const { scanner, eslint } = await bothFaces(project('prisma', files), 'require-tenant-filter');
      expect(eslint).toEqual(scanner);
    }
  });
});
