// NestJS helpers: custom parameter decorators and a membership guard.
import { createParamDecorator, Injectable } from '@nestjs/common';
import { prisma } from './db';

/** The organization of the user the authentication guard verified. */
export const CurrentOrg = createParamDecorator((data, ctx) => ctx.switchToHttp().getRequest().user.orgId);

/** The organization the client names in a header: client input under another name. */
export const HeaderOrg = createParamDecorator((data, ctx) => ctx.switchToHttp().getRequest().headers['x-org-id']);

@Injectable()
export class OrgMemberGuard {
  async canActivate(context) {
    const req = context.switchToHttp().getRequest();
    const membership = await prisma.membership.findFirst({ where: { orgId: req.params.orgId, userId: req.user.id } });
    return Boolean(membership);
  }
}
