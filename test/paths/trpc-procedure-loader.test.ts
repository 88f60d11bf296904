import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * useSend's resource procedures: `contactBookProcedure = teamProcedure.input(...).use(async ({ ctx,
 * next, input }) => { const contactBook = await db.contactBook.findUnique({ where: { id:
 * input.contactBookId, teamId: ctx.team.id } }); if (!contactBook) throw new TRPCError({ code:
 * 'NOT_FOUND' }); return next({ ctx: { ...ctx, contactBook } }) })`. A resolver on it hands services
 * `ctx.contactBook.id` (or the input id the middleware looked up): a query of the book's contacts
 * by that id is scoped through the verified parent (not reported, as after any check of the parent
 * key), and an update of the book by it alone is defence in depth (warning), not an open path.
 * Twins: a lookup whose tenant the client gives, one whose missing row does not stop the request, a
 * resolver that hands another input id, and a procedure with no such middleware stay errors.
 */

const { makeProject } = useScratch();

const PRISMA_SCHEMA = `datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n
model User {\n  id    String     @id\n  teams TeamUser[]\n}
model Team {\n  id           String        @id\n  users        TeamUser[]\n  contactBooks ContactBook[]\n}
model TeamUser {\n  id     String @id\n  teamId String\n  userId String\n  team   Team   @relation(fields: [teamId], references: [id])\n  user   User   @relation(fields: [userId], references: [id])\n  @@unique([teamId, userId])\n}
model ContactBook {\n  id       String    @id\n  name     String\n  teamId   String\n  team     Team      @relation(fields: [teamId], references: [id])\n  contacts Contact[]\n  @@index([teamId, id])\n}
model Contact {\n  id            String      @id\n  email         String\n  contactBookId String\n  contactBook   ContactBook @relation(fields: [contactBookId], references: [id])\n}
`;

const DRIZZLE_SCHEMA = `import { pgTable, text } from 'drizzle-orm/pg-core';
export const users = pgTable('users', { id: text('id').primaryKey() });
export const teams = pgTable('teams', { id: text('id').primaryKey() });
export const teamUsers = pgTable('team_users', {
  id: text('id').primaryKey(),
  teamId: text('team_id').notNull().references(() => teams.id),
  userId: text('user_id').notNull().references(() => users.id),
});
export const contactBooks = pgTable('contact_books', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  teamId: text('team_id').notNull().references(() => teams.id),
});
export const contacts = pgTable('contacts', {
  id: text('id').primaryKey(),
  email: text('email').notNull(),
  contactBookId: text('contact_book_id').notNull().references(() => contactBooks.id),
});
`;

interface Layer {
  deps: Record<string, string>;
  files: Record<string, string>;
  imports: string;
  /** The middleware's lookup of the row, given the filter's two values. */
  lookup: (id: string, team: string) => string;
  teamLookup: string;
  service: string;
}

const PRISMA: Layer = {
  deps: { '@prisma/client': '^6.8.0' },
  files: {
    'prisma/schema.prisma': PRISMA_SCHEMA,
    'src/server/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
  },
  imports: `import { db } from './db';`,
  lookup: (id, team) => `const contactBook = await db.contactBook.findUnique({ where: { id: ${id}, teamId: ${team} } });`,
  teamLookup: `const teamUser = await db.teamUser.findFirst({ where: { userId: ctx.session.user.id }, include: { team: true } });`,
  service: `import { db } from '../db';
export async function countContacts(contactBookId: string) {
  return db.contact.count({ where: { contactBookId } });
}
export async function renameBook(id: string, name: string) {
  return db.contactBook.update({ where: { id }, data: { name } });
}
`,
};

const DRIZZLE: Layer = {
  deps: { 'drizzle-orm': '^0.44.0', postgres: '^3.4.0' },
  files: {
    'src/server/schema.ts': DRIZZLE_SCHEMA,
    'src/server/db.ts': `import { drizzle } from 'drizzle-orm/postgres-js';\nimport postgres from 'postgres';\nimport * as schema from './schema';\nexport const db = drizzle(postgres(process.env.DATABASE_URL!), { schema });\n`,
  },
  imports: `import { and, eq } from 'drizzle-orm';\nimport { db } from './db';\nimport { contactBooks, teamUsers } from './schema';`,
  lookup: (id, team) => `const [contactBook] = await db.select().from(contactBooks).where(and(eq(contactBooks.id, ${id}), eq(contactBooks.teamId, ${team})));`,
  teamLookup: `const [teamUser] = await db.select().from(teamUsers).where(eq(teamUsers.userId, ctx.session.user.id));`,
  service: `import { count, eq } from 'drizzle-orm';
import { db } from '../db';
import { contactBooks, contacts } from '../schema';
export async function countContacts(contactBookId: string) {
  return db.select({ n: count() }).from(contacts).where(eq(contacts.contactBookId, contactBookId));
}
export async function renameBook(id: string, name: string) {
  return db.update(contactBooks).set({ name }).where(eq(contactBooks.id, id));
}
`,
};

interface Variant {
  /** The tenant value of the middleware's lookup. */
  team?: string;
  /** What the middleware does when the row is missing. */
  missing?: string;
  /** The id the rename resolver hands the service. */
  renamed?: string;
  /** The procedure the resolvers are on. */
  procedure?: string;
}

function project(layer: Layer, variant: Variant = {}): Record<string, string> {
  const { team = 'ctx.team.id', missing = "throw new TRPCError({ code: 'NOT_FOUND' });", renamed = 'input.contactBookId', procedure = 'contactBookProcedure' } = variant;
  return {
    'package.json': JSON.stringify({ name: 'usesend-like', private: true, dependencies: { ...layer.deps, '@trpc/server': '^11.0.0', zod: '^3.24.0', 'next-auth': '^4.24.0' } }),
    ...layer.files,
    'src/server/trpc.ts': `import { initTRPC, TRPCError } from '@trpc/server';
import { getServerSession } from 'next-auth';
import { z } from 'zod';
${layer.imports}

export async function createContext() {
  const session = await getServerSession();
  return { session };
}
const t = initTRPC.context<Awaited<ReturnType<typeof createContext>>>().create();
export const createTRPCRouter = t.router;

export const protectedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.session?.user) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return next({ ctx: { session: ctx.session } });
});

export const teamProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  ${layer.teamLookup}
  if (!teamUser) throw new TRPCError({ code: 'NOT_FOUND' });
  return next({ ctx: { ...ctx, team: { id: teamUser.teamId } } });
});

export const contactBookProcedure = teamProcedure
  .input(z.object({ contactBookId: z.string() }))
  .use(async ({ ctx, next, input }) => {
    ${layer.lookup('input.contactBookId', team)}
    if (!contactBook) {
      ${missing}
    }
    return next({ ctx: { ...ctx, contactBook } });
  });
`,
    'src/server/services/contact-book.ts': layer.service,
    'src/server/routers/contacts.ts': `import { z } from 'zod';
import { ${procedure}, createTRPCRouter } from '../trpc';
import { countContacts, renameBook } from '../services/contact-book';

export const contactsRouter = createTRPCRouter({
  count: ${procedure}.query(async ({ ctx: { contactBook } }) => {
    return countContacts(contactBook.id);
  }),
  rename: ${procedure}
    .input(z.object({ contactBookId: z.string(), otherBookId: z.string(), name: z.string() }))
    .mutation(async ({ input }) => {
      return renameBook(${renamed}, input.name);
    }),
});
`,
  };
}

async function filterFindings(layer: Layer, variant?: Variant): Promise<string[]> {
  const result = await scan({ path: makeProject(project(layer, variant)) });
  return result.findings
    .filter((f) => f.ruleId === 'require-tenant-filter' && f.file.startsWith('src/server/services/'))
    .map((f) => `${f.line} ${f.severity}`)
    .sort();
}

describe.each([
  ['Prisma', PRISMA, ['3', '6']],
  ['Drizzle', DRIZZLE, ['5', '8']],
])('a tRPC procedure middleware that loads the row within the tenant (useSend contactBookProcedure, %s)', (_name, layer, lines) => {
  const [countLine, renameLine] = lines as [string, string];

  it('the row it put on the context, and the input id it looked the row up by, are checked', async () => {
    expect(await filterFindings(layer)).toEqual([`${renameLine} warning`]);
  });

  it('twin: a lookup whose tenant the client gives checks nothing', async () => {
    expect(await filterFindings(layer, { team: 'input.contactBookId' })).toEqual([`${countLine} error`, `${renameLine} error`]);
  });

  it('twin: a lookup whose missing row does not stop the request checks nothing', async () => {
    expect(await filterFindings(layer, { missing: "console.warn('missing');" })).toEqual([`${countLine} error`, `${renameLine} error`]);
  });

  it('twin: a resolver that hands another input id than the one the middleware looked up', async () => {
    expect(await filterFindings(layer, { renamed: 'input.otherBookId' })).toEqual([`${renameLine} error`]);
  });

  it('twin: a procedure with no such middleware (teamProcedure) leaves both open', async () => {
    expect(await filterFindings(layer, { procedure: 'teamProcedure' })).toEqual([`${countLine} error`, `${renameLine} error`]);
  });
});
