/**
 * Sequelize queries for require-tenant-filter (work in progress: recognises nothing yet).
 */
import type { OrmRecognizer } from '../core/query-site.js';

export const sequelizeRecognizer: OrmRecognizer = {
  name: 'sequelize',
  enablers: ['sequelize', 'sequelize-typescript'],
  recognize() {
    return undefined;
  },
};
