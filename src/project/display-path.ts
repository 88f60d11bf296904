import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { findProjectRoot } from './project.js';

const projectRoots = new Map<string, string>();
const repositoryRoots = new Map<string, string | null>();

/**
 * The path a message names another file by, the same in both faces (each finds the project from
 * the file's folder): relative to the project root when both files are inside it. A monorepo
 * whose sole schema lives in a sibling package (`packages/db`) gives files of `packages/api` a
 * project they are not inside; there, and for any file outside the project, the path is relative
 * to the repository root (the folder with `.git`, where the scan usually starts), or else to the
 * nearest folder that holds both files, never `../api/...`.
 */
export function displayPath(file: string, from: string): string {
  const dir = dirname(from);
  let root = projectRoots.get(dir);
  if (!root) projectRoots.set(dir, (root = findProjectRoot(dir)));
  if (isInside(from, root) && isInside(file, root)) return toPosixPath(relative(root, file));
  const repository = repositoryRoot(dir);
  if (repository && isInside(file, repository)) return toPosixPath(relative(repository, file));
  return toPosixPath(relative(commonAncestor(root, file), file));
}

function isInside(file: string, dir: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function repositoryRoot(dir: string): string | undefined {
  const cached = repositoryRoots.get(dir);
  if (cached !== undefined) return cached ?? undefined;
  let found: string | undefined;
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) {
      found = current;
      break;
    }
    if (dirname(current) === current) break;
  }
  repositoryRoots.set(dir, found ?? null);
  return found;
}

function commonAncestor(dir: string, file: string): string {
  let current = dir;
  while (!isInside(file, current) && dirname(current) !== current) current = dirname(current);
  return current;
}

function toPosixPath(path: string): string {
  return path.split('\\').join('/');
}
