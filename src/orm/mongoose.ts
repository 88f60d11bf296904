/**
 * Mongoose queries for require-tenant-filter: `Board.find(filter)`, `findById(id)`,
 * `updateMany(filter, update)`, `aggregate(pipeline)`, `create(doc)`, `new Board(doc).save()`...,
 * with the chain that follows (`.where('tenantId').equals(x)`, `.or([...])`, `.lean()`). The model
 * is traced in `mongoose-model.ts`, filters are read in `mongoose-filter.ts`, tenant plugins in
 * `mongoose-plugins.ts`. The site is the whole chain (so a post-fetch guard on
 * `const board = await Board.findById(id).lean()` is seen); it is reported at `Board.findById`.
 */
import type { TSESTree } from '@typescript-eslint/types';
import type { Variable } from '@typescript-eslint/scope-manager';
import { isChainLink, memberName, T, textOf, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import { credentialScope, type AnalysisContext, type Operation, type OrmRecognizer, type Predicate, type QuerySite } from '../core/query-site.js';
import { isCredentialColumn, type Table } from '../core/schema.js';
import { evaluateFilter, evaluatePipeline, firstMatch, valueConstrains } from './mongoose-filter.js';
import { modelOf, type TracedModel } from './mongoose-model.js';
import { middlewareOf, tenantHooksOf } from './mongoose-plugins.js';
import { combineAll, combineAnd, combineOr, whereKeysOf } from './object-filter.js';

/** Where a method takes its filter: the first argument, an id, the second (`distinct`), a pipeline... */
type FilterAt = 'first' | 'id' | 'second' | 'pipeline' | 'none' | 'insert' | 'bulk' | 'chain';

interface Spec {
  operation: Operation;
  filter: FilterAt;
  /** The argument with the values written (update, replacement, document). */
  data?: number;
}

const METHODS: Record<string, Spec> = {
  find: { operation: 'read', filter: 'first' },
  findOne: { operation: 'read', filter: 'first' },
  findById: { operation: 'read', filter: 'id' },
  exists: { operation: 'read', filter: 'first' },
  countDocuments: { operation: 'read', filter: 'first' },
  count: { operation: 'read', filter: 'first' },
  estimatedDocumentCount: { operation: 'read', filter: 'none' },
  distinct: { operation: 'read', filter: 'second' },
  aggregate: { operation: 'read', filter: 'pipeline' },
  where: { operation: 'read', filter: 'chain' },
  findOneAndUpdate: { operation: 'update', filter: 'first', data: 1 },
  findByIdAndUpdate: { operation: 'update', filter: 'id', data: 1 },
  findOneAndReplace: { operation: 'update', filter: 'first', data: 1 },
  replaceOne: { operation: 'update', filter: 'first', data: 1 },
  updateOne: { operation: 'update', filter: 'first', data: 1 },
  updateMany: { operation: 'update', filter: 'first', data: 1 },
  update: { operation: 'update', filter: 'first', data: 1 },
  findOneAndDelete: { operation: 'delete', filter: 'first' },
  findOneAndRemove: { operation: 'delete', filter: 'first' },
  findByIdAndDelete: { operation: 'delete', filter: 'id' },
  findByIdAndRemove: { operation: 'delete', filter: 'id' },
  deleteOne: { operation: 'delete', filter: 'first' },
  deleteMany: { operation: 'delete', filter: 'first' },
  remove: { operation: 'delete', filter: 'first' },
  create: { operation: 'insert', filter: 'insert', data: 0 },
  insertMany: { operation: 'insert', filter: 'insert', data: 0 },
  bulkWrite: { operation: 'update', filter: 'bulk' },
};

/** The model methods the recognizer reads: what the census counts on a model it could not place. */
export const MONGOOSE_MODEL_METHODS: ReadonlySet<string> = new Set(Object.keys(METHODS).filter((m) => m !== 'where'));

/** Query methods that add conditions to a query kept in a variable. */
const REFINERS = new Set(['where', 'and', 'or', 'find', 'findOne', 'merge', 'setQuery']);

interface Link {
  name: string;
  call: TSESTree.CallExpression;
  callee: TSESTree.MemberExpression;
}

export const mongooseRecognizer: OrmRecognizer = {
  name: 'mongoose',
  enablers: ['mongoose', '@nestjs/mongoose'],
  recognize(call, context) {
    // Only the outermost call of a chain is a query; its inner links are parts of it.
    if (isChainLink(call) || unwrap(call.callee).type !== T.MemberExpression) return undefined;
    const chain = linksOf(call);
    if (!chain) return undefined;
    if (chain.links[0]?.name === 'save') return newDocumentSave(call, chain.links[0], chain.receiver, context);
    const base = baseOf(chain.links, chain.receiver, context);
    return base ? buildSite(call, chain.links, base.index, base.model, context) : undefined;
  },
};

/** `Board.find(f).where('x').lean()` gives find, where, lean (innermost first) and the receiver `Board`. */
function linksOf(call: TSESTree.CallExpression): { links: Link[]; receiver: Node } | undefined {
  const links: Link[] = [];
  let current: Node = call;
  for (let i = 0; i < 40; i++) {
    // `await` is not skipped: `(await Board.findById(id)).deleteOne()` is a document method.
    const node = current.type === T.TSNonNullExpression || current.type === T.TSAsExpression ? current.expression : current;
    if (node.type !== T.CallExpression) return links.length ? { links: links.reverse(), receiver: node } : undefined;
    const callee = unwrap(node.callee);
    // `forTenant(Board, id).findById(x)`: a plain call is the receiver of the chain.
    if (callee.type !== T.MemberExpression) return links.length ? { links: links.reverse(), receiver: node } : undefined;
    const name = memberName(callee);
    if (!name) return undefined;
    links.push({ name, call: node, callee });
    current = callee.object;
  }
  return undefined;
}

/** The first link that is a model method called on a traced model. */
function baseOf(links: Link[], receiver: Node, context: AnalysisContext): { index: number; model: TracedModel } | undefined {
  for (let i = 0; i < links.length; i++) {
    const link = links[i];
    if (!link || !METHODS[link.name]) continue;
    const target = i === 0 ? receiver : links[i - 1]?.call;
    const model = target ? modelOf(target, context.unit, context) : undefined;
    if (model) return { index: i, model };
  }
  return undefined;
}

function buildSite(call: TSESTree.CallExpression, links: Link[], index: number, model: TracedModel, context: AnalysisContext): QuerySite {
  const { unit } = context;
  const base = links[index] as Link;
  const spec = METHODS[base.name] as Spec;
  const { table } = model;
  const site: QuerySite = {
    orm: 'mongoose',
    table,
    operation: spec.operation,
    method: base.name,
    callee: base.callee,
    calleeText: textOf(unit, base.callee).replace(/\s+/g, ''),
    call,
    client: { kind: 'client', scoped: model.scoped, how: model.how },
    predicate: { kind: 'scoped', via: 'an insert has no filter' },
    nested: [],
  };
  if (spec.data !== undefined && base.call.arguments[spec.data]) site.data = base.call.arguments[spec.data];
  if (spec.filter === 'insert') return site;
  if (spec.filter === 'bulk') {
    site.predicate = bulkWrite(base.call, unit, table, context);
  } else {
    const conditions = baseConditions(base, spec, site, table, context);
    const rest = chainConditions(links.slice(spec.filter === 'chain' ? index : index + 1), site, table, context);
    site.predicate = conjoin([...conditions, ...rest], `\`${base.name}\` is called without a filter, so it matches every document`);
    if (site.predicate.kind !== 'scoped') site.predicate = keptOrWrapped(call, context) ?? site.predicate;
  }
  pluginScope(site, model, context);
  site.fix = fixOf(site, table, context);
  return site;
}

/** Any scoping condition scopes the query; otherwise the first reason it does not, in its own words. */
function conjoin(results: Predicate[], empty: string): Predicate {
  if (results.length === 0) return { kind: 'unscoped', detail: empty };
  const combined = combineAnd(results);
  return combined.kind === 'unscoped' ? (results.find((r) => r.kind === 'unscoped') ?? combined) : combined;
}

/** The filter the model method itself is given. */
function baseConditions(base: Link, spec: Spec, site: QuerySite, table: Table, context: AnalysisContext): Predicate[] {
  const { unit } = context;
  const args = base.call.arguments;
  switch (spec.filter) {
    case 'id': {
      const id = args[0];
      if (!id) return [];
      site.whereKeys = { _id: textOf(unit, id).replace(/\s+/g, '') };
      // `findByIdAndUpdate(customer._id, ...)` filters on `_id` equal to its argument, as `{ _id: customer._id }` does.
      if (id.type !== T.SpreadElement) site.equalities = [{ column: '_id', value: id }];
      return [{ kind: 'unscoped', detail: '`filter` filters only on `_id`' }];
    }
    case 'none':
      return [{ kind: 'unscoped', detail: `\`${base.name}\` counts every document of the collection` }];
    case 'pipeline': {
      const pipeline = args[0];
      const empty = !pipeline || (unwrap(pipeline).type === T.ArrayExpression && (unwrap(pipeline) as TSESTree.ArrayExpression).elements.length === 0);
      // `Board.aggregate().match({ tenantId })`: the builder's first stage.
      if (empty) return [];
      return [evaluatePipeline(pipeline, unit, table, context)];
    }
    case 'first':
    case 'second': {
      const filter = args[spec.filter === 'first' ? 0 : 1];
      if (!filter) return [];
      const object = unwrap(filter);
      if (object.type === T.ObjectExpression) {
        site.whereObject = object;
        site.whereKeys = whereKeysOf(object, unit);
      }
      return [evaluateFilter(filter, unit, table, context)];
    }
    default:
      return [];
  }
}

/** Conditions the chain adds: `.where('tenantId').equals(x)`, `.where({...})`, `.and([...])`, `.or([...])`, `.find({...})`. */
function chainConditions(links: Link[], site: QuerySite, table: Table, context: AnalysisContext): Predicate[] {
  const { unit } = context;
  let results: Predicate[] = [];
  const aggregate = site.method === 'aggregate';
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as Link;
    const [first, second] = link.call.arguments;
    if (aggregate) {
      // Only the first builder stage can scope an aggregation.
      if (i === 0 && link.name === 'match' && first) results.push(firstMatch(evaluateFilter(first, unit, table, context)));
      else if (i === 0 && results.length === 0) results.push({ kind: 'unscoped', detail: `the pipeline starts with \`.${link.name}()\`, not a \`$match\` on the tenant key` });
      continue;
    }
    if ((context.config.filterHelpers ?? []).includes(link.name)) {
      results.push({ kind: 'scoped', via: `\`.${link.name}()\`, a configured filter helper` });
      continue;
    }
    switch (link.name) {
      case 'where': {
        const path = first ? constPath(first) : undefined;
        if (path === undefined) {
          if (first) results.push(evaluateFilter(first, unit, table, context));
          break;
        }
        if (second) {
          pushDefined(results, pathCondition(path, second, table));
          break;
        }
        const next = links[i + 1];
        if (next && ['equals', 'eq', 'in'].includes(next.name) && next.call.arguments[0]) {
          pushDefined(results, pathCondition(path, next.call.arguments[0], table));
          i++;
        } else if (table.tenantKeys.includes(path)) {
          results.push({ kind: 'unscoped', detail: `\`${path}\` is not compared for equality` });
        }
        break;
      }
      case 'and':
      case 'or': {
        const list = first ? unwrap(first) : undefined;
        if (list?.type !== T.ArrayExpression) {
          results.push({ kind: 'unknown', reason: `\`.${link.name}()\` is not given an array literal` });
          break;
        }
        const branches = list.elements.flatMap((e) => (e && e.type !== T.SpreadElement ? [{ node: e as Node, predicate: evaluateFilter(e, unit, table, context, 1) }] : []));
        results.push(link.name === 'and' ? combineAnd(branches.map((b) => b.predicate)) : combineOr(branches, 'no `.or()` branch has the tenant key'));
        break;
      }
      case 'setQuery':
        // Replaces the filter built so far.
        results = first ? [evaluateFilter(first, unit, table, context)] : [];
        break;
      case 'merge':
        if (first) results.push(evaluateFilter(first, unit, table, context));
        break;
      default: {
        // `Board.find(f).deleteMany()`, `Board.where(f).updateMany({}, update)`: the operation changes.
        const spec = METHODS[link.name];
        if (!spec || spec.filter === 'insert' || spec.filter === 'bulk' || spec.filter === 'pipeline') break;
        site.operation = spec.operation;
        const filter = spec.filter === 'first' ? first : spec.filter === 'second' ? second : undefined;
        if (filter) results.push(evaluateFilter(filter, unit, table, context));
        if (spec.data !== undefined && link.call.arguments[spec.data]) site.data = link.call.arguments[spec.data];
      }
    }
  }
  return results;
}

function pushDefined(list: Predicate[], item: Predicate | undefined): void {
  if (item) list.push(item);
}

function constPath(node: Node): string | undefined {
  const value = unwrap(node);
  return value.type === T.Literal && typeof value.value === 'string' ? value.value : undefined;
}

/** `.where('tenantId', x)` / `.where('tenantId').equals(x)`. */
function pathCondition(path: string, value: Node, table: Table): Predicate | undefined {
  if (table.tenantKeys.includes(path)) {
    return valueConstrains(value) ? { kind: 'scoped', via: `\`.where('${path}')\``, value } : { kind: 'unscoped', detail: `\`${path}\` is not compared with a tenant` };
  }
  if (isCredentialColumn(table, path)) return credentialScope(path);
  return undefined;
}

/** `bulkWrite([{ updateOne: { filter, update } }, { deleteMany: { filter } }, { insertOne: { document } }])`: every filter must scope. */
function bulkWrite(call: TSESTree.CallExpression, unit: FileUnit, table: Table, context: AnalysisContext): Predicate {
  const list = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
  if (list?.type !== T.ArrayExpression) return { kind: 'unknown', reason: 'the `bulkWrite` operations are not an array literal' };
  const results: Predicate[] = [];
  for (const element of list.elements) {
    const op = element ? unwrap(element) : undefined;
    if (op?.type !== T.ObjectExpression) return { kind: 'unknown', reason: 'a `bulkWrite` operation cannot be followed' };
    for (const property of op.properties) {
      if (property.type !== T.Property) return { kind: 'unknown', reason: 'a `bulkWrite` operation is spread' };
      const body = unwrap(property.value);
      if (memberNameOf(property) === 'insertOne') continue;
      const filter = body.type === T.ObjectExpression ? body.properties.find((p): p is TSESTree.Property => p.type === T.Property && memberNameOf(p) === 'filter') : undefined;
      results.push(filter ? evaluateFilter(filter.value, unit, table, context) : { kind: 'unscoped', detail: `\`${memberNameOf(property) ?? 'an operation'}\` has no \`filter\`` });
    }
  }
  return results.length ? combineAll(results, 'no operation') : { kind: 'scoped', via: 'a `bulkWrite` of inserts only' };
}

function memberNameOf(property: TSESTree.Property): string | undefined {
  const key = property.key;
  if (key.type === T.Identifier && !property.computed) return key.name;
  return key.type === T.Literal && typeof key.value === 'string' ? key.value : undefined;
}

/**
 * A query that is not run where it is built: handed to a configured filter helper
 * (`scopeToTenant(Board.find(), ctx)`), or kept in a variable that is refined later
 * (`const q = Board.find(); q.where('tenantId').equals(t)`).
 */
function keptOrWrapped(call: TSESTree.CallExpression, context: AnalysisContext): Predicate | undefined {
  let node: Node = call;
  while (node.parent && (node.parent.type === T.TSAsExpression || node.parent.type === T.TSNonNullExpression || node.parent.type === T.AwaitExpression)) node = node.parent;
  const parent = node.parent;
  const helpers = context.config.filterHelpers ?? [];
  if (parent?.type === T.CallExpression && parent.arguments.includes(node as TSESTree.CallExpressionArgument)) {
    const name = helperName(parent);
    if (name && helpers.includes(name)) return { kind: 'scoped', via: `\`${name}()\`, a configured filter helper` };
    return undefined;
  }
  if (parent?.type !== T.VariableDeclarator || parent.init !== node || node !== call || parent.id.type !== T.Identifier) return undefined;
  const variable = variableOf(context.unit.scopeManager, parent.id);
  return variable ? laterUses(variable, helpers) : undefined;
}

function laterUses(variable: Variable, helpers: string[]): Predicate | undefined {
  for (const ref of variable.references) {
    const parent = ref.identifier.parent;
    if (parent?.type === T.CallExpression && parent.arguments.some((a) => a === ref.identifier)) {
      const name = helperName(parent);
      if (name && helpers.includes(name)) return { kind: 'scoped', via: `\`${name}()\`, a configured filter helper` };
    }
    if (parent?.type === T.MemberExpression && parent.object === ref.identifier && parent.parent?.type === T.CallExpression) {
      const name = memberName(parent) ?? '';
      if (helpers.includes(name)) return { kind: 'scoped', via: `\`.${name}()\`, a configured filter helper` };
      if (REFINERS.has(name)) return { kind: 'unknown', reason: `the query is kept in \`${variable.name}\` and refined later` };
    }
  }
  return undefined;
}

function helperName(call: TSESTree.CallExpression): string | undefined {
  const callee = unwrap(call.callee);
  return callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
}

/** A schema whose tenant plugin (or own hook) covers this operation's middleware scopes the model. */
function pluginScope(site: QuerySite, model: TracedModel, context: AnalysisContext): void {
  if (model.scoped || !model.construction || site.predicate.kind === 'scoped') return;
  const middleware = middlewareOf(site.method);
  const hook = tenantHooksOf(model.construction, site.table, context).find((h) => h.covers(middleware));
  if (hook) site.client = { kind: 'client', scoped: true, how: hook.how };
}

/** `new Board(doc).save()`, or `const board = new Board(doc); await board.save()`: an insert. */
function newDocumentSave(call: TSESTree.CallExpression, link: Link, receiver: Node, context: AnalysisContext): QuerySite | undefined {
  const { unit } = context;
  let created = unwrap(receiver);
  if (created.type === T.Identifier) {
    const binding = context.resolver.bindingOf(created, unit, 1);
    if (binding.kind !== 'value' || binding.value.unit !== unit) return undefined;
    created = unwrap(binding.value.node);
  }
  if (created.type !== T.NewExpression) return undefined;
  const model = modelOf(created.callee, unit, context);
  if (!model) return undefined;
  return {
    orm: 'mongoose',
    table: model.table,
    operation: 'insert',
    method: 'save',
    callee: link.callee,
    calleeText: `new ${textOf(unit, created.callee)}().save`,
    call,
    client: { kind: 'client', scoped: model.scoped, how: model.how },
    predicate: { kind: 'scoped', via: 'an insert has no filter' },
    data: created.arguments[0],
    nested: [],
  };
}

/** The fix in Mongoose's own syntax. */
function fixOf(site: QuerySite, table: Table, context: AnalysisContext): QuerySite['fix'] {
  const model = site.calleeText.replace(/\.[^.]+$/, '');
  const byId: Record<string, string> = { findById: 'findOne', findByIdAndUpdate: 'findOneAndUpdate', findByIdAndDelete: 'findOneAndDelete', findByIdAndRemove: 'findOneAndDelete' };
  const replacement = byId[site.method];
  const method = replacement ?? site.method;
  const update = site.operation === 'update' ? ', update' : '';
  if (table.class === 'child') {
    const relation = table.relations.get(table.parentRelations[0] ?? '');
    const parent = relation?.name ?? 'parent';
    return {
      missing: `Filter by the parent taken from a document loaded with the tenant (\`const ${parent} = await ${relation?.target ?? 'Parent'}.findOne({ _id: ${parent}Id, ${parentKey(table, context)} })\`, then \`${model}.${method}({ ${replacement ? '_id: id, ' : ''}${parent}: ${parent}._id }${update})\`)`,
      orBypass: `Put the parent condition outside \`$or\`, or in every branch.`,
    };
  }
  const key = table.tenantKeys[0] ?? 'tenantId';
  const missing = replacement
    ? `Use \`${model}.${replacement}({ _id: id, ${key} }${update})\` instead of \`${site.method}\`, which cannot take a tenant`
    : site.method === 'aggregate'
      ? `Start the pipeline with \`{ $match: { ${key} } }\` (\`${model}.aggregate([{ $match: { ${key} } }, ...])\`)`
      : `Add \`${key}\` to the filter (\`${model}.${site.method}({ ..., ${key} })\` or \`.where('${key}').equals(${key})\`)`;
  return {
    missing,
    orBypass: `Move \`${key}\` out of \`$or\` to the top level of the filter (\`${model}.${site.method}({ ${key}, $or: [...] })\`), or add it to every branch.`,
  };
}

function parentKey(table: Table, context: AnalysisContext): string {
  let current: Table | undefined = table;
  for (let i = 0; current?.class === 'child' && i < 8; i++) {
    const relation = current.relations.get(current.parentRelations[0] ?? '');
    current = relation ? context.schema.tables.get(relation.target) : undefined;
  }
  return current?.tenantKeys[0] ?? 'tenantId';
}
