import { createRequire } from 'node:module';
import { buildConfigSchema } from '../core/options.js';

export type { RuleSetting, TenantLintConfig } from '../core/options.js';

let built: ReturnType<typeof buildConfigSchema> | undefined;
/**
 * zod is required when a config is first validated, not when the ESLint plugin is imported: its
 * 225 ES modules cost about 0.2 s of CPU, and a project without a config file never needs them.
 * CommonJS, so that scripts/build-schema.mjs reads the descriptions from the same zod instance.
 */
export function configSchema(): ReturnType<typeof buildConfigSchema> {
  built ??= buildConfigSchema(createRequire(import.meta.url)('zod').z);
  return built;
}
