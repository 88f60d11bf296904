// What every scan leaves out, in a module of its own: the call graph (src/flow/callers.ts) lists the
// same files in the editor, where loading globby with discover.ts would cost the plugin's import.

export const SOURCE_EXTENSIONS = ['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs'];

/** Never scanned: dependencies, build output, generated clients, declaration files, bundled browser assets. */
export const DEFAULT_IGNORES = [
  '**/node_modules/**',
  '**/dist/**',
  '**/build/**',
  '**/out/**',
  '**/.next/**',
  '**/.nuxt/**',
  '**/.svelte-kit/**',
  '**/.turbo/**',
  '**/coverage/**',
  '**/.git/**',
  '**/*.d.ts',
  '**/*.d.mts',
  '**/*.d.cts',
  '**/*.min.js',
  // Served to the browser as they are (Next.js, Vite and CRA `public/`), and compiled runtimes such as pyodide.asm.js.
  '**/public/**/*.js',
  '**/*.asm.js',
];
