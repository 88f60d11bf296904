/**
 * Partial input, partial loss only: a bad model, statement or file costs that model, statement or
 * file (as a counted diagnostic or undecided site), never the rest of the schema or the report.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { readPrismaModels } from '../../src/schema/prisma.js';
import { readSqlMigrations, locateMigrations } from '../../src/schema/sql-migrations.js';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { blankUnparseableStatements } from '../../src/sql/recover.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

beforeAll(async () => {
  await loadSqlParsers();
});

const DB = `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`;
const LEAK = `import { prisma } from './db';\nexport function getInvoice(id: string) {\n  return prisma.invoice.findFirst({ where: { id } });\n}\n`;

describe('schema.prisma: one syntax error costs that block', () => {
  const SCHEMA = `// The tenant root
model Organization {
  id       String    @id
  invoices Invoice[]
  notes    Note[]
}

enum Status {
  OPEN
  PAID
}

model Note {
  id    String @id
  orgId String
  org   Organization @relation(fields: [orgId], references: [id])
  body  String @@@ not prisma
}

model Invoice {
  id           String       @id
  orgId        String
  status       Status
  organization Organization @relation(fields: [orgId], references: [id])

  @@index([orgId, id])
}
`;

  it('readPrismaModels keeps every other model, at its own lines', () => {
    const { tables, diagnostics } = readPrismaModels([{ file: 'schema.prisma', text: SCHEMA }]);
    expect(tables.map((t) => t.name)).toEqual(['Organization', 'Invoice']);
    expect(tables.find((t) => t.name === 'Invoice')?.location).toEqual({ file: 'schema.prisma', line: 20, column: 1 });
    expect(tables.find((t) => t.name === 'Invoice')?.columns.get('orgId')?.location).toEqual({ file: 'schema.prisma', line: 22, column: 3 });
    expect(diagnostics).toEqual([{ file: 'schema.prisma', line: 17, column: expect.any(Number), message: expect.stringMatching(/^Prisma schema syntax error: .*\(model Note not read; the other blocks were\)$/) }]);
    // The relation to the unread model is neither a column nor a dangling relation.
    expect([...(tables[0].columns.keys() ?? [])]).toEqual(['id']);
  });

  it('a model whose closing brace is missing costs that model only', () => {
    const text = 'model Organization {\n  id String @id\n\nmodel Invoice {\n  id    String @id\n  orgId String\n}\n';
    const { tables, diagnostics } = readPrismaModels([{ file: 's.prisma', text }]);
    expect(tables.map((t) => t.name)).toEqual(['Invoice']);
    expect(diagnostics).toHaveLength(1);
  });

  it('the scan still reports the leak on the model that parsed', async () => {
    const dir = makeProject({ 'package.json': '{"name":"app"}', 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': LEAK });
    const result = await scan({ path: dir, fileBudgetMs: 0 });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`)).toEqual(['src/invoices.ts:3']);
    expect(result.projects[0]).toMatchObject({ tenantRoot: 'Organization', tables: { tenant: ['Invoice'] } });
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'schema-error', file: 'prisma/schema.prisma', line: 17 })]);
  });
});

describe('.sql query files: one bad statement costs that statement', () => {
  const MIGRATION = 'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE notes (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id));\nCREATE INDEX ON notes (org_id, id);\n';
  const QUERIES = [
    '-- name: GetNote :one',
    'SELECT * FROM notes WHERE id = :id;',
    '',
    '-- name: MysqlOnly :many',
    'SELECT * FROM notes LIMIT 1, 2;',
    '',
    '-- name: ListNotes :many',
    'SELECT * FROM notes WHERE org_id = sqlc.arg(org_id);',
    '',
    '-- name: DeleteNote :exec',
    'DELETE FROM notes WHERE id = @id;',
    '',
  ].join('\n');

  it('blankUnparseableStatements blanks only the statement, keeping lengths and lines', () => {
    const recovered = blankUnparseableStatements(QUERIES);
    expect(recovered.text).toHaveLength(QUERIES.length);
    expect(recovered.text.split('\n')).toHaveLength(QUERIES.split('\n').length);
    expect(recovered.unparsed).toEqual([{ line: 5, column: 1, message: expect.stringContaining('LIMIT #,#') }]);
    expect(recovered.text.split('\n')[4].trim()).toBe(';');
    expect(recovered.text.split('\n')[1]).toBe(QUERIES.split('\n')[1]);
  });

  it('the other statements are analysed; the bad one is one undecided site at its line', async () => {
    const dir = makeProject({ 'package.json': '{"name":"app"}', 'migrations/0001_init.sql': MIGRATION, 'queries/notes.sql': QUERIES });
    const result = await scan({ path: dir, fileBudgetMs: 0 });
    const queryFindings = result.findings.filter((f) => f.file === 'queries/notes.sql');
    expect(queryFindings.map((f) => [f.line, f.message.split(':')[0]])).toEqual([
      [2, expect.stringContaining('GetNote')],
      [11, expect.stringContaining('DeleteNote')],
    ]);
    expect(result.unknown).toEqual([expect.objectContaining({ file: 'queries/notes.sql', line: 5, reason: expect.stringMatching(/^the SQL does not parse: this statement/) })]);
    expect(result.coverage.verdict).toBe('PARTIAL');
  });
});

describe('migrations: a junk second migration costs its statements', () => {
  it('the first migration still defines the tables; each junk statement is a diagnostic', () => {
    const dir = makeProject({
      'migrations/0001_init.sql': 'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE notes (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id));\n',
      'migrations/0002_junk.sql': 'this is not sql;\nneither is this;\nALTER TABLE notes ADD COLUMN body text;\n%%% @@@;\n',
    });
    const result = readSqlMigrations(dir, locateMigrations(dir));
    expect(result.files).toEqual(['migrations/0001_init.sql', 'migrations/0002_junk.sql']);
    expect(result.tables.map((t) => t.name).sort()).toEqual(['notes', 'orgs']);
    expect([...(result.tables.find((t) => t.name === 'notes')?.columns.keys() ?? [])]).toEqual(['id', 'org_id', 'body']);
    expect(result.diagnostics.map((d) => [d.file, d.line])).toEqual([
      ['migrations/0002_junk.sql', 1],
      ['migrations/0002_junk.sql', 2],
      ['migrations/0002_junk.sql', 4],
    ]);
  });

  it('a migration of thousands of junk statements shows the first twenty and counts the rest', () => {
    const dir = makeProject({
      'migrations/0001_init.sql': 'CREATE TABLE orgs (id uuid PRIMARY KEY);\n',
      'migrations/0002_junk.sql': 'not sql at all;\n'.repeat(5000),
    });
    const result = readSqlMigrations(dir, locateMigrations(dir));
    expect(result.tables.map((t) => t.name)).toEqual(['orgs']);
    expect(result.diagnostics).toHaveLength(21);
    expect(result.diagnostics[20].message).toMatch(/^4980 more SQL statement\(s\) of this migration skipped/);
    expect(result.stats.failed).toBe(5000);
  });
});
