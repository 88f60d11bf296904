// Which SQL parser reads real migrations, and how fast: `node bench/sql-parsers.js <dir> [...dirs]`
// (after `npm run build`). Finds every migration .sql file under the directories (node_modules and
// *.down.sql skipped), splits statements with tenant-lint's splitter, then for each parser reports
// statements parsed, %, statements/s, and the statements it alone rejects / that neither accepts.
// Finally times the whole front end (split + parse + convert: parseSqlFile) without and with libpg-query.
// Never part of the test suite (no timed tests).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseSync } from 'libpg-query';
import { parse as parseAst } from 'pgsql-ast-parser';
import { loadSqlParsers } from '../dist/src/sql/libpg.js';
import { parseSqlFile } from '../dist/src/sql/parse.js';
import { splitStatements } from '../dist/src/sql/split.js';

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node bench/sql-parsers.js <dir> [...dirs]');
  process.exit(2);
}
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(path, out);
    else if (entry.isFile() && /\.sql$/i.test(entry.name) && !/\.down\.sql$/i.test(entry.name)) out.push(path);
  }
  return out;
}

const files = dirs.flatMap((dir) => walk(dir, []));
const texts = files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
const statements = [];
for (const { file, text } of texts) {
  for (const raw of splitStatements(text).statements) statements.push({ file, line: raw.line, text: raw.text, original: text.slice(raw.offset, raw.offset + raw.text.length) });
}
const bytes = texts.reduce((sum, t) => sum + t.text.length, 0);
console.log(`${files.length} files, ${statements.length} statements, ${(bytes / 1024).toFixed(0)} KiB`);

/** Parses every statement ROUNDS times (after one warm-up round); returns which ones failed and the rate. */
function measure(parse, field = 'text') {
  const failed = new Set();
  for (let i = 0; i < statements.length; i++) {
    try {
      parse(statements[i][field]);
    } catch {
      failed.add(i);
    }
  }
  const started = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    for (const statement of statements) {
      try {
        parse(statement[field]);
      } catch {
        // counted in the warm-up round
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { failed, perSecond: (statements.length * ROUNDS) / seconds };
}

function firstWords(text) {
  return text.replace(/\s+/g, ' ').split(' ').slice(0, 3).join(' ').toUpperCase();
}

function report(name, result) {
  const ok = statements.length - result.failed.size;
  console.log(
    `${name.padEnd(32)} ${String(ok).padStart(6)} / ${statements.length} parsed  ${((100 * ok) / statements.length).toFixed(1).padStart(5)} %  ` +
      `${Math.round(result.perSecond).toLocaleString('en-US').padStart(8)} statements/s`,
  );
}

function kinds(indexes) {
  const counts = new Map();
  for (const i of indexes) counts.set(firstWords(statements[i].text), (counts.get(firstWords(statements[i].text)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}x ${k}`);
}

function show(i) {
  const s = statements[i];
  return `  ${relative(process.cwd(), s.file)}:${s.line}  ${s.text.replace(/\s+/g, ' ').slice(0, 100)}`;
}

// The whole front end as tenant-lint runs it, per file: split, parse, convert to the statement model.
// Timed once before libpg-query is loaded (pgsql-ast-parser only, as a synchronous caller that did not
// await loadSqlParsers() would run) and once after.
function pipeline() {
  const started = performance.now();
  let failed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const { file, text } of texts) failed += parseSqlFile(text, file).stats.failed;
  }
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: (statements.length * ROUNDS) / seconds, failed: failed / ROUNDS };
}
const ast = measure((text) => parseAst(text, { locationTracking: true }));
const astComments = measure((text) => parseAst(text, { locationTracking: true }), 'original');
pipeline();
const withoutLibpg = pipeline();
await loadSqlParsers();
const libpg = measure((text) => parseSync(text));

console.log('\nper parser (each statement alone, comments blanked):');
report('pgsql-ast-parser', ast);
report('libpg-query', libpg);
report('pgsql-ast-parser, comments kept', astComments);

const neither = [...ast.failed].filter((i) => libpg.failed.has(i));
const onlyAst = [...libpg.failed].filter((i) => !ast.failed.has(i));
const onlyLibpg = [...ast.failed].filter((i) => !libpg.failed.has(i));
console.log(`\naccepted by libpg-query only: ${onlyLibpg.length}  (${kinds(onlyLibpg).slice(0, 12).join(', ')})`);
console.log(`accepted by pgsql-ast-parser only: ${onlyAst.length}`);
for (const i of onlyAst.slice(0, 20)) console.log(show(i));
console.log(`accepted by neither: ${neither.length}`);
for (const i of neither.slice(0, 50)) console.log(show(i));

pipeline();
const withLibpg = pipeline();
console.log(
  `\nparseSqlFile, libpg-query not loaded: ${Math.round(withoutLibpg.perSecond).toLocaleString('en-US')} statements/s, ${withoutLibpg.failed} diagnostics`,
);
console.log(
  `parseSqlFile, libpg-query first: ${Math.round(withLibpg.perSecond).toLocaleString('en-US')} statements/s, ${withLibpg.failed} diagnostics`,
);
