/**
 * The values a class field holds, when they are constants: `this.tableName` in a base store whose
 * constructor takes the table (`constructor(tableName, db) { this.tableName = tableName }`) and whose
 * subclasses pass it (`super('release_plan_definitions', db, config)`, unleash's CRUDStore).
 *
 * Seen from the class the expression is in: in a subclass, `this` is an instance of that subclass
 * (or below), so only its own `super(...)` chain chooses the value; in the declaring class, every
 * `new C(...)` and every subclass does. A value that is not a constant, a construction that cannot
 * be found (a class built only by a container), or a field also assigned outside the constructor
 * makes the answer unknown, with the reason: never a guess.
 */
import type { TSESTree } from '@typescript-eslint/types';
import { memberName, propertyName, T, textOf, unwrap, variableOf, walk, type FileUnit, type Node } from '../core/ast.js';
import type { Resolver } from '../core/resolve.js';
import type { CallGraph } from './callers.js';

type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;
interface LocatedClass {
  node: ClassNode;
  unit: FileUnit;
}

/** Each constant the field may hold, with how it was found; or why that is not known. */
export type FieldValues = { values: { text: string; via: string }[] } | { unknown: string };

/** The constant text of an expression in a unit (the caller's notion of a constant: literals, consts, templates of them). */
export type ConstantOf = (node: Node, unit: FileUnit) => string | undefined;

const MAX_DEPTH = 6;
const MAX_VALUES = 40;
const memo = new WeakMap<Resolver, Map<string, FieldValues | undefined>>();

/**
 * `this.<name>` read in a method of a class: the constants it holds. Undefined when the expression
 * is not such a read (another object, `this` of a plain function) or no class in the chain assigns it.
 */
export function thisFieldValues(member: TSESTree.MemberExpression, unit: FileUnit, resolver: Resolver, graph: CallGraph | undefined, constantOf: ConstantOf): FieldValues | undefined {
  if (unwrap(member.object).type !== T.ThisExpression || member.computed) return undefined;
  const name = memberName(member);
  const cls = classOfThis(member);
  if (!name || !cls) return undefined;
  let byResolver = memo.get(resolver);
  if (!byResolver) memo.set(resolver, (byResolver = new Map()));
  const key = `${unit.file}:${cls.range[0]}:${name}:${graph ? 1 : 0}`;
  if (byResolver.has(key)) return byResolver.get(key);
  const found = new FieldSearch(name, resolver, graph, constantOf).field({ node: cls, unit });
  byResolver.set(key, found);
  return found;
}

/** The class whose instance `this` is: through arrows, not through a `function` of its own. */
function classOfThis(node: Node): ClassNode | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === T.FunctionExpression || current.type === T.FunctionDeclaration) {
      const owner = current.parent;
      if (owner?.type !== T.MethodDefinition && owner?.type !== T.PropertyDefinition) return undefined;
    }
    if (current.type === T.ClassDeclaration || current.type === T.ClassExpression) return current;
  }
  return undefined;
}

class FieldSearch {
  private steps = 0;

  constructor(
    private readonly name: string,
    private readonly resolver: Resolver,
    private readonly graph: CallGraph | undefined,
    private readonly constantOf: ConstantOf,
  ) {}

  field(from: LocatedClass): FieldValues | undefined {
    const { name } = this;
    // The class that assigns the field, and the classes from it down to the one `this` is in.
    const path: LocatedClass[] = [from];
    for (let current: LocatedClass | undefined = from; current; current = this.superOf(current)) {
      if (path.length > MAX_DEPTH) return undefined;
      if (current !== from) path.unshift(current);
      const assigned = assignmentsOf(current.node, name, current.unit);
      if (assigned.length === 0) continue;
      const out: { text: string; via: string }[] = [];
      const owner = className(current.node);
      for (const assignment of assigned) {
        if ('elsewhere' in assignment) return { unknown: `\`this.${name}\` is also assigned in \`${assignment.elsewhere}\` of \`${owner}\`` };
        if ('param' in assignment) {
          const values = this.parameterValues(current, assignment.param, path, `\`${owner}\`'s constructor parameter \`${assignment.paramName}\``);
          if ('unknown' in values) return values;
          out.push(...values.values);
          continue;
        }
        const text = this.constantOf(assignment.value, current.unit);
        if (text === undefined) return { unknown: `\`this.${name}\` is assigned \`${short(current.unit, assignment.value)}\` in \`${owner}\`, not a constant` };
        out.push({ text, via: `\`this.${name}\` is \`${short(current.unit, assignment.value)}\` in \`${owner}\`` });
      }
      return { values: dedupe(out) };
    }
    return undefined;
  }

  /** The values constructor parameter `index` of `path[0]` is given, for instances of the last class of the path. */
  private parameterValues(cls: LocatedClass, index: number, path: LocatedClass[], what: string): FieldValues {
    if (++this.steps > 60) return { unknown: `${what}: too many constructions to follow` };
    const [, next, ...rest] = path;
    if (next) return this.superValues(next, index, [next, ...rest], what);
    if (!this.graph) return { unknown: `${what} is chosen where the class is constructed, and the call graph is not available` };
    const uses = this.graph.classUses(cls.node, cls.unit);
    const out: { text: string; via: string }[] = [];
    for (const construction of uses.constructions) {
      const value = this.argumentValue(construction.call.arguments, index, construction.unit, `\`new ${className(cls.node)}(...)\``, what);
      if ('unknown' in value) return value;
      out.push(...value.values);
    }
    for (const sub of uses.subclasses) {
      const value = this.superValues(sub, index, [sub], what);
      if ('unknown' in value) return value;
      out.push(...value.values);
    }
    if (out.length === 0) return { unknown: `${what} is chosen where \`${className(cls.node)}\` is constructed, and no \`new ${className(cls.node)}(...)\` or subclass is found` };
    if (out.length > MAX_VALUES) return { unknown: `${what} is given more than ${MAX_VALUES} values` };
    return { values: dedupe(out) };
  }

  /** What subclass `sub` hands to its parent's constructor parameter `index` (all of its arguments, when it has no constructor). */
  private superValues(sub: LocatedClass, index: number, path: LocatedClass[], what: string): FieldValues {
    // A subclass that sets the field itself: its instances hold what it sets.
    if (assignmentsOf(sub.node, this.name, sub.unit).length > 0) return this.field(sub) ?? { unknown: `${what}: \`${className(sub.node)}\` sets \`this.${this.name}\` itself` };
    const ctor = constructorOf(sub.node);
    if (!ctor) return this.parameterValues(sub, index, path, what);
    const call = superCallOf(ctor);
    if (!call) return { unknown: `${what}: the constructor of \`${className(sub.node)}\` has no \`super(...)\` call the analysis reads` };
    return this.argumentValue(call.arguments, index, sub.unit, `\`super(...)\` in \`${className(sub.node)}\``, what, { cls: sub, ctor, path });
  }

  /** The argument at `index`: a constant, or (in a constructor) a parameter of that constructor, followed on. */
  private argumentValue(
    args: readonly TSESTree.CallExpressionArgument[],
    index: number,
    unit: FileUnit,
    where: string,
    what: string,
    inConstructor?: { cls: LocatedClass; ctor: TSESTree.FunctionExpression; path: LocatedClass[] },
  ): FieldValues {
    const place = `${where} (${unit.file.replace(/^.*\/(?=[^/]+\/[^/]+$)/, '')}:`;
    if (args.slice(0, index + 1).some((a) => a.type === T.SpreadElement)) return { unknown: `${what}: ${place}${args[0]?.loc.start.line ?? '?'}) spreads its arguments` };
    const arg = args[index];
    if (!arg) return { unknown: `${what}: ${where} passes no value for it` };
    const text = this.constantOf(arg, unit);
    if (text !== undefined) return { values: [{ text, via: `${where} passes \`${short(unit, arg)}\`` }] };
    const node = unwrap(arg);
    if (inConstructor && node.type === T.Identifier) {
      const param = parameterIndex(inConstructor.ctor, node, unit);
      if (param !== undefined) return this.parameterValues(inConstructor.cls, param, inConstructor.path, what);
    }
    return { unknown: `${what}: ${place}${arg.loc.start.line}) passes \`${short(unit, arg)}\`, not a constant` };
  }

  private superOf(cls: LocatedClass): LocatedClass | undefined {
    const superClass = cls.node.superClass ? unwrap(cls.node.superClass) : undefined;
    if (superClass?.type !== T.Identifier) return undefined;
    const binding = this.resolver.bindingOf(superClass, cls.unit);
    return binding.kind === 'class' ? binding.cls : undefined;
  }
}

type Assignment = { value: Node } | { param: number; paramName: string } | { elsewhere: string };

/** Where a class sets `this.<name>`: its field's initialiser, a constructor parameter property, `this.<name> = ...`. */
function assignmentsOf(cls: ClassNode, name: string, unit: FileUnit): Assignment[] {
  const out: Assignment[] = [];
  const ctor = constructorOf(cls);
  for (const member of cls.body.body) {
    if (member.type === T.PropertyDefinition && !member.static && propertyName(member) === name && member.value) out.push({ value: member.value });
  }
  if (ctor) {
    for (const [index, param] of ctor.params.entries()) {
      if (param.type !== T.TSParameterProperty) continue;
      const inner = param.parameter.type === T.AssignmentPattern ? param.parameter.left : param.parameter;
      if (inner.type === T.Identifier && inner.name === name) out.push({ param: index, paramName: name });
    }
  }
  walk(cls.body, (node) => {
    if (node.type !== T.AssignmentExpression && node.type !== T.UpdateExpression) return;
    const target = node.type === T.AssignmentExpression ? node.left : node.argument;
    if (target.type !== T.MemberExpression || unwrap(target.object).type !== T.ThisExpression || memberName(target) !== name) return;
    const method = methodOf(node, cls);
    if (!ctor || method !== ctor || node.type !== T.AssignmentExpression || node.operator !== '=') {
      out.push({ elsewhere: method?.parent?.type === T.MethodDefinition ? (propertyName(method.parent) ?? 'a method') : 'a method' });
      return;
    }
    const value = unwrap(node.right);
    const param = value.type === T.Identifier ? parameterIndex(ctor, value, unit) : undefined;
    out.push(param !== undefined ? { param, paramName: (value as TSESTree.Identifier).name } : { value: node.right });
  });
  return out;
}

function constructorOf(cls: ClassNode): TSESTree.FunctionExpression | undefined {
  for (const member of cls.body.body) if (member.type === T.MethodDefinition && member.kind === 'constructor' && member.value.type === T.FunctionExpression) return member.value;
  return undefined;
}

/** The `super(...)` statement of a constructor's body. */
function superCallOf(ctor: TSESTree.FunctionExpression): TSESTree.CallExpression | undefined {
  for (const statement of ctor.body?.body ?? []) {
    if (statement.type !== T.ExpressionStatement) continue;
    const expression = unwrap(statement.expression);
    if (expression.type === T.CallExpression && expression.callee.type === T.Super) return expression;
  }
  return undefined;
}

/** The function of the class a node runs in (the method or constructor), through arrows. */
function methodOf(node: Node, cls: ClassNode): TSESTree.FunctionExpression | undefined {
  for (let current = node.parent; current && current !== cls; current = current.parent) {
    if (current.type === T.FunctionExpression && current.parent?.type === T.MethodDefinition) return current;
    if (current.type === T.FunctionExpression || current.type === T.FunctionDeclaration) return undefined;
  }
  return undefined;
}

/** The position of a constructor parameter an identifier names (never written again in the constructor). */
function parameterIndex(ctor: TSESTree.FunctionExpression, identifier: TSESTree.Identifier, unit: FileUnit): number | undefined {
  for (const [index, param] of ctor.params.entries()) {
    const inner = param.type === T.TSParameterProperty ? param.parameter : param;
    const id = inner.type === T.AssignmentPattern ? inner.left : inner;
    if (id.type !== T.Identifier || id.name !== identifier.name) continue;
    const variable = variableOf(unit.scopeManager, identifier);
    const def = variable?.defs[0];
    if (def?.type !== 'Parameter' || def.node !== ctor) return undefined;
    if (variable?.references.some((r) => r.isWrite() && r.identifier !== id)) return undefined;
    return index;
  }
  return undefined;
}

function className(cls: ClassNode): string {
  return cls.id?.name ?? 'an anonymous class';
}

function short(unit: FileUnit, node: Node): string {
  const text = textOf(unit, node).replace(/\s+/g, ' ');
  return text.length > 50 ? `${text.slice(0, 47)}...` : text;
}

function dedupe(values: { text: string; via: string }[]): { text: string; via: string }[] {
  const seen = new Map<string, { text: string; via: string }>();
  for (const value of values) if (!seen.has(value.text)) seen.set(value.text, value);
  return [...seen.values()];
}
