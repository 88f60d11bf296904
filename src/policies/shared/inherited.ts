import type { TSESTree } from '@typescript-eslint/types';
import { T, unwrap, type FileUnit } from '../../core/ast.js';
import type { Resolver } from '../../core/resolve.js';

/** Base classes followed up from a class (`A extends B extends C`). */
const MAX_HERITAGE = 6;

/**
 * The method `name` of a class, its own or inherited from a base class it extends, in this or another
 * package: crowd.dev's `this.repo.transactionally(async (txRepo) => ...)` on a `DataSinkRepository` that
 * extends `@crowd/database`'s `RepositoryBase`, where `transactionally` is declared
 * (apps/data_sink_worker/src/service/dataSink.service.ts:142). The nearest declaration wins, as at run
 * time; a base the resolver does not reach (a library's class) ends the search.
 */
export function methodOf(cls: TSESTree.ClassDeclaration | TSESTree.ClassExpression, unit: FileUnit, name: string, resolver: Resolver): { node: TSESTree.FunctionLike; unit: FileUnit } | undefined {
  let current: TSESTree.ClassDeclaration | TSESTree.ClassExpression | undefined = cls;
  let currentUnit = unit;
  for (let i = 0; current && i < MAX_HERITAGE; i++) {
    for (const member of current.body.body) {
      if (member.type === T.MethodDefinition && member.key.type === T.Identifier && member.key.name === name && member.value.body) return { node: member.value, unit: currentUnit };
    }
    const superClass: TSESTree.Node | undefined = current.superClass ? unwrap(current.superClass) : undefined;
    if (superClass?.type !== T.Identifier) return undefined;
    const binding = resolver.bindingOf(superClass, currentUnit);
    if (binding.kind !== 'class') return undefined;
    current = binding.cls.node;
    currentUnit = binding.cls.unit;
  }
  return undefined;
}
