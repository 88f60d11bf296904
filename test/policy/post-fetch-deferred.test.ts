// laudspeaker's CustomersService.findById (customers.service.ts, session 17): a Mongoose query kept in a const,
// given a session when there is one, run later by `.exec()`, and its row compared with the caller's workspace
// before it is returned. The check after the deferred run is the same post-fetch check as after `await findById(id)`.
// Twins: the row is returned without the comparison, or the test compares something else.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';

const { makeProject } = useScratch();

const findings = async (dir: string) => {
  const result = await scan({ path: dir });
  const found = result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`);
  const faces = await bothFaces(dir, 'require-tenant-filter');
  expect(faces.eslint).toEqual(faces.scanner);
  return found;
};

const route = () => `import express from 'express';
import { byId } from './service';

export const app = express();
app.get('/customers/:id', async (req: any, res: any) => {
  res.json(await byId(req.user.teamId, req.params.id));
});
`;

const mongoose = (body: string) =>
  makeProject({
    'package.json': JSON.stringify({ private: true, dependencies: { mongoose: '*', express: '*' } }),
    'src/models.ts': `import { Schema, model } from 'mongoose';
export const Team = model('Team', new Schema({ name: String }));
const customerSchema = new Schema({ team: { type: Schema.Types.ObjectId, ref: 'Team', required: true }, name: String });
customerSchema.index({ team: 1 });
export const Customer = model('Customer', customerSchema);
`,
    'src/service.ts': `import { Customer } from './models';

export async function byId(teamId: string, id: string, session?: any) {
${body}
}
`,
    'src/routes.ts': route(),
  });

const check = `  if (!found || found.team != teamId) throw new Error('not found');\n  return found;`;

describe('a post-fetch check of a query run later (`.exec()`, `.execute()`)', () => {
  it('Mongoose: the row of `await Customer.findById(id)` compared with the tenant: not an error', async () => {
    const direct = await findings(mongoose(`  const found = await Customer.findById(id);\n${check}`));
    const deferred = await findings(mongoose(`  const query = Customer.findById(id);\n  if (session) {\n    query.session(session);\n  }\n  const found = await query.exec();\n${check}`));
    expect(direct.filter((f) => f.endsWith('error'))).toEqual([]);
    expect(deferred.map((f) => f.split(' ')[1])).toEqual(direct.map((f) => f.split(' ')[1]));
  });

  it('Mongoose: the row leaves only when it matches (`if (found && found.team == teamId) return found; return;`): not an error', async () => {
    const positive = `  if (found && found.team == teamId) return found;\n  return undefined;`;
    expect((await findings(mongoose(`  const query = Customer.findById(id);\n  const found = await query.exec();\n${positive}`))).filter((f) => f.endsWith('error'))).toEqual([]);
    // twin: the test does not compare the row with the tenant
    expect(await findings(mongoose(`  const query = Customer.findById(id);\n  const found = await query.exec();\n  if (found && found.name) return found;\n  return undefined;`))).toEqual(['src/service.ts:4 error']);
  });

  it('twin (Mongoose): the row of the deferred run is returned unchecked: error', async () => {
    expect(await findings(mongoose(`  const query = Customer.findById(id);\n  if (session) {\n    query.session(session);\n  }\n  const found = await query.exec();\n  return found;`))).toEqual(['src/service.ts:4 error']);
  });
});
