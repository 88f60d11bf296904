import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { ESLint as ESLint9 } from 'eslint9';
import plugin from '../../rules/index.js';
import { clearEditorCache } from '../../src/project/editor-cache.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

export interface ExpectedFinding {
  file: string;
  line: number;
  ruleId: string;
  messageId: string;
  /** Checked by the CLI face when every finding of the fixture declares it (ESLint reports at the rule's level). */
  severity?: string;
}

export interface Expected {
  findings: ExpectedFinding[];
  diagnostics?: { file: string; code: string }[];
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES).filter((name) => existsSync(join(FIXTURES, name, 'expected.json'))).sort();
}

export function readExpected(name: string): Expected {
  return JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8'));
}

/** `file:line ruleId/messageId`, the identity both faces must agree on. */
export function key(f: ExpectedFinding): string {
  return `${f.file}:${f.line} ${f.ruleId}/${f.messageId}`;
}

/** The key with the severity: for fixtures whose expectations declare severities. */
export function keyWithSeverity(f: ExpectedFinding): string {
  return `${key(f)} @${f.severity ?? '?'}`;
}

/** Lints a fixture with the ESLint plugin (flat config, typescript-eslint parser), as an editor would. */
export async function lintFixture(name: string, major: 9 | 10 = 10): Promise<{ findings: ExpectedFinding[]; fatal: string[] }> {
  clearEditorCache();
  const cwd = join(FIXTURES, name);
  const config = [
    {
      files: ['**/*.{ts,tsx}'],
      languageOptions: { parser: tsParser, parserOptions: { ecmaFeatures: { jsx: true } } },
    },
    // Every rule, as `tenant-lint scan` runs every rule: rules outside `recommended` included.
    { ...plugin.configs.recommended, rules: Object.fromEntries(Object.keys(plugin.rules).map((id) => [`tenant-lint/${id}`, 'error'])) },
  ];
  const options = { cwd, overrideConfigFile: true as const, overrideConfig: config, errorOnUnmatchedPattern: false };
  const eslint =
    major === 10
      ? // @ts-expect-error -- typescript-eslint's RuleModule type is not structurally ESLint's Rule.RuleModule; the runtime object is (proved by these tests)
        new ESLint(options)
      : // @ts-expect-error -- same type mismatch against ESLint 9's types
        new ESLint9(options);
  // Every TypeScript file, as the scanner sees it: schema packages and migrations outside src/ too.
  const results = await eslint.lintFiles(['**/*.{ts,tsx}']);
  const findings: ExpectedFinding[] = [];
  const fatal: string[] = [];
  for (const result of results) {
    const file = relative(cwd, result.filePath).split('\\').join('/');
    for (const message of result.messages) {
      if (message.fatal) fatal.push(file);
      else if (message.ruleId?.startsWith('tenant-lint/')) {
        findings.push({ file, line: message.line, ruleId: message.ruleId.slice('tenant-lint/'.length), messageId: message.messageId ?? '' });
      }
    }
  }
  return { findings, fatal };
}
