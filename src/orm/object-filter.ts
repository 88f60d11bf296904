/**
 * The one evaluator of object-shaped filters, shared by every ORM whose `where` is an object of
 * conjuncts: Prisma (`{ orgId, OR: [...] }`), Drizzle's relational API, TypeORM (`{ tenantId }`
 * and arrays as OR), Sequelize (`{ tenantId, [Op.or]: [...] }`), Mongoose (`{ tenantId, $or }`)
 * and Knex (`.where({ tenant_id })`). Each ORM describes its dialect; the logic of "any conjunct
 * scopes, every disjunct must" lives here once.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { enclosingFunction, memberName, propertyName, T, textOf, unwrap, walk, type FileUnit, type Node } from '../core/ast.js';
import type { Located } from '../core/resolve.js';
import { credentialScope, type AnalysisContext, type Predicate } from '../core/query-site.js';
import { isCredentialColumn, pinsTenant, type Table } from '../core/schema.js';
import { assignedKeys, pushesTo, writtenOnEveryPath, type AssignedKey } from '../flow/filled.js';

export const MAX_FILTER_DEPTH = 10;

/**
 * A field of the tenant root that names one tenant, for a relation filter on the root
 * (`where: { organization: { paymentId: customerId } }`): its primary key or a single-column unique
 * field, or an identifier (`paymentId`, `stripe_customer_id`) with its own single-column index, an
 * external id of the tenant. Returns how the schema says so, for the evidence; undefined for a flag
 * or a name, which many tenants share.
 */
export function rootPinningField(root: Table, name: string): string | undefined {
  if (root.primaryKey.length === 1 && root.primaryKey[0] === name) return `its primary key \`${name}\``;
  if (root.uniques.some((u) => u.fields.length === 1 && u.fields[0] === name)) return `its unique field \`${name}\``;
  if (/[a-z](Id|_id)$/.test(name) && root.indexes.some((i) => i.length === 1 && i[0] === name)) return `\`${name}\`, an identifier of the tenant with its own index`;
  return undefined;
}

export interface ObjectFilterDialect {
  /** Keys whose value is a list (or an object) of conjuncts: `AND`, `$and`, `Op.and`. */
  and: readonly string[];
  /** Keys whose value is a list of disjuncts: `OR`, `$or`, `Op.or`. */
  or: readonly string[];
  /** Keys that negate or otherwise do not constrain (skipped, never scoping): `NOT`, `$nor`. */
  ignored?: readonly string[];
  /** The name of a key; a dialect with symbol keys (`[Op.and]`) resolves computed keys here. */
  keyName?(property: TSESTree.Property, unit: FileUnit): string | undefined;
  /** Does the value given to a tenant key pin it to one tenant (`x`, `{ equals: x }`, `{ $in: xs }`)? */
  valueConstrains(value: Node): boolean;
  /** A branch of an `AND`/`OR` list, a non-array `AND`, or a spread: evaluated as a whole filter. */
  branch(node: Node, unit: FileUnit, table: Table, context: AnalysisContext, depth: number): Predicate;
  /** Dialect-specific keys (relation filters, membership...), tried after the tenant key and credentials. */
  other?(name: string, value: Node, unit: FileUnit, table: Table, context: AnalysisContext, depth: number): Predicate | undefined;
  /** Whether `AND: {...}` (an object, not a list) is accepted as one conjunct. */
  andAcceptsObject?: boolean;
  /** Spreads are evaluated as conjuncts (`...tenantWhere(orgId)`); otherwise they are not analysable. */
  evaluateSpreads?: boolean;
  /** The word for the filter in messages: `where`, `filter`. */
  noun?: string;
}

/** How one ORM reads the parts of a filter expression that are its own. */
export interface FilterExpressionHooks {
  /** An object filter; `assigned` are the keys written into it after it was made (`where.orgId = x`). */
  object(node: TSESTree.ObjectExpression, unit: FileUnit, depth: number, assigned?: AssignedKey[]): Predicate;
  /**
   * A filter array the function filled with `push` (`const parts = []; parts.push({ ... }); find({ where: parts })`):
   * each element pushed, and whether one is pushed on every path to `use`.
   */
  pushed?(elements: Node[], use: TSESTree.Identifier, alwaysOne: boolean, unit: FileUnit, depth: number): Predicate;
  /** `where: tenantWhere(id)`: a helper's result. */
  call(node: TSESTree.CallExpression, unit: FileUnit, depth: number): Predicate;
  /** Anything else the ORM gives a meaning (TypeORM: an array is an OR, a literal a primary key). */
  other?(node: Node, unit: FileUnit, depth: number): Predicate | undefined;
}

/**
 * A filter as an expression: an object literal, a const that holds one (in this file or
 * another), a helper call, a conditional whose both arms must scope. A parameter cannot be read.
 */
export function evaluateFilterExpression(where: Node, unit: FileUnit, context: AnalysisContext, hooks: FilterExpressionHooks, depth = 0): Predicate {
  if (depth > MAX_FILTER_DEPTH) return { kind: 'unknown', reason: 'filter nested too deeply' };
  const node = unwrap(where);
  switch (node.type) {
    case T.ObjectExpression:
      return hooks.object(node, unit, depth);
    case T.CallExpression:
      return hooks.call(node, unit, depth);
    case T.Identifier: {
      if (node.name === 'undefined') return { kind: 'unscoped', detail: '`where` is undefined' };
      const binding = context.resolver.bindingOf(node, unit, depth + 1);
      if (binding.kind === 'value') {
        const filled = binding.value.unit === unit ? filledFilter(node, binding.value.node, unit, hooks, depth) : undefined;
        return filled ?? evaluateFilterExpression(binding.value.node, binding.value.unit, context, hooks, depth + 1);
      }
      if (binding.kind === 'parameter') return { kind: 'unknown', reason: `the filter comes from the parameter \`${node.name}\`` };
      return { kind: 'unknown', reason: binding.kind === 'unknown' ? binding.reason : `\`${node.name}\` is a ${binding.kind}` };
    }
    case T.ConditionalExpression: {
      const a = evaluateFilterExpression(node.consequent, unit, context, hooks, depth + 1);
      const b = evaluateFilterExpression(node.alternate, unit, context, hooks, depth + 1);
      return conditional(node, a, b, isEmptyFilter);
    }
    default:
      return hooks.other?.(node, unit, depth) ?? { kind: 'unknown', reason: `the filter is a ${node.type}` };
  }
}

/**
 * A filter the function builds before the query: an object literal it writes keys into
 * (`where.projectId = ...` in both arms of an `if`/`else`, openpanel's listReferences), or an empty
 * array it pushes filter objects into (laudspeaker's `whereOrParts`). Undefined when nothing was
 * added, or when the additions cannot all be seen: then the literal alone is read.
 */
function filledFilter(use: TSESTree.Identifier, value: Node, unit: FileUnit, hooks: FilterExpressionHooks, depth: number): Predicate | undefined {
  const literal = unwrap(value);
  if (literal.type === T.ObjectExpression) {
    const assigned = assignedKeys(use, unit, use);
    return assigned?.length ? hooks.object(literal, unit, depth + 1, assigned) : undefined;
  }
  if (literal.type === T.ArrayExpression && literal.elements.length === 0 && hooks.pushed) {
    const pushes = pushesTo(use, unit, use)?.filter((push) => push.call.range[0] < use.range[0]);
    if (!pushes?.length) return undefined;
    const alwaysOne = pushes.some((push) => writtenOnEveryPath(push.call, use, (statement) => statement.type === T.ExpressionStatement && unwrap(statement.expression) === push.call));
    return hooks.pushed(pushes.map((push) => push.value), use, alwaysOne, unit, depth + 1);
  }
  return undefined;
}

/**
 * `cond ? <filter> : <other>`: both arms must scope. When one arm scopes and the other adds nothing
 * (`{}`, `undefined`), the filter has the tenant only when the condition holds: scoped, with the
 * condition recorded, so the policy can say that the call reads every tenant when it does not.
 */
export function conditional(node: TSESTree.ConditionalExpression, a: Predicate, b: Predicate, isEmpty: (arm: Node) => boolean): Predicate {
  if (a.kind === 'scoped' && b.kind === 'scoped') return a;
  if (a.kind === 'scoped' && !a.condition && isEmpty(node.alternate)) return { ...a, condition: node.test };
  if (b.kind === 'scoped' && !b.condition && isEmpty(node.consequent)) return { ...b, condition: node.test };
  return a.kind === 'scoped' ? b : a;
}

/** `{}`, `undefined`, `null`: an arm that adds no condition. */
export function isEmptyFilter(arm: Node): boolean {
  const inner = unwrap(arm);
  return (inner.type === T.ObjectExpression && inner.properties.length === 0) || isNullish(inner);
}

/** A scoping result that holds on every path (not conditional, not possibly undefined). */
function strong(result: Predicate): boolean {
  return result.kind === 'scoped' && !result.condition && !result.mayBeUndefined;
}

/** Any scoping conjunct scopes (one that holds on every path first); otherwise a bypass, then an unknown, explains why not. */
export function combineAnd(results: Predicate[], empty = 'no condition has the tenant key'): Predicate {
  const scoped = results.find(strong) ?? results.find((r) => r.kind === 'scoped');
  if (scoped) return scoped;
  return results.find((r) => r.kind === 'or-bypass') ?? results.find((r) => r.kind === 'unknown') ?? { kind: 'unscoped', detail: empty };
}

/** An `OR` scopes only when every branch does; a branch without the key reaches other tenants. */
export function combineOr(branches: { node: Node; predicate: Predicate }[], empty = 'no `OR` branch has the tenant key'): Predicate {
  const scoped = branches.filter((b) => b.predicate.kind === 'scoped');
  const unknown = branches.find((b) => b.predicate.kind === 'unknown');
  const leaking = branches.find((b) => b.predicate.kind === 'unscoped' || b.predicate.kind === 'or-bypass');
  const first = scoped[0];
  if (first && scoped.length === branches.length) return first.predicate;
  // `OR: [{ id: { in: baseIds } }, { spaceId: { in: spaceIds } }]` with both lists destructured from
  // one membership lookup: the ids are the caller's access list, as the tenant ids are.
  const bypassing = branches.filter((b) => (b.predicate.kind === 'unscoped' || b.predicate.kind === 'or-bypass') && !scoped.some((s) => sameLookup(b.node, s.predicate)));
  if (first && !unknown && bypassing.length === 0) return first.predicate;
  if (leaking && scoped.length > 0) return { kind: 'or-bypass', branch: (bypassing[0] ?? leaking).node };
  if (unknown) return unknown.predicate;
  return { kind: 'unscoped', detail: empty };
}

/**
 * Do the values a branch filters by come from the same lookup as the tenant value of a scoped
 * branch: names of one destructuring of a call's result (`const { spaceIds, baseIds } = await
 * access(userId)`), or members of one call's result (`access.baseIds`, `access.spaceIds`), in the
 * enclosing function? Table objects (`invoices.id`) are not lookups and are ignored.
 */
function sameLookup(branch: Node, scoped: Predicate): boolean {
  if (scoped.kind !== 'scoped' || !scoped.value) return false;
  const fn = enclosingFunction(branch);
  if (!fn) return false;
  const lookups = new Map<string, Node>();
  walk(fn.body ?? fn, (node) => {
    if (node.type !== T.VariableDeclarator || !node.init) return;
    const init = node.init.type === T.AwaitExpression ? node.init.argument : node.init;
    if (init.type !== T.CallExpression) return;
    if (node.id.type === T.Identifier) lookups.set(node.id.name, node);
    else if (node.id.type === T.ObjectPattern) {
      for (const p of node.id.properties) {
        const target = p.type === T.Property ? (p.value.type === T.AssignmentPattern ? p.value.left : p.value) : undefined;
        if (target?.type === T.Identifier) lookups.set(target.name, node);
      }
    }
  });
  const sources = (node: Node): { all: boolean; found: Set<Node> } => {
    const found = new Set<Node>();
    let all = true;
    walk(node, (child) => {
      if (child.type !== T.Identifier) return;
      const parent = child.parent;
      if (parent?.type === T.Property && parent.key === child && !parent.shorthand) return;
      if (parent?.type === T.MemberExpression && parent.property === child && !parent.computed) return;
      const lookup = lookups.get(child.name);
      if (lookup) found.add(lookup);
      // A plain variable that is not a lookup's (a parameter: the caller's list) breaks the claim; a table object's member does not.
      else if (!(parent?.type === T.MemberExpression && parent.object === child) && !(parent?.type === T.CallExpression && parent.callee === child)) all = false;
    });
    return { all, found };
  };
  const mine = sources(branch);
  if (!mine.all || mine.found.size === 0) return false;
  const tenant = sources(scoped.value).found;
  return [...mine.found].every((lookup) => tenant.has(lookup));
}

/** Every alternative (each returned expression, each arm of a conditional) must scope. */
export function combineAll(results: Predicate[], empty: string): Predicate {
  if (results.length === 0) return { kind: 'unknown', reason: empty };
  return results.find((r) => r.kind !== 'scoped') ?? results[0] ?? { kind: 'unknown', reason: empty };
}

/** Follows a filter value to the object literal it is, across consts in this file and others. */
export function resolveObject(node: Node, unit: FileUnit, context: AnalysisContext, depth = 0): Located<TSESTree.ObjectExpression> | undefined {
  if (depth > MAX_FILTER_DEPTH) return undefined;
  const value = unwrap(node);
  if (value.type === T.ObjectExpression) return { node: value, unit };
  if (value.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(value, unit, depth + 1);
  return binding.kind === 'value' ? resolveObject(binding.value.node, binding.value.unit, context, depth + 1) : undefined;
}

/** Top-level keys of an object filter with the source text of their values (`QuerySite.whereKeys`), spreads included. */
export function whereKeysOf(object: TSESTree.ObjectExpression, unit: FileUnit, keyName: (property: TSESTree.Property) => string | undefined = propertyName): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const property of object.properties) {
    if (property.type === T.SpreadElement) {
      Object.assign(keys, spreadKeys(property.argument, unit, keyName));
      continue;
    }
    const name = keyName(property);
    if (name !== undefined) keys[name] = textOf(unit, property.value).replace(/\s+/g, '');
  }
  return keys;
}

/**
 * The keys a spread puts on a filter whatever path runs: an object literal's keys; for
 * `...(cond ? { id: row.id } : { id })` the keys of both branches (postiz: not an empty filter),
 * for `...(cond ? { id } : {})` or `...(cond && { id })` none, since the filter lacks them when
 * the condition fails. A key with different values on the branches keeps both texts.
 */
export function spreadKeys(argument: Node, unit: FileUnit, keyName: (property: TSESTree.Property) => string | undefined = propertyName, depth = 0): Record<string, string> {
  const node = unwrap(argument);
  if (depth > 4) return {};
  if (node.type === T.ObjectExpression) return whereKeysOf(node, unit, keyName);
  if (node.type !== T.ConditionalExpression) return {};
  const a = spreadKeys(node.consequent, unit, keyName, depth + 1);
  const b = spreadKeys(node.alternate, unit, keyName, depth + 1);
  const both: Record<string, string> = {};
  for (const [key, value] of Object.entries(a)) {
    const other = b[key];
    if (other !== undefined) both[key] = other === value ? value : `${value}|${other}`;
  }
  return both;
}

export function isUndefinedNode(node: Node): boolean {
  const inner = unwrap(node);
  return inner.type === T.Identifier && inner.name === 'undefined';
}

/** `undefined` and `null` never pin a tenant: Prisma and TypeORM drop an undefined key from the filter. */
export function isNullish(node: Node): boolean {
  const inner = unwrap(node);
  return isUndefinedNode(inner) || (inner.type === T.Literal && inner.value === null);
}

/**
 * Decides whether an object filter constrains `table` to one tenant: the object is a conjunction,
 * so one scoping key is enough; an `OR` list scopes only when every branch does.
 */
export function evaluateFilterObject(
  node: TSESTree.ObjectExpression,
  unit: FileUnit,
  table: Table,
  context: AnalysisContext,
  dialect: ObjectFilterDialect,
  depth: number,
  assigned: AssignedKey[] = [],
): Predicate {
  if (depth > MAX_FILTER_DEPTH) return { kind: 'unknown', reason: 'filter nested too deeply' };
  const noun = dialect.noun ?? 'where';
  let unknown: Predicate | undefined;
  let orBypass: Predicate | undefined;
  let weak: Predicate | undefined;
  // `orgId: { not: x }`: the tenant key is there but does not pin a tenant; say so, not "by id alone".
  let unpinnedKey: Predicate | undefined;
  const keysSeen: string[] = [];
  const note = (result: Predicate | undefined): Predicate | undefined => {
    // A key whose value may be undefined scopes only if nothing better does.
    if (result?.kind === 'scoped' && (result.mayBeUndefined || result.condition)) weak ??= result;
    else if (result?.kind === 'scoped') return result;
    if (result?.kind === 'unscoped' && result.detail.endsWith('is not compared for equality')) unpinnedKey ??= result;
    if (result?.kind === 'or-bypass') orBypass ??= result;
    if (result?.kind === 'unknown') unknown ??= result;
    return undefined;
  };
  for (const property of node.properties) {
    if (property.type === T.SpreadElement) {
      const result = dialect.evaluateSpreads ? dialect.branch(property.argument, unit, table, context, depth + 1) : { kind: 'unknown' as const, reason: 'a spread in the filter' };
      const scoped = note(result);
      if (scoped) return scoped;
      keysSeen.push(...Object.keys(spreadKeys(property.argument, unit, (p) => (dialect.keyName ? dialect.keyName(p, unit) : propertyName(p)))));
      continue;
    }
    const name = dialect.keyName ? dialect.keyName(property, unit) : propertyName(property);
    if (!name) {
      unknown ??= { kind: 'unknown', reason: 'a computed key in the filter' };
      continue;
    }
    keysSeen.push(name);
    const scoped = note(evaluateKey(name, property.value, unit, table, context, dialect, depth));
    if (scoped) return scoped;
  }
  // Keys written after the object was made: one scopes only when every path writes it; any may bypass.
  const somePaths: string[] = [];
  for (const { key, value, definite } of assigned) {
    const result = evaluateKey(key, value, unit, table, context, dialect, depth);
    if (result?.kind === 'scoped' && !definite) {
      if (!somePaths.includes(key)) somePaths.push(key);
      continue;
    }
    keysSeen.push(key);
    const scoped = note(result);
    if (scoped?.kind === 'scoped') return { ...scoped, via: `${scoped.via}, written into \`${textOf(unit, assignedObject(value))}\` on every path` };
  }
  if (weak) return weak;
  if (orBypass) return orBypass;
  if (unknown) return unknown;
  if (unpinnedKey) return unpinnedKey;
  const seen = [...new Set(keysSeen)].filter((key) => !somePaths.includes(key));
  let detail = seen.length ? `\`${noun}\` filters only on ${seen.map((k) => `\`${k}\``).join(', ')}` : `\`${noun}\` is empty`;
  if (somePaths.length) detail += `; ${somePaths.map((k) => `\`${k}\``).join(', ')} ${somePaths.length === 1 ? 'is' : 'are'} written into it on some paths only`;
  return { kind: 'unscoped', detail };
}

/** `where` in `where.projectId = value`, from the value. */
function assignedObject(value: Node): Node {
  const assignment = value.parent;
  return assignment?.type === T.AssignmentExpression && assignment.left.type === T.MemberExpression ? assignment.left.object : value;
}

function evaluateKey(name: string, value: Node, unit: FileUnit, table: Table, context: AnalysisContext, dialect: ObjectFilterDialect, depth: number): Predicate | undefined {
  if (pinsTenant(table, name)) {
    if (!dialect.valueConstrains(value)) return { kind: 'unscoped', detail: `\`${name}\` is not compared for equality` };
    return { kind: 'scoped', via: `\`${name}\``, value, ...(context.unit.types?.mayBeUndefined(value) ? { mayBeUndefined: true } : {}) };
  }
  if (isCredentialColumn(table, name)) return credentialScope(name);
  if (isParentKeyFromRow(table, name, value, unit, context, depth)) return { kind: 'scoped', via: `\`${name}\` taken from a loaded parent row` };
  if (isOwnKeyFromRow(table, name, value, unit, context, depth)) return { kind: 'scoped', via: `\`${name}\` of a row an earlier query loaded` };
  if (dialect.ignored?.includes(name)) return undefined;
  if (dialect.and.includes(name)) return evaluateAnd(name, value, unit, table, context, dialect, depth);
  if (dialect.or.includes(name)) return evaluateOr(name, value, unit, table, context, dialect, depth);
  return dialect.other?.(name, value, unit, table, context, depth);
}

function evaluateAnd(name: string, value: Node, unit: FileUnit, table: Table, context: AnalysisContext, dialect: ObjectFilterDialect, depth: number): Predicate {
  const node = unwrap(value);
  if (node.type !== T.ArrayExpression) {
    return dialect.andAcceptsObject ? dialect.branch(node, unit, table, context, depth + 1) : { kind: 'unknown', reason: `\`${name}\` is not an array literal` };
  }
  const results = node.elements.flatMap((element) => {
    if (!element) return [];
    if (element.type === T.SpreadElement) return [{ kind: 'unknown' as const, reason: `a spread inside \`${name}\`` }];
    return [dialect.branch(element, unit, table, context, depth + 1)];
  });
  return combineAnd(results, `no \`${name}\` branch has the tenant key`);
}

function evaluateOr(name: string, value: Node, unit: FileUnit, table: Table, context: AnalysisContext, dialect: ObjectFilterDialect, depth: number): Predicate {
  const node = unwrap(value);
  if (node.type !== T.ArrayExpression) return { kind: 'unknown', reason: `\`${name}\` is not an array literal` };
  const branches = node.elements.flatMap((element) => {
    if (!element) return [];
    if (element.type === T.SpreadElement) return [{ node: element as Node, predicate: { kind: 'unknown' as const, reason: `a spread inside \`${name}\`` } }];
    return [{ node: element as Node, predicate: dialect.branch(element, unit, table, context, depth + 1) }];
  });
  return combineOr(branches, `no \`${name}\` branch has the tenant key`);
}

/**
 * Id provenance: a row filtered by its parent's key taken from a row (`envelopeId: envelope.id`,
 * where `envelope` holds the result of a single-row query) inherits the scope of the query that
 * loaded the parent, which is checked at its own site. A bare `envelopeId` parameter, or
 * `params.id`, does not.
 */
export function isParentKeyFromRow(table: Table, name: string, value: Node, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  // The key must be a foreign key to a table that is itself tenant data: its row was loaded scoped.
  const relation = [...table.relations.values()].find((r) => !r.isList && r.fields.length === 1 && r.fields[0] === name);
  const target = relation ? context.schema.tables.get(relation.target) : undefined;
  if (target?.class !== 'tenant' && target?.class !== 'child') return false;
  const loaded = loadedRow(value, unit, context, depth);
  return loaded !== undefined && ['id', '_id', ...(relation?.references ?? [])].includes(loaded.key);
}

/**
 * The same row again: `update({ where: { id: folder.id } })` after `const folder = await
 * prisma.folder.findFirst({ where: { id, team: teamOf(user) } })`. The id can only name the row
 * that read returned, and that read is checked (or counted as not analysable) at its own site.
 */
export function isOwnKeyFromRow(table: Table, name: string, value: Node, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  const unique = [...table.primaryKey, ...table.uniques.filter((u) => u.fields.length === 1).map((u) => u.fields[0])];
  if (!unique.includes(name) && !(name === '_id' && unique.includes('id'))) return false;
  const loaded = loadedRow(value, unit, context, depth);
  if (!loaded || (loaded.key !== name && !(['id', '_id'].includes(loaded.key) && ['id', '_id'].includes(name)))) return false;
  // The recognizers come with the context (importing the registry here would be an import cycle).
  const rowContext = { ...context, unit: loaded.unit };
  for (const recognizer of context.recognizers ?? []) {
    const site = recognizer.recognize(loaded.call, rowContext);
    if (site) return site.table === table && site.operation !== 'insert';
  }
  return false;
}

/** `row.key`, where `row` holds the result of a single-row query: the query and the key. */
function loadedRow(value: Node, unit: FileUnit, context: AnalysisContext, depth: number): { call: TSESTree.CallExpression; unit: FileUnit; key: string } | undefined {
  const node = unwrap(value);
  if (node.type !== T.MemberExpression) return undefined;
  const key = memberName(node);
  const object = unwrap(node.object);
  if (!key || object.type !== T.Identifier) return undefined;
  const row = rowQueryOf(object, unit, context, depth);
  return row ? { ...row, key } : undefined;
}

/**
 * `row` itself, holding the result of a single-row query: what an entity-valued relation filter
 * (MikroORM `{ invoice: invoiceRow }`) is keyed by.
 */
export function isLoadedRow(value: Node, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  const node = unwrap(value);
  return node.type === T.Identifier && rowQueryOf(node, unit, context, depth) !== undefined;
}

function rowQueryOf(object: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number): { call: TSESTree.CallExpression; unit: FileUnit } | undefined {
  const binding = context.resolver.bindingOf(object, unit, depth + 1);
  if (binding.kind !== 'value') return undefined;
  let init = unwrap(binding.value.node);
  // Links that hand the row through: Mongoose `.select('_id').lean()`, a promise's `.catch(...)`.
  while (init.type === T.CallExpression && init.callee.type === T.MemberExpression && PASS_THROUGH.has(memberName(init.callee) ?? '')) init = unwrap(init.callee.object);
  if (init.type !== T.CallExpression) return undefined;
  const callee = unwrap(init.callee);
  if (callee.type !== T.MemberExpression || !ROW_RETURNING.has(memberName(callee) ?? '')) return undefined;
  return { call: init, unit: binding.value.unit };
}

const PASS_THROUGH = new Set(['lean', 'select', 'exec', 'populate', 'orFail', 'session', 'catch']);

/** Methods of every supported ORM that return one row. */
const ROW_RETURNING = new Set([
  // Prisma
  'findFirst', 'findFirstOrThrow', 'findUnique', 'findUniqueOrThrow', 'create', 'update', 'upsert',
  // TypeORM
  'findOne', 'findOneBy', 'findOneOrFail', 'findOneByOrFail', 'save', 'getOne', 'getOneOrFail',
  // Sequelize, Mongoose
  'findByPk', 'findById', 'findOneAndUpdate', 'findByIdAndUpdate',
  // Knex, Kysely
  'first', 'executeTakeFirst', 'executeTakeFirstOrThrow',
]);
