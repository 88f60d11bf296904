/**
 * Folds migration statements, in apply order, into the schema they leave behind: what Postgres would
 * hold after running them. Columns, keys and indexes are held as objects, so a renamed column is
 * renamed everywhere it is used (keys, indexes, other tables' foreign keys) at no cost, and a renamed
 * or dropped table needs no search through the others. Every statement is applied once: renames,
 * even cyclic ones (a -> b, b -> a), cannot loop.
 *
 * A statement Postgres would reject (ALTER of a missing table or column, CREATE of an existing table)
 * is a diagnostic, not a crash, and the fold goes on.
 */
import type { Column, Relation, RlsState, SchemaDiagnostic, SourceLocation } from '../core/schema.js';
import type { RawTable } from '../schema/raw.js';
import type {
  AlterTable,
  AlterTableAction,
  ColumnDefinition,
  CreateIndex,
  CreatePolicy,
  CreateTable,
  CreateTableAs,
  CreateView,
  QualifiedName,
  SqlStatement,
  TableConstraint,
} from './statements.js';
import { qualifiedText } from './statements.js';

interface FoldColumn {
  name: string;
  type: string;
  notNull: boolean;
  /** Where the current nullability was last set. */
  nullLocation: SourceLocation;
  dropped: boolean;
  /** Its default is an id generator. */
  generated?: boolean;
  /** Its default is random bytes: a secret. */
  randomSecret?: boolean;
}

/** A primary key, unique constraint or index: all are indexes with a name in the schema's namespace. */
interface FoldIndex {
  kind: 'primary' | 'unique' | 'index';
  /** Unique/primary declared as a constraint (vs CREATE UNIQUE INDEX). */
  constraint: boolean;
  /** Columns; a string is an expression or a column the fold does not know. */
  columns: (FoldColumn | string)[];
  /** The name as written, when written. */
  declaredName?: string;
  /** The name Postgres gives it (written or generated): what DROP INDEX / DROP CONSTRAINT use. */
  pgName: string;
}

interface FoldForeignKey {
  columns: FoldColumn[];
  target: FoldTable | QualifiedName;
  refColumns: (FoldColumn | string)[];
  pgName: string;
}

interface FoldPolicy {
  name: string;
  command: string;
  permissive: boolean;
  userColumns: (FoldColumn | string)[];
  flagColumns: (FoldColumn | string)[];
  accessListColumns: (FoldColumn | string)[];
  using?: string;
  check?: string;
  columns: (FoldColumn | string)[];
  location: SourceLocation;
}

interface FoldTable {
  schema: string;
  name: string;
  columns: Map<string, FoldColumn>;
  indexes: FoldIndex[];
  foreignKeys: FoldForeignKey[];
  location: SourceLocation;
  rls?: { enabled: boolean; forced: boolean; policies: Map<string, FoldPolicy>; location?: SourceLocation };
  dropped: boolean;
  /** Creation order: tables are listed in it, a rename does not move them. */
  order: number;
  /** A materialized view: later statements index, rename or drop it, but it is not a table of the schema. */
  materializedView?: boolean;
  /**
   * A view: a table of the schema when it carries a key of a table it reads (its rows then belong to
   * that key's tenant), else left out (queries on it are not analysable). Its columns are the ones
   * the select names; it has no storage, so the schema rules do not judge it (`columnsUnknown`).
   */
  view?: boolean;
  /**
   * Created from a query (`CREATE TABLE ... AS SELECT`, `SELECT ... INTO`): its columns are not known,
   * so a column the statements name is taken to exist, and the table is marked `columnsUnknown`.
   */
  columnsUnknown?: boolean;
}

const DEFAULT_SCHEMA = 'public';

function schemaOf(name: QualifiedName): string {
  return name.schema ?? DEFAULT_SCHEMA;
}

/**
 * Schemas a managed Postgres (Supabase) creates and owns: its migrations add policies and triggers
 * to `storage.objects` or `auth.users` without creating them. Not tenant data of the application.
 */
const PLATFORM_SCHEMAS = new Set(['auth', 'storage', 'realtime', 'vault', 'extensions', 'graphql', 'graphql_public', 'net', 'cron', 'pgsodium', 'supabase_functions', 'supabase_migrations']);

function keyOf(schema: string, name: string): string {
  return `${schema}.${name}`;
}

function displayName(table: { schema: string; name: string }): string {
  return table.schema === DEFAULT_SCHEMA ? table.name : `${table.schema}.${table.name}`;
}

function columnName(column: FoldColumn | string): string {
  return typeof column === 'string' ? column : column.name;
}

interface IndexEntry {
  table: FoldTable;
  index: FoldIndex;
}

/** Index (and key constraint) names: one namespace per schema, looked up by name in O(1). */
class IndexRegistry {
  private readonly byName = new Map<string, IndexEntry[]>();

  get(schema: string, name: string): IndexEntry | undefined {
    return this.byName.get(name)?.find((entry) => entry.table.schema === schema);
  }

  /** `schema.name`, or an unqualified name: `public` first, else the only schema that has it. */
  find(name: QualifiedName): IndexEntry | undefined {
    if (name.schema) return this.get(name.schema, name.name);
    const entries = this.byName.get(name.name) ?? [];
    return entries.find((entry) => entry.table.schema === DEFAULT_SCHEMA) ?? (entries.length === 1 ? entries[0] : undefined);
  }

  add(entry: IndexEntry): void {
    const entries = (this.byName.get(entry.index.pgName) ?? []).filter((e) => e.table.schema !== entry.table.schema);
    entries.push(entry);
    this.byName.set(entry.index.pgName, entries);
  }

  remove(index: FoldIndex): void {
    const entries = this.byName.get(index.pgName);
    if (!entries) return;
    const rest = entries.filter((entry) => entry.index !== index);
    if (rest.length) this.byName.set(index.pgName, rest);
    else this.byName.delete(index.pgName);
  }

  rename(entry: IndexEntry, to: string): void {
    this.remove(entry.index);
    entry.index.pgName = to;
    entry.index.declaredName = to;
    this.add(entry);
  }
}

export class SchemaFold {
  private readonly tables = new Map<string, FoldTable>();
  /** `schema.indexName` -> the table and index; primary keys and unique constraints included. */
  private readonly indexNames = new IndexRegistry();
  /** Tables created by statements no parser accepted: already reported once, not again per statement. */
  private readonly unparsedTables = new Set<string>();
  private created = 0;
  readonly diagnostics: SchemaDiagnostic[] = [];

  apply(statement: SqlStatement): void {
    switch (statement.kind) {
      case 'CreateTable':
        this.createTable(statement);
        break;
      case 'CreateTableAs':
        this.createTableAs(statement);
        break;
      case 'CreateView':
        this.createView(statement);
        break;
      case 'AlterTable':
        this.alterTable(statement);
        break;
      case 'CreateIndex':
        this.createIndex(statement);
        break;
      case 'DropIndex':
        for (const name of statement.names) {
          const found = this.indexNames.find(name);
          if (found) this.removeIndex(found.table, found.index);
        }
        break;
      case 'RenameIndex': {
        const found = this.indexNames.find(statement.index);
        if (found) this.indexNames.rename(found, statement.to);
        break;
      }
      case 'DropTable':
        for (const name of statement.tables) {
          const table = this.tables.get(keyOf(schemaOf(name), name.name));
          if (table) this.dropTable(table);
          else if (!statement.ifExists) this.missingTable(statement, name, statement.relation === 'materializedView' ? 'DROP MATERIALIZED VIEW' : statement.relation === 'view' ? 'DROP VIEW' : 'DROP TABLE');
        }
        break;
      case 'CreatePolicy':
        this.createPolicy(statement);
        break;
      case 'DropPolicy': {
        const table = this.tables.get(keyOf(schemaOf(statement.table), statement.table.name));
        if (table) table.rls?.policies.delete(statement.name);
        else if (!statement.ifExists) this.missingTable(statement, statement.table, 'DROP POLICY');
        break;
      }
      case 'Unparsed':
        if (statement.creates) this.unparsedTables.add(keyOf(schemaOf(statement.creates), statement.creates.name));
        break;
      case 'Other':
        break;
    }
  }

  /**
   * The tables as they stand after every statement applied so far. Materialized views are left out:
   * they are known to the fold (so that their indexes are not "no such table"), but hold no rows of
   * their own to give a tenant column.
   */
  result(): RawTable[] {
    return [...this.tables.values()]
      .filter((table) => !table.materializedView && (!table.view || table.foreignKeys.some((fk) => !('columns' in fk.target) || !fk.target.dropped)))
      .sort((a, b) => a.order - b.order)
      .map((table) => this.toRawTable(table));
  }

  private diagnostic(statement: SqlStatement, message: string): void {
    const { file, line, column } = statement.location;
    this.diagnostics.push({ file, line, column, message });
  }

  private missingTable(statement: SqlStatement, name: QualifiedName, what: string): void {
    if (this.unparsedTables.has(keyOf(schemaOf(name), name.name))) return;
    // `storage.objects`, `auth.users`: tables the platform (Supabase) creates, never the migrations.
    if (name.schema !== undefined && PLATFORM_SCHEMAS.has(name.schema)) return;
    this.diagnostic(
      statement,
      `${what} \`${qualifiedText(name)}\`: no such table at this point of the migrations (not created yet, dropped, renamed, or created by a statement that was not understood); the statement is ignored.`,
    );
  }

  private lookup(statement: SqlStatement, name: QualifiedName, what: string, ifExists = false): FoldTable | undefined {
    const table = this.tables.get(keyOf(schemaOf(name), name.name));
    if (!table && !ifExists) this.missingTable(statement, name, what);
    return table;
  }

  /** A new, empty table in place of any of that name; undefined when IF NOT EXISTS finds one. */
  private newTable(statement: CreateTable | CreateTableAs | CreateView, what: string): FoldTable | undefined {
    const schema = schemaOf(statement.table);
    const key = keyOf(schema, statement.table.name);
    this.unparsedTables.delete(key);
    const existing = this.tables.get(key);
    if (existing) {
      if (statement.ifNotExists) return undefined;
      this.diagnostic(statement, `${what} \`${qualifiedText(statement.table)}\`: the table already exists at this point of the migrations; the new definition replaces it.`);
      this.dropTable(existing);
    }
    const table: FoldTable = {
      schema,
      name: statement.table.name,
      columns: new Map(),
      indexes: [],
      foreignKeys: [],
      location: { ...statement.location },
      dropped: false,
      order: this.created++,
    };
    this.tables.set(key, table);
    return table;
  }

  private createTableAs(statement: CreateTableAs): void {
    const materialized = statement.relation === 'materializedView';
    const table = this.newTable(statement, materialized ? 'CREATE MATERIALIZED VIEW' : 'CREATE TABLE AS');
    if (!table) return;
    if (materialized) table.materializedView = true;
    table.columnsUnknown = true;
    for (const name of statement.columns) table.columns.set(name, this.unknownColumn(name, statement.location));
  }

  private createView(statement: CreateView): void {
    const existing = this.tables.get(keyOf(schemaOf(statement.table), statement.table.name));
    if (existing && statement.replace) this.dropTable(existing);
    const view = this.newTable(statement, 'CREATE VIEW');
    if (!view) return;
    view.view = true;
    view.columnsUnknown = true;
    const sources = statement.sources.map((source) => ({ alias: source.alias, table: this.tables.get(keyOf(schemaOf(source.table), source.table.name)) }));
    const byAlias = (alias: string | undefined) => (alias === undefined ? undefined : sources.find((s) => s.alias === alias)?.table);
    const holding = (column: string) => {
      const found = sources.filter((s) => s.table?.columns.get(column)?.dropped === false);
      return found.length === 1 ? found[0]?.table : undefined;
    };
    const copy = (from: FoldTable, column: FoldColumn, as: string) => {
      const own: FoldColumn = { ...column, name: as, nullLocation: { ...statement.location } };
      view.columns.set(as, own);
      for (const fk of from.foreignKeys) {
        if (fk.columns.length === 1 && fk.columns[0] === column) view.foreignKeys.push({ columns: [own], target: fk.target, refColumns: fk.refColumns, pgName: `${view.name}_${as}_fkey` });
      }
      // The primary key of a table it reads (`team_members.id AS team_member_id`): each view row names
      // that row, as a foreign key to it would (worklenz judged F066: a join on it follows that row).
      const primary = from.indexes.find((i) => i.kind === 'primary');
      if (primary?.columns.length === 1 && primary.columns[0] === column && from !== view) {
        view.foreignKeys.push({ columns: [own], target: from, refColumns: [column], pgName: `${view.name}_${as}_fkey` });
      }
    };
    statement.columns.forEach((output, index) => {
      const as = statement.aliases[index];
      if (output.kind === 'star') {
        const tables = output.source === undefined ? sources.map((s) => s.table) : [byAlias(output.source)];
        for (const from of tables) for (const column of from?.columns.values() ?? []) if (!column.dropped) copy(from as FoldTable, column, column.name);
        return;
      }
      const name = as ?? output.name;
      if (name === undefined) return;
      const from = output.kind === 'column' ? (output.source === undefined ? holding(output.column) : byAlias(output.source)) : undefined;
      const column = output.kind === 'column' ? from?.columns.get(output.column) : undefined;
      if (from && column && !column.dropped) copy(from, column, name);
      else view.columns.set(name, this.unknownColumn(name, statement.location));
    });
    // `security_invoker`: the policies of the one table it reads apply to its readers.
    const only = sources.length === 1 ? sources[0]?.table : undefined;
    if (statement.securityInvoker && only?.rls) view.rls = only.rls;
  }

  /** A column of a table created from a query: its type and nullability are not known. */
  private unknownColumn(name: string, location: SourceLocation): FoldColumn {
    return { name, type: 'unknown', notNull: false, nullLocation: { ...location }, dropped: false };
  }

  private createTable(statement: CreateTable): void {
    const table = this.newTable(statement, 'CREATE TABLE');
    if (!table) return;
    for (const def of statement.columns) table.columns.set(def.name, this.newColumn(def));
    // Keys first, so that a foreign key that names no columns (or references its own table) finds them.
    const inlinePk = statement.columns.filter((c) => c.primaryKey);
    if (inlinePk.length) this.addConstraint(table, statement, { kind: 'PrimaryKey', columns: inlinePk.map((c) => c.name) }, inlinePk[0].location);
    const ordered = [...statement.constraints].sort((a, b) => rank(a) - rank(b));
    for (const constraint of ordered.filter((c) => c.kind !== 'ForeignKey')) this.addConstraint(table, statement, constraint);
    for (const def of statement.columns) this.inlineConstraints(table, statement, def, false);
    for (const constraint of ordered.filter((c) => c.kind === 'ForeignKey')) this.addConstraint(table, statement, constraint);
  }

  private newColumn(def: ColumnDefinition): FoldColumn {
    return { name: def.name, type: def.type, notNull: def.notNull || def.primaryKey, nullLocation: { ...def.location }, dropped: false, ...(def.generated ? { generated: true } : {}), ...(def.randomSecret ? { randomSecret: true } : {}) };
  }

  /** UNIQUE and REFERENCES on a column definition (PRIMARY KEY is handled by the caller). */
  private inlineConstraints(table: FoldTable, statement: SqlStatement, def: ColumnDefinition, withPrimaryKey: boolean): void {
    if (withPrimaryKey && def.primaryKey) this.addConstraint(table, statement, { kind: 'PrimaryKey', columns: [def.name] }, def.location);
    if (def.unique) this.addConstraint(table, statement, { kind: 'Unique', columns: [def.name] });
    if (def.references) {
      const refColumns = def.references.column === undefined ? [] : [def.references.column];
      this.addConstraint(table, statement, { kind: 'ForeignKey', columns: [def.name], refTable: def.references.table, refColumns });
    }
  }

  private resolveColumns(table: FoldTable, names: string[]): (FoldColumn | string)[] {
    return names.map((name) => table.columns.get(name) ?? name);
  }

  private addConstraint(table: FoldTable, statement: SqlStatement, constraint: TableConstraint, nullLocation?: SourceLocation): void {
    if (constraint.kind === 'ForeignKey') {
      const columns: FoldColumn[] = [];
      for (const name of constraint.columns) {
        const column = table.columns.get(name) ?? this.assumedColumn(table, statement, name);
        if (column) columns.push(column);
        else this.diagnostic(statement, `FOREIGN KEY on \`${displayName(table)}\`: no column \`${name}\`; the constraint is ignored.`);
      }
      if (columns.length !== constraint.columns.length) return;
      const target = this.tables.get(keyOf(schemaOf(constraint.refTable), constraint.refTable.name));
      // REFERENCES t without columns means t's primary key.
      const refColumns: (FoldColumn | string)[] = target
        ? constraint.refColumns.length
          ? this.resolveColumns(target, constraint.refColumns)
          : (target.indexes.find((i) => i.kind === 'primary')?.columns ?? [])
        : constraint.refColumns;
      table.foreignKeys.push({
        columns,
        target: target ?? { ...constraint.refTable },
        refColumns: [...refColumns],
        pgName: constraint.name ?? `${table.name}_${constraint.columns.join('_')}_fkey`,
      });
      return;
    }
    let columns = this.resolveColumns(table, constraint.columns);
    if (constraint.usingIndex) {
      // ADD CONSTRAINT ... USING INDEX i: the index becomes the constraint (and takes its name).
      const found = this.indexNames.get(table.schema, constraint.usingIndex);
      if (found?.table === table) {
        columns = found.index.columns;
        this.removeIndex(table, found.index);
      }
    }
    const primary = constraint.kind === 'PrimaryKey';
    if (primary) {
      const existing = table.indexes.find((i) => i.kind === 'primary');
      if (existing) {
        this.diagnostic(statement, `PRIMARY KEY on \`${displayName(table)}\`: the table already has one; the new one replaces it.`);
        this.removeIndex(table, existing);
      }
      // A primary key makes its columns NOT NULL, and they stay so when it is dropped.
      for (const column of columns) {
        if (typeof column === 'string' || column.notNull) continue;
        column.notNull = true;
        column.nullLocation = { ...(nullLocation ?? statement.location) };
      }
    }
    const names = columns.map(columnName);
    const pgName = constraint.name ?? (primary ? `${table.name}_pkey` : `${table.name}_${names.join('_')}_key`);
    this.addIndex(table, {
      kind: primary ? 'primary' : 'unique',
      constraint: true,
      columns,
      ...(constraint.name ? { declaredName: constraint.name } : {}),
      pgName,
    });
  }

  private addIndex(table: FoldTable, index: FoldIndex): void {
    table.indexes.push(index);
    this.indexNames.add({ table, index });
  }

  private removeIndex(table: FoldTable, index: FoldIndex): void {
    table.indexes = table.indexes.filter((i) => i !== index);
    this.indexNames.remove(index);
  }

  private dropTable(table: FoldTable): void {
    table.dropped = true;
    this.tables.delete(keyOf(table.schema, table.name));
    for (const index of table.indexes) this.indexNames.remove(index);
  }

  private alterTable(statement: AlterTable): void {
    let table = this.lookup(statement, statement.table, 'ALTER TABLE', statement.ifExists);
    if (!table) {
      // A table created by an unparsed statement keeps that excuse under its new name.
      const key = keyOf(schemaOf(statement.table), statement.table.name);
      const renamed = statement.actions.find((action) => action.kind === 'RenameTable');
      if (renamed && this.unparsedTables.has(key)) this.unparsedTables.add(keyOf(schemaOf(statement.table), renamed.to));
      return;
    }
    for (const action of statement.actions) {
      if (action.kind === 'RenameTable') {
        table = this.renameTable(table, statement, action.to);
        continue;
      }
      this.alterAction(table, statement, action);
    }
  }

  private renameTable(table: FoldTable, statement: AlterTable, to: string): FoldTable {
    if (to === table.name) return table;
    const key = keyOf(table.schema, to);
    if (this.tables.has(key)) {
      this.diagnostic(statement, `ALTER TABLE \`${displayName(table)}\` RENAME TO \`${to}\`: a table \`${to}\` already exists at this point of the migrations; the rename is ignored.`);
      return table;
    }
    this.tables.delete(keyOf(table.schema, table.name));
    table.name = to;
    table.location = { ...statement.location };
    this.tables.set(key, table);
    return table;
  }

  /** A column a statement names on a table whose columns are unknown: taken to exist. */
  private assumedColumn(table: FoldTable, statement: SqlStatement, name: string): FoldColumn | undefined {
    if (!table.columnsUnknown) return undefined;
    const column = this.unknownColumn(name, statement.location);
    table.columns.set(name, column);
    return column;
  }

  private column(table: FoldTable, statement: SqlStatement, name: string, what: string): FoldColumn | undefined {
    const column = table.columns.get(name) ?? this.assumedColumn(table, statement, name);
    if (!column) {
      this.diagnostic(statement, `${what} \`${displayName(table)}.${name}\`: no such column at this point of the migrations; the action is ignored.`);
    }
    return column;
  }

  private alterAction(table: FoldTable, statement: AlterTable, action: Exclude<AlterTableAction, { kind: 'RenameTable' }>): void {
    switch (action.kind) {
      case 'AddColumn': {
        if (table.columns.has(action.column.name)) {
          if (!action.ifNotExists) {
            this.diagnostic(statement, `ADD COLUMN \`${displayName(table)}.${action.column.name}\`: the column already exists; the action is ignored.`);
          }
          return;
        }
        table.columns.set(action.column.name, this.newColumn(action.column));
        this.inlineConstraints(table, statement, action.column, true);
        return;
      }
      case 'DropColumn': {
        const column = table.columns.get(action.column);
        if (!column) {
          if (!action.ifExists && !table.columnsUnknown) this.column(table, statement, action.column, 'DROP COLUMN');
          return;
        }
        column.dropped = true;
        table.columns.delete(action.column);
        // Indexes and constraints that involve the column go with it.
        for (const index of table.indexes.filter((i) => i.columns.includes(column))) this.removeIndex(table, index);
        table.foreignKeys = table.foreignKeys.filter((fk) => !fk.columns.includes(column));
        return;
      }
      case 'RenameColumn': {
        const column = this.column(table, statement, action.from, 'RENAME COLUMN');
        if (!column) return;
        if (table.columns.has(action.to)) {
          this.diagnostic(statement, `RENAME COLUMN \`${displayName(table)}.${action.from}\` TO \`${action.to}\`: the column \`${action.to}\` already exists; the action is ignored.`);
          return;
        }
        column.name = action.to;
        table.columns = new Map([...table.columns.values()].map((c) => [c.name, c]));
        return;
      }
      case 'SetNotNull':
      case 'DropNotNull': {
        const column = this.column(table, statement, action.column, action.kind === 'SetNotNull' ? 'SET NOT NULL' : 'DROP NOT NULL');
        if (!column) return;
        column.notNull = action.kind === 'SetNotNull';
        column.nullLocation = { ...statement.location };
        return;
      }
      case 'SetColumnType': {
        const column = this.column(table, statement, action.column, 'ALTER COLUMN TYPE');
        if (column) column.type = action.type;
        return;
      }
      case 'AddConstraint':
        this.addConstraint(table, statement, action.constraint);
        return;
      case 'DropConstraint': {
        const index = table.indexes.find((i) => i.constraint && i.pgName === action.name);
        if (index) this.removeIndex(table, index);
        table.foreignKeys = table.foreignKeys.filter((fk) => fk.pgName !== action.name);
        // CHECK and NOT NULL constraints are not tracked: an unknown name is not an error here.
        return;
      }
      case 'RenameConstraint': {
        const index = table.indexes.find((i) => i.constraint && i.pgName === action.from);
        if (index) this.indexNames.rename({ table, index }, action.to);
        for (const fk of table.foreignKeys) if (fk.pgName === action.from) fk.pgName = action.to;
        return;
      }
      case 'EnableRls':
      case 'DisableRls':
      case 'ForceRls':
      case 'NoForceRls': {
        const rls = this.rls(table);
        if (action.kind === 'EnableRls' || action.kind === 'DisableRls') rls.enabled = action.kind === 'EnableRls';
        else rls.forced = action.kind === 'ForceRls';
        rls.location = { ...statement.location };
        return;
      }
    }
  }

  private rls(table: FoldTable): NonNullable<FoldTable['rls']> {
    table.rls ??= { enabled: false, forced: false, policies: new Map() };
    return table.rls;
  }

  private createIndex(statement: CreateIndex): void {
    const table = this.lookup(statement, statement.table, 'CREATE INDEX');
    if (!table) return;
    const columns = this.resolveColumns(table, statement.columns);
    let pgName = statement.name ?? `${table.name}_${statement.columns.map((c) => (/^[A-Za-z_][A-Za-z0-9_$]*$/.test(c) ? c : 'expr')).join('_')}_idx`;
    if (statement.name && this.indexNames.get(table.schema, pgName)) {
      if (!statement.ifNotExists) {
        this.diagnostic(statement, `CREATE INDEX \`${pgName}\`: an index or constraint of that name already exists; the statement is ignored.`);
      }
      return;
    }
    // Postgres numbers a generated name that is taken: t_a_idx, t_a_idx1, ...
    for (let n = 1; this.indexNames.get(table.schema, pgName); n++) pgName = `${pgName.replace(/(?<!\d)\d+$/, '')}${n}`;
    this.addIndex(table, {
      kind: statement.unique ? 'unique' : 'index',
      constraint: false,
      columns,
      ...(statement.name ? { declaredName: statement.name } : {}),
      pgName,
    });
  }

  private createPolicy(statement: CreatePolicy): void {
    const table = this.lookup(statement, statement.table, 'CREATE POLICY');
    if (!table) return;
    this.rls(table).policies.set(statement.name, {
      name: statement.name,
      ...(statement.using !== undefined ? { using: statement.using } : {}),
      ...(statement.check !== undefined ? { check: statement.check } : {}),
      columns: this.resolveColumns(table, statement.columns),
      command: statement.command.toLowerCase(),
      permissive: statement.permissive,
      userColumns: this.resolveColumns(table, statement.userColumns),
      flagColumns: this.resolveColumns(table, statement.flagColumns),
      accessListColumns: this.resolveColumns(table, statement.accessListColumns),
      location: { ...statement.location },
    });
  }

  private toRawTable(table: FoldTable): RawTable {
    const primary = table.indexes.find((i) => i.kind === 'primary');
    const primaryKey = primary ? primary.columns.map(columnName) : [];
    const columns = new Map<string, Column>();
    for (const column of table.columns.values()) {
      columns.set(column.name, {
        name: column.name,
        dbName: column.name,
        type: column.type,
        nullable: !column.notNull && !primaryKey.includes(column.name),
        isList: column.type.endsWith('[]'),
        ...(column.generated ? { generated: true } : {}),
        ...(column.randomSecret ? { randomSecret: true } : {}),
        location: { ...column.nullLocation },
      });
    }
    const relations = new Map<string, Relation>();
    for (const fk of table.foreignKeys) {
      const target = 'columns' in fk.target ? fk.target : undefined;
      // A foreign key to a dropped table or column went with it (DROP ... CASCADE).
      if (target?.dropped || fk.refColumns.some((c) => typeof c !== 'string' && c.dropped)) continue;
      const fields = fk.columns.map((c) => c.name);
      const targetName = target ? displayName(target) : displayName({ schema: schemaOf(fk.target), name: fk.target.name });
      const references = fk.refColumns.length ? fk.refColumns.map(columnName) : (target?.indexes.find((i) => i.kind === 'primary')?.columns.map(columnName) ?? []);
      let key = fields[0] ?? targetName;
      for (let n = 2; relations.has(key); n++) key = `${fields[0]}_${n}`;
      relations.set(key, {
        name: key,
        target: targetName,
        fields,
        references,
        required: fk.columns.every((c) => c.notNull || primaryKey.includes(c.name)),
        isList: false,
      });
    }
    const raw: RawTable = {
      name: displayName(table),
      dbName: displayName(table),
      columns,
      primaryKey,
      uniques: table.indexes
        .filter((i) => i.kind === 'unique')
        .map((i) => {
          const fields = i.columns.map(columnName);
          return { fields, name: i.declaredName ?? fields.join('_') };
        }),
      indexes: table.indexes.filter((i) => i.kind === 'index').map((i) => i.columns.map(columnName)),
      relations,
      location: { ...table.location },
      source: 'sql',
    };
    if (table.columnsUnknown) raw.columnsUnknown = true;
    if (table.view) raw.view = true;
    if (table.rls) raw.rls = this.rlsState(table.rls);
    return raw;
  }

  private rlsState(rls: NonNullable<FoldTable['rls']>): RlsState {
    const state: RlsState = {
      enabled: rls.enabled,
      forced: rls.forced,
      policies: [...rls.policies.values()].map((policy) => ({
        name: policy.name,
        expression: [policy.using !== undefined ? `USING (${policy.using})` : '', policy.check !== undefined ? `WITH CHECK (${policy.check})` : '']
          .filter(Boolean)
          .join(' '),
        columns: policy.columns.map(columnName),
        command: policy.command,
        permissive: policy.permissive,
        userColumns: policy.userColumns.map(columnName),
        flagColumns: policy.flagColumns.map(columnName),
        accessListColumns: policy.accessListColumns.map(columnName),
        location: { ...policy.location },
      })),
    };
    if (rls.location) state.location = { ...rls.location };
    return state;
  }
}

function rank(constraint: TableConstraint): number {
  return constraint.kind === 'PrimaryKey' ? 0 : constraint.kind === 'Unique' ? 1 : 2;
}

/** Folds statements (in apply order) into tables. */
export function foldStatements(statements: Iterable<SqlStatement>): { tables: RawTable[]; diagnostics: SchemaDiagnostic[] } {
  const fold = new SchemaFold();
  for (const statement of statements) fold.apply(statement);
  return { tables: fold.result(), diagnostics: fold.diagnostics };
}
