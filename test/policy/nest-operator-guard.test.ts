import { join } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/no-client-tenant-id.js';

// comp's PlatformAdminGuard: a class-level NestJS guard that loads the verified user's own row (by the
// session's user id) and throws unless its role is the constant 'admin'. Routes behind it are an
// operator console: a client-chosen tenant is what they are for.
const project = join(import.meta.dirname, '..', 'http', 'project');
const filename = join(project, 'src', 'handler.ts');
const ruleTester = new RuleTester({ defaultFilenames: { ts: filename, tsx: filename } });

const head = `import { CanActivate, Controller, ExecutionContext, ForbiddenException, Get, Injectable, Param, Post, UseGuards } from '@nestjs/common';\nimport { prisma } from './lib/db';\nimport { betterAuth } from 'better-auth';\nconst auth = betterAuth({});\n`;
const guard = (test: string, extra = '') => `@Injectable()
export class PlatformAdminGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    const headers = new Headers();
    const authHeader = request.headers['authorization'];
    if (authHeader) headers.set('authorization', authHeader);
    const session = await auth.api.getSession({ headers });
    if (!session?.user?.id) throw new ForbiddenException('no session');
    const user = await prisma.user.findUnique({ where: { id: ${extra || 'session.user.id'} } });
    if (!user) throw new ForbiddenException('no user');
    if (${test}) throw new ForbiddenException('admins only');
    return true;
  }
}
`;
const controller = (classGuard: boolean) => `@Controller('admin/orgs')
${classGuard ? '@UseGuards(PlatformAdminGuard)\n' : ''}export class AdminOrgsController {
  @Get(':orgId/invoices')
  list(@Param('orgId') orgId: string) {
    return prisma.invoice.findMany({ where: { orgId } });
  }
${classGuard ? '' : `  @Post(':orgId/close')
  @UseGuards(PlatformAdminGuard)
  close(@Param('orgId') orgId: string) {
    return prisma.invoice.updateMany({ where: { orgId }, data: { closed: true } });
  }
`}}
`;

// comp's InternalTokenGuard: a class guard that compares a header with a server secret (an internal endpoint).
const tokenGuard = (expected: string) => `@Injectable()
export class InternalTokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest();
    const expectedToken = ${expected};
    const token = req.headers['x-internal-token'];
    if (!token || token !== expectedToken) throw new ForbiddenException('bad token');
    return true;
  }
}
@Controller('internal/orgs')
@UseGuards(InternalTokenGuard)
export class InternalOrgsController {
  @Get(':orgId/invoices')
  list(@Param('orgId') orgId: string) {
    return prisma.invoice.findMany({ where: { orgId } });
  }
}
`;

ruleTester.run('no-client-tenant-id (NestJS operator guard)', rule, {
  valid: [
    // the guard on the class covers every method
    `${head}${guard("user.role !== 'admin'")}${controller(true)}`,
    // a class guard that compares a header with a secret from the environment
    `${head}${tokenGuard('process.env.INTERNAL_API_TOKEN')}`,
  ],
  invalid: [
    // twin: the header compared with another header, not a server secret
    { code: `${head}${tokenGuard("req.headers['x-expected-token']")}`, errors: [{ messageId: 'clientTenantId' }] },
    // twin: the role compared with a value the client sends
    { code: `${head}${guard("user.role !== request.headers['x-role']")}${controller(true)}`, errors: [{ messageId: 'clientTenantId' }] },
    // twin: a guard on one method does not cover its sibling (list), only itself (close)
    { code: `${head}${guard("user.role !== 'admin'")}${controller(false)}`, errors: [{ messageId: 'clientTenantId', line: 23 }] },
    // twin: a class guard that only logs the role and lets every request through
    { code: `${head}${guard("user.role !== 'admin'").replace("throw new ForbiddenException('admins only')", "console.warn('not an admin')")}${controller(true)}`, errors: [{ messageId: 'clientTenantId' }] },
    // twin: the session from better-auth's browser client is not one the server verified
    { code: `${head.replace("import { betterAuth } from 'better-auth';\nconst auth = betterAuth({});", "import { createAuthClient } from 'better-auth/client';\nconst auth = createAuthClient({});")}${guard("user.role !== 'admin'")}${controller(true)}`, errors: [{ messageId: 'clientTenantId' }] },
    // twin: the row found by a client-sent id, not the session's
    { code: `${head}${guard("user.role !== 'admin'", "request.params.userId")}${controller(true)}`, errors: [{ messageId: 'clientTenantId' }] },
  ],
});
