// Session 19 (issue 16, sections 2-3): tenant data joined to the tenant root through a join table
// (vendure's ChannelAware entities, `@ManyToMany(() => Channel) @JoinTable() channels: Channel[]`;
// Prisma's implicit many-to-many `channels Channel[]`) is a child of the root through that relation,
// not unclassified, and a read through a project's connection class that takes the entity and an id
// (`getEntityOrThrow(ctx, Product, id, { channelId })`, `findOneInChannel(ctx, Product, id, channelId)`)
// is a query. Each scoped shape beside its unscoped twin, in TypeORM and Prisma, through both faces.
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

const CONFIG = JSON.stringify({ tenantRoot: 'Channel' });

const ENTITIES = [
  `import { Column, Entity, JoinTable, ManyToMany, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';`,
  `@Entity()`,
  `export class Channel {`,
  `  @PrimaryGeneratedColumn() id: number;`,
  `  @Column() code: string;`,
  `}`,
  `@Entity()`,
  `export class Product {`,
  `  @PrimaryGeneratedColumn() id: number;`,
  `  @Column() name: string;`,
  `  @ManyToMany(() => Channel) @JoinTable() channels: Channel[];`,
  `  @OneToMany(() => ProductVariant, (v) => v.product) variants: ProductVariant[];`,
  `}`,
  `@Entity()`,
  `export class ProductVariant {`,
  `  @PrimaryGeneratedColumn() id: number;`,
  `  @Column() sku: string;`,
  `  @ManyToOne(() => Product, (p) => p.variants, { nullable: false }) product: Product;`,
  `}`,
  '',
].join('\n');

const CONNECTION = [
  `import { DataSource, FindOneOptions, ObjectType, Repository } from 'typeorm';`,
  `export class TransactionalConnection {`,
  `  constructor(private readonly dataSource: DataSource) {}`,
  `  getRepository<T>(ctx: { channelId: number }, target: ObjectType<T>): Repository<T> {`,
  `    return this.dataSource.getRepository(target);`,
  `  }`,
  `  async getEntityOrThrow<T>(ctx: { channelId: number }, entityType: ObjectType<T>, id: number, options: FindOneOptions<T> & { channelId?: number } = {}): Promise<T> {`,
  `    const found = options.channelId != null ? await this.findOneInChannel(ctx, entityType, id, options.channelId) : await this.getRepository(ctx, entityType).findOne({ where: { id } as any });`,
  `    if (!found) throw new Error('not found');`,
  `    return found;`,
  `  }`,
  `  findOneInChannel<T>(ctx: { channelId: number }, entity: ObjectType<T>, id: number, channelId: number) {`,
  `    return this.getRepository(ctx, entity).createQueryBuilder('entity').leftJoin('entity.channels', '__channel').where('entity.id = :id', { id }).andWhere('__channel.id = :channelId', { channelId }).getOne();`,
  `  }`,
  `}`,
  '',
].join('\n');

// Line 5 onwards: one query per line, scoped ones first, then their unscoped twins.
const SERVICE = [
  `import { Product, ProductVariant } from './entities';`,
  `import { TransactionalConnection } from './connection';`,
  `export class ProductService {`,
  `  constructor(private readonly connection: TransactionalConnection) {}`,
  `  list(ctx: { channelId: number }) { return this.connection.getRepository(ctx, Product).find({ where: { channels: { id: ctx.channelId } } }); }`,
  `  byBuilder(ctx: { channelId: number }, id: number) { return this.connection.getRepository(ctx, Product).createQueryBuilder('product').leftJoin('product.channels', 'channel').where('product.id = :id', { id }).andWhere('channel.id = :channelId', { channelId: ctx.channelId }).getOne(); }`,
  `  variant(ctx: { channelId: number }, id: number) { return this.connection.getRepository(ctx, ProductVariant).findOne({ where: { id, product: { channels: { id: ctx.channelId } } } }); }`,
  `  entity(ctx: { channelId: number }, id: number) { return this.connection.getEntityOrThrow(ctx, Product, id, { channelId: ctx.channelId }); }`,
  `  inChannel(ctx: { channelId: number }, id: number) { return this.connection.findOneInChannel(ctx, Product, id, ctx.channelId); }`,
  `  listAll(ctx: { channelId: number }) { return this.connection.getRepository(ctx, Product).find({ where: { name: 'x' } }); }`,
  `  byBuilderAll(ctx: { channelId: number }, id: number) { return this.connection.getRepository(ctx, Product).createQueryBuilder('product').leftJoin('product.channels', 'channel').where('product.id = :id', { id }).getOne(); }`,
  `  variantAll(ctx: { channelId: number }, id: number) { return this.connection.getRepository(ctx, ProductVariant).findOne({ where: { id } }); }`,
  `  entityAll(ctx: { channelId: number }, id: number) { return this.connection.getEntityOrThrow(ctx, Product, id); }`,
  `  inChannelNone(ctx: { channelId: number }, id: number) { return this.connection.findOneInChannel(ctx, Product, id, undefined as any); }`,
  `}`,
  '',
].join('\n');

const METHODS = ['list', 'byBuilder', 'variant', 'entity', 'inChannel', 'listAll', 'byBuilderAll', 'variantAll', 'entityAll', 'inChannelNone'];

// A request handler reaches every method: an unscoped read is an error, not dead code.
const CONTROLLER = [
  `import { Controller, Get, Param, Req } from '@nestjs/common';`,
  `import { ProductService } from './product.service';`,
  `@Controller('products')`,
  `export class ProductController {`,
  `  constructor(private readonly products: ProductService) {}`,
  `  @Get(':id') get(@Req() req: { channelId: number }, @Param('id') id: number) { return [${METHODS.map((m) => `this.products.${m}(req, id)`).join(', ')}]; }`,
  `}`,
  '',
].join('\n');

const typeormProject = (entities = ENTITIES, extra: Record<string, string> = {}) =>
  makeProject({
    ...extra,
    'package.json': JSON.stringify({ name: 'shop', dependencies: { typeorm: '^0.3.20', '@nestjs/common': '^10', '@nestjs/core': '^10' } }),
    'tenant-lint.config.json': CONFIG,
    'src/entities.ts': entities,
    'src/connection.ts': CONNECTION,
    'src/product.service.ts': SERVICE,
    'src/product.controller.ts': CONTROLLER,
  });

describe('TypeORM: a many-to-many to the tenant root makes tenant data', () => {
  it('`Product.channels` makes Product a child of the root through the join; ProductVariant a child of Product', () => {
    const schema = loadProject(typeormProject()).schema;
    expect(schema.root).toBe('Channel');
    expect(schema.tables.get('Product')?.class).toBe('child');
    expect(schema.tables.get('Product')?.parentRelations).toEqual(['channels']);
    expect(schema.tables.get('Product')?.classReason).toContain('many-to-many relation to the tenant root `Channel`');
    expect(schema.tables.get('ProductVariant')?.class).toBe('child');
  });

  it('scoped through `channels`, a joined channel, `channelId` options and parameters; the twins reported', async () => {
    const result = await scan({ path: typeormProject() });
    const filter = result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/product.service.ts').map((f) => `${f.line} ${f.severity}`);
    expect(filter).toEqual(['10 error', '11 error', '12 error', '13 error', '14 error']);
    const entityAll = result.findings.find((f) => f.line === 13 && f.file === 'src/product.service.ts');
    expect(entityAll?.message + (entityAll?.evidence ?? '')).toContain('channelId');
    // the reads through the connection class are counted as data access
    expect(result.coverage.notTracedSites.filter((s) => s.file === 'src/product.service.ts')).toEqual([]);
  });

  it("the root's key declared in a base class of another file (vendure's VendureEntity) is still `id`: the same verdicts", async () => {
    const base = `import { PrimaryGeneratedColumn } from 'typeorm';\nexport abstract class BaseEntity {\n  @PrimaryGeneratedColumn() id: number;\n}\n`;
    const entities = `import { BaseEntity } from './base';\n${ENTITIES.replace('export class Channel {\n  @PrimaryGeneratedColumn() id: number;', 'export class Channel extends BaseEntity {')}`;
    expect(entities).toContain('class Channel extends BaseEntity {\n  @Column() code');
    const result = await scan({ path: typeormProject(entities, { 'src/base.ts': base }) });
    const filter = result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/product.service.ts').map((f) => f.line);
    expect(filter).toEqual([10, 11, 12, 13, 14]);
  });

  it('both faces agree', async () => {
    const { scanner, eslint } = await bothFaces(typeormProject(), 'require-tenant-filter');
    expect(eslint).toEqual(scanner);
    expect(scanner.get('src/product.service.ts')).toEqual(['10 missingTenantFilter', '11 missingTenantFilter', '12 missingTenantFilter', '13 missingTenantFilter', '14 missingTenantFilter']);
  });

  it('twin: a one-to-many seen from the root side (the root holds the foreign key) is no join to the root', () => {
    const entities = ENTITIES.replace('@ManyToMany(() => Channel) @JoinTable() channels: Channel[];', '@OneToMany(() => Channel, (c) => c.product) channels: Channel[];').replace(
      '@Column() code: string;',
      '@Column() code: string;\n  @ManyToOne(() => Product, (p) => p.channels) product: Product;',
    );
    const dir = makeProject({ 'package.json': JSON.stringify({ name: 'shop', dependencies: { typeorm: '^0.3.20' } }), 'tenant-lint.config.json': CONFIG, 'src/entities.ts': entities });
    expect(loadProject(dir).schema.tables.get('Product')?.class).not.toBe('child');
  });
});

const PRISMA = [
  `generator client { provider = "prisma-client-js" }`,
  `datasource db { provider = "postgresql" url = env("DATABASE_URL") }`,
  `model Channel {`,
  `  id       String    @id @default(cuid())`,
  `  code     String`,
  `  products Product[]`,
  `}`,
  `model Product {`,
  `  id       String    @id @default(cuid())`,
  `  name     String`,
  `  channels Channel[]`,
  `}`,
  '',
].join('\n');

const PRISMA_ROUTES = [
  `import { PrismaClient } from '@prisma/client';`,
  `const prisma = new PrismaClient();`,
  `export const list = (channelId: string) => prisma.product.findMany({ where: { channels: { some: { id: channelId } } } });`,
  `export const one = (channelId: string, id: string) => prisma.product.findFirst({ where: { id, channels: { some: { id: channelId } } } });`,
  `export const listAll = () => prisma.product.findMany({ where: { name: 'x' } });`,
  `export const oneAll = (id: string) => prisma.product.findUnique({ where: { id } });`,
  '',
].join('\n');

const prismaProject = () =>
  makeProject({
    'package.json': JSON.stringify({ name: 'shop', dependencies: { '@prisma/client': '^5', prisma: '^5' } }),
    'tenant-lint.config.json': CONFIG,
    'prisma/schema.prisma': PRISMA,
    'src/routes.ts': PRISMA_ROUTES,
  });

describe('Prisma: an implicit many-to-many to the tenant root makes tenant data', () => {
  it('`Product.channels` makes Product a child of the root through the join', () => {
    const schema = loadProject(prismaProject()).schema;
    expect(schema.tables.get('Product')?.class).toBe('child');
    expect(schema.tables.get('Product')?.parentRelations).toEqual(['channels']);
  });

  it('`channels: { some: { id } }` scopes; the twins by name and by id alone are reported, both faces', async () => {
    const { scanner, eslint } = await bothFaces(prismaProject(), 'require-tenant-filter');
    expect(eslint).toEqual(scanner);
    expect(scanner.get('src/routes.ts')).toEqual(['5 missingTenantFilter', '6 missingTenantFilter']);
  });
});
