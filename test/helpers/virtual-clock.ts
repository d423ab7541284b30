/**
 * A manual clock for engine and driver tests: time moves only when the test (or a scheduler) says so.
 * `sleep` registers a timer; `advance(ms)` fires the timers that fall due, in time order.
 */
import type { Clock } from '../../runtime/clock.js';

export interface ManualClock extends Clock {
  /** Moves time forward, firing due timers in order and letting their continuations run. */
  advance(ms: number): Promise<void>;
  /** Runs until no timer is pending (or `limitMs` of virtual time passes). */
  runAll(limitMs?: number): Promise<void>;
  pendingTimers(): number;
}

interface Timer { readonly at: number; readonly seq: number; readonly resolve: () => void }

export function createManualClock(startMs = 1_767_225_600_000): ManualClock {
  let now = 0;
  let seq = 0;
  const timers: Timer[] = [];
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  const fireNext = async (until: number): Promise<boolean> => {
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = timers[0];
    if (next === undefined || next.at > until) return false;
    timers.shift();
    now = next.at;
    next.resolve();
    await settle();
    return true;
  };
  return {
    now: () => startMs + now,
    monotonic: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) { reject(signal.reason); return; }
        const timer: Timer = {
          at: now + Math.max(0, ms),
          seq: seq++,
          resolve: () => { signal?.removeEventListener('abort', onAbort); resolve(); },
        };
        const onAbort = () => {
          const index = timers.indexOf(timer);
          if (index !== -1) timers.splice(index, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        timers.push(timer);
      });
    },
    async advance(ms) {
      await settle();
      const until = now + ms;
      while (await fireNext(until)) { /* fire in order */ }
      now = until;
      await settle();
    },
    async runAll(limitMs = 3_600_000) {
      await settle();
      const until = now + limitMs;
      while (await fireNext(until)) { /* fire in order */ }
    },
    pendingTimers: () => timers.length,
  };
}
