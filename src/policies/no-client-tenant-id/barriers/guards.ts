import type { TSESTree } from '@typescript-eslint/types';
import { enclosingFunction, T, unwrap, walk, type Node } from '../../../core/ast.js';
import { authorizationDecoratorOf } from '../../../core/syntax.js';
import type { Table } from '../../../core/schema.js';
import type { ClientTenantFlow as Flow } from '../flow.js';
import { isPromiseAll, within } from '../syntax.js';
import { ANY_KEY, Env, keyOf, strongest, type Certainty, type Check, type Frame, type Hit } from '../types.js';

/*
 * Whether a check gates a hit: one in the function that reaches the sink (or one enclosing it)
 * before the sink, one whose `if` holds it, or one in a guard that runs before the handler.
 */

/** The request parts an authorization guard takes the resource id from. */
const GUARD_READS: ReadonlySet<string> = new Set(['route parameter', 'query parameter', 'body field']);

export function isChecked(flow: Flow, hit: Hit, frame: Frame, delegates?: Check[]): Certainty {
  // A check in the handler gates a query inside a callback of it (`$transaction(async (tx) => ...)`).
  const outermost = enclosingFunction(hit.at);
  let found: Certainty;
  for (let fn = outermost; fn; fn = enclosingFunction(fn)) {
    // A controller method behind an authorization decorator (`@Permissions('space|update')`): the
    // guard checks the caller's access to the resource the request names before the method runs.
    // It reads that resource from the route, the query or the body, never from a header or cookie.
    if (authorizationDecoratorOf(fn) && GUARD_READS.has(hit.source.input.category)) return 'certain';
    found = strongest(found, gatedBy(flow, hit, flow.checksIn(fn, frame), fn, delegates), guardedBefore(flow, hit, fn, frame));
    if (found === 'certain') return found;
  }
  // Module-level code (a script, a top-level await) is checked by module-level statements.
  if (!outermost) found = strongest(found, gatedBy(flow, hit, flow.checksIn(flow.context.unit.ast, frame), flow.context.unit.ast, delegates));
  return found;
}

export function guardedBefore(flow: Flow, hit: Hit, fn: TSESTree.FunctionLike, frame: Frame): Certainty {
  const http = flow.http(frame);
  const key = keyOf(hit.source);
  let found: Certainty;
  for (const recognizer of flow.models.http.recognizers) {
    for (const guard of recognizer.guards?.(fn, http) ?? []) {
      // One guard, one set of parameters: its checks are the same for every handler it guards.
      const cacheKey = `${recognizer.name}:${guard.params.map((p) => (p?.kind === 'client' ? `${p.category}:${p.path.join('.')}` : (p?.kind ?? '-'))).join(',')}`;
      let byKey = flow.guardChecks.get(guard.fn.node);
      if (!byKey) flow.guardChecks.set(guard.fn.node, (byKey = new Map()));
      let checks = byKey.get(cacheKey);
      if (!checks) {
        const env = new Env(frame.env, guard.fn.node, guard.params.map((p) => (p ? flow.fromHttp(p, guard.fn.node, guard.fn.unit, frame.env) : undefined)));
        checks = flow.checksIn(guard.fn.node, { unit: guard.fn.unit, env });
        byKey.set(cacheKey, checks);
      }
      for (const check of checks) {
        if (covers(flow, check.key, key) && (guard.decides || check.mode === 'exit')) found = strongest(found, check.certain ? 'certain' : 'uncertain');
      }
    }
  }
  return found;
}

export function gatedBy(flow: Flow, hit: Hit, checks: Check[], scope: TSESTree.Node, delegates?: Check[]): Certainty {
  const key = keyOf(hit.source);
  const at = hit.at;
  const exits = checks.filter((check) => check.mode === 'exit' && covers(flow, check.key, key)).map((check) => check.gate);
  const gating = checks.filter((check) => {
    if (!covers(flow, check.key, key) || check.mode === 'verdict') return false;
    if (check.mode === 'inside') return within(at, check.gate.type === T.IfStatement ? check.gate.consequent : check.gate);
    // Middleware that sets the tenant context and checks membership before `next()` is safe
    // whatever the order; a query must come after the check.
    if (hit.sink.kind === 'context' && within(check.gate, scope)) return true;
    // Not for a check of the whole request (a key or signature checked only `if (apiKey)`): a request
    // without the header skips it, and its other values still name any tenant.
    const branches = check.mode === 'exit' ? everyBranch(check.gate, exits) : check.gate;
    const gate = check.key === ANY_KEY ? branches : truthyGuarded(branches);
    if (gate.range[1] <= at.range[0] && gate.parent !== undefined && within(at, gate.parent)) return true;
    return hit.sink.kind === 'query' && hit.sink.read === true && check.mode === 'exit' && heldUntil(at, gate);
  });
  if (gating.some((check) => check.certain)) return 'certain';
  for (const check of gating) if (check.delegate) delegates?.push(check);
  return gating.length > 0 ? 'uncertain' : undefined;
}

/**
 * `const [member, rows] = await Promise.all([isMember(orgId, userId), db.select().from(sites).where(eq(sites.orgId,
 * orgId))]); if (!member) return 403; return rows` (rybbit's getSitesFromOrg): the read runs beside the
 * check, but its rows stay in a local until the check's `if` has stopped a failing request. The read
 * (an element of the awaited `Promise.all` of a declaration) is gated by an exit in the same block
 * after that declaration, when nothing between them touches what the declaration bound. A write in
 * the same `Promise.all` has happened by then: only reads (see `Sink.read`).
 */
function heldUntil(at: Node, gate: Node): boolean {
  let node: Node = at;
  let list: TSESTree.ArrayExpression | undefined;
  for (let parent = node.parent; parent && !list; node = parent, parent = parent.parent) {
    if (parent.type === T.FunctionDeclaration || parent.type === T.FunctionExpression || parent.type === T.ArrowFunctionExpression) return false;
    if (parent.type === T.ArrayExpression && parent.parent?.type === T.CallExpression && parent.parent.arguments[0] === parent && isPromiseAll(parent.parent)) list = parent;
  }
  if (!list) return false;
  let call: Node = list.parent!;
  while (call.parent?.type === T.AwaitExpression || call.parent?.type === T.TSAsExpression) call = call.parent;
  const declarator = call.parent?.type === T.VariableDeclarator && call.parent.init === call ? call.parent : undefined;
  const declaration = declarator?.parent;
  const block = declaration?.parent;
  if (!declarator || !declaration || !block || gate.parent !== block || !('body' in block) || !Array.isArray(block.body)) return false;
  const statements = block.body as Node[];
  const from = statements.indexOf(declaration);
  const to = statements.indexOf(gate);
  if (from < 0 || to <= from) return false;
  const names = new Set<string>();
  walk(declarator.id, (n) => {
    if (n.type === T.Identifier) names.add(n.name);
  });
  return statements.slice(from + 1, to).every((statement) => ![...names].some((name) => mentions(statement, name)));
}

/**
 * Does a check of `checked` make the value keyed `used` safe? The same value, or the request as a
 * whole; a value read from a row that a checked value names; or a value whose row's parent tenant
 * was checked: `project = findUnique({ where: { id: projectId } })`, then a membership of the
 * verified user in `project.organizationId` (openpanel's access helper, behind its tRPC
 * middleware). The row the client named lies inside a tenant of the user, so the value, and
 * anything else read from that row, is the user's. Only a key of the looked-up level that points
 * up the hierarchy (the schema's tenant keys) counts: `project.name` compared with something
 * proves nothing about the project.
 */
export function covers(flow: Flow, checked: string, used: string): boolean {
  if (checked === used || checked === ANY_KEY) return true;
  // A row looked up by a checked value (`project.findUnique({ where: { id: projectId } })` once
  // `projectId` is the user's): its keys are the user's.
  if (used.startsWith(`${checked}>`) && !checked.includes('>')) return true;
  const at = checked.indexOf('>');
  if (at < 0) return false;
  const value = checked.slice(0, at);
  if (used !== value && !used.startsWith(`${value}>`)) return false;
  const [table, ...path] = checked.slice(at + 1).split('.');
  if (path.length !== 1) return false;
  const { schema } = flow.context;
  // The row's own key (kan: `workspace = getByPublicId(input.workspacePublicId)`, then the verified
  // user's permission in `workspace.id`): the check was of the tenant the value found, so the value
  // names a tenant of the user. A level of the hierarchy only (what tenantLookup follows).
  if (ownKey(schema.tables.get(table), path[0]) && schema.levels.includes(table)) return true;
  return schema.tenantKeys.some((key) => key.table === table && key.field === path[0] && key.references !== table && schema.levels.includes(key.references));
}

/** Is `field` the table's own identity: its single-column primary key or a single-column unique key? */
function ownKey(table: Table | undefined, field: string): boolean {
  if (!table) return false;
  if (table.primaryKey.length === 1 && table.primaryKey[0] === field) return true;
  return table.uniques.some((unique) => unique.fields.length === 1 && unique.fields[0] === field);
}

/**
 * capgo's credits (judged E067): `if (orgId) { await requireOrgAccess(c, orgId) }`, then `orgId ?
 * query(orgId) : none`. The check runs whenever the value is truthy, and a falsy value names no
 * tenant: the check gates what follows the `if` as if it stood there. Only for an `if` whose test is
 * the value itself (the same name the check statement passes), with nothing else deciding.
 */
function truthyGuarded(gate: Node): Node {
  let at = gate;
  for (let depth = 0; depth < 3; depth++) {
    const holder = at.parent?.type === T.BlockStatement ? at.parent : at;
    const statement = holder.parent;
    if (statement?.type !== T.IfStatement || statement.consequent !== holder) return at;
    const test = unwrap(statement.test);
    if (test.type !== T.Identifier || !mentions(at, test.name)) return at;
    at = statement;
  }
  return at;
}

/**
 * Cap's addVideosToSpace (judged s19): `if (isOrgEntry) { await requireManager(user.id, spaceId) }
 * else { const access = await getSpaceAccess(user.id, spaceId); if (!access?.canManage) throw ... }`.
 * Each branch stops a request the caller may not make, so the `if` as a whole gates what follows it
 * as a check standing there would. Climbs while the other branch of the enclosing `if`/`else` holds
 * an exit check of the same value as one of its own statements (or an `if`/`else` that does, in
 * turn); an `if` without `else`, or a branch without a check, stops the climb.
 */
function everyBranch(gate: Node, exits: readonly Node[], depth = 0): Node {
  let at = gate;
  for (let step = 0; step < 4; step++) {
    const holder = at.parent?.type === T.BlockStatement ? at.parent : at;
    const statement = holder.parent;
    if (statement?.type !== T.IfStatement || !statement.alternate) return at;
    const other = statement.consequent === holder ? statement.alternate : statement.alternate === holder ? statement.consequent : undefined;
    if (!other || !branchChecked(other, exits, depth)) return at;
    at = statement;
  }
  return at;
}

/** Does a branch hold, as one of its own statements, an exit check (or an `if`/`else` checked on every branch)? */
function branchChecked(branch: Node, exits: readonly Node[], depth: number): boolean {
  if (depth > 2) return false;
  const own = (node: Node) => node === branch || (branch.type === T.BlockStatement && node.parent === branch);
  return exits.some((gate) => {
    if (!within(gate, branch)) return false;
    if (own(gate)) return true;
    // An `if`/`else` inside the branch, checked on each of its own branches.
    const lifted = everyBranch(gate, exits, depth + 1);
    return lifted !== gate && (own(lifted) || within(branch, lifted));
  });
}

function mentions(node: Node, name: string): boolean {
  let found = false;
  walk(node, (inner) => {
    if (inner.type === T.Identifier && inner.name === name) found = true;
  });
  return found;
}
