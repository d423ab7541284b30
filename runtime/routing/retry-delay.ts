/**
 * Same-target retry (design §3.4): a retryable failure is tried again after a jittered backoff, or
 * after exactly the provider's Retry-After / retry-after-ms when that is within `max_retry_after_ms`.
 * A longer hint means "fail over now": waiting would spend the app's time on a target that said no.
 * Every wait must fit in what is left of the route's `timeout_ms`; while a stream is being continued
 * (the client has content and waits mid-answer, and timeout_ms no longer applies), in its
 * `stream_idle_timeout_ms`: a longer wait fails over to the next candidate instead.
 */
import type { Random } from '../clock.js';
import type { RetryPolicy } from '../manifest/types.js';
import { isRetryable, type AttemptFailure } from './classify-outcome.js';

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly detail?: string };

/**
 * Jitter: the n-th retry (n = 0, 1, …) waits backoff_ms·2ⁿ scaled by a uniform factor in [0.5, 1.5),
 * so concurrent requests that failed together do not come back together.
 */
export function jitteredBackoff(backoffMs: number, retryIndex: number, random: Random): number {
  const base = backoffMs * 2 ** retryIndex;
  return Math.round(base * (0.5 + random.next()));
}

export function decideRetry(
  failure: AttemptFailure,
  retriesUsed: number,
  policy: RetryPolicy,
  random: Random,
  remainingMs: number,
  /** What `remainingMs` is left of, for the detail: the route's timeout, or (mid-stream) its stall limit. */
  budget = 'timeout_ms',
): RetryDecision {
  if (!isRetryable(failure) || retriesUsed >= policy.attempts) return { retry: false };
  const hint = failure.kind === 'upstream' ? failure.error.retryAfterMs : undefined;
  let delayMs: number;
  if (hint !== undefined) {
    if (hint > policy.maxRetryAfterMs) {
      return { retry: false, detail: `Retry-After ${hint} ms exceeds max_retry_after_ms ${policy.maxRetryAfterMs}` };
    }
    delayMs = hint;
  } else {
    delayMs = jitteredBackoff(policy.backoffMs, retriesUsed, random);
  }
  if (delayMs >= remainingMs) return { retry: false, detail: `a ${delayMs} ms wait does not fit in ${budget}` };
  return { retry: true, delayMs };
}
