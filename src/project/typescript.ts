/**
 * Which TypeScript builds the scanner's `--types` program: tenant-lint's own, the `typescript` peer
 * dependency installed next to it (the user's installation, not the scanned repository's). Never
 * the scanned project's `node_modules/typescript`: loading it would run the repository's code, and
 * auditors scan repositories they do not trust. The checker that built the program also answers
 * the type questions (src/core/types.ts), so type flags always agree.
 */
import type * as TS from 'typescript';

/** The versions of the `typescript` peer dependency (package.json). */
export const SUPPORTED_TYPESCRIPT = '>=5.0.0 <6.1.0';

export interface Compiler {
  ts: typeof TS;
  /** Where `ts` came from: always tenant-lint's own dependency in the scanner. */
  from: 'tenant-lint';
}

/** The TypeScript for a program of the project at `root`; `own` is the one the parser converts with. */
export function compilerFor(_root: string, own: typeof TS): Compiler {
  return { ts: own, from: 'tenant-lint' };
}
