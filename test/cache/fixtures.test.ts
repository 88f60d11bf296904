import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fixtureNames } from '../helpers/fixtures.js';
import { runCli } from '../helpers/scratch.js';

/**
 * What test/scan/fixtures.test.ts does not check for the cache fixtures: the cache calls whose
 * keys the analysis could not evaluate are reported as not analysable, exactly those, in the
 * JSON report and in the text summary (never flagged, never dropped).
 */

const CACHE_FIXTURES = fixtureNames().filter((name) => name.startsWith('cache-'));

/** The keys each fixture's README says are counted as not analysable. */
const NOT_ANALYSABLE: Record<string, string[]> = {
  'cache-lru-repository': [],
  'cache-nestjs': [],
  'cache-nextjs': [],
  'cache-redis-express': ['src/lib/cached.ts:7', 'src/lib/cached.ts:10'],
  'cache-workspace': [],
};

it('every cache fixture declares what it cannot analyse', () => {
  expect(CACHE_FIXTURES).toEqual(Object.keys(NOT_ANALYSABLE));
});

describe.each(CACHE_FIXTURES)('fixture %s', (name) => {
  it('lists exactly the cache calls it could not evaluate', async () => {
    const { stdout } = await runCli(['scan', join(FIXTURES, name), '--format', 'json']);
    const report: { unknown: { file: string; line: number; ruleId: string; reason: string }[] } = JSON.parse(stdout);
    const unknown = report.unknown.filter((u) => u.ruleId === 'require-tenant-cache-key');
    expect(unknown.map((u) => `${u.file}:${u.line}`)).toEqual(NOT_ANALYSABLE[name]);
    for (const site of unknown) expect(site.reason).toMatch(/a parameter of `cached`: what it names is decided by its callers$/);
  });
});

it('the text summary counts them', async () => {
  const { stdout } = await runCli(['scan', join(FIXTURES, 'cache-redis-express')]);
  expect(stdout).toMatch(/\b2 not analysable/);
  expect(stdout).toContain('src/lib/cached.ts:7');
});
