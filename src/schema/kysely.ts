/**
 * Tables declared by Kysely migrations (db.schema.createTable('t').addColumn(...)) (work in progress: reads nothing yet).
 */
import type { FileUnit } from '../core/ast.js';
import { emptyRead, type TsReadResult } from './ts-sources.js';

export function readKyselyDetailed(_unit: FileUnit, _projectFile: string): TsReadResult {
  return emptyRead();
}
