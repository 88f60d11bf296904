import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/config/load.js';
import { configSchema } from '../src/config/schema.js';
import type { ScanResult } from '../src/core/result.js';
import { scan } from '../src/scan/scan.js';
import { useScratch, runCli } from './helpers/scratch.js';

const REPO = join(import.meta.dirname, '..');

const { makeProject } = useScratch();


/** The ConfigurationError a scan rejects with; fails the test if it resolves or throws something else. */
async function configErrorOf(path: string): Promise<ConfigurationError> {
  let caught: unknown;
  try {
    await scan({ path });
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigurationError);
  if (!(caught instanceof ConfigurationError)) throw new Error('unreachable');
  return caught;
}

const SCHEMA = `model Organization {
  id       String    @id
  invoices Invoice[]
  projects Project[]
}

model Plan {
  id   String @id
  code String @unique
}

model Invoice {
  id           String       @id
  orgId        String
  number       Int
  organization Organization @relation(fields: [orgId], references: [id])

  @@index([orgId, id])
}

model Project {
  id           String       @id
  orgId        String
  organization Organization @relation(fields: [orgId], references: [id])

  @@index([orgId, id])
}
`;

const DB = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

/** One leaking query on Invoice (line 3), nothing else. */
const LEAK = `import { prisma } from './db';
export function getInvoice(id: string) {
  return prisma.invoice.findFirst({ where: { id } });
}
`;

function leakProject(extra: Record<string, string> = {}): string {
  return makeProject({ 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': LEAK, ...extra });
}

function findingLines(result: ScanResult): string[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.messageId}`);
}

describe('invalid configuration', () => {
  it('an unknown top-level key rejects the scan with a ConfigurationError naming the key and the file', async () => {
    const dir = leakProject({ 'tenant-lint.config.json': JSON.stringify({ tenantRooot: 'Organization' }) });
    const error = await configErrorOf(dir);
    expect(error.file).toBe(join(dir, 'tenant-lint.config.json'));
    expect(error.message).toContain('"tenantRooot"');
    expect(error.message).toContain(join(dir, 'tenant-lint.config.json'));
  });

  it('the CLI exits 2 with a one-line stderr on an unknown key', async () => {
    const dir = leakProject({ 'tenant-lint.config.json': JSON.stringify({ tenantRooot: 'Organization' }) });
    const run = await runCli(['scan', dir]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('tenantRooot');
    expect(lines[0]).toContain('tenant-lint.config.json');
  });

  it('a wrong type names the key', async () => {
    const dir = leakProject({ 'tenant-lint.config.json': JSON.stringify({ globalTables: 'Plan' }) });
    const error = await configErrorOf(dir);
    expect(error.message).toContain('globalTables');
    expect(error.message).toContain('tenant-lint.config.json');
  });

  it('an unknown rule id in rules is an error naming it', async () => {
    const dir = leakProject({ 'tenant-lint.config.json': JSON.stringify({ rules: { 'require-tenant-filtr': 'error' } }) });
    const error = await configErrorOf(dir);
    expect(error.message).toContain('require-tenant-filtr');
  });

  it('invalid JSON is an error naming the file', async () => {
    const dir = leakProject({ '.tenant-lintrc.json': '{ "globalTables": ["Plan"], }' });
    const error = await configErrorOf(dir);
    expect(error.file).toBe(join(dir, '.tenant-lintrc.json'));
    expect(error.message).toContain(join(dir, '.tenant-lintrc.json'));
    expect(error.message).toMatch(/JSON/);
  });
});

describe('where configuration is found', () => {
  it('package.json#tenantLint is read', async () => {
    const dir = leakProject({ 'package.json': JSON.stringify({ name: 'app', tenantLint: { globalTables: ['Invoice'] } }) });
    const result = await scan({ path: dir });
    expect(result.projects[0].configFile).toBe('package.json');
    expect(result.projects[0].tables.global).toContain('Invoice');
    expect(findingLines(result)).toEqual([]);
  });

  it('an invalid package.json#tenantLint names package.json#tenantLint', async () => {
    const dir = leakProject({ 'package.json': JSON.stringify({ name: 'app', tenantLint: { bogus: true } }) });
    const error = await configErrorOf(dir);
    expect(error.message).toContain('package.json#tenantLint');
    expect(error.message).toContain('"bogus"');
  });

  it('.tenant-lintrc.json is read', async () => {
    const dir = leakProject({ '.tenant-lintrc.json': JSON.stringify({ rules: { 'require-tenant-filter': 'warning' } }) });
    const result = await scan({ path: dir });
    expect(result.projects[0].configFile).toBe('.tenant-lintrc.json');
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => f.severity)).toEqual(['warning']);
  });

  it('the config is found by walking up from a nested scanned directory to the repository root', async () => {
    const dir = makeProject({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'tenant-lint.config.json': JSON.stringify({ failOn: 'warning', rules: { 'require-tenant-filter': 'warning' } }),
      'packages/api/prisma/schema.prisma': SCHEMA,
      'packages/api/src/db.ts': DB,
      'packages/api/src/invoices.ts': LEAK,
    });
    const result = await scan({ path: join(dir, 'packages', 'api') });
    expect(result.failOn).toBe('warning');
    expect(result.projects.map((p) => p.configFile)).toEqual(['../../tenant-lint.config.json']);
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual(['src/invoices.ts:3 warning']);
  });
});

describe('ignore patterns', () => {
  const files = {
    'packages/api/prisma/schema.prisma': SCHEMA,
    'packages/api/src/db.ts': DB,
    'packages/api/src/invoices.ts': LEAK,
    'packages/api/src/generated/client.ts': LEAK.replace("'./db'", "'../db'"),
    'tenant-lint.config.json': JSON.stringify({ ignore: ['packages/api/src/generated/**'] }),
  };

  it('ignore excludes matching files when the config sits in the scanned directory', async () => {
    const dir = makeProject(files);
    const result = await scan({ path: dir });
    expect(findingLines(result)).toEqual(['packages/api/src/invoices.ts:3 missingTenantFilter']);
    expect(result.stats.filesScanned).toBe(2);
  });

  it('ignore patterns are relative to the config file, also when it is found by walking up', async () => {
    const dir = makeProject({ ...files, '.git/HEAD': 'ref: refs/heads/main\n' });
    const result = await scan({ path: join(dir, 'packages', 'api') });
    expect(findingLines(result)).toEqual(['src/invoices.ts:3 missingTenantFilter']);
    expect(result.stats.filesScanned).toBe(2);
  });
});

describe('what configuration changes', () => {
  it('without configuration the leak on Invoice is a finding (baseline for the tests below)', async () => {
    const result = await scan({ path: leakProject() });
    expect(findingLines(result)).toEqual(['src/invoices.ts:3 missingTenantFilter']);
  });

  it('globalTables makes a model global: no finding on it', async () => {
    const result = await scan({ path: leakProject({ 'tenant-lint.config.json': JSON.stringify({ globalTables: ['Invoice'] }) }) });
    expect(result.projects[0].tables.global).toContain('Invoice');
    expect(result.projects[0].tables.tenant).not.toContain('Invoice');
    expect(findingLines(result)).toEqual([]);
  });

  it('tenantKeys replaces the inferred keys', async () => {
    const schema = `${SCHEMA}
model Doc {
  id         String @id
  tenantCode String
}
`;
    const code = `import { prisma } from './db';
export const invoices = (id: string) => prisma.invoice.findFirst({ where: { id } });
export const docsById = (id: string) => prisma.doc.findMany({ where: { id } });
export const docsOfTenant = (tenantCode: string) => prisma.doc.findMany({ where: { tenantCode } });
`;
    const dir = makeProject({
      'prisma/schema.prisma': schema,
      'src/db.ts': DB,
      'src/docs.ts': code,
      'tenant-lint.config.json': JSON.stringify({ tenantKeys: ['tenantCode'] }),
    });
    const result = await scan({ path: dir });
    const project = result.projects[0];
    expect(project.tenantKeys.map((k) => `${k.table}.${k.field}`)).toEqual(['Doc.tenantCode']);
    expect(project.tables.tenant).toEqual(['Doc']);
    // Invoice.orgId is no longer a key, so the Invoice query is not checked; Doc's is.
    expect(findingLines(result)).toEqual(['src/docs.ts:3 missingTenantFilter']);
  });

  it("tenantRoot naming a missing model is reported in the project summary's tenantRootReason", async () => {
    const result = await scan({ path: leakProject({ 'tenant-lint.config.json': JSON.stringify({ tenantRoot: 'Workspace' }) }) });
    const project = result.projects[0];
    expect(project.tenantRoot).toBeNull();
    expect(project.tenantRootReason).toContain('Workspace');
    expect(project.tenantRootReason).toMatch(/not a model/);
  });

  it('scopedClientFactories makes tenantDb(orgId).invoice.findMany() silent', async () => {
    const code = `import { tenantDb } from './tenant-db';
export const listInvoices = (orgId: string) => tenantDb(orgId).invoice.findMany();
`;
    const files = { 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/list.ts': code };
    const without = await scan({ path: makeProject(files) });
    expect(findingLines(without)).toEqual(['src/list.ts:2 missingTenantFilter']);

    const dir = makeProject({ ...files, 'tenant-lint.config.json': JSON.stringify({ scopedClientFactories: ['tenantDb'] }) });
    const result = await scan({ path: dir });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter')).toEqual([]);
    expect(result.unknown).toEqual([]);
    expect(result.stats.querySites).toBe(1);
  });

  it('filterHelpers makes where: scopeTo(ctx) silent even when scopeTo comes from a package', async () => {
    const code = `import { scopeTo } from '@acme/tenancy';
import { prisma } from './db';
export const listProjects = (ctx: { orgId: string }) => prisma.project.findMany({ where: scopeTo(ctx) });
`;
    const files = { 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/projects.ts': code };
    const without = await scan({ path: makeProject(files) });
    expect(without.unknown.map((u) => `${u.file}:${u.line}`)).toEqual(['src/projects.ts:3']);

    const dir = makeProject({ ...files, 'tenant-lint.config.json': JSON.stringify({ filterHelpers: ['scopeTo'] }) });
    const result = await scan({ path: dir });
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter')).toEqual([]);
    expect(result.unknown).toEqual([]);
    expect(result.stats.querySites).toBe(1);
  });
});

describe('schema.json', () => {
  it('lists exactly the keys of configSchema', () => {
    const file = join(REPO, 'schema.json');
    expect(existsSync(file), 'schema.json is missing at the repository root: run `npm run build:schema` to generate it').toBe(true);
    const json = JSON.parse(readFileSync(file, 'utf8')) as { properties?: Record<string, unknown>; additionalProperties?: unknown };
    expect(Object.keys(json.properties ?? {}).sort(), 'schema.json is stale: run `npm run build:schema`').toEqual(Object.keys(configSchema().shape).sort());
    expect(json.additionalProperties).toBe(false);
  });
});
