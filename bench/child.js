// One measured workload per process, run by bench/run.js (never by hand, never by the tests):
//   node bench/child.js parse  <tool> <files.json>           typescript-estree parse (loc, range, comments) + one walk
//   node bench/child.js eslint <tool> <files.json> <root> parser|plugin
//   node bench/child.js import <tool> parser|plugin|parser+plugin   import cost, fresh process
// <tool> is the tenant-lint checkout whose dependencies (and, for `plugin`, dist/rules) are used.
// Prints one JSON line on stdout: what the workload counted (files, nodes, messages) and its own ms.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [mode, tool, ...rest] = process.argv.slice(2);
const requireFromTool = createRequire(join(tool, 'package.json'));
const load = (name) => import(pathToFileURL(requireFromTool.resolve(name)).href);
const started = performance.now();
const out = {};

if (mode === 'parse') {
  const files = JSON.parse(readFileSync(rest[0], 'utf8'));
  const { parse } = await load('@typescript-eslint/typescript-estree');
  const { visitorKeys } = await load('@typescript-eslint/visitor-keys');
  let nodes = 0;
  let failed = 0;
  const walk = (node) => {
    nodes += 1;
    const keys = visitorKeys[node.type] ?? [];
    for (const key of keys) {
      const child = node[key];
      if (Array.isArray(child)) {
        for (const c of child) if (c && typeof c.type === 'string') walk(c);
      } else if (child && typeof child.type === 'string') walk(child);
    }
  };
  for (const file of files) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const jsx = /\.[cm]?[jt]sx$/.test(file) || /\.[cm]?js$/.test(file);
    try {
      walk(parse(text, { range: true, loc: true, jsx, comment: true, errorOnUnknownASTType: false, filePath: file }));
    } catch {
      failed += 1;
    }
  }
  Object.assign(out, { files: files.length, nodes, failed });
} else if (mode === 'eslint') {
  const [list, root, variant] = rest;
  const files = JSON.parse(readFileSync(list, 'utf8'));
  const { ESLint } = await load('eslint');
  const parser = await load('@typescript-eslint/parser');
  const config = [
    {
      files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
      languageOptions: { parser: parser.default ?? parser, parserOptions: { ecmaFeatures: { jsx: true } } },
      linterOptions: { reportUnusedDisableDirectives: 'off' },
    },
  ];
  if (variant === 'plugin') {
    const plugin = (await import(pathToFileURL(join(tool, 'dist/rules/index.js')).href)).default;
    config.push(plugin.configs.recommended);
  }
  const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: config, ignore: false, cache: false, errorOnUnmatchedPattern: false });
  const results = await eslint.lintFiles(files);
  let messages = 0;
  let fatal = 0;
  for (const r of results) {
    messages += r.messages.filter((m) => m.ruleId?.startsWith('tenant-lint/')).length;
    fatal += r.fatalErrorCount;
  }
  Object.assign(out, { files: results.length, messages, fatal });
} else if (mode === 'import') {
  // `parser+plugin` is what ESLint does: the parser first, then the plugin; `plugin` alone is the
  // plugin's whole cost in a process that has nothing loaded yet.
  if (rest[0] !== 'plugin') await load('@typescript-eslint/parser');
  if (rest[0] !== 'parser') await import(pathToFileURL(join(tool, 'dist/rules/index.js')).href);
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
out.ms = Math.round(performance.now() - started);
console.log(JSON.stringify(out));
