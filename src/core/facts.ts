/**
 * The facts models hand policies, beside QuerySite (query-site.ts): where client input enters and
 * where the verified identity lives (web frameworks), where a query puts tenant values (data
 * layers), and `Models`, the one object through which a policy asks for them. A policy imports
 * this file, never a model: the analysis driver hands it the registered models. Contracts only:
 * nothing here imports from src/ outside src/core/.
 */
import type { TSESTree } from '@typescript-eslint/types';
import type { FileUnit, Node } from './ast.js';
import type { AnalysisContext, QuerySite } from './query-site.js';
import type { Located, Resolver } from './resolve.js';

// ---------------------------------------------------------------- web frameworks

export type FrameworkName = 'express' | 'fastify' | 'koa' | 'hono' | 'nestjs' | 'nextjs' | 'trpc';

/** Where client-controlled input enters, as messages name it: `header x-tenant-id`, `route parameter orgId`. */
export type SourceCategory =
  | 'header'
  | 'query parameter'
  | 'route parameter'
  | 'body field'
  | 'cookie'
  | 'hostname'
  | 'form field'
  | 'search parameter'
  | 'tRPC input field'
  | 'server action argument'
  | 'request URL';

/**
 * A framework object that is not itself client data: the request, the Koa context, `res.locals`,
 * a NestJS ExecutionContext. Members and methods of it are classified by its recognizer.
 */
export interface FrameworkObject {
  kind: 'framework';
  framework: FrameworkName;
  role: string;
  /** How code usually names it, for messages: `req`, `ctx.state`, `res.locals`. */
  label: string;
  /** Tenant-named properties assigned onto it become the request's tenant context (a sink). */
  context: boolean;
  /**
   * Its members are what these functions return (a tRPC `ctx` is what `createContext` returns):
   * a member one of them builds from client input is that input; any other member is `otherwise`.
   */
  returnedBy?: Located<TSESTree.FunctionLike>[];
  /** What the functions of `returnedBy` receive as their first argument when their own parameters do not say. */
  argument?: FrameworkObject;
  /** For an object that holds such an object (tRPC's `{ ctx, input, next }`): what builds it. */
  builds?: { returnedBy: Located<TSESTree.FunctionLike>[]; replacedBy: Located<TSESTree.FunctionLike>[] };
  /**
   * Functions that run before and may replace members (tRPC middlewares of the procedure that
   * call `next({ ctx: { ...ctx, teamId } })`): a member each path of one of them replaces with a
   * value that is not client input is no longer the factory's.
   */
  replacedBy?: Located<TSESTree.FunctionLike>[];
}

/**
 * A TenantSource as a recognizer first sees it: client-controlled input, either a container
 * (`req.query`, `await request.json()`) or one value of it (`req.header('x-tenant-id')`).
 */
export interface ClientInput {
  kind: 'client';
  framework: FrameworkName;
  category: SourceCategory;
  /** Field names below the container: `['orgId']` for `req.body.orgId`. */
  path: string[];
  /**
   * `map` containers are read with `.get(name)`: fetch Headers, URLSearchParams, FormData, Next
   * cookies. `any`: either way (a request whose adapter is not known: `req.headers['x']` of Node,
   * `req.headers.get('x')` of fetch).
   */
  shape: 'object' | 'map' | 'any';
  /** A property that returns the value itself (`.value` of a Next.js cookie, `.data` of `safeParse`). */
  unwrap?: string;
  /** A segment of the path has no static name (`req.headers[name]`): never reported, counted as not analysable. */
  dynamic?: boolean;
  /**
   * The only fields the container can hold: a NestJS `@Body()` DTO under a whitelisting
   * `ValidationPipe` (undeclared fields are stripped before the handler runs).
   */
  fields?: string[];
}

/** The verified identity, or something derived from it: never client-controlled. */
export interface VerifiedIdentity {
  kind: 'trusted';
  why: string;
}

export interface NotInteresting {
  kind: 'none';
}

export type HttpValue = FrameworkObject | ClientInput | VerifiedIdentity | NotInteresting;

/** An import an expression is traced back to: `express()` → `{ source: 'express', imported: 'default' }`. */
export interface PackageRef {
  source: string;
  imported: string;
}

/** A framework-specific place where a value becomes the tenant context: `c.set('tenantId', v)`. */
export interface SinkFact {
  /** What happens to the value, worded for the message: "stored as the tenant context with `c.set('tenantId')`". */
  label: string;
  value: Node;
  /** Where to point when naming the sink. */
  node: Node;
}

/** What recognizers may ask of the analysis. */
export interface HttpContext {
  unit: FileUnit;
  resolver: Resolver;
  /** The framework object an expression evaluates to, following variables and parameters. */
  frameworkObject(node: Node): FrameworkObject | undefined;
  /** The package import a receiver is constructed from, following variables, calls and typed parameters. */
  packageRoot(node: Node): PackageRef | undefined;
  /**
   * A question about `node` (in `unit`) that the analysis could not answer within its budget (a
   * receiver built through too many declarations): the policy counts it as not analysable.
   */
  undecided?(node: Node, reason: string): void;
  /** The package import an identifier is bound to, following local re-exports. */
  packageOf(node: Node): PackageRef | undefined;
  isTenantName(name: string): boolean;
  /** What `fn` returns when called with `args` (a NestJS custom parameter decorator's factory). */
  valueReturnedBy(fn: Located<TSESTree.FunctionLike>, args: (HttpValue | undefined)[]): HttpValue;
}

/**
 * A function that runs before a handler and can reject the request: an earlier middleware of the
 * same route, an `app.use(...)` registered before it, a NestJS guard's `canActivate`.
 */
export interface Guard {
  fn: Located<TSESTree.FunctionLike>;
  /** What its parameters are (the request, the context), by position. */
  params: (HttpValue | undefined)[];
  /** Its result is the verdict (a guard's `canActivate`): any check in it gates, not only those that exit. */
  decides: boolean;
}

/**
 * One recognizer per web framework, shaped like the ORM recognizers: it says where client input
 * enters (parameters, members, calls) and where the verified identity lives; the policy in
 * src/policies/no-client-tenant-id/ follows the values and decides.
 */
export interface HttpRecognizer {
  name: FrameworkName;
  /** Texts whose presence in a file makes the recognizer worth running there (a cheap pre-filter). */
  markers: string[];
  /** Where the verified tenant lives in this framework, for the fix. */
  identityHint: string;
  /**
   * What parameter `index` of `fn` is: by its type (`req: Request` from express), its decorators
   * (`@Headers('x-tenant-id')`), the call that registers `fn` (`app.get('/', (req, res) => ...)`),
   * or a file convention (a Next.js route handler).
   */
  parameter(fn: TSESTree.FunctionLike, index: number, context: HttpContext): HttpValue | undefined;
  /** Parameter `index` of `fn` is an app or router of this framework (`app: FastifyInstance`, a plugin's `instance`). */
  receiverParameter?(fn: TSESTree.FunctionLike, index: number, context: HttpContext): PackageRef | undefined;
  /** `object.name`, for one of this recognizer's objects. */
  member(object: FrameworkObject, name: string | undefined): HttpValue | undefined;
  /** `object.method(...)`, for one of this recognizer's objects. */
  call(object: FrameworkObject, method: string, call: TSESTree.CallExpression, context: HttpContext): HttpValue | undefined;
  /** What a value declared with a type of this framework is (`c: Context` from hono, in `{ c }: { c: Context }`). */
  typed?(ref: PackageRef): HttpValue | undefined;
  /** A call of a function imported from a package: `headers()` from next/headers, `getCookie(c, 'team')`. */
  imported?(ref: PackageRef, call: TSESTree.CallExpression, context: HttpContext): HttpValue | undefined;
  /** Framework-specific sinks at a call: `c.set('tenantId', v)`, tRPC `next({ ctx: { orgId } })`. */
  sinks?(call: TSESTree.CallExpression, context: HttpContext): SinkFact[];
  /** What runs before handler `fn` and can reject the request. */
  guards?(fn: TSESTree.FunctionLike, context: HttpContext): Guard[];
  /**
   * Sinks in what a function returns: a tRPC `createContext` that returns `{ tenantId }`.
   * `role` is what the first parameter is, as the recognizers said.
   */
  returnSinks?(fn: TSESTree.FunctionLike, role: HttpValue | undefined, context: HttpContext): SinkFact[];
}

/** The web frameworks, and the package provenance of values that their recognizers and the policies share. */
export interface HttpModel {
  recognizers: readonly HttpRecognizer[];
  recognizerFor(framework: FrameworkName): HttpRecognizer | undefined;
  /** A cheap pre-filter: can this file read client input at all? */
  mayReadClientInput(file: string, text: string): boolean;
  /** The package import `node` is bound to (`express`, `express.Router`), following local re-exports. */
  packageOf(node: Node, unit: FileUnit, resolver: Resolver): PackageRef | undefined;
  /** The package a type annotation names: `req: Request` (express), `c: Context` (hono). */
  packageOfType(annotation: TSESTree.TypeNode | undefined, unit: FileUnit, resolver: Resolver): PackageRef | undefined;
  /** The import a receiver is constructed from (`express()`, `new Hono()`, a typed parameter). */
  packageRoot(node: Node, unit: FileUnit, context: HttpContext, parameterRoot: (fn: TSESTree.FunctionLike, index: number, unit: FileUnit) => PackageRef | undefined): PackageRef | undefined;
  /** The declared type of property `name` of a parameter's type (`{ c }: { c: Context }`, through aliases). */
  declaredPropertyType(param: TSESTree.Parameter | undefined, name: string, unit: FileUnit, resolver: Resolver): Located<TSESTree.TypeNode> | undefined;
}

// ---------------------------------------------------------------- data layers

/**
 * Where a query puts tenant values, in any data layer's syntax: the TenantSink fact. Each list
 * holds the expressions as written, located in the file that holds them. A data layer that cannot
 * express a position leaves it empty; a model that does not read one yet leaves it empty too.
 */
export interface TenantPositions {
  /** The model read the query's filter (a `where` built elsewhere, or none, is not read): the other filter lists are complete. */
  readable: boolean;
  /** Values the filter compares the tenant key with (`where: { orgId: v }`, `eq(t.orgId, v)`, `org_id = $1`); on the tenant root, its own unique keys. */
  filter: Located[];
  /** Values written as the row's tenant key (`data: { orgId: v }`, `.values({ orgId: v })`, `VALUES ($1)`). */
  write: Located[];
  /** Values the filter compares a user key with (`userId: v`, `members: { some: { userId: v } }`): a membership condition. */
  principals: Located[];
  /** The values the filter compares each top-level key with, in order: what a lookup of the tenant row is by. */
  criteria: Located[];
  /** Every value anywhere in the filter, nested conditions included: what a membership lookup checks. */
  compared: Located[];
  /** The filter as written (`where: buildWhere(...)`) and what it resolves to: where a helper may build it. */
  filterExpressions: Located[];
  /**
   * Values the filter's top-level conjunction (never a branch of `or`/`not`) compares with something
   * that restricts the rows besides the query's own tenant key: the tenant key of a joined table
   * (`innerJoin(projects, ...)` with `eq(projects.workspaceId, w)`), or another column of the table
   * (`inArray(routes.appId, appIds)`). Verified values there restrict the rows to the verified tenant.
   */
  scopes?: Located[];
  /** Values in the query's options beside its filter and data (`include: { members: { where: { userId } } }`). */
  options: Located[];
  /** What the query writes as a whole (`data: req.body`, `.insert(body)`): a mass assignment when it comes from the client. */
  written?: Node;
}

/** A query with its tenant positions. */
export interface QueryFacts {
  site: QuerySite;
  positions: TenantPositions;
}

/** A database session setting given a value (`set_config('app.current_org', $1, true)`): row-level security policies read it. */
export interface SessionSetting {
  /** The setting's name as written: `app.current_org`. */
  setting: string;
  value: Node;
  /** Where to point: the call, or the interpolated value of a template. */
  node: Node;
}

/** The data layers, as one: any call that is a query, and calls that build tenant-scoped clients. */
export interface QueryModel {
  /** The session settings a call or an SQL template literal gives a value. */
  sessionSettings(node: TSESTree.CallExpression | TSESTree.TaggedTemplateExpression): SessionSetting[];
  /** The query a call is (any data layer, raw SQL included, also an SQL tagged template), with its tenant positions. */
  facts(call: TSESTree.CallExpression | TSESTree.TaggedTemplateExpression, context: AnalysisContext): QueryFacts | undefined;
  /** Does the call return a client scoped to its arguments (`forOrg(orgId)`, a `$extends` factory, `scopedClientFactories`)? */
  isScopedClientFactory(call: TSESTree.CallExpression, context: AnalysisContext): boolean;
}

// ---------------------------------------------------------------- caches

/** `invalidate` is a write that removes (`del`, `unlink`, `revalidateTag`): no value is stored. */
export type CacheOperation = 'read' | 'write' | 'invalidate';

/**
 * Where a runtime value in a key comes from, as far as the analysis followed it. The policy
 * (src/policies/require-tenant-cache-key/) decides which of these name the tenant.
 */
export type ValueOrigin =
  /** A parameter of the function that makes the cache call: its callers decide what it holds. */
  | { kind: 'parameter'; fn: string }
  /** A field of a row read by a database query (`invoice.id` after `findFirst`). */
  | { kind: 'row'; site: QuerySite }
  /** The result of a call the analysis does not follow (`hash(email)`, `getSession()`). */
  | { kind: 'call'; callee: string }
  /** A value a random generator returned (`randomUUID()`, `nanoid()`, `randomBytes(32)`): `source` is its package. */
  | { kind: 'random'; source: string }
  /** A header the request carries, read by name (`req.headers.get('host')`): the name, lower case. */
  | { kind: 'header'; name: string }
  | { kind: 'other' };

/** One piece of a key: literal text, or a runtime value named by its access path. */
export type KeyPart =
  | { kind: 'text'; text: string }
  | {
      kind: 'value';
      /** `req.user.orgId` -> ['req', 'user', 'orgId']; a call contributes `getTenantId()`. */
      path: string[];
      /** Source text as written, for the rendered shape (`${id}`). */
      text: string;
      node: Node;
      unit: FileUnit;
      origin: ValueOrigin;
    };

/**
 * A key as far as it can be evaluated: each alternative (`a ? 'x' : 'y'` has two) is a list of
 * parts. `unknown` means the key is built by code the analysis cannot follow.
 */
export type KeyValue =
  | { kind: 'key'; alternatives: KeyPart[][] }
  | { kind: 'array'; items: KeyValue[] }
  | { kind: 'unknown'; reason: string };

/** A key argument of a cache call: the expression as written and what it evaluates to. */
export interface CacheKey {
  node: Node;
  value: KeyValue;
}

/** How a cache client was identified, and whether it is namespaced by construction. */
export interface CacheClient {
  library: string;
  /** For evidence: "`new Redis()` from ioredis (src/lib/redis.ts:5)". */
  how: string;
  /** The construction (or injection) node: two calls on the same client share it. */
  origin: Node;
  /** `keyPrefix` / `namespace` given at construction, evaluated like a key. */
  namespace?: { option: string; value: KeyValue };
  /** Type names the construction gives its values (`Invoice` of `new LRUCache<string, Invoice>()`). */
  holds?: string[];
  /** A configured tenant-scoped factory (`scopedClientFactories`) returned this client. */
  scopedFactory?: string;
  /** Sub-object of the client the call is made on: `pipeline` (multi/pipeline), `json`. */
  facet?: string;
}

/** The fact a cache recognizer hands the policy: one cache call and the keys it touches. */
export interface CacheAccess {
  library: string;
  operation: CacheOperation;
  /** `get`, `hSet`, `unstable_cache`, `@CacheKey`. */
  method: string;
  call: TSESTree.CallExpression;
  /** The span to report: the callee (`redis.get`, `unstable_cache`, `CacheKey`). */
  callee: Node;
  calleeText: string;
  keys: CacheKey[];
  /** Expressions whose data ends up in the cache: written values, loaders, the cached function. */
  values: Located[];
  /** A cached function whose arguments are part of the key (Next.js `unstable_cache`). */
  keyedFunction?: TSESTree.FunctionLike;
  client?: CacheClient;
  /** How the key is described in messages (`key`, `key parts`, `tag`). */
  keyNoun: string;
  /** Replaces "key `...`" in messages when the key is not written at the call (`the function's source and arguments`). */
  keyLabel?: string;
  /** What the call does with the key, for messages (`reads`, `caches the response under`). */
  verb: string;
  /** Where a suggestion prepends the tenant when the key node is not the place (`unstable_cache` without key parts). */
  insertAfter?: Node;
}

/** What the data put in a cache is computed from: database queries and the values it reads. */
export type ValueFact =
  | { kind: 'query'; site: QuerySite; unit: FileUnit }
  /**
   * A variable or member read while computing the value (`orgId`, `req.user.orgId`). `viaCall`:
   * it is an argument of a call that computes the value (`listInvoices(orgId)`), not data copied
   * into it (`JSON.stringify({ orgId })` stores the id, it does not compute tenant data).
   */
  | { kind: 'reference'; path: string[]; text: string; node: Node; unit: FileUnit; viaCall: boolean };

/** The cache clients, as policies see them. */
export interface CacheModel {
  /** The cache calls among a file's calls, each with its client traced by import and construction. */
  accesses(calls: TSESTree.CallExpression[], context: AnalysisContext): CacheAccess[];
  /**
   * What values put in a cache are computed from: queries of any data layer and the variables they
   * read, following consts a few steps; parameters of `keyedFunction` are part of the key.
   */
  valueFacts(values: readonly Located[], context: AnalysisContext, keyedFunction?: TSESTree.FunctionLike): ValueFact[];
}

// ---------------------------------------------------------------- what a policy may ask

/** Everything a policy may ask beyond the syntax tree and the TenantSchema, answered by the registered models. */
export interface Models {
  http: HttpModel;
  queries: QueryModel;
  cache: CacheModel;
  project: {
    /** How a message names `file` when reported from `from`: the same path in both faces. */
    displayPath(file: string, from: string): string;
  };
}
