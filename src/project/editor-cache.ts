import { dirname } from 'node:path';
import type { TenantLintConfig } from '../config/schema.js';
import { validateConfig } from '../config/load.js';
import { Resolver } from '../core/resolve.js';
import { BRAND_FACTORIES, SAME_BEHAVIOUR_WRAPPERS } from '../models/wrappers.js';
import type { FileUnit } from '../core/ast.js';
import { ModuleGraph } from './modules.js';
import { findProjectRoot, isStale, loadProject, withWorkspaceSchema, type Project } from './project.js';

interface Entry {
  project: Project;
  resolver: Resolver<ModuleGraph>;
  settingsKey: string;
}

const projectRoots = new Map<string, string>();
const entries = new Map<string, Entry>();
/**
 * One module graph for the projects of a process (the packages of a monorepo import each other's
 * files): a file is parsed once, not once per package that imports it. A project rebuilt because
 * its schema, config or settings changed starts a fresh graph, as each did before.
 */
let sharedModules: ModuleGraph | undefined;

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
  if (cached || !sharedModules) sharedModules = new ModuleGraph(true);
  const modules = sharedModules;
  // The schema readers parse through the same graph: a Drizzle schema file an analysis imports is not parsed again.
  const parse = (file: string, text: string) => modules.parse(file, text);
  const project = withWorkspaceSchema(loadProject(root, override, { parse }), (top) => projectAt(top, override, settingsKey, parse));
  const entry = { project, resolver: new Resolver(modules, SAME_BEHAVIOUR_WRAPPERS, BRAND_FACTORIES), settingsKey };
  entries.set(root, entry);
  return entry;
}

const workspaces = new Map<string, { project: Project; settingsKey: string }>();

/** The workspace root's own project (its schema is borrowed by packages that have none). */
function projectAt(root: string, override: TenantLintConfig | undefined, settingsKey: string, parse: (file: string, text: string) => FileUnit): Project {
  const cached = workspaces.get(root);
  if (cached && cached.settingsKey === settingsKey && !isStale(cached.project)) return cached.project;
  const project = loadProject(root, override, { parse });
  workspaces.set(root, { project, settingsKey });
  return project;
}

/** For tests: forget every cached project. */
export function clearEditorCache(): void {
  projectRoots.clear();
  entries.clear();
  workspaces.clear();
  sharedModules = undefined;
}
