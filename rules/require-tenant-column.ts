import { RULE_META } from '../src/core/rule-meta.js';
import { FINDING_TEMPLATE, reportFindings } from '../src/eslint/adapter.js';
import { createRule } from '../src/eslint/create-rule.js';

const MESSAGE_IDS = ['missingTenantColumn', 'nullableTenantColumn', 'childWithoutTenantColumn', 'foreignKeyWithoutTenant'] as const;

/**
 * Reports at table definitions written in TypeScript (Drizzle, TypeORM, Sequelize, Mongoose).
 * Definitions in schema.prisma and .sql migrations are not files ESLint lints: `tenant-lint scan`
 * reports those.
 */
export default createRule<[], (typeof MESSAGE_IDS)[number]>({
  name: 'require-tenant-column',
  meta: {
    type: 'problem',
    docs: { description: RULE_META['require-tenant-column'].description, recommended: RULE_META['require-tenant-column'].recommended },
    messages: {
      missingTenantColumn: FINDING_TEMPLATE,
      nullableTenantColumn: FINDING_TEMPLATE,
      childWithoutTenantColumn: FINDING_TEMPLATE,
      foreignKeyWithoutTenant: FINDING_TEMPLATE,
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    return {
      'Program:exit'() {
        reportFindings(context, 'require-tenant-column', MESSAGE_IDS);
      },
    };
  },
});
