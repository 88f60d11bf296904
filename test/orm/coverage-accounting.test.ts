// What the coverage census counts, shape by shape, on field misreadings (issue 16): each recognised
// shape beside its near-miss twin that is not data access, in every ORM where the shape exists.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

const SQL = `CREATE TABLE orgs (id uuid PRIMARY KEY);
CREATE TABLE invoices (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id), status text);
CREATE INDEX ON invoices (org_id, id);
`;

const DRIZZLE_SCHEMA = `import { pgTable, text } from 'drizzle-orm/pg-core';
export const orgs = pgTable('orgs', { id: text('id').primaryKey() });
export const invoices = pgTable('invoices', { id: text('id').primaryKey(), orgId: text('org_id').notNull().references(() => orgs.id) });
`;

function sitesOf(result: Awaited<ReturnType<typeof scan>>): string[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`);
}

describe('table names held in constants', () => {
  it('Knex: `db(TABLE)`, `db(T.invoices)`, `` db(`${TABLE} as i`) ``, an imported constant and `.from(TABLE)` are queries on the table', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { knex: '3' } }),
      'migrations/0001_init.sql': SQL,
      'src/db.ts': `import knex from 'knex';\nexport const db = knex({ client: 'pg' });\n`,
      'src/tables.ts': `export const INVOICES = 'invoices';\n`,
      'src/a.ts': [
        `import { db } from './db';`,
        `import { INVOICES } from './tables';`,
        `const TABLE = 'invoices';`,
        `const T = { invoices: 'invoices', orgs: 'orgs' } as const;`,
        `export const a = (id: string) => db(TABLE).where({ id }).first();`,
        `export const b = (orgId: string, id: string) => db(T.invoices).where({ id, org_id: orgId }).first();`,
        `export const c = (id: string) => db(\`\${TABLE} as i\`).where('i.id', id).first();`,
        `export const d = (id: string) => db(INVOICES).where({ id }).del();`,
        `export const e = (orgId: string) => db.select('*').from(TABLE).where(\`\${TABLE}.org_id\`, orgId);`,
        // the rows an awaited query returned are not a builder: \`rows.map\` is not a second query
        `export async function f(orgId: string) { const rows = await db(T.invoices).where({ org_id: orgId }); return rows.map((r: { id: string }) => r.id); }`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 6, analysed: 6, scoped: 3, unscoped: 3, notTraced: 0 });
    expect(sitesOf(result)).toEqual(['src/a.ts:5', 'src/a.ts:7', 'src/a.ts:8']);
  });

  it('Knex twin: a constant table name handed to something that is not a Knex client, or a variable that changes, is not a query of a known table', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { knex: '3' } }),
      'migrations/0001_init.sql': SQL,
      'src/a.ts': [
        `const TABLE = 'invoices';`,
        `const labels = (key: string) => ({ where: (x: object) => [key, x], first: () => key });`,
        `export const a = (id: string) => labels(TABLE).where({ id });`,
        `export const b = () => [TABLE].map((t) => t.toUpperCase()).join(',');`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 0, notTraced: 0 });
  });

  it('Kysely: `selectFrom(T.invoices)` and `` deleteFrom(`${TABLE}`) `` name the table; the same on an object that is not a Kysely database does not', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { kysely: '0.27' } }),
      'migrations/0001_init.sql': SQL,
      'src/db.ts': `import { Kysely, PostgresDialect } from 'kysely';\nexport const db = new Kysely<any>({ dialect: new PostgresDialect({} as any) });\n`,
      'src/a.ts': [
        `import { db } from './db';`,
        `const TABLE = 'invoices';`,
        `const T = { invoices: 'invoices' } as const;`,
        `export const a = (id: string) => db.selectFrom(T.invoices).selectAll().where('id', '=', id).execute();`,
        `export const b = (orgId: string) => db.deleteFrom(\`\${TABLE}\`).where('org_id', '=', orgId).execute();`,
        `const menu = { selectFrom: (t: string) => ({ selectAll: () => ({ where: (..._: unknown[]) => ({ execute: () => t }) }) }) };`,
        `export const c = (id: string) => menu.selectFrom(T.invoices).selectAll().where('id', '=', id).execute();`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1, notTraced: 0 });
    expect(sitesOf(result)).toEqual(['src/a.ts:4']);
  });
});

describe('census: a value that shares a table name is not the table', () => {
  it('Drizzle: `Array.from(board.invoices)` in a callback is not counted; `.from(invoices)` on an untraced receiver is seen', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { 'drizzle-orm': '1' } }),
      'src/schema.ts': DRIZZLE_SCHEMA,
      'src/view.tsx': [
        `type Board = { invoices: { id: string }[] };`,
        `export const reorder = (boards: Board[]) => boards.map((board) => Array.from(board.invoices).reverse());`,
        `export function copy(oldBoard: Board) { const lists = { invoices: oldBoard.invoices }; return Array.from(lists.invoices); }`,
        '',
      ].join('\n'),
      'src/repo.ts': `import { invoices } from './schema';\nexport const all = (conn: any) => conn.select().from(invoices);\n`,
    });
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites.map((s) => `${s.file}:${s.line} ${s.reason}`)).toEqual([]);
    // The schema's table on a receiver that cannot be traced is still a query (matched by the schema).
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, schemaMatched: 1, notTraced: 0 });
  });
});

const ENTITIES = `import { Column, Entity, Index, JoinColumn, ManyToMany, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
@Entity('channels') export class Channel { @PrimaryGeneratedColumn('uuid') id: string; }
@Entity('orders') @Index(['channelId', 'id'])
export class Order {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'channel_id', type: 'uuid' }) channelId: string;
  @ManyToOne(() => Channel, { nullable: false }) @JoinColumn({ name: 'channel_id' }) channel: Channel;
  @ManyToMany(() => Channel) channels: Channel[];
}
`;

// A project's connection wrapper whose getRepository(ctx, Entity) returns TypeORM's (Vendure's shape).
const CONNECTION = `import { DataSource, Repository } from 'typeorm';
export class TransactionalConnection {
  constructor(private readonly dataSource: DataSource) {}
  getRepository<T>(ctx: { channelId: string }, target: new () => T): Repository<T> {
    return this.dataSource.getRepository(target);
  }
}
`;

// The same wrapper shape over something that is not a database: an in-memory registry.
const REGISTRY = `export class Registry {
  private readonly items = new Map<unknown, { find: (q: object) => unknown[] }>();
  getRepository<T>(ctx: { channelId: string }, target: new () => T) {
    return this.items.get(target) ?? { find: (_q: object) => [] };
  }
}
`;

describe('TypeORM: repositories of a project connection reached without a typed constructor parameter', () => {
  it('a module variable typed with the connection class, and a dependency container lookup, give TypeORM repositories', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { typeorm: '0.3' } }),
      'src/entities.ts': ENTITIES,
      'src/connection.ts': CONNECTION,
      'tenant-lint.config.json': JSON.stringify({ tenantRoot: 'Channel' }),
      'src/process.ts': [
        `import { Order } from './entities';`,
        `import { TransactionalConnection } from './connection';`,
        `type Injector = { get<T>(type: new (...args: never[]) => T): T };`,
        `let connection: TransactionalConnection;`,
        `export const orderProcess = {`,
        `  init(injector: Injector) { connection = injector.get(TransactionalConnection); },`,
        `  byId: (ctx: { channelId: string }, id: string) => connection.getRepository(ctx, Order).findOne({ where: { id } }),`,
        `  mine: (ctx: { channelId: string }) => connection.getRepository(ctx, Order).find({ where: { channelId: ctx.channelId } }),`,
        `};`,
        `export const lines = (injector: Injector, ctx: { channelId: string }, id: string) => injector.get(TransactionalConnection).getRepository(ctx, Order).findOne({ where: { id } });`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites.map((s) => `${s.file}:${s.line} ${s.reason}`)).toEqual([]);
    expect(result.coverage).toMatchObject({ seen: 3, analysed: 3, notTraced: 0 });
  });

  it('twin: the same shapes over a class whose getRepository is not TypeORM are not queries', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { typeorm: '0.3' } }),
      'src/entities.ts': ENTITIES,
      'src/registry.ts': REGISTRY,
      'src/process.ts': [
        `import { Order } from './entities';`,
        `import { Registry } from './registry';`,
        `type Injector = { get<T>(type: new (...args: never[]) => T): T };`,
        `let registry: Registry;`,
        `export const orderProcess = {`,
        `  init(injector: Injector) { registry = injector.get(Registry); },`,
        `  byId: (ctx: { channelId: string }, id: string) => registry.getRepository(ctx, Order).find({ where: { id } }),`,
        `};`,
        `export const lines = (injector: Injector, ctx: { channelId: string }, id: string) => injector.get(Registry).getRepository(ctx, Order).find({ where: { id } });`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 0, notTraced: 0 });
  });

  it('`.relation(...).of(entity)` loads and writes are seen, counted as not analysable; an object with the same method names is not', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { typeorm: '0.3' } }),
      'src/entities.ts': ENTITIES,
      'src/connection.ts': CONNECTION,
      'src/service.ts': [
        `import { Order, Channel } from './entities';`,
        `import { TransactionalConnection } from './connection';`,
        `export class OrderService {`,
        `  constructor(private readonly connection: TransactionalConnection) {}`,
        `  channels(ctx: { channelId: string }, order: Order) { return this.connection.getRepository(ctx, Order).createQueryBuilder('order').relation('channels').of(order).loadMany(); }`,
        `  async link(ctx: { channelId: string }, order: Order, channel: Channel) { await this.connection.getRepository(ctx, Order).createQueryBuilder().relation('channels').of(order).add(channel); }`,
        `}`,
        `const tags = { relation: (_n: string) => ({ of: (_o: object) => ({ add: (_x: unknown) => 1, loadMany: () => [] }) }) };`,
        `export const notQueries = (order: Order) => [tags.relation('x').of(order).add(1), tags.relation('x').of(order).loadMany()];`,
        `export const other = (s: Set<number>) => s.add(1);`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, notAnalysable: 2, notTraced: 0 });
    expect(sitesOf(result)).toEqual([]);
  });
});
