import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

const MIGRATION = `CREATE TABLE orgs (id uuid PRIMARY KEY);
CREATE TABLE notes (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id), body text);
CREATE INDEX ON notes (org_id, id);
`;

const CLIENTS = `import { createClient } from '@supabase/supabase-js';
import type { SupabaseClient } from '@supabase/supabase-js';
export type TypedClient = SupabaseClient;
export const admin = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!);
`;

function project(files: Record<string, string>): string {
  return makeProject({
    'package.json': JSON.stringify({ dependencies: { '@supabase/supabase-js': '2' } }),
    'supabase/migrations/20240101000000_init.sql': MIGRATION,
    'src/clients.ts': CLIENTS,
    ...files,
  });
}

describe('clients reached through parameters (issue 16)', () => {
  it('follows interface and object types of a parameter to a client type, and keeps a stand-in type not traced', async () => {
    const dir = project({
      'src/context.ts': `import type { TypedClient } from './clients';\nexport interface Ctx {\n  supabase: TypedClient;\n}\nexport type { Ctx as ToolContext };\n`,
      'src/a.ts': `import type { ToolContext } from './context';\nexport const one = (ctx: ToolContext, id: string) => ctx.supabase.from('notes').select('*').eq('id', id);\nexport const two = (ctx: ToolContext, orgId: string) => ctx.supabase.from('notes').select('*').eq('org_id', orgId);\n`,
      // A structural stand-in for the client: no client type to follow, and no caller.
      'src/b.ts': `type SupabaseLike = { from: (table: string) => any };\nexport const three = (client: SupabaseLike, id: string) => client.from('notes').select('*').eq('id', id);\n`,
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 3, analysed: 2, notTraced: 1, scoped: 1, unscoped: 1 });
    expect(result.coverage.notTracedSites.map((s) => [s.file, s.line])).toEqual([['src/b.ts', 2]]);
    expect(result.coverage.notTracedSites[0]?.reason).toContain('`client` is a parameter of unknown type');
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => f.line)).toEqual([2]);
  });

  it('binds an untyped parameter to what every call site passes, and leaves it not traced when one caller passes something unknown', async () => {
    const dir = project({
      'src/repo.ts': `export async function load(supabase: any, id: string) {\n  return supabase.from('notes').select('*').eq('id', id);\n}\nexport async function loadScoped(supabase: any, orgId: string) {\n  return supabase.from('notes').select('*').eq('org_id', orgId);\n}\nexport async function loadAnywhere(supabase: any, id: string) {\n  return supabase.from('notes').select('*').eq('id', id);\n}\n`,
      'src/routes.ts': `import { admin } from './clients';\nimport { load, loadAnywhere, loadScoped } from './repo';\nexport const a = (id: string) => load(admin, id);\nexport const b = (orgId: string) => loadScoped(admin, orgId);\nexport const c = (id: string) => loadAnywhere(admin, id);\nexport const d = (client: any, id: string) => loadAnywhere(client, id);\n`,
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 3, analysed: 2, notTraced: 1 });
    expect(result.coverage.notTracedSites.map((s) => [s.file, s.line])).toEqual([['src/repo.ts', 8]]);
    expect(result.coverage.notTracedSites[0]?.reason).toContain('`supabase` is a parameter of unknown type');
    const errors = result.findings.filter((f) => f.ruleId === 'require-tenant-filter');
    expect(errors.map((f) => [f.file, f.line])).toEqual([['src/repo.ts', 2]]);
  });

  it('reads the callback of a project wrapper as what the wrapper passes it; a wrapper that passes nothing known stays not traced', async () => {
    const dir = project({
      'src/auth.ts': `import { admin } from './clients';\nexport function withAuth(handler: (request: Request, context: { supabase: any }) => Promise<Response>) {\n  return (request: Request) => handler(request, { supabase: admin });\n}\nexport function withAnything(handler: (request: Request, context: { supabase: any }) => Promise<Response>, make: () => any) {\n  return (request: Request) => handler(request, { supabase: make() });\n}\n`,
      'src/route.ts': `import { withAnything, withAuth } from './auth';\nexport const GET = withAuth(async (_request, { supabase }) => Response.json(await supabase.from('notes').select('*')));\nexport const POST = withAuth(async (request, context) => Response.json(await context.supabase.from('notes').select('*').eq('org_id', request.headers.get('x-org'))));\nexport const PUT = withAnything(async (_request, { supabase }) => Response.json(await supabase.from('notes').select('*')), () => null);\n`,
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 3, analysed: 2, notTraced: 1 });
    expect(result.coverage.notTracedSites.map((s) => [s.file, s.line])).toEqual([['src/route.ts', 4]]);
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.severity === 'error').map((f) => f.line)).toEqual([2]);
  });

  it('finds the client in a wide union of objects a helper returns, after narrowing; a member no object has stays not traced', async () => {
    const errors = Array.from({ length: 9 }, (_, i) => `  if (request.headers.get('x-${i}')) return { error: new Response('${i}') };`).join('\n');
    const dir = project({
      'src/access.ts': `import { admin } from './clients';\nexport async function requireAccess(request: Request) {\n${errors}\n  return { sbAdmin: admin, wsId: 'w' };\n}\n`,
      'src/route.ts': `import { requireAccess } from './access';\nexport async function GET(request: Request) {\n  const access = await requireAccess(request);\n  if ('error' in access) return access.error;\n  return Response.json(await access.sbAdmin.from('notes').select('*'));\n}\nexport async function POST(request: Request) {\n  const access: any = await requireAccess(request);\n  return Response.json(await access.db.from('notes').select('*'));\n}\n`,
    });
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 2, analysed: 1, notTraced: 1 });
    expect(result.coverage.notTracedSites[0]?.reason).toContain('has no member `db`');
  });
});
