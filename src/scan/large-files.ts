/**
 * Source files over the parse limit (MAX_FILE_BYTES) are not parsed. Most are generated type
 * declarations (GraphQL codegen, `supabase gen types`), which hold no data access; a scan that
 * exits 2 on every run because of one of them is a scan nobody gates CI on. So an oversized file
 * is read as text (up to PROBE_MAX_BYTES) and probed for anything that looks like data access:
 * a call of an operation name any supported library uses, a `sql` tagged template, or SQL text in
 * a string. Only a file with none of them is reported as skipped without consequence; a file with
 * any of them (a leak padded past the cap) stays "not read", and the scan exits 2.
 *
 * The probe errs towards "looks like data access": a match in a comment or in prose counts.
 */

/** Oversized files beyond this are not even probed: they stay "not read". */
export const PROBE_MAX_BYTES = 32_000_000;

const OPERATIONS = [
  // Prisma, Mongoose, Sequelize, TypeORM, MikroORM
  'findMany', 'findFirst', 'findFirstOrThrow', 'findUnique', 'findUniqueOrThrow', 'aggregate', 'groupBy', 'updateMany', 'upsert',
  'deleteMany', 'createMany', 'createManyAndReturn', 'updateManyAndReturn', 'find', 'findOne', 'findById', 'findOneAndUpdate',
  'findByIdAndUpdate', 'findOneAndDelete', 'findByIdAndDelete', 'updateOne', 'deleteOne', 'countDocuments', 'findAll',
  'findAndCountAll', 'findByPk', 'destroy', 'bulkCreate', 'findOneBy', 'findBy', 'findAndCount', 'findOneOrFail', 'findOneByOrFail',
  'countBy', 'softDelete', 'remove', 'createQueryBuilder', 'exists', 'existsBy', 'save', 'nativeUpdate', 'nativeDelete',
  'getRepository', 'count', 'create', 'update', 'delete', 'insert',
  // Knex, Kysely, Drizzle, supabase-js
  'where', 'whereIn', 'andWhere', 'select', 'from', 'into', 'table', 'first', 'del', 'returning', 'selectFrom', 'updateTable',
  'deleteFrom', 'insertInto', 'rpc',
  // raw SQL clients
  'query', 'queryOne', 'execute', 'unsafe', 'raw', 'many', 'one', 'none', 'oneOrNone', 'manyOrNone', 'any',
  '$queryRaw', '$executeRaw', '$queryRawUnsafe', '$executeRawUnsafe',
];

const escaped = OPERATIONS.map((name) => name.replace(/\$/g, '\\$')).join('|');
/** `.findMany(`, `.where<T>(`, `['findMany'](`: a property access of an operation name, then a call. */
const OPERATION_CALL = new RegExp(`(?:\\.|\\[['"\`])(?:${escaped})(?![\\w$])(?:['"\`]\\])?(?:<[^<>()]{0,200}>)?\\s*\\(`);
/** `sql\`...\``, `Prisma.sql\`...\``, `db.raw\`...\``. */
const SQL_TAG = /\b(?:sql|SQL|raw|query)(?:<[^<>()`]{0,200}>)?\s*`/;
/** SQL statement text inside a string or template. */
const SQL_TEXT = /['"`]\s*(?:select\b[^'"`]{0,400}?\bfrom\b|insert\s+into\b|update\s+[\w."]+\s+set\b|delete\s+from\b|with\s+[\w"]+\s+as\s*\()/i;

/** Where the first data-access-looking text of `text` is, or undefined when it has none. */
export function dataAccessText(text: string): { line: number; excerpt: string } | undefined {
  let first: RegExpExecArray | undefined;
  for (const pattern of [OPERATION_CALL, SQL_TAG, SQL_TEXT]) {
    const match = pattern.exec(text);
    if (match && (!first || match.index < first.index)) first = match;
  }
  if (!first) return undefined;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < first.index; i = text.indexOf('\n', i + 1)) line++;
  return { line, excerpt: first[0].replace(/\s+/g, ' ').slice(0, 60) };
}
