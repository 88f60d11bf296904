/**
 * The web-framework facts are core contracts (src/core/facts.ts), so that policies read them
 * without importing a model; recognizers in this folder keep importing them from here.
 */
export type {
  ClientInput,
  FrameworkName,
  FrameworkObject,
  Guard,
  HttpContext,
  HttpRecognizer,
  HttpValue,
  NotInteresting,
  PackageRef,
  SinkFact,
  SourceCategory,
  VerifiedIdentity,
} from '../core/facts.js';
