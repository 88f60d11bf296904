import { cpSync, readFileSync, realpathSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../src/cli.js';
import { validateConfig } from '../src/config/load.js';
import { useScratch } from './helpers/scratch.js';

const REPO = join(import.meta.dirname, '..');
const { tempDir } = useScratch();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in-process, from `cwd`. */
async function run(args: string[], cwd: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTTY: false,
    env: { CI: 'true' },
  };
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    return { code: await main(args, io), stdout, stderr };
  } finally {
    process.chdir(previous);
  }
}

/** A copy of a bundled fixture in a scratch folder (the fixtures themselves are never written). */
function fixture(name: string): string {
  const dir = realpathSync(tempDir());
  cpSync(join(REPO, 'fixtures', name), dir, { recursive: true });
  return dir;
}

const DRIZZLE_CONFIG = `{
  "$schema": "./node_modules/tenant-lint/schema.json",
  "tenantRoot": "accounts",
  "globalTables": [
    "users"
  ]
}
`;

const DRIZZLE_REPORT = (written: string) => `tenant-lint init: .

ORMs: Drizzle (drizzle-orm)
Schema sources:
  SQL migrations: drizzle/0000_brave_tigra.sql, drizzle/0001_lively_nightcrawler.sql
  Drizzle tables: src/db/schema.ts
Tenant root: accounts (inferred: 9 models reference \`accounts\`)
Hierarchy: accounts
Tenant keys:
  api_tokens.accountId -> accounts (src/db/schema.ts:126)
  audit_logs.accountId -> accounts (src/db/schema.ts:156)
  customers.accountId -> accounts (src/db/schema.ts:56)
  invoices.accountId -> accounts (src/db/schema.ts:89)
  memberships.accountId -> accounts (src/db/schema.ts:37)
  payments.accountId -> accounts (src/db/schema.ts:173)
  products.accountId -> accounts (src/db/schema.ts:74)
  webhooks.accountId -> accounts (src/db/schema.ts:140)
Tables: 8 tenant, 1 child, 3 global, 0 unclassified
  tenant: api_tokens, audit_logs, customers, invoices, memberships, payments, products, webhooks
  child (tenancy through a required relation): invoice_lines (via invoiceId, invoice)
Likely global, written to globalTables (review them):
  users: \`users\` spans tenants: it joins them through \`memberships\`
Global by structure (no foreign key ties them to tenant data; not written): list tenant data among them in tenantTables
  stripe_events: \`stripe_events\` has no relation to tenant data (no foreign key to or from a tenant table): global by structure

${written}
${DRIZZLE_CONFIG}
Review it, then run: tenant-lint scan .
`;

describe('tenant-lint init', () => {
  it('prints the ORMs, schema sources, hierarchy with its evidence and table classes, and writes the config', async () => {
    const dir = fixture('drizzle-app');
    const result = await run(['init'], dir);
    expect(result).toEqual({ code: 0, stdout: DRIZZLE_REPORT('wrote tenant-lint.config.json:'), stderr: '' });
    const written = readFileSync(join(dir, 'tenant-lint.config.json'), 'utf8');
    expect(written).toBe(DRIZZLE_CONFIG);
    expect(validateConfig(JSON.parse(written), 'tenant-lint.config.json')).toEqual(JSON.parse(written));
  });

  it('the written config keeps what the scan decides (it records the inference)', async () => {
    const dir = fixture('drizzle-app');
    const findings = async () => (JSON.parse((await run(['scan', '.', '--format', 'json'], dir)).stdout) as { findings: unknown[] }).findings;
    const before = await findings();
    expect((await run(['init'], dir)).code).toBe(0);
    expect(await findings()).toEqual(before);
  });

  it('never overwrites a config without --force; --force replaces it', async () => {
    const dir = fixture('drizzle-app');
    writeFileSync(join(dir, 'tenant-lint.config.json'), '{ "tenantRoot": "accounts" }\n');
    expect(await run(['init'], dir)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'tenant-lint: init: tenant-lint.config.json already configures tenant-lint here; pass --force to write tenant-lint.config.json anyway, or --dry-run to see what init infers\n',
    });
    expect(readFileSync(join(dir, 'tenant-lint.config.json'), 'utf8')).toBe('{ "tenantRoot": "accounts" }\n');
    const forced = await run(['init', '--force'], dir);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'tenant-lint.config.json'), 'utf8')).toBe(DRIZZLE_CONFIG);
  });

  it('a config in .tenant-lintrc.json or package.json#tenantLint counts too; --force says which one stops being read', async () => {
    const dir = fixture('drizzle-app');
    writeFileSync(join(dir, '.tenant-lintrc.json'), '{}\n');
    expect((await run(['init'], dir)).stderr).toBe('tenant-lint: init: .tenant-lintrc.json already configures tenant-lint here; pass --force to write tenant-lint.config.json anyway, or --dry-run to see what init infers\n');
    const forced = await run(['init', '--force'], dir);
    expect(forced.stdout).toContain('\nwrote tenant-lint.config.json (it comes before .tenant-lintrc.json, which is no longer read):\n');

    const other = fixture('drizzle-app');
    const pkg = JSON.parse(readFileSync(join(other, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(other, 'package.json'), JSON.stringify({ ...pkg, tenantLint: {} }));
    expect((await run(['init', '.'], other)).stderr).toBe('tenant-lint: init: package.json#tenantLint already configures tenant-lint here; pass --force to write tenant-lint.config.json anyway, or --dry-run to see what init infers\n');
  });

  it('--dry-run prints the same report and writes nothing, even over an existing config', async () => {
    const dir = fixture('drizzle-app');
    const result = await run(['init', '--dry-run'], dir);
    expect(result).toEqual({ code: 0, stdout: DRIZZLE_REPORT('would write tenant-lint.config.json (--dry-run: nothing written):'), stderr: '' });
    expect(existsSync(join(dir, 'tenant-lint.config.json'))).toBe(false);

    const configured = fixture('prisma-express');
    const before = readFileSync(join(configured, 'tenant-lint.config.json'), 'utf8');
    const prisma = await run(['init', '--dry-run'], configured);
    expect(prisma.code).toBe(0);
    expect(prisma.stdout).toContain('\nORMs: Prisma (@prisma/client, prisma)\nSchema sources:\n  Prisma schema: prisma/schema.prisma\nTenant root: Organization (inferred: 4 models reference `Organization`)\n');
    // The root points at Plan: global by structure, printed, never frozen into globalTables.
    expect(prisma.stdout).toContain('\n  Plan: `Plan` is referenced by the tenant root (`Organization.plan`), not scoped by it: global by structure\n');
    expect(readFileSync(join(configured, 'tenant-lint.config.json'), 'utf8')).toBe(before);
  });

  it('a folder with no schema, or no folder, is an exit-2 error and nothing is written', async () => {
    const dir = realpathSync(tempDir());
    writeFileSync(join(dir, 'package.json'), '{ "name": "empty" }');
    expect(await run(['init'], dir)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'tenant-lint: init: no schema found in . (schema.prisma, SQL migrations, Drizzle, TypeORM, Sequelize, Mongoose, Knex, Kysely or MikroORM table definitions); set "schema" or "migrations" in tenant-lint.config.json by hand (docs/configuration.md)\n',
    });
    expect(existsSync(join(dir, 'tenant-lint.config.json'))).toBe(false);
    expect(await run(['init', 'missing'], dir)).toEqual({ code: 2, stdout: '', stderr: 'tenant-lint: init: missing is not a directory\n' });
  });

  it('a workspace root records the schema of the package that holds it', async () => {
    const dir = fixture('workspaces-drizzle');
    const result = await run(['init', '--dry-run'], dir);
    expect(result.stdout).toContain('\nORMs: Drizzle (drizzle-orm)\nSchema sources:\n  SQL migrations: packages/db/drizzle/0000_init.sql\n  Drizzle tables: packages/db/src/schema.ts\nTenant root: organizations (inferred: 2 models reference `organizations`)\n');
  });
});
