#!/usr/bin/env node
// Writes a hostile repository for tenant-lint (issue 17): every input an attacker controls in a
// repository that an auditor scans or that CI scans on a pull request. Nothing here is executed by
// tenant-lint; the JavaScript files write a canary file when run, so a test can prove they never were.
//
//   node scripts/hostile-repo.mjs <outdir>                        # the cases, at sizes that run in seconds
//   TENANT_LINT_HOSTILE_BIG=1 node scripts/hostile-repo.mjs <outdir>   # plus the big ones (100k statements...)
//
// Layout of <outdir>:
//   repo/          the hostile repository (scan it: a report must come out)
//   variants/*/    repositories whose root itself is hostile (a config that is a FIFO...): exit 2, promptly
//   outside/       files outside the scanned trees that symlinks point at (must be neither read into a report nor written)
//   canaries/      must stay empty: a file here means scanned code or configuration was executed
//   manifest.json  every case: id, path, what it attacks
//
// POSIX only for FIFOs and symlinks (skipped elsewhere, and said so in the manifest).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node scripts/hostile-repo.mjs <outdir>\n');
  process.exit(2);
}
const OUT = resolve(out);
const BIG = process.env.TENANT_LINT_HOSTILE_BIG === '1';
const POSIX = process.platform !== 'win32';

rmSync(OUT, { recursive: true, force: true });
const manifest = { big: BIG, posix: POSIX, cases: [] };

function note(id, path, attack, expect, extra = {}) {
  manifest.cases.push({ id, path, attack, expect, ...extra });
}

function write(path, content) {
  const full = join(OUT, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

function fifo(path) {
  if (!POSIX) return false;
  const full = join(OUT, path);
  mkdirSync(dirname(full), { recursive: true });
  execFileSync('mkfifo', [full]);
  return true;
}

function link(path, target) {
  if (!POSIX) return false;
  const full = join(OUT, path);
  mkdirSync(dirname(full), { recursive: true });
  symlinkSync(target, full);
  return true;
}

/** A relative symlink target from `path` (inside OUT) to `to` (inside OUT). */
function relTarget(path, to) {
  return relative(dirname(join(OUT, path)), join(OUT, to));
}

/** JavaScript that writes canaries/<name> when executed: CommonJS or ESM, with the path relative to the file. */
function sideEffect(path, name, kind = 'cjs') {
  const up = relative(dirname(join(OUT, path)), OUT).split('\\').join('/') || '.';
  if (kind === 'cjs') {
    return `require('fs').writeFileSync(require('path').join(__dirname, ${JSON.stringify(up)}, 'canaries', ${JSON.stringify(name)}), 'executed');\nmodule.exports = {};\n`;
  }
  return `import { writeFileSync } from 'node:fs';\nwriteFileSync(new URL(${JSON.stringify(`${up}/canaries/${name}`)}, import.meta.url), 'executed');\nexport default {};\n`;
}

function shellCanary(name) {
  return `node -e "require('fs').writeFileSync('canaries-${name}', 'executed')"; touch ../canaries/${name}`;
}

// ---------------------------------------------------------------- outside the scanned tree
write('outside/victim.txt', 'original\n');
write('outside/victim-baseline.txt', 'original\n');
write('outside/secret.sql', 'CREATE TABLE canary_outside_table (id uuid PRIMARY KEY, canary_outside_column text);\n');
write('outside/secret.ts', "export const canaryOutsideSource = 'canary_outside_source';\n");
write('outside/secret.prisma', 'model CanaryOutsideModel {\n  id String @id\n}\n');
write('outside/tsconfig.base.json', JSON.stringify({ compilerOptions: { strict: true, plugins: [{ name: 'evil-ts-plugin' }] } }));
mkdirSync(join(OUT, 'canaries'), { recursive: true });

// ---------------------------------------------------------------- the repository
const SCHEMA = `// A comment that tries to draw on the terminal: \u001b[2J\u001b[H\u001b]8;;https://example.invalid\u0007link\u001b]8;;\u0007

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id       String    @id
  invoices Invoice[]
  notes    Note[]
  audits   Audit[]
}

model Invoice {
  id           String       @id
  orgId        String
  organization Organization @relation(fields: [orgId], references: [id])

  @@index([orgId, id])
}

// An empty model: prisma-ast leaves its properties undefined.
model Empty {
}

// One syntax error: only this model may be lost.
model Note {
  id    String @id
  orgId String
  org   Organization @relation(fields: [orgId], references: [id])
  body  String @@@ not prisma
}

// A relation to a misspelled model.
model Audit {
  id    String       @id
  orgId String
  org   Organisation @relation(fields: [orgId], references: [id])
  other Organization @relation(fields: [orgId], references: [id], map: "audit_org")
}
`;
write('repo/prisma/schema.prisma', SCHEMA);
note('prisma-empty-model', 'repo/prisma/schema.prisma', 'an empty Prisma model (crashed schema reading)', 'read; no crash');
note('prisma-one-syntax-error', 'repo/prisma/schema.prisma', 'one model with a syntax error among good ones (dropped the whole schema)', 'that model only is lost, with a schema-error diagnostic');
note('prisma-misspelled-relation', 'repo/prisma/schema.prisma', 'a relation to a misspelled model', 'recorded in the report');
note('prisma-terminal-comment', 'repo/prisma/schema.prisma', 'ESC/OSC sequences in a schema comment', 'never reach the terminal');

write(
  'repo/package.json',
  `${JSON.stringify(
    {
      name: 'hostile-app',
      main: 'index.js',
      version: '1.0.0',
      scripts: {
        preinstall: shellCanary('preinstall'),
        postinstall: shellCanary('postinstall'),
        prepare: shellCanary('prepare'),
        pretest: shellCanary('pretest'),
        test: shellCanary('test'),
        lint: shellCanary('lint'),
      },
      dependencies: { '@prisma/client': '5.0.0', pg: '8.0.0' },
      prisma: { schema: 'prisma/schema.prisma', seed: shellCanary('prisma-seed') },
      'prisma-ast': { parser: { nodeLocationTracking: 'none' } },
      eslintConfig: { plugins: ['evil'] },
    },
    null,
    2,
  )}\n`,
);
note('package-scripts', 'repo/package.json', 'install/prepare/test scripts and a Prisma seed command that write canaries', 'never run');

const DB = `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`;
const LEAK = `import { prisma } from './db';\nexport function getInvoice(id: string) {\n  return prisma.invoice.findFirst({ where: { id } });\n}\n`;
write('repo/src/db.ts', DB);
write('repo/src/invoices.ts', LEAK);
note('real-leak', 'repo/src/invoices.ts', 'an ordinary leak (line 3) among the hostile files', 'always reported: the scan never passes silently');

// Many small functions on one line: the flow analysis is quadratic in functions per file (2,000: 13 s), so kept moderate.
const perLine = BIG ? 2_000 : 500;
write('repo/src/long-line.ts', `import { prisma } from './db';\n${Array.from({ length: perLine }, (_, i) => `export const f${i} = (id: string) => prisma.invoice.findFirst({ where: { id } });`).join(' ')}\n`);
note('long-line', 'repo/src/long-line.ts', `one line holding ${perLine} findings, one small function each ("Invalid string length" lost the whole scan)`, 'every finding reported, in bounded frames', { big: true });
const perFunction = 300;
write('repo/src/many-in-one-function.ts', `import { prisma } from './db';\nexport const all = (id: string) => [${'prisma.invoice.findFirst({ where: { id } }), '.repeat(perFunction)}];\n`);
note('many-sites-one-function', 'repo/src/many-in-one-function.ts', `${perFunction} unscoped queries in one function`, 'every finding reported (the entry-point and admin-check analysis is quadratic in sites per function: kept small here)');

write(
  'repo/src/terminal-attack.ts',
  `import { prisma } from './db';\n/* \u001b[2K\r\u001b[1A\u001b[2KNo tenant-isolation findings.\u001b]0;pwned\u0007 \u001b]8;;https://example.invalid\u0007click\u001b]8;;\u0007 \u202eevil\u202c */\nexport const t = (id: string) => prisma.invoice.findFirst({ where: { id } }); /* \r\u001b[32mOK\u001b[0m */\n`,
);
note('terminal-comment', 'repo/src/terminal-attack.ts', 'ESC, OSC 8, CR, BEL and a bidi override in comments on a finding line', 'shown escaped in text output');

const controlNames = POSIX ? ['ctrl-\u001b[31mred.ts', 'new\nline.ts', 'carriage\rreturn.ts', 'bidi-\u202egnp.ts', 'bell\u0007.ts'] : [];
for (const name of controlNames) write(`repo/src/names/${name}`, LEAK.replace("'./db'", "'../db'"));
if (controlNames.length) note('control-file-names', 'repo/src/names/', 'file names with ESC, LF, CR, BEL and a bidi override, each holding a leak', 'reported with the names escaped; no line injected into reports');

write('repo/src/nul.ts', `${LEAK}\u0000\n`);
note('nul-byte', 'repo/src/nul.ts', 'a source file with one NUL byte', 'skipped as binary, with a diagnostic');
write('repo/src/huge.ts', `${LEAK}${'// padding\n'.repeat(110_000)}`);
note('over-1mb', 'repo/src/huge.ts', 'a source file over 1 MB', 'skipped as too large, with a diagnostic');

// Regular expressions that used to backtrack on scanned text (issue 17), at sizes the old ones never finished.
write('repo/src/redos-suppression.ts', `/* tenant-lint-ignore x${' '.repeat(BIG ? 1_000_000 : 200_000)}x\ny */\n/* eslint-disable a${' '.repeat(BIG ? 1_000_000 : 200_000)}\nb */\nexport const r = 1;\n`);
write('repo/src/redos-typeorm.ts', `import { DataSource } from 'typeorm';\nconst ds = new DataSource({ type: 'postgres' });\nexport const q = ds.createQueryBuilder().select('x').from('invoice', '(a+)+$').where('(a+)+$.orgId${' '.repeat(100_000)}= :org').getMany();\n`);
write('repo/src/redos-mongoose.ts', `import mongoose from 'mongoose';\nconst s = new mongoose.Schema({ orgId: String });\ns.pre(/${'(a|a)*'.repeat(20)}$/, function () {});\nexport const M = mongoose.model('M', s);\n`);
note('redos-suppression', 'repo/src/redos-suppression.ts', 'tenant-lint-ignore and eslint-disable comments of a long run of blanks before a second line (the suppression parsers backtracked)', 'linear time', { big: true });
note('redos-typeorm', 'repo/src/redos-typeorm.ts', 'a TypeORM alias `(a+)+$` (a RegExp was built from it) and a where string of 100,000 blanks', 'linear time; the alias escaped');
note('redos-mongoose', 'repo/src/redos-mongoose.ts', 'a Mongoose pre-hook pattern `/((a|a)*){20}$/` (the hook reader ran scanned patterns)', 'the pattern never run against long text')

// Special files and links among the sources.
if (fifo('repo/src/pipe.ts')) note('fifo-source', 'repo/src/pipe.ts', 'a FIFO named like a source file (blocked forever)', 'not read; a diagnostic');
if (link('repo/src/zero.ts', '/dev/zero')) note('devzero-source', 'repo/src/zero.ts', 'a symlink to /dev/zero (read to 3 GB)', 'not read; a diagnostic');
if (link('repo/src/urandom.ts', '/dev/urandom')) note('urandom-source', 'repo/src/urandom.ts', 'a symlink to /dev/urandom', 'not read; a diagnostic');
if (link('repo/src/environ.ts', '/proc/self/environ')) note('environ-source', 'repo/src/environ.ts', "a symlink to /proc/self/environ (the scanner's environment)", 'not read; no secret in any output');
if (link('repo/src/outside.ts', relTarget('repo/src/outside.ts', 'outside/secret.ts'))) note('outside-source', 'repo/src/outside.ts', 'a symlink to a file outside the scanned tree', 'not read');
if (link('repo/src/loop', '..')) note('dir-loop', 'repo/src/loop', 'a directory symlink loop', 'not followed');
if (link('repo/src/root', '/')) {
  // With --types, TypeScript's own ts.sys followed src/root into / from `include: ['src']`: out of memory (4 GB, 90 s).
  note('dir-root', 'repo/src/root', 'a symlink to / (with --types, tsconfig `include: [\'src\']` enumerated / through it)', 'not followed, with or without --types', {
    run: { cwd: 'repo', args: ['--types'] },
  });
}

// Deep nesting.
const deep = Array.from({ length: 60 }, () => 'd').join('/');
write(`repo/deep/${deep}/leaf.ts`, 'export const leaf = 1;\n');
note('deep-nesting', 'repo/deep/', 'a 60-level directory chain', 'walked without trouble');

// JavaScript and TypeScript that would run if anything executed the repository's files.
const jsConfigs = [
  ['repo/eslint.config.js', 'eslint-config', 'cjs'],
  ['repo/eslint.config.mjs', 'eslint-config-mjs', 'esm'],
  ['repo/.eslintrc.js', 'eslintrc', 'cjs'],
  ['repo/prisma.config.ts', 'prisma-config', 'esm'],
  ['repo/drizzle.config.ts', 'drizzle-config', 'esm'],
  ['repo/tenant-lint.config.js', 'tenant-lint-config-js', 'cjs'],
  ['repo/tenant-lint.config.mjs', 'tenant-lint-config-mjs', 'esm'],
  ['repo/.tenant-lintrc.js', 'tenant-lintrc-js', 'cjs'],
  ['repo/.prisma-astrc.js', 'prisma-astrc', 'cjs'],
  ['repo/.prisma-astrc.cjs', 'prisma-astrc-cjs', 'cjs'],
  ['repo/prisma-ast.config.js', 'prisma-ast-config', 'cjs'],
  ['repo/vitest.config.ts', 'vitest-config', 'esm'],
  ['repo/jest.config.js', 'jest-config', 'cjs'],
  ['repo/babel.config.js', 'babel-config', 'cjs'],
  ['repo/next.config.js', 'next-config', 'cjs'],
  ['repo/postcss.config.js', 'postcss-config', 'cjs'],
  ['repo/knexfile.js', 'knexfile', 'cjs'],
  ['repo/ormconfig.js', 'ormconfig', 'cjs'],
  ['repo/.sequelizerc', 'sequelizerc', 'cjs'],
  ['repo/node_modules/@prisma/client/index.js', 'prisma-client-module', 'cjs'],
  ['repo/node_modules/.prisma/client/index.js', 'generated-prisma-client', 'cjs'],
  ['repo/node_modules/evil-ts-plugin/index.js', 'tsserver-plugin', 'cjs'],
  ['repo/node_modules/typescript/lib/typescript.js', 'fake-typescript', 'cjs'],
  ['repo/src/side-effect.ts', 'scanned-module', 'esm'],
];
for (const [path, name, kind] of jsConfigs) write(path, sideEffect(path, name, kind));
write('repo/node_modules/@prisma/client/package.json', JSON.stringify({ name: '@prisma/client', main: 'index.js' }));
write('repo/node_modules/evil-ts-plugin/package.json', JSON.stringify({ name: 'evil-ts-plugin', main: 'index.js' }));
write('repo/.husky/pre-commit', `#!/bin/sh\n${shellCanary('husky')}\n`);
write('repo/.git-hooks/post-checkout', `#!/bin/sh\n${shellCanary('git-hook')}\n`);
note('side-effect-configs', 'repo/*.config.*, node_modules/', `${jsConfigs.length} JS/TS configs and modules (ESLint, Prisma, Drizzle, tenant-lint .js configs, lilconfig's prisma-ast, test runners, a tsserver plugin, a fake typescript) that write a canary when run`, 'never executed');

// tsconfig: an extends loop, a chain leaving the tree, a plugin.
write('repo/tsconfig.json', JSON.stringify({ extends: './tsconfig.loop-a.json', compilerOptions: { strict: true, plugins: [{ name: 'evil-ts-plugin' }] }, include: ['src'] }));
write('repo/tsconfig.loop-a.json', JSON.stringify({ extends: './tsconfig.loop-b.json' }));
write('repo/tsconfig.loop-b.json', JSON.stringify({ extends: './tsconfig.json' }));
note('tsconfig-loop', 'repo/tsconfig*.json', 'a tsconfig extends loop and a tsserver plugin (with --types)', 'no hang; plugin never loaded');
write('repo/packages/ts-outside/package.json', JSON.stringify({ name: 'ts-outside' }));
write('repo/packages/ts-outside/tsconfig.json', JSON.stringify({ extends: '../../../outside/tsconfig.base.json' }));
write('repo/packages/ts-outside/src/a.ts', 'export const a = 1;\n');
note('tsconfig-outside', 'repo/packages/ts-outside/tsconfig.json', 'extends a tsconfig outside the scanned tree', 'no crash; nothing of it in the report');

// Planted symlinks for the files the CLI writes.
if (link('repo/tenant-lint.sarif', relTarget('repo/tenant-lint.sarif', 'outside/victim.txt'))) note('output-symlink', 'repo/tenant-lint.sarif', '--output tenant-lint.sarif through a planted symlink to a file outside', 'refused (exit 2); the target unchanged', { run: { cwd: 'repo', args: ['--format', 'sarif', '--output', 'tenant-lint.sarif'] } });
if (link('repo/reports', relTarget('repo/reports', 'outside'))) note('output-dir-symlink', 'repo/reports', '--output reports/r.json through a planted symlink to a folder outside', 'refused (exit 2); nothing written outside', { run: { cwd: 'repo', args: ['--format', 'json', '--output', 'reports/r.json'] } });
if (link('repo/written-baseline.json', relTarget('repo/written-baseline.json', 'outside/victim-baseline.txt'))) note('write-baseline-symlink', 'repo/written-baseline.json', '--write-baseline written-baseline.json through a planted symlink', 'refused; the target unchanged', { run: { cwd: 'repo', args: ['--write-baseline', 'written-baseline.json'] } });
if (link('repo/baseline-zero.json', '/dev/zero')) note('baseline-devzero', 'repo/baseline-zero.json', '--baseline baseline-zero.json, a symlink to /dev/zero', 'refused promptly (exit 2); no unbounded read', { run: { cwd: 'repo', args: ['--baseline', 'baseline-zero.json'] } });
if (link('repo/baseline-environ.json', '/proc/self/environ')) note('baseline-environ', 'repo/baseline-environ.json', '--baseline baseline-environ.json, a symlink to /proc/self/environ', 'refused (exit 2); no secret in the message', { run: { cwd: 'repo', args: ['--baseline', 'baseline-environ.json'] } });

// A package with SQL: migrations with links, FIFOs and junk; query files with another dialect.
write('repo/packages/sqlapp/package.json', JSON.stringify({ name: 'sqlapp', dependencies: { pg: '8.0.0' } }));
// The root project reads every migration folder of the tree: notes references the Prisma tenant root.
write('repo/packages/sqlapp/migrations/0001_init.sql', 'CREATE TABLE notes (id text PRIMARY KEY, org_id text NOT NULL REFERENCES "Organization"(id), body text);\nCREATE INDEX notes_org ON notes (org_id, id);\n');
write('repo/packages/sqlapp/migrations/0002_junk.sql', 'this is not sql;\nneither -- is this\n;\nALTER TABLE notes ADD COLUMN title text;\n%%% @@@ ;\n');
note('junk-migration', 'repo/packages/sqlapp/migrations/0002_junk.sql', 'a second migration with junk statements (dropped the whole folder)', 'only its junk statements are lost');
write('repo/packages/sqlapp/migrations/0003_do.sql', `DO $$ BEGIN ${'EXCEPTION END '.repeat(BIG ? 150_000 : 20_000)}END $$ LANGUAGE sql;\n`);
note('redos-do-block', 'repo/packages/sqlapp/migrations/0003_do.sql', 'a DO block of many EXCEPTION/END words', 'linear time', { big: true });
if (link('repo/packages/sqlapp/migrations/0004_env.sql', '/proc/self/environ')) note('environ-migration', 'repo/packages/sqlapp/migrations/0004_env.sql', 'a migration that is a symlink to /proc/self/environ (leaked a CI token into SARIF)', 'not read; no secret in any output');
if (link('repo/packages/sqlapp/migrations/0005_zero.sql', '/dev/zero')) note('devzero-migration', 'repo/packages/sqlapp/migrations/0005_zero.sql', 'a migration that is a symlink to /dev/zero', 'not read');
if (fifo('repo/packages/sqlapp/migrations/0006_pipe.sql')) note('fifo-migration', 'repo/packages/sqlapp/migrations/0006_pipe.sql', 'a migration that is a FIFO', 'not read');
if (link('repo/packages/sqlapp/migrations/0007_outside.sql', relTarget('repo/packages/sqlapp/migrations/0007_outside.sql', 'outside/secret.sql'))) note('outside-migration', 'repo/packages/sqlapp/migrations/0007_outside.sql', 'a migration that is a symlink to a .sql file outside the tree', 'not read');
if (link('repo/packages/sqlapp/migrations/loop', '.')) note('migration-loop', 'repo/packages/sqlapp/migrations/loop', 'a symlink loop inside the migrations folder (the glob ran until killed)', 'not followed');
if (link('repo/packages/sqlapp/migrations/up', '..')) note('migration-up-loop', 'repo/packages/sqlapp/migrations/up', 'a symlink to the parent of the migrations folder', 'not followed');
const migrationStatements = BIG ? 100_000 : 2_000;
write('repo/packages/sqlapp/migrations/0008_many.sql', Array.from({ length: migrationStatements }, (_, i) => `ALTER TABLE notes ADD COLUMN IF NOT EXISTS c${i} int;`).join('\n'));
note('many-migration-statements', 'repo/packages/sqlapp/migrations/0008_many.sql', `a migration of ${migrationStatements} statements`, 'folded in bounded time', { big: true });
write(
  'repo/packages/sqlapp/queries/notes.sql',
  [
    '-- name: GetNote :one',
    'SELECT * FROM notes WHERE id = :id;',
    '',
    '-- name: MysqlOnly :many',
    'SELECT * FROM notes LIMIT 1, 2;',
    '',
    `-- tenant-lint-ignore a${' '.repeat(BIG ? 1_000_000 : 100_000)}x`,
    '-- name: ListNotes :many',
    'SELECT * FROM notes WHERE org_id = sqlc.arg(org_id);',
    '',
    '-- name: Sneaky :one',
    '-- \u001b[2J\u001b[HNo tenant-isolation findings.',
    'DELETE FROM notes WHERE id = @id;',
    `SELECT * FROM notes WHERE id = ${'sqlc.arg('.repeat(BIG ? 100_000 : 10_000)};`,
    '',
  ].join('\n'),
);
note('sql-other-dialect', 'repo/packages/sqlapp/queries/notes.sql', 'one MySQL statement among PostgreSQL queries (dropped every query in the file), a ReDoS suppression line, unclosed sqlc.arg(, ESC in a comment', 'only the bad statements are lost, each an undecided site', { big: true });
const oneLine = BIG ? 100_000 : 2_000;
write('repo/packages/sqlapp/queries/one-line.sql', `${'SELECT * FROM notes WHERE id = $1; '.repeat(oneLine)}\n`);
note('sql-long-line', 'repo/packages/sqlapp/queries/one-line.sql', `one line of ${oneLine} statements, each a finding: a long line holding many findings`, 'every finding reported; text frames bounded; no "Invalid string length"', { big: true });
const queryStatements = BIG ? 100_000 : 2_000;
write('repo/packages/sqlapp/queries/many.sql', '-- é\nSELECT * FROM notes WHERE id = $1;\n'.repeat(queryStatements));
note('many-query-statements', 'repo/packages/sqlapp/queries/many.sql', `a query file of ${queryStatements} statements, each a finding (quadratic: 80 s at 20k)`, 'linear time; every finding reported', { big: true });
if (fifo('repo/packages/sqlapp/queries/pipe.sql')) note('fifo-query-file', 'repo/packages/sqlapp/queries/pipe.sql', 'a .sql query file that is a FIFO', 'not read; a diagnostic');
if (link('repo/packages/sqlapp/queries/outside.sql', relTarget('repo/packages/sqlapp/queries/outside.sql', 'outside/secret.sql'))) note('outside-query-file', 'repo/packages/sqlapp/queries/outside.sql', 'a .sql query file that is a symlink outside the tree', 'not read');
write('repo/packages/sqlapp/src/notes.ts', "import { Pool } from 'pg';\nconst pool = new Pool();\nexport const note = (id: string) => pool.query('SELECT * FROM notes WHERE id = $1', [id]);\n");

// Nested packages whose own config or package.json is hostile: each costs that package's settings.
// Each has a schema of its own, so that it is a project and its config and package.json are read.
const SMALL_SCHEMA = 'model Organization {\n  id    String @id\n  teams Team[]\n}\n\nmodel Team {\n  id    String       @id\n  orgId String\n  org   Organization @relation(fields: [orgId], references: [id])\n\n  @@index([orgId, id])\n}\n';
for (const pkg of ['fifo-config', 'zero-config', 'fifo-package', 'environ-package', 'broken-package', 'outside-schema']) {
  write(`repo/packages/${pkg}/prisma/schema.prisma`, SMALL_SCHEMA);
}
write('repo/packages/fifo-config/package.json', JSON.stringify({ name: 'fifo-config' }));
write('repo/packages/fifo-config/src/a.ts', 'export const a = 1;\n');
if (fifo('repo/packages/fifo-config/tenant-lint.config.json')) note('fifo-nested-config', 'repo/packages/fifo-config/tenant-lint.config.json', "a nested package's config that is a FIFO", 'that package analysed with the root settings; a diagnostic');
write('repo/packages/zero-config/package.json', JSON.stringify({ name: 'zero-config' }));
write('repo/packages/zero-config/src/a.ts', 'export const a = 1;\n');
if (link('repo/packages/zero-config/.tenant-lintrc.json', '/dev/zero')) note('devzero-nested-config', 'repo/packages/zero-config/.tenant-lintrc.json', "a nested package's config that is a symlink to /dev/zero", 'not read; a diagnostic');
write('repo/packages/fifo-package/src/a.ts', 'export const a = 1;\n');
if (fifo('repo/packages/fifo-package/package.json')) note('fifo-nested-package-json', 'repo/packages/fifo-package/package.json', 'a nested package.json that is a FIFO', 'a diagnostic; no hang');
write('repo/packages/environ-package/src/a.ts', 'export const a = 1;\n');
if (link('repo/packages/environ-package/package.json', '/proc/self/environ')) note('environ-nested-package-json', 'repo/packages/environ-package/package.json', 'a nested package.json that is a symlink to /proc/self/environ', 'not read; no secret in any output');
write('repo/packages/broken-package/package.json', '{ "name": ');
write('repo/packages/broken-package/src/a.ts', 'export const a = 1;\n');
note('broken-nested-package-json', 'repo/packages/broken-package/package.json', 'a nested package.json that is not JSON (aborted the scan)', 'a diagnostic; the scan goes on');
write('repo/packages/env-schema/package.json', JSON.stringify({ name: 'env-schema', dependencies: { '@prisma/client': '5' } }));
write('repo/packages/env-schema/src/a.ts', 'export const a = 1;\n');
if (link('repo/packages/env-schema/prisma/schema.prisma', '/proc/self/environ')) note('environ-schema', 'repo/packages/env-schema/prisma/schema.prisma', 'a schema.prisma that is a symlink to /proc/self/environ', 'not read; no secret in any output');
write('repo/packages/outside-schema/package.json', JSON.stringify({ name: 'outside-schema', dependencies: { '@prisma/client': '5' }, tenantLint: { schema: ['../../../outside/secret.prisma'], migrations: ['../../../outside/*.sql'] } }));
write('repo/packages/outside-schema/src/a.ts', 'export const a = 1;\n');
note('config-points-outside', 'repo/packages/outside-schema/package.json', 'a repository config whose schema and migrations point outside the scanned tree', 'nothing of the outside files in the report');
write('repo/packages/prisma-redos/package.json', JSON.stringify({ name: 'prisma-redos', dependencies: { '@prisma/client': '5' } }));
write('repo/packages/prisma-redos/prisma/schema.prisma', `${'{//'.repeat(BIG ? 333_333 : 50_000)}\n`);
note('redos-prisma', 'repo/packages/prisma-redos/prisma/schema.prisma', 'a Prisma line of `{//` repeated', 'linear time; a schema-error diagnostic', { big: true });

// Auditor trust: a disable/enable pair around harmless code must not silence a later leak.
write('repo/src/eslint-enable.ts', `import { prisma } from './db';\n/* eslint-disable tenant-lint/require-tenant-filter */\nexport const harmless = 1;\n/* eslint-enable tenant-lint/require-tenant-filter */\nexport const e = (id: string) => prisma.invoice.findFirst({ where: { id } });\n`);
note('eslint-enable', 'repo/src/eslint-enable.ts', 'an eslint-disable/eslint-enable pair around harmless code, a leak after it (the scanner ignored eslint-enable)', 'the leak (line 5) reported');

// Prisma migrations beside the schema: the lock file and the migration reader used to backtrack on blank lines.
write('repo/prisma/migrations/migration_lock.toml', `${'\n'.repeat(99_000)}x\nprovider = "postgresql"\n`);
write('repo/prisma/migrations/20240101000000_blank/migration.sql', `${'\n'.repeat(BIG ? 5_000_000 : 1_000_000)}SELECT 1;\n`);
note('redos-migration-lock', 'repo/prisma/migrations/migration_lock.toml', 'migration_lock.toml of 99,000 blank lines before the provider line (the lock regex was quadratic)', 'linear time; PostgreSQL recognised');
note('redos-migration-blank-lines', 'repo/prisma/migrations/20240101000000_blank/migration.sql', 'a migration of a million blank lines (the up/down section regex was quadratic)', 'linear time', { big: true });

// A test fixture with a broken package.json (aborted the scan).
write('repo/test/fixtures/broken-app/package.json', '{ "name": "broken-app", ');
write('repo/test/fixtures/broken-app/src/a.ts', 'export const a = 1;\n');
note('broken-fixture-package-json', 'repo/test/fixtures/broken-app/package.json', 'a test fixture whose package.json is not JSON (aborted the scan)', 'the scan goes on');

// A nested config that is a symlink to /dev/urandom (read until 3 GB).
write('repo/packages/urandom-config/package.json', JSON.stringify({ name: 'urandom-config' }));
write('repo/packages/urandom-config/prisma/schema.prisma', SMALL_SCHEMA);
write('repo/packages/urandom-config/src/a.ts', 'export const a = 1;\n');
if (link('repo/packages/urandom-config/tenant-lint.config.json', '/dev/urandom')) note('urandom-nested-config', 'repo/packages/urandom-config/tenant-lint.config.json', "a nested package's config that is a symlink to /dev/urandom", 'not read; a diagnostic');

// --output with a newline in its name (a command smuggled into a shell dotfile).
note('output-newline-name', 'repo', '--output "x\\n.bashrc" (a file name with a newline)', 'refused (exit 2)', { run: { cwd: 'repo', args: ['--format', 'json', '--output', 'x\n.bashrc'] } });

// ---------------------------------------------------------------- variants: the root itself is hostile
const VARIANT_BASE = { 'prisma/schema.prisma': SCHEMA.replace(/\/\/ One syntax error[\s\S]*?\n}\n/, ''), 'src/db.ts': DB, 'src/invoices.ts': LEAK };
function variant(name, files) {
  for (const [path, content] of Object.entries({ ...VARIANT_BASE, ...files })) {
    if (content !== null) write(`variants/${name}/${path}`, content);
  }
}
variant('config-fifo', { 'package.json': '{"name":"v","main":"index.js"}' });
if (fifo('variants/config-fifo/tenant-lint.config.json')) note('root-config-fifo', 'variants/config-fifo/tenant-lint.config.json', 'the root config is a FIFO (blocked forever)', 'exit 2 at once, one line; with --no-config-lookup a full report');
variant('config-zero', { 'package.json': '{"name":"v","main":"index.js"}' });
if (link('variants/config-zero/tenant-lint.config.json', '/dev/zero')) note('root-config-devzero', 'variants/config-zero/tenant-lint.config.json', 'the root config is a symlink to /dev/zero (3 GB)', 'exit 2 at once; with --no-config-lookup a full report');
variant('config-environ', { 'package.json': '{"name":"v","main":"index.js"}' });
if (link('variants/config-environ/.tenant-lintrc.json', '/proc/self/environ')) note('root-config-environ', 'variants/config-environ/.tenant-lintrc.json', 'the root config is a symlink to /proc/self/environ', 'exit 2; no secret in the message');
variant('package-fifo', {});
if (fifo('variants/package-fifo/package.json')) {
  note('root-package-fifo', 'variants/package-fifo/package.json', 'the root package.json is a FIFO (with --no-config-lookup, the call graph read it and blocked)', 'exit 2 at once; with --no-config-lookup no hang', {
    run: { cwd: 'results', target: 'variants/package-fifo', args: ['--no-config-lookup'] },
  });
}
variant('package-environ', {});
if (link('variants/package-environ/package.json', '/proc/self/environ')) note('root-package-environ', 'variants/package-environ/package.json', 'the root package.json is a symlink to /proc/self/environ', 'exit 2; no secret in the message');
mkdirSync(join(OUT, 'variants/empty'), { recursive: true });
note('empty-folder', 'variants/empty', 'an empty folder', 'never "No findings" with exit 0');
variant('no-schema', { 'package.json': JSON.stringify({ name: 'v', dependencies: { '@prisma/client': '5' } }), 'prisma/schema.prisma': null });
note('no-schema', 'variants/no-schema', 'code that uses Prisma and no schema', 'fails closed (exit 2)');
variant('schema-unparseable', { 'package.json': JSON.stringify({ name: 'v', dependencies: { '@prisma/client': '5' } }), 'prisma/schema.prisma': 'model Organization {\n  id String @id @@@\n' });
note('schema-unparseable', 'variants/schema-unparseable', 'a schema that does not parse at all', 'fails closed (exit 2)');
variant('tsconfig-zero', { 'package.json': '{"name":"v","main":"index.js"}', 'tsconfig.json': JSON.stringify({ extends: './base.json' }) });
if (link('variants/tsconfig-zero/base.json', '/dev/zero')) {
  note('tsconfig-extends-devzero', 'variants/tsconfig-zero/tsconfig.json', 'a tsconfig.json that extends a symlink to /dev/zero (TypeScript read it through ts.sys until 6 GB)', 'read as absent; a full report');
}
variant('nested-package-fifo', { 'package.json': '{"name":"v","main":"index.js"}', 'pkg/src/leak.ts': LEAK.replace("'./db'", "'../../src/db'") });
if (fifo('variants/nested-package-fifo/pkg/package.json')) {
  note('nested-package-json-fifo-with-query', 'variants/nested-package-fifo/pkg/package.json', 'a nested package.json that is a FIFO, in a package holding a query (the call graph read it and blocked)', 'a diagnostic; no hang');
}

variant('types', {
  'package.json': '{"name":"v","main":"index.js"}',
  'tsconfig.json': JSON.stringify({ extends: './tsconfig.loop-a.json', compilerOptions: { plugins: [{ name: 'evil-ts-plugin' }] }, include: ['src'] }),
  'tsconfig.loop-a.json': JSON.stringify({ extends: './tsconfig.loop-b.json' }),
  'tsconfig.loop-b.json': JSON.stringify({ extends: './tsconfig.json' }),
  'node_modules/evil-ts-plugin/package.json': JSON.stringify({ name: 'evil-ts-plugin', main: 'index.js' }),
  'node_modules/evil-ts-plugin/index.js': sideEffect('variants/types/node_modules/evil-ts-plugin/index.js', 'types-tsserver-plugin'),
  'packages/outside/package.json': '{"name":"o"}',
  'packages/outside/tsconfig.json': JSON.stringify({ extends: '../../../../outside/tsconfig.base.json' }),
  'packages/outside/src/a.ts': 'export const a = 1;\n',
  'packages/include-outside/package.json': '{"name":"io"}',
  'packages/include-outside/tsconfig.json': JSON.stringify({ include: ['src', '../../../../outside/**/*'] }),
  'packages/include-outside/src/a.ts': 'export const a = 1;\n',
  'packages/include-outside/prisma/schema.prisma': SMALL_SCHEMA,
  'packages/ref-outside/package.json': '{"name":"ro"}',
  'packages/ref-outside/tsconfig.json': JSON.stringify({ include: ['src'], references: [{ path: '../../../../outside' }] }),
  'packages/ref-outside/src/a.ts': 'export const a = 1;\n',
  'packages/ref-outside/prisma/schema.prisma': SMALL_SCHEMA,
  'packages/tsconfig-root/package.json': '{"name":"tr"}',
  'packages/tsconfig-root/src/a.ts': 'export const a = 1;\n',
  'packages/tsconfig-root/prisma/schema.prisma': SMALL_SCHEMA,
});
link('variants/types/packages/tsconfig-root/tsconfig.json', '/');
note('types-tsconfig', 'variants/types', 'with --types: a tsconfig extends loop, a tsserver plugin that writes a canary, packages whose tsconfig extends one outside the tree, includes or references outside, or is a link to /', 'a report; the plugin never loaded; one config diagnostic per package whose tsconfig leaves the tree (analysed untyped)', { run: { cwd: 'results', args: ['--types'] } });

// A config above the repository's .git switches the rules off: not read (the lookup stops at the repository root), named in a diagnostic.
variant('config-above-git', { 'tenant-lint.config.json': JSON.stringify({ rules: { 'require-tenant-filter': 'off' } }) });
for (const [path, content] of Object.entries({ ...VARIANT_BASE, 'package.json': '{"name":"inner"}' })) write(`variants/config-above-git/inner/${path}`, content);
mkdirSync(join(OUT, 'variants/config-above-git/inner/.git'), { recursive: true });
note('config-above-git', 'variants/config-above-git/inner', 'a tenant-lint.config.json above the scanned repository (and its .git) that turns require-tenant-filter off', 'not read: a config diagnostic names it, and the leak is reported', { run: { cwd: 'results', args: [] } });

// A git repository whose own configuration runs commands (core.fsmonitor, a clean filter named by
// .gitattributes): `git diff` there runs them; --changed-since must not.
let hasGit = false;
try {
  execFileSync('git', ['--version'], { stdio: 'ignore' });
  hasGit = true;
} catch {
  hasGit = false;
}
if (hasGit) {
  const dir = join(OUT, 'variants/git-config-exec');
  variant('git-config-exec', { 'package.json': '{"name":"v","main":"index.js"}', '.gitattributes': '*.ts filter=evil\n' });
  const git = (...args) => execFileSync('git', ['-c', 'user.email=hostile@example.invalid', '-c', 'user.name=hostile', '-c', 'core.hooksPath=/dev/null', ...args], { cwd: dir, stdio: 'ignore' });
  git('init', '--quiet');
  git('add', '.');
  git('commit', '--quiet', '--no-verify', '-m', 'initial');
  const canary = (name) => `touch ${JSON.stringify(join(OUT, 'canaries', name))}`;
  git('config', 'core.fsmonitor', `${canary('git-fsmonitor')}; false`);
  git('config', 'filter.evil.clean', `${canary('git-clean-filter')}; cat`);
  git('config', 'filter.evil.process', canary('git-process-filter'));
  git('config', 'filter.evil.required', 'true');
  writeFileSync(join(dir, 'src/invoices.ts'), `// edited\n${LEAK}`);
  note('git-config-exec', 'variants/git-config-exec', "--changed-since HEAD in a repository whose .git/config runs commands (core.fsmonitor, a clean/process filter): `git diff` there runs them", 'never run; the changed leak reported', { run: { cwd: 'results', args: ['--changed-since', 'HEAD'] } });
}

writeFileSync(join(OUT, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(`hostile repository written to ${OUT} (${manifest.cases.length} cases${BIG ? ', big' : ''})\n`);
