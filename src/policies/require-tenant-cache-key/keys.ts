import type { KeyPart, KeyValue, CacheKey } from '../../core/facts.js';
import type { AnalysisContext } from '../../core/query-site.js';
import { delegateName } from '../../core/schema.js';
import { TenantNames } from '../../core/tenant-values.js';
import type { Table } from '../../core/schema.js';
import type { KeyVerdict } from './types.js';
import { serverChosenRowId } from './row-ids.js';

/*
 * Does a key carry the tenant? A key carries it when one of its parts is a tenant id (`orgId`,
 * `ctx.tenantId`, `getTenantId()`), the id of a tenant object (`${org.id}`), a part that follows a
 * tenant word (`org:${x}`), an id taken from a row a tenant-scoped query returned, or names an
 * entry only one tenant can reach (a random token, a credential, the host, the verified identity).
 */

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
/** Prefixes of functions that return the current tenant: `getTenantId()`, `requireOrgId()`. */
const GETTER_PREFIX = /^(get|require|resolve|current|use|read|load|fetch|ensure)(?=[A-Z_])/;

export class TenantKeys {
  private readonly names: TenantNames;

  constructor(private readonly context: AnalysisContext) {
    this.names = new TenantNames(context.schema, context.config);
  }

  /** A tenant-id name (`orgId`, `workspace_id`): for the variable a suggestion prepends. */
  isTenantId(name: string): boolean {
    return this.names.isTenantId(name);
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

  private tenantIn(parts: KeyPart[]): string | undefined {
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part.kind === 'value') {
        const why = this.tenantValue(part) ?? this.serverRowId(part);
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

  tenantValue(part: Extract<KeyPart, { kind: 'value' }>): string | undefined {
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
    return this.uniqueRowKey(part, path) ?? ownEntry(part);
  }

  /**
   * `${this.monitor.id}`, `${monitor.id}`: the primary key (or a single-column unique) of the row an
   * object named after its model holds. The value is unique in the whole table, so the entry names
   * one row and no two tenants share it; whether the caller may read that row is the query rule's
   * business. A composite key (`@@id([workspaceId, id])`), a non-unique column (`${report.name}`)
   * and a value inside client input (`req.body.monitor.id`) do not count.
   */
  private uniqueRowKey(part: Extract<KeyPart, { kind: 'value' }>, path: string[]): string | undefined {
    if (path.length < 2) return undefined;
    if (path.some((segment) => CLIENT_CONTAINERS.has(segment.toLowerCase()))) return undefined;
    const last = path[path.length - 1]!;
    const table = this.tableNamed(path[path.length - 2]!);
    if (!table) return undefined;
    const column = table.columns.get(last);
    if (!column || column.nullable) return undefined;
    const primary = table.primaryKey.length === 1 && table.primaryKey[0] === last;
    const unique = table.uniques.some((u) => u.fields.length === 1 && u.fields[0] === last);
    if (!primary && !unique) return undefined;
    return `\`${part.text}\` is the ${primary ? 'primary key' : 'unique column'} \`${table.name}.${last}\`, unique across tenants: the entry names one row`;
  }

  /**
   * The model a value part is the id of, by its name: `userId`, `user_id`, `spaceUUID` (the id of
   * User, Space), or `user.id` (the id field of an object named after User). Tenant ids are not
   * asked about here: they carry the tenant.
   */
  idModel(part: Extract<KeyPart, { kind: 'value' }>): Table | undefined {
    const path = part.path.map((segment) => segment.replace(/\(\)$/, ''));
    const last = path[path.length - 1] ?? '';
    const named = /^(.+?)(?:_id|_uuid|Id|ID|Uuid|UUID)$/.exec(last);
    if (named) {
      const table = this.tableNamed(named[1]!);
      if (table) return table;
    }
    const owner = path[path.length - 2];
    return owner !== undefined && ID_FIELDS.has(last) ? this.tableNamed(owner) : undefined;
  }

  /** `${userId}` where every caller passes the id of a row the server loaded: see row-ids.ts. */
  private serverRowId(part: Extract<KeyPart, { kind: 'value' }>): string | undefined {
    const table = this.idModel(part);
    return table ? serverChosenRowId(part, table, this.context) : undefined;
  }

  /** The table an object is named after (`monitor` for Monitor, `invoiceLine` for InvoiceLine). */
  private tableNamed(word: string): Table | undefined {
    const n = normalise(word);
    if (!n) return undefined;
    for (const table of this.context.schema.tables.values()) {
      const names = [table.name, delegateName(table.name), table.dbName.replace(/^.*\./, ''), ...(table.codeNames ?? [])];
      if (names.some((name) => normalise(name) === n || singular(normalise(name)) === n)) return table;
    }
    return undefined;
  }

  isTenantWord(word: string): boolean {
    return this.names.isTenantObject(word) || this.isRoot(word);
  }

  isRoot(word: string): boolean {
    const root = this.context.schema.root;
    if (!root) return false;
    const n = normalise(word);
    return n === normalise(root) || n === normalise(delegateName(root));
  }

  words(parts: KeyPart[]): string[] {
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

export function lastWord(text: string): string | undefined {
  const words = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words[words.length - 1]?.toLowerCase();
}

/** `monitors` -> `monitor`, `policies` -> `policy`: the word an object of one row is named by. */
function singular(n: string): string {
  if (n.endsWith('ies')) return `${n.slice(0, -3)}y`;
  if (n.endsWith('ses')) return n.slice(0, -2);
  return n.endsWith('s') ? n.slice(0, -1) : n;
}

export function normalise(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function isBare(parts: KeyPart[]): boolean {
  return parts.length === 1 && parts[0]?.kind === 'value';
}

export function shapeOf(parts: KeyPart[]): string {
  return parts.map((part) => (part.kind === 'text' ? part.text : '*')).join('');
}

