import { relative } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import plugin from '../../rules/index.js';
import { clearEditorCache } from '../../src/project/editor-cache.js';
import { scan } from '../../src/scan/scan.js';

/** `line messageId` of each finding of one rule, per project-relative file. */
export type Verdicts = Map<string, string[]>;

function add(verdicts: Verdicts, file: string, entry: string): void {
  const list = verdicts.get(file) ?? [];
  list.push(entry);
  verdicts.set(file, list);
}

/** What the ESLint plugin reports for `ruleId` on every TypeScript file of `dir`, every rule on as the scanner runs them. */
async function lint(dir: string, ruleId: string): Promise<Verdicts> {
  clearEditorCache();
  const rules = Object.fromEntries(Object.keys(plugin.rules).map((id) => [`tenant-lint/${id}`, 'error']));
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    // @ts-expect-error -- typescript-eslint's RuleModule type is not structurally ESLint's Rule.RuleModule; the fixture tests prove the runtime object is
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, { ...plugin.configs.recommended, rules }],
  });
  const verdicts: Verdicts = new Map();
  for (const result of await eslint.lintFiles(['src/**/*.ts'])) {
    const file = relative(dir, result.filePath).split('\\').join('/');
    for (const message of result.messages) {
      if (message.ruleId === `tenant-lint/${ruleId}`) add(verdicts, file, `${message.line} ${message.messageId}`);
    }
  }
  return verdicts;
}

/** The verdicts of both faces on one project: `tenant-lint scan` and the ESLint plugin. */
export async function bothFaces(dir: string, ruleId: string): Promise<{ scanner: Verdicts; eslint: Verdicts }> {
  const scanner: Verdicts = new Map();
  const result = await scan({ path: dir });
  for (const finding of result.findings) {
    if (finding.ruleId === ruleId) add(scanner, finding.file, `${finding.line} ${finding.messageId}`);
  }
  return { scanner, eslint: await lint(dir, ruleId) };
}
