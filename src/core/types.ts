/**
 * Type information, when a face has it: ESLint with `parserOptions.projectService` (or `project`),
 * the scanner with `--types` (a TypeScript program built from the project's tsconfig). Both hand
 * the core the same typescript-estree parser services, so the faces agree whenever both have types.
 * Without types every question answers `undefined` and the checks that need them stay silent.
 */
import { createRequire } from 'node:module';
import type { ParserServices } from '@typescript-eslint/typescript-estree';
import type * as TS from 'typescript';
import type { Node } from './ast.js';

// `typescript` by CommonJS require, not `import`: an ESM import of the 9 MB typescript.js makes Node
// also detect its module format and lex its exports, about 0.7 s of CPU in every process (bench/).
const ts: typeof TS = createRequire(import.meta.url)('typescript');

export interface TypeOracle {
  /** Can the expression evaluate to `undefined`? `undefined` when the type is unknown (`any`, unmapped node). */
  mayBeUndefined(node: Node): boolean | undefined;
}

export function oracleFromServices(services: Partial<ParserServices> | undefined): TypeOracle | undefined {
  const program = services?.program;
  const map = services?.esTreeNodeToTSNodeMap;
  if (!program || !map) return undefined;
  const checker = program.getTypeChecker();
  // Without strictNullChecks no type includes `undefined`: every answer would be "no", which is not knowledge.
  if (!program.getCompilerOptions().strict && !program.getCompilerOptions().strictNullChecks) return undefined;
  return {
    mayBeUndefined(node) {
      const tsNode = map.get(node as never);
      if (!tsNode) return undefined;
      const type = checker.getTypeAtLocation(tsNode);
      if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
      const parts = type.isUnion() ? type.types : [type];
      return parts.some((part) => (part.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) !== 0);
    },
  };
}
