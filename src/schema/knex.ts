/**
 * Tables declared by Knex migrations (knex.schema.createTable('t', (t) => ...)) (work in progress: reads nothing yet).
 */
import type { FileUnit } from '../core/ast.js';
import { emptyRead, type TsReadResult } from './ts-sources.js';

export function readKnexDetailed(_unit: FileUnit, _projectFile: string): TsReadResult {
  return emptyRead();
}
