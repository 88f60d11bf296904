/**
 * A per-file time budget: a file whose analysis runs too long becomes a counted diagnostic and the
 * scan goes on. Nothing is killed: work checks the process's CPU clock at checkpoints (between the phases
 * of a file, and per statement in the SQL readers) and throws BudgetExceeded once the file's
 * deadline has passed. A budget that tripped stays tripped for the rest of its file, so a caller
 * that swallows the error (a parser wrapper that turns any throw into "does not parse") cannot hide
 * it: the scanner asks `tripped` when the file is done.
 *
 * All of it is synchronous and scoped: `withFileBudget` sets the deadline for the duration of a call
 * and restores the enclosing one after it, so concurrent scans in one process (each file's work is
 * synchronous between awaits) and the ESLint plugin (which sets no budget: checkpoints are no-ops)
 * are unaffected.
 */

/** Ten seconds of CPU per file: generous (the largest real files take well under one), yet bounded. */
export const DEFAULT_FILE_BUDGET_MS = 10_000;

/** Environment variable that overrides the default budget (milliseconds; 0 or less: no budget). */
export const FILE_BUDGET_ENV = 'TENANT_LINT_FILE_BUDGET_MS';

export interface BudgetSettings {
  /** Milliseconds a file may take; Infinity for no budget. */
  ms: number;
  /** A monotonic clock in milliseconds: CPU time by default (tests inject a fake one). */
  now: () => number;
}

/** Every diagnostic for an exhausted budget starts so: the scanner counts them as incomplete analysis. */
export const BUDGET_MESSAGE_PREFIX = 'time budget exceeded';

export class BudgetExceeded extends Error {
  constructor(readonly ms: number) {
    super(`${BUDGET_MESSAGE_PREFIX}: over the ${formatMs(ms)} per file (${FILE_BUDGET_ENV})`);
    this.name = 'BudgetExceeded';
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

interface Frame {
  settings: BudgetSettings;
  deadline: number;
  tripped: boolean;
  /** Checkpoints passed since the clock was last read. */
  ticks: number;
}

/** The CPU clock is a system call: read it at one checkpoint in this many (a checkpoint is a statement or a phase). */
const CPU_CLOCK_STRIDE = 32;

let settingsInScope: BudgetSettings | undefined;
let frame: Frame | undefined;

/** The budget settings of a scan: ScanOptions first, then the environment, then the default. */
export function budgetSettings(ms?: number, now?: () => number, env: NodeJS.ProcessEnv = process.env): BudgetSettings {
  let chosen = ms;
  if (chosen === undefined) {
    const fromEnv = env[FILE_BUDGET_ENV];
    const parsed = fromEnv !== undefined && /^\d+$/.test(fromEnv.trim()) ? Number(fromEnv.trim()) : undefined;
    chosen = parsed ?? DEFAULT_FILE_BUDGET_MS;
  }
  return { ms: chosen > 0 ? chosen : Infinity, now: now ?? cpuMilliseconds };
}

/**
 * The process's CPU time (user and system), in milliseconds: what the file's own work costs. Wall
 * time would also count the time a loaded CI machine gives other processes, and then one file of a
 * repository (capgo's 3,500-line pg.ts on a 2-core machine running five other jobs) was reported
 * unanalysed on one run and analysed on the next.
 */
function cpuMilliseconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Makes `settings` the budget of files started inside `run` (by `withFileBudget` without settings). */
export function withBudgetSettings<T>(settings: BudgetSettings, run: () => T): T {
  const previous = settingsInScope;
  settingsInScope = settings;
  try {
    return run();
  } finally {
    settingsInScope = previous;
  }
}

/**
 * Runs `run` as one file's work under its own deadline (nested calls get their own, and the
 * enclosing one resumes after). Without settings, and none in scope, `run` simply runs.
 * Returns whether the budget tripped, even when the BudgetExceeded was caught inside `run`.
 */
export function withFileBudget<T>(run: () => T, settings: BudgetSettings | undefined = settingsInScope): { value: T; tripped: false } | { tripped: true; error: BudgetExceeded } {
  if (!settings || settings.ms === Infinity) return { value: run(), tripped: false };
  const previousFrame = frame;
  const previousSettings = settingsInScope;
  const mine: Frame = { settings, deadline: settings.now() + settings.ms, tripped: false, ticks: 0 };
  frame = mine;
  settingsInScope = settings;
  try {
    const value = run();
    if (mine.tripped) return { tripped: true, error: new BudgetExceeded(settings.ms) };
    return { value, tripped: false };
  } catch (error) {
    if (mine.tripped || error instanceof BudgetExceeded) return { tripped: true, error: error instanceof BudgetExceeded ? error : new BudgetExceeded(settings.ms) };
    throw error;
  } finally {
    frame = previousFrame;
    settingsInScope = previousSettings;
  }
}

/**
 * Runs `run` off the current file's clock: work shared by many files (loading a project's schema,
 * building a TypeScript program) is not charged to the file that happened to need it first. Budgets
 * started inside (one per migration file) still apply.
 */
export function outsideFileBudget<T>(run: () => T): T {
  const current = frame;
  if (!current) return run();
  const started = current.settings.now();
  frame = undefined;
  try {
    return run();
  } finally {
    frame = current;
    current.deadline += current.settings.now() - started;
  }
}

/**
 * A checkpoint: throws BudgetExceeded when the current file's deadline has passed (or had passed
 * before). `perStatement`: a checkpoint in a loop over statements, where reading the CPU clock (a
 * system call) at each one would cost more than the work; it is read at one in CPU_CLOCK_STRIDE.
 */
export function checkBudget(perStatement = false): void {
  const current = frame;
  if (!current) return;
  if (perStatement && !current.tripped && current.settings.now === cpuMilliseconds && ++current.ticks % CPU_CLOCK_STRIDE !== 0) return;
  if (current.tripped || current.settings.now() > current.deadline) {
    current.tripped = true;
    throw new BudgetExceeded(current.settings.ms);
  }
}

/** Whether a diagnostic message says a file's analysis was cut short (budget) or failed (internal error). */
export function isIncompleteMessage(message: string): boolean {
  return message.startsWith(BUDGET_MESSAGE_PREFIX) || message.startsWith('internal error') || message.includes(': internal error:');
}
