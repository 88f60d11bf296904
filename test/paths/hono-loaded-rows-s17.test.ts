import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { APP, AUTH, contactBookHelper, ORMS, type Orm, type OrmFiles } from '../helpers/hono-team-app.js';

/*
 * useSend's public API (issue 13), Hono handlers behind a middleware that resolves the team from a
 * verified API key (`c.set('team', ...)`, read back with `c.var.team`):
 * - verify-domain.ts: `let domain = null`, assigned in each branch by a read within the team
 *   (`findFirst({ where: { teamId: team.id, id: domainId } })`), then `if (!domain) return 404`, then
 *   `domain.update({ where: { id: domainId } })`: the id was found within the team first.
 *   Twin: without the check of `domain`, error.
 * - get-contact.ts: `const contactBook = await getContactBook(c, team.id)`, a helper of another file
 *   that loads the book within the team and throws when missing, then `contact.findFirst({ where: { id,
 *   contactBookId: contactBook.id } })`: the contact hangs off a parent the tenant owns.
 *   Twin: a helper handed the team's id that does not use it, error.
 * In Prisma and Drizzle.
 */

const { makeProject } = useScratch();

const verifyDomain = (o: OrmFiles, checked: boolean) => `${o.imports}
import { app } from './app';

app.post('/v1/domains/:id/verify', async (c) => {
  const team = c.var.team;
  const domainId = Number(c.req.param('id'));
  let domain = null;
  if (team.restricted) {
    domain = ${o.domainRead};
  } else {
    domain = ${o.domainRead};
  }
${checked ? "  if (!domain) {\n    return c.json({ error: 'Domain not found' }, 404);\n  }\n" : ''}  ${o.domainUpdate}
  return c.json({ ok: true });
});
`;

const utils = (o: OrmFiles, scoped: boolean) => contactBookHelper(o, { scoped, throws: true });

const getContact = (o: OrmFiles) => `${o.imports}
import { app } from './app';
import { getContactBook } from './api-utils';

app.get('/v1/contactBooks/:contactBookId/contacts/:contactId', async (c) => {
  const team = c.var.team;
  const contactBook = await getContactBook(c, team.id);
  const contactId = c.req.param('contactId');
  const contact = ${o.contactRead};
  if (!contact) return c.json({ error: 'Contact not found' }, 404);
  return c.json(contact);
});
`;

function project(orm: Orm, files: Record<string, string>): string {
  const o = ORMS[orm];
  return makeProject({
    'package.json': JSON.stringify({ name: 'mail', private: true, dependencies: { ...o.deps, hono: '^4.0.0' } }),
    ...o.files,
    'src/app.ts': APP,
    'src/auth.ts': AUTH,
    ...files,
  });
}

/** The 1-based line of `marker` in `source`. */
const lineOf = (source: string, marker: string) => source.slice(0, source.indexOf(marker)).split('\n').length;

async function findings(dir: string, file: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === file).map((f) => `${f.line} ${f.severity}`);
}

describe.each(['prisma', 'drizzle'] as Orm[])('a Hono handler that finds the row within the team first (%s)', (orm) => {
  const o = ORMS[orm];

  it('`let domain` assigned by a read within the team in each branch, then checked: no finding', async () => {
    expect(await findings(project(orm, { 'src/verify-domain.ts': verifyDomain(o, true) }), 'src/verify-domain.ts')).toEqual([]);
  });

  it('twin: the update without the check of `domain`: error', async () => {
    const source = verifyDomain(o, false);
    expect(await findings(project(orm, { 'src/verify-domain.ts': source }), 'src/verify-domain.ts')).toEqual([`${lineOf(source, o.domainUpdate)} error`]);
  });

  it("keyed by the id of a parent a helper of another file loaded within the team: no finding", async () => {
    expect(await findings(project(orm, { 'src/api-utils.ts': utils(o, true), 'src/get-contact.ts': getContact(o) }), 'src/get-contact.ts')).toEqual([]);
  });

  it('twin: the helper is handed the team id but does not use it: error', async () => {
    const source = getContact(o);
    expect(await findings(project(orm, { 'src/api-utils.ts': utils(o, false), 'src/get-contact.ts': source }), 'src/get-contact.ts')).toEqual([`${lineOf(source, 'const contact =')} error`]);
  });
});
