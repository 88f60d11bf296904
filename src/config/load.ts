import { existsSync, lstatSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { configSchema, type TenantLintConfig } from './schema.js';
import { readBoundary, readTextFileSafe } from '../scan/safe-read.js';

/** Where configuration is looked for, nearest directory first, in this order. Data only. */
export const CONFIG_LOCATIONS = ['tenant-lint.config.json', '.tenant-lintrc.json', 'package.json#tenantLint'] as const;

export const CONFIG_DOCS = 'https://github.com/tenant-lint/tenant-lint/blob/main/docs/configuration.md';

/** A user's configuration mistake: exit code 2, one line, no stack trace. */
export class ConfigurationError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason} (see ${CONFIG_DOCS})`);
    this.name = 'ConfigurationError';
  }
}

export interface LoadedConfig {
  config: TenantLintConfig;
  /** Absolute path of the file it came from, or undefined for zero-config. */
  file?: string;
  /** Directory that relative paths in the config are resolved against. */
  dir?: string;
  /** Config locations looked at before the one found (absent, or a package.json without the key): the editor cache watches them. */
  probed?: string[];
  /** Config files above the repository root, which the lookup did not read (absolute paths, nearest first). */
  ignoredAbove?: string[];
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const where = path ? ` in "${path}"` : '';
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${where}`;
  }
  return `"${path || '(root)'}": ${issue.message}`;
}

/** Validates a parsed config object; throws ConfigurationError naming the key and the file. */
export function validateConfig(value: unknown, file: string): TenantLintConfig {
  const parsed = configSchema().safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ConfigurationError(file, `invalid configuration: ${parsed.error.issues.map(formatIssue).join('; ')}`);
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readTextFileSafe(file, { maxBytes: 1_000_000 });
  } catch (error) {
    throw new ConfigurationError(file, `cannot read: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(file, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Reads the config in one directory, if it has one. */
export function readConfigIn(dir: string): LoadedConfig | undefined {
  for (const location of CONFIG_LOCATIONS) {
    const [name, key] = location.split('#');
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    const data = readJson(file);
    if (key) {
      if (typeof data !== 'object' || data === null || !(key in data)) continue;
      return { config: validateConfig(Reflect.get(data, key), `${file}#${key}`), file, dir };
    }
    return { config: validateConfig(data, file), file, dir };
  }
  return undefined;
}

/**
 * `--config FILE`: one file named on the command line, used instead of the discovered ones.
 * A `package.json` contributes its `tenantLint` key. Relative paths in it (schema, migrations,
 * ignore) are resolved against `baseDir`, the scanned directory, since the file may live outside
 * the repository (an auditor's). Data only, never executed.
 */
export function loadConfigFile(file: string, baseDir: string): LoadedConfig {
  const data = readJson(file);
  if (basename(file) === 'package.json') {
    if (typeof data !== 'object' || data === null || !('tenantLint' in data)) {
      throw new ConfigurationError(file, 'has no "tenantLint" key');
    }
    return { config: validateConfig(Reflect.get(data, 'tenantLint'), `${file}#tenantLint`), file, dir: baseDir };
  }
  return { config: validateConfig(data, file), file, dir: baseDir };
}

/** Zero configuration: what a scan uses when no config file is read (`--no-config-lookup` without `--config`). */
export function defaultConfig(): LoadedConfig {
  return { config: {} };
}

/**
 * Walks up from `start` and returns the nearest config, looking no higher than the repository root:
 * the folder holding `.git`, or `stopAt` (the scan's boundary: the scanned folder outside git; by
 * default the read boundary a scan sets). A config above the repository (`/tmp/tenant-lint.config.json`
 * when `/tmp/repo` is scanned) is not part of what is reviewed or audited, and would make a
 * laptop and CI disagree: it is never read, only named in `ignoredAbove` for a diagnostic.
 * A `start` outside `stopAt` (a workspace above a scanned subfolder) reads none.
 */
export function findConfig(start: string, stopAt: string | undefined = readBoundary()): LoadedConfig {
  let dir = resolve(start);
  const probed: string[] = [];
  const top = stopAt === undefined ? undefined : resolve(stopAt);
  if (top !== undefined && !inside(top, dir)) return { config: {}, probed, ignoredAbove: configsAbove(dir) };
  for (;;) {
    const found = readConfigIn(dir);
    if (found) return { ...found, probed };
    for (const location of CONFIG_LOCATIONS) probed.push(join(dir, location.split('#')[0]));
    const parent = dirname(dir);
    if (parent === dir) return { config: {}, probed };
    if (dir === top || existsSync(join(dir, '.git'))) return { config: {}, probed, ignoredAbove: configsAbove(parent) };
    dir = parent;
  }
}

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Config files at or above `dir`, by name only (never opened: one may be a FIFO or a link to a
 * device), nearest first. `package.json#tenantLint` would need a read, so only the two config files
 * are named.
 */
function configsAbove(dir: string): string[] {
  const found: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    for (const name of ['tenant-lint.config.json', '.tenant-lintrc.json']) {
      if (lexists(join(current, name))) found.push(join(current, name));
    }
    if (dirname(current) === current) return found;
  }
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
