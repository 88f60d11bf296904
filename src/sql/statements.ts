/**
 * The project's own small model of SQL statements: what the schema fold and the rules need,
 * whichever parser (libpg-query or pgsql-ast-parser) produced the tree.
 *
 * Names are as Postgres resolves them: unquoted identifiers lower-cased, quoted ones kept as written,
 * the schema qualifier (`public`, `auth`, ...) split off into `schema`.
 */
import type { SourceLocation } from '../core/schema.js';

export interface QualifiedName {
  /** The schema as written (`public`, `auth`); absent when unqualified. */
  schema?: string;
  name: string;
}

export type SqlParserName = 'libpg-query' | 'pgsql-ast-parser';

export interface ColumnDefinition {
  name: string;
  /** Canonical type text: `integer`, `varchar(255)`, `timestamptz(3)`, `Role` (an enum), `text[]`. */
  type: string;
  /** NOT NULL, an identity column, or a serial type. */
  notNull: boolean;
  primaryKey: boolean;
  unique: boolean;
  /** `DEFAULT gen_random_uuid()`, `DEFAULT uuid_generate_v4()`, `DEFAULT nanoid()`: a generated identifier. */
  generated?: boolean;
  /** `DEFAULT encode(gen_random_bytes(32), 'hex')`: the database fills it with random bytes, a secret (see Column.randomSecret). */
  randomSecret?: boolean;
  /** `REFERENCES t (c)`; `column` is absent when the referenced table's primary key is meant. */
  references?: { table: QualifiedName; column?: string };
  location: SourceLocation;
}

export type TableConstraint =
  | { kind: 'PrimaryKey'; columns: string[]; name?: string; /** `... PRIMARY KEY USING INDEX i` */ usingIndex?: string }
  | { kind: 'Unique'; columns: string[]; name?: string; usingIndex?: string }
  | { kind: 'ForeignKey'; columns: string[]; refTable: QualifiedName; refColumns: string[]; name?: string };

export type AlterTableAction =
  | { kind: 'AddColumn'; column: ColumnDefinition; ifNotExists: boolean }
  | { kind: 'DropColumn'; column: string; ifExists: boolean }
  | { kind: 'RenameColumn'; from: string; to: string }
  | { kind: 'SetNotNull'; column: string }
  | { kind: 'DropNotNull'; column: string }
  | { kind: 'SetColumnType'; column: string; type: string }
  | { kind: 'AddConstraint'; constraint: TableConstraint }
  | { kind: 'DropConstraint'; name: string; ifExists: boolean }
  | { kind: 'RenameConstraint'; from: string; to: string }
  | { kind: 'RenameTable'; to: string }
  | { kind: 'EnableRls' }
  | { kind: 'ForceRls' }
  | { kind: 'DisableRls' }
  | { kind: 'NoForceRls' };

interface StatementBase {
  /** Where the statement's first keyword is. */
  location: SourceLocation;
  /** The statement text, comments blanked, without its `;`. */
  text: string;
  parser: SqlParserName;
}

export interface CreateTable extends StatementBase {
  kind: 'CreateTable';
  table: QualifiedName;
  ifNotExists: boolean;
  columns: ColumnDefinition[];
  constraints: TableConstraint[];
}

/**
 * `CREATE TABLE t AS SELECT ...`, `SELECT ... INTO t`, `CREATE MATERIALIZED VIEW v AS ...`: a relation
 * whose columns come from a query the fold does not evaluate.
 */
export interface CreateTableAs extends StatementBase {
  kind: 'CreateTableAs';
  table: QualifiedName;
  /** A materialized view is a relation later statements index and refresh, not a table of its own rows. */
  relation: 'table' | 'materializedView';
  /** Column names written after the name (`CREATE TABLE t (a, b) AS ...`); usually empty. */
  columns: string[];
  ifNotExists: boolean;
}

/**
 * `CREATE [OR REPLACE] VIEW v AS SELECT ...`: a relation whose columns are the select's; where the
 * select names a column of a table it reads (`i.org_id`, `org_id`, `i.*`), the view has that column.
 */
export interface CreateView extends StatementBase {
  kind: 'CreateView';
  table: QualifiedName;
  replace: boolean;
  ifNotExists: false;
  /** `WITH (security_invoker = true)`: the tables' row-level security applies to who reads the view. */
  securityInvoker: boolean;
  /** Column names written after the view's name (`CREATE VIEW v (a, b) AS ...`). */
  aliases: string[];
  /** Tables of the FROM clause (through joins), by the name the select uses for them. */
  sources: { table: QualifiedName; alias: string }[];
  columns: ViewColumn[];
}

export type ViewColumn =
  | { kind: 'column'; name: string; source?: string; column: string }
  | { kind: 'star'; source?: string }
  | { kind: 'computed'; name?: string };

export interface AlterTable extends StatementBase {
  kind: 'AlterTable';
  table: QualifiedName;
  /** `ALTER TABLE IF EXISTS`: a missing table is not an error. */
  ifExists: boolean;
  actions: AlterTableAction[];
}

export interface CreateIndex extends StatementBase {
  kind: 'CreateIndex';
  name?: string;
  table: QualifiedName;
  /** Column names; an expression (`lower(email)`) is its source text. */
  columns: string[];
  unique: boolean;
  ifNotExists: boolean;
}

export interface DropIndex extends StatementBase {
  kind: 'DropIndex';
  names: QualifiedName[];
  ifExists: boolean;
}

export interface RenameIndex extends StatementBase {
  kind: 'RenameIndex';
  index: QualifiedName;
  to: string;
}

export interface DropTable extends StatementBase {
  kind: 'DropTable';
  tables: QualifiedName[];
  ifExists: boolean;
  /** `DROP MATERIALIZED VIEW`, `DROP VIEW`: absent for `DROP TABLE`. */
  relation?: 'materializedView' | 'view';
}

export interface CreatePolicy extends StatementBase {
  kind: 'CreatePolicy';
  name: string;
  table: QualifiedName;
  /** `all`, `select`, `insert`, `update`, `delete`. */
  command: string;
  /** USING expression, as written. */
  using?: string;
  /** WITH CHECK expression, as written. */
  check?: string;
  /** Columns of the table the expressions reference (not those of subqueries on other tables). */
  columns: string[];
  /** PERMISSIVE (the default: policies of one command are OR-ed) or RESTRICTIVE (AND-ed). */
  permissive: boolean;
  /** Columns the policy pins to the signed-in user (`user_id = auth.uid()`): each row visible to its owner only. */
  userColumns: string[];
  /** Columns compared with a constant (`sharing <> 'private'`, `is_public`): rows the schema publishes by a flag. */
  flagColumns: string[];
  /** Columns compared with a list the session alone computes (`id = ANY(my_readable_ids())`): the caller's access list. */
  accessListColumns: string[];
}

export interface DropPolicy extends StatementBase {
  kind: 'DropPolicy';
  name: string;
  table: QualifiedName;
  ifExists: boolean;
}

export interface OtherStatement extends StatementBase {
  kind: 'Other';
  /** What it is, in PascalCase (`Insert`, `CreateFunction`, `Grant`, ...). */
  other: string;
}

/**
 * A statement no parser accepted (reported once, as a diagnostic). Kept in order so that the fold can
 * stay quiet about the table it would have created instead of reporting every later statement on it.
 */
export interface UnparsedStatement extends Omit<StatementBase, 'parser'> {
  kind: 'Unparsed';
  /** The table a `CREATE TABLE` would have created, read from its first words. */
  creates?: QualifiedName;
}

export type SqlStatement =
  | UnparsedStatement
  | CreateTable
  | CreateTableAs
  | CreateView
  | AlterTable
  | CreateIndex
  | DropIndex
  | RenameIndex
  | DropTable
  | CreatePolicy
  | DropPolicy
  | OtherStatement;

/** `schema.name` as written, `name` when unqualified. */
export function qualifiedText(name: QualifiedName): string {
  return name.schema ? `${name.schema}.${name.name}` : name.name;
}

const TYPE_ALIASES: Record<string, string> = {
  int: 'integer',
  int4: 'integer',
  integer: 'integer',
  int8: 'bigint',
  bigint: 'bigint',
  int2: 'smallint',
  smallint: 'smallint',
  serial4: 'serial',
  serial8: 'bigserial',
  serial2: 'smallserial',
  float8: 'double precision',
  'double precision': 'double precision',
  float4: 'real',
  real: 'real',
  bool: 'boolean',
  boolean: 'boolean',
  'character varying': 'varchar',
  varchar: 'varchar',
  bpchar: 'char',
  character: 'char',
  char: 'char',
  decimal: 'numeric',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  timetz: 'timetz',
  'time with time zone': 'timetz',
  'time without time zone': 'time',
  varbit: 'varbit',
  'bit varying': 'varbit',
};

/**
 * One spelling per type whichever parser read it: libpg-query says `pg_catalog.int4`, pgsql-ast-parser
 * `integer`; both become `integer`. Modifiers and array brackets are kept (`varchar(255)`, `text[]`).
 */
export function canonicalType(base: { schema?: string; name: string; quoted: boolean }, modifiers: number[], arrayDepth: number): string {
  const builtin = !base.quoted && (base.schema === undefined || base.schema === 'pg_catalog');
  const name = builtin ? (TYPE_ALIASES[base.name.toLowerCase()] ?? base.name.toLowerCase()) : base.name;
  const schema = base.schema && base.schema !== 'pg_catalog' && base.schema !== 'public' ? `${base.schema}.` : '';
  const mods = modifiers.length && name !== 'interval' ? `(${modifiers.join(',')})` : '';
  return `${schema}${name}${mods}${'[]'.repeat(arrayDepth)}`;
}

/** Serial types and identity columns are NOT NULL without saying so. */
export function impliesNotNull(type: string): boolean {
  return /^(small|big)?serial\b/.test(type);
}
