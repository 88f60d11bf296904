/**
 * MikroORM receivers: an EntityManager (`orm.em`, `em.fork()`, parameters, fields and constructor
 * properties typed `EntityManager` / `SqlEntityManager`, `RequestContext.getEntityManager()`) or a
 * repository of one entity (`em.getRepository(Invoice)`, `@InjectRepository(Invoice)`, a
 * parameter or field typed `EntityRepository<Invoice>`). Types and decorators count only when
 * imported from a `@mikro-orm/*` package. Never by variable name.
 *
 * The one entry point is `mikroOrmReceiverOf`: the value-flow engine can replace it wholesale.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { enclosingClass, memberName, propertyName, T, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext } from '../core/query-site.js';
import { returnedExpressions } from '../core/resolve.js';

const MAX_DEPTH = 10;
const EM_TYPES = new Set(['EntityManager', 'SqlEntityManager', 'MongoEntityManager']);
const REPOSITORY_TYPES = new Set(['EntityRepository', 'SqlEntityRepository', 'MongoEntityRepository']);

export type MikroReceiver =
  | { kind: 'em'; how: string }
  /** `entity`: the expression naming the entity (a class identifier or a string). */
  | { kind: 'repository'; entity: Node; entityUnit: FileUnit; how: string };

function isMikroSource(source: string): boolean {
  return source.startsWith('@mikro-orm/');
}

export function mikroOrmReceiverOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): MikroReceiver | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unwrap(expression);
  switch (node.type) {
    case T.Identifier:
      return receiverOfIdentifier(node, unit, context, depth);
    case T.MemberExpression: {
      if (unwrap(node.object).type === T.ThisExpression) return thisProperty(node, unit, context, depth);
      // `orm.em`: the EntityManager of a MikroORM instance.
      if (memberName(node) === 'em' && isMikroOrmInstance(node.object, unit, context, depth + 1)) return { kind: 'em', how: '`orm.em` of a MikroORM instance' };
      return undefined;
    }
    case T.CallExpression:
      return receiverOfCall(node, unit, context, depth);
    default:
      return undefined;
  }
}

function receiverOfCall(node: TSESTree.CallExpression, unit: FileUnit, context: AnalysisContext, depth: number): MikroReceiver | undefined {
  const callee = unwrap(node.callee);
  if (callee.type === T.MemberExpression) {
    const name = memberName(callee);
    if (name === 'fork') {
      const em = mikroOrmReceiverOf(callee.object, unit, context, depth + 1);
      return em?.kind === 'em' ? { kind: 'em', how: `a fork of ${em.how}` } : undefined;
    }
    if (name === 'getRepository' && node.arguments[0]) {
      const em = mikroOrmReceiverOf(callee.object, unit, context, depth + 1);
      return em?.kind === 'em' ? { kind: 'repository', entity: node.arguments[0], entityUnit: unit, how: `\`getRepository()\` of ${em.how}` } : undefined;
    }
    if (name === 'getEntityManager' && isPackageValue(callee.object, unit, context, 'RequestContext', depth)) return { kind: 'em', how: '`RequestContext.getEntityManager()`' };
    return undefined;
  }
  if (callee.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(callee, unit, depth + 1);
  if (binding.kind !== 'function') return undefined;
  const results = returnedExpressions(binding.fn.node).map((e) => mikroOrmReceiverOf(e, binding.fn.unit, context, depth + 1));
  const first = results[0];
  return first && results.every((r) => r?.kind === first.kind) ? first : undefined;
}

function isPackageValue(node: Node, unit: FileUnit, context: AnalysisContext, name: string, depth: number): boolean {
  const inner = unwrap(node);
  if (inner.type !== T.Identifier) return false;
  const binding = context.resolver.bindingOf(inner, unit, depth + 1);
  return binding.kind === 'package' && isMikroSource(binding.source) && binding.imported === name;
}

/** `await MikroORM.init(config)`, a value typed `MikroORM`. */
function isMikroOrmInstance(node: Node, unit: FileUnit, context: AnalysisContext, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const inner = unwrap(node);
  if (inner.type === T.CallExpression) {
    const callee = unwrap(inner.callee);
    return callee.type === T.MemberExpression && memberName(callee) === 'init' && isPackageValue(callee.object, unit, context, 'MikroORM', depth);
  }
  if (inner.type === T.MemberExpression && unwrap(inner.object).type === T.ThisExpression) {
    const type = thisPropertyType(inner, unit);
    return type !== undefined && typeName(type.annotation, type.unit) === 'MikroORM';
  }
  if (inner.type !== T.Identifier) return false;
  const binding = context.resolver.bindingOf(inner, unit, depth + 1);
  if (binding.kind === 'value') return isMikroOrmInstance(binding.value.node, binding.value.unit, context, depth + 1);
  if (binding.kind === 'parameter') {
    const annotation = binding.param.node.typeAnnotation?.typeAnnotation;
    return annotation !== undefined && typeName(annotation, binding.param.unit) === 'MikroORM';
  }
  return false;
}

/** The MikroORM type an annotation names (`EntityManager`, `EntityRepository`), when imported from `@mikro-orm/*`. */
function typeName(annotation: TSESTree.TypeNode, unit: FileUnit): string | undefined {
  if (annotation.type !== T.TSTypeReference || annotation.typeName.type !== T.Identifier) return undefined;
  const def = variableOf(unit.scopeManager, annotation.typeName)?.defs[0];
  if (def?.type !== 'ImportBinding' || def.parent.type !== T.ImportDeclaration || def.node.type !== T.ImportSpecifier) return undefined;
  if (!isMikroSource(def.parent.source.value)) return undefined;
  return def.node.imported.type === T.Identifier ? def.node.imported.name : def.node.imported.value;
}

/** `EntityManager` → em; `EntityRepository<Invoice>` → a repository of `Invoice`. */
function receiverOfType(annotation: TSESTree.TypeNode, unit: FileUnit, what: string): MikroReceiver | undefined {
  const name = typeName(annotation, unit);
  if (!name) return undefined;
  if (EM_TYPES.has(name)) return { kind: 'em', how: `${what} is typed \`${name}\`` };
  if (!REPOSITORY_TYPES.has(name) || annotation.type !== T.TSTypeReference) return undefined;
  const entity = annotation.typeArguments?.params[0];
  if (entity?.type !== T.TSTypeReference || entity.typeName.type !== T.Identifier) return undefined;
  return { kind: 'repository', entity: entity.typeName, entityUnit: unit, how: `${what} is typed \`${name}<${entity.typeName.name}>\`` };
}

function receiverOfIdentifier(node: TSESTree.Identifier, unit: FileUnit, context: AnalysisContext, depth: number): MikroReceiver | undefined {
  // `declare const em: EntityManager`, `let em: EntityManager`: the declared type.
  const def = variableOf(unit.scopeManager, node)?.defs[0];
  if (def?.type === 'Variable' && def.node.id.type === T.Identifier && !def.node.init && def.node.id.typeAnnotation) {
    return receiverOfType(def.node.id.typeAnnotation.typeAnnotation, unit, `\`${node.name}\``);
  }
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  if (binding.kind === 'value') return mikroOrmReceiverOf(binding.value.node, binding.value.unit, context, depth + 1);
  if (binding.kind !== 'parameter') return undefined;
  const annotation = binding.param.node.typeAnnotation?.typeAnnotation;
  return annotation ? receiverOfType(annotation, binding.param.unit, `\`${node.name}\``) : undefined;
}

/** `this.em` / `this.invoices`: a typed or initialised field, or a constructor parameter property (with `@InjectRepository(E)`). */
function thisProperty(node: TSESTree.MemberExpression, unit: FileUnit, context: AnalysisContext, depth: number): MikroReceiver | undefined {
  const name = memberName(node);
  const cls = enclosingClass(node);
  if (!name || !cls) return undefined;
  for (const member of cls.body.body) {
    if (member.type === T.PropertyDefinition && propertyName(member) === name) {
      const annotation = member.typeAnnotation?.typeAnnotation;
      return (annotation ? receiverOfType(annotation, unit, `\`this.${name}\``) : undefined) ?? (member.value ? mikroOrmReceiverOf(member.value, unit, context, depth + 1) : undefined);
    }
    if (member.type === T.MethodDefinition && member.kind === 'constructor') {
      for (const param of member.value.params) {
        if (param.type !== T.TSParameterProperty || param.parameter.type !== T.Identifier || param.parameter.name !== name) continue;
        const injected = injectedEntity(param, unit, context);
        if (injected) return { kind: 'repository', entity: injected, entityUnit: unit, how: `\`this.${name}\` is injected with \`@InjectRepository()\`` };
        const annotation = param.parameter.typeAnnotation?.typeAnnotation;
        return annotation ? receiverOfType(annotation, unit, `\`this.${name}\``) : undefined;
      }
    }
  }
  return undefined;
}

/** `@InjectRepository(Invoice)` from `@mikro-orm/nestjs`. */
function injectedEntity(param: TSESTree.TSParameterProperty, unit: FileUnit, context: AnalysisContext): Node | undefined {
  for (const decorator of param.decorators ?? []) {
    const expression = unwrap(decorator.expression);
    if (expression.type !== T.CallExpression || unwrap(expression.callee).type !== T.Identifier) continue;
    if (isPackageValue(expression.callee, unit, context, 'InjectRepository', 0) && expression.arguments[0]) return expression.arguments[0];
  }
  return undefined;
}

function thisPropertyType(node: TSESTree.MemberExpression, unit: FileUnit): { annotation: TSESTree.TypeNode; unit: FileUnit } | undefined {
  const name = memberName(node);
  const cls = enclosingClass(node);
  if (!name || !cls) return undefined;
  for (const member of cls.body.body) {
    if (member.type === T.PropertyDefinition && propertyName(member) === name && member.typeAnnotation) return { annotation: member.typeAnnotation.typeAnnotation, unit };
    if (member.type === T.MethodDefinition && member.kind === 'constructor') {
      for (const param of member.value.params) {
        if (param.type === T.TSParameterProperty && param.parameter.type === T.Identifier && param.parameter.name === name && param.parameter.typeAnnotation) return { annotation: param.parameter.typeAnnotation.typeAnnotation, unit };
      }
    }
  }
  return undefined;
}
