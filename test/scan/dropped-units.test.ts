import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TSESTree } from '@typescript-eslint/types';
import { T, walk } from '../../src/core/ast.js';
import { Resolver } from '../../src/core/resolve.js';
import { callGraphFor } from '../../src/flow/callers.js';
import { ModuleGraph } from '../../src/project/modules.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tenant-lint-dropped-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

function functionNamed(ast: TSESTree.Program, name: string): TSESTree.FunctionDeclaration {
  let found: TSESTree.FunctionDeclaration | undefined;
  walk(ast, (node) => {
    if (node.type === T.FunctionDeclaration && node.id?.name === name) found = node;
  });
  if (!found) throw new Error(`no function ${name}`);
  return found;
}

describe('the scan drops parsed units between files, and keeps what it knows of them as offsets', () => {
  it('keeps the most recently used units within the bound, and parses a dropped one again on demand', () => {
    const root = tree({ 'a.ts': 'export const a = 1;', 'b.ts': 'export const b = 2;', 'c.ts': 'export const c = 3;' });
    const modules = new ModuleGraph();
    const a = modules.unit(join(root, 'a.ts'));
    const b = modules.unit(join(root, 'b.ts'));
    modules.unit(join(root, 'c.ts'));
    // `a` used again: `b` is now the least recently used.
    expect(modules.unit(join(root, 'a.ts'))).toBe(a);
    modules.trim(2 * 'export const a = 1;'.length);
    expect(modules.cached(join(root, 'a.ts'))).toBe(a);
    expect(modules.cached(join(root, 'b.ts'))).toBeUndefined();
    const again = modules.unit(join(root, 'b.ts'));
    expect(again).not.toBe(b);
    expect(again?.text).toBe(b?.text);
  });

  it('never drops a unit added whole (text given in place of the file, the linted file)', () => {
    const root = tree({ 'a.ts': 'export const a = 1;' });
    const modules = new ModuleGraph();
    const given = modules.parse(join(root, 'a.ts'), 'export const a = 2;');
    modules.trim(0);
    expect(modules.cached(join(root, 'a.ts'))).toBe(given);
  });

  it('finds the same callers after the caller file was dropped, in its new parse', () => {
    const root = tree({
      'repo.ts': 'export function listRows(orgId: string) { return orgId; }\n',
      'route.ts': "import { listRows } from './repo';\nexport function handler(req: any) { return listRows(req.user.orgId); }\n",
    });
    const modules = new ModuleGraph();
    modules.listSources(root, [join(root, 'repo.ts'), join(root, 'route.ts')]);
    const resolver = new Resolver(modules);
    const repo = modules.unit(join(root, 'repo.ts'));
    if (!repo) throw new Error('unparsed');
    const target = { fn: functionNamed(repo.ast, 'listRows'), unit: repo, name: 'listRows' };
    const graph = callGraphFor(root, resolver, () => false);
    const first = graph.callersOf(target);
    expect(first).toHaveLength(1);
    const before = first[0]!;
    // Between two files the scan drops every unit but the bound: here, all of them.
    modules.trim(0);
    expect(modules.cached(join(root, 'route.ts'))).toBeUndefined();
    const second = graph.callersOf(target);
    expect(second).toHaveLength(1);
    const after = second[0]!;
    // The same call, found in the current parse of its file (not the dropped tree).
    expect(after.call).not.toBe(before.call);
    expect(after.unit).toBe(modules.cached(join(root, 'route.ts')));
    expect(after.call.range).toEqual(before.call.range);
    expect({ how: after.how, kind: after.kind }).toEqual({ how: before.how, kind: before.kind });
  });

  it('a search for a common name keeps the trees of the files that call it, not of every file whose text holds it', () => {
    const files: Record<string, string> = {
      'store.ts': 'export class Store { export(orgId: string) { return orgId; } }\n',
      'route.ts': "import { Store } from './store';\nconst store = new Store();\nexport function handler(req: any) { return store.export(req.user.orgId); }\n",
      // handed on under a key: `{ run: exportAll }`, found without keeping the tree either
      'table.ts': 'export function exportAll() { return 1; }\nexport const table = { run: exportAll };\n',
    };
    // Files whose text says `export` everywhere and that never call anything of that name.
    for (let i = 0; i < 20; i++) files[`model${i}.ts`] = `export const model${i} = { id: ${i} };\nexport type Model${i} = typeof model${i};\n`;
    const root = tree(files);
    const modules = new ModuleGraph();
    modules.listSources(root, Object.keys(files).sort().map((f) => join(root, f)));
    const resolver = new Resolver(modules);
    const store = modules.unit(join(root, 'store.ts'));
    if (!store) throw new Error('unparsed');
    let method: TSESTree.FunctionExpression | undefined;
    let cls: TSESTree.ClassDeclaration | undefined;
    walk(store.ast, (node) => {
      if (node.type === T.ClassDeclaration) cls = node;
      if (node.type === T.MethodDefinition && node.value.type === T.FunctionExpression) method = node.value;
    });
    if (!method || !cls) throw new Error('no method');
    const graph = callGraphFor(root, resolver, () => false);
    const sites = graph.callersOf({ fn: method, unit: store, name: 'export', cls });
    expect(sites.map((s) => [s.unit.file, s.how, s.kind])).toEqual([[join(root, 'route.ts'), 'resolved', 'call']]);
    for (let i = 0; i < 20; i++) expect(modules.cached(join(root, `model${i}.ts`))).toBeUndefined();
    expect(modules.cached(join(root, 'route.ts'))).toBeDefined();

    const tableUnit = modules.unit(join(root, 'table.ts'));
    if (!tableUnit) throw new Error('unparsed');
    const exportAll = functionNamed(tableUnit.ast, 'exportAll');
    expect(graph.callersOf({ fn: exportAll, unit: tableUnit, name: 'exportAll' })).toEqual([]);
    for (let i = 0; i < 20; i++) expect(modules.cached(join(root, `model${i}.ts`))).toBeUndefined();
  });

  it("with a lookahead, the scanner's graph keeps peeked units of files it has not reached, within the bound, for the scan to take", () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 4; i++) files[`m${i}.ts`] = `export const m${i} = ${i};\n`;
    const root = tree(files);
    const size = files['m0.ts'].length;
    // Room for two peeked units.
    const modules = new ModuleGraph(false, undefined, 'typescript-estree', 2 * size);
    modules.listSources(root, Object.keys(files).sort().map((f) => join(root, f)));
    // m0 is reached by the scan before anything peeks at it: a peek of it is not kept.
    expect(modules.cached(join(root, 'm0.ts'))).toBeUndefined();
    modules.peek(join(root, 'm0.ts'));
    const m1 = modules.peek(join(root, 'm1.ts'));
    const m2 = modules.peek(join(root, 'm2.ts'));
    const m3 = modules.peek(join(root, 'm3.ts'));
    expect(m1).not.toBeNull();
    // Over the bound: parsed, not kept.
    expect(modules.peek(join(root, 'm3.ts'))).not.toBe(m3);
    expect(modules.peek(join(root, 'm1.ts'))).toBe(m1);
    expect(modules.peek(join(root, 'm2.ts'))).toBe(m2);
    // The scan takes a kept unit when its text is the one it read; a unit parsed from another text is not taken.
    expect(modules.cached(join(root, 'm2.ts'), 'export const changed = 1;\n')).toBeUndefined();
    expect(modules.cached(join(root, 'm1.ts'), files['m1.ts'])).toBe(m1);
    expect(modules.cached(join(root, 'm0.ts'))).toBeUndefined();
    // Taken, it is an ordinary unit of the graph: dropped between files like the others.
    modules.trim(0);
    expect(modules.cached(join(root, 'm1.ts'))).toBeUndefined();
  });
});
