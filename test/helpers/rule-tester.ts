import { join } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';

/**
 * A RuleTester; vitest.config.ts's setup file (test/setup/rule-tester.ts) wires every RuleTester to
 * vitest's suites, cases and clean-up, so this is kept only as the one name the policy tests use.
 */
export function vitestRuleTester(): RuleTester {
  return new RuleTester();
}

/**
 * A Prisma case in test/rules/project (Organization; Project (orgId); Invoice (orgId, projectId,
 * lines); InvoiceLine child of Invoice), with a `PrismaClient` and a `notFound()` in scope.
 */
export const PRISMA_PROJECT_FILE = join(import.meta.dirname, '..', 'rules', 'project', 'src', 'service.ts');
const PRISMA_HEAD = `import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
declare function notFound(): Error;
`;
export const prismaCase = (body: string) => ({ code: `${PRISMA_HEAD}${body}`, filename: PRISMA_PROJECT_FILE });
