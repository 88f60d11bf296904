import type { SourceLocation } from '../core/schema.js';
import { byteOffsetToIndex, type RawStatement } from './split.js';
import type { SqlParserName } from './statements.js';

/** What a tree converter needs to know about the statement it converts. */
export interface ConvertContext {
  /** The statement text the parser saw. */
  text: string;
  /** A libpg-query offset (UTF-8 bytes into `text`) as a string index. */
  index(byteOffset: number): number;
  /** The file location of an offset into `text` (bytes for libpg-query); the statement's start when absent. */
  at(offset: number | undefined, bytes: boolean): SourceLocation;
  /** The fields every statement carries. */
  base(parser: SqlParserName): { location: SourceLocation; text: string; parser: SqlParserName };
}

export function convertContext(
  raw: RawStatement,
  file: string,
  positionAt: (offset: number) => { line: number; column: number },
): ConvertContext {
  const location: SourceLocation = { file, line: raw.line, column: raw.column };
  const index = (byteOffset: number) => byteOffsetToIndex(raw.text, byteOffset);
  return {
    text: raw.text,
    index,
    at(offset, bytes) {
      if (offset === undefined || offset < 0) return { ...location };
      const { line, column } = positionAt(raw.offset + (bytes ? index(offset) : offset));
      return { file, line, column };
    },
    base(parser) {
      return { location: { ...location }, text: raw.text, parser };
    },
  };
}
