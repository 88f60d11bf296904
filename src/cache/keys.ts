import type { TSESTree } from '@typescript-eslint/types';
import { enclosingClass, enclosingFunction, memberName, propertyName, staticName, T, textOf, unwrap, variableOf, type FileUnit, type Node } from '../core/ast.js';
import type { AnalysisContext, QuerySite } from '../core/query-site.js';
import { returnedExpressions, type Located } from '../core/resolve.js';
import { mentionsTenantWord } from '../core/tenant-values.js';
import { recognizeAnyQuery } from '../models/tenant-positions/index.js';
import type { KeyPart, KeyValue, ValueOrigin } from './types.js';

const MAX_DEPTH = 12;
const MAX_ALTERNATIVES = 8;

/** Globals that turn a value into a string without changing what it identifies. */
const STRINGIFIERS = new Set(['String', 'encodeURIComponent', 'encodeURI', 'Number', 'BigInt']);
/** String, number and date methods that keep what a value identifies (`id.toLowerCase()`). */
const PASSTHROUGH_METHODS = new Set([
  'toString', 'toLowerCase', 'toUpperCase', 'toLocaleLowerCase', 'toLocaleUpperCase', 'trim', 'trimStart', 'trimEnd',
  'normalize', 'valueOf', 'toISOString', 'toJSON', 'toFixed', 'padStart', 'padEnd', 'slice', 'substring', 'getTime',
]);
/** Array methods whose result holds the same items (`parts.filter(Boolean).join(':')`). */
const ARRAY_PASSTHROUGH = new Set(['filter', 'sort', 'flat', 'slice', 'reverse', 'toSorted']);
/**
 * Random generators by package and export: a value one of them returns is minted by the server
 * and unguessable, so a key made of it names an entry no other tenant can ask for.
 */
const RANDOM_SOURCES: Record<string, readonly string[]> = {
  crypto: ['randomUUID', 'randomBytes', 'getRandomValues', 'webcrypto.randomUUID'],
  'node:crypto': ['randomUUID', 'randomBytes', 'getRandomValues', 'webcrypto.randomUUID'],
  nanoid: ['nanoid', 'customAlphabet()'],
  'nanoid/non-secure': [],
  uuid: ['v4', 'v7', 'default'],
  '@lukeed/uuid': ['default', 'v4'],
  '@paralleldrive/cuid2': ['createId', 'init()'],
  ulid: ['ulid', 'monotonicFactory()'],
  ulidx: ['ulid', 'monotonicFactory()'],
  'uid-safe': ['default', 'sync'],
  'crypto-random-string': ['default'],
};
/** Methods that read one request header by name: `headers.get('host')`, `req.header('host')`, `req.get('host')`. */
const HEADER_GETTERS = new Set(['get', 'header', 'getHeader']);
/** Names of functions that build keys: when one cannot be followed, the key is not analysable. */
const KEY_BUILDER = /key|prefix|namespace|scope/i;

type Env = Map<TSESTree.Identifier, KeyValue>;

export function text(value: string): KeyValue {
  return { kind: 'key', alternatives: [[{ kind: 'text', text: value }]] };
}

export function unknownKey(reason: string): KeyValue {
  return { kind: 'unknown', reason };
}

/** The key as one string-shaped value: arrays are joined the way JavaScript stringifies them. */
export function asKey(value: KeyValue, separator = ','): KeyValue {
  if (value.kind !== 'array') return value;
  let result: KeyValue = text('');
  value.items.forEach((item, index) => {
    result = concat(result, index === 0 ? asKey(item) : concat(text(separator), asKey(item)));
  });
  return result;
}

/** Two key values one after the other, as one key. */
export function concatKeys(a: KeyValue, b: KeyValue): KeyValue {
  return concat(a, b);
}

function concat(a: KeyValue, b: KeyValue): KeyValue {
  const left = asKey(a);
  const right = asKey(b);
  if (left.kind === 'unknown') return left;
  if (right.kind === 'unknown') return right;
  if (left.kind !== 'key' || right.kind !== 'key') return unknownKey('an array inside an array');
  const alternatives: KeyPart[][] = [];
  for (const x of left.alternatives) {
    for (const y of right.alternatives) alternatives.push(mergeText([...x, ...y]));
  }
  if (alternatives.length > MAX_ALTERNATIVES) return unknownKey('the key has too many possible shapes');
  return { kind: 'key', alternatives };
}

function choice(values: KeyValue[]): KeyValue {
  const keys = values.map((value) => asKey(value));
  const unknown = keys.find((value) => value.kind === 'unknown');
  if (unknown) return unknown;
  const alternatives = keys.flatMap((value) => (value.kind === 'key' ? value.alternatives : []));
  if (alternatives.length === 0) return unknownKey('the key has no possible shape');
  if (alternatives.length > MAX_ALTERNATIVES) return unknownKey('the key has too many possible shapes');
  return { kind: 'key', alternatives };
}

function mergeText(parts: KeyPart[]): KeyPart[] {
  const merged: KeyPart[] = [];
  for (const part of parts) {
    const last = merged[merged.length - 1];
    if (part.kind === 'text' && last?.kind === 'text') merged[merged.length - 1] = { kind: 'text', text: last.text + part.text };
    else if (part.kind !== 'text' || part.text !== '') merged.push(part);
  }
  return merged;
}

/**
 * Evaluates a cache key expression to its parts: literal text and the runtime values spliced
 * into it. Follows consts, imports, helper functions (same file or imported, with their
 * arguments bound to their parameters), `this.method()` key builders, key maps (`KEYS.invoice(id)`),
 * enums, template literals, `+`, `join`, `JSON.stringify` and hashes. A key built by a function it
 * cannot read is `unknown`, with the reason.
 */
export function evaluateKey(node: Node, unit: FileUnit, context: AnalysisContext): KeyValue {
  return new KeyEvaluator(context).evaluate(node, unit, new Map(), 0);
}

/** A runtime value that is part of a key, named by its access path. */
export function leaf(node: Node, unit: FileUnit, path: string[], origin: ValueOrigin, shown = textOf(unit, node).replace(/\s+/g, ' ')): KeyValue {
  return { kind: 'key', alternatives: [[{ kind: 'value', path, text: shown, node, unit, origin }]] };
}

class KeyEvaluator {
  /** Above 0 while evaluating a piece of a larger key (a template expression, a joined item). */
  private partDepth = 0;

  constructor(private readonly context: AnalysisContext) {}

  /** Evaluates a piece of a key: a call the analysis cannot read is then a value, not the key's shape. */
  private part(node: Node, unit: FileUnit, env: Env, depth: number): KeyValue {
    this.partDepth += 1;
    try {
      return this.evaluate(node, unit, env, depth);
    } finally {
      this.partDepth -= 1;
    }
  }

  evaluate(expression: Node, unit: FileUnit, env: Env, depth: number): KeyValue {
    if (depth > MAX_DEPTH) return unknownKey('the key is built too deeply to follow');
    const node = unwrap(expression);
    switch (node.type) {
      case T.Literal:
        if (typeof node.value === 'string' || typeof node.value === 'number' || typeof node.value === 'boolean' || typeof node.value === 'bigint') return text(String(node.value));
        if (node.value === null) return text('null');
        return leaf(node, unit, [textOf(unit, node)], { kind: 'other' });
      case T.TemplateLiteral: {
        let result = text(node.quasis[0]?.value.cooked ?? '');
        node.expressions.forEach((inner, index) => {
          result = concat(result, this.part(inner, unit, env, depth + 1));
          result = concat(result, text(node.quasis[index + 1]?.value.cooked ?? ''));
        });
        return result;
      }
      case T.BinaryExpression:
        if (node.operator === '+') {
          return concat(this.part(node.left, unit, env, depth + 1), this.part(node.right, unit, env, depth + 1));
        }
        return leaf(node, unit, [textOf(unit, node)], { kind: 'other' });
      case T.Identifier:
        return this.identifier(node, unit, env, depth);
      case T.MemberExpression:
        return this.member(node, unit, env, depth);
      case T.CallExpression:
        return this.call(node, unit, env, depth);
      case T.ArrayExpression: {
        const items: KeyValue[] = [];
        for (const element of node.elements) {
          if (!element) continue;
          if (element.type === T.SpreadElement) {
            const spread = this.part(element.argument, unit, env, depth + 1);
            if (spread.kind === 'array') items.push(...spread.items);
            else if (spread.kind === 'unknown') return spread;
            else items.push(spread);
            continue;
          }
          items.push(this.part(element, unit, env, depth + 1));
        }
        return { kind: 'array', items };
      }
      case T.ConditionalExpression:
        return choice([this.evaluate(node.consequent, unit, env, depth + 1), this.evaluate(node.alternate, unit, env, depth + 1)]);
      case T.LogicalExpression: {
        // `header ?? ''`: an empty fallback only stands for a missing value, it is not a key of its own.
        const right = unwrap(node.right);
        if (node.operator !== '&&' && right.type === T.Literal && right.value === '') return this.evaluate(node.left, unit, env, depth + 1);
        return choice([this.evaluate(node.left, unit, env, depth + 1), this.evaluate(node.right, unit, env, depth + 1)]);
      }
      case T.ObjectExpression:
        return unknownKey('the key is an object, which the cache stringifies as `[object Object]`');
      default:
        return leaf(node, unit, [textOf(unit, node)], { kind: 'other' });
    }
  }

  private identifier(node: TSESTree.Identifier, unit: FileUnit, env: Env, depth: number): KeyValue {
    if (node.name === 'undefined') return text('undefined');
    const variable = variableOf(unit.scopeManager, node);
    const def = variable?.defs[0];
    if (!variable || !def) return leaf(node, unit, [node.name], { kind: 'other' });
    if (def.type === 'Parameter' && def.name.type === T.Identifier) {
      const bound = env.get(def.name);
      if (bound) return bound;
      return leaf(node, unit, [node.name], { kind: 'parameter', fn: functionName(def.node) });
    }
    const binding = this.context.resolver.bindingOf(node, unit, depth + 1);
    switch (binding.kind) {
      case 'value': {
        const init = unwrap(binding.value.node);
        const row = init.type === T.CallExpression || init.type === T.TaggedTemplateExpression ? this.querySite(init, binding.value.unit) : undefined;
        if (row) return leaf(node, unit, [node.name], { kind: 'row', site: row });
        if (init.type === T.NewExpression || init.type === T.ObjectExpression || init.type === T.ClassExpression) return leaf(node, unit, [node.name], { kind: 'other' });
        const value = this.evaluate(init, binding.value.unit, env, depth + 1);
        // `const id = nanoid()`: the variable's name says more than the callee's.
        if (value.kind === 'key' && value.alternatives.length === 1) {
          const only = value.alternatives[0];
          const part = only.length === 1 ? only[0] : undefined;
          if (part?.kind === 'value' && part.origin.kind === 'call') return leaf(node, unit, [node.name], part.origin);
        }
        return value;
      }
      case 'parameter':
        return leaf(node, unit, [node.name], { kind: 'parameter', fn: functionName(binding.fn) });
      case 'package':
        return unknownKey(`\`${node.name}\` is imported from the package \`${binding.source}\`, which the analysis does not read`);
      case 'unknown':
        if (def.type === 'ImportBinding') return unknownKey(binding.reason);
        return leaf(node, unit, [node.name], { kind: 'other' });
      default:
        return leaf(node, unit, [node.name], { kind: 'other' });
    }
  }

  private member(node: TSESTree.MemberExpression, unit: FileUnit, env: Env, depth: number): KeyValue {
    const name = memberName(node);
    const object = unwrap(node.object);
    if (name && object.type === T.Identifier) {
      const enumValue = enumMember(object, name, unit);
      if (enumValue !== undefined) return text(enumValue);
      const property = this.objectProperty(object, name, unit, depth);
      if (property) return this.evaluate(property.node, property.unit, env, depth + 1);
    }
    const path = memberPath(node, unit);
    const root = rootIdentifier(node);
    let origin: ValueOrigin = { kind: 'other' };
    if (root) {
      const variable = variableOf(unit.scopeManager, root);
      const def = variable?.defs[0];
      if (def?.type === 'Parameter') origin = { kind: 'parameter', fn: functionName(def.node) };
      else if (def) {
        const binding = this.context.resolver.bindingOf(root, unit, depth + 1);
        const init = binding.kind === 'value' ? unwrap(binding.value.node) : undefined;
        const site = (init?.type === T.CallExpression || init?.type === T.TaggedTemplateExpression) && binding.kind === 'value' ? this.querySite(init, binding.value.unit) : undefined;
        if (site) origin = { kind: 'row', site };
        else if (init?.type === T.CallExpression) {
          // `const session = await auth()`: a field of what a call returned.
          const fnCallee = unwrap(init.callee);
          const calleeName = fnCallee.type === T.Identifier ? fnCallee.name : fnCallee.type === T.MemberExpression ? (memberName(fnCallee) ?? '') : '';
          if (calleeName) origin = { kind: 'call', callee: calleeName };
        }
      }
    }
    return leaf(node, unit, path, origin);
  }

  private call(node: TSESTree.CallExpression, unit: FileUnit, env: Env, depth: number): KeyValue {
    const callee = unwrap(node.callee);
    const first = node.arguments[0];
    if (callee.type === T.Identifier && STRINGIFIERS.has(callee.name) && isGlobal(callee, unit) && first && first.type !== T.SpreadElement) {
      return this.evaluate(first, unit, env, depth + 1);
    }
    if (callee.type === T.MemberExpression) {
      const method = memberName(callee) ?? '';
      const receiver = unwrap(callee.object);
      if (receiver.type === T.Identifier && receiver.name === 'JSON' && method === 'stringify' && isGlobal(receiver, unit) && first && first.type !== T.SpreadElement) {
        return this.stringify(first, unit, env, depth);
      }
      const transformed = this.method(node, callee, method, unit, env, depth);
      if (transformed) return transformed;
    }
    const helper = this.helperOf(callee, unit, depth);
    if (helper) return this.applyHelper(helper, node.arguments, unit, env, depth);
    return this.opaque(node, callee, unit, depth);
  }

  /**
   * The package of a random generator `callee` is: `randomUUID` of node:crypto, `nanoid`,
   * `crypto.randomUUID` of the Web Crypto global, `v4` of uuid, or a generator a call of one
   * returned (`const gen = customAlphabet(...)`).
   */
  private randomSource(callee: Node, unit: FileUnit, depth: number): string | undefined {
    const path: string[] = [];
    let root: Node = callee;
    while (root.type === T.MemberExpression) {
      const name = memberName(root);
      if (!name) return undefined;
      path.unshift(name);
      root = unwrap(root.object);
    }
    if (root.type === T.CallExpression) {
      // `customAlphabet(alphabet, 21)()`: the generator a factory of a random package returned.
      const inner = unwrap(root.callee);
      const source = this.randomSource(inner, unit, depth + 1);
      return source && path.length === 0 ? source : undefined;
    }
    if (root.type !== T.Identifier) return undefined;
    const variable = variableOf(unit.scopeManager, root);
    if (!variable || variable.defs.length === 0) {
      // The Web Crypto global: `crypto.randomUUID()`, `crypto.getRandomValues(...)`.
      return root.name === 'crypto' && path.length === 1 && ['randomUUID', 'getRandomValues'].includes(path[0] ?? '') ? 'crypto' : undefined;
    }
    const binding = this.context.resolver.bindingOf(root, unit, depth + 1);
    if (binding.kind === 'package') {
      const exports = RANDOM_SOURCES[binding.source];
      if (!exports) return undefined;
      const joined = [binding.imported, ...path].join('.').replace(/^(\*|default)\./, '');
      return exports.includes(joined) || exports.includes([binding.imported, ...path].join('.')) ? binding.source : undefined;
    }
    if (binding.kind === 'value' && path.length === 0) {
      // `const gen = customAlphabet(...)`: a generator made by a random package.
      const init = unwrap(binding.value.node);
      if (init.type !== T.CallExpression) return undefined;
      const factory = unwrap(init.callee);
      if (factory.type !== T.Identifier) return undefined;
      const made = this.context.resolver.bindingOf(factory, binding.value.unit, depth + 1);
      return made.kind === 'package' && RANDOM_SOURCES[made.source]?.includes(`${made.imported}()`) ? made.source : undefined;
    }
    return undefined;
  }

  /** String and array methods on a key value: passthroughs, `join`, `concat`, `map`, hashes. */
  private method(node: TSESTree.CallExpression, callee: TSESTree.MemberExpression, method: string, unit: FileUnit, env: Env, depth: number): KeyValue | undefined {
    if (method === 'digest') return this.hash(callee, unit, env, depth);
    if (!PASSTHROUGH_METHODS.has(method) && !ARRAY_PASSTHROUGH.has(method) && method !== 'join' && method !== 'concat' && method !== 'map') return undefined;
    const receiver = unwrap(callee.object);
    if (receiver.type === T.Identifier && this.isKeyMap(receiver, unit, depth)) return undefined;
    const value = this.evaluate(receiver, unit, env, depth + 1);
    if (value.kind === 'unknown') return value;
    if (method === 'join') {
      const separatorArg = node.arguments[0];
      const separator = separatorArg ? staticName(separatorArg) : ',';
      if (separator === undefined) return unknownKey('the separator of `join` is not a literal');
      return value.kind === 'array' ? asKey(value, separator) : value;
    }
    if (method === 'concat') {
      const rest = node.arguments.map((arg) => (arg.type === T.SpreadElement ? unknownKey('a spread argument') : this.part(arg, unit, env, depth + 1)));
      if (value.kind === 'array') return { kind: 'array', items: [...value.items, ...rest.flatMap((item) => (item.kind === 'array' ? item.items : [item]))] };
      return rest.reduce<KeyValue>((acc, item) => concat(acc, item), value);
    }
    if (method === 'map') return this.mapped(node, value, unit, env, depth);
    if (ARRAY_PASSTHROUGH.has(method) && value.kind === 'array') return value;
    if (PASSTHROUGH_METHODS.has(method)) return value;
    return undefined;
  }

  /** `ids.map((id) => \`invoice:${id}\`)`: an array whose items have the callback's shape. */
  private mapped(node: TSESTree.CallExpression, receiver: KeyValue, unit: FileUnit, env: Env, depth: number): KeyValue {
    const callback = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
    if (!callback || (callback.type !== T.ArrowFunctionExpression && callback.type !== T.FunctionExpression)) {
      return receiver.kind === 'array' ? receiver : unknownKey('the key list is mapped by a function the analysis cannot read');
    }
    const param = callback.params[0];
    const item = receiver.kind === 'array' ? choice(receiver.items.length > 0 ? receiver.items : [text('')]) : receiver;
    const inner: Env = new Map(env);
    if (param?.type === T.Identifier) inner.set(param, item);
    const results = returnedExpressions(callback).map((expr) => this.evaluate(expr, unit, inner, depth + 1));
    if (results.length === 0) return unknownKey('the key list is mapped by a callback that returns nothing');
    return { kind: 'array', items: [choice(results)] };
  }

  /** `createHash('sha256').update(key).digest('hex')`: a hash identifies what it hashed. */
  private hash(callee: TSESTree.MemberExpression, unit: FileUnit, env: Env, depth: number): KeyValue {
    const updates: Node[] = [];
    let current = unwrap(callee.object);
    while (current.type === T.CallExpression) {
      const inner = unwrap(current.callee);
      if (inner.type !== T.MemberExpression) break;
      if (memberName(inner) === 'update' && current.arguments[0]) updates.unshift(current.arguments[0]);
      current = unwrap(inner.object);
    }
    if (updates.length === 0) return unknownKey('a hash whose input the analysis cannot see');
    return updates.reduce<KeyValue>((acc, update) => concat(acc, this.part(update, unit, env, depth + 1)), text(''));
  }

  private stringify(argument: Node, unit: FileUnit, env: Env, depth: number): KeyValue {
    const value = unwrap(argument);
    if (value.type !== T.ObjectExpression) return asKey(this.evaluate(value, unit, env, depth + 1));
    let result = text('{');
    for (const property of value.properties) {
      if (property.type !== T.Property) return unknownKey('`JSON.stringify` of an object with a spread');
      const key = propertyName(property);
      if (key === undefined) return unknownKey('`JSON.stringify` of an object with a computed key');
      result = concat(result, text(`"${key}":`));
      result = concat(result, this.part(property.value, unit, env, depth + 1));
      result = concat(result, text(','));
    }
    return concat(result, text('}'));
  }

  /** A function defined in the project that the key calls: `cacheKey(...)`, `this.keyFor(id)`, `Keys.invoice(id)`. */
  private helperOf(callee: Node, unit: FileUnit, depth: number): Located<TSESTree.FunctionLike> | undefined {
    if (callee.type === T.Identifier) {
      const binding = this.context.resolver.bindingOf(callee, unit, depth + 1);
      return binding.kind === 'function' ? binding.fn : undefined;
    }
    if (callee.type !== T.MemberExpression) return undefined;
    const name = memberName(callee);
    const object = unwrap(callee.object);
    if (!name) return undefined;
    if (object.type === T.ThisExpression) {
      const cls = enclosingClass(callee);
      const fn = cls ? methodOf(cls, name, false) : undefined;
      return fn ? { node: fn, unit } : undefined;
    }
    if (object.type !== T.Identifier) return undefined;
    const property = this.objectProperty(object, name, unit, depth);
    if (property) {
      const fn = unwrap(property.node);
      if (fn.type === T.FunctionExpression || fn.type === T.ArrowFunctionExpression) return { node: fn, unit: property.unit };
    }
    const binding = this.context.resolver.bindingOf(object, unit, depth + 1);
    if (binding.kind === 'class') {
      const fn = methodOf(binding.cls.node, name, true);
      return fn ? { node: fn, unit: binding.cls.unit } : undefined;
    }
    return undefined;
  }

  /** `KEYS.invoice` where `const KEYS = { invoice: ... }` (same file or imported). */
  private objectProperty(object: TSESTree.Identifier, name: string, unit: FileUnit, depth: number): Located | undefined {
    const binding = this.context.resolver.bindingOf(object, unit, depth + 1);
    if (binding.kind !== 'value') return undefined;
    const value = unwrap(binding.value.node);
    if (value.type !== T.ObjectExpression) return undefined;
    for (const property of value.properties) {
      if (property.type === T.Property && propertyName(property) === name) return { node: property.value, unit: binding.value.unit };
    }
    return undefined;
  }

  private isKeyMap(object: TSESTree.Identifier, unit: FileUnit, depth: number): boolean {
    const binding = this.context.resolver.bindingOf(object, unit, depth + 1);
    return binding.kind === 'value' && unwrap(binding.value.node).type === T.ObjectExpression;
  }

  private applyHelper(fn: Located<TSESTree.FunctionLike>, args: TSESTree.CallExpressionArgument[], unit: FileUnit, env: Env, depth: number): KeyValue {
    const inner: Env = new Map(env);
    const argValue = (index: number): KeyValue | undefined => {
      const arg = args[index];
      if (!arg) return undefined;
      return arg.type === T.SpreadElement ? unknownKey('a spread argument to a key helper') : this.evaluate(arg, unit, env, depth + 1);
    };
    fn.node.params.forEach((param, index) => {
      const target = param.type === T.TSParameterProperty ? param.parameter : param;
      if (target.type === T.Identifier) inner.set(target, argValue(index) ?? text('undefined'));
      else if (target.type === T.AssignmentPattern && target.left.type === T.Identifier) {
        inner.set(target.left, argValue(index) ?? this.evaluate(target.right, fn.unit, inner, depth + 1));
      } else if (target.type === T.RestElement && target.argument.type === T.Identifier) {
        const rest = args.slice(index).map((arg) => (arg.type === T.SpreadElement ? this.evaluate(arg.argument, unit, env, depth + 1) : this.evaluate(arg, unit, env, depth + 1)));
        inner.set(target.argument, { kind: 'array', items: rest.flatMap((item) => (item.kind === 'array' ? item.items : [item])) });
      } else if (target.type === T.ObjectPattern) {
        this.bindObjectPattern(target, args[index], unit, fn.unit, inner, env, depth);
      }
    });
    const results = returnedExpressions(fn.node).map((expr) => this.evaluate(expr, fn.unit, inner, depth + 1));
    if (results.length === 0) return unknownKey(`the key helper \`${functionName(fn.node)}\` returns nothing the analysis can read`);
    return choice(results);
  }

  /** `function key({ orgId, id })` called with `{ orgId: ctx.orgId, id }`. */
  private bindObjectPattern(pattern: TSESTree.ObjectPattern, arg: Node | undefined, unit: FileUnit, fnUnit: FileUnit, inner: Env, env: Env, depth: number): void {
    const object = arg ? unwrap(arg) : undefined;
    for (const property of pattern.properties) {
      if (property.type !== T.Property) continue;
      const value = property.value.type === T.AssignmentPattern ? property.value.left : property.value;
      if (value.type !== T.Identifier) continue;
      const key = propertyName(property);
      const source = object?.type === T.ObjectExpression
        ? object.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === key)
        : undefined;
      inner.set(value, source ? this.evaluate(source.value, unit, env, depth + 1) : leaf(value, fnUnit, [value.name], { kind: 'other' }, value.name));
    }
  }

  /**
   * A call the analysis cannot read. A tenant getter (`getTenantId()`) or a plain value
   * (`nanoid()`, `formData.get('id')` inside a template) is a runtime value. Something that may
   * add the tenant or a prefix (`withOrg(key)`, `keyPrefix()`), or that builds the whole key from
   * literal pieces (`buildKey('user', id)`), makes the key not analysable.
   */
  private opaque(node: TSESTree.CallExpression, callee: Node, unit: FileUnit, depth = 0): KeyValue {
    const name = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? (memberName(callee) ?? '') : '';
    const random = this.randomSource(callee, unit, depth);
    if (random) return leaf(node, unit, [`${textOf(unit, callee).replace(/\s+/g, '')}()`], { kind: 'random', source: random });
    const header = headerRead(node, callee);
    if (header) return leaf(node, unit, [`${textOf(unit, callee).replace(/\s+/g, '')}()`], { kind: 'header', name: header });
    const calleeText = textOf(unit, callee).replace(/\s+/g, '');
    const buildsText = node.arguments.some((arg) => {
      const value = unwrap(arg);
      return (value.type === T.Literal && typeof value.value === 'string') || value.type === T.TemplateLiteral;
    });
    if (KEY_BUILDER.test(name) || (buildsText && this.partDepth === 0) || (mentionsTenantWord(name) && !/id$|slug$/i.test(name))) {
      return unknownKey(`the key is built by \`${calleeText}()\`, which the analysis cannot follow`);
    }
    return leaf(node, unit, [`${calleeText}()`], { kind: 'call', callee: name });
  }

  private querySite(call: TSESTree.CallExpression | TSESTree.TaggedTemplateExpression, unit: FileUnit): QuerySite | undefined {
    if (this.context.schema.tables.size === 0) return undefined;
    return recognizeAnyQuery(call, unit === this.context.unit ? this.context : { ...this.context, unit });
  }
}

/** `headers.get('host')`, `req.header('authorization')`: the name of the header a call reads, lower case. */
function headerRead(node: TSESTree.CallExpression, callee: Node): string | undefined {
  if (callee.type !== T.MemberExpression) return undefined;
  const method = memberName(callee);
  const arg = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
  if (!method || !HEADER_GETTERS.has(method) || node.arguments.length !== 1) return undefined;
  if (arg?.type !== T.Literal || typeof arg.value !== 'string') return undefined;
  const object = unwrap(callee.object);
  const receiver = object.type === T.MemberExpression ? (memberName(object) ?? '') : object.type === T.Identifier ? object.name : '';
  // `req.get('host')` (Express), `headers.get('host')`, `(await headers()).get('host')` (Next.js):
  // a `get` on something else (a Map) is not a header read.
  const headerish = /header|^req$|^request$/i.test(receiver) || object.type === T.CallExpression || object.type === T.AwaitExpression;
  if (method === 'get' && !headerish) return undefined;
  const header = arg.value.toLowerCase();
  return /^[a-z0-9-]+$/.test(header) ? header : undefined;
}

function isGlobal(identifier: TSESTree.Identifier, unit: FileUnit): boolean {
  const variable = variableOf(unit.scopeManager, identifier);
  return !variable || variable.defs.length === 0;
}

function functionName(node: Node | undefined): string {
  if (!node) return 'its function';
  if ((node.type === T.FunctionDeclaration || node.type === T.FunctionExpression) && node.id) return node.id.name;
  const parent = node.parent;
  if (parent?.type === T.VariableDeclarator && parent.id.type === T.Identifier) return parent.id.name;
  if ((parent?.type === T.MethodDefinition || parent?.type === T.Property || parent?.type === T.PropertyDefinition) && !parent.computed) {
    return staticName(parent.key) ?? 'its function';
  }
  const outer = enclosingFunction(node);
  return outer ? functionName(outer) : 'its function';
}

function methodOf(cls: TSESTree.ClassDeclaration | TSESTree.ClassExpression, name: string, isStatic: boolean): TSESTree.FunctionLike | undefined {
  for (const member of cls.body.body) {
    if ((member.type !== T.MethodDefinition && member.type !== T.PropertyDefinition) || member.static !== isStatic) continue;
    if (member.type === T.MethodDefinition && propertyName(member) === name && member.kind === 'method') return member.value;
    if (member.type === T.PropertyDefinition && propertyName(member) === name && member.value) {
      const value = unwrap(member.value);
      if (value.type === T.ArrowFunctionExpression || value.type === T.FunctionExpression) return value;
    }
  }
  return undefined;
}

/** `CacheKeys.Plans` of `enum CacheKeys { Plans = 'plans:all' }` in the same file. */
function enumMember(object: TSESTree.Identifier, name: string, unit: FileUnit): string | undefined {
  const variable = variableOf(unit.scopeManager, object);
  const def = variable?.defs.find((d) => d.type === 'TSEnumName');
  if (!def || def.node.type !== T.TSEnumDeclaration) return undefined;
  for (const member of def.node.body.members) {
    if (staticName(member.id) !== name) continue;
    const init = member.initializer ? unwrap(member.initializer) : undefined;
    if (init?.type === T.Literal && (typeof init.value === 'string' || typeof init.value === 'number')) return String(init.value);
  }
  return undefined;
}

/** `req.user.orgId` -> ['req', 'user', 'orgId']; `this.tenant.id` -> ['this', 'tenant', 'id']. */
export function memberPath(node: Node, unit: FileUnit): string[] {
  const current = unwrap(node);
  if (current.type === T.Identifier) return [current.name];
  if (current.type === T.ThisExpression) return ['this'];
  if (current.type === T.MemberExpression) return [...memberPath(current.object, unit), memberName(current) ?? '[]'];
  if (current.type === T.CallExpression) return [`${textOf(unit, current.callee).replace(/\s+/g, '')}()`];
  return [textOf(unit, current)];
}

function rootIdentifier(node: TSESTree.MemberExpression): TSESTree.Identifier | undefined {
  let current: Node = node;
  while (current.type === T.MemberExpression) current = unwrap(current.object);
  return current.type === T.Identifier ? current : undefined;
}
