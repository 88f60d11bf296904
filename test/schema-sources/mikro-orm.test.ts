import { describe, expect, it } from 'vitest';
import { readMikroOrmDetailed } from '../../src/schema/mikro-orm.js';
import { readTsSchemaSources } from '../../src/schema/ts-sources.js';
import { column, relation, tableNamed, unitOf } from './helpers.js';

function project(files: Record<string, string>) {
  return Object.entries(files).map(([projectFile, text]) => ({ unit: unitOf(text, `/project/${projectFile}`), projectFile }));
}

// Shapes seen in a NestJS + MikroORM codebase of the field corpus: the tenant relation lives on an
// abstract base class in its own file, and relations name their target by `type:` or by the
// property's declared type (reflect-metadata), not by `() => Entity`.
const TENANT = `import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
@Entity()
export class Tenant {
  @PrimaryKey() id!: number;
  @Property() name!: string;
}
`;
const BASE = `import { Property } from '@mikro-orm/core';
export abstract class BaseEntity {
  @Property() createdAt = new Date();
}
`;
const BASE_TENANT = `import { ManyToOne } from '@mikro-orm/core';
import { Tenant } from '@tenants/tenant.entity';
import { BaseEntity } from './base.entity';
export abstract class BaseTenantEntity extends BaseEntity {
  @ManyToOne({ type: Tenant })
  tenant: Tenant;
}
`;

describe('MikroORM entities', () => {
  it('gives an entity the mapped properties of a base class imported from another file, through a chain of bases', () => {
    const result = readTsSchemaSources(
      project({
        'src/tenants/tenant.entity.ts': TENANT,
        'src/lib/entities/base.entity.ts': BASE,
        'src/lib/entities/base-tenant.entity.ts': BASE_TENANT,
        'src/teams/team.entity.ts': `import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { BaseTenantEntity } from '@lib/entities/base-tenant.entity';
@Entity()
export class Team extends BaseTenantEntity {
  @PrimaryKey() id!: number;
  @Property() slug!: string;
}
`,
      }),
    );
    expect(result.diagnostics).toEqual([]);
    // The abstract bases are not tables.
    expect(result.tables.map((t) => t.name).sort()).toEqual(['Team', 'Tenant']);
    const team = tableNamed(result.tables, 'Team');
    expect(relation(team, 'tenant')).toMatchObject({ target: 'Tenant', fields: ['tenant'], required: true });
    expect(column(team, 'tenant').dbName).toBe('tenant_id');
    expect(column(team, 'createdAt').dbName).toBe('created_at');
    expect(team.primaryKey).toEqual(['id']);
  });

  it('keeps an entity without a mapped base as it was: extending a class that maps nothing adds nothing', () => {
    const result = readTsSchemaSources(
      project({
        'src/tenants/tenant.entity.ts': TENANT,
        'src/lib/paginated.ts': `export abstract class Paginated { nodes: unknown[] = []; }`,
        'src/teams/team.entity.ts': `import { Entity, PrimaryKey } from '@mikro-orm/core';
import { Paginated } from '../lib/paginated';
@Entity()
export class Team extends Paginated {
  @PrimaryKey() id!: number;
}
`,
      }),
    );
    expect([...tableNamed(result.tables, 'Team').columns.keys()]).toEqual(['id']);
  });

  it('takes a relation target from `type:` and, without one, from the declared type of the property', () => {
    const read = readMikroOrmDetailed(
      unitOf(`import { Collection, Entity, ManyToOne, OneToMany, PrimaryKey, Ref } from '@mikro-orm/core';
@Entity()
export class Tenant {
  @PrimaryKey() id!: number;
  @OneToMany({ mappedBy: 'tenant' }) teams = new Collection<Team>(this);
}
@Entity()
export class Team {
  @PrimaryKey() id!: number;
  @ManyToOne() tenant!: Tenant;
  @ManyToOne({ nullable: true }) parent: Ref<Team> | null = null;
  @ManyToOne({ type: Tenant, onDelete: 'cascade' }) billedTo!: Tenant;
  @ManyToOne() mystery!: Team | Tenant;
}
`),
      'src/entities.ts',
    );
    const team = read.tables.find((t) => t.table.name === 'Team')?.table;
    expect(team && relation(team, 'tenant')).toMatchObject({ target: 'Tenant', required: true });
    expect(team && relation(team, 'parent')).toMatchObject({ target: 'Team', required: false });
    expect(team && relation(team, 'billedTo')).toMatchObject({ target: 'Tenant', required: true });
    // A union of two entities names no single target.
    expect(team?.relations.has('mystery')).toBe(false);
  });

  it('reads `@Entity({ abstract: true })` as a base, not a table', () => {
    const read = readMikroOrmDetailed(
      unitOf(`import { Entity, ManyToOne, PrimaryKey } from '@mikro-orm/core';
import { Tenant } from './tenant';
@Entity({ abstract: true })
export abstract class Owned {
  @ManyToOne(() => Tenant) tenant!: Tenant;
}
@Entity()
export class Note extends Owned {
  @PrimaryKey() id!: number;
}
`),
      'src/entities.ts',
    );
    expect(read.tables.map((t) => t.table.name)).toEqual(['Note']);
    expect(read.bases?.map((t) => t.table.name)).toEqual(['Owned']);
    expect(read.tables[0] && relation(read.tables[0].table, 'tenant').target).toBe('Tenant');
  });
});
