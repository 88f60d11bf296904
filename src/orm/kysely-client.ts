/**
 * Is an expression a Kysely database, and is it bound to one tenant? Followed through imports,
 * constructions and types, never by variable name: `new Kysely<DB>(...)` from `kysely` (or a
 * class that extends it), a value typed `Kysely<DB>` / `Transaction<DB>`, the `trx` of
 * `db.transaction().execute(async (trx) => ...)`, `this.db` fields, functions that return a
 * database, configured `scopedClientFactories`, and schema-per-tenant databases
 * (`db.withSchema(\`tenant_${id}\`)`, a `WithSchemaPlugin` with a per-tenant schema).
 */
import type { TSESTree } from '@typescript-eslint/types';
import { enclosingClass, memberName, propertyName, T, textOf, thisAssigned, unwrap, variableOf, walk, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext, ClientInfo } from '../core/query-site.js';
import type { KyselyCamelCase } from '../core/schema.js';
import { returnedExpressions, type Located } from '../core/resolve.js';
import { flowClient } from './client-specs.js';

const MAX_DEPTH = 10;
const KYSELY = 'kysely';
const CLIENT_CLASSES = new Set(['Kysely']);
const CLIENT_TYPES = new Set(['Kysely', 'Transaction', 'ControlledTransaction', 'QueryCreator']);
/** Calls on a database that return the same database with other settings. */
const SAME_DATABASE = new Set(['withPlugin', 'withoutPlugins', 'withTables', 'with', 'withRecursive', '$withTables']);
/** `db.transaction().execute(fn)`, `db.connection().execute(fn)`: `fn` gets a database. */
const CALLBACK_SOURCES = new Set(['transaction', 'connection']);
/**
 * Builder methods whose callback gets a builder of a nested query: an expression builder (`where`,
 * `select`, `having`, ...: `eb.selectFrom(...)` is a subquery), a query creator (`with`, `withRecursive`:
 * a CTE's body), or a compound query's branch (`union`, `unionAll`, ...).
 */
const NESTED_CALLBACKS = /^(selectFrom|where|orWhere|having|orHaving|select|selectAll|distinctOn|orderBy|groupBy|on|orOn|set|values|returning|(inner|left|right|full|cross)Join(Lateral)?|union(All)?|intersect(All)?|except(All)?|with(Recursive|Materialized|NotMaterialized)?)$/;
/** Kysely types of builders inside a statement (a subquery's `eb`, a CTE's query creator, a chain kept in a typed value). */
const BUILDER_TYPES = new Set(['ExpressionBuilder', 'SelectQueryBuilder', 'UpdateQueryBuilder', 'DeleteQueryBuilder', 'InsertQueryBuilder', 'JoinBuilder']);

/**
 * A Kysely database, and, when it is traced to its construction, how that construction names
 * identifiers: `plain` (no `CamelCasePlugin`: code writes SQL names) or the plugin's options.
 */
export type KyselyClient = Extract<ClientInfo, { kind: 'client' }> & {
  naming?: 'plain' | KyselyCamelCase;
  /**
   * A builder inside a statement rather than a database: the callback parameter of `.where(eb => ...)`,
   * `.select(eb => ...)`, `withRecursive(name, qb => ...)`, `unionAll(eb => ...)`, or a value typed
   * `ExpressionBuilder<DB, 'comments'>` (`outer` then names the tables the outer query reads). A
   * query started on it is a subquery, a CTE body or a union branch: complete where it is written.
   */
  builder?: { outer: string[] };
};

/** The Kysely database `expression` is, or undefined when it cannot be traced to one. */
export function kyselyClientOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): KyselyClient | undefined {
  const traced = tracedKyselyClientOf(expression, unit, context, depth);
  if (traced || depth > 0) return traced;
  const flow = flowClient(expression, unit, context.resolver, 'kysely');
  return flow.kind === 'client' ? { kind: 'client', scoped: false, how: flow.how } : undefined;
}

function tracedKyselyClientOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): KyselyClient | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unwrap(expression);
  switch (node.type) {
    case T.NewExpression:
      return construction(node, unit, context, depth);
    case T.CallExpression:
      return fromCall(node, unit, context, depth);
    case T.Identifier:
      return fromIdentifier(node, unit, context, depth) ?? destructuredBuilder(node, unit, context, depth);
    case T.MemberExpression:
      return unwrap(node.object).type === T.ThisExpression ? thisMember(node, unit, context, depth) : undefined;
    case T.ConditionalExpression:
    case T.LogicalExpression: {
      const [a, b] = node.type === T.ConditionalExpression ? [node.consequent, node.alternate] : [node.left, node.right];
      const left = kyselyClientOf(a, unit, context, depth + 1);
      const right = kyselyClientOf(b, unit, context, depth + 1);
      if (left && right) return { ...left, scoped: left.scoped && right.scoped };
      return node.type === T.LogicalExpression ? (left ?? right) : undefined;
    }
    default:
      return undefined;
  }
}

/** `new Kysely<DB>({ dialect, plugins: [new WithSchemaPlugin(\`tenant_${id}\`)] })`. */
function construction(node: TSESTree.NewExpression, unit: FileUnit, context: AnalysisContext, depth: number): KyselyClient | undefined {
  if (!isClientClass(node.callee, unit, context, depth + 1)) return undefined;
  const options = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
  let naming: KyselyClient['naming'];
  if (options?.type === T.ObjectExpression) {
    const plugins = options.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'plugins');
    naming = plugins ? camelCasePlugin(plugins.value, unit, context) : 'plain';
    if (plugins && tenantSchemaPlugin(plugins.value, unit, context)) {
      return { kind: 'client', scoped: true, how: 'a Kysely database whose `WithSchemaPlugin` is bound to a per-tenant schema', ...(naming ? { naming } : {}) };
    }
  }
  return { kind: 'client', scoped: false, how: `\`new ${textOf(unit, node.callee)}()\` from \`kysely\``, ...(naming ? { naming } : {}) };
}

/**
 * `plugins: [new CamelCasePlugin(options)]`: the plugin's options; `plain` when the list is written
 * out and has none; undefined when it cannot be read (a list built elsewhere).
 */
function camelCasePlugin(node: Node, unit: FileUnit, context: AnalysisContext): KyselyClient['naming'] {
  const list = unwrap(node);
  if (list.type !== T.ArrayExpression) return undefined;
  for (const element of list.elements) {
    const item = element && element.type !== T.SpreadElement ? unwrap(element) : undefined;
    if (item?.type === T.SpreadElement || !item) return undefined;
    if (item.type !== T.NewExpression || unwrap(item.callee).type !== T.Identifier) continue;
    const binding = context.resolver.bindingOf(unwrap(item.callee) as TSESTree.Identifier, unit);
    if (binding.kind !== 'package' || binding.source !== KYSELY || binding.imported !== 'CamelCasePlugin') continue;
    const options: KyselyCamelCase = {};
    const arg = item.arguments[0] ? unwrap(item.arguments[0]) : undefined;
    for (const property of arg?.type === T.ObjectExpression ? arg.properties : []) {
      if (property.type !== T.Property) continue;
      const key = propertyName(property);
      const value = unwrap(property.value);
      if ((key === 'upperCase' || key === 'underscoreBeforeDigits' || key === 'underscoreBetweenUppercaseLetters') && value.type === T.Literal && value.value === true) options[key] = true;
    }
    return options;
  }
  return 'plain';
}

function isClientClass(callee: Node, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const node = unwrap(callee);
  if (node.type !== T.Identifier) return false;
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  if (binding.kind === 'package') return binding.source === KYSELY && CLIENT_CLASSES.has(binding.imported);
  if (binding.kind !== 'class' || !binding.cls.node.superClass) return false;
  return isClientClass(binding.cls.node.superClass, binding.cls.unit, context, depth + 1);
}

/** A `new WithSchemaPlugin(x)` (anywhere in `node`) whose schema is computed: one schema per tenant. */
function tenantSchemaPlugin(node: Node, unit: FileUnit, context: AnalysisContext): boolean {
  let found = false;
  walk(node, (inner) => {
    if (found || inner.type !== T.NewExpression || unwrap(inner.callee).type !== T.Identifier) return;
    const binding = context.resolver.bindingOf(unwrap(inner.callee) as TSESTree.Identifier, unit);
    if (binding.kind === 'package' && binding.source === KYSELY && binding.imported === 'WithSchemaPlugin' && isDynamicSchema(inner.arguments[0], unit)) found = true;
  });
  return found;
}

/** A schema name computed at run time (`\`tenant_${id}\``, `schemaOf(org)`) rather than written as a constant. */
export function isDynamicSchema(node: Node | undefined, unit: FileUnit): boolean {
  if (!node) return false;
  const value = unwrap(node);
  if (value.type === T.Literal) return false;
  if (value.type === T.TemplateLiteral) return value.expressions.length > 0;
  if (value.type === T.Identifier) {
    // A constant string names one schema for everyone.
    const def = variableOf(unit.scopeManager, value)?.defs[0];
    if (def?.type === 'Variable' && def.parent.kind === 'const' && def.node.init && unwrap(def.node.init).type === T.Literal) return false;
  }
  return true;
}

function fromCall(node: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext, depth: number): KyselyClient | undefined {
  const callee = unwrap(node.callee);
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (name && (context.config.scopedClientFactories ?? []).includes(name)) {
    return { kind: 'client', scoped: true, how: `\`${name}()\` is a configured scoped-client factory` };
  }
  if (callee.type === T.MemberExpression) {
    if (name === 'withSchema' || name === 'withPlugin' || (name && SAME_DATABASE.has(name))) {
      const base = kyselyClientOf(callee.object, unit, context, depth + 1);
      if (!base) return undefined;
      if (name === 'withSchema' && isDynamicSchema(node.arguments[0], unit)) {
        return { kind: 'client', scoped: true, how: `\`withSchema(${textOf(unit, node.arguments[0] as Node)})\`: a schema per tenant` };
      }
      if (name === 'withPlugin' && node.arguments[0] && tenantSchemaPlugin(node.arguments[0], unit, context)) {
        return { kind: 'client', scoped: true, how: 'a `WithSchemaPlugin` bound to a per-tenant schema' };
      }
      return base;
    }
    return undefined;
  }
  if (callee.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(callee, unit, depth + 1);
  return binding.kind === 'function' ? returnedBy(binding.fn, context, depth) : undefined;
}

/** `getDb()`: a database when every `return` of the function gives one. */
function returnedBy(fn: Located<TSESTree.FunctionLike>, context: AnalysisContext, depth: number): KyselyClient | undefined {
  const results = returnedExpressions(fn.node).map((expr) => kyselyClientOf(expr, fn.unit, context, depth + 1));
  const first = results[0];
  if (!first || results.some((r) => !r)) return undefined;
  const scoped = results.every((r) => r?.scoped);
  const naming = results.every((r) => JSON.stringify(r?.naming) === JSON.stringify(first.naming)) ? first.naming : undefined;
  return { kind: 'client', scoped, how: scoped ? first.how : `returned by a function (${first.how})`, ...(naming ? { naming } : {}) };
}

function fromIdentifier(node: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number): KyselyClient | undefined {
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  if (binding.kind === 'value') return kyselyClientOf(binding.value.node, binding.value.unit, context, depth + 1);
  if (binding.kind !== 'parameter') return undefined;
  const annotation = binding.param.node.typeAnnotation?.typeAnnotation;
  // `(eb: any) => eb.selectFrom(...)`: an `any` says nothing; where the callback is passed still does.
  if (annotation && annotation.type !== T.TSAnyKeyword) return typeClient(annotation, binding.param.unit, context, depth + 1, `\`${node.name}\``);
  return callbackParameter(binding.param.node, binding.fn, binding.param.unit, context, depth);
}

/** `db.transaction().setIsolationLevel('serializable').execute(async (trx) => ...)`: `trx` is a database like `db`. */
function callbackParameter(param: TSESTree.Identifier, fn: TSESTree.FunctionLike | undefined, unit: FileUnit, context: AnalysisContext, depth: number): KyselyClient | undefined {
  if (!fn || fn.params[0] !== param) return undefined;
  const call = fn.parent;
  if (call?.type !== T.CallExpression) return undefined;
  const nested = nestedBuilder(fn, call, unit, context, depth);
  if (nested || call.arguments[0] !== fn) return nested;
  let callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression || memberName(callee) !== 'execute') return undefined;
  for (let i = 0; i < 6; i++) {
    const object = unwrap(callee.object);
    if (object.type !== T.CallExpression) return undefined;
    const inner = unwrap(object.callee);
    if (inner.type !== T.MemberExpression) return undefined;
    if (CALLBACK_SOURCES.has(memberName(inner) ?? '')) {
      const outer = kyselyClientOf(inner.object, unit, context, depth + 1);
      return outer ? { ...outer, how: `the \`${param.name}\` of a transaction on ${outer.how}` } : undefined;
    }
    callee = inner;
  }
  return undefined;
}

/**
 * `db.selectFrom('favorites').where((eb) => ...)`, `db.withRecursive('tree', (qb) => ...)`: the
 * callback's parameter builds inside a statement whose chain starts on a Kysely database (or on
 * another such builder, for a subquery inside a subquery).
 */
function nestedBuilder(fn: TSESTree.FunctionLike, call: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext, depth: number, methods = NESTED_CALLBACKS): KyselyClient | undefined {
  const callee = unwrap(call.callee);
  const method = callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (callee.type !== T.MemberExpression || !method || !methods.test(method)) return undefined;
  if (!call.arguments.some((a) => unwrap(a as Node) === fn)) return undefined;
  let root = unwrap(callee.object);
  const tables: string[] = [];
  let outer: KyselyClient | undefined;
  // `let qb = db.selectFrom('t'); qb = qb.where((eb) => ...)`: a builder kept in a variable is followed to its start.
  for (let hop = 0; hop < 3 && !outer; hop++) {
    for (let i = 0; i < 200 && root.type === T.CallExpression; i++) {
      const inner = unwrap(root.callee);
      if (inner.type !== T.MemberExpression) break;
      const name = memberName(inner);
      const arg = root.arguments[0] ? unwrap(root.arguments[0]) : undefined;
      if (name && /^(selectFrom|updateTable|deleteFrom|insertInto)$|Join(Lateral)?$/.test(name) && arg?.type === T.Literal && typeof arg.value === 'string') tables.push(arg.value);
      root = unwrap(inner.object);
    }
    outer = kyselyClientOf(root, unit, context, depth + 1) ?? destructuredBuilder(root, unit, context, depth) ?? flowDatabase(root, unit, context);
    const def = !outer && root.type === T.Identifier ? variableOf(unit.scopeManager, root)?.defs[0] : undefined;
    if (def?.type !== 'Variable' || def.node.id.type !== T.Identifier || !def.node.init) break;
    root = unwrap(def.node.init);
  }
  if (!outer) return undefined;
  const { builder, ...client } = outer;
  return { ...client, how: `a builder inside a query on ${outer.how.replace(/^a builder inside a query on /, '')}`, builder: { outer: [...tables, ...(builder?.outer ?? [])] } };
}

/** A database the flow engine traces to Kysely (`prisma.$kysely` of prisma-extension-kysely). */
function flowDatabase(root: Node, unit: FileUnit, context: AnalysisContext): KyselyClient | undefined {
  if (root.type === T.CallExpression) return undefined;
  const flow = flowClient(root, unit, context.resolver, 'kysely');
  return flow.kind === 'client' ? { kind: 'client', scoped: false, how: flow.how } : undefined;
}

/** `({ selectFrom, exists }) => exists(selectFrom('t')...)`: a helper taken from a nested callback's expression builder. */
function destructuredBuilder(root: Node, unit: FileUnit, context: AnalysisContext, depth: number): KyselyClient | undefined {
  // `selectFrom('t')` called as taken, or `eb.selectFrom('t')` with `eb` itself taken from `({ eb, or })`.
  const name = root.type === T.CallExpression ? unwrap(root.callee) : root;
  if (name.type !== T.Identifier || depth > MAX_DEPTH) return undefined;
  const def = variableOf(unit.scopeManager, name)?.defs[0];
  if (def?.type !== 'Parameter') return undefined;
  const fn = def.node as TSESTree.FunctionLike;
  const pattern = fn.params[0];
  if (pattern?.type !== T.ObjectPattern || !pattern.properties.some((p) => p.type === T.Property && p.value === def.name)) return undefined;
  const call = fn.parent;
  return call?.type === T.CallExpression ? nestedBuilder(fn, call, unit, context, depth + 1) : undefined;
}

const INLINE_CALLBACKS = new RegExp(`${NESTED_CALLBACKS.source.slice(0, -2)}|\\$if|\\$call)$`);

/**
 * A callback Kysely runs while it builds a statement (`.where((eb) => ...)`, `.$if(c, (qb) => ...)`,
 * `withRecursive(name, (qb) => ...)`): the whole chain of that statement, run by whoever runs it.
 * Undefined for any other function.
 */
export function kyselyStatementOf(fn: TSESTree.FunctionLike, unit: FileUnit, context: AnalysisContext): TSESTree.CallExpression | undefined {
  const call = fn.parent;
  if (call?.type !== T.CallExpression || !nestedBuilder(fn, call, unit, context, 0, INLINE_CALLBACKS)) return undefined;
  let outer: TSESTree.CallExpression = call;
  for (let i = 0; i < 200; i++) {
    let node: Node = outer;
    while (node.parent && (node.parent.type === T.TSAsExpression || node.parent.type === T.TSNonNullExpression)) node = node.parent;
    const member = node.parent;
    if (member?.type !== T.MemberExpression || member.object !== node || member.parent?.type !== T.CallExpression || member.parent.callee !== member) break;
    outer = member.parent;
  }
  return outer;
}

/** `this.db`: a constructor parameter property, a class field (typed or initialised), or a `this.db = ...` assignment. */
function thisMember(node: TSESTree.MemberExpression, unit: FileUnit, context: AnalysisContext, depth: number): KyselyClient | undefined {
  const name = memberName(node);
  const cls = enclosingClass(node);
  if (!name || !cls) return undefined;
  for (const member of cls.body.body) {
    if (member.type === T.PropertyDefinition && propertyName(member) === name) {
      if (member.value) return kyselyClientOf(member.value, unit, context, depth + 1);
      const annotation = member.typeAnnotation?.typeAnnotation;
      if (annotation) return typeClient(annotation, unit, context, depth + 1, `\`this.${name}\``);
    }
    if (member.type === T.MethodDefinition && member.kind === 'constructor') {
      for (const param of member.value.params) {
        if (param.type !== T.TSParameterProperty || param.parameter.type !== T.Identifier || param.parameter.name !== name) continue;
        const annotation = param.parameter.typeAnnotation?.typeAnnotation;
        return annotation ? typeClient(annotation, unit, context, depth + 1, `\`this.${name}\``) : undefined;
      }
    }
  }
  const assigned = thisAssigned(cls.body, name);
  return assigned ? kyselyClientOf(assigned, unit, context, depth + 1) : undefined;
}

/** `Kysely<DB>`, `Transaction<DB>` from `kysely`, `typeof db`, or a project alias of one (`export type Database = Kysely<DB>`). */
function typeClient(annotation: TSESTree.TypeNode, unit: FileUnit, context: AnalysisContext, depth: number, what: string): KyselyClient | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (annotation.type === T.TSTypeQuery && annotation.exprName.type === T.Identifier) return kyselyClientOf(annotation.exprName, unit, context, depth + 1);
  if (annotation.type !== T.TSTypeReference || annotation.typeName.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(annotation.typeName, unit, depth + 1);
  if (binding.kind === 'package') {
    if (binding.source !== KYSELY) return undefined;
    if (CLIENT_TYPES.has(binding.imported)) return { kind: 'client', scoped: false, how: `${what} is typed \`${binding.imported}\` from \`kysely\`` };
    if (!BUILDER_TYPES.has(binding.imported)) return undefined;
    // `ExpressionBuilder<DB, 'comments'>`: the second type argument names the tables in scope.
    const outer = (annotation.typeArguments?.params[1] ? literalTypes(annotation.typeArguments.params[1]) : []);
    return { kind: 'client', scoped: false, how: `${what} is typed \`${binding.imported}\` from \`kysely\``, builder: { outer } };
  }
  // `<Q extends SelectQueryBuilder<any, any, any>>(query: Q)`: the parameter's constraint.
  const def = variableOf(unit.scopeManager, annotation.typeName)?.defs[0];
  if (def?.node.type === T.TSTypeParameter) return def.node.constraint ? typeClient(def.node.constraint, unit, context, depth + 1, what) : undefined;
  const alias = typeAlias(annotation.typeName, unit, context);
  return alias ? typeClient(alias.node, alias.unit, context, depth + 1, what) : undefined;
}

/** `'comments'`, `'comments' | 'users'`: the string literals of a type. */
function literalTypes(type: TSESTree.TypeNode): string[] {
  if (type.type === T.TSLiteralType && type.literal.type === T.Literal && typeof type.literal.value === 'string') return [type.literal.value];
  if (type.type === T.TSUnionType) return type.types.flatMap(literalTypes);
  return [];
}

/** The type a type name stands for, in this file or exported by a project file. */
function typeAlias(name: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext): Located<TSESTree.TypeNode> | undefined {
  const def = variableOf(unit.scopeManager, name)?.defs[0];
  if (def?.type === 'Type' && def.node.type === T.TSTypeAliasDeclaration) return { node: def.node.typeAnnotation, unit };
  if (def?.type !== 'ImportBinding' || def.parent.type !== T.ImportDeclaration || def.node.type !== T.ImportSpecifier) return undefined;
  const imported = def.node.imported.type === T.Identifier ? def.node.imported.name : def.node.imported.value;
  const file = context.resolver.modules.resolve(unit.file, def.parent.source.value);
  const target = file ? context.resolver.modules.unit(file) : null;
  if (!target) return undefined;
  for (const statement of target.ast.body) {
    const declaration = statement.type === T.ExportNamedDeclaration ? statement.declaration : undefined;
    if (declaration?.type === T.TSTypeAliasDeclaration && declaration.id.name === imported) return { node: declaration.typeAnnotation, unit: target };
  }
  return undefined;
}
