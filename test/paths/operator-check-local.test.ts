// Issue 13, rybbit's getAdminSites (judged s18): `const isAdmin = await getIsUserAdmin(request); if (!isAdmin)
// return reply.status(401).send(...)`, then every site of every organization: an operator console. The
// helper looks up the session user's own row and compares its role with 'admin'. Warning, naming the
// check. Twins: the flag read from a request header, and no check: error.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';

const { makeProject } = useScratch();

type Result = Awaited<ReturnType<typeof scan>>;

function handlerFindings(result: Result): string[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/admin-sites.ts').map((f) => `${f.line} ${f.severity}`);
}

const HELPER = `import type { FastifyRequest } from 'fastify';
import { getSession } from './session';

export async function getIsUserAdmin(request: FastifyRequest) {
  const session = await getSession(request);
  return session?.user.role === 'admin';
}
`;
const SESSION = `import type { FastifyRequest } from 'fastify';
export async function getSession(request: FastifyRequest): Promise<{ user: { id: string; role: string } } | null> {
  return (request as unknown as { session?: { user: { id: string; role: string } } }).session ?? null;
}
`;

const CHECKS = {
  helper: `  const isAdmin = await getIsUserAdmin(request);`,
  header: `  const isAdmin = request.headers['x-admin'] === 'true';`,
};

const GATE = `  if (!isAdmin) return reply.status(401).send({ error: 'Unauthorized' });`;

function handler(check: string, imports: string, query: string, gate = GATE): string {
  return `import type { FastifyReply, FastifyRequest } from 'fastify';
import { getIsUserAdmin } from './auth-utils';
${imports}

export async function getAdminSites(request: FastifyRequest, reply: FastifyReply) {
${check}
${gate}
  const rows = await ${query};
  return reply.send(rows);
}
`;
}

const INDEX = `import Fastify from 'fastify';
import { getAdminSites } from './admin-sites';
const server = Fastify();
server.get('/api/admin/sites', getAdminSites);
`;

const LAYERS = {
  Drizzle: {
    deps: { 'drizzle-orm': '0.40.0', pg: '8' },
    files: {
      'src/schema.ts': `import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
export const organizations = pgTable('organizations', { id: uuid('id').primaryKey() });
export const sites = pgTable('sites', {
  id: uuid('id').primaryKey(),
  organizationId: uuid('organization_id').notNull().references(() => organizations.id),
  domain: text('domain'),
}, (t) => [index('sites_org_idx').on(t.organizationId, t.id)]);
`,
      'src/db.ts': `import { drizzle } from 'drizzle-orm/node-postgres';\nimport { Pool } from 'pg';\nexport const db = drizzle({ client: new Pool() });\n`,
    },
    imports: `import { db } from './db';\nimport { sites } from './schema';`,
    query: 'db.select().from(sites)',
    line: 9,
  },
  Prisma: {
    deps: { '@prisma/client': '5.0.0' },
    files: {
      'prisma/schema.prisma': `datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n
model Organization {\n  id    String @id\n  sites Site[]\n}
model Site {\n  id             String       @id\n  organizationId String\n  domain         String?\n  organization   Organization @relation(fields: [organizationId], references: [id])\n  @@index([organizationId, id])\n}
`,
      'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
    },
    imports: `import { db } from './db';`,
    query: 'db.site.findMany()',
    line: 8,
  },
  Kysely: {
    deps: { kysely: '0.27.0', pg: '8' },
    files: {
      'migrations/0001_init.sql': `CREATE TABLE organizations (id uuid PRIMARY KEY);\nCREATE TABLE sites (id uuid PRIMARY KEY, organization_id uuid NOT NULL REFERENCES organizations (id), domain text);\nCREATE INDEX ON sites (organization_id, id);\n`,
      'src/db.ts': `import { Kysely, PostgresDialect } from 'kysely';\nimport { Pool } from 'pg';\nexport const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool() }) });\n`,
    },
    imports: `import { db } from './db';`,
    query: `db.selectFrom('sites').selectAll().execute()`,
    line: 8,
  },
} as const;

function project(name: keyof typeof LAYERS, check: string, gate?: string): Record<string, string> {
  const layer = LAYERS[name];
  return {
    'package.json': JSON.stringify({ dependencies: { fastify: '4.0.0', ...layer.deps } }),
    ...layer.files,
    'src/session.ts': SESSION,
    'src/auth-utils.ts': HELPER,
    'src/admin-sites.ts': handler(check, layer.imports, layer.query, gate),
    'src/index.ts': INDEX,
  };
}

describe('a read of every tenant after an operator check of the session user, in the same handler', () => {
  for (const name of ['Drizzle', 'Prisma', 'Kysely'] as const) {
    it(`${name}: \`if (!isAdmin) return 401\` with \`isAdmin\` from a helper that compares the session user's role: warning, naming the check`, async () => {
      const dir = makeProject(project(name, CHECKS.helper));
      const result = await scan({ path: dir });
      expect(handlerFindings(result)).toEqual([`${LAYERS[name].line} warning`]);
      expect(result.findings.find((f) => f.file === 'src/admin-sites.ts')?.evidence).toContain('operator check `!isAdmin`');
      const faces = await bothFaces(dir, 'require-tenant-filter');
      expect(faces.eslint).toEqual(faces.scanner);
    });

    it(`twin (${name}): the flag is a request header: error`, async () => {
      const result = await scan({ path: makeProject(project(name, CHECKS.header)) });
      expect(handlerFindings(result)).toEqual([`${LAYERS[name].line} error`]);
    });

    // The test points the other way: the operator leaves early and everyone else reads every tenant.
    it(`twin (${name}): \`if (isAdmin) return ...\` exits for the operator only: error`, async () => {
      const result = await scan({ path: makeProject(project(name, CHECKS.helper, `  if (isAdmin) return reply.send({ admin: true });`)) });
      expect(handlerFindings(result)).toEqual([`${LAYERS[name].line} error`]);
    });
  }
});
