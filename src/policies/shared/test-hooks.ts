import type { TSESTree } from '@typescript-eslint/types';
import { T, unwrap, variableOf, type FileUnit } from '../../core/ast.js';

/** A test runner's hooks and cases: what they are handed runs under the runner, never for a request. */
const TEST_REGISTRARS = /^(beforeAll|afterAll|beforeEach|afterEach|before|after|describe|it|test)$/;
/** Test runners whose functions are imported (vitest, Jest's explicit globals, node's own, Bun's). */
const TEST_RUNNER = /^(vitest|@jest\/globals|node:test|bun:test)$/;

/**
 * `afterAll(async () => { await destroyTouchBuffer() })` in a shared test helper (latitude-llm's
 * apps/api/src/test-utils/create-test-app.ts:131, a file not named `*.test.ts`): a hook registered with a
 * test runner's function imported from the runner, or a global of that name (Jest, Mocha) that the file
 * declares nowhere. Returns the runner, for the evidence. A project function of that name is not one.
 */
export function testRunnerOf(registration: TSESTree.CallExpression | TSESTree.NewExpression, unit: FileUnit): string | undefined {
  const callee = unwrap(registration.callee);
  if (registration.type !== T.CallExpression || callee.type !== T.Identifier || !TEST_REGISTRARS.test(callee.name)) return undefined;
  const def = variableOf(unit.scopeManager, callee)?.defs[0];
  if (!def) return 'the test runner';
  if (def.type !== 'ImportBinding' || def.parent?.type !== T.ImportDeclaration) return undefined;
  const source = String(def.parent.source.value);
  return TEST_RUNNER.test(source) ? `\`${source}\`` : undefined;
}
