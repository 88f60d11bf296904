import { RuleTester } from '@typescript-eslint/rule-tester';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import rule from '../../rules/require-tenant-filter.js';
import { onDisk } from '../helpers/on-disk.js';

const ruleTester = new RuleTester();

// Tenant root `Tenant` (`tenants`, key `tenantId`); invoices and customers are tenant tables,
// invoice_lines a child of invoices, api_tokens carries the tenant and is looked up by its hash.
const entities = `import { Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';

@Entity('tenants')
export class Tenant {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() name: string; @Index() @Column({ nullable: true }) billingId: string; @Column() plan: string;
}

@Entity('customers')
@Index(['tenantId', 'id'])
export class Customer {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  @ManyToOne(() => Tenant, { nullable: false }) @JoinColumn({ name: 'tenant_id' }) tenant: Tenant;
  @Column() email: string;
}

@Entity('invoices')
@Index(['tenantId', 'id'])
export class Invoice {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  @ManyToOne(() => Tenant, { nullable: false }) @JoinColumn({ name: 'tenant_id' }) tenant: Tenant;
  @Column() status: string;
  @Column() number: string;
  @OneToMany(() => InvoiceLine, (line) => line.invoice) lines: InvoiceLine[];
}

@Entity('invoice_lines')
export class InvoiceLine {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'invoice_id', type: 'uuid' }) invoiceId: string;
  @ManyToOne(() => Invoice, (invoice) => invoice.lines, { nullable: false }) @JoinColumn({ name: 'invoice_id' }) invoice: Invoice;
  @Column('int') amount: number;
}

@Entity('api_tokens')
@Index(['tenantId', 'id'])
export class ApiToken {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  @ManyToOne(() => Tenant, { nullable: false }) @JoinColumn({ name: 'tenant_id' }) tenant: Tenant;
  @Column({ name: 'token_hash', unique: true }) tokenHash: string;
}
`;

const dataSource = `import { DataSource } from 'typeorm';
import { ApiToken, Customer, Invoice, InvoiceLine, Tenant } from './entities';

export const dataSource = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, entities: [ApiToken, Customer, Invoice, InvoiceLine, Tenant] });
`;

const head = `import { Brackets, DataSource, EntityManager, In, IsNull, Not, Repository, getRepository } from 'typeorm';
import { InjectRepository } from '@nestjs/typeorm';
import { dataSource } from '../db/data-source';
import { ApiToken, Customer, Invoice, InvoiceLine } from '../db/entities';
const invoices = dataSource.getRepository(Invoice);
const lines = dataSource.getRepository(InvoiceLine);
`;
/** Lines taken by `head`: a case's own first line is line 7. */
const L = 6;

const config = JSON.stringify({ scopedClientFactories: ['forTenant'], filterHelpers: ['addTenantFilter', 'applyTenant', 'tenantWhere'] });

/** A file of a throwaway TypeORM project: src/routes/service.ts next to src/db. */
function project(body: string, withHead = true): { code: string; filename: string } {
  return onDisk(`${withHead ? head : ''}${body}`, 'src/routes/service.ts', {
    'src/db/entities.ts': entities,
    'src/db/data-source.ts': dataSource,
    'tenant-lint.config.json': config,
  });
}

type MessageId = 'missingTenantFilter' | 'orBypassesTenantFilter';

function invalid(body: string, messageId: MessageId, position?: { line: number; column?: number; endColumn?: number }) {
  return { ...project(body), errors: [{ messageId, ...position }] };
}

/**
 * Safe code, each with what the analysis must make of it: `site` a recognised query that is
 * scoped (counted, silent), `unknown` a recognised query that cannot be decided (counted as not
 * analysable), `none` not a TypeORM query at all.
 */
const safe: ['site' | 'unknown' | 'none', string][] = [
  // find options with the tenant key; findOneBy with it
  ['site', `export const a = (tenantId: string) => invoices.find({ where: { tenantId, status: 'open' }, order: { number: 'DESC' } });`],
  ['site', `export const b = (tenantId: string, id: string) => invoices.findOneBy({ id, tenantId });`],
  // In([...]) constrains the tenant
  ['site', `export const c = (tenantIds: string[]) => invoices.findBy({ tenantId: In(tenantIds) });`],
  // a where array (OR) where every object has the tenant key
  ['site', `export const d = (tenantId: string, q: string) => invoices.find({ where: [{ tenantId, number: q }, { tenantId, status: q }] });`],
  // update and delete criteria with the tenant key; count and exists
  ['site', `export const e = (tenantId: string, id: string) => invoices.update({ id, tenantId }, { status: 'void' });`],
  ['site', `export const f = (tenantId: string, id: string) => invoices.delete({ id, tenantId });`],
  ['site', `export const g = (tenantId: string) => invoices.countBy({ tenantId, status: 'open' });`],
  // a child table scoped through its parent relation
  ['site', `export const h = (tenantId: string, invoiceId: string) => lines.find({ where: { invoiceId, invoice: { tenantId } } });`],
  // a credential lookup by a unique hash
  ['site', `export const i = (tokenHash: string) => dataSource.getRepository(ApiToken).findOneBy({ tokenHash });`],
  // inserts are not checked for a filter
  ['site', `export const j = (tenantId: string) => invoices.save({ tenantId, status: 'draft', number: '1' });`],
  // EntityManager methods take the entity first; a transaction manager
  ['site', `export const k = (tenantId: string) => dataSource.manager.find(Invoice, { where: { tenantId } });`],
  ['site', `export const l = (tenantId: string, id: string) => dataSource.transaction(async (manager) => manager.findOneBy(Invoice, { id, tenantId }));`],
  // NestJS injection and a typed parameter
  ['site', `export class InvoiceService {\n  constructor(@InjectRepository(Invoice) private readonly repo: Repository<Invoice>) {}\n  list(tenantId: string) { return this.repo.find({ where: { tenantId } }); }\n}`],
  ['site', `export const m = (repo: Repository<Customer>, tenantId: string) => repo.findBy({ tenantId });`],
  // a custom repository that extends Repository<Invoice>
  ['site', `export class InvoiceRepository extends Repository<Invoice> {\n  open(tenantId: string) { return this.findBy({ tenantId, status: 'open' }); }\n}`],
  // query builder with the tenant in .where, and the builder kept in a variable
  ['site', `export const n = (tenantId: string) => invoices.createQueryBuilder('i').where('i.tenantId = :tenantId', { tenantId }).andWhere('i.status = :s', { s: 'open' }).getMany();`],
  ['site', `export async function o(tenantId: string, status?: string) {\n  const qb = invoices.createQueryBuilder('i').where('i.tenant_id = :tenantId', { tenantId });\n  if (status) qb.andWhere('i.status = :status', { status });\n  return qb.getMany();\n}`],
  // Brackets: the tenant outside, the OR inside
  ['site', `export const p = (tenantId: string, q: string) => invoices.createQueryBuilder('i').where('i.tenantId = :tenantId', { tenantId }).andWhere(new Brackets((qb) => { qb.where('i.number = :q', { q }).orWhere('i.status = :q', { q }); })).getMany();`],
  // a child table joined to its parent with the parent's tenant constrained
  ['site', `export const q = (tenantId: string, invoiceId: string) => lines.createQueryBuilder('l').innerJoin('l.invoice', 'inv').where('l.invoiceId = :invoiceId', { invoiceId }).andWhere('inv.tenantId = :tenantId', { tenantId }).getMany();`],
  ['site', `export const r = (tenantId: string) => lines.createQueryBuilder('l').innerJoin('l.invoice', 'inv', 'inv.tenantId = :tenantId', { tenantId }).getMany();`],
  // update and delete builders with the tenant
  ['site', `export const s = (tenantId: string, id: string) => invoices.createQueryBuilder().update().set({ status: 'void' }).where('id = :id AND tenantId = :tenantId', { id, tenantId }).execute();`],
  ['site', `export const t = (tenantId: string) => dataSource.createQueryBuilder().delete().from(Invoice).where('tenantId = :tenantId', { tenantId }).execute();`],
  // a configured filter helper applied to the builder
  ['site', `declare function applyTenant<T>(qb: T, tenantId: string): T;\nexport class S {\n  addTenantFilter(qb: unknown, tenantId: string) { return qb; }\n  list(tenantId: string) {\n    const qb = invoices.createQueryBuilder('i');\n    this.addTenantFilter(qb, tenantId);\n    return qb.getMany();\n  }\n  all(tenantId: string) { return applyTenant(invoices.createQueryBuilder('i'), tenantId).getMany(); }\n}`],
  // a configured scoped-client factory, and a schema-per-tenant connection
  ['site', `declare function forTenant(tenantId: string): EntityManager;\nexport const u = (tenantId: string) => forTenant(tenantId).getRepository(Invoice).find();`],
  ['site', `export function v(tenantId: string) {\n  const tenantDb = new DataSource({ type: 'postgres', schema: \`tenant_\${tenantId}\` });\n  return tenantDb.getRepository(Invoice).find();\n}`],
  // a post-fetch ownership guard
  ['site', `export async function w(tenantId: string, id: string) {\n  const invoice = await invoices.findOneBy({ id });\n  if (!invoice || invoice.tenantId !== tenantId) throw new Error('not found');\n  return invoice;\n}`],
  // verified, then written: the update uses the id of a scoped read that stops when the row is missing
  ['site', `export async function x(tenantId: string, id: string) {\n  const invoice = await invoices.findOneBy({ id, tenantId });\n  if (!invoice) throw new Error('not found');\n  await invoices.update({ id }, { status: 'paid' });\n  return invoice;\n}`],
  // a repository extended with custom methods: `this` is the repository
  ['site', `export const InvoiceRepo = dataSource.getRepository(Invoice).extend({\n  open(tenantId: string) { return this.findBy({ tenantId, status: 'open' }); },\n});`],
  // a repository used inside a transaction, and an injected EntityManager
  ['site', `export const aa = (tenantId: string) => dataSource.transaction((manager) => manager.withRepository(invoices).findBy({ tenantId }));`],
  ['site', `import { InjectEntityManager } from '@nestjs/typeorm';\nexport class S {\n  constructor(@InjectEntityManager() private readonly em: EntityManager) {}\n  count(tenantId: string) { return this.em.count(Invoice, { where: { tenantId } }); }\n}`],
  // the tenant root pinned through the relation; a configured helper that returns the filter
  ['site', `export const bb = (tenantId: string) => invoices.find({ where: { tenant: { id: tenantId }, status: 'open' } });`],
  // the tenant root pinned by an external id with its own index (a billing customer): one tenant
  ['site', `export const bb2 = (customerId: string) => invoices.find({ where: { tenant: { billingId: customerId } } });`],
  ['site', `declare function tenantWhere(tenantId: string): { tenantId: string };\nexport const cc = (tenantId: string) => invoices.find({ where: tenantWhere(tenantId) });`],
  // a configured factory given the entity
  ['site', `declare function forTenant<T>(entity: new () => T, tenantId: string): Repository<T>;\nexport const dd = (id: string, tenantId: string) => forTenant(Invoice, tenantId).delete({ id });`],
  // a builder returned by a method, extended by the caller
  ['site', `export class S2 {\n  private base(tenantId: string) { return invoices.createQueryBuilder('i').where('i.tenantId = :tenantId', { tenantId }); }\n  open(tenantId: string) { return this.base(tenantId).andWhere('i.status = :s', { s: 'open' }).getMany(); }\n}`],
  // inserts through the manager and the builder
  ['site', `export const ee = (tenantId: string) => dataSource.manager.insert(Invoice, { tenantId, status: 'draft', number: '2' });`],
  ['site', `export const ff = (tenantId: string) => invoices.createQueryBuilder().insert().into(Invoice).values({ tenantId, status: 'draft', number: '3' }).execute();`],
  // an initialised DataSource and a query runner's manager
  ['site', `export async function gg(tenantId: string) {\n  const runner = dataSource.createQueryRunner();\n  return runner.manager.findBy(Customer, { tenantId });\n}`],
  // parameters bound later with setParameter(s)
  ['site', `export const jj = (tenantId: string, q: string) => invoices.createQueryBuilder('i').where('i.tenantId = :tenantId AND (i.number = :q OR i.status = :q)').setParameters({ q }).setParameter('tenantId', tenantId).getRawMany();`],
  // a project's connection wrapper whose getRepository(ctx, Entity) returns TypeORM's (Vendure's shape)
  ['site', `class TransactionalConnection {\n  constructor(private readonly dataSource: DataSource) {}\n  getRepository<T>(ctx: { tenantId: string }, target: new () => T): Repository<T> {\n    return this.dataSource.getRepository(target);\n  }\n}\nexport class S3 {\n  constructor(private readonly connection: TransactionalConnection) {}\n  list(ctx: { tenantId: string }) { return this.connection.getRepository(ctx, Invoice).findBy({ tenantId: ctx.tenantId }); }\n}`],
  // remove() of a row read with the tenant (vendure's `getRepository(ctx, Asset).remove(asset)`)
  ['site', `export async function rm(tenantId: string, id: string) {\n  const invoice = await invoices.findOneByOrFail({ id, tenantId });\n  await invoices.remove(invoice);\n}`],
  // a filter handed in from outside cannot be followed: counted, not reported
  ['unknown', `export const y = (where: Record<string, unknown>) => invoices.find({ where });`],
  // a builder handed to a function that may add conditions: counted, not reported
  ['unknown', `declare function paginate(qb: unknown): void;\nexport async function hh() {\n  const qb = invoices.createQueryBuilder('i');\n  paginate(qb);\n  return qb.getMany();\n}`],
  ['unknown', `export const ii = (options: { where?: object }) => invoices.find(options);`],
  // not TypeORM: a local object with a find method, and getRepository from elsewhere
  ['none', `const store = { find: (x: unknown) => x };\nexport const z = () => store.find(Invoice);`],
  ['none', `import { getRepository as getRepo } from './registry';\nexport const z2 = () => getRepo(Invoice).find();`],
];

ruleTester.run('require-tenant-filter (typeorm)', rule, {
  valid: safe.map(([, body]) => project(body)),
  invalid: [
    // the unsafe twin through a project's connection wrapper
    invalid(`class TransactionalConnection {\n  constructor(private readonly dataSource: DataSource) {}\n  getRepository<T>(ctx: { tenantId: string }, target: new () => T): Repository<T> {\n    return this.dataSource.getRepository(target);\n  }\n}\nexport class S3 {\n  constructor(private readonly connection: TransactionalConnection) {}\n  byId(ctx: { tenantId: string }, id: string) { return this.connection.getRepository(ctx, Invoice).findOneBy({ id }); }\n}`, 'missingTenantFilter'),
    // remove() of an object built from the request: by its id alone; and of a row read by id alone (reported at the read)
    invalid(`export const rm2 = (id: string) => invoices.remove({ id } as Invoice);`, 'missingTenantFilter'),
    // remove() of an entity built here from the request's id: it deletes by that id alone
    invalid(`export async function rm4(id: string) {\n  const invoice = invoices.create({ id });\n  await invoices.remove(invoice);\n}`, 'missingTenantFilter', { line: L + 3 }),
    invalid(`export async function rm3(id: string) {\n  const invoice = await invoices.findOneByOrFail({ id });\n  await invoices.remove(invoice);\n}`, 'missingTenantFilter', { line: L + 2 }),
    // no where at all
    invalid(`export const a = () => invoices.find();`, 'missingTenantFilter', { line: L + 1, column: 24, endColumn: 37 }),
    invalid(`export const b = () => invoices.find({ order: { number: 'DESC' }, take: 20 });`, 'missingTenantFilter'),
    // by id alone
    invalid(`export const c = (id: string) => invoices.findOne({ where: { id } });`, 'missingTenantFilter', { line: L + 1 }),
    invalid(`export const d = (id: string) => invoices.findOneBy({ id });`, 'missingTenantFilter'),
    // the tenant root filtered by a column many tenants share: every tenant on that plan
    invalid(`export const d2 = (plan: string) => invoices.find({ where: { tenant: { plan } } });`, 'missingTenantFilter'),
    // update and delete by id only
    invalid(`export const e = (id: string) => invoices.update(id, { status: 'void' });`, 'missingTenantFilter'),
    invalid(`export const f = (id: string) => invoices.delete({ id });`, 'missingTenantFilter'),
    invalid(`export const g = (ids: string[]) => invoices.softDelete(ids);`, 'missingTenantFilter'),
    // the tenant key with Not(...), IsNull() or undefined
    invalid(`export const h = (tenantId: string) => invoices.find({ where: { tenantId: Not(tenantId) } });`, 'missingTenantFilter'),
    invalid(`export const i = () => invoices.findBy({ tenantId: IsNull() });`, 'missingTenantFilter'),
    invalid(`export const j = () => invoices.findBy({ tenantId: undefined });`, 'missingTenantFilter'),
    // a where array with an object without the tenant key: TypeORM ORs them
    invalid(`export const k = (tenantId: string, q: string) => invoices.find({ where: [{ tenantId, status: q }, { number: q }] });`, 'orBypassesTenantFilter'),
    // a child table by its parent's id from the request
    invalid(`export const l = (invoiceId: string) => lines.findBy({ invoiceId });`, 'missingTenantFilter'),
    // EntityManager and transactions
    invalid(`export const m = (id: string) => dataSource.manager.findOneBy(Invoice, { id });`, 'missingTenantFilter'),
    invalid(`export const n = (id: string) => dataSource.transaction(async (manager) => { await manager.delete(Invoice, { id }); });`, 'missingTenantFilter'),
    invalid(`export const o = () => getRepository(Customer).find();`, 'missingTenantFilter'),
    // NestJS injection and a custom repository
    invalid(`export class InvoiceService {\n  constructor(@InjectRepository(Invoice) private readonly repo: Repository<Invoice>) {}\n  get(id: string) { return this.repo.findOne({ where: { id } }); }\n}`, 'missingTenantFilter', { line: L + 3 }),
    invalid(`export class InvoiceRepository extends Repository<Invoice> {\n  byNumber(number: string) { return this.findOneBy({ number }); }\n}`, 'missingTenantFilter', { line: L + 2 }),
    invalid(`export const p = (manager: EntityManager) => manager.find(Customer, { where: { email: 'a@b.c' } });`, 'missingTenantFilter'),
    // query builders: no where, by id, orWhere without the tenant
    invalid(`export const q = () => invoices.createQueryBuilder('i').getMany();`, 'missingTenantFilter', { line: L + 1 }),
    invalid(`export const r = (id: string) => invoices.createQueryBuilder('i').where('i.id = :id', { id }).getOne();`, 'missingTenantFilter'),
    invalid(`export const s = (tenantId: string, q: string) => invoices.createQueryBuilder('i').where('i.tenantId = :tenantId', { tenantId }).andWhere('i.status = :q', { q }).orWhere('i.number = :q', { q }).getMany();`, 'orBypassesTenantFilter'),
    invalid(`export const t = (tenantId: string, q: string) => invoices.createQueryBuilder('i').where('i.tenantId = :tenantId OR i.number = :q', { tenantId, q }).getMany();`, 'orBypassesTenantFilter'),
    invalid(`export const u = (tenantId: string) => invoices.createQueryBuilder('i').where('i.tenantId != :tenantId', { tenantId }).getMany();`, 'missingTenantFilter'),
    // a builder kept in a variable, and update/delete builders by id
    invalid(`export async function v(status: string) {\n  const qb = invoices.createQueryBuilder('i');\n  qb.where('i.status = :status', { status });\n  return qb.getMany();\n}`, 'missingTenantFilter', { line: L + 4 }),
    invalid(`export const w = (id: string) => invoices.createQueryBuilder().update().set({ status: 'void' }).where('id = :id', { id }).execute();`, 'missingTenantFilter'),
    invalid(`export const x = (id: string) => dataSource.createQueryBuilder().delete().from(Invoice).where('id = :id', { id }).execute();`, 'missingTenantFilter'),
    // a child joined to its parent without the parent's tenant
    invalid(`export const y = (invoiceId: string) => lines.createQueryBuilder('l').innerJoin('l.invoice', 'inv').where('inv.id = :invoiceId', { invoiceId }).getMany();`, 'missingTenantFilter'),
    // the tenant parameter bound to undefined
    invalid(`export const z = () => invoices.createQueryBuilder('i').where('i.tenantId = :tenantId', { tenantId: undefined }).getMany();`, 'missingTenantFilter'),
    // findAndCount without where; increment by id
    invalid(`export const aa = () => invoices.findAndCount({ take: 10 });`, 'missingTenantFilter'),
    invalid(`export const bb = (id: string) => invoices.increment({ id }, 'number', 1);`, 'missingTenantFilter'),
    // Brackets whose OR branch lacks the tenant, with nothing outside; NotBrackets does not scope
    invalid(`export const cc = (tenantId: string, q: string) => invoices.createQueryBuilder('i').where(new Brackets((qb) => { qb.where('i.tenantId = :tenantId', { tenantId }).orWhere('i.number = :q', { q }); })).getMany();`, 'orBypassesTenantFilter'),
    // a repository extended with custom methods, and the manager of a transaction
    invalid(`export const InvoiceRepo = dataSource.getRepository(Invoice).extend({\n  byNumber(number: string) { return this.findOneBy({ number }); },\n});`, 'missingTenantFilter', { line: L + 2 }),
    invalid(`export const dd = (ids: string[]) => dataSource.transaction('SERIALIZABLE', async (manager) => manager.softDelete(Invoice, ids));`, 'missingTenantFilter'),
    // a where array branch of a child without its parent's tenant
    invalid(`export const ee = (tenantId: string, id: string) => lines.find({ where: [{ invoice: { tenantId } }, { id }] });`, 'orBypassesTenantFilter'),
    // a left join to the parent with the tenant only in the join condition keeps every line
    invalid(`export const ff = (tenantId: string) => lines.createQueryBuilder('l').leftJoin('l.invoice', 'inv', 'inv.tenantId = :tenantId', { tenantId }).getMany();`, 'missingTenantFilter'),
    // the tenant parameter set to undefined with setParameter
    invalid(`export const gg = () => invoices.createQueryBuilder('i').where('i.tenantId = :tenantId').setParameter('tenantId', undefined).getCount();`, 'missingTenantFilter'),
  ],
});

// RuleTester proves the safe cases are silent; this proves they are silent because the query was
// recognised and found scoped, not because it was missed.
describe('typeorm: the safe cases are recognised', () => {
  it.each(safe.map(([expected, body], i) => [i, expected, body] as const))('case %i is %s', async (_i, expected, body) => {
    const { filename } = project(body);
    const result = await scan({ path: filename.replace(/src\/routes\/service\.ts$/, '') });
    const here = (f: { file: string }) => f.file.endsWith('service.ts');
    expect(result.findings.filter(here)).toEqual([]);
    const unknown = result.unknown.filter(here);
    if (expected === 'none') expect(result.stats.querySites).toBe(0);
    else expect(result.stats.querySites).toBeGreaterThan(0);
    expect(unknown.length).toBe(expected === 'unknown' ? 1 : 0);
  });
});

// The full text of a few findings: the message, the evidence and the fix in TypeORM's own syntax.
const worded: [string, string][] = [
  [
    `export const a = () => invoices.find();`,
    '`invoices.find` reads tenant-scoped model `invoices` without a tenant filter. Why: `invoices.tenantId` references the tenant `tenants` (src/db/entities.ts:22). Without it this call matches rows of every tenant; `find()` has no `where`. Fix: Add `tenantId` to `where` (`where: { ..., tenantId }`), or run it through a tenant-scoped client.',
  ],
  [
    `export const c = (id: string) => invoices.findOne({ where: { id } });`,
    '`invoices.findOne` reads tenant-scoped model `invoices` (by `id` alone) without a tenant filter. Why: `invoices.tenantId` references the tenant `tenants` (src/db/entities.ts:22). Without it this call matches rows of every tenant; `where` filters only on `id`. Fix: Add `tenantId` to `where` (`where: { ..., tenantId }`), or run it through a tenant-scoped client.',
  ],
  [
    `export const q = () => invoices.createQueryBuilder('i').getMany();`,
    "`invoices.createQueryBuilder('i')...getMany` reads tenant-scoped model `invoices` without a tenant filter. Why: `invoices.tenantId` references the tenant `tenants` (src/db/entities.ts:22). Without it this call matches rows of every tenant; the query builder has no `.where`. Fix: Add the tenant to the builder: `.andWhere('i.tenantId = :tenantId', { tenantId })`, or run it through a tenant-scoped client.",
  ],
];

describe('typeorm: findings are worded in TypeORM syntax', () => {
  it.each(worded)('%s', async (body, text) => {
    const { filename } = project(body);
    const result = await scan({ path: filename.replace(/src\/routes\/service\.ts$/, '') });
    const finding = result.findings.find((f) => f.ruleId === 'require-tenant-filter');
    expect(`${finding?.message} Why: ${finding?.evidence} Fix: ${finding?.help}`).toBe(text);
  });
});
