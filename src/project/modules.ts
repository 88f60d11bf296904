import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { analyze } from '@typescript-eslint/scope-manager';
import { parse, parseAndGenerateServices } from '@typescript-eslint/typescript-estree';
import { oracleFromServices } from '../core/types.js';
import type * as TS from 'typescript';
import { walk, type FileUnit } from '../core/ast.js';
import { resolveWorkspacePackage } from './workspaces.js';
import { readTextFileSafe } from '../scan/safe-read.js';
import { buildProgram, compilerOptionsAt, type TsconfigProgram } from './tsconfig.js';

// `typescript` by CommonJS require, not `import`: an ESM import of the 9 MB typescript.js makes Node
// also detect its module format and lex its exports, about 0.7 s of CPU in every process (bench/).
const ts: typeof TS = createRequire(import.meta.url)('typescript');

/** Files larger than this are not parsed: generated bundles, not hand-written data access. */
export const MAX_FILE_BYTES = 1_000_000;

/**
 * TypeScript's own reads (tsconfig.json and its `extends` chain, package.json during module
 * resolution, a program's files with --types) through the scanner's safe read: a FIFO, a device or
 * a /proc link is read as absent instead of blocking the scan or filling its memory.
 */
function safeTsReadFile(path: string): string | undefined {
  try {
    return readTextFileSafe(path);
  } catch {
    return undefined;
  }
}

let safeSys: TS.System | undefined;
/** ts.sys with safeTsReadFile: the host of every TypeScript call that reads files. */
function safeTsSys(): TS.System {
  safeSys ??= { ...ts.sys, readFile: safeTsReadFile };
  return safeSys;
}

export class ParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
    this.name = 'ParseError';
  }
}

/** Parses TypeScript/JavaScript into the tree and scopes that ESLint hands a rule. */
export function parseUnit(file: string, text: string): FileUnit {
  const jsx = /\.[cm]?[jt]sx$/.test(file) || /\.[cm]?js$/.test(file);
  let ast;
  try {
    ast = parse(text, { range: true, loc: true, jsx, comment: true, errorOnUnknownASTType: false, filePath: file });
  } catch (error) {
    const line = numberField(error, 'lineNumber') ?? 1;
    const column = numberField(error, 'column') ?? 0;
    throw new ParseError(file, line, column + 1, error instanceof Error ? error.message : String(error));
  }
  const scopeManager = analyze(ast, { sourceType: 'module', jsxPragma: null });
  walk(ast, () => {});
  return { file, text, ast, scopeManager };
}

/**
 * The same parse with type information from `program` (scanner `--types`): the tree and parser
 * services ESLint would have with `projectService`, so the type-aware checks agree across faces.
 * Files outside the program get the plain parse.
 */
export function parseTypedUnit(file: string, text: string, program: TS.Program | undefined): FileUnit {
  if (!program?.getSourceFile(file)) return parseUnit(file, text);
  const jsx = /\.[cm]?[jt]sx$/.test(file) || /\.[cm]?js$/.test(file);
  let parsed;
  try {
    parsed = parseAndGenerateServices(text, { range: true, loc: true, jsx, comment: true, errorOnUnknownASTType: false, filePath: file, programs: [program] });
  } catch {
    return parseUnit(file, text);
  }
  const scopeManager = analyze(parsed.ast, { sourceType: 'module', jsxPragma: null });
  walk(parsed.ast, () => {});
  return { file, text, ast: parsed.ast, scopeManager, types: oracleFromServices(parsed.services) };
}

/**
 * A TypeScript program from the tsconfig.json at `root` (read as JSON data, never executed), none
 * with the reason when it would read outside `boundary` (see tsconfig.ts).
 */
export function programFor(root: string, boundary?: string): TsconfigProgram {
  return buildProgram(root, boundary);
}

function numberField(value: unknown, key: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field: unknown = Reflect.get(value, key);
  return typeof field === 'number' ? field : undefined;
}

/**
 * What the analysis may know of other files: module resolution (tsconfig `paths` included, read
 * as data) and parsed units, each file parsed at most once per graph. The scanner shares one
 * graph for the whole scan; the ESLint plugin keeps one per project and drops stale units by mtime.
 */
export class ModuleGraph {
  private readonly units = new Map<string, { unit: FileUnit | null; mtimeMs: number }>();
  private readonly options = new Map<string, TS.CompilerOptions>();
  private readonly resolutionCache = ts.createModuleResolutionCache(process.cwd(), (name) => name);

  /** `boundary`: tsconfig files (and what they extend) outside it are not read (the scanned tree). */
  constructor(
    private readonly checkMtime = false,
    private readonly boundary?: string,
  ) {}

  /** Registers a unit parsed elsewhere (the file ESLint is linting, or one the scanner parsed). */
  add(unit: FileUnit): void {
    this.units.set(unit.file, { unit, mtimeMs: this.checkMtime ? safeMtime(unit.file) : 0 });
  }

  /** A unit already parsed (as an import target), so that the scanner does not parse it twice. */
  cached(file: string): FileUnit | undefined {
    return this.units.get(file)?.unit ?? undefined;
  }

  /** The parsed unit of a project file, or null when it cannot be read or parsed. */
  unit(file: string): FileUnit | null {
    const cached = this.units.get(file);
    if (cached && (!this.checkMtime || cached.mtimeMs === safeMtime(file))) return cached.unit;
    let unit: FileUnit | null = null;
    try {
      const text = readTextFileSafe(file, { maxBytes: MAX_FILE_BYTES });
      if (text.length <= MAX_FILE_BYTES) unit = parseUnit(file, text);
    } catch {
      unit = null; // The scanner reports unreadable and unparseable files itself.
    }
    this.units.set(file, { unit, mtimeMs: this.checkMtime ? safeMtime(file) : 0 });
    return unit;
  }

  /** Resolves an import specifier to a source file of the project; packages resolve to undefined. */
  resolve(fromFile: string, specifier: string): string | undefined {
    const options = this.compilerOptionsFor(dirname(fromFile));
    const result = ts.resolveModuleName(specifier, fromFile, options, safeTsSys(), this.resolutionCache);
    const resolved = result.resolvedModule;
    // A workspace package linked into node_modules (pnpm, npm/yarn workspaces) resolves to its real
    // path outside node_modules: that is project source, though TypeScript calls it a library.
    const library = resolved?.isExternalLibraryImport === true && /[\\/]node_modules[\\/]/.test(resolved.resolvedFileName);
    const declarations = resolved?.extension === ts.Extension.Dts || resolved?.extension === ts.Extension.Json;
    if (resolved && !library && !declarations) return resolved.resolvedFileName;
    // Not installed (a fresh clone), or only its .d.ts: a package of the enclosing workspace, by name.
    if (library || specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
    return resolveWorkspacePackage(fromFile, specifier, options);
  }

  private compilerOptionsFor(dir: string): TS.CompilerOptions {
    const cached = this.options.get(dir);
    if (cached) return cached;
    let options: TS.CompilerOptions = { moduleResolution: ts.ModuleResolutionKind.Bundler, allowJs: true };
    // Only compilerOptions (with `extends`) matter: the project's file list is never enumerated.
    const configured = compilerOptionsAt(dir, this.boundary);
    if (configured) {
      options = { ...configured, allowJs: true };
      if (!options.moduleResolution || options.moduleResolution === ts.ModuleResolutionKind.Classic) {
        options.moduleResolution = ts.ModuleResolutionKind.Bundler;
      }
    }
    this.options.set(dir, options);
    return options;
  }
}

function safeMtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}
