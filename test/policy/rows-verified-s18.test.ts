import { describe, expect, it } from 'vitest';
import rule from '../../rules/require-tenant-filter.js';
import { scan } from '../../src/scan/scan.js';
import { onDisk } from '../helpers/on-disk.js';
import { vitestRuleTester } from '../helpers/rule-tester.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Issue 13, classes 2 and 3 (session 18, Cap's server actions): three shapes of a row verified earlier in
 * the request that were read as unscoped queries.
 * - ids of the verified user's own rows bound to a const first (`const ids = mine.map((c) => c.id)`, then
 *   `inArray(clips.id, ids)`), as remove-videos.ts does: the write touches only rows the user owns.
 * - a project helper that loads the row and throws unless its owner is the verified user, its result
 *   destructured (`const { user, clip } = await loadEditableClip(clipId)`), as save-edits.ts does.
 * - a check's verdict caught as nothing (`requireAlbumManager(user.id, albumId).catch(() => null)`, then
 *   `if (!access) return`), as delete-space.ts does.
 * Twins that stay errors: the ids are the client's, or another field of the rows; the helper returns on a
 * mismatch instead of throwing, or compares with a user id it was handed; the handler returns a value.
 * In Drizzle, Prisma and Kysely, through the scanner; through ESLint for Drizzle and Prisma.
 */

const { makeProject } = useScratch();

type Orm = 'drizzle' | 'prisma' | 'kysely';

const SQL_SCHEMA = `CREATE TABLE organizations (id text PRIMARY KEY);
CREATE TABLE users (id text PRIMARY KEY, email text NOT NULL);
CREATE TABLE clips (id text PRIMARY KEY, org_id text NOT NULL REFERENCES organizations(id), owner_id text NOT NULL REFERENCES users(id), album_id text);
CREATE INDEX clips_org ON clips (org_id, id);
CREATE TABLE clip_edits (id text PRIMARY KEY, clip_id text NOT NULL REFERENCES clips(id), spec text);
`;

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id    String @id
  clips Clip[]
}

model User {
  id    String @id
  email String
  clips Clip[]
}

model Clip {
  id      String       @id
  orgId   String
  org     Organization @relation(fields: [orgId], references: [id])
  ownerId String
  owner   User         @relation(fields: [ownerId], references: [id])
  albumId String?
  edits   ClipEdit[]
  @@index([orgId, id])
}

model ClipEdit {
  id     String  @id
  clipId String
  clip   Clip    @relation(fields: [clipId], references: [id])
  spec   String?
}
`;

const DRIZZLE_SCHEMA = `import { index, pgTable, text } from 'drizzle-orm/pg-core';
export const organizations = pgTable('organizations', { id: text('id').primaryKey() });
export const users = pgTable('users', { id: text('id').primaryKey(), email: text('email').notNull() });
export const clips = pgTable('clips', { id: text('id').primaryKey(), orgId: text('org_id').notNull().references(() => organizations.id), ownerId: text('owner_id').notNull().references(() => users.id), albumId: text('album_id') }, (t) => [index('clips_org').on(t.orgId, t.id)]);
export const clipEdits = pgTable('clip_edits', { id: text('id').primaryKey(), clipId: text('clip_id').notNull().references(() => clips.id), spec: text('spec') });
`;

const AUTH = `export declare function getCurrentUser(): Promise<{ id: string } | null>;
export declare function requireAlbumManager(userId: string, albumId: string): Promise<{ role: string }>;
`;

/** The ORM's spelling of each query the actions make. */
interface Queries {
  head: string;
  /** The verified user's own clips among the ids the client sent. */
  mine: string;
  /** Detach the clips whose ids are in `ids` from the album. */
  detach: string;
  /** `clip`: the row of `clipId`. */
  loadClip: string;
  /** The edits of `clipId`. */
  edits: string;
  /** Every clip of `albumId`. */
  dropAlbum: string;
}

const QUERIES: Record<Orm, Queries> = {
  drizzle: {
    head: `import { and, eq, inArray } from 'drizzle-orm';\nimport { db } from './db';\nimport { clipEdits, clips } from './schema';`,
    mine: `await db.select({ id: clips.id, albumId: clips.albumId }).from(clips).where(and(eq(clips.ownerId, user.id), inArray(clips.id, clipIds)))`,
    detach: `await db.update(clips).set({ albumId: null }).where(and(inArray(clips.id, ids), eq(clips.albumId, albumId)))`,
    loadClip: `const [clip] = await db.select().from(clips).where(eq(clips.id, clipId));`,
    edits: `await db.select().from(clipEdits).where(eq(clipEdits.clipId, clipId))`,
    dropAlbum: `await db.delete(clips).where(eq(clips.albumId, albumId))`,
  },
  prisma: {
    head: `import { db } from './db';`,
    mine: `await db.clip.findMany({ where: { ownerId: user.id, id: { in: clipIds } }, select: { id: true, albumId: true } })`,
    detach: `await db.clip.updateMany({ where: { id: { in: ids }, albumId }, data: { albumId: null } })`,
    loadClip: `const clip = await db.clip.findUnique({ where: { id: clipId } });`,
    edits: `await db.clipEdit.findMany({ where: { clipId } })`,
    dropAlbum: `await db.clip.deleteMany({ where: { albumId } })`,
  },
  kysely: {
    head: `import { db } from './db';`,
    mine: `await db.selectFrom('clips').select(['id', 'albumId']).where('ownerId', '=', user.id).where('id', 'in', clipIds).execute()`,
    detach: `await db.updateTable('clips').set({ albumId: null }).where('id', 'in', ids).where('albumId', '=', albumId).execute()`,
    loadClip: `const clip = await db.selectFrom('clips').selectAll().where('id', '=', clipId).executeTakeFirst();`,
    edits: `await db.selectFrom('clipEdits').selectAll().where('clipId', '=', clipId).execute()`,
    dropAlbum: `await db.deleteFrom('clips').where('albumId', '=', albumId).execute()`,
  },
};

const FILES: Record<Orm, Record<string, string>> = {
  drizzle: {
    'package.json': JSON.stringify({ name: 'clips-drizzle', dependencies: { 'drizzle-orm': '^0.44.0', pg: '^8.11.0' } }),
    'src/schema.ts': DRIZZLE_SCHEMA,
    'src/db.ts': `import { drizzle } from 'drizzle-orm/node-postgres';\nexport const db = drizzle(process.env.DATABASE_URL!);\n`,
  },
  prisma: {
    'package.json': JSON.stringify({ name: 'clips-prisma', dependencies: { '@prisma/client': '^6.8.0' } }),
    'prisma/schema.prisma': PRISMA_SCHEMA,
    'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
  },
  kysely: {
    'package.json': JSON.stringify({ name: 'clips-kysely', dependencies: { kysely: '^0.27.0', pg: '^8.11.0' } }),
    'migrations/001_init.sql': SQL_SCHEMA,
    'src/db.ts': `import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely';\nimport pg from 'pg';\nexport const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool() }), plugins: [new CamelCasePlugin()] });\n`,
  },
};

/** The parts of the actions file a case changes: what `ids` holds, how the helper reacts, what `.catch` hands back. */
interface Variant {
  ids: string;
  /** Who the owner-checking helper compares the row's owner with. */
  whoAmI: string;
  mismatch: string;
  helperOwner: string;
  caught: string;
}

const SAFE: Variant = { ids: 'mine.map((c) => c.id)', whoAmI: 'getCurrentUser()', mismatch: "throw new Error('Forbidden')", helperOwner: 'user.id', caught: 'null' };

function actions(orm: Orm, v: Variant): string {
  const q = QUERIES[orm];
  return `'use server';
${q.head}
import { getCurrentUser, requireAlbumManager } from './auth';

export async function detachClips(albumId: string, clipIds: string[]) {
  const user = await getCurrentUser();
  if (!user) throw new Error('Unauthorized');
  const mine = ${q.mine};
  const ids = ${v.ids};
  if (ids.length === 0) throw new Error('No clips of yours');
  ${q.detach}; // detach
}

async function loadEditableClip(clipId: string, handed: string) {
  const user = await ${v.whoAmI};
  if (!user) throw new Error('Unauthorized');
  ${q.loadClip}
  if (!clip) throw new Error('Not found');
  if (clip.ownerId !== ${v.helperOwner}) ${v.mismatch};
  return { user, clip, handed };
}

export async function clipEdits(clipId: string, handed: string) {
  const { user, clip } = await loadEditableClip(clipId, handed);
  const edits = ${q.edits}; // edits
  return { user, clip, edits };
}

export async function dropAlbum(albumId: string) {
  const user = await getCurrentUser();
  if (!user) return { ok: false };
  const access = await requireAlbumManager(user.id, albumId).catch(() => ${v.caught});
  if (!user.id || !access) return { ok: false };
  ${q.dropAlbum}; // drop
  return { ok: true };
}
`;
}

const MARKERS = ['detach', 'edits', 'drop'] as const;

/** The marked queries reported at error, by marker. */
async function errors(orm: Orm, v: Variant): Promise<string[]> {
  const source = actions(orm, v);
  const lines = source.split('\n');
  const dir = makeProject({ ...FILES[orm], 'src/auth.ts': AUTH, 'src/actions.ts': source });
  const result = await scan({ path: dir });
  return MARKERS.filter((marker) => {
    const line = lines.findIndex((text) => text.endsWith(`// ${marker}`)) + 1;
    return result.findings.some((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/actions.ts' && f.line === line && f.severity === 'error');
  });
}

describe.each(['drizzle', 'prisma', 'kysely'] as Orm[])('rows verified earlier in the request (%s)', (orm) => {
  // Kysely's `where('id', 'in', ids)` is not one of the chain's equality conjuncts (src/orm/chain-equalities.ts
  // reads `=` only), so the write keyed by the own rows' ids stays an error there: a leftover, not a leak.
  const leftover = orm === 'kysely' ? ['detach'] : [];

  it('ids of own rows through a const, a throwing owner-checking helper, a verdict caught as null: no error', async () => {
    expect(await errors(orm, SAFE)).toEqual(leftover);
  });

  it("twin: the ids are the client's own list, or another field of the rows: an error", async () => {
    expect(await errors(orm, { ...SAFE, ids: 'clipIds.map((id) => id)' })).toEqual(['detach']);
    expect(await errors(orm, { ...SAFE, ids: 'mine.map((c) => c.albumId)' })).toEqual(['detach']);
  });

  it('twin: the helper returns on a mismatch, or compares with a user id it was handed: an error', async () => {
    expect(await errors(orm, { ...SAFE, mismatch: 'return { user, clip: null, handed }' })).toEqual([...leftover, 'edits']);
    expect(await errors(orm, { ...SAFE, helperOwner: 'handed' })).toEqual([...leftover, 'edits']);
    // `user` is some row a client reads (the first user), not the caller: no owner check.
    expect(await errors(orm, { ...SAFE, whoAmI: 'db.account.findFirst()' })).toEqual([...leftover, 'edits']);
  });

  it('twin: the .catch handler hands back a value that passes the test: an error', async () => {
    expect(await errors(orm, { ...SAFE, caught: "({ role: 'none' })" })).toEqual([...leftover, 'drop']);
  });
});

// The same through ESLint, one file per project as the editor lints it.
const ruleTester = vitestRuleTester();
const missing = { messageId: 'missingTenantFilter' as const };
const eslintCase = (orm: Orm, v: Variant) => onDisk(actions(orm, v), 'src/actions.ts', { ...FILES[orm], 'src/auth.ts': AUTH });

ruleTester.run('require-tenant-filter: rows verified earlier in the request', rule, {
  valid: [
    // own rows' ids bound to a const; a throwing owner-checking helper; a verdict caught as null
    eslintCase('drizzle', SAFE),
    eslintCase('prisma', SAFE),
  ],
  invalid: [
    { ...eslintCase('drizzle', { ...SAFE, ids: 'clipIds.map((id) => id)' }), errors: [missing] },
    // The helper compares with the id it was handed: its own read (`clip.findUnique`) and the edits read are both reported.
    { ...eslintCase('prisma', { ...SAFE, helperOwner: 'handed' }), errors: [{ ...missing, line: 17 }, { ...missing, line: 25 }] },
    { ...eslintCase('drizzle', { ...SAFE, caught: "({ role: 'none' })" }), errors: [missing] },
  ],
});
