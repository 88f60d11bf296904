/**
 * Mongoose queries for require-tenant-filter (work in progress: recognises nothing yet).
 */
import type { OrmRecognizer } from '../core/query-site.js';

export const mongooseRecognizer: OrmRecognizer = {
  name: 'mongoose',
  enablers: ['mongoose'],
  recognize() {
    return undefined;
  },
};
