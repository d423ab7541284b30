/**
 * Failed attempt → failover reason → what the engine does next (design §3.4, §3.5; style §I.2).
 * The manifest's `failover_on` speaks `5xx`/`429`; the engine's reasons are `retryable_5xx`/
 * `rate_limited`, mapped one-to-one here. A provider's 401/403 (`auth_error`) always fails over: it
 * is the operator's key, never reported to the app as the app's; so does a target the provider does
 * not serve (`target_unavailable`: an unknown model or deployment, a region or billing precondition). Client 4xx and content filters are
 * returned as they are.
 */
import type { FailoverClass, TranslatedError } from '../adapters/contract.js';
import type { FailoverTrigger } from '../manifest/types.js';
import { TransportError } from '../transport/transport.js';
import type { FailoverReason } from './types.js';

/** A failed attempt, as the attempt runner saw it. */
export type AttemptFailure =
  /** The provider answered with an error (HTTP status or an in-band stream error event). */
  | { readonly kind: 'upstream'; readonly error: TranslatedError; readonly status: number }
  /** No response head (refused, reset, DNS, TLS), or the body broke (non-stream). */
  | { readonly kind: 'transport'; readonly error: TransportError }
  /** No first content within max_latency_ms. */
  | { readonly kind: 'latency'; readonly budgetMs: number }
  /** A stream that broke, stalled or was truncated. */
  | { readonly kind: 'stream'; readonly detail: string; readonly status: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'aborted' };

const TRIGGER_REASONS: Readonly<Record<FailoverTrigger, FailoverReason>> = {
  '5xx': 'retryable_5xx',
  '429': 'rate_limited',
  latency: 'latency',
  connect_error: 'connect_error',
  stream_error: 'stream_error',
  context_length: 'context_length',
};

const CLASS_REASONS: Readonly<Record<FailoverClass, FailoverReason>> = {
  retryable_5xx: 'retryable_5xx',
  rate_limited: 'rate_limited',
  client_error: 'client_error',
  auth_error: 'auth_error',
  target_unavailable: 'target_unavailable',
  context_length: 'context_length',
  content_filter: 'content_filter',
};

export function reasonOf(failure: AttemptFailure): FailoverReason {
  switch (failure.kind) {
    case 'upstream':
      return CLASS_REASONS[failure.error.failoverClass];
    case 'transport':
      // The transport could not authenticate (a secret without a value, a token it could not mint):
      // the operator's configuration, like a provider 401.
      return failure.error.failure === 'auth' ? 'auth_error' : 'connect_error';
    case 'latency':
      return 'latency';
    case 'stream':
      return 'stream_error';
    case 'timeout':
      return 'timeout';
    case 'aborted':
      return 'aborted';
    default: {
      const never: never = failure;
      return never;
    }
  }
}

/** Per `failover_on` list (one per route of a manifest), computed once: a cache, never state. */
const reasonsCache = new WeakMap<readonly FailoverTrigger[], ReadonlySet<FailoverReason>>();

/** The reasons a route's `failover_on` turns into failovers (plus the operator's faults, always). */
export function failoverReasons(failoverOn: readonly FailoverTrigger[]): ReadonlySet<FailoverReason> {
  let reasons = reasonsCache.get(failoverOn);
  if (reasons === undefined) {
    const set = new Set<FailoverReason>(['auth_error', 'target_unavailable']);
    for (const trigger of failoverOn) set.add(TRIGGER_REASONS[trigger]);
    reasons = set;
    reasonsCache.set(failoverOn, reasons);
  }
  return reasons;
}

/**
 * Design §3.4: a 5xx, a 429 or a connection reset/refusal before any response byte may be retried on
 * the same target. A latency timeout never is (the same target would most likely be slow again).
 */
export function isRetryable(failure: AttemptFailure): boolean {
  switch (failure.kind) {
    case 'upstream':
      return failure.error.retry !== false && (failure.error.failoverClass === 'retryable_5xx' || failure.error.failoverClass === 'rate_limited');
    case 'transport':
      return failure.error.beforeResponse && (failure.error.failure === 'reset' || failure.error.failure === 'connect');
    default:
      return false;
  }
}

export type Verdict = 'success' | 'failure' | 'none';

/**
 * What an attempt tells the circuit breaker. A client-caused 4xx proves the provider is up; a route
 * timeout or a client abort proves nothing.
 */
export function healthVerdict(reason: FailoverReason | null): Verdict {
  switch (reason) {
    case null:
    case 'client_error':
    case 'content_filter':
    case 'context_length':
      return 'success';
    case 'retryable_5xx':
    case 'rate_limited':
    case 'latency':
    case 'connect_error':
    case 'stream_error':
    case 'auth_error':
    case 'target_unavailable':
      return 'failure';
    case 'timeout':
    case 'aborted':
    case 'quota_full':
    case 'circuit_open':
      return 'none';
    default: {
      const never: never = reason;
      return never;
    }
  }
}

/** Status of the response head, or 0 when none arrived. */
export function statusOf(failure: AttemptFailure): number {
  if (failure.kind === 'upstream' || failure.kind === 'stream') return failure.status;
  return 0;
}

/** A short explanation for the attempt record: codes and numbers only, never a body or a secret. */
export function detailOf(failure: AttemptFailure): string {
  switch (failure.kind) {
    case 'upstream':
      return failure.error.envelope.error.code ?? failure.error.envelope.error.type;
    case 'transport':
      return failure.error.code;
    case 'latency':
      return `no first content within ${failure.budgetMs} ms`;
    case 'stream':
      return failure.detail;
    case 'timeout':
      return 'route timeout_ms elapsed';
    case 'aborted':
      return 'client went away';
    default: {
      const never: never = failure;
      return never;
    }
  }
}

export function isTransportError(error: unknown): error is TransportError {
  return error instanceof TransportError;
}
