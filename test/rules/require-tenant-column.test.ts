import { RuleTester } from '@typescript-eslint/rule-tester';
import { beforeAll, describe, expect, it } from 'vitest';
import rule from '../../rules/require-tenant-column.js';
import { schemaFindings } from '../../src/analyze/analyze.js';
import { checkSchema } from '../../src/policies/schema-rules/index.js';
import { loadProject } from '../../src/project/project.js';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { onDisk } from '../helpers/on-disk.js';
import { useScratch } from '../helpers/scratch.js';

const ruleTester = new RuleTester();

const drizzleOrgs = `import { pgTable, uuid, text, index } from 'drizzle-orm/pg-core';

export const organizations = pgTable('organizations', { id: uuid('id').primaryKey() });
`;

ruleTester.run('require-tenant-column', rule, {
  valid: [
    // Drizzle: a required tenant key, led index
    onDisk(`${drizzleOrgs}
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
}, (t) => [index('invoices_org_idx').on(t.orgId, t.id)]);
`),
    // Drizzle: a child table inherits tenancy through a required foreign key, accepted with checkChildTables: false
    onDisk(
      `${drizzleOrgs}
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
}, (t) => [index('invoices_org_idx').on(t.orgId, t.id)]);
export const invoiceLines = pgTable('invoice_lines', {
  id: uuid('id').primaryKey(),
  invoiceId: uuid('invoice_id').notNull().references(() => invoices.id),
});
`,
      'src/schema.ts',
      { 'tenant-lint.config.json': '{ "checkChildTables": false }' },
    ),
    // Drizzle: a table with no relation to tenant data is global by structure
    onDisk(`${drizzleOrgs}
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
}, (t) => [index('invoices_org_idx').on(t.orgId, t.id)]);
export const featureFlags = pgTable('feature_flags', { id: uuid('id').primaryKey(), name: text('name').notNull() });
`),
    // Drizzle: the child carries the tenant and references its parent through (org_id, invoice_id)
    onDisk(`import { pgTable, uuid, index, unique, foreignKey } from 'drizzle-orm/pg-core';

export const organizations = pgTable('organizations', { id: uuid('id').primaryKey() });
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
}, (t) => [index('invoices_org_idx').on(t.orgId, t.id), unique('invoices_org_id_key').on(t.orgId, t.id)]);
export const invoiceLines = pgTable('invoice_lines', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  invoiceId: uuid('invoice_id').notNull(),
}, (t) => [
  index('invoice_lines_org_idx').on(t.orgId, t.id),
  foreignKey({ columns: [t.orgId, t.invoiceId], foreignColumns: [invoices.orgId, invoices.id] }),
]);
`),
    // a global table named in the configuration
    onDisk(
      `${drizzleOrgs}
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
}, (t) => [index('invoices_org_idx').on(t.orgId, t.id)]);
export const plans = pgTable('plans', { id: uuid('id').primaryKey(), name: text('name').notNull() });
`,
      'src/schema.ts',
      { 'tenant-lint.config.json': '{ "globalTables": ["plans"] }' },
    ),
    // TypeORM: a required @ManyToOne to the tenant
    onDisk(`import { Entity, PrimaryGeneratedColumn, Column, ManyToOne, JoinColumn, Index } from 'typeorm';

@Entity('organizations')
export class Organization {
  @PrimaryGeneratedColumn('uuid') id!: string;
}

@Entity('projects')
@Index(['orgId', 'id'])
export class Project {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'org_id' }) orgId!: string;
  @ManyToOne(() => Organization) @JoinColumn({ name: 'org_id' }) org!: Organization;
}
`),
    // a file that defines no table is never reported
    `export const answer = 42;`,
  ],
  invalid: [
    {
      // Drizzle: the tenant key is nullable
      ...onDisk(`${drizzleOrgs}
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').references(() => organizations.id),
}, (t) => [index('invoices_org_idx').on(t.orgId, t.id)]);
`),
      errors: [{ messageId: 'nullableTenantColumn', line: 7, column: 3, endColumn: 8 }],
    },
    {
      // Drizzle: a table with no tenant key and only an optional relation to a tenant table
      ...onDisk(`${drizzleOrgs}
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
}, (t) => [index('invoices_org_idx').on(t.orgId, t.id)]);
export const auditEvents = pgTable('audit_events', { id: uuid('id').primaryKey(), invoiceId: uuid('invoice_id').references(() => invoices.id) });
`),
      errors: [{ messageId: 'missingTenantColumn', line: 9, column: 28 }],
    },
    {
      // by default: a child table without its own tenant column
      ...onDisk(`${drizzleOrgs}
export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
}, (t) => [index('invoices_org_idx').on(t.orgId, t.id)]);
export const invoiceLines = pgTable('invoice_lines', {
  id: uuid('id').primaryKey(),
  invoiceId: uuid('invoice_id').notNull().references(() => invoices.id),
});
`),
      errors: [{ messageId: 'childWithoutTenantColumn', line: 9, column: 29 }],
    },
    {
      // Mongoose: the tenant reference is not required
      ...onDisk(`import { Schema, model } from 'mongoose';

const tenantSchema = new Schema({ name: String });
export const Tenant = model('Tenant', tenantSchema);

const invoiceSchema = new Schema({
  tenantId: { type: Schema.Types.ObjectId, ref: 'Tenant' },
  total: Number,
});
invoiceSchema.index({ tenantId: 1, _id: 1 });
export const Invoice = model('Invoice', invoiceSchema);
`),
      errors: [{ messageId: 'nullableTenantColumn', line: 7 }],
    },
  ],
});

// Schema sources the ESLint rule does not lint (schema.prisma, SQL migrations): the rule's policy, as `tenant-lint scan` runs it.
describe('require-tenant-column on schema.prisma and migrations', () => {
  const { makeProject } = useScratch();
  beforeAll(async () => {
    await loadSqlParsers();
  });
  const findings = (files: Record<string, string>) => {
    const project = loadProject(makeProject({ 'package.json': '{"name":"p"}', ...files }));
    return { schema: project.schema, findings: checkSchema(project.schema, project.config).filter((f) => f.ruleId === 'require-tenant-column') };
  };
  const summary = (list: { messageId: string; table: string }[]) => list.map((f) => `${f.messageId} ${f.table}`);

  it('tableCreatedAsSelectIsNotJudged ok', () => {
    const { findings: found, schema } = findings({
      'migrations/V1__init.sql': 'CREATE TABLE tenants (id uuid PRIMARY KEY);\nCREATE TABLE integrations (id uuid PRIMARY KEY, "tenantId" uuid NOT NULL REFERENCES tenants(id));\nCREATE INDEX integrations_tenant ON integrations ("tenantId", id);',
      'migrations/V2__backup.sql': 'CREATE TABLE "integrationsBackup" AS SELECT * FROM integrations WHERE 1 = 2;\nCREATE MATERIALIZED VIEW "integrationCounts" AS SELECT "tenantId", count(*) FROM integrations GROUP BY 1;\nCREATE UNIQUE INDEX ON "integrationCounts" ("tenantId");',
    });
    expect(schema.diagnostics).toEqual([]);
    expect(schema.tables.get('integrationsBackup')?.columnsUnknown).toBe(true);
    expect(schema.tables.has('integrationCounts')).toBe(false);
    expect(summary(found)).toEqual([]);
  });

  it('partitionsAreStorageOfTheirParent ok', () => {
    const { findings: found, schema } = findings({
      'migrations/V1__init.sql': 'CREATE TABLE devices (id bigint PRIMARY KEY);\nCREATE TABLE readings (id bigint, device_id bigint NOT NULL REFERENCES devices(id), v numeric) PARTITION BY HASH (device_id);\nCREATE TABLE readings_p0 PARTITION OF readings FOR VALUES WITH (MODULUS 2, REMAINDER 0);\nCREATE TABLE readings_p1 PARTITION OF readings FOR VALUES WITH (MODULUS 2, REMAINDER 1);\nALTER TABLE readings_p1 ADD COLUMN note text;',
    });
    expect(schema.diagnostics).toEqual([]);
    expect(schema.tables.get('readings_p0')?.columnsUnknown).toBe(true);
    // Only the parent can be judged; its partitions add no findings of their own.
    expect(summary(found).filter((line) => /readings_p/.test(line))).toEqual([]);
  });

  it('prismaIgnoredModelIsGlobalAndNotReported ok', () => {
    const { findings: found, schema } = findings({
      'prisma/schema.prisma': `model Team {
  id      String       @id
  members TeamMember[]
}

model TeamMember {
  id     String @id
  teamId String
  team   Team   @relation(fields: [teamId], references: [id])

  @@index([teamId, id])
}

model jackson_store {
  key       String  @id
  value     String
  namespace String?

  @@index([namespace])
  @@ignore
}

model Audit {
  id      String @id
  legacy  String @ignore
  teamId  String
  team    Team   @relation(fields: [teamId], references: [id])

  @@index([teamId, id])
}
`,
    });
    expect(schema.tables.get('jackson_store')?.class).toBe('global');
    expect(schema.tables.get('jackson_store')?.classReason).toMatch(/@@ignore/);
    expect([...(schema.tables.get('Audit')?.columns.keys() ?? [])]).toEqual(['id', 'teamId']);
    expect(summary(found)).toEqual([]);
  });

  it('notNullTenantNamedColumnWithoutRelationIsATenantKey ok', () => {
    const { findings: found, schema } = findings({
      'src/schema.ts': `import { mysqlTable, varchar, index, unique } from 'drizzle-orm/mysql-core';
import { relations } from 'drizzle-orm';

export const workspaces = mysqlTable('workspaces', { id: varchar('id', { length: 64 }).primaryKey() });
export const apis = mysqlTable('apis', {
  id: varchar('id', { length: 64 }).primaryKey(),
  workspaceId: varchar('workspace_id', { length: 64 }).notNull(),
}, (t) => [index('apis_ws').on(t.workspaceId, t.id)]);
export const apisRelations = relations(apis, ({ one }) => ({ workspace: one(workspaces, { fields: [apis.workspaceId], references: [workspaces.id] }) }));
export const keyMigrations = mysqlTable('key_migrations', {
  id: varchar('id', { length: 64 }).notNull(),
  workspaceId: varchar('workspace_id', { length: 64 }).notNull(),
}, (t) => [unique('id_per_ws').on(t.workspaceId, t.id)]);
export const drafts = mysqlTable('drafts', {
  id: varchar('id', { length: 64 }).primaryKey(),
  workspaceId: varchar('workspace_id', { length: 64 }),
});
`,
    });
    expect(schema.tables.get('key_migrations')?.class).toBe('tenant');
    expect(schema.tables.get('key_migrations')?.tenantKeys).toEqual(['workspaceId']);
    expect(schema.tables.get('key_migrations')?.classReason).toMatch(/no foreign key/);
    // A nullable one is not taken as the key, and the warning does not claim the column is absent.
    const drafts = found.find((f) => f.table === 'drafts');
    expect(drafts?.messageId).toBe('missingTenantColumn');
    expect(drafts?.message).not.toMatch(/has no tenant column/);
    expect(drafts?.message).toMatch(/workspace_id/);
    expect(summary(found)).toEqual(['missingTenantColumn drafts']);
  });

  it('crmOrganizationsUnderTenantsAreNotALevel ok', () => {
    const { findings: found, schema } = findings({
      'migrations/V1__init.sql': `CREATE TABLE tenants (id uuid PRIMARY KEY);
CREATE TABLE organizations (id uuid PRIMARY KEY, "tenantId" uuid NOT NULL REFERENCES tenants(id), name text);
CREATE TABLE members (id uuid PRIMARY KEY, "tenantId" uuid NOT NULL REFERENCES tenants(id));
CREATE TABLE segments (id uuid PRIMARY KEY, "tenantId" uuid NOT NULL REFERENCES tenants(id));
CREATE INDEX ON segments ("tenantId", id);
CREATE TABLE "orgAttributes" (id uuid PRIMARY KEY, "organizationId" uuid NOT NULL REFERENCES organizations(id));
CREATE TABLE "activityRelations" (id uuid PRIMARY KEY, "memberId" uuid NOT NULL REFERENCES members(id), "organizationId" uuid REFERENCES organizations(id));
CREATE INDEX ON organizations ("tenantId", id);
CREATE INDEX ON members ("tenantId", id);`,
    });
    expect(schema.root).toBe('tenants');
    expect(schema.levels).toEqual(['tenants']);
    expect(schema.tenantKeys.filter((k) => k.references === 'organizations')).toEqual([]);
    expect(schema.tables.get('orgAttributes')?.class).toBe('child');
    expect(schema.tables.get('activityRelations')?.class).toBe('child');
    // Children of tenant tables, reported by default (checkChildTables), not as a level's nullable key.
    expect(summary(found).sort()).toEqual(['childWithoutTenantColumn activityRelations', 'childWithoutTenantColumn orgAttributes']);
  });

  it('lowerLevelKeysMustBeRequired ok', () => {
    const { findings: found, schema } = findings({
      'prisma/schema.prisma': `model Organisation {
  id      String   @id
  teams   Team[]
  members Member[]
  claims  Claim[]
}

model Member {
  id             String       @id
  organisationId String
  organisation   Organisation @relation(fields: [organisationId], references: [id])

  @@index([organisationId, id])
}

model Claim {
  id             String       @id
  organisationId String
  organisation   Organisation @relation(fields: [organisationId], references: [id])

  @@index([organisationId, id])
}

model Team {
  id             String       @id
  organisationId String
  organisation   Organisation @relation(fields: [organisationId], references: [id])
  envelopes      Envelope[]
  notes          Note[]

  @@index([organisationId, id])
}

model Envelope {
  id     String @id
  teamId String
  team   Team   @relation(fields: [teamId], references: [id])

  @@index([teamId, id])
}

model Note {
  id     String  @id
  teamId String?
  team   Team?   @relation(fields: [teamId], references: [id])
}
`,
    });
    expect(schema.levels).toEqual(['Organisation', 'Team']);
    expect(schema.tables.get('Envelope')?.tenantKeys).toEqual(['teamId']);
    expect(schema.tables.get('Note')?.class).toBe('unclassified');
    expect(summary(found)).toEqual(['missingTenantColumn Note']);
  });

  // Judged misreadings on AFFiNE: features, user_features, multiple_users_sessions, ai_prompts_metadata.
  // Judged true: hyperdx AlertHistory (only an optional reference to a tenant table).
  it('referenceAndUserDataPrisma ok / optionalTenantReferencePrisma err', () => {
    const { findings: found, schema } = findings({
      'prisma/schema.prisma': `model Workspace {
  id          String             @id
  permissions WorkspaceUserPermission[]
  features    WorkspaceFeature[]
  sessions    AiSession[]
}

model User {
  id          String                    @id
  email       String
  permissions WorkspaceUserPermission[]
  features    UserFeature[]
  sessions    UserSession[]
  alerts      AlertHistory[]
}

model WorkspaceUserPermission {
  id          String    @id
  workspaceId String
  userId      String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
  user        User      @relation(fields: [userId], references: [id])

  @@unique([workspaceId, userId])
}

model Feature {
  id                Int                @id
  name              String
  workspaceFeatures WorkspaceFeature[]
  userFeatures      UserFeature[]
}

model WorkspaceFeature {
  id          Int       @id
  workspaceId String
  featureId   Int
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
  feature     Feature   @relation(fields: [featureId], references: [id])

  @@index([workspaceId, id])
}

model UserFeature {
  id        Int     @id
  userId    String
  featureId Int
  user      User    @relation(fields: [userId], references: [id])
  feature   Feature @relation(fields: [featureId], references: [id])
}

model Session {
  id           String        @id
  userSessions UserSession[]

  @@map("multiple_users_sessions")
}

model UserSession {
  id        String  @id
  sessionId String
  userId    String
  session   Session @relation(fields: [sessionId], references: [id])
  user      User    @relation(fields: [userId], references: [id])
}

model AiPrompt {
  id       Int         @id
  name     String
  sessions AiSession[]

  @@map("ai_prompts_metadata")
}

model AiSession {
  id          String         @id
  workspaceId String
  promptId    Int
  workspace   Workspace      @relation(fields: [workspaceId], references: [id])
  prompt      AiPrompt       @relation(fields: [promptId], references: [id])
  messages    AiSessionMessage[]
  alerts      AlertHistory[]

  @@index([workspaceId, id])
}

model AiSessionMessage {
  id        String    @id
  sessionId String
  session   AiSession @relation(fields: [sessionId], references: [id])
}

model AlertHistory {
  id        String     @id
  userId    String
  sessionId String?
  user      User       @relation(fields: [userId], references: [id])
  session   AiSession? @relation(fields: [sessionId], references: [id])
}
`,
    });
    for (const name of ['Feature', 'UserFeature', 'Session', 'UserSession', 'AiPrompt']) {
      expect(schema.tables.get(name)?.class, name).toBe('global');
      expect(schema.tables.get(name)?.globalByStructure, name).toBe(true);
    }
    expect(schema.tables.get('UserFeature')?.classReason).toMatch(/belongs to a `User` \(`user`\), not to a tenant/);
    expect(summary(found)).toEqual(['childWithoutTenantColumn AiSessionMessage', 'missingTenantColumn AlertHistory']);
  });

  // Judged true: vendure Fulfillment, tied to orders by a many-to-many only; the fulfillment lines point at it.
  it('manyToManyToTenantDataIsNotReferenceData err', () => {
    const { findings: found, schema } = findings({
      'package.json': '{"name":"p","dependencies":{"typeorm":"*"}}',
      'tenant-lint.config.json': '{ "tenantRoot": "channel" }',
      'src/entities.ts': `import { Entity, PrimaryGeneratedColumn, Column, ManyToOne, ManyToMany, OneToMany, JoinColumn, JoinTable, Index } from 'typeorm';

@Entity('channel')
export class Channel {
  @PrimaryGeneratedColumn() id!: number;
}

@Entity('order')
@Index(['channelId', 'id'])
export class Order {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ nullable: false }) channelId!: number;
  @ManyToOne(() => Channel, { nullable: false }) @JoinColumn({ name: 'channelId' }) channel!: Channel;
  @ManyToMany(() => Fulfillment, (f) => f.orders) @JoinTable() fulfillments!: Fulfillment[];
}

@Entity('fulfillment')
export class Fulfillment {
  @PrimaryGeneratedColumn() id!: number;
  @Column() method!: string;
  @ManyToMany(() => Order, (o) => o.fulfillments) orders!: Order[];
  @OneToMany(() => FulfillmentLine, (l) => l.fulfillment) lines!: FulfillmentLine[];
}

@Entity('fulfillment_line')
@Index(['channelId', 'id'])
export class FulfillmentLine {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ nullable: false }) channelId!: number;
  @ManyToOne(() => Channel, { nullable: false }) @JoinColumn({ name: 'channelId' }) channel!: Channel;
  @Column({ nullable: false }) fulfillmentId!: number;
  @ManyToOne(() => Fulfillment, { nullable: false }) @JoinColumn({ name: 'fulfillmentId' }) fulfillment!: Fulfillment;
}
`,
    });
    expect(schema.tables.get('fulfillment_line')?.class).toBe('tenant');
    expect(schema.tables.get('fulfillment')?.class).toBe('unclassified');
    expect(summary(found)).toEqual(['missingTenantColumn fulfillment']);
  });

  it('dualOwnerPrisma info / nullableTenantKeyWithoutAnotherOwnerPrisma warning', () => {
    const project = loadProject(
      makeProject({
        'package.json': '{"name":"p"}',
        'prisma/schema.prisma': `model Team {
  id       String     @id
  members  TeamUser[]
  websites Website[]
  webhooks Webhook[]
}

model User {
  id       String     @id
  email    String
  teams    TeamUser[]
  websites Website[]
}

model TeamUser {
  id     String @id
  teamId String
  userId String
  team   Team   @relation(fields: [teamId], references: [id])
  user   User   @relation(fields: [userId], references: [id])

  @@index([teamId, id])
}

model Website {
  id     String  @id
  teamId String?
  userId String?
  team   Team?   @relation(fields: [teamId], references: [id])
  user   User?   @relation(fields: [userId], references: [id])

  @@index([teamId, id])
}

model Webhook {
  id     String  @id
  teamId String?
  team   Team?   @relation(fields: [teamId], references: [id])
  url    String

  @@index([teamId, id])
}
`,
      }),
    );
    const found = schemaFindings(project).filter((f) => f.messageId === 'nullableTenantColumn');
    expect(found.map((f) => `${f.message} ${f.severity}`).sort()).toEqual([
      'Tenant column `Webhook.teamId` is nullable. warning',
      'Tenant column `Website.teamId` is nullable: a row is owned by a user or a tenant. info',
    ]);
  });
});
