import type { Finding } from '../core/finding.js';
import type { ScanResult } from '../core/result.js';

/** What `--baseline` did, for the summaries and SARIF `suppressions`. */
export interface BaselineReport {
  /** The baseline file as given on the command line. */
  file: string;
  /** Findings the baseline accepts (not in `result.findings`). */
  known: readonly Finding[];
  /** Entries no finding matches any more. */
  fixed: number;
  /** Set when this run rewrote the file (`--write-baseline`, `--prune-baseline`). */
  written?: 'written' | 'pruned';
}

export interface ReportOptions {
  /** Emit ANSI colours. Reporters never look at the terminal themselves, so output is deterministic. */
  color: boolean;
  /** Finding.file -> file text, for code frames. May lack entries; a finding without a source gets no frame. */
  sources: ReadonlyMap<string, string>;
  /** Findings hidden by a baseline; absent without `--baseline`. */
  baseline?: BaselineReport;
  /** The failing severity after `--fail-on` (which may be `none`); `result.failOn` when absent. */
  failOn?: ScanResult['failOn'] | 'none';
  /** Findings filtered out of the report by `--quiet` (warnings and info). */
  quietHidden?: number;
  /** How a text report prints a path (clickable from the shell's folder); as-is when absent. */
  displayPath?: (file: string) => string;
  /** The scanned folder relative to the repository root ('.' when it is the root), for the JSON report. */
  pathBase?: string;
  /**
   * Whether a path relative to the result's root is a file, to resolve the places a finding's
   * evidence names (SARIF `relatedLocations`); only schema files and the finding's own file when absent.
   */
  fileExists?: (file: string) => boolean;
  /** SARIF `automationDetails.id` (the code scanning category): `--category`, else from `pathBase`. */
  category?: string;
  /** Link target of a file and line in markdown, for example a GitHub blob URL; no links when absent. */
  link?: (file: string, line: number) => string;
}

/** A pure function from a scan to the text of a report. Only the CLI writes it anywhere. */
export type Reporter = (result: ScanResult, options: ReportOptions) => string;

/**
 * What an empty report means depends on how much was looked at: "no findings" over a scan that
 * analysed nothing (verdict NONE) or part of the code (PARTIAL) must not read as a clean bill.
 * One wording for every reporter.
 */
export function noFindingsLine(result: ScanResult): string {
  const c = result.coverage;
  if (c.verdict === 'NONE') return 'No findings, because the scan could not check the data access (coverage NONE: see what to configure above).';
  if (c.verdict === 'PARTIAL') return `No tenant-isolation findings in the ${c.analysed} of ${c.seen} data-access calls analysed (coverage PARTIAL: see what was not traced or not read).`;
  return 'No tenant-isolation findings.';
}
