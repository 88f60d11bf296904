import type { TSESTree } from '@typescript-eslint/types';
import type { FileUnit, Node } from '../../core/ast.js';
import type { CheckOutput, RawFinding, RawUnknown } from '../../core/check-output.js';
import type { Models } from '../../core/facts.js';
import type { AnalysisContext } from '../../core/query-site.js';
import { behindSharedSecret } from '../shared/paths.js';
import { developmentOnly } from './barriers/deployment.js';
import { checkedOnEveryPath } from './barriers/paths.js';
import { ClientTenantFlow } from './flow.js';
import { delegatedReason, undecidedReason } from './messages.js';
import { RULE, type Check, type Frame, type Hit } from './types.js';

/*
 * The policy for `no-client-tenant-id`. The web-framework models say where client input enters
 * and where the verified identity lives; the data-layer models say where a query puts tenant
 * values. This policy follows values (assignments, destructuring, parameters, helpers across
 * files) to the places where a value becomes the tenant context (sinks/), and decides: a client
 * value that reaches such a sink without a membership check or an equality check against the
 * verified identity (barriers/) is a finding, reported where the value is read (messages.ts). A
 * flow that cannot be followed is counted as not analysable, never guessed.
 */

export function checkClientTenantIds(calls: TSESTree.CallExpression[], context: AnalysisContext, models: Models): CheckOutput {
  const { unit } = context;
  if (!models.http.mayReadClientInput(unit.file, unit.text)) return { findings: [], unknown: [], sites: 0 };
  return decide(new ClientTenantFlow(context, models), calls);
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
export function isAdminOnly(node: TSESTree.FunctionLike | Node, unit: FileUnit, context: AnalysisContext, models: Models): boolean {
  let flow = adminFlows.get(unit);
  if (!flow || !flow.sameContext(context, models)) {
    flow = new ClientTenantFlow({ ...context, unit }, models);
    adminFlows.set(unit, flow);
  }
  try {
    return flow.isAdminOnly(node);
  } catch {
    return false;
  }
}

function secretOnly(node: Node, context: AnalysisContext): boolean {
  try {
    return behindSharedSecret(node, context.unit, context.resolver);
  } catch {
    return false;
  }
}

/** Whole client input whose possible fields are known (`fields`) and include no tenant key. */
function lacksTenantKey(flow: ClientTenantFlow, input: Hit['source']['input'], key: string): boolean {
  if (!input.fields || input.path.length > 0) return false;
  const bare = (name: string) => name.replace(/_/g, '').toLowerCase();
  return !input.fields.some((field) => bare(field) === bare(key) || flow.isTenantName(field));
}

function pathChecked(flow: ClientTenantFlow, hit: Hit): boolean {
  try {
    return checkedOnEveryPath(flow, hit.at, hit.source.input.path[hit.source.input.path.length - 1]) !== undefined;
  } catch {
    return false;
  }
}

function devOnly(node: Node, context: AnalysisContext): boolean {
  try {
    return developmentOnly(node, context.unit, context.resolver);
  } catch {
    return false;
  }
}

/** Every hit of the file decided: reported, settled by a check, or counted as not analysable with the reason. */
function decide(flow: ClientTenantFlow, calls: TSESTree.CallExpression[]): CheckOutput {
  const { unit } = flow.context;
  const frame: Frame = { unit, env: flow.top };
  const visit = flow.visit(unit.ast, calls, frame);
  const findings: RawFinding[] = [];
  const unknown: RawUnknown[] = [];
  const byRead = new Map<Node, Hit[]>();
  let decided = 0;
  for (const hit of visit.hits) {
    // An operator console: choosing any tenant is what the procedure is for (see isAdminOnly).
    if (flow.isAdminOnly(hit.at)) continue;
    // An internal endpoint behind a shared secret (a trigger's or a cron's payload): system code.
    if (secretOnly(hit.at, flow.context)) continue;
    // A route that answers 403 outside a development deployment (`requireDevMode()`): developer tooling.
    if (devOnly(hit.at, flow.context)) continue;
    // tRPC input exists only through the procedure's `.input(schema)` parser, which strips unknown
    // keys (zod's default): written as a whole, it cannot carry a tenant key the schema lacks.
    if (hit.sink.mass && hit.source.input.category === 'tRPC input field') continue;
    // A NestJS `@Body()` DTO under a whitelisting ValidationPipe holds only the fields it declares.
    if (hit.sink.mass && lacksTenantKey(flow, hit.source.input, hit.sink.mass.key)) continue;
    if (hit.source.input.dynamic) {
      visit.lost.push({ at: hit.at, reason: `a request field with a dynamic name reaches a tenant sink (${hit.sink.label})` });
      continue;
    }
    decided += 1;
    const delegates: Check[] = [];
    const checked = flow.isChecked(hit, frame, delegates);
    if (checked === 'certain') continue;
    // Every path to it checks access on the way (a route middleware such as
    // `verifyProjectAccess('query', 'project_id')`, a caller's check): see barriers/paths.ts.
    if (pathChecked(flow, hit)) continue;
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
  for (const [node, hits] of byRead) findings.push(flow.finding(node, hits));
  // A receiver the analysis could not place (a builder chain past the budget): its handler's input
  // was never traced, which the scan says rather than reporting nothing.
  visit.lost.push(...flow.undecidedRoots);
  // One entry per (read site, reason): a header read once by the context factory and lost the
  // same way in every procedure of the file is one flow the analysis could not follow.
  const seen = new Map<Node, Set<string>>();
  for (const lost of visit.lost) {
    const site = lost.read ?? lost.at;
    const reasons = seen.get(site) ?? new Set<string>();
    if (reasons.has(lost.reason) || flow.isAdminOnly(lost.at)) continue;
    reasons.add(lost.reason);
    seen.set(site, reasons);
    unknown.push({ ruleId: RULE, node: lost.at, reason: lost.reason });
  }
  return { findings, unknown, sites: decided };
}
