import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { main, type Io } from '../../src/cli.js';

/**
 * Scratch projects in the system temp directory, removed after the test file. Call at the top
 * level of a test file.
 */
export function useScratch(): { tempDir: () => string; makeProject: (files: Record<string, string | Buffer>) => string } {
  const scratch: string[] = [];
  afterAll(() => {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenant-lint-'));
    scratch.push(dir);
    return dir;
  };
  const makeProject = (files: Record<string, string | Buffer>) => {
    const dir = tempDir();
    for (const [path, content] of Object.entries(files)) {
      const full = join(dir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
    return dir;
  };
  return { tempDir, makeProject };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output, as CI would see it. */
export async function runCli(args: string[]): Promise<CliRun> {
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
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
