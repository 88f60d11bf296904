import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { schemaFindings } from '../src/analyze/analyze.js';
import { checkSchema } from '../src/policies/schema-rules/index.js';
import type { TenantSchema } from '../src/core/schema.js';
import { loadProject } from '../src/project/project.js';
import { loadSqlParsers } from '../src/sql/libpg.js';
import { FIXTURES } from './helpers/fixtures.js';
import { runCli, useScratch } from './helpers/scratch.js';

const { makeProject } = useScratch();

beforeAll(async () => {
  await loadSqlParsers();
});

/** The schema and the schema rules' findings (`messageId table`) of a project of SQL migrations. */
function sql(migration: string, config?: object): { schema: TenantSchema; findings: string[] } {
  const files: Record<string, string> = { 'package.json': '{"name":"p"}', 'migrations/0001_init.sql': migration };
  if (config) files['tenant-lint.config.json'] = JSON.stringify(config);
  const project = loadProject(makeProject(files));
  return { schema: project.schema, findings: checkSchema(project.schema, project.config).map((f) => `${f.messageId} ${f.table}`).sort() };
}

const ORGS = `CREATE TABLE organizations (id uuid PRIMARY KEY);
CREATE TABLE invoices (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES organizations(id));
CREATE INDEX invoices_org_idx ON invoices (org_id, id);
`;

describe('global by structure', () => {
  it('a reference table the root points at, and a group of tables related only among themselves, are global and listed', () => {
    const { schema, findings } = sql(`${ORGS}CREATE TABLE regions (id text PRIMARY KEY);
ALTER TABLE organizations ADD COLUMN region_id text REFERENCES regions(id);
CREATE TABLE feature_flags (key text PRIMARY KEY);
CREATE TABLE feature_flag_rules (id int PRIMARY KEY, flag_key text NOT NULL REFERENCES feature_flags(key));
`);
    for (const name of ['regions', 'feature_flags', 'feature_flag_rules']) {
      expect(schema.tables.get(name)?.class).toBe('global');
      expect(schema.tables.get(name)?.globalByStructure).toBe(true);
    }
    expect(schema.tables.get('regions')?.classReason).toMatch(/referenced by the tenant root \(`organizations.region_id`\), not scoped by it/);
    expect(schema.tables.get('organizations')?.globalByStructure).toBeUndefined();
    expect(findings).toEqual([]);
  });

  it('any tie to tenant data keeps a table unclassified: an optional foreign key, a tenant table pointing at it, a column named like the key', () => {
    const { schema, findings } = sql(`${ORGS}CREATE TABLE audit_events (id int PRIMARY KEY, invoice_id uuid REFERENCES invoices(id));
CREATE TABLE currencies (code text PRIMARY KEY);
ALTER TABLE invoices ADD COLUMN currency text REFERENCES currencies(code);
CREATE TABLE drafts (id int PRIMARY KEY, org_id uuid);
CREATE TABLE invoice_views (day date NOT NULL, invoice_id uuid NOT NULL, views int NOT NULL);
CREATE TABLE shares (id uuid PRIMARY KEY, entity_id uuid NOT NULL, slug text NOT NULL);
CREATE TABLE payments (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES organizations(id), invoice_id uuid NOT NULL REFERENCES invoices(id));
CREATE INDEX payments_org_idx ON payments (org_id, id);
`);
    // invoice_views has no foreign key, but its column is the one payments uses to point at invoices.
    expect(schema.tables.get('invoice_views')?.class).toBe('unclassified');
    // A polymorphic reference may point at tenant data.
    expect(schema.tables.get('shares')?.class).toBe('unclassified');
    expect(schema.tables.get('audit_events')?.class).toBe('unclassified');
    expect(schema.tables.get('currencies')?.class).toBe('unclassified');
    expect(schema.tables.get('drafts')?.class).toBe('unclassified');
    expect(findings).toEqual(['missingTenantColumn audit_events', 'missingTenantColumn currencies', 'missingTenantColumn drafts', 'missingTenantColumn invoice_views', 'missingTenantColumn shares']);
  });

  it('without any tenant table nothing is decided by structure', () => {
    const { schema } = sql('CREATE TABLE organizations (id uuid PRIMARY KEY);\nCREATE TABLE plans (id int PRIMARY KEY);\n');
    expect([...schema.tables.values()].some((t) => t.globalByStructure)).toBe(false);
  });

  it('tenantTables declares one tenant data: without a tenant column it is reported at the rule severity', () => {
    const { schema, findings } = sql(`${ORGS}CREATE TABLE webhook_log (id int PRIMARY KEY, body text);\n`, { tenantTables: ['webhook_log'] });
    expect(schema.tables.get('webhook_log')?.class).toBe('tenant');
    expect(findings).toEqual(['missingTenantColumn webhook_log']);
  });

  it('the scan header lists them, in text and in JSON', async () => {
    const root = join(FIXTURES, 'schema-rules-sql');
    const json = JSON.parse((await runCli(['scan', root, '--format', 'json'])).stdout) as { projects: { globalByStructure: string[]; tables: { global: string[] } }[] };
    expect(json.projects[0].globalByStructure).toEqual(['feature_flag_rules', 'feature_flags', 'plans']);
    expect(json.projects[0].tables.global).toEqual(['feature_flag_rules', 'feature_flags', 'organizations', 'plans']);
    const text = (await runCli(['scan', root, '--format', 'text', '--no-color'])).stdout;
    expect(text).toMatch(/global by structure:\s+3: feature_flag_rules, feature_flags, plans \(no foreign key to tenant data/);
  });
});

describe('child tables', () => {
  const CHILD = `${ORGS}CREATE TABLE invoice_lines (id uuid PRIMARY KEY, invoice_id uuid NOT NULL REFERENCES invoices(id));\n`;
  it('are reported at info by default (a child scoped through a required parent is a legitimate design), with the composite foreign key as the fix; checkChildTables: false turns it off', () => {
    const project = loadProject(makeProject({ 'package.json': '{"name":"p"}', 'migrations/0001_init.sql': CHILD }));
    const [finding] = checkSchema(project.schema, project.config);
    expect(finding).toMatchObject({ messageId: 'childWithoutTenantColumn', informational: true });
    expect(schemaFindings(project).map((f) => `${f.messageId} ${f.severity}`)).toEqual(['childWithoutTenantColumn info']);
    expect(finding.help).toContain('FOREIGN KEY (org_id, invoice_id) REFERENCES invoices (org_id, id)');
    expect(sql(CHILD, { checkChildTables: false }).findings).toEqual([]);
  });

  it('a child that carries the root key nullable is reported for the nullable key, not as missing it', () => {
    expect(sql(`${ORGS}CREATE TABLE invoice_lines (id uuid PRIMARY KEY, invoice_id uuid NOT NULL REFERENCES invoices(id), org_id uuid);\n`).findings).toEqual(['nullableTenantColumn invoice_lines']);
  });
});

describe('the root key under a lower level', () => {
  const LEVEL = `${ORGS}CREATE TABLE projects (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES organizations(id));
CREATE INDEX projects_org_idx ON projects (org_id, id);
`;
  it('nullable, with or without a foreign key to the root (another name too), is reported; NOT NULL is not', () => {
    const { schema, findings } = sql(`${LEVEL}CREATE TABLE tasks (id uuid PRIMARY KEY, project_id uuid NOT NULL REFERENCES projects(id), org_id uuid);
CREATE INDEX tasks_project_idx ON tasks (project_id, id);
CREATE TABLE sprints (id uuid PRIMARY KEY, project_id uuid NOT NULL REFERENCES projects(id), organization_id uuid REFERENCES organizations(id));
CREATE INDEX sprints_project_idx ON sprints (project_id, id);
CREATE TABLE boards (id uuid PRIMARY KEY, project_id uuid NOT NULL REFERENCES projects(id), org_id uuid NOT NULL);
CREATE INDEX boards_project_idx ON boards (org_id, id);
`);
    expect(schema.levels).toEqual(['organizations', 'projects']);
    expect(findings).toEqual(['nullableTenantColumn sprints', 'nullableTenantColumn tasks']);
  });

  it('a nullable column of another type is not the root key', () => {
    expect(sql(`${LEVEL}CREATE TABLE tasks (id uuid PRIMARY KEY, project_id uuid NOT NULL REFERENCES projects(id), org_id text);\nCREATE INDEX tasks_project_idx ON tasks (project_id, id);\n`).findings).toEqual([]);
  });
});

describe('foreign keys between tenant tables', () => {
  it('single-column keys are silent unless the target offers (tenant, key); composite ones are reported at the rule severity', () => {
    const plain = sql(`${ORGS}CREATE TABLE credit_notes (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES organizations(id), invoice_id uuid NOT NULL REFERENCES invoices(id));
CREATE INDEX credit_notes_org_idx ON credit_notes (org_id, id);
`);
    expect(plain.findings).toEqual([]);
    const offered = sql(`${ORGS}ALTER TABLE invoices ADD CONSTRAINT invoices_org_id_key UNIQUE (org_id, id);
CREATE TABLE credit_notes (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES organizations(id), invoice_id uuid NOT NULL REFERENCES invoices(id));
CREATE INDEX credit_notes_org_idx ON credit_notes (org_id, id);
CREATE TABLE refunds (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES organizations(id), invoice_id uuid NOT NULL, FOREIGN KEY (org_id, invoice_id) REFERENCES invoices (org_id, id));
CREATE INDEX refunds_org_idx ON refunds (org_id, id);
`);
    expect(offered.findings).toEqual(['foreignKeyWithoutTenant credit_notes.invoice_id']);
  });

  it('a key to a table of another level of the hierarchy is not judged', () => {
    expect(sql(`${ORGS}CREATE TABLE projects (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES organizations(id));
CREATE UNIQUE INDEX projects_org_id_key ON projects (org_id, id);
CREATE TABLE tasks (id uuid PRIMARY KEY, project_id uuid NOT NULL REFERENCES projects(id));
CREATE INDEX tasks_project_idx ON tasks (project_id, id);
CREATE TABLE task_invoices (project_id uuid NOT NULL REFERENCES projects(id), id uuid NOT NULL, invoice_id uuid NOT NULL REFERENCES invoices(id), PRIMARY KEY (project_id, id));
`).findings).toEqual([]);
  });
});
