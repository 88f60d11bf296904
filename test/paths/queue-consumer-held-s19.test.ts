import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';
import { ORMS, type Orm } from '../helpers/integration-jobs.js';

/*
 * Issue 13 (system code), session 19. crowd.dev's data sink worker hands `async (batch) =>
 * service.processResults(batch)` to `new BatchProcessor(...)` in the constructor of `WorkerQueueReceiver`,
 * keeps it in a private field and feeds it from `processMessage` (apps/data_sink_worker/src/queue/index.ts:62),
 * an override of the method its base class from the workspace package `@crowd/queue` (kafkajs) hands to the
 * consumer loop. The analysis named `BatchProcessor(...)` a registration a request reaches (error on
 * data-access-layer members/segments.ts:230/260, dataSink.repo.ts:156/174/289). The callback runs for queued
 * messages: info. Twins: the same write also reached from a route with an id from the body, and a public method
 * of the receiver that feeds the batch from a route, stay errors.
 */

const { makeProject } = useScratch();

const QUEUE = `import { Kafka } from 'kafkajs';

export abstract class QueueReceiver {
  private readonly consumer = new Kafka({ brokers: ['kafka:9092'] }).consumer({ groupId: 'sink' });

  async start(): Promise<void> {
    const process = this.processMessage.bind(this);
    await this.consumer.run({ eachMessage: async ({ message }) => process(JSON.parse(String(message.value))) });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  protected abstract processMessage(message: { id: string }): Promise<void>;
}
`;

const BATCH = `export class BatchProcessor<T> {
  private items: T[] = [];

  constructor(private readonly size: number, private readonly run: (batch: T[]) => Promise<void>) {}

  async addToBatch(item: T): Promise<void> {
    this.items.push(item);
    if (this.items.length >= this.size) await this.flush();
  }

  async flush(): Promise<void> {
    const batch = this.items;
    this.items = [];
    await this.run(batch);
  }
}
`;

const receiver = (extra: string) => `import { QueueReceiver } from '@acme/queue';
import { BatchProcessor } from './batch';
import { markRun } from './integrations';

export class ResultsReceiver extends QueueReceiver {
  private readonly batch: BatchProcessor<string>;

  constructor() {
    super();
    this.batch = new BatchProcessor<string>(20, async (ids) => {
      for (const id of ids) await markRun(id);
    });
  }

  override async processMessage(message: { id: string }): Promise<void> {
    await this.batch.addToBatch(message.id);
  }

  override async stop(): Promise<void> {
    await this.batch.flush();
    await super.stop();
  }
${extra}}
`;

const MAIN = `import { ResultsReceiver } from './receiver';\n\nvoid new ResultsReceiver().start();\n`;
const ROUTE = `import express from 'express';\nimport { markRun } from './integrations';\n\nexport const app = express();\napp.post('/results', async (req, res) => {\n  await markRun(req.body.id);\n  res.end();\n});\n`;
const ENQUEUE = `\n  async enqueue(id: string): Promise<void> {\n    await this.batch.addToBatch(id);\n  }\n`;
const ENQUEUE_ROUTE = `import express from 'express';\nimport { ResultsReceiver } from './receiver';\n\nconst receiver = new ResultsReceiver();\nexport const app = express();\napp.post('/results', async (req, res) => {\n  await receiver.enqueue(req.body.id);\n  res.end();\n});\n`;

function project(orm: Orm, files: Record<string, string>, extra = ''): string {
  const o = ORMS[orm];
  return makeProject({
    'package.json': JSON.stringify({ name: 'sink', private: true, workspaces: ['packages/*'], dependencies: { ...o.deps, express: '^5.1.0', '@acme/queue': 'workspace:*' } }),
    'packages/queue/package.json': JSON.stringify({ name: '@acme/queue', private: true, main: 'src/index.ts', dependencies: { kafkajs: '^2.2.4' } }),
    'packages/queue/src/index.ts': QUEUE,
    ...o.schema,
    'src/db.ts': o.db,
    'src/integrations.ts': `import { db } from './db';\n${o.imports}\nexport async function markRun(id: string) {\n  return ${o.touch};\n}\n`,
    'src/batch.ts': BATCH,
    'src/receiver.ts': receiver(extra),
    'src/main.ts': MAIN,
    ...files,
  });
}

async function findings(dir: string) {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter');
}

describe.each(['sql', 'prisma', 'drizzle'] as Orm[])('a callback a queue receiver keeps in a private field (%s)', (orm) => {
  it('new BatchProcessor(..., callback) in the constructor, fed from the overridden processMessage: info', async () => {
    const found = await findings(project(orm, {}));
    expect(found.map((f) => f.severity)).toEqual(['info']);
    expect(found[0]!.evidence).toContain('BatchProcessor');
    expect(found[0]!.evidence).toContain('kafkajs');
  });

  it('twin: the same write also reached from a route with an id from the body: error naming the route', async () => {
    const found = await findings(project(orm, { 'src/server.ts': ROUTE }));
    expect(found.map((f) => f.severity)).toEqual(['error']);
    expect(found[0]!.evidence).toContain('app.post');
  });

  it('twin: a public method of the receiver feeds the batch from a route: error', async () => {
    const found = await findings(project(orm, { 'src/server.ts': ENQUEUE_ROUTE }, ENQUEUE));
    expect(found.map((f) => f.severity)).toEqual(['error']);
  });
});

describe('both faces', () => {
  it('the scanner and the ESLint plugin agree on the queue-held callback and its twin', async () => {
    for (const files of [{}, { 'src/server.ts': ROUTE }] as Record<string, string>[]) {
      const { scanner, eslint } = await bothFaces(project('sql', files), 'require-tenant-filter');
      expect(eslint).toEqual(scanner);
    }
  });
});
