/**
 * Every regular expression that sees scanned text must run in linear time. Each case feeds the input
 * that made the old expression backtrack (quadratically or worse) at a size the old expression would
 * not finish within the test timeout; the linear version takes milliseconds. No timing assertions:
 * a regression shows as a timeout.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TSESTree } from '@typescript-eslint/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSqlQueryFile } from '../../src/analyze/sql-files.js';
import { readSuppressions } from '../../src/core/suppressions.js';
import { loadProject, type Project } from '../../src/project/project.js';
import { readPrismaModels } from '../../src/schema/prisma.js';
import { upSectionOnly } from '../../src/schema/sql-migrations.js';
import { TS_SCHEMA_MARKERS } from '../../src/schema/ts-sources.js';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { parseSqlFile } from '../../src/sql/parse.js';
import { stripIndexElementOptions } from '../../src/sql/text.js';
import type { Finding } from '../../src/core/finding.js';
import { isPageFile, isRouteFile } from '../../src/http/nextjs.js';
import { beforeAlias } from '../../src/orm/census.js';
import { innerEmbeds } from '../../src/orm/supabase.js';
import type { FilterLink } from '../../src/orm/supabase-filter.js';
import { relatedLocations } from '../../src/report/related.js';

const MB = 1_000_000;

function comment(value: string, type: 'Line' | 'Block' = 'Line'): TSESTree.Comment {
  const loc = { start: { line: 1, column: 0 }, end: { line: 1, column: value.length } };
  return { type, value, loc, range: [0, value.length] } as TSESTree.Comment;
}

let dir: string;
let project: Project;

beforeAll(async () => {
  await loadSqlParsers();
  dir = mkdtempSync(join(tmpdir(), 'tenant-lint-redos-'));
  mkdirSync(join(dir, 'migrations'));
  writeFileSync(join(dir, 'package.json'), '{"name":"q"}');
  writeFileSync(join(dir, 'migrations', '001_init.sql'), 'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE notes (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id));\n');
  project = loadProject(dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('suppression comments (TypeScript)', () => {
  it('tenant-lint-ignore with a megabyte of blanks before a second line', () => {
    const s = readSuppressions([comment(`tenant-lint-ignore x${' '.repeat(MB)}x\ny`, 'Block')], false);
    expect(s.isSuppressed('x', 2)).toBe(false);
  });

  it('eslint-disable with a megabyte of blanks before a second line', () => {
    const s = readSuppressions([comment(`eslint-disable a${' '.repeat(MB)}\nb`, 'Block')], true);
    expect(s.isSuppressed('require-tenant-filter', 1)).toBe(false);
  });

  it('still reads well-formed directives', () => {
    const s = readSuppressions(
      [comment(' tenant-lint-ignore require-tenant-filter -- seeded data  '), comment(' eslint-disable-next-line tenant-lint/no-client-tenant-id ')],
      true,
    );
    expect(s.isSuppressed('require-tenant-filter', 2)).toBe(true);
    expect(s.isSuppressed('no-client-tenant-id', 2)).toBe(true);
    expect(s.problems).toEqual([]);
  });
});

describe('.sql query files', () => {
  it('a tenant-lint-ignore line with a megabyte of blanks and no reason', () => {
    const result = analyzeSqlQueryFile(`-- tenant-lint-ignore a${' '.repeat(MB)}x\nSELECT * FROM notes WHERE id = $1;\n`, 'q.sql', project.schema, project.config);
    expect(result.findings).toHaveLength(1);
  });

  it('the suppression still works when written well', () => {
    const result = analyzeSqlQueryFile(`-- tenant-lint-ignore require-tenant-filter -- admin report\nSELECT * FROM notes WHERE id = $1;\n`, 'q.sql', project.schema, project.config);
    expect(result).toMatchObject({ findings: [], suppressed: 1 });
  });

  it('a megabyte of unclosed sqlc.arg( placeholders', () => {
    const result = analyzeSqlQueryFile(`SELECT * FROM notes WHERE id = ${'sqlc.arg('.repeat(MB / 9)}`, 'q.sql', project.schema, project.config);
    expect(result.findings).toEqual([]);
  });
});

describe('migrations', () => {
  it('a megabyte of blank lines', () => {
    const text = `${'\n'.repeat(MB)}SELECT 1;`;
    expect(upSectionOnly(text)).toBe(text);
  });

  it('the down section is still dropped', () => {
    expect(upSectionOnly('-- migrate:up\nCREATE TABLE a (id int);\n  -- migrate:down\nDROP TABLE a;\n')).toBe('-- migrate:up\nCREATE TABLE a (id int);\n  -- migrate:down\n\n');
  });

  it('a DO block of many EXCEPTION/END words that the tail does not close', () => {
    const text = `DO $$ BEGIN ${'EXCEPTION END '.repeat((2 * MB) / 14)}END $$ LANGUAGE sql;`;
    const parsed = parseSqlFile(text, 'm.sql');
    expect(parsed.statements).toHaveLength(1);
  });

  it('a DO block is still read', () => {
    const text = `DO $$ BEGIN\n CREATE TABLE t (id int);\nEXCEPTION WHEN duplicate_object THEN null;\nEND $$;`;
    expect(parseSqlFile(text, 'm.sql').statements.map((s) => s.kind)).toEqual(['CreateTable']);
  });

  it('an index element of a megabyte of blanks', () => {
    expect(stripIndexElementOptions(`a${' '.repeat(MB)}x`)).toBe('a');
    expect(stripIndexElementOptions(`a${' '.repeat(MB)}(x`)).toHaveLength(MB + 3);
    expect(stripIndexElementOptions('email DESC NULLS LAST')).toBe('email');
  });
});

describe('schema sources', () => {
  it('a Prisma line of a megabyte of `{//`', () => {
    const { tables } = readPrismaModels([{ file: 'schema.prisma', text: `${'{//'.repeat(MB / 3)}` }]);
    expect(tables).toEqual([]);
  });

  it('Prisma: a comment after a model brace is still accepted', () => {
    const { tables } = readPrismaModels([{ file: 'schema.prisma', text: 'model A { // note\n  id String @id\n}\n' }]);
    expect(tables.map((t) => t.name)).toEqual(['A']);
  });

  it('a file of many drizzle-orm imports and no relations() call', () => {
    expect(TS_SCHEMA_MARKERS.test(`import { eq } from 'drizzle-orm';\n`.repeat((2 * MB) / 34))).toBe(false);
    expect(TS_SCHEMA_MARKERS.test(`import { relations } from 'drizzle-orm';\nexport const r = relations(t, () => ({}));\n`)).toBe(true);
  });
});

// Found by the recheck test (recheck.test.ts): each was quadratic on the input below (seconds at
// 40,000 repetitions); the linear rewrite answers the same on ordinary input.
describe('expressions rewritten after the recheck test', () => {
  it('a table string literal of a megabyte of blanks before `as` (the census)', () => {
    expect(beforeAlias(`${'\t'.repeat(MB)}\tA\tAS\t`) === `${'\t'.repeat(MB)}\tA`).toBe(true);
    expect(beforeAlias(`invoices${' '.repeat(MB)}x`)).toBe(`invoices${' '.repeat(MB)}x`);
    expect(['invoices as i', 'invoices  AS  i', 'public.invoices', 'bases as', 'as as b'].map(beforeAlias)).toEqual(['invoices', 'invoices', 'public.invoices', 'bases as', 'as']);
  });

  it('a supabase select string of one long word before `!inner`', () => {
    const link = (value: string) => ({ name: 'select', call: { arguments: [{ type: 'Literal', value }] } }) as unknown as FilterLink;
    expect([...innerEmbeds(link(`0${'e'.repeat(MB)}e\u0000r!inner`)).keys()]).toEqual(['r']);
    expect([...innerEmbeds(link(`${'a!'.repeat(MB / 4)}inner`)).keys()]).toEqual(['a']);
    expect([...innerEmbeds(link('*, projects!inner(org_id), owner:users!inner(id), tags(id)')).keys()].sort()).toEqual(['owner', 'projects', 'users']);
    expect(innerEmbeds(link('id, owner:users!users_owner_fkey!inner(ws_id)')).get('owner')).toBe('users');
  });

  it('a finding text holding a long word of path characters, and a long run of blanks and commas', () => {
    const finding = { ruleId: 'require-tenant-filter', file: 'src/a.ts', line: 1, message: `x ${'[_'.repeat(MB / 2)}`, evidence: `see prisma/schema.prisma:3${' ,('.repeat(MB / 3)}x`, help: '' } as unknown as Finding;
    const related = relatedLocations(finding, { projects: [{ schemaSources: [{ kind: 'prisma', files: ['prisma/schema.prisma'] }] }] } as never);
    expect(related.map((r) => `${r.file}:${r.line}`)).toEqual(['prisma/schema.prisma:3']);
  });

  it('a path of many `app/` segments (Next.js route and page files)', () => {
    expect(isRouteFile(`d${'/app/\u0000'.repeat(MB / 6)}a/route.tsx`)).toBe(true);
    expect(isPageFile(`c${'/app/t'.repeat(MB / 6)}x/page.ts`)).toBe(true);
    expect(isPageFile(`c${'/app/t'.repeat(MB / 6)}x/pages.ts`)).toBe(false);
    expect(['app/route.ts', 'src/app/api/x/route.mts', 'myapp/route.ts', 'app/x/page.tsx', 'app/layout.js', 'pages/page.ts'].map((f) => isRouteFile(f) || isPageFile(f))).toEqual([true, true, false, true, true, false]);
  });

  it('schema markers over a file of `.schema.withSchema(` (recheck fuzz: polynomial; linear in V8)', () => {
    expect(TS_SCHEMA_MARKERS.test(`${'r.schema.withSchema(-'.repeat(MB / 7)}(`)).toBe(false);
  });
});
