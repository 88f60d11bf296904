import { existsSync } from 'node:fs';
import { dirname, join, resolve as resolvePath, sep } from 'node:path';
import { globbySync } from './glob.js';
import type * as TS from 'typescript';
import { readTextFileSafe } from '../scan/safe-read.js';
import { noteConfigRead, ts } from './modules.js';


/**
 * npm, yarn and pnpm workspaces, read as data: which directory is a workspace root, and which
 * package of it a bare specifier (`@acme/db`) names.
 */

/** Workspace root directory -> package name -> package directory. */
const workspaces = new Map<string, Map<string, string> | null>();

/**
 * A bare specifier naming a package of the enclosing workspace (`@acme/db`, `@acme/db/schema`),
 * resolved to its source file: node_modules may be absent (a fresh clone), and when present it
 * links the package, which TypeScript reports as an external library import.
 */
export function resolveWorkspacePackage(fromFile: string, specifier: string, options: TS.CompilerOptions): string | undefined {
  const match = /^((?:@[^/]+\/)?[^/.][^/]*)(\/.*)?$/.exec(specifier);
  if (!match?.[1]) return undefined;
  const root = workspaceRootOf(dirname(fromFile));
  const dir = root ? packagesOf(root).get(match[1]) : undefined;
  if (!dir) return undefined;
  // A subpath the package maps in `exports` (`"./keys": "./src/keys.ts"`): its source, not a build.
  const exported = match[2] ? exportedSubpath(dir, `.${match[2]}`) : undefined;
  if (exported) return exported;
  const target = join(dir, match[2] ?? '');
  // Resolving the directory as a relative import reads its package.json (`types`, `main`).
  const result = ts.resolveModuleName(target, fromFile, options, ts.sys);
  const file = result.resolvedModule?.resolvedFileName;
  if (file && !/\.d\.[cm]?ts$/.test(file) && !file.endsWith('.json')) return file;
  for (const candidate of ['src/index.ts', 'src/index.tsx', 'index.ts']) {
    if (!match[2] && existsSync(join(dir, candidate))) return join(dir, candidate);
  }
  // `@acme/cache/keys` of a package without an exports map: `src/keys.ts`.
  for (const candidate of match[2] ? [`src${match[2]}.ts`, `src${match[2]}/index.ts`] : []) {
    if (existsSync(join(dir, candidate))) return join(dir, candidate);
  }
  return undefined;
}

/** The source file package.json `exports` maps `subpath` to (a string, or an `import`/`default`/`types` condition). */
function exportedSubpath(dir: string, subpath: string): string | undefined {
  const pkg = readJson(join(dir, 'package.json'));
  const exports = typeof pkg === 'object' && pkg !== null ? Reflect.get(pkg, 'exports') : undefined;
  if (typeof exports !== 'object' || exports === null) return undefined;
  let target: unknown = Reflect.get(exports, subpath);
  for (let depth = 0; depth < 3 && typeof target === 'object' && target !== null; depth++) {
    target = ['import', 'default', 'require', 'node', 'types'].map((c) => Reflect.get(target as object, c)).find((t) => t !== undefined);
  }
  if (typeof target !== 'string' || /\.d\.[cm]?ts$/.test(target)) return undefined;
  const file = join(dir, target);
  return /\.[cm]?[jt]sx?$/.test(file) && existsSync(file) ? file : undefined;
}

/** The directory of each package of the workspace at `root`, by name. */
export function workspacePackages(root: string): ReadonlyMap<string, string> {
  return packagesOf(root);
}

/** A JSON file as data; undefined when it is missing or does not parse. */
export function readJson(file: string): unknown {
  noteConfigRead(file);
  try {
    return JSON.parse(readTextFileSafe(file, { maxBytes: 1_000_000 }));
  } catch {
    return undefined;
  }
}

/** Package globs of a workspace root: `pnpm-workspace.yaml` `packages:`, or package.json `workspaces`. */
function workspaceGlobs(dir: string): string[] | undefined {
  const pnpm = join(dir, 'pnpm-workspace.yaml');
  if (existsSync(pnpm)) {
    const globs: string[] = [];
    let inPackages = false;
    noteConfigRead(pnpm);
    for (const line of readTextFileSafe(pnpm, { maxBytes: 1_000_000 }).split('\n')) {
      if (/^packages:\s*$/.test(line)) inPackages = true;
      else if (inPackages && /^\s+-\s+/.test(line)) globs.push(line.replace(/^\s+-\s+/, '').replace(/["']/g, '').trim());
      else if (inPackages && /^\S/.test(line)) inPackages = false;
    }
    return globs;
  }
  const pkg = readJson(join(dir, 'package.json'));
  const field = typeof pkg === 'object' && pkg !== null ? Reflect.get(pkg, 'workspaces') : undefined;
  const list = Array.isArray(field) ? field : typeof field === 'object' && field !== null ? Reflect.get(field, 'packages') : undefined;
  return Array.isArray(list) ? list.filter((g): g is string => typeof g === 'string') : undefined;
}

const WORKSPACE_MARKERS = ['pnpm-workspace.yaml', 'lerna.json', 'nx.json', 'turbo.json', 'rush.json'];

/**
 * The workspace a package belongs to, for borrowing its schema: the nearest directory above it
 * that declares workspaces (pnpm-workspace.yaml, a package.json `workspaces` field,
 * lerna/nx/turbo/rush), else the repository root. Undefined for the repository root itself.
 */
export function enclosingWorkspace(root: string): string | undefined {
  if (existsSync(join(root, '.git'))) return undefined;
  for (let dir = dirname(root); ; dir = dirname(dir)) {
    if (WORKSPACE_MARKERS.some((marker) => existsSync(join(dir, marker))) || workspaceGlobs(dir) !== undefined) return dir;
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The workspace root above `dir` whose package globs list `dir` (or the package that holds it):
 * membership declared by the workspace, not guessed from a marker file, so an unrelated folder
 * above never widens what a scan reads.
 */
export function workspaceListing(dir: string): string | undefined {
  for (let up = dirname(dir); dirname(up) !== up; up = dirname(up)) {
    if (!workspaceGlobs(up)?.length) continue;
    const inside = (pkg: string) => dir === pkg || dir.startsWith(pkg + sep);
    return [...packagesOf(up).values()].some(inside) ? up : undefined;
  }
  return undefined;
}

const rootOfDir = new Map<string, string | null>();

/** The nearest directory at or above `start` that lists workspace packages. */
function workspaceRootOf(start: string): string | undefined {
  let root = rootOfDir.get(start);
  if (root === undefined) {
    if (workspaceGlobs(start)?.length) root = start;
    else root = dirname(start) === start || existsSync(join(start, '.git')) ? null : (workspaceRootOf(dirname(start)) ?? null);
    rootOfDir.set(start, root);
  }
  return root ?? undefined;
}

function packagesOf(root: string): Map<string, string> {
  let packages = workspaces.get(root);
  if (packages) return packages;
  packages = new Map();
  const globs = (workspaceGlobs(root) ?? []).filter((g) => !g.startsWith('!')).map((g) => `${g.replace(/\/$/, '')}/package.json`);
  for (const file of globbySync(globs, { cwd: root, absolute: true, ignore: ['**/node_modules/**'], followSymbolicLinks: false, suppressErrors: true })) {
    const pkg = readJson(file);
    const name = typeof pkg === 'object' && pkg !== null ? Reflect.get(pkg, 'name') : undefined;
    if (typeof name === 'string') packages.set(name, resolvePath(dirname(file)));
  }
  workspaces.set(root, packages);
  return packages;
}
