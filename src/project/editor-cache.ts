import { dirname } from 'node:path';
import type { TenantLintConfig } from '../config/schema.js';
import { validateConfig } from '../config/load.js';
import { Resolver } from '../core/resolve.js';
import { EFFECT_SERVICES } from '../models/services.js';
import { BRAND_FACTORIES, JOB_REGISTRARS, SAME_BEHAVIOUR_WRAPPERS } from '../models/wrappers.js';
import type { FileUnit } from '../core/ast.js';
import { ModuleGraph } from './modules.js';
import { oxcParser } from './oxc.js';
import { SourceListings } from './shared-listing.js';
import { findProjectRoot, isStale, loadProject, withWorkspaceSchema, type CandidateRead, type LoadOptions, type Project } from './project.js';

interface Entry {
  project: Project;
  resolver: Resolver<ModuleGraph>;
  settingsKey: string;
}

const projectRoots = new Map<string, string>();
/**
 * Whether each folder has a schema source, for findProjectRoot: every linted folder walks up
 * through the same ancestors, and asking each one again (a stat of each Prisma schema location
 * and config) for each new folder was 1.5 % of an ESLint run (kan). Forgotten with the generation,
 * when a schema or config changed.
 */
let schemaDirs = new Map<string, boolean>();
const entries = new Map<string, Entry>();

/**
 * What the projects of a process share until one of them is rebuilt (its schema, config or settings
 * changed), when a fresh one starts:
 * - one module graph (the packages of a monorepo import each other's files): a file is parsed once,
 *   not once per package that imports it;
 * - each directory's own project, loaded once: a package linted for its own files and borrowed as a
 *   workspace's schema (`@acme/db`) is read once, not once per role;
 * - the reads of candidate files for TypeScript schema sources (a monorepo root and each package list
 *   the same files: kan's root project read every file of its packages again).
 */
interface Generation {
  modules: ModuleGraph;
  loaded: Map<string, { project: Project; settingsKey: string }>;
  candidateReads: Map<string, CandidateRead | null>;
  /** One glob of a workspace's source files for all its projects (shared-listing.ts). */
  listings: SourceListings;
}
let generation: Generation | undefined;

function freshGeneration(): Generation {
  schemaDirs = new Map();
  // Files the rules look into but ESLint has not handed over (imports, schema sources, callers) are
  // parsed by the scanner's front end, oxc-parser when installed: the same trees (src/project/oxc.ts,
  // test/parity/front-ends.test.ts) for about a third of typescript-estree's CPU. A linted file's
  // tree is still ESLint's own (addLinted), and replaces any parse of it.
  return { modules: new ModuleGraph(true, undefined, oxcParser() ? 'oxc' : 'typescript-estree'), loaded: new Map(), candidateReads: new Map(), listings: new SourceListings() };
}

/**
 * The project a linted file belongs to, for the ESLint plugin: found from the file's directory,
 * built once per process, rebuilt when a schema or config file changes (mtime), and re-read
 * when ESLint `settings['tenant-lint']` change.
 */
export function projectForLintedFile(filename: string, settings: unknown): Entry {
  const dir = dirname(filename);
  let root = projectRoots.get(dir);
  if (!root) {
    root = findProjectRoot(dir, undefined, schemaDirs);
    projectRoots.set(dir, root);
  }
  const settingsKey = settings === undefined ? '' : JSON.stringify(settings);
  const cached = entries.get(root);
  if (cached && cached.settingsKey === settingsKey && !isStale(cached.project)) return cached;
  const override: TenantLintConfig | undefined = settings === undefined ? undefined : validateConfig(settings, "ESLint settings['tenant-lint']");
  if (cached || !generation) generation = freshGeneration();
  const shared = generation;
  const project = withWorkspaceSchema(projectAt(shared, root, override, settingsKey), (top) => projectAt(shared, top, override, settingsKey));
  const entry = { project, resolver: new Resolver(shared.modules, SAME_BEHAVIOUR_WRAPPERS, BRAND_FACTORIES, EFFECT_SERVICES, JOB_REGISTRARS), settingsKey };
  entries.set(root, entry);
  return entry;
}

/** A directory's own project (also the workspace whose schema packages borrow), loaded once per generation. */
function projectAt(shared: Generation, root: string, override: TenantLintConfig | undefined, settingsKey: string): Project {
  const cached = shared.loaded.get(root);
  if (cached && cached.settingsKey === settingsKey && !isStale(cached.project)) return cached.project;
  const options: LoadOptions = {
    // The schema readers parse through the same graph: a Drizzle schema file an analysis imports is not parsed again.
    parse: (file: string, text: string): FileUnit => shared.modules.parse(file, text),
    candidateReads: shared.candidateReads,
    candidates: shared.listings.filesOf(root),
  };
  const project = loadProject(root, override, options);
  shared.loaded.set(root, { project, settingsKey });
  return project;
}

/** For tests: forget every cached project. */
export function clearEditorCache(): void {
  projectRoots.clear();
  schemaDirs = new Map();
  entries.clear();
  generation = undefined;
}
