/**
 * How an attempt counts once the run is over. The engine labels a failure when it moves on, before
 * it knows what comes next: `failover` (or `continued`) although nothing may follow (the last
 * candidate failed, or only skipped ones came after it), `retry` although the retry may be skipped
 * (its circuit opened, its budget ran out) or cut short by the request's timeout. Once the run is
 * over, a failure counts by the call that followed it: none → `returned`; another target → `failover`
 * (`continued` for a stream's continuation); the same target → `retry`. Metrics (serve), the audit
 * record's `aigw.failover`, the simulation report and its live view all count through here, so their
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
export function countedOutcome(attempts: readonly AttemptRecord[], index: number, lastCall: number): AttemptOutcome {
  const attempt = attempts[index] as AttemptRecord;
  const { outcome } = attempt;
  if (outcome !== 'failover' && outcome !== 'continued' && outcome !== 'retry') return outcome;
  if (index >= lastCall) return 'returned';
  if (outcome !== 'retry') return outcome;
  let next = index + 1;
  while (attempts[next]?.outcome === 'skipped') next += 1;
  const following = attempts[next] as AttemptRecord;
  return following.provider === attempt.provider && following.model === attempt.model ? 'retry' : 'failover';
}

/** Whether an attempt counted so moved the request on to another call. */
export function isFailover(outcome: AttemptOutcome): boolean {
  return outcome === 'failover' || outcome === 'continued';
}

/** Whether the run moved on to another target after a failure (`aigw.failover` in the audit record). */
export function failedOver(attempts: readonly AttemptRecord[]): boolean {
  const lastCall = lastCallIndex(attempts);
  for (let index = 0; index < lastCall; index += 1) {
    if (isFailover(countedOutcome(attempts, index, lastCall))) return true;
  }
  return false;
}
