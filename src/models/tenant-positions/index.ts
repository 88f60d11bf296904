import type { TSESTree } from '@typescript-eslint/types';
import { T } from '../../core/ast.js';
import type { QueryFacts, QueryModel, TenantPositions } from '../../core/facts.js';
import type { AnalysisContext, QuerySite } from '../../core/query-site.js';
import { recognizeQuery } from '../../orm/index.js';
import { clientOf } from '../../orm/prisma-client.js';
import { drizzlePositions } from './drizzle.js';
import { recognizedPositions } from './object.js';
import { prismaPositions } from './prisma.js';
import { sessionSettings } from './settings.js';
import { rawSqlSite, sqlPositions, templateFacts } from './sql.js';

/**
 * Tenant positions per data layer, for the layers whose recognizer does not hand them over
 * complete (src/orm/ is read here, not changed): keyed by `QuerySite.orm`; any other layer's
 * positions are what its recognizer found (`predicate.value`, `data`). To be folded into each
 * recognizer's QuerySite when src/orm/ moves to models/orm/<name>/.
 */
const POSITIONS: Record<string, (site: QuerySite, context: AnalysisContext) => TenantPositions> = {
  prisma: prismaPositions,
  drizzle: drizzlePositions,
  sql: sqlPositions,
};

/** The query a call is: an ORM's (the recognizers of the project), else raw SQL sent by the call or an SQL template. */
export function recognizeAnyQuery(call: TSESTree.CallExpression | TSESTree.TaggedTemplateExpression, context: AnalysisContext): QuerySite | undefined {
  if (call.type === T.TaggedTemplateExpression) return templateFacts(call, context)?.site;
  return recognizeQuery(call, context) ?? rawSqlSite(call, context);
}

function positionsOf(site: QuerySite, context: AnalysisContext): TenantPositions {
  return (POSITIONS[site.orm] ?? recognizedPositions)(site, context);
}

/** The data layers as policies see them (the `queries` of core `Models`). */
export const QUERY_MODEL: QueryModel = {
  sessionSettings,
  facts(call: TSESTree.CallExpression | TSESTree.TaggedTemplateExpression, context: AnalysisContext): QueryFacts | undefined {
    if (call.type === T.TaggedTemplateExpression) return templateFacts(call, context);
    const site = recognizeAnyQuery(call, context);
    if (!site) return undefined;
    let positions: TenantPositions | undefined;
    // Read on demand: most queries a policy meets never receive a value it follows.
    return {
      site,
      get positions() {
        positions ??= positionsOf(site, context);
        return positions;
      },
    };
  },
  isScopedClientFactory(call, context) {
    const client = clientOf(call, context.unit, context);
    return client.kind === 'client' && client.scoped;
  },
};
