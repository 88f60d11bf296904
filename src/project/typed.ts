import type * as TS from 'typescript';
import type * as Estree from '@typescript-eslint/typescript-estree';
import type * as ScopeManager from '@typescript-eslint/scope-manager';
import { walk, type FileUnit } from '../core/ast.js';
import { oracleFromServices } from '../core/types.js';
import { lazyModule, parseUnit } from './modules.js';
import { buildProgram, type TsconfigProgram } from './tsconfig.js';

/**
 * The scanner's `--types`: parses with a TypeScript program. Its own module, imported only by a
 * scan with `--types`, so that a plain scan does not load the type checker's helpers.
 */
const estree = lazyModule<typeof Estree>('@typescript-eslint/typescript-estree');
const scopes = lazyModule<typeof ScopeManager>('@typescript-eslint/scope-manager');

/**
 * The same parse with type information from `program` (scanner `--types`): the tree and parser
 * services ESLint would have with `projectService`, so the type-aware checks agree across faces.
 * Files outside the program get the plain parse.
 */
export function parseTypedUnit(file: string, text: string, program: TS.Program | undefined): FileUnit {
  if (!program?.getSourceFile(file)) return parseUnit(file, text);
  const jsx = /\.[cm]?[jt]sx$/.test(file) || /\.[cm]?js$/.test(file);
  let parsed;
  try {
    parsed = estree.parseAndGenerateServices(text, { range: true, loc: true, jsx, comment: true, errorOnUnknownASTType: false, filePath: file, programs: [program] });
  } catch {
    return parseUnit(file, text);
  }
  const scopeManager = scopes.analyze(parsed.ast, { sourceType: 'module', jsxPragma: null });
  walk(parsed.ast, () => {});
  return { file, text, ast: parsed.ast, scopeManager, types: oracleFromServices(parsed.services) };
}

/**
 * A TypeScript program from the tsconfig.json at `root` (read as JSON data, never executed), none
 * with the reason when it would read outside `boundary` (see tsconfig.ts). Built by tenant-lint's
 * own TypeScript (the peer installed next to it), never by a `typescript` package of the scanned
 * repository: loading that would run the repository's code. The same checker answers the type
 * questions (src/core/types.ts), so type flags always agree.
 */
export function programFor(root: string, boundary?: string): TsconfigProgram {
  return buildProgram(root, boundary);
}
