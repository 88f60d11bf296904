import { prismaCase, vitestRuleTester } from '../helpers/rule-tester.js';
import rule from '../../rules/require-tenant-filter.js';
import { onDisk } from '../helpers/on-disk.js';

// Issue 13, class 2 (session 16 fresh repos): a row verified within the tenant earlier in the function,
// in shapes the first pass missed: the check read chained with `.catch(...)` (unkey's github router), a
// TypeORM write keyed by the loaded row's own id (openops' app-connection service).
const ruleTester = vitestRuleTester();
const missing = { messageId: 'missingTenantFilter' as const };

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
import * as schema from './schema';
import { docs } from './schema';
const db = drizzle(process.env.DATABASE_URL ?? '', { schema });
declare function notFound(): Error;
`;
function drizzleProject(body: string): { code: string; filename: string } {
  return onDisk(`${drizzleHead}${body}`, 'src/service.ts', {
    'package.json': JSON.stringify({ name: 'rows-verified-drizzle', dependencies: { 'drizzle-orm': '^0.43.1', pg: '^8.13.0' } }),
    'src/schema.ts': DRIZZLE_SCHEMA,
  });
}

const typeormHead = `import { DataSource } from 'typeorm';
import { Connection } from './connection.entity';
const dataSource = new DataSource({ type: 'postgres' });
const repo = () => dataSource.getRepository(Connection);
declare function notFound(): Error;
`;
function typeormProject(body: string): { code: string; filename: string } {
  return onDisk(`${typeormHead}${body}`, 'src/service.ts', {
    'package.json': JSON.stringify({ name: 'rows-verified-typeorm', dependencies: { typeorm: '^0.3.20', pg: '^8.13.0' } }),
    'src/project.entity.ts': "import { Entity, PrimaryColumn, Column } from 'typeorm';\n@Entity()\nexport class Project { @PrimaryColumn() id: string; @Column() name: string; }\n",
    'src/connection.entity.ts':
      "import { Entity, PrimaryColumn, Column, ManyToOne, Index } from 'typeorm';\nimport { Project } from './project.entity';\n@Entity()\n@Index(['projectId', 'id'])\nexport class Connection { @PrimaryColumn() id: string; @Column() projectId: string; @ManyToOne(() => Project) project: Project; @Column() name: string; @Column() value: string; }\n",
  });
}

ruleTester.run('require-tenant-filter: a TypeORM write keyed by the own id of a row loaded within the tenant', rule, {
  valid: [
    typeormProject(`export async function patch(projectId: string, request: { id: string; value: string }) {
  const existing = await repo().findOneBy({ id: request.id, projectId });
  if (!existing) throw notFound();
  await repo().update(existing.id, { ...request, id: existing.id, projectId });
}`),
    typeormProject(`export async function rename(projectId: string, name: string, value: string) {
  const existing = await repo().findOneBy({ projectId, name });
  if (existing === null) return null;
  await repo().update(existing.id, { value });
  return existing;
}`),
    // The same in Prisma (already followed: the key is an equality of `where`).
    prisma(`export async function bump(orgId: string, number: number) {
  const invoice = await prisma.invoice.findFirst({ where: { orgId, number } });
  if (!invoice) return null;
  return prisma.invoice.update({ where: { id: invoice.id }, data: { number: number + 1 } });
}`),
  ],
  invalid: [
    // The row read without the tenant: reported at the read (the write follows it, as for a read of the same table).
    { ...typeormProject(`export async function patch(projectId: string, request: { id: string; value: string }) {
  const existing = await repo().findOneBy({ id: request.id });
  if (!existing) throw notFound();
  await repo().update(existing.id, { ...request, id: existing.id, projectId });
}`), errors: [missing] },
    // A different id: the client's, not the loaded row's.
    { ...typeormProject(`export async function patch(projectId: string, request: { id: string; targetId: string; value: string }) {
  const existing = await repo().findOneBy({ id: request.id, projectId });
  if (!existing) throw notFound();
  await repo().update(request.targetId, { value: request.value });
}`), errors: [missing] },
    { ...prisma(`export async function bump(org: string, targetId: string, number: number) {
  const invoice = await prisma.invoice.findFirst({ where: { orgId: org, number } });
  if (!invoice) return null;
  return prisma.invoice.update({ where: { id: targetId }, data: { number: number + 1 } });
}`), errors: [missing] },
  ],
});

// The check read chained with `.catch(...)` (unkey's github router: `db.query.apps.findFirst({ where: ... id,
// workspaceId }).catch(() => { throw new TRPCError(...) })`, then `if (!app) throw`, then the update by the
// same id). A handler that throws or hands back nothing leaves the check a check. Twins: the handler returns
// a value (the check then passes on a failed read), the read is not scoped, the write takes another id.
ruleTester.run('require-tenant-filter: a check read chained with .catch', rule, {
  valid: [
    prisma(`export async function renumber(orgId: string, id: string, number: number) {
  const invoice = await prisma.invoice.findFirst({ where: { id, orgId } }).catch(() => {
    throw notFound();
  });
  if (!invoice) throw notFound();
  await prisma.invoice.update({ where: { id }, data: { number } });
}`),
    prisma(`export async function renumber(orgId: string, id: string, number: number) {
  const invoice = await prisma.invoice.findFirst({ where: { id, orgId } }).catch(() => null);
  if (!invoice) return null;
  return prisma.invoice.update({ where: { id }, data: { number } });
}`),
    drizzleProject(`export async function retitle(orgId: string, input: { id: string; title: string }) {
  const doc = await db.query.docs
    .findFirst({ where: (table, { and, eq }) => and(eq(table.id, input.id), eq(table.orgId, orgId)), columns: { id: true } })
    .catch(() => {
      throw notFound();
    });
  if (!doc) throw notFound();
  await db.update(docs).set({ title: input.title }).where(eq(docs.id, input.id));
}`),
  ],
  invalid: [
    { ...prisma(`export async function renumber(org: string, id: string, number: number) {
  const invoice = await prisma.invoice.findFirst({ where: { id, orgId: org } }).catch(() => ({ id }));
  if (!invoice) throw notFound();
  await prisma.invoice.update({ where: { id }, data: { number } });
}`), errors: [missing] },
    { ...prisma(`export async function renumber(org: string, id: string, otherId: string, number: number) {
  const invoice = await prisma.invoice.findFirst({ where: { id, orgId: org } }).catch(() => {
    throw notFound();
  });
  if (!invoice) throw notFound();
  await prisma.invoice.update({ where: { id: otherId }, data: { number } });
}`), errors: [missing] },
    { ...drizzleProject(`export async function retitle(orgId: string, input: { id: string; title: string }) {
  const doc = await db.query.docs
    .findFirst({ where: (table, { eq }) => eq(table.id, input.id), columns: { id: true } })
    .catch(() => {
      throw notFound();
    });
  if (!doc) throw notFound();
  await db.update(docs).set({ title: input.title }).where(eq(docs.id, input.id));
}`), errors: [missing, missing] },
    { ...drizzleProject(`export async function retitle(orgId: string, input: { id: string; title: string }) {
  const doc = await db.query.docs
    .findFirst({ where: (table, { and, eq }) => and(eq(table.id, input.id), eq(table.orgId, orgId)), columns: { id: true } })
    .catch((error) => {
      console.error(error);
      return { id: input.id };
    });
  if (!doc) throw notFound();
  await db.update(docs).set({ title: input.title }).where(eq(docs.id, input.id));
}`), errors: [missing] },
  ],
});
