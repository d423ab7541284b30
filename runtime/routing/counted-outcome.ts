/**
 * How an attempt counts once the run is over. The engine marks a failure `failover` (or `continued`)
 * when it moves on, before it knows whether another call will follow; when none did (the last
 * candidate failed, or only skipped ones came after it) that failure ended the run, as a `returned`
 * one does. Metrics (serve), the simulation report and its live view count through here, so their
 * failovers agree.
 */
import type { AttemptOutcome, AttemptRecord } from './types.js';

/** Index of the last attempt that made a call (not skipped); -1 when none did. */
export function lastCallIndex(attempts: readonly AttemptRecord[]): number {
  let index = attempts.length - 1;
  while (index >= 0 && attempts[index]?.outcome === 'skipped') index -= 1;
  return index;
}

/** The outcome attempt `index` counts as, `lastCall` being lastCallIndex(attempts). */
export function countedOutcome(outcome: AttemptOutcome, index: number, lastCall: number): AttemptOutcome {
  return index >= lastCall && (outcome === 'failover' || outcome === 'continued') ? 'returned' : outcome;
}

/** Whether an attempt counted so moved the request on to another call. */
export function isFailover(outcome: AttemptOutcome): boolean {
  return outcome === 'failover' || outcome === 'continued';
}
