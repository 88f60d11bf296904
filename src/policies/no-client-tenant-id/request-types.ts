import type { TSESTree } from '@typescript-eslint/types';
import { T, variableOf, type FileUnit } from '../../core/ast.js';
import type { PackageRef } from '../../core/facts.js';
import { parameterType } from '../../core/syntax.js';
import type { ClientTenantFlow as Flow } from './flow.js';

const MAX_DEPTH = 4;

/**
 * The framework type a parameter's project type stands for: `req: IWorkLenzRequest`, declared
 * `interface IWorkLenzRequest extends Request { user?: ... }` (express's `Request`), or `type
 * AppRequest = Request & { user: User }`. The recognizers know the package's own types; an
 * application's request type that extends one is still the request (worklenz: 540 handlers typed so,
 * none read). Followed through project files, never by the type's name.
 */
export function extendedPackageType(flow: Flow, param: TSESTree.Parameter | undefined, unit: FileUnit): PackageRef | undefined {
  return fromType(flow, parameterType(param), unit, 0);
}

function fromType(flow: Flow, type: TSESTree.TypeNode | undefined, unit: FileUnit, depth: number): PackageRef | undefined {
  if (!type || depth > MAX_DEPTH) return undefined;
  if (type.type === T.TSIntersectionType) {
    for (const part of type.types) {
      const found = fromType(flow, part, unit, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (type.type !== T.TSTypeReference) return undefined;
  const direct = flow.models.http.packageOfType(type, unit, flow.context.resolver);
  if (direct) return direct;
  if (type.typeName.type !== T.Identifier) return undefined;
  const declared = declarationOf(flow, type.typeName, unit);
  if (!declared) return undefined;
  const { node, unit: at } = declared;
  if (node.type === T.TSTypeAliasDeclaration) return fromType(flow, node.typeAnnotation, at, depth + 1);
  for (const heritage of node.extends) {
    const ref = flow.models.http.packageOf(heritage.expression, at, flow.context.resolver);
    if (ref) return ref;
    if (heritage.expression.type !== T.Identifier) continue;
    const inner = declarationOf(flow, heritage.expression, at);
    if (!inner) continue;
    const found = inner.node.type === T.TSTypeAliasDeclaration ? fromType(flow, inner.node.typeAnnotation, inner.unit, depth + 1) : fromHeritage(flow, inner.node, inner.unit, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function fromHeritage(flow: Flow, node: TSESTree.TSInterfaceDeclaration, unit: FileUnit, depth: number): PackageRef | undefined {
  if (depth > MAX_DEPTH) return undefined;
  for (const heritage of node.extends) {
    const ref = flow.models.http.packageOf(heritage.expression, unit, flow.context.resolver);
    if (ref) return ref;
  }
  return undefined;
}

/** The interface or type alias a name refers to: declared in the file, or imported from a project file. */
function declarationOf(flow: Flow, name: TSESTree.Identifier, unit: FileUnit): { node: TSESTree.TSTypeAliasDeclaration | TSESTree.TSInterfaceDeclaration; unit: FileUnit } | undefined {
  const def = variableOf(unit.scopeManager, name)?.defs[0];
  if (def?.type === 'Type' && (def.node.type === T.TSTypeAliasDeclaration || def.node.type === T.TSInterfaceDeclaration)) return { node: def.node, unit };
  if (def?.type !== 'ImportBinding' || def.parent.type !== T.ImportDeclaration) return undefined;
  const imported = def.node.type === T.ImportSpecifier ? (def.node.imported.type === T.Identifier ? def.node.imported.name : def.node.imported.value) : undefined;
  if (!imported) return undefined;
  const { modules } = flow.context.resolver;
  const file = modules.resolve(unit.file, def.parent.source.value);
  const target = file ? modules.unit(file) : undefined;
  if (!target) return undefined;
  for (const statement of target.ast.body) {
    const declaration = statement.type === T.ExportNamedDeclaration ? statement.declaration : statement;
    if ((declaration?.type === T.TSTypeAliasDeclaration || declaration?.type === T.TSInterfaceDeclaration) && declaration.id.name === imported) return { node: declaration, unit: target };
  }
  return undefined;
}
