import { relative } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../rules/index.js';
import { clearEditorCache } from '../../src/project/editor-cache.js';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { SCHEMA } from '../helpers/invoice-app.js';

/*
 * A client exported as `new Proxy({} as PrismaClient, { get() { ... getClient() ... } })` (comp: every
 * app and package of the monorepo builds its `db` this way, and 2,503 of 2,521 Prisma calls were
 * neither analysed nor counted). The Proxy stands for its target, and the target is an empty object
 * literal asserted to be the client: the asserted type says what the code uses it as. Twins: a value
 * that reaches a library keeps it whatever it is asserted to, and an assertion to a project type is
 * no client.
 */

const { makeProject } = useScratch();

const ACTION = `import { db } from '../../../client';
export async function POST(req: Request) {
  const body = await req.json();
  return db.invoice.findFirst({ where: { id: body.id } });
}
export async function GET(req: Request) {
  const session = { orgId: req.headers.get('x') ?? '' };
  return db.invoice.findMany({ where: { orgId: session.orgId } });
}
`;

function app(client: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: { '@prisma/client': '^6.8.0', next: '^15.0.0' } }),
    'prisma/schema.prisma': SCHEMA,
    'src/client.ts': client,
    'src/app/api/invoice/route.ts': ACTION,
  });
}

const PROXY = `import { PrismaClient } from '@prisma/client';
const g = global as unknown as { prisma?: PrismaClient };
function getClient(): PrismaClient { if (!g.prisma) g.prisma = new PrismaClient(); return g.prisma; }
export const db = new Proxy({} as PrismaClient, {
  get(_t, prop) { const c = getClient(); const v = Reflect.get(c, prop, c); return typeof v === 'function' ? v.bind(c) : v; },
});
`;

async function both(dir: string): Promise<{ cli: string[]; editor: string[]; coverage: unknown }> {
  const result = await scan({ path: dir });
  const cli = result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`);
  clearEditorCache();
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, plugin.configs.recommended] });
  const editor: string[] = [];
  for (const r of await eslint.lintFiles(['src/**/*.ts'])) {
    for (const m of r.messages) if (m.ruleId === 'tenant-lint/require-tenant-filter') editor.push(`${relative(dir, r.filePath).split('\\').join('/')}:${m.line} ${m.severity === 2 ? 'error' : 'warning'}`);
  }
  return { cli, editor, coverage: result.coverage };
}

describe('a client behind `new Proxy({} as PrismaClient, ...)` (comp)', () => {
  it('is the client: the unscoped read is reported and the scoped one analysed, through both faces', async () => {
    const { cli, editor, coverage } = await both(app(PROXY));
    expect(cli).toEqual(['src/app/api/invoice/route.ts:4 error']);
    expect(editor).toEqual(cli);
    expect(coverage).toMatchObject({ seen: 2, analysed: 2, notTraced: 0 });
  });

  it('`x as unknown as PrismaClient` over an untyped value is the client too', async () => {
    const client = `import { PrismaClient } from '@prisma/client';\nconst holder: Record<string, unknown> = {};\nexport const db = holder.client as unknown as PrismaClient;\n`;
    const { cli } = await both(app(client));
    expect(cli).toEqual(['src/app/api/invoice/route.ts:4 error']);
  });

  it('twin: a value asserted to a project type is not a client (nothing seen, nothing invented)', async () => {
    const client = `interface Store { invoice: { findFirst(a: unknown): unknown; findMany(a: unknown): unknown } }\nexport const db = new Proxy({} as Store, { get() { return () => null; } });\n`;
    const { cli, editor } = await both(app(client));
    expect(cli).toEqual([]);
    expect(editor).toEqual([]);
  });
});
