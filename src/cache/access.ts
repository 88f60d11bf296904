import type { TSESTree } from '@typescript-eslint/types';
import { propertyName, T, textOf, unwrap, type Node } from '../core/ast.js';
import type { AnalysisContext } from '../core/query-site.js';
import { concatKeys, evaluateKey, text, unknownKey } from './keys.js';
import type { CacheAccess, CacheClient, CacheKey, CacheOperation, KeyValue } from './types.js';

/**
 * Where a method takes its keys:
 * - `first`: the first argument (`get(key)`); `firstTwo`: the first two (`rename(a, b)`);
 * - `all`: every argument, or the elements of a single array argument (`del(a, b)`, `mget([a, b])`);
 * - `allButLast`: every argument but a trailing timeout (`blpop(a, b, 5)`);
 * - `list`: one key or an array of keys (`keyv.get(key | keys)`);
 * - `pairs`: `mset(k1, v1, k2, v2)`, `mset({ [k]: v })` or `mSet([[k, v]])`;
 * - `entries`: `[{ key, value }]` objects (`node-cache mset`, `keyv setMany`);
 * - `eval`: the key arguments of `eval`/`evalsha` in the ioredis, node-redis and Upstash shapes;
 * - `hash`: a hash key and its fields (`hget(key, field)`, `hdel(key, f1, f2)`, `hmget(key, [f1, f2])`):
 *   each field is an entry of its own, `key:field`, so that a field keyed by a bare id is seen.
 */
export type KeyLayout = 'first' | 'firstTwo' | 'all' | 'allButLast' | 'list' | 'pairs' | 'entries' | 'eval' | 'hash';

export interface MethodShape {
  op: CacheOperation;
  keys: KeyLayout;
}

/** Builds a table from `'get mget hget'`-style lists: one shape per lower-case method name. */
export function methodTable(groups: [CacheOperation, KeyLayout, string][]): Map<string, MethodShape> {
  const table = new Map<string, MethodShape>();
  for (const [op, keys, names] of groups) {
    for (const name of names.split(/\s+/).filter(Boolean)) table.set(name.toLowerCase(), { op, keys });
  }
  return table;
}

const VERBS: Record<CacheOperation, string> = { read: 'reads', write: 'writes', invalidate: 'invalidates' };

export function keyOf(node: Node, context: AnalysisContext): CacheKey {
  return { node, value: evaluateKey(node, context.unit, context) };
}

/** The keys of a call laid out as `layout` says, and the arguments that are not keys. */
function keysByLayout(args: TSESTree.CallExpressionArgument[], layout: KeyLayout, context: AnalysisContext): { keys: CacheKey[]; rest: Node[] } {
  const taken = new Set<Node>();
  const spread = (arg: TSESTree.CallExpressionArgument): CacheKey => ({ node: arg, value: unknownKey('the key is spread from an array') });
  const take = (node: TSESTree.CallExpressionArgument | undefined): CacheKey[] => {
    if (!node) return [];
    taken.add(node);
    return [node.type === T.SpreadElement ? spread(node) : keyOf(node, context)];
  };
  const list = (node: TSESTree.CallExpressionArgument | undefined): CacheKey[] => {
    const value = node && node.type !== T.SpreadElement ? unwrap(node) : undefined;
    if (!node || value?.type !== T.ArrayExpression) return take(node);
    taken.add(node);
    return value.elements.flatMap((element) => (!element ? [] : element.type === T.SpreadElement ? [spread(element)] : [keyOf(element, context)]));
  };
  // Spreads in value positions (`rpush(key, ...items)`) are values; in key positions the keys are unknown.
  const plain = args.filter((arg): arg is TSESTree.Expression => arg.type !== T.SpreadElement);
  const anySpread = plain.length !== args.length;
  let keys: CacheKey[] = [];
  switch (layout) {
    case 'first':
      keys = take(args[0]);
      break;
    case 'firstTwo':
      keys = [...take(args[0]), ...take(args[1])];
      break;
    case 'list':
      keys = list(args[0]);
      break;
    case 'all':
      keys = args.length === 1 ? list(args[0]) : args.flatMap((arg) => take(arg));
      break;
    case 'allButLast':
      keys = anySpread ? args.flatMap((arg) => take(arg)) : args.slice(0, -1).flatMap((arg) => take(arg));
      break;
    case 'pairs':
      keys = anySpread ? take(args.find((arg) => arg.type === T.SpreadElement)) : pairKeys(plain, context, taken);
      break;
    case 'entries':
      keys = args[0]?.type === T.SpreadElement ? take(args[0]) : entryKeys(plain[0], context, taken);
      break;
    case 'eval':
      keys = anySpread ? take(args.find((arg) => arg.type === T.SpreadElement)) : evalKeys(plain, context, taken);
      break;
    case 'hash':
      keys = hashKeys(args, context, taken);
      break;
  }
  return { keys, rest: args.flatMap((arg) => (taken.has(arg) ? [] : [arg.type === T.SpreadElement ? arg.argument : arg])) };
}

/** Methods whose arguments after the hash key are all fields (the others take one field, then values). */
const ALL_FIELDS = new Set(['hdel', 'hmget']);
/** Methods that take a field and then a value: with two arguments, the second is an object of fields. */
const WITH_VALUE = new Set(['hset', 'hsetnx', 'hincrby', 'hincrbyfloat']);

/**
 * `hget(key, field)`: one entry, `key:field`, reported on the hash key (a suggestion prepends the
 * tenant there). `hset(key, { a, b })` or a field that is not a string: the hash key alone.
 */
function hashKeys(args: TSESTree.CallExpressionArgument[], context: AnalysisContext, taken: Set<Node>): CacheKey[] {
  const [hash, ...rest] = args;
  if (!hash) return [];
  taken.add(hash);
  if (hash.type === T.SpreadElement) return [{ node: hash, value: unknownKey('the key is spread from an array') }];
  const base = keyOf(hash, context);
  const method = (args[0]?.parent?.type === T.CallExpression ? memberOf(args[0].parent) : '').toLowerCase();
  // `hset(key, object)`: two arguments to a command that also takes a value are the key and its fields.
  if (WITH_VALUE.has(method) && args.length < 3) return [base];
  const candidates = ALL_FIELDS.has(method) ? rest : rest.slice(0, 1);
  const fields: TSESTree.Expression[] = [];
  for (const arg of candidates) {
    if (arg.type === T.SpreadElement) return [base];
    const value = unwrap(arg);
    if (value.type === T.ArrayExpression) {
      for (const element of value.elements) if (element && element.type !== T.SpreadElement) fields.push(element);
    } else if (value.type !== T.ObjectExpression) fields.push(arg);
  }
  if (fields.length === 0) return [base];
  for (const field of candidates) taken.add(field);
  return fields.map((field) => ({ node: hash, value: joinKeys(base.value, evaluateKey(field, context.unit, context)) }));
}

function memberOf(call: TSESTree.CallExpression): string {
  const callee = unwrap(call.callee);
  if (callee.type !== T.MemberExpression) return '';
  if (callee.property.type === T.Identifier && !callee.computed) return callee.property.name;
  return '';
}

/** `key` then `:field`, as one key value. */
function joinKeys(a: KeyValue, b: KeyValue): KeyValue {
  return concatKeys(concatKeys(a, text(':')), b);
}

function pairKeys(args: TSESTree.Expression[], context: AnalysisContext, taken: Set<Node>): CacheKey[] {
  const first = args[0] ? unwrap(args[0]) : undefined;
  if (args.length === 1 && first?.type === T.ObjectExpression) {
    return first.properties.flatMap((property): CacheKey[] => {
      if (property.type !== T.Property) return [{ node: property, value: unknownKey('the entries are spread from an object') }];
      const name = property.computed ? undefined : propertyName(property);
      return [name === undefined ? keyOf(property.key, context) : { node: property.key, value: text(name) }];
    });
  }
  if (args.length === 1 && first?.type === T.ArrayExpression) {
    return first.elements.flatMap((element): CacheKey[] => {
      const pair = element ? unwrap(element) : undefined;
      const key = pair?.type === T.ArrayExpression ? pair.elements[0] : undefined;
      return key && key.type !== T.SpreadElement ? [keyOf(key, context)] : [];
    });
  }
  if (args.length === 1 && args[0]) return [{ node: args[0], value: unknownKey('the key-value pairs are built elsewhere') }];
  return args.flatMap((arg, index) => {
    if (index % 2 !== 0) return [];
    taken.add(arg);
    return [keyOf(arg, context)];
  });
}

function entryKeys(arg: TSESTree.Expression | undefined, context: AnalysisContext, taken: Set<Node>): CacheKey[] {
  if (!arg) return [];
  taken.add(arg);
  const list = unwrap(arg);
  if (list.type !== T.ArrayExpression) return [{ node: arg, value: unknownKey('the entries are built elsewhere') }];
  return list.elements.flatMap((element): CacheKey[] => {
    const entry = element ? unwrap(element) : undefined;
    if (!entry || entry.type !== T.ObjectExpression) return element ? [{ node: element, value: unknownKey('an entry built elsewhere') }] : [];
    const key = entry.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'key');
    return key ? [keyOf(key.value, context)] : [{ node: entry, value: unknownKey('an entry without a literal `key`') }];
  });
}

/**
 * ioredis `eval(script, numkeys, ...keys, ...args)`, node-redis `eval(script, { keys, arguments })`,
 * Upstash `eval(script, keys, args)`.
 */
function evalKeys(args: TSESTree.Expression[], context: AnalysisContext, taken: Set<Node>): CacheKey[] {
  const second = args[1] ? unwrap(args[1]) : undefined;
  if (!second) return [];
  if (second.type === T.Literal && typeof second.value === 'number') {
    const keys = args.slice(2, 2 + second.value);
    for (const key of keys) taken.add(key);
    return keys.map((key) => keyOf(key, context));
  }
  if (second.type === T.ArrayExpression) {
    taken.add(args[1]);
    return second.elements.flatMap((element) => (element && element.type !== T.SpreadElement ? [keyOf(element, context)] : []));
  }
  if (second.type === T.ObjectExpression) {
    const keys = second.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'keys');
    const list = keys ? unwrap(keys.value) : undefined;
    if (list?.type === T.ArrayExpression) return list.elements.flatMap((element) => (element && element.type !== T.SpreadElement ? [keyOf(element, context)] : []));
    return keys ? [{ node: keys.value, value: unknownKey('the `keys` of `eval` are built elsewhere') }] : [];
  }
  return [{ node: args[1], value: unknownKey('the number of keys passed to `eval` is not a literal') }];
}

/** A CacheAccess for a method call on a traced client, from its shape in a method table. */
export function methodAccess(call: TSESTree.CallExpression, method: string, shape: MethodShape, client: CacheClient, context: AnalysisContext, args = call.arguments): CacheAccess | undefined {
  const { keys, rest } = keysByLayout(args, shape.keys, context);
  if (keys.length === 0) return undefined;
  return {
    library: client.library,
    operation: shape.op,
    method,
    call,
    ...calleeSpan(call, context),
    keys,
    values: shape.op === 'write' ? rest.map((node) => ({ node, unit: context.unit })) : [],
    client,
    keyNoun: 'key',
    verb: VERBS[shape.op],
  };
}

/** The `access` of a recognizer whose methods are all described by one table. */
export function tableAccess(table: Map<string, MethodShape>): (call: TSESTree.CallExpression, method: string, client: CacheClient, context: AnalysisContext) => CacheAccess | undefined {
  return (call, method, client, context) => {
    const shape = table.get(method.toLowerCase());
    return shape ? methodAccess(call, method, shape, client, context) : undefined;
  };
}

/**
 * The span to report and how to name it: the callee (`redis.get`), or only the method of a
 * chained call (`set` in `redis.multi().set(...)`), named with the chain's arguments elided.
 */
export function calleeSpan(call: TSESTree.CallExpression, context: AnalysisContext): { callee: Node; calleeText: string } {
  const callee = unwrap(call.callee);
  if (callee.type === T.MemberExpression && unwrap(callee.object).type === T.CallExpression) {
    return { callee: callee.property, calleeText: chainText(callee, context) };
  }
  return { callee, calleeText: textOf(context.unit, callee).replace(/\s+/g, '') };
}

function chainText(node: Node, context: AnalysisContext): string {
  const current = unwrap(node);
  if (current.type === T.MemberExpression && !current.computed && current.property.type === T.Identifier) return `${chainText(current.object, context)}.${current.property.name}`;
  if (current.type === T.CallExpression) return `${chainText(current.callee, context)}()`;
  return textOf(context.unit, current).replace(/\s+/g, '');
}
