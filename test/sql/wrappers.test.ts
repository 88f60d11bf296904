import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Raw SQL sent through the project's own helper (umami's `rawQuery(sql, params)`), found without
 * configuration: a function whose parameter reaches a library SQL sink in its body is a sink too.
 */

const { makeProject } = useScratch();

const MIGRATION = `CREATE TABLE organizations (id uuid PRIMARY KEY);
CREATE TABLE invoices (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations(id),
  total int NOT NULL
);
CREATE INDEX invoices_org ON invoices (org_id, id);
`;

const DB = `import { Pool } from 'pg';

const pool = new Pool();

export async function rawQuery(sql: string, data: Record<string, unknown>) {
  const params: unknown[] = [];
  const text = sql.replace(/\\{\\{\\s*(\\w+)\\s*\\}\\}/g, (_m, name: string) => {
    params.push(data[name]);
    return '$' + params.length;
  });
  return (await pool.query(text, params)).rows;
}

export function logQuery(sql: string) {
  console.log(sql);
}
`;

function repo(files: Record<string, string>): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'w', private: true, dependencies: { pg: '^8.16.0' } }),
    'migrations/0001_init.sql': MIGRATION,
    'src/db.ts': DB,
    ...files,
  });
}

async function filterFindings(dir: string) {
  const result = await scan({ path: dir });
  return { findings: result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`), seen: result.coverage.seen };
}

describe('a project helper that sends its argument as SQL', () => {
  it('by id alone: reported at the helper call', async () => {
    const dir = repo({ 'src/invoices.ts': `import { rawQuery } from './db';\n\nexport const invoiceById = (id: string) =>\n  rawQuery(\`select * from invoices where id = {{id}}\`, { id });\n` });
    const { findings, seen } = await filterFindings(dir);
    expect(findings).toEqual(['src/invoices.ts:4 warning']);
    // the helper's own `pool.query(text)` is seen too (its SQL is a parameter: not analysable there)
    expect(seen).toBe(2);
  });

  it('with the tenant: analysed, not reported', async () => {
    const dir = repo({ 'src/invoices.ts': `import { rawQuery } from './db';\n\nexport const invoiceById = (orgId: string, id: string) =>\n  rawQuery(\`select * from invoices where org_id = {{orgId}} and id = {{id}}\`, { orgId, id });\n` });
    const { findings, seen } = await filterFindings(dir);
    expect(findings).toEqual([]);
    expect(seen).toBe(2);
  });

  it('a helper that only logs its argument is not a sink', async () => {
    const dir = repo({ 'src/invoices.ts': `import { logQuery } from './db';\n\nexport const show = () => logQuery(\`select * from invoices\`);\n` });
    const { findings, seen } = await filterFindings(dir);
    expect(findings).toEqual([]);
    expect(seen).toBe(1);
  });
});

describe('a dispatch table handed to a plain function (runQuery({ pg: () => ... }))', () => {
  const run = `export function runQuery(queries: { pg: () => Promise<unknown> }) {\n  return queries.pg();\n}\n`;
  const invoices = `import { rawQuery } from './db';\nimport { runQuery } from './run';\n\nexport function invoiceById(id: string) {\n  return runQuery({\n    pg: () => rawQuery(\`select * from invoices where id = {{id}}\`, { id }),\n  });\n}\n`;
  const routes = (check: string) =>
    `import express from 'express';\nimport { invoiceById } from './invoices';\nimport { assertInvoiceAccess } from './access';\n\nexport const app = express();\napp.get('/invoices/:id', async (req, res) => {\n${check}  res.json(await invoiceById(req.params.id));\n});\n`;
  const access = `export async function assertInvoiceAccess(id: string) {\n  if (!id) throw new Error('forbidden');\n}\n`;

  it('the callbacks are the enclosing function: its route checks access first, warning', async () => {
    const dir = repo({ 'src/run.ts': run, 'src/access.ts': access, 'src/invoices.ts': invoices, 'src/routes.ts': routes('  await assertInvoiceAccess(req.params.id);\n') });
    expect((await filterFindings(dir)).findings).toEqual(['src/invoices.ts:6 warning']);
  });

  it('the route does not check: error', async () => {
    const dir = repo({ 'src/run.ts': run, 'src/access.ts': access, 'src/invoices.ts': invoices, 'src/routes.ts': routes('') });
    expect((await filterFindings(dir)).findings).toEqual(['src/invoices.ts:6 error']);
  });
});
