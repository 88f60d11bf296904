/**
 * The data layers of the parity matrix, each written once: a project (schema, client) whose tenant
 * root is `organizations` (key `orgId`, column `org_id`) and whose tenant table is `invoices`, and
 * the same two tenant positions in the layer's own syntax: a filter on the tenant key and a write
 * of it. Handlers live two folders below `src/` (`src/h/<cell>/`), so `../../db` is the db module.
 */

export type LayerName = 'prisma' | 'drizzle' | 'knex' | 'kysely' | 'sequelize' | 'typeorm' | 'mongoose' | 'mikroorm' | 'supabase' | 'sql' | 'sql-template';

export interface DataLayer {
  name: LayerName;
  /** Files of the project besides the handlers: package.json, the schema, the client. */
  files: Record<string, string>;
  /** Import lines a handler needs. */
  imports: string;
  /** A read that filters on the tenant key by `value`. */
  filter(value: string): string;
  /** A write that sets the row's tenant key to `value`. */
  write(value: string): string;
  /**
   * Where the layer filters with an object: a read that filters on the tenant key by `value` and
   * on the row's user by `user` (a membership-style lookup that returns only that user's rows).
   */
  pinned?(value: string, user: string): string;
}

const packageJson = (dependencies: Record<string, string>) => `${JSON.stringify({ name: 'parity', private: true, dependencies }, null, 2)}\n`;

/** Every framework a source uses, so that each project can hold every source. */
const FRAMEWORKS = { express: '^5.1.0', fastify: '^5.2.0', hono: '^4.7.0', next: '^15.3.0', 'next-auth': '^4.24.0', '@nestjs/common': '^11.1.0' };

const SQL_SCHEMA = `CREATE TABLE organizations (
  id uuid PRIMARY KEY,
  name text NOT NULL
);

CREATE TABLE invoices (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  number integer NOT NULL
);

CREATE INDEX invoices_org_id_idx ON invoices (org_id, id);
`;

export const LAYERS: DataLayer[] = [
  {
    name: 'prisma',
    files: {
      'package.json': packageJson({ ...FRAMEWORKS, '@prisma/client': '^6.8.0' }),
      'prisma/schema.prisma': `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id       String    @id
  invoices Invoice[]
}

model Invoice {
  id     String       @id
  orgId  String
  number Int
  org    Organization @relation(fields: [orgId], references: [id])

  @@index([orgId, id])
}
`,
      'src/db/index.ts': `import { PrismaClient } from '@prisma/client';\n\nexport const prisma = new PrismaClient();\n`,
    },
    imports: `import { prisma } from '../../db';`,
    filter: (value) => `await prisma.invoice.findMany({ where: { orgId: ${value} } });`,
    pinned: (value, user) => `await prisma.invoice.findMany({ where: { orgId: ${value}, userId: ${user} } });`,
    write: (value) => `await prisma.invoice.create({ data: { id: crypto.randomUUID(), orgId: ${value}, number: 1 } });`,
  },
  {
    name: 'drizzle',
    files: {
      'package.json': packageJson({ ...FRAMEWORKS, 'drizzle-orm': '^0.43.0', pg: '^8.16.0' }),
      'src/db/schema.ts': `import { index, integer, pgTable, uuid } from 'drizzle-orm/pg-core';

export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey(),
});

export const invoices = pgTable(
  'invoices',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    number: integer('number').notNull(),
  },
  (t) => [index('invoices_org_id_idx').on(t.orgId, t.id)],
);
`,
      'src/db/index.ts': `import { drizzle } from 'drizzle-orm/node-postgres';\nimport * as schema from './schema';\n\nexport const db = drizzle(process.env.DATABASE_URL ?? '', { schema });\n`,
    },
    imports: `import { eq } from 'drizzle-orm';\nimport { db } from '../../db';\nimport { invoices } from '../../db/schema';`,
    filter: (value) => `await db.select().from(invoices).where(eq(invoices.orgId, ${value}));`,
    write: (value) => `await db.insert(invoices).values({ id: crypto.randomUUID(), orgId: ${value}, number: 1 });`,
  },
  {
    name: 'knex',
    files: {
      'package.json': packageJson({ ...FRAMEWORKS, knex: '^3.1.0', pg: '^8.16.0' }),
      'db/migrations/001_init.sql': SQL_SCHEMA,
      'src/db/index.ts': `import knex from 'knex';\n\nexport const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });\n`,
    },
    imports: `import { db } from '../../db';`,
    filter: (value) => `await db('invoices').where({ org_id: ${value} });`,
    pinned: (value, user) => `await db('invoices').where({ org_id: ${value}, user_id: ${user} });`,
    write: (value) => `await db('invoices').insert({ id: crypto.randomUUID(), org_id: ${value}, number: 1 });`,
  },
  {
    name: 'kysely',
    files: {
      'package.json': packageJson({ ...FRAMEWORKS, kysely: '^0.28.0', pg: '^8.16.0' }),
      'db/migrations/001_init.sql': SQL_SCHEMA,
      'src/db/index.ts': `import { Kysely, PostgresDialect } from 'kysely';\nimport pg from 'pg';\n\nexport const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool() }) });\n`,
    },
    imports: `import { db } from '../../db';`,
    filter: (value) => `await db.selectFrom('invoices').selectAll().where('org_id', '=', ${value}).execute();`,
    write: (value) => `await db.insertInto('invoices').values({ id: crypto.randomUUID(), org_id: ${value}, number: 1 }).execute();`,
  },
  {
    name: 'sequelize',
    files: {
      'package.json': packageJson({ ...FRAMEWORKS, sequelize: '^6.37.0', pg: '^8.16.0' }),
      'src/db/sequelize.ts': `import { Sequelize } from 'sequelize';\n\nexport const sequelize = new Sequelize(process.env.DATABASE_URL ?? '');\n`,
      'src/db/index.ts': `import { DataTypes, Model } from 'sequelize';
import { sequelize } from './sequelize';

export class Organization extends Model {}
Organization.init({ id: { type: DataTypes.UUID, primaryKey: true } }, { sequelize, tableName: 'organizations' });

export class Invoice extends Model {}
Invoice.init(
  {
    id: { type: DataTypes.UUID, primaryKey: true },
    orgId: { type: DataTypes.UUID, allowNull: false, field: 'org_id', references: { model: 'organizations', key: 'id' } },
    number: { type: DataTypes.INTEGER, allowNull: false },
  },
  { sequelize, tableName: 'invoices', indexes: [{ fields: ['org_id', 'id'] }] },
);
`,
    },
    imports: `import { Invoice } from '../../db';`,
    filter: (value) => `await Invoice.findAll({ where: { orgId: ${value} } });`,
    pinned: (value, user) => `await Invoice.findAll({ where: { orgId: ${value}, userId: ${user} } });`,
    write: (value) => `await Invoice.create({ id: crypto.randomUUID(), orgId: ${value}, number: 1 });`,
  },
  {
    name: 'typeorm',
    files: {
      'package.json': packageJson({ ...FRAMEWORKS, typeorm: '^0.3.24', pg: '^8.16.0' }),
      'src/db/entities.ts': `import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

@Entity('organizations')
export class Organization {
  @PrimaryGeneratedColumn('uuid')
  id!: string;
}

@Entity('invoices')
@Index(['orgId', 'id'])
export class Invoice {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId!: string;

  @ManyToOne(() => Organization, { nullable: false })
  @JoinColumn({ name: 'org_id' })
  org!: Organization;

  @Column()
  number!: number;
}
`,
      'src/db/index.ts': `import { DataSource } from 'typeorm';\nimport { Invoice, Organization } from './entities';\n\nexport const dataSource = new DataSource({ type: 'postgres', entities: [Invoice, Organization] });\n`,
    },
    imports: `import { dataSource } from '../../db';\nimport { Invoice } from '../../db/entities';`,
    filter: (value) => `await dataSource.getRepository(Invoice).find({ where: { orgId: ${value} } });`,
    pinned: (value, user) => `await dataSource.getRepository(Invoice).find({ where: { orgId: ${value}, userId: ${user} } });`,
    write: (value) => `await dataSource.getRepository(Invoice).insert({ orgId: ${value}, number: 1 });`,
  },
  {
    name: 'mongoose',
    files: {
      'package.json': packageJson({ ...FRAMEWORKS, mongoose: '^8.15.0' }),
      'src/db/index.ts': `import mongoose, { Schema } from 'mongoose';

const organizationSchema = new Schema({ name: { type: String, required: true } });
export const Organization = mongoose.model('Organization', organizationSchema);

const invoiceSchema = new Schema({
  orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true, index: true },
  number: { type: Number, required: true },
});
export const Invoice = mongoose.model('Invoice', invoiceSchema);
`,
    },
    imports: `import { Invoice } from '../../db';`,
    filter: (value) => `await Invoice.find({ orgId: ${value} });`,
    pinned: (value, user) => `await Invoice.find({ orgId: ${value}, userId: ${user} });`,
    write: (value) => `await Invoice.create({ orgId: ${value}, number: 1 });`,
  },
  {
    name: 'mikroorm',
    files: {
      'package.json': packageJson({ ...FRAMEWORKS, '@mikro-orm/core': '^6.4.0', '@mikro-orm/postgresql': '^6.4.0' }),
      'src/db/entities.ts': `import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';

@Entity({ tableName: 'organizations' })
export class Organization {
  @PrimaryKey({ type: 'uuid' })
  id!: string;
}

@Entity({ tableName: 'invoices' })
@Index({ properties: ['org', 'id'] })
export class Invoice {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @ManyToOne(() => Organization)
  org!: Organization;

  @Property()
  number!: number;
}
`,
      'src/db/index.ts': `import { MikroORM } from '@mikro-orm/postgresql';\nimport { Invoice, Organization } from './entities';\n\nexport const orm = await MikroORM.init({ entities: [Invoice, Organization] });\n`,
    },
    imports: `import { orm } from '../../db';\nimport { Invoice } from '../../db/entities';`,
    filter: (value) => `await orm.em.find(Invoice, { org: ${value} });`,
    write: (value) => `await orm.em.insert(Invoice, { org: ${value}, number: 1 });`,
  },
  {
    name: 'supabase',
    files: {
      'package.json': packageJson({ ...FRAMEWORKS, '@supabase/supabase-js': '^2.47.0' }),
      // A service-role client bypasses row-level security: the query must filter the tenant itself.
      'supabase/migrations/20240101000000_init.sql': SQL_SCHEMA,
      'src/db/index.ts': `import { createClient } from '@supabase/supabase-js';\n\nexport const supabase = createClient(process.env.SUPABASE_URL ?? '', process.env.SUPABASE_SERVICE_ROLE_KEY ?? '');\n`,
    },
    imports: `import { supabase } from '../../db';`,
    filter: (value) => `await supabase.from('invoices').select('id, number').eq('org_id', ${value});`,
    write: (value) => `await supabase.from('invoices').insert({ org_id: ${value}, number: 1 });`,
  },
  {
    name: 'sql',
    files: {
      'package.json': packageJson({ ...FRAMEWORKS, pg: '^8.16.0' }),
      'db/migrations/001_init.sql': SQL_SCHEMA,
      'src/db/index.ts': `import pg from 'pg';\n\nexport const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });\n`,
    },
    imports: `import { pool } from '../../db';`,
    filter: (value) => `await pool.query('SELECT id, number FROM invoices WHERE org_id = $1', [${value}]);`,
    write: (value) => `await pool.query('INSERT INTO invoices (id, org_id, number) VALUES (gen_random_uuid(), $1, 1)', [${value}]);`,
  },
  {
    name: 'sql-template',
    files: {
      'package.json': packageJson({ ...FRAMEWORKS, postgres: '^3.4.0' }),
      'db/migrations/001_init.sql': SQL_SCHEMA,
      'src/db/index.ts': `import postgres from 'postgres';\n\nexport const sql = postgres(process.env.DATABASE_URL ?? '');\n`,
    },
    imports: `import { sql } from '../../db';`,
    filter: (value) => `await sql\`SELECT id, number FROM invoices WHERE org_id = \${${value}}\`;`,
    write: (value) => `await sql\`INSERT INTO invoices (id, org_id, number) VALUES (gen_random_uuid(), \${${value}}, 1)\`;`,
  },
];
