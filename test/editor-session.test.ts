import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../rules/index.js';
import { useScratch } from './helpers/scratch.js';

/*
 * The editor's process outlives edits of package.json: whether a package is an application (its exported functions
 * nobody calls are dead code, not API) is read from the manifest again when it changes, as the scanner would read it.
 */

const { makeProject } = useScratch();

const schema = `model Organization {
  id       String    @id
  projects Project[]
}
model Project {
  id             String       @id
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
}
`;
const code = `import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n\nexport const projectById = (id: string) => prisma.project.findUnique({ where: { id } });\n`;

function lint(dir: string): string[] {
  const linter = new Linter({ cwd: dir });
  const messages = linter.verify(code, [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, plugin.configs.recommended], join(dir, 'src', 'projects.ts'));
  return messages.map((m) => `${m.line}:${m.ruleId ?? 'fatal'}:${m.message}`);
}

describe('package.json edited during an editor session', () => {
  it('a library becomes an application when a script runs its source, and a library again', () => {
    const manifest = (scripts: Record<string, string>) => JSON.stringify({ name: 'p', main: 'build/index.js', dependencies: { '@prisma/client': '^6.8.0' }, scripts });
    const dir = makeProject({ 'package.json': manifest({ build: 'tsc' }), 'prisma/schema.prisma': schema, 'src/projects.ts': code });
    const edit = (scripts: Record<string, string>, seconds: number) => {
      writeFileSync(join(dir, 'package.json'), manifest(scripts));
      const later = new Date(Date.now() + seconds * 1000);
      utimesSync(join(dir, 'package.json'), later, later);
    };
    const deadCode = (messages: string[]) => messages.map((m) => m.includes('Nothing in the repository calls `projectById`'));
    // A library (`main`, scripts that only build): the export is API others call.
    expect(deadCode(lint(dir))).toEqual([false]);
    // A script now runs the package's own source: an application, whose uncalled export is dead code.
    edit({ build: 'tsc', dev: 'node -r ts-node/register src/index.ts' }, 5);
    expect(deadCode(lint(dir))).toEqual([true]);
    edit({ build: 'tsc' }, 10);
    expect(deadCode(lint(dir))).toEqual([false]);
  });
});

// The scanner exits 2 on a project that imports a database client but has no schema or no tenant root (issue 16):
// in the editor, the file that imports the client says so at its first line instead of linting clean.
describe('a project the analysis cannot check, in the editor', () => {
  const lintFile = (dir: string, file: string, text: string) =>
    new Linter({ cwd: dir })
      .verify(text, [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, plugin.configs.recommended], join(dir, file))
      .map((m) => `${m.line}:${m.messageId ?? m.message}:${m.message.includes('set `schema`') ? 'schema' : m.message.includes('set `tenantRoot`') ? 'tenantRoot' : ''}`);
  const client = `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`;
  const service = `import { prisma } from './db';\nexport const invoices = () => prisma.invoice.findMany();\n`;

  it('no schema: the file that imports the client names `schema`; a file that only imports it from the project does not', () => {
    const dir = makeProject({ 'package.json': JSON.stringify({ name: 'p', dependencies: { '@prisma/client': '^6.8.0' } }), 'src/db.ts': client, 'src/invoices.ts': service });
    expect(lintFile(dir, 'src/db.ts', client)).toEqual(['1:projectNotConfigured:schema']);
    expect(lintFile(dir, 'src/invoices.ts', service)).toEqual([]);
  });

  it('no tenant root: names `tenantRoot`', () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ name: 'p', dependencies: { '@prisma/client': '^6.8.0' } }),
      'prisma/schema.prisma': 'model Invoice {\n  id    String @id\n  total Int\n}\n',
      'src/db.ts': client,
    });
    expect(lintFile(dir, 'src/db.ts', client)).toEqual(['1:projectNotConfigured:tenantRoot']);
  });

  it('twin: a configured project gets no such message, and a type-only import is not the client', () => {
    const dir = makeProject({ 'package.json': JSON.stringify({ name: 'p', dependencies: { '@prisma/client': '^6.8.0' } }), 'prisma/schema.prisma': schema, 'src/db.ts': client });
    expect(lintFile(dir, 'src/db.ts', client)).toEqual([]);
    const bare = makeProject({ 'package.json': JSON.stringify({ name: 'p', dependencies: { '@prisma/client': '^6.8.0' } }), 'src/db.ts': client });
    const typeOnly = `import type { PrismaClient } from '@prisma/client';\nexport type Db = PrismaClient;\n`;
    expect(lintFile(bare, 'src/types.ts', typeOnly)).toEqual([]);
  });
});
