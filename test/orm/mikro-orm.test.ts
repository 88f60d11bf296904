import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/require-tenant-filter.js';
import { onDisk } from '../helpers/on-disk.js';

const ruleTester = new RuleTester();

// Tenant root `Tenant`; `Invoice` carries the `tenant` relation; `Note` has a default tenant
// filter; `Line` is a child of `Invoice`; `Token` (an EntitySchema) is looked up by a unique hash.
const entities = `import { Collection, Entity, EntitySchema, Filter, Index, ManyToOne, OneToMany, PrimaryKey, Property } from '@mikro-orm/core';

@Entity()
export class Tenant {
  @PrimaryKey() id!: string;
  @Property() name!: string;
  @OneToMany(() => Member, (m) => m.tenant) members = new Collection<Member>(this);
}

@Entity()
export class User {
  @PrimaryKey() id!: string;
}

@Entity()
export class Member {
  @PrimaryKey() id!: string;
  @ManyToOne(() => Tenant) tenant!: Tenant;
  @ManyToOne(() => User) user!: User;
  @Property() role!: string;
}

@Entity()
@Index({ properties: ['tenant', 'id'] })
export class Invoice {
  @PrimaryKey() id!: string;
  @ManyToOne(() => Tenant) tenant!: Tenant;
  @Property() status!: string;
}

@Entity()
@Filter({ name: 'tenant', cond: (args: { tenantId: string }) => ({ tenant: args.tenantId }), default: true })
@Index({ properties: ['tenant', 'id'] })
export class Note {
  @PrimaryKey() id!: string;
  @ManyToOne({ entity: () => Tenant }) tenant!: Tenant;
  @Property() body!: string;
}

@Entity()
export class Line {
  @PrimaryKey() id!: number;
  @ManyToOne(() => Invoice) invoice!: Invoice;
}

export const TokenSchema = new EntitySchema<{ id: string; tenant: Tenant; hash: string }>({
  name: 'Token',
  properties: {
    id: { type: 'uuid', primary: true },
    tenant: { kind: 'm:1', entity: () => Tenant },
    hash: { type: 'string', unique: true },
  },
  indexes: [{ properties: ['tenant', 'id'] }],
});
`;

const head = `import { EntityManager, EntityRepository, MikroORM } from '@mikro-orm/core';
import { InjectRepository } from '@mikro-orm/nestjs';
import { Invoice, Line, Note, TokenSchema } from '../entities';
`;

function project(body: string): { code: string; filename: string } {
  return onDisk(`${head}${body}`, 'src/services/service.ts', {
    'package.json': JSON.stringify({ name: 'mikro-case', dependencies: { '@mikro-orm/core': '^6.4.0', '@mikro-orm/nestjs': '^6.0.0' } }),
    'src/entities.ts': entities,
  });
}

type MessageId = 'missingTenantFilter' | 'orBypassesTenantFilter';

function invalid(body: string, messageId: MessageId, position?: { line?: number; column?: number }) {
  return { ...project(body), errors: [{ messageId, ...position }] };
}

ruleTester.run('require-tenant-filter (mikroorm)', rule, {
  valid: [
    // the tenant relation in the filter, on an EntityManager parameter
    project(`export const a = (em: EntityManager, tenantId: string, id: string) => em.findOne(Invoice, { id, tenant: tenantId });`),
    project(`export const b = (em: EntityManager, tenantId: string) => em.find(Invoice, { tenant: { id: tenantId }, status: 'open' });`),
    project(`export const c = (em: EntityManager, tenantId: string, q: string) => em.find(Invoice, { tenant: tenantId, $or: [{ status: q }, { id: q }] });`),
    project(`export const d = (em: EntityManager, tenantId: string, q: string) => em.find(Invoice, { $and: [{ tenant: tenantId }, { status: q }] });`),
    // writes with the tenant; a fork; inserts
    project(`export const e = (em: EntityManager, tenantId: string, id: string) => em.fork().nativeUpdate(Invoice, { id, tenant: tenantId }, { status: 'void' });`),
    project(`export const f = (em: EntityManager, tenantId: string) => em.create(Invoice, { tenant: tenantId, status: 'draft' });`),
    // a child through its parent
    project(`export const g = (em: EntityManager, tenantId: string, id: string) => em.getRepository(Line).find({ invoice: { id, tenant: tenantId } });`),
    // a default filter that names the tenant key
    project(`export const h = (em: EntityManager, id: string) => em.findOne(Note, { id });`),
    project(`export class Notes {\n  constructor(@InjectRepository(Note) private readonly notes: EntityRepository<Note>) {}\n  all() { return this.notes.findAll(); }\n}`),
    // a credential lookup by a unique hash, on an EntitySchema repository
    project(`export const i = (em: EntityManager, hash: string) => em.getRepository(TokenSchema).findOne({ hash });`),
    // a query builder with the tenant
    project(`export const j = (em: EntityManager, tenantId: string) => em.createQueryBuilder(Invoice).where({ tenant: tenantId }).andWhere({ status: 'open' }).getResult();`),
    // orm.em from MikroORM.init
    project(`export async function k(tenantId: string) {\n  const orm = await MikroORM.init({});\n  return orm.em.find(Invoice, { tenant: tenantId });\n}`),
    // the tenant restricted to those the user is a member of (a collection filter means "some member")
    project(`export const m = (em: EntityManager, userId: string, id: string) => em.findOne(Invoice, { id, tenant: { members: { user: { id: userId } } } });`),
    project(`export const n = (em: EntityManager, userId: string, id: string) => em.findOne(Invoice, { id, tenant: { members: { user: userId } } });`),
    // a child keyed by the parent entity an earlier (scoped) query loaded
    project(`export async function o(em: EntityManager, tenantId: string, id: string) {\n  const invoice = await em.findOneOrFail(Invoice, { id, tenant: tenantId });\n  return em.find(Line, { invoice });\n}`),
    // not MikroORM: a local object with a find method
    project(`const store = { find: (_e: unknown, _w: unknown) => [] };\nexport const l = (id: string) => store.find(Invoice, { id });`),
  ],
  invalid: [
    invalid(`export const a = (em: EntityManager, id: string) => em.findOne(Invoice, id);`, 'missingTenantFilter', { line: 4 }),
    invalid(`export const b = (em: EntityManager, id: string) => em.nativeDelete(Invoice, { id });`, 'missingTenantFilter'),
    invalid(`export const c = (em: EntityManager) => em.find(Invoice, {});`, 'missingTenantFilter'),
    invalid(`export const d = (em: EntityManager, tenantId: string, q: string) => em.find(Invoice, { $or: [{ tenant: tenantId, status: q }, { id: q }] });`, 'orBypassesTenantFilter'),
    // the default filter turned off, wholesale and by name
    invalid(`export const e = (em: EntityManager) => em.find(Note, {}, { filters: false });`, 'missingTenantFilter'),
    invalid(`export class Notes {\n  constructor(@InjectRepository(Note) private readonly notes: EntityRepository<Note>) {}\n  all() { return this.notes.find({}, { filters: { tenant: false } }); }\n}`, 'missingTenantFilter'),
    // a child by the parent id alone; a query-builder delete by id
    invalid(`export const f = (em: EntityManager, invoiceId: string) => em.getRepository(Line).nativeDelete({ invoice: invoiceId });`, 'missingTenantFilter'),
    invalid(`export async function g(em: EntityManager, id: string) {\n  await em.createQueryBuilder(Invoice).delete().where({ id }).execute();\n}`, 'missingTenantFilter'),
    // the unsafe twins: a membership condition that does not name the user, a tenant matched by a non-unique field
    invalid(`export const m = (em: EntityManager, id: string) => em.findOne(Invoice, { id, tenant: { members: { role: 'admin' } } });`, 'missingTenantFilter'),
    invalid(`export const n = (em: EntityManager, id: string, name: string) => em.findOne(Invoice, { id, tenant: { name } });`, 'missingTenantFilter'),
    // its twin: the parent entity comes from a parameter, not from a query
    invalid(`export const o = (em: EntityManager, invoice: Invoice) => em.find(Line, { invoice });`, 'missingTenantFilter'),
    // a class field typed as the repository
    invalid(`export class Invoices {\n  private readonly repo!: EntityRepository<Invoice>;\n  one(id: string) { return this.repo.findOneOrFail({ id }); }\n}`, 'missingTenantFilter'),
  ],
});
