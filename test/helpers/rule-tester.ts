import { join } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import { afterAll, describe, it } from 'vitest';

/**
 * A RuleTester wired to vitest (its suites, cases and clean-up), for the RuleTester files outside
 * test/rules. One place instead of the same four assignments at the top of every file.
 */
export function vitestRuleTester(): RuleTester {
  RuleTester.afterAll = afterAll;
  RuleTester.describe = describe;
  RuleTester.it = it;
  RuleTester.itOnly = it.only;
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
