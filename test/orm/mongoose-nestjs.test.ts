import { RuleTester } from '@typescript-eslint/rule-tester';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import rule from '../../rules/require-tenant-filter.js';
import { readMongoose } from '../../src/schema/mongoose.js';
import { scan } from '../../src/scan/scan.js';
import { onDisk } from '../helpers/on-disk.js';
import { nullability, tableNamed, unitOf } from '../schema-sources/helpers.js';

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

// @nestjs/mongoose models: a class decorated `@Schema()`, its fields `@Prop()`, its schema made by
// `SchemaFactory.createForClass`, injected with `@InjectModel(Customer.name)` (laudspeaker's
// customers.service.ts:208, used at :374, :472, :491).
const SCHEMAS = `import { Prop, Schema, SchemaFactory, raw } from '@nestjs/mongoose';
import { Document, Types } from 'mongoose';

@Schema()
export class Workspace {
  @Prop({ required: true })
  name: string;
}
export const WorkspaceSchema = SchemaFactory.createForClass(Workspace);

export type CustomerDocument = Customer & Document;

@Schema({ timestamps: true, collection: 'customers' })
export class Customer {
  @Prop({ type: Types.ObjectId, ref: 'Workspace', required: true, index: true })
  workspaceId: string;

  @Prop({ unique: true })
  externalId: string;

  @Prop()
  email: string;

  @Prop([String])
  tags: string[];

  @Prop(raw({ plan: String }))
  custom: Record<string, unknown>;
}
export const CustomerSchema = SchemaFactory.createForClass(Customer);
CustomerSchema.index({ workspaceId: 1, email: 1 }, { unique: true });

@Schema({ _id: false })
export class Address {
  @Prop() city: string;
}

@Schema()
export class Event {
  @Prop({ type: Types.ObjectId, ref: 'Workspace', required: true })
  workspaceId: string;

  @Prop({ type: Address })
  address: Address;
}
export const EventSchema = SchemaFactory.createForClass(Event);
`;

describe('@nestjs/mongoose schema classes', () => {
  const tables = readMongoose(unitOf(SCHEMAS, '/project/src/schemas.ts'), 'src/schemas.ts');

  it('reads each `@Schema()` class as a model named after the class; a class only used as a subdocument is none', () => {
    expect(tables.map((t) => [t.name, t.dbName])).toEqual([
      ['Workspace', 'Workspace'],
      ['Customer', 'customers'],
      ['Event', 'Event'],
    ]);
    expect(tables.every((t) => t.source === 'mongoose')).toBe(true);
  });

  it('reads `@Prop` options (required, index, unique, ref), the TypeScript type, `@Schema` options and `Schema.index()` after createForClass', () => {
    const customer = tableNamed(tables, 'Customer');
    expect(nullability(customer)).toEqual({ _id: false, workspaceId: false, externalId: true, email: true, tags: true, custom: true, createdAt: false, updatedAt: false });
    expect(customer.columns.get('email')?.type).toBe('String');
    expect(customer.columns.get('tags')?.isList).toBe(true);
    expect(customer.relations.get('workspaceId')).toMatchObject({ target: 'Workspace', fields: ['workspaceId'], required: true });
    expect(customer.indexes).toEqual([['workspaceId'], ['externalId'], ['workspaceId', 'email']]);
    expect(customer.uniques.map((u) => u.fields)).toEqual([['externalId'], ['workspaceId', 'email']]);
    expect(customer.primaryKey).toEqual(['_id']);
  });
});

const service = (body: string) =>
  onDisk(
    `import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { Customer, CustomerDocument, Event } from '../schemas';

@Injectable()
export class CustomersService {
  constructor(
    @InjectModel(Customer.name) private customersModel: Model<CustomerDocument>,
    @InjectModel('Event') private readonly eventModel: Model<Event>,
  ) {}
${body}
}
`,
    'src/customers/customers.service.ts',
    { 'src/schemas.ts': SCHEMAS },
  );

const ruleTester = new RuleTester();

ruleTester.run('require-tenant-filter (nestjs mongoose)', rule, {
  valid: [
    service(`  find(workspaceId: string, id: string) { return this.customersModel.findOne({ _id: id, workspaceId }); }`),
    service(`  list(workspaceId: string) { return this.eventModel.find({ workspaceId }).lean(); }`),
    service(`  drop(workspaceId: string, email: string) { return this.customersModel.deleteMany({ workspaceId, email }); }`),
  ],
  invalid: [
    { ...service(`  find(id: string) { return this.customersModel.findOne({ _id: id }); }`), errors: [{ messageId: 'missingTenantFilter' }] },
    { ...service(`  list() { return this.eventModel.find().lean(); }`), errors: [{ messageId: 'missingTenantFilter' }] },
    { ...service(`  drop(email: string) { return this.customersModel.deleteMany({ email }); }`), errors: [{ messageId: 'missingTenantFilter' }] },
  ],
});

describe('@nestjs/mongoose in a scan', () => {
  it('reports the same calls as the editor, counts them as analysed, and prints the schema source', async () => {
    const { filename } = service(
      [
        `  safe(workspaceId: string, id: string) { return this.customersModel.findOne({ _id: id, workspaceId }); }`,
        `  unsafe(id: string) { return this.customersModel.findOne({ _id: id }); }`,
      ].join('\n'),
    );
    const result = await scan({ path: join(dirname(filename), '../..') });
    const filter = result.findings.filter((f) => f.ruleId === 'require-tenant-filter');
    expect(filter.map((f) => [f.file.endsWith('customers.service.ts'), f.line, f.severity])).toEqual([[true, 13, 'error']]);
    expect(result.coverage.notTraced).toBe(0);
    expect(result.coverage.analysed).toBeGreaterThanOrEqual(2);
    expect(result.projects[0]?.schemaSources.map((s) => s.kind)).toContain('mongoose');
    expect(result.projects[0]?.tenantRoot).toBe('Workspace');
  });
});
