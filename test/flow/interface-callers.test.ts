import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Callers the call graph must find (issue 13, class 4: a check in the caller), each met in the
 * field as a "nothing calls it" misreading of judged sample F:
 * - a method called through a receiver typed with an interface its class implements (unleash
 *   `this.store.getUserIdsForRole(...)`, `store: IAccessStore`, F094-F096), or with an abstract class;
 * - a function chosen into a local (`options.runShard ?? runLogsnagInsightsShard`, capgo F086) or
 *   stored in an object under another key, then called;
 * - a default export imported under a local name beside many other modules of the same file name
 *   (retraced `import getActiveSearch from '../../models/active_search/get'`, F009).
 * Each safe shape (the only caller checks the board it passes: not reported) has an unsafe twin (a
 * second caller that checks nothing: error, naming that route), in several data layers.
 */

const { makeProject } = useScratch();

type Orm = 'prisma' | 'kysely' | 'pg';

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id     String  @id
  boards Board[]
}

model Board {
  id             String       @id
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  cards          Card[]
  @@index([organizationId, id])
}

model Card {
  id      String @id
  title   String
  boardId String
  board   Board  @relation(fields: [boardId], references: [id])
  @@index([boardId])
}
`;

const MIGRATION = `CREATE TABLE organizations (id uuid PRIMARY KEY);
CREATE TABLE boards (id uuid PRIMARY KEY, organization_id uuid NOT NULL REFERENCES organizations(id));
CREATE INDEX boards_org ON boards (organization_id, id);
CREATE TABLE cards (id uuid PRIMARY KEY, title text, board_id uuid NOT NULL REFERENCES boards(id));
CREATE INDEX cards_board ON cards (board_id);
`;

const AUTH = `export async function canUpdateBoard(user: { id: string }, boardId: string): Promise<boolean> {\n  return Boolean(user.id && boardId);\n}\n`;

/** The client module and the one query, a delete of a board's cards by the board's key, per data layer. */
const LAYERS: Record<Orm, { db: string; clear: string; dependencies: Record<string, string> }> = {
  prisma: {
    db: `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
    clear: `db.card.deleteMany({ where: { boardId } })`,
    dependencies: { '@prisma/client': '^6.8.0', express: '^5.1.0' },
  },
  kysely: {
    db: `import { Kysely, PostgresDialect } from 'kysely';\nimport { Pool } from 'pg';\nexport const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool() }) });\n`,
    clear: `db.deleteFrom('cards').where('board_id', '=', boardId).execute()`,
    dependencies: { kysely: '^0.27.0', pg: '^8.11.0', express: '^5.1.0' },
  },
  pg: {
    db: `import { Pool } from 'pg';\nexport const db = new Pool();\n`,
    clear: `db.query('DELETE FROM cards WHERE board_id = $1', [boardId])`,
    dependencies: { pg: '^8.11.0', express: '^5.1.0' },
  },
};

function repo(orm: Orm, files: Record<string, string>): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: LAYERS[orm].dependencies }),
    ...(orm === 'prisma' ? { 'prisma/schema.prisma': PRISMA_SCHEMA } : { 'migrations/0001_init.sql': MIGRATION }),
    'src/db.ts': LAYERS[orm].db,
    'src/auth.ts': AUTH,
    ...files,
  });
}

/** A route that checks the board before `call` (an expression of `req.params.boardId`), and its unchecked twin. */
const checked = (call: string) =>
  `app.delete('/boards/:boardId/cards', async (req: any, res: any) => {\n  if (!(await canUpdateBoard(req.user, req.params.boardId))) return res.status(403).end();\n  res.json(await ${call});\n});\n`;
const unchecked = (call: string) => `app.delete('/p/:boardId/cards', async (req: any, res: any) => {\n  res.json(await ${call});\n});\n`;

function routes(imports: string, body: string): string {
  return `import express from 'express';\nimport { canUpdateBoard } from './auth';\n${imports}\nexport const app = express();\n${body}`;
}

async function severities(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`);
}

/**
 * What the safe shape gives: not reported, where the layer's query is scoped through the parent the
 * caller checked; for raw SQL the paths policy does not read that parent scoping yet, so a warning
 * (defence in depth) whose evidence names the caller's check: the caller was found either way.
 */
async function expectSafe(dir: string, orm: Orm, file: string): Promise<void> {
  const result = await scan({ path: dir });
  const found = result.findings.filter((f) => f.ruleId === 'require-tenant-filter');
  if (orm !== 'pg') {
    expect(found.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual([]);
    return;
  }
  expect(found.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual([`${file} warning`]);
  expect(found[0]?.evidence).toContain('canUpdateBoard');
  expect(found[0]?.evidence).not.toContain('Nothing in the repository calls');
}

async function evidence(dir: string): Promise<string> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => f.evidence).join('\n');
}

describe.each(['prisma', 'kysely', 'pg'] as Orm[])('a method called through a receiver typed with the interface its class implements (%s)', (orm) => {
  const files = (body: string) => ({
    // unleash's shape: the interface in a module of types, the class in another, and the service
    // (which imports only the interface) holds a field typed with it, assigned from its constructor.
    'src/types.ts': `export interface ICardStore {\n  clearCards(boardId: string): Promise<unknown>;\n}\n`,
    'src/card-store.ts': `import { db } from './db';\nimport type { ICardStore } from './types';\n\nexport class CardStore implements ICardStore {\n  async clearCards(boardId: string) {\n    return ${LAYERS[orm].clear};\n  }\n}\n`,
    'src/card-service.ts': `import type { ICardStore } from './types';\n\nexport class CardService {\n  private store: ICardStore;\n\n  constructor(store: ICardStore) {\n    this.store = store;\n  }\n\n  async clear(boardId: string) {\n    return this.store.clearCards(boardId);\n  }\n}\n`,
    'src/routes.ts': routes(`import { CardService } from './card-service';\nimport { CardStore } from './card-store';\nconst service = new CardService(new CardStore());\n`, body),
  });

  it('the only route checks the board: scoped through it, not "nothing calls it"', async () => {
    await expectSafe(repo(orm, files(checked('service.clear(req.params.boardId)'))), orm, 'src/card-store.ts:6');
  });

  it('twin: a second route checks nothing: error, through the interface', async () => {
    const dir = repo(orm, files(checked('service.clear(req.params.boardId)') + unchecked('service.clear(req.params.boardId)')));
    expect(await severities(dir)).toEqual(['src/card-store.ts:6 error']);
    expect(await evidence(dir)).toContain('src/routes.ts');
  });
});

describe.each(['prisma', 'kysely', 'pg'] as Orm[])('a method called through a receiver typed with an abstract class its class extends (%s)', (orm) => {
  const files = (body: string) => ({
    'src/card-repository.ts': `export abstract class CardRepository {\n  abstract clearCards(boardId: string): Promise<unknown>;\n}\n`,
    'src/card-store.ts': `import { db } from './db';\nimport { CardRepository } from './card-repository';\n\nexport class SqlCardRepository extends CardRepository {\n  async clearCards(boardId: string) {\n    return ${LAYERS[orm].clear};\n  }\n}\n`,
    'src/card-service.ts': `import { CardRepository } from './card-repository';\n\nexport class CardService {\n  constructor(private readonly cards: CardRepository) {}\n\n  async clear(boardId: string) {\n    return this.cards.clearCards(boardId);\n  }\n}\n`,
    'src/routes.ts': routes(`import { CardService } from './card-service';\nimport { SqlCardRepository } from './card-store';\nconst service = new CardService(new SqlCardRepository());\n`, body),
  });

  it('the only route checks the board: scoped through it, not "nothing calls it"', async () => {
    await expectSafe(repo(orm, files(checked('service.clear(req.params.boardId)'))), orm, 'src/card-store.ts:6');
  });

  it('twin: a second route checks nothing: error', async () => {
    expect(await severities(repo(orm, files(checked('service.clear(req.params.boardId)') + unchecked('service.clear(req.params.boardId)'))))).toEqual(['src/card-store.ts:6 error']);
  });
});

describe.each(['prisma', 'kysely', 'pg'] as Orm[])('a method of an object literal declared as the interface a receiver is typed with (%s)', (orm) => {
  const files = (body: string) => ({
    'src/types.ts': `export interface ICardStore {\n  clearCards(boardId: string): Promise<unknown>;\n}\n`,
    'src/card-store.ts': `import { db } from './db';\nimport type { ICardStore } from './types';\n\nexport const cardStore: ICardStore = {\n  async clearCards(boardId: string) {\n    return ${LAYERS[orm].clear};\n  },\n};\n`,
    'src/card-service.ts': `import type { ICardStore } from './types';\n\nexport function cardService(store: ICardStore) {\n  return { clear: (boardId: string) => store.clearCards(boardId) };\n}\n`,
    'src/routes.ts': routes(`import { cardService } from './card-service';\nimport { cardStore } from './card-store';\nconst service = cardService(cardStore);\n`, body),
  });

  it('the only route checks the board: scoped through it, not "nothing calls it"', async () => {
    await expectSafe(repo(orm, files(checked('service.clear(req.params.boardId)'))), orm, 'src/card-store.ts:6');
  });

  it('twin: a second route checks nothing: error', async () => {
    expect(await severities(repo(orm, files(checked('service.clear(req.params.boardId)') + unchecked('service.clear(req.params.boardId)'))))).toEqual(['src/card-store.ts:6 error']);
  });
});

describe.each(['prisma', 'kysely', 'pg'] as Orm[])('a callback handed to a method of the same class that calls it (%s)', (orm) => {
  // unleash's instance stats: `return this.memorize('count', () => this.store.count())`, the method
  // running the callback for the one that hands it (behind a cache), not registering a handler.
  const files = (body: string) => ({
    'src/types.ts': `export interface ICardStore {\n  clearCards(boardId: string): Promise<unknown>;\n}\n`,
    'src/card-store.ts': `import { db } from './db';\nimport type { ICardStore } from './types';\n\nexport class CardStore implements ICardStore {\n  async clearCards(boardId: string) {\n    return ${LAYERS[orm].clear};\n  }\n}\n`,
    'src/card-service.ts': `import type { ICardStore } from './types';\n\nexport class CardService {\n  private memory = new Map<string, Promise<unknown>>();\n\n  constructor(private readonly store: ICardStore) {}\n\n  memorize<T>(key: string, fn: () => Promise<T>): Promise<unknown> {\n    const known = this.memory.get(key);\n    if (known) return known;\n    const value = fn();\n    this.memory.set(key, value);\n    return value;\n  }\n\n  clear(boardId: string) {\n    return this.memorize(boardId, () => this.store.clearCards(boardId));\n  }\n}\n`,
    'src/routes.ts': routes(`import { CardService } from './card-service';\nimport { CardStore } from './card-store';\nconst service = new CardService(new CardStore());\n`, body),
  });

  it('the only route checks the board: scoped through it, not an unchecked handler registered with `this.memorize`', async () => {
    await expectSafe(repo(orm, files(checked('service.clear(req.params.boardId)'))), orm, 'src/card-store.ts:6');
  });

  it('twin: a second route checks nothing: error, through that route', async () => {
    const dir = repo(orm, files(checked('service.clear(req.params.boardId)') + unchecked('service.clear(req.params.boardId)')));
    expect(await severities(dir)).toEqual(['src/card-store.ts:6 error']);
    expect(await evidence(dir)).toContain('src/routes.ts');
    expect(await evidence(dir)).not.toContain('registered with `this.memorize');
  });
});

describe('a receiver typed with an interface that another class implements', () => {
  // The call dispatches to the implementations of the interface it names, not to every class with a
  // method of that name (the caller's module does not import the unrelated class's either).
  it('the method of a class that does not implement it is still called by nothing: warning', async () => {
    const dir = repo('prisma', {
      'src/types.ts': `export interface ICardStore {\n  clearCards(boardId: string): Promise<unknown>;\n}\n`,
      'src/card-store.ts': `import { db } from './db';\n\nexport class CardStore {\n  async clearCards(boardId: string) {\n    return ${LAYERS.prisma.clear};\n  }\n}\n`,
      'src/other.ts': `import type { ICardStore } from './types';\n\nexport class OtherStore implements ICardStore {\n  async clearCards(boardId: string) {\n    return boardId;\n  }\n}\n\nexport async function clear(store: ICardStore, boardId: string) {\n  return store.clearCards(boardId);\n}\n`,
      'src/routes.ts': routes(`import { clear, OtherStore } from './other';\n`, unchecked('clear(new OtherStore(), req.params.boardId)')),
    });
    expect(await severities(dir)).toEqual(['src/card-store.ts:5 warning']);
    expect(await evidence(dir)).toContain('Nothing in the repository calls');
  });

  it('twin: the class implements it: the route through the interface, error', async () => {
    const dir = repo('prisma', {
      'src/types.ts': `export interface ICardStore {\n  clearCards(boardId: string): Promise<unknown>;\n}\n`,
      'src/card-store.ts': `import { db } from './db';\nimport type { ICardStore } from './types';\n\nexport class CardStore implements ICardStore {\n  async clearCards(boardId: string) {\n    return ${LAYERS.prisma.clear};\n  }\n}\n`,
      'src/other.ts': `import type { ICardStore } from './types';\n\nexport async function clear(store: ICardStore, boardId: string) {\n  return store.clearCards(boardId);\n}\n`,
      'src/routes.ts': routes(`import { clear } from './other';\nimport { CardStore } from './card-store';\n`, unchecked('clear(new CardStore(), req.params.boardId)')),
    });
    expect(await severities(dir)).toEqual(['src/card-store.ts:6 error']);
  });
});

describe.each(['prisma', 'kysely', 'pg'] as Orm[])('a function chosen into a local with `??` and called through it (%s)', (orm) => {
  const files = (body: string) => ({
    'src/cards.ts': `import { db } from './db';\n\nexport async function clearCards(boardId: string) {\n  return ${LAYERS[orm].clear};\n}\n`,
    // capgo's shape: an injectable runner with the real function as its fallback.
    'src/jobs.ts': `import { clearCards } from './cards';\n\nexport async function removeCards(boardId: string, options: { run?: (id: string) => Promise<unknown> } = {}) {\n  const run = options.run ?? clearCards;\n  return Promise.resolve().then(() => run(boardId));\n}\n`,
    'src/routes.ts': routes(`import { removeCards } from './jobs';\n`, body),
  });

  it('the only route checks the board: scoped through it, not "nothing calls it"', async () => {
    await expectSafe(repo(orm, files(checked('removeCards(req.params.boardId)'))), orm, 'src/cards.ts:4');
  });

  it('twin: a second route checks nothing: error', async () => {
    expect(await severities(repo(orm, files(checked('removeCards(req.params.boardId)') + unchecked('removeCards(req.params.boardId)'))))).toEqual(['src/cards.ts:4 error']);
  });
});

describe.each(['prisma', 'pg'] as Orm[])('a function stored in an object under another key and called by it (%s)', (orm) => {
  const files = (body: string) => ({
    'src/cards.ts': `import { db } from './db';\n\nexport async function clearCards(boardId: string) {\n  return ${LAYERS[orm].clear};\n}\n`,
    'src/jobs.ts': `import { clearCards } from './cards';\n\nconst handlers = { clear: clearCards };\n\nexport async function removeCards(boardId: string) {\n  return handlers.clear(boardId);\n}\n`,
    'src/routes.ts': routes(`import { removeCards } from './jobs';\n`, body),
  });

  it('the only route checks the board: scoped through it, not "nothing calls it"', async () => {
    await expectSafe(repo(orm, files(checked('removeCards(req.params.boardId)'))), orm, 'src/cards.ts:4');
  });

  it('twin: a second route checks nothing: error', async () => {
    expect(await severities(repo(orm, files(checked('removeCards(req.params.boardId)') + unchecked('removeCards(req.params.boardId)'))))).toEqual(['src/cards.ts:4 error']);
  });
});

describe.each(['prisma', 'kysely', 'pg'] as Orm[])('a default export imported under its own name among many modules called `get` (%s)', (orm) => {
  // Nine other `models/<table>/get` modules, imported under their own names by a file listed first.
  const others: Record<string, string> = {};
  const names = ['users', 'teams', 'tags', 'labels', 'lists', 'notes', 'files', 'links', 'votes'];
  for (const name of names) others[`src/models/${name}/get.ts`] = `export default async function (id: string) {\n  return id;\n}\n`;
  const aliases = names.map((name) => `import get_${name} from './${name}/get';`).join('\n');
  const files = (body: string) => ({
    ...others,
    'src/models/a-index.ts': `${aliases}\n\nexport const getters = [${names.map((name) => `get_${name}`).join(', ')}];\n`,
    'src/models/cards/get.ts': `import { db } from '../../db';\n\nexport default async function (boardId: string) {\n  return ${LAYERS[orm].clear};\n}\n`,
    'src/routes.ts': routes(`import clearBoardCards from './models/cards/get';\n`, body),
  });

  it('the only route checks the board: scoped through it, not "nothing calls it"', async () => {
    await expectSafe(repo(orm, files(checked('clearBoardCards(req.params.boardId)'))), orm, 'src/models/cards/get.ts:4');
  });

  it('twin: a second route checks nothing: error', async () => {
    expect(await severities(repo(orm, files(checked('clearBoardCards(req.params.boardId)') + unchecked('clearBoardCards(req.params.boardId)'))))).toEqual(['src/models/cards/get.ts:4 error']);
  });
});
