import { join } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/require-tenant-filter.js';
import { onDisk } from '../helpers/on-disk.js';

// Issue 13, class 3 (judged on tutur3u: 6 of 20 sampled errors): a row read by id, then checked
// before any use: a helper handed the row's tenant and the verified user whose verdict exits
// (`verifyMembership({ wsId: row.ws_id, userId: user.id })`, `rpc('has_workspace_permission', ...)`,
// `if (!(await canEdit(user.id, row.orgId)))`), or the row's owner compared with the verified user.
// Twins: the verdict does not exit, the helper is not handed the row's tenant, the row is used first,
// the owner is compared with a client value.
const ruleTester = new RuleTester();
const missing = { messageId: 'missingTenantFilter' as const };

const prismaFile = join(import.meta.dirname, '..', 'rules', 'project', 'src', 'service.ts');
const prismaHead = `import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
declare function verifyMembership(args: { orgId: string; userId: string }): Promise<{ ok: boolean }>;
declare function canEdit(userId: string, orgId: string): Promise<boolean>;
declare const user: { id: string };
`;
const prisma = (body: string) => ({ code: `${prismaHead}${body}`, filename: prismaFile });

const migration = `create table orgs (id uuid primary key);
create table users (id uuid primary key, email text not null unique);
create table org_members (org_id uuid not null references orgs (id), user_id uuid not null references users (id), primary key (org_id, user_id));
create table templates (id uuid primary key, ws_id uuid not null references orgs (id), created_by uuid not null references users (id), body text);
create index on templates (ws_id, id);
`;
const supabaseHead = `import { createClient } from '@supabase/supabase-js';
const admin = createClient(process.env.URL ?? '', process.env.SUPABASE_SERVICE_ROLE_KEY ?? '');
declare function verifyMembership(args: { wsId: string; userId: string }): Promise<{ ok: boolean }>;
`;
function supabase(body: string): { code: string; filename: string } {
  return onDisk(`${supabaseHead}${body}`, 'src/service.ts', {
    'package.json': JSON.stringify({ name: 'post-fetch-supabase', dependencies: { '@supabase/supabase-js': '^2.47.0' } }),
    'supabase/migrations/20240101000000_init.sql': migration,
  });
}
const knexHead = `import knex from 'knex';
const db = knex({ client: 'pg' });
declare const user: { id: string };
`;
function knexProject(body: string): { code: string; filename: string } {
  return onDisk(`${knexHead}${body}`, 'src/service.ts', {
    'package.json': JSON.stringify({ name: 'post-fetch-knex', dependencies: { knex: '^3.1.0', pg: '^8.13.0' } }),
    'migrations/20240101000000_init.sql': migration,
  });
}

ruleTester.run('require-tenant-filter: a check on the fetched row before it is used', rule, {
  valid: [
    // Prisma: a membership helper handed the row's tenant and the verified user, its result tested
    prisma(`export async function get(id: string) {
  const invoice = await prisma.invoice.findUnique({ where: { id } });
  if (!invoice) return null;
  const membership = await verifyMembership({ orgId: invoice.orgId, userId: user.id });
  if (!membership.ok) throw new Error('forbidden');
  return invoice;
}`),
    // Prisma: a boolean verdict tested inline
    prisma(`export async function get(id: string) {
  const invoice = await prisma.invoice.findUnique({ where: { id } });
  if (!invoice) return null;
  if (!(await canEdit(user.id, invoice.orgId))) throw new Error('forbidden');
  return invoice;
}`),
    // supabase-js: a database function asked for the permission, its data tested
    supabase(`export async function get(id: string, user: { id: string }) {
  const { data: template } = await admin.from('templates').select('*').eq('id', id).single();
  if (!template) return null;
  const { data: allowed } = await admin.rpc('has_workspace_permission', { p_user_id: user.id, p_ws_id: template.ws_id });
  if (!allowed) return new Response(null, { status: 403 });
  return template;
}`),
    // supabase-js: the owner compared with the verified user
    supabase(`export async function get(id: string, user: { id: string }) {
  const { data: template } = await admin.from('templates').select('id, created_by').eq('id', id).single();
  if (!template) return null;
  if (template.created_by !== user.id) return new Response(null, { status: 403 });
  return template;
}`),
    // Knex: the owner compared with the verified user
    knexProject(`export async function get(id: string) {
  const template = await db('templates').where('id', id).first();
  if (!template) throw new Error('not found');
  if (template.created_by !== user.id) throw new Error('forbidden');
  return template;
}`),
  ],
  invalid: [
    // the verdict only logs
    { ...prisma(`export async function get(id: string) {
  const invoice = await prisma.invoice.findUnique({ where: { id } });
  if (!invoice) return null;
  const membership = await verifyMembership({ orgId: invoice.orgId, userId: user.id });
  if (!membership.ok) console.warn('not a member');
  return invoice;
}`), errors: [missing] },
    // the helper is handed another tenant than the row's
    { ...prisma(`export async function get(id: string, org: string) {
  const invoice = await prisma.invoice.findUnique({ where: { id } });
  if (!invoice) return null;
  if (!(await canEdit(user.id, org))) throw new Error('forbidden');
  return invoice;
}`), errors: [missing] },
    // the row is sent before the check
    { ...supabase(`export async function get(id: string, user: { id: string }, send: (x: unknown) => void) {
  const { data: template } = await admin.from('templates').select('*').eq('id', id).single();
  send(template);
  const membership = await verifyMembership({ wsId: template.ws_id, userId: user.id });
  if (!membership.ok) return null;
}`), errors: [missing] },
    // the owner is compared with a value the client sends
    { ...supabase(`export async function get(id: string, body: { userId: string }) {
  const { data: template } = await admin.from('templates').select('*').eq('id', id).single();
  if (!template) return null;
  if (template.created_by !== body.owner) return null;
  return template;
}`), errors: [missing] },
    { ...knexProject(`export async function get(id: string, input: { owner: string }) {
  const template = await db('templates').where('id', id).first();
  if (template.created_by !== input.owner) throw new Error('forbidden');
  return template;
}`), errors: [missing] },
  ],
});
