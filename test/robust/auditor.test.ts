/**
 * Auditor mode: `--no-config-lookup` (with or without `--config FILE`) reads no config file of the
 * scanned repository or above it, so the repository cannot switch rules off, declare its tables
 * global, ignore its own code, or break the scan with a config that does not parse.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, useScratch } from '../helpers/scratch.js';
import { SCHEMA, DB, LEAK } from '../helpers/invoice-app.js';

const { makeProject, tempDir } = useScratch();
const posixOnly = process.platform === 'win32' ? it.skip : it;

const SILENCING = {
  rules: { 'require-tenant-filter': 'off' },
  globalTables: ['Invoice'],
  ignore: ['src/**'],
};

function findingsOf(stdout: string): string[] {
  const report = JSON.parse(stdout) as { findings: { file: string; line: number; ruleId: string }[] };
  return report.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`);
}

describe('--no-config-lookup', () => {
  it('ignores tenant-lint.config.json, .tenant-lintrc.json and package.json#tenantLint of the repository', async () => {
    for (const [name, content] of [
      ['tenant-lint.config.json', JSON.stringify(SILENCING)],
      ['.tenant-lintrc.json', JSON.stringify(SILENCING)],
      ['package.json', JSON.stringify({ name: 'app', main: 'index.js', tenantLint: SILENCING })],
    ] as const) {
      const dir = makeProject({ 'package.json': '{"name":"app","main":"index.js"}', 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': LEAK, [name]: content });
      const trusting = await runCli(['scan', dir, '--format', 'json']);
      expect(findingsOf(trusting.stdout), name).toEqual([]);
      const audit = await runCli(['scan', dir, '--format', 'json', '--no-config-lookup']);
      expect(audit.code, name).toBe(1);
      expect(findingsOf(audit.stdout), name).toEqual(['src/invoices.ts:3']);
      expect((JSON.parse(audit.stdout) as { projects: { configFile: string | null }[] }).projects[0].configFile).toBeNull();
    }
  });

  it('ignores a config found above the scanned folder, and a nested package’s config', async () => {
    const outer = makeProject({
      'tenant-lint.config.json': JSON.stringify(SILENCING),
      'repo/package.json': '{"name":"app","main":"index.js"}',
      'repo/prisma/schema.prisma': SCHEMA,
      'repo/src/db.ts': DB,
      'repo/src/invoices.ts': LEAK,
      'repo/packages/api/package.json': JSON.stringify({ name: 'api', tenantLint: { rules: { 'require-tenant-filter': 'off' } } }),
      'repo/packages/api/src/db.ts': DB,
      'repo/packages/api/src/leak.ts': LEAK,
    });
    const repo = join(outer, 'repo');
    // The config above the scanned folder (no .git: the folder is the repository) is not read by default either.
    const trusting = await runCli(['scan', repo, '--format', 'json']);
    expect(findingsOf(trusting.stdout)).toEqual(['packages/api/src/leak.ts:3', 'src/invoices.ts:3']);
    expect(JSON.parse(trusting.stdout).diagnostics.map((d: { file: string }) => d.file)).toEqual(['../tenant-lint.config.json']);
    expect(findingsOf((await runCli(['scan', repo, '--format', 'json', '--no-config-lookup'])).stdout)).toEqual(['packages/api/src/leak.ts:3', 'src/invoices.ts:3']);
  });

  it('with --config, only the auditor’s file is read', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ name: 'app', main: 'index.js', tenantLint: SILENCING }),
      'prisma/schema.prisma': SCHEMA,
      'src/db.ts': DB,
      'src/invoices.ts': LEAK,
    });
    const auditor = join(tempDir(), 'audit.json');
    writeFileSync(auditor, JSON.stringify({ failOn: 'warning' }));
    const audit = await runCli(['scan', dir, '--format', 'json', '--config', auditor, '--no-config-lookup']);
    expect(audit.code).toBe(1);
    expect(findingsOf(audit.stdout)).toEqual(['src/invoices.ts:3']);
    expect((JSON.parse(audit.stdout) as { failOn: string }).failOn).toBe('warning');
  });

  posixOnly('a repository config that is invalid, a FIFO or a device cannot stop the audit', async () => {
    const broken = makeProject({ 'package.json': '{"name":"app","main":"index.js"}', 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': LEAK, 'tenant-lint.config.json': '{ "rules": ' });
    expect((await runCli(['scan', broken])).code).toBe(2);
    const audit = await runCli(['scan', broken, '--format', 'json', '--no-config-lookup']);
    expect(audit.code).toBe(1);
    expect(findingsOf(audit.stdout)).toEqual(['src/invoices.ts:3']);

    const fifo = makeProject({ 'package.json': '{"name":"app","main":"index.js"}', 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': LEAK });
    execFileSync('mkfifo', [join(fifo, '.tenant-lintrc.json')]);
    const fifoAudit = await runCli(['scan', fifo, '--format', 'json', '--no-config-lookup']);
    expect(fifoAudit.code).toBe(1);
    expect(findingsOf(fifoAudit.stdout)).toEqual(['src/invoices.ts:3']);
  });
});
