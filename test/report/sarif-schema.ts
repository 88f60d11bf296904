import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import type AjvDraft04 from 'ajv-draft-04';
import type addFormatsType from 'ajv-formats';

/**
 * The SARIF 2.1.0 JSON schema as Microsoft's SARIF SDK ships it (@microsoft/jest-sarif,
 * `sarif-2.1.0-rtm.5.json`, the schema schemastore serves for 2.1.0). It is a draft-04 schema,
 * hence ajv-draft-04; ajv-formats checks its `uri`, `uri-reference` and `date-time` formats.
 */
const require = createRequire(import.meta.url);
// Both are CommonJS with `exports.default`; require() reads them the same under tsc and vitest.
const Ajv = (require('ajv-draft-04') as { default: typeof AjvDraft04.default }).default;
const addFormats = (require('ajv-formats') as { default: typeof addFormatsType.default }).default;
const schemaFile = join(dirname(require.resolve('@microsoft/jest-sarif/package.json')), 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');
const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;

// `unicodeRegExp: false`: the schema's `language` pattern has a stray `]`, legal only outside
// the `u` flag (ECMA-262 regular expressions, as JSON Schema draft-04 specifies).
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

/** The schema errors of a SARIF log (text or parsed), one line each; empty when it is valid. */
export function sarifSchemaErrors(log: unknown): string[] {
  const value = typeof log === 'string' ? JSON.parse(log) : log;
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
}
