#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/src/cli.js (built by `npm run build`, run by `npm ci` through `prepare`).
import { setFlagsFromString } from 'node:v8';
import { endQuietlyOnClosedPipe, main } from '../dist/src/cli.js';

// A scan keeps a few hundred MB live (the bounded trees of src/project/modules.ts, the call graph's
// summaries) and allocates fast, so V8 lets the heap grow to about four times that between full
// collections: comp (5,600 files) peaked at 2.0 GB of RSS with 0.35 to 0.5 GB live. Growing the heap
// by half of what survived a collection instead kept it at 0.7 GB for the same report (issue 15).
// Set before any work; a --heap-growing-percent given in NODE_OPTIONS or on node's command line wins.
if (![...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => arg.includes('--heap-growing-percent'))) {
  setFlagsFromString('--heap-growing-percent=50');
}

endQuietlyOnClosedPipe(process.stdout);
endQuietlyOnClosedPipe(process.stderr);
process.exitCode = await main(process.argv.slice(2));
