import { describe, expect, it } from 'vitest';
import type { Table, TableClass, TenantSchema } from '../src/core/schema.js';
import { loadProject } from '../src/project/project.js';
import { useScratch } from './helpers/scratch.js';

const { makeProject } = useScratch();

/** The TenantSchema of a scratch project whose only file is `prisma/schema.prisma`. */
function schemaOf(prisma: string): TenantSchema {
  return loadProject(makeProject({ 'prisma/schema.prisma': prisma })).schema;
}

function table(schema: TenantSchema, name: string): Table {
  const found = schema.tables.get(name);
  if (!found) throw new Error(`no table ${name}; tables: ${[...schema.tables.keys()].join(', ')}`);
  return found;
}

function classes(schema: TenantSchema): Record<string, TableClass> {
  return Object.fromEntries([...schema.tables.values()].map((t) => [t.name, t.class]));
}

function keys(schema: TenantSchema): string[] {
  return schema.tenantKeys.map((k) => `${k.table}.${k.field} -> ${k.references}`).sort();
}

const MEMBERS = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

enum Role {
  OWNER
  MEMBER
}

model Organization {
  id        String   @id @default(cuid())
  slug      String   @unique
  name      String?
  members   Member[]
  lastUsers User[]   @relation("LastOrg")

  @@map("organizations")
}

model User {
  id          String        @id
  email       String        @unique(map: "users_email_key")
  lastOrgId   String?       @map("last_org_id")
  lastOrg     Organization? @relation("LastOrg", fields: [lastOrgId], references: [id])
  memberships Member[]
}

model Member {
  orgId        String       @map("org_id")
  userId       String
  email        String
  nickname     String?
  slug         String
  role         Role         @default(MEMBER)
  organization Organization @relation(fields: [orgId], references: [id], onDelete: Cascade)
  user         User         @relation(fields: [userId], references: [id])

  @@id([orgId, userId])
  @@unique([orgId, email])
  @@unique([orgId, nickname], name: "memberNick")
  @@unique([orgId, slug], map: "members_org_slug_key")
  @@index([orgId, email(sort: Desc)])
  @@index(fields: [userId])
  @@map("members")
}
`;

describe('reading a Prisma schema', () => {
  const schema = schemaOf(MEMBERS);

  it('@@map and @map give database names; unmapped names stay ok', () => {
    expect(table(schema, 'Organization').dbName).toBe('organizations');
    expect(table(schema, 'Member').dbName).toBe('members');
    expect(table(schema, 'User').dbName).toBe('User');
    expect(table(schema, 'Member').columns.get('orgId')?.dbName).toBe('org_id');
    expect(table(schema, 'User').columns.get('lastOrgId')?.dbName).toBe('last_org_id');
    expect(table(schema, 'Member').columns.get('userId')?.dbName).toBe('userId');
  });

  it('optional fields are nullable, required ones are not ok', () => {
    const member = table(schema, 'Member');
    expect(member.columns.get('nickname')?.nullable).toBe(true);
    expect(member.columns.get('email')?.nullable).toBe(false);
    expect(table(schema, 'Organization').columns.get('name')?.nullable).toBe(true);
    // Enums are scalar columns, not relations.
    expect(member.columns.get('role')?.type).toBe('Role');
    expect(member.relations.has('role')).toBe(false);
  });

  it('column locations point at the schema line ok', () => {
    const line = MEMBERS.split('\n').findIndex((l) => l.trimStart().startsWith('orgId        String       @map("org_id")')) + 1;
    expect(table(schema, 'Member').columns.get('orgId')?.location).toEqual({ file: 'prisma/schema.prisma', line, column: 3 });
  });

  it('@id and @@id give the primary key; a compound @@id is addressable as a_b ok', () => {
    expect(table(schema, 'Organization').primaryKey).toEqual(['id']);
    const member = table(schema, 'Member');
    expect(member.primaryKey).toEqual(['orgId', 'userId']);
    expect(member.uniques).toContainEqual({ fields: ['orgId', 'userId'], name: 'orgId_userId' });
  });

  it('@unique and @@unique carry their Prisma compound names (default a_b, custom name:, map: ignored) ok', () => {
    expect(table(schema, 'Organization').uniques).toEqual([{ fields: ['slug'], name: 'slug' }]);
    expect(table(schema, 'User').uniques).toEqual([{ fields: ['email'], name: 'email' }]);
    const uniques = table(schema, 'Member').uniques;
    expect(uniques).toContainEqual({ fields: ['orgId', 'email'], name: 'orgId_email' });
    expect(uniques).toContainEqual({ fields: ['orgId', 'nickname'], name: 'memberNick' });
    // `map:` names the database constraint; the client still addresses it as orgId_slug.
    expect(uniques).toContainEqual({ fields: ['orgId', 'slug'], name: 'orgId_slug' });
  });

  it('a custom @@id(name: ...) names the compound key ok', () => {
    const named = schemaOf(`model Organization {
  id      String   @id
  members Member[]
}

model Member {
  orgId        String
  userId       String
  organization Organization @relation(fields: [orgId], references: [id])

  @@id(name: "memberKey", fields: [orgId, userId])
}
`);
    const member = table(named, 'Member');
    expect(member.primaryKey).toEqual(['orgId', 'userId']);
    expect(member.uniques).toContainEqual({ fields: ['orgId', 'userId'], name: 'memberKey' });
  });

  it('@@index lists its fields, with sort orders stripped ok', () => {
    expect(table(schema, 'Member').indexes).toEqual([['orgId', 'email'], ['userId']]);
  });

  it('relations record target, foreign keys, references, requiredness and lists ok', () => {
    const member = table(schema, 'Member');
    expect(member.relations.get('organization')).toEqual({
      name: 'organization',
      target: 'Organization',
      fields: ['orgId'],
      references: ['id'],
      required: true,
      isList: false,
      onDelete: 'cascade',
    });
    expect(table(schema, 'User').relations.get('lastOrg')).toMatchObject({ target: 'Organization', fields: ['lastOrgId'], required: false });
    // The back-relation side has no foreign key and is a list.
    expect(table(schema, 'Organization').relations.get('members')).toMatchObject({ target: 'Member', fields: [], isList: true, required: false });
    // Relation fields are not columns.
    expect(member.columns.has('organization')).toBe(false);
  });
});

describe('tenant root and tenant keys', () => {
  it('an optional foreign key under another name (User.lastOrgId) is not a tenant key ok', () => {
    const schema = schemaOf(MEMBERS);
    expect(schema.root).toBe('Organization');
    expect(keys(schema)).toEqual(['Member.orgId -> Organization']);
    expect(table(schema, 'User').tenantKeys).toEqual([]);
    // Member joins User to Organization with @@unique([orgId, userId]): users span tenants.
    expect(table(schema, 'User').class).toBe('global');
    expect(table(schema, 'User').classReason).toMatch(/spans tenants: it joins them through `Member`/);
    expect(table(schema, 'Member').class).toBe('tenant');
    expect(table(schema, 'Organization').class).toBe('global');
  });

  it('among several candidate roots the most referenced wins (Team x5 beats Account x1) ok', () => {
    const teamChildren = ['Board', 'Card', 'Label', 'Invite', 'Document'];
    const prisma = [
      `model Team {\n  id String @id\n${teamChildren.map((m) => `  ${m.toLowerCase()}s ${m}[]`).join('\n')}\n}`,
      'model Account {\n  id       String    @id\n  sessions Session[]\n}',
      'model Session {\n  id        String  @id\n  accountId String\n  account   Account @relation(fields: [accountId], references: [id])\n}',
      ...teamChildren.map((m) => `model ${m} {\n  id     String @id\n  teamId String\n  team   Team   @relation(fields: [teamId], references: [id])\n}`),
    ].join('\n\n');
    const schema = schemaOf(prisma);
    expect(schema.root).toBe('Team');
    expect(schema.rootReason).toMatch(/^inferred: 5 models reference `Team`/);
    expect(keys(schema)).toEqual(teamChildren.map((m) => `${m}.teamId -> Team`).sort());
    // Account and its sessions are related to nothing tenant-scoped: global by structure.
    expect(table(schema, 'Session').class).toBe('global');
    expect(table(schema, 'Account').class).toBe('global');
    expect(table(schema, 'Account').globalByStructure).toBe(true);
  });

  it('with no candidate root, rootReason explains and every model is unclassified err', () => {
    const schema = schemaOf(`model User {
  id    String @id
  posts Post[]
}

model Post {
  id       String    @id
  authorId String
  author   User      @relation(fields: [authorId], references: [id])
  comments Comment[]
}

model Comment {
  id     String @id
  postId String
  post   Post   @relation(fields: [postId], references: [id])
}

/// Named like a tenant, but nothing references it: not a candidate.
model Workspace {
  id   String @id
  name String
}
`);
    expect(schema.root).toBeUndefined();
    expect(schema.rootReason).toMatch(/no model named like a tenant/);
    expect(schema.rootReason).toMatch(/tenantRoot/);
    expect(schema.tenantKeys).toEqual([]);
    expect(schema.levels).toEqual([]);
    expect(classes(schema)).toEqual({ User: 'unclassified', Post: 'unclassified', Comment: 'unclassified', Workspace: 'unclassified' });
  });
});

describe('child tables and hierarchies', () => {
  it('children inherit tenancy through required relations, transitively (Comment -> Task -> Board(orgId)) ok', () => {
    const schema = schemaOf(`model Organization {
  id     String  @id
  boards Board[]
}

model Board {
  id           String       @id
  orgId        String
  organization Organization @relation(fields: [orgId], references: [id])
  tasks        Task[]
}

model Task {
  id          String       @id
  boardId     String
  board       Board        @relation(fields: [boardId], references: [id])
  comments    Comment[]
  attachments Attachment[]
}

model Comment {
  id     String @id
  taskId String
  task   Task   @relation(fields: [taskId], references: [id])
}

/// Optional relation: not enough to inherit tenancy.
model Attachment {
  id     String  @id
  taskId String?
  task   Task?   @relation(fields: [taskId], references: [id])
}
`);
    expect(classes(schema)).toEqual({
      Organization: 'global',
      Board: 'tenant',
      Task: 'child',
      Comment: 'child',
      Attachment: 'unclassified',
    });
    expect(table(schema, 'Task').parentRelations).toEqual(['board']);
    expect(table(schema, 'Comment').parentRelations).toEqual(['task']);
    expect(table(schema, 'Comment').classReason).toContain('`task`');
  });

  it('Comment -> Task -> Project(orgId): Comment is a child of Task, which Project scopes as a tenant level ok', () => {
    const schema = schemaOf(`model Organization {
  id       String    @id
  projects Project[]
}

model Project {
  id           String       @id
  orgId        String
  organization Organization @relation(fields: [orgId], references: [id])
  tasks        Task[]
}

model Task {
  id        String    @id
  projectId String
  project   Project   @relation(fields: [projectId], references: [id])
  comments  Comment[]
}

model Comment {
  id     String @id
  taskId String
  task   Task   @relation(fields: [taskId], references: [id])
}
`);
    expect(table(schema, 'Comment').class).toBe('child');
    expect(table(schema, 'Comment').parentRelations).toEqual(['task']);
    // Project is named like a tenant and sits under the root, so it is a level: Task is keyed by projectId.
    expect(schema.levels).toEqual(['Organization', 'Project']);
    expect(table(schema, 'Task').class).toBe('tenant');
    expect(table(schema, 'Task').tenantKeys).toEqual(['projectId']);
  });

  it('hierarchy: Environment keyed by projectId, Project a level, Task with orgId and projectId keeps only orgId ok', () => {
    const schema = schemaOf(`model Organization {
  id       String    @id
  projects Project[]
  tasks    Task[]
}

model Project {
  id           String        @id
  orgId        String
  organization Organization  @relation(fields: [orgId], references: [id])
  environments Environment[]
  tasks        Task[]
}

model Environment {
  id        String  @id
  projectId String
  project   Project @relation(fields: [projectId], references: [id])
}

model Task {
  id           String       @id
  orgId        String
  projectId    String
  organization Organization @relation(fields: [orgId], references: [id])
  project      Project      @relation(fields: [projectId], references: [id])
}
`);
    expect(schema.root).toBe('Organization');
    expect(schema.levels).toEqual(['Organization', 'Project']);
    expect(table(schema, 'Environment').tenantKeys).toEqual(['projectId']);
    expect(table(schema, 'Environment').class).toBe('tenant');
    expect(table(schema, 'Task').tenantKeys).toEqual(['orgId']);
    expect(keys(schema)).toEqual(['Environment.projectId -> Project', 'Project.orgId -> Organization', 'Task.orgId -> Organization']);
  });
});

describe('locating the schema', () => {
  const ORG = 'model Organization {\n  id       String    @id\n  invoices Invoice[]\n}\n';
  const INVOICE = 'model Invoice {\n  id           String       @id\n  orgId        String\n  organization Organization @relation(fields: [orgId], references: [id])\n}\n';

  it('a multi-file prisma/schema/ folder is one schema ok', () => {
    const dir = makeProject({
      'prisma/schema/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
      'prisma/schema/organization.prisma': ORG,
      'prisma/schema/invoice.prisma': INVOICE,
      'prisma/schema/README.md': '# not a schema file\n',
    });
    const schema = loadProject(dir).schema;
    expect(schema.sources).toEqual([
      { kind: 'prisma', files: ['prisma/schema/invoice.prisma', 'prisma/schema/organization.prisma', 'prisma/schema/schema.prisma'] },
    ]);
    expect(schema.root).toBe('Organization');
    expect(keys(schema)).toEqual(['Invoice.orgId -> Organization']);
    expect(table(schema, 'Invoice').columns.get('orgId')?.location?.file).toBe('prisma/schema/invoice.prisma');
  });

  it('a syntax error in one file of a multi-file schema is a diagnostic; the other files are still read err', () => {
    const dir = makeProject({
      'prisma/schema/organization.prisma': ORG,
      'prisma/schema/invoice.prisma': INVOICE,
      'prisma/schema/broken.prisma': 'model Broken {\n  id String @id\n  oops ???\n}\n',
    });
    const schema = loadProject(dir).schema;
    expect(schema.diagnostics).toEqual([expect.objectContaining({ file: 'prisma/schema/broken.prisma', line: 3 })]);
    expect(classes(schema)).toEqual({ Organization: 'global', Invoice: 'tenant' });
  });

  it('prisma.config.ts names the schema folder, read as text: the models beside a datasource-only prisma/schema.prisma are read (comp) ok', () => {
    const datasource = 'generator client {\n  provider = "prisma-client"\n}\n\ndatasource db {\n  provider = "postgresql"\n}\n';
    const dir = makeProject({
      'package.json': JSON.stringify({ name: '@acme/db' }),
      'prisma.config.ts': "import { defineConfig } from 'prisma/config';\nexport default defineConfig({\n  schema: \"prisma/schema\",\n  migrations: { path: 'prisma/migrations' },\n});\n",
      'prisma/schema.prisma': datasource,
      'prisma/schema/schema.prisma': datasource,
      'prisma/schema/organization.prisma': ORG,
      'prisma/schema/invoice.prisma': INVOICE,
    });
    const schema = loadProject(dir).schema;
    expect(schema.sources).toEqual([{ kind: 'prisma', files: ['prisma/schema/invoice.prisma', 'prisma/schema/organization.prisma', 'prisma/schema/schema.prisma'] }]);
    expect(schema.root).toBe('Organization');
    expect(keys(schema)).toEqual(['Invoice.orgId -> Organization']);
  });

  it('twin: without prisma.config.ts the default prisma/schema.prisma is the schema, as the Prisma CLI reads it', () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ name: '@acme/db' }),
      'prisma/schema.prisma': `datasource db {\n  provider = "postgresql"\n}\n\n${ORG}${INVOICE}`,
      'prisma/schema/extra.prisma': 'model Stray {\n  id String @id\n}\n',
    });
    expect(loadProject(dir).schema.sources).toEqual([{ kind: 'prisma', files: ['prisma/schema.prisma'] }]);
  });

  it('a schema folder is read recursively like Prisma does (prisma/models/*.prisma) ok', () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ name: 'api', prisma: { schema: 'prisma' } }),
      'prisma/schema.prisma': `datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\n${ORG}`,
      'prisma/models/invoice.prisma': INVOICE,
    });
    const schema = loadProject(dir).schema;
    expect(schema.sources).toEqual([{ kind: 'prisma', files: ['prisma/models/invoice.prisma', 'prisma/schema.prisma'] }]);
    expect(schema.root).toBe('Organization');
    expect(keys(schema)).toEqual(['Invoice.orgId -> Organization']);
  });

  it('package.json#prisma.schema points at a custom path and wins over the default locations ok', () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ name: 'api', prisma: { schema: 'db/main.prisma' } }),
      'db/main.prisma': ORG + INVOICE,
      // A decoy in a default location: must not be read.
      'prisma/schema.prisma': 'model Decoy {\n  id String @id\n}\n',
    });
    const schema = loadProject(dir).schema;
    expect(schema.sources).toEqual([{ kind: 'prisma', files: ['db/main.prisma'] }]);
    expect([...schema.tables.keys()].sort()).toEqual(['Invoice', 'Organization']);
    expect(keys(schema)).toEqual(['Invoice.orgId -> Organization']);
  });
});

describe('migrations of another database', () => {
  it('a folder of ClickHouse migrations is read as ClickHouse DDL, a database of its own, never folded as PostgreSQL migrations', async () => {
    const { loadSqlParsers } = await import('../src/sql/libpg.js');
    await loadSqlParsers();
    const clickhouse = 'CREATE TABLE events (id UUID) ENGINE = MergeTree ORDER BY id;\nALTER TABLE events ADD COLUMN x String;\nCREATE TABLE hits (id UUID) ENGINE = MergeTree ORDER BY id;\n';
    const alone = loadProject(makeProject({ 'migrations/0001_init.sql': clickhouse })).schema;
    expect(alone.sources).toEqual([{ kind: 'clickhouse', files: ['migrations/0001_init.sql'] }]);
    expect(alone.diagnostics).toEqual([]);
    expect([...alone.tables.values()].map((t) => `${t.name} ${t.database} ${[...t.columns.keys()].join(',')}`)).toEqual(['events clickhouse id,x', 'hits clickhouse id']);
    const withPrisma = loadProject(
      makeProject({ 'migrations/0001_init.sql': clickhouse, 'prisma/schema.prisma': 'model Organization {\n  id String @id\n}\n' }),
    ).schema;
    expect(withPrisma.sources).toEqual([
      { kind: 'prisma', files: ['prisma/schema.prisma'] },
      { kind: 'clickhouse', files: ['migrations/0001_init.sql'] },
    ]);
  });
});
