import type { SchemaDiagnostic, Table } from '../core/schema.js';

/** A table as one schema source describes it, before tenant classification. */
export type RawTable = Omit<Table, 'class' | 'tenantKeys' | 'parentRelations' | 'classReason'> & {
  /**
   * Other database names the table may have, when the source cannot tell (a Sequelize model is
   * `Invoices` unless `freezeTableName`, which may be set globally in another file).
   */
  dbAliases?: string[];
};

/** What a schema reader returns: the tables it understood and what it could not read. */
export interface SchemaReadResult {
  tables: RawTable[];
  diagnostics: SchemaDiagnostic[];
  /** Project-relative paths of the files the tables came from. */
  files: string[];
}
