import { join } from 'node:path';
import type { TSESTree } from '@typescript-eslint/types';
import type { TenantLintConfig } from '../../src/config/schema.js';
import { CacheRecognition } from '../../src/cache/index.js';
import { evaluateKey } from '../../src/cache/keys.js';
import { renderParts } from '../../src/policies/require-tenant-cache-key/messages.js';
import type { CacheAccess, KeyValue } from '../../src/cache/types.js';
import { analyzeFile, type FileAnalysis } from '../../src/analyze/analyze.js';
import { T, walk } from '../../src/core/ast.js';
import type { AnalysisContext } from '../../src/core/query-site.js';
import { Resolver } from '../../src/core/resolve.js';
import { ModuleGraph, parseUnit } from '../../src/project/modules.js';
import { loadProject } from '../../src/project/project.js';

/**
 * The project every cache unit test runs in: test/cache/project (tenant root Organization, key
 * orgId; Invoice and Project tenant models, InvoiceLine a child, User, Plan and FeatureFlag
 * global), with its src/lib helpers. Code is analysed as src/service.ts of that project.
 */
export const PROJECT = loadProject(join(import.meta.dirname, 'project'));

function contextFor(code: string, config: TenantLintConfig = PROJECT.config): AnalysisContext {
  const unit = parseUnit(join(PROJECT.root, 'src', 'service.ts'), code);
  const resolver = new Resolver(new ModuleGraph());
  resolver.modules.add(unit);
  return { unit, schema: PROJECT.schema, config, resolver };
}

/** The CacheAccess facts the recognizers produce for `code`, in source order. */
export function accessesIn(code: string, config?: TenantLintConfig): CacheAccess[] {
  const context = contextFor(code, config);
  const recognition = new CacheRecognition(context);
  const calls: TSESTree.CallExpression[] = [];
  walk(context.unit.ast, (node) => {
    if (node.type === T.CallExpression) calls.push(node);
  });
  return calls.flatMap((call) => recognition.recognize(call) ?? []).sort((a, b) => a.callee.range[0] - b.callee.range[0]);
}

/** One access as a line: `ioredis read get invoice:${id}`. */
export function describeAccess(access: CacheAccess): string {
  return `${access.library} ${access.operation} ${access.method} ${access.keys.map((key) => shape(key.value)).join(' | ')}`;
}

/** A key value rendered: alternatives joined by ` || `, arrays in brackets, unknown with its reason. */
export function shape(value: KeyValue): string {
  if (value.kind === 'unknown') return `unknown(${value.reason})`;
  if (value.kind === 'array') return `[${value.items.map(shape).join(', ')}]`;
  return value.alternatives.map(renderParts).join(' || ');
}

/** Evaluates the first argument of the last call in `code` (the key of `redis.get(...)`, say). */
export function keyOf(code: string): string {
  const context = contextFor(code);
  let last: TSESTree.CallExpression | undefined;
  walk(context.unit.ast, (node) => {
    if (node.type === T.CallExpression && node.callee.type === T.MemberExpression && node.callee.property.type === T.Identifier && node.callee.property.name === 'get') last = node;
  });
  const arg = last?.arguments[0];
  if (!arg) throw new Error('no get(...) call in the snippet');
  return shape(evaluateKey(arg, context.unit, context));
}

/** The rule's findings and not-analysable sites for `code`, as the scanner computes them. */
export function analyse(code: string, config: TenantLintConfig = PROJECT.config): FileAnalysis {
  const context = contextFor(code, config);
  return analyzeFile(context.unit, { root: PROJECT.root, schema: PROJECT.schema, config }, context.resolver, { only: 'require-tenant-cache-key' });
}

/** `line messageId` of each finding and `line reason` of each not-analysable call. */
export function summary(code: string, config?: TenantLintConfig): { findings: string[]; unknown: string[] } {
  const result = analyse(code, config);
  return { findings: result.findings.map((f) => `${f.line} ${f.messageId}`), unknown: result.unknown.map((u) => `${u.line} ${u.reason}`) };
}
