import type { TSESTree } from '@typescript-eslint/types';
import { childKeys, isNode, T, textOf, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import type { ValueFact } from '../core/facts.js';
import type { AnalysisContext } from '../core/query-site.js';
import type { Located } from '../core/resolve.js';
import { recognizeAnyQuery } from '../models/tenant-positions/index.js';
import { memberPath } from './keys.js';

export type { ValueFact } from '../core/facts.js';

const MAX_FOLLOW = 3;
const MAX_FACTS = 200;
/** Globals whose calls copy or format data rather than compute it from the tenant. */
const DATA_BUILTINS = new Set(['JSON', 'String', 'Number', 'Boolean', 'Object', 'Array', 'Math', 'Date', 'structuredClone', 'encodeURIComponent', 'encodeURI', 'Promise']);
/** Children that hold types or decorators, not values. */
const SKIPPED_KEYS = new Set(['parent', 'typeAnnotation', 'returnType', 'typeArguments', 'typeParameters', 'decorators', 'superTypeArguments']);

/**
 * Collects the facts behind cached values: the queries they come from and the variables they
 * read, following consts of the same file a few steps (`const rows = await db.invoice.findMany(...)`).
 * Parameters of `keyedFunction` are part of the key, so reading them is not a hidden input.
 */
export function valueFacts(values: readonly Located[], context: AnalysisContext, keyedFunction?: TSESTree.FunctionLike): ValueFact[] {
  const facts: ValueFact[] = [];
  const visited = new Set<Node>();
  const visit = (node: Node, unit: FileUnit, follow: number, root: Node): void => {
    if (visited.has(node) || facts.length > MAX_FACTS) return;
    visited.add(node);
    if ((node.type === T.CallExpression || node.type === T.TaggedTemplateExpression) && context.schema.tables.size > 0) {
      const site = recognizeAnyQuery(node, unit === context.unit ? context : { ...context, unit });
      if (site && (site.table.class === 'tenant' || site.table.class === 'child')) facts.push({ kind: 'query', site, unit });
    }
    if (node.type === T.Identifier || node.type === T.ThisExpression) reference(node, unit, follow, root);
    for (const key of childKeys(node.type)) {
      if (SKIPPED_KEYS.has(key)) continue;
      const child: unknown = Reflect.get(node, key);
      if (Array.isArray(child)) {
        for (const item of child) if (isNode(item) && !isDeclarationName(item, node)) visit(item, unit, follow, root);
      } else if (isNode(child) && !isDeclarationName(child, node)) {
        visit(child, unit, follow, root);
      }
    }
  };
  const reference = (node: TSESTree.Identifier | TSESTree.ThisExpression, unit: FileUnit, follow: number, root: Node): void => {
    const parent = node.parent;
    if (parent?.type === T.MemberExpression && parent.property === node && !parent.computed) return;
    if (parent?.type === T.Property && parent.key === node && !parent.computed && !parent.shorthand) return;
    if ((parent?.type === T.MethodDefinition || parent?.type === T.PropertyDefinition) && parent.key === node) return;
    let outer: Node = node;
    while (outer.parent?.type === T.MemberExpression && outer.parent.object === outer && !outer.parent.computed) outer = outer.parent;
    if (node.type === T.Identifier) {
      const def = variableOf(unit.scopeManager, node)?.defs[0];
      if (keyedFunction && def?.type === 'Parameter' && def.node === keyedFunction) return;
      if (def?.type === 'Variable' && follow < MAX_FOLLOW) {
        const binding = context.resolver.bindingOf(node, unit);
        const init = binding.kind === 'value' && binding.value.unit === unit ? unwrap(binding.value.node) : undefined;
        if (init) visit(init, unit, follow + 1, init);
      }
    }
    facts.push({ kind: 'reference', path: memberPath(outer, unit), text: textOf(unit, outer).replace(/\s+/g, ''), node: outer, unit, viaCall: isCallArgument(outer, root, unit) });
  };
  for (const value of values) visit(value.node, value.unit, 0, value.node);
  return facts;
}

/** The name a declaration introduces (`const orgId = ...`, a parameter) is not a read of it. */
function isDeclarationName(child: Node, parent: Node): boolean {
  if (parent.type === T.VariableDeclarator) return parent.id === child;
  if (parent.type === T.FunctionDeclaration || parent.type === T.FunctionExpression || parent.type === T.ArrowFunctionExpression) {
    return parent.params.some((param) => param === child) || parent.id === child;
  }
  return false;
}

/** Is `node` (inside `root`) an argument of a call that is not a data builtin? */
function isCallArgument(node: Node, root: Node, unit: FileUnit): boolean {
  let child: Node = node;
  for (let parent = node.parent; parent && child !== root; child = parent, parent = parent.parent) {
    if ((parent.type !== T.CallExpression && parent.type !== T.NewExpression) || parent.callee === child) continue;
    let callee: Node = unwrap(parent.callee);
    while (callee.type === T.MemberExpression) callee = unwrap(callee.object);
    const builtin = callee.type === T.Identifier && DATA_BUILTINS.has(callee.name) && !variableOf(unit.scopeManager, callee)?.defs.length;
    if (!builtin) return true;
  }
  return false;
}
