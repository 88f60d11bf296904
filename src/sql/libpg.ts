/**
 * libpg-query is Postgres's own parser compiled to WebAssembly. Its module starts compiling the
 * 1.7 MB WebAssembly as soon as it is required, and is usable only after an asynchronous load; so
 * it is required only here, on first need, never at import:
 * - the scanner awaits `loadSqlParsers()` and parses in its own thread;
 * - the ESLint plugin cannot await (rules run synchronously, and a top-level await on the import
 *   path would make the plugin impossible to `require()` and cost every ESLint start the WebAssembly
 *   compile). The first time a linted project has SQL, a worker thread loads libpg-query and this
 *   thread waits for each parse (Atomics.wait): the same parser and the same trees as the scanner.
 */
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type * as Libpg from 'libpg-query';

type ParseResult = ReturnType<typeof Libpg.parseSync>;

const require = createRequire(import.meta.url);
let inProcess: typeof Libpg | undefined;
let loading: Promise<void> | undefined;
let loadError: string | undefined;

/** Loads libpg-query's WebAssembly module in this thread. Idempotent; never rejects (a failure is remembered). */
export async function loadSqlParsers(): Promise<void> {
  if (inProcess) return;
  loading ??= (async () => {
    try {
      const libpg: typeof Libpg = require('libpg-query');
      await libpg.loadModule();
      inProcess = libpg;
      loadError = undefined;
    } catch (error) {
      loadError = error instanceof Error ? error.message : String(error);
      loading = undefined;
    }
  })();
  await loading;
}

/** True when `parseSync` can be called: loaded in this thread, or a worker that loaded it. */
export function libpgReady(): boolean {
  if (inProcess) return true;
  if (loadError) return false;
  return syncParser() !== undefined;
}

/** Why libpg-query is not available, for diagnostics. */
export function libpgUnavailableReason(): string {
  return `libpg-query failed to load: ${loadError ?? 'unknown reason'}`;
}

/** libpg-query's `parseSync`; throws its error (with `sqlDetails`) when the SQL does not parse. */
export function parseSync(sql: string): ParseResult {
  if (inProcess) return inProcess.parseSync(sql);
  const parse = syncParser();
  if (!parse) throw new Error(libpgUnavailableReason());
  return parse(sql);
}

/** Bound on one answer of the worker (the first includes compiling the WebAssembly on a busy machine). */
const WORKER_ANSWER_MS = 60_000;

// The worker's code, evaluated as CommonJS: it loads libpg-query from the path resolved here, so it
// runs the same in a build and under the test runner.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { signal, port, entry } = workerData;
const libpg = require(entry);
const ready = libpg.loadModule().then(() => undefined, (error) => String((error && error.message) || error));
port.on('message', async (sql) => {
  const failed = await ready;
  let reply;
  if (failed !== undefined) reply = { failed };
  else {
    try {
      reply = { result: libpg.parseSync(sql) };
    } catch (error) {
      reply = { error: { message: String((error && error.message) || error), sqlDetails: error && error.sqlDetails } };
    }
  }
  port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

type Reply = { result: ParseResult } | { error: { message: string; sqlDetails?: unknown } } | { failed: string };

let worker: ((sql: string) => ParseResult) | undefined;

function syncParser(): ((sql: string) => ParseResult) | undefined {
  if (worker || loadError) return worker;
  let port: MessagePort;
  let signal: Int32Array;
  try {
    signal = new Int32Array(new SharedArrayBuffer(4));
    const channel = new MessageChannel();
    port = channel.port1;
    const thread = new Worker(WORKER_SOURCE, { eval: true, workerData: { signal, port: channel.port2, entry: require.resolve('libpg-query') }, transferList: [channel.port2] });
    // Neither keeps an ESLint process alive once linting is done.
    thread.unref();
    port.unref();
  } catch (error) {
    loadError = error instanceof Error ? error.message : String(error);
    return undefined;
  }
  const ask = (sql: string): Reply => {
    Atomics.store(signal, 0, 0);
    port.postMessage(sql);
    const waited = Atomics.wait(signal, 0, 0, WORKER_ANSWER_MS);
    const message = receiveMessageOnPort(port);
    if (waited === 'timed-out' || !message) return { failed: `no answer from the libpg-query worker in ${WORKER_ANSWER_MS / 1000} s` };
    const reply: Reply = message.message;
    return reply;
  };
  // The first question also waits for the load: a failure to load is known before any SQL is parsed.
  const first = ask('SELECT 1');
  if ('failed' in first) {
    loadError = first.failed;
    return undefined;
  }
  worker = (sql) => {
    const reply = ask(sql);
    if ('result' in reply) return reply.result;
    if ('failed' in reply) throw new Error(reply.failed);
    throw Object.assign(new Error(reply.error.message), { name: 'SqlError', sqlDetails: reply.error.sqlDetails });
  };
  return worker;
}
