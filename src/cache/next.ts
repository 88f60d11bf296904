import type { TSESTree } from '@typescript-eslint/types';
import { T, textOf, unwrap, type FileUnit } from '../core/ast.js';
import type { AnalysisContext } from '../core/query-site.js';
import type { Located } from '../core/resolve.js';
import { keyOf } from './access.js';
import { asKey, evaluateKey, leaf, unknownKey } from './keys.js';
import type { CacheAccess, CacheRecognizer, KeyValue } from './types.js';

/**
 * Next.js data cache: `unstable_cache(fn, keyParts, { tags })` caches what `fn` returns under
 * the key parts plus `fn`'s arguments, shared by every request of the deployment. A tenant that
 * `fn` reads from its closure is not part of the key. `revalidateTag(tag)` and `updateTag(tag)`
 * invalidate by tag.
 */
export const nextCacheRecognizer: CacheRecognizer = {
  name: 'next',
  enablers: ['next'],
  direct(call, imported, context) {
    if (imported.source !== 'next/cache') return undefined;
    const name = imported.path[imported.path.length - 1];
    if (name === 'unstable_cache') return unstableCache(call, context);
    if ((name === 'revalidateTag' || name === 'updateTag') && call.arguments[0] && call.arguments[0].type !== T.SpreadElement) {
      return {
        library: 'next',
        operation: 'invalidate',
        method: name,
        call,
        callee: call.callee,
        calleeText: textOf(context.unit, call.callee),
        keys: [keyOf(call.arguments[0], context)],
        values: [],
        keyNoun: 'tag',
        verb: 'revalidates',
      };
    }
    return undefined;
  },
};

function unstableCache(call: TSESTree.CallExpression, context: AnalysisContext): CacheAccess | undefined {
  const [fnArg, partsArg] = call.arguments;
  if (!fnArg || fnArg.type === T.SpreadElement) return undefined;
  const fn = cachedFunction(fnArg, context);
  const parts: KeyValue = partsArg && partsArg.type !== T.SpreadElement ? evaluateKey(partsArg, context.unit, context) : { kind: 'array', items: [] };
  let key: KeyValue;
  if (!fn) key = unknownKey(`the cached function \`${textOf(context.unit, fnArg)}\` cannot be followed, and its arguments are part of the key`);
  else if (parts.kind === 'unknown') key = parts;
  else {
    // Next.js keys the entry by the key parts and the function's arguments.
    const items = parts.kind === 'array' ? [...parts.items] : [parts];
    for (const param of fn.node.params) items.push(parameterPart(param, fn.unit));
    key = asKey({ kind: 'array', items }, ':');
  }
  return {
    library: 'next',
    operation: 'read',
    method: 'unstable_cache',
    call,
    callee: call.callee,
    calleeText: textOf(context.unit, call.callee),
    keys: [{ node: partsArg && partsArg.type !== T.SpreadElement ? partsArg : fnArg, value: key }],
    values: fn ? [fn] : [],
    keyedFunction: fn?.node,
    keyNoun: partsArg ? 'key parts' : 'key',
    keyLabel: partsArg ? undefined : "the function's source and arguments",
    verb: 'caches',
    insertAfter: partsArg ? undefined : fnArg,
  };
}

function parameterPart(param: TSESTree.Parameter, unit: FileUnit): KeyValue {
  const target = param.type === T.AssignmentPattern ? param.left : param.type === T.RestElement ? param.argument : param;
  // A parameter's node spans its type annotation: show the name.
  if (target.type === T.Identifier) return leaf(target, unit, [target.name], { kind: 'other' }, target.name);
  return leaf(param, unit, [textOf(unit, param)], { kind: 'other' });
}

function cachedFunction(arg: TSESTree.Expression, context: AnalysisContext): Located<TSESTree.FunctionLike> | undefined {
  const node = unwrap(arg);
  if (node.type === T.ArrowFunctionExpression || node.type === T.FunctionExpression) return { node, unit: context.unit };
  if (node.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(node, context.unit);
  return binding.kind === 'function' ? binding.fn : undefined;
}
