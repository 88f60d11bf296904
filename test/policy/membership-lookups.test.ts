import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/no-client-tenant-id.js';
import { onDisk } from '../helpers/on-disk.js';

const ruleTester = new RuleTester();

// Issue 13, class 3 (judged on tutur3u): a membership helper's own lookup, `members` filtered by the
// tenant the client names AND the verified user in a chained filter (`.eq('org_id', o).eq('user_id', u)`,
// `.where('org_id', o).where('user_id', u)`), is the check itself, not a use of the client's tenant.
// The user reaches the helper as a parameter, from `supabase.auth.getUser()` (verified by the auth
// server) or `req.user` (set by authentication). Twins: the user from the client, or no user in the
// lookup. (`auth.getSession()` reads the cookie unverified: its user is not the verified identity, so
// a lookup pinned to it proves nothing; it is left untraced, as any user the analysis cannot follow.)
const migration = `create table orgs (id uuid primary key, name text not null);
create table org_members (org_id uuid not null references orgs (id), user_id uuid not null, role text not null, primary key (org_id, user_id));
create table projects (id uuid primary key, org_id uuid not null references orgs (id), name text);
create index on projects (org_id, id);
`;

// supabase-js, Next.js App Router: route -> wrapper -> resolver -> membership helper (the tutur3u shape).
function supabase(user: string, lookup = `.eq('org_id', orgId).eq('user_id', userId)`): { code: string; filename: string } {
  const membership = `import { createServerClient } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';

async function createClient() {
  return createServerClient(process.env.URL ?? '', process.env.ANON_KEY ?? '', { cookies: { getAll: () => [], setAll: () => {} } });
}

export async function verifyMembership({ supabase, userId, orgId }: { supabase: SupabaseClient; userId: string; orgId: string }) {
  const { data: membership, error } = await supabase.from('org_members').select('role')${lookup}.maybeSingle();
  if (error) return { ok: false as const, error: 'lookup_failed' };
  if (!membership) return { ok: false as const, error: 'missing' };
  return { ok: true as const, role: membership.role };
}

export async function resolveContext(request: Request, orgId: string) {
  const supabase = await createClient();
${user}
  if (!user) return { ok: false as const, response: new Response('unauthorized', { status: 401 }) };
  const membership = await verifyMembership({ supabase, userId: user.id, orgId });
  if (!membership.ok) return { ok: false as const, response: new Response('forbidden', { status: 403 }) };
  return { ok: true as const, context: { supabase, orgId } };
}

export async function withContext(request: Request, orgId: string, handler: (ctx: { supabase: SupabaseClient; orgId: string }) => Promise<Response>) {
  const resolved = await resolveContext(request, orgId);
  if (!resolved.ok) return resolved.response;
  return handler(resolved.context);
}
`;
  const route = `import { withContext } from '@/lib/membership';

export async function GET(request: Request, { params }: { params: Promise<{ orgId: string }> }) {
  const { orgId } = await params;
  return withContext(request, orgId, async (ctx) => {
    const { data } = await ctx.supabase.from('projects').select('*').eq('org_id', ctx.orgId);
    return Response.json(data);
  });
}
`;
  return onDisk(route, 'src/app/api/orgs/[orgId]/projects/route.ts', {
    'package.json': JSON.stringify({ name: 'members-supabase', dependencies: { '@supabase/supabase-js': '^2.47.0', '@supabase/ssr': '^0.5.0', next: '15.1.0' } }),
    'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['src/*'] } } }),
    'supabase/migrations/20240101000000_init.sql': migration,
    'src/lib/membership.ts': membership,
  });
}

const verified = `  const { data: { user } } = await supabase.auth.getUser();`;
const claims = `  const { data } = await supabase.auth.getClaims();\n  const user = data ? { id: data.claims.sub } : null;`;
const fromClient = `  const user = { id: request.headers.get('x-user-id') ?? '' };`;

// Express with Knex or Kysely: the helper is handed the verified user by the handler.
function express(orm: 'knex' | 'kysely', userArg: string, lookupWithUser = true): { code: string; filename: string } {
  const db =
    orm === 'knex'
      ? `import knex from 'knex';\nexport const db = knex({ client: 'pg' });\n`
      : `import { Kysely, PostgresDialect } from 'kysely';\nexport const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: {} as any }) });\n`;
  const member =
    orm === 'knex'
      ? `db('org_members').where('org_id', orgId)${lookupWithUser ? `.where('user_id', userId)` : ''}.first()`
      : `db.selectFrom('org_members').selectAll().where('org_id', '=', orgId)${lookupWithUser ? `.where('user_id', '=', userId)` : ''}.executeTakeFirst()`;
  const projects = orm === 'knex' ? `db('projects').where('org_id', orgId)` : `db.selectFrom('projects').selectAll().where('org_id', '=', orgId).execute()`;
  const helper = `import { db } from './db';\n\nexport async function findMembership(orgId: string, userId: string) {\n  return ${member};\n}\n`;
  const route = `import express from 'express';
import { db } from './db';
import { findMembership } from './members';
const app = express();
app.get('/orgs/:orgId/projects', async (req, res) => {
  const orgId = req.params.orgId;
  const membership = await findMembership(orgId, ${userArg});
  if (!membership) return res.sendStatus(403);
  res.json(await ${projects});
});
`;
  return onDisk(route, 'src/routes.ts', {
    'package.json': JSON.stringify({ name: `members-${orm}`, dependencies: { express: '^4.21.0', [orm]: orm === 'knex' ? '^3.1.0' : '^0.27.0', pg: '^8.13.0' } }),
    'migrations/20240101000000_init.sql': migration,
    'src/db.ts': db,
    'src/members.ts': helper,
  });
}

const clientTenant = { messageId: 'clientTenantId' as const };

ruleTester.run('no-client-tenant-id: a membership helper pins the verified user in a chained filter', rule, {
  valid: [
    // supabase-js: the user the auth server verified, handed to the helper that looks the membership up
    supabase(verified),
    // supabase-js: the JWT's claims, verified by getClaims()
    supabase(claims),
    // supabase-js: the lookup written with .match()
    supabase(verified, `.match({ org_id: orgId, user_id: userId })`),
    // Knex and Kysely: the handler hands the helper the authenticated user
    express('knex', 'req.user.id'),
    express('kysely', 'req.user.id'),
  ],
  invalid: [
    // the user id the client sends: the lookup checks nothing
    { ...supabase(fromClient), errors: [clientTenant] },
    // the helper forgets the user: any membership of the organization passes
    { ...supabase(verified, `.eq('org_id', orgId)`), errors: [clientTenant] },
    { ...express('knex', 'String(req.query.userId)'), errors: [clientTenant] },
    { ...express('kysely', 'String(req.query.userId)'), errors: [clientTenant] },
    { ...express('knex', 'req.user.id', false), errors: [clientTenant] },
    { ...express('kysely', 'req.user.id', false), errors: [clientTenant] },
  ],
});
