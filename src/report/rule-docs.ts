import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { docsUrl, RULE_META, type RuleId } from '../core/rule-meta.js';
import { PACKAGE_ROOT } from '../version.js';

/** A rule's documentation page (docs/rules/<id>.md, shipped in the package), in the forms reports need. */
export interface RuleDoc {
  /** The page as Markdown: front matter and HTML comments removed, relative links made absolute. */
  markdown: string;
  /** The same page as plain text, for a terminal (`tenant-lint explain`) and SARIF `help.text`. */
  text: string;
  /** The page's first paragraph as plain text (SARIF `fullDescription`). */
  summary: string;
}

const cache = new Map<string, RuleDoc | null>();

/**
 * The docs page of a rule, read once per process from the package's own `docs/rules` folder
 * (it ships in `files`). Undefined when the page cannot be read: reports then fall back to the
 * rule's one-line description and its docs URL.
 */
export function ruleDoc(ruleId: RuleId, docsDir = join(PACKAGE_ROOT, 'docs', 'rules')): RuleDoc | undefined {
  const key = `${docsDir}\u0000${ruleId}`;
  if (!cache.has(key)) {
    let page: string | undefined;
    try {
      page = readFileSync(join(docsDir, `${ruleId}.md`), 'utf8');
    } catch {
      page = undefined;
    }
    cache.set(key, page === undefined ? null : renderRuleDoc(page, docsUrl(ruleId)));
  }
  return cache.get(key) ?? undefined;
}

/** Turns the Markdown of a rule page into the report forms; `pageUrl` is where relative links resolve. */
export function renderRuleDoc(page: string, pageUrl: string): RuleDoc {
  const markdown = cleanMarkdown(page, pageUrl);
  const text = markdownToText(markdown);
  const firstParagraph = markdown.split(/\n\s*\n/).find((block) => block.trim() !== '' && !/^\s*(#|```|[-*] |\|)/.test(block)) ?? '';
  return { markdown, text, summary: inlineToText(firstParagraph.replace(/\s*\n\s*/g, ' ').trim()) };
}

/** What `tenant-lint explain <id>` prints: a title, the page as text, and the link to the page. */
export function explainText(ruleId: RuleId): string {
  const title = `tenant-lint/${ruleId}: ${RULE_META[ruleId].description}`;
  const doc = ruleDoc(ruleId);
  const body = doc ? doc.text : `(the documentation page is not installed with this copy of tenant-lint)`;
  return `${title}\n${'='.repeat(title.length)}\n\n${body.trimEnd()}\n\ndocs: ${docsUrl(ruleId)}\n`;
}

function cleanMarkdown(page: string, pageUrl: string): string {
  let body = page.replace(/\r\n?/g, '\n');
  // YAML front matter (`description:`) is for the docs tests; the description is shown elsewhere.
  body = body.replace(/^---\n[\s\S]*?\n---\n/, '');
  body = body.replace(/<!--[\s\S]*?-->\n?/g, '');
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of body.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})(.*)$/.exec(line);
    if (marker && (fence === undefined || marker[1].startsWith(fence))) {
      if (fence === undefined) {
        fence = marker[1];
        // `prisma schema` marks the page's shared schema for the docs tests; renderers know `prisma`.
        lines.push(line.replace(/^(\s*[`~]{3,})prisma schema\s*$/, '$1prisma'));
      } else {
        fence = undefined;
        lines.push(line);
      }
      continue;
    }
    lines.push(fence === undefined ? absoluteLinks(line, pageUrl) : line);
  }
  return `${lines.join('\n').trim()}\n`;
}

/** `[text](../configuration.md#x)` -> `[text](https://.../docs/configuration.md#x)`: relative links do not resolve in code scanning. */
function absoluteLinks(line: string, pageUrl: string): string {
  return line.replace(/\]\(([^)\s]+)\)/g, (whole, href: string) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return whole;
    try {
      return `](${new URL(href, pageUrl).href})`;
    } catch {
      return whole;
    }
  });
}

function markdownToText(markdown: string): string {
  const out: string[] = [];
  let inFence = false;
  let fence = '';
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line);
    if (marker && (!inFence || marker[1].startsWith(fence))) {
      inFence = !inFence;
      fence = inFence ? marker[1] : '';
      continue;
    }
    if (inFence) {
      out.push(line === '' ? '' : `    ${line}`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const title = inlineToText(heading[2]);
      out.push(title, (heading[1].length <= 2 ? '-' : '~').repeat(Math.max(3, [...title].length)));
      continue;
    }
    out.push(inlineToText(line));
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

/** Inline Markdown as text: links become `text (url)`, emphasis marks go, code spans keep their backticks. */
function inlineToText(line: string): string {
  return line
    .replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, (_whole, label: string, href: string) => (label === href || label === `\`${href}\`` ? href : `${label} (${href})`))
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|[\s(])\*([^*\s][^*]*)\*(?=[\s).,;:]|$)/g, '$1$2');
}
