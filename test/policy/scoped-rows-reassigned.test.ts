// laudspeaker's sendFCMToken (customers.service.ts, session 17): `let customer = await findOne({ _id, workspaceId })`,
// written again by `create({ workspaceId, ... })` when missing, then `updateOne({ _id: customer._id })`. Every value
// the `let` holds is a row of the tenant, so its id is the tenant's. Twins: one assignment is a row the client
// chose (`findById(id)`), or a row created without the tenant key.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';

const { makeProject } = useScratch();

const lines = async (dir: string) => {
  const result = await scan({ path: dir });
  const found = result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`);
  const faces = await bothFaces(dir, 'require-tenant-filter');
  expect(faces.eslint).toEqual(faces.scanner);
  return found;
};

const mongoose = (body: string) =>
  makeProject({
    'package.json': JSON.stringify({ private: true, dependencies: { mongoose: '*' } }),
    'src/models.ts': `import { Schema, model } from 'mongoose';
export const Team = model('Team', new Schema({ name: String }));
const customerSchema = new Schema({ team: { type: Schema.Types.ObjectId, ref: 'Team', required: true }, anonymous: Boolean, seen: Boolean });
customerSchema.index({ team: 1 });
export const Customer = model('Customer', customerSchema);
`,
    'src/service.ts': `import { Customer } from './models';

export async function touch(teamId: string, id: string) {
${body}
  await Customer.updateOne({ _id: customer._id }, { seen: true });
}
`,
  });

describe('a `let` of rows written more than once, each time a row of the tenant', () => {
  it('Mongoose: a scoped findOne, else a create with the tenant key: the id is scoped, no finding', async () => {
    expect(await lines(mongoose(`  let customer = await Customer.findOne({ _id: id, team: teamId });\n  if (!customer) {\n    customer = await Customer.create({ team: teamId, anonymous: true });\n  }`))).toEqual([]);
  });

  it('Mongoose: the id handed to `findByIdAndUpdate` itself: no finding', async () => {
    const dir = mongoose(`  let customer = await Customer.findOne({ _id: id, team: teamId });\n  if (!customer) {\n    customer = await Customer.create({ team: teamId, anonymous: true });\n  }\n  await Customer.findByIdAndUpdate(customer._id, { anonymous: false });`);
    expect(await lines(dir)).toEqual([]);
  });

  it('twin: the create writes no tenant key: reported', async () => {
    expect(await lines(mongoose(`  let customer = await Customer.findOne({ _id: id, team: teamId });\n  if (!customer) {\n    customer = await Customer.create({ anonymous: true });\n  }`))).toEqual(['src/service.ts:8']);
  });

  it('twin: one assignment is a row by the id alone: reported', async () => {
    expect(await lines(mongoose(`  let customer = await Customer.findOne({ _id: id, team: teamId });\n  if (!customer) {\n    customer = await Customer.findById(id);\n  }`))).toEqual(['src/service.ts:6', 'src/service.ts:8']);
  });
});
