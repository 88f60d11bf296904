import { describe, expect, it } from 'vitest';
import { readTypeorm } from '../../src/schema/typeorm.js';
import { column, dbNames, nullability, relation, tableNamed, unitOf } from './helpers.js';

const FILE = 'src/entities/invoice.ts';

function read(text: string) {
  return readTypeorm(unitOf(text, '/project/src/entities/invoice.ts'), FILE);
}

const ENTITIES = `import { Column, CreateDateColumn, DeleteDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn, Unique } from 'typeorm';

@Entity('organizations')
export class Organization {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column() name!: string;
  @OneToMany(() => Invoice, (invoice) => invoice.organization) invoices!: Invoice[];
}

@Entity({ name: 'invoices' })
@Index(['orgId', 'createdAt'])
@Index('invoices_created_org', ['createdAt', 'orgId'])
@Index(['orgId', 'number'], { unique: true })
@Unique(['orgId', 'email'])
export class Invoice {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'org_id', type: 'uuid' }) orgId!: string;
  @ManyToOne(() => Organization, (org) => org.invoices)
  @JoinColumn({ name: 'org_id' })
  organization!: Organization;
  @ManyToOne(() => Organization, { nullable: true }) reviewer?: Organization;
  @Column({ nullable: true }) memo?: string;
  @Column({ unique: true }) email!: string;
  @Index() @Column('int') number!: number;
  @CreateDateColumn({ name: 'created_at' }) createdAt!: Date;
  @DeleteDateColumn() deletedAt?: Date;
}

@Entity()
export class AuditEvent {
  @PrimaryGeneratedColumn() id!: number;
  @ManyToOne(() => Organization) organization!: Organization;
}
`;

describe('TypeORM entities', () => {
  it('names tables from @Entity(name), @Entity({ name }) and, by default, the class name', () => {
    expect(read(ENTITIES).map((t) => t.name)).toEqual(['organizations', 'invoices', 'AuditEvent']);
    expect(read(ENTITIES).every((t) => t.source === 'typeorm' && t.dbName === t.name)).toBe(true);
  });

  it('locates a table at its @Entity decorator', () => {
    // Line 10 is `@Entity({ name: 'invoices' })`: the span covers `@Entity`.
    expect(tableNamed(read(ENTITIES), 'invoices').location).toEqual({ file: FILE, line: 10, column: 1, endLine: 10, endColumn: 8 });
  });

  it('reads columns: property name, `name` option as dbName, nullable only when nullable: true (or @DeleteDateColumn)', () => {
    const invoices = tableNamed(read(ENTITIES), 'invoices');
    expect(dbNames(invoices)).toMatchObject({ id: 'id', orgId: 'org_id', memo: 'memo', createdAt: 'created_at' });
    expect(nullability(invoices)).toEqual({
      id: false,
      orgId: false,
      memo: true,
      email: false,
      number: false,
      createdAt: false,
      deletedAt: true,
      reviewerId: true,
    });
    expect(column(invoices, 'orgId').type).toBe('uuid');
    expect(column(invoices, 'number').type).toBe('int');
    expect(column(invoices, 'memo').type).toBe('string');
    expect(column(invoices, 'orgId').location).toMatchObject({ file: FILE, line: 17, column: 45 });
  });

  it('reads primary keys, single and composite', () => {
    expect(tableNamed(read(ENTITIES), 'invoices').primaryKey).toEqual(['id']);
    const tables = read(`import { Entity, PrimaryColumn, Column } from 'typeorm';
@Entity('memberships')
export class Membership {
  @PrimaryColumn('uuid') orgId!: string;
  @PrimaryColumn({ type: 'uuid', name: 'user_id' }) userId!: string;
  @Column() role!: string;
}
`);
    const memberships = tableNamed(tables, 'memberships');
    expect(memberships.primaryKey).toEqual(['orgId', 'userId']);
    expect(memberships.uniques).toContainEqual({ fields: ['orgId', 'userId'], name: 'orgId_userId' });
    expect(nullability(memberships)).toEqual({ orgId: false, userId: false, role: false });
  });

  it('keeps class and property @Index columns in order, and reads uniques', () => {
    const invoices = tableNamed(read(ENTITIES), 'invoices');
    expect(invoices.indexes).toEqual([['orgId', 'createdAt'], ['createdAt', 'orgId'], ['orgId', 'number'], ['number']]);
    expect(invoices.uniques).toEqual([
      { fields: ['orgId', 'number'], name: 'orgId_number' },
      { fields: ['orgId', 'email'], name: 'orgId_email' },
      { fields: ['email'], name: 'email' },
    ]);
  });

  it('pairs @ManyToOne + @JoinColumn({ name }) with the explicit @Column of that name', () => {
    const invoices = tableNamed(read(ENTITIES), 'invoices');
    expect(relation(invoices, 'organization')).toEqual({
      name: 'organization',
      target: 'organizations',
      fields: ['orgId'],
      references: ['id'],
      required: true,
      isList: false,
    });
  });

  it('gives a @ManyToOne without an explicit column the default join column <property>Id; nullable: true makes it optional', () => {
    const tables = read(ENTITIES);
    expect(relation(tableNamed(tables, 'invoices'), 'reviewer')).toMatchObject({ target: 'organizations', fields: ['reviewerId'], required: false });
    expect(column(tableNamed(tables, 'invoices'), 'reviewerId')).toMatchObject({ nullable: true });
  });

  it('reads the join column TypeORM generates for a bare @ManyToOne as nullable, and the relation as optional', () => {
    // TypeORM: `isNullable = options.nullable === false ? false : true`.
    const audit = tableNamed(read(ENTITIES), 'AuditEvent');
    expect(relation(audit, 'organization')).toMatchObject({ target: 'organizations', fields: ['organizationId'], required: false });
    expect(column(audit, 'organizationId')).toMatchObject({ dbName: 'organizationId', nullable: true, type: 'uuid' });
  });

  it('makes a generated join column NOT NULL and the relation required only with nullable: false', () => {
    const tables = read(`import { Entity, ManyToOne, OneToOne, JoinColumn, PrimaryGeneratedColumn } from 'typeorm';
@Entity('tenants') export class Tenant { @PrimaryGeneratedColumn('uuid') id!: string; }
@Entity('answers')
export class Answer {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @ManyToOne(() => Tenant, { nullable: false, onDelete: 'CASCADE' }) tenant!: Tenant;
  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' }) reviewer!: Tenant;
  @OneToOne(() => Tenant, { nullable: false }) @JoinColumn({ name: 'owner_id' }) owner!: Tenant;
}
`);
    const answers = tableNamed(tables, 'answers');
    expect(nullability(answers)).toEqual({ id: false, tenantId: false, reviewerId: true, owner_id: false });
    expect(relation(answers, 'tenant')).toMatchObject({ fields: ['tenantId'], required: true });
    expect(relation(answers, 'reviewer')).toMatchObject({ fields: ['reviewerId'], required: false });
    expect(relation(answers, 'owner')).toMatchObject({ fields: ['owner_id'], required: true });
  });

  it('lets an explicit @Column for the join column decide, whatever the relation says', () => {
    const tables = read(`import { Entity, Column, ManyToOne, JoinColumn, PrimaryGeneratedColumn } from 'typeorm';
@Entity('tenants') export class Tenant { @PrimaryGeneratedColumn('uuid') id!: string; }
@Entity('answers')
export class Answer {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column() tenantId!: string;
  @ManyToOne(() => Tenant) @JoinColumn({ name: 'tenantId' }) tenant!: Tenant;
  @Column() ownerId!: string;
  @ManyToOne(() => Tenant, { nullable: true }) owner!: Tenant;
  @Column({ nullable: true }) reviewerId?: string;
  @ManyToOne(() => Tenant, { nullable: false }) reviewer!: Tenant;
}
`);
    const answers = tableNamed(tables, 'answers');
    expect(nullability(answers)).toEqual({ id: false, tenantId: false, ownerId: false, reviewerId: true });
    expect(relation(answers, 'tenant')).toMatchObject({ fields: ['tenantId'], required: true });
    expect(relation(answers, 'owner')).toMatchObject({ fields: ['ownerId'], required: true });
    expect(relation(answers, 'reviewer')).toMatchObject({ fields: ['reviewerId'], required: false });
  });

  it('reads the inverse side as a list relation without foreign-key fields', () => {
    const organizations = tableNamed(read(ENTITIES), 'organizations');
    expect(relation(organizations, 'invoices')).toEqual({ name: 'invoices', target: 'invoices', fields: [], references: [], required: false, isList: true });
  });

  it('lets a nullable paired @Column make the relation optional', () => {
    const tables = read(`import { Entity, Column, ManyToOne, JoinColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Organization } from './organization';
@Entity('projects')
export class Project {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ nullable: true }) orgId?: string;
  @ManyToOne(() => Organization) @JoinColumn({ name: 'orgId' }) organization?: Organization;
}
`);
    // The target class is imported: it stays the class name until readTsSchemaSources resolves it.
    expect(relation(tableNamed(tables, 'projects'), 'organization')).toMatchObject({ target: 'Organization', fields: ['orgId'], required: false });
  });

  it('includes columns of an in-file base class, and an index that names a relation uses its join column', () => {
    const tables = read(`import { Entity, Column, Index, ManyToOne, PrimaryGeneratedColumn, CreateDateColumn } from 'typeorm';
@Entity('tenants') export class Tenant { @PrimaryGeneratedColumn('uuid') id!: string; }
abstract class TenantScoped {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @ManyToOne(() => Tenant) tenant!: Tenant;
  @CreateDateColumn() createdAt!: Date;
}
@Entity('documents')
@Index(['tenant', 'createdAt'])
export class Document extends TenantScoped {
  @Column() title!: string;
}
`);
    const documents = tableNamed(tables, 'documents');
    expect(Object.keys(nullability(documents))).toEqual(['id', 'createdAt', 'title', 'tenantId']);
    // A bare @ManyToOne: the generated tenantId is nullable.
    expect(relation(documents, 'tenant')).toMatchObject({ target: 'tenants', fields: ['tenantId'], required: false });
    expect(documents.indexes).toEqual([['tenantId', 'createdAt']]);
  });

  it('reads an entity name held in a const of the file, and a @Unique that names a relation', () => {
    const tables = read(`import { Entity, Column, ManyToOne, JoinColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Organization } from './organization';
const PLANNINGS = 'plannings';
@Entity({ name: PLANNINGS })
@Unique(['organization', 'year'])
export class Planning {
  @PrimaryGeneratedColumn() id!: number;
  @ManyToOne(() => Organization, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'organization_id' }) organization!: Organization;
  @Column({ name: 'organization_id' }) organizationId!: number;
  @Column() year!: number;
}
`);
    const plannings = tableNamed(tables, 'plannings');
    expect(plannings.uniques).toEqual([{ fields: ['organizationId', 'year'], name: 'organizationId_year' }]);
    expect(relation(plannings, 'organization')).toMatchObject({ fields: ['organizationId'], required: true });
  });

  it('reads @Index with a function of the entity', () => {
    const tables = read(`import { Entity, Column, Index, PrimaryColumn } from 'typeorm';
@Entity('events')
@Index((e: Event) => [e.orgId, e.at], { unique: true })
export class Event { @PrimaryColumn() id!: string; @Column() orgId!: string; @Column() at!: Date; }
`);
    const events = tableNamed(tables, 'events');
    expect(events.indexes).toEqual([['orgId', 'at']]);
    expect(events.uniques).toEqual([{ fields: ['orgId', 'at'], name: 'orgId_at' }]);
  });
});

describe('TypeORM recognition is by import', () => {
  it('follows aliased decorator imports', () => {
    const tables = read(`import { Entity as Table, Column as Field, PrimaryColumn } from 'typeorm';
@Table('users')
export class User { @PrimaryColumn() id!: string; @Field({ nullable: true }) nickname?: string; }
`);
    expect(tables.map((t) => t.name)).toEqual(['users']);
    expect(nullability(tables[0])).toEqual({ id: false, nickname: true });
  });

  it('follows a namespace import: @typeorm.Entity()', () => {
    const tables = read(`import * as typeorm from 'typeorm';
@typeorm.Entity('users')
export class User { @typeorm.PrimaryColumn() id!: string; }
`);
    expect(tables.map((t) => t.name)).toEqual(['users']);
  });

  it('ignores look-alike decorators that are not imported from typeorm', () => {
    expect(
      read(`import { Column } from 'typeorm';
function Entity(_name?: string) { return (_target: unknown) => undefined; }
@Entity('users')
export class User { @Column() id!: string; }
`),
    ).toEqual([]);
    expect(
      read(`import { Entity, Column } from './my-decorators';
@Entity('users')
export class User { @Column() id!: string; }
`),
    ).toEqual([]);
  });
});
