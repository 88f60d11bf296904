import { defineConfig } from 'vitest/config';

/**
 * The ESLint adapter loads the analysis core by require() on first use (src/eslint/adapter.ts
 * `engine()`), which Node does for the built plugin; vitest runs the TypeScript sources, which
 * require() cannot load. Here that call becomes the static import it defers, so tests (and their
 * vi.mock of core modules) see the same modules as every other import.
 */
const ENGINE_REQUIRE = "createRequire(import.meta.url)('./engine.js')";
const staticEngine = {
  name: 'tenant-lint-static-engine',
  enforce: 'pre' as const,
  transform(code: string, id: string) {
    if (!/[\\/]src[\\/]eslint[\\/]adapter\.ts$/.test(id)) return undefined;
    if (!code.includes(ENGINE_REQUIRE)) throw new Error(`vitest.config.ts: ${id} no longer holds ${ENGINE_REQUIRE}`);
    return { code: `import * as staticEngine from './engine.js';\n${code.replace(ENGINE_REQUIRE, 'staticEngine')}`, map: null };
  },
};

export default defineConfig({
  plugins: [staticEngine],
  test: {
    include: ['test/**/*.test.ts'],
    // RuleTester runs its cases as vitest suites: wired once for every file.
    setupFiles: ['test/setup/rule-tester.ts'],
    // Fixture scans parse whole apps; the default 5 s is tight on a loaded 2-core CI machine.
    testTimeout: 60_000,
  },
});
