import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';
import { ORMS, type Orm } from '../helpers/integration-jobs.js';

/*
 * Issue 13 (system code), session 19. crowd.dev's workflows call their activities through
 * `proxyActivities<typeof activities>({ ... })` with `import * as activities from '../activities/nangoActivities'`
 * (nango_worker/src/workflows/processNangoWebhook.ts:6): nothing calls an activity by name, so about 70
 * queries were read as uncalled (a warning, "no request reaches this query today"). A Temporal worker runs
 * them for a workflow: info, naming the workflow. Twins: the same activity also called from a route with an
 * id from the body stays an error; a module no `proxyActivities` names stays uncalled (warning).
 */

const { makeProject } = useScratch();

const ACTIVITIES = `import { markRun } from '../integrations';\n\nexport async function refreshIntegration(id: string): Promise<void> {\n  await markRun(id);\n}\n`;
const INDEX = `export * from './integrations';\n`;
const WORKFLOW = (module: string) => `import { proxyActivities } from '@temporalio/workflow';
import * as activities from '${module}';

const activity = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export async function refreshIntegrationWorkflow(args: { id: string }): Promise<void> {
  await activity.refreshIntegration(args.id);
}
`;
const NOTIFICATIONS = `export async function refreshIntegration(id: string): Promise<void> {\n  console.log('refresh', id);\n}\n`;
const ROUTE = `import express from 'express';\nimport { refreshIntegration } from './activities';\n\nexport const app = express();\napp.post('/refresh', async (req, res) => {\n  await refreshIntegration(req.body.id);\n  res.end();\n});\n`;

function project(orm: Orm, files: Record<string, string>): string {
  const o = ORMS[orm];
  return makeProject({
    'package.json': JSON.stringify({ name: 'worker', private: true, dependencies: { ...o.deps, express: '^5.1.0', '@temporalio/workflow': '^1.11.0' } }),
    ...o.schema,
    'src/db.ts': o.db,
    'src/integrations.ts': `import { db } from './db';\n${o.imports}\nexport async function markRun(id: string) {\n  return ${o.touch};\n}\n`,
    'src/activities/integrations.ts': ACTIVITIES,
    'src/activities/index.ts': INDEX,
    ...files,
  });
}

async function findings(dir: string) {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter');
}

describe.each(['sql', 'prisma', 'drizzle'] as Orm[])('Temporal activities (%s)', (orm) => {
  it('an activity re-exported by the module proxyActivities<typeof activities>() names: info naming the workflow', async () => {
    const found = await findings(project(orm, { 'src/workflows/refresh.ts': WORKFLOW('../activities') }));
    expect(found.map((f) => f.severity)).toEqual(['info']);
    expect(found[0]!.evidence).toContain('Temporal activity');
    expect(found[0]!.evidence).toContain('src/workflows/refresh.ts:4');
  });

  it('twin: the same activity also called from a route with an id from the body: error naming the route', async () => {
    const found = await findings(project(orm, { 'src/workflows/refresh.ts': WORKFLOW('../activities'), 'src/server.ts': ROUTE }));
    expect(found.map((f) => f.severity)).toEqual(['error']);
    expect(found[0]!.evidence).toContain('app.post');
  });

  it('twin: a module no proxyActivities names stays uncalled (warning)', async () => {
    const found = await findings(project(orm, { 'src/workflows/refresh.ts': WORKFLOW('../notifications'), 'src/notifications.ts': NOTIFICATIONS }));
    expect(found.map((f) => f.severity)).toEqual(['warning']);
    expect(found[0]!.evidence).not.toContain('Temporal activity');
  });
});

describe('both faces', () => {
  it('the scanner and the ESLint plugin agree on the activity and its twin', async () => {
    for (const files of [{ 'src/workflows/refresh.ts': WORKFLOW('../activities') }, { 'src/workflows/refresh.ts': WORKFLOW('../activities'), 'src/server.ts': ROUTE }] as Record<string, string>[]) {
      const { scanner, eslint } = await bothFaces(project('sql', files), 'require-tenant-filter');
      expect(eslint).toEqual(scanner);
    }
  });
});
