import type { TSESTree } from '@typescript-eslint/types';
import { MODELS } from '../../models/index.js';
import { checkCacheKeys as check } from '../../policies/require-tenant-cache-key/index.js';
import type { AnalysisContext } from '../query-site.js';
import type { CheckOutput } from './types.js';

/*
 * The policy lives in src/policies/require-tenant-cache-key/; this file, where the analysis driver
 * (analyze.ts) imports it from, hands it the registered models.
 */

export function checkCacheKeys(calls: TSESTree.CallExpression[], context: AnalysisContext): CheckOutput {
  return check(calls, context, MODELS);
}
