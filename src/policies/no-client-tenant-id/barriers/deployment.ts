import type { TSESTree } from '@typescript-eslint/types';
import { enclosingFunction, memberName, propertyName, T, textOf, unwrap, walk, type FileUnit, type Node } from '../../../core/ast.js';
import type { Resolver } from '../../../core/resolve.js';

/*
 * Routes that run only in a development deployment (tutur3u's data-migration endpoints: `const
 * devModeError = requireDevMode(); if (devModeError) return devModeError;`, where the helper returns
 * null only when `DEV_MODE`, `process.env.NODE_ENV === 'development'`, holds). In production they
 * answer 403 before reading anything, so a tenant the request names reaches no production data:
 * developer tooling, like system code. The gate must depend on the deployment alone (the
 * environment, never the request) and name development (`NODE_ENV`, a `DEV_MODE`/`isDev` flag):
 * `if (!process.env.STRIPE_KEY) return 500` is configuration, present in production, and no gate.
 */

const MAX_DEPTH = 3;
/** A flag of the deployment that means development (or a local end-to-end run). */
const DEV_FLAG = /^(is_?)?(dev|development|local|e2e)(_?(mode|env|environment|only))?$|^(DEV|DEVELOPMENT)_MODE$|^dev(elopment)?Mode$/i;
/** A helper named for such a gate or flag: `requireDevMode`, `isDevelopment`, `allowsLocalE2EMigrationAccess`. */
const DEV_HELPER = /dev(elopment)?(_?mode)?|local_?e2e|e2e/i;
const EXIT_STATUS = new Set([401, 403, 404]);

/** Does a development-only gate stop the request before `node`, in a function that holds it? */
export function developmentOnly(node: Node, unit: FileUnit, resolver: Resolver): boolean {
  for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) {
    if (fn.body?.type !== T.BlockStatement) continue;
    for (const statement of fn.body.body) {
      if (statement.range[0] >= node.range[0]) break;
      if (gateStatement(statement, fn.body.body, unit, resolver)) return true;
    }
  }
  return false;
}

/**
 * `if (!DEV_MODE) return 403` / `if (process.env.NODE_ENV === 'production') throw ...`, or
 * `const error = requireDevMode(); if (error) return error;` (the declaration, its test following).
 */
function gateStatement(statement: TSESTree.Statement, body: TSESTree.Statement[], unit: FileUnit, resolver: Resolver): boolean {
  if (statement.type === T.IfStatement && exits(statement.consequent)) return failsOutsideDevelopment(statement.test, unit, resolver);
  if (statement.type !== T.VariableDeclaration || statement.declarations.length !== 1) return false;
  const [declarator] = statement.declarations;
  if (declarator?.id.type !== T.Identifier || !declarator.init) return false;
  const init = unwrap(declarator.init);
  if (init.type !== T.CallExpression || init.arguments.length > 0) return false;
  const name = declarator.id.name;
  const next = body[body.indexOf(statement) + 1];
  if (next?.type !== T.IfStatement || !exits(next.consequent)) return false;
  const test = unwrap(next.test);
  if (test.type !== T.Identifier || test.name !== name) return false;
  const helper = functionOf(init.callee, unit, resolver);
  return helper !== undefined && refusesOutsideDevelopment(helper.node, helper.unit, resolver);
}

/**
 * The helper returns nothing (`null`) when a development flag holds, and a refusal otherwise: a
 * response with status 401, 403 or 404, or a thrown error.
 */
function refusesOutsideDevelopment(fn: TSESTree.FunctionLike, unit: FileUnit, resolver: Resolver): boolean {
  if (fn.body?.type !== T.BlockStatement) return false;
  const statements = fn.body.body;
  const first = statements.findIndex((s) => s.type === T.IfStatement && returnsNothing(s.consequent) && isDevelopmentTest(s.test, unit, resolver, 0));
  if (first < 0) return false;
  return statements.slice(first + 1).some((s) => s.type === T.ThrowStatement || (s.type === T.ReturnStatement && s.argument !== null && refusal(s.argument)));
}

/** `NextResponse.json(..., { status: 403 })`, `new Response(null, { status: 404 })`. */
function refusal(node: Node): boolean {
  let found = false;
  walk(node, (inner) => {
    if (inner.type === T.Property && propertyName(inner) === 'status') {
      const value = unwrap(inner.value);
      if (value.type === T.Literal && typeof value.value === 'number' && EXIT_STATUS.has(value.value)) found = true;
    }
  });
  return found;
}

/** The `if` test holds outside development: `!DEV_MODE`, `NODE_ENV === 'production'`, `NODE_ENV !== 'development'`. */
function failsOutsideDevelopment(test: Node, unit: FileUnit, resolver: Resolver): boolean {
  const node = unwrap(test);
  if (node.type === T.UnaryExpression && node.operator === '!') return isDevelopmentTest(node.argument, unit, resolver, 0);
  if (node.type === T.BinaryExpression && isNodeEnv(node.left, unit)) {
    const value = node.right.type === T.Literal ? node.right.value : undefined;
    if (node.operator === '===' || node.operator === '==') return value === 'production';
    if (node.operator === '!==' || node.operator === '!=') return value === 'development' || value === 'test';
  }
  return false;
}

/**
 * True only in development: `NODE_ENV === 'development'` (or `'test'`, or `!== 'production'`), a
 * constant so named that is one (`DEV_MODE = process.env.NODE_ENV === 'development'`), a helper so
 * named that reads the environment and nothing of the request, or a disjunction of them.
 */
function isDevelopmentTest(test: Node, unit: FileUnit, resolver: Resolver, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const node = unwrap(test);
  if (node.type === T.LogicalExpression && node.operator === '||') return isDevelopmentTest(node.left, unit, resolver, depth) && isDevelopmentTest(node.right, unit, resolver, depth);
  if (node.type === T.BinaryExpression && isNodeEnv(node.left, unit)) {
    const value = node.right.type === T.Literal ? node.right.value : undefined;
    if (node.operator === '===' || node.operator === '==') return value === 'development' || value === 'test';
    if (node.operator === '!==' || node.operator === '!=') return value === 'production';
    return false;
  }
  if (node.type === T.Identifier && DEV_FLAG.test(node.name)) {
    const binding = resolver.bindingOf(node, unit);
    return binding.kind === 'value' && isDevelopmentTest(binding.value.node, binding.value.unit, resolver, depth + 1);
  }
  if (node.type === T.CallExpression && node.arguments.length === 0) {
    const callee = unwrap(node.callee);
    if (callee.type !== T.Identifier || !DEV_HELPER.test(callee.name)) return false;
    const helper = functionOf(callee, unit, resolver);
    return helper !== undefined && readsEnvironmentOnly(helper.node, helper.unit);
  }
  return false;
}

function isNodeEnv(node: Node, unit: FileUnit): boolean {
  const value = unwrap(node);
  return value.type === T.MemberExpression && memberName(value) === 'NODE_ENV' && /(^|\.)env$/.test(textOf(unit, value.object).replace(/\s+/g, ''));
}

/** The helper reads `process.env` and takes no request: its answer is the deployment's. */
function readsEnvironmentOnly(fn: TSESTree.FunctionLike, unit: FileUnit): boolean {
  if (fn.params.length > 0 || !fn.body) return false;
  let env = false;
  walk(fn.body, (inner) => {
    if (inner.type === T.MemberExpression && /(^|\.)env$/.test(textOf(unit, inner.object).replace(/\s+/g, '')) && /process/.test(textOf(unit, inner.object))) env = true;
  });
  return env;
}

function functionOf(callee: Node, unit: FileUnit, resolver: Resolver): { node: TSESTree.FunctionLike; unit: FileUnit } | undefined {
  const node = unwrap(callee);
  if (node.type !== T.Identifier) return undefined;
  const binding = resolver.bindingOf(node, unit);
  if (binding.kind === 'function') return { node: binding.fn.node, unit: binding.fn.unit };
  return undefined;
}

function returnsNothing(statement: Node): boolean {
  const node = statement.type === T.BlockStatement && statement.body.length === 1 ? statement.body[0] : statement;
  if (node?.type !== T.ReturnStatement) return false;
  const value = node.argument ? unwrap(node.argument) : undefined;
  return !value || (value.type === T.Literal && value.value === null) || (value.type === T.Identifier && value.name === 'undefined');
}

function exits(statement: Node): boolean {
  if (statement.type === T.ReturnStatement || statement.type === T.ThrowStatement) return true;
  if (statement.type !== T.BlockStatement) return false;
  const last = statement.body[statement.body.length - 1];
  return last?.type === T.ReturnStatement || last?.type === T.ThrowStatement;
}
