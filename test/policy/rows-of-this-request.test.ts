import { prismaCase, vitestRuleTester } from '../helpers/rule-tester.js';
import rule from '../../rules/require-tenant-filter.js';
import { onDisk } from '../helpers/on-disk.js';

// Issue 13, class 2 (fresh-repo judged misreadings): the id a query uses is of a row the server itself
// created or loaded within the tenant in this request, not one the client chose.
const ruleTester = vitestRuleTester();
const missing = { messageId: 'missingTenantFilter' as const };

// Prisma: test/rules/project (Organization; Project (orgId); Invoice (orgId, projectId, lines); InvoiceLine child of Invoice).
// Invalid Prisma cases name the tenant `org`, so that no fix suggestion is offered.
const prisma = prismaCase;

const DRIZZLE_SCHEMA = `import { pgTable, text, uuid } from 'drizzle-orm/pg-core';

export const organizations = pgTable('organizations', { id: uuid('id').primaryKey() });
export const docs = pgTable('docs', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  title: text('title'),
});
`;
const drizzleHead = `import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { docs } from './schema';
const db = drizzle(process.env.DATABASE_URL ?? '');
`;
function drizzleProject(body: string): { code: string; filename: string } {
  return onDisk(`${drizzleHead}${body}`, 'src/service.ts', {
    'package.json': JSON.stringify({ name: 'rows-of-request-drizzle', dependencies: { 'drizzle-orm': '^0.43.1', pg: '^8.13.0' } }),
    'src/schema.ts': DRIZZLE_SCHEMA,
  });
}

const knexHead = `import knex from 'knex';
const db = knex({ client: 'pg' });
`;
function knexProject(body: string): { code: string; filename: string } {
  return onDisk(`${knexHead}${body}`, 'src/service.ts', {
    'package.json': JSON.stringify({ name: 'rows-of-request-knex', dependencies: { knex: '^3.1.0', pg: '^8.13.0' } }),
    'migrations/20240101000000_init.sql': `create table orgs (id uuid primary key);
create table groups (id uuid primary key, org_id uuid not null references orgs (id), name text);
create index on groups (org_id, id);
`,
  });
}

// A row a project function created or loaded within the tenant, then changed by its own key
// (documenso's API v1: `envelope = await createDocumentFromTemplate({ teamId, ... })`, then
// `envelope.update({ where: { id: envelope.id } })`; openpanel's widget router: `existing = await
// findWidgetByType(projectId, type)`, a scoped read, then `update({ where: { id: existing.id } })`).
// Twins: the helper reads by the client's id alone, the key is not the row's, the key comes from the client.
ruleTester.run('require-tenant-filter: the key of a row a project function created or loaded within the tenant', rule, {
  valid: [
    prisma(`async function openInvoice(orgId: string, projectId: string, number: number) {
  return prisma.invoice.create({ data: { orgId, projectId, number } });
}
export async function open(orgId: string, body: { projectId: string; number: number }) {
  let invoice: Awaited<ReturnType<typeof openInvoice>> | null = null;
  try {
    invoice = await openInvoice(orgId, body.projectId, body.number);
  } catch {
    return null;
  }
  return prisma.invoice.update({ where: { id: invoice.id }, data: { number: body.number + 1 } });
}`),
    prisma(`async function invoiceByNumber(orgId: string, number: number) {
  const invoices = await prisma.invoice.findMany({ where: { orgId } });
  return invoices.find((invoice) => invoice.number === number);
}
export async function bump(input: { orgId: string; number: number }) {
  const existing = await invoiceByNumber(input.orgId, input.number);
  if (existing) return prisma.invoice.update({ where: { id: existing.id }, data: { number: input.number + 1 } });
  return null;
}`),
    drizzleProject(`async function docByTitle(orgId: string, title: string) {
  const [doc] = await db.select().from(docs).where(and(eq(docs.orgId, orgId), eq(docs.title, title)));
  return doc ?? null;
}
export async function rename(input: { orgId: string; title: string; next: string }) {
  const doc = await docByTitle(input.orgId, input.title);
  if (!doc) return;
  await db.update(docs).set({ title: input.next }).where(eq(docs.id, doc.id));
}`),
    knexProject(`async function addGroup(orgId: string, name: string) {
  const [group] = await db('groups').insert({ org_id: orgId, name }).returning('*');
  return group;
}
export async function make(orgId: string, name: string) {
  const group = await addGroup(orgId, name);
  return db('groups').where('id', group.id).update({ name: name.trim() });
}`),
  ],
  invalid: [
    // the helper reads by the client's id alone: reported once, at that read (the write selects what it returned)
    { ...prisma(`async function invoiceById(id: string) {
  return prisma.invoice.findFirst({ where: { id } });
}
export async function bump(input: { id: string; number: number }) {
  const existing = await invoiceById(input.id);
  if (existing) return prisma.invoice.update({ where: { id: existing.id }, data: { number: input.number } });
  return null;
}`), errors: [{ ...missing, line: 5 }] },
    // a helper reading another table by the client's id vouches for nothing: both reported
    { ...prisma(`async function projectById(id: string) {
  return prisma.project.findFirst({ where: { id } });
}
export async function bump(input: { id: string; number: number }) {
  const project = await projectById(input.id);
  if (project) return prisma.invoice.update({ where: { id: project.id }, data: { number: input.number } });
  return null;
}`), errors: [missing, missing] },
    { ...drizzleProject(`async function docByTitle(orgId: string, title: string) {
  const [doc] = await db.select().from(docs).where(and(eq(docs.orgId, orgId), eq(docs.title, title)));
  return doc;
}
export async function rename(input: { orgId: string; id: string; title: string; next: string }) {
  const doc = await docByTitle(input.orgId, input.title);
  if (!doc) return;
  await db.update(docs).set({ title: input.next }).where(eq(docs.id, input.id));
}`), errors: [missing] },
    // the row is the tenant's, but the key written is the client's
    { ...prisma(`async function invoiceByNumber(org: string, number: number) {
  const invoices = await prisma.invoice.findMany({ where: { orgId: org } });
  return invoices.find((invoice) => invoice.number === number);
}
export async function bump(input: { org: string; id: string; number: number }) {
  const existing = await invoiceByNumber(input.org, input.number);
  if (existing) return prisma.invoice.update({ where: { id: input.id }, data: { number: input.number } });
  return null;
}`), errors: [missing] },
    // a created row, but a field of it that is not the key the write filters by
    { ...knexProject(`async function addGroup(org: string, name: string) {
  const [group] = await db('groups').insert({ org_id: org, name }).returning('*');
  return group;
}
export async function make(org: string, name: string) {
  const group = await addGroup(org, name);
  return db('groups').where('id', group.name).update({ name: 'x' });
}`), errors: [missing] },
  ],
});

// The rows of a relation loaded with a scoped row (documenso's resend-document.ts: `envelope.recipients`,
// loaded with `include`, filtered to the ones asked for, then `recipient.updateMany({ where: { id:
// recipient.id } })`), and a relation filter that pins the related row to the tenant's
// (sign-envelope-field.ts: `recipient: { id: recipient.id }`, or `{ envelopeId: recipient.envelopeId }`).
// Twins: the parent read is not scoped, the ids come from the client, one branch of the filter pins nothing.
ruleTester.run('require-tenant-filter: rows of a relation of a scoped row, relation filters that pin a scoped row', rule, {
  valid: [
    prisma(`export async function remind(orgId: string, id: string, ids: string[]) {
  const invoice = await prisma.invoice.findFirst({ where: { id, orgId }, include: { lines: true } });
  if (!invoice) throw notFound();
  const chosen = invoice.lines.filter((line) => ids.includes(line.id));
  await prisma.invoiceLine.updateMany({ where: { id: { in: chosen.map((line) => line.id) } }, data: {} });
  await Promise.all(chosen.map(async (line) => prisma.invoiceLine.update({ where: { id: line.id }, data: {} })));
}`),
    prisma(`export async function projectOf(orgId: string, id: string) {
  const invoice = await prisma.invoice.findFirst({ where: { id, orgId } });
  if (!invoice) throw notFound();
  const { projectId } = invoice;
  return prisma.project.findUnique({ where: { id: projectId } });
}`),
    prisma(`export async function linesOf(orgId: string, id: string) {
  const { lines } = await prisma.invoice.findFirstOrThrow({ where: { id, orgId }, include: { lines: true } });
  for (const line of lines) await prisma.invoiceLine.delete({ where: { id: line.id } });
}`),
    prisma(`export async function line(orgId: string, id: string, lineId: string, wide: boolean) {
  const invoice = await prisma.invoice.findFirst({ where: { id, orgId } });
  if (!invoice) throw notFound();
  await prisma.invoiceLine.findFirst({ where: { id: lineId, invoice: { id: invoice.id } } });
  return prisma.invoiceLine.findFirst({ where: { id: lineId, invoice: { ...(wide ? { projectId: invoice.projectId } : { id: invoice.id }) } } });
}`),
  ],
  invalid: [
    // the parent read is not scoped: it is reported, and so are the writes
    { ...prisma(`export async function remind(id: string, ids: string[]) {
  const invoice = await prisma.invoice.findFirst({ where: { id }, include: { lines: true } });
  if (!invoice) throw notFound();
  const chosen = invoice.lines.filter((line) => ids.includes(line.id));
  await prisma.invoiceLine.updateMany({ where: { id: { in: chosen.map((line) => line.id) } }, data: {} });
}`), errors: [missing, missing] },
    // destructured from the client's input, not from the row
    { ...prisma(`export async function projectOf(org: string, input: { id: string; projectId: string }) {
  const invoice = await prisma.invoice.findFirst({ where: { id: input.id, orgId: org } });
  if (!invoice) throw notFound();
  const { projectId } = input;
  return prisma.project.findUnique({ where: { id: projectId } });
}`), errors: [missing] },
    // the ids are the client's
    { ...prisma(`export async function remind(org: string, id: string, ids: string[]) {
  const invoice = await prisma.invoice.findFirst({ where: { id, orgId: org }, include: { lines: true } });
  if (!invoice) throw notFound();
  await prisma.invoiceLine.updateMany({ where: { id: { in: ids } }, data: {} });
}`), errors: [missing] },
    // a relation filter with the client's id, and one whose other branch pins nothing
    { ...prisma(`export async function line(org: string, id: string, lineId: string, invoiceId: string, wide: boolean) {
  const invoice = await prisma.invoice.findFirst({ where: { id, orgId: org } });
  if (!invoice) throw notFound();
  await prisma.invoiceLine.findFirst({ where: { id: lineId, invoice: { id: invoiceId } } });
  return prisma.invoiceLine.findFirst({ where: { id: lineId, invoice: { ...(wide ? { projectId: invoiceId } : { id: invoice.id }) } } });
}`), errors: [missing, missing] },
  ],
});

// A write selected by the key of a row another query of the same table returned in this function
// (postiz's createOrUpdatePost, judged G044: `posts.push(await post.upsert(...))`, then `post.update({
// where: { id: posts[posts.length - 1].id }, data: { tags: ... } })`): whether that query is scoped is
// reported there, once; the write's own data does not choose the row. Twins: the key is the client's,
// the collection is also filled by a value the function was handed.
ruleTester.run('require-tenant-filter: selected by the rows of another query of the same table', rule, {
  valid: [
    prisma(`export async function save(orgId: string, items: { number: number }[], tags: string[]) {
  const invoices: { id: string }[] = [];
  for (const item of items) {
    invoices.push(await prisma.invoice.create({ data: { orgId, projectId: 'p', number: item.number } }));
    await prisma.invoice.update({ where: { id: invoices[invoices.length - 1].id }, data: { number: tags.length } });
  }
  return { count: tags.length, invoices };
}`),
    drizzleProject(`export async function save(orgId: string, titles: string[], next: string) {
  const saved: { id: string }[] = [];
  for (const title of titles) {
    const [doc] = await db.select().from(docs).where(and(eq(docs.orgId, orgId), eq(docs.title, title)));
    saved.push(doc);
    await db.update(docs).set({ title: next }).where(eq(docs.id, saved[saved.length - 1].id));
  }
  return { saved };
}`),
  ],
  invalid: [
    { ...prisma(`export async function save(org: string, items: { id: string; number: number }[]) {
  const invoices: { id: string }[] = [];
  for (const item of items) {
    invoices.push(await prisma.invoice.create({ data: { orgId: org, projectId: 'p', number: item.number } }));
    await prisma.invoice.update({ where: { id: item.id }, data: { number: invoices.length } });
  }
  return { invoices };
}`), errors: [missing] },
    { ...drizzleProject(`export async function save(orgId: string, titles: string[], extra: { id: string }) {
  const saved: { id: string }[] = [extra];
  const [doc] = await db.select().from(docs).where(and(eq(docs.orgId, orgId), eq(docs.title, titles[0])));
  saved.push(doc);
  await db.update(docs).set({ title: 'x' }).where(eq(docs.id, saved[0].id));
  return { saved };
}`), errors: [missing] },
  ],
});
