import type { Node } from '../ast.js';
import type { Suggestion } from '../finding.js';
import type { RuleId } from '../rule-meta.js';

/** A finding before it has a file, a severity and a fingerprint: what a check produces. */
export interface RawFinding {
  ruleId: RuleId;
  messageId: string;
  node: Node;
  message: string;
  evidence: string;
  help: string;
  suggestions?: Suggestion[];
  /** Lower the severity one step (defence in depth, e.g. RLS); unused by this slice. */
  demoted?: boolean;
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
