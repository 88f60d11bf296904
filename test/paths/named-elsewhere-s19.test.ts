import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * "Nothing in the repository calls X" must be true (judged evidence, session 19): jitsu's
 * `/api/workspace` handler is an object's `handle` that the project's router calls as
 * `handler.handle(...)` (webapps/console/lib/api.ts), Cap's `Videos.delete` is called as
 * `videos.delete(id)` on an Effect service, appsemble's controller is named by an OpenAPI
 * `operationId`. None of these is a call the graph resolves. When another file names the function,
 * the finding says where and that the analysis stopped there (still a warning); when nothing else
 * names it, it still says nothing calls it. In Prisma and Drizzle.
 */

const { makeProject } = useScratch();

type Orm = 'prisma' | 'drizzle';

const ORMS: Record<Orm, { deps: Record<string, string>; schema: Record<string, string>; head: string; read: string }> = {
  prisma: {
    deps: { '@prisma/client': '^6.8.0' },
    schema: {
      'prisma/schema.prisma': `datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\nmodel Workspace {\n  id       String    @id\n  projects Project[]\n}\n\nmodel Project {\n  id          String    @id\n  workspaceId String\n  workspace   Workspace @relation(fields: [workspaceId], references: [id])\n  @@index([workspaceId, id])\n}\n`,
    },
    head: `import { PrismaClient } from '@prisma/client';\nconst db = new PrismaClient();\n`,
    read: `db.project.findFirst({ where: { id } })`,
  },
  drizzle: {
    deps: { 'drizzle-orm': '^0.44.0', pg: '^8.11.0' },
    schema: {
      'src/schema.ts': `import { index, pgTable, text } from 'drizzle-orm/pg-core';\nexport const workspaces = pgTable('workspaces', { id: text('id').primaryKey() });\nexport const projects = pgTable('projects', { id: text('id').primaryKey(), workspaceId: text('workspace_id').notNull().references(() => workspaces.id) }, (t) => [index('projects_ws').on(t.workspaceId, t.id)]);\n`,
    },
    head: `import { drizzle } from 'drizzle-orm/node-postgres';\nimport { eq } from 'drizzle-orm';\nimport { projects } from './schema';\nconst db = drizzle(process.env.DATABASE_URL!);\n`,
    read: `db.select().from(projects).where(eq(projects.id, id))`,
  },
};

const ROUTER = `export async function dispatch(api: any, method: string, args: any) {\n  const handler = api[method];\n  return handler.handleProject(args);\n}\n`;

const OPENAPI = `export const paths = {\n  '/projects/{id}': {\n    get: { operationId: 'handleProject' },\n  },\n};\n`;

function project(orm: Orm, router: boolean | 'openapi'): string {
  const o = ORMS[orm];
  return makeProject({
    'package.json': JSON.stringify({ name: 'named', private: true, dependencies: { ...o.deps } }),
    ...o.schema,
    'src/api.ts': `${o.head}\nexport const api = {\n  GET: {\n    handleProject: async ({ id }: { id: string }) => ${o.read},\n  },\n};\n`,
    ...(router === true ? { 'src/router.ts': ROUTER } : router === 'openapi' ? { 'src/paths.ts': OPENAPI } : {}),
  });
}

async function findings(dir: string) {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/api.ts');
}

describe.each(['prisma', 'drizzle'] as Orm[])('a handler no traced call reaches (%s)', (orm) => {
  it('named by another file: the evidence says where, not that nothing calls it', async () => {
    const found = await findings(project(orm, true));
    expect(found.map((f) => f.severity)).toEqual(['warning']);
    expect(found[0]!.evidence).not.toMatch(/Nothing in the repository calls/);
    expect(found[0]!.evidence).toMatch(/src\/router\.ts:3` names `handleProject`/);
  });

  it('named by an OpenAPI operationId: the evidence says where', async () => {
    const found = await findings(project(orm, 'openapi'));
    expect(found.map((f) => f.severity)).toEqual(['warning']);
    expect(found[0]!.evidence).toMatch(/src\/paths\.ts:3` names `handleProject`/);
  });

  it('named nowhere else: nothing calls it, as before', async () => {
    const found = await findings(project(orm, false));
    expect(found.map((f) => f.severity)).toEqual(['warning']);
    expect(found[0]!.evidence).toMatch(/Nothing in the repository calls `handleProject`/);
  });
});

describe('several files name the function', () => {
  it('the evidence cites the nearest by folder, not the first in file order', async () => {
    const o = ORMS.prisma;
    const dir = makeProject({
      'package.json': JSON.stringify({ name: 'named', private: true, dependencies: { ...o.deps } }),
      ...o.schema,
      // `apps/a-extension` sorts before `src`: an unrelated app that happens to use the word.
      'apps/a-extension/worker.ts': `export function onMessage(port: any) {\n  return port.handleProject({});\n}\n`,
      'src/api.ts': `${o.head}\nexport const api = {\n  GET: {\n    handleProject: async ({ id }: { id: string }) => ${o.read},\n  },\n};\n`,
      'src/router.ts': ROUTER,
    });
    const found = await findings(dir);
    expect(found.map((f) => f.severity)).toEqual(['warning']);
    expect(found[0]!.evidence).toMatch(/src\/router\.ts:3` names `handleProject`/);
    expect(found[0]!.evidence).not.toMatch(/a-extension/);
  });
});
