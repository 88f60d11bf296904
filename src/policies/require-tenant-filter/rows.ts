import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, unwrap, variableOf, type FileUnit, type Node } from '../../core/ast.js';
import type { Table, TenantSchema } from '../../core/schema.js';
import { KEEPS_ELEMENTS, writtenValues } from '../../flow/filled.js';
import { definitionOf, elementOf } from '../shared/paths.js';

/** What a query's result wraps its rows in: supabase-js `{ data }`, pg `{ rows }`. */
const RESULT_WRAPPERS = new Set(['data', 'rows']);

/**
 * The table whose rows (or row) an expression holds, followed back to a query call that `tableOf`
 * knows: the query's result (`const envelope = await findUnique(...)`), an element of it
 * (`rows[0]`, `for (const r of rows)`, `rows.map((r) => ...)`, `rows.filter(...)`, `rows.find(...)`),
 * or the rows of a relation read from it (`envelope.recipients`, loaded with Prisma's `include`),
 * through consts, destructuring (`const { data: thread } = ...`, `const { recipients } = envelope`) and
 * a `let` assigned once. Anything else, or a field that is not a relation of the schema: undefined.
 */
export function rowTableOf(node: Node, unit: FileUnit, schema: TenantSchema, tableOf: (call: Node) => Table | undefined, depth = 0): { table: Table; direct: boolean } | undefined {
  if (depth > 8) return undefined;
  let value = unwrap(node.type === T.ChainExpression ? node.expression : node);
  if (value.type === T.ChainExpression) value = unwrap(value.expression);
  // `rows ?? []`, `row ?? null`
  if (value.type === T.LogicalExpression && (value.operator === '||' || value.operator === '??') && nothing(unwrap(value.right))) value = unwrap(value.left);
  if (value.type === T.CallExpression) {
    // The query may be a link of a builder chain (`db.select().from(t).where(...)`).
    for (let link: Node = value; link.type === T.CallExpression; ) {
      const table = tableOf(link);
      if (table) return { table, direct: true };
      const callee = unwrap(link.callee);
      if (callee.type !== T.MemberExpression) break;
      link = unwrap(callee.object);
    }
    const callee = unwrap(value.callee);
    if (callee.type === T.MemberExpression && KEEPS_ELEMENTS.has(memberName(callee) ?? '')) {
      const found = rowTableOf(callee.object, unit, schema, tableOf, depth + 1);
      return found && { table: found.table, direct: false };
    }
    return undefined;
  }
  if (value.type === T.MemberExpression) {
    const owner = rowTableOf(value.object, unit, schema, tableOf, depth + 1);
    if (!owner) return undefined;
    if (value.computed) return { table: owner.table, direct: false };
    return step(owner, memberName(value), schema);
  }
  if (value.type !== T.Identifier) return undefined;
  const variable = variableOf(unit.scopeManager, value);
  const def = variable?.defs[0];
  if (!def) return undefined;
  if (def.type === 'Parameter') {
    const rows = def.name.parent?.type === T.ArrowFunctionExpression || def.name.parent?.type === T.FunctionExpression ? elementOf(def.name as Node) : undefined;
    const found = rows && rowTableOf(rows, unit, schema, tableOf, depth + 1);
    return found && { table: found.table, direct: false };
  }
  if (def.type !== 'Variable') return undefined;
  const defined = definitionOf(value, unit);
  if (defined?.kind === 'other') return everyAssignment(def.node, unit, schema, tableOf, depth);
  if (defined?.kind !== 'const') return undefined;
  let found = rowTableOf(defined.init, unit, schema, tableOf, depth + 1);
  if (!found) return undefined;
  // `for (const row of rows)`: an element.
  const declaration = def.node.parent;
  if (declaration?.type === T.VariableDeclaration && declaration.parent?.type === T.ForOfStatement && declaration.parent.left === declaration) found = { table: found.table, direct: false };
  // `const { data: thread } = ...`, `const { recipients } = envelope`, `const [row] = rows`: the keys down to the name.
  for (const key of patternPath(def.name as Node, def.node.id as Node)) {
    const next: { table: Table; direct: boolean } | undefined = typeof key === 'number' ? { table: found.table, direct: false } : step(found, key, schema);
    if (!next) return undefined;
    found = next;
  }
  return found;
}

/**
 * `let customer = await findOne({ _id, workspaceId }); if (!customer) customer = await create({ workspaceId, ... })`
 * (laudspeaker's sendFCMToken): a `let` written more than once holds rows of a table when every value
 * written to it (its initializer and each `=`) does, of the same table. A `let` left empty at first
 * holds no row until it is written.
 */
function everyAssignment(declarator: Node, unit: FileUnit, schema: TenantSchema, tableOf: (call: Node) => Table | undefined, depth: number): { table: Table; direct: boolean } | undefined {
  if (declarator.type !== T.VariableDeclarator || declarator.id.type !== T.Identifier) return undefined;
  const written = writtenValues(declarator.id, unit);
  if (!written) return undefined;
  const values = declarator.init && nothing(unwrap(declarator.init)) ? written.slice(1) : written;
  let found: { table: Table; direct: boolean } | undefined;
  for (const written of values) {
    const rows = rowTableOf(written, unit, schema, tableOf, depth + 1);
    if (!rows || (found && rows.table !== found.table)) return undefined;
    found = { table: rows.table, direct: rows.direct && (found?.direct ?? true) };
  }
  return found;
}

/** `[]`, `null`, `undefined`: a fallback that holds no row. */
function nothing(node: Node): boolean {
  return (node.type === T.ArrayExpression && node.elements.length === 0) || (node.type === T.Literal && node.value === null) || (node.type === T.Identifier && node.name === 'undefined');
}

/** From the rows of `owner`, the property `name`: a query result's wrapper (`data`, `rows`), or a relation. */
function step(owner: { table: Table; direct: boolean }, name: string | undefined, schema: TenantSchema): { table: Table; direct: boolean } | undefined {
  if (!name) return undefined;
  if (owner.direct && RESULT_WRAPPERS.has(name)) return { table: owner.table, direct: false };
  const relation = owner.table.relations.get(name);
  const target = relation ? schema.tables.get(relation.target) : undefined;
  return target ? { table: target, direct: false } : undefined;
}

/** The property names (and array positions) from a declaration's pattern down to one bound name. */
function patternPath(name: Node, root: Node): (string | number)[] {
  const path: (string | number)[] = [];
  let current = name;
  while (current !== root && current.parent) {
    const parent: Node = current.parent;
    if (parent.type === T.Property && parent.value === current) path.unshift(propertyName(parent as TSESTree.Property) ?? '\u0000');
    else if (parent.type === T.ArrayPattern) path.unshift(parent.elements.indexOf(current as TSESTree.DestructuringPattern));
    else if (parent.type !== T.ObjectPattern && !(parent.type === T.AssignmentPattern && parent.left === current)) return ['\u0000'];
    current = parent;
  }
  return path;
}
