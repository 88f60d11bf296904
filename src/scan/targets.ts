import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { DEFAULT_IGNORES, SOURCE_EXTENSIONS } from './discover.js';
import { UsageError } from './scan.js';

const SCANNABLE = new RegExp(`\\.(?:${[...SOURCE_EXTENSIONS, 'sql'].join('|')})$`);
const isDefaultIgnored = picomatch(DEFAULT_IGNORES, { dot: true });

export interface Targets {
  /** The folder the scan runs from: the one directory given, or the deepest folder holding every file given. */
  root: string;
  /** Files named on the command line (absolute), or undefined for a directory scan. */
  files?: string[];
}

/**
 * `tenant-lint scan [paths...]`: one directory, or any number of files (what pre-commit and
 * lint-staged pass). Files that tenant-lint does not read (README.md, images) and files under
 * node_modules, dist and the like are dropped quietly, as ESLint does for files its config does
 * not match; a missing path or a directory among files is a usage error.
 */
export function resolveTargets(paths: readonly string[]): Targets {
  const given = paths.length === 0 ? ['.'] : paths;
  const kinds = given.map((path) => {
    try {
      return statSync(path).isDirectory() ? 'dir' : 'file';
    } catch {
      throw new UsageError(`path does not exist or cannot be read: ${path}`);
    }
  });
  if (kinds.length === 1 && kinds[0] === 'dir') return { root: resolve(given[0]) };
  const dirIndex = kinds.indexOf('dir');
  if (dirIndex !== -1) throw new UsageError(`${given[dirIndex]} is a directory: pass one directory, or files only`);
  const absolute = [...new Set(given.map((path) => resolve(path)))];
  const root = commonFolder(absolute.map((file) => dirname(file)));
  const files = absolute.filter((file) => SCANNABLE.test(file) && !isDefaultIgnored(toPosix(relative(root, file))));
  return { root, files };
}

function commonFolder(dirs: readonly string[]): string {
  let common = dirs[0];
  for (const dir of dirs.slice(1)) {
    while (common !== dir && !dir.startsWith(common.endsWith(sep) ? common : `${common}${sep}`)) {
      const parent = dirname(common);
      if (parent === common) break;
      common = parent;
    }
  }
  return common;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * The scanned repository's own git configuration can run commands: `core.fsmonitor` on any read of
 * the working tree (diff, ls-files), and `filter.<driver>.clean`/`process` (named from its
 * .gitattributes) whenever git hashes a changed file. A repository under audit is not trusted, so
 * every git call of a scan switches these off through GIT_CONFIG_COUNT (no quoting of driver names
 * in `-c`), and takes no optional locks (git never rewrites the repository's index for us).
 */
export function neutralGitEnv(filterDrivers: readonly string[], env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const entries: [string, string][] = [
    ['core.fsmonitor', 'false'],
    ['core.untrackedCache', 'false'],
  ];
  for (const driver of filterDrivers) {
    entries.push([`filter.${driver}.clean`, ''], [`filter.${driver}.smudge`, ''], [`filter.${driver}.process`, ''], [`filter.${driver}.required`, 'false']);
  }
  const out: NodeJS.ProcessEnv = { ...env, GIT_OPTIONAL_LOCKS: '0', GIT_CONFIG_COUNT: String(entries.length) };
  entries.forEach(([key, value], i) => {
    out[`GIT_CONFIG_KEY_${i}`] = key;
    out[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return out;
}

/** Filter driver names configured for the repository (`git config` only reads configuration). */
export function filterDriversIn(configList: string): string[] {
  const drivers = new Set<string>();
  for (const entry of configList.split('\0')) {
    const key = entry.slice(0, entry.includes('\n') ? entry.indexOf('\n') : entry.length);
    if (!key.startsWith('filter.')) continue;
    const last = key.lastIndexOf('.');
    if (last > 'filter.'.length) drivers.add(key.slice('filter.'.length, last));
  }
  return [...drivers];
}

function git(args: string[], cwd: string, env?: NodeJS.ProcessEnv, allowFailure = false): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile('git', args, { cwd, encoding: 'utf8', windowsHide: true, maxBuffer: 64 * 1024 * 1024, env: env ?? neutralGitEnv([]) }, (error, stdout, stderr) => {
      if (error && !allowFailure) reject(new UsageError(`--changed-since: git ${args[0]} failed: ${(stderr || error.message).trim().split('\n')[0]}`));
      else resolvePromise(error ? '' : stdout);
    });
  });
}

/**
 * Files changed since `ref`, relative to the repository root: committed since the merge base
 * with `ref`, staged, unstaged, and untracked files that are not ignored. Local git only: no fetch.
 */
export async function changedSince(ref: string, cwd: string): Promise<Set<string>> {
  if (ref.startsWith('-')) throw new UsageError(`--changed-since: "${ref}" is not a git revision`);
  const top = (await git(['rev-parse', '--show-toplevel'], cwd)).trim();
  // `git config --get-regexp` exits 1 when nothing matches: no filter drivers.
  const env = neutralGitEnv(filterDriversIn(await git(['config', '-z', '--get-regexp', '^filter\\.'], top, undefined, true)));
  // `ref` cannot start with '-' (checked above), so git cannot read it as an option.
  const base = (await git(['merge-base', ref, 'HEAD'], top, env).catch(() => git(['rev-parse', '--verify', `${ref}^{commit}`], top, env))).trim();
  const changed = await git(['diff', '--name-only', '--no-renames', '--no-ext-diff', '--no-textconv', '--diff-filter=ACMRT', '-z', base, '--'], top, env);
  const untracked = await git(['ls-files', '--others', '--exclude-standard', '-z'], top, env);
  return new Set([...changed.split('\0'), ...untracked.split('\0')].filter((file) => file !== ''));
}
