/**
 * The replay window. A signed request is acceptable while the gateway's clock, in whole seconds, is
 * within ±300 s of its timestamp: 601 s of real time. A nonce first seen at the window's first instant
 * must still be remembered at its last, so it is kept 601 s (600 s left a replay at the last instant).
 * In memory the cache is bounded (a full window refuses new requests rather than forgetting nonces,
 * which would reopen the replay); with Redis, `SET NX PX` makes one window for every replica.
 */
import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import { AigwError, ERRORS } from '../errors.js';
import { MAX_CLOCK_SKEW_SECONDS } from './signature-format.js';

export const NONCE_TTL_MS = (2 * MAX_CLOCK_SKEW_SECONDS + 1) * 1000;
export const DEFAULT_NONCE_CAPACITY = 10_000;

export interface NonceCache {
  /** Records the nonce; resolves false when it was already seen within the window. */
  claim(keyId: string, nonce: string): Promise<boolean>;
}

/**
 * In-memory window. Entries expire in insertion order (one TTL, a clock that only moves forward), so
 * pruning pops from the front of the Map. Only requests whose signature verified reach `claim`, so
 * filling it takes a key holder sending `capacity` requests within 10 minutes.
 */
export function createMemoryNonceCache(clock: Clock, capacity = DEFAULT_NONCE_CAPACITY): NonceCache {
  const expiries = new Map<string, number>();
  return {
    async claim(keyId, nonce) {
      const now = clock.now();
      for (const [entry, expiresAt] of expiries) {
        if (expiresAt > now) break;
        expiries.delete(entry);
      }
      const entry = `${keyId}\n${nonce}`;
      if (expiries.has(entry)) return false;
      if (expiries.size >= capacity) {
        throw new AigwError(ERRORS.ADMIN_THROTTLED, `The admin replay window already holds ${capacity} nonces; retry in a few minutes.`);
      }
      expiries.set(entry, now + NONCE_TTL_MS);
      return true;
    },
  };
}

/**
 * The shared window with this replica's own memory behind it: a nonce is new only when both say so.
 * Redis alone forgets every nonce when it restarts without persistence, and a request captured
 * minutes before would then pass again; the replica that first saw it still refuses it. (Another
 * replica, which never saw it, cannot tell within that window: run Redis with persistence, and
 * `aigw apply --if-match auto` makes a replayed reload a 412 once the config moved on.)
 */
export function createLayeredNonceCache(local: NonceCache, shared: NonceCache): NonceCache {
  return {
    async claim(keyId, nonce) {
      // Shared first: a request it refuses (a replay, or Redis down) leaves nothing behind locally.
      if (!(await shared.claim(keyId, nonce))) return false;
      return local.claim(keyId, nonce);
    },
  };
}

/** One window across replicas: the first replica to SET NX a nonce owns it; any later claim fails. */
export function createRedisNonceCache(client: Redis, prefix = 'aigw:admin:nonce:'): NonceCache {
  return {
    async claim(keyId, nonce) {
      let reply: string | null;
      try {
        reply = await client.set(`${prefix}${keyId}:${nonce}`, '1', 'PX', NONCE_TTL_MS, 'NX');
      } catch (error) {
        // Without the shared window a replay could pass on another replica: fail closed.
        throw new AigwError(ERRORS.ADMIN_STORE_UNAVAILABLE, 'The replay window (Redis) did not answer; nothing changed. Retry shortly.', { cause: error });
      }
      return reply === 'OK';
    },
  };
}
