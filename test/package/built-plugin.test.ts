import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useScratch } from '../helpers/scratch.js';

/**
 * The built plugin (`tenant-lint/eslint`, dist/rules/index.js) loads the analysis core with a
 * synchronous require() of an ES module on first use (src/eslint/adapter.ts `engine()`); vitest
 * replaces that call with a static import (vitest.config.ts), so only a child Node process on the
 * build (`npm ci` builds it) runs the path users run. One file, one finding, no warning on stderr.
 */
const REPO = join(import.meta.dirname, '..', '..');
const { makeProject } = useScratch();

const SCRIPT = `
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
const plugin = (await import(process.argv[1])).default;
const linter = new Linter({ cwd: process.argv[2] });
const code = "import { PrismaClient } from '@prisma/client';\\nconst prisma = new PrismaClient();\\nexport const get = (id: string) => prisma.invoice.findUnique({ where: { id } });\\n";
const messages = linter.verify(code, [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, plugin.configs.recommended], process.argv[2] + '/src/invoices.ts');
console.log(JSON.stringify(messages.map((m) => m.ruleId + ':' + (m.messageId ?? m.message))));
`;

describe('the built ESLint plugin', () => {
  it('loads its analysis core on first use and reports an unscoped read', () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ name: 'app', dependencies: { '@prisma/client': '*' } }),
      'prisma/schema.prisma': 'model Organization {\n  id String @id\n  invoices Invoice[]\n}\nmodel Invoice {\n  id String @id\n  orgId String\n  org Organization @relation(fields: [orgId], references: [id])\n}\n',
    });
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT, join(REPO, 'dist', 'rules', 'index.js'), dir], { cwd: REPO, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toContain('tenant-lint/require-tenant-filter:missingTenantFilter');
  });
});
