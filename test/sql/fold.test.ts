import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { expectDiagnostics, expectTables, nullability, table } from './helpers.js';

beforeAll(async () => {
  await loadSqlParsers();
});

const ORGS = `CREATE TABLE orgs (id uuid PRIMARY KEY, name text NOT NULL);`;

describe('fold: CREATE TABLE', () => {
  it('createTableBecomesRawTable ok', () => {
    const tables = expectTables([
      `${ORGS}
CREATE TABLE projects (
  id uuid NOT NULL,
  org_id uuid NOT NULL REFERENCES orgs (id),
  slug text,
  CONSTRAINT projects_pkey PRIMARY KEY (id),
  CONSTRAINT projects_org_slug UNIQUE (org_id, slug)
);`,
    ]);
    const projects = table(tables, 'projects');
    expect(projects).toMatchObject({
      name: 'projects',
      dbName: 'projects',
      source: 'sql',
      primaryKey: ['id'],
      uniques: [{ fields: ['org_id', 'slug'], name: 'projects_org_slug' }],
      indexes: [],
      location: { file: 'migrations/0001.sql', line: 2, column: 1 },
    });
    expect(nullability(projects)).toEqual({ id: false, org_id: false, slug: true });
    expect(projects.columns.get('org_id')).toEqual({
      name: 'org_id',
      dbName: 'org_id',
      type: 'uuid',
      nullable: false,
      isList: false,
      location: { file: 'migrations/0001.sql', line: 4, column: 3 },
    });
    expect(projects.relations.get('org_id')).toEqual({ name: 'org_id', target: 'orgs', fields: ['org_id'], references: ['id'], required: true, isList: false });
    expect(projects.rls).toBeUndefined();
  });

  it('primaryKeyColumnsAreNotNullable ok', () => {
    const tables = expectTables(`CREATE TABLE t (a int, b int, c int PRIMARY KEY);\nCREATE TABLE u (a int, b int, PRIMARY KEY (a, b));`);
    expect(nullability(table(tables, 't'))).toEqual({ a: true, b: true, c: false });
    expect(nullability(table(tables, 'u'))).toEqual({ a: false, b: false });
    expect(table(tables, 'u').primaryKey).toEqual(['a', 'b']);
  });

  it('ifNotExistsDoesNotOverwrite ok', () => {
    const tables = expectTables([`CREATE TABLE t (a int NOT NULL);`, `CREATE TABLE IF NOT EXISTS t (b int);`]);
    expect([...table(tables, 't').columns.keys()]).toEqual(['a']);
    expect(table(tables, 't').location?.file).toBe('migrations/0001.sql');
  });

  it('createTableTwiceReplacesAndSaysSo err', () => {
    const { diagnostics, tables } = expectDiagnostics([`CREATE TABLE t (a int);`, `CREATE TABLE t (b int);`]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ file: 'migrations/0002.sql', line: 1, column: 1 });
    expect([...table(tables, 't').columns.keys()]).toEqual(['b']);
  });

  it('quotedAndSchemaQualifiedNames ok', () => {
    const tables = expectTables(`CREATE TABLE public."Org" ("Id" text PRIMARY KEY);
CREATE TABLE billing."Invoice" ("orgId" text NOT NULL REFERENCES public."Org"("Id"), Amount int);
CREATE TABLE "public"."Member" ("orgId" text REFERENCES "Org");`);
    expect([...tables.keys()]).toEqual(['Org', 'billing.Invoice', 'Member']);
    expect([...table(tables, 'billing.Invoice').columns.keys()]).toEqual(['orgId', 'amount']);
    expect(table(tables, 'billing.Invoice').relations.get('orgId')).toMatchObject({ target: 'Org', references: ['Id'], required: true });
    // REFERENCES without columns means the primary key.
    expect(table(tables, 'Member').relations.get('orgId')).toMatchObject({ target: 'Org', references: ['Id'], required: false });
  });

  it('foreignKeysBecomeRelations ok', () => {
    const tables = expectTables(`${ORGS}
CREATE TABLE projects (id uuid PRIMARY KEY, org_id uuid NOT NULL, UNIQUE (org_id, id));
CREATE TABLE tasks (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  project_id uuid,
  parent_id uuid REFERENCES tasks,
  assignee uuid REFERENCES auth.users (id),
  FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id)
);`);
    const relations = [...table(tables, 'tasks').relations.values()];
    expect(relations).toEqual([
      { name: 'parent_id', target: 'tasks', fields: ['parent_id'], references: ['id'], required: false, isList: false },
      { name: 'assignee', target: 'auth.users', fields: ['assignee'], references: ['id'], required: false, isList: false },
      { name: 'org_id', target: 'projects', fields: ['org_id', 'project_id'], references: ['org_id', 'id'], required: false, isList: false },
    ]);
  });
});

describe('fold: ALTER TABLE', () => {
  it('foldsSetNotNullThreeMigrationsLater ok', () => {
    const tables = expectTables([
      `${ORGS}\nCREATE TABLE docs (id uuid PRIMARY KEY, title text);`,
      `ALTER TABLE docs ADD COLUMN org_id uuid REFERENCES orgs (id);`,
      `UPDATE docs SET org_id = (SELECT id FROM orgs LIMIT 1) WHERE org_id IS NULL;`,
      `CREATE INDEX docs_title ON docs (title);`,
      `\n\nALTER TABLE docs\n  ALTER COLUMN org_id SET NOT NULL;`,
    ]);
    const docs = table(tables, 'docs');
    expect(docs.columns.get('org_id')).toMatchObject({ nullable: false, location: { file: 'migrations/0005.sql', line: 3, column: 1 } });
    expect(docs.relations.get('org_id')?.required).toBe(true);
  });

  it('addedNullableColumnStaysNullableWhereAdded ok', () => {
    const tables = expectTables([`CREATE TABLE docs (id int PRIMARY KEY);`, `ALTER TABLE docs\n  ADD COLUMN org_id uuid;`]);
    expect(table(tables, 'docs').columns.get('org_id')).toMatchObject({ nullable: true, location: { file: 'migrations/0002.sql', line: 2, column: 14 } });
  });

  it('dropNotNullMakesNullableAgain ok', () => {
    const tables = expectTables([`CREATE TABLE t (a int NOT NULL);`, `ALTER TABLE t ALTER COLUMN a DROP NOT NULL;`]);
    expect(table(tables, 't').columns.get('a')).toMatchObject({ nullable: true, location: { file: 'migrations/0002.sql', line: 1 } });
  });

  it('dropColumnTakesItsKeysAndIndexes ok', () => {
    const tables = expectTables([
      `${ORGS}\nCREATE TABLE t (id int PRIMARY KEY, org_id uuid REFERENCES orgs, email text, UNIQUE (org_id, email));\nCREATE INDEX t_email ON t (email);`,
      `ALTER TABLE t DROP COLUMN org_id, DROP COLUMN IF EXISTS nope;`,
    ]);
    const t = table(tables, 't');
    expect([...t.columns.keys()]).toEqual(['id', 'email']);
    expect(t.uniques).toEqual([]);
    expect(t.indexes).toEqual([['email']]);
    expect(t.relations.size).toBe(0);
  });

  it('renameColumnRenamesKeysIndexesAndReferences ok', () => {
    const tables = expectTables([
      `${ORGS}\nCREATE TABLE t (id int PRIMARY KEY, "orgId" uuid NOT NULL REFERENCES orgs, email text, UNIQUE ("orgId", email));\nCREATE INDEX t_org ON t ("orgId");`,
      `ALTER TABLE t RENAME COLUMN "orgId" TO org_id;\nALTER TABLE orgs RENAME COLUMN id TO org_pk;`,
    ]);
    const t = table(tables, 't');
    expect([...t.columns.keys()]).toEqual(['id', 'org_id', 'email']);
    expect(t.uniques).toEqual([{ fields: ['org_id', 'email'], name: 'org_id_email' }]);
    expect(t.indexes).toEqual([['org_id']]);
    expect(t.relations.get('org_id')).toMatchObject({ fields: ['org_id'], references: ['org_pk'], required: true });
    expect(table(tables, 'orgs').primaryKey).toEqual(['org_pk']);
  });

  it('addConstraintPrimaryUniqueForeignKey ok', () => {
    const tables = expectTables([
      `${ORGS}\nCREATE TABLE t (id int, org_id uuid, code text);`,
      `ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (id);
ALTER TABLE t ADD CONSTRAINT t_org_code UNIQUE (org_id, code);
ALTER TABLE t ADD CONSTRAINT t_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE CASCADE;`,
    ]);
    const t = table(tables, 't');
    expect(t.primaryKey).toEqual(['id']);
    expect(t.columns.get('id')).toMatchObject({ nullable: false, location: { file: 'migrations/0002.sql', line: 1 } });
    expect(t.uniques).toEqual([{ fields: ['org_id', 'code'], name: 't_org_code' }]);
    expect(t.relations.get('org_id')).toMatchObject({ target: 'orgs', required: false });
  });

  it('dropConstraintRemovesItByNameOrGeneratedName ok', () => {
    const tables = expectTables([
      `${ORGS}\nCREATE TABLE t (id int PRIMARY KEY, org_id uuid REFERENCES orgs, code text UNIQUE, CONSTRAINT named UNIQUE (org_id, code));`,
      `ALTER TABLE t DROP CONSTRAINT t_pkey, DROP CONSTRAINT t_org_id_fkey, DROP CONSTRAINT t_code_key, DROP CONSTRAINT named, DROP CONSTRAINT some_check;`,
    ]);
    const t = table(tables, 't');
    expect(t.primaryKey).toEqual([]);
    expect(t.uniques).toEqual([]);
    expect(t.relations.size).toBe(0);
    // Dropping the primary key leaves its columns NOT NULL, as in Postgres.
    expect(t.columns.get('id')?.nullable).toBe(false);
  });

  it('tableRenamedKeepsRelationsPointingAtIt ok', () => {
    const tables = expectTables([
      `CREATE TABLE "Team" (id text PRIMARY KEY);\nCREATE TABLE "Member" (id text PRIMARY KEY, "teamId" text NOT NULL REFERENCES "Team"(id));`,
      `ALTER TABLE "Team" RENAME TO "Organisation";`,
    ]);
    expect([...tables.keys()]).toEqual(['Organisation', 'Member']);
    expect(table(tables, 'Organisation').location).toEqual({ file: 'migrations/0002.sql', line: 1, column: 1 });
    expect(table(tables, 'Member').relations.get('teamId')?.target).toBe('Organisation');
  });

  it('renameCycleTerminates ok', () => {
    const tables = expectTables([
      `CREATE TABLE a (x int);\nCREATE TABLE b (y int);`,
      `ALTER TABLE a RENAME TO tmp;\nALTER TABLE b RENAME TO a;\nALTER TABLE tmp RENAME TO b;`,
      `ALTER TABLE a RENAME TO a;\nALTER TABLE a RENAME TO c;\nALTER TABLE c RENAME TO a;`,
    ]);
    expect([...table(tables, 'a').columns.keys()]).toEqual(['y']);
    expect([...table(tables, 'b').columns.keys()]).toEqual(['x']);
    expect(tables.size).toBe(2);
  });

  it('renameOntoExistingTableIsRefused err', () => {
    const { diagnostics, tables } = expectDiagnostics([`CREATE TABLE a (x int);\nCREATE TABLE b (y int);`, `ALTER TABLE a RENAME TO b;`]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0].message).toContain('already exists');
    expect([...tables.keys()]).toEqual(['a', 'b']);
  });

  it('statements on the tables a platform owns (Supabase storage.objects, auth.users) are not missing tables', () => {
    const { diagnostics } = expectDiagnostics([
      `CREATE TABLE t (id int);`,
      `CREATE POLICY "own files" ON storage.objects FOR SELECT USING (auth.uid()::text = (storage.foldername(name))[1]);\nCREATE TRIGGER on_user AFTER INSERT ON auth.users FOR EACH ROW EXECUTE PROCEDURE f();\nCREATE POLICY p ON app.ghosts USING (true);`,
    ]);
    // Only the application's own schema's missing table is one.
    expect(diagnostics.map((d) => [d.line, d.message.includes('`app.ghosts`')])).toEqual([[3, true]]);
  });

  it('migrationOnMissingTableIsADiagnostic err', () => {
    const { diagnostics, tables } = expectDiagnostics([
      `CREATE TABLE t (id int);`,
      `ALTER TABLE ghosts ADD COLUMN org_id uuid;\nCREATE INDEX g ON ghosts (org_id);\nCREATE POLICY p ON ghosts USING (true);\nDROP TABLE ghosts;\nALTER TABLE IF EXISTS ghosts ADD COLUMN x int;\nDROP TABLE IF EXISTS ghosts;\nALTER TABLE t ALTER COLUMN nope SET NOT NULL;\nALTER TABLE t ADD COLUMN x int;`,
    ]);
    expect(diagnostics.map((d) => [d.file, d.line])).toEqual([
      ['migrations/0002.sql', 1],
      ['migrations/0002.sql', 2],
      ['migrations/0002.sql', 3],
      ['migrations/0002.sql', 4],
      ['migrations/0002.sql', 7],
    ]);
    expect(diagnostics[0].message).toContain('`ghosts`');
    expect([...table(tables, 't').columns.keys()]).toEqual(['id', 'x']);
  });

  it('alterColumnTypeIsTracked ok', () => {
    const tables = expectTables([`CREATE TABLE t (a int);`, `ALTER TABLE t ALTER COLUMN a SET DATA TYPE bigint;`]);
    expect(table(tables, 't').columns.get('a')?.type).toBe('bigint');
  });
});

describe('fold: indexes', () => {
  it('uniqueIndexesBecomeUniquesOthersIndexes ok', () => {
    const tables = expectTables(`CREATE TABLE t (id int, org_id int, email text, created_at timestamptz);
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "t_org_email_key" ON t (org_id, email);
CREATE INDEX ON t (org_id, created_at DESC);
CREATE UNIQUE INDEX ON t (lower(email));`);
    const t = table(tables, 't');
    expect(t.uniques).toEqual([
      { fields: ['org_id', 'email'], name: 't_org_email_key' },
      { fields: ['lower(email)'], name: 'lower(email)' },
    ]);
    expect(t.indexes).toEqual([['org_id', 'created_at']]);
  });

  it('indexDroppedAndRecreated ok', () => {
    const tables = expectTables([
      `CREATE TABLE t (org_id int, email text);\nCREATE UNIQUE INDEX t_email_key ON t (email);\nCREATE INDEX t_org ON t (org_id);`,
      `DROP INDEX t_email_key;\nDROP INDEX IF EXISTS public.t_org;\nDROP INDEX IF EXISTS never_existed;`,
      `CREATE UNIQUE INDEX t_email_key ON t (org_id, email);`,
    ]);
    const t = table(tables, 't');
    expect(t.uniques).toEqual([{ fields: ['org_id', 'email'], name: 't_email_key' }]);
    expect(t.indexes).toEqual([]);
  });

  it('renamedIndexIsDroppedByItsNewName ok', () => {
    const tables = expectTables([
      `CREATE TABLE t (a int);\nCREATE INDEX old_name ON t (a);`,
      `ALTER INDEX old_name RENAME TO new_name;`,
      `DROP INDEX new_name;`,
    ]);
    expect(table(tables, 't').indexes).toEqual([]);
  });

  it('droppedTableTakesItsIndexNames ok', () => {
    const tables = expectTables([`CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);`, `DROP TABLE t;`, `CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);`]);
    expect(table(tables, 't').indexes).toEqual([['a']]);
  });
});

describe('fold: DROP TABLE', () => {
  it('dropTableRemovesItAndTheRelationsToIt ok', () => {
    const tables = expectTables([`${ORGS}\nCREATE TABLE t (id int, org_id uuid REFERENCES orgs);`, `DROP TABLE orgs CASCADE;`]);
    expect([...tables.keys()]).toEqual(['t']);
    expect(table(tables, 't').relations.size).toBe(0);
  });
});

describe('fold: row-level security', () => {
  it('rlsEnableForcePolicy ok', () => {
    const tables = expectTables([
      `${ORGS}\nCREATE TABLE docs (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs);`,
      `ALTER TABLE docs ENABLE ROW LEVEL SECURITY;\nALTER TABLE docs FORCE ROW LEVEL SECURITY;
CREATE POLICY docs_isolation ON docs
  USING (org_id = current_setting('app.current_org')::uuid)
  WITH CHECK (org_id = current_setting('app.current_org')::uuid);`,
    ]);
    expect(table(tables, 'docs').rls).toEqual({
      enabled: true,
      forced: true,
      location: { file: 'migrations/0002.sql', line: 2, column: 1 },
      policies: [
        {
          name: 'docs_isolation',
          expression: "USING (org_id = current_setting('app.current_org')::uuid) WITH CHECK (org_id = current_setting('app.current_org')::uuid)",
          columns: ['org_id'],
          command: 'all',
          permissive: true,
          userColumns: [],
          flagColumns: [],
          accessListColumns: ['org_id'],
          location: { file: 'migrations/0002.sql', line: 3, column: 1 },
        },
      ],
    });
    expect(table(tables, 'orgs').rls).toBeUndefined();
  });

  it('policies pinned to the signed-in user, flags of the row, commands and restrictive policies', () => {
    const tables = expectTables([
      `CREATE TABLE chats (id uuid PRIMARY KEY, user_id uuid NOT NULL, sharing text NOT NULL, is_public boolean);
ALTER TABLE chats ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON chats USING (user_id = auth.uid()) WITH CHECK (user_id = auth.uid());
CREATE POLICY own_wrapped ON chats FOR UPDATE USING ((select auth.uid()) = chats.user_id);
CREATE POLICY own_claim ON chats FOR DELETE USING (user_id::text = current_setting('request.jwt.claim.sub', true));
CREATE POLICY shared ON chats FOR SELECT USING (sharing <> 'private');
CREATE POLICY public_rows ON chats FOR SELECT USING (is_public OR user_id = auth.uid());
CREATE POLICY only_live ON chats AS RESTRICTIVE FOR SELECT USING (sharing IS NOT NULL);
CREATE POLICY everyone ON chats FOR SELECT USING (true);
CREATE POLICY listed ON chats FOR SELECT USING (id = ANY(COALESCE((SELECT public.readable_chat_ids()), '{}'::uuid[])) OR user_id IN (SELECT my_user_ids()));
CREATE POLICY row_function ON chats FOR SELECT USING (is_visible(id) OR sharing > current_setting('app.level'));`,
    ]);
    expect(table(tables, 'chats').rls?.policies.map((p) => [p.name, p.accessListColumns])).toEqual([
      // a value the session computes: the signed-in user's id is one too
      ['own', ['user_id']], ['own_wrapped', ['user_id']], ['own_claim', ['user_id']], ['shared', []], ['public_rows', ['user_id']], ['only_live', []], ['everyone', []],
      ['listed', ['id', 'user_id']],
      ['row_function', []],
    ]);
    const facts = table(tables, 'chats').rls?.policies.map((p) => [p.name, p.command, p.permissive, p.userColumns, p.flagColumns]);
    expect(facts).toEqual([
      ['own', 'all', true, ['user_id'], []],
      ['own_wrapped', 'update', true, ['user_id'], []],
      ['own_claim', 'delete', true, ['user_id'], []],
      ['shared', 'select', true, [], ['sharing']],
      ['public_rows', 'select', true, ['user_id'], ['is_public']],
      ['only_live', 'select', false, [], []],
      ['everyone', 'select', true, [], []],
      ['listed', 'select', true, [], []],
      ['row_function', 'select', true, [], []],
    ]);
  });

  it('rlsDisabledAndPolicyDropped ok', () => {
    const tables = expectTables([
      `CREATE TABLE docs (org_id uuid);\nALTER TABLE docs ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;\nCREATE POLICY p ON docs USING (org_id IS NOT NULL);`,
      `ALTER TABLE docs DISABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY;\nDROP POLICY p ON docs;`,
    ]);
    expect(table(tables, 'docs').rls).toMatchObject({ enabled: false, forced: false, policies: [] });
  });

  it('policyColumnsFollowColumnRenames ok', () => {
    const tables = expectTables([
      `CREATE TABLE docs ("orgId" uuid);\nCREATE POLICY p ON docs FOR SELECT USING ("orgId" = current_setting('app.org')::uuid);`,
      `ALTER TABLE docs RENAME COLUMN "orgId" TO org_id;`,
    ]);
    expect(table(tables, 'docs').rls?.policies[0].columns).toEqual(['org_id']);
  });
});

describe('fold: what is not PostgreSQL', () => {
  it('mysqlStatementIsOneDiagnosticRestFolds err', () => {
    const { diagnostics, tables } = expectDiagnostics([
      `CREATE TABLE orgs (id int PRIMARY KEY);`,
      'CREATE TABLE `users` (\n  `id` int NOT NULL AUTO_INCREMENT,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\nALTER TABLE orgs ADD COLUMN name text NOT NULL;',
    ]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ file: 'migrations/0002.sql', line: 1, column: 1 });
    expect([...tables.keys()]).toEqual(['orgs']);
    expect(nullability(table(tables, 'orgs'))).toEqual({ id: false, name: false });
  });

  it('statementsOnAnUnparsedTableAreNotReportedAgain err', () => {
    const { diagnostics } = expectDiagnostics([
      'CREATE TABLE `users` (`id` int) ENGINE=InnoDB;',
      'ALTER TABLE users ADD COLUMN org_id int;\nCREATE INDEX users_org ON users (org_id);\nALTER TABLE ghosts ADD COLUMN x int;',
      'ALTER TABLE users RENAME TO members;\nALTER TABLE members ADD COLUMN y int;',
    ]);
    expect(diagnostics.map((d) => [d.file, d.line])).toEqual([
      ['migrations/0001.sql', 1],
      ['migrations/0002.sql', 3],
    ]);
  });
});

describe('fold: views', () => {
  const base = 'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE invoices (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id), total int);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\nCREATE POLICY tenant ON invoices USING (org_id = current_setting(\'app.org\')::uuid);';

  it('aViewCarryingAKeyOfATableItReadsIsATableWithThatKey ok', () => {
    const tables = expectTables([
      base,
      'CREATE VIEW invoice_list AS SELECT i.id, i.org_id AS owner, i.total FROM invoices i JOIN orgs o ON o.id = i.org_id;\nCREATE OR REPLACE VIEW all_invoices AS SELECT * FROM invoices;\nCREATE VIEW safe_invoices WITH (security_invoker = true) AS SELECT id, org_id FROM invoices;',
    ]);
    const list = table(tables, 'invoice_list');
    expect(list.view).toBe(true);
    expect(list.columnsUnknown).toBe(true);
    expect([...list.columns.keys()]).toEqual(['id', 'owner', 'total']);
    expect([...list.relations.values()].map((r) => `${r.fields.join()}->${r.target} ${r.required}`)).toEqual(['id->invoices true', 'owner->orgs true']);
    expect([...table(tables, 'all_invoices').relations.values()].map((r) => r.target).sort()).toEqual(['invoices', 'orgs']);
    // security_invoker: the policies of the table it reads apply; a plain view reads with its owner's rights
    expect(table(tables, 'safe_invoices').rls?.policies.map((p) => p.name)).toEqual(['tenant']);
    expect(list.rls).toBeUndefined();
  });

  it('aViewWithoutAKeyIsLeftOutAndAViewCanBeReplacedAndDropped ok', () => {
    const tables = expectTables([
      base,
      'CREATE VIEW invoice_totals AS SELECT sum(total) AS total FROM invoices;\nCREATE VIEW per_org AS SELECT org_id FROM invoices;\nCREATE OR REPLACE VIEW per_org AS SELECT count(*) AS n FROM invoices;\nCREATE VIEW gone AS SELECT id, org_id FROM invoices;\nDROP VIEW gone;\nDROP VIEW IF EXISTS never_made;',
    ]);
    expect([...tables.keys()]).toEqual(['orgs', 'invoices']);
  });
});

describe('fold: materialized views and CREATE TABLE AS', () => {
  it('materializedViewIsKnownToLaterStatementsButIsNotATable ok', () => {
    const tables = expectTables([
      'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE events (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id));',
      'CREATE MATERIALIZED VIEW "eventCounts" AS SELECT org_id, count(*) AS n FROM events GROUP BY org_id;\nCREATE UNIQUE INDEX event_counts_org ON "eventCounts" (org_id);',
      'DROP MATERIALIZED VIEW IF EXISTS "eventCounts";\nCREATE MATERIALIZED VIEW "eventCounts" AS SELECT org_id FROM events;\nCREATE INDEX ON "eventCounts" (org_id);',
      'DROP MATERIALIZED VIEW "eventCounts";',
    ]);
    // A view holds no rows of its own to give a tenant column: it is not listed as a table.
    expect([...tables.keys()]).toEqual(['orgs', 'events']);
  });

  it('createTableAsSelectRegistersATableWithUnknownColumns ok', () => {
    const tables = expectTables([
      'CREATE TABLE integrations (id uuid PRIMARY KEY, settings jsonb);',
      'CREATE TABLE "integrationsBackup" AS SELECT * FROM integrations WHERE 1 = 2;\nALTER TABLE "integrationsBackup" ADD COLUMN "backupCreatedAt" timestamptz NOT NULL DEFAULT now();\nCREATE INDEX ix_backup_id ON "integrationsBackup" (id);',
      // schema-qualified `public.` is the same table; a column it may have is dropped without a diagnostic
      'ALTER TABLE public."integrationsBackup" DROP COLUMN settings;\nCREATE TABLE archive.integrations_copy AS SELECT id FROM integrations;\nCREATE INDEX ON archive.integrations_copy (id);',
      'CREATE TEMP TABLE merge_pairs AS SELECT id FROM integrations;\nCREATE INDEX ON merge_pairs (id);\nSELECT id INTO integrations_ids FROM integrations;\nALTER TABLE integrations_ids ADD COLUMN note text;',
    ]);
    const backup = table(tables, 'integrationsBackup');
    expect(backup.columnsUnknown).toBe(true);
    expect([...backup.columns.keys()]).toEqual(['backupCreatedAt']);
    expect(backup.indexes).toEqual([['id']]);
    expect(table(tables, 'archive.integrations_copy').columnsUnknown).toBe(true);
    expect(table(tables, 'integrations_ids').columnsUnknown).toBe(true);
    expect(table(tables, 'integrations').columnsUnknown).toBeUndefined();
  });

  it('createTableAsOverAnExistingTableIsReportedLikeCreateTable err', () => {
    const { diagnostics, tables } = expectDiagnostics(['CREATE TABLE t (id int);', 'CREATE TABLE t AS SELECT 1 AS id;\nCREATE TABLE IF NOT EXISTS t AS SELECT 2 AS id;']);
    expect(diagnostics.map((d) => [d.file, d.line])).toEqual([['migrations/0002.sql', 1]]);
    expect(table(tables, 't').columnsUnknown).toBe(true);
  });
});
