/**
 * Which TypeScript builds the scanner's `--types` program: the scanned project's own, resolved from
 * the project root as `tsc` would be, so that its types are the ones the project compiles with
 * (TypeScript 6 changed defaults and type flag numbers). Only the `typescript` package is loaded;
 * nothing else of the project runs. When the project has none, or one we cannot use, tenant-lint's
 * own TypeScript builds the program and the scan says so in a diagnostic.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TS from 'typescript';
import { readTextFileSafe } from '../scan/safe-read.js';

/** The versions of the `typescript` peer dependency (package.json), as a test on `major.minor`. */
export const SUPPORTED_TYPESCRIPT = '>=5.0.0 <6.1.0';
const supported = (version: string) => /^(5\.\d+|6\.0)\.\d+/.test(version);

export interface Compiler {
  ts: typeof TS;
  /** Where `ts` came from: the scanned project, or tenant-lint's own dependency. */
  from: 'project' | 'tenant-lint';
  /** Why the project's TypeScript was not used, for a diagnostic; absent when it was. */
  note?: string;
}

const loaded = new Map<string, Compiler>();

/** The TypeScript for a program of the project at `root`; `own` is the one the parser converts with. */
export function compilerFor(root: string, own: typeof TS): Compiler {
  let compiler = loaded.get(root);
  if (!compiler) loaded.set(root, (compiler = findCompiler(root, own)));
  return compiler;
}

function findCompiler(root: string, own: typeof TS): Compiler {
  const fallback = (why: string): Compiler => ({ ts: own, from: 'tenant-lint', note: `--types: ${why}; types were read with tenant-lint's TypeScript ${own.version}` });
  const projectRequire = createRequire(join(root, 'package.json'));
  let entry: string;
  try {
    entry = projectRequire.resolve('typescript');
  } catch {
    return fallback('the project has no `typescript` installed');
  }
  const version = packageVersion(entry);
  if (version === undefined) return fallback(`\`typescript\` resolves to ${entry}, which is not in a package named typescript`);
  if (!supported(version)) return fallback(`the project's TypeScript ${version} is outside the supported range ${SUPPORTED_TYPESCRIPT}`);
  let theirs: unknown;
  try {
    theirs = projectRequire('typescript');
  } catch (error) {
    return fallback(`the project's TypeScript ${version} failed to load (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
  if (theirs === own) return { ts: own, from: 'project' };
  if (!isCompiler(theirs) || theirs.version !== version) return fallback(`the project's \`typescript\` ${version} is not a TypeScript compiler API`);
  // typescript-estree converts the program's syntax trees with its own SyntaxKind numbers.
  if (!sameSyntaxKinds(theirs, own)) return fallback(`the project's TypeScript ${version} numbers syntax kinds differently from the parser's TypeScript ${own.version}`);
  return { ts: theirs, from: 'project' };
}

/** The version in the package.json of the `typescript` package that holds `entry`. */
function packageVersion(entry: string): string | undefined {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    let text: string;
    try {
      text = readTextFileSafe(join(dir, 'package.json'));
    } catch {
      continue;
    }
    try {
      const json: unknown = JSON.parse(text);
      const name: unknown = typeof json === 'object' && json !== null ? Reflect.get(json, 'name') : undefined;
      const version: unknown = typeof json === 'object' && json !== null ? Reflect.get(json, 'version') : undefined;
      return name === 'typescript' && typeof version === 'string' ? version : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function isCompiler(value: unknown): value is typeof TS {
  if (typeof value !== 'object' || value === null) return false;
  return typeof Reflect.get(value, 'createProgram') === 'function' && typeof Reflect.get(value, 'version') === 'string' && typeof Reflect.get(value, 'SyntaxKind') === 'object';
}

function sameSyntaxKinds(a: typeof TS, b: typeof TS): boolean {
  const names = (kinds: object) => Object.keys(kinds).filter((key) => Number.isNaN(Number(key)));
  const ours = names(b.SyntaxKind);
  return ours.length === names(a.SyntaxKind).length && ours.every((name) => Reflect.get(a.SyntaxKind, name) === Reflect.get(b.SyntaxKind, name));
}
