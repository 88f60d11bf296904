import { RULE_META } from '../src/core/rule-meta.js';
import { FINDING_TEMPLATE, reportFindings } from '../src/eslint/adapter.js';
import { createRule } from '../src/eslint/create-rule.js';

const MESSAGE_IDS = ['clientTenantId', 'unverifiedTenantLookup', 'massAssignment'] as const;

export default createRule<[], (typeof MESSAGE_IDS)[number]>({
  name: 'no-client-tenant-id',
  meta: {
    type: 'problem',
    docs: { description: RULE_META['no-client-tenant-id'].description, recommended: RULE_META['no-client-tenant-id'].recommended },
    messages: {
      clientTenantId: FINDING_TEMPLATE,
      unverifiedTenantLookup: FINDING_TEMPLATE,
      massAssignment: FINDING_TEMPLATE,
    },
    // Options live in tenant-lint.config.json (or settings['tenant-lint']) so the CLI sees them too.
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    return {
      'Program:exit'() {
        reportFindings(context, 'no-client-tenant-id', MESSAGE_IDS);
      },
    };
  },
});
