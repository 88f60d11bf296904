import type { TSESTree } from '@typescript-eslint/types';
import type { CheckOutput } from '../core/check-output.js';
import type { Node } from '../core/ast.js';
import type { AnalysisContext, QuerySite } from '../core/query-site.js';
import { MODELS } from '../models/index.js';
import { checkClientTenantIds as clientTenantIds, isAdminOnly as adminOnly } from '../policies/no-client-tenant-id/index.js';
import { checkCacheKeys as cacheKeys } from '../policies/require-tenant-cache-key/index.js';
import { checkQuerySites as querySites } from '../policies/require-tenant-filter/index.js';

/*
 * Where the driver meets the policies: each policy decides from facts alone, and this file hands it
 * what it may not import itself (the registered models; another policy's barrier).
 */

export function checkClientTenantIds(calls: TSESTree.CallExpression[], context: AnalysisContext): CheckOutput {
  return clientTenantIds(calls, context, MODELS);
}

export function checkCacheKeys(calls: TSESTree.CallExpression[], context: AnalysisContext): CheckOutput {
  return cacheKeys(calls, context, MODELS);
}

/** Code only instance operators reach (no-client-tenant-id's admin barrier), for require-tenant-filter. */
function isAdminOnly(node: TSESTree.FunctionLike | Node, unit: AnalysisContext['unit'], context: AnalysisContext): boolean {
  return adminOnly(node, unit, context, MODELS);
}

export function checkQuerySites(sites: QuerySite[], context: AnalysisContext, localSettings: Node[] = []): CheckOutput {
  return querySites(sites, context, localSettings, isAdminOnly);
}
