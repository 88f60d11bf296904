/**
 * The project's call graph, asked one function at a time: "who calls this?".
 *
 * A query in a repository or service function is scoped, or not, by what its callers did before
 * calling it (a membership check, a row looked up and verified). The policies ask for the call
 * sites of the function that holds a query; this answers from every source file of the repository
 * (all workspace packages: the repository function and its router often live in different ones).
 *
 * Candidates are found by name in the file text (cheap), then confirmed by resolution: an imported
 * or local function, a member of an imported module (`import * as repo`), a method of a class
 * whose instance the receiver is (`this.postsRepository.getPost`, constructor injection), or a
 * member of an object literal. A member call whose receiver cannot be resolved is kept only when
 * its file imports the function's module, and is marked as matched by name.
 */
import { existsSync } from 'node:fs';
import { readTextFileSafe } from '../scan/safe-read.js';
import { basename, dirname, join, relative } from 'node:path';
import type { TSESTree } from '@typescript-eslint/types';
import { globbySync } from '../project/glob.js';
import { DEFAULT_IGNORES } from '../scan/ignores.js';
import { memberName, propertyName, staticName, T, unwrap, walk, type FileUnit, type Node } from '../core/ast.js';
import type { Resolver } from '../core/resolve.js';
import { originsOf, type CallerLookup } from './origin.js';

export interface CallSite {
  call: TSESTree.CallExpression;
  unit: FileUnit;
  /** `call` calls the function, or is handed it as an argument (`router.get('/x', auth, handler)`): a registration. */
  kind: 'call' | 'argument';
  /** How the call was tied to the function: resolved, or by name and an import of its module. */
  how: 'resolved' | 'by-name';
}

/** A function that can be called by name: what holds a query, seen from its callers. */
export interface Callable {
  fn: TSESTree.FunctionLike;
  unit: FileUnit;
  name: string;
  /** The class whose method it is. */
  cls?: TSESTree.ClassDeclaration | TSESTree.ClassExpression;
}

/** Callbacks that run inside the function that passes them: a query there is the function's own. */
export const INLINE_RUNNERS: ReadonlySet<string> = new Set([
  'transaction', '$transaction', '$tx', 'tx', 'withTx', 'inTransaction', 'runInTransaction', 'transactional', 'begin', 'withTransaction', 'startTransaction', 'batch',
  // a pg pool's `connect((err, client, done) => ...)`: the client checked out for the caller
  'connect',
  'map', 'flatMap', 'forEach', 'filter', 'reduce', 'some', 'every', 'find', 'then', 'catch', 'finally',
  'all', 'allSettled', 'race', 'any', 'from', 'run', 'startActiveSpan', 'trace', 'withSpan', 'retry', 'retryWithBackoff',
  // RxJS operators in a pipe the function itself subscribes to (`lastValueFrom(from(rows).pipe(concatMap(...)))`).
  'concatMap', 'mergeMap', 'switchMap', 'exhaustMap', 'tap',
  // Deferred to the end of this turn, for the code that defers it (at the top level: the module's load).
  'nextTick', 'setImmediate', 'queueMicrotask',
]);

const SOURCE = /\.(c|m)?[jt]sx?$/;
/** What the scan leaves out: the editor's call graph searches the files the scan's does. */
const IGNORED = DEFAULT_IGNORES;
const MAX_FILES = 20_000;
const MAX_BYTES = 1_000_000;

/**
 * The function a node runs in, as its callers see it: callbacks of transactions, `map`, promise
 * combinators and the like are climbed through. Undefined for top-level code; `anonymous` for a
 * function passed to something else (a framework handler: its caller is the framework).
 */
export function callableAt(node: Node, unit: FileUnit): Callable | { anonymous: TSESTree.FunctionLike } | undefined {
  let fn = enclosing(node);
  while (fn) {
    const parent = fn.parent;
    // `new Promise((resolve, reject) => ...)`: the executor runs now, in the function that builds it.
    if (isPromiseExecutor(fn)) {
      const outer = enclosing(fn);
      if (!outer) return undefined;
      fn = outer;
      continue;
    }
    if (parent?.type === T.CallExpression && parent.arguments.includes(fn as TSESTree.CallExpressionArgument)) {
      const callee = unwrap(parent.callee);
      const name = callee.type === T.MemberExpression ? memberName(callee) : callee.type === T.Identifier ? callee.name : undefined;
      if (name && INLINE_RUNNERS.has(name)) {
        const outer = enclosing(fn);
        if (!outer) return undefined;
        fn = outer;
        continue;
      }
    }
    // A dispatch table handed to a plain function inside another function:
    // `return runQuery({ [PRISMA]: () => relationalQuery(...args), [CLICKHOUSE]: () => ... })`.
    // The function picks one and runs it now: the callbacks are the enclosing function's own code.
    const dispatch = dispatchCall(fn);
    const outer = dispatch && enclosing(dispatch);
    if (outer) {
      fn = outer;
      continue;
    }
    break;
  }
  if (!fn) return undefined;
  const named = nameOf(fn);
  if (!named) return { anonymous: fn };
  return { fn, unit, name: named.name, ...(named.cls ? { cls: named.cls } : {}) };
}

/** The plain call a dispatch table holding `fn` is handed to, when there is one: `runQuery({ [PRISMA]: () => ... })`. */
function dispatchCall(fn: TSESTree.FunctionLike): TSESTree.CallExpression | undefined {
  const parent = fn.parent;
  const table = parent?.type === T.Property && parent.value === fn ? parent.parent : undefined;
  if (table?.type !== T.ObjectExpression || table.parent?.type !== T.CallExpression) return undefined;
  const call = table.parent;
  return call.arguments.includes(table) && unwrap(call.callee).type === T.Identifier ? call : undefined;
}

/** `new Promise((resolve, reject) => ...)`: the executor runs in the function that builds the promise. */
function isPromiseExecutor(fn: TSESTree.FunctionLike): boolean {
  const parent = fn.parent;
  return parent?.type === T.NewExpression && parent.arguments[0] === fn && unwrap(parent.callee).type === T.Identifier && (unwrap(parent.callee) as TSESTree.Identifier).name === 'Promise';
}

/** A callback run in place by the call it is passed to (a transaction, `map`, `Promise.all`, a dispatch table, a Promise executor). */
export function isInlineCallback(fn: TSESTree.FunctionLike): boolean {
  if (dispatchCall(fn) && enclosing(fn)) return true;
  if (isPromiseExecutor(fn) && enclosing(fn)) return true;
  const parent = fn.parent;
  if (parent?.type !== T.CallExpression || !parent.arguments.includes(fn as TSESTree.CallExpressionArgument)) return false;
  const callee = unwrap(parent.callee);
  const name = callee.type === T.MemberExpression ? memberName(callee) : callee.type === T.Identifier ? callee.name : undefined;
  return Boolean(name && INLINE_RUNNERS.has(name));
}

/** `this`, `Tasks`, `this.service`: a chain of names, not an element or a call's result. */
function plainChain(node: Node): boolean {
  const inner = unwrap(node);
  if (inner.type === T.ThisExpression || inner.type === T.Identifier) return true;
  return inner.type === T.MemberExpression && !inner.computed && plainChain(inner.object);
}

function enclosing(node: Node): TSESTree.FunctionLike | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === T.FunctionDeclaration || current.type === T.FunctionExpression || current.type === T.ArrowFunctionExpression) return current;
  }
  return undefined;
}

function nameOf(fn: TSESTree.FunctionLike): { name: string; cls?: TSESTree.ClassDeclaration | TSESTree.ClassExpression } | undefined {
  if (fn.type === T.FunctionDeclaration && fn.id) return { name: fn.id.name };
  // `export default async function (opts) {...}`: callable by whoever imports the module's default.
  if (fn.parent?.type === T.ExportDefaultDeclaration) return { name: 'default' };
  let node: Node = fn;
  // `export const create = cache(async () => ...)`, `const f = (async () => ...) as Handler`
  while (node.parent && (node.parent.type === T.TSAsExpression || node.parent.type === T.TSSatisfiesExpression)) node = node.parent;
  const parent = node.parent;
  if (!parent) return undefined;
  if (parent.type === T.VariableDeclarator && parent.id.type === T.Identifier && parent.init === node) return { name: parent.id.name };
  if (parent.type === T.MethodDefinition || parent.type === T.PropertyDefinition) {
    const name = staticName(parent.key, parent.computed);
    const cls = parent.parent?.parent;
    if (name && (cls?.type === T.ClassDeclaration || cls?.type === T.ClassExpression)) return { name, cls };
    return undefined;
  }
  if (parent.type === T.Property && parent.value === node) {
    const name = propertyName(parent);
    return name ? { name } : undefined;
  }
  return undefined;
}

/** Where to look for callers: the workspace root above the project (all its packages), else the project. */
export function searchRootOf(projectRoot: string): string {
  let root = searchRoots.get(projectRoot);
  if (root === undefined) searchRoots.set(projectRoot, (root = findSearchRoot(projectRoot)));
  return root;
}

/**
 * Search roots by project root, found once per process: the policies ask for every query site, and
 * each answer read the package.json of every folder up to the repository root (the workspace
 * packages are read once per process too, src/project/workspaces.ts).
 */
const searchRoots = new Map<string, string>();

function findSearchRoot(projectRoot: string): string {
  for (let dir = projectRoot; ; dir = dirname(dir)) {
    if (declaresWorkspaces(dir)) return dir;
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) return projectRoot;
  }
}

function declaresWorkspaces(dir: string): boolean {
  if (existsSync(join(dir, 'pnpm-workspace.yaml')) || existsSync(join(dir, 'lerna.json')) || existsSync(join(dir, 'nx.json')) || existsSync(join(dir, 'rush.json'))) return true;
  try {
    const pkg: unknown = JSON.parse(readTextFileSafe(join(dir, 'package.json'), { maxBytes: 1_000_000 }));
    return typeof pkg === 'object' && pkg !== null && 'workspaces' in pkg;
  } catch {
    return false;
  }
}

/**
 * Told of every search for the callers of a function by name, and of the files read as its
 * candidates (the scanner's cache: a file's findings depend on its callers in other files).
 */
export type CallerSearchObserver = (name: string, candidates: readonly string[]) => void;
let observer: CallerSearchObserver | undefined;

/** Runs `run` with `observe` told of every caller search it makes (synchronous and scoped). */
export function observeCallerSearches<T>(observe: CallerSearchObserver, run: () => T): T {
  const previous = observer;
  observer = observe;
  try {
    return run();
  } finally {
    observer = previous;
  }
}

/**
 * What a scan already has (its module graph, src/project/modules.ts): the source files it found and
 * their texts, read once. The ESLint plugin's graph has none: the call graph lists and reads itself.
 */
export interface SourceListing {
  /** The listed files under `dir`, sorted; undefined when the listing does not cover that folder. */
  sourceFilesUnder(dir: string): readonly string[] | undefined;
  /** A listed file's text ('' when it cannot be read). */
  sourceText(file: string): string;
}

function listingOf(modules: object): SourceListing | undefined {
  return 'sourceFilesUnder' in modules && 'sourceText' in modules ? (modules as SourceListing) : undefined;
}

export class CallGraph {
  private files: string[] | undefined;
  /** The scan's files and texts (see SourceListing), when it listed the search root. */
  private listing: SourceListing | undefined;
  private readonly texts = new Map<string, string>();
  /**
   * What the graph keeps between files is where calls are, never the trees they are in: the scan's
   * module graph drops parsed units between files (memory stays bounded on monorepos of thousands
   * of files), and a site is found again, by its offsets, in whichever parse of its file is current.
   */
  /** Files whose calls name or are handed a name, by name. */
  private readonly byName = new Map<string, string[]>();
  /** Files whose text contains a name, by name. */
  private readonly candidates = new Map<string, string[]>();
  /** The call sites of a function (by nodeKey), as offsets. */
  private readonly callers = new Map<string, SiteAt[]>();
  /** The call sites of a function while they are being searched for (a search may ask for itself). */
  private readonly searching = new Map<string, CallSite[]>();
  /** Each parse's calls by name: dropped with the parse. */
  private readonly indexes = new WeakMap<FileUnit, Map<string, Reference[]>>();

  constructor(
    readonly root: string,
    private readonly resolver: Resolver,
    /** Files whose calls do not count (tests, fixtures): they call anything without checks on purpose. */
    private readonly excluded: (relativePath: string) => boolean,
  ) {}

  private sourceFiles(): string[] {
    if (!this.files) {
      // The scan's own list of files and the texts it read, when it listed this folder whole.
      const listed = listingOf(this.resolver.modules)?.sourceFilesUnder(this.root);
      if (listed) {
        this.listing = listingOf(this.resolver.modules);
        this.files = listed.filter((f) => SOURCE.test(f) && !this.excluded(relative(this.root, f).split('\\').join('/'))).slice(0, MAX_FILES);
        return this.files;
      }
      let found: string[] = [];
      try {
        found = globbySync('**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}', { cwd: this.root, absolute: true, gitignore: true, ignore: IGNORED, followSymbolicLinks: false, suppressErrors: true });
      } catch {
        found = [];
      }
      this.files = found.filter((f) => SOURCE.test(f) && !this.excluded(relative(this.root, f).split('\\').join('/'))).sort().slice(0, MAX_FILES);
    }
    return this.files;
  }

  private textOf(file: string): string {
    if (this.listing) return this.listing.sourceText(file);
    let text = this.texts.get(file);
    if (text === undefined) {
      try {
        text = readTextFileSafe(file, { maxBytes: MAX_BYTES + 1 });
        if (text.length > MAX_BYTES) text = '';
      } catch {
        text = '';
      }
      this.texts.set(file, text);
    }
    return text;
  }

  /** Every call in the repository whose callee is `name` or `<x>.name`, or that is handed such a value. */
  private callsNamed(name: string): Reference[] {
    let files = this.byName.get(name);
    if (!files) {
      files = this.candidatesOf(name).filter((file) => (this.indexOf(file)?.get(name)?.length ?? 0) > 0);
      this.byName.set(name, files);
    }
    const found: Reference[] = [];
    for (const file of files) found.push(...(this.indexOf(file)?.get(name) ?? []));
    return found;
  }

  /** Every call of a file by the names it calls and is handed, in source order: one walk per parse. */
  private indexOf(file: string): Map<string, Reference[]> | undefined {
    const unit = this.resolver.modules.unit(file);
    if (!unit) return undefined;
    let index = this.indexes.get(unit);
    if (index) return index;
    const built = new Map<string, Reference[]>();
    const add = (name: string, reference: Reference) => {
      const list = built.get(name);
      if (list) list.push(reference);
      else built.set(name, [reference]);
    };
    walk(unit.ast, (node) => {
      if (node.type !== T.CallExpression) return;
      const callee = unwrap(node.callee);
      const called = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
      if (called) add(called, { call: node, unit, ref: callee, kind: 'call' });
      for (const arg of node.arguments) {
        const value = unwrap(arg);
        // `app.get('/x', Tasks.list)`, `this.handle`: a function handed on. `Number(res[0].count)` reads a
        // field of data (unleash's `count()` was taken for a handler registered with `Number`).
        const named = value.type === T.Identifier ? value.name : value.type === T.MemberExpression && plainChain(value.object) ? memberName(value) : undefined;
        if (named) add(named, { call: node, unit, ref: value, kind: 'argument' });
      }
    });
    this.indexes.set(unit, (index = built));
    return index;
  }

  private candidatesOf(name: string): string[] {
    let files = this.candidates.get(name);
    if (!files) this.candidates.set(name, (files = this.sourceFiles().filter((file) => this.textOf(file).includes(name))));
    return files;
  }

  /** The call sites of a function, outside tests. */
  callersOf(target: Callable): CallSite[] {
    observer?.(target.name, this.candidatesOf(target.name));
    const id = nodeKey(target.unit, target.fn);
    const known = this.callers.get(id);
    if (known) return this.sitesAt(known);
    const pending = this.searching.get(id);
    if (pending) return pending;
    const sites: CallSite[] = [];
    this.searching.set(id, sites);
    // An anonymous default export has no name of its own to search for (and `.default(...)` calls abound).
    const names = target.name === 'default' ? [] : [target.name];
    // Imported under another name (`import getEnvUser from './get'`, `import { byName as removeAll }`):
    // the calls use the local name, which the binding check below ties back to this function.
    names.push(...this.aliasesOf(target));
    const kept: SiteAt[] = [];
    for (const name of names) {
      for (const { call, unit, ref, kind } of this.callsNamed(name)) {
        if (unit.file === target.unit.file && isInside(call, target.fn)) continue;
        const how = this.matches(ref, call, unit, target);
        if (!how) continue;
        sites.push({ call, unit, how, kind });
        kept.push({ file: unit.file, call: call.range[0], name, how, kind });
      }
    }
    this.searching.delete(id);
    this.callers.set(id, kept);
    return sites;
  }

  /** Call sites kept as offsets, found in the current parse of their files. */
  private sitesAt(kept: readonly SiteAt[]): CallSite[] {
    const sites: CallSite[] = [];
    for (const at of kept) {
      const reference = this.indexOf(at.file)?.get(at.name)?.find((r) => r.kind === at.kind && r.call.range[0] === at.call);
      if (reference) sites.push({ call: reference.call, unit: reference.unit, how: at.how, kind: at.kind });
    }
    return sites;
  }

  /**
   * The other names a module function is imported or re-exported under: the local names of default
   * imports when it is its module's default export, and renamed imports or re-exports of its name.
   * Found in files whose text names the module (its file name, or its folder's for an index).
   */
  private aliasesOf(target: Callable): string[] {
    if (target.cls) return [];
    const exported = exportedNamesOf(target);
    if (exported.length === 0) return [];
    const base = basename(target.unit.file).replace(/\.[cm]?[jt]sx?$/, '');
    const key = base === 'index' ? basename(dirname(target.unit.file)) : base;
    const aliases = new Set<string>();
    // An import source that names the module ends with `/<key>` (`'../models/template/delete'`).
    for (const file of this.candidatesOf(`/${key}`)) {
      if (file === target.unit.file) continue;
      const unit = this.resolver.modules.unit(file);
      if (!unit) continue;
      for (const statement of unit.ast.body) {
        if ((statement.type === T.ImportDeclaration || statement.type === T.ExportNamedDeclaration) && !namesModule(statement.source?.value, key)) continue;
        if (statement.type === T.ImportDeclaration) {
          for (const spec of statement.specifiers) {
            if (spec.type === T.ImportDefaultSpecifier && exported.includes('default')) aliases.add(spec.local.name);
            else if (spec.type === T.ImportSpecifier) {
              const imported = spec.imported.type === T.Identifier ? spec.imported.name : String(spec.imported.value);
              if (exported.includes(imported) && imported !== spec.local.name) aliases.add(spec.local.name);
            }
          }
        } else if (statement.type === T.ExportNamedDeclaration && statement.source) {
          for (const spec of statement.specifiers) {
            const local = spec.local.type === T.Identifier ? spec.local.name : String(spec.local.value);
            const name = spec.exported.type === T.Identifier ? spec.exported.name : String(spec.exported.value);
            if (exported.includes(local) && local !== name && name !== 'default') aliases.add(name);
          }
        }
      }
    }
    aliases.delete(target.name);
    return [...aliases].slice(0, MAX_ALIASES);
  }

  private matches(ref: Node, call: TSESTree.CallExpression, unit: FileUnit, target: Callable): CallSite['how'] | undefined {
    const callee = unwrap(ref);
    if (callee.type === T.Identifier) {
      const binding = this.resolver.bindingOf(callee, unit);
      if (binding.kind === 'function') return sameNode(binding.fn, target.unit, target.fn) ? 'resolved' : undefined;
      return undefined;
    }
    if (callee.type !== T.MemberExpression) return undefined;
    const object = unwrap(callee.object);
    // `this.method()` inside the class itself.
    // `this.method()` inside the class itself, or inside a subclass that inherits it (worklenz's
    // controllers extend a base class of shared queries).
    if (object.type === T.ThisExpression) {
      const cls = enclosingClassOf(call);
      if (!target.cls || !cls) return undefined;
      if (sameNode({ node: cls, unit }, target.unit, target.cls)) return 'resolved';
      return (cls.type === T.ClassDeclaration || cls.type === T.ClassExpression) && extendsClass(cls, target, unit, this.resolver) ? 'resolved' : undefined;
    }
    let unresolved = false;
    for (const origin of originsOf(object, unit, this.resolver)) {
      if (origin.kind === 'module') {
        const binding = this.resolver.exportBinding(origin.unit, target.name, 0);
        if (binding.kind === 'function' && sameNode(binding.fn, target.unit, target.fn)) return 'resolved';
      } else if ((origin.kind === 'instance' || origin.kind === 'class') && target.cls) {
        if (sameNode({ node: origin.cls, unit: origin.unit }, target.unit, target.cls) || extendsClass(origin.cls, target, origin.unit, this.resolver)) return 'resolved';
      } else if (origin.kind === 'object') {
        const property = origin.node.properties.find((p) => p.type === T.Property && propertyName(p) === target.name);
        if (property?.type === T.Property && sameNode({ node: unwrap(property.value), unit: origin.unit }, target.unit, target.fn)) return 'resolved';
        if (property?.type === T.Property && property.shorthand) {
          const binding = this.resolver.bindingOf(property.value as TSESTree.Identifier, origin.unit);
          if (binding.kind === 'function' && sameNode(binding.fn, target.unit, target.fn)) return 'resolved';
        }
      } else if (origin.kind === 'unknown') unresolved = true;
      // `injectArguments({ updateWebhook, ... }, { db })` (papra's repositories): a package function
      // handed the module's functions in an object returns them bound; what it returns is opaque.
      else if (origin.kind === 'lib' && origin.steps.some((step) => step.kind === 'call') && inFactoryObject(target)) unresolved = true;
    }
    if (unresolved && importsModuleOf(unit, target, this.resolver)) return 'by-name';
    return undefined;
  }
}

interface Reference {
  call: TSESTree.CallExpression;
  unit: FileUnit;
  ref: Node;
  kind: CallSite['kind'];
}

/** A call site as the call graph keeps it: its file, the offset of the call, and the name it was indexed under. */
interface SiteAt {
  file: string;
  call: number;
  name: string;
  how: CallSite['how'];
  kind: CallSite['kind'];
}

const MAX_ALIASES = 8;

const factoryObjects = new WeakMap<Node, boolean>();

/** Whether the function is a property of an object literal handed to a call in its own module (`wrap({ fn, ... }, deps)`). */
function inFactoryObject(target: Callable): boolean {
  if (target.cls) return false;
  const cached = factoryObjects.get(target.fn);
  if (cached !== undefined) return cached;
  let found = false;
  walk(target.unit.ast, (node) => {
    if (found || node.type !== T.CallExpression) return;
    for (const arg of node.arguments) {
      const value = unwrap(arg);
      if (value.type !== T.ObjectExpression) continue;
      for (const property of value.properties) {
        if (property.type !== T.Property) continue;
        const inner = unwrap(property.value as Node);
        if ((inner.type === T.Identifier && inner.name === target.name) || inner === target.fn) found = true;
      }
    }
  });
  factoryObjects.set(target.fn, found);
  return found;
}

/** Whether an import source's last segment (without extension) is `key`: `'../models/template/delete'`, `'./get.js'`. */
function namesModule(source: string | undefined, key: string): boolean {
  if (!source) return false;
  const last = source.split('/').pop() ?? '';
  return last.replace(/\.[cm]?[jt]sx?$/, '') === key;
}

/** The names a function is exported under by its module: `default`, and/or its own name. */
function exportedNamesOf(target: Callable): string[] {
  const names: string[] = [];
  const parent = target.fn.parent;
  if (parent?.type === T.ExportDefaultDeclaration) names.push('default');
  if (parent?.type === T.ExportNamedDeclaration) names.push(target.name);
  const declarator = parent?.type === T.VariableDeclarator ? parent : undefined;
  if (declarator?.parent?.parent?.type === T.ExportNamedDeclaration) names.push(target.name);
  for (const statement of target.unit.ast.body) {
    if (statement.type === T.ExportDefaultDeclaration && statement.declaration.type === T.Identifier && statement.declaration.name === target.name) names.push('default');
    if (statement.type === T.ExportNamedDeclaration && !statement.source) {
      for (const spec of statement.specifiers) {
        if (spec.local.type === T.Identifier && spec.local.name === target.name) names.push(spec.exported.type === T.Identifier ? spec.exported.name : String(spec.exported.value));
      }
    }
  }
  return names;
}

function isInside(node: Node, container: Node): boolean {
  return node.range[0] >= container.range[0] && node.range[1] <= container.range[1];
}

function enclosingClassOf(node: Node): Node | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === T.ClassDeclaration || current.type === T.ClassExpression) return current;
  }
  return undefined;
}

/**
 * The same node, even from two parses of its file (the scanner parses a file it analyses afresh;
 * the module graph parses it again when another file imports it): same file, same range.
 */
export function sameNode(a: { node: Node; unit: FileUnit }, unit: FileUnit, node: Node): boolean {
  return a.node === node || (a.unit.file === unit.file && a.node.range[0] === node.range[0] && a.node.range[1] === node.range[1] && a.node.type === node.type);
}

export function nodeKey(unit: FileUnit, node: Node): string {
  return `${unit.file}:${node.range[0]}:${node.range[1]}`;
}

function extendsClass(cls: TSESTree.ClassDeclaration | TSESTree.ClassExpression, target: Callable, unit: FileUnit, resolver: Resolver): boolean {
  let current: TSESTree.ClassDeclaration | TSESTree.ClassExpression | undefined = cls;
  let currentUnit = unit;
  for (let i = 0; current?.superClass && i < 6; i++) {
    const superClass = unwrap(current.superClass);
    if (superClass.type !== T.Identifier) return false;
    const binding = resolver.bindingOf(superClass, currentUnit);
    if (binding.kind !== 'class') return false;
    if (target.cls && sameNode(binding.cls, target.unit, target.cls)) return true;
    current = binding.cls.node;
    currentUnit = binding.cls.unit;
  }
  return false;
}

/** The caller's file imports the module that declares the function (or its class). */
function importsModuleOf(unit: FileUnit, target: Callable, resolver: Resolver): boolean {
  if (unit.file === target.unit.file) return true;
  for (const statement of unit.ast.body) {
    if (statement.type !== T.ImportDeclaration) continue;
    if (resolver.modules.resolve(unit.file, statement.source.value) === target.unit.file) return true;
  }
  return false;
}

/** Call sites read to bind one parameter: a function called from more places is left unknown. */
const MAX_BINDING_SITES = 8;

/**
 * The value flow's view of the call graph (src/flow/origin.ts): the call sites of a named project
 * function when every one of them is known, resolved and calls it (it is never handed on as a
 * value, and no receiver was matched by name alone), at most a few; undefined otherwise.
 */
export function callerLookup(root: string, resolver: Resolver, excluded: (relativePath: string) => boolean): CallerLookup {
  let byRoot = lookups.get(resolver);
  if (!byRoot) lookups.set(resolver, (byRoot = new Map()));
  let lookup = byRoot.get(root);
  if (!lookup) byRoot.set(root, (lookup = newCallerLookup(callGraphFor(searchRootOf(root), resolver, excluded))));
  return lookup;
}

/** One lookup per project root and resolver: asked for every query whose client a parameter holds. */
const lookups = new WeakMap<Resolver, Map<string, CallerLookup>>();

function newCallerLookup(graph: CallGraph): CallerLookup {
  return (fn, unit) => {
    const named = nameOf(fn);
    if (!named) return undefined;
    const sites = graph.callersOf({ fn, unit, name: named.name, ...(named.cls ? { cls: named.cls } : {}) });
    if (sites.length === 0 || sites.length > MAX_BINDING_SITES) return undefined;
    if (sites.some((s) => s.kind !== 'call' || s.how !== 'resolved')) return undefined;
    return sites;
  };
}

/** One call graph per search root and resolver (a scan, or an editor session). */
const graphs = new WeakMap<Resolver, Map<string, CallGraph>>();

export function callGraphFor(root: string, resolver: Resolver, excluded: (relativePath: string) => boolean): CallGraph {
  let byRoot = graphs.get(resolver);
  if (!byRoot) graphs.set(resolver, (byRoot = new Map()));
  let graph = byRoot.get(root);
  if (!graph) byRoot.set(root, (graph = new CallGraph(root, resolver, excluded)));
  return graph;
}

/** For evidence: `file:line` of a node relative to a root. */
export function placeOf(root: string, unit: FileUnit, node: Node): string {
  return `${relative(root, unit.file).split('\\').join('/')}:${node.loc.start.line}`;
}

export { walk };
