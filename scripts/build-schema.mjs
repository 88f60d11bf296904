// Generates schema.json (the published JSON Schema of tenant-lint.config.json) from the zod schema.
// Run by `npm run build`; test/config.test.ts checks that the committed file is current.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { configSchema } from '../dist/src/config/schema.js';

// The CommonJS zod, the instance the schema is built with (src/config/schema.ts): its registry holds the descriptions.
const { z } = createRequire(import.meta.url)('zod');
const schema = z.toJSONSchema(configSchema(), { target: 'draft-7', unrepresentable: 'any' });
schema.$id = 'https://github.com/tenant-lint/tenant-lint/blob/main/schema.json';
schema.title = 'tenant-lint configuration';
writeFileSync(new URL('../schema.json', import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
