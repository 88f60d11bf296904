import type { TSESTree } from '@typescript-eslint/types';
import { propertyName, T, unwrap, type FileUnit } from '../core/ast.js';
import type { Resolver } from '../core/resolve.js';

export type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;

/** Base classes followed up from a class (`A extends B extends C`) before giving up. */
const MAX_HERITAGE = 6;

/**
 * A class, then each base class it extends, resolved through imports into this or another package
 * (crowd.dev's `DataSinkRepository extends RepositoryBase` of `@crowd/database`). A base the resolver
 * does not reach (a library's class, an expression) ends the chain. The one walk up an `extends`
 * chain: inherited methods, template methods of a base, queue receivers, route registrars.
 */
export function* classChain(cls: ClassNode, unit: FileUnit, resolver: Resolver): Generator<{ cls: ClassNode; unit: FileUnit }> {
  let current = cls;
  let at = unit;
  for (let depth = 0; ; depth++) {
    yield { cls: current, unit: at };
    if (depth >= MAX_HERITAGE) return;
    const superClass = current.superClass ? unwrap(current.superClass) : undefined;
    if (superClass?.type !== T.Identifier) return;
    const binding = resolver.bindingOf(superClass, at);
    if (binding.kind !== 'class') return;
    current = binding.cls.node;
    at = binding.cls.unit;
  }
}

/**
 * The instance method `name` of a class, its own or inherited: the nearest declaration wins, as at run
 * time (crowd.dev's `this.repo.transactionally(...)` declared on the base repository; unleash's
 * `this.route({...})` declared on the base controller).
 */
export function inheritedMethod(cls: ClassNode, unit: FileUnit, name: string, resolver: Resolver): { node: TSESTree.FunctionExpression; unit: FileUnit } | undefined {
  for (const link of classChain(cls, unit, resolver)) {
    for (const member of link.cls.body.body) {
      if (member.type === T.MethodDefinition && member.kind === 'method' && !member.static && !member.computed && propertyName(member) === name && member.value.body) return { node: member.value, unit: link.unit };
    }
  }
  return undefined;
}
