import type { Table, TenantSchema } from '../../core/schema.js';

/**
 * Where a table's tenancy comes from, e.g. "`Invoice.orgId` references the tenant `Organization`
 * (prisma/schema.prisma:42)": the evidence every rule about tenant data gives.
 */
export function tenancyEvidence(table: Table, schema: TenantSchema): string {
  if (table.class === 'child') {
    const relation = table.relations.get(table.parentRelations[0] ?? '');
    if (relation && relation.target === schema.root && relation.isList && relation.fields.length === 0) {
      return `\`${table.name}\` has no tenant key of its own; its rows belong to the \`${relation.target}\` rows they are joined to through the many-to-many relation \`${relation.name}\` (a join table).`;
    }
    return `\`${table.name}\` has no tenant key of its own; it inherits tenancy from \`${relation?.target ?? 'its parent'}\` through the required relation \`${relation?.name ?? '?'}\`.`;
  }
  const key = schema.tenantKeys.find((k) => k.table === table.name);
  const where = key?.location ? ` (${key.location.file}:${key.location.line})` : '';
  const target = key?.references ?? schema.root ?? 'the tenant';
  return `\`${table.name}.${table.tenantKeys[0] ?? ''}\` references the tenant \`${target}\`${where}.`;
}
