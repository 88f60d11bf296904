import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Schema rules read the project's schema sources from disk (as the editor does on save), so a
 * RuleTester case about a table definition is written to its own throwaway project first. The
 * directories live in the system temp directory and are left to it.
 */
export function onDisk(code: string, file = 'src/schema.ts', extra: Record<string, string> = {}): { code: string; filename: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tenant-lint-rule-'));
  const files = { 'package.json': '{"name":"rule-case","main":"index.js"}', ...extra, [file]: code };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return { code, filename: join(dir, file) };
}
