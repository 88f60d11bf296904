#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/src/cli.js (built by `npm run build`, run by `npm ci` through `prepare`).
import { endQuietlyOnClosedPipe, main } from '../dist/src/cli.js';

endQuietlyOnClosedPipe(process.stdout);
endQuietlyOnClosedPipe(process.stderr);
process.exitCode = await main(process.argv.slice(2));
