import type { ScanResult } from '../core/result.js';

export interface ReportOptions {
  /** Emit ANSI colours. Reporters never look at the terminal themselves, so output is deterministic. */
  color: boolean;
  /** Finding.file -> file text, for code frames. May lack entries; a finding without a source gets no frame. */
  sources: ReadonlyMap<string, string>;
}

/** A pure function from a scan to the text of a report. Only the CLI writes it anywhere. */
export type Reporter = (result: ScanResult, options: ReportOptions) => string;
