import { beforeAll, describe, expect, it } from 'vitest';
import { severityFor } from '../../src/analyze/analyze.js';
import { checkSchema } from '../../src/policies/schema-rules/index.js';
import { loadProject } from '../../src/project/project.js';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { useScratch } from '../helpers/scratch.js';

/**
 * Precision of require-tenant-column and require-tenant-index on the field corpus (session 13,
 * issue 13): each misreading judged on a field repository, as a safe shape and its unsafe twin, in
 * the schema sources where the shape exists.
 */
const { makeProject } = useScratch();

beforeAll(async () => {
  await loadSqlParsers();
});

const PACKAGE = (dependency?: string) => JSON.stringify({ name: 'p', ...(dependency ? { dependencies: { [dependency]: '*' } } : {}) });

/** `severity messageId table` of the schema rules' findings for one table, severity as the scanner maps it. */
function findingsOn(files: Record<string, string>, table: string): string[] {
  const project = loadProject(makeProject(files));
  return checkSchema(project.schema, project.config)
    .filter((f) => f.table === table || f.table.startsWith(`${table}.`))
    .map((f) => `${severityFor(f.ruleId, project.config, false, f.mild, f.informational)} ${f.messageId}`)
    .sort();
}

const sql = (text: string) => ({ 'package.json': PACKAGE(), 'migrations/0001_init.sql': text });
const prisma = (text: string) => ({ 'package.json': PACKAGE(), 'prisma/schema.prisma': text });
const drizzle = (text: string) => ({ 'package.json': PACKAGE('drizzle-orm'), 'src/schema.ts': text });
const CHANNEL_ROOT = JSON.stringify({ tenantRoot: 'Channel' });
const typeorm = (text: string) => ({ 'package.json': PACKAGE('typeorm'), 'src/entities.ts': text, 'tenant-lint.config.json': CHANNEL_ROOT });

describe('a nullable tenant column is hardening, not a leak (warning)', () => {
  // Judged: unleash change_requests.project, papra webhooks.organization_id, retraced token.project_id,
  // worklenz email_invitations.team_id: rows without a tenant match no tenant filter.
  it('nullableTenantKey warning / requiredTenantKey ok (SQL, Prisma)', () => {
    const ddl = (nullability: string) => `CREATE TABLE orgs (id uuid PRIMARY KEY);
CREATE TABLE webhooks (id uuid PRIMARY KEY, org_id uuid ${nullability} REFERENCES orgs(id) ON DELETE CASCADE);
CREATE INDEX webhooks_org_idx ON webhooks (org_id, id);`;
    expect(findingsOn(sql(ddl('')), 'webhooks')).toEqual(['warning nullableTenantColumn']);
    expect(findingsOn(sql(ddl('NOT NULL')), 'webhooks')).toEqual([]);
    const model = (optional: string) => `model Org {
  id       String    @id
  webhooks Webhook[]
}
model Webhook {
  id    String @id
  orgId String${optional}
  org   Org${optional} @relation(fields: [orgId], references: [id], onDelete: Cascade)
  @@index([orgId, id])
}`;
    expect(findingsOn(prisma(model('?')), 'Webhook')).toEqual(['warning nullableTenantColumn']);
    expect(findingsOn(prisma(model('')), 'Webhook')).toEqual([]);
  });
});

describe('a key to the tenant that is ON DELETE SET NULL is a reference, not an owner', () => {
  // Judged: vendure OrderLine.sellerChannel (SET NULL, a seller), kan subscription.referenceId,
  // papra auth_sessions.active_organization_id, capgo capgo_credits_steps.org_id (SQL: not read yet).
  it('setNullReference info / cascadeNullable warning (Prisma)', () => {
    const model = (action: string) => `model Org {
  id    String @id
  steps Step[]
  bills Bill[]
}
model Bill {
  id    String @id
  orgId String
  org   Org    @relation(fields: [orgId], references: [id])
  @@index([orgId, id])
}
model Step {
  id    String @id
  orgId String?
  org   Org?   @relation(fields: [orgId], references: [id], onDelete: ${action})
  @@index([orgId, id])
}`;
    // A `SET NULL` key is not a tenant key at all (the row outlives the tenant): the table is not the tenant's, by design.
    expect(findingsOn(prisma(model('SetNull')), 'Step')).toEqual(['info missingTenantColumn']);
    expect(findingsOn(prisma(model('Cascade')), 'Step')).toEqual(['warning nullableTenantColumn']);
    // and the query rule follows: a read of such a table by id alone is not reported; its twin is.
    const project = (action: string) => loadProject(makeProject(prisma(model(action))));
    expect(project('SetNull').schema.tables.get('Step')?.class).not.toBe('tenant');
    expect(project('Cascade').schema.tables.get('Step')?.class).toBe('tenant');
  });

  it('setNullReference info / cascadeNullable warning, and no index advice on a table the tenant does not own (TypeORM)', () => {
    const entities = (action: string) => `import { Entity, PrimaryColumn, Column, ManyToOne, Index } from 'typeorm';
@Entity() export class Channel { @PrimaryColumn() id: string; }
@Entity() export class OrderLine {
  @Index() @ManyToOne(() => Channel, { nullable: true, onDelete: '${action}' }) sellerChannel: Channel;
  @Column() quantity: number;
}`;
    // The only key to the root, nullable and `SET NULL`: a reference, not a tenant key.
    expect(findingsOn(typeorm(entities('SET NULL')), 'OrderLine')).toEqual(['info missingTenantColumn']);
    expect(findingsOn(typeorm(entities('CASCADE')), 'OrderLine')).toEqual(['warning nullableTenantColumn', 'warning tenantOnlyIndex'].sort());
  });

  it('a table tied to tenant data only by SET NULL keys is not missing its column (Drizzle): info / cascade warning', () => {
    const schema = (action: string) => `import { pgTable, uuid, text, index } from 'drizzle-orm/pg-core';
export const orgs = pgTable('orgs', { id: uuid('id').primaryKey() });
export const users = pgTable('users', { id: uuid('id').primaryKey(), email: text('email').notNull() });
export const members = pgTable('members', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => orgs.id),
  userId: uuid('user_id').notNull().references(() => users.id),
}, (t) => [index('members_org_idx').on(t.orgId, t.id)]);
export const sessions = pgTable('auth_sessions', {
  id: uuid('id').primaryKey(),
  token: text('token').notNull(),
  userId: uuid('user_id').references(() => users.id),
  activeOrganizationId: uuid('active_organization_id').references(() => orgs.id, { onDelete: '${action}' }),
});`;
    expect(findingsOn(drizzle(schema('set null')), 'auth_sessions')).toEqual(['info missingTenantColumn']);
    expect(findingsOn(drizzle(schema('cascade')), 'auth_sessions')).toEqual(['warning missingTenantColumn']);
  });

  it('a relations() edge that repeats a SET NULL key keeps it a reference (kan subscription): info / cascade warning', () => {
    const schema = (action: string) => `import { relations } from 'drizzle-orm';
import { pgTable, bigserial, varchar, index } from 'drizzle-orm/pg-core';
export const workspaces = pgTable('workspace', { id: bigserial('id', { mode: 'number' }).primaryKey(), publicId: varchar('publicId', { length: 12 }).notNull().unique() });
export const boards = pgTable('board', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  workspaceId: bigserial('workspaceId', { mode: 'number' }).notNull().references(() => workspaces.id),
}, (t) => [index('board_ws_idx').on(t.workspaceId, t.id)]);
export const subscription = pgTable('subscription', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  plan: varchar('plan', { length: 255 }).notNull(),
  referenceId: varchar('referenceId', { length: 12 }).references(() => workspaces.publicId, { onDelete: '${action}' }),
});
export const subscriptionsRelations = relations(subscription, ({ one }) => ({
  workspace: one(workspaces, { fields: [subscription.referenceId], references: [workspaces.publicId] }),
}));`;
    expect(findingsOn(drizzle(schema('set null')), 'subscription')).toEqual(['info missingTenantColumn']);
    expect(findingsOn(drizzle(schema('cascade')), 'subscription')).toEqual(['warning missingTenantColumn']);
  });

  it('the only key to the root, SET NULL on the column and repeated by a relations() edge without it: not a tenant key', () => {
    const schema = (action: string) => `import { relations } from 'drizzle-orm';
import { pgTable, bigserial, varchar } from 'drizzle-orm/pg-core';
export const workspaces = pgTable('workspace', { id: bigserial('id', { mode: 'number' }).primaryKey() });
export const lines = pgTable('line', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  note: varchar('note', { length: 255 }),
  workspaceId: bigserial('workspaceId', { mode: 'number' }).references(() => workspaces.id, { onDelete: '${action}' }),
});
export const linesRelations = relations(lines, ({ one }) => ({
  workspace: one(workspaces, { fields: [lines.workspaceId], references: [workspaces.id] }),
}));`;
    const classOf = (action: string) => loadProject(makeProject(drizzle(schema(action)))).schema.tables.get('line')?.class;
    expect(classOf('set null')).not.toBe('tenant');
    expect(classOf('cascade')).toBe('tenant');
  });

  it('the SQL reader does not keep ON DELETE yet: a SET NULL key in a migration is still a warning', () => {
    const ddl = `CREATE TABLE orgs (id uuid PRIMARY KEY);
CREATE TABLE steps (id int PRIMARY KEY, org_id uuid REFERENCES orgs(id) ON DELETE SET NULL);
CREATE INDEX steps_org_idx ON steps (org_id, id);`;
    expect(findingsOn(sql(ddl), 'steps')).toEqual(['warning nullableTenantColumn']);
  });
});

describe('rows shared among tenants through a many-to-many join (vendure channels)', () => {
  it('channelAwareManyToMany info / noRelation warning (TypeORM)', () => {
    const entities = (relation: string) => `import { Entity, PrimaryColumn, Column, ManyToMany, ManyToOne, JoinTable, Index } from 'typeorm';
@Entity() export class Channel { @PrimaryColumn() id: string; }
@Entity() export class Invoice {
  @PrimaryColumn() id: string;
  @ManyToOne(() => Channel, { nullable: false }) channel: Channel;
  @Index() @Column() channelId: string;
}
@Entity() export class Product {
  @PrimaryColumn() id: string;
  @Column() name: string;
  ${relation}
}
@Entity() export class ProductVariant {
  @PrimaryColumn() id: string;
  @ManyToOne(() => Product) product: Product;
}`;
    const shared = typeorm(entities('@ManyToMany(() => Channel) @JoinTable() channels: Channel[];'));
    expect(findingsOn(shared, 'Product')).toEqual(['info missingTenantColumn']);
    // A table that points at a shared one takes its tenants from it.
    expect(findingsOn(shared, 'ProductVariant')).toEqual(['info missingTenantColumn']);
    const unrelated = typeorm(entities('@Column({ nullable: true }) channelId: string;'));
    expect(findingsOn(unrelated, 'Product')).toEqual(['warning missingTenantColumn']);
    expect(findingsOn(unrelated, 'ProductVariant')).toEqual(['warning missingTenantColumn']);
  });

  it('implicitManyToMany info / listOfTheRootsForeignKey warning (Prisma)', () => {
    const base = `model Channel {
  id       String    @id
  invoices Invoice[]
  PRODUCTS
}
model Invoice {
  id        String  @id
  channelId String
  channel   Channel @relation(fields: [channelId], references: [id])
  @@index([channelId, id])
}
`;
    const shared = `${base.replace('PRODUCTS', 'products Product[]')}model Product {
  id       String    @id
  name     String
  channels Channel[]
}`;
    expect(findingsOn({ ...prisma(shared), 'tenant-lint.config.json': CHANNEL_ROOT }, 'Product')).toEqual(['info missingTenantColumn']);
    // The list side of the root's own foreign key (`Channel.defaultProductId`) is no join: the product
    // is what the channel points at, not shared through a join table.
    const pointedAt = `${base.replace('PRODUCTS', 'defaultProductId String?\n  defaultProduct Product? @relation(fields: [defaultProductId], references: [id])\n  sku String?')}model Product {
  id       String    @id
  name     String
  sku      String?
  channels Channel[]
}`;
    expect(findingsOn({ ...prisma(pointedAt), 'tenant-lint.config.json': CHANNEL_ROOT }, 'Product')).not.toContain('info missingTenantColumn');
  });
});

describe('a single-column foreign key beside a composite one that carries the tenant', () => {
  // Judged: capgo notification_campaigns(app_id) -> apps(app_id) next to (owner_org, app_id) -> apps.
  const apps = `CREATE TABLE orgs (id uuid PRIMARY KEY);
CREATE TABLE apps (id uuid PRIMARY KEY, app_id text NOT NULL, owner_org uuid NOT NULL REFERENCES orgs(id), UNIQUE (app_id), UNIQUE (owner_org, app_id));
CREATE INDEX apps_org_idx ON apps (owner_org, app_id);`;
  it('coveredByComposite ok / singleOnly warning (SQL)', () => {
    const table = (composite: string) => `${apps}
CREATE TABLE campaigns (id uuid PRIMARY KEY, owner_org uuid NOT NULL REFERENCES orgs(id), app_id text NOT NULL REFERENCES apps(app_id)${composite});
CREATE INDEX campaigns_org_idx ON campaigns (owner_org, id);`;
    expect(findingsOn(sql(table(', FOREIGN KEY (owner_org, app_id) REFERENCES apps (owner_org, app_id)')), 'campaigns')).toEqual([]);
    expect(findingsOn(sql(table('')), 'campaigns')).toEqual(['warning foreignKeyWithoutTenant']);
  });

  it('coveredByComposite ok / singleOnly warning (Drizzle)', () => {
    const schema = (composite: string) => `import { pgTable, uuid, text, index, unique, foreignKey } from 'drizzle-orm/pg-core';
export const orgs = pgTable('orgs', { id: uuid('id').primaryKey() });
export const apps = pgTable('apps', {
  id: uuid('id').primaryKey(),
  appId: text('app_id').notNull().unique(),
  ownerOrg: uuid('owner_org').notNull().references(() => orgs.id),
}, (t) => [unique('apps_org_app').on(t.ownerOrg, t.appId), index('apps_org_idx').on(t.ownerOrg, t.appId)]);
export const campaigns = pgTable('campaigns', {
  id: uuid('id').primaryKey(),
  ownerOrg: uuid('owner_org').notNull().references(() => orgs.id),
  appId: text('app_id').notNull().references(() => apps.appId),
}, (t) => [index('campaigns_org_idx').on(t.ownerOrg, t.id)${composite}]);`;
    expect(findingsOn(drizzle(schema(', foreignKey({ columns: [t.ownerOrg, t.appId], foreignColumns: [apps.ownerOrg, apps.appId] })')), 'campaigns')).toEqual([]);
    expect(findingsOn(drizzle(schema('')), 'campaigns')).toEqual(['warning foreignKeyWithoutTenant']);
  });
});

describe('unique values that are global by design', () => {
  // Judged: kan publicId (board, workspace_members, workspace_roles...), postiz OAuthApp.clientId,
  // capgo sso_providers.domain, worklenz clients LOWER(invite_slug).
  it('publicId / clientId / domain / LOWER(slug) ok, a name warning (SQL)', () => {
    const ddl = (column: string, unique: string) => `CREATE TABLE orgs (id uuid PRIMARY KEY);
CREATE TABLE things (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id), ${column} text NOT NULL);
CREATE INDEX things_org_idx ON things (org_id, id);
CREATE UNIQUE INDEX things_u ON things (${unique});`;
    for (const column of ['public_id', 'client_id', 'domain']) expect(findingsOn(sql(ddl(column, column)), 'things')).toEqual([]);
    expect(findingsOn(sql(ddl('invite_slug', 'LOWER(invite_slug)')), 'things')).toEqual([]);
    expect(findingsOn(sql(ddl('name', 'name')), 'things')).toEqual(['warning uniqueWithoutTenant']);
    expect(findingsOn(sql(ddl('name', 'LOWER(name)')), 'things')).toEqual(['warning uniqueWithoutTenant']);
  });

  it('publicId ok / name warning (Drizzle, Prisma)', () => {
    const schema = (column: string) => `import { pgTable, uuid, varchar, index } from 'drizzle-orm/pg-core';
export const workspaces = pgTable('workspace', { id: uuid('id').primaryKey() });
export const boards = pgTable('board', {
  id: uuid('id').primaryKey(),
  ${column}: varchar('${column}', { length: 12 }).notNull().unique(),
  workspaceId: uuid('workspaceId').notNull().references(() => workspaces.id),
}, (t) => [index('board_ws_idx').on(t.workspaceId, t.id)]);`;
    expect(findingsOn(drizzle(schema('publicId')), 'board')).toEqual([]);
    expect(findingsOn(drizzle(schema('title')), 'board')).toEqual(['warning uniqueWithoutTenant']);
    const model = (column: string) => `model Org {
  id   String @id
  apps App[]
}
model App {
  id    String @id
  orgId String
  ${column} String @unique
  org   Org    @relation(fields: [orgId], references: [id])
  @@index([orgId, id])
}`;
    expect(findingsOn(prisma(model('clientId')), 'App')).toEqual([]);
    expect(findingsOn(prisma(model('title')), 'App')).toEqual(['warning uniqueWithoutTenant']);
  });
});

describe('a row that belongs to a user, with the tenant as optional context', () => {
  // Judged: kan notification (userId NOT NULL, workspaceId nullable), postiz SocialMediaAgency,
  // unleash user_notifications / favorite_features.
  const users = `CREATE TABLE orgs (id uuid PRIMARY KEY);
CREATE TABLE users (id uuid PRIMARY KEY, email text NOT NULL);
CREATE TABLE members (org_id uuid NOT NULL REFERENCES orgs(id), user_id uuid NOT NULL REFERENCES users(id), PRIMARY KEY (org_id, user_id));`;
  it('userOwnedWithOptionalTenant info / actorWithOptionalTenant warning (SQL)', () => {
    const table = (owner: string) => `${users}
CREATE TABLE notifications (id uuid PRIMARY KEY, ${owner} uuid NOT NULL REFERENCES users(id), org_id uuid REFERENCES orgs(id));
CREATE INDEX notifications_org_idx ON notifications (org_id, id);`;
    expect(findingsOn(sql(table('user_id')), 'notifications')).toEqual(['info nullableTenantColumn']);
    // Who created the row is an actor, not its owner.
    expect(findingsOn(sql(table('created_by')), 'notifications')).toEqual(['warning nullableTenantColumn']);
  });

  it('userOwnedWithOptionalTie info / polymorphicMembership warning (Prisma)', () => {
    const model = (extra: string) => `model Org {
  id      String   @id
  members Member[]
  media   Media[]
}
model User {
  id       String   @id
  email    String
  members  Member[]
  agencies Agency[]
}
model Member {
  orgId  String
  userId String
  org    Org    @relation(fields: [orgId], references: [id])
  user   User   @relation(fields: [userId], references: [id])
  @@id([orgId, userId])
}
model Media {
  id      String   @id
  orgId   String
  org     Org      @relation(fields: [orgId], references: [id])
  agencies Agency[]
  @@index([orgId, id])
}
model Agency {
  id     String  @id
  userId String  @unique
  logoId String?
  ${extra}
  user   User    @relation(fields: [userId], references: [id])
  logo   Media?  @relation(fields: [logoId], references: [id])
}`;
    expect(findingsOn(prisma(model('')), 'Agency')).toEqual(['info missingTenantColumn']);
    // A polymorphic reference may name a row of the tenant (teable's collaborator.resource_id).
    expect(findingsOn(prisma(model('resourceId String')), 'Agency')).toEqual(['warning missingTenantColumn']);
  });
});
