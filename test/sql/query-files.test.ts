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

  it('operatorScriptIsSystemCode info / loadedOrParameterisedFileIsTheApplications err', async () => {
    // unkey's `web/tools/migrate/timestamps.sql` (the root of its own package): a backfill over all rows, no query names, no bind
    // parameters, loaded by no code: an operator runs it, not a request.
    const backfill = 'UPDATE notes SET id = id WHERE id IS NOT NULL;\n';
    const script = analyzeSqlQueryFile(backfill, 'timestamps.sql', project.schema, project.config, { loaded: () => false });
    expect(script.findings.map((f) => f.severity)).toEqual(['info']);
    expect(script.findings[0]!.evidence).toContain('an operator runs it, not a request');
    // twins: the application sends it (loaded by name, a bind parameter, a sqlc name): error
    expect(analyzeSqlQueryFile(backfill, 'timestamps.sql', project.schema, project.config, { loaded: () => true }).findings.map((f) => f.severity)).toEqual(['error']);
    expect(analyzeSqlQueryFile('UPDATE notes SET id = id WHERE id = $1;\n', 'timestamps.sql', project.schema, project.config, { loaded: () => false }).findings.map((f) => f.severity)).toEqual(['error']);
    expect(analyzeSqlQueryFile('SELECT * FROM notes WHERE id = :id;\n', 'timestamps.sql', project.schema, project.config, { loaded: () => false }).findings.map((f) => f.severity)).toEqual(['error']);
    expect(analyzeSqlQueryFile('-- name: ListNotes :many\nSELECT * FROM notes;\n', 'timestamps.sql', project.schema, project.config, { loaded: () => false }).findings.map((f) => f.severity)).toEqual(['error']);
    expect(analyzeSqlQueryFile('/* @name ListNotes */\nSELECT * FROM notes;\n', 'timestamps.sql', project.schema, project.config, { loaded: () => false }).findings.map((f) => f.severity)).toEqual(['error']);
  });

  it('scanTellsAFileTheCodeLoadsFromAnOperatorScript info/err', async () => {
    const app = mkdtempSync(join(tmpdir(), 'tenant-lint-sqlload-'));
    try {
      mkdirSync(join(app, 'migrations'));
      mkdirSync(join(app, 'tools'));
      mkdirSync(join(app, 'src', 'queries'), { recursive: true });
      writeFileSync(join(app, 'package.json'), '{"name":"q","dependencies":{"pg":"8"}}');
      writeFileSync(join(app, 'migrations', '001_init.sql'), 'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE notes (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id));\n');
      const statement = 'SELECT * FROM notes;\n';
      writeFileSync(join(app, 'tools', 'backfill.sql'), statement);
      writeFileSync(join(app, 'src', 'queries', 'all-notes.sql'), statement);
      writeFileSync(
        join(app, 'src', 'notes.ts'),
        "import { readFileSync } from 'node:fs';\nimport { join } from 'node:path';\nexport const allNotes = readFileSync(join(__dirname, 'queries/all-notes.sql'), 'utf8');\n",
      );
      const result = await scan({ path: app });
      const bySite = result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file} ${f.severity}`);
      expect(bySite.sort()).toEqual(['src/queries/all-notes.sql error', 'tools/backfill.sql info']);
      // a file name built at run time may be any file: every file is the application's
      writeFileSync(join(app, 'src', 'notes.ts'), "import { readFileSync } from 'node:fs';\nexport const load = (name: string) => readFileSync(`${name}.sql`, 'utf8');\n");
      const dynamic = await scan({ path: app });
      expect(dynamic.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file} ${f.severity}`).sort()).toEqual(['src/queries/all-notes.sql error', 'tools/backfill.sql error']);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  it('configuredSqlSinkIsChecked err', async () => {
    writeFileSync(join(dir, 'tenant-lint.config.json'), JSON.stringify({ sqlSinks: ['rawQuery'] }));
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src', 'notes.ts'), "declare function rawQuery(sql: string, params: unknown[]): Promise<unknown>;\nexport const all = () => rawQuery('SELECT * FROM notes', []);\n");
    const result = await scan({ path: dir });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`)).toEqual(['src/notes.ts:2']);
  });
});
