import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // RuleTester runs its cases as vitest suites: wired once for every file.
    setupFiles: ['test/setup/rule-tester.ts'],
    // Fixture scans parse whole apps; the default 5 s is tight on a loaded 2-core CI machine.
    testTimeout: 60_000,
  },
});
