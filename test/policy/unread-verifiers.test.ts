import { RuleTester } from '@typescript-eslint/rule-tester';
import { afterAll, describe, it } from 'vitest';
import rule from '../../rules/no-client-tenant-id.js';
import { onDisk } from '../helpers/on-disk.js';

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const ruleTester = new RuleTester();
const clientTenant = { messageId: 'clientTenantId' as const };

// Judged on tutur3u (D2): membership checks of the workspace the client names that the analysis
// did not read, reported as errors:
// - a membership helper given an options object (`verifyWorkspaceMembershipType({ wsId:
//   normalizedWsId, userId: user.id, supabase })`) whose result is tested for its failure (`if
//   (!memberCheck.ok) return 403`) before the admin-client insert. The workspace id is normalised
//   first (`await normalizeWorkspaceId(wsId)`);
// - a database function asked for the permission (`supabase.rpc('has_workspace_permission', {
//   p_user_id: user.id, p_ws_id: wsId })`), its data tested before use.
// Twins: the result not tested, the check made on another workspace than the one written, the
// failure that does not stop the request. supabase-js, no RLS on `projects`.
const migration = `create table orgs (id uuid primary key, name text not null, handle text);
create table org_members (org_id uuid not null references orgs (id), user_id uuid not null, role text not null, primary key (org_id, user_id));
create table projects (id uuid primary key, org_id uuid not null references orgs (id), name text);
create index on projects (org_id, id);
`;

// The membership helper lives in a workspace package the route imports by name.
const helpers = `import { createClient as createSupabaseClient, type SupabaseClient } from '@supabase/supabase-js';

export function createAdminClient() {
  return createSupabaseClient(process.env.URL ?? '', process.env.SUPABASE_SERVICE_ROLE_KEY ?? '');
}

export async function normalizeWorkspaceId(wsId: string) {
  return wsId.trim().toLowerCase();
}

export async function verifyWorkspaceMembershipType({ wsId, userId, supabase }: { wsId: string; userId: string; supabase: SupabaseClient }) {
  const { data: membership, error } = await supabase.from('org_members').select('role').eq('org_id', wsId).eq('user_id', userId).maybeSingle();
  if (error) return { ok: false as const, error: 'membership_lookup_failed' };
  if (!membership) return { ok: false as const, error: 'membership_missing' };
  return { ok: true as const, role: membership.role };
}
`;

// `unread`: as in the field, the helper is not read (a package the analysis does not follow, or
// the file's budget of followed calls spent) and the user comes from a session resolver it cannot
// trace to the verified identity.
function route(check: string, other = false, unread = true): { code: string; filename: string } {
  const session = unread
    ? `  const auth = await resolveSessionAuthContext(request);
  if (!auth.ok) return auth.response;
  const { user, supabase } = auth;`
    : `  const supabase = createServerClient(process.env.URL ?? '', process.env.ANON_KEY ?? '', { cookies: { getAll: () => [], setAll: () => {} } });
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) return new Response('unauthorized', { status: 401 });`;
  const code = `import { createServerClient } from '@supabase/ssr';
import { resolveSessionAuthContext } from '@acme/auth';
import { createAdminClient, normalizeWorkspaceId } from '@acme/utils/workspace';
import { verifyWorkspaceMembershipType } from '${unread ? '@acme/members' : '@acme/utils/workspace'}';

export async function POST(request: Request, { params }: { params: Promise<{ wsId: string }> }) {
  const { wsId } = await params;
  const body = await request.json();
${session}
  const normalizedWsId = await normalizeWorkspaceId(wsId);
  const checked = ${other ? 'String(body.sourceWsId)' : 'normalizedWsId'};
${check}
  const sbAdmin = createAdminClient();
  const { data } = await sbAdmin.from('projects').insert({ org_id: normalizedWsId, name: String(body.name) }).select().single();
  return Response.json(data);
}
`;
  return onDisk(code, 'apps/web/src/app/api/workspaces/[wsId]/projects/route.ts', {
    'package.json': JSON.stringify({ name: 'unread-verifiers', private: true, workspaces: ['apps/*', 'packages/*'] }),
    'apps/web/package.json': JSON.stringify({ name: 'web', dependencies: { '@acme/utils': 'workspace:*', '@supabase/supabase-js': '^2.47.0', '@supabase/ssr': '^0.5.0', next: '15.1.0' } }),
    'packages/utils/package.json': JSON.stringify({ name: '@acme/utils', exports: { './*': './src/*.ts' }, dependencies: { '@supabase/supabase-js': '^2.47.0' } }),
    'packages/utils/src/workspace.ts': helpers,
    'supabase/migrations/20240101000000_init.sql': migration,
  });
}

const verify = (wsId: string, test: string) => `  const memberCheck = await verifyWorkspaceMembershipType({ wsId: ${wsId}, userId: user.id, supabase });
${test}`;
const rpc = (wsId: string, test: string) => `  const { data: allowed, error: rpcError } = await supabase.rpc('has_workspace_permission', { p_user_id: user.id, p_ws_id: ${wsId}, p_permission: 'manage_projects' });
  if (rpcError) return new Response('error', { status: 500 });
${test}`;

ruleTester.run('no-client-tenant-id: a membership helper given an options object, a permission RPC', rule, {
  valid: [
    { name: 'valid 1', ...route(verify('checked', "  if (!memberCheck.ok) return new Response('forbidden', { status: 403 });")) },
    { name: 'valid 2', ...route(verify('checked', "  if (memberCheck.error === 'membership_lookup_failed') return new Response('error', { status: 500 });\n  if (!memberCheck.ok) return new Response('forbidden', { status: 403 });")) },
    { name: 'valid 3', ...route(rpc('checked', "  if (!allowed) return new Response('forbidden', { status: 403 });")) },
    // the helper read, the user traced
    { name: 'valid 4', ...route(verify('checked', "  if (!memberCheck.ok) return new Response('forbidden', { status: 403 });"), false, false) },
    { name: 'valid 5', ...route(rpc('checked', "  if (!allowed) return new Response('forbidden', { status: 403 });"), false, false) },
  ],
  invalid: [
    // the result is not tested
    { name: 'invalid 6', ...route(verify('checked', '')), errors: [clientTenant] },
    { name: 'invalid 7', ...route(rpc('checked', '')), errors: [clientTenant] },
    // the failure does not stop the request
    { name: 'invalid 8', ...route(verify('checked', "  if (!memberCheck.ok) console.warn('not a member');")), errors: [clientTenant] },
    { name: 'invalid 9', ...route(rpc('checked', "  if (!allowed) console.warn('not allowed');")), errors: [clientTenant] },
    // the check is made on another workspace than the one written
    { name: 'invalid 10', ...route(verify('checked', "  if (!memberCheck.ok) return new Response('forbidden', { status: 403 });"), true), errors: [clientTenant] },
    { name: 'invalid 11', ...route(rpc('checked', "  if (!allowed) return new Response('forbidden', { status: 403 });"), true), errors: [clientTenant] },
    { name: 'invalid 12', ...route(verify('checked', "  if (!memberCheck.ok) return new Response('forbidden', { status: 403 });"), true, false), errors: [clientTenant] },
    { name: 'invalid 13', ...route(rpc('checked', "  if (!allowed) return new Response('forbidden', { status: 403 });"), true, false), errors: [clientTenant] },
    { name: 'invalid 14', ...route(rpc('checked', ''), false, false), errors: [clientTenant] },
  ],
});

// Judged on tutur3u (D2): `getPermissions({ wsId, user })` checks membership on the id it resolves
// first (`resolveWorkspaceIdForPrincipal` -> `normalizeWorkspaceId` -> `resolveWorkspaceId`), one
// call deeper than the analysis followed values: the resolved id was lost, the membership lookup
// compared nothing the client chose, and `if (!permissions) return 404` gated nothing. A helper
// handed only plain values (the client's id, literals) is followed a little further for its value.
// Twins: the result not tested; the verifier that does not stop on the membership's failure.
function deepVerifier(routeCheck: string, stops = true): { code: string; filename: string } {
  const verifier = `import { createClient as createSupabaseClient, type SupabaseClient } from '@supabase/supabase-js';

const ROOT_WORKSPACE_ID = '00000000-0000-0000-0000-000000000000';

export function createAdminClient() {
  return createSupabaseClient(process.env.URL ?? '', process.env.SUPABASE_SERVICE_ROLE_KEY ?? '');
}

function resolveWorkspaceId(wsId: string) {
  return wsId.toLowerCase() === 'root' ? ROOT_WORKSPACE_ID : wsId;
}

async function normalizeWorkspaceId(wsId: string) {
  const resolved = resolveWorkspaceId(wsId);
  if (resolved === ROOT_WORKSPACE_ID) return ROOT_WORKSPACE_ID;
  return resolved;
}

async function resolveWorkspaceIdForPrincipal({ wsId }: { wsId: string }) {
  return normalizeWorkspaceId(wsId);
}

async function verifyMembership({ supabase, wsId, userId }: { supabase: SupabaseClient; wsId: string; userId: string }) {
  const { data: membership } = await supabase.from('org_members').select('role').eq('org_id', wsId).eq('user_id', userId).maybeSingle();
  if (!membership) return { ok: false as const };
  return { ok: true as const, role: membership.role };
}

async function getPermissionsImpl({ wsId, user }: { wsId: string; user: { id: string } }) {
  const sbAdmin = createAdminClient();
  let resolved: string;
  try {
    resolved = await resolveWorkspaceIdForPrincipal({ wsId });
  } catch {
    return null;
  }
  const membership = await verifyMembership({ supabase: sbAdmin, wsId: resolved, userId: user.id });
  ${stops ? 'if (!membership.ok) return null;' : "if (!membership.ok) console.warn('not a member');"}
  const role = membership.ok ? membership.role : 'none';
  return { wsId: resolved, role, containsPermission: (permission: string) => role === 'admin' || permission === 'view' };
}

export async function getPermissions(args: { wsId: string; user: { id: string } }) {
  return getPermissionsImpl(args);
}
`;
  const code = `import { createServerClient } from '@supabase/ssr';
import { createAdminClient, getPermissions } from '@acme/utils/workspace-helper';

export async function GET(request: Request, { params }: { params: Promise<{ wsId: string }> }) {
  const { wsId } = await params;
  const supabase = createServerClient(process.env.URL ?? '', process.env.ANON_KEY ?? '', { cookies: { getAll: () => [], setAll: () => {} } });
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) return new Response('unauthorized', { status: 401 });
${routeCheck}
  const sbAdmin = createAdminClient();
  const { data } = await sbAdmin.from('projects').select('*').eq('org_id', wsId);
  return Response.json(data);
}
`;
  return onDisk(code, 'apps/web/src/app/api/workspaces/[wsId]/projects/route.ts', {
    'package.json': JSON.stringify({ name: 'deep-verifier', private: true, workspaces: ['apps/*', 'packages/*'] }),
    'apps/web/package.json': JSON.stringify({ name: 'web', dependencies: { '@acme/utils': 'workspace:*', '@supabase/supabase-js': '^2.47.0', '@supabase/ssr': '^0.5.0', next: '15.1.0' } }),
    'packages/utils/package.json': JSON.stringify({ name: '@acme/utils', exports: { './*': './src/*.ts' }, dependencies: { '@supabase/supabase-js': '^2.47.0' } }),
    'packages/utils/src/workspace-helper.ts': verifier,
    'supabase/migrations/20240101000000_init.sql': migration,
  });
}

const tested = "  const permissions = await getPermissions({ wsId, user });\n  if (!permissions) return Response.json({ error: 'Not found' }, { status: 404 });";

ruleTester.run('no-client-tenant-id: a verifier that checks the id it normalises, deeper than values were followed', rule, {
  valid: [
    { name: 'deep verifier, tested', ...deepVerifier(tested) },
    // `permissions?.containsPermission(...)` is undefined when the verifier returned null: the test stops that request too
    { name: 'deep verifier, tested through an optional call', ...deepVerifier("  const permissions = await getPermissions({ wsId, user });\n  if (!permissions?.containsPermission('view')) return Response.json({ error: 'Forbidden' }, { status: 403 });") },
  ],
  invalid: [
    // null passes this test (`permissions &&` is false): the request goes on
    { name: 'deep verifier, optional test that lets null through', ...deepVerifier("  const permissions = await getPermissions({ wsId, user });\n  if (permissions && !permissions.containsPermission('view')) return Response.json({ error: 'Forbidden' }, { status: 403 });"), errors: [clientTenant] },
    { name: 'deep verifier, not tested', ...deepVerifier('  await getPermissions({ wsId, user });'), errors: [clientTenant] },
    { name: 'deep verifier that does not stop', ...deepVerifier(tested, false), errors: [clientTenant] },
  ],
});
