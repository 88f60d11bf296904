import type { TSESTree } from '@typescript-eslint/types';
import type { Scope } from '@typescript-eslint/scope-manager';
import { CacheRecognition } from '../../cache/index.js';
import { locationOf } from '../../cache/clients.js';
import { renderParts } from '../../cache/keys.js';
import type { CacheAccess, CacheKey, KeyPart, KeyValue } from '../../cache/types.js';
import { valueFacts, type ValueFact } from '../../cache/values.js';
import { enclosingFunction, scopeOf, T, textOf, unwrap, type Node } from '../ast.js';
import type { Suggestion } from '../finding.js';
import type { AnalysisContext } from '../query-site.js';
import { delegateName, type Table } from '../schema.js';
import { TenantNames } from '../tenant-values.js';
import { tenancyEvidence } from './require-tenant-filter.js';
import type { CheckOutput, RawFinding } from './types.js';

const RULE = 'require-tenant-cache-key';
/** Fields that identify a row: `${org.id}`, `${workspace.slug}`. */
const ID_FIELDS = new Set(['id', 'slug', 'uuid', 'key', '_id', 'handle']);
/** Headers that carry a credential the client presents (a bearer token, an API key). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'x-api-key', 'api-key', 'x-auth-token', 'cookie']);
/** Headers that name the host the request is addressed to. */
const HOST_HEADERS = new Set(['host', 'x-forwarded-host']);
/** Containers of client input in an access path (`req.body.user.id` is the client's, not the session's). */
const CLIENT_CONTAINERS = new Set(['body', 'query', 'params', 'param', 'input', 'searchparams', 'formdata', 'headers', 'args', 'variables', 'payload', 'data', 'json()', 'req.json()']);
/** Objects authentication sets on a request or context: `req.user`, `ctx.session`, `c.get('auth')`. */
const IDENTITY_OBJECTS = new Set(['user', 'session', 'auth', 'currentuser', 'viewer', 'identity', 'principal', 'claims', 'jwtpayload']);
/** Fields of an identity that identify it. */
const IDENTITY_IDS = new Set(['id', 'userid', 'sub', 'uid', '_id', 'email', 'accountid']);
/** Cookie names of a session or an auth token: the value is a credential the server issued. */
const SESSION_COOKIE = /sess|sid|token|auth|jwt/i;
/** Methods that store one value under one key, where a constant value is a lock or a marker. */
const SETTERS = new Set(['set', 'setnx', 'setex', 'psetex']);
/** Prefixes of functions that return the current tenant: `getTenantId()`, `requireOrgId()`. */
const GETTER_PREFIX = /^(get|require|resolve|current|use|read|load|fetch|ensure)(?=[A-Z_])/;

/** One key decided: it carries the tenant, it cannot be evaluated, or it does not carry it (`plain`). */
type KeyVerdict =
  | { kind: 'tenant'; via: string }
  | { kind: 'unknown'; reason: string }
  | { kind: 'plain'; key: CacheKey; parts: KeyPart[] };

/** One cache access decided on its own, before get/set pairs are looked at. */
type Judged =
  /** `tokens`: the key's words with tenant parts set aside, to pair it with a read or write of the same entry. */
  | { status: 'safe'; access: CacheAccess; tokens?: string[] }
  | { status: 'unknown'; access: CacheAccess; reason: string }
  | { status: 'plain'; access: CacheAccess; key: CacheKey; parts: KeyPart[]; tokens: string[] };

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
export function checkCacheKeys(calls: TSESTree.CallExpression[], context: AnalysisContext): CheckOutput {
  const out: CheckOutput = { findings: [], unknown: [], sites: 0 };
  if (calls.length === 0) return out;
  const recognition = new CacheRecognition(context);
  const accesses: CacheAccess[] = [];
  for (const call of calls) {
    const access = recognition.recognize(call);
    if (access) accesses.push(access);
  }
  if (accesses.length === 0) return out;
  out.sites = accesses.length;
  const policy = new CacheKeyPolicy(context);
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

type Decision = { kind: 'finding'; finding: RawFinding } | { kind: 'unknown'; reason: string } | { kind: 'quiet' };

class CacheKeyPolicy {
  private readonly names: TenantNames;
  private readonly tableWords: Map<string, Table>;
  private readonly tenantLabel: string;
  /** Per scope, the tenant-id variable it declares: a module scope is looked at once, not once per finding. */
  private readonly scopeTenants = new Map<Scope, string | undefined>();
  /** Per client, the shapes of keys the file writes under a random token (`invoice-share:*`), with the write's line. */
  private readonly minted = new Map<Node, Map<string, number>>();
  /** Per client, why the file stores tenant rows in it under bare keys (`cache.set(id, project)`). */
  private readonly bareStores = new Map<Node, string>();

  constructor(private readonly context: AnalysisContext) {
    this.names = new TenantNames(context.schema, context.config);
    this.tableWords = tableWords(context.schema.tables.values());
    this.tenantLabel = context.schema.root ? context.schema.root.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : 'tenant';
  }

  judge(access: CacheAccess): Judged {
    const client = access.client;
    if (client?.scopedFactory) return { status: 'safe', access };
    let namespaceUnknown: string | undefined;
    if (client?.namespace) {
      const namespace = this.verdict({ node: access.callee, value: client.namespace.value });
      if (namespace.kind === 'tenant') return { status: 'safe', access };
      if (namespace.kind === 'unknown') namespaceUnknown = `the client's \`${client.namespace.option}\` cannot be evaluated (${namespace.reason})`;
    }
    const verdicts = access.keys.map((key) => this.verdict(key));
    const plain = verdicts.find((v): v is Extract<KeyVerdict, { kind: 'plain' }> => v.kind === 'plain');
    const unknown = verdicts.find((v): v is Extract<KeyVerdict, { kind: 'unknown' }> => v.kind === 'unknown');
    if (plain && namespaceUnknown) return { status: 'unknown', access, reason: namespaceUnknown };
    if (plain && client && this.minted.get(client.origin)?.has(shapeOf(plain.parts))) return { status: 'safe', access };
    if (plain) return { status: 'plain', access, key: plain.key, parts: plain.parts, tokens: this.words(plain.parts) };
    if (unknown) return { status: 'unknown', access, reason: unknown.reason };
    const value = access.keys.length === 1 ? access.keys[0].value : undefined;
    const first = value?.kind === 'key' ? value.alternatives[0] : undefined;
    return { status: 'safe', access, tokens: first ? this.words(first) : undefined };
  }

  /**
   * Key shapes the file writes under a random token, per client: reading `invoice-share:${token}`
   * back on the same client is a lookup by that secret, which no other tenant holds.
   */
  mint(accesses: CacheAccess[]): void {
    for (const access of accesses) {
      const origin = access.client?.origin;
      if (!origin || access.operation !== 'write') continue;
      for (const key of access.keys) {
        if (key.value.kind !== 'key') continue;
        for (const parts of key.value.alternatives) {
          if (!parts.some((part) => part.kind === 'value' && part.origin.kind === 'random')) continue;
          const shapes = this.minted.get(origin) ?? new Map<string, number>();
          this.minted.set(origin, shapes);
          shapes.set(shapeOf(parts), access.call.loc.start.line);
        }
      }
    }
  }

  /** Tenant rows stored under bare keys (`cache.set(id, project)`): `cache.get(id)` elsewhere in the file reads them. */
  learn(judged: Judged[]): void {
    for (const item of judged) {
      const { access } = item;
      const origin = access.client?.origin;
      if (!origin || access.operation !== 'write') continue;
      if (item.status !== 'plain' || !isBare(item.parts) || this.bareStores.has(origin)) continue;
      const query = valueFacts(access.values, this.context).find((fact): fact is Extract<ValueFact, { kind: 'query' }> => fact.kind === 'query');
      if (query) {
        this.bareStores.set(origin, `\`${access.calleeText}\` (${locationOf(access.callee, this.context.unit, this.context.unit)}) stores rows of \`${query.site.table.name}\` in this client under bare ids, so its bare keys name tenant rows.`);
      }
    }
  }

  verdict(key: CacheKey): KeyVerdict {
    return this.verdictOf(key, key.value);
  }

  private verdictOf(key: CacheKey, value: KeyValue): KeyVerdict {
    if (value.kind === 'unknown') return { kind: 'unknown', reason: value.reason };
    if (value.kind === 'array') {
      const items = value.items.map((item) => this.verdictOf(key, item));
      const plain = items.find((item) => item.kind === 'plain');
      if (plain) return plain;
      const unknown = items.find((item) => item.kind === 'unknown');
      if (unknown) return unknown;
      return items[0] ?? { kind: 'plain', key, parts: [] };
    }
    let via: string | undefined;
    for (const parts of value.alternatives) {
      const found = this.tenantIn(parts);
      if (!found) return { kind: 'plain', key, parts };
      via ??= found;
    }
    return via ? { kind: 'tenant', via } : { kind: 'plain', key, parts: [] };
  }

  /** Why `parts` carries the tenant, or undefined. */
  private tenantIn(parts: KeyPart[]): string | undefined {
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part.kind === 'value') {
        const why = this.tenantValue(part);
        if (why) return why;
        continue;
      }
      const next = parts[i + 1];
      const word = lastWord(part.text);
      if (next?.kind === 'value' && word && this.isTenantWord(word)) {
        return `\`${next.text}\` follows \`${word}\``;
      }
    }
    return undefined;
  }

  private tenantValue(part: Extract<KeyPart, { kind: 'value' }>): string | undefined {
    const path = part.path.map((segment) => segment.replace(/\(\)$/, ''));
    const last = path[path.length - 1] ?? '';
    if (part.origin.kind === 'call') {
      const callee = part.origin.callee;
      const stripped = callee.replace(GETTER_PREFIX, '');
      if (this.names.isTenantId(callee) || this.names.isTenantId(stripped)) return `\`${part.text}\` returns the tenant id`;
    }
    if (this.names.isTenantId(last)) return `\`${part.text}\` is a tenant id`;
    const owner = path[path.length - 2];
    if (owner !== undefined && ID_FIELDS.has(last) && (this.names.isTenantObject(owner) || this.isRoot(owner))) return `\`${part.text}\` identifies the tenant`;
    if (part.origin.kind === 'row' && path.length >= 2) {
      const { site } = part.origin;
      if (site.table.name === this.context.schema.root && ID_FIELDS.has(last)) return `\`${part.text}\` is the id of the tenant row`;
      const unique = [...site.table.primaryKey, ...site.table.uniques.filter((u) => u.fields.length === 1).map((u) => u.fields[0])];
      const scoped = site.predicate.kind === 'scoped' || (site.client.kind === 'client' && site.client.scoped);
      if (scoped && unique.includes(last)) return `\`${part.text}\` is taken from a row of \`${site.table.name}\` that a tenant-scoped query returned`;
    }
    return ownEntry(part);
  }

  /** `org`, `tenant`, `workspace`, the tenant root's name: a value after it in a key is the tenant (`org:${x}`). */
  private isTenantWord(word: string): boolean {
    return this.names.isTenantObject(word) || this.isRoot(word);
  }

  private isRoot(word: string): boolean {
    const root = this.context.schema.root;
    if (!root) return false;
    const n = normalise(word);
    return n === normalise(root) || n === normalise(delegateName(root));
  }

  /** Words of a key with tenant parts set aside: `${orgId}:invoice:${id}` -> ['invoice', '*']. */
  private words(parts: KeyPart[]): string[] {
    const words: string[] = [];
    parts.forEach((part, index) => {
      if (part.kind === 'value') {
        const previous = parts[index - 1];
        const word = previous?.kind === 'text' ? lastWord(previous.text) : undefined;
        const followsTenantWord = word !== undefined && this.isTenantWord(word);
        if (!this.tenantValue(part) && !followsTenantWord) words.push('*');
        return;
      }
      for (const word of part.text.split(/[^A-Za-z0-9]+/).filter(Boolean)) {
        const lower = word.toLowerCase();
        if (this.isTenantWord(lower)) continue;
        words.push(lower);
      }
    });
    return words;
  }

  /**
   * The model a client holds when its keys do not say: a constant namespace that names one
   * (`new Keyv({ namespace: 'invoices' })`) or the value type of its construction
   * (`new LRUCache<string, Invoice>()`).
   */
  private clientEntity(access: CacheAccess): { table: Table; how: string } | undefined {
    const client = access.client;
    if (!client) return undefined;
    for (const name of client.holds ?? []) {
      const table = this.tableWords.get(normalise(name));
      if (table) return { table, how: `its values are typed \`${name}\`, ${client.how}` };
    }
    const namespace = client.namespace?.value;
    if (namespace?.kind === 'key' && namespace.alternatives.length === 1) {
      const table = this.entityOf(namespace.alternatives[0] ?? []);
      if (table) return { table, how: `its \`${client.namespace?.option}\` names it, ${client.how}` };
    }
    return undefined;
  }

  /** The model a key names (`invoice:` -> Invoice): a tenant or child model first, else a global one. */
  private entityOf(parts: KeyPart[]): Table | undefined {
    let global: Table | undefined;
    for (const part of parts) {
      if (part.kind !== 'text') continue;
      for (const token of part.text.split(/[^A-Za-z0-9_-]+/).filter(Boolean)) {
        // `project-templates` names ProjectTemplate, not the Project its first word is.
        const whole = this.tableWords.get(normalise(token));
        for (const candidate of whole ? [token] : [token, ...token.split(/[-_]/)]) {
          const table = this.tableWords.get(normalise(candidate));
          if (!table) continue;
          if (table.class === 'tenant' || table.class === 'child') return table;
          if (table.class === 'global') global ??= table;
        }
      }
    }
    return global;
  }

  /** Why the data under a key is tenant data, `global` when the key names a global model, or undefined. */
  private tenantData(item: Extract<Judged, { status: 'plain' }>, facts: ValueFact[]): { why: string } | 'global' | undefined {
    const named = this.entityOf(item.parts);
    const held = named ? undefined : this.clientEntity(item.access);
    const entity = named ?? held?.table;
    if (entity && entity.class === 'global') return 'global';
    const constant = item.parts.every((part) => part.kind === 'text');
    // A lock or a marker (`set(\`invoice:${id}:lock\`, '1', 'NX')`) names a model but holds none of its data.
    if (entity && !constant && !isMarker(item.access)) {
      if (held) return { why: `The client holds \`${entity.name}\` (${held.how}): ${tenancyEvidence(entity, this.context.schema)}` };
      const verb = item.access.keyNoun.endsWith('parts') ? 'name' : 'names';
      return { why: `The ${item.access.keyNoun} ${verb} \`${entity.name}\`: ${tenancyEvidence(entity, this.context.schema)}` };
    }
    for (const fact of facts) {
      if (fact.kind === 'query') {
        const where = locationOf(fact.site.callee, fact.unit, this.context.unit);
        return { why: `The cached value comes from \`${fact.site.calleeText}\` (${where}), a query on the tenant-scoped model \`${fact.site.table.name}\`.` };
      }
    }
    for (const fact of facts) {
      if (fact.kind !== 'reference' || !fact.viaCall) continue;
      const why = this.tenantValue({ kind: 'value', path: fact.path, text: fact.text, node: fact.node, unit: fact.unit, origin: { kind: 'other' } });
      if (why) {
        const where = locationOf(fact.node, fact.unit, this.context.unit);
        return { why: `The cached value is computed from \`${fact.text}\` (${where}), so it differs per ${this.tenantLabel}.` };
      }
    }
    return undefined;
  }

  decide(item: Extract<Judged, { status: 'plain' }>): Decision {
    const data = this.tenantData(item, valueFacts(item.access.values, this.context, item.access.keyedFunction));
    if (data === 'global') return { kind: 'quiet' };
    if (data) return { kind: 'finding', finding: this.missingFinding(item, data.why) };
    const stores = item.access.client && isBare(item.parts) ? this.bareStores.get(item.access.client.origin) : undefined;
    if (stores) return { kind: 'finding', finding: this.missingFinding(item, stores) };
    const only = item.parts.length === 1 ? item.parts[0] : undefined;
    if (only?.kind === 'value' && only.origin.kind === 'parameter') {
      return { kind: 'unknown', reason: `the key is \`${only.text}\`, a parameter of \`${only.origin.fn}\`: what it names is decided by its callers` };
    }
    // `hget(map, field)` in a generic wrapper: the entry `${map}:${field}` is parameters and separators only.
    // Only when the hash key itself is the parameter: a local `${a}-${b}` key stays quiet as before.
    const first = item.parts[0];
    const hashOfParameter = first?.kind === 'value' && first.origin.kind === 'parameter' && unwrap(item.key.node).type === T.Identifier && item.access.keys.length >= 1 && item.access.method.toLowerCase().startsWith('h');
    const wordless = hashOfParameter && item.parts.length > 1 && item.parts.every((part) => part.kind === 'value' || !/[A-Za-z0-9]/.test(part.text));
    const param = item.parts.find((part): part is Extract<KeyPart, { kind: 'value' }> => part.kind === 'value' && part.origin.kind === 'parameter');
    if (wordless && param && param.origin.kind === 'parameter') {
      return { kind: 'unknown', reason: `the key is \`${renderParts(item.parts)}\`, built from parameters of \`${param.origin.fn}\`: what it names is decided by its callers` };
    }
    return { kind: 'quiet' };
  }

  /**
   * A `get` and a `set` of the same key in one function: one finding, on the `get`. Returns
   * undefined when the pair is not decided together (one side could not be evaluated), null when
   * it is fine.
   */
  decidePair(read: Judged, write: Judged): RawFinding | null | undefined {
    if (read.status === 'unknown' || write.status === 'unknown') return undefined;
    if (read.status === 'safe' && write.status === 'safe') return null;
    if (read.status === 'plain' && write.status === 'plain') {
      const facts = valueFacts([...read.access.values, ...write.access.values], this.context);
      const data = this.tenantData(read, facts) ?? this.tenantData(write, facts);
      if (data === 'global') return null;
      if (!data) return undefined;
      const also = ` \`${write.access.calleeText}\` (${locationOf(write.access.callee, this.context.unit, this.context.unit)}) writes the same key.`;
      return this.missingFinding(read, data.why + also);
    }
    return this.mismatchFinding(read, write);
  }

  private missingFinding(item: Extract<Judged, { status: 'plain' }>, why: string): RawFinding {
    const { access } = item;
    const tenant = this.tenantVariable(access.call);
    const shown = shownKey(item.key, this.context);
    return {
      ruleId: RULE,
      messageId: 'cacheKeyWithoutTenant',
      node: access.callee,
      message: `\`${access.calleeText}\` ${access.verb} ${access.keyLabel ? `under ${access.keyLabel}` : `${access.keyNoun} \`${shown}\``} without a tenant component.`,
      evidence: `${why}${this.clientEvidence(access)} ${this.consequence(access)}`,
      help: this.help(item, tenant ?? this.tenantKeyName()),
      suggestions: tenant ? prependSuggestion(access, item.key, tenant, this.context) : undefined,
    };
  }

  private consequence(access: CacheAccess): string {
    const t = this.tenantLabel;
    if (access.operation === 'invalidate') {
      return `Every ${t}'s entry has the same ${access.keyNoun}: what is cached under it is shared across ${t}s, and one ${t}'s change invalidates the others'.`;
    }
    return `Every ${t} gets the same ${access.keyNoun}, so one ${t}'s cached data can be served to another.`;
  }

  private help(item: Extract<Judged, { status: 'plain' }>, tenant: string): string {
    const { access } = item;
    if (access.method === '@CacheKey') {
      return 'Key the cached response by the tenant instead of a fixed `@CacheKey`: a `CacheInterceptor` whose `trackBy` includes the tenant id, or a `cacheManager.wrap` with the tenant in the key.';
    }
    if (access.method === 'unstable_cache') {
      const parts = unwrap(item.key.node);
      const example = parts.type === T.ArrayExpression ? `[${[tenant, ...parts.elements.map((e) => (e ? textOf(this.context.unit, e) : ''))].join(', ')}]` : `[${tenant}]`;
      return `Add the tenant to the key parts (\`${example}\`), or pass it to the cached function as an argument: arguments are part of the key, closure values are not.`;
    }
    const prepended = `\${${tenant}}:${renderParts(item.parts)}`;
    return `Prepend the tenant to the ${access.keyNoun} (\`${prepended}\`)${access.client ? ', or use a client namespaced per tenant' : ''}.`;
  }

  private mismatchFinding(read: Judged, write: Judged): RawFinding {
    const plain = read.status === 'plain' ? read : write.status === 'plain' ? write : undefined;
    const readShown = read.access.keys[0] ? shownKey(read.access.keys[0], this.context) : '';
    const writeShown = write.access.keys[0] ? shownKey(write.access.keys[0], this.context) : '';
    const where = locationOf(write.access.callee, this.context.unit, this.context.unit);
    const tenant = this.tenantVariable(read.access.call);
    const why =
      plain === read
        ? `The write stores tenant data under a key with the tenant, but the read looks it up under a key shared by every ${this.tenantLabel}, where any ${this.tenantLabel} (or code elsewhere) can have written it.`
        : `The read looks the value up per ${this.tenantLabel}, but the write stores it under a key shared by every ${this.tenantLabel}: it never hits, and the shared entry can be read by another ${this.tenantLabel}.`;
    return {
      ruleId: RULE,
      messageId: 'cacheKeyMismatch',
      node: read.access.callee,
      message: `\`${read.access.calleeText}\` reads key \`${readShown}\` but \`${write.access.calleeText}\` (${where}) writes \`${writeShown}\`: only ${plain === read ? 'the write' : 'the read'} carries the tenant.`,
      evidence: why,
      help: 'Build both keys the same way, with the tenant in each (one key helper used by the read and the write).',
      suggestions: plain && tenant ? prependSuggestion(plain.access, plain.key, tenant, this.context) : undefined,
    };
  }

  private clientEvidence(access: CacheAccess): string {
    const client = access.client;
    if (!client) return '';
    if (client.namespace) {
      return ` The ${client.library} client (${client.how}) has a \`${client.namespace.option}\`, but it is the same for every ${this.tenantLabel}.`;
    }
    return ` The ${client.library} client (${client.how}) is not namespaced per tenant.`;
  }

  /** A tenant-id variable in scope at the call (`orgId`), the schema's key names first. */
  private tenantVariable(node: Node): string | undefined {
    for (let scope = scopeOf(this.context.unit.scopeManager, node); scope; scope = scope.upper) {
      const found = this.tenantVariableIn(scope);
      if (found) return found;
    }
    return undefined;
  }

  private tenantVariableIn(scope: Scope): string | undefined {
    if (this.scopeTenants.has(scope)) return this.scopeTenants.get(scope);
    const preferred = new Set(this.context.schema.tenantKeys.map((key) => key.field));
    let found: string | undefined;
    for (const name of scope.set.keys()) {
      if (!this.names.isTenantId(name)) continue;
      found ??= name;
      if (preferred.has(name)) {
        found = name;
        break;
      }
    }
    this.scopeTenants.set(scope, found);
    return found;
  }

  private tenantKeyName(): string {
    return this.context.schema.tenantKeys[0]?.field ?? 'tenantId';
  }
}

/** The key as written at the call, compact: a template literal without its backticks. */
function shownKey(key: CacheKey, context: AnalysisContext): string {
  const node = unwrap(key.node);
  let shown = textOf(context.unit, key.node);
  if (node.type === T.TemplateLiteral) shown = shown.slice(1, -1);
  else if (node.type === T.Literal && typeof node.value === 'string') shown = node.value;
  shown = shown.replace(/\s+/g, ' ');
  return shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
}

/** A suggestion, not a fix: a new key changes which entries are hit. Offered when a tenant variable is in scope. */
function prependSuggestion(access: CacheAccess, key: CacheKey, tenant: string, context: AnalysisContext): Suggestion[] | undefined {
  const desc = `Prepend \`${tenant}\` to the ${access.keyNoun}`;
  if (access.insertAfter) return [{ desc, fix: { range: [access.insertAfter.range[1], access.insertAfter.range[1]], text: `, [${tenant}]` } }];
  const node = key.node;
  if (!isInFile(node, context)) return undefined;
  const value = unwrap(node);
  if (value.type === T.TemplateLiteral && value === node) return [{ desc, fix: { range: [node.range[0] + 1, node.range[0] + 1], text: `\${${tenant}}:` } }];
  if (value.type === T.Literal && typeof value.value === 'string' && value === node) {
    const escaped = value.value.replace(/[`\\]/g, '\\$&').replace(/\$\{/g, '\\${');
    return [{ desc, fix: { range: node.range, text: `\`\${${tenant}}:${escaped}\`` } }];
  }
  if (value.type === T.ArrayExpression) {
    const first = value.elements[0];
    if (first) return [{ desc, fix: { range: [first.range[0], first.range[0]], text: `${tenant}, ` } }];
    return [{ desc, fix: { range: value.range, text: `[${tenant}]` } }];
  }
  if (value.type === T.Identifier && node.parent?.type === T.Property && node.parent.shorthand) return undefined;
  return [{ desc, fix: { range: node.range, text: `\`\${${tenant}}:\${${textOf(context.unit, node)}}\`` } }];
}

function isInFile(node: Node, context: AnalysisContext): boolean {
  return isDescendant(node, context.unit.ast);
}

function isDescendant(node: Node, root: Node): boolean {
  for (let current: Node | undefined = node; current; current = current.parent) if (current === root) return true;
  return false;
}

function lastWord(text: string): string | undefined {
  const words = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words[words.length - 1]?.toLowerCase();
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Every spelling of a model a key may use: `Invoice`, `invoices`, `invoice_lines`, `categories`. */
function tableWords(tables: Iterable<Table>): Map<string, Table> {
  const words = new Map<string, Table>();
  for (const table of tables) {
    for (const name of [table.name, table.dbName.replace(/^.*\./, '')]) {
      const n = normalise(name);
      const singular = n.endsWith('ies') ? `${n.slice(0, -3)}y` : n.endsWith('ses') ? n.slice(0, -2) : n.endsWith('s') ? n.slice(0, -1) : n;
      for (const form of [n, singular, `${singular}s`, `${singular}es`, singular.endsWith('y') ? `${singular.slice(0, -1)}ies` : '']) {
        if (form && !words.has(form)) words.set(form, table);
      }
    }
  }
  return words;
}

/**
 * Why a key part names an entry that only one tenant can reach, or undefined: a value a random
 * generator minted, a credential the client presents (a bearer token, a session cookie, a hash
 * of either), the host the request is addressed to (one hostname serves one tenant), or the
 * verified identity (`req.user.id`, `ctx.session.user.id`, a field of `await auth()`).
 */
export function ownEntry(part: Extract<KeyPart, { kind: 'value' }>): string | undefined {
  const { origin } = part;
  if (origin.kind === 'random') return `\`${part.text}\` is a random value (${origin.source}): no other tenant can name the entry`;
  if (origin.kind === 'header') {
    if (CREDENTIAL_HEADERS.has(origin.name)) return `\`${part.text}\` is the credential the client presents (the \`${origin.name}\` header), which names one key`;
    if (HOST_HEADERS.has(origin.name)) return `\`${part.text}\` is the host the request is addressed to, which serves one tenant`;
    return undefined;
  }
  const path = part.path.map((segment) => segment.toLowerCase());
  const last = path[path.length - 1] ?? '';
  const cookie = path.findIndex((segment) => segment === 'cookies' || segment === 'signedcookies' || /(^|\.)cookies\(\)/.test(segment));
  if (cookie >= 0 && (path[cookie] === 'signedcookies' || SESSION_COOKIE.test(part.path[cookie + 1] ?? part.text))) {
    return `\`${part.text}\` is the session credential the client presents (a cookie the server issued)`;
  }
  const headers = path.indexOf('headers');
  if (headers >= 0 && path.length === headers + 2) {
    if (CREDENTIAL_HEADERS.has(last)) return `\`${part.text}\` is the credential the client presents (the \`${last}\` header), which names one key`;
    if (HOST_HEADERS.has(last)) return `\`${part.text}\` is the host the request is addressed to, which serves one tenant`;
  }
  if (last === 'hostname' && path.length >= 2 && !path.slice(0, -1).some((segment) => CLIENT_CONTAINERS.has(segment))) {
    return `\`${part.text}\` is the host the request is addressed to, which serves one tenant`;
  }
  if (IDENTITY_IDS.has(last) && path.length >= 2 && !path.some((segment) => CLIENT_CONTAINERS.has(segment))) {
    const owner = path.slice(0, -1);
    // `req.user.id`, `ctx.session.user.id`: an identity object below a request or context.
    const below = owner.slice(1).some((segment) => IDENTITY_OBJECTS.has(segment));
    // `session.user.id` where `const session = await auth()`: the identity a call returned.
    const returned = IDENTITY_OBJECTS.has(owner[0] ?? '') && origin.kind === 'call';
    if (below || returned) return `\`${part.text}\` is the verified identity, which only its own user can present`;
  }
  return undefined;
}

/** A key that is one runtime value and nothing else (`cache.get(id)`). */
function isBare(parts: KeyPart[]): boolean {
  return parts.length === 1 && parts[0]?.kind === 'value';
}

/** A key's shape with every runtime value as `*`: `invoice-share:${token}` -> `invoice-share:*`. */
function shapeOf(parts: KeyPart[]): string {
  return parts.map((part) => (part.kind === 'text' ? part.text : '*')).join('');
}

/**
 * A write that stores a lock or a marker, not data: a constant value (`'1'`, `true`, `Date.now()`)
 * set only if absent (`NX`, `setnx`, `{ NX: true }`), or a constant number or boolean.
 */
function isMarker(access: CacheAccess): boolean {
  const method = access.method.toLowerCase();
  if (access.operation !== 'write' || !SETTERS.has(method)) return false;
  // `setex(key, seconds, value)`: the value comes after the expiry.
  const values = method === 'setex' || method === 'psetex' ? access.values.slice(1) : access.values;
  if (values.length === 0) return false;
  const stored = unwrap(values[0]!.node);
  const constant = stored.type === T.Literal || (stored.type === T.TemplateLiteral && stored.expressions.length === 0) || isNow(stored);
  if (!constant) return false;
  if (stored.type === T.Literal && (typeof stored.value === 'number' || typeof stored.value === 'boolean')) return true;
  if (isNow(stored)) return true;
  if (method === 'setnx') return true;
  return values.slice(1).some((value) => {
    const node = unwrap(value.node);
    if (node.type === T.Literal) return typeof node.value === 'string' && node.value.toUpperCase() === 'NX';
    return node.type === T.ObjectExpression && node.properties.some((p) => p.type === T.Property && !p.computed && p.key.type === T.Identifier && p.key.name === 'NX');
  });
}

function isNow(node: Node): boolean {
  return node.type === T.CallExpression && node.callee.type === T.MemberExpression && node.callee.object.type === T.Identifier && node.callee.object.name === 'Date' && node.callee.property.type === T.Identifier && node.callee.property.name === 'now';
}
