import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSqlQueryFile } from '../../src/analyze/sql-files.js';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { loadProject, type Project } from '../../src/project/project.js';
import { scan } from '../../src/scan/scan.js';

let dir: string;
let project: Project;

beforeAll(async () => {
  await loadSqlParsers();
  dir = mkdtempSync(join(tmpdir(), 'tenant-lint-sqlfiles-'));
  mkdirSync(join(dir, 'migrations'));
  writeFileSync(join(dir, 'package.json'), '{"name":"q"}');
  writeFileSync(
    join(dir, 'migrations', '001_init.sql'),
    'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE notes (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id));\nCREATE INDEX notes_org ON notes (org_id, id);\n',
  );
  project = loadProject(dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(text: string) {
  return analyzeSqlQueryFile(text, 'queries/notes.sql', project.schema, project.config);
}

describe('.sql query files', () => {
  it('sqlcNamedQueryWithoutTenant err', () => {
    const result = check('-- name: GetNote :one\nSELECT * FROM notes WHERE id = $1;\n');
    expect(result.findings.map((f) => `${f.line}:${f.column} ${f.messageId} ${f.message}`)).toEqual([
      '2:15 missingTenantFilter Query `GetNote` reads tenant-scoped table `notes` without a tenant filter.',
    ]);
  });

  it('namedPlaceholdersBecomeParameters ok', () => {
    expect(check('SELECT * FROM notes WHERE org_id = :orgId AND id = @id;\nSELECT * FROM notes WHERE org_id = sqlc.arg(org_id);\n').findings).toEqual([]);
  });

  it('castsAreNotPlaceholders ok', () => {
    expect(check('SELECT * FROM notes WHERE org_id = $1::uuid;').findings).toEqual([]);
  });

  it('suppressionWithReasonSilencesTheStatement ok', () => {
    const result = check('-- tenant-lint-ignore require-tenant-filter -- admin export, reviewed\nSELECT * FROM notes;\n');
    expect(result.findings).toEqual([]);
    expect(result.suppressed).toBe(1);
  });

  it('unparseableFileIsCountedNotFlagged err', () => {
    const result = check('SELECT * FROM notes WHERE {{broken');
    expect(result.findings).toEqual([]);
    expect(result.unknown).toHaveLength(1);
  });

  it('flywayUndoRepeatableAndBaselineMigrationsAreNotQueryFiles ok', () => {
    const update = 'UPDATE notes SET id = id WHERE id = $1;\n';
    for (const file of ['db/migration/U2__undo_catalog.sql', 'src/main/resources/db/R__views.sql', 'sql/B5__baseline.sql', 'migrations/0002_backfill.sql', 'db/0003_fix.down.sql']) {
      const result = analyzeSqlQueryFile(update, file, project.schema, project.config);
      expect(result.findings).toEqual([]);
      expect(result.unknown).toEqual([]);
      expect(result.skipped).toMatch(/migration/);
    }
    expect(check(update).skipped).toBeUndefined();
  });

  it('psqlScriptsAreSkippedNotUnanalysable ok', () => {
    const script = 'CREATE DATABASE sequin;\n\\connect sequin\nSELECT * FROM notes;\n';
    const meta = analyzeSqlQueryFile(script, 'scripts/setup.sql', project.schema, project.config);
    expect(meta).toMatchObject({ findings: [], unknown: [], querySites: 0, skipped: expect.stringMatching(/psql/) });
    const initdb = analyzeSqlQueryFile('SELECT * FROM notes;\n', 'docker/postgres-docker-entrypoint-initdb.d/10-seed.sql', project.schema, project.config);
    expect(initdb).toMatchObject({ findings: [], unknown: [], querySites: 0, skipped: expect.stringMatching(/initdb/) });
  });

  it('operatorScriptsAreSkippedNotFlagged ok', () => {
    const update = 'UPDATE notes SET id = id WHERE id = $1;\n';
    for (const [file, folder] of [['db/postgresql/data-migrations/populate.sql', 'data-migrations'], ['scripts/ops/verify_swap.sql', 'scripts'], ['supabase/tests/05_app_functions.sql', 'tests'], ['db/seeds/demo.sql', 'seeds']]) {
      const result = analyzeSqlQueryFile(update, file!, project.schema, project.config);
      expect(result).toMatchObject({ findings: [], unknown: [], querySites: 0 });
      expect(result.skipped).toBe(`a script an operator runs (in a \`${folder}/\` folder), not a query the application sends`);
    }
    // the same statement in a queries folder is the application's: reported
    expect(analyzeSqlQueryFile(update, 'db/queries/notes.sql', project.schema, project.config).findings).toHaveLength(1);
  });

  it('seedFilesAreSkippedNotFlagged ok / aQueryFileNamedLikeASeedIsNot err', () => {
    // capgo (judged G068): `supabase/seed.sql` loads demo data; it is not a query the application sends.
    const update = 'UPDATE notes SET id = id WHERE id = $1;\n';
    for (const file of ['supabase/seed.sql', 'db/users.seed.sql', 'sql/demo-fixtures.sql', 'apps/web/prisma/seed_dashboard.sql']) {
      const result = analyzeSqlQueryFile(update, file, project.schema, project.config);
      expect(result).toMatchObject({ findings: [], querySites: 0 });
      expect(result.skipped).toContain('seed data an operator loads');
    }
    expect(analyzeSqlQueryFile(update, 'queries/seedling.sql', project.schema, project.config).findings).toHaveLength(1);
    expect(analyzeSqlQueryFile(update, 'queries/reseed_counts.sql', project.schema, project.config).findings).toHaveLength(1);
  });

  it('configuredSqlSinkIsChecked err', async () => {
    writeFileSync(join(dir, 'tenant-lint.config.json'), JSON.stringify({ sqlSinks: ['rawQuery'] }));
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src', 'notes.ts'), "declare function rawQuery(sql: string, params: unknown[]): Promise<unknown>;\nexport const all = () => rawQuery('SELECT * FROM notes', []);\n");
    const result = await scan({ path: dir });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`)).toEqual(['src/notes.ts:2']);
  });
});
