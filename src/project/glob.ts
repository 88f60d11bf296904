import { createRequire } from 'node:module';
import type * as Globby from 'globby';

let globby: typeof Globby | undefined;

/**
 * globby's `globbySync`, required on first use rather than at import: the ESLint plugin's import
 * path does not pay for globby and fast-glob (about 0.2 s of CPU) before a project is loaded.
 * globby is an ES module; Node >= 20.19 (package.json engines) require()s it synchronously.
 */
export function globbySync(patterns: string | readonly string[], options?: Globby.Options): string[] {
  const loaded: typeof Globby = globby ?? createRequire(import.meta.url)('globby');
  globby = loaded;
  return loaded.globbySync(patterns, options);
}
