import type { SchemaSourceKind } from '../core/schema.js';
import type { RawTable } from './raw.js';

/** Declarative sources describe what the code uses; migrations describe how the database got there. */
const PRIORITY: Record<SchemaSourceKind, number> = { prisma: 0, drizzle: 1, typeorm: 2, sequelize: 3, mongoose: 4, knex: 5, kysely: 6, mikroorm: 7, sql: 8, clickhouse: 9 };

/** `public.Invoices` and `invoices` are the same table; other schemas stay qualified. */
export function tableKey(name: string): string {
  return name.replace(/^public\./i, '').toLowerCase();
}

/**
 * One model from every source. A table described by a declarative source (schema.prisma, Drizzle,
 * TypeORM...) and by migrations is one table: the declarative description wins for columns and
 * locations (that is what the user edits), the migrations add what only they know (RLS). A table
 * is never reported twice. Relation targets are renamed to the merged tables' names.
 */
export function mergeTables(sources: RawTable[][]): RawTable[] {
  const byKey = new Map<string, RawTable>();
  const aliasOf = new Map<string, RawTable>();
  const all = sources.flat().sort((a, b) => PRIORITY[a.source] - PRIORITY[b.source]);
  // The migrations' own unqualified tables: a `public.users` beside `auth.users` keeps the model's `users` for itself.
  const migrationNames = new Set(all.filter((t) => t.source === 'sql').map((t) => tableKey(t.dbName)));
  for (const table of all) {
    // Another database's table (ClickHouse's `website_event` beside PostgreSQL's) is its own.
    if (table.database) {
      byKey.set(`${table.database}:${tableKey(table.dbName)}`, { ...table, relations: new Map(table.relations) });
      continue;
    }
    const key = tableKey(table.dbName);
    let existing = byKey.get(key);
    // A name the table may have (Sequelize's pluralised default), when only that name is known; and
    // `verifywise.projects` created by the migrations where a model declares `projects` in no schema
    // and no migration creates one: the same table, reached through the search path.
    const bare = table.source === 'sql' && key.includes('.') ? key.replace(/^[^.]+\./, '') : undefined;
    const searchPath = bare !== undefined && !migrationNames.has(bare) && byKey.get(bare)?.source !== 'sql' ? [bare] : [];
    const alias = [...(table.dbAliases ?? []), ...searchPath].map(tableKey).find((name) => byKey.has(name));
    if (!existing && alias) {
      existing = byKey.get(alias)!;
      if (searchPath[0] === alias) {
        existing.dbAliases = [...new Set([...(existing.dbAliases ?? []), table.dbName])];
        aliasOf.set(key, existing);
      }
    }
    if (!existing) {
      const entry = { ...table, relations: new Map(table.relations) };
      byKey.set(key, entry);
      for (const name of table.dbAliases ?? []) if (!byKey.has(tableKey(name))) aliasOf.set(tableKey(name), entry);
      continue;
    }
    if (!existing.rls && table.rls) existing.rls = table.rls;
    // The migrations' facts first: a key they alone create is then a column its foreign key can name.
    if (table.source === 'sql' && existing.source !== 'sql') adoptMigrationFacts(existing, table);
    addForeignKeys(existing, table);
    if (table.codeNames) existing.codeNames = [...new Set([...(existing.codeNames ?? []), ...table.codeNames])];
  }
  // Tables met later under an alias (migrations folded after the models) join the model's entry.
  for (const [name, entry] of aliasOf) {
    const other = byKey.get(name);
    if (!other || other === entry) continue;
    if (!entry.rls && other.rls) entry.rls = other.rls;
    byKey.delete(name);
  }
  const merged = [...byKey.values()];
  // Another database's table keeps its name unless a table of the application's has it: then it is qualified.
  const names = new Set(merged.filter((t) => !t.database).map((t) => t.name));
  for (const table of merged) if (table.database && names.has(table.name)) table.name = `${table.database}.${table.name}`;
  const canonical = new Map<string, string>();
  for (const table of merged) {
    if (table.database) continue;
    canonical.set(table.name, table.name);
    canonical.set(table.name.toLowerCase(), table.name);
    canonical.set(tableKey(table.dbName), table.name);
    for (const alias of table.dbAliases ?? []) canonical.set(tableKey(alias), table.name);
  }
  for (const source of sources.flat()) {
    if (source.database) continue;
    // A source's own name for a table (TypeORM class name, SQL name) maps to the merged name.
    const target = byKey.get(tableKey(source.dbName)) ?? aliasOf.get(tableKey(source.dbName));
    if (target && !canonical.has(source.name)) canonical.set(source.name, target.name);
  }
  for (const table of merged) {
    for (const [name, relation] of table.relations) {
      const target = canonical.get(relation.target) ?? canonical.get(relation.target.toLowerCase()) ?? canonical.get(tableKey(relation.target));
      if (target && target !== relation.target) table.relations.set(name, { ...relation, target });
    }
  }
  return merged;
}

/**
 * A declarative source that mirrors part of the database (capgo's Drizzle \`apikeys\` without
 * \`.references()\`) wins for columns, but the foreign keys only the migrations declare are still the
 * database's: \`apikeys.user_id -> users\` is what tells that an API key belongs to a user. Each is
 * added when the winning description has all of its columns and no relation on them already.
 */
function addForeignKeys(existing: RawTable, other: RawTable): void {
  const columnOf = (field: string) => {
    const own = other.columns.get(field);
    const names = new Set([field, own?.dbName ?? field]);
    return [...existing.columns.values()].find((c) => names.has(c.name) || names.has(c.dbName));
  };
  for (const relation of other.relations.values()) {
    if (relation.fields.length === 0 || existing.relations.has(relation.name)) continue;
    const columns = relation.fields.map(columnOf);
    if (columns.some((c) => c === undefined)) continue;
    const fields = columns.map((c) => (c as { name: string }).name);
    const covered = [...existing.relations.values()].some((r) => r.fields.length === fields.length && r.fields.every((f) => fields.includes(f)));
    if (covered) continue;
    existing.relations.set(relation.name, {
      ...relation,
      fields,
      required: columns.every((c) => c?.nullable === false),
    });
  }
}

/**
 * A declarative source that mirrors tables the SQL migrations create (capgo's Drizzle
 * `postgres_schema.ts` next to its Supabase baseline, kan's Drizzle schema next to drizzle-kit's
 * output) describes what the code reads; the migrations are what the database is. The mirror may
 * leave out NOT NULL and the indexes (capgo's `apps` has no index in Drizzle, `finx_apps_owner_org`
 * in the baseline): the migrations' nullability wins for every column both describe, and their
 * primary key, uniques and indexes are added to the mirror's. The mirror keeps its names and
 * locations; `migrationFacts` names what was taken, for the findings' evidence.
 */
function adoptMigrationFacts(existing: RawTable, migration: RawTable): void {
  const byDb = new Map<string, string>();
  for (const column of existing.columns.values()) {
    byDb.set(column.dbName.toLowerCase(), column.name);
    byDb.set(column.name.toLowerCase(), column.name);
  }
  const nameOf = (field: string) => byDb.get((migration.columns.get(field)?.dbName ?? field).toLowerCase());
  const adopted: string[] = [];
  for (const column of migration.columns.values()) {
    const name = nameOf(column.name);
    const own = name ? existing.columns.get(name) : undefined;
    // A column only the migrations create is in the database all the same: raw SQL reads it
    // (verifywise's `organization_id`, which its Sequelize models do not declare).
    if (!own && !existing.columns.has(column.name)) {
      existing.columns.set(column.name, { ...column });
      byDb.set(column.dbName.toLowerCase(), column.name);
      adopted.push(`${column.dbName} (only in the migrations)`);
      continue;
    }
    if (!own || own.nullable === column.nullable) continue;
    existing.columns.set(own.name, { ...own, nullable: column.nullable });
    adopted.push(`${own.dbName} ${column.nullable ? 'nullable' : 'NOT NULL'}`);
  }
  /** The migration's columns as the mirror's names; undefined when one is not in the mirror. */
  const mapped = (fields: string[]) => {
    const names = fields.map((f) => nameOf(f) ?? (migration.columns.has(f) ? undefined : f));
    return names.every((n): n is string => n !== undefined) ? names : undefined;
  };
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((f, i) => f === b[i]);
  const primaryKey = mapped(migration.primaryKey);
  if (existing.primaryKey.length === 0 && primaryKey && primaryKey.length > 0) {
    existing.primaryKey = primaryKey;
    adopted.push(`primary key (${migration.primaryKey.join(', ')})`);
  }
  const uniques = [...existing.uniques];
  // A primary key the migrations put elsewhere (capgo's `apps_pkey (app_id)`, the mirror's `id`) is
  // unique in the database all the same.
  if (primaryKey && primaryKey.length > 0 && !same(primaryKey, existing.primaryKey) && !uniques.some((u) => same(u.fields, primaryKey))) {
    uniques.push({ fields: primaryKey, name: `${migration.dbName}_pkey` });
    adopted.push(`primary key (${migration.primaryKey.join(', ')}) as a unique`);
  }
  for (const unique of migration.uniques) {
    const fields = mapped(unique.fields);
    if (!fields || uniques.some((u) => same(u.fields, fields))) continue;
    uniques.push({ fields, name: unique.name });
    adopted.push(`unique (${unique.fields.join(', ')})`);
  }
  const indexes = [...existing.indexes];
  for (const index of migration.indexes) {
    const fields = mapped(index);
    if (!fields || indexes.some((i) => same(i, fields))) continue;
    indexes.push(fields);
    adopted.push(`index (${index.join(', ')})`);
  }
  existing.uniques = uniques;
  existing.indexes = indexes;
  // Set even when empty: the table is known to mirror the migrations.
  existing.migrationFacts = [...(existing.migrationFacts ?? []), ...adopted];
}
