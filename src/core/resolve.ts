import type { TSESTree } from '@typescript-eslint/types';
import type { Variable } from '@typescript-eslint/scope-manager';
import { childKeys, memberName, T, unwrap, variableOf, walk, type FileUnit, type Node } from './ast.js';

/**
 * What resolution needs of the project's module graph (src/project/modules.ts): where a specifier
 * leads from a file, and that file parsed.
 */
export interface Modules {
  resolve(fromFile: string, specifier: string): string | undefined;
  unit(file: string): FileUnit | null;
}

/** A node together with the file it lives in: resolution crosses files. */
export interface Located<N extends Node = Node> {
  node: N;
  unit: FileUnit;
}

/** What an identifier stands for, after following consts, imports and re-exports. */
export type Binding =
  | { kind: 'value'; value: Located } // const x = <value>; export default <value>
  | { kind: 'function'; fn: Located<TSESTree.FunctionLike> }
  | { kind: 'class'; cls: Located<TSESTree.ClassDeclaration | TSESTree.ClassExpression> }
  | { kind: 'parameter'; param: Located<TSESTree.Identifier>; fn: TSESTree.FunctionLike | undefined }
  /** Imported from a package (not a project file): `import { PrismaClient } from '@prisma/client'`. */
  | { kind: 'package'; source: string; imported: string }
  /**
   * A project module's namespace re-exported under a name: `export * as User from './User'` in a
   * package's index (Effect-TS domain packages), read as `User.UserId` by the importer.
   */
  | { kind: 'namespace'; unit: FileUnit }
  | { kind: 'unknown'; reason: string };

/**
 * A library function that returns a function behaving as the one it is handed, only remembering
 * its answers (react's `cache`, lodash's `memoize`): which of its arguments is that function.
 * Listed as data by the models (src/models/wrappers.ts).
 */
export interface SameBehaviourWrapper {
  source: string;
  imported: string;
  argument: number;
}

/**
 * A library function that makes a brand: a value (or a constructor) that returns what it is handed,
 * unchanged but for its type. `path` is the member chain from the package's export
 * (`['Schema', 'brand']` for `import { Schema } from 'effect'`, `['brand']` for `import * as Schema
 * from 'effect/Schema'`). `schema`: the factory is applied to a schema (`Schema.String.pipe(
 * Schema.brand('UserId'))`) whose `.make(x)` returns `x`; `constructor`: the factory's result is
 * itself the function (`const UserId = Brand.nominal<UserId>()`, then `UserId(x)`). Listed as data
 * by the models (src/models/wrappers.ts).
 */
export interface BrandFactory {
  source: string;
  path: readonly string[];
  form: 'schema' | 'constructor';
}

/**
 * How a service's value is handed to the library: as is (`Layer.succeed(Tag, value)`), as an effect
 * whose success is the value (`Layer.effect(Tag, Effect.gen(...))`), or as a function that returns
 * it (`Layer.sync(Tag, () => value)`).
 */
export type ServiceForm = 'value' | 'effect' | 'thunk';

/**
 * Dependency injection of an effect system, as data (Effect's `Context.Tag`, `Layer.succeed`,
 * `Effect.gen`), listed by the models (src/models/services.ts). A program asks for a service by its
 * tag (`const sql = yield* SqlClient`); a layer somewhere in the project provides the value for
 * that tag. `path` is the member chain from the package's export, as for BrandFactory.
 */
export interface ServiceModel {
  /**
   * Functions that declare a tag: `class SqlClient extends Context.Tag('SqlClient')<SqlClient, Shape>() {}`,
   * `const Db = Context.GenericTag<Shape>('Db')`. `own`: option keys by which the declaration builds
   * the service itself (`Effect.Service<Db>()('Db', { effect: Effect.gen(...) })`).
   */
  tags: readonly { source: string; path: readonly string[]; own?: Readonly<Record<string, ServiceForm>> }[];
  /** Functions that provide a tag's value: the tag is argument `tag`, the value argument `value`. */
  providers: readonly { source: string; path: readonly string[]; tag: number; value: number; form: ServiceForm }[];
  /**
   * Functions that make an effect whose success is a value they are handed: `Effect.succeed(v)`
   * (`value`), `Effect.sync(() => v)` (`thunk`), `Effect.gen(function* () { return v })` (`generator`,
   * its last argument).
   */
  effects: readonly { source: string; path: readonly string[]; form: ServiceForm | 'generator' }[];
  /** Methods of a tag that return the value they are handed (`SqlClient.of({ ... })`). */
  identities: readonly string[];
  /**
   * Functions that run their first effect, then the second only when the first succeeded
   * (`Effect.zipRight(policy, self)`): a policy combinator built on one checks before it runs.
   */
  sequences?: readonly { source: string; path: readonly string[] }[];
}

/** A tag's declaration (a class, or the call a const holds), with the name it is declared under. */
export interface ServiceTag {
  node: Node;
  unit: FileUnit;
  name: string;
  /** The service the declaration builds itself, when it does (Effect.Service's `effect`). */
  own?: { value: Node; form: ServiceForm };
}

/**
 * A library function (or class) that registers a handler a job runner calls, without a request: a
 * Trigger.dev `schemaTask({ id, run })` / `schedules.task(...)`, a BullMQ `new Worker(queue,
 * processor)`. `path` is the member chain from the package's export, as for a brand factory.
 * Listed as data by the models (src/models/wrappers.ts).
 */
export interface JobRegistrar {
  source: string;
  path: readonly string[];
}

const MAX_DEPTH = 12;

/** Modules read by one search of the `export *` graph. */
const MAX_STAR_MODULES = 2000;

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

export class Resolver<M extends Modules = Modules> {
  /** `export *` answers per module and name: a package index is asked for many names, by many files. */
  private readonly stars = new WeakMap<FileUnit, Map<string, Binding | undefined>>();

  constructor(
    readonly modules: M,
    private readonly wrappers: readonly SameBehaviourWrapper[] = [],
    private readonly brands: readonly BrandFactory[] = [],
    private readonly services: ServiceModel = { tags: [], providers: [], effects: [], identities: [] },
    private readonly jobs: readonly JobRegistrar[] = [],
  ) {}

  /**
   * The job runner a registration's callee is imported from (`schemaTask` from `@trigger.dev/sdk`,
   * `Worker` from `bullmq`), by the import, not by the name: a project function of the same name is
   * not one. Returns the package.
   */
  jobRegistrar(callee: Node, unit: FileUnit): string | undefined {
    if (this.jobs.length === 0) return undefined;
    const path = this.libraryPath(callee, unit);
    return path && this.jobs.find((j) => j.source === path.source && samePath(j.path, path.path))?.source;
  }

  /**
   * The service tag an expression names (`SqlClient`, `Shared.SqlClient`): a class whose `extends`
   * is a listed tag factory, or a const holding a call of one. Recognised by its declaration.
   */
  serviceTag(expression: Node, unit: FileUnit): ServiceTag | undefined {
    if (this.services.tags.length === 0) return undefined;
    const node = unwrap(expression);
    const binding = node.type === T.Identifier ? this.bindingOf(node, unit) : node.type === T.MemberExpression ? this.memberBinding(node, unit) : undefined;
    if (binding?.kind === 'class') {
      const cls = binding.cls.node;
      const made = cls.superClass && cls.id ? this.tagFactoryOf(cls.superClass, binding.cls.unit) : undefined;
      return made && cls.id ? { node: cls, unit: binding.cls.unit, name: cls.id.name, ...(made.own ? { own: made.own } : {}) } : undefined;
    }
    if (binding?.kind === 'value') {
      const declarator = binding.value.node.parent;
      if (declarator?.type !== T.VariableDeclarator || declarator.id.type !== T.Identifier) return undefined;
      const made = this.tagFactoryOf(binding.value.node, binding.value.unit);
      return made ? { node: binding.value.node, unit: binding.value.unit, name: declarator.id.name, ...(made.own ? { own: made.own } : {}) } : undefined;
    }
    return undefined;
  }

  /**
   * `Context.Tag('Db')<Db, Shape>()`, `Context.Service<Db, Shape>()('Db')`, `Effect.Service<Db>()('Db',
   * { effect })`: the calls are peeled down to the factory they start from; the options object of
   * one of them may build the service.
   */
  private tagFactoryOf(expression: Node, unit: FileUnit): { own?: { value: Node; form: ServiceForm } } | undefined {
    let node = unwrap(expression);
    const options: TSESTree.ObjectExpression[] = [];
    while (node.type === T.CallExpression) {
      for (const arg of node.arguments) if (arg.type === T.ObjectExpression) options.push(arg);
      node = unwrap(node.callee);
    }
    const path = this.libraryPath(node, unit);
    const factory = path && this.services.tags.find((t) => t.source === path.source && samePath(t.path, path.path));
    if (!factory) return undefined;
    for (const object of options) {
      for (const property of object.properties) {
        if (property.type !== T.Property || property.computed || property.key.type !== T.Identifier) continue;
        const form = factory.own?.[property.key.name];
        if (form && property.value.type !== T.AssignmentPattern) return { own: { value: property.value, form } };
      }
    }
    return {};
  }

  /**
   * What a call may provide (`Layer.effect(SqlClient, make)`, and curried, `Layer.effect(SqlClient)(make)`):
   * the tag and the value as written, with how the value is handed; one per listed form the call fits.
   */
  provisions(call: TSESTree.CallExpression, unit: FileUnit): { tag: Node; value: Node; form: ServiceForm }[] {
    if (this.services.providers.length === 0) return [];
    const path = this.libraryPath(call.callee, unit);
    if (!path) return [];
    const found: { tag: Node; value: Node; form: ServiceForm }[] = [];
    for (const provider of this.services.providers) {
      if (provider.source !== path.source || !samePath(provider.path, path.path)) continue;
      const tag = call.arguments[provider.tag];
      if (!tag || tag.type === T.SpreadElement) continue;
      let value = call.arguments[provider.value];
      // Data-last: the call with the tag returns a function that takes the value.
      const outer = call.parent;
      if (!value && call.arguments.length === provider.tag + 1 && outer?.type === T.CallExpression && outer.callee === call) value = outer.arguments[provider.value - provider.tag - 1];
      if (!value || value.type === T.SpreadElement) continue;
      found.push({ tag, value, form: provider.form });
    }
    return found;
  }

  /** An effect made from a value: `Effect.succeed(v)`, `Effect.sync(() => v)`, `Effect.gen(function* () { ... })`. */
  effectOf(call: TSESTree.CallExpression, unit: FileUnit): { value: Node; form: ServiceForm | 'generator' } | undefined {
    if (this.services.effects.length === 0) return undefined;
    const path = this.libraryPath(call.callee, unit);
    const effect = path && this.services.effects.find((e) => e.source === path.source && samePath(e.path, path.path));
    if (!effect) return undefined;
    const value = effect.form === 'generator' ? call.arguments[call.arguments.length - 1] : call.arguments[0];
    return value && value.type !== T.SpreadElement ? { value, form: effect.form } : undefined;
  }

  /** `Effect.zipRight(first, second)`: a listed function that runs `second` only after `first` succeeded. */
  sequencesEffects(call: TSESTree.CallExpression, unit: FileUnit): boolean {
    const path = this.services.sequences?.length ? this.libraryPath(call.callee, unit) : undefined;
    return Boolean(path && this.services.sequences?.some((e) => e.source === path.source && samePath(e.path, path.path)));
  }

  /** `SqlClient.of({ ... })`: a tag's method that returns the value it is handed. */
  tagIdentity(call: TSESTree.CallExpression, unit: FileUnit): Node | undefined {
    const callee = unwrap(call.callee);
    const argument = call.arguments[0];
    if (callee.type !== T.MemberExpression || call.arguments.length !== 1 || !argument || argument.type === T.SpreadElement) return undefined;
    const name = memberName(callee);
    if (!name || !this.services.identities.includes(name)) return undefined;
    return this.serviceTag(callee.object, unit) ? argument : undefined;
  }

  /** The package export a callee names, as a member chain: `Layer.succeed` from `effect` is `['Layer', 'succeed']`. */
  private libraryPath(callee: Node, unit: FileUnit): { source: string; path: string[] } | undefined {
    const chain: string[] = [];
    let node = unwrap(callee);
    while (node.type === T.MemberExpression) {
      const name = memberName(node);
      if (!name) return undefined;
      chain.unshift(name);
      node = unwrap(node.object);
    }
    if (node.type !== T.Identifier) return undefined;
    const root = this.bindingOf(node, unit);
    if (root.kind !== 'package') return undefined;
    return { source: root.source, path: root.imported === '*' || root.imported === 'default' ? chain : [root.imported, ...chain] };
  }

  /**
   * The argument a call hands back unchanged (its provenance is the argument's): a brand's
   * constructor, `Video.VideoId.make(nanoId())`, `User.UserId.make(user.id)`, `UserId(id)`. The
   * callee is recognised by its declaration, not its name: `.make` of a value declared as a brand
   * schema (`Schema.String.pipe(Schema.brand('VideoId'))`, `Schema.brand('X')(Schema.String)`), or a
   * value declared as a brand constructor (`Brand.nominal<UserId>()`, `Brand.refined<Id>(...)`), each
   * made by a factory the models list. A `.make` of any other value (a class, a schema with a
   * transformation) is a call like any other.
   */
  preservedArgument(call: TSESTree.CallExpression, unit: FileUnit): Node | undefined {
    if (this.brands.length === 0 || call.arguments.length !== 1) return undefined;
    const argument = call.arguments[0]!;
    if (argument.type === T.SpreadElement) return undefined;
    const callee = unwrap(call.callee);
    if (callee.type === T.MemberExpression && memberName(callee) === 'make') {
      const schema = this.valueOf(callee.object, unit);
      return schema && this.brandForm(schema.node, schema.unit) === 'schema' ? argument : undefined;
    }
    const made = this.valueOf(callee, unit);
    return made && this.brandForm(made.node, made.unit) === 'constructor' ? argument : undefined;
  }

  /** The declared value an identifier or a namespace member (`Video.VideoId`) is bound to. */
  private valueOf(expression: Node, unit: FileUnit): Located | undefined {
    const node = unwrap(expression);
    const binding = node.type === T.Identifier ? this.bindingOf(node, unit) : node.type === T.MemberExpression ? this.memberBinding(node, unit) : undefined;
    return binding?.kind === 'value' ? binding.value : undefined;
  }

  /** Whether `node` declares a brand schema or a brand constructor, made by a listed factory. */
  private brandForm(node: Node, unit: FileUnit): BrandFactory['form'] | undefined {
    const value = unwrap(node);
    if (value.type !== T.CallExpression) return undefined;
    const callee = unwrap(value.callee);
    // `Schema.String.pipe(Schema.trimmed(), Schema.brand('X'))`: the last step makes the brand.
    if (callee.type === T.MemberExpression && memberName(callee) === 'pipe') {
      const last = value.arguments[value.arguments.length - 1];
      const step = last && last.type !== T.SpreadElement ? unwrap(last) : undefined;
      return step?.type === T.CallExpression && this.factoryOf(step.callee, unit)?.form === 'schema' ? 'schema' : undefined;
    }
    // `Schema.brand('X')(Schema.String)`.
    if (callee.type === T.CallExpression) return this.factoryOf(callee.callee, unit)?.form === 'schema' ? 'schema' : undefined;
    return this.factoryOf(callee, unit)?.form === 'constructor' ? 'constructor' : undefined;
  }

  /** The listed factory a callee names: a member chain from a package's import. */
  private factoryOf(callee: Node, unit: FileUnit): BrandFactory | undefined {
    const path = this.libraryPath(callee, unit);
    return path && this.brands.find((b) => b.source === path.source && samePath(b.path, path.path));
  }

  /** Follows an identifier to what it is bound to, across files. */
  bindingOf(identifier: TSESTree.Identifier, unit: FileUnit, depth = 0): Binding {
    if (depth > MAX_DEPTH) return { kind: 'unknown', reason: 'resolution too deep' };
    const variable = variableOf(unit.scopeManager, identifier);
    if (!variable) return { kind: 'unknown', reason: `\`${identifier.name}\` is not declared in this file` };
    return this.bindingOfVariable(variable, unit, depth);
  }

  bindingOfVariable(variable: Variable, unit: FileUnit, depth: number): Binding {
    const def = variable.defs[0];
    if (!def) return { kind: 'unknown', reason: `\`${variable.name}\` is a global` };
    switch (def.type) {
      case 'Variable': {
        const declarator = def.node;
        if (declarator.id.type !== T.Identifier || !declarator.init) {
          return { kind: 'unknown', reason: `\`${variable.name}\` is destructured or has no initial value` };
        }
        if (isReassigned(variable, declarator.id)) return { kind: 'unknown', reason: `\`${variable.name}\` is reassigned` };
        return this.bindingOfExpression(declarator.init, unit, depth + 1);
      }
      case 'FunctionName': {
        // An overloaded function: its signatures are declared first, the body last.
        const body = variable.defs.find((d) => d.type === 'FunctionName' && d.node.type === T.FunctionDeclaration);
        return { kind: 'function', fn: { node: (body ?? def).node as TSESTree.FunctionDeclaration, unit } };
      }
      case 'ClassName':
        return { kind: 'class', cls: { node: def.node, unit } };
      case 'Parameter':
        if (def.name.type !== T.Identifier) return { kind: 'unknown', reason: 'destructured parameter' };
        return { kind: 'parameter', param: { node: def.name, unit }, fn: functionOfParameter(def.node) };
      case 'ImportBinding': {
        const declaration = def.parent;
        const spec = def.node;
        if (spec.type === T.TSImportEqualsDeclaration || declaration.type !== T.ImportDeclaration) {
          return { kind: 'unknown', reason: '`import x = require()` is not followed' };
        }
        const imported =
          spec.type === T.ImportDefaultSpecifier
            ? 'default'
            : spec.type === T.ImportNamespaceSpecifier
              ? '*'
              : spec.imported.type === T.Identifier
                ? spec.imported.name
                : String(spec.imported.value);
        return this.importBinding(declaration.source.value, imported, unit, depth + 1);
      }
      default:
        return { kind: 'unknown', reason: `\`${variable.name}\` is a ${def.type}` };
    }
  }

  bindingOfExpression(expression: Node, unit: FileUnit, depth: number): Binding {
    const node = unwrap(expression);
    if (node.type === T.Identifier) return this.bindingOf(node, unit, depth + 1);
    if (node.type === T.FunctionExpression || node.type === T.ArrowFunctionExpression) return { kind: 'function', fn: { node, unit } };
    if (node.type === T.ClassExpression) return { kind: 'class', cls: { node, unit } };
    if (node.type === T.CallExpression) {
      const wrapped = this.wrappedFunction(node, unit, depth);
      if (wrapped) return wrapped;
    }
    return { kind: 'value', value: { node, unit } };
  }

  /**
   * `cache(async () => ...)`, `cacheable('name', async (...) => ..., 300)`: a call of a wrapper that
   * returns a function behaving as the one it is handed stands for that function. The wrapper is a
   * library function the models list as such, or a project function that returns a function
   * calling its function parameter with its own arguments and returning what it returns (see
   * `forwardedParameters`). A wrapper that does neither (it drops the function, or calls it with
   * other arguments) is a value, as any call.
   */
  private wrappedFunction(call: TSESTree.CallExpression, unit: FileUnit, depth: number): Binding | undefined {
    if (depth > MAX_DEPTH || call.arguments.length === 0) return undefined;
    const wrapper = this.calleeBinding(call, unit, depth);
    let indices: readonly number[] = [];
    if (wrapper?.kind === 'package') {
      indices = this.wrappers.filter((w) => w.source === wrapper.source && w.imported === wrapper.imported).map((w) => w.argument);
    } else if (wrapper?.kind === 'function' && wrapper.fn.node !== enclosingFunction(call)) {
      indices = forwardedParameters(wrapper.fn);
    }
    for (const index of indices) {
      const arg = call.arguments[index];
      if (!arg || arg.type === T.SpreadElement) continue;
      const inner = this.bindingOfExpression(arg, unit, depth + 1);
      if (inner.kind === 'function') return inner;
    }
    return undefined;
  }

  /** What a call calls: `cache(...)`, or a member of a package's namespace or default (`_.memoize(...)`, `React.cache(...)`). */
  private calleeBinding(call: TSESTree.CallExpression, unit: FileUnit, depth: number): Binding | undefined {
    const callee = unwrap(call.callee);
    if (callee.type === T.Identifier) return this.bindingOf(callee, unit, depth + 1);
    if (callee.type !== T.MemberExpression || unwrap(callee.object).type !== T.Identifier) return undefined;
    const name = memberName(callee);
    const object = this.bindingOf(unwrap(callee.object) as TSESTree.Identifier, unit, depth + 1);
    if (!name || object.kind !== 'package' || (object.imported !== 'default' && object.imported !== '*')) return undefined;
    return { kind: 'package', source: object.source, imported: name };
  }

  /** `import { name } from source`, seen from `unit`. */
  importBinding(source: string, imported: string, unit: FileUnit, depth: number): Binding {
    const file = this.modules.resolve(unit.file, source);
    if (!file) {
      if (source.startsWith('.') || source.startsWith('@/') || source.startsWith('~/')) {
        return { kind: 'unknown', reason: `cannot resolve \`${source}\`` };
      }
      return { kind: 'package', source, imported };
    }
    const target = this.modules.unit(file);
    if (!target) return { kind: 'unknown', reason: `cannot parse \`${source}\`` };
    return this.exportBinding(target, imported, depth + 1);
  }

  /** What `unit` exports under `name`, following `export { x } from` and `export *`. */
  exportBinding(unit: FileUnit, name: string, depth: number): Binding {
    if (depth > MAX_DEPTH) return { kind: 'unknown', reason: 'resolution too deep' };
    return this.declaredExport(unit, name, depth) ?? this.starExport(unit, name, depth) ?? { kind: 'unknown', reason: `\`${name}\` is not exported by ${unit.file}` };
  }

  /** What `unit` itself exports under `name` (a declaration, `export { x }`, `export { x } from`), not through `export *`. */
  private declaredExport(unit: FileUnit, name: string, depth: number): Binding | undefined {
    for (const statement of unit.ast.body) {
      if (statement.type === T.ExportDefaultDeclaration && name === 'default') {
        const declaration = statement.declaration;
        if (declaration.type === T.FunctionDeclaration) return { kind: 'function', fn: { node: declaration, unit } };
        if (declaration.type === T.ClassDeclaration) return { kind: 'class', cls: { node: declaration, unit } };
        if (declaration.type === T.TSInterfaceDeclaration || declaration.type === T.TSDeclareFunction) continue;
        return this.bindingOfExpression(declaration, unit, depth + 1);
      }
      if (statement.type === T.ExportNamedDeclaration) {
        const found = this.namedExport(statement, unit, name, depth);
        if (found) return found;
      }
      if (statement.type === T.ExportAllDeclaration && statement.exported && exportedName(statement.exported) === name) {
        return this.namespaceOf(statement.source.value, unit);
      }
    }
    return undefined;
  }

  /** `export * as NS from source` seen from `unit`: the project module, or the package's namespace. */
  private namespaceOf(source: string, unit: FileUnit): Binding {
    const file = this.modules.resolve(unit.file, source);
    if (!file) {
      if (source.startsWith('.') || source.startsWith('@/') || source.startsWith('~/')) return { kind: 'unknown', reason: `cannot resolve \`${source}\`` };
      return { kind: 'package', source, imported: '*' };
    }
    const target = this.modules.unit(file);
    return target ? { kind: 'namespace', unit: target } : { kind: 'unknown', reason: `cannot parse \`${source}\`` };
  }

  /**
   * What a member chain on a namespace names: `User.UserId` with `User` imported from an index that
   * has `export * as User from './User'`, or `Domain.User.UserId` through namespaces of namespaces.
   * Undefined when the chain does not start at a namespace.
   */
  memberBinding(expression: Node, unit: FileUnit, depth = 0): Binding | undefined {
    const node = unwrap(expression);
    if (depth > MAX_DEPTH || node.type !== T.MemberExpression) return undefined;
    const name = memberName(node);
    if (!name) return undefined;
    const object = unwrap(node.object);
    let holder: Binding | undefined;
    if (object.type === T.Identifier) {
      holder = this.bindingOf(object, unit, depth + 1);
      // `import * as User from './User'`: the module itself.
      if (holder.kind === 'unknown') {
        const def = variableOf(unit.scopeManager, object)?.defs[0];
        if (def?.type === 'ImportBinding' && def.node.type === T.ImportNamespaceSpecifier && def.parent.type === T.ImportDeclaration) holder = this.namespaceOf(def.parent.source.value, unit);
      }
    } else holder = this.memberBinding(object, unit, depth + 1);
    if (holder?.kind !== 'namespace') return undefined;
    return this.exportBinding(holder.unit, name, depth + 1);
  }

  /**
   * `name` through the `export *` graph below `unit`: each module once, nearest first. A barrel of
   * barrels (`export * from './api'` ... in a package's index, with cycles between them) was walked
   * along every path up to the depth limit, exponential in the barrels, and lost names the limit
   * cut off (Vendure's `@vendure/core`: every import of it from a plugin stayed untraced).
   */
  private starExport(unit: FileUnit, name: string, depth: number): Binding | undefined {
    let byName = this.stars.get(unit);
    if (!byName) this.stars.set(unit, (byName = new Map()));
    if (byName.has(name)) return byName.get(name);
    byName.set(name, undefined); // a cycle back to this lookup finds nothing here
    const seen = new Set<string>([unit.file]);
    const queue: FileUnit[] = [unit];
    let found: Binding | undefined;
    // A miss that hit the depth limit is this lookup's, not the module's: it is not remembered.
    let cut = false;
    search: for (let i = 0; i < queue.length && i < MAX_STAR_MODULES; i++) {
      const current = queue[i]!;
      for (const statement of current.ast.body) {
        if (statement.type !== T.ExportAllDeclaration || statement.exported) continue;
        const file = this.modules.resolve(current.file, statement.source.value);
        if (!file || seen.has(file)) continue;
        seen.add(file);
        const target = this.modules.unit(file);
        if (!target) continue;
        const binding = this.declaredExport(target, name, depth + 1);
        if (binding && binding.kind !== 'unknown' && binding.kind !== 'package') {
          found = binding;
          break search;
        }
        if (binding?.kind === 'unknown' && binding.reason === 'resolution too deep') cut = true;
        queue.push(target);
      }
    }
    // `export * from '@prisma/client'` beside the package's own modules (teable's db-main-prisma):
    // a name none of them exports is the one package's re-exported there. Two packages re-exported
    // side by side do not say which one it comes from.
    if (!found && !cut) {
      const packages = new Set<string>();
      for (const current of queue) {
        for (const statement of current.ast.body) {
          if (statement.type !== T.ExportAllDeclaration || statement.exported) continue;
          const source = statement.source.value;
          if (!source.startsWith('.') && !this.modules.resolve(current.file, source)) packages.add(source);
        }
      }
      if (packages.size === 1) found = { kind: 'package', source: [...packages][0]!, imported: name };
    }
    if (found || !cut) byName.set(name, found);
    else byName.delete(name);
    return found;
  }

  private namedExport(statement: TSESTree.ExportNamedDeclaration, unit: FileUnit, name: string, depth: number): Binding | undefined {
    const declaration = statement.declaration;
    if (declaration) {
      if ((declaration.type === T.FunctionDeclaration || declaration.type === T.TSDeclareFunction) && declaration.id?.name === name) {
        return declaration.type === T.FunctionDeclaration ? { kind: 'function', fn: { node: declaration, unit } } : undefined;
      }
      if (declaration.type === T.ClassDeclaration && declaration.id?.name === name) return { kind: 'class', cls: { node: declaration, unit } };
      if (declaration.type === T.VariableDeclaration) {
        for (const declarator of declaration.declarations) {
          if (declarator.id.type === T.Identifier && declarator.id.name === name) {
            return declarator.init ? this.bindingOfExpression(declarator.init, unit, depth + 1) : { kind: 'unknown', reason: `\`${name}\` has no initial value` };
          }
        }
      }
      return undefined;
    }
    for (const spec of statement.specifiers) {
      const exported = spec.exported.type === T.Identifier ? spec.exported.name : spec.exported.value;
      if (exported !== name) continue;
      const local = spec.local.type === T.Identifier ? spec.local.name : spec.local.value;
      if (statement.source) return this.importBinding(statement.source.value, local, unit, depth + 1);
      if (spec.local.type !== T.Identifier) return undefined;
      return this.bindingOf(spec.local, unit, depth + 1);
    }
    return undefined;
  }
}

function exportedName(node: TSESTree.Identifier | TSESTree.StringLiteral): string {
  return node.type === T.Identifier ? node.name : String(node.value);
}

/** Whether a variable is written after its declaration; asked on every resolution, answered once. */
const reassignedCache = new WeakMap<Variable, boolean>();

function isReassigned(variable: Variable, declared: Node): boolean {
  let answer = reassignedCache.get(variable);
  if (answer === undefined) {
    answer = variable.references.some((ref) => ref.isWrite() && ref.identifier !== declared);
    reassignedCache.set(variable, answer);
  }
  return answer;
}

function enclosingFunction(node: Node): Node | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === T.FunctionDeclaration || current.type === T.FunctionExpression || current.type === T.ArrowFunctionExpression) return current;
  }
  return undefined;
}

const forwardedCache = new WeakMap<TSESTree.FunctionLike, readonly number[]>();

/**
 * The parameters a project wrapper hands on unchanged in behaviour: it returns a function (inline,
 * or a local const) that calls the parameter with its own arguments (`fn(...args)`, `fn(a, b)`)
 * and returns that call's result (`return await fn(...args)`, or a const holding it). The function
 * called may be the parameter or a local chosen among parameters (`const fn = typeof a ===
 * 'function' ? a : b`, an overload of `(fn, ttl)` and `(name, fn, ttl)`). Other returns (a
 * remembered answer) are allowed. Answered once per wrapper.
 */
function forwardedParameters(located: Located<TSESTree.FunctionLike>): readonly number[] {
  const wrapper = located.node;
  let found = forwardedCache.get(wrapper);
  if (found) return found;
  const indices = new Set<number>();
  const { scopeManager } = located.unit;
  const localFunction = (node: Node): TSESTree.FunctionLike | undefined => {
    const value = unwrap(node);
    if (value.type === T.ArrowFunctionExpression || value.type === T.FunctionExpression) return value;
    if (value.type !== T.Identifier) return undefined;
    const init = constInit(scopeManager, value);
    const inner = init ? unwrap(init) : undefined;
    return inner && (inner.type === T.ArrowFunctionExpression || inner.type === T.FunctionExpression) ? inner : undefined;
  };
  // The wrapper's parameters a name may hold: the parameter itself, or a const chosen among them.
  const parameterIndices = (node: Node, depth = 0): number[] => {
    const value = unwrap(node);
    if (depth > 4) return [];
    if (value.type === T.ConditionalExpression) return [...parameterIndices(value.consequent, depth + 1), ...parameterIndices(value.alternate, depth + 1)];
    if (value.type === T.LogicalExpression) return [...parameterIndices(value.left, depth + 1), ...parameterIndices(value.right, depth + 1)];
    if (value.type !== T.Identifier) return [];
    const variable = variableOf(scopeManager, value);
    const def = variable?.defs[0];
    if (def?.type === 'Parameter' && def.node === wrapper && !isReassigned(variable!, def.name)) {
      const index = wrapper.params.findIndex((p) => unwrap(p.type === T.AssignmentPattern ? p.left : p) === def.name);
      return index >= 0 ? [index] : [];
    }
    const init = constInit(scopeManager, value);
    return init && enclosingFunction(init) === wrapper ? parameterIndices(init, depth + 1) : [];
  };
  for (const returned of returnedExpressions(wrapper)) {
    const inner = localFunction(returned);
    if (!inner?.body) continue;
    walk(inner.body, (node) => {
      if (node.type !== T.CallExpression || enclosingFunction(node) !== inner) return;
      if (!forwardsArguments(node, inner) || !returnsResultOf(node, inner, scopeManager)) return;
      for (const index of parameterIndices(node.callee)) indices.add(index);
    });
  }
  found = [...indices].sort((a, b) => a - b);
  forwardedCache.set(wrapper, found);
  return found;
}

/** `fn(...args)` with `args` the rest parameter of `inner`, or `fn(a, b)` with exactly its parameters in order. */
function forwardsArguments(call: TSESTree.CallExpression, inner: TSESTree.FunctionLike): boolean {
  const params = inner.params.map((p) => (p.type === T.RestElement ? { rest: true, node: p.argument } : { rest: false, node: p }));
  if (params.some((p) => p.node.type !== T.Identifier) || call.arguments.length !== params.length) return false;
  return params.every((param, i) => {
    const arg = call.arguments[i]!;
    if (param.rest !== (arg.type === T.SpreadElement)) return false;
    const value = unwrap(arg.type === T.SpreadElement ? arg.argument : arg);
    return value.type === T.Identifier && value.name === (param.node as TSESTree.Identifier).name;
  });
}

/** `inner` returns the call's result: `return fn(...args)`, `return await fn(...args)`, or a const holding it. */
function returnsResultOf(call: TSESTree.CallExpression, inner: TSESTree.FunctionLike, scopeManager: FileUnit['scopeManager']): boolean {
  return returnedExpressions(inner).some((returned) => {
    const value = unwrap(returned);
    if (value === call) return true;
    if (value.type !== T.Identifier) return false;
    const init = constInit(scopeManager, value);
    return init !== undefined && unwrap(init) === call;
  });
}

/** The initial value of a const (or a let never written again) that `identifier` reads. */
function constInit(scopeManager: FileUnit['scopeManager'], identifier: TSESTree.Identifier): Node | undefined {
  const variable = variableOf(scopeManager, identifier);
  const def = variable?.defs[0];
  if (!variable || def?.type !== 'Variable' || def.node.id.type !== T.Identifier || !def.node.init) return undefined;
  return isReassigned(variable, def.node.id) ? undefined : def.node.init;
}

function functionOfParameter(node: Node): TSESTree.FunctionLike | undefined {
  if (node.type === T.FunctionDeclaration || node.type === T.FunctionExpression || node.type === T.ArrowFunctionExpression) return node;
  return undefined;
}

/**
 * The returned expressions of each function, found once: the value flow, the ORM readers and the
 * cache-key reader each ask again for the same helpers (umami: 4 % of a scan's own time was this walk).
 */
const returnedCache = new WeakMap<TSESTree.FunctionLike, readonly Node[]>();

/** Every `return <expr>` of a function (not of nested functions), or its expression body. */
export function returnedExpressions(fn: TSESTree.FunctionLike): readonly Node[] {
  let found = returnedCache.get(fn);
  if (!found) {
    found = findReturnedExpressions(fn);
    returnedCache.set(fn, found);
  }
  return found;
}

function findReturnedExpressions(fn: TSESTree.FunctionLike): Node[] {
  if (!fn.body) return [];
  if (fn.body.type !== T.BlockStatement) return [fn.body];
  const found: Node[] = [];
  const visit = (node: Node): void => {
    if (node.type === T.ReturnStatement) {
      if (node.argument) found.push(node.argument);
      return;
    }
    if (node.type === T.FunctionDeclaration || node.type === T.FunctionExpression || node.type === T.ArrowFunctionExpression) return;
    for (const key of childKeys(node.type)) {
      const child: unknown = Reflect.get(node, key);
      if (Array.isArray(child)) {
        for (const item of child) if (isStatementish(item)) visit(item);
      } else if (isStatementish(child)) {
        visit(child);
      }
    }
  };
  visit(fn.body);
  return found;
}

function isStatementish(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'type') === 'string' && 'range' in value;
}
