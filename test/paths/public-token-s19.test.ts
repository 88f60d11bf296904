import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Issue 13 (intentional cross-tenant access that declares itself), session 19. AFFiNE's
 * `@Public() @Query() getInviteInfo(@Args('inviteId') inviteId)` reads
 * `workspaceUserPermission.findUniqueOrThrow({ where: { id: inviteId } })` (workspace.ts:466) with
 * `id String @id @default(uuid())`: a route open to callers who are not signed in has no tenant to filter
 * by, and the random id is the invitation link's secret. A warning that says so, not an error. Twins: the
 * same public route reading by a key the schema does not generate (a plain text id the client may guess or
 * enumerate) stays an error; the same uuid read from a route behind sign-in (no `@Public()`) stays an error.
 */

const { makeProject } = useScratch();

type Orm = 'prisma' | 'drizzle' | 'sql';

const PRISMA = (random: boolean) => `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Workspace {
  id          String       @id
  invitations Invitation[]
}

model Invitation {
  id          String    @id${random ? ' @default(uuid())' : ''}
  email       String
  workspaceId String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
  @@index([workspaceId, id])
}
`;

const DRIZZLE = (random: boolean) => `import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
export const workspaces = pgTable('workspaces', { id: text('id').primaryKey() });
export const invitations = pgTable('invitations', { id: ${random ? "uuid('id').primaryKey().defaultRandom()" : "text('id').primaryKey()"}, email: text('email').notNull(), workspaceId: text('workspace_id').notNull().references(() => workspaces.id) }, (t) => [index('invitations_ws').on(t.workspaceId, t.id)]);
`;

const SQL = (random: boolean) => `CREATE TABLE workspaces (id text PRIMARY KEY);
CREATE TABLE invitations (
  id ${random ? 'uuid PRIMARY KEY DEFAULT gen_random_uuid()' : 'text PRIMARY KEY'},
  email text NOT NULL,
  workspace_id text NOT NULL REFERENCES workspaces(id)
);
CREATE INDEX invitations_ws ON invitations (workspace_id, id);
`;

const SETUP: Record<Orm, { deps: Record<string, string>; schema: (random: boolean) => Record<string, string>; db: string; imports: string; read: string }> = {
  prisma: {
    deps: { '@prisma/client': '^6.8.0' },
    schema: (random) => ({ 'prisma/schema.prisma': PRISMA(random) }),
    db: `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
    imports: '',
    read: `const invitation = await db.invitation.findUniqueOrThrow({ where: { id: inviteId }, select: { workspaceId: true } });\n    return invitation.workspaceId;`,
  },
  drizzle: {
    deps: { 'drizzle-orm': '^0.44.0', pg: '^8.11.0' },
    schema: (random) => ({ 'src/schema.ts': DRIZZLE(random) }),
    db: `import { drizzle } from 'drizzle-orm/node-postgres';\nexport const db = drizzle(process.env.DATABASE_URL!);\n`,
    imports: `import { eq } from 'drizzle-orm';\nimport { invitations } from './schema';\n`,
    read: `const [invitation] = await db.select({ workspaceId: invitations.workspaceId }).from(invitations).where(eq(invitations.id, inviteId));\n    return invitation.workspaceId;`,
  },
  sql: {
    deps: { pg: '^8.11.0' },
    schema: (random) => ({ 'migrations/001_init.sql': SQL(random) }),
    db: `import { Pool } from 'pg';\nexport const db = new Pool();\n`,
    imports: '',
    read: `const { rows } = await db.query('SELECT workspace_id FROM invitations WHERE id = $1', [inviteId]);\n    return rows[0].workspace_id;`,
  },
};

const PUBLIC = `import { SetMetadata } from '@nestjs/common';\nexport const Public = () => SetMetadata('isPublic', true);\n`;

function resolver(orm: Orm, open: boolean): string {
  const o = SETUP[orm];
  return `import { Args, Query, Resolver } from '@nestjs/graphql';\nimport { Public } from './public';\nimport { db } from './db';\n${o.imports}
@Resolver()
export class InvitationResolver {
${open ? '  @Public()\n' : ''}  @Query(() => String)
  async getInviteInfo(@Args('inviteId') inviteId: string) {
    ${o.read}
  }
}
`;
}

function project(orm: Orm, options: { random: boolean; open: boolean }): string {
  const o = SETUP[orm];
  return makeProject({
    'package.json': JSON.stringify({ name: 'invites', private: true, dependencies: { ...o.deps, '@nestjs/common': '^10.0.0', '@nestjs/graphql': '^12.0.0' } }),
    ...o.schema(options.random),
    'src/db.ts': o.db,
    'src/public.ts': PUBLIC,
    'src/invitation.resolver.ts': resolver(orm, options.open),
  });
}

async function findings(dir: string): Promise<{ severity: string; evidence: string }[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => ({ severity: f.severity, evidence: f.evidence }));
}

describe.each(['prisma', 'drizzle', 'sql'] as Orm[])('a public route reading a row by its random id (%s)', (orm) => {
  it('@Public() route, id generated at random: warning, naming the declaration and the column', async () => {
    const found = await findings(project(orm, { random: true, open: true }));
    expect(found.map((f) => f.severity)).toEqual(['warning']);
    expect(found[0]!.evidence).toContain('open to callers who are not signed in (`@Public()`)');
    expect(found[0]!.evidence).toMatch(/the filter pins `[\w.]*id`, a value the schema generates at random/);
  });

  it('twin: the same @Public() route reading by an id the schema does not generate: error', async () => {
    expect((await findings(project(orm, { random: false, open: true }))).map((f) => f.severity)).toEqual(['error']);
  });

  it('twin: the same random id read from a route behind sign-in (no @Public()): error', async () => {
    expect((await findings(project(orm, { random: true, open: false }))).map((f) => f.severity)).toEqual(['error']);
  });
});

describe('both faces', () => {
  it('the scanner and the ESLint plugin agree on the public read and its twin', async () => {
    for (const options of [{ random: true, open: true }, { random: false, open: true }]) {
      const { scanner, eslint } = await bothFaces(project('prisma', options), 'require-tenant-filter');
      expect(eslint).toEqual(scanner);
    }
  });
});
