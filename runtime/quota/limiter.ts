/**
 * Requests-per-minute and tokens-per-minute admission, shared by credential quotas (runtime) and
 * provider `limits` (the engine skips a target whose ceiling is full, without a call). Tokens are
 * reserved at admission (an estimate) and settled with the real usage afterwards, so concurrent
 * requests cannot overshoot a budget by more than the documented bound.
 * Implementations: memory-limiter.ts (embedded default, on an injected Clock) and redis-limiter.ts
 * (one atomic Lua round trip per call, so every replica spends one budget).
 */
import type { RateLimits } from '../manifest/types.js';

/** A granted reservation, to be settled once the real token usage is known. */
export interface Reservation {
  readonly key: string;
  readonly tokens: number;
  /** Window the reservation was counted in (implementation-defined, opaque to callers). */
  readonly window: number;
  /**
   * Identity of the stored counts the reservation went into (Redis: the quota key's generation),
   * so that a settle after the store lost them does not touch counts made since. Opaque to callers.
   */
  readonly generation?: string;
}

export type Admission =
  | { readonly allowed: true; readonly reservation: Reservation }
  /** `store`: the quota store did not answer and the store-error policy is `deny` (nothing was counted). */
  | { readonly allowed: false; readonly exceeded: 'requests' | 'tokens' | 'store'; readonly retryAfterMs: number };

export interface QuotaLimiter {
  /** Reserves one request and `tokens` tokens under `key` when both fit the limits; nothing is counted otherwise. */
  admit(key: string, limits: RateLimits, tokens: number): Promise<Admission>;
  /** Replaces the reservation's estimate with the real usage (releases or adds the difference). */
  settle(reservation: Reservation, actualTokens: number): Promise<void>;
  close(): Promise<void>;
}

/** What to do when the store (Redis) fails: admit and count a metric, or reject. Never hang. */
export type StoreErrorPolicy = 'allow' | 'deny';
