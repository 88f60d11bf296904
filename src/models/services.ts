import type { ServiceForm, ServiceModel } from '../core/resolve.js';

/*
 * Effect's dependency injection, as data for the value flow (src/flow/origin.ts). A program asks
 * for a service by its tag, `const sql = yield* SqlClient` inside `Effect.gen`; a layer provides
 * the value for that tag, `Layer.effect(SqlClient, Effect.gen(function* () { return { query } }))`.
 * The flow engine reads the tag's declaration, finds the layers that provide it through the
 * project's call graph, and reads the value each provides.
 *
 * Each function is listed once by its namespace and name; it is reachable both as a member of the
 * `effect` package's namespace (`import { Layer } from 'effect'`) and from its own module
 * (`import * as Layer from 'effect/Layer'`).
 */

/** `[namespace, name]` from `effect`, and `[name]` from `effect/<namespace>`. */
function both<T extends object>(namespace: string, name: string, rest: T): ({ source: string; path: string[] } & T)[] {
  return [
    { source: 'effect', path: [namespace, name], ...rest },
    { source: `effect/${namespace}`, path: [name], ...rest },
  ];
}

/** What `Effect.Service`'s options may build the service with. */
const SERVICE_OPTIONS: Record<string, ServiceForm> = { effect: 'effect', scoped: 'effect', succeed: 'value', sync: 'thunk' };

export const EFFECT_SERVICES: ServiceModel = {
  tags: [
    // Effect 3: `class Db extends Context.Tag('Db')<Db, Shape>() {}`, `Context.GenericTag<Shape>('Db')`, `Effect.Tag('Db')<Db, Shape>()`.
    ...both('Context', 'Tag', {}),
    ...both('Context', 'GenericTag', {}),
    ...both('Effect', 'Tag', {}),
    // `class Db extends Effect.Service<Db>()('Db', { effect: Effect.gen(...) }) {}`: the declaration builds the service.
    ...both('Effect', 'Service', { own: SERVICE_OPTIONS }),
    // Effect 4: `class Db extends Context.Service<Db, Shape>()('Db') {}`, optionally with `{ make }`.
    ...both('Context', 'Service', { own: { make: 'effect' } as Record<string, ServiceForm> }),
    ...both('Context', 'Reference', { own: { defaultValue: 'thunk' } as Record<string, ServiceForm> }),
  ],
  providers: [
    ...both('Layer', 'succeed', { tag: 0, value: 1, form: 'value' as const }),
    ...both('Layer', 'sync', { tag: 0, value: 1, form: 'thunk' as const }),
    ...both('Layer', 'effect', { tag: 0, value: 1, form: 'effect' as const }),
    ...both('Layer', 'scoped', { tag: 0, value: 1, form: 'effect' as const }),
    // `Effect.provideService(program, Db, value)`, and data-last `program.pipe(Effect.provideService(Db, value))`.
    ...both('Effect', 'provideService', { tag: 1, value: 2, form: 'value' as const }),
    ...both('Effect', 'provideService', { tag: 0, value: 1, form: 'value' as const }),
    ...both('Effect', 'provideServiceEffect', { tag: 1, value: 2, form: 'effect' as const }),
    ...both('Effect', 'provideServiceEffect', { tag: 0, value: 1, form: 'effect' as const }),
    ...both('Context', 'make', { tag: 0, value: 1, form: 'value' as const }),
  ],
  effects: [
    ...both('Effect', 'gen', { form: 'generator' as const }),
    ...both('Effect', 'succeed', { form: 'value' as const }),
    ...both('Effect', 'sync', { form: 'thunk' as const }),
  ],
  identities: ['of'],
  // Run the first effect, then the second only if the first succeeded: `withPolicy = (policy) => (self) => Effect.zipRight(policy, self)`.
  sequences: [...both('Effect', 'zipRight', {}), ...both('Effect', 'andThen', {}), ...both('Effect', 'zip', {}), ...both('Effect', 'zipLeft', {})],
};
