/**
 * What the ESLint rules run, loaded by `engine()` (adapter.ts) when a rule first checks a file, not
 * when ESLint imports the plugin: the analysis core is about 180 modules (0.2 s of CPU), which a
 * process that loads the plugin and lints nothing, or only files the rules never see, should not pay.
 */
export { analyzeFile } from '../analyze/analyze.js';
export { oracleFromServices } from '../core/types.js';
export { projectForLintedFile } from '../project/editor-cache.js';
export { newManifestEpoch } from '../project/manifests.js';
export { setupProblem } from './setup.js';
