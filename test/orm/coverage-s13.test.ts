// Coverage on the field corpus, session 13 (issue 16): calls the census counted as not traced
// that the flow engine now follows, each beside its twin (an untraced call still counted with a
// precise reason, or the unsafe shape of a safe one), in every ORM where the shape exists.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

const PRISMA = `
model Organization {
  id       String    @id
  invoices Invoice[]
}
model Invoice {
  id    String       @id
  orgId String
  org   Organization @relation(fields: [orgId], references: [id])
  @@index([orgId])
}
`;

function filterSites(result: Awaited<ReturnType<typeof scan>>): string[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`);
}

// teable's PrismaService.$tx(fn) runs fn with a transaction client (or the one the request holds).
const PRISMA_SERVICE = `import { PrismaClient, type Prisma } from '@prisma/client';
export class PrismaService extends PrismaClient {
  private current?: Prisma.TransactionClient;
  async $tx<R>(fn: (prisma: Prisma.TransactionClient) => Promise<R>): Promise<R> {
    if (this.current) return fn(this.current);
    return this.$transaction(async (prisma) => fn(prisma));
  }
  async later<R>(fn: (rows: string[]) => Promise<R>): Promise<R> {
    return fn([]);
  }
}
`;

describe('Prisma: the client a project method hands its callback', () => {
  it('`this.prismaService.$tx(async (prisma) => prisma.invoice.findMany(...))` is a query on the transaction client', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { '@prisma/client': '5' } }),
      'prisma/schema.prisma': PRISMA,
      'src/prisma.service.ts': PRISMA_SERVICE,
      'src/invoice.service.ts': [
        `import { PrismaService } from './prisma.service';`,
        `export class InvoiceService {`,
        `  constructor(private readonly prismaService: PrismaService) {}`,
        `  list(orgId: string) { return this.prismaService.$tx(async (prisma) => prisma.invoice.findMany({ where: { orgId } })); }`,
        `  one(id: string) { return this.prismaService.$tx(async (tx) => tx.invoice.findFirst({ where: { id } })); }`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites.map((s) => s.reason)).toEqual([]);
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/invoice.service.ts:5']);
  });

  it('twin: what the same class hands another callback (an array) is not a client; a callback of a package function is only matched by the schema', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { '@prisma/client': '5' } }),
      'prisma/schema.prisma': PRISMA,
      'src/prisma.service.ts': PRISMA_SERVICE,
      'src/invoice.service.ts': [
        `import { PrismaService } from './prisma.service';`,
        `import { runLater } from 'some-queue';`,
        `export class InvoiceService {`,
        `  constructor(private readonly prismaService: PrismaService) {}`,
        `  list() { return this.prismaService.later(async (rows) => rows.invoice.findMany({ where: {} })); }`,
        `  one(id: string) { return runLater(async (tx: any) => tx.invoice.findFirst({ where: { id } })); }`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, schemaMatched: 1, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/invoice.service.ts:6']);
  });
});

const SQL = `CREATE TABLE orgs (id uuid PRIMARY KEY);
CREATE TABLE invoices (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id), status text);
CREATE INDEX ON invoices (org_id, id);
`;

const DRIZZLE_SCHEMA = `import { pgTable, text } from 'drizzle-orm/pg-core';
export const orgs = pgTable('orgs', { id: text('id').primaryKey() });
export const invoices = pgTable('invoices', { id: text('id').primaryKey(), orgId: text('org_id').notNull().references(() => orgs.id) });
`;

describe('a helper private to its file gets what its callers in that file pass', () => {
  it('pg: `dbClient: PgQueryClient` (a project interface) of a file-private helper is the pool client its only caller passes', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { pg: '8' } }),
      'migrations/0001_init.sql': SQL,
      'src/db.ts': `import { Pool } from 'pg';\nexport function getPgClient() { return new Pool({ connectionString: 'x' }); }\n`,
      'src/a.ts': [
        `import { getPgClient } from './db';`,
        `interface PgQueryClient { query: (text: string, params?: unknown[]) => Promise<{ rows: unknown[] }> }`,
        `async function loadOne(dbClient: PgQueryClient, id: string) { return dbClient.query('SELECT * FROM invoices WHERE id = $1', [id]); }`,
        `async function loadOwn(dbClient: PgQueryClient, orgId: string) { return dbClient.query('SELECT * FROM invoices WHERE org_id = $1', [orgId]); }`,
        `export async function handler(id: string, orgId: string) {`,
        `  let dbClient: PgQueryClient | null = null;`,
        `  dbClient = await getPgClient().connect();`,
        `  await loadOwn(dbClient, orgId);`,
        `  return loadOne(dbClient, id);`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites.map((s) => s.reason)).toEqual([]);
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/a.ts:3']);
  });

  it('pg twin: an exported helper (other files may call it), or a private one handed on as a value, stays not traced with the parameter named', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { pg: '8' } }),
      'migrations/0001_init.sql': SQL,
      'src/db.ts': `import { Pool } from 'pg';\nexport function getPgClient() { return new Pool({ connectionString: 'x' }); }\n`,
      'src/a.ts': [
        `import { getPgClient } from './db';`,
        `interface PgQueryClient { query: (text: string, params?: unknown[]) => Promise<{ rows: unknown[] }> }`,
        `export async function loadOne(dbClient: PgQueryClient, id: string) { return dbClient.query('SELECT * FROM invoices WHERE id = $1', [id]); }`,
        `async function loadTwo(dbClient: PgQueryClient, id: string) { return dbClient.query('SELECT * FROM invoices WHERE id = $1', [id]); }`,
        `export const steps = [loadTwo];`,
        `export async function handler(id: string) { const c = await getPgClient().connect(); await loadTwo(c, id); return loadOne(c, id); }`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 0, notTraced: 2 });
    expect(result.coverage.notTracedSites.map((s) => `${s.line}: ${s.reason}`)).toEqual([
      '3: `dbClient.query` sends SQL, but the receiver `dbClient` is not traced to a SQL client: `dbClient` is a parameter of unknown type (line 3)',
      '4: `dbClient.query` sends SQL, but the receiver `dbClient` is not traced to a SQL client: `dbClient` is a parameter of unknown type (line 4)',
    ]);
  });

  it('Drizzle: an untyped parameter of a file-private helper is the client its callers pass; an exported twin is only matched by the schema', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { 'drizzle-orm': '1' } }),
      'src/schema.ts': DRIZZLE_SCHEMA,
      'src/db.ts': `import { drizzle } from 'drizzle-orm/node-postgres';\nexport const db = drizzle('postgres://x');\n`,
      'src/a.ts': [
        `import { eq } from 'drizzle-orm';`,
        `import { db } from './db';`,
        `import { invoices } from './schema';`,
        `const byId = (conn: any, id: string) => conn.select().from(invoices).where(eq(invoices.id, id));`,
        `export const exported = (conn: any, id: string) => conn.select().from(invoices).where(eq(invoices.id, id));`,
        `export const get = (id: string) => byId(db, id);`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, schemaMatched: 1, notTraced: 0 });
    const [traced, matched] = result.findings.filter((f) => f.ruleId === 'require-tenant-filter');
    expect([traced?.line, matched?.line]).toEqual([4, 5]);
    expect(traced?.evidence).not.toContain('not traced');
    expect(matched?.evidence).toContain('`conn` is a parameter of unknown type');
  });
});

function evidenceAt(result: Awaited<ReturnType<typeof scan>>, file: string, line: number): string | undefined {
  return result.findings.find((f) => f.ruleId === 'require-tenant-filter' && f.file === file && f.line === line)?.evidence;
}

const TYPEORM_ENTITIES = `import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
@Entity('orgs')
export class Org { @PrimaryGeneratedColumn('uuid') id: string; }
@Entity('invoices')
@Index(['orgId', 'id'])
export class Invoice {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'org_id', type: 'uuid' }) orgId: string;
  @ManyToOne(() => Org, { nullable: false }) @JoinColumn({ name: 'org_id' }) org: Org;
}
`;

describe('a conditional spread in an object filter puts the keys of both its branches on the filter (postiz F045)', () => {
  it('Prisma: `where: { ...(existing ? { id: existing.id } : { id }) }` filters on `id`, not an empty filter; `{ ...(cond ? { id } : {}) }` keeps no key', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { '@prisma/client': '5' } }),
      'prisma/schema.prisma': PRISMA,
      'src/a.ts': [
        `import { PrismaClient } from '@prisma/client';`,
        `const prisma = new PrismaClient();`,
        `export async function both(id: string, existing?: { id: string }) {`,
        `  return prisma.invoice.update({ where: { ...(existing ? { id: existing.id } : { id }) }, data: {} });`,
        `}`,
        `export async function one(id: string, narrow: boolean) {`,
        `  return prisma.invoice.findMany({ where: { ...(narrow ? { id } : {}) } });`,
        `}`,
        `export async function tenant(orgId: string, id: string, existing?: { id: string }) {`,
        `  return prisma.invoice.update({ where: { ...(existing ? { id: existing.id, orgId } : { id, orgId }) }, data: {} });`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(filterSites(result)).toEqual(['src/a.ts:4', 'src/a.ts:7']);
    expect(evidenceAt(result, 'src/a.ts', 4)).toContain('`where` filters only on `id`');
    expect(evidenceAt(result, 'src/a.ts', 7)).toContain('`where` is empty');
  });

  it('TypeORM: the same spreads in `findOne({ where })` and `find({ where })`; the tenant key on one branch only is a conditional filter, not a finding', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { typeorm: '0.3' } }),
      'src/entities.ts': TYPEORM_ENTITIES,
      'src/a.ts': [
        `import { DataSource } from 'typeorm';`,
        `import { Invoice } from './entities';`,
        `const ds = new DataSource({ type: 'postgres' });`,
        `const repo = ds.getRepository(Invoice);`,
        `export const both = (id: string, existing?: { id: string }) => repo.findOne({ where: { ...(existing ? { id: existing.id } : { id }) } });`,
        `export const one = (id: string, narrow: boolean) => repo.find({ where: { ...(narrow ? { id } : {}) } });`,
        `export const tenant = (orgId: string, id: string, c: boolean) => repo.findOne({ where: { ...(c ? { id, orgId } : { orgId }) } });`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(filterSites(result)).toEqual(['src/a.ts:5', 'src/a.ts:6']);
    expect(evidenceAt(result, 'src/a.ts', 5)).toContain('filters only on `id`');
    expect(evidenceAt(result, 'src/a.ts', 6)).toContain('is empty');
  });
});

describe('TypeORM: a query builder kept in a variable is counted once, at its terminal call (vendure)', () => {
  it('`const qb = repo.createQueryBuilder(...)`, handed to a helper, then `qb.getOne()`: one site, the builder itself is not a second not-traced call', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { typeorm: '0.3' } }),
      'src/entities.ts': TYPEORM_ENTITIES.replace("@Entity('invoices')", '@Entity()'),
      'src/a.ts': [
        `import { DataSource, FindOptionsUtils, type ObjectType, type Repository } from 'typeorm';`,
        `import { Invoice } from './entities';`,
        `export class Connection {`,
        `  constructor(private readonly rawConnection: DataSource) {}`,
        `  getRepository<E>(ctx: { channelId: string }, target: ObjectType<E>): Repository<E> { return this.rawConnection.getRepository(target); }`,
        `}`,
        `const ds = new Connection(new DataSource({ type: 'postgres' }));`,
        `const ctx = { channelId: 'c' };`,
        `export async function one(id: string) {`,
        `  const qb = ds.getRepository(ctx, Invoice).createQueryBuilder('invoice');`,
        `  qb.where('invoice.id = :id', { id });`,
        `  FindOptionsUtils.joinEagerRelations(qb, qb.alias, qb.expressionMap.mainAlias!.metadata);`,
        `  return qb.getOne();`,
        `}`,
        `export async function own(orgId: string) {`,
        `  const qb = ds.getRepository(ctx, Invoice).createQueryBuilder('invoice');`,
        `  return qb.where('invoice.orgId = :orgId', { orgId }).getMany();`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites.map((s) => s.reason)).toEqual([]);
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, notAnalysable: 1, notTraced: 0 });
  });

  it('twin: a builder kept in a variable whose terminal is not in sight (returned to a caller) is still counted as not traced', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { typeorm: '0.3' } }),
      'src/entities.ts': TYPEORM_ENTITIES.replace("@Entity('invoices')", '@Entity()'),
      'src/a.ts': [
        `import { DataSource } from 'typeorm';`,
        `import { Invoice } from './entities';`,
        `const ds = new DataSource({ type: 'postgres' });`,
        `export function base(id: string) {`,
        `  const qb = ds.getRepository(Invoice).createQueryBuilder('invoice');`,
        `  qb.where('invoice.id = :id', { id });`,
        `  return qb;`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 0, notTraced: 1 });
    expect(result.coverage.notTracedSites[0]).toMatchObject({ line: 5 });
  });
});
