import { RULE_META } from '../src/core/rule-meta.js';
import { FINDING_TEMPLATE, reportFindings } from '../src/eslint/adapter.js';
import { createRule } from '../src/eslint/create-rule.js';

const MESSAGE_IDS = ['missingTenantIndex', 'tenantOnlyIndex', 'uniqueWithoutTenant'] as const;

/**
 * Reports at table definitions written in TypeScript (Drizzle, TypeORM, Sequelize, Mongoose).
 * Definitions in schema.prisma and .sql migrations are not files ESLint lints: `tenant-lint scan`
 * reports those.
 */
export default createRule<[], (typeof MESSAGE_IDS)[number]>({
  name: 'require-tenant-index',
  meta: {
    type: 'suggestion',
    docs: { description: RULE_META['require-tenant-index'].description, recommended: RULE_META['require-tenant-index'].recommended },
    messages: {
      missingTenantIndex: FINDING_TEMPLATE,
      tenantOnlyIndex: FINDING_TEMPLATE,
      uniqueWithoutTenant: FINDING_TEMPLATE,
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    return {
      'Program:exit'() {
        reportFindings(context, 'require-tenant-index', MESSAGE_IDS);
      },
    };
  },
});
