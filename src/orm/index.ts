/** Registered ORM recognizers: adding an ORM is adding one entry here. Order matters only for speed. */
import type { TSESTree } from '@typescript-eslint/types';
import type { AnalysisContext, OrmRecognizer, QuerySite } from '../core/query-site.js';
import { drizzleRecognizer } from './drizzle.js';
import { knexRecognizer } from './knex.js';
import { kyselyRecognizer } from './kysely.js';
import { mikroOrmRecognizer } from './mikro-orm.js';
import { mongooseRecognizer } from './mongoose.js';
import { prismaRecognizer } from './prisma.js';
import { sequelizeRecognizer } from './sequelize.js';
import { supabaseRecognizer } from './supabase.js';
import { typeormRecognizer } from './typeorm.js';

export const RECOGNIZERS: OrmRecognizer[] = [
  prismaRecognizer,
  drizzleRecognizer,
  typeormRecognizer,
  sequelizeRecognizer,
  mongooseRecognizer,
  knexRecognizer,
  kyselyRecognizer,
  supabaseRecognizer,
  mikroOrmRecognizer,
];

/** Every site of a call: the first recognizer that reads it, with all the tables it may query. */
export function recognizeQueries(call: TSESTree.CallExpression, context: AnalysisContext): QuerySite[] {
  for (const recognizer of context.recognizers ?? RECOGNIZERS) {
    const sites = recognizer.recognizeAll ? recognizer.recognizeAll(call, context) : [recognizer.recognize(call, context)].filter((s) => s !== undefined);
    if (sites.length > 0) return sites;
  }
  return [];
}

/** The query a call is, by the first recognizer that claims it. */
export function recognizeQuery(call: TSESTree.CallExpression, context: AnalysisContext): QuerySite | undefined {
  for (const recognizer of context.recognizers ?? RECOGNIZERS) {
    const site = recognizer.recognize(call, context);
    if (site) return site;
  }
  return undefined;
}
