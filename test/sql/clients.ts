/*
 * The four ways the raw-SQL tests send one statement to Postgres from an Express app: a `pg` pool, postgres.js,
 * knex `raw` and Prisma `$queryRaw`. Each test file writes its own migration and handlers around these.
 */

export type Client = 'pg' | 'postgres' | 'knex' | 'prisma';

/** package.json dependencies of an app that uses the client. */
export const DEPENDENCIES: Record<Client, Record<string, string>> = {
  pg: { pg: '^8.16.0', express: '^5.1.0' },
  postgres: { postgres: '^3.4.0', express: '^5.1.0' },
  knex: { knex: '^3.1.0', pg: '^8.16.0', express: '^5.1.0' },
  prisma: { '@prisma/client': '^6.8.0', express: '^5.1.0' },
};

/** `src/db.ts`: the client, exported as `db` (postgres.js: `sql`). */
export const DB: Record<Client, string> = {
  pg: `import { Pool } from 'pg';\nexport const db = new Pool();\n`,
  postgres: `import postgres from 'postgres';\nexport const sql = postgres(process.env.DATABASE_URL!);\n`,
  knex: `import knex from 'knex';\nexport const db = knex({ client: 'pg' });\n`,
  prisma: `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
};

/** The name `src/db.ts` exports the client under. */
export const dbName = (client: Client): string => (client === 'postgres' ? 'sql' : 'db');
