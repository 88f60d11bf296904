import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { FIXTURES, fixtureNames, key, keyWithSeverity, lintFixture, readExpected } from '../helpers/fixtures.js';
import { runCli } from '../helpers/scratch.js';


// One fixture, one expectation file: both faces must report exactly the declared findings.
describe.each(fixtureNames())('fixture %s', (name) => {
  const expected = readExpected(name);
  // Severity means exploitability: fixtures that declare it are held to it (the CLI face).
  const bySeverity = expected.findings.length > 0 && expected.findings.every((f) => f.severity);
  const cliKey = bySeverity ? keyWithSeverity : key;
  const wanted = expected.findings.map(key).sort();
  const wantedCli = expected.findings.map(cliKey).sort();
  const failing = expected.findings.filter((f) => (f.severity ?? 'error') === 'error').length;
  // ESLint lints TypeScript only: findings in schema.prisma or .sql files are the CLI's alone.
  const wantedInTs = expected.findings.filter((f) => /\.[cm]?[jt]sx?$/.test(f.file)).map(key).sort();

  it('the CLI reports exactly the expected findings', async () => {
    const { code, stdout } = await runCli(['scan', join(FIXTURES, name), '--format', 'json']);
    const report = JSON.parse(stdout);
    expect(report.findings.map(cliKey).sort()).toEqual(wantedCli);
    expect(code).toBe((bySeverity ? failing : wanted.length) > 0 ? 1 : 0);
  });

  it('the scan reports the expected diagnostics and goes on', async () => {
    const result = await scan({ path: join(FIXTURES, name) });
    expect(result.diagnostics.map((d) => `${d.file} ${d.code}`).sort()).toEqual(
      (expected.diagnostics ?? []).map((d) => `${d.file} ${d.code}`).sort(),
    );
    // A repository of only .sql files scans no TypeScript, but its schema is still read.
    expect(result.projects.length).toBeGreaterThan(0);
  });

  it('the ESLint plugin (ESLint 10) reports exactly the expected findings', async () => {
    const { findings, fatal } = await lintFixture(name, 10);
    expect(findings.map(key).sort()).toEqual(wantedInTs);
    expect(fatal.sort()).toEqual((expected.diagnostics ?? []).filter((d) => d.code === 'parse-error').map((d) => d.file).sort());
  });

  it('the ESLint plugin (ESLint 9) reports exactly the expected findings', async () => {
    const { findings } = await lintFixture(name, 9);
    expect(findings.map(key).sort()).toEqual(wantedInTs);
  });
});
