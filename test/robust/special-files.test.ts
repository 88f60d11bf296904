/**
 * Files of a hostile repository that are not plain files: FIFOs (block forever), devices (never
 * end), `/proc` entries (the scanner's own environment), symlinks out of the tree. None is read;
 * each costs at most that file, and the scan goes on.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { readTextFileSafe, UnsafeFileError } from '../../src/scan/safe-read.js';
import { useScratch } from '../helpers/scratch.js';
import { SCHEMA, DB, LEAK } from '../helpers/invoice-app.js';

const { makeProject, tempDir } = useScratch();
const posixOnly = process.platform === 'win32' ? it.skip : it;

describe('readTextFileSafe', () => {
  posixOnly('refuses a FIFO without blocking', () => {
    const dir = tempDir();
    execFileSync('mkfifo', [join(dir, 'pipe.json')]);
    expect(() => readTextFileSafe(join(dir, 'pipe.json'))).toThrow(UnsafeFileError);
  });

  posixOnly('refuses a symlink to a device, and to /proc', () => {
    const dir = tempDir();
    symlinkSync('/dev/zero', join(dir, 'zero.json'));
    symlinkSync('/proc/self/environ', join(dir, 'env.sql'));
    expect(() => readTextFileSafe(join(dir, 'zero.json'))).toThrow(/not a regular file/);
    expect(() => readTextFileSafe(join(dir, 'env.sql'))).toThrow(/not a regular file/);
  });

  posixOnly('follows a symlink only inside the root', () => {
    const outside = tempDir();
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    const dir = tempDir();
    writeFileSync(join(dir, 'real.txt'), 'inside');
    symlinkSync(join(outside, 'secret.txt'), join(dir, 'out.txt'));
    symlinkSync(join(dir, 'real.txt'), join(dir, 'in.txt'));
    expect(() => readTextFileSafe(join(dir, 'out.txt'), { root: dir })).toThrow(/outside the scanned tree/);
    expect(readTextFileSafe(join(dir, 'in.txt'), { root: dir })).toBe('inside');
  });

  it('caps the size', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'big.txt'), 'x'.repeat(2000));
    expect(() => readTextFileSafe(join(dir, 'big.txt'), { maxBytes: 1000 })).toThrow(/limit/);
    expect(readTextFileSafe(join(dir, 'big.txt'), { maxBytes: 2000 })).toHaveLength(2000);
  });
});

describe('a hostile tree scans to the end', () => {
  posixOnly('a tsconfig.json whose extends chain (or a package.json met in module resolution) is a device or a FIFO is read as absent', async () => {
    const dir = makeProject({
      'package.json': '{"name":"app"}',
      'prisma/schema.prisma': SCHEMA,
      'src/db.ts': DB,
      'src/invoices.ts': LEAK.replace("'./db'", "'lib/db'"),
      'tsconfig.json': JSON.stringify({ extends: './base.json', compilerOptions: { baseUrl: '.', paths: { 'lib/*': ['src/*'] } } }),
      'node_modules/lib/index.ts': 'export const x = 1;\n',
    });
    symlinkSync('/dev/zero', join(dir, 'base.json'));
    execFileSync('mkfifo', [join(dir, 'node_modules', 'lib', 'package.json')]);
    const result = await scan({ path: dir });
    expect(result.findings.map((f) => `${f.file}:${f.line}`)).toContain('src/invoices.ts:3');
  });

  posixOnly('FIFOs, devices, /proc links and outside links are diagnosed or ignored, and the real finding is reported', async () => {
    const outside = tempDir();
    writeFileSync(join(outside, 'private.sql'), 'CREATE TABLE leaked_secret_table (id int);');
    const dir = makeProject({ 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': LEAK });
    execFileSync('mkfifo', [join(dir, 'src', 'pipe.ts')]);
    execFileSync('mkfifo', [join(dir, 'package.json')]);
    symlinkSync('/dev/zero', join(dir, 'tenant-lint.config.json'));
    symlinkSync('/dev/urandom', join(dir, 'src', 'random.ts'));
    mkdirSync(join(dir, 'migrations'));
    symlinkSync('/proc/self/environ', join(dir, 'migrations', '001_env.sql'));
    symlinkSync(join(outside, 'private.sql'), join(dir, 'migrations', '002_private.sql'));
    symlinkSync(join(outside, 'private.sql'), join(dir, 'queries.sql'));
    symlinkSync('..', join(dir, 'src', 'loop'));
    process.env.TENANT_LINT_TEST_CANARY = 'canary-5f1e2d';
    try {
      const result = await scan({ path: dir }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
      // The config is a device: that is a configuration error (exit 2), never a hang or 3 GB.
      if (result instanceof Error) {
        expect(result.message).toMatch(/not a regular file/);
        return;
      }
      expect(result.findings.map((f) => `${f.file}:${f.line}`)).toContain('src/invoices.ts:3');
      const all = JSON.stringify(result);
      expect(all).not.toContain('canary-5f1e2d');
      expect(all).not.toContain('leaked_secret_table');
    } finally {
      delete process.env.TENANT_LINT_TEST_CANARY;
    }
  });

  posixOnly('without the config device, the scan completes with diagnostics for the special files', async () => {
    const outside = tempDir();
    writeFileSync(join(outside, 'private.sql'), 'CREATE TABLE leaked_secret_table (id int);');
    const dir = makeProject({ 'prisma/schema.prisma': SCHEMA, 'src/db.ts': DB, 'src/invoices.ts': LEAK });
    execFileSync('mkfifo', [join(dir, 'src', 'pipe.ts')]);
    // The root package.json as a FIFO is a configuration error (exit 2); a nested one costs only itself.
    mkdirSync(join(dir, 'fixtures', 'app'), { recursive: true });
    execFileSync('mkfifo', [join(dir, 'fixtures', 'app', 'package.json')]);
    writeFileSync(join(dir, 'fixtures', 'app', 'broken-pkg.json'), '{');
    symlinkSync('/dev/urandom', join(dir, 'src', 'random.ts'));
    mkdirSync(join(dir, 'migrations'));
    symlinkSync('/proc/self/environ', join(dir, 'migrations', '001_env.sql'));
    symlinkSync(join(outside, 'private.sql'), join(dir, 'migrations', '002_private.sql'));
    symlinkSync('..', join(dir, 'src', 'loop'));
    process.env.TENANT_LINT_TEST_CANARY = 'canary-5f1e2d';
    try {
      const result = await scan({ path: dir });
      expect(result.findings.map((f) => `${f.file}:${f.line}`)).toContain('src/invoices.ts:3');
      const all = JSON.stringify(result);
      expect(all).not.toContain('canary-5f1e2d');
      expect(all).not.toContain('leaked_secret_table');
    } finally {
      delete process.env.TENANT_LINT_TEST_CANARY;
    }
  });
});
