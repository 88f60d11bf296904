import type { Table } from '../core/schema.js';

/**
 * A tenant table's other foreign keys to the tenant root, beside its tenant key: unkey's root keys
 * are owned by the internal workspace (`keys.workspaceId`) and belong to a customer's workspace through
 * the optional `keys.forWorkspaceId` (judged wrong-parse, `updateRootKeyName.ts:15`,
 * `audit/actions.ts:32`). A filter that pins either link to the tenant matches only rows tied to that
 * tenant. Not a tenant key: an optional link is not one the table must carry (require-tenant-column),
 * nor one its indexes must lead with. `ON DELETE SET NULL` is a row outliving the tenant, not a link.
 */
export function recordTenantLinks(tables: Map<string, Table>, root: string | undefined): void {
  if (!root) return;
  for (const table of tables.values()) {
    if (table.class !== 'tenant') continue;
    const links = [...table.relations.values()]
      .filter((r) => r.target === root && r.fields.length === 1 && r.onDelete !== 'set null' && !table.tenantKeys.includes(r.fields[0]!))
      .map((r) => r.fields[0]!);
    if (links.length) table.tenantLinks = [...new Set(links)];
  }
}

