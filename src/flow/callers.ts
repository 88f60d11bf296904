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
import { memberName, propertyName, staticName, T, unwrap, variableOf, walk, type FileUnit, type Node } from '../core/ast.js';
import type { Resolver, ServiceTag } from '../core/resolve.js';
import { classChain } from './heritage.js';
import { originsOf, registerServiceLookup, typeOrigins, type CallerLookup, type ServiceLookup } from './origin.js';
import { injectedCallers, type InjectionSearch } from './injected-use-cases.js';

export interface CallSite {
  call: TSESTree.CallExpression;
  unit: FileUnit;
  /** `call` calls the function, or is handed it as an argument (`router.get('/x', auth, handler)`): a registration. */
  kind: 'call' | 'argument';
  /** How the call was tied to the function: resolved, or by name and an import of its module. */
  how: 'resolved' | 'by-name';
}

/** Who extends a class and where it is constructed (CallGraph.classUses). */
export interface ClassUses {
  subclasses: { node: TSESTree.ClassDeclaration | TSESTree.ClassExpression; unit: FileUnit }[];
  constructions: { call: TSESTree.NewExpression; unit: FileUnit }[];
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
      // `findById: (id) => Effect.gen(function* () { ... })`: the program is the function's own code, run
      // when its caller runs the effect it returns. At the top level it is run by whoever yields it, later.
      const outer = name === 'gen' && effectGenerator(fn) && effectImport(callee, unit) ? enclosing(fn) : undefined;
      if (outer) {
        fn = outer;
        continue;
      }
    }
    // `return this.memorize('count', () => this.store.count())` (unleash's instance stats): a method of
    // the same class that calls the callback it is handed runs it for the method that hands it.
    const runner = ownMethodRunning(fn);
    const runs = runner && enclosing(runner);
    if (runs) {
      fn = runs;
      continue;
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

/**
 * `Effect.fn('name')(function* (input) { ... }, ...pipeables)`, `Effect.fn(function* ...)`, `Effect.fnUntraced(...)`:
 * a function that runs the generator with its arguments. Returns the generator.
 */
export function effectFunction(node: Node): TSESTree.FunctionExpression | undefined {
  const call = unwrap(node);
  if (call.type !== T.CallExpression) return undefined;
  const first = call.arguments[0];
  if (first?.type !== T.FunctionExpression || !first.generator) return undefined;
  let callee = unwrap(call.callee);
  if (callee.type === T.CallExpression) callee = unwrap(callee.callee);
  return callee.type === T.MemberExpression && /^fn(Untraced)?$/.test(memberName(callee) ?? '') ? first : undefined;
}

/** `Effect.gen`, `Micro.gen`: a member of a binding the file imports from `effect` (or `effect/...`), not any `gen`. */
function effectImport(callee: Node, unit: FileUnit): boolean {
  if (callee.type !== T.MemberExpression) return false;
  const object = unwrap(callee.object);
  if (object.type !== T.Identifier) return false;
  return unit.ast.body.some(
    (statement) =>
      statement.type === T.ImportDeclaration &&
      (statement.source.value === 'effect' || statement.source.value.startsWith('effect/')) &&
      statement.specifiers.some((specifier) => specifier.local.name === object.name),
  );
}

/** `Effect.gen(function* () { ... })`, `Effect.gen(this, function* () { ... })`: the generator is the program. */
function effectGenerator(fn: TSESTree.FunctionLike): boolean {
  const call = fn.parent;
  return fn.type === T.FunctionExpression && fn.generator && call?.type === T.CallExpression && call.arguments[call.arguments.length - 1] === fn;
}

/** The plain call a dispatch table holding `fn` is handed to, when there is one: `runQuery({ [PRISMA]: () => ... })`. */
function dispatchCall(fn: TSESTree.FunctionLike): TSESTree.CallExpression | undefined {
  const parent = fn.parent;
  const table = parent?.type === T.Property && parent.value === fn ? parent.parent : undefined;
  if (table?.type !== T.ObjectExpression || table.parent?.type !== T.CallExpression) return undefined;
  const call = table.parent;
  return call.arguments.includes(table) && unwrap(call.callee).type === T.Identifier ? call : undefined;
}

/**
 * The call `this.method(..., fn, ...)` when `method` is a method of the class around it that calls
 * the parameter `fn` is handed as (`memorize(key, fn) { ... fn() ... }`), read from the class's own
 * body: a method that stores the callback for later (a registry) does not call it, and is not climbed.
 */
function ownMethodRunning(fn: TSESTree.FunctionLike): TSESTree.CallExpression | undefined {
  const call = fn.parent;
  if (call?.type !== T.CallExpression) return undefined;
  const index = call.arguments.indexOf(fn as TSESTree.CallExpressionArgument);
  const callee = unwrap(call.callee);
  if (index < 0 || callee.type !== T.MemberExpression || unwrap(callee.object).type !== T.ThisExpression) return undefined;
  const name = memberName(callee);
  const cls = name ? enclosingClassOf(call) : undefined;
  if (!name || (cls?.type !== T.ClassDeclaration && cls?.type !== T.ClassExpression)) return undefined;
  const method = cls.body.body.find((m): m is TSESTree.MethodDefinition => m.type === T.MethodDefinition && m.kind === 'method' && !m.computed && propertyName(m) === name);
  return method && runsParameter(method.value, index) ? call : undefined;
}

/** The function calls the parameter at `index` (a callback it is handed and runs: `await fn()`). */
export function runsParameter(fn: TSESTree.FunctionLike, index: number): boolean {
  const param = fn.params[index];
  if (param?.type !== T.Identifier) return false;
  let calls = false;
  walk(fn.body ?? fn, (node) => {
    if (!calls && node.type === T.CallExpression && unwrap(node.callee).type === T.Identifier && (unwrap(node.callee) as TSESTree.Identifier).name === param.name) calls = true;
  });
  return calls;
}

/** `new Promise((resolve, reject) => ...)`: the executor runs in the function that builds the promise. */
function isPromiseExecutor(fn: TSESTree.FunctionLike): boolean {
  const parent = fn.parent;
  return parent?.type === T.NewExpression && parent.arguments[0] === fn && unwrap(parent.callee).type === T.Identifier && (unwrap(parent.callee) as TSESTree.Identifier).name === 'Promise';
}

/** A callback run in place by the call it is passed to (a transaction, `map`, `Promise.all`, a dispatch table, a Promise executor). */
export function isInlineCallback(fn: TSESTree.FunctionLike): boolean {
  if (dispatchCall(fn) && enclosing(fn)) return true;
  if (ownMethodRunning(fn) && enclosing(fn)) return true;
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
  // `export const deleteFlag = Effect.fn('flags.delete')(function* (input) { ... })`: the generator is the function.
  let node: Node = fn.parent && effectFunction(fn.parent) === fn ? fn.parent : fn;
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
  /** A file's unit for a look whose tree is not kept (ModuleGraph.peek); null when it cannot be read or parsed. */
  peek(file: string): FileUnit | null;
}

function listingOf(modules: object): SourceListing | undefined {
  return 'sourceFilesUnder' in modules && 'sourceText' in modules && 'peek' in modules ? (modules as SourceListing) : undefined;
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
  /**
   * What a scanned file's calls name and its object literals store, by file, read once per scan from
   * a parse that is not kept (SourceListing.peek): a search parses and keeps only the files that call
   * the name, not every file whose text contains it.
   */
  private readonly summaries = new Map<string, FileSummary>();
  /** The source files by each word they hold (see wordIndex), built on the first search. */
  private words: Map<string, string[]> | undefined;
  /** What injectedCallers searches through (its memo is kept per search). */
  private injection: InjectionSearch | undefined;

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
      // A file that names it only inside longer words (`get` in `getUser`) is not parsed to be sure.
      files = this.filesNamingWhole(name).filter((file) => (this.listing ? this.summaryOf(file).called.has(name) : (this.indexOf(file)?.get(name)?.length ?? 0) > 0));
      this.byName.set(name, files);
    }
    const found: Reference[] = [];
    for (const file of files) found.push(...(this.indexOf(file)?.get(name) ?? []));
    return found;
  }

  /** What a listed file calls and stores (see summaries), from the graph's unit or a parse that is not kept. */
  private summaryOf(file: string): FileSummary {
    let summary = this.summaries.get(file);
    if (summary) return summary;
    const unit = this.listing?.peek(file);
    summary = { called: new Set(), stored: new Map() };
    if (unit) {
      for (const [name, references] of this.indexOfUnit(unit)) if (references.length > 0) summary.called.add(name);
      for (const [key, values] of storedUnder(unit)) {
        for (const value of values) {
          if (value === key) continue;
          const keys = summary.stored.get(value);
          if (keys) keys.push(key);
          else summary.stored.set(value, [key]);
        }
      }
    }
    this.summaries.set(file, summary);
    return summary;
  }

  /** Every call of a file by the names it calls and is handed, in source order: one walk per parse. */
  private indexOf(file: string): Map<string, Reference[]> | undefined {
    const unit = this.resolver.modules.unit(file);
    return unit ? this.indexOfUnit(unit) : undefined;
  }

  private indexOfUnit(unit: FileUnit): Map<string, Reference[]> {
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
        // `fastify.route({ method: 'GET', url: '/stats', handler: controller.stats })` (openpanel's API): a route's
        // options object names its handler, which the call registers as it would a handler argument. So does
        // `this.route({ handler: this.x, permission })` (unleash's controllers): the paths read the check the base
        // class's `route` builds from the options (src/policies/shared/route-options.ts).
        if (value.type === T.ObjectExpression) {
          for (const property of value.properties) {
            if (property.type !== T.Property || property.computed || propertyName(property) !== 'handler') continue;
            const handed = unwrap(property.value);
            const name = handed.type === T.Identifier ? handed.name : handed.type === T.MemberExpression && plainChain(handed.object) ? memberName(handed) : undefined;
            if (name) add(name, { call: node, unit, ref: handed, kind: 'argument' });
          }
        }
      }
    });
    // `const runShard = options.runShard ?? runLogsnagInsightsShard; ... runShard(c, shard)` (capgo,
    // judged F086): a function chosen into a local and called through it is called where the local is.
    for (const { local, chosen } of localChoices(unit)) {
      for (const use of usesOf(local, unit)) {
        for (const value of chosen) {
          const named = referenceName(value);
          if (named) add(named, { ...use, ref: value });
        }
      }
    }
    this.indexes.set(unit, (index = built));
    return index;
  }

  /**
   * The keys a function is stored under in object literals (`{ run: runShard }`, `{ run: a ?? b }`),
   * other than its own name: calls of `<x>.run()` may be calls of it, once `<x>` resolves to that object.
   */
  private storedKeysOf(name: string): string[] {
    const keys = new Set<string>();
    if (this.listing) {
      for (const file of this.filesNamingWhole(name)) {
        for (const key of this.summaryOf(file).stored.get(name) ?? []) keys.add(key);
      }
      return [...keys].slice(0, MAX_ALIASES);
    }
    for (const file of this.filesNamingWhole(name)) {
      const unit = this.resolver.modules.unit(file);
      if (!unit) continue;
      for (const [key, values] of storedUnder(unit)) if (key !== name && values.has(name)) keys.add(key);
    }
    return [...keys].slice(0, MAX_ALIASES);
  }

  /**
   * Where another source file names a function that no traced call reaches (`videos.delete(id)` on a
   * service the graph does not resolve, an OpenAPI `operationId`, `handler.handle(...)` in a project
   * router): `file:line` of the first, so that "nothing calls it" is not claimed. See paths.ts.
   */
  namedElsewhere(target: Callable): string | undefined {
    if (target.name === 'default' || !WORD.test(target.name)) return undefined;
    const name = target.name.replace(/\$/g, '\\$');
    // A member read (`videos.delete(`, `handler.handle(`) or a string (`operationId: 'resend'`); not a file
    // that declares a function of the same name (`async clearCards(id) {`), whose own calls go to it.
    const named = new RegExp(`\\.${name}(?![\\w$])|['"\`]${name}['"\`]`);
    const declared = new RegExp(`(?<![\\w$.])${name}\\s*\\(`);
    // The nearest such file by folder (the same package before another app's file that happens to use
    // the word: Cap's `videos.delete` in the service's own folder, not in the browser extension).
    let best: { file: string; at: number; text: string; near: number } | undefined;
    for (const file of this.filesNamingWhole(target.name)) {
      if (file === target.unit.file) continue;
      const text = this.textOf(file);
      const at = named.exec(text)?.index;
      if (at === undefined || declared.test(text)) continue;
      const near = sharedFolders(file, target.unit.file);
      if (!best || near > best.near) best = { file, at, text, near };
    }
    if (!best) return undefined;
    return `${relative(this.root, best.file).split('\\').join('/')}:${best.text.slice(0, best.at).split('\n').length}`;
  }

  /**
   * The source files whose text names `name` other than inside a longer word (namesWhole), in
   * sourceFiles order. For a name of ASCII word characters only (nearly every function name) that
   * is a file holding the name as one whole word, answered from an index of every file's words built
   * once: testing each file's text for each searched name was 3 to 4 % of a scan (teable).
   */
  private filesNamingWhole(name: string): readonly string[] {
    if (name.length === 0 || !WORD.test(name)) return this.candidatesOf(name).filter((file) => namesWhole(this.textOf(file), name));
    return this.wordIndex().get(name) ?? [];
  }

  /** Each ASCII word of the source files' texts (a maximal run of asciiWordChar), with the files holding it, in sourceFiles order. */
  private wordIndex(): Map<string, string[]> {
    if (this.words) return this.words;
    const words = new Map<string, string[]>();
    for (const file of this.sourceFiles()) {
      const seen = new Set<string>();
      for (const match of this.textOf(file).matchAll(WORDS)) {
        const word = match[0];
        if (seen.has(word)) continue;
        seen.add(word);
        const files = words.get(word);
        if (files) files.push(file);
        else words.set(word, [file]);
      }
    }
    this.words = words;
    return words;
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
    // `const handlers = { run: runShard }; handlers.run()`: called by the key it is stored under.
    const keys = target.name !== 'default' && !target.cls ? this.storedKeysOf(target.name) : [];
    const kept: SiteAt[] = [];
    for (const name of [...names, ...keys]) {
      const stored = !names.includes(name);
      for (const { call, unit, ref, kind } of this.callsNamed(name)) {
        if (stored && unwrap(ref).type !== T.MemberExpression) continue;
        if (unit.file === target.unit.file && isInside(call, target.fn)) continue;
        const how = this.matches(ref, call, unit, target);
        if (!how) continue;
        sites.push({ call, unit, how, kind });
        kept.push({ file: unit.file, call: call.range[0], name, how, kind });
      }
    }
    // `this.useCase.execute()` on an injected use case runs its `implementation()` (issue 13).
    this.injection ??= { resolver: this.resolver, callsNamed: (name) => this.callsNamed(name), filesNaming: (name) => this.filesNamingWhole(name) };
    for (const { call, unit, name } of injectedCallers(target, this.injection)) {
      sites.push({ call, unit, how: 'resolved', kind: 'call' });
      kept.push({ file: unit.file, call: call.range[0], name, how: 'resolved', kind: 'call' });
    }
    this.searching.delete(id);
    this.callers.set(id, kept);
    return sites;
  }

  /** The calls whose callee is `name` or `<x>.name`, outside tests: candidates by name, which the asker confirms by resolving the callee. */
  callsTo(name: string): { call: TSESTree.CallExpression; unit: FileUnit }[] {
    return this.callsNamed(name).filter((r) => r.kind !== 'argument').map(({ call, unit }) => ({ call, unit }));
  }

  /**
   * The calls handed `name` as an argument (`repository.extend(userExtension)`), outside tests: candidates
   * by name, which the asker confirms by resolving the argument.
   */
  callsHanded(name: string): { call: TSESTree.CallExpression; unit: FileUnit; ref: Node }[] {
    return this.callsNamed(name).filter((r) => r.kind === 'argument').map(({ call, unit, ref }) => ({ call, unit, ref }));
  }

  /**
   * The calls handed a service tag as an argument (`Layer.effect(SqlClient, make)`,
   * `Effect.provideService(program, SqlClient, impl)`), outside tests: where layers may provide its
   * value. Candidates by the tag's name, confirmed by resolving the argument to the same declaration.
   */
  tagArguments(tag: ServiceTag): CallSite[] {
    const id = `tag:${nodeKey(tag.unit, tag.node)}`;
    const known = this.callers.get(id);
    if (known) return this.sitesAt(known);
    const sites: CallSite[] = [];
    const kept: SiteAt[] = [];
    for (const { call, unit, ref, kind } of this.callsNamed(tag.name)) {
      if (kind !== 'argument') continue;
      const named = this.resolver.serviceTag(ref, unit);
      if (!named || named.unit.file !== tag.unit.file || named.node.range[0] !== tag.node.range[0]) continue;
      sites.push({ call, unit, how: 'resolved', kind });
      kept.push({ file: unit.file, call: call.range[0], name: tag.name, how: 'resolved', kind });
    }
    this.callers.set(id, kept);
    return sites;
  }

  /**
   * The classes that extend a class (their `extends` resolved to it) and its `new C(...)` sites,
   * outside tests: who chooses the values its constructor is given. Candidates by the class's name
   * in the file text, confirmed by resolution; a class without a name has none.
   */
  classUses(cls: TSESTree.ClassDeclaration | TSESTree.ClassExpression, unit: FileUnit): ClassUses {
    const uses: ClassUses = { subclasses: [], constructions: [] };
    const name = cls.id?.name;
    if (!name) return uses;
    const target = { node: cls, unit };
    const isTarget = (expression: Node, at: FileUnit): boolean => {
      const node = unwrap(expression);
      if (node.type !== T.Identifier) return false;
      const binding = this.resolver.bindingOf(node, at);
      return binding.kind === 'class' && sameNode(binding.cls, unit, target.node);
    };
    for (const file of this.candidatesOf(name)) {
      const at = this.resolver.modules.unit(file);
      if (!at) continue;
      walk(at.ast, (node) => {
        if ((node.type === T.ClassDeclaration || node.type === T.ClassExpression) && node !== cls && node.superClass && isTarget(node.superClass, at)) uses.subclasses.push({ node, unit: at });
        if (node.type === T.NewExpression && isTarget(node.callee, at)) uses.constructions.push({ call: node, unit: at });
      });
    }
    return uses;
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
        // Only imports of this very module: retraced has dozens of `models/<table>/get` modules, and
        // the names given to the others (`getSavedSearch`) crowded out the one that calls this one
        // (`getActiveSearch`, judged F009) under MAX_ALIASES.
        if ((statement.type === T.ImportDeclaration || statement.type === T.ExportNamedDeclaration) && statement.source && this.resolver.modules.resolve(file, statement.source.value) !== target.unit.file) continue;
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
      const generator = binding.kind === 'value' ? effectFunction(binding.value.node) : undefined;
      return generator && sameNode({ node: generator, unit: binding.kind === 'value' ? binding.value.unit : unit }, target.unit, target.fn) ? 'resolved' : undefined;
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
        // A receiver typed with an abstract class (`repo: UserRepository`) holds an instance of a subclass:
        // the subclass's override is what runs.
        if (origin.kind === 'instance' && origin.cls.abstract && extendsClass(target.cls, { ...target, cls: origin.cls, unit: origin.unit }, target.unit, this.resolver)) return 'resolved';
      } else if (origin.kind === 'object' && isTypeShape(origin.node)) {
        // A receiver typed with an interface (`private store: IAccessStore`, unleash judged F094-F096):
        // the methods of the project's classes that implement it are what run.
        const shape = nodeKey(origin.unit, shapeOf(origin.node));
        if (target.cls ? implementedShapes(target.cls, target.unit, this.resolver).has(shape) : objectShapes(target, this.resolver).has(shape)) return 'resolved';
      } else if (origin.kind === 'object') {
        // The member called (`handlers.run()`), which is the function's own name unless it was stored under another key.
        const key = memberName(callee) ?? target.name;
        const property = origin.node.properties.find((p) => p.type === T.Property && propertyName(p) === key);
        if (property?.type === T.Property && sameNode({ node: unwrap(property.value), unit: origin.unit }, target.unit, target.fn)) return 'resolved';
        if (property?.type === T.Property && property.value.type !== T.AssignmentPattern) {
          for (const value of choicesOf(property.value)) {
            if (value.type !== T.Identifier) continue;
            const binding = this.resolver.bindingOf(value, origin.unit);
            if (binding.kind === 'function' && sameNode(binding.fn, target.unit, target.fn)) return 'resolved';
          }
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

/** What one file's calls name or are handed (its index's names), and the keys its object literals store each name under. */
interface FileSummary {
  called: Set<string>;
  stored: Map<string, string[]>;
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

/**
 * The values an expression may be, looking through fallbacks and choices: `a ?? b`, `a || b`,
 * `c ? a : b`, `a as F`. What a local or a property holds when it is later called.
 */
function choicesOf(expression: Node, depth = 0): Node[] {
  const node = unwrap(expression);
  if (depth > 4) return [];
  if (node.type === T.LogicalExpression) return [...choicesOf(node.left, depth + 1), ...choicesOf(node.right, depth + 1)];
  if (node.type === T.ConditionalExpression) return [...choicesOf(node.consequent, depth + 1), ...choicesOf(node.alternate, depth + 1)];
  return node.type === T.Identifier || node.type === T.MemberExpression ? [node] : [];
}

/** A character that continues an ASCII identifier (or a string key written next to it). */
/** A name made only of ASCII word characters (asciiWordChar), and every such run in a text. */
const WORD = /^[A-Za-z0-9_$]+$/;
const WORDS = /[A-Za-z0-9_$]+/g;

function asciiWordChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 36;
}

/**
 * Whether `text` holds `name` other than inside a longer word: a call of `name`, a function handed
 * on as `name` or stored under a key (an identifier, or a string key `obj['name']`) is written so,
 * escapes aside, and an escape never yields a name whose letters stand in the text between word
 * characters. False only when every occurrence has an ASCII word character against a word end of
 * `name`: then no tree of the file calls, hands on or stores `name`, and the file need not be parsed
 * to know it.
 */
export function namesWhole(text: string, name: string): boolean {
  if (name.length === 0) return true;
  const checkStart = asciiWordChar(name.charCodeAt(0));
  const checkEnd = asciiWordChar(name.charCodeAt(name.length - 1));
  for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + 1)) {
    if (checkStart && at > 0 && asciiWordChar(text.charCodeAt(at - 1))) continue;
    const after = at + name.length;
    if (checkEnd && after < text.length && asciiWordChar(text.charCodeAt(after))) continue;
    return true;
  }
  return false;
}

/** The name a function is referred to by: `fn`, or the member of a plain chain (`this.handle`). */
function referenceName(node: Node): string | undefined {
  if (node.type === T.Identifier) return node.name;
  return node.type === T.MemberExpression && plainChain(node.object) ? memberName(node) : undefined;
}

/**
 * Locals that hold a function chosen from names: `const run = options.run ?? defaultRun`,
 * `const { run = defaultRun } = options`, a parameter's default `(run = defaultRun) => ...`.
 */
function localChoices(unit: FileUnit): { local: TSESTree.Identifier; chosen: Node[] }[] {
  const out: { local: TSESTree.Identifier; chosen: Node[] }[] = [];
  walk(unit.ast, (node) => {
    if (node.type === T.VariableDeclarator && node.id.type === T.Identifier && node.init) {
      const init = unwrap(node.init);
      // A plain `const x = y.z` is a value read, not a choice of function; `const f = g` is an alias.
      if (init.type === T.LogicalExpression || init.type === T.ConditionalExpression || init.type === T.Identifier) {
        const chosen = choicesOf(init);
        if (chosen.length) out.push({ local: node.id, chosen });
      }
    } else if (node.type === T.AssignmentPattern && node.left.type === T.Identifier) {
      const chosen = choicesOf(node.right).filter((value) => value.type === T.Identifier);
      if (chosen.length) out.push({ local: node.left, chosen });
    }
  });
  return out;
}

/** Where a local is called, or handed on as an argument. */
function usesOf(local: TSESTree.Identifier, unit: FileUnit): { call: TSESTree.CallExpression; unit: FileUnit; kind: CallSite['kind'] }[] {
  const variable = variableOf(unit.scopeManager, local);
  if (!variable) return [];
  const out: { call: TSESTree.CallExpression; unit: FileUnit; kind: CallSite['kind'] }[] = [];
  for (const reference of variable.references) {
    const id = reference.identifier;
    if (id === local) continue;
    const parent = id.parent;
    if (parent?.type !== T.CallExpression) continue;
    if (parent.callee === id) out.push({ call: parent, unit, kind: 'call' });
    else if (parent.arguments.includes(id as TSESTree.CallExpressionArgument)) out.push({ call: parent, unit, kind: 'argument' });
  }
  return out;
}

/** Names stored in a file's object literals, by the key they are stored under: one walk per file. */
const storedIn = new WeakMap<FileUnit, Map<string, Set<string>>>();

function storedUnder(unit: FileUnit): Map<string, Set<string>> {
  let found = storedIn.get(unit);
  if (found) return found;
  found = new Map();
  const map = found;
  walk(unit.ast, (node) => {
    if (node.type !== T.Property || node.parent?.type !== T.ObjectExpression || node.shorthand) return;
    const key = propertyName(node);
    if (!key) return;
    for (const value of choicesOf(node.value)) {
      if (value.type !== T.Identifier) continue;
      let names = map.get(key);
      if (!names) map.set(key, (names = new Set()));
      names.add(value.name);
    }
  });
  storedIn.set(unit, found);
  return found;
}

/** An object origin that is a type's members (an interface, a type literal), not an object literal. */
function isTypeShape(node: TSESTree.ObjectExpression): boolean {
  return Reflect.get(node, 'typeLiteral') !== undefined && node.parent !== undefined;
}

/** The interface or type literal an object origin reads its members from. */
function shapeOf(node: TSESTree.ObjectExpression): Node {
  return node.parent ?? node;
}

/** Interfaces followed up an `extends` chain, and classes up their `extends`, before giving up. */
const MAX_HERITAGE = 6;

const implemented = new WeakMap<Node, Set<string>>();

/**
 * The interfaces and type literals a class implements (`class AccessStore implements IAccessStore`),
 * directly, through the interfaces those extend, or through its base classes, by their node keys.
 */
function implementedShapes(cls: TSESTree.ClassDeclaration | TSESTree.ClassExpression, unit: FileUnit, resolver: Resolver): Set<string> {
  const cached = implemented.get(cls);
  if (cached) return cached;
  const declared: { type: TSESTree.TypeNode; unit: FileUnit }[] = [];
  for (const { cls: current, unit: currentUnit } of classChain(cls, unit, resolver)) {
    for (const clause of current.implements ?? []) if (clause.expression.type === T.Identifier) declared.push({ type: typeNamed(clause.expression), unit: currentUnit });
  }
  const shapes = shapesOf(declared, resolver);
  implemented.set(cls, shapes);
  return shapes;
}

/**
 * The interfaces an object literal holding the function is declared as: `const store: ICardStore =
 * { clearCards() {...} }`, `{ ... } satisfies ICardStore`. Such an object is an implementation as a
 * class that says `implements` is.
 */
function objectShapes(target: Callable, resolver: Resolver): Set<string> {
  const property = target.fn.parent;
  const object = property?.type === T.Property && property.value === target.fn ? property.parent : undefined;
  if (object?.type !== T.ObjectExpression) return new Set();
  const cached = implemented.get(object);
  if (cached) return cached;
  const holder = object.parent;
  const type =
    holder?.type === T.VariableDeclarator && holder.init === object && holder.id.type === T.Identifier
      ? holder.id.typeAnnotation?.typeAnnotation
      : (holder?.type === T.TSSatisfiesExpression || holder?.type === T.TSAsExpression) && holder.expression === object
        ? holder.typeAnnotation
        : undefined;
  const shapes = type ? shapesOf([{ type, unit: target.unit }], resolver) : new Set<string>();
  implemented.set(object, shapes);
  return shapes;
}

/** A type reference to a name (an `implements` clause read as a type). */
function typeNamed(name: TSESTree.Identifier): TSESTree.TypeNode {
  return { type: T.TSTypeReference, typeName: name, range: name.range, loc: name.loc, parent: name.parent } as unknown as TSESTree.TypeNode;
}

/** The project interfaces and type literals some types name, with the interfaces those extend, by node key. */
function shapesOf(declared: { type: TSESTree.TypeNode; unit: FileUnit }[], resolver: Resolver): Set<string> {
  const shapes = new Set<string>();
  const walkState = { resolver, depth: 0, active: new Set<Node>(), sites: 0 };
  const pending = declared.map((d) => ({ ...d, depth: 0 }));
  while (pending.length) {
    const next = pending.pop();
    if (!next || next.depth > MAX_HERITAGE) continue;
    for (const origin of typeOrigins(next.type, next.unit, walkState)) {
      if (origin.kind !== 'object' || !isTypeShape(origin.node)) continue;
      const shape = shapeOf(origin.node);
      const key = nodeKey(origin.unit, shape);
      if (shapes.has(key)) continue;
      shapes.add(key);
      // `interface IAccessStore extends Store<IRole, number>`: a receiver typed with the base interface holds it too.
      if (shape.type === T.TSInterfaceDeclaration) {
        for (const base of shape.extends) if (base.expression.type === T.Identifier) pending.push({ type: typeNamed(base.expression), unit: origin.unit, depth: next.depth + 1 });
      }
    }
  }
  return shapes;
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

/**
 * Makes the value flow see the project's service layers (`yield* SqlClient` is what
 * `Layer.effect(SqlClient, ...)` provides), for every question asked with this resolver about files
 * under the project's search root: the analysis driver calls it once per project.
 */
export function useServiceLayers(root: string, resolver: Resolver, excluded: (relativePath: string) => boolean): void {
  const search = searchRootOf(root);
  registerServiceLookup(resolver, search, (): ServiceLookup => {
    const graph = callGraphFor(search, resolver, excluded);
    return (tag) => graph.tagArguments(tag);
  });
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

/** How many leading folders two paths share. */
function sharedFolders(a: string, b: string): number {
  const x = a.split(/[\\/]/);
  const y = b.split(/[\\/]/);
  let n = 0;
  while (n < x.length - 1 && n < y.length - 1 && x[n] === y[n]) n++;
  return n;
}
