import type { TSESTree } from '@typescript-eslint/types';
import type { AnalysisContext } from '../query-site.js';
import type { CheckOutput } from './types.js';

/** `no-client-tenant-id`: placeholder, implemented by its own issue. */
export function checkClientTenantIds(_calls: TSESTree.CallExpression[], _context: AnalysisContext): CheckOutput {
  return { findings: [], unknown: [], sites: 0 };
}
