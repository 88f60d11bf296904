import { join } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/no-client-tenant-id.js';

// Cases are linted as files of test/http/project: its schema has the tenant root Organization
// (key orgId), Membership (orgId, userId) and Invoice; src/lib/ holds the client, a service,
// tenant helpers, a scoped-client factory, tRPC builders, Auth.js and NestJS helpers.
const project = join(import.meta.dirname, '..', 'http', 'project');
const filename = join(project, 'src', 'handler.ts');
const ruleTester = new RuleTester({ defaultFilenames: { ts: filename, tsx: filename } });
const routeFile = join(project, 'src', 'app', 'api', 'invoices', 'route.ts');
const pageFile = join(project, 'src', 'app', 'orgs', '[orgId]', 'page.tsx');
const middlewareFile = join(project, 'src', 'middleware.ts');

const express = `import express from 'express';\nimport { prisma } from './lib/db';\nconst app = express();\n`;
const fastify = `import Fastify from 'fastify';\nimport { prisma } from './lib/db';\nconst app = Fastify();\n`;
const koa = `import Koa from 'koa';\nimport Router from '@koa/router';\nimport { prisma } from './lib/db';\nconst app = new Koa();\nconst router = new Router();\n`;
const hono = `import { Hono } from 'hono';\nimport { prisma } from './lib/db';\nconst app = new Hono();\n`;
const nest = `import { Body, Controller, Get, Headers, Param, Query, Req, UseGuards } from '@nestjs/common';\nimport { prisma } from './lib/db';\n`;
const next = `import type { NextRequest } from 'next/server';\nimport { prisma } from './lib/db';\n`;
const trpc = `import { z } from 'zod';\nimport { prisma } from './lib/db';\nimport { middleware, publicProcedure, router } from './lib/trpc';\n`;
// Procedures whose ctx is built by lib/org-context.ts, which reads `orgId` from the x-org-id header.
const orgTrpc = `import { z } from 'zod';\nimport { TRPCError } from '@trpc/server';\nimport { prisma } from './lib/db';\nimport { adminProcedure, authedProcedure, helperAdminProcedure, loggedProcedure, memberProcedure, orgMiddleware, rolesAdminProcedure, scopedProcedure } from './lib/trpc-org';\n`;

ruleTester.run('no-client-tenant-id', rule, {
  valid: [
    // Express: the verified identity (req.user, set by authentication)
    `${express}app.get('/invoices', async (req, res) => res.json(await prisma.invoice.findMany({ where: { orgId: req.user.orgId } })));`,
    // Express: express-jwt's req.auth as the tenant context
    `${express}app.use((req, res, next) => { req.orgId = req.auth.orgId; next(); });`,
    // Express: a signed cookie carries the server's signature
    `${express}app.use((req, res, next) => { req.orgId = req.signedCookies.org; next(); });`,
    // Express: res.locals derived from the verified identity
    `${express}app.use((req, res, next) => { res.locals.orgId = req.user.orgId; next(); });`,
    // jwt.verify of a header yields the verified identity
    `${express}import jwt from 'jsonwebtoken';\napp.use((req, res, next) => {\n  const claims = jwt.verify(req.header('authorization') ?? '', process.env.SECRET ?? '');\n  req.orgId = claims.orgId;\n  next();\n});`,
    // jose's jwtVerify result
    `${express}import { jwtVerify } from 'jose';\napp.use(async (req, res, next) => {\n  const { payload } = await jwtVerify(req.cookies.token, new Uint8Array());\n  req.orgId = payload.orgId;\n  next();\n});`,
    // a membership lookup for the verified user that gates the handler
    `${express}app.get('/invoices', async (req, res) => {\n  const orgId = req.header('x-org-id');\n  const membership = await prisma.membership.findFirst({ where: { orgId, userId: req.user.id } });\n  if (!membership) return res.sendStatus(403);\n  res.json(await prisma.invoice.findMany({ where: { orgId } }));\n});`,
    // a membership lookup that throws (findUniqueOrThrow)
    `${express}app.get('/invoices', async (req, res) => {\n  const { orgId } = req.query;\n  await prisma.membership.findUniqueOrThrow({ where: { orgId_userId: { orgId, userId: req.user.id } } });\n  res.json(await prisma.invoice.findMany({ where: { orgId } }));\n});`,
    // an equality check with the verified identity that returns 403
    `${express}app.get('/orgs/:orgId/invoices', async (req, res) => {\n  if (req.params.orgId !== req.user.orgId) return res.sendStatus(403);\n  res.json(await prisma.invoice.findMany({ where: { orgId: req.params.orgId } }));\n});`,
    // the tenant filter used only inside the branch where it equals the verified tenant
    `${express}app.get('/invoices', async (req, res) => {\n  const orgId = req.body.orgId;\n  if (orgId === req.user.orgId) {\n    res.json(await prisma.invoice.findMany({ where: { orgId } }));\n  }\n});`,
    // membership in a list from the verified identity
    `${express}app.get('/invoices', async (req, res) => {\n  const orgId = String(req.query.orgId);\n  if (!req.user.orgIds.includes(orgId)) throw new Error('Forbidden');\n  res.json(await prisma.invoice.findMany({ where: { orgId } }));\n});`,
    // some() over the verified user's memberships
    `${express}app.get('/invoices', async (req, res) => {\n  const orgId = req.header('x-org-id');\n  if (!req.user.memberships.some((m) => m.orgId === orgId)) return res.sendStatus(403);\n  res.json(await prisma.invoice.findMany({ where: { orgId } }));\n});`,
    // a helper in another file that throws unless the user is a member
    `${express}import { assertMember } from './lib/tenant';\napp.get('/invoices', async (req, res) => {\n  const orgId = req.body.orgId;\n  await assertMember(req.user.id, orgId);\n  res.json(await prisma.invoice.findMany({ where: { orgId } }));\n});`,
    // a helper in another file that returns whether the user is a member
    `${express}import { isMember } from './lib/tenant';\napp.get('/invoices', async (req, res) => {\n  const orgId = req.body.orgId;\n  if (!(await isMember(req.user.id, orgId))) return res.sendStatus(403);\n  res.json(await prisma.invoice.findMany({ where: { orgId } }));\n});`,
    // a membership middleware earlier on the same route
    `${express}const requireMember = async (req, res, next) => {\n  const membership = await prisma.membership.findFirst({ where: { orgId: req.params.orgId, userId: req.user.id } });\n  if (!membership) return res.sendStatus(403);\n  next();\n};\napp.get('/orgs/:orgId/invoices', requireMember, async (req, res) => {\n  res.json(await prisma.invoice.findMany({ where: { orgId: req.params.orgId } }));\n});`,
    // a membership middleware registered with use() before the route
    `${express}app.use('/orgs/:orgId', async (req, res, next) => {\n  if (req.params.orgId !== req.user.orgId) return res.sendStatus(403);\n  next();\n});\napp.get('/orgs/:orgId/invoices', async (req, res) => res.json(await prisma.invoice.findMany({ where: { orgId: req.params.orgId } })));`,
    // an app.param() callback that checks membership before every route with :orgId
    `${express}app.param('orgId', async (req, res, next, orgId) => {\n  const membership = await prisma.membership.findFirst({ where: { orgId, userId: req.user.id } });\n  if (!membership) return res.sendStatus(403);\n  next();\n});\napp.get('/orgs/:orgId/invoices', async (req, res) => res.json(await prisma.invoice.findMany({ where: { orgId: req.params.orgId } })));`,
    // a query that also pins the verified user reads only that user's rows
    `${express}app.get('/membership', async (req, res) => res.json(await prisma.membership.findFirst({ where: { orgId: req.query.orgId, userId: req.user.id } })));`,
    // the tenant root looked up with a membership condition
    `${express}app.get('/orgs/:slug/invoices', async (req, res) => {\n  const org = await prisma.organization.findFirst({ where: { slug: req.params.slug, members: { some: { userId: req.user.id } } } });\n  if (!org) return res.sendStatus(404);\n  res.json(await prisma.invoice.findMany({ where: { orgId: org.id } }));\n});`,
    // the tenant root looked up by slug, then a membership check on its id
    `${express}app.get('/orgs/:slug/invoices', async (req, res) => {\n  const org = await prisma.organization.findUnique({ where: { slug: req.params.slug } });\n  const membership = await prisma.membership.findFirst({ where: { orgId: org.id, userId: req.user.id } });\n  if (!membership) return res.sendStatus(404);\n  res.json(await prisma.invoice.findMany({ where: { orgId: org.id } }));\n});`,
    // a trusted helper in another file
    `${express}import { getVerifiedTenantId } from './lib/tenant';\napp.get('/invoices', async (req, res) => res.json(await prisma.invoice.findMany({ where: { orgId: getVerifiedTenantId(req) } })));`,
    // a client id that is not the tenant key, next to the verified tenant
    `${express}app.get('/invoices/:id', async (req, res) => res.json(await prisma.invoice.findFirst({ where: { id: req.params.id, orgId: req.user.orgId } })));`,
    // a tenant header that reaches no sink (logged, echoed)
    `${express}app.use((req, res, next) => { console.log(req.header('x-org-id')); res.setHeader('x-org-id', req.header('x-org-id') ?? ''); next(); });`,
    // a plain object named req is not a request
    `${express}export function list() {\n  const req = { query: { orgId: 'org_1' } };\n  return prisma.invoice.findMany({ where: { orgId: req.query.orgId } });\n}`,
    // a function parameter with no request behind it: its callers decide
    `${express}export function list(orgId: string) {\n  return prisma.invoice.findMany({ where: { orgId } });\n}`,
    // the scoped client factory given the verified tenant
    `${express}import { forOrg } from './lib/tenant-client';\napp.get('/invoices', async (req, res) => res.json(await forOrg(req.user.orgId).invoice.findMany()));`,
    // AsyncLocalStorage holding the verified tenant
    `${express}import { AsyncLocalStorage } from 'node:async_hooks';\nconst tenantStorage = new AsyncLocalStorage();\napp.use((req, res, next) => tenantStorage.run({ orgId: req.user.orgId }, next));`,
    // set_config with the verified tenant
    `${express}app.use(async (req, res, next) => {\n  await prisma.$executeRaw\`SELECT set_config('app.current_org', \${req.user.orgId}, true)\`;\n  next();\n});`,
    // a webhook whose signature is verified: what its sender says is authenticated
    `${express}import { createHmac } from 'node:crypto';\nfunction verifySignature(req) {\n  return createHmac('sha256', process.env.SECRET ?? '').update(JSON.stringify(req.body)).digest('hex') === req.header('x-signature');\n}\napp.post('/webhooks/billing', async (req, res) => {\n  if (!verifySignature(req)) return res.sendStatus(401);\n  await prisma.invoice.updateMany({ where: { orgId: req.body.orgId }, data: { number: 0 } });\n  res.sendStatus(204);\n});`,
    // a membership lookup for a user the analysis cannot trace: counted as not analysable, not reported
    `${express}import { loadUser } from 'some-session-library';\napp.get('/orgs/:orgId/invoices', async (req, res) => {\n  const user = await loadUser(req.header('authorization'));\n  const membership = await prisma.membership.findFirst({ where: { orgId: req.params.orgId, userId: user.id } });\n  if (!membership) return res.sendStatus(403);\n  res.json(await prisma.invoice.findMany({ where: { orgId: req.params.orgId } }));\n});`,
    // Fastify: request.user set by @fastify/jwt
    `${fastify}app.get('/invoices', async (request) => prisma.invoice.findMany({ where: { orgId: request.user.orgId } }));`,
    // Fastify: the result of request.jwtVerify()
    `${fastify}app.addHook('onRequest', async (request) => {\n  const token = await request.jwtVerify();\n  request.orgId = token.orgId;\n});`,
    // Koa: ctx.state.user set by koa-jwt
    `${koa}router.get('/invoices', async (ctx) => {\n  ctx.body = await prisma.invoice.findMany({ where: { orgId: ctx.state.user.orgId } });\n});`,
    // Koa: a cookie read with { signed: true }
    `${koa}app.use(async (ctx, next) => {\n  ctx.state.orgId = ctx.cookies.get('org', { signed: true });\n  await next();\n});`,
    // Hono: a variable that authentication middleware stored with c.set()
    `${hono}app.get('/invoices', async (c) => c.json(await prisma.invoice.findMany({ where: { orgId: c.get('orgId') } })));`,
    // Hono: c.set() from the verified JWT payload
    `${hono}app.use(async (c, next) => {\n  c.set('orgId', c.get('jwtPayload').orgId);\n  await next();\n});`,
    // Hono: a signed cookie
    `${hono}import { getSignedCookie } from 'hono/cookie';\napp.use(async (c, next) => {\n  c.set('orgId', await getSignedCookie(c, 'secret', 'org'));\n  await next();\n});`,
    // NestJS: a custom decorator that returns the verified user's tenant
    `${nest}import { CurrentOrg } from './lib/nest';\n@Controller('invoices')\nexport class InvoicesController {\n  @Get()\n  list(@CurrentOrg() orgId: string) {\n    return prisma.invoice.findMany({ where: { orgId } });\n  }\n}`,
    // NestJS: @Req() req.user set by a guard
    `${nest}@Controller('invoices')\nexport class InvoicesController {\n  @Get()\n  list(@Req() req: { user: { orgId: string } }) {\n    return prisma.invoice.findMany({ where: { orgId: req.user.orgId } });\n  }\n}`,
    // NestJS: a guard that checks membership before the handler runs
    `${nest}import { OrgMemberGuard } from './lib/nest';\n@Controller('orgs/:orgId/invoices')\n@UseGuards(OrgMemberGuard)\nexport class InvoicesController {\n  @Get()\n  list(@Param('orgId') orgId: string) {\n    return prisma.invoice.findMany({ where: { orgId } });\n  }\n}`,
    // Next.js: the session from Auth.js's auth()
    {
      code: `import { auth } from '../../../lib/auth';\nimport { prisma } from '../../../lib/db';\nexport async function GET() {\n  const session = await auth();\n  return Response.json(await prisma.invoice.findMany({ where: { orgId: session.user.orgId } }));\n}`,
      filename: routeFile,
    },
    // Next.js: getServerSession()
    {
      code: `import { getServerSession } from 'next-auth';\nimport { prisma } from '../../../lib/db';\nexport async function GET() {\n  const session = await getServerSession();\n  return Response.json(await prisma.invoice.findMany({ where: { orgId: session.orgId } }));\n}`,
      filename: routeFile,
    },
    // Next.js: a route handler that checks membership of the org in the URL
    {
      code: `import { auth } from '../../../lib/auth';\nimport { prisma } from '../../../lib/db';\nexport async function GET(request: Request) {\n  const session = await auth();\n  const orgId = new URL(request.url).searchParams.get('orgId');\n  const membership = await prisma.membership.findFirst({ where: { orgId, userId: session.user.id } });\n  if (!membership) return new Response(null, { status: 403 });\n  return Response.json(await prisma.invoice.findMany({ where: { orgId } }));\n}`,
      filename: routeFile,
    },
    // tRPC: the tenant from ctx, built from the verified session
    `${trpc}export const appRouter = router({\n  list: publicProcedure.query(({ ctx }) => prisma.invoice.findMany({ where: { orgId: ctx.session.orgId } })),\n});`,
    // tRPC: input checked against the verified memberships in ctx
    `${trpc}import { TRPCError } from '@trpc/server';\nexport const appRouter = router({\n  list: publicProcedure.input(z.object({ orgId: z.string() })).query(({ ctx, input }) => {\n    if (!ctx.session.orgIds.includes(input.orgId)) throw new TRPCError({ code: 'FORBIDDEN' });\n    return prisma.invoice.findMany({ where: { orgId: input.orgId } });\n  }),\n});`,
    // tRPC: a procedure built on a middleware that checks the input's organization
    `${trpc}import { TRPCError } from '@trpc/server';\nconst orgProcedure = publicProcedure.input(z.object({ orgId: z.string() })).use(async ({ ctx, input, next }) => {\n  const membership = await prisma.membership.findFirst({ where: { orgId: input.orgId, userId: ctx.session.userId } });\n  if (!membership) throw new TRPCError({ code: 'FORBIDDEN' });\n  return next({ ctx: { ...ctx, orgId: input.orgId } });\n});\nexport const appRouter = router({\n  list: orgProcedure.query(({ input }) => prisma.invoice.findMany({ where: { orgId: input.orgId } })),\n});`,
    // tRPC context from a header (B8): a middleware of the procedure checks the membership
    `${orgTrpc}export const list = memberProcedure.query(({ ctx }) => prisma.invoice.findMany({ where: { orgId: ctx.orgId } }));`,
    // tRPC context from a header: a middleware replaces ctx.orgId with the verified membership's
    `${orgTrpc}export const list = scopedProcedure.query(({ ctx }) => prisma.invoice.findMany({ where: { orgId: ctx.orgId } }));`,
    // tRPC context from a header: the resolver checks the membership of ctx.orgId for ctx.user and throws
    `${orgTrpc}export const list = authedProcedure.query(async ({ ctx }) => {\n  const membership = await prisma.membership.findFirst({ where: { orgId: ctx.orgId, userId: ctx.user.id } });\n  if (!membership) throw new TRPCError({ code: 'FORBIDDEN' });\n  return prisma.invoice.findMany({ where: { orgId: ctx.orgId } });\n});`,
    // tRPC context from a header: a fields of ctx the factory takes from the session are trusted
    `${orgTrpc}export const mine = authedProcedure.query(({ ctx }) => prisma.membership.findMany({ where: { userId: ctx.user.id } }));`,
    // tRPC context from a header: a middleware that forwards ctx.orgId unchanged is not where it is reported
    `${orgTrpc}export const forward = orgMiddleware(({ ctx, next }) => next({ ctx: { ...ctx, orgId: ctx.orgId || 'none' } }));`,
    // tRPC context from a header (B8 fp): a helper given the header's organization AND the verified user, which
    // the analysis cannot follow to a decision, is taken as the check (counted as not analysable, not reported)
    `${orgTrpc}import { getTeamById } from '@acme/teams';\nexport const list = authedProcedure.query(async ({ ctx }) => {\n  await getTeamById({ teamId: ctx.orgId, userId: ctx.user.id });\n  return prisma.invoice.findMany({ where: { orgId: ctx.orgId } });\n});`,
    `${orgTrpc}import { getTeamById } from '@acme/teams';\nexport const list = authedProcedure.query(async ({ ctx }) => {\n  const team = await getTeamById(ctx.orgId, ctx.user.id);\n  return prisma.invoice.findMany({ where: { orgId: ctx.orgId }, take: team.limit });\n});`,
    // ... a project helper whose membership `where` is built by another helper and spread
    `${orgTrpc}import { requireOrg } from './lib/teams';\nexport const list = authedProcedure.query(async ({ ctx }) => {\n  await requireOrg({ orgId: ctx.orgId, userId: ctx.user.id });\n  return prisma.invoice.findMany({ where: { orgId: ctx.orgId } });\n});`,
    // ... a project helper whose check is deeper than the analysis follows calls
    `${orgTrpc}import { requireOrgDeep } from './lib/teams';\nexport const list = authedProcedure.query(async ({ ctx }) => {\n  await requireOrgDeep(ctx.orgId, ctx.user.id);\n  return prisma.invoice.findMany({ where: { orgId: ctx.orgId } });\n});`,
    // ... a service that looks the organization up through a `where` another helper builds from the user, and throws
    `${orgTrpc}import { listOrgInvoices } from './lib/teams';\nexport const list = authedProcedure.query(({ ctx }) => listOrgInvoices(ctx.orgId, ctx.user.id));`,
    // ... a helper that checks through an `include` filtered by the user (nested options object)
    `${orgTrpc}import { orgRoles } from './lib/teams';\nexport const list = authedProcedure.query(async ({ ctx }) => {\n  await orgRoles({ orgId: ctx.orgId, reference: { id: ctx.user.id } });\n  return prisma.invoice.findMany({ where: { orgId: ctx.orgId } });\n});`,
    // admin-only procedures (fp-1): a client-chosen tenant is the purpose of an operator console
    `${orgTrpc}export const find = adminProcedure.input(z.object({ orgId: z.string() })).query(({ input }) => prisma.invoice.findMany({ where: { orgId: input.orgId } }));`,
    `${orgTrpc}export const find = rolesAdminProcedure.input(z.object({ orgId: z.string() })).mutation(({ input }) => prisma.invoice.deleteMany({ where: { orgId: input.orgId } }));`,
    `${orgTrpc}export const find = helperAdminProcedure.input(z.object({ orgId: z.string() })).query(({ input, ctx }) => prisma.invoice.findMany({ where: { orgId: input.orgId ?? ctx.orgId } }));`,
    `${orgTrpc}export const find = adminProcedure.input(z.object({ slug: z.string() })).query(async ({ input }) => {\n  const org = await prisma.organization.findUnique({ where: { slug: input.slug } });\n  return prisma.invoice.findMany({ where: { orgId: org?.id } });\n});`,
    // admin-only: the check in the resolver itself, before the query
    `${orgTrpc}export const find = authedProcedure.input(z.object({ orgId: z.string() })).query(({ ctx, input }) => {\n  if (!ctx.user.isAdmin) throw new TRPCError({ code: 'FORBIDDEN' });\n  return prisma.invoice.findMany({ where: { orgId: input.orgId } });\n});`,
    // admin-only Express route: a middleware that rejects non-admins runs first
    `${express}const requireAdmin = (req, res, next) => {\n  if (!req.user?.isAdmin) return res.sendStatus(403);\n  next();\n};\napp.get('/admin/orgs/:orgId/invoices', requireAdmin, async (req, res) => res.json(await prisma.invoice.findMany({ where: { orgId: req.params.orgId } })));`,
    // tRPC: createContext from the verified session
    `import type { CreateExpressContextOptions } from '@trpc/server/adapters/express';\nexport const createContext = ({ req }: CreateExpressContextOptions) => ({ orgId: req.user.orgId });`,
    // a helper that returns { ok: false } when the membership lookup fails, destructured and tested (issue 13)
    `${express}async function checkAccess(orgId, userId) {\n  const membership = await prisma.membership.findFirst({ where: { orgId, userId } });\n  if (!membership) return { ok: false, reason: 'not a member' };\n  return { ok: true, reason: null };\n}\napp.get('/orgs/:orgId/invoices', async (req, res) => {\n  const { ok } = await checkAccess(req.params.orgId, req.user.id);\n  if (!ok) return res.sendStatus(403);\n  res.json(await prisma.invoice.findMany({ where: { orgId: req.params.orgId } }));\n});`,
    // the same, its result tested beside another condition that also stops
    `${express}async function checkAccess(orgId, userId) {\n  const membership = await prisma.membership.findFirst({ where: { orgId, userId } });\n  if (!membership) return { ok: false, reason: 'not a member' };\n  return { ok: true, reason: null };\n}\napp.get('/orgs/:orgId/invoices', async (req, res) => {\n  const access = await checkAccess(req.params.orgId, req.user.id);\n  if (!req.user.active || !access.ok) return res.sendStatus(403);\n  res.json(await prisma.invoice.findMany({ where: { orgId: req.params.orgId } }));\n});`,
  ],
  invalid: [
    {
      // twin: the helper's result is an object whatever it found, so `!access` never stops the request
      code: `${express}async function checkAccess(orgId, userId) {\n  const membership = await prisma.membership.findFirst({ where: { orgId, userId } });\n  if (!membership) return { ok: false, reason: 'not a member' };\n  return { ok: true, reason: null };\n}\napp.get('/orgs/:orgId/invoices', async (req, res) => {\n  const access = await checkAccess(req.params.orgId, req.user.id);\n  if (!access) return res.sendStatus(403);\n  res.json(await prisma.invoice.findMany({ where: { orgId: req.params.orgId } }));\n});`,
      errors: [{ messageId: 'clientTenantId' }],
    },
    {
      // twin: the helper checks one organization, the query uses another
      code: `${express}async function checkAccess(orgId, userId) {\n  const membership = await prisma.membership.findFirst({ where: { orgId, userId } });\n  if (!membership) return { ok: false, reason: 'not a member' };\n  return { ok: true, reason: null };\n}\napp.get('/orgs/:orgId/invoices', async (req, res) => {\n  const { ok } = await checkAccess(req.params.orgId, req.user.id);\n  if (!ok) return res.sendStatus(403);\n  res.json(await prisma.invoice.findMany({ where: { orgId: String(req.query.orgId) } }));\n});`,
      errors: [{ messageId: 'clientTenantId' }],
    },
    {
      // Express: a header assigned as the request's tenant context
      code: `${express}app.use((req, res, next) => {\n  req.tenantId = req.headers['x-tenant-id'];\n  next();\n});`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 18, endColumn: 44 }],
    },
    {
      // Express: req.header() into a query's tenant filter
      code: `${express}app.get('/invoices', async (req, res) => res.json(await prisma.invoice.findMany({ where: { orgId: req.header('x-org-id') } })));`,
      errors: [{ messageId: 'clientTenantId', line: 4, column: 99, endColumn: 121 }],
    },
    {
      // Express: req.get() onto res.locals
      code: `${express}app.use((req, res, next) => { res.locals.orgId = req.get('X-Org-Id'); next(); });`,
      errors: [{ messageId: 'clientTenantId', line: 4, column: 50, endColumn: 69 }],
    },
    {
      // Express: a destructured query parameter
      code: `${express}app.get('/invoices', async (req, res) => {\n  const { orgId } = req.query;\n  res.json(await prisma.invoice.findMany({ where: { orgId } }));\n});`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 11, endColumn: 16 }],
    },
    {
      // Express: a route parameter in a compound unique key
      code: `${express}app.get('/orgs/:orgId/invoices/:number', async (req, res) => res.json(await prisma.invoice.findUnique({ where: { orgId_number: { orgId: req.params.orgId, number: Number(req.params.number) } } })));`,
      errors: [{ messageId: 'clientTenantId', line: 4, column: 137, endColumn: 153 }],
    },
    {
      // Express: a body field written as the tenant of a new row
      code: `${express}app.post('/invoices', async (req, res) => res.json(await prisma.invoice.create({ data: { orgId: req.body.orgId, number: 1 } })));`,
      errors: [{ messageId: 'clientTenantId', line: 4, column: 97, endColumn: 111 }],
    },
    {
      // Express: an unsigned cookie in a relation filter on the tenant root
      code: `${express}app.get('/invoices', async (req, res) => res.json(await prisma.invoice.findMany({ where: { org: { id: req.cookies.org } } })));`,
      errors: [{ messageId: 'clientTenantId', line: 4, column: 103, endColumn: 118 }],
    },
    {
      // Express: the subdomain resolves the tenant with no membership condition
      code: `${express}app.use(async (req, res, next) => {\n  req.tenant = await prisma.organization.findUnique({ where: { slug: req.subdomains[0] } });\n  next();\n});`,
      errors: [{ messageId: 'unverifiedTenantLookup', line: 5, column: 70, endColumn: 87 }],
    },
    {
      // Express: app.param() resolves the tenant from the route parameter
      code: `${express}app.param('orgId', async (req, res, next, orgId) => {\n  const org = await prisma.organization.findUnique({ where: { id: orgId } });\n  req.orgId = org.id;\n  next();\n});`,
      errors: [{ messageId: 'unverifiedTenantLookup', line: 4, column: 43, endColumn: 48 }],
    },
    {
      // Express: a body field passed to a service in another file, whose query filters by it
      code: `${express}import { listInvoices } from './lib/invoices';\napp.post('/invoices/search', async (req, res) => res.json(await listInvoices(req.body.orgId)));`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 78, endColumn: 92 }],
    },
    {
      // Express: a client field in an options object, used by the service in another file
      code: `${express}import { findInvoices } from './lib/invoices';\napp.get('/invoices', async (req, res) => res.json(await findInvoices({ orgId: req.query.orgId, take: 20 })));`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 79, endColumn: 94 }],
    },
    {
      // Express: a helper in another file that reads the tenant header
      code: `${express}import { getTenantId } from './lib/tenant';\napp.get('/invoices', async (req, res) => res.json(await prisma.invoice.findMany({ where: { orgId: getTenantId(req) } })));`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 99, endColumn: 115 }],
    },
    {
      // Express: the request handed to a helper in another file that sets the tenant from a header
      code: `${express}import { useHeaderTenant } from './lib/tenant';\napp.use((req, res, next) => { useHeaderTenant(req); next(); });`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 31, endColumn: 51 }],
    },
    {
      // Express: the client's value passed to the tenant-scoped client factory
      code: `${express}import { forOrg } from './lib/tenant-client';\napp.get('/invoices', async (req, res) => res.json(await forOrg(req.query.orgId).invoice.findMany()));`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 64, endColumn: 79 }],
    },
    {
      // Express: a header stored in an AsyncLocalStorage tenant context
      code: `${express}import { AsyncLocalStorage } from 'node:async_hooks';\nconst tenantStorage = new AsyncLocalStorage();\napp.use((req, res, next) => tenantStorage.run({ orgId: req.header('x-org-id') }, next));`,
      errors: [{ messageId: 'clientTenantId', line: 6, column: 56, endColumn: 78 }],
    },
    {
      // Express: a query parameter set as the row-level security tenant
      code: `${express}app.use(async (req, res, next) => {\n  await prisma.$executeRaw\`SELECT set_config('app.current_org', \${req.query.org}, true)\`;\n  next();\n});`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 67, endColumn: 80 }],
    },
    {
      // Express: a header as a positional parameter of SET in raw SQL
      code: `${express}app.use(async (req, res, next) => {\n  await prisma.$executeRawUnsafe("SELECT set_config('app.tenant_id', $1, true)", req.header('x-tenant-id'));\n  next();\n});`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 82, endColumn: 107 }],
    },
    {
      // Express: the client's header as a fallback for the verified tenant
      code: `${express}app.use((req, res, next) => { req.orgId = req.user?.orgId ?? req.header('x-org-id'); next(); });`,
      errors: [{ messageId: 'clientTenantId', line: 4, column: 62, endColumn: 84 }],
    },
    {
      // Fastify: a header assigned onto the request in a hook
      code: `${fastify}app.addHook('preHandler', async (request) => {\n  request.orgId = request.headers['x-org-id'];\n});`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 19, endColumn: 46 }],
    },
    {
      // Fastify: the query string in a route of a registered plugin
      code: `${fastify}app.register(async (instance) => {\n  instance.get('/invoices', async (request) => prisma.invoice.findMany({ where: { orgId: request.query.orgId } }));\n});`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 90, endColumn: 109 }],
    },
    {
      // Fastify: the body in a typed handler
      code: `import type { FastifyRequest } from 'fastify';\nimport { prisma } from './lib/db';\nexport async function create(request: FastifyRequest<{ Body: { orgId: string } }>) {\n  return prisma.invoice.create({ data: { orgId: request.body.orgId, number: 1 } });\n}`,
      errors: [{ messageId: 'clientTenantId', line: 4, column: 49, endColumn: 67 }],
    },
    {
      // Koa: ctx.get() assigned onto ctx.state
      code: `${koa}app.use(async (ctx, next) => {\n  ctx.state.orgId = ctx.get('x-org-id');\n  await next();\n});`,
      errors: [{ messageId: 'clientTenantId', line: 7, column: 21, endColumn: 40 }],
    },
    {
      // Koa: the request body in a router handler
      code: `${koa}router.post('/invoices', async (ctx) => {\n  ctx.body = await prisma.invoice.create({ data: { orgId: ctx.request.body.orgId, number: 1 } });\n});`,
      errors: [{ messageId: 'clientTenantId', line: 7, column: 59, endColumn: 81 }],
    },
    {
      // Koa: route parameters and the query string
      code: `${koa}router.get('/orgs/:orgId/invoices', async (ctx) => {\n  ctx.body = await prisma.invoice.findMany({ where: { orgId: ctx.params.orgId } });\n  ctx.state.orgId = ctx.query.orgId;\n});`,
      errors: [
        { messageId: 'clientTenantId', line: 7, column: 62, endColumn: 78 },
        { messageId: 'clientTenantId', line: 8, column: 21, endColumn: 36 },
      ],
    },
    {
      // Koa: an unsigned cookie, and the headers object
      code: `${koa}app.use(async (ctx, next) => {\n  ctx.state.orgId = ctx.cookies.get('org');\n  ctx.state.teamId = ctx.headers['x-team-id'];\n  await next();\n});`,
      errors: [
        { messageId: 'clientTenantId', line: 7, column: 21, endColumn: 43 },
        { messageId: 'clientTenantId', line: 8, column: 22, endColumn: 46 },
      ],
    },
    {
      // Hono: a header stored with c.set() as the tenant context
      code: `${hono}app.use(async (c, next) => {\n  c.set('orgId', c.req.header('X-Org-Id'));\n  await next();\n});`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 18, endColumn: 42 }],
    },
    {
      // Hono: the query string and route parameters
      code: `${hono}app.get('/orgs/:orgId/invoices', async (c) => {\n  const invoices = await prisma.invoice.findMany({ where: { orgId: c.req.param('orgId') } });\n  const count = await prisma.invoice.count({ where: { orgId: c.req.query('org') } });\n  return c.json({ invoices, count });\n});`,
      errors: [
        { messageId: 'clientTenantId', line: 5, column: 68, endColumn: 88 },
        { messageId: 'clientTenantId', line: 6, column: 62, endColumn: 80 },
      ],
    },
    {
      // Hono: the JSON body
      code: `${hono}app.post('/invoices', async (c) => {\n  const { orgId } = await c.req.json();\n  return c.json(await prisma.invoice.create({ data: { orgId, number: 1 } }));\n});`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 11, endColumn: 16 }],
    },
    {
      // Hono: an unsigned cookie
      code: `${hono}import { getCookie } from 'hono/cookie';\napp.use(async (c, next) => {\n  c.set('orgId', getCookie(c, 'org'));\n  await next();\n});`,
      errors: [{ messageId: 'clientTenantId', line: 6, column: 18, endColumn: 37 }],
    },
    {
      // NestJS: @Headers('x-org-id')
      code: `${nest}@Controller('invoices')\nexport class InvoicesController {\n  @Get()\n  list(@Headers('x-org-id') orgId: string) {\n    return prisma.invoice.findMany({ where: { orgId } });\n  }\n}`,
      errors: [{ messageId: 'clientTenantId', line: 6, column: 9, endColumn: 28 }],
    },
    {
      // NestJS: @Query() and @Param()
      code: `${nest}@Controller('orgs/:orgId/invoices')\nexport class InvoicesController {\n  @Get()\n  list(@Param('orgId') orgId: string, @Query('org') org: string) {\n    return Promise.all([prisma.invoice.findMany({ where: { orgId } }), prisma.invoice.count({ where: { orgId: org } })]);\n  }\n}`,
      errors: [
        { messageId: 'clientTenantId', line: 6, column: 9, endColumn: 23 },
        { messageId: 'clientTenantId', line: 6, column: 40, endColumn: 52 },
      ],
    },
    {
      // NestJS: a @Body() DTO field
      code: `${nest}@Controller('invoices')\nexport class InvoicesController {\n  @Get()\n  create(@Body() dto: { orgId: string; number: number }) {\n    return prisma.invoice.create({ data: { orgId: dto.orgId, number: dto.number } });\n  }\n}`,
      errors: [{ messageId: 'clientTenantId', line: 7, column: 51, endColumn: 60 }],
    },
    {
      // NestJS: @Req() read like an Express request
      code: `${nest}@Controller('invoices')\nexport class InvoicesController {\n  @Get()\n  list(@Req() req: { query: { orgId: string } }) {\n    return prisma.invoice.findMany({ where: { orgId: req.query.orgId } });\n  }\n}`,
      errors: [{ messageId: 'clientTenantId', line: 7, column: 54, endColumn: 69 }],
    },
    {
      // NestJS: a custom decorator that returns a header
      code: `${nest}import { HeaderOrg } from './lib/nest';\n@Controller('invoices')\nexport class InvoicesController {\n  @Get()\n  list(@HeaderOrg() orgId: string) {\n    return prisma.invoice.findMany({ where: { orgId } });\n  }\n}`,
      errors: [{ messageId: 'clientTenantId', line: 7, column: 9, endColumn: 20 }],
    },
    {
      // NestJS: nestjs-cls tenant context set from a header
      code: `import { Injectable, NestMiddleware } from '@nestjs/common';\nimport { ClsService } from 'nestjs-cls';\nimport type { Request } from 'express';\n@Injectable()\nexport class TenantMiddleware implements NestMiddleware {\n  constructor(private readonly cls: ClsService) {}\n  use(req: Request, res: unknown, next: () => void) {\n    this.cls.set('tenantId', req.header('x-tenant-id'));\n    next();\n  }\n}`,
      errors: [{ messageId: 'clientTenantId', line: 8, column: 30, endColumn: 55 }],
    },
    {
      // Next.js: search parameters and headers in a route handler
      code: `${next}export async function GET(request: NextRequest) {\n  const orgId = request.nextUrl.searchParams.get('orgId');\n  const invoices = await prisma.invoice.findMany({ where: { orgId } });\n  const count = await prisma.invoice.count({ where: { orgId: request.headers.get('x-org-id') } });\n  return Response.json({ invoices, count });\n}`,
      filename: routeFile,
      errors: [
        { messageId: 'clientTenantId', line: 4, column: 17, endColumn: 58 },
        { messageId: 'clientTenantId', line: 6, column: 62, endColumn: 93 },
      ],
    },
    {
      // Next.js: the JSON body and route parameters of a route handler
      code: `import { prisma } from '../../../lib/db';\nexport async function POST(request: Request, { params }: { params: Promise<{ orgId: string }> }) {\n  const body = await request.json();\n  await prisma.invoice.create({ data: { orgId: body.orgId, number: 1 } });\n  const { orgId } = await params;\n  return Response.json(await prisma.invoice.findMany({ where: { orgId } }));\n}`,
      filename: routeFile,
      errors: [
        { messageId: 'clientTenantId', line: 4, column: 48, endColumn: 58 },
        { messageId: 'clientTenantId', line: 5, column: 11, endColumn: 16 },
      ],
    },
    {
      // Next.js: headers() and cookies() from next/headers
      code: `import { cookies, headers } from 'next/headers';\nimport { prisma } from './lib/db';\nexport async function listInvoices() {\n  const orgId = (await headers()).get('x-org-id');\n  const teamOrgId = (await cookies()).get('org')?.value;\n  return prisma.invoice.findMany({ where: { OR: [{ orgId }, { orgId: teamOrgId }] } });\n}`,
      errors: [
        { messageId: 'clientTenantId', line: 4, column: 17, endColumn: 50 },
        { messageId: 'clientTenantId', line: 5, column: 21, endColumn: 49 },
      ],
    },
    {
      // Next.js: a server action's arguments and form data
      code: `'use server';\nimport { prisma } from './lib/db';\nexport async function archiveAll(orgId: string, formData: FormData) {\n  await prisma.invoice.deleteMany({ where: { orgId } });\n  await prisma.invoice.deleteMany({ where: { orgId: String(formData.get('orgId')) } });\n}`,
      errors: [
        { messageId: 'clientTenantId', line: 3, column: 34, endColumn: 47 },
        { messageId: 'clientTenantId', line: 5, column: 60, endColumn: 81 },
      ],
    },
    {
      // Next.js: a page's route parameters
      code: `import { prisma } from '../../../lib/db';\nexport default async function Page({ params }: { params: Promise<{ orgId: string }> }) {\n  const { orgId } = await params;\n  const invoices = await prisma.invoice.findMany({ where: { orgId } });\n  return <ul>{invoices.map((invoice) => <li key={invoice.id}>{invoice.number}</li>)}</ul>;\n}`,
      filename: pageFile,
      errors: [{ messageId: 'clientTenantId', line: 3, column: 11, endColumn: 16 }],
    },
    {
      // Next.js: middleware that stores a query parameter as the tenant
      code: `import { NextResponse, type NextRequest } from 'next/server';\nimport { AsyncLocalStorage } from 'node:async_hooks';\nconst tenantStorage = new AsyncLocalStorage();\nexport function middleware(request: NextRequest) {\n  return tenantStorage.run({ tenantId: request.nextUrl.searchParams.get('tenant') }, () => NextResponse.next());\n}`,
      filename: middlewareFile,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 40, endColumn: 82 }],
    },
    {
      // tRPC: a procedure's input used as the tenant
      code: `${trpc}export const appRouter = router({\n  list: publicProcedure.input(z.object({ orgId: z.string() })).query(({ input }) => prisma.invoice.findMany({ where: { orgId: input.orgId } })),\n});`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 127, endColumn: 138 }],
    },
    {
      // tRPC: a middleware that puts the input's tenant on ctx
      code: `${trpc}export const withOrg = middleware(({ ctx, input, next }) => next({ ctx: { ...ctx, orgId: input.orgId } }));`,
      errors: [{ messageId: 'clientTenantId', line: 4, column: 90, endColumn: 101 }],
    },
    {
      // tRPC context from a header (B8, leak-1): ctx.orgId used as the tenant with no membership check
      code: `${orgTrpc}export const list = authedProcedure.query(({ ctx }) => prisma.invoice.findMany({ where: { orgId: ctx.orgId } }));`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 98, endColumn: 107 }],
    },
    {
      // tRPC context from a header: destructured from ctx and handed to a service
      code: `${orgTrpc}import { listInvoices } from './lib/invoices';\nexport const list = authedProcedure.query(({ ctx }) => {\n  const { orgId } = ctx;\n  return listInvoices(orgId);\n});`,
      errors: [{ messageId: 'clientTenantId', line: 8, column: 10, endColumn: 29 }],
    },
    {
      // tRPC context from a header: a membership lookup whose result gates nothing (leak-1)
      code: `${orgTrpc}export const list = authedProcedure.query(async ({ ctx }) => {\n  const mine = await prisma.membership.findMany({ where: { orgId: ctx.orgId, userId: ctx.user.id } });\n  const all = await prisma.invoice.findMany({ where: { orgId: ctx.orgId } });\n  return { mine, all };\n});`,
      errors: [{ messageId: 'clientTenantId', line: 7, column: 63, endColumn: 72 }],
    },
    {
      // tRPC context from a header: a helper given only the header's organization (no user) is no check
      code: `${orgTrpc}import { getTeamById } from '@acme/teams';\nexport const list = authedProcedure.query(async ({ ctx }) => {\n  await getTeamById({ teamId: ctx.orgId });\n  return prisma.invoice.findMany({ where: { orgId: ctx.orgId } });\n});`,
      errors: [{ messageId: 'clientTenantId', line: 8, column: 52, endColumn: 61 }],
    },
    {
      // tRPC context from a header: a helper given the user that provably ignores it is no check
      code: `${orgTrpc}import { loadOrg } from './lib/teams';\nexport const list = authedProcedure.query(async ({ ctx }) => {\n  await loadOrg({ orgId: ctx.orgId, userId: ctx.user.id });\n  return prisma.invoice.findMany({ where: { orgId: ctx.orgId } });\n});`,
      errors: [{ messageId: 'clientTenantId', line: 8, column: 52, endColumn: 61 }],
    },
    {
      // tRPC context from a header: a service given the user that only logs it checks nothing
      code: `${orgTrpc}import { listOrgInvoicesUnchecked } from './lib/teams';\nexport const list = authedProcedure.query(({ ctx }) => listOrgInvoicesUnchecked(ctx.orgId, ctx.user.id));`,
      errors: [{ messageId: 'clientTenantId', line: 6, column: 56, endColumn: 104 }],
    },
    {
      // tRPC context from a header: a middleware that only logs the admin flag does not make the procedure admin-only
      code: `${orgTrpc}export const list = loggedProcedure.query(({ ctx }) => prisma.invoice.findMany({ where: { orgId: ctx.orgId } }));`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 98, endColumn: 107 }],
    },
    {
      // tRPC context from a header, create-t3-app style (`initTRPC.context<typeof createTRPCContext>()`)
      code: `import { prisma } from './lib/db';\nimport { t3Procedure } from './lib/trpc-t3';\nexport const list = t3Procedure.query(({ ctx }) => prisma.invoice.findMany({ where: { orgId: ctx.orgId ?? '' } }));`,
      errors: [{ messageId: 'clientTenantId', line: 3, column: 94, endColumn: 109 }],
    },
    {
      // tRPC context from a header in the same file: reported at the header read
      code: `import { initTRPC } from '@trpc/server';\nimport { prisma } from './lib/db';\nexport const createContext = ({ req }) => ({ user: req.user, orgId: String(req.headers['x-org-id']) });\nconst t = initTRPC.context<Awaited<ReturnType<typeof createContext>>>().create();\nexport const list = t.procedure.query(({ ctx }) => prisma.invoice.findMany({ where: { orgId: ctx.orgId } }));`,
      errors: [{ messageId: 'clientTenantId', line: 3, column: 76, endColumn: 99 }],
    },
    {
      // tRPC: a middleware defined with t.middleware puts ctx.orgId back on ctx as the tenant (sink) without a check
      code: `${orgTrpc}export const withOrg = orgMiddleware(({ ctx, next }) => next({ ctx: { ...ctx, tenantId: ctx.orgId } }));`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 89, endColumn: 98 }],
    },
    {
      // Express: a middleware named like an admin check that checks nothing about the user does not count
      code: `${express}const requireAdmin = (req, res, next) => next();\napp.get('/admin/orgs/:orgId/invoices', requireAdmin, async (req, res) => res.json(await prisma.invoice.findMany({ where: { orgId: req.params.orgId } })));`,
      errors: [{ messageId: 'clientTenantId', line: 5, column: 131, endColumn: 147 }],
    },
    {
      // tRPC: createContext that reads the tenant from a header
      code: `import type { CreateExpressContextOptions } from '@trpc/server/adapters/express';\nexport const createContext = ({ req }: CreateExpressContextOptions) => ({ orgId: req.headers['x-org-id'], user: req.user });`,
      errors: [{ messageId: 'clientTenantId', line: 2, column: 82, endColumn: 105 }],
    },
  ],
});

// tutur3u guard helpers: `const access = await requireWorkspaceAccess(req, wsId); if (!access.success) return access.response;`
// A helper handed the client tenant whose awaited result is tested and whose failing branch exits is a membership check.
const guarded = (check: string, test: string, exit: string, where = 'orgId') =>
  `${express}import { requireOrgAccess } from '@acme/guard';\napp.get('/invoices', async (req, res) => {\n  const orgId = req.header('x-org-id');\n  const other = req.header('x-other-id');\n  const access = await requireOrgAccess(req, ${check});\n  if (${test}) ${exit}\n  res.json(await prisma.invoice.findMany({ where: { orgId: ${where} } }));\n});`;
ruleTester.run('no-client-tenant-id: a guard helper whose result is tested', rule, {
  valid: [
    // `!access.success`, the branch returns
    guarded('orgId', '!access.success', 'return res.status(403).json(access.response);'),
    // `!access.ok`, the branch returns a 403
    guarded('orgId', '!access.ok', 'return res.sendStatus(403);'),
    // `access instanceof Response`, the branch returns it
    guarded('orgId', 'access instanceof Response', 'return access;'),
    // `'error' in access`, the branch throws
    guarded('orgId', "'error' in access", 'throw new Error(access.error);'),
  ],
  invalid: [
    {
      // the failing branch only logs: the request goes on
      code: guarded('orgId', '!access.success', 'console.warn(access.error);'),
      errors: [{ messageId: 'clientTenantId', line: 6 }],
    },
    {
      // the guard checks another id than the one the query uses
      code: guarded('other', '!access.ok', 'return res.sendStatus(403);'),
      errors: [{ messageId: 'clientTenantId', line: 6 }],
    },
    {
      // the check comes after the query
      code: `${express}import { requireOrgAccess } from '@acme/guard';\napp.get('/invoices', async (req, res) => {\n  const orgId = req.header('x-org-id');\n  const rows = await prisma.invoice.findMany({ where: { orgId } });\n  const access = await requireOrgAccess(req, orgId);\n  if (!access.ok) return res.sendStatus(403);\n  res.json(rows);\n});`,
      errors: [{ messageId: 'clientTenantId', line: 6 }],
    },
  ],
});
