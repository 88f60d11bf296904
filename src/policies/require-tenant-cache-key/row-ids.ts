import type { TSESTree } from '@typescript-eslint/types';
import { T, unwrap, variableOf, walk, type FileUnit, type Node } from '../../core/ast.js';
import type { KeyPart } from '../../core/facts.js';
import { CLIENT_PARTS, identityRead, memberPath, REQUEST_CARRIERS } from '../../core/identity.js';
import type { AnalysisContext } from '../../core/query-site.js';
import type { Table } from '../../core/schema.js';
import { callerLookup } from '../../flow/callers.js';
import { definitionOf, elementOf } from '../shared/paths.js';

/*
 * A key part that is the id of one row (`${userId}`, `${spaceId}`: the single-column primary key of
 * User, Space) names an entry no two tenants share: ids are unique in the whole table. What it can
 * still leak is the entry of a row the caller picked: an id the client chooses (a route parameter, a
 * message body) reads another tenant's cached data. So the id counts only when the server chose it:
 * a field of a row the server loaded, the verified identity, or a parameter every caller fills with
 * one of those (a notification job looping over the recipients it queried). Anything else, and any
 * caller the call graph cannot name, keeps the key reported.
 */

/** Parts of client input, lower case: the request's (core/identity) and what handlers name a message's. */
const CLIENT = new Set([...[...CLIENT_PARTS].map((part) => part.toLowerCase()), 'data', 'payload', 'variables', 'message', 'msg']);
/** Calls that read the request (`c.req.json()`, `getQuery(event)`, `request.formData()`). */
const REQUEST_READ = /^(get)?(request)?(header|headers|cookie|cookies|query|param|params|body|searchParams|formData|json|text|valid)$/i;
/** Callers followed up from the function that builds the key: a wrapper of a wrapper of a job. */
const MAX_CALLER_DEPTH = 2;
/** Consts followed back per value. */
const MAX_STEPS = 8;

/** Why `part`, the id of one `table` row, was chosen by the server; undefined when it may be the client's. */
export function serverChosenRowId(part: Extract<KeyPart, { kind: 'value' }>, table: Table, context: AnalysisContext): string | undefined {
  if (table.primaryKey.length !== 1) return undefined;
  const callers = context.root ? callerLookup(context.root, context.resolver, context.isTestPath ?? (() => false)) : undefined;
  const why = serverValue(part.node, part.unit, { callers, depth: 0, steps: 0 });
  return why ? `\`${part.text}\` is the id of one \`${table.name}\` row (unique across tenants), and ${why}` : undefined;
}

interface Walk {
  callers: ReturnType<typeof callerLookup> | undefined;
  depth: number;
  steps: number;
}

function serverValue(node: Node, unit: FileUnit, w: Walk): string | undefined {
  if (++w.steps > MAX_STEPS) return undefined;
  const value = unwrap(node.type === T.ChainExpression ? node.expression : node);
  if (value.type === T.AwaitExpression) return serverValue(value.argument, unit, w);
  if (value.type === T.MemberExpression) {
    const path = memberPath(value);
    if (!path) return undefined;
    if (identityRead(path)) return `\`${path.join('.')}\` is the verified identity`;
    if (path.some((segment) => CLIENT.has(segment.toLowerCase())) || REQUEST_CARRIERS.has(path[0]!)) return undefined;
    let root: Node = value;
    while (root.type === T.MemberExpression) root = unwrap(root.object);
    return root.type === T.Identifier ? serverValue(root, unit, w) : undefined;
  }
  if (value.type === T.CallExpression || value.type === T.NewExpression) {
    // `String(id)`, `id.trim()`: the same value, converted.
    const copied = copiedArgument(value);
    if (copied) return serverValue(copied, unit, w);
    return readsClient(value) ? undefined : 'it comes from rows the server loaded';
  }
  if (value.type !== T.Identifier) return undefined;
  const def = definitionOf(value, unit);
  if (def?.kind === 'const') return serverValue(def.init, unit, w);
  if (def?.kind !== 'parameter') return undefined;
  const array = elementOf(def.node);
  if (array) return serverValue(array, unit, w);
  return fromCallers(value, unit, w);
}

/** A parameter every caller fills with a value the server chose. */
function fromCallers(id: TSESTree.Identifier, unit: FileUnit, w: Walk): string | undefined {
  if (!w.callers || w.depth >= MAX_CALLER_DEPTH) return undefined;
  const def = variableOf(unit.scopeManager, id)?.defs[0];
  if (def?.type !== 'Parameter') return undefined;
  const fn = def.node as TSESTree.FunctionLike;
  const index = fn.params.findIndex((param) => {
    const inner = param.type === T.TSParameterProperty ? param.parameter : param;
    const name = inner.type === T.AssignmentPattern ? inner.left : inner;
    return name === def.name;
  });
  const param = fn.params[index];
  // A decorated parameter (`@Body() dto`, `@MessageBody() data`) is filled by the framework, not a caller of the project.
  if (index < 0 || (param && 'decorators' in param && Array.isArray(param.decorators) && param.decorators.length > 0)) return undefined;
  const sites = w.callers(fn, unit);
  if (!sites || sites.length === 0) return undefined;
  for (const site of sites) {
    const arg = site.call.arguments[index];
    if (!arg || arg.type === T.SpreadElement) return undefined;
    if (!serverValue(arg, site.unit, { ...w, depth: w.depth + 1, steps: 0 })) return undefined;
  }
  return `every caller of \`${functionName(fn)}\` passes one the server chose (${sites.length} call${sites.length === 1 ? '' : 's'})`;
}

/** Does the call read client input: a request read, or an argument taken from the request or a message? */
function readsClient(call: Node): boolean {
  let found = false;
  walk(call, (inner) => {
    if (found) return;
    if (inner.type === T.CallExpression) {
      const callee = unwrap(inner.callee);
      const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression && callee.property.type === T.Identifier ? callee.property.name : undefined;
      if (name && REQUEST_READ.test(name)) found = true;
    } else if (inner.type === T.MemberExpression) {
      const path = memberPath(inner);
      if (path && !identityRead(path) && (path.some((segment) => CLIENT.has(segment.toLowerCase())) || REQUEST_CARRIERS.has(path[0]!))) found = true;
    }
  });
  return found;
}

/** Conversions that hand back their argument (or receiver): `String(id)`, `Number(id)`, `id.trim()`. */
const CONVERSIONS = new Set(['String', 'Number', 'BigInt', 'parseInt', 'decodeURIComponent', 'encodeURIComponent']);
const COPYING_METHODS = new Set(['toString', 'trim', 'toLowerCase', 'toUpperCase', 'normalize']);

function copiedArgument(call: TSESTree.CallExpression | TSESTree.NewExpression): Node | undefined {
  const callee = unwrap(call.callee);
  if (callee.type === T.Identifier && CONVERSIONS.has(callee.name)) return call.arguments[0];
  if (callee.type === T.MemberExpression && callee.property.type === T.Identifier && COPYING_METHODS.has(callee.property.name)) return callee.object;
  return undefined;
}

function functionName(fn: TSESTree.FunctionLike): string {
  if ('id' in fn && fn.id) return fn.id.name;
  const parent = fn.parent;
  if (parent?.type === T.MethodDefinition && parent.key.type === T.Identifier) return parent.key.name;
  if (parent?.type === T.VariableDeclarator && parent.id.type === T.Identifier) return parent.id.name;
  if (parent?.type === T.Property && parent.key.type === T.Identifier) return parent.key.name;
  return 'the function';
}
