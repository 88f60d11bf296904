import type { CacheAccess, CacheKey, KeyPart } from '../../core/facts.js';
import type { RawFinding } from '../../core/check-output.js';

export const RULE = 'require-tenant-cache-key';

/** One key decided: it carries the tenant, it cannot be evaluated, or it does not carry it (`plain`). */
export type KeyVerdict =
  | { kind: 'tenant'; via: string }
  | { kind: 'unknown'; reason: string }
  | { kind: 'plain'; key: CacheKey; parts: KeyPart[] };

/** One cache access decided on its own, before get/set pairs are looked at. */
export type Judged =
  /** `tokens`: the key's words with tenant parts set aside, to pair it with a read or write of the same entry. */
  | { status: 'safe'; access: CacheAccess; tokens?: string[] }
  | { status: 'unknown'; access: CacheAccess; reason: string }
  | { status: 'plain'; access: CacheAccess; key: CacheKey; parts: KeyPart[]; tokens: string[] };


export type Decision = { kind: 'finding'; finding: RawFinding } | { kind: 'unknown'; reason: string } | { kind: 'quiet' };

export type PlainAccess = Extract<Judged, { status: 'plain' }>;

