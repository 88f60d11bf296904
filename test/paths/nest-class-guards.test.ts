import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * comp (judged C02, C10, C12, C04, C11; C20-C27): NestJS guards named in `@UseGuards` on the
 * controller class run before every method of it. A guard that compares a request header with a
 * server secret makes the controller an internal endpoint (system code, info); a guard that loads the
 * verified user's own row (by the session's user id) and throws unless its role is the constant
 * 'admin' makes it an operator console (at most warning, naming the guard). Twins: a guard on one
 * method does not cover its siblings; a header compared with another header; a role compared with a
 * value the client sends; a guard that only logs.
 */

const { makeProject } = useScratch();

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id       String    @id
  projects Project[]
}

model User {
  id    String @id
  email String @unique
  role  String?
}

model Project {
  id             String       @id
  name           String
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, id])
}
`;

const DB = `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`;

const tokenGuard = (compared: string, failure = `throw new UnauthorizedException('Invalid internal token')`) => `import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';

@Injectable()
export class InternalTokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    const expectedToken = ${compared};
    const token = req.headers['x-internal-token'];
    if (!token || token !== expectedToken) {
      ${failure};
    }
    return true;
  }
}
`;

const adminGuard = (test: string, failure = `throw new ForbiddenException('admins only')`) => `import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { prisma } from './db';
import { auth } from './auth';

@Injectable()
export class PlatformAdminGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    const headers = new Headers();
    const cookie = request.headers['cookie'];
    if (cookie) headers.set('cookie', cookie);
    const session = await auth.api.getSession({ headers });
    if (!session?.user?.id) throw new UnauthorizedException('Invalid session');
    const user = await prisma.user.findUnique({ where: { id: session.user.id } });
    if (!user) throw new UnauthorizedException('User not found');
    if (${test}) {
      ${failure};
    }
    return true;
  }
}
`;

const AUTH = `import { betterAuth } from 'better-auth';\nexport const auth = betterAuth({});\n`;

/** A controller whose methods read a project by a client-chosen id; `classGuard` on the class, or `methodGuard` on `remove` only. */
const controller = (name: string, { classGuard = true, query = 'prisma.project.findUnique({ where: { id } })', imports = `import { prisma } from './db';` } = {}) => `import { Controller, Delete, Get, Param, UseGuards } from '@nestjs/common';
${imports}
import { ${name} } from './guard';

@Controller('internal/projects')
${classGuard ? `@UseGuards(${name})\n` : ''}export class ProjectsController {
  @Get(':id')
  async byId(@Param('id') id: string) {
    return ${query};
  }

  @Delete(':id')
${classGuard ? '' : `  @UseGuards(${name})\n`}  async remove(@Param('id') id: string) {
    return 'ok';
  }
}
`;

function prismaProject(files: Record<string, string>): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { '@prisma/client': '^6.8.0', '@nestjs/common': '^11.0.0', 'better-auth': '^1.2.0' } }),
    'prisma/schema.prisma': SCHEMA,
    'src/db.ts': DB,
    'src/auth.ts': AUTH,
    ...files,
  });
}

async function tenantFilter(dir: string) {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter');
}

describe('a NestJS controller behind a class-level shared-secret guard (Prisma)', () => {
  it('the guard compares a header with a secret from the environment: info, naming the guard', async () => {
    const found = await tenantFilter(prismaProject({ 'src/guard.ts': tokenGuard('process.env.INTERNAL_API_TOKEN'), 'src/projects.controller.ts': controller('InternalTokenGuard') }));
    expect(found.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual(['src/projects.controller.ts:10 info']);
    expect(found[0]!.evidence).toContain('@UseGuards(InternalTokenGuard)');
  });

  it('twin: the header compared with another header, not a server secret: error', async () => {
    const found = await tenantFilter(prismaProject({ 'src/guard.ts': tokenGuard(`req.headers['x-expected-token']`), 'src/projects.controller.ts': controller('InternalTokenGuard') }));
    expect(found.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual(['src/projects.controller.ts:10 error']);
  });

  it('twin: the guard on one method does not cover its sibling: error', async () => {
    const found = await tenantFilter(prismaProject({ 'src/guard.ts': tokenGuard('process.env.INTERNAL_API_TOKEN'), 'src/projects.controller.ts': controller('InternalTokenGuard', { classGuard: false }) }));
    expect(found.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual(['src/projects.controller.ts:9 error']);
  });

  it('twin: a class guard that only logs a wrong token: error', async () => {
    const found = await tenantFilter(prismaProject({ 'src/guard.ts': tokenGuard('process.env.INTERNAL_API_TOKEN', `console.warn('bad token')`), 'src/projects.controller.ts': controller('InternalTokenGuard') }));
    expect(found.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual(['src/projects.controller.ts:10 error']);
  });
});

describe('a NestJS controller behind a class-level operator guard (Prisma, better-auth)', () => {
  const SERVICE = `import { prisma } from './db';\n\nexport const projectById = (id: string) => prisma.project.findUnique({ where: { id } });\n`;
  const files = (test: string, failure?: string) => ({
    'src/guard.ts': adminGuard(test, failure),
    'src/projects.service.ts': SERVICE,
    'src/projects.controller.ts': controller('PlatformAdminGuard', { imports: `import { projectById } from './projects.service';`, query: 'projectById(id)' }),
  });

  it("the guard loads the session user's own row and throws unless its role is 'admin': warning, reached only by operators, naming the guard", async () => {
    const found = await tenantFilter(prismaProject(files(`user.role !== 'admin'`)));
    expect(found.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual(['src/projects.service.ts:3 warning']);
    expect(found[0]!.evidence).toContain('reached only by operators');
    expect(found[0]!.evidence).toContain('@UseGuards(PlatformAdminGuard)');
  });

  it('the query in the guarded method itself: operator code, not reported (as for other admin-only entries)', async () => {
    expect(await tenantFilter(prismaProject({ 'src/guard.ts': adminGuard(`user.role !== 'admin'`), 'src/projects.controller.ts': controller('PlatformAdminGuard') }))).toEqual([]);
  });

  // The twins are not operator code. They stay at warning, not error, because the guard still loads the
  // verified user's row and throws when there is none, which composedGuard reads as an identity check
  // (that reading came before this change); no-client-tenant-id reports them at error (test/rules/nest-operator-guard.test.ts).
  it('twin: the role compared with a value the client sends: not operator code', async () => {
    const found = await tenantFilter(prismaProject(files(`user.role !== request.headers['x-role']`)));
    expect(found.map((f) => f.file)).toEqual(['src/projects.service.ts']);
    expect(found[0]!.evidence).not.toContain('reached only by operators');
  });

  it('twin: a guard that only logs the role: not operator code', async () => {
    const found = await tenantFilter(prismaProject(files(`user.role !== 'admin'`, `console.warn('not an admin')`)));
    expect(found.map((f) => f.file)).toEqual(['src/projects.service.ts']);
    expect(found[0]!.evidence).not.toContain('reached only by operators');
  });
});

describe('a NestJS controller behind a class-level shared-secret guard (Drizzle)', () => {
  const fixture = (file: string) => readFileSync(join(import.meta.dirname, '../../fixtures/paths-drizzle-hono', file), 'utf8');
  const repo = (compared: string, classGuard = true) =>
    makeProject({
      'package.json': JSON.stringify({ name: 'd', private: true, dependencies: { 'drizzle-orm': '^0.43.1', postgres: '^3.4.5', '@nestjs/common': '^11.0.0' } }),
      'src/db/schema.ts': fixture('src/db/schema.ts'),
      'src/db/client.ts': fixture('src/db/client.ts'),
      'src/guard.ts': tokenGuard(compared),
      'src/projects.controller.ts': controller('InternalTokenGuard', {
        classGuard,
        imports: `import { eq } from 'drizzle-orm';\nimport { db } from './db/client';\nimport { documents } from './db/schema';`,
        query: 'db.select().from(documents).where(eq(documents.id, id))',
      }),
    });

  it('the guard compares a header with a secret from the environment: info', async () => {
    expect((await tenantFilter(repo('process.env.INTERNAL_API_TOKEN'))).map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual(['src/projects.controller.ts:12 info']);
  });

  it('twin: the guard on one method does not cover its sibling: error', async () => {
    expect((await tenantFilter(repo('process.env.INTERNAL_API_TOKEN', false))).map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual(['src/projects.controller.ts:11 error']);
  });
});
