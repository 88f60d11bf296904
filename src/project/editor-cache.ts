import { dirname } from 'node:path';
import type { TenantLintConfig } from '../config/schema.js';
import { validateConfig } from '../config/load.js';
import { Resolver } from '../core/resolve.js';
import { ModuleGraph } from './modules.js';
import { findProjectRoot, isStale, loadProject, type Project } from './project.js';

interface Entry {
  project: Project;
  resolver: Resolver;
  settingsKey: string;
}

const projectRoots = new Map<string, string>();
const entries = new Map<string, Entry>();

/**
 * The project a linted file belongs to, for the ESLint plugin: found from the file's directory,
 * built once per process, rebuilt when a schema or config file changes (mtime), and re-read
 * when ESLint `settings['tenant-lint']` change.
 */
export function projectForLintedFile(filename: string, settings: unknown): Entry {
  const dir = dirname(filename);
  let root = projectRoots.get(dir);
  if (!root) {
    root = findProjectRoot(dir);
    projectRoots.set(dir, root);
  }
  const settingsKey = settings === undefined ? '' : JSON.stringify(settings);
  const cached = entries.get(root);
  if (cached && cached.settingsKey === settingsKey && !isStale(cached.project)) return cached;
  const override: TenantLintConfig | undefined = settings === undefined ? undefined : validateConfig(settings, "ESLint settings['tenant-lint']");
  const project = loadProject(root, override);
  const entry = { project, resolver: new Resolver(new ModuleGraph(true)), settingsKey };
  entries.set(root, entry);
  return entry;
}

/** For tests: forget every cached project. */
export function clearEditorCache(): void {
  projectRoots.clear();
  entries.clear();
}
