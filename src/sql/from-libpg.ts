/** libpg-query's tree (Postgres's own parse nodes) -> the statement model. */
import type {
  AlterTableCmd,
  AlterTableStmt,
  ColumnDef,
  Constraint,
  CreatePolicyStmt,
  CreateStmt,
  CreateTableAsStmt,
  IntoClause,
  DropStmt,
  IndexStmt,
  Node,
  RangeVar,
  RenameStmt,
  TypeName,
  ViewStmt,
} from 'libpg-query';
import type { AlterTableAction, ColumnDefinition, QualifiedName, SqlStatement, TableConstraint, ViewColumn } from './statements.js';
import { canonicalType, impliesNotNull } from './statements.js';
import type { ConvertContext } from './convert-context.js';
import { groupAfterKeyword, nextOpenParen, parenGroup, splitTopLevel, stripIndexElementOptions } from './text.js';

function strings(nodes: Node[] | undefined): string[] {
  const out: string[] = [];
  for (const node of nodes ?? []) if ('String' in node && node.String.sval !== undefined) out.push(node.String.sval);
  return out;
}

function qname(relation: RangeVar | undefined): QualifiedName {
  const name = relation?.relname ?? '';
  return relation?.schemaname ? { schema: relation.schemaname, name } : { name };
}

/** `[schema, name]` or `[name]` as a qualified name (DROP objects, index names). */
function listName(node: Node): QualifiedName | undefined {
  const parts = 'List' in node ? strings(node.List.items) : 'String' in node ? strings([node]) : [];
  const name = parts[parts.length - 1];
  if (name === undefined) return undefined;
  return parts.length > 1 ? { schema: parts[parts.length - 2], name } : { name };
}

function typeText(typeName: TypeName | undefined): string {
  const names = strings(typeName?.names);
  const name = names[names.length - 1] ?? 'unknown';
  const schema = names.length > 1 ? names[names.length - 2] : undefined;
  const modifiers: number[] = [];
  for (const mod of typeName?.typmods ?? []) {
    if ('A_Const' in mod && mod.A_Const.ival) modifiers.push(mod.A_Const.ival.ival ?? 0);
  }
  // libpg-query does not say whether a type name was quoted; a name Postgres would have folded was.
  const quoted = /[^a-z0-9_ ]/.test(name);
  return canonicalType({ schema, name, quoted }, modifiers, typeName?.arrayBounds?.length ?? 0);
}

function column(def: ColumnDef, ctx: ConvertContext): ColumnDefinition {
  const type = typeText(def.typeName);
  const result: ColumnDefinition = {
    name: def.colname ?? '',
    type,
    notNull: def.is_not_null === true || impliesNotNull(type),
    primaryKey: false,
    unique: false,
    location: ctx.at(def.location, true),
  };
  for (const node of def.constraints ?? []) {
    if (!('Constraint' in node)) continue;
    const constraint = node.Constraint;
    switch (constraint.contype) {
      case 'CONSTR_NOTNULL':
      case 'CONSTR_IDENTITY':
        result.notNull = true;
        break;
      case 'CONSTR_NULL':
        result.notNull = false;
        break;
      case 'CONSTR_PRIMARY':
        result.primaryKey = true;
        break;
      case 'CONSTR_UNIQUE':
        result.unique = true;
        break;
      case 'CONSTR_DEFAULT':
        if (generatorCall(constraint.raw_expr)) result.generated = true;
        if (randomBytesCall(constraint.raw_expr)) result.randomSecret = true;
        break;
      case 'CONSTR_FOREIGN': {
        const refColumn = strings(constraint.pk_attrs)[0];
        result.references = refColumn === undefined ? { table: qname(constraint.pktable) } : { table: qname(constraint.pktable), column: refColumn };
        break;
      }
      default:
        break;
    }
  }
  return result;
}

/** A default that calls an id generator (`gen_random_uuid()`, `extensions.uuid_generate_v4()`, `nanoid()`), possibly cast. */
function generatorCall(expr: unknown): boolean {
  let node: unknown = expr;
  for (let depth = 0; depth < 4 && node && typeof node === 'object'; depth++) {
    const record = node as Record<string, unknown>;
    if ('TypeCast' in record) {
      node = (record.TypeCast as Record<string, unknown>).arg;
      continue;
    }
    if (!('FuncCall' in record)) return false;
    const names = ((record.FuncCall as { funcname?: { String?: { sval?: string } }[] }).funcname ?? []).map((n) => n.String?.sval ?? '');
    return /^(gen_random_uuid|uuid_generate_v[1-7]|uuidv[47]|nanoid|cuid2?|ulid|generate_ulid|gen_ulid)$/i.test(names[names.length - 1] ?? '');
  }
  return false;
}

/**
 * A default drawn from random bytes (`encode(extensions.gen_random_bytes(128), 'hex')`, capgo's
 * `tmp_users.invite_magic_string`): a secret the row is handed, not an identifier. A column default is a
 * small expression, so its parse tree is searched as text.
 */
function randomBytesCall(expr: unknown): boolean {
  return /"sval":"(gen_random_bytes|random_bytes)"/i.test(JSON.stringify(expr ?? null));
}

function tableConstraint(constraint: Constraint): TableConstraint | undefined {
  const name = constraint.conname ? { name: constraint.conname } : {};
  const usingIndex = constraint.indexname ? { usingIndex: constraint.indexname } : {};
  switch (constraint.contype) {
    case 'CONSTR_PRIMARY':
      return { kind: 'PrimaryKey', columns: strings(constraint.keys), ...name, ...usingIndex };
    case 'CONSTR_UNIQUE':
      return { kind: 'Unique', columns: strings(constraint.keys), ...name, ...usingIndex };
    case 'CONSTR_FOREIGN':
      return {
        kind: 'ForeignKey',
        columns: strings(constraint.fk_attrs),
        refTable: qname(constraint.pktable),
        refColumns: strings(constraint.pk_attrs),
        ...name,
      };
    default:
      return undefined;
  }
}

function createTable(stmt: CreateStmt, ctx: ConvertContext): SqlStatement {
  // `CREATE TABLE readings_p0 PARTITION OF readings ...` is storage of its parent, which the schema
  // rules judge: known to later statements like a table created from a query, never judged itself.
  if (stmt.partbound) return { kind: 'CreateTableAs', table: qname(stmt.relation), relation: 'table', columns: [], ifNotExists: stmt.if_not_exists === true, ...ctx.base('libpg-query') };
  const columns: ColumnDefinition[] = [];
  const constraints: TableConstraint[] = [];
  for (const element of stmt.tableElts ?? []) {
    if ('ColumnDef' in element) columns.push(column(element.ColumnDef, ctx));
    else if ('Constraint' in element) {
      const constraint = tableConstraint(element.Constraint);
      if (constraint) constraints.push(constraint);
    }
  }
  return { kind: 'CreateTable', table: qname(stmt.relation), ifNotExists: stmt.if_not_exists === true, columns, constraints, ...ctx.base('libpg-query') };
}

/** `CREATE TABLE ... AS`, `CREATE MATERIALIZED VIEW ... AS`, `SELECT ... INTO t`. */
function createTableAs(into: IntoClause | undefined, materialized: boolean, ifNotExists: boolean, ctx: ConvertContext): SqlStatement {
  return {
    kind: 'CreateTableAs',
    table: qname(into?.rel),
    relation: materialized ? 'materializedView' : 'table',
    columns: strings(into?.colNames),
    ifNotExists,
    ...ctx.base('libpg-query'),
  };
}

function createTableAsStmt(stmt: CreateTableAsStmt, ctx: ConvertContext): SqlStatement {
  if (stmt.objtype !== undefined && stmt.objtype !== 'OBJECT_TABLE' && stmt.objtype !== 'OBJECT_MATVIEW') return other('CreateTableAs', ctx);
  return createTableAs(stmt.into, stmt.objtype === 'OBJECT_MATVIEW', stmt.if_not_exists === true, ctx);
}

function createView(stmt: ViewStmt, ctx: ConvertContext): SqlStatement {
  const select = stmt.query && 'SelectStmt' in stmt.query ? stmt.query.SelectStmt : undefined;
  const sources: { table: QualifiedName; alias: string }[] = [];
  const from = (node: unknown, depth: number): void => {
    if (depth > 32) return;
    const range = obj(node, 'RangeVar') as RangeVar | undefined;
    if (range) {
      sources.push({ table: qname(range), alias: range.alias?.aliasname ?? range.relname ?? '' });
      return;
    }
    const join = obj(node, 'JoinExpr');
    if (join) {
      from(obj(join, 'larg'), depth + 1);
      from(obj(join, 'rarg'), depth + 1);
    }
  };
  // A UNION or VALUES has no single FROM: its columns are computed.
  const simple = select !== undefined && select.op !== 'SETOP_UNION' && select.op !== 'SETOP_INTERSECT' && select.op !== 'SETOP_EXCEPT';
  if (simple) for (const node of select.fromClause ?? []) from(node, 0);
  const columns: ViewColumn[] = [];
  for (const target of simple ? (select.targetList ?? []) : []) {
    const res = obj(target, 'ResTarget') as { name?: string; val?: unknown } | undefined;
    const fields = obj(obj(res?.val, 'ColumnRef'), 'fields');
    const parts = Array.isArray(fields) ? fields : [];
    const last = parts[parts.length - 1];
    const names = svals(parts.slice(0, -1));
    const source = names.length > 0 && names.every((n): n is string => typeof n === 'string') ? names[names.length - 1] : undefined;
    if (last !== undefined && obj(last, 'A_Star') !== undefined) columns.push({ kind: 'star', ...(source !== undefined ? { source } : {}) });
    else {
      const column = obj(obj(last, 'String'), 'sval');
      if (typeof column === 'string') columns.push({ kind: 'column', name: res?.name ?? column, column, ...(source !== undefined ? { source } : {}) });
      else columns.push({ kind: 'computed', ...(res?.name !== undefined ? { name: res.name } : {}) });
    }
  }
  const securityInvoker = (stmt.options ?? []).some((option) => {
    const def = obj(option, 'DefElem');
    if (obj(def, 'defname') !== 'security_invoker') return false;
    const arg = obj(def, 'arg');
    const text = String(obj(obj(arg, 'String'), 'sval') ?? obj(obj(arg, 'Boolean'), 'boolval') ?? obj(obj(arg, 'Integer'), 'ival') ?? 'true').toLowerCase();
    return !['false', 'off', '0', 'no'].includes(text);
  });
  return {
    kind: 'CreateView',
    table: qname(stmt.view),
    replace: stmt.replace === true,
    ifNotExists: false,
    securityInvoker,
    aliases: strings(stmt.aliases),
    sources,
    columns,
    ...ctx.base('libpg-query'),
  };
}

function alterAction(cmd: AlterTableCmd, ctx: ConvertContext): AlterTableAction | undefined {
  const name = cmd.name ?? '';
  const def = cmd.def;
  switch (cmd.subtype) {
    case 'AT_AddColumn':
      return def && 'ColumnDef' in def ? { kind: 'AddColumn', column: column(def.ColumnDef, ctx), ifNotExists: cmd.missing_ok === true } : undefined;
    case 'AT_DropColumn':
      return { kind: 'DropColumn', column: name, ifExists: cmd.missing_ok === true };
    case 'AT_SetNotNull':
      return { kind: 'SetNotNull', column: name };
    case 'AT_DropNotNull':
      return { kind: 'DropNotNull', column: name };
    case 'AT_AlterColumnType':
      return def && 'ColumnDef' in def ? { kind: 'SetColumnType', column: name, type: typeText(def.ColumnDef.typeName) } : undefined;
    case 'AT_AddConstraint':
    case 'AT_AddIndexConstraint': {
      const constraint = def && 'Constraint' in def ? tableConstraint(def.Constraint) : undefined;
      return constraint ? { kind: 'AddConstraint', constraint } : undefined;
    }
    case 'AT_DropConstraint':
      return { kind: 'DropConstraint', name, ifExists: cmd.missing_ok === true };
    case 'AT_EnableRowSecurity':
      return { kind: 'EnableRls' };
    case 'AT_DisableRowSecurity':
      return { kind: 'DisableRls' };
    case 'AT_ForceRowSecurity':
      return { kind: 'ForceRls' };
    case 'AT_NoForceRowSecurity':
      return { kind: 'NoForceRls' };
    default:
      return undefined;
  }
}

function alterTable(stmt: AlterTableStmt, ctx: ConvertContext): SqlStatement {
  if (stmt.objtype !== undefined && stmt.objtype !== 'OBJECT_TABLE') return other(`Alter${pascal(stmt.objtype)}`, ctx);
  const actions: AlterTableAction[] = [];
  for (const node of stmt.cmds ?? []) {
    const action = 'AlterTableCmd' in node ? alterAction(node.AlterTableCmd, ctx) : undefined;
    if (action) actions.push(action);
  }
  return { kind: 'AlterTable', table: qname(stmt.relation), ifExists: stmt.missing_ok === true, actions, ...ctx.base('libpg-query') };
}

function rename(stmt: RenameStmt, ctx: ConvertContext): SqlStatement {
  const table = qname(stmt.relation);
  const ifExists = stmt.missing_ok === true;
  const to = stmt.newname ?? '';
  const alter = (action: AlterTableAction): SqlStatement => ({ kind: 'AlterTable', table, ifExists, actions: [action], ...ctx.base('libpg-query') });
  switch (stmt.renameType) {
    case 'OBJECT_TABLE':
      return alter({ kind: 'RenameTable', to });
    case 'OBJECT_COLUMN':
      return stmt.relationType === 'OBJECT_TABLE' ? alter({ kind: 'RenameColumn', from: stmt.subname ?? '', to }) : other('RenameColumn', ctx);
    case 'OBJECT_TABCONSTRAINT':
      return alter({ kind: 'RenameConstraint', from: stmt.subname ?? '', to });
    case 'OBJECT_INDEX':
      return { kind: 'RenameIndex', index: table, to, ...ctx.base('libpg-query') };
    default:
      return other(`Rename${pascal(stmt.renameType ?? '')}`, ctx);
  }
}

function createIndex(stmt: IndexStmt, ctx: ConvertContext): SqlStatement {
  // Expressions are kept as written: the parenthesised list that follows the table name.
  const afterTable = stmt.relation?.location === undefined ? 0 : ctx.index(stmt.relation.location);
  const open = nextOpenParen(ctx.text, afterTable);
  const written = open >= 0 ? splitTopLevel(parenGroup(ctx.text, open)?.inner ?? '') : [];
  const columns = (stmt.indexParams ?? []).map((node, i) => {
    const element = 'IndexElem' in node ? node.IndexElem : undefined;
    return element?.name ?? stripIndexElementOptions(written[i] ?? '?');
  });
  return {
    kind: 'CreateIndex',
    ...(stmt.idxname ? { name: stmt.idxname } : {}),
    table: qname(stmt.relation),
    columns,
    unique: stmt.unique === true,
    ifNotExists: stmt.if_not_exists === true,
    ...ctx.base('libpg-query'),
  };
}

function drop(stmt: DropStmt, ctx: ConvertContext): SqlStatement {
  const names: QualifiedName[] = [];
  for (const node of stmt.objects ?? []) {
    const name = listName(node);
    if (name) names.push(name);
  }
  const ifExists = stmt.missing_ok === true;
  switch (stmt.removeType) {
    case 'OBJECT_TABLE':
      return { kind: 'DropTable', tables: names, ifExists, ...ctx.base('libpg-query') };
    case 'OBJECT_MATVIEW':
      return { kind: 'DropTable', tables: names, ifExists, relation: 'materializedView', ...ctx.base('libpg-query') };
    case 'OBJECT_VIEW':
      return { kind: 'DropTable', tables: names, ifExists, relation: 'view', ...ctx.base('libpg-query') };
    case 'OBJECT_INDEX':
      return { kind: 'DropIndex', names, ifExists, ...ctx.base('libpg-query') };
    case 'OBJECT_POLICY': {
      // DROP POLICY p ON s.t: one object, the table's name parts followed by the policy's.
      const first = stmt.objects?.[0];
      const parts = first && 'List' in first ? strings(first.List.items) : [];
      const name = parts.pop() ?? '';
      const tableName = parts.pop() ?? '';
      const table = parts.length ? { schema: parts[parts.length - 1], name: tableName } : { name: tableName };
      return { kind: 'DropPolicy', name, table, ifExists, ...ctx.base('libpg-query') };
    }
    default:
      return other(`Drop${pascal(stmt.removeType ?? '')}`, ctx);
  }
}

/** Columns of `table` a subquery names with the table's own name (`child.parent_id`). */
function correlatedRefs(value: unknown, table: QualifiedName, out: Set<string>, depth: number): void {
  if (depth > 64 || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) correlatedRefs(item, table, out, depth + 1);
    return;
  }
  const names = svals(obj(obj(value, 'ColumnRef'), 'fields'));
  if (names.length > 1 && names.every((n): n is string => typeof n === 'string') && names[names.length - 2] === table.name) {
    out.add(names[names.length - 1] as string);
    return;
  }
  for (const child of Object.values(value)) correlatedRefs(child, table, out, depth + 1);
}

/**
 * Column references of an expression; a subquery contributes its left-hand side (`x IN (SELECT ...)`)
 * and the row's columns it correlates on by the table's name.
 */
function columnRefs(value: unknown, table: QualifiedName, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) columnRefs(item, table, out);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'ColumnRef') {
      const fields: unknown = typeof child === 'object' && child !== null ? Reflect.get(child, 'fields') : undefined;
      const parts = Array.isArray(fields) ? fields.map((f: unknown) => (typeof f === 'object' && f !== null ? Reflect.get(f, 'String') : undefined)) : [];
      const names = parts.map((p: unknown) => (typeof p === 'object' && p !== null ? Reflect.get(p, 'sval') : undefined));
      if (!names.every((n): n is string => typeof n === 'string')) continue;
      const qualifier = names.length > 1 ? names[names.length - 2] : undefined;
      const name = names[names.length - 1];
      if (name !== undefined && (qualifier === undefined || qualifier === table.name)) out.add(name);
      continue;
    }
    if (key === 'SubLink') {
      const testexpr: unknown = typeof child === 'object' && child !== null ? Reflect.get(child, 'testexpr') : undefined;
      columnRefs(testexpr, table, out);
      // `EXISTS (SELECT 1 FROM parent p WHERE p.id = child.parent_id)`: the row's own columns the
      // subquery correlates on, named with the table's name (an unqualified name there may be the
      // inner table's). The subquery reads the parent under the parent's own policies.
      correlatedRefs(typeof child === 'object' && child !== null ? Reflect.get(child, 'subselect') : undefined, table, out, 0);
      continue;
    }
    columnRefs(child, table, out);
  }
}

function createPolicy(stmt: CreatePolicyStmt, ctx: ConvertContext): SqlStatement {
  const table = qname(stmt.table);
  const columns = new Set<string>();
  columnRefs(stmt.qual, table, columns);
  columnRefs(stmt.with_check, table, columns);
  const using = stmt.qual ? groupAfterKeyword(ctx.text, /USING\s*\(/i) : undefined;
  const check = stmt.with_check ? groupAfterKeyword(ctx.text, /WITH\s+CHECK\s*\(/i) : undefined;
  return {
    kind: 'CreatePolicy',
    name: stmt.policy_name ?? '',
    table,
    command: stmt.cmd_name ?? 'all',
    ...(using !== undefined ? { using } : {}),
    ...(check !== undefined ? { check } : {}),
    columns: [...columns],
    // The parse tree omits false fields: RESTRICTIVE has no `permissive`.
    permissive: stmt.permissive === true,
    userColumns: [...comparedColumns([stmt.qual, stmt.with_check], table, isSignedInUser)],
    flagColumns: [...comparedColumns([stmt.qual, stmt.with_check], table, isConstant)],
    accessListColumns: [...comparedColumns([stmt.qual, stmt.with_check], table, isSessionList)],
    ...ctx.base('libpg-query'),
  };
}

const obj = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined);
const svals = (list: unknown): unknown[] => (Array.isArray(list) ? list.map((item) => obj(obj(item, 'String'), 'sval')) : []);

/** The table column an operand names (`user_id`, `chats.user_id`), if it is one. */
function ownColumn(node: unknown, table: QualifiedName): string | undefined {
  const cast = obj(obj(node, 'TypeCast'), 'arg');
  if (cast !== undefined) return ownColumn(cast, table);
  const names = svals(obj(obj(node, 'ColumnRef'), 'fields'));
  if (names.length === 0 || !names.every((n): n is string => typeof n === 'string')) return undefined;
  const qualifier = names.length > 1 ? names[names.length - 2] : undefined;
  return qualifier === undefined || qualifier === table.name ? names[names.length - 1] : undefined;
}

/**
 * An operand that is the signed-in user's id as the database knows it from the request's JWT:
 * Supabase's `auth.uid()` and `auth.jwt() ->> 'sub'`, PostgREST's
 * `current_setting('request.jwt.claim.sub')`, possibly wrapped in `(select ...)` or a cast.
 */
function isSignedInUser(node: unknown): boolean {
  let found = false;
  const visit = (value: unknown, depth: number): void => {
    if (found || depth > 12 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) return value.forEach((v) => visit(v, depth + 1));
    const call = obj(value, 'FuncCall');
    if (call !== undefined) {
      const name = svals(obj(call, 'funcname')).join('.');
      if (name === 'auth.uid' || name === 'auth.jwt') found = true;
      if (name === 'current_setting' || name === 'pg_catalog.current_setting') {
        const arg = obj(obj(obj((obj(call, 'args') as unknown[] | undefined)?.[0], 'A_Const'), 'sval'), 'sval');
        if (typeof arg === 'string' && /^request\.jwt\.claim/.test(arg)) found = true;
      }
    }
    for (const child of Object.values(value)) visit(child, depth + 1);
  };
  visit(node, 0);
  return found;
}

/**
 * A list (or value) computed from the session alone: a function call with no column of any row in
 * it (`channel_readable_channel_ids()`, `(SELECT my_org_ids())`, `COALESCE(get_user_orgs(), '{}')`):
 * the caller's access list, as a membership function returns it.
 */
function isSessionList(node: unknown): boolean {
  let call = false;
  let column = false;
  const visit = (value: unknown, depth: number): void => {
    if (column || depth > 24 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) return value.forEach((v) => visit(v, depth + 1));
    if (obj(value, 'ColumnRef') !== undefined) column = true;
    if (obj(value, 'FuncCall') !== undefined) call = true;
    for (const child of Object.values(value)) visit(child, depth + 1);
  };
  visit(node, 0);
  return call && !column;
}

/** A literal (`'private'`, `true`), possibly cast. */
function isConstant(node: unknown): boolean {
  if (obj(node, 'A_Const') !== undefined) return true;
  const cast = obj(node, 'TypeCast');
  return cast !== undefined && obj(obj(cast, 'arg'), 'A_Const') !== undefined;
}

/** Columns of the table compared (=, <>, IS) with an operand `other` accepts, anywhere in the expressions. */
function comparedColumns(expressions: unknown[], table: QualifiedName, other: (node: unknown) => boolean): Set<string> {
  const out = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > 64 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) return value.forEach((v) => visit(v, depth + 1));
    const expr = obj(value, 'A_Expr');
    // `col IN (SELECT my_ids())`: the column against the subquery.
    const sublink = obj(value, 'SubLink');
    if (sublink !== undefined && obj(sublink, 'subLinkType') === 'ANY_SUBLINK') {
      const column = ownColumn(obj(sublink, 'testexpr'), table);
      if (column !== undefined && other(obj(sublink, 'subselect'))) out.add(column);
    }
    const operator = svals(obj(expr, 'name')).join('');
    // An access list is matched for equality (`=`, `= ANY`); `created_at > now()` is not one.
    if (expr !== undefined && (obj(expr, 'kind') === 'AEXPR_OP' || obj(expr, 'kind') === 'AEXPR_OP_ANY') && (other !== isSessionList || operator === '=')) {
      const left = obj(expr, 'lexpr');
      const right = obj(expr, 'rexpr');
      for (const [column, operand] of [[ownColumn(left, table), right], [ownColumn(right, table), left]] as const) {
        if (column !== undefined && other(operand)) out.add(column);
      }
    }
    // A boolean column on its own (`USING (is_public)`, `is_public OR ...`) is a flag too.
    if (other === isConstant) {
      const args = obj(obj(value, 'BoolExpr'), 'args');
      for (const arg of Array.isArray(args) ? args : []) {
        const column = ownColumn(arg, table);
        if (column !== undefined) out.add(column);
      }
    }
    if (obj(value, 'SubLink') !== undefined) return;
    for (const child of Object.values(value)) visit(child, depth + 1);
  };
  for (const expression of expressions) {
    const column = other === isConstant ? ownColumn(expression, table) : undefined;
    if (column !== undefined) out.add(column);
    visit(expression, 0);
  }
  return out;
}

function pascal(text: string): string {
  return text
    .replace(/^OBJECT_/, '')
    .toLowerCase()
    .split(/[_\s]+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

function other(kind: string, ctx: ConvertContext): SqlStatement {
  return { kind: 'Other', other: kind, ...ctx.base('libpg-query') };
}

/** One libpg-query statement node in the model. */
export function fromLibpg(node: Node, ctx: ConvertContext): SqlStatement {
  if ('CreateStmt' in node) return createTable(node.CreateStmt, ctx);
  if ('AlterTableStmt' in node) return alterTable(node.AlterTableStmt, ctx);
  if ('RenameStmt' in node) return rename(node.RenameStmt, ctx);
  if ('IndexStmt' in node) return createIndex(node.IndexStmt, ctx);
  if ('DropStmt' in node) return drop(node.DropStmt, ctx);
  if ('CreatePolicyStmt' in node) return createPolicy(node.CreatePolicyStmt, ctx);
  if ('CreateTableAsStmt' in node) return createTableAsStmt(node.CreateTableAsStmt, ctx);
  if ('ViewStmt' in node) return createView(node.ViewStmt, ctx);
  if ('SelectStmt' in node && node.SelectStmt.intoClause) return createTableAs(node.SelectStmt.intoClause, false, false, ctx);
  const key = Object.keys(node)[0] ?? 'Unknown';
  return other(key.replace(/Stmt$/, ''), ctx);
}
