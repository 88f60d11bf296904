import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

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
