import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Session 14, where the verified caller's identity comes from.
 * teable (judged G076): the user id lives in a request-scoped store (nestjs-cls) that the
 * authentication strategy fills (`this.cls.set('user.id', user.id)` in `validate`); a service whose
 * first statement is `permissionService.validPermissions(spaceId, ...)`, which resolves the caller's
 * collaborator row with that user id and throws otherwise, checks the client's `spaceId`.
 */

const { makeProject } = useScratch();

const PRISMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Space {
  id    String @id
  name  String
  bases Base[]
}

model Base {
  id      String @id
  spaceId String
  name    String
  space   Space  @relation(fields: [spaceId], references: [id])

  @@index([spaceId, id])
}

model User {
  id            String         @id
  name          String
  collaborators Collaborator[]
}

model Collaborator {
  id           String @id
  roleName     String
  resourceType String
  resourceId   String
  userId       String
  user         User   @relation(fields: [userId], references: [id])
}
`;

const PRISMA_SERVICE = `import { Injectable } from '@nestjs/common';
import { PrismaClient } from '@prisma/client';

@Injectable()
export class PrismaService extends PrismaClient {}
`;

const CLS_STORE = `import type { ClsStore } from 'nestjs-cls';

export interface IClsStore extends ClsStore {
  user: { id: string; name: string };
  accessTokenId?: string;
}
`;

const STRATEGY = `import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import { ClsService } from 'nestjs-cls';
import type { IClsStore } from './cls';
import { PrismaService } from './prisma.service';

@Injectable()
export class SessionStrategy extends PassportStrategy(Strategy) {
  constructor(
    private readonly prismaService: PrismaService,
    private readonly cls: ClsService<IClsStore>
  ) {
    super();
  }

  async validate(payload: { id: string }) {
    const user = await this.prismaService.user.findUnique({ where: { id: payload.id } });
    if (!user) throw new UnauthorizedException();
    this.cls.set('user.id', user.id);
    return user;
  }
}
`;

const PERMISSION = `import { ForbiddenException, Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import type { IClsStore } from './cls';
import { PrismaService } from './prisma.service';

@Injectable()
export class PermissionService {
  constructor(
    private readonly prismaService: PrismaService,
    private readonly cls: ClsService<IClsStore>
  ) {}

  async getRoleBySpaceId(spaceId: string) {
    const userId = this.cls.get('user.id');
    const collaborator = await this.prismaService.collaborator.findFirst({
      where: { userId, resourceId: spaceId, resourceType: 'space' },
      select: { roleName: true },
    });
    if (!collaborator) {
      throw new ForbiddenException('you have no permission to access this space');
    }
    return collaborator.roleName;
  }

  async getPermissions(resourceId: string) {
    const role = await this.getRoleBySpaceId(resourceId);
    return role === 'owner' ? ['space|delete', 'space|read'] : ['space|read'];
  }

  async validPermissions(resourceId: string, permissions: string[]) {
    const own = await this.getPermissions(resourceId);
    if (permissions.every((p) => own.includes(p))) return own;
    throw new ForbiddenException('not allowed');
  }
}
`;

const SERVICE = `import { Injectable } from '@nestjs/common';
import { PermissionService } from './permission.service';
import { PrismaService } from './prisma.service';

@Injectable()
export class SpaceService {
  constructor(
    private readonly prismaService: PrismaService,
    private readonly permissionService: PermissionService
  ) {}

  async permanentDeleteSpace(spaceId: string) {
    await this.permissionService.validPermissions(spaceId, ['space|delete']);
    const bases = await this.prismaService.base.findMany({ where: { spaceId } });
    return bases.length;
  }
}
`;

const CONTROLLER = `import { Controller, Delete, Param } from '@nestjs/common';
import { SpaceService } from './space.service';

@Controller('api/space')
export class SpaceController {
  constructor(private readonly spaceService: SpaceService) {}

  @Delete(':spaceId/permanent')
  async permanentDeleteSpace(@Param('spaceId') spaceId: string) {
    return await this.spaceService.permanentDeleteSpace(spaceId);
  }
}
`;

function teable(files: Record<string, string> = {}): string {
  return makeProject({
    'package.json': JSON.stringify({
      name: 'teable-like',
      private: true,
      dependencies: { '@nestjs/common': '^10.0.0', '@nestjs/passport': '^10.0.0', '@prisma/client': '^5.0.0', 'nestjs-cls': '^4.0.0', 'passport-local': '^1.0.0' },
    }),
    'prisma/schema.prisma': PRISMA,
    'src/prisma.service.ts': PRISMA_SERVICE,
    'src/cls.ts': CLS_STORE,
    'src/session.strategy.ts': STRATEGY,
    'src/permission.service.ts': PERMISSION,
    'src/space.service.ts': SERVICE,
    'src/space.controller.ts': CONTROLLER,
    ...files,
  });
}

async function findings(path: string, rule: string) {
  return (await scan({ path })).findings.filter((f) => f.ruleId === rule).map((f) => `${f.file}:${f.line} ${f.severity}`);
}

describe('nestjs-cls: the user id the authentication strategy stored (teable, judged G076)', () => {
  it('ok: the service validates permissions on the id first (its collaborator lookup pins the cls user)', async () => {
    expect(await findings(teable(), 'no-client-tenant-id')).toEqual([]);
  });
});

describe('nestjs-cls twins: the check or the verified store is missing', () => {
  it('err: the service deletes without validating permissions first', async () => {
    const unchecked = SERVICE.replace("    await this.permissionService.validPermissions(spaceId, ['space|delete']);\n", '');
    expect(unchecked).not.toBe(SERVICE);
    expect(await findings(teable({ 'src/space.service.ts': unchecked }), 'no-client-tenant-id')).toEqual(['src/space.controller.ts:9 error']);
  });

  it('err: `user.id` is set by a handler from the body, not by the authentication step', async () => {
    const handler = `import { Body, Controller, Post } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import type { IClsStore } from './cls';

@Controller('api/act-as')
export class ActAsController {
  constructor(private readonly cls: ClsService<IClsStore>) {}

  @Post()
  actAs(@Body() body: { userId: string }) {
    this.cls.set('user.id', body.userId);
  }
}
`;
    const noStrategy = STRATEGY.replace("    this.cls.set('user.id', user.id);\n", '');
    expect(noStrategy).not.toBe(STRATEGY);
    const found = await findings(teable({ 'src/session.strategy.ts': noStrategy, 'src/act-as.controller.ts': handler }), 'no-client-tenant-id');
    expect(found).toContain('src/space.controller.ts:9 error');
  });

  it('err: a validator named for permissions that reads no identity (only the id) is no check', async () => {
    const blind = PERMISSION.replace('    const userId = this.cls.get(\'user.id\');\n', '    const userId = spaceId;\n');
    expect(blind).not.toBe(PERMISSION);
    expect(await findings(teable({ 'src/permission.service.ts': blind }), 'no-client-tenant-id')).toEqual(['src/space.controller.ts:9 error']);
  });
});

/* The same shapes over TypeORM: the collaborator lookup and the delete through repositories. */

const TYPEORM_FILES: Record<string, string> = {
  'src/connection.ts': "import { DataSource } from 'typeorm';\nexport const dataSource = new DataSource({ type: 'postgres' });\n",
  'src/space.entity.ts': "import { Entity, PrimaryColumn, Column } from 'typeorm';\n@Entity()\nexport class Space { @PrimaryColumn() id: string; @Column() name: string; }\n",
  'src/base.entity.ts':
    "import { Entity, PrimaryColumn, Column, ManyToOne, Index } from 'typeorm';\nimport { Space } from './space.entity';\n@Entity()\n@Index(['spaceId', 'id'])\nexport class Base { @PrimaryColumn() id: string; @Column() spaceId: string; @ManyToOne(() => Space) space: Space; @Column() name: string; }\n",
  'src/user.entity.ts': "import { Entity, PrimaryColumn, Column } from 'typeorm';\n@Entity()\nexport class User { @PrimaryColumn() id: string; @Column() name: string; }\n",
  'src/collaborator.entity.ts':
    "import { Entity, PrimaryColumn, Column, ManyToOne } from 'typeorm';\nimport { User } from './user.entity';\n@Entity()\nexport class Collaborator { @PrimaryColumn() id: string; @Column() roleName: string; @Column() resourceId: string; @Column() userId: string; @ManyToOne(() => User) user: User; }\n",
};

const TYPEORM_PERMISSION = PERMISSION.replace("import { PrismaService } from './prisma.service';", "import { dataSource } from './connection';\nimport { Collaborator } from './collaborator.entity';")
  .replace('    private readonly prismaService: PrismaService,\n', '')
  .replace('await this.prismaService.collaborator.findFirst({', 'await dataSource.getRepository(Collaborator).findOne({');

const TYPEORM_SERVICE = SERVICE.replace("import { PrismaService } from './prisma.service';", "import { dataSource } from './connection';\nimport { Base } from './base.entity';")
  .replace('    private readonly prismaService: PrismaService,\n', '')
  .replace('await this.prismaService.base.findMany({ where: { spaceId } })', 'await dataSource.getRepository(Base).find({ where: { spaceId } })');

const TYPEORM_STRATEGY = STRATEGY.replace("import { PrismaService } from './prisma.service';", "import { dataSource } from './connection';\nimport { User } from './user.entity';")
  .replace('    private readonly prismaService: PrismaService,\n', '')
  .replace('await this.prismaService.user.findUnique({ where: { id: payload.id } })', 'await dataSource.getRepository(User).findOne({ where: { id: payload.id } })');

function teableTypeorm(files: Record<string, string> = {}): string {
  return makeProject({
    'package.json': JSON.stringify({
      name: 'teable-typeorm',
      private: true,
      dependencies: { '@nestjs/common': '^10.0.0', '@nestjs/passport': '^10.0.0', typeorm: '^0.3.20', 'nestjs-cls': '^4.0.0', 'passport-local': '^1.0.0' },
    }),
    'tenant-lint.config.json': JSON.stringify({ tenantRoot: 'Space' }),
    ...TYPEORM_FILES,
    'src/cls.ts': CLS_STORE,
    'src/session.strategy.ts': TYPEORM_STRATEGY,
    'src/permission.service.ts': TYPEORM_PERMISSION,
    'src/space.service.ts': TYPEORM_SERVICE,
    'src/space.controller.ts': CONTROLLER,
    ...files,
  });
}

describe('nestjs-cls and a permission service over TypeORM', () => {
  it('ok: validPermissions first, its collaborator lookup pinning the cls user', async () => {
    expect(TYPEORM_SERVICE).toContain('getRepository(Base).find(');
    expect(TYPEORM_PERMISSION).toContain('getRepository(Collaborator).findOne(');
    expect(await findings(teableTypeorm(), 'no-client-tenant-id')).toEqual([]);
  });

  it('err: no permission check before the delete', async () => {
    const unchecked = TYPEORM_SERVICE.replace("    await this.permissionService.validPermissions(spaceId, ['space|delete']);\n", '');
    expect(unchecked).not.toBe(TYPEORM_SERVICE);
    expect(await findings(teableTypeorm({ 'src/space.service.ts': unchecked }), 'no-client-tenant-id')).toEqual(['src/space.controller.ts:9 error']);
  });

  it('err: the strategy does not store the user: the permission service reads a key nothing verified', async () => {
    const noStrategy = TYPEORM_STRATEGY.replace("    this.cls.set('user.id', user.id);\n", '');
    expect(noStrategy).not.toBe(TYPEORM_STRATEGY);
    expect(await findings(teableTypeorm({ 'src/session.strategy.ts': noStrategy }), 'no-client-tenant-id')).toEqual(['src/space.controller.ts:9 error']);
  });
});
