import { RuleTester } from '@typescript-eslint/rule-tester';
import { beforeAll, describe, expect, it } from 'vitest';
import rule from '../../rules/require-tenant-column.js';
import type { TenantSchema } from '../../src/core/schema.js';
import { loadProject } from '../../src/project/project.js';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { onDisk } from '../helpers/on-disk.js';
import { useScratch } from '../helpers/scratch.js';

/**
 * Session 16, laudspeaker (TypeORM): every workspace relation is `@ManyToOne(() => Workspaces)` with
 * TypeORM's default nullability (journey.entity.ts:24-28), and the only NOT NULL relation to a
 * root-like model was `JourneyChange.changer -> Account`, the author: `Account` (a user that signs
 * in) was taken as the root, 22 tables unclassified. The real hierarchy is Organization > Workspaces.
 */
const { makeProject } = useScratch();

beforeAll(async () => {
  await loadSqlParsers();
});

const PACKAGE = JSON.stringify({ name: 'p', dependencies: { typeorm: '*' } });
const typeorm = (text: string): TenantSchema => loadProject(makeProject({ 'package.json': PACKAGE, 'src/entities.ts': text })).schema;
const keyOf = (schema: TenantSchema, table: string) => schema.tables.get(table)?.tenantKeys;

const AUTHORED = ['Job', 'Audience', 'Filter', 'Verification', 'Recovery', 'Imports', 'Workflow'];
const entities = (opts: { password?: boolean; organizationOption?: string } = {}) => `import { Entity, PrimaryGeneratedColumn, Column, ManyToOne, OneToOne, JoinColumn } from 'typeorm';
@Entity() export class Account {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar' }) email: string;
${opts.password === false ? '' : "  @Column({ type: 'varchar' }) password: string;\n"}}
@Entity() export class Organization {
  @PrimaryGeneratedColumn('uuid') id: string;
  @OneToOne(() => Account, (account) => account.id, { onDelete: 'CASCADE' }) owner: Account;
}
@Entity() export class OrganizationTeam {
  @PrimaryGeneratedColumn('uuid') id: string;
  @JoinColumn() @ManyToOne(() => Organization, (o) => o.id, { onDelete: 'CASCADE' }) organization: Organization;
}
@Entity() export class OrganizationInvites {
  @PrimaryGeneratedColumn('uuid') id: string;
  @JoinColumn() @ManyToOne(() => Organization, (o) => o.id, { onDelete: 'CASCADE' }) organization: Organization;
}
@Entity() export class Workspaces {
  @PrimaryGeneratedColumn('uuid') id: string;
  @JoinColumn() @ManyToOne(() => Organization, (o) => o.id, { ${opts.organizationOption ?? ''}onDelete: 'CASCADE' }) organization: Organization;
}
${['Journey', 'Segment', 'Template', 'Step'].map((m) => `@Entity() export class ${m} {\n  @PrimaryGeneratedColumn('uuid') id: string;\n  @JoinColumn() @ManyToOne(() => Workspaces, (w) => w.id, { onDelete: 'CASCADE' }) workspace: Workspaces;\n  @JoinColumn() @ManyToOne(() => Account, (a) => a.id, { nullable: true }) owner: Account;\n}`).join('\n')}
@Entity() export class JourneyChange {
  @PrimaryGeneratedColumn('uuid') id: string;
  @JoinColumn() @ManyToOne(() => Journey, (j) => j.id, { nullable: false, onDelete: 'CASCADE' }) journey: Journey;
  @JoinColumn() @ManyToOne(() => Account, (a) => a.id, { nullable: false, onDelete: 'CASCADE' }) changer: Account;
}
${AUTHORED.map((m) => `@Entity() export class ${m} {\n  @PrimaryGeneratedColumn('uuid') id: string;\n  @JoinColumn() @ManyToOne(() => Account, (a) => a.id, { onDelete: 'CASCADE' }) owner: Account;\n}`).join('\n')}
`;

describe('TypeORM relations nullable by default are hierarchy edges; a model that signs in is no root', () => {
  it('laudspeaker: root Organization, level Workspaces; the workspace tables are tenant data by their nullable key', () => {
    const schema = typeorm(entities());
    expect(schema.root).toBe('Organization');
    expect(schema.levels).toEqual(['Organization', 'Workspaces']);
    expect(schema.rootReason).toBe(
      'inferred: 3 models reference `Organization`, the top of the hierarchy (`Workspaces.organizationId` -> `Organization`; 4 models reference `Workspaces`, a level under it)',
    );
    expect(keyOf(schema, 'Workspaces')).toEqual(['organizationId']);
    for (const m of ['Journey', 'Segment', 'Template', 'Step']) {
      expect(schema.tables.get(m)?.class).toBe('tenant');
      expect(keyOf(schema, m)).toEqual(['workspaceId']);
    }
    // The key stays nullable: require-tenant-column still reports it.
    expect(schema.tables.get('Journey')?.columns.get('workspaceId')?.nullable).toBe(true);
    expect(schema.tables.get('JourneyChange')?.class).toBe('child');
    expect(schema.tables.get('Account')?.class).not.toBe('tenant');
  });

  it('twin: the same Account without a password column is a tenant-named model most others point at: it stays the root', () => {
    const schema = typeorm(entities({ password: false }));
    expect(schema.root).toBe('Account');
  });

  it('twin: `nullable: true` written on the link is a stated choice: Workspaces is not put under Organization', () => {
    const schema = typeorm(entities({ organizationOption: 'nullable: true, ' }));
    expect(schema.root).toBe('Workspaces');
    expect(schema.levels).toEqual(['Workspaces']);
    expect(keyOf(schema, 'Journey')).toEqual(['workspaceId']);
  });
});

// Both faces: the nullable tenant key of a table under a default-nullable level is still reported.
const ruleTester = new RuleTester();
const required = (text: string) => text.replace(/\(o\) => o\.id, \{ onDelete/g, '(o) => o.id, { nullable: false, onDelete').replace(/\(w\) => w\.id, \{ onDelete/g, '(w) => w.id, { nullable: false, onDelete');
ruleTester.run('require-tenant-column (typeorm default-nullable key)', rule, {
  valid: [],
  invalid: [
    {
      // NULL by TypeORM's default: each tenant key is reported as nullable, at the key's relation.
      ...onDisk(entities(), 'src/entities.ts', { 'package.json': PACKAGE }),
      errors: [
        ...[13, 17, 21, 25, 30, 35, 40].map((line) => ({ messageId: 'nullableTenantColumn' as const, line })),
        { messageId: 'childWithoutTenantColumn' as const, line: 43 },
      ],
    },
    {
      // twin: `nullable: false` on every tenant link: the same hierarchy, no nullable key.
      ...onDisk(required(entities()), 'src/entities.ts', { 'package.json': PACKAGE }),
      errors: [{ messageId: 'childWithoutTenantColumn' as const, line: 43 }],
    },
  ],
});

// `{ workspace: { id } }`: the relation whose column is the tenant key of a level (Journey.workspaceId
// -> Workspaces) pins that key (laudspeaker journeys.service.ts:1479); filtering the relation on
// anything else does not.
const filterRule = (await import('../../rules/require-tenant-filter.js')).default;
const query = (where: string) =>
  onDisk(`import { Repository } from 'typeorm';\nimport { Journey } from './entities';\nexport const f = (repo: Repository<Journey>, workspaceId: string, id: string, name: string) => repo.findOne({ where: ${where} });\n`, 'src/service.ts', {
    'package.json': PACKAGE,
    'src/entities.ts': entities(),
  });
ruleTester.run('require-tenant-filter (typeorm relation that is the tenant key of a level)', filterRule, {
  valid: [query('{ workspace: { id: workspaceId }, id }')],
  invalid: [
    { ...query('{ workspace: { name }, id }'), errors: [{ messageId: 'missingTenantFilter' }] },
    { ...query('{ id }'), errors: [{ messageId: 'missingTenantFilter' }] },
  ],
});
