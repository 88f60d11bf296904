/**
 * `scan --cache`: a warm scan gives the bytes of a cold scan of the same tree, also after a change in
 * one file that moves a finding in another (a query's severity depends on its callers). Cold scans
 * of a changed tree run on a fresh copy, so nothing in the process remembers the old one.
 */
import { cpSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import type { ScanResult } from '../../src/core/result.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { useScratch } from '../helpers/scratch.js';

const { tempDir } = useScratch();

/** The report's bytes, without what differs between two copies of a tree (its absolute root, the time). */
function bytes(result: ScanResult): string {
  return JSON.stringify({ ...result, root: '', stats: { ...result.stats, durationMs: 0 } });
}

function copyOf(fixture: string): string {
  const dir = join(tempDir(), fixture);
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  return dir;
}

const CACHE_FILE = 'scan-cache.json';

describe('scan --cache', () => {
  it.each(['paths-prisma-trpc', 'workspaces-drizzle', 'cache-workspace', 'sql-migrations'])('%s: cold, then warm, gives the report of a scan without the cache', async (fixture) => {
    const dir = copyOf(fixture);
    const cacheDir = tempDir();
    const plain = bytes(await scan({ path: dir }));
    const cold = await scan({ path: dir, cache: true, cacheLocation: cacheDir });
    expect(existsSync(join(cacheDir, CACHE_FILE))).toBe(true);
    const warm = await scan({ path: dir, cache: true, cacheLocation: cacheDir });
    expect(bytes(cold)).toBe(plain);
    expect(bytes(warm)).toBe(plain);
  });

  it('reuses an unchanged file, and drops it when a caller in another file changes its finding', async () => {
    const dir = copyOf('paths-prisma-trpc');
    const cacheDir = tempDir();
    await scan({ path: dir, cache: true, cacheLocation: cacheDir });

    // Mark the cached findings of the repository file: a warm scan that shows the mark reused them.
    const cacheFile = join(cacheDir, CACHE_FILE);
    const data = JSON.parse(readFileSync(cacheFile, 'utf8'));
    const repo = data.results['src/repo/boards.ts'];
    expect(repo.outcome.kind).toBe('analysed');
    expect(repo.names).toContain('archiveAll');
    for (const finding of repo.outcome.analysis.findings) finding.message = 'from the cache';
    writeFileSync(cacheFile, JSON.stringify(data));
    const reused = await scan({ path: dir, cache: true, cacheLocation: cacheDir });
    expect(reused.findings.filter((f) => f.file === 'src/repo/boards.ts').map((f) => f.message)).toContain('from the cache');

    // A cron job now calls `archiveAll`, which nothing called: its query in src/repo/boards.ts is
    // reachable now, which changes that finding, though src/repo/boards.ts did not change.
    const job = join(dir, 'src/jobs/stats.ts');
    const before = await scan({ path: copyOf('paths-prisma-trpc') });
    writeFileSync(
      job,
      readFileSync(job, 'utf8')
        .replace('import { countAll }', 'import { archiveAll, countAll }')
        .replace('const boards = await countAll(db);', 'const boards = await countAll(db);\n  await archiveAll(db);'),
    );
    const changed = join(tempDir(), 'changed');
    cpSync(dir, changed, { recursive: true });
    const cold = await scan({ path: changed });
    const archive = (result: ScanResult) => JSON.stringify(result.findings.filter((f) => f.file === 'src/repo/boards.ts' && f.line === 16));
    expect(archive(before)).toContain('archiveAll');
    expect(archive(cold)).not.toBe(archive(before));

    const warm = await scan({ path: dir, cache: true, cacheLocation: cacheDir });
    expect(bytes(warm)).toBe(bytes(cold));
    expect(warm.findings.map((f) => f.message)).not.toContain('from the cache');
  });

  it('drops a file whose own text changed, and keeps the rest', async () => {
    const dir = copyOf('paths-prisma-trpc');
    const cacheDir = tempDir();
    await scan({ path: dir, cache: true, cacheLocation: cacheDir });
    const repo = join(dir, 'src/repo/boards.ts');
    writeFileSync(repo, readFileSync(repo, 'utf8').replace('db.board.count()', 'db.board.count({ where: { workspaceId: "w" } })'));
    const changed = join(tempDir(), 'changed');
    cpSync(dir, changed, { recursive: true });
    const warm = await scan({ path: dir, cache: true, cacheLocation: cacheDir });
    expect(bytes(warm)).toBe(bytes(await scan({ path: changed })));
    const data = JSON.parse(readFileSync(join(cacheDir, CACHE_FILE), 'utf8'));
    expect(Object.keys(data.results)).toContain('src/repo/boards.ts');
  });

  it('ignores a cache that is not its format, and rewrites it', async () => {
    const dir = copyOf('prisma-express');
    const cacheDir = tempDir();
    writeFileSync(join(cacheDir, CACHE_FILE), '{"format":1,"tool":"x","key":3}');
    const warm = await scan({ path: dir, cache: true, cacheLocation: cacheDir });
    expect(bytes(warm)).toBe(bytes(await scan({ path: copyOf('prisma-express') })));
    expect(JSON.parse(readFileSync(join(cacheDir, CACHE_FILE), 'utf8')).format).toBe(1);
    expect(JSON.parse(readFileSync(join(cacheDir, CACHE_FILE), 'utf8')).tool).not.toBe('x');
  });
});
