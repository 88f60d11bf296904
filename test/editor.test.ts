import { writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { ESLint, Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin, { schemaCacheKey, SCHEMA_HASH_SETTING } from '../rules/index.js';
import { useScratch } from './helpers/scratch.js';

const { makeProject } = useScratch();

const schema = () => `model Organization {
  id       String    @id
  invoices Invoice[]
}
model Invoice {
  id    String       @id
  orgId String
  org   Organization @relation(fields: [orgId], references: [id])
}
`;

const code = `import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
export const get = (id: string) => prisma.invoice.findUnique({ where: { id } });
`;

function lint(dir: string, parserOptions: Record<string, unknown> = {}): string[] {
  const linter = new Linter({ cwd: dir });
  const messages = linter.verify(
    code,
    [
      { files: ['**/*.ts'], languageOptions: { parser: tsParser, parserOptions } },
      plugin.configs.recommended,
    ],
    join(dir, 'src', 'invoices.ts'),
  );
  return messages.map((m) => `${m.line}:${m.ruleId ?? 'fatal'}:${m.messageId ?? m.message}`);
}

describe('the ESLint plugin in an editor session', () => {
  it('finds the schema from the linted file and reloads it when the config changes ok', () => {
    const dir = makeProject({ 'package.json': '{"name":"app"}', 'prisma/schema.prisma': schema(), 'src/invoices.ts': code });
    expect(lint(dir)).toEqual(['3:tenant-lint/require-tenant-filter:missingTenantFilter']);
    // The same process, a new config that makes Invoice global: the cached project is rebuilt.
    writeFileSync(join(dir, 'tenant-lint.config.json'), JSON.stringify({ globalTables: ['Invoice'] }));
    expect(lint(dir)).toEqual([]);
    // Editing the config again (new mtime) brings the finding back.
    writeFileSync(join(dir, 'tenant-lint.config.json'), JSON.stringify({ globalTables: [] }));
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dir, 'tenant-lint.config.json'), later, later);
    expect(lint(dir)).toEqual(['3:tenant-lint/require-tenant-filter:missingTenantFilter']);
  });

  it('works with type information (projectService) as without ok', () => {
    const dir = makeProject({
      'package.json': '{"name":"typed-app"}',
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext' }, include: ['src'] }),
      'prisma/schema.prisma': schema(),
      'src/invoices.ts': code,
    });
    expect(lint(dir, { projectService: true, tsconfigRootDir: dir })).toEqual(['3:tenant-lint/require-tenant-filter:missingTenantFilter']);
  });
});

// `eslint --cache` keys results on the linted file and its computed config (settings and rule options
// included: ESLint's lint-result-cache hashes the whole config), never on the schema the rules read.
describe('eslint --cache after a schema change', () => {
  // Before: Invoice has no tenant key, so no tenant root is found and the analysis cannot start: the file that imports
  // the client says so (projectNotConfigured), as the scanner exits 2.
  const untenanted = `model Organization {\n  id String @id\n}\nmodel Invoice {\n  id String @id\n}\n`;

  const NOT_CONFIGURED = '1:tenant-lint/require-tenant-filter:projectNotConfigured';

  async function lintCached(dir: string, extra: Linter.Config[]): Promise<string[]> {
    const eslint = new ESLint({
      cwd: dir,
      cache: true,
      cacheLocation: join(dir, '.eslintcache'),
      cacheStrategy: 'content',
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, plugin.configs.recommended, ...extra],
    });
    const results = await eslint.lintFiles(['src/invoices.ts']);
    return results.flatMap((r) => r.messages.map((m) => `${m.line}:${m.ruleId ?? 'fatal'}:${m.messageId ?? m.message}`));
  }

  /** The schema gains its tenant key, as a later migration or schema edit would; the linted file stays as it is. */
  function addTenantKey(dir: string) {
    writeFileSync(join(dir, 'prisma/schema.prisma'), schema());
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dir, 'prisma/schema.prisma'), later, later);
  }

  it('without a schema key, ESLint serves the stale result (the limit the docs describe)', async () => {
    const dir = makeProject({ 'package.json': '{"name":"app"}', 'prisma/schema.prisma': untenanted, 'src/invoices.ts': code });
    expect(await lintCached(dir, [])).toEqual([NOT_CONFIGURED]);
    addTenantKey(dir);
    expect(await lintCached(dir, [])).toEqual([NOT_CONFIGURED]);
  });

  it('with schemaCacheKey(), the changed schema changes the config and the file is linted again ok', async () => {
    const dir = makeProject({ 'package.json': '{"name":"app"}', 'prisma/schema.prisma': untenanted, 'src/invoices.ts': code });
    // Each ESLint run loads its config afresh, and with it the key: one call per run here.
    const before = schemaCacheKey(dir);
    expect(await lintCached(dir, [before])).toEqual([NOT_CONFIGURED]);
    addTenantKey(dir);
    const after = schemaCacheKey(dir);
    expect(after.settings[SCHEMA_HASH_SETTING]).not.toBe(before.settings[SCHEMA_HASH_SETTING]);
    expect(await lintCached(dir, [after])).toEqual(['3:tenant-lint/require-tenant-filter:missingTenantFilter']);
  });

  it('the key is stable while nothing changes, and follows a new config file ok', () => {
    const dir = makeProject({ 'package.json': '{"name":"app"}', 'prisma/schema.prisma': schema(), 'src/invoices.ts': code });
    const first = schemaCacheKey(dir).settings[SCHEMA_HASH_SETTING];
    expect(schemaCacheKey(dir).settings[SCHEMA_HASH_SETTING]).toBe(first);
    writeFileSync(join(dir, 'tenant-lint.config.json'), JSON.stringify({ globalTables: ['Invoice'] }));
    expect(schemaCacheKey(dir).settings[SCHEMA_HASH_SETTING]).not.toBe(first);
  });
});
