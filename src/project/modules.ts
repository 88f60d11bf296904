import { createRequire } from 'node:module';
import { realpathSync, statSync } from 'node:fs';
import { dirname, extname, sep } from 'node:path';
import type * as ScopeManager from '@typescript-eslint/scope-manager';
import type * as Estree from '@typescript-eslint/typescript-estree';
import type * as TS from 'typescript';
import { walk, type FileUnit } from '../core/ast.js';
import { oxcParser, parseWithOxc } from './oxc.js';
import { resolveWorkspacePackage } from './workspaces.js';
import { readTextFileSafe, readTextFileSafeWithRealPath } from '../scan/safe-read.js';
import { compilerOptionsOf, tsconfigAt } from './tsconfig.js';

const require = createRequire(import.meta.url);

/**
 * A CommonJS module loaded on first use. `typescript` (9 MB) and the parser cost about 1.2 s of
 * CPU to load: a scan whose every file comes from the cache, or an ESLint process that never
 * resolves an import, does not pay for them. By require, not `import`: an ESM import of
 * typescript.js also makes Node detect its module format and lex its exports (about 0.7 s, bench/).
 */
export function lazyModule<M extends object>(name: string): M {
  let loaded: M | undefined;
  const load = (): M => (loaded ??= require(name) as M);
  return new Proxy({} as M, {
    get: (_, key) => Reflect.get(load(), key),
    has: (_, key) => Reflect.has(load(), key),
  });
}

export const ts = lazyModule<typeof TS>('typescript');
const estree = lazyModule<typeof Estree>('@typescript-eslint/typescript-estree');
const scopes = lazyModule<typeof ScopeManager>('@typescript-eslint/scope-manager');

const configReads = new Set<string>();

/**
 * Records a file read to resolve modules or workspaces (tsconfig.json and its `extends`,
 * package.json, pnpm-workspace.yaml): the scanner's cache is dropped when one of them changes.
 */
export function noteConfigRead(path: string): void {
  configReads.add(path);
}

/** Every file noted by noteConfigRead in this process. */
export function configFilesRead(): ReadonlySet<string> {
  return configReads;
}

/** Files larger than this are not parsed: generated bundles, not hand-written data access. */
export const MAX_FILE_BYTES = 1_000_000;

/**
 * TypeScript's own reads (tsconfig.json and its `extends` chain, package.json during module
 * resolution, a program's files with --types) through the scanner's safe read: a FIFO, a device or
 * a /proc link is read as absent instead of blocking the scan or filling its memory.
 */
export function safeTsReadFile(path: string): string | undefined {
  noteConfigRead(path);
  try {
    return readTextFileSafe(path);
  } catch {
    return undefined;
  }
}

let safeSys: TS.System | undefined;
/** ts.sys with safeTsReadFile: the host of every TypeScript call that reads files. */
export function safeTsSys(): TS.System {
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

/**
 * Which parser builds the scanner's trees: typescript-estree (ESLint's, the default), or oxc-parser
 * (native, about 3 times cheaper, the same tree: see oxc.ts), when installed.
 */
export type FrontEnd = 'typescript-estree' | 'oxc';

/** Parses TypeScript/JavaScript into the tree and scopes that ESLint hands a rule. */
export function parseUnit(file: string, text: string, frontEnd: FrontEnd = 'typescript-estree'): FileUnit {
  const oxc = frontEnd === 'oxc' ? oxcParser() : undefined;
  if (frontEnd === 'oxc' && !oxc) throw new Error('the oxc front end needs oxc-parser installed');
  // A file oxc rejects is parsed by typescript-estree: the front end never decides what parses.
  let ast = oxc ? parseWithOxc(oxc, file, text) : undefined;
  if (!ast) {
    const jsx = /\.[cm]?[jt]sx$/.test(file) || /\.[cm]?js$/.test(file);
    try {
      ast = estree.parse(text, { range: true, loc: true, jsx, comment: true, errorOnUnknownASTType: false, filePath: file });
    } catch (error) {
      const line = numberField(error, 'lineNumber') ?? 1;
      const column = numberField(error, 'column') ?? 0;
      throw new ParseError(file, line, column + 1, error instanceof Error ? error.message : String(error));
    }
    walk(ast, () => {});
  }
  const tree = ast;
  // Scopes are built on first use (the same analysis of the same tree, once): a file whose analysis
  // never asks about a variable does not pay for them (21 % of umami's files, 13 % of kan's).
  let scopeManager: ScopeManager.ScopeManager | undefined;
  return {
    file,
    text,
    ast: tree,
    get scopeManager() {
      return (scopeManager ??= scopes.analyze(tree, { sourceType: 'module', jsxPragma: null }));
    },
  };
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
  /**
   * The options of each tsconfig.json, by its path: the folders of a package share one, and reading
   * it (with its `extends` chain) again for every folder that imports something was 2 to 4 % of a
   * scan (umami, kan).
   */
  private readonly optionsOfConfig = new Map<string, TS.CompilerOptions>();
  private resolutionCache: TS.ModuleResolutionCache | undefined;
  /** Resolved specifiers by importing directory, file kind and specifier (scanner only: the tree does not change during a scan). */
  private readonly resolved = new Map<string, string | undefined>();
  /** Every project file an import of a file resolved to, whoever asked (the scanner's cache: what a file's analysis can reach). */
  private readonly edges = new Map<string, Set<string>>();

  /**
   * The scan's source files (its discovery of `root`) and their texts, read once: the call graph
   * searches these for callers (src/flow/callers.ts) instead of listing and reading the tree again.
   */
  private listing: { root: string; files: readonly string[] } | undefined;
  private readonly listedUnder = new Map<string, readonly string[] | undefined>();
  private readonly texts = new Map<string, { text: string; real?: string } | null>();

  /** `boundary`: tsconfig files (and what they extend) outside it are not read (the scanned tree). */
  constructor(
    private readonly checkMtime = false,
    private readonly boundary?: string,
    /** The scanner's choice of parser (parseUnit); the editor's graph keeps the default. */
    private readonly frontEnd: FrontEnd = 'typescript-estree',
    /** Source characters of peeked units kept for the scan (see lookahead); none by default. */
    private readonly lookaheadLimit = 0,
  ) {}

  /**
   * The editor's mtimes, each read at most once per linted file (see beginLint): one file's analysis
   * asks for the same imported files many times (every import lookup, every caller search), and a
   * stat for each was 1 to 2 % of an ESLint run (kan). Files do not change meaningfully inside one
   * file's analysis; the next linted file reads them again.
   */
  private readonly mtimes = new Map<string, number>();

  /** A new linted file (the ESLint adapter, once per tree): mtimes are read again. */
  beginLint(): void {
    this.mtimes.clear();
  }

  private mtimeOf(file: string): number {
    let mtime = this.mtimes.get(file);
    if (mtime === undefined) this.mtimes.set(file, (mtime = safeMtime(file)));
    return mtime;
  }

  /** Registers a unit parsed elsewhere (the file ESLint is linting, or one the scanner parsed). */
  add(unit: FileUnit): void {
    this.reached.add(unit.file);
    this.dropAhead(unit.file);
    this.units.set(unit.file, { unit, mtimeMs: this.checkMtime ? this.mtimeOf(unit.file) : 0 });
    const chars = this.droppable.get(unit.file);
    if (chars === undefined) return;
    this.droppable.delete(unit.file);
    this.droppableChars -= chars;
  }

  /**
   * Records the scan's source files: every source file under `root`, as discovery found them (sorted),
   * with nothing left out but what every scan leaves out (DEFAULT_IGNORES).
   */
  listSources(root: string, files: readonly string[]): void {
    this.listing = { root, files };
    this.listedUnder.clear();
  }

  /** The listed source files under `dir` (sorted), or undefined when no listing covers that folder whole. */
  sourceFilesUnder(dir: string): readonly string[] | undefined {
    const listing = this.listing;
    if (!listing) return undefined;
    if (this.listedUnder.has(dir)) return this.listedUnder.get(dir);
    let files: readonly string[] | undefined;
    if (dir === listing.root) files = listing.files;
    else if (dir.startsWith(listing.root + sep)) files = listing.files.filter((file) => file.startsWith(dir + sep));
    this.listedUnder.set(dir, files);
    return files;
  }

  /**
   * A listed file's text, read once per scan (within the scanned folder and the size limit of source
   * files; '' when it cannot be read: the scanner reports that itself).
   */
  sourceText(file: string): string {
    return this.sourceRead(file)?.text ?? '';
  }

  /** A listed file's text and real path (after every symlink), read once; undefined when it cannot be read. */
  sourceRead(file: string): { text: string; real: string } | undefined {
    let read = this.texts.get(file);
    if (read === undefined) {
      try {
        read = readTextFileSafeWithRealPath(file, { root: this.listing?.root, maxBytes: MAX_FILE_BYTES });
      } catch {
        read = null;
      }
      this.texts.set(file, read);
    }
    if (read && read.real === undefined) {
      try {
        read.real = realpathSync.native(file);
      } catch {
        return undefined;
      }
    }
    return (read as { text: string; real: string } | null) ?? undefined;
  }

  /** A text read already for `file` (by sourceRead or noted by the scanner), if any. */
  knownText(file: string): string | undefined {
    return this.texts.get(file)?.text;
  }

  /** Notes the text the scanner read for a listed file, so that the call graph does not read it again. */
  noteText(file: string, text: string): void {
    if (this.listing && !this.texts.get(file)) this.texts.set(file, { text });
  }

  /**
   * A unit already parsed (as an import target, or by a peek ahead of the scan: see lookahead), so
   * that the scanner does not parse it twice. `text`: what the scanner read; a unit parsed ahead
   * from another text is not taken.
   */
  cached(file: string, text?: string): FileUnit | undefined {
    this.reached.add(file);
    const ahead = this.lookahead.get(file);
    if (ahead && !this.units.has(file) && (text === undefined || ahead.text === text)) this.keepAhead(file, ahead);
    const unit = this.units.get(file)?.unit ?? undefined;
    if (unit && this.droppable.size > 0) this.touch(file);
    return unit;
  }

  /**
   * Units that peek parsed for files the scan has not reached yet, kept for when it does (or for a
   * lookup that needs the whole unit first), within lookaheadLimit characters of source. The call
   * graph peeks at the files that name a searched function for what they call (src/flow/callers.ts),
   * mostly files further down the scan's order: without this, each was parsed again when the scan
   * reached it (teable: 777 of 2,582 files parsed twice). First come, first kept, within the
   * graph's lookaheadLimit; an entry leaves when the scan or a lookup takes it, so memory stays bounded.
   */
  private readonly lookahead = new Map<string, FileUnit>();
  private lookaheadChars = 0;
  /** Files the scanner has reached (cached, retain, add): a peek of one of them is not kept ahead. */
  private readonly reached = new Set<string>();

  /** A unit parsed ahead becomes an ordinary droppable unit of the graph (as if unit() had parsed it). */
  private keepAhead(file: string, unit: FileUnit): void {
    this.lookahead.delete(file);
    this.lookaheadChars -= unit.text.length;
    this.units.set(file, { unit, mtimeMs: 0 });
    this.droppable.set(file, unit.text.length);
    this.droppableChars += unit.text.length;
  }

  private dropAhead(file: string): void {
    const ahead = this.lookahead.get(file);
    if (!ahead) return;
    this.lookahead.delete(file);
    this.lookaheadChars -= ahead.text.length;
  }

  /**
   * Units the scanner may drop between files (see trim), least recently used first, with the source
   * characters they hold: the files it scanned, and those parsed because something looked into them
   * (an import, the call graph's search for callers). Keeping every unit grew memory with the
   * repository (bench/: 10,000 files, 1.3 GB; a 5,000-file monorepo, 5 GB); keeping only the
   * scanned ones parsed 17 to 50 % of the files twice (kan, postiz-app). Units added whole (the
   * file being linted, text given in place of the file, schema sources) are never dropped.
   */
  private readonly droppable = new Map<string, number>();
  private droppableChars = 0;

  /**
   * Keeps a unit the scanner parsed, in case a later file imports it: droppable by trim, and never
   * kept when it alone holds more than `maxChars` characters of source.
   */
  retain(unit: FileUnit, maxChars: number): void {
    this.reached.add(unit.file);
    this.dropAhead(unit.file);
    if (this.units.has(unit.file) || unit.text.length > maxChars) return;
    this.units.set(unit.file, { unit, mtimeMs: this.checkMtime ? this.mtimeOf(unit.file) : 0 });
    this.droppable.set(unit.file, unit.text.length);
    this.droppableChars += unit.text.length;
  }

  /**
   * The file ESLint is linting, with ESLint's tree (the editor's graph): it replaces any unit of that
   * file (the buffer may differ from the disk) and is kept like a scanned unit, droppable by trim
   * once later files have been linted. Kept whole, every linted tree (tokens, comments, scopes) lived
   * as long as the process: 1.2 GB on docmost, 1.5 GB on teable, three times ESLint's own memory.
   */
  addLinted(unit: FileUnit): void {
    this.units.set(unit.file, { unit, mtimeMs: this.checkMtime ? this.mtimeOf(unit.file) : 0 });
    const chars = this.droppable.get(unit.file);
    if (chars !== undefined) {
      this.droppable.delete(unit.file);
      this.droppableChars -= chars;
    }
    this.droppable.set(unit.file, unit.text.length);
    this.droppableChars += unit.text.length;
  }

  /** A lookup of a droppable unit: it becomes the most recently used. */
  private touch(file: string): void {
    const chars = this.droppable.get(file);
    if (chars === undefined) return;
    this.droppable.delete(file);
    this.droppable.set(file, chars);
  }

  /**
   * Drops the least recently used droppable units until those left hold at most `maxChars`
   * characters of source. The scanner calls it between files, never while a file is analysed, so a
   * file's analysis sees one parse of each file it looks into; a dropped unit is parsed again when
   * something looks into it later, and parsing the same text again gives the same tree (what the
   * analysis keeps across files is keyed by file and offsets: src/flow/callers.ts nodeKey, sameNode).
   * So what is kept changes the cost, not the result.
   */
  trim(maxChars: number): void {
    for (const [file, chars] of this.droppable) {
      if (this.droppableChars <= maxChars) break;
      this.droppable.delete(file);
      this.droppableChars -= chars;
      this.units.delete(file);
    }
  }

  /**
   * Parses text read elsewhere (a schema source) and keeps the unit, so that the file is not parsed
   * again when the scan reaches it or another file imports it. A parse error propagates.
   */
  parse(file: string, text: string): FileUnit {
    const cached = this.units.get(file)?.unit;
    if (cached && cached.text === text) return cached;
    this.dropAhead(file);
    const unit = parseUnit(file, text, this.frontEnd);
    this.add(unit);
    return unit;
  }

  /** The parsed unit of a project file, or null when it cannot be read or parsed. */
  unit(file: string): FileUnit | null {
    const cached = this.units.get(file);
    if (cached && (!this.checkMtime || cached.mtimeMs === this.mtimeOf(file))) {
      if (this.droppable.size > 0) this.touch(file);
      return cached.unit;
    }
    const ahead = this.lookahead.get(file);
    if (ahead) {
      this.keepAhead(file, ahead);
      return ahead;
    }
    let unit: FileUnit | null = null;
    try {
      const text = readTextFileSafe(file, { maxBytes: MAX_FILE_BYTES });
      if (text.length <= MAX_FILE_BYTES) unit = parseUnit(file, text, this.frontEnd);
    } catch {
      unit = null; // The scanner reports unreadable and unparseable files itself.
    }
    this.units.set(file, { unit, mtimeMs: this.checkMtime ? this.mtimeOf(file) : 0 });
    // Droppable in both graphs: the scanner and the editor trim between files (see trim).
    if (unit) {
      const chars = this.droppable.get(file);
      if (chars !== undefined) this.droppableChars -= chars;
      this.droppable.delete(file);
      this.droppable.set(file, unit.text.length);
      this.droppableChars += unit.text.length;
    }
    return unit;
  }

  /**
   * A file's unit for a look that keeps nothing of it: the unit the graph holds, else a parse of the
   * file that the graph does not keep (and that does not make the file recently used). The call
   * graph's search for callers reads what every candidate file calls this way and keeps only the
   * names (src/flow/callers.ts): a search for a common name (`export`, `get`) parsed and held most of
   * a repository inside one file's analysis (unleash: 4,700 trees, 0.8 GB).
   */
  peek(file: string): FileUnit | null {
    const cached = this.units.get(file);
    if (cached && (!this.checkMtime || cached.mtimeMs === this.mtimeOf(file))) return cached.unit;
    const ahead = this.lookahead.get(file);
    if (ahead) return ahead;
    let unit: FileUnit | null;
    try {
      const text = readTextFileSafe(file, { maxBytes: MAX_FILE_BYTES });
      unit = text.length <= MAX_FILE_BYTES ? parseUnit(file, text, this.frontEnd) : null;
    } catch {
      return null;
    }
    // Kept for the scan to take when it reaches the file (the editor's graph never keeps a peek).
    if (unit && !this.checkMtime && this.listing && !this.reached.has(file) && this.lookaheadChars + unit.text.length <= this.lookaheadLimit) {
      this.lookahead.set(file, unit);
      this.lookaheadChars += unit.text.length;
    }
    return unit;
  }

  /** Resolves an import specifier to a source file of the project; packages resolve to undefined. */
  resolve(fromFile: string, specifier: string): string | undefined {
    // The answer depends on the importing directory and, for Node's ESM/CJS modes, the file's extension.
    const key = `${dirname(fromFile)}\0${extname(fromFile)}\0${specifier}`;
    if (this.checkMtime) {
      // The editor's graph lives across edits: an answer is reused while the file it names still
      // exists. TypeScript's resolution cache, which every answer goes through, keeps its answers
      // (a failed lookup too) for as long, and the workspace package maps are read once per
      // process. Resolving again for every lookup was 5 % of an ESLint run (kan, bench/).
      if (this.resolved.has(key)) {
        const known = this.resolved.get(key);
        if (known === undefined || this.mtimeOf(known) !== -1) return known;
      }
      const file = this.resolveUncached(fromFile, specifier);
      this.resolved.set(key, file);
      return file;
    }
    let file: string | undefined;
    if (this.resolved.has(key)) file = this.resolved.get(key);
    else this.resolved.set(key, (file = this.resolveUncached(fromFile, specifier)));
    if (file !== undefined) {
      let edges = this.edges.get(fromFile);
      if (!edges) this.edges.set(fromFile, (edges = new Set()));
      edges.add(file);
    }
    return file;
  }

  /** Files whose imports were resolved during this scan. */
  importers(): Iterable<string> {
    return this.edges.keys();
  }

  /** The project files the imports of `file` resolved to during this scan. */
  importsOf(file: string): Iterable<string> {
    return this.edges.get(file) ?? [];
  }

  private resolveUncached(fromFile: string, specifier: string): string | undefined {
    const options = this.compilerOptionsFor(dirname(fromFile));
    this.resolutionCache ??= ts.createModuleResolutionCache(process.cwd(), (name) => name);
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
    const configFile = tsconfigAt(dir, this.boundary);
    let options = configFile === undefined ? undefined : this.optionsOfConfig.get(configFile);
    if (!options) {
      options = { moduleResolution: ts.ModuleResolutionKind.Bundler, allowJs: true };
      // Only compilerOptions (with `extends`) matter: the project's file list is never enumerated.
      const configured = configFile === undefined ? undefined : compilerOptionsOf(configFile, this.boundary);
      if (configured) {
        options = { ...configured, allowJs: true };
        if (!options.moduleResolution || options.moduleResolution === ts.ModuleResolutionKind.Classic) {
          options.moduleResolution = ts.ModuleResolutionKind.Bundler;
        }
      }
      if (configFile !== undefined) this.optionsOfConfig.set(configFile, options);
    }
    this.options.set(dir, options);
    return options;
  }
}

function safeMtime(file: string): number {
  try {
    return statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
  } catch {
    return -1;
  }
}
