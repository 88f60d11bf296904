import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/require-tenant-filter.js';
import { onDisk } from '../helpers/on-disk.js';

const ruleTester = new RuleTester();

// Tenant root `orgs` (key `org_id`). RLS: `invoices` enabled with a tenant policy; `notes` without
// RLS; `tags` enabled with a policy that ignores the tenant; `drafts` enabled with no policy at
// all (a user client reads nothing); `lines` a child of invoices; `api_keys` looked up by hash;
// `chats` pinned to the signed-in user, with shared rows published by a flag; `memos` with a tenant
// policy and another that opens reads; `threads` pinned to the user for reads, open to any signed-in user for updates.
const migration = `create table orgs (id uuid primary key, name text not null);
create table invoices (id uuid primary key, org_id uuid not null references orgs (id), status text not null);
create index on invoices (org_id, id);
alter table invoices enable row level security;
create policy tenant_isolation on invoices using (org_id = (auth.jwt() ->> 'org_id')::uuid);
create table notes (id uuid primary key, org_id uuid not null references orgs (id), body text);
create index on notes (org_id, id);
create table tags (id uuid primary key, org_id uuid not null references orgs (id), label text);
create index on tags (org_id, id);
alter table tags enable row level security;
create policy anyone on tags using (true);
create table drafts (id uuid primary key, org_id uuid not null references orgs (id));
create index on drafts (org_id, id);
alter table drafts enable row level security;
create table lines (id uuid primary key, invoice_id uuid not null references invoices (id), amount int);
create table api_keys (id uuid primary key, org_id uuid not null references orgs (id), key_hash text not null unique);
create index on api_keys (org_id, id);
create table chats (id uuid primary key, org_id uuid not null references orgs (id), user_id uuid not null, sharing text not null);
create index on chats (org_id, id);
alter table chats enable row level security;
create policy own_chats on chats using (user_id = auth.uid()) with check (user_id = auth.uid());
create policy shared_chats on chats for select using (sharing <> 'private');
create table memos (id uuid primary key, org_id uuid not null references orgs (id), body text);
create index on memos (org_id, id);
alter table memos enable row level security;
create policy memo_tenant on memos using (org_id = (auth.jwt() ->> 'org_id')::uuid);
create policy anyone_reads on memos for select using (true);
create table threads (id uuid primary key, org_id uuid not null references orgs (id), user_id uuid not null);
create index on threads (org_id, id);
alter table threads enable row level security;
create policy own_threads on threads for select using ((select auth.uid()) = user_id);
create policy signed_in_edits on threads for update using (auth.role() = 'authenticated');
create table boards (id uuid primary key, org_id uuid not null references orgs (id));
create index on boards (org_id, id);
alter table boards enable row level security;
create policy listed_boards on boards for select using (id = any(coalesce((select readable_board_ids()), '{}'::uuid[])));
create policy visible_boards on boards for delete using (is_visible(id));
create table line_notes (id uuid primary key, line_id uuid not null references lines (id), body text);
create table invoice_files (id uuid primary key, invoice_id uuid not null references invoices (id), path text);
alter table invoice_files enable row level security;
create policy files_of_visible_invoices on invoice_files using (exists (select 1 from invoices i where i.id = invoice_files.invoice_id));
create table invoice_links (id uuid primary key, invoice_id uuid not null references invoices (id), url text);
alter table invoice_links enable row level security;
create policy links_when_any_invoice on invoice_links using (exists (select 1 from invoices i where i.org_id is not null));
create view open_invoices as select i.id, i.org_id, i.status from invoices i where i.status = 'open';
create view my_invoices with (security_invoker = true) as select id, org_id, status from invoices;
`;

const clients = `import { createClient } from '@supabase/supabase-js';
import { createServerClient } from '@supabase/ssr';

export const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!);
export const anon = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!);
export function getEnv(name: string): string {
  return process.env[name] ?? '';
}
export function adminFor() {
  return createClient(getEnv('SUPABASE_URL'), getEnv('SUPABASE_SERVICE_ROLE_KEY'), { auth: { persistSession: false } });
}
export async function userClient() {
  return createServerClient(getEnv('SUPABASE_URL'), getEnv('SUPABASE_ANON_KEY'), { cookies: { getAll: () => [], setAll: () => {} } });
}
export function guarded<T extends object>(client: T): T {
  return new Proxy(client, { get: (target, property, receiver) => Reflect.get(target, property, receiver) });
}
export const guardedAdmin = guarded(admin);
export async function requireAccess(wsId: string) {
  return { sbAdmin: adminFor(), wsId };
}
export function withResponse(request: Request) {
  const supabase = createClient(getEnv('SUPABASE_URL'), getEnv('SUPABASE_SERVICE_ROLE_KEY'));
  return { supabase, response: new Response(request.body) };
}
`;

const head = `import type { SupabaseClient } from '@supabase/supabase-js';
import { admin, adminFor, anon, guardedAdmin, requireAccess, userClient, withResponse } from '../clients';
`;

function project(body: string): { code: string; filename: string } {
  return onDisk(`${head}${body}`, 'src/routes/service.ts', {
    'package.json': JSON.stringify({ name: 'supabase-case', dependencies: { '@supabase/supabase-js': '^2.47.0', '@supabase/ssr': '^0.5.0' } }),
    'supabase/migrations/20240101000000_init.sql': migration,
    'src/clients.ts': clients,
  });
}

type MessageId = 'missingTenantFilter' | 'orBypassesTenantFilter';

function invalid(body: string, messageId: MessageId, position?: { line?: number; column?: number; message?: string }) {
  const { message, ...where } = position ?? {};
  const error = (message !== undefined ? { message, ...where } : { messageId, ...where }) as { messageId: MessageId };
  return { ...project(body), errors: [error] };
}

ruleTester.run('require-tenant-filter (supabase-js)', rule, {
  valid: [
    // service role with the tenant column, in each filter form
    project(`export const a = (orgId: string, id: string) => admin.from('invoices').select('*').eq('id', id).eq('org_id', orgId).single();`),
    project(`export const b = (orgIds: string[]) => admin.from('notes').select('id').in('org_id', orgIds);`),
    project(`export const c = (orgId: string, id: string) => admin.from('notes').update({ body: '' }).match({ id, org_id: orgId });`),
    project(`export const d = (orgId: string, id: string) => admin.from('notes').delete().filter('org_id', 'eq', orgId).eq('id', id);`),
    // every branch of the or-string carries the tenant; the tenant outside the or
    project(`export const e = (orgId: string, q: string) => admin.from('notes').select().or(\`and(org_id.eq.\${orgId},body.eq.\${q}),and(org_id.eq.\${orgId},id.eq.\${q})\`);`),
    project(`export const f = (orgId: string, q: string) => admin.from('notes').select().eq('org_id', orgId).or(\`body.eq.\${q},id.eq.\${q}\`);`),
    // a helper that builds the service-role client, awaited and inline
    project(`export async function g(orgId: string) {\n  return await adminFor().from('notes').select('id').eq('org_id', orgId);\n}`),
    // a user client on a table whose RLS compares the tenant: RLS isolates
    project(`export const h = () => anon.from('invoices').select('*');`),
    project(`export async function i(id: string) {\n  const supabase = await userClient();\n  return supabase.from('invoices').delete().eq('id', id);\n}`),
    // RLS enabled with no policy: a user client reads nothing
    project(`export const j = () => anon.from('drafts').select('*');`),
    // a child table through its parent embedded as an inner join
    project(`export const k = (orgId: string, id: string) => admin.from('lines').select('*, invoices!inner(org_id)').eq('invoices.org_id', orgId).eq('invoice_id', id);`),
    // a grandchild filtered through a chain of inner embeds (tutur3u: \`posts!inner(groups!inner(ws_id))\`)
    project(`export const k2 = (orgId: string, id: string) => admin.from('line_notes').select('*, lines!inner(invoices!inner(org_id))').eq('lines.invoices.org_id', orgId).eq('id', id);`),
    // the parent embedded under an alias, with the foreign key named: filters use the alias
    project(`export const k5 = (orgId: string, id: string) => admin.from('lines').select('id, inv:invoices!lines_invoice_id_fkey!inner(org_id)').eq('id', id).eq('inv.org_id', orgId).maybeSingle();`),
    // a credential lookup by the unique hash
    project(`export const l = (hash: string) => admin.from('api_keys').select('org_id').eq('key_hash', hash).maybeSingle();`),
    // inserts and the tenant root
    project(`export const m = (orgId: string) => admin.from('notes').insert({ org_id: orgId, body: '' });`),
    project(`export const n = (id: string) => admin.from('orgs').select().eq('id', id).single();`),
    // storage buckets are not tables
    project(`export const o = (id: string) => admin.storage.from('notes').remove([id]);`),
    // not analysable, counted: a typed parameter whose key the caller picks; rpc; a builder kept for later
    project(`export const p = (client: SupabaseClient) => client.from('invoices').select('*');`),
    project(`export const q = (orgId: string) => admin.rpc('totals', { org_id: orgId });`),
    project(`export function r(status?: string) {\n  let query = admin.from('notes').select('*');\n  if (status) query = query.eq('body', status);\n  return query;\n}`),
    // a typed parameter with the tenant filter is decided
    project(`export const s = (client: SupabaseClient, orgId: string) => client.from('notes').select('*').eq('org_id', orgId);`),
    // a client returned in an object and destructured (a Next.js middleware helper), with the tenant
    project(`export async function u(request: Request, orgId: string) {\n  const { supabase } = withResponse(request);\n  return supabase.from('notes').select('*').eq('org_id', orgId);\n}`),
    // an or-string with the embedded table option filters the embed, not the query
    project(`export const t = (orgId: string, q: string) => admin.from('notes').select('*, orgs(*)').eq('org_id', orgId).or(\`name.eq.\${q}\`, { referencedTable: 'orgs' });`),
    // a client in the result of an access helper (tutur3u's \`access.sbAdmin\`), followed by the value flow, with the tenant
    project(`export async function z(orgId: string, id: string) {\n  const access = await requireAccess(orgId);\n  return access.sbAdmin.from('notes').select('*').eq('id', id).eq('org_id', orgId);\n}`),
    // a client wrapped in \`new Proxy(client, handler)\` (tutur3u's protected-tables wrapper) stands for the client
    project(`export const zz = (orgId: string, id: string) => guardedAdmin.from('notes').delete().eq('id', id).eq('org_id', orgId);`),
    // RLS pins each row to its owner (\`user_id = auth.uid()\`): narrower than the tenant; rows the
    // schema publishes by a flag of the row (\`sharing <> 'private'\`) are its own decision
    project(`export const v = (id: string) => anon.from('chats').select('*').eq('id', id).maybeSingle();`),
    // a child's policy that reads its parent row (\`exists (select 1 from invoices i where i.id = invoice_files.invoice_id)\`):
    // the subquery sees only the parents the parent's own policy lets through
    project(`export const vf = (id: string) => anon.from('invoice_files').select('*').eq('id', id).maybeSingle();`),
    // a view that carries the tenant column of the table it reads: filtered on it
    project(`export const vw = (orgId: string) => admin.from('open_invoices').select('*').eq('org_id', orgId);`),
    // a security_invoker view: the table's policy applies to the user client reading it
    project(`export const vi = (id: string) => anon.from('my_invoices').select('*').eq('id', id).maybeSingle();`),
    project(`export const w = (id: string) => anon.from('chats').delete().eq('id', id);`),
    project(`export const x = (id: string) => anon.from('threads').select('*').eq('id', id);`),
    // a key matched against an access list the session alone computes (\`id = any(readable_board_ids())\`, capgo's channels)
    project(`export const bb = (id: string) => anon.from('boards').select('*').eq('id', id);`),
    // only the tenant policy applies to an update of memos (the open one is for select)
    project(`export const y = (id: string) => anon.from('memos').update({ body: '' }).eq('id', id);`),
    // \`client.schema('private')\` is the same client on another Postgres schema (tutur3u's \`privateDb\`): direct, through a const, through a helper
    project(`export const sa = (orgId: string) => admin.schema('private').from('notes').select('*').eq('org_id', orgId);`),
    project(`export async function sb(orgId: string) {\n  const privateDb = admin.schema('private');\n  return privateDb.from('notes').select('*').eq('org_id', orgId);\n}`),
    project(`function privateSchema(client: SupabaseClient) {\n  return client.schema('private');\n}\nexport const sc = (orgId: string) => privateSchema(admin).from('notes').select('*').eq('org_id', orgId);`),
    // a factory loaded with a dynamic import of a literal specifier, as a static import
    project(`export async function di(orgId: string) {\n  const { adminFor: load } = await import('../clients');\n  return load().from('notes').select('*').eq('org_id', orgId);\n}`),
  ],
  invalid: [
    // service role, no filter and by id alone
    invalid(`export const a = () => admin.from('invoices').select('*');`, 'missingTenantFilter', { line: 3, column: 24 }),
    invalid(`export const b = (id: string) => admin.from('notes').delete().eq('id', id);`, 'missingTenantFilter', { line: 3, column: 34 }),
    invalid(`export const c = (id: string) => admin.from('invoices').update({ status: 'x' }).match({ id });`, 'missingTenantFilter'),
    // the service role through a helper that reads it by name
    invalid(`export async function d(id: string) {\n  return await adminFor().from('notes').select().eq('id', id);\n}`, 'missingTenantFilter', { line: 4 }),
    // an or-string branch without the tenant
    invalid(`export const e = (orgId: string, q: string) => admin.from('notes').select().or(\`org_id.eq.\${orgId},body.eq.\${q}\`);`, 'orBypassesTenantFilter'),
    // a user client where RLS does not isolate: no RLS, and a policy that ignores the tenant
    invalid(`export const f = (id: string) => anon.from('notes').select().eq('id', id);`, 'missingTenantFilter'),
    invalid(`export const g = () => anon.from('tags').select('label');`, 'missingTenantFilter'),
    // a child table deleted by the parent id alone
    invalid(`export const h = (invoiceId: string) => admin.from('lines').delete().eq('invoice_id', invoiceId);`, 'missingTenantFilter'),
    // the middle embed is a left join: notes of other tenants' lines come back with \`lines: null\`
    invalid(`export const k3 = (orgId: string, id: string) => admin.from('line_notes').select('*, lines(invoices!inner(org_id))').eq('lines.invoices.org_id', orgId).eq('id', id);`, 'missingTenantFilter'),
    // twin: the aliased parent is a left join, so its filter only trims the embedded rows
    invalid(`export const k6 = (orgId: string, id: string) => admin.from('lines').select('id, inv:invoices!lines_invoice_id_fkey(org_id)').eq('id', id).eq('inv.org_id', orgId).maybeSingle();`, 'missingTenantFilter'),
    // the chain ends on a column that is not the tenant's
    invalid(`export const k4 = (status: string, id: string) => admin.from('line_notes').select('*, lines!inner(invoices!inner(status))').eq('lines.invoices.status', status).eq('id', id);`, 'missingTenantFilter'),
    // a typed parameter on a table without RLS leaks whichever key it carries
    invalid(`export const i = (client: SupabaseClient, id: string) => client.from('notes').select().eq('id', id);`, 'missingTenantFilter'),
    // its twin without the tenant: the destructured client is the service role's
    invalid(`export async function j(request: Request, id: string) {\n  const { supabase, response } = withResponse(request);\n  void response;\n  return supabase.from('notes').select('*').eq('id', id);\n}`, 'missingTenantFilter', { line: 6 }),
    // a class field holding the service-role client
    // its twin without the tenant: the key of a client the value flow followed is unknown, and notes has no RLS
    invalid(`export async function m(orgId: string, id: string) {\n  const access = await requireAccess(orgId);\n  return access.sbAdmin.from('notes').select('*').eq('id', id);\n}`, 'missingTenantFilter', { line: 5 }),
    invalid(`export const n = (id: string) => guardedAdmin.from('notes').delete().eq('id', id);`, 'missingTenantFilter'),
    // its twin: a function of the row itself (\`is_visible(id)\`) says nothing of the caller's tenant
    invalid(`export const o = (id: string) => anon.from('boards').delete().eq('id', id);`, 'missingTenantFilter'),
    // twins: a permissive policy that compares neither the tenant nor the owner opens the table
    // for its command, whatever other policy isolates (policies of one command are OR-ed)
    invalid(`export const k = (id: string) => anon.from('memos').select('*').eq('id', id);`, 'missingTenantFilter', {
      message:
        "`anon.from('memos')` reads tenant-scoped model `memos` (by `id` alone) without a tenant filter. Why: `memos.org_id` references the tenant `orgs` (supabase/migrations/20240101000000_init.sql:23). Without it this call matches rows of every tenant; `filter` filters only on `id`. The client (`createClient()` from `@supabase/supabase-js` with the anon key) is subject to row-level security, but `anyone_reads` on `memos` compares neither its tenant column (`org_id`) nor the row's owner to `auth.uid()`: it lets other tenants' rows through. Nothing in the repository calls `k` (`src/routes/service.ts:3`), and it is not an entry point by form (a route export, a server action, a controller method): no request reaches this query today. Add the filter before a caller appears. Fix: Add the tenant to the chain (`.eq('org_id', orgId)`), or run it through a tenant-scoped client.",
    }),
    invalid(`export const l = (id: string) => anon.from('threads').update({ user_id: id }).eq('id', id);`, 'missingTenantFilter'),
    // twin: the policy's subquery does not correlate with the row, so every row passes once any parent is visible
    invalid(`export const lf = (id: string) => anon.from('invoice_links').select('*').eq('id', id).maybeSingle();`, 'missingTenantFilter'),
    // twins: the view by id alone, with the service role; and through a user client, a view without
    // security_invoker reads with its owner's rights, so the table's policy does not apply
    invalid(`export const vw2 = (id: string) => admin.from('open_invoices').select('*').eq('id', id);`, 'missingTenantFilter'),
    invalid(`export const vi2 = (id: string) => anon.from('open_invoices').select('*').eq('id', id).maybeSingle();`, 'missingTenantFilter'),
    // twins without the tenant: the schema-switched client is still the service role's
    invalid(`export const sa = () => admin.schema('private').from('notes').select('*');`, 'missingTenantFilter'),
    invalid(`export async function sb(id: string) {\n  const privateDb = admin.schema('private');\n  return privateDb.from('notes').delete().eq('id', id);\n}`, 'missingTenantFilter', { line: 5 }),
    invalid(`function privateSchema(client: SupabaseClient) {\n  return client.schema('private');\n}\nexport const sc = (id: string) => privateSchema(admin).from('notes').select('*').eq('id', id);`, 'missingTenantFilter', { line: 6 }),
    invalid(`export async function di(id: string) {\n  const { adminFor: load } = await import('../clients');\n  return load().from('notes').select('*').eq('id', id);\n}`, 'missingTenantFilter', { line: 5 }),
    invalid(`class Notes {\n  private readonly db = admin;\n  remove(id: string) { return this.db.from('notes').delete().eq('id', id); }\n}\nexport const notes = new Notes();`, 'missingTenantFilter'),
  ],
});
