import { createRequire } from 'node:module';
import { lstatSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import type * as TS from 'typescript';
import { readFailure, readTextFileSafe, UnsafeFileError } from '../scan/safe-read.js';

// `typescript` by CommonJS require, not `import`, and on first use (see lazyModule in modules.ts).
const require = createRequire(import.meta.url);
let loadedTs: typeof TS | undefined;
const ts: typeof TS = new Proxy({} as typeof TS, { get: (_, key) => Reflect.get((loadedTs ??= require('typescript') as typeof TS), key) });

/**
 * Everything that reads a tsconfig.json (its `extends` chain, `references`, and with `--types` the
 * files its `include` names) through one file-system view bounded to the scanned tree. TypeScript's
 * own `ts.sys` follows a `src/root -> /` link and enumerates the whole disk, reads an `extends` that is
 * a link to any file, and looks for `node_modules/@types` up to `/`. Here a read outside the tree is
 * refused (and named as a problem), a symlinked folder is never entered, and nothing is executed
 * (tsserver `plugins` are data TypeScript never loads in a program).
 */
export interface TsconfigProblem {
  /** The tsconfig.json the problem is reported on (absolute). */
  file: string;
  /** One line, paths relative to the tsconfig's folder. */
  message: string;
}

/** TypeScript's own `lib.*.d.ts` folder: read by every program, and part of the tool, not of the scanned tree. */
let libFolder: string | undefined;
function typescriptLibFolder(): string {
  libFolder ??= dirname(ts.getDefaultLibFilePath({}));
  return libFolder;
}

function within(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** Folders TypeScript's wildcards never enter (its implicit exclusion), and a bound on nesting. */
const PACKAGE_FOLDERS = new Set(['node_modules', 'bower_components', 'jspm_packages']);
const MAX_DEPTH = 64;

/**
 * A TypeScript host (System, ParseConfigHost, ModuleResolutionHost) that reads only regular files
 * inside `boundary` (or TypeScript's lib folder), through the scanner's safe read. Refused reads of
 * JSON files (a tsconfig, a config it extends or references) are collected as problems.
 */
export class BoundedTsHost {
  readonly problems: { path: string; reason: string }[] = [];
  readonly outsideIncludes: string[] = [];

  constructor(readonly boundary: string | undefined) {}

  private allowed(path: string): boolean {
    const absolute = resolve(path);
    return this.boundary === undefined || within(this.boundary, absolute) || within(typescriptLibFolder(), absolute);
  }

  readFile = (path: string): string | undefined => {
    const absolute = resolve(path);
    const lib = within(typescriptLibFolder(), absolute);
    try {
      return readTextFileSafe(absolute, lib || this.boundary === undefined ? {} : { root: this.boundary });
    } catch (error) {
      if (error instanceof UnsafeFileError && /\.json$/i.test(absolute)) this.problems.push({ path: absolute, reason: readFailure(error) });
      return undefined;
    }
  };

  fileExists = (path: string): boolean => this.allowed(path) && ts.sys.fileExists(path);

  directoryExists = (path: string): boolean => this.allowed(path) && ts.sys.directoryExists(path);

  getDirectories = (path: string): string[] => (this.allowed(path) ? ts.sys.getDirectories(path) : []);

  realpath = (path: string): string => (ts.sys.realpath ? ts.sys.realpath(path) : path);

  getCurrentDirectory = (): string => ts.sys.getCurrentDirectory();

  readonly useCaseSensitiveFileNames = ts.sys.useCaseSensitiveFileNames;

  /**
   * The files of a tsconfig's `include` (TypeScript's wildcards: `*`, `?`, `**`; a folder name means
   * everything below it), minus `exclude`, with one of `extensions`. An include whose fixed part is
   * outside the boundary is refused and remembered; symlinked folders are not entered.
   */
  readDirectory = (basePath: string, extensions?: readonly string[], excludes?: readonly string[], includes?: readonly string[], depth?: number): string[] => {
    const excludePatterns = (excludes ?? []).flatMap((spec) => {
      const absolute = toPosix(resolve(basePath, spec));
      return [absolute, `${absolute}/**`];
    });
    const excluded = excludePatterns.length ? picomatch(excludePatterns, { dot: true }) : () => false;
    const wanted = (file: string) => (extensions === undefined || extensions.length === 0 || extensions.some((extension) => file.endsWith(extension))) && !excluded(toPosix(file));
    const found = new Set<string>();
    for (const spec of includes?.length ? includes : ['**/*']) {
      const { base, glob } = picomatch.scan(toPosix(resolve(basePath, implicitGlob(spec))));
      const folder = resolve(base);
      if (this.boundary !== undefined && !within(this.boundary, folder)) {
        this.outsideIncludes.push(spec);
        continue;
      }
      if (!glob) {
        if (isRegularFile(folder) && wanted(folder)) found.add(folder);
        continue;
      }
      const matches = picomatch(glob, { dot: false });
      walk(folder, Math.min(depth ?? MAX_DEPTH, MAX_DEPTH), (file) => {
        if (matches(toPosix(relative(folder, file))) && wanted(file)) found.add(file);
      });
    }
    return [...found].sort();
  };
}

/** `src` means `src/**\/*`, as in TypeScript: a last segment with no wildcard and no dot. */
function implicitGlob(spec: string): string {
  const last = spec.split(/[\\/]/).filter(Boolean).pop() ?? '';
  if (/[*?.]/.test(last)) return spec;
  let end = spec.length;
  while (end > 0 && (spec[end - 1] === '/' || spec[end - 1] === '\\')) end--;
  return `${spec.slice(0, end)}/**/*`;
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Regular files (and links to files) below `dir`; links to folders are not followed, dot and package folders skipped. */
function walk(dir: string, depth: number, visit: (file: string) => void): void {
  if (depth < 0) return;
  let entries: Dirent[];
  try {
    if (!lstatSync(dir).isDirectory()) return;
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !PACKAGE_FOLDERS.has(entry.name)) walk(path, depth - 1, visit);
    } else if (entry.isFile() || (entry.isSymbolicLink() && isRegularFile(path))) {
      visit(path);
    }
  }
}

/** The nearest tsconfig.json at or above `dir`, looking no higher than `boundary` (when given). */
export function findTsconfig(dir: string, boundary: string | undefined): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    const candidate = join(current, 'tsconfig.json');
    if (exists(candidate)) return candidate;
    if (dirname(current) === current || (boundary !== undefined && !within(boundary, dirname(current)))) return undefined;
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

export interface TsconfigProgram {
  program?: TS.Program;
  problems: TsconfigProblem[];
}

/**
 * With `--types`: a TypeScript program from the tsconfig.json at `root` (read as JSON data, never
 * executed), or none with the reason when reading it would leave `boundary`: the tsconfig itself, a
 * config it extends or references, an `include` or a `files` entry outside the tree. Type information
 * only refines, so such a project is analysed without it, and the scan goes on.
 */
export function buildProgram(root: string, boundary: string | undefined): TsconfigProgram {
  const configFile = join(root, 'tsconfig.json');
  if (!exists(configFile)) return { problems: [] };
  const host = new BoundedTsHost(boundary);
  const problem = (what: string): TsconfigProgram => ({
    problems: [{ file: configFile, message: `--types: no type information for this project: ${what}; its files are analysed without it` }],
  });
  const name = (path: string) => toPosix(relative(root, path)) || '.';
  let text: string;
  try {
    text = readTextFileSafe(configFile, { maxBytes: 1_000_000, ...(boundary === undefined ? {} : { root: boundary }) });
  } catch (error) {
    return problem(`tsconfig.json cannot be read (${readFailure(error)})`);
  }
  const read = ts.parseConfigFileTextToJson(configFile, text);
  if (read.error) return { problems: [] };
  const parsed = ts.parseJsonConfigFileContent(read.config, host, root, undefined, configFile);
  const refusal = (): TsconfigProgram | undefined => {
    const refused = host.problems[0];
    if (refused) return problem(`it extends or references ${name(refused.path)}, which cannot be read (${refused.reason})`);
    if (host.outsideIncludes.length) return problem(`its include ${host.outsideIncludes.map((spec) => JSON.stringify(spec)).join(', ')} reaches outside the scanned tree`);
    return undefined;
  };
  const early = refusal();
  if (early) return early;
  const outside = boundary === undefined ? [] : [...parsed.fileNames, ...(parsed.projectReferences ?? []).map((ref) => ref.path)].filter((path) => !within(boundary, resolve(root, path)));
  if (outside.length) return problem(`it names ${name(resolve(root, outside[0]))}, outside the scanned tree`);
  const options = { ...parsed.options, noEmit: true };
  const compilerHost = ts.createCompilerHost(options);
  // Every read of the program goes through the bounded host: sources, referenced projects, @types.
  Object.assign(compilerHost, {
    readFile: host.readFile,
    fileExists: host.fileExists,
    directoryExists: host.directoryExists,
    getDirectories: host.getDirectories,
    readDirectory: host.readDirectory,
  });
  const program = ts.createProgram({ rootNames: parsed.fileNames, options, host: compilerHost, ...(parsed.projectReferences ? { projectReferences: parsed.projectReferences } : {}) });
  const late = refusal();
  if (late) return late;
  return { program, problems: [] };
}

/**
 * The compiler options of the nearest tsconfig.json at or above `dir` (module resolution, `paths`),
 * read through the bounded host; the project's files are never enumerated. A config that cannot be
 * read costs its options only: the defaults are used.
 */
export function compilerOptionsAt(dir: string, boundary: string | undefined): TS.CompilerOptions | undefined {
  const configFile = tsconfigAt(dir, boundary);
  return configFile === undefined ? undefined : compilerOptionsOf(configFile, boundary);
}

/** The tsconfig.json whose options apply at `dir` (see compilerOptionsAt). */
export function tsconfigAt(dir: string, boundary: string | undefined): string | undefined {
  return boundary === undefined ? ts.findConfigFile(dir, ts.sys.fileExists, 'tsconfig.json') : findTsconfig(dir, boundary);
}

/** The compiler options of one tsconfig.json (and its `extends` chain), read through the bounded host. */
export function compilerOptionsOf(configFile: string, boundary: string | undefined): TS.CompilerOptions | undefined {
  const host = new BoundedTsHost(boundary);
  const text = host.readFile(configFile);
  if (text === undefined) return undefined;
  const read = ts.parseConfigFileTextToJson(configFile, text);
  if (read.error) return undefined;
  const parseHost: TS.ParseConfigHost = { ...host, useCaseSensitiveFileNames: host.useCaseSensitiveFileNames, readFile: host.readFile, fileExists: host.fileExists, readDirectory: () => [] };
  return ts.parseJsonConfigFileContent(read.config, parseHost, dirname(configFile)).options;
}
