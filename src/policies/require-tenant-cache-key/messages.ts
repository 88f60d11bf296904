import type { Scope } from '@typescript-eslint/scope-manager';
import { scopeOf, T, textOf, unwrap, type Node } from '../../core/ast.js';
import type { RawFinding } from '../../core/check-output.js';
import type { CacheAccess, CacheKey, KeyPart } from '../../core/facts.js';
import type { Suggestion } from '../../core/finding.js';
import type { AnalysisContext } from '../../core/query-site.js';
import { locationOf } from '../../core/syntax.js';
import type { TenantKeys } from './keys.js';
import { RULE, type Judged, type PlainAccess } from './types.js';

/*
 * Wording: what the call does with which key, why the entry is shared across tenants (the model
 * the key names, the query the value came from, the client's namespace), and the fix in the
 * project's terms (a tenant variable in scope, prepended as a suggestion).
 */

export class Wording {
  /** The tenant as messages name it: the tenant root's name in words (`organization`). */
  readonly tenantLabel: string;
  /** Per scope, the tenant-id variable it declares: a module scope is looked at once, not once per finding. */
  private readonly scopeTenants = new Map<Scope, string | undefined>();

  constructor(
    private readonly context: AnalysisContext,
    private readonly keys: TenantKeys,
  ) {
    this.tenantLabel = context.schema.root ? context.schema.root.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : 'tenant';
  }

  missingFinding(item: PlainAccess, why: string): RawFinding {
    const { access } = item;
    const tenant = this.tenantVariable(access.call);
    const shown = shownKey(item.key, this.context);
    return {
      ruleId: RULE,
      messageId: 'cacheKeyWithoutTenant',
      node: access.callee,
      message: `\`${access.calleeText}\` ${access.verb} ${access.keyLabel ? `under ${access.keyLabel}` : `${access.keyNoun} \`${shown}\``} without a tenant component.`,
      evidence: `${why}${this.clientEvidence(access)} ${this.rowIdConsequence(item) ?? this.consequence(access)}`,
      help: this.help(item, tenant ?? this.tenantKeyName()),
      suggestions: tenant ? prependSuggestion(access, item.key, tenant, this.context) : undefined,
    };
  }

  /**
   * A key that holds the id of one row (`${invoiceId}`, a single-column primary key) is not shared:
   * what leaks is the entry of a row whoever passes the id picked, which the analysis could not show
   * to be the server's choice.
   */
  private rowIdConsequence(item: PlainAccess): string | undefined {
    for (const part of item.parts) {
      if (part.kind !== 'value') continue;
      const table = this.keys.idModel(part);
      if (!table || table.primaryKey.length !== 1) continue;
      const t = this.tenantLabel;
      const effect = item.access.operation === 'invalidate' ? `drops another ${t}'s entry` : `is served another ${t}'s cached data`;
      return `\`${part.text}\` is the id of one \`${table.name}\` row, so no two ${t}s share an entry, but nothing shows the server chose it (a field of rows it loaded, or the verified identity): whoever passes an id the client sent ${effect}.`;
    }
    return undefined;
  }

  private consequence(access: CacheAccess): string {
    const t = this.tenantLabel;
    if (access.operation === 'invalidate') {
      return `Every ${t}'s entry has the same ${access.keyNoun}: what is cached under it is shared across ${t}s, and one ${t}'s change invalidates the others'.`;
    }
    return `Every ${t} gets the same ${access.keyNoun}, so one ${t}'s cached data can be served to another.`;
  }

  private help(item: PlainAccess, tenant: string): string {
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

  mismatchFinding(read: Judged, write: Judged): RawFinding {
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
      if (!this.keys.isTenantId(name)) continue;
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

function shownKey(key: CacheKey, context: AnalysisContext): string {
  const node = unwrap(key.node);
  let shown = textOf(context.unit, key.node);
  if (node.type === T.TemplateLiteral) shown = shown.slice(1, -1);
  else if (node.type === T.Literal && typeof node.value === 'string') shown = node.value;
  shown = shown.replace(/\s+/g, ' ');
  return shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
}

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


/** A key's parts as a template: `invoice:${id}`. */
export function renderParts(parts: KeyPart[]): string {
  return parts.map((part) => (part.kind === 'text' ? part.text : `\${${part.text}}`)).join('');
}
