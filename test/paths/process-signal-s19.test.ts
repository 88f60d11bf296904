import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';
import { ORMS, type Orm } from '../helpers/integration-jobs.js';

/*
 * Issue 13 (system code), session 19. latitude-llm's servers register their graceful shutdown with
 * `process.on("SIGTERM", () => void handleShutdown("SIGTERM"))` (apps/api/src/server.ts:103), and the
 * shutdown flushes a buffer of key ids to the database (api-key-repository.ts:168): the analysis named
 * `process.on(...)` as a request handler (`on` is a request registrar's name). A handler of a process event
 * on Node's own `process` runs once for the process: system code, info. Twins: the same registration on a
 * project emitter (`bus.on('SIGTERM', ...)`, an EventEmitter the code emits on) and `process.on('message',
 * ...)` (messages another process sends) stay errors naming the registration.
 */

const { makeProject } = useScratch();

const SERVER = (registration: string, head = '') => `import { EventEmitter } from 'node:events';
import { markRun } from './integrations';
${head}
export const bus = new EventEmitter();

export function bootstrap(lastId: string) {
  const handleShutdown = async (id: string) => {
    await markRun(id);
  };
  ${registration}
}
`;

function project(orm: Orm, registration: string, head = ''): string {
  const o = ORMS[orm];
  return makeProject({
    'package.json': JSON.stringify({ name: 'server', private: true, dependencies: { ...o.deps, 'request-hooks': '^1.0.0' }, devDependencies: { vitest: '^3.0.0' } }),
    ...o.schema,
    'src/db.ts': o.db,
    'src/integrations.ts': `import { db } from './db';\n${o.imports}\nexport async function markRun(id: string) {\n  return ${o.touch};\n}\n`,
    'src/server.ts': SERVER(registration, head),
    'src/main.ts': `import { bootstrap } from './server';\nbootstrap(process.env.LAST_ID ?? '');\n`,
  });
}

async function severities(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.severity} ${/registered with `([^`]+)`/.exec(f.evidence)?.[1] ?? ''}`);
}

describe.each(['prisma', 'drizzle', 'sql'] as Orm[])('a write reached from a process signal handler (%s)', (orm) => {
  it("process.on('SIGTERM', ...): system code, info", async () => {
    expect(await severities(project(orm, `process.on('SIGTERM', () => void handleShutdown(lastId));`))).toEqual(['info process.on(...)']);
  });

  it("twin: the same registration on a project emitter (bus.on('SIGTERM', ...)): error", async () => {
    expect(await severities(project(orm, `bus.on('SIGTERM', (id: string) => void handleShutdown(id));`))).toEqual(['error bus.on(...)']);
  });

  it("twin: process.on('message', ...), ids sent by another process: error", async () => {
    expect(await severities(project(orm, `process.on('message', (message: { id: string }) => void handleShutdown(message.id));`))).toEqual(['error process.on(...)']);
  });
});

/*
 * The same file shows a shared test helper (latitude-llm's apps/api/src/test-utils/create-test-app.ts:131,
 * not named `*.test.ts`): `afterAll(...)` imported from vitest registers a hook the test runner runs, not a
 * request handler. Twin: an `afterAll` imported from a package that is not a test runner (a router's hook).
 */
describe.each(['prisma', 'drizzle', 'sql'] as Orm[])('a write reached from a test runner hook (%s)', (orm) => {
  it("afterAll(...) from vitest: system code, info", async () => {
    expect(await severities(project(orm, `afterAll(async () => handleShutdown(lastId));`, `import { afterAll } from 'vitest';\n`))).toEqual(['info afterAll(...)']);
  });

  it('twin: afterAll imported from a package that is not a test runner: error', async () => {
    expect(await severities(project(orm, `afterAll(async (id: string) => handleShutdown(id));`, `import { afterAll } from 'request-hooks';\n`))).toEqual(['error afterAll(...)']);
  });
});

describe('both faces', () => {
  it('the scanner and the ESLint plugin agree on the signal handler and its twin', async () => {
    for (const registration of [`process.on('SIGTERM', () => void handleShutdown(lastId));`, `bus.on('SIGTERM', (id: string) => void handleShutdown(id));`]) {
      const { scanner, eslint } = await bothFaces(project('prisma', registration), 'require-tenant-filter');
      expect(eslint).toEqual(scanner);
    }
  });
});
