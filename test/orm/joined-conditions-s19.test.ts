import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Issue 13, verifywise's getScansListQuery (utils/aiDetection.utils.ts:280): the conditions of a raw
 * query are an array that starts with the tenant's (`['s.organization_id = :organizationId']`), filled
 * by `push`, and joined with ` AND ` into `const whereClause = \`WHERE ${conditions.join(' AND ')}\``:
 * the starting condition holds on every path. Twins: an array that starts without the tenant, and a
 * pushed condition with a top-level `OR`, stay errors. With node-postgres and Sequelize.
 */

const { makeProject } = useScratch();

const SCHEMA = `CREATE TABLE organizations (id integer PRIMARY KEY);
CREATE TABLE scans (id integer PRIMARY KEY, organization_id integer NOT NULL REFERENCES organizations(id), status text);
CREATE INDEX scans_org ON scans (organization_id, id);
`;

type Client = 'pg' | 'sequelize';

const CLIENTS: Record<Client, { deps: Record<string, string>; head: string; tenant: string; status: string; run: (sql: string) => string }> = {
  pg: {
    deps: { pg: '^8.11.0' },
    head: `import pg from 'pg';\nconst pool = new pg.Pool();\n`,
    tenant: 's.organization_id = $1',
    status: 's.status = $2',
    run: (sql) => `pool.query(${sql}, params)`,
  },
  sequelize: {
    deps: { sequelize: '^6.37.0' },
    head: `import { QueryTypes, Sequelize } from 'sequelize';\nconst sequelize = new Sequelize(process.env.DATABASE_URL!);\n`,
    tenant: 's.organization_id = :organizationId',
    status: 's.status = :status',
    run: (sql) => `sequelize.query(${sql}, { replacements: params, type: QueryTypes.SELECT })`,
  },
};

function project(client: Client, first: string, pushed: string): string {
  const c = CLIENTS[client];
  return makeProject({
    'package.json': JSON.stringify({ name: 'scans', private: true, dependencies: c.deps }),
    'migrations/001_init.sql': SCHEMA,
    'src/scans.ts': `${c.head}
export async function listScans(organizationId: number, status?: string) {
  const params: any = client === 'pg' ? [organizationId] : { organizationId };
  const conditions: string[] = [${JSON.stringify(first)}];
  if (status) conditions.push(${JSON.stringify(pushed)});
  const whereClause = \`WHERE \${conditions.join(' AND ')}\`;
  return ${c.run('`SELECT s.* FROM scans s ${whereClause} ORDER BY s.id`')};
}
const client = ${JSON.stringify(client)};
`,
  });
}

async function findings(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  const query = readFileSync(join(dir, 'src/scans.ts'), 'utf8').split('\n').findIndex((line) => line.includes('SELECT s.*')) + 1;
  const reported = result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/scans.ts').map((f) => `${f.line === query ? 'query' : f.line} ${f.severity}`);
  // Not read at all (the interpolation stays a value): counted as not analysable, never as scoped.
  const unread = result.unknown.filter((u) => u.ruleId === 'require-tenant-filter' && u.file === 'src/scans.ts' && u.line === query).map(() => 'query not analysable');
  return [...reported, ...unread];
}

describe.each(['pg', 'sequelize'] as Client[])('conditions pushed into an array joined with AND (%s)', (client) => {
  const c = CLIENTS[client];

  it('the array starts with the tenant condition: no finding', async () => {
    expect(await findings(project(client, c.tenant, c.status))).toEqual([]);
  });

  it('twin: the array starts without the tenant condition: still reported', async () => {
    expect(await findings(project(client, c.status, c.tenant))).toEqual(['query warning']);
  });

  it('twin: a pushed condition with a top-level OR is not read as scoped (not analysable, as before)', async () => {
    expect(await findings(project(client, c.tenant, `${c.status} OR s.status IS NULL`))).toEqual(['query not analysable']);
  });
});
