import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { findProjectRoot } from '../project/project.js';
import { enclosingWorkspace, workspaceListing } from '../project/workspaces.js';

/**
 * The git top level that contains `dir`, or undefined when `dir` is not in a git work tree or
 * git is not installed. Runs `git rev-parse --show-toplevel` with execFile (no shell, no network).
 */
export function gitTopLevel(dir: string): Promise<string | undefined> {
  return new Promise((resolvePromise) => {
    execFile('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8', windowsHide: true }, (error, stdout) => {
      const top = stdout?.trim();
      resolvePromise(error || !top ? undefined : top);
    });
  });
}

/**
 * The directory every report path is relative to: the repository root (git top level), or the
 * scanned directory itself when it is not in a repository. Symlinks are resolved on both sides
 * (git prints a real path; /tmp may be a link), so the two can be compared.
 */
export async function repositoryRoot(scanRoot: string): Promise<string> {
  const top = await gitTopLevel(scanRoot);
  if (top === undefined) return scanRoot;
  try {
    const realScan = realpathSync(scanRoot);
    const realTop = realpathSync(top);
    // Express the root in the scan root's own spelling (unresolved links above it kept).
    if (realScan === realTop) return scanRoot;
    const inside = relative(realTop, realScan);
    if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) {
      // Walk up lexically as many levels as the scan root is below the top level.
      return resolve(scanRoot, ...inside.split(sep).map(() => '..'));
    }
  } catch {
    // Unresolvable: fall back to git's answer.
  }
  return top;
}

/**
 * The nearest folder at or above `start` that holds a `.git` entry (a clone's folder, or the `.git`
 * file of a submodule or a worktree): the repository's top level, found by looking rather than by
 * asking git, whose configuration the scanned repository controls (`core.worktree` can name any
 * folder, `/` included). Undefined outside a repository.
 */
export function enclosingRepository(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The tree a scan reads and looks up configuration in: the repository that holds the scanned
 * folder, else the scanned folder itself. File arguments (`scan apps/api/queries/get.sql`, what
 * pre-commit passes) name no tree of their own: outside git, their tree is their project (the
 * package with the schema above them) or the workspace that encloses it, so that each file's
 * project and schema are found as a scan of that folder finds them.
 */
export function scanBoundary(root: string, fileArguments = false): string {
  const repository = enclosingRepository(root);
  if (repository !== undefined) return repository;
  // Outside git, a folder that is a package of a workspace (`scan apps/api` of an unpacked
  // monorepo) reads that workspace, as a scan inside git reads the repository: its schema lives in
  // `packages/db`. Any other folder is its own tree.
  if (!fileArguments) return workspaceListing(resolve(root)) ?? resolve(root);
  const project = findProjectRoot(resolve(root));
  return enclosingWorkspace(project) ?? project;
}
