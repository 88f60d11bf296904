import { relative } from 'node:path';
import type { TSESTree } from '@typescript-eslint/types';
import { T, unwrap, type FileUnit } from '../../core/ast.js';
import type { Resolver } from '../../core/resolve.js';
import type { Callable, CallGraph } from '../../flow/callers.js';

/*
 * Issue 13 (system code), session 19. A Temporal workflow calls its activities through
 * `proxyActivities<typeof activities>({ ... })` (from `@temporalio/workflow`), where `activities` is a
 * module imported whole (`import * as activities from '../activities'`): each function that module exports
 * (its own or re-exported) is an activity, run by a Temporal worker for a workflow, not for a request. No
 * project code calls it by name (crowd.dev's nango_worker activities/nangoActivities.ts, about 70 queries
 * the analysis read as uncalled). Recognised by the import of `proxyActivities` and the module its type
 * argument names, not by a folder name.
 */

const WORKFLOW_PACKAGE = '@temporalio/workflow';

/** Per call graph: the modules named by `proxyActivities<typeof X>()`, each with the workflow file that names it. */
const modulesOf = new WeakMap<CallGraph, { unit: FileUnit; workflow: string }[]>();

function activityModules(graph: CallGraph, resolver: Resolver): { unit: FileUnit; workflow: string }[] {
  const cached = modulesOf.get(graph);
  if (cached) return cached;
  const found: { unit: FileUnit; workflow: string }[] = [];
  const files = new Set<string>();
  for (const { call, unit } of graph.callsTo('proxyActivities')) {
    const callee = unwrap(call.callee);
    if (callee.type !== T.Identifier) continue;
    const binding = resolver.bindingOf(callee, unit);
    if (binding.kind !== 'package' || binding.source !== WORKFLOW_PACKAGE) continue;
    const type = call.typeArguments?.params[0];
    if (type?.type !== T.TSTypeQuery || type.exprName.type !== T.Identifier) continue;
    const source = namespaceImport(unit, type.exprName.name);
    const file = source && resolver.modules.resolve(unit.file, source);
    if (!file || files.has(file)) continue;
    const target = resolver.modules.unit(file);
    if (!target) continue;
    files.add(file);
    found.push({ unit: target, workflow: `${relative(graph.root, unit.file).split('\\').join('/')}:${call.loc.start.line}` });
  }
  modulesOf.set(graph, found);
  return found;
}

/** `import * as name from 'source'` in the unit: the source. */
function namespaceImport(unit: FileUnit, name: string): string | undefined {
  for (const statement of unit.ast.body) {
    if (statement.type !== T.ImportDeclaration) continue;
    for (const spec of statement.specifiers) if (spec.type === T.ImportNamespaceSpecifier && spec.local.name === name) return statement.source.value;
  }
  return undefined;
}

/**
 * The function is a Temporal activity: a module named by `proxyActivities<typeof X>()` exports it. Returns
 * the text naming the workflow call, or undefined.
 */
export function temporalActivity(at: Callable, graph: CallGraph, resolver: Resolver): string | undefined {
  if (at.cls || !at.name || at.name === 'default') return undefined;
  for (const module of activityModules(graph, resolver)) {
    const binding = resolver.exportBinding(module.unit, at.name, 0);
    if (binding.kind !== 'function') continue;
    const fn: TSESTree.FunctionLike = binding.fn.node;
    if (binding.fn.unit.file === at.unit.file && fn.range[0] === at.fn.range[0] && fn.range[1] === at.fn.range[1]) return `a Temporal activity (its module is the \`proxyActivities<typeof ...>()\` of \`${module.workflow}\`), run by a worker for a workflow, without a request`;
  }
  return undefined;
}
