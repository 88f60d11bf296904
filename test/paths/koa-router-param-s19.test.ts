import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * parcelvoy's controllers (s19, parcelvoy/platform): `router.param('campaignId', async (value, ctx, next) => {
 * ctx.state.campaign = await getCampaign(parseInt(value, 10), ctx.state.project.id); if (!ctx.state.campaign) ctx.throw(404) ... })`
 * runs before every route of the router whose path names `:campaignId`; the routes then hand a query
 * `ctx.state.campaign.id`, the id of a row looked up within the project the server holds (CampaignService.ts:151,
 * `Campaign.update(qb => qb.where('id', id))`, was an error "no check before"). Safe: a warning naming the lookup.
 * Twins stay errors: a param handler that looks the row up by the client's id alone, one that does not stop when
 * the row is missing, a lookup function that ignores the scope it is handed, and a route whose path does not name
 * the parameter (it hands the client's own id), and one that also hands an id-like body field.
 */

const { makeProject } = useScratch();

type Orm = 'knex' | 'prisma';

const MIGRATION = `CREATE TABLE projects (id integer PRIMARY KEY);\nCREATE TABLE campaigns (id integer PRIMARY KEY, project_id integer NOT NULL REFERENCES projects(id), name text);\nCREATE INDEX campaigns_project ON campaigns (project_id, id);\n`;

const ORMS: Record<Orm, { files: Record<string, string>; scoped: string; unscoped: string; ignoring: string; update: string }> = {
  knex: {
    files: {
      'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { knex: '^3.1.0', pg: '^8.11.0', koa: '^2.15.0', '@koa/router': '^12.0.0' } }),
      'migrations/0001_init.sql': MIGRATION,
      'src/db.ts': `import knex from 'knex';\nexport const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });\n`,
    },
    scoped: `db('campaigns').where({ id, project_id: projectId }).first()`,
    unscoped: `db('campaigns').where({ id }).first()`,
    ignoring: `db('campaigns').where({ id }).first()`,
    update: `db('campaigns').where({ id }).update({ name })`,
  },
  prisma: {
    files: {
      'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { '@prisma/client': '^6.8.0', koa: '^2.15.0', '@koa/router': '^12.0.0' } }),
      'prisma/schema.prisma': `model Project {\n  id        Int        @id\n  campaigns Campaign[]\n}\nmodel Campaign {\n  id        Int     @id\n  name      String\n  projectId Int\n  project   Project @relation(fields: [projectId], references: [id])\n  @@index([projectId, id])\n}\n`,
      'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
    },
    scoped: `db.campaign.findFirst({ where: { id, projectId } })`,
    unscoped: `db.campaign.findFirst({ where: { id } })`,
    ignoring: `db.campaign.findFirst({ where: { id } })`,
    update: `db.campaign.update({ where: { id }, data: { name } })`,
  },
};

type Variant = 'safe' | 'unscoped-lookup' | 'no-stop' | 'ignores-scope' | 'other-path' | 'body-id';

function service(orm: Orm): string {
  const o = ORMS[orm];
  return `import { db } from './db';

export const getCampaign = async (id: number, projectId: number) => {
  return await ${o.scoped};
};

export const getCampaignById = async (id: number) => {
  return await ${o.unscoped};
};

export const findCampaign = async (id: number, projectId: number) => {
  return await ${o.ignoring};
};

export const renameCampaign = async (id: number, name: string) => {
  return await ${o.update};
};
`;
}

function controller(variant: Variant): string {
  const lookup =
    variant === 'unscoped-lookup' ? `getCampaignById(parseInt(value, 10))` : variant === 'ignores-scope' ? `findCampaign(parseInt(value, 10), ctx.state.project.id)` : `getCampaign(parseInt(value, 10), ctx.state.project.id)`;
  const stop = variant === 'no-stop' ? `    console.log('loaded', value);` : `    if (!ctx.state.campaign) {\n        ctx.throw(404);\n        return;\n    }`;
  const route =
    variant === 'other-path'
      ? `router.patch('/other/:otherId', async (ctx: any) => {\n    ctx.body = await renameCampaign(parseInt(ctx.params.otherId, 10), ctx.request.body.name);\n});`
      : `router.patch('/:campaignId', async (ctx: any) => {\n    ctx.body = await renameCampaign(ctx.state.campaign.id, ctx.request.body.${variant === 'body-id' ? 'otherId' : 'name'});\n});`;
  return `import Router from '@koa/router';
import { findCampaign, getCampaign, getCampaignById, renameCampaign } from './service';

const router = new Router({ prefix: '/campaigns' });

router.param('campaignId', async (value: string, ctx: any, next: any) => {
    ctx.state.campaign = await ${lookup};
${stop}
    return await next();
});

${route}

export default router;
`;
}

function project(orm: Orm, variant: Variant): string {
  return makeProject({ ...ORMS[orm].files, 'src/service.ts': service(orm), 'src/controller.ts': controller(variant) });
}

async function renameFinding(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings
    .filter((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/service.ts' && f.line === 16)
    .map((f) => `${f.severity}${f.evidence.includes("router's `param` handler loaded") ? ' (param lookup named)' : ''}`);
}

describe.each(['knex', 'prisma'] as Orm[])('%s', (orm) => {
  it("a route hands the query the id of the row its router's param handler loaded within the project: warning naming the lookup", async () => {
    expect(await renameFinding(project(orm, 'safe'))).toEqual(['warning (param lookup named)']);
  });
  it('twin: the param handler looks the row up by the client id alone err', async () => {
    expect(await renameFinding(project(orm, 'unscoped-lookup'))).toEqual(['error']);
  });
  it('twin: the param handler does not stop when the row is missing err', async () => {
    expect(await renameFinding(project(orm, 'no-stop'))).toEqual(['error']);
  });
  it('twin: the lookup function ignores the scope it is handed err', async () => {
    expect(await renameFinding(project(orm, 'ignores-scope'))).toEqual(['error']);
  });
  it('twin: beside the loaded id, the route hands an id-like body field (what it names is not followed) err', async () => {
    expect(await renameFinding(project(orm, 'body-id'))).toEqual(['error']);
  });
  it('twin: a route whose path does not name the parameter hands the client id err', async () => {
    expect(await renameFinding(project(orm, 'other-path'))).toEqual(['error']);
  });
});
