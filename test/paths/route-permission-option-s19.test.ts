import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * unleash's controllers (s19): `this.route({ method, path, handler: this.list, permission: READ_REFS })`, where the
 * base class's `route(options)` registers `options.handler` behind `checkPermission(options.permission)`. The handler
 * is reached by a request (it was taken for dead code: "nothing calls `list`", a warning that also hid the routes
 * with no check), and the `permission` option is the route's check: a warning naming it. Twins: `permission: NONE`
 * (the constant whose value is 'NONE', which the middleware lets through), no `permission` at all, and a base
 * `route` that hands the option to no middleware stay errors.
 */

const { makeProject } = useScratch();

type Orm = 'prisma' | 'knex';

const MIGRATION = `CREATE TABLE projects (id text PRIMARY KEY);\nCREATE TABLE refs (id text PRIMARY KEY, project_id text NOT NULL REFERENCES projects(id));\nCREATE INDEX refs_project ON refs (project_id, id);\n`;

const ORMS: Record<Orm, { files: Record<string, string>; query: string }> = {
  prisma: {
    files: {
      'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { '@prisma/client': '^6.8.0', express: '^4.19.0' } }),
      'prisma/schema.prisma': `model Project {\n  id   String @id\n  refs Reference[]\n}\nmodel Reference {\n  id        String  @id\n  projectId String\n  project   Project @relation(fields: [projectId], references: [id])\n  @@index([projectId, id])\n}\n`,
      'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
    },
    query: `db.reference.findMany({ where: { id: req.params.id } })`,
  },
  knex: {
    files: {
      'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { knex: '^3.1.0', pg: '^8.11.0', express: '^4.19.0' } }),
      'migrations/0001_init.sql': MIGRATION,
      'src/db.ts': `import knex from 'knex';\nexport const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });\n`,
    },
    query: `db('refs').where({ id: req.params.id })`,
  },
};

const PERMISSIONS = `export const NONE = 'NONE';\nexport const READ_REFS = 'READ_REFS';\n`;

const CHECKED_ROUTE = `    (this.app as any)[options.method](options.path, checkPermission(options.permission), options.handler.bind(this));`;
const BARE_ROUTE = `    (this.app as any)[options.method](options.path, options.handler.bind(this));`;

const base = (route: string) => `import { Router } from 'express';
import { NONE } from './permissions';

const checkPermission = (permission: string | string[] = []) => async (req: any, res: any, next: any) => {
  const permissions = (Array.isArray(permission) ? permission : [permission]).filter((p) => p !== NONE);
  if (!permissions.length) return next();
  if (req.checkRbac && (await req.checkRbac(permissions))) return next();
  return res.status(403).end();
};

export default class Controller {
  app = Router();

  route(options: { method: string; path: string; handler: Function; permission?: string }): void {
${route}
  }
}
`;

const controller = (orm: Orm, permission: string | undefined) => `import Controller from './controller';
import { NONE, READ_REFS } from './permissions';
import { db } from './db';

export class RefsController extends Controller {
  constructor() {
    super();
    this.route({ method: 'get', path: '/api/refs/:id', handler: this.list${permission ? `, permission: ${permission}` : ''} });
  }

  async list(req: any, res: any): Promise<void> {
    res.json(await ${ORMS[orm].query});
  }
}
`;

function project(orm: Orm, permission: string | undefined, route = CHECKED_ROUTE): string {
  return makeProject({
    ...ORMS[orm].files,
    'src/permissions.ts': PERMISSIONS,
    'src/controller.ts': base(route),
    'src/refs-controller.ts': controller(orm, permission),
  });
}

async function findings(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings
    .filter((f) => f.ruleId === 'require-tenant-filter')
    .map((f) => `${f.file}:${f.line} ${f.severity}${f.evidence.includes('`permission: READ_REFS`') ? ' (permission named)' : ''}${f.evidence.includes('`this.route(...)`') ? ' (this.route)' : ''}`);
}

describe.each(['prisma', 'knex'] as Orm[])('%s', (orm) => {
  it('a route whose permission option the base class checks before the handler: warning naming the permission', async () => {
    expect(await findings(project(orm, 'READ_REFS'))).toEqual(['src/refs-controller.ts:12 warning (permission named) (this.route)']);
  });
  it('twin: permission NONE (the constant the middleware lets through): error err', async () => {
    expect(await findings(project(orm, 'NONE'))).toEqual(['src/refs-controller.ts:12 error (this.route)']);
  });
  it("twin: permission 'NONE' written as a string: error err", async () => {
    expect(await findings(project(orm, `'NONE'`))).toEqual(['src/refs-controller.ts:12 error (this.route)']);
  });
  it('twin: no permission option: error err', async () => {
    expect(await findings(project(orm, undefined))).toEqual(['src/refs-controller.ts:12 error (this.route)']);
  });
  it('twin: a base route that hands the option to no middleware: error err', async () => {
    expect(await findings(project(orm, 'READ_REFS', BARE_ROUTE))).toEqual(['src/refs-controller.ts:12 error (this.route)']);
  });
});
