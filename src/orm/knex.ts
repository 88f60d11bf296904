/**
 * Knex queries for require-tenant-filter (work in progress: recognises nothing yet).
 */
import type { OrmRecognizer } from '../core/query-site.js';

export const knexRecognizer: OrmRecognizer = {
  name: 'knex',
  enablers: ['knex'],
  recognize() {
    return undefined;
  },
};
