import { describe, expect, it } from 'vitest';
import { readMongoose } from '../../src/schema/mongoose.js';
import { column, nullability, relation, tableNamed, unitOf } from './helpers.js';

const FILE = 'src/models/invoice.ts';

function read(text: string, file = '/project/src/models/invoice.ts') {
  return readMongoose(unitOf(text, file), FILE);
}

const MODELS = `import mongoose, { Schema, model } from 'mongoose';

const invoiceSchema = new Schema({
  tenantId: { type: Schema.Types.ObjectId, ref: 'Tenant', required: true, index: true },
  reviewerId: { type: Schema.Types.ObjectId, ref: 'User' },
  number: { type: Number, required: [true, 'a number is required'], unique: true },
  memo: String,
  tags: [String],
  lines: [{ type: Schema.Types.ObjectId, ref: 'Line' }],
  address: { street: String, city: String },
  createdAt: { type: Date, required: true },
}, { timestamps: { createdAt: false } });

invoiceSchema.index({ tenantId: 1, createdAt: -1 });
invoiceSchema.index({ createdAt: -1, tenantId: 1 });
invoiceSchema.index({ tenantId: 1, number: 1 }, { unique: true, name: 'tenant_number' });

export const Invoice = model('Invoice', invoiceSchema);
export const Tenant = mongoose.model('Tenant', new mongoose.Schema({ name: { type: String, required: true } }), 'tenants');
`;

describe('Mongoose schemas and models', () => {
  it('names the table by the model name; dbName is the explicit collection, else the model name', () => {
    const tables = read(MODELS);
    expect(tables.map((t) => [t.name, t.dbName])).toEqual([
      ['Invoice', 'Invoice'],
      ['Tenant', 'tenants'],
    ]);
    expect(tables.every((t) => t.source === 'mongoose')).toBe(true);
  });

  it('locates the table at the Schema identifier of `new Schema(`', () => {
    const tables = read(MODELS);
    expect(tableNamed(tables, 'Invoice').location).toEqual({ file: FILE, line: 3, column: 27, endLine: 3, endColumn: 33 });
    // `new mongoose.Schema(`: the `Schema` property token.
    expect(tableNamed(tables, 'Tenant').location).toMatchObject({ line: 19, column: 61, endColumn: 67 });
  });

  it('reads fields: required → not nullable, shorthand types, arrays as lists, an implicit _id primary key', () => {
    const invoice = tableNamed(read(MODELS), 'Invoice');
    expect(nullability(invoice)).toEqual({
      _id: false,
      tenantId: false,
      reviewerId: true,
      number: false,
      memo: true,
      tags: true,
      lines: true,
      address: true,
      createdAt: false,
      updatedAt: false,
    });
    expect(invoice.primaryKey).toEqual(['_id']);
    expect(column(invoice, 'tenantId')).toMatchObject({ type: 'ObjectId', isList: false, location: { line: 4, column: 3 } });
    expect(column(invoice, 'tags')).toMatchObject({ type: 'String', isList: true });
    expect(column(invoice, 'memo').type).toBe('String');
    expect(column(invoice, 'address').type).toBe('Object');
  });

  it('reads index: true, unique: true and schema.index() with its key order kept', () => {
    const invoice = tableNamed(read(MODELS), 'Invoice');
    expect(invoice.indexes).toEqual([['tenantId'], ['number'], ['tenantId', 'createdAt'], ['createdAt', 'tenantId'], ['tenantId', 'number']]);
    expect(invoice.uniques).toEqual([
      { fields: ['number'], name: 'number' },
      { fields: ['tenantId', 'number'], name: 'tenant_number' },
    ]);
  });

  it('turns ref into a relation, required when the field is required', () => {
    const invoice = tableNamed(read(MODELS), 'Invoice');
    expect(relation(invoice, 'tenantId')).toEqual({ name: 'tenantId', target: 'Tenant', fields: ['tenantId'], references: ['_id'], required: true, isList: false });
    expect(relation(invoice, 'reviewerId')).toMatchObject({ target: 'User', required: false });
    expect(relation(invoice, 'lines')).toMatchObject({ target: 'Line', isList: true });
  });

  it('names a schema without a model() call after its variable, and skips subdocument schemas', () => {
    const tables = read(`import { Schema } from 'mongoose';
const lineSchema = new Schema({ sku: String }, { _id: false });
export const OrderSchema = new Schema({ tenantId: { type: Schema.Types.ObjectId, ref: 'Tenant', required: true }, lines: [lineSchema] });
`);
    expect(tables.map((t) => t.name)).toEqual(['Order']);
    expect(column(tables[0], 'lines')).toMatchObject({ type: 'Subdocument', isList: true });
  });

  it('reads the collection option and a model made on a connection', () => {
    const tables = read(`import { Schema, createConnection } from 'mongoose';
const connection = createConnection('mongodb://localhost/app');
const auditSchema = new Schema({ orgId: { type: String, required: true } }, { collection: 'audit_log', _id: false });
export const Audit = connection.model('Audit', auditSchema);
`);
    expect(tables.map((t) => [t.name, t.dbName])).toEqual([['Audit', 'audit_log']]);
    expect(tables[0].primaryKey).toEqual([]);
  });
});

describe('Mongoose recognition is by import', () => {
  it('follows require() with destructuring and mongoose.Schema.Types', () => {
    const tables = read(`const mongoose = require('mongoose');
const { Schema } = mongoose;
const projectSchema = new Schema({ orgId: { type: mongoose.Schema.Types.ObjectId, ref: 'Org', required: true } });
module.exports = mongoose.model('Project', projectSchema);
`, '/project/src/models/project.js');
    expect(tables.map((t) => t.name)).toEqual(['Project']);
    expect(relation(tables[0], 'orgId')).toMatchObject({ target: 'Org', required: true });
  });

  it('follows an aliased Schema import', () => {
    const tables = read(`import { Schema as MongoSchema, model } from 'mongoose';
const s = new MongoSchema({ orgId: { type: String, required: true } });
export const Thing = model('Thing', s);
`);
    expect(tables.map((t) => t.name)).toEqual(['Thing']);
  });

  it('ignores a Schema class that is not mongoose’s', () => {
    expect(
      read(`import { model } from 'mongoose';
class Schema { constructor(readonly fields: object) {} }
const s = new Schema({ orgId: { type: String, required: true } });
export const Thing = model('Thing', s);
`),
    ).toEqual([]);
  });
});
