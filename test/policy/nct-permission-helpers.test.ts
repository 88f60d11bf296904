import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Issue 13, capgo (judged E066, E067): a client-chosen organization checked by a permission helper
 * handed the request context (`checkPermission(c, 'org.create_app', { orgId: body.owner_org })`,
 * which reads the verified user from `c.get('auth')` and asks a database function), inside the
 * callee before the write (E066); and the same check run whenever the value is given (`if (orgId) {
 * await requireOrgAccess(c, orgId) }`), the query then guarded by the same value (`orgId ?
 * query(orgId) : none`, E067). Twins: no check, or a check under another condition.
 */

const { makeProject } = useScratch();

const MIGRATION = `create table orgs (id uuid primary key, name text not null);
create table org_users (id bigint primary key, org_id uuid not null references orgs (id), user_id uuid not null);
create table apps (id bigint primary key, owner_org uuid not null references orgs (id), app_id text not null, name text);
create table channels (id bigint primary key, owner_org uuid not null references orgs (id), name text);
create table credits_steps (id bigint primary key, org_id uuid references orgs (id), price numeric);
create index on org_users (org_id, id);
create index on apps (owner_org, id);
create index on channels (owner_org, id);
create index on credits_steps (org_id, id);
`;

const PG = `import { Pool } from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { Context } from 'hono';
const pool = new Pool();
export function getPgClient(_c: Context) {
  return pool;
}
export function getDrizzleClient(client: Pool) {
  return drizzle(client);
}
`;

const RBAC = `import { sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { getDrizzleClient, getPgClient } from './pg';

export interface PermissionScope {
  orgId?: string;
}

export async function checkPermission(c: Context, permission: string, scope: PermissionScope): Promise<boolean> {
  const auth = c.get('auth');
  if (!auth?.userId) return false;
  const { userId } = auth;
  const { orgId = null } = scope;
  try {
    const drizzleClient = getDrizzleClient(getPgClient(c));
    const result = await drizzleClient.execute(sql\`SELECT public.rbac_check_permission_direct(\${permission}, \${userId}::uuid, \${orgId}::uuid) as allowed\`);
    const allowed = (result.rows[0] as any)?.allowed === true;
    return allowed;
  } catch {
    return false;
  }
}
`;

const POST = `import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { checkPermission } from './rbac';
import { getPgClient } from './pg';

export interface CreateApp {
  app_id: string;
  owner_org: string;
}

export async function post(c: Context, body: CreateApp): Promise<Response> {
  if (!(await checkPermission(c, 'org.create_app', { orgId: body.owner_org }))) {
    throw new HTTPException(403, { message: 'cannot_access_organization' });
  }
  const result = await getPgClient(c).query('INSERT INTO apps (owner_org, app_id) VALUES ($1, $2) RETURNING *', [body.owner_org, body.app_id]);
  return c.json(result.rows[0]);
}
`;

const INDEX = `import { Hono } from 'hono';
import { post, type CreateApp } from './post';

export const app = new Hono();

app.post('/', async (c) => {
  const body = await c.req.json<CreateApp>();
  return post(c, body);
});
`;

const CREDITS = `import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { checkPermission } from './rbac';
import { getPgClient } from './pg';

async function requireOrgAccess(c: Context, orgId: string) {
  if (!(await checkPermission(c, 'org.read', { orgId }))) {
    throw new HTTPException(403, { message: 'not_authorized' });
  }
}

async function getScopedSteps(c: Context, orgId?: string) {
  if (orgId) {
    await requireOrgAccess(c, orgId);
  }
  const [globalSteps, orgSteps] = await Promise.all([
    getPgClient(c).query('SELECT * FROM channels WHERE owner_org IS NULL'),
    orgId ? getPgClient(c).query('SELECT * FROM channels WHERE owner_org = $1', [orgId]) : Promise.resolve({ rows: [] }),
  ]);
  return [...globalSteps.rows, ...orgSteps.rows];
}

export const app = new Hono();

app.get('/', async (c) => {
  const orgId = c.req.query('org_id') ?? undefined;
  return c.json(await getScopedSteps(c, orgId));
});
`;

function project(files: Record<string, string>): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'capgo-like', private: true, dependencies: { hono: '^4.6.0', pg: '^8.13.0', 'drizzle-orm': '^0.36.0' } }),
    'supabase/migrations/20240101000000_init.sql': MIGRATION,
    'src/pg.ts': PG,
    'src/rbac.ts': RBAC,
    ...files,
  });
}

async function clientTenantFindings(path: string) {
  return (await scan({ path })).findings.filter((f) => f.ruleId === 'no-client-tenant-id');
}

const CHECK = `  if (!(await checkPermission(c, 'org.create_app', { orgId: body.owner_org }))) {
    throw new HTTPException(403, { message: 'cannot_access_organization' });
  }
`;

describe('a permission helper handed the request context, inside the callee before the write', () => {
  it('ok: checkPermission(c, ..., { orgId: body.owner_org }) stops the request first', async () => {
    expect(await clientTenantFindings(project({ 'src/post.ts': POST, 'src/index.ts': INDEX }))).toEqual([]);
  });

  it('err: no check before the INSERT', async () => {
    const found = await clientTenantFindings(project({ 'src/post.ts': POST.replace(CHECK, ''), 'src/index.ts': INDEX }));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/index.ts:7']);
  });
});

describe('a check run whenever the client value is given', () => {
  it('ok: if (orgId) { await requireOrgAccess(c, orgId) }, then orgId ? query(orgId) : none', async () => {
    expect(await clientTenantFindings(project({ 'src/credits.ts': CREDITS }))).toEqual([]);
  });

  it('err: the check runs under another condition', async () => {
    const other = CREDITS.replace('  if (orgId) {\n    await requireOrgAccess', "  if (c.req.query('strict')) {\n    await requireOrgAccess");
    expect(other).not.toBe(CREDITS);
    const found = await clientTenantFindings(project({ 'src/credits.ts': other }));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/credits.ts:26']);
  });

  it('err: no check at all', async () => {
    const none = CREDITS.replace('    await requireOrgAccess(c, orgId);\n', '');
    expect(none).not.toBe(CREDITS);
    const found = await clientTenantFindings(project({ 'src/credits.ts': none }));
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['src/credits.ts:25']);
  });
});

// Twin of the rule above for a check of the whole request: run only when the client sends the header,
// so a request without it skips the check and still names any organization.
function hook(check: string): string {
  return `import { Hono, type Context } from 'hono';
import { getPgClient } from './pg';

declare function verifyWebhookSignature(c: Context): boolean;

export const app = new Hono();

app.post('/hook', async (c) => {
  const body = await c.req.json();
  const signature = c.req.header('x-signature');
${check}
  await getPgClient(c).query('UPDATE apps SET name = $1 WHERE owner_org = $2', [body.name, body.owner_org]);
  return c.json({});
});
`;
}

describe('a signature check run only when the client sends the header', () => {
  it('ok: the signature is checked on every request', async () => {
    expect(await clientTenantFindings(project({ 'src/hook.ts': hook(`  if (!signature || !verifyWebhookSignature(c)) return c.text('unsigned', 401);`) }))).toEqual([]);
  });

  it('err: if (signature) { check }: a request without the header is not checked', async () => {
    const found = await clientTenantFindings(project({ 'src/hook.ts': hook(`  if (signature) {\n    if (!verifyWebhookSignature(c)) return c.text('bad signature', 401);\n  }`) }));
    expect(found.map((f) => f.file)).toEqual(['src/hook.ts']);
  });
});
