/**
 * The smallest leaking Prisma app, shared by the robustness tests: an organization with invoices,
 * a client module, and a read of an invoice by id alone (one require-tenant-filter finding).
 */
export const SCHEMA = `model Organization {
  id       String    @id
  invoices Invoice[]
}

model Invoice {
  id           String       @id
  orgId        String
  organization Organization @relation(fields: [orgId], references: [id])

  @@index([orgId, id])
}
`;

export const DB = `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`;

export const LEAK = `import { prisma } from './db';\nexport function getInvoice(id: string) {\n  return prisma.invoice.findFirst({ where: { id } });\n}\n`;
