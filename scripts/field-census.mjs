#!/usr/bin/env node
// An independent count of data-access calls in a repository, to measure tenant-lint's coverage
// against. Deliberately NOT the product's code path: plain text and regular expressions, no
// parser, no resolution. It learns model and table names from the schema files it finds
// (schema.prisma, Drizzle table calls, Mongoose models, TypeORM/MikroORM entities, Sequelize
// models, CREATE TABLE), then counts, outside tests:
//   prisma    `<x>.<model>.<operation>(`
//   drizzle   `.from(<table>)`, `.update(<table>)`, `.insert(<table>)`, `.delete(<table>)`, `.query.<table>.find*(`
//   mongoose  `<Model>.<operation>(`
//   typeorm   `getRepository(<Entity>).<op>(`, `<op>(<Entity>, ...)` on managers, `Repository<Entity>` fields' `<op>(`
//   knex      `<x>('<table>')` followed by a builder method, `.from('<table>')`, `.into('<table>')`, `.table('<table>')`
//   kysely    `.selectFrom('<table>')`, `.updateTable(`, `.deleteFrom(`, `.insertInto(`
//   supabase  `.from('<table>')` followed by select/insert/update/upsert/delete; `.rpc('<fn>')` apart
//   mikroorm  (instead of typeorm when the repository uses MikroORM and not TypeORM)
//             `<op>(<Entity>, ...)` on an EntityManager, `getRepository(<Entity>).<op>(`,
//             `this.<field>.<op>(` for a field typed `<Anything>Repository<Entity>` or injected with
//             `@InjectRepository(<Entity>)`, and `this.<op>(` inside a class extending `...Repository<Entity>`
//   sql       a string or template whose text is SELECT ... FROM / UPDATE / DELETE FROM / INSERT INTO a known table
// Usage: node scripts/field-census.mjs <repo-dir> [--json]
import { readFileSync, readdirSync, lstatSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.argv[2];
if (!root) {
  console.error('usage: field-census.mjs <repo-dir> [--json]');
  process.exit(2);
}
const asJson = process.argv.includes('--json');

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'build', '.next', 'coverage', 'out', '.turbo', 'vendor']);
const TEST = /(^|\/)(__tests__|__mocks__|tests?|e2e(?:-tests?)?|cypress|playwright|fixtures|mocks?)\/|\.(test|spec|e2e|stories)\.[cm]?[jt]sx?$|(^|\/)seeds?(\.[cm]?[jt]s|\/)/;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue;
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) yield* files(path);
    else if (st.isFile() && st.size < 2_000_000) yield path;
  }
}

const all = [...files(root)];
const code = all.filter((f) => /\.[cm]?[jt]sx?$/.test(f) && !/\.d\.ts$/.test(f));
const read = (f) => readFileSync(f, 'utf8');

// ---- names from schemas ----
const prismaModels = new Set();
const drizzleTables = new Set();
const mongooseModels = new Set();
const entities = new Set();
const sqlTables = new Set();
for (const f of all) {
  if (f.endsWith('.prisma')) {
    for (const m of read(f).matchAll(/^\s*model\s+(\w+)\s*\{/gm)) prismaModels.add(m[1][0].toLowerCase() + m[1].slice(1));
  } else if (f.endsWith('.sql')) {
    for (const m of read(f).matchAll(/create\s+table\s+(?:if\s+not\s+exists\s+)?(?:"?\w+"?\.)?"?(\w+)"?/gi)) sqlTables.add(m[1]);
  }
}
for (const f of code) {
  const text = read(f);
  for (const m of text.matchAll(/(?:export\s+)?const\s+(\w+)\s*=\s*(?:\w+\.)?(?:pg|sqlite|mysql)Table\s*\(\s*['"`](\w+)/g)) {
    drizzleTables.add(m[1]);
    sqlTables.add(m[2]);
  }
  for (const m of text.matchAll(/\bmodel\s*(?:<[^>]*>)?\s*\(\s*['"](\w+)['"]/g)) mongooseModels.add(m[1]);
  for (const m of text.matchAll(/(?:export\s+)?const\s+(\w+)\s*=\s*(?:mongoose\.)?model\s*(?:<[^>]*>)?\s*\(/g)) mongooseModels.add(m[1]);
  for (const m of text.matchAll(/@Entity\s*\([^)]*\)\s*(?:@\w+(?:\([^)]*\))?\s*)*export\s+(?:abstract\s+)?class\s+(\w+)/g)) entities.add(m[1]);
  for (const m of text.matchAll(/\.define\s*\(\s*['"](\w+)['"]/g)) sqlTables.add(m[1]);
  // SQL written in JS migrations (db-migrate, Knex raw).
  for (const m of text.matchAll(/create\s+table\s+(?:if\s+not\s+exists\s+)?(?:"?\w+"?\.)?"?(\w+)"?\s*\(/gi)) sqlTables.add(m[1]);
  for (const m of text.matchAll(/createTable\s*\(\s*['"](\w+)['"]/g)) sqlTables.add(m[1]);
}
for (const f of all) {
  if (!f.endsWith('.sql')) continue;
  // Views are read through supabase-js like tables.
  for (const m of read(f).matchAll(/create\s+(?:or\s+replace\s+)?(?:materialized\s+)?view\s+(?:if\s+not\s+exists\s+)?(?:"?\w+"?\.)?"?(\w+)"?/gi)) sqlTables.add(m[1]);
}
const usesMikro = code.some((f) => read(f).includes('@mikro-orm/'));
const usesTypeorm = code.some((f) => /from\s+['"]typeorm['"]/.test(read(f)));
const mikroOnly = usesMikro && !usesTypeorm;

const PRISMA_OPS = 'findMany|findFirst|findFirstOrThrow|findUnique|findUniqueOrThrow|create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany|count|aggregate|groupBy';
const MONGOOSE_OPS = 'find|findOne|findById|findOneAndUpdate|findByIdAndUpdate|findOneAndDelete|findByIdAndDelete|findOneAndReplace|updateOne|updateMany|deleteOne|deleteMany|countDocuments|aggregate|create|insertMany|exists|distinct|replaceOne|bulkWrite';
const TYPEORM_OPS = 'find|findOne|findOneBy|findBy|findAndCount|findAndCountBy|findOneOrFail|findOneByOrFail|count|countBy|save|insert|update|delete|softDelete|restore|remove|createQueryBuilder|exist|exists|existsBy|increment|decrement|upsert|sum|average|minimum|maximum';
const MIKRO_OPS = 'find|findOne|findOneOrFail|findAll|findAndCount|findByCursor|count|nativeUpdate|nativeDelete|upsert|upsertMany|insert|insertMany|createQueryBuilder|qb';
const KNEX_OPS = 'where|whereIn|select|first|insert|update|del|delete|join|leftJoin|innerJoin|count|orderBy|returning|andWhere|pluck|increment|decrement|upsert|onConflict|modify|as';

const NOT_KNEX = new Set(['from', 'into', 'table', 'selectFrom', 'updateTable', 'deleteFrom', 'insertInto', 'rpc', 'channel', 'schema', 'require', 'import', 'get', 'getRepository', 'model', 'collection']);

const byKind = {};
const byFile = {};
function add(kind, file, n = 1) {
  if (!n) return;
  byKind[kind] = (byKind[kind] ?? 0) + n;
  const rel = relative(root, file);
  byFile[rel] ??= {};
  byFile[rel][kind] = (byFile[rel][kind] ?? 0) + n;
}

const has = (set) => set.size > 0;
for (const f of code) {
  const rel = relative(root, f).split('\\').join('/');
  if (TEST.test(rel)) continue;
  const text = read(f);
  if (has(prismaModels)) {
    let n = 0;
    for (const m of text.matchAll(new RegExp(`\\.\\s*(\\w+)\\s*\\.\\s*(?:${PRISMA_OPS})\\s*(?:<[^>()]*>)?\\s*\\(`, 'g'))) if (prismaModels.has(m[1])) n++;
    add('prisma', f, n);
  }
  if (has(drizzleTables)) {
    let n = 0;
    for (const m of text.matchAll(/\.\s*(from|update|insert|delete)\s*\(\s*(?:\w+\.)?(\w+)\s*[,)]/g)) if (drizzleTables.has(m[2])) n++;
    for (const m of text.matchAll(/\.query\.(\w+)\.(findMany|findFirst)\s*\(/g)) if (drizzleTables.has(m[1])) n++;
    add('drizzle', f, n);
  }
  if (has(mongooseModels)) {
    let n = 0;
    for (const m of text.matchAll(new RegExp(`\\b(\\w+)\\s*\\.\\s*(?:${MONGOOSE_OPS})\\s*(?:<[^>()]*>)?\\s*\\(`, 'g'))) if (mongooseModels.has(m[1])) n++;
    add('mongoose', f, n);
  }
  if (has(entities) && mikroOnly) {
    let n = 0;
    for (const m of text.matchAll(new RegExp(`getRepository\\s*\\(\\s*(\\w+)\\s*\\)\\s*\\.\\s*(?:${MIKRO_OPS})\\s*\\(`, 'g'))) if (entities.has(m[1])) n++;
    for (const m of text.matchAll(new RegExp(`\\.\\s*(?:${MIKRO_OPS})\\s*(?:<[^>()]*>)?\\s*\\(\\s*(\\w+)\\s*[,)]`, 'g'))) if (entities.has(m[1])) n++;
    const fields = new Set();
    for (const m of text.matchAll(/(\w+)\s*[!?]?\s*:\s*(?:\w+\.)?\w*Repository\s*<\s*(\w+)\s*>/g)) if (entities.has(m[2])) fields.add(m[1]);
    for (const m of text.matchAll(/@InjectRepository\s*\(\s*(\w+)\s*\)\s*(?:(?:private|public|protected|readonly)\s+)*(\w+)/g)) if (entities.has(m[1])) fields.add(m[2]);
    for (const m of text.matchAll(new RegExp(`this\\.(\\w+)\\s*\\.\\s*(?:${MIKRO_OPS})\\s*\\(`, 'g'))) if (fields.has(m[1])) n++;
    if (/class\s+\w+\s+extends\s+(?:\w+\.)?\w*Repository\s*<\s*\w+\s*>/.test(text)) {
      for (const _ of text.matchAll(new RegExp(`this\\.(?:${MIKRO_OPS})\\s*\\(`, 'g'))) n++;
    }
    add('mikroorm', f, n);
  } else if (has(entities)) {
    let n = 0;
    for (const m of text.matchAll(new RegExp(`getRepository\\s*\\(\\s*(?:\\w+\\s*,\\s*)?(\\w+)\\s*\\)\\s*\\.\\s*(?:${TYPEORM_OPS})\\s*\\(`, 'g'))) if (entities.has(m[1])) n++;
    for (const m of text.matchAll(new RegExp(`\\.\\s*(?:${TYPEORM_OPS})\\s*\\(\\s*(\\w+)\\s*[,)]`, 'g'))) if (entities.has(m[1])) n++;
    // Repositories held in fields: `Repository<Invoice>` declared, then `this.<field>.<op>(`.
    const fields = new Set();
    for (const m of text.matchAll(/(\w+)\s*:\s*(?:\w+\.)?(?:Repository|EntityRepository|TreeRepository)\s*<\s*(\w+)\s*>/g)) if (entities.has(m[2])) fields.add(m[1]);
    for (const m of text.matchAll(new RegExp(`this\\.(\\w+)\\s*\\.\\s*(?:${TYPEORM_OPS})\\s*\\(`, 'g'))) if (fields.has(m[1])) n++;
    add('typeorm', f, n);
  }
  if (has(sqlTables)) {
    let k = 0;
    // `db('t').where(`, `trx('t').insert(`: a call whose callee is not a builder method of another library.
    for (const m of text.matchAll(new RegExp(`\\b(\\w+)\\s*\\(\\s*['"](\\w+)['"]\\s*\\)\\s*\\.\\s*(?:${KNEX_OPS})\\s*\\(`, 'g'))) {
      if (!NOT_KNEX.has(m[1]) && sqlTables.has(m[2])) k++;
    }
    for (const m of text.matchAll(/\.\s*(?:into|table)\s*\(\s*['"](\w+)['"]\s*\)/g)) if (sqlTables.has(m[1])) k++;
    add('knex', f, k);
    let y = 0;
    for (const m of text.matchAll(/\.\s*(?:selectFrom|updateTable|deleteFrom|insertInto)\s*\(\s*['"](\w+)/g)) if (sqlTables.has(m[1])) y++;
    add('kysely', f, y);
    let s = 0;
    for (const m of text.matchAll(/\.\s*from\s*\(\s*['"](\w+)['"]\s*\)\s*\.\s*(select|insert|update|upsert|delete)\s*\(/g)) if (sqlTables.has(m[1])) s++;
    add('supabase', f, s);
    let r = 0;
    for (const _ of text.matchAll(/\.\s*rpc\s*(?:<[^>()]*>)?\s*\(\s*['"`]/g)) r++;
    add('supabase-rpc', f, r);
    let q = 0;
    for (const m of text.matchAll(/`[^`]*`|'[^'\n]*'|"[^"\n]*"/g)) {
      const t = m[0];
      const hit = /\b(?:select\b[\s\S]*?\bfrom|update|delete\s+from|insert\s+into)\s+(?:"?\w+"?\.)?"?(\w+)"?/i.exec(t);
      if (hit && sqlTables.has(hit[1]) && /^[`'"]\s*(select|update|delete|insert|with)\b/i.test(t)) q++;
    }
    add('sql', f, q);
  }
}

const total = Object.values(byKind).reduce((a, b) => a + b, 0);
const summary = {
  root,
  files: code.length,
  schemaNames: { prisma: prismaModels.size, drizzle: drizzleTables.size, mongoose: mongooseModels.size, entities: entities.size, sql: sqlTables.size },
  census: byKind,
  total,
};
if (asJson) console.log(JSON.stringify({ ...summary, byFile }, null, 2));
else console.log(JSON.stringify(summary));
