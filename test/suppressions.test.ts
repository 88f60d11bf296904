import { describe, expect, it } from 'vitest';
import { parse } from '@typescript-eslint/typescript-estree';
import { readSuppressions } from '../src/core/suppressions.js';

function comments(code: string) {
  return parse(code, { comment: true, loc: true, range: true }).comments;
}

describe('suppression comments', () => {
  it('tenant-lint-ignore with a reason silences the next line ok', () => {
    const s = readSuppressions(comments('// tenant-lint-ignore require-tenant-filter -- global lookup\nq();'), false);
    expect(s.isSuppressed('require-tenant-filter', 2)).toBe(true);
    expect(s.isSuppressed('require-tenant-filter', 3)).toBe(false);
    expect(s.problems).toEqual([]);
  });

  it('tenant-lint-ignore without a reason is not honoured err', () => {
    const s = readSuppressions(comments('// tenant-lint-ignore require-tenant-filter\nq();'), false);
    expect(s.isSuppressed('require-tenant-filter', 2)).toBe(false);
    expect(s.problems[0]?.message).toMatch(/needs a reason/);
  });

  it('an unknown rule id is reported err', () => {
    const s = readSuppressions(comments('// tenant-lint-ignore require-tenant-filtr -- typo\nq();'), false);
    expect(s.problems[0]?.message).toMatch(/unknown rule id "require-tenant-filtr"/);
  });

  it('tenant-lint-ignore-file silences the whole file ok', () => {
    const s = readSuppressions(comments('/* tenant-lint-ignore-file require-tenant-filter -- admin scripts */\n\n\nq();'), false);
    expect(s.isSuppressed('require-tenant-filter', 4)).toBe(true);
  });

  it('eslint-disable-next-line is honoured by the scanner only ok', () => {
    const code = '// eslint-disable-next-line tenant-lint/require-tenant-filter -- reviewed\nq();';
    expect(readSuppressions(comments(code), true).isSuppressed('require-tenant-filter', 2)).toBe(true);
    expect(readSuppressions(comments(code), false).isSuppressed('require-tenant-filter', 2)).toBe(false);
  });

  it('a block eslint-disable lasts until eslint-enable (a pair around harmless code silences nothing after it) ok', () => {
    const code = 'q();\n/* eslint-disable tenant-lint/require-tenant-filter */\nq();\n/* eslint-enable tenant-lint/require-tenant-filter */\nq();\n';
    const s = readSuppressions(comments(code), true);
    expect([1, 2, 3, 4, 5].map((line) => s.isSuppressed('require-tenant-filter', line))).toEqual([false, true, true, false, false]);
    const bare = readSuppressions(comments('/* eslint-disable */\nq();\n/* eslint-enable */\nq();\n'), true);
    expect([2, 4].map((line) => bare.isSuppressed('no-client-tenant-id', line))).toEqual([true, false]);
  });

  it('eslint-enable re-enables only the rules it names; an unclosed disable lasts to the end ok', () => {
    const code = '/* eslint-disable */\n/* eslint-enable tenant-lint/require-tenant-filter, no-console */\nq();\n/* eslint-disable tenant-lint/require-tenant-filter */\nq();\n/* eslint-enable no-console */\nq();\n';
    const s = readSuppressions(comments(code), true);
    expect([3, 5, 7].map((line) => s.isSuppressed('require-tenant-filter', line))).toEqual([false, true, true]);
    expect([3, 5, 7].map((line) => s.isSuppressed('no-client-tenant-id', line))).toEqual([true, true, true]);
    // Not honoured by the ESLint face (ESLint reads its own directives).
    expect(readSuppressions(comments(code), false).isSuppressed('require-tenant-filter', 5)).toBe(false);
  });

  it('eslint-disable-next-line for another rule does not silence ours ok', () => {
    const code = '// eslint-disable-next-line no-console\nq();';
    expect(readSuppressions(comments(code), true).isSuppressed('require-tenant-filter', 2)).toBe(false);
  });
});
