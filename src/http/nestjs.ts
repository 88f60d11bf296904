import { dirname, join } from 'node:path';
import type { TSESTree } from '@typescript-eslint/types';
import { enclosingClass, memberName, propertyName, T, unwrap, walk, type FileUnit, type Node } from '../core/ast.js';
import type { Located, Resolver } from '../core/resolve.js';
import { expressRequest, expressResponse } from './express.js';
import { client, headerName, NONE, trusted } from './node-request.js';
import { fromPackage, methodOf, packageOf, packageOfType, parameterDecorators, parameterType, stringOf } from './trace.js';
import type { FrameworkObject, Guard, HttpContext, HttpRecognizer, HttpValue, SourceCategory } from './types.js';

const executionContext: FrameworkObject = { kind: 'framework', framework: 'nestjs', role: 'execution-context', label: 'context', context: false };
const httpHost: FrameworkObject = { kind: 'framework', framework: 'nestjs', role: 'http', label: 'context.switchToHttp()', context: false };

/** Built-in parameter decorators of @nestjs/common that hand the handler client input. */
const INPUT_DECORATORS: Record<string, SourceCategory> = {
  Headers: 'header',
  Query: 'query parameter',
  Param: 'route parameter',
  Body: 'body field',
  HostParam: 'hostname',
};

/**
 * NestJS: controller parameters decorated with `@Headers('x-tenant-id')`, `@Query`, `@Param`,
 * `@Body` are client input; `@Req() req` is an Express request (`req.user` set by a guard is the
 * verified identity). Custom parameter decorators (`createParamDecorator`) are followed: one that
 * returns `request.user.orgId` is trusted, one that returns a header is client input. Guards named
 * in `@UseGuards` run before the handler and may check membership.
 */
export const nestjsRecognizer: HttpRecognizer = {
  name: 'nestjs',
  markers: ["'@nestjs/", '"@nestjs/'],
  identityHint: 'the user your authentication guard verified (`@Req() req` then `req.user`, or a custom decorator such as `@CurrentUser()`)',

  parameter(fn, index, context) {
    const param = fn.params[index];
    for (const decorator of parameterDecorators(param)) {
      const found = decoratorValue(decorator, fn, param, context);
      if (found) return found;
    }
    const typed = packageOfType(parameterType(param), context.unit, context.resolver);
    if (typed && fromPackage(typed, '@nestjs/common') && typed.imported === 'ExecutionContext') return executionContext;
    return undefined;
  },

  guards(fn, context) {
    const guards: Guard[] = [];
    const method = fn.parent?.type === T.MethodDefinition ? fn.parent : undefined;
    const cls = method ? enclosingClass(method) : undefined;
    for (const decorator of [...(cls?.decorators ?? []), ...(method?.decorators ?? [])]) {
      const call = unwrap(decorator.expression);
      if (call.type !== T.CallExpression) continue;
      const ref = context.packageOf(call.callee);
      if (!ref || !fromPackage(ref, '@nestjs/common') || ref.imported !== 'UseGuards') continue;
      for (const argument of call.arguments) {
        const canActivate = canActivateOf(argument, context);
        if (canActivate) guards.push({ fn: canActivate, params: [executionContext], decides: true });
      }
    }
    return guards;
  },

  member() {
    return NONE;
  },

  call(object, method) {
    if (object.role === 'execution-context' && method === 'switchToHttp') return httpHost;
    if (object.role === 'http' && method === 'getRequest') return expressRequest;
    if (object.role === 'http' && method === 'getResponse') return expressResponse;
    return NONE;
  },

  sinks(call, context) {
    // nestjs-cls: `this.cls.set('tenantId', value)` makes the value the request's tenant context.
    const target = methodOf(call);
    if (target?.method !== 'set' || call.arguments.length < 2) return [];
    const key = stringOf(call.arguments[0]);
    if (!key || !context.isTenantName(key)) return [];
    if (!fromPackage(context.packageRoot(target.receiver), 'nestjs-cls')) return [];
    return [{ label: `stored in the request's CLS context as \`${key}\``, value: call.arguments[1], node: call }];
  },
};

function decoratorValue(decorator: TSESTree.Decorator, fn: TSESTree.FunctionLike, param: TSESTree.Parameter | undefined, context: HttpContext): HttpValue | undefined {
  const expression = unwrap(decorator.expression);
  if (expression.type !== T.CallExpression) return undefined;
  const ref = context.packageOf(expression.callee);
  if (ref && fromPackage(ref, '@nestjs/common')) {
    const category = INPUT_DECORATORS[ref.imported];
    if (category) {
      const first = expression.arguments[0];
      const raw = stringOf(first);
      // `@Param('orgId', ParseUUIDPipe)` is still the client's value; `@Body()` is the whole DTO.
      if (!first || raw === undefined) {
        const fields = category === 'body field' ? whitelistedFields(expression, fn, param, context) : undefined;
        return fields ? { ...client('nestjs', category), fields } : client('nestjs', category);
      }
      return client('nestjs', category, [category === 'header' ? (headerName(raw) ?? raw) : raw]);
    }
    if (ref.imported === 'Req' || ref.imported === 'Request') return expressRequest;
    if (ref.imported === 'Res' || ref.imported === 'Response') return expressResponse;
    if (ref.imported === 'Session') return trusted('`@Session()` is the server-side session');
    return NONE;
  }
  return customDecorator(expression, context);
}

/**
 * `export const CurrentOrg = createParamDecorator((data, ctx: ExecutionContext) => ...)`: what the
 * factory returns decides. A decorator that reads `request.user` (set by a guard) is trusted; one
 * that returns a header is client input under another name.
 */
function customDecorator(call: TSESTree.CallExpression, context: HttpContext): HttpValue | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(callee, context.unit);
  if (binding.kind !== 'value') return undefined;
  const created = unwrap(binding.value.node);
  if (created.type !== T.CallExpression) return undefined;
  const factoryRef = packageOf(created.callee, binding.value.unit, context.resolver);
  const factory = created.arguments[0] ? unwrap(created.arguments[0]) : undefined;
  if (!factoryRef || !fromPackage(factoryRef, '@nestjs/common') || factoryRef.imported !== 'createParamDecorator') return undefined;
  if (factory?.type !== T.ArrowFunctionExpression && factory?.type !== T.FunctionExpression) return undefined;
  const located: Located<TSESTree.FunctionLike> = { node: factory, unit: binding.value.unit };
  const returned = context.valueReturnedBy(located, [NONE, executionContext]);
  if (returned.kind === 'client') return returned;
  return trusted(`\`@${callee.name}()\` is a custom parameter decorator that does not return client input`);
}

/** A guard class's `canActivate` method. */
function canActivateOf(argument: TSESTree.CallExpressionArgument, context: HttpContext): Located<TSESTree.FunctionLike> | undefined {
  const node = unwrap(argument);
  if (node.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(node, context.unit);
  if (binding.kind !== 'class') return undefined;
  for (const element of binding.cls.node.body.body) {
    if (element.type === T.MethodDefinition && propertyName(element) === 'canActivate') return { node: element.value, unit: binding.cls.unit };
  }
  return undefined;
}

/**
 * `@Body() dto: UpdateUserDto` under a `ValidationPipe({ whitelist: true })` (the parameter's, the
 * route's or controller's `@UsePipes`, or the app's `useGlobalPipes` in its `main.ts`): the pipe
 * strips every field the DTO does not declare, so the body holds only the DTO's fields. Undefined
 * when there is no such pipe or the DTO's fields cannot all be resolved.
 */
function whitelistedFields(body: TSESTree.CallExpression, fn: TSESTree.FunctionLike, param: TSESTree.Parameter | undefined, context: HttpContext): string[] | undefined {
  const type = parameterType(param);
  if (type?.type !== T.TSTypeReference || type.typeName.type !== T.Identifier || type.typeArguments) return undefined;
  const { resolver, unit } = context;
  const method = fn.parent?.type === T.MethodDefinition ? fn.parent : undefined;
  const cls = method ? enclosingClass(method) : undefined;
  const pipes = [
    ...body.arguments,
    ...[...(cls?.decorators ?? []), ...(method?.decorators ?? [])].flatMap((decorator) => {
      const call = unwrap(decorator.expression);
      if (call.type !== T.CallExpression) return [];
      const ref = context.packageOf(call.callee);
      return ref && fromPackage(ref, '@nestjs/common') && ref.imported === 'UsePipes' ? call.arguments : [];
    }),
  ];
  if (!pipes.some((pipe) => whitelisting(pipe, unit, resolver)) && !globalWhitelist(unit, resolver)) return undefined;
  const binding = resolver.bindingOf(type.typeName, unit);
  const fields = binding.kind === 'class' ? classFields(binding.cls, resolver, 0) : undefined;
  return fields ? [...fields] : undefined;
}

/** `new ValidationPipe({ whitelist: true })` (or `forbidNonWhitelisted: true`) from @nestjs/common. */
function whitelisting(argument: Node, unit: FileUnit, resolver: Resolver): boolean {
  const node = unwrap(argument);
  if (node.type !== T.NewExpression) return false;
  const ref = packageOf(node.callee, unit, resolver);
  if (!ref || !fromPackage(ref, '@nestjs/common') || ref.imported !== 'ValidationPipe') return false;
  const options = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
  if (options?.type !== T.ObjectExpression) return false;
  return options.properties.some((property) => {
    if (property.type !== T.Property) return false;
    const name = propertyName(property);
    const value = unwrap(property.value);
    return (name === 'whitelist' || name === 'forbidNonWhitelisted') && value.type === T.Literal && value.value === true;
  });
}

/** Per resolver (one project), per directory: does the nearest `main.ts` above it install a whitelisting pipe globally? */
const globalPipes = new WeakMap<Resolver, Map<string, boolean>>();

/** `app.useGlobalPipes(new ValidationPipe({ whitelist: true }))` in the nearest `main.ts` above the controller (Nest's entry file). */
function globalWhitelist(unit: FileUnit, resolver: Resolver): boolean {
  let cache = globalPipes.get(resolver);
  if (!cache) globalPipes.set(resolver, (cache = new Map()));
  const visited: string[] = [];
  let dir = dirname(unit.file);
  let found = false;
  for (let level = 0; level < 8; level += 1) {
    const known = cache.get(dir);
    if (known !== undefined) {
      found = known;
      break;
    }
    visited.push(dir);
    const entry = resolver.modules.unit(join(dir, 'main.ts'));
    if (entry) {
      found = installsWhitelist(entry, resolver);
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const seen of visited) cache.set(seen, found);
  return found;
}

function installsWhitelist(entry: FileUnit, resolver: Resolver): boolean {
  let found = false;
  walk(entry.ast, (node) => {
    if (found || node.type !== T.CallExpression) return;
    const callee = unwrap(node.callee);
    if (callee.type !== T.MemberExpression || memberName(callee) !== 'useGlobalPipes') return;
    found = node.arguments.some((argument) => whitelisting(argument, entry, resolver));
  });
  return found;
}

/** Mapped-type helpers whose result declares a computable set of the base DTO's fields. */
const MAPPED_TYPES = ['@nestjs/mapped-types', '@nestjs/swagger', '@nestjs/graphql'];

/** A DTO class's declared fields, own and inherited (`extends PartialType(OmitType(CreateUserDto, ['password']))`). */
function classFields(cls: Located<TSESTree.ClassDeclaration | TSESTree.ClassExpression>, resolver: Resolver, depth: number): Set<string> | undefined {
  const fields = new Set<string>();
  for (const element of cls.node.body.body) {
    if (element.type !== T.PropertyDefinition || element.static) continue;
    const name = propertyName(element);
    if (name === undefined) return undefined;
    fields.add(name);
  }
  if (!cls.node.superClass) return fields;
  const inherited = mappedFields(cls.node.superClass, cls.unit, resolver, depth + 1);
  return inherited ? new Set([...fields, ...inherited]) : undefined;
}

function mappedFields(expression: Node, unit: FileUnit, resolver: Resolver, depth: number): Set<string> | undefined {
  if (depth > 8) return undefined;
  const node = unwrap(expression);
  if (node.type === T.Identifier) {
    const binding = resolver.bindingOf(node, unit);
    return binding.kind === 'class' ? classFields(binding.cls, resolver, depth) : undefined;
  }
  if (node.type !== T.CallExpression) return undefined;
  const ref = packageOf(node.callee, unit, resolver);
  if (!ref || !fromPackage(ref, ...MAPPED_TYPES)) return undefined;
  const [first, second] = node.arguments;
  switch (ref.imported) {
    case 'PartialType':
      return first ? mappedFields(first, unit, resolver, depth + 1) : undefined;
    case 'PickType':
    case 'OmitType': {
      const base = first ? mappedFields(first, unit, resolver, depth + 1) : undefined;
      const keys = second ? stringList(second) : undefined;
      // Keys that cannot be read leave the base's fields: a superset of what the DTO declares.
      if (!base || !keys) return base;
      return new Set([...base].filter((field) => keys.includes(field) === (ref.imported === 'PickType')));
    }
    case 'IntersectionType': {
      const all = new Set<string>();
      for (const argument of node.arguments) {
        const part = mappedFields(argument, unit, resolver, depth + 1);
        if (!part) return undefined;
        for (const field of part) all.add(field);
      }
      return all;
    }
    default:
      return undefined;
  }
}

function stringList(expression: Node): string[] | undefined {
  const node = unwrap(expression);
  if (node.type !== T.ArrayExpression) return undefined;
  const keys: string[] = [];
  for (const element of node.elements) {
    const key = element && element.type !== T.SpreadElement ? stringOf(element) : undefined;
    if (key === undefined) return undefined;
    keys.push(key);
  }
  return keys;
}
