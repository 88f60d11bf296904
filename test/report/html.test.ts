import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli.js';
import { esc } from '../../src/report/html.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject, tempDir } = useScratch();

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id       String    @id
  invoices Invoice[]
  notes    Note[]
}

model Invoice {
  id    String       @id
  orgId String
  org   Organization @relation(fields: [orgId], references: [id])

  @@index([orgId, id])
}

model Note {
  id    String        @id
  orgId String?
  org   Organization? @relation(fields: [orgId], references: [id])
}
`;

const DB = `import { PrismaClient } from '@prisma/client';
export const prisma = new PrismaClient();
`;

/** The file name and the code carry markup: the report must show it as text. */
const HOSTILE_DIR = 'src/<script>alert(1)';
const LEAK = `import { prisma } from '../db';
export function getInvoice(id: string) {
  return prisma.invoice.findFirst({ where: { id } }); // </script><script>alert(2)</script><img src=x onerror=alert(3)>
}
export function listAll() {
  // tenant-lint-ignore require-tenant-filter -- <b>billing export</b> runs for operators "only"
  return prisma.invoice.findMany();
}
export function scoped(orgId: string) {
  return prisma.invoice.findMany({ where: { orgId } });
}
`;

async function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTTY: false,
    env: { CI: 'true' },
  };
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    return { code: await main(args, io), stdout, stderr };
  } finally {
    process.chdir(previous);
  }
}

function project(): string {
  const dir = realpathSync(makeProject({ 'package.json': '{ "name": "app", "main": "index.js" }', 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, [`${HOSTILE_DIR}/invoices.ts`]: LEAK }));
  execFileSync('git', ['init', '--quiet'], { cwd: dir });
  return dir;
}

describe('--format html', () => {
  it('writes one file with --output; a file name and code with <script> are inert text', async () => {
    const dir = project();
    const result = await run(['scan', '.', '--format', 'html', '--output', 'report.html'], dir);
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'tenant-lint: wrote html report to report.html (3 findings)\n' });
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    // No script element, event handler or javascript: URL anywhere: the only tags are the report's own.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('<code>src/&lt;script&gt;alert(1)/invoices.ts:3:10</code>');
    expect(html).toContain('// &lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;&lt;img src=x onerror=alert(3)&gt;</span>');
    // The suppression is listed with its reason, escaped.
    expect(html).toContain('<td>&lt;b&gt;billing export&lt;/b&gt; runs for operators &quot;only&quot;</td>');
  });

  it('loads nothing from the network: a CSP that allows no source, no resource URLs, links only to sections and rule docs', async () => {
    const dir = project();
    const { stdout: html, code } = await run(['scan', '.', '--format', 'html'], dir);
    expect(code).toBe(1);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">`);
    expect(html).not.toMatch(/<(link|script|img|iframe|object|embed|video|audio|source|base|form)\b/i);
    expect(html).not.toMatch(/<[^>]*\ssrc\s*=/i);
    expect(html).not.toMatch(/url\(|@import/i);
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1]);
    expect(hrefs.length).toBeGreaterThan(6);
    expect(hrefs.filter((href) => !href.startsWith('#') && !href.startsWith('https://github.com/tenant-lint/tenant-lint/blob/main/docs/rules/'))).toEqual([]);
    // The same scan, the same bytes.
    expect((await run(['scan', '.', '--format', 'html'], dir)).stdout).toBe(html);
  });

  it('has the summary, coverage, isolation matrix, hierarchy with evidence, inventory and every finding with excerpt, why and fix', async () => {
    const dir = project();
    const { stdout: html } = await run(['scan', '.', '--format', 'html'], dir);
    for (const id of ['summary', 'coverage', 'matrix', 'hierarchy', 'inventory', 'findings']) expect(html).toContain(`<section id="${id}">`);
    expect(html).toContain('<tr><td><a href="https://github.com/tenant-lint/tenant-lint/blob/main/docs/rules/require-tenant-column.md"><code>require-tenant-column</code></a></td><td class="num">0</td><td class="num">1</td><td class="num">0</td><td class="num">1</td></tr>');
    expect(html).toContain('<span class="badge verdict-complete">COMPLETE</span>');
    // Matrix: Invoice has a NOT NULL tenant column and a composite tenant-leading index, 3 queries, 2 unscoped (one suppressed).
    expect(html).toMatch(/<tr class="class-tenant"><td><code>Invoice<\/code><div class="muted small"><code>prisma\/schema.prisma:12<\/code><\/div><\/td><td><span class="badge class-tenant" title="[^"]*">tenant<\/span><\/td><td><code>orgId<\/code> → <code>Organization<\/code><\/td><td><span class="yes">✓ yes<\/span><\/td><td><span class="yes">✓ yes<\/span><\/td><td><span class="muted">unknown \(no SQL migrations\)<\/span><\/td><td class="num">3<\/td><td class="num"><span class="error-text">2<\/span><\/td><td class="num">0<\/td><\/tr>/);
    // Note's tenant column is nullable and has no index.
    expect(html).toContain('<td><code>orgId</code> → <code>Organization</code></td><td><span class="no">✗ nullable</span></td><td><span class="no">✗ none</span></td>');
    expect(html).toContain('<p>Tenant root <code>Organization</code>: inferred: 2 models reference `Organization`.</p>');
    expect(html).toContain('<tr><td><code>Invoice.orgId</code></td><td><code>Organization</code></td><td><code>prisma/schema.prisma:14</code></td></tr>');
    expect(html).toContain('<h3>Suppressions in the source (1)</h3>');
    const finding = html.slice(html.indexOf('<article class="finding sev-error"'));
    expect(finding).toContain('<p class="message">`prisma.invoice.findFirst` reads tenant-scoped model `Invoice` (by `id` alone) without a tenant filter.</p>');
    expect(finding).toContain('<span class="line hit"><span class="ln">3</span>   return prisma.invoice.findFirst');
    expect(finding).toMatch(/<p><strong>Why:<\/strong> `Invoice.orgId` references the tenant/);
    expect(finding).toMatch(/<p><strong>Fix:<\/strong> Add `orgId` to `where`/);
  });

  it('lists the baseline entries it accepts', async () => {
    const dir = project();
    expect((await run(['scan', '.', '--write-baseline'], dir)).code).toBe(0);
    const { stdout: html, code } = await run(['scan', '.', '--format', 'html', '--baseline', 'tenant-lint-baseline.json'], dir);
    expect(code).toBe(0);
    expect(html).toContain('<h3>Baseline entries in <code>tenant-lint-baseline.json</code> (3 matched, 0 fixed)</h3>');
    expect(html).toContain('<tr><td><code>src/&lt;script&gt;alert(1)/invoices.ts:3</code></td><td><code>require-tenant-filter</code></td><td>error</td>');
    expect(html).toContain('<p class="ok">No findings.</p>');
  });

  it('escapes every character that could end text or an attribute', () => {
    expect(esc(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('the matrix shows row-level security from the SQL migrations, and coverage lists what was not analysable', async () => {
    const dir = realpathSync(tempDir());
    cpSync(join(import.meta.dirname, '..', '..', 'fixtures', 'supabase-nextjs'), dir, { recursive: true });
    execFileSync('git', ['init', '--quiet'], { cwd: dir });
    const { stdout: html } = await run(['scan', '.', '--format', 'html'], dir);
    expect(html).toContain('<td><span class="warn">! enabled, not forced</span><br><span class="no">✗ no policy on the tenant column</span><br>other: <code>signed-in users read keys</code></td>');
    // A child table's policy through its key to the parent counts as a tenant policy.
    expect(html).toContain('<td>via <code>invoice_id</code></td><td><span class="muted">n/a</span></td><td><span class="muted">n/a</span></td><td><span class="warn">! enabled, not forced</span><br>tenant policy: <code>lines of visible invoices</code></td>');
    expect(html).toContain('<details open><summary>Not analysable: 2 queries whose filter could not be read</summary>');
    expect(html).toContain('<tr><td><code>src/services/reports.ts:11:26</code></td><td><code>require-tenant-filter</code></td><td>client.from(&#39;invoices&#39;): row-level security isolates');
  });

  it('lists unscoped queries judged exempt (system code) in the inventory, with the evidence', async () => {
    const JOB = `import { prisma } from '../db';
export async function nightly() {
  return prisma.invoice.findMany();
}
`;
    const dir = realpathSync(makeProject({ 'package.json': '{ "name": "app", "main": "index.js" }', 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/jobs/nightly.ts': JOB }));
    execFileSync('git', ['init', '--quiet'], { cwd: dir });
    const { stdout: html } = await run(['scan', '.', '--format', 'html'], dir);
    expect(html).toContain('<h3>Unscoped queries judged exempt or defended elsewhere: system code, admin-only or checked paths, row-level security (1)</h3>');
    expect(html).toMatch(/<tr><td><a href="#f-[0-9a-f]+-3"><code>src\/jobs\/nightly.ts:3<\/code><\/a><\/td><td><code>require-tenant-filter<\/code><\/td><td>info<\/td><td>[^<]*systemPaths[^<]*<\/td><\/tr>/);
  });
});
