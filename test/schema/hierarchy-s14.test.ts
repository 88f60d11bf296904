import { beforeAll, describe, expect, it } from 'vitest';
import type { TenantSchema } from '../../src/core/schema.js';
import { loadProject } from '../../src/project/project.js';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { useScratch } from '../helpers/scratch.js';

/**
 * The tenant hierarchy inferred on repositories nobody tuned against (session 14, issue 16 section 3:
 * "the tenant root is the top of the hierarchy"): each misreading as a safe shape and its twin, in
 * the schema sources where the shape exists.
 */
const { makeProject } = useScratch();

beforeAll(async () => {
  await loadSqlParsers();
});

const PACKAGE = (dependency?: string) => JSON.stringify({ name: 'p', ...(dependency ? { dependencies: { [dependency]: '*' } } : {}) });
const schemaOf = (files: Record<string, string>): TenantSchema => loadProject(makeProject(files)).schema;
const prisma = (text: string) => schemaOf({ 'package.json': PACKAGE(), 'prisma/schema.prisma': text });
const drizzle = (text: string) => schemaOf({ 'package.json': PACKAGE('drizzle-orm'), 'src/schema.ts': text });
const typeorm = (text: string) => schemaOf({ 'package.json': PACKAGE('typeorm'), 'src/entities.ts': text });
const keyOf = (schema: TenantSchema, table: string) => schema.tables.get(table)?.tenantKeys;

describe('a two-level hierarchy: the root is its top, the lower level scopes its own tables', () => {
  // openpanel (G6): Project (16 referrers) under Organization (12 referrers: members, invites,
  // integrations, clients...). Project was taken as a flat root, organizations' tables came out global.
  const PROJECT_TABLES = ['Cohort', 'Report', 'EventMeta', 'Reference'];
  const model = (organizationLink: boolean) => `model Organization {
  id       String    @id
  projects Project[]
  members  Member[]
  invites  Invite[]
}

model Member {
  id             String       @id
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id], onDelete: Cascade)
}

model Invite {
  id             String       @id
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id], onDelete: Cascade)
}

model Project {
  id String @id
${organizationLink ? '  organizationId String\n  organization   Organization @relation(fields: [organizationId], references: [id], onDelete: Cascade)\n' : ''}}

${PROJECT_TABLES.map((m) => `model ${m} {\n  id        String  @id\n  projectId String\n  project   Project @relation(fields: [projectId], references: [id], onDelete: Cascade)\n}`).join('\n\n')}
`;

  it('Prisma: Project requires an Organization that others point at -> root Organization, level Project', () => {
    const schema = prisma(model(true));
    expect(schema.root).toBe('Organization');
    expect(schema.levels).toEqual(['Organization', 'Project']);
    // The evidence: the link that puts Project under Organization, and both counts.
    expect(schema.rootReason).toBe(
      'inferred: 3 models reference `Organization`, the top of the hierarchy (`Project.organizationId` -> `Organization`; 4 models reference `Project`, a level under it)',
    );
    expect(keyOf(schema, 'Member')).toEqual(['organizationId']);
    expect(keyOf(schema, 'Project')).toEqual(['organizationId']);
    for (const m of PROJECT_TABLES) expect(keyOf(schema, m)).toEqual(['projectId']);
    expect(schema.tables.get('Member')?.class).toBe('tenant');
    expect(schema.tables.get('Invite')?.class).toBe('tenant');
  });

  it('Prisma twin: Project has no organization link -> Project is the root, organizations are not tenant data', () => {
    const schema = prisma(model(false));
    expect(schema.root).toBe('Project');
    expect(schema.levels).toEqual(['Project']);
    expect(schema.rootReason).toBe('inferred: 4 models reference `Project`');
    expect(schema.tables.get('Member')?.class).not.toBe('tenant');
  });

  it('Prisma twin: an optional or SET NULL link does not put Project under Organization', () => {
    const optional = model(true).replace(/(model Project \{\n  id String @id\n  organizationId String)\n  organization   Organization @relation/, '$1?\n  organization   Organization? @relation');
    expect(optional).toContain('organizationId String?');
    expect(prisma(optional).root).toBe('Project');
    const setNull = model(true).replace(/(model Project \{[^}]*)onDelete: Cascade/, '$1onDelete: SetNull');
    expect(prisma(setNull).root).toBe('Project');
  });

  it('Prisma twin: an Organization only the Project points at is no level of its own (one referrer)', () => {
    const lone = model(true).replace(/\nmodel Member \{[^}]*\}\n\nmodel Invite \{[^}]*\}\n/, '').replace('  members  Member[]\n  invites  Invite[]\n', '');
    expect(prisma(lone).root).toBe('Project');
  });

  const entities = (organizationLink: boolean) => `import { Entity, PrimaryColumn, Column, ManyToOne, JoinColumn } from 'typeorm';
@Entity() export class Organization { @PrimaryColumn() id: string; }
@Entity() export class Member {
  @PrimaryColumn() id: string;
  @Column() organizationId: string;
  @ManyToOne(() => Organization, { nullable: false, onDelete: 'CASCADE' }) @JoinColumn({ name: 'organizationId' }) organization: Organization;
}
@Entity() export class Invite {
  @PrimaryColumn() id: string;
  @Column() organizationId: string;
  @ManyToOne(() => Organization, { nullable: false, onDelete: 'CASCADE' }) @JoinColumn({ name: 'organizationId' }) organization: Organization;
}
@Entity() export class Project {
  @PrimaryColumn() id: string;
${organizationLink ? "  @Column() organizationId: string;\n  @ManyToOne(() => Organization, { nullable: false, onDelete: 'CASCADE' }) @JoinColumn({ name: 'organizationId' }) organization: Organization;\n" : ''}}
${PROJECT_TABLES.map((m) => `@Entity() export class ${m} {\n  @PrimaryColumn() id: string;\n  @Column() projectId: string;\n  @ManyToOne(() => Project, { nullable: false, onDelete: 'CASCADE' }) @JoinColumn({ name: 'projectId' }) project: Project;\n}`).join('\n')}
`;

  it('TypeORM: the same hierarchy -> root Organization, level Project; twin without the link -> root Project', () => {
    const schema = typeorm(entities(true));
    expect(schema.root).toBe('Organization');
    expect(schema.levels).toEqual(['Organization', 'Project']);
    expect(schema.rootReason).toMatch(/the top of the hierarchy \(`Project\.organization(Id)?` -> `Organization`; 4 models reference `Project`, a level under it\)$/);
    expect(keyOf(schema, 'Cohort')?.length).toBe(1);
    const twin = typeorm(entities(false));
    expect(twin.root).toBe('Project');
    expect(twin.levels).toEqual(['Project']);
  });

  const pgTables = (organizationLink: boolean) => `import { pgTable, text } from 'drizzle-orm/pg-core';
export const organizations = pgTable('organizations', { id: text('id').primaryKey() });
export const members = pgTable('members', { id: text('id').primaryKey(), organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }) });
export const invites = pgTable('invites', { id: text('id').primaryKey(), organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }) });
export const projects = pgTable('projects', {
  id: text('id').primaryKey(),
${organizationLink ? "  organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),\n" : ''}});
${PROJECT_TABLES.map((m) => `export const ${m.toLowerCase()} = pgTable('${m.toLowerCase()}', { id: text('id').primaryKey(), projectId: text('project_id').notNull().references(() => projects.id) });`).join('\n')}
`;

  it('Drizzle: the same hierarchy -> root organizations, level projects; twin without the link -> root projects', () => {
    const schema = drizzle(pgTables(true));
    expect(schema.root).toBe('organizations');
    expect(schema.levels).toEqual(['organizations', 'projects']);
    expect(schema.rootReason).toBe(
      'inferred: 3 models reference `organizations`, the top of the hierarchy (`projects.organizationId` -> `organizations`; 4 models reference `projects`, a level under it)',
    );
    expect(keyOf(schema, 'members')).toEqual(['organizationId']);
    expect(keyOf(schema, 'cohort')).toEqual(['projectId']);
    const twin = drizzle(pgTables(false));
    expect(twin.root).toBe('projects');
    expect(twin.levels).toEqual(['projects']);
  });
});

describe('Drizzle relations() declare links as foreign keys do (no foreign keys on PlanetScale)', () => {
  // Cap (G1): `orgId` carries no `.references()`; `relations(videos, ({ one }) => ({ organization:
  // one(organizations, { fields: [videos.orgId], references: [organizations.id] }) }))` is the only link.
  const tables = (relationsImport: string | undefined) => `import { mysqlTable, varchar } from 'drizzle-orm/mysql-core';
${relationsImport ? `import { relations } from '${relationsImport}';` : ''}
export const organizations = mysqlTable('organizations', { id: varchar('id', { length: 15 }).primaryKey() });
export const videos = mysqlTable('videos', {
  id: varchar('id', { length: 15 }).primaryKey(),
  orgId: varchar('orgId', { length: 15 }).notNull(),
});
export const folders = mysqlTable('folders', {
  id: varchar('id', { length: 15 }).primaryKey(),
  organizationId: varchar('organizationId', { length: 15 }).notNull(),
});
${
  relationsImport
    ? `export const videosRelations = relations(videos, ({ one }) => ({
  organization: one(organizations, { fields: [videos.orgId], references: [organizations.id] }),
}));
export const foldersRelations = relations(folders, ({ one }) => ({
  organization: one(organizations, { fields: [folders.organizationId], references: [organizations.id] }),
}));`
    : ''
}
`;

  for (const source of ['drizzle-orm/relations', 'drizzle-orm']) {
    it(`relations() from '${source}' only -> root organizations, both keys`, () => {
      const schema = drizzle(tables(source));
      expect(schema.root).toBe('organizations');
      expect(schema.rootReason).toBe('inferred: 2 models reference `organizations`');
      expect(keyOf(schema, 'videos')).toEqual(['orgId']);
      expect(keyOf(schema, 'folders')).toEqual(['organizationId']);
    });
  }

  it('twin: no relations() and no foreign key -> no root, and the reason names tenantRoot', () => {
    const schema = drizzle(tables(undefined));
    expect(schema.root).toBeUndefined();
    expect(schema.rootReason).toMatch(/set tenantRoot/);
    expect(schema.tenantKeys).toEqual([]);
  });

  it('twin: relations() imported from elsewhere than Drizzle are not read', () => {
    const schema = drizzle(tables('./my-relations'));
    expect(schema.root).toBeUndefined();
  });
});

describe('a column written through a helper of the schema file', () => {
  // Cap: `const nanoIdRequired = (name: string) => varchar(name, { length: 15 }).notNull()`, then
  // `orgId: nanoIdRequired('orgId')`: the helper's `.notNull()` makes the column required, so the
  // undeclared `videos.orgId` carries the tenant like the declared keys of the same name.
  const tables = (helperBody: string) => `import { mysqlTable, varchar } from 'drizzle-orm/mysql-core';
import { relations } from 'drizzle-orm';
const orgKey = (name: string) => ${helperBody};
export const organizations = mysqlTable('organizations', { id: varchar('id', { length: 15 }).primaryKey() });
export const folders = mysqlTable('folders', { id: varchar('id', { length: 15 }).primaryKey(), orgId: varchar('orgId', { length: 15 }).notNull() });
export const spaces = mysqlTable('spaces', { id: varchar('id', { length: 15 }).primaryKey(), orgId: varchar('orgId', { length: 15 }).notNull() });
export const videos = mysqlTable('videos', { id: varchar('id', { length: 15 }).primaryKey(), orgId: orgKey('orgId') });
export const foldersRelations = relations(folders, ({ one }) => ({ org: one(organizations, { fields: [folders.orgId], references: [organizations.id] }) }));
export const spacesRelations = relations(spaces, ({ one }) => ({ org: one(organizations, { fields: [spaces.orgId], references: [organizations.id] }) }));
`;

  it('helper with .notNull() -> required column, tenant key by name', () => {
    const schema = drizzle(tables("varchar(name, { length: 15 }).notNull()"));
    expect(schema.tables.get('videos')?.columns.get('orgId')).toMatchObject({ dbName: 'orgId', type: 'varchar', nullable: false });
    expect(keyOf(schema, 'videos')).toEqual(['orgId']);
    expect(schema.tables.get('videos')?.class).toBe('tenant');
  });

  it('twin: helper without .notNull() -> nullable column, no key taken by name', () => {
    const schema = drizzle(tables('varchar(name, { length: 15 })'));
    expect(schema.tables.get('videos')?.columns.get('orgId')?.nullable).toBe(true);
    expect(keyOf(schema, 'videos')).toEqual([]);
  });
});

describe('a key name declared once counts when it names the root (Cap: notifications.orgId -> organizations)', () => {
  // The declared key is a customType whose dataType() is varchar, the undeclared one a varchar.
  const tables = (declared: string, undeclared: string) => `import { customType, mysqlTable, varchar } from 'drizzle-orm/mysql-core';
import { relations } from 'drizzle-orm/relations';
const nanoId = customType<{ data: string; notNull: true }>({ dataType() { return \`varchar(15)\`; } });
export const organizations = mysqlTable('organizations', { id: nanoId('id').notNull().primaryKey() });
export const members = mysqlTable('members', { id: nanoId('id').notNull().primaryKey(), organizationId: nanoId('organizationId').notNull() });
export const notifications = mysqlTable('notifications', { id: nanoId('id').notNull().primaryKey(), ${declared}: nanoId('${declared}').notNull() });
export const videos = mysqlTable('videos', { id: nanoId('id').notNull().primaryKey(), ${undeclared}: varchar('${undeclared}', { length: 15 }).notNull() });
export const membersRelations = relations(members, ({ one }) => ({ organization: one(organizations, { fields: [members.organizationId], references: [organizations.id] }) }));
export const notificationsRelations = relations(notifications, ({ one }) => ({ org: one(organizations, { fields: [notifications.${declared}], references: [organizations.id] }) }));
`;

  it('orgId declared once, videos.orgId NOT NULL varchar -> tenant key of organizations', () => {
    const schema = drizzle(tables('orgId', 'orgId'));
    expect(schema.tables.get('notifications')?.columns.get('orgId')?.type).toBe('varchar');
    expect(keyOf(schema, 'videos')).toEqual(['orgId']);
    expect(schema.tables.get('videos')?.classReason).toMatch(/tenant key of organizations by name and NOT NULL/);
  });

  it('twin: a name declared once that does not name the root (ownerRef) is not taken elsewhere', () => {
    const schema = drizzle(tables('ownerRef', 'ownerRef'));
    expect(keyOf(schema, 'notifications')).toEqual(['ownerRef']);
    expect(keyOf(schema, 'videos')).toEqual([]);
  });
});

describe('a lower level carries its undeclared keys too', () => {
  // openpanel's ProjectInsight.projectId: NOT NULL, named like the declared `projectId -> Project`
  // keys, no relation. With Project the root it was a tenant key; as a level it stays one.
  const model = (optional: string) => `model Organization {
  id       String    @id
  projects Project[]
  members  Member[]
}
model Member {
  id             String       @id
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
}
model Project {
  id             String       @id
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  reports        Report[]
  cohorts        Cohort[]
}
model Report {
  id        String  @id
  projectId String
  project   Project @relation(fields: [projectId], references: [id])
}
model Cohort {
  id        String  @id
  projectId String
  project   Project @relation(fields: [projectId], references: [id])
}
model Insight {
  id        String  @id
  projectId String${optional}
}
`;

  it('Prisma: NOT NULL projectId without relation -> tenant, keyed by the level', () => {
    const schema = prisma(model(''));
    expect(schema.levels).toEqual(['Organization', 'Project']);
    expect(keyOf(schema, 'Insight')).toEqual(['projectId']);
    expect(schema.tables.get('Insight')?.classReason).toMatch(/tenant key of Project by name and NOT NULL/);
  });

  it('Prisma twin: a nullable projectId is not taken', () => {
    const schema = prisma(model('?'));
    expect(keyOf(schema, 'Insight')).toEqual([]);
    expect(schema.tables.get('Insight')?.class).not.toBe('tenant');
  });
});
