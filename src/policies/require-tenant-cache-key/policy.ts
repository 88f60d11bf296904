import type { Node } from '../../core/ast.js';
import type { RawFinding } from '../../core/check-output.js';
import type { CacheAccess, KeyPart, Models, ValueFact } from '../../core/facts.js';
import type { AnalysisContext } from '../../core/query-site.js';
import type { Table } from '../../core/schema.js';
import { locationOf } from '../../core/syntax.js';
import { T, unwrap } from '../../core/ast.js';
import { tenancyEvidence } from '../shared/evidence.js';
import { isBare, normalise, shapeOf, TenantKeys } from './keys.js';
import { renderParts, Wording } from './messages.js';
import type { Decision, Judged, KeyVerdict, PlainAccess } from './types.js';

/** Methods that store one value under one key, where a constant value is a lock or a marker. */
const SETTERS = new Set(['set', 'setnx', 'setex', 'psetex']);

/*
 * Whether what a key names is tenant data: the model the key or the client names
 * (`invoice:${id}`, `new Keyv({ namespace: 'invoices' })`, `LRUCache<string, Invoice>`), or a
 * cached value computed from a query on tenant data or from a tenant id. Constant keys and keys
 * naming global models are safe; keys the file mints under a random token are lookups by secret.
 */
export class CacheKeyPolicy {
  readonly keys: TenantKeys;
  private readonly wording: Wording;
  private readonly tableWords: Map<string, Table>;
  /** Per client, the shapes of keys the file writes under a random token (`invoice-share:*`), with the write's line. */
  private readonly minted = new Map<Node, Map<string, number>>();
  /** Per client, why the file stores tenant rows in it under bare keys (`cache.set(id, project)`). */
  private readonly bareStores = new Map<Node, string>();

  constructor(
    private readonly context: AnalysisContext,
    private readonly models: Models,
  ) {
    this.keys = new TenantKeys(context);
    this.wording = new Wording(context, this.keys);
    this.tableWords = tableWords(context.schema.tables.values());
  }

  judge(access: CacheAccess): Judged {
    const client = access.client;
    if (client?.scopedFactory) return { status: 'safe', access };
    let namespaceUnknown: string | undefined;
    if (client?.namespace) {
      const namespace = this.keys.verdict({ node: access.callee, value: client.namespace.value });
      if (namespace.kind === 'tenant') return { status: 'safe', access };
      if (namespace.kind === 'unknown') namespaceUnknown = `the client's \`${client.namespace.option}\` cannot be evaluated (${namespace.reason})`;
    }
    const verdicts = access.keys.map((key) => this.keys.verdict(key));
    const plain = verdicts.find((v): v is Extract<KeyVerdict, { kind: 'plain' }> => v.kind === 'plain');
    const unknown = verdicts.find((v): v is Extract<KeyVerdict, { kind: 'unknown' }> => v.kind === 'unknown');
    if (plain && namespaceUnknown) return { status: 'unknown', access, reason: namespaceUnknown };
    if (plain && client && this.minted.get(client.origin)?.has(shapeOf(plain.parts))) return { status: 'safe', access };
    if (plain) return { status: 'plain', access, key: plain.key, parts: plain.parts, tokens: this.keys.words(plain.parts) };
    if (unknown) return { status: 'unknown', access, reason: unknown.reason };
    const value = access.keys.length === 1 ? access.keys[0].value : undefined;
    const first = value?.kind === 'key' ? value.alternatives[0] : undefined;
    return { status: 'safe', access, tokens: first ? this.keys.words(first) : undefined };
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

  learn(judged: Judged[]): void {
    for (const item of judged) {
      const { access } = item;
      const origin = access.client?.origin;
      if (!origin || access.operation !== 'write') continue;
      if (item.status !== 'plain' || !isBare(item.parts) || this.bareStores.has(origin)) continue;
      const query = this.models.cache.valueFacts(access.values, this.context).find((fact): fact is Extract<ValueFact, { kind: 'query' }> => fact.kind === 'query');
      if (query) {
        this.bareStores.set(origin, `\`${access.calleeText}\` (${locationOf(access.callee, this.context.unit, this.context.unit)}) stores rows of \`${query.site.table.name}\` in this client under bare ids, so its bare keys name tenant rows.`);
      }
    }
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

  private entityOf(parts: KeyPart[]): Table | undefined {
    let global: Table | undefined;
    // The models the key's ids are named after (`${userId}`, `${space.id}`): what each entry is about.
    const ids = new Set(parts.flatMap((part) => (part.kind === 'value' ? [this.keys.idModel(part)] : [])).filter((t): t is Table => t !== undefined));
    for (const part of parts) {
      if (part.kind !== 'text') continue;
      for (const token of part.text.split(/[^A-Za-z0-9_-]+/).filter(Boolean)) {
        // `project-templates` names ProjectTemplate, not the Project its first word is.
        const whole = this.tableWords.get(normalise(token));
        for (const candidate of whole ? [token] : [token, ...token.split(/[-_]/)]) {
          const table = this.tableWords.get(normalise(candidate));
          if (!table) continue;
          // A word inside a compound (`page` of `page-update:emails:${userId}`) is a bare word match
          // when the key's id names another model: the entry is the user's, keyed by the user's id,
          // and holds no page. The same word before an id of its own model (`page-update:${pageId}`) names it.
          if (candidate !== token && ids.size > 0 && !ids.has(table)) continue;
          if (table.class === 'tenant' || table.class === 'child') return table;
          if (table.class === 'global') global ??= table;
        }
      }
    }
    return global;
  }

  private tenantData(item: PlainAccess, facts: ValueFact[]): { why: string } | 'global' | undefined {
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
      const why = this.keys.tenantValue({ kind: 'value', path: fact.path, text: fact.text, node: fact.node, unit: fact.unit, origin: { kind: 'other' } });
      if (why) {
        const where = locationOf(fact.node, fact.unit, this.context.unit);
        return { why: `The cached value is computed from \`${fact.text}\` (${where}), so it differs per ${this.wording.tenantLabel}.` };
      }
    }
    return undefined;
  }

  decide(item: PlainAccess): Decision {
    const data = this.tenantData(item, this.models.cache.valueFacts(item.access.values, this.context, item.access.keyedFunction));
    if (data === 'global') return { kind: 'quiet' };
    if (data) return { kind: 'finding', finding: this.wording.missingFinding(item, data.why) };
    const stores = item.access.client && isBare(item.parts) ? this.bareStores.get(item.access.client.origin) : undefined;
    if (stores) return { kind: 'finding', finding: this.wording.missingFinding(item, stores) };
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
      const facts = this.models.cache.valueFacts([...read.access.values, ...write.access.values], this.context);
      const data = this.tenantData(read, facts) ?? this.tenantData(write, facts);
      if (data === 'global') return null;
      if (!data) return undefined;
      const also = ` \`${write.access.calleeText}\` (${locationOf(write.access.callee, this.context.unit, this.context.unit)}) writes the same key.`;
      return this.wording.missingFinding(read, data.why + also);
    }
    return this.wording.mismatchFinding(read, write);
  }

}

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

