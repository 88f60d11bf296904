import { cpSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { RuleTester } from '@typescript-eslint/rule-tester';
import { Linter } from 'eslint';
import * as ts60 from 'typescript';
import * as ts59 from 'typescript59';
import { describe, expect, it } from 'vitest';
import plugin from '../../rules/index.js';
import rule from '../../rules/require-tenant-filter.js';
import { programFor } from '../../src/project/typed.js';
import { ts as scannerTs } from '../../src/project/modules.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

// With type information (parserOptions.projectService), a tenant key whose value may be
// `undefined` is reported: Prisma drops the key and the query reads every tenant. The project in
// test/policy/typed is strict; its schema is test/rules/project's (Invoice keyed by orgId).
const root = join(import.meta.dirname, 'typed');
const filename = join(root, 'src', 'service.ts');
const ruleTester = new RuleTester({
  defaultFilenames: { ts: filename, tsx: filename },
  languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
});

const head = `import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n`;

ruleTester.run('require-tenant-filter: tenant value may be undefined', rule, {
  valid: [
    // a string: always a tenant
    `${head}export const list = (ctx: { orgId: string }) => prisma.invoice.findMany({ where: { orgId: ctx.orgId } });`,
    // narrowed before use
    `${head}export function list(ctx: { orgId?: string }) {\n  if (!ctx.orgId) throw new Error('no tenant');\n  return prisma.invoice.findMany({ where: { orgId: ctx.orgId } });\n}`,
    // another conjunct scopes the query for sure
    `${head}export const get = (ctx: { orgId?: string }, key: { orgId: string; number: number }) => prisma.invoice.findFirst({ where: { orgId: ctx.orgId, orgId_number: key } });`,
  ],
  invalid: [
    {
      // optional in the type: when it is missing, Prisma reads every organization's invoices
      code: `${head}export const list = (ctx: { orgId?: string }) => prisma.invoice.findMany({ where: { orgId: ctx.orgId } });`,
      errors: [{ messageId: 'tenantValueMayBeUndefined', line: 3, column: 92, endColumn: 101 }],
    },
    {
      code: `${head}export const remove = (session: { user?: { orgId: string } }, id: string) => prisma.invoice.deleteMany({ where: { id, orgId: session.user?.orgId } });`,
      errors: [{ messageId: 'tenantValueMayBeUndefined' }],
    },
  ],
});

// Without type information the same code is silent: nothing is guessed from names.
const untyped = new RuleTester({ defaultFilenames: { ts: filename, tsx: filename } });
untyped.run('require-tenant-filter: no types, no undefined check', rule, {
  valid: [`${head}export const list = (ctx: { orgId?: string }) => prisma.invoice.findMany({ where: { orgId: ctx.orgId } });`],
  invalid: [],
});

describe('the scanner with --types', () => {
  it('reports the same finding from the tsconfig program, and nothing without --types', async () => {
    const { scan } = await import('../../src/scan/scan.js');
    const typed = await scan({ path: root, types: true });
    const inCode = (findings: { file: string; line: number; messageId: string }[]) => findings.filter((f) => f.file.startsWith('src/')).map((f) => `${f.file}:${f.line} ${f.messageId}`);
    expect(inCode(typed.findings)).toEqual(['src/leak.ts:6 tenantValueMayBeUndefined']);
    const plain = await scan({ path: root });
    expect(inCode(plain.findings)).toEqual([]);
  });
});

// The user's TypeScript builds the program (ESLint's parser resolves theirs): flags are read from
// that program's checker. Before, 6.0's flag numbers read against a 5.9 program made every `string`
// "possibly undefined" (5.9's String is 6.0's Undefined), so the valid cases below were reported.
const optionalOrgId = `${head}export const list = (ctx: { orgId?: string }) => prisma.invoice.findMany({ where: { orgId: ctx.orgId } });`;
const requiredOrgId = `${head}export const list = (ctx: { orgId: string }) => prisma.invoice.findMany({ where: { orgId: ctx.orgId } });`;
const narrowed = `${head}export function list(ctx: { orgId?: string }) {\n  if (!ctx.orgId) throw new Error('no tenant');\n  return prisma.invoice.findMany({ where: { orgId: ctx.orgId } });\n}`;
const unknownOrgId = `${head}export const list = (ctx: { orgId: unknown }) => prisma.invoice.findMany({ where: { orgId: ctx.orgId } });`;

/** Programs of test/policy/typed with `code` as src/service.ts, built by each TypeScript (and parsed by the parser's own). */
const withService = (readFile: (file: string) => string | undefined, code: string) => (file: string) => (file === filename ? code : readFile(file));
// The libraries' source files, parsed once per compiler: a program per case, not a lib.d.ts parse per case.
const libraries59 = new Map<string, ts59.SourceFile | undefined>();
const libraries60 = new Map<string, ts60.SourceFile | undefined>();
const remember = <T>(cache: Map<string, T>, key: string, value: T) => (cache.set(key, value), value);
function programOf59(code: string): ts59.Program {
  const options = { strict: true, noEmit: true, skipLibCheck: true, target: ts59.ScriptTarget.ES2022, module: ts59.ModuleKind.NodeNext, moduleResolution: ts59.ModuleResolutionKind.NodeNext };
  const host = ts59.createCompilerHost(options);
  host.readFile = withService(host.readFile.bind(host), code);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, ...rest) => (file === filename ? getSourceFile(file, ...rest) : libraries59.get(file) ?? remember(libraries59, file, getSourceFile(file, ...rest)));
  return ts59.createProgram({ rootNames: [filename], options, host });
}
function programOf60(code: string): ts60.Program {
  const options = { strict: true, noEmit: true, skipLibCheck: true, target: ts60.ScriptTarget.ES2022, module: ts60.ModuleKind.NodeNext, moduleResolution: ts60.ModuleResolutionKind.NodeNext };
  const host = ts60.createCompilerHost(options);
  host.readFile = withService(host.readFile.bind(host), code);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, ...rest) => (file === filename ? getSourceFile(file, ...rest) : libraries60.get(file) ?? remember(libraries60, file, getSourceFile(file, ...rest)));
  return ts60.createProgram({ rootNames: [filename], options, host });
}

function lintWith(programOf: (code: string) => ts59.Program | ts60.Program, code: string): string[] {
  const linter = new Linter({ cwd: root });
  const messages = linter.verify(
    code,
    [{ files: ['**/*.ts'], languageOptions: { parser: tsParser, parserOptions: { programs: [programOf(code)] } } }, plugin.configs.recommended],
    filename,
  );
  return messages.map((m) => `${m.line}:${m.column} ${m.ruleId ?? 'fatal'} ${m.messageId ?? m.message}`);
}

describe.each([
  ['TypeScript 5.9', ts59.version, /^5\.9\./, programOf59],
  ['TypeScript 6.0', ts60.version, /^6\.0\./, programOf60],
])('a program built by %s', (_, version, expected, compiler) => {
  it('is the compiler it says', () => {
    expect(version).toMatch(expected);
  });
  it('an optional tenant key is reported err', () => {
    expect(lintWith(compiler, optionalOrgId)).toEqual(['3:92 tenant-lint/require-tenant-filter tenantValueMayBeUndefined']);
  });
  it('a string tenant key is not ok', () => {
    expect(lintWith(compiler, requiredOrgId)).toEqual([]);
  });
  it('a narrowed tenant key is not ok', () => {
    expect(lintWith(compiler, narrowed)).toEqual([]);
  });
  it('an `unknown` tenant key is not decided from types ok', () => {
    expect(lintWith(compiler, unknownOrgId)).toEqual([]);
  });
});

describe('the scanner with --types never runs the project\'s TypeScript', () => {
  const inCode = (findings: { file: string; line: number; messageId: string }[]) => findings.filter((f) => f.file.startsWith('src/')).map((f) => `${f.file}:${f.line} ${f.messageId}`);

  // An auditor scans repositories they do not trust: a `typescript` package in the scanned
  // repository is code. The program is built by tenant-lint's own TypeScript (the peer installed
  // next to tenant-lint), whose checker also answers the type questions, so flags always agree.
  it('a plausible TypeScript 5.9.3 in the project is not loaded; tenant-lint\'s builds the program ok', async () => {
    const canary = join(makeProject({}), 'loaded');
    const dir = makeProject({});
    cpSync(root, dir, { recursive: true });
    const target = join(dir, 'node_modules', 'typescript');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'package.json'), JSON.stringify({ name: 'typescript', version: '5.9.3', main: 'typescript.js' }));
    writeFileSync(join(target, 'typescript.js'), `require('node:fs').writeFileSync(${JSON.stringify(canary)}, 'ran');`);
    const { program } = programFor(dir);
    expect(scannerTs.version).toBe(ts60.version);
    expect(program?.getSourceFile(join(dir, 'src', 'leak.ts'))).toBeDefined();
    const { scan } = await import('../../src/scan/scan.js');
    const result = await scan({ path: dir, types: true });
    expect(inCode(result.findings)).toEqual(['src/leak.ts:6 tenantValueMayBeUndefined']);
    expect(result.diagnostics).toEqual([]);
    expect(existsSync(canary)).toBe(false);
  });
});
