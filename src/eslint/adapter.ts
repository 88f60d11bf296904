import { createRequire } from 'node:module';
import type { TSESLint } from '@typescript-eslint/utils';
import type { FileUnit } from '../core/ast.js';
import type { RuleId } from '../core/rule-meta.js';
import type * as Engine from './engine.js';

// No top-level await here: the WASM SQL parser (migrations with RLS and policies, raw SQL in code)
// loads the first time a linted project has SQL, in a worker the rules wait on (src/sql/libpg.ts).

/**
 * The project of each linted tree, looked up once per file rather than once per rule: the lookup
 * checks every schema and config input's mtime, which cost a stat of each input five times per file
 * (11 % of an ESLint run on kanbn/kan, bench/). The rules of one file share one tree and one pass.
 */
const entryOfTree = new WeakMap<object, ReturnType<typeof Engine.projectForLintedFile>>();

let loaded: typeof Engine | undefined;

/**
 * The analysis core, loaded the first time a rule checks a file (or schemaCacheKey runs), so that
 * importing the plugin costs its rule metadata only. By require: a rule's `create` is synchronous,
 * and Node >= 20.19 (package.json engines) require()s an ES module without top-level await. Under
 * vitest, which cannot require() TypeScript, vitest.config.ts turns this call into a static import.
 */
export function engine(): typeof Engine {
  return (loaded ??= createRequire(import.meta.url)('./engine.js') as typeof Engine);
}

/** Source characters of parsed files the editor keeps between linted files (as the scanner: src/scan/scan.ts). */
const RETAINED_SOURCE_CHARS = 3_000_000;

/** Every rule's message: the Finding's three parts, so the editor shows what the CLI prints. */
export const FINDING_TEMPLATE = '{{ message }} Why: {{ evidence }} Fix: {{ help }}';

/**
 * The whole ESLint side of a rule: build the FileUnit from what ESLint parsed, ask the core,
 * report its Findings unchanged. The scanner calls the same `analyzeFile`, so both faces agree.
 */
export function reportFindings<M extends string>(
  context: Readonly<TSESLint.RuleContext<M, []>>,
  ruleId: RuleId,
  messageIds: readonly M[],
  suggestionId?: M,
): void {
  const { sourceCode } = context;
  const { analyzeFile, newManifestEpoch, oracleFromServices, projectForLintedFile, setupProblem } = engine();
  const unit: FileUnit = { file: context.filename, text: sourceCode.text, ast: sourceCode.ast, scopeManager: sourceCode.scopeManager ?? failNoScopes(), types: oracleFromServices(sourceCode.parserServices) };
  const settings: unknown = context.settings['tenant-lint'];
  let findings: ReturnType<typeof analyzeFile>['findings'];
  const cannotCheck = (reason: string) =>
    context.report({
      messageId: messageIds[0],
      data: { message: `tenant-lint could not check this file (${ruleId}).`, evidence: `internal error: ${reason}.`, help: 'Run `tenant-lint scan` for details, and report the error.' },
      loc: { line: 1, column: 0 },
    });
  try {
    let entry = entryOfTree.get(sourceCode.ast);
    if (!entry) {
      // A new linted file: package.json files read for earlier files are checked for edits again.
      newManifestEpoch();
      entry = projectForLintedFile(context.filename, settings);
      entryOfTree.set(sourceCode.ast, entry);
      entry.resolver.modules.beginLint();
      // Between files, as the scanner does: the trees of files linted or parsed earlier are kept
      // within a bound, least recently used dropped first (a dropped file is parsed again if a
      // later file looks into it: the cost changes, not the findings).
      entry.resolver.modules.trim(RETAINED_SOURCE_CHARS);
    }
    const { project, resolver } = entry;
    // The scanner exits 2 on such a project (no schema, no tenant root): say so where the client is imported.
    const setup = ruleId === 'require-tenant-filter' ? setupProblem(project, unit) : undefined;
    if (setup) {
      const notConfigured = messageIds.find((id) => id === 'projectNotConfigured');
      if (notConfigured) {
        context.report({
          messageId: notConfigured,
          data: {
            message: 'tenant-lint cannot check the data access of this project.',
            evidence: `The project ${setup}.`,
            help: 'Run `tenant-lint scan` to see what it found and assumed; the README lists the settings.',
          },
          loc: { line: 1, column: 0 },
        });
      }
    }
    resolver.modules.addLinted(unit);
    const analysis = analyzeFile(unit, project, resolver, { only: ruleId });
    // This rule's policy threw on this file (the other rules checked it): one problem, as below.
    const failed = analysis.internal?.find((e) => e.ruleId === ruleId);
    if (failed) {
      cannotCheck(failed.message);
      return;
    }
    ({ findings } = analysis);
  } catch (error) {
    // One file (or a schema) the analysis cannot handle must not abort the whole ESLint run: it is
    // one problem on that file, saying the rule did not check it.
    cannotCheck((error instanceof Error ? error.message : String(error)).split('\n')[0]);
    return;
  }
  for (const finding of findings) {
    const messageId = messageIds.find((id) => id === finding.messageId);
    if (!messageId) continue;
    context.report({
      messageId,
      data: { message: finding.message, evidence: finding.evidence, help: finding.help },
      loc: {
        start: { line: finding.line, column: finding.column - 1 },
        end: { line: finding.endLine, column: finding.endColumn - 1 },
      },
      suggest: (suggestionId ? (finding.suggestions ?? []) : []).map((s) => ({
        messageId: suggestionId ?? messageId,
        data: { desc: s.desc },
        fix: (fixer: TSESLint.RuleFixer) => fixer.replaceTextRange(s.fix.range, s.fix.text),
      })),
    });
  }
}

function failNoScopes(): never {
  throw new Error('tenant-lint needs a parser that provides scope analysis, such as @typescript-eslint/parser');
}
