import type { TenantLintConfig } from './options.js';
import { tenantKeyNames, type TenantSchema } from './schema.js';

/** Words that name a tenant in code when the schema does not say otherwise. */
const TENANT_WORDS = ['tenant', 'org', 'organization', 'organisation', 'workspace', 'team', 'account', 'company'];

/**
 * What counts as a tenant identifier in code, shared by the rules that follow tenant values
 * (no-client-tenant-id, require-tenant-cache-key): the schema's tenant keys (`orgId`,
 * `workspace_id`), configured keys, and the usual names (`tenantId`, `organizationId`,
 * `x-tenant-id`, `ctx.state.tenant`).
 */
export class TenantNames {
  private readonly keys: Set<string>;
  private readonly normalisedKeys: Set<string>;

  constructor(schema: TenantSchema, config: TenantLintConfig) {
    this.keys = tenantKeyNames(schema, config);
    this.normalisedKeys = new Set([...this.keys].map(normalise));
    if (schema.root) this.normalisedKeys.add(normalise(`${schema.root}Id`));
  }

  /** `orgId`, `org_id`, `tenantId`, `x-tenant-id`, `workspaceID`, `tenant` (as an object). */
  isTenantId(name: string): boolean {
    const n = normalise(name).replace(/^x/, '');
    if (this.normalisedKeys.has(n) || this.normalisedKeys.has(normalise(name))) return true;
    return TENANT_WORDS.some((word) => n === `${word}id` || n === `current${word}id` || n === `active${word}id` || n === `${word}slug`);
  }

  /** A tenant context object: `tenant`, `org`, `workspace`, `currentTenant`. */
  isTenantObject(name: string): boolean {
    const n = normalise(name);
    return TENANT_WORDS.some((word) => n === word || n === `current${word}` || n === `active${word}`);
  }
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Whether a function or variable name mentions a tenant word as one of its words (`withTenant`,
 * `orgScopedKey`, not `forgotPassword`): a hint that code may add the tenant, never proof of it.
 */
export function mentionsTenantWord(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((word) => TENANT_WORDS.includes(word));
}
