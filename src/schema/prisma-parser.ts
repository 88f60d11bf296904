import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as PrismaAst from '@mrleebo/prisma-ast';

type PrismaAstModule = typeof PrismaAst;

let loaded: { module: PrismaAstModule; parse: (source: string) => PrismaAst.Schema } | undefined;

/**
 * @mrleebo/prisma-ast searches the *current directory* for a `prisma-ast` config with lilconfig
 * when it is first imported, and lilconfig loads `.js` configs by executing them. Auditors run
 * tenant-lint inside repositories they do not trust, so the module is loaded while the process
 * sits in an empty temporary directory: nothing of the scanned repository can be executed.
 */
function load(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const previous = process.cwd();
  const empty = mkdtempSync(join(tmpdir(), 'tenant-lint-'));
  let module: PrismaAstModule;
  try {
    // lilconfig walks up from the cwd; an empty config here ends the search before /tmp or /.
    writeFileSync(join(empty, '.prisma-astrc.json'), '{}');
    process.chdir(empty);
    module = createRequire(import.meta.url)('@mrleebo/prisma-ast') as PrismaAstModule;
  } finally {
    process.chdir(previous);
    rmSync(empty, { recursive: true, force: true });
  }
  const parser = new module.PrismaParser({ nodeLocationTracking: 'full' });
  const Visitor = module.VisitorClassFactory(parser);
  const visitor = new Visitor(parser);
  loaded = { module, parse: (source) => module.getSchema(source, { parser, visitor }) };
  return loaded;
}

export function parsePrismaSchema(source: string): PrismaAst.Schema {
  return load().parse(source);
}

export type { PrismaAst };
