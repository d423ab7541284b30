/**
 * Timers on the injected Clock. `Clock.sleep(ms, signal)` is all a clock must offer; a clock that also
 * has `schedule(ms, fire) → cancel` (the simulator's discrete-event scheduler) gets its timers without
 * a stop signal and an abort listener each, which is most of the cost of a simulated request.
 * Both paths behave the same.
 */
import type { Clock } from './clock.js';
import { LightAbortSignal } from './stop-signal.js';

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
  const signal = new LightAbortSignal();
  clock.sleep(ms, signal).then(fire, () => undefined);
  return () => signal.abort(CANCELLED);
}
