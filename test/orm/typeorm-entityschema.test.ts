// TypeORM entities declared as data, `new EntitySchema({ name, columns, relations, indices })`
// (openops, the activepieces fork: organization > project). The schema came only from the
// migrations and no repository of such an entity was recognised (0 of ~212 calls seen): each shape
// beside its twin, on both faces.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/project.js';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

beforeAll(async () => {
  await loadSqlParsers();
});

const entities = (flowTenant: string, flowIndices: string) => `import { EntitySchema } from 'typeorm';

const IdColumn = { type: String, length: 21 };
const BaseColumns = {
  id: { ...IdColumn, primary: true },
  created: { type: 'timestamp with time zone', createDate: true },
};

export const OrganizationEntity = new EntitySchema<{ id: string; name: string }>({
  name: 'organization',
  columns: { ...BaseColumns, name: { type: String } },
});

export const UserEntity = new EntitySchema<{ id: string; organizationId: string | null; email: string }>({
  name: 'user',
  columns: { ...BaseColumns, organizationId: { ...IdColumn, nullable: true }, email: { type: String, unique: true } },
  relations: { organization: { type: 'many-to-one', target: 'organization', joinColumn: { name: 'organizationId' } } },
});

export const FlowTemplateEntity = new EntitySchema<{ id: string; organizationId: string }>({
  name: 'flow_template',
  columns: { ...BaseColumns, organizationId: { ...IdColumn, nullable: false } },
  relations: { organization: { type: 'many-to-one', target: 'organization', joinColumn: { name: 'organizationId' } } },
});

export const ProjectEntity = new EntitySchema<{ id: string; organizationId: string; displayName: string; deleted: Date | null }>({
  name: 'project',
  columns: {
    ...BaseColumns,
    organizationId: { ...IdColumn },
    displayName: { type: String },
    deleted: { type: 'timestamp with time zone', deleteDate: true },
  },
  indices: [{ name: 'idx_project_organization_id', columns: ['organizationId'] }],
  relations: {
    organization: { type: 'many-to-one', target: 'organization', joinColumn: { name: 'organizationId' } },
    flows: { type: 'one-to-many', target: 'flow', inverseSide: 'project' },
  },
});

export const FlowEntity = new EntitySchema<{ id: string; projectId: string; status: string }>({
  name: 'flow',
  columns: {
    ...BaseColumns,
    projectId: ${flowTenant},
    status: { type: String, nullable: false },
  },
  indices: ${flowIndices},
  relations: {
    project: { type: 'many-to-one', target: 'project', onDelete: 'CASCADE', joinColumn: { name: 'projectId' } },
  },
});

export const FolderEntity = new EntitySchema<{ id: string; projectId: string }>({
  name: 'folder',
  tableName: 'folders',
  columns: { ...BaseColumns, projectId: { ...IdColumn, nullable: false } },
  uniques: [{ columns: ['projectId', 'id'] }],
  relations: { project: { type: 'many-to-one', target: ProjectEntity, joinColumn: true } },
});
`;

const connection = `import { DataSource, EntityManager, ObjectLiteral, Repository, EntitySchema } from 'typeorm';
import { FlowEntity, FolderEntity, OrganizationEntity, ProjectEntity } from './entities';

let connection: DataSource | null = null;
export const databaseConnection = () => {
  if (connection === null) connection = new DataSource({ type: 'postgres', entities: [FlowEntity, FolderEntity, OrganizationEntity, ProjectEntity] });
  return connection;
};

type RepoGetter<T extends ObjectLiteral = ObjectLiteral> = (entityManager?: EntityManager) => Repository<T>;
const instances = new Map<EntitySchema, RepoGetter>();

export const repoFactory = <T extends ObjectLiteral>(entity: EntitySchema<T>): RepoGetter<T> => {
  if (instances.has(entity)) return instances.get(entity) as RepoGetter<T>;
  const made: RepoGetter<T> = (entityManager?: EntityManager) => entityManager?.getRepository(entity) ?? databaseConnection().getRepository(entity);
  instances.set(entity, made as RepoGetter);
  return made;
};
`;

const NOT_NULL = `{ ...IdColumn, nullable: false }`;
const INDEXED = `[{ name: 'idx_flow_project_id', columns: ['projectId'], unique: false }]`;

function app(routes: string, flowTenant = NOT_NULL, flowIndices = INDEXED): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', dependencies: { typeorm: '0.3.20' } }),
    'src/db/entities.ts': entities(flowTenant, flowIndices),
    'src/db/connection.ts': connection,
    'src/flows/flow.repo.ts': `import { repoFactory } from '../db/connection';\nimport { FlowEntity } from '../db/entities';\nexport const flowRepo = repoFactory(FlowEntity);\n`,
    'src/flows/flow.service.ts': routes,
  });
}

const HEAD = `import { EntityManager } from 'typeorm';
import { databaseConnection } from '../db/connection';
import { FlowEntity } from '../db/entities';
import { flowRepo } from './flow.repo';
`;

describe('EntitySchema is read as a TypeORM model', () => {
  it('columns, nullability, relations with their join columns, indices and uniques; the hierarchy organization > project', () => {
    const { schema } = loadProject(app(`export {};\n`));
    const flow = schema.tables.get('flow');
    expect(flow?.source).toBe('typeorm');
    expect(flow?.primaryKey).toEqual(['id']);
    expect(flow?.columns.get('projectId')?.nullable).toBe(false);
    expect(flow?.relations.get('project')).toMatchObject({ target: 'project', fields: ['projectId'], required: true, onDelete: 'cascade' });
    expect(flow?.indexes).toContainEqual(['projectId']);
    expect(schema.tables.get('project')?.columns.get('deleted')?.nullable).toBe(true);
    expect(schema.tables.get('project')?.columns.get('organizationId')?.nullable).toBe(false);
    // `tableName` names the table; `joinColumn: true` makes the default `projectId`; a target given as the schema's variable
    const folder = schema.tables.get('folder');
    expect(folder?.dbName).toBe('folders');
    expect(folder?.relations.get('project')).toMatchObject({ target: 'project', fields: ['projectId'] });
    expect(folder?.uniques.map((u) => u.fields)).toContainEqual(['projectId', 'id']);
    expect(schema.root).toBe('organization');
    expect(schema.levels).toEqual(['organization', 'project']);
    expect(flow?.class).toBe('tenant');
    expect(flow?.tenantKeys).toEqual(['projectId']);
  });
});

describe('schema rules on an EntitySchema', () => {
  // The findings on `flow` (the fixture's user and flow_template are reported for their own reasons).
  const findingsOf = async (dir: string, ruleId: string) =>
    (await scan({ path: dir })).findings.filter((f) => f.ruleId === ruleId && f.file === 'src/db/entities.ts' && /`flow[`.]/.test(f.message)).map((f) => `${f.line} ${f.severity} ${f.message}`);

  it('a NOT NULL tenant column: nothing; twin nullable (its relation to project no longer required): require-tenant-column', async () => {
    expect(await findingsOf(app(`export {};\n`), 'require-tenant-column')).toEqual([]);
    expect(await findingsOf(app(`export {};\n`, `{ ...IdColumn, nullable: true }`), 'require-tenant-column')).toEqual(['41 warning Table `flow` has no tenant column (`organizationId`) and no required relation to a tenant table.']);
  });

  it('an index leading with the tenant column: nothing; twin without indices: require-tenant-index', async () => {
    expect(await findingsOf(app(`export {};\n`), 'require-tenant-index')).toEqual([]);
    expect(await findingsOf(app(`export {};\n`, NOT_NULL, '[]'), 'require-tenant-index')).toEqual(['41 warning Table `flow` has no index that leads with its tenant column `projectId`.']);
  });
});

describe('repositories of EntitySchema entities (both faces)', () => {
  const cases: [string, string][] = [
    ['repoFactory(FlowEntity)', 'flowRepo()'],
    ['repoFactory(FlowEntity) given a transaction manager', 'flowRepo(em)'],
    ['getRepository(FlowEntity)', 'databaseConnection().getRepository(FlowEntity)'],
    ["getRepository('flow')", "databaseConnection().getRepository('flow')"],
  ];
  for (const [name, repo] of cases) {
    it(`${name}: findOneBy({ id, projectId }) is scoped; twin findOneBy({ id }) is reported`, async () => {
      const dir = app(`${HEAD}
export const scoped = (em: EntityManager, id: string, projectId: string) => ${repo}.findOneBy({ id, projectId });
export const leak = (em: EntityManager, id: string) => ${repo}.findOneBy({ id });
`);
      const { scanner, eslint } = await bothFaces(dir, 'require-tenant-filter');
      expect(scanner.get('src/flows/flow.service.ts')).toEqual(['7 missingTenantFilter']);
      expect(eslint.get('src/flows/flow.service.ts')).toEqual(['7 missingTenantFilter']);
      const result = await scan({ path: dir });
      expect(result.coverage.seen).toBe(2);
    });
  }
});
