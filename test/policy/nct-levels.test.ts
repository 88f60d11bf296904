import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Issue 13, a miss judged on worklenz (gantt-controller `getRoadmapTasks`): a project id from the
 * query string read tasks `WHERE t.project_id = $1`, and no finding. `project_id` is a key of a lower
 * tenant level (teams > projects), and the handler's request was typed with the application's own
 * `interface IWorkLenzRequest extends Request`, which no framework model knew: 540 handlers were
 * never read. Checked shapes stay quiet: a route middleware that checks the request's id against the
 * verified identity (`verifyProjectAccess('query', 'project_id')`), a membership lookup before the
 * query. Twins: no check, or a middleware that checks only the user's role.
 */

const { makeProject } = useScratch();

const MIGRATION = `create table users (id uuid primary key, email text not null);
create table teams (id uuid primary key, name text not null);
create table team_members (id uuid primary key, team_id uuid not null references teams (id), user_id uuid references users (id));
create table clients (id uuid primary key, team_id uuid not null references teams (id), name text);
create table job_titles (id uuid primary key, team_id uuid not null references teams (id), name text);
create table projects (id uuid primary key, team_id uuid not null references teams (id), name text not null);
create table project_members (id uuid primary key, project_id uuid not null references projects (id), team_member_id uuid not null references team_members (id));
create table tasks (id uuid primary key, project_id uuid not null references projects (id), name text not null, archived boolean not null default false);
create index on team_members (team_id, id);
create index on clients (team_id, id);
create index on job_titles (team_id, id);
create index on projects (team_id, id);
create index on project_members (project_id, id);
create index on tasks (project_id, id);
`;

const REQUEST_TYPE = `import { Request } from 'express';\n\nexport interface IAppRequest extends Request {\n  user?: { id: string; team_id: string; role: string };\n}\n`;

const SAFE = `import { NextFunction, Request, Response } from 'express';\n\nexport default (fn: (req: Request, res: Response, next: NextFunction) => Promise<unknown>) =>\n  (req: Request, res: Response, next: NextFunction): void => {\n    void Promise.resolve(fn(req, res, next)).catch(next);\n  };\n`;

const MIDDLEWARE = `import { NextFunction, Response } from 'express';
import { IAppRequest } from '../interfaces/app-request';
import db from '../config/db';

export function verifyProjectAccess(location: 'params' | 'body' | 'query' = 'params', fieldName = 'id') {
  return async (req: IAppRequest, res: Response, next: NextFunction) => {
    const projectId = req[location]?.[fieldName];
    const found = await db.query('SELECT pm.id FROM project_members pm JOIN team_members tm ON tm.id = pm.team_member_id WHERE pm.project_id = $1 AND tm.user_id = $2', [projectId, req.user?.id]);
    if (!found.rowCount) return res.status(403).send('forbidden');
    return next();
  };
}

export function ownerOrAdmin(req: IAppRequest, res: Response, next: NextFunction) {
  if (req.user && (req.user.role === 'owner' || req.user.role === 'admin')) return next();
  return res.status(401).send('no');
}
`;

function controller(check = ''): string {
  return `import { Response } from 'express';
import { IAppRequest } from '../interfaces/app-request';
import db from '../config/db';

export default class RoadmapController {
  public static async getRoadmapTasks(req: IAppRequest, res: Response) {
    const projectId = req.query.project_id;
${check}    const q = \`SELECT t.id, t.name FROM tasks t WHERE t.project_id = $1 AND t.archived = FALSE\`;
    const result = await db.query(q, [projectId]);
    return res.json(result.rows);
  }
}
`;
}

const routes = (middleware: string) => `import express from 'express';
import RoadmapController from '../controllers/roadmap-controller';
import { verifyProjectAccess, ownerOrAdmin } from '../middlewares/access';
import safeControllerFunction from '../shared/safe-controller-function';

const router = express.Router();
router.get('/roadmap-tasks', ${middleware}safeControllerFunction(RoadmapController.getRoadmapTasks));
export default router;
`;

function sqlProject(middleware: string, check = ''): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'levels-sql', private: true, dependencies: { express: '^4.21.0', pg: '^8.13.0' } }),
    'migrations/0001_init.sql': MIGRATION,
    'src/config/db.ts': `import { Pool } from 'pg';\n\nconst pool = new Pool();\n\nexport default {\n  query: (text: string, params?: unknown[]) => pool.query(text, params),\n};\n`,
    'src/interfaces/app-request.ts': REQUEST_TYPE,
    'src/shared/safe-controller-function.ts': SAFE,
    'src/middlewares/access.ts': MIDDLEWARE,
    'src/controllers/roadmap-controller.ts': controller(check),
    'src/routes/roadmap.ts': routes(middleware),
  });
}

async function clientTenantFindings(path: string) {
  return (await scan({ path })).findings.filter((f) => f.ruleId === 'no-client-tenant-id');
}

const MEMBERSHIP = `    const member = await db.query('SELECT pm.id FROM project_members pm JOIN team_members tm ON tm.id = pm.team_member_id WHERE pm.project_id = $1 AND tm.user_id = $2', [projectId, req.user?.id]);
    if (!member.rowCount) return res.status(403).send('forbidden');
`;

describe('a client-chosen key of a lower tenant level in raw SQL, read through an application request type', () => {
  it('err: `WHERE t.project_id = $1` with the query parameter and no check', async () => {
    const found = await clientTenantFindings(sqlProject(''));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: 'src/controllers/roadmap-controller.ts', line: 7, severity: 'error', messageId: 'clientTenantId' });
    expect(found[0]?.message).toContain('query parameter `project_id`');
  });

  it('ok: the route checks the project against the verified user in a middleware first', async () => {
    expect(await clientTenantFindings(sqlProject(`verifyProjectAccess('query', 'project_id'), `))).toEqual([]);
  });

  it('err: the middleware checks another field of the request', async () => {
    const found = await clientTenantFindings(sqlProject(`verifyProjectAccess('query', 'source_project_id'), `));
    expect(found.map((f) => f.line)).toEqual([7]);
  });

  it('err: the route checks only the user\'s role', async () => {
    const found = await clientTenantFindings(sqlProject('ownerOrAdmin, '));
    expect(found.map((f) => f.line)).toEqual([7]);
  });

  it('ok: the handler looks the membership up for the verified user and stops without one', async () => {
    expect(await clientTenantFindings(sqlProject('', MEMBERSHIP))).toEqual([]);
  });

  it('err: the membership lookup is for a user the client names', async () => {
    const found = await clientTenantFindings(sqlProject('', MEMBERSHIP.replace('req.user?.id', 'req.query.user_id')));
    expect(found.length).toBeGreaterThan(0);
  });
});

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Team {
  id       String       @id
  members  TeamMember[]
  projects Project[]
  labels   Label[]
  clients  Client[]
}

model User {
  id      String       @id
  email   String       @unique
  members TeamMember[]
}

model TeamMember {
  id       String          @id
  teamId   String
  userId   String
  team     Team            @relation(fields: [teamId], references: [id])
  user     User            @relation(fields: [userId], references: [id])
  projects ProjectMember[]
  @@index([teamId, id])
}

model Label {
  id     String @id
  teamId String
  team   Team   @relation(fields: [teamId], references: [id])
  @@index([teamId, id])
}

model Client {
  id     String @id
  teamId String
  team   Team   @relation(fields: [teamId], references: [id])
  @@index([teamId, id])
}

model Project {
  id      String          @id
  teamId  String
  team    Team            @relation(fields: [teamId], references: [id])
  tasks   Task[]
  members ProjectMember[]
  @@index([teamId, id])
}

model ProjectMember {
  id           String     @id
  projectId    String
  teamMemberId String
  project      Project    @relation(fields: [projectId], references: [id])
  teamMember   TeamMember @relation(fields: [teamMemberId], references: [id])
  @@index([projectId, id])
}

model Task {
  id        String  @id
  projectId String
  name      String
  project   Project @relation(fields: [projectId], references: [id])
  @@index([projectId, id])
}
`;

const PRISMA_MIDDLEWARE = `import { NextFunction, Response } from 'express';
import { AppRequest } from './types';
import { prisma } from './db';

export function requireProjectMember(req: AppRequest, res: Response, next: NextFunction) {
  return prisma.projectMember
    .findFirst({ where: { projectId: String(req.query.projectId), teamMember: { userId: req.user.id } } })
    .then((member) => (member ? next() : res.status(403).send('forbidden')));
}

export async function checkProjectAccess(req: AppRequest, res: Response, next: NextFunction) {
  const member = await prisma.projectMember.findFirst({ where: { projectId: String(req.query.projectId), teamMember: { userId: req.user.id } } });
  if (!member) return res.status(403).send('forbidden');
  next();
}

export function requireAdmin(req: AppRequest, res: Response, next: NextFunction) {
  if (req.user.role !== 'admin') return res.status(403).send('forbidden');
  next();
}
`;

function prismaProject(middleware: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'levels-prisma', private: true, dependencies: { express: '^4.21.0', '@prisma/client': '^6.8.0' } }),
    'prisma/schema.prisma': PRISMA_SCHEMA,
    'src/db.ts': `import { PrismaClient } from '@prisma/client';\n\nexport const prisma = new PrismaClient();\n`,
    // `type AppRequest = Request & {...}`: an intersection with the framework's request type.
    'src/types.ts': `import type { Request } from 'express';\n\nexport type AppRequest = Request & { user: { id: string; role: string } };\n`,
    'src/middleware.ts': PRISMA_MIDDLEWARE,
    'src/tasks.ts': `import type { Response } from 'express';\nimport { AppRequest } from './types';\nimport { prisma } from './db';\n\nexport async function listTasks(req: AppRequest, res: Response) {\n  res.json(await prisma.task.findMany({ where: { projectId: String(req.query.projectId) } }));\n}\n`,
    'src/routes.ts': `import express from 'express';\nimport { listTasks } from './tasks';\nimport { checkProjectAccess, requireAdmin } from './middleware';\n\nexport const router = express.Router();\nrouter.get('/tasks', ${middleware}listTasks);\n`,
  });
}

describe('a client-chosen key of a lower tenant level in Prisma', () => {
  it('err: `where: { projectId }` from the query string and no check', async () => {
    const found = await clientTenantFindings(prismaProject(''));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/tasks.ts:6']);
  });

  it('ok: a membership middleware on the route', async () => {
    expect(await clientTenantFindings(prismaProject('checkProjectAccess, '))).toEqual([]);
  });

  it('err: a middleware that checks only the role (not an operator flag of the identity either)', async () => {
    const found = await clientTenantFindings(prismaProject('requireAdmin, '));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/tasks.ts:6']);
  });
});
