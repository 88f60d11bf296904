import type { TSESTree } from '@typescript-eslint/types';
import type { AnalysisContext } from '../query-site.js';
import type { CheckOutput } from './types.js';

/** `require-tenant-cache-key`: placeholder, implemented by its own issue. */
export function checkCacheKeys(_calls: TSESTree.CallExpression[], _context: AnalysisContext): CheckOutput {
  return { findings: [], unknown: [], sites: 0 };
}
