// Scanning must never execute code of the scanned repository. @mrleebo/prisma-ast searches the
// current directory for a `prisma-ast` config (and executes `.js` ones) the first time it is
// loaded, so this lives in its own test file: the module is loaded fresh here, by the scan.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/scan/scan.js';
import { useScratch } from './helpers/scratch.js';

const require = createRequire(import.meta.url);
const PRISMA_AST_ENTRY = require.resolve('@mrleebo/prisma-ast');

const { makeProject } = useScratch();

/** Code files a tool might execute as configuration; each leaves a marker next to itself when run. */
const EXECUTABLE_CONFIGS = ['prisma-ast.config.js', '.prisma-astrc.js', 'tenant-lint.config.js', 'prisma.config.ts'];

function payload(name: string): string {
  // Plain CommonJS, also valid TypeScript: runs under require(), jiti or a TS loader alike.
  return `require('node:fs').writeFileSync(require('node:path').join(__dirname, ${JSON.stringify(`EXECUTED-${name}`)}), 'executed');
module.exports = {};
`;
}

function markersIn(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith('EXECUTED-'));
}

const SCHEMA = `model Organization {
  id       String    @id
  invoices Invoice[]
}

model Invoice {
  id           String       @id
  orgId        String
  organization Organization @relation(fields: [orgId], references: [id])
}
`;

describe('never executing scanned code', () => {
  it('the marker payloads do write their marker when executed (control)', () => {
    const control = makeProject(Object.fromEntries(EXECUTABLE_CONFIGS.map((name) => [`${name}.cjs`, payload(name)])));
    for (const name of EXECUTABLE_CONFIGS) require(join(control, `${name}.cjs`));
    expect(markersIn(control).sort()).toEqual(EXECUTABLE_CONFIGS.map((name) => `EXECUTED-${name}`).sort());
  });

  it('scan() run from inside a repository with executable configs executes none of them', async () => {
    // Precondition: the parser module has not been loaded yet in this process, so the scan loads it.
    expect(require.cache[PRISMA_AST_ENTRY], '@mrleebo/prisma-ast was loaded before the scan: run this file on its own').toBeUndefined();

    const dir = makeProject({
      ...Object.fromEntries(EXECUTABLE_CONFIGS.map((name) => [name, payload(name)])),
      'prisma/schema.prisma': SCHEMA,
      'src/db.ts': "import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n",
      'src/invoices.ts': "import { prisma } from './db';\nexport const getInvoice = (id: string) => prisma.invoice.findFirst({ where: { id } });\n",
    });
    const previous = process.cwd();
    let findings: string[];
    try {
      process.chdir(dir);
      const result = await scan({ path: dir });
      findings = result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`);
    } finally {
      process.chdir(previous);
    }
    expect(process.cwd()).toBe(previous);
    // The schema was parsed (the finding depends on it), so the parser module was loaded by this scan.
    expect(findings).toEqual(['src/invoices.ts:2']);
    expect(require.cache[PRISMA_AST_ENTRY]).toBeDefined();
    expect(markersIn(dir)).toEqual([]);
    for (const name of EXECUTABLE_CONFIGS) expect(existsSync(join(dir, `EXECUTED-${name}`))).toBe(false);
  });
});
