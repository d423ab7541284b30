/**
 * The embedded quota store: per-key sliding windows (sliding-window.ts) in process memory, on an
 * injected Clock so `simulate` and the tests drive it with a virtual clock. Every call is O(1).
 * Memory stays bounded by the keys seen in the last two windows: keys live in two generations that
 * rotate with the window, so a key idle for two windows is dropped with its generation.
 */
import type { Clock } from '../clock.js';
import type { RateLimits } from '../manifest/types.js';
import type { Admission, QuotaLimiter, Reservation } from './limiter.js';
import { WINDOW_MS, fits, millisecondsUntilFits, type WindowCounts } from './sliding-window.js';

interface Counter {
  current: number;
  previous: number;
}

interface KeyState {
  /** Index of the fixed window `current` belongs to. */
  window: number;
  readonly requests: Counter;
  readonly tokens: Counter;
}

export interface MemoryLimiterOptions {
  /** Window length; quotas are per minute, tests may shorten it. */
  readonly windowMs?: number;
}

export interface MemoryLimiter extends QuotaLimiter {
  /** The key's counters now, without creating it (introspection and tests). */
  peek(key: string): { readonly requests: WindowCounts; readonly tokens: WindowCounts } | undefined;
  /** Keys held in memory (bounded by the keys seen in the last two windows). */
  size(): number;
}

/** Creates the in-memory limiter (the default store; also the engine's provider `limits`). */
export function createMemoryLimiter(clock: Clock, options: MemoryLimiterOptions = {}): MemoryLimiter {
  const windowMs = options.windowMs ?? WINDOW_MS;
  let generationWindow = Number.NEGATIVE_INFINITY;
  let live = new Map<string, KeyState>();
  let old = new Map<string, KeyState>();

  /** The current window and the time into it; a wall clock stepping back never rewinds the window. */
  function position(): { window: number; elapsed: number } {
    const now = clock.now();
    const window = Math.max(Math.floor(now / windowMs), generationWindow);
    return { window, elapsed: Math.min(windowMs, Math.max(0, now - window * windowMs)) };
  }

  function rotate(window: number): void {
    if (window <= generationWindow) return;
    // Keys untouched in the window before the previous one hold nothing that still counts.
    old = window === generationWindow + 1 ? live : new Map();
    live = new Map();
    generationWindow = window;
  }

  /** The key's state advanced to `window`, or undefined when the key holds nothing that counts. */
  function lookup(key: string, window: number): KeyState | undefined {
    rotate(window);
    let state = live.get(key);
    if (state === undefined) {
      state = old.get(key);
      if (state === undefined) return undefined;
      old.delete(key);
      live.set(key, state);
    }
    if (state.window < window) advance(state, window);
    return state;
  }

  function lookupOrCreate(key: string, window: number): KeyState {
    const found = lookup(key, window);
    if (found !== undefined) return found;
    const state: KeyState = { window, requests: { current: 0, previous: 0 }, tokens: { current: 0, previous: 0 } };
    live.set(key, state);
    return state;
  }

  return {
    async admit(key: string, limits: RateLimits, tokens: number): Promise<Admission> {
      const { window, elapsed } = position();
      const state = lookupOrCreate(key, window);
      const requestLimit = limits.requestsPerMinute;
      const tokenLimit = limits.tokensPerMinute;
      const requestsFit = requestLimit === undefined || fits(state.requests, 1, requestLimit, elapsed, windowMs);
      const tokensFit = tokenLimit === undefined || fits(state.tokens, tokens, tokenLimit, elapsed, windowMs);
      if (!requestsFit || !tokensFit) {
        const requestWait = requestsFit || requestLimit === undefined ? 0 : millisecondsUntilFits(state.requests, 1, requestLimit, elapsed, windowMs);
        const tokenWait = tokensFit || tokenLimit === undefined ? 0 : millisecondsUntilFits(state.tokens, tokens, tokenLimit, elapsed, windowMs);
        return { allowed: false, exceeded: requestsFit ? 'tokens' : 'requests', retryAfterMs: Math.max(requestWait, tokenWait) };
      }
      state.requests.current += 1;
      state.tokens.current += tokens;
      return { allowed: true, reservation: { key, tokens, window } };
    },

    async settle(reservation: Reservation, actualTokens: number): Promise<void> {
      // Unknown usage keeps the estimate rather than guessing a number.
      if (!Number.isFinite(actualTokens)) return;
      const delta = Math.max(0, actualTokens) - reservation.tokens;
      if (delta === 0) return;
      const { window } = position();
      const state = lookup(reservation.key, window);
      if (state === undefined) return;
      // A reservation older than the previous window no longer weighs on admissions.
      const counter = reservation.window === window ? 'current' : reservation.window === window - 1 ? 'previous' : undefined;
      if (counter === undefined) return;
      state.tokens[counter] = Math.max(0, state.tokens[counter] + delta);
    },

    async close(): Promise<void> {
      live.clear();
      old.clear();
    },

    peek(key: string) {
      const state = lookup(key, position().window);
      if (state === undefined) return undefined;
      return { requests: { ...state.requests }, tokens: { ...state.tokens } };
    },

    size: () => live.size + old.size,
  };
}

function advance(state: KeyState, window: number): void {
  const adjacent = window === state.window + 1;
  for (const counter of [state.requests, state.tokens]) {
    counter.previous = adjacent ? counter.current : 0;
    counter.current = 0;
  }
  state.window = window;
}

