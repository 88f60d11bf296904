import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

/**
 * The one way to read a file of a scanned repository, whose content is attacker-controlled: only a
 * regular file (never a FIFO, socket, device or a `/proc`, `/sys`, `/dev` entry, which can block
 * forever, never end, or hold the scanner's own environment), read no further than a size cap, and
 * with `root`, only when the file (after every symlink) is inside that directory.
 */
export interface SafeReadOptions {
  /** Largest size read; a larger file is refused. Default 16 MB. */
  maxBytes?: number;
  /** The file, symlinks resolved, must be inside this directory (symlinks resolved too). */
  root?: string;
}

export const DEFAULT_MAX_READ_BYTES = 16_000_000;

/** Why a file was not read: the message is one line, for a diagnostic. */
export class UnsafeFileError extends Error {
  constructor(
    message: string,
    readonly reason: 'not-regular' | 'outside-root' | 'too-large',
  ) {
    super(message);
    this.name = 'UnsafeFileError';
  }
}

const SYSTEM_TREES = ['/proc', '/sys', '/dev'];

function within(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

const realRoots = new Map<string, string>();
function realRoot(root: string): string {
  const key = resolve(root);
  let real = realRoots.get(key);
  if (real === undefined) {
    try {
      real = realpathSync.native(key);
    } catch {
      real = key;
    }
    realRoots.set(key, real);
  }
  return real;
}

/** Reads `path` as UTF-8 text under the rules above; throws UnsafeFileError (or the fs error: ENOENT, EACCES). */
export function readTextFileSafe(path: string, options: SafeReadOptions = {}): string {
  return readFileSafe(path, options).toString('utf8');
}

export function readFileSafe(path: string, options: SafeReadOptions = {}): Buffer {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_READ_BYTES;
  const real = realpathSync.native(path);
  if (process.platform !== 'win32' && SYSTEM_TREES.some((tree) => within(tree, real))) {
    throw new UnsafeFileError(`not a regular file (${real})`, 'not-regular');
  }
  if (options.root !== undefined && !within(realRoot(options.root), real)) {
    throw new UnsafeFileError('a symlink to a file outside the scanned tree', 'outside-root');
  }
  // O_NONBLOCK: opening a FIFO does not wait for a writer; O_NOFOLLOW: the resolved path is not
  // swapped for a symlink in between.
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);
  const fd = openSync(real, flags);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UnsafeFileError('not a regular file (a FIFO, socket or device)', 'not-regular');
    if (stat.size > maxBytes) throw new UnsafeFileError(`${Math.round(stat.size / 1000)} kB is over the ${Math.round(maxBytes / 1000)} kB limit`, 'too-large');
    // Read to a cap, not to the reported size: some files report 0 and never end.
    const chunks: Buffer[] = [];
    let total = 0;
    const chunkSize = Math.min(Math.max(stat.size + 1, 4096), maxBytes + 1);
    for (;;) {
      const buffer = Buffer.allocUnsafe(Math.min(chunkSize, maxBytes + 1 - total));
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      chunks.push(n === buffer.length ? buffer : buffer.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new UnsafeFileError(`over the ${Math.round(maxBytes / 1000)} kB limit`, 'too-large');
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** A one-line reason for a read failure, for diagnostics. */
export function readFailure(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
