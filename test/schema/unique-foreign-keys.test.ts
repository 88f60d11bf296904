import { beforeAll, describe, expect, it } from 'vitest';
import { severityFor } from '../../src/analyze/analyze.js';
import { checkSchema } from '../../src/policies/schema-rules/index.js';
import { loadProject } from '../../src/project/project.js';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';

/*
 * require-tenant-index on a unique over a column that is a foreign key by convention: no foreign key
 * is declared on it, but other tables declare one of the same name and type, always to the same
 * table, at that table's primary key or a single-column unique (unkey portals.ts:16
 * `uniqueIndex('idx_key_auth_id').on(t.keyAuthId)` like `apis.key_auth_id -> key_auth(id)`; openops
 * webhook-simulation-entity.ts:11 `unique: ['flowId']` like `trigger_event.flowId -> flow(id)`).
 * Its values are ids unique across the parent table: one row per parent row, no name two tenants
 * could both choose. Unsafe twins: the same column when nothing declares that name as a key, and a
 * human-chosen value (`name`).
 */
const { makeProject } = useScratch();

beforeAll(async () => {
  await loadSqlParsers();
});

const PACKAGE = (dependency?: string) => JSON.stringify({ name: 'p', ...(dependency ? { dependencies: { [dependency]: '*' } } : {}) });

function findingsOn(files: Record<string, string>, table: string): string[] {
  const project = loadProject(makeProject(files));
  return checkSchema(project.schema, project.config)
    .filter((f) => f.table === table && f.ruleId === 'require-tenant-index')
    .map((f) => `${severityFor(f.ruleId, project.config, false, f.mild, f.informational)} ${f.messageId}`)
    .sort();
}

/** `declared`: whether another table (apis) declares key_auth_id as a foreign key to key_auth. */
const SQL = (declared: boolean, unique: string) => `CREATE TABLE workspaces (id uuid PRIMARY KEY);
CREATE TABLE key_auth (id uuid PRIMARY KEY, workspace_id uuid NOT NULL REFERENCES workspaces(id));
CREATE INDEX key_auth_ws_idx ON key_auth (workspace_id, id);
CREATE TABLE apis (id uuid PRIMARY KEY, workspace_id uuid NOT NULL REFERENCES workspaces(id), key_auth_id uuid${declared ? ' REFERENCES key_auth(id)' : ''});
CREATE INDEX apis_ws_idx ON apis (workspace_id, id);
CREATE TABLE portals (id uuid PRIMARY KEY, workspace_id uuid NOT NULL REFERENCES workspaces(id), key_auth_id uuid, name text NOT NULL);
CREATE INDEX portals_ws_idx ON portals (workspace_id, id);
CREATE UNIQUE INDEX portals_u ON portals (${unique});
`;

const PRISMA = (declared: boolean, unique: string) => `model Workspace {
  id      String    @id
  keyAuth KeyAuth[]
  apis    Api[]
  portals Portal[]
}
model KeyAuth {
  id          String    @id
  workspaceId String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
  apis        Api[]
  @@index([workspaceId, id])
}
model Api {
  id          String    @id
  workspaceId String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
  keyAuthId   String?
  ${declared ? 'keyAuth     KeyAuth?  @relation(fields: [keyAuthId], references: [id])' : ''}
  @@index([workspaceId, id])
}
model Portal {
  id          String    @id
  workspaceId String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
  keyAuthId   String?
  name        String
  @@index([workspaceId, id])
  @@unique([${unique}])
}
`;

const DRIZZLE = (declared: boolean, unique: string) => `import { relations } from 'drizzle-orm';
import { index, mysqlTable, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
export const workspaces = mysqlTable('workspaces', { id: varchar('id', { length: 256 }).primaryKey() });
export const keyAuth = mysqlTable('key_auth', {
  id: varchar('id', { length: 256 }).primaryKey(),
  workspaceId: varchar('workspace_id', { length: 256 }).notNull().references(() => workspaces.id),
}, (t) => [index('key_auth_ws_idx').on(t.workspaceId, t.id)]);
export const apis = mysqlTable('apis', {
  id: varchar('id', { length: 256 }).primaryKey(),
  workspaceId: varchar('workspace_id', { length: 256 }).notNull().references(() => workspaces.id),
  keyAuthId: varchar('key_auth_id', { length: 256 }),
}, (t) => [index('apis_ws_idx').on(t.workspaceId, t.id)]);
${declared ? 'export const apisRelations = relations(apis, ({ one }) => ({ keyAuth: one(keyAuth, { fields: [apis.keyAuthId], references: [keyAuth.id] }) }));' : ''}
export const portals = mysqlTable('portals', {
  id: varchar('id', { length: 256 }).primaryKey(),
  workspaceId: varchar('workspace_id', { length: 256 }).notNull().references(() => workspaces.id),
  keyAuthId: varchar('key_auth_id', { length: 256 }),
  name: varchar('name', { length: 64 }).notNull(),
}, (t) => [index('portals_ws_idx').on(t.workspaceId, t.id), uniqueIndex('portals_u').on(t.${unique})]);
`;

describe('require-tenant-index: a unique on a foreign key by convention', () => {
  it('SQL: key_auth_id declared elsewhere ok / declared nowhere warning / name warning', () => {
    const files = (declared: boolean, unique: string) => ({ 'package.json': PACKAGE(), 'migrations/0001_init.sql': SQL(declared, unique) });
    expect(findingsOn(files(true, 'key_auth_id'), 'portals')).toEqual([]);
    expect(findingsOn(files(false, 'key_auth_id'), 'portals')).toEqual(['warning uniqueWithoutTenant']);
    expect(findingsOn(files(true, 'name'), 'portals')).toEqual(['warning uniqueWithoutTenant']);
  });

  it('Prisma: keyAuthId declared elsewhere ok / declared nowhere warning / name warning', () => {
    const files = (declared: boolean, unique: string) => ({ 'package.json': PACKAGE(), 'prisma/schema.prisma': PRISMA(declared, unique) });
    expect(findingsOn(files(true, 'keyAuthId'), 'Portal')).toEqual([]);
    expect(findingsOn(files(false, 'keyAuthId'), 'Portal')).toEqual(['warning uniqueWithoutTenant']);
    expect(findingsOn(files(true, 'name'), 'Portal')).toEqual(['warning uniqueWithoutTenant']);
  });

  it('Drizzle: keyAuthId declared elsewhere ok / declared nowhere warning / name warning', () => {
    const files = (declared: boolean, unique: string) => ({ 'package.json': PACKAGE('drizzle-orm'), 'src/schema.ts': DRIZZLE(declared, unique) });
    expect(findingsOn(files(true, 'keyAuthId'), 'portals')).toEqual([]);
    expect(findingsOn(files(false, 'keyAuthId'), 'portals')).toEqual(['warning uniqueWithoutTenant']);
    expect(findingsOn(files(true, 'name'), 'portals')).toEqual(['warning uniqueWithoutTenant']);
  });

  it('both faces agree (Drizzle): the convention key is quiet, the name is reported', async () => {
    const dir = makeProject({
      'package.json': PACKAGE('drizzle-orm'),
      'src/safe/schema.ts': DRIZZLE(true, 'keyAuthId'),
    });
    const faces = await bothFaces(dir, 'require-tenant-index');
    expect(faces.scanner.get('src/safe/schema.ts')).toBeUndefined();
    expect(faces.eslint.get('src/safe/schema.ts')).toBeUndefined();
    const unsafe = makeProject({ 'package.json': PACKAGE('drizzle-orm'), 'src/unsafe/schema.ts': DRIZZLE(true, 'name') });
    const line = DRIZZLE(true, 'name').split('\n').findIndex((l) => l.includes("mysqlTable('portals'")) + 1;
    const unsafeFaces = await bothFaces(unsafe, 'require-tenant-index');
    expect(unsafeFaces.scanner.get('src/unsafe/schema.ts')).toEqual([`${line} uniqueWithoutTenant`]);
    expect(unsafeFaces.eslint.get('src/unsafe/schema.ts')).toEqual([`${line} uniqueWithoutTenant`]);
  }, 60_000);
});
