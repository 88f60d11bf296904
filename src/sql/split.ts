/**
 * Splits a SQL file into statements without parsing it: quotes, quoted identifiers, dollar quotes,
 * nested block comments and line comments are respected; Drizzle Kit's `--> statement-breakpoint` and
 * a psql meta-command line (`\echo`, `\connect`) end a statement like `;` does. Comments are blanked
 * (replaced by spaces, newlines kept), so every offset in a statement's text is also an offset in the
 * file, and pgsql-ast-parser, which trips over some comment placements, sees the same text as
 * libpg-query.
 */

export interface RawStatement {
  /** The statement from its first keyword to (excluding) its `;`, comments blanked. */
  text: string;
  /** Offset of the first keyword in the file (UTF-16 code units). */
  offset: number;
  /** 1-based line and column of the first keyword. */
  line: number;
  column: number;
}

export interface SplitResult {
  statements: RawStatement[];
  /** 1-based line and column of an offset in the file. */
  positionAt(offset: number): { line: number; column: number };
}

const BREAKPOINT = /^-->\s*statement-breakpoint/;

function isIdentChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(ch);
}

/** `$tag$` starting at `i`, or undefined when the `$` is a parameter (`$1`) or part of a name. */
function dollarTag(text: string, i: number): string | undefined {
  if (isIdentChar(text[i - 1])) return undefined;
  const match = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 64));
  return match?.[0];
}

export function splitStatements(source: string): SplitResult {
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const positionAt = (offset: number) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low] + 1 };
  };

  const out: string[] = [];
  const statements: RawStatement[] = [];
  let start = 0;
  const blank = (from: number, to: number) => {
    out.push(source.slice(from, to).replace(/[^\n\r]/g, ' '));
  };
  const finish = (end: number) => {
    const text = out.join('');
    out.length = 0;
    const lead = text.search(/\S/);
    if (lead >= 0) {
      const offset = start + lead;
      const { line, column } = positionAt(offset);
      statements.push({ text: text.slice(lead).trimEnd(), offset, line, column });
    }
    start = end;
  };

  let i = 0;
  let copyFrom = 0;
  /** Depth inside BEGIN ATOMIC ... END (CASE ... END counted within it). */
  let atomic = 0;
  const flush = (to: number) => {
    if (to > copyFrom) out.push(source.slice(copyFrom, to));
  };
  while (i < source.length) {
    const ch = source[i];
    const next = source[i + 1];
    if (ch === '-' && next === '-') {
      let end = source.indexOf('\n', i);
      if (end < 0) end = source.length;
      flush(i);
      blank(i, end);
      const breakpoint = BREAKPOINT.test(source.slice(i, end));
      i = end;
      copyFrom = i;
      if (breakpoint) finish(i);
      continue;
    }
    if (ch === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < source.length && depth > 0) {
        if (source[j] === '/' && source[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (source[j] === '*' && source[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      flush(i);
      blank(i, j);
      i = j;
      copyFrom = i;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      // E'...' strings take backslash escapes; the others double the quote.
      const backslash = ch === "'" && /[eE]/.test(source[i - 1] ?? '') && !isIdentChar(source[i - 2]);
      let j = i + 1;
      while (j < source.length) {
        if (backslash && source[j] === '\\') {
          j += 2;
          continue;
        }
        if (source[j] === ch) {
          if (source[j + 1] === ch) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      i = Math.min(j + 1, source.length);
      continue;
    }
    if (ch === '$') {
      const tag = dollarTag(source, i);
      if (tag) {
        const close = source.indexOf(tag, i + tag.length);
        i = close < 0 ? source.length : close + tag.length;
        continue;
      }
    }
    if (ch === '\\' && /^[ \t]*$/.test(source.slice(source.lastIndexOf('\n', i - 1) + 1, i))) {
      // A psql meta-command (`\echo ...`, `\connect db`, `\i file`) runs to the end of its line and,
      // like `\g`, ends the statement before it: blank it, keep the boundary.
      let end = source.indexOf('\n', i);
      if (end < 0) end = source.length;
      flush(i);
      blank(i, end);
      i = end;
      copyFrom = i;
      finish(i);
      continue;
    }
    if (/[bBcCeE]/.test(ch) && !isIdentChar(source[i - 1])) {
      // A SQL-standard function body (`BEGIN ATOMIC ... END`) holds statements and their `;`;
      // CASE ... END inside it nests.
      const word = /^(begin\s+atomic|case|end)(?![A-Za-z0-9_$])/i.exec(source.slice(i, i + 24))?.[1].toLowerCase();
      if (word) {
        if (word !== 'end' && (atomic > 0 || word !== 'case')) atomic++;
        else if (word === 'end' && atomic > 0) atomic--;
        i += word.length;
        continue;
      }
    }
    if (ch === ';' && atomic === 0) {
      flush(i);
      i++;
      copyFrom = i;
      finish(i);
      continue;
    }
    i++;
  }
  flush(source.length);
  finish(source.length);
  return { statements, positionAt };
}

/**
 * Offsets inside a statement as libpg-query reports them (UTF-8 bytes) converted to string offsets.
 * Cheap for ASCII text, which is nearly every migration.
 */
export function byteOffsetToIndex(text: string, byteOffset: number): number {
  // The last text's UTF-8 offsets are kept: callers convert every statement and site of one file.
  if (byteOffsets?.text !== text) byteOffsets = { text, bytesAt: /[^\x00-\x7f]/.test(text) ? utf8Offsets(text) : undefined };
  const { bytesAt } = byteOffsets;
  if (!bytesAt) return byteOffset;
  // The first index whose byte offset is >= byteOffset.
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bytesAt[mid] >= byteOffset) hi = mid;
    else lo = mid + 1;
  }
  // Never inside a surrogate pair.
  return lo > 0 && lo < text.length && bytesAt[lo] === bytesAt[lo - 1] ? lo + 1 : lo;
}

let byteOffsets: { text: string; bytesAt: Float64Array | undefined } | undefined;

/** `bytesAt[i]`: UTF-8 bytes before string index i (the low half of a pair repeats the pair's start). */
function utf8Offsets(text: string): Float64Array {
  const bytesAt = new Float64Array(text.length + 1);
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    bytesAt[i] = bytes;
    const code = text.codePointAt(i) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (code >= 0x10000) {
      i++;
      bytesAt[i] = bytesAt[i - 1];
    }
  }
  bytesAt[text.length] = bytes;
  return bytesAt;
}
