import type { TSESTree } from '@typescript-eslint/types';
import { enclosingClass, propertyName, T, unwrap } from '../core/ast.js';
import type { Located } from '../core/resolve.js';
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
      const found = decoratorValue(decorator, context);
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

function decoratorValue(decorator: TSESTree.Decorator, context: HttpContext): HttpValue | undefined {
  const expression = unwrap(decorator.expression);
  if (expression.type !== T.CallExpression) return undefined;
  const ref = context.packageOf(expression.callee);
  if (ref && fromPackage(ref, '@nestjs/common')) {
    const category = INPUT_DECORATORS[ref.imported];
    if (category) {
      const first = expression.arguments[0];
      const raw = stringOf(first);
      // `@Param('orgId', ParseUUIDPipe)` is still the client's value; `@Body()` is the whole DTO.
      if (!first || raw === undefined) return client('nestjs', category);
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
