// Issue 13 (Cap's agent API, judged DiD at error: route.ts deleteFolder): in `Effect.gen(function* () { ... })`
// the program waits for an effect with `yield*` as an async function waits with `await`, and stops
// when the effect fails. `const access = yield* getFolderAccess(user.id, id); if (!access.canManage)
// return yield* forbidden()` checks the folder before `return yield* runMutation({ execute: async (tx)
// => ... })`, a project function that runs the callback now, for the function that calls it. Twins: no
// check, and a check of another folder. Drizzle and Kysely.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';

const { makeProject } = useScratch();

type Result = Awaited<ReturnType<typeof scan>>;

function filterSites(result: Result): string[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`).sort();
}

const AUTH = `export async function getCurrentUser(): Promise<{ id: string }> {
  const user = (globalThis as { user?: { id: string } }).user;
  if (!user) throw new Error('unauthorized');
  return user;
}
`;

/** The access helper and the mutation runner, written once per data layer. */
function access(dbImport: string, folderRead: string, runner: string): string {
  return `import { Data, Effect } from 'effect';
${dbImport}

export class Forbidden extends Data.TaggedError('Forbidden')<{}> {}
export const forbidden = () => Effect.fail(new Forbidden());

export const getFolderAccess = (userId: string, folderId: string) =>
  Effect.promise(async () => {
    const folder = ${folderRead};
    return { canManage: folder?.ownerId === userId };
  });

${runner}
`;
}

function handler(check: string, filter: string): string {
  return `import { Effect } from 'effect';
import { getCurrentUser } from '@/auth';
import { forbidden, getFolderAccess, runMutation } from '@/lib/access';
${filter}

export async function DELETE(request: Request, { params }: { params: { id: string; other: string } }) {
  const user = await getCurrentUser();
  return Effect.runPromise(
    Effect.gen(function* () {
${check}
      return yield* runMutation({
        execute: async (tx) => QUERY,
      });
    }),
  );
}
`;
}

const CHECKED = `      const access = yield* getFolderAccess(user.id, params.id);
      if (!access.canManage) return yield* forbidden();`;
const OTHER = `      const access = yield* getFolderAccess(user.id, params.other);
      if (!access.canManage) return yield* forbidden();`;

const DRIZZLE = {
  'package.json': JSON.stringify({ dependencies: { 'drizzle-orm': '0.40.0', effect: '3.10.0', pg: '8', next: '15.1.0' } }),
  'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['src/*'] } } }),
  'src/schema.ts': `import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
export const organizations = pgTable('organizations', { id: uuid('id').primaryKey() });
export const folders = pgTable('folders', {
  id: uuid('id').primaryKey(),
  organizationId: uuid('organization_id').notNull().references(() => organizations.id),
  ownerId: text('owner_id').notNull(),
}, (t) => [index('folders_org_idx').on(t.organizationId, t.id)]);
`,
  'src/db.ts': `import { drizzle } from 'drizzle-orm/node-postgres';\nimport { Pool } from 'pg';\nexport const db = drizzle({ client: new Pool() });\nexport type Db = typeof db;\n`,
  'src/auth.ts': AUTH,
  'src/lib/access.ts': access(
    `import { eq } from 'drizzle-orm';\nimport { db, type Db } from '@/db';\nimport { folders } from '@/schema';`,
    `(await db.select().from(folders).where(eq(folders.id, folderId)).limit(1))[0]`,
    `export const runMutation = <A>(input: { execute: (tx: Db) => Promise<A> }) => Effect.promise(() => input.execute(db));`,
  ),
};

function drizzle(check: string): Record<string, string> {
  return {
    ...DRIZZLE,
    'src/app/api/folders/[id]/route.ts': handler(check, `import { eq } from 'drizzle-orm';\nimport { folders } from '@/schema';`).replace('QUERY', 'tx.delete(folders).where(eq(folders.id, params.id))'),
  };
}

describe('a `yield*` of an access check in `Effect.gen` guards what the program runs after it', () => {
  it('Drizzle: the folder checked with `yield* getFolderAccess(...)` and `if (!access.canManage) return`, then deleted by a runner\'s callback: not an unchecked path', async () => {
    const dir = makeProject(drizzle(CHECKED));
    const result = await scan({ path: dir });
    expect(filterSites(result).filter((s) => s.startsWith('src/app/'))).toEqual([]);
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
  });

  it('twin: no check before the runner: reported at error', async () => {
    const result = await scan({ path: makeProject(drizzle('')) });
    expect(filterSites(result).filter((s) => s.startsWith('src/app/'))).toEqual(['src/app/api/folders/[id]/route.ts:13 error']);
  });

  it('twin: the check is of another folder than the one deleted: reported at error', async () => {
    const result = await scan({ path: makeProject(drizzle(OTHER)) });
    expect(filterSites(result).filter((s) => s.startsWith('src/app/'))).toEqual(['src/app/api/folders/[id]/route.ts:14 error']);
  });

  const KYSELY = {
    'package.json': JSON.stringify({ dependencies: { kysely: '0.27.0', effect: '3.10.0', pg: '8', next: '15.1.0' } }),
    'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['src/*'] } } }),
    'migrations/0001_init.sql': `CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE folders (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id), owner_id text NOT NULL);\nCREATE INDEX ON folders (org_id, id);\n`,
    'src/db.ts': `import { Kysely, PostgresDialect } from 'kysely';\nimport { Pool } from 'pg';\nexport const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool() }) });\nexport type Db = typeof db;\n`,
    'src/auth.ts': AUTH,
    'src/lib/access.ts': access(
      `import { db, type Db } from '@/db';`,
      `await db.selectFrom('folders').select(['owner_id as ownerId']).where('id', '=', folderId).executeTakeFirst()`,
      `export const runMutation = <A>(input: { execute: (tx: Db) => Promise<A> }) => Effect.promise(() => input.execute(db));`,
    ),
  };
  const kysely = (check: string) => ({
    ...KYSELY,
    'src/app/api/folders/[id]/route.ts': handler(check, `import { db } from '@/db';`).replace('QUERY', `db.deleteFrom('folders').where('id', '=', params.id).execute()`),
  });

  it('Kysely: the same check before the same runner: not an unchecked path', async () => {
    const result = await scan({ path: makeProject(kysely(CHECKED)) });
    expect(filterSites(result).filter((s) => s.startsWith('src/app/'))).toEqual([]);
  });

  it('twin (Kysely): no check: reported at error', async () => {
    const result = await scan({ path: makeProject(kysely('')) });
    expect(filterSites(result).filter((s) => s.startsWith('src/app/'))).toEqual(['src/app/api/folders/[id]/route.ts:12 error']);
  });
});

// Cap's get-status.ts (judged DiD at error): `Effect.promise(() => db.select()...).pipe(Policy.withPublicPolicy(
// videosPolicy.canView(videoId)))`, where the project's combinator is `(policy) => (self) => Effect.zipRight(policy,
// self)`: the policy runs first and the query only when it succeeded. Twins: a combinator that runs the query
// first (`Effect.zipRight(self, policy)`), and the policy of another video.
describe('an effect piped through a policy combinator that runs the policy first', () => {
  const POLICY = `import { Data, Effect } from 'effect';
import { eq } from 'drizzle-orm';
import { db } from '@/db';
import { getCurrentUser } from '@/auth';
import { videos } from '@/schema';

export class PolicyDenied extends Data.TaggedError('PolicyDenied')<{}> {}

export const withPolicy = (policy: Effect.Effect<void, PolicyDenied>) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.zipRight(policy, self);
export const afterwards = (policy: Effect.Effect<void, PolicyDenied>) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.zipRight(self, policy);

export const canView = (videoId: string) =>
  Effect.promise(async () => {
    const user = await getCurrentUser();
    const [video] = await db.select({ ownerId: videos.ownerId }).from(videos).where(eq(videos.id, videoId)).limit(1);
    return video?.ownerId === user.id;
  }).pipe(Effect.flatMap((allowed) => (allowed ? Effect.void : Effect.fail(new PolicyDenied()))));
`;
  const files = (pipe: string) => ({
    ...DRIZZLE,
    'src/schema.ts': `import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
export const organizations = pgTable('organizations', { id: uuid('id').primaryKey() });
export const videos = pgTable('videos', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  ownerId: text('owner_id').notNull(),
  name: text('name'),
}, (t) => [index('videos_org_idx').on(t.orgId, t.id)]);
`,
    'src/lib/policy.ts': POLICY,
    'src/actions/get-video.ts': `'use server';
import { eq } from 'drizzle-orm';
import { Effect, Exit } from 'effect';
import { db } from '@/db';
import { afterwards, canView, withPolicy } from '@/lib/policy';
import { videos } from '@/schema';

export async function getVideo(videoId: string, otherId: string) {
  const exit = await Effect.gen(function* () {
    return yield* Effect.promise(() => db.select().from(videos).where(eq(videos.id, videoId))).pipe(${pipe});
  }).pipe(Effect.runPromiseExit);
  if (Exit.isFailure(exit)) return { success: false };
  return exit.value[0];
}
`,
  });
  const actionSites = (result: Result) => filterSites(result).filter((s) => s.startsWith('src/actions/'));

  it('Drizzle: `.pipe(withPolicy(canView(videoId)))` checks the video before the read: not reported', async () => {
    const dir = makeProject(files('withPolicy(canView(videoId))'));
    expect(actionSites(await scan({ path: dir }))).toEqual([]);
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
  });

  it('twin: a combinator that runs the read first and the policy after it: reported at error', async () => {
    expect(actionSites(await scan({ path: makeProject(files('afterwards(canView(videoId))')) }))).toEqual(['src/actions/get-video.ts:10 error']);
  });

  it('twin: the policy of another video: reported at error', async () => {
    expect(actionSites(await scan({ path: makeProject(files('withPolicy(canView(otherId))')) }))).toEqual(['src/actions/get-video.ts:10 error']);
  });
});
