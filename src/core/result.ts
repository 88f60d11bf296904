import type { Finding } from './finding.js';
import type { TableClass } from './schema.js';

/** Something the scan could not do: a file it could not read or parse, a schema it could not load. */
export interface Diagnostic {
  code: 'unreadable' | 'parse-error' | 'schema-error' | 'too-large' | 'too-large-no-data-access' | 'binary' | 'not-a-query-file' | 'config' | 'suppression' | 'unread-store' | 'internal';
  file: string;
  line?: number;
  column?: number;
  message: string;
}

/** A query site the analysis saw but could not decide (a `where` built by code it cannot follow). */
export interface UnknownSite {
  ruleId: string;
  file: string;
  line: number;
  column: number;
  reason: string;
}

/** What the scan inferred for one project (a directory with a schema), printed before the findings. */
export interface ProjectSummary {
  /** Path of the project directory, relative to the scan root ('.' for the root itself). */
  root: string;
  schemaSources: { kind: string; files: string[] }[];
  tenantRoot: string | null;
  tenantRootReason: string;
  tenantLevels: string[];
  /** `byName`: no foreign key declares it; inferred from the column's name (printed so). */
  tenantKeys: { table: string; field: string; references: string; byName?: boolean }[];
  tables: Record<TableClass, string[]>;
  /** The global tables that are global only because no foreign key ties them to tenant data (a subset of `tables.global`). */
  globalByStructure?: string[];
  /**
   * Tables of another database beside the application's (ClickHouse), each with how it joins the
   * tenant hierarchy (`website_event: child of Website by website_id`) or why it does not.
   */
  otherDatabases?: { database: string; tables: { name: string; class: TableClass; link: string }[] }[];
  configFile: string | null;
  /** Every table with what isolates it and the queries seen on it; only with ScanOptions.details (the HTML report). */
  tableDetails?: TableDetail[];
}

/** One row of the tenant isolation matrix. */
export interface TableDetail {
  name: string;
  dbName: string;
  class: TableClass;
  classReason: string;
  /** The definition (relative to the scan root, like findings), when the schema reader knows it. */
  location?: { file: string; line: number };
  /** Tenant key columns, NOT NULL or not, and what they reference. */
  tenantKeys: { field: string; notNull: boolean; references: string; location?: { file: string; line: number } }[];
  /** Child tables: the required relations that carry the tenancy. */
  parentRelations: string[];
  /** An index, unique constraint or primary key that starts with the tenant column: `composite`, `alone` (tenant column only), `none`, or `n/a` without a tenant key. */
  tenantIndex: 'composite' | 'alone' | 'none' | 'n/a';
  /** Row-level security as the SQL migrations leave it; absent when the schema source cannot say. */
  rls?: { enabled: boolean; forced: boolean; tenantPolicies: string[]; otherPolicies: string[] };
  /** Query sites on the table in TypeScript and JavaScript (not .sql query files): analysed, unscoped, filter unreadable. */
  queries: { analysed: number; unscoped: number; notAnalysable: number };
}

/** A finding silenced by a comment, for the inventory of intentional cross-tenant access. */
export interface SuppressionEntry {
  ruleId: string;
  file: string;
  line: number;
  column: number;
  message: string;
  directive: string;
  /** The comment's line. */
  directiveLine: number;
  reason: string;
}

export type CoverageVerdict = 'COMPLETE' | 'PARTIAL' | 'NONE';

/** How much of the data access the scan saw it analysed: the coverage promise, per project and overall. */
export interface CoverageCounts {
  /** Data-access calls seen: analysed + not traced. */
  seen: number;
  analysed: number;
  scoped: number;
  unscoped: number;
  /** Analysed, but the filter could not be read (counted in `analysed`). */
  notAnalysable: number;
  /** Analysed because the schema names the model or table; the receiver was not traced (counted in `analysed`). */
  schemaMatched: number;
  notTraced: number;
  /** analysed / seen, in percent (100 when nothing was seen). */
  percent: number;
}

export interface ProjectCoverage extends CoverageCounts {
  root: string;
  verdict: CoverageVerdict;
  /** Why the verdict is NONE, and what to configure. */
  problem?: string;
}

export interface CoverageReport extends CoverageCounts {
  verdict: CoverageVerdict;
  /** Set when the scan must fail closed (exit 2): one line naming what to configure. */
  failClosed?: string;
  projects: ProjectCoverage[];
  /** Most frequent reasons a call was not traced (backticked code replaced by `…`). */
  topReasons: { reason: string; count: number }[];
  /** Files with the most untraced calls. */
  topFiles: { file: string; notTraced: number }[];
  /** Every untraced call. */
  notTracedSites: { file: string; line: number; column: number; orm: string; table: string; reason: string }[];
}

export interface ScanResult {
  /** What the scan reached of the code's data access (see README, "Coverage"). */
  coverage: CoverageReport;
  tool: { name: 'tenant-lint'; version: string };
  /** Absolute path of the scanned directory (never printed in reports; paths there are relative). */
  root: string;
  projects: ProjectSummary[];
  findings: Finding[];
  diagnostics: Diagnostic[];
  unknown: UnknownSite[];
  stats: {
    filesScanned: number;
    filesSkipped: number;
    querySites: number;
    /** Findings silenced by `tenant-lint-ignore` or `eslint-disable` comments. */
    suppressed: number;
    /** Test, spec and seed files read but not analysed (`includeTests: false`). */
    testFiles: number;
    durationMs: number;
  };
  /** Severity at or above which findings fail the run. */
  failOn: 'error' | 'warning';
  /** Findings silenced by comments; only with ScanOptions.details (the HTML report). */
  suppressions?: SuppressionEntry[];
}
