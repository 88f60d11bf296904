import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { globby } from 'globby';
import { DEFAULT_IGNORES, SOURCE_EXTENSIONS } from './ignores.js';

export { DEFAULT_IGNORES, SOURCE_EXTENSIONS };

/**
 * Source files under `root`, honouring every .gitignore on the way. Symbolic links are not
 * followed, so a link loop cannot hang the scan. Entries named like a source file that are not
 * regular files (a FIFO, a socket, a device, a link to one or out of the tree) are returned too,
 * never opened here: the scan's read refuses them with a counted diagnostic, so a leak cannot hide
 * behind one. A link to a regular file inside the tree is left out: that file is scanned where it is.
 */
export async function discoverFiles(root: string, extraIgnores: string[] = []): Promise<string[]> {
  return discover(root, `**/*.{${SOURCE_EXTENSIONS.join(',')}}`, { ignore: [...DEFAULT_IGNORES, ...extraIgnores], dot: false });
}

/**
 * `.sql` files under `root` (queries for sqlc, PgTyped, or plain query files; migrations are told
 * apart later), with the same special entries as discoverFiles.
 */
export async function discoverSqlFiles(root: string, extraIgnores: string[] = []): Promise<string[]> {
  return discover(root, '**/*.sql', { ignore: [...DEFAULT_IGNORES, ...extraIgnores] });
}

async function discover(root: string, pattern: string, options: { ignore: string[]; dot?: boolean }): Promise<string[]> {
  const entries = await globby(pattern, {
    cwd: root,
    absolute: true,
    gitignore: true,
    ...options,
    followSymbolicLinks: false,
    onlyFiles: false,
    objectMode: true,
    suppressErrors: true,
  });
  const realRoot = realpathOr(root);
  const files: string[] = [];
  for (const { path, dirent } of entries) {
    if (dirent.isFile()) files.push(path);
    else if (dirent.isSymbolicLink() ? !linksInside(path, realRoot) : !dirent.isDirectory()) files.push(path);
  }
  return files.sort();
}

/** A link to a folder, or to a regular file inside the tree: nothing to report. */
function linksInside(path: string, realRoot: string): boolean {
  try {
    const target = realpathSync(path);
    if (statSync(target).isDirectory()) return true;
    const rel = relative(realRoot, target);
    return statSync(target).isFile() && rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  } catch {
    return true; // A dangling link names nothing that could be read.
  }
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
