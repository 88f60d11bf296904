import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, textOf, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext } from '../core/query-site.js';
import type { SqlText } from './raw-sql.js';

/**
 * Sequelize's raw queries, `sequelize.query(sql, { replacements, bind })`, on an instance of
 * `sequelize` or `sequelize-typescript` (the same class): Sequelize substitutes the named
 * replacements (`:organizationId`), positional ones (`?`) and named binds (`$id`) itself, so the
 * text as written is not SQL that libpg-query parses. Each becomes a `$n` parameter whose value is
 * the property (or element) of `replacements` / `bind` the placeholder names, so the raw SQL
 * recognizer reads the statement and follows its values as it does for pg's `query(text, values)`.
 */

export const SEQUELIZE_PACKAGES = /^(sequelize|sequelize-typescript)$/;

/**
 * A configured SQL sink the callee is: a bare name (`rawQuery`) matches a function or method of
 * that name; a dotted path (`sequelize.query`) matches the end of the callee as written
 * (`sequelize.query`, `this.sequelize.query`, `queryInterface.sequelize.query`).
 */
export function configuredSink(callee: Node, sinks: readonly string[], unit: FileUnit): string | undefined {
  if (sinks.length === 0) return undefined;
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (!name) return undefined;
  if (sinks.includes(name)) return name;
  const path = textOf(unit, callee).replace(/\s+/g, '').replace(/\?\./g, '.').replace(/!\./g, '.');
  return sinks.find((sink) => sink.includes('.') && (path === sink || path.endsWith(`.${sink}`)));
}

/** One placeholder Sequelize fills in: where it is in the SQL text, and the parameter it becomes. */
interface Edit {
  start: number;
  end: number;
  param: number;
}

/**
 * The text with Sequelize's placeholders as `$n` and `params[n - 1]` the value each stands for.
 * Unchanged when the call passes no `replacements` or `bind` after the text, or the text has no
 * placeholder of that kind. Numbers follow the template's own `$n`, so the two never share one.
 */
export function sequelizeReplacements(call: TSESTree.CallExpression | TSESTree.TaggedTemplateExpression, textNode: Node, text: SqlText, context: AnalysisContext): SqlText {
  if (call.type !== T.CallExpression) return text;
  const index = call.arguments.findIndex((arg) => arg === textNode || unwrap(arg) === textNode);
  const options = index >= 0 && call.arguments[index + 1] ? heldLiteral(call.arguments[index + 1]!, context.unit) : undefined;
  if (options?.type !== T.ObjectExpression) return text;
  const replacements = propertyOf(options, 'replacements');
  const bind = propertyOf(options, 'bind');
  if (!replacements && !bind) return text;
  const offset = Math.max(0, ...[...text.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  const values = replacements ? heldLiteral(replacements, context.unit) : bind ? heldLiteral(bind, context.unit) : undefined;
  const tokens = placeholders(text.sql, replacements ? 'replacements' : 'bind');
  // Sequelize reads an array of replacements as `?` and an object as `:name`; unseen, the text says which.
  const positional = replacements !== undefined && (values ? values.type === T.ArrayExpression : !tokens.some((t) => t.name !== undefined));
  const edits: Edit[] = [];
  const names: string[] = [];
  // Sparse, as a template's: `params[n - 1]` undefined says the value of `$n` is not known.
  const params: Node[] = text.params ? [...text.params] : [];
  const set = (n: number, value: Node | undefined) => {
    if (value) params[n - 1] = value;
  };
  let count = 0;
  for (const token of tokens) {
    if (positional !== (token.name === undefined)) continue;
    let param: number;
    if (token.name === undefined) param = offset + ++count;
    else {
      if (!names.includes(token.name)) names.push(token.name);
      param = offset + names.indexOf(token.name) + 1;
    }
    edits.push({ start: token.start, end: token.end, param });
    set(param, valueOf(values, token.name, param - offset));
  }
  // `bind: [a, b]` with `$1`, `$2` written in the text: the array's elements are those parameters.
  if (bind && !replacements && values?.type === T.ArrayExpression && !text.paramsUnknown) {
    for (let n = 1; n <= offset; n++) if (!params[n - 1]) set(n, elementOf(values, n));
  }
  const rewritten = applyEdits(text, edits);
  return text.paramsUnknown ? rewritten : { ...rewritten, params };
}

function valueOf(values: Node | undefined, name: string | undefined, position: number): Node | undefined {
  if (!values) return undefined;
  if (name !== undefined) return values.type === T.ObjectExpression ? propertyOf(values, name) : undefined;
  return values.type === T.ArrayExpression ? elementOf(values, position) : undefined;
}

function elementOf(array: TSESTree.ArrayExpression, n: number): Node | undefined {
  const element = array.elements[n - 1];
  return element && element.type !== T.SpreadElement ? element : undefined;
}

/**
 * Sequelize's placeholders outside string literals, quoted identifiers, comments and dollar
 * quotes: `:name` (not a `::type` cast) and `?` for replacements, `$name` for binds.
 */
function placeholders(sql: string, kind: 'replacements' | 'bind'): { start: number; end: number; name?: string }[] {
  const found: { start: number; end: number; name?: string }[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const rest = sql.slice(i, i + 2);
    if (ch === "'" || ch === '"') {
      const close = closing(sql, i + 1, ch);
      i = close;
      continue;
    }
    if (rest === '--') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      continue;
    }
    if (rest === '/*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      continue;
    }
    if (ch === '$') {
      // A dollar quote `$tag$ ... $tag$` (or `$$ ... $$`) is a string.
      const quote = /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i));
      if (quote && !/[\w$]/.test(sql[i - 1] ?? '')) {
        const end = sql.indexOf(quote[0], i + quote[0].length);
        i = end < 0 ? sql.length : end + quote[0].length;
        continue;
      }
      const bind = kind === 'bind' ? /^\$([A-Za-z_]\w*)/.exec(sql.slice(i)) : null;
      if (bind && !/[\w$]/.test(sql[i - 1] ?? '')) {
        found.push({ start: i, end: i + bind[0].length, name: bind[1]! });
        i += bind[0].length;
        continue;
      }
    }
    if (kind === 'replacements' && ch === ':') {
      if (sql[i + 1] === ':') {
        i += 2;
        continue;
      }
      const named = /^:([A-Za-z_]\w*)/.exec(sql.slice(i));
      if (named && !/[\w:]/.test(sql[i - 1] ?? '')) {
        found.push({ start: i, end: i + named[0].length, name: named[1]! });
        i += named[0].length;
        continue;
      }
    }
    if (kind === 'replacements' && ch === '?') found.push({ start: i, end: i + 1 });
    i++;
  }
  return found;
}

/** The index after the quote that closes a literal or identifier opened before `from` (a doubled quote escapes). */
function closing(sql: string, from: number, quote: string): number {
  let i = from;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

/**
 * The text with each edit replaced by its `$n`, padded to the placeholder's length where it fits
 * (positions stay where they were written); the segments that map SQL offsets to the source are
 * moved past a longer one, so a table named after a `?` is still underlined in the source.
 */
function applyEdits(text: SqlText, edits: Edit[]): SqlText {
  if (edits.length === 0) return text;
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const replacement = (edit: Edit) => `$${edit.param}`.padEnd(edit.end - edit.start, ' ');
  let sql = '';
  let at = 0;
  for (const edit of sorted) {
    sql += text.sql.slice(at, edit.start) + replacement(edit);
    at = edit.end;
  }
  sql += text.sql.slice(at);
  const shift = (index: number) => index + sorted.filter((e) => e.end <= index).reduce((sum, e) => sum + replacement(e).length - (e.end - e.start), 0);
  const segments: [number, number, number][] = [];
  for (const [start, source, length] of text.segments) {
    let cursor = start;
    for (const edit of sorted) {
      if (edit.start < start || edit.start >= start + length) continue;
      if (edit.start > cursor) segments.push([shift(cursor), source + (cursor - start), edit.start - cursor]);
      // The placeholder's new text points at where the placeholder was written.
      segments.push([shift(edit.start), source + (edit.start - start), Math.min(replacement(edit).length, edit.end - edit.start)]);
      cursor = Math.min(edit.end, start + length);
    }
    if (cursor < start + length) segments.push([shift(cursor), source + (cursor - start), start + length - cursor]);
  }
  return { ...text, sql, segments };
}

/** An array or object literal, or a `const` of this file (never reassigned) that holds one. */
function heldLiteral(node: Node, unit: FileUnit): TSESTree.ArrayExpression | TSESTree.ObjectExpression | undefined {
  const value = unwrap(node);
  if (value.type === T.ArrayExpression || value.type === T.ObjectExpression) return value;
  if (value.type !== T.Identifier) return undefined;
  const variable = variableOf(unit.scopeManager, value);
  const def = variable?.defs[0];
  if (def?.type !== 'Variable' || def.node.id.type !== T.Identifier || !def.node.init) return undefined;
  if (variable!.references.some((ref) => ref.isWrite() && ref.identifier !== def.name)) return undefined;
  const init = unwrap(def.node.init);
  return init.type === T.ArrayExpression || init.type === T.ObjectExpression ? init : undefined;
}

function propertyOf(object: TSESTree.ObjectExpression, name: string): Node | undefined {
  for (const property of object.properties) {
    if (property.type !== T.Property || property.computed) continue;
    if (propertyName(property) === name) return property.value;
  }
  return undefined;
}
