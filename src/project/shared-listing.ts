import { existsSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { globTypeScriptSources, TS_SOURCE_SKIPPED_FOLDERS } from './project.js';
import { enclosingWorkspace } from './workspaces.js';

/**
 * The editor's source listings for TypeScript schema sources, one glob per workspace rather than one
 * per project: each project of a monorepo (kan: 14 packages and the root) globbed its own folder, and
 * the root's glob walked them all again (0.6 s of CPU on kan, 0.8 s on docmost, per ESLint run). A
 * project inside a workspace takes its files from the workspace's listing, filtered to its folder.
 *
 * The same files in the same order as globbing the project's folder (test/project/shared-listing.test.ts):
 * - globby reads the `.gitignore` files of the folders above the glob's folder up to the Git root, so
 *   a glob of the workspace and of a package inside it apply the same ignore files to the package's
 *   files; without a Git root above, a glob reads only the ignore files below it, so nothing is shared;
 * - the ignored folders (`dist`, `node_modules`, ...) and hidden folders are matched below the glob's
 *   folder: a project whose path from the workspace passes through one globs its own folder.
 * Kept per generation of the editor cache, as the reads of candidate files are (editor-cache.ts).
 */
export class SourceListings {
  private readonly listings = new Map<string, string[]>();

  /** The files `globTypeScriptSources(root)` finds, from the workspace's listing when that gives the same answer. */
  filesOf(root: string): string[] | undefined {
    const top = sharingTop(root);
    let listing = this.listings.get(top);
    if (!listing) {
      try {
        listing = globTypeScriptSources(top);
      } catch {
        return undefined; // The project globs its own folder, where a failure is a diagnostic (loadProject).
      }
      this.listings.set(top, listing);
    }
    if (top === root) return listing;
    const prefix = root + sep;
    return listing.filter((file) => file.startsWith(prefix));
  }
}

/** The folder whose listing holds `root`'s files as globbing `root` finds them: its workspace, else itself. */
function sharingTop(root: string): string {
  const top = enclosingWorkspace(root);
  if (!top || top === root) return root;
  const git = gitRootOf(root);
  // The workspace must be at or below the Git root, so both globs read the same ignore files.
  if (git === undefined || relative(git, top).startsWith('..')) return root;
  const between = relative(top, root).split(sep);
  if (between.some((segment) => segment === '' || segment === '..' || segment.startsWith('.') || TS_SOURCE_SKIPPED_FOLDERS.includes(segment))) return root;
  return top;
}

/** The nearest folder at or above `dir` with a `.git` (folder or file), as globby finds the Git root. */
function gitRootOf(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(`${current}${sep}.git`)) return current;
    if (dirname(current) === current) return undefined;
  }
}
