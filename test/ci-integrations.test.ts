import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, useScratch } from './helpers/scratch.js';
import { sarifSchemaErrors } from './report/sarif-schema.js';

const REPO = join(import.meta.dirname, '..');
const BIN = join(REPO, 'bin', 'tenant-lint.js');

interface ActionStep {
  name?: string;
  id?: string;
  if?: string;
  shell?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

interface Hook {
  id: string;
  name: string;
  entry: string;
  language: string;
  args?: string[];
  types_or?: string[];
  require_serial?: boolean;
}

const action = parse(readFileSync(join(REPO, 'action.yml'), 'utf8')) as Action;
const hooks = parse(readFileSync(join(REPO, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];

/** Long flags `tenant-lint scan --help` lists. */
async function scanFlags(): Promise<Set<string>> {
  const help = await runCli(['scan', '--help']);
  expect(help.code).toBe(0);
  return new Set(help.stdout.match(/--[a-z][a-z-]+/g) ?? []);
}

/** The tenant-lint flags a step passes: its scripts build them in `args=(...)` and `args+=(...)`. */
function flagsOfScript(script: string): string[] {
  return [...script.matchAll(/\bargs\+?=\(([^)]*)\)/g)].flatMap((match) => match[1].match(/--[a-z][a-z-]+/g) ?? []);
}

const EXPRESSION = /\$\{\{\s*([^}]*?)\s*\}\}/g;

describe('action.yml', () => {
  it('is a composite action with the inputs path, fail-on and baseline', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['path', 'fail-on', 'baseline']));
    expect(action.inputs['fail-on'].default).toBe('error');
    for (const [name, input] of Object.entries(action.inputs)) expect(input.description, name).not.toBe('');
  });

  it('passes only flags that `tenant-lint scan --help` lists', async () => {
    const known = await scanFlags();
    const used = action.runs.steps.flatMap((step) => (step.run && step.id !== 'install' ? flagsOfScript(step.run) : []));
    expect(new Set(used)).toEqual(new Set(['--format', '--output', '--fail-on', '--baseline', '--category']));
    expect(used.filter((flag) => !known.has(flag))).toEqual([]);
  });

  it('writes SARIF, the step summary and annotations, and uploads the SARIF with a category', () => {
    const formats = action.runs.steps.flatMap((step) => [...(step.run ?? '').matchAll(/--format (\w+)/g)].map((match) => match[1]));
    expect(formats).toEqual(['sarif', 'markdown', 'github']);
    expect(action.runs.steps.some((step) => step.run?.includes('>> "$GITHUB_STEP_SUMMARY"'))).toBe(true);
    const upload = action.runs.steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(upload?.with).toEqual({ sarif_file: '${{ steps.sarif.outputs.sarif-file }}', category: '${{ inputs.category }}' });
    // The gate comes last, so that the reports exist whatever it decides.
    expect(action.runs.steps.at(-1)?.run).toContain('--fail-on "$FAIL_ON"');
  });

  it('never pastes an expression into a script (script injection), and names only inputs and steps that exist', () => {
    const ids = new Set<string>();
    for (const step of action.runs.steps) {
      if (step.run !== undefined) {
        expect(step.shell, step.name).toBe('bash');
        expect(step.run, step.name).not.toMatch(/\$\{\{/);
      }
      const expressions = [...Object.values(step.env ?? {}), ...Object.values(step.with ?? {}), step.if ?? ''].flatMap((value) => [...value.matchAll(EXPRESSION)].map((match) => match[1]));
      for (const expression of expressions) {
        for (const [, input] of expression.matchAll(/\binputs\.([\w-]+)/g)) expect(Object.keys(action.inputs), expression).toContain(input);
        for (const [, id] of expression.matchAll(/\bsteps\.([\w-]+)\./g)) expect([...ids], expression).toContain(id);
      }
      if (step.id) ids.add(step.id);
    }
  });

  const { makeProject, tempDir } = useScratch();

  /**
   * The action's scripts, run by bash as the runner would (the install step replaced by the
   * built CLI): each expression in `env` is evaluated from the inputs and the step outputs.
   */
  function runAction(cwd: string, inputs: Record<string, string>): { codes: number[]; outputs: Record<string, Record<string, string>>; summary: string; stdout: string[]; temp: string } {
    const temp = tempDir();
    const summaryFile = join(temp, 'summary.md');
    writeFileSync(summaryFile, '');
    const values: Record<string, string> = Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [name, inputs[name] ?? input.default ?? '']));
    const outputs: Record<string, Record<string, string>> = { install: { bin: BIN } };
    const evaluate = (value: string) =>
      value.replace(EXPRESSION, (_, expression: string) => {
        const input = /^inputs\.([\w-]+)$/.exec(expression);
        if (input) return values[input[1]];
        const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression);
        if (output) return outputs[output[1]]?.[output[2]] ?? '';
        throw new Error(`expression not evaluated by this test: ${expression}`);
      });
    const codes: number[] = [];
    const stdout: string[] = [];
    for (const step of action.runs.steps) {
      if (step.run === undefined || step.id === 'install') continue;
      const outputFile = join(temp, `output-${codes.length}`);
      writeFileSync(outputFile, '');
      const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([name, value]) => [name, evaluate(value)]));
      const child = spawnSync('bash', ['-e', '-c', step.run], {
        cwd,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, CI: 'true', RUNNER_TEMP: temp, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, ...env },
      });
      codes.push(child.status ?? -1);
      stdout.push(child.stdout);
      if (step.id) outputs[step.id] = Object.fromEntries(readFileSync(outputFile, 'utf8').split('\n').filter(Boolean).map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
    }
    return { codes, outputs, summary: readFileSync(summaryFile, 'utf8'), stdout, temp };
  }

  const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Organization {
  id       String    @id
  invoices Invoice[]
}

model Invoice {
  id    String @id
  orgId String
  org   Organization @relation(fields: [orgId], references: [id])

  @@index([orgId, id])
}
`;
  const LEAK = `import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
export function getInvoice(id: string) {
  return prisma.invoice.findFirst({ where: { id } });
}
`;

  it('its scripts run: SARIF for the upload, the summary, annotations, and the fail-on exit code', () => {
    const dir = realpathSync(makeProject({ 'package.json': '{ "name": "app", "main": "index.js" }', 'prisma/schema.prisma': SCHEMA, 'src/invoices.ts': LEAK }));
    const run = runAction(dir, { category: 'tenant-lint/app' });
    expect(run.codes).toEqual([0, 0, 1]);
    const sarifFile = run.outputs.sarif['sarif-file'];
    expect(sarifFile).toBe(join(run.temp, 'tenant-lint.sarif'));
    const log = JSON.parse(readFileSync(sarifFile, 'utf8')) as Sarif.Log;
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0].automationDetails).toEqual({ id: 'tenant-lint/app/' });
    expect(log.runs[0].results?.map((result) => result.ruleId)).toEqual(['require-tenant-filter']);
    expect(run.summary).toMatch(/^## tenant-lint/m);
    expect(run.summary).toContain('require-tenant-filter');
    expect(run.stdout[2]).toMatch(/^::(error|warning) file=src\/invoices\.ts,line=4,/m);

    const passing = runAction(dir, { 'fail-on': 'none' });
    expect(passing.codes).toEqual([0, 0, 0]);
  });

  it('with a baseline that accepts every finding, the gate passes and the SARIF marks them suppressed', () => {
    const dir = realpathSync(makeProject({ 'package.json': '{ "name": "app", "main": "index.js" }', 'prisma/schema.prisma': SCHEMA, 'src/invoices.ts': LEAK }));
    const written = spawnSync(process.execPath, [BIN, 'scan', '--write-baseline'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(written.status).toBe(0);
    expect(existsSync(join(dir, 'tenant-lint-baseline.json'))).toBe(true);
    const run = runAction(dir, { baseline: 'tenant-lint-baseline.json', 'fail-on': 'warning' });
    expect(run.codes).toEqual([0, 0, 0]);
    const log = JSON.parse(readFileSync(run.outputs.sarif['sarif-file'], 'utf8')) as Sarif.Log;
    expect(log.runs[0].results?.map((result) => result.suppressions?.map((s) => s.kind))).toEqual([['external']]);
  });
});

describe('.pre-commit-hooks.yaml', () => {
  it('runs the package binary on the staged files, serially, with flags `scan --help` lists', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(hooks.map((hook) => hook.id)).toEqual(['tenant-lint']);
    const [hook] = hooks;
    expect(hook.language).toBe('node');
    const [bin, command, ...rest] = hook.entry.split(/\s+/);
    expect(Object.keys(pkg.bin)).toContain(bin);
    expect(command).toBe('scan');
    const known = await scanFlags();
    const flags = [...rest, ...(hook.args ?? [])].filter((word) => word.startsWith('--')).map((word) => word.split('=')[0]);
    expect(flags.filter((flag) => !known.has(flag))).toEqual([]);
    expect(hook.require_serial).toBe(true);
    expect(hook.types_or).toEqual(expect.arrayContaining(['ts', 'tsx', 'javascript', 'sql']));
  });

  it('every recipe in docs/ci.md that runs tenant-lint passes flags `scan --help` lists', async () => {
    const known = await scanFlags();
    const doc = readFileSync(join(REPO, 'docs', 'ci.md'), 'utf8') + readFileSync(join(REPO, 'README.md'), 'utf8');
    const commands = [...doc.matchAll(/tenant-lint scan[^\n`"]*/g)].map((match) => match[0]);
    expect(commands.length).toBeGreaterThan(10);
    const unknown = commands.flatMap((command) => (command.match(/(?<=\s)--[a-z][a-z-]+/g) ?? []).filter((flag) => !known.has(flag)));
    expect(unknown).toEqual([]);
  });

  it('every YAML recipe in README.md and docs/ci.md parses', () => {
    for (const file of ['README.md', join('docs', 'ci.md')]) {
      const blocks = [...readFileSync(join(REPO, file), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]);
      expect(blocks.length, file).toBeGreaterThan(1);
      for (const block of blocks) expect(() => parse(block), `${file}:\n${block}`).not.toThrow();
    }
  });
});
