// Coverage on the field corpus, session 13 (issue 16): calls the census counted as not traced
// that the flow engine now follows, each beside its twin (an untraced call still counted with a
// precise reason, or the unsafe shape of a safe one), in every ORM where the shape exists.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

const PRISMA = `
model Organization {
  id       String    @id
  invoices Invoice[]
}
model Invoice {
  id    String       @id
  orgId String
  org   Organization @relation(fields: [orgId], references: [id])
  @@index([orgId])
}
`;

function filterSites(result: Awaited<ReturnType<typeof scan>>): string[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`);
}

// teable's PrismaService.$tx(fn) runs fn with a transaction client (or the one the request holds).
const PRISMA_SERVICE = `import { PrismaClient, type Prisma } from '@prisma/client';
export class PrismaService extends PrismaClient {
  private current?: Prisma.TransactionClient;
  async $tx<R>(fn: (prisma: Prisma.TransactionClient) => Promise<R>): Promise<R> {
    if (this.current) return fn(this.current);
    return this.$transaction(async (prisma) => fn(prisma));
  }
  async later<R>(fn: (rows: string[]) => Promise<R>): Promise<R> {
    return fn([]);
  }
}
`;

describe('Prisma: the client a project method hands its callback', () => {
  it('`this.prismaService.$tx(async (prisma) => prisma.invoice.findMany(...))` is a query on the transaction client', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { '@prisma/client': '5' } }),
      'prisma/schema.prisma': PRISMA,
      'src/prisma.service.ts': PRISMA_SERVICE,
      'src/invoice.service.ts': [
        `import { PrismaService } from './prisma.service';`,
        `export class InvoiceService {`,
        `  constructor(private readonly prismaService: PrismaService) {}`,
        `  list(orgId: string) { return this.prismaService.$tx(async (prisma) => prisma.invoice.findMany({ where: { orgId } })); }`,
        `  one(id: string) { return this.prismaService.$tx(async (tx) => tx.invoice.findFirst({ where: { id } })); }`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites.map((s) => s.reason)).toEqual([]);
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 2, scoped: 1, unscoped: 1, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/invoice.service.ts:5']);
  });

  it('twin: what the same class hands another callback (an array) is not a client; a callback of a package function is only matched by the schema', async () => {
    const dir = makeProject({
      'package.json': JSON.stringify({ dependencies: { '@prisma/client': '5' } }),
      'prisma/schema.prisma': PRISMA,
      'src/prisma.service.ts': PRISMA_SERVICE,
      'src/invoice.service.ts': [
        `import { PrismaService } from './prisma.service';`,
        `import { runLater } from 'some-queue';`,
        `export class InvoiceService {`,
        `  constructor(private readonly prismaService: PrismaService) {}`,
        `  list() { return this.prismaService.later(async (rows) => rows.invoice.findMany({ where: {} })); }`,
        `  one(id: string) { return runLater(async (tx: any) => tx.invoice.findFirst({ where: { id } })); }`,
        `}`,
        '',
      ].join('\n'),
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 1, analysed: 1, schemaMatched: 1, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/invoice.service.ts:6']);
  });
});
