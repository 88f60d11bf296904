/**
 * Tenant plugins: a schema whose query middleware adds the tenant to every query
 * (`schema.plugin(tenantPlugin)` with `schema.pre(/^find/, function () { this.where({ tenantId }) })`,
 * or the same hook on the schema itself) scopes the queries that middleware runs for. Only the
 * hooked operations are covered: a plugin that hooks `/^find/` does not scope `updateMany`.
 * Plugins named in `tenantPlugins` (from a package, say) are trusted for every operation.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { memberName, staticName, T, unwrap, variableOf, walk, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext } from '../core/query-site.js';
import type { Located } from '../core/resolve.js';
import { tenantKeyNames, type Table } from '../core/schema.js';

const MAX_DEPTH = 6;

/** A tenant hook: which middleware names it runs for, and how it was found (for messages). */
export interface TenantHook {
  covers(middleware: string): boolean;
  how: string;
}

/** The query middleware a model method runs: `findById` runs `findOne`, `findByIdAndUpdate` runs `findOneAndUpdate`. */
export function middlewareOf(method: string): string {
  const byId: Record<string, string> = {
    findById: 'findOne',
    exists: 'findOne',
    findByIdAndUpdate: 'findOneAndUpdate',
    findByIdAndDelete: 'findOneAndDelete',
    findByIdAndRemove: 'findOneAndRemove',
  };
  return byId[method] ?? method;
}

/** The tenant hooks of the schema a `model('Board', boardSchema)` call compiles. */
export function tenantHooksOf(construction: Located<TSESTree.CallExpression>, table: Table, context: AnalysisContext): TenantHook[] {
  const schema = schemaVariable(construction.node.arguments[1], construction.unit, context);
  if (!schema) return [];
  const keys = new Set([...table.tenantKeys, ...tenantKeyNames(context.schema, context.config)]);
  const hooks: TenantHook[] = [];
  for (const ref of schema.variable.references) {
    const member = ref.identifier.parent;
    const call = member?.parent;
    if (member?.type !== T.MemberExpression || member.object !== ref.identifier || call?.type !== T.CallExpression || call.callee !== member) continue;
    const name = memberName(member);
    if (name === 'pre') hooks.push(...preHook(call, schema.unit, keys, context, 'the schema\'s own `pre` hook', 0));
    if (name === 'plugin') hooks.push(...pluginHooks(call, schema.unit, keys, context));
  }
  return hooks;
}

/** The variable that holds the schema passed to `model()`, in the file that declares it. */
function schemaVariable(arg: Node | undefined, unit: FileUnit, context: AnalysisContext) {
  const node = arg ? unwrap(arg) : undefined;
  if (node?.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(node, unit, 1);
  if (binding.kind !== 'value') return undefined;
  const declarator = binding.value.node.parent;
  if (declarator?.type !== T.VariableDeclarator || declarator.id.type !== T.Identifier) return undefined;
  const variable = variableOf(binding.value.unit.scopeManager, declarator.id);
  return variable ? { variable, unit: binding.value.unit } : undefined;
}

function pluginHooks(call: TSESTree.CallExpression, unit: FileUnit, keys: Set<string>, context: AnalysisContext): TenantHook[] {
  const arg = call.arguments[0];
  const plugin = arg ? unwrap(arg) : undefined;
  if (!plugin) return [];
  const name = plugin.type === T.Identifier ? plugin.name : plugin.type === T.MemberExpression ? memberName(plugin) : undefined;
  if (name && (context.config.tenantPlugins ?? []).includes(name)) {
    return [{ covers: () => true, how: `\`${name}\` is a configured tenant plugin` }];
  }
  let fn: Located<TSESTree.FunctionLike> | undefined;
  if (plugin.type === T.FunctionExpression || plugin.type === T.ArrowFunctionExpression) fn = { node: plugin, unit };
  else if (plugin.type === T.Identifier) {
    const binding = context.resolver.bindingOf(plugin, unit, 1);
    if (binding.kind === 'function') fn = binding.fn;
  }
  if (!fn?.node.body) return [];
  const hooks: TenantHook[] = [];
  const located = fn;
  walk(located.node.body as Node, (node) => {
    if (node.type !== T.CallExpression) return;
    const callee = unwrap(node.callee);
    if (callee.type === T.MemberExpression && memberName(callee) === 'pre') hooks.push(...preHook(node, located.unit, keys, context, `the plugin \`${name ?? 'function'}\``, 0));
  });
  return hooks;
}

/** `pre(hook, [options,] handler)` whose handler puts a tenant key into the query. */
function preHook(call: TSESTree.CallExpression, unit: FileUnit, keys: Set<string>, context: AnalysisContext, origin: string, depth: number): TenantHook[] {
  if (depth > MAX_DEPTH) return [];
  const [spec] = call.arguments;
  const handler = call.arguments[call.arguments.length - 1];
  if (!spec || !handler || handler === spec) return [];
  const covers = hookMatcher(spec);
  const body = handlerBody(handler, unit, context);
  if (!covers || !body || !mentionsTenantKey(body, keys)) return [];
  return [{ covers, how: `${origin} adds the tenant to every \`${hookText(spec)}\` query` }];
}

function hookText(spec: Node): string {
  const node = unwrap(spec);
  if (node.type === T.Literal && 'regex' in node && node.regex) return `/${node.regex.pattern}/`;
  if (node.type === T.ArrayExpression) return node.elements.map((e) => (e ? staticName(e) : '')).join('`, `');
  return staticName(node) ?? '?';
}

/** `'find'`, `['find', 'findOne']`, `/^find/`. */
function hookMatcher(spec: Node): ((middleware: string) => boolean) | undefined {
  const node = unwrap(spec);
  if (node.type === T.Literal && 'regex' in node && node.regex) {
    const regex = safeRegExp(node.regex.pattern, node.regex.flags);
    return regex ? (m) => regex.test(m) : undefined;
  }
  if (node.type === T.ArrayExpression) {
    const names = node.elements.map((e) => (e && e.type !== T.SpreadElement ? staticName(e) : undefined));
    return (m) => names.includes(m);
  }
  const name = staticName(node);
  return name ? (m) => m === name : undefined;
}

/**
 * The hook regex is the scanned file's own: it runs (on short middleware names) only when it cannot
 * backtrack badly: short, no back-references, no quantified group, at most a few quantifiers.
 * `/^find/`, `/^(find|count)/`, `/update|delete/i` and the like pass.
 */
function safeRegExp(pattern: string, flags: string): RegExp | undefined {
  if (pattern.length > 200 || /\\[1-9]|\\k</.test(pattern) || /\)[*+?{]/.test(pattern)) return undefined;
  if ((pattern.match(/[*+{]|[^(]\?/g) ?? []).length > 4) return undefined;
  try {
    return new RegExp(pattern, flags.replace(/[gy]/g, ''));
  } catch {
    return undefined;
  }
}

function handlerBody(handler: Node, unit: FileUnit, context: AnalysisContext): Node | undefined {
  const node = unwrap(handler);
  if (node.type === T.FunctionExpression || node.type === T.ArrowFunctionExpression) return node.body;
  if (node.type !== T.Identifier) return undefined;
  const binding = context.resolver.bindingOf(node, unit, 1);
  return binding.kind === 'function' ? (binding.fn.node.body ?? undefined) : undefined;
}

/** `this.where({ tenantId: ... })`, `this.setQuery({ ...q, tenantId })`, `this.where('tenantId').equals(...)`. */
function mentionsTenantKey(body: Node, keys: Set<string>): boolean {
  let found = false;
  walk(body, (node) => {
    if (found) return;
    if (node.type === T.Property && keys.has(staticName(node.key, node.computed) ?? '')) found = true;
    if (node.type === T.Literal && typeof node.value === 'string' && keys.has(node.value)) found = true;
  });
  return found;
}
