/**
 * Small helpers over statement text (comments already blanked by the splitter): find a keyword at
 * parenthesis depth 0, take a balanced parenthesised group, split it at top-level commas. Used to keep
 * expressions as written (index expressions, policy USING / WITH CHECK), which neither parser returns
 * as text.
 */

/** Index just past a quoted string, quoted identifier or dollar-quoted body starting at `i`; `i` otherwise. */
function skipQuoted(text: string, i: number): number {
  const ch = text[i];
  if (ch === "'" || ch === '"') {
    let j = i + 1;
    const backslash = ch === "'" && /[eE]/.test(text[i - 1] ?? '');
    while (j < text.length) {
      if (backslash && text[j] === '\\') j += 2;
      else if (text[j] === ch && text[j + 1] === ch) j += 2;
      else if (text[j] === ch) return j + 1;
      else j++;
    }
    return text.length;
  }
  if (ch === '$' && !/[A-Za-z0-9_]/.test(text[i - 1] ?? '')) {
    const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64))?.[0];
    if (tag) {
      const close = text.indexOf(tag, i + tag.length);
      return close < 0 ? text.length : close + tag.length;
    }
  }
  return i;
}

/** The text inside the parentheses that open at `open`, and the index of the closing one. */
export function parenGroup(text: string, open: number): { inner: string; start: number; close: number } | undefined {
  if (text[open] !== '(') return undefined;
  let depth = 0;
  let i = open;
  while (i < text.length) {
    const skipped = skipQuoted(text, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    if (text[i] === '(') depth++;
    else if (text[i] === ')') {
      depth--;
      if (depth === 0) return { inner: text.slice(open + 1, i), start: open + 1, close: i };
    }
    i++;
  }
  return undefined;
}

/** Parts of `text` separated by commas at depth 0, trimmed. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const skipped = skipQuoted(text, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    const ch = text[i];
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(from, i).trim());
      from = i + 1;
    }
    i++;
  }
  parts.push(text.slice(from).trim());
  return parts.filter((part) => part.length > 0);
}

/** Where `keyword` (a pattern matched at a word start) first occurs at parenthesis depth 0, from `from`. */
export function findTopLevel(text: string, keyword: RegExp, from = 0): { index: number; end: number } | undefined {
  const sticky = new RegExp(keyword.source, keyword.flags.includes('y') ? keyword.flags : `${keyword.flags}y`);
  let depth = 0;
  let i = from;
  while (i < text.length) {
    const skipped = skipQuoted(text, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    const ch = text[i];
    if (depth === 0 && !/[A-Za-z0-9_]/.test(text[i - 1] ?? '')) {
      sticky.lastIndex = i;
      const match = sticky.exec(text);
      if (match) return { index: i, end: i + match[0].length };
    }
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    i++;
  }
  return undefined;
}

/** The parenthesised group that follows `keyword` (a pattern ending at the `(`, e.g. /USING\s*\(/i) at depth 0. */
export function groupAfterKeyword(text: string, keyword: RegExp, from = 0): string | undefined {
  const found = findTopLevel(text, keyword, from);
  return found ? parenGroup(text, found.end - 1)?.inner.trim() : undefined;
}

/** The first `(` at depth 0 at or after `from`. */
export function nextOpenParen(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const skipped = skipQuoted(text, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    if (text[i] === '(') return i;
    i++;
  }
  return -1;
}

/** `lower(email) DESC NULLS LAST` -> `lower(email)`; `email text_pattern_ops` -> `email`. */
export function stripIndexElementOptions(part: string): string {
  return part
    .replace(/(?<!\s)\s+NULLS\s+(FIRST|LAST)\s*$/i, '')
    .replace(/(?<!\s)\s+(ASC|DESC)\s*$/i, '')
    .replace(/^([A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")*")\s+[A-Za-z_][A-Za-z0-9_.]*(\s*\(.*\))?\s*$/s, '$1')
    .trim();
}
