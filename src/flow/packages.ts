import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { manifestOf } from '../project/manifests.js';

/*
 * Who may call a function from outside the project: read from the nearest package.json (data, never
 * executed). The paths policy asks it of exported functions.
 */

/** Per manifest (the same object while its file is unchanged, see manifestOf): is it an application's. */
const privacy = new WeakMap<object, boolean>();

/** `node ... src/x.ts`, `tsx watch src/server.ts`, `nodemon app/index.ts`: a script that runs the package's own source. */
function runsOwnSource(script: string): boolean {
  return script.split(/[&|;]/).some((command) => {
    const words = command.split(/\s+/);
    const runner = words.findIndex((word) => RUNNERS.has(word));
    return runner >= 0 && words.slice(runner + 1).some((word) => OWN_SOURCE.test(word));
  });
}

const RUNNERS = new Set(['node', 'ts-node', 'tsx', 'nodemon', 'bun']);
const OWN_SOURCE = /^\.?\/?(src|server|app)\/[\w./-]+\.[cm]?[jt]s$/;

/** What a package others import declares: an entry point. An application's manifest has none. */
const LIBRARY_FIELDS = ['main', 'module', 'exports', 'types', 'typings', 'bin'];

/**
 * `"private": true`; a `start` script; no entry point; or a workspace root (`workspaces`, `pnpm-workspace.yaml`: a
 * monorepo's root is not published, whatever `main` npm init left in it, as in postiz's).
 */
function isApplication(manifest: object, dir: string): boolean {
  if (Reflect.get(manifest, 'private') === true) return true;
  // A `start` script, or a script that runs its own source (`node -r ts-node/register src/_processor/index.ts`,
  // retraced's API and processor): the package runs as a server, an application whatever `main` says.
  const scripts: unknown = Reflect.get(manifest, 'scripts');
  if (typeof scripts === 'object' && scripts !== null) {
    if (typeof Reflect.get(scripts, 'start') === 'string') return true;
    if (Object.values(scripts).some((script) => typeof script === 'string' && runsOwnSource(script))) return true;
  }
  const fields = LIBRARY_FIELDS.filter((f) => Reflect.has(manifest, f));
  if (fields.length === 0) return true;
  // `"main": "index.ts"` (openpanel's `@openpanel/db`, fresh-repo M7): an entry point in TypeScript source is
  // what a monorepo's own apps import; a package published for others ships JavaScript there.
  if (sourceEntry(Reflect.get(manifest, 'main')) || sourceEntry(Reflect.get(manifest, 'exports'))) return true;
  return Reflect.has(manifest, 'workspaces') || existsSync(join(dir, 'pnpm-workspace.yaml'));
}

/** An entry (a path, or an `exports` map of them) that names TypeScript source, not declarations. */
function sourceEntry(entry: unknown, depth = 0): boolean {
  if (typeof entry === 'string') return /\.[cm]?tsx?$/.test(entry) && !/\.d\.[cm]?ts$/.test(entry);
  if (typeof entry !== 'object' || entry === null || depth > 3) return false;
  const values = Object.entries(entry).filter(([key]) => key !== 'types' && key !== 'typings').map(([, value]) => value);
  return values.length > 0 && values.every((value) => sourceEntry(value, depth + 1));
}

/**
 * The nearest package.json is an application's, not a library others call: it says `"private":
 * true`, or it declares no entry point (`main`, `exports`, `bin`...) through which others could
 * import the function.
 */
export function inPrivatePackage(file: string): boolean {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = manifestOf(dir);
    // An unreadable manifest says nothing about the package: not an application's.
    if (manifest === null) return false;
    if (manifest !== undefined) {
      let known = privacy.get(manifest);
      if (known === undefined) {
        known = isApplication(manifest, dir);
        privacy.set(manifest, known);
      }
      return known;
    }
    // No manifest at all: nothing says the code is an application's own; assume others may call it.
    if (dirname(dir) === dir) return false;
  }
}

/** Per manifest: the files its scripts name, resolved against its folder, without extension. */
const scriptPaths = new WeakMap<object, Set<string>>();

/**
 * The file is run by a `scripts` entry of its nearest package.json (`"dev-task": "nodemon --exec ts-node
 * ./src/tasks/index.ts"`): a program of its own. The words of every script that name a file, resolved against
 * the manifest's folder, compared without extension.
 */
export function runByPackageScript(file: string): boolean {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = manifestOf(dir);
    // An unreadable manifest names no script.
    if (manifest === null) return false;
    if (manifest !== undefined) {
      let paths = scriptPaths.get(manifest);
      if (!paths) {
        paths = scriptFiles(manifest, dir);
        scriptPaths.set(manifest, paths);
      }
      return paths.has(scriptFile(file) ?? file);
    }
    if (dirname(dir) === dir) return false;
  }
}

function scriptFiles(manifest: object, dir: string): Set<string> {
  const paths = new Set<string>();
  const scripts: unknown = Reflect.get(manifest, 'scripts');
  if (typeof scripts !== 'object' || scripts === null) return paths;
  for (const script of Object.values(scripts)) {
    if (typeof script !== 'string') continue;
    for (const word of script.split(/[\s&|;'"=]+/)) {
      const bare = scriptFile(word);
      if (bare) paths.add(join(dir, bare));
    }
  }
  return paths;
}

/** A word of a script that names a source or built file, without its extension: `./src/tasks/index.ts` → `src/tasks/index`. */
function scriptFile(word: string): string | undefined {
  const dot = word.lastIndexOf('.');
  if (dot <= 0 || !SCRIPT_EXTENSIONS.has(word.slice(dot + 1))) return undefined;
  return word.slice(word.startsWith('./') ? 2 : 0, dot);
}

const SCRIPT_EXTENSIONS = new Set(['ts', 'js', 'mts', 'cts', 'mjs', 'cjs', 'tsx', 'jsx']);

/**
 * The first of `names` that the nearest package.json of a file lists in its `dependencies` or
 * `peerDependencies` (a base class's package that depends on a queue client: `kafkajs`), else undefined.
 */
export function dependencyOf(file: string, names: readonly string[]): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = manifestOf(dir);
    if (manifest === null) return undefined;
    if (manifest !== undefined) {
      for (const field of ['dependencies', 'peerDependencies']) {
        const deps: unknown = Reflect.get(manifest, field);
        if (typeof deps !== 'object' || deps === null) continue;
        const found = names.find((name) => Reflect.has(deps, name));
        if (found) return found;
      }
      return undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}
