import { describe, expect, it } from 'vitest';
import { parseUnit } from '../../src/project/modules.js';
import { memberName, propertyName, T, thisAssignments, unwrap, walk, type Node } from '../../src/core/ast.js';
import { namesWhole } from '../../src/flow/callers.js';

/** What the call graph's file summary records: names called or handed on, and identifiers stored under a key. */
function namesInTree(file: string, text: string): Set<string> {
  const names = new Set<string>();
  walk(parseUnit(file, text).ast, (node) => {
    if (node.type === T.CallExpression) {
      const callee = unwrap(node.callee);
      const called = callee.type === T.Identifier ? callee.name : callee.type === T.MemberExpression ? memberName(callee) : undefined;
      if (called) names.add(called);
      for (const arg of node.arguments) {
        const value = unwrap(arg);
        if (value.type === T.Identifier) names.add(value.name);
        if (value.type === T.MemberExpression && memberName(value)) names.add(memberName(value)!);
      }
    }
    if (node.type === T.Property && node.value.type === T.Identifier && propertyName(node)) names.add(node.value.name);
  });
  return names;
}

describe('namesWhole: the call graph parses a candidate file only when it names the function as a whole word', () => {
  it('is false when every occurrence is inside a longer word', () => {
    expect(namesWhole('const x = getUser(id); target.budget = 1;', 'get')).toBe(false);
    expect(namesWhole('widget$get_ = 1', 'get')).toBe(false);
  });

  it('is true for a call, a member call, a string key, a template key and a name handed on', () => {
    expect(namesWhole('get(id)', 'get')).toBe(true);
    expect(namesWhole('repo.get(id)', 'get')).toBe(true);
    expect(namesWhole("repo['get'](id)", 'get')).toBe(true);
    expect(namesWhole('repo[`get`](id)', 'get')).toBe(true);
    expect(namesWhole('router.use(get)', 'get')).toBe(true);
    expect(namesWhole('const handlers = { run: runShard }', 'runShard')).toBe(true);
  });

  it('never says false for a name the text holds that a parse of the file finds called, handed on or stored (escapes, unicode neighbours)', () => {
    const sources = [
      "repo['\\get'](id)",
      'é.get(1); xget(2)',
      'const f = a ?? get; f(); register(get)',
      'const o = { ["get"]: x, y: get }',
      'this.get?.(1)',
    ];
    for (const text of sources) {
      for (const name of namesInTree('x.ts', text)) if (text.includes(name)) expect(namesWhole(text, name), `${name} in ${text}`).toBe(true);
    }
  });

  it('checks only the ends of a name that are word characters', () => {
    expect(namesWhole("o['a-b']()", 'a-b')).toBe(true);
    expect(namesWhole("o['x-b']()", '-b')).toBe(true);
  });
});

describe('thisAssignments: what `this.<name> = value` assigns in a class, in walk order, one walk per class', () => {
  it('lists every assignment by name, nested functions included, and is kept per class body', () => {
    const unit = parseUnit(
      'x.ts',
      `class S {
        constructor(db) { this.db = db; this['other'] = 1; }
        later() { const f = () => { this.db = makeDb(); }; this.cache.db = 2; }
      }`,
    );
    const cls = unit.ast.body[0] as Node & { type: typeof T.ClassDeclaration };
    const found = thisAssignments(cls.body);
    expect([...found.keys()]).toEqual(['db', 'other']);
    expect(found.get('db')!.map((value) => value.type)).toEqual([T.Identifier, T.CallExpression]);
    expect(thisAssignments(cls.body)).toBe(found);
  });
});
