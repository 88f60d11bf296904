import type { TSESTree } from '@typescript-eslint/types';
import { propertyName, T, unwrap, type Node } from '../core/ast.js';

export interface ChainLink {
  name: string;
  call: TSESTree.CallExpression;
}

/**
 * The equality conjuncts of a chained filter, by column: `.eq('user_id', v)` and `.match({ user_id: v })`
 * (supabase-js), `.where('user_id', v)`, `.where({ user_id: v })`, `.andWhere('m.user_id', '=', v)` (Knex,
 * Kysely). A qualified column (`m.user_id`) is named by its last part. Only `methods` are read.
 */
export function chainEqualities(links: readonly ChainLink[], methods: ReadonlySet<string>): { column: string; value: Node }[] {
  const found: { column: string; value: Node }[] = [];
  for (const link of links) {
    if (!methods.has(link.name)) continue;
    const args = link.call.arguments;
    if (args.some((a) => a.type === T.SpreadElement)) continue;
    const [first, second, third] = args as Node[];
    if (!first) continue;
    const column = literal(first);
    if (column !== undefined && args.length === 2 && second) found.push({ column: lastPart(column), value: unwrap(second) });
    else if (column !== undefined && args.length === 3 && third && ['=', '=='].includes(literal(second as Node) ?? '')) found.push({ column: lastPart(column), value: unwrap(third) });
    else if (args.length === 1) {
      const object = unwrap(first);
      if (object.type !== T.ObjectExpression) continue;
      for (const property of object.properties) {
        const key = property.type === T.Property ? propertyName(property) : undefined;
        if (property.type === T.Property && key) found.push({ column: lastPart(key), value: unwrap(property.value) });
      }
    }
  }
  return found;
}

function literal(node: Node): string | undefined {
  const value = unwrap(node);
  if (value.type === T.Literal && typeof value.value === 'string') return value.value;
  if (value.type === T.TemplateLiteral && value.expressions.length === 0) return value.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

function lastPart(column: string): string {
  return column.slice(column.lastIndexOf('.') + 1);
}
