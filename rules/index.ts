import type { TSESLint } from '@typescript-eslint/utils';
import { RULE_META, type RuleId } from '../src/core/rule-meta.js';
import { VERSION } from '../src/version.js';
import requireTenantFilter from './require-tenant-filter.js';

/** Alphabetised; test/meta.test.ts proves it equals rules/, docs/rules/ and test/rules/. */
export const rules = {
  'require-tenant-filter': requireTenantFilter,
} satisfies Record<RuleId, TSESLint.RuleModule<string, unknown[]>>;

/** `recommended` is derived from each rule's `meta.docs.recommended`, never listed by hand. */
const recommended: TSESLint.FlatConfig.Config = {
  name: 'tenant-lint/recommended',
  rules: Object.fromEntries(
    Object.entries(RULE_META)
      .filter(([, meta]) => meta.recommended)
      .map(([id, meta]) => [`tenant-lint/${id}`, meta.defaultSeverity === 'error' ? 'error' : 'warn']),
  ),
};

const plugin = {
  meta: { name: 'tenant-lint', version: VERSION },
  rules,
  configs: { recommended },
};

recommended.plugins = { 'tenant-lint': plugin };

export default plugin;
