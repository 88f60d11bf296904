import { RuleTester } from '@typescript-eslint/rule-tester';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import rule from '../../rules/require-tenant-filter.js';
import { readMongoose } from '../../src/schema/mongoose.js';
import { scan } from '../../src/scan/scan.js';
import { onDisk } from '../helpers/on-disk.js';
import { nullability, tableNamed, unitOf } from '../schema-sources/helpers.js';

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

// A model injected into one service and read through it from another (laudspeaker events.service.ts:708).
const through = (body: string) =>
  onDisk(
    `import { Injectable } from '@nestjs/common';
import { CustomersService } from '../customers/customers.service';

@Injectable()
export class EventsService {
  constructor(private readonly customersService: CustomersService) {}
${body}
}
`,
    'src/events/events.service.ts',
    {
      'src/schemas.ts': SCHEMAS,
      'src/customers/customers.service.ts': `import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { Customer, CustomerDocument } from '../schemas';

export class CustomersService {
  constructor(@InjectModel(Customer.name) public CustomerModel: Model<CustomerDocument>) {}
}
`,
    },
  );

ruleTester.run('require-tenant-filter (nestjs mongoose, through another service)', rule, {
  valid: [through(`  find(workspaceId: string, id: string) { return this.customersService.CustomerModel.findOne({ _id: id, workspaceId }); }`)],
  invalid: [{ ...through(`  find(id: string) { return this.customersService.CustomerModel.findOne({ _id: id }); }`), errors: [{ messageId: 'missingTenantFilter' }] }],
});

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

describe('@nestjs/mongoose coverage: a model call the recognizer cannot place is counted, never dropped', () => {
  it('counts calls on an injected or typed model whose schema is not read as not traced; a find on an array is no model call', async () => {
    const { filename } = onDisk(
      `import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { Customer } from '../schemas';

interface Audit { workspaceId: string }

export class AuditService {
  constructor(
    @InjectModel('Audit') private auditModel: Model<Audit>,
    @InjectModel('AuditArchive') private archive,
    @InjectModel(Customer.name) private customers: Model<Customer>,
  ) {}
  list(id: string) { return this.auditModel.find({ _id: id }); }
  old(id: string) { return this.archive.deleteOne({ _id: id }); }
  one(workspaceId: string, id: string) { return this.customers.findOne({ _id: id, workspaceId }); }
  pick(ids: string[]) { return ids.find((x) => x === 'a'); }
}
`,
      'src/audit/audit.service.ts',
      { 'src/schemas.ts': SCHEMAS },
    );
    const result = await scan({ path: join(dirname(filename), '../..') });
    const sites = result.coverage.notTracedSites ?? [];
    expect(sites.map((s) => [s.line, s.orm])).toEqual([
      [13, 'mongoose'],
      [14, 'mongoose'],
    ]);
    expect(sites[0]?.reason).toBe('`this.auditModel.find` is a Mongoose model call (a `Model` from `mongoose`), but the model is not traced to one of the schema');
    expect(sites[1]?.reason).toBe("`this.archive.deleteOne` is a Mongoose model call (injected by `@InjectModel('AuditArchive')`), but the model is not traced to one of the schema");
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter')).toEqual([]);
  });
});
