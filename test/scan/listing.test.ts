import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModuleGraph } from '../../src/project/modules.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tenant-lint-listing-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe("the scan's file listing, shared with the call graph", () => {
  it('answers for the listed folder and the folders inside it, never for one outside', () => {
    const root = tree({ 'apps/web/a.ts': 'a()', 'apps/api/b.ts': 'b()', 'c.ts': 'c()' });
    const files = ['apps/api/b.ts', 'apps/web/a.ts', 'c.ts'].map((f) => join(root, f));
    const modules = new ModuleGraph();
    expect(modules.sourceFilesUnder(root)).toBeUndefined();
    modules.listSources(root, files);
    expect(modules.sourceFilesUnder(root)).toEqual(files);
    expect(modules.sourceFilesUnder(join(root, 'apps'))).toEqual(files.slice(0, 2));
    // `apps/web` is not `apps/we`: a folder is matched whole.
    expect(modules.sourceFilesUnder(join(root, 'apps/we'))).toEqual([]);
    expect(modules.sourceFilesUnder(dirname(root))).toBeUndefined();
  });

  it('reads each text once: what the scanner read is what the call graph searches', () => {
    const root = tree({ 'a.ts': 'export function a() {}' });
    const file = join(root, 'a.ts');
    const modules = new ModuleGraph();
    modules.listSources(root, [file]);
    modules.noteText(file, 'export function a() { noted() }');
    writeFileSync(file, 'changed on disk');
    expect(modules.sourceText(file)).toBe('export function a() { noted() }');
    expect(modules.knownText(file)).toBe('export function a() { noted() }');
  });

  it('reads no file outside the scanned folder through a link, and none over the size limit', () => {
    const outside = tree({ 'secret.ts': 'leak()' });
    const root = tree({ 'big.ts': `// ${'x'.repeat(1_000_001)}` });
    symlinkSync(join(outside, 'secret.ts'), join(root, 'link.ts'));
    const modules = new ModuleGraph();
    modules.listSources(root, [join(root, 'big.ts'), join(root, 'link.ts')]);
    expect(modules.sourceText(join(root, 'link.ts'))).toBe('');
    expect(modules.sourceText(join(root, 'big.ts'))).toBe('');
    // The scanner reads such files itself, to report why they were not read.
    expect(modules.knownText(join(root, 'link.ts'))).toBeUndefined();
  });
});
