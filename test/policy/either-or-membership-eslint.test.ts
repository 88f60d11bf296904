import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/no-client-tenant-id.js';
import { onDisk } from '../helpers/on-disk.js';

const ruleTester = new RuleTester();

// The editor's face of test/policy/either-or-membership.test.ts: the same Prisma either/or membership
// (the owner OR a member of the organization) is a check, and its twin with a branch that does not
// involve the user (OR the organization is public) is not.
const schema = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id      String         @id
  owned   Organization[]
  members Member[]
}

model Organization {
  id      String   @id
  ownerId String
  public  Boolean  @default(false)
  owner   User     @relation(fields: [ownerId], references: [id])
  members Member[]
  videos  Video[]
}

model Member {
  id             String       @id
  userId         String
  organizationId String
  user           User         @relation(fields: [userId], references: [id])
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, userId])
}

model Video {
  id             String       @id
  name           String
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
  @@index([organizationId, id])
}
`;

function route(branch: string): { code: string; filename: string } {
  const code = `import express from 'express';
import { prisma } from './db';

async function requireOrganizationAccess(userId: string, organizationId: string) {
  const organization = await prisma.organization.findFirst({ where: { id: organizationId, OR: [{ ownerId: userId }, ${branch}] } });
  if (!organization) throw new Error('Forbidden');
  return organization;
}

const app = express();
app.post('/orgs/:orgId/videos', async (req, res) => {
  await requireOrganizationAccess(req.user.id, req.params.orgId);
  await prisma.video.updateMany({ where: { organizationId: req.params.orgId }, data: { name: req.body.name } });
  res.sendStatus(204);
});
`;
  return onDisk(code, 'src/routes.ts', {
    'package.json': JSON.stringify({ name: 'either-or-eslint', dependencies: { express: '^4.21.0', '@prisma/client': '^6.0.0' } }),
    'prisma/schema.prisma': schema,
    'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
  });
}

ruleTester.run('no-client-tenant-id: an either-or membership whose every branch pins the verified user', rule, {
  valid: [route('{ members: { some: { userId } } }')],
  invalid: [{ ...route('{ public: true }'), errors: [{ messageId: 'clientTenantId' }] }],
});
