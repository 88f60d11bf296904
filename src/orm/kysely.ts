/**
 * Kysely queries for require-tenant-filter (work in progress: recognises nothing yet).
 */
import type { OrmRecognizer } from '../core/query-site.js';

export const kyselyRecognizer: OrmRecognizer = {
  name: 'kysely',
  enablers: ['kysely'],
  recognize() {
    return undefined;
  },
};
