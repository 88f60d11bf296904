/**
 * Partial loss only, for `.sql` query files: libpg-query parses a file as a whole, so one statement
 * it rejects (another dialect, a template, a typo) would cost every query in the file. This finds
 * the statements that do not parse on their own and blanks them (spaces, newlines kept), so the rest
 * of the file is analysed with every position where it was written; each blanked statement is
 * reported by its position and the parser's message.
 */
import { checkBudget } from '../scan/budget.js';
import { libpgReady, parseSync } from './libpg.js';
import { splitStatements } from './split.js';

export interface UnparsedStatement {
  /** 1-based line and column of the statement's first keyword. */
  line: number;
  column: number;
  /** The parser's message, one line. */
  message: string;
}

export interface RecoveredSql {
  /** The text with every statement that does not parse blanked; the same length and line breaks. */
  text: string;
  unparsed: UnparsedStatement[];
}

/**
 * Query-file placeholders (`sqlc.arg(name)`, `:name`, `@name`) as `$1`, only to ask whether a
 * statement parses: the analysis itself substitutes them with positions kept.
 */
const PLACEHOLDER = /sqlc\.n?arg\([^()]*\)|(?<![:\w$@]):[A-Za-z_]\w*|(?<![\w@])@[A-Za-z_]\w*/g;

function parseError(statement: string): string | undefined {
  try {
    parseSync(statement.replace(PLACEHOLDER, '$$1'));
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).split('\n')[0].trim() || 'syntax error';
  }
}

/** Blanks the statements of `text` that libpg-query rejects one by one. Nothing is blanked when libpg-query is not loaded. */
export function blankUnparseableStatements(text: string): RecoveredSql {
  if (!libpgReady()) return { text, unparsed: [] };
  const unparsed: UnparsedStatement[] = [];
  const pieces: string[] = [];
  let copied = 0;
  for (const statement of splitStatements(text).statements) {
    checkBudget(true);
    const message = parseError(statement.text);
    if (message === undefined) continue;
    unparsed.push({ line: statement.line, column: statement.column, message });
    const end = statement.offset + statement.text.length;
    pieces.push(text.slice(copied, statement.offset), text.slice(statement.offset, end).replace(/[^\n\r]/g, ' '));
    copied = end;
  }
  if (unparsed.length === 0) return { text, unparsed };
  pieces.push(text.slice(copied));
  return { text: pieces.join(''), unparsed };
}
