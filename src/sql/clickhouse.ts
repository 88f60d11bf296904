/**
 * ClickHouse SQL read with the PostgreSQL grammar: the ClickHouse-only syntax that does not change
 * which rows a statement reaches is rewritten in place, in the same length (positions stay where
 * they were written, so findings point at the source):
 * - `{name:Type}` query parameters become `$n` (one number per name; `IN {ids:Array(String)}`
 *   becomes `IN ($n)`), and `names[n - 1]` is the name of `$n`, which the call's `query_params`
 *   (or the object a project wrapper hands on) gives a value;
 * - `FINAL` after a table (merge the parts before reading: the same rows), `GLOBAL IN` (where a
 *   distributed sub-select runs), the join strictness of `ANY LEFT JOIN` (at most one match per
 *   row), `SETTINGS k = v, ...` and `FORMAT Name` (how the query runs and how its result is
 *   written) are blanked;
 * - a parametric aggregate `quantile(0.75)(lcp)` is read as `quantile(0.75, lcp)`, and an array
 *   literal `['a', 'b']` as a list `('a', 'b')`: the same columns, in a shape the grammar takes.
 * What still does not parse (lambdas, `ARRAY JOIN`, `LIMIT n BY`, `any(x)`) is counted by the
 * caller as not analysable, with the parser's reason.
 */

/** Before `ANY`/`ALL`/... of a join: nothing, a space, `)` or a join side (`LEFT ANY JOIN`); three tests, none polynomial. */
function joinStrictnessFollows(before: string): boolean {
  return before === '' || /[\s)]$/.test(before) || /\b(?:left|right|inner|full)$/i.test(before);
}

/** A ClickHouse query parameter: `{websiteId:UUID}`, `{ids:Array(String)}`. */
const PARAMETER = /\{\s*([A-Za-z_]\w*)\s*:[^{}]+\}/g;

/** The text with quoted literals and comments replaced by spaces of the same length: where keywords are looked for. */
function bareText(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '`') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== c) j += sql[j] === '\\' ? 2 : 1;
      out += c + ' '.repeat(Math.max(0, Math.min(j, sql.length) - i - 1)) + (j < sql.length ? c : '');
      i = j + 1;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
      continue;
    }
    out += c;
    i++;
  }
  return out.slice(0, sql.length);
}

function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
}

/** Blanks ClickHouse clauses that say how a query runs, not which rows it reads. */
export function withoutClickHouseClauses(sql: string): string {
  let out = sql;
  const bare = bareText(sql);
  for (const match of bare.matchAll(/\b(final|global|any|all|asof|semi|anti)\b/gi)) {
    const word = match[1]!.toLowerCase();
    const after = bare.slice(match.index + match[0].length);
    if (word !== 'final' && word !== 'global') {
      // Join strictness: `ANY LEFT JOIN`, `ALL INNER JOIN`, `LEFT ANY JOIN`, `SEMI JOIN`.
      if (/^\s+((left|right|inner|full)\s+(outer\s+)?)?join\b/i.test(after) && joinStrictnessFollows(bare.slice(0, match.index))) out = blank(out, match.index, match.index + match[0].length);
      continue;
    }
    // `GLOBAL IN` / `GLOBAL JOIN`: the keyword alone goes; `FINAL` where it follows a table.
    if (word === 'global' && !/^\s+(not\s+)?(in|join|any|all|left|inner|right|full)\b/i.test(after)) continue;
    if (word === 'final' && !/^\s*($|[;)]|\b(where|prewhere|group|order|limit|settings|format|sample|array|left|right|inner|full|cross|join|any|all|as|union|having)\b)/i.test(after)) continue;
    out = blank(out, match.index, match.index + match[0].length);
  }
  // `SETTINGS a = 1, b = 'x'` up to `FORMAT`, a closing parenthesis of the same depth, `;` or the end.
  for (const match of bare.matchAll(/\bsettings\b/gi)) {
    let depth = 0;
    let end = match.index + match[0].length;
    for (; end < bare.length; end++) {
      const c = bare[end]!;
      if (c === '(') depth++;
      else if (c === ')') {
        if (depth === 0) break;
        depth--;
      } else if (c === ';' && depth === 0) break;
      else if (depth === 0 && /^format\b/i.test(bare.slice(end, end + 7)) && /\s/.test(bare[end - 1] ?? ' ')) break;
    }
    out = blank(out, match.index, end);
  }
  for (const match of bare.matchAll(/\bformat\s+[A-Za-z]\w*/gi)) {
    // `FORMAT JSONEachRow` as a clause, not the `format(...)` function.
    if (/^\s*\(/.test(bare.slice(match.index + 6))) continue;
    out = blank(out, match.index, match.index + match[0].length);
  }
  return listsAndAggregates(out, bare);
}

/** `f(p)(x)` as `f(p, x)`; `[a, b]` where a value stands (not a subscript `x[1]`) as `(a, b)`. */
function listsAndAggregates(sql: string, bare: string): string {
  const chars = sql.split('');
  const opens: number[] = [];
  const brackets: number[] = [];
  for (let i = 0; i < bare.length; i++) {
    const c = bare[i]!;
    if (c === '(') opens.push(i);
    else if (c === ')') {
      const open = opens.pop();
      // `quantile(0.75)(lcp)`: the parameters of a parametric aggregate, then its arguments.
      if (open !== undefined && bare[i + 1] === '(' && /[A-Za-z0-9_]/.test(bare[open - 1] ?? '')) {
        chars[i] = ',';
        chars[i + 1] = ' ';
        opens.push(i + 1);
        i++;
      }
    } else if (c === '[') {
      const before = bare.slice(0, i).trimEnd();
      const value = before === '' || /[(,=<>]$/.test(before) || /\b(in|select|then|else|when|and|or|not)$/i.test(before);
      brackets.push(value ? i : -1);
    } else if (c === ']') {
      const open = brackets.pop();
      if (open !== undefined && open >= 0 && i > open + 1) {
        chars[open] = '(';
        chars[i] = ')';
      }
    }
  }
  return chars.join('');
}

/**
 * ClickHouse `{name:Type}` parameters numbered from `offset + 1`, one number per name, in the same
 * length; `names` lists the names in number order after `offset`.
 */
export function numberClickHouseParameters(sql: string, names: string[], offset: number): string {
  const bare = bareText(sql);
  let out = sql;
  for (const match of bare.matchAll(PARAMETER)) {
    const name = match[1]!;
    if (!names.includes(name)) names.push(name);
    const param = `$${offset + names.indexOf(name) + 1}`;
    // `x IN {ids:Array(String)}`: PostgreSQL wants the list in parentheses.
    const listed = /\bin\s*$/i.test(bare.slice(0, match.index)) ? `(${param})` : param;
    const whole = match[0];
    out = out.slice(0, match.index) + (listed.length <= whole.length ? listed : '$0').padEnd(whole.length, ' ') + out.slice(match.index + whole.length);
  }
  return out;
}

/** Whether a statement's text uses ClickHouse's own parameter syntax (`{name:Type}`). */
export function hasClickHouseParameters(sql: string): boolean {
  return new RegExp(PARAMETER.source).test(bareText(sql));
}
