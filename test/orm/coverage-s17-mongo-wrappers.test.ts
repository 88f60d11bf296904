// Coverage on the field corpus, session 17 (issue 16): a Mongo collection keyed by a plain string
// `workspaceId` joins the tenant hierarchy by name; SQL handed through a project function that wraps
// its text in a new template is traced. Each shape beside its twin.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/project.js';
import { scan } from '../../src/scan/scan.js';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';

const { makeProject } = useScratch();

beforeAll(async () => {
  await loadSqlParsers();
});

type Result = Awaited<ReturnType<typeof scan>>;
const filterLines = (result: Result) => result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`).sort();

/*
 * laudspeaker: the hierarchy Organization > Workspaces is TypeORM's (workspaces.entity.ts,
 * journey.entity.ts), and the events and customers live in Mongo with `@Prop() workspaceId: string`
 * and no ref (events/schemas/event.schema.ts:8). The collections were unclassified, their queries unchecked.
 */
const ENTITIES = `import { Entity, PrimaryGeneratedColumn, JoinColumn, ManyToOne } from 'typeorm';
@Entity() export class Organization { @PrimaryGeneratedColumn('uuid') id: string; }
@Entity() export class OrganizationTeam {
  @PrimaryGeneratedColumn('uuid') id: string;
  @JoinColumn() @ManyToOne(() => Organization, (o) => o.id, { onDelete: 'CASCADE' }) organization: Organization;
}
@Entity() export class Workspaces {
  @PrimaryGeneratedColumn('uuid') id: string;
  @JoinColumn() @ManyToOne(() => Organization, (o) => o.id, { onDelete: 'CASCADE' }) organization: Organization;
}
${['Journey', 'Segment', 'Template'].map((m) => `@Entity() export class ${m} {\n  @PrimaryGeneratedColumn('uuid') id: string;\n  @JoinColumn() @ManyToOne(() => Workspaces, (w) => w.id, { onDelete: 'CASCADE' }) workspace: Workspaces;\n}`).join('\n')}
`;

const nestEvent = (field: string) => `import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
@Schema({ strict: false })
export class Event {
  ${field}
  @Prop() event: string;
}
export const EventSchema = SchemaFactory.createForClass(Event);
EventSchema.index({ workspaceId: 1, event: 1 });
`;

const nestService = (filter: string) => `import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { Event } from './event.schema';
@Injectable()
export class EventsService {
  constructor(@InjectModel(Event.name) private eventModel: Model<Event>) {}
  async byName(workspaceId: string, event: string) {
    return this.eventModel.find(${filter}).exec();
  }
}
`;

const nestProject = (field: string, filter: string) =>
  makeProject({
    'package.json': JSON.stringify({ dependencies: { typeorm: '*', mongoose: '*', '@nestjs/mongoose': '*', '@nestjs/common': '*' } }),
    'src/entities.ts': ENTITIES,
    'src/event.schema.ts': nestEvent(field),
    'src/events.service.ts': nestService(filter),
  });

describe('Mongoose: a plain string key named like a level of the hierarchy', () => {
  it('`@Prop() workspaceId: string` (no ref) is the key of Workspaces by name, printed so', async () => {
    const dir = nestProject('@Prop() workspaceId: string;', '{ event }');
    const { schema } = loadProject(dir);
    expect(schema.levels).toEqual(['Organization', 'Workspaces']);
    expect(schema.tables.get('Event')?.class).toBe('tenant');
    expect(schema.tenantKeys.find((k) => k.table === 'Event')).toMatchObject({ field: 'workspaceId', references: 'Workspaces', byName: true });
    expect(schema.tables.get('Event')?.classReason).toMatch(/tenant key of Workspaces by name \(no foreign key or relation declares it; optional only because it is not marked required\)/);
    const result = await scan({ path: dir });
    expect(result.projects[0]?.tenantKeys).toContainEqual({ table: 'Event', field: 'workspaceId', references: 'Workspaces', byName: true });
    expect(filterLines(result)).toEqual(['src/events.service.ts:9']);
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
  });

  it('twin: the query filters by `workspaceId`: no finding', async () => {
    const result = await scan({ path: nestProject('@Prop() workspaceId: string;', '{ workspaceId, event }') });
    expect(filterLines(result)).toEqual([]);
    expect(result.coverage).toMatchObject({ notTraced: 0 });
  });

  it('twin: `workspaceId?: string` or `required: false` says the value may be missing: no key by name', () => {
    for (const field of ['@Prop() workspaceId?: string;', '@Prop({ required: false }) workspaceId: string;', '@Prop() workspaceId: string | null;']) {
      const { schema } = loadProject(nestProject(field, '{ event }'));
      expect(schema.tables.get('Event')?.class, field).not.toBe('tenant');
    }
  });

  // The same by name with the hierarchy in Prisma and a plain `new Schema({ workspaceId: String })`.
  const prismaProject = (path: string, filter: string) =>
    makeProject({
      'package.json': JSON.stringify({ dependencies: { '@prisma/client': '*', mongoose: '*' } }),
      'prisma/schema.prisma': [
        'model Organization {\n  id String @id\n  workspaces Workspace[]\n}',
        'model Workspace {\n  id String @id\n  organizationId String\n  organization Organization @relation(fields: [organizationId], references: [id])\n  projects Project[]\n  tags Tag[]\n}',
        'model Project {\n  id String @id\n  workspaceId String\n  workspace Workspace @relation(fields: [workspaceId], references: [id])\n}',
        'model Tag {\n  id String @id\n  workspaceId String\n  workspace Workspace @relation(fields: [workspaceId], references: [id])\n}',
        '',
      ].join('\n'),
      'src/activity.ts': `import { Schema, model } from 'mongoose';
const activitySchema = new Schema({ ${path}, kind: String });
activitySchema.index({ workspaceId: 1 });
export const Activity = model('Activity', activitySchema);
export async function recent(workspaceId: string, kind: string) {
  return Activity.find(${filter});
}
`,
    });

  it('mongoose `new Schema({ workspaceId: String })` under a Prisma hierarchy: tenant by name; an unfiltered find is reported', async () => {
    const dir = prismaProject('workspaceId: String', '{ kind }');
    expect(loadProject(dir).schema.tenantKeys.find((k) => k.table === 'Activity')).toMatchObject({ field: 'workspaceId', references: 'Workspace', byName: true });
    expect(filterLines(await scan({ path: dir }))).toEqual(['src/activity.ts:6']);
  });

  it('twin: filtered by workspaceId: no finding; `required: false` stated: no key by name', async () => {
    expect(filterLines(await scan({ path: prismaProject('workspaceId: String', '{ workspaceId, kind }') }))).toEqual([]);
    const stated = loadProject(prismaProject('workspaceId: { type: String, required: false }', '{ kind }')).schema;
    expect(stated.tables.get('Activity')?.class).not.toBe('tenant');
  });
});

/*
 * umami src/lib/prisma.ts:307: `pagedRawQuery(query, ...)` runs `rawQuery(\`select count(*) as num
 * from (${query}) t\`)` and `rawQuery(\`${query}${statements}\`)`, where `rawQuery` hands its text to
 * `$queryRawUnsafe`. Its 8 calls were counted as not traced.
 */
const SQL = `CREATE TABLE team (id uuid PRIMARY KEY);
CREATE TABLE website (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES team (id));
CREATE INDEX ON website (team_id, id);
`;

const pagedLib = (client: 'prisma' | 'pg', extra = '') =>
  [
    client === 'prisma' ? `import { PrismaClient } from '@prisma/client';\nconst db = new PrismaClient();` : `import { Pool } from 'pg';\nconst db = new Pool();`,
    `async function rawQuery(sql: string, params: unknown[]) {`,
    client === 'prisma' ? `  return db.$queryRawUnsafe(sql, ...params);` : `  return (await db.query(sql, params)).rows;`,
    `}`,
    `export async function pagedRawQuery(query: string, params: unknown[], page: number) {`,
    `  const count = await rawQuery(\`select count(*) as num from (\${query}${extra}) t\`, params);`,
    `  const data = await rawQuery(\`\${query}${extra} limit 20 offset \${page * 20}\`, params);`,
    `  return { data, count };`,
    `}`,
    '',
  ].join('\n');

const pagedProject = (client: 'prisma' | 'pg', where: string, extra = '') =>
  makeProject({
    'package.json': JSON.stringify({ dependencies: client === 'prisma' ? { '@prisma/client': '*' } : { pg: '*' } }),
    'migrations/0001_init.sql': SQL,
    ...(client === 'prisma' ? { 'prisma/schema.prisma': 'datasource db { provider = "postgresql" url = env("DATABASE_URL") }\n' } : {}),
    'src/db.ts': pagedLib(client, extra),
    'src/websites.ts': `import { pagedRawQuery } from './db';\nexport function list(teamId: string, name: string) {\n  return pagedRawQuery(\`select id from website where ${where}\`, [teamId, name], 0);\n}\n`,
  });

describe('SQL through a project function that wraps its parameter in a new template', () => {
  for (const client of ['prisma', 'pg'] as const) {
    it(`${client}: the caller's text is the query: analysed, and reported without the tenant`, async () => {
      const dir = pagedProject(client, 'name = $2');
      const result = await scan({ path: dir });
      expect(result.coverage).toMatchObject({ notTraced: 0 });
      expect(filterLines(result)).toEqual(['src/websites.ts:3']);
      const faces = await bothFaces(dir, 'require-tenant-filter');
      expect(faces.eslint).toEqual(faces.scanner);
    });

    it(`${client} twin: the caller filters by team_id: analysed, no finding`, async () => {
      const result = await scan({ path: pagedProject(client, 'team_id = $1 and name = $2') });
      expect(result.coverage).toMatchObject({ notTraced: 0 });
      expect(filterLines(result)).toEqual([]);
    });
  }

  it('a template that adds a condition of its own is not the caller text alone: not read as a forward', async () => {
    const result = await scan({ path: pagedProject('pg', 'name = $2', ' and team_id = $1') });
    expect(filterLines(result)).toEqual([]);
  });
});

/*
 * laudspeaker workflows.service.ts:403: `update(account, dto, session, queryRunner =
 * this.dataSource.createQueryRunner())`, untyped; `queryRunner.manager.findOne(Workflow, ...)` was
 * counted as not traced ("a parameter of unknown type").
 */
const typeormRunner = (where: string) =>
  makeProject({
    'package.json': JSON.stringify({ dependencies: { typeorm: '*', '@nestjs/common': '*' } }),
    'src/entities.ts': `import { Entity, PrimaryGeneratedColumn, Column, ManyToOne, JoinColumn, Index } from 'typeorm';
@Entity() export class Organization { @PrimaryGeneratedColumn('uuid') id: string; }
@Entity() @Index(['organizationId', 'id']) export class Invoice {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid', nullable: false }) organizationId: string;
  @JoinColumn({ name: 'organizationId' }) @ManyToOne(() => Organization, { nullable: false }) organization: Organization;
}
@Entity() @Index(['organizationId', 'id']) export class Payment {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid', nullable: false }) organizationId: string;
  @JoinColumn({ name: 'organizationId' }) @ManyToOne(() => Organization, { nullable: false }) organization: Organization;
}
`,
    'src/invoices.service.ts': `import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Invoice } from './entities';
@Injectable()
export class InvoicesService {
  constructor(private dataSource: DataSource) {}
  async close(organizationId: string, id: string, queryRunner = this.dataSource.createQueryRunner()) {
    const invoice = await queryRunner.manager.findOne(Invoice, { where: ${where} });
    const rows = await queryRunner.query(\`select id from invoice where ${where === '{ id }' ? 'id = $1' : 'id = $1 and "organizationId" = $2'}\`, [id, organizationId]);
    return { invoice, rows };
  }
}
`,
  });

describe('TypeORM: an untyped parameter whose default is `dataSource.createQueryRunner()`', () => {
  it('is a query runner: its manager and its raw queries are analysed and reported', async () => {
    const dir = typeormRunner('{ id }');
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ notTraced: 0 });
    expect(filterLines(result)).toEqual(['src/invoices.service.ts:8', 'src/invoices.service.ts:9']);
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
  });

  it('twin: both filter by the organization: analysed, no finding', async () => {
    const result = await scan({ path: typeormRunner('{ id, organizationId }') });
    expect(result.coverage).toMatchObject({ notTraced: 0 });
    expect(filterLines(result)).toEqual([]);
  });
});
