import { ESLintUtils } from '@typescript-eslint/utils';
import { docsUrl } from '../core/rule-meta.js';

export interface TenantLintRuleDocs {
  description: string;
  recommended: boolean;
}

/** Every rule's `docs.url` points at its page in docs/rules/. */
export const createRule = ESLintUtils.RuleCreator<TenantLintRuleDocs>((name) => docsUrl(name));
