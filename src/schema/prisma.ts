import type { Column, Relation, SchemaDiagnostic, SourceLocation } from '../core/schema.js';
import type { RawTable } from './raw.js';
import { parsePrismaSchema, type PrismaAst } from './prisma-parser.js';
import { checkBudget, withFileBudget } from '../scan/budget.js';

/** A table as a schema source describes it, before tenant classification. */
export type { RawTable } from './raw.js';

function unquote(value: string): string {
  return value.replace(/^"(.*)"$/s, '$1');
}

/** prisma-ast values are strings, arrays or tagged objects; read them without trusting the shape. */
function tagged(value: unknown, type: string): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Reflect.get(value, 'type') === type ? Object.fromEntries(Object.entries(value)) : undefined;
}

function arrayItems(value: unknown): string[] | undefined {
  const array = tagged(value, 'array');
  const args = array?.args;
  return Array.isArray(args) ? args.map(stripSortOrder) : undefined;
}

function stringArgument(attr: PrismaAst.Attr | undefined): string | undefined {
  const first: unknown = attr?.args?.[0]?.value;
  if (typeof first === 'string') return unquote(first);
  const keyValue = tagged(first, 'keyValue');
  if (keyValue?.key === 'name' && typeof keyValue.value === 'string') return unquote(keyValue.value);
  return undefined;
}

/** Functions whose value is a random identifier, in a column default of any source. */
export const GENERATOR = /^(cuid2?|uuid(_?v?[1-7])?|uuid_generate_v[1-7]|gen_random_uuid|nanoid|ulid|random_?uuid|create_?id|randomUUID|v[1-7]|objectid)$/i;

/** `@default(cuid())`, `@default(uuid(7))`, `@default(nanoid())`, `@default(dbgenerated("gen_random_uuid()"))`. */
function generatedDefault(attr: PrismaAst.Attr | undefined): boolean {
  const fn = tagged(attr?.args?.[0]?.value, 'function');
  if (!fn || typeof fn.name !== 'string') return false;
  if (GENERATOR.test(fn.name)) return true;
  const params = Array.isArray(fn.params) ? fn.params : [];
  return fn.name === 'dbgenerated' && typeof params[0] === 'string' && GENERATOR.test(functionName(unquote(params[0])));
}

/** `@default(dbgenerated("encode(gen_random_bytes(32), 'hex')"))`: random bytes, a secret (see Column.randomSecret). */
function randomBytesDefault(attr: PrismaAst.Attr | undefined): boolean {
  const fn = tagged(attr?.args?.[0]?.value, 'function');
  const params = fn && Array.isArray(fn.params) ? fn.params : [];
  return fn?.name === 'dbgenerated' && typeof params[0] === 'string' && /\bgen_random_bytes\s*\(/i.test(params[0]);
}

/** `public.gen_random_uuid()` -> `gen_random_uuid`: before the first `(`, after the last `.` (indexOf, no regex backtracking). */
function functionName(text: string): string {
  const open = text.indexOf('(');
  const head = open < 0 ? text : text.slice(0, open);
  return head.slice(head.lastIndexOf('.') + 1).trim();
}

/** Field list of `@@unique([a, b])`, `@@index(fields: [a, b])`, `@relation(fields: [a])`. */
function fieldList(attr: PrismaAst.Attr, key = 'fields'): string[] {
  for (const arg of attr.args ?? []) {
    const value: unknown = arg.value;
    const positional = arrayItems(value);
    if (positional) return positional;
    const keyValue = tagged(value, 'keyValue');
    const named = keyValue?.key === key ? arrayItems(keyValue.value) : undefined;
    if (named) return named;
  }
  return [];
}

/** `[orgId, createdAt(sort: Desc)]` yields function values; keep the field name. */
function stripSortOrder(item: unknown): string {
  if (typeof item === 'string') return item;
  const name = typeof item === 'object' && item !== null ? Reflect.get(item, 'name') : undefined;
  return typeof name === 'string' ? name : String(item);
}

/** Prisma's `SetNull`, `Cascade`, `NoAction` -> `set null`, `cascade`, `no action`. */
function referentialAction(value: string | undefined): string | undefined {
  return value?.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function namedArgument(attr: PrismaAst.Attr, key: string): string | undefined {
  for (const arg of attr.args ?? []) {
    const keyValue = tagged(arg.value, 'keyValue');
    if (keyValue?.key === key && typeof keyValue.value === 'string') return unquote(keyValue.value);
  }
  return undefined;
}

function locationOf(file: string, location: PrismaAst.CstNodeLocation | undefined): SourceLocation | undefined {
  if (!location?.startLine) return undefined;
  return { file, line: location.startLine, column: location.startColumn ?? 1 };
}

/**
 * Reads the models of one or more .prisma files (a multi-file schema is one schema).
 * A syntax error costs the block (model, enum, ...) it is in, as in Prisma's own parser: the file is
 * then read block by block, and each block that does not parse is one diagnostic. Each file has its
 * own time budget when the scanner set one.
 */
export function readPrismaModels(files: { file: string; text: string }[]): { tables: RawTable[]; diagnostics: SchemaDiagnostic[] } {
  const diagnostics: SchemaDiagnostic[] = [];
  const models: { file: string; model: PrismaAst.Model }[] = [];
  /** Models whose block did not parse: a field of that type is a relation to a model not read, not a column. */
  const unread = new Set<string>();
  for (const { file, text } of files) {
    const run = withFileBudget(() => parsePrismaFile(file, text));
    if (run.tripped) {
      diagnostics.push({ file, message: `${run.error.message}; the schema file was not read` });
      continue;
    }
    diagnostics.push(...run.value.diagnostics);
    for (const name of run.value.unread) unread.add(name);
    for (const block of run.value.blocks) {
      if (block.type === 'model') models.push({ file, model: block });
    }
  }
  const modelNames = new Set(models.map((entry) => entry.model.name));
  // One model the reader cannot read costs that model, named in a diagnostic, not the schema.
  const tables = models.flatMap(({ file, model }) => {
    try {
      return [readModel(file, model, modelNames, unread)];
    } catch (error) {
      diagnostics.push({ file, message: `model ${model.name} not read: internal error: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}` });
      return [];
    }
  });
  return { tables, diagnostics };
}

/** The first line of a top-level block: `model Invoice {`, `enum Role {`, `datasource db {`. */
const BLOCK_HEAD = /^[ \t]*(model|view|enum|type|datasource|generator)[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*\{/;

/** The blocks of one file; when the file does not parse, every block that parses on its own. */
function parsePrismaFile(file: string, text: string): { blocks: PrismaAst.Block[]; diagnostics: SchemaDiagnostic[]; unread: string[] } {
  const source = blankCommentsAfterBraces(text);
  try {
    return { blocks: parsePrismaSchema(source).list, diagnostics: [], unread: [] };
  } catch (error) {
    const whole = prismaSyntaxDiagnostic(file, text, error);
    const chunks = blockChunks(source);
    // One block or none: nothing to recover, the file's own diagnostic says it all.
    if (chunks.length < 2) return { blocks: [], diagnostics: [whole], unread: [] };
    const blocks: PrismaAst.Block[] = [];
    const diagnostics: SchemaDiagnostic[] = [];
    const unread: string[] = [];
    for (const chunk of chunks) {
      checkBudget(true);
      try {
        const parsed = parsePrismaSchema(chunk.text);
        shiftLines(parsed.list, chunk.line - 1);
        blocks.push(...parsed.list);
      } catch (chunkError) {
        const diagnostic = prismaSyntaxDiagnostic(file, chunk.text, chunkError);
        const what = chunk.kind ? `${chunk.kind} ${chunk.name}` : 'text before the first block';
        diagnostics.push({ ...diagnostic, line: (diagnostic.line ?? 1) + chunk.line - 1, message: `${diagnostic.message} (${what} not read; the other blocks were)` });
        if (chunk.kind === 'model' || chunk.kind === 'view') unread.push(chunk.name);
      }
    }
    return { blocks, diagnostics, unread };
  }
}

/**
 * The file cut at every line that opens a top-level block (Prisma blocks do not nest, so such a line
 * always starts one, even after a block whose closing brace is missing). Each chunk runs to the next.
 */
function blockChunks(source: string): { kind?: string; name: string; line: number; text: string }[] {
  const lines = source.split('\n');
  const chunks: { kind?: string; name: string; line: number; text: string }[] = [];
  let current: { kind?: string; name: string; line: number; lines: string[] } = { name: '', line: 1, lines: [] };
  const flush = () => {
    if (current.kind || current.lines.some((line) => line.trim() !== '' && !line.trim().startsWith('//'))) {
      chunks.push({ ...(current.kind ? { kind: current.kind } : {}), name: current.name, line: current.line, text: current.lines.join('\n') });
    }
  };
  lines.forEach((line, index) => {
    const head = BLOCK_HEAD.exec(line);
    if (head) {
      flush();
      current = { kind: head[1], name: head[2], line: index + 1, lines: [] };
    }
    current.lines.push(line);
  });
  flush();
  return chunks;
}

/** Moves every location of a block parsed on its own to where the block is in its file. */
function shiftLines(value: unknown, by: number, seen = new WeakSet<object>()): void {
  if (by === 0 || typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const item of value) shiftLines(item, by, seen);
    return;
  }
  for (const key of Object.keys(value)) {
    const item: unknown = Reflect.get(value, key);
    if ((key === 'startLine' || key === 'endLine') && typeof item === 'number') Reflect.set(value, key, item + by);
    else if (typeof item === 'object') shiftLines(item, by, seen);
  }
}

/**
 * Prisma accepts `model A { // note` and trailing blanks after `{`; prisma-ast 0.15 rejects both.
 * Drop them: nothing follows on that line, so every other line and column stays where it was.
 */
function blankCommentsAfterBraces(text: string): string {
  // A scanner, not `/\{[ \t]*(?:\/\/[^\r\n]*)?(?=\r?\n)/g`: that rescans the rest of the line from every `{`.
  const lines = text.split('\n');
  for (let i = 0; i < lines.length - 1; i++) {
    const line = lines[i];
    const cr = line.endsWith('\r') ? 1 : 0;
    const end = line.length - cr;
    const lastCr = end > 0 ? line.lastIndexOf('\r', end - 1) : -1;
    for (let open = line.indexOf('{'); open >= 0 && open < end; open = line.indexOf('{', open + 1)) {
      let j = open + 1;
      while (j < end && (line[j] === ' ' || line[j] === '\t')) j++;
      if (j === end || (line.startsWith('//', j) && lastCr < j)) {
        lines[i] = line.slice(0, open + 1) + (cr ? '\r' : '');
        break;
      }
    }
  }
  return lines.join('\n');
}

function readModel(file: string, model: PrismaAst.Model, modelNames: Set<string>, unread: ReadonlySet<string> = new Set()): RawTable {
  const columns = new Map<string, Column>();
  const relations = new Map<string, Relation>();
  const uniques: RawTable['uniques'] = [];
  const indexes: string[][] = [];
  let primaryKey: string[] = [];
  let primaryKeyName: string | undefined;
  let dbName = model.name;
  let ignored = false;

  // prisma-ast leaves `properties` undefined for an empty model (`model A {\n}`).
  const fields = (model.properties ?? []).filter((p): p is PrismaAst.Field => p.type === 'field');
  for (const field of fields) {
    const type = typeof field.fieldType === 'string' ? field.fieldType : field.fieldType.name;
    const attributes = field.attributes ?? [];
    const attr = (name: string) => attributes.find((a) => a.name === name && !a.group);
    // `@ignore`: the field is not in Prisma Client; no query names it.
    if (attr('ignore')) continue;
    // A relation to a model whose block did not parse: neither a column nor a relation that can be read.
    if (unread.has(type) && !modelNames.has(type)) continue;
    if (modelNames.has(type)) {
      const relationAttr = attr('relation');
      const fkFields = relationAttr ? fieldList(relationAttr, 'fields') : [];
      const onDelete = relationAttr ? referentialAction(namedArgument(relationAttr, 'onDelete')) : undefined;
      relations.set(field.name, {
        name: field.name,
        target: type,
        fields: fkFields,
        references: relationAttr ? fieldList(relationAttr, 'references') : [],
        required: false,
        isList: Boolean(field.array),
        ...(onDelete ? { onDelete } : {}),
      });
      continue;
    }
    const column: Column = {
      name: field.name,
      dbName: stringArgument(attr('map')) ?? field.name,
      type,
      nullable: Boolean(field.optional),
      isList: Boolean(field.array),
      ...(generatedDefault(attr('default')) ? { generated: true } : {}),
      ...(randomBytesDefault(attr('default')) ? { randomSecret: true } : {}),
      location: locationOf(file, field.location),
    };
    columns.set(field.name, column);
    if (attr('id')) primaryKey = [field.name];
    if (attr('unique')) uniques.push({ fields: [field.name], name: field.name });
  }

  for (const property of model.properties ?? []) {
    if (property.type !== 'attribute' || property.group) continue;
    if (property.name === 'map') dbName = stringArgument(property) ?? dbName;
    if (property.name === 'ignore') ignored = true;
    if (property.name === 'id') {
      primaryKey = fieldList(property);
      primaryKeyName = namedArgument(property, 'name');
    }
    if (property.name === 'unique') {
      const list = fieldList(property);
      uniques.push({ fields: list, name: namedArgument(property, 'name') ?? list.join('_') });
    }
    if (property.name === 'index') indexes.push(fieldList(property));
  }
  // A relation is required when every local foreign-key field is a required scalar.
  for (const relation of relations.values()) {
    relation.required = relation.fields.length > 0 && relation.fields.every((f) => columns.get(f)?.nullable === false);
  }
  // A composite @@id is addressed like a compound unique: `where: { orgId_id: { ... } }`.
  if (primaryKey.length > 1) uniques.push({ fields: primaryKey, name: primaryKeyName ?? primaryKey.join('_') });

  return {
    name: model.name,
    dbName,
    columns,
    primaryKey,
    uniques,
    indexes,
    relations,
    location: locationOf(file, model.location),
    source: 'prisma',
    // `@@ignore`: Prisma Client has no delegate for it (a table another library owns); nothing to check.
    ...(ignored ? { ignored: 'is ignored by Prisma (`@@ignore`): the application has no client for it' } : {}),
  };
}

function prismaSyntaxDiagnostic(file: string, text: string, error: unknown): SchemaDiagnostic {
  const token = typeof error === 'object' && error !== null && 'token' in error ? error.token : undefined;
  const position = (key: 'startLine' | 'startColumn'): number | undefined => {
    if (typeof token !== 'object' || token === null || !(key in token)) return undefined;
    const value: unknown = Reflect.get(token, key);
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  };
  const message = error instanceof Error ? error.message : String(error);
  // Chevrotain reports an unexpected end of file with a token that has no position.
  const line = position('startLine') ?? text.split('\n').length;
  return {
    file,
    line,
    column: position('startColumn') ?? 1,
    message: `Prisma schema syntax error: ${message.split('\n')[0]}`,
  };
}
