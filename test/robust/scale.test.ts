/** Cost grows with the input, never faster: sizes at which a quadratic pass would not finish in the test timeout. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSqlQueryFile } from '../../src/analyze/sql-files.js';
import type { ScanResult } from '../../src/core/result.js';
import { loadProject, type Project } from '../../src/project/project.js';
import { renderText } from '../../src/report/text.js';
import { byteOffsetToIndex } from '../../src/sql/split.js';
import { loadSqlParsers } from '../../src/sql/libpg.js';

let dir: string;
let project: Project;

beforeAll(async () => {
  await loadSqlParsers();
  dir = mkdtempSync(join(tmpdir(), 'tenant-lint-scale-'));
  mkdirSync(join(dir, 'migrations'));
  writeFileSync(join(dir, 'package.json'), '{"name":"q"}');
  writeFileSync(join(dir, 'migrations', '001_init.sql'), 'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE notes (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id));\n');
  project = loadProject(dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('.sql query files', () => {
  it('100,000 statements, each a finding, with non-ASCII text between them', () => {
    const text = '-- é\nSELECT * FROM notes WHERE id = $1;\n'.repeat(100_000);
    const result = analyzeSqlQueryFile(text, 'q.sql', project.schema, project.config);
    expect(result.findings).toHaveLength(100_000);
    expect(result.findings[99_999]).toMatchObject({ line: 200_000, column: 15 });
  });

  it('byte offsets still map to string indexes across surrogate pairs', () => {
    const text = 'a😀é b';
    expect([0, 1, 5, 7, 8].map((offset) => byteOffsetToIndex(text, offset))).toEqual([0, 1, 3, 4, 5]);
  });
});

describe('text report', () => {
  it('a single line of 20,000 findings renders with small frames', () => {
    const line = 'prisma.note.findFirst({ where: { id } }); '.repeat(20_000);
    const findings = Array.from({ length: 20_000 }, (_, i) => ({
      ruleId: 'require-tenant-filter',
      messageId: 'missingTenantFilter',
      severity: 'error',
      message: 'm',
      evidence: 'e',
      help: 'h',
      file: 'a.ts',
      line: 1,
      column: 1 + i * 42,
      endLine: 1,
      endColumn: 12 + i * 42,
      fingerprint: String(i),
    }));
    const result = { coverage: { verdict: 'COMPLETE', seen: 0, analysed: 0, scoped: 0, unscoped: 0, notAnalysable: 0, schemaMatched: 0, notTraced: 0, percent: 100, projects: [], topReasons: [], topFiles: [], notTracedSites: [] }, tool: { name: 'tenant-lint', version: '0' }, root: '/', projects: [], findings, diagnostics: [], unknown: [], stats: { filesScanned: 1, filesSkipped: 0, suppressed: 0, testFiles: 0, querySites: 20_000, durationMs: 0 }, failOn: 'error' } as unknown as ScanResult;
    const text = renderText(result, { color: false, sources: new Map([['a.ts', line]]) });
    expect(text.length).toBeLessThan(20_000 * 1_000);
    expect(text).toContain('20000 findings');
  });

  it('control characters from the scanned repository are shown, not sent to the terminal', () => {
    const source = 'const a = 1; // \u001b[2K\u001b]8;;http://x\u0007fake\r\n';
    const finding = { ruleId: 'require-tenant-filter', messageId: 'missingTenantFilter', severity: 'error', message: 'in `\u001b[31mx`', evidence: 'e\nNo tenant-isolation findings.', help: 'h', file: 'a\u001b.ts', line: 1, column: 1, endLine: 1, endColumn: 5, fingerprint: 'f' };
    const result = { coverage: { verdict: 'COMPLETE', seen: 0, analysed: 0, scoped: 0, unscoped: 0, notAnalysable: 0, schemaMatched: 0, notTraced: 0, percent: 100, projects: [], topReasons: [], topFiles: [], notTracedSites: [] }, tool: { name: 'tenant-lint', version: '0' }, root: '/', projects: [], findings: [finding], diagnostics: [{ code: 'parse-error', file: 'b\r.ts', message: '\u001b[2J' }], unknown: [], stats: { filesScanned: 1, filesSkipped: 0, suppressed: 0, testFiles: 0, querySites: 1, durationMs: 0 }, failOn: 'error' } as unknown as ScanResult;
    const text = renderText(result, { color: false, sources: new Map([['a\u001b.ts', source]]) });
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(text).toContain('\u241b[2K');
    expect(text).not.toMatch(/^\s*No tenant-isolation findings/m);
  });
});
