import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tenant-lint-ws-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const migration = `CREATE TABLE orgs (id uuid PRIMARY KEY);
CREATE TABLE invoices (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id));
`;

describe('a schema in a workspace package', () => {
  it('reports each schema finding once, though the repository root and the package both read it', async () => {
    const root = repo({
      'package.json': '{"name":"mono","private":true,"workspaces":["packages/*"]}',
      'packages/db/package.json': '{"name":"@mono/db","dependencies":{"pg":"^8.0.0"}}',
      'packages/db/migrations/001_init.sql': migration,
      'packages/db/src/index.ts': "import { Pool } from 'pg';\nexport const pool = new Pool();\n",
    });
    const result = await scan({ path: root });
    const index = result.findings.filter((f) => f.ruleId === 'require-tenant-index');
    expect(index.map((f) => `${f.file}:${f.line}`)).toEqual(['packages/db/migrations/001_init.sql:2']);
  });

  it('checks an app without a schema of its own against the workspace schema when it depends on the db package', async () => {
    const root = repo({
      'package.json': '{"name":"mono","private":true,"workspaces":["apps/*","packages/*"]}',
      'packages/db/package.json': '{"name":"@mono/db","dependencies":{"pg":"^8.0.0"}}',
      'packages/db/migrations/001_init.sql': `${migration}CREATE INDEX invoices_org ON invoices (org_id, id);\n`,
      'packages/db/src/index.ts': "import { Pool } from 'pg';\nexport const pool = new Pool();\n",
      'apps/api/package.json': '{"name":"@mono/api","dependencies":{"@mono/db":"*"}}',
      'apps/api/src/invoices.ts': "import { pool } from '../../../packages/db/src';\nexport const all = () => pool.query('SELECT * FROM invoices');\n",
      // A package that depends neither on the db package nor on an ORM is not checked against its tables.
      'apps/docs/package.json': '{"name":"@mono/docs"}',
      'apps/docs/src/snippet.ts': "import { pool } from '../../../packages/db/src';\nexport const all = () => pool.query('SELECT * FROM invoices');\n",
    });
    const result = await scan({ path: root });
    expect(result.findings.map((f) => `${f.file}:${f.line} ${f.messageId}`)).toEqual(['apps/api/src/invoices.ts:2 missingTenantFilter']);
    // The app borrows the schema; only the projects that own one are summarised.
    expect(result.projects.map((p) => p.root).sort()).toEqual(['.', 'packages/db']);
  });
});

describe('a package whose own tables extend the schema of a workspace package it depends on', () => {
  // A plugin package with tables of its own that point at the core's (no tenant root among them).
  const files = (notesQuery: string) => ({
    'package.json': '{"name":"mono","private":true,"workspaces":["packages/*"]}',
    'packages/core/package.json': '{"name":"@mono/core","dependencies":{"pg":"^8.0.0"}}',
    'packages/core/migrations/001_init.sql': `${migration}CREATE INDEX invoices_org ON invoices (org_id, id);\n`,
    'packages/core/src/index.ts': "import { Pool } from 'pg';\nexport const pool = new Pool();\n",
    'packages/plugin/package.json': '{"name":"@mono/plugin","dependencies":{"@mono/core":"*","pg":"^8.0.0"}}',
    'packages/plugin/migrations/001_notes.sql': 'CREATE TABLE notes (id uuid PRIMARY KEY, invoice_id uuid NOT NULL REFERENCES invoices(id), body text);\n',
    'packages/plugin/src/notes.ts': `import { Pool } from 'pg';\nconst pool = new Pool();\nexport const note = (id: string, orgId: string) => pool.query(${JSON.stringify(notesQuery)}, [id, orgId]);\n`,
  });

  it('classifies its tables against the hierarchy they hang from, and reports an unscoped read of them', async () => {
    const result = await scan({ path: repo(files('SELECT * FROM notes WHERE id = $1')) });
    expect(result.coverage.verdict).not.toBe('NONE');
    expect(result.coverage.failClosed).toBeUndefined();
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`)).toEqual(['packages/plugin/src/notes.ts:3']);
    // The core's tables are reported once, by the core.
    expect(result.findings.filter((f) => f.ruleId !== 'require-tenant-filter').every((f) => !f.file.startsWith('packages/plugin/../'))).toBe(true);
  });

  it('is silent on a read scoped through the parent row', async () => {
    const result = await scan({ path: repo(files('SELECT n.* FROM notes n JOIN invoices i ON i.id = n.invoice_id WHERE n.id = $1 AND i.org_id = $2')) });
    expect(result.coverage.verdict).not.toBe('NONE');
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter')).toEqual([]);
  });
});

describe('recognizers by the ORMs a project imports', () => {
  it('records the ORM packages imported anywhere in the project', async () => {
    const { loadProject } = await import('../../src/project/project.js');
    const project = loadProject(join(import.meta.dirname, '..', '..', 'fixtures', 'mongoose-koa'));
    expect(project.orms.has('mongoose')).toBe(true);
    expect(project.orms.has('knex')).toBe(false);
  });
});

describe('code that runs without a request (systemPaths)', () => {
  const files = {
    'package.json': '{"name":"jobs-app","main":"index.js","dependencies":{"pg":"^8.0.0"}}',
    'migrations/001_init.sql': `${migration}CREATE INDEX invoices_org ON invoices (org_id, id);\n`,
    'src/jobs/send-reminders.ts': "import { Pool } from 'pg';\nconst pool = new Pool();\nexport const run = (id: string) => pool.query('SELECT * FROM invoices WHERE id = $1', [id]);\n",
    'src/routes/invoices.ts': "import { Pool } from 'pg';\nconst pool = new Pool();\nexport const get = (id: string) => pool.query('SELECT * FROM invoices WHERE id = $1', [id]);\n",
  };

  it('reports a job at info and a request handler at its rule severity', async () => {
    const result = await scan({ path: repo(files) });
    expect(result.findings.map((f) => `${f.file} ${f.severity}`).sort()).toEqual(['src/jobs/send-reminders.ts info', 'src/routes/invoices.ts error']);
  });

  it('matches files outside the project root that holds the schema (a sibling schema package)', async () => {
    const { isSystemPath } = await import('../../src/analyze/analyze.js');
    expect(isSystemPath('../lib/jobs/definitions/send.handler.ts', {})).toBe(true);
    expect(isSystemPath('../lib/server-only/team/get-team.ts', {})).toBe(false);
  });

  it('treats jobs like any code when systemPaths is empty', async () => {
    const result = await scan({ path: repo({ ...files, 'tenant-lint.config.json': '{ "systemPaths": [] }' }) });
    expect(result.findings.map((f) => `${f.file} ${f.severity}`).sort()).toEqual(['src/jobs/send-reminders.ts error', 'src/routes/invoices.ts error']);
  });
});

describe('a Sequelize model and the migrations of its table', () => {
  it('are one table although Sequelize pluralises the model name', async () => {
    const root = repo({
      'package.json': '{"name":"crm","dependencies":{"sequelize":"^6.0.0"}}',
      'migrations/001_init.sql': 'CREATE TABLE tenants (id uuid PRIMARY KEY);\nCREATE TABLE members (id uuid PRIMARY KEY, "tenantId" uuid NOT NULL REFERENCES tenants(id));\nCREATE INDEX members_tenant ON members ("tenantId", id);\n',
      'src/models/member.ts': "import { DataTypes, Model, Sequelize } from 'sequelize';\nconst sequelize = new Sequelize('postgres://localhost/crm');\nexport class member extends Model {}\nmember.init({ id: { type: DataTypes.UUID, primaryKey: true }, tenantId: { type: DataTypes.UUID, allowNull: false } }, { sequelize });\n",
    });
    const result = await scan({ path: root });
    // One `member` table (the model's name), merged with the migrations' `members`: not two.
    const tables = result.projects.flatMap((p) => Object.values(p.tables).flat()).sort();
    expect(tables).toEqual(['member', 'tenants']);
  });
});
