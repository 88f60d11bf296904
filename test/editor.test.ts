import { writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../rules/index.js';
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
