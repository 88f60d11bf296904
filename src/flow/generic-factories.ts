/**
 * Memoisers read from their signature (issue 16, jitsu's `getSingleton<Pool>('pg', createPg)`): a
 * generic project function that takes a factory of its type parameter (`factory: () => T |
 * Promise<T>`) and is declared to return that parameter (`T`, `Promise<T>`) gives what the factory
 * returns; one declared to return a type whose call signature returns it (`Singleton<T>` with
 * `(): T`, `() => T`) gives a function that, called, returns what the factory returns (the factory
 * stands for it). Read only when the body does not say (a cache in `global[...]`, `as T`).
 *
 * Syntax only: which parameter is the factory and what the declared return type makes of it; the
 * value-provenance engine (src/flow/origin.ts) describes the argument.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { T, type FileUnit, type Node } from '../core/ast.js';

export interface FactoryResult {
  /** The parameter that takes the factory. */
  index: number;
  /** `value`: the call returns what the factory returns; `callable`: a function returning it. */
  kind: 'value' | 'callable';
}

const known = new WeakMap<Node, FactoryResult | null>();

export function factoryResult(fn: TSESTree.FunctionLike, unit: FileUnit): FactoryResult | undefined {
  const cached = known.get(fn);
  if (cached !== undefined) return cached ?? undefined;
  const found = read(fn, unit);
  known.set(fn, found ?? null);
  return found;
}

function read(fn: TSESTree.FunctionLike, unit: FileUnit): FactoryResult | undefined {
  const names = new Set((fn.typeParameters?.params ?? []).map((p) => p.name.name));
  const returnType = fn.returnType?.typeAnnotation;
  if (names.size === 0 || !returnType) return undefined;
  for (const [index, param] of fn.params.entries()) {
    const id = param.type === T.AssignmentPattern ? param.left : param;
    const type = id.type === T.Identifier ? id.typeAnnotation?.typeAnnotation : undefined;
    if (type?.type !== T.TSFunctionType || type.params.length > 0) continue;
    const made = type.returnType ? producedParameter(type.returnType.typeAnnotation, names) : undefined;
    if (!made) continue;
    if (producedParameter(returnType, new Set([made])) === made) return { index, kind: 'value' };
    if (callableOf(returnType, made, unit)) return { index, kind: 'callable' };
  }
  return undefined;
}

/** The type parameter a type is, or a promise of (`T`, `Promise<T>`, `T | Promise<T>`). */
function producedParameter(type: TSESTree.TypeNode, names: ReadonlySet<string>): string | undefined {
  if (type.type === T.TSUnionType) {
    const each = type.types.map((t) => producedParameter(t, names));
    const first = each[0];
    return first !== undefined && each.every((e) => e === first) ? first : undefined;
  }
  if (type.type !== T.TSTypeReference || type.typeName.type !== T.Identifier) return undefined;
  if (names.has(type.typeName.name) && !type.typeArguments) return type.typeName.name;
  const inner = type.typeArguments?.params[0];
  return type.typeName.name === 'Promise' && inner ? producedParameter(inner, names) : undefined;
}

/** `() => T`, or `Singleton<T>` of a type of this module whose call signature returns its own parameter. */
function callableOf(type: TSESTree.TypeNode, made: string, unit: FileUnit): boolean {
  if (type.type === T.TSFunctionType) return type.returnType !== undefined && producedParameter(type.returnType.typeAnnotation, new Set([made])) === made;
  if (type.type !== T.TSTypeReference || type.typeName.type !== T.Identifier) return false;
  const declaration = localType(type.typeName.name, unit);
  const own = declaration?.typeParameters?.params.map((p) => p.name.name) ?? [];
  const position = (type.typeArguments?.params ?? []).findIndex((arg) => arg.type === T.TSTypeReference && arg.typeName.type === T.Identifier && arg.typeName.name === made && !arg.typeArguments);
  const parameter = own[position];
  if (!declaration || parameter === undefined) return false;
  if (declaration.type === T.TSInterfaceDeclaration) {
    return declaration.body.body.some((member) => member.type === T.TSCallSignatureDeclaration && member.params.length === 0 && member.returnType !== undefined && producedParameter(member.returnType.typeAnnotation, new Set([parameter])) === parameter);
  }
  return callableOf(declaration.typeAnnotation, parameter, unit);
}

function localType(name: string, unit: FileUnit): TSESTree.TSInterfaceDeclaration | TSESTree.TSTypeAliasDeclaration | undefined {
  for (const statement of unit.ast.body) {
    const declaration = statement.type === T.ExportNamedDeclaration ? statement.declaration : statement;
    if ((declaration?.type === T.TSInterfaceDeclaration || declaration?.type === T.TSTypeAliasDeclaration) && declaration.id.name === name) return declaration;
  }
  return undefined;
}
