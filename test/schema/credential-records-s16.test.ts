import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * vendure's `Session` (judged G089-G094): a session row is found by its unique secret `token`, and
 * its optional `activeChannel` is the channel the session is switched to, not the tenant that owns
 * it. A credential's record (a table with a unique secret column) whose only link to the tenant is
 * optional is not tenant data: a lookup of a session by id is not a cross-tenant read. Twins: the
 * same table with a required link to the tenant is tenant data, and a table with an optional link
 * but no secret keeps its nullable tenant column (the only key to the tenant there is, as in
 * vendure, whose other tenant data is shared with channels through join tables). In Prisma, Drizzle
 * and SQL migrations.
 */

const { makeProject } = useScratch();

type Orm = 'prisma' | 'drizzle' | 'sql';

function prismaSchema(required: boolean, secret: boolean): string {
  return `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Channel {
  id       String    @id
  sessions Session[]
}

model Session {
  id              String   @id
${secret ? '  token           String   @unique\n' : '  label           String\n'}  activeChannelId String${required ? '' : '?'}
  activeChannel   Channel${required ? '' : '?'} @relation(fields: [activeChannelId], references: [id])
  @@index([activeChannelId, id])
}
`;
}

function drizzleSchema(required: boolean, secret: boolean): string {
  return `import { index, pgTable, text } from 'drizzle-orm/pg-core';
export const channels = pgTable('channels', { id: text('id').primaryKey() });
export const sessions = pgTable('sessions', { id: text('id').primaryKey(), ${secret ? "token: text('token').notNull().unique()" : "label: text('label')"}, activeChannelId: text('active_channel_id')${required ? '.notNull()' : ''}.references(() => channels.id) }, (t) => [index('sessions_channel').on(t.activeChannelId, t.id)]);
`;
}

function sqlSchema(required: boolean, secret: boolean): string {
  return `CREATE TABLE channels (id text PRIMARY KEY);
CREATE TABLE sessions (id text PRIMARY KEY, ${secret ? 'token text NOT NULL UNIQUE' : 'label text'}, active_channel_id text${required ? ' NOT NULL' : ''} REFERENCES channels(id));
CREATE INDEX sessions_channel ON sessions (active_channel_id, id);
`;
}

function project(orm: Orm, required: boolean, secret: boolean): string {
  const files: Record<string, string> =
    orm === 'prisma'
      ? {
          'prisma/schema.prisma': prismaSchema(required, secret),
          'src/sessions.ts': `import { PrismaClient } from '@prisma/client';\nconst db = new PrismaClient();\nexport const sessionById = (id: string) => db.session.findUnique({ where: { id } });\n`,
        }
      : orm === 'drizzle'
        ? {
            'src/schema.ts': drizzleSchema(required, secret),
            'src/sessions.ts': `import { drizzle } from 'drizzle-orm/node-postgres';\nimport { eq } from 'drizzle-orm';\nimport { sessions } from './schema';\nconst db = drizzle(process.env.DATABASE_URL!);\nexport const sessionById = (id: string) => db.select().from(sessions).where(eq(sessions.id, id));\n`,
          }
        : {
            'migrations/001_init.sql': sqlSchema(required, secret),
            'src/sessions.ts': `import { Pool } from 'pg';\nconst db = new Pool();\nexport const sessionById = (id: string) => db.query('SELECT * FROM sessions WHERE id = $1', [id]);\n`,
          };
  const deps = orm === 'prisma' ? { '@prisma/client': '^6.8.0' } : orm === 'drizzle' ? { 'drizzle-orm': '^0.44.0', pg: '^8.11.0' } : { pg: '^8.11.0' };
  return makeProject({ 'package.json': JSON.stringify({ name: 'shop', main: 'dist/index.js', dependencies: deps, tenantLint: { tenantRoot: orm === 'prisma' ? 'Channel' : 'channels' } }), ...files });
}

async function findings(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings
    .filter((f) => (f.ruleId === 'require-tenant-filter' && f.file === 'src/sessions.ts') || (f.ruleId === 'require-tenant-column' && /session/i.test(f.message)))
    .map((f) => `${f.ruleId} ${f.messageId} ${f.severity}`);
}

describe.each(['prisma', 'drizzle', 'sql'] as Orm[])('a credential record with an optional link to the tenant (%s)', (orm) => {
  it('a session (unique secret token) whose active channel is optional is not tenant data: no finding', async () => {
    expect(await findings(project(orm, false, true))).toEqual([]);
  });

  it('twin: the same session with a required channel is tenant data: a lookup by id is an error', async () => {
    expect(await findings(project(orm, true, true))).toEqual(['require-tenant-filter missingTenantFilter error']);
  });

  it('twin: an optional link on a table with no secret is a nullable tenant column, and the lookup an error', async () => {
    expect(await findings(project(orm, false, false))).toEqual(expect.arrayContaining(['require-tenant-column nullableTenantColumn warning', 'require-tenant-filter missingTenantFilter error']));
  });
});

// hyperdx's `User.team`: where other tables require the key, the same optional name on a table with a secret
// (a user's unique access key) is a nullable tenant key, as for any table.
describe('a credential record beside tables that require the key', () => {
  it('keeps its optional link as a nullable tenant key, and the lookup by id an error', async () => {
    const schema = prismaSchema(false, true)
      .replace('  sessions Session[]\n', '  sessions Session[]\n  orders   Order[]\n')
      .concat('\nmodel Order {\n  id              String  @id\n  activeChannelId String\n  activeChannel   Channel @relation(fields: [activeChannelId], references: [id])\n  @@index([activeChannelId, id])\n}\n');
    const dir = makeProject({
      'package.json': JSON.stringify({ name: 'shop', main: 'dist/index.js', dependencies: { '@prisma/client': '^6.8.0' }, tenantLint: { tenantRoot: 'Channel' } }),
      'prisma/schema.prisma': schema,
      'src/sessions.ts': `import { PrismaClient } from '@prisma/client';\nconst db = new PrismaClient();\nexport const sessionById = (id: string) => db.session.findUnique({ where: { id } });\n`,
    });
    expect(await findings(dir)).toEqual(expect.arrayContaining(['require-tenant-column nullableTenantColumn warning', 'require-tenant-filter missingTenantFilter error']));
  });
});
