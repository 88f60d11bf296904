/**
 * TypeORM queries for require-tenant-filter (work in progress: recognises nothing yet).
 */
import type { OrmRecognizer } from '../core/query-site.js';

export const typeormRecognizer: OrmRecognizer = {
  name: 'typeorm',
  enablers: ['typeorm'],
  recognize() {
    return undefined;
  },
};
