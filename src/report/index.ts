import { renderGithub } from './github.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';
import type { Reporter } from './types.js';

export type { BaselineReport, ReportOptions, Reporter } from './types.js';
export type { JsonReport } from './json.js';

export const reporters = {
  text: renderText,
  json: renderJson,
  sarif: renderSarif,
  github: renderGithub,
  markdown: renderMarkdown,
  html: renderHtml,
} satisfies Record<string, Reporter>;

export type Format = keyof typeof reporters;

export function isFormat(name: string): name is Format {
  return Object.hasOwn(reporters, name);
}

export const FORMATS: readonly Format[] = Object.keys(reporters).filter(isFormat);
