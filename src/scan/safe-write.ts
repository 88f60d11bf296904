import { randomBytes } from 'node:crypto';
import { closeSync, constants, lstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';

/**
 * Writes a report where the user asked and nowhere else. A scanned repository can plant a symlink
 * where the report goes (`tenant-lint.sarif -> ~/.bashrc`) or a directory link on the way to it: the
 * write refuses a symlink as the file itself or as any folder between the working directory and it,
 * refuses a name with control characters (a newline smuggled into a dotfile), and writes a fresh
 * file (O_EXCL|O_NOFOLLOW) beside the target that is then renamed over it, so nothing is written
 * through a link even if one appears in between.
 */
export class UnsafeWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeWriteError';
  }
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The checks of writeFileSafe without the write: the CLI runs them before a scan, so that a planted
 * link or a bad name fails in a second, not after minutes of analysis. Returns the resolved target.
 */
export function checkWriteTarget(path: string, cwd = process.cwd()): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(path)) throw new UnsafeWriteError('the file name contains control characters');
  const target = resolve(cwd, path);
  const existing = lstatOrUndefined(target);
  if (existing?.isSymbolicLink()) throw new UnsafeWriteError('it is a symbolic link; remove it or choose another file');
  if (existing && !existing.isFile()) throw new UnsafeWriteError('it exists and is not a regular file');
  // Folders between the working directory and the file (the part a scanned repository controls).
  const base = resolve(cwd);
  const rel = relative(base, dirname(target));
  if (rel && !rel.startsWith('..') && !isAbsolute(rel)) {
    let dir = dirname(target);
    while (dir !== base && dir.length > base.length) {
      if (lstatOrUndefined(dir)?.isSymbolicLink()) throw new UnsafeWriteError(`${relative(base, dir)} is a symbolic link`);
      dir = dirname(dir);
    }
  }
  return target;
}

export function writeFileSafe(path: string, data: string, cwd = process.cwd()): void {
  const target = checkWriteTarget(path, cwd);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
  try {
    try {
      const buffer = Buffer.from(data, 'utf8');
      for (let offset = 0; offset < buffer.length; ) offset += writeSync(fd, buffer, offset, buffer.length - offset);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
