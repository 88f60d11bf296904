import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Issue 13, laudspeaker's moveCustomer (audiences.service.ts:661): the audience is read under the
 * account (`findOne({ where: { owner: { id: account.id }, id: to }, relations: ['templates'] })`),
 * `let ids = audience.templates.map((t) => t.id)` is later only narrowed (`ids = ids.filter(...)`),
 * and a loop reads each template by `id: ids[i]`. The ids are those of the tenant's own audience,
 * not the client's choice. Twins: ids from the request body, and ids of an audience read by its id
 * alone, stay errors. In TypeORM and Prisma.
 */

const { makeProject } = useScratch();

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id        String     @id
  audiences Audience[]
  templates Template[]
}

model Audience {
  id             String       @id
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  templates      Template[]
  @@index([organizationId, id])
}

model Template {
  id             String       @id
  name           String
  audienceId     String
  audience       Audience     @relation(fields: [audienceId], references: [id])
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, id])
}
`;

const TYPEORM_ENTITIES = `import { Column, Entity, Index, ManyToOne, OneToMany, PrimaryColumn } from 'typeorm';

@Entity('organizations')
export class Organization {
  @PrimaryColumn() id!: string;
}

@Entity('audiences')
@Index(['organizationId', 'id'])
export class Audience {
  @PrimaryColumn() id!: string;
  @Column() organizationId!: string;
  @ManyToOne(() => Organization, { nullable: false }) organization!: Organization;
  @OneToMany(() => Template, (template) => template.audience) templates!: Template[];
}

@Entity('templates')
@Index(['organizationId', 'id'])
export class Template {
  @PrimaryColumn() id!: string;
  @Column() name!: string;
  @Column() organizationId!: string;
  @ManyToOne(() => Organization, { nullable: false }) organization!: Organization;
  @ManyToOne(() => Audience, (audience) => audience.templates, { nullable: false }) audience!: Audience;
}
`;

type Orm = 'prisma' | 'typeorm';

const ORMS: Record<Orm, { deps: Record<string, string>; files: Record<string, string>; head: string; audience: (scoped: boolean) => string; template: string }> = {
  prisma: {
    deps: { '@prisma/client': '^6.8.0' },
    files: { 'prisma/schema.prisma': PRISMA_SCHEMA, 'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n` },
    head: `import { db } from './db';\n`,
    audience: (scoped) => `await db.audience.findFirst({ where: { id: req.params.id${scoped ? ', organizationId: req.user.organizationId' : ''} }, include: { templates: true } })`,
    template: `await db.template.findUnique({ where: { id: ids[i] } })`,
  },
  typeorm: {
    deps: { typeorm: '^0.3.20' },
    files: {
      'src/entities.ts': TYPEORM_ENTITIES,
      'src/db.ts': `import { DataSource } from 'typeorm';\nimport { Audience, Organization, Template } from './entities';\nexport const dataSource = new DataSource({ type: 'postgres', entities: [Organization, Audience, Template] });\n`,
    },
    head: `import { dataSource } from './db';\nimport { Audience, Template } from './entities';\n`,
    audience: (scoped) => `await dataSource.manager.findOne(Audience, { where: { id: req.params.id${scoped ? ', organization: { id: req.user.organizationId }' : ''} }, relations: ['templates'] })`,
    template: `await dataSource.getRepository(Template).findOneBy({ id: ids[i] })`,
  },
};

function project(orm: Orm, ids: string, scoped = true): string {
  const o = ORMS[orm];
  return makeProject({
    'package.json': JSON.stringify({ name: 'audiences', private: true, dependencies: { ...o.deps, express: '^4.21.0' } }),
    ...o.files,
    'src/app.ts': `import express from 'express';
${o.head}
export const app = express();
app.post('/audiences/:id/move', async (req: any, res) => {
  let audience;
  if (req.params.id) {
    audience = ${o.audience(scoped)};
  }
  if (!audience) return res.status(404).end();
  let ids = ${ids};
  ids = ids.filter((id: string) => id !== req.body.skip);
  const templates = [];
  for (let i = 0; i < ids.length; i++) {
    templates.push(${o.template});
  }
  res.json(templates);
});
`,
  });
}

/** The template read's require-tenant-filter finding, `template <severity>`, and any other line's. */
async function findings(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  const lines = readFileSync(join(dir, 'src/app.ts'), 'utf8').split('\n');
  const template = lines.findIndex((line) => line.includes('templates.push(')) + 1;
  return result.findings
    .filter((f) => f.ruleId === 'require-tenant-filter' && f.file === 'src/app.ts')
    .map((f) => `${f.line === template ? 'template' : 'audience'} ${f.severity}`)
    .sort();
}

describe.each(['typeorm', 'prisma'] as Orm[])('ids of a relation loaded with a scoped row, narrowed in a let (%s)', (orm) => {
  it('the ids of the scoped audience\'s templates: no finding', async () => {
    expect(await findings(project(orm, 'audience.templates.map((t) => t.id)'))).toEqual([]);
  });

  it('twin: ids from the request body stay an error', async () => {
    expect(await findings(project(orm, 'req.body.templateIds as string[]'))).toEqual(['template error']);
  });

  it('twin: the audience read by its id alone: both reads stay errors', async () => {
    expect(await findings(project(orm, 'audience.templates.map((t) => t.id)', false))).toEqual(['audience error', 'template error']);
  });
});
