import { libpgReady, parseSync } from './libpg.js';

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
export function parameterPositions(sql: string, tenantColumns: (table: string) => readonly string[]): ParameterPositions | undefined {
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
  const positions: ParameterPositions = { filter: [], write: [], principals: [], compared: [], inserts: [] };
  walk(tree, (value) => {
    const expr = obj(value.A_Expr);
    if (expr && COMPARISONS.has(String(expr.kind))) {
      for (const [col, other] of [[expr.lexpr, expr.rexpr], [expr.rexpr, expr.lexpr]]) {
        const name = column(col);
        const values = params(other);
        if (!name || values.length === 0) continue;
        positions.compared.push(...values);
        if (columns.has(name)) positions.filter.push(...values);
        else if (USER_COLUMNS.test(name)) positions.principals.push(...values);
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
  return positions;
}
