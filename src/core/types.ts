/**
 * Type information, when a face has it: ESLint with `parserOptions.projectService` (or `project`),
 * the scanner with `--types` (a TypeScript program built from the project's tsconfig). Both hand
 * the core the same typescript-estree parser services, so the faces agree whenever both have types.
 * Without types every question answers `undefined` and the checks that need them stay silent.
 *
 * Type flags are read from the checker that produced the types, never from a `typescript` module of
 * our own: the program may come from the user's TypeScript (ESLint's parser resolves theirs), and
 * flag numbers differ between 5.x and 6.x (`Undefined` is 1 << 15 in 5.9 and 1 << 2 in 6.0, where
 * 5.9's 1 << 2 is `String`). Reading 6.0's numbers against a 5.9 program called every `string`
 * possibly undefined (test/policy/undefined-tenant.test.ts runs both).
 */
import type { ParserServices } from '@typescript-eslint/typescript-estree';
import type * as TS from 'typescript';
import type { Node } from './ast.js';

export interface TypeOracle {
  /** Can the expression evaluate to `undefined`? `undefined` when the type is unknown (`any`, unmapped node). */
  mayBeUndefined(node: Node): boolean | undefined;
}

/** The type flags the oracle tests, each the flag of the checker's own intrinsic type. */
interface Flags {
  anyOrUnknown: number;
  undefinedOrVoid: number;
}

/**
 * `TypeFlags.Unknown` has been `1 << 1` in every TypeScript from 3.0 to 6.0 (checked in 5.0, 5.4,
 * 5.9 and 6.0); `checker.getUnknownType()` only exists from 5.8, so older checkers get the constant.
 */
const UNKNOWN_FLAG_BEFORE_5_8 = 2;

function isSingleFlag(flag: number): boolean {
  return flag > 0 && (flag & (flag - 1)) === 0;
}

/** The flags of the checker's intrinsic `any`, `unknown`, `undefined` and `void` (public since TypeScript 5.0). */
export function flagsOf(checker: TS.TypeChecker): Flags | undefined {
  const any = checker.getAnyType?.().flags;
  const unknown = typeof checker.getUnknownType === 'function' ? checker.getUnknownType().flags : UNKNOWN_FLAG_BEFORE_5_8;
  const undef = checker.getUndefinedType?.().flags;
  const voidFlag = checker.getVoidType?.().flags;
  // A checker without these getters (TypeScript < 5.0), or one whose intrinsics carry more than one
  // flag, is not one we can read: no answers rather than wrong ones.
  if (any === undefined || undef === undefined || voidFlag === undefined) return undefined;
  if (![any, unknown, undef, voidFlag].every(isSingleFlag)) return undefined;
  return { anyOrUnknown: any | unknown, undefinedOrVoid: undef | voidFlag };
}

export function oracleFromServices(services: Partial<ParserServices> | undefined): TypeOracle | undefined {
  const program = services?.program;
  const map = services?.esTreeNodeToTSNodeMap;
  if (!program || !map) return undefined;
  // Without strictNullChecks no type includes `undefined`: every answer would be "no", which is not knowledge.
  if (!program.getCompilerOptions().strict && !program.getCompilerOptions().strictNullChecks) return undefined;
  const checker = program.getTypeChecker();
  const flags = flagsOf(checker);
  if (!flags) return undefined;
  return {
    mayBeUndefined(node) {
      const tsNode = map.get(node as never);
      if (!tsNode) return undefined;
      const type = checker.getTypeAtLocation(tsNode);
      if (type.flags & flags.anyOrUnknown) return undefined;
      const parts = type.isUnion() ? type.types : [type];
      return parts.some((part) => (part.flags & flags.undefinedOrVoid) !== 0);
    },
  };
}
