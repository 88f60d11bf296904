/**
 * SQL migrations as a schema source: find the migration files of the usual tools, order them as the
 * tool applies them, parse them (src/sql) and fold them into the tables they leave behind.
 *
 * Layouts recognised without configuration (any depth, `node_modules` and build output never read):
 * - Prisma:          `.../migrations/<timestamp>_<name>/migration.sql`, ordered by folder name
 * - Drizzle Kit:     `drizzle/0000_<name>.sql`, or any folder with `meta/_journal.json`; `--> statement-breakpoint`
 * - Supabase:        `supabase/migrations/<timestamp>_<name>.sql`
 * - Flyway:          `V<version>__<name>.sql` anywhere, numeric version order (`V1_1__` = 1.1); `R__` after them
 * - golang-migrate:  `<version>_<name>.up.sql` (`.down.sql` ignored)
 * - dbmate / goose / sql-migrate: numbered files whose `-- migrate:down` / `-- +goose Down` sections are ignored
 * - plain numbered or timestamped `.sql` files in a `migrations/`, `migration/`, `migrate/` folder
 * - any other folder whose `.sql` files are (nearly) all numbered or timestamped, two or more (`packages/db/0001_init.sql`)
 * - the `out` folder of a `drizzle.config.*` at the project root (read as text, never executed)
 * - a base schema in parts: a folder mixing numbered and unnumbered `.sql` files whose numbered
 *   files create tables (`database/sql/1_tables.sql` beside `indexes.sql`, `triggers.sql`); its
 *   files are applied in name order (numbered first), before every migration folder
 *
 * A folder of another database's migrations (Drizzle Kit's journal or Prisma's lock file names
 * MySQL/SQLite, or most statements are not PostgreSQL: ClickHouse) is left out whole, with one
 * diagnostic on the folder.
 */
import { CODE_MIGRATION, sqlOfCodeMigration } from './code-migrations.js';
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { globbySync } from '../project/glob.js';
import type { SchemaDiagnostic } from '../core/schema.js';
import { SchemaFold } from '../sql/fold.js';
import { addParseStats, emptyParseStats, parseSqlFile, type SqlParseStats } from '../sql/parse.js';
import type { SchemaReadResult } from './raw.js';
import { readBoundary, readTextFileSafe } from '../scan/safe-read.js';
import { checkBudget, withFileBudget } from '../scan/budget.js';

export interface SqlMigrationStats extends SqlParseStats {
  /** Migration files read. */
  files: number;
}

/** Directories never searched: dependencies, VCS metadata and build output that copies migrations. */
const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', 'coverage', 'vendor', 'target', 'bower_components']);
const MIGRATION_DIRS = new Set(['migrations', 'migration', 'migrate', 'drizzle']);
const MAX_DEPTH = 12;

const FLYWAY_VERSIONED = /^V(\d+(?:[._]\d+)*)__.+\.sql$/i;
const FLYWAY_REPEATABLE = /^R__.+\.sql$/i;
const FLYWAY_UNDO = /^U\d+(?:[._]\d+)*__.+\.sql$/i;
const NUMBERED = /^\d+[^/]*\.sql$/i;

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

interface Candidate {
  /** Absolute path. */
  path: string;
  /** Folder whose files form one ordered sequence. */
  group: string;
  /** 0: versioned, 1: Flyway repeatable (applied after every versioned one). */
  rank: number;
  /** What orders the file within its group: the file name, or the folder name for Prisma. */
  key: string;
  /** Flyway version parts, compared numerically. */
  version?: number[];
  /** A base schema folder: its group is applied before the migration folders. */
  base?: boolean;
}

/** How a file is ordered, or undefined when its name says it is not an up migration. */
function candidate(path: string, drizzleDirs: Set<string>, anySql: boolean): Candidate | undefined {
  const name = basename(path);
  const dir = dirname(path);
  if (!/\.sql$/i.test(name) || /\.down\.sql$/i.test(name) || FLYWAY_UNDO.test(name)) return undefined;
  if (name === 'migration.sql' && basename(dirname(dir)) === 'migrations') {
    return { path, group: dirname(dir), rank: 0, key: basename(dir) };
  }
  const flyway = FLYWAY_VERSIONED.exec(name);
  if (flyway) return { path, group: dir, rank: 0, key: name, version: flyway[1].split(/[._]/).map(Number) };
  if (FLYWAY_REPEATABLE.test(name)) return { path, group: dir, rank: 1, key: name };
  if (/\.up\.sql$/i.test(name)) return { path, group: dir, rank: 0, key: name };
  if (NUMBERED.test(name) && MIGRATION_DIRS.has(basename(dir).toLowerCase())) return { path, group: dir, rank: 0, key: name };
  // An unnumbered file in a `migrations/` folder (worklenz's `database/sql/migrations/add_member_time_off_table.sql`,
  // beside a timestamped one): a migration too, applied after the numbered ones.
  if (MIGRATION_DIRS.has(basename(dir).toLowerCase()) && name !== 'migration.sql') return { path, group: dir, rank: 1, key: name };
  if (drizzleDirs.has(dir) || anySql) return { path, group: dir, rank: 0, key: name };
  return undefined;
}

/** Folders whose `.sql` files are an ordered sequence by their names: at least two, and at least 80% numbered. */
function numberedFolders(sqlFiles: string[]): Set<string> {
  const byDir = new Map<string, { all: number; numbered: number }>();
  for (const path of sqlFiles) {
    const entry = byDir.get(dirname(path)) ?? { all: 0, numbered: 0 };
    entry.all++;
    if (NUMBERED.test(basename(path)) && !/\.down\.sql$/i.test(path)) entry.numbered++;
    byDir.set(dirname(path), entry);
  }
  return new Set([...byDir].filter(([dir, e]) => e.numbered >= 2 && e.numbered >= 0.8 * e.all && !NOT_SCHEMA_FOLDER.test(toPosix(dir))).map(([dir]) => dir));
}

/**
 * Folders that mix numbered and unnumbered `.sql` files (fewer than the 80% `numberedFolders`
 * asks), two numbered or more, where a numbered file creates a table: a base schema split in parts
 * (worklenz's `database/sql/1_tables.sql`, `indexes.sql`, `triggers.sql`), not loose queries.
 */
function baseSchemaFolders(sqlFiles: string[], accepted: Set<string>): Set<string> {
  const numberedByDir = new Map<string, string[]>();
  for (const path of sqlFiles) {
    if (!NUMBERED.test(basename(path)) || /\.down\.sql$/i.test(path)) continue;
    const dir = dirname(path);
    if (accepted.has(dir) || MIGRATION_DIRS.has(basename(dir).toLowerCase()) || NOT_SCHEMA_FOLDER.test(toPosix(dir))) continue;
    numberedByDir.set(dir, [...(numberedByDir.get(dir) ?? []), path]);
  }
  const out = new Set<string>();
  for (const [dir, files] of numberedByDir) {
    if (files.length < 2) continue;
    const createsTables = files.some((file) => {
      try {
        return /\bcreate\s+table\b/i.test(readTextFileSafe(file, { maxBytes: 5_000_000 }));
      } catch {
        return false;
      }
    });
    if (createsTables) out.add(dir);
  }
  return out;
}

/** `out: './drizzle'` of a drizzle.config.{ts,js,mjs,cjs,json} at the project root, read as text. */
function drizzleConfigOut(root: string): string | undefined {
  for (const name of ['drizzle.config.ts', 'drizzle.config.js', 'drizzle.config.mjs', 'drizzle.config.cjs', 'drizzle.config.json']) {
    let text: string;
    try {
      text = readTextFileSafe(join(root, name), { maxBytes: 100_000 });
    } catch {
      continue;
    }
    const out = /["']?\bout["']?\s*:\s*["'`]([^"'`\n]{1,200})["'`]/.exec(text);
    if (out) return resolve(root, out[1]);
  }
  return undefined;
}

/** `2_b` < `10_a`: digit runs compare as numbers, the rest as text. */
function naturalCompare(a: string, b: string): number {
  const chunks = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const left = chunks(a);
  const right = chunks(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i];
    const y = right[i];
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const xs = x.replace(/^0+(?=\d)/, '');
      const ys = y.replace(/^0+(?=\d)/, '');
      if (xs.length !== ys.length) return xs.length - ys.length;
      if (xs !== ys) return xs < ys ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  return left.length - right.length || (a < b ? -1 : a > b ? 1 : 0);
}

function versionCompare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}

function applyOrder(a: Candidate, b: Candidate): number {
  if (a.group !== b.group) return !a.base !== !b.base ? (a.base ? -1 : 1) : a.group < b.group ? -1 : 1;
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.version && b.version) return versionCompare(a.version, b.version) || naturalCompare(a.key, b.key);
  return naturalCompare(a.key, b.key) || naturalCompare(a.path, b.path);
}

function walk(dir: string, depth: number, sqlFiles: string[], drizzleDirs: Set<string>, codeFiles?: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'meta' && entries.some((e) => e.isFile() && /\.sql$/i.test(e.name))) {
        try {
          if (statSync(join(path, '_journal.json')).isFile()) drizzleDirs.add(dir);
        } catch {
          // no journal: not a Drizzle Kit output folder
        }
      }
      if (depth < MAX_DEPTH && !entry.name.startsWith('.') && !SKIP_DIRS.has(entry.name)) walk(path, depth + 1, sqlFiles, drizzleDirs, codeFiles);
    } else if (entry.isFile() && /\.sql$/i.test(entry.name)) {
      sqlFiles.push(path);
    } else if (codeFiles && entry.isFile() && CODE_MIGRATION.test(entry.name) && !/\.d\.[cm]?ts$/i.test(entry.name) && MIGRATION_DIRS.has(basename(dir).toLowerCase())) {
      codeFiles.push(path);
    }
  }
}

/**
 * The migration files of a project, absolute paths in apply order. With `globs` (relative to the
 * project root; a folder means every `.sql` file under it), exactly the matching files are used,
 * ordered the same way; otherwise the layouts above are searched for.
 */
export function locateMigrations(projectRoot: string, globs?: string[]): string[] {
  const root = resolve(projectRoot);
  let candidates: Candidate[];
  if (globs && globs.length) {
    const matched = globbySync(globs, { cwd: root, ignore: ['**/node_modules/**'], onlyFiles: true, followSymbolicLinks: false, expandDirectories: { extensions: ['sql'] } });
    candidates = matched.flatMap((rel) => candidate(resolve(root, rel), new Set(), true) ?? []);
  } else {
    const sqlFiles: string[] = [];
    const drizzleDirs = new Set<string>();
    walk(root, 0, sqlFiles, drizzleDirs);
    const out = drizzleConfigOut(root);
    if (out) drizzleDirs.add(out);
    for (const dir of numberedFolders(sqlFiles)) drizzleDirs.add(dir);
    const bases = baseSchemaFolders(sqlFiles, drizzleDirs);
    for (const dir of bases) drizzleDirs.add(dir);
    candidates = sqlFiles.flatMap((path) => candidate(path, drizzleDirs, false) ?? []).map((c) => (bases.has(c.group) ? { ...c, base: true } : c));
  }
  return [...new Map(candidates.map((c) => [c.path, c])).values()].sort(applyOrder).map((c) => c.path);
}

/**
 * Migrations written as code around SQL (db-migrate, TypeORM, node-pg-migrate, Knex `raw`): the
 * numbered `.js`/`.ts` files of a `migrations/` folder outside tests, in apply order. Read only when
 * no other schema source exists, so that a project's entities or schema file stay the authority.
 */
export function locateCodeMigrations(projectRoot: string): string[] {
  const root = resolve(projectRoot);
  const codeFiles: string[] = [];
  walk(root, 0, [], new Set(), codeFiles);
  return codeFiles
    .filter((path) => !NOT_SCHEMA_FOLDER.test(toPosix(relative(root, path))))
    .map((path): Candidate => ({ path, group: dirname(path), rank: 0, key: basename(path) }))
    .sort(applyOrder)
    .map((c) => c.path);
}

const FLYWAY_ANY = /^(?:[VUB]\d+(?:[._]\d+)*__|R__).+\.sql$/i;

/**
 * Why a `.sql` file is a migration by its path, whether or not it was folded into the schema: Flyway
 * `V`/`U`/`B`/`R` scripts (undo and baseline are never folded), golang-migrate `.up.sql`/`.down.sql`,
 * Prisma's `migration.sql`, anything in a `migrations/` (`migration/`, `migrate/`) folder. A
 * migration runs once, as the owner, across every tenant: it is not a query file. Undefined otherwise.
 */
/**
 * Numbered `.sql` files that are not the schema's history: database tests (pgTAP's `supabase/tests/01_x.sql`),
 * seeds and fixtures. Folding them would add their scratch tables to the schema.
 */
const NOT_SCHEMA_FOLDER = /(^|\/)(tests?|__tests__|spec|specs|fixtures?|seeds?|seeders?)(\/|$)/i;

/** Folders of one-off SQL that an operator runs, not queries the application sends: data migrations, ops and maintenance scripts, seeds, database tests. */
export const OPERATOR_FOLDER = /^((data|db)[-_]?migrations?|scripts?|ops|maintenance|seeds?|seeders?|tests?|__tests__|fixtures?)$/i;

export function migrationPathReason(projectFile: string): string | undefined {
  const parts = toPosix(projectFile).split('/');
  const name = parts[parts.length - 1] ?? '';
  if (FLYWAY_ANY.test(name)) {
    const kind = ({ V: 'versioned', U: 'undo', B: 'baseline', R: 'repeatable' } as const)[name.charAt(0).toUpperCase() as 'V' | 'U' | 'B' | 'R'];
    return `a Flyway ${kind} migration (\`${name.replace(/__.*$/, '__')}\`), not a query file`;
  }
  if (/\.(up|down)\.sql$/i.test(name)) return 'a migration (`.up.sql`/`.down.sql`), not a query file';
  const folder = parts.slice(0, -1).find((part) => /^(migrations|migration|migrate)$/i.test(part));
  if (folder) return `a migration (in a \`${folder}/\` folder), not a query file`;
  return undefined;
}

const SECTION_MARKER = /^\s*--\s*(?:migrate:(up|down)|\+goose\s+(up|down)|\+migrate\s+(up|down))\b/i;

/**
 * dbmate (`-- migrate:down`), goose (`-- +goose Down`) and sql-migrate (`-- +migrate Down`) keep the
 * down migration in the same file: blank it, keeping line numbers.
 */
export function upSectionOnly(text: string): string {
  if (!/^[^\S\r\n]*--\s*(?:migrate:down|\+goose\s+down|\+migrate\s+down)/im.test(text)) return text;
  let down = false;
  return text
    .split('\n')
    .map((line) => {
      const marker = SECTION_MARKER.exec(line);
      if (marker) {
        down = (marker[1] ?? marker[2] ?? marker[3] ?? '').toLowerCase() === 'down';
        return line;
      }
      return down ? '' : line;
    })
    .join('\n');
}

/** The folder whose files form one sequence: `prisma/migrations` for `prisma/migrations/<ts>_<name>/migration.sql`; `.` at the project root. */
function migrationFolder(rel: string): string {
  const dir = posix.dirname(rel);
  return posix.basename(rel) === 'migration.sql' && posix.basename(posix.dirname(dir)) === 'migrations' ? posix.dirname(dir) : dir;
}

/**
 * The other database a migration folder declares: Drizzle Kit's `meta/_journal.json` (`"dialect":
 * "mysql"`), Prisma's `migration_lock.toml` (`provider = "mysql"`). Undefined for PostgreSQL, or
 * when nothing says.
 */
function foreignDialectMarker(folder: string): string | undefined {
  const postgres = /^(postgres(ql)?|pg|cockroachdb)$/i;
  try {
    const journal: unknown = JSON.parse(readTextFileSafe(join(folder, 'meta', '_journal.json'), { maxBytes: 1_000_000 }));
    const dialect = typeof journal === 'object' && journal !== null ? Reflect.get(journal, 'dialect') : undefined;
    if (typeof dialect === 'string' && !postgres.test(dialect)) return `Drizzle Kit migrations for ${dialect} (meta/_journal.json)`;
  } catch {
    // no journal, or not JSON: nothing declared
  }
  try {
    const lock = /^[^\S\r\n]*provider[^\S\r\n]*=[^\S\r\n]*"([^"\r\n]+)"/m.exec(readTextFileSafe(join(folder, 'migration_lock.toml'), { maxBytes: 100_000 }));
    if (lock && !postgres.test(lock[1])) return `Prisma migrations for ${lock[1]} (migration_lock.toml)`;
  } catch {
    // no lock file
  }
  return undefined;
}

const MAX_STATEMENT_DIAGNOSTICS_PER_FILE = 20;

/**
 * Reads migration files (absolute, or relative to the project root) in the order given and folds them
 * into the tables they leave behind. Locations and diagnostics carry project-relative POSIX paths.
 */
export function readSqlMigrations(projectRoot: string, files: string[]): SchemaReadResult & { stats: SqlMigrationStats } {
  const root = resolve(projectRoot);
  const fold = new SchemaFold();
  const diagnostics: SchemaDiagnostic[] = [];
  const read: string[] = [];
  const stats: SqlMigrationStats = { ...emptyParseStats(), files: 0 };
  // A migration folder written for another database (ClickHouse, MySQL next to the Postgres one) is
  // left out as a whole, with one diagnostic on the folder instead of one per statement and a
  // cascade of "no such table". The tool's own marker says so when there is one (Drizzle Kit's
  // journal, Prisma's lock file): then the files are not even parsed.
  const declared = new Map<string, string | undefined>();
  const declaredDialect = (folder: string): string | undefined => {
    if (!declared.has(folder)) declared.set(folder, foreignDialectMarker(resolve(root, folder)));
    return declared.get(folder);
  };
  const parsedFiles: { rel: string; folder: string; parsed?: ReturnType<typeof parseSqlFile>; error?: string }[] = [];
  for (const file of files) {
    const path = isAbsolute(file) ? file : resolve(root, file);
    const rel = toPosix(relative(root, path));
    const folder = migrationFolder(rel);
    if (declaredDialect(folder)) {
      parsedFiles.push({ rel, folder });
      continue;
    }
    let text: string;
    try {
      // A migration outside the project (a sibling package's, by config) is read when it is inside the scanned tree.
      text = readTextFileSafe(path, { root: readBoundary() ?? (rel.startsWith('..') ? dirname(path) : root) });
    } catch (error) {
      parsedFiles.push({ rel, folder, error: `Cannot read migration: ${error instanceof Error ? error.message : String(error)}` });
      continue;
    }
    // Each migration has its own time budget (when the scanner set one): a file that takes too long
    // is left out with a diagnostic, and the other migrations are still read.
    if (!/\.sql$/i.test(path)) {
      // A migration written as code: its `up` SQL, at its own lines; none (a schema builder) is no migration.
      const code = sqlOfCodeMigration(rel, text);
      if (!code) continue;
      text = code.text;
    }
    const run = withFileBudget(() => parseSqlFile(upSectionOnly(text), rel));
    parsedFiles.push(run.tripped ? { rel, folder, error: `${run.error.message} while parsing; the migration was not read` } : { rel, folder, parsed: run.value });
  }
  const otherDialect = new Set<string>();
  const byFolder = new Map<string, { total: number; failed: number; first?: { total: number; failed: number } }>();
  for (const { folder, parsed } of parsedFiles) {
    const marker = declaredDialect(folder);
    if (marker) {
      if (!otherDialect.has(folder)) {
        otherDialect.add(folder);
        diagnostics.push({ file: folder, message: `${marker}: tenant-lint reads PostgreSQL migrations only; the folder is not part of the schema` });
      }
      continue;
    }
    if (!parsed) continue;
    const counts = byFolder.get(folder) ?? { total: 0, failed: 0 };
    counts.total += parsed.stats.total;
    counts.failed += parsed.stats.failed;
    if (!counts.first && parsed.stats.total > 0) counts.first = { total: parsed.stats.total, failed: parsed.stats.failed };
    byFolder.set(folder, counts);
  }
  for (const [folder, counts] of byFolder) {
    // The first migration creates the tables: when it is PostgreSQL, the folder is, and a later file
    // of junk (or of another dialect) costs its own statements only, one diagnostic each.
    const firstIsForeign = counts.first !== undefined && counts.first.failed * 2 >= counts.first.total;
    if (firstIsForeign && counts.failed > 0 && counts.failed * 2 >= counts.total && (counts.total >= 3 || counts.failed === counts.total)) {
      otherDialect.add(folder);
      diagnostics.push({
        file: folder,
        message: `${counts.failed} of ${counts.total} statements of the migrations in this folder are not PostgreSQL (another database's migrations, such as ClickHouse or MySQL?); the folder is not part of the schema`,
      });
    }
  }
  for (const { rel, folder, parsed, error } of parsedFiles) {
    if (otherDialect.has(folder)) continue;
    if (!parsed) {
      diagnostics.push({ file: rel, message: error ?? 'Cannot read migration' });
      continue;
    }
    read.push(rel);
    stats.files++;
    addParseStats(stats, parsed.stats);
    // A file of junk is thousands of unparsed statements: the first ones are shown, the rest counted.
    diagnostics.push(...parsed.diagnostics.slice(0, MAX_STATEMENT_DIAGNOSTICS_PER_FILE));
    const more = parsed.diagnostics.length - MAX_STATEMENT_DIAGNOSTICS_PER_FILE;
    if (more > 0) diagnostics.push({ file: rel, message: `${more} more SQL statement(s) of this migration skipped, not PostgreSQL that tenant-lint parses` });
    const before = fold.diagnostics.length;
    let applied = 0;
    const run = withFileBudget(() => {
      for (const statement of parsed.statements) {
        checkBudget(true);
        fold.apply(statement);
        applied++;
      }
    });
    diagnostics.push(...fold.diagnostics.slice(before));
    if (run.tripped) {
      const next = parsed.statements[applied]?.location;
      diagnostics.push({ file: rel, ...(next ? { line: next.line, column: next.column } : {}), message: `${run.error.message} while folding; ${parsed.statements.length - applied} statement(s) from here on were not applied` });
    }
  }
  return { tables: fold.result(), diagnostics, files: read, stats };
}
