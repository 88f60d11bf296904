import { join } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import { afterAll, describe, expect, it } from 'vitest';
import rule from '../../rules/require-tenant-filter.js';

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

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
