import type { TSESTree } from '@typescript-eslint/types';
import { enclosingFunction, type Node } from '../../core/ast.js';
import type { CheckOutput } from '../../core/check-output.js';
import type { Models } from '../../core/facts.js';
import type { AnalysisContext } from '../../core/query-site.js';
import { CacheKeyPolicy } from './policy.js';
import { RULE, type Judged } from './types.js';

/**
 * The policy for `require-tenant-cache-key`. Recognizers (src/cache/) turn calls into
 * CacheAccess facts; this decides whether each key carries the tenant, whether what it caches
 * is tenant data, and words the finding.
 *
 * A key carries the tenant when one of its parts is a tenant id (`orgId`, `ctx.tenantId`,
 * `getTenantId()`), the id of a tenant object (`${org.id}`), a part that follows a tenant word
 * (`org:${x}`), or an id taken from a row a tenant-scoped query returned; or when the client is
 * namespaced per tenant. A key without it is reported when it names a tenant model of the
 * schema (`invoice:${id}`) or when the cached value comes from tenant data in the same
 * function. Constant keys and keys naming global models are safe. A `get` and a `set` of the
 * same key in one function are one finding, on the `get`.
 */
export function checkCacheKeys(calls: TSESTree.CallExpression[], context: AnalysisContext, models: Models): CheckOutput {
  const out: CheckOutput = { findings: [], unknown: [], sites: 0 };
  if (calls.length === 0) return out;
  const accesses = models.cache.accesses(calls, context);
  if (accesses.length === 0) return out;
  out.sites = accesses.length;
  const policy = new CacheKeyPolicy(context, models);
  policy.mint(accesses);
  const judged = accesses.map((access) => policy.judge(access));
  policy.learn(judged);
  const decided = new Set<Judged>();
  for (const [read, write] of pairs(judged)) {
    const finding = policy.decidePair(read, write);
    if (finding === undefined) continue;
    decided.add(read).add(write);
    if (finding) out.findings.push(finding);
  }
  for (const item of judged) {
    if (decided.has(item)) continue;
    if (item.status === 'unknown') {
      out.unknown.push({ ruleId: RULE, node: item.access.callee, reason: `${item.access.calleeText}: ${item.reason}` });
      continue;
    }
    if (item.status === 'safe') continue;
    const decision = policy.decide(item);
    if (decision.kind === 'finding') out.findings.push(decision.finding);
    if (decision.kind === 'unknown') out.unknown.push({ ruleId: RULE, node: item.access.callee, reason: `${item.access.calleeText}: ${decision.reason}` });
  }
  return out;
}

/**
 * Reads and writes of the same key on the same client in one function: the cache-aside
 * `get` / query / `set`. Keys match when they have the same words once tenant parts are set
 * aside, so that `get(\`invoice:${id}\`)` meets `set(\`${orgId}:invoice:${id}\`)`.
 */
function pairs(judged: Judged[]): [Judged, Judged][] {
  const found: [Judged, Judged][] = [];
  const single = (item: Judged) => item.status !== 'unknown' && item.access.client !== undefined && item.access.keys.length === 1;
  // Grouped by enclosing function and client first, so that pairing stays linear in the accesses of a file.
  const groups = new Map<Node | undefined, Map<Node, Judged[]>>();
  for (const item of judged) {
    const origin = item.access.client?.origin;
    if (!single(item) || !origin) continue;
    const fn = enclosingFunction(item.access.call);
    const byClient = groups.get(fn) ?? new Map<Node, Judged[]>();
    groups.set(fn, byClient);
    const items = byClient.get(origin) ?? [];
    byClient.set(origin, items);
    items.push(item);
  }
  for (const byClient of groups.values()) {
    for (const items of byClient.values()) {
      const writes = items.filter((item) => item.access.operation === 'write');
      for (const read of items) {
        if (read.access.operation !== 'read' || read.access.values.length > 0) continue;
        const index = writes.findIndex((write) => sameWords(read, write));
        if (index < 0) continue;
        found.push([read, writes[index]]);
        writes.splice(index, 1);
      }
    }
  }
  return found;
}

function sameWords(a: Judged, b: Judged): boolean {
  const x = a.status === 'unknown' ? undefined : a.tokens;
  const y = b.status === 'unknown' ? undefined : b.tokens;
  return x !== undefined && y !== undefined && x.length > 0 && x.join('\u0000') === y.join('\u0000');
}

