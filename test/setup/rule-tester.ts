import { RuleTester } from '@typescript-eslint/rule-tester';
import { afterAll, describe, it } from 'vitest';

// Every RuleTester in the suite runs its cases as vitest suites and tests: wired once here
// (vitest.config.ts `setupFiles`), not at the top of each test file.
RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;
