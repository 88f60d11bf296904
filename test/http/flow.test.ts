import { describe, expect, it } from 'vitest';
import { mayReadClientInput } from '../../src/http/index.js';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { DB, SCHEMA, useFlowProjects } from './helpers.js';

// Core tests of no-client-tenant-id's policy through the scanner: what the messages name, what
// is counted as not analysable, and what is skipped. Per-framework sources, sinks and safe
// patterns are RuleTester cases in test/rules/no-client-tenant-id.test.ts.
const run = useFlowProjects();

const app = (body: string) => `import express from 'express';
import { prisma } from './db';
import { somePackageHelper } from 'some-package';
export const app = express();
${body}
`;

describe('what a finding names', () => {
  it('names the source, the sink in another file with its line, and the fix err', async () => {
    const result = await run({
      'src/app.ts': app(`app.get('/invoices', async (req, res) => res.json(await listInvoices(req.header('x-org-id'))));`).replace(
        "import { prisma } from './db';",
        "import { listInvoices } from './services';",
      ),
      'src/services.ts': `import { prisma } from './db';\n\nexport function listInvoices(orgId: string) {\n  return prisma.invoice.findMany({ where: { orgId } });\n}\n`,
    });
    expect(result.findings).toEqual(['src/app.ts:5:70 clientTenantId']);
    expect(result.messages[0]).toContain('The tenant id comes from client input (header `x-org-id`) and is used as the tenant filter of `prisma.invoice.findMany` at src/services.ts:4.');
    expect(result.messages[0]).toContain('fix: Derive the tenant from `req.user` or `req.auth`');
    expect(result.unknown).toEqual([]);
  });

  it('reports a helper that reads the header at the call, naming the helper err', async () => {
    const result = await run({
      'src/app.ts': app(`import { tenantOf } from './tenant';\napp.get('/invoices', async (req, res) => res.json(await prisma.invoice.findMany({ where: { orgId: tenantOf(req) } })));`),
      'src/tenant.ts': `export function tenantOf(req: { headers: Record<string, string | undefined> }) {\n  return req.headers['x-tenant-id'];\n}\n`,
    });
    expect(result.findings).toEqual(['src/app.ts:6:99 clientTenantId']);
    expect(result.messages[0]).toContain('header `x-tenant-id`');
    expect(result.messages[0]).toContain('It is read through tenantOf() at src/tenant.ts:2.');
  });

  it('names every other sink the same read reaches err', async () => {
    const result = await run({
      'src/app.ts': app(`app.use(async (req, res, next) => {\n  const orgId = req.body.orgId;\n  req.orgId = orgId;\n  await prisma.invoice.count({ where: { orgId } });\n  next();\n});`),
    });
    expect(result.findings).toEqual(['src/app.ts:6:17 clientTenantId']);
    expect(result.messages[0]).toContain('assigned to `req.orgId` as the tenant context at src/app.ts:7.');
    expect(result.messages[0]).toContain('It also reaches: used as the tenant filter of `prisma.invoice.count` at src/app.ts:8.');
  });

  it('words a lookup of the tenant root by a client slug as unverifiedTenantLookup err', async () => {
    const result = await run({
      'src/app.ts': app(`app.param('slug', async (req, res, next, slug) => {\n  const org = await prisma.organization.findUnique({ where: { slug } });\n  req.orgId = org?.id;\n  next();\n});`),
    });
    expect(result.findings).toEqual(['src/app.ts:5:42 unverifiedTenantLookup']);
    expect(result.messages[0]).toContain('`prisma.organization.findUnique` (src/app.ts:6) finds the `Organization` the client names');
  });
});

describe('flows that cannot be followed are counted, never reported', () => {
  it('a header with a dynamic name ok', async () => {
    const result = await run({ 'src/app.ts': app(`const header = process.env.TENANT_HEADER ?? 'x-org-id';\napp.use((req, res, next) => { req.orgId = req.headers[header]; next(); });`) });
    expect(result.findings).toEqual([]);
    expect(result.unknown).toEqual(['src/app.ts:6 a request field with a dynamic name reaches a tenant sink (assigned to `req.orgId` as the tenant context)']);
  });

  it('a variable reassigned from the client and from the identity ok', async () => {
    const result = await run({
      'src/app.ts': app(`app.get('/invoices', async (req, res) => {\n  let orgId = req.user.orgId;\n  if (req.user.isStaff) orgId = String(req.query.orgId);\n  res.json(await prisma.invoice.findMany({ where: { orgId } }));\n});`),
    });
    expect(result.findings).toEqual([]);
    expect(result.unknown).toEqual([
      'src/app.ts:8 the tenant value used as the tenant filter of `prisma.invoice.findMany` comes from client input through code that cannot be followed: `orgId` is reassigned, and only some of its values come from client input',
    ]);
  });

  it('client input through a function from a package ok', async () => {
    const result = await run({ 'src/app.ts': app(`app.use((req, res, next) => { req.orgId = somePackageHelper(req.query.org); next(); });`) });
    expect(result.findings).toEqual([]);
    expect(result.unknown).toEqual([
      'src/app.ts:5 the tenant value assigned to `req.orgId` as the tenant context comes from client input through code that cannot be followed: the result of `somePackageHelper()` from the package `some-package`',
    ]);
  });

  it('a tenant-named client value passed to a call that cannot be resolved ok', async () => {
    const result = await run({
      'src/app.ts': app(`export function mount(services: { tenants: { select(orgId: unknown): void } }) {\n  app.use((req, res, next) => { services.tenants.select(req.header('x-org-id')); next(); });\n}`),
    });
    expect(result.findings).toEqual([]);
    expect(result.unknown).toEqual([
      'src/app.ts:6 header `x-org-id` is passed to `services.tenants.select()`, which cannot be followed (the receiver of `select()` is not traced to its definition)',
    ]);
  });
});

describe('checks the analysis cannot verify are counted, never trusted or reported', () => {
  it('a membership lookup for a user loaded by a helper it cannot read ok', async () => {
    const result = await run({
      'src/app.ts': app(`import { currentUser } from './session';
app.get('/orgs/:orgId/invoices', async (req, res) => {
  const user = await currentUser(req);
  const membership = await prisma.membership.findFirst({ where: { orgId: req.params.orgId, userId: user.id } });
  if (!membership) return res.sendStatus(403);
  res.json(await prisma.invoice.findMany({ where: { orgId: req.params.orgId } }));
});`),
      'src/session.ts': `import { decodeSession } from 'some-session-library';
export async function currentUser(req: { headers: Record<string, string | undefined> }) {
  return decodeSession(req.headers.authorization);
}
`,
    });
    expect(result.findings).toEqual([]);
    expect(result.unknown).toEqual([
      'src/app.ts:8 route parameter `orgId` used as the tenant filter of `prisma.membership.findFirst`, which also filters by a user that could not be traced to the verified identity',
      'src/app.ts:10 route parameter `orgId` used as the tenant filter of `prisma.invoice.findMany` is checked against a user or value that could not be traced to the verified identity',
    ]);
  });

  it('a webhook whose signature is verified is authenticated as a whole ok', async () => {
    const result = await run({
      'src/app.ts': app(`import { createHmac } from 'node:crypto';
function isSigned(req: { headers: Record<string, string | undefined>; body: unknown }) {
  return createHmac('sha256', 'secret').update(JSON.stringify(req.body)).digest('hex') === req.headers['x-signature'];
}
app.post('/webhooks/billing', async (req, res) => {
  if (!isSigned(req)) return res.sendStatus(401);
  await prisma.invoice.updateMany({ where: { orgId: req.body.orgId }, data: { number: 0 } });
  res.sendStatus(204);
});`),
    });
    expect(result).toEqual({ findings: [], messages: [], unknown: [] });
  });

  it('an options object carries its client fields into the callee err', async () => {
    const result = await run({
      'src/app.ts': app(`import { listInvoices } from './services';
app.get('/invoices', async (req, res) => {
  const { orgId } = req.query;
  res.json(await listInvoices({ orgId: String(orgId), take: 20 }));
});`).replace("import { prisma } from './db';\n", ''),
      'src/services.ts': `import { prisma } from './db';
export function listInvoices({ orgId, take }: { orgId: string; take: number }) {
  return prisma.invoice.findMany({ where: { orgId }, take });
}
`,
    });
    expect(result.findings).toEqual(['src/app.ts:6:11 clientTenantId']);
    expect(result.messages[0]).toContain('used as the tenant filter of `prisma.invoice.findMany` at src/services.ts:3.');
  });
});

describe('what is not analysed', () => {
  it('a file with no framework marker is skipped before any walk ok', () => {
    expect(mayReadClientInput('/repo/src/services/invoices.ts', "import { prisma } from './db';\nexport const list = (orgId: string) => prisma.invoice.findMany({ where: { orgId } });")).toBe(false);
    expect(mayReadClientInput('/repo/src/routes.ts', "import { Router } from 'express';")).toBe(true);
    expect(mayReadClientInput('/repo/src/app/api/invoices/route.ts', 'export async function GET() {}')).toBe(true);
    expect(mayReadClientInput('/repo/src/actions.ts', "'use server';\nexport async function a() {}")).toBe(true);
  });

  it("a component that imports only Next.js's user-interface subpaths is skipped; one that imports a request, headers or the session is not ok", () => {
    const component = (imports: string) => `${imports}\nexport default function Board({ orgId }: { orgId: string }) {\n  return <Link href={'/b/' + orgId}><Image src="/x.png" alt="" /></Link>;\n}\n`;
    expect(mayReadClientInput('/repo/src/components/Board.tsx', component("import Link from 'next/link';\nimport Image from 'next/image';\nimport { useRouter } from 'next/router';"))).toBe(false);
    expect(mayReadClientInput('/repo/src/components/Board.tsx', component('import Link from "next/link";\nimport { useSearchParams } from "next/navigation";'))).toBe(false);
    // Each of these can hand the file a request, a header, a cookie or the session: still analysed.
    expect(mayReadClientInput('/repo/src/lib/org.ts', component("import Link from 'next/link';\nimport type { NextApiRequest } from 'next';"))).toBe(true);
    expect(mayReadClientInput('/repo/src/lib/org.ts', component("import Link from 'next/link';\nimport { NextRequest } from 'next/server';"))).toBe(true);
    expect(mayReadClientInput('/repo/src/lib/org.ts', component("import Link from 'next/link';\nimport { headers } from 'next/headers';"))).toBe(true);
    expect(mayReadClientInput('/repo/src/lib/org.ts', component("import Link from 'next/link';\nimport { getSession } from 'next-auth/react';"))).toBe(true);
    expect(mayReadClientInput('/repo/src/lib/org.ts', component("import { NextRequest } from 'next/dist/server/web/spec-extension/request';"))).toBe(true);
  });

  it('service code whose tenant comes from its callers reports nothing and counts nothing ok', async () => {
    const result = await run({
      'src/services.ts': `import { prisma } from './db';\nexport function listInvoices(orgId: string) {\n  return prisma.invoice.findMany({ where: { orgId } });\n}\n`,
      'src/app.ts': app(`import { listInvoices } from './services';\napp.get('/invoices', async (req, res) => res.json(await listInvoices(req.user.orgId)));`),
    });
    expect(result).toEqual({ findings: [], messages: [], unknown: [] });
  });

  it('a request handed to a typed helper is reported once, in the helper err', async () => {
    const result = await run({
      'src/app.ts': app(`import { useHeaderTenant } from './tenant';\napp.use((req, res, next) => { useHeaderTenant(req); next(); });`),
      'src/tenant.ts': `import type { Request } from 'express';\nexport function useHeaderTenant(req: Request) {\n  req.orgId = req.get('x-org-id');\n}\n`,
    });
    expect(result.findings).toEqual(['src/tenant.ts:3:15 clientTenantId']);
  });
});

describe('paths in messages', () => {
  const { makeProject } = useScratch();

  it('are relative to the repository when the schema lives in a sibling package (B5) err', async () => {
    // A monorepo whose only schema is in packages/db: files in packages/api use that project, and
    // the files a message names must read as the repository's paths, not `../api/...`.
    const dir = makeProject({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'package.json': '{ "name": "mono", "private": true }\n',
      'packages/db/package.json': '{ "name": "db" }\n',
      'packages/db/prisma/schema.prisma': SCHEMA,
      'packages/db/src/index.ts': DB,
      'packages/api/package.json': '{ "name": "api" }\n',
      'packages/api/src/app.ts': `import express from 'express';\nimport { listInvoices } from './services';\nexport const app = express();\napp.get('/invoices', async (req, res) => res.json(await listInvoices(req.header('x-org-id'))));\n`,
      'packages/api/src/services.ts': `import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nexport function listInvoices(orgId: string) {\n  return prisma.invoice.findMany({ where: { orgId } });\n}\n`,
    });
    const result = await scan({ path: dir });
    const mine = result.findings.filter((f) => f.ruleId === 'no-client-tenant-id');
    expect(mine.map((f) => `${f.file}:${f.line} ${f.messageId}`)).toEqual(['packages/api/src/app.ts:4 clientTenantId']);
    expect(mine[0]?.message).toContain('used as the tenant filter of `prisma.invoice.findMany` at packages/api/src/services.ts:4.');
  });
});

describe('a tRPC context built from a request header (B8)', () => {
  const files = {
    'src/context.ts': `import type { Context } from 'hono';\ntype Options = { c: Context };\nexport type AppContext = { user: { id: string }; orgId: string | undefined };\nexport const createAppContext = async ({ c }: Options): Promise<AppContext> => {\n  const orgId = c.req.raw.headers.get('x-org-id') || undefined;\n  return { user: await sessionUser(), orgId };\n};\nasync function sessionUser() {\n  return { id: 'user_1' };\n}\n`,
    'src/trpc.ts': `import { initTRPC } from '@trpc/server';\nimport type { AppContext } from './context';\nconst t = initTRPC.context<AppContext>().create();\nexport const procedure = t.procedure;\n`,
  };

  it('names the header, the ctx member and the factory, at the query that uses it err', async () => {
    const result = await run({
      ...files,
      'src/router.ts': `import { procedure } from './trpc';\nimport { prisma } from './db';\nexport const list = procedure.query(({ ctx }) => prisma.invoice.findMany({ where: { orgId: ctx.orgId } }));\n`,
    });
    expect(result.findings).toEqual(['src/router.ts:3:92 clientTenantId']);
    expect(result.messages[0]).toContain('The tenant id comes from client input (header `x-org-id`, as `ctx.orgId`) and is used as the tenant filter of `prisma.invoice.findMany` at src/router.ts:3.');
    expect(result.messages[0]).toContain('It is read through createAppContext() at src/context.ts:5 (as `ctx.orgId`).');
    expect(result.messages[0]).toContain('fix: Check the membership in a middleware of the procedure');
  });

  it('a membership lookup for ctx.user that throws makes it safe ok', async () => {
    const result = await run({
      ...files,
      'src/router.ts': `import { procedure } from './trpc';\nimport { prisma } from './db';\nexport const list = procedure.query(async ({ ctx }) => {\n  await prisma.membership.findFirstOrThrow({ where: { orgId: ctx.orgId, userId: ctx.user.id } });\n  return prisma.invoice.findMany({ where: { orgId: ctx.orgId } });\n});\n`,
    });
    expect(result).toEqual({ findings: [], messages: [], unknown: [] });
  });

  it('a helper given ctx.orgId and the verified user that cannot be followed is counted once, not reported ok', async () => {
    // documenso's getTeamById({ teamId: ctx.teamId, userId: ctx.user.id }), here from a package.
    const result = await run({
      ...files,
      'src/router.ts': `import { getTeamById } from 'some-package';
import { procedure } from './trpc';
import { prisma } from './db';
export const list = procedure.query(async ({ ctx }) => {
  await getTeamById({ teamId: ctx.orgId, userId: ctx.user.id });
  const count = await prisma.invoice.count({ where: { orgId: ctx.orgId } });
  return { count, all: await prisma.invoice.findMany({ where: { orgId: ctx.orgId } }) };
});
export const other = procedure.query(async ({ ctx }) => {
  const team = await getTeamById(ctx.orgId, ctx.user.id);
  return prisma.invoice.findMany({ where: { orgId: ctx.orgId }, take: team.limit });
});
`,
    });
    expect(result.findings).toEqual([]);
    expect(result.unknown).toEqual(['src/router.ts:5 header `x-org-id` (as `ctx.orgId`) is checked by `getTeamById()`, which receives the verified user; not followed']);
  });

  it('one header read passed too deep by many procedures is counted once ok', async () => {
    const result = await run({
      ...files,
      'src/deep.ts': `import { prisma } from './db';
export const one = (orgId?: string) => two(orgId);
const two = (orgId?: string) => three(orgId);
const three = (orgId?: string) => four(orgId);
const four = (orgId?: string) => five(orgId);
const five = (orgId?: string) => prisma.invoice.findMany({ where: { orgId } });
`,
      'src/router.ts': `import { procedure } from './trpc';
import { one } from './deep';
export const a = procedure.query(({ ctx }) => one(ctx.orgId));
export const b = procedure.query(({ ctx }) => one(ctx.orgId));
export const c = procedure.query(({ ctx }) => one(ctx.orgId));
`,
    });
    expect(result.findings).toEqual([]);
    expect(result.unknown).toEqual(['src/router.ts:3 header `x-org-id` is passed to `five()`, deeper than the analysis follows calls']);
  });
});
