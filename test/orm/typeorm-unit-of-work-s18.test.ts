// Coverage, session 18 (issue 16; rocketadmin's shapes, written anew): a TypeORM tenant named with a
// qualifier (`@Entity('company_profile')`) that requires no other model is the tenant root; a
// `@ManyToOne(..., { onDelete: 'CASCADE' })` with TypeORM's default nullability makes its row a child
// of the tenant table it points at; repositories are reached through a unit-of-work object typed by
// an interface (`this.db.ledgerRepository.find(...)`) and extended with an object literal declared in
// another file (`getRepository(Ledger).extend(ledgerExtension)`, `this` in its methods). Each shape
// beside its unsafe twin, through both faces.
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

const PACKAGE = JSON.stringify({ name: 'ledger-app', dependencies: { typeorm: '^0.3.20', '@nestjs/common': '^10', '@nestjs/core': '^10' } });

const ENTITIES = (ledgerOption = "{ onDelete: 'CASCADE' }", firmRequires = '') => [
  `import { Column, Entity, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';`,
  `@Entity('company_profile')`,
  `export class CompanyProfileEntity {`,
  `  @PrimaryGeneratedColumn('uuid') id: string;`,
  `  @Column() name: string;`,
  firmRequires,
  `  @OneToMany(() => LedgerEntity, (l) => l.firm) ledgers: LedgerEntity[];`,
  `}`,
  `@Entity('plan')`,
  `export class PlanEntity {`,
  `  @PrimaryGeneratedColumn('uuid') id: string;`,
  `}`,
  `@Entity('ledger')`,
  `export class LedgerEntity {`,
  `  @PrimaryGeneratedColumn('uuid') id: string;`,
  `  @Column() title: string;`,
  `  @ManyToOne(() => CompanyProfileEntity, (f) => f.ledgers, { onDelete: 'CASCADE' }) firm: CompanyProfileEntity;`,
  `}`,
  `@Entity('ledger_note')`,
  `export class LedgerNoteEntity {`,
  `  @PrimaryGeneratedColumn('uuid') id: string;`,
  `  @Column() body: string;`,
  `  @ManyToOne(() => LedgerEntity, ${ledgerOption}) ledger: LedgerEntity;`,
  `}`,
  `@Entity('invite')`,
  `export class InviteEntity {`,
  `  @PrimaryGeneratedColumn('uuid') id: string;`,
  `  @ManyToOne(() => CompanyProfileEntity, { onDelete: 'CASCADE' }) firm: CompanyProfileEntity;`,
  `}`,
  '',
].join('\n');

describe('TypeORM hierarchy: a qualified tenant name and default-nullable cascading children', () => {
  it('`company_profile`, which requires no other model, is the root; a note deleted with its ledger is a child', () => {
    const schema = loadProject(makeProject({ 'package.json': PACKAGE, 'src/entities.ts': ENTITIES() })).schema;
    expect(schema.root).toBe('company_profile');
    expect(schema.tables.get('ledger')?.class).toBe('tenant');
    expect(schema.tables.get('ledger')?.tenantKeys).toEqual(['firmId']);
    expect(schema.tables.get('ledger_note')?.class).toBe('child');
    expect(schema.tables.get('ledger_note')?.classReason).toContain('deleted with `ledger`');
  });

  it('twin: `company_profile` requiring another model belongs to it: no root is guessed from a qualified name', () => {
    const requires = `  @ManyToOne(() => PlanEntity, { onDelete: 'CASCADE' }) plan: PlanEntity;`;
    const schema = loadProject(makeProject({ 'package.json': PACKAGE, 'src/entities.ts': ENTITIES(undefined, requires) })).schema;
    expect(schema.root).toBeUndefined();
  });

  it('twin: a note whose ledger link is `SET NULL` outlives the ledger: not a child', () => {
    const schema = loadProject(makeProject({ 'package.json': PACKAGE, 'src/entities.ts': ENTITIES("{ onDelete: 'SET NULL' }") })).schema;
    expect(schema.tables.get('ledger_note')?.class).not.toBe('child');
  });
});

const EXTENSION = [
  `import { LedgerEntity } from './entities';`,
  `export interface LedgerQueries { forFirm(firmId: string, id: string): Promise<LedgerEntity | null>; byIdOnly(id: string): Promise<LedgerEntity | null>; byTitle(title: string): Promise<LedgerEntity | null> }`,
  `export const ledgerExtension: LedgerQueries = {`,
  `  async forFirm(firmId: string, id: string) {`,
  `    return this.findOne({ where: { id, firm: { id: firmId } } });`,
  `  },`,
  `  async byIdOnly(id: string) {`,
  `    return this.findOne({ where: { id } });`,
  `  },`,
  `  async byTitle(title: string) {`,
  `    const qb = this.createQueryBuilder('ledger').where('ledger.title = :title', { title });`,
  `    return await qb.getOne();`,
  `  },`,
  `};`,
  '',
].join('\n');

const CONTEXT = [
  `import { DataSource, Repository } from 'typeorm';`,
  `import { InviteEntity, LedgerEntity } from './entities';`,
  `import { ledgerExtension, type LedgerQueries } from './ledger-extension';`,
  `export interface IDbContext {`,
  `  ledgerRepository: Repository<LedgerEntity> & LedgerQueries;`,
  `  inviteRepository: Repository<InviteEntity>;`,
  `}`,
  `export class DbContext implements IDbContext {`,
  `  private _ledgers: Repository<LedgerEntity> & LedgerQueries;`,
  `  private _invites: Repository<InviteEntity>;`,
  `  constructor(private readonly dataSource: DataSource) {`,
  `    this._ledgers = this.dataSource.getRepository(LedgerEntity).extend(ledgerExtension);`,
  `    this._invites = this.dataSource.getRepository(InviteEntity);`,
  `  }`,
  `  get ledgerRepository() { return this._ledgers; }`,
  `  get inviteRepository() { return this._invites; }`,
  `}`,
  '',
].join('\n');

const USE_CASE = [
  `import { Inject, Injectable } from '@nestjs/common';`,
  `import type { IDbContext } from './db-context';`,
  `@Injectable()`,
  `export class InviteUseCase {`,
  `  constructor(@Inject('DB_CONTEXT') protected _db: IDbContext) {}`,
  `  async scoped(firmId: string, id: string) {`,
  `    return this._db.inviteRepository.findOne({ where: { id, firm: { id: firmId } } });`,
  `  }`,
  `  async unscoped(id: string) {`,
  `    return this._db.inviteRepository.findOne({ where: { id } });`,
  `  }`,
  `}`,
  '',
].join('\n');

const CONTROLLER = [
  `import { Controller, Get, Inject, Param } from '@nestjs/common';`,
  `import type { IDbContext } from './db-context';`,
  `import { InviteUseCase } from './invite.use-case';`,
  `@Controller('firms/:firmId')`,
  `export class FirmController {`,
  `  constructor(private readonly invites: InviteUseCase, @Inject('DB_CONTEXT') private readonly db: IDbContext) {}`,
  `  @Get('invites/:id') invite(@Param('firmId') firmId: string, @Param('id') id: string) { return [this.invites.scoped(firmId, id), this.invites.unscoped(id)]; }`,
  `  @Get('ledgers/:id') ledger(@Param('firmId') firmId: string, @Param('id') id: string) { return [this.db.ledgerRepository.forFirm(firmId, id), this.db.ledgerRepository.byIdOnly(id), this.db.ledgerRepository.byTitle(id)]; }`,
  `}`,
  '',
].join('\n');

const project = () =>
  makeProject({
    'package.json': PACKAGE,
    'src/entities.ts': ENTITIES(),
    'src/ledger-extension.ts': EXTENSION,
    'src/db-context.ts': CONTEXT,
    'src/invite.use-case.ts': USE_CASE,
    'src/firm.controller.ts': CONTROLLER,
  });

describe('TypeORM repositories through a unit of work and `.extend(object)`', () => {
  it('`this` in an extension object declared apart, and a repository typed in an interface, are analysed: the unscoped twins are reported', async () => {
    const dir = project();
    const result = await scan({ path: dir });
    const filter = result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`).sort();
    expect(filter).toEqual(['src/invite.use-case.ts:10 error', 'src/ledger-extension.ts:12 error', 'src/ledger-extension.ts:8 error']);
    const notTraced = result.coverage.notTracedSites.filter((s) => s.file.startsWith('src/'));
    expect(notTraced).toEqual([]);
  });

  it('both faces agree', async () => {
    const { scanner, eslint } = await bothFaces(project(), 'require-tenant-filter');
    expect(eslint).toEqual(scanner);
    expect(scanner.get('src/ledger-extension.ts')).toEqual(['8 missingTenantFilter', '12 missingTenantFilter']);
    expect(scanner.get('src/invite.use-case.ts')).toEqual(['10 missingTenantFilter']);
  });
});

describe('census: a TypeORM repository builder is not taken for a Knex field in a project that also uses Knex', () => {
  const withKnex = (extra: Record<string, string> = {}) =>
    makeProject({
      'package.json': JSON.stringify({ name: 'ledger-app', dependencies: { typeorm: '^0.3.20', knex: '^3', '@nestjs/common': '^10' } }),
      'src/entities.ts': ENTITIES(),
      'src/ledger-extension.ts': EXTENSION,
      'src/db-context.ts': CONTEXT,
      'src/knex.ts': `import knex from 'knex';\nexport const k = knex({ client: 'pg' });\n`,
      ...extra,
    });

  it('`this.createQueryBuilder(...).where(...)` in an extension object is the repository builder: nothing is left not traced', async () => {
    const result = await scan({ path: withKnex() });
    expect(result.coverage.notTracedSites.filter((s) => s.file.startsWith('src/'))).toEqual([]);
  });

  it('twin: `this.db(...).where(...)` on an untyped field stays not traced, with the reason', async () => {
    const result = await scan({ path: withKnex({ 'src/reports.ts': `export class Reports {\n  db: any;\n  run(id: string) { return this.db('ledger').where({ id }); }\n}\n` }) });
    const sites = result.coverage.notTracedSites.filter((s) => s.file === 'src/reports.ts');
    expect(sites.map((s) => s.line)).toEqual([3]);
  });
});
