// Sequelize raw SQL, session 14 (issue 16, verifywise G7/G9): `sequelize.query(sql, { replacements })`
// on a `sequelize-typescript` instance is a SQL sink, its `:name` / `?` replacements and `$name`
// binds are parameters with the values the call passes, and a dotted `sqlSinks` entry is read (or
// rejected), never ignored. Each safe shape beside its unsafe twin, through both faces.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

const MIGRATION = `CREATE TABLE organizations (id SERIAL PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE incidents (
  id SERIAL PRIMARY KEY,
  organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  title TEXT NOT NULL
);
CREATE INDEX incidents_org ON incidents (organization_id);
`;

// verifywise's Servers/database/db.ts: the instance is built from sequelize-typescript and imported by path.
const DB = `import { Sequelize } from 'sequelize-typescript';
export const sequelize = new Sequelize(process.env.DB_NAME!, process.env.DB_USER!, process.env.DB_PASS, { dialect: 'postgres' });
`;

function project(files: Record<string, string>, config?: object): string {
  return makeProject({
    'package.json': JSON.stringify({ dependencies: { 'sequelize-typescript': '2', sequelize: '6', express: '4' } }),
    'migrations/0001_init.sql': MIGRATION,
    'src/database/db.ts': DB,
    ...(config ? { 'tenant-lint.config.json': JSON.stringify(config) } : {}),
    ...files,
  });
}

function filterLines(result: Awaited<ReturnType<typeof scan>>, file: string): number[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === file).map((f) => f.line);
}

describe('sequelize-typescript: `sequelize.query` with named replacements', () => {
  const utils = [
    `import { QueryTypes } from 'sequelize';`,
    `import { sequelize } from '../database/db';`,
    `export const getIncident = (id: number, organizationId: number) =>`,
    `  sequelize.query('SELECT * FROM incidents WHERE organization_id = :organizationId AND id = :id', { replacements: { organizationId, id }, type: QueryTypes.SELECT });`,
    `export const getIncidentUnscoped = (id: number) =>`,
    `  sequelize.query('SELECT * FROM incidents WHERE id = :id', { replacements: { id }, type: QueryTypes.SELECT });`,
    '',
  ].join('\n');

  it('namedReplacementsScoped ok / withoutTheTenantKey err: both faces agree', async () => {
    const dir = project({ 'src/utils/incident.utils.ts': utils });
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites).toEqual([]);
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1, notTraced: 0 });
    expect(filterLines(result, 'src/utils/incident.utils.ts')).toEqual([6]);
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.scanner.get('src/utils/incident.utils.ts')).toEqual(['6 missingTenantFilter']);
    expect(faces.eslint).toEqual(faces.scanner);
  });

  it('the finding underlines the table where the SQL text names it', async () => {
    const dir = project({ 'src/utils/incident.utils.ts': utils });
    const [finding] = (await scan({ path: dir })).findings.filter((f) => f.ruleId === 'require-tenant-filter');
    const column = "  sequelize.query('SELECT * FROM incidents".length - 'incidents'.length + 1;
    expect(finding).toMatchObject({ line: 6, column, endColumn: column + 'incidents'.length });
  });

  it('aReplacementsObjectHeldInAConst ok / itsTwinWithoutTheTenant err', async () => {
    const dir = project({
      'src/utils/audit.utils.ts': [
        `import { sequelize } from '../database/db';`,
        `export async function listScoped(organizationId: number, title?: string) {`,
        `  const replacements: Record<string, unknown> = { organizationId };`,
        `  if (title) replacements.title = title;`,
        `  return sequelize.query(\`SELECT COUNT(*) AS count FROM incidents i WHERE i.organization_id = :organizationId AND i.title::text = :title\`, { replacements });`,
        `}`,
        `export async function listAll(title: string) {`,
        `  const replacements = { title };`,
        `  return sequelize.query('SELECT COUNT(*) AS count FROM incidents i WHERE i.title = :title', { replacements });`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1 });
    expect(filterLines(result, 'src/utils/audit.utils.ts')).toEqual([9]);
  });

  it('positionalReplacementsScoped ok / positionalUnscoped err; the table after a `?` is still underlined', async () => {
    const dir = project({
      'src/utils/positional.utils.ts': [
        `import { sequelize } from '../database/db';`,
        `export const one = (organizationId: number, id: number) => sequelize.query('SELECT * FROM incidents WHERE organization_id = ? AND id = ?', { replacements: [organizationId, id] });`,
        `export const any = (id: number) => sequelize.query('WITH p AS (SELECT ? AS id) SELECT * FROM incidents, p WHERE incidents.id = p.id', { replacements: [id] });`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1, notTraced: 0 });
    const findings = result.findings.filter((f) => f.ruleId === 'require-tenant-filter');
    // `FROM incidents` after the `?` (now `$1`, one character longer) is underlined where it is written.
    const source = "export const any = (id: number) => sequelize.query('WITH p AS (SELECT ? AS id) SELECT * FROM incidents, p WHERE incidents.id = p.id', { replacements: [id] });";
    expect(findings.map((f) => [f.line, f.column])).toEqual([[3, source.indexOf('incidents') + 1]]);
  });

  it('namedBindsScoped ok / bindArrayUnscoped err', async () => {
    const dir = project({
      'src/utils/bind.utils.ts': [
        `import { sequelize } from '../database/db';`,
        `export const named = (organizationId: number, id: number) => sequelize.query('UPDATE incidents SET title = $title WHERE organization_id = $org AND id = $id', { bind: { title: 'x', org: organizationId, id } });`,
        `export const positional = (id: number) => sequelize.query('UPDATE incidents SET title = $1 WHERE id = $2', { bind: ['x', id] });`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1 });
    expect(filterLines(result, 'src/utils/bind.utils.ts')).toEqual([3]);
  });

  it('aCastAStringAndAJsonbQuestionMarkAreNotPlaceholders ok / theSameQueryWithoutTheTenant err', async () => {
    const dir = project({
      'src/utils/literal.utils.ts': [
        `import { sequelize } from '../database/db';`,
        `export const a = (organizationId: number) => sequelize.query("SELECT id::text, ':not' AS label FROM incidents WHERE organization_id = :organizationId -- :comment", { replacements: { organizationId } });`,
        `export const b = () => sequelize.query("SELECT id::text, ':not' AS label FROM incidents WHERE title = ':organizationId'", { replacements: { organizationId: 1 } });`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1 });
    expect(filterLines(result, 'src/utils/literal.utils.ts')).toEqual([3]);
  });
});

describe('a tenant value the session pins, and one the client chose', () => {
  // The root read by its key is scoped when the value is the verified session's: the replacement's value is followed.
  const route = (value: string) =>
    project({
      'src/middleware/auth.ts': [
        `import jwt from 'jsonwebtoken';`,
        `export function authenticateJWT(req: any, _res: any, next: () => void) {`,
        `  const decoded = jwt.verify(req.headers.authorization, process.env.JWT_SECRET!) as { organizationId: number };`,
        `  req.user = { organizationId: decoded.organizationId };`,
        `  next();`,
        `}`,
        '',
      ].join('\n'),
      'src/routes/org.route.ts': [
        `import express from 'express';`,
        `import { sequelize } from '../database/db';`,
        `import { authenticateJWT } from '../middleware/auth';`,
        `const router = express.Router();`,
        `router.get('/org', authenticateJWT, async (req: any, res: any) => {`,
        `  const rows = await sequelize.query('SELECT * FROM organizations WHERE id = :organizationId', { replacements: { organizationId: ${value} } });`,
        `  res.json(rows);`,
        `});`,
        `export default router;`,
        '',
      ].join('\n'),
    });

  it('theRootByTheVerifiedUsersOrganization ok', async () => {
    const result = await scan({ path: route('req.user.organizationId') });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, scoped: 1, notTraced: 0 });
  });

  it('theRootByAnIdFromTheBody is not scoped', async () => {
    const result = await scan({ path: route('req.body.organizationId') });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, scoped: 0, notTraced: 0 });
  });
});

describe('`sqlSinks` with a dotted path', () => {
  // A receiver the flow engine cannot trace (an untyped migration parameter): only the configuration names it.
  const migrationLike = [
    `export async function up(queryInterface: any) {`,
    `  await queryInterface.sequelize.query('DELETE FROM incidents WHERE id = :id', { replacements: { id: 1 } });`,
    `  await queryInterface.sequelize.other('DELETE FROM incidents WHERE id = 1');`,
    `}`,
    '',
  ].join('\n');

  it('aDottedSinkMatchesTheEndOfTheCallee err / anotherMethodOfTheSameReceiverIsNot', async () => {
    const dir = project({ 'src/tools/cleanup.ts': migrationLike }, { sqlSinks: ['sequelize.query'], systemPaths: [] });
    const result = await scan({ path: dir });
    expect(filterLines(result, 'src/tools/cleanup.ts')).toEqual([2]);
  });

  it('without the configuration the same call is counted as not traced, with the reason', async () => {
    const dir = project({ 'src/tools/cleanup.ts': migrationLike }, { systemPaths: [] });
    const result = await scan({ path: dir });
    expect(filterLines(result, 'src/tools/cleanup.ts')).toEqual([]);
    expect(result.coverage.notTracedSites.map((s) => s.line)).toContain(2);
  });

  it('an entry that is neither a name nor a dotted path is rejected when the configuration loads', async () => {
    const dir = project({ 'src/tools/cleanup.ts': migrationLike }, { sqlSinks: ['sequelize.query()'] });
    await expect(scan({ path: dir })).rejects.toThrow(/sqlSinks.*dotted callee path/);
  });
});
