import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/types';
import { HTTP_RECOGNIZERS, mayReadClientInput, recognizerFor } from '../../http/index.js';
import { declaredPropertyType, fromPackage, methodOf, packageOf, packageOfType, packageRoot, parameterDecorators, stringOf, thisMemberType } from '../../http/trace.js';
import type { ClientInput, FrameworkObject, HttpContext, HttpValue, PackageRef } from '../../http/types.js';
import { clientOf } from '../../orm/prisma-client.js';
import { prismaRecognizer } from '../../orm/prisma.js';
import { recognizeQuery } from '../../orm/index.js';
import { resolveObject } from '../../orm/prisma-where.js';
import { findProjectRoot } from '../../project/project.js';
import { enclosingFunction, memberName, propertyName, T, unwrap, variableOf, walk, type FileUnit, type Node } from '../ast.js';
import type { AnalysisContext, QuerySite } from '../query-site.js';
import { returnedExpressions, type Located } from '../resolve.js';
import { delegateName, type Table } from '../schema.js';
import { TenantNames } from '../tenant-values.js';
import type { CheckOutput, RawFinding, RawUnknown } from './types.js';

/*
 * The policy for `no-client-tenant-id`. Recognizers in src/http/ say where client input enters and
 * where the verified identity lives; this file follows values (assignments, destructuring,
 * parameters, helpers across files) to the places where a value becomes the tenant context, and
 * decides. A client value that reaches such a sink without a membership check or an equality check
 * against the verified identity is a finding, reported where the value is read. A flow that
 * cannot be followed is counted as not analysable, never guessed.
 */

const RULE = 'no-client-tenant-id';
const MAX_INLINE_DEPTH = 4;
/** Functions followed per file, across all call sites: beyond it flows are counted as not analysable. */
const INLINE_BUDGET = 400;

/** Where parameters of the functions being followed get their values: one frame per call followed. */
class Env {
  constructor(
    readonly parent?: Env,
    readonly fn?: TSESTree.FunctionLike,
    readonly args?: (Origin | undefined)[],
  ) {}

  lookup(fn: TSESTree.FunctionLike): (Origin | undefined)[] | undefined {
    for (let env: Env | undefined = this; env; env = env.parent) if (env.fn === fn) return env.args;
    return undefined;
  }

  /** Is `this` the frame `other` or one that `other` called into? */
  within(other: Env): boolean {
    for (let env: Env | undefined = this; env; env = env.parent) if (env === other) return true;
    return false;
  }

  get depth(): number {
    let depth = 0;
    for (let env = this.parent; env; env = env.parent) depth += 1;
    return depth;
  }
}

interface Frame {
  unit: FileUnit;
  env: Env;
}

/** A client-controlled value and where it was read. */
interface Source {
  input: ClientInput;
  read: Node;
  readUnit: FileUnit;
  /** The frame whose code read it: a helper that reads it for its caller hands it back as the caller's. */
  readEnv: Env;
  /** Helpers the value came through (`getTenantId() at src/lib/tenant.ts:4`). */
  via: string[];
  /** The member of a built context it reaches code through (`ctx.teamId` of a tRPC context factory). */
  context?: string;
  /** The tenant row resolved from the client value (`organization.findFirst({ where: { slug } })`). */
  lookup?: { table: string; callee: string; at: string; rowPath: string[] };
}

type Origin =
  | { kind: 'framework'; object: FrameworkObject; env: Env }
  | { kind: 'client'; source: Source }
  | { kind: 'trusted'; why: string }
  /** An object literal, read in the frame it was written in. */
  | { kind: 'object'; node: TSESTree.ObjectExpression; unit: FileUnit; env: Env }
  | { kind: 'param'; fn: TSESTree.FunctionLike; index: number }
  /** `client`: client input went into what could not be followed. */
  | { kind: 'unknown'; reason: string; client: boolean }
  /** A variable read while its own value is being computed (`q = q.where(...)`): adds nothing. */
  | { kind: 'pending' }
  | { kind: 'none' };

const NONE: Origin = { kind: 'none' };
const PENDING: Origin = { kind: 'pending' };

/** A place where a value becomes the tenant context. */
interface Sink {
  /** `context`: the request's tenant context (checked anywhere in the middleware gates it); `query`: a data access. */
  kind: 'context' | 'query';
  /** Why a client value here is not reported but counted as not analysable (a lookup that pins an untraced user). */
  uncertain?: string;
  /** "used as the tenant filter of `prisma.invoice.findMany`" */
  label: string;
  value: Node;
  /** What the message points at: the sink's line. */
  node: Node;
  unit: FileUnit;
  /** Mass assignment: a whole client object written into a tenant row, which can set its tenant key. */
  mass?: { table: string; key: string };
  /** Gated only by a helper that receives the verified user and was not followed to a decision (see `delegatedChecks`). */
  delegate?: string;
}

interface Hit {
  sink: Sink;
  source: Source;
  /** The node in the frame being visited through which the value reached the sink (the sink, or the call into it). */
  at: Node;
}

interface Lost {
  at: Node;
  reason: string;
  /** Where the client value was read: entries are counted once per read and reason, not once per call chain. */
  read?: Node;
}

interface Check {
  key: string;
  /** The statement that stops the request when the check fails, or the `if` whose consequent runs only when it passes. */
  gate: Node;
  /** `verdict`: the function returns the check's outcome (`return member !== null`), which its caller tests. */
  mode: 'exit' | 'inside' | 'verdict';
  /** Stops the caller too (a throw, `notFound()`, an `OrThrow` query), not just this function. */
  throws: boolean;
  what: string;
  /** Against the verified identity; otherwise against a user or value the analysis could not trace. */
  certain: boolean;
  /** An uncertain check: a helper (`getTeamById()`) given the client value and the verified user, not followed to a decision. */
  delegate?: string;
}

/** Does a `where` pin the verified user, a user the analysis cannot trace, or no user? */
type Pin = 'verified' | 'untraced' | undefined;

interface Visit {
  hits: Hit[];
  lost: Lost[];
}

export function checkClientTenantIds(calls: TSESTree.CallExpression[], context: AnalysisContext): CheckOutput {
  const { unit } = context;
  if (!mayReadClientInput(unit.file, unit.text)) return { findings: [], unknown: [], sites: 0 };
  return new ClientTenantFlow(context).run(calls);
}

const adminFlows = new WeakMap<FileUnit, ClientTenantFlow>();

/**
 * Is `node` reachable only by instance operators (an admin console)? For require-tenant-filter
 * and other rules that want to treat such code like this one does.
 *
 * Contract: `node` is a function (a handler, a tRPC resolver) or any node inside one (a query
 * call). True when a function that holds it:
 * - runs after a middleware that stops the request unless the verified identity is an admin: a
 *   tRPC middleware on the procedure's builder chain (`adminProcedure = t.procedure.use(...)`),
 *   an Express/Fastify/Hono handler registered earlier on the same route or app
 *   (`app.get(path, requireAdmin, handler)`), a NestJS guard whose `canActivate` returns it; or
 * - has such a check itself before `node` (`if (!ctx.user.isAdmin) throw ...`).
 * An admin check reads, from the verified identity (`ctx.user`, `req.user`, the session), a flag
 * named like `isAdmin`/`isSuperAdmin`/`isStaff`/`superuser`, a role field (`role`, `roles`)
 * compared with or containing an admin role (`'ADMIN'`, `Role.ADMIN`, `'superadmin'`), or calls a
 * helper named like `isAdmin`/`assertAdmin` with the identity; the branch where it fails must
 * throw or return (a check that only logs does not count). Roles on a membership row (a role inside
 * one tenant) never count. Middleware factories (`requireRole('admin')`) are not read: false.
 * Never throws; false when unsure. Cheap to call per query: results are cached per file unit.
 */
export function isAdminOnly(node: TSESTree.FunctionLike | Node, unit: FileUnit, context: AnalysisContext): boolean {
  let flow = adminFlows.get(unit);
  if (!flow || !flow.sameContext(context)) {
    flow = new ClientTenantFlow({ ...context, unit });
    adminFlows.set(unit, flow);
  }
  try {
    return flow.isAdminOnly(node);
  } catch {
    return false;
  }
}

const namesCache = new WeakMap<object, WeakMap<object, TenantNames>>();

function tenantNames(context: AnalysisContext): TenantNames {
  let byConfig = namesCache.get(context.schema);
  if (!byConfig) namesCache.set(context.schema, (byConfig = new WeakMap()));
  let names = byConfig.get(context.config);
  if (!names) byConfig.set(context.config, (names = new TenantNames(context.schema, context.config)));
  return names;
}

const projectRoots = new Map<string, string>();
const repositoryRoots = new Map<string, string | null>();

/**
 * The path a message names another file by, the same in both faces (each finds the project from
 * the file's folder): relative to the project root when both files are inside it. A monorepo
 * whose sole schema lives in a sibling package (`packages/db`) gives files of `packages/api` a
 * project they are not inside; there, and for any file outside the project, the path is relative
 * to the repository root (the folder with `.git`, where the scan usually starts), or else to the
 * nearest folder that holds both files, never `../api/...`.
 */
function displayPath(file: string, from: FileUnit): string {
  const dir = dirname(from.file);
  let root = projectRoots.get(dir);
  if (!root) projectRoots.set(dir, (root = findProjectRoot(dir)));
  if (isInside(from.file, root) && isInside(file, root)) return toPosixPath(relative(root, file));
  const repository = repositoryRoot(dir);
  if (repository && isInside(file, repository)) return toPosixPath(relative(repository, file));
  return toPosixPath(relative(commonAncestor(root, file), file));
}

function isInside(file: string, dir: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function repositoryRoot(dir: string): string | undefined {
  const cached = repositoryRoots.get(dir);
  if (cached !== undefined) return cached ?? undefined;
  let found: string | undefined;
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) {
      found = current;
      break;
    }
    if (dirname(current) === current) break;
  }
  repositoryRoots.set(dir, found ?? null);
  return found;
}

function commonAncestor(dir: string, file: string): string {
  let current = dir;
  while (!isInside(file, current) && dirname(current) !== current) current = dirname(current);
  return current;
}

function toPosixPath(path: string): string {
  return path.split('\\').join('/');
}

/** String methods that return (a form of) the same value. */
const TRANSPARENT_METHODS = new Set(['trim', 'trimStart', 'trimEnd', 'toLowerCase', 'toUpperCase', 'toString', 'valueOf', 'normalize', 'toLocaleLowerCase', 'toLocaleUpperCase', 'at']);
const TRANSPARENT_FUNCTIONS = new Set(['String', 'Number', 'BigInt', 'parseInt', 'decodeURIComponent', 'decodeURI']);
/** Validation keeps the client's value: `schema.parse(req.body)` is still the body. */
const VALIDATORS = new Set(['parse', 'parseAsync', 'validateSync', 'validate', 'validateAsync', 'cast', 'assert']);
const SAFE_PARSE = new Set(['safeParse', 'safeParseAsync']);
const ARRAY_CALLBACKS = new Set(['some', 'every', 'find', 'findIndex', 'filter', 'map', 'forEach', 'flatMap']);
/** Verifying a credential yields the verified identity. */
const IDENTITY_METHODS = new Set(['verify', 'jwtVerify', 'jwtDecrypt', 'verifyIdToken', 'verifySessionCookie', 'verifyToken', 'getAuth']);
const IDENTITY_PACKAGES = ['jsonwebtoken', 'jose', 'firebase-admin', '@clerk/express', '@clerk/fastify', '@clerk/backend', 'passport-jwt'];
/** Calls that end the request: after them the handler does not go on. */
const EXIT_CALLS = new Set(['notFound', 'redirect', 'permanentRedirect', 'forbidden', 'unauthorized', 'throw', 'assert', 'error']);
const ASSERTS = new Set(['assert', 'invariant', 'ok', 'strictEqual', 'equal']);
const USER_KEYS = /^(user|member|owner)_?id$/i;
const USER_RELATIONS = /^(user|users|member|members|membership|memberships|owner)$/i;
const SQL_SETTING = /tenant|org|workspace|team|account|company/i;
/** A check that verifies the whole request (a webhook signature) covers every value read from it. */
const ANY_KEY = '*';
const SIGNATURE = /signature|hmac|webhook/i;
const HMAC_CALLS = new Set(['createHmac', 'timingSafeEqual', 'createVerify']);
/** Admin checks (see `adminChecksIn`): a flag of the verified identity, a role field and its values, a helper. */
const ADMIN_FLAG = /^(is_?|has_?)?(super_?|site_?|system_?|global_?|platform_?|instance_?)?(admin|administrator|superuser|staff)(_?access)?$/i;
const ROLE_FIELD = /^(roles?|global_?roles?|system_?roles?|user_?roles?|platform_?roles?)$/i;
const ADMIN_ROLE = /^(super_?|site_?|system_?|global_?|platform_?|instance_?)?(admin|administrator|superuser|staff)$/i;
const ADMIN_HELPER = /^(is|has|assert|require|ensure|check)_?(super_?|site_?|system_?|global_?|platform_?|instance_?)?(admin|administrator|superuser|staff)(_?user|_?role|_?access)?$/i;
const ADMIN_KEY = 'admin';
/** A helper from a package or too deep to follow that receives the tenant and the verified user: named like a lookup or a check. */
const LOOKUP_HELPER = /^(get|find|fetch|load|read|resolve|lookup|assert|require|ensure|check|verify|validate|authorize|authorise|is|has|can)[A-Z_]/;

class ClientTenantFlow {
  private readonly names: TenantNames;
  private readonly top: Env = new Env();
  private readonly roles = new Map<TSESTree.FunctionLike, (HttpValue | undefined)[]>();
  private readonly active = new Set<Node>();
  private inlined = 0;
  private readonly checkCache = new Map<Node, Check[]>();
  private readonly origins = new Map<Node, Origin>();
  private readonly variables = new Map<Variable, Origin>();
  private readonly pendingVariables = new Set<Variable>();
  private readonly guardChecks = new Map<TSESTree.FunctionLike, Map<string, Check[]>>();
  /** What helpers return when called with nothing from the client: the same at every call. */
  private readonly plainReturns = new Map<TSESTree.FunctionLike, Origin>();
  private cycles = 0;
  private readonly sites = new Map<TSESTree.CallExpression, QuerySite | null>();
  private readonly anySites = new Map<TSESTree.CallExpression, QuerySite | null>();
  /** Origins per followed frame (see evaluate). */
  private readonly frameOrigins = new WeakMap<Env, Map<Node, Origin>>();

  constructor(private readonly context: AnalysisContext) {
    this.names = tenantNames(context);
  }

  sameContext(context: AnalysisContext): boolean {
    return context.schema === this.context.schema && context.config === this.context.config && context.resolver === this.context.resolver;
  }

  run(calls: TSESTree.CallExpression[]): CheckOutput {
    const { unit } = this.context;
    const frame: Frame = { unit, env: this.top };
    const visit = this.visit(unit.ast, calls, frame);
    const findings: RawFinding[] = [];
    const unknown: RawUnknown[] = [];
    const byRead = new Map<Node, Hit[]>();
    let decided = 0;
    for (const hit of visit.hits) {
      // An operator console: choosing any tenant is what the procedure is for (see isAdminOnly).
      if (this.isAdminOnly(hit.at)) continue;
      // tRPC input exists only through the procedure's `.input(schema)` parser, which strips unknown
      // keys (zod's default): written as a whole, it cannot carry a tenant key the schema lacks.
      if (hit.sink.mass && hit.source.input.category === 'tRPC input field') continue;
      if (hit.source.input.dynamic) {
        visit.lost.push({ at: hit.at, reason: `a request field with a dynamic name reaches a tenant sink (${hit.sink.label})` });
        continue;
      }
      decided += 1;
      const delegates: Check[] = [];
      const checked = this.isChecked(hit, frame, delegates);
      if (checked === 'certain') continue;
      const delegate = hit.sink.uncertain ? undefined : (hit.sink.delegate ?? (checked === 'uncertain' ? delegates[0]?.delegate : undefined));
      if (delegate) {
        // One entry per read and helper, whichever sinks and call chains the value reaches.
        const at = hit.sink.delegate ? hit.at : (delegates[0]?.gate ?? hit.at);
        visit.lost.push({ at, read: hit.source.read, reason: delegatedReason(hit.source, delegate) });
        continue;
      }
      const undecided = undecidedReason(hit, checked);
      if (undecided) {
        visit.lost.push({ at: hit.at, read: hit.source.read, reason: undecided });
        continue;
      }
      const node = hit.source.readUnit === unit ? hit.source.read : hit.at;
      const list = byRead.get(node) ?? [];
      list.push(hit);
      byRead.set(node, list);
    }
    for (const [node, hits] of byRead) findings.push(this.finding(node, hits));
    // One entry per (read site, reason): a header read once by the context factory and lost the
    // same way in every procedure of the file is one flow the analysis could not follow.
    const seen = new Map<Node, Set<string>>();
    for (const lost of visit.lost) {
      const site = lost.read ?? lost.at;
      const reasons = seen.get(site) ?? new Set<string>();
      if (reasons.has(lost.reason) || this.isAdminOnly(lost.at)) continue;
      reasons.add(lost.reason);
      seen.set(site, reasons);
      unknown.push({ ruleId: RULE, node: lost.at, reason: lost.reason });
    }
    return { findings, unknown, sites: decided };
  }

  // ---------------------------------------------------------------- visiting code for sinks

  /**
   * Every sink reached in `root` (a file or a function being followed into), with the origin of
   * the value that reaches it; calls that pass client input are followed into their callees.
   */
  private visit(root: Node, knownCalls: TSESTree.CallExpression[] | undefined, frame: Frame): Visit {
    const out: Visit = { hits: [], lost: [] };
    const calls: TSESTree.CallExpression[] = knownCalls ? [...knownCalls] : [];
    const others: Node[] = [];
    walk(root, (node) => {
      if (node.type === T.CallExpression && !knownCalls) calls.push(node);
      else if (node.type === T.AssignmentExpression || node.type === T.TaggedTemplateExpression) others.push(node);
      else if (node.type === T.FunctionDeclaration || node.type === T.FunctionExpression || node.type === T.ArrowFunctionExpression) others.push(node);
    });
    const sinks: Sink[] = [];
    for (const node of others) sinks.push(...this.sinksAt(node, frame));
    for (const call of calls) {
      sinks.push(...this.callSinks(call, frame));
      this.followCall(call, frame, out);
    }
    for (const sink of sinks) {
      const origin = this.evaluate(sink.value, { unit: sink.unit, env: frame.env });
      if (origin.kind === 'client') out.hits.push({ sink, source: origin.source, at: sink.value });
      else if (origin.kind === 'unknown' && origin.client) out.lost.push({ at: sink.value, reason: `the tenant value ${sink.label} comes from client input through code that cannot be followed: ${origin.reason}` });
    }
    return out;
  }

  /** Sinks at an assignment, a tagged SQL template, or what a function returns. */
  private sinksAt(node: Node, frame: Frame): Sink[] {
    if (node.type === T.AssignmentExpression) return this.assignmentSinks(node, frame);
    if (node.type === T.TaggedTemplateExpression) return this.templateSqlSinks(node.quasi, frame.unit);
    if (node.type === T.FunctionDeclaration || node.type === T.FunctionExpression || node.type === T.ArrowFunctionExpression) {
      // Only a function that returns an object literal can return a tenant context.
      if (node.params.length === 0 || !returnedExpressions(node).some((expr) => unwrap(expr).type === T.ObjectExpression)) return [];
      const role = this.roleOf(node, 0, frame.unit);
      if (role?.kind !== 'framework') return [];
      const http = this.http(frame);
      return HTTP_RECOGNIZERS.flatMap((r) => r.returnSinks?.(node, role, http) ?? []).map((fact) => ({ kind: 'context', label: fact.label, value: fact.value, node: fact.node, unit: frame.unit }));
    }
    return [];
  }

  /** `req.tenantId = v`, `res.locals.org = v`, `ctx.state.orgId = v`, `req.context = { tenantId: v }`. */
  private assignmentSinks(node: TSESTree.AssignmentExpression, frame: Frame): Sink[] {
    if (node.left.type !== T.MemberExpression) return [];
    const name = memberName(node.left);
    if (!name) return [];
    const target = this.evaluate(node.left.object, frame);
    if (target.kind !== 'framework' || !target.object.context) return [];
    const where = `${target.object.label}.${name}`;
    const value = unwrap(node.right);
    if (this.isTenantName(name)) return [{ kind: 'context', label: `assigned to \`${where}\` as the tenant context`, value: node.right, node, unit: frame.unit }];
    if (value.type !== T.ObjectExpression) return [];
    return value.properties.flatMap((p): Sink[] => {
      const key = p.type === T.Property ? propertyName(p) : undefined;
      if (p.type !== T.Property || !key || !this.isTenantName(key)) return [];
      return [{ kind: 'context', label: `assigned to \`${where}.${key}\` as the tenant context`, value: p.value, node, unit: frame.unit }];
    });
  }

  private callSinks(call: TSESTree.CallExpression, frame: Frame): Sink[] {
    const http = this.http(frame);
    const sinks: Sink[] = HTTP_RECOGNIZERS.flatMap((r) => r.sinks?.(call, http) ?? []).map((fact) => ({ kind: 'context', label: fact.label, value: fact.value, node: fact.node, unit: frame.unit }));
    sinks.push(...this.querySinks(call, frame), ...this.storageSinks(call, frame), ...this.callSqlSinks(call, frame.unit), ...this.factorySinks(call, frame));
    sinks.push(...this.otherOrmSinks(call, frame), ...this.massSinks(call, frame));
    return sinks;
  }

  /** Any ORM's query site (Prisma's own are read in detail by `querySinks`). */
  private anySite(call: TSESTree.CallExpression, unit: FileUnit): QuerySite | undefined {
    if (this.anySites.has(call)) return this.anySites.get(call) ?? undefined;
    const site = recognizeQuery(call, { ...this.context, unit }) ?? null;
    this.anySites.set(call, site);
    return site ?? undefined;
  }

  /** TypeORM, Sequelize, Mongoose, Knex, Kysely, Drizzle: the value their recognizer found for the tenant key. */
  private otherOrmSinks(call: TSESTree.CallExpression, frame: Frame): Sink[] {
    const site = this.anySite(call, frame.unit);
    if (!site || site.orm === 'prisma' || site.orm === 'sql' || (site.table.class !== 'tenant' && site.table.class !== 'child')) return [];
    const at = `\`${site.calleeText}\``;
    const sinks: Sink[] = [];
    if (site.predicate.kind === 'scoped' && site.predicate.value && site.operation !== 'insert') {
      sinks.push({ kind: 'query', label: `used as the tenant filter of ${at}`, value: site.predicate.value, node: site.callee, unit: frame.unit });
    }
    const data = site.data ? resolveObject(site.data, frame.unit, { ...this.context, unit: frame.unit }) : undefined;
    if (data) for (const value of this.dataTenantValues(data, site.table)) sinks.push({ kind: 'query', label: `written as the tenant of the row by ${at}`, value: value.node, node: site.callee, unit: value.unit });
    return sinks;
  }

  /**
   * Mass assignment: `data: req.body`, `{ orgId, ...input }` (the spread comes after the key and
   * overrides it), `Invoice.create(ctx.request.body)`, `Object.assign(invoice, req.body)`. The
   * client can send the tenant key and move the row to another tenant. A value that went through
   * a validator (`Schema.parse(body)`) is left alone: schemas usually strip unknown keys.
   */
  private massSinks(call: TSESTree.CallExpression, frame: Frame): Sink[] {
    const assigned = this.objectAssignTarget(call, frame);
    if (assigned) {
      return call.arguments.slice(1).flatMap((arg): Sink[] =>
        arg.type === T.SpreadElement || throughValidator(arg, frame.unit, this.context) ? [] : [this.massSink(arg, call, assigned, `\`Object.assign\` into a \`${assigned.name}\` row`, frame)],
      );
    }
    const site = this.anySite(call, frame.unit);
    if (!site || (site.operation !== 'insert' && site.operation !== 'update')) return [];
    const table = site.table;
    if ((table.class !== 'tenant' && table.class !== 'child') || !table.tenantKeys[0]) return [];
    const data = site.orm === 'prisma' ? prismaData(call) : site.data;
    if (!data) return [];
    const label = `written into \`${table.name}\` by \`${site.calleeText}\``;
    const node = unwrap(data);
    if (node.type !== T.ObjectExpression) return throughValidator(node, frame.unit, this.context) ? [] : [this.massSink(node, site.callee, table, label, frame)];
    // A spread is overridden by a tenant key written after it.
    const sinks: Sink[] = [];
    node.properties.forEach((property, index) => {
      if (property.type !== T.SpreadElement || throughValidator(property.argument, frame.unit, this.context)) return;
      const overridden = node.properties.slice(index + 1).some((later) => later.type === T.Property && table.tenantKeys.includes(propertyName(later) ?? ''));
      if (!overridden) sinks.push(this.massSink(property.argument, site.callee, table, label, frame));
    });
    return sinks;
  }

  private massSink(value: Node, node: Node, table: Table, label: string, frame: Frame): Sink {
    return { kind: 'query', label, value, node, unit: frame.unit, mass: { table: table.name, key: table.tenantKeys[0] ?? 'tenantId' } };
  }

  /** `Object.assign(row, ...)` where `row` holds a row of a tenant table read by a query. */
  private objectAssignTarget(call: TSESTree.CallExpression, frame: Frame): Table | undefined {
    const callee = unwrap(call.callee);
    if (callee.type !== T.MemberExpression || memberName(callee) !== 'assign' || unwrap(callee.object).type !== T.Identifier || (unwrap(callee.object) as TSESTree.Identifier).name !== 'Object') return undefined;
    const target = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
    if (target?.type !== T.Identifier) return undefined;
    const binding = this.context.resolver.bindingOf(target, frame.unit, 1);
    if (binding.kind !== 'value') return undefined;
    const init = unwrap(binding.value.node);
    if (init.type !== T.CallExpression) return undefined;
    const site = this.anySite(init, binding.value.unit);
    const table = site?.table;
    return table && (table.class === 'tenant' || table.class === 'child') && table.tenantKeys[0] ? table : undefined;
  }

  /**
   * `forOrg(orgId)`: a function that returns a tenant-scoped client (a `$extends` client that
   * injects the key, or a configured `scopedClientFactories` entry) scopes it to its argument.
   */
  private factorySinks(call: TSESTree.CallExpression, frame: Frame): Sink[] {
    const values = call.arguments.filter((arg): arg is TSESTree.Expression => arg.type !== T.SpreadElement);
    if (!values.some((arg) => this.evaluate(arg, frame).kind === 'client')) return [];
    const client = clientOf(call, frame.unit, { ...this.context, unit: frame.unit });
    if (client.kind !== 'client' || !client.scoped) return [];
    const name = calleeText(call, frame.unit);
    return values.map((value) => ({ kind: 'query', label: `passed to the tenant-scoped client factory \`${name}()\``, value, node: call, unit: frame.unit }));
  }

  /**
   * A Prisma query's tenant key (`where: { orgId }`, a compound key, a relation filter on the
   * tenant root, `data: { orgId }`). A `where` that also pins the verified user (a membership
   * lookup, `members: { some: { userId: req.user.id } }`) reads only that user's rows: not a sink.
   */
  private querySinks(call: TSESTree.CallExpression, frame: Frame): Sink[] {
    const site = this.querySite(call, frame.unit);
    if (!site) return [];
    const args = call.arguments[0] ? resolveObject(call.arguments[0], frame.unit, { ...this.context, unit: frame.unit }) : undefined;
    if (!args) return [];
    const at = `\`${site.calleeText}\``;
    const sinks: Sink[] = [];
    const where = this.objectProperty(args, 'where', frame);
    const table = site.table;
    const isRoot = table.name === this.context.schema.root;
    const pin = where ? this.userPin(where, table, frame) : undefined;
    if (where && pin !== 'verified') {
      // The tenant root by its own key is the tenant itself: reading it is a lookup (followed as
      // one), writing or deleting it by a client id is a sink.
      const values = isRoot ? (site.operation === 'read' ? [] : this.rootKeyValues(where, table)) : this.tenantKeyValues(where, table, 0);
      const uncertain = pin === 'untraced' ? 'which also filters by a user that could not be traced to the verified identity' : undefined;
      for (const value of [...values, ...this.mutatedKeys(where, table)]) {
        sinks.push({ kind: 'query', label: `used as the tenant filter of ${at}`, value: value.node, node: site.callee, unit: value.unit, ...(uncertain ? { uncertain } : {}) });
      }
    }
    if (site.operation === 'insert' || site.operation === 'update') {
      for (const key of ['data', 'create', 'update']) {
        const data = this.objectProperty(args, key, frame);
        if (!data) continue;
        for (const value of this.dataTenantValues(data, table)) sinks.push({ kind: 'query', label: `written as the tenant of the row by ${at}`, value: value.node, node: site.callee, unit: value.unit });
      }
    }
    return sinks;
  }

  private objectProperty(object: Located<TSESTree.ObjectExpression>, name: string, frame: Frame): Located<TSESTree.ObjectExpression> | undefined {
    const property = object.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === name);
    if (!property) return undefined;
    return resolveObject(property.value, object.unit, { ...this.context, unit: frame.unit });
  }

  private tenantKeyValues(where: Located<TSESTree.ObjectExpression>, table: Table, depth: number): Located[] {
    if (depth > 4) return [];
    const { schema } = this.context;
    const found: Located[] = [];
    for (const property of where.node.properties) {
      if (property.type !== T.Property) continue;
      const key = propertyName(property) ?? '';
      const value = unwrap(property.value);
      if (table.tenantKeys.includes(key)) {
        found.push(...equalityValues(value, where.unit));
        continue;
      }
      if (key === 'AND' || key === 'OR' || key === 'NOT') {
        const branches = value.type === T.ArrayExpression ? value.elements : [value];
        for (const branch of branches) {
          const located = branch && branch.type !== T.SpreadElement ? resolveObject(branch, where.unit, this.context) : undefined;
          if (located) found.push(...this.tenantKeyValues(located, table, depth + 1));
        }
        continue;
      }
      const compound = table.uniques.find((u) => u.name === key && u.fields.some((f) => table.tenantKeys.includes(f)));
      if (compound && value.type === T.ObjectExpression) {
        for (const inner of value.properties) {
          if (inner.type === T.Property && table.tenantKeys.includes(propertyName(inner) ?? '')) found.push(...equalityValues(unwrap(inner.value), where.unit));
        }
        continue;
      }
      const relation = table.relations.get(key);
      const target = relation ? schema.tables.get(relation.target) : undefined;
      if (!relation || relation.isList || !target || value.type !== T.ObjectExpression) continue;
      const filter = unwrapIs(value);
      if (target.name === schema.root) found.push(...this.rootKeyValues({ node: filter, unit: where.unit }, target));
      else if (target.class === 'tenant' || target.class === 'child') found.push(...this.tenantKeyValues({ node: filter, unit: where.unit }, target, depth + 1));
    }
    return found;
  }

  /** `{ id: v }` or another unique key of the tenant root: `v` names the tenant. */
  private rootKeyValues(filter: Located<TSESTree.ObjectExpression>, root: Table): Located[] {
    const keys = new Set([...root.primaryKey, ...root.uniques.filter((u) => u.fields.length === 1).flatMap((u) => u.fields)]);
    return filter.node.properties.flatMap((p) => (p.type === T.Property && keys.has(propertyName(p) ?? '') ? equalityValues(unwrap(p.value), filter.unit) : []));
  }

  /** `const where = {}; where.orgId = v; findMany({ where })`: keys added to the filter after it is built. */
  private mutatedKeys(where: Located<TSESTree.ObjectExpression>, table: Table): Located[] {
    const declarator = where.node.parent;
    if (declarator?.type !== T.VariableDeclarator || declarator.id.type !== T.Identifier) return [];
    const variable = variableOf(where.unit.scopeManager, declarator.id);
    const found: Located[] = [];
    for (const reference of variable?.references ?? []) {
      const member = reference.identifier.parent;
      const assignment = member?.parent;
      if (member?.type !== T.MemberExpression || assignment?.type !== T.AssignmentExpression || assignment.left !== member) continue;
      if (table.tenantKeys.includes(memberName(member) ?? '')) found.push({ node: assignment.right, unit: where.unit });
    }
    return found;
  }

  /** `data: { orgId: v }` or `data: { organization: { connect: { id: v } } }`. */
  private dataTenantValues(data: Located<TSESTree.ObjectExpression>, table: Table): Located[] {
    const { schema } = this.context;
    const found: Located[] = [];
    for (const property of data.node.properties) {
      if (property.type !== T.Property) continue;
      const key = propertyName(property) ?? '';
      if (table.tenantKeys.includes(key)) {
        found.push({ node: property.value, unit: data.unit });
        continue;
      }
      const relation = table.relations.get(key);
      const value = unwrap(property.value);
      if (!relation || relation.target !== schema.root || value.type !== T.ObjectExpression) continue;
      const root = schema.tables.get(relation.target);
      for (const op of value.properties) {
        const opValue = op.type === T.Property && propertyName(op) === 'connect' ? unwrap(op.value) : undefined;
        if (root && opValue?.type === T.ObjectExpression) found.push(...this.rootKeyValues({ node: opValue, unit: data.unit }, root));
      }
    }
    return found;
  }

  /**
   * Does the `where` pin the verified user (`userId: req.user.id`, `user: { id: session.userId }`,
   * `members: { some: { agentId: ctx.state.user.sub } }`)? Then it returns only rows that user may
   * see. A key pins a user when it is the foreign key to a model that is not tenant data (the
   * users who span tenants). When its value is neither the verified identity nor client input
   * (it comes from a helper the analysis cannot read), the pin is `untraced`: not a finding, and
   * not proof either.
   */
  private userPin(where: Located<TSESTree.ObjectExpression>, table: Table | undefined, frame: Frame, depth = 0): Pin {
    if (depth > 4) return undefined;
    const { schema } = this.context;
    let untraced = false;
    const judge = (value: Node): Pin => {
      if (isLiteral(value)) return undefined;
      const origin = this.evaluate(value, { unit: where.unit, env: frame.env });
      if (origin.kind === 'trusted') return 'verified';
      return origin.kind === 'client' ? undefined : 'untraced';
    };
    const merge = (pin: Pin): boolean => {
      if (pin === 'untraced') untraced = true;
      return pin === 'verified';
    };
    for (const property of where.node.properties) {
      if (property.type !== T.Property) continue;
      const key = propertyName(property) ?? '';
      const value = unwrap(property.value);
      if ((USER_KEYS.test(key) || this.isPrincipalKey(table, key)) && merge(judge(value))) return 'verified';
      const branches = key === 'AND' ? (value.type === T.ArrayExpression ? value.elements : [value]) : [];
      for (const branch of branches) {
        if (branch?.type === T.ObjectExpression && merge(this.userPin({ node: branch, unit: where.unit }, table, frame, depth + 1))) return 'verified';
      }
      if (value.type !== T.ObjectExpression) continue;
      const relation = table?.relations.get(key);
      const target = relation ? schema.tables.get(relation.target) : undefined;
      // `user: { id }` on a relation to the users' model, or `members: { some: { userId } }`.
      const inner = unwrapRelationFilter(value);
      if (target && isPrincipal(target, schema.root)) {
        const unique = new Set([...target.primaryKey, ...target.uniques.filter((u) => u.fields.length === 1).flatMap((u) => u.fields)]);
        for (const p of inner.properties) {
          if (p.type === T.Property && unique.has(propertyName(p) ?? '') && merge(judge(unwrap(p.value)))) return 'verified';
        }
        continue;
      }
      if (!table && !USER_RELATIONS.test(key)) continue;
      if (merge(this.userPin({ node: inner, unit: where.unit }, target, frame, depth + 1))) return 'verified';
      if (target || !USER_RELATIONS.test(key)) continue;
      for (const p of inner.properties) {
        if (p.type === T.Property && (propertyName(p) === 'id' || propertyName(p) === 'email') && merge(judge(unwrap(p.value)))) return 'verified';
      }
    }
    return untraced ? 'untraced' : undefined;
  }

  /** `agentId` on TeamMember: the foreign key to a model that is not tenant data. */
  private isPrincipalKey(table: Table | undefined, key: string): boolean {
    if (!table) return false;
    const { schema } = this.context;
    for (const relation of table.relations.values()) {
      if (!relation.fields.includes(key)) continue;
      const target = schema.tables.get(relation.target);
      if (target && isPrincipal(target, schema.root)) return true;
    }
    return false;
  }

  /** AsyncLocalStorage: `tenantStorage.run({ tenantId }, next)`, `als.enterWith({ orgId })`. */
  private storageSinks(call: TSESTree.CallExpression, frame: Frame): Sink[] {
    const target = methodOf(call);
    if (!target || (target.method !== 'run' && target.method !== 'enterWith') || !call.arguments[0]) return [];
    const root = packageRoot(target.receiver, frame.unit, this.http(frame), (fn, index, unit) => this.receiverParameter(fn, index, unit));
    if (!root || !fromPackage(root, 'node:async_hooks', 'async_hooks')) return [];
    const storage = frame.unit.text.slice(target.receiver.range[0], target.receiver.range[1]);
    const store = unwrap(call.arguments[0]);
    if (store.type === T.ObjectExpression) {
      return store.properties.flatMap((p): Sink[] => {
        const key = p.type === T.Property ? propertyName(p) : undefined;
        if (p.type !== T.Property || !key || !this.isTenantName(key)) return [];
        return [{ kind: 'context', label: `stored as \`${key}\` in the AsyncLocalStorage \`${storage}\``, value: p.value, node: call, unit: frame.unit }];
      });
    }
    if (!SQL_SETTING.test(storage)) return [];
    return [{ kind: 'context', label: `stored as the tenant in the AsyncLocalStorage \`${storage}\``, value: store, node: call, unit: frame.unit }];
  }

  /** `` prisma.$executeRaw`SELECT set_config('app.current_org', ${orgId}, true)` `` */
  private templateSqlSinks(template: TSESTree.TemplateLiteral, unit: FileUnit): Sink[] {
    const sinks: Sink[] = [];
    let prefix = '';
    template.expressions.forEach((expression, index) => {
      prefix += template.quasis[index]?.value.cooked ?? '';
      const setting = settingBefore(prefix);
      if (setting) sinks.push({ kind: 'context', label: `set as the row-level security setting \`${setting}\``, value: expression, node: expression, unit });
      prefix += '?';
    });
    return sinks;
  }

  /** `$executeRawUnsafe("SELECT set_config('app.tenant_id', $1, true)", orgId)`, `pool.query('SET ...', [orgId])`. */
  private callSqlSinks(call: TSESTree.CallExpression, unit: FileUnit): Sink[] {
    const first = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
    if (first?.type === T.TemplateLiteral && first.expressions.length > 0) return this.templateSqlSinks(first, unit);
    const text = stringOf(first);
    if (!text || !/set_config|\bset\s/i.test(text)) return [];
    const sinks: Sink[] = [];
    const pattern = /set_config\s*\(\s*'([^']+)'\s*,\s*\$(\d+)|\bset\s+(?:local\s+|session\s+)?([a-z_][\w.]*)\s*(?:=|\bto\b)\s*\$(\d+)/gi;
    for (const match of text.matchAll(pattern)) {
      const setting = match[1] ?? match[3] ?? '';
      const position = Number(match[2] ?? match[4]);
      if (!SQL_SETTING.test(setting)) continue;
      const values = call.arguments[1] ? unwrap(call.arguments[1]) : undefined;
      const value = values?.type === T.ArrayExpression ? values.elements[position - 1] : call.arguments[position];
      if (value && value.type !== T.SpreadElement) sinks.push({ kind: 'context', label: `set as the row-level security setting \`${setting}\``, value, node: call, unit });
    }
    return sinks;
  }

  // ---------------------------------------------------------------- following calls

  /**
   * A call that passes client input (or the request itself) to a project function: the callee is
   * visited with its parameters bound to the arguments, so that a sink inside it (`where.orgId` in
   * a service) is reported at the read in this file.
   */
  private followCall(call: TSESTree.CallExpression, frame: Frame, out: Visit): void {
    if (call.arguments.length === 0) return;
    const args = call.arguments.map((arg) => (arg.type === T.SpreadElement ? undefined : this.evaluate(arg, frame)));
    if (!args.some((o) => o && this.carries(o))) return;
    const callee = this.calleeOf(call, frame);
    if (callee.kind !== 'function') {
      const named = args.find((o): o is Extract<Origin, { kind: 'client' }> => o?.kind === 'client' && this.isTenantSource(o.source));
      if (callee.kind === 'unknown' && named) out.lost.push({ at: call, read: named.source.read, reason: `${sourceName(named.source)} is passed to \`${calleeText(call, frame.unit)}()\`, which cannot be followed (${callee.reason})` });
      return;
    }
    if (this.inlined >= INLINE_BUDGET || frame.env.depth >= MAX_INLINE_DEPTH || frame.env.lookup(callee.fn.node)) {
      const named = args.find((o): o is Extract<Origin, { kind: 'client' }> => o?.kind === 'client' && this.isTenantSource(o.source));
      if (named) out.lost.push({ at: call, read: named.source.read, reason: `${sourceName(named.source)} is passed to \`${calleeText(call, frame.unit)}()\`, deeper than the analysis follows calls` });
      return;
    }
    this.inlined += 1;
    const env = new Env(frame.env, callee.fn.node, this.bindable(callee.fn, args));
    const inner: Frame = { unit: callee.fn.unit, env };
    const body = callee.fn.node.body;
    if (!body) return;
    const visit = this.visit(body, undefined, inner);
    const checks = this.checksIn(callee.fn.node, inner);
    for (const hit of visit.hits) {
      // Sources the callee read from its own typed parameters are reported in its own file.
      if (hit.source.readEnv.within(env)) continue;
      const delegates: Check[] = [];
      const gated = this.gatedBy(hit, checks, callee.fn.node, delegates);
      if (gated === 'certain') continue;
      // Undecided inside the callee, but a check in the caller (a webhook's signature) may still settle it.
      const delegate = gated === 'uncertain' ? delegates[0]?.delegate : undefined;
      const sink: Sink | undefined =
        gated !== 'uncertain' ? undefined : delegate && !hit.sink.uncertain ? { ...hit.sink, delegate } : { ...hit.sink, uncertain: 'is checked against a user or value that could not be traced to the verified identity' };
      out.hits.push({ ...hit, at: call, ...(sink ? { sink } : {}) });
    }
    for (const lost of visit.lost) out.lost.push({ ...lost, at: call });
  }

  /**
   * Does an argument carry client input (or the request) into a callee? An options object
   * counts when one of its properties does: `findTeamMembers({ userId: user.id, teamId })`.
   */
  private carries(origin: Origin): boolean {
    if (origin.kind === 'client' || origin.kind === 'framework') return true;
    if (origin.kind === 'unknown') return origin.client;
    if (origin.kind !== 'object') return false;
    return origin.node.properties.some((p) => {
      // Only plain values (`teamId`, `input.teamId`): evaluating calls here would follow every
      // helper called in every options object.
      if (p.type !== T.Property || !isPlainValue(p.value)) return false;
      const value = this.evaluate(p.value, { unit: origin.unit, env: origin.env });
      return value.kind === 'client' || value.kind === 'framework' || (value.kind === 'unknown' && value.client);
    });
  }

  private calleeOf(call: TSESTree.CallExpression, frame: Frame): { kind: 'function'; fn: Located<TSESTree.FunctionLike> } | { kind: 'package' | 'none' } | { kind: 'unknown'; reason: string } {
    const callee = unwrap(call.callee);
    const { resolver } = this.context;
    if (callee.type === T.Identifier) {
      const variable = variableOf(frame.unit.scopeManager, callee);
      if (!variable || variable.defs.length === 0) return { kind: 'none' };
      const binding = resolver.bindingOf(callee, frame.unit);
      if (binding.kind === 'function') return { kind: 'function', fn: binding.fn };
      if (binding.kind === 'package' || binding.kind === 'class') return { kind: 'package' };
      if (binding.kind === 'value') return { kind: 'none' };
      return { kind: 'unknown', reason: binding.kind === 'unknown' ? binding.reason : `\`${callee.name}\` is a parameter` };
    }
    if (callee.type !== T.MemberExpression) return { kind: 'none' };
    const method = memberName(callee);
    const object = unwrap(callee.object);
    if (!method) return { kind: 'unknown', reason: 'a computed method name' };
    const receiver = this.evaluate(object, frame);
    if (receiver.kind !== 'none' && receiver.kind !== 'object' && receiver.kind !== 'param' && receiver.kind !== 'unknown') return { kind: 'none' };
    const found = this.methodOf(object, method, frame);
    if (found) return found;
    if (receiver.kind === 'param' || receiver.kind === 'unknown') return { kind: 'unknown', reason: `the receiver of \`${method}()\` is not traced to its definition` };
    return { kind: 'package' };
  }

  /** `service.list`, `this.invoices.list` (an injected class), `ns.list` (`import * as ns`), `helpers.list` (an object literal). */
  private methodOf(object: Node, method: string, frame: Frame): { kind: 'function'; fn: Located<TSESTree.FunctionLike> } | { kind: 'package' } | undefined {
    const { resolver } = this.context;
    const cls = this.classOf(object, frame);
    if (cls) {
      for (const element of cls.node.body.body) {
        if (element.type === T.MethodDefinition && propertyName(element) === method && element.value.body) return { kind: 'function', fn: { node: element.value, unit: cls.unit } };
        if (element.type === T.PropertyDefinition && propertyName(element) === method && element.value) {
          const value = unwrap(element.value);
          if (value.type === T.ArrowFunctionExpression || value.type === T.FunctionExpression) return { kind: 'function', fn: { node: value, unit: cls.unit } };
        }
      }
      return undefined;
    }
    if (object.type !== T.Identifier) return undefined;
    const variable = variableOf(frame.unit.scopeManager, object);
    const def = variable?.defs[0];
    if (def?.type === 'ImportBinding' && def.node.type === T.ImportNamespaceSpecifier && def.parent.type === T.ImportDeclaration) {
      const file = resolver.modules.resolve(frame.unit.file, def.parent.source.value);
      const target = file ? resolver.modules.unit(file) : undefined;
      if (!target) return { kind: 'package' };
      const binding = resolver.exportBinding(target, method, 0);
      return binding.kind === 'function' ? { kind: 'function', fn: binding.fn } : undefined;
    }
    const binding = resolver.bindingOf(object, frame.unit);
    if (binding.kind === 'package') return { kind: 'package' };
    if (binding.kind !== 'value') return undefined;
    const value = unwrap(binding.value.node);
    if (value.type !== T.ObjectExpression) return undefined;
    for (const property of value.properties) {
      if (property.type !== T.Property || propertyName(property) !== method) continue;
      const fn = unwrap(property.value);
      if (fn.type === T.FunctionExpression || fn.type === T.ArrowFunctionExpression) return { kind: 'function', fn: { node: fn, unit: binding.value.unit } };
      if (fn.type === T.Identifier) {
        const inner = resolver.bindingOf(fn, binding.value.unit);
        if (inner.kind === 'function') return { kind: 'function', fn: inner.fn };
      }
    }
    return undefined;
  }

  /** The class an object is an instance of: `this.invoices` typed by the constructor, `new InvoiceService()`. */
  private classOf(object: Node, frame: Frame): Located<TSESTree.ClassDeclaration | TSESTree.ClassExpression> | undefined {
    const { resolver } = this.context;
    let typeName: Node | undefined;
    if (object.type === T.MemberExpression && unwrap(object.object).type === T.ThisExpression) {
      const type = thisMemberType(object);
      if (type?.type === T.TSTypeReference) typeName = type.typeName;
    } else if (object.type === T.Identifier) {
      const binding = resolver.bindingOf(object, frame.unit);
      if (binding.kind === 'value') {
        const value = unwrap(binding.value.node);
        if (value.type === T.NewExpression && value.callee.type === T.Identifier) {
          const cls = resolver.bindingOf(value.callee, binding.value.unit);
          return cls.kind === 'class' ? cls.cls : undefined;
        }
      }
      if (binding.kind === 'parameter') {
        const type = binding.param.node.typeAnnotation?.typeAnnotation;
        if (type?.type === T.TSTypeReference) typeName = type.typeName;
      }
    }
    if (typeName?.type !== T.Identifier) return undefined;
    const cls = resolver.bindingOf(typeName, frame.unit);
    return cls.kind === 'class' ? cls.cls : undefined;
  }

  // ---------------------------------------------------------------- checks that make a client value safe

  private readonly adminGuarded = new Map<TSESTree.FunctionLike, boolean>();

  /**
   * Does only an instance operator reach `at`? True when a function that holds it is guarded by a
   * middleware, guard or earlier handler with an admin check that stops the request (see
   * `adminChecksIn`), or has such a check itself before `at`.
   */
  isAdminOnly(at: Node): boolean {
    const frame: Frame = { unit: this.context.unit, env: this.top };
    const functions: TSESTree.FunctionLike[] = [];
    if (at.type === T.FunctionDeclaration || at.type === T.FunctionExpression || at.type === T.ArrowFunctionExpression) functions.push(at);
    for (let fn = enclosingFunction(at); fn; fn = enclosingFunction(fn)) functions.push(fn);
    for (const fn of functions) {
      if (this.adminGuardedBefore(fn, frame)) return true;
      const own = this.adminChecksIn(fn, frame);
      if (own.some((check) => check.mode === 'exit' && (at === fn || (check.gate.range[1] <= at.range[0] && check.gate.parent !== undefined && within(at, check.gate.parent))))) return true;
    }
    return false;
  }

  private adminGuardedBefore(fn: TSESTree.FunctionLike, frame: Frame): boolean {
    const cached = this.adminGuarded.get(fn);
    if (cached !== undefined) return cached;
    this.adminGuarded.set(fn, false);
    const http = this.http(frame);
    let guarded = false;
    for (const recognizer of HTTP_RECOGNIZERS) {
      for (const guard of recognizer.guards?.(fn, http) ?? []) {
        if (guarded) break;
        const env = new Env(this.top, guard.fn.node, guard.params.map((p) => (p ? this.fromHttp(p, guard.fn.node, guard.fn.unit, this.top) : undefined)));
        const checks = this.adminChecksIn(guard.fn.node, { unit: guard.fn.unit, env });
        guarded = checks.some((check) => check.mode === 'exit' || (guard.decides && check.mode === 'verdict'));
      }
    }
    this.adminGuarded.set(fn, guarded);
    return guarded;
  }

  /**
   * Admin checks of the verified identity in a function, with how they stop the request: a flag
   * (`ctx.user.isAdmin`, `req.user.isSuperAdmin`, `session.user.isStaff`), a role
   * (`user.roles.includes('ADMIN')`, `user.roles.includes(Role.ADMIN)`, `user.role === 'admin'`)
   * or a helper named for the check and given the identity (`isAdmin(ctx.user)`,
   * `assertSuperAdmin(session)`). The object must be the verified identity: a membership row's
   * role is a role inside one tenant, not over all of them.
   */
  private adminChecksIn(scope: TSESTree.FunctionLike, frame: Frame): Check[] {
    const body = scope.body;
    if (!body) return [];
    const checks: Check[] = [];
    const what = 'an admin check of the verified identity';
    const verified = (node: Node) => this.evaluate(node, frame).kind === 'trusted';
    walk(body, (node) => {
      if (node.type === T.MemberExpression && ADMIN_FLAG.test(memberName(node) ?? '') && !(node.parent?.type === T.CallExpression && node.parent.callee === node) && verified(node.object)) {
        checks.push(...gatesOf(node, ADMIN_KEY, what, true));
      }
      if (node.type === T.BinaryExpression && ['===', '!==', '==', '!='].includes(node.operator)) {
        const pair = [[node.left, node.right], [node.right, node.left]] as const;
        if (pair.some(([role, value]) => role.type === T.MemberExpression && ROLE_FIELD.test(memberName(role) ?? '') && isAdminRole(value) && verified(role.object))) checks.push(...gatesOf(node, ADMIN_KEY, what, true));
      }
      if (node.type !== T.CallExpression) return;
      const name = calleeName(node) ?? '';
      const target = methodOf(node);
      if (target && ['includes', 'has', 'indexOf'].includes(target.method) && node.arguments[0] && isAdminRole(node.arguments[0])) {
        const roles = unwrap(target.receiver);
        if (roles.type === T.MemberExpression && ROLE_FIELD.test(memberName(roles) ?? '') && verified(roles.object)) checks.push(...gatesOf(node, ADMIN_KEY, what, true));
        return;
      }
      const helper = ADMIN_HELPER.exec(name);
      if (!helper || !node.arguments.some((arg) => arg.type !== T.SpreadElement && verified(arg))) return;
      // `await assertAdmin(user)` throws; `isAdmin(user)` returns the verdict for an `if` to test.
      if (/^(assert|require|ensure|check)/i.test(name)) checks.push({ key: ADMIN_KEY, gate: statementOf(node), mode: 'exit', throws: true, what, certain: true });
      else checks.push(...gatesOf(node, ADMIN_KEY, what, true));
    });
    return checks;
  }

  /** Is the hit gated by a check in the function that reaches the sink, or by a guard that runs before it? */
  private isChecked(hit: Hit, frame: Frame, delegates?: Check[]): Certainty {
    // A check in the handler gates a query inside a callback of it (`$transaction(async (tx) => ...)`).
    const outermost = enclosingFunction(hit.at);
    let found: Certainty;
    for (let fn = outermost; fn; fn = enclosingFunction(fn)) {
      found = strongest(found, this.gatedBy(hit, this.checksIn(fn, frame), fn, delegates), this.guardedBefore(hit, fn, frame));
      if (found === 'certain') return found;
    }
    // Module-level code (a script, a top-level await) is checked by module-level statements.
    if (!outermost) found = strongest(found, this.gatedBy(hit, this.checksIn(this.context.unit.ast, frame), this.context.unit.ast, delegates));
    return found;
  }

  /** A middleware before the handler on the same route, or a NestJS guard, that checks the same value. */
  private guardedBefore(hit: Hit, fn: TSESTree.FunctionLike, frame: Frame): Certainty {
    const http = this.http(frame);
    const key = keyOf(hit.source);
    let found: Certainty;
    for (const recognizer of HTTP_RECOGNIZERS) {
      for (const guard of recognizer.guards?.(fn, http) ?? []) {
        // One guard, one set of parameters: its checks are the same for every handler it guards.
        const cacheKey = `${recognizer.name}:${guard.params.map((p) => (p?.kind === 'client' ? `${p.category}:${p.path.join('.')}` : (p?.kind ?? '-'))).join(',')}`;
        let byKey = this.guardChecks.get(guard.fn.node);
        if (!byKey) this.guardChecks.set(guard.fn.node, (byKey = new Map()));
        let checks = byKey.get(cacheKey);
        if (!checks) {
          const env = new Env(frame.env, guard.fn.node, guard.params.map((p) => (p ? this.fromHttp(p, guard.fn.node, guard.fn.unit, frame.env) : undefined)));
          checks = this.checksIn(guard.fn.node, { unit: guard.fn.unit, env });
          byKey.set(cacheKey, checks);
        }
        for (const check of checks) {
          if ((check.key === key || check.key === ANY_KEY) && (guard.decides || check.mode === 'exit')) found = strongest(found, check.certain ? 'certain' : 'uncertain');
        }
      }
    }
    return found;
  }

  /** `delegates`: receives the uncertain checks that are helpers not followed to a decision. */
  private gatedBy(hit: Hit, checks: Check[], scope: Node, delegates?: Check[]): Certainty {
    const key = keyOf(hit.source);
    const at = hit.at;
    const gating = checks.filter((check) => {
      if ((check.key !== key && check.key !== ANY_KEY) || check.mode === 'verdict') return false;
      if (check.mode === 'inside') return within(at, check.gate.type === T.IfStatement ? check.gate.consequent : check.gate);
      // Middleware that sets the tenant context and checks membership before `next()` is safe
      // whatever the order; a query must come after the check.
      if (hit.sink.kind === 'context' && within(check.gate, scope)) return true;
      return check.gate.range[1] <= at.range[0] && check.gate.parent !== undefined && within(at, check.gate.parent);
    });
    if (gating.some((check) => check.certain)) return 'certain';
    for (const check of gating) if (check.delegate) delegates?.push(check);
    return gating.length > 0 ? 'uncertain' : undefined;
  }

  /**
   * Checks of client values against the verified identity in a function: an equality test with a
   * trusted value (`if (orgId !== req.user.orgId) return res.sendStatus(403)`), membership in a
   * trusted list (`req.user.orgIds.includes(orgId)`), a membership lookup that pins the verified
   * user and gates what follows, or a call to a helper that throws when such a check fails.
   */
  private checksIn(scope: Node, frame: Frame): Check[] {
    const cached = frame.env === this.top ? this.checkCache.get(scope) : undefined;
    if (cached) return cached;
    const checks: Check[] = [];
    const body = scope.type === T.Program ? scope : 'body' in scope && scope.body ? scope.body : undefined;
    if (!body || typeof body !== 'object' || !('type' in body)) return checks;
    const calls: TSESTree.CallExpression[] = [];
    walk(body, (node) => {
      if (node.type === T.BinaryExpression && ['===', '!==', '==', '!='].includes(node.operator)) {
        const pair = this.comparedWithIdentity(node.left, node.right, frame) ?? this.comparedWithIdentity(node.right, node.left, frame);
        if (pair) checks.push(...gatesOf(node, pair.key, 'an equality check with the verified identity', pair.certain));
      }
      if (node.type === T.CallExpression) calls.push(node);
    });
    for (const call of calls) {
      const target = methodOf(call);
      if (target && ['includes', 'has', 'indexOf'].includes(target.method) && call.arguments[0]) {
        const list = this.evaluate(target.receiver, frame);
        const item = this.evaluate(call.arguments[0], frame);
        if (list.kind === 'trusted' && item.kind === 'client') checks.push(...gatesOf(call, keyOf(item.source), 'membership in a list from the verified identity', true));
      }
      const lookups = this.membershipLookupKeys(call, frame);
      for (const lookup of lookups) checks.push(...gatesOf(call, lookup.key, 'a membership lookup for the verified user', lookup.certain));
      if (lookups.length === 0) checks.push(...this.builtLookupChecks(call, frame));
      checks.push(...this.helperChecks(call, frame));
      if (this.verifiesSignature(call, frame)) checks.push(...gatesOf(call, ANY_KEY, 'a signature check of the request', true));
    }
    if (frame.env === this.top) this.checkCache.set(scope, checks);
    return checks;
  }

  /**
   * `if (!verifyWebhookSignature(req)) return`: a webhook whose sender signs the request with a
   * shared secret is authenticated as a whole, so what it says (the tenant included) is verified.
   * Recognised by the helper's name or by an HMAC comparison in its body.
   */
  private verifiesSignature(call: TSESTree.CallExpression, frame: Frame): boolean {
    const name = calleeName(call) ?? '';
    if (!call.arguments.some((arg) => arg.type !== T.SpreadElement && ['framework', 'client'].includes(this.evaluate(arg, frame).kind))) return false;
    if (SIGNATURE.test(name)) return true;
    const callee = this.calleeOf(call, frame);
    if (callee.kind !== 'function' || !callee.fn.node.body) return false;
    let hmac = false;
    walk(callee.fn.node.body, (node) => {
      if (node.type === T.CallExpression && HMAC_CALLS.has(calleeName(node) ?? '')) hmac = true;
    });
    return hmac;
  }

  /**
   * A client value compared with the verified identity (certain), or with a value the analysis
   * cannot trace to it, such as a user loaded by a helper it cannot read (uncertain). A literal
   * or another client value is no check.
   */
  private comparedWithIdentity(a: Node, b: Node, frame: Frame): { key: string; certain: boolean } | undefined {
    const left = this.evaluate(a, frame);
    if (left.kind !== 'client' || isLiteral(b)) return undefined;
    const right = this.evaluate(b, frame);
    if (right.kind === 'trusted') return { key: keyOf(left.source), certain: true };
    if (right.kind === 'client') return undefined;
    return { key: keyOf(left.source), certain: false };
  }

  /** The client values a Prisma read looks up together with the verified user. */
  private membershipLookupKeys(call: TSESTree.CallExpression, frame: Frame): { key: string; certain: boolean }[] {
    const site = this.querySite(call, frame.unit);
    if (!site || site.operation !== 'read') return [];
    const args = call.arguments[0] ? resolveObject(call.arguments[0], frame.unit, { ...this.context, unit: frame.unit }) : undefined;
    const where = args ? this.objectProperty(args, 'where', frame) : undefined;
    const pin = where ? this.userPin(where, site.table, frame) : undefined;
    if (!where || !pin) return [];
    const keys: { key: string; certain: boolean }[] = [];
    walk(where.node, (node) => {
      if (node.type !== T.Property || node.parent?.type !== T.ObjectExpression) return;
      const origin = this.evaluate(node.value, { unit: where.unit, env: frame.env });
      if (origin.kind === 'client') keys.push({ key: keyOf(origin.source), certain: pin === 'verified' });
    });
    return keys;
  }

  /**
   * `await assertMember(req.user.id, orgId)`: a helper whose check throws gates its caller. A
   * helper given both a client tenant value and the verified user that the analysis cannot follow
   * to a decision is an uncertain check (see `delegatedChecks`).
   */
  private helperChecks(call: TSESTree.CallExpression, frame: Frame): Check[] {
    if (call.arguments.length === 0) return [];
    const args = call.arguments.map((arg) => (arg.type === T.SpreadElement ? undefined : this.evaluate(arg, frame)));
    if (!args.some((o) => o && this.carries(o) && o.kind !== 'framework')) return [];
    const callee = this.calleeOf(call, frame);
    if (callee.kind !== 'function') return callee.kind === 'none' ? [] : this.delegatedChecks(call, args, frame, true);
    if (frame.env.depth >= MAX_INLINE_DEPTH || frame.env.lookup(callee.fn.node) || this.inlined >= INLINE_BUDGET) return this.delegatedChecks(call, args, frame, true);
    this.inlined += 1;
    const env = new Env(frame.env, callee.fn.node, args);
    const inner = this.checksIn(callee.fn.node, { unit: callee.fn.unit, env });
    const checks: Check[] = [];
    for (const check of inner) {
      if (check.throws && check.mode === 'exit') checks.push({ ...check, gate: statementOf(call) });
    }
    // `if (!(await isMember(userId, orgId))) return 403`: the helper returns the verdict.
    for (const check of inner) if (check.mode === 'verdict') checks.push(...gatesOf(call, check.key, check.what, check.certain));
    if (checks.length > 0) return checks;
    return this.undecided(callee.fn, env, 0) ? this.delegatedChecks(call, args, frame, false) : [];
  }

  /**
   * documenso's `getTeamById({ teamId: ctx.teamId, userId: ctx.user.id })`: a helper given both
   * a client tenant value and the verified user, whose check the analysis cannot see (a package,
   * calls too deep, a membership `where` built by another helper). It most likely checks that the
   * user belongs to the tenant: an uncertain check, counted as not analysable, never trusted as
   * proof and never reported. A helper called for its value is a lookup; one from a package must
   * be named like one (`getTeam`, `assertMember`), so that a logger given both ids is no check.
   */
  private delegatedChecks(call: TSESTree.CallExpression, args: (Origin | undefined)[], frame: Frame, unfollowed: boolean): Check[] {
    if (this.querySite(call, frame.unit) || this.anySite(call, frame.unit)) return [];
    const name = calleeName(call) ?? '';
    if (unfollowed && !LOOKUP_HELPER.test(name)) return [];
    const values = args.flatMap((arg) => (arg ? this.argumentValues(arg) : []));
    if (!values.some((o) => o.kind === 'trusted')) return [];
    const keys = new Set(values.flatMap((o) => (o.kind === 'client' && this.isTenantSource(o.source) ? [keyOf(o.source)] : [])));
    const helper = calleeText(call, frame.unit);
    return [...keys].map((key) => ({ key, gate: statementOf(call), mode: 'exit', throws: true, what: `a check by \`${helper}()\``, certain: false, delegate: helper }));
  }

  /**
   * An argument's value, or the plain values of an options object (`{ teamId, userId: user.id }`),
   * one level of nesting included (`{ teamId, reference: { type: 'User', id: userId } }`).
   */
  private argumentValues(origin: Origin, depth = 0): Origin[] {
    if (origin.kind !== 'object') return [origin];
    return origin.node.properties.flatMap((p) => {
      if (p.type !== T.Property) return [];
      const value = unwrap(p.value);
      if (value.type === T.ObjectExpression) return depth < 1 ? this.argumentValues({ ...origin, node: value }, depth + 1) : [];
      return isPlainValue(value) ? [this.evaluate(value, { unit: origin.unit, env: origin.env })] : [];
    });
  }

  /**
   * Can a followed helper that found no check still decide, where the analysis cannot see? True
   * when the verified user it was given reaches a call that is not followed (a package, too deep)
   * or whose result becomes part of a query's `where` (`...buildTeamWhereQuery({ userId })`).
   * False when every use of it was read: the helper provably checks nothing.
   */
  private undecided(fn: Located<TSESTree.FunctionLike>, env: Env, depth: number): boolean {
    const body = fn.node.body;
    if (!body) return false;
    const frame: Frame = { unit: fn.unit, env };
    const calls: TSESTree.CallExpression[] = [];
    walk(body, (node) => {
      if (node.type === T.CallExpression) calls.push(node);
    });
    for (const call of calls) {
      const site = this.querySite(call, fn.unit);
      if (site) {
        if (this.whereBuiltByUserCall(call, frame) || this.userOutsideWhere(call, frame)) return true;
        continue;
      }
      if (this.anySite(call, fn.unit)) continue;
      const args = call.arguments.map((arg) => (arg.type === T.SpreadElement ? undefined : this.evaluate(arg, frame)));
      if (!args.some((arg) => arg && this.argumentValues(arg).some((o) => o.kind === 'trusted'))) continue;
      const callee = this.calleeOf(call, frame);
      if (callee.kind === 'none') continue;
      if (callee.kind !== 'function') {
        if (LOOKUP_HELPER.test(calleeName(call) ?? '')) return true;
        continue;
      }
      if (depth + 1 >= MAX_INLINE_DEPTH || env.lookup(callee.fn.node) || this.inlined >= INLINE_BUDGET) return true;
      this.inlined += 1;
      if (this.undecided(callee.fn, new Env(env, callee.fn.node, args), depth + 1)) return true;
    }
    return false;
  }

  /**
   * A read that filters by the verified user outside its `where` (`include: { teamGroups: { where:
   * { ... userId } } }`, then `if (team.teamGroups.length === 0) throw`): a check the analysis
   * does not read.
   */
  private userOutsideWhere(call: TSESTree.CallExpression, frame: Frame): boolean {
    const args = call.arguments[0] ? resolveObject(call.arguments[0], frame.unit, { ...this.context, unit: frame.unit }) : undefined;
    if (!args) return false;
    let found = false;
    for (const property of args.node.properties) {
      if (property.type !== T.Property || propertyName(property) === 'where' || propertyName(property) === 'data') continue;
      walk(property.value, (node) => {
        if (found || node.type !== T.Property || !isPlainValue(node.value)) return;
        if (this.evaluate(node.value, { unit: args.unit, env: frame.env }).kind === 'trusted') found = true;
      });
    }
    return found;
  }

  /**
   * A query whose `where` holds the result of a call given the verified user (`where:
   * buildTeamWhereQuery({ teamId, userId })`, spread into it, or one branch of a conditional): a
   * filter the analysis does not read.
   */
  private whereBuiltByUserCall(call: TSESTree.CallExpression, frame: Frame): boolean {
    return this.whereBuilder(call, frame) !== undefined;
  }

  /** The call given the verified user that builds (part of) a query's `where`, and the `where` expressions it was found in. */
  private whereBuilder(call: TSESTree.CallExpression, frame: Frame): { builder: Located<TSESTree.CallExpression>; roots: Located[] } | undefined {
    const args = call.arguments[0] ? resolveObject(call.arguments[0], frame.unit, { ...this.context, unit: frame.unit }) : undefined;
    const property = args?.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'where');
    if (!args || !property) return undefined;
    const roots: Located[] = [{ node: property.value, unit: args.unit }];
    const resolved = resolveObject(property.value, args.unit, { ...this.context, unit: args.unit });
    if (resolved && resolved.node !== property.value) roots.push(resolved);
    let found: Located<TSESTree.CallExpression> | undefined;
    for (const root of roots) {
      walk(root.node, (node) => {
        if (found || node.type !== T.CallExpression) return;
        const name = calleeName(node) ?? '';
        if (TRANSPARENT_FUNCTIONS.has(name) || TRANSPARENT_METHODS.has(name)) return;
        const given = node.arguments.some((arg) => {
          if (arg.type === T.SpreadElement) return false;
          const origin = this.evaluate(arg, { unit: root.unit, env: frame.env });
          return this.argumentValues(origin).some((o) => o.kind === 'trusted');
        });
        if (given) found = { node, unit: root.unit };
      });
    }
    return found ? { builder: found, roots } : undefined;
  }

  /**
   * `team.findFirst({ where: buildTeamWhereQuery({ teamId, userId }) })`, then `if (!team)
   * throw`: a lookup whose filter a helper given the verified user builds. Most likely a
   * membership condition: uncertain checks of the client values in the `where`, counted as not
   * analysable when they are what gates a query.
   */
  private builtLookupChecks(call: TSESTree.CallExpression, frame: Frame): Check[] {
    const site = this.querySite(call, frame.unit);
    if (!site || site.operation !== 'read') return [];
    const built = this.whereBuilder(call, frame);
    if (!built) return [];
    const keys = new Set<string>();
    for (const root of built.roots) {
      walk(root.node, (node) => {
        const values: Node[] = node.type === T.Property ? [node.value] : node.type === T.CallExpression ? node.arguments.filter((a) => a.type !== T.SpreadElement) : [];
        for (const item of values) {
          for (const origin of this.argumentValues(this.evaluate(item, { unit: root.unit, env: frame.env }))) {
            if (origin.kind === 'client' && this.isTenantSource(origin.source)) keys.add(keyOf(origin.source));
          }
        }
      });
    }
    const helper = calleeText(built.builder.node, built.builder.unit);
    return [...keys].flatMap((key) => gatesOf(call, key, `a lookup filtered by \`${helper}()\``, false).map((check) => ({ ...check, delegate: helper })));
  }

  // ---------------------------------------------------------------- where values come from

  private evaluate(node: Node, frame: Frame): Origin {
    // Within one frame (its parameters bound once) a node always has the same origin. Caching per
    // frame, not only the file's own, keeps long call chains inside followed helpers linear: a
    // TypeORM builder chain of n links was evaluated 2^n times (ever-gauzy: minutes per package).
    let origins = frame.env === this.top && frame.unit === this.context.unit ? this.origins : this.frameOrigins.get(frame.env);
    if (!origins) {
      origins = new Map<Node, Origin>();
      this.frameOrigins.set(frame.env, origins);
    }
    const cached = origins.get(node);
    if (cached) return cached;
    if (this.active.has(node)) {
      this.cycles += 1;
      return { kind: 'unknown', reason: 'a value defined in terms of itself', client: false };
    }
    this.active.add(node);
    const cycles = this.cycles;
    try {
      const origin = this.evaluateInner(unwrap(node), frame);
      // A value computed while a cycle was cut may differ when asked directly: not cached.
      if (this.cycles === cycles) origins.set(node, origin);
      return origin;
    } finally {
      this.active.delete(node);
    }
  }

  /** The Prisma query at a call, recognized once per call. */
  private querySite(call: TSESTree.CallExpression, unit: FileUnit): QuerySite | undefined {
    if (this.sites.has(call)) return this.sites.get(call) ?? undefined;
    const site = prismaRecognizer.recognize(call, { ...this.context, unit }) ?? null;
    this.sites.set(call, site);
    return site ?? undefined;
  }

  private evaluateInner(node: Node, frame: Frame): Origin {
    switch (node.type) {
      case T.Identifier:
        return this.identifier(node, frame);
      case T.MemberExpression:
        return this.member(this.evaluate(node.object, frame), memberName(node) ?? numericName(node), node, frame);
      case T.CallExpression:
        return this.call(node, frame);
      case T.NewExpression: {
        // `new URL(request.url)`, `new URLSearchParams(...)`: the client's URL.
        const callee = unwrap(node.callee);
        if (callee.type === T.Identifier && (callee.name === 'URL' || callee.name === 'URLSearchParams') && node.arguments[0]) {
          const inner = this.evaluate(node.arguments[0], frame);
          if (inner.kind === 'client' && callee.name === 'URLSearchParams') return withInput(inner, { ...inner.source.input, category: 'search parameter', shape: 'map', path: [] }, node, frame);
          return inner.kind === 'client' ? inner : NONE;
        }
        return NONE;
      }
      case T.LogicalExpression:
        if (node.operator === '&&') return this.evaluate(node.right, frame);
        return merge([this.evaluate(node.left, frame), this.evaluate(node.right, frame)]);
      case T.ConditionalExpression:
        return merge([this.evaluate(node.consequent, frame), this.evaluate(node.alternate, frame)]);
      case T.TemplateLiteral:
        return node.expressions.length === 1 && node.quasis.every((q) => q.value.cooked === '') ? this.evaluate(node.expressions[0], frame) : NONE;
      case T.ObjectExpression:
        return { kind: 'object', node, unit: frame.unit, env: frame.env };
      case T.AssignmentExpression:
        return this.evaluate(node.right, frame);
      case T.SequenceExpression:
        return node.expressions.length ? this.evaluate(node.expressions[node.expressions.length - 1], frame) : NONE;
      default:
        return NONE;
    }
  }

  private identifier(node: TSESTree.Identifier, frame: Frame): Origin {
    if (node.name === 'undefined') return NONE;
    const variable = variableOf(frame.unit.scopeManager, node);
    const def = variable?.defs[0];
    if (!variable || !def) return NONE;
    if (def.type === 'Parameter') {
      const fn = functionOf(def.node);
      if (!fn || def.name.type !== T.Identifier) return NONE;
      const position = parameterPosition(fn, def.name);
      if (!position) return NONE;
      // A declared framework type is more precise than a framework object the caller handed in.
      const bound = frame.env.lookup(fn)?.[position.index];
      const typed = position.path[0] !== undefined && (!bound || bound.kind === 'framework') ? this.typedProperty(fn, position.index, position.path[0], def.name, frame) : undefined;
      if (typed) return this.applyPath(typed, position.path.slice(1), def.name, frame);
      return this.applyPath(this.parameter(fn, position.index, frame), position.path, def.name, frame);
    }
    if (def.type !== 'Variable') return NONE;
    // Each variable is computed once per frame; a read of it inside its own writes adds nothing.
    const cacheable = frame.env === this.top && frame.unit === this.context.unit;
    const cached = cacheable ? this.variables.get(variable) : undefined;
    if (cached) return cached;
    if (this.pendingVariables.has(variable)) {
      this.cycles += 1;
      return PENDING;
    }
    this.pendingVariables.add(variable);
    try {
      const origin = this.variableOrigin(node, variable, def.node, def.name, frame);
      if (cacheable) this.variables.set(variable, origin);
      return origin;
    } finally {
      this.pendingVariables.delete(variable);
    }
  }

  private variableOrigin(node: TSESTree.Identifier, variable: Variable, declarator: TSESTree.VariableDeclarator, name: TSESTree.Identifier, frame: Frame): Origin {
    let origin: Origin = NONE;
    if (declarator.init) origin = this.evaluate(declarator.init, frame);
    else if (declarator.parent?.parent?.type === T.ForOfStatement) origin = this.evaluate(declarator.parent.parent.right, frame);
    if (declarator.id.type !== T.Identifier) {
      const path = patternPath(declarator.id, name);
      origin = path ? this.applyPath(origin, path, name, frame) : { kind: 'unknown', reason: 'a destructuring pattern the analysis does not read', client: origin.kind === 'client' };
    }
    const writes = variable.references.filter((ref) => ref.isWrite() && ref.identifier !== name && ref.writeExpr);
    if (writes.length === 0) return origin;
    const all = [origin, ...writes.map((ref) => (ref.writeExpr ? this.evaluate(ref.writeExpr, frame) : NONE))].filter((o) => o.kind !== 'pending');
    if (all.length === 0) return NONE;
    const clients = all.filter((o) => o.kind === 'client');
    if (clients.length === all.length) return clients[0];
    if (clients.length > 0) return { kind: 'unknown', reason: `\`${node.name}\` is reassigned, and only some of its values come from client input`, client: true };
    return all.every((o) => o.kind === 'trusted') ? all[0] : (all.find((o) => o.kind === 'unknown' && o.client) ?? NONE);
  }

  /** A parameter: bound by the call being followed, or what a recognizer says it is. */
  private parameter(fn: TSESTree.FunctionLike, index: number, frame: Frame): Origin {
    const bound = frame.env.lookup(fn)?.[index];
    if (bound) return bound;
    const role = this.roleOf(fn, index, frame.unit);
    if (role) {
      // `@Headers('x-tenant-id') tenantId: string`: the decorator is where the value is read.
      const param = fn.params[index];
      const read = parameterDecorators(param)[0]?.expression ?? param ?? fn;
      return this.fromHttp(role, read, frame.unit, frame.env);
    }
    // `user.orgIds.some((id) => id === orgId)`: elements of a trusted list are trusted.
    const call = fn.parent;
    if (call?.type === T.CallExpression && call.arguments.some((arg) => arg === fn) && index === 0) {
      const target = methodOf(call);
      if (target && ARRAY_CALLBACKS.has(target.method)) {
        const list = this.evaluate(target.receiver, frame);
        if (list.kind === 'trusted' || list.kind === 'client') return list;
      }
    }
    return { kind: 'param', fn, index };
  }

  /** `{ c }: { c: Context }` (or a type alias of it): a destructured property whose declared type is a framework's. */
  private typedProperty(fn: TSESTree.FunctionLike, index: number, name: string, read: Node, frame: Frame): Origin | undefined {
    const declared = declaredPropertyType(fn.params[index], name, frame.unit, this.context.resolver);
    const ref = declared ? packageOfType(declared.node, declared.unit, this.context.resolver) : undefined;
    if (!ref) return undefined;
    for (const recognizer of HTTP_RECOGNIZERS) {
      const value = recognizer.typed?.(ref);
      if (value) return this.fromHttp(value, read, frame.unit, frame.env);
    }
    return undefined;
  }

  /**
   * A member of an object built by a factory (a tRPC `ctx`, which `createContext` returns): the
   * client's input when the factory reads it from the request (`teamId: req.headers['x-team-id']`)
   * and no middleware before the code replaces it with a value of its own. Otherwise undefined:
   * the recognizer says what the member is (the verified session).
   */
  private factoryMember(object: FrameworkObject, name: string | undefined): Origin | undefined {
    if (name === undefined || !object.returnedBy) return undefined;
    const built: Origin[] = [];
    // The nearest middleware that replaces the member on every path decides; one that replaces
    // it on some paths adds its values to what the earlier ones (and the factory) say.
    let replacedEverywhere = false;
    for (const middleware of object.replacedBy ?? []) {
      const replaced = this.replacement(middleware, name);
      if (!replaced) continue;
      built.push(...replaced.values);
      if (replaced.everywhere) {
        replacedEverywhere = true;
        break;
      }
    }
    if (!replacedEverywhere) {
      for (const factory of object.returnedBy) {
        const value = this.factoryReturn(factory, name, object.argument);
        if (value) built.push(value);
      }
    }
    const merged = merge(built);
    if (merged.kind === 'framework' || (merged.kind === 'unknown' && merged.client)) return merged;
    return merged.kind === 'client' ? merged : undefined;
  }

  private readonly factoryReturns = new Map<TSESTree.FunctionLike, Map<string, Origin | null>>();

  /** What property `name` of the object a factory returns comes from, read in the factory's own frame. */
  private factoryReturn(factory: Located<TSESTree.FunctionLike>, name: string, argument: FrameworkObject | undefined): Origin | undefined {
    let byName = this.factoryReturns.get(factory.node);
    if (!byName) this.factoryReturns.set(factory.node, (byName = new Map()));
    if (byName.has(name)) return byName.get(name) ?? undefined;
    byName.set(name, null);
    const role = this.roleOf(factory.node, 0, factory.unit);
    const args: (Origin | undefined)[] = [];
    const env = new Env(this.top, factory.node, args);
    if (!role && argument) args.push({ kind: 'framework', object: argument, env });
    const frame: Frame = { unit: factory.unit, env };
    const values: Origin[] = [];
    for (const returned of returnedExpressions(factory.node)) {
      const origin = this.evaluate(returned, frame);
      if (origin.kind === 'object') values.push(this.member(origin, name, returned, frame));
    }
    let merged = merge(values);
    if (merged.kind === 'client') {
      const label = `${functionName(factory.node) ?? 'the context factory'}() at ${displayPath(factory.unit.file, this.context.unit)}:${merged.source.read.loc.start.line} (as \`ctx.${name}\`)`;
      merged = { kind: 'client', source: { ...merged.source, context: `ctx.${name}`, via: [label, ...merged.source.via] } };
    }
    byName.set(name, merged);
    return merged;
  }

  private readonly replacing = new Map<TSESTree.FunctionLike, Map<string, { everywhere: boolean; values: Origin[] } | null>>();

  /**
   * The values a middleware gives `ctx.<name>` when it goes on (`next({ ctx: { ...ctx, teamId:
   * team.id } })`), and whether every `next()` call replaces it. Undefined when none does. A client
   * value it passes on (`companyId: input.companyId`) stays the client's: a check in that
   * middleware gates it like any other guard's.
   */
  private replacement(middleware: Located<TSESTree.FunctionLike>, name: string): { everywhere: boolean; values: Origin[] } | undefined {
    let byName = this.replacing.get(middleware.node);
    if (!byName) this.replacing.set(middleware.node, (byName = new Map()));
    if (byName.has(name)) return byName.get(name) ?? undefined;
    byName.set(name, null);
    const frame: Frame = { unit: middleware.unit, env: this.top };
    const body = middleware.node.body;
    let calls = 0;
    const values: Origin[] = [];
    if (body) {
      walk(body, (node) => {
        if (node.type !== T.CallExpression) return;
        const callee = this.evaluate(node.callee, frame);
        if (callee.kind !== 'framework' || callee.object.framework !== 'trpc' || callee.object.role !== 'next') return;
        calls += 1;
        const options = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
        const ctx = options?.type === T.ObjectExpression ? options.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === 'ctx') : undefined;
        const value = ctx ? unwrap(ctx.value) : undefined;
        const property = value?.type === T.ObjectExpression ? value.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === name) : undefined;
        if (property) values.push(this.evaluate(property.value, frame));
      });
    }
    const result = values.length > 0 ? { everywhere: values.length === calls, values } : undefined;
    byName.set(name, result ?? null);
    return result;
  }

  private roleOf(fn: TSESTree.FunctionLike, index: number, unit: FileUnit): HttpValue | undefined {
    let roles = this.roles.get(fn);
    if (!roles) this.roles.set(fn, (roles = []));
    if (index in roles) return roles[index];
    roles[index] = undefined;
    const http = this.http({ unit, env: this.top });
    for (const recognizer of HTTP_RECOGNIZERS) {
      const role = recognizer.parameter(fn, index, http);
      if (role) {
        roles[index] = role;
        break;
      }
    }
    return roles[index];
  }

  private fromHttp(value: HttpValue, read: Node, unit: FileUnit, env: Env): Origin {
    switch (value.kind) {
      case 'framework':
        return { kind: 'framework', object: value, env };
      case 'client':
        return { kind: 'client', source: { input: value, read, readUnit: unit, readEnv: env, via: [] } };
      case 'trusted':
        return value;
      case 'none':
        return NONE;
    }
  }

  private applyPath(origin: Origin, path: string[], read: Node, frame: Frame): Origin {
    let current = origin;
    for (const name of path) current = this.member(current, name, read, frame);
    return current;
  }

  private member(base: Origin, name: string | undefined, node: Node, frame: Frame): Origin {
    switch (base.kind) {
      case 'framework': {
        const built = base.object.returnedBy ? this.factoryMember(base.object, name) : undefined;
        if (built) return built;
        const value = recognizerFor(base.object.framework)?.member(base.object, name) ?? { kind: 'none' };
        return this.fromHttp(value, node, frame.unit, base.env);
      }
      case 'client':
        return this.clientMember(base, name, node, frame);
      case 'object': {
        const property = base.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === name);
        return property ? this.evaluate(property.value, { unit: base.unit, env: base.env }) : NONE;
      }
      case 'trusted':
      case 'none':
      case 'unknown':
      case 'param':
      case 'pending':
        return base;
    }
  }

  private clientMember(base: Extract<Origin, { kind: 'client' }>, name: string | undefined, node: Node, frame: Frame): Origin {
    const { source } = base;
    const { input } = source;
    if (name !== undefined && name === input.unwrap) return base;
    if (name === 'length') return NONE;
    if (source.lookup) {
      if (name === undefined) return NONE;
      return { kind: 'client', source: { ...source, lookup: { ...source.lookup, rowPath: [...source.lookup.rowPath, name] } } };
    }
    if (input.category === 'request URL') {
      if (name === 'searchParams') return withInput(base, { ...input, category: 'search parameter', shape: 'map', path: [] }, node, frame);
      if (name === 'hostname' || name === 'host') return withInput(base, { ...input, category: 'hostname', path: [] }, node, frame);
      return NONE;
    }
    if (input.shape === 'map') return NONE;
    return withInput(base, { ...input, shape: 'object', path: [...input.path, name ?? '?'], ...(name === undefined ? { dynamic: true } : {}), unwrap: undefined }, node, frame);
  }

  private call(node: TSESTree.CallExpression, frame: Frame): Origin {
    const callee = unwrap(node.callee);
    if (callee.type === T.MemberExpression) {
      const method = memberName(callee);
      if (!method) return NONE;
      const receiver = this.evaluate(callee.object, frame);
      switch (receiver.kind) {
        case 'framework': {
          const value = recognizerFor(receiver.object.framework)?.call(receiver.object, method, node, this.http(frame)) ?? { kind: 'none' };
          return this.fromHttp(value, node, frame.unit, receiver.env);
        }
        case 'client':
          return this.clientCall(receiver, method, node, frame);
        case 'trusted':
        case 'pending':
          return receiver;
        case 'param':
          return NONE;
        default:
          break;
      }
      if (VALIDATORS.has(method) && node.arguments[0]) return this.evaluate(node.arguments[0], frame);
      if (SAFE_PARSE.has(method) && node.arguments[0]) {
        const parsed = this.evaluate(node.arguments[0], frame);
        return parsed.kind === 'client' ? { kind: 'client', source: { ...parsed.source, input: { ...parsed.source.input, unwrap: 'data' } } } : parsed;
      }
      // A row the database returns is not client input, unless it is the tenant the client named.
      const site = this.querySite(node, frame.unit);
      if (site) return this.tenantLookup(node, site, frame) ?? NONE;
      const ref = packageOf(callee, frame.unit, this.context.resolver);
      if ((ref && fromPackage(ref, ...IDENTITY_PACKAGES)) || IDENTITY_METHODS.has(method)) return { kind: 'trusted', why: `\`${calleeText(node, frame.unit)}()\` verifies a credential` };
    } else if (callee.type === T.Identifier) {
      const variable = variableOf(frame.unit.scopeManager, callee);
      const global = !variable || variable.defs.length === 0;
      if (global && TRANSPARENT_FUNCTIONS.has(callee.name) && node.arguments[0]) return this.evaluate(node.arguments[0], frame);
      if (global) return NONE;
      // One resolution of the callee: a package function, a project function, or one destructured
      // from a package call (`export const { auth } = NextAuth(...)`).
      const binding = this.context.resolver.bindingOf(callee, frame.unit);
      if (binding.kind === 'package') return this.packageCall({ source: binding.source, imported: binding.imported }, node, frame);
      if (binding.kind === 'function') return this.returnedBy(binding.fn, node, frame);
      const destructured = binding.kind === 'unknown' ? this.destructuredFromPackage(callee, frame.unit) : undefined;
      if (destructured) return this.packageCall(destructured, node, frame);
      return this.lostThrough(node, frame, binding.kind === 'unknown' ? `the result of \`${callee.name}()\` (${binding.reason})` : undefined);
    }
    const target = this.calleeOf(node, frame);
    if (target.kind === 'function') return this.returnedBy(target.fn, node, frame);
    return this.lostThrough(node, frame, target.kind === 'unknown' ? `the result of \`${calleeText(node, frame.unit)}()\` (${target.reason})` : undefined);
  }

  private clientCall(receiver: Extract<Origin, { kind: 'client' }>, method: string, node: TSESTree.CallExpression, frame: Frame): Origin {
    const { input } = receiver.source;
    if ((input.shape === 'map' || input.shape === 'any') && (method === 'get' || method === 'getAll')) {
      const raw = stringOf(node.arguments[0]);
      const name = raw !== undefined && input.category === 'header' ? raw.toLowerCase() : raw;
      return withInput(receiver, { ...input, shape: 'object', path: [...input.path, name ?? '?'], ...(name === undefined ? { dynamic: true } : {}) }, node, frame);
    }
    if (TRANSPARENT_METHODS.has(method)) return receiver;
    if (method === 'split' && input.category === 'hostname') return withInput(receiver, { ...input, path: ['subdomains'] }, node, frame);
    return NONE;
  }

  private packageCall(ref: PackageRef, node: TSESTree.CallExpression, frame: Frame): Origin {
    const http = this.http(frame);
    for (const recognizer of HTTP_RECOGNIZERS) {
      const value = recognizer.imported?.(ref, node, http);
      if (value) return this.fromHttp(value, node, frame.unit, frame.env);
    }
    if (fromPackage(ref, ...IDENTITY_PACKAGES)) return { kind: 'trusted', why: `\`${ref.imported}()\` from ${ref.source} verifies a credential` };
    // valibot: `parse(schema, input)`.
    if (ref.imported === 'parse' && node.arguments[1]) return this.evaluate(node.arguments[1], frame);
    return this.lostThrough(node, frame, `the result of \`${calleeText(node, frame.unit)}()\` from the package \`${ref.source}\``);
  }

  /** A call the analysis does not follow: its result is not client input, unless client input went in. */
  private lostThrough(node: TSESTree.CallExpression, frame: Frame, reason: string | undefined): Origin {
    for (const arg of node.arguments) {
      if (arg.type === T.SpreadElement) continue;
      const origin = this.evaluate(arg, frame);
      if (origin.kind === 'client' || (origin.kind === 'unknown' && origin.client)) {
        return { kind: 'unknown', reason: reason ?? `the result of \`${calleeText(node, frame.unit)}()\``, client: true };
      }
    }
    return NONE;
  }

  /**
   * `getTenantId(req)`: what a project function returns, with its parameters bound to the
   * arguments. A client value it reads itself is reported at this call, naming the helper.
   */
  private returnedBy(fn: Located<TSESTree.FunctionLike>, call: TSESTree.CallExpression, frame: Frame): Origin {
    if (frame.env.lookup(fn.node) || frame.env.depth >= MAX_INLINE_DEPTH || this.inlined >= INLINE_BUDGET) {
      return this.lostThrough(call, frame, `the result of \`${calleeText(call, frame.unit)}()\`, deeper than the analysis follows calls`);
    }
    this.inlined += 1;
    const args = call.arguments.map((arg) => (arg.type === T.SpreadElement ? undefined : this.evaluate(arg, frame)));
    return this.returnedWith(fn, this.bindable(fn, args), call, frame);
  }

  /**
   * Arguments to bind to a callee's parameters. A request handed to a parameter that is a request
   * by its own type (`req: Request`) is left to that parameter: what the callee reads from it is
   * reported in the callee's file, once, not at every call.
   */
  private bindable(fn: Located<TSESTree.FunctionLike>, args: (Origin | undefined)[]): (Origin | undefined)[] {
    return args.map((arg, index) => (arg?.kind === 'framework' && this.roleOf(fn.node, index, fn.unit) ? undefined : arg));
  }

  private returnedWith(fn: Located<TSESTree.FunctionLike>, args: (Origin | undefined)[], call: Node, frame: Frame): Origin {
    const plain = args.every((arg) => !arg || arg.kind === 'none' || arg.kind === 'trusted');
    let merged = plain ? this.plainReturns.get(fn.node) : undefined;
    if (!merged) {
      const env = new Env(frame.env, fn.node, args);
      merged = merge(returnedExpressions(fn.node).map((expr) => this.evaluate(expr, { unit: fn.unit, env })));
      if (plain) this.plainReturns.set(fn.node, merged);
    }
    // A value the helper read itself (from the request handed to it, or from `headers()`) is
    // reported at this call; one the caller handed in keeps the caller's read.
    const readInside = merged.kind === 'client' && merged.source.readUnit === fn.unit && within(merged.source.read, fn.node);
    if (merged.kind !== 'client' || !readInside) return merged;
    const name = fn.node.type === T.FunctionDeclaration || fn.node.type === T.FunctionExpression ? fn.node.id?.name : undefined;
    const label = `${name ?? (call.type === T.CallExpression ? calleeText(call, frame.unit) : 'a helper')}() at ${displayPath(fn.unit.file, this.context.unit)}:${merged.source.read.loc.start.line}`;
    return { kind: 'client', source: { ...merged.source, read: call, readUnit: frame.unit, readEnv: frame.env, via: [label, ...merged.source.via] } };
  }

  /**
   * The tenant root looked up by a client value (`organization.findFirst({ where: { slug } })`):
   * its row is the client's choice unless the lookup pins the verified user
   * (`members: { some: { userId } }`).
   */
  private tenantLookup(call: TSESTree.CallExpression, site: QuerySite, frame: Frame): Origin | undefined {
    const { schema } = this.context;
    if (!schema.root) return undefined;
    if (site.operation !== 'read' || (site.table.name !== schema.root && !schema.levels.includes(site.table.name))) return undefined;
    const args = call.arguments[0] ? resolveObject(call.arguments[0], frame.unit, { ...this.context, unit: frame.unit }) : undefined;
    const where = args ? this.objectProperty(args, 'where', frame) : undefined;
    if (!where) return undefined;
    const pin = this.userPin(where, site.table, frame);
    if (pin === 'verified') return { kind: 'trusted', why: `\`${site.calleeText}\` looks the tenant up with a membership condition on the verified user` };
    if (pin === 'untraced') return { kind: 'unknown', reason: `\`${site.calleeText}\` looks the tenant up for a user that could not be traced to the verified identity`, client: true };
    // `where: { ...buildTeamWhereQuery({ userId }), id: teamId }`: most likely a membership condition, not read.
    if (this.whereBuiltByUserCall(call, frame)) return { kind: 'unknown', reason: `\`${site.calleeText}\` looks the tenant up with a filter built by a helper given the verified user`, client: true };
    for (const property of where.node.properties) {
      if (property.type !== T.Property) continue;
      const origin = this.evaluate(property.value, { unit: where.unit, env: frame.env });
      if (origin.kind !== 'client') continue;
      const lookup = { table: site.table.name, callee: site.calleeText, at: `${displayPath(frame.unit.file, this.context.unit)}:${call.loc.start.line}`, rowPath: [] };
      return { kind: 'client', source: { ...origin.source, lookup } };
    }
    return undefined;
  }

  /** `export const { auth } = NextAuth(config)`, imported elsewhere as `auth`. */
  private destructuredFromPackage(callee: TSESTree.Identifier, unit: FileUnit): PackageRef | undefined {
    const variable = variableOf(unit.scopeManager, callee);
    const def = variable?.defs[0];
    if (def?.type === 'Variable') return this.destructuredDeclarator(def.node, callee.name, unit);
    if (def?.type !== 'ImportBinding' || def.node.type !== T.ImportSpecifier || def.parent.type !== T.ImportDeclaration) return undefined;
    const imported = def.node.imported.type === T.Identifier ? def.node.imported.name : def.node.imported.value;
    const { modules } = this.context.resolver;
    const file = modules.resolve(unit.file, def.parent.source.value);
    const target = file ? modules.unit(file) : undefined;
    if (!target) return undefined;
    for (const statement of target.ast.body) {
      if (statement.type !== T.ExportNamedDeclaration || statement.declaration?.type !== T.VariableDeclaration) continue;
      for (const declarator of statement.declaration.declarations) {
        const found = this.destructuredDeclarator(declarator, imported, target);
        if (found) return found;
      }
    }
    return undefined;
  }

  private destructuredDeclarator(declarator: TSESTree.VariableDeclarator, name: string, unit: FileUnit): PackageRef | undefined {
    if (declarator.id.type !== T.ObjectPattern || declarator.init?.type !== T.CallExpression) return undefined;
    const has = declarator.id.properties.some((p) => p.type === T.Property && propertyName(p) === name);
    const ref = has ? packageOf(declarator.init.callee, unit, this.context.resolver) : undefined;
    return ref ? { source: ref.source, imported: `${ref.imported}().${name}` } : undefined;
  }

  // ---------------------------------------------------------------- recognizer context

  private http(frame: Frame): HttpContext {
    const flow = this;
    return {
      unit: frame.unit,
      resolver: this.context.resolver,
      frameworkObject(node) {
        const origin = flow.evaluate(node, frame);
        return origin.kind === 'framework' ? origin.object : undefined;
      },
      packageRoot(node) {
        return packageRoot(node, frame.unit, this, (fn, index, unit) => flow.receiverParameter(fn, index, unit));
      },
      packageOf(node) {
        return packageOf(node, frame.unit, flow.context.resolver);
      },
      isTenantName(name) {
        return flow.isTenantName(name);
      },
      valueReturnedBy(fn, args) {
        const origins = args.map((a) => (a ? flow.fromHttp(a, fn.node, fn.unit, frame.env) : undefined));
        const result = flow.returnedWith(fn, origins, fn.node, frame);
        if (result.kind === 'client') return { ...result.source.input, path: [...result.source.input.path] };
        if (result.kind === 'framework') return result.object;
        if (result.kind === 'trusted') return result;
        return { kind: 'none' };
      },
    };
  }

  private receiverParameter(fn: TSESTree.FunctionLike, index: number, unit: FileUnit): PackageRef | undefined {
    const http = this.http({ unit, env: this.top });
    for (const recognizer of HTTP_RECOGNIZERS) {
      const found = recognizer.receiverParameter?.(fn, index, http);
      if (found) return found;
    }
    return undefined;
  }

  private isTenantName(name: string): boolean {
    return this.names.isTenantId(name) || this.names.isTenantObject(name);
  }

  /** Client input named like a tenant (`header x-tenant-id`, `body field orgId`): worth counting when lost. */
  private isTenantSource(source: Source): boolean {
    const last = source.input.path[source.input.path.length - 1];
    return last !== undefined && this.isTenantName(last);
  }

  // ---------------------------------------------------------------- wording

  private finding(node: Node, hits: Hit[]): RawFinding {
    const sorted = [...hits].sort((a, b) => a.sink.node.range[0] - b.sink.node.range[0]);
    const hit = sorted[0];
    const { source, sink } = hit;
    const framework = recognizerFor(source.input.framework);
    const where = `${displayPath(sink.unit.file, this.context.unit)}:${sink.node.loc.start.line}`;
    const others = new Set(sorted.slice(1).map((h) => `${h.sink.label} at ${displayPath(h.sink.unit.file, this.context.unit)}:${h.sink.node.loc.start.line}`));
    others.delete(`${sink.label} at ${where}`);
    const also = others.size ? ` It also reaches: ${[...others].join('; ')}.` : '';
    const via = source.via.length ? ` It is read through ${source.via.join(', then ')}.` : '';
    const identity = framework?.identityHint ?? 'the verified identity';
    if (sink.mass) {
      return {
        ruleId: RULE,
        messageId: 'massAssignment',
        node,
        message: `Client input (${sourceName(source)}) is ${sink.label} at ${where} as a whole, so the client can set \`${sink.mass.key}\`.`,
        evidence: `\`${sink.mass.table}\` is tenant data keyed by \`${sink.mass.key}\`. Every field the client sends is written, including \`${sink.mass.key}\`: one request can move a row into another tenant, or plant one there.${via}${also}`,
        help: `Pick the fields to write (\`{ name: body.name, ... }\`) or validate the input with a schema that has no \`${sink.mass.key}\`, and set \`${sink.mass.key}\` last from ${identity}.`,
      };
    }
    if (source.lookup) {
      return {
        ruleId: RULE,
        messageId: 'unverifiedTenantLookup',
        node,
        message: `The tenant is looked up from client input (${sourceName(source)}) and ${sink.label} at ${where}.`,
        evidence: `\`${source.lookup.callee}\` (${source.lookup.at}) finds the \`${source.lookup.table}\` the client names, with no membership condition for the verified user, and nothing checks membership before the row's key is used, so any caller can act as any tenant.${via}${also}`,
        help: `Look the tenant up together with the user's membership (${this.membershipCondition()}) and reject the request when it is not found, or derive the tenant from ${identity}.`,
      };
    }
    if (source.context) {
      return {
        ruleId: RULE,
        messageId: 'clientTenantId',
        node,
        message: `The tenant id comes from client input (${sourceName(source)}, as \`${source.context}\`) and is ${sink.label} at ${where}.`,
        evidence: `The context factory reads ${sourceName(source)} from the request, and neither a middleware of this procedure nor the code before the query checks that the verified user belongs to that tenant, so a request can name another tenant and reach its data.${via}${also}`,
        help: `Check the membership in a middleware of the procedure (${this.membershipLookup()} with \`${source.context}\`, throwing when there is none) and pass the checked id on with \`next({ ctx })\`, or derive the tenant from the session in the context factory.`,
      };
    }
    return {
      ruleId: RULE,
      messageId: 'clientTenantId',
      node,
      message: `The tenant id comes from client input (${sourceName(source)}) and is ${sink.label} at ${where}.`,
      evidence: `The client chooses ${sourceName(source)} freely, and nothing compares it with the verified identity before it is used, so a request can name another tenant and reach its data.${via}${also}`,
      help: `Derive the tenant from ${identity}. If the client picks among its own tenants, check membership first (${this.membershipLookup()}) and reject the request when there is none.`,
    };
  }

  /**
   * The schema's membership model: a tenant model with a required foreign key to the users'
   * model (`Membership.userId`). Hints name it, so the fix reads like the user's own code.
   */
  private membership(): { table: Table; tenantKey: string; userKey: string } | undefined {
    const { schema } = this.context;
    const candidates: { table: Table; tenantKey: string; userKey: string }[] = [];
    for (const table of schema.tables.values()) {
      const tenantKey = table.tenantKeys[0];
      if (!tenantKey) continue;
      for (const relation of table.relations.values()) {
        const target = schema.tables.get(relation.target);
        if (relation.required && relation.fields.length === 1 && target && isPrincipal(target, schema.root)) candidates.push({ table, tenantKey, userKey: relation.fields[0] });
      }
    }
    return candidates.find((c) => /member|employ|seat|access/i.test(c.table.name)) ?? candidates[0];
  }

  private membershipLookup(): string {
    const found = this.membership();
    if (!found) return 'look up the verified user\'s membership in that tenant';
    return `\`${delegateName(found.table.name)}.findFirst({ where: { ${found.tenantKey}, ${found.userKey}: <verified user id> } })\``;
  }

  private membershipCondition(): string {
    const found = this.membership();
    const root = this.context.schema.root ? this.context.schema.tables.get(this.context.schema.root) : undefined;
    const relation = found && root ? [...root.relations.values()].find((r) => r.isList && r.target === found.table.name) : undefined;
    if (!found || !relation) return 'a membership condition on the verified user';
    return `\`where: { ..., ${relation.name}: { some: { ${found.userKey}: <verified user id> } } }\``;
  }
}

// ---------------------------------------------------------------- helpers

/** A value checked only by a helper not followed to a decision: the same entry for every sink it reaches. */
function delegatedReason(source: Source, helper: string): string {
  return `${sourceName(source)}${source.context ? ` (as \`${source.context}\`)` : ''} is checked by \`${helper}()\`, which receives the verified user; not followed`;
}

/** Why a hit that no certain check settles is counted as not analysable rather than reported. */
function undecidedReason(hit: Hit, checked: Certainty): string | undefined {
  const what = `${sourceName(hit.source)} ${hit.sink.label}`;
  if (hit.sink.uncertain) return hit.sink.uncertain.startsWith('is ') ? `${what} ${hit.sink.uncertain}` : `${what}, ${hit.sink.uncertain}`;
  if (checked === 'uncertain') return `${what} is checked against a user or value that could not be traced to the verified identity`;
  return undefined;
}

function keyOf(source: Source): string {
  const base = `${source.input.category}:${source.input.path.join('.')}`;
  return source.lookup ? `${base}>${source.lookup.table}.${source.lookup.rowPath.join('.')}` : base;
}

function sourceName(source: Source): string {
  const { category, path } = source.input;
  if (category === 'hostname') return path[0] === 'subdomains' ? 'the subdomain' : 'the hostname';
  const name = path.join('.');
  if (!name) return `the ${category === 'tRPC input field' ? 'tRPC input' : category.replace(/ (field|parameter|argument)$/, '')}`;
  return `${category} \`${name}\``;
}

function withInput(base: Extract<Origin, { kind: 'client' }>, input: ClientInput, node: Node, frame: Frame): Origin {
  // A value handed in by the caller keeps the caller's read; one read in this frame points here.
  const here = base.source.readEnv === frame.env;
  return { kind: 'client', source: { ...base.source, input, ...(here ? { read: node, readUnit: frame.unit } : {}) } };
}

/** Client input wins a merge: if one branch of `a ?? b` is the client's value, the client can choose it. */
function merge(all: Origin[]): Origin {
  const origins = all.filter((o) => o.kind !== 'pending');
  if (origins.length === 0) return all.length ? PENDING : NONE;
  const client = origins.find((o) => o.kind === 'client');
  if (client) return client;
  const lost = origins.find((o) => o.kind === 'unknown' && o.client);
  if (lost) return lost;
  if (origins.length > 0 && origins.every((o) => o.kind === 'trusted')) return origins[0];
  return origins.find((o) => o.kind === 'framework') ?? NONE;
}

/** `orgId: v`, `orgId: { equals: v }`, `orgId: { in: vs }`. */
function equalityValues(value: Node, unit: FileUnit): Located[] {
  if (value.type !== T.ObjectExpression) return [{ node: value, unit }];
  return value.properties.flatMap((p) => (p.type === T.Property && ['equals', 'in'].includes(propertyName(p) ?? '') ? [{ node: p.value, unit }] : []));
}

/** The users' model (or another that spans tenants): neither tenant data nor the tenant root. */
function isPrincipal(table: Table, root: string | undefined): boolean {
  return table.name !== root && table.class !== 'tenant' && table.class !== 'child';
}

/** `{ some: { ... } }`, `{ every: ... }`, `{ is: { ... } }` on a relation: the inner filter. */
function unwrapRelationFilter(filter: TSESTree.ObjectExpression): TSESTree.ObjectExpression {
  for (const property of filter.properties) {
    if (property.type === T.Property && ['some', 'is'].includes(propertyName(property) ?? '') && property.value.type === T.ObjectExpression) return property.value;
  }
  return filter;
}

function unwrapIs(filter: TSESTree.ObjectExpression): TSESTree.ObjectExpression {
  for (const property of filter.properties) {
    if (property.type === T.Property && propertyName(property) === 'is' && property.value.type === T.ObjectExpression) return property.value;
  }
  return filter;
}

function settingBefore(prefix: string): string | undefined {
  const match = /set_config\s*\(\s*'([^']+)'\s*,\s*$|\bset\s+(?:local\s+|session\s+)?([a-z_][\w.]*)\s*(?:=|\bto\b)\s*'?$/i.exec(prefix);
  const setting = match?.[1] ?? match?.[2];
  return setting && SQL_SETTING.test(setting) ? setting : undefined;
}

/** `'ADMIN'`, `Role.ADMIN`, `UserRole.SuperAdmin`: a value that names the admin role. */
function isAdminRole(node: Node): boolean {
  const value = unwrap(node);
  if (value.type === T.Literal && typeof value.value === 'string') return ADMIN_ROLE.test(value.value);
  return value.type === T.MemberExpression && ADMIN_ROLE.test(memberName(value) ?? '');
}

/** `createContext` for `export const createContext = async () => ...` or `function createContext() {}`. */
function functionName(fn: TSESTree.FunctionLike): string | undefined {
  if ((fn.type === T.FunctionDeclaration || fn.type === T.FunctionExpression) && fn.id) return fn.id.name;
  return fn.parent?.type === T.VariableDeclarator && fn.parent.id.type === T.Identifier ? fn.parent.id.name : undefined;
}

function functionOf(node: Node): TSESTree.FunctionLike | undefined {
  if (node.type === T.FunctionDeclaration || node.type === T.FunctionExpression || node.type === T.ArrowFunctionExpression) return node;
  return undefined;
}

/** Which parameter holds `name`, and the property path to it inside a destructuring pattern. */
function parameterPosition(fn: TSESTree.FunctionLike, name: TSESTree.Identifier): { index: number; path: string[] } | undefined {
  for (let index = 0; index < fn.params.length; index++) {
    const param = fn.params[index];
    const pattern = param.type === T.TSParameterProperty ? param.parameter : param;
    const path = patternPath(pattern, name);
    if (path) return { index, path };
  }
  return undefined;
}

function patternPath(pattern: Node, target: TSESTree.Identifier): string[] | undefined {
  switch (pattern.type) {
    case T.Identifier:
      return pattern === target ? [] : undefined;
    case T.AssignmentPattern:
      return patternPath(pattern.left, target);
    case T.RestElement:
      return patternPath(pattern.argument, target);
    case T.ObjectPattern:
      for (const property of pattern.properties) {
        if (property.type === T.RestElement) {
          const rest = patternPath(property.argument, target);
          if (rest) return rest;
          continue;
        }
        const inner = patternPath(property.value, target);
        if (!inner) continue;
        const key = propertyName(property);
        return key === undefined ? undefined : [key, ...inner];
      }
      return undefined;
    case T.ArrayPattern:
      for (let i = 0; i < pattern.elements.length; i++) {
        const element = pattern.elements[i];
        const inner = element ? patternPath(element, target) : undefined;
        if (inner) return [String(i), ...inner];
      }
      return undefined;
    default:
      return undefined;
  }
}

type Certainty = 'certain' | 'uncertain' | undefined;

function strongest(...found: Certainty[]): Certainty {
  if (found.includes('certain')) return 'certain';
  return found.includes('uncertain') ? 'uncertain' : undefined;
}

/** `'default'`, `42`, `null`, a template with no expressions: a constant, never an identity. */
function isLiteral(node: Node): boolean {
  const value = unwrap(node);
  return value.type === T.Literal || (value.type === T.TemplateLiteral && value.expressions.length === 0) || (value.type === T.Identifier && value.name === 'undefined');
}

/** `teamId`, `input.teamId`, `String(orgId)`, `slug.trim()`: a variable or a member chain, no helper call. */
function isPlainValue(node: Node): boolean {
  const value = unwrap(node);
  if (value.type === T.Identifier) return true;
  if (value.type === T.MemberExpression) return isPlainValue(value.object);
  if (value.type !== T.CallExpression || !value.arguments[0] && value.callee.type !== T.MemberExpression) return false;
  const callee = unwrap(value.callee);
  if (callee.type === T.Identifier) return TRANSPARENT_FUNCTIONS.has(callee.name) && value.arguments[0] !== undefined && isPlainValue(value.arguments[0]);
  return callee.type === T.MemberExpression && TRANSPARENT_METHODS.has(memberName(callee) ?? '') && isPlainValue(callee.object);
}

function numericName(node: TSESTree.MemberExpression): string | undefined {
  return node.computed && node.property.type === T.Literal && typeof node.property.value === 'number' ? String(node.property.value) : undefined;
}

function calleeText(call: TSESTree.CallExpression, unit: FileUnit): string {
  return unit.text.slice(call.callee.range[0], call.callee.range[1]).replace(/\s+/g, '');
}

function within(inner: Node, outer: Node): boolean {
  return inner.range[0] >= outer.range[0] && inner.range[1] <= outer.range[1];
}

/** The statement that holds `node`: what runs before the code after it. */
function statementOf(node: Node): Node {
  let current: Node = node;
  while (current.parent && current.parent.type !== T.BlockStatement && current.parent.type !== T.Program && current.parent.type !== T.SwitchCase) {
    if (current.parent.type === T.ArrowFunctionExpression || current.parent.type === T.FunctionExpression || current.parent.type === T.FunctionDeclaration) break;
    current = current.parent;
  }
  return current;
}

/**
 * How a check's result stops the request: the `if` it is tested in (`if (!member) return 403`),
 * an assertion, an `OrThrow` lookup, or the variable it is stored in and tested later.
 */
function gatesOf(node: Node, key: string, what: string, certain: boolean): Check[] {
  if (node.type === T.CallExpression && /OrThrow$/.test(calleeName(node) ?? '')) return [{ key, gate: statementOf(node), mode: 'exit', throws: true, what, certain }];
  let current: Node = node;
  for (;;) {
    const parent = current.parent;
    if (!parent) return [];
    if (parent.type === T.UnaryExpression || parent.type === T.LogicalExpression || parent.type === T.AwaitExpression || parent.type === T.ChainExpression || parent.type === T.TSNonNullExpression || parent.type === T.BinaryExpression || parent.type === T.TSAsExpression || (parent.type === T.MemberExpression && parent.object === current)) {
      current = parent;
      continue;
    }
    // `user.orgIds.some((id) => id === orgId)`: the callback's verdict is the call's.
    if ((parent.type === T.ArrowFunctionExpression && parent.body === current) || parent.type === T.ReturnStatement) {
      const fn = parent.type === T.ReturnStatement ? enclosingFunction(parent) : parent;
      const call = fn?.parent;
      if (call?.type === T.CallExpression && call.arguments.some((a) => a === fn) && ARRAY_CALLBACKS.has(calleeName(call) ?? '')) {
        current = call;
        continue;
      }
      return [{ key, gate: parent, mode: 'verdict', throws: false, what, certain }];
    }
    if (parent.type === T.IfStatement && parent.test === current) return ifGates(parent, passesWhenTrue(node, parent.test), key, what, certain);
    if (parent.type === T.CallExpression && ASSERTS.has(calleeName(parent) ?? '')) return [{ key, gate: statementOf(parent), mode: 'exit', throws: true, what, certain }];
    if (parent.type === T.VariableDeclarator && parent.id.type === T.Identifier && parent.init === current) return storedGates(parent.id, key, what, certain);
    return [];
  }
}

/**
 * `if (member) { ...uses... }` runs its consequent only when the check passes; `if (!member)
 * return 403` stops the request when it fails, so what follows the `if` is gated.
 */
function ifGates(statement: TSESTree.IfStatement, positive: boolean, key: string, what: string, certain: boolean): Check[] {
  const failing = positive ? statement.alternate : statement.consequent;
  const exit = failing ? exitOf(failing) : undefined;
  const gates: Check[] = positive ? [{ key, gate: statement, mode: 'inside', throws: false, what, certain }] : [];
  if (exit) gates.push({ key, gate: statement, mode: 'exit', throws: exit === 'throw', what, certain });
  return gates;
}

/**
 * Is the `if` test true when the check passes? `!member`, `member === null` and `orgId !==
 * user.orgId` are true when it fails. `check` is the comparison itself or the checked value.
 */
function passesWhenTrue(check: Node, test: Node): boolean {
  let positive = !(check.type === T.BinaryExpression && (check.operator === '!==' || check.operator === '!='));
  for (let current: Node = check; current !== test && current.parent; current = current.parent) {
    const parent = current.parent;
    if (parent.type === T.UnaryExpression && parent.operator === '!') positive = !positive;
    if (parent.type === T.BinaryExpression) {
      const other = parent.left === current ? parent.right : parent.left;
      const nullish = (other.type === T.Literal && other.value === null) || (other.type === T.Identifier && other.name === 'undefined');
      const equality = parent.operator === '===' || parent.operator === '==';
      const inequality = parent.operator === '!==' || parent.operator === '!=';
      if ((nullish && equality) || (!nullish && inequality)) positive = !positive;
    }
  }
  return positive;
}

/**
 * `const member = await prisma.membership.findFirst(...)`, then `if (!member) ...` anywhere in the
 * function, or `return member !== null` (the verdict, for the caller to test).
 */
function storedGates(id: TSESTree.Identifier, key: string, what: string, certain: boolean): Check[] {
  const fn = enclosingFunction(id);
  const scope: Node | undefined = fn?.body ?? undefined;
  if (!fn || !scope) return [];
  const gates: Check[] = [];
  walk(scope, (node) => {
    const mention = node.type === T.IfStatement ? mentionOf(node.test, id.name) : undefined;
    if (node.type === T.IfStatement && mention) gates.push(...ifGates(node, passesWhenTrue(mention, node.test), key, what, certain));
    if (node.type === T.ReturnStatement && node.argument && enclosingFunction(node) === fn && mentions(node.argument, id.name)) gates.push({ key, gate: node, mode: 'verdict', throws: false, what, certain });
  });
  if (fn.body?.type !== T.BlockStatement && fn.body && mentions(fn.body, id.name)) gates.push({ key, gate: fn.body, mode: 'verdict', throws: false, what, certain });
  return gates;
}

function mentionOf(node: Node, name: string): Node | undefined {
  let found: Node | undefined;
  walk(node, (inner) => {
    if (!found && inner.type === T.Identifier && inner.name === name) found = inner;
  });
  return found;
}

function mentions(node: Node, name: string): boolean {
  let found = false;
  walk(node, (inner) => {
    if (inner.type === T.Identifier && inner.name === name) found = true;
  });
  return found;
}

/** Does a branch end the request? `'throw'` when it also ends the caller. */
function exitOf(branch: Node): 'throw' | 'return' | undefined {
  const statements = branch.type === T.BlockStatement ? branch.body : [branch];
  let exit: 'throw' | 'return' | undefined;
  for (const statement of statements) {
    if (statement.type === T.ThrowStatement) return 'throw';
    if (statement.type === T.ReturnStatement) {
      const argument = statement.argument ? unwrap(statement.argument) : undefined;
      if (argument?.type === T.CallExpression && EXIT_CALLS.has(calleeName(argument) ?? '')) return 'throw';
      exit ??= 'return';
    }
    if (statement.type === T.ExpressionStatement) {
      const expression = unwrap(statement.expression);
      if (expression.type === T.CallExpression && EXIT_CALLS.has(calleeName(expression) ?? '')) return 'throw';
    }
  }
  return exit;
}

function calleeName(call: TSESTree.CallExpression): string | undefined {
  const callee = unwrap(call.callee);
  if (callee.type === T.Identifier) return callee.name;
  return callee.type === T.MemberExpression ? memberName(callee) : undefined;
}

/** Prisma's written values: `data` (create, update) or `create`/`update` of an upsert. */
function prismaData(call: TSESTree.CallExpression): Node | undefined {
  const args = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
  if (args?.type !== T.ObjectExpression) return undefined;
  const data = args.properties.find((p): p is TSESTree.Property => p.type === T.Property && ['data', 'create'].includes(propertyName(p) ?? ''));
  return data?.value;
}

/** Did the value pass through a validator (`Schema.parse(body)`, `validate(dto)`), following consts? */
function throughValidator(value: Node, unit: FileUnit, context: AnalysisContext, depth = 0): boolean {
  const node = unwrap(value);
  if (depth > 3) return false;
  if (node.type === T.CallExpression) {
    const callee = unwrap(node.callee);
    const name = callee.type === T.MemberExpression ? memberName(callee) : callee.type === T.Identifier ? callee.name : undefined;
    return VALIDATORS.has(name ?? '') || SAFE_PARSE.has(name ?? '');
  }
  if (node.type === T.MemberExpression && memberName(node) === 'data') return throughValidator(node.object, unit, context, depth + 1);
  if (node.type !== T.Identifier) return false;
  const binding = context.resolver.bindingOf(node, unit, depth + 1);
  return binding.kind === 'value' && throughValidator(binding.value.node, binding.value.unit, context, depth + 1);
}
