import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * knex's `raw(text, bindings)` (teable, issue 16): `?` are positional bindings. The text did not
 * parse with them and every call was unknown; they are now numbered parameters, so the filter is
 * read. `??` binds a table or column name at run time: still unknown, with that reason.
 */

const { makeProject } = useScratch();

function repo(body: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { knex: '^3.1.0', pg: '^8.16.0', express: '^5.1.0' } }),
    'migrations/0001_init.sql': `CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE invoices (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id), note text);\n`,
    'src/db.ts': `import knex from 'knex';\nexport const db = knex({ client: 'pg' });\n`,
    'src/routes.ts': `import express from 'express';\nimport { db } from './db';\n\nexport const app = express();\napp.get('/invoices/:id', async (req: any, res: any) => {\n${body}\n  res.json([]);\n});\n`,
  });
}

async function outcome(body: string): Promise<{ findings: string[]; unknown: string[] }> {
  const result = await scan({ path: repo(body) });
  return {
    findings: result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.line} ${f.severity}`),
    unknown: result.unknown.map((u) => u.reason),
  };
}

describe('knex.raw bindings', () => {
  it('? bound to the session tenant: scoped ok', async () => {
    expect(await outcome("  await db.raw(`SELECT id FROM invoices WHERE id = ? AND org_id = ? AND note <> '?'`, [req.params.id, req.user.orgId]);")).toEqual({ findings: [], unknown: [] });
  });
  it('twin: ? bound to the route id only: reported at the table err', async () => {
    const { findings, unknown } = await outcome("  await db.raw('SELECT id FROM invoices WHERE id = ?', [req.params.id]);");
    expect(findings).toEqual(['6 error']);
    expect(unknown).toEqual([]);
  });
  it('twin: ?? names the table at run time: unknown, not guessed err', async () => {
    const { findings, unknown } = await outcome("  await db.raw('SELECT id FROM ?? WHERE id = ?', ['invoices', req.params.id]);");
    expect(findings).toEqual([]);
    expect(unknown).toEqual([expect.stringContaining('`??` binding')]);
  });
});
