import { RULE_META } from '../src/core/rule-meta.js';
import { FINDING_TEMPLATE, reportFindings } from '../src/eslint/adapter.js';
import { createRule } from '../src/eslint/create-rule.js';

const MESSAGE_IDS = ['missingTenantFilter', 'orBypassesTenantFilter', 'connectWithoutTenant', 'tenantSettingOutlivesRequest', 'tenantValueMayBeUndefined', 'conditionalTenantFilter', 'projectNotConfigured'] as const;

export default createRule<[], (typeof MESSAGE_IDS)[number] | 'suggestion'>({
  name: 'require-tenant-filter',
  meta: {
    type: 'problem',
    docs: { description: RULE_META['require-tenant-filter'].description, recommended: RULE_META['require-tenant-filter'].recommended },
    hasSuggestions: true,
    messages: {
      missingTenantFilter: FINDING_TEMPLATE,
      orBypassesTenantFilter: FINDING_TEMPLATE,
      connectWithoutTenant: FINDING_TEMPLATE,
      tenantSettingOutlivesRequest: FINDING_TEMPLATE,
      tenantValueMayBeUndefined: FINDING_TEMPLATE,
      conditionalTenantFilter: FINDING_TEMPLATE,
      projectNotConfigured: FINDING_TEMPLATE,
      suggestion: '{{ desc }}',
    },
    // Options live in tenant-lint.config.json (or settings['tenant-lint']) so the CLI sees them too.
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    return {
      'Program:exit'() {
        reportFindings(context, 'require-tenant-filter', MESSAGE_IDS, 'suggestion');
      },
    };
  },
});
