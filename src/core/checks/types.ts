/** What checks produce is a core contract (src/core/check-output.ts): re-exported here for the checks that still live in this folder. */
export type { CheckOutput, RawFinding, RawUnknown, SchemaFinding } from '../check-output.js';
