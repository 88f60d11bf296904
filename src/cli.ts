import { readFileSync } from 'node:fs';
import { writeFileSafe } from './scan/safe-write.js';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ConfigurationError } from './config/load.js';
import { isRuleId, RULE_IDS } from './core/rule-meta.js';
import { FORMATS, isFormat, reporters } from './report/index.js';
import { scan, UsageError } from './scan/scan.js';
import { PACKAGE_ROOT, VERSION } from './version.js';

/** Exit codes are a contract with CI: 0 clean, 1 findings fail the run, 2 usage/config/internal error. */
export const EXIT = { ok: 0, findings: 1, error: 2 } as const;

const HELP_AFTER = `
Exit codes:
  0  no finding at or above the failing severity
  1  findings fail the run (see --fail-on)
  2  usage error, unreadable path, invalid config, or internal error

Examples:
  tenant-lint scan                      scan the current directory
  tenant-lint scan apps/api --format sarif --output tenant-lint.sarif
  tenant-lint explain require-tenant-filter

Configuration (data only, never executed): tenant-lint.config.json, .tenant-lintrc.json
or package.json#tenantLint, found by walking up from the scanned path.`;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
}

const defaultIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
};

/** Runs the CLI and returns the exit code; the only place that writes to stdout. */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('tenant-lint')
    .description('Find multi-tenant data isolation mistakes: queries without a tenant filter, and more.')
    .version(VERSION, '-v, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .addHelpText('after', HELP_AFTER)
    .showHelpAfterError('(run tenant-lint --help for usage)');

  program
    .command('scan')
    .description('scan a directory and report findings')
    .argument('[path]', 'directory or file to scan', '.')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMATS]).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'lowest severity that fails the run').choices(['error', 'warning']))
    .option('--no-color', 'disable colours in text output')
    .option('--types', "use the project's tsconfig for type information (slower): reports tenant values whose type allows undefined")
    .action(async (path: string, opts: { format: string; output?: string; failOn?: 'error' | 'warning'; color: boolean; types?: boolean }) => {
      const format = isFormat(opts.format) ? opts.format : 'text';
      const result = await scan({ path, failOn: opts.failOn, types: opts.types === true });
      const sources = new Map<string, string>();
      for (const finding of result.findings) {
        if (sources.has(finding.file)) continue;
        try {
          sources.set(finding.file, readFileSync(join(result.root, finding.file), 'utf8'));
        } catch {
          // The frame is left out; the finding itself is still reported.
        }
      }
      const color = opts.color && !opts.output && io.isTTY && !process.env.NO_COLOR;
      const report = reporters[format](result, { color, sources });
      if (opts.output) {
        try {
          writeFileSafe(opts.output, report);
        } catch (error) {
          throw new UsageError(`cannot write --output ${opts.output}: ${error instanceof Error ? error.message : String(error)}`);
        }
        io.stderr(`tenant-lint: wrote ${format} report to ${opts.output} (${result.findings.length} finding${result.findings.length === 1 ? '' : 's'})\n`);
      } else {
        io.stdout(report);
      }
      const failing = result.findings.filter((f) => f.severity === 'error' || (result.failOn === 'warning' && f.severity === 'warning'));
      const internal = result.diagnostics.some((d) => d.code === 'internal');
      exitCode = internal ? EXIT.error : failing.length > 0 ? EXIT.findings : EXIT.ok;
    });

  program
    .command('explain')
    .description("print a rule's documentation")
    .argument('<rule-id>', `one of: ${RULE_IDS.join(', ')}`)
    .action((ruleId: string) => {
      const id = ruleId.replace(/^tenant-lint\//, '');
      if (!isRuleId(id)) throw new UsageError(`unknown rule "${ruleId}"; known rules: ${RULE_IDS.join(', ')}`);
      io.stdout(readFileSync(join(PACKAGE_ROOT, 'docs', 'rules', `${id}.md`), 'utf8'));
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    if (error instanceof UsageError || error instanceof ConfigurationError) {
      io.stderr(`tenant-lint: ${error.message}\n`);
      return EXIT.error;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`tenant-lint: internal error: ${message}\nPlease report it with the command you ran.\n`);
    return EXIT.error;
  }
  return exitCode;
}
