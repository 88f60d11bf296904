// Issue 13, class 4 (a check in the caller), latitude-llm judged s18: repository methods written as the
// functions of an Effect service (`Layer.effect(Repo, Effect.succeed(Repo.of({ findById: (id) =>
// Effect.gen(function* () { const sql = yield* SqlClient; return yield* sql.query((db) => ...) }) })))`)
// were each read as an entry point of their own ("the handler registered with `sql.query(...)`"), so
// their callers were never asked. The query runs inside the project's `SqlClient.query`, which calls
// the callback it is handed; `Effect.gen`'s program is its function's own code; `Repo.of({...})` and
// `Effect.succeed({...})` hand back the object, whose functions are the service's methods, called as
// `(yield* Repo).findById(id)`; `Effect.fn('name')(function* (input) { ... })` is a function like any
// other. The callers decide: a queue worker (system code, info), an admin console behind a TanStack
// Start middleware that stops unless the session user is an admin (warning, naming the middleware).
// Twins: a route that calls the same use case with no check (error, naming the route), a middleware
// that only tests that a user is signed in, and one whose admin flag is the client's own header.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';

const { makeProject } = useScratch();

type Result = Awaited<ReturnType<typeof scan>>;

function repoFindings(result: Result): string[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/repo.ts').map((f) => `${f.line} ${f.severity}`);
}

function evidenceOf(result: Result): string {
  return result.findings.find((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/repo.ts')?.evidence ?? '';
}

/** One data layer: its dependency, schema files, client module and the repository's query on `items` by id. */
interface Layer {
  deps: Record<string, string>;
  files: Record<string, string>;
  client: string;
  clientType: string;
  imports: string;
  query: string;
  /** The line of the query in src/repo.ts. */
  line: number;
}

const DRIZZLE: Layer = {
  deps: { 'drizzle-orm': '0.40.0', pg: '8' },
  files: {
    'src/schema.ts': `import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
export const organizations = pgTable('organizations', { id: uuid('id').primaryKey() });
export const items = pgTable('items', {
  id: uuid('id').primaryKey(),
  organizationId: uuid('organization_id').notNull().references(() => organizations.id),
  name: text('name'),
}, (t) => [index('items_org_idx').on(t.organizationId, t.id)]);
`,
  },
  client: `import { drizzle } from 'drizzle-orm/node-postgres';\nimport { Pool } from 'pg';\nexport const database = drizzle({ client: new Pool() });`,
  clientType: 'typeof database',
  imports: `import { eq } from 'drizzle-orm';\nimport { items } from './schema';`,
  query: 'db.select().from(items).where(eq(items.id, id))',
  line: 15,
};

const KYSELY: Layer = {
  deps: { kysely: '0.27.0', pg: '8' },
  files: {
    'migrations/0001_init.sql': `CREATE TABLE organizations (id uuid PRIMARY KEY);\nCREATE TABLE items (id uuid PRIMARY KEY, organization_id uuid NOT NULL REFERENCES organizations (id), name text);\nCREATE INDEX ON items (organization_id, id);\n`,
  },
  client: `import { Kysely, PostgresDialect } from 'kysely';\nimport { Pool } from 'pg';\nexport const database = new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool() }) });`,
  clientType: 'typeof database',
  imports: '',
  query: `db.selectFrom('items').selectAll().where('id', '=', id).execute()`,
  line: 14,
};

const PRISMA: Layer = {
  deps: { '@prisma/client': '5.0.0' },
  files: {
    'prisma/schema.prisma': `datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n
model Organization {\n  id    String @id\n  items Item[]\n}
model Item {\n  id             String       @id\n  organizationId String\n  name           String?\n  organization   Organization @relation(fields: [organizationId], references: [id])\n  @@index([organizationId, id])\n}
`,
  },
  client: `import { PrismaClient } from '@prisma/client';\nexport const database = new PrismaClient();`,
  clientType: 'typeof database',
  imports: '',
  query: 'db.item.findUnique({ where: { id } })',
  line: 14,
};

/** The service layers and the use case, shared by every caller below. */
function service(layer: Layer): Record<string, string> {
  return {
    ...layer.files,
    'src/db.ts': `${layer.client}\n`,
    'src/sql-client.ts': `import { Context, Effect, Layer } from 'effect';
import { database } from './db';

export interface SqlClientShape {
  query: <T>(fn: (db: ${layer.clientType}) => Promise<T>) => Effect.Effect<T>;
}
export class SqlClient extends Context.Tag('SqlClient')<SqlClient, SqlClientShape>() {}

export const SqlClientLive = Layer.effect(
  SqlClient,
  Effect.gen(function* () {
    return {
      query: <T>(fn: (db: ${layer.clientType}) => Promise<T>) => Effect.promise(() => fn(database)),
    };
  }),
);
`,
    'src/repo.ts': `import { Context, Effect, Layer } from 'effect';
import { SqlClient } from './sql-client';
${layer.imports}

export class ItemRepository extends Context.Tag('ItemRepository')<ItemRepository, { findById: (id: string) => Effect.Effect<unknown, never, SqlClient> }>() {}

export const ItemRepositoryLive = Layer.effect(
  ItemRepository,
  Effect.succeed(
    ItemRepository.of({
      findById: (id: string) =>
        Effect.gen(function* () {
          const sql = yield* SqlClient;
          return yield* sql.query((db) => ${layer.query});
        }),
    }),
  ),
);
`,
    'src/use-case.ts': `import { Effect } from 'effect';
import { ItemRepository } from './repo';

export const getItemUseCase = Effect.fn('items.get')(function* (input: { itemId: string }) {
  const repo = yield* ItemRepository;
  return yield* repo.findById(input.itemId);
});
`,
  };
}

function project(layer: Layer, callers: Record<string, string>, deps: Record<string, string>): Record<string, string> {
  return {
    'package.json': JSON.stringify({ dependencies: { effect: '3.10.0', ...layer.deps, ...deps } }),
    ...service(layer),
    ...callers,
  };
}

const WORKER = {
  'src/worker.ts': `import { Worker } from 'bullmq';
import { Effect } from 'effect';
import { getItemUseCase } from './use-case';

export const worker = new Worker('items', async (job) => {
  await Effect.runPromise(getItemUseCase({ itemId: job.data.itemId }) as Effect.Effect<unknown>);
});
`,
};

const OPEN_ROUTE = {
  'src/routes.ts': `import { Hono } from 'hono';
import { Effect } from 'effect';
import { getItemUseCase } from './use-case';

export const app = new Hono();
app.get('/items/:id', async (c) => {
  const item = await Effect.runPromise(getItemUseCase({ itemId: c.req.param('id') }) as Effect.Effect<unknown>);
  return c.json(item);
});
`,
};

describe('a repository method of an Effect service layer is decided by the callers of the service', () => {
  for (const [name, layer] of [['Drizzle', DRIZZLE], ['Kysely', KYSELY], ['Prisma', PRISMA]] as const) {
    it(`${name}: called only from a queue worker through an \`Effect.fn\` use case: system code (info)`, async () => {
      const dir = makeProject(project(layer, WORKER, { bullmq: '5.0.0' }));
      const result = await scan({ path: dir });
      expect(repoFindings(result)).toEqual([`${layer.line} info`]);
      expect(evidenceOf(result)).toContain('src/worker.ts');
      const faces = await bothFaces(dir, 'require-tenant-filter');
      expect(faces.eslint).toEqual(faces.scanner);
    });

    it(`twin (${name}): the worker and a route that hands the use case the path's id with no check: error, naming the route`, async () => {
      const dir = makeProject(project(layer, { ...WORKER, ...OPEN_ROUTE }, { bullmq: '5.0.0', hono: '4.0.0' }));
      const result = await scan({ path: dir });
      expect(repoFindings(result)).toEqual([`${layer.line} error`]);
      expect(evidenceOf(result)).toContain('src/routes.ts');
    });
  }
});

/** TanStack Start server functions behind a middleware; `gate` is the middleware's body before `next`. */
function console(gate: string): Record<string, string> {
  return {
    'src/session.ts': `export async function getSession(): Promise<{ user: { id: string; role: string } } | null> {
  return (globalThis as { session?: { user: { id: string; role: string } } }).session ?? null;
}
`,
    'src/admin-auth.ts': `export function assertAdminUser(user: { role?: string | null } | null | undefined): asserts user is { role: 'admin' } {
  if (!user || user.role !== 'admin') throw new Error('not found');
}
`,
    'src/middleware.ts': `import { createMiddleware } from '@tanstack/react-start';
import { getRequestHeader } from '@tanstack/react-start/server';
import { assertAdminUser } from './admin-auth';
import { getSession } from './session';

export const gateMiddleware = createMiddleware({ type: 'function' }).server(async ({ next }) => {
${gate}
  return next();
});
`,
    'src/admin.functions.ts': `import { createServerFn } from '@tanstack/react-start';
import { Effect } from 'effect';
import { gateMiddleware } from './middleware';
import { getItemUseCase } from './use-case';

export const adminGetItem = createServerFn({ method: 'GET' })
  .middleware([gateMiddleware])
  .handler(async ({ data }: { data: { itemId: string } }) => {
    return Effect.runPromise(getItemUseCase({ itemId: data.itemId }) as Effect.Effect<unknown>);
  });
`,
  };
}

const ADMIN_GATE = `  const session = await getSession();
  assertAdminUser(session?.user);`;
const SIGNED_IN = `  const session = await getSession();
  if (!session) throw new Error('unauthorized');`;
const CLIENT_FLAG = `  const requested = { role: getRequestHeader('x-role') };
  assertAdminUser(requested);`;

describe('a server function behind a middleware that stops unless the session user is an operator', () => {
  for (const [name, layer] of [['Drizzle', DRIZZLE], ['Prisma', PRISMA]] as const) {
    it(`${name}: \`.middleware([gateMiddleware])\` whose body calls \`next\` only after \`assertAdminUser(session?.user)\`: warning, naming the middleware`, async () => {
      const dir = makeProject(project(layer, console(ADMIN_GATE), { '@tanstack/react-start': '1.0.0' }));
      const result = await scan({ path: dir });
      expect(repoFindings(result)).toEqual([`${layer.line} warning`]);
      expect(evidenceOf(result)).toContain('behind the operator check `gateMiddleware`');
      const faces = await bothFaces(dir, 'require-tenant-filter');
      expect(faces.eslint).toEqual(faces.scanner);
    });

    it(`twin (${name}): a middleware that only tests that someone is signed in: error`, async () => {
      const result = await scan({ path: makeProject(project(layer, console(SIGNED_IN), { '@tanstack/react-start': '1.0.0' })) });
      expect(repoFindings(result)).toEqual([`${layer.line} error`]);
      expect(evidenceOf(result)).toContain('src/admin.functions.ts');
    });
  }

  it('twin: the role the admin check reads comes from a request header (`x-role`), not the session: error', async () => {
    const result = await scan({ path: makeProject(project(DRIZZLE, console(CLIENT_FLAG), { '@tanstack/react-start': '1.0.0' })) });
    expect(repoFindings(result)).toEqual([`${DRIZZLE.line} error`]);
  });
});
