import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import type { ScanResult } from '../../src/core/result.js';
import { docsUrl, RULE_IDS } from '../../src/core/rule-meta.js';
import { relatedLocations } from '../../src/report/related.js';
import { renderRuleDoc, ruleDoc } from '../../src/report/rule-docs.js';
import { automationId, SECURITY_SEVERITY, toSarifLog } from '../../src/report/sarif.js';
import { sarifSchemaErrors } from './sarif-schema.js';

const DOCS = join(import.meta.dirname, '..', '..', 'docs', 'rules');

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'require-tenant-cache-key',
    messageId: 'missingTenantInKey',
    severity: 'warning',
    message: '`redis.get` reads key `keys.ticket(id)` without a tenant component.',
    evidence:
      'The key names `Ticket`: `Ticket.workspaceId` references the tenant `Workspace` (prisma/schema.prisma:20). `redis.set` (line 15) writes the same key. The ioredis client (`new Redis()`, packages/cache/src/index.ts:4) has a `keyPrefix`, but it is the same for every workspace.',
    help: 'Prepend the tenant to the key (`${workspaceId}:ticket:${id}`).',
    file: 'apps/api/src/tickets.ts',
    line: 9,
    column: 3,
    endLine: 9,
    endColumn: 20,
    fingerprint: 'f1',
    ...overrides,
  };
}

function result(findings: Finding[], overrides: Partial<ScanResult> = {}): ScanResult {
  return {
    coverage: { verdict: 'COMPLETE', seen: 5, analysed: 5, scoped: 3, unscoped: 2, notAnalysable: 0, schemaMatched: 0, notTraced: 0, percent: 100, projects: [], topReasons: [], topFiles: [], notTracedSites: [] },
    tool: { name: 'tenant-lint', version: '0.1.0' },
    root: '/repo',
    projects: [
      {
        root: '.',
        schemaSources: [{ kind: 'prisma', files: ['packages/db/prisma/schema.prisma'] }],
        tenantRoot: 'Workspace',
        tenantRootReason: 'inferred',
        tenantLevels: ['Workspace'],
        tenantKeys: [],
        tables: { tenant: ['Ticket'], child: [], global: ['Workspace'], unclassified: [] },
        configFile: null,
      },
    ],
    findings,
    diagnostics: [],
    unknown: [],
    stats: { filesScanned: 3, filesSkipped: 0, querySites: 5, suppressed: 0, testFiles: 0, durationMs: 10 },
    failOn: 'error',
    ...overrides,
  };
}

const FILES = new Set(['apps/api/src/tickets.ts', 'packages/cache/src/index.ts', 'packages/db/prisma/schema.prisma']);
const exists = (file: string) => FILES.has(file);

describe('SARIF rule metadata for code scanning', () => {
  const log = toSarifLog(result([]));
  const rules = log.runs[0].tool.driver.rules ?? [];

  it('is valid against the SARIF 2.1.0 schema', () => {
    expect(sarifSchemaErrors(log)).toEqual([]);
  });

  it('describes every rule with name, descriptions, help from its docs page, tags, precision and security-severity', () => {
    expect(rules.map((rule) => rule.id)).toEqual(RULE_IDS);
    for (const rule of rules) {
      const page = readFileSync(join(DOCS, `${rule.id}.md`), 'utf8');
      expect(rule.name).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(rule.shortDescription?.text).toBe(/^description: (.*)$/m.exec(page)?.[1]);
      expect(rule.fullDescription?.text.length).toBeGreaterThan(80);
      expect(rule.helpUri).toBe(docsUrl(rule.id));
      // The page itself, without the front matter the docs tests read, and without HTML comments.
      expect(rule.help?.markdown).toBe(ruleDoc(rule.id as (typeof RULE_IDS)[number])?.markdown);
      expect(rule.help?.markdown?.startsWith('---')).toBe(false);
      expect(rule.help?.markdown).not.toContain('<!--');
      expect(rule.help?.markdown).toContain('## How to fix');
      expect(rule.help?.text).not.toContain('```');
      expect(rule.properties?.tags).toContain(rule.id === 'require-tenant-index' ? 'performance' : 'security');
      expect(['high', 'medium']).toContain(rule.properties?.precision);
    }
  });

  it('gives security rules a numeric security-severity by their default severity, and the index rule none', () => {
    const bySeverity = Object.fromEntries(rules.map((rule) => [rule.id, rule.properties?.['security-severity']]));
    expect(bySeverity).toEqual({
      'no-client-tenant-id': '8.1',
      'require-tenant-cache-key': '5.0',
      'require-tenant-column': '8.1',
      'require-tenant-filter': '8.1',
      'require-tenant-index': undefined,
    });
    expect(SECURITY_SEVERITY).toEqual({ error: '8.1', warning: '5.0', info: '2.0' });
    const tags = rules.find((rule) => rule.id === 'require-tenant-filter')?.properties?.tags;
    expect(tags).toEqual(['security', 'external/cwe/cwe-639']);
  });

  it('uses the first paragraph of the docs page as fullDescription, as plain text', () => {
    const rule = rules.find((r) => r.id === 'require-tenant-filter');
    expect(rule?.fullDescription?.text).toMatch(/^In a shared-schema multi-tenant database every organization's rows sit in the same tables,/);
    expect(rule?.fullDescription?.text).not.toContain('\n');
  });

  it('makes relative links in the help absolute, since code scanning cannot resolve them', () => {
    for (const rule of rules) {
      for (const [, href] of (rule.help?.markdown ?? '').matchAll(/\]\(([^)\s]+)\)/g)) expect(href).toMatch(/^https?:\/\//);
    }
  });
});

describe('rule docs rendering', () => {
  const page = [
    '---',
    'description: Require a thing',
    '---',
    '',
    '<!-- a note for authors -->',
    'The **first** paragraph, with a [link](../configuration.md#ignore)',
    'over two lines.',
    '',
    '## Schema used by the examples',
    '',
    '```prisma schema',
    'model A { id String @id }',
    '```',
    '',
    '- see [`tenantRoot`](https://example.com/x)',
    '',
  ].join('\n');
  const doc = renderRuleDoc(page, 'https://example.com/docs/rules/require-thing.md');

  it('removes the front matter and comments, absolutises links and names the fence prisma', () => {
    expect(doc.markdown).toBe(
      [
        'The **first** paragraph, with a [link](https://example.com/docs/configuration.md#ignore)',
        'over two lines.',
        '',
        '## Schema used by the examples',
        '',
        '```prisma',
        'model A { id String @id }',
        '```',
        '',
        '- see [`tenantRoot`](https://example.com/x)',
        '',
      ].join('\n'),
    );
  });

  it('renders plain text: headings underlined, code indented, links as text (url)', () => {
    expect(doc.text).toBe(
      [
        'The first paragraph, with a link (https://example.com/docs/configuration.md#ignore)',
        'over two lines.',
        '',
        'Schema used by the examples',
        '---------------------------',
        '',
        '    model A { id String @id }',
        '',
        '- see `tenantRoot` (https://example.com/x)',
        '',
      ].join('\n'),
    );
    expect(doc.summary).toBe('The first paragraph, with a link (https://example.com/docs/configuration.md#ignore) over two lines.');
  });
});

describe('SARIF results', () => {
  it('carry relatedLocations for the places the evidence names, linked from the message', () => {
    const log = toSarifLog(result([finding()]), { fileExists: exists });
    expect(sarifSchemaErrors(log)).toEqual([]);
    const [res] = log.runs[0].results ?? [];
    expect(res.relatedLocations).toEqual([
      {
        id: 1,
        physicalLocation: { artifactLocation: { uri: 'packages/db/prisma/schema.prisma', uriBaseId: '%SRCROOT%' }, region: { startLine: 20 } },
        message: { text: '`Ticket.workspaceId` references the tenant `Workspace`' },
      },
      {
        id: 2,
        physicalLocation: { artifactLocation: { uri: 'apps/api/src/tickets.ts', uriBaseId: '%SRCROOT%' }, region: { startLine: 15 } },
        message: { text: '`redis.set`' },
      },
      {
        id: 3,
        physicalLocation: { artifactLocation: { uri: 'packages/cache/src/index.ts', uriBaseId: '%SRCROOT%' }, region: { startLine: 4 } },
        message: { text: '`new Redis()`' },
      },
    ]);
    expect(res.message.text).toBe(
      '`redis.get` reads key `keys.ticket(id)` without a tenant component.\n' +
        'Why: The key names `Ticket`: `Ticket.workspaceId` references the tenant `Workspace` ([prisma/schema.prisma:20](1)). `redis.set` ([line 15](2)) writes the same key. The ioredis client (`new Redis()`, [packages/cache/src/index.ts:4](3)) has a `keyPrefix`, but it is the same for every workspace.\n' +
        'Fix: Prepend the tenant to the key (`${workspaceId}:ticket:${id}`).',
    );
    expect(res.properties).toEqual({ 'security-severity': '5.0' });
  });

  it('leaves out a path that resolves to no file, and escapes literal brackets once links are embedded', () => {
    const odd = finding({ evidence: 'Read by `rows[0]` (line 15); the client is built in lib/missing.ts:3.' });
    const [res] = toSarifLog(result([odd]), { fileExists: exists }).runs[0].results ?? [];
    expect(res.relatedLocations?.map((l) => l.physicalLocation?.region?.startLine)).toEqual([15]);
    expect(res.message.text).toContain('Why: Read by `rows\\[0\\]` ([line 15](1)); the client is built in lib/missing.ts:3.');
  });

  it('has no relatedLocations and an untouched message when the evidence names no place', () => {
    const plain = finding({ evidence: 'Every tenant gets the same key [a].' });
    const [res] = toSarifLog(result([plain]), { fileExists: exists }).runs[0].results ?? [];
    expect(res.relatedLocations).toBeUndefined();
    expect(res.message.text).toContain('Every tenant gets the same key [a].');
  });

  it('does not link `line 1` inside `line 15`, nor the finding to itself', () => {
    const related = relatedLocations(finding({ line: 15, endLine: 15, evidence: 'see line 1, line 15 and line 150' }), result([]), exists);
    expect(related.map((r) => [r.reference, r.line])).toEqual([
      ['line 1', 1],
      ['line 150', 150],
    ]);
  });

  it('marks baseline findings as suppressed and keeps them valid', () => {
    const log = toSarifLog(result([]), { baseline: { file: 'tenant-lint-baseline.json', known: [finding()], fixed: 0 } });
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0].results?.[0].suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'accepted in the baseline tenant-lint-baseline.json' }]);
  });

  it('gives result-level security-severity by the finding severity, none for the index rule', () => {
    const log = toSarifLog(result([finding({ ruleId: 'require-tenant-filter', severity: 'info', evidence: 'e' }), finding({ ruleId: 'require-tenant-index', line: 20, endLine: 20, evidence: 'e' })]));
    const results = log.runs[0].results ?? [];
    expect(results.map((r) => r.properties)).toEqual([{ 'security-severity': '2.0' }, undefined]);
  });
});

describe('SARIF run', () => {
  it('names the code scanning category after the scanned folder, or --category', () => {
    expect(automationId({})).toBe('tenant-lint/');
    expect(automationId({ pathBase: '.' })).toBe('tenant-lint/');
    expect(automationId({ pathBase: 'apps/api' })).toBe('tenant-lint/apps/api/');
    expect(automationId({ pathBase: 'apps/api', category: 'tenant-lint-api' })).toBe('tenant-lint-api/');
    const log: Sarif.Log = toSarifLog(result([]), { pathBase: 'apps/api' });
    expect(log.runs[0].automationDetails).toEqual({ id: 'tenant-lint/apps/api/' });
  });

  it('is not executionSuccessful when an internal error lost part of the scan', () => {
    const log = toSarifLog(result([], { diagnostics: [{ code: 'internal', file: 'src/a.ts', message: 'internal error while analysing: boom' }] }));
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0].invocations?.[0].executionSuccessful).toBe(false);
    expect(toSarifLog(result([])).runs[0].invocations?.[0].executionSuccessful).toBe(true);
  });
});
