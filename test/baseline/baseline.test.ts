import { describe, expect, it } from 'vitest';
import {
  applyBaseline,
  BaselineError,
  countEntries,
  parseBaseline,
  pruneBaseline,
  serializeBaseline,
  writeBaselineFrom,
  type Baseline,
} from '../../src/baseline/baseline.js';
import type { Finding } from '../../src/core/finding.js';

function finding(file: string, line: number, fingerprint: string, ruleId: Finding['ruleId'] = 'require-tenant-filter'): Finding {
  return {
    ruleId,
    messageId: 'missingTenantFilter',
    severity: 'error',
    message: `finding at ${file}:${line}`,
    evidence: 'e',
    help: 'h',
    file,
    line,
    column: 1,
    endLine: line,
    endColumn: 5,
    fingerprint,
  };
}

const a = finding('src/a.ts', 3, 'fa');
const b = finding('src/a.ts', 9, 'fb');
const c = finding('api/c.ts', 1, 'fc');

describe('baseline matching', () => {
  it('accepts recorded findings, even after they moved to another line', () => {
    const baseline = writeBaselineFrom([a, b], undefined);
    const moved = { ...a, line: 40, endLine: 40 };
    const match = applyBaseline([moved, b], baseline);
    expect(match.fresh).toEqual([]);
    expect(match.known.map((f) => f.line)).toEqual([9, 40]);
    expect(match.fixed).toBe(0);
  });

  it('never hides a finding with a different fingerprint of the same rule in the same file', () => {
    const baseline = writeBaselineFrom([a], undefined);
    // ESLint's count-only suppressions would hide `b` once `a` is fixed; a fingerprint does not.
    const match = applyBaseline([b], baseline);
    expect(match.fresh).toEqual([b]);
    expect(match.known).toEqual([]);
    expect(match.fixed).toBe(1);
  });

  it('a fingerprint recorded in another file or for another rule does not match', () => {
    const baseline = writeBaselineFrom([a], undefined);
    const elsewhere = { ...a, file: 'src/other.ts' };
    const otherRule = { ...a, ruleId: 'require-tenant-cache-key' as const };
    expect(applyBaseline([elsewhere, otherRule], baseline).fresh).toHaveLength(2);
  });

  it('counts duplicates: two accepted, the third one with that fingerprint is new', () => {
    const baseline = writeBaselineFrom([a, { ...a, line: 4 }], undefined);
    expect(baseline.findings['src/a.ts']['require-tenant-filter'].fa.count).toBe(2);
    const match = applyBaseline([a, { ...a, line: 4 }, { ...a, line: 5 }], baseline);
    expect(match.known.map((f) => f.line)).toEqual([3, 4]);
    expect(match.fresh.map((f) => f.line)).toEqual([5]);
  });

  it('entries outside the scope are neither matched nor counted as fixed', () => {
    const baseline = writeBaselineFrom([a, c], undefined);
    const match = applyBaseline([a], baseline, { folder: 'src' });
    expect(match.fixed).toBe(0);
    const byRule = applyBaseline([], baseline, { rules: new Set(['require-tenant-cache-key']) });
    expect(byRule.fixed).toBe(0);
  });
});

describe('writing and pruning', () => {
  it('a scoped rewrite keeps the entries of other folders and rules', () => {
    const previous = writeBaselineFrom([a, c, finding('src/x.ts', 1, 'fx', 'require-tenant-cache-key')], undefined);
    const rewritten = writeBaselineFrom([b], previous, { folder: 'src', rules: new Set(['require-tenant-filter']) });
    expect(Object.keys(rewritten.findings).sort()).toEqual(['api/c.ts', 'src/a.ts', 'src/x.ts']);
    expect(Object.keys(rewritten.findings['src/a.ts']['require-tenant-filter'])).toEqual(['fb']);
    expect(rewritten.findings['src/x.ts']['require-tenant-cache-key'].fx.count).toBe(1);
  });

  it('prune drops fixed entries, lowers counts, and never adds a new finding', () => {
    const baseline = writeBaselineFrom([a, { ...a, line: 4 }, b], undefined);
    const match = applyBaseline([a, finding('src/a.ts', 7, 'new')], baseline);
    const pruned = pruneBaseline(baseline, match.known);
    expect(pruned.findings).toEqual({ 'src/a.ts': { 'require-tenant-filter': { fa: { count: 1, message: 'finding at src/a.ts:3' } } } });
    expect(countEntries(pruned)).toEqual({ findings: 1, files: 1 });
  });
});

describe('baseline file', () => {
  it('round-trips with sorted keys and a trailing newline', () => {
    const text = serializeBaseline(writeBaselineFrom([b, c, a], undefined));
    expect(text.endsWith('}\n')).toBe(true);
    const parsed: Baseline = parseBaseline(text, 'b.json');
    expect(Object.keys(parsed.findings)).toEqual(['api/c.ts', 'src/a.ts']);
    expect(serializeBaseline(parsed)).toBe(text);
  });

  it('rejects a file that is not a baseline, naming the file and the key', () => {
    expect(() => parseBaseline('{', 'b.json')).toThrow(BaselineError);
    expect(() => parseBaseline('{"version":1,"findings":{"a.ts":{"r":{"f":{"count":0}}}}}', 'b.json')).toThrow(
      /baseline b\.json is not a tenant-lint baseline at "findings\.a\.ts\.r\.f\.count"/,
    );
    expect(() => parseBaseline('{"version":2,"findings":{}}', 'b.json')).toThrow(/at "version"/);
  });
});
