/**
 * A useSend-like Hono mail API (Team > Domain, ContactBook > Contact; a middleware sets the team from a
 * verified token) in Prisma and Drizzle, with the reads and writes the Hono test files of test/paths
 * put into handlers and helpers. Shared so that each file keeps only its own shapes and twins.
 */
export type Orm = 'prisma' | 'drizzle';

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Team {
  id           Int           @id
  domains      Domain[]
  contactBooks ContactBook[]
}

model Domain {
  id          Int     @id
  isVerifying Boolean @default(false)
  teamId      Int
  team        Team    @relation(fields: [teamId], references: [id])
  @@index([teamId, id])
}

model ContactBook {
  id       String    @id
  teamId   Int
  team     Team      @relation(fields: [teamId], references: [id])
  contacts Contact[]
  @@index([teamId, id])
}

model Contact {
  id            String      @id
  email         String
  contactBookId String
  contactBook   ContactBook @relation(fields: [contactBookId], references: [id])
}
`;

const DRIZZLE_SCHEMA = `import { boolean, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
export const teams = pgTable('teams', { id: integer('id').primaryKey() });
export const domains = pgTable('domains', { id: integer('id').primaryKey(), isVerifying: boolean('is_verifying').notNull().default(false), teamId: integer('team_id').notNull().references(() => teams.id) }, (t) => [index('domains_team').on(t.teamId, t.id)]);
export const contactBooks = pgTable('contact_books', { id: text('id').primaryKey(), teamId: integer('team_id').notNull().references(() => teams.id) }, (t) => [index('books_team').on(t.teamId, t.id)]);
export const contacts = pgTable('contacts', { id: text('id').primaryKey(), email: text('email').notNull(), contactBookId: text('contact_book_id').notNull().references(() => contactBooks.id) });
`;

export const APP = `import { Hono } from 'hono';
import { getTeamFromToken } from './auth';

export type AppEnv = { Variables: { team: { id: number; restricted: boolean } } };

export const app = new Hono<AppEnv>();

app.use('*', async (c, next) => {
  const team = await getTeamFromToken(c.req.header('Authorization'));
  c.set('team', team);
  await next();
});
`;

export const AUTH = `import { verify } from 'hono/jwt';

export async function getTeamFromToken(header: string | undefined) {
  const payload = await verify(header ?? '', process.env.SECRET!);
  return { id: Number(payload.teamId), restricted: Boolean(payload.restricted) };
}
`;

export interface OrmFiles {
  deps: Record<string, string>;
  files: Record<string, string>;
  imports: string;
  domainRead: string;
  domainUpdate: string;
  /** The helper's read of the book: `scoped` with the team's id, or by the id alone. */
  bookRead: (scoped: boolean) => string;
  contactRead: string;
  /** The service's delete of a book by its id alone. */
  bookDelete: string;
}

export const ORMS: Record<Orm, OrmFiles> = {
  prisma: {
    deps: { '@prisma/client': '^6.8.0' },
    files: { 'prisma/schema.prisma': PRISMA_SCHEMA, 'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n` },
    imports: `import { db } from './db';`,
    domainRead: 'await db.domain.findFirst({ where: { teamId: team.id, id: domainId } })',
    domainUpdate: 'await db.domain.update({ where: { id: domainId }, data: { isVerifying: true } });',
    bookRead: (scoped) => `await db.contactBook.findFirst({ where: { id: contactBookId${scoped ? ', teamId' : ''} } })`,
    contactRead: 'await db.contact.findFirst({ where: { id: contactId, contactBookId: contactBook.id } })',
    bookDelete: 'await db.contactBook.delete({ where: { id } })',
  },
  drizzle: {
    deps: { 'drizzle-orm': '^0.44.0', pg: '^8.11.0' },
    files: { 'src/schema.ts': DRIZZLE_SCHEMA, 'src/db.ts': `import { drizzle } from 'drizzle-orm/node-postgres';\nexport const db = drizzle(process.env.DATABASE_URL!);\n` },
    imports: `import { and, eq } from 'drizzle-orm';\nimport { db } from './db';\nimport { contactBooks, contacts, domains } from './schema';`,
    domainRead: '(await db.select().from(domains).where(and(eq(domains.teamId, team.id), eq(domains.id, domainId))))[0] ?? null',
    domainUpdate: 'await db.update(domains).set({ isVerifying: true }).where(eq(domains.id, domainId));',
    bookRead: (scoped) => `(await db.select().from(contactBooks).where(${scoped ? 'and(eq(contactBooks.id, contactBookId), eq(contactBooks.teamId, teamId))' : 'eq(contactBooks.id, contactBookId)'}))[0]`,
    contactRead: '(await db.select().from(contacts).where(and(eq(contacts.id, contactId), eq(contacts.contactBookId, contactBook.id))))[0]',
    bookDelete: 'await db.delete(contactBooks).where(eq(contactBooks.id, id))',
  },
};


/**
 * useSend's `getContactBook(c, teamId)` (api-utils.ts): reads the route parameter itself, loads the book (within the
 * team when `scoped`) and throws when it is missing, or returns `null` when `throws` is false.
 */
export const contactBookHelper = (o: OrmFiles, { scoped, throws }: { scoped: boolean; throws: boolean }) => `import type { Context } from 'hono';
${o.imports}

export const getContactBook = async (c: Context, teamId: number) => {
  const contactBookId = c.req.param('contactBookId');
  if (!contactBookId) throw new Error('contactBookId is mandatory');
  const contactBook = ${o.bookRead(scoped)};
  if (!contactBook) ${throws ? "throw new Error('Contact book not found for this team')" : 'return null'};
  return contactBook;
};
`;
