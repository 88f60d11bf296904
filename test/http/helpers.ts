import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/** The schema every flow test runs against: tenant root Organization (key orgId), Membership joins users to it. */
export const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id          String       @id
  slug        String       @unique
  members     Membership[]
  invoices    Invoice[]
}

model User {
  id          String       @id
  email       String       @unique
  memberships Membership[]
}

model Membership {
  id     String       @id
  orgId  String
  userId String
  org    Organization @relation(fields: [orgId], references: [id])
  user   User         @relation(fields: [userId], references: [id])

  @@unique([orgId, userId])
}

model Invoice {
  id     String       @id
  orgId  String
  number Int
  org    Organization @relation(fields: [orgId], references: [id])

  @@index([orgId, id])
}
`;

export const DB = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

export interface FlowResult {
  /** `file:line:column messageId` */
  findings: string[];
  messages: string[];
  /** `file:line reason` */
  unknown: string[];
}

/** Scans a scratch project (schema, db client and `files`) and returns what no-client-tenant-id reports. */
export function useFlowProjects(): (files: Record<string, string>) => Promise<FlowResult> {
  const { makeProject } = useScratch();
  return async (files) => {
    const dir = makeProject({ 'package.json': '{ "name": "flow" }\n', 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, ...files });
    const result = await scan({ path: dir });
    const mine = result.findings.filter((f) => f.ruleId === 'no-client-tenant-id');
    return {
      findings: mine.map((f) => `${f.file}:${f.line}:${f.column} ${f.messageId}`),
      messages: mine.map((f) => `${f.message}\n  why: ${f.evidence}\n  fix: ${f.help}`),
      unknown: result.unknown.filter((u) => u.ruleId === 'no-client-tenant-id').map((u) => `${u.file}:${u.line} ${u.reason}`),
    };
  };
}
