/** `--output` writes where the user asked, never through a link a scanned repository planted. */
import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileSafe } from '../../src/scan/safe-write.js';
import { useScratch } from '../helpers/scratch.js';

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
