import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { codeFrameColumns } from '@babel/code-frame';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFile, RECOGNIZERS, schemaFindings, type FileAnalysis } from '../src/analyze/analyze.js';
import type { Finding } from '../src/core/finding.js';
import { Resolver } from '../src/core/resolve.js';
import { SAME_BEHAVIOUR_WRAPPERS } from '../src/models/wrappers.js';
import { isRuleId, RULE_META, type RuleId } from '../src/core/rule-meta.js';
import { ModuleGraph, parseUnit } from '../src/project/modules.js';
import { loadProject, type Project } from '../src/project/project.js';
import { loadSqlParsers } from '../src/sql/libpg.js';

/**
 * Every rule page is executed, as in typescript-eslint's docs.test.mts: its `prisma schema` block
 * becomes a throwaway project, each ❌ block must be reported exactly where its `// ❌ <messageId>`
 * markers say, and each ✅ block (and each fix under "How to fix") must be clean.
 */

const DOCS = join(import.meta.dirname, '..', 'docs', 'rules');
const TEMPLATE = 'TEMPLATE.md';
const INCORRECT = '❌ Incorrect';
const CORRECT = '✅ Correct';
const HOW_TO_FIX = 'How to fix';
const SCHEMA_INFO = 'prisma schema';
/** `return prisma.invoice.findUnique({ where: { id } }); // ❌ missingTenantFilter`, or `-- ❌ ...` in SQL */
const MARKER = /(?:\/\/|--)\s*❌\s*([A-Za-z]+)/;

/**
 * Schema rules are about definitions, not queries: each of their examples is a whole schema
 * (a ```prisma model set, a ```sql migration, or a ```ts Drizzle/TypeORM/... file) loaded as its
 * own project, and the markers sit on the reported definition lines.
 */
const SCHEMA_RULES = new Set<RuleId>(['require-tenant-column', 'require-tenant-index']);
/** Rules whose "How to fix" has one section per ORM of the template. */
const ORM_SECTIONED = new Set<RuleId>(['require-tenant-filter']);
const SCHEMA_EXAMPLE_FILES: Record<string, string> = {
  prisma: 'prisma/schema.prisma',
  sql: 'migrations/0001_init.sql',
  ts: 'src/schema.ts',
};
/** What a schema rule's "How to fix" may cover: the schema sources tenant-lint reads. */
const SCHEMA_SOURCES = ['prisma', 'rawsql', 'drizzle', 'typeorm', 'sequelize', 'mongoose'];

/** Loads one schema example as its own project and returns this rule's findings in it. */
function checkSchemaExample(block: CodeBlock, id: RuleId): Finding[] {
  const dir = mkdtempSync(join(tmpdir(), 'tenant-lint-docs-'));
  try {
    const file = SCHEMA_EXAMPLE_FILES[block.info];
    if (!file) throw new Error(`page line ${block.line}: schema examples are prisma, sql or ts blocks`);
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), block.code);
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'docs-example', main: 'index.js' })}\n`);
    return schemaFindings(loadProject(dir)).filter((finding) => finding.ruleId === id);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Heading {
  level: number;
  text: string;
  line: number;
}

interface CodeBlock {
  info: string;
  code: string;
  /** 1-based line of the opening fence in the page. */
  line: number;
  h2: string;
  h3: string;
}

interface Page {
  file: string;
  text: string;
  frontMatter: Map<string, string>;
  headings: Heading[];
  blocks: CodeBlock[];
  /** Link targets of `[text](target)` outside code. */
  links: string[];
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})\s*([^`]*)$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const LINK = /\]\(([^)\s]+)\)/g;

/** Just enough CommonMark for rule pages: front-matter, ATX headings, fenced blocks, HTML comments. */
function parsePage(path: string): Page {
  const text = readFileSync(path, 'utf8');
  const lines = text.split(/\r?\n/);
  const frontMatter = new Map<string, string>();
  let i = 0;
  if (lines[0] === '---') {
    for (i = 1; i < lines.length && lines[i] !== '---'; i++) {
      const match = /^([\w-]+):\s*(.*)$/.exec(lines[i]);
      if (match) frontMatter.set(match[1], match[2].replace(/^(['"])(.*)\1$/, '$2'));
    }
    i += 1;
  }
  const headings: Heading[] = [];
  const blocks: CodeBlock[] = [];
  const links: string[] = [];
  let h2 = '';
  let h3 = '';
  let inComment = false;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (inComment || line.trimStart().startsWith('<!--')) {
      inComment = !line.includes('-->');
      continue;
    }
    const fence = FENCE_OPEN.exec(line);
    if (fence) {
      const [, marker, info] = fence;
      const close = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
      const start = i;
      const body: string[] = [];
      for (i += 1; i < lines.length && !close.test(lines[i]); i++) body.push(lines[i]);
      blocks.push({ info: info.trim(), code: `${body.join('\n')}\n`, line: start + 1, h2, h3 });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const level = heading[1].length;
      headings.push({ level, text: heading[2], line: i + 1 });
      if (level === 2) [h2, h3] = [heading[2], ''];
      if (level === 3) h3 = heading[2];
      continue;
    }
    for (const match of line.matchAll(LINK)) links.push(match[1]);
  }
  return { file: path, text, frontMatter, headings, blocks, links };
}

function ruleIdOf(pageFile: string): RuleId {
  const id = pageFile.replace(/\.md$/, '');
  if (!isRuleId(id)) throw new Error(`docs/rules/${pageFile} does not name a rule of RULE_META`);
  return id;
}

function headingTexts(page: Page, level: number, under?: string): string[] {
  let h2 = '';
  const texts: string[] = [];
  for (const heading of page.headings) {
    if (heading.level === 2) h2 = heading.text;
    if (heading.level === level && (under === undefined || h2 === under)) texts.push(heading.text);
  }
  return texts;
}

function isSubsequence(items: readonly string[], of: readonly string[]): boolean {
  let at = 0;
  for (const item of items) {
    at = of.indexOf(item, at);
    if (at === -1) return false;
    at += 1;
  }
  return true;
}

/** What a ❌ block promises: one `{ line, messageId }` per marker comment. */
function markersOf(code: string): { line: number; messageId: string }[] {
  return code.split('\n').flatMap((text, index) => {
    const match = MARKER.exec(text);
    return match ? [{ line: index + 1, messageId: match[1] }] : [];
  });
}

function byLine(a: { line: number; messageId: string }, b: { line: number; messageId: string }): number {
  return a.line - b.line || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0);
}

/** Each example is its own file in the page's project, with a fresh module graph. */
function lintExample(project: Project, name: string, code: string, ruleId: RuleId): FileAnalysis {
  const file = join(project.root, name);
  writeFileSync(file, code);
  const unit = parseUnit(file, code);
  const resolver = new Resolver(new ModuleGraph(), SAME_BEHAVIOUR_WRAPPERS);
  resolver.modules.add(unit);
  return analyzeFile(unit, project, resolver, { only: ruleId });
}

/** The finding as a reviewer reads it: position, message, code frame, why, help, and each suggestion applied. */
function renderFinding(finding: Finding, code: string): string {
  const frame = codeFrameColumns(code, {
    start: { line: finding.line, column: finding.column },
    end: { line: finding.endLine, column: finding.endLine === finding.line ? finding.endColumn : Math.max(finding.endColumn - 1, 1) },
  });
  const suggestions = (finding.suggestions ?? []).map((suggestion) => {
    const [start, end] = suggestion.fix.range;
    const fixed = code.slice(0, start) + suggestion.fix.text + code.slice(end);
    const line = fixed.slice(0, start).split('\n').length;
    return `suggestion: ${suggestion.desc}\n  ${line} | ${fixed.split('\n')[line - 1]}`;
  });
  return [
    `${finding.line}:${finding.column}-${finding.endLine}:${finding.endColumn}  ${finding.severity}  ${finding.messageId}`,
    finding.message,
    frame,
    `why: ${finding.evidence}`,
    `help: ${finding.help}`,
    ...suggestions,
  ].join('\n');
}

// Raw SQL examples are parsed with libpg-query, which loads asynchronously (as in the CLI and the plugin).
beforeAll(loadSqlParsers);

const template = parsePage(join(DOCS, TEMPLATE));
const pageFiles = readdirSync(DOCS)
  .filter((name) => name.endsWith('.md') && name !== TEMPLATE)
  .sort();

it('docs/rules has at least one rule page', () => {
  expect(pageFiles.length).toBeGreaterThan(0);
});

describe.each(pageFiles.filter((file) => SCHEMA_RULES.has(ruleIdOf(file))))('docs/rules/%s (schema rule)', (pageFile) => {
  const id = ruleIdOf(pageFile);
  const page = parsePage(join(DOCS, pageFile));
  const isExample = (block: CodeBlock) => block.info in SCHEMA_EXAMPLE_FILES;
  const incorrect = page.blocks.filter((block) => isExample(block) && block.h3 === INCORRECT);
  const correct = page.blocks.filter((block) => isExample(block) && block.h3 === CORRECT);
  const fixes = page.blocks.filter((block) => isExample(block) && block.h2 === HOW_TO_FIX);

  it(`${id} front-matter description equals the rule's description`, () => {
    expect(page.frontMatter.get('description')).toBe(RULE_META[id].description);
  });

  it(`${id} follows the skeleton of ${TEMPLATE} (without the shared schema)`, () => {
    expect(headingTexts(page, 2)).toEqual(headingTexts(template, 2).filter((h) => h !== 'Schema used by the examples'));
    expect(headingTexts(page, 3, 'Examples')).toEqual(headingTexts(template, 3, 'Examples'));
    const sections = headingTexts(page, 3, HOW_TO_FIX).map((s) => s.toLowerCase().replace(/\s+/g, ''));
    expect(sections.length).toBeGreaterThan(0);
    expect(sections.filter((s) => !SCHEMA_SOURCES.includes(s))).toEqual([]);
    expect(incorrect.length).toBeGreaterThan(0);
    expect(correct.length).toBeGreaterThan(0);
  });

  it(`${id} links resolve`, () => {
    const local = page.links.filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'));
    expect(local.filter((target) => !existsSync(resolve(dirname(page.file), target.replace(/#.*$/, ''))))).toEqual([]);
  });

  incorrect.forEach((block, index) => {
    it(`${id} ❌ #${index + 1} (${block.info})`, () => {
      const markers = markersOf(block.code).sort(byLine);
      expect(markers.length, `page line ${block.line}: mark each reported line with a ❌ <messageId> comment`).toBeGreaterThan(0);
      const findings = checkSchemaExample(block, id);
      expect(findings.map(({ line, messageId }) => ({ line, messageId })).sort(byLine)).toEqual(markers);
      expect(findings.map((finding) => renderFinding(finding, block.code)).join('\n\n')).toMatchSnapshot();
    });
  });

  [...correct, ...fixes].forEach((block, index) => {
    it(`${id} ✅ #${index + 1} (${block.info}, page line ${block.line})`, () => {
      expect(markersOf(block.code)).toEqual([]);
      expect(checkSchemaExample(block, id).map((f) => `${f.line}:${f.column} ${f.messageId}: ${f.message}`)).toEqual([]);
    });
  });
});

describe.each(pageFiles.filter((file) => !SCHEMA_RULES.has(ruleIdOf(file))))('docs/rules/%s', (pageFile) => {
  const id = ruleIdOf(pageFile);
  const page = parsePage(join(DOCS, pageFile));
  const schemaBlocks = page.blocks.filter((block) => block.info === SCHEMA_INFO);
  const incorrect = page.blocks.filter((block) => block.info === 'ts' && block.h3 === INCORRECT);
  const correct = page.blocks.filter((block) => block.info === 'ts' && block.h3 === CORRECT);
  const fixes = page.blocks.filter((block) => block.info === 'ts' && block.h2 === HOW_TO_FIX);
  let project: Project;

  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'tenant-lint-docs-'));
    writeFileSync(join(dir, 'schema.prisma'), schemaBlocks[0]?.code ?? '');
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'docs-example', main: 'index.js' })}\n`);
    project = loadProject(dir);
  });

  afterAll(() => {
    if (project) rmSync(project.root, { recursive: true, force: true });
  });

  it(`${id} front-matter description equals the rule's description`, () => {
    expect(page.frontMatter.get('description')).toBe(RULE_META[id].description);
  });

  it(`${id} follows the skeleton of ${TEMPLATE}`, () => {
    expect(headingTexts(page, 2)).toEqual(headingTexts(template, 2));
    expect(headingTexts(page, 3, 'Examples')).toEqual(headingTexts(template, 3, 'Examples'));
    const orms = headingTexts(page, 3, HOW_TO_FIX);
    expect(orms.length).toBeGreaterThan(0);
    // Query rules fix per ORM; rules about request input or cache keys fix per framework or
    // client, so their sections are theirs to name.
    if (ORM_SECTIONED.has(id)) {
      expect(isSubsequence(orms, headingTexts(template, 3, HOW_TO_FIX)), `How to fix sections ${orms.join(', ')}`).toBe(true);
      // Only ORMs with a registered recognizer get a section: no "coming soon" placeholders.
      const supported = [...RECOGNIZERS.map((recognizer) => recognizer.name), 'rawsql'];
      expect(orms.map((orm) => orm.toLowerCase().replace(/\s+/g, '')).filter((orm) => !supported.includes(orm))).toEqual([]);
      // ...and every registered recognizer has one: a supported ORM is a documented ORM.
      const documented = orms.map((orm) => orm.toLowerCase().replace(/\s+/g, ''));
      expect(supported.filter((orm) => !documented.includes(orm)), 'recognizers without a How to fix section').toEqual([]);
    }
    for (const option of headingTexts(page, 3, 'Options')) expect(option).toMatch(/^`[\w$-]+`$/);
  });

  it(`${id} has one schema block, and every code example is executed`, () => {
    expect(schemaBlocks).toHaveLength(1);
    expect(incorrect.length).toBeGreaterThan(0);
    expect(correct.length).toBeGreaterThan(0);
    const examples = page.blocks.filter((block) => block.h2 === 'Examples');
    expect(examples.filter((block) => block.info !== 'ts').map((block) => `line ${block.line}: ${block.info}`)).toEqual([]);
    const stray = page.blocks.filter((block) => block.info === 'ts' && !incorrect.includes(block) && !correct.includes(block) && !fixes.includes(block));
    expect(stray.map((block) => `line ${block.line} under "${block.h2}"`)).toEqual([]);
  });

  it(`${id} links resolve`, () => {
    const local = page.links.filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'));
    const missing = local.filter((target) => !existsSync(resolve(dirname(page.file), target.replace(/#.*$/, ''))));
    expect(missing).toEqual([]);
  });

  it(`${id} schema loads as a tenant schema`, () => {
    expect(project.schema.diagnostics).toEqual([]);
    expect(project.schema.root).toBeDefined();
    const tenantTables = [...project.schema.tables.values()].filter((table) => table.class === 'tenant' || table.class === 'child');
    expect(tenantTables.length).toBeGreaterThan(0);
  });

  incorrect.forEach((block, index) => {
    const name = `${id} ❌ #${index + 1}`;
    it(name, () => {
      const markers = markersOf(block.code).sort(byLine);
      expect(markers.length, `page line ${block.line}: mark each reported line with // ❌ <messageId>`).toBeGreaterThan(0);
      const { findings } = lintExample(project, `incorrect-${index + 1}.ts`, block.code, id);
      expect(findings.length).toBeGreaterThanOrEqual(1);
      expect(findings.every((finding) => finding.ruleId === id)).toBe(true);
      expect(findings.map(({ line, messageId }) => ({ line, messageId })).sort(byLine)).toEqual(markers);
      expect(findings.map((finding) => renderFinding(finding, block.code)).join('\n\n')).toMatchSnapshot();
    });
  });

  const clean = [
    ...correct.map((block, index) => ({ block, name: `${id} ✅ #${index + 1}`, file: `correct-${index + 1}.ts` })),
    ...fixes.map((block, index) => ({ block, name: `${id} fix (${block.h3}) #${index + 1}`, file: `fix-${index + 1}.ts` })),
  ];
  for (const { block, name, file } of clean) {
    it(name, () => {
      expect(markersOf(block.code), `page line ${block.line}: a correct example carries no ❌ marker`).toEqual([]);
      const { findings, unknown } = lintExample(project, file, block.code, id);
      expect(findings.map((finding) => `${finding.line}:${finding.column} ${finding.messageId}: ${finding.message}`)).toEqual([]);
      // A clean result must come from the analysis deciding, not from it giving up.
      expect(unknown.map((site) => `${site.line}:${site.column} ${site.reason}`)).toEqual([]);
    });
  }
});
