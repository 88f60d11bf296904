import { beforeAll, describe, expect, it } from 'vitest';
import { libpgReady, loadSqlParsers } from '../../src/sql/libpg.js';
import { parseSqlFile } from '../../src/sql/parse.js';
import type { SqlParserName, SqlStatement } from '../../src/sql/statements.js';
import { statementOf } from './helpers.js';

beforeAll(async () => {
  await loadSqlParsers();
});

/** Statement fields that do not depend on which parser produced them. */
function model(statements: SqlStatement[]): unknown[] {
  return statements.map((statement) => ({ ...statement, parser: 'either' }));
}

describe('loadSqlParsers', () => {
  it('loadsOnceAndIsIdempotent ok', async () => {
    await loadSqlParsers();
    await Promise.all([loadSqlParsers(), loadSqlParsers()]);
    expect(libpgReady()).toBe(true);
  });
});

describe('parseSqlFile: the statement model', () => {
  it('createTableWithColumnsAndConstraints ok', () => {
    const statement = statementOf(`CREATE TABLE IF NOT EXISTS "Billing"."Invoice" (
  id uuid PRIMARY KEY,
  "orgId" TEXT NOT NULL REFERENCES org (id),
  Number integer UNIQUE,
  tags text[],
  CONSTRAINT inv_org_fk FOREIGN KEY ("orgId", number) REFERENCES "Org" (id, n),
  UNIQUE ("orgId", number)
);`);
    expect(statement).toMatchObject({
      kind: 'CreateTable',
      table: { schema: 'Billing', name: 'Invoice' },
      ifNotExists: true,
      columns: [
        { name: 'id', type: 'uuid', notNull: false, primaryKey: true, unique: false, location: { file: 'm.sql', line: 2, column: 3 } },
        { name: 'orgId', type: 'text', notNull: true, primaryKey: false, references: { table: { name: 'org' }, column: 'id' }, location: { line: 3 } },
        { name: 'number', type: 'integer', unique: true },
        { name: 'tags', type: 'text[]', notNull: false },
      ],
      constraints: [
        { kind: 'ForeignKey', name: 'inv_org_fk', columns: ['orgId', 'number'], refTable: { name: 'Org' }, refColumns: ['id', 'n'] },
        { kind: 'Unique', columns: ['orgId', 'number'] },
      ],
      location: { file: 'm.sql', line: 1, column: 1 },
    });
  });

  it('alterTableActionsOfEveryKind ok', () => {
    const statement = statementOf(`ALTER TABLE IF EXISTS ONLY public.t
  ADD COLUMN IF NOT EXISTS a int NOT NULL,
  DROP COLUMN IF EXISTS b,
  ALTER COLUMN c SET NOT NULL,
  ALTER COLUMN d DROP NOT NULL,
  ALTER COLUMN e TYPE varchar(10),
  ADD CONSTRAINT t_pk PRIMARY KEY (a),
  ADD CONSTRAINT t_fk FOREIGN KEY (c) REFERENCES s.o (id),
  DROP CONSTRAINT IF EXISTS old,
  ENABLE ROW LEVEL SECURITY,
  FORCE ROW LEVEL SECURITY,
  NO FORCE ROW LEVEL SECURITY,
  DISABLE ROW LEVEL SECURITY;`);
    expect(statement).toMatchObject({
      kind: 'AlterTable',
      table: { schema: 'public', name: 't' },
      ifExists: true,
      actions: [
        { kind: 'AddColumn', ifNotExists: true, column: { name: 'a', type: 'integer', notNull: true } },
        { kind: 'DropColumn', column: 'b', ifExists: true },
        { kind: 'SetNotNull', column: 'c' },
        { kind: 'DropNotNull', column: 'd' },
        { kind: 'SetColumnType', column: 'e', type: 'varchar(10)' },
        { kind: 'AddConstraint', constraint: { kind: 'PrimaryKey', name: 't_pk', columns: ['a'] } },
        { kind: 'AddConstraint', constraint: { kind: 'ForeignKey', name: 't_fk', columns: ['c'], refTable: { schema: 's', name: 'o' }, refColumns: ['id'] } },
        { kind: 'DropConstraint', name: 'old', ifExists: true },
        { kind: 'EnableRls' },
        { kind: 'ForceRls' },
        { kind: 'NoForceRls' },
        { kind: 'DisableRls' },
      ],
    });
  });

  it('renamesBecomeAlterTableActions ok', () => {
    expect(statementOf('ALTER TABLE "Old" RENAME TO "New";')).toMatchObject({ kind: 'AlterTable', table: { name: 'Old' }, actions: [{ kind: 'RenameTable', to: 'New' }] });
    expect(statementOf('ALTER TABLE t RENAME COLUMN "A" TO b;')).toMatchObject({ kind: 'AlterTable', actions: [{ kind: 'RenameColumn', from: 'A', to: 'b' }] });
    expect(statementOf('ALTER TABLE t RENAME CONSTRAINT x TO y;')).toMatchObject({ actions: [{ kind: 'RenameConstraint', from: 'x', to: 'y' }] });
    expect(statementOf('ALTER INDEX "a_idx" RENAME TO b_idx;')).toMatchObject({ kind: 'RenameIndex', index: { name: 'a_idx' }, to: 'b_idx' });
  });

  it('createIndexKeepsExpressionsAsText ok', () => {
    expect(statementOf('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "Member_org_email" ON public."Member" USING btree ("orgId", lower(email) DESC);')).toMatchObject({
      kind: 'CreateIndex',
      name: 'Member_org_email',
      table: { schema: 'public', name: 'Member' },
      columns: ['orgId', 'lower(email)'],
      unique: true,
      ifNotExists: true,
    });
  });

  it('dropIndexAndDropTableListTheirNames ok', () => {
    expect(statementOf('DROP INDEX CONCURRENTLY IF EXISTS a, s."B";')).toMatchObject({ kind: 'DropIndex', ifExists: true, names: [{ name: 'a' }, { schema: 's', name: 'B' }] });
    expect(statementOf('DROP TABLE x, public.y CASCADE;')).toMatchObject({ kind: 'DropTable', ifExists: false, tables: [{ name: 'x' }, { schema: 'public', name: 'y' }] });
  });

  it('createPolicyKeepsExpressionsAndTheColumnsTheyCompare ok', () => {
    const statement = statementOf(`CREATE POLICY tenant_isolation ON invoices AS PERMISSIVE FOR SELECT TO app
  USING (org_id = current_setting('app.org_id')::uuid AND invoices.deleted_at IS NULL)
  WITH CHECK (org_id IN (SELECT org_id FROM memberships WHERE user_id = auth.uid()));`);
    expect(statement).toMatchObject({
      kind: 'CreatePolicy',
      name: 'tenant_isolation',
      table: { name: 'invoices' },
      command: 'select',
      using: "org_id = current_setting('app.org_id')::uuid AND invoices.deleted_at IS NULL",
      check: 'org_id IN (SELECT org_id FROM memberships WHERE user_id = auth.uid())',
      columns: ['org_id', 'deleted_at'],
    });
  });

  it('dropPolicyNamesItsTable ok', () => {
    expect(statementOf('DROP POLICY IF EXISTS p ON s.t;')).toMatchObject({ kind: 'DropPolicy', name: 'p', table: { schema: 's', name: 't' }, ifExists: true });
  });

  it('otherStatementsKeepTheirKind ok', () => {
    expect(statementOf('INSERT INTO t VALUES (1);')).toMatchObject({ kind: 'Other', other: 'Insert' });
    expect(statementOf('GRANT SELECT ON t TO app;')).toMatchObject({ kind: 'Other', other: 'Grant' });
    expect(statementOf(`CREATE TYPE "Role" AS ENUM ('ADMIN', 'MEMBER');`)).toMatchObject({ kind: 'Other' });
  });

  it('unquotedNamesLowerCasedQuotedNamesKeepCase ok', () => {
    expect(statementOf('CREATE TABLE Public.MyTable ("MixedCase" int, PlainCase int);')).toMatchObject({
      table: { schema: 'public', name: 'mytable' },
      columns: [{ name: 'MixedCase' }, { name: 'plaincase' }],
    });
  });

  it('typesHaveOneSpellingWhicheverParser ok', () => {
    const sql = `CREATE TABLE t (a integer, b int8, c timestamp(3) with time zone, d character varying(255), e double precision, f numeric(10,2)[], g "Role", h bool, i serial, j uuid);`;
    const types = (parsers: SqlParserName[]) => {
      const [statement] = parseSqlFile(sql, 'm.sql', { parsers }).statements;
      return statement.kind === 'CreateTable' ? statement.columns.map((c) => `${c.type}${c.notNull ? '!' : ''}`) : [];
    };
    const expected = ['integer', 'bigint', 'timestamptz(3)', 'varchar(255)', 'double precision', 'numeric(10,2)[]', 'Role', 'boolean', 'serial!', 'uuid'];
    expect(types(['libpg-query'])).toEqual(expected);
    expect(types(['pgsql-ast-parser'])).toEqual(expected);
  });

  it('bothParsersProduceTheSameModel ok', () => {
    const sql = `CREATE TABLE IF NOT EXISTS "Org" (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE member (
  id bigserial,
  "orgId" uuid NOT NULL REFERENCES "Org"(id),
  email text UNIQUE,
  CONSTRAINT member_pkey PRIMARY KEY (id),
  CONSTRAINT member_org_fk FOREIGN KEY ("orgId") REFERENCES "Org" (id)
);
ALTER TABLE member ADD COLUMN role text, ALTER COLUMN email SET NOT NULL, DROP COLUMN IF EXISTS x, ADD CONSTRAINT u UNIQUE ("orgId", email);
ALTER TABLE member RENAME COLUMN role TO kind;
ALTER TABLE member RENAME TO members;
CREATE UNIQUE INDEX IF NOT EXISTS members_org_email ON members ("orgId", email);
ALTER INDEX members_org_email RENAME TO m_oe;
DROP INDEX IF EXISTS m_oe;
DROP TABLE IF EXISTS old_things;`;
    const libpg = parseSqlFile(sql, 'm.sql', { parsers: ['libpg-query'] });
    const ast = parseSqlFile(sql, 'm.sql', { parsers: ['pgsql-ast-parser'] });
    expect(libpg.diagnostics).toEqual([]);
    expect(ast.diagnostics).toEqual([]);
    expect(model(ast.statements)).toEqual(model(libpg.statements));
    expect(libpg.stats).toEqual({ total: 9, libpgQuery: 9, pgsqlAstParser: 0, failed: 0 });
    expect(ast.stats).toEqual({ total: 9, libpgQuery: 0, pgsqlAstParser: 9, failed: 0 });
  });

  it('columnLocationsSurviveMultibyteText ok', () => {
    const statement = statementOf(`CREATE TABLE "café€" (\n  "ünï" text, b int);`);
    expect(statement.kind === 'CreateTable' && statement.columns.map((c) => [c.location.line, c.location.column])).toEqual([
      [2, 3],
      [2, 15],
    ]);
  });
});

describe('parseSqlFile: DO blocks', () => {
  it('doBlockStatementsAreReadWithTheirLocations ok', () => {
    const sql = `DO $$ BEGIN\n ALTER TABLE "users" ADD CONSTRAINT "users_org_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id");\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;`;
    const orders: SqlParserName[][] = [['libpg-query'], ['pgsql-ast-parser']];
    for (const parsers of orders) {
      const result = parseSqlFile(sql, 'm.sql', { parsers });
      expect(result.diagnostics).toEqual([]);
      expect(result.statements).toMatchObject([
        { kind: 'AlterTable', table: { name: 'users' }, actions: [{ kind: 'AddConstraint', constraint: { kind: 'ForeignKey', name: 'users_org_fk' } }], location: { line: 2, column: 2 } },
      ]);
    }
  });

  it('doBlockGuardedStatementIsRead ok', () => {
    const sql = `DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM information_schema.table_constraints WHERE constraint_name = 'fk') THEN\n    ALTER TABLE "a" ADD CONSTRAINT "fk" FOREIGN KEY ("bId") REFERENCES "b"("id");\n  END IF;\nEND $$;`;
    const result = parseSqlFile(sql, 'm.sql');
    expect(result.diagnostics).toEqual([]);
    expect(result.statements).toMatchObject([{ kind: 'AlterTable', table: { name: 'a' }, location: { line: 4, column: 5 } }]);
  });

  it('doBlockWithControlFlowStaysOneStatement ok', () => {
    const result = parseSqlFile(`DO $$ BEGIN IF NOT EXISTS (SELECT 1) THEN RAISE NOTICE 'x'; END IF; END $$;`, 'm.sql');
    expect(result.diagnostics).toEqual([]);
    expect(result.statements).toMatchObject([{ kind: 'Other', other: 'Do' }]);
  });
});

describe('parseSqlFile: what no parser accepts', () => {
  it('unparseableStatementIsOneDiagnostic err', () => {
    const sql = 'CREATE TABLE a (id int);\nCREATE TABLE `b` (\n  `id` int NOT NULL AUTO_INCREMENT\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\nCREATE TABLE c (id int);';
    const result = parseSqlFile(sql, 'db/migrations/0001.sql');
    expect(result.statements.map((s) => (s.kind === 'CreateTable' ? s.table.name : s.kind))).toEqual(['a', 'Unparsed', 'c']);
    expect(result.statements[1]).toMatchObject({ kind: 'Unparsed', creates: { name: 'b' }, location: { line: 2, column: 1 } });
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ file: 'db/migrations/0001.sql', line: 2, column: 1 });
    expect(result.diagnostics[0].message).toContain('syntax error at or near "`" (line 2, column 14)');
    expect(result.stats).toEqual({ total: 3, libpgQuery: 2, pgsqlAstParser: 0, failed: 1 });
  });

  it('templatedSqlIsOneDiagnostic err', () => {
    const result = parseSqlFile('CREATE TABLE {{ schema }}.users (id int);\nCREATE TABLE ok (id int);', 'm.sql');
    expect(result.diagnostics).toHaveLength(1);
    expect(result.statements.map((s) => s.kind)).toEqual(['Unparsed', 'CreateTable']);
  });

  it('withoutLibpgAPolicyIsADiagnosticThatSaysWhy err', () => {
    const result = parseSqlFile('CREATE TABLE t (id int);\nCREATE POLICY p ON t USING (true);', 'm.sql', { parsers: ['pgsql-ast-parser'] });
    expect(result.statements.map((s) => s.kind)).toEqual(['CreateTable', 'Unparsed']);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ line: 2, column: 1 });
    expect(result.diagnostics[0].message).toContain('not understood by pgsql-ast-parser');
  });
});
