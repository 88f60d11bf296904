/**
 * Knex behind a project's static model classes (parcelvoy's `Model`): a base class whose static
 * methods start a Knex query on `db(this.tableName)` (`static table(db = main.db) { return
 * db(this.tableName) }`), and one subclass per table naming it (`static tableName = 'invoice_notes'`,
 * or a getter that derives it from the class name, `this.name`).
 *
 * - A static method that returns the builder (`static query(db) { return this.table(db) }`) starts a
 *   chain: `Invoice.query().where(...)` is a Knex chain on the subclass's table (see chainOf in knex.ts).
 * - A static method that runs the query and takes the builder's conditions from a callback
 *   parameter it applies to the builder (`static async find(id, query = (qb) => qb) { ... query(this.table(db)) ... }`)
 *   makes `Invoice.find(id, (qb) => qb.where(...))` a query of the subclass's table whose conditions
 *   are the callback's and the method's own.
 *
 * Everything is structural: the builder is traced to a Knex client, the table to the member the
 * builder is started on, the callback to the parameter applied to the builder. A method declared in
 * a class that names a table of its own is not a generic one: the queries in its body are the sites.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, unwrap, variableOf, walk, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext, Operation, Predicate, QuerySite } from '../core/query-site.js';
import type { Table } from '../core/schema.js';
import { returnedExpressions } from '../core/resolve.js';
import { tableKey } from '../schema/merge.js';
import { knexClientOf, type KnexClient } from './knex-client.js';
import { builderCallbackLinks, constantText, evaluateLinks, type Link, type QueryScope } from './knex-where.js';
import { combineAnd } from './object-filter.js';

type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;
interface LocatedClass {
  node: ClassNode;
  unit: FileUnit;
}

interface MethodSummary {
  client: KnexClient;
  /** The static member the builder is started on (`tableName` in `db(this.tableName)`). */
  tableMember: string;
  /** The method returns the builder itself (`return this.table(db)`): calls of it start a chain. */
  returnsBuilder: boolean;
  /** Indices (as the caller passes them) of the parameters applied to the builder: the query callbacks. */
  callbacks: number[];
  operation: Operation;
  /** The index of the parameter an insert or update writes. */
  data?: number;
  /** The links the method itself adds to the builder (`.where(\`${this.tableName}.id\`, id)`). */
  links: Link[];
  /**
   * The method's own `.where(column, param)` conditions on a parameter (`.where(\`${this.tableName}.id\`, id)`
   * in `static find(id, query)`): the column and the index of the argument a caller passes for it.
   */
  keyParams: { column: string; index: number }[];
  unit: FileUnit;
}

const MAX_DEPTH = 8;
const WRITES: Record<string, Operation> = { insert: 'insert', upsert: 'insert', update: 'update', increment: 'update', decrement: 'update', del: 'delete', delete: 'delete' };
const RANK: Record<Operation, number> = { read: 0, update: 1, delete: 2, insert: 3 };
/** Links after which the value is no longer a builder of this table. */
const NOT_A_BUILDER = new Set(['then', 'catch', 'finally', 'toSQL', 'toString', 'toQuery', 'as', 'first', 'pluck']);

const summaries = new WeakMap<TSESTree.FunctionLike, MethodSummary | null>();

export interface ModelTable {
  table: Table;
  how: string;
}

/** `Invoice.query()` (a static method that returns the builder of the class's table): the client and the table; undefined otherwise. */
export function modelBuilderStart(receiver: Node, call: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext): { client: KnexClient; model: ModelTable } | undefined {
  const found = modelMethod(receiver, call, unit, context);
  if (!found?.summary.returnsBuilder) return undefined;
  return { client: found.client, model: found.model };
}

/** `Invoice.find(id, (qb) => qb.where(...))`: the query site of a generic static model method that runs a query. */
export interface KnexHelpers {
  fix: (table: Table) => { missing: string; orBypass: string };
  /** The query's table and the tables its links join (knex.ts's scopeOf). */
  scope: (table: Table, aliases: Set<string>, links: Link[], context: AnalysisContext, unit: FileUnit) => QueryScope;
}

export function modelMethodSite(call: TSESTree.CallExpression, context: AnalysisContext, helpers: KnexHelpers): QuerySite | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression) return undefined;
  const found = modelMethod(callee.object, call, context.unit, context);
  if (!found || found.summary.returnsBuilder) return undefined;
  const { summary, model, name, className } = found;
  const site: QuerySite = {
    orm: 'knex',
    table: model.table,
    operation: summary.operation,
    method: name,
    callee,
    calleeText: `${className}.${name}`,
    call,
    client: found.client,
    predicate: { kind: 'scoped', via: 'an insert' },
    nested: [],
    fix: helpers.fix(model.table),
  };
  const data = summary.data !== undefined ? call.arguments[summary.data] : undefined;
  if (data && data.type !== T.SpreadElement && (site.operation === 'insert' || site.operation === 'update')) site.data = data;
  if (site.operation === 'insert') return site;
  const names = new Set([model.table.dbName, model.table.name]);
  const results: Predicate[] = [];
  for (const index of summary.callbacks) {
    const arg = call.arguments[index];
    if (!arg || arg.type === T.SpreadElement) continue;
    const links = builderCallbackLinks(arg, context.unit, context);
    if (links === 'unknown') results.push({ kind: 'unknown', reason: `the query callback \`${argText(arg, context.unit)}\` cannot be followed` });
    else if (links) {
      // The callback's joins (`qb.join('invoices', ...)`) are the query's.
      const predicate = evaluateLinks(links.links, helpers.scope(model.table, names, links.links, context, links.unit), 0);
      if (predicate) results.push(predicate);
    }
  }
  // The method's own conditions (`.where('id', id)`), read in its file; one it cannot read adds nothing.
  const own = evaluateLinks(summary.links, helpers.scope(model.table, names, summary.links, context, summary.unit), 0);
  if (own && own.kind !== 'unknown') results.push(own.kind === 'scoped' ? { kind: 'scoped', via: `the model method \`${name}\`'s own condition (${own.via})` } : own);
  // What the caller passes for the method's own conditions (`Admin.find(ctx.state.admin.id)`): the policies read
  // the values by column, as for a filter written at the call.
  const keyValues = summary.keyParams.flatMap(({ column, index }) => {
    const arg = call.arguments[index];
    return arg && arg.type !== T.SpreadElement ? [{ column, value: arg as Node }] : [];
  });
  if (keyValues.length) site.keyValues = keyValues;
  site.predicate = results.length === 1 && results[0]
    ? results[0]
    : results.length
    ? combineAnd(results, 'no condition has the tenant key')
    : { kind: 'unscoped', detail: `\`${className}.${name}(...)\` is given no query callback, and the method adds no condition` };
  return site;
}

function argText(node: Node, unit: FileUnit): string {
  return unit.text.slice(node.range[0], node.range[1]).replace(/\s+/g, ' ').slice(0, 60);
}

interface FoundMethod {
  summary: MethodSummary;
  client: KnexClient;
  model: ModelTable;
  name: string;
  className: string;
}

/**
 * `<Class>.<method>(...)` or `this.<method>(...)` in a static method: the static method (declared in
 * the class or a superclass) that queries Knex, and the table the class names.
 */
function modelMethod(receiver: Node, call: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext): FoundMethod | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression || unwrap(callee.object) !== unwrap(receiver)) return undefined;
  const name = memberName(callee);
  if (!name) return undefined;
  const cls = classOf(unwrap(receiver), unit, context);
  if (!cls) return undefined;
  const member = staticMember(cls, name, context);
  if (!member || member.kind !== 'method') return undefined;
  const summary = summaryOf(member.fn, member.owner, context, 0);
  if (!summary) return undefined;
  // A method of a class that names a table of its own is that table's code: its body holds the sites.
  if (!summary.returnsBuilder && member.owner.node !== cls.node && tableOf(member.owner, summary.tableMember, context)) return undefined;
  if (!summary.returnsBuilder && member.owner.node === cls.node) return undefined;
  const model = tableOf(cls, summary.tableMember, context);
  if (!model) return undefined;
  const className = cls.node.id?.name ?? 'the class';
  const ownerName = member.owner.node.id?.name ?? 'its base class';
  const client: KnexClient = { ...summary.client, how: `\`${className}.${name}()\`, a static method of \`${ownerName}\` that queries Knex on \`this.${summary.tableMember}\` (${model.how}); the client: ${summary.client.how}` };
  return { summary, client, model, name, className };
}

/** The class a receiver names: a class binding (imported or local), or `this` in a static method. */
function classOf(receiver: Node, unit: FileUnit, context: AnalysisContext): LocatedClass | undefined {
  if (receiver.type === T.Identifier) {
    const binding = context.resolver.bindingOf(receiver, unit);
    return binding.kind === 'class' ? binding.cls : undefined;
  }
  if (receiver.type !== T.ThisExpression) return undefined;
  for (let current: Node | undefined = receiver.parent; current; current = current.parent) {
    if (current.type === T.FunctionExpression || current.type === T.FunctionDeclaration) {
      const owner = current.parent;
      if ((owner?.type !== T.MethodDefinition && owner?.type !== T.PropertyDefinition) || !owner.static) return undefined;
      const cls = owner.parent?.parent;
      return cls?.type === T.ClassDeclaration || cls?.type === T.ClassExpression ? { node: cls, unit } : undefined;
    }
  }
  return undefined;
}

function superOf(cls: LocatedClass, context: AnalysisContext): LocatedClass | undefined {
  const superClass = cls.node.superClass ? unwrap(cls.node.superClass) : undefined;
  if (superClass?.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(superClass, cls.unit);
  return binding.kind === 'class' ? binding.cls : undefined;
}

type StaticMember =
  | { kind: 'method'; fn: TSESTree.FunctionLike; owner: LocatedClass }
  | { kind: 'value'; value: Node; owner: LocatedClass }
  | { kind: 'getter'; fn: TSESTree.FunctionLike; owner: LocatedClass };

/** The static member `name` of the class or the nearest superclass that declares it. */
function staticMember(cls: LocatedClass, name: string, context: AnalysisContext): StaticMember | undefined {
  let current: LocatedClass | undefined = cls;
  for (let i = 0; current && i < MAX_DEPTH; i++, current = superOf(current, context)) {
    for (const member of current.node.body.body) {
      if ((member.type !== T.MethodDefinition && member.type !== T.PropertyDefinition) || !member.static || propertyName(member) !== name) continue;
      if (member.type === T.MethodDefinition) {
        if (member.kind === 'get') return { kind: 'getter', fn: member.value, owner: current };
        // An overload signature has no body: the implementation follows it.
        if (member.kind === 'method' && member.value.body) return { kind: 'method', fn: member.value, owner: current };
        continue;
      }
      const value = member.value ? unwrap(member.value) : undefined;
      if (!value) continue;
      if (value.type === T.FunctionExpression || value.type === T.ArrowFunctionExpression) return { kind: 'method', fn: value, owner: current };
      return { kind: 'value', value, owner: current };
    }
  }
  return undefined;
}

/**
 * The table a class names through the static member its builder is started on: a constant
 * (`static tableName = 'user_list'`, a getter returning one), or, when the getter derives it from
 * the class's name (`this.name`), the table of the schema named after the class (`CampaignSend`:
 * `campaign_sends`). Undefined when neither names a table of the schema.
 */
function tableOf(cls: LocatedClass, memberNameText: string, context: AnalysisContext): ModelTable | undefined {
  const member = staticMember(cls, memberNameText, context);
  if (!member) return undefined;
  if (member.kind === 'value') {
    const text = constantText(member.value, member.owner.unit, context);
    const table = text !== undefined ? bySqlName(text, context) : undefined;
    return table ? { table, how: `\`${memberNameText}\` is \`'${text}'\`` } : undefined;
  }
  if (member.kind !== 'getter') return undefined;
  const returned = returnedExpressions(member.fn);
  const only = returned.length === 1 ? returned[0] : undefined;
  const text = only ? constantText(only, member.owner.unit, context) : undefined;
  if (text !== undefined) {
    const table = bySqlName(text, context);
    return table ? { table, how: `\`${memberNameText}\` returns \`'${text}'\`` } : undefined;
  }
  const className = cls.node.id?.name;
  if (!className || !member.fn.body || !readsThisName(member.fn.body)) return undefined;
  const table = namedAfter(className, context);
  return table ? { table, how: `\`${memberNameText}\` is derived from the class name, \`${className}\`: the table \`${table.dbName}\`` } : undefined;
}

function readsThisName(body: Node): boolean {
  let found = false;
  walk(body, (node) => {
    if (node.type === T.MemberExpression && unwrap(node.object).type === T.ThisExpression && memberName(node) === 'name') found = true;
  });
  return found;
}

/** The schema's table named after a class: its name in snake case or run together, singular or plural. */
function namedAfter(className: string, context: AnalysisContext): Table | undefined {
  const base = className.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const stems = [base, base.replace(/_/g, '')];
  const forms = new Set<string>();
  for (const stem of stems) {
    forms.add(stem);
    forms.add(`${stem}s`);
    forms.add(`${stem}es`);
    if (/[^aeiou]y$/.test(stem)) forms.add(`${stem.slice(0, -1)}ies`);
  }
  let found: Table | undefined;
  for (const table of context.schema.tables.values()) {
    if (!forms.has(tableKey(table.dbName))) continue;
    if (found && found !== table) return undefined;
    found = table;
  }
  return found;
}

function bySqlName(name: string, context: AnalysisContext): Table | undefined {
  const key = tableKey(name);
  for (const table of context.schema.tables.values()) if (tableKey(table.dbName) === key) return table;
  return undefined;
}

/** What a static method does with Knex, read once per method; null when it starts no Knex builder on a static member. */
function summaryOf(fn: TSESTree.FunctionLike, owner: LocatedClass, context: AnalysisContext, depth: number): MethodSummary | undefined {
  if (summaries.has(fn)) return summaries.get(fn) ?? undefined;
  if (depth > MAX_DEPTH || !fn.body) return undefined;
  summaries.set(fn, null);
  const summary = new Summarizer(fn, owner, context, depth).run();
  summaries.set(fn, summary ?? null);
  return summary;
}

class Summarizer {
  private client: KnexClient | undefined;
  private tableMember: string | undefined;
  private readonly callbacks = new Set<number>();
  private operation: Operation = 'read';
  private data: number | undefined;
  private readonly links: Link[] = [];
  /** The declared parameters, without TypeScript's `this` parameter (callers do not pass it). */
  private readonly params: Node[];

  constructor(
    private readonly fn: TSESTree.FunctionLike,
    private readonly owner: LocatedClass,
    private readonly context: AnalysisContext,
    private readonly depth: number,
  ) {
    this.params = fn.params.filter((p) => !(p.type === T.Identifier && p.name === 'this'));
  }

  run(): MethodSummary | undefined {
    const body = this.fn.body;
    if (!body) return undefined;
    walk(body, (node) => {
      if (node.type === T.CallExpression) this.visitCall(node);
    });
    const returned = returnedExpressions(this.fn);
    const returnsBuilder = !this.fn.async && returned.length > 0 && returned.every((e) => this.builder(e, 0) !== undefined);
    if (!this.client || !this.tableMember) return undefined;
    return {
      client: this.client,
      tableMember: this.tableMember,
      returnsBuilder,
      callbacks: [...this.callbacks].sort(),
      operation: this.operation,
      ...(this.data !== undefined ? { data: this.data } : {}),
      links: this.links,
      keyParams: this.keyParams(),
      unit: this.owner.unit,
    };
  }

  private keyParams(): { column: string; index: number }[] {
    const found: { column: string; index: number }[] = [];
    for (const link of this.links) {
      if ((link.name !== 'where' && link.name !== 'andWhere') || link.call.arguments.length !== 2) continue;
      const [first, second] = link.call.arguments.map((a) => unwrap(a as Node));
      const value = second;
      if (value?.type !== T.Identifier) continue;
      const index = this.paramIndex(value);
      // The column's last segment: `'id'`, `'admins.id'`, `\`${this.tableName}.id\``.
      const text = first?.type === T.Literal && typeof first.value === 'string' ? first.value : first?.type === T.TemplateLiteral ? first.quasis[first.quasis.length - 1]!.value.cooked ?? '' : undefined;
      const column = text?.replace(/^.*\./, '');
      if (index === undefined || !column || !/^\w+$/.test(column)) continue;
      found.push({ column, index });
    }
    return found;
  }

  private visitCall(call: TSESTree.CallExpression): void {
    const callee = unwrap(call.callee);
    // `query(builder)`: the parameter is a callback applied to the builder.
    if (callee.type === T.Identifier) {
      const index = this.paramIndex(callee);
      if (index !== undefined && call.arguments.some((a) => a.type !== T.SpreadElement && (this.builder(a, 0) || this.forwardedBuilder(a)))) this.callbacks.add(index);
      return;
    }
    if (callee.type !== T.MemberExpression) return;
    // `this.build(query, db)`: its callbacks are this method's parameters passed to them; its writes are this method's.
    const called = this.thisMethod(callee);
    if (called) {
      for (const i of called.callbacks) {
        const arg = call.arguments[i];
        const index = arg?.type === T.Identifier ? this.paramIndex(arg) : undefined;
        if (index !== undefined) this.callbacks.add(index);
      }
      this.merge(called.operation);
      return;
    }
    // A link on the builder: `.where(...)`, `.update(data)`.
    const name = memberName(callee);
    if (!name || !this.builder(callee.object, 0)) return;
    this.links.push({ name, call });
    const operation = WRITES[name];
    if (!operation) return;
    this.merge(operation);
    const written = call.arguments[0];
    if ((operation === 'insert' || operation === 'update') && written && written.type !== T.SpreadElement && this.data === undefined) this.data = this.writtenParam(written);
  }

  /**
   * `this.count((qb) => query(qb).limit(1))`: the first parameter of a function this method passes
   * where a static method it calls applies its callback, so the builder.
   */
  private forwardedBuilder(node: Node): boolean {
    const inner = unwrap(node);
    if (inner.type !== T.Identifier) return false;
    const def = variableOf(this.owner.unit.scopeManager, inner)?.defs[0];
    if (def?.type !== 'Parameter' || def.node === this.fn) return false;
    const fn = def.node;
    if ((fn.type !== T.ArrowFunctionExpression && fn.type !== T.FunctionExpression) || fn.params[0]?.type !== T.Identifier || fn.params[0].name !== inner.name) return false;
    const call = fn.parent;
    if (call?.type !== T.CallExpression) return false;
    const callee = unwrap(call.callee);
    const index = call.arguments.indexOf(fn);
    const called = callee.type === T.MemberExpression ? this.thisMethod(callee) : undefined;
    return called !== undefined && index >= 0 && called.callbacks.includes(index);
  }

  private merge(operation: Operation): void {
    if (RANK[operation] > RANK[this.operation]) this.operation = operation;
  }

  /** The parameter a written value comes from: itself, or a parameter passed to the call that formats it (`this.formatJson(data)`). */
  private writtenParam(node: Node): number | undefined {
    const inner = unwrap(node);
    if (inner.type === T.Identifier) {
      const index = this.paramIndex(inner);
      if (index !== undefined) return index;
      const value = this.constInit(inner);
      return value ? this.writtenParam(value) : undefined;
    }
    if (inner.type === T.ConditionalExpression) return this.writtenParam(inner.consequent) ?? this.writtenParam(inner.alternate);
    if (inner.type === T.CallExpression) {
      for (const arg of inner.arguments) {
        const found = arg.type === T.SpreadElement ? undefined : this.writtenParam(arg);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  }

  /** The summary of `this.<method>` (a static method of the class or a superclass); undefined otherwise. */
  private thisMethod(callee: TSESTree.MemberExpression): MethodSummary | undefined {
    if (unwrap(callee.object).type !== T.ThisExpression) return undefined;
    const name = memberName(callee);
    const member = name ? staticMember(this.owner, name, this.context) : undefined;
    if (member?.kind !== 'method' || member.fn === this.fn) return undefined;
    const summary = summaryOf(member.fn, member.owner, this.context, this.depth + 1);
    if (summary) this.found(summary.client, summary.tableMember);
    return summary;
  }

  private found(client: KnexClient, tableMember: string): void {
    this.client ??= client;
    this.tableMember ??= tableMember;
  }

  /**
   * Is the expression the builder of the class's table: `db(this.tableName)` on a Knex client, a
   * call of a static method that returns it, a parameter applied to it, a const holding it, or a
   * link on it that keeps it a builder?
   */
  private builder(expression: Node, depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    const node = unwrap(expression);
    if (node.type === T.Identifier) {
      const init = this.constInit(node);
      return init !== undefined && this.builder(init, depth + 1);
    }
    if (node.type !== T.CallExpression) return false;
    const callee = unwrap(node.callee);
    const first = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
    // `db(this.tableName)`
    if (first?.type === T.MemberExpression && unwrap(first.object).type === T.ThisExpression && !first.computed) {
      const member = memberName(first);
      const field = member ? staticMember(this.owner, member, this.context) : undefined;
      if (member && field && field.kind !== 'method') {
        const client = knexClientOf(callee, this.owner.unit, this.context);
        if (client) {
          this.found(client, member);
          return true;
        }
      }
    }
    // `query(builder)`: a callback parameter returns the builder it is given.
    if (callee.type === T.Identifier) return this.paramIndex(callee) !== undefined && node.arguments.some((a) => a.type !== T.SpreadElement && this.builder(a, depth + 1));
    if (callee.type !== T.MemberExpression) return false;
    const called = this.thisMethod(callee);
    if (called) return called.returnsBuilder;
    const name = memberName(callee);
    return name !== undefined && !NOT_A_BUILDER.has(name) && !(name in WRITES) && this.builder(callee.object, depth + 1);
  }

  /** The initial value of a `const` declared in this method. */
  private constInit(identifier: TSESTree.Identifier): Node | undefined {
    const def = variableOf(this.owner.unit.scopeManager, identifier)?.defs[0];
    if (def?.type !== 'Variable' || def.parent.kind !== 'const' || !def.node.init || def.node.id.type !== T.Identifier) return undefined;
    return def.node.init;
  }

  /** The index, as the caller passes arguments, of the method's parameter this identifier reads. */
  private paramIndex(identifier: TSESTree.Identifier): number | undefined {
    const def = variableOf(this.owner.unit.scopeManager, identifier)?.defs[0];
    if (def?.type !== 'Parameter' || def.node !== this.fn) return undefined;
    const index = this.params.findIndex((p) => {
      const target = p.type === T.AssignmentPattern ? p.left : p.type === T.TSParameterProperty ? p.parameter : p;
      return target.type === T.Identifier && target.name === identifier.name;
    });
    return index < 0 ? undefined : index;
  }
}
