import { dirname } from 'node:path/posix';
import type { Finding } from '../core/finding.js';
import type { ScanResult } from '../core/result.js';

/** A place a finding's explanation names: the schema line of the tenant key, the client, a route. */
export interface RelatedLocation {
  /** Path relative to the result's root, POSIX. */
  file: string;
  line: number;
  /** The reference as it appears in the finding's text (`prisma/schema.prisma:20`, `line 15`). */
  reference: string;
  /** What is there, from the text around the reference. */
  label: string;
}

/** `path/to/file.ext:12`, alone, in parentheses or in backticks. */
const FILE_REF = /(?<![\w/.@-])((?:[\w@.[\]-][\w@.[\]()-]*\/)*[\w@.[\]-]+\.[A-Za-z]\w*):(\d+)(?![\d:])/g;
/** `line 15` in the finding's own file. */
const LINE_REF = /\bline (\d+)\b/g;
/** Words longer than this are never a path the policies write; FILE_REF backtracks quadratically within one word. */
const MAX_REF_WORD = 256;

/** FILE_REF's matches in `text`: a reference never spans whitespace, so it runs per word, and bounded words only. */
function fileRefs(text: string): { index: number; whole: string; path: string; line: string }[] {
  const refs: { index: number; whole: string; path: string; line: string }[] = [];
  for (const word of text.matchAll(/\S+/g)) {
    if (word[0].length > MAX_REF_WORD) continue;
    for (const match of word[0].matchAll(FILE_REF)) refs.push({ index: word.index + match.index, whole: match[0], path: match[1], line: match[2] });
  }
  return refs;
}

/**
 * The locations a finding's message, evidence and help name, as relatedLocations. Findings do not
 * carry them as data: the policies write them into the evidence (`(prisma/schema.prisma:20)`,
 * `(line 15)`, `` (`src/routes.ts:7`) ``), with paths relative to the project, the workspace or
 * the schema's package. Each path is resolved against the known schema files, then against the
 * finding's folder and its parents; a path that resolves nowhere is left out, never guessed.
 *
 * `exists(file)` says whether a path relative to the result's root is a file; without it only
 * schema files and the finding's own file are resolved.
 */
export function relatedLocations(finding: Finding, result: Pick<ScanResult, 'projects'>, exists?: (file: string) => boolean): RelatedLocation[] {
  const text = `${finding.message}\n${finding.evidence}\n${finding.help}`;
  const schemaFiles = result.projects.flatMap((project) => project.schemaSources.flatMap((source) => source.files));
  const found: RelatedLocation[] = [];
  const seen = new Set<string>();
  const refs: { index: number; end: number; reference: string; file: string | undefined; line: number }[] = [];
  for (const match of fileRefs(text)) {
    refs.push({ index: match.index, end: match.index + match.whole.length, reference: match.whole, file: resolveRef(match.path, finding.file, schemaFiles, exists), line: Number(match.line) });
  }
  for (const match of text.matchAll(LINE_REF)) {
    if (refs.some((ref) => match.index >= ref.index && match.index < ref.end)) continue;
    refs.push({ index: match.index, end: match.index + match[0].length, reference: match[0], file: finding.file, line: Number(match[1]) });
  }
  refs.sort((a, b) => a.index - b.index);
  let previousEnd = 0;
  for (const ref of refs) {
    const from = previousEnd;
    previousEnd = ref.end;
    if (ref.file === undefined || ref.line < 1) continue;
    const key = `${ref.file}:${ref.line}`;
    if (seen.has(key) || (ref.file === finding.file && ref.line === finding.line)) continue;
    seen.add(key);
    found.push({ file: ref.file, line: ref.line, reference: ref.reference, label: labelBefore(text, from, ref.index) ?? ref.reference });
  }
  return found;
}

function resolveRef(path: string, findingFile: string, schemaFiles: readonly string[], exists?: (file: string) => boolean): string | undefined {
  if (path.startsWith('/')) return undefined;
  const schemaFile = schemaFiles.find((file) => file === path || file.endsWith(`/${path}`));
  if (schemaFile) return schemaFile;
  if (path === findingFile) return path;
  if (!exists) return undefined;
  const bases: string[] = [];
  for (let dir = dirname(findingFile); ; dir = dirname(dir)) {
    bases.push(dir === '.' ? '' : `${dir}/`);
    if (dir === '.' || dir === '/' || dir === '') break;
  }
  // A path written from another package's root (`packages/cache/src/index.ts` named from the
  // workspace above the scanned folder) is tried without its leading folders too.
  const segments = path.split('/');
  for (let drop = 0; drop < segments.length - 1 || drop === 0; drop++) {
    const tail = segments.slice(drop).join('/');
    if (drop > 0 && segments.length - drop < 2) break;
    for (const base of bases) {
      const candidate = `${base}${tail}`;
      if (!candidate.startsWith('../') && exists(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * What a reference points at, from the words before it back to the start of the clause or the
 * previous reference: `` `Ticket.orgId` references the tenant `Organization` `` for
 * `(prisma/schema.prisma:20)`, `` `redis.set` `` for `(line 15)`.
 */
function labelBefore(text: string, from: number, index: number): string | undefined {
  // What closes the previous reference (`` `) ``) does not belong to this one.
  let clause = text.slice(from, index).replace(/^(?:`\))?[\s,]*/, '');
  const boundary = Math.max(clause.lastIndexOf('. '), clause.lastIndexOf(': '), clause.lastIndexOf('; '), clause.lastIndexOf('\n'));
  if (boundary !== -1) clause = clause.slice(boundary + 1);
  // Inside `(`new Redis()`, src/lib/redis.ts:6)` the parenthesis holds the label.
  let depth = 0;
  for (let i = clause.length - 1; i >= 0; i--) {
    if (clause[i] === ')') depth++;
    else if (clause[i] === '(' && depth-- === 0) {
      const inner = clause.slice(i + 1);
      if (/[^\s,`]/.test(inner)) clause = inner;
      else clause = clause.slice(0, i);
      break;
    }
  }
  // A backtick that opens the reference itself (`` (`src/routes.ts:7`) ``) is not part of the label.
  if ((clause.match(/`/g)?.length ?? 0) % 2 === 1) clause = clause.slice(0, clause.lastIndexOf('`'));
  // Trailing blanks, commas and parentheses, dropped by a loop: `/[\s,(]+$/` is quadratic over a long run of them.
  let cut = clause.length;
  while (cut > 0 && /[\s,(]/.test(clause[cut - 1])) cut--;
  const label = clause.slice(0, cut).trim();
  if (label === '') return undefined;
  // A long clause is named by its last code span (`` `store.rpush` ``), or not at all.
  if (label.length > 80) return /`[^`]+`(?=[^`]*$)/.exec(label)?.[0];
  return label;
}
