import { RuleTester } from '@typescript-eslint/rule-tester';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import rule from '../../rules/require-tenant-filter.js';
import { scan } from '../../src/scan/scan.js';
import { onDisk } from '../helpers/on-disk.js';

const ruleTester = new RuleTester();

// Tenant root `Tenant` (key `tenantId`); Board, Card and ApiKey are tenant models, Comment a child
// of Card; Project's schema uses a tenant plugin that hooks `/^find/` only; Task's schema uses a
// plugin named in the config.
const models = `import mongoose, { Schema, model } from 'mongoose';
import { tenantPlugin } from '../plugins/tenant';

const tenantSchema = new Schema({ name: { type: String, required: true } });
export const Tenant = model('Tenant', tenantSchema);

export interface IBoard { tenantId: string; name: string }
export const boardSchema = new Schema<IBoard>({
  tenantId: { type: Schema.Types.ObjectId, ref: 'Tenant', required: true, index: true },
  name: { type: String, required: true },
});
export const Board = model<IBoard>('Board', boardSchema);

const cardSchema = new Schema({
  tenantId: { type: Schema.Types.ObjectId, ref: 'Tenant', required: true, index: true },
  board: { type: Schema.Types.ObjectId, ref: 'Board', required: true },
  title: String,
  status: String,
});
export const Card = mongoose.models.Card || mongoose.model('Card', cardSchema);

const commentSchema = new Schema({
  card: { type: Schema.Types.ObjectId, ref: 'Card', required: true, index: true },
  body: String,
});
export const Comment = model('Comment', commentSchema);

const apiKeySchema = new Schema({
  tenantId: { type: Schema.Types.ObjectId, ref: 'Tenant', required: true, index: true },
  tokenHash: { type: String, required: true, unique: true },
});
export const ApiKey = model('ApiKey', apiKeySchema);

const projectSchema = new Schema({
  tenantId: { type: Schema.Types.ObjectId, ref: 'Tenant', required: true, index: true },
  name: String,
});
projectSchema.plugin(tenantPlugin);
export const Project = model('Project', projectSchema);

const taskSchema = new Schema({
  tenantId: { type: Schema.Types.ObjectId, ref: 'Tenant', required: true, index: true },
  title: String,
});
taskSchema.plugin(accessibleByTenant);
export const Task = model('Task', taskSchema);
declare function accessibleByTenant(schema: Schema): void;
`;

const plugin = `import type { Schema } from 'mongoose';
import { currentTenant } from '../context';

export function tenantPlugin(schema: Schema) {
  schema.pre(/^find/, function () {
    this.where({ tenantId: currentTenant() });
  });
}
`;

const config = JSON.stringify({ scopedClientFactories: ['forTenant'], filterHelpers: ['tenantFilter', 'scopeToTenant', 'byTenant'], tenantPlugins: ['accessibleByTenant'] });

const head = `import mongoose, { type Model } from 'mongoose';
import { ApiKey, Board, Card, Comment, Project, Task, boardSchema, type IBoard } from '../models';
`;

function project(body: string, withHead = true): { code: string; filename: string } {
  return onDisk(`${withHead ? head : ''}${body}`, 'src/routes/service.ts', {
    'src/models/index.ts': models,
    'src/plugins/tenant.ts': plugin,
    'src/context.ts': 'export const currentTenant = (): string => "t";\n',
    'tenant-lint.config.json': config,
  });
}

type MessageId = 'missingTenantFilter' | 'orBypassesTenantFilter';

function invalid(body: string, messageId: MessageId, extra: { line?: number; column?: number; endColumn?: number } = {}) {
  return { ...project(body), errors: [{ messageId, ...extra }] };
}

ruleTester.run('require-tenant-filter (mongoose)', rule, {
  valid: [
    // the tenant key in the filter, for reads, updates, deletes and counts
    project(`export const a = (tenantId: string) => Board.find({ tenantId }).sort({ name: 1 }).lean();`),
    project(`export const b = (tenantId: string, id: string) => Board.findOne({ _id: id, tenantId });`),
    project(`export const c = (tenantId: string, id: string) => Board.findOneAndUpdate({ _id: id, tenantId }, { $set: { name: 'x' } }, { new: true });`),
    project(`export const d = (tenantId: string, ids: string[]) => Board.deleteMany({ _id: { $in: ids }, tenantId });`),
    project(`export const e = (tenantId: string) => Board.countDocuments({ tenantId: { $eq: tenantId } });`),
    project(`export const f = (tenantIds: string[]) => Board.updateMany({ tenantId: { $in: tenantIds } }, { $set: { name: 'x' } });`),
    project(`export const g = (tenantId: string) => Board.distinct('name', { tenantId });`),
    // the tenant key added by the chain
    project(`export const h = (tenantId: string, id: string) => Board.findById(id).where('tenantId').equals(tenantId).lean();`),
    project(`export const i = (tenantId: string) => Board.find().where({ tenantId }).limit(10);`),
    project(`export const j = (tenantId: string, name: string) => Board.find({ name }).where('tenantId', tenantId).exec();`),
    // every $or branch has the tenant key, or the key sits next to the $or
    project(`export const k = (tenantId: string, q: string) => Board.find({ $or: [{ tenantId, name: q }, { tenantId, _id: q }] });`),
    project(`export const l = (tenantId: string, q: string) => Board.find({ tenantId, $or: [{ name: q }, { _id: q }] });`),
    project(`export const m = (tenantId: string, q: string) => Board.find({ $and: [{ tenantId }, { $or: [{ name: q }, { _id: q }] }] });`),
    // aggregate: the first stage is a $match with the tenant key
    project(`export const n = (tenantId: string) => Card.aggregate([{ $match: { tenantId: new mongoose.Types.ObjectId(tenantId) } }, { $group: { _id: '$status', n: { $sum: 1 } } }]);`),
    // the aggregation builder's first stage, and a model looked up by name
    project(`export const n2 = (tenantId: string) => Card.aggregate().match({ tenantId }).group({ _id: '$status' });`),
    project(`export const n3 = (tenantId: string) => mongoose.model('Board').find({ tenantId });`),
    // a filter in a const, built up with the tenant key, or returned by a helper
    project(`export async function o(tenantId: string) {\n  const filter = { tenantId, status: 'open' };\n  return Card.find(filter);\n}`),
    project(`export async function p(tenantId: string, status?: string) {\n  const filter: Record<string, unknown> = {};\n  if (status) filter.status = status;\n  filter.tenantId = tenantId;\n  return Card.find(filter);\n}`),
    project(`const ofTenant = (tenantId: string) => ({ tenantId });\nexport const q = (tenantId: string, id: string) => Card.findOne({ ...ofTenant(tenantId), _id: id });`),
    // configured filter helpers: a filter, a wrapper of the query, a query helper
    project(`declare function tenantFilter(t: string): object;\nexport const r = (t: string, id: string) => Card.findOne({ ...tenantFilter(t), _id: id });`),
    project(`declare function scopeToTenant<Q>(q: Q, t: string): Q;\nexport const s = (t: string) => scopeToTenant(Card.find({ status: 'open' }), t);`),
    project(`export const s2 = (t: string) => (Card.find() as any).byTenant(t);`),
    // a filter handed in from outside cannot be followed: counted, not reported
    project(`export const t = (filter: object) => Card.find(filter);`),
    // a query kept in a variable and refined later
    project(`export async function u(tenantId: string) {\n  const query = Card.find({ status: 'open' });\n  query.where('tenantId').equals(tenantId);\n  return query.exec();\n}`),
    // findById followed by a post-fetch ownership guard
    project(`export async function v(tenantId: string, id: string) {\n  const board = await Board.findById(id).lean();\n  if (!board || board.tenantId !== tenantId) throw new Error('not found');\n  return board;\n}`),
    // verified, then written by the same id
    project(`export async function w(tenantId: string, id: string) {\n  const board = await Board.findOne({ _id: id, tenantId });\n  if (!board) throw new Error('not found');\n  await Board.updateOne({ _id: id }, { $set: { name: 'x' } });\n}`),
    // inserts
    project(`export const x = (tenantId: string) => Board.create({ tenantId, name: 'x' });`),
    project(`export async function y(tenantId: string) {\n  const board = new Board({ tenantId, name: 'x' });\n  await board.save();\n}`),
    // a credential lookup by a unique hash; the tenant root itself
    project(`export const z = (tokenHash: string) => ApiKey.findOne({ tokenHash });`),
    project(`import { Tenant } from '../models';\nexport const z2 = (id: string) => Tenant.findById(id);`),
    // a child read by a parent loaded with the tenant
    project(`export async function z3(tenantId: string, id: string) {\n  const card = await Card.findOne({ _id: id, tenantId });\n  if (!card) return [];\n  return Comment.find({ card: card._id });\n}`),
    // the schema's tenant plugin hooks /^find/; a configured tenant plugin covers everything
    project(`export const z4 = (id: string) => Project.findById(id);`),
    project(`export const z5 = (id: string) => Task.deleteOne({ _id: id });`),
    // a per-tenant database, and a configured scoped factory
    project(`export async function z6(tenantId: string, id: string) {\n  const db = mongoose.connection.useDb(\`tenant_\${tenantId}\`, { useCache: true });\n  return db.model('Board', boardSchema).findById(id);\n}`),
    project(`declare function forTenant<M>(model: M, tenantId: string): M;\nexport const z7 = (tenantId: string, id: string) => forTenant(Board, tenantId).findById(id);`),
    // a Model<IBoard>-typed value and a NestJS injected model, with the tenant key
    project(`export class BoardRepo {\n  constructor(private readonly boards: Model<IBoard>) {}\n  list(tenantId: string) { return this.boards.find({ tenantId }); }\n}`),
    // not a Mongoose model: an array with find, a local object with deleteMany
    project(`const rows = [{ tenantId: 'a' }];\nconst store = { deleteMany: (x: unknown) => x };\nexport const z8 = () => [rows.find((r) => r.tenantId), store.deleteMany({})];`),
  ],
  invalid: [
    // no filter at all
    invalid(`export async function list() {\n  return await Board.find().lean();\n}`, 'missingTenantFilter', { line: 4, column: 16, endColumn: 26 }),
    invalid(`export const a = () => Card.countDocuments();`, 'missingTenantFilter'),
    invalid(`export const a2 = () => Card.estimatedDocumentCount();`, 'missingTenantFilter'),
    // by id alone: findById, findByIdAndUpdate, findByIdAndDelete, a filter on _id
    invalid(`export const b = (id: string) => Board.findById(id);`, 'missingTenantFilter', { line: 3, column: 34, endColumn: 48 }),
    invalid(`export const c = (id: string, name: string) => Board.findByIdAndUpdate(id, { $set: { name } }, { new: true });`, 'missingTenantFilter'),
    invalid(`export const d = (id: string) => Card.findByIdAndDelete(id);`, 'missingTenantFilter'),
    invalid(`export const e = (id: string) => Card.updateOne({ _id: id }, { $set: { status: 'done' } });`, 'missingTenantFilter'),
    invalid(`export const f = (id: string) => Card.findOneAndDelete({ _id: id });`, 'missingTenantFilter'),
    invalid(`export const g = (id: string) => Card.exists({ _id: id });`, 'missingTenantFilter'),
    invalid(`export const h = (status: string) => Card.distinct('title', { status });`, 'missingTenantFilter'),
    invalid(`export const i = (b: string) => Card.replaceOne({ board: b }, { title: 'x' });`, 'missingTenantFilter'),
    // the tenant key compared with $ne, $exists, undefined, null
    invalid(`export const j = (tenantId: string) => Card.find({ tenantId: { $ne: tenantId } });`, 'missingTenantFilter'),
    invalid(`export const k = () => Card.deleteMany({ tenantId: { $exists: true } });`, 'missingTenantFilter'),
    invalid(`export const l = () => Card.find({ tenantId: undefined });`, 'missingTenantFilter'),
    invalid(`export const m = (t: string) => Card.find({ $nor: [{ tenantId: t }] });`, 'missingTenantFilter'),
    invalid(`export const m2 = (t: string) => Card.find().where('tenantId').ne(t);`, 'missingTenantFilter'),
    invalid(`export const m3 = () => Card.find({ tenantId: /.*/ });`, 'missingTenantFilter'),
    invalid(`export const m4 = () => mongoose.model('Board').deleteMany({});`, 'missingTenantFilter'),
    // an $or branch without the tenant key, in the filter and in the chain
    invalid(`export const n = (tenantId: string, q: string) => Card.find({ $or: [{ tenantId }, { title: q }] });`, 'orBypassesTenantFilter'),
    invalid(`export const o = (tenantId: string, q: string) => Card.find().or([{ tenantId }, { title: q }]);`, 'orBypassesTenantFilter'),
    // aggregate: no $match first, or a $lookup before it
    invalid(`export const p = () => Card.aggregate([{ $group: { _id: '$status', n: { $sum: 1 } } }]);`, 'missingTenantFilter'),
    invalid(`export const q = (tenantId: string) => Card.aggregate([{ $lookup: { from: 'boards', localField: 'board', foreignField: '_id', as: 'b' } }, { $match: { tenantId } }]);`, 'missingTenantFilter'),
    // a child read by its parent's id from the request
    invalid(`export const r = (cardId: string) => Comment.find({ card: cardId });`, 'missingTenantFilter'),
    // the tenant plugin hooks /^find/ only: updateMany is not covered
    invalid(`export const s = (id: string) => Project.updateMany({ _id: id }, { $set: { name: 'x' } });`, 'missingTenantFilter'),
    // a shared database by a constant name is not a tenant's
    invalid(`export const t = (id: string) => mongoose.connection.useDb('reports').model('Board', boardSchema).findById(id);`, 'missingTenantFilter'),
    // a Model<IBoard> value, a NestJS injected model, a model re-registered on a connection
    {
      ...project(
        `import { InjectModel } from '@nestjs/mongoose';\nimport { Model } from 'mongoose';\nimport { Board } from '../models';\nexport class BoardsService {\n  constructor(@InjectModel(Board.name) private readonly boardModel: Model<Board>) {}\n  remove(id: string) { return this.boardModel.deleteOne({ _id: id }); }\n}\nexport const list = (boards: Model<IBoard>) => boards.find();\ninterface IBoard { name: string }`,
        false,
      ),
      errors: [
        { messageId: 'missingTenantFilter' as const, line: 6, column: 31, endColumn: 56 },
        { messageId: 'missingTenantFilter' as const, line: 8, column: 48, endColumn: 59 },
      ],
    },
    invalid(`const conn = mongoose.createConnection('mongodb://x');\nconst Boards = conn.model('Board', boardSchema);\nexport const u = (id: string) => Boards.deleteOne({ _id: id });`, 'missingTenantFilter'),
    // a bulkWrite with an operation by id alone
    invalid(`export const v = (tenantId: string, id: string) => Card.bulkWrite([{ updateOne: { filter: { _id: id, tenantId }, update: { status: 'x' } } }, { deleteOne: { filter: { _id: id } } }]);`, 'missingTenantFilter'),
    // a Card.find() whose builder only sorts
    invalid(`export const w = () => Card.find({}).sort({ createdAt: -1 }).limit(20);`, 'missingTenantFilter'),
  ],
});

// The wording, as the CLI prints it: the fix is in Mongoose's own syntax.
describe('require-tenant-filter (mongoose) wording', () => {
  const body = [
    'export const a = () => Board.find().lean();',
    'export const b = (id: string) => Board.findById(id);',
    'export const c = (tenantId: string, q: string) => Card.find({ $or: [{ tenantId }, { title: q }] });',
    "export const d = () => Card.aggregate([{ $lookup: { from: 'boards', localField: 'board', foreignField: '_id', as: 'b' } }]);",
    'export const e = (id: string) => Comment.findByIdAndDelete(id);',
  ].join('\n');

  it('says what is missing, why, and how to fix it with Mongoose', async () => {
    const { filename } = project(body);
    const result = await scan({ path: join(dirname(filename), '../..') });
    const byLine = new Map(result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => [f.line, f]));
    expect([...byLine.keys()].sort()).toEqual([3, 4, 5, 6, 7]);
    expect(byLine.get(3)?.message).toBe('`Board.find` reads tenant-scoped model `Board` without a tenant filter.');
    expect(byLine.get(3)?.evidence).toBe('`Board.tenantId` references the tenant `Tenant` (src/models/index.ts:9). Without it this call matches rows of every tenant; `find` is called without a filter, so it matches every document.');
    expect(byLine.get(3)?.help).toBe("Add `tenantId` to the filter (`Board.find({ ..., tenantId })` or `.where('tenantId').equals(tenantId)`), or run it through a tenant-scoped client.");
    expect(byLine.get(4)?.help).toBe('Use `Board.findOne({ _id: id, tenantId })` instead of `findById`, which cannot take a tenant, or run it through a tenant-scoped client.');
    expect(byLine.get(5)?.messageId).toBe('orBypassesTenantFilter');
    expect(byLine.get(5)?.message).toBe('`Card.find`: an `OR` branch without the tenant key defeats the tenant filter on `Card`.');
    expect(byLine.get(5)?.help).toBe('Move `tenantId` out of `$or` to the top level of the filter (`Card.find({ tenantId, $or: [...] })`), or add it to every branch.');
    expect(byLine.get(6)?.evidence).toContain('the pipeline starts with `$lookup`, not a `$match` on the tenant key');
    expect(byLine.get(6)?.help).toBe('Start the pipeline with `{ $match: { tenantId } }` (`Card.aggregate([{ $match: { tenantId } }, ...])`), or run it through a tenant-scoped client.');
    expect(byLine.get(7)?.help).toBe('Filter by the parent taken from a document loaded with the tenant (`const card = await Card.findOne({ _id: cardId, tenantId })`, then `Comment.findOneAndDelete({ _id: id, card: card._id })`), or run it through a tenant-scoped client.');
  });
});
