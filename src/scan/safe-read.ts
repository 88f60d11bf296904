import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync } from 'node:fs';
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

let boundary: string | undefined;

/**
 * Runs `run` with `root` as the boundary of every read that names none of its own: what a scan
 * sets around loading a project, so that a repository's config cannot point a schema source at a
 * file outside the scanned tree (`"migrations": ["../../elsewhere/*.sql"]`). Synchronous and scoped.
 */
export function withReadBoundary<T>(root: string, run: () => T): T {
  const previous = boundary;
  boundary = root;
  try {
    return run();
  } finally {
    boundary = previous;
  }
}

/** The boundary set by `withReadBoundary`, if any. */
export function readBoundary(): string | undefined {
  return boundary;
}

/** Reads `path` as UTF-8 text under the rules above; throws UnsafeFileError (or the fs error: ENOENT, EACCES). */
export function readTextFileSafe(path: string, options: SafeReadOptions = {}): string {
  return readFileSafe(path, options).toString('utf8');
}

export function readFileSafe(path: string, options: SafeReadOptions = {}): Buffer {
  return readChecked(path, options).buffer;
}

/**
 * readTextFileSafe, with the path the text was read from after every symlink: a caller that keeps
 * the text for readers bounded by other roots checks each of them with `isInsideRoot`.
 */
export function readTextFileSafeWithRealPath(path: string, options: SafeReadOptions = {}): { text: string; real: string } {
  const { buffer, real } = readChecked(path, options);
  return { text: buffer.toString('utf8'), real };
}

/** Whether a real path (from readTextFileSafeWithRealPath) passes the `root` check of a safe read. */
export function isInsideRoot(real: string, root: string): boolean {
  return within(realRoot(root), real);
}

function readChecked(path: string, options: SafeReadOptions): { buffer: Buffer; real: string } {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_READ_BYTES;
  const { fd, size, real } = openChecked(path, options);
  try {
    // Read to a cap, not to the reported size: some files report 0 and never end.
    const chunks: Buffer[] = [];
    let total = 0;
    const chunkSize = Math.min(Math.max(size + 1, 4096), maxBytes + 1);
    for (;;) {
      const buffer = Buffer.allocUnsafe(Math.min(chunkSize, maxBytes + 1 - total));
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      chunks.push(n === buffer.length ? buffer : buffer.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new UnsafeFileError(`over the ${Math.round(maxBytes / 1000)} kB limit`, 'too-large');
    }
    return { buffer: Buffer.concat(chunks, total), real };
  } finally {
    closeSync(fd);
  }
}

/**
 * Throws UnsafeFileError unless `path` is a file that readFileSafe would read (a regular file, under
 * the size cap, inside `root`): for a caller that reads the file itself (the baseline reader). A path
 * that does not exist passes, so that the caller reports it in its own words.
 */
export function assertPlainFile(path: string, options: SafeReadOptions & { linkRoot?: string } = {}): void {
  let opened: { fd: number; size: number };
  try {
    // `linkRoot`: a path that is itself a symlink must lead inside this directory (a planted
    // `tenant-lint-baseline.json -> ~/.git-credentials` would otherwise be read, and quoted in a parse error).
    const linked = options.linkRoot !== undefined && lstatSync(path).isSymbolicLink();
    opened = openChecked(path, linked ? { ...options, root: options.linkRoot } : options);
  } catch (error) {
    if (error instanceof UnsafeFileError) throw error;
    return;
  }
  closeSync(opened.fd);
}

/** Opens `path` for reading under the rules above; the caller closes the descriptor. */
function openChecked(path: string, options: SafeReadOptions): { fd: number; size: number; real: string } {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_READ_BYTES;
  const real = realpathSync.native(path);
  const tree = process.platform === 'win32' ? undefined : SYSTEM_TREES.find((system) => within(system, real));
  if (tree) {
    // The tree, not the path: `/proc/<pid>/environ` would make every report differ.
    throw new UnsafeFileError(`not a regular file (under ${tree})`, 'not-regular');
  }
  if (options.root !== undefined && !within(realRoot(options.root), real)) {
    throw new UnsafeFileError('outside the scanned tree (after following symlinks)', 'outside-root');
  }
  // O_NONBLOCK: opening a FIFO does not wait for a writer; O_NOFOLLOW: the resolved path is not
  // swapped for a symlink in between.
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);
  const fd = openSync(real, flags);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UnsafeFileError('not a regular file (a FIFO, socket or device)', 'not-regular');
    if (stat.size > maxBytes) throw new UnsafeFileError(`${Math.round(stat.size / 1000)} kB is over the ${Math.round(maxBytes / 1000)} kB limit`, 'too-large');
    return { fd, size: stat.size, real };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** A one-line reason for a read failure, for diagnostics. */
export function readFailure(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
