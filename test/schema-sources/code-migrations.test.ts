/**
 * Migrations written as code around SQL (db-migrate, TypeORM, node-pg-migrate, Knex `raw`): read
 * as data when a project has no other schema source (issue 16: a repository whose 400 migrations are
 * `exports.up = (db, cb) => db.runSql(...)` had no schema at all, so nothing was analysed).
 */
import { describe, expect, it } from 'vitest';
import { sqlOfCodeMigration } from '../../src/schema/code-migrations.js';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

const DB_MIGRATE = `'use strict';
const TABLE = 'invoices';

exports.up = function (db, callback) {
  db.runSql(
    \`
CREATE TABLE orgs (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE \${TABLE} (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id));
INSERT INTO orgs (id, name) VALUES ('\${seed.id}', 'x');
\`,
    callback,
  );
  db.runSql(\`CREATE TABLE \${dynamicName} (id int)\`, callback);
};

exports.down = function (db, callback) {
  db.runSql('DROP TABLE invoices; DROP TABLE orgs;', callback);
};
`;

describe('sqlOfCodeMigration', () => {
  it('db-migrate runSql: the up SQL at its own lines, constants substituted, values in quotes kept, down left out', () => {
    const sql = sqlOfCodeMigration('migrations/20240101-init.js', DB_MIGRATE);
    expect(sql?.skipped).toBe(1);
    const lines = sql?.text.split('\n') ?? [];
    expect(lines[6]).toBe('CREATE TABLE orgs (id uuid PRIMARY KEY, name text NOT NULL);');
    expect(lines[7]).toBe('CREATE TABLE invoices (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id));');
    expect(lines[8]).toBe("INSERT INTO orgs (id, name) VALUES ('x', 'x');");
    expect(sql?.text).not.toContain('DROP');
  });

  it('db-migrate createTable with a column spec object becomes the CREATE TABLE it runs', () => {
    const text = `exports.up = function (db, cb) {\n  db.createTable('projects', {\n    id: { type: 'string', length: 255, primaryKey: true, notNull: true },\n    org_id: { type: 'int', notNull: true, foreignKey: { name: 'fk', table: 'orgs', mapping: 'id' } },\n  }, cb);\n};\n`;
    expect(sqlOfCodeMigration('migrations/1-p.js', text)?.text.split('\n')[1]).toBe(
      '   CREATE TABLE IF NOT EXISTS "projects" ("id" varchar PRIMARY KEY NOT NULL, "org_id" integer NOT NULL REFERENCES "orgs" ("id"));',
    );
  });

  it('a TypeORM migration class: queryRunner.query in up, not in down', () => {
    const text = `import { MigrationInterface, QueryRunner } from 'typeorm';\nexport class Init1700000000000 implements MigrationInterface {\n  async up(queryRunner: QueryRunner): Promise<void> {\n    await queryRunner.query(\`CREATE TABLE "team" ("id" uuid PRIMARY KEY)\`);\n  }\n  async down(queryRunner: QueryRunner): Promise<void> {\n    await queryRunner.query(\`DROP TABLE "team"\`);\n  }\n}\n`;
    const sql = sqlOfCodeMigration('src/migrations/1700000000000-Init.ts', text);
    expect(sql?.text.split('\n')[3]?.trim()).toBe('CREATE TABLE "team" ("id" uuid PRIMARY KEY);');
    expect(sql?.text).not.toContain('DROP');
  });

  it('a Knex schema-builder migration (callbacks) is not SQL text: left to the Knex schema reader', () => {
    const text = `export async function up(knex) {\n  await knex.schema.createTable('orgs', (t) => { t.uuid('id').primary(); });\n  await knex.raw('ALTER TABLE orgs ENABLE ROW LEVEL SECURITY');\n}\n`;
    expect(sqlOfCodeMigration('migrations/20240101_init.ts', text)).toBeUndefined();
  });
});

const KNEX_CLIENT = "import knex from 'knex';\nexport const db = knex({ client: 'pg' });\n";

describe('a project whose only schema is migrations written as code', () => {
  const app = (query: string, extra: Record<string, string> = {}) =>
    makeProject({
      'package.json': JSON.stringify({ name: 'app', dependencies: { knex: '3', 'db-migrate': '0.11' } }),
      'src/migrations/20240101000000-init.js': DB_MIGRATE,
      'src/db.ts': KNEX_CLIENT,
      'src/invoices.ts': `import { db } from './db';\nexport function invoice(orgId: string, id: string) {\n  return ${query};\n}\n`,
      ...extra,
    });
  const findings = async (dir: string) => (await scan({ path: dir, fileBudgetMs: 0 })).findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`);

  it('the leak by id alone is reported, with the tenant from the migration', async () => {
    const dir = app("db('invoices').where({ id }).first()");
    const result = await scan({ path: dir, fileBudgetMs: 0 });
    expect(result.projects[0]?.tenantRoot).toBe('orgs');
    expect(result.projects[0]?.schemaSources).toEqual([{ kind: 'sql', files: ['src/migrations/20240101000000-init.js'] }]);
    expect(await findings(dir)).toEqual(['src/invoices.ts:3']);
  });

  it('its twin with the tenant filter: nothing', async () => {
    expect(await findings(app("db('invoices').where({ id, org_id: orgId }).first()"))).toEqual([]);
  });

  it('a project with a schema of its own keeps it: the code migrations are not read', async () => {
    const dir = app("db('invoices').where({ id }).first()", { 'migrations/0001_init.sql': 'CREATE TABLE workspaces (id uuid PRIMARY KEY);\nCREATE TABLE invoices (id uuid PRIMARY KEY, workspace_id uuid NOT NULL REFERENCES workspaces (id));\n' });
    const result = await scan({ path: dir, fileBudgetMs: 0 });
    expect(result.projects[0]?.tenantRoot).toBe('workspaces');
    expect(result.projects[0]?.schemaSources.map((s) => s.files)).toEqual([['migrations/0001_init.sql']]);
  });
});
