/**
 * Timers on the injected Clock. `Clock.sleep(ms, signal)` is all a clock must offer; a clock that also
 * has `schedule(ms, fire) → cancel` (the simulator's discrete-event scheduler) gets its timers without
 * an AbortController and an event listener each, which is most of the cost of a simulated request.
 * Both paths behave the same.
 */
import type { Clock } from '../clock.js';

/** A Clock with cheap cancellable callback timers. */
export interface SchedulingClock extends Clock {
  /** Calls `fire` after `ms` unless the returned function is called first. */
  schedule(ms: number, fire: () => void): () => void;
}

export function canSchedule(clock: Clock): clock is SchedulingClock {
  return typeof (clock as Partial<SchedulingClock>).schedule === 'function';
}

/** One shared reason: aborting without one makes a DOMException (and a stack trace) every time. */
const CANCELLED = new Error('timer cancelled');

/** Calls `fire` after `ms` on the clock unless cancelled first. Returns the cancel function. */
export function startTimer(clock: Clock, ms: number, fire: () => void): () => void {
  if (canSchedule(clock)) return clock.schedule(ms, fire);
  const controller = new AbortController();
  clock.sleep(ms, controller.signal).then(fire, () => undefined);
  return () => controller.abort(CANCELLED);
}

/** Sequential waits that end (rejecting with the signal's reason) when `signal` aborts. */
export interface Waiter {
  wait(ms: number): Promise<void>;
  close(): void;
}

/**
 * One abort listener for a whole sequence of waits (a stream's chunks), instead of one per wait.
 * Only one wait may be outstanding at a time, which is how a reader loop uses it.
 */
export function createWaiter(clock: Clock, signal: AbortSignal): Waiter {
  let pendingReject: ((reason: Error) => void) | undefined;
  let cancelTimer: (() => void) | undefined;
  const waiter = {
    /** The abort listener: the waiter is its own listener object, no closure per answer. */
    handleEvent(): void {
      cancelTimer?.();
      cancelTimer = undefined;
      const reject = pendingReject;
      pendingReject = undefined;
      reject?.(signal.reason as Error);
    },
    wait(ms: number): Promise<void> {
      if (signal.aborted) return Promise.reject(signal.reason as Error);
      return new Promise<void>((resolve, reject) => {
        pendingReject = reject;
        cancelTimer = startTimer(clock, ms, () => {
          pendingReject = undefined;
          cancelTimer = undefined;
          resolve();
        });
      });
    },
    close(): void {
      signal.removeEventListener('abort', waiter);
      cancelTimer?.();
      pendingReject = undefined;
    },
  };
  if (!signal.aborted) signal.addEventListener('abort', waiter, { once: true });
  return waiter;
}
