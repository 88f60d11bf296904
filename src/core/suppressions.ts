import type { TSESTree } from '@typescript-eslint/types';
import { isRuleId } from './rule-meta.js';

/**
 * `// tenant-lint-ignore <rule-id>[, <rule-id>] -- reason` silences the next line (or its own line
 * when it trails code); `tenant-lint-ignore-file <ids> -- reason` the whole file. The reason is
 * required: a directive without one is not honoured. In the scanner, ESLint's own
 * `eslint-disable-next-line tenant-lint/<id>`, `eslint-disable-line` and block
 * `eslint-disable tenant-lint/<id>` are honoured too, so that CI agrees with the editor; in ESLint
 * those are ESLint's business. A block `eslint-disable` lasts until a matching `eslint-enable`, as in
 * ESLint (a disable/enable pair around harmless code must not silence the rest of the file); the
 * line of the `eslint-enable` is already enabled.
 */
export interface Suppressions {
  isSuppressed(ruleId: string, line: number): boolean;
  /** The directive that silences this rule on this line, with its reason (for the report's inventory). */
  directiveFor(ruleId: string, line: number): SuppressionDirective | undefined;
  /** Directives that name an unknown rule id or lack a reason, for the summary. */
  problems: { line: number; message: string }[];
}

/** A comment that silences findings: its kind, the line it is on, and the reason it gives ('' when none). */
export interface SuppressionDirective {
  directive: 'tenant-lint-ignore' | 'tenant-lint-ignore-file' | 'eslint-disable' | 'eslint-disable-line' | 'eslint-disable-next-line';
  line: number;
  reason: string;
}

// The heads only: a lazy `(.*?)\s*$` tail backtracks quadratically over a comment of blanks.
const TENANT_LINT_HEAD = /^\s*tenant-lint-ignore(-file)?\s+/;
const ESLINT_HEAD = /^\s*eslint-disable(-next-line|-line)?/;
const ESLINT_ENABLE_HEAD = /^\s*eslint-enable/;
const LINE_BREAK = /[\n\r\u2028\u2029]/;

/** `[whole, "-file" | undefined, ids and reason]`, as `^\s*tenant-lint-ignore(-file)?\s+(\S.*?)\s*$` would match. */
function tenantLintDirective(text: string): [string, string | undefined, string] | null {
  const head = TENANT_LINT_HEAD.exec(text);
  if (!head) return null;
  const rest = text.slice(head[0].length).trimEnd();
  if (!rest || LINE_BREAK.test(rest)) return null;
  return [text, head[1], rest];
}

/** `[whole, suffix | undefined, ids | undefined]`, as `^\s*eslint-disable(-next-line|-line)?(?:\s+(.*?))?\s*$` would match. */
function eslintDirective(text: string): [string, string | undefined, string | undefined] | null {
  const head = ESLINT_HEAD.exec(text);
  if (!head) return null;
  const after = text.slice(head[0].length);
  const rest = after.trim();
  if (!rest) return [text, head[1], undefined];
  if (!/^\s/.test(after) || LINE_BREAK.test(rest)) return null;
  return [text, head[1], rest];
}

/** A block `eslint-disable` or `eslint-enable`, in source order; `ids` of `['*']` means every rule. */
interface BlockDirective {
  line: number;
  disable: boolean;
  ids: string[];
}

/** Sorted, disjoint `[from, to)` line ranges in which `ruleId` is disabled by block directives. */
function disabledRanges(directives: readonly BlockDirective[], ruleId: string): [number, number][] {
  const ranges: [number, number][] = [];
  let from: number | undefined;
  for (const directive of directives) {
    if (!directive.ids.includes('*') && !directive.ids.includes(ruleId)) continue;
    if (directive.disable) from ??= directive.line;
    else if (from !== undefined) {
      if (directive.line > from) ranges.push([from, directive.line]);
      from = undefined;
    }
  }
  if (from !== undefined) ranges.push([from, Number.POSITIVE_INFINITY]);
  return ranges;
}

function inRanges(ranges: readonly [number, number][], line: number): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const [from, to] = ranges[mid];
    if (line < from) high = mid - 1;
    else if (line >= to) low = mid + 1;
    else return true;
  }
  return false;
}

export function readSuppressions(comments: TSESTree.Comment[] | undefined, eslintDirectives: boolean): Suppressions {
  const byLine = new Map<number, Map<string, SuppressionDirective>>();
  const wholeFile = new Map<string, SuppressionDirective>();
  const blocks: BlockDirective[] = [];
  /** The block `eslint-disable` that starts at a line, for the inventory. */
  const blockAt = new Map<number, SuppressionDirective>();
  const rangesByRule = new Map<string, [number, number][]>();
  const problems: Suppressions['problems'] = [];
  const add = (line: number, ids: string[], directive: SuppressionDirective) => {
    const set = byLine.get(line) ?? new Map<string, SuppressionDirective>();
    for (const id of ids) if (!set.has(id)) set.set(id, directive);
    byLine.set(line, set);
  };
  const addFile = (ids: string[], directive: SuppressionDirective) => {
    for (const id of ids) if (!wholeFile.has(id)) wholeFile.set(id, directive);
  };
  for (const comment of comments ?? []) {
    const text = comment.value;
    const own = tenantLintDirective(text);
    if (own) {
      const [idsPart, reason] = splitReason(own[2]);
      const ids = parseIds(idsPart, '');
      const unknown = ids.filter((id) => !isRuleId(id));
      if (unknown.length) problems.push({ line: comment.loc.start.line, message: `unknown rule id ${unknown.map((u) => `"${u}"`).join(', ')} in tenant-lint-ignore` });
      if (!reason) {
        problems.push({ line: comment.loc.start.line, message: 'tenant-lint-ignore needs a reason after " -- "; the directive is not honoured' });
        continue;
      }
      const directive: SuppressionDirective = { directive: own[1] ? 'tenant-lint-ignore-file' : 'tenant-lint-ignore', line: comment.loc.start.line, reason };
      if (own[1]) addFile(ids, directive);
      else {
        add(comment.loc.end.line, ids, directive);
        add(comment.loc.end.line + 1, ids, directive);
      }
      continue;
    }
    if (!eslintDirectives) continue;
    const enable = comment.type === 'Block' ? eslintEnable(text) : null;
    if (enable) {
      blocks.push({ line: comment.loc.start.line, disable: false, ids: enable });
      continue;
    }
    const eslint = eslintDirective(text);
    if (!eslint) continue;
    const [idsPart, reason] = splitReason(eslint[2] ?? '');
    // A bare `eslint-disable` disables every rule, ours included.
    const ids = idsPart.trim() ? parseIds(idsPart, 'tenant-lint/') : ['*'];
    const directive: SuppressionDirective = { directive: `eslint-disable${eslint[1] ?? ''}` as SuppressionDirective['directive'], line: comment.loc.start.line, reason };
    if (eslint[1] === '-next-line') add(comment.loc.end.line + 1, ids, directive);
    else if (eslint[1] === '-line') add(comment.loc.start.line, ids, directive);
    else if (comment.type === 'Block') {
      // Until its `eslint-enable`, as in ESLint (not the whole file).
      blocks.push({ line: comment.loc.start.line, disable: true, ids });
      if (!blockAt.has(comment.loc.start.line)) blockAt.set(comment.loc.start.line, directive);
    }
  }
  blocks.sort((a, b) => a.line - b.line);
  const directiveFor = (ruleId: string, line: number): SuppressionDirective | undefined => {
    const file = wholeFile.get(ruleId) ?? wholeFile.get('*');
    if (file) return file;
    const set = byLine.get(line);
    const onLine = set?.get(ruleId) ?? set?.get('*');
    if (onLine) return onLine;
    if (blocks.length === 0) return undefined;
    let ranges = rangesByRule.get(ruleId);
    if (!ranges) rangesByRule.set(ruleId, (ranges = disabledRanges(blocks, ruleId)));
    if (!inRanges(ranges, line)) return undefined;
    const range = ranges.find(([from, to]) => line >= from && line < to);
    return range ? blockAt.get(range[0]) : undefined;
  };
  return {
    problems,
    isSuppressed: (ruleId, line) => directiveFor(ruleId, line) !== undefined,
    directiveFor,
  };
}

/** The rule ids a block `eslint-enable` re-enables (`['*']` for all of them), or null when it is not one. */
function eslintEnable(text: string): string[] | null {
  const head = ESLINT_ENABLE_HEAD.exec(text);
  if (!head) return null;
  const after = text.slice(head[0].length);
  const [idsPart] = splitReason(after);
  if (!idsPart.trim()) return ['*'];
  if (!/^\s/.test(after)) return null;
  return parseIds(idsPart, 'tenant-lint/');
}

function splitReason(text: string): [string, string] {
  const index = text.indexOf('--');
  if (index < 0) return [text, ''];
  return [text.slice(0, index), text.slice(index + 2).trim()];
}

function parseIds(text: string, prefix: string): string[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .filter((id) => !prefix || id.startsWith(prefix))
    .map((id) => (prefix ? id.slice(prefix.length) : id.replace(/^tenant-lint\//, '')));
}
