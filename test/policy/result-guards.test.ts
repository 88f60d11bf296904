import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/no-client-tenant-id.js';
import { onDisk } from '../helpers/on-disk.js';

const ruleTester = new RuleTester();

// Issue 13, class 3 (judged on tutur3u): a membership helper that returns a result instead of
// throwing (`{ ok: false }`, `null`) when the verified user is not a member of the workspace the
// client names, and a caller that stops on that failure (`if (!access.ok) return 403`, `const { ok }
// = ...; if (!ok)`, `if (!member) notFound()`). The failure is read from the helper's own return on
// its failing branch. Twins: the result not tested, tested for something the failure does not set,
// or the check made on another id than the one queried. supabase-js (no RLS on `projects`, so the
// database does not isolate) and Prisma.
const migration = `create table orgs (id uuid primary key, name text not null);
create table org_members (org_id uuid not null references orgs (id), user_id uuid not null, role text not null, primary key (org_id, user_id));
create table projects (id uuid primary key, org_id uuid not null references orgs (id), name text);
create index on projects (org_id, id);
`;

const supabaseHelpers = `import { createServerClient } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';

export async function createClient() {
  return createServerClient(process.env.URL ?? '', process.env.ANON_KEY ?? '', { cookies: { getAll: () => [], setAll: () => {} } });
}

export async function verifyMembership({ supabase, userId, wsId }: { supabase: SupabaseClient; userId: string; wsId: string }) {
  const { data: membership, error } = await supabase.from('org_members').select('role').eq('org_id', wsId).eq('user_id', userId).maybeSingle();
  if (error) return { ok: false as const, error: 'lookup_failed' };
  if (!membership) return { ok: false as const, error: 'missing' };
  return { ok: true as const, role: membership.role };
}

export async function getMember(supabase: SupabaseClient, wsId: string, userId: string) {
  const { data: member } = await supabase.from('org_members').select('role').eq('org_id', wsId).eq('user_id', userId).maybeSingle();
  if (!member) return null;
  return member;
}
`;

function supabase(check: string, other = false): { code: string; filename: string } {
  const code = `import { notFound } from 'next/navigation';
import { createClient, getMember, verifyMembership } from '@/lib/members';

export async function POST(request: Request, { params }: { params: Promise<{ wsId: string }> }) {
  const { wsId } = await params;
  const body = await request.json();
  const checked = ${other ? 'String(body.sourceWsId)' : 'wsId'};
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) return new Response('unauthorized', { status: 401 });
${check}
  const { data } = await supabase.from('projects').select('*').eq('org_id', wsId);
  return Response.json(data);
}
`;
  return onDisk(code, 'src/app/api/workspaces/[wsId]/projects/route.ts', {
    'package.json': JSON.stringify({ name: 'result-guards-supabase', dependencies: { '@supabase/supabase-js': '^2.47.0', '@supabase/ssr': '^0.5.0', next: '15.1.0' } }),
    'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['src/*'] } } }),
    'supabase/migrations/20240101000000_init.sql': migration,
    'src/lib/members.ts': supabaseHelpers,
  });
}

const schema = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Org {
  id       String    @id
  members  Member[]
  projects Project[]
}

model User {
  id      String   @id
  members Member[]
}

model Member {
  orgId  String
  userId String
  org    Org    @relation(fields: [orgId], references: [id])
  user   User   @relation(fields: [userId], references: [id])

  @@id([orgId, userId])
}

model Project {
  id    String @id
  orgId String
  org   Org    @relation(fields: [orgId], references: [id])

  @@index([orgId, id])
}
`;

const prismaHelpers = `import { PrismaClient } from '@prisma/client';

export const prisma = new PrismaClient();

export async function checkAccess(orgId: string, userId: string) {
  const member = await prisma.member.findFirst({ where: { orgId, userId } });
  if (!member) return { allowed: false };
  return { allowed: true };
}
`;

function prisma(check: string, other = false): { code: string; filename: string } {
  const code = `import express from 'express';
import { checkAccess, prisma } from './access';

const app = express();
app.get('/orgs/:orgId/projects', async (req, res) => {
  const orgId = req.params.orgId;
  const checked = ${other ? 'String(req.query.sourceOrgId)' : 'orgId'};
${check}
  res.json(await prisma.project.findMany({ where: { orgId } }));
});
`;
  return onDisk(code, 'src/routes.ts', {
    'package.json': JSON.stringify({ name: 'result-guards-prisma', dependencies: { express: '^4.21.0', '@prisma/client': '^5.22.0' } }),
    'prisma/schema.prisma': schema,
    'src/access.ts': prismaHelpers,
  });
}

const clientTenant = { messageId: 'clientTenantId' as const };

ruleTester.run('no-client-tenant-id: a membership helper that returns its verdict, tested by the caller', rule, {
  valid: [
    // `{ ok: false }` on failure, tested by field
    supabase(`  const membership = await verifyMembership({ supabase, userId: user.id, wsId: checked });\n  if (!membership.ok) return new Response('forbidden', { status: 403 });`),
    // destructured
    supabase(`  const { ok } = await verifyMembership({ supabase, userId: user.id, wsId: checked });\n  if (!ok) return new Response('forbidden', { status: 403 });`),
    // the failure's error, tested beside another condition
    supabase(`  const access = await verifyMembership({ supabase, userId: user.id, wsId: checked });\n  if (!user.email || access.error) return new Response('forbidden', { status: 403 });`),
    // `null` on failure, and notFound()
    supabase(`  const member = await getMember(supabase, checked, user.id);\n  if (!member) notFound();`),
    // Prisma: `{ allowed: false }`
    prisma(`  const access = await checkAccess(checked, req.user.id);\n  if (!access.allowed) return res.sendStatus(403);`),
  ],
  invalid: [
    // the result is not tested
    { ...supabase(`  await verifyMembership({ supabase, userId: user.id, wsId: checked });`), errors: [clientTenant] },
    { ...prisma(`  await checkAccess(checked, req.user.id);`), errors: [clientTenant] },
    // tested for something the failure does not set: `{ ok: false }` is an object, always truthy
    { ...supabase(`  const membership = await verifyMembership({ supabase, userId: user.id, wsId: checked });\n  if (!membership) return new Response('forbidden', { status: 403 });`), errors: [clientTenant] },
    { ...prisma(`  const access = await checkAccess(checked, req.user.id);\n  if (!access) return res.sendStatus(403);`), errors: [clientTenant] },
    // the failure does not stop the request
    { ...supabase(`  const { ok } = await verifyMembership({ supabase, userId: user.id, wsId: checked });\n  if (!ok) console.warn('not a member');`), errors: [clientTenant] },
    // the check is made on another workspace than the one queried
    { ...supabase(`  const membership = await verifyMembership({ supabase, userId: user.id, wsId: checked });\n  if (!membership.ok) return new Response('forbidden', { status: 403 });`, true), errors: [clientTenant] },
    { ...prisma(`  const access = await checkAccess(checked, req.user.id);\n  if (!access.allowed) return res.sendStatus(403);`, true), errors: [clientTenant] },
  ],
});

// Issue 13 (judged on tutur3u): a session verifier that resolves the verified user and checks the
// workspace at once (`getPermissions({ wsId })`), several helpers deep: it hands the inner helper's
// result on (`return getPermissionsImpl(args)`), resolves the id into a `let` inside a `try`, runs
// the membership helper inside `Promise.all`, and returns `null` when the membership fails. The
// caller stops on `!permissions`. Twins: the result not tested; the verifier that forgets to stop on
// the membership's failure.
function permissions(route: string, stops = true): { code: string; filename: string } {
  const verifier = `import { createClient, verifyMembership } from '@/lib/members';

async function resolveWorkspaceId(wsId: string) {
  return wsId.trim();
}

async function getPermissionsImpl({ wsId }: { wsId: string }) {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) return null;
  let resolved: string;
  try {
    resolved = await resolveWorkspaceId(wsId);
  } catch {
    return null;
  }
  const [membership, roles] = await Promise.all([verifyMembership({ supabase, userId: user.id, wsId: resolved }), supabase.from('org_members').select('role').eq('user_id', user.id)]);
  ${stops ? 'if (!membership.ok) return null;' : "if (!membership.ok) console.warn('not a member');"}
  return { wsId: resolved, roles: roles.data ?? [] };
}

export async function getPermissions(args: { wsId: string }) {
  return getPermissionsImpl(args);
}
`;
  const code = `import { createClient as createAdmin } from '@supabase/supabase-js';
import { getPermissions } from '@/lib/permissions';

export async function GET(request: Request, { params }: { params: Promise<{ wsId: string }> }) {
  const { wsId } = await params;
${route}
  const admin = createAdmin(process.env.URL ?? '', process.env.SUPABASE_SERVICE_ROLE_KEY ?? '');
  const { data } = await admin.from('projects').select('*').eq('org_id', wsId);
  return Response.json(data);
}
`;
  return onDisk(code, 'src/app/api/workspaces/[wsId]/projects/route.ts', {
    'package.json': JSON.stringify({ name: 'result-guards-permissions', dependencies: { '@supabase/supabase-js': '^2.47.0', '@supabase/ssr': '^0.5.0', next: '15.1.0' } }),
    'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['src/*'] } } }),
    'supabase/migrations/20240101000000_init.sql': migration,
    'src/lib/members.ts': supabaseHelpers,
    'src/lib/permissions.ts': verifier,
  });
}

ruleTester.run('no-client-tenant-id: a session verifier that returns null unless the user is a member', rule, {
  valid: [
    permissions(`  const permissions = await getPermissions({ wsId });\n  if (!permissions) return new Response('forbidden', { status: 403 });`),
    permissions(`  const permissions = await getPermissions({ wsId });\n  if (!permissions || permissions.roles.length === 0) return new Response('forbidden', { status: 403 });`),
  ],
  invalid: [
    { ...permissions(`  await getPermissions({ wsId });`), errors: [clientTenant] },
    { ...permissions(`  const permissions = await getPermissions({ wsId });\n  if (!permissions) return new Response('forbidden', { status: 403 });`, false), errors: [clientTenant] },
  ],
});
