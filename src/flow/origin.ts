/**
 * The value-provenance engine: "what is this expression?", asked by every recognizer.
 *
 * An expression's origins are the library values it may hold, each written as the package export
 * it starts from and the steps applied to it (`new PrismaClient()` is `PrismaClient` + new;
 * `db.transaction(async (tx) => ...)`'s `tx` is `drizzle` + call + `.transaction` + parameter 0).
 * The engine follows, across files, within one budget per question and with one memo per node:
 * consts and `let`s with every value assigned to them, destructuring, imports, re-exports and
 * workspace packages (through the Resolver), calls of project functions through what they return
 * (memoised forms such as `cached ??= drizzle()` included), wrappers that take a callback
 * (`singleton('db', () => new PrismaClient())`), class fields, constructor injection, getters and
 * methods of project classes, `globalThis.x` singletons, object members, and parameters through
 * their type annotations (aliases, intersections, `typeof db`, destructured `{ db }: { db: Database }`).
 *
 * Library knowledge is not here: a model says which origins are its client (`matchesLibrary`).
 */
import type { TSESTree } from '@typescript-eslint/types';
import type { Variable } from '@typescript-eslint/scope-manager';
import { memberName, propertyName, proxyTarget, T, textOf, thisAssignments, unwrap, variableOf, walk, type FileUnit, type Node } from '../core/ast.js';
import { returnedExpressions, type Resolver, type ServiceForm, type ServiceTag } from '../core/resolve.js';
import { implementationsIn } from './implementations.js';
import { factoryResult } from './generic-factories.js';

export type Step =
  | { kind: 'get'; name: string }
  | { kind: 'call' }
  | { kind: 'new' }
  /** The `index`th parameter of a callback passed to the value (`tx` of `db.transaction(cb)`). */
  | { kind: 'param'; index: number };

/** A value that comes from a package export. `typed`: known only from a type annotation. */
export interface LibOrigin {
  kind: 'lib';
  source: string;
  name: string;
  steps: Step[];
  typed: boolean;
  /** How it was traced, for the evidence: `db()` returns `drizzle(...)`. */
  trail: string[];
  /**
   * The outermost call of a project function that gave this value (`createAdminClient()`), where a
   * reader that knows more of the library (which key a client carries) can start from.
   */
  via?: { node: TSESTree.CallExpression; unit: FileUnit };
  /** The type arguments of the package type it was declared with (`Repository<Invoice>`: `Invoice`), where they were written. */
  typeArguments?: { params: TSESTree.TypeNode[]; unit: FileUnit };
}

export type Origin =
  | LibOrigin
  | {
      kind: 'function';
      fn: TSESTree.FunctionLike;
      unit: FileUnit;
      /**
       * A function made by a call of the project function that encloses it (`repoFactory(FlowEntity)`
       * returning `() => db.getRepository(entity)`): that call's arguments are what its free
       * references to the outer parameters hold.
       */
      closure?: Closure;
    }
  | { kind: 'class'; cls: TSESTree.ClassDeclaration | TSESTree.ClassExpression; unit: FileUnit }
  | { kind: 'instance'; cls: TSESTree.ClassDeclaration | TSESTree.ClassExpression; unit: FileUnit }
  | { kind: 'object'; node: TSESTree.ObjectExpression; unit: FileUnit }
  | { kind: 'module'; unit: FileUnit }
  | { kind: 'literal' }
  /** `parameter`: the value is this parameter of a project function, which a call site can bind to its argument. */
  | {
      kind: 'unknown';
      reason: string;
      file: string;
      line: number;
      parameter?: { fn: TSESTree.FunctionLike; index: number };
      /** The trace stopped at a service tag no layer of the project was found to provide (`yield* SqlClient`). */
      service?: boolean;
    };

/** The call that made a closure: `fn` (the enclosing function) called with `args` in `unit`. */
export interface Closure {
  fn: TSESTree.FunctionLike;
  args: readonly TSESTree.CallExpressionArgument[];
  unit: FileUnit;
}

const MAX_DEPTH = 14;
/** Origins kept per expression: a union wider than this is not a client worth knowing. */
const MAX_ORIGINS = 8;
/** Object values kept beside them: the result objects of a helper's every return. */
const MAX_OBJECTS = 16;

interface Walk {
  resolver: Resolver;
  depth: number;
  /** Nodes on the current path: a cycle (`a = b; b = a`) ends in unknown, not a stack overflow. */
  active: Set<Node>;
  callers?: CallerLookup;
  /** Call sites still to be read for this question (the call graph's answers are bounded). */
  sites: number;
  services?: ServiceLookup;
}

/**
 * The calls that are handed a service tag as an argument (`Layer.effect(SqlClient, make)`), found
 * project-wide by the call graph (src/flow/callers.ts), outside tests: where its value may be provided.
 */
export type ServiceLookup = (tag: ServiceTag) => readonly { call: TSESTree.CallExpression; unit: FileUnit }[];

/**
 * The service lookups of a scan or an editor session, by resolver and search root: registered by the
 * analysis driver, so that every question about a value (a recognizer's, the census's, a policy's)
 * sees the same layers.
 */
const serviceLookups = new WeakMap<Resolver, { root: string; lookup: ServiceLookup }[]>();

export function registerServiceLookup(resolver: Resolver, root: string, make: () => ServiceLookup): void {
  let list = serviceLookups.get(resolver);
  if (!list) serviceLookups.set(resolver, (list = []));
  if (!list.some((entry) => entry.root === root)) list.push({ root, lookup: make() });
}

function serviceLookupFor(resolver: Resolver, file: string): ServiceLookup | undefined {
  const list = serviceLookups.get(resolver);
  if (!list) return undefined;
  let best: { root: string; lookup: ServiceLookup } | undefined;
  for (const entry of list) if (isUnder(file, entry.root) && (!best || entry.root.length > best.root.length)) best = entry;
  return best?.lookup;
}

function isUnder(file: string, root: string): boolean {
  return file === root || file.startsWith(root.endsWith('/') || root.endsWith('\\') ? root : `${root}/`) || file.startsWith(`${root}\\`);
}

/**
 * The call sites of a project function, when all of them are known (it is never handed on as a
 * value, nor called where the receiver cannot be resolved); undefined otherwise. A parameter of
 * unknown type is then what every call site passes (src/flow/callers.ts answers).
 */
export type CallerLookup = (fn: TSESTree.FunctionLike, unit: FileUnit) => readonly { call: TSESTree.CallExpression; unit: FileUnit }[] | undefined;

export interface FlowOptions {
  callers?: CallerLookup;
}

/** Call sites read per question, across every parameter it binds through the call graph. */
const MAX_CALL_SITES = 12;

const memo = new WeakMap<Resolver, { plain: WeakMap<Node, Origin[]>; callers: WeakMap<Node, Origin[]> }>();

/** Every origin `expression` may have. Never throws; what cannot be followed is an `unknown` origin with the reason. */
export function originsOf(expression: Node, unit: FileUnit, resolver: Resolver, options: FlowOptions = {}): Origin[] {
  const services = serviceLookupFor(resolver, unit.file);
  return describe(expression, unit, { resolver, depth: 0, active: new Set(), sites: MAX_CALL_SITES, ...(options.callers ? { callers: options.callers } : {}), ...(services ? { services } : {}) });
}

/** The library origins of `expression` that `accept` recognises, or why none was found. */
export function libraryOrigin(
  expression: Node,
  unit: FileUnit,
  resolver: Resolver,
  accept: (origin: LibOrigin) => boolean,
  options: FlowOptions = {},
): { found: LibOrigin } | { found?: undefined; unknown?: Extract<Origin, { kind: 'unknown' }> } {
  const origins = originsOf(expression, unit, resolver, options);
  const found = origins.find((o): o is LibOrigin => o.kind === 'lib' && accept(o));
  if (found) return { found };
  return { unknown: origins.find((o): o is Extract<Origin, { kind: 'unknown' }> => o.kind === 'unknown') };
}

function unknown(reason: string, unit: FileUnit, node: Node): Origin {
  return { kind: 'unknown', reason, file: unit.file, line: node.loc.start.line };
}

function describe(expression: Node, unit: FileUnit, w: Walk): Origin[] {
  // `{} as PrismaClient` (a placeholder target of `new Proxy(...)` that forwards to the real client,
  // comp's `db`), `x as unknown as Db`: when the value itself reaches no library, the type it is
  // asserted to says what the code uses it as.
  if (expression.type === T.TSAsExpression || expression.type === T.TSTypeAssertion) {
    const inner = describe(expression.expression, unit, w);
    if (inner.some((o) => o.kind === 'lib')) return inner;
    const asserted = typeOrigins(expression.typeAnnotation, unit, w).filter((o): o is LibOrigin => o.kind === 'lib');
    return asserted.length ? asserted.map((o) => ({ ...o, trail: [...o.trail, `asserted as \`${textOf(unit, expression.typeAnnotation)}\``] })) : inner;
  }
  const node = unwrap(expression);
  let memos = memo.get(w.resolver);
  if (!memos) memo.set(w.resolver, (memos = { plain: new WeakMap(), callers: new WeakMap() }));
  const byNode = w.callers ? memos.callers : memos.plain;
  const cached = byNode.get(node);
  if (cached) return cached;
  if (w.depth > MAX_DEPTH) return [unknown('the value is traced too deep', unit, node)];
  if (w.active.has(node)) return [unknown('the value is defined in terms of itself', unit, node)];
  w.active.add(node);
  w.depth++;
  let result: Origin[];
  try {
    result = dedupe(describeNode(node, unit, w));
  } catch {
    result = [unknown('the value could not be followed', unit, node)];
  } finally {
    w.depth--;
    w.active.delete(node);
  }
  // Only answers found at the top of a question are complete; deeper ones may be cut by the budget.
  if (w.depth === 0 || !result.some((o) => o.kind === 'unknown')) byNode.set(node, result);
  return result;
}

function dedupe(origins: Origin[]): Origin[] {
  const seen = new Set<string>();
  const out: Origin[] = [];
  for (const o of origins) {
    const key = o.kind === 'lib' ? `lib:${o.source}:${o.name}:${JSON.stringify(o.steps)}:${o.typed}` : o.kind === 'unknown' ? `u:${o.reason}` : undefined;
    if (key && seen.has(key)) continue;
    if (key) seen.add(key);
    out.push(o);
  }
  if (out.length <= MAX_ORIGINS) return out;
  // A wider union: library values first, then project objects, which a helper returning many
  // `{ error }` objects and one `{ sbAdmin, ... }` has more of (their members are read after narrowing).
  const libs = out.filter((o) => o.kind === 'lib').slice(0, MAX_ORIGINS);
  const objects = out.filter((o) => o.kind === 'object').slice(0, MAX_OBJECTS);
  const rest = out.filter((o) => o.kind !== 'lib' && o.kind !== 'object');
  return [...libs, ...objects, ...rest].slice(0, MAX_ORIGINS + MAX_OBJECTS);
}

function describeNode(node: Node, unit: FileUnit, w: Walk): Origin[] {
  switch (node.type) {
    case T.Identifier:
      return identifier(node, unit, w);
    case T.CallExpression:
      return call(node, unit, w);
    case T.NewExpression:
      return construct(node, unit, w);
    case T.MemberExpression:
      return member(node, unit, w);
    case T.ThisExpression:
      return thisOrigins(node, unit, w);
    case T.Super:
      return superOrigins(node, unit, w);
    case T.LogicalExpression:
      return [...describe(node.left, unit, w), ...describe(node.right, unit, w)].filter((o) => o.kind !== 'literal');
    case T.ConditionalExpression:
      return [...describe(node.consequent, unit, w), ...describe(node.alternate, unit, w)].filter((o) => o.kind !== 'literal');
    case T.AssignmentExpression:
      return describe(node.right, unit, w);
    case T.SequenceExpression:
      return node.expressions.length ? describe(node.expressions[node.expressions.length - 1], unit, w) : [];
    case T.ObjectExpression:
      return [{ kind: 'object', node, unit }];
    case T.FunctionExpression:
    case T.ArrowFunctionExpression:
      return [{ kind: 'function', fn: node, unit }];
    case T.ClassExpression:
      return [{ kind: 'class', cls: node, unit }];
    case T.ImportExpression:
      return dynamicImport(node, unit, w);
    case T.YieldExpression:
      return yielded(node, unit, w);
    case T.Literal:
    case T.TemplateLiteral:
    case T.ArrayExpression:
    case T.BinaryExpression:
    case T.UnaryExpression:
      return [{ kind: 'literal' }];
    default:
      return [unknown(`cannot follow a ${node.type}`, unit, node)];
  }
}

function withStep(origins: Origin[], step: Step, trail: string | undefined, unit: FileUnit, node: Node, w: Walk): Origin[] {
  const out: Origin[] = [];
  // Objects of a union that lack the member (`{ error }` beside `{ sbAdmin, boardId }`): the code
  // read the member after narrowing to the others, so they count only when no object has it.
  const lacking: Origin[] = [];
  for (const o of origins) {
    if (o.kind === 'lib') out.push({ ...o, steps: [...o.steps, step], trail: trail ? [...o.trail, trail] : o.trail });
    else if (o.kind === 'unknown') out.push(o);
    else if (step.kind === 'get') {
      const found = getMember(o, step.name, unit, node, w);
      if (o.kind === 'object' && found.length === 1 && found[0]?.kind === 'unknown' && found[0].reason.includes(`has no member \`${step.name}\``)) lacking.push(...found);
      else out.push(...found);
    }
  }
  return out.some((o) => o.kind !== 'unknown') ? out : [...out, ...lacking];
}

/** `require('pg')` (CommonJS scripts and migrations), the global `require` of a literal: what `import * as` gives. */
function requireOf(node: TSESTree.CallExpression, callee: Node, unit: FileUnit, w: Walk): Origin[] | undefined {
  if (callee.type !== T.Identifier || callee.name !== 'require' || node.arguments.length !== 1 || declaredIn(callee, unit)) return undefined;
  const arg = unwrap(node.arguments[0]!);
  if (arg.type !== T.Literal || typeof arg.value !== 'string') return undefined;
  const file = w.resolver.modules.resolve(unit.file, arg.value);
  const target = file ? w.resolver.modules.unit(file) : null;
  if (target) return [{ kind: 'module', unit: target }];
  return [{ kind: 'lib', source: arg.value, name: '*', steps: [], typed: false, trail: [] }];
}

/** `await import('./db')` with a literal specifier: the module, as `import * as m from './db'` gives it. */
function dynamicImport(node: TSESTree.ImportExpression, unit: FileUnit, w: Walk): Origin[] {
  const source = unwrap(node.source);
  const specifier = source.type === T.Literal && typeof source.value === 'string' ? source.value : source.type === T.TemplateLiteral && source.expressions.length === 0 ? source.quasis[0]?.value.cooked : undefined;
  if (specifier === undefined || specifier === null) return [unknown('a dynamic import of a computed specifier', unit, node)];
  const file = w.resolver.modules.resolve(unit.file, specifier);
  const target = file ? w.resolver.modules.unit(file) : null;
  if (target) return [{ kind: 'module', unit: target }];
  return [{ kind: 'lib', source: specifier, name: '*', steps: [], typed: false, trail: [] }];
}

// ---- identifiers ----

function identifier(node: TSESTree.Identifier, unit: FileUnit, w: Walk): Origin[] {
  if (node.name === 'undefined') return [{ kind: 'literal' }];
  const variable = variableOf(unit.scopeManager, node);
  if (!variable) return [unknown(`\`${node.name}\` is not declared in this file`, unit, node)];
  return variableOrigins(variable, unit, node, w);
}

function variableOrigins(variable: Variable, unit: FileUnit, at: Node, w: Walk): Origin[] {
  const def = variable.defs[0];
  if (!def) return [unknown(`\`${variable.name}\` is a global`, unit, at)];
  switch (def.type) {
    case 'Variable': {
      const declarator = def.node;
      const values: Origin[] = [];
      if (declarator.init) {
        values.push(...(declarator.id.type === T.Identifier ? describe(declarator.init, unit, w) : destructured(declarator.id, def.name, declarator.init, unit, w)));
      }
      // A `let` holds whatever is assigned to it anywhere: `cached ??= drizzle()`, `if (!x) x = new PrismaClient()`.
      for (const ref of variable.references) {
        if (!ref.isWrite() || ref.identifier === def.name) continue;
        const assignment = ref.identifier.parent;
        if (assignment?.type === T.AssignmentExpression && assignment.left === ref.identifier) values.push(...describe(assignment.right, unit, w));
      }
      const useful: Origin[] = values.filter((o) => o.kind !== 'literal');
      if (!useful.some((o) => o.kind === 'lib')) useful.push(...declaredType(declarator, unit, w));
      return useful.length ? useful : [unknown(`\`${variable.name}\` has no traceable value`, unit, at)];
    }
    case 'FunctionName':
      return [{ kind: 'function', fn: def.node, unit }];
    case 'ClassName':
      return [{ kind: 'class', cls: def.node, unit }];
    case 'Parameter': {
      const given = def.name.type === T.Identifier ? parameter(def.name, def.node, unit, w) : [unknown(`\`${variable.name}\` is a parameter pattern`, unit, at)];
      return [...given, ...reassigned(variable, unit, w)];
    }
    case 'ImportBinding':
      return imported(variable, unit, at, w);
    default:
      return [unknown(`\`${variable.name}\` is a ${def.type}`, unit, at)];
  }
}

/**
 * What a parameter is given besides its argument: its default (`pg: Querier = pgPool`) and what
 * its function's body assigns to it (`querier = querier || pool`); the library values only.
 */
function reassigned(variable: Variable, unit: FileUnit, w: Walk): Origin[] {
  const out: Origin[] = [];
  const name = variable.defs[0]?.name;
  const pattern = name?.parent;
  if (pattern?.type === T.AssignmentPattern && pattern.left === name) out.push(...describe(pattern.right, unit, w).filter((o) => o.kind === 'lib'));
  for (const ref of variable.references) {
    if (!ref.isWrite()) continue;
    const assignment = ref.identifier.parent;
    if (assignment?.type === T.AssignmentExpression && assignment.left === ref.identifier) out.push(...describe(assignment.right, unit, w).filter((o) => o.kind === 'lib'));
  }
  return out;
}

/** `const pool: pg.Pool = make()`: the library type a variable declares, when its values do not say. */
function declaredType(declarator: TSESTree.VariableDeclarator, unit: FileUnit, w: Walk): Origin[] {
  const annotation = declarator.id.type === T.Identifier ? declarator.id.typeAnnotation?.typeAnnotation : undefined;
  return annotation ? typeOrigins(annotation, unit, w).filter((o) => o.kind === 'lib') : [];
}

/** `const { db } = ctx`, `const [a, b] = x`: the property path from the pattern to the name. */
function destructured(pattern: Node, name: TSESTree.Identifier, init: Node, unit: FileUnit, w: Walk): Origin[] {
  const path = pathTo(pattern, name);
  if (!path) return [unknown(`\`${name.name}\` is destructured in a way that is not followed`, unit, name)];
  let origins = describe(init, unit, w);
  for (const key of path) origins = withStep(origins, { kind: 'get', name: key }, `.${key}`, unit, name, w);
  return origins;
}

function pathTo(pattern: Node, name: TSESTree.Identifier): string[] | undefined {
  if (pattern === name) return [];
  if (pattern.type === T.AssignmentPattern) return pathTo(pattern.left, name);
  if (pattern.type === T.ObjectPattern) {
    for (const property of pattern.properties) {
      if (property.type !== T.Property) continue;
      const key = propertyName(property);
      const inner = key ? pathTo(property.value, name) : undefined;
      if (key && inner) return [key, ...inner];
    }
  }
  return undefined;
}

function imported(variable: Variable, unit: FileUnit, at: Node, w: Walk): Origin[] {
  const binding = w.resolver.bindingOfVariable(variable, unit, 0);
  switch (binding.kind) {
    case 'package':
      return [{ kind: 'lib', source: binding.source, name: binding.imported, steps: [], typed: false, trail: [] }];
    case 'value':
      return describe(binding.value.node, binding.value.unit, w);
    case 'function':
      return [{ kind: 'function', fn: binding.fn.node, unit: binding.fn.unit }];
    case 'class':
      return [{ kind: 'class', cls: binding.cls.node, unit: binding.cls.unit }];
    case 'parameter':
      return parameter(binding.param.node, binding.param.node, binding.param.unit, w);
    case 'namespace':
      return [{ kind: 'module', unit: binding.unit }];
    case 'unknown': {
      // `import * as schema from './schema'`: the module itself.
      const def = variable.defs[0];
      if (def?.type === 'ImportBinding' && def.node.type === T.ImportNamespaceSpecifier && def.parent.type === T.ImportDeclaration) {
        const file = w.resolver.modules.resolve(unit.file, def.parent.source.value);
        const target = file ? w.resolver.modules.unit(file) : null;
        if (target) return [{ kind: 'module', unit: target }];
        return [{ kind: 'lib', source: def.parent.source.value, name: '*', steps: [], typed: false, trail: [] }];
      }
      return [unknown(binding.reason, unit, at)];
    }
  }
}

// ---- parameters ----

function parameter(name: TSESTree.Identifier, declared: Node, unit: FileUnit, w: Walk): Origin[] {
  void declared;
  const fn = enclosingParamFunction(name);
  // Project values a type names (an object type, an interface, a class): their members may be
  // followed, but the parameter itself stays of unknown type (a `{ from(t): any }` stand-in is no client).
  const structured: Origin[] = [];
  // `sql.query((db) => ...)` with `sql` a service no layer was found for: where the trace stopped.
  let stop: Extract<Origin, { kind: 'unknown' }> | undefined;
  const keep = (origins: Origin[]) => structured.push(...origins.filter((o) => o.kind !== 'unknown' && o.kind !== 'literal'));
  // A type annotation on the name, or on the pattern that destructures it (`{ db }: { db: Database }`).
  const annotation = name.typeAnnotation?.typeAnnotation;
  if (annotation) {
    const typed = typeOrigins(annotation, unit, w);
    if (typed.some((o) => o.kind === 'lib')) return typed;
    keep(typed);
  }
  if (fn) {
    const top = fn.params.find((p) => containsNode(p, name));
    const topIndex = top ? fn.params.indexOf(top) : -1;
    const pattern = top?.type === T.TSParameterProperty ? top.parameter : top;
    const inner = pattern?.type === T.AssignmentPattern ? pattern.left : pattern;
    const path = inner ? pathTo(inner, name) : undefined;
    const along = (origins: Origin[]): Origin[] => {
      let out = origins;
      for (const key of path ?? []) out = withStep(out, { kind: 'get', name: key }, `.${key}`, unit, name, w);
      return out;
    };
    if (inner && inner !== name) {
      const patternType = 'typeAnnotation' in inner ? inner.typeAnnotation?.typeAnnotation : undefined;
      if (patternType && path) {
        const origins = along(typeOrigins(patternType, unit, w));
        if (origins.some((o) => o.kind === 'lib')) return origins;
        keep(origins);
      }
    }
    // An untyped parameter with a default says what it is: laudspeaker's `update(..., queryRunner =
    // this.dataSource.createQueryRunner())`, whose callers hand in a runner of their own or none.
    if (pattern?.type === T.AssignmentPattern && inner === name) {
      const defaulted = describe(pattern.right, unit, w);
      if (defaulted.some((o) => o.kind === 'lib')) return defaulted;
    }
    const host = fn.parent;
    const isCallback = host?.type === T.CallExpression && host.arguments.includes(fn as TSESTree.CallExpressionArgument);
    if (isCallback) {
      // A callback's parameter: `db.transaction(async (tx) => ...)` gives the library's value.
      const index = fn.params.findIndex((p) => p === name || containsNode(p, name));
      const callee = unwrap(host.callee);
      // A method the project wrote, even on a class that extends the client (teable's
      // `prismaService.$tx(async (prisma) => ...)`): what the method hands its callback, not a
      // library method of that name.
      const own = path && topIndex >= 0 && callee.type === T.MemberExpression ? ownMethodHands(host, fn, topIndex, name, unit, w) : undefined;
      if (own) return along(own);
      if (callee.type === T.MemberExpression && index >= 0) {
        const method = memberName(callee);
        if (method) {
          const receiver = describe(callee.object, unit, w);
          const libs = withStep(withStep(receiver, { kind: 'get', name: method }, undefined, unit, callee, w), { kind: 'param', index }, `the \`${name.name}\` of \`.${method}(...)\``, unit, name, w);
          if (libs.some((o) => o.kind === 'lib')) return libs;
          stop = receiver.find((o): o is Extract<Origin, { kind: 'unknown' }> => o.kind === 'unknown' && o.service === true);
        }
      }
      // A callback handed to a project function (`withSessionAuth(async (req, { supabase }) => ...)`):
      // what that function passes when it calls it, else the type it declares for it.
      if (path && topIndex >= 0) {
        const handed = handedToCallback(host, fn, topIndex, unit, w);
        const passed = known(along(handed.passed));
        if (passed) return passed;
        if (handed.declared) {
          const origins = along(typeOrigins(handed.declared.type, handed.declared.unit, w));
          if (origins.some((o) => o.kind === 'lib')) return origins;
          keep(origins);
        }
      }
    } else if (path && topIndex >= 0) {
      // No type says what it is: what every call site of the function passes, those of the call
      // graph when the question has it, else those of a function private to its file (capgo's
      // `loadPreviewChannelOwner(dbClient: PgQueryClient, ...)`, typed with a project interface).
      const bound = passedByCallers(fn, topIndex, unit, w);
      const passed = bound && known(along(bound));
      if (passed) return passed;
    }
  }
  const index = fn ? fn.params.indexOf(name as TSESTree.Parameter) : -1;
  const result = stop
    ? { ...stop, reason: `\`${name.name}\` is what \`${textOf(unit, (fn?.parent as TSESTree.CallExpression).callee)}(...)\` hands its callback, and ${stop.reason}` }
    : unknown(`\`${name.name}\` is a parameter of unknown type`, unit, name);
  return [...structured, index >= 0 && fn && result.kind === 'unknown' ? { ...result, parameter: { fn, index } } : result];
}

/**
 * The callback parameter `index` of `fn`, handed to a method of a project class (`host` is
 * `this.svc.$tx(fn)`): what the method passes where it calls it, else the type it declares for
 * it; a method that passes only plain values (`fn([])`) hands no client. Undefined when the
 * method is not the project's.
 */
function ownMethodHands(host: TSESTree.CallExpression, fn: TSESTree.FunctionLike, index: number, name: TSESTree.Identifier, unit: FileUnit, w: Walk): Origin[] | undefined {
  if (!describe(host.callee, unit, w).some((o) => o.kind === 'function')) return undefined;
  const handed = handedToCallback(host, fn, index, unit, w);
  const passed = known(handed.passed);
  if (passed) return passed;
  if (handed.declared) {
    const declared = typeOrigins(handed.declared.type, handed.declared.unit, w);
    if (declared.some((o) => o.kind === 'lib')) return declared;
  }
  if (handed.passed.length && handed.passed.every((o) => o.kind === 'literal')) return [{ kind: 'literal' }];
  const method = unwrap(host.callee).type === T.MemberExpression ? memberName(unwrap(host.callee) as TSESTree.MemberExpression) : undefined;
  const stop = handed.passed.find((o): o is Extract<Origin, { kind: 'unknown' }> => o.kind === 'unknown');
  return [unknown(`\`${name.name}\` is what the project's \`${method ?? 'method'}\` hands its callback${stop ? `, and there ${stop.reason}` : ''}`, unit, name)];
}

/** Values every one of which is followed (a client, a project object): none unknown, not only literals. */
function known(origins: Origin[]): Origin[] | undefined {
  const useful = origins.filter((o) => o.kind !== 'literal');
  return useful.length && !useful.some((o) => o.kind === 'unknown') ? useful : undefined;
}

/**
 * What a project function does with the callback `fn` it is handed as argument of `host`: the
 * values it passes as parameter `index` where it calls it (`handler(request, { supabase, user })`),
 * and the type its own parameter declares for it (`handler: (req, ctx: SessionAuthContext) => ...`).
 */
function handedToCallback(host: TSESTree.CallExpression, fn: TSESTree.FunctionLike, index: number, unit: FileUnit, w: Walk): { passed: Origin[]; declared?: { type: TSESTree.TypeNode; unit: FileUnit } } {
  const argIndex = host.arguments.indexOf(fn as TSESTree.CallExpressionArgument);
  const passed: Origin[] = [];
  let declared: { type: TSESTree.TypeNode; unit: FileUnit } | undefined;
  for (const target of describe(host.callee, unit, w)) {
    if (target.kind !== 'function') continue;
    const param = target.fn.params[argIndex];
    const id = param?.type === T.AssignmentPattern ? param.left : param;
    if (id?.type !== T.Identifier) continue;
    const type = id.typeAnnotation?.typeAnnotation;
    const signature = type?.type === T.TSFunctionType ? type.params[index] : undefined;
    const paramType = signature && 'typeAnnotation' in signature ? signature.typeAnnotation?.typeAnnotation : undefined;
    // Several implementations (a live layer's `query` and a stand-in's, typed `unknown`): the one whose type names a library value.
    if (paramType && (!declared || (!typeOrigins(declared.type, declared.unit, w).some((o) => o.kind === 'lib') && typeOrigins(paramType, target.unit, w).some((o) => o.kind === 'lib')))) declared = { type: paramType, unit: target.unit };
    const variable = variableOf(target.unit.scopeManager, id);
    for (const ref of variable?.references ?? []) {
      const call = ref.identifier.parent;
      if (call?.type !== T.CallExpression || call.callee !== ref.identifier) continue;
      const arg = call.arguments[index];
      passed.push(...(arg && arg.type !== T.SpreadElement ? describe(arg, target.unit, w) : [unknown(`\`${id.name}\` is called without that argument`, target.unit, call)]));
    }
  }
  return declared ? { passed, declared } : { passed };
}

/** Parameter `index` of `fn` as every call site passes it, or undefined when the call sites are not all known (or too many). */
function passedByCallers(fn: TSESTree.FunctionLike, index: number, unit: FileUnit, w: Walk): Origin[] | undefined {
  const sites = w.callers ? w.callers(fn, unit) : fileCallers(fn, unit);
  if (!sites?.length || sites.length > w.sites) return undefined;
  w.sites -= sites.length;
  const out: Origin[] = [];
  for (const site of sites) {
    const arg = site.call.arguments[index];
    if (!arg || arg.type === T.SpreadElement) return undefined;
    const where = `${site.unit.file.split('/').slice(-2).join('/')}:${site.call.loc.start.line}`;
    const origins = known(describe(arg, site.unit, w));
    if (!origins) return undefined;
    out.push(...origins.map((o) => (o.kind === 'lib' ? { ...o, trail: [...o.trail, `passed by the call at \`${where}\``] } : o)));
  }
  return out;
}

/**
 * The call sites of a function no other file can reach (declared in this file, not exported),
 * when every use of its name is a direct call: undefined when it is handed on, exported or named
 * through `export { f }`.
 */
function fileCallers(fn: TSESTree.FunctionLike, unit: FileUnit): { call: TSESTree.CallExpression; unit: FileUnit }[] | undefined {
  const declarator = fn.parent?.type === T.VariableDeclarator && fn.parent.init === fn ? fn.parent : undefined;
  const declared = fn.type === T.FunctionDeclaration ? fn : declarator;
  if (!declared) return undefined;
  const statement = declared.type === T.VariableDeclarator ? declared.parent?.parent : declared.parent;
  if (statement?.type === T.ExportNamedDeclaration || statement?.type === T.ExportDefaultDeclaration) return undefined;
  const variable = unit.scopeManager.getDeclaredVariables(declared).find((v) => v.defs.some((d) => d.name.type === T.Identifier));
  if (!variable || variable.defs.length !== 1) return undefined;
  const sites: { call: TSESTree.CallExpression; unit: FileUnit }[] = [];
  for (const ref of variable.references) {
    if (ref.identifier === variable.defs[0]?.name) continue;
    const call = ref.identifier.parent;
    if (call?.type !== T.CallExpression || call.callee !== ref.identifier) return undefined;
    sites.push({ call, unit });
  }
  return sites;
}

function enclosingParamFunction(name: Node): TSESTree.FunctionLike | undefined {
  let current: Node | undefined = name.parent;
  while (current) {
    if (current.type === T.FunctionDeclaration || current.type === T.FunctionExpression || current.type === T.ArrowFunctionExpression || current.type === T.TSEmptyBodyFunctionExpression) {
      return current as TSESTree.FunctionLike;
    }
    current = current.parent;
  }
  return undefined;
}

function containsNode(outer: Node, inner: Node): boolean {
  return outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];
}

// ---- types ----

/** What a type annotation says a value is: a package type (`NodePgDatabase`), through aliases, unions, intersections and `typeof`. */
export function typeOrigins(type: TSESTree.TypeNode, unit: FileUnit, w: Walk): Origin[] {
  if (w.depth > MAX_DEPTH) return [];
  w.depth++;
  try {
    switch (type.type) {
      case T.TSUnionType:
      case T.TSIntersectionType:
        return type.types.flatMap((t) => typeOrigins(t, unit, w));
      case T.TSTypeQuery:
        return type.exprName.type === T.Identifier ? describe(type.exprName, unit, w) : [];
      case T.TSTypeLiteral:
        return [{ kind: 'object', node: typeLiteralAsObject(type), unit }];
      case T.TSIndexedAccessType: {
        // `Context['supabase']`, `Awaited<ReturnType<typeof f>>['sbAdmin']`: the member's type.
        const index = type.indexType;
        const key = index.type === T.TSLiteralType && index.literal.type === T.Literal && typeof index.literal.value === 'string' ? index.literal.value : undefined;
        if (key === undefined) return [];
        return withStep(typeOrigins(type.objectType, unit, w), { kind: 'get', name: key }, `.${key}`, unit, type, w).filter((o) => o.kind !== 'unknown');
      }
      case T.TSTypeReference:
        return typeReference(type, unit, w);
      default:
        return [];
    }
  } finally {
    w.depth--;
  }
}

/**
 * A type literal or an interface read as an object of typed members, so that `.db` of
 * `{ db: Database }` finds `Database`; an interface's `extends` are searched for members it lacks.
 */
interface TypedMembers {
  members: TSESTree.TypeElement[];
  heritage: TSESTree.TSInterfaceHeritage[];
}
const typeLiteralObjects = new WeakMap<Node, TSESTree.ObjectExpression>();
function typeLiteralAsObject(type: TSESTree.TSTypeLiteral | TSESTree.TSInterfaceDeclaration): TSESTree.ObjectExpression {
  let object = typeLiteralObjects.get(type);
  if (!object) {
    object = { type: T.ObjectExpression, properties: [], range: type.range, loc: type.loc, parent: type } as unknown as TSESTree.ObjectExpression;
    const typed: TypedMembers = type.type === T.TSTypeLiteral ? { members: type.members, heritage: [] } : { members: type.body.body, heritage: type.extends };
    Reflect.set(object, 'typeLiteral', typed);
    typeLiteralObjects.set(type, object);
  }
  return object;
}

function typeReference(type: TSESTree.TSTypeReference, unit: FileUnit, w: Walk): Origin[] {
  const name = type.typeName;
  if (name.type === T.TSQualifiedName) {
    // `Prisma.TransactionClient`, `schema.Db`: the namespace's member.
    if (name.left.type !== T.Identifier) return [];
    const left = identifierAsType(name.left, unit, w);
    return left.flatMap((o) => (o.kind === 'lib' ? [{ ...o, steps: [...o.steps, { kind: 'get' as const, name: name.right.name }], typed: true }] : []));
  }
  if (name.type !== T.Identifier) return [];
  const generic = name.name;
  if (['Omit', 'Pick', 'Readonly', 'NonNullable', 'Partial', 'Required', 'Extract', 'Exclude'].includes(generic)) {
    const first = type.typeArguments?.params[0];
    return first ? typeOrigins(first, unit, w) : [];
  }
  if (generic === 'Awaited' || generic === 'ReturnType') {
    const first = type.typeArguments?.params[0];
    if (!first) return [];
    if (generic === 'ReturnType' && first.type === T.TSTypeQuery && first.exprName.type === T.Identifier) {
      return describe(first.exprName, unit, w).flatMap((o) => callOrigin(o, [], unit, first, w));
    }
    return typeOrigins(first, unit, w);
  }
  // A package type named directly is a typed value; an alias of `ReturnType<typeof db>` keeps the value's own origin.
  const typeArguments = type.typeArguments ? { typeArguments: { params: type.typeArguments.params, unit } } : {};
  return identifierAsType(name, unit, w).map((o) => (o.kind === 'lib' && o.steps.length === 0 ? { ...o, typed: true, ...typeArguments } : o));
}

/** A type name: a local alias or interface, or an import (followed through project files to a package). */
function identifierAsType(name: TSESTree.Identifier, unit: FileUnit, w: Walk): Origin[] {
  const variable = lookupType(name.name, unit);
  const def = variable?.defs[0];
  if (!def) return [];
  if (def.type === 'Type' && def.node.type === T.TSTypeAliasDeclaration) return typeOrigins(def.node.typeAnnotation, unit, w);
  if (def.type === 'Type' && def.node.type === T.TSInterfaceDeclaration) return queryClientStandIn(def.node, unit, w) ?? [{ kind: 'object', node: typeLiteralAsObject(def.node), unit }];
  if (def.type === 'ClassName') return [{ kind: 'instance', cls: def.node, unit }];
  if (def.type === 'ImportBinding' && def.parent.type === T.ImportDeclaration) {
    const imported = def.node.type === T.ImportSpecifier ? (def.node.imported.type === T.Identifier ? def.node.imported.name : def.node.imported.value) : def.node.type === T.ImportDefaultSpecifier ? 'default' : '*';
    return exportedType(def.parent.source.value, imported, unit, w, 0);
  }
  return [];
}

/** Drivers whose \`query(text, values)\` sends SQL: a project interface that says its \`query\` returns their result stands in for their client. */
const SQL_DRIVERS = /^(pg|pg-pool|mysql2|mysql2\/promise|mysql|@neondatabase\/serverless|@vercel\/postgres)$/;

/**
 * \`interface Querier { query(text: string, args?: any[]): Promise<pg.QueryResult> }\`: the project's
 * own name for "a pg pool or client" (retraced hands either as \`querier?: Querier\`). Its \`query\`
 * is declared to return the driver's result, so a value of this type is read as the driver's
 * client. An interface whose \`query\` returns a project type (\`{ rows: T[] }\`) says nothing of a
 * driver and stays a plain object type.
 */
function queryClientStandIn(declaration: TSESTree.TSInterfaceDeclaration, unit: FileUnit, w: Walk): Origin[] | undefined {
  for (const member of declaration.body.body) {
    const key = 'key' in member && member.key.type === T.Identifier ? member.key.name : undefined;
    if (key !== 'query') continue;
    const returned =
      member.type === T.TSMethodSignature
        ? member.returnType?.typeAnnotation
        : member.type === T.TSPropertySignature && member.typeAnnotation?.typeAnnotation.type === T.TSFunctionType
          ? member.typeAnnotation.typeAnnotation.returnType?.typeAnnotation
          : undefined;
    if (!returned) continue;
    const result = returned.type === T.TSTypeReference && returned.typeName.type === T.Identifier && returned.typeName.name === 'Promise' ? returned.typeArguments?.params[0] : returned;
    if (!result) continue;
    const driver = typeOrigins(result, unit, w).find((o): o is LibOrigin => o.kind === 'lib' && SQL_DRIVERS.test(o.source));
    if (driver) return [{ kind: 'lib', source: driver.source, name: 'default', steps: [], typed: true, trail: [`\`${declaration.id.name}\` declares \`query\` to return \`${driver.source}\`'s result`] }];
  }
  return undefined;
}

function lookupType(name: string, unit: FileUnit): Variable | undefined {
  const global = unit.scopeManager.globalScope;
  if (!global) return undefined;
  const found = global.set.get(name);
  if (found) return found;
  for (const scope of global.childScopes) {
    if (scope.type === 'module') {
      const inModule = scope.set.get(name);
      if (inModule) return inModule;
    }
  }
  return undefined;
}

/** `name` as a type exported by `source` seen from `unit`: a package type, or a project alias followed further. */
function exportedType(source: string, name: string, unit: FileUnit, w: Walk, hops: number): Origin[] {
  if (hops > 6) return [];
  const file = w.resolver.modules.resolve(unit.file, source);
  const target = file ? w.resolver.modules.unit(file) : null;
  if (!target) {
    if (source.startsWith('.') || source.startsWith('~/') || source.startsWith('@/')) return [];
    return [{ kind: 'lib', source, name, steps: [], typed: true, trail: [] }];
  }
  for (const statement of target.ast.body) {
    if (statement.type !== T.ExportNamedDeclaration) continue;
    const declaration = statement.declaration;
    if (declaration) {
      if (declaration.type === T.TSTypeAliasDeclaration && declaration.id.name === name) return typeOrigins(declaration.typeAnnotation, target, w);
      if (declaration.type === T.TSInterfaceDeclaration && declaration.id.name === name) return queryClientStandIn(declaration, target, w) ?? [{ kind: 'object', node: typeLiteralAsObject(declaration), unit: target }];
      if (declaration.type === T.ClassDeclaration && declaration.id?.name === name) return [{ kind: 'instance', cls: declaration, unit: target }];
      continue;
    }
    for (const spec of statement.specifiers) {
      const exported = spec.exported.type === T.Identifier ? spec.exported.name : spec.exported.value;
      if (exported !== name) continue;
      const local = spec.local.type === T.Identifier ? spec.local.name : spec.local.value;
      if (statement.source) return exportedType(statement.source.value, local, target, w, hops + 1);
      return identifierAsType({ type: T.Identifier, name: local } as TSESTree.Identifier, target, w);
    }
  }
  // `export *` of project modules first: a package re-exported beside them (`export * from
  // '@acme/common/types'` at the top of a package's index) is where `name` comes from only when no
  // project module exports it (`export * from '@prisma/client'` in a database package).
  const stars = target.ast.body.filter((st): st is TSESTree.ExportAllDeclaration => st.type === T.ExportAllDeclaration && !st.exported);
  const local = stars.filter((st) => w.resolver.modules.resolve(target.file, st.source.value));
  for (const statement of local) {
    const found = exportedType(statement.source.value, name, target, w, hops + 1);
    if (found.length) return found;
  }
  for (const statement of stars) {
    if (local.includes(statement)) continue;
    const found = exportedType(statement.source.value, name, target, w, hops + 1);
    if (found.length) return found;
  }
  return [];
}

// ---- effects and services ----

/** Layers read per tag: a tag provided in more places is a test seam, not one client. */
const MAX_PROVIDERS = 12;

/**
 * `yield* SqlClient` inside `Effect.gen(function* () { ... })`: the success value of the effect it
 * delegates to; for a service tag, what the project's layers provide for it (src/models/services.ts
 * lists the library's functions). A plain `yield` gives what the generator's runner sends back.
 */
function yielded(node: TSESTree.YieldExpression, unit: FileUnit, w: Walk): Origin[] {
  if (!node.delegate || !node.argument) return [unknown('a `yield` gives what the generator\'s runner sends back', unit, node)];
  let argument = unwrap(node.argument);
  // Effect 2's adapter: `function* (_) { const db = yield* _(Database) }`.
  const generator = enclosingParamFunction(node);
  const adapter = generator?.params[0];
  if (argument.type === T.CallExpression && argument.arguments.length === 1 && argument.arguments[0]?.type !== T.SpreadElement && adapter?.type === T.Identifier) {
    const callee = unwrap(argument.callee);
    if (callee.type === T.Identifier && callee.name === adapter.name && variableOf(unit.scopeManager, callee)?.defs[0]?.name === adapter) argument = unwrap(argument.arguments[0]!);
  }
  return effectSuccess(argument, unit, w);
}

/** What a value handed in `form` gives: itself, what a function returns, what an effect succeeds with. */
function successOf(value: Node, unit: FileUnit, w: Walk, form: ServiceForm | 'generator'): Origin[] {
  if (form === 'value') return describe(value, unit, w);
  if (form === 'effect') return effectSuccess(value, unit, w);
  const fn = describe(value, unit, w).filter((o): o is Extract<Origin, { kind: 'function' }> => o.kind === 'function');
  if (!fn.length) return [unknown(`\`${textOf(unit, value)}\` is not a function that can be followed`, unit, value)];
  // `Effect.gen(function* () { ...; return { query } })`: what the generator returns (`return yield* x` included).
  return fn.flatMap((f) => returnedExpressions(f.fn).flatMap((r) => describe(r, f.unit, w)));
}

/**
 * The value an effect succeeds with: a tag's provided service, an effect made from a value
 * (`Effect.succeed(v)`, `Effect.gen(...)`), a const holding one, or a project function returning one.
 */
function effectSuccess(expression: Node, unit: FileUnit, w: Walk): Origin[] {
  const node = unwrap(expression);
  if (w.depth > MAX_DEPTH) return [unknown('the value is traced too deep', unit, node)];
  if (w.active.has(node)) return [unknown('the effect is defined in terms of itself', unit, node)];
  w.active.add(node);
  w.depth++;
  try {
    const tag = w.resolver.serviceTag(node, unit);
    if (tag) return provided(tag, node, unit, w);
    if (node.type === T.CallExpression) {
      const made = w.resolver.effectOf(node, unit);
      if (made) return successOf(made.value, unit, w, made.form);
      const functions = describe(node.callee, unit, w).filter((o): o is Extract<Origin, { kind: 'function' }> => o.kind === 'function');
      if (functions.length) return functions.flatMap((f) => returnedExpressions(f.fn).flatMap((r) => effectSuccess(r, f.unit, w)));
    }
    if (node.type === T.Identifier) {
      const binding = w.resolver.bindingOf(node, unit);
      if (binding.kind === 'value') return effectSuccess(binding.value.node, binding.value.unit, w);
    }
    return [unknown(`what the effect \`${clipped(textOf(unit, node))}\` succeeds with is not followed`, unit, node)];
  } finally {
    w.depth--;
    w.active.delete(node);
  }
}

/**
 * The service a tag stands for: what its declaration builds (`Effect.Service`'s `effect`), and what
 * every layer of the project that provides it gives (`Layer.succeed(Tag, value)`,
 * `Layer.effect(Tag, make)`), found through the call graph.
 */
function provided(tag: ServiceTag, at: Node, unit: FileUnit, w: Walk): Origin[] {
  const out: Origin[] = [];
  if (tag.own) out.push(...successOf(tag.own.value, tag.unit, w, tag.own.form));
  const sites = w.services?.(tag) ?? [];
  for (const site of sites.slice(0, MAX_PROVIDERS)) {
    for (const provision of w.resolver.provisions(site.call, site.unit)) {
      const named = w.resolver.serviceTag(provision.tag, site.unit);
      if (!named || named.unit.file !== tag.unit.file || named.node.range[0] !== tag.node.range[0]) continue;
      const where = `${site.unit.file.split('/').slice(-2).join('/')}:${site.call.loc.start.line}`;
      out.push(...successOf(provision.value, site.unit, w, provision.form).map((o) => (o.kind === 'lib' ? { ...o, trail: [...o.trail, `provided for \`${tag.name}\` at \`${where}\``] } : o)));
    }
  }
  const useful = out.filter((o) => o.kind !== 'literal');
  if (useful.some((o) => o.kind !== 'unknown')) return useful.filter((o) => o.kind !== 'unknown');
  if (useful.length) return useful;
  return [{ ...unknown(`\`${textOf(unit, at)}\` is the service tag \`${tag.name}\`, and no layer of the project that provides it was found`, unit, at), service: true } as Origin];
}

function clipped(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}

// ---- calls and constructions ----

function call(node: TSESTree.CallExpression, unit: FileUnit, w: Walk): Origin[] {
  const callee = unwrap(node.callee);
  const required = requireOf(node, callee, unit, w);
  if (required) return required;
  // `SqlClient.of({ ... })`: a tag's method that hands back the service it is given.
  const same = w.resolver.tagIdentity(node, unit);
  if (same) return describe(same, unit, w);
  const cached = mapGet(node, callee, unit, w);
  if (cached) return cached;
  const origins = describe(callee, unit, w);
  const out: Origin[] = [];
  for (const o of origins) out.push(...callOrigin(o, node.arguments, unit, node, w));
  if (out.some((o) => o.kind !== 'unknown')) return out.filter((o) => o.kind !== 'unknown' || out.every((x) => x.kind === 'unknown'));
  // A wrapper we cannot see into that takes a factory: `singleton('prisma', () => new PrismaClient())`, `cache(() => ...)`.
  for (const arg of node.arguments) {
    const value = unwrap(arg);
    if (value.type !== T.ArrowFunctionExpression && value.type !== T.FunctionExpression) continue;
    const returned = returnedExpressions(value).flatMap((r) => describe(r, unit, w));
    const libs = returned.filter((o) => o.kind === 'lib').map((o) => (o.kind === 'lib' ? { ...o, trail: [...o.trail, `returned by the factory passed to \`${textOf(unit, callee)}()\``] } : o));
    if (libs.length) return libs;
  }
  return out.length ? out : [unknown(`the result of \`${textOf(unit, callee)}()\` cannot be followed`, unit, node)];
}

/**
 * `cache.get(key)` of a `Map` (or `WeakMap`) the file makes (`const appDBs = new Map()`): whatever is
 * put in it, by `cache.set(key, value)` on the same variable or as an initial entry
 * (`new Map([[k, v]])`). A value the analysis cannot follow beside one it can (the map re-inserting
 * what it just read) does not hide it. Undefined when `callee` is not such a read.
 */
function mapGet(node: TSESTree.CallExpression, callee: Node, unit: FileUnit, w: Walk): Origin[] | undefined {
  if (callee.type !== T.MemberExpression || memberName(callee) !== 'get' || node.arguments.length !== 1) return undefined;
  const object = unwrap(callee.object);
  const variable = object.type === T.Identifier ? variableOf(unit.scopeManager, object) : undefined;
  const def = variable?.defs[0];
  const init = def?.type === 'Variable' && def.node.id.type === T.Identifier && def.node.init ? unwrap(def.node.init) : undefined;
  if (!variable || init?.type !== T.NewExpression || init.callee.type !== T.Identifier || !MAPS.has(init.callee.name) || declaredIn(init.callee, unit)) return undefined;
  const values: Node[] = [];
  const entries = init.arguments[0] ? unwrap(init.arguments[0]) : undefined;
  if (entries?.type === T.ArrayExpression) {
    for (const entry of entries.elements) if (entry?.type === T.ArrayExpression && entry.elements[1] && entry.elements[1].type !== T.SpreadElement) values.push(entry.elements[1]);
  }
  for (const ref of variable.references) {
    const set = ref.identifier.parent;
    const write = set?.type === T.MemberExpression && set.object === ref.identifier && memberName(set) === 'set' && set.parent?.type === T.CallExpression && set.parent.callee === set ? set.parent : undefined;
    const value = write?.arguments[1];
    if (value && value.type !== T.SpreadElement) values.push(value);
  }
  const out = values.flatMap((value) => describe(value, unit, w)).filter((o) => o.kind !== 'literal');
  if (!out.length) return [unknown(`nothing that can be followed is put in the map \`${variable.name}\``, unit, node)];
  const known = out.filter((o) => o.kind !== 'unknown');
  return (known.length ? known : out).map((o) => (o.kind === 'lib' ? { ...o, trail: [...o.trail, `put in the map \`${variable.name}\``] } : o));
}

const MAPS = new Set(['Map', 'WeakMap']);

function callOrigin(o: Origin, args: TSESTree.CallExpressionArgument[], unit: FileUnit, node: Node, w: Walk): Origin[] {
  switch (o.kind) {
    case 'lib':
      return [{ ...o, steps: [...o.steps, { kind: 'call' }] }];
    case 'function': {
      // A parameter the function returns (`guarded(client)` returning `new Proxy(client, ...)`): this call's argument.
      const returned = returnedExpressions(o.fn).flatMap((r) => describe(r, o.unit, w)).flatMap((r) => {
        const arg = r.kind === 'unknown' && r.parameter?.fn === o.fn ? args[r.parameter.index] : undefined;
        return arg && arg.type !== T.SpreadElement ? describe(arg, unit, w) : [r];
      });
      const name = o.fn.type === T.FunctionDeclaration && o.fn.id ? o.fn.id.name : 'a function';
      const useful = returned.filter((r) => r.kind !== 'literal');
      const via = node.type === T.CallExpression ? { node, unit } : undefined;
      // `getSingleton<Pool>('pg', createPg)`: a body that does not say (a cache in `global[...]`) and a signature that does.
      if (!useful.some((r) => r.kind === 'lib')) {
        const made = factoryMade(o.fn, o.unit, name, args, unit, node, w);
        if (made) return made;
      }
      return useful.map((r) => {
        if (r.kind === 'lib') return { ...r, trail: [...r.trail, `returned by \`${name}()\``], ...(via ? { via } : {}) };
        // A function this call made (declared inside the called one): it closes over this call's arguments.
        if (r.kind === 'function' && !r.closure && r.fn !== o.fn && r.unit === o.unit && containsNode(o.fn, r.fn)) return { ...r, closure: { fn: o.fn, args, unit } };
        return r;
      });
    }
    case 'unknown':
      return [o];
    default:
      void args;
      return [unknown('the callee is not a function', unit, node)];
  }
}

/**
 * What a generic memoiser's call gives, by its signature (src/flow/generic-factories.ts): the
 * library values its factory argument returns, or the factory itself when the call gives a
 * function returning them (`Singleton<T>`). Undefined when the factory returns no library value.
 */
function factoryMade(fn: TSESTree.FunctionLike, fnUnit: FileUnit, name: string, args: TSESTree.CallExpressionArgument[], unit: FileUnit, node: Node, w: Walk): Origin[] | undefined {
  const signature = factoryResult(fn, fnUnit);
  const arg = signature ? args[signature.index] : undefined;
  if (!signature || !arg || arg.type === T.SpreadElement) return undefined;
  const factories = describe(arg, unit, w).filter((f): f is Extract<Origin, { kind: 'function' }> => f.kind === 'function');
  const trail = `returned by the factory \`${textOf(unit, arg).slice(0, 40)}\` passed to \`${name}()\``;
  const made = factories.flatMap((f) => callOrigin(f, [], unit, node, w)).filter((r): r is LibOrigin => r.kind === 'lib');
  if (!made.length) return undefined;
  if (signature.kind === 'callable') return factories;
  return made.map((r) => ({ ...r, trail: [...r.trail, trail] }));
}

function construct(node: TSESTree.NewExpression, unit: FileUnit, w: Walk): Origin[] {
  // `new Proxy(client, { get(...) { ... } })` (the global, not a project class of that name): it
  // stands for its target, with some members intercepted.
  const target = proxyTarget(node, unit);
  if (target) {
    return describe(target, unit, w).map((o) => (o.kind === 'lib' ? { ...o, trail: [...o.trail, '`new Proxy(...)` around it'] } : o));
  }
  const out: Origin[] = [];
  for (const o of describe(node.callee, unit, w)) {
    if (o.kind === 'lib') out.push({ ...o, steps: [...o.steps, { kind: 'new' }], trail: [...o.trail, `\`new ${textOf(unit, node.callee)}()\``] });
    else if (o.kind === 'class') out.push(...instanceOf(o.cls, o.unit, w));
    else if (o.kind === 'unknown') out.push(o);
  }
  return out;
}

/** Declared by the file (an import, a class, a const), not a global of the language such as `Proxy`. */
function declaredIn(identifier: TSESTree.Identifier, unit: FileUnit): boolean {
  return (variableOf(unit.scopeManager, identifier)?.defs.length ?? 0) > 0;
}

/** An instance of a project class, and the library value it is when it extends one (`class PrismaService extends PrismaClient`). */
function instanceOf(cls: TSESTree.ClassDeclaration | TSESTree.ClassExpression, unit: FileUnit, w: Walk): Origin[] {
  const out: Origin[] = [{ kind: 'instance', cls, unit }];
  if (cls.superClass) {
    for (const base of describe(cls.superClass, unit, w)) {
      if (base.kind === 'lib') out.push({ ...base, steps: [...base.steps, { kind: 'new' }], trail: [...base.trail, `a class that extends \`${textOf(unit, cls.superClass)}\``] });
      if (base.kind === 'class') out.push(...instanceOf(base.cls, base.unit, w).filter((o) => o.kind === 'lib'));
    }
  }
  return out;
}

/** `super.$transaction(...)` in a class that extends the client: the base class's instance. */
function superOrigins(node: TSESTree.Super, unit: FileUnit, w: Walk): Origin[] {
  let current: Node | undefined = node.parent;
  while (current && current.type !== T.ClassBody) current = current.parent;
  const cls = current?.parent;
  if ((cls?.type !== T.ClassDeclaration && cls?.type !== T.ClassExpression) || !cls.superClass) return [unknown('`super` outside a class that extends another', unit, node)];
  const out: Origin[] = [];
  for (const base of describe(cls.superClass, unit, w)) {
    if (base.kind === 'lib') out.push({ ...base, steps: [...base.steps, { kind: 'new' }], trail: [...base.trail, `\`super\` of a class that extends \`${textOf(unit, cls.superClass)}\``] });
    else if (base.kind === 'class') out.push(...instanceOf(base.cls, base.unit, w));
    else out.push(base);
  }
  return out;
}

function thisOrigins(node: TSESTree.ThisExpression, unit: FileUnit, w: Walk): Origin[] {
  let current: Node | undefined = node.parent;
  // `this` of a static method (`this.getSequelize(options)` in a static helper) is the class itself.
  let isStatic = false;
  let ownFunction = false;
  while (current && current.type !== T.ClassBody) {
    if (!ownFunction && (current.type === T.FunctionExpression || current.type === T.FunctionDeclaration)) {
      ownFunction = true;
      isStatic = current.parent?.type === T.MethodDefinition && current.parent.static;
    }
    if (!ownFunction && (current.type === T.StaticBlock || (current.type === T.PropertyDefinition && current.static))) {
      ownFunction = true;
      isStatic = true;
    }
    current = current.parent;
  }
  const cls = current?.parent;
  if (cls?.type !== T.ClassDeclaration && cls?.type !== T.ClassExpression) return [unknown('`this` outside a class', unit, node)];
  return isStatic ? [{ kind: 'class', cls, unit }] : instanceOf(cls, unit, w);
}

// ---- members ----

function member(node: TSESTree.MemberExpression, unit: FileUnit, w: Walk): Origin[] {
  const name = memberName(node);
  if (!name) return [unknown(`\`${textOf(unit, node)}\` is a computed member`, unit, node)];
  const object = describe(node.object, unit, w);
  const out = withStep(object, { kind: 'get', name }, undefined, unit, node, w);
  if (out.some((o) => o.kind !== 'unknown')) return out;
  // `globalThis.__db`, `globalForPrisma.prisma`: whatever this file assigns to the same member.
  const assigned = assignedInFile(node, unit, w);
  return assigned.length ? assigned : out;
}

function getMember(o: Origin, name: string, unit: FileUnit, at: Node, w: Walk): Origin[] {
  switch (o.kind) {
    case 'object': {
      const literal: TypedMembers | undefined = Reflect.get(o.node, 'typeLiteral');
      if (literal) {
        for (const m of literal.members) {
          const key = (m.type === T.TSPropertySignature || m.type === T.TSMethodSignature) && !m.computed ? (m.key.type === T.Identifier ? m.key.name : m.key.type === T.Literal ? String(m.key.value) : undefined) : undefined;
          if (key !== name) continue;
          const declared = m.type === T.TSPropertySignature && m.typeAnnotation ? m.typeAnnotation.typeAnnotation : undefined;
          const typed = declared ? typeOrigins(declared, o.unit, w) : [];
          if (typed.some((t) => t.kind === 'lib')) return typed;
          // A method the interface declares: what runs is an implementation of it (src/flow/implementations.ts).
          if (m.type === T.TSMethodSignature || declared?.type === T.TSFunctionType) {
            const implemented = implementedMethods(o.node.parent, o.unit, name, w);
            if (implemented.length) return implemented;
          }
          if (declared) return typed;
          return [unknown(`\`${name}\` is a method the type declares, and no implementation of it was found in the module that declares the type`, unit, at)];
        }
        // `interface Ctx extends Base`: a member of the base.
        for (const base of literal.heritage) {
          if (base.expression.type !== T.Identifier) continue;
          const found = identifierAsType(base.expression, o.unit, w).flatMap((b) => getMember(b, name, unit, at, w)).filter((b) => b.kind !== 'unknown');
          if (found.length) return found;
        }
        return [unknown(`the type has no member \`${name}\``, unit, at)];
      }
      // The last property of that name wins, or a spread after it that has the member
      // (`{ sequelize, ...models }`: `.Invoice` is the spread object's).
      for (const property of [...o.node.properties].reverse()) {
        if (property.type === T.Property && propertyName(property) === name) {
          if (property.value.type === T.AssignmentPattern) continue;
          return describe(property.value, o.unit, w);
        }
        if (property.type === T.SpreadElement) {
          const spread = describe(property.argument, o.unit, w).filter((s) => s.kind === 'object' || s.kind === 'lib').flatMap((s) => (s.kind === 'lib' ? [] : getMember(s, name, unit, at, w)));
          if (spread.some((s) => s.kind !== 'unknown')) return spread.filter((s) => s.kind !== 'unknown');
        }
      }
      const later = assignedLater(o.node, o.unit, name, w);
      if (later.length) return later;
      return [unknown(`the object has no member \`${name}\` that can be followed`, unit, at)];
    }
    case 'module': {
      const binding = w.resolver.exportBinding(o.unit, name, 0);
      if (binding.kind === 'value') return describe(binding.value.node, binding.value.unit, w);
      if (binding.kind === 'function') return [{ kind: 'function', fn: binding.fn.node, unit: binding.fn.unit }];
      if (binding.kind === 'class') return [{ kind: 'class', cls: binding.cls.node, unit: binding.cls.unit }];
      if (binding.kind === 'package') return [{ kind: 'lib', source: binding.source, name: binding.imported, steps: [], typed: false, trail: [] }];
      if (binding.kind === 'namespace') return [{ kind: 'module', unit: binding.unit }];
      return [unknown(`\`${name}\` is not followed in ${o.unit.file}`, unit, at)];
    }
    case 'instance':
      return classMember(o.cls, o.unit, name, unit, at, w);
    case 'class':
      return staticMember(o.cls, o.unit, name, unit, at, w);
    default:
      return [unknown(`\`.${name}\` of a ${o.kind} value`, unit, at)];
  }
}

/**
 * `SequelizeRepository.getSequelize` (crowd.dev): a static method of a project class is a function
 * like any other, a static field its initializer or declared type; inherited statics come from the
 * base classes.
 */
function staticMember(cls: TSESTree.ClassDeclaration | TSESTree.ClassExpression, unit: FileUnit, name: string, from: FileUnit, at: Node, w: Walk): Origin[] {
  const out: Origin[] = [];
  for (const m of cls.body.body) {
    if (!('static' in m) || !m.static) continue;
    if (m.type === T.MethodDefinition && propertyName(m) === name && m.kind === 'method') out.push({ kind: 'function', fn: m.value, unit });
    if (m.type === T.MethodDefinition && propertyName(m) === name && m.kind === 'get') out.push(...returnedExpressions(m.value).flatMap((r) => describe(r, unit, w)));
    if (m.type === T.PropertyDefinition && propertyName(m) === name) {
      if (m.value) out.push(...describe(m.value, unit, w));
      const type = m.typeAnnotation?.typeAnnotation;
      if (type && !out.some((o) => o.kind === 'lib')) out.push(...typeOrigins(type, unit, w));
    }
  }
  if (!out.length && cls.superClass) {
    for (const base of describe(cls.superClass, unit, w)) if (base.kind === 'class') out.push(...staticMember(base.cls, base.unit, name, from, at, w));
  }
  const useful = out.filter((o) => o.kind !== 'literal');
  return useful.length ? useful : [unknown(`static \`${name}\` is not followed`, from, at)];
}

/**
 * `qx.select` of `qx: QueryExecutor`: the methods of that name of the interface's implementations
 * in its own module (src/flow/implementations.ts), each as the function that runs.
 */
function implementedMethods(shape: Node | undefined, unit: FileUnit, name: string, w: Walk): Origin[] {
  if (shape?.type !== T.TSInterfaceDeclaration) return [];
  const out: Origin[] = [];
  for (const implementation of implementationsIn(unit, shape)) {
    const found = implementation.type === T.ObjectExpression ? getMember({ kind: 'object', node: implementation, unit }, name, unit, implementation, w) : classMember(implementation, unit, name, unit, implementation, w);
    for (const f of found) if (f.kind === 'function' && !out.some((o) => o.kind === 'function' && o.fn === f.fn)) out.push(f);
  }
  return out;
}

/** `this.db`: a field with its initializer or type, a constructor parameter property, `this.db = ...` anywhere in the class, a getter, a method. */
function classMember(cls: TSESTree.ClassDeclaration | TSESTree.ClassExpression, unit: FileUnit, name: string, from: FileUnit, at: Node, w: Walk): Origin[] {
  const out: Origin[] = [];
  const decorators: TSESTree.Decorator[] = [];
  for (const m of cls.body.body) {
    if (m.type === T.PropertyDefinition && propertyName(m) === name) {
      decorators.push(...m.decorators);
      if (m.value) out.push(...describe(m.value, unit, w));
      const type = m.typeAnnotation?.typeAnnotation;
      if (type) out.push(...typeOrigins(type, unit, w));
    }
    if (m.type === T.MethodDefinition && propertyName(m) === name) {
      if (m.kind === 'get') out.push(...returnedExpressions(m.value).flatMap((r) => describe(r, unit, w)));
      if (m.kind === 'method') out.push({ kind: 'function', fn: m.value, unit });
    }
    if (m.type === T.MethodDefinition && m.kind === 'constructor') {
      for (const param of m.value.params) {
        if (param.type !== T.TSParameterProperty) continue;
        const p = param.parameter.type === T.AssignmentPattern ? param.parameter.left : param.parameter;
        if (p.type !== T.Identifier || p.name !== name) continue;
        decorators.push(...param.decorators, ...p.decorators);
        const type = p.typeAnnotation?.typeAnnotation;
        if (type) out.push(...typeOrigins(type, unit, w));
      }
    }
  }
  if (!out.some((o) => o.kind === 'lib')) out.push(...injectedBy(decorators, unit, w));
  for (const value of thisAssignments(cls.body).get(name) ?? []) out.push(...describe(value, unit, w));
  if (cls.superClass && !out.some((o) => o.kind === 'lib')) {
    for (const base of describe(cls.superClass, unit, w)) {
      if (base.kind === 'class') out.push(...classMember(base.cls, base.unit, name, from, at, w));
      if (base.kind === 'lib') out.push({ ...base, steps: [...base.steps, { kind: 'new' }, { kind: 'get', name }], trail: base.trail });
    }
  }
  const useful = out.filter((o) => o.kind !== 'literal');
  return useful.length ? useful : [unknown(`\`this.${name}\` is not traced`, from, at)];
}

/**
 * A member a library's decorator fills in (NestJS `@InjectModel(Customer.name)` from
 * `@nestjs/mongoose`, `@InjectRepository(Invoice)`): with no type to go by, the value is that
 * decorator's library value, the decorator's call as its step, so that a reader of the library
 * (which model it injects) can start from it.
 */
function injectedBy(decorators: TSESTree.Decorator[], unit: FileUnit, w: Walk): Origin[] {
  const out: Origin[] = [];
  for (const decorator of decorators) {
    const call = decorator.expression;
    if (call.type !== T.CallExpression) continue;
    for (const origin of describe(call.callee, unit, w)) {
      if (origin.kind === 'lib') out.push({ ...origin, steps: [...origin.steps, { kind: 'call' }], trail: [...origin.trail, `injected by \`@${textOf(unit, call)}\``] });
    }
  }
  return out;
}

/**
 * `const database = {} as any; ...; database.sequelize = sequelize; return database` (Sequelize's
 * generated `models/index.js`, crowd.dev's `models()`): a member the object literal does not write
 * is what the code assigns to it through the variable it initialises.
 */
function assignedLater(object: TSESTree.ObjectExpression, unit: FileUnit, name: string, w: Walk): Origin[] {
  let holder: Node | undefined = object.parent;
  while (holder && (holder.type === T.TSAsExpression || holder.type === T.TSSatisfiesExpression || holder.type === T.TSNonNullExpression)) holder = holder.parent;
  if (holder?.type !== T.VariableDeclarator || holder.id.type !== T.Identifier || !holder.init || unwrap(holder.init) !== object) return [];
  const variable = unit.scopeManager.getDeclaredVariables(holder)[0];
  const out: Origin[] = [];
  for (const ref of variable?.references ?? []) {
    const target = ref.identifier.parent;
    if (target?.type !== T.MemberExpression || target.object !== ref.identifier || memberName(target) !== name) continue;
    const assignment = target.parent;
    if (assignment?.type === T.AssignmentExpression && assignment.operator === '=' && assignment.left === target) out.push(...describe(assignment.right, unit, w));
  }
  return out.filter((o) => o.kind !== 'literal' && o.kind !== 'unknown');
}

/** Values assigned in this file to a member with the same text (`globalForDb.conn = ...`). */
function assignedInFile(node: TSESTree.MemberExpression, unit: FileUnit, w: Walk): Origin[] {
  const text = textOf(unit, node).replace(/\s+/g, '');
  const out: Origin[] = [];
  for (const inner of memberAssignments(unit).get(text) ?? []) {
    if (inner.left !== node) out.push(...describe(inner.right, unit, w).filter((o) => o.kind !== 'unknown' && o.kind !== 'literal'));
  }
  return out;
}

/** Assignments to members in a file, by the member's text: one walk per file, not one per member read. */
const memberAssignmentsOf = new WeakMap<FileUnit, Map<string, TSESTree.AssignmentExpression[]>>();

function memberAssignments(unit: FileUnit): Map<string, TSESTree.AssignmentExpression[]> {
  let found = memberAssignmentsOf.get(unit);
  if (!found) {
    const map = new Map<string, TSESTree.AssignmentExpression[]>();
    walk(unit.ast, (inner) => {
      if (inner.type !== T.AssignmentExpression || inner.left.type !== T.MemberExpression) return;
      const key = textOf(unit, inner.left).replace(/\s+/g, '');
      const list = map.get(key);
      if (list) list.push(inner);
      else map.set(key, [inner]);
    });
    memberAssignmentsOf.set(unit, (found = map));
  }
  return found;
}
