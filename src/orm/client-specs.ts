/**
 * Which library values are database clients, as data for the flow engine (src/flow/origin.ts).
 * A client is a root (a package export, constructed, called or named in a type) followed by any
 * number of steps that keep it a client of the same database (`$extends(...)`, `.transaction(cb)`'s
 * parameter, a read replica). Adding a data layer's client is adding one entry here.
 */
import { textOf, type FileUnit, type Node } from '../core/ast.js';
import type { Resolver } from '../core/resolve.js';
import { originsOf, type LibOrigin, type Step } from '../flow/origin.js';

export interface ClientSpec {
  /** Package (or module specifier) the root is exported from. */
  source: RegExp;
  /** Export names of the root, with the first step that makes it a client; `typed` matches a type annotation naming it. */
  roots: { name: RegExp; first: 'new' | 'call' | 'typed' }[];
  /** Step sequences that keep a client a client, written as `get:$extends`, `call`, `param:0`. */
  keeps: string[][];
}

export const CLIENT_SPECS: Record<'prisma' | 'drizzle' | 'knex' | 'kysely' | 'clickhouse', ClientSpec> = {
  // Prisma's client is often generated to a project path (`../generated/prisma`), so any source.
  prisma: {
    source: /.*/,
    roots: [
      { name: /^PrismaClient$/, first: 'new' },
      { name: /^PrismaClient$/, first: 'typed' },
    ],
    keeps: [['get:$extends', 'call'], ['get:$transaction', 'param:0'], ['get:$replica', 'call'], ['get:$primary', 'call']],
  },
  drizzle: {
    source: /^drizzle-orm(\/|$)/,
    roots: [
      { name: /^drizzle$/, first: 'call' },
      { name: /^withReplicas$/, first: 'call' },
      { name: /(Database|Transaction)$/, first: 'typed' },
    ],
    keeps: [['get:transaction', 'param:0'], ['get:$primary'], ['get:$replica', 'call']],
  },
  knex: {
    source: /^knex$/,
    roots: [
      { name: /^(default|knex|Knex)$/, first: 'call' },
      { name: /^(Knex|Transaction)$/, first: 'typed' },
    ],
    keeps: [['get:transaction', 'param:0'], ['get:transaction', 'call']],
  },
  kysely: {
    source: /^kysely$/,
    roots: [
      { name: /^Kysely$/, first: 'new' },
      { name: /^(Kysely|Transaction)$/, first: 'typed' },
    ],
    keeps: [['get:transaction', 'call', 'get:execute', 'param:0'], ['get:withSchema', 'call'], ['get:withPlugin', 'call']],
  },
  // ClickHouse's official clients: `createClient({ url })`, or a value typed `ClickHouseClient`.
  clickhouse: {
    source: /^@clickhouse\/client(-web)?(\/.*)?$/,
    roots: [
      { name: /^createClient$/, first: 'call' },
      { name: /^(ClickHouseClient|NodeClickHouseClient|WebClickHouseClient)$/, first: 'typed' },
    ],
    keeps: [],
  },
};

/** Prisma's `Prisma.TransactionClient` type names the namespace's member. */
function prismaTransactionType(origin: LibOrigin): boolean {
  return origin.typed && origin.name === 'Prisma' && origin.steps[0]?.kind === 'get' && origin.steps[0].name === 'TransactionClient';
}

function stepKey(step: Step): string {
  switch (step.kind) {
    case 'get':
      return `get:${step.name}`;
    case 'param':
      return `param:${step.index}`;
    default:
      return step.kind;
  }
}

/** Whether `origin` is a client of the library `spec` describes. */
export function isClientOrigin(origin: LibOrigin, spec: ClientSpec, library?: string): boolean {
  if (!spec.source.test(origin.source)) return false;
  let rest: string[] | undefined;
  if (library === 'prisma' && prismaTransactionType(origin)) rest = origin.steps.slice(1).map(stepKey);
  for (const root of spec.roots) {
    if (rest || !root.name.test(origin.name)) continue;
    if (root.first === 'typed') {
      if (origin.typed) rest = origin.steps.map(stepKey);
    } else if (!origin.typed && origin.steps[0]?.kind === root.first) {
      rest = origin.steps.slice(1).map(stepKey);
    }
  }
  if (!rest) return false;
  // Every remaining step must belong to a sequence that keeps the client a client.
  let i = 0;
  while (i < rest.length) {
    const keep = spec.keeps.find((seq) => seq.every((s, k) => rest[i + k] === s));
    if (!keep) return false;
    i += keep.length;
  }
  return true;
}

/** The evidence line for a client found by the flow engine. */
export function describeOrigin(origin: LibOrigin): string {
  const trail = origin.trail.length ? `: ${origin.trail.join(', ')}` : '';
  return `traced to \`${origin.name}\` from \`${origin.source}\`${trail}`;
}

/** What the flow engine says of a receiver, for one library. */
export type FlowClient =
  | { kind: 'client'; origin: LibOrigin; how: string }
  /** Traced to a value of another library (or a project value that is no client): not this library's query. */
  | { kind: 'other'; how: string }
  | { kind: 'unknown'; reason: string };

/** Asks the flow engine whether `expression` is a client of `library`. */
function carriedByFrameworkContext(origin: LibOrigin): boolean {
  const param = origin.steps.findIndex((s) => s.kind === 'param');
  return param >= 0 && origin.steps.slice(param + 1).some((s) => s.kind === 'get');
}

export function flowClient(expression: Node, unit: FileUnit, resolver: Resolver, library: keyof typeof CLIENT_SPECS): FlowClient {
  const spec = CLIENT_SPECS[library];
  const origins = originsOf(expression, unit, resolver);
  const found = origins.find((o): o is LibOrigin => o.kind === 'lib' && isClientOrigin(o, spec, library));
  if (found) return { kind: 'client', origin: found, how: describeOrigin(found) };
  const unknown = origins.find((o) => o.kind === 'unknown');
  if (unknown?.kind === 'unknown') return { kind: 'unknown', reason: unknown.reason };
  const lib = origins.find((o): o is LibOrigin => o.kind === 'lib');
  // `ctx.db` in a tRPC procedure, `c.get('db')`-like carriers: a property of the context a
  // framework hands its callback. What the framework put there is not traced: unknown, so that a
  // model or table of the schema still makes the call a query (matched by the schema).
  if (lib && carriedByFrameworkContext(lib)) return { kind: 'unknown', reason: `\`${textOf(unit, expression)}\` is a property of the context \`${lib.source}\` hands its callback, which is not traced` };
  if (lib) return { kind: 'other', how: `a value of \`${lib.source}\`` };
  return { kind: 'other', how: origins.length ? `a ${origins[0].kind} value` : 'no value' };
}
