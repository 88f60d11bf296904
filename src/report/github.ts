import { compareFindings, type Finding, type Severity } from '../core/finding.js';
import type { Diagnostic } from '../core/result.js';
import { docsUrl } from '../core/rule-meta.js';
import { compareLocated } from './json.js';
import type { Reporter } from './types.js';

/**
 * GitHub Actions workflow commands, one per finding:
 * `::error file=src/a.ts,line=4,endLine=4,col=10,endColumn=35,title=tenant-lint/require-tenant-filter::message`.
 * Paths must be relative to the repository root (the CLI rebases them). GitHub shows at most 10
 * error and 10 warning annotations per step: the markdown summary lists the rest.
 */
export const renderGithub: Reporter = (result, options) => {
  const lines = [...result.findings].sort(compareFindings).map(findingCommand);
  for (const diagnostic of [...result.diagnostics].sort(compareLocated)) lines.push(diagnosticCommand(diagnostic));
  const known = options.baseline ? `, ${options.baseline.known.length} accepted by the baseline` : '';
  lines.push(`tenant-lint: ${result.findings.length} finding${result.findings.length === 1 ? '' : 's'}${known}`);
  return `${lines.join('\n')}\n`;
};

function findingCommand(finding: Finding): string {
  return command(
    level(finding.severity),
    {
      file: finding.file,
      line: finding.line,
      endLine: finding.endLine,
      col: finding.column,
      // An annotation spans columns only on one line; GitHub rejects endColumn across lines.
      ...(finding.endLine === finding.line ? { endColumn: finding.endColumn } : {}),
      title: `tenant-lint/${finding.ruleId}`,
    },
    `${finding.message}\nWhy: ${finding.evidence}\nFix: ${finding.help}\nDocs: ${docsUrl(finding.ruleId)}`,
  );
}

function diagnosticCommand(diagnostic: Diagnostic): string {
  const properties: Record<string, string | number> = { title: `tenant-lint: ${diagnostic.code}` };
  if (diagnostic.file !== '') properties.file = diagnostic.file;
  if (diagnostic.line !== undefined) properties.line = diagnostic.line;
  if (diagnostic.column !== undefined) properties.col = diagnostic.column;
  return command(diagnostic.code === 'internal' ? 'error' : 'warning', properties, diagnostic.message);
}

function level(severity: Severity): 'error' | 'warning' | 'notice' {
  return severity === 'info' ? 'notice' : severity;
}

/** One workflow command; property values and the message escaped as @actions/core does. */
export function command(name: string, properties: Record<string, string | number>, message: string): string {
  const props = Object.entries(properties)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${name}${props === '' ? '' : ` ${props}`}::${escapeData(message)}`;
}

/** `%`, CR and LF in a command's message (the `%` first, so that escapes are not escaped again). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value also escapes `:` and `,`, which would end the value. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
