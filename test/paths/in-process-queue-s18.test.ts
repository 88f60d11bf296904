import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';
import { ORMS, type Orm } from '../helpers/integration-jobs.js';

/*
 * Issue 13, class 5, session 18. hyperdx's alert task hands each alert to a p-queue built in its
 * constructor (`this.task_queue = new PQueue({ concurrency })`, then `this.task_queue.add(async () =>
 * processAlert(...))`, checkAlerts/index.ts:1892, writes in providers/default.ts:421/472): an in-process
 * queue runs the callback for the code that adds it, so the write's paths are the task's (a cron job:
 * info), not a registration that a request may reach (error). The batch is itself queued by the task, as
 * hyperdx's is, so each step of the path is a queued callback. Twins: the same task run by a route with ids
 * from the body stays an error that names the route (it named the queue's `add` as a request handler), and a
 * project class named PQueue (not the package) is not followed.
 */

const { makeProject } = useScratch();

const TASK = (queueImport: string) =>
  `${queueImport}\nimport { markRun } from './integrations';\n\nexport class SyncTask {\n  private queue: PQueue;\n\n  constructor() {\n    this.queue = new PQueue({ concurrency: 2 });\n  }\n\n  async execute(batches: string[][]) {\n    for (const ids of batches) {\n      this.queue.add(async () => this.processBatch(ids));\n    }\n  }\n\n  async processBatch(ids: string[]) {\n    for (const id of ids) {\n      this.queue.add(async () => {\n        await markRun(id);\n      });\n    }\n  }\n}\n`;

const PACKAGE_QUEUE = `import PQueue from 'p-queue';`;
const PROJECT_QUEUE = `import { PQueue } from './own-queue';`;
const OWN_QUEUE = `export class PQueue {\n  private jobs: (() => Promise<void>)[] = [];\n  constructor(readonly options: { concurrency: number }) {}\n  add(job: () => Promise<void>) {\n    this.jobs.push(job);\n  }\n}\n`;

const CRON = `import cron from 'node-cron';\nimport { SyncTask } from './task';\n\ninterface Task {\n  execute(batches: string[][]): Promise<void>;\n}\n\nfunction createTask(name: string): Task {\n  if (name === 'sync') return new SyncTask();\n  throw new Error(name);\n}\n\ncron.schedule('0 * * * *', () => createTask(process.argv[2] ?? 'sync').execute([['a', 'b']]));\n`;
const ROUTE = `import express from 'express';\nimport { SyncTask } from './task';\n\nexport const app = express();\napp.post('/sync', async (req, res) => {\n  await new SyncTask().execute([req.body.ids]);\n  res.json({ ok: true });\n});\n`;

function project(orm: Orm, files: Record<string, string>): string {
  const o = ORMS[orm];
  return makeProject({
    'package.json': JSON.stringify({ name: 'tasks', private: true, dependencies: { ...o.deps, 'p-queue': '^8.0.0', 'node-cron': '^3.0.0', express: '^5.1.0' } }),
    ...o.schema,
    'src/db.ts': o.db,
    'src/integrations.ts': `import { db } from './db';\n${o.imports}\nexport async function markRun(id: string) {\n  return ${o.touch};\n}\n`,
    'src/own-queue.ts': OWN_QUEUE,
    ...files,
  });
}

function at(orm: Orm): string {
  return `src/integrations.ts:${3 + ORMS[orm].imports.split('\n').length}`;
}

async function severities(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  // With the entry the evidence names first: the route or the cron job, never the queue's `add`.
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity} ${/registered with `([^`]+)`/.exec(f.evidence)?.[1] ?? ''}`);
}

describe.each(['prisma', 'drizzle', 'sql'] as Orm[])('work handed to an in-process p-queue (%s)', (orm) => {
  it('a cron task adding the write to its p-queue: system code, info', async () => {
    expect(await severities(project(orm, { 'src/task.ts': TASK(PACKAGE_QUEUE), 'src/cron.ts': CRON }))).toEqual([`${at(orm)} info cron.schedule(...)`]);
  });

  it('twin: the same task run by a route with ids from the body: error, naming the route (not the queue\'s add)', async () => {
    expect(await severities(project(orm, { 'src/task.ts': TASK(PACKAGE_QUEUE), 'src/server.ts': ROUTE }))).toEqual([`${at(orm)} error app.post(...)`]);
  });

  it('twin: a project class named PQueue, which stores the job: a registration, error', async () => {
    expect(await severities(project(orm, { 'src/task.ts': TASK(PROJECT_QUEUE), 'src/cron.ts': CRON }))).toEqual([`${at(orm)} error this….add(...)`]);
  });
});

describe('both faces', () => {
  it('the scanner and the ESLint plugin agree on the queued task and its twin', async () => {
    for (const files of [
      { 'src/task.ts': TASK(PACKAGE_QUEUE), 'src/cron.ts': CRON },
      { 'src/task.ts': TASK(PACKAGE_QUEUE), 'src/server.ts': ROUTE },
    ] as Record<string, string>[]) {
      const { scanner, eslint } = await bothFaces(project('prisma', files), 'require-tenant-filter');
      expect(eslint).toEqual(scanner);
    }
  });
});
