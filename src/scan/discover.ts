import { globby } from 'globby';

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

/**
 * Source files under `root`, honouring every .gitignore on the way. Symbolic links are not
 * followed, so a link loop cannot hang the scan.
 */
export async function discoverFiles(root: string, extraIgnores: string[] = []): Promise<string[]> {
  const files = await globby(`**/*.{${SOURCE_EXTENSIONS.join(',')}}`, {
    cwd: root,
    absolute: true,
    gitignore: true,
    ignore: [...DEFAULT_IGNORES, ...extraIgnores],
    followSymbolicLinks: false,
    dot: false,
    onlyFiles: true,
    suppressErrors: true,
  });
  return files.sort();
}

/** `.sql` files under `root` (queries for sqlc, PgTyped, or plain query files; migrations are told apart later). */
export async function discoverSqlFiles(root: string, extraIgnores: string[] = []): Promise<string[]> {
  const files = await globby('**/*.sql', {
    cwd: root,
    absolute: true,
    gitignore: true,
    ignore: [...DEFAULT_IGNORES, ...extraIgnores],
    followSymbolicLinks: false,
    onlyFiles: true,
    suppressErrors: true,
  });
  return files.sort();
}
