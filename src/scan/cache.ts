/**
 * `tenant-lint scan --cache`: each source file's analysis kept between scans, reused only while
 * nothing it depended on has changed, so that a warm scan gives the bytes a cold scan gives.
 *
 * What a file's findings depend on, and how each is part of the key:
 * - the tool (version and cache format), the scan's options and the list of scanned files (a file
 *   added or removed can change how an import resolves): the scan-wide key; any change empties the cache;
 * - its project: config, the ORM packages the project imports, and the content of every schema
 *   and config input (schema.prisma, migrations, TypeScript table definitions): the project key;
 * - its own text, and the text of every file the analysis reached: the closure, over the import
 *   edges the module graph resolved (recorded per file, whoever asked: memos are covered), of the
 *   file itself and of every caller candidate the call graph read for it;
 * - the callers it searched for by name (a finding's severity depends on who calls the function
 *   that holds the query): a changed or new file whose text now names one of them invalidates it.
 * A file whose analysis ran out of time or failed internally is never cached.
 *
 * The cache is data: one JSON file, read with a size cap, validated by shape, never executed; a
 * cache that does not read as this format is ignored (and rewritten).
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { FileAnalysis } from '../analyze/analyze.js';
import type { Diagnostic } from '../core/result.js';
import type { Project } from '../project/project.js';
import { VERSION } from '../version.js';
import { readTextFileSafe } from './safe-read.js';
import { writeFileSafe } from './safe-write.js';

/** Bumped whenever what is stored, or what it depends on, changes shape. */
const CACHE_FORMAT = 1;
const CACHE_FILE = 'scan-cache.json';
/** A cache larger than this is not read (it is rebuilt). */
const MAX_CACHE_BYTES = 512 * 1024 * 1024;

/**
 * Where the cache lives when `--cache-location` is not given, relative to the scanned folder: in
 * node_modules/.cache, the folder build tools share for caches (Babel, ESLint loaders, Vite), which
 * every repository already ignores in git and which `rm -rf node_modules` clears; the scanner never
 * reads source files there.
 */
export const DEFAULT_CACHE_LOCATION = join('node_modules', '.cache', 'tenant-lint');

/** What a cached file's analysis came to: the scanner's outcome, without the project (recomputed). */
export type CachedOutcome =
  | { kind: 'skipped'; code: Diagnostic['code']; message: string; line?: number; column?: number }
  | { kind: 'analysed'; analysis: FileAnalysis };

interface FileRecord {
  /** Content hash; '' for a file that could not be read. */
  hash: string;
  /** Files an import of this file resolved to (scan-relative). */
  edges: string[];
}

interface ResultRecord {
  project: string;
  /** Function names whose callers the analysis searched for. */
  names: string[];
  /** Files the call graph read as candidates for those names (scan-relative). */
  candidates: string[];
  outcome: CachedOutcome;
}

interface CacheData {
  format: number;
  tool: string;
  key: string;
  /** Files read to resolve modules and workspaces (tsconfig.json, package.json), with their hashes. */
  inputs: Record<string, string>;
  files: Record<string, FileRecord>;
  results: Record<string, ResultRecord>;
  /** Schema readers' results (tagged JSON: Maps and Sets kept), by a hash of their kind and inputs. */
  memos: Record<string, string>;
}

export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** What the scan reports back for each file it analysed afresh. */
export interface Recorded {
  names: ReadonlySet<string>;
  candidates: ReadonlySet<string>;
}

export class ScanCache {
  private readonly file: string;
  private readonly old: CacheData | undefined;
  private readonly next: CacheData;
  private readonly hashes = new Map<string, string>();
  private readonly projectKeys = new WeakMap<Project, string>();
  /** Files whose text differs from the cached scan (or that it did not know), with their text. */
  private changed: Map<string, string> | undefined;
  private readonly valid = new Map<string, boolean>();
  /** Files analysed this scan whose result was taken from the cache. */
  hits = 0;

  constructor(
    private readonly root: string,
    location: string,
    key: unknown,
    private readonly scanned: readonly string[],
  ) {
    this.file = join(resolve(root, location), CACHE_FILE);
    const scanKey = hashText(JSON.stringify({ format: CACHE_FORMAT, tool: VERSION, build: toolBuild(), key, files: scanned.map((f) => this.rel(f)) }));
    this.next = { format: CACHE_FORMAT, tool: VERSION, key: scanKey, inputs: Object.create(null) as CacheData['inputs'], files: Object.create(null) as CacheData['files'], results: Object.create(null) as CacheData['results'], memos: Object.create(null) as CacheData['memos'] };
    const old = readCache(this.file);
    this.old = old?.key === scanKey && Object.entries(old.inputs).every(([rel, hash]) => this.hashOf(rel) === hash) ? old : undefined;
  }

  private rel(file: string): string {
    const path = relative(this.root, file);
    return sep === '/' ? path : path.split(sep).join('/');
  }

  private abs(rel: string): string {
    return resolve(this.root, rel);
  }

  /** The content hash of a file now ('' when it cannot be read), read once per scan. */
  private hashOf(rel: string): string {
    let hash = this.hashes.get(rel);
    if (hash === undefined) {
      hash = hashText(this.textOf(rel) ?? '\u0000unreadable');
      this.hashes.set(rel, hash);
    }
    return hash;
  }

  private textOf(rel: string): string | undefined {
    try {
      return readTextFileSafe(this.abs(rel));
    } catch {
      return undefined;
    }
  }

  /** Every file whose text is not the one the cache saw (text '' when it is gone or unreadable). */
  private changedFiles(): Map<string, string> {
    if (this.changed) return this.changed;
    this.changed = new Map();
    const known = this.old?.files ?? {};
    const all = new Set([...Object.keys(known), ...this.scanned.map((f) => this.rel(f))]);
    for (const rel of all) {
      if (Object.hasOwn(known, rel) && known[rel].hash === this.hashOf(rel)) continue;
      this.changed.set(rel, this.textOf(rel) ?? '');
    }
    return this.changed;
  }

  projectKey(project: Project): string {
    let key = this.projectKeys.get(project);
    if (key === undefined) {
      key = hashText(
        JSON.stringify({
          root: this.rel(project.root),
          config: project.config,
          schemaFrom: project.schemaFrom === undefined ? null : this.rel(project.schemaFrom),
          orms: [...project.orms].sort(),
          inputs: project.inputs.map((input) => [this.rel(input.path), this.hashOf(this.rel(input.path))]).sort(),
        }),
      );
      this.projectKeys.set(project, key);
    }
    return key;
  }

  /** The cached outcome of `file`, when nothing it depends on has changed. */
  lookup(file: string, projectOf: () => Project): CachedOutcome | undefined {
    const rel = this.rel(file);
    const record = this.old && Object.hasOwn(this.old.results, rel) ? this.old.results[rel] : undefined;
    if (!record) return undefined;
    const changed = this.changedFiles();
    if (changed.has(rel)) return undefined;
    // A file skipped for what it is (too large, binary, unparseable) needs no project: none is loaded for it.
    if (record.outcome.kind === 'skipped') {
      this.keep(rel, record);
      this.hits += 1;
      return record.outcome;
    }
    if (record.project !== this.projectKey(projectOf())) return undefined;
    for (const name of record.names) {
      for (const text of changed.values()) if (text.includes(name)) return undefined;
    }
    if (!this.unchangedClosure([rel, ...record.candidates])) return undefined;
    this.keep(rel, record);
    this.hits += 1;
    return record.outcome;
  }

  /**
   * A schema reader's result from the cache when one was kept for the same kind and inputs (the
   * key names every input by content), else computed and kept.
   */
  memo<T>(kind: string, key: unknown, compute: () => T): T {
    const id = hashText(JSON.stringify([kind, key]));
    const stored = this.old && Object.hasOwn(this.old.memos, id) ? this.old.memos[id] : Object.hasOwn(this.next.memos, id) ? this.next.memos[id] : undefined;
    if (stored !== undefined) {
      try {
        const value = JSON.parse(stored, revive) as T;
        this.next.memos[id] = stored;
        return value;
      } catch {
        // not this format: computed again
      }
    }
    const value = compute();
    this.next.memos[id] = JSON.stringify(value, tag);
    return value;
  }

  /** Every file reachable from `start` over recorded import edges has the text the cache saw. */
  private unchangedClosure(start: string[]): boolean {
    const files = this.old?.files ?? {};
    const seen = new Set<string>();
    const stack = [...start];
    while (stack.length) {
      const rel = stack.pop()!;
      if (seen.has(rel)) continue;
      seen.add(rel);
      const known = this.valid.get(rel);
      if (known === false) return false;
      const entry = Object.hasOwn(files, rel) ? files[rel] : undefined;
      if (!entry || (known === undefined && entry.hash !== this.hashOf(rel))) {
        this.valid.set(rel, false);
        return false;
      }
      this.valid.set(rel, true);
      stack.push(...entry.edges);
    }
    return true;
  }

  private keep(rel: string, record: ResultRecord): void {
    this.next.results[rel] = record;
  }

  /** Records a fresh analysis of `file` (not one that ran out of time or failed internally). */
  record(file: string, project: Project | undefined, outcome: CachedOutcome, recorded: Recorded): void {
    this.keep(this.rel(file), {
      project: project ? this.projectKey(project) : '',
      names: [...recorded.names].sort(),
      candidates: [...recorded.candidates].map((f) => this.rel(f)).sort(),
      outcome,
    });
  }

  /**
   * Writes the cache: every kept result, and the hash and import edges of every file a kept result
   * may depend on (edges resolved this scan, plus those of the cached scan for an unchanged file).
   * A cache that cannot be written costs the next scan its speed, never this scan's result.
   */
  save(edgesOf: (file: string) => Iterable<string>, edgeSources: Iterable<string>, configInputs: Iterable<string>): void {
    for (const rel of [...Object.keys(this.old?.inputs ?? {}), ...[...configInputs].map((file) => this.rel(file))]) this.next.inputs[rel] = this.hashOf(rel);
    const edges = new Map<string, Set<string>>();
    for (const from of edgeSources) edges.set(this.rel(from), new Set([...edgesOf(from)].map((to) => this.rel(to))));
    const need = new Set<string>();
    for (const [rel, record] of Object.entries(this.next.results)) {
      need.add(rel);
      for (const candidate of record.candidates) need.add(candidate);
    }
    const stack = [...need];
    while (stack.length) {
      const rel = stack.pop()!;
      const hash = this.hashOf(rel);
      const old = this.old && Object.hasOwn(this.old.files, rel) ? this.old.files[rel] : undefined;
      const set = edges.get(rel) ?? new Set<string>();
      if (old && old.hash === hash) for (const to of old.edges) set.add(to);
      this.next.files[rel] = { hash, edges: [...set].sort() };
      for (const to of set) {
        if (!need.has(to)) {
          need.add(to);
          stack.push(to);
        }
      }
    }
    try {
      const dir = dirname(this.file);
      mkdirSync(dir, { recursive: true });
      if (lstatSync(dir).isSymbolicLink()) return;
      writeFileSafe(this.file, JSON.stringify(this.next), this.root);
    } catch {
      // A read-only checkout, a full disk, a planted link: the next scan is cold.
    }
  }
}

const MAP = '\u0000map';
const SET = '\u0000set';

/** JSON.stringify replacer that keeps Maps and Sets (the schema's columns and relations are Maps). */
function tag(_key: string, value: unknown): unknown {
  if (value instanceof Map) return { [MAP]: [...value] };
  if (value instanceof Set) return { [SET]: [...value] };
  return value;
}

function revive(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === MAP) return new Map(Reflect.get(value, MAP) as [unknown, unknown][]);
    if (keys.length === 1 && keys[0] === SET) return new Set(Reflect.get(value, SET) as unknown[]);
  }
  return value;
}

/**
 * The build of the tool, beside its version: a rebuilt or reinstalled tool (same version, other
 * code) does not trust a cache written by the previous one.
 */
function toolBuild(): string {
  try {
    const stat = statSync(fileURLToPath(import.meta.url));
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'unknown';
  }
}

function readCache(file: string): CacheData | undefined {
  let data: unknown;
  try {
    data = JSON.parse(readTextFileSafe(file, { maxBytes: MAX_CACHE_BYTES }));
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const cache = data as Partial<CacheData>;
  if (cache.format !== CACHE_FORMAT || cache.tool !== VERSION || typeof cache.key !== 'string') return undefined;
  if (typeof cache.memos !== 'object' || cache.memos === null || !Object.values(cache.memos).every((m) => typeof m === 'string')) return undefined;
  if (typeof cache.inputs !== 'object' || cache.inputs === null || !Object.values(cache.inputs).every((h) => typeof h === 'string')) return undefined;
  if (typeof cache.files !== 'object' || cache.files === null || typeof cache.results !== 'object' || cache.results === null) return undefined;
  for (const entry of Object.values(cache.files)) {
    if (typeof entry?.hash !== 'string' || !Array.isArray(entry.edges) || !entry.edges.every((e) => typeof e === 'string')) return undefined;
  }
  for (const entry of Object.values(cache.results)) {
    if (typeof entry?.project !== 'string' || !Array.isArray(entry.names) || !Array.isArray(entry.candidates) || typeof entry.outcome !== 'object' || entry.outcome === null) return undefined;
    if (!entry.names.every((n) => typeof n === 'string') || !entry.candidates.every((c) => typeof c === 'string')) return undefined;
  }
  return cache as CacheData;
}
