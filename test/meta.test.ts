import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import plugin, { rules } from '../rules/index.js';
import { configSchema } from '../src/config/schema.js';
import { docsUrl, RULE_IDS, RULE_META } from '../src/core/rule-meta.js';

/**
 * The registry proves itself (typescript-eslint tests/rules/index.test.ts, unicorn test/package.js):
 * a rule exists in rules/, in the plugin, in RULE_META, in docs/rules/ and in test/rules/, or in
 * none of them, and every flag a rule declares is backed by what it actually has.
 */

const ROOT = join(import.meta.dirname, '..');
// rules/ holds only rule files and the plugin index: the ESLint adapter lives in src/eslint/.
const NOT_RULES = new Set(['index.ts']);

function sorted(names: Iterable<string>): string[] {
  return [...names].sort();
}

function namesIn(dir: string, suffix: string, except: ReadonlySet<string> = new Set()): string[] {
  return sorted(
    readdirSync(join(ROOT, dir))
      .filter((name) => name.endsWith(suffix) && !except.has(name))
      .map((name) => name.slice(0, -suffix.length)),
  );
}

function packageVersion(): unknown {
  const pkg: unknown = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  return typeof pkg === 'object' && pkg !== null ? Reflect.get(pkg, 'version') : undefined;
}

/** Message ids worded for suggestions (`suggestion`, `suggestAddTenant`, `addTenantSuggestion`). */
function isSuggestionMessage(messageId: string): boolean {
  return /^suggest|Suggestion$/.test(messageId) || messageId === 'suggestion';
}

/** A page split into prose (outside fenced blocks, front-matter and HTML comments) and code. */
function splitPage(text: string): { prose: string; code: string } {
  const prose: string[] = [];
  const code: string[] = [];
  let fence: RegExp | undefined;
  let inComment = false;
  const lines = text.split(/\r?\n/);
  let start = 0;
  if (lines[0] === '---') start = lines.indexOf('---', 1) + 1;
  for (const line of lines.slice(start)) {
    if (fence) {
      if (fence.test(line)) fence = undefined;
      else code.push(line);
      continue;
    }
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (open) {
      fence = new RegExp(`^ {0,3}${open[1][0] === '`' ? '`' : '~'}{${open[1].length},}\\s*$`);
      continue;
    }
    if (inComment || line.trimStart().startsWith('<!--')) {
      inComment = !line.includes('-->');
      continue;
    }
    prose.push(line);
  }
  return { prose: prose.join('\n'), code: code.join('\n') };
}

const CAMEL_CASE = /^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$/;

/**
 * camelCase words in backticks that the examples and the configuration do not explain: on a rule
 * page those can only be messageIds (`missingTenantFilter`), so a typo or a renamed id shows up.
 */
function messageIdsMentioned(text: string): string[] {
  const { prose, code } = splitPage(text);
  // Comments (`//` and SQL `--`) are stripped so that a `❌ messageId` marker does not vouch for itself.
  const identifiers = new Set(code.replace(/(?:\/\/|--).*$/gm, '').match(/[A-Za-z_$][\w$]*/g) ?? []);
  const configKeys = new Set(Object.keys(configSchema().shape));
  const spans = [...prose.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]);
  return sorted(new Set(spans.filter((span) => CAMEL_CASE.test(span) && !identifiers.has(span) && !configKeys.has(span))));
}

describe('the rule registry', () => {
  const ruleFiles = namesIn('rules', '.ts', NOT_RULES);
  const pluginRules = Object.keys(rules);

  it('rules/ holds one file per rule of the plugin', () => {
    expect(ruleFiles).toEqual(sorted(pluginRules));
  });

  it('the plugin rules are the rules of RULE_META', () => {
    expect(sorted(pluginRules)).toEqual(sorted(Object.keys(RULE_META)));
    expect(RULE_IDS).toEqual(sorted(Object.keys(RULE_META)));
  });

  it('docs/rules/ holds one page per rule (TEMPLATE.md aside)', () => {
    expect(namesIn('docs/rules', '.md', new Set(['TEMPLATE.md']))).toEqual(sorted(pluginRules));
  });

  it('test/rules/ holds one test file per rule', () => {
    expect(namesIn('test/rules', '.test.ts')).toEqual(sorted(pluginRules));
  });

  it('rules/index.ts lists the rules alphabetically', () => {
    expect(pluginRules).toEqual(sorted(pluginRules));
  });

  it('configs.recommended enables exactly the rules whose meta.docs.recommended is true', () => {
    const enabled = sorted(Object.keys(plugin.configs.recommended.rules ?? {}));
    const recommended = RULE_IDS.filter((id) => rules[id].meta.docs?.recommended === true).map((id) => `tenant-lint/${id}`);
    expect(enabled).toEqual(sorted(recommended));
    for (const id of RULE_IDS.filter((ruleId) => rules[ruleId].meta.docs?.recommended === true)) {
      expect(plugin.configs.recommended.rules?.[`tenant-lint/${id}`]).toBe(RULE_META[id].defaultSeverity === 'error' ? 'error' : 'warn');
    }
    expect(plugin.configs.recommended.plugins?.['tenant-lint']).toBe(plugin);
  });

  it('plugin.meta names the package and its version', () => {
    expect(plugin.meta.name).toBe('tenant-lint');
    expect(plugin.meta.version).toBe(packageVersion());
  });
});

describe.each(RULE_IDS)('rule %s', (id) => {
  const rule = rules[id];
  const { meta } = rule;
  const messageIds = Object.keys(meta.messages);

  it('is named after its id', () => {
    expect(rule.name).toBe(id);
  });

  it('links its docs page', () => {
    expect(meta.docs?.url).toBe(docsUrl(id));
  });

  it('has a description in the house style, equal to RULE_META', () => {
    const description = meta.docs?.description ?? '';
    expect(description).toMatch(/^(Require|Disallow|Enforce) /);
    expect(description).not.toMatch(/\.$/);
    expect(description).toBe(RULE_META[id].description);
    expect(meta.docs?.recommended).toBe(RULE_META[id].recommended);
  });

  it('declares hasSuggestions exactly when it has a suggestion message', () => {
    expect(meta.hasSuggestions ?? false).toBe(messageIds.some(isSuggestionMessage));
  });

  it('has camelCase messageIds', () => {
    expect(messageIds.filter((messageId) => !/^[a-z][a-zA-Z0-9]*$/.test(messageId))).toEqual([]);
  });

  it('docs page mentions only messageIds the rule has, and explains every one', () => {
    const page = readFileSync(join(ROOT, 'docs', 'rules', `${id}.md`), 'utf8');
    const mentioned = messageIdsMentioned(page);
    expect(mentioned.filter((messageId) => !messageIds.includes(messageId))).toEqual([]);
    const reported = messageIds.filter((messageId) => !isSuggestionMessage(messageId));
    expect(reported.filter((messageId) => !mentioned.includes(messageId))).toEqual([]);
  });
});

/**
 * The layers of ../shared/ARCHITECTURE.md, held by the imports of src/: `core` holds contracts and
 * imports nothing else in src/; policies (src/policies/<rule-id>/) decide from those contracts and
 * the flow engine and never import a model; models (ORMs, schema readers, caches, web frameworks,
 * SQL) never import a policy. The analysis driver (src/analyze/: the per-file walk, .sql query
 * files, and the entry points that hand the policies the registered models and each other's
 * barriers) sits above both and may import anything.
 */
describe('import boundaries', () => {
  const SRC = join(ROOT, 'src');
  const MODELS = ['orm/', 'schema/', 'cache/', 'http/', 'models/', 'sql/'];

  /**
   * Violations accepted for now, each to be removed with its cause: `from -> to`, paths relative to
   * src/. The test fails when an entry no longer occurs. None today.
   */
  const ALLOWED = new Map<string, string>([]);

  function filesUnder(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return filesUnder(path);
      return entry.name.endsWith('.ts') ? [path] : [];
    });
  }

  /** The src/ files a file imports (types included), relative to src/. */
  function importsOf(file: string): string[] {
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => m[1] ?? m[2] ?? m[3]);
    return specifiers
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => relative(SRC, join(dirname(file), specifier)).split('\\').join('/').replace(/\.js$/, '.ts'))
      .filter((target) => !target.startsWith('..'));
  }

  type Layer = 'core' | 'driver' | 'policy' | 'model' | 'flow' | 'other';

  function layerOf(path: string): Layer {
    if (path.startsWith('analyze/')) return 'driver';
    if (path.startsWith('core/')) return 'core';
    if (path.startsWith('policies/')) return 'policy';
    if (path.startsWith('flow/')) return 'flow';
    return MODELS.some((prefix) => path.startsWith(prefix)) ? 'model' : 'other';
  }

  /** Why `from` may not import `to`, or undefined. */
  function violation(from: string, to: string): string | undefined {
    const source = layerOf(from);
    const target = layerOf(to);
    if (source === 'core' && target !== 'core') return 'core contracts import nothing else in src/';
    if (source === 'policy') {
      const folder = from.split('/')[1];
      const own = to.startsWith(`policies/${folder}/`) || to.startsWith('policies/shared/');
      if (!own && target !== 'core' && target !== 'flow') return 'a policy imports only core contracts, the flow engine and its own folder';
    }
    if (source === 'model' && (target === 'policy' || target === 'driver')) return 'a model never imports a policy';
    return undefined;
  }

  const edges = filesUnder(SRC).flatMap((file) => {
    const from = relative(SRC, file).split('\\').join('/');
    return importsOf(file).map((to) => ({ from, to, key: `${from} -> ${to}` }));
  });

  it('reads the imports of src/ (the test sees what it guards)', () => {
    expect(edges.some((edge) => edge.key === 'policies/no-client-tenant-id/flow.ts -> core/facts.ts')).toBe(true);
    expect(edges.some((edge) => edge.key === 'analyze/policies.ts -> models/index.ts')).toBe(true);
  });

  it('core contracts, policies and models import only what their layer may', () => {
    const found = edges.flatMap((edge) => {
      const why = violation(edge.from, edge.to);
      return why && !ALLOWED.has(edge.key) ? [`${edge.key}: ${why}`] : [];
    });
    expect(found).toEqual([]);
  });

  it('every allowed violation still occurs (remove the entry with its cause)', () => {
    const keys = new Set(edges.map((edge) => edge.key));
    expect([...ALLOWED.keys()].filter((key) => !keys.has(key))).toEqual([]);
  });

  it('policies import no model and not the driver', () => {
    const policies = edges.filter((edge) => layerOf(edge.from) === 'policy');
    expect(policies.length).toBeGreaterThan(0);
    expect(policies.filter((edge) => layerOf(edge.to) === 'model' || layerOf(edge.to) === 'driver').map((edge) => edge.key)).toEqual([]);
  });
});
