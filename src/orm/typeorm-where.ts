/**
 * TypeORM filters: find-option `where` objects (an object is a conjunction, an array of objects an
 * OR), operators (`In`, `Equal`, `Any` pin a value; `Not`, `IsNull`, `LessThan`... do not), nested
 * relation objects (`{ ticket: { tenantId } }`), and the string conditions of query builders
 * (`'t.tenantId = :tenantId'`), parsed minimally.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { propertyName, T, textOf, unwrap, type FileUnit, type Node } from '../core/ast.js';
import { credentialScope, type AnalysisContext, type Predicate } from '../core/query-site.js';
import { returnedExpressions } from '../core/resolve.js';
import { isCredentialColumn, type Table } from '../core/schema.js';
import { combineAll, combineAnd, combineOr, evaluateFilterExpression, evaluateFilterObject, isNullish, rootPinningField, type ObjectFilterDialect } from './object-filter.js';

const MAX_DEPTH = 10;
/** Operators whose value pins a column to the given value(s). */
const PINNING = new Set(['In', 'Equal', 'Any']);
/** Operators that never pin a column to one tenant. */
const NOT_PINNING = new Set([
  'Not', 'IsNull', 'LessThan', 'LessThanOrEqual', 'MoreThan', 'MoreThanOrEqual', 'Like', 'ILike', 'Between', 'Raw',
  'ArrayContains', 'ArrayContainedBy', 'ArrayOverlap', 'JsonContains', 'Or',
]);

/** A `where` value of the find options, `findBy`, or the criteria of `update`/`delete`. */
export function evaluateWhere(where: Node, unit: FileUnit, table: Table, context: AnalysisContext, depth = 0): Predicate {
  return evaluateFilterExpression(where, unit, context, {
    object: (node, at, d, assigned) => evaluateFilterObject(node, at, table, context, TYPEORM_DIALECT, d, assigned),
    call: (node, at, d) => helperFilter(node, at, table, context, d),
    other: (node, at, d) => typeormOnly(node, at, table, context, d),
    pushed: (elements, use, alwaysOne, at, d) => {
      const result = evaluateElements(elements, at, table, context, d);
      // Nothing pushed on some path: TypeORM reads an empty `where` array as no condition at all.
      return result.kind === 'scoped' && !alwaysOne ? { ...result, condition: use } : result;
    },
  }, depth);
}

/** TypeORM's own filter forms: an array of objects is an OR, `a && {...}` applies sometimes, a literal is a primary key. */
function typeormOnly(node: Node, unit: FileUnit, table: Table, context: AnalysisContext, depth: number): Predicate | undefined {
  switch (node.type) {
    case T.ArrayExpression:
      return evaluateArray(node, unit, table, context, depth);
    case T.LogicalExpression: {
      // `...(status && { status })`: the right side applies only sometimes, so it never scopes.
      if (node.operator === '&&') {
        const right = evaluateWhere(node.right, unit, table, context, depth + 1);
        return right.kind === 'unknown' ? right : { kind: 'unscoped', detail: `\`${textOf(unit, node)}\` applies only when \`${textOf(unit, node.left)}\` holds` };
      }
      return combineAll([evaluateWhere(node.left, unit, table, context, depth + 1), evaluateWhere(node.right, unit, table, context, depth + 1)], 'nothing to read');
    }
    case T.Literal:
    case T.TemplateLiteral:
      return { kind: 'unscoped', detail: `the criteria \`${textOf(unit, node)}\` is a primary key value` };
    default:
      return undefined;
  }
}

/** `where: [{ tenantId, a }, { tenantId, b }]`: TypeORM ORs the objects, so each one must scope. */
function evaluateArray(node: TSESTree.ArrayExpression, unit: FileUnit, table: Table, context: AnalysisContext, depth: number): Predicate {
  return evaluateElements(node.elements, unit, table, context, depth);
}

function evaluateElements(elements: readonly (Node | TSESTree.SpreadElement | null)[], unit: FileUnit, table: Table, context: AnalysisContext, depth: number): Predicate {
  const branches = elements.flatMap((element) => {
    if (!element) return [];
    if (element.type === T.SpreadElement) return [{ node: element as Node, predicate: { kind: 'unknown' as const, reason: 'a spread inside the `where` array' } }];
    return [{ node: element as Node, predicate: evaluateWhere(element, unit, table, context, depth + 1) }];
  });
  if (branches.length === 0) return { kind: 'unscoped', detail: 'the `where` array is empty' };
  return combineOr(branches, 'no object of the `where` array has the tenant key');
}

/** `where: tenantWhere(id)`, `...scopeOf(ctx)`: configured helpers scope; project functions are followed. */
function helperFilter(node: TSESTree.CallExpression, unit: FileUnit, table: Table, context: AnalysisContext, depth: number): Predicate {
  const callee = unwrap(node.callee);
  const name = calleeName(callee);
  if (name && (context.config.filterHelpers ?? []).includes(name)) return { kind: 'scoped', via: `\`${name}()\`, a configured filter helper` };
  if (callee.type !== T.Identifier) return { kind: 'unknown', reason: `the filter is built by \`${textOf(unit, callee)}()\`` };
  const binding = context.resolver.bindingOf(callee, unit, depth + 1);
  if (binding.kind !== 'function') return { kind: 'unknown', reason: `\`${callee.name}()\` cannot be followed` };
  const results = returnedExpressions(binding.fn.node).map((expr) => evaluateWhere(expr, binding.fn.unit, table, context, depth + 1));
  const combined = combineAll(results, `\`${callee.name}()\` returns nothing we can read`);
  return combined.kind === 'scoped' ? { kind: 'scoped', via: `the helper \`${callee.name}()\`` } : combined;
}

export function calleeName(callee: Node): string | undefined {
  if (callee.type === T.Identifier) return callee.name;
  if (callee.type === T.MemberExpression && !callee.computed && callee.property.type === T.Identifier) return callee.property.name;
  return undefined;
}

const TYPEORM_DIALECT: ObjectFilterDialect = {
  and: [],
  or: [],
  evaluateSpreads: true,
  valueConstrains,
  branch: (node, unit, table, context, depth) => evaluateWhere(node, unit, table, context, depth),
  other: relationKey,
};

/** `tenantId: x`, `In(xs)`, `Equal(x)` pin the tenant; `undefined`, `null`, `Not(x)`, `IsNull()` do not. */
function valueConstrains(value: Node): boolean {
  const node = unwrap(value);
  if (isNullish(node)) return false;
  if (node.type === T.ObjectExpression) return false;
  if (node.type !== T.CallExpression) return true;
  const name = calleeName(unwrap(node.callee));
  if (name && NOT_PINNING.has(name)) return false;
  if (name === 'And') return node.arguments.some((a) => a.type !== T.SpreadElement && valueConstrains(a));
  if (name && PINNING.has(name)) {
    const arg = node.arguments[0];
    if (!arg || arg.type === T.SpreadElement) return false;
    const inner = unwrap(arg);
    return !isNullish(inner) && !(inner.type === T.ArrayExpression && inner.elements.length === 0);
  }
  return true;
}

/**
 * A relation object (`where: { ticket: { tenantId } }`) filters through the related table: it scopes
 * a child by its parent's tenant key, or any table by the tenant root's primary key
 * (`{ tenant: { id: tenantId } }`).
 */
function relationKey(name: string, value: Node, unit: FileUnit, table: Table, context: AnalysisContext, depth: number): Predicate | undefined {
  const relation = table.relations.get(name);
  if (!relation) return undefined;
  const target = context.schema.tables.get(relation.target);
  const object = unwrap(value);
  if (!target || object.type !== T.ObjectExpression) return undefined;
  // `{ workspace: { id } }` where the relation's own column is the table's tenant key (a level of
  // the hierarchy, laudspeaker's `Journey.workspace -> Workspaces`): the key itself is pinned.
  const [field] = relation.fields;
  if (relation.fields.length === 1 && field !== undefined && table.tenantKeys.includes(field)) {
    const referenced = relation.references[0] ?? target.primaryKey[0];
    const pins = object.properties.some((p) => p.type === T.Property && propertyName(p) === referenced && valueConstrains(p.value));
    if (pins) return { kind: 'scoped', via: `the relation \`${name}\` pins the tenant key \`${field}\`` };
  }
  if (target.class === 'tenant' || target.class === 'child') {
    const result = evaluateWhere(object, unit, target, context, depth + 1);
    if (result.kind === 'scoped') return { kind: 'scoped', via: `the relation \`${name}\` (${result.via})` };
    return result.kind === 'unscoped' ? undefined : result;
  }
  if (relation.target === context.schema.root) {
    const pins = object.properties.some((p) => p.type === T.Property && rootIdFields(target).includes(propertyName(p) ?? '') && valueConstrains(p.value));
    if (pins) return { kind: 'scoped', via: `the relation \`${name}\` to the tenant root` };
    for (const p of object.properties) {
      if (p.type !== T.Property || !valueConstrains(p.value)) continue;
      const how = rootPinningField(target, propertyName(p) ?? '');
      if (how) return { kind: 'scoped', via: `the relation \`${name}\` to the tenant root by ${how}` };
    }
  }
  return undefined;
}

/**
 * The primary key of the tenant root, or `id` when the schema read none: an entity whose key is
 * declared in a base class of another file (vendure's `VendureEntity`, `@PrimaryGeneratedColumn() id`)
 * has it under TypeORM's convention.
 */
function rootIdFields(root: Table): string[] {
  return root.primaryKey.length > 0 ? root.primaryKey : ['id'];
}

// ---- Query-builder string conditions ----------------------------------------------------------

/** The aliases of a query builder: the main one, and joined parents that scope a child table. */
export interface AliasScope {
  table: Table;
  mainAlias: string | undefined;
  /** Joined aliases whose tenant key scopes the main table (a child joined to its parent, and so on up). */
  parents: Map<string, Table>;
  /** Named parameters with their value, from the condition's object, `setParameter(s)`. */
  params: Map<string, Node>;
  context: AnalysisContext;
}

const COLUMN = String.raw`(?:([A-Za-z_]\w*)\s*\.\s*)?"?([A-Za-z_]\w*)"?`;
const OPERATOR = String.raw`(=|!=|<>|\bIN\b|\bNOT\s+IN\b|\bIS\b(?:\s+NOT\b)?)`;
const ATOM = new RegExp(String.raw`^${COLUMN}\s*${OPERATOR}\s*(\S.*)$`, 'i');
const REVERSED = new RegExp(String.raw`^(:\w+|'[^']*'|\d+)\s*=\s*${COLUMN}$`, 'i');

/** `'t.tenantId = :tenantId AND t.id = :id'`: one scoping conjunct scopes; an OR group without it bypasses. */
export function evaluateSqlCondition(text: string, node: Node, scope: AliasScope, depth = 0): Predicate {
  if (depth > MAX_DEPTH) return { kind: 'unknown', reason: 'condition nested too deeply' };
  const split = splitTopLevel(text.trim());
  if (!split) return { kind: 'unknown', reason: `the condition \`${text}\` is not parsed` };
  const groups = split.map((group) => combineAnd(group.map((atom) => evaluateAtom(atom, node, scope, depth)), `\`${text.trim()}\` does not constrain the tenant`));
  if (groups.length === 1) return groups[0] ?? { kind: 'unknown', reason: 'empty condition' };
  return combineOr(groups.map((predicate) => ({ node, predicate })), `no branch of \`${text.trim()}\` constrains the tenant`);
}

function evaluateAtom(atom: string, node: Node, scope: AliasScope, depth: number): Predicate {
  const trimmed = atom.trim();
  if (trimmed.startsWith('(') && trimmed.endsWith(')') && balanced(trimmed.slice(1, -1))) return evaluateSqlCondition(trimmed.slice(1, -1), node, scope, depth + 1);
  const reversed = REVERSED.exec(trimmed);
  const match = reversed ? [trimmed, reversed[2], reversed[3], '=', reversed[1]] : ATOM.exec(trimmed);
  if (!match) return { kind: 'unknown', reason: `the condition \`${trimmed}\` is not parsed` };
  const [, alias, column = '', rawOperator = '', value = ''] = match;
  const table = alias === undefined || alias === scope.mainAlias ? scope.table : scope.parents.get(alias);
  if (!table) return { kind: 'unscoped', detail: `\`${trimmed}\` is on another table` };
  const field = fieldOf(table, column);
  const operator = rawOperator.replace(/\s+/g, ' ').toUpperCase();
  const viaParent = table !== scope.table;
  if (field && table.tenantKeys.includes(field)) {
    if ((operator === '=' || operator === 'IN') && sqlValueConstrains(value, scope)) {
      return { kind: 'scoped', via: viaParent ? `the joined parent \`${alias}\` (\`${trimmed}\`)` : `\`${trimmed}\`` };
    }
    return { kind: 'unscoped', detail: `\`${trimmed}\` does not pin \`${field}\` to one tenant` };
  }
  // The tenant root itself, joined through a many-to-many (vendure's `.leftJoin('product.channels',
  // 'channel').andWhere('channel.id = :channelId')`): its primary key is the tenant.
  const rootId = viaParent && table.name === scope.context.schema.root && rootIdFields(table).length === 1 ? rootIdFields(table)[0] : undefined;
  if (rootId !== undefined && (field ?? column) === rootId) {
    if ((operator === '=' || operator === 'IN') && sqlValueConstrains(value, scope)) return { kind: 'scoped', via: `the joined tenant root \`${alias}\` (\`${trimmed}\`)` };
    return { kind: 'unscoped', detail: `\`${trimmed}\` does not pin \`${alias}\` to one tenant` };
  }
  if (field && !viaParent && operator === '=' && isCredentialColumn(table, field)) {
    return credentialScope(field);
  }
  return { kind: 'unscoped', detail: `the condition filters only on \`${trimmed}\`` };
}

/** A field of the table by its property name or its column name. */
function fieldOf(table: Table, column: string): string | undefined {
  if (table.columns.has(column)) return column;
  for (const [name, col] of table.columns) if (col.dbName === column) return name;
  return undefined;
}

/** `:tenantId` bound to a value, `(:...ids)`, a literal; a parameter bound to `undefined`/`null` does not pin. */
function sqlValueConstrains(value: string, scope: AliasScope): boolean {
  const text = value.trim();
  if (/^null$/i.test(text)) return false;
  const param = /^\(?\s*:(?:\.\.\.)?(\w+)\s*\)?$/.exec(text);
  if (param) {
    const bound = scope.params.get(param[1] ?? '');
    return bound ? !isNullish(bound) : true;
  }
  return /^('[^']*'|\d+)$/.test(text);
}

/**
 * Splits a condition into OR groups of AND atoms at the top level (outside parentheses and
 * quotes): `a AND b OR c` is `[[a, b], [c]]`, as SQL's precedence reads it. Undefined when the
 * text has a `BETWEEN ... AND` (its AND is not a conjunction).
 */
function splitTopLevel(text: string): string[][] | undefined {
  if (/\bBETWEEN\b/i.test(text)) return undefined;
  const groups: string[][] = [[]];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  const push = (end: number): void => {
    groups[groups.length - 1]?.push(text.slice(start, end));
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && /\s/.test(c ?? '')) {
      const word = /^\s+(AND|OR)\s+/i.exec(text.slice(i));
      if (word) {
        push(i);
        if ((word[1] ?? '').toUpperCase() === 'OR') groups.push([]);
        start = i + word[0].length;
        i = start - 1;
      }
    }
  }
  push(text.length);
  if (depth !== 0 || quote) return undefined;
  return groups;
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}
