/**
 * Property-based tests (fast-check, fixed seeds, modest run counts so `npm test` stays quick) over
 * the SQL analysis, the migration fold and the schema readers (issue 17):
 * - random and mutated inputs never throw out of the core;
 * - adding a tenant predicate to a query never creates a finding, and removing the only one from a
 *   scoped query always creates exactly one (per statement, in files of several statements).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSqlQueryFile } from '../../src/analyze/sql-files.js';
import { loadProject, type Project } from '../../src/project/project.js';
import { readPrismaModels } from '../../src/schema/prisma.js';
import { upSectionOnly } from '../../src/schema/sql-migrations.js';
import { SchemaFold } from '../../src/sql/fold.js';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { parseSqlFile } from '../../src/sql/parse.js';

// Deeper runs by hand: TENANT_LINT_PROPERTY_RUNS=5000 TENANT_LINT_PROPERTY_SEED=<n> npx vitest run test/robust/properties.test.ts
const RUNS = { seed: Number(process.env.TENANT_LINT_PROPERTY_SEED ?? 17), numRuns: Number(process.env.TENANT_LINT_PROPERTY_RUNS ?? 120) };

const MIGRATION = `CREATE TABLE orgs (id uuid PRIMARY KEY, name text);
CREATE TABLE notes (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id), title text, body text, created_at timestamptz);
CREATE INDEX notes_org ON notes (org_id, id);
`;

const PRISMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id       String    @id
  invoices Invoice[]
}

model Invoice {
  id           String       @id
  orgId        String
  total        Int?
  organization Organization @relation(fields: [orgId], references: [id], onDelete: Cascade)

  @@index([orgId, id])
  @@map("invoices")
}

enum Role {
  ADMIN
  MEMBER
}
`;

let dir: string;
let project: Project;

beforeAll(async () => {
  await loadSqlParsers();
  dir = mkdtempSync(join(tmpdir(), 'tenant-lint-properties-'));
  mkdirSync(join(dir, 'migrations'));
  writeFileSync(join(dir, 'package.json'), '{"name":"q"}');
  writeFileSync(join(dir, 'migrations', '001_init.sql'), MIGRATION);
  project = loadProject(dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function analyze(text: string) {
  return analyzeSqlQueryFile(text, 'queries/q.sql', project.schema, project.config);
}

function fold(texts: string[]) {
  const state = new SchemaFold();
  for (const [i, text] of texts.entries()) {
    for (const statement of parseSqlFile(upSectionOnly(text), `migrations/${i}.sql`).statements) state.apply(statement);
  }
  return state.result();
}

// ---------------------------------------------------------------- generators

/** A string edited a few times: characters inserted, deleted or replaced, slices duplicated. */
function mutated(base: string): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 12 }), fc.constantFrom('insert', 'delete', 'replace', 'duplicate'), fc.string({ unit: 'binary', maxLength: 6 }));
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    let text = base;
    for (const [at, length, kind, piece] of edits) {
      const start = text.length === 0 ? 0 : at % text.length;
      if (kind === 'insert') text = text.slice(0, start) + piece + text.slice(start);
      else if (kind === 'delete') text = text.slice(0, start) + text.slice(start + length);
      else if (kind === 'replace') text = text.slice(0, start) + piece + text.slice(start + piece.length);
      else text = text.slice(0, start) + text.slice(start, start + length) + text.slice(start);
    }
    return text;
  });
}

/** Random text weighted towards SQL and Prisma tokens, so that parsers get past their first token. */
const TOKENS = ['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'notes', 'orgs', 'org_id', '=', '$1', '(', ')', ',', ';', '\n', ' ', "'", '"', '--', '/*', '*/', '$$', 'DO', 'BEGIN', 'END', 'CREATE TABLE', 'ALTER TABLE', 'ADD COLUMN', 'REFERENCES', 'uuid', 'text', 'model', '{', '}', '@id', '@@index', '@relation', 'fields:', '[', ']', 'String', '//', 'sqlc.arg(', ':name', '@id', 'tenant-lint-ignore', '\u0000', '\u001b'];
const tokenSoup = fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })), { maxLength: 60 }).map((parts) => parts.join(' '));
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), tokenSoup);

/** One predicate atom on a column that is not the tenant's; `$?` is numbered when the query is rendered. */
const otherAtom = fc.tuple(fc.constantFrom('id', 'title', 'body', 'created_at'), fc.constantFrom('= $?', '<> $?', '> $?', 'IS NULL', 'IS NOT NULL', 'IN ($?, $?)', 'LIKE $?')).map(([column, rest]) => `${column} ${rest}`);

interface QueryShape {
  kind: 'select' | 'update' | 'delete';
  alias: boolean;
  atoms: string[];
  tenantAt: number;
  tenantForm: number;
  tail: string;
}

const queryShape: fc.Arbitrary<QueryShape> = fc.record({
  kind: fc.constantFrom('select', 'update', 'delete'),
  alias: fc.boolean(),
  atoms: fc.array(otherAtom, { maxLength: 4 }),
  tenantAt: fc.nat(),
  tenantForm: fc.nat({ max: 2 }),
  tail: fc.constantFrom('', ' ORDER BY id', ' LIMIT 10', ' ORDER BY created_at DESC LIMIT $?'),
});

/** The query, with its tenant predicate (`scoped`) or without it: the only difference between the two. */
function render(shape: QueryShape, scoped: boolean): string {
  const table = shape.alias ? 'notes n' : 'notes';
  const qualify = (atom: string) => (shape.alias ? `n.${atom}` : atom);
  const tenant = [`${shape.alias ? 'n.' : ''}org_id = $?`, `$? = ${shape.alias ? 'n.' : ''}org_id`, `${shape.alias ? 'n' : 'notes'}.org_id = $?`][shape.tenantForm];
  const atoms = shape.atoms.map(qualify);
  if (scoped) atoms.splice(shape.tenantAt % (atoms.length + 1), 0, tenant);
  const where = atoms.length ? ` WHERE ${atoms.join(' AND ')}` : '';
  const tail = shape.kind === 'select' ? shape.tail : '';
  const sql =
    shape.kind === 'select'
      ? `SELECT ${shape.alias ? 'n.id, n.title' : '*'} FROM ${table}${where}${tail}`
      : shape.kind === 'update'
        ? `UPDATE ${table} SET body = $?${where}`
        : `DELETE FROM ${table}${where}`;
  let n = 0;
  return sql.replace(/\$\?/g, () => `$${++n}`);
}

const missing = (text: string) => analyze(text).findings.filter((f) => f.ruleId === 'require-tenant-filter');

// ---------------------------------------------------------------- properties

describe('random and mutated inputs never throw out of the core', () => {
  it('.sql query analysis', () => {
    const valid = 'SELECT * FROM notes WHERE org_id = $1 AND id = $2;\n-- name: Del :exec\nDELETE FROM notes WHERE id = $1;\n';
    fc.assert(
      fc.property(fc.oneof(anyText, mutated(valid)), (text) => {
        const result = analyze(text);
        expect(Array.isArray(result.findings)).toBe(true);
      }),
      RUNS,
    );
  });

  it('migration parsing and the fold', () => {
    const second = 'ALTER TABLE notes ADD COLUMN archived boolean;\nDO $$ BEGIN CREATE TABLE tags (id int, org_id uuid REFERENCES orgs(id)); EXCEPTION WHEN others THEN null; END $$;\n-- migrate:down\nDROP TABLE tags;\n';
    fc.assert(
      fc.property(fc.array(fc.oneof(anyText, mutated(MIGRATION), mutated(second)), { minLength: 1, maxLength: 3 }), (texts) => {
        expect(Array.isArray(fold(texts))).toBe(true);
      }),
      RUNS,
    );
  });

  it('the Prisma schema reader', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, mutated(PRISMA)), (text) => {
        const result = readPrismaModels([{ file: 'schema.prisma', text }]);
        expect(Array.isArray(result.tables)).toBe(true);
      }),
      RUNS,
    );
  });

  it('a mutated Prisma schema still yields the models the mutation did not touch (partial loss)', () => {
    // Appending junk after the last model never costs a model before it.
    fc.assert(
      fc.property(tokenSoup, (junk) => {
        const names = readPrismaModels([{ file: 'schema.prisma', text: `${PRISMA}\n${junk.replace(/[{}]/g, '')}\n` }]).tables.map((t) => t.name);
        expect(names).toEqual(expect.arrayContaining(['Organization', 'Invoice']));
      }),
      RUNS,
    );
  });
});

describe('tenant predicates', () => {
  it('the tenant predicate decides: with it no finding, without it one (select, update, delete)', () => {
    fc.assert(
      fc.property(queryShape, (shape) => {
        expect(missing(`${render(shape, true)};\n`)).toEqual([]);
        expect(missing(`${render(shape, false)};\n`)).toHaveLength(1);
      }),
      RUNS,
    );
  });

  it('in a file of several statements, adding the predicate to one never adds a finding; removing it adds exactly one', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(queryShape, fc.boolean()), { minLength: 1, maxLength: 5 }), fc.nat(), (statements, pick) => {
        const index = pick % statements.length;
        const file = (scopedAt: boolean) => statements.map(([shape, scoped], i) => `${render(shape, i === index ? scopedAt : scoped)};\n`).join('');
        const withIt = missing(file(true)).length;
        const withoutIt = missing(file(false)).length;
        expect(withoutIt).toBe(withIt + 1);
        expect(withIt).toBe(statements.filter(([, scoped], i) => i !== index && !scoped).length);
      }),
      RUNS,
    );
  });

  it('adding a tenant predicate to any readable query never creates a finding', () => {
    // Queries the generator above does not shape: joins, subqueries, CTEs over both tables.
    const bases = [
      'SELECT n.* FROM notes n JOIN orgs o ON o.id = n.org_id WHERE {P}',
      'SELECT * FROM notes WHERE id IN (SELECT id FROM notes WHERE title = $1) AND {P}',
      'WITH recent AS (SELECT * FROM notes WHERE {P}) SELECT * FROM recent',
      'SELECT count(*) FROM notes WHERE {P} GROUP BY title',
      'UPDATE notes SET title = $1 WHERE id = $2 AND {P} RETURNING id',
    ];
    // Control: without the predicate, these queries are findings (the property is not vacuous).
    for (const base of bases) expect(missing(`${base.replace('{P}', 'title = $1')};\n`).length, base).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.constantFrom(...bases), otherAtom, (base, atom) => {
        const n = (s: string) => {
          let i = 0;
          return s.replace(/\$\?/g, () => `$${90 + ++i}`);
        };
        const without = missing(`${n(base.replace('{P}', atom))};\n`).length;
        const withIt = missing(`${n(base.replace('{P}', `${atom} AND ${base.startsWith('SELECT n.') ? 'n.' : ''}org_id = $?`))};\n`).length;
        expect(withIt).toBeLessThanOrEqual(without);
      }),
      RUNS,
    );
  });
});
