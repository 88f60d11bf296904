import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { globTypeScriptSources } from '../../src/project/project.js';
import { SourceListings } from '../../src/project/shared-listing.js';
import { sqlOfCodeMigration } from '../../src/schema/code-migrations.js';
import { useScratch } from '../helpers/scratch.js';

const { makeProject } = useScratch();

/** A pnpm workspace in a Git repository, with ignore files at the root and inside a package. */
function workspace(git: boolean): string {
  return makeProject({
    ...(git ? { '.git/HEAD': 'ref: refs/heads/main\n' } : {}),
    '.gitignore': 'generated/\n*.local.ts\n',
    'package.json': '{ "name": "root", "private": true }',
    'pnpm-workspace.yaml': 'packages:\n  - "packages/*"\n  - "tools/build/*"\n  - ".hidden/*"\n',
    'root.ts': 'export const a = 1;',
    'packages/db/package.json': '{ "name": "@acme/db" }',
    'packages/db/.gitignore': 'legacy/\n',
    'packages/db/src/schema.ts': 'export const t = 1;',
    'packages/db/src/schema.local.ts': 'export const ignoredByTheRoot = 1;',
    'packages/db/generated/client.ts': 'export const ignoredByTheRoot = 1;',
    'packages/db/legacy/old.ts': 'export const ignoredByThePackage = 1;',
    'packages/db/src/types.d.ts': 'export type T = 1;',
    'packages/db/dist/index.js': 'exports.built = 1;',
    'packages/web/package.json': '{ "name": "web" }',
    'packages/web/app.tsx': 'export const App = () => null;',
    // Below a folder the glob skips (`build`) or a hidden one, seen from the workspace: only a glob of the package finds them.
    'tools/build/gen/package.json': '{ "name": "gen" }',
    'tools/build/gen/index.ts': 'export const gen = 1;',
    '.hidden/pkg/package.json': '{ "name": "hidden" }',
    '.hidden/pkg/index.ts': 'export const hidden = 1;',
  });
}

describe("the editor's source listings, one glob per workspace", () => {
  const projects = ['packages/db', 'packages/web', 'tools/build/gen', '.hidden/pkg', '.'];

  it('gives each project the files, in the order, that globbing its own folder gives', () => {
    for (const git of [true, false]) {
      const root = workspace(git);
      const listings = new SourceListings();
      for (const project of projects) {
        const dir = project === '.' ? root : join(root, project);
        expect(listings.filesOf(dir), `${project} (git: ${git})`).toEqual(globTypeScriptSources(dir));
      }
    }
  });

  it("applies the root's ignore files to a package in a Git repository, as a glob of the package does", () => {
    const root = workspace(true);
    const files = new SourceListings().filesOf(join(root, 'packages/db'))?.map((f) => f.slice(root.length + 1));
    expect(files).toEqual(['packages/db/src/schema.ts']);
    // Without a Git root, a glob of the package does not read the root's .gitignore: neither does its listing.
    const bare = workspace(false);
    const alone = new SourceListings().filesOf(join(bare, 'packages/db'))?.map((f) => f.slice(bare.length + 1));
    expect(alone).toEqual(expect.arrayContaining(['packages/db/src/schema.local.ts', 'packages/db/generated/client.ts']));
  });

  it('finds the files below a skipped or hidden folder of the workspace for the project inside it', () => {
    const root = workspace(true);
    const listings = new SourceListings();
    expect(listings.filesOf(root)?.some((f) => f.includes('tools/build') || f.includes('.hidden'))).toBe(false);
    expect(listings.filesOf(join(root, 'tools/build/gen'))).toEqual([join(root, 'tools/build/gen/index.ts')]);
    expect(listings.filesOf(join(root, '.hidden/pkg'))).toEqual([join(root, '.hidden/pkg/index.ts')]);
  });
});

describe('the SQL of a migration written as code, read once per text', () => {
  const migration = 'export async function up(db) {\n  await sql`CREATE TABLE "doc" ("id" text, "workspaceId" text)`.execute(db);\n}\n';

  it('answers the same for the same text under another project path, and by the text, not the path', () => {
    const first = sqlOfCodeMigration('apps/server/migrations/001_init.ts', migration);
    expect(first?.text).toContain('CREATE TABLE "doc"');
    expect(sqlOfCodeMigration('migrations/001_init.ts', migration)).toEqual(first);
    const changed = migration.replace('"workspaceId" text', '"spaceId" text');
    expect(sqlOfCodeMigration('migrations/001_init.ts', changed)?.text).toContain('"spaceId"');
  });

  it('keeps the extension in the question: a .js file may hold JSX that a .ts file may not', () => {
    const jsx = `${migration}export const x = <div />;\n`;
    expect(sqlOfCodeMigration('migrations/001_a.js', jsx)?.text).toContain('CREATE TABLE "doc"');
    expect(sqlOfCodeMigration('migrations/001_a.ts', jsx)).toBeUndefined();
  });
});
