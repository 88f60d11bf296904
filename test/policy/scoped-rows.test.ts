import { join } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/require-tenant-filter.js';
import { onDisk } from '../helpers/on-disk.js';

// Issue 13, class 2 (postiz judged F039): a write keyed by the own id of rows that a scoped read of
// the same table returned, in a loop or a map:
// `for (const i of await findMany({ where: { organizationId } })) update({ where: { id: i.id } })`.
// The rows are the tenant's; the client chose none of the ids. Twins: the read is not scoped, the
// id read from the row is not the key the write filters by, the ids come from the client.
const ruleTester = new RuleTester();
const missing = { messageId: 'missingTenantFilter' as const };

// Prisma: test/rules/project (Organization; Invoice (orgId); InvoiceLine child of Invoice by invoiceId).
const prismaFile = join(import.meta.dirname, '..', 'rules', 'project', 'src', 'service.ts');
const prismaHead = `import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
`;
const prisma = (body: string) => ({ code: `${prismaHead}${body}`, filename: prismaFile });

const migration = `create table orgs (id uuid primary key);
create table groups (id uuid primary key, org_id uuid not null references orgs (id), name text, parent_id uuid);
create index on groups (org_id, id);
`;

const supabaseHead = `import { createClient } from '@supabase/supabase-js';
const admin = createClient(process.env.URL ?? '', process.env.SUPABASE_SERVICE_ROLE_KEY ?? '');
`;
function supabase(body: string): { code: string; filename: string } {
  return onDisk(`${supabaseHead}${body}`, 'src/service.ts', {
    'package.json': JSON.stringify({ name: 'scoped-rows-supabase', dependencies: { '@supabase/supabase-js': '^2.47.0' } }),
    'supabase/migrations/20240101000000_init.sql': migration,
  });
}

const knexHead = `import knex from 'knex';
const db = knex({ client: 'pg' });
`;
function knexProject(body: string): { code: string; filename: string } {
  return onDisk(`${knexHead}${body}`, 'src/service.ts', {
    'package.json': JSON.stringify({ name: 'scoped-rows-knex', dependencies: { knex: '^3.1.0', pg: '^8.13.0' } }),
    'migrations/20240101000000_init.sql': migration,
  });
}

ruleTester.run('require-tenant-filter: writes keyed by the own ids of scoped rows', rule, {
  valid: [
    prisma(`export async function archive(orgId: string) {
  const invoices = await prisma.invoice.findMany({ where: { orgId } });
  for (const invoice of invoices) {
    await prisma.invoice.update({ where: { id: invoice.id }, data: { number: 'archived-' + invoice.number } });
  }
}`),
    prisma(`export async function archive(orgId: string) {
  const invoices = await prisma.invoice.findMany({ where: { orgId } });
  await Promise.all(invoices.map((invoice) => prisma.invoice.delete({ where: { id: invoice.id } })));
}`),
    knexProject(`export async function rename(orgId: string) {
  const groups = await db('groups').where('org_id', orgId).select('id', 'name');
  for (const group of groups) {
    await db('groups').where('id', group.id).update({ name: group.name.trim() });
  }
}`),
    supabase(`export async function rename(orgId: string) {
  const { data: groups } = await admin.from('groups').select('id, name').eq('org_id', orgId);
  for (const group of groups ?? []) {
    await admin.from('groups').update({ name: group.name.trim() }).eq('id', group.id);
  }
}`),
  ],
  invalid: [
    // the read is not scoped: the loop writes every tenant's rows (reported once, at the read its ids come from)
    { ...prisma(`export async function archive(number: string) {
  const invoices = await prisma.invoice.findMany({ where: { number } });
  for (const invoice of invoices) {
    await prisma.invoice.update({ where: { id: invoice.id }, data: { number: 'archived' } });
  }
}`), errors: [missing] },
    // the ids come from the client
    { ...prisma(`export async function archive(org: string, items: { id: string }[]) {
  const invoices = await prisma.invoice.findMany({ where: { orgId: org } });
  console.log(invoices.length);
  for (const item of items) {
    await prisma.invoice.update({ where: { id: item.id }, data: { number: 'archived' } });
  }
}`), errors: [missing] },
    { ...prisma(`export async function archive(org: string, items: { id: string }[]) {
  const invoices = await prisma.invoice.findMany({ where: { orgId: org } });
  console.log(invoices.length);
  await Promise.all(items.map((item) => prisma.invoice.delete({ where: { id: item.id } })));
}`), errors: [missing] },
    // a reference the row holds that is not the key the write filters by: another group's id
    { ...knexProject(`export async function rename(orgId: string) {
  const groups = await db('groups').where('org_id', orgId).select('id', 'parent_id');
  for (const group of groups) {
    await db('groups').where('id', group.parent_id).update({ name: 'child' });
  }
}`), errors: [missing] },
    { ...supabase(`export async function rename(orgId: string, ids: string[]) {
  const { data: groups } = await admin.from('groups').select('id').eq('org_id', orgId);
  console.log(groups);
  for (const id of ids) {
    await admin.from('groups').update({ name: 'x' }).eq('id', id);
  }
}`), errors: [missing] },
  ],
});
