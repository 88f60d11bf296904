import type { TSESTree } from '@typescript-eslint/types';
import type { Variable } from '@typescript-eslint/scope-manager';
import { enclosingClass, memberName, propertyName, T, textOf, thisAssigned, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext } from '../core/query-site.js';
import { returnedExpressions, type Located } from '../core/resolve.js';
import { locationOf } from '../core/syntax.js';
import { evaluateKey } from './keys.js';

export { locationOf };
import type { CacheClient, CacheRecognizer, ClientSpec, ImportPath } from './types.js';

const MAX_DEPTH = 10;

interface TracedClient {
  recognizer: CacheRecognizer;
  client: CacheClient;
}

/**
 * What an expression imported from a package is: `Redis` of `import Redis from 'ioredis'` is
 * { source: 'ioredis', path: ['default'] }, `memjs.Client.create` is ['*', 'Client', 'create'].
 * CommonJS `require('x')` counts as the default import.
 */
export function importPathOf(expression: Node, unit: FileUnit, context: AnalysisContext, depth = 0): ImportPath | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unwrap(expression);
  if (node.type === T.MemberExpression) {
    const name = memberName(node);
    const base = name ? importPathOf(node.object, unit, context, depth + 1) : undefined;
    return base && name ? { source: base.source, path: [...base.path, name] } : undefined;
  }
  if (node.type === T.CallExpression) {
    const callee = unwrap(node.callee);
    const arg = node.arguments[0];
    if (callee.type === T.Identifier && callee.name === 'require' && !variableOf(unit.scopeManager, callee)?.defs.length && arg?.type === T.Literal && typeof arg.value === 'string') {
      return { source: arg.value, path: ['default'] };
    }
    return undefined;
  }
  if (node.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  if (binding.kind === 'package') return { source: binding.source, path: [binding.imported] };
  if (binding.kind === 'value') return importPathOf(binding.value.node, binding.value.unit, context, depth + 1);
  return undefined;
}

/** `Invoice` of `LRUCache<string, Invoice>`, `Invoice[]`, `Promise<Invoice | null>`: the named types of type arguments. */
function typeNames(types: readonly TSESTree.TypeNode[], depth = 0): string[] {
  if (depth > 4) return [];
  return types.flatMap((type): string[] => {
    if (type.type === T.TSArrayType) return typeNames([type.elementType], depth + 1);
    if (type.type === T.TSUnionType) return typeNames(type.types, depth + 1);
    if (type.type !== T.TSTypeReference) return [];
    const name = type.typeName.type === T.Identifier ? type.typeName.name : type.typeName.type === T.TSQualifiedName ? type.typeName.right.name : undefined;
    const inner = typeNames(type.typeArguments?.params ?? [], depth + 1);
    return name && !['Array', 'Promise', 'Record', 'Partial', 'Readonly', 'Map', 'Set'].includes(name) ? [name, ...inner] : inner;
  });
}

/** Does an import path match one of a spec's entries? `*.createClient` matches `createClient`. */
function matchesPath(path: ImportPath, entries: readonly string[]): boolean {
  const joined = path.path.join('.');
  if (entries.includes(joined)) return true;
  if (path.path[0] === '*' && path.path.length > 1) {
    const rest = path.path.slice(1).join('.');
    return entries.includes(rest) || entries.includes(`default.${rest}`);
  }
  return false;
}

function specFor(recognizers: readonly CacheRecognizer[], source: string): { recognizer: CacheRecognizer; spec: ClientSpec }[] {
  const found: { recognizer: CacheRecognizer; spec: ClientSpec }[] = [];
  for (const recognizer of recognizers) {
    if (recognizer.client && recognizer.client.packages.includes(source)) found.push({ recognizer, spec: recognizer.client });
  }
  return found;
}

/**
 * Traces the receiver of a call to a cache client, by import and construction: `new Redis()`,
 * `createClient()`, `new LRUCache()`, a project factory that returns one, a typed parameter, a
 * NestJS `@Inject(CACHE_MANAGER)`, `this.cache`, re-exports. Never by variable name: a `cache`
 * that is not traced to a client is not a cache.
 */
export class ClientTracer {
  private readonly memo = new WeakMap<Node, TracedClient | null>();
  private readonly byVariable = new WeakMap<Variable, TracedClient | null>();

  constructor(
    private readonly recognizers: readonly CacheRecognizer[],
    private readonly context: AnalysisContext,
  ) {}

  trace(expression: Node, unit: FileUnit, depth = 0): TracedClient | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const node = unwrap(expression);
    const cached = this.memo.get(node);
    if (cached !== undefined) return cached ?? undefined;
    this.memo.set(node, null);
    const traced = this.traceNode(node, unit, depth);
    this.memo.set(node, traced ?? null);
    return traced;
  }

  private traceNode(node: Node, unit: FileUnit, depth: number): TracedClient | undefined {
    switch (node.type) {
      case T.NewExpression:
        return this.construction(node, unit, depth);
      case T.CallExpression:
        return this.callResult(node, unit, depth);
      case T.Identifier:
        return this.identifier(node, unit, depth);
      case T.MemberExpression:
        return this.member(node, unit, depth);
      case T.LogicalExpression:
        return this.trace(node.left, unit, depth + 1) ?? this.trace(node.right, unit, depth + 1);
      case T.ConditionalExpression:
        return this.trace(node.consequent, unit, depth + 1) ?? this.trace(node.alternate, unit, depth + 1);
      default:
        return undefined;
    }
  }

  private construction(node: TSESTree.NewExpression, unit: FileUnit, depth: number): TracedClient | undefined {
    for (const recognizer of this.recognizers) {
      const how = recognizer.constructs?.(node, unit, this.context);
      if (how) return { recognizer, client: { library: recognizer.name, how: `${how}, ${locationOf(node, unit, this.context.unit)}`, origin: node } };
    }
    const path = importPathOf(node.callee, unit, this.context, depth + 1);
    if (!path) return undefined;
    for (const { recognizer, spec } of specFor(this.recognizers, path.source)) {
      if (matchesPath(path, spec.classes)) return this.made(recognizer, spec, node, node.arguments, unit);
    }
    return undefined;
  }

  private made(recognizer: CacheRecognizer, spec: ClientSpec, node: Node, args: readonly Node[], unit: FileUnit): TracedClient {
    const callee = node.type === T.NewExpression || node.type === T.CallExpression ? node.callee : node;
    const shown = node.type === T.NewExpression ? `new ${textOf(unit, callee)}()` : `${textOf(unit, callee)}()`;
    const client: CacheClient = {
      library: recognizer.name,
      how: `\`${shown}\`, ${locationOf(node, unit, this.context.unit)}`,
      origin: node,
    };
    const namespace = this.namespaceOption(spec, args, unit);
    if (namespace) client.namespace = namespace;
    const holds = node.type === T.NewExpression || node.type === T.CallExpression ? typeNames(node.typeArguments?.params ?? []) : [];
    if (holds.length > 0) client.holds = holds;
    return { recognizer, client };
  }

  /** `keyPrefix: \`org:${orgId}:\`` in the options of a construction, evaluated like a key. */
  private namespaceOption(spec: ClientSpec, args: readonly Node[], unit: FileUnit): CacheClient['namespace'] {
    for (const arg of args) {
      const options = this.objectOf(arg, unit);
      if (!options) continue;
      for (const property of options.node.properties) {
        if (property.type !== T.Property) continue;
        const name = propertyName(property);
        if (name && spec.namespaceOptions.includes(name)) return { option: name, value: evaluateKey(property.value, options.unit, this.context) };
      }
    }
    return undefined;
  }

  private objectOf(node: Node, unit: FileUnit, depth = 0): Located<TSESTree.ObjectExpression> | undefined {
    const value = unwrap(node);
    if (value.type === T.ObjectExpression) return { node: value, unit };
    if (value.type !== T.Identifier || depth > 3) return undefined;
    const binding = this.context.resolver.bindingOf(value, unit, depth + 1);
    return binding.kind === 'value' ? this.objectOf(binding.value.node, binding.value.unit, depth + 1) : undefined;
  }

  private callResult(node: TSESTree.CallExpression, unit: FileUnit, depth: number): TracedClient | undefined {
    const callee = unwrap(node.callee);
    const factories = this.context.config.scopedClientFactories ?? [];
    if (callee.type === T.MemberExpression) {
      const method = memberName(callee);
      const base = method ? this.trace(callee.object, unit, depth + 1) : undefined;
      if (base && method) {
        const spec = base.recognizer.client;
        if (base.client.facet === 'pipeline' && method !== 'exec' && method !== 'execAsync') return base;
        if (spec?.fluent.includes(method)) return base;
        const facet = spec?.facets[method];
        if (facet) return { recognizer: base.recognizer, client: { ...base.client, facet } };
        return undefined;
      }
    }
    const path = importPathOf(callee, unit, this.context, depth + 1);
    if (path) {
      for (const { recognizer, spec } of specFor(this.recognizers, path.source)) {
        if (matchesPath(path, spec.factories)) return this.made(recognizer, spec, node, node.arguments, unit);
      }
      return undefined;
    }
    const factory = this.projectFunction(callee, unit, depth);
    if (!factory) return undefined;
    // A project factory (`cacheFor(orgId)`, `this.storeFor(accountId)`): the client it returns, namespaced as it builds it.
    for (const returned of returnedExpressions(factory.fn.node)) {
      const traced = this.trace(returned, factory.fn.unit, depth + 1);
      if (!traced) continue;
      const client: CacheClient = { ...traced.client, how: `${traced.client.how}, returned by \`${factory.name}()\`` };
      if (factories.includes(factory.name)) client.scopedFactory = factory.name;
      return { recognizer: traced.recognizer, client };
    }
    return undefined;
  }

  /** `cacheFor` (a function of the project, same file or imported) or `this.storeFor` (a method of the class). */
  private projectFunction(callee: Node, unit: FileUnit, depth: number): { name: string; fn: Located<TSESTree.FunctionLike> } | undefined {
    if (callee.type === T.Identifier) {
      const binding = this.context.resolver.bindingOf(callee, unit, depth + 1);
      return binding.kind === 'function' ? { name: callee.name, fn: binding.fn } : undefined;
    }
    if (callee.type !== T.MemberExpression || unwrap(callee.object).type !== T.ThisExpression) return undefined;
    const name = memberName(callee);
    const cls = enclosingClass(callee);
    const method = cls?.body.body.find((m): m is TSESTree.MethodDefinition => m.type === T.MethodDefinition && m.kind === 'method' && propertyName(m) === name);
    return name && method ? { name, fn: { node: method.value, unit } } : undefined;
  }

  private identifier(node: TSESTree.Identifier, unit: FileUnit, depth: number): TracedClient | undefined {
    // Every use of a module-level `redis` resolves to the same variable: trace it once per file.
    const variable = variableOf(unit.scopeManager, node);
    if (!variable) return undefined;
    const known = this.byVariable.get(variable);
    if (known !== undefined) return known ?? undefined;
    this.byVariable.set(variable, null);
    const traced = this.identifierBinding(node, unit, depth);
    this.byVariable.set(variable, traced ?? null);
    return traced;
  }

  private identifierBinding(node: TSESTree.Identifier, unit: FileUnit, depth: number): TracedClient | undefined {
    const binding = this.context.resolver.bindingOf(node, unit, depth + 1);
    switch (binding.kind) {
      case 'value':
        return this.trace(binding.value.node, binding.value.unit, depth + 1);
      case 'parameter':
        return this.parameter(binding.param, depth);
      case 'package':
        // `import { kv } from '@vercel/kv'`: a client instance exported by the package.
        for (const { recognizer, spec } of specFor(this.recognizers, binding.source)) {
          if (spec.instances?.includes(binding.imported)) {
            return { recognizer, client: { library: recognizer.name, how: `\`${binding.imported}\` imported from ${binding.source}`, origin: node } };
          }
        }
        return undefined;
      default:
        return undefined;
    }
  }

  private parameter(param: Located<TSESTree.Identifier>, depth: number): TracedClient | undefined {
    return this.declared(param.node, param.node.typeAnnotation?.typeAnnotation, param.node.decorators, param.unit, depth, `\`${param.node.name}\``);
  }

  /** A parameter, parameter property or class field, by its type annotation or a NestJS injection decorator. */
  private declared(node: Node, type: TSESTree.TypeNode | undefined, decorators: readonly TSESTree.Decorator[] | undefined, unit: FileUnit, depth: number, name: string): TracedClient | undefined {
    for (const decorator of decorators ?? []) {
      const injected = this.injection(decorator, unit, depth);
      if (injected) {
        return { recognizer: injected.recognizer, client: { library: injected.recognizer.name, how: `${name} injected with \`${injected.token}\`, ${locationOf(node, unit, this.context.unit)}`, origin: node } };
      }
    }
    const recognizer = type ? this.clientType(type, unit, depth + 1) : undefined;
    if (type && recognizer) {
      const how = `${name} typed \`${textOf(unit, type)}\` from ${recognizer.name}, ${locationOf(node, unit, this.context.unit)}`;
      return { recognizer, client: { library: recognizer.name, how, origin: node } };
    }
    return undefined;
  }

  /** `@Inject(CACHE_MANAGER)` from @nestjs/common with a token that a recognizer declares. */
  private injection(decorator: TSESTree.Decorator, unit: FileUnit, depth: number): { recognizer: CacheRecognizer; token: string } | undefined {
    const expression = unwrap(decorator.expression);
    if (expression.type !== T.CallExpression) return undefined;
    const inject = importPathOf(expression.callee, unit, this.context, depth + 1);
    if (!inject || inject.source !== '@nestjs/common' || inject.path.join('.') !== 'Inject') return undefined;
    const token = expression.arguments[0] ? importPathOf(expression.arguments[0], unit, this.context, depth + 1) : undefined;
    if (!token) return undefined;
    const id = `${token.source}#${token.path.join('.')}`;
    const recognizer = this.recognizers.find((r) => r.client?.injectionTokens?.includes(id));
    return recognizer ? { recognizer, token: `@Inject(${token.path.join('.')})` } : undefined;
  }

  private clientType(type: TSESTree.TypeNode, unit: FileUnit, depth: number): CacheRecognizer | undefined {
    if (depth > MAX_DEPTH) return undefined;
    if (type.type === T.TSUnionType || type.type === T.TSIntersectionType) {
      for (const member of type.types) {
        const found = this.clientType(member, unit, depth + 1);
        if (found) return found;
      }
      return undefined;
    }
    if (type.type !== T.TSTypeReference) return undefined;
    const path = this.typeImportPath(type.typeName, unit, depth);
    if (!path) return undefined;
    for (const { recognizer, spec } of specFor(this.recognizers, path.source)) {
      if (matchesPath(path, spec.types)) return recognizer;
    }
    return undefined;
  }

  private typeImportPath(name: TSESTree.EntityName, unit: FileUnit, depth: number): ImportPath | undefined {
    if (name.type === T.TSQualifiedName) {
      const base = this.typeImportPath(name.left, unit, depth + 1);
      return base ? { source: base.source, path: [...base.path, name.right.name] } : undefined;
    }
    if (name.type !== T.Identifier) return undefined;
    return importPathOf(name, unit, this.context, depth + 1);
  }

  private member(node: TSESTree.MemberExpression, unit: FileUnit, depth: number): TracedClient | undefined {
    const name = memberName(node);
    if (!name) return undefined;
    const object = unwrap(node.object);
    if (object.type === T.ThisExpression) return this.thisMember(node, name, unit, depth);
    const base = this.trace(object, unit, depth + 1);
    if (base) {
      // `client.json.get(...)`: a property that is a facet of the client.
      const facet = base.recognizer.client?.facets[name];
      return facet ? { recognizer: base.recognizer, client: { ...base.client, facet } } : undefined;
    }
    if (object.type !== T.Identifier) return undefined;
    const binding = this.context.resolver.bindingOf(object, unit, depth + 1);
    if (binding.kind !== 'value') return undefined;
    const value = unwrap(binding.value.node);
    if (value.type !== T.ObjectExpression) return undefined;
    for (const property of value.properties) {
      if (property.type === T.Property && propertyName(property) === name) return this.trace(property.value, binding.value.unit, depth + 1);
    }
    return undefined;
  }

  /** `this.cache`: a class field, a constructor parameter property, or a `this.cache = ...` assignment. */
  private thisMember(node: TSESTree.MemberExpression, name: string, unit: FileUnit, depth: number): TracedClient | undefined {
    const cls = enclosingClass(node);
    if (!cls) return undefined;
    for (const member of cls.body.body) {
      if (member.type === T.PropertyDefinition && propertyName(member) === name) {
        const declared = this.declared(member, member.typeAnnotation?.typeAnnotation, member.decorators, unit, depth, `\`this.${name}\``);
        if (declared) return declared;
        if (member.value) return this.trace(member.value, unit, depth + 1);
      }
      if (member.type === T.MethodDefinition && member.kind === 'constructor') {
        for (const param of member.value.params) {
          if (param.type !== T.TSParameterProperty || param.parameter.type !== T.Identifier || param.parameter.name !== name) continue;
          const decorators = [...param.decorators, ...(param.parameter.decorators ?? [])];
          return this.declared(param, param.parameter.typeAnnotation?.typeAnnotation, decorators, unit, depth, `\`this.${name}\``);
        }
      }
    }
    const assigned = thisAssigned(cls.body, name);
    return assigned ? this.trace(assigned, unit, depth + 1) : undefined;
  }
}
