import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CONFIG_LOCATIONS, defaultConfig } from './config/load.js';
import type { TenantLintConfig } from './config/schema.js';
import type { SchemaSourceKind, Table, TenantSchema } from './core/schema.js';
import { RECOGNIZERS } from './orm/index.js';
import { loadProject, toPosix, withWorkspaceSchema, type Project } from './project/project.js';
import { readJson, workspacePackages } from './project/workspaces.js';
import { writeFileSafe } from './scan/safe-write.js';
import { UsageError } from './scan/scan.js';

/** The file `tenant-lint init` writes: the first place a scan looks. */
export const INIT_CONFIG_FILE = 'tenant-lint.config.json';

export interface InitOptions {
  /** Replace an existing config. */
  force?: boolean;
  /** Print what would be written, write nothing. */
  dryRun?: boolean;
}

export interface InitRun {
  /** The report for stdout. */
  text: string;
  /** The config file written (absolute), when one was. */
  written?: string;
  config: TenantLintConfig;
}

const ORM_NAMES: Record<string, string> = {
  prisma: 'Prisma',
  drizzle: 'Drizzle',
  typeorm: 'TypeORM',
  sequelize: 'Sequelize',
  mongoose: 'Mongoose',
  knex: 'Knex',
  kysely: 'Kysely',
  'supabase-js': 'Supabase',
  mikroorm: 'MikroORM',
};

const SOURCE_NAMES: Record<SchemaSourceKind, string> = {
  prisma: 'Prisma schema',
  sql: 'SQL migrations',
  drizzle: 'Drizzle tables',
  typeorm: 'TypeORM entities',
  sequelize: 'Sequelize models',
  mongoose: 'Mongoose schemas',
  knex: 'Knex migrations',
  kysely: 'Kysely migrations',
  mikroorm: 'MikroORM entities',
  clickhouse: 'ClickHouse DDL',
};

/**
 * Reference data every tenant shares, by name: among the tables inference could not classify,
 * these are most likely global. Only a suggestion, printed with its reason, for the user to review.
 */
const SHARED_NAME = /^(plans?|pricing_?plans?|price_?tiers?|features?|feature_?flags?|countr(y|ies)|currenc(y|ies)|exchange_?rates?|locales?|languages?|time_?zones?|system_?settings?|app_?settings?|global_?settings?)$/i;

/** Migration bookkeeping and the root: global without any configuration, so not written. */
function globalByItself(table: Table, schema: TenantSchema): boolean {
  // Global by structure is re-decided on every scan (a new foreign key makes it tenant data): never frozen into the config.
  return table.name === schema.root || table.ignored !== undefined || /migration bookkeeping$/.test(table.classReason) || table.globalByStructure === true;
}

/** A config file already in `dir`, in the order a scan reads them; undefined when there is none. */
export function existingConfig(dir: string): string | undefined {
  for (const location of CONFIG_LOCATIONS) {
    const [name, key] = location.split('#');
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    if (!key) return name;
    const data = readJson(file);
    if (typeof data === 'object' && data !== null && key in data) return location;
  }
  return undefined;
}

/**
 * `tenant-lint init [dir]`: what a scan of `dir` would infer, without any config (ORMs, schema
 * sources, the tenant hierarchy with its evidence, the class of every table), printed, and written
 * as a config the user can review and commit. Reads the schema as data; runs nothing.
 */
export function runInit(dir: string, options: InitOptions = {}, cwd = process.cwd()): InitRun {
  const root = resolve(cwd, dir);
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new UsageError(`init: ${dir} is not a directory`);
  const existing = existingConfig(root);
  if (existing && !options.force && !options.dryRun) {
    throw new UsageError(`init: ${display(cwd, join(root, existing.split('#')[0]))}${existing.includes('#') ? '#tenantLint' : ''} already configures tenant-lint here; pass --force to write ${INIT_CONFIG_FILE} anyway, or --dry-run to see what init infers`);
  }

  // What inference gives without any config: the existing one, if any, is not applied.
  const load = (at: string): Project => loadProject(at, undefined, { config: defaultConfig() });
  const project = withWorkspaceSchema(load(root), load);
  const { schema } = project;
  if (schema.sources.length === 0) {
    throw new UsageError(`init: no schema found in ${display(cwd, root)} (schema.prisma, SQL migrations, Drizzle, TypeORM, Sequelize, Mongoose, Knex, Kysely or MikroORM table definitions); set "schema" or "migrations" in ${INIT_CONFIG_FILE} by hand (docs/configuration.md)`);
  }

  const lines: string[] = [`tenant-lint init: ${display(cwd, root)}`, ''];
  const orms = detectOrms(root, project);
  lines.push(`ORMs: ${orms.length ? orms.join(', ') : 'none found in package.json or imports'}`);

  const base = project.schemaFrom ?? root;
  lines.push('Schema sources:');
  for (const source of schema.sources) {
    const files = source.files.map((file) => toPosix(relative(root, resolve(base, file))));
    lines.push(`  ${SOURCE_NAMES[source.kind]}: ${listed(files, 4)}`);
  }

  const config: TenantLintConfig = { $schema: './node_modules/tenant-lint/schema.json' };
  if (schema.root) {
    config.tenantRoot = schema.root;
    lines.push(`Tenant root: ${schema.root} (${schema.rootReason})`);
    lines.push(`Hierarchy: ${schema.levels.join(' > ')}`);
    lines.push('Tenant keys:');
    const keys = [...schema.tenantKeys].sort((a, b) => cmp(a.table, b.table) || cmp(a.field, b.field));
    for (const key of keys) {
      const at = key.location ? ` (${toPosix(relative(root, resolve(base, key.location.file)))}:${key.location.line})` : '';
      lines.push(`  ${key.table}.${key.field} -> ${key.references}${key.byName ? ' (by name)' : ''}${at}`);
    }
    if (keys.length === 0) lines.push('  none: no model references the root');
  } else {
    lines.push(`Tenant root: not found: ${schema.rootReason}`);
  }

  const tables = [...schema.tables.values()].sort((a, b) => cmp(a.name, b.name));
  const byClass = (cls: Table['class']) => tables.filter((table) => table.class === cls);
  const counts = (['tenant', 'child', 'global', 'unclassified'] as const).map((cls) => `${byClass(cls).length} ${cls}`);
  lines.push(`Tables: ${counts.join(', ')}`);
  if (byClass('tenant').length) lines.push(`  tenant: ${byClass('tenant').map((t) => t.name).join(', ')}`);
  if (byClass('child').length) lines.push(`  child (tenancy through a required relation): ${byClass('child').map((t) => `${t.name} (via ${t.parentRelations.join(', ')})`).join(', ')}`);

  const inferredGlobal = byClass('global').filter((table) => !globalByItself(table, schema));
  const namedShared = byClass('unclassified').filter((table) => SHARED_NAME.test(table.name) || SHARED_NAME.test(table.dbName));
  const globals = [...inferredGlobal, ...namedShared].sort((a, b) => cmp(a.name, b.name));
  if (globals.length) {
    config.globalTables = globals.map((table) => table.name);
    lines.push('Likely global, written to globalTables (review them):');
    for (const table of globals) lines.push(`  ${table.name}: ${namedShared.includes(table) ? `named like reference data every tenant shares; ${table.classReason}` : table.classReason}`);
  }
  const structural = byClass('global').filter((table) => table.globalByStructure);
  if (structural.length) {
    lines.push('Global by structure (no foreign key ties them to tenant data; not written): list tenant data among them in tenantTables');
    for (const table of structural) lines.push(`  ${table.name}: ${table.classReason}`);
  }
  const undecided = byClass('unclassified').filter((table) => !namedShared.includes(table));
  if (undecided.length) {
    lines.push('Unclassified (queries on them are not checked): add each to globalTables or tenantTables');
    for (const table of undecided) lines.push(`  ${table.name}: ${table.classReason}`);
  }
  if (schema.diagnostics.length) lines.push(`Schema notes: ${schema.diagnostics.length} (run \`tenant-lint scan\` to see them)`);

  const text = `${JSON.stringify(config, null, 2)}\n`;
  const target = join(root, INIT_CONFIG_FILE);
  lines.push('');
  if (options.dryRun) {
    lines.push(`would write ${display(cwd, target)} (--dry-run: nothing written):`);
  } else {
    try {
      writeFileSafe(target, text, root);
    } catch (error) {
      throw new UsageError(`init: cannot write ${display(cwd, target)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    lines.push(`wrote ${display(cwd, target)}${existing && existing !== INIT_CONFIG_FILE ? ` (it comes before ${existing}, which is no longer read)` : ''}:`);
  }
  lines.push(text.trimEnd(), '', `Review it, then run: tenant-lint scan ${display(cwd, root)}`);
  return { text: `${lines.join('\n')}\n`, ...(options.dryRun ? {} : { written: target }), config };
}

/** ORMs by the project's package.json (and its workspace packages) and by what its files import. */
function detectOrms(root: string, project: Project): string[] {
  const names = new Set<string>();
  const packageDirs = [root, ...workspacePackages(root).values()];
  const deps = new Set<string>();
  for (const dir of packageDirs) {
    const pkg = readJson(join(dir, 'package.json'));
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
      const entries = typeof pkg === 'object' && pkg !== null ? Reflect.get(pkg, field) : undefined;
      if (typeof entries === 'object' && entries !== null) for (const name of Object.keys(entries)) deps.add(name);
    }
  }
  const found: string[] = [];
  for (const recognizer of RECOGNIZERS) {
    const enabling = recognizer.enablers.filter((enabler) => deps.has(enabler) || project.orms.has(enabler));
    if (enabling.length === 0 || names.has(recognizer.name)) continue;
    names.add(recognizer.name);
    found.push(`${ORM_NAMES[recognizer.name] ?? recognizer.name} (${enabling.join(', ')})`);
  }
  return found;
}

function listed(items: string[], shown: number): string {
  if (items.length <= shown) return items.join(', ');
  return `${items.slice(0, shown).join(', ')} and ${items.length - shown} more`;
}

function display(cwd: string, path: string): string {
  const rel = toPosix(relative(cwd, path));
  return rel === '' ? '.' : rel.startsWith('../../') ? toPosix(path) : rel;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
