// Session 19 (issue 16, section 3; parcelvoy's migrations, written anew): Knex leaves a column nullable
// unless `.notNullable()` is written. A foreign key with nothing written and `ON DELETE CASCADE` is
// deleted with the row it points at, which owns it: `projects.organization_id` makes `organizations`
// the top of the hierarchy (organizations > projects), and `journey_steps.journey_id` makes its
// rows children of `journeys`. Twins: the same keys written `.nullable()`, or without the cascade,
// are references, not owners.
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/project.js';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

const MIGRATION = (link: string) =>
  [
    `exports.up = async function (knex) {`,
    `  await knex.schema`,
    `    .createTable('projects', function (table) {`,
    `      table.increments()`,
    `      table.string('name', 255)`,
    `    })`,
    `    .createTable('campaigns', function (table) {`,
    `      table.increments()`,
    `      table.integer('project_id').unsigned().notNullable().references('id').inTable('projects').onDelete('CASCADE')`,
    `      table.index(['project_id', 'id'])`,
    `    })`,
    `    .createTable('journeys', function (table) {`,
    `      table.increments()`,
    `      table.integer('project_id').unsigned().notNullable().references('id').inTable('projects').onDelete('CASCADE')`,
    `      table.index(['project_id', 'id'])`,
    `    })`,
    `    .createTable('lists', function (table) {`,
    `      table.increments()`,
    `      table.integer('project_id').unsigned().notNullable().references('id').inTable('projects').onDelete('CASCADE')`,
    `    })`,
    `    .createTable('journey_steps', function (table) {`,
    `      table.increments()`,
    `      table.integer('journey_id').references('id').inTable('journeys')${link}.unsigned()`,
    `    })`,
    `  await knex.schema.createTable('organizations', function (table) {`,
    `    table.increments()`,
    `    table.string('username').unique()`,
    `  })`,
    `  await knex.schema.table('projects', function (table) {`,
    `    table.integer('organization_id').references('id').inTable('organizations')${link}.unsigned()`,
    `  })`,
    `  await knex.schema.createTable('admins', function (table) {`,
    `    table.increments()`,
    `    table.integer('organization_id').references('id').inTable('organizations')${link}.unsigned()`,
    `    table.string('email')`,
    `  })`,
    `}`,
    `exports.down = function () {}`,
    '',
  ].join('\n');

const ROUTES = [
  `import knex from 'knex'`,
  `const db = knex({ client: 'pg', connection: process.env.DATABASE_URL })`,
  `export const steps = (projectId: number) => db('journey_steps').join('journeys', 'journeys.id', 'journey_steps.journey_id').where('journeys.project_id', projectId)`,
  `export const step = (id: number) => db('journey_steps').where({ id }).first()`,
  `export const campaign = (projectId: number, id: number) => db('campaigns').where({ id, project_id: projectId }).first()`,
  `export const anyCampaign = (id: number) => db('campaigns').where({ id }).first()`,
  '',
].join('\n');

const project = (link: string) =>
  makeProject({
    'package.json': JSON.stringify({ name: 'mailer', dependencies: { knex: '^3.1.0', pg: '^8' } }),
    'db/migrations/20230101000000_init.js': MIGRATION(link),
    'src/routes.ts': ROUTES,
  });

describe('Knex: a cascading key nullable only by default is an owner', () => {
  it('projects, which most tables point at, is a level under organizations, the root; journey_steps a child of journeys; admins carry the organization', () => {
    const schema = loadProject(project(`.onDelete('CASCADE')`)).schema;
    expect(schema.root).toBe('organizations');
    expect(schema.levels).toEqual(['organizations', 'projects']);
    expect(schema.rootReason).toContain('`projects.organization_id` -> `organizations`');
    expect(schema.tables.get('campaigns')?.class).toBe('tenant');
    expect(schema.tables.get('admins')?.class).toBe('tenant');
    expect(schema.tables.get('journey_steps')?.class).toBe('child');
  });

  it('the level key scopes the tables that carry it; a step by id alone and a campaign by id alone are reported', async () => {
    const result = await scan({ path: project(`.onDelete('CASCADE')`) });
    const lines = result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/routes.ts').map((f) => f.line).sort();
    expect(lines).toEqual([4, 6]);
  });

  it('twin: without the cascade the keys are references: projects stays the root, journey_steps unclassified', () => {
    const schema = loadProject(project('')).schema;
    expect(schema.root).toBe('projects');
    expect(schema.tables.get('journey_steps')?.class).toBe('unclassified');
  });

  it('twin: a key written `.nullable()` is a choice, not the default: no owner', () => {
    const schema = loadProject(project(`.nullable().onDelete('CASCADE')`)).schema;
    expect(schema.root).toBe('projects');
    expect(schema.tables.get('journey_steps')?.class).not.toBe('child');
  });
});
