import { createRequire } from 'node:module';
import type { TSESTree } from '@typescript-eslint/types';
import type { Node } from '../core/ast.js';
import { visitorKeys } from '@typescript-eslint/visitor-keys';

/**
 * The scanner's second front end: oxc-parser (native) in place of typescript-estree, for the CLI
 * scan (the default when installed; `TENANT_LINT_PARSER=typescript-estree` or ScanOptions.parser
 * choose) and for the files the editor's module graph parses itself (imports, schema sources:
 * src/project/editor-cache.ts). A file ESLint lints is always analysed on the tree ESLint hands it. oxc's `astType: 'ts'` output is TS-ESTree; what differs from typescript-estree is
 * made the same here, in the one walk that also sets parents and line/column positions:
 * - absent optional TypeScript fields (`typeAnnotation`, `typeArguments`, `returnType`, ...) are
 *   `null` in oxc and `undefined` in typescript-estree;
 * - `loc` is computed from the UTF-16 offsets oxc gives (`range`), comments get `range` and `loc`;
 * - a decorated optional or defaulted parameter (`@Query() q?: string`, `@Query() q = 1`) starts
 *   after its decorators, not at them;
 * - `Program.hashbang` is dropped (typescript-estree has no such field).
 * Two differences remain, in what the analysis never reads: a JSXText `value` keeps its HTML
 * entities (`&nbsp;`), and a template with an invalid escape has a null `cooked` value.
 * test/parity/front-ends.test.ts holds the trees equal on every fixture, and the findings and
 * fingerprints of a scan equal. A file oxc rejects is parsed again by typescript-estree, so that
 * the front end never decides whether a file parses.
 *
 * oxc-parser is an optional dependency loaded on first use: without it, asking for this front end
 * is a usage error and nothing else changes.
 */

interface OxcComment {
  type: 'Line' | 'Block';
  value: string;
  start: number;
  end: number;
}
interface OxcResult {
  program: TSESTree.Program & { hashbang?: unknown };
  comments: OxcComment[];
  errors: { message: string }[];
  module: { hasModuleSyntax: boolean };
}
interface OxcParser {
  parseSync(filename: string, text: string, options: Record<string, unknown>): OxcResult;
}

const require = createRequire(import.meta.url);
let loaded: OxcParser | null | undefined;

/** oxc-parser when it is installed (Node resolution from this package), else undefined. */
export function oxcParser(): OxcParser | undefined {
  if (loaded === undefined) {
    try {
      loaded = require('oxc-parser') as OxcParser;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/**
 * Fields that typescript-estree leaves undefined when absent and oxc sets to null. Only these: a
 * field that is null in both (`init`, `alternate`, `label`, a `Literal`'s value) stays null.
 */
const ABSENT = new Set(['typeAnnotation', 'typeArguments', 'typeParameters', 'superTypeArguments', 'returnType', 'accessibility', 'directive', 'constraint', 'default', 'value', 'body', 'initializer', 'readonly', 'optional']);
/** Node types whose `value` / `body` may be null in typescript-estree and must stay so. */
const NULL_KEPT: Record<string, ReadonlySet<string>> = {
  Literal: new Set(['value']),
  Property: new Set(['value']),
  PropertyDefinition: new Set(['value']),
  AccessorProperty: new Set(['value']),
  TSAbstractPropertyDefinition: new Set(['value']),
  TSAbstractAccessorProperty: new Set(['value']),
  JSXAttribute: new Set(['value']),
  TemplateElement: new Set(['value']),
  TSImportType: new Set(['typeArguments']),
  TSAbstractMethodDefinition: new Set(['value']),
  MethodDefinition: new Set(['value']),
  TSEmptyBodyFunctionExpression: new Set(['body']),
};

const absentByType = new Map<string, ReadonlySet<string>>();

/** The ABSENT fields whose null means absent in a node of this type. */
function absentKeys(type: string): ReadonlySet<string> {
  let keys = absentByType.get(type);
  if (!keys) {
    const kept = NULL_KEPT[type];
    keys = new Set([...ABSENT].filter((key) => !kept?.has(key)));
    absentByType.set(type, keys);
  }
  return keys;
}

/** Offsets of each line's first character (LF, CRLF, CR, U+2028, U+2029 end a line, as in TypeScript). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 0x2028 || c === 0x2029) starts.push(i + 1);
  }
  return starts;
}

function position(starts: readonly number[], offset: number): TSESTree.Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] };
}

/**
 * Parses with oxc into the tree typescript-estree would give (with parents set); undefined when oxc
 * reports an error, for the caller to parse with typescript-estree.
 */
export function parseWithOxc(parser: OxcParser, file: string, text: string): TSESTree.Program | undefined {
  const lang = /\.[cm]?ts$/.test(file) ? 'ts' : 'tsx';
  const result = parser.parseSync(file, text, { range: true, preserveParens: false, sourceType: 'module', astType: 'ts', lang });
  if (result.errors.length > 0) return undefined;
  const program = result.program;
  delete program.hashbang;
  (program as { sourceType: string }).sourceType = result.module.hasModuleSyntax ? 'module' : 'script';
  const starts = lineStarts(text);
  convert(program, starts, text);
  program.comments = result.comments.map((c) => ({ type: c.type, value: c.value, range: [c.start, c.end], loc: { start: position(starts, c.start), end: position(starts, c.end) } }) as TSESTree.Comment);
  return program;
}

/** The offset of the first character at or after `at` that is neither white space nor a comment. */
function skipTrivia(text: string, at: number): number {
  let i = at;
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end + 1;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else return i;
  }
}

/** One walk: parents, `loc`, and the differences listed at the top of this file. */
function convert(root: Node, starts: readonly number[], text: string): void {
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (!node) break;
    const fields = node as unknown as Record<string, unknown>;
    // The node's own fields, each tested against the set: reading each ABSENT name from every node,
    // most of them fields the node does not have, was a third of this walk (teable).
    const absent = absentKeys(node.type);
    for (const key in fields) if (fields[key] === null && absent.has(key)) fields[key] = undefined;
    if ((node.type === 'Identifier' || node.type === 'AssignmentPattern' || node.type === 'ArrayPattern' || node.type === 'ObjectPattern') && node.decorators.length > 0 && node.range[0] <= node.decorators[0].range[0]) {
      // `@Query() q?: string`, `@Query() q = 1`: the parameter starts after its last decorator.
      node.range = [skipTrivia(text, node.decorators[node.decorators.length - 1].range[1]), node.range[1]];
    }
    node.loc = { start: position(starts, node.range[0]), end: position(starts, node.range[1]) };
    const keys = visitorKeys[node.type];
    if (!keys) continue;
    for (let k = keys.length - 1; k >= 0; k--) {
      const child = fields[keys[k]];
      if (typeof child !== 'object' || child === null) continue;
      if (Array.isArray(child)) {
        for (let i = child.length - 1; i >= 0; i--) {
          const item = child[i] as Node | null;
          if (item && typeof item.type === 'string') {
            (item as { parent: Node }).parent = node;
            stack.push(item);
          }
        }
      } else if (typeof (child as { type?: unknown }).type === 'string') {
        (child as { parent: Node }).parent = node;
        stack.push(child as Node);
      }
    }
  }
}
