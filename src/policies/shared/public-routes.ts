import type { TSESTree } from '@typescript-eslint/types';
import { T, unwrap } from '../../core/ast.js';

/**
 * Decorators that open a route to callers who are not signed in, over an authentication guard that
 * applies everywhere else (NestJS projects' `@Public()`, `@AllowAnonymous()`, `@SkipAuth()`): the route
 * declares that it serves anyone.
 */
const PUBLIC_DECORATOR = /^(Public|IsPublic|PublicRoute|PublicEndpoint|AllowAnonymous|Anonymous|SkipAuth|NoAuth|Unauthenticated)$/;

/**
 * `@Public() @Query(...) getInviteInfo(...)`, or `@Public()` on its controller: the decorator's text when
 * the method (or its class) declares itself open to callers who are not signed in (AFFiNE's
 * workspace.ts:460). Undefined for any other function.
 */
export function publicDeclaration(fn: TSESTree.FunctionLike): string | undefined {
  const owner = fn.parent;
  if (owner?.type !== T.MethodDefinition) return undefined;
  const cls = owner.parent?.parent;
  const classDecorators = cls && (cls.type === T.ClassDeclaration || cls.type === T.ClassExpression) ? (cls.decorators ?? []) : [];
  for (const decorator of [...(owner.decorators ?? []), ...classDecorators]) {
    const expression = unwrap(decorator.expression);
    const callee = expression.type === T.CallExpression ? unwrap(expression.callee) : expression;
    if (callee.type === T.Identifier && PUBLIC_DECORATOR.test(callee.name)) return `@${callee.name}${expression.type === T.CallExpression ? '()' : ''}`;
  }
  return undefined;
}
