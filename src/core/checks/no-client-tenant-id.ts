import type { TSESTree } from '@typescript-eslint/types';
import { MODELS } from '../../models/index.js';
import { checkClientTenantIds as check, isAdminOnly as adminOnly } from '../../policies/no-client-tenant-id/index.js';
import type { FileUnit, Node } from '../ast.js';
import type { AnalysisContext } from '../query-site.js';
import type { CheckOutput } from './types.js';

/*
 * The policy lives in src/policies/no-client-tenant-id/; this file, where the analysis driver
 * (analyze.ts) and require-tenant-filter import it from, hands it the registered models.
 */

export function checkClientTenantIds(calls: TSESTree.CallExpression[], context: AnalysisContext): CheckOutput {
  return check(calls, context, MODELS);
}

/** See the policy's `isAdminOnly`: code only instance operators reach. */
export function isAdminOnly(node: TSESTree.FunctionLike | Node, unit: FileUnit, context: AnalysisContext): boolean {
  return adminOnly(node, unit, context, MODELS);
}
