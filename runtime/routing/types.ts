/**
 * The routing engine's public types (design §3, style §I.2). `serve`, `simulate` and `dry-run` share
 * them, and so do the audit record and the metrics labels: an attempt's `reason` and `outcome` are one
 * vocabulary everywhere.
 */
import type { DroppedParam, NativeRequest, ProviderAdapter, ProviderType } from '../adapters/contract.js';
import type { Clock, Random } from '../clock.js';
import type { Manifest, Route, Target } from '../manifest/types.js';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, OpenAIErrorEnvelope, Usage } from '../openai/wire.js';
import type { QuotaLimiter } from '../quota/limiter.js';
import type { TransportResponse } from '../transport/transport.js';
import type { StopSignal } from '../stop-signal.js';
import type { TargetHealth } from './target-health.js';

/**
 * Why an attempt did not answer (style §I.2).
 * - Failover triggers: `retryable_5xx`, `rate_limited`, `latency`, `connect_error`, `context_length`,
 *   `stream_error`; always, whatever `failover_on` says: `auth_error` and `target_unavailable` (the
 *   operator's faults).
 * - Skipped without a call: `quota_full`, `circuit_open` (and `client_error` with status 400 when the
 *   adapter could not build the request, e.g. an unsupported parameter; `auth_error` with status 0 when
 *   the provider's credential is not set).
 * - Returned to the client: `client_error`, `content_filter`.
 * - Ends the run: `timeout` (the route's `timeout_ms`), `aborted` (the client went away).
 */
export type FailoverReason =
  | 'retryable_5xx' | 'rate_limited' | 'latency' | 'connect_error' | 'context_length' | 'auth_error'
  | 'target_unavailable' | 'stream_error' | 'quota_full' | 'circuit_open' | 'client_error' | 'content_filter' | 'timeout' | 'aborted';

export const FAILOVER_REASONS: readonly FailoverReason[] = [
  'retryable_5xx', 'rate_limited', 'latency', 'connect_error', 'context_length', 'auth_error',
  'target_unavailable', 'stream_error', 'quota_full', 'circuit_open', 'client_error', 'content_filter', 'timeout', 'aborted',
];

/**
 * What the engine did after an attempt:
 * - `retry`: the same target is tried again (after a backoff or the provider's Retry-After);
 * - `failover`: the next candidate is tried (or, when none is left, the run fails listing it);
 * - `skipped`: no call was made (circuit open, quota full, request not buildable, credential unset);
 * - `returned`: its answer or error went to the client as is (a client 4xx, a trigger not in
 *   `failover_on`, or a broken stream ended with an in-band error event);
 * - `continued`: its stream broke after content reached the client, and the next prefill-capable
 *   candidate was asked to continue it;
 * - `success`: it answered;
 * - `aborted`: the client went away or the route's timeout elapsed while it ran.
 */
export type AttemptOutcome = 'retry' | 'failover' | 'skipped' | 'returned' | 'continued' | 'success' | 'aborted';

/** One attempt as audit records, metrics and the simulation see it. Never holds a secret or a body. */
export interface AttemptRecord {
  /** Provider entry id (manifest key). */
  readonly provider: string;
  readonly providerType: ProviderType;
  readonly model: string;
  /** Upstream HTTP status; 0 when no response head arrived (or no call was made). */
  readonly status: number;
  /** Null on success. */
  readonly reason: FailoverReason | null;
  readonly outcome: AttemptOutcome;
  /** Milliseconds from the start of the run (monotonic clock). */
  readonly startMs: number;
  readonly durationMs: number;
  /** Time from the attempt's start to its first content, when it got that far. */
  readonly firstContentMs?: number;
  /** Parameters dropped for this target (route `drop_params: true`). */
  readonly dropped: readonly DroppedParam[];
  /** The provider's own finish value, for audit. */
  readonly rawFinishReason?: string;
  /** The provider's retry hint, when it sent one. */
  readonly retryAfterMs?: number;
  /** Upstream stream events skipped as malformed (never forwarded). */
  readonly malformed?: number;
  /** Usage reported by this attempt (also for a stream that broke after reporting it). */
  readonly usage?: Usage;
  /** A short, secret-free explanation ("Retry-After 7000 ms exceeds max_retry_after_ms 5000"). */
  readonly detail?: string;
  /** True when the circuit was open or half-open and this attempt went anyway (probe or last candidate). */
  readonly probe?: boolean;
}

/** The error the client gets (HTTP error response, or the in-band error event of a stream). */
export interface ClientError {
  /** HTTP status; for an in-band stream error, the status of the response already sent (200). */
  readonly status: number;
  /** `AIGW_E_*` for logs and audit. */
  readonly code: string;
  readonly envelope: OpenAIErrorEnvelope;
  /** e.g. retry-after passed through with a provider 429 that is returned as is. */
  readonly headers: Readonly<Record<string, string>>;
}

export type RunOutcome = 'success' | 'error' | 'interrupted' | 'aborted';

export interface EngineResult {
  readonly requestId: string | undefined;
  readonly route: string;
  readonly stream: boolean;
  /** success; error (an HTTP error response); interrupted (a stream ended by an in-band error event); aborted. */
  readonly outcome: RunOutcome;
  /** Final HTTP status (200 for a stream whose headers went out, 499 when the client went away). */
  readonly status: number;
  readonly attempts: readonly AttemptRecord[];
  /** The provider entry and model that answered (for a continued stream, the one that finished it). */
  readonly provider?: string;
  readonly providerType?: ProviderType;
  readonly model?: string;
  /** The answering model's usage (design §3.8: failed attempts are listed, not billed). */
  readonly usage?: Usage;
  /** From the start of the run to the first content sent (stream) or the answer ready (non-stream). */
  readonly timeToFirstByteMs?: number;
  readonly durationMs: number;
  /** Non-stream answer. */
  readonly completion?: ChatCompletion;
  readonly error?: ClientError;
  /** Malformed upstream stream events skipped over all attempts. */
  readonly malformed: number;
}

/** Where a streamed answer goes: the runtime's SSE writer, or the simulator's counter. */
export interface StreamSink {
  /**
   * Called once, just before the first content chunk: the runtime sends its status line and headers
   * now (x-aigw-route, x-aigw-provider). Never called when the run fails before any content.
   */
  start(info: StreamStartInfo): void | Promise<void>;
  /** One OpenAI chunk; a returned Promise is awaited (backpressure). */
  write(chunk: ChatCompletionChunk): void | Promise<void>;
  /** The stream is complete: the writer sends `data: [DONE]`. */
  end(): void | Promise<void>;
  /** The stream failed after it started: the writer sends this in-band error event and ends the stream. */
  error(envelope: OpenAIErrorEnvelope): void | Promise<void>;
}

export interface StreamStartInfo {
  readonly route: string;
  readonly provider: string;
  readonly providerType: ProviderType;
  readonly model: string;
}

/** What the transport may learn about the attempt (the fixture transport picks fixtures and faults by it). */
export interface AttemptTarget {
  readonly providerId: string;
  readonly providerType: ProviderType;
  readonly model: string;
}

/**
 * Any `Transport` fits (it ignores the third argument); the simulator's fixture transport reads it.
 * Rejects with a TransportError when no response head arrives, and with the signal's reason on abort.
 */
export interface RoutingTransport {
  send(request: NativeRequest, signal: StopSignal, target?: AttemptTarget): Promise<TransportResponse>;
}

export type EngineEvent =
  | { readonly type: 'request-start'; readonly requestId: string | undefined; readonly route: string; readonly stream: boolean; readonly at: number }
  | { readonly type: 'attempt-start'; readonly requestId: string | undefined; readonly route: string; readonly provider: string;
      readonly providerType: ProviderType; readonly model: string; readonly index: number; readonly at: number }
  | { readonly type: 'attempt-end'; readonly requestId: string | undefined; readonly route: string; readonly record: AttemptRecord }
  | { readonly type: 'stream-start'; readonly requestId: string | undefined; readonly route: string; readonly provider: string; readonly model: string; readonly at: number }
  | { readonly type: 'request-end'; readonly requestId: string | undefined; readonly result: EngineResult };

export type EngineListener = (event: EngineEvent) => void;

/** Everything that varies arrives here (style §A.1); `serve` builds it once, `simulate` once per run. */
export interface EngineDependencies {
  readonly clock: Clock;
  /** Weighted first pick and retry jitter. */
  readonly random: Random;
  readonly transport: RoutingTransport;
  /** Provider type → adapter (runtime/adapters/registry.ts `getAdapter`; tests pass fakes). */
  readonly getAdapter: (type: ProviderType) => ProviderAdapter;
  /** Circuit breakers, shared across requests and manifest reloads. */
  readonly health: TargetHealth;
  /** Provider `limits`; without it, limits are not enforced. */
  readonly limiter?: QuotaLimiter;
  /** A fresh completion id (`chatcmpl-…`) per run, used where a provider gives none. */
  readonly newCompletionId: () => string;
  readonly listener?: EngineListener;
  /**
   * Skip (reason `auth_error`, no call) a target whose credential is not set. Default true; the
   * simulator turns it off because the fixture transport needs no keys.
   */
  readonly requireCredentials?: boolean;
}

/** One candidate of the attempt plan. */
export interface Candidate {
  readonly target: Target;
  /** 'target' for route targets, 'fallback' for the route's fallback. */
  readonly role: 'target' | 'fallback';
}

export interface RunInput {
  /** The snapshot the request started on (a reload never changes a request in flight). */
  readonly manifest: Manifest;
  readonly route: Route;
  readonly request: ChatCompletionRequest;
  /** The client's signal: aborting it aborts the in-flight upstream attempt and ends the run. */
  readonly signal?: AbortSignal;
  /**
   * What `signal` does without an AbortSignal and its listeners per request (the gateway's hot path):
   * called once, as the run starts, with a function that ends the run exactly as aborting `signal`
   * would. It may be called at once (the client already left) and any time after; once the run has
   * ended it does nothing.
   */
  readonly onAbortable?: (abort: () => void) => void;
  /** Required when `request.stream` is true. */
  readonly sink?: StreamSink;
  readonly requestId?: string;
}
