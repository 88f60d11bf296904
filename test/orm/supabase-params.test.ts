import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/require-tenant-filter.js';
import { onDisk } from '../helpers/on-disk.js';

const ruleTester = new RuleTester();

// Clients that reach a query through a parameter (issue 16, tutur3u): typed with an interface or an
// object type from another module, an indexed access type, a callback a project wrapper calls, or
// not typed at all and bound by the call graph. `notes` has no RLS (any key leaks); `invoices` has
// a tenant policy (a user client is isolated, the service role is not).
const migration = `create table orgs (id uuid primary key);
create table notes (id uuid primary key, org_id uuid not null references orgs (id), body text);
create index on notes (org_id, id);
create table invoices (id uuid primary key, org_id uuid not null references orgs (id));
create index on invoices (org_id, id);
alter table invoices enable row level security;
create policy tenant_isolation on invoices using (org_id = (auth.jwt() ->> 'org_id')::uuid);
`;

// A workspace-style client package: the key comes from a helper that picks it by a flag.
const clients = `import { createBrowserClient, createServerClient } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';

export type TypedClient = SupabaseClient;
export function checkEnv({ useSecretKey = false }: { useSecretKey?: boolean }) {
  const url = process.env.SUPABASE_URL ?? '';
  const key = useSecretKey ? process.env.SUPABASE_SECRET_KEY : process.env.SUPABASE_PUBLISHABLE_KEY;
  if (!key) throw new Error('no key');
  return { url, key };
}
async function generic(isAdmin: boolean) {
  const { url, key } = checkEnv({ useSecretKey: isAdmin });
  return createServerClient(url, key, { cookies: { getAll: () => [], setAll: () => {} } });
}
export function createAdminClient({ noCookie = false }: { noCookie?: boolean } = {}) {
  if (noCookie) {
    const { url, key } = checkEnv({ useSecretKey: true });
    return createBrowserClient(url, key);
  }
  return generic(true);
}
export async function createUserClient() {
  return generic(false);
}
const wrapRequest = <T extends object>(userClient: T, adminClient: T): T => new Proxy(userClient, { get: (target, property) => (property === 'admin' ? adminClient : Reflect.get(target, property)) });
function isolatedClient() {
  const { url, key } = checkEnv({ useSecretKey: false });
  return createBrowserClient(url, key, { global: { headers: { Authorization: \`Bearer \${key}\` } } });
}
function adminProxyClient() {
  const { url, key } = checkEnv({ useSecretKey: true });
  return createBrowserClient(url, key);
}
/** tutur3u's createClient: the user's client, wrapped with an admin client for a few tables, whichever way the request authenticates. */
export async function createRequestClient(request?: Request) {
  if (request?.headers.get('x-app-session')) return wrapRequest(isolatedClient(), adminProxyClient());
  if (request) return wrapRequest(await generic(false), adminProxyClient());
  return wrapRequest(await generic(false), adminProxyClient());
}
`;

const context = `import type { TypedClient } from './clients';
export interface BaseContext {
  userId: string;
}
export interface ToolContext extends BaseContext {
  supabase: TypedClient;
}
export type Access = { sbAdmin: TypedClient; wsId: string };
`;

const wrapper = `import { createAdminClient, createUserClient } from './clients';
export interface SessionContext {
  supabase: Awaited<ReturnType<typeof createUserClient>>;
}
export function withSession(handler: (request: Request, context: SessionContext) => Promise<Response>) {
  return async (request: Request) => handler(request, { supabase: await createUserClient() });
}
export function withAdmin(handler: (request: Request, context: { sbAdmin: unknown }) => Promise<Response>) {
  return async (request: Request) => handler(request, { sbAdmin: await createAdminClient() });
}
`;

const access = `import { createAdminClient } from './clients';
export async function requireAccess(request: Request) {
  if (!request.headers.get('authorization')) return { error: new Response(null, { status: 401 }) };
  return { sbAdmin: await createAdminClient(), wsId: request.headers.get('x-ws') ?? '' };
}
`;

const head = `import type { ToolContext, Access } from '../context';
import { requireAccess } from '../access';
import { createAdminClient, createRequestClient, createUserClient } from '../clients';
import { withAdmin, withSession } from '../wrapper';
`;

function project(body: string): { code: string; filename: string } {
  return onDisk(`${head}${body}`, 'src/routes/service.ts', {
    'package.json': JSON.stringify({ name: 'supabase-params', dependencies: { '@supabase/supabase-js': '^2.47.0', '@supabase/ssr': '^0.5.0' } }),
    'supabase/migrations/20240101000000_init.sql': migration,
    'src/clients.ts': clients,
    'src/context.ts': context,
    'src/wrapper.ts': wrapper,
    'src/access.ts': access,
  });
}

const missing = { messageId: 'missingTenantFilter' as const };

ruleTester.run('require-tenant-filter (supabase-js clients through parameters)', rule, {
  valid: [
    // a context typed with an interface of another module, whose member is a client type; with the tenant
    project(`export const a = (ctx: ToolContext, orgId: string) => ctx.supabase.from('notes').select('*').eq('org_id', orgId);`),
    // an object type alias, destructured
    project(`export const b = ({ sbAdmin, wsId }: Access) => sbAdmin.from('notes').select('*').eq('org_id', wsId);`),
    // an indexed access type
    project(`export const c = (client: Access['sbAdmin'], orgId: string) => client.from('notes').delete().eq('org_id', orgId);`),
    // the callback of a project wrapper, which passes it a user client: RLS isolates invoices
    project(`export const GET = withSession(async (_request, { supabase }) => Response.json(await supabase.from('invoices').select('*')));`),
    // not typed: what its only caller passes (the service role), with the tenant
    project(`async function load(supabase: any, orgId: string) {\n  return supabase.from('notes').select('*').eq('org_id', orgId);\n}\nexport async function route(orgId: string) {\n  return load(await createAdminClient(), orgId);\n}`),
    // the user client of a workspace factory is subject to RLS, which isolates invoices
    // a member of one object of a union a helper returns (\`{ error }\` or \`{ sbAdmin, wsId }\`), read after narrowing
    project(`export async function u(request: Request) {\n  const access = await requireAccess(request);\n  if ('error' in access) return access.error;\n  return access.sbAdmin.from('invoices').select('*').eq('org_id', access.wsId);\n}`),
    // \`Extract<Union, { ok: true }>\` is the union's members
    project(`type Result = { ok: false } | { ok: true; ctx: ToolContext };\nexport const x = (auth: Extract<Result, { ok: true }>, orgId: string) => auth.ctx.supabase.from('notes').select('*').eq('org_id', orgId);`),
    // the same through Proxy wrappers and flag-picked keys several helpers deep: still the user's client
    project(`export async function r(request: Request) {\n  const supabase = await createRequestClient(request);\n  return supabase.from('invoices').delete().eq('id', request.url);\n}`),
    project(`export async function d() {\n  const supabase = await createUserClient();\n  return supabase.from('invoices').select('*');\n}`),
  ],
  invalid: [
    // twins without the tenant: notes has no RLS, whatever key the typed client carries
    { ...project(`export const a = (ctx: ToolContext, id: string) => ctx.supabase.from('notes').select('*').eq('id', id);`), errors: [missing] },
    { ...project(`export const b = ({ sbAdmin }: Access, id: string) => sbAdmin.from('notes').select('*').eq('id', id);`), errors: [missing] },
    { ...project(`export const c = (client: Access['sbAdmin'], id: string) => client.from('notes').delete().eq('id', id);`), errors: [missing] },
    // the wrapper passes the service role, which RLS does not restrict
    { ...project(`export const GET = withAdmin(async (_request, { sbAdmin }) => Response.json(await (sbAdmin as any).from('invoices').select('*')));`), errors: [missing] },
    { ...project(`async function load(supabase: any, id: string) {\n  return supabase.from('notes').select('*').eq('id', id);\n}\nexport async function route(id: string) {\n  return load(await createAdminClient(), id);\n}`), errors: [missing] },
    { ...project(`export async function u(request: Request) {\n  const access = await requireAccess(request);\n  if ('error' in access) return access.error;\n  return access.sbAdmin.from('invoices').select('*');\n}`), errors: [missing] },
    { ...project(`type Result = { ok: false } | { ok: true; ctx: ToolContext };\nexport const x = (auth: Extract<Result, { ok: true }>, id: string) => auth.ctx.supabase.from('notes').select('*').eq('id', id);`), errors: [missing] },
    // the service-role client of a workspace factory (its key picked by a flag) bypasses RLS
    { ...project(`export async function d() {\n  const supabase = await createAdminClient();\n  return supabase.from('invoices').select('*');\n}`), errors: [missing] },
    { ...project(`export async function e() {\n  const supabase = createAdminClient({ noCookie: true });\n  return (await supabase).from('invoices').select('*');\n}`), errors: [missing] },
  ],
});
