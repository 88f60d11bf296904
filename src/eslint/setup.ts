import type { TSESTree } from '@typescript-eslint/utils';
import type { FileUnit } from '../core/ast.js';
import type { Project } from '../project/project.js';
import { missingSetup } from '../scan/coverage.js';

/**
 * Where `tenant-lint scan` exits 2 for want of a schema or a tenant root, the editor must not stay silent either:
 * a linted file that imports the project's database client (the place a user looks first) gets one problem at its
 * first line, naming what to configure. Files that do not import a client are left alone: one message per data
 * layer, not one per file of the project. A type-only import is not data access.
 */
export function setupProblem(project: Project, unit: FileUnit): string | undefined {
  if (project.orms.size === 0) return undefined;
  const problem = missingSetup(project);
  if (!problem) return undefined;
  const orms = [...project.orms];
  const isClient = (source: string) => orms.some((orm) => source === orm || source.startsWith(`${orm}/`));
  for (const statement of unit.ast.body) {
    if (statement.type !== 'ImportDeclaration' || statement.importKind === 'type') continue;
    const source = (statement as TSESTree.ImportDeclaration).source.value;
    if (isClient(source) && !statement.specifiers.every((s) => s.type === 'ImportSpecifier' && s.importKind === 'type')) return problem;
  }
  return undefined;
}
