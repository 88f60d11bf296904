import { createHash } from 'node:crypto';
import type { RuleId } from './rule-meta.js';

/** SARIF-compatible levels; ESLint maps `error` to 2 and the rest to 1. */
export type Severity = 'error' | 'warning' | 'info';

export interface Suggestion {
  desc: string;
  /** Replacement of the source range [start, end) with `text`. */
  fix: { range: [number, number]; text: string };
}

/**
 * One problem, shared by the ESLint adapter, the scanner and every reporter.
 * Positions are 1-based lines and 1-based columns; `endColumn` is exclusive.
 */
export interface Finding {
  ruleId: RuleId;
  messageId: string;
  severity: Severity;
  /** What is wrong. */
  message: string;
  /** Why it leaks: the schema facts behind the finding. */
  evidence: string;
  /** What to do. */
  help: string;
  /** Path relative to the scan root (scanner) or the linted file path (ESLint), POSIX separators. */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  suggestions?: Suggestion[];
  /** Stable identity that survives edits elsewhere in the file: see `fingerprintOf`. */
  fingerprint: string;
}

/**
 * Fingerprints hash the rule, the project-relative file, the enclosing symbol and the
 * whitespace-normalised code of the span, plus an occurrence index for identical spans in
 * the same symbol. No line numbers: a baseline survives unrelated edits above the finding.
 */
export function fingerprintOf(parts: {
  ruleId: string;
  projectFile: string;
  symbol: string;
  snippet: string;
  occurrence: number;
}): string {
  const normalised = parts.snippet.replace(/\s+/g, '');
  return createHash('sha256')
    .update([parts.ruleId, parts.projectFile, parts.symbol, normalised, String(parts.occurrence)].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}

/** Numbers identical findings in one file (same rule, symbol and code) for their fingerprints. */
export class Occurrences {
  private readonly seen = new Map<string, number>();

  next(...identity: string[]): number {
    const key = identity.join('\u0000');
    const occurrence = this.seen.get(key) ?? 0;
    this.seen.set(key, occurrence + 1);
    return occurrence;
  }
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}
