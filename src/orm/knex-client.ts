/**
 * Knex clients: the result of `knex(config)` / `Knex(config)` / `require('knex')(config)`, followed
 * through consts, module exports, `Knex` / `Knex.Transaction` typed parameters and class fields,
 * `db.transaction(async (trx) => ...)` and `await db.transaction()`, configured scoped-client
 * factories, and `fastify.knex` when a `declare module 'fastify'` augmentation types it as `Knex`.
 * Never by variable name.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { enclosingClass, memberName, propertyName, T, textOf, thisAssigned, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext, ClientInfo } from '../core/query-site.js';
import { returnedExpressions } from '../core/resolve.js';
import { flowClient } from './client-specs.js';

const MAX_DEPTH = 10;
const KNEX_SOURCE = 'knex';
/** Names the `knex` package exports its factory under. */
const FACTORY_EXPORTS = new Set(['default', 'knex', 'Knex']);

export type KnexClient = Extract<ClientInfo, { kind: 'client' }>;

/** The receiver traced to a Knex client; undefined when it is not one (or cannot be told). */
export function knexClientOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): KnexClient | undefined {
  const traced = tracedKnexClientOf(expression, unit, context, depth);
  if (traced || depth > 0) return traced;
  const flow = flowClient(expression, unit, context.resolver, 'knex');
  return flow.kind === 'client' ? { kind: 'client', scoped: false, how: flow.how } : undefined;
}

function tracedKnexClientOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): KnexClient | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unwrap(expression);
  switch (node.type) {
    case T.CallExpression:
      return clientOfCall(node, unit, context, depth);
    case T.Identifier:
      return clientOfIdentifier(node, unit, context, depth);
    case T.MemberExpression:
      return unwrap(node.object).type === T.ThisExpression ? thisProperty(node, unit, context, depth) : decoratedProperty(node, unit, context, depth);
    case T.LogicalExpression:
    case T.ConditionalExpression: {
      const [a, b] = node.type === T.LogicalExpression ? [node.left, node.right] : [node.consequent, node.alternate];
      const left = knexClientOf(a, unit, context, depth + 1);
      const right = knexClientOf(b, unit, context, depth + 1);
      if (left && right) return { ...left, scoped: left.scoped && right.scoped };
      return node.type === T.LogicalExpression ? (left ?? right) : undefined;
    }
    default:
      return undefined;
  }
}

function clientOfCall(node: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext, depth: number): KnexClient | undefined {
  const callee = unwrap(node.callee);
  const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
  if (name && (context.config.scopedClientFactories ?? []).includes(name)) {
    return { kind: 'client', scoped: true, how: `\`${name}()\` is a configured scoped-client factory` };
  }
  if (isKnexFactory(callee, unit, context, depth + 1)) return constructed(node, unit);
  // `const trx = await db.transaction()`: a transaction of the same database.
  if (callee.type === T.MemberExpression && name === 'transaction' && node.arguments.length === 0) {
    return knexClientOf(callee.object, unit, context, depth + 1);
  }
  if (callee.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(callee, unit, depth + 1);
  if (binding.kind !== 'function') return undefined;
  // `getDb()`: every returned value must be a client.
  const results = returnedExpressions(binding.fn.node).map((e) => knexClientOf(e, binding.fn.unit, context, depth + 1));
  const first = results[0];
  if (!first || results.some((r) => !r)) return undefined;
  return { ...first, scoped: results.every((r) => r?.scoped) };
}

/** `knex({ ... })`: scoped when its `searchPath` is chosen per tenant (schema per tenant). */
function constructed(node: TSESTree.CallExpression, unit: FileUnit): KnexClient {
  const config = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
  if (config?.type === T.ObjectExpression) {
    const searchPath = config.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'searchPath');
    if (searchPath && isPerTenant(searchPath.value)) {
      return { kind: 'client', scoped: true, how: `a Knex client whose \`searchPath\` (\`${textOf(unit, searchPath.value)}\`) is chosen per tenant` };
    }
  }
  return { kind: 'client', scoped: false, how: '`knex()` from `knex`' };
}

/** A schema name built from a value (`\`tenant_${id}\``, `[schema]`), not a constant. */
export function isPerTenant(value: Node): boolean {
  const node = unwrap(value);
  if (node.type === T.TemplateLiteral) return node.expressions.length > 0;
  if (node.type === T.ArrayExpression) return node.elements.some((e) => e !== null && e.type !== T.SpreadElement && isPerTenant(e));
  if (node.type === T.Literal) return false;
  return node.type === T.Identifier || node.type === T.MemberExpression || node.type === T.CallExpression || node.type === T.BinaryExpression;
}

/** The `knex` factory: its default or named import, `require('knex')`, `require('knex').knex`, or a const of one. */
function isKnexFactory(expression: Node, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const node = unwrap(expression);
  if (node.type === T.CallExpression) return isRequireKnex(node, unit);
  if (node.type === T.MemberExpression) {
    const object = unwrap(node.object);
    return FACTORY_EXPORTS.has(memberName(node) ?? '') && object.type === T.CallExpression && isRequireKnex(object, unit);
  }
  if (node.type !== T.Identifier) return false;
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  if (binding.kind === 'package') return binding.source === KNEX_SOURCE && FACTORY_EXPORTS.has(binding.imported);
  if (binding.kind === 'value') return isKnexFactory(binding.value.node, binding.value.unit, context, depth + 1);
  return false;
}

function isRequireKnex(call: TSESTree.CallExpression, unit: FileUnit): boolean {
  const callee = unwrap(call.callee);
  const arg = call.arguments[0];
  if (callee.type !== T.Identifier || callee.name !== 'require' || variableOf(unit.scopeManager, callee)?.defs.length) return false;
  return arg?.type === T.Literal && arg.value === KNEX_SOURCE;
}

function clientOfIdentifier(node: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number): KnexClient | undefined {
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  if (binding.kind === 'value') return knexClientOf(binding.value.node, binding.value.unit, context, depth + 1);
  if (binding.kind !== 'parameter') return undefined;
  const annotation = binding.param.node.typeAnnotation?.typeAnnotation;
  if (annotation) return isKnexType(annotation, binding.param.unit, context, depth + 1) ? { kind: 'client', scoped: false, how: `\`${node.name}\` is typed as a Knex client` } : undefined;
  return transactionParameter(binding.param.node, binding.fn, binding.param.unit, context, depth);
}

/** `db.transaction(async (trx) => ...)`: `trx` is a client of the same database. */
function transactionParameter(param: TSESTree.Identifier, fn: TSESTree.FunctionLike | undefined, unit: FileUnit, context: AnalysisContext, depth: number): KnexClient | undefined {
  if (!fn || fn.params[0] !== param) return undefined;
  const call = fn.parent;
  if (call?.type !== T.CallExpression || call.arguments[0] !== fn) return undefined;
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression || memberName(callee) !== 'transaction') return undefined;
  const outer = knexClientOf(callee.object, unit, context, depth + 1);
  return outer ? { ...outer, how: `the \`${param.name}\` of a transaction on ${outer.how}` } : undefined;
}

/** `Knex`, `Knex<any, unknown[]>`, `Knex.Transaction` imported from `knex`; `typeof db`; a local alias of one. */
export function isKnexType(annotation: TSESTree.TypeNode, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (annotation.type === T.TSTypeQuery && annotation.exprName.type === T.Identifier) return knexClientOf(annotation.exprName, unit, context, depth + 1) !== undefined;
  if (annotation.type !== T.TSTypeReference) return false;
  const name = annotation.typeName;
  if (name.type === T.TSQualifiedName) return name.left.type === T.Identifier && name.right.name === 'Transaction' && isKnexTypeName(name.left, unit, context, depth);
  return name.type === T.Identifier && isKnexTypeName(name, unit, context, depth);
}

function isKnexTypeName(name: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  const def = variableOf(unit.scopeManager, name)?.defs[0];
  if (def?.type === 'Type' && def.node.type === T.TSTypeAliasDeclaration) return isKnexType(def.node.typeAnnotation, unit, context, depth + 1);
  if (def?.type !== 'ImportBinding' || def.parent.type !== T.ImportDeclaration) return false;
  if (def.parent.source.value === KNEX_SOURCE) return def.node.type === T.ImportSpecifier && importedName(def.node) === 'Knex';
  // A type alias exported by a project module (`export type Db = Knex`).
  const file = context.resolver.modules.resolve(unit.file, def.parent.source.value);
  const target = file ? context.resolver.modules.unit(file) : null;
  if (!target || def.node.type !== T.ImportSpecifier) return false;
  const alias = exportedTypeAlias(target, importedName(def.node));
  return alias ? isKnexType(alias, target, context, depth + 1) : false;
}

function importedName(spec: TSESTree.ImportSpecifier): string {
  return spec.imported.type === T.Identifier ? spec.imported.name : spec.imported.value;
}

function exportedTypeAlias(unit: FileUnit, name: string): TSESTree.TypeNode | undefined {
  for (const statement of unit.ast.body) {
    const declaration = statement.type === T.ExportNamedDeclaration ? statement.declaration : statement;
    if (declaration?.type === T.TSTypeAliasDeclaration && declaration.id.name === name) return declaration.typeAnnotation;
  }
  return undefined;
}

/** `this.db`: a typed or initialised class field, a typed constructor parameter property, or `this.db = ...`. */
function thisProperty(node: TSESTree.MemberExpression, unit: FileUnit, context: AnalysisContext, depth: number): KnexClient | undefined {
  const name = memberName(node);
  const cls = enclosingClass(node);
  if (!name || !cls) return undefined;
  const typed = (annotation: TSESTree.TypeNode | undefined): KnexClient | undefined =>
    annotation && isKnexType(annotation, unit, context, depth + 1) ? { kind: 'client', scoped: false, how: `\`this.${name}\` is typed as a Knex client` } : undefined;
  for (const member of cls.body.body) {
    if (member.type === T.PropertyDefinition && propertyName(member) === name) {
      return typed(member.typeAnnotation?.typeAnnotation) ?? (member.value ? knexClientOf(member.value, unit, context, depth + 1) : undefined);
    }
    if (member.type === T.MethodDefinition && member.kind === 'constructor') {
      for (const param of member.value.params) {
        if (param.type === T.TSParameterProperty && param.parameter.type === T.Identifier && param.parameter.name === name) return typed(param.parameter.typeAnnotation?.typeAnnotation);
      }
    }
  }
  const assigned = thisAssigned(cls.body, name);
  return assigned ? knexClientOf(assigned, unit, context, depth + 1) : undefined;
}

/**
 * `fastify.knex`, `request.server.db`: a decoration is a client only when the project types it,
 * with `declare module 'fastify' { interface FastifyInstance { knex: Knex } }` in this file or in
 * a module it imports.
 */
function decoratedProperty(node: TSESTree.MemberExpression, unit: FileUnit, context: AnalysisContext, depth: number): KnexClient | undefined {
  const name = memberName(node);
  if (!name) return undefined;
  const object = unwrap(node.object);
  if (object.type === T.Identifier) {
    // `deps.db` where `deps` is an object literal of this project: its property.
    const binding = context.resolver.bindingOf(object, unit, depth + 1);
    if (binding.kind === 'value' && binding.value.node.type === T.ObjectExpression) {
      const property = binding.value.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === name);
      return property ? knexClientOf(property.value, binding.value.unit, context, depth + 1) : undefined;
    }
  }
  if (!isFastifyInstance(object, unit, context, depth)) return undefined;
  return fastifyDecoration(name, unit, context) ? { kind: 'client', scoped: false, how: `\`FastifyInstance.${name}\` is declared as a Knex client` } : undefined;
}

/** `fastify` typed `FastifyInstance`, a parameter of a `FastifyPluginAsync`, or `request.server`. */
function isFastifyInstance(object: Node, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  if (object.type === T.MemberExpression) return memberName(object) === 'server';
  if (object.type !== T.Identifier) return false;
  const binding = context.resolver.bindingOf(object, unit, depth + 1);
  if (binding.kind !== 'parameter') return false;
  const annotation = binding.param.node.typeAnnotation?.typeAnnotation;
  if (annotation) return typeNamed(annotation, /^Fastify(Instance)$/);
  // `const routes: FastifyPluginAsync = async (fastify) => { ... }`
  const declarator = binding.fn?.parent;
  const declared = declarator?.type === T.VariableDeclarator && declarator.id.type === T.Identifier ? declarator.id.typeAnnotation?.typeAnnotation : undefined;
  return declared !== undefined && binding.fn?.params[0] === binding.param.node && typeNamed(declared, /^FastifyPlugin(Async|Callback)$/);
}

function typeNamed(annotation: TSESTree.TypeNode, pattern: RegExp): boolean {
  return annotation.type === T.TSTypeReference && annotation.typeName.type === T.Identifier && pattern.test(annotation.typeName.name);
}

const decorations = new WeakMap<FileUnit, Set<string>>();

/** Is `FastifyInstance.<name>` declared with a Knex type in this file or a module it imports (two levels)? */
function fastifyDecoration(name: string, unit: FileUnit, context: AnalysisContext): boolean {
  const seen = new Set<string>();
  const visit = (current: FileUnit, level: number): boolean => {
    if (seen.has(current.file)) return false;
    seen.add(current.file);
    if (knexDecorations(current, context).has(name)) return true;
    if (level >= 2) return false;
    for (const statement of current.ast.body) {
      if (statement.type !== T.ImportDeclaration) continue;
      const file = context.resolver.modules.resolve(current.file, statement.source.value);
      const target = file ? context.resolver.modules.unit(file) : null;
      if (target && visit(target, level + 1)) return true;
    }
    return false;
  };
  return visit(unit, 0);
}

function knexDecorations(unit: FileUnit, context: AnalysisContext): Set<string> {
  let names = decorations.get(unit);
  if (names) return names;
  const found = new Set<string>();
  names = found;
  decorations.set(unit, names);
  if (!unit.text.includes('FastifyInstance')) return names;
  for (const statement of unit.ast.body) {
    if (statement.type !== T.TSModuleDeclaration || statement.id.type !== T.Literal || statement.id.value !== 'fastify' || statement.body?.type !== T.TSModuleBlock) continue;
    for (const inner of statement.body.body) {
      const declaration = inner.type === T.ExportNamedDeclaration ? inner.declaration : inner;
      if (declaration?.type !== T.TSInterfaceDeclaration || declaration.id.name !== 'FastifyInstance') continue;
      for (const member of declaration.body.body) {
        if (member.type !== T.TSPropertySignature || member.key.type !== T.Identifier) continue;
        const annotation = member.typeAnnotation?.typeAnnotation;
        if (annotation && isKnexType(annotation, unit, context, 0)) found.add(member.key.name);
      }
    }
  }
  return names;
}
