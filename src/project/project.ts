import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { TenantLintConfig } from '../config/schema.js';
import { globbySync } from './glob.js';
import { findConfig, type LoadedConfig } from '../config/load.js';
import { emptySchema, type SchemaDiagnostic, type SchemaSource, type SourceLocation, type TenantSchema } from '../core/schema.js';
import { buildTenantSchema } from '../schema/infer.js';
import { readPrismaModels } from '../schema/prisma.js';
import type { RawTable, SchemaReadResult } from '../schema/raw.js';
import { mergeTables } from '../schema/merge.js';
import { locateCodeMigrations, locateMigrations, readSqlMigrations } from '../schema/sql-migrations.js';
import { CLICKHOUSE_DDL, clickhouseSchemaFiles, isClickHouseSql, readClickHouseDdl } from '../schema/clickhouse.js';
import { CLICKHOUSE_BUILDER_TEXT, CLICKHOUSE_CALL_TEXT, readClickHouseCodeDdl } from '../schema/clickhouse-code.js';
import { RECOGNIZERS } from '../orm/index.js';
import { enclosingWorkspace, readJson, workspacePackages } from './workspaces.js';
import { readTsSchemaSources, TS_SCHEMA_MARKERS } from '../schema/ts-sources.js';
import type { FileUnit } from '../core/ast.js';
import { MAX_FILE_BYTES, parseUnit } from './modules.js';
import { isInsideRoot, readTextFileSafe, readTextFileSafeWithRealPath, UnsafeFileError } from '../scan/safe-read.js';
import { emptyParseStats } from '../sql/parse.js';
import { isTestFile } from '../core/test-files.js';
import { mtimeOrMissing } from './manifests.js';

/** A directory whose code shares one schema and one config: a package in a monorepo, or the repo. */
export interface Project {
  root: string;
  config: TenantLintConfig;
  configFile?: string;
  schema: TenantSchema;
  /** Files the schema and config were read from (or looked for: mtime -1), with the mtimes that invalidate the editor cache. */
  inputs: { path: string; mtimeMs: number }[];
  /** ORM packages some file of the project imports: recognizers of the others are not run. */
  orms: ReadonlySet<string>;
  /** The workspace root whose schema this package uses, having none of its own (see withWorkspaceSchema). */
  schemaFrom?: string;
  /**
   * The workspace package whose schema this package's own tables extend (see withWorkspaceSchema):
   * its tables are part of this project's schema, but their findings are that package's.
   */
  schemaExtends?: string;
  /** The tables as read, before classification: what a package extending this one merges with its own. */
  raw?: RawTable[];
}

export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Every .prisma file in a schema folder and its subfolders (`prisma/models/*.prisma`), as Prisma reads them. */
function prismaFilesIn(dir: string, depth = 0): string[] {
  if (depth > 4) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.prisma')) files.push(join(dir, entry.name));
    else if (entry.isDirectory() && entry.name !== 'migrations' && entry.name !== 'node_modules') files.push(...prismaFilesIn(join(dir, entry.name), depth + 1));
  }
  return files.sort();
}

/**
 * Locates the Prisma schema the way the Prisma CLI does, without executing `prisma.config.ts`:
 * `package.json#prisma.schema`, then `schema.prisma`, `prisma/schema.prisma`, then the
 * multi-file folder `prisma/schema/`. A folder yields every `.prisma` file in it.
 */
export function locatePrismaSchema(dir: string, configured?: string[]): string[] {
  const expand = (path: string): string[] => (isDirectory(path) ? prismaFilesIn(path) : isFile(path) ? [path] : []);
  if (configured?.length) return configured.flatMap((p) => expand(resolve(dir, p)));
  const pkgFile = join(dir, 'package.json');
  if (isFile(pkgFile)) {
    try {
      const pkg: unknown = JSON.parse(readTextFileSafe(pkgFile, { maxBytes: 1_000_000 }));
      const prisma = typeof pkg === 'object' && pkg !== null ? Reflect.get(pkg, 'prisma') : undefined;
      const schema = typeof prisma === 'object' && prisma !== null ? Reflect.get(prisma, 'schema') : undefined;
      if (typeof schema === 'string') {
        const files = expand(resolve(dir, schema));
        if (files.length) return files;
      }
    } catch {
      // An unparseable package.json is reported by the config loader when it matters.
    }
  }
  // `prisma.config.ts` (Prisma 6.6+): `defineConfig({ schema: 'prisma/schema' })`, read as text,
  // never executed. It comes before the defaults: comp keeps the generator and datasource in
  // `prisma/schema.prisma` and its 150 models in `prisma/schema/*.prisma`, which the config names.
  const fromConfig = prismaConfigSchema(dir);
  if (fromConfig) {
    const files = expand(fromConfig);
    if (files.length) return files;
  }
  for (const candidate of ['schema.prisma', join('prisma', 'schema.prisma'), join('prisma', 'schema')]) {
    const files = expand(join(dir, candidate));
    if (files.length) return files;
  }
  return providerVariant(join(dir, 'prisma'));
}

/** The `schema` path of a prisma.config.{ts,mts,cts,js,mjs,cjs} in `dir`, read as text. */
function prismaConfigSchema(dir: string): string | undefined {
  for (const name of ['prisma.config.ts', 'prisma.config.mts', 'prisma.config.cts', 'prisma.config.js', 'prisma.config.mjs', 'prisma.config.cjs']) {
    const file = join(dir, name);
    if (!isFile(file)) continue;
    let text: string;
    try {
      text = readTextFileSafe(file, { maxBytes: 100_000 });
    } catch {
      continue;
    }
    const schema = /["']?\bschema["']?\s*:\s*["'`]([^"'`\n$]{1,200})["'`]/.exec(text);
    if (schema) return resolve(dir, schema[1]!);
  }
  return undefined;
}

/**
 * A schema generated per database from a template (`prisma/postgres/schema.prisma` beside
 * `prisma/sqlite/schema.prisma`, teable's): the same models twice, so one of them, the PostgreSQL
 * one (the provider multi-tenant SaaS deploys), else the first by name.
 */
function providerVariant(prismaDir: string): string[] {
  if (!isDirectory(prismaDir)) return [];
  let variants: string[];
  try {
    variants = readdirSync(prismaDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'migrations' && entry.name !== 'node_modules')
      .map((entry) => join(prismaDir, entry.name, 'schema.prisma'))
      .filter((file) => isFile(file))
      .sort();
  } catch {
    return [];
  }
  const postgres = variants.find((file) => {
    try {
      return /provider\s*=\s*"postgres(?:ql)?"/.test(readTextFileSafe(file, { maxBytes: 4_000_000 }));
    } catch {
      return false;
    }
  });
  const chosen = postgres ?? variants[0];
  return chosen ? [chosen] : [];
}

function hasSchemaSource(dir: string): boolean {
  return locatePrismaSchema(dir).length > 0;
}

/**
 * The project a file belongs to: the nearest package (directory with a package.json) that has a
 * schema source, else the nearest directory with one (a repo with a bare schema.prisma), else
 * the nearest package. `prisma/seed.ts` belongs to the package above `prisma/`, not to a
 * project of its own.
 */
export function findProjectRoot(start: string, stopAt?: string, memo?: Map<string, boolean>): string {
  let dir = start;
  let firstPackage: string | undefined;
  let firstSchemaDir: string | undefined;
  // A scan asks for every folder of the tree, and each walks up through the same ancestors: the
  // scan's memo answers each folder once (the editor passes none, so a schema added later is seen).
  const schemaAt = (folder: string): boolean => {
    let known = memo?.get(folder);
    if (known === undefined) {
      known = hasSchemaSource(folder);
      memo?.set(folder, known);
    }
    return known;
  };
  for (;;) {
    const isPackage = existsSync(join(dir, 'package.json'));
    if (isPackage) firstPackage ??= dir;
    if (schemaAt(dir)) {
      if (isPackage) return dir;
      // A bare directory with `prisma/schema.prisma` below it (a monorepo's `packages/`) is a
      // project only for files that are not inside a package of their own.
      if (!firstPackage) firstSchemaDir ??= dir;
    }
    const parent = dirname(dir);
    const atTop = parent === dir || (stopAt !== undefined && relative(stopAt, dir) === '') || existsSync(join(dir, '.git'));
    // The repository-wide search for a sole schema runs only at a repository root, never at `/`.
    const atRepoRoot = existsSync(join(dir, '.git')) || (stopAt !== undefined && relative(stopAt, dir) === '');
    if (atTop) return firstSchemaDir ?? (atRepoRoot ? soleSchemaProject(dir) : undefined) ?? firstPackage ?? start;
    dir = parent;
  }
}

/**
 * A package with no schema of its own (an app that imports `@acme/db`, whose Drizzle tables live
 * in another workspace package) uses its workspace's schema and ORMs. Both faces call this with
 * their own loader, so the editor and CI check such an app against the same tables.
 */
export function withWorkspaceSchema(project: Project, loadAt: (root: string) => Project): Project {
  if (project.schema.tables.size > 0) return project.schema.root ? project : (extendedSchema(project, loadAt) ?? project);
  const top = enclosingWorkspace(project.root);
  if (!top) return project;
  // The workspace package the app depends on that holds a schema (`@acme/db` with its
  // prisma/schema.prisma), by the app's package.json; else the root's. The package comes first: a
  // root that finds the package's SQL migrations by searching the repository knows its tables by
  // their SQL names, which none of the app's `prisma.<model>` delegates match (teable).
  const workspace = schemaDependency(project.root, top, loadAt) ?? loadAt(top);
  // A package the workspace lists whose own files import the data layer (`@supabase/ssr` through a
  // re-exporting package), or whose package.json says so.
  const member = [...workspacePackages(top).values()].includes(project.root);
  if (workspace.schema.tables.size === 0 || !((member && project.orms.size > 0) || dependsOnSchema(project.root, workspace, top))) return project;
  return {
    ...project,
    schema: workspace.schema,
    schemaFrom: workspace.root,
    inputs: [...project.inputs, ...workspace.inputs],
    orms: new Set([...project.orms, ...workspace.orms]),
  };
}

/**
 * A package with tables of its own but no tenant root among them (a plugin whose entities point
 * at the core's: `ProductReview` -> `Product`, the tenant root `Channel` in `@acme/core`), that
 * depends on a workspace package whose schema has a root: its schema is the union of both, so its
 * tables are classified against the hierarchy they hang from. The other package's tables keep
 * their findings there (filtered by `schemaExtends`).
 */
function extendedSchema(project: Project, loadAt: (root: string) => Project): Project | undefined {
  const top = enclosingWorkspace(project.root);
  if (!top || !project.raw) return undefined;
  const hasRoot = (candidate: Project) => candidate.schema.root !== undefined && candidate.raw !== undefined;
  // A package whose package.json lists no dependency (a plugin inside an app's folder) still names
  // the core in its entity files' imports (`import { Product } from '@acme/core'`).
  const base = schemaDependency(project.root, top, loadAt, 0, hasRoot) ?? schemaDependency(project.root, top, loadAt, 0, hasRoot, importedPackages(project));
  if (!base?.raw) return undefined;
  const prefix = toPosix(relative(project.root, base.root));
  const move = <T extends { location?: SourceLocation }>(item: T): T => (item.location ? { ...item, location: { ...item.location, file: `${prefix}/${item.location.file}` } } : item);
  const borrowed = base.raw.map((table) => ({
    ...move(table),
    columns: new Map([...table.columns].map(([name, column]) => [name, move(column)])),
    ...(table.rls ? { rls: { ...table.rls, ...(table.rls.location ? { location: { ...table.rls.location, file: `${prefix}/${table.rls.location.file}` } } : {}), policies: table.rls.policies.map(move) } } : {}),
  }));
  const sources = [...base.schema.sources.map((source) => ({ ...source, files: source.files.map((file) => `${prefix}/${file}`) })), ...project.schema.sources];
  const schema = buildTenantSchema(mergeTables([borrowed, project.raw]), sources, [...project.schema.diagnostics], project.config);
  if (!schema.root) return undefined;
  return {
    ...project,
    schema,
    schemaExtends: base.root,
    inputs: [...project.inputs, ...base.inputs],
    orms: new Set([...project.orms, ...base.orms]),
  };
}

/** The first workspace package `root` depends on whose own project has a schema (and passes `wanted`). */
function schemaDependency(
  root: string,
  top: string,
  loadAt: (root: string) => Project,
  depth = 0,
  wanted: (project: Project) => boolean = (project) => project.schema.tables.size > 0,
  names: Set<string> = dependencyNames(join(root, 'package.json')),
): Project | undefined {
  const packages = workspacePackages(top);
  const dirs = [...names].map((name) => packages.get(name)).filter((dir): dir is string => dir !== undefined && dir !== root);
  for (const dir of dirs) {
    const project = loadAt(dir);
    if (wanted(project)) return project;
  }
  // Through a workspace package that wraps the database one (`@acme/client` re-exporting `@acme/db`).
  if (depth < 1) for (const dir of dirs) {
    const found = schemaDependency(dir, top, loadAt, depth + 1, wanted);
    if (found) return found;
  }
  return undefined;
}

/**
 * Does the package use the workspace's database: does its package.json depend on an ORM, or on
 * the workspace package that holds the schema (`@acme/db`)? A front-end package that depends on
 * neither is not analysed against tables it cannot query (and does not pay for it).
 */
function dependsOnSchema(root: string, workspace: Project, top: string): boolean {
  const deps = dependencyNames(join(root, 'package.json'));
  // Through the workspace packages it depends on (`@acme/supabase`, which depends on `@supabase/ssr`).
  const packages = workspacePackages(top);
  for (const name of [...deps]) {
    const dir = packages.get(name);
    if (dir && dir !== root) for (const dep of dependencyNames(join(dir, 'package.json'))) deps.add(dep);
  }
  if (RECOGNIZERS.some((r) => r.enablers.some((e) => deps.has(e)))) return true;
  // One lookup per folder, not per schema file: a folder of 70 migrations read the same package.json
  // 70 times for every package that borrows the schema (kan: 408 reads of package.json per scan).
  const folders = new Set<string>();
  for (const source of workspace.schema.sources) for (const file of source.files) folders.add(dirname(resolve(workspace.root, file)));
  const owners = new Set<string>();
  for (const folder of folders) {
    const name = owningPackageName(folder, workspace.root);
    if (name) owners.add(name);
  }
  return [...owners].some((name) => deps.has(name));
}

/** The packages a project's schema files import (`@acme/core` of `from '@acme/core'` or `'@acme/core/lib/x'`). */
function importedPackages(project: Project): Set<string> {
  const names = new Set<string>();
  for (const source of project.schema.sources) {
    for (const file of source.files) {
      if (!/\.[cm]?[jt]sx?$/.test(file)) continue;
      let text: string;
      try {
        text = readTextFileSafe(resolve(project.root, file), { maxBytes: MAX_FILE_BYTES });
      } catch {
        continue;
      }
      for (const match of text.matchAll(/\bfrom\s+['"]((?:@[\w.-]+\/)?[\w.-]+)(?:\/[^'"]*)?['"]/g)) if (match[1]) names.add(match[1]);
    }
  }
  return names;
}

function dependencyNames(pkgFile: string): Set<string> {
  const pkg = readJson(pkgFile);
  const names = new Set<string>();
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
    const deps = typeof pkg === 'object' && pkg !== null ? Reflect.get(pkg, field) : undefined;
    if (typeof deps === 'object' && deps !== null) for (const name of Object.keys(deps)) names.add(name);
  }
  return names;
}

/** The `name` of the nearest package.json from `dir` up to `top`. */
function owningPackageName(dir: string, top: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const pkgFile = join(current, 'package.json');
    if (isFile(pkgFile)) {
      const pkg = readJson(pkgFile);
      const name = typeof pkg === 'object' && pkg !== null ? Reflect.get(pkg, 'name') : undefined;
      if (typeof name === 'string') return name;
    }
    if (relative(top, current) === '' || dirname(current) === current) return undefined;
  }
}

const soleSchemaProjects = new Map<string, string | null>();

/**
 * In a monorepo the schema often lives in one package (`packages/db/prisma/schema.prisma`) and the
 * apps import its client. A file with no schema above it uses the repository's schema when there
 * is exactly one; with several, it is left without one (and the summary says so).
 */
function soleSchemaProject(top: string): string | undefined {
  let cached = soleSchemaProjects.get(top);
  if (cached === undefined) {
    const found = globbySync(['**/schema.prisma', '**/prisma/schema/*.prisma'], {
      cwd: top,
      absolute: true,
      ignore: ['**/node_modules/**', '**/dist/**', '**/.git/**'],
      followSymbolicLinks: false,
      deep: 8,
      suppressErrors: true,
    });
    const roots = new Set(found.map((file) => findProjectRootBelow(dirname(file), top)));
    cached = roots.size === 1 ? [...roots][0] : null;
    // One schema per database (teable's prisma/postgres and prisma/sqlite): the Postgres one, when
    // exactly one of them says so, is the schema the application's queries run against.
    if (roots.size > 1) {
      const postgres = new Set(found.filter((file) => isPostgresSchema(file)).map((file) => findProjectRootBelow(dirname(file), top)));
      if (postgres.size === 1) cached = [...postgres][0]!;
    }
    soleSchemaProjects.set(top, cached);
  }
  return cached ?? undefined;
}

function isPostgresSchema(file: string): boolean {
  try {
    return /provider\s*=\s*"(postgresql|postgres)"/.test(readTextFileSafe(file, { maxBytes: 2_000_000 }));
  } catch {
    return false;
  }
}

/** Like findProjectRoot, but never looks above `top` and never falls back to a sole schema. */
function findProjectRootBelow(start: string, top: string): string {
  let firstSchemaDir: string | undefined;
  for (let dir = start; ; dir = dirname(dir)) {
    if (hasSchemaSource(dir)) {
      if (existsSync(join(dir, 'package.json'))) return dir;
      firstSchemaDir ??= dir;
    }
    if (relative(top, dir) === '' || dirname(dir) === dir) return firstSchemaDir ?? start;
  }
}

/**
 * What reading a candidate file for TypeScript schema sources found: the ORM packages it imports, and
 * its text when it has a schema marker. Kept by the scanner for all the projects of one scan (in a
 * monorepo the root project and each package read the same files: 3 reads of each file of hyperdx).
 */
export interface CandidateRead {
  /** The path read, after every symlink: each project checks it against its own root. */
  real: string;
  orms: string[];
  /** Only for a file with a schema marker. */
  text?: string;
  /** Its text has a template starting CREATE TABLE (`CLICKHOUSE_BUILDER_TEXT`), or a `columns: ['...` list. */
  clickhouse?: { builder: boolean; call: boolean };
}

export interface LoadOptions {
  /** Source files of the project already known (the scanner's discovery); globbed when absent (ESLint). */
  candidates?: string[];
  /** Candidate reads shared by the projects of one scan (see CandidateRead); null: the file is not read (too large, unreadable). */
  candidateReads?: Map<string, CandidateRead | null>;
  /** A config given explicitly (`tenant-lint scan --config FILE`): used instead of the discovered one. */
  config?: LoadedConfig;
  /**
   * Parses a schema source file (the scanner's module graph, so that the scan reuses the tree the
   * schema reader parsed: each file is parsed once per scan). Default: a plain parse, not retained.
   */
  parse?: (file: string, text: string) => FileUnit;
  /**
   * Reads a candidate file as the scan does, once per scan (the scanner's module graph: the call
   * graph and the analysis use the same text): its text and real path, undefined when it cannot be
   * read. Default: read here.
   */
  read?: (file: string) => { text: string; real: string } | undefined;
  /**
   * Remembers what a schema reader computed from its inputs (the scanner's cache): `compute` runs
   * only when nothing with the same kind and key was kept. Default: always computes.
   */
  memo?: SchemaMemo;
}

/** A store of schema readers' results by kind and key (the key names every input, by content). */
export type SchemaMemo = <T>(kind: string, key: unknown, compute: () => T) => T;

const compute: SchemaMemo = (_kind, _key, run) => run();

/** A migration's text, for a test of its dialect; empty when it cannot be read or is very large. */
function readIfSmall(path: string): string {
  try {
    return readTextFileSafe(path, { maxBytes: 4 * 1024 * 1024 });
  } catch {
    return '';
  }
}

/** Content hashes of files, for a SchemaMemo key; a file that cannot be read is named so. */
function contentKey(paths: string[], root: string): [string, string][] {
  return paths.map((path) => {
    let text: string;
    try {
      text = readTextFileSafe(path, { maxBytes: 64 * 1024 * 1024 });
    } catch (error) {
      text = `\u0000unreadable ${error instanceof Error ? error.message : String(error)}`;
    }
    return [toPosix(relative(root, path)), createHash('sha256').update(text).digest('base64url')];
  });
}

/**
 * Builds the project's TenantSchema once, from its config and every schema source found:
 * schema.prisma, SQL migrations (folded in order), and table definitions in TypeScript (Drizzle,
 * TypeORM, Sequelize, Mongoose), merged into one model.
 */
export function loadProject(root: string, configOverride?: TenantLintConfig, options: LoadOptions = {}): Project {
  // ESLint settings refine the config file, key by key; they never replace it wholesale.
  const memo = options.memo ?? compute;
  const fromFile = options.config ?? findConfig(root);
  const loaded = configOverride ? { ...fromFile, config: { ...fromFile.config, ...configOverride } } : fromFile;
  const config = loaded.config;
  const configDir = loaded.dir ?? root;
  const inputs: Project['inputs'] = [];
  const sources: SchemaSource[] = [];
  const diagnostics: SchemaDiagnostic[] = [];
  const tableSets: RawTable[][] = [];
  const watch = (path: string) => inputs.push({ path, mtimeMs: mtimeOrMissing(path) });
  // A reader that throws (a bug, or an input nobody foresaw) costs its source, named in a
  // diagnostic; the other sources and the scan go on.
  const isolate = <T>(file: string, what: string, run: () => T, fallback: T): T => {
    try {
      return run();
    } catch (error) {
      diagnostics.push({ file, message: `internal error while ${what}: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}` });
      return fallback;
    }
  };

  const schemaFiles = locatePrismaSchema(root, config.schema?.map((p) => resolve(configDir, p)));
  if (schemaFiles.length) {
    const files: { file: string; text: string }[] = [];
    for (const path of schemaFiles) {
      const rel = toPosix(relative(root, path));
      try {
        files.push({ file: rel, text: readTextFileSafe(path, { root: relative(configDir, root).startsWith('..') ? root : configDir }) });
        watch(path);
      } catch (error) {
        diagnostics.push({ file: rel, message: `cannot read schema: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
    const read = isolate(files[0]?.file ?? 'schema.prisma', 'reading the Prisma schema', () => memo('prisma', files.map((f) => [f.file, createHash('sha256').update(f.text).digest('base64url')]), () => readPrismaModels(files)), { tables: [], diagnostics: [] });
    tableSets.push(read.tables);
    diagnostics.push(...read.diagnostics);
    sources.push({ kind: 'prisma', files: files.map((f) => f.file) });
  }

  const located = locateMigrations(root, config.migrations?.map((p) => toPosix(relative(root, resolve(configDir, p)))));
  // ClickHouse's DDL (`ENGINE = MergeTree`, a `clickhouse/` folder) describes another database: read
  // apart, never folded into the PostgreSQL migrations.
  const clickhouseFiles = new Set(located.filter((path) => isClickHouseSql(toPosix(relative(root, path)), readIfSmall(path))));
  for (const path of globbySync(['**/clickhouse/**/*.sql', '**/*clickhouse*.sql'], { cwd: root, absolute: true, gitignore: true, ignore: ['**/node_modules/**', '**/dist/**', '**/build/**'], followSymbolicLinks: false, suppressErrors: true })) {
    // By its text, not its name: a MySQL table or a sqlc query named `clickhouse_outbox.sql` (unkey) is not ClickHouse DDL.
    if (!/(^|\/)(tests?|__tests__|fixtures?|seeds?)\//i.test(toPosix(relative(root, path))) && CLICKHOUSE_DDL.test(readIfSmall(path))) clickhouseFiles.add(resolve(path));
  }
  // A migration folder with ClickHouse DDL holds that database's migrations, its `ALTER`s included.
  const clickhouseFolders = new Set([...clickhouseFiles].map((path) => dirname(path)));
  for (const path of located) if (clickhouseFolders.has(dirname(path))) clickhouseFiles.add(path);
  const migrations = located.filter((path) => !clickhouseFiles.has(path));
  if (clickhouseFiles.size) {
    const files = clickhouseSchemaFiles(root, [...clickhouseFiles].sort());
    const read = isolate(toPosix(relative(root, files[0]!)), 'reading the ClickHouse DDL', () => memo('clickhouse', options.memo ? contentKey(files, root) : null, () => readClickHouseDdl(root, files)), { tables: [], diagnostics: [], files: [] });
    if (read.tables.length) {
      tableSets.push(read.tables);
      diagnostics.push(...read.diagnostics);
      sources.push({ kind: 'clickhouse', files: read.files });
      for (const path of files) watch(path);
    }
  }
  if (migrations.length) {
    const read = isolate(toPosix(relative(root, migrations[0])), 'folding the SQL migrations', () => memo('sql-migrations', options.memo ? contentKey(migrations, root) : null, () => readSqlMigrations(root, migrations)), { tables: [], diagnostics: [], files: [], stats: { ...emptyParseStats(), files: 0 } });
    tableSets.push(read.tables);
    diagnostics.push(...read.diagnostics);
    sources.push({ kind: 'sql', files: read.files });
    for (const path of migrations) watch(path);
  }

  const ts = isolate('.', 'reading TypeScript schema sources', () => readTypeScriptSources(root, options.candidates, options.parse ?? parseUnit, memo, options.candidateReads, options.read), { result: { tables: [], diagnostics: [], files: [] }, read: [], orms: new Set<string>(), clickhouse: { builders: [], callers: [] } });
  if (ts.result.tables.length || ts.result.diagnostics.length) {
    tableSets.push(ts.result.tables);
    diagnostics.push(...ts.result.diagnostics);
    for (const kind of new Set(ts.result.tables.map((t) => t.source))) {
      sources.push({ kind, files: [...new Set(ts.result.tables.filter((t) => t.source === kind).map((t) => t.location?.file ?? ''))].filter(Boolean).sort() });
    }
    for (const path of ts.read) watch(path);
  }

  // ClickHouse DDL built by a project function (`createTable({ name, engine, columns })` in code migrations).
  if (ts.clickhouse.builders.length && ts.clickhouse.callers.length) {
    const { builders, callers } = ts.clickhouse;
    const readText = (file: string) => {
      try {
        return options.read ? readWithin(options.read, file, root).text : readTextFileSafe(file, { root, maxBytes: MAX_FILE_BYTES });
      } catch {
        return undefined;
      }
    };
    const code = isolate(toPosix(relative(root, callers[0]!)), 'reading the ClickHouse DDL built in code', () => memo('clickhouse-code', options.memo ? contentKey([...builders, ...callers], root) : null, () => readClickHouseCodeDdl(root, builders, callers, readText, options.parse ?? parseUnit)), { tables: [], diagnostics: [], files: [], builders: [] });
    if (code.tables.length) {
      tableSets.push(code.tables);
      diagnostics.push(...code.diagnostics);
      // The files the tables come from: the calls, then the functions that build their DDL.
      sources.push({ kind: 'clickhouse', files: [...code.files, ...code.builders] });
      for (const path of [...builders, ...callers]) watch(path);
    }
  }

  // Migrations written as code around SQL (db-migrate's `runSql`, TypeORM's `queryRunner.query`,
  // Sequelize's `queryInterface.sequelize.query`), when no SQL migration files were found: alone, or
  // beside models that may lag behind the database (verifywise's Sequelize models lack the
  // `organization_id` its migrations add, fresh-repo judged M13), merged as migrations are.
  if (migrations.length === 0 && !config.migrations) {
    const code = locateCodeMigrations(root);
    if (code.length) {
      const read = isolate(toPosix(relative(root, code[0])), 'folding the migrations written as code', () => memo('code-migrations', options.memo ? contentKey(code, root) : null, () => readSqlMigrations(root, code)), { tables: [], diagnostics: [], files: [], stats: { ...emptyParseStats(), files: 0 } });
      if (read.files.length) {
        tableSets.push(read.tables);
        diagnostics.push(...read.diagnostics);
        sources.push({ kind: 'sql', files: read.files });
        for (const path of code) watch(path);
      }
    }
  }

  if (loaded.file) watch(loaded.file);
  // A config file created later, closer to the project, must take effect in a running editor.
  for (const path of new Set(loaded.probed ?? [])) watch(path);
  const raw = mergeTables(tableSets);
  const schema = isolate('.', 'building the tenant schema', () => (sources.length ? buildTenantSchema(raw, sources, diagnostics, config) : undefined), undefined) ?? { ...emptySchema(), diagnostics };
  if ('kyselyCamelCase' in ts.result && ts.result.kyselyCamelCase) schema.kyselyCamelCase = ts.result.kyselyCamelCase;
  return { root, config, configFile: loaded.file, schema, inputs, orms: ts.orms, raw };
}

const TS_FILES = '**/*.{ts,tsx,mts,cts,js,mjs,cjs}';
/** Folders whose files are never schema sources; readTypeScriptSources skips them (src/project/shared-listing.ts too). */
export const TS_SOURCE_SKIPPED_FOLDERS: readonly string[] = ['node_modules', 'dist', 'build', '.next', 'coverage'];

/** The files readTypeScriptSources considers below `cwd` when no list is given (the editor), in globby's order. */
export function globTypeScriptSources(cwd: string): string[] {
  return globbySync(TS_FILES, {
    cwd,
    absolute: true,
    gitignore: true,
    ignore: [...TS_SOURCE_SKIPPED_FOLDERS.map((folder) => `**/${folder}/**`), '**/*.d.ts'],
    followSymbolicLinks: false,
    suppressErrors: true,
  });
}

/**
 * Table definitions in TypeScript: a cheap text test picks the files that import an ORM's schema
 * API, and only those are parsed (as data: nothing is executed).
 */
function readTypeScriptSources(
  root: string,
  candidates: string[] | undefined,
  parse: (file: string, text: string) => FileUnit,
  memo: SchemaMemo,
  shared = new Map<string, CandidateRead | null>(),
  sharedRead?: (file: string) => { text: string; real: string } | undefined,
): { result: SchemaReadResult; read: string[]; orms: Set<string>; clickhouse: { builders: string[]; callers: string[] } } {
  const files =
    candidates?.filter((file) => !relative(root, file).startsWith('..')) ?? globTypeScriptSources(root);
  const sources: { file: string; text: string; projectFile: string }[] = [];
  const read: string[] = [];
  const orms = new Set<string>();
  const clickhouse: { builders: string[]; callers: string[] } = { builders: [], callers: [] };
  for (const file of files) {
    let known = shared.get(file);
    if (known === undefined) {
      try {
        if (statSync(file).size > MAX_FILE_BYTES) {
          shared.set(file, null);
          continue;
        }
        const { text, real } = sharedRead ? readWithin(sharedRead, file, root) : readTextFileSafeWithRealPath(file, { root, maxBytes: MAX_FILE_BYTES });
        const clickhouse = { builder: CLICKHOUSE_BUILDER_TEXT.test(text), call: CLICKHOUSE_CALL_TEXT.test(text) };
        known = { real, orms: [...text.matchAll(ormImportPattern())].map((match) => match[1]), ...(TS_SCHEMA_MARKERS.test(text) ? { text } : {}), ...(clickhouse.builder || clickhouse.call ? { clickhouse } : {}) };
        shared.set(file, known);
      } catch (error) {
        // Outside this project's root (after symlinks) is this project's answer only: not remembered.
        if (!(error instanceof UnsafeFileError && error.reason === 'outside-root')) shared.set(file, null);
        continue; // The scanner reports unreadable files itself.
      }
    } else if (known === null || !isInsideRoot(known.real, root)) {
      continue; // Not read (as above), or read for a project whose root holds it and this one's does not.
    }
    for (const orm of known.orms) orms.add(orm);
    if (known.clickhouse?.builder) clickhouse.builders.push(file);
    if (known.clickhouse?.call) clickhouse.callers.push(file);
    if (known.text === undefined) continue;
    read.push(file);
    sources.push({ file, text: known.text, projectFile: toPosix(relative(root, file)) });
  }
  // A test's own tables (`knex.schema.createTable` in an e2e set-up) are not the application's
  // schema while the application defines one: read them only when nothing else does.
  if (sources.some((source) => !isTestFile(source.projectFile))) {
    for (let i = sources.length - 1; i >= 0; i--) if (isTestFile(sources[i].projectFile)) sources.splice(i, 1);
  }
  const key = sources.map((source) => [source.projectFile, createHash('sha256').update(source.text).digest('base64url')]);
  const result = memo('ts-schema', key, () => {
    const units: { unit: FileUnit; projectFile: string }[] = [];
    for (const source of sources) {
      try {
        units.push({ unit: parse(source.file, source.text), projectFile: source.projectFile });
      } catch {
        continue; // Reported as a parse error by the scanner.
      }
    }
    return readTsSchemaSources(units);
  });
  return { result, read, orms, clickhouse };
}

/** A read of the scan's (see LoadOptions.read) with the rules of a read within `root`: what cannot be read throws. */
function readWithin(read: (file: string) => { text: string; real: string } | undefined, file: string, root: string): { text: string; real: string } {
  const found = read(file);
  if (!found) throw new Error(`cannot read ${file}`);
  if (!isInsideRoot(found.real, root)) throw new UnsafeFileError('outside the scanned tree (after following symlinks)', 'outside-root');
  return found;
}

/**
 * An import of an ORM package (`from 'knex'`, `require("typeorm")`, `'drizzle-orm/pg-core'`):
 * the recognizers whose `enablers` the project never imports are skipped, so a Mongoose app does
 * not pay for Knex's cross-file client tracing on every call.
 */
let ormImport: RegExp | undefined;
function ormImportPattern(): RegExp {
  // Built on first use: RECOGNIZERS may still be initialising while this module loads (import cycle).
  ormImport ??= new RegExp(`['"](${[...new Set(RECOGNIZERS.flatMap((r) => r.enablers))].map((e) => e.replace(/[/.]/g, '\\$&')).join('|')})(?:/[^'"]*)?['"]`, 'g');
  return ormImport;
}

/**
 * True when a schema or config file changed, appeared or disappeared since the project was loaded
 * (editor cache). Asked once per linted file: each path is checked once (a package's inputs repeat
 * its workspace's config probes).
 */
export function isStale(project: Project): boolean {
  const seen = new Set<string>();
  for (const input of project.inputs) {
    if (seen.has(input.path)) continue;
    seen.add(input.path);
    if (mtimeOrMissing(input.path) !== input.mtimeMs) return true;
  }
  return false;
}
