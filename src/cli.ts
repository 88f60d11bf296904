import { statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { BaselineError, DEFAULT_BASELINE_FILE } from './baseline/baseline.js';
import { collect, parseCount, runScan, type ScanCliOptions, type StdinInput } from './cli-scan.js';
import { ConfigurationError } from './config/load.js';
import { isRuleId, RULE_IDS } from './core/rule-meta.js';
import { runInit } from './init.js';
import { FORMATS, isFormat, reporters } from './report/index.js';
import { progressDisplay, progressEnabled } from './report/progress.js';
import { explainText } from './report/rule-docs.js';
import { SOURCE_EXTENSIONS } from './scan/discover.js';
import { terminalSafe } from './report/terminal-safe.js';
import { DEFAULT_MAX_READ_BYTES, readTextFileSafe } from './scan/safe-read.js';
import { checkWriteTarget, writeFileSafe } from './scan/safe-write.js';
import { UsageError } from './scan/scan.js';
import { VERSION } from './version.js';

/** Exit codes are a contract with CI: 0 clean, 1 findings fail the run, 2 usage/config/internal error. */
export const EXIT = { ok: 0, findings: 1, error: 2 } as const;

const HELP_AFTER = `
Exit codes:
  0  no finding at or above the failing severity
  1  findings fail the run (see --fail-on, --max-warnings)
  2  usage error, unreadable path, invalid config or baseline, internal error,
     or an incomplete scan (no schema or tenant root; a source file not read)

Examples:
  tenant-lint init                      infer the schema's tenancy, write tenant-lint.config.json
  tenant-lint scan                      scan the current directory
  tenant-lint scan apps/api --format sarif --output tenant-lint.sarif
  tenant-lint scan --write-baseline     accept today's findings (tenant-lint-baseline.json)
  tenant-lint scan --baseline tenant-lint-baseline.json --format github
  tenant-lint explain require-tenant-filter

Configuration (data only, never executed): tenant-lint.config.json, .tenant-lintrc.json
or package.json#tenantLint, found by walking up from the scanned path.`;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stdout is a terminal (colours). */
  isTTY: boolean;
  /** stderr is a terminal (the progress display); false when absent. */
  stderrIsTTY?: boolean;
  /** All of standard input, for `scan --stdin`. */
  readStdin?: () => Promise<string>;
  /** Environment (`CI`, `NO_COLOR`, GitHub's variables); process.env when absent. */
  env?: NodeJS.ProcessEnv;
}

const defaultIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  readStdin: readAll,
};

/**
 * `tenant-lint scan . | head`: once the reader has gone, the rest of the report (and any progress
 * line) is dropped without a stack trace, and the exit code stays the scan's. Other write errors
 * still surface.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WritableStream & { destroy: () => void }): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
      stream.destroy();
      return;
    }
    throw error;
  });
}

async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

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
    .argument('[paths...]', 'one directory, or files (what pre-commit and lint-staged pass); default: the current directory')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMATS]).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'lowest severity that fails the run (none: findings never fail it)').choices(['error', 'warning', 'none']))
    .option('--no-color', 'disable colours in text output')
    .option('--types', "use the project's tsconfig for type information (slower): reports tenant values whose type allows undefined")
    .addOption(new Option('--max-warnings <n>', 'fail the run when more than n warnings are reported').argParser(parseCount))
    .option('-q, --quiet', 'report errors only (warnings still count for --max-warnings)')
    .option('--rule <id>', 'report only this rule (repeatable)', collect, [])
    .option('-c, --config <file>', 'use this config file instead of the ones found next to the code')
    .option('--no-config-lookup', "auditor mode: never read the repository's config files (only --config, else the defaults)")
    .option('--baseline <file>', 'report only findings that this baseline file does not accept')
    .addOption(new Option('--write-baseline [file]', `accept every current finding: write them to a baseline file (default ${DEFAULT_BASELINE_FILE})`).conflicts('pruneBaseline'))
    .option('--prune-baseline', `drop fixed entries from the baseline (--baseline, or ${DEFAULT_BASELINE_FILE})`)
    .option('--category <id>', 'SARIF automationDetails.id, the code scanning category (default: tenant-lint/<scanned folder>/)')
    .addOption(new Option('--stdin', 'analyse standard input as the file named by --stdin-filename (for editors and tools)').conflicts(['writeBaseline', 'pruneBaseline', 'changedSince']))
    .option('--stdin-filename <path>', 'with --stdin: the path the text is analysed as; its project and schema are found from it')
    .option('--cache', 'reuse the analysis of files that did not change, nor did anything they depend on (the report is the same as without it)')
    .option('--cache-location <dir>', 'with --cache: the folder of the cache (default: node_modules/.cache/tenant-lint in the scanned folder)')
    .option('--changed-since <ref>', 'report only findings in files changed since this git ref (committed since the merge base, staged, unstaged, untracked); the whole tree is still analysed')
    .action(async (paths: string[], opts: ScanCliOptions) => {
      const format = isFormat(opts.format) ? opts.format : 'text';
      const cannotWrite = (error: unknown) => new UsageError(`cannot write --output ${terminalSafe(opts.output ?? '')}: ${error instanceof Error ? error.message : String(error)}`);
      // Before the scan: a planted link or a bad name fails at once, not after the analysis.
      if (opts.output) {
        try {
          checkWriteTarget(opts.output);
        } catch (error) {
          throw cannotWrite(error);
        }
      }
      const env = io.env ?? process.env;
      const input = await stdinInput(paths, opts, io);
      const progress = progressEnabled({ stderrIsTTY: io.stderrIsTTY === true, env, quiet: opts.quiet === true }) ? progressDisplay(io.stderr) : undefined;
      let run: Awaited<ReturnType<typeof runScan>>;
      try {
        run = await runScan(paths, opts, format, process.cwd(), { ...(input ? { stdin: input } : {}), ...(progress ? { onProgress: progress.update } : {}), env });
      } finally {
        progress?.done();
      }
      const result = run.result;
      const sources = new Map<string, string>();
      // The text given on stdin, not the file on disk (which may differ, or not exist), frames its findings.
      if (input) sources.set(toPosixPath(relative(result.root, input.file)), input.text);
      for (const finding of result.findings) {
        if (sources.has(finding.file)) continue;
        try {
          // The file was read by the scan; read it again only as a plain file of bounded size.
          sources.set(finding.file, readTextFileSafe(join(result.root, finding.file), { maxBytes: DEFAULT_MAX_READ_BYTES }));
        } catch {
          // The frame is left out; the finding itself is still reported.
        }
      }
      const color = opts.color && !opts.output && io.isTTY && !env.NO_COLOR;
      const fileExists = (file: string) => {
        try {
          return statSync(join(result.root, file)).isFile();
        } catch {
          return false;
        }
      };
      const report = reporters[format](result, { ...run.options, color, sources, fileExists });
      if (opts.output) {
        try {
          writeFileSafe(opts.output, report);
        } catch (error) {
          throw cannotWrite(error);
        }
        io.stderr(`tenant-lint: wrote ${format} report to ${opts.output} (${result.findings.length} finding${result.findings.length === 1 ? '' : 's'})\n`);
      } else {
        io.stdout(report);
      }
      for (const note of run.notes) io.stderr(`tenant-lint: ${note}\n`);
      exitCode = run.exitCode;
    });

  program
    .command('init')
    .description('infer the ORMs, schema sources, tenant hierarchy and global tables, print them, and write tenant-lint.config.json')
    .argument('[dir]', 'the project directory (where the config is written); default: the current directory', '.')
    .option('--force', 'write tenant-lint.config.json even when the directory already has a config')
    .option('--dry-run', 'print what would be written, write nothing')
    .action((dir: string, opts: { force?: boolean; dryRun?: boolean }) => {
      const run = runInit(dir, { force: opts.force === true, dryRun: opts.dryRun === true });
      io.stdout(run.text);
    });

  program
    .command('explain')
    .description("print a rule's documentation")
    .argument('<rule-id>', `one of: ${RULE_IDS.join(', ')}`)
    .action((ruleId: string) => {
      const id = ruleId.replace(/^tenant-lint\//, '');
      if (!isRuleId(id)) throw new UsageError(`unknown rule "${ruleId}"; known rules: ${RULE_IDS.join(', ')}`);
      io.stdout(explainText(id));
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    if (error instanceof UsageError || error instanceof ConfigurationError || error instanceof BaselineError) {
      io.stderr(`tenant-lint: ${error.message}\n`);
      return EXIT.error;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`tenant-lint: internal error: ${message}\nPlease report it with the command you ran.\n`);
    return EXIT.error;
  }
  return exitCode;
}

/** `--stdin --stdin-filename PATH`: the text to analyse and the absolute path it is analysed as. */
async function stdinInput(paths: readonly string[], opts: ScanCliOptions, io: Io): Promise<StdinInput | undefined> {
  if (!opts.stdin) {
    if (opts.stdinFilename !== undefined) throw new UsageError('--stdin-filename is only used with --stdin');
    return undefined;
  }
  if (opts.stdinFilename === undefined) throw new UsageError('--stdin needs --stdin-filename <path>: the path decides the project and the schema the text is checked against');
  if (paths.length > 0) throw new UsageError('--stdin analyses standard input: pass no paths (name the file with --stdin-filename)');
  const file = resolve(opts.stdinFilename);
  if (!SCANNABLE_FILE.test(file)) throw new UsageError(`--stdin-filename ${opts.stdinFilename}: tenant-lint analyses ${SCANNABLE_EXTENSIONS.map((ext) => `.${ext}`).join(', ')} files`);
  let folder: boolean;
  try {
    folder = statSync(dirname(file)).isDirectory();
  } catch {
    folder = false;
  }
  if (!folder) throw new UsageError(`--stdin-filename ${opts.stdinFilename}: its folder does not exist`);
  if (!io.readStdin) throw new UsageError('--stdin: standard input cannot be read here');
  return { file, text: await io.readStdin() };
}

const SCANNABLE_EXTENSIONS = [...SOURCE_EXTENSIONS, 'sql'];
const SCANNABLE_FILE = new RegExp(`\\.(?:${SCANNABLE_EXTENSIONS.join('|')})$`);

function toPosixPath(path: string): string {
  return path.split(sep).join('/');
}
