import type { Node } from './ast.js';
import type { Suggestion } from './finding.js';
import type { RuleId } from './rule-meta.js';

/** A finding before it has a file, a severity and a fingerprint: what a check produces. */
export interface RawFinding {
  ruleId: RuleId;
  messageId: string;
  node: Node;
  /** Lower the severity to a warning whatever the rule's setting (a milder variant of the problem). */
  mild?: boolean;
  message: string;
  evidence: string;
  help: string;
  suggestions?: Suggestion[];
  /** What the finding is about beyond its node (a table alias in SQL): part of its fingerprint. */
  subject?: string;
  /** Report here instead of at `node` (a table name inside an SQL string). */
  span?: { line: number; column: number; endLine: number; endColumn: number };
  /** Lower the severity one step (defence in depth, e.g. RLS). */
  demoted?: boolean;
  /** Report at info whatever the rule's setting (code that runs without a request: `systemPaths`). */
  informational?: boolean;
}

export interface RawUnknown {
  ruleId: RuleId;
  node: Node;
  reason: string;
}

export interface CheckOutput {
  findings: RawFinding[];
  unknown: RawUnknown[];
  /** Query sites (or other facts) the check decided, for the summary. */
  sites: number;
}

/** A finding about a schema definition: located by the schema source, not by a node of a parsed file. */
export interface SchemaFinding {
  ruleId: RuleId;
  messageId: string;
  /** Project-relative file, 1-based line/column; end exclusive. */
  at: { file: string; line: number; column: number; endLine: number; endColumn: number };
  /** The table the finding is about: part of its fingerprint. */
  table: string;
  message: string;
  evidence: string;
  help: string;
  mild?: boolean;
  /** Report at info whatever the rule's setting (hardening advice rather than a defect: a child scoped through a required parent). */
  informational?: boolean;
}
