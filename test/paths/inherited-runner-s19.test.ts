import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';
import { ORMS, type Orm } from '../helpers/integration-jobs.js';

/*
 * Issue 13 (system code), session 19. crowd.dev's data sink worker runs `this.repo.transactionally(async
 * (txRepo) => txRepo.getDelayedResults(10))` (apps/data_sink_worker/src/service/dataSink.service.ts:142)
 * on a `DataSinkRepository` that extends `RepositoryBase`, where `transactionally` is declared and calls
 * the callback: the analysis did not find inherited methods, so it named the call a registration a request
 * reaches (error). The callback runs for the function that calls `transactionally`; its paths are that
 * function's: a timer (info), or a method nothing calls (a warning that says so). Twin: the same service method called by a route with an id from the body
 * stays an error, naming the route.
 */

const { makeProject } = useScratch();

const BASE = `export abstract class RepositoryBase<TRepo> {
  async transactionally<T>(process: (repo: TRepo) => Promise<T>): Promise<T> {
    return process(this as unknown as TRepo);
  }
}
`;

const REPO = `import { RepositoryBase } from './base';
import { markRun } from './integrations';

export class ResultsRepository extends RepositoryBase<ResultsRepository> {
  async touch(id: string) {
    return markRun(id);
  }
}
`;

const SERVICE = `import { ResultsRepository } from './results.repo';

export class ResultsService {
  private readonly repo: ResultsRepository;

  constructor() {
    this.repo = new ResultsRepository();
  }

  async checkResults(id: string) {
    return this.repo.transactionally(async (txRepo) => txRepo.touch(id));
  }
}
`;

const TIMER = `import { ResultsService } from './results.service';\n\nconst service = new ResultsService();\nsetInterval(() => void service.checkResults(process.env.RESULT_ID ?? ''), 60_000);\n`;
const RECEIVER = `import { ResultsService } from './results.service';\n\nexport class ResultsReceiver {\n  async processMessage(message: { id: string }) {\n    await new ResultsService().checkResults(message.id);\n  }\n}\n`;
const ROUTE = `import express from 'express';\nimport { ResultsService } from './results.service';\n\nexport const app = express();\napp.post('/results', async (req, res) => {\n  await new ResultsService().checkResults(req.body.id);\n  res.end();\n});\n`;

function project(orm: Orm, entry: Record<string, string>): string {
  const o = ORMS[orm];
  return makeProject({
    'package.json': JSON.stringify({ name: 'sink', private: true, dependencies: { ...o.deps, express: '^5.1.0' } }),
    ...o.schema,
    'src/db.ts': o.db,
    'src/integrations.ts': `import { db } from './db';\n${o.imports}\nexport async function markRun(id: string) {\n  return ${o.touch};\n}\n`,
    'src/base.ts': BASE,
    'src/results.repo.ts': REPO,
    'src/results.service.ts': SERVICE,
    ...entry,
  });
}

async function severities(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.severity} ${/registered with `([^`]+)`/.exec(f.evidence)?.[1] ?? ''}`);
}

describe.each(['prisma', 'drizzle', 'sql'] as Orm[])('a callback run by a method inherited from a base class (%s)', (orm) => {
  it('this.repo.transactionally(...) inherited from RepositoryBase, reached from a timer: info', async () => {
    expect(await severities(project(orm, { 'src/main.ts': TIMER }))).toEqual(['info setInterval(...)']);
  });

  it('reached from a method nothing calls: a warning that says so, not a registration', async () => {
    const result = await scan({ path: project(orm, { 'src/receiver.ts': RECEIVER }) });
    const found = result.findings.filter((f) => f.ruleId === 'require-tenant-filter');
    expect(found.map((f) => f.severity)).toEqual(['warning']);
    expect(found[0]!.evidence).toContain('Nothing in the repository calls');
    expect(found[0]!.evidence).not.toContain('transactionally');
  });

  it('twin: the same service method called by a route with an id from the body: error naming the route', async () => {
    expect(await severities(project(orm, { 'src/server.ts': ROUTE }))).toEqual(['error app.post(...)']);
  });
});

describe('both faces', () => {
  it('the scanner and the ESLint plugin agree on the inherited runner and its twin', async () => {
    for (const entry of [{ 'src/main.ts': TIMER }, { 'src/server.ts': ROUTE }] as Record<string, string>[]) {
      const { scanner, eslint } = await bothFaces(project('prisma', entry), 'require-tenant-filter');
      expect(eslint).toEqual(scanner);
    }
  });
});
