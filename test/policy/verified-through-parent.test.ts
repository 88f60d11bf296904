import { RuleTester } from '@typescript-eslint/rule-tester';
import { describe, expect, it } from 'vitest';
import rule from '../../rules/require-tenant-filter.js';
import { scan } from '../../src/scan/scan.js';
import { onDisk } from '../helpers/on-disk.js';
import { useScratch } from '../helpers/scratch.js';

// Issue 13, class 2 (documenso delete-attachment.ts:14 and :56): a row read by id, then verified through
// its parent before any use: a scoped read of the table the row's key references, keyed by that key of
// the row, whose empty result stops the function. The read is the check's first half and the write after
// the check touches the tenant's row. Also: `const [row] = await db.select()...` (Drizzle, Kysely) is the
// row, for post-fetch checks and for a secret only tested for existence; a guard helper whose read is
// compared with the verified user (Cap's `if (video) { if (video.ownerId !== user.id) throw }`).
// Twins: the parent read not scoped, the row used before the check, a check that does not stop, the write
// before the check, the owner compared with a client value.
const ruleTester = new RuleTester();
const missing = { messageId: 'missingTenantFilter' as const };

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id      String   @id
  docs    Doc[]
  members Member[]
}

model User {
  id      String   @id
  docs    Doc[]
  members Member[]
}

model Member {
  orgId  String
  userId String
  org    Organization @relation(fields: [orgId], references: [id])
  user   User         @relation(fields: [userId], references: [id])

  @@id([orgId, userId])
}

model Doc {
  id          String       @id
  orgId       String
  ownerId     String
  status      String
  org         Organization @relation(fields: [orgId], references: [id])
  owner       User         @relation(fields: [ownerId], references: [id])
  attachments Attachment[]

  @@index([orgId, id])
}

model Attachment {
  id    String @id
  docId String
  label String
  doc   Doc    @relation(fields: [docId], references: [id])
}
`;

const prismaHead = `import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
declare function whereFor(args: { id: string; userId: string }): Promise<{ where: { id: string; orgId: string } }>;
declare function send(x: unknown): void;
`;
function prisma(body: string): { code: string; filename: string } {
  return onDisk(`${prismaHead}${body}`, 'src/service.ts', {
    'package.json': JSON.stringify({ name: 'verified-parent-prisma', dependencies: { '@prisma/client': '^6.8.0' } }),
    'prisma/schema.prisma': PRISMA_SCHEMA,
  });
}

const DRIZZLE_SCHEMA = `import { pgTable, text, uuid } from 'drizzle-orm/pg-core';

export const organizations = pgTable('organizations', { id: uuid('id').primaryKey() });
export const users = pgTable('users', { id: uuid('id').primaryKey() });
export const docs = pgTable('docs', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  ownerId: uuid('owner_id').notNull().references(() => users.id),
  title: text('title'),
});
export const attachments = pgTable('attachments', {
  id: uuid('id').primaryKey(),
  docId: uuid('doc_id').notNull().references(() => docs.id),
  label: text('label'),
});
export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  token: text('token').notNull().unique(),
});
`;
const drizzleHead = `import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { apiKeys, attachments, docs } from './schema';
const db = drizzle(process.env.DATABASE_URL ?? '');
declare function send(x: unknown): void;
declare const user: { id: string };
`;
function drizzleProject(body: string): { code: string; filename: string } {
  return onDisk(`${drizzleHead}${body}`, 'src/service.ts', {
    'package.json': JSON.stringify({ name: 'verified-parent-drizzle', dependencies: { 'drizzle-orm': '^0.43.1', pg: '^8.13.0' } }),
    'src/schema.ts': DRIZZLE_SCHEMA,
  });
}

const MIGRATION = `create table orgs (id uuid primary key);
create table users (id uuid primary key);
create table docs (id uuid primary key, org_id uuid not null references orgs (id), owner_id uuid not null references users (id), title text);
create index on docs (org_id, id);
create table attachments (id uuid primary key, doc_id uuid not null references docs (id), label text);
create table api_keys (id uuid primary key, org_id uuid not null references orgs (id), token text not null unique);
create index on api_keys (org_id, id);
`;
const knexHead = `import knex from 'knex';
const db = knex({ client: 'pg' });
declare function send(x: unknown): void;
`;
function knexProject(body: string): { code: string; filename: string } {
  return onDisk(`${knexHead}${body}`, 'src/service.ts', {
    'package.json': JSON.stringify({ name: 'verified-parent-knex', dependencies: { knex: '^3.1.0', pg: '^8.13.0' } }),
    'migrations/20240101000000_init.sql': MIGRATION,
  });
}

const pgHead = `import { Pool } from 'pg';
const pool = new Pool();
`;
function pgProject(body: string): { code: string; filename: string } {
  return onDisk(`${pgHead}${body}`, 'src/service.ts', {
    'package.json': JSON.stringify({ name: 'verified-parent-pg', dependencies: { pg: '^8.13.0' } }),
    'migrations/20240101000000_init.sql': MIGRATION,
  });
}

ruleTester.run('require-tenant-filter: a row verified through a scoped read of its parent', rule, {
  valid: [
    // Prisma, documenso's shape: the attachment by id, its document read with the tenant, the delete after the check
    prisma(`export async function remove(id: string, orgId: string) {
  const attachment = await prisma.attachment.findFirst({ where: { id }, include: { doc: true } });
  if (!attachment) throw new Error('not found');
  const doc = await prisma.doc.findFirst({ where: { id: attachment.docId, orgId } });
  if (!doc) throw new Error('not found');
  if (attachment.doc.status === 'done') throw new Error('locked');
  await prisma.attachment.delete({ where: { id } });
}`),
    // Prisma: the parent's filter built by a helper from the row's key and the user (not analysable, reported as such)
    prisma(`export async function remove(id: string, userId: string) {
  const attachment = await prisma.attachment.findFirst({ where: { id } });
  if (!attachment) throw new Error('not found');
  const { where } = await whereFor({ id: attachment.docId, userId });
  const doc = await prisma.doc.findFirst({ where });
  if (!doc) throw new Error('not found');
  await prisma.attachment.update({ where: { id }, data: { label: 'x' } });
  return attachment;
}`),
    // Prisma: the parent read throws when missing
    prisma(`export async function rename(id: string, orgId: string, label: string) {
  const attachment = await prisma.attachment.findUnique({ where: { id } });
  if (!attachment) throw new Error('not found');
  await prisma.doc.findFirstOrThrow({ where: { id: attachment.docId, orgId } });
  return prisma.attachment.update({ where: { id }, data: { label } });
}`),
    // Drizzle: rows destructured to the first
    drizzleProject(`export async function remove(id: string, orgId: string) {
  const [attachment] = await db.select().from(attachments).where(eq(attachments.id, id));
  if (!attachment) throw new Error('not found');
  const [doc] = await db.select().from(docs).where(and(eq(docs.id, attachment.docId), eq(docs.orgId, orgId)));
  if (!doc) throw new Error('not found');
  return attachment;
}`),
    // Knex: the parent read with the tenant
    knexProject(`export async function get(id: string, orgId: string) {
  const attachment = await db('attachments').where('id', id).first();
  if (!attachment) throw new Error('not found');
  const doc = await db('docs').where({ id: attachment.doc_id, org_id: orgId }).first();
  if (!doc) throw new Error('not found');
  return attachment;
}`),
    // raw SQL (pg): rows destructured to the first, the parent read with the tenant
    pgProject(`export async function get(id: string, orgId: string) {
  const { rows: [attachment] } = await pool.query('SELECT * FROM attachments WHERE id = $1', [id]);
  if (!attachment) throw new Error('not found');
  const { rows: [doc] } = await pool.query('SELECT id FROM docs WHERE id = $1 AND org_id = $2', [attachment.doc_id, orgId]);
  if (!doc) throw new Error('not found');
  return attachment;
}`),
  ],
  invalid: [
    // raw SQL (pg): the parent read is not scoped
    { ...pgProject(`export async function get(id: string) {
  const { rows: [attachment] } = await pool.query('SELECT * FROM attachments WHERE id = $1', [id]);
  if (!attachment) throw new Error('not found');
  const { rows: [doc] } = await pool.query('SELECT id FROM docs WHERE id = $1', [attachment.doc_id]);
  if (!doc) throw new Error('not found');
  return attachment;
}`), errors: [missing, missing] },
    // the parent read is not scoped: any document matches (the attachment, the document, the delete)
    { ...prisma(`export async function remove(id: string, org: string) {
  const attachment = await prisma.attachment.findFirst({ where: { id } });
  if (!attachment) throw new Error('not found');
  const doc = await prisma.doc.findFirst({ where: { id: attachment.docId } });
  if (!doc) throw new Error('not found');
  await prisma.attachment.delete({ where: { id } });
}`), errors: [missing, missing, missing] },
    // the row is sent before the check
    { ...prisma(`export async function remove(id: string, org: string) {
  const attachment = await prisma.attachment.findFirst({ where: { id } });
  if (!attachment) throw new Error('not found');
  send(attachment);
  const doc = await prisma.doc.findFirst({ where: { id: attachment.docId, orgId: org } });
  if (!doc) throw new Error('not found');
  await prisma.attachment.delete({ where: { id } });
}`), errors: [missing, missing] },
    // the check only logs
    { ...prisma(`export async function remove(id: string, org: string) {
  const attachment = await prisma.attachment.findFirst({ where: { id } });
  if (!attachment) throw new Error('not found');
  const doc = await prisma.doc.findFirst({ where: { id: attachment.docId, orgId: org } });
  if (!doc) console.warn('not the tenant');
  await prisma.attachment.delete({ where: { id } });
}`), errors: [missing, missing] },
    // the delete runs before the check
    { ...prisma(`export async function remove(id: string, org: string) {
  const attachment = await prisma.attachment.findFirst({ where: { id } });
  if (!attachment) throw new Error('not found');
  await prisma.attachment.delete({ where: { id } });
  const doc = await prisma.doc.findFirst({ where: { id: attachment.docId, orgId: org } });
  if (!doc) throw new Error('not found');
}`), errors: [missing] },
    // the parent read is keyed by the client's id, not the row's
    { ...prisma(`export async function remove(id: string, docId: string, org: string) {
  const attachment = await prisma.attachment.findFirst({ where: { id } });
  if (!attachment) throw new Error('not found');
  const doc = await prisma.doc.findFirst({ where: { id: docId, orgId: org } });
  if (!doc) throw new Error('not found');
  return attachment;
}`), errors: [missing] },
    // Drizzle: the parent read is not scoped
    { ...drizzleProject(`export async function remove(id: string) {
  const [attachment] = await db.select().from(attachments).where(eq(attachments.id, id));
  if (!attachment) throw new Error('not found');
  const [doc] = await db.select().from(docs).where(eq(docs.id, attachment.docId));
  if (!doc) throw new Error('not found');
  return attachment;
}`), errors: [missing, missing] },
    // Knex: the row is returned before... nothing checks it
    { ...knexProject(`export async function get(id: string, orgId: string) {
  const attachment = await db('attachments').where('id', id).first();
  if (!attachment) throw new Error('not found');
  const doc = await db('docs').where({ id: attachment.doc_id, org_id: orgId }).first();
  if (!doc) send(attachment);
  return attachment;
}`), errors: [missing] },
  ],
});

ruleTester.run('require-tenant-filter: a destructured row and a guard that reads the row', rule, {
  valid: [
    // Drizzle: `const [row] = ...` checked against the tenant before any use
    drizzleProject(`export async function get(id: string, orgId: string) {
  const [doc] = await db.select().from(docs).where(eq(docs.id, id));
  if (!doc || doc.orgId !== orgId) throw new Error('not found');
  return doc;
}`),
    // Drizzle, Cap's upload.ts: used only in a branch that checks the owner first
    drizzleProject(`export async function upsert(id: string) {
  const [doc] = await db.select().from(docs).where(eq(docs.id, id));
  if (doc) {
    if (doc.ownerId !== user.id) throw new Error('forbidden');
    return doc.title;
  }
  return null;
}`),
    // Prisma: a guard helper whose read is the check
    prisma(`export async function assertAccess(id: string, userId: string) {
  const doc = await prisma.doc.findUnique({ where: { id } });
  if (!doc || doc.ownerId !== userId) throw new Error('forbidden');
}`),
    // Drizzle: the same guard helper
    drizzleProject(`export async function assertAccess(id: string, userId: string) {
  const [doc] = await db.select().from(docs).where(eq(docs.id, id)).limit(1);
  if (!doc) throw new Error('not found');
  if (doc.ownerId !== userId) throw new Error('forbidden');
}`),
    // Knex: the same guard helper
    knexProject(`export async function assertAccess(id: string, userId: string) {
  const doc = await db('docs').where('id', id).first();
  if (doc?.owner_id !== userId) throw new Error('forbidden');
}`),
    // raw SQL (pg): a secret whose row's tenant is read
    pgProject(`export async function orgOf(token: string) {
  const { rows } = await pool.query('SELECT org_id FROM api_keys WHERE token = $1', [token]);
  if (rows.length === 0) throw new Error('unauthorized');
  return rows[0].org_id;
}`),
    // Prisma: a check that answers with the comparison alone
    prisma(`export async function canAccess(id: string, userId: string) {
  const doc = await prisma.doc.findUnique({ where: { id } });
  return doc?.ownerId === userId;
}`),
    // Drizzle: a secret whose row's tenant is read
    drizzleProject(`export async function orgOf(token: string) {
  const [key] = await db.select().from(apiKeys).where(eq(apiKeys.token, token));
  if (!key) throw new Error('unauthorized');
  return key.orgId;
}`),
  ],
  invalid: [
    // Drizzle: the row is sent before the check
    { ...drizzleProject(`export async function get(id: string, orgId: string, res: { json(x: unknown): void }) {
  const [doc] = await db.select().from(docs).where(eq(docs.id, id));
  res.json(doc);
  if (doc.orgId !== orgId) throw new Error('not found');
}`), errors: [missing] },
    // Drizzle: the branch uses the row before the owner check
    { ...drizzleProject(`export async function upsert(id: string) {
  const [doc] = await db.select().from(docs).where(eq(docs.id, id));
  if (doc) {
    send(doc.title);
    if (doc.ownerId !== user.id) throw new Error('forbidden');
  }
}`), errors: [missing] },
    // Prisma: the owner compared with a value the client sends
    { ...prisma(`export async function assertAccess(id: string, body: { owner: string }) {
  const doc = await prisma.doc.findUnique({ where: { id } });
  if (!doc || doc.ownerId !== body.owner) throw new Error('forbidden');
}`), errors: [missing] },
    // Drizzle: the comparison does not stop the function
    { ...drizzleProject(`export async function assertAccess(id: string, userId: string) {
  const [doc] = await db.select().from(docs).where(eq(docs.id, id)).limit(1);
  if (doc.ownerId !== userId) console.warn('not the owner');
  return doc;
}`), errors: [missing] },
    // raw SQL (pg): a secret only tested for existence, destructured
    { ...pgProject(`export async function check(token: string) {
  const { rows } = await pool.query('SELECT id FROM api_keys WHERE token = $1', [token]);
  if (rows.length === 0) throw new Error('unauthorized');
  return true;
}`), errors: [missing] },
    // Prisma: the comparison answers for a value the client sends
    { ...prisma(`export async function canAccess(id: string, body: { owner: string }) {
  const doc = await prisma.doc.findUnique({ where: { id } });
  return doc?.ownerId === body.owner;
}`), errors: [missing] },
    // Drizzle: a secret only tested for existence, whatever tenant it names
    { ...drizzleProject(`export async function check(token: string) {
  const [key] = await db.select().from(apiKeys).where(eq(apiKeys.token, token));
  if (!key) throw new Error('unauthorized');
  return true;
}`), errors: [missing] },
  ],
});

// The scanner reaches the same verdicts as the editor: documenso's shape and its unscoped twin.
const { makeProject } = useScratch();

describe('scan: a row verified through its parent', () => {
  const project = (parentWhere: string) =>
    makeProject({
      'package.json': JSON.stringify({ name: 'verified-parent-scan', private: true, dependencies: { '@prisma/client': '^6.8.0' } }),
      'prisma/schema.prisma': PRISMA_SCHEMA,
      'src/db.ts': `import { PrismaClient } from '@prisma/client';\n\nexport const prisma = new PrismaClient();\n`,
      'src/attachments.ts': `import { prisma } from './db';

export async function deleteAttachment(id: string, orgId: string) {
  const attachment = await prisma.attachment.findFirst({ where: { id } });
  if (!attachment) throw new Error('not found');
  const doc = await prisma.doc.findFirst({ where: ${parentWhere} });
  if (!doc) throw new Error('not found');
  await prisma.attachment.delete({ where: { id } });
}
`,
    });
  const lines = async (path: string) =>
    (await scan({ path })).findings
      .filter((f) => f.ruleId === 'require-tenant-filter')
      .map((f) => f.line)
      .sort((a, b) => a - b);

  it('scoped parent: nothing', async () => {
    expect(await lines(project('{ id: attachment.docId, orgId }'))).toEqual([]);
  });

  it('unscoped parent: the read, the parent and the delete', async () => {
    expect(await lines(project('{ id: attachment.docId }'))).toEqual([4, 6, 8]);
  });
});
