import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { APP, AUTH, contactBookHelper, ORMS, type Orm, type OrmFiles } from '../helpers/hono-team-app.js';

/*
 * useSend's delete-contact-book.ts (public API, Hono): the handler reads
 * `c.req.valid('param').contactBookId`, calls `await getContactBook(c, team.id)` (a helper of another
 * file that reads the same route parameter with `c.req.param('contactBookId')`, loads the book with
 * `{ id, teamId }` and throws when it is missing), then a service deletes the book by its id alone.
 * The helper checks the parameter the handler passes on: `c.req.valid('param').x`, `c.req.param('x')`
 * and `c.req.param().x` are one request value. Twin: the helper returns `null` instead of throwing, error.
 * In Prisma and Drizzle.
 */

const { makeProject } = useScratch();

const utils = (o: OrmFiles, throws: boolean) => contactBookHelper(o, { scoped: true, throws });

const service = (o: OrmFiles) => `${o.imports}

export async function deleteContactBook(id: string) {
  return ${o.bookDelete};
}
`;

/** `read`: how the handler reads the route parameter. */
const handler = (read: string) => `import { app } from './app';
import { getContactBook } from './api-utils';
import { deleteContactBook } from './service';

app.delete('/v1/contactBooks/:contactBookId', async (c) => {
  const team = c.var.team;
  const contactBookId = ${read};
  await getContactBook(c, team.id);
  const deleted = await deleteContactBook(contactBookId);
  return c.json({ id: deleted, success: true });
});
`;

function project(orm: Orm, throws: boolean, read: string): string {
  const o = ORMS[orm];
  return makeProject({
    'package.json': JSON.stringify({ name: 'mail', private: true, dependencies: { ...o.deps, hono: '^4.0.0' } }),
    ...o.files,
    'src/app.ts': APP,
    'src/auth.ts': AUTH,
    'src/api-utils.ts': utils(o, throws),
    'src/service.ts': service(o),
    'src/delete-contact-book.ts': handler(read),
  });
}

/** The 1-based line of `marker` in `source`. */
const lineOf = (source: string, marker: string) => source.slice(0, source.indexOf(marker)).split('\n').length;

async function findings(dir: string, file: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === file).map((f) => `${f.line} ${f.severity}`);
}

const READS = ["c.req.valid('param').contactBookId", "c.req.param('contactBookId')", 'c.req.param().contactBookId'];

describe.each(['prisma', 'drizzle'] as Orm[])('a Hono handler whose helper checks the route parameter it reads itself (%s)', (orm) => {
  const o = ORMS[orm];

  it.each(READS)('read as `%s`, checked by the helper that throws: no error', async (read) => {
    const found = await findings(project(orm, true, read), 'src/service.ts');
    expect(found.filter((f) => f.endsWith('error'))).toEqual([]);
  });

  it('twin: the helper returns null when the book is missing: error', async () => {
    const source = service(o);
    expect(await findings(project(orm, false, READS[0]!), 'src/service.ts')).toEqual([`${lineOf(source, o.bookDelete)} error`]);
  });
});
