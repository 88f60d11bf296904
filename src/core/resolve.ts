import type { TSESTree } from '@typescript-eslint/types';
import type { Variable } from '@typescript-eslint/scope-manager';
import { T, unwrap, variableOf, type FileUnit, type Node } from './ast.js';

/**
 * What resolution needs of the project's module graph (src/project/modules.ts): where a specifier
 * leads from a file, and that file parsed.
 */
export interface Modules {
  resolve(fromFile: string, specifier: string): string | undefined;
  unit(file: string): FileUnit | null;
}

/** A node together with the file it lives in: resolution crosses files. */
export interface Located<N extends Node = Node> {
  node: N;
  unit: FileUnit;
}

/** What an identifier stands for, after following consts, imports and re-exports. */
export type Binding =
  | { kind: 'value'; value: Located } // const x = <value>; export default <value>
  | { kind: 'function'; fn: Located<TSESTree.FunctionLike> }
  | { kind: 'class'; cls: Located<TSESTree.ClassDeclaration | TSESTree.ClassExpression> }
  | { kind: 'parameter'; param: Located<TSESTree.Identifier>; fn: TSESTree.FunctionLike | undefined }
  /** Imported from a package (not a project file): `import { PrismaClient } from '@prisma/client'`. */
  | { kind: 'package'; source: string; imported: string }
  | { kind: 'unknown'; reason: string };

const MAX_DEPTH = 12;

/** Modules read by one search of the `export *` graph. */
const MAX_STAR_MODULES = 2000;

export class Resolver<M extends Modules = Modules> {
  /** `export *` answers per module and name: a package index is asked for many names, by many files. */
  private readonly stars = new WeakMap<FileUnit, Map<string, Binding | undefined>>();

  constructor(readonly modules: M) {}

  /** Follows an identifier to what it is bound to, across files. */
  bindingOf(identifier: TSESTree.Identifier, unit: FileUnit, depth = 0): Binding {
    if (depth > MAX_DEPTH) return { kind: 'unknown', reason: 'resolution too deep' };
    const variable = variableOf(unit.scopeManager, identifier);
    if (!variable) return { kind: 'unknown', reason: `\`${identifier.name}\` is not declared in this file` };
    return this.bindingOfVariable(variable, unit, depth);
  }

  bindingOfVariable(variable: Variable, unit: FileUnit, depth: number): Binding {
    const def = variable.defs[0];
    if (!def) return { kind: 'unknown', reason: `\`${variable.name}\` is a global` };
    switch (def.type) {
      case 'Variable': {
        const declarator = def.node;
        if (declarator.id.type !== T.Identifier || !declarator.init) {
          return { kind: 'unknown', reason: `\`${variable.name}\` is destructured or has no initial value` };
        }
        if (isReassigned(variable, declarator.id)) return { kind: 'unknown', reason: `\`${variable.name}\` is reassigned` };
        return this.bindingOfExpression(declarator.init, unit, depth + 1);
      }
      case 'FunctionName':
        return { kind: 'function', fn: { node: def.node, unit } };
      case 'ClassName':
        return { kind: 'class', cls: { node: def.node, unit } };
      case 'Parameter':
        if (def.name.type !== T.Identifier) return { kind: 'unknown', reason: 'destructured parameter' };
        return { kind: 'parameter', param: { node: def.name, unit }, fn: functionOfParameter(def.node) };
      case 'ImportBinding': {
        const declaration = def.parent;
        const spec = def.node;
        if (spec.type === T.TSImportEqualsDeclaration || declaration.type !== T.ImportDeclaration) {
          return { kind: 'unknown', reason: '`import x = require()` is not followed' };
        }
        const imported =
          spec.type === T.ImportDefaultSpecifier
            ? 'default'
            : spec.type === T.ImportNamespaceSpecifier
              ? '*'
              : spec.imported.type === T.Identifier
                ? spec.imported.name
                : String(spec.imported.value);
        return this.importBinding(declaration.source.value, imported, unit, depth + 1);
      }
      default:
        return { kind: 'unknown', reason: `\`${variable.name}\` is a ${def.type}` };
    }
  }

  bindingOfExpression(expression: Node, unit: FileUnit, depth: number): Binding {
    const node = unwrap(expression);
    if (node.type === T.Identifier) return this.bindingOf(node, unit, depth + 1);
    if (node.type === T.FunctionExpression || node.type === T.ArrowFunctionExpression) return { kind: 'function', fn: { node, unit } };
    if (node.type === T.ClassExpression) return { kind: 'class', cls: { node, unit } };
    return { kind: 'value', value: { node, unit } };
  }

  /** `import { name } from source`, seen from `unit`. */
  importBinding(source: string, imported: string, unit: FileUnit, depth: number): Binding {
    const file = this.modules.resolve(unit.file, source);
    if (!file) {
      if (source.startsWith('.') || source.startsWith('@/') || source.startsWith('~/')) {
        return { kind: 'unknown', reason: `cannot resolve \`${source}\`` };
      }
      return { kind: 'package', source, imported };
    }
    const target = this.modules.unit(file);
    if (!target) return { kind: 'unknown', reason: `cannot parse \`${source}\`` };
    return this.exportBinding(target, imported, depth + 1);
  }

  /** What `unit` exports under `name`, following `export { x } from` and `export *`. */
  exportBinding(unit: FileUnit, name: string, depth: number): Binding {
    if (depth > MAX_DEPTH) return { kind: 'unknown', reason: 'resolution too deep' };
    return this.declaredExport(unit, name, depth) ?? this.starExport(unit, name, depth) ?? { kind: 'unknown', reason: `\`${name}\` is not exported by ${unit.file}` };
  }

  /** What `unit` itself exports under `name` (a declaration, `export { x }`, `export { x } from`), not through `export *`. */
  private declaredExport(unit: FileUnit, name: string, depth: number): Binding | undefined {
    for (const statement of unit.ast.body) {
      if (statement.type === T.ExportDefaultDeclaration && name === 'default') {
        const declaration = statement.declaration;
        if (declaration.type === T.FunctionDeclaration) return { kind: 'function', fn: { node: declaration, unit } };
        if (declaration.type === T.ClassDeclaration) return { kind: 'class', cls: { node: declaration, unit } };
        if (declaration.type === T.TSInterfaceDeclaration || declaration.type === T.TSDeclareFunction) continue;
        return this.bindingOfExpression(declaration, unit, depth + 1);
      }
      if (statement.type === T.ExportNamedDeclaration) {
        const found = this.namedExport(statement, unit, name, depth);
        if (found) return found;
      }
    }
    return undefined;
  }

  /**
   * `name` through the `export *` graph below `unit`: each module once, nearest first. A barrel of
   * barrels (`export * from './api'` ... in a package's index, with cycles between them) was walked
   * along every path up to the depth limit, exponential in the barrels, and lost names the limit
   * cut off (Vendure's `@vendure/core`: every import of it from a plugin stayed untraced).
   */
  private starExport(unit: FileUnit, name: string, depth: number): Binding | undefined {
    let byName = this.stars.get(unit);
    if (!byName) this.stars.set(unit, (byName = new Map()));
    if (byName.has(name)) return byName.get(name);
    byName.set(name, undefined); // a cycle back to this lookup finds nothing here
    const seen = new Set<string>([unit.file]);
    const queue: FileUnit[] = [unit];
    let found: Binding | undefined;
    // A miss that hit the depth limit is this lookup's, not the module's: it is not remembered.
    let cut = false;
    search: for (let i = 0; i < queue.length && i < MAX_STAR_MODULES; i++) {
      const current = queue[i]!;
      for (const statement of current.ast.body) {
        if (statement.type !== T.ExportAllDeclaration || statement.exported) continue;
        const file = this.modules.resolve(current.file, statement.source.value);
        if (!file || seen.has(file)) continue;
        seen.add(file);
        const target = this.modules.unit(file);
        if (!target) continue;
        const binding = this.declaredExport(target, name, depth + 1);
        if (binding && binding.kind !== 'unknown' && binding.kind !== 'package') {
          found = binding;
          break search;
        }
        if (binding?.kind === 'unknown' && binding.reason === 'resolution too deep') cut = true;
        queue.push(target);
      }
    }
    // `export * from '@prisma/client'` beside the package's own modules (teable's db-main-prisma):
    // a name none of them exports is the one package's re-exported there. Two packages re-exported
    // side by side do not say which one it comes from.
    if (!found && !cut) {
      const packages = new Set<string>();
      for (const current of queue) {
        for (const statement of current.ast.body) {
          if (statement.type !== T.ExportAllDeclaration || statement.exported) continue;
          const source = statement.source.value;
          if (!source.startsWith('.') && !this.modules.resolve(current.file, source)) packages.add(source);
        }
      }
      if (packages.size === 1) found = { kind: 'package', source: [...packages][0]!, imported: name };
    }
    if (found || !cut) byName.set(name, found);
    else byName.delete(name);
    return found;
  }

  private namedExport(statement: TSESTree.ExportNamedDeclaration, unit: FileUnit, name: string, depth: number): Binding | undefined {
    const declaration = statement.declaration;
    if (declaration) {
      if ((declaration.type === T.FunctionDeclaration || declaration.type === T.TSDeclareFunction) && declaration.id?.name === name) {
        return declaration.type === T.FunctionDeclaration ? { kind: 'function', fn: { node: declaration, unit } } : undefined;
      }
      if (declaration.type === T.ClassDeclaration && declaration.id?.name === name) return { kind: 'class', cls: { node: declaration, unit } };
      if (declaration.type === T.VariableDeclaration) {
        for (const declarator of declaration.declarations) {
          if (declarator.id.type === T.Identifier && declarator.id.name === name) {
            return declarator.init ? this.bindingOfExpression(declarator.init, unit, depth + 1) : { kind: 'unknown', reason: `\`${name}\` has no initial value` };
          }
        }
      }
      return undefined;
    }
    for (const spec of statement.specifiers) {
      const exported = spec.exported.type === T.Identifier ? spec.exported.name : spec.exported.value;
      if (exported !== name) continue;
      const local = spec.local.type === T.Identifier ? spec.local.name : spec.local.value;
      if (statement.source) return this.importBinding(statement.source.value, local, unit, depth + 1);
      if (spec.local.type !== T.Identifier) return undefined;
      return this.bindingOf(spec.local, unit, depth + 1);
    }
    return undefined;
  }
}

/** Whether a variable is written after its declaration; asked on every resolution, answered once. */
const reassignedCache = new WeakMap<Variable, boolean>();

function isReassigned(variable: Variable, declared: Node): boolean {
  let answer = reassignedCache.get(variable);
  if (answer === undefined) {
    answer = variable.references.some((ref) => ref.isWrite() && ref.identifier !== declared);
    reassignedCache.set(variable, answer);
  }
  return answer;
}

function functionOfParameter(node: Node): TSESTree.FunctionLike | undefined {
  if (node.type === T.FunctionDeclaration || node.type === T.FunctionExpression || node.type === T.ArrowFunctionExpression) return node;
  return undefined;
}

/**
 * The returned expressions of each function, found once: the value flow, the ORM readers and the
 * cache-key reader each ask again for the same helpers (umami: 4 % of a scan's own time was this walk).
 */
const returnedCache = new WeakMap<TSESTree.FunctionLike, readonly Node[]>();

/** Every `return <expr>` of a function (not of nested functions), or its expression body. */
export function returnedExpressions(fn: TSESTree.FunctionLike): readonly Node[] {
  let found = returnedCache.get(fn);
  if (!found) {
    found = findReturnedExpressions(fn);
    returnedCache.set(fn, found);
  }
  return found;
}

function findReturnedExpressions(fn: TSESTree.FunctionLike): Node[] {
  if (!fn.body) return [];
  if (fn.body.type !== T.BlockStatement) return [fn.body];
  const found: Node[] = [];
  const visit = (node: Node): void => {
    if (node.type === T.ReturnStatement) {
      if (node.argument) found.push(node.argument);
      return;
    }
    if (node.type === T.FunctionDeclaration || node.type === T.FunctionExpression || node.type === T.ArrowFunctionExpression) return;
    for (const key of Object.keys(node)) {
      if (key === 'parent') continue;
      const child: unknown = Reflect.get(node, key);
      if (Array.isArray(child)) {
        for (const item of child) if (isStatementish(item)) visit(item);
      } else if (isStatementish(child)) {
        visit(child);
      }
    }
  };
  visit(fn.body);
  return found;
}

function isStatementish(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'type') === 'string' && 'range' in value;
}
