import { libpgReady, libpgUnavailableReason, parseSync } from './libpg.js';
import { checkBudget } from '../scan/budget.js';

/**
 * Query analysis for raw SQL: which tables a statement reads or writes, and whether each one is
 * constrained to a tenant — by a predicate on its tenant key (`t.org_id = $1`, `IN`, `= ANY`), or
 * by an equi-join on the tenant key (or, for a child table, on its parent key) to a table that is.
 * Works on libpg-query's tree (Postgres's own grammar).
 */

/** What the analysis needs to know of a table, in database names. */
export interface SqlTableInfo {
  class: 'tenant' | 'child' | 'global' | 'unclassified';
  /** Tenant key columns (`org_id`). */
  tenantColumns: string[];
  /** For child tables: joins that reach the parent (`invoice_id` -> invoices.id). */
  parents: { column: string; table: string; parentColumn: string }[];
  /** Single-column foreign keys to tables of tenant data (`task_id` -> tasks.id), whatever the class. */
  references?: { column: string; table: string; parentColumn: string }[];
}

export type SqlTableLookup = (name: string) => SqlTableInfo | undefined;

export interface TableUse {
  /** Table name as written (lower-cased unless quoted), without `public.`. */
  table: string;
  alias: string;
  /** Byte offset of the table name in the SQL text. */
  location: number;
  info: SqlTableInfo | undefined;
  constrained: boolean;
  /** How it is constrained, for evidence. */
  via?: string;
  /** An OR whose branch lacks the tenant predicate; byte offset of the OR. */
  orBypass?: number;
  /**
   * Unconstrained, but what would constrain it is not in the text: why (a condition that is a whole
   * parameter, SQL built elsewhere and interpolated: `WHERE ${wheres.join(' AND ')}`; an upsert on
   * a named constraint whose columns are not read).
   */
  undecided?: string;
}

export interface StatementAnalysis {
  kind: 'select' | 'update' | 'delete' | 'insert' | 'other';
  /** Byte offset of the statement's first keyword. */
  location: number;
  uses: TableUse[];
  /** A SET/set_config of a tenant setting (`SET app.tenant_id`, `set_config('app.tenant_id', ...)`). */
  setsTenantSetting?: { local: boolean; location: number };
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : undefined;
}

function child(value: unknown, type: string): Json | undefined {
  return obj(obj(value)?.[type]);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/** `ColumnRef { fields: [t, org_id] }` -> ['t', 'org_id']. */
function columnRef(node: unknown): string[] | undefined {
  const ref = child(node, 'ColumnRef');
  if (!ref) return undefined;
  const parts = list(ref.fields).map((f) => str(child(f, 'String')?.sval));
  if (parts.some((p) => p === undefined)) return undefined;
  return parts.filter((p): p is string => p !== undefined);
}

function stripCast(node: unknown): unknown {
  const cast = child(node, 'TypeCast');
  return cast ? stripCast(cast.arg) : node;
}

/** A value that is not a column of the query: a parameter, a constant, a function of those. */
function isValue(node: unknown): boolean {
  const n = stripCast(node);
  if (child(n, 'ParamRef') || child(n, 'A_Const')) return true;
  const call = child(n, 'FuncCall');
  if (call) return list(call.args).every(isValue);
  const sub = child(n, 'SubLink');
  if (sub) return true; // `org_id = (SELECT org_id FROM members WHERE user_id = $1)`
  const array = child(n, 'A_ArrayExpr');
  if (array) return list(array.elements).every(isValue);
  return false;
}

interface Scope {
  uses: TableUse[];
  /** Aliases visible from enclosing scopes (correlated subqueries). */
  outer: TableUse[];
  ctes: Set<string>;
}

export class SqlQueryAnalyzer {
  constructor(private readonly lookup: SqlTableLookup) {}

  /** Analyses every statement of `sql`; throws with the parser's message when it does not parse. */
  analyze(sql: string): StatementAnalysis[] {
    if (!libpgReady()) throw new Error(libpgUnavailableReason());
    const parsed = parseSync(sql);
    return list(obj(parsed)?.stmts).map((raw) => {
      checkBudget(true);
      const entry = obj(raw);
      return this.statement(entry?.stmt, num(entry?.stmt_location));
    });
  }

  private statement(stmt: unknown, location: number): StatementAnalysis {
    const select = child(stmt, 'SelectStmt');
    if (select) {
      const setting = tenantSetConfig(select);
      return { kind: 'select', location, uses: this.select(select, []), ...(setting ? { setsTenantSetting: setting } : {}) };
    }
    const update = child(stmt, 'UpdateStmt');
    if (update) return { kind: 'update', location, uses: this.dml(update, 'relation', ['fromClause'], []) };
    const del = child(stmt, 'DeleteStmt');
    if (del) return { kind: 'delete', location, uses: this.dml(del, 'relation', ['usingClause'], []) };
    const insert = child(stmt, 'InsertStmt');
    if (insert) {
      const source = child(insert.selectStmt, 'SelectStmt');
      // INSERT ... VALUES writes only what it is given; INSERT ... SELECT reads like a SELECT.
      const uses = source && list(source.fromClause).length > 0 ? this.select(source, []) : [];
      return { kind: 'insert', location, uses: [...this.insertTarget(insert), ...uses] };
    }
    const set = child(stmt, 'VariableSetStmt');
    if (set && /tenant|org|workspace|account|company|team/i.test(str(set.name) ?? '')) {
      return { kind: 'other', location, uses: [], setsTenantSetting: { local: set.is_local === true, location } };
    }
    return { kind: 'other', location, uses: [] };
  }

  /**
   * The table an INSERT writes: data access like an ORM `create`, with no filter to miss (the rows
   * written are the ones given). An upsert that updates on conflict changes an existing row: it
   * stays in the tenant only when the conflict target names a tenant column.
   */
  private insertTarget(insert: Json): TableUse[] {
    const scope: Scope = { uses: [], outer: [], ctes: new Set() };
    this.fromItem({ RangeVar: obj(insert.relation) }, scope, [], []);
    const conflict = obj(insert.onConflictClause);
    const updates = conflict?.action === 'ONCONFLICT_UPDATE';
    for (const use of scope.uses) {
      if (!updates) {
        use.constrained = true;
        use.via = 'an insert writes only the rows it is given';
        continue;
      }
      // `ON CONFLICT ON CONSTRAINT name`: which columns the constraint holds is not read here.
      if (str(obj(conflict.infer)?.conname)) {
        use.undecided = `the upsert updates on conflict with the constraint \`${str(obj(conflict.infer)?.conname)}\`, whose columns are not read here`;
        continue;
      }
      const target = list(obj(conflict.infer)?.indexElems).map((e) => str(child(e, 'IndexElem')?.name));
      const tenant = target.find((column) => column !== undefined && use.info?.tenantColumns.includes(column));
      if (tenant) {
        use.constrained = true;
        use.via = `the upsert's conflict target includes \`${tenant}\``;
      }
    }
    return scope.uses;
  }

  private select(select: Json, outer: TableUse[], ctes = new Set<string>()): TableUse[] {
    // UNION / INTERSECT: every branch on its own.
    if (str(select.op) && select.op !== 'SETOP_NONE') {
      const left = child(select.larg, 'SelectStmt') ?? obj(select.larg);
      const right = child(select.rarg, 'SelectStmt') ?? obj(select.rarg);
      return [...(left ? this.select(left, outer, ctes) : []), ...(right ? this.select(right, outer, ctes) : [])];
    }
    const inner = new Set(ctes);
    const uses: TableUse[] = [];
    for (const cte of list(child(select.withClause, 'WithClause')?.ctes ?? obj(select.withClause)?.ctes)) {
      const def = child(cte, 'CommonTableExpr');
      const name = str(def?.ctename);
      const query = child(def?.ctequery, 'SelectStmt');
      if (query) uses.push(...this.select(query, outer, inner));
      const dml = this.cteDml(def?.ctequery, outer);
      uses.push(...dml);
      if (name) inner.add(name);
    }
    const scope: Scope = { uses: [], outer, ctes: inner };
    const quals: unknown[] = [];
    for (const from of list(select.fromClause)) this.fromItem(from, scope, quals, uses);
    this.constrain(scope, [...quals, select.whereClause], uses);
    return [...uses, ...scope.uses];
  }

  private cteDml(query: unknown, outer: TableUse[]): TableUse[] {
    const update = child(query, 'UpdateStmt');
    if (update) return this.dml(update, 'relation', ['fromClause'], outer);
    const del = child(query, 'DeleteStmt');
    if (del) return this.dml(del, 'relation', ['usingClause'], outer);
    return [];
  }

  private dml(stmt: Json, relationKey: string, fromKeys: string[], outer: TableUse[]): TableUse[] {
    const nested: TableUse[] = [];
    // `WITH ordered AS (SELECT ...) UPDATE list l ... FROM ordered o`: each CTE is checked where it is
    // defined, and its name is not a table of the schema.
    const ctes = new Set<string>();
    for (const cte of list(child(stmt.withClause, 'WithClause')?.ctes ?? obj(stmt.withClause)?.ctes)) {
      const def = child(cte, 'CommonTableExpr');
      const query = child(def?.ctequery, 'SelectStmt');
      if (query) nested.push(...this.select(query, outer, new Set(ctes)));
      nested.push(...this.cteDml(def?.ctequery, outer));
      const name = str(def?.ctename);
      if (name) ctes.add(name);
    }
    const scope: Scope = { uses: [], outer, ctes };
    const quals: unknown[] = [];
    this.fromItem({ RangeVar: obj(stmt[relationKey]) }, scope, quals, nested);
    for (const key of fromKeys) for (const from of list(stmt[key])) this.fromItem(from, scope, quals, nested);
    this.constrain(scope, [...quals, stmt.whereClause], nested);
    return [...nested, ...scope.uses];
  }

  private fromItem(item: unknown, scope: Scope, quals: unknown[], nested: TableUse[]): void {
    const range = child(item, 'RangeVar');
    if (range) {
      const name = str(range.relname);
      if (!name) return;
      const schema = str(range.schemaname);
      if (!schema && scope.ctes.has(name)) return; // a CTE, analysed where it is defined
      const table = schema && schema !== 'public' ? `${schema}.${name}` : name;
      const alias = str(child(range.alias, 'Alias')?.aliasname ?? obj(range.alias)?.aliasname) ?? name;
      scope.uses.push({ table, alias, location: num(range.location), info: this.lookup(table), constrained: false });
      return;
    }
    const join = child(item, 'JoinExpr');
    if (join) {
      this.fromItem(join.larg, scope, quals, nested);
      this.fromItem(join.rarg, scope, quals, nested);
      if (join.quals) quals.push(join.quals);
      return;
    }
    const sub = child(item, 'RangeSubselect');
    const query = child(sub?.subquery, 'SelectStmt');
    if (query) nested.push(...this.select(query, [...scope.outer, ...scope.uses], scope.ctes));
  }

  /** Marks the scope's tables constrained by the conjuncts of WHERE and ON, to a fixpoint. */
  private constrain(scope: Scope, conditions: unknown[], nested: TableUse[]): void {
    const conjuncts = conditions.flatMap((c) => splitAnd(c));
    if (conjuncts.some((c) => child(c, 'ParamRef'))) {
      for (const use of scope.uses) use.undecided = 'its condition is SQL built elsewhere and interpolated (a whole `${...}` in WHERE), which may hold the tenant predicate';
    }
    const visible = [...scope.uses, ...scope.outer];
    for (const use of scope.uses) {
      if (!use.info) continue;
      for (const conjunct of conjuncts) {
        if (this.pins(conjunct, use, visible)) {
          use.constrained = true;
          use.via = `a predicate on \`${use.alias}.${use.info.tenantColumns[0] ?? 'tenant key'}\``;
        }
      }
    }
    let changed = true;
    while (changed) {
      changed = false;
      for (const conjunct of conjuncts) {
        const eq = equality(conjunct);
        if (!eq || !columnRef(eq.left) || !columnRef(eq.right)) continue;
        const a = resolveColumn(columnRef(eq.left) ?? [], visible);
        const b = resolveColumn(columnRef(eq.right) ?? [], visible);
        if (!a || !b) continue;
        for (const [from, to] of [[a, b], [b, a]] as const) {
          if (!from.use.constrained || to.use.constrained || !to.use.info || !scope.uses.includes(to.use)) continue;
          const tenantJoin = from.use.info?.tenantColumns.includes(from.column) && to.use.info.tenantColumns.includes(to.column);
          const parentJoin = to.use.info.parents.some((p) => p.column === to.column && p.table === from.use.table && p.parentColumn === from.column);
          // The row a constrained row references (`JOIN tasks t ON t.id = ta.task_id`), and rows that
          // reference the same tenant row as a constrained one (`ON x.member_id = pm.member_id`):
          // foreign keys between tenant data stay within a tenant, as the child classes assume.
          const referenced = from.use.info?.references?.some((r) => r.column === from.column && r.table === to.use.table && r.parentColumn === to.column);
          const sameRow = from.use.info?.references?.some((r) => r.column === from.column && to.use.info?.references?.some((q) => q.column === to.column && q.table === r.table && q.parentColumn === r.parentColumn));
          if (tenantJoin || parentJoin || referenced || sameRow) {
            to.use.constrained = true;
            to.use.via = tenantJoin
              ? `a join on the tenant key to \`${from.use.alias}\``
              : parentJoin
                ? `its parent \`${from.use.alias}\`, which is constrained`
                : referenced
                  ? `the row \`${from.use.alias}.${from.column}\` references, and \`${from.use.alias}\` is constrained`
                  : `the tenant row it shares with \`${from.use.alias}\` (\`${from.column}\`), which is constrained`;
            changed = true;
          }
        }
      }
    }
    // An OR at the top level whose branches do not all pin the tenant defeats the filter.
    for (const use of scope.uses) {
      if (use.constrained || !use.info) continue;
      for (const conjunct of conjuncts) {
        const or = child(conjunct, 'BoolExpr');
        if (or?.boolop !== 'OR_EXPR') continue;
        const branches = list(or.args);
        const pinned = branches.filter((b) => splitAnd(b).some((c) => this.pins(c, use, visible)));
        const nullOnly = branches.filter((b) => isNullTestOnKey(b, use, visible));
        if (pinned.length > 0 && pinned.length + nullOnly.length === branches.length && nullOnly.length > 0) {
          // `org_id = $1 OR org_id IS NULL`: shared platform rows, not another tenant's.
          use.constrained = true;
          use.via = 'the tenant key or shared rows (`IS NULL`)';
        } else if (pinned.length > 0) {
          use.orBypass = num(or.location);
        }
      }
    }
    // Sub-selects in conditions are their own scopes, correlated with this one (analysed once
    // this scope's tables are known to be constrained or not). When every table of this scope is
    // constrained, a sub-select in WHERE only chooses among the tenant's own rows: not a read to flag.
    if (scope.uses.length > 0 && scope.uses.every((u) => u.constrained || !u.info || u.info.class === 'global' || u.info.class === 'unclassified')) return;
    for (const conjunct of conjuncts) {
      for (const sub of subSelects(conjunct)) nested.push(...this.select(sub, visible, scope.ctes));
    }
  }

  /** `use.org_id = <value>`, `org_id IN (...)`, `org_id = ANY($1)`. */
  private pins(conjunct: unknown, use: TableUse, visible: TableUse[]): boolean {
    const expr = child(conjunct, 'A_Expr');
    if (!expr || !use.info) return false;
    const op = str(child(list(expr.name)[0], 'String')?.sval);
    const kind = str(expr.kind);
    const sides: [unknown, unknown][] = [[expr.lexpr, expr.rexpr], [expr.rexpr, expr.lexpr]];
    for (const [col, value] of sides) {
      const ref = columnRef(stripCast(col));
      if (!ref) continue;
      const resolved = resolveColumn(ref, visible);
      if (!resolved || resolved.use !== use || !use.info.tenantColumns.includes(resolved.column)) continue;
      if (kind === 'AEXPR_OP' && op === '=' && isValue(value)) return true;
      if (kind === 'AEXPR_IN' && list(value).every(isValue)) return true;
      if (kind === 'AEXPR_OP_ANY' && op === '=' && isValue(value)) return true;
      if (kind === 'AEXPR_IN' && isValue(value)) return true;
    }
    return false;
  }
}

function splitAnd(node: unknown): unknown[] {
  if (node === undefined || node === null) return [];
  const bool = child(node, 'BoolExpr');
  if (bool?.boolop === 'AND_EXPR') return list(bool.args).flatMap(splitAnd);
  return [node];
}

function equality(node: unknown): { left: unknown; right: unknown } | undefined {
  const expr = child(node, 'A_Expr');
  if (!expr || expr.kind !== 'AEXPR_OP' || str(child(list(expr.name)[0], 'String')?.sval) !== '=') return undefined;
  return { left: stripCast(expr.lexpr), right: stripCast(expr.rexpr) };
}

function isNullTestOnKey(node: unknown, use: TableUse, visible: TableUse[]): boolean {
  const test = child(node, 'NullTest');
  if (!test || test.nulltesttype !== 'IS_NULL') return false;
  const ref = columnRef(test.arg);
  const resolved = ref ? resolveColumn(ref, visible) : undefined;
  return Boolean(resolved && resolved.use === use && use.info?.tenantColumns.includes(resolved.column));
}

/** `t.col` -> the table aliased `t`; a bare `col` -> the only visible table that has it. */
function resolveColumn(ref: string[], visible: TableUse[]): { use: TableUse; column: string } | undefined {
  if (ref.length >= 2) {
    const [qualifier, column] = ref.slice(-2);
    const use = [...visible].reverse().find((u) => u.alias === qualifier || u.table === qualifier);
    return use ? { use, column } : undefined;
  }
  const column = ref[0];
  const owners = visible.filter((u) => u.info?.tenantColumns.includes(column) || u.info?.parents.some((p) => p.column === column));
  if (owners.length === 1) return { use: owners[0], column };
  if (visible.length === 1) return { use: visible[0], column };
  return undefined;
}

/** Sub-selects in a condition (EXISTS, IN (SELECT ...), scalar sub-queries). */
function subSelects(node: unknown): Json[] {
  const found: Json[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    const o = obj(value);
    if (!o) return;
    const sub = obj(o.SubLink);
    const select = sub ? child(sub.subselect, 'SelectStmt') : undefined;
    if (select) {
      found.push(select);
      return;
    }
    for (const v of Object.values(o)) visit(v);
  };
  visit(node);
  return found;
}

const TENANT_SETTING = /tenant|org|workspace|account|company|team/i;

/**
 * `SELECT set_config('app.tenant_id', $1, is_local)`: a tenant setting. Session-wide (`false`) on
 * a pooled connection it outlives the request and the next request on that connection runs as
 * this tenant; transaction-local (`true`) it is how row-level security gets its tenant.
 * Returns whether it is local and the byte offset of the call.
 */
function tenantSetConfig(select: Json): { local: boolean; location: number } | undefined {
  for (const target of list(select.targetList)) {
    const call = child(child(target, 'ResTarget')?.val, 'FuncCall');
    const name = list(call?.funcname).map((n) => str(child(n, 'String')?.sval)).pop();
    if (!call || name !== 'set_config') continue;
    const args = list(call.args);
    const key = str(child(child(stripCast(args[0]), 'A_Const')?.sval, 'String')?.sval ?? obj(child(stripCast(args[0]), 'A_Const')?.sval)?.sval);
    const isLocal = child(stripCast(args[2]), 'A_Const')?.boolval;
    const local = obj(isLocal)?.boolval === true;
    const location = num(call.location);
    if (key && TENANT_SETTING.test(key) && location !== undefined) return { local, location };
  }
  return undefined;
}
