/**
 * Template methods reached through dependency injection (NestJS use cases, issue 13).
 *
 * `class TestConnectionUseCase extends AbstractUseCase implements ITestConnection` overrides
 * `implementation()`, which only the base class's `execute()` calls (`this.implementation(input)`).
 * A controller reaches it as `this.testConnectionUseCase.execute(...)` on a constructor field
 * `@Inject(UseCaseType.TEST_CONNECTION) private readonly testConnectionUseCase: ITestConnection`,
 * the token bound to the class by a module's `{ provide: UseCaseType.TEST_CONNECTION, useClass:
 * TestConnectionUseCase }`. Those `execute()` calls are the callers of the class's `implementation()`:
 * the route and its guards are then seen as for any other caller.
 *
 * A field is tied to the class structurally: its `@Inject(token)` names a token some `provide`
 * binds to the class with `useClass` (or names the class itself), or, without a token bound
 * elsewhere, its type is the class or an interface that exactly one project class (this one)
 * implements. Other classes extending the same base are never matched: their tokens differ.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, staticName, T, unwrap, walk, type FileUnit, type Node } from '../core/ast.js';
import type { Resolver } from '../core/resolve.js';
import { typeOrigins } from './origin.js';
import { classChain } from './heritage.js';

type Cls = TSESTree.ClassDeclaration | TSESTree.ClassExpression;

/** What the call graph lends the search: calls by the name they call, files by a word they hold. */
export interface InjectionSearch {
  resolver: Resolver;
  callsNamed(name: string): readonly { call: TSESTree.CallExpression; unit: FileUnit; ref: Node; kind: 'call' | 'argument' }[];
  filesNaming(name: string): readonly string[];
}

export interface InjectedCall {
  call: TSESTree.CallExpression;
  unit: FileUnit;
  /** The template method called (`execute`): the name the call is indexed under. */
  name: string;
}

const MAX_TEMPLATES = 4;

/** Per search (one per call graph): tokens bound to a class, implementers of an interface. */
const memo = new WeakMap<InjectionSearch, { tokens: Map<string, Set<string>>; implementers: Map<string, string[]> }>();

/**
 * The calls of an inherited template method (`x.execute()`) on a field injected with the class of
 * `method`, when the template calls `this.<method>()`: the callers of the override.
 */
export function injectedCallers(method: { fn: TSESTree.FunctionLike; unit: FileUnit; name: string; cls?: Cls }, search: InjectionSearch): InjectedCall[] {
  const cls = method.cls;
  if (!cls?.id || !cls.superClass || method.fn.parent?.type !== T.MethodDefinition) return [];
  const templates = templatesCalling(cls, method.unit, method.name, search.resolver);
  if (templates.length === 0) return [];
  const found: InjectedCall[] = [];
  for (const name of templates) {
    for (const { call, unit, ref, kind } of search.callsNamed(name)) {
      if (kind !== 'call') continue;
      const callee = unwrap(ref);
      if (callee.type !== T.MemberExpression) continue;
      const field = fieldOf(unwrap(callee.object), call);
      if (field && injects(field, unit, cls, method.unit, search)) found.push({ call, unit, name });
    }
  }
  return found;
}

/** The methods of the base classes that call `this.<name>()` (the template methods), by name. */
function templatesCalling(cls: Cls, unit: FileUnit, name: string, resolver: Resolver): string[] {
  const names: string[] = [];
  for (const { cls: current } of classChain(cls, unit, resolver)) {
    if (current === cls) continue;
    for (const member of current.body.body) {
      if (member.type !== T.MethodDefinition || member.static || !member.value.body) continue;
      const template = propertyName(member);
      if (!template || template === name || template === 'constructor' || names.includes(template)) continue;
      let calls = false;
      walk(member.value.body, (node) => {
        if (calls || node.type !== T.CallExpression) return;
        const callee = unwrap(node.callee);
        if (callee.type === T.MemberExpression && unwrap(callee.object).type === T.ThisExpression && memberName(callee) === name) calls = true;
      });
      if (calls) names.push(template);
    }
    if (names.length >= MAX_TEMPLATES) break;
  }
  return names.slice(0, MAX_TEMPLATES);
}

type Field = TSESTree.TSParameterProperty | TSESTree.PropertyDefinition;

/** The class field a receiver reads (`this.useCase`), declared as a constructor parameter property or a property. */
function fieldOf(receiver: Node, call: Node): Field | undefined {
  if (receiver.type !== T.MemberExpression || unwrap(receiver.object).type !== T.ThisExpression) return undefined;
  const name = memberName(receiver);
  if (!name) return undefined;
  let cls: Node | undefined = call.parent;
  while (cls && cls.type !== T.ClassDeclaration && cls.type !== T.ClassExpression) cls = cls.parent;
  if (!cls) return undefined;
  for (const member of cls.body.body) {
    if (member.type === T.PropertyDefinition && !member.static && propertyName(member) === name) return member;
    if (member.type === T.MethodDefinition && member.kind === 'constructor') {
      for (const param of member.value.params) {
        if (param.type === T.TSParameterProperty && param.parameter.type === T.Identifier && param.parameter.name === name) return param;
      }
    }
  }
  return undefined;
}

/** The field holds an instance of `cls`: by its injection token, or by its declared type. */
function injects(field: Field, unit: FileUnit, cls: Cls, clsUnit: FileUnit, search: InjectionSearch): boolean {
  const decorators = [...(field.decorators ?? []), ...(field.type === T.TSParameterProperty ? (field.parameter.decorators ?? []) : [])];
  for (const decorator of decorators) {
    const expression = decorator.expression;
    if (expression.type !== T.CallExpression || unwrap(expression.callee).type !== T.Identifier || (unwrap(expression.callee) as TSESTree.Identifier).name !== 'Inject') continue;
    const token = expression.arguments[0];
    if (!token || token.type === T.SpreadElement) return false;
    const named = unwrap(token);
    if (named.type === T.Identifier && isClass(named, unit, cls, clsUnit, search.resolver)) return true;
    const key = tokenKey(named);
    // A token bound to another class, or one that cannot be read: the field's type decides nothing.
    return key !== undefined && tokensOf(cls, clsUnit, search).has(key);
  }
  const type = field.type === T.TSParameterProperty ? (field.parameter as TSESTree.Identifier).typeAnnotation?.typeAnnotation : field.typeAnnotation?.typeAnnotation;
  if (type?.type !== T.TSTypeReference || type.typeName.type !== T.Identifier) return false;
  if (isClass(type.typeName, unit, cls, clsUnit, search.resolver)) return true;
  const shape = shapeKey(type, unit, search.resolver);
  if (!shape) return false;
  const implementers = implementersOf(type.typeName.name, shape, search);
  return implementers.length === 1 && implementers[0] === `${clsUnit.file}:${cls.range[0]}`;
}

function isClass(name: TSESTree.Identifier, unit: FileUnit, cls: Cls, clsUnit: FileUnit, resolver: Resolver): boolean {
  const binding = resolver.bindingOf(name, unit);
  return binding.kind === 'class' && binding.cls.unit.file === clsUnit.file && binding.cls.node.range[0] === cls.range[0];
}

/** A token as written: a string (`'USE_CASE'`) or a member chain (`UseCaseType.TEST_CONNECTION`). */
function tokenKey(node: Node): string | undefined {
  const literal = staticName(node.type === T.Identifier ? undefined : node);
  if (literal !== undefined) return `'${literal}'`;
  if (node.type === T.Identifier) return node.name;
  if (node.type === T.MemberExpression) {
    const object = tokenKey(unwrap(node.object));
    const property = memberName(node);
    return object && property && !object.startsWith("'") ? `${object}.${property}` : undefined;
  }
  return undefined;
}

/** The tokens the project's providers bind to the class (`{ provide: TOKEN, useClass: Cls }`). */
function tokensOf(cls: Cls, clsUnit: FileUnit, search: InjectionSearch): Set<string> {
  const state = stateOf(search);
  const id = `${clsUnit.file}:${cls.range[0]}`;
  let tokens = state.tokens.get(id);
  if (tokens) return tokens;
  tokens = new Set();
  for (const file of search.filesNaming(cls.id?.name ?? '')) {
    const unit = search.resolver.modules.unit(file);
    if (!unit) continue;
    walk(unit.ast, (node) => {
      if (node.type !== T.ObjectExpression) return;
      let provide: Node | undefined;
      let useClass: Node | undefined;
      for (const property of node.properties) {
        if (property.type !== T.Property) continue;
        const key = propertyName(property);
        if (key === 'provide') provide = unwrap(property.value);
        else if (key === 'useClass') useClass = unwrap(property.value);
      }
      if (!provide || useClass?.type !== T.Identifier || !isClass(useClass, unit, cls, clsUnit, search.resolver)) return;
      const key = tokenKey(provide);
      if (key) tokens?.add(key);
    });
  }
  state.tokens.set(id, tokens);
  return tokens;
}

/** The interface a type names, by the key of its declaration. */
function shapeKey(type: TSESTree.TypeNode, unit: FileUnit, resolver: Resolver): string | undefined {
  const origins = typeOrigins(type, unit, { resolver, depth: 0, active: new Set<Node>(), sites: 0 } as Parameters<typeof typeOrigins>[2]);
  const shapes = origins.filter((o) => o.kind === 'object').map((o) => (o.kind === 'object' ? `${o.unit.file}:${(o.node.parent ?? o.node).range[0]}` : ''));
  return shapes.length === 1 ? shapes[0] : undefined;
}

/** The project classes that say `implements <name>` of that very interface, by key. */
function implementersOf(name: string, shape: string, search: InjectionSearch): string[] {
  const state = stateOf(search);
  let found = state.implementers.get(shape);
  if (found) return found;
  found = [];
  for (const file of search.filesNaming(name)) {
    const unit = search.resolver.modules.unit(file);
    if (!unit) continue;
    walk(unit.ast, (node) => {
      if (node.type !== T.ClassDeclaration && node.type !== T.ClassExpression) return;
      for (const clause of node.implements ?? []) {
        if (clause.expression.type !== T.Identifier || clause.expression.name !== name) continue;
        const type = { type: T.TSTypeReference, typeName: clause.expression, range: clause.range, loc: clause.loc, parent: clause } as unknown as TSESTree.TypeNode;
        if (shapeKey(type, unit, search.resolver) === shape) found?.push(`${unit.file}:${node.range[0]}`);
      }
    });
  }
  state.implementers.set(shape, found);
  return found;
}

function stateOf(search: InjectionSearch) {
  let state = memo.get(search);
  if (!state) memo.set(search, (state = { tokens: new Map(), implementers: new Map() }));
  return state;
}
