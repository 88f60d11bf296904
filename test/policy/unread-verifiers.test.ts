import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/no-client-tenant-id.js';
import { onDisk } from '../helpers/on-disk.js';

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
import { sendWorkspaceEmail } from '@acme/mail';

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
    // judged field leak (tutur3u mail/send): a helper whose result is tested, handed the tenant only
    // deep inside its options (`metadata: { wsId, userId }`) or without a user, is no membership check
    { name: 'email result tested, tenant in metadata', ...route("  const result = await sendWorkspaceEmail('root', { subject: 'x', metadata: { wsId: checked, userId: user.id } });\n  if (!result.success) return new Response('failed', { status: 500 });"), errors: [clientTenant] },
    { name: 'email result tested, tenant without a user', ...route("  const result = await sendWorkspaceEmail('root', { subject: 'x', wsId: checked });\n  if (!result.success) return new Response('failed', { status: 500 });"), errors: [clientTenant] },
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

// Judged on capgo (D1): `checkPermission(c, 'org.create_app', { orgId: body.owner_org })` asks a
// database function (`SELECT public.rbac_check_permission_direct(${permission}, ${userId}::uuid,
// ${orgId}::uuid) AS allowed`) and returns its answer (`const allowed = result.rows[0]?.allowed ===
// true; return allowed`); the caller throws 403 unless it holds. Twins: the verdict not tested, the
// permission asked on another org than the one written, a function given the org alone.
const sqlMigration = `create table orgs (id uuid primary key, name text not null);
create table org_users (org_id uuid not null references orgs (id), user_id uuid not null, primary key (org_id, user_id));
create table apps (id uuid primary key, owner_org uuid not null references orgs (id), name text);
create index on apps (owner_org, id);
`;

function sqlPermission(route: string, withUser = true): { code: string; filename: string } {
  const rbac = `import { Pool } from 'pg';

export const pool = new Pool();

export async function checkPermission(userId: string, permission: string, scope: { orgId?: string }) {
  const { orgId = null } = scope;
  try {
    const result = await pool.query(${withUser ? "'SELECT public.rbac_check_permission_direct($1, $2::uuid, $3::uuid) AS allowed', [permission, userId, orgId]" : "'SELECT public.org_exists($1::uuid) AS allowed', [orgId]"});
    const allowed = (result.rows[0] as { allowed?: boolean } | undefined)?.allowed === true;
    return allowed;
  } catch {
    return false;
  }
}
`;
  const code = `import express from 'express';
import { checkPermission, pool } from './rbac';

const app = express();
app.post('/apps', async (req, res) => {
  const body = req.body as { owner_org: string; other_org: string; name: string };
${route}
  await pool.query('INSERT INTO apps (id, owner_org, name) VALUES (gen_random_uuid(), $1, $2)', [body.owner_org, body.name]);
  res.sendStatus(201);
});
`;
  return onDisk(code, 'src/routes.ts', {
    'package.json': JSON.stringify({ name: 'sql-permission', dependencies: { express: '^4.21.0', pg: '^8.13.0' } }),
    'migrations/20240101000000_init.sql': sqlMigration,
    'src/rbac.ts': rbac,
  });
}

const permissionTest = (org: string) => `  if (!(await checkPermission(req.user.id, 'org.create_app', { orgId: ${org} }))) return res.sendStatus(403);`;

ruleTester.run('no-client-tenant-id: a database function asked for the permission in raw SQL', rule, {
  valid: [{ name: 'sql permission, tested', ...sqlPermission(permissionTest('body.owner_org')) }],
  invalid: [
    { name: 'sql permission, not tested', ...sqlPermission("  await checkPermission(req.user.id, 'org.create_app', { orgId: body.owner_org });"), errors: [clientTenant] },
    { name: 'sql permission on another org', ...sqlPermission(permissionTest('body.other_org')), errors: [clientTenant] },
    { name: 'sql function given the org alone', ...sqlPermission(permissionTest('body.owner_org'), false), errors: [clientTenant] },
  ],
});

// Judged on tutur3u and capgo (D1, D2): in a file whose earlier handlers spend the budget of
// followed calls, a later handler's membership helper was no longer read, and the tenant it checks
// was reported. Beyond the budget, flows are not analysable: a helper given the tenant whose answer
// stops the request (or named like a check) is an uncertain check. Twins: the helper's answer not
// tested; no helper at all.
function budgetSpent(check: string): { code: string; filename: string } {
  const helpers = Array.from({ length: 420 }, (_, i) => `function step${i}(orgId: string) {\n  return orgId.length > ${i};\n}`).join('\n');
  const calls = Array.from({ length: 420 }, (_, i) => `  step${i}(orgId);`).join('\n');
  const code = `import express from 'express';
import { Pool } from 'pg';
import { getSessionUser } from '@acme/auth';

const pool = new Pool();
const app = express();

${helpers}

async function isMember(userId: string, orgId: string) {
  const { rows } = await pool.query('SELECT 1 FROM org_users WHERE org_id = $1 AND user_id = $2', [orgId, userId]);
  return rows.length > 0;
}

async function recordVisit(orgId: string) {
  console.log('visit', orgId);
}

app.get('/orgs/:orgId/stats', (req, res) => {
  const orgId = req.params.orgId;
${calls}
  res.sendStatus(204);
});

app.get('/orgs/:orgId/apps', async (req, res) => {
  const orgId = req.params.orgId;
  const user = await getSessionUser(req);
  if (!user) return res.sendStatus(401);
${check}
  const { rows } = await pool.query('SELECT * FROM apps WHERE owner_org = $1', [orgId]);
  res.json(rows);
});
`;
  return onDisk(code, 'src/routes.ts', {
    'package.json': JSON.stringify({ name: 'budget-spent', dependencies: { express: '^4.21.0', pg: '^8.13.0' } }),
    'migrations/20240101000000_init.sql': sqlMigration,
  });
}

ruleTester.run('no-client-tenant-id: a check past the budget of followed calls', rule, {
  valid: [{ name: 'budget spent, helper tested', ...budgetSpent("  if (!(await isMember(user.id, orgId))) return res.sendStatus(403);") }],
  invalid: [
    { name: 'budget spent, helper not tested', ...budgetSpent('  await recordVisit(orgId);'), errors: [clientTenant] },
    { name: 'budget spent, no helper', ...budgetSpent(''), errors: [clientTenant] },
  ],
});

// Judged field shape (tutur3u tasks/schedule/history): a local helper hands on the membership
// helper's verdict as a field of its result (`return member.ok`), and the route stops unless it
// holds. Twins: the verdict not tested; the helper hands on something else than the failure flag.
function wrapped(helperReturn: string, test: string): { code: string; filename: string } {
  const code = `import { createServerClient } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';
import { createAdminClient, verifyWorkspaceMembershipType } from '@acme/utils/workspace';

async function hasWorkspaceAccess(supabase: SupabaseClient, wsId: string, userId: string) {
  const member = await verifyWorkspaceMembershipType({ wsId, userId, supabase });
  if (member.error === 'membership_lookup_failed') throw new Error('lookup failed');
  return ${helperReturn};
}

export async function GET(request: Request, { params }: { params: Promise<{ wsId: string }> }) {
  const { wsId } = await params;
  const supabase = createServerClient(process.env.URL ?? '', process.env.ANON_KEY ?? '', { cookies: { getAll: () => [], setAll: () => {} } });
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) return new Response('unauthorized', { status: 401 });
  const allowed = await hasWorkspaceAccess(supabase, wsId, user.id);
${test}
  const sbAdmin = createAdminClient();
  const { data } = await sbAdmin.from('projects').select('*').eq('org_id', wsId);
  return Response.json(data);
}
`;
  return onDisk(code, 'apps/web/src/app/api/workspaces/[wsId]/history/route.ts', {
    'package.json': JSON.stringify({ name: 'wrapped-verdict', private: true, workspaces: ['apps/*', 'packages/*'] }),
    'apps/web/package.json': JSON.stringify({ name: 'web', dependencies: { '@acme/utils': 'workspace:*', '@supabase/supabase-js': '^2.47.0', '@supabase/ssr': '^0.5.0', next: '15.1.0' } }),
    'packages/utils/package.json': JSON.stringify({ name: '@acme/utils', exports: { './*': './src/*.ts' }, dependencies: { '@supabase/supabase-js': '^2.47.0' } }),
    'packages/utils/src/workspace.ts': helpers,
    'supabase/migrations/20240101000000_init.sql': migration,
  });
}

ruleTester.run('no-client-tenant-id: a membership verdict handed on as a field of the result', rule, {
  valid: [{ name: 'wrapped verdict, tested', ...wrapped('member.ok', "  if (!allowed) return new Response('forbidden', { status: 403 });") }],
  invalid: [
    { name: 'wrapped verdict, not tested', ...wrapped('member.ok', ''), errors: [clientTenant] },
    { name: 'wrapped, hands on the error', ...wrapped('member.error', "  if (!allowed) return new Response('forbidden', { status: 403 });"), errors: [clientTenant] },
  ],
});
