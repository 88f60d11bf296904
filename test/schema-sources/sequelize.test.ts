import { describe, expect, it } from 'vitest';
import { readSequelize } from '../../src/schema/sequelize.js';
import { column, dbNames, nullability, relation, tableNamed, unitOf } from './helpers.js';

const FILE = 'src/models/invoice.ts';

function read(text: string, file = '/project/src/models/invoice.ts') {
  return readSequelize(unitOf(text, file), FILE);
}

const INIT = `import { DataTypes, Model, Sequelize } from 'sequelize';
const sequelize = new Sequelize('postgres://localhost/app');

export class Organization extends Model {}
Organization.init({
  id: { type: DataTypes.UUID, primaryKey: true },
  name: { type: DataTypes.STRING, allowNull: false },
}, { sequelize, tableName: 'organizations' });

export class Invoice extends Model {}
Invoice.init({
  id: { type: DataTypes.UUID, primaryKey: true },
  orgId: { type: DataTypes.UUID, allowNull: false, field: 'org_id', references: { model: 'organizations', key: 'id' } },
  email: { type: DataTypes.STRING, unique: 'invoices_org_email' },
  number: { type: DataTypes.INTEGER, allowNull: false, unique: true },
  memo: DataTypes.TEXT,
  createdAt: { type: DataTypes.DATE, allowNull: false, field: 'created_at' },
}, {
  sequelize,
  tableName: 'invoices',
  indexes: [
    { fields: ['org_id', 'created_at'] },
    { fields: ['created_at', 'org_id'] },
    { name: 'invoices_org_number', unique: true, fields: ['org_id', { name: 'number', order: 'DESC' }] },
  ],
});
`;

describe('Sequelize Model.init', () => {
  it('names the table by the tableName option and locates it at `X.init`', () => {
    const tables = read(INIT);
    expect(tables.map((t) => t.name)).toEqual(['organizations', 'invoices']);
    expect(tableNamed(tables, 'invoices')).toMatchObject({ dbName: 'invoices', source: 'sequelize' });
    expect(tableNamed(tables, 'invoices').location).toEqual({ file: FILE, line: 11, column: 1, endLine: 11, endColumn: 13 });
  });

  it('reads attributes: key, field as dbName, allowNull defaulting to true, primary keys not null', () => {
    const invoices = tableNamed(read(INIT), 'invoices');
    expect(dbNames(invoices)).toMatchObject({ id: 'id', orgId: 'org_id', email: 'email', memo: 'memo', createdAt: 'created_at' });
    expect(nullability(invoices)).toEqual({ id: false, orgId: false, email: true, number: false, memo: true, createdAt: false, updatedAt: false });
    expect(column(invoices, 'orgId').type).toBe('UUID');
    expect(column(invoices, 'memo').type).toBe('TEXT');
    expect(invoices.primaryKey).toEqual(['id']);
    expect(column(invoices, 'orgId').location).toMatchObject({ line: 13, column: 3 });
  });

  it('maps index fields (database names) to attribute keys, keeping their order', () => {
    const invoices = tableNamed(read(INIT), 'invoices');
    expect(invoices.indexes).toEqual([['orgId', 'createdAt'], ['createdAt', 'orgId'], ['orgId', 'number']]);
  });

  it('reads unique: true, a named unique shared by attributes, and unique indexes', () => {
    const invoices = tableNamed(read(INIT), 'invoices');
    expect(invoices.uniques).toEqual([
      { fields: ['number'], name: 'number' },
      { fields: ['email'], name: 'invoices_org_email' },
      { fields: ['orgId', 'number'], name: 'invoices_org_number' },
    ]);
  });

  it('turns references into a relation, required when allowNull: false', () => {
    const invoices = tableNamed(read(INIT), 'invoices');
    expect(relation(invoices, 'orgId')).toEqual({ name: 'orgId', target: 'organizations', fields: ['orgId'], references: ['id'], required: true, isList: false });
  });

  it('adds what Sequelize adds: an id primary key when none is declared, timestamps unless disabled', () => {
    const tables = read(`import { DataTypes, Model } from 'sequelize';
class Tag extends Model {}
Tag.init({ label: DataTypes.STRING }, { sequelize, underscored: true });
class Note extends Model {}
Note.init({ body: DataTypes.TEXT }, { sequelize, timestamps: false, modelName: 'StickyNote' });
`);
    const tag = tableNamed(tables, 'Tag');
    expect(tag.primaryKey).toEqual(['id']);
    expect(dbNames(tag)).toEqual({ label: 'label', id: 'id', createdAt: 'created_at', updatedAt: 'updated_at' });
    expect(Object.keys(nullability(tableNamed(tables, 'StickyNote')))).toEqual(['body', 'id']);
  });

  it('reads the data type of DataTypes.INTEGER.UNSIGNED and DataTypes.ARRAY(...)', () => {
    const tables = read(`import { DataTypes, Model } from 'sequelize';
class Counter extends Model {}
Counter.init({
  id: { type: DataTypes.INTEGER.UNSIGNED, autoIncrement: true, primaryKey: true },
  tags: { type: DataTypes.ARRAY(DataTypes.STRING) },
}, { sequelize, tableName: 'counters' });
`);
    const counters = tableNamed(tables, 'counters');
    expect(column(counters, 'id')).toMatchObject({ type: 'INTEGER', isList: false, nullable: false });
    expect(column(counters, 'tags')).toMatchObject({ type: 'STRING', isList: true });
  });

  it('reads a composite primary key as a compound unique', () => {
    const tables = read(`import { DataTypes, Model } from 'sequelize';
class Membership extends Model {}
Membership.init({
  orgId: { type: DataTypes.UUID, primaryKey: true },
  userId: { type: DataTypes.UUID, primaryKey: true },
}, { sequelize, tableName: 'memberships', timestamps: false });
`);
    const memberships = tableNamed(tables, 'memberships');
    expect(memberships.primaryKey).toEqual(['orgId', 'userId']);
    expect(memberships.uniques).toEqual([{ fields: ['orgId', 'userId'], name: 'orgId_userId' }]);
  });
});

describe('Sequelize define and associations', () => {
  it('reads sequelize.define, naming the table by the model name when there is no tableName', () => {
    const tables = read(`import { DataTypes } from 'sequelize';
import { sequelize } from './db';
export const Project = sequelize.define('Project', {
  orgId: { type: DataTypes.UUID, allowNull: false },
  title: DataTypes.STRING,
}, { timestamps: false });
`);
    expect(tables.map((t) => t.name)).toEqual(['Project']);
    expect(nullability(tables[0])).toEqual({ orgId: false, title: true, id: false });
    expect(tables[0].location).toMatchObject({ line: 3, column: 24, endColumn: 40 });
  });

  it('reads belongsTo anywhere in the file as a relation, required when the attribute is allowNull: false', () => {
    const tables = read(`import { DataTypes, Model } from 'sequelize';
export class Organization extends Model {}
Organization.init({ id: { type: DataTypes.UUID, primaryKey: true } }, { sequelize, tableName: 'organizations' });
export class Invoice extends Model {}
Invoice.init({
  orgId: { type: DataTypes.UUID, allowNull: false },
  reviewerOrgId: { type: DataTypes.UUID },
}, { sequelize, tableName: 'invoices' });

Invoice.belongsTo(Organization, { foreignKey: 'orgId', as: 'organization' });
Invoice.belongsTo(Organization, { foreignKey: 'reviewerOrgId', as: 'reviewer' });
Organization.hasMany(Invoice, { foreignKey: 'orgId' });
`);
    const invoices = tableNamed(tables, 'invoices');
    expect(relation(invoices, 'organization')).toEqual({ name: 'organization', target: 'organizations', fields: ['orgId'], references: ['id'], required: true, isList: false });
    expect(relation(invoices, 'reviewer')).toMatchObject({ fields: ['reviewerOrgId'], required: false });
    expect(relation(tableNamed(tables, 'organizations'), 'Invoice')).toMatchObject({ target: 'invoices', fields: [], isList: true });
  });

  it('derives the default foreign key of belongsTo and hasMany as Sequelize does (<Model>Id)', () => {
    const tables = read(`const { Model, DataTypes } = require('sequelize');
module.exports = (sequelize) => {
  class Team extends Model {
    static associate(models) {
      this.hasMany(models.Task);
    }
  }
  Team.init({ name: DataTypes.STRING }, { sequelize, modelName: 'Team' });
  class Task extends Model {}
  Task.init({ title: DataTypes.STRING }, { sequelize, modelName: 'Task' });
  Task.belongsTo(Team);
  return { Team, Task };
};
`, '/project/src/models/index.js');
    const task = tableNamed(tables, 'Task');
    expect(relation(task, 'Team')).toEqual({ name: 'Team', target: 'Team', fields: ['TeamId'], references: ['id'], required: false, isList: false });
    expect(column(task, 'TeamId').nullable).toBe(true);
    expect(relation(tableNamed(tables, 'Team'), 'Task')).toMatchObject({ target: 'Task', isList: true, fields: [] });
  });

  it('reads foreignKey: { name, allowNull: false } as a required relation', () => {
    const tables = read(`import { Model, DataTypes } from 'sequelize';
class Team extends Model {}
Team.init({ name: DataTypes.STRING }, { sequelize });
class Task extends Model {}
Task.init({ title: DataTypes.STRING }, { sequelize });
Task.belongsTo(Team, { foreignKey: { name: 'teamId', allowNull: false }, as: 'team' });
`);
    const task = tableNamed(tables, 'Task');
    expect(relation(task, 'team')).toMatchObject({ target: 'Team', fields: ['teamId'], required: true });
    expect(column(task, 'teamId').nullable).toBe(false);
  });
});

describe('Sequelize index fields and association columns', () => {
  it('resolves an index field naming the column a later belongsTo adds (foreignKey with field)', () => {
    const tables = read(`import { DataTypes, Model } from 'sequelize';
import { Company } from './company';
export class LeaveRequest extends Model {}
LeaveRequest.init({
  startsOn: { type: DataTypes.DATEONLY, allowNull: false, field: 'starts_on' },
}, {
  sequelize,
  tableName: 'leave_requests',
  underscored: true,
  indexes: [
    { fields: ['company_id', { name: 'starts_on', order: 'DESC' }] },
    { unique: true, fields: ['company_id', 'starts_on'] },
  ],
});
LeaveRequest.belongsTo(Company, { as: 'company', foreignKey: { name: 'companyId', field: 'company_id', allowNull: false } });
`);
    const leaves = tableNamed(tables, 'leave_requests');
    expect(column(leaves, 'companyId')).toMatchObject({ dbName: 'company_id', nullable: false });
    expect(leaves.indexes).toEqual([
      ['companyId', 'startsOn'],
      ['companyId', 'startsOn'],
    ]);
    expect(leaves.uniques).toEqual([{ fields: ['companyId', 'startsOn'], name: 'companyId_startsOn' }]);
    expect(relation(leaves, 'company')).toMatchObject({ fields: ['companyId'], required: true });
  });

  it('resolves an index field naming the column that hasMany adds to the target', () => {
    const tables = read(`import { DataTypes, Model } from 'sequelize';
class Team extends Model {}
Team.init({ name: DataTypes.STRING }, { sequelize, tableName: 'teams' });
class Task extends Model {}
Task.init({ title: DataTypes.STRING }, { sequelize, tableName: 'tasks', underscored: true, indexes: [{ name: 'tasks_team', fields: ['team_id', 'title'] }] });
Team.hasMany(Task, { foreignKey: { name: 'teamId', allowNull: false } });
`);
    const tasks = tableNamed(tables, 'tasks');
    expect(column(tasks, 'teamId')).toMatchObject({ dbName: 'team_id', nullable: false });
    expect(tasks.indexes).toEqual([['teamId', 'title']]);
  });
});

describe('sequelize-typescript', () => {
  it('reads @Table classes with @Column, @AllowNull, @PrimaryKey, @Index, @ForeignKey and @BelongsTo', () => {
    const tables = read(`import { Table, Column, Model, DataType, PrimaryKey, AllowNull, ForeignKey, BelongsTo, Index, Unique, HasMany } from 'sequelize-typescript';

@Table({ tableName: 'organizations', timestamps: false })
export class Organization extends Model {
  @PrimaryKey @Column(DataType.UUID) id!: string;
  @HasMany(() => Invoice) invoices!: Invoice[];
}

@Table({ tableName: 'invoices', underscored: true })
export class Invoice extends Model {
  @PrimaryKey @Column(DataType.UUID) id!: string;
  @ForeignKey(() => Organization) @AllowNull(false) @Index('by_org_created') @Column(DataType.UUID) orgId!: string;
  @BelongsTo(() => Organization) organization!: Organization;
  @Index('by_org_created') @Column createdOn!: Date;
  @Unique @Column email?: string;
}
`);
    const invoices = tableNamed(tables, 'invoices');
    expect(invoices.location).toEqual({ file: FILE, line: 9, column: 1, endLine: 9, endColumn: 7 });
    expect(dbNames(invoices)).toEqual({ id: 'id', orgId: 'org_id', createdOn: 'created_on', email: 'email', createdAt: 'created_at', updatedAt: 'updated_at' });
    expect(nullability(invoices)).toMatchObject({ id: false, orgId: false, createdOn: true, email: true });
    expect(column(invoices, 'createdOn').type).toBe('Date');
    expect(invoices.indexes).toEqual([['orgId', 'createdOn']]);
    expect(invoices.uniques).toEqual([{ fields: ['email'], name: 'email' }]);
    expect(relation(invoices, 'organization')).toEqual({ name: 'organization', target: 'organizations', fields: ['orgId'], references: ['id'], required: true, isList: false });
    expect(relation(tableNamed(tables, 'organizations'), 'invoices')).toMatchObject({ target: 'invoices', isList: true });
  });
});

describe('Sequelize recognition is by import', () => {
  it('ignores a class extending a Model that is not Sequelize’s', () => {
    expect(
      read(`import { DataTypes } from 'sequelize';
import { Model } from './base';
class Invoice extends Model {}
Invoice.init({ orgId: DataTypes.UUID }, {});
`),
    ).toEqual([]);
  });

  it('ignores define() in a file that does not import sequelize', () => {
    expect(
      read(`import { registry } from './registry';
export const Project = registry.define('Project', { orgId: { type: 'uuid', allowNull: false } });
`),
    ).toEqual([]);
  });

  it('follows an aliased Model import', () => {
    const tables = read(`import { Model as Base, DataTypes as T } from 'sequelize';
class Invoice extends Base {}
Invoice.init({ orgId: { type: T.UUID, allowNull: false } }, { sequelize, tableName: 'invoices' });
`);
    expect(tables.map((t) => t.name)).toEqual(['invoices']);
    expect(column(tables[0], 'orgId')).toMatchObject({ type: 'UUID', nullable: false });
  });
});
