// Kysely's `CamelCasePlugin` (docmost: `plugins: [new CamelCasePlugin()]`): code names
// `workspaceId`, `spaceMembers` for the SQL `workspace_id`, `space_members`. Without the mapping,
// 27 findings said "`workspaceId` is not a column" and 126 calls on multi-word tables were not seen.
// Each shape beside its twin without the plugin, on both faces.
import { beforeAll, describe, expect, it } from 'vitest';
import { camelCaseMapper } from '../../src/orm/kysely-where.js';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

beforeAll(async () => {
  await loadSqlParsers();
});

const SQL = `CREATE TABLE workspaces (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE pages (id uuid PRIMARY KEY, workspace_id uuid NOT NULL REFERENCES workspaces (id), title text);
CREATE INDEX ON pages (workspace_id, id);
CREATE TABLE space_members (id uuid PRIMARY KEY, workspace_id uuid NOT NULL REFERENCES workspaces (id), user_id uuid NOT NULL);
CREATE INDEX ON space_members (workspace_id, id);
CREATE TABLE page_history (id uuid PRIMARY KEY, workspace_id uuid NOT NULL REFERENCES workspaces (id), page_id uuid REFERENCES pages (id));
CREATE INDEX ON page_history (workspace_id, id);
`;

const QUERIES = `
export const scopedPage = (workspaceId: string, id: string) => db.selectFrom('pages').selectAll().where('workspaceId', '=', workspaceId).where('id', '=', id).execute();
export const leakPage = (id: string) => db.selectFrom('pages').selectAll().where('id', '=', id).execute();
export const scopedMember = (workspaceId: string, userId: string) => db.selectFrom('spaceMembers').selectAll().where('spaceMembers.workspaceId', '=', workspaceId).where('userId', '=', userId).execute();
export const leakMember = (userId: string) => db.selectFrom('spaceMembers').selectAll().where('userId', '=', userId).execute();
`;

/** A database built here, `new Kysely({ plugins })`. */
function built(plugins: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', dependencies: { kysely: '0.27.0' } }),
    'migrations/0001_init.sql': SQL,
    'src/db.ts': `import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely';\nimport { Pool } from 'pg';\nexport const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool() })${plugins} });\n`,
    'src/queries.ts': `import { db } from './db';\n${QUERIES}`,
  });
}

/** A database injected by type (a NestJS module builds it from a factory's options), the plugin in that factory or not. */
function injected(plugins: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', dependencies: { kysely: '0.27.0' } }),
    'migrations/0001_init.sql': SQL,
    'src/database.module.ts': `import { CamelCasePlugin, PostgresDialect } from 'kysely';\nimport { Pool } from 'pg';\nexport const databaseOptions = () => ({ dialect: new PostgresDialect({ pool: new Pool() })${plugins} });\n`,
    'src/queries.ts': `import { Kysely } from 'kysely';\nexport class PageRepo {\n  constructor(private readonly db: Kysely<any>) {}\n${QUERIES.replace(/export const (\w+) = \(([^)]*)\) => db\./g, '  $1($2) { return this.db.').replace(/execute\(\);/g, 'execute(); }')}}\n`,
  });
}

const verdictsOf = async (dir: string) => {
  const { scanner, eslint } = await bothFaces(dir, 'require-tenant-filter');
  expect(eslint.get('src/queries.ts')).toEqual(scanner.get('src/queries.ts'));
  const result = await scan({ path: dir });
  const details = result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.line} ${f.message}`);
  return { lines: scanner.get('src/queries.ts') ?? [], details, seen: result.coverage.seen };
};

describe('the CamelCasePlugin mapper', () => {
  it('maps as Kysely does, with its options', () => {
    expect(camelCaseMapper({})('workspaceId')).toBe('workspace_id');
    expect(camelCaseMapper({})('spaceMembers')).toBe('space_members');
    expect(camelCaseMapper({})('fooBAR')).toBe('foo_bar');
    expect(camelCaseMapper({ underscoreBetweenUppercaseLetters: true })('fooBAR')).toBe('foo_b_a_r');
    expect(camelCaseMapper({})('address2')).toBe('address2');
    expect(camelCaseMapper({ underscoreBeforeDigits: true })('address22')).toBe('address_22');
    expect(camelCaseMapper({ upperCase: true })('workspaceId')).toBe('WORKSPACE_ID');
  });
});

describe('a database built with new Kysely({ plugins: [new CamelCasePlugin()] })', () => {
  it('workspaceId is workspace_id, spaceMembers is space_members: scoped queries pass, the unscoped twins are reported', async () => {
    const { lines, seen } = await verdictsOf(built(', plugins: [new CamelCasePlugin()]'));
    expect(lines).toEqual(['4 missingTenantFilter', '6 missingTenantFilter']);
    expect(seen).toBe(4);
  });

  it('twin without the plugin: `workspaceId` is still not a column of pages, spaceMembers no table', async () => {
    const { lines, details, seen } = await verdictsOf(built(''));
    expect(lines).toEqual(['3 missingTenantFilter', '4 missingTenantFilter']);
    expect(details[0]).toBe("3 `db.selectFrom('pages')` reads tenant-scoped model `pages` without a tenant filter.");
    expect(seen).toBe(2);
  });
});

describe('a database injected by type, the project configuring Kysely with a CamelCasePlugin', () => {
  it('the project plugin maps the names', async () => {
    const { lines, seen } = await verdictsOf(injected(', plugins: [new CamelCasePlugin()]'));
    expect(lines).toEqual(['6 missingTenantFilter', '8 missingTenantFilter']);
    expect(seen).toBe(4);
  });

  it('twin without it anywhere: not mapped', async () => {
    const { lines, seen } = await verdictsOf(injected(''));
    expect(lines).toEqual(['5 missingTenantFilter', '6 missingTenantFilter']);
    expect(seen).toBe(2);
  });
});
