/** One bad input, or a component that throws, costs that input (a diagnostic naming the file), never the scan. */
import { describe, expect, it, vi } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

vi.mock('../../src/analyze/sql-files.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/analyze/sql-files.js')>();
  return {
    ...actual,
    analyzeSqlQueryFile: (text: string, ...rest: Parameters<typeof actual.analyzeSqlQueryFile> extends [string, ...infer R] ? R : never) => {
      if (text.includes('THROW_HERE')) throw new Error('boom in the SQL analysis');
      return actual.analyzeSqlQueryFile(text, ...rest);
    },
  };
});

const { makeProject } = useScratch();

const SCHEMA = `model Organization {
  id       String    @id
  invoices Invoice[]
}

model Invoice {
  id           String       @id
  orgId        String
  organization Organization @relation(fields: [orgId], references: [id])

  @@index([orgId, id])
}

model Empty {
}
`;
const DB = `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`;
const LEAK = `import { prisma } from './db';\nexport function getInvoice(id: string) {\n  return prisma.invoice.findFirst({ where: { id } });\n}\n`;

describe('fault isolation', () => {
  it('an empty Prisma model, a throwing .sql analysis and a broken nested package.json each cost only themselves', async () => {
    const dir = makeProject({
      'package.json': '{"name":"app"}',
      'prisma/schema.prisma': SCHEMA,
      'src/db.ts': DB,
      'src/invoices.ts': LEAK,
      'queries/bad.sql': '-- THROW_HERE\nSELECT * FROM "Invoice" WHERE id = $1;\n',
      'fixtures/broken/package.json': '{ "name": ',
      'fixtures/broken/x.ts': 'export const x = 1;\n',
    });
    const result = await scan({ path: dir });
    expect(result.findings.map((f) => `${f.file}:${f.line}`)).toContain('src/invoices.ts:3');
    expect(result.diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'internal', file: 'queries/bad.sql', message: expect.stringContaining('boom in the SQL analysis') }),
      ]),
    );
  });
});
