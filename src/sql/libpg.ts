/**
 * libpg-query is Postgres's own parser compiled to WebAssembly. Its module loads asynchronously,
 * once per process; after that, `parseSync` is synchronous. Code that cannot await (an ESLint rule)
 * works with whatever is loaded: without libpg-query, only pgsql-ast-parser is used.
 */
import { loadModule } from 'libpg-query';

let ready = false;
let loading: Promise<void> | undefined;
let loadError: string | undefined;

/** Loads libpg-query's WebAssembly module. Idempotent; never rejects (a failure is remembered). */
export async function loadSqlParsers(): Promise<void> {
  if (ready) return;
  loading ??= loadModule().then(
    () => {
      ready = true;
      loadError = undefined;
    },
    (error: unknown) => {
      loadError = error instanceof Error ? error.message : String(error);
      loading = undefined;
    },
  );
  await loading;
}

/** True once `loadSqlParsers()` has completed: `parseSync` of libpg-query may be called. */
export function libpgReady(): boolean {
  return ready;
}

/** Why libpg-query is not available, for diagnostics. */
export function libpgUnavailableReason(): string {
  return loadError ? `libpg-query failed to load: ${loadError}` : 'libpg-query is not loaded (loadSqlParsers() was not awaited)';
}
