import type { TSESTree } from '@typescript-eslint/types';
import type { FileUnit, Node } from '../../core/ast.js';
import type { ClientInput, FrameworkObject } from '../../core/facts.js';

export const RULE = 'no-client-tenant-id';
export const MAX_INLINE_DEPTH = 4;
/** How deep a helper handed only plain values is followed for its value (see returnedBy). */
export const MAX_VALUE_DEPTH = MAX_INLINE_DEPTH + 2;
/** Functions followed per file, across all call sites: beyond it flows are counted as not analysable. */
export const INLINE_BUDGET = 400;
/** A check that verifies the whole request (a webhook signature) covers every value read from it. */
export const ANY_KEY = '*';

/** Where parameters of the functions being followed get their values: one frame per call followed. */
export class Env {
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

export interface Frame {
  unit: FileUnit;
  env: Env;
}

/** A client-controlled value and where it was read. */
export interface Source {
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

export type Origin =
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

export type ClientOrigin = Extract<Origin, { kind: 'client' }>;

export const NONE: Origin = { kind: 'none' };
export const PENDING: Origin = { kind: 'pending' };

/** A place where a value becomes the tenant context. */
export interface Sink {
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
  /** A read whose rows are what the request gets (not a write): a check after it still decides whether they leave. */
  read?: boolean;
  /** Mass assignment: a whole client object written into a tenant row, which can set its tenant key. */
  mass?: { table: string; key: string };
  /** Gated only by a helper that receives the verified user and was not followed to a decision (see `delegatedChecks`). */
  delegate?: string;
}

export interface Hit {
  sink: Sink;
  source: Source;
  /** The node in the frame being visited through which the value reached the sink (the sink, or the call into it). */
  at: Node;
}

export interface Lost {
  at: Node;
  reason: string;
  /** Where the client value was read: entries are counted once per read and reason, not once per call chain. */
  read?: Node;
}

export interface Check {
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
  /** `exit` checks of an `if`: the branch that runs when the check fails (what a helper then returns, see resultChecks). */
  failing?: Node;
  /** What the function returns when the check fails, when it is known without a branch (`return helper(...)` passes the helper's on). */
  failures?: Failure[];
}

/** What a helper returns when its check fails: nothing (`return null`), a flag (`{ ok: false }`), an error, or a response. */
export type Failure = { kind: 'falsy' } | { kind: 'flag'; name: string } | { kind: 'error' } | { kind: 'response' };

/** Does a filter pin the verified user, a user the analysis cannot trace, or no user? */
export type Pin = 'verified' | 'untraced' | undefined;

export interface Visit {
  hits: Hit[];
  lost: Lost[];
}

export type Certainty = 'certain' | 'uncertain' | undefined;

export function strongest(...found: Certainty[]): Certainty {
  if (found.includes('certain')) return 'certain';
  return found.includes('uncertain') ? 'uncertain' : undefined;
}

/** The identity of a client value for checks: its category and path, and the row it looked up. */
export function keyOf(source: Source): string {
  const base = `${source.input.category}:${source.input.path.join('.')}`;
  return source.lookup ? `${base}>${source.lookup.table}.${source.lookup.rowPath.join('.')}` : base;
}

export function withInput(base: ClientOrigin, input: ClientInput, node: Node, frame: Frame): Origin {
  // A value handed in by the caller keeps the caller's read; one read in this frame points here.
  const here = base.source.readEnv === frame.env;
  return { kind: 'client', source: { ...base.source, input, ...(here ? { read: node, readUnit: frame.unit } : {}) } };
}

/** Client input wins a merge: if one branch of `a ?? b` is the client's value, the client can choose it. */
export function merge(all: Origin[]): Origin {
  const origins = all.filter((o) => o.kind !== 'pending');
  if (origins.length === 0) return all.length ? PENDING : NONE;
  const client = origins.find((o) => o.kind === 'client');
  if (client) return client;
  const lost = origins.find((o) => o.kind === 'unknown' && o.client);
  if (lost) return lost;
  if (origins.length > 0 && origins.every((o) => o.kind === 'trusted')) return origins[0];
  // `return { url, body, auth, error }`, a helper's one object: its properties are read as written
  // (umami's parseRequest hands the route the `auth` that checkAuth built from a verified token).
  if (origins.length === 1 && origins[0].kind === 'object') return origins[0];
  return origins.find((o) => o.kind === 'framework') ?? NONE;
}
