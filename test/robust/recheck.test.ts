/**
 * Every regular expression literal of src/ is checked with the ReDoS checker `recheck` (offline: its
 * bundled checker, no network), and every `new RegExp(...)` is a reviewed site (issue 17). A literal
 * recheck does not call safe is accepted only with a reason: it never sees scanned text, or its
 * input is bounded (one file name), or recheck's verdict is a false positive or a timeout and an
 * adversarial test in redos.test.ts proves it linear.
 *
 * recheck takes about 50 s for all ~380 literals, so literals it already called safe are cached in
 * recheck-safe.json (keyed by source and flags: a changed expression is checked again). Refresh the
 * cache, checking everything: TENANT_LINT_RECHECK_UPDATE=1 npx vitest run test/robust/recheck.test.ts
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkSync } from 'recheck';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const CACHE = join(import.meta.dirname, 'recheck-safe.json');
const UPDATE = process.env.TENANT_LINT_RECHECK_UPDATE === '1';

const LINEAR_IN_V8 = 'recheck flags it, but V8 tries `^` with the m flag only at line starts: linear; adversarial input in redos.test.ts';
const FILE_NAME = 'applied to one file name (at most 255 bytes): bounded input';
const OWN_DOCS = "applied to tenant-lint's own docs/rules/*.md (explain), never to scanned text";
const TIMEOUT_LINEAR = 'recheck times out (lookbehinds, alternation); linear in V8: adversarial input in redos.test.ts';
const FUZZ_LINEAR = "recheck's fuzzer calls it polynomial; linear in V8 on its attack string: adversarial input in redos.test.ts";

/** Literals recheck does not call safe, each with why it is acceptable. Keyed by `/source/flags`. */
const ACCEPTED: Record<string, string> = {
  '/^[^\\S\\r\\n]*--\\s*(?:migrate:down|\\+goose\\s+down|\\+migrate\\s+down)/im': LINEAR_IN_V8,
  '/^[^\\S\\r\\n]*provider[^\\S\\r\\n]*=[^\\S\\r\\n]*"([^"\\r\\n]+)"/m': LINEAR_IN_V8,
  '/^\\d+[^/]*\\.sql$/i': FILE_NAME,
  '/__.*$/': FILE_NAME,
  '/\\s*\\n\\s*/g': OWN_DOCS,
  '/<!--[\\s\\S]*?-->\\n?/g': OWN_DOCS,
  '/^\\s*(`{3,}|~{3,})(.*)$/': OWN_DOCS,
  '/\\]\\(([^)\\s]+)\\)/g': OWN_DOCS,
  '/^(#{1,6})\\s+(.*)$/': OWN_DOCS,
  '/\\[([^\\]]*)\\]\\(([^)\\s]+)\\)/g': OWN_DOCS,
  '/sqlc\\.n?arg\\([^()]*\\)|(?<![:\\w$@]):[A-Za-z_]\\w*|(?<![\\w@])@[A-Za-z_]\\w*/g': TIMEOUT_LINEAR,
  '/(?<![\\w/.@-])((?:[\\w@.[\\]-][\\w@.[\\]()-]*\\/)*[\\w@.[\\]-]+\\.[A-Za-z]\\w*):(\\d+)(?![\\d:])/g': 'applied per word of at most 256 characters (report/related.ts fileRefs): bounded input',
  '/(?:\\bfrom\\s*|\\bimport\\s*\\(\\s*|\\bimport\\s+|\\brequire\\s*\\(\\s*)[\'"](?:(?:drizzle-orm\\/(?:pg|mysql|sqlite)-core|typeorm|sequelize(?:-typescript)?|(?:@nestjs\\/)?mongoose|knex|kysely|@mikro-orm\\/[\\w/-]+)[\'"]|(drizzle-orm)[\'"])|\\.(?:belongsTo(?:Many)?|hasMany|hasOne)\\s*\\(|\\.schema\\s*\\.\\s*(?:withSchema\\s*\\([^()]*\\)\\s*\\.\\s*)?(?:createTable(?:IfNotExists)?|alterTable)\\s*\\(/g': FUZZ_LINEAR,
  '/\\bexports\\.up\\b|\\bmodule\\.exports\\s*=\\s*\\{|\\bexport\\s+(?:async\\s+)?function\\s+up\\b|\\bexport\\s+const\\s+up\\b/': TIMEOUT_LINEAR,
};

/** `new RegExp(...)` sites per file, each reviewed: what the pattern is built from. */
const DYNAMIC: Record<string, [number, string]> = {
  'src/cli.ts': [1, 'constant source extensions (stdin file names)'],
  'src/analyze/sql-files.ts': [1, 'a constant placeholder pattern without its g flag'],
  'src/flow/callers.ts': [2, 'a function name of ASCII word characters (WORD), `$` escaped: its member read or string, and its declaration; no nested quantifiers (namedElsewhere)'],
  'src/orm/kysely-client.ts': [1, 'constant callback names (NESTED_CALLBACKS) with two more alternatives'],
  'src/sql/clickhouse.ts': [1, 'the constant parameter pattern without its g flag'],
  'src/orm/mongoose-plugins.ts': [1, 'a scanned hook pattern, bounded in size and run only against method names (mongoose-plugins.ts)'],
  'src/orm/typeorm-builder.ts': [2, 'a scanned alias and column, through escapeRegExp'],
  'src/orm/typeorm-where.ts': [2, 'constants'],
  'src/project/project.ts': [1, 'constant enabler module names, escaped'],
  'src/report/sarif.ts': [1, 'a reference escaped character by character'],
  'src/scan/large-files.ts': [1, 'constant operation names, escaped; no adjacent optional spaces (run on up to 32 MB)'],
  'src/scan/targets.ts': [1, 'constant extensions'],
  'src/schema/ts-sources.ts': [1, 'module names through escapeRegExp'],
  'src/sql/parse.ts': [1, 'constants'],
  'src/sql/text.ts': [1, 'a constant keyword expression made sticky'],
};

interface Literal {
  file: string;
  line: number;
  source: string;
  flags: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function scanSources(): { literals: Literal[]; dynamic: Map<string, number> } {
  const literals: Literal[] = [];
  const dynamic = new Map<string, number>();
  for (const path of sourceFiles(join(REPO, 'src'))) {
    const file = relative(REPO, path).split('\\').join('/');
    const source = ts.createSourceFile(file, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = node.getText(source);
        const slash = text.lastIndexOf('/');
        literals.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, source: text.slice(1, slash), flags: text.slice(slash + 1) });
      }
      if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && node.expression.getText(source) === 'RegExp') dynamic.set(file, (dynamic.get(file) ?? 0) + 1);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { literals, dynamic };
}

const key = (literal: Pick<Literal, 'source' | 'flags'>) => `/${literal.source}/${literal.flags}`;

describe('ReDoS: regular expressions of src/', () => {
  const { literals, dynamic } = scanSources();

  it('finds the literals (control)', () => {
    expect(literals.length).toBeGreaterThan(300);
    expect(literals.some((l) => l.file === 'src/core/suppressions.ts')).toBe(true);
  });

  it('every literal is safe for recheck, or accepted with a reason', { timeout: UPDATE ? 900_000 : 300_000 }, () => {
    const cached = new Set<string>(!UPDATE && existsSync(CACHE) ? (JSON.parse(readFileSync(CACHE, 'utf8')) as string[]) : []);
    const safe = new Set<string>();
    const problems: string[] = [];
    for (const literal of literals) {
      const id = key(literal);
      if (ACCEPTED[id] || safe.has(id)) continue;
      if (cached.has(id)) {
        safe.add(id);
        continue;
      }
      // The g, y and d flags do not change backtracking; recheck takes the others.
      const result = checkSync(literal.source, literal.flags.replace(/[gyd]/g, ''), { timeout: 10_000 });
      if (result.status === 'safe') safe.add(id);
      else problems.push(`${literal.file}:${literal.line} ${id}: ${result.status}${result.status === 'vulnerable' ? ` (${result.complexity.summary}; attack ${result.attack.pattern})` : ''}`);
    }
    if (UPDATE) writeFileSync(CACHE, `${JSON.stringify([...safe].sort(), null, 1)}\n`);
    expect(problems).toEqual([]);
  });

  it('every accepted literal still exists (the list stays honest)', () => {
    const present = new Set(literals.map(key));
    expect(Object.keys(ACCEPTED).filter((id) => !present.has(id))).toEqual([]);
  });

  it('every RegExp built at run time is a reviewed site', () => {
    expect(Object.fromEntries([...dynamic].sort())).toEqual(Object.fromEntries(Object.entries(DYNAMIC).map(([file, [count]]) => [file, count])));
  });

  it('recheck itself works here, offline (control: it flags a known catastrophic expression)', { timeout: 120_000 }, () => {
    expect(checkSync('^(a+)+$', '', { timeout: 60_000 }).status).toBe('vulnerable');
  });
});
