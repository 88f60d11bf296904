import { compareFindings, type Finding, type Severity, type Suggestion } from '../core/finding.js';
import type { CoverageReport, Diagnostic, ProjectSummary, ScanResult, UnknownSite } from '../core/result.js';
import type { TableClass } from '../core/schema.js';
import type { Reporter } from './types.js';

/**
 * The `--format json` contract, documented field by field in docs/json-format.md.
 * Bump `version` on any breaking change; adding a field is not breaking.
 */
export interface JsonReport {
  version: 1;
  tool: { name: 'tenant-lint'; version: string };
  projects: JsonProject[];
  findings: JsonFinding[];
  diagnostics: JsonDiagnostic[];
  unknown: JsonUnknownSite[];
  stats: { filesScanned: number; filesSkipped: number; querySites: number; durationMs: number };
  failOn: 'error' | 'warning';
  /** What the scan reached of the code's data access (docs/json-format.md, `coverage`). */
  coverage: CoverageReport;
  /** The scanned folder relative to the repository root ('.' for the root); finding paths are relative to the scanned folder. Present when the CLI knows it. */
  pathBase?: string;
  /** Present with `--baseline`: how many findings it accepted (not listed in `findings`) and how many of its entries are fixed. */
  baseline?: { file: string; known: number; fixed: number };
}

export interface JsonProject {
  root: string;
  schemaSources: { kind: string; files: string[] }[];
  tenantRoot: string | null;
  tenantRootReason: string;
  tenantLevels: string[];
  tenantKeys: { table: string; field: string; references: string }[];
  tables: Record<TableClass, string[]>;
  /** The global tables that no foreign key ties to tenant data: a subset of `tables.global`. */
  globalByStructure: string[];
  /** Tables of another database beside the application's (ClickHouse), with how each joins the tenant hierarchy. */
  otherDatabases?: { database: string; tables: { name: string; class: TableClass; link: string }[] }[];
  configFile: string | null;
}

export interface JsonFinding {
  ruleId: string;
  messageId: string;
  severity: Severity;
  message: string;
  evidence: string;
  help: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  fingerprint: string;
  /** Always present; empty when the rule offers no suggestion. */
  suggestions: Suggestion[];
}

export interface JsonDiagnostic {
  code: Diagnostic['code'];
  file: string;
  /** `null` when the problem is not tied to a line. */
  line: number | null;
  column: number | null;
  message: string;
}

export type JsonUnknownSite = UnknownSite;

export const renderJson: Reporter = (result, options) => {
  const report = toJsonReport(result);
  if (options.pathBase !== undefined) report.pathBase = options.pathBase;
  if (options.baseline) report.baseline = { file: options.baseline.file, known: options.baseline.known.length, fixed: options.baseline.fixed };
  return `${JSON.stringify(report, null, 2)}\n`;
};

/** Fixed key order and fixed sort order, so two runs over the same tree give byte-identical output. */
export function toJsonReport(result: ScanResult): JsonReport {
  return {
    version: 1,
    tool: { name: result.tool.name, version: result.tool.version },
    projects: result.projects.map(toJsonProject),
    findings: [...result.findings].sort(compareFindings).map(toJsonFinding),
    diagnostics: [...result.diagnostics].sort(compareLocated).map(toJsonDiagnostic),
    unknown: [...result.unknown].sort(compareLocated).map(toJsonUnknownSite),
    stats: {
      filesScanned: result.stats.filesScanned,
      filesSkipped: result.stats.filesSkipped,
      querySites: result.stats.querySites,
      durationMs: result.stats.durationMs,
    },
    failOn: result.failOn,
    coverage: result.coverage,
  };
}

function toJsonProject(project: ProjectSummary): JsonProject {
  return {
    root: project.root,
    schemaSources: project.schemaSources.map((source) => ({ kind: source.kind, files: [...source.files] })),
    tenantRoot: project.tenantRoot,
    tenantRootReason: project.tenantRootReason,
    tenantLevels: [...project.tenantLevels],
    tenantKeys: project.tenantKeys.map((key) => ({ table: key.table, field: key.field, references: key.references })),
    tables: {
      tenant: [...project.tables.tenant],
      child: [...project.tables.child],
      global: [...project.tables.global],
      unclassified: [...project.tables.unclassified],
    },
    globalByStructure: [...(project.globalByStructure ?? [])],
    ...(project.otherDatabases ? { otherDatabases: project.otherDatabases.map((d) => ({ database: d.database, tables: d.tables.map((t) => ({ ...t })) })) } : {}),
    configFile: project.configFile,
  };
}

function toJsonFinding(finding: Finding): JsonFinding {
  return {
    ruleId: finding.ruleId,
    messageId: finding.messageId,
    severity: finding.severity,
    message: finding.message,
    evidence: finding.evidence,
    help: finding.help,
    file: finding.file,
    line: finding.line,
    column: finding.column,
    endLine: finding.endLine,
    endColumn: finding.endColumn,
    fingerprint: finding.fingerprint,
    suggestions: (finding.suggestions ?? []).map((suggestion) => ({
      desc: suggestion.desc,
      fix: { range: [suggestion.fix.range[0], suggestion.fix.range[1]], text: suggestion.fix.text },
    })),
  };
}

function toJsonDiagnostic(diagnostic: Diagnostic): JsonDiagnostic {
  return {
    code: diagnostic.code,
    file: diagnostic.file,
    line: diagnostic.line ?? null,
    column: diagnostic.column ?? null,
    message: diagnostic.message,
  };
}

function toJsonUnknownSite(site: UnknownSite): JsonUnknownSite {
  return { ruleId: site.ruleId, file: site.file, line: site.line, column: site.column, reason: site.reason };
}

/** Sorts diagnostics and unknown sites by file, then line, then column (missing positions first). */
export function compareLocated(
  a: { file: string; line?: number; column?: number },
  b: { file: string; line?: number; column?: number },
): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}
