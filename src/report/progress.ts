import type { ScanProgress } from '../scan/scan.js';

/**
 * Whether `tenant-lint scan` shows progress on stderr: only for a person watching a terminal.
 * Never in CI (`CI` set to anything but `false` or `0`, as CI services do), never with `--quiet`,
 * never when stderr is a pipe or a file, so logs and captured output stay clean.
 */
export function progressEnabled(options: { stderrIsTTY: boolean; env: NodeJS.ProcessEnv; quiet: boolean }): boolean {
  const ci = options.env.CI;
  const inCi = ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
  return options.stderrIsTTY && !inCi && !options.quiet;
}

export interface ProgressDisplay {
  update: (progress: ScanProgress) => void;
  /** Erases the line, so the report and notes start on a clean one. */
  done: () => void;
}

const LABEL: Record<ScanProgress['phase'], string> = { files: 'analysing files', sql: 'checking .sql query files' };

/**
 * One line on stderr, rewritten in place (`\r` and erase-line), at most every `intervalMs`, and
 * only once the scan has run for `delayMs`: a short scan prints nothing at all.
 */
export function progressDisplay(write: (text: string) => void, options: { delayMs?: number; intervalMs?: number; now?: () => number } = {}): ProgressDisplay {
  const now = options.now ?? (() => performance.now());
  const delay = options.delayMs ?? 1000;
  const interval = options.intervalMs ?? 100;
  const started = now();
  let last = -Infinity;
  let shown = false;
  return {
    update(progress) {
      const time = now();
      if (time - started < delay || time - last < interval) return;
      last = time;
      shown = true;
      const percent = progress.total === 0 ? 100 : Math.floor((progress.done / progress.total) * 100);
      write(`\r\u001b[Ktenant-lint: ${LABEL[progress.phase]} ${progress.done}/${progress.total} (${percent}%)`);
    },
    done() {
      if (shown) write('\r\u001b[K');
      shown = false;
    },
  };
}
