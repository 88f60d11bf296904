// The `eslint-utils` subpath, not the package root: the root also exports `TSESLint`, whose ESLint
// and Linter classes require all of `eslint` (about 150 modules) at import time, for a helper.
import { RuleCreator } from '@typescript-eslint/utils/eslint-utils';
import { docsUrl } from '../core/rule-meta.js';

export interface TenantLintRuleDocs {
  description: string;
  recommended: boolean;
}

/** Every rule's `docs.url` points at its page in docs/rules/. */
export const createRule = RuleCreator<TenantLintRuleDocs>((name) => docsUrl(name));
