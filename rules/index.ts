import type { TSESLint } from '@typescript-eslint/utils';
import { RULE_META, type RuleId } from '../src/core/rule-meta.js';
import { VERSION } from '../src/version.js';

export { schemaCacheKey, SCHEMA_HASH_SETTING, type SchemaCacheKeyConfig } from '../src/eslint/cache-key.js';

import noClientTenantId from './no-client-tenant-id.js';
import requireTenantCacheKey from './require-tenant-cache-key.js';
import requireTenantColumn from './require-tenant-column.js';
import requireTenantFilter from './require-tenant-filter.js';
import requireTenantIndex from './require-tenant-index.js';

/** Alphabetised; test/meta.test.ts proves it equals rules/, docs/rules/ and test/rules/. */
export const rules = {
  'no-client-tenant-id': noClientTenantId,
  'require-tenant-cache-key': requireTenantCacheKey,
  'require-tenant-column': requireTenantColumn,
  'require-tenant-filter': requireTenantFilter,
  'require-tenant-index': requireTenantIndex,
} satisfies Record<RuleId, TSESLint.RuleModule<string, unknown[]>>;

/**
 * Plain structural types (not typescript-eslint's FlatConfig types) so that the plugin type-checks
 * in an `eslint.config.ts` against ESLint 9's and 10's `Linter.Config` and `defineConfig`, and
 * typescript-eslint's `tseslint.config`: test/types/eslint.config.ts is the proof, checked by tsc.
 */
export interface RecommendedConfig {
  name: string;
  plugins: Record<string, TenantLintPlugin>;
  rules: Record<string, 'error' | 'warn'>;
}

/**
 * A rule object as all three accept it. typescript-eslint's `LooseRuleDefinition` does not fit
 * ESLint 10 (a bare function is no longer a rule there, and its listeners are typed `Function`
 * where ESLint wants `(...args: any[]) => void`), and typescript-eslint's listeners take `never`,
 * which no `any[]` parameter list accepts. So `any`, as in typescript-eslint's own loose types:
 * each consumer has its own context and node types.
 */
export interface PluginRule {
  meta?: object;
  create: (context: any) => Record<string, any>;
}

export interface TenantLintPlugin {
  meta: { name: string; version: string };
  rules: Record<string, PluginRule>;
  configs: { recommended: RecommendedConfig };
}

/** `recommended` is derived from each rule's `meta.docs.recommended`, never listed by hand. */
const recommended: RecommendedConfig = {
  name: 'tenant-lint/recommended',
  plugins: {},
  rules: Object.fromEntries(
    Object.entries(RULE_META)
      .filter(([, meta]) => meta.recommended)
      .map(([id, meta]) => [`tenant-lint/${id}`, meta.defaultSeverity === 'error' ? 'error' : 'warn']),
  ),
};

const plugin: TenantLintPlugin = {
  meta: { name: 'tenant-lint', version: VERSION },
  rules,
  configs: { recommended },
};

recommended.plugins['tenant-lint'] = plugin;

export default plugin;
