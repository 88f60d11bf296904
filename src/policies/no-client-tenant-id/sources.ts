import type { TSESTree } from '@typescript-eslint/types';
import { propertyName, T, textOf, variableOf, type FileUnit, type Node } from '../../core/ast.js';
import type { HttpContext, HttpValue, PackageRef } from '../../core/facts.js';
import { fromPackage, stringOf } from '../../core/syntax.js';
import { clip } from '../shared/paths.js';
import type { ClientTenantFlow as Flow } from './flow.js';
import { extendedPackageType } from './request-types.js';
import { IDENTITY_PACKAGES, member } from './values.js';
import { calleeText, TRANSPARENT_METHODS } from './syntax.js';
import { NONE, withInput, type ClientOrigin, type Env, type Frame, type Origin } from './types.js';

/*
 * Client input as the web-framework models describe it: what a handler's parameters are, what
 * members and methods of a framework object hold, what a package function returns, and how a
 * client container is read (`.get('x-org-id')`, `.searchParams`, `.split('.')` of the hostname).
 */

export function roleOf(flow: Flow, fn: TSESTree.FunctionLike, index: number, unit: FileUnit): HttpValue | undefined {
  let roles = flow.roles.get(fn);
  if (!roles) flow.roles.set(fn, (roles = []));
  if (index in roles) return roles[index];
  roles[index] = undefined;
  const http = flow.http({ unit, env: flow.top });
  for (const recognizer of flow.models.http.recognizers) {
    const role = recognizer.parameter(fn, index, http);
    if (role) {
      roles[index] = role;
      return role;
    }
  }
  // `req: IWorkLenzRequest` where `interface IWorkLenzRequest extends Request`: the framework's type.
  const extended = extendedPackageType(flow, fn.params[index], unit);
  if (!extended) return undefined;
  for (const recognizer of flow.models.http.recognizers) {
    const role = recognizer.typed?.(extended);
    if (role) {
      roles[index] = role;
      break;
    }
  }
  return roles[index];
}

export function fromHttp(value: HttpValue, read: Node, unit: FileUnit, env: Env): Origin {
  switch (value.kind) {
    case 'framework':
      return { kind: 'framework', object: value, env };
    case 'client':
      return { kind: 'client', source: { input: value, read, readUnit: unit, readEnv: env, via: [] } };
    case 'trusted':
      return value;
    case 'none':
      return NONE;
  }
}

export function typedProperty(flow: Flow, fn: TSESTree.FunctionLike, index: number, name: string, read: Node, frame: Frame): Origin | undefined {
  const declared = flow.models.http.declaredPropertyType(fn.params[index], name, frame.unit, flow.context.resolver);
  const ref = declared ? flow.models.http.packageOfType(declared.node, declared.unit, flow.context.resolver) : undefined;
  if (!ref) return undefined;
  for (const recognizer of flow.models.http.recognizers) {
    const value = recognizer.typed?.(ref);
    if (value) return fromHttp(value, read, frame.unit, frame.env);
  }
  return undefined;
}

export function clientMember(base: ClientOrigin, name: string | undefined, node: Node, frame: Frame): Origin {
  const { source } = base;
  const { input } = source;
  if (name !== undefined && name === input.unwrap) return base;
  if (name === 'length') return NONE;
  if (source.lookup) {
    if (name === undefined) return NONE;
    return { kind: 'client', source: { ...source, lookup: { ...source.lookup, rowPath: [...source.lookup.rowPath, name] } } };
  }
  if (input.category === 'request URL') {
    if (name === 'searchParams') return withInput(base, { ...input, category: 'search parameter', shape: 'map', path: [] }, node, frame);
    if (name === 'hostname' || name === 'host') return withInput(base, { ...input, category: 'hostname', path: [] }, node, frame);
    return NONE;
  }
  if (input.shape === 'map') return NONE;
  return withInput(base, { ...input, shape: 'object', path: [...input.path, name ?? '?'], ...(name === undefined ? { dynamic: true } : {}), unwrap: undefined }, node, frame);
}

export function clientCall(receiver: ClientOrigin, method: string, node: TSESTree.CallExpression, frame: Frame): Origin {
  const { input } = receiver.source;
  if ((input.shape === 'map' || input.shape === 'any') && (method === 'get' || method === 'getAll')) {
    const raw = stringOf(node.arguments[0]);
    const name = raw !== undefined && input.category === 'header' ? raw.toLowerCase() : raw;
    return withInput(receiver, { ...input, shape: 'object', path: [...input.path, name ?? '?'], ...(name === undefined ? { dynamic: true } : {}) }, node, frame);
  }
  if (TRANSPARENT_METHODS.has(method)) return receiver;
  if (method === 'split' && input.category === 'hostname') return withInput(receiver, { ...input, path: ['subdomains'] }, node, frame);
  return NONE;
}

export function packageCall(flow: Flow, ref: PackageRef, node: TSESTree.CallExpression, frame: Frame): Origin {
  const http = flow.http(frame);
  for (const recognizer of flow.models.http.recognizers) {
    const value = recognizer.imported?.(ref, node, http);
    if (value) return fromHttp(value, node, frame.unit, frame.env);
  }
  // jose's `decodeJwt(token)`: the claims read without checking the signature.
  if (fromPackage(ref, ...IDENTITY_PACKAGES) && !/^decode/i.test(ref.imported ?? '')) return { kind: 'trusted', why: `\`${ref.imported}()\` from ${ref.source} verifies a credential` };
  // lodash's `get(input, 'workspaceId', '')`: the member the literal path names (tianji's workspace
  // middleware reads the procedure's input so), or lost when the path is not written out.
  if (propertyGetter(ref) && node.arguments[0] && node.arguments[1]) {
    const path = literalPath(node.arguments[1]);
    if (path) return path.reduce((origin, name) => member(flow, origin, name, node, frame), flow.evaluate(node.arguments[0], frame));
  }
  // valibot: `parse(schema, input)`.
  if (ref.imported === 'parse' && node.arguments[1]) return flow.evaluate(node.arguments[1], frame);
  return flow.lostThrough(node, frame, `the result of \`${calleeText(node, frame.unit)}()\` from the package \`${ref.source}\``);
}

/** `get` of lodash (`lodash`, `lodash-es`, `lodash/get`, `lodash.get`). */
function propertyGetter(ref: PackageRef): boolean {
  if (ref.source === 'lodash' || ref.source === 'lodash-es') return ref.imported === 'get';
  return (ref.source === 'lodash/get' || ref.source === 'lodash.get' || ref.source === 'lodash-es/get') && ref.imported === 'default';
}

/** `'a.b'` or `['a', 'b']`, written out: the member names; undefined for anything else. */
function literalPath(node: Node): string[] | undefined {
  const text = stringOf(node);
  if (text !== undefined) return text.length > 0 && /^[\w$]+(\.[\w$]+)*$/.test(text) ? text.split('.') : undefined;
  const list = node.type === T.ArrayExpression ? node : undefined;
  if (!list || list.elements.length === 0) return undefined;
  const names = list.elements.map((e) => (e && e.type !== T.SpreadElement ? stringOf(e) : undefined));
  return names.every((n): n is string => n !== undefined && /^[\w$]+$/.test(n)) ? names : undefined;
}

export function destructuredFromPackage(flow: Flow, callee: TSESTree.Identifier, unit: FileUnit): PackageRef | undefined {
  const variable = variableOf(unit.scopeManager, callee);
  const def = variable?.defs[0];
  if (def?.type === 'Variable') return destructuredDeclarator(flow, def.node, callee.name, unit);
  if (def?.type !== 'ImportBinding' || def.node.type !== T.ImportSpecifier || def.parent.type !== T.ImportDeclaration) return undefined;
  const imported = def.node.imported.type === T.Identifier ? def.node.imported.name : def.node.imported.value;
  const { modules } = flow.context.resolver;
  const file = modules.resolve(unit.file, def.parent.source.value);
  const target = file ? modules.unit(file) : undefined;
  if (!target) return undefined;
  for (const statement of target.ast.body) {
    if (statement.type !== T.ExportNamedDeclaration || statement.declaration?.type !== T.VariableDeclaration) continue;
    for (const declarator of statement.declaration.declarations) {
      const found = destructuredDeclarator(flow, declarator, imported, target);
      if (found) return found;
    }
  }
  return undefined;
}

export function destructuredDeclarator(flow: Flow, declarator: TSESTree.VariableDeclarator, name: string, unit: FileUnit): PackageRef | undefined {
  if (declarator.id.type !== T.ObjectPattern || declarator.init?.type !== T.CallExpression) return undefined;
  const has = declarator.id.properties.some((p) => p.type === T.Property && propertyName(p) === name);
  const ref = has ? flow.models.http.packageOf(declarator.init.callee, unit, flow.context.resolver) : undefined;
  return ref ? { source: ref.source, imported: `${ref.imported}().${name}` } : undefined;
}

export function http(flow: Flow, frame: Frame): HttpContext {
  return {
    unit: frame.unit,
    resolver: flow.context.resolver,
    frameworkObject(node) {
      const origin = flow.evaluate(node, frame);
      return origin.kind === 'framework' ? origin.object : undefined;
    },
    packageRoot(node) {
      return flow.models.http.packageRoot(node, frame.unit, this, (fn, index, unit) => receiverParameter(flow, fn, index, unit));
    },
    undecided(node, reason) {
      // Counted where the file under analysis asks; another file's receivers are counted with that file.
      if (frame.unit !== flow.context.unit || flow.undecidedRoots.some((u) => u.at === node)) return;
      flow.undecidedRoots.push({ at: node, reason: `whether \`${clip(textOf(frame.unit, node))}\` belongs to a web framework is not decided: ${reason}` });
    },
    packageOf(node) {
      return flow.models.http.packageOf(node, frame.unit, flow.context.resolver);
    },
    isTenantName(name) {
      return flow.isTenantName(name);
    },
    valueReturnedBy(fn, args) {
      const origins = args.map((a) => (a ? fromHttp(a, fn.node, fn.unit, frame.env) : undefined));
      const result = flow.returnedWith(fn, origins, fn.node, frame);
      if (result.kind === 'client') return { ...result.source.input, path: [...result.source.input.path] };
      if (result.kind === 'framework') return result.object;
      if (result.kind === 'trusted') return result;
      return { kind: 'none' };
    },
  };
}

export function receiverParameter(flow: Flow, fn: TSESTree.FunctionLike, index: number, unit: FileUnit): PackageRef | undefined {
  const http = flow.http({ unit, env: flow.top });
  for (const recognizer of flow.models.http.recognizers) {
    const found = recognizer.receiverParameter?.(fn, index, http);
    if (found) return found;
  }
  return undefined;
}
