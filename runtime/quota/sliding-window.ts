/**
 * Sliding-window arithmetic shared by the memory limiter and documented for the Redis Lua script
 * (which repeats it in Lua, see redis-script.ts). Each key keeps two fixed one-minute windows: the
 * current one and the previous one. The sliding count is the current count plus the share of the
 * previous count that still overlaps the last 60 seconds, assuming it was spread evenly:
 *
 *     estimate = previous × (1 − elapsed / window) + current
 *
 * A request is admitted when `estimate + cost ≤ limit`. Guarantees: in each fixed window the counted
 * amount never exceeds the limit at admission time (see quota docs for the settle overshoot bound);
 * over an arbitrary 60-second span the approximation can admit up to twice the limit in the worst
 * case (a full previous window packed at its end), which is the usual trade for O(1) memory.
 * @see https://blog.cloudflare.com/counting-things-a-lot-of-different-things/
 */

/** Quotas are per minute (`requests_per_minute`, `tokens_per_minute`). */
export const WINDOW_MS = 60_000;

export interface WindowCounts {
  /** Amount counted in the current fixed window. */
  readonly current: number;
  /** Amount counted in the window just before it. */
  readonly previous: number;
}

/** The sliding count `elapsedMs` into the current window. */
export function slidingEstimate(counts: WindowCounts, elapsedMs: number, windowMs: number = WINDOW_MS): number {
  return counts.previous * (1 - elapsedMs / windowMs) + counts.current;
}

/** Absorbs binary floating-point error so that "fits at exactly retryAfterMs" holds. */
const EPSILON = 1e-9;

/** Whether `cost` more fits under `limit` now. */
export function fits(counts: WindowCounts, cost: number, limit: number, elapsedMs: number, windowMs: number = WINDOW_MS): boolean {
  return cost <= limit && slidingEstimate(counts, elapsedMs, windowMs) + cost <= limit + EPSILON;
}

/**
 * Milliseconds until `cost` fits if no other traffic arrives (>= 1). A cost larger than the whole
 * limit never fits: the caller reports it with one full window, the honest "not within a minute".
 */
export function millisecondsUntilFits(counts: WindowCounts, cost: number, limit: number, elapsedMs: number, windowMs: number = WINDOW_MS): number {
  if (cost > limit) return windowMs;
  let wait: number;
  if (counts.current + cost <= limit) {
    // It fits within this window once enough of the previous window has slid out.
    const room = limit - cost - counts.current;
    wait = counts.previous <= 0 ? 0 : (1 - room / counts.previous) * windowMs - elapsedMs;
  } else {
    // Only after this window ends: the current count becomes the previous one and slides out.
    const room = limit - cost;
    wait = windowMs - elapsedMs + (counts.current <= 0 ? 0 : (1 - room / counts.current) * windowMs);
  }
  return Math.max(1, Math.ceil(wait - EPSILON * windowMs));
}
