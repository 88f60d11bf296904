import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Issue 13, tutur3u/platform (14 judged findings): data-migration routes that answer 403 outside a
 * development deployment before reading anything (`const devModeError = requireDevMode(); if
 * (devModeError) return devModeError;`, the helper returning null only when `DEV_MODE =
 * process.env.NODE_ENV === 'development'` or a local end-to-end flag holds). A tenant the request
 * names there reaches no production data: developer tooling. Twins: no gate; a configuration check
 * (`if (!process.env.MIGRATION_KEY)`, set in production too); a "dev" helper that reads the request.
 */

const { makeProject } = useScratch();

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id       String       @id
  members  Membership[]
  invoices Invoice[]
}

model User {
  id          String       @id
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

const DEV = `import { NextResponse } from 'next/server';
import { DEV_MODE } from './constants';

function allowsLocalE2EAccess() {
  return process.env.LOCAL_E2E_AUTH_BYPASS === 'true';
}

export function requireDevMode(): NextResponse | null {
  if (DEV_MODE || allowsLocalE2EAccess()) {
    return null;
  }
  console.error('blocked a migration route in production');
  return NextResponse.json({ error: 'Forbidden' }, { status: 403 });
}

export function requireDevHeader(request: Request): NextResponse | null {
  if (request.headers.get('x-dev') === '1') return null;
  return NextResponse.json({ error: 'Forbidden' }, { status: 403 });
}
`;

function route(gate: string, read: string): string {
  return `import { prisma } from '@/lib/db';
import { requireDevHeader, requireDevMode } from '@/lib/dev';

export async function GET(request: Request) {
${gate}
  const wsId = new URL(request.url).searchParams.get('ws_id');
${read}
}
`;
}

const PRISMA_READ = `  return Response.json(await prisma.invoice.findMany({ where: { orgId: wsId ?? '' } }));`;
const SQL_READ = `  const { rows } = await pool.query('SELECT * FROM invoices WHERE org_id = $1', [wsId]);\n  return Response.json(rows);`;

function project(gate: string, layer: 'prisma' | 'sql' = 'prisma'): string {
  const sql = layer === 'sql';
  return makeProject({
    'package.json': JSON.stringify({ name: 'dev-gates', private: true, dependencies: { next: '15.1.0', ...(sql ? { pg: '^8.13.0' } : { '@prisma/client': '^6.8.0' }) } }),
    'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['src/*'] } } }),
    ...(sql
      ? {
          'migrations/0001_init.sql': `create table organizations (id uuid primary key);\ncreate table users (id uuid primary key);\ncreate table memberships (id uuid primary key, org_id uuid not null references organizations (id), user_id uuid not null references users (id));\ncreate table invoices (id uuid primary key, org_id uuid not null references organizations (id), number int);\ncreate table payments (id uuid primary key, org_id uuid not null references organizations (id));\ncreate index on invoices (org_id, id);\ncreate index on payments (org_id, id);\ncreate unique index on memberships (org_id, user_id);\n`,
          'src/lib/db.ts': `import { Pool } from 'pg';\n\nexport const pool = new Pool();\n`,
        }
      : { 'prisma/schema.prisma': SCHEMA, 'src/lib/db.ts': `import { PrismaClient } from '@prisma/client';\n\nexport const prisma = new PrismaClient();\n` }),
    'src/lib/constants.ts': `export const DEV_MODE = process.env.NODE_ENV === 'development';\n`,
    'src/lib/dev.ts': DEV,
    'src/app/api/migrate/route.ts': sql ? route(gate, SQL_READ).replace("import { prisma } from '@/lib/db';", "import { pool } from '@/lib/db';") : route(gate, PRISMA_READ),
  });
}

async function clientTenantLines(path: string): Promise<string[]> {
  return (await scan({ path })).findings.filter((f) => f.ruleId === 'no-client-tenant-id').map((f) => `${f.file}:${f.line}`);
}

const HELPER_GATE = `  const devModeError = requireDevMode();\n  if (devModeError) return devModeError;`;
const ROUTE = 'src/app/api/migrate/route.ts';

describe('a route that refuses outside a development deployment', () => {
  it('ok: requireDevMode() returns a 403 unless DEV_MODE or a local end-to-end flag (Prisma)', async () => {
    expect(await clientTenantLines(project(HELPER_GATE))).toEqual([]);
  });

  it('ok: the same gate before raw SQL', async () => {
    expect(await clientTenantLines(project(HELPER_GATE, 'sql'))).toEqual([]);
  });

  it("ok: if (process.env.NODE_ENV === 'production') return 404", async () => {
    expect(await clientTenantLines(project(`  if (process.env.NODE_ENV === 'production') return new Response(null, { status: 404 });`))).toEqual([]);
  });

  it('err: no gate', async () => {
    expect(await clientTenantLines(project(''))).toEqual([`${ROUTE}:6`]);
  });

  it('err: no gate, raw SQL', async () => {
    expect(await clientTenantLines(project('', 'sql'))).toEqual([`${ROUTE}:6`]);
  });

  it('err: a configuration check, present in production too', async () => {
    expect(await clientTenantLines(project(`  if (!process.env.MIGRATION_KEY) return new Response(null, { status: 500 });`))).toEqual([`${ROUTE}:6`]);
  });

  it('err: a "dev" gate that the request itself opens', async () => {
    expect(await clientTenantLines(project(`  const devError = requireDevHeader(request);\n  if (devError) return devError;`))).toEqual([`${ROUTE}:7`]);
  });
});
