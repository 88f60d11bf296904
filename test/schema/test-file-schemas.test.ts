import { beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/project.js';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { useScratch } from '../helpers/scratch.js';

/**
 * Field (rocketadmin, session 17): an e2e test's set-up `knex.schema.createTable(...)` was listed as
 * a schema source of the application, next to its 43 TypeORM entities. A test's own tables are not
 * the application's schema while the application defines one; when nothing else does, they are read.
 */
const { makeProject } = useScratch();

beforeAll(async () => {
  await loadSqlParsers();
});

const PACKAGE = JSON.stringify({ name: 'p', dependencies: { knex: '*' } });
const APP = `import type { Knex } from 'knex';
export async function up(knex: Knex) {
  await knex.schema.createTable('organizations', (t) => { t.uuid('id').primary(); });
  await knex.schema.createTable('projects', (t) => { t.uuid('id').primary(); t.uuid('organization_id').notNullable().references('organizations.id'); });
}
`;
const TEST = `import knex from 'knex';
const db = knex({ client: 'pg' });
beforeAll(async () => { await db.schema.createTable('scratch_rows', (t) => { t.increments('id'); t.text('note'); }); });
`;

describe('schema sources in test files', () => {
  it('does not read a test set-up table while the application defines a schema', () => {
    const project = loadProject(makeProject({ 'package.json': PACKAGE, 'src/migrations/001_init.ts': APP, 'test/e2e/rows.test.ts': TEST }));
    expect([...project.schema.tables.keys()]).toContain('projects');
    expect(project.schema.tables.has('scratch_rows')).toBe(false);
    expect(JSON.stringify(project.schema.sources)).not.toContain('rows.test.ts');
  });

  it('reads a test file when it is the only schema there is', () => {
    const project = loadProject(makeProject({ 'package.json': PACKAGE, 'test/e2e/rows.test.ts': TEST }));
    expect(project.schema.tables.has('scratch_rows')).toBe(true);
  });
});
