import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Severity by paths on shapes met in the field (issue 13), each as a safe/unsafe pair of small
 * Prisma projects: the query's severity is what the paths to it say.
 */

const { makeProject } = useScratch();

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id       String    @id
  paymentId String?
  plan      String?
  projects Project[]
  members  Member[]
  users    User[]
  @@index([paymentId])
}

model User {
  id             String       @id
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  email     String   @unique
  accessKey String   @unique
  nickname  String   @unique
  isAdmin   Boolean  @default(false)
  members   Member[]
  @@index([organizationId, id])
}

model Member {
  id             String       @id
  userId         String
  invitedById    String?
  organizationId String
  user           User         @relation(fields: [userId], references: [id])
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, userId])
}

model Project {
  id             String       @id
  name           String
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, id])
}
`;

const DB = `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`;

function project(manifest: Record<string, unknown>, files: Record<string, string>): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', dependencies: { '@prisma/client': '^6.8.0', express: '^5.1.0' }, ...manifest }),
    'prisma/schema.prisma': SCHEMA,
    'src/db.ts': DB,
    ...files,
  });
}

async function severities(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`);
}

describe('an exported function nothing calls', () => {
  const repo = { 'src/projects.ts': `import { prisma } from './db';\n\nexport const projectById = (id: string) => prisma.project.findUnique({ where: { id } });\n` };

  it('is dead code in an application (a manifest with no entry point): warning', async () => {
    expect(await severities(project({}, repo))).toEqual(['src/projects.ts:3 warning']);
  });

  it('is API in a library (a manifest with `main`): error', async () => {
    expect(await severities(project({ main: 'dist/index.js' }, repo))).toEqual(['src/projects.ts:3 error']);
  });

  // postiz-app (judged): a monorepo's root manifest keeps npm init's `"main": "index.js"`.
  it('is dead code in a workspace root (`workspaces`, even with `main`): warning', async () => {
    expect(await severities(project({ main: 'dist/index.js', workspaces: ['packages/*'] }, repo))).toEqual(['src/projects.ts:3 warning']);
  });

  // retraced (judged E001/E002): `"main": "./build/index.js"`, and scripts that run `src/_processor/index.ts`.
  it('is dead code in a package whose scripts run its own source (`main` notwithstanding): warning', async () => {
    expect(await severities(project({ main: 'build/index.js', scripts: { 'dev:api': 'node -r ts-node/register src/index.ts' } }, repo))).toEqual(['src/projects.ts:3 warning']);
  });

  it('twin: a library whose scripts only build and test: error', async () => {
    expect(await severities(project({ main: 'build/index.js', scripts: { build: 'tsc', test: 'vitest run' } }, repo))).toEqual(['src/projects.ts:3 error']);
  });

  it('is dead code in a package whose entry point is TypeScript source (a monorepo\'s own package): warning', async () => {
    expect(await severities(project({ main: 'index.ts' }, repo))).toEqual(['src/projects.ts:3 warning']);
    expect(await severities(project({ exports: { '.': './src/index.ts', './db': { types: './src/db.d.ts', default: './src/db.ts' } } }, repo))).toEqual(['src/projects.ts:3 warning']);
  });

  it('twin: an entry point in JavaScript, or declarations only beside it: error', async () => {
    expect(await severities(project({ main: 'dist/index.js', types: 'dist/index.d.ts' }, repo))).toEqual(['src/projects.ts:3 error']);
    expect(await severities(project({ exports: { '.': { types: './dist/index.d.ts', import: './dist/index.mjs' } } }, repo))).toEqual(['src/projects.ts:3 error']);
  });

  it('is dead code beside pnpm-workspace.yaml: warning', async () => {
    expect(await severities(project({ main: 'dist/index.js' }, { ...repo, 'pnpm-workspace.yaml': "packages:\n  - 'apps/*'\n" }))).toEqual(['src/projects.ts:3 warning']);
  });
});

// capgo's mapWithConcurrency, tutur3u's processWithConcurrency (judged): a callback handed to a project
// helper that runs it now belongs to the function that calls the helper, not to a registration.
describe('a callback handed to a project helper that runs it now', () => {
  const helper = `export async function mapWithConcurrency<T>(items: T[], fn: (item: T) => Promise<unknown>) {\n  for (const item of items) await fn(item);\n}\n`;
  const jobs = (tail: string) => `import cron from 'node-cron';\nimport { prisma } from './db';\nimport { mapWithConcurrency } from './concurrency';\n\nexport async function purge(ids: string[]) {\n  await mapWithConcurrency(ids, async (id) => prisma.project.delete({ where: { id } }));\n}\n${tail}`;

  it('called only by a cron job: system code, info', async () => {
    const files = { 'src/concurrency.ts': helper, 'src/jobs.ts': jobs(`cron.schedule('0 * * * *', () => purge([]));\n`) };
    expect(await severities(project({ private: true }, files))).toEqual(['src/jobs.ts:6 info']);
  });

  it('called by a route with ids from the body and no check: error', async () => {
    const routes = `import express from 'express';\nimport { purge } from './jobs';\n\nexport const app = express();\napp.post('/purge', async (req, res) => {\n  res.json(await purge(req.body.ids));\n});\n`;
    const files = { 'src/concurrency.ts': helper, 'src/jobs.ts': jobs(''), 'src/routes.ts': routes };
    expect(await severities(project({ private: true }, files))).toEqual(['src/jobs.ts:6 error']);
  });
});

// postiz's orchestrator (judged F043): `this.handleDisconnect(integration, async () => ...)`, a method of
// the same class that runs the callback, is not a registration: the callback belongs to the method that
// calls it (a Temporal activity, system code). Twin: a route method of a controller does the same.
describe('a callback handed to a project method that runs it (same class or another service)', () => {
  const cls = (decorator: string) =>
    `import { prisma } from './db';\ndeclare function ActivityMethod(): MethodDecorator;\ndeclare function Post(path: string): MethodDecorator;\ndeclare function Body(): ParameterDecorator;\ndeclare function Controller(path: string): ClassDecorator;\n\n@Controller('posts')\nexport class Activities {\n  ${decorator}\n  async purge(@Body() body: { id: string }) {\n    return this.guarded(async () => prisma.project.delete({ where: { id: body.id } }));\n  }\n\n  private async guarded<T>(fn: () => Promise<T>): Promise<T | undefined> {\n    try {\n      return await fn();\n    } catch {\n      return undefined;\n    }\n  }\n}\n`;

  it('in a Temporal activity: system code, info', async () => {
    expect(await severities(project({ private: true }, { 'src/activities.ts': cls('@ActivityMethod()') }))).toEqual(['src/activities.ts:11 info']);
  });

  it('in a controller route: error', async () => {
    expect(await severities(project({ private: true }, { 'src/activities.ts': cls("@Post('purge')") }))).toEqual(['src/activities.ts:11 error']);
  });

  it('twin: a method of the same class that only stores the callback registers it: not system code', async () => {
    const storing = cls('@ActivityMethod()').replace('return await fn();', 'this.pending.push(fn);\n      return undefined;').replace('  private async guarded', '  private pending: (() => Promise<unknown>)[] = [];\n\n  private async guarded');
    expect(storing).toContain('this.pending.push(fn)');
    expect(await severities(project({ private: true }, { 'src/activities.ts': storing }))).not.toEqual(['src/activities.ts:11 info']);
  });

  it('a method of another service that runs the callback, called by a scheduler: info', async () => {
    const files = {
      'src/version.ts': `export class VersionService {\n  async checkLatest(load: () => Promise<unknown>) {\n    return load();\n  }\n  register(handler: () => Promise<unknown>) {\n    this.handlers.push(handler);\n  }\n  handlers: (() => Promise<unknown>)[] = [];\n}\n`,
      'src/jobs.ts': `import cron from 'node-cron';\nimport { prisma } from './db';\nimport { VersionService } from './version';\n\nconst versions = new VersionService();\nexport async function tick(ids: string[]) {\n  await versions.checkLatest(async () => prisma.project.deleteMany({ where: { id: { in: ids } } }));\n}\ncron.schedule('0 * * * *', () => tick([]));\n`,
    };
    expect(await severities(project({ private: true }, files))).toEqual(['src/jobs.ts:7 info']);
  });

  it('twin: a method that only stores the callback: the callback is a registered handler', async () => {
    const files = {
      'src/version.ts': `export class VersionService {\n  register(handler: () => Promise<unknown>) {\n    this.handlers.push(handler);\n  }\n  handlers: (() => Promise<unknown>)[] = [];\n}\n`,
      'src/jobs.ts': `import cron from 'node-cron';\nimport { prisma } from './db';\nimport { VersionService } from './version';\n\nconst versions = new VersionService();\nexport function tick(ids: string[]) {\n  versions.register(async () => prisma.project.deleteMany({ where: { id: { in: ids } } }));\n}\ncron.schedule('0 * * * *', () => tick([]));\n`,
    };
    expect(await severities(project({ private: true }, files))).not.toEqual(['src/jobs.ts:7 info']);
  });
});

// unleash's scheduleServices (judged G059): the services come from an untyped object, so the method
// handed the callback cannot be resolved; the function around it is a scheduled job.
describe('a callback handed to a call that cannot be resolved', () => {
  const jobs = (register: string) =>
    `import { prisma } from './db';\n\nexport function scheduleAll(services: any, scheduler: any, app: any) {\n  const { versions } = services;\n  ${register}\n}\n`;

  it('inside a scheduled job: runs in the job, info', async () => {
    const files = { 'src/jobs.ts': jobs('scheduler.schedule(() => versions.checkLatest(() => prisma.project.findMany()), 1000);') };
    expect(await severities(project({ private: true }, files))).toEqual(['src/jobs.ts:5 info']);
  });

  it('twin: inside a route handler: error', async () => {
    const files = { 'src/jobs.ts': jobs("app.get('/p/:id', (req: any) => versions.checkLatest(() => prisma.project.findMany({ where: { id: req.params.id } })));") };
    expect(await severities(project({ private: true }, files))).toEqual(['src/jobs.ts:5 error']);
  });

  it('twin: a route registered by a setup function called at module scope stays a request entry: error', async () => {
    const files = {
      'src/routes.ts': `import express from 'express';\nimport { prisma } from './db';\n\nfunction routes(app: any, versions: any) {\n  app.get('/p/:id', (req: any) => versions.checkLatest(() => prisma.project.findUnique({ where: { id: req.params.id } })));\n}\nroutes(express(), {});\n`,
    };
    expect(await severities(project({ private: true }, files))).toEqual(['src/routes.ts:5 error']);
  });
});

// tutur3u's notification sender (judged): the secret check is a local combining two comparisons.
describe('an internal endpoint whose secret check reads locals of locals', () => {
  const route = (test: string) =>
    `import express from 'express';\nimport { prisma } from './db';\n\nexport const app = express();\napp.post('/internal/purge', async (req, res) => {\n  const authHeader = req.headers.authorization;\n  const cronSecret = process.env.CRON_SECRET;\n  const isAuthorized = (cronSecret && authHeader === \`Bearer \${cronSecret}\`) || authHeader === process.env.SERVICE_KEY;\n  if (${test}) return res.sendStatus(401);\n  res.json(await prisma.project.deleteMany({ where: { id: { in: req.body.ids } } }));\n});\n`;

  it('behind it: system code, info', async () => {
    expect(await severities(project({ private: true }, { 'src/routes.ts': route('!isAuthorized') }))).toEqual(['src/routes.ts:10 info']);
  });

  it('a test that reads no header: error', async () => {
    expect(await severities(project({ private: true }, { 'src/routes.ts': route('!req.body.confirm') }))).toEqual(['src/routes.ts:10 error']);
  });
});

// capgo preview.ts (session 17 review): the Host header parsed against an environment value is routing,
// not a secret: a public endpoint, not an internal one behind a shared secret.
describe('a header that carries no credential, compared with the environment', () => {
  const route = (header: string) =>
    `import express from 'express';\nimport { prisma } from './db';\n\nfunction parseHost(host: string) {\n  if (!host.endsWith(process.env.PREVIEW_DOMAIN ?? '')) throw new Error('bad host');\n  return host.split('.')[0];\n}\n\nexport const app = express();\napp.get('/preview', async (req: any, res: any) => {\n  const host = req.header('${header}') || '';\n  if (host !== process.env.PREVIEW_SECRET) throw new Error('no');\n  const appId = parseHost(host);\n  res.json(await prisma.project.findUnique({ where: { id: req.query.id } }));\n});\n`;

  it('the Host header: still a request, error', async () => {
    expect(await severities(project({ private: true }, { 'src/routes.ts': route('host') }))).toEqual(['src/routes.ts:14 error']);
  });

  it('twin: a secret header (`x-preview-secret`) compared with the environment: system code, info', async () => {
    expect(await severities(project({ private: true }, { 'src/routes.ts': route('x-preview-secret') }))).toEqual(['src/routes.ts:14 info']);
  });
});

// tutur3u (judged): App Router pages and layouts were read as functions nothing calls (warning).
describe('the default export of an App Router page or layout', () => {
  const page = `import { prisma } from '../../../db';\n\nexport default async function Page({ params }: { params: Promise<{ id: string }> }) {\n  const { id } = await params;\n  return JSON.stringify(await prisma.project.findUnique({ where: { id } }));\n}\n`;

  it('page.tsx runs for every request to its path: error', async () => {
    expect(await severities(project({ private: true }, { 'src/app/projects/[id]/page.tsx': page }))).toEqual(['src/app/projects/[id]/page.tsx:5 error']);
  });

  it('layout.tsx too: error', async () => {
    expect(await severities(project({ private: true }, { 'src/app/projects/[id]/layout.tsx': page }))).toEqual(['src/app/projects/[id]/layout.tsx:5 error']);
  });

  it('the same component outside app/ that nothing renders: warning', async () => {
    expect(await severities(project({ private: true }, { 'src/views/projects/[id]/page.tsx': page }))).toEqual(['src/views/projects/[id]/page.tsx:5 warning']);
  });
});

// hyperdx (judged): a usage-stats job started at boot, `startJob(); ` at module scope, read as a request path.
describe('a function called from module scope', () => {
  const stats = `import { prisma } from './db';\n\nexport async function countProjects(id: string) {\n  return prisma.project.count({ where: { id } });\n}\n`;

  it('runs when the module loads, without a request: info', async () => {
    const boot = `import { countProjects } from './stats';\n\nvoid countProjects(process.env.PROJECT ?? '');\n`;
    expect(await severities(project({ private: true }, { 'src/stats.ts': stats, 'src/boot.ts': boot }))).toEqual(['src/stats.ts:4 info']);
  });

  it('also from a route with an id from the URL: error', async () => {
    const boot = `import express from 'express';\nimport { countProjects } from './stats';\n\nvoid countProjects(process.env.PROJECT ?? '');\nexport const app = express();\napp.get('/projects/:id/count', async (req, res) => {\n  res.json(await countProjects(req.params.id));\n});\n`;
    expect(await severities(project({ private: true }, { 'src/stats.ts': stats, 'src/boot.ts': boot }))).toEqual(['src/stats.ts:4 error']);
  });
});

// postiz-app (judged): Temporal activities run by a worker for a workflow, reported as request code.
describe('a Temporal activity method', () => {
  const activity = (decorator: string) =>
    `import { prisma } from './db';\ndeclare function Activity(): ClassDecorator;\ndeclare function ActivityMethod(): MethodDecorator;\ndeclare function Get(path: string): MethodDecorator;\n\n@Activity()\nexport class Autopost {\n  ${decorator}\n  async autoPost(id: string) {\n    return prisma.project.update({ where: { id }, data: { name: 'posted' } });\n  }\n}\n`;

  it('@ActivityMethod(): run by a worker, info', async () => {
    expect(await severities(project({ private: true }, { 'src/autopost.activity.ts': activity('@ActivityMethod()') }))).toEqual(['src/autopost.activity.ts:10 info']);
  });

  it('@Get(): a route, error', async () => {
    expect(await severities(project({ private: true }, { 'src/autopost.activity.ts': activity("@Get(':id')") }))).toEqual(['src/autopost.activity.ts:10 error']);
  });
});

describe('a function called with the verified identity', () => {
  const users = `import { prisma } from './db';\n\nexport const rotateKey = (userId: string) => prisma.user.update({ where: { id: userId }, data: { accessKey: 'k' } });\n`;

  // The person's own row by its key, with the verified user's id on every path: scoped by its owner (issue 13,
  // test/paths/own-user-rows-s17.test.ts), no longer defence in depth.
  it('only with it: the caller\'s own row, no finding', async () => {
    const routes = `import express from 'express';\nimport { rotateKey } from './users';\n\nexport const app = express();\napp.patch('/me/key', async (req, res) => {\n  res.json(await rotateKey(req.user.id));\n});\n`;
    expect(await severities(project({ private: true }, { 'src/users.ts': users, 'src/routes.ts': routes }))).toEqual([]);
  });

  it('with an id from the URL: error', async () => {
    const routes = `import express from 'express';\nimport { rotateKey } from './users';\n\nexport const app = express();\napp.patch('/users/:id/key', async (req, res) => {\n  res.json(await rotateKey(req.params.id));\n});\n`;
    expect(await severities(project({ private: true }, { 'src/users.ts': users, 'src/routes.ts': routes }))).toEqual(['src/users.ts:3 error']);
  });
});

describe('a route that checks an operator flag before the call', () => {
  const projects = `import { prisma } from './db';\n\nexport const deleteProject = (id: string) => prisma.project.delete({ where: { id } });\n`;
  const route = (check: string) =>
    `import express from 'express';\nimport { deleteProject } from './projects';\n\n${check}\n\nexport const app = express();\napp.delete('/projects/:id', async (req, res) => {\n  if (!(await canDelete(req.user))) return res.sendStatus(403);\n  res.json(await deleteProject(req.params.id));\n});\n`;

  it('a helper that reads isAdmin: admin-only, warning', async () => {
    const files = { 'src/projects.ts': projects, 'src/routes.ts': route('async function canDelete(user: { isAdmin: boolean }) {\n  return user.isAdmin;\n}') };
    expect(await severities(project({ private: true }, files))).toEqual(['src/projects.ts:3 warning']);
  });

  it('a helper that reads another flag: error', async () => {
    const files = { 'src/projects.ts': projects, 'src/routes.ts': route('async function canDelete(user: { isActive: boolean }) {\n  return user.isActive;\n}') };
    expect(await severities(project({ private: true }, files))).toEqual(['src/projects.ts:3 error']);
  });

  // umami (judged S046): `canViewWebsite(auth, websiteId)` lets admins through and checks everyone else's
  // access to the website: a check of the id, not an admin-only console.
  it('a helper handed the id too, admins or members: checked, not labelled admin-only', async () => {
    const check = `declare function isMember(user: unknown, projectId: string): Promise<boolean>;
async function canDeleteProject(user: { isAdmin: boolean }, projectId: string) {
  if (user.isAdmin) return true;
  return isMember(user, projectId);
}`;
    const code = route(check).replace('canDelete(req.user)', 'canDeleteProject(req.user, req.params.id)');
    const result = await scan({ path: project({ private: true }, { 'src/projects.ts': projects, 'src/routes.ts': code }) });
    const finding = result.findings.find((f) => f.ruleId === 'require-tenant-filter');
    expect(finding?.severity).toBe('warning');
    expect(finding?.evidence).toContain('canDeleteProject(req.user, req.params.id)');
    expect(finding?.evidence).not.toContain('admin-only');
  });
});

describe('a query keyed by the rows of another query of the function', () => {
  const file = (ids: string) =>
    `import { prisma } from './db';\n\nexport async function archive(organizationId: string, ids: string[]) {\n  const projects = await prisma.project.findMany({ where: { organizationId } });\n  await prisma.project.updateMany({ where: { id: { in: ${ids} } }, data: { name: 'archived' } });\n}\n`;

  it('ids mapped from the scoped rows: not reported', async () => {
    expect(await severities(project({ main: 'dist/index.js' }, { 'src/archive.ts': file('projects.map((p) => p.id)') }))).toEqual([]);
  });

  it('ids from the caller: error', async () => {
    expect(await severities(project({ main: 'dist/index.js' }, { 'src/archive.ts': file('ids') }))).toEqual(['src/archive.ts:5 error']);
  });
  // postiz-app (judged): each row of a scoped read, walked with for...of
  const loop = (of: string) =>
    `import { prisma } from './db';\n\nexport async function archive(organizationId: string, ids: { id: string }[]) {\n  const projects = await prisma.project.findMany({ where: { organizationId }, select: { id: true } });\n  for (const p of ${of}) {\n    await prisma.project.update({ where: { id: p.id }, data: { name: 'archived' } });\n  }\n}\n`;

  it('each row of the scoped read, in a for...of loop: not reported', async () => {
    expect(await severities(project({ main: 'dist/index.js' }, { 'src/archive.ts': loop('projects') }))).toEqual([]);
  });

  it('twin: each row the caller passes, in a for...of loop: error', async () => {
    expect(await severities(project({ main: 'dist/index.js' }, { 'src/archive.ts': loop('ids') }))).toEqual(['src/archive.ts:6 error']);
  });
});

describe('a client returned by a method of a class that extends PrismaClient (txClient())', () => {
  const service = `import { PrismaClient } from '@prisma/client';\n\ndeclare const store: { get(key: string): unknown };\n\nexport class PrismaService extends PrismaClient {\n  txClient(): PrismaClient {\n    const tx = store.get('tx.client');\n    if (!tx) return this;\n    return tx as PrismaClient;\n  }\n}\n`;
  const repo = (where: string) => `import { PrismaService } from './prisma.service';\n\nexport class Projects {\n  constructor(private readonly prismaService: PrismaService) {}\n  get(organizationId: string, id: string) {\n    return this.prismaService.txClient().project.findFirst({ where: ${where} });\n  }\n}\n`;

  it('scoped: analysed, not reported', async () => {
    expect(await severities(project({ main: 'dist/index.js' }, { 'src/prisma.service.ts': service, 'src/projects.ts': repo('{ id, organizationId }') }))).toEqual([]);
  });

  it('by id alone: reported', async () => {
    expect(await severities(project({ main: 'dist/index.js' }, { 'src/prisma.service.ts': service, 'src/projects.ts': repo('{ id }') }))).toEqual(['src/projects.ts:6 error']);
  });
});

describe('a path longer than the analysis follows', () => {
  const chain = (n: number) => {
    let text = `import express from 'express';\nimport { prisma } from './db';\n\nconst f0 = (id: string) => prisma.project.findUnique({ where: { id } });\n`;
    for (let i = 1; i <= n; i++) text += `const f${i} = (id: string) => f${i - 1}(id);\n`;
    text += `\nexport const app = express();\napp.get('/projects/:id', async (req, res) => {\n  res.json(await f${n}(req.params.id));\n});\n`;
    return text;
  };

  it('within the depth: the unchecked route is found, error', async () => {
    expect(await severities(project({ private: true }, { 'src/chain.ts': chain(2) }))).toEqual(['src/chain.ts:4 error']);
  });

  it('beyond it: undecided, a warning that says where it stopped', async () => {
    const result = await scan({ path: project({ private: true }, { 'src/chain.ts': chain(8) }) });
    const finding = result.findings.find((f) => f.ruleId === 'require-tenant-filter');
    expect(finding?.severity).toBe('warning');
    expect(finding?.evidence).toContain('whose callers were not followed further');
  });
});

describe('callbacks the runtime calls without a request', () => {
  const repo = `import { prisma } from './db';\n\nexport const countProjects = () => prisma.project.count();\n`;

  it('setInterval and passport.deserializeUser (the id the server stored in the session): info', async () => {
    const tasks = `import passport from 'passport';\nimport { countProjects } from './projects';\n\nsetInterval(async () => console.log(await countProjects()), 60_000);\npassport.deserializeUser(async (id: string, done: (e: unknown, u?: unknown) => void) => done(null, await countProjects()));\n`;
    expect(await severities(project({ private: true }, { 'src/projects.ts': repo, 'src/tasks.ts': tasks }))).toEqual(['src/projects.ts:3 info']);
  });

  it('the same count in a route: error', async () => {
    const routes = `import express from 'express';\nimport { countProjects } from './projects';\n\nexport const app = express();\napp.get('/count', async (req, res) => res.json(await countProjects()));\n`;
    expect(await severities(project({ private: true }, { 'src/projects.ts': repo, 'src/routes.ts': routes }))).toEqual(['src/projects.ts:3 error']);
  });
});

// tianji (judged tianji-27): the daily cron job lists its tasks as functions and calls each in a loop.
describe('functions in a local list that a job iterates and calls', () => {
  const repo = `import { prisma } from './db';\n\nexport const countProjects = () => prisma.project.count();\n`;
  const job = (register: string) =>
    `import { Cron } from 'croner';\nimport express from 'express';\nimport { countProjects } from './projects';\n\nexport const app = express();\n${register}async () => {\n  const tasks = [() => countProjects(), async () => console.log('done')];\n  for (const task of tasks) {\n    await task();\n  }\n});\n`;

  it('in a Cron callback: info', async () => {
    expect(await severities(project({ private: true, dependencies: { '@prisma/client': '^6.8.0', express: '^5.1.0', croner: '^9.0.0' } }, { 'src/projects.ts': repo, 'src/cron.ts': job("Cron('0 2 * * *', ") }))).toEqual(['src/projects.ts:3 info']);
  });

  it('the same loop in a route: error', async () => {
    expect(await severities(project({ private: true }, { 'src/projects.ts': repo, 'src/cron.ts': job("app.get('/run', ") }))).toEqual(['src/projects.ts:3 error']);
  });

  it('the list handed on (returned) from the cron callback: not followed, not info', async () => {
    const handed = `import { Cron } from 'croner';\nimport { countProjects } from './projects';\n\nexport function tasks() {\n  const list = [() => countProjects()];\n  for (const task of list) void task();\n  return list;\n}\nCron('0 2 * * *', () => tasks());\n`;
    const result = await severities(project({ private: true }, { 'src/projects.ts': repo, 'src/cron.ts': handed }));
    expect(result).not.toEqual(['src/projects.ts:3 info']);
  });
});

describe('a NestJS service method with a non-route decorator (`@Timing()`), called by a controller', () => {
  const service = `import { Injectable } from '@nestjs/common';\nimport { prisma } from './db';\nimport { Timing } from './timing';\n\n@Injectable()\nexport class ProjectService {\n  @Timing()\n  async rename(id: string, name: string) {\n    return prisma.project.update({ where: { id }, data: { name } });\n  }\n}\n`;
  const timing = `export const Timing = (): MethodDecorator => () => undefined;\n`;
  const controller = (decorators: string) =>
    `import { Body, Controller, Param, Patch } from '@nestjs/common';\nimport type { ProjectService } from './project.service';\nimport { Permissions } from './permissions';\n\n@Controller('projects')\nexport class ProjectController {\n  constructor(private readonly projectService: ProjectService) {}\n\n  ${decorators}\n  async rename(@Param('id') id: string, @Body() body: { name: string }) {\n    return this.projectService.rename(id, body.name);\n  }\n}\n`;
  const permissions = `export const Permissions = (...p: string[]): MethodDecorator => () => undefined;\n`;
  const files = (decorators: string) => ({ 'src/timing.ts': timing, 'src/permissions.ts': permissions, 'src/project.service.ts': service, 'src/project.controller.ts': controller(decorators) });

  it('the controller route runs behind @Permissions: the service is not an entry point, warning', async () => {
    const result = await scan({ path: project({ private: true }, files(`@Patch(':id')\n  @Permissions('project|update')`)) });
    const finding = result.findings.find((f) => f.ruleId === 'require-tenant-filter');
    expect(finding?.severity).toBe('warning');
    expect(finding?.evidence).toContain("@Permissions('project|update')");
    expect(finding?.evidence).not.toContain('the controller method `rename` (`src/project.service.ts');
  });

  it('the controller route has no check: error, naming the controller', async () => {
    const result = await scan({ path: project({ private: true }, files(`@Patch(':id')`)) });
    const finding = result.findings.find((f) => f.ruleId === 'require-tenant-filter');
    expect(finding?.severity).toBe('error');
    expect(finding?.evidence).toContain('the controller method `rename` (`src/project.controller.ts');
  });
});

describe('a NestJS event listener (`@OnEvent`)', () => {
  const listener = (decorator: string) =>
    `import { Injectable } from '@nestjs/common';\nimport { OnEvent } from '@nestjs/event-emitter';\nimport { Get, Param } from '@nestjs/common';\nimport { prisma } from './db';\n\n@Injectable()\nexport class ProjectListener {\n  ${decorator}\n  async touch(id: string) {\n    return prisma.project.update({ where: { id }, data: { name: 'x' } });\n  }\n}\n`;

  it('runs on events the server emits: info', async () => {
    expect(await severities(project({ private: true }, { 'src/listener.ts': listener(`@OnEvent('project.created')`) }))).toEqual(['src/listener.ts:10 info']);
  });

  it('the same method as a route: error', async () => {
    expect(await severities(project({ private: true }, { 'src/listener.ts': listener(`@Get(':id')`) }))).toEqual(['src/listener.ts:10 error']);
  });
});

describe('the fix for a grandchild table names the whole relation path', () => {
  const schema = SCHEMA.replace('model Organization {\n', 'model Organization {\n  groups Group[]\n') + `
model Group {
  id             String       @id
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  boards         Board[]
  @@index([organizationId, id])
}

model Board {
  id      String @id
  groupId String
  group   Group  @relation(fields: [groupId], references: [id])
  cards   Card[]
}

model Card {
  id      String @id
  boardId String
  board   Board  @relation(fields: [boardId], references: [id])
}
`;

  it('card -> board -> group carries organizationId: `board: { group: { organizationId } }`', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { '@prisma/client': '^6.8.0' } }),
      'prisma/schema.prisma': schema,
      'src/db.ts': DB,
      'src/cards.ts': `import { prisma } from './db';\n\nexport const cardById = (id: string) => prisma.card.findUnique({ where: { id } });\n`,
    });
    const result = await scan({ path: dir });
    const finding = result.findings.find((f) => f.ruleId === 'require-tenant-filter');
    expect(finding?.help).toBe('Filter through the parent: `where: { board: { group: { organizationId } } }`, or run it through a tenant-scoped client.');
  });
});

describe('a permission check named as one, on the same id', () => {
  const route = (body: string) =>
    `import express from 'express';\nimport { prisma } from './db';\nimport { permissions } from './permissions';\n\nexport const app = express();\napp.post('/projects/:id', async (req, res) => {\n  const id = req.params.id;\n${body}\n});\n`;
  const helper = `export const permissions = {\n  async validPermissions(resourceId: string, wanted: string[]) {\n    if (!resourceId || wanted.length === 0) throw new Error('forbidden');\n  },\n  async validateInput(value: string) {\n    if (!value) throw new Error('bad input');\n  },\n};\n`;
  const files = (body: string) => ({ 'src/permissions.ts': helper, 'src/routes.ts': route(body) });

  it('before the query (the helper reads the caller from the request context): guarded where it runs, not reported', async () => {
    expect(await severities(project({ private: true }, files(`  await permissions.validPermissions(id, ['project|read']);\n  res.json(await prisma.project.findUnique({ where: { id } }));`)))).toEqual([]);
  });

  it('a check of the input, not of access: error', async () => {
    expect(await severities(project({ private: true }, files(`  await permissions.validateInput(id);\n  res.json(await prisma.project.findUnique({ where: { id } }));`)))).toEqual(['src/routes.ts:9 error']);
  });

  it('after a read, before anything is returned: not reported', async () => {
    expect(await severities(project({ private: true }, files(`  const project = await prisma.project.findUnique({ where: { id } });\n  const name = project?.name;\n  await permissions.validPermissions(id, ['project|read']);\n  res.json({ name });`)))).toEqual([]);
  });

  it('after a read whose row was already sent: error', async () => {
    expect(await severities(project({ private: true }, files(`  const project = await prisma.project.findUnique({ where: { id } });\n  res.json(project);\n  await permissions.validPermissions(id, ['project|read']);`)))).toEqual(['src/routes.ts:8 error']);
  });

  it('after a write (the row has changed by then): error', async () => {
    expect(await severities(project({ private: true }, files(`  await prisma.project.update({ where: { id }, data: { name: 'x' } });\n  await permissions.validPermissions(id, ['project|update']);\n  res.json({ ok: true });`)))).toEqual(['src/routes.ts:8 error']);
  });
});

describe('a lookup named as a check that is handed the id and the tenant, its result tested (tutur3u validateTeachCourse)', () => {
  const route = (body: string) =>
    `import express from 'express';\nimport { prisma } from './db';\nimport { validateProject } from './lookups';\n\nexport const app = express();\napp.get('/orgs/:orgId/projects/:id', async (req, res) => {\n  const id = req.params.id;\n${body}\n});\n`;
  const lookups = `export async function validateProject(args: { id: string; orgId?: string }) {\n  return args.id;\n}\n`;
  const files = (body: string) => ({ 'src/lookups.ts': lookups, 'src/routes.ts': route(body) });

  it('with the tenant: the id was found within it, and the request stops when not: not reported', async () => {
    expect(await severities(project({ private: true }, files(`  const found = await validateProject({ id, orgId: req.params.orgId });\n  if (!found) return res.status(404).end();\n  res.json(await prisma.project.findUnique({ where: { id } }));`)))).toEqual([]);
  });

  it('its twin without the tenant: an input check, the read leaks: error', async () => {
    expect(await severities(project({ private: true }, files(`  const found = await validateProject({ id });\n  if (!found) return res.status(404).end();\n  res.json(await prisma.project.findUnique({ where: { id } }));`)))).toEqual(['src/routes.ts:10 error']);
  });
});

describe('a permission check named as one, on the same id (Drizzle, Hono)', () => {
  const fixture = (file: string) => readFileSync(join(import.meta.dirname, '../../fixtures/paths-drizzle-hono', file), 'utf8');
  const helper = `export async function assertDocumentAccess(documentId: string) {\n  if (!documentId) throw new Error('forbidden');\n}\nexport async function validateDocumentId(documentId: string) {\n  if (!documentId) throw new Error('bad id');\n}\n`;
  const routes = (check: string) =>
    `import { Hono } from 'hono';\nimport { eq } from 'drizzle-orm';\nimport { db } from './db/client';\nimport { documents } from './db/schema';\nimport { assertDocumentAccess, validateDocumentId } from './access';\n\nexport const app = new Hono();\napp.get('/documents/:id', async (c) => {\n  const id = c.req.param('id');\n  await ${check}(id);\n  return c.json(await db.select().from(documents).where(eq(documents.id, id)));\n});\n`;
  const repo = (check: string) =>
    makeProject({
      'package.json': JSON.stringify({ name: 'd', private: true, dependencies: { 'drizzle-orm': '^0.43.1', hono: '^4.7.10', postgres: '^3.4.5' } }),
      'src/db/schema.ts': fixture('src/db/schema.ts'),
      'src/db/client.ts': fixture('src/db/client.ts'),
      'src/access.ts': helper,
      'src/routes.ts': routes(check),
    });
  const filterFindings = async (dir: string) => (await scan({ path: dir })).findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/routes.ts').map((f) => `${f.line} ${f.severity}`);

  it('assertDocumentAccess(id) before the select: not reported', async () => {
    expect(await filterFindings(repo('assertDocumentAccess'))).toEqual([]);
  });

  it('validateDocumentId(id) (input, not access) before the select: error', async () => {
    expect(await filterFindings(repo('validateDocumentId'))).toEqual(['11 error']);
  });
});

describe('an RxJS operator callback in a service method (concatMap)', () => {
  const service = `import { from, lastValueFrom } from 'rxjs';\nimport { bufferCount, concatMap } from 'rxjs/operators';\nimport { prisma } from './db';\n\nexport class ProjectService {\n  async renameAll(ids: string[]) {\n    return lastValueFrom(from(ids).pipe(bufferCount(10), concatMap((chunk) => from(prisma.project.updateMany({ where: { id: { in: chunk } }, data: { name: 'x' } })))));\n  }\n}\n`;
  const caller = (check: string) => `import express from 'express';\nimport { ProjectService } from './service';\nimport { assertProjectAccess } from './access';\n\nconst service = new ProjectService();\nexport const app = express();\napp.post('/rename', async (req, res) => {\n  const ids: string[] = req.body.ids;\n${check}  res.json(await service.renameAll(ids));\n});\n`;
  const access = `export async function assertProjectAccess(ids: string[]) {\n  if (ids.length === 0) throw new Error('forbidden');\n}\n`;

  it('is part of the method: its caller checks access first, warning', async () => {
    expect(await severities(project({ private: true }, { 'src/service.ts': service, 'src/access.ts': access, 'src/routes.ts': caller('  await assertProjectAccess(ids);\n') }))).toEqual(['src/service.ts:7 warning']);
  });

  it('the caller does not check: error, through the route (not the operator as an entry point)', async () => {
    const result = await scan({ path: project({ private: true }, { 'src/service.ts': service, 'src/access.ts': access, 'src/routes.ts': caller('') }) });
    const finding = result.findings.find((f) => f.ruleId === 'require-tenant-filter');
    expect(finding?.severity).toBe('error');
    expect(finding?.evidence).not.toContain('concatMap');
  });
});

describe('a tenant filter applied only when a condition holds', () => {
  const prismaRepo = (where: string) => ({ 'src/projects.ts': `import { prisma } from './db';\n\nexport const projectById = (id: string, org?: string) =>\n  prisma.project.findUnique({ where: ${where} });\n` });
  const findings = async (dir: string) => (await scan({ path: dir })).findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.messageId} ${f.severity}`);

  it('Prisma `...(org ? { organizationId: org } : {})`: conditionalTenantFilter, warning', async () => {
    expect(await findings(project({ private: true }, prismaRepo(`{ id, ...(org ? { organizationId: org } : {}) }`)))).toEqual(['src/projects.ts:4 conditionalTenantFilter warning']);
  });

  it('Prisma, the condition adds another key: missingTenantFilter, not excused', async () => {
    expect((await findings(project({ private: true }, prismaRepo(`{ id, ...(org ? { name: org } : {}) }`))))[0]).toMatch(/missingTenantFilter/);
  });

  it('Prisma, the tenant is also pinned unconditionally: not reported', async () => {
    expect(await findings(project({ private: true }, prismaRepo(`{ id, organizationId: org ?? 'none', ...(org ? { organizationId: org } : {}) }`)))).toEqual([]);
  });

  const fixture = (file: string) => readFileSync(join(import.meta.dirname, '../../fixtures/paths-drizzle-hono', file), 'utf8');
  const drizzleRepo = (condition: string) =>
    makeProject({
      'package.json': JSON.stringify({ name: 'd', private: true, dependencies: { 'drizzle-orm': '^0.43.1', postgres: '^3.4.5' } }),
      'src/db/schema.ts': fixture('src/db/schema.ts'),
      'src/db/client.ts': fixture('src/db/client.ts'),
      'src/documents.ts': `import { and, eq } from 'drizzle-orm';\nimport { db } from './db/client';\nimport { documents } from './db/schema';\n\nexport const documentById = (id: string, org?: string) =>\n  db.select().from(documents).where(and(eq(documents.id, id), ${condition}));\n`,
    });

  it('Drizzle `org ? eq(documents.organizationId, org) : undefined`: conditionalTenantFilter, warning', async () => {
    expect((await findings(drizzleRepo('org ? eq(documents.organizationId, org) : undefined'))).filter((f) => f.startsWith('src/documents.ts'))).toEqual(['src/documents.ts:6 conditionalTenantFilter warning']);
  });

  it('Drizzle, the condition compares another column: missingTenantFilter', async () => {
    expect((await findings(drizzleRepo('org ? eq(documents.name, org) : undefined'))).filter((f) => f.startsWith('src/documents.ts'))[0]).toMatch(/missingTenantFilter/);
  });
});

describe('no-client-tenant-id: a NestJS route behind an authorization decorator', () => {
  const controller = (decorators: string) =>
    `import { Controller, Get, Param } from '@nestjs/common';\nimport { prisma } from './db';\nimport { Permissions } from './permissions';\n\n@Controller('organizations')\nexport class ProjectsController {\n  ${decorators}\n  async list(@Param('organizationId') organizationId: string) {\n    return prisma.project.findMany({ where: { organizationId } });\n  }\n}\n`;
  const permissions = `export const Permissions = (...p: string[]): MethodDecorator => () => undefined;\n`;
  const nct = async (dir: string) => (await scan({ path: dir })).findings.filter((f) => f.ruleId === 'no-client-tenant-id').map((f) => `${f.file}:${f.line} ${f.severity}`);

  it('@Permissions: the guard checks access to the organization the route names, not reported', async () => {
    expect(await nct(project({ private: true }, { 'src/permissions.ts': permissions, 'src/projects.controller.ts': controller(`@Get(':organizationId/projects')\n  @Permissions('project|read')`) }))).toEqual([]);
  });

  it('@Permissions, but the tenant comes from a header the guard does not read: error', async () => {
    const headerController = controller(`@Get('projects')\n  @Permissions('project|read')`).replace("@Param('organizationId')", "@Headers('x-organization-id')").replace("import { Controller, Get, Param }", "import { Controller, Get, Headers }");
    expect(await nct(project({ private: true }, { 'src/permissions.ts': permissions, 'src/projects.controller.ts': headerController }))).toEqual(['src/projects.controller.ts:9 error']);
  });

  it('no authorization decorator: the route parameter is the tenant, error', async () => {
    expect(await nct(project({ private: true }, { 'src/permissions.ts': permissions, 'src/projects.controller.ts': controller(`@Get(':organizationId/projects')`) }))).toEqual(['src/projects.controller.ts:8 error']);
  });
});

describe('a guard helper handed the id, awaited, its result tested and the failing branch exiting (tutur3u requireWorkspaceAccess)', () => {
  const route = (body: string) =>
    `import express from 'express';\nimport { prisma } from './db';\nimport { authorize } from './auth';\n\nexport const app = express();\napp.get('/orgs/:orgId/projects/:id', async (req, res) => {\n  const id = req.params.id;\n${body}\n});\n`;
  const auth = `export async function authorize(req: unknown, id: string): Promise<{ ok: boolean; error?: string }> {\n  return { ok: Boolean(req && id) };\n}\n`;
  const files = (body: string) => ({ 'src/auth.ts': auth, 'src/routes.ts': route(body) });
  const query = `  res.json(await prisma.project.findUnique({ where: { id } }));`;

  it('`if (!access.ok) return` before the read: not reported', async () => {
    expect(await severities(project({ private: true }, files(`  const access = await authorize(req, id);\n  if (!access.ok) return res.status(403).end();\n${query}`)))).toEqual([]);
  });

  it('`if (access instanceof Response) return access`: not reported', async () => {
    expect(await severities(project({ private: true }, files(`  const access = await authorize(req, id);\n  if (access instanceof Response) return access;\n${query}`)))).toEqual([]);
  });

  it('the failing branch only logs: error', async () => {
    expect(await severities(project({ private: true }, files(`  const access = await authorize(req, id);\n  if (!access.ok) console.warn(access.error);\n${query}`)))).toEqual(['src/routes.ts:10 error']);
  });

  it('the guard is handed another id than the read uses: error', async () => {
    expect(await severities(project({ private: true }, files(`  const access = await authorize(req, req.params.orgId);\n  if (!access.ok) return res.status(403).end();\n${query}`)))).toEqual(['src/routes.ts:10 error']);
  });

  it('the guard comes after a write (as for a check after a read whose row was sent, the harm is done): error', async () => {
    expect(await severities(project({ private: true }, files(`  const row = await prisma.project.update({ where: { id }, data: { name: 'x' } });\n  const access = await authorize(req, id);\n  if (!access.ok) return res.status(403).end();\n  res.json(row);`)))).toEqual(['src/routes.ts:8 error']);
  });
});

// hyperdx (judged): a starter that runs a job once and then registers it with `setInterval`, called at boot.
describe('a job started by a function that runs it once and registers it with setInterval', () => {
  const stats = `import { prisma } from './db';\n\nexport async function collect(id: string) {\n  return prisma.project.count({ where: { id } });\n}\n`;

  it('the immediate call is the job\'s first run: info', async () => {
    const starter = `import { collect } from './stats';\n\nexport default function () {\n  void collect('all');\n  setInterval(() => {\n    void collect('all');\n  }, 1000);\n}\n`;
    expect(await severities(project({ private: true }, { 'src/stats.ts': stats, 'src/start.ts': starter }))).toEqual(['src/stats.ts:4 info']);
  });

  it('the same starter without the registration, as a file-routed handler: error', async () => {
    const starter = `import { collect } from '../stats';\n\nexport default function () {\n  void collect('all');\n}\n`;
    expect(await severities(project({ private: true }, { 'src/stats.ts': stats, 'src/api/start.ts': starter }))).toEqual(['src/stats.ts:4 error']);
  });

  it('a route next to the registration, with an id from the URL: error', async () => {
    const starter = `import express from 'express';\nimport { collect } from './stats';\n\nexport const app = express();\nexport function start() {\n  setInterval(() => void collect('all'), 1000);\n  app.get('/projects/:id/count', async (req, res) => {\n    res.json(await collect(req.params.id));\n  });\n}\n`;
    expect(await severities(project({ private: true }, { 'src/stats.ts': stats, 'src/start.ts': starter }))).toEqual(['src/stats.ts:4 error']);
  });
});

// AFFiNE (judged): `@Admin()` is the project's own decorator, `() => UseGuards(AdminGuard)`.
describe('a NestJS route behind a project decorator that applies UseGuards', () => {
  const guard = (check: string) =>
    `import { UseGuards, applyDecorators } from '@nestjs/common';\nimport { isOperator } from './operators';\n\nexport class OperatorGuard {\n  async canActivate(context: { switchToHttp(): { getRequest(): any } }) {\n    const req = context.switchToHttp().getRequest();\n    ${check}\n    return true;\n  }\n}\n\nexport const Operator = () => UseGuards(OperatorGuard);\nexport const OperatorOnly = () => applyDecorators(UseGuards(OperatorGuard));\n`;
  const operators = `export async function isOperator(id: string) {\n  return id.startsWith('op');\n}\n`;
  const controller = (decorator: string) =>
    `import { Controller, Get, Param } from '@nestjs/common';\nimport { prisma } from './db';\nimport { Operator, OperatorOnly } from './guard';\n\n@Controller('projects')\nexport class ProjectsController {\n  ${decorator}\n  @Get(':name')\n  async byName(@Param('name') name: string) {\n    return prisma.project.findMany({ where: { name } });\n  }\n}\n`;
  const files = (check: string, decorator: string) => ({ 'src/guard.ts': guard(check), 'src/operators.ts': operators, 'src/projects.controller.ts': controller(decorator) });
  const refuses = `if (!req.user || !(await isOperator(req.user.id))) throw new Error('forbidden');`;

  it('the guard hands the identity to a check and throws: warning, naming the guard', async () => {
    const result = await scan({ path: project({ private: true }, files(refuses, '@Operator()')) });
    const finding = result.findings.find((f) => f.ruleId === 'require-tenant-filter');
    expect(finding?.severity).toBe('warning');
    expect(finding?.evidence).toContain('`UseGuards(OperatorGuard)`');
  });

  it('through applyDecorators: warning', async () => {
    expect(await severities(project({ private: true }, files(refuses, '@OperatorOnly()')))).toEqual(['src/projects.controller.ts:10 warning']);
  });

  it('a guard that only tests that a user is signed in (authentication): error', async () => {
    expect(await severities(project({ private: true }, files(`if (!req.user) throw new Error('unauthenticated');`, '@Operator()')))).toEqual(['src/projects.controller.ts:10 error']);
  });

  it('no decorator: error', async () => {
    expect(await severities(project({ private: true }, files(refuses, '')))).toEqual(['src/projects.controller.ts:10 error']);
  });
});

// postiz-app (judged): `where: { organization: { paymentId: customerId } }` pins one tenant by an
// external id of the root that has its own index.
describe('a relation filter on the tenant root by one of its identifiers', () => {
  const billing = (filter: string) => `import { prisma } from './db';\n\nexport const cancel = (value: string) => prisma.project.deleteMany({ where: { organization: { ${filter}: value } } });\n`;

  it('an indexed external id of the root (paymentId): scoped, silent', async () => {
    expect(await severities(project({ private: true }, { 'src/billing.ts': billing('paymentId') }))).toEqual([]);
  });

  it('a column many tenants share (plan): still reported (a warning, as nothing calls it)', async () => {
    expect(await severities(project({ private: true }, { 'src/billing.ts': billing('plan') }))).toEqual(['src/billing.ts:3 warning']);
  });
});

// hyperdx (judged): a user found by a unique access key (the authentication step) or by the unique
// email (is this address already registered?).
describe('a person looked up by a unique credential or a unique email', () => {
  const routes = (key: string) => `import express from 'express';\nimport { prisma } from './db';\n\nexport const app = express();\napp.post('/lookup', async (req, res) => {\n  const user = await prisma.user.findUnique({ where: { ${key}: req.body.value } });\n  res.json({ exists: Boolean(user) });\n});\n`;

  it('by the unique access key (a secret): scoped, silent', async () => {
    expect(await severities(project({ private: true }, { 'src/routes.ts': routes('accessKey') }))).toEqual([]);
  });

  it('by the unique email: a warning that names the fact', async () => {
    const result = await scan({ path: project({ private: true }, { 'src/routes.ts': routes('email') }) });
    const finding = result.findings.find((f) => f.ruleId === 'require-tenant-filter');
    expect(finding?.severity).toBe('warning');
    expect(finding?.evidence).toContain('`User.email` is unique across all tenants');
  });

  it('by another unique column that is neither (a nickname): error', async () => {
    expect(await severities(project({ private: true }, { 'src/routes.ts': routes('nickname') }))).toEqual(['src/routes.ts:6 error']);
  });
});

// teable (judged): the ids of a read come from the verified user's own membership rows.
describe('a read keyed by the rows of a read of the verified user\'s own rows', () => {
  const route = (filter: string) => `import express from 'express';\nimport { prisma } from './db';\n\nexport const app = express();\napp.get('/shared', async (req, res) => {\n  const memberships = await prisma.member.findMany({ where: { ${filter} } });\n  res.json(await prisma.project.findMany({ where: { id: { in: memberships.map((m) => m.organizationId) } } }));\n});\n`;
  const projectLine = async (filter: string) => (await severities(project({ private: true }, { 'src/routes.ts': route(filter) }))).filter((f) => f.startsWith('src/routes.ts:7'));

  it('the user\'s memberships (userId from the session): warning', async () => {
    expect(await projectLine('userId: req.user.id')).toEqual(['src/routes.ts:7 warning']);
  });

  it('memberships of a user named by the request: error', async () => {
    expect(await projectLine('userId: req.query.userId')).toEqual(['src/routes.ts:7 error']);
  });

  // teable (judged G078): the ids are mapped in a block-bodied callback that casts with a type (`c.roleName as IRole`).
  const typed = (filter: string) =>
    `import express from 'express';\nimport { prisma } from './db';\n\ntype Role = 'owner' | 'editor';\nexport const app = express();\napp.get('/shared', async (req, res) => {\n  const memberships = await prisma.member.findMany({ where: { ${filter} } });\n  const roles: Record<string, Role> = {};\n  const ids = memberships.map((m) => {\n    roles[m.organizationId] = 'owner' as Role;\n    return m.organizationId;\n  });\n  res.json(await prisma.project.findMany({ where: { id: { in: ids } } }));\n});\n`;
  const typedLine = async (filter: string) => (await severities(project({ private: true }, { 'src/routes.ts': typed(filter) }))).filter((f) => f.startsWith('src/routes.ts:13'));

  it('mapped in a block with a type assertion: still the user\'s memberships, warning', async () => {
    expect(await typedLine('userId: req.user.id')).toEqual(['src/routes.ts:13 warning']);
  });

  it('twin: the same with a user named by the request: error', async () => {
    expect(await typedLine('userId: req.query.userId')).toEqual(['src/routes.ts:13 error']);
  });

  // teable's trash (judged G081): an `OR` whose unscoped branch takes the ids of the user's own rows.
  const either = (ids: string) =>
    `import express from 'express';\nimport { prisma } from './db';\n\nexport const app = express();\napp.get('/trash', async (req: any, res: any) => {\n  const memberships = await prisma.member.findMany({ where: { userId: req.user.id } });\n  res.json(await prisma.project.findMany({ where: { OR: [{ organizationId: req.user.organizationId }, { id: { in: ${ids} } }] } }));\n});\n`;
  const eitherLine = async (ids: string) => (await severities(project({ private: true }, { 'src/routes.ts': either(ids) }))).filter((f) => f.startsWith('src/routes.ts:7'));

  it('an OR branch keyed by the rows of the user\'s own rows: not reported', async () => {
    expect(await eitherLine('memberships.map((m) => m.organizationId)')).toEqual([]);
  });

  it('twin: an OR branch keyed by ids of the body: error', async () => {
    expect(await eitherLine('req.body.ids')).toEqual(['src/routes.ts:7 error']);
  });

  // The same in teable's own shape: the ids are collected into a Set in a `forEach` whose callback destructures the row.
  const collected = (fill: string) =>
    `import express from 'express';\nimport { prisma } from './db';\n\nexport const app = express();\napp.get('/trash', async (req: any, res: any) => {\n  const memberships = await prisma.member.findMany({ where: { userId: req.user.id } });\n  const ids = new Set<string>();\n  ${fill}\n  res.json(await prisma.project.findMany({ where: { OR: [{ organizationId: req.user.organizationId }, { id: { in: Array.from(ids) } }] } }));\n});\n`;
  const collectedLine = async (fill: string) => {
    const code = collected(fill);
    const line = code.split('\n').findIndex((l) => l.includes('OR: [')) + 1;
    return (await severities(project({ private: true }, { 'src/routes.ts': code }))).filter((f) => f.startsWith('src/routes.ts:')).map((f) => f.replace(`:${line} `, ':query '));
  };

  it('ids of the user\'s own rows collected into a Set in forEach: not reported', async () => {
    expect(await collectedLine('memberships.forEach(({ organizationId }) => { if (organizationId) ids.add(organizationId); });')).toEqual([]);
  });

  it('...or pushed in a for...of loop: not reported', async () => {
    expect(await collectedLine('for (const m of memberships) ids.add(m.organizationId);')).toEqual([]);
  });

  it('twin: the Set also takes an id of the body: error', async () => {
    expect(await collectedLine('memberships.forEach(({ organizationId }) => ids.add(organizationId));\n  ids.add(req.body.id);')).toEqual(['src/routes.ts:query error']);
  });

  it('twin: the Set is handed to a function that may fill it: error', async () => {
    expect(await collectedLine('memberships.forEach(({ organizationId }) => ids.add(organizationId));\n  fill(ids, req.body);')).toEqual(['src/routes.ts:query error']);
  });
});

// retraced (judged): a yargs command module and a script with a `#!` line are run from a terminal.
describe('command-line entry points', () => {
  const command = (exports: string) => `import { prisma } from './db';\n\n${exports}\nfunction list() {\n  return prisma.project.findMany();\n}\n\nexport const handler = async () => {\n  console.log(await list());\n};\n`;

  it('a yargs command module (`handler` beside `describe`/`builder`): system code, info', async () => {
    expect(await severities(project({ private: true }, { 'src/list-projects.ts': command(`export const describe = 'list every project';\nexport const builder = {};\n`) }))).toEqual(['src/list-projects.ts:7 info']);
  });

  it('twin: an exported `handler` with no command exports, mounted on a route with no check: error', async () => {
    const routes = `import express from 'express';\nimport { handler } from './list-projects';\n\nexport const app = express();\napp.get('/projects', async (req, res) => res.json(await handler()));\n`;
    expect(await severities(project({ private: true }, { 'src/list-projects.ts': command(''), 'src/routes.ts': routes }))).toEqual(['src/list-projects.ts:5 error']);
  });

  it('a file that starts with `#!` (its function called by nothing else): system code, info', async () => {
    const script = `#!/usr/bin/env node\nimport { prisma } from './db';\n\nexport async function purge(id: string) {\n  return prisma.project.delete({ where: { id } });\n}\n`;
    expect(await severities(project({ private: true }, { 'src/purge.ts': script }))).toEqual(['src/purge.ts:5 info']);
    // twin: the same file without the `#!` line is dead code in an application, a warning
    expect(await severities(project({ private: true }, { 'src/purge.ts': script.replace('#!/usr/bin/env node\n', '') }))).toEqual(['src/purge.ts:4 warning']);
  });
});

// hyperdx's tasks/index.ts: a program run by a package.json script (`ts-node ./src/tasks/index.ts`) whose top level
// reads `process.argv` and runs `timeExec(main, report)`, a project function that times the task it wraps.
describe('a project function handed a task in a command-line program', () => {
  const metrics = `export function timed<A>(fn: (a: A) => Promise<void>, report: (ms: number) => void) {\n  return async (a: A) => {\n    const start = Date.now();\n    await fn(a);\n    report(Date.now() - start);\n  };\n}\n`;
  const task = `import { prisma } from '../db';\n\nexport async function listAll() {\n  return prisma.project.findMany();\n}\n`;
  const entry = (top: string, extra = '') =>
    `import { timed } from './metrics';\nimport { listAll } from './list';\n${extra}\nasync function main(name: string) {\n  console.log(name, await listAll());\n}\n\n${top}\nconst run = timed(main, (ms) => console.log(ms));\nrun(name);\n`;
  const files = (index: string) => ({ 'src/tasks/metrics.ts': metrics, 'src/tasks/list.ts': task, 'src/tasks/index.ts': index });

  it('its top level reads `process.argv`: system code, info', async () => {
    expect(await severities(project({ private: true }, files(entry('const name = process.argv[2] ?? "all";'))))).toEqual(['src/tasks/list.ts:4 info']);
  });

  it('a package.json script runs it: system code, info', async () => {
    expect(await severities(project({ private: true, scripts: { task: 'ts-node -r tsconfig-paths/register ./src/tasks/index.ts' } }, files(entry('const name = "all";'))))).toEqual(['src/tasks/list.ts:4 info']);
  });

  it('twin: nothing runs it as a program (no script, no argv): the handler registered with `timed(...)`, error', async () => {
    expect(await severities(project({ private: true, scripts: { start: 'node dist/server.js' } }, files(entry('const name = "all";'))))).toEqual(['src/tasks/list.ts:4 error']);
  });

  it('twin: a package.json script runs it, but it serves routes (a server, not a program): error', async () => {
    const server = entry('const name = "all";', "import express from 'express';\nexport const app = express();\napp.get('/health', (req, res) => res.send('ok'));\napp.listen(3000);\n");
    expect(await severities(project({ private: true, scripts: { dev: 'tsx src/tasks/index.ts' } }, files(server)))).toEqual(['src/tasks/list.ts:4 error']);
  });
});

// postiz's setNickname (judged G040): `getIntegrationById(org.id, id)` then a throw when it is missing, then the
// update by `id` alone. The tenant handed to the lookup is a field of the verified organisation.
describe('a lookup within the tenant handed the id of the tenant row (`org.id`)', () => {
  const route = (lookup: string, helper: string) =>
    `import express from 'express';\nimport { prisma } from './db';\n\nasync function projectOf(orgId: string, id: string) {\n  return prisma.project.findFirst({ where: { ${helper} } });\n}\nexport const app = express();\napp.post('/projects/:id/name', async (req: any, res: any) => {\n  const org = req.user.organization;\n  const id = req.params.id;\n  const found = await projectOf(${lookup}, id);\n  if (!found) throw new Error('not found');\n  res.json(await prisma.project.update({ where: { id }, data: { name: req.body.name } }));\n});\n`;
  const line = async (lookup: string, helper: string) => (await severities(project({ private: true }, { 'src/routes.ts': route(lookup, helper) }))).filter((f) => f.startsWith('src/routes.ts:13'));

  it('the helper filters by the tenant it is handed: checked, not reported', async () => {
    expect(await line('org.id', 'organizationId: orgId, id')).toEqual([]);
  });

  it('twin: the helper ignores the tenant: error', async () => {
    expect(await line('org.id', 'id')).toEqual(['src/routes.ts:13 error']);
  });

  it('twin: the tenant row comes from the body: error', async () => {
    expect(await line('req.body.org.id', 'organizationId: orgId, id')).toEqual(['src/routes.ts:13 error']);
  });
});

// capgo's channel upsert (judged G065): the existing row decides which permission is checked, and each branch checks.
describe('a check on each branch of an if/else', () => {
  const route = (otherwise: string) =>
    `import express from 'express';\nimport { prisma } from './db';\ndeclare function canEdit(userId: string, id: string): Promise<boolean>;\ndeclare function canCreate(userId: string, id: string): Promise<boolean>;\n\nexport const app = express();\napp.post('/projects', async (req: any, res: any) => {\n  const id = req.body.id;\n  const existing = await prisma.project.findUnique({ where: { id } });\n  if (existing) {\n    const allowed = await canEdit(req.user.id, id);\n    if (!allowed) throw new Error('forbidden');\n  } else ${otherwise}\n  res.json(await prisma.project.upsert({ where: { id }, create: { id, name: req.body.name, organizationId: req.user.organizationId }, update: { name: req.body.name } }));\n});\n`;

  it('both branches check the id: the read before and the write after are checked, not reported', async () => {
    expect(await severities(project({ private: true }, { 'src/routes.ts': route('if (!(await canCreate(req.user.id, id))) {\n    throw new Error(\'forbidden\');\n  }') }))).toEqual([]);
  });

  it('twin: the other branch only logs: both are errors', async () => {
    expect(await severities(project({ private: true }, { 'src/routes.ts': route('{\n    console.log(\'new project\');\n  }') }))).toEqual(['src/routes.ts:9 error', 'src/routes.ts:16 error']);
  });
});

// Cap's routes (fresh-repo judged): the rows are read, tested for emptiness, renamed (`const video = rows[0]`), then
// compared with the verified user before any use.
describe('a check of the returned row under another name', () => {
  const route = (check: string) =>
    `import express from 'express';\nimport { prisma } from './db';\n\nexport const app = express();\napp.get('/projects/:id', async (req: any, res: any) => {\n  const rows = await prisma.project.findMany({ where: { id: req.params.id }, take: 1 });\n  if (rows.length === 0 || !rows[0]) return res.sendStatus(404);\n  const row = rows[0];\n  ${check}\n  res.json(row);\n});\n`;
  const line = async (check: string) => (await severities(project({ private: true }, { 'src/routes.ts': route(check) }))).filter((f) => f.startsWith('src/routes.ts:6'));

  it('compared with the verified identity: checked after the read, not reported', async () => {
    expect(await line('if (row.organizationId !== req.user.organizationId) return res.sendStatus(403);')).toEqual([]);
  });

  it('twin: compared with a value of the query string: error', async () => {
    expect(await line('if (row.organizationId !== req.query.organizationId) return res.sendStatus(403);')).toEqual(['src/routes.ts:6 error']);
  });

  it('twin: the row is used before the check: error', async () => {
    expect(await line('console.log(JSON.stringify(row));\n  if (row.organizationId !== req.user.organizationId) return res.sendStatus(403);')).toEqual(['src/routes.ts:6 error']);
  });
});

// documenso's API (fresh-repo judged): the created row is held in a `let` assigned inside a `try`.
describe('a row created in a try block, held in a let', () => {
  const route = (assign: string) =>
    `import express from 'express';\nimport { prisma } from './db';\n\nexport const app = express();\napp.post('/projects', async (req: any, res: any) => {\n  let created: { id: string } | null = null;\n  try {\n    ${assign}\n  } catch {\n    return res.sendStatus(500);\n  }\n  res.json(await prisma.project.update({ where: { id: created!.id }, data: { name: 'renamed' } }));\n});\n`;
  const line = async (assign: string) => {
    const code = route(assign);
    const at = code.split('\n').findIndex((l) => l.includes('project.update')) + 1;
    return (await severities(project({ private: true }, { 'src/routes.ts': code }))).filter((f) => f.startsWith(`src/routes.ts:${at} `)).map((f) => f.replace(/:\d+ /, ':update '));
  };

  it('assigned once, from the create: the created row\'s id, not reported', async () => {
    expect(await line("created = await prisma.project.create({ data: { name: req.body.name, organizationId: req.user.organizationId } });")).toEqual([]);
  });

  it('twin: assigned again from the body: error', async () => {
    expect(await line("created = await prisma.project.create({ data: { name: req.body.name, organizationId: req.user.organizationId } });\n    if (req.body.reuse) created = req.body.project;")).toEqual(['src/routes.ts:update error']);
  });
});

// retraced's reindex (judged G009/F008): a command builds a page indexer with a factory and calls it.
describe('the closure a factory returns', () => {
  const factory = `import { prisma } from './db';\n\nexport const makeIndexer = (index: string) => async (ids: string[]) => {\n  return prisma.project.findMany({ where: { id: { in: ids } } });\n};\n`;

  it('built only in a command-line command: runs there, info', async () => {
    const command = `import { makeIndexer } from './indexer';\n\nexport const command = 'reindex';\nexport const describe = 'reindex every project';\nexport const handler = async (argv: { ids: string[] }) => {\n  const each = makeIndexer('tmp');\n  await each(argv.ids);\n};\n`;
    expect(await severities(project({ private: true }, { 'src/indexer.ts': factory, 'src/reindex.ts': command }))).toEqual(['src/indexer.ts:4 info']);
  });

  it('twin: built at module scope and held by a route: the closure is what the route runs, error', async () => {
    const routes = `import express from 'express';\nimport { makeIndexer } from './indexer';\n\nconst each = makeIndexer('live');\nexport const app = express();\napp.post('/index', async (req, res) => res.json(await each(req.body.ids)));\n`;
    expect(await severities(project({ private: true }, { 'src/indexer.ts': factory, 'src/routes.ts': routes }))).toEqual(['src/indexer.ts:4 error']);
  });

  it('twin: built in a command and in a route: not only system code', async () => {
    const command = `import express from 'express';\nimport { makeIndexer } from './indexer';\n\nexport const command = 'reindex';\nexport const describe = 'reindex every project';\nexport const handler = async (argv: { ids: string[] }) => makeIndexer('tmp')(argv.ids);\nexport const app = express();\napp.post('/index', async (req, res) => {\n  const each = makeIndexer('live');\n  res.json(await each(req.body.ids));\n});\n`;
    expect(await severities(project({ private: true }, { 'src/indexer.ts': factory, 'src/reindex.ts': command }))).not.toEqual(['src/indexer.ts:4 info']);
  });
});

// umami (judged): a read-through cache runs its loader now, for the function that asks it.
describe('a loader handed to a read-through cache', () => {
  const load = `import { prisma } from './db';\ndeclare const cache: { fetch<T>(key: string, load: () => Promise<T>, ttl: number): Promise<T> };\n\nexport async function projectById(id: string) {\n  return cache.fetch(\`project:\${id}\`, () => prisma.project.findUnique({ where: { id } }), 60);\n}\n`;

  it('called only by a cron job: system code, info', async () => {
    const jobs = `import cron from 'node-cron';\nimport { projectById } from './load';\n\ncron.schedule('0 * * * *', () => projectById('p1'));\n`;
    expect(await severities(project({ private: true }, { 'src/load.ts': load, 'src/jobs.ts': jobs }))).toEqual(['src/load.ts:5 info']);
  });

  it('twin: called by a route with the id from the URL and no check: error', async () => {
    const routes = `import express from 'express';\nimport { projectById } from './load';\n\nexport const app = express();\napp.get('/projects/:id', async (req, res) => res.json(await projectById(req.params.id)));\n`;
    expect(await severities(project({ private: true }, { 'src/load.ts': load, 'src/routes.ts': routes }))).toEqual(['src/load.ts:5 error']);
  });
});

// retraced (judged): callback-style data access inside `new Promise(...)` and a pg pool's `connect(cb)`
// belongs to the function that builds the promise; its callers decide the severity.
describe('a query inside a Promise executor and a pool checkout callback', () => {
  const store = `import { Pool } from 'pg';\nconst pool = new Pool({});\n\nexport const store = {\n  projectById: (id: string) =>\n    new Promise((resolve, reject) => {\n      pool.connect((err, client, done) => {\n        if (err || !client) return reject(err);\n        client.query('SELECT * FROM projects WHERE id = $1', [id], (qerr, result) => { done(); qerr ? reject(qerr) : resolve(result.rows[0]); });\n      });\n    }),\n};\n`;
  const sqlProject = (files: Record<string, string>) =>
    makeProject({
      'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { pg: '^8.16.0', 'node-cron': '^3.0.0', express: '^5.1.0' } }),
      'migrations/0001_init.sql': 'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE projects (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id), name text);\nCREATE INDEX ON projects (org_id);\n',
      'src/store.ts': store,
      ...files,
    });

  it('called only by a cron job: system code, info', async () => {
    const jobs = `import cron from 'node-cron';\nimport { store } from './store';\n\ncron.schedule('0 * * * *', () => store.projectById('p1'));\n`;
    expect(await severities(sqlProject({ 'src/jobs.ts': jobs }))).toEqual(['src/store.ts:9 info']);
  });

  it('twin: called by a route with the id from the URL and no check: error, the route named', async () => {
    const routes = `import express from 'express';\nimport { store } from './store';\n\nexport const app = express();\napp.get('/projects/:id', async (req, res) => res.json(await store.projectById(req.params.id)));\n`;
    const result = await scan({ path: sqlProject({ 'src/routes.ts': routes }) });
    const findings = result.findings.filter((f) => f.ruleId === 'require-tenant-filter');
    expect(findings.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual(['src/store.ts:9 error']);
    expect(findings[0]?.evidence).toContain('src/routes.ts');
  });
});

// retraced (field, judged): model functions are default exports imported under another name
// (`import getEnvUser from '../models/environmentuser/get'`) or renamed (`import { byName as
// removeAll }`), and each handler is itself a default export. The call graph found no caller, so the
// query's own default export was taken for a framework handler (error, no path named).
describe('a default export or a renamed import, called by project code', () => {
  const model = `import { prisma } from '../db';\n\nexport default async function (id: string) {\n  return prisma.project.delete({ where: { id } });\n}\n\nexport async function byName(name: string) {\n  return prisma.project.deleteMany({ where: { name } });\n}\n`;
  const handler = (check: string) =>
    `import removeProject from '../models/project';\ndeclare function assertProjectAccess(user: { id: string }, projectId: string): Promise<void>;\n\nexport default async function (user: { id: string }, projectId: string) {\n${check}  await removeProject(projectId);\n}\n`;
  const routes = `import express from 'express';\nimport handle from './handlers/remove';\n\nexport const app = express();\napp.delete('/projects/:id', async (req, res) => res.json(await handle((req as any).user, req.params.id)));\n`;
  const command = (entry: string) => `import { byName as removeAll } from './models/project';\n\n${entry}`;

  it('behind a handler that checks access first: warning, the check named', async () => {
    const dir = project({ private: true }, { 'src/models/project.ts': model, 'src/handlers/remove.ts': handler('  await assertProjectAccess(user, projectId);\n'), 'src/routes.ts': routes });
    const result = await scan({ path: dir });
    const finding = result.findings.find((f) => f.ruleId === 'require-tenant-filter' && f.line === 4);
    expect(finding?.severity).toBe('warning');
    expect(finding?.evidence).toContain('assertProjectAccess(user, projectId)');
    expect(finding?.evidence).toContain('the default export of `project.ts`');
  });

  it('twin: the handler calls it with the id from the URL and no check: error, the route named', async () => {
    const dir = project({ private: true }, { 'src/models/project.ts': model, 'src/handlers/remove.ts': handler(''), 'src/routes.ts': routes });
    const result = await scan({ path: dir });
    const finding = result.findings.find((f) => f.ruleId === 'require-tenant-filter' && f.line === 4);
    expect(finding?.severity).toBe('error');
    expect(finding?.evidence).toContain('src/routes.ts');
  });

  it('a renamed import called only by a yargs command: system code, info', async () => {
    const cli = command(`export const describe = 'remove by name';\nexport const builder = {};\nexport const handler = async (argv: { name: string }) => removeAll(argv.name);\n`);
    expect((await severities(project({ private: true }, { 'src/models/project.ts': model, 'src/remove-all.ts': cli }))).filter((f) => f.startsWith('src/models/project.ts:8'))).toEqual(['src/models/project.ts:8 info']);
  });

  // retraced (judged E001/E002): `_processor/models/environment/anomaly_report.ts`'s default export, called by nothing.
  it('an uncalled default export outside a file-routed folder: not an entry, warning (no caller)', async () => {
    expect(await severities(project({ private: true }, { 'src/models/project.ts': model.replace(/export async function byName[^]*$/, '') }))).toEqual(['src/models/project.ts:4 warning']);
  });

  it('twin: the same default export in `pages/api/`: the framework\'s handler, error', async () => {
    expect(await severities(project({ private: true }, { 'src/pages/api/project.ts': model.replace(/export async function byName[^]*$/, '') }))).toEqual(['src/pages/api/project.ts:4 error']);
  });

  it('twin: the renamed import called by a route with a name from the query: error', async () => {
    const route = command(`import express from 'express';\nexport const app = express();\napp.delete('/projects', async (req, res) => res.json(await removeAll(String(req.query.name))));\n`);
    expect((await severities(project({ private: true }, { 'src/models/project.ts': model, 'src/routes.ts': route }))).filter((f) => f.startsWith('src/models/project.ts:8'))).toEqual(['src/models/project.ts:8 error']);
  });
});

// capgo (field, judged D014): `await assertAppPermission(c, perm, appId)` then
// `db.execute(sql\`... WHERE app_id = ${appId}\`)`. A tagged template reached the policy as a call with
// no arguments, so the check shared no value with it. Drizzle's `execute(sql...)` and postgres.js's
// own tag, each with its twin (the check is of another id).
describe('a check before a query written as a tagged template', () => {
  const sqlFiles = (deps: Record<string, string>, code: string) =>
    makeProject({
      'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { hono: '^4.0.0', ...deps } }),
      'migrations/0001_init.sql': 'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE apps (app_id text PRIMARY KEY, owner_org uuid NOT NULL REFERENCES orgs(id));\nCREATE TABLE campaigns (id uuid PRIMARY KEY, owner_org uuid NOT NULL REFERENCES orgs(id), app_id text NOT NULL, name text);\nCREATE INDEX ON campaigns (owner_org, id);\n',
      'src/index.ts': code,
    });
  const route = (head: string, query: string, checked: string) =>
    `import { Hono } from 'hono';\n${head}declare function checkPermission(c: unknown, permission: string, scope: { appId: string }): Promise<boolean>;\nexport const app = new Hono();\n\nasync function assertAppPermission(c: unknown, permission: string, appId: string) {\n  if (!(await checkPermission(c, permission, { appId }))) throw new Error('403');\n}\n\napp.get('/campaigns', async (c) => {\n  const appId = String(c.req.query('app_id'));\n  const otherId = String(c.req.query('other_id'));\n  await assertAppPermission(c, 'manage', ${checked});\n  try {\n    return c.json(await ${query});\n  } finally {\n    console.log('done');\n  }\n});\n`;
  const drizzle = (checked: string) =>
    sqlFiles({ 'drizzle-orm': '^0.44.0', pg: '^8.0.0' }, route(`import { sql } from 'drizzle-orm';\nimport { drizzle } from 'drizzle-orm/node-postgres';\nconst db = drizzle(process.env.DATABASE_URL!);\n`, 'db.execute(sql`SELECT id, name FROM campaigns WHERE app_id = ${appId}`)', checked));
  const postgres = (checked: string) =>
    sqlFiles({ postgres: '^3.4.0' }, route(`import postgres from 'postgres';\nconst sql = postgres(process.env.DATABASE_URL!);\n`, 'sql`SELECT id, name FROM campaigns WHERE app_id = ${appId}`', checked));

  it('Drizzle execute(sql`...`): checked first, not reported', async () => {
    expect(await severities(drizzle('appId'))).toEqual([]);
  });
  it('twin: the check is of another id: error', async () => {
    expect(await severities(drizzle('otherId'))).toEqual(['src/index.ts:17 error']);
  });
  it('postgres.js sql`...`: checked first, not reported', async () => {
    expect(await severities(postgres('appId'))).toEqual([]);
  });
  it('twin: the check is of another id: error', async () => {
    expect(await severities(postgres('otherId'))).toEqual(['src/index.ts:16 error']);
  });
});

// papra (field, judged S042/S043): repositories are built by a package helper that binds the module's
// functions (`injectArguments({ renameProject, ... }, { db })`), and use cases call them through a
// parameter typed with the factory's return type. "Nothing calls renameProject" was wrong.
describe('a function bound into a repository object by a package helper', () => {
  const repo = `import { injectArguments } from '@corentinth/chisels';\nimport { prisma } from './db';\n\nexport type ProjectRepository = ReturnType<typeof createProjectRepository>;\n\nexport function createProjectRepository({ db }: { db: typeof prisma }) {\n  return injectArguments({ renameProject }, { db });\n}\n\nasync function renameProject({ db, id, name }: { db: typeof prisma; id: string; name: string }) {\n  return db.project.update({ where: { id }, data: { name } });\n}\n`;
  const usecases = (check: string) =>
    `import type { ProjectRepository } from './repo';\ndeclare function assertProjectAccess(user: { id: string }, projectId: string): Promise<void>;\n\nexport async function rename({ user, id, name, projectRepository }: { user: { id: string }; id: string; name: string; projectRepository: ProjectRepository }) {\n${check}  return projectRepository.renameProject({ id, name });\n}\n`;
  const routes = `import express from 'express';\nimport { prisma } from './db';\nimport { createProjectRepository } from './repo';\nimport { rename } from './usecases';\n\nexport const app = express();\napp.put('/projects/:id', async (req, res) => res.json(await rename({ user: (req as any).user, id: req.params.id, name: String(req.body.name), projectRepository: createProjectRepository({ db: prisma }) })));\n`;
  const files = (check: string) => ({ 'src/repo.ts': repo, 'src/usecases.ts': usecases(check), 'src/routes.ts': routes });
  const finding = async (check: string) => (await scan({ path: project({ private: true, dependencies: { '@prisma/client': '^6.8.0', express: '^5.1.0', '@corentinth/chisels': '^1.0.0' } }, files(check)) })).findings.find((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/repo.ts');

  it('called by a use case that checks access first: warning, the check named', async () => {
    const found = await finding('  await assertProjectAccess(user, id);\n');
    expect(found?.severity).toBe('warning');
    expect(found?.evidence).toContain('assertProjectAccess(user, id)');
  });

  it('twin: called with the id from the URL and no check: error, the route named', async () => {
    const found = await finding('');
    expect(found?.severity).toBe('error');
    expect(found?.evidence).toContain('src/routes.ts');
  });
});

// worklenz (field, judged D058/D066): routes carry a middleware factory that checks the request's id
// against the verified identity (`verifyTaskAccess('params', 'id')`: a query with both, 403 unless a
// row matches, else `next()`). Twin: a role check on the identity alone reads no request value.
describe('a route behind a middleware that checks the request\'s id against the identity', () => {
  const middleware = `import type { Request, Response, NextFunction } from 'express';\nimport { prisma } from './db';\n\nexport function verifyProjectAccess(location: 'params' | 'body' = 'params', field = 'id') {\n  return async (req: Request, res: Response, next: NextFunction) => {\n    const user = (req as any).user;\n    const projectId = (req as any)[location]?.[field];\n    const found = await prisma.project.findFirst({ where: { id: projectId, organizationId: user?.organizationId } });\n    if (!found) return res.status(403).send('forbidden');\n    return next();\n  };\n}\n\nexport function ownerOrAdmin(req: Request, res: Response, next: NextFunction) {\n  const user = (req as any).user;\n  if (user && (user.role === 'owner' || user.role === 'admin')) return next();\n  return res.status(401).send('no');\n}\n`;
  const controller = `import type { Request, Response } from 'express';\nimport { prisma } from './db';\n\nexport class ProjectsController {\n  static async rename(req: Request, res: Response) {\n    res.json(await prisma.project.update({ where: { id: req.params.id }, data: { name: String(req.body.name) } }));\n  }\n}\n`;
  const routes = (mw: string) =>
    mw.endsWith('safeControllerFunction')
      ? `import express from 'express';\nimport { ProjectsController } from './controller';\nimport { verifyProjectAccess, ownerOrAdmin } from './middleware';\n\nfunction safeControllerFunction(fn: (req: any, res: any) => Promise<void>) {\n  return async (req: any, res: any) => {\n    try {\n      await fn(req, res);\n    } catch {\n      res.status(500).end();\n    }\n  };\n}\n\nexport const router = express.Router();\nrouter.put('/projects/:id', ${mw}(ProjectsController.rename));\n`
      : `import express from 'express';\nimport { ProjectsController } from './controller';\nimport { verifyProjectAccess, ownerOrAdmin } from './middleware';\n\nexport const router = express.Router();\nrouter.put('/projects/:id', ${mw}, ProjectsController.rename);\n`;
  const finding = async (mw: string) => (await scan({ path: project({ private: true }, { 'src/middleware.ts': middleware, 'src/controller.ts': controller, 'src/routes.ts': routes(mw) }) })).findings.find((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/controller.ts');

  it('verifyProjectAccess(\'params\', \'id\') before the handler: warning, the middleware named', async () => {
    const found = await finding(`verifyProjectAccess('params', 'id')`);
    expect(found?.severity).toBe('warning');
    expect(found?.evidence).toContain("verifyProjectAccess('params', 'id')");
  });

  it('twin: a role check on the identity alone: error', async () => {
    expect((await finding('ownerOrAdmin'))?.severity).toBe('error');
  });

  it('the handler wrapped (`safeControllerFunction(Controller.rename)`): the middleware before the wrapper counts', async () => {
    const found = await finding(`verifyProjectAccess('params', 'id'), safeControllerFunction`);
    expect(found?.severity).toBe('warning');
    expect(found?.evidence).toContain("verifyProjectAccess('params', 'id')");
  });

  it('twin: wrapped, behind the role check alone: error', async () => {
    expect((await finding('ownerOrAdmin, safeControllerFunction'))?.severity).toBe('error');
  });
});

// worklenz (field, judged D068): a controller extends a base class of shared queries and calls them
// with `this.count(...)`: "nothing calls count" was wrong.
describe('a method inherited from a base class, called with this', () => {
  const base = `import { prisma } from './db';\n\nexport class ProjectsBase {\n  protected static async projectById(id: string) {\n    return prisma.project.findUnique({ where: { id } });\n  }\n}\n`;
  const controller = (check: string) =>
    `import type { Request, Response } from 'express';\nimport { ProjectsBase } from './base';\ndeclare function assertProjectAccess(user: { id: string }, projectId: string): Promise<void>;\n\nexport class ProjectsController extends ProjectsBase {\n  static async info(req: Request, res: Response) {\n${check}    res.json(await this.projectById(req.params.id));\n  }\n}\n`;
  const routes = `import express from 'express';\nimport { ProjectsController } from './controller';\n\nexport const router = express.Router();\nrouter.get('/projects/:id', ProjectsController.info);\n`;
  const finding = async (check: string) => (await scan({ path: project({ private: true }, { 'src/base.ts': base, 'src/controller.ts': controller(check), 'src/routes.ts': routes }) })).findings.find((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/base.ts');

  it('the subclass checks access first: warning, the check named', async () => {
    const found = await finding('    await assertProjectAccess((req as any).user, req.params.id);\n');
    expect(found?.severity).toBe('warning');
    expect(found?.evidence).toContain('assertProjectAccess');
  });

  it('twin: the subclass passes the id from the URL with no check: error, the route named', async () => {
    const found = await finding('');
    expect(found?.severity).toBe('error');
    expect(found?.evidence).toContain('src/routes.ts');
  });
});

// papra (field, after its repositories became reachable): three shapes that read as request handlers.
// - `taskServices.registerTask({ taskName, handler: async () => ... })` inside an exported
//   `registerXTask` function: a job's handler, not "the exported handler";
// - `await Promise.all(docs.map((d) => limit(() => remove(d))))` (p-limit) and `await safely(() => ...)`
//   run the callback for the function that calls them, not as a registration;
// - a use case built by a factory (`return async (args) => create(...)`): called by whoever holds it,
//   which the analysis does not follow (undecided, a warning), unless the factory's result is an
//   export built at load (`export const POST = makeHandler()`), which is the route itself.
describe('task registrations, concurrency limiters and returned closures', () => {
  const remove = `import { prisma } from './db';\n\nexport async function removeProject(id: string) {\n  return prisma.project.delete({ where: { id } });\n}\n`;

  it('a handler property of registerTask({...}) inside an exported function: system code, info', async () => {
    const task = `import { removeProject } from './remove';\ndeclare const taskServices: { registerTask(task: { taskName: string; handler: () => Promise<void> }): void };\n\nexport async function registerCleanupTask() {\n  taskServices.registerTask({\n    taskName: 'cleanup',\n    handler: async () => {\n      await removeProject('stale');\n    },\n  });\n}\n`;
    expect(await severities(project({ private: true }, { 'src/remove.ts': remove, 'src/cleanup.task.ts': task }))).toEqual(['src/remove.ts:4 info']);
  });

  it('twin: the same handler property handed to a route registration: error', async () => {
    const routes = `import { removeProject } from './remove';\ndeclare const router: { register(route: { path: string; handler: (req: { params: { id: string } }) => Promise<void> }): void };\n\nexport function mount() {\n  router.register({\n    path: '/projects/:id',\n    handler: async (req) => {\n      await removeProject(req.params.id);\n    },\n  });\n}\n`;
    expect(await severities(project({ private: true }, { 'src/remove.ts': remove, 'src/routes.ts': routes }))).toEqual(['src/remove.ts:4 error']);
  });

  const limited = `import pLimit from 'p-limit';\nimport { removeProject } from './remove';\n\nexport async function removeAll(ids: string[]) {\n  const limit = pLimit(4);\n  await Promise.all(ids.map(async (id) => limit(async () => removeProject(id))));\n}\n`;
  it('a p-limit callback runs for its caller: called only by a cron job, info', async () => {
    const jobs = `import cron from 'node-cron';\nimport { removeAll } from './limited';\n\ncron.schedule('0 * * * *', () => removeAll([]));\n`;
    expect(await severities(project({ private: true }, { 'src/remove.ts': remove, 'src/limited.ts': limited, 'src/jobs.ts': jobs }))).toEqual(['src/remove.ts:4 info']);
  });

  it('twin: called by a route with ids from the body: error, the route named', async () => {
    const routes = `import express from 'express';\nimport { removeAll } from './limited';\n\nexport const app = express();\napp.post('/purge', async (req, res) => res.json(await removeAll(req.body.ids)));\n`;
    const result = await scan({ path: project({ private: true }, { 'src/remove.ts': remove, 'src/limited.ts': limited, 'src/routes.ts': routes }) });
    const finding = result.findings.find((f) => f.ruleId === 'require-tenant-filter');
    expect(finding?.severity).toBe('error');
    expect(finding?.evidence).toContain('src/routes.ts');
  });

  // A handler factory returns the wrapped handler, it does not run it: the route built at load is the entry.
  it('twin: `return withAuth(async (req) => ...)` in a factory of the exported route: error', async () => {
    const route = `import { removeProject } from '../../remove';\ndeclare function withAuth(handler: (req: { params: { id: string } }) => Promise<unknown>): unknown;\n\nfunction makeRoute() {\n  return withAuth(async (req) => removeProject(req.params.id));\n}\n\nexport const DELETE = makeRoute();\n`;
    expect(await severities(project({ private: true }, { 'src/remove.ts': remove, 'src/app/api/route.ts': route }))).toEqual(['src/remove.ts:4 error']);
  });

  const factory = `import { removeProject } from './remove';\n\nexport function makeRemover(prefix: string) {\n  return async (id: string) => removeProject(prefix + id);\n}\n`;
  it('a closure returned by a factory called inside a function: undecided, warning', async () => {
    const use = `import { makeRemover } from './factory';\n\nexport async function setup() {\n  return makeRemover('p-');\n}\n`;
    expect(await severities(project({ private: true }, { 'src/remove.ts': remove, 'src/factory.ts': factory, 'src/use.ts': use }))).toEqual(['src/remove.ts:4 warning']);
  });

  it('twin: the factory builds an exported route handler at load: error', async () => {
    const route = `import { makeRemover } from './factory';\n\nexport const DELETE = makeRemover('p-');\n`;
    expect(await severities(project({ private: true }, { 'src/remove.ts': remove, 'src/factory.ts': factory, 'src/app/api/route.ts': route }))).toEqual(['src/remove.ts:4 error']);
  });

  // retraced (judged E004): `export const makePageIndexer = (index) => async (rows) => ...`, the closure as an arrow's body.
  const arrowFactory = `import { removeProject } from './remove';\n\nexport const makeRemover = (prefix: string) => async (id: string) => removeProject(prefix + id);\n`;
  it('a closure that is an arrow\'s body, the factory called inside a function: undecided, warning', async () => {
    const use = `import { makeRemover } from './factory';\n\nexport async function setup() {\n  return makeRemover('p-');\n}\n`;
    expect(await severities(project({ private: true }, { 'src/remove.ts': remove, 'src/factory.ts': arrowFactory, 'src/use.ts': use }))).toEqual(['src/remove.ts:4 warning']);
  });

  it('twin: that factory builds an exported route handler at load: error', async () => {
    const route = `import { makeRemover } from './factory';\n\nexport const DELETE = makeRemover('p-');\n`;
    expect(await severities(project({ private: true }, { 'src/remove.ts': remove, 'src/factory.ts': arrowFactory, 'src/app/api/route.ts': route }))).toEqual(['src/remove.ts:4 error']);
  });
});

// papra (field, reached once its repositories were): the route looks the row up within the tenant
// (`const { project } = await repo.getProjectById({ projectId, organizationId }); if (!project) throw`)
// and then writes by its id alone. Twins: the lookup's helper ignores the tenant it is handed (postiz's
// `editTag`, a judged leak), the result is not tested.
describe('a lookup within the tenant that stops the request when the row is missing', () => {
  const repo = (lookup: string) =>
    `import { injectArguments } from '@corentinth/chisels';\nimport { prisma } from './db';\n\nexport function createProjectRepository({ db }: { db: typeof prisma }) {\n  return injectArguments({ getProjectById, renameProject }, { db });\n}\n\nasync function getProjectById({ db, projectId, organizationId }: { db: typeof prisma; projectId: string; organizationId: string }) {\n  const project = await db.project.findFirst({ where: ${lookup} });\n  return { project };\n}\n\nasync function renameProject({ db, id, name }: { db: typeof prisma; id: string; name: string }) {\n  return db.project.update({ where: { id }, data: { name } });\n}\n`;
  const routes = (body: string) =>
    `import express from 'express';\nimport { prisma } from './db';\nimport { createProjectRepository } from './repo';\n\nexport const app = express();\napp.put('/orgs/:organizationId/projects/:projectId', async (req, res) => {\n  const { organizationId, projectId } = req.params;\n  const repo = createProjectRepository({ db: prisma });\n${body}  res.json(await repo.renameProject({ id: projectId, name: String(req.body.name) }));\n});\n`;
  const scoped = '{ id: projectId, organizationId }';
  const lookedUp = `  const { project } = await repo.getProjectById({ projectId, organizationId });\n  if (!project) throw new Error('not found');\n`;
  const finding = async (lookup: string, body: string) =>
    (await scan({ path: project({ private: true, dependencies: { '@prisma/client': '^6.8.0', express: '^5.1.0', '@corentinth/chisels': '^1.0.0' } }, { 'src/repo.ts': repo(lookup), 'src/routes.ts': routes(body) }) })).findings.find(
      (f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/repo.ts' && f.line === 14,
    );

  it('looked up within the tenant, 404 when missing: warning, the lookup named', async () => {
    const found = await finding(scoped, lookedUp);
    expect(found?.severity).toBe('warning');
    expect(found?.evidence).toContain('the lookup within the tenant');
  });

  it('both rows looked up together in Promise.all, each tested: warning', async () => {
    const body = `  const [{ project }, { project: other }] = await Promise.all([repo.getProjectById({ projectId, organizationId }), repo.getProjectById({ projectId: 'p0', organizationId })]);\n  if (!project || !other) throw new Error('not found');\n`;
    expect((await finding(scoped, body))?.severity).toBe('warning');
  });

  it('twin: the helper ignores the tenant it is handed: error', async () => {
    expect((await finding('{ id: projectId }', lookedUp))?.severity).toBe('error');
  });

  it('twin: the result is not tested: error', async () => {
    expect((await finding(scoped, `  const { project } = await repo.getProjectById({ projectId, organizationId });\n  console.log(project);\n`))?.severity).toBe('error');
  });
});

// kan (field, judged): `const comment = await getByPublicId(...); if (!comment || comment.cardId !== card.id)
// throw ...; await assertCanEdit(db, userId, card.workspaceId, ...)`, then the write by `comment.id`. The
// comparison ties the comment to the card the check covers. Twin: no comparison, the same check.
describe('a row tied to a checked row by an exiting comparison', () => {
  const repo = `import { prisma } from './db';\n\nexport const userById = (id: string) => prisma.user.findUnique({ where: { id } });\nexport const memberById = (id: string) => prisma.member.findUnique({ where: { id } });\nexport const removeMember = (id: string) => prisma.member.delete({ where: { id } });\n`;
  const routes = (test: string) =>
    `import express from 'express';\nimport { userById, memberById, removeMember } from './repo';\ndeclare function assertOrgAccess(userId: string, organizationId: string): Promise<void>;\n\nexport const app = express();\napp.delete('/users/:userId/members/:memberId', async (req, res) => {\n  const userId = (req as any).user.id as string;\n  const target = await userById(req.params.userId);\n  if (!target) throw new Error('not found');\n  const member = await memberById(req.params.memberId);\n  if (${test}) throw new Error('not found');\n  await assertOrgAccess(userId, target.organizationId);\n  res.json(await removeMember(member.id));\n});\n`;
  const lines = async (test: string) =>
    (await severities(project({ private: true }, { 'src/repo.ts': repo, 'src/routes.ts': routes(test) }))).filter((f) => f.startsWith('src/repo.ts:4') || f.startsWith('src/repo.ts:5'));

  it('the member compared with the checked user: warnings', async () => {
    expect(await lines('!member || member.invitedById !== target.id')).toEqual(['src/repo.ts:4 warning', 'src/repo.ts:5 warning']);
  });

  it('twin: no comparison: errors', async () => {
    expect(await lines('!member')).toEqual(['src/repo.ts:4 error', 'src/repo.ts:5 error']);
  });
});

// papra (field): accepting an invitation looks it up by the id in the URL and compares its email with
// the verified user's before writing (`if (invitation.email !== user.email) throw forbidden()`); the
// Stripe webhook verifies the provider's signature of the body first. Twins: the email compared is the
// client's, the signature is read but never verified.
describe('an ownership comparison with the identity, and a verified webhook signature', () => {
  const repo = `import { prisma } from './db';\n\nexport const userById = (id: string) => prisma.user.findUnique({ where: { id } });\nexport const memberById = (id: string) => prisma.member.findUnique({ where: { id } });\nexport const acceptMember = (id: string) => prisma.member.update({ where: { id }, data: { invitedById: null } });\n`;
  const accept = (compared: string) =>
    `import express from 'express';\nimport { memberById, acceptMember } from './repo';\n\nexport const app = express();\napp.post('/invitations/:id/accept', async (req, res) => {\n  const user = (req as any).user as { id: string; email: string };\n  const invitation = await memberById(req.params.id);\n  if (!invitation) return res.sendStatus(404);\n  if (invitation.userId !== ${compared}) return res.sendStatus(403);\n  res.json(await acceptMember(req.params.id));\n});\n`;
  const lines = async (compared: string) =>
    (await severities(project({ private: true }, { 'src/repo.ts': repo, 'src/routes.ts': accept(compared) }))).filter((f) => f.startsWith('src/repo.ts:4') || f.startsWith('src/repo.ts:5'));

  it('the invitation compared with the verified user: warnings', async () => {
    expect(await lines('user.id')).toEqual(['src/repo.ts:4 warning', 'src/repo.ts:5 warning']);
  });

  it('twin: compared with a value of the body: errors', async () => {
    expect(await lines('req.body.userId')).toEqual(['src/repo.ts:4 error', 'src/repo.ts:5 error']);
  });

  const webhook = (verify: string) =>
    `import express from 'express';\nimport Stripe from 'stripe';\nimport { acceptMember } from './repo';\n\nconst stripe = new Stripe(process.env.STRIPE_KEY ?? '');\nexport const app = express();\napp.post('/stripe/webhook', async (req, res) => {\n  const signature = req.header('stripe-signature') ?? '';\n  const payload = String(req.body);\n${verify}  res.json(await acceptMember(event.data.object.id));\n});\n`;
  const webhookLine = async (verify: string) =>
    (await severities(project({ private: true, dependencies: { '@prisma/client': '^6.8.0', express: '^5.1.0', stripe: '^17.0.0' } }, { 'src/repo.ts': repo, 'src/webhook.ts': webhook(verify) }))).filter((f) => f.startsWith('src/repo.ts:5'));

  it('a webhook that verifies the provider\'s signature first: system code, info', async () => {
    expect(await webhookLine(`  const event = stripe.webhooks.constructEvent(payload, signature, process.env.STRIPE_WEBHOOK_SECRET ?? '') as any;\n`)).toEqual(['src/repo.ts:5 info']);
  });

  it('twin: the signature read but not verified: error', async () => {
    expect(await webhookLine(`  console.log(signature);\n  const event = JSON.parse(payload);\n`)).toEqual(['src/repo.ts:5 error']);
  });
});

// teable (field, a regression caught on the corpus): a callback property handed to a project method
// (`this.updateOrders({ ..., update: async () => ... })`) runs for the method's caller, not as a
// registration.
describe('a callback property handed to a project method', () => {
  const service = (caller: string) =>
    `import { prisma } from './db';\n\nexport class Orders {\n  async reorder(props: { ids: string[]; update: (ids: string[]) => Promise<void> }) {\n    await props.update(props.ids);\n  }\n\n  async move(ids: string[]) {\n    await this.reorder({\n      ids,\n      update: async (sorted) => {\n        for (const id of sorted) await prisma.project.update({ where: { id }, data: { name: 'x' } });\n      },\n    });\n  }\n}\n${caller}`;
  const line = async (caller: string) => (await severities(project({ private: true }, { 'src/orders.ts': service(caller) }))).filter((f) => f.startsWith('src/orders.ts:12'));

  it('called only by a cron job: system code, info', async () => {
    expect(await line(`import cron from 'node-cron';\ncron.schedule('0 * * * *', () => new Orders().move([]));\n`)).toEqual(['src/orders.ts:12 info']);
  });

  it('twin: called by a route with ids from the body: error', async () => {
    expect(await line(`import express from 'express';\nexport const app = express();\napp.post('/move', async (req, res) => res.json(await new Orders().move(req.body.ids)));\n`)).toEqual(['src/orders.ts:12 error']);
  });
});

// capgo (field, judged D001/E068): a trigger endpoint behind `middlewareAPISecret` (the `apisecret`
// header compared with API_SECRET) takes `org_id` from the body its database trigger sends: system
// code, not a client choosing a tenant. Twin: a middleware that reads the header but compares nothing.
describe('no-client-tenant-id: an internal endpoint behind a shared-secret middleware', () => {
  const route = (middleware: string) =>
    `import { Hono } from 'hono';\nimport { prisma } from './db';\n\nexport const middlewareAPISecret = async (c: any, next: () => Promise<void>) => {\n${middleware}  await next();\n};\n\nexport const app = new Hono();\napp.post('/trigger', middlewareAPISecret, async (c) => {\n  const body = await c.req.json();\n  await prisma.project.create({ data: { id: body.id, name: body.name, organizationId: body.org_id } });\n  return c.json({ ok: true });\n});\n`;
  const nct = async (middleware: string) =>
    (await scan({ path: project({ private: true, dependencies: { '@prisma/client': '^6.8.0', hono: '^4.0.0' } }, { 'src/trigger.ts': route(middleware) }) })).findings.filter((f) => f.ruleId === 'no-client-tenant-id').map((f) => f.severity);

  it('behind the secret check: not reported', async () => {
    expect(await nct(`  const secret = c.req.header('apisecret');\n  if (!secret || secret !== process.env.API_SECRET) throw new Error('unauthorized');\n`)).toEqual([]);
  });

  it('twin: the header is read but compared with nothing: error', async () => {
    expect(await nct(`  const secret = c.req.header('apisecret');\n  console.log(secret);\n`)).toEqual(['error']);
  });
});

// kan (judged E014/E018): `if (card.workspaceVisibility === 'private') { ...; await assertPermission(db, userId,
// card.workspaceId, 'card:view'); }` before the read by `card.id`. The server's row decides whether the check
// runs; public rows are open by design: a checked path. Twin: the client's input decides (`if (req.query.strict)`).
describe('a check that runs when the row itself is private', () => {
  const files = (condition: string) => ({
    'src/auth.ts': `export async function assertAccess(userId: string, organizationId: string): Promise<void> {\n  if (!userId || !organizationId) throw new Error('forbidden');\n}\n`,
    'src/repo.ts': `import { prisma } from './db';\n\nexport const getProject = (id: string) => prisma.project.findFirst({ where: { id } });\nexport const renameProject = (id: string, name: string) => prisma.project.update({ where: { id }, data: { name } });\n`,
    'src/routes.ts': `import express from 'express';\nimport { assertAccess } from './auth';\nimport { getProject, renameProject } from './repo';\n\nexport const app = express();\napp.put('/projects/:id', async (req: any, res: any) => {\n  const project: any = await getProject(req.params.id);\n  if (!project) return res.status(404).end();\n  if (${condition}) {\n    await assertAccess(req.user.id, project.organizationId);\n  }\n  res.json(await renameProject(project.id, String(req.body.name)));\n});\n`,
  });
  const rename = async (condition: string) =>
    (await scan({ path: project({ private: true }, files(condition)) })).findings.find((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/repo.ts' && f.line === 4);

  it('`if (project.visibility === \'private\')` around the check: warning, the condition named', async () => {
    const found = await rename(`project.visibility === 'private'`);
    expect(found?.severity).toBe('warning');
    expect(found?.evidence).toContain('open by design');
  });

  it('twin: the client decides whether the check runs (`if (req.query.strict)`): error', async () => {
    expect((await rename(`req.query.strict === '1'`))?.severity).toBe('error');
  });
});

// kan (judged E012/E019/E022): the import creates a board, then hands its id on (`listsInsert.push({ boardId:
// board.id, ... })`, `listRepo.bulkCreate(db, listsInsert)`) to functions that query by it. No other tenant's
// row has the key of a row made just now. Twins: the pushed key comes from the body.
describe('keys of rows the request created, handed on directly or pushed into an array', () => {
  const repo = `import { prisma } from './db';\n\nexport const createProject = (organizationId: string, name: string) => prisma.project.create({ data: { organizationId, name } });\nexport const touchProjects = (rows: { projectId: string; name: string }[]) => prisma.project.updateMany({ where: { id: { in: rows.map((r) => r.projectId) } }, data: { name: 'x' } });\n`;
  const routes = (key: string) =>
    `import express from 'express';\nimport { createProject, touchProjects } from './repo';\n\nexport const app = express();\napp.post('/import', async (req: any, res: any) => {\n  const rows: { projectId: string; name: string }[] = [];\n  for (const item of req.body.items) {\n    const created = await createProject(req.user.organizationId, item.name);\n    rows.push({ projectId: ${key}, publicId: crypto.randomUUID(), name: item.name });\n  }\n  res.json(await touchProjects(rows));\n});\n`;
  const touch = async (key: string) =>
    (await scan({ path: project({ private: true }, { 'src/repo.ts': repo, 'src/routes.ts': routes(key) }) })).findings.find((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/repo.ts' && f.line === 4);

  it('the pushed key is a created row\'s: a checked path (warning, the creation named)', async () => {
    const found = await touch('created.id');
    expect(found?.severity).toBe('warning');
    expect(found?.evidence).toContain('rows this request created');
  });

  it('twin: the pushed key comes from the body: error', async () => {
    expect((await touch('item.id'))?.severity).toBe('error');
  });

  it('twin: a created key handed on beside a body key wrapped in a call (`String(req.body.otherId)`): error', async () => {
    const link = `import express from 'express';\nimport { prisma } from './db';\nimport { createProject } from './repo';\n\nexport const app = express();\napp.post('/link', async (req: any, res: any) => {\n  const created = await createProject(req.user.organizationId, 'x');\n  res.json(await linkProjects(created.id, String(req.body.otherId)));\n});\n\nasync function linkProjects(a: string, b: string) {\n  return prisma.project.updateMany({ where: { id: { in: [a, b] } }, data: { name: 'x' } });\n}\n`;
    const result = await scan({ path: project({ private: true }, { 'src/repo.ts': repo, 'src/routes.ts': link }) });
    expect(result.findings.find((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/routes.ts' && f.line === 12)?.severity).toBe('error');
  });
});

// postiz (judged F043): `posts = await repo.getPostsByGroup(orgId, group)` (a helper that filters by the tenant it is
// handed), then `this.updateMedia(post.id, ...)` for each post: the ids are of rows loaded within the tenant.
describe('keys of rows a helper loaded within the tenant', () => {
  const repo = (list: string) =>
    `import { prisma } from './db';\n\nexport const listProjects = (organizationId: string) => ${list};\nexport const renameProject = (id: string) => prisma.project.update({ where: { id }, data: { name: 'x' } });\n`;
  const scoped = 'prisma.project.findMany({ where: { organizationId } })';
  const routes = (body: string) =>
    `import express from 'express';\nimport { listProjects, renameProject } from './repo';\n\nexport const app = express();\nconst arrange = <T>(rows: T[]): T[] => [...rows].reverse();\napp.post('/rename', async (req: any, res: any) => {\n  const projects = await listProjects(req.user.organizationId);\n${body}\n  res.json({ ok: true });\n});\n`;
  const rename = async (list: string, body: string) =>
    (await scan({ path: project({ private: true }, { 'src/repo.ts': repo(list), 'src/routes.ts': routes(body) }) })).findings.find((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/repo.ts' && f.line === 4);

  it('in a loop over them: a checked path (warning, the load named)', async () => {
    const found = await rename(scoped, '  for (const p of projects) await renameProject(p.id);');
    expect(found?.severity).toBe('warning');
    expect(found?.evidence).toContain('loaded within the tenant');
  });

  it('rearranged by a synchronous project function, then mapped: a checked path', async () => {
    expect((await rename(scoped, '  const sorted = arrange(projects);\n  await Promise.all((sorted || []).map((p) => renameProject(p.id)));'))?.severity).toBe('warning');
  });

  it('through a service class: rearranged by a method, mapped into objects, handed beside data of the rows and a constant: a checked path', async () => {
    const svc = `import { listProjects, renameProject } from './repo';\n\nexport class Service {\n  arrange(all: any, parent?: string): any[] {\n    return [...all];\n  }\n  async update(id: string, images: unknown[], convert: boolean) {\n    await renameProject(id);\n  }\n  async byGroup(orgId: string) {\n    const convertToJPEG = false;\n    const loadAll = await listProjects(orgId);\n    const posts = this.arrange(loadAll, undefined);\n    return { posts: await Promise.all((posts || []).map(async (post) => ({ ...post, image: await this.update(post.id, JSON.parse(post.image || '[]'), convertToJPEG) }))) };\n  }\n}\n`;
    const routes = `import express from 'express';\nimport { Service } from './service';\n\nexport const app = express();\nconst service = new Service();\napp.post('/rename', async (req: any, res: any) => {\n  res.json(await service.byGroup(req.user.organizationId));\n});\n`;
    const found = (await scan({ path: project({ private: true }, { 'src/repo.ts': repo('prisma.project.findMany({ where: { organizationId } })'), 'src/service.ts': svc, 'src/routes.ts': routes }) })).findings.find((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/repo.ts' && f.line === 4);
    expect(found?.severity).toBe('warning');
    expect(found?.evidence).toContain('loaded within the tenant');
  });

  it('twin: the same, handed beside a value of the body: error', async () => {
    const svc = `import { listProjects, renameProject } from './repo';\n\nexport class Service {\n  arrange(all: any, parent?: string): any[] {\n    return [...all];\n  }\n  async update(id: string, images: unknown[], convert: boolean) {\n    await renameProject(id);\n  }\n  async byGroup(orgId: string, body: any) {\n    const convertToJPEG = false;\n    const loadAll = await listProjects(orgId);\n    const posts = this.arrange(loadAll, undefined);\n    return { posts: await Promise.all((posts || []).map(async (post) => ({ ...post, image: await this.update(post.id, JSON.parse(post.image || '[]'), body.otherId) }))) };\n  }\n}\n`;
    const routes = `import express from 'express';\nimport { Service } from './service';\n\nexport const app = express();\nconst service = new Service();\napp.post('/rename', async (req: any, res: any) => {\n  res.json(await service.byGroup(req.user.organizationId, req.body));\n});\n`;
    const found = (await scan({ path: project({ private: true }, { 'src/repo.ts': repo('prisma.project.findMany({ where: { organizationId } })'), 'src/service.ts': svc, 'src/routes.ts': routes }) })).findings.find((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/repo.ts' && f.line === 4);
    expect(found?.severity).toBe('error');
  });

  it('twin: the helper ignores the tenant it is handed: error', async () => {
    expect((await rename('prisma.project.findMany()', '  for (const p of projects) await renameProject(p.id);'))?.severity).toBe('error');
  });

  it('twin: the key comes from the body: error', async () => {
    expect((await rename(scoped, '  console.log(projects.length);\n  for (const p of req.body.items) await renameProject(p.id);'))?.severity).toBe('error');
  });
});

// kan (judged F016, F018): the check is on the row looked up by the same value (`const label = await
// getWorkspaceAndLabelIdByLabelPublicId(db, input.labelPublicId); if (!label) throw ...; await
// assertPermission(db, userId, label.workspaceId, ...)`), possibly inside a `try` whose `catch` exits.
describe('a check of the row looked up by the value, in a try whose catch exits', () => {
  const repo = `import { prisma } from './db';\n\nexport const findCard = (publicId: string) => prisma.project.findFirst({ where: { id: publicId }, select: { organizationId: true } });\nexport const renameCard = (publicId: string) => prisma.project.update({ where: { id: publicId }, data: { name: 'x' } });\nexport async function assertPermission(userId: string, organizationId: string): Promise<void> {\n  if (!userId || !organizationId) throw new Error('forbidden');\n}\n`;
  const routes = (lookupKey: string, check: string) =>
    `import express from 'express';\nimport { assertPermission, findCard, renameCard } from './repo';\n\nexport const app = express();\napp.put('/cards', async (req: any, res: any) => {\n  const input = req.body;\n  const userId = req.user.id;\n  const card = await findCard(${lookupKey});\n  if (!card) return res.sendStatus(404);\n${check}\n  res.json(await renameCard(input.cardId));\n});\n`;
  const plain = '  await assertPermission(userId, card.organizationId);';
  const tried = (handler: string) => `  try {\n    await assertPermission(userId, card.organizationId);\n  } catch {\n    ${handler}\n  }`;
  const findings = async (lookupKey: string, check: string) =>
    (await scan({ path: project({ private: true }, { 'src/repo.ts': repo, 'src/routes.ts': routes(lookupKey, check) }) })).findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/repo.ts').map((f) => `${f.line} ${f.severity}`);

  it('the write after a check of the looked-up row: warning; the lookup, checked right after: warning', async () => {
    expect(await findings('input.cardId', plain)).toEqual(['3 warning', '4 warning']);
  });

  it('the check in a try whose catch returns 403: warning', async () => {
    expect(await findings('input.cardId', tried('return res.sendStatus(403);'))).toEqual(['3 warning', '4 warning']);
  });

  it('the write handed the whole input after a lookup by a field of it (kan `labelRepo.update(db, input)`): warning', async () => {
    const whole = routes('input.cardId', plain)
      .replace('renameCard(input.cardId)', 'renameCard(input)')
      .replace("async (req: any, res: any) => {\n  const input = req.body;\n  const userId = req.user.id;", "async ({ body: input, user }: any, res: any) => {\n  const userId = user.id;");
    const repo2 = repo.replace("renameCard = (publicId: string) => prisma.project.update({ where: { id: publicId }", "renameCard = (input: { cardId: string }) => prisma.project.update({ where: { id: input.cardId }");
    const found = (await scan({ path: project({ private: true }, { 'src/repo.ts': repo2, 'src/routes.ts': whole }) })).findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/repo.ts').map((f) => `${f.line} ${f.severity}`);
    expect(found).toEqual(['3 warning', '4 warning']);
  });

  it('twin: a catch that only logs: error', async () => {
    expect(await findings('input.cardId', tried('console.error("denied");'))).toEqual(['3 error', '4 error']);
  });

  it('twin: the row looked up by another value: the write is an error', async () => {
    expect(await findings('req.query.other', plain)).toContain('4 error');
  });
});

// umami (judged F034): the user's own dashboard board has the user's id (`updateBoard(userId, data)` with
// `const userId = auth.user.id`): the key is the verified identity, which the client cannot choose.
describe('a row keyed by the verified user\'s own id', () => {
  const repo = `import { prisma } from './db';\n\nexport const updateBoard = (boardId: string, data: { name: string }) => prisma.project.update({ where: { id: boardId }, data });\n`;
  const routes = (key: string) =>
    `import express from 'express';\nimport { updateBoard } from './repo';\n\nexport const app = express();\napp.post('/dashboard', async (req: any, res: any) => {\n  const userId = req.user.id;\n  const data = { name: String(req.body.name) };\n  res.json(await updateBoard(${key}, data));\n});\n`;
  const finding = async (key: string) =>
    (await scan({ path: project({ private: true }, { 'src/repo.ts': repo, 'src/routes.ts': routes(key) }) })).findings.find((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/repo.ts');

  it('the session user\'s id, through a local: warning, named', async () => {
    const found = await finding('userId');
    expect(found?.severity).toBe('warning');
    expect(found?.evidence).toContain("the verified user's own id");
  });

  it('twin: an id from the body: error', async () => {
    expect((await finding('req.body.boardId'))?.severity).toBe('error');
  });

  it('twin: a field named like the user of a body object: error', async () => {
    expect((await finding('req.body.user.id'))?.severity).toBe('error');
  });
});

// retraced (judged F005): `checkEitapiAccessUnwrapped(req.get('Authorization'))` looks the token up by the secret the
// client presents: the authentication step, across tenants by design. Twin: a header that names a row.
describe('a lookup keyed by the credential the request presents', () => {
  const repo = `import { prisma } from './db';\n\nexport async function authenticate(header: string | undefined) {\n  const token = (header ?? '').replace(/^Bearer /, '');\n  return prisma.project.findFirst({ where: { id: token } });\n}\n`;
  const routes = (header: string) =>
    `import express from 'express';\nimport { authenticate } from './repo';\n\nexport const app = express();\napp.get('/items', async (req: any, res: any) => {\n  const key = await authenticate(req.get('${header}'));\n  if (!key) return res.sendStatus(401);\n  res.json({ ok: true });\n});\n`;
  const finding = async (header: string) =>
    (await scan({ path: project({ private: true }, { 'src/repo.ts': repo, 'src/routes.ts': routes(header) }) })).findings.find((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/repo.ts');

  it('the Authorization header: warning, named as the credential', async () => {
    const found = await finding('Authorization');
    expect(found?.severity).toBe('warning');
    expect(found?.evidence).toContain('the credential the request presents');
  });

  it('twin: a header that names a project: error', async () => {
    expect((await finding('X-Project-Id'))?.severity).toBe('error');
  });

  it('twin: a cookie, which the client sets to anything: error', async () => {
    const cookie = routes('Authorization').replace("req.get('Authorization')", 'req.cookies.projectId');
    const found = (await scan({ path: project({ private: true }, { 'src/repo.ts': repo, 'src/routes.ts': cookie }) })).findings.find((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/repo.ts');
    expect(found?.severity).toBe('error');
  });

  // retraced's tsoa controllers: `graphqlPost(@Header('Authorization') auth: string)` then `checkEitapiAccessUnwrapped(auth)`.
  const controller = (header: string) =>
    `import { authenticate } from './repo';\ndeclare function Controller(path: string): ClassDecorator;\ndeclare function Post(path: string): MethodDecorator;\ndeclare function Header(name: string): ParameterDecorator;\n\n@Controller('enterprise')\nexport class EnterpriseController {\n  @Post('graphql')\n  async graphqlPost(@Header('${header}') auth: string) {\n    const key = await authenticate(auth);\n    if (!key) throw new Error('unauthorized');\n    return { ok: true };\n  }\n}\n`;
  const viaDecorator = async (header: string) =>
    (await scan({ path: project({ private: true }, { 'src/repo.ts': repo, 'src/controller.ts': controller(header) }) })).findings.find((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/repo.ts');

  it('a parameter bound to the Authorization header by a decorator: warning', async () => {
    expect((await viaDecorator('Authorization'))?.severity).toBe('warning');
  });

  it('twin: a parameter bound to a header that names a project: error', async () => {
    expect((await viaDecorator('X-Project-Id'))?.severity).toBe('error');
  });
});

// postiz (judged F044, a leak shown as checked): `@CheckPolicies([Create, POSTS_PER_MONTH])` over a route that names
// nothing (`@Body() body`, then an upsert by `body.id`) checks a plan, not the ids of the body. worklenz (judged
// F075, a leak shown as defence in depth): `assertJob(jobId, _userId)` is handed the user and never reads it.
describe('checks that do not check the value: a decorator over a route that names nothing, a helper that ignores the user', () => {
  const controller = (param: string) =>
    `import { Body, Controller, Param, Post } from '@nestjs/common';\nimport { prisma } from './db';\nimport { CheckPolicies } from './policies';\n\n@Controller('projects')\nexport class ProjectsController {\n  @Post(${param.startsWith('@Param') ? "':id'" : "'rename'"})\n  @CheckPolicies('project|update')\n  async rename(${param} id: string) {\n    return prisma.project.update({ where: { id }, data: { name: 'x' } });\n  }\n}\n`;
  const policies = `export const CheckPolicies = (...p: string[]): MethodDecorator => () => undefined;\n`;
  const rtf = async (files: Record<string, string>) => severities(project({ private: true, dependencies: { '@prisma/client': '^6.8.0', '@nestjs/common': '^10.0.0' } }, files));

  it('the decorator over a route that names the id (`@Param(\'id\')`): warning', async () => {
    expect(await rtf({ 'src/policies.ts': policies, 'src/projects.controller.ts': controller(`@Param('id')`) })).toEqual(['src/projects.controller.ts:10 warning']);
  });

  it('the id from the body, with a decorator that tells the guard to read the body (`@ResourceMeta(\'id\', \'body\')`): warning', async () => {
    const told = controller(`@Body('id')`).replace(`@CheckPolicies('project|update')`, `@CheckPolicies('project|update')\n  @ResourceMeta('id', 'body')`).replace('{ id }, data', '{ id }, data').replace("import { CheckPolicies } from './policies';", "import { CheckPolicies, ResourceMeta } from './policies';");
    expect(await rtf({ 'src/policies.ts': policies + `export const ResourceMeta = (...p: string[]): MethodDecorator => () => undefined;\n`, 'src/projects.controller.ts': told })).toEqual(['src/projects.controller.ts:11 warning']);
  });

  // teable (share routes): `@UseGuards(ShareAuthGuard) @Get('/:shareId/view')` over `@Request() req`: the path names the resource.
  it('the route\'s path names a parameter, read by the guard from the request (no `@Param`): warning', async () => {
    const byPath = controller(`@Body('id')`).replace(`@Post('rename')`, `@Post(':shareId/rename')`);
    expect(await rtf({ 'src/policies.ts': policies, 'src/projects.controller.ts': byPath })).toEqual(['src/projects.controller.ts:10 warning']);
  });

  it('twin: the id comes from the body, the route names nothing: error', async () => {
    expect(await rtf({ 'src/policies.ts': policies, 'src/projects.controller.ts': controller(`@Body('id')`) })).toEqual(['src/projects.controller.ts:10 error']);
  });

  const routes = (helper: string) =>
    `import express from 'express';\nimport { prisma } from './db';\n\nasync function assertProject(id: string, userId: string) {\n${helper}\n  if (!row) throw new Error('not found');\n  return row;\n}\n\nexport const app = express();\napp.delete('/projects/:id', async (req: any, res: any) => {\n  const project = await assertProject(req.params.id, req.user.id);\n  if (!project) return res.status(404).end();\n  res.json(await removeProject(project.id));\n});\n\nasync function removeProject(id: string) {\n  return prisma.project.delete({ where: { id } });\n}\n`;
  const severityOf = async (helper: string) => (await rtf({ 'src/routes.ts': routes(helper) })).find((f) => f.startsWith('src/routes.ts:18'));

  it('a helper handed the user that reads it (a membership lookup): warning', async () => {
    expect(await severityOf(`  const row = await prisma.member.findFirst({ where: { userId, organization: { projects: { some: { id } } } } });`)).toBe('src/routes.ts:18 warning');
  });

  it('twin: the helper ignores the user it is handed (only checks that the row exists): error', async () => {
    expect(await severityOf(`  const row = await prisma.project.findFirst({ where: { id } });`)).toBe('src/routes.ts:18 error');
  });
});

// unleash (judged F090/F092): `process.nextTick(async () => start(...))` in `server-dev.ts` is the server's boot, not a
// handler; `.then((res) => Number(res[0].count))` reads a field, it does not hand the method `count` to `Number`.
describe('a callback deferred at load, and a field read named like a method', () => {
  const remove = `import { prisma } from './db';\n\nexport async function removeProject(id: string) {\n  return prisma.project.delete({ where: { id } });\n}\n`;

  it('`process.nextTick(async () => ...)` at the top level runs at load: system code, info', async () => {
    const boot = `import { removeProject } from './remove';\n\nprocess.nextTick(async () => {\n  await removeProject(String(process.env.STALE));\n});\n`;
    expect(await severities(project({ private: true }, { 'src/remove.ts': remove, 'src/boot.ts': boot }))).toEqual(['src/remove.ts:4 info']);
  });

  it('twin: the same deferral inside a route, with the id from the URL: error', async () => {
    const routes = `import express from 'express';\nimport { removeProject } from './remove';\n\nexport const app = express();\napp.delete('/projects/:id', (req, res) => {\n  process.nextTick(async () => {\n    await removeProject(req.params.id);\n  });\n  res.end();\n});\n`;
    expect(await severities(project({ private: true }, { 'src/remove.ts': remove, 'src/routes.ts': routes }))).toEqual(['src/remove.ts:4 error']);
  });

  const store = `import { prisma } from './db';\n\nexport class ProjectStore {\n  async count(): Promise<number> {\n    return prisma.project.count();\n  }\n}\n`;
  it('`Number(rows[0].count)` is not a registration of a method named `count`: nothing calls it, warning', async () => {
    const other = `export async function total(rows: { count: string }[]) {\n  return Number(rows[0].count);\n}\n`;
    expect(await severities(project({ private: true }, { 'src/store.ts': store, 'src/other.ts': other }))).toEqual(['src/store.ts:5 warning']);
  });

  it('twin: the method handed on as a handler (`app.get(\'/count\', store.count)`): error', async () => {
    const routes = `import express from 'express';\nimport { ProjectStore } from './store';\n\nconst store = new ProjectStore();\nexport const app = express();\napp.get('/count', store.count);\n`;
    expect(await severities(project({ private: true }, { 'src/store.ts': store, 'src/routes.ts': routes }))).toEqual(['src/store.ts:5 error']);
  });
});

// Cap (fresh-repo judged M11): the media server's webhook calls `isAuthorized(req)`, a function of the
// same file that returns the header compared with the secret from the environment, and answers 401
// unless it passes: system code. Twins: a helper that returns only whether the header is present, one
// that reads the secret but returns true.
describe('a shared-secret check in a helper of the same file', () => {
  const repo = `import { prisma } from './db';\n\nexport const renameProject = (id: string, name: string) => prisma.project.update({ where: { id }, data: { name } });\n`;
  const hook = (returned: string) =>
    `import express from 'express';\nimport { timingSafeEqual } from 'node:crypto';\nimport { renameProject } from './repo';\n\nfunction isAuthorized(req: any): boolean {\n  const secret = process.env.MEDIA_SERVER_WEBHOOK_SECRET, header = req.headers['x-media-server-secret'];\n  return ${returned};\n}\n\nexport const app = express();\napp.post('/webhooks/media', async (req: any, res: any) => {\n  if (!isAuthorized(req)) return res.status(401).end();\n  res.json(await renameProject(req.body.projectId, 'done'));\n});\n`;
  const line = async (returned: string) =>
    (await severities(project({ private: true }, { 'src/repo.ts': repo, 'src/hook.ts': hook(returned) }))).filter((f) => f.startsWith('src/repo.ts:3'));

  it('the header compared with the secret: system code, info', async () => {
    expect(await line('!!secret && !!header && timingSafeEqual(Buffer.from(header), Buffer.from(secret))')).toEqual(['src/repo.ts:3 info']);
  });

  it('twin: only whether the header is present: error', async () => {
    expect(await line('Boolean(header)')).toEqual(['src/repo.ts:3 error']);
  });

  it('twin: the secret read, true returned: error', async () => {
    expect(await line('true || !secret')).toEqual(['src/repo.ts:3 error']);
  });
});
