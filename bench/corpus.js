// A deterministic, realistic monorepo for `npm run bench`: generateCorpus(root, files) writes exactly
// `files` TypeScript sources (plus schemas, SQL migrations and package manifests) under `root`.
// Packages cycle through every data layer tenant-lint models (Prisma, Drizzle, TypeORM, Sequelize,
// Mongoose, Knex, Kysely, raw SQL) and through the client-wrapping shapes real code uses (exported
// singleton, `db()` factory, constructor injection / `this.repo`, tRPC-style `ctx.db`, globalThis
// reuse). Most files are not data access (components, types, utilities, tests), as in real code;
// a few are large. Same `files` -> byte-identical tree (seeded PRNG, no clock, no randomness).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Small, fast, seeded PRNG (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ORMS = ['prisma', 'drizzle', 'typeorm', 'sequelize', 'mongoose', 'knex', 'kysely', 'sql'];
const SHAPES = ['singleton', 'factory', 'injection', 'ctx', 'global'];
const TENANTS = [
  { field: 'orgId', column: 'org_id', Root: 'Organization', root: 'organization', rootTable: 'organizations' },
  { field: 'tenantId', column: 'tenant_id', Root: 'Tenant', root: 'tenant', rootTable: 'tenants' },
  { field: 'workspaceId', column: 'workspace_id', Root: 'Workspace', root: 'workspace', rootTable: 'workspaces' },
  { field: 'accountId', column: 'account_id', Root: 'Account', root: 'account', rootTable: 'accounts' },
];
const ENTITY_NAMES = ['Invoice', 'Customer', 'Project', 'Task', 'Comment', 'Document', 'Ticket', 'Order', 'Payment', 'Webhook', 'AuditEvent', 'ApiKey'];
const FIELDS = [
  ['title', 'string'],
  ['status', 'string'],
  ['amountCents', 'number'],
  ['description', 'string'],
  ['dueAt', 'Date'],
  ['archived', 'boolean'],
];

const snake = (s) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
const lowerFirst = (s) => s[0].toLowerCase() + s.slice(1);
const plural = (s) => (s.endsWith('y') ? `${s.slice(0, -1)}ies` : `${s}s`);

function entity(Name) {
  return { Name, name: lowerFirst(Name), table: plural(snake(Name)), kebab: snake(Name).replace(/_/g, '-') };
}
const ENTITIES = ENTITY_NAMES.map(entity);

class Writer {
  constructor(root, budget) {
    this.root = root;
    this.budget = budget;
    this.sources = 0;
    this.bytes = 0;
  }
  /** A source file counts against the budget; returns false once the budget is spent. */
  source(path, text) {
    if (this.sources >= this.budget) return false;
    this.sources += 1;
    this.raw(path, text);
    return true;
  }
  raw(path, text) {
    const full = join(this.root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
    this.bytes += text.length;
  }
  get full() {
    return this.sources >= this.budget;
  }
}

// ---------------------------------------------------------------------------------------------
// Schemas, one reader per data layer

function prismaSchema(t) {
  const models = ENTITIES.map((e, i) => {
    const nullable = i === 9 ? '?' : ''; // one nullable tenant column
    const index = i === 10 ? `@@index([createdAt])` : `@@index([${t.field}, createdAt])`;
    return `model ${e.Name} {
  id          String   @id @default(cuid())
  ${t.field.padEnd(11)} String${nullable}  @map("${t.column}")
  ${t.root.padEnd(11)} ${t.Root}${nullable} @relation(fields: [${t.field}], references: [id], onDelete: Cascade)
  title       String
  status      String   @default("open")
  amountCents Int      @default(0) @map("amount_cents")
  description String?
  dueAt       DateTime? @map("due_at")
  archived    Boolean  @default(false)
  createdAt   DateTime @default(now()) @map("created_at")
  updatedAt   DateTime @updatedAt @map("updated_at")

  ${index}
  @@map("${e.table}")
}
`;
  });
  return `// Generated for tenant-lint's benchmark.
generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Plan {
  id    String @id @default(cuid())
  code  String @unique
  name  String
  ${t.root}s ${t.Root}[]

  @@map("plans")
}

model ${t.Root} {
  id     String @id @default(cuid())
  name   String
  slug   String @unique
  planId String @map("plan_id")
  plan   Plan   @relation(fields: [planId], references: [id])
${ENTITIES.map((e) => `  ${plural(e.name)} ${e.Name}[]`).join('\n')}

  @@map("${t.rootTable}")
}

${models.join('\n')}`;
}

function sqlMigrations(t, dialectComment) {
  const files = [];
  files.push([
    '0000_init.sql',
    `-- ${dialectComment}
CREATE TABLE ${t.rootTable} (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  slug text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE plans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE
);
`,
  ]);
  ENTITIES.forEach((e, i) => {
    const nullable = i === 9 ? '' : ' NOT NULL';
    const rls =
      i === 3
        ? `\nALTER TABLE ${e.table} ENABLE ROW LEVEL SECURITY;\nCREATE POLICY ${e.table}_isolation ON ${e.table} USING (${t.column} = current_setting('app.${t.column}')::uuid);\n`
        : '';
    files.push([
      `${String(i + 1).padStart(4, '0')}_${e.table}.sql`,
      `CREATE TABLE ${e.table} (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ${t.column} uuid${nullable} REFERENCES ${t.rootTable}(id) ON DELETE CASCADE,
  title text NOT NULL,
  status text NOT NULL DEFAULT 'open',
  amount_cents integer NOT NULL DEFAULT 0,
  description text,
  due_at timestamptz,
  archived boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
${i === 10 ? `CREATE INDEX ${e.table}_created_idx ON ${e.table} (created_at);` : `CREATE INDEX ${e.table}_${t.column}_idx ON ${e.table} (${t.column}, created_at);`}
${rls}
--> statement-breakpoint
ALTER TABLE ${e.table} ADD COLUMN external_ref text;
UPDATE ${e.table} SET external_ref = id::text WHERE external_ref IS NULL;
`,
    ]);
  });
  return files;
}

function drizzleSchema(t) {
  return `// Generated for tenant-lint's benchmark: the Drizzle schema.
import { relations } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const ${t.rootTable} = pgTable('${t.rootTable}', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  ...timestamps,
});

${ENTITIES.map(
  (e, i) => `export const ${plural(e.name)} = pgTable(
  '${e.table}',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ${t.field}: uuid('${t.column}')${i === 9 ? '' : '.notNull()'}.references(() => ${t.rootTable}.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    status: text('status').notNull().default('open'),
    amountCents: integer('amount_cents').notNull().default(0),
    description: text('description'),
    dueAt: timestamp('due_at', { withTimezone: true }),
    archived: boolean('archived').notNull().default(false),
    ...timestamps,
  },
  (t) => [index('${e.table}_idx').on(${i === 10 ? 't.createdAt' : `t.${t.field}, t.createdAt`})],
);

export const ${plural(e.name)}Relations = relations(${plural(e.name)}, ({ one }) => ({
  ${t.root}: one(${t.rootTable}, { fields: [${plural(e.name)}.${t.field}], references: [${t.rootTable}.id] }),
}));
`,
).join('\n')}`;
}

function typeormEntity(t, e, i) {
  return `// Generated for tenant-lint's benchmark: a TypeORM entity.
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ${t.Root} } from '../${t.root}/${t.root}.entity';

@Entity('${e.table}')
@Index(${i === 10 ? `['createdAt']` : `['${t.field}', 'createdAt']`})
export class ${e.Name} {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: '${t.column}', type: 'uuid'${i === 9 ? ', nullable: true' : ''} })
  ${t.field}: string;

  @ManyToOne(() => ${t.Root}, { onDelete: 'CASCADE' })
  @JoinColumn({ name: '${t.column}' })
  ${t.root}: ${t.Root};

  @Column()
  title: string;

  @Column({ default: 'open' })
  status: string;

  @Column({ name: 'amount_cents', type: 'int', default: 0 })
  amountCents: number;

  @Column({ nullable: true })
  description: string | null;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ default: false })
  archived: boolean;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
`;
}

function typeormRoot(t) {
  return `import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('${t.rootTable}')
export class ${t.Root} {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column()
  name: string;

  @Column({ unique: true })
  slug: string;
}
`;
}

function sequelizeModel(t, e, i) {
  return `// Generated for tenant-lint's benchmark: a Sequelize model.
import { type CreationOptional, DataTypes, type InferAttributes, type InferCreationAttributes, Model } from 'sequelize';
import { sequelize } from '../db/sequelize';

export class ${e.Name} extends Model<InferAttributes<${e.Name}>, InferCreationAttributes<${e.Name}>> {
  declare id: CreationOptional<string>;
  declare ${t.field}: string;
  declare title: string;
  declare status: CreationOptional<string>;
  declare amountCents: CreationOptional<number>;
}

${e.Name}.init(
  {
    id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
    ${t.field}: { type: DataTypes.UUID, allowNull: ${i === 9}, field: '${t.column}', references: { model: '${t.rootTable}', key: 'id' } },
    title: { type: DataTypes.STRING, allowNull: false },
    status: { type: DataTypes.STRING, allowNull: false, defaultValue: 'open' },
    amountCents: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0, field: 'amount_cents' },
  },
  {
    sequelize,
    tableName: '${e.table}',
    underscored: true,
    indexes: [{ fields: [${i === 10 ? `'created_at'` : `'${t.column}', 'created_at'`}] }],
  },
);
`;
}

function sequelizeRoot(t) {
  return `import { DataTypes } from 'sequelize';
import { sequelize } from '../db/sequelize';

export const ${t.Root} = sequelize.define('${t.Root}', {
  id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
  name: { type: DataTypes.STRING, allowNull: false },
}, { tableName: '${t.rootTable}', underscored: true });
`;
}

function mongooseModel(t, e, i) {
  return `// Generated for tenant-lint's benchmark: a Mongoose model.
import { Schema, model } from 'mongoose';

const ${e.name}Schema = new Schema(
  {
    ${t.field}: { type: Schema.Types.ObjectId, ref: '${t.Root}'${i === 9 ? '' : ', required: true'} },
    title: { type: String, required: true },
    status: { type: String, default: 'open' },
    amountCents: { type: Number, default: 0 },
    description: String,
    dueAt: Date,
    archived: { type: Boolean, default: false },
  },
  { timestamps: true, collection: '${e.table}' },
);
${e.name}Schema.index(${i === 10 ? '{ createdAt: -1 }' : `{ ${t.field}: 1, createdAt: -1 }`});

export const ${e.Name} = model('${e.Name}', ${e.name}Schema);
`;
}

function mongooseRoot(t) {
  return `import { Schema, model } from 'mongoose';

const ${t.root}Schema = new Schema({ name: { type: String, required: true }, slug: { type: String, required: true, unique: true } }, { timestamps: true });

export const ${t.Root} = model('${t.Root}', ${t.root}Schema);
`;
}

function knexMigration(t, entities) {
  return `import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('${t.rootTable}', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    table.string('name').notNullable();
    table.timestamps(true, true);
  });
${entities
  .map(
    ({ e, i }) => `
  await knex.schema.createTable('${e.table}', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    table.uuid('${t.column}')${i === 9 ? '' : '.notNullable()'}.references('id').inTable('${t.rootTable}').onDelete('CASCADE');
    table.string('title').notNullable();
    table.string('status').notNullable().defaultTo('open');
    table.integer('amount_cents').notNullable().defaultTo(0);
    table.timestamps(true, true);
    table.index([${i === 10 ? `'created_at'` : `'${t.column}', 'created_at'`}]);
  });`,
  )
  .join('\n')}
}

export async function down(knex: Knex): Promise<void> {
${entities.map(({ e }) => `  await knex.schema.dropTable('${e.table}');`).join('\n')}
}
`;
}

function kyselyMigration(t, entities) {
  return `import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('${t.rootTable}')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql\`gen_random_uuid()\`))
    .addColumn('name', 'text', (col) => col.notNull())
    .execute();
${entities
  .map(
    ({ e, i }) => `
  await db.schema
    .createTable('${e.table}')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql\`gen_random_uuid()\`))
    .addColumn('${t.column}', 'uuid', (col) => col${i === 9 ? '' : '.notNull()'}.references('${t.rootTable}.id').onDelete('cascade'))
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('open'))
    .addColumn('amount_cents', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql\`now()\`))
    .execute();
  await db.schema.createIndex('${e.table}_idx').on('${e.table}').columns([${i === 10 ? `'created_at'` : `'${t.column}', 'created_at'`}]).execute();`,
  )
  .join('\n')}
}
`;
}

// ---------------------------------------------------------------------------------------------
// Clients: how each package reaches its database

/** The client module(s) of a package, and how repositories name the client. */
function clientFiles(orm, shape, t) {
  const files = [];
  const rec = { importLine: '', receiver: 'db', injected: false, ctx: false };
  switch (orm) {
    case 'prisma': {
      if (shape === 'global') {
        files.push([
          'src/lib/prisma.ts',
          `import { PrismaClient } from '@prisma/client';

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

export const prisma = globalForPrisma.prisma ?? new PrismaClient({ log: ['warn', 'error'] });

if (process.env.NODE_ENV !== 'production') globalForPrisma.prisma = prisma;

export default prisma;
`,
        ]);
        rec.importLine = `import prisma from '../lib/prisma';`;
        rec.receiver = 'prisma';
      } else if (shape === 'factory') {
        files.push([
          'src/lib/db.ts',
          `import { PrismaClient } from '@prisma/client';

let client: PrismaClient | undefined;

/** The process-wide client, created on first use. */
export function db(): PrismaClient {
  client ??= new PrismaClient();
  return client;
}
`,
        ]);
        rec.importLine = `import { db } from '../lib/db';`;
        rec.receiver = 'db()';
      } else if (shape === 'injection') {
        files.push([
          'src/prisma/prisma.service.ts',
          `import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PrismaClient } from '@prisma/client';

@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit {
  async onModuleInit() {
    await this.$connect();
  }
}
`,
        ]);
        rec.importLine = `import { PrismaService } from '../prisma/prisma.service';`;
        rec.receiver = 'this.prisma';
        rec.injected = 'private readonly prisma: PrismaService';
      } else if (shape === 'ctx') {
        files.push([
          'src/server/db.ts',
          `import { PrismaClient } from '@prisma/client';

export const db = new PrismaClient();
export type Db = typeof db;
`,
        ]);
        files.push([
          'src/server/context.ts',
          `import { db } from './db';

export async function createContext(opts: { req: { headers: Record<string, string | undefined> }; session: { user: { id: string; ${t.field}: string } } }) {
  return { db, session: opts.session, ${t.field}: opts.session.user.${t.field} };
}

export type Context = Awaited<ReturnType<typeof createContext>>;
`,
        ]);
        rec.importLine = `import type { Context } from '../server/context';`;
        rec.receiver = 'ctx.db';
        rec.ctx = true;
      } else {
        files.push(['src/lib/db.ts', `import { PrismaClient } from '@prisma/client';\n\nexport const db = new PrismaClient();\n`]);
        rec.importLine = `import { db } from '../lib/db';`;
      }
      break;
    }
    case 'drizzle': {
      const make = `drizzle(pool, { schema })`;
      if (shape === 'factory' || shape === 'ctx') {
        files.push([
          'src/db/index.ts',
          `import { drizzle } from 'drizzle-orm/node-postgres';
import { Pool } from 'pg';
import * as schema from './schema';

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const instance = ${make};

export const getDb = () => instance;
export type Database = typeof instance;
`,
        ]);
        rec.importLine = `import { getDb } from '../db';`;
        rec.receiver = 'getDb()';
      } else if (shape === 'injection') {
        files.push([
          'src/db/index.ts',
          `import { drizzle } from 'drizzle-orm/node-postgres';
import { Pool } from 'pg';
import * as schema from './schema';

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
export const db = ${make};
export type Database = typeof db;
`,
        ]);
        rec.importLine = `import { db as defaultDb, type Database } from '../db';`;
        rec.receiver = 'this.db';
        rec.injected = 'private readonly db: Database = defaultDb';
      } else {
        files.push([
          'src/db/index.ts',
          `import { drizzle } from 'drizzle-orm/node-postgres';
import { Pool } from 'pg';
import * as schema from './schema';

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
export const db = ${make};
`,
        ]);
        rec.importLine = `import { db } from '../db';`;
      }
      break;
    }
    case 'typeorm': {
      files.push([
        'src/data-source.ts',
        `import { DataSource } from 'typeorm';

export const dataSource = new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL,
  entities: [__dirname + '/**/*.entity.{ts,js}'],
  synchronize: false,
});
`,
      ]);
      rec.importLine = `import { dataSource } from '../data-source';`;
      rec.receiver = 'this.repo';
      rec.injected = true;
      break;
    }
    case 'sequelize': {
      files.push([
        'src/db/sequelize.ts',
        `import { Sequelize } from 'sequelize';

export const sequelize = new Sequelize(process.env.DATABASE_URL ?? 'postgres://localhost/app', { logging: false });
`,
      ]);
      rec.importLine = `import { sequelize } from '../db/sequelize';`;
      rec.receiver = 'sequelize';
      break;
    }
    case 'mongoose': {
      files.push([
        'src/db/connect.ts',
        `import mongoose from 'mongoose';

export async function connect() {
  await mongoose.connect(process.env.MONGODB_URI ?? 'mongodb://localhost:27017/app');
}
`,
      ]);
      break;
    }
    case 'knex': {
      files.push([
        'src/db.ts',
        `import knex from 'knex';

export const db = knex({ client: 'pg', connection: process.env.DATABASE_URL, pool: { min: 2, max: 10 } });
`,
      ]);
      if (shape === 'injection' || shape === 'ctx') {
        rec.importLine = `import type { Knex } from 'knex';`;
        rec.receiver = 'this.db';
        rec.injected = 'private readonly db: Knex';
      } else {
        rec.importLine = `import { db } from '../db';`;
      }
      break;
    }
    case 'kysely': {
      files.push([
        'src/db.ts',
        `import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './db-types';

export const db = new Kysely<DB>({
  dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 }) }),
});

export type Database = Kysely<DB>;
export type Tx = Transaction<DB>;
`,
      ]);
      files.push([
        'src/db-types.ts',
        `import type { ColumnType, Generated } from 'kysely';

${ENTITIES.map(
  (e) => `export interface ${plural(e.Name)} {
  id: Generated<string>;
  ${t.column}: string;
  title: string;
  status: ColumnType<string, string | undefined, string>;
  amount_cents: ColumnType<number, number | undefined, number>;
}
`,
).join('\n')}
export interface DB {
${ENTITIES.map((e) => `  ${e.table}: ${plural(e.Name)};`).join('\n')}
}
`,
      ]);
      if (shape === 'injection' || shape === 'ctx') {
        rec.importLine = `import type { Database } from '../db';`;
        rec.receiver = 'this.db';
        rec.injected = 'private readonly db: Database';
      } else {
        rec.importLine = `import { db } from '../db';`;
      }
      break;
    }
    case 'sql': {
      if (shape === 'factory' || shape === 'global') {
        files.push([
          'src/db.ts',
          `import postgres from 'postgres';

export const sql = postgres(process.env.DATABASE_URL ?? '', { max: 10 });
`,
        ]);
        rec.importLine = `import { sql } from '../db';`;
        rec.receiver = 'sql';
        rec.tagged = true;
      } else {
        files.push([
          'src/db.ts',
          `import { Pool } from 'pg';

export const pool = new Pool({ connectionString: process.env.DATABASE_URL });
`,
        ]);
        rec.importLine = `import { pool } from '../db';`;
        rec.receiver = 'pool';
      }
      break;
    }
  }
  return { files, rec };
}

// ---------------------------------------------------------------------------------------------
// Repositories: the query shapes per data layer. `leak` drops the tenant from one query.

function repository(orm, rec, t, e, suffix, leak) {
  const Cls = `${e.Name}${suffix}Repository`;
  const F = t.field;
  const C = t.column;
  const r = rec.receiver;
  const ctor = rec.injected ? `  constructor(${typeof rec.injected === 'string' ? rec.injected : ''}) {}\n\n` : '';
  const ctxParam = rec.ctx ? 'ctx: Context, ' : '';
  let body;
  switch (orm) {
    case 'prisma':
      body = `  async list(${ctxParam}${F}: string, status?: string) {
    return ${r}.${e.name}.findMany({ where: { ${F}, ...(status ? { status } : {}) }, orderBy: { createdAt: 'desc' }, take: 50 });
  }

  async get(${ctxParam}${F}: string, id: string) {
    return ${r}.${e.name}.findFirst({ where: { id, ${F} } });
  }

  async byId(${ctxParam}id: string) {
    return ${r}.${e.name}.findUnique({ where: { id${leak ? '' : `, ${F}: undefined as unknown as string`} } });
  }

  async rename(${ctxParam}${F}: string, id: string, title: string) {
    return ${r}.${e.name}.updateMany({ where: { id, ${F} }, data: { title } });
  }

  async remove(${ctxParam}${F}: string, id: string) {
    return ${r}.${e.name}.deleteMany({ where: { AND: [{ id }, { ${F} }] } });
  }

  async totals(${ctxParam}${F}: string) {
    return ${r}.$queryRaw\`SELECT status, sum(amount_cents) AS total FROM ${e.table} WHERE ${C} = \${${F}} GROUP BY status\`;
  }
`;
      break;
    case 'drizzle': {
      const tb = plural(e.name);
      body = `  async list(${F}: string) {
    return ${r}.select().from(${tb}).where(eq(${tb}.${F}, ${F})).orderBy(desc(${tb}.createdAt)).limit(50);
  }

  async get(${F}: string, id: string) {
    return ${r}.query.${tb}.findFirst({ where: and(eq(${tb}.id, id), eq(${tb}.${F}, ${F})) });
  }

  async byId(id: string) {
    return ${r}.select().from(${tb}).where(${leak ? `eq(${tb}.id, id)` : `and(eq(${tb}.id, id), isNotNull(${tb}.${F}))`});
  }

  async rename(${F}: string, id: string, title: string) {
    return ${r}.update(${tb}).set({ title }).where(and(eq(${tb}.id, id), eq(${tb}.${F}, ${F}))).returning();
  }

  async remove(${F}: string, id: string) {
    return ${r}.delete(${tb}).where(and(eq(${tb}.id, id), eq(${tb}.${F}, ${F})));
  }
`;
      break;
    }
    case 'typeorm':
      body = `  async list(${F}: string) {
    return this.repo.find({ where: { ${F} }, order: { createdAt: 'DESC' }, take: 50 });
  }

  async get(${F}: string, id: string) {
    return this.repo.findOneBy({ id, ${F} });
  }

  async byId(id: string) {
    return this.repo.findOne({ where: { id${leak ? '' : `, ${F}: Not(IsNull())`} } });
  }

  async rename(${F}: string, id: string, title: string) {
    return this.repo.update({ id, ${F} }, { title });
  }

  async search(${F}: string, q: string) {
    return this.repo
      .createQueryBuilder('x')
      .where('x.${F} = :${F}', { ${F} })
      .andWhere('x.title ILIKE :q', { q: \`%\${q}%\` })
      .getMany();
  }

  async remove(${F}: string, id: string) {
    return dataSource.transaction(async (manager) => manager.delete(${e.Name}, { id, ${F} }));
  }
`;
      break;
    case 'sequelize':
      body = `  async list(${F}: string) {
    return ${e.Name}.findAll({ where: { ${F} }, order: [['createdAt', 'DESC']], limit: 50 });
  }

  async get(${F}: string, id: string) {
    return ${e.Name}.findOne({ where: { id, ${F} } });
  }

  async byId(id: string) {
    return ${leak ? `${e.Name}.findByPk(id)` : `${e.Name}.findOne({ where: { id, ${F}: { [Op.ne]: null } } })`};
  }

  async rename(${F}: string, id: string, title: string) {
    return ${e.Name}.update({ title }, { where: { id, ${F} } });
  }

  async totals(${F}: string) {
    return ${r}.query('SELECT status, sum(amount_cents) AS total FROM ${e.table} WHERE ${C} = :${F} GROUP BY status', { replacements: { ${F} } });
  }

  async remove(${F}: string, id: string) {
    return ${e.Name}.destroy({ where: { id, ${F} } });
  }
`;
      break;
    case 'mongoose':
      body = `  async list(${F}: string) {
    return ${e.Name}.find({ ${F}, archived: false }).sort({ createdAt: -1 }).limit(50).lean();
  }

  async get(${F}: string, id: string) {
    return ${e.Name}.findOne({ _id: id, ${F} }).lean();
  }

  async byId(id: string) {
    return ${leak ? `${e.Name}.findById(id).lean()` : `${e.Name}.findOne({ _id: id, ${F}: { $exists: true } }).lean()`};
  }

  async rename(${F}: string, id: string, title: string) {
    return ${e.Name}.findOneAndUpdate({ _id: id, ${F} }, { $set: { title } }, { new: true });
  }

  async totals(${F}: string) {
    return ${e.Name}.aggregate([{ $match: { ${F} } }, { $group: { _id: '$status', total: { $sum: '$amountCents' } } }]);
  }

  async remove(${F}: string, id: string) {
    return ${e.Name}.deleteOne({ _id: id, ${F} });
  }
`;
      break;
    case 'knex':
      body = `  async list(${F}: string) {
    return ${r}('${e.table}').where({ ${C}: ${F} }).orderBy('created_at', 'desc').limit(50);
  }

  async get(${F}: string, id: string) {
    return ${r}('${e.table}').where({ id, ${C}: ${F} }).first();
  }

  async byId(id: string) {
    return ${r}('${e.table}').where(${leak ? `'id', id` : `{ id }).whereNotNull('${C}'`}).first();
  }

  async rename(${F}: string, id: string, title: string) {
    return ${r}('${e.table}').where({ id, ${C}: ${F} }).update({ title });
  }

  async search(${F}: string, q: string) {
    return ${r}('${e.table}')
      .where({ ${C}: ${F} })
      .where(function () {
        this.where('title', 'ilike', \`%\${q}%\`).orWhere('status', q);
      });
  }

  async totals(${F}: string) {
    return ${r}.raw('SELECT status, sum(amount_cents) AS total FROM ${e.table} WHERE ${C} = ? GROUP BY status', [${F}]);
  }
`;
      break;
    case 'kysely':
      body = `  async list(${F}: string) {
    return ${r}.selectFrom('${e.table}').selectAll().where('${C}', '=', ${F}).orderBy('created_at', 'desc').limit(50).execute();
  }

  async get(${F}: string, id: string) {
    return ${r}.selectFrom('${e.table}').selectAll().where('id', '=', id).where('${C}', '=', ${F}).executeTakeFirst();
  }

  async byId(id: string) {
    return ${r}.selectFrom('${e.table}').selectAll().where('id', '=', id)${leak ? '' : `.where('${C}', 'is not', null)`}.executeTakeFirst();
  }

  async rename(${F}: string, id: string, title: string) {
    return ${r}.updateTable('${e.table}').set({ title }).where('id', '=', id).where('${C}', '=', ${F}).execute();
  }

  async remove(${F}: string, id: string) {
    return ${r}.deleteFrom('${e.table}').where('id', '=', id).where('${C}', '=', ${F}).execute();
  }
`;
      break;
    case 'sql':
      body = rec.tagged
        ? `  async list(${F}: string) {
    return ${r}\`SELECT * FROM ${e.table} WHERE ${C} = \${${F}} ORDER BY created_at DESC LIMIT 50\`;
  }

  async get(${F}: string, id: string) {
    const [row] = await ${r}\`SELECT * FROM ${e.table} WHERE id = \${id} AND ${C} = \${${F}}\`;
    return row;
  }

  async byId(id: string) {
    const [row] = await ${r}\`SELECT * FROM ${e.table} WHERE id = \${id}${leak ? '' : ` AND ${C} IS NOT NULL`}\`;
    return row;
  }

  async rename(${F}: string, id: string, title: string) {
    return ${r}\`UPDATE ${e.table} SET title = \${title} WHERE id = \${id} AND ${C} = \${${F}}\`;
  }
`
        : `  async list(${F}: string) {
    const { rows } = await ${r}.query('SELECT * FROM ${e.table} WHERE ${C} = $1 ORDER BY created_at DESC LIMIT 50', [${F}]);
    return rows;
  }

  async get(${F}: string, id: string) {
    const { rows } = await ${r}.query(
      \`SELECT t.*, o.name AS ${t.root}_name
         FROM ${e.table} t
         JOIN ${t.rootTable} o ON o.id = t.${C}
        WHERE t.id = $1 AND t.${C} = $2\`,
      [id, ${F}],
    );
    return rows[0];
  }

  async byId(id: string) {
    const { rows } = await ${r}.query('SELECT * FROM ${e.table} WHERE id = $1${leak ? '' : ` AND ${C} IS NOT NULL`}', [id]);
    return rows[0];
  }

  async rename(${F}: string, id: string, title: string) {
    await ${r}.query('UPDATE ${e.table} SET title = $1 WHERE id = $2 AND ${C} = $3', [title, id, ${F}]);
  }
`;
      break;
  }
  const imports = [];
  if (rec.importLine) imports.push(rec.importLine);
  if (orm === 'drizzle') imports.push(`import { and, desc, eq, isNotNull } from 'drizzle-orm';`, `import { ${plural(e.name)} } from '../db/schema';`);
  if (orm === 'typeorm') imports.push(`import { IsNull, Not, Repository } from 'typeorm';`, `import { ${e.Name} } from './${e.kebab}.entity';`);
  if (orm === 'sequelize') imports.push(`import { Op } from 'sequelize';`, `import { ${e.Name} } from '../models/${e.kebab}';`);
  if (orm === 'mongoose') imports.push(`import { ${e.Name} } from '../models/${e.kebab}';`);
  let ctorText = ctor;
  if (orm === 'typeorm') {
    ctorText = `  private readonly repo: Repository<${e.Name}>;

  constructor() {
    this.repo = dataSource.getRepository(${e.Name});
  }

`;
  }
  return `// ${e.Name} persistence${suffix ? ` (${suffix})` : ''}: generated for tenant-lint's benchmark.
${imports.join('\n')}

export class ${Cls} {
${ctorText}${body}}

export const ${lowerFirst(Cls)} = new ${Cls}(${rec.injected && typeof rec.injected === 'string' && !rec.injected.includes('=') && orm !== 'typeorm' ? (orm === 'knex' || orm === 'kysely' ? 'undefined as never' : 'undefined as never') : ''});
`;
}

// Services: business logic over a repository, a cache read-through, a tenant id from the request.
function service(orm, rec, t, e, suffix, cache, leakCache) {
  const F = t.field;
  const repo = `${lowerFirst(e.Name)}${suffix}Repository`;
  const ctxArg = rec.ctx ? 'ctx, ' : '';
  const ctxParam = rec.ctx ? 'ctx: Context, ' : '';
  const cacheImport =
    cache === 'redis' ? `import { redis } from '../lib/redis';` : cache === 'lru' ? `import { LRUCache } from 'lru-cache';` : '';
  const lru = cache === 'lru' ? `\nconst memo = new LRUCache<string, unknown>({ max: 500, ttl: 60_000 });\n` : '';
  const key = leakCache ? `\`${e.kebab}:\${id}\`` : `\`${t.root}:\${${F}}:${e.kebab}:\${id}\``;
  const cached =
    cache === 'redis'
      ? `  const hit = await redis.get(${key});
  if (hit) return JSON.parse(hit) as Awaited<ReturnType<typeof ${repo}.get>>;
  const row = await ${repo}.get(${ctxArg}${F}, id);
  if (row) await redis.set(${key}, JSON.stringify(row), 'EX', 300);
  return row;`
      : cache === 'lru'
        ? `  const key = ${key};
  if (memo.has(key)) return memo.get(key) as Awaited<ReturnType<typeof ${repo}.get>>;
  const row = await ${repo}.get(${ctxArg}${F}, id);
  memo.set(key, row);
  return row;`
        : `  return ${repo}.get(${ctxArg}${F}, id);`;
  return `// ${e.Name} business rules${suffix ? ` (${suffix})` : ''}: generated for tenant-lint's benchmark.
${rec.ctx ? rec.importLine + '\n' : ''}${cacheImport}
import { ${repo} } from './${e.kebab}${suffix ? `-${suffix}` : ''}.repository';
import { assertCan, type Actor } from '../lib/permissions';
import { ${e.name}Input, type ${e.Name}Input } from './${e.kebab}${suffix ? `-${suffix}` : ''}.types';
${lru}
export async function list${e.Name}s${suffix}(${ctxParam}actor: Actor, status?: string) {
  assertCan(actor, 'read', '${e.name}');
  const rows = await ${repo}.list(${ctxArg}actor.${F}${orm === 'prisma' ? ', status' : ''});
  return rows.map((row: Record<string, unknown>) => ({ ...row, label: String(row.title ?? '').trim() }));
}

export async function get${e.Name}${suffix}(${ctxParam}${F}: string, id: string) {
${cached}
}

export async function rename${e.Name}${suffix}(${ctxParam}actor: Actor, id: string, body: unknown) {
  assertCan(actor, 'write', '${e.name}');
  const input: ${e.Name}Input = ${e.name}Input.parse(body);
  return ${repo}.rename(${ctxArg}actor.${F}, id, input.title);
}
`;
}

function types(e, suffix) {
  return `// ${e.Name} input validation: generated for tenant-lint's benchmark.
import { z } from 'zod';

export const ${e.name}Input = z.object({
${FIELDS.map(([f, ty]) => `  ${f}: z.${ty === 'Date' ? 'coerce.date()' : ty}()${f === 'title' ? '.min(1).max(200)' : '.optional()'},`).join('\n')}
});

export type ${e.Name}Input = z.infer<typeof ${e.name}Input>;

export interface ${e.Name}${suffix}View {
  id: string;
${FIELDS.map(([f, ty]) => `  ${f}${f === 'title' ? '' : '?'}: ${ty};`).join('\n')}
}

export const ${e.name}${suffix}Columns = [${FIELDS.map(([f]) => `'${f}'`).join(', ')}] as const;
`;
}

// Handlers: one web framework per data layer, as real stacks pair them.
function handler(orm, rec, t, e, suffix, clientTenant) {
  const F = t.field;
  const svc = `../${e.kebab}/${e.kebab}${suffix ? `-${suffix}` : ''}.service`;
  const names = `list${e.Name}s${suffix}, get${e.Name}${suffix}, rename${e.Name}${suffix}`;
  const path = `/${plural(e.kebab)}${suffix ? `-${suffix}` : ''}`;
  if (rec.ctx) {
    return `// tRPC router for ${e.name}: generated for tenant-lint's benchmark.
import { z } from 'zod';
import { protectedProcedure, router } from '../server/trpc';
import { ${names} } from '${svc}';

export const ${e.name}${suffix}Router = router({
  list: protectedProcedure.input(z.object({ status: z.string().optional() })).query(({ ctx, input }) =>
    list${e.Name}s${suffix}(ctx, { id: ctx.session.user.id, ${F}: ctx.${F}, role: 'member' }, input.status),
  ),
  get: protectedProcedure.input(z.object({ id: z.string() })).query(({ ctx, input }) => get${e.Name}${suffix}(ctx, ctx.${F}, input.id)),
  rename: protectedProcedure
    .input(z.object({ id: z.string(), title: z.string() }))
    .mutation(({ ctx, input }) => rename${e.Name}${suffix}(ctx, { id: ctx.session.user.id, ${F}: ${clientTenant ? `(input as { ${F}?: string }).${F} ?? ctx.${F}` : `ctx.${F}`}, role: 'member' }, input.id, input)),
});
`;
  }
  if (orm === 'typeorm' || rec.injected === 'private readonly prisma: PrismaService') {
    return `// Nest controller for ${e.name}: generated for tenant-lint's benchmark.
import { Body, Controller, Get, Headers, Param, Patch, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ${names} } from '${svc}';

type AuthedRequest = Request & { user: { id: string; ${F}: string; role: 'member' | 'admin' } };

@Controller('${path.slice(1)}')
export class ${e.Name}${suffix}Controller {
  @Get()
  list(@Req() req: AuthedRequest) {
    return list${e.Name}s${suffix}(req.user);
  }

  @Get(':id')
  get(@Req() req: AuthedRequest, @Param('id') id: string${clientTenant ? `, @Headers('x-${t.root}-id') ${F}: string` : ''}) {
    return get${e.Name}${suffix}(${clientTenant ? F : `req.user.${F}`}, id);
  }

  @Patch(':id')
  rename(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown) {
    return rename${e.Name}${suffix}(req.user, id, body);
  }
}
`;
  }
  if (orm === 'drizzle' || orm === 'kysely') {
    return `// Hono routes for ${e.name}: generated for tenant-lint's benchmark.
import { Hono } from 'hono';
import type { AppEnv } from '../lib/env';
import { ${names} } from '${svc}';

export const ${e.name}${suffix}Routes = new Hono<AppEnv>();

${e.name}${suffix}Routes.get('/', async (c) => c.json(await list${e.Name}s${suffix}(c.get('actor'), c.req.query('status'))));

${e.name}${suffix}Routes.get('/:id', async (c) => {
  const ${F} = ${clientTenant ? `c.req.header('x-${t.root}-id') ?? ''` : `c.get('actor').${F}`};
  const row = await get${e.Name}${suffix}(${F}, c.req.param('id'));
  return row ? c.json(row) : c.json({ error: 'not found' }, 404);
});

${e.name}${suffix}Routes.patch('/:id', async (c) => c.json(await rename${e.Name}${suffix}(c.get('actor'), c.req.param('id'), await c.req.json())));
`;
  }
  if (orm === 'mongoose') {
    return `// Koa routes for ${e.name}: generated for tenant-lint's benchmark.
import Router from '@koa/router';
import { ${names} } from '${svc}';

export const ${e.name}${suffix}Router = new Router({ prefix: '${path}' });

${e.name}${suffix}Router.get('/', async (ctx) => {
  ctx.body = await list${e.Name}s${suffix}(ctx.state.actor);
});

${e.name}${suffix}Router.get('/:id', async (ctx) => {
  const ${F} = ${clientTenant ? `String(ctx.query.${F})` : `ctx.state.actor.${F}`};
  ctx.body = await get${e.Name}${suffix}(${F}, ctx.params.id);
  if (!ctx.body) ctx.throw(404);
});

${e.name}${suffix}Router.patch('/:id', async (ctx) => {
  ctx.body = await rename${e.Name}${suffix}(ctx.state.actor, ctx.params.id, ctx.request.body);
});
`;
  }
  if (orm === 'knex') {
    return `// Fastify routes for ${e.name}: generated for tenant-lint's benchmark.
import type { FastifyInstance } from 'fastify';
import { ${names} } from '${svc}';

export async function ${e.name}${suffix}Routes(app: FastifyInstance) {
  app.get('${path}', async (request) => list${e.Name}s${suffix}(request.actor));

  app.get<{ Params: { id: string } }>('${path}/:id', async (request, reply) => {
    const ${F} = ${clientTenant ? `(request.query as { ${F}: string }).${F}` : `request.actor.${F}`};
    const row = await get${e.Name}${suffix}(${F}, request.params.id);
    return row ?? reply.code(404).send();
  });

  app.patch<{ Params: { id: string } }>('${path}/:id', async (request) => rename${e.Name}${suffix}(request.actor, request.params.id, request.body));
}
`;
  }
  return `// Express routes for ${e.name}: generated for tenant-lint's benchmark.
import { Router } from 'express';
import { ${names} } from '${svc}';

export const ${e.name}${suffix}Router = Router();

${e.name}${suffix}Router.get('/', async (req, res) => {
  res.json(await list${e.Name}s${suffix}(req.user));
});

${e.name}${suffix}Router.get('/:id', async (req, res) => {
  const ${F} = ${clientTenant ? `req.headers['x-${t.root}-id'] as string` : `req.user.${F}`};
  const row = await get${e.Name}${suffix}(${F}, req.params.id);
  if (!row) return res.status(404).end();
  res.json(row);
});

${e.name}${suffix}Router.patch('/:id', async (req, res, next) => {
  try {
    res.json(await rename${e.Name}${suffix}(req.user, req.params.id, req.body));
  } catch (error) {
    next(error);
  }
});
`;
}

function component(e, suffix, rand) {
  const cols = FIELDS.slice(0, 3 + Math.floor(rand() * 3));
  return `// ${e.Name} table view: generated for tenant-lint's benchmark.
'use client';
import { useMemo, useState } from 'react';
import type { ${e.Name}${suffix}View } from '../${e.kebab}/${e.kebab}${suffix ? `-${suffix}` : ''}.types';

interface Props {
  rows: ${e.Name}${suffix}View[];
  onSelect?: (id: string) => void;
}

export function ${e.Name}${suffix}Table({ rows, onSelect }: Props) {
  const [sort, setSort] = useState<keyof ${e.Name}${suffix}View>('title');
  const [query, setQuery] = useState('');
  const visible = useMemo(
    () =>
      rows
        .filter((row) => String(row.title).toLowerCase().includes(query.toLowerCase()))
        .sort((a, b) => String(a[sort] ?? '').localeCompare(String(b[sort] ?? ''))),
    [rows, sort, query],
  );
  return (
    <div className="${e.kebab}-table">
      <input value={query} onChange={(event) => setQuery(event.target.value)} placeholder="Filter ${plural(e.name)}" />
      <table>
        <thead>
          <tr>
${cols.map(([f]) => `            <th onClick={() => setSort('${f}')}>${f}</th>`).join('\n')}
          </tr>
        </thead>
        <tbody>
          {visible.map((row) => (
            <tr key={row.id} onClick={() => onSelect?.(row.id)}>
${cols.map(([f, ty]) => `              <td>{${ty === 'Date' ? `row.${f}?.toISOString()` : `String(row.${f} ?? '')`}}</td>`).join('\n')}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
`;
}

function util(n, rand) {
  const k = 2 + Math.floor(rand() * 4);
  return `// Small helpers (${n}): generated for tenant-lint's benchmark.
${Array.from(
  { length: k },
  (_, i) => `
export function format${n}x${i}(value: number, currency = 'EUR'): string {
  const amount = value / 100;
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(amount);
}

export const clamp${n}x${i} = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

export function chunk${n}x${i}<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}`,
).join('\n')}
`;
}

function testFile(e, suffix) {
  return `import { describe, expect, it } from 'vitest';
import { ${e.name}Input } from './${e.kebab}${suffix ? `-${suffix}` : ''}.types';

describe('${e.name}Input', () => {
  it('accepts a title', () => {
    expect(${e.name}Input.parse({ title: 'x' }).title).toBe('x');
  });
  it('rejects an empty title', () => {
    expect(() => ${e.name}Input.parse({ title: '' })).toThrow();
  });
});
`;
}

/** A large generated file: a long switch-heavy module like real i18n tables or generated SDKs. */
function largeFile(n, lines) {
  const out = [`// A large module (${n}): generated for tenant-lint's benchmark.`, `export type Key${n} = string;`, ''];
  let i = 0;
  while (out.length < lines) {
    out.push(`export function handler${n}x${i}(input: { kind: string; value: number; note?: string }): string {`);
    out.push(`  switch (input.kind) {`);
    for (let c = 0; c < 6; c++) out.push(`    case 'k${c}': return \`${c}:\${input.value * ${c + 1}}:\${input.note ?? ''}\`;`);
    out.push(`    default: return String(input.value);`, `  }`, `}`, '');
    out.push(`export const messages${n}x${i} = { title: 'Title ${i}', body: 'Body text ${i} with some words', cta: 'Continue' } as const;`, '');
    i++;
  }
  return out.join('\n') + '\n';
}

function packageShared(w, base, orm, rec, t) {
  w.source(
    `${base}/src/lib/permissions.ts`,
    `export interface Actor {
  id: string;
  ${t.field}: string;
  role: 'member' | 'admin';
}

export function assertCan(actor: Actor, action: 'read' | 'write', subject: string): void {
  if (action === 'write' && actor.role !== 'admin' && subject === 'apiKey') throw new Error('forbidden');
}
`,
  );
  w.source(
    `${base}/src/lib/redis.ts`,
    `import Redis from 'ioredis';

export const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379', { keyPrefix: 'app:' });
`,
  );
  if (orm === 'drizzle' || orm === 'kysely') {
    w.source(`${base}/src/lib/env.ts`, `import type { Actor } from './permissions';\n\nexport type AppEnv = { Variables: { actor: Actor } };\n`);
  }
  if (rec.ctx) {
    w.source(
      `${base}/src/server/trpc.ts`,
      `import { initTRPC, TRPCError } from '@trpc/server';
import type { Context } from './context';

const t = initTRPC.context<Context>().create();

export const router = t.router;
export const protectedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.session?.user) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next({ ctx });
});
`,
    );
  }
}

/**
 * Writes the corpus and returns a description (counts, no timing). `files` is the exact number of
 * TypeScript/TSX sources written; schemas, migrations and manifests come on top.
 */
export function generateCorpus(root, files = 10_000) {
  const w = new Writer(root, files);
  const rand = rng(0x7e4a17 ^ files);
  // Every data layer at any size: at least one package per ORM, about 250 sources per package.
  const packages = Math.max(ORMS.length, Math.round(files / 250));
  const perPackage = Math.ceil(files / packages);
  w.raw('package.json', JSON.stringify({ name: 'bench-monorepo', private: true, workspaces: ['packages/*'] }, null, 2) + '\n');
  const summary = { files, packages, orms: {}, shapes: {}, large: 0, sqlMigrations: 0, prismaSchemas: 0 };
  for (let p = 0; p < packages; p++) {
    const orm = ORMS[p % ORMS.length];
    const shape = SHAPES[(p + Math.floor(p / ORMS.length)) % SHAPES.length];
    const t = TENANTS[p % TENANTS.length];
    const base = `packages/${orm}-${shape}-${p}`;
    summary.orms[orm] = (summary.orms[orm] ?? 0) + 1;
    summary.shapes[shape] = (summary.shapes[shape] ?? 0) + 1;
    // The last package takes the remainder.
    const budget = p === packages - 1 ? files - w.sources : Math.min(perPackage, files - w.sources);
    const stop = w.sources + budget;
    w.raw(`${base}/package.json`, JSON.stringify({ name: `@bench/${orm}-${p}`, private: true, type: 'module' }, null, 2) + '\n');
    w.raw(`${base}/tsconfig.json`, JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', experimentalDecorators: true, jsx: 'react-jsx' }, include: ['src'] }, null, 2) + '\n');
    const { files: clients, rec } = clientFiles(orm, shape, t);
    const entityList = ENTITIES.map((e, i) => ({ e, i }));
    // Schema sources
    if (orm === 'prisma') {
      w.raw(`${base}/prisma/schema.prisma`, prismaSchema(t));
      summary.prismaSchemas += 1;
    } else if (orm === 'drizzle') {
      w.source(`${base}/src/db/schema.ts`, drizzleSchema(t));
      for (const [name, text] of sqlMigrations(t, 'drizzle-kit generated')) {
        w.raw(`${base}/drizzle/${name}`, text);
        summary.sqlMigrations += 1;
      }
    } else if (orm === 'typeorm') {
      w.source(`${base}/src/${t.root}/${t.root}.entity.ts`, typeormRoot(t));
      for (const { e, i } of entityList) w.source(`${base}/src/${e.kebab}/${e.kebab}.entity.ts`, typeormEntity(t, e, i));
    } else if (orm === 'sequelize') {
      w.source(`${base}/src/models/${t.root}.ts`, sequelizeRoot(t));
      for (const { e, i } of entityList) w.source(`${base}/src/models/${e.kebab}.ts`, sequelizeModel(t, e, i));
    } else if (orm === 'mongoose') {
      w.source(`${base}/src/models/${t.root}.ts`, mongooseRoot(t));
      for (const { e, i } of entityList) w.source(`${base}/src/models/${e.kebab}.ts`, mongooseModel(t, e, i));
    } else if (orm === 'knex') {
      w.source(`${base}/migrations/20240301090000_init.ts`, knexMigration(t, entityList.slice(0, 6)));
      w.source(`${base}/migrations/20240415120000_more.ts`, knexMigration({ ...t, rootTable: `${t.rootTable}_v2` }, entityList.slice(6)));
    } else if (orm === 'kysely') {
      w.source(`${base}/src/migrations/2024_06_01_initial.ts`, kyselyMigration(t, entityList));
    } else if (orm === 'sql') {
      for (const [name, text] of sqlMigrations(t, 'plain SQL migrations')) {
        w.raw(`${base}/migrations/${name}`, text);
        summary.sqlMigrations += 1;
      }
    }
    for (const [path, text] of clients) w.source(`${base}/${path}`, text);
    packageShared(w, base, orm, rec, t);
    // Domain modules until the package's budget is spent: ~35 % data access, the rest ordinary code.
    let m = 0;
    while (w.sources < stop) {
      const e = ENTITIES[m % ENTITIES.length];
      const round = Math.floor(m / ENTITIES.length);
      const suffix = round === 0 ? '' : `V${round}`;
      const dir = `${base}/src/${e.kebab}`;
      const stem = `${e.kebab}${suffix ? `-${suffix}` : ''}`;
      const leak = rand() < 0.15;
      const cache = rand() < 0.25 ? 'redis' : rand() < 0.15 ? 'lru' : 'none';
      const group = [
        [`${dir}/${stem}.types.ts`, () => types(e, suffix)],
        [`${dir}/${stem}.repository.ts`, () => repository(orm, rec, t, e, suffix, leak)],
        [`${dir}/${stem}.service.ts`, () => service(orm, rec, t, e, suffix, cache, cache !== 'none' && rand() < 0.2)],
        [`${base}/src/routes/${stem}.ts`, () => handler(orm, rec, t, e, suffix, rand() < 0.05)],
        [`${base}/src/components/${e.Name}${suffix}Table.tsx`, () => component(e, suffix, rand)],
        [`${base}/src/utils/${stem}-format.ts`, () => util(`${e.Name}${suffix}`, rand)],
        [`${dir}/${stem}.test.ts`, () => testFile(e, suffix)],
      ];
      for (const [path, make] of group) if (w.sources < stop) w.source(path, make());
      // A few large files: one per ~1,000 sources.
      if (w.sources < stop && (w.sources % 1000) < 7 && w.sources > 7) {
        w.source(`${base}/src/generated/large-${w.sources}.ts`, largeFile(`L${w.sources}`, 2500 + Math.floor(rand() * 2500)));
        summary.large += 1;
      }
      m += 1;
    }
  }
  summary.sources = w.sources;
  summary.bytes = w.bytes;
  return summary;
}
