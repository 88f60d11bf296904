import { libpgReady, parseSync } from './libpg.js';
import { SqlQueryAnalyzer, type SqlTableLookup } from './query.js';

/**
 * Which parameters of a statement take a tenant position: `$n` compared with a tenant column
 * (`org_id = $1`, `org_id IN ($1, $2)`, `org_id = ANY($1)`), written to one (`INSERT INTO t
 * (org_id) VALUES ($1)`, `UPDATE t SET org_id = $1`), or compared with a column that names a user
 * (`user_id = $2`). Parameters are numbered as in the SQL text. Works on libpg-query's tree.
 */
export interface ParameterPositions {
  filter: number[];
  write: number[];
  /** Compared with a user column (`user_id`, `member_id`, `owner_id`): a membership condition. */
  principals: number[];
  /** Every parameter a condition compares, in the order written. */
  compared: number[];
  /** Tables an `INSERT` writes, as written. */
  inserts: string[];
  /**
   * Keys of a row the statement ties to a tenant it names elsewhere (`projects.id = $1` beside
   * `projects.team_id = $2`): not in `filter`, and a caller that knows the values drops a filter
   * parameter holding the same value (a template writes it once per interpolation).
   */
  checked: number[];
}

type Json = Record<string, unknown>;

const USER_COLUMNS = /^(user|member|owner)_?id$/i;
const COMPARISONS = new Set(['AEXPR_OP', 'AEXPR_OP_ANY', 'AEXPR_IN']);

function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : undefined;
}

function child(value: unknown, type: string): Json | undefined {
  return obj(obj(value)?.[type]);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function stripCast(node: unknown): unknown {
  const cast = child(node, 'TypeCast');
  return cast ? stripCast(cast.arg) : node;
}

function param(node: unknown): number | undefined {
  const ref = child(stripCast(node), 'ParamRef');
  return typeof ref?.number === 'number' ? ref.number : undefined;
}

/** `$1`, `($1, $2)`, `ANY($1)`: the parameters a comparison's value side holds. */
function params(node: unknown): number[] {
  const single = param(node);
  if (single !== undefined) return [single];
  return list(child(node, 'List')?.items).flatMap((item) => {
    const n = param(item);
    return n === undefined ? [] : [n];
  });
}

function column(node: unknown): string | undefined {
  const fields = list(child(stripCast(node), 'ColumnRef')?.fields);
  const last = child(fields[fields.length - 1], 'String')?.sval;
  return typeof last === 'string' ? last : undefined;
}

/** Calls `visit` on every object of the tree, depth first, in the order written. */
function walk(node: unknown, visit: (value: Json) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  const value = obj(node);
  if (!value) return;
  visit(value);
  for (const key of Object.keys(value)) walk(value[key], visit);
}

/**
 * The tenant positions of `sql`'s parameters. `tenantColumns(table)` names the tenant columns of a
 * table (none for a table that is not tenant data). Undefined when the SQL does not parse or
 * libpg-query is not loaded.
 */
export function parameterPositions(
  sql: string,
  tenantColumns: (table: string) => readonly string[],
  levelKey: (table: string) => string | undefined = () => undefined,
  tables?: SqlTableLookup,
): ParameterPositions | undefined {
  if (!libpgReady()) return undefined;
  let tree: unknown;
  try {
    tree = parseSync(sql);
  } catch {
    return undefined;
  }
  const columns = new Set<string>();
  // A RangeVar: a table of FROM, JOIN, or the target of INSERT, UPDATE and DELETE.
  walk(tree, (value) => {
    if (typeof value.relname === 'string') for (const c of tenantColumns(value.relname)) columns.add(c);
  });
  const positions: ParameterPositions = { filter: [], write: [], principals: [], compared: [], inserts: [], checked: [] };
  walk(tree, (value) => {
    const expr = obj(value.A_Expr);
    if (expr && COMPARISONS.has(String(expr.kind))) {
      for (const [col, other] of [[expr.lexpr, expr.rexpr], [expr.rexpr, expr.lexpr]]) {
        const name = column(col);
        const values = params(other);
        if (!name || values.length === 0) continue;
        positions.compared.push(...values);
        if (columns.has(name)) positions.filter.push(...values);
      }
    }
    const insert = obj(value.InsertStmt);
    if (insert) {
      const target = obj(insert.relation)?.relname;
      if (typeof target === 'string') positions.inserts.push(target);
      const names = list(insert.cols).map((c) => child(c, 'ResTarget')?.name);
      for (const row of list(child(insert.selectStmt, 'SelectStmt')?.valuesLists)) {
        list(child(row, 'List')?.items).forEach((item, index) => {
          const n = param(item);
          const name = names[index];
          if (n !== undefined && typeof name === 'string' && columns.has(name)) positions.write.push(n);
        });
      }
    }
    const update = obj(value.UpdateStmt);
    if (update) {
      for (const target of list(update.targetList)) {
        const set = child(target, 'ResTarget');
        const n = param(set?.val);
        if (n !== undefined && typeof set?.name === 'string' && columns.has(set.name)) positions.write.push(n);
      }
    }
  });
  positions.principals = pinnedUsers(tree, columns);
  const checked = checkedByTheStatement(tree, tenantColumns, levelKey);
  if (tables) for (const n of new Set(positions.filter)) if (!checked.has(n) && scopedWithout(sql, tree, tables, n)) checked.add(n);
  positions.checked = [...checked];
  if (checked.size > 0) positions.filter = positions.filter.filter((n) => !checked.has(n));
  return positions;
}

/**
 * The parameters compared with a user column where the comparison keeps only that user's rows
 * (`user_id = $2` in a WHERE, through AND, in the ON of an inner join, in a sub-select), in the
 * order written. Under OR only a parameter every branch pins (`o.owner_id = $1 OR m.user_id = $1`:
 * the owner or a member, both the user); a branch without it (`OR o.public`) lets other rows
 * through. Under NOT, in the ON of an outer join (which keeps the row whatever it says) and with
 * an operator other than equality (`owner_id <> $1`), nothing is pinned.
 */
function pinnedUsers(node: unknown, tenantColumns: Set<string>): number[] {
  if (Array.isArray(node)) return node.flatMap((item) => pinnedUsers(item, tenantColumns));
  const value = obj(node);
  if (!value) return [];
  const bool = obj(value.BoolExpr);
  if (bool) {
    if (bool.boolop === 'NOT_EXPR') return [];
    const branches = list(bool.args).map((arg) => pinnedUsers(arg, tenantColumns));
    if (bool.boolop !== 'OR_EXPR') return branches.flat();
    if (branches.length === 0 || branches.some((b) => b.length === 0)) return [];
    return [...new Set(branches[0])].filter((n) => branches.every((b) => b.includes(n)));
  }
  const join = obj(value.JoinExpr);
  if (join) {
    const inner = (join.jointype ?? 'JOIN_INNER') === 'JOIN_INNER';
    return [...pinnedUsers(join.larg, tenantColumns), ...pinnedUsers(join.rarg, tenantColumns), ...(inner ? pinnedUsers(join.quals, tenantColumns) : [])];
  }
  const expr = obj(value.A_Expr);
  if (expr && COMPARISONS.has(String(expr.kind))) {
    const operator = child(list(expr.name)[0], 'String')?.sval;
    if (operator !== '=') return [];
    for (const [col, other] of [[expr.lexpr, expr.rexpr], [expr.rexpr, expr.lexpr]]) {
      const name = column(col);
      const values = params(other);
      if (!name || values.length === 0) continue;
      return !tenantColumns.has(name) && USER_COLUMNS.test(name) ? values : [];
    }
    return [];
  }
  return Object.keys(value).flatMap((key) => pinnedUsers(value[key], tenantColumns));
}

/**
 * Parameters the statement itself ties to a tenant it names elsewhere: `SELECT ..., (SELECT ... FROM
 * tasks WHERE project_id = $1) FROM projects WHERE id = $1 AND team_id = $2`. The outer WHERE
 * returns a row only when `$1` is a project of the tenant `$2`, and nothing of a sub-select reaches
 * the result without that row, so `$1` is a row the query checks, not the tenant it is scoped by:
 * the tenant position is `$2`'s (worklenz overview `getById`, whose `$1` the client names and `$2`
 * is the session's). Only the outermost SELECT's top-level AND of its WHERE, on a table of its FROM
 * that is not on the nullable side of an outer join, with no set operation and no data-modifying CTE.
 */
function checkedByTheStatement(tree: unknown, tenantColumns: (table: string) => readonly string[], levelKey: (table: string) => string | undefined): Set<number> {
  const checked = new Set<number>();
  const statements = list(obj(tree)?.stmts);
  if (statements.length !== 1) return checked;
  const select = child(obj(statements[0])?.stmt, 'SelectStmt');
  if (!select || (typeof select.op === 'string' && select.op !== 'SETOP_NONE')) return checked;
  const ctes = list(child(select.withClause, 'WithClause')?.ctes);
  if (ctes.some((cte) => !child(child(cte, 'CommonTableExpr')?.ctequery, 'SelectStmt'))) return checked;
  const tables: { name: string; alias: string }[] = [];
  const collect = (item: unknown): void => {
    const range = child(item, 'RangeVar');
    if (range && typeof range.relname === 'string') {
      const alias = child(range.alias, 'Alias')?.aliasname ?? obj(range.alias)?.aliasname;
      tables.push({ name: range.relname, alias: typeof alias === 'string' ? alias : range.relname });
      return;
    }
    const join = child(item, 'JoinExpr');
    if (!join) return;
    const type = join.jointype ?? 'JOIN_INNER';
    if (type === 'JOIN_INNER' || type === 'JOIN_LEFT') collect(join.larg);
    if (type === 'JOIN_INNER' || type === 'JOIN_RIGHT') collect(join.rarg);
  };
  for (const item of list(select.fromClause)) collect(item);
  const tableOf = (node: unknown) => {
    const fields = list(child(stripCast(node), 'ColumnRef')?.fields).map((f) => child(f, 'String')?.sval);
    if (fields.length === 0 || fields.some((f) => typeof f !== 'string')) return undefined;
    if (fields.length === 1) return tables.length === 1 ? tables[0] : undefined;
    const qualifier = fields[fields.length - 2];
    const named = tables.filter((t) => t.alias === qualifier);
    return named.length === 1 ? named[0] : undefined;
  };
  const conjuncts = (node: unknown): unknown[] => {
    const bool = child(node, 'BoolExpr');
    return bool?.boolop === 'AND_EXPR' ? list(bool.args).flatMap(conjuncts) : node ? [node] : [];
  };
  const keys = new Map<{ name: string; alias: string }, number[]>();
  const tenants = new Map<{ name: string; alias: string }, number[]>();
  for (const conjunct of conjuncts(select.whereClause)) {
    const expr = child(conjunct, 'A_Expr');
    if (!expr || expr.kind !== 'AEXPR_OP' || child(list(expr.name)[0], 'String')?.sval !== '=') continue;
    for (const [col, other] of [[expr.lexpr, expr.rexpr], [expr.rexpr, expr.lexpr]]) {
      const table = tableOf(col);
      const name = column(col);
      const n = param(other);
      if (!table || !name || n === undefined) continue;
      if (name === levelKey(table.name)) keys.set(table, [...(keys.get(table) ?? []), n]);
      if (tenantColumns(table.name).includes(name)) tenants.set(table, [...(tenants.get(table) ?? []), n]);
    }
  }
  for (const [table, numbers] of keys) {
    const tenant = tenants.get(table) ?? [];
    for (const n of numbers) if (tenant.some((m) => m !== n)) checked.add(n);
  }
  return checked;
}

/**
 * Whether every table of tenant data the statement reads is scoped without `$n`'s comparisons:
 * `SELECT ... FROM team_labels WHERE team_id = $2 AND EXISTS (SELECT 1 FROM tasks WHERE project_id
 * = $1 AND ...)` returns only the tenant `$2`'s labels, whichever project `$1` names, so `$1` only
 * chooses among them (worklenz labels `getByProject`). Only where the query analysis reads every
 * place `$n` stands: conditions (WHERE, ON) of SELECT, UPDATE and DELETE, not a select list (its
 * sub-selects are not analysed), a VALUES list or a function in FROM.
 */
function scopedWithout(sql: string, tree: unknown, tables: SqlTableLookup, n: number): boolean {
  if (!onlyInConditions(tree, n)) return false;
  let statements;
  try {
    statements = new SqlQueryAnalyzer(tables).analyze(sql, () => false, new Set([n]));
  } catch {
    return false;
  }
  if (statements.some((st) => st.kind !== 'select' && st.kind !== 'update' && st.kind !== 'delete')) return false;
  const data = statements.flatMap((st) => st.uses).filter((u) => u.info?.class === 'tenant' || u.info?.class === 'child');
  return data.length > 0 && data.every((u) => u.constrained);
}

/** Every `$n` of the tree stands in a WHERE or ON condition, none in a select list or a FROM function. */
function onlyInConditions(tree: unknown, n: number): boolean {
  let ok = true;
  let seen = false;
  const visit = (node: unknown, inCondition: boolean, excluded: boolean): void => {
    if (!ok) return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, inCondition, excluded);
      return;
    }
    const value = obj(node);
    if (!value) return;
    const ref = obj(value.ParamRef);
    if (ref && ref.number === n) {
      seen = true;
      if (!inCondition || excluded) ok = false;
      return;
    }
    for (const key of Object.keys(value)) {
      const excludes = excluded || key === 'targetList' || key === 'RangeFunction' || key === 'valuesLists' || key === 'returningList';
      visit(value[key], inCondition || key === 'whereClause' || key === 'quals', excludes);
    }
  };
  visit(tree, false, false);
  return ok && seen;
}
