import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Issue 13, "scoped through state built earlier in the same function": a filter the function fills
 * before the query.
 * - openpanel's listReferences: `const where: any = {}`, then `where.projectId = ...` in both arms of an
 *   `if`/`else`, then `findMany({ where })`: the tenant key is on the filter on every path. Twins: the
 *   key written in one arm only, and a key that is not the tenant's, stay errors.
 * - laudspeaker's `whereOrParts`: TypeORM ORs the objects of a `where` array; an empty array it starts
 *   with, filled by `push`, scopes when every object pushed does. When some path may push nothing, the
 *   empty array reads every row: a warning that says so. Twin: one pushed object without the tenant.
 * In Prisma and TypeORM (MikroORM shares the object evaluator).
 */

const { makeProject } = useScratch();

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id       String    @id
  projects Project[]
}

model Project {
  id             String       @id
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, id])
}

model Reference {
  id             String   @id
  title          String
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, id])
}
`;

const TYPEORM_ENTITIES = `import { Column, Entity, Index, ManyToOne, PrimaryColumn } from 'typeorm';

@Entity('organizations')
export class Organization {
  @PrimaryColumn() id!: string;
}

@Entity('references')
@Index(['organizationId', 'id'])
export class Reference {
  @PrimaryColumn() id!: string;
  @Column() title!: string;
  @Column() organizationId!: string;
  @ManyToOne(() => Organization, { nullable: false }) organization!: Organization;
}
`;

function prismaProject(body: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'refs', private: true, dependencies: { '@prisma/client': '^6.8.0', express: '^4.21.0' } }),
    'prisma/schema.prisma': PRISMA_SCHEMA,
    'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
    'src/refs.ts': `import express from 'express';\nimport { db } from './db';\n\nexport const app = express();\n${body}`,
  });
}

function typeormProject(body: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'refs', private: true, dependencies: { typeorm: '^0.3.20', express: '^4.21.0' } }),
    'src/entities.ts': TYPEORM_ENTITIES,
    'src/db.ts': `import { DataSource } from 'typeorm';\nimport { Organization, Reference } from './entities';\nexport const dataSource = new DataSource({ type: 'postgres', entities: [Organization, Reference] });\n`,
    'src/refs.ts': `import express from 'express';\nimport { Like } from 'typeorm';\nimport { dataSource } from './db';\nimport { Reference } from './entities';\n\nexport const app = express();\n${body}`,
  });
}

/** The file's require-tenant-filter findings, as `query <severity>` when on the line of the `find` call. */
async function findings(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  const query = readFileSync(join(dir, 'src/refs.ts'), 'utf8').split('\n').findIndex((line) => /\.find(Many)?\(/.test(line)) + 1;
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/refs.ts').map((f) => `${f.line === query ? 'query' : f.line} ${f.severity}`);
}

/** A filter object written in both arms of an if/else: `key` in the `if` arm, `elseKey` in the other. */
const filledObject = (read: (where: string) => string, key: string, elseKey: string) => `app.get('/references', async (req: any, res) => {
  const { organizationId } = req.user;
  const title = req.query.title;
  const where: any = {};
  if (title) {
    where.title = title;
    where.${key} = organizationId;
  } else {
    where.${elseKey} = organizationId;
  }
  res.json(await ${read('where')});
});
`;

const READS = {
  prisma: { project: prismaProject, read: (where: string) => `db.reference.findMany({ where: ${where} })` },
  typeorm: { project: typeormProject, read: (where: string) => `dataSource.getRepository(Reference).find({ where: ${where} })` },
};

describe.each(['prisma', 'typeorm'] as const)('a filter object filled before the query (%s)', (orm) => {
  const { project, read } = READS[orm];

  it('the tenant key written in both arms of an if/else: no finding', async () => {
    expect(await findings(project(filledObject(read, 'organizationId', 'organizationId')))).toEqual([]);
  });

  it('the tenant key written before the if, unconditionally: no finding', async () => {
    const body = `app.get('/references', async (req: any, res) => {
  const where: Record<string, unknown> = {};
  where.organizationId = req.user.organizationId;
  if (req.query.title) where.title = req.query.title;
  res.json(await ${read('where')});
});
`;
    expect(await findings(project(body))).toEqual([]);
  });

  it('twin: the tenant key written in one arm only stays an error', async () => {
    expect(await findings(project(filledObject(read, 'organizationId', 'title')))).toEqual(['query error']);
  });

  it('twin: a key that is not the tenant key in both arms stays an error', async () => {
    expect(await findings(project(filledObject(read, 'id', 'id')))).toEqual(['query error']);
  });

  it('twin: a key written through a computed name is not read as the tenant key', async () => {
    const body = `app.get('/references', async (req: any, res) => {
  const where: any = {};
  where.organizationId = req.user.organizationId;
  where[req.query.field] = undefined;
  res.json(await ${read('where')});
});
`;
    expect(await findings(project(body))).toEqual(['query error']);
  });
});

const pushed = (first: string, second: string, always: boolean) => `app.get('/references', async (req: any, res) => {
  const { organizationId } = req.user;
  const { search, archived } = req.query;
  const parts: any[] = [];
  if (archived) {
    parts.push({ title: Like(search), ${first} });
  }
  ${always ? '' : 'if (!archived) '}parts.push({ title: search, ${second} });
  const total = await dataSource.getRepository(Reference).count({ where: parts });
  res.json({ total, rows: await dataSource.getRepository(Reference).find({ where: parts }) });
});
`;

/** `count` then `find`, both read the array (laudspeaker's searchJourneys): `total` and `query` for their lines. */
async function pushedFindings(dir: string): Promise<string[]> {
  return (await findings(dir)).map((f) => f.replace(/^\d+ /, 'total '));
}

describe('a TypeORM where array filled with push (laudspeaker whereOrParts)', () => {
  it('every object pushed has the tenant, one pushed on every path: no finding', async () => {
    expect(await pushedFindings(typeormProject(pushed('organizationId', 'organizationId', true)))).toEqual([]);
  });

  it('every object pushed has the tenant, but some path may push none: a warning, not an error', async () => {
    expect(await pushedFindings(typeormProject(pushed('organizationId', 'organizationId', false)))).toEqual(['total warning', 'query warning']);
  });

  it('twin: one pushed object without the tenant stays an error', async () => {
    expect(await pushedFindings(typeormProject(pushed('id: search', 'organizationId', true)))).toEqual(['total error', 'query error']);
  });
});
