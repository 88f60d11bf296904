import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { compareFindings, type Finding } from '../core/finding.js';

/**
 * A baseline records the findings a team has accepted for now, so that CI fails only on new ones.
 * Modelled on ESLint's bulk suppressions (`eslint-suppressions.json`: file -> rule -> count), one
 * level finer: file -> rule -> fingerprint -> count. A fingerprint does not depend on line numbers
 * (see `fingerprintOf`), so an entry survives edits elsewhere in the file, and it never hides a
 * finding with a different fingerprint, even of the same rule in the same file.
 */
export const DEFAULT_BASELINE_FILE = 'tenant-lint-baseline.json';

const entrySchema = z.strictObject({
  count: z.number().int().positive(),
  /** The finding's message when the entry was recorded: for reviewers; never used to match. */
  message: z.string().optional(),
});

const baselineSchema = z.strictObject({
  $comment: z.string().optional(),
  version: z.literal(1),
  findings: z.record(z.string(), z.record(z.string(), z.record(z.string(), entrySchema))),
});

export type BaselineEntry = z.infer<typeof entrySchema>;
/** file (relative to the repository root) -> rule id -> fingerprint -> entry. */
export type BaselineFindings = Record<string, Record<string, Record<string, BaselineEntry>>>;
export interface Baseline {
  version: 1;
  findings: BaselineFindings;
}

/** A baseline file that cannot be read or is not a baseline: exit code 2, one line. */
export class BaselineError extends Error {
  override name = 'BaselineError';
}

/**
 * Which entries a scan can speak for. Entries outside it (another folder, a rule filtered out,
 * a file not in `scan a.ts b.ts`) are neither matched, counted as fixed, pruned nor rewritten.
 */
export interface BaselineScope {
  /** Only these rules were reported (`--rule`); all when absent. */
  rules?: ReadonlySet<string>;
  /** Only files below this folder (relative to the repository root, POSIX) were scanned; '.' or '' for all. */
  folder?: string;
  /** Only these files were scanned (file arguments, `--changed-since`); all in `folder` when absent. */
  files?: ReadonlySet<string>;
  /** Any further test (`--changed-since`): an entry is in scope only when it passes. */
  include?: (file: string, ruleId: string) => boolean;
}

export function inScope(scope: BaselineScope, file: string, ruleId: string): boolean {
  if (scope.rules && !scope.rules.has(ruleId)) return false;
  if (scope.files && !scope.files.has(file)) return false;
  if (scope.include && !scope.include(file, ruleId)) return false;
  const folder = scope.folder ?? '';
  if (folder === '' || folder === '.') return true;
  return file === folder || file.startsWith(`${folder}/`);
}

export function emptyBaseline(): Baseline {
  return { version: 1, findings: {} };
}

export function parseBaseline(text: string, file: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(`baseline ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = baselineSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? ` at "${issue.path.map(String).join('.')}"` : '';
    throw new BaselineError(`baseline ${file} is not a tenant-lint baseline${where}: ${issue.message}`);
  }
  return { version: 1, findings: parsed.data.findings };
}

export function readBaseline(file: string): Baseline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    throw new BaselineError(`cannot read baseline ${file}: ${reason} (create it with --write-baseline)`);
  }
  return parseBaseline(text, file);
}

/** Sorted keys and a trailing newline, so that a rewrite of an unchanged baseline is byte-identical. */
export function serializeBaseline(baseline: Baseline): string {
  const findings: BaselineFindings = {};
  for (const file of Object.keys(baseline.findings).sort()) {
    const rules: Record<string, Record<string, BaselineEntry>> = {};
    for (const rule of Object.keys(baseline.findings[file]).sort()) {
      const entries: Record<string, BaselineEntry> = {};
      for (const fingerprint of Object.keys(baseline.findings[file][rule]).sort()) {
        const entry = baseline.findings[file][rule][fingerprint];
        entries[fingerprint] = entry.message === undefined ? { count: entry.count } : { count: entry.count, message: entry.message };
      }
      if (Object.keys(entries).length > 0) rules[rule] = entries;
    }
    if (Object.keys(rules).length > 0) findings[file] = rules;
  }
  const out = {
    $comment: 'Findings accepted for now: tenant-lint scan --baseline reports only others. Regenerate with --write-baseline, drop fixed ones with --prune-baseline.',
    version: 1,
    findings,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

export function countEntries(baseline: Baseline): { findings: number; files: number } {
  let findings = 0;
  for (const rules of Object.values(baseline.findings)) {
    for (const entries of Object.values(rules)) for (const entry of Object.values(entries)) findings += entry.count;
  }
  return { findings, files: Object.keys(baseline.findings).length };
}

export interface BaselineMatch {
  /** Findings not in the baseline: these are reported and can fail the run. */
  fresh: Finding[];
  /** Findings the baseline accepts. */
  known: Finding[];
  /** Baseline entries in scope that no finding matched any more (fixed, or moved to another file). */
  fixed: number;
}

/**
 * Matches findings against the baseline by file, rule and fingerprint. An entry with count N
 * accepts at most N findings with that fingerprint; further ones are fresh (the later ones, in
 * report order). Findings outside `scope` are never looked up (they were filtered out before).
 */
export function applyBaseline(findings: readonly Finding[], baseline: Baseline, scope: BaselineScope = {}): BaselineMatch {
  const remaining = new Map<string, number>();
  const key = (file: string, rule: string, fingerprint: string) => `${file}\u0000${rule}\u0000${fingerprint}`;
  for (const [file, rules] of Object.entries(baseline.findings)) {
    for (const [rule, entries] of Object.entries(rules)) {
      if (!inScope(scope, file, rule)) continue;
      for (const [fingerprint, entry] of Object.entries(entries)) remaining.set(key(file, rule, fingerprint), entry.count);
    }
  }
  const fresh: Finding[] = [];
  const known: Finding[] = [];
  for (const finding of [...findings].sort(compareFindings)) {
    const k = key(finding.file, finding.ruleId, finding.fingerprint);
    const left = remaining.get(k) ?? 0;
    if (left > 0) {
      remaining.set(k, left - 1);
      known.push(finding);
    } else {
      fresh.push(finding);
    }
  }
  let fixed = 0;
  for (const left of remaining.values()) fixed += left;
  return { fresh, known, fixed };
}

/** The baseline's entries outside `scope`, untouched: what a scoped rewrite must keep. */
function outOfScope(baseline: Baseline, scope: BaselineScope): Baseline {
  const kept = emptyBaseline();
  for (const [file, rules] of Object.entries(baseline.findings)) {
    for (const [rule, entries] of Object.entries(rules)) {
      if (inScope(scope, file, rule)) continue;
      kept.findings[file] ??= {};
      kept.findings[file][rule] = { ...entries };
    }
  }
  return kept;
}

function add(baseline: Baseline, findings: readonly Finding[]): Baseline {
  for (const finding of [...findings].sort(compareFindings)) {
    const rules = (baseline.findings[finding.file] ??= {});
    const entries = (rules[finding.ruleId] ??= {});
    const entry = entries[finding.fingerprint];
    if (entry) entry.count += 1;
    else entries[finding.fingerprint] = { count: 1, message: finding.message };
  }
  return baseline;
}

/**
 * `--write-baseline`: every current finding in scope, plus the previous baseline's entries outside
 * the scope (a scan of one folder or one rule does not forget the rest of the repository).
 */
export function writeBaselineFrom(findings: readonly Finding[], previous: Baseline | undefined, scope: BaselineScope = {}): Baseline {
  return add(previous ? outOfScope(previous, scope) : emptyBaseline(), findings);
}

/**
 * `--prune-baseline`: entries in scope shrink to the findings they still match (fixed ones go);
 * never adds an entry, so new findings stay reported.
 */
export function pruneBaseline(baseline: Baseline, known: readonly Finding[], scope: BaselineScope = {}): Baseline {
  const pruned = outOfScope(baseline, scope);
  for (const finding of known) {
    const previous = baseline.findings[finding.file]?.[finding.ruleId]?.[finding.fingerprint];
    const entries = ((pruned.findings[finding.file] ??= {})[finding.ruleId] ??= {});
    const entry = entries[finding.fingerprint];
    if (entry) entry.count += 1;
    else entries[finding.fingerprint] = { count: 1, ...(previous?.message === undefined ? {} : { message: previous.message }) };
  }
  return pruned;
}
