/**
 * Determinism: the same tree gives byte-identical JSON and SARIF whatever the working directory, the
 * tree's location on disk and the locale (the old `localeCompare` ordered `packages/Åpp` before
 * `packages/zed` in en_US and after it in sv_SE). Runs the built CLI: the locale is read once, at
 * process start. JSON's `stats.durationMs` is the one field that is timing; it is set to 0 before
 * comparing.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useScratch } from '../helpers/scratch.js';
import { SCHEMA, DB, LEAK } from '../helpers/invoice-app.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(REPO, 'bin', 'tenant-lint.js');
const BUILT_CLI = join(REPO, 'dist', 'src', 'cli.js');

const { makeProject, tempDir } = useScratch();

const UNTRACED = `export function byParam(client: any, id: string) {\n  return client.invoice.findFirst({ where: { id } });\n}\n`;

/** Names whose order differs between locales, and between localeCompare and code units. */
function tree(): Record<string, string> {
  const files: Record<string, string> = { 'package.json': '{"name":"root","private":true}' };
  for (const pkg of ['Åpp', 'zed', 'api', 'Bravo', 'ärende']) {
    files[`packages/${pkg}/package.json`] = JSON.stringify({ name: pkg.toLowerCase(), dependencies: { '@prisma/client': '5' } });
    files[`packages/${pkg}/prisma/schema.prisma`] = SCHEMA;
    files[`packages/${pkg}/src/db.ts`] = DB;
    for (const name of ['åsa', 'zeta', 'Bravo', 'alpha', 'Ölm', 'o']) {
      files[`packages/${pkg}/src/${name}.ts`] = LEAK;
      files[`packages/${pkg}/src/untraced-${name}.ts`] = UNTRACED;
    }
    files[`packages/${pkg}/src/ödd.ts`] = 'export const a = ;\n';
    files[`packages/${pkg}/src/Odd.ts`] = 'export const b = ;\n';
  }
  return files;
}

function run(cwd: string, target: string, format: 'json' | 'sarif', locale: string): string {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', LANG: locale, LC_ALL: locale };
  delete env.GITHUB_SERVER_URL;
  const child = spawnSync(process.execPath, [BIN, 'scan', target, '--format', format, '--fail-on', 'none'], { cwd, encoding: 'utf8', env, timeout: 120_000 });
  expect(child.status, child.stderr).not.toBeNull();
  if (format !== 'json') return child.stdout;
  return child.stdout.replace(/"durationMs": \d+/, '"durationMs": 0');
}

describe('byte-identical reports', () => {
  it('from other working directories, a relocated copy, and other locales', (ctx) => {
    ctx.skip(!existsSync(BUILT_CLI), 'dist/src/cli.js does not exist: run `npm run build` first');
    const dir = makeProject(tree());
    const moved = join(tempDir(), 'elsewhere', 'copy');
    cpSync(dir, moved, { recursive: true });
    for (const format of ['json', 'sarif'] as const) {
      const reference = run(dir, '.', format, 'C');
      expect(reference.length).toBeGreaterThan(1000);
      expect(run('/', dir, format, 'sv_SE.UTF-8'), `${format}: absolute path from /, sv_SE`).toBe(reference);
      expect(run(dirname(dir), relative(dirname(dir), dir), format, 'en_US.UTF-8'), `${format}: relative path from the parent, en_US`).toBe(reference);
      expect(run(moved, '.', format, 'en_US.UTF-8'), `${format}: relocated copy`).toBe(reference);
      if (format === 'json') {
        const report = JSON.parse(reference) as { projects: { root: string }[]; coverage: { projects: { root: string }[] } };
        const roots = report.projects.map((p) => p.root);
        expect(roots).toEqual([...roots].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        expect(roots).toContain('packages/Åpp');
        const coverageRoots = report.coverage.projects.map((p) => p.root);
        expect(coverageRoots).toEqual([...coverageRoots].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      }
    }
  });
});
