/**
 * The implementations of a project interface in the module that declares it (issue 16, crowd.dev's
 * `QueryExecutor`): a value typed with the interface (`qx: QueryExecutor`) runs one of them, so
 * `qx.select(...)` is what their `select` methods do.
 *
 * Found structurally, in one walk of the module: classes that say `implements QueryExecutor` and
 * the classes of the module that extend them; object literals declared as it (`const qx:
 * QueryExecutor = { ... }`, `{ ... } satisfies QueryExecutor`, `{ ... } as QueryExecutor`) and object
 * literals returned by a function declared to return it (`function pgQx(pool): QueryExecutor {
 * return { select: ... } }`). Implementations in other modules are not searched (the question stays
 * one module's walk): a method none of these defines is left unknown by the caller.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { T, unwrap, walk, type FileUnit, type Node } from '../core/ast.js';
import { returnedExpressions } from '../core/resolve.js';

export type Implementation = TSESTree.ClassDeclaration | TSESTree.ClassExpression | TSESTree.ObjectExpression;

const byModule = new WeakMap<FileUnit, Map<string, Implementation[]>>();

/** The implementations of `declaration` (an interface of `unit`) that `unit` holds. */
export function implementationsIn(unit: FileUnit, declaration: TSESTree.TSInterfaceDeclaration): readonly Implementation[] {
  let found = byModule.get(unit);
  if (!found) byModule.set(unit, (found = collect(unit)));
  // A name declared twice in one module (an interface merged with a class) is still that one name.
  return found.get(declaration.id.name) ?? [];
}

/** The interface a type annotation names directly (`QueryExecutor`, `Promise<QueryExecutor>`). */
function namedInterface(type: TSESTree.TypeNode | undefined): string | undefined {
  if (type?.type !== T.TSTypeReference || type.typeName.type !== T.Identifier) return undefined;
  if (type.typeName.name === 'Promise') return namedInterface(type.typeArguments?.params[0]);
  return type.typeName.name;
}

function collect(unit: FileUnit): Map<string, Implementation[]> {
  const map = new Map<string, Implementation[]>();
  const add = (name: string | undefined, implementation: Implementation) => {
    if (!name) return;
    const list = map.get(name);
    if (!list) map.set(name, [implementation]);
    else if (!list.includes(implementation)) list.push(implementation);
  };
  const classes: { cls: TSESTree.ClassDeclaration | TSESTree.ClassExpression; implemented: string[] }[] = [];
  walk(unit.ast, (node: Node) => {
    if (node.type === T.ClassDeclaration || node.type === T.ClassExpression) {
      const implemented = (node.implements ?? []).map((clause) => (clause.expression.type === T.Identifier ? clause.expression.name : undefined)).filter((n): n is string => n !== undefined);
      classes.push({ cls: node, implemented });
      return;
    }
    if (node.type !== T.ObjectExpression) return;
    const holder = node.parent;
    if (holder?.type === T.VariableDeclarator && holder.init === node && holder.id.type === T.Identifier) add(namedInterface(holder.id.typeAnnotation?.typeAnnotation), node);
    else if ((holder?.type === T.TSSatisfiesExpression || holder?.type === T.TSAsExpression) && holder.expression === node) add(namedInterface(holder.typeAnnotation), node);
  });
  // Classes that extend an implementation in the module implement it too (`TransactionalSequelizeQueryExecutor extends SequelizeQueryExecutor`).
  const names = new Map<string, string[]>();
  for (let changed = true, round = 0; changed && round < 6; round++) {
    changed = false;
    for (const { cls, implemented } of classes) {
      const inherited = cls.superClass && unwrap(cls.superClass).type === T.Identifier ? (names.get((unwrap(cls.superClass) as TSESTree.Identifier).name) ?? []) : [];
      const all = [...new Set([...implemented, ...inherited])];
      const key = cls.id?.name;
      if (!key) {
        for (const name of all) add(name, cls);
        continue;
      }
      if ((names.get(key)?.length ?? 0) !== all.length) {
        names.set(key, all);
        changed = true;
      }
    }
  }
  for (const { cls } of classes) for (const name of cls.id ? (names.get(cls.id.name) ?? []) : []) add(name, cls);
  // `function pgQx(db): QueryExecutor { return { select: ... } }`: the object literals it returns.
  walk(unit.ast, (node: Node) => {
    if (node.type !== T.FunctionDeclaration && node.type !== T.FunctionExpression && node.type !== T.ArrowFunctionExpression) return;
    const name = namedInterface(node.returnType?.typeAnnotation);
    if (!name) return;
    for (const returned of returnedExpressions(node)) {
      const value = unwrap(returned);
      if (value.type === T.ObjectExpression) add(name, value);
    }
  });
  return map;
}
