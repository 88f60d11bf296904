// The scanner's two front ends (src/project/oxc.ts): oxc-parser must give the trees typescript-estree
// gives, and a scan the same findings, fingerprints and coverage, on every fixture. oxc-parser is an
// optional dependency: without it these tests are skipped (and say so).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUnit } from '../../src/project/modules.js';
import { oxcParser } from '../../src/project/oxc.js';
import { scan } from '../../src/scan/scan.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const installed = oxcParser() !== undefined;
const describeOxc = installed ? describe : describe.skip;
if (!installed) console.warn('test/parity/front-ends.test.ts: oxc-parser is not installed, the front-end parity tests are skipped');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.[cm]?[jt]sx?$/.test(name)) out.push(path);
  }
  return out;
}

/** Every difference between two trees (parents and the parser's own extra fields aside), as paths. */
function differences(a: unknown, b: unknown, path: string, out: string[]): string[] {
  if (out.length > 20 || a === b) return out;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    if (typeof a === 'bigint' || a instanceof RegExp) return out;
    out.push(`${path}: ${String(a)} / ${String(b)}`);
    return out;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) out.push(`${path}: lengths differ`);
    else a.forEach((item, i) => differences(item, b[i], `${path}[${i}]`, out));
    return out;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const type = typeof x.type === 'string' ? x.type : '';
  for (const key of new Set([...Object.keys(x), ...Object.keys(y)])) {
    // `start`/`end`: oxc's offsets, also in `range`; `sourceType` is not read by the analysis.
    if (key === 'parent' || key === 'start' || key === 'end' || key === 'tokens' || key === 'sourceType') continue;
    differences(x[key], y[key], `${path}.${type}.${key}`, out);
  }
  return out;
}

describeOxc('front ends: typescript-estree and oxc-parser', () => {
  it('give the same tree (loc, range, comments, optional fields) for every fixture source', () => {
    const files = sources(FIXTURES);
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      let estree;
      try {
        estree = parseUnit(file, text);
      } catch {
        // A fixture that does not parse (on purpose) does not parse with either front end.
        expect(() => parseUnit(file, text, 'oxc'), file).toThrow();
        continue;
      }
      const oxc = parseUnit(file, text, 'oxc');
      expect(differences(estree.ast, oxc.ast, file, []), file).toEqual([]);
    }
  });

  it('gives parents and the scope analysis the analysis reads', () => {
    const text = "import { db } from './db';\nexport async function get(id: string) {\n  // a comment\n  return db.invoice.findMany({ where: { id } });\n}\n";
    const unit = parseUnit('/virtual/a.ts', text, 'oxc');
    const fn = unit.ast.body[1];
    expect(fn.parent).toBe(unit.ast);
    expect(unit.ast.comments?.[0]).toMatchObject({ type: 'Line', value: ' a comment', range: [69, 81], loc: { start: { line: 3, column: 2 } } });
    expect(unit.scopeManager.globalScope?.childScopes[0]?.set.has('db')).toBe(true);
  });

  it('start decorated optional, defaulted and destructured parameters where typescript-estree does', () => {
    const text = "class A {\n  m(@Q() s: T, @Q() [b]: T, @Q('x') q = 1, @Q() r?: string, @Q() {a}: T = {}, @Q() /* c */ {c}?: T, @Q() ...rest: T[]) {}\n}\n";
    const oxc = parseUnit('/virtual/c.ts', text, 'oxc');
    // oxc's own tree (its nodes carry `start`), not typescript-estree's after a fallback.
    expect('start' in oxc.ast).toBe(true);
    expect(differences(parseUnit('/virtual/c.ts', text).ast, oxc.ast, 'c.ts', [])).toEqual([]);
  });

  it('falls back to typescript-estree for a file oxc rejects, and reports a file neither parses', () => {
    expect(() => parseUnit('/virtual/b.ts', 'const = ;', 'oxc')).toThrow();
  });

  for (const name of readdirSync(FIXTURES).filter((n) => statSync(join(FIXTURES, n)).isDirectory())) {
    it(`scan the fixture ${name} to the same findings, fingerprints and coverage`, async () => {
      const [estree, oxc] = [await scan({ path: join(FIXTURES, name) }), await scan({ path: join(FIXTURES, name), parser: 'oxc' })];
      const strip = (result: typeof estree) => ({
        findings: result.findings,
        unknown: result.unknown,
        coverage: result.coverage,
        projects: result.projects,
        diagnostics: result.diagnostics,
        stats: { ...result.stats, durationMs: 0 },
      });
      expect(strip(oxc)).toEqual(strip(estree));
    });
  }
});
