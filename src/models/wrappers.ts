import type { BrandFactory, JobRegistrar, SameBehaviourWrapper } from '../core/resolve.js';

/*
 * Library functions that return a function behaving as the one they are handed, only remembering
 * its answers: `export const getCurrentUser = cache(async () => ...)` (react), `unstable_cache(fn,
 * keys)` (next), `memoize(fn)` (lodash, memoizee...). The resolver reads the const as the function
 * handed in, so that what it returns, and the checks it makes, are followed at each call.
 * Data, one entry a function: `imported` is the export's name (`default` for a default export).
 */
export const SAME_BEHAVIOUR_WRAPPERS: readonly SameBehaviourWrapper[] = [
  { source: 'react', imported: 'cache', argument: 0 },
  { source: 'next/cache', imported: 'unstable_cache', argument: 0 },
  { source: 'lodash', imported: 'memoize', argument: 0 },
  { source: 'lodash-es', imported: 'memoize', argument: 0 },
  { source: 'lodash/memoize', imported: 'default', argument: 0 },
  { source: 'lodash.memoize', imported: 'default', argument: 0 },
  { source: 'memoizee', imported: 'default', argument: 0 },
  { source: 'mem', imported: 'default', argument: 0 },
  { source: 'p-memoize', imported: 'default', argument: 0 },
  { source: 'fast-memoize', imported: 'default', argument: 0 },
  { source: 'micro-memoize', imported: 'default', argument: 0 },
  { source: 'moize', imported: 'default', argument: 0 },
  { source: 'memoize-one', imported: 'default', argument: 0 },
];

/*
 * Library functions that make a brand: the branded value is the value handed in, with a type that
 * says what it is. `export const UserId = Schema.String.pipe(Schema.brand('UserId'))` then
 * `UserId.make(user.id)` (Effect's Schema), `const UserId = Brand.nominal<UserId>()` then
 * `UserId(id)` (Effect's Brand). The value flow reads such a call as its argument, so a session's
 * user id stays the session's and a freshly minted id stays minted (Cap's domain package).
 */
export const BRAND_FACTORIES: readonly BrandFactory[] = [
  { source: 'effect', path: ['Schema', 'brand'], form: 'schema' },
  { source: 'effect/Schema', path: ['brand'], form: 'schema' },
  { source: '@effect/schema', path: ['Schema', 'brand'], form: 'schema' },
  { source: '@effect/schema/Schema', path: ['brand'], form: 'schema' },
  { source: 'effect', path: ['Brand', 'nominal'], form: 'constructor' },
  { source: 'effect', path: ['Brand', 'refined'], form: 'constructor' },
  { source: 'effect/Brand', path: ['nominal'], form: 'constructor' },
  { source: 'effect/Brand', path: ['refined'], form: 'constructor' },
];

/*
 * Library calls that register a handler a job runner calls, without a request: what runs there is
 * system code (its payload is what the server enqueued). By the import, so a project function of the
 * same name is not one. `new Worker(queue, processor)` of BullMQ, Trigger.dev's task definitions
 * (`task({ id, run })`, `schemaTask({ id, schema, run })`, `schedules.task({ id, cron, run })`).
 */
export const JOB_REGISTRARS: readonly JobRegistrar[] = [
  ...['@trigger.dev/sdk', '@trigger.dev/sdk/v3'].flatMap((source) => [
    { source, path: ['task'] },
    { source, path: ['schemaTask'] },
    { source, path: ['schedules', 'task'] },
  ]),
  { source: 'bullmq', path: ['Worker'] },
];
