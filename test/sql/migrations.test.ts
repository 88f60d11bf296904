import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { locateMigrations, readSqlMigrations, upSectionOnly } from '../../src/schema/sql-migrations.js';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

beforeAll(async () => {
  await loadSqlParsers();
});

/** Project-relative POSIX paths of the located migrations, in apply order. */
function located(root: string, globs?: string[]): string[] {
  return locateMigrations(root, globs).map((path) => path.slice(root.length + 1).split('\\').join('/'));
}

describe('locateMigrations', () => {
  it('prismaMigrationsOrderedByFolderName ok', () => {
    const root = makeProject({
      'prisma/migrations/20240102000000_add_org/migration.sql': 'ALTER TABLE "User" ADD COLUMN "orgId" TEXT;',
      'prisma/migrations/20231231235959_init/migration.sql': 'CREATE TABLE "User" (id TEXT PRIMARY KEY);',
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"',
      'prisma/schema.prisma': '',
    });
    expect(located(root)).toEqual(['prisma/migrations/20231231235959_init/migration.sql', 'prisma/migrations/20240102000000_add_org/migration.sql']);
  });

  it('flywayNumericVersionOrder ok', () => {
    const root = makeProject({
      'src/main/resources/db/migration/V10__later.sql': 'SELECT 1;',
      'src/main/resources/db/migration/V2__second.sql': 'SELECT 1;',
      'src/main/resources/db/migration/V1_1__patch.sql': 'SELECT 1;',
      'src/main/resources/db/migration/V1__init.sql': 'SELECT 1;',
      'src/main/resources/db/migration/V1.2__dotted.sql': 'SELECT 1;',
      'src/main/resources/db/migration/R__views.sql': 'SELECT 1;',
      'src/main/resources/db/migration/U2__undo.sql': 'SELECT 1;',
    });
    expect(located(root).map((p) => p.split('/').pop())).toEqual(['V1__init.sql', 'V1_1__patch.sql', 'V1.2__dotted.sql', 'V2__second.sql', 'V10__later.sql', 'R__views.sql']);
  });

  it('drizzleAndSupabaseAndPlainNumberedFolders ok', () => {
    const root = makeProject({
      'drizzle/0001_second.sql': 'SELECT 1;',
      'drizzle/0000_first.sql': 'SELECT 1;',
      'drizzle/meta/_journal.json': '{}',
      'supabase/migrations/20240101120000_init.sql': 'SELECT 1;',
      'supabase/seed.sql': 'SELECT 1;',
      'db/migrations/2_b.sql': 'SELECT 1;',
      'db/migrations/10_c.sql': 'SELECT 1;',
      'db/migrations/1_a.sql': 'SELECT 1;',
      'db/queries/get_user.sql': 'SELECT 1;',
      'src/db/out/0000_custom_out.sql': 'SELECT 1;',
      'src/db/out/meta/_journal.json': '{}',
    });
    expect(located(root)).toEqual([
      'db/migrations/1_a.sql',
      'db/migrations/2_b.sql',
      'db/migrations/10_c.sql',
      'drizzle/0000_first.sql',
      'drizzle/0001_second.sql',
      'src/db/out/0000_custom_out.sql',
      'supabase/migrations/20240101120000_init.sql',
    ]);
  });

  it('numberedDatabaseTestsAndSeedsAreNotMigrations ok', () => {
    const root = makeProject({
      'supabase/migrations/20240101120000_init.sql': 'SELECT 1;',
      'supabase/tests/00-helpers.sql': 'CREATE TABLE tb1 (id int);',
      'supabase/tests/01_test_rls.sql': 'SELECT 1;',
      'db/seeds/001_demo.sql': 'SELECT 1;',
      'db/seeds/002_more.sql': 'SELECT 1;',
      'packages/db/0001_init.sql': 'SELECT 1;',
      'packages/db/0002_more.sql': 'SELECT 1;',
    });
    expect(located(root)).toEqual(['packages/db/0001_init.sql', 'packages/db/0002_more.sql', 'supabase/migrations/20240101120000_init.sql']);
  });

  it('baseSchemaInPartsBeforeMigrations ok', () => {
    // worklenz: database/sql holds the base schema (numbered parts beside indexes.sql, triggers.sql),
    // database/migrations the changes after it.
    const root = makeProject({
      'database/sql/0_extensions.sql': 'CREATE EXTENSION IF NOT EXISTS "uuid-ossp";',
      'database/sql/1_tables.sql': 'CREATE TABLE teams (id uuid PRIMARY KEY);',
      'database/sql/2_dml.sql': 'SELECT 1;',
      'database/sql/indexes.sql': 'CREATE INDEX teams_id ON teams (id);',
      'database/sql/triggers.sql': 'SELECT 1;',
      'database/sql/truncate.sql': 'SELECT 1;',
      'database/migrations/20250101000000-add-x.sql': 'ALTER TABLE teams ADD COLUMN x int;',
      // numbered files that create no table, among others: loose scripts, not a schema
      'scripts/sql/1_report.sql': 'SELECT 1;',
      'scripts/sql/2_report.sql': 'SELECT 1;',
      'scripts/sql/cleanup.sql': 'SELECT 1;',
      'scripts/sql/more.sql': 'SELECT 1;',
    });
    expect(located(root)).toEqual([
      'database/sql/0_extensions.sql',
      'database/sql/1_tables.sql',
      'database/sql/2_dml.sql',
      'database/sql/indexes.sql',
      'database/sql/triggers.sql',
      'database/sql/truncate.sql',
      'database/migrations/20250101000000-add-x.sql',
    ]);
  });

  it('unnumberedFilesOfAMigrationsFolderAfterItsNumberedOnes ok', () => {
    // worklenz: `database/sql/migrations/add_member_time_off_table.sql` beside a timestamped file
    const root = makeProject({
      'database/sql/migrations/20260114000000-capacity.sql': 'CREATE TABLE capacity (id uuid PRIMARY KEY);',
      'database/sql/migrations/add_member_time_off_table.sql': 'CREATE TABLE member_time_off (id uuid PRIMARY KEY);',
      // not a migrations folder: loose queries stay out
      'src/queries/report.sql': 'SELECT 1;',
    });
    expect(located(root)).toEqual(['database/sql/migrations/20260114000000-capacity.sql', 'database/sql/migrations/add_member_time_off_table.sql']);
  });

  it('downMigrationsIgnored ok', () => {
    const root = makeProject({
      'migrations/000001_init.up.sql': 'CREATE TABLE t (id int);',
      'migrations/000001_init.down.sql': 'DROP TABLE t;',
      'migrations/000002_more.up.sql': 'SELECT 1;',
      'migrations/000002_more.down.sql': 'SELECT 1;',
    });
    expect(located(root)).toEqual(['migrations/000001_init.up.sql', 'migrations/000002_more.up.sql']);
  });

  it('nodeModulesAndBuildOutputNeverRead ok', () => {
    const root = makeProject({
      'node_modules/some-lib/migrations/0001_lib.sql': 'CREATE TABLE lib (id int);',
      'dist/migrations/0001_init.sql': 'CREATE TABLE t (id int);',
      '.git/migrations/0001_init.sql': 'SELECT 1;',
      'migrations/0001_init.sql': 'CREATE TABLE t (id int);',
    });
    expect(located(root)).toEqual(['migrations/0001_init.sql']);
  });

  it('configuredGlobsReplaceDiscovery ok', () => {
    const root = makeProject({
      'sql/schema/002_b.sql': 'SELECT 1;',
      'sql/schema/001_a.sql': 'SELECT 1;',
      'sql/schema/001_a.down.sql': 'SELECT 1;',
      'sql/other/x.sql': 'SELECT 1;',
      'migrations/0001_ignored.sql': 'SELECT 1;',
      'node_modules/x/sql/schema/000_dep.sql': 'SELECT 1;',
    });
    expect(located(root, ['sql/schema/*.sql'])).toEqual(['sql/schema/001_a.sql', 'sql/schema/002_b.sql']);
    expect(located(root, ['sql/schema'])).toEqual(['sql/schema/001_a.sql', 'sql/schema/002_b.sql']);
  });

  it('noMigrationsNoFiles ok', () => {
    expect(locateMigrations(makeProject({ 'src/index.ts': 'export {};', 'queries/report.sql': 'SELECT 1;' }))).toEqual([]);
  });
});

describe('readSqlMigrations', () => {
  it('prismaMigrationsFoldInApplyOrder ok', () => {
    const root = makeProject({
      'prisma/migrations/20240301000000_not_null/migration.sql': '-- backfilled already\nALTER TABLE "Doc" ALTER COLUMN "teamId" SET NOT NULL;',
      'prisma/migrations/20240101000000_init/migration.sql': `-- CreateTable
CREATE TABLE "Team" ("id" TEXT NOT NULL, CONSTRAINT "Team_pkey" PRIMARY KEY ("id"));
CREATE TABLE "Doc" ("id" TEXT NOT NULL, "title" TEXT, CONSTRAINT "Doc_pkey" PRIMARY KEY ("id"));`,
      'prisma/migrations/20240201000000_team/migration.sql': `ALTER TABLE "Doc" ADD COLUMN "teamId" TEXT;
CREATE INDEX "Doc_teamId_idx" ON "Doc"("teamId");
ALTER TABLE "Doc" ADD CONSTRAINT "Doc_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE RESTRICT ON UPDATE CASCADE;`,
    });
    const result = readSqlMigrations(root, locateMigrations(root));
    expect(result.diagnostics).toEqual([]);
    expect(result.files).toEqual([
      'prisma/migrations/20240101000000_init/migration.sql',
      'prisma/migrations/20240201000000_team/migration.sql',
      'prisma/migrations/20240301000000_not_null/migration.sql',
    ]);
    expect(result.stats).toEqual({ files: 3, total: 6, libpgQuery: 6, pgsqlAstParser: 0, failed: 0 });
    const doc = result.tables.find((t) => t.name === 'Doc');
    expect(doc?.columns.get('teamId')).toMatchObject({
      nullable: false,
      location: { file: 'prisma/migrations/20240301000000_not_null/migration.sql', line: 2, column: 1 },
    });
    expect(doc?.indexes).toEqual([['teamId']]);
    expect(doc?.relations.get('teamId')).toMatchObject({ target: 'Team', required: true });
  });

  it('drizzleBreakpointsFold ok', () => {
    const root = makeProject({
      'drizzle/0000_init.sql': `CREATE TABLE IF NOT EXISTS "orgs" (\n\t"id" uuid PRIMARY KEY NOT NULL\n);\n--> statement-breakpoint\nCREATE TABLE IF NOT EXISTS "users" (\n\t"id" uuid PRIMARY KEY NOT NULL,\n\t"org_id" uuid\n);\n--> statement-breakpoint\nDO $$ BEGIN\n ALTER TABLE "users" ADD CONSTRAINT "users_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "orgs"("id");\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;\n`,
      'drizzle/0001_idx.sql': `CREATE INDEX IF NOT EXISTS "users_org_idx" ON "users" ("org_id");`,
    });
    const result = readSqlMigrations(root, locateMigrations(root));
    expect(result.diagnostics).toEqual([]);
    expect(result.stats.total).toBe(4);
    const users = result.tables.find((t) => t.name === 'users');
    expect(users?.location).toEqual({ file: 'drizzle/0000_init.sql', line: 5, column: 1 });
    expect(users?.indexes).toEqual([['org_id']]);
    // The foreign key Drizzle Kit wraps in DO $$ BEGIN ... EXCEPTION ... END $$ is read from inside the block.
    expect(users?.relations.get('org_id')).toMatchObject({ target: 'orgs', references: ['id'], required: false });
  });

  it('dbmateDownSectionIgnored ok', () => {
    const root = makeProject({
      'db/migrations/20240101000000_init.sql': '-- migrate:up\nCREATE TABLE t (id int);\n\n-- migrate:down\nDROP TABLE t;\n',
      'db/migrations/20240102000000_goose.sql': '-- +goose Up\nALTER TABLE t ADD COLUMN org_id int NOT NULL;\n-- +goose Down\nALTER TABLE t DROP COLUMN org_id;\n',
    });
    const result = readSqlMigrations(root, locateMigrations(root));
    expect(result.diagnostics).toEqual([]);
    expect([...(result.tables[0]?.columns.keys() ?? [])]).toEqual(['id', 'org_id']);
    expect(upSectionOnly('-- migrate:up\nA;\n-- migrate:down\nB;\n')).toBe('-- migrate:up\nA;\n-- migrate:down\n\n');
  });

  it('aFolderOfAnotherDialectIsLeftOutWithOneDiagnostic err', () => {
    const clickhouse = 'CREATE TABLE events (id UUID) ENGINE = MergeTree ORDER BY id;\nALTER TABLE events ADD COLUMN x String;\nCREATE TABLE hits (id UUID) ENGINE = MergeTree ORDER BY id;\n';
    const root = makeProject({
      'db/postgres/migrations/0001_init.sql': 'CREATE TABLE t (id int);',
      'db/clickhouse/migrations/0001_init.sql': clickhouse,
    });
    const result = readSqlMigrations(root, ['db/postgres/migrations/0001_init.sql', 'db/clickhouse/migrations/0001_init.sql']);
    expect(result.tables.map((t) => t.name)).toEqual(['t']);
    expect(result.diagnostics.map((d) => [d.file, d.message])).toEqual([['db/clickhouse/migrations', expect.stringMatching(/^2 of 3 statements of the migrations in this folder are not PostgreSQL/)]]);
  });

  it('anotherDialectAtTheProjectRootIsOneFolderDiagnostic err', () => {
    // A project whose root is the ClickHouse migrations folder itself: files of 1 or 2 statements each.
    const root = makeProject({
      '20250101000000.sql': 'CREATE TABLE `events` (id UUID) ENGINE = MergeTree ORDER BY id;',
      '20250102000000.sql': 'ALTER TABLE `events` ADD COLUMN x String;\nALTER TABLE `events` ADD COLUMN y String;',
      '20250103000000.sql': 'CREATE TABLE hits (id UUID) ENGINE = MergeTree ORDER BY id;\nSELECT 1;',
    });
    const result = readSqlMigrations(root, ['20250101000000.sql', '20250102000000.sql', '20250103000000.sql']);
    expect(result.files).toEqual([]);
    expect(result.tables).toEqual([]);
    expect(result.diagnostics.map((d) => [d.file, d.line, d.message.replace(/ \(.*$/, '')])).toEqual([
      ['.', undefined, '4 of 5 statements of the migrations in this folder are not PostgreSQL'],
    ]);
  });

  it('drizzleKitJournalForMysqlIsOneDiagnosticWithoutParsing err', () => {
    const root = makeProject({
      'db/drizzle/0000_init.sql': 'CREATE TABLE `workspaces` (`id` varchar(64) NOT NULL, CONSTRAINT `workspaces_id` PRIMARY KEY(`id`));',
      'db/drizzle/0001_next.sql': 'CREATE TABLE t (id int);',
      'db/drizzle/meta/_journal.json': '{ "version": "5", "dialect": "mysql", "entries": [] }',
    });
    const result = readSqlMigrations(root, locateMigrations(root));
    expect(result.tables).toEqual([]);
    expect(result.files).toEqual([]);
    expect(result.diagnostics.map((d) => [d.file, d.message])).toEqual([['db/drizzle', expect.stringMatching(/^Drizzle Kit migrations for mysql \(meta\/_journal\.json\)/)]]);
  });

  it('prismaMigrationsAreOneFolderAndTheirLockFileNamesTheProvider err', () => {
    const root = makeProject({
      'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE `User` (`id` VARCHAR(191) NOT NULL, PRIMARY KEY (`id`)) DEFAULT CHARACTER SET utf8mb4;',
      'prisma/migrations/20240102000000_two/migration.sql': 'ALTER TABLE `User` ADD COLUMN `x` INTEGER NULL;',
      'prisma/migrations/migration_lock.toml': 'provider = "mysql"',
    });
    const result = readSqlMigrations(root, locateMigrations(root));
    expect(result.diagnostics.map((d) => [d.file, d.message])).toEqual([['prisma/migrations', expect.stringMatching(/^Prisma migrations for mysql \(migration_lock\.toml\)/)]]);
  });

  it('relativeFileListAndPosixPathsInDiagnostics err', () => {
    const root = makeProject({
      'migrations/0001_init.sql': 'CREATE TABLE t (id int);',
      'migrations/0002_mysql.sql': 'ALTER TABLE `t` ADD COLUMN `x` int AFTER `id`;\nALTER TABLE t ADD COLUMN y int;',
    });
    const result = readSqlMigrations(root, ['migrations/0001_init.sql', join(root, 'migrations', '0002_mysql.sql'), 'migrations/missing.sql']);
    expect(result.files).toEqual(['migrations/0001_init.sql', 'migrations/0002_mysql.sql']);
    expect(result.diagnostics.map((d) => [d.file, d.line])).toEqual([
      ['migrations/0002_mysql.sql', 1],
      ['migrations/missing.sql', undefined],
    ]);
    expect([...(result.tables[0]?.columns.keys() ?? [])]).toEqual(['id', 'y']);
    expect(result.stats).toMatchObject({ files: 2, total: 3, failed: 1 });
  });
});
