/** `--output` writes where the user asked, never through a link a scanned repository planted. */
import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileSafe } from '../../src/scan/safe-write.js';
import { runCli, useScratch } from '../helpers/scratch.js';

const { tempDir } = useScratch();
const posixOnly = process.platform === 'win32' ? it.skip : it;

describe('writeFileSafe', () => {
  it('writes a new file and replaces an existing regular file', () => {
    const dir = tempDir();
    writeFileSafe('report.json', '{"a":1}', dir);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe('{"a":1}');
    writeFileSafe(join(dir, 'report.json'), '{"a":2}');
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe('{"a":2}');
  });

  posixOnly('refuses a symlink as the file, and leaves its target alone', () => {
    const outside = tempDir();
    writeFileSync(join(outside, '.bashrc'), 'original');
    const dir = tempDir();
    symlinkSync(join(outside, '.bashrc'), join(dir, 'tenant-lint.sarif'));
    expect(() => writeFileSafe('tenant-lint.sarif', 'x', dir)).toThrow(/symbolic link/);
    expect(readFileSync(join(outside, '.bashrc'), 'utf8')).toBe('original');
    expect(lstatSync(join(dir, 'tenant-lint.sarif')).isSymbolicLink()).toBe(true);
  });

  posixOnly('refuses a symlinked folder on the way', () => {
    const outside = tempDir();
    const dir = tempDir();
    mkdirSync(join(dir, 'out'));
    symlinkSync(outside, join(dir, 'out', 'reports'));
    expect(() => writeFileSafe('out/reports/r.json', 'x', dir)).toThrow(/symbolic link/);
  });

  it('refuses control characters in the name', () => {
    const dir = tempDir();
    expect(() => writeFileSafe('r.json\necho pwned', 'x', dir)).toThrow(/control characters/);
    expect(() => writeFileSafe('r\u001b[2J.json', 'x', dir)).toThrow(/control characters/);
  });
});

describe('tenant-lint scan --output', () => {
  posixOnly('a planted link is refused before the scan starts (the scanned path is not even looked at)', async () => {
    const outside = tempDir();
    writeFileSync(join(outside, 'victim'), 'original');
    const dir = tempDir();
    symlinkSync(join(outside, 'victim'), join(dir, 'tenant-lint.sarif'));
    const previous = process.cwd();
    process.chdir(dir);
    try {
      const run = await runCli(['scan', join(dir, 'no-such-folder'), '--format', 'sarif', '--output', 'tenant-lint.sarif']);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe('tenant-lint: cannot write --output tenant-lint.sarif: it is a symbolic link; remove it or choose another file\n');
    } finally {
      process.chdir(previous);
    }
    expect(readFileSync(join(outside, 'victim'), 'utf8')).toBe('original');
  });

  it('a name with a newline is refused in one line, the name shown escaped', async () => {
    const run = await runCli(['scan', join(tempDir(), 'no-such-folder'), '--output', 'x\n.bashrc']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('tenant-lint: cannot write --output x\u240a.bashrc: the file name contains control characters\n');
  });
});
