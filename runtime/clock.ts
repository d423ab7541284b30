/**
 * Time and randomness arrive as parameters (style §A.1): `serve` passes the real ones, `simulate` a
 * virtual clock and a seeded PRNG, so one seed reproduces a run byte for byte.
 */
import type { StopSignal } from './stop-signal.js';

export interface Clock {
  /** Wall-clock milliseconds since the epoch (timestamps, `created`). */
  now(): number;
  /** Monotonic milliseconds for durations and budgets; never goes backwards. */
  monotonic(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: StopSignal): Promise<void>;
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
}

function abortReason(signal: StopSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * The real clock also offers `schedule(ms, fire) → cancel` (a plain timer): the engine's budgets take
 * it when a clock has it (runtime/timers.ts) instead of an AbortController and a listener per timer,
 * which the benchmark's profile showed on every request.
 */
export const realClock: Clock & { schedule(ms: number, fire: () => void): () => void } = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal as StopSignal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  schedule(ms, fire) {
    const timer = setTimeout(fire, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

export const realRandom: Random = { next: () => Math.random() };

/**
 * sfc32, seeded through splitmix32: small, fast and good enough for weighted picks and fault
 * injection; identical sequences on every platform.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  return {
    next(): number {
      const t = (((a + b) >>> 0) + d) >>> 0;
      d = (d + 1) >>> 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) >>> 0;
      c = ((c << 21) | (c >>> 11)) >>> 0;
      c = (c + t) >>> 0;
      return t / 4294967296;
    },
  };
}
