import type { TSESTree } from '@typescript-eslint/types';
import { T, type Node } from '../../../core/ast.js';
import type { AnalysisContext } from '../../../core/query-site.js';
import { pathsOf } from '../../shared/paths.js';
import { isAdminOnly } from './admin.js';
import type { ClientTenantFlow as Flow } from '../flow.js';

/**
 * Is the client value at `at` checked on every path that reaches it, by what the shared path
 * analysis recognizes on the way (src/policies/shared/paths.ts): a route middleware that checks the
 * request's id against the verified identity and stops the request otherwise
 * (`router.get('/tasks', verifyProjectAccess('query', 'project_id'), safeControllerFunction(C.list))`),
 * an authorization decorator, a caller that checks access before the call. Undecided paths (cut,
 * never called, a local statement the analysis takes as a guard) prove nothing: this policy's own
 * checks (barriers/checks.ts) decide those, so a helper's result that is not tested still counts.
 * Returns what checks it, for nothing else to say; undefined when some path is unchecked.
 */
export function checkedOnEveryPath(flow: Flow, at: Node, field?: string): string | undefined {
  const { context } = flow;
  if (!context.root) return undefined;
  const call = enclosingCall(at);
  if (!call) return undefined;
  const verdict = pathsOf(call, context.unit, pathOptions(context, flow));
  if (verdict.local !== undefined || verdict.unguarded.length > 0 || verdict.cut.length > 0 || verdict.uncalled.length > 0) return undefined;
  // A decorator checks what the route names (this policy's own barrier reads which parameter); it says
  // nothing of a value from a header or the body.
  if (verdict.decorated?.length) return undefined;
  // `verifyTaskAccess('body', 'task_id')` checks the field it names: not a `project_id` beside it.
  if (field !== undefined && verdict.guarded.some((path) => namesOtherFields(path, field))) return undefined;
  return verdict.guarded[0];
}

/** The check, as the path analysis words it, names request fields in quotes and not this one. */
function namesOtherFields(path: string, field: string): boolean {
  const quoted = [...path.matchAll(/'([A-Za-z_][\w-]*)'|"([A-Za-z_][\w-]*)"/g)].map((m) => m[1] ?? m[2] ?? '');
  const fields = quoted.filter((name) => !LOCATIONS.has(name));
  return fields.length > 0 && !fields.includes(field);
}

/** Where a middleware factory is told to read the id (`'params'`, `'body'`, `'query'`): not field names. */
const LOCATIONS = new Set(['params', 'body', 'query', 'headers', 'header', 'cookies']);

function pathOptions(context: AnalysisContext, flow: Flow) {
  const tenantKeys = new Set<string>();
  for (const table of context.schema.tables.values()) for (const key of table.tenantKeys) tenantKeys.add(key);
  return {
    root: context.root ?? '',
    resolver: context.resolver,
    isExcluded: context.isTestPath ?? (() => false),
    isSystemFile: context.isSystemPath ?? (() => false),
    tenantKeys,
    isAdminOnly: (fn: TSESTree.FunctionLike, unit: AnalysisContext['unit']) => (unit === context.unit ? isAdminOnly(flow, fn) : false),
    read: true,
  };
}

/** The call that holds the value (the query, or the call into the helper that holds it). */
function enclosingCall(node: Node): TSESTree.CallExpression | undefined {
  for (let at: Node | undefined = node; at; at = at.parent) {
    if (at.type === T.CallExpression) return at;
    if (at.type === T.FunctionDeclaration || at.type === T.FunctionExpression || at.type === T.ArrowFunctionExpression) return undefined;
  }
  return undefined;
}
