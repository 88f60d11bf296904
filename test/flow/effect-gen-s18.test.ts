import { describe, expect, it } from 'vitest';
import { callableAt } from '../../src/flow/callers.js';
import { T, walk, type Node } from '../../src/core/ast.js';
import { parseUnit } from '../../src/project/modules.js';

/*
 * `findById: (id) => Effect.gen(function* () { ... })` (latitude-llm, s18): the generator handed to `Effect.gen` is
 * the program of the function that returns it, so the call graph climbs to that function. Only `gen` of a
 * binding imported from `effect`: a project's own `gen` helper, or any other library's, may run its generator
 * later or elsewhere, and its generator stays a function handed to something else.
 */

function where(text: string): string {
  const unit = parseUnit('src/repo.ts', text);
  let call: Node | undefined;
  walk(unit.ast, (node) => {
    if (!call && node.type === T.CallExpression && node.callee.type === T.MemberExpression && node.callee.property.type === T.Identifier && node.callee.property.name === 'findFirst') call = node;
  });
  const at = call && callableAt(call, unit);
  if (!at) return 'top level';
  return 'anonymous' in at ? 'anonymous' : at.name;
}

const BODY = `export const byId = (id: string) => X.gen(function* () {\n  return yield* db.invoice.findFirst({ where: { id } });\n});\n`;

describe('Effect.gen climbs to the function that returns it', () => {
  it('`Effect` imported from effect: the query is `byId`\'s own code ok', () => {
    expect(where(`import { Effect as X } from 'effect';\n${BODY}`)).toBe('byId');
    expect(where(`import * as X from 'effect/Effect';\n${BODY}`)).toBe('byId');
  });

  it('twin: a `gen` of the project\'s own module: the generator is handed to it ok', () => {
    expect(where(`import { X } from './runner';\n${BODY}`)).toBe('anonymous');
  });
});
