import type { Severity } from './finding.js';

/**
 * The one registry of rule ids. ESLint rules, SARIF `rules[]`, the CLI's `explain` and the docs
 * meta-test all derive from it; ids are stable.
 */
export const RULE_META = {
  'no-client-tenant-id': {
    description: 'Disallow tenant ids taken from client-controlled request input',
    defaultSeverity: 'error',
    // In `recommended`: exact on its 7 fixtures, no false positive left on boxyhq, umami, documenso.
    recommended: true,
  },
  'require-tenant-column': {
    description: 'Require a NOT NULL tenant column on every table that holds tenant data',
    defaultSeverity: 'error',
    recommended: true,
  },
  'require-tenant-filter': {
    description: 'Require a tenant predicate on every query against a tenant-scoped table',
    defaultSeverity: 'error',
    recommended: true,
  },
  'require-tenant-cache-key': {
    description: 'Require a tenant component in cache keys of tenant data',
    defaultSeverity: 'warning',
    // In `recommended` as a warning: precise on its 4 fixtures and silent on the rest of the repo.
    recommended: true,
  },
  'require-tenant-index': {
    description: 'Require an index that leads with the tenant column on every tenant table',
    defaultSeverity: 'warning',
    recommended: true,
  },
} as const satisfies Record<string, { description: string; defaultSeverity: Severity; recommended: boolean }>;

export type RuleId = keyof typeof RULE_META;

export const RULE_IDS = Object.keys(RULE_META).sort() as RuleId[];

export const DOCS_BASE_URL = 'https://github.com/tenant-lint/tenant-lint/blob/main/docs/rules/';

export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE_URL}${ruleId}.md`;
}

export function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(RULE_META, id);
}
