import { T, variableOf } from '../core/ast.js';
import type { TenantLintConfig } from '../config/schema.js';
import { methodTable, tableAccess } from './access.js';
import type { CacheRecognizer } from './types.js';

const METHODS = methodTable([
  ['read', 'first', 'get has'],
  ['write', 'first', 'set'],
  ['invalidate', 'first', 'delete'],
]);

/**
 * A module-level `new Map()` lives as long as the process and is shared by every request, so it
 * is a cache whether or not it is called one. Most Maps are not caches of tenant data, so this is
 * off unless the configuration turns it on (`checkMapCaches`).
 */
export function mapCachesEnabled(config: TenantLintConfig): boolean {
  return config.checkMapCaches === true;
}

export const mapCacheRecognizer: CacheRecognizer = {
  name: 'Map',
  enablers: [],
  methods: new Set(METHODS.keys()),
  constructs(node, unit, context) {
    if (!mapCachesEnabled(context.config)) return undefined;
    if (node.callee.type !== T.Identifier || node.callee.name !== 'Map') return undefined;
    // A `Map` imported or declared in the file (Immutable.js, a class of the project) is not the built-in.
    if (variableOf(unit.scopeManager, node.callee)?.defs.length) return undefined;
    const declarator = node.parent;
    const declaration = declarator?.parent;
    const container = declaration?.parent?.type === T.ExportNamedDeclaration ? declaration.parent.parent : declaration?.parent;
    if (declarator?.type !== T.VariableDeclarator || declarator.id.type !== T.Identifier || container?.type !== T.Program) return undefined;
    return `the module-level \`new Map()\` \`${declarator.id.name}\``;
  },
  access: tableAccess(METHODS),
};
