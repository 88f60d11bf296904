import type { Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/types';
import { unwrap, type FileUnit, type Node } from '../../core/ast.js';
import type { HttpContext, HttpValue, Models, PackageRef, QueryFacts } from '../../core/facts.js';
import type { AnalysisContext } from '../../core/query-site.js';
import type { Located } from '../../core/resolve.js';
import { TenantNames } from '../../core/tenant-values.js';
import { adminChecksIn, isAdminOnly } from './barriers/admin.js';
import { checksIn } from './barriers/checks.js';
import { builtLookupChecks, delegatedChecks, undecided } from './barriers/delegated.js';
import { covers, gatedBy, isChecked } from './barriers/guards.js';
import { ownRow, pinOf, tenantLookup, userRows } from './barriers/pins.js';
import { calleeOf, type Callee } from './callees.js';
import { factoryMember } from './context-factory.js';
import { finding } from './messages.js';
import { clientCall, clientMember, destructuredFromPackage, fromHttp, http, packageCall, receiverParameter, roleOf, typedProperty } from './sources.js';
import { bindable, evaluateInner, lostThrough, member, returnedWith } from './values.js';
import { carries, visit } from './visit.js';
import { Env, type Certainty, type Check, type ClientOrigin, type Frame, type Hit, type Lost, type Origin, type Pin, type Source, type Visit } from './types.js';

const namesCache = new WeakMap<object, WeakMap<object, TenantNames>>();

function tenantNames(context: AnalysisContext): TenantNames {
  let byConfig = namesCache.get(context.schema);
  if (!byConfig) namesCache.set(context.schema, (byConfig = new WeakMap()));
  let names = byConfig.get(context.config);
  if (!names) byConfig.set(context.config, (names = new TenantNames(context.schema, context.config)));
  return names;
}

/**
 * The analysis of one file for no-client-tenant-id: the state every part shares (memos, the
 * budget of followed calls) and the operations the parts ask of one another. The parts are
 * modules beside this one (sources, values, sinks, barriers, messages); each imports only this
 * class's type, and reaches another part through a method here, so that they import no cycle.
 */
export class ClientTenantFlow {
  readonly names: TenantNames;
  readonly top: Env = new Env();
  /** Functions followed so far in this file (see INLINE_BUDGET). */
  inlined = 0;
  /** Cycles cut while evaluating: an origin computed while one was cut is not memoised. */
  cycles = 0;
  readonly roles = new Map<TSESTree.FunctionLike, (HttpValue | undefined)[]>();
  readonly active = new Set<Node>();
  readonly checkCache = new Map<Node, Check[]>();
  readonly origins = new Map<Node, Origin>();
  /** Origins per followed frame (see evaluate). */
  readonly frameOrigins = new WeakMap<Env, Map<Node, Origin>>();
  readonly variables = new Map<Variable, Origin>();
  readonly pendingVariables = new Set<Variable>();
  readonly guardChecks = new Map<TSESTree.FunctionLike, Map<string, Check[]>>();
  /** What helpers return when called with nothing from the client: the same at every call. */
  readonly plainReturns = new Map<TSESTree.FunctionLike, Origin>();
  readonly adminGuarded = new Map<TSESTree.FunctionLike, boolean>();
  readonly factoryReturns = new Map<TSESTree.FunctionLike, Map<string, Origin | null>>();
  readonly replacing = new Map<TSESTree.FunctionLike, Map<string, { everywhere: boolean; values: Origin[] } | null>>();
  /** Receivers of this file whose framework could not be decided within the budget (see packageRoot). */
  readonly undecidedRoots: Lost[] = [];
  private readonly queries = new Map<TSESTree.CallExpression | TSESTree.TaggedTemplateExpression, QueryFacts | null>();

  constructor(
    readonly context: AnalysisContext,
    readonly models: Models,
  ) {
    this.names = tenantNames(context);
  }

  sameContext(context: AnalysisContext, models: Models): boolean {
    return context.schema === this.context.schema && context.config === this.context.config && context.resolver === this.context.resolver && models === this.models;
  }

  // ---------------------------------------------------------------- values

  evaluate(node: Node, frame: Frame): Origin {
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
      const origin = evaluateInner(this, unwrap(node), frame);
      // A value computed while a cycle was cut may differ when asked directly: not cached.
      if (this.cycles === cycles) origins.set(node, origin);
      return origin;
    } finally {
      this.active.delete(node);
    }
  }

  member(base: Origin, name: string | undefined, node: Node, frame: Frame): Origin {
    return member(this, base, name, node, frame);
  }

  lostThrough(node: TSESTree.CallExpression, frame: Frame, reason: string | undefined): Origin {
    return lostThrough(this, node, frame, reason);
  }

  returnedWith(fn: Located<TSESTree.FunctionLike>, args: (Origin | undefined)[], call: Node, frame: Frame): Origin {
    return returnedWith(this, fn, args, call, frame);
  }

  bindable(fn: Located<TSESTree.FunctionLike>, args: (Origin | undefined)[]): (Origin | undefined)[] {
    return bindable(this, fn, args);
  }

  /** The query a call is, in any data layer, recognized once per call. */
  query(call: TSESTree.CallExpression | TSESTree.TaggedTemplateExpression, unit: FileUnit): QueryFacts | undefined {
    const known = this.queries.get(call);
    if (known !== undefined) return known ?? undefined;
    const facts = this.models.queries.facts(call, unit === this.context.unit ? this.context : { ...this.context, unit }) ?? null;
    this.queries.set(call, facts);
    return facts ?? undefined;
  }

  // ---------------------------------------------------------------- sources

  http(frame: Frame): HttpContext {
    return http(this, frame);
  }

  roleOf(fn: TSESTree.FunctionLike, index: number, unit: FileUnit): HttpValue | undefined {
    return roleOf(this, fn, index, unit);
  }

  fromHttp(value: HttpValue, read: Node, unit: FileUnit, env: Env): Origin {
    return fromHttp(value, read, unit, env);
  }

  receiverParameter(fn: TSESTree.FunctionLike, index: number, unit: FileUnit): PackageRef | undefined {
    return receiverParameter(this, fn, index, unit);
  }

  typedProperty(fn: TSESTree.FunctionLike, index: number, name: string, read: Node, frame: Frame): Origin | undefined {
    return typedProperty(this, fn, index, name, read, frame);
  }

  clientMember(base: ClientOrigin, name: string | undefined, node: Node, frame: Frame): Origin {
    return clientMember(base, name, node, frame);
  }

  clientCall(receiver: ClientOrigin, method: string, node: TSESTree.CallExpression, frame: Frame): Origin {
    return clientCall(receiver, method, node, frame);
  }

  packageCall(ref: PackageRef, node: TSESTree.CallExpression, frame: Frame): Origin {
    return packageCall(this, ref, node, frame);
  }

  destructuredFromPackage(callee: TSESTree.Identifier, unit: FileUnit): PackageRef | undefined {
    return destructuredFromPackage(this, callee, unit);
  }

  factoryMember(object: Extract<Origin, { kind: 'framework' }>['object'], name: string | undefined): Origin | undefined {
    return factoryMember(this, object, name);
  }

  isTenantName(name: string): boolean {
    return this.names.isTenantId(name) || this.names.isTenantObject(name);
  }

  /** Client input named like a tenant (`header x-tenant-id`, `body field orgId`): worth counting when lost. */
  isTenantSource(source: Source): boolean {
    const last = source.input.path[source.input.path.length - 1];
    return last !== undefined && this.isTenantName(last);
  }

  // ---------------------------------------------------------------- following calls

  visit(root: Node, knownCalls: TSESTree.CallExpression[] | undefined, frame: Frame): Visit {
    return visit(this, root, knownCalls, frame);
  }

  calleeOf(call: TSESTree.CallExpression, frame: Frame): Callee {
    return calleeOf(this, call, frame);
  }

  carries(origin: Origin): boolean {
    return carries(this, origin);
  }

  // ---------------------------------------------------------------- barriers

  checksIn(scope: Node, frame: Frame): Check[] {
    return checksIn(this, scope, frame);
  }

  isChecked(hit: Hit, frame: Frame, delegates?: Check[]): Certainty {
    return isChecked(this, hit, frame, delegates);
  }

  /** Does a check of the value keyed `checked` make the value keyed `used` safe? */
  covers(checked: string, used: string): boolean {
    return covers(this, checked, used);
  }

  gatedBy(hit: Hit, checks: Check[], scope: Node, delegates?: Check[]): Certainty {
    return gatedBy(this, hit, checks, scope, delegates);
  }

  delegatedChecks(call: TSESTree.CallExpression, args: (Origin | undefined)[], frame: Frame, unfollowed: boolean): Check[] {
    return delegatedChecks(this, call, args, frame, unfollowed);
  }

  undecided(fn: Located<TSESTree.FunctionLike>, env: Env, depth: number): boolean {
    return undecided(this, fn, env, depth);
  }

  builtLookupChecks(call: TSESTree.CallExpression, frame: Frame): Check[] {
    return builtLookupChecks(this, call, frame);
  }

  pinOf(query: QueryFacts, frame: Frame): Pin {
    return pinOf(this, query, frame);
  }

  tenantLookup(query: QueryFacts, frame: Frame): Origin | undefined {
    return tenantLookup(this, query, frame);
  }

  ownRow(query: QueryFacts, frame: Frame): Origin | undefined {
    return ownRow(this, query, frame);
  }

  userRows(query: QueryFacts, frame: Frame): Origin | undefined {
    return userRows(this, query, frame);
  }

  isAdminOnly(at: Node): boolean {
    return isAdminOnly(this, at);
  }

  adminChecksIn(scope: TSESTree.FunctionLike, frame: Frame): Check[] {
    return adminChecksIn(this, scope, frame);
  }

  // ---------------------------------------------------------------- wording

  /** How a message names `file` from the file being analysed. */
  displayPath(file: string): string {
    return this.models.project.displayPath(file, this.context.unit.file);
  }

  finding(node: Node, hits: Hit[]): ReturnType<typeof finding> {
    return finding(this, node, hits);
  }
}
