// Issue 13 (rocketadmin's shape, written anew): a NestJS controller reaches a use case through an
// injection token (`@Inject(UseCaseToken.READ) private readonly read: IConnectionUseCase`), calls the
// base class's `execute()`, which calls the `implementation()` the use case overrides; the token is
// bound to the class by a module's `{ provide, useClass }`. The callers of `implementation()` are
// those controller methods: a guarded route gives a warning naming the guard, its unguarded twin an
// error naming the route. Both use cases implement the same interface, so only the token tells them apart.
import { relative } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../rules/index.js';
import { clearEditorCache } from '../../src/project/editor-cache.js';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

const BASE = `export abstract class BaseUseCase<TInput, TOutput> {
  async execute(input: TInput): Promise<TOutput> {
    const started = Date.now();
    try {
      return await this.implementation(input);
    } finally {
      console.debug('use case took', Date.now() - started);
    }
  }

  protected abstract implementation(input: TInput): Promise<TOutput>;
}
`;

const GUARD = `import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { isMemberOf } from './members';

@Injectable()
export class ConnectionMemberGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest();
    if (!req.user || !(await isMemberOf(req.user.id, req.params.connectionId))) throw new ForbiddenException();
    return true;
  }
}
`;
const MEMBERS = `export async function isMemberOf(userId: string, connectionId: string) {\n  return userId.length > 0 && connectionId.length > 0;\n}\n`;

/** The controller: `read` behind the guard, `probe` without one; `fields` declares the two injected use cases. */
const controller = (fields: string, imports: string) => `import { Body, Controller, Get, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ConnectionMemberGuard } from './connection-member.guard';
${imports}

@Controller('connections')
export class ConnectionController {
  constructor(
${fields}
  ) {}

  @UseGuards(ConnectionMemberGuard)
  @Get(':connectionId')
  async read(@Param('connectionId') connectionId: string) {
    return this.readConnection.execute(connectionId);
  }

  @Post('probe')
  async probe(@Body('connectionId') connectionId: string) {
    return this.probeConnection.execute(connectionId);
  }
}
`;
const TOKEN_FIELDS = `    @Inject(UseCaseToken.READ_CONNECTION) private readonly readConnection: IConnectionUseCase,
    @Inject(UseCaseToken.PROBE_CONNECTION) private readonly probeConnection: IConnectionUseCase,`;
const TOKEN_IMPORTS = `import { UseCaseToken } from './tokens';\nimport { IConnectionUseCase } from './use-cases.interfaces';`;
const TOKENS = `export enum UseCaseToken {\n  READ_CONNECTION = 'READ_CONNECTION',\n  PROBE_CONNECTION = 'PROBE_CONNECTION',\n}\n`;
const MODULE = (read = 'ReadConnectionUseCase', probe = 'ProbeConnectionUseCase') => `import { Module } from '@nestjs/common';
import { ConnectionController } from './connection.controller';
import { ProbeConnectionUseCase } from './probe-connection.use-case';
import { ReadConnectionUseCase } from './read-connection.use-case';
import { UseCaseToken } from './tokens';

@Module({
  providers: [
    { provide: UseCaseToken.READ_CONNECTION, useClass: ${read} },
    { provide: UseCaseToken.PROBE_CONNECTION, useClass: ${probe} },
  ],
  controllers: [ConnectionController],
})
export class ConnectionModule {}
`;

const TYPEORM_ENTITIES = `import { Column, Entity, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';

@Entity('company')
export class CompanyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() name: string;
  @OneToMany(() => ConnectionEntity, (c) => c.company) connections: ConnectionEntity[];
}

@Entity('connection')
export class ConnectionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() host: string;
  @ManyToOne(() => CompanyEntity, (c) => c.connections, { onDelete: 'CASCADE' }) company: CompanyEntity;
}
`;
const typeormUseCase = (name: string, implementsClause = ' implements IConnectionUseCase') => `import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { BaseUseCase } from './base-use-case';
import { ConnectionEntity } from './entities';
import { IConnectionUseCase } from './use-cases.interfaces';

@Injectable()
export class ${name} extends BaseUseCase<string, ConnectionEntity | null>${implementsClause} {
  constructor(@InjectRepository(ConnectionEntity) private readonly connections: Repository<ConnectionEntity>) {
    super();
  }

  protected async implementation(connectionId: string): Promise<ConnectionEntity | null> {
    return this.connections.findOne({ where: { id: connectionId } });
  }
}
`;

function typeormProject(files: Record<string, string> = {}): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'conn-app', private: true, dependencies: { typeorm: '^0.3.20', '@nestjs/common': '^10', '@nestjs/core': '^10', '@nestjs/typeorm': '^10' } }),
    'src/entities.ts': TYPEORM_ENTITIES,
    'src/base-use-case.ts': BASE,
    'src/tokens.ts': TOKENS,
    'src/use-cases.interfaces.ts': `import type { ConnectionEntity } from './entities';\n\nexport interface IConnectionUseCase {\n  execute(connectionId: string): Promise<ConnectionEntity | null>;\n}\n`,
    'src/read-connection.use-case.ts': typeormUseCase('ReadConnectionUseCase'),
    'src/probe-connection.use-case.ts': typeormUseCase('ProbeConnectionUseCase'),
    'src/connection.module.ts': MODULE(),
    'src/members.ts': MEMBERS,
    'src/connection-member.guard.ts': GUARD,
    'src/connection.controller.ts': controller(TOKEN_FIELDS, TOKEN_IMPORTS),
    ...files,
  });
}

async function scanned(dir: string): Promise<{ at: string; evidence: string }[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => ({ at: `${f.file}:${f.line} ${f.severity}`, evidence: f.evidence ?? '' }));
}

/** The plugin's require-tenant-filter messages, `file:line message`. */
async function linted(dir: string): Promise<string[]> {
  clearEditorCache();
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, { plugins: { 'tenant-lint': plugin }, rules: { 'tenant-lint/require-tenant-filter': 'error' } }],
  });
  const found: string[] = [];
  for (const result of await eslint.lintFiles(['src/**/*.ts'])) {
    for (const message of result.messages) if (message.ruleId === 'tenant-lint/require-tenant-filter') found.push(`${relative(dir, result.filePath).split('\\').join('/')}:${message.line} ${message.message}`);
  }
  return found.sort();
}

describe('a NestJS use case reached through an injection token (TypeORM)', () => {
  it('the guarded route: warning naming the guard; the unguarded twin: error naming the route (scanner)', async () => {
    const found = await scanned(typeormProject());
    expect(found.map((f) => f.at)).toEqual(['src/probe-connection.use-case.ts:15 error', 'src/read-connection.use-case.ts:15 warning']);
    expect(found[0]!.evidence).toContain('the controller method `probe` (`src/connection.controller.ts:20`)');
    expect(found[1]!.evidence).toContain('`@UseGuards(ConnectionMemberGuard)`');
    expect(found[1]!.evidence).not.toContain('probe');
  });

  it('the same through the ESLint plugin', async () => {
    const found = await linted(typeormProject());
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^src\/probe-connection\.use-case\.ts:15 .*the controller method `probe`/);
    expect(found[1]).toMatch(/^src\/read-connection\.use-case\.ts:15 .*@UseGuards\(ConnectionMemberGuard\)/);
  });

  it('twin: the tokens bound the other way round: the guard now covers the probe use case, the read one is the leak', async () => {
    const found = await scanned(typeormProject({ 'src/connection.module.ts': MODULE('ProbeConnectionUseCase', 'ReadConnectionUseCase') }));
    expect(found.map((f) => f.at)).toEqual(['src/probe-connection.use-case.ts:15 warning', 'src/read-connection.use-case.ts:15 error']);
  });

  it('twin: no provider binds the tokens: no caller is found, both stay reported (warning, no request reaches them)', async () => {
    const found = await scanned(typeormProject({ 'src/connection.module.ts': 'export const nothing = 1;\n' }));
    expect(found.map((f) => f.at)).toEqual(['src/probe-connection.use-case.ts:15 warning', 'src/read-connection.use-case.ts:15 warning']);
    expect(found.every((f) => f.evidence.includes('no request reaches this query today'))).toBe(true);
  });

  it('fields typed with an interface only one class implements (no token): the same verdicts', async () => {
    const fields = `    private readonly readConnection: IReadConnection,\n    private readonly probeConnection: IProbeConnection,`;
    const found = await scanned(
      typeormProject({
        'src/use-cases.interfaces.ts': `import type { ConnectionEntity } from './entities';\n\nexport interface IConnectionUseCase {\n  execute(connectionId: string): Promise<ConnectionEntity | null>;\n}\nexport interface IReadConnection extends IConnectionUseCase {}\nexport interface IProbeConnection extends IConnectionUseCase {}\n`,
        'src/read-connection.use-case.ts': typeormUseCase('ReadConnectionUseCase', ' implements IReadConnection').replace('{ IConnectionUseCase }', '{ IReadConnection }'),
        'src/probe-connection.use-case.ts': typeormUseCase('ProbeConnectionUseCase', ' implements IProbeConnection').replace('{ IConnectionUseCase }', '{ IProbeConnection }'),
        'src/connection.controller.ts': controller(fields, `import { IProbeConnection, IReadConnection } from './use-cases.interfaces';`),
      }),
    );
    expect(found.map((f) => f.at)).toEqual(['src/probe-connection.use-case.ts:15 error', 'src/read-connection.use-case.ts:15 warning']);
  });

  it('twin: the interface is implemented by both classes (no token): which one runs is not known, neither is tied to a route', async () => {
    const fields = `    private readonly readConnection: IConnectionUseCase,\n    private readonly probeConnection: IConnectionUseCase,`;
    const found = await scanned(typeormProject({ 'src/connection.controller.ts': controller(fields, `import { IConnectionUseCase } from './use-cases.interfaces';`) }));
    expect(found.map((f) => f.at)).toEqual(['src/probe-connection.use-case.ts:15 warning', 'src/read-connection.use-case.ts:15 warning']);
  });
});

describe('a NestJS use case injected by its class (Prisma)', () => {
  const SCHEMA = `datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\nmodel Company {\n  id          String       @id\n  connections Connection[]\n}\n\nmodel Connection {\n  id        String  @id\n  host      String\n  companyId String\n  company   Company @relation(fields: [companyId], references: [id])\n  @@index([companyId, id])\n}\n`;
  const useCase = (name: string) =>
    `import { Injectable } from '@nestjs/common';\nimport { BaseUseCase } from './base-use-case';\nimport { prisma } from './db';\n\n@Injectable()\nexport class ${name} extends BaseUseCase<string, unknown> {\n  protected async implementation(connectionId: string) {\n    return prisma.connection.findUnique({ where: { id: connectionId } });\n  }\n}\n`;
  const fields = `    private readonly readConnection: ReadConnectionUseCase,\n    private readonly probeConnection: ProbeConnectionUseCase,`;
  const project = () =>
    makeProject({
      'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { '@prisma/client': '^6.8.0', '@nestjs/common': '^11.0.0' } }),
      'prisma/schema.prisma': SCHEMA,
      'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
      'src/base-use-case.ts': BASE,
      'src/read-connection.use-case.ts': useCase('ReadConnectionUseCase'),
      'src/probe-connection.use-case.ts': useCase('ProbeConnectionUseCase'),
      'src/members.ts': MEMBERS,
      'src/connection-member.guard.ts': GUARD,
      'src/connection.controller.ts': controller(fields, `import { ProbeConnectionUseCase } from './probe-connection.use-case';\nimport { ReadConnectionUseCase } from './read-connection.use-case';`),
    });

  it('guarded route: warning naming the guard; unguarded twin: error naming the route (both faces)', async () => {
    const dir = project();
    const found = await scanned(dir);
    expect(found.map((f) => f.at)).toEqual(['src/probe-connection.use-case.ts:8 error', 'src/read-connection.use-case.ts:8 warning']);
    expect(found[0]!.evidence).toContain('the controller method `probe`');
    expect(found[1]!.evidence).toContain('`@UseGuards(ConnectionMemberGuard)`');
    const linted_ = await linted(dir);
    expect(linted_).toHaveLength(2);
    expect(linted_[0]).toMatch(/^src\/probe-connection\.use-case\.ts:8 .*the controller method `probe`/);
    expect(linted_[1]).toMatch(/^src\/read-connection\.use-case\.ts:8 .*@UseGuards\(ConnectionMemberGuard\)/);
  });
});

describe("a decorator the project writes itself is not the scheduler's (rocketadmin's `@Timeout()` interceptor)", () => {
  const timeout = `import { UseInterceptors } from '@nestjs/common';\nexport function Timeout(ms?: number): MethodDecorator & ClassDecorator {\n  return UseInterceptors({ intercept: (_c: unknown, next: { handle(): unknown }) => next.handle(), ms } as never);\n}\n`;
  it('`@Timeout()` imported from the project on the controller: the route stays a request (error)', async () => {
    const withTimeout = controller(TOKEN_FIELDS, `${TOKEN_IMPORTS}\nimport { Timeout } from './timeout.decorator';`).replace(`@Controller('connections')`, `@Timeout()\n@Controller('connections')`);
    const found = await scanned(typeormProject({ 'src/timeout.decorator.ts': timeout, 'src/connection.controller.ts': withTimeout }));
    expect(found.map((f) => f.at)).toEqual(['src/probe-connection.use-case.ts:15 error', 'src/read-connection.use-case.ts:15 warning']);
  });
  it("twin: @nestjs/schedule's `@Timeout()` on the method: a job, info", async () => {
    const job = controller(TOKEN_FIELDS, `${TOKEN_IMPORTS}\nimport { Timeout } from '@nestjs/schedule';`).replace(`  @Post('probe')`, `  @Timeout(1000)\n  @Post('probe')`);
    const found = await scanned(typeormProject({ 'src/connection.controller.ts': job }));
    expect(found.map((f) => f.at)).toEqual(['src/probe-connection.use-case.ts:15 info', 'src/read-connection.use-case.ts:15 warning']);
  });
});

describe('a guard that answers through `new Promise((resolve, reject) => ...)` (rocketadmin)', () => {
  const promiseGuard = (onFailure: string) => `import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { isMemberOf } from './members';

@Injectable()
export class ConnectionMemberGuard implements CanActivate {
  canActivate(context: ExecutionContext): Promise<boolean> {
    return new Promise(async (resolve, reject) => {
      const req = context.switchToHttp().getRequest();
      const allowed = await isMemberOf(req.user.id, req.params.connectionId);
      if (allowed) {
        resolve(true);
        return;
      }
      ${onFailure};
    });
  }
}
`;
  // The route names no request part (`@Body`, no `:param`), so only the guard's own reading decides.
  const byBody = controller(TOKEN_FIELDS, TOKEN_IMPORTS).replace(`@Get(':connectionId')\n  async read(@Param('connectionId')`, `@Post('read')\n  async read(@Body('connectionId')`);
  it('`reject(new ForbiddenException())` when the check fails: the route is guarded (warning, naming the guard)', async () => {
    const found = await scanned(typeormProject({ 'src/connection-member.guard.ts': promiseGuard('reject(new ForbiddenException())'), 'src/connection.controller.ts': byBody }));
    expect(found.map((f) => f.at)).toEqual(['src/probe-connection.use-case.ts:15 error', 'src/read-connection.use-case.ts:15 warning']);
    expect(found[1]!.evidence).toContain('`ConnectionMemberGuard.canActivate` checks the verified identity');
  });
  it('twin: the guard lets the request through when the check fails: error', async () => {
    const found = await scanned(typeormProject({ 'src/connection-member.guard.ts': promiseGuard(`console.warn('not a member'); resolve(true)`), 'src/connection.controller.ts': byBody }));
    expect(found.map((f) => f.at)).toEqual(['src/probe-connection.use-case.ts:15 error', 'src/read-connection.use-case.ts:15 error']);
  });
});
