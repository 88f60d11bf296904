// Kysely queries nested in a statement (docmost: 67 of 69 calls not traced were these): expression-builder
// subqueries (`.where((eb) => eb.exists(eb.selectFrom(...)))`, `.select((eb) => jsonArrayFrom(eb.selectFrom(...)))`,
// a helper typed `ExpressionBuilder<DB, 'comments'>`), CTE bodies (`withRecursive(name, (qb) => ...)`) and
// union branches. Each is analysed where it stands: one correlated to a tenant-data row of its statement
// (or joining the statement's CTE) is scoped by that row's own query; an uncorrelated one, or one
// correlated only to a table that is not tenant data, is its own site. Each safe shape beside its twin,
// on both faces.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

beforeAll(async () => {
  await loadSqlParsers();
});

const SQL = `CREATE TABLE workspaces (id uuid PRIMARY KEY, name text NOT NULL, owner_id uuid);
CREATE TABLE plans (id uuid PRIMARY KEY, name text, owner_id uuid);
CREATE TABLE users (id uuid PRIMARY KEY, workspace_id uuid NOT NULL REFERENCES workspaces (id), name text);
CREATE INDEX ON users (workspace_id, id);
CREATE TABLE pages (id uuid PRIMARY KEY, workspace_id uuid NOT NULL REFERENCES workspaces (id), parent_page_id uuid, title text);
CREATE INDEX ON pages (workspace_id, id);
CREATE TABLE comments (id uuid PRIMARY KEY, workspace_id uuid NOT NULL REFERENCES workspaces (id), page_id uuid, creator_id uuid);
CREATE INDEX ON comments (workspace_id, id);
`;

/** Lines marked `// safe` must have no finding; lines marked `// leak` one. */
function project(queries: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', dependencies: { kysely: '0.27.0' } }),
    'migrations/0001_init.sql': SQL,
    'src/db.ts': `import { Kysely, PostgresDialect } from 'kysely';\nimport { Pool } from 'pg';\nexport const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool() }) });\n`,
    'src/queries.ts': `import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';\nimport { jsonArrayFrom } from 'kysely/helpers/postgres';\nimport { db } from './db';\n${queries}`,
  });
}

function marked(queries: string, mark: string): number[] {
  return queries.split('\n').flatMap((line, index) => (line.includes(`// ${mark}`) ? [index + 4] : []));
}

async function check(queries: string) {
  const dir = project(queries);
  const { scanner, eslint } = await bothFaces(dir, 'require-tenant-filter');
  expect(eslint.get('src/queries.ts')).toEqual(scanner.get('src/queries.ts'));
  const result = await scan({ path: dir });
  const lines = (scanner.get('src/queries.ts') ?? []).map((entry) => Number(entry.split(' ')[0]));
  expect(lines).toEqual(marked(queries, 'leak'));
  // Every nested query was analysed: none is left as not traced.
  expect(result.coverage.analysed).toBe(result.coverage.seen);
  // A callback Kysely runs while building the statement is reached as its statement is, not registered as a handler.
  expect(result.findings.filter((f) => f.evidence.includes('handler registered'))).toEqual([]);
  return result;
}

describe('expression-builder subqueries', () => {
  it('correlated to the scoped outer row (whereRef, eb.ref, ANY(ref)) is scoped by it; the uncorrelated twin is its own site', async () => {
    const queries = `
export const withUsers = (ws: string, name: string) =>
  db.selectFrom('comments').selectAll('comments').where('comments.workspace_id', '=', ws)
    .select((eb) => [
      jsonArrayFrom(eb.selectFrom('users').select('users.id').whereRef('users.id', '=', 'comments.creator_id')).as('creator'), // safe
      jsonArrayFrom(eb.selectFrom('users').select('users.id').where('users.id', '=', eb.ref('comments.creator_id'))).as('again'), // safe
      jsonArrayFrom(eb.selectFrom('users').select('users.id').where('users.name', '=', name)).as('named'), // leak
    ])
    .execute();
export const onPages = (ws: string, title: string) =>
  db.selectFrom('comments').selectAll().where('workspace_id', '=', ws)
    .where((eb) => eb.exists(eb.selectFrom('pages').select('pages.id').whereRef('pages.id', '=', 'comments.page_id'))) // safe
    .where((eb) => eb.exists(eb.selectFrom('pages').select('pages.id').where('pages.title', '=', title))) // leak
    .execute();
`;
    await check(queries);
  });

  it('a helper typed ExpressionBuilder<DB, outer>: correlated to tenant data is scoped, correlated to a global table is not', async () => {
    const queries = `
export function withCreator(eb: ExpressionBuilder<any, 'comments'>) {
  return jsonArrayFrom(eb.selectFrom('users').select(['users.id']).whereRef('users.id', '=', 'comments.creator_id')).as('creator'); // safe
}
export function withOwner(eb: ExpressionBuilder<any, 'plans'>) {
  return jsonArrayFrom(eb.selectFrom('users').select(['users.id']).whereRef('users.id', '=', 'plans.owner_id')).as('owner'); // leak
}
export function withContributors(eb: ExpressionBuilder<any, 'pages'>) {
  return jsonArrayFrom(eb.selectFrom('users').select(['users.id']).whereRef('users.id', '=', sql\`ANY(\${eb.ref('pages.contributor_ids')})\`)).as('c'); // safe
}
`;
    await check(queries);
  });

  it("its own tenant key equal to the outer row's column is scoped; a key that is not the tenant key is not", async () => {
    const queries = `
export const counts = (id: string) =>
  db.selectFrom('workspaces').where('workspaces.id', '=', id)
    .select((eb) => eb.selectFrom('users').select((e) => e.fn.countAll().as('n')).whereRef('users.workspace_id', '=', 'workspaces.id').as('members')) // safe
    .select((eb) => eb.selectFrom('users').select('users.name').whereRef('users.id', '=', 'workspaces.owner_id').as('owner')) // leak
    .execute();
`;
    await check(queries);
  });

  it('an `any`-typed builder of a generic query parameter is still followed', async () => {
    const queries = `
export function onlyInSpace<Q extends SelectQueryBuilder<any, any, any>>(query: Q, ws: string): Q {
  return query.where((eb: any) => eb.exists(eb.selectFrom('pages').select(sql\`1\`.as('one')).whereRef('pages.id', '=', 'comments.page_id').where('pages.workspace_id', '=', ws))) as Q; // safe
}
export function titled<Q extends SelectQueryBuilder<any, any, any>>(query: Q, title: string): Q {
  return query.where((eb: any) => eb.exists(eb.selectFrom('pages').select(sql\`1\`.as('one')).where('pages.title', '=', title))) as Q; // leak
}
`;
    await check(queries);
  });
});

describe('builders kept in variables and taken from a destructured builder', () => {
  it('`let qb = db.selectFrom(...)`; `qb.where(({ eb, or }) => eb(..., "in", eb.selectFrom(...)))`: followed, judged like the others', async () => {
    const queries = `
export async function search(ws: string, term: string, scoped: boolean) {
  let qb = db.selectFrom('comments').selectAll().where('comments.workspace_id', '=', ws);
  qb = qb.where(({ or, eb }) => or([eb('comments.id', 'in', eb.selectFrom('pages').select('pages.id').whereRef('pages.id', '=', 'comments.page_id'))])); // safe
  qb = qb.where(({ or, eb }) => or([eb('comments.page_id', 'in', eb.selectFrom('pages').select('pages.id').where('pages.title', 'ilike', term))])); // leak
  return qb.execute();
}
`;
    await check(queries);
  });

  it('a statement on a database the flow engine traces (a property of an object holding it) is followed too', async () => {
    const queries = `
const holder = { db };
export const viaHolder = (ws: string, title: string) =>
  holder.db.selectFrom('comments').selectAll().where('workspace_id', '=', ws)
    .where((eb) => eb.exists(eb.selectFrom('pages').select('pages.id').whereRef('pages.id', '=', 'comments.page_id'))) // safe
    .where((eb) => eb.exists(eb.selectFrom('pages').select('pages.id').where('pages.title', '=', title))) // leak
    .execute();
`;
    await check(queries);
  });
});

describe('CTEs and union branches', () => {
  it('the recursive step joins the CTE (scoped by the anchor); the anchor is judged on its own filter', async () => {
    const queries = `
export const ancestors = (ws: string, id: string) =>
  db.withRecursive('tree', (qb) =>
      qb.selectFrom('pages').select(['id', 'parent_page_id']).where('workspace_id', '=', ws).where('id', '=', id) // safe
        .unionAll((eb) => eb.selectFrom('pages as p').select(['p.id', 'p.parent_page_id']).innerJoin('tree as t', 't.parent_page_id', 'p.id')), // safe
    )
    .selectFrom('tree').selectAll().execute();
export const ancestorsById = (id: string) =>
  db.withRecursive('tree', (qb) =>
      qb.selectFrom('pages').select(['id', 'parent_page_id']).where('id', '=', id) // leak
        .unionAll((eb) => eb.selectFrom('pages as p').select(['p.id', 'p.parent_page_id']).innerJoin('tree as t', 't.parent_page_id', 'p.id')), // safe
    )
    .selectFrom('tree').selectAll().execute();
export const unjoinedBranch = (ws: string) =>
  db.withRecursive('tree', (qb) =>
      qb.selectFrom('pages').select(['id', 'parent_page_id']).where('workspace_id', '=', ws) // safe
        .unionAll((eb) => eb.selectFrom('pages as p').select(['p.id', 'p.parent_page_id']).where('p.title', 'is', null)), // leak
    )
    .selectFrom('tree').selectAll().execute();
`;
    await check(queries);
  });

  it('a value chosen by a SQL sub-select of the CTE is correlated to it; one chosen from a table is not', async () => {
    const queries = `
export const nearest = (ws: string, id: string, other: string) =>
  db.withRecursive('tree', (qb) => qb.selectFrom('pages').select(['id', 'parent_page_id']).where('workspace_id', '=', ws).where('id', '=', id)) // safe
    .selectFrom('tree')
    .select((eb) => eb.exists(eb.selectFrom('comments').select('comments.id').where('comments.page_id', '=', sql<string>\`(SELECT t.id FROM tree t LIMIT 1)\`)).as('a')) // safe
    .select((eb) => eb.exists(eb.selectFrom('comments').select('comments.id').where('comments.page_id', '=', sql<string>\`(SELECT p.id FROM plans p LIMIT 1)\`)).as('b')) // leak
    .execute();
`;
    await check(queries);
  });
});
