import { RULE_META } from '../src/core/rule-meta.js';
import { FINDING_TEMPLATE, reportFindings } from '../src/eslint/adapter.js';
import { createRule } from '../src/eslint/create-rule.js';

const MESSAGE_IDS = ['cacheKeyWithoutTenant', 'cacheKeyMismatch'] as const;

export default createRule<[], (typeof MESSAGE_IDS)[number] | 'suggestion'>({
  name: 'require-tenant-cache-key',
  meta: {
    type: 'problem',
    docs: { description: RULE_META['require-tenant-cache-key'].description, recommended: RULE_META['require-tenant-cache-key'].recommended },
    hasSuggestions: true,
    messages: {
      cacheKeyWithoutTenant: FINDING_TEMPLATE,
      cacheKeyMismatch: FINDING_TEMPLATE,
      suggestion: '{{ desc }}',
    },
    // Options live in tenant-lint.config.json (or settings['tenant-lint']) so the CLI sees them too.
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    return {
      'Program:exit'() {
        reportFindings(context, 'require-tenant-cache-key', MESSAGE_IDS, 'suggestion');
      },
    };
  },
});
