import { statSync } from 'node:fs';
import { join } from 'node:path';
import { readTextFileSafe } from '../scan/safe-read.js';

/*
 * The package.json of a folder, read as data (never executed) and parsed once. A scan reads each manifest once;
 * the editor's process lives across edits, so a manifest read before the current linted file is checked
 * against its mtime again (once per linted file, see newManifestEpoch) and re-read when it changed.
 */

/** undefined: no package.json in the folder; null: one that cannot be read or parsed as an object. */
export type Manifest = object | null | undefined;

interface Entry {
  epoch: number;
  mtimeMs: number;
  manifest: Manifest;
}

const manifests = new Map<string, Entry>();
let epoch = 0;

/** A new linted file (the ESLint adapter): manifests read earlier are checked against their mtime again. */
export function newManifestEpoch(): void {
  epoch++;
}

/** A file's mtime, or -1 when it is missing or cannot be read (the editor caches compare them). */
export function mtimeOrMissing(path: string): number {
  try {
    // Most paths asked about are config files looked for and absent: no exception (and its stack) per missing file.
    return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? -1;
  } catch {
    return -1;
  }
}

/** The parsed package.json of `dir`; the same object while the file is unchanged (callers may key caches by it). */
export function manifestOf(dir: string): Manifest {
  const cached = manifests.get(dir);
  if (cached && cached.epoch === epoch) return cached.manifest;
  const file = join(dir, 'package.json');
  const mtimeMs = mtimeOrMissing(file);
  if (cached && cached.mtimeMs === mtimeMs) {
    cached.epoch = epoch;
    return cached.manifest;
  }
  let manifest: Manifest;
  if (mtimeMs !== -1) {
    try {
      const parsed: unknown = JSON.parse(readTextFileSafe(file, { maxBytes: 1_000_000 }));
      manifest = typeof parsed === 'object' && parsed !== null ? parsed : null;
    } catch {
      manifest = null;
    }
  }
  manifests.set(dir, { epoch, mtimeMs, manifest });
  return manifest;
}
