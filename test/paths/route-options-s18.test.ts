import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';

/*
 * openpanel's API (s18): `fastify.route({ method: 'GET', url: '/stats', handler: controller.stats })`, the
 * handler a function of another module (a namespace import or a named one). The route's options object names
 * the handler the call registers, as `fastify.get('/stats', controller.stats)` would: the query is reached by a
 * request, not dead code ("nothing calls `stats`", a warning, hid a cross-tenant read). Twins: the same function
 * registered nowhere stays dead code (warning); a handler that scopes by the verified session is not reported.
 */

const { makeProject } = useScratch();

type Orm = 'prisma' | 'drizzle';

const FILES: Record<Orm, Record<string, string>> = {
  prisma: {
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { '@prisma/client': '^6.8.0', fastify: '^5.0.0' } }),
    'prisma/schema.prisma': `model Project {\n  id   String @id\n  refs Reference[]\n}\nmodel Reference {\n  id        String  @id\n  projectId String\n  project   Project @relation(fields: [projectId], references: [id])\n  @@index([projectId])\n}\n`,
    'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
  },
  drizzle: {
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { 'drizzle-orm': '^0.44.0', pg: '^8.16.0', fastify: '^5.0.0' } }),
    'src/schema.ts': `import { pgTable, text, index } from 'drizzle-orm/pg-core';\nexport const projects = pgTable('projects', { id: text('id').primaryKey() });\nexport const references = pgTable('references', { id: text('id').primaryKey(), projectId: text('project_id').notNull().references(() => projects.id) }, (t) => [index('references_project').on(t.projectId)]);\n`,
    'src/db.ts': `import { drizzle } from 'drizzle-orm/node-postgres';\nimport * as schema from './schema';\nexport const db = drizzle(process.env.DATABASE_URL!, { schema });\n`,
  },
};

const QUERY: Record<Orm, { open: string; scoped: string; imports: string }> = {
  prisma: { imports: `import { db } from './db';\n`, open: `db.reference.findMany({ where: {} })`, scoped: `db.reference.findMany({ where: { projectId: request.user.projectId } })` },
  drizzle: {
    imports: `import { eq } from 'drizzle-orm';\nimport { db } from './db';\nimport { references } from './schema';\n`,
    open: `db.select().from(references)`,
    scoped: `db.select().from(references).where(eq(references.projectId, request.user.projectId))`,
  },
};

function project(orm: Orm, query: 'open' | 'scoped', router: string | undefined): string {
  return makeProject({
    ...FILES[orm],
    'src/controller.ts': `${QUERY[orm].imports}\nexport async function listReferences(request: any, reply: any) {\n  return ${QUERY[orm][query]};\n}\n`,
    ...(router ? { 'src/router.ts': router, 'src/app.ts': `import Fastify from 'fastify';\nimport router from './router';\nconst app = Fastify();\napp.register(router, { prefix: '/misc' });\napp.listen({ port: 3000 });\n` } : {}),
  });
}

const NAMESPACE = `import * as controller from './controller';\n\nconst router = async (fastify: any) => {\n  fastify.route({ method: 'GET', url: '/refs', handler: controller.listReferences });\n};\nexport default router;\n`;
const NAMED = `import { listReferences } from './controller';\n\nconst router = async (fastify: any) => {\n  fastify.route({ method: 'GET', url: '/refs', handler: listReferences });\n};\nexport default router;\n`;

async function findings(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}${f.evidence.includes('`fastify.route(...)`') ? ' (fastify.route)' : ''}`);
}

describe.each(['prisma', 'drizzle'] as Orm[])('%s', (orm) => {
  const line = orm === 'prisma' ? 4 : 6;
  it('a handler named in the route options object (namespace import): reached by a request, error naming the route err', async () => {
    expect(await findings(project(orm, 'open', NAMESPACE))).toEqual([`src/controller.ts:${line} error (fastify.route)`]);
  });
  it('the same with a named import err', async () => {
    expect(await findings(project(orm, 'open', NAMED))).toEqual([`src/controller.ts:${line} error (fastify.route)`]);
  });
  it('twin: registered nowhere, dead code: warning', async () => {
    expect(await findings(project(orm, 'open', undefined))).toEqual([`src/controller.ts:${line} warning`]);
  });
  it('twin: the registered handler scopes by the verified session ok', async () => {
    expect(await findings(project(orm, 'scoped', NAMESPACE))).toEqual([]);
  });
});

describe('both faces', () => {
  it('the route-options handler, the same in the scanner and in ESLint err', async () => {
    const { scanner, eslint } = await bothFaces(project('prisma', 'open', NAMESPACE), 'require-tenant-filter');
    expect(scanner.get('src/controller.ts')).toEqual(['4 missingTenantFilter']);
    expect(eslint).toEqual(scanner);
  });
});
