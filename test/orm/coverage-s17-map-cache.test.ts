// Coverage, session 17 (issue 16; appsemble's per-app databases): a client or model read from a
// `Map` cache is whatever the code puts in it (`cache.set(key, value)`, initial entries), a member of
// an object is also what a spread in it holds (`{ sequelize, ...models }`), and a Sequelize model
// reached that way (a model class returned by a factory, `.models.X` of an instance, `a ?? b` of two
// models) is a query site. Each shape beside its twin: unscoped beside scoped, and a map whose values
// cannot be followed stays not traced, with the reason.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';

const { makeProject } = useScratch();

type Result = Awaited<ReturnType<typeof scan>>;

function filterSites(result: Result): string[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`).sort();
}

const SEQUELIZE_MODELS = {
  'package.json': JSON.stringify({ dependencies: { express: '^5.1.0', sequelize: '^6.37.7', pg: '^8' } }),
  'src/models/workspace.ts': [
    `import { DataTypes, Model, type Sequelize } from 'sequelize';`,
    `export class WorkspaceBase extends Model {}`,
    `export function createWorkspaceModel(sequelize: Sequelize): typeof WorkspaceBase {`,
    `  class Workspace extends WorkspaceBase {}`,
    `  Workspace.init({ id: { type: DataTypes.UUID, primaryKey: true }, name: DataTypes.STRING }, { sequelize, tableName: 'Workspace' });`,
    `  return Workspace;`,
    `}`,
    '',
  ].join('\n'),
  'src/models/invoice.ts': [
    `import { DataTypes, Model, type Sequelize } from 'sequelize';`,
    `export class InvoiceBase extends Model {}`,
    `export function createInvoiceModel(sequelize: Sequelize): typeof InvoiceBase {`,
    `  class Invoice extends InvoiceBase {}`,
    `  Invoice.init(`,
    `    {`,
    `      id: { type: DataTypes.UUID, primaryKey: true },`,
    `      workspaceId: { type: DataTypes.UUID, allowNull: false, references: { model: 'Workspace', key: 'id' } },`,
    `      status: DataTypes.STRING,`,
    `    },`,
    `    { sequelize, tableName: 'Invoice', indexes: [{ fields: ['workspaceId', 'id'] }] },`,
    `  );`,
    `  return Invoice;`,
    `}`,
    '',
  ].join('\n'),
};

/** A database per region, its model set cached in a `Map`, as appsemble's `getAppDB(appId)`. */
const REGION_DB = [
  `import { Sequelize } from 'sequelize';`,
  `import { createInvoiceModel } from './models/invoice';`,
  `import { createWorkspaceModel } from './models/workspace';`,
  `const regionDBs = new Map<string, any>();`,
  `export async function getRegionDB(region: string) {`,
  `  const cached = regionDBs.get(region);`,
  `  if (cached) {`,
  `    regionDBs.delete(region);`,
  `    regionDBs.set(region, cached);`,
  `    return cached;`,
  `  }`,
  `  const sequelize = new Sequelize(\`postgres://db-\${region}/app\`);`,
  `  const models = { Invoice: createInvoiceModel(sequelize), Workspace: createWorkspaceModel(sequelize) };`,
  `  regionDBs.set(region, { sequelize, ...models });`,
  `  return regionDBs.get(region)!;`,
  `}`,
  '',
].join('\n');

const ROUTES = [
  `import { Router } from 'express';`,
  `import { getRegionDB } from '../db';`,
  `export const invoices = Router();`,
  `invoices.get('/invoices/:id', async (req, res) => {`,
  `  const { Invoice } = await getRegionDB(req.user.region);`,
  `  res.json(await Invoice.findOne({ where: { id: req.params.id, workspaceId: req.user.workspaceId } }));`,
  `});`,
  `invoices.delete('/invoices/:id', async (req, res) => {`,
  `  const db = await getRegionDB(req.user.region);`,
  `  await db.Invoice.destroy({ where: { id: req.params.id } });`,
  `  res.status(204).end();`,
  `});`,
  '',
].join('\n');

describe('Sequelize: models from a Map cache of per-database model sets', () => {
  it('`getRegionDB(region)` returns what the map holds, `{ sequelize, ...models }`: both queries are analysed, the unscoped one is an error', async () => {
    const dir = makeProject({ ...SEQUELIZE_MODELS, 'src/db.ts': REGION_DB, 'src/routes/invoices.ts': ROUTES });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/routes/invoices.ts:10 error']);
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
  });

  it('twin: a map filled with values the analysis cannot follow stays not traced, and says where the trace stopped', async () => {
    const db = [
      `const regionDBs = new Map<string, any>();`,
      `export function register(region: string, models: any) { regionDBs.set(region, models); }`,
      `export async function getRegionDB(region: string) { return regionDBs.get(region); }`,
      '',
    ].join('\n');
    const routes = ROUTES.replace('const db = await getRegionDB', 'const { Invoice } = await getRegionDB').replace('db.Invoice.destroy', 'Invoice.destroy');
    const dir = makeProject({ ...SEQUELIZE_MODELS, 'src/db.ts': db, 'src/routes/invoices.ts': routes });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 0, notTraced: 2 });
    expect(result.coverage.notTracedSites[0]?.reason).toContain('`models` is a parameter of unknown type');
  });

  it('`db.models.Invoice ?? db.models.LegacyInvoice` of a `Sequelize` instance: the model, scoped or not', async () => {
    const dir = makeProject({
      ...SEQUELIZE_MODELS,
      'src/routes/invoices.ts': [
        `import type { Sequelize } from 'sequelize';`,
        `export async function listOpen(db: Sequelize, workspaceId: string) {`,
        `  const Invoice = db.models.Invoice ?? db.models.LegacyInvoice;`,
        `  return Invoice.findAll({ where: { workspaceId, status: 'open' } });`,
        `}`,
        `export async function removeOne(db: Sequelize, id: string) {`,
        `  const Invoice = db.models.Invoice ?? db.models.LegacyInvoice;`,
        `  return Invoice.destroy({ where: { id } });`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/routes/invoices.ts:8 warning']);
  });
});

const PRISMA = {
  'package.json': JSON.stringify({ dependencies: { express: '^5.1.0', '@prisma/client': '^6' } }),
  'prisma/schema.prisma': [
    `model Workspace {`,
    `  id       String    @id`,
    `  invoices Invoice[]`,
    `}`,
    `model Invoice {`,
    `  id          String    @id`,
    `  workspaceId String`,
    `  workspace   Workspace @relation(fields: [workspaceId], references: [id])`,
    `  @@index([workspaceId, id])`,
    `}`,
    '',
  ].join('\n'),
};

const PRISMA_ROUTES = [
  `import { Router } from 'express';`,
  `import { clientFor } from '../db';`,
  `export const invoices = Router();`,
  `invoices.get('/invoices/:id', async (req, res) => {`,
  `  res.json(await clientFor(req.user.region).invoice.findFirst({ where: { id: req.params.id, workspaceId: req.user.workspaceId } }));`,
  `});`,
  `invoices.delete('/invoices/:id', async (req, res) => {`,
  `  await clientFor(req.user.region).invoice.delete({ where: { id: req.params.id } });`,
  `  res.status(204).end();`,
  `});`,
  '',
].join('\n');

describe('Prisma: a client per region, cached in a Map', () => {
  it('`clients.get(region)` of a map that `connect(region)` fills: the client, scoped or not', async () => {
    const db = [
      `import { PrismaClient } from '@prisma/client';`,
      `const clients = new Map<string, PrismaClient>();`,
      `export function connect(region: string) {`,
      `  clients.set(region, new PrismaClient({ datasourceUrl: process.env[\`DATABASE_URL_\${region}\`] }));`,
      `}`,
      `export function clientFor(region: string) {`,
      `  return clients.get(region)!;`,
      `}`,
      '',
    ].join('\n');
    const dir = makeProject({ ...PRISMA, 'src/db.ts': db, 'src/routes/invoices.ts': PRISMA_ROUTES });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/routes/invoices.ts:8 error']);
    // Traced to the client, not recognised by the model name alone.
    expect(result.findings.find((f) => f.ruleId === 'require-tenant-filter')?.evidence).not.toContain('not traced');
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
  });

  it('initial entries (`new Map([[key, client]])`)', async () => {
    const db = [
      `import { PrismaClient } from '@prisma/client';`,
      `const clients = new Map([['eu', new PrismaClient({ datasourceUrl: process.env.EU_URL })]]);`,
      `export function clientFor(region: string) {`,
      `  return clients.get(region)!;`,
      `}`,
      '',
    ].join('\n');
    const dir = makeProject({ ...PRISMA, 'src/db.ts': db, 'src/routes/invoices.ts': PRISMA_ROUTES });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/routes/invoices.ts:8 error']);
    expect(result.findings.find((f) => f.ruleId === 'require-tenant-filter')?.evidence).not.toContain('not traced');
  });
});

describe('Mongoose: `mongoose.models.X ?? mongoose.model(...)` (the hot-reload guard)', () => {
  const files = (route: string) => ({
    'package.json': JSON.stringify({ dependencies: { express: '^5.1.0', mongoose: '^8' } }),
    'src/models/workspace.ts': `import mongoose, { Schema } from 'mongoose';\nconst WorkspaceSchema = new Schema({ name: String });\nexport const Workspace = mongoose.models.Workspace ?? mongoose.model('Workspace', WorkspaceSchema);\n`,
    'src/models/invoice.ts': `import mongoose, { Schema } from 'mongoose';\nconst InvoiceSchema = new Schema({ workspace: { type: Schema.Types.ObjectId, ref: 'Workspace', required: true }, status: String });\nInvoiceSchema.index({ workspace: 1, _id: 1 });\nexport const Invoice = mongoose.models.Invoice ?? mongoose.model('Invoice', InvoiceSchema);\n`,
    'src/routes/invoices.ts': `import { Router } from 'express';\nimport { Invoice } from '../models/invoice';\nexport const invoices = Router();\ninvoices.delete('/invoices/:id', async (req, res) => {\n  await ${route};\n  res.status(204).end();\n});\n`,
  });

  it('scoped by the workspace: no finding', async () => {
    const result = await scan({ path: makeProject(files(`Invoice.deleteOne({ _id: req.params.id, workspace: req.user.workspaceId })`)) });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, scoped: 1, notTraced: 0 });
    expect(filterSites(result)).toEqual([]);
  });

  it('twin: by `_id` alone, an error', async () => {
    const result = await scan({ path: makeProject(files(`Invoice.deleteOne({ _id: req.params.id })`)) });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, unscoped: 1, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/routes/invoices.ts:5 error']);
  });
});
