/**
 * `eslint --cache` keys a cached result on the linted file (its mtime and size, or its content with
 * `--cache-strategy content`) and on the file's computed config, which includes `settings` and rule
 * options. It never sees the schema, migrations and tenant-lint config that the rules read from
 * other files, so after a schema change it would serve the old findings of unchanged files.
 * `schemaCacheKey()` puts a hash of those inputs into `settings`: the config changes when they
 * do, and ESLint re-lints every file. docs/editor.md shows where it goes.
 */
import { createHash } from 'node:crypto';
import { join, relative, resolve } from 'node:path';
import { engine } from './adapter.js';
import { readFileSafe } from '../scan/safe-read.js';

/** The settings key that carries the hash; its value is read by nobody but ESLint's cache. */
export const SCHEMA_HASH_SETTING = 'tenant-lint/schema-hash';

export interface SchemaCacheKeyConfig {
  name: string;
  settings: Record<string, string>;
}

/**
 * A config object whose `settings` hold a hash of the schema and config files the rules read for
 * the project of each directory (default: the current one): every schema file, migration, TypeScript
 * schema source and tenant-lint config, by content, and the places a config would be looked for.
 * In a monorepo whose packages have schemas of their own, pass each package directory.
 */
export function schemaCacheKey(...dirs: string[]): SchemaCacheKeyConfig {
  const hash = createHash('sha256');
  for (const dir of dirs.length ? dirs : [process.cwd()]) {
    // The project the rules will use: loaded here once, found again in the per-process cache when linting.
    const { project } = engine().projectForLintedFile(join(resolve(dir), 'eslint.config.js'), undefined);
    const inputs = [...new Set(project.inputs.map((input) => input.path))].sort();
    for (const path of inputs) {
      hash.update(`${relative(resolve(dir), path)}\0`);
      hash.update(contentHash(path));
      hash.update('\0');
    }
  }
  return { name: 'tenant-lint/schema-cache-key', settings: { [SCHEMA_HASH_SETTING]: hash.digest('hex') } };
}

function contentHash(path: string): string {
  try {
    return createHash('sha256').update(readFileSafe(path)).digest('hex');
  } catch {
    return 'missing';
  }
}
