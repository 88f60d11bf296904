/**
 * TypeORM query builders: `repo.createQueryBuilder('t').where(...).andWhere(...).getMany()`,
 * `manager.createQueryBuilder(E, 't')`, `.update().set().where()`, `.delete().from(E)`, with the
 * builder often kept in a variable and extended statement by statement. The site is the terminal
 * call (`getMany`, `execute`...); the conditions are every `.where/.andWhere/.orWhere` the builder
 * received before it, in source order.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { enclosingFunction, memberName, T, textOf, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext, Operation, Predicate, QuerySite } from '../core/query-site.js';
import { returnedExpressions } from '../core/resolve.js';
import type { Table } from '../core/schema.js';
import { combineAnd, combineOr } from './object-filter.js';
import { entityTable, receiverOf, type Receiver } from './typeorm-receiver.js';
import { calleeName, evaluateSqlCondition, evaluateWhere, type AliasScope } from './typeorm-where.js';

const MAX_DEPTH = 8;
export const TERMINALS = new Set([
  'getMany', 'getOne', 'getOneOrFail', 'getRawMany', 'getRawOne', 'getCount', 'getManyAndCount', 'getRawAndEntities', 'getExists', 'execute', 'stream',
  // `.relation('channels').of(order).loadMany()`: the rows related to one entity.
  'loadOne', 'loadMany',
]);
/** `.relation('payments').of(order).add(payment)`: links (or unlinks) related rows of one entity. */
export const RELATION_WRITES = new Set(['add', 'remove', 'set', 'addAndRemove']);
const JOINS = /^(inner|left)Join(AndSelect|AndMapOne|AndMapMany)?$/;
const WHERES = new Set(['where', 'andWhere', 'orWhere', 'whereInIds', 'andWhereInIds', 'orWhereInIds']);

interface Link {
  name: string;
  call: TSESTree.CallExpression;
  unit: FileUnit;
}

/** Something done to the builder, in source order: a chained call, or the builder passed to a function. */
type Event = { kind: 'link'; link: Link } | { kind: 'helper'; name: string; node: Node } | { kind: 'escape'; name: string; node: Node };

interface Builder {
  receiver: Receiver;
  receiverText: string;
  create: Link;
  events: Event[];
}

/** The terminal call of a query builder, as a query site; undefined when the builder is not TypeORM's. */
export function builderSite(call: TSESTree.CallExpression, terminal: string, context: AnalysisContext): QuerySite | undefined {
  const builder = builderOf(call, context.unit, context, 0);
  if (!builder) return undefined;
  const links = builder.events.flatMap((e) => (e.kind === 'link' ? [e.link] : []));
  const operation = operationOf(links);
  const table = tableOf(builder, links, context);
  if (!table) return undefined;
  const { unit } = context;
  const callee = unwrap(call.callee);
  const site: QuerySite = {
    orm: 'typeorm',
    table,
    operation,
    method: terminal,
    callee,
    calleeText: `${builder.receiverText}.createQueryBuilder(${builder.create.call.arguments.map((a) => textOf(builder.create.unit, a)).join(', ')})...${terminal}`,
    call,
    client: { kind: 'client', scoped: builder.receiver.scoped, how: builder.receiver.how },
    predicate: { kind: 'scoped', via: 'an insert has no filter' },
    nested: [],
  };
  const dataLink = [...links].reverse().find((l) => l.name === (operation === 'insert' ? 'values' : 'set'));
  const data = dataLink?.call.arguments[0];
  if (data && data.type !== T.SpreadElement && (operation === 'insert' || operation === 'update')) site.data = data;
  if (operation === 'insert') return site;
  const relation = links.find((l) => l.name === 'relation');
  if (relation) {
    // Related rows reached from one entity (`of(order)`): as scoped as that entity, which is not traced here.
    const of = links.find((l) => l.name === 'of')?.call.arguments[0];
    site.predicate = { kind: 'unknown', reason: `\`.relation(...).of(${of ? textOf(unit, of) : ''})\` loads the rows related to one entity: they are as scoped as that entity` };
    return site;
  }
  const scope = aliasScope(builder, links, table, context);
  site.predicate = predicateOf(builder.events, scope, unit);
  if (links.every((l) => l.unit === unit)) site.whereKeys = equalityKeys(links, scope, unit);
  site.fix = builderFix(table, scope.mainAlias ?? 't', context);
  return site;
}

/** The links of a chain, innermost first, and what the chain starts from. */
function linksOf(expression: Node, unit: FileUnit): { links: Link[]; base: Node } {
  const links: Link[] = [];
  let current = unwrap(expression);
  for (let i = 0; i < 60 && current.type === T.CallExpression; i++) {
    const callee = unwrap(current.callee);
    if (callee.type !== T.MemberExpression) break;
    const name = memberName(callee);
    if (!name) break;
    links.push({ name, call: current, unit });
    current = unwrap(callee.object);
  }
  return { links: links.reverse(), base: current };
}

/** Follows a builder expression back to its `createQueryBuilder` call, collecting what was done to it. */
function builderOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth: number): Builder | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const { links, base } = linksOf(expression, unit);
  const createAt = links.findIndex((l) => l.name === 'createQueryBuilder');
  if (createAt >= 0) {
    const create = links[createAt];
    const receiverNode = create ? unwrap(create.call.callee) : undefined;
    if (!create || receiverNode?.type !== T.MemberExpression) return undefined;
    const receiver = receiverOf(receiverNode.object, unit, context, depth + 1);
    if (!receiver) return undefined;
    return { receiver, receiverText: textOf(unit, receiverNode.object), create, events: links.slice(createAt + 1).map((link) => ({ kind: 'link', link })) };
  }
  // `this.baseQuery(tenantId).andWhere(...)`: the first "link" is a method of the class returning a builder.
  const first = links[0];
  const fromMethod = base.type === T.ThisExpression && first ? { prefix: baseBuilder(first.call, unit, context, depth), rest: links.slice(1) } : undefined;
  const prefix = fromMethod ? fromMethod.prefix : baseBuilder(base, unit, context, depth);
  if (!prefix) return undefined;
  prefix.events.push(...(fromMethod ? fromMethod.rest : links).map((link): Event => ({ kind: 'link', link })));
  return prefix;
}

/** What a chain starts from when it is not `createQueryBuilder` itself: a variable, a helper, a function's result. */
function baseBuilder(base: Node, unit: FileUnit, context: AnalysisContext, depth: number): Builder | undefined {
  if (base.type === T.Identifier) return variableBuilder(base, unit, context, depth);
  if (base.type !== T.CallExpression) return undefined;
  const callee = unwrap(base.callee);
  const name = calleeName(callee);
  // `applyTenant(repo.createQueryBuilder('t'), tenantId)`: a configured helper that filters the builder it is given.
  if (name && (context.config.filterHelpers ?? []).includes(name)) {
    for (const arg of base.arguments) {
      const inner = arg.type === T.SpreadElement ? undefined : builderOf(arg, unit, context, depth + 1);
      if (inner) {
        inner.events.push({ kind: 'helper', name, node: base });
        return inner;
      }
    }
    return undefined;
  }
  // `this.baseQuery(tenantId).andWhere(...)`, `baseQuery(tenantId)`: a project function that returns a builder.
  const fn = functionOf(callee, unit, context, depth);
  if (!fn) return undefined;
  const returned = returnedExpressions(fn.node);
  if (returned.length !== 1 || !returned[0]) return undefined;
  return builderOf(returned[0], fn.unit, context, depth + 1);
}

function functionOf(callee: Node, unit: FileUnit, context: AnalysisContext, depth: number): { node: TSESTree.FunctionLike; unit: FileUnit } | undefined {
  if (callee.type === T.Identifier) {
    const binding = context.resolver.bindingOf(callee, unit, depth + 1);
    return binding.kind === 'function' ? binding.fn : undefined;
  }
  if (callee.type !== T.MemberExpression || unwrap(callee.object).type !== T.ThisExpression) return undefined;
  const name = memberName(callee);
  let body: Node | undefined = callee.parent;
  while (body && body.type !== T.ClassBody) body = body.parent;
  if (body?.type !== T.ClassBody) return undefined;
  for (const member of body.body) {
    if (member.type === T.MethodDefinition && member.kind === 'method' && !member.computed && member.key.type === T.Identifier && member.key.name === name) return { node: member.value, unit };
  }
  return undefined;
}

/**
 * `const qb = repo.createQueryBuilder('t')...; if (x) qb.andWhere(...); this.addTenantFilter(qb); qb.getMany()`:
 * the builder's initial chain, then every use of the variable before the terminal call, in order.
 */
function variableBuilder(identifier: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number): Builder | undefined {
  const variable = variableOf(unit.scopeManager, identifier);
  const def = variable?.defs[0];
  if (!variable || def?.type !== 'Variable' || def.node.id.type !== T.Identifier || !def.node.init) return undefined;
  const builder = builderOf(def.node.init, unit, context, depth + 1);
  if (!builder) return undefined;
  const fn = enclosingFunction(identifier);
  const seen = new Set<Node>();
  for (const reference of variable.references) {
    const ref = reference.identifier;
    if (ref === def.node.id || ref.range[0] >= identifier.range[0] || enclosingFunction(ref) !== fn) continue;
    const use = useOf(ref as TSESTree.Identifier, unit, context);
    if (!use || seen.has(use.node)) continue;
    seen.add(use.node);
    builder.events.push(...use.events);
  }
  return builder;
}

/** One use of a builder variable: a chain of calls on it, or the variable passed to a function. */
function useOf(ref: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext): { node: Node; events: Event[] } | undefined {
  const parent = ref.parent;
  if (parent?.type === T.MemberExpression && parent.object === ref && parent.parent?.type === T.CallExpression && parent.parent.callee === parent) {
    let outer: TSESTree.CallExpression = parent.parent;
    while (outer.parent?.type === T.MemberExpression && outer.parent.object === outer && outer.parent.parent?.type === T.CallExpression && outer.parent.parent.callee === outer.parent) {
      outer = outer.parent.parent;
    }
    return { node: outer, events: linksOf(outer, unit).links.map((link): Event => ({ kind: 'link', link })) };
  }
  if (parent?.type === T.CallExpression && parent.arguments.includes(ref)) {
    const name = calleeName(unwrap(parent.callee)) ?? textOf(unit, parent.callee);
    const helper = (context.config.filterHelpers ?? []).includes(name);
    return { node: parent, events: [{ kind: helper ? 'helper' : 'escape', name, node: parent }] };
  }
  return undefined;
}

function operationOf(links: Link[]): Operation {
  const names = new Set(links.map((l) => l.name));
  if (names.has('insert')) return 'insert';
  if (names.has('delete') || names.has('softDelete')) return 'delete';
  if (names.has('update') || names.has('restore')) return 'update';
  if (names.has('relation') && [...RELATION_WRITES].some((n) => names.has(n))) return 'update';
  return 'read';
}

/** The repository's entity, or the entity given to `createQueryBuilder(E, 't')`, `.from(E)`, `.update(E)`, `.into(E)`. */
function tableOf(builder: Builder, links: Link[], context: AnalysisContext): Table | undefined {
  if (builder.receiver.kind === 'repository') return builder.receiver.table;
  const candidates = [builder.create, ...links.filter((l) => ['from', 'update', 'into', 'delete', 'softDelete', 'restore'].includes(l.name))];
  for (const link of candidates) {
    const arg = link.call.arguments[0];
    const table = arg && arg.type !== T.SpreadElement ? entityTable(arg, link.unit, context) : undefined;
    if (table) return table;
  }
  return undefined;
}

/** The main alias, joined parents of a child table, and the named parameters. */
function aliasScope(builder: Builder, links: Link[], table: Table, context: AnalysisContext): AliasScope {
  const aliasArg = builder.receiver.kind === 'repository' ? builder.create.call.arguments[0] : builder.create.call.arguments[1] ?? links.find((l) => l.name === 'from')?.call.arguments[1];
  const mainAlias = aliasArg?.type === T.Literal && typeof aliasArg.value === 'string' ? aliasArg.value : undefined;
  const scope: AliasScope = { table, mainAlias, parents: new Map(), params: new Map(), context };
  for (const link of links) collectParams(link, scope);
  for (const link of links) if (JOINS.test(link.name)) addJoin(link, scope, context);
  return scope;
}

function collectParams(link: Link, scope: AliasScope): void {
  const args = link.call.arguments;
  if (link.name === 'setParameter') {
    const [name, value] = args;
    if (name?.type === T.Literal && typeof name.value === 'string' && value && value.type !== T.SpreadElement) scope.params.set(name.value, value);
    return;
  }
  const object = link.name === 'setParameters' ? args[0] : WHERES.has(link.name) ? args[1] : JOINS.test(link.name) ? args[3] : undefined;
  const node = object ? unwrap(object) : undefined;
  if (node?.type !== T.ObjectExpression) return;
  for (const property of node.properties) {
    if (property.type !== T.Property) continue;
    const key = property.key.type === T.Identifier ? property.key.name : property.key.type === T.Literal ? String(property.key.value) : undefined;
    if (key) scope.params.set(key, property.value);
  }
}

/**
 * `.innerJoin('m.ticket', 'ticket')` on a parent relation, or `.innerJoin(Ticket, 'ticket', 'ticket.id = m.ticketId')`:
 * the joined alias is the parent, and its tenant key scopes the child.
 */
function addJoin(link: Link, scope: AliasScope, context: AnalysisContext): void {
  const [target, aliasNode, condition] = link.call.arguments;
  const alias = aliasNode?.type === T.Literal && typeof aliasNode.value === 'string' ? aliasNode.value : undefined;
  if (!target || !alias || target.type === T.SpreadElement) return;
  const path = unwrap(target);
  if (path.type === T.Literal && typeof path.value === 'string') {
    const [from, relationName] = path.value.split('.');
    const owner = from === scope.mainAlias ? scope.table : from ? scope.parents.get(from) : undefined;
    if (!owner || !relationName || owner.class !== 'child' || !owner.parentRelations.includes(relationName)) return;
    const parent = context.schema.tables.get(owner.relations.get(relationName)?.target ?? '');
    if (parent) scope.parents.set(alias, parent);
    return;
  }
  const joined = entityTable(path, link.unit, context);
  if (!joined || scope.table.class !== 'child' || !scope.mainAlias) return;
  const relation = scope.table.parentRelations.map((r) => scope.table.relations.get(r)).find((r) => r?.target === joined.name && r.fields.length === 1);
  const on = condition && condition.type === T.Literal && typeof condition.value === 'string' ? condition.value : '';
  const fk = relation?.fields[0] ?? '';
  const fkColumn = scope.table.columns.get(fk)?.dbName ?? fk;
  const mentionsFk = new RegExp(String.raw`\b${escapeRegExp(scope.mainAlias)}\s*\.\s*"?(${escapeRegExp(fk)}|${escapeRegExp(fkColumn)})"?\b`).test(on) && new RegExp(String.raw`\b${escapeRegExp(alias)}\s*\.`).test(on);
  if (relation && mentionsFk) scope.parents.set(alias, joined);
}

/**
 * TypeORM writes `.where(a).andWhere(b).orWhere(c)` as `(a) AND (b) OR (c)`: OR groups of AND
 * runs. `.where` starts over. Each group must scope; an inner join whose own condition pins the
 * parent's tenant scopes every group.
 */
function predicateOf(events: Event[], scope: AliasScope, unit: FileUnit): Predicate {
  let groups: { node: Node; results: Predicate[] }[] = [];
  let escape: Extract<Event, { kind: 'escape' }> | undefined;
  let joinScoped: Predicate | undefined;
  for (const event of events) {
    if (event.kind === 'escape') {
      escape ??= event;
      continue;
    }
    if (event.kind === 'helper') {
      const scoped: Predicate = { kind: 'scoped', via: `\`${event.name}()\`, a configured filter helper` };
      if (groups.length === 0) groups.push({ node: event.node, results: [scoped] });
      else groups[groups.length - 1]?.results.push(scoped);
      continue;
    }
    const { link } = event;
    if (/^innerJoin/.test(link.name)) joinScoped ??= innerJoinCondition(link, scope);
    if (!WHERES.has(link.name)) continue;
    const arg = link.call.arguments[0];
    const result = /InIds$/.test(link.name)
      ? ({ kind: 'unscoped', detail: `\`.${link.name}()\` filters by primary key only` } as Predicate)
      : arg && arg.type !== T.SpreadElement
        ? condition(arg, link.unit, scope, 0)
        : ({ kind: 'unscoped', detail: `\`.${link.name}()\` has no condition` } as Predicate);
    const node: Node = arg ?? link.call;
    if (link.name === 'where' || link.name === 'whereInIds') groups = [{ node, results: [result] }];
    else if (link.name.startsWith('or') || groups.length === 0) groups.push({ node, results: [result] });
    else groups[groups.length - 1]?.results.push(result);
  }
  if (joinScoped) return joinScoped;
  const combined =
    groups.length === 0
      ? ({ kind: 'unscoped', detail: 'the query builder has no `.where`' } as Predicate)
      : groups.length === 1
        ? combineAnd(groups[0]?.results ?? [])
        : combineOr(groups.map((g) => ({ node: g.node, predicate: combineAnd(g.results) })), 'no `.where`/`.orWhere` group has the tenant key');
  if (combined.kind !== 'scoped' && escape) {
    return { kind: 'unknown', reason: `the builder is passed to \`${escape.name}()\`, which may add conditions (${textOf(unit, escape.node).slice(0, 60)})` };
  }
  return combined;
}

/** `.innerJoin('m.ticket', 'ticket', 'ticket.tenantId = :tenantId', { tenantId })`: the join drops other tenants' rows. */
function innerJoinCondition(link: Link, scope: AliasScope): Predicate | undefined {
  const [, aliasNode, on] = link.call.arguments;
  const alias = aliasNode?.type === T.Literal && typeof aliasNode.value === 'string' ? aliasNode.value : undefined;
  if (!alias || !scope.parents.has(alias) || on?.type !== T.Literal || typeof on.value !== 'string') return undefined;
  const result = evaluateSqlCondition(on.value, on, scope);
  return result.kind === 'scoped' ? { kind: 'scoped', via: `the inner join to \`${alias}\` (${result.via})` } : undefined;
}

/** A `.where` argument: a string condition, an object or array, `Brackets`, or a helper. */
function condition(arg: Node, unit: FileUnit, scope: AliasScope, depth: number): Predicate {
  if (depth > MAX_DEPTH) return { kind: 'unknown', reason: 'condition nested too deeply' };
  const node = unwrap(arg);
  if (node.type === T.Literal && typeof node.value === 'string') return evaluateSqlCondition(node.value, node, scope);
  if (node.type === T.TemplateLiteral) {
    if (node.expressions.length === 0) return evaluateSqlCondition(node.quasis.map((q) => q.value.cooked ?? '').join(''), node, scope);
    return { kind: 'unknown', reason: `the condition \`${textOf(unit, node)}\` is built at run time` };
  }
  if (node.type === T.ObjectExpression || node.type === T.ArrayExpression) return evaluateWhere(node, unit, scope.table, scope.context, depth + 1);
  if (node.type === T.NewExpression) return brackets(node, unit, scope);
  if (node.type === T.Identifier) {
    const binding = scope.context.resolver.bindingOf(node, unit, depth + 1);
    if (binding.kind === 'value') return condition(binding.value.node, binding.value.unit, scope, depth + 1);
    return { kind: 'unknown', reason: `the condition \`${node.name}\` cannot be followed` };
  }
  if (node.type === T.CallExpression) {
    const name = calleeName(unwrap(node.callee));
    if (name && (scope.context.config.filterHelpers ?? []).includes(name)) return { kind: 'scoped', via: `\`${name}()\`, a configured filter helper` };
  }
  return { kind: 'unknown', reason: `the condition \`${textOf(unit, node).slice(0, 60)}\` is not analysed` };
}

/** `new Brackets((qb) => { qb.where(...).orWhere(...) })`: a parenthesised group; `NotBrackets` negates it. */
function brackets(node: TSESTree.NewExpression, unit: FileUnit, scope: AliasScope): Predicate {
  const kind = calleeName(unwrap(node.callee));
  if (kind === 'NotBrackets') return { kind: 'unscoped', detail: '`NotBrackets` negates its conditions' };
  if (kind !== 'Brackets') return { kind: 'unknown', reason: `the condition \`new ${textOf(unit, node.callee)}()\` is not analysed` };
  const fn = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
  if ((fn?.type !== T.ArrowFunctionExpression && fn?.type !== T.FunctionExpression) || fn.params[0]?.type !== T.Identifier) {
    return { kind: 'unknown', reason: 'the `Brackets` callback cannot be read' };
  }
  const param = variableOf(unit.scopeManager, fn.params[0]);
  if (!param) return { kind: 'unknown', reason: 'the `Brackets` callback cannot be read' };
  const events: Event[] = [];
  const seen = new Set<Node>();
  for (const reference of param.references) {
    const use = useOf(reference.identifier as TSESTree.Identifier, unit, scope.context);
    if (!use || seen.has(use.node)) continue;
    seen.add(use.node);
    events.push(...use.events);
  }
  if (events.length === 0) return { kind: 'unscoped', detail: 'the `Brackets` group is empty' };
  return predicateOf(events, scope, unit);
}

const EQUALITY = /^(?:([A-Za-z_]\w*)\s*\.\s*)?"?([A-Za-z_]\w*)"?\s*=\s*:(\w+)$/;

/**
 * `.where('m.id = :id', { id })`: the columns pinned by equality in the AND conditions, with the
 * source text of their parameter, so that a write of the same row after this read is recognised.
 */
function equalityKeys(links: Link[], scope: AliasScope, unit: FileUnit): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const link of links) {
    const arg = link.call.arguments[0];
    if ((link.name !== 'where' && link.name !== 'andWhere') || arg?.type !== T.Literal || typeof arg.value !== 'string' || /\bOR\b/i.test(arg.value)) continue;
    for (const atom of arg.value.split(/(?<!\s)\s+AND\s+/i)) {
      const [, alias, column = '', param = ''] = EQUALITY.exec(atom.trim()) ?? [];
      const value = scope.params.get(param);
      if (!value || (alias !== undefined && alias !== scope.mainAlias)) continue;
      const field = scope.table.columns.has(column) ? column : [...scope.table.columns.values()].find((c) => c.dbName === column)?.name;
      if (field) keys[field] = textOf(unit, value).replace(/\s+/g, '');
    }
  }
  return keys;
}

/** The fix in query-builder syntax: `.andWhere('t.tenantId = :tenantId', { tenantId })`, or a join to the parent. */
function builderFix(table: Table, alias: string, context: AnalysisContext): QuerySite['fix'] {
  if (table.class === 'child') {
    const relation = table.parentRelations[0] ?? 'parent';
    const parent = context.schema.tables.get(table.relations.get(relation)?.target ?? '');
    const key = parent?.tenantKeys[0] ?? (parent && parent.name === context.schema.root ? (parent.primaryKey[0] ?? 'id') : 'tenantId');
    return {
      missing: `Join the parent and constrain its tenant: \`.innerJoin('${alias}.${relation}', '${relation}').andWhere('${relation}.${key} = :${key}', { ${key} })\``,
      orBypass: `Constrain the parent's tenant outside the OR: \`.andWhere('${relation}.${key} = :${key}', { ${key} })\` with the OR in \`new Brackets(...)\`.`,
    };
  }
  const key = table.tenantKeys[0] ?? 'tenantId';
  return {
    missing: `Add the tenant to the builder: \`.andWhere('${alias}.${key} = :${key}', { ${key} })\``,
    orBypass: `Keep the tenant condition outside the OR: \`.where('${alias}.${key} = :${key}', { ${key} }).andWhere(new Brackets((qb) => qb.where(...).orWhere(...)))\`, or add it to every \`.orWhere\`.`,
  };
}

/** Aliases and column names come from the scanned source: literal text in a regex built from them. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
