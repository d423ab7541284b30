/**
 * The normalized manifest: what `load-manifest.ts` returns after schema validation, interpolation and
 * defaults. Every consumer (linter, engine, runtime, simulate, dry-run, admin plane) reads these types,
 * never the raw YAML. All data is readonly: a reload swaps a whole Manifest, it never edits one.
 */
import type { ProviderType } from '../adapters/contract.js';
import type { SecretRef } from '../secrets.js';

/** The failover vocabulary of `failover_on` (design §3.5), as the manifest spells it. */
export type FailoverTrigger = '5xx' | '429' | 'latency' | 'connect_error' | 'stream_error' | 'context_length';

export const DEFAULT_FAILOVER_ON: readonly FailoverTrigger[] = ['5xx', '429', 'latency', 'connect_error', 'stream_error', 'context_length'];

export interface RetryPolicy {
  /** Extra attempts on the same target after a 5xx, a reset before any byte, or a 429 (default 1). */
  readonly attempts: number;
  /** Base backoff, jittered (default 250). */
  readonly backoffMs: number;
  /** A Retry-After longer than this means fail over at once (default 5000). */
  readonly maxRetryAfterMs: number;
}

export interface RateLimits {
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
}

export interface ProviderEntry {
  /** The manifest key (`openai`, `team-vllm`, …). */
  readonly id: string;
  /** The adapter it uses: the id itself for known ids, or the entry's `type:`. */
  readonly type: ProviderType;
  /** base_url, defaulted per the SDK convention; no trailing slash. */
  readonly baseUrl: string;
  /** Non-secret settings: api_version, region, project, location. */
  readonly settings: Readonly<Record<string, string>>;
  /** Secret settings: api_key, access_key_id, secret_access_key, session_token, access_token, service_account. */
  readonly credentials: Readonly<Record<string, SecretRef>>;
  /** The provider's own quota ceiling; when full, a target is skipped without a call. */
  readonly limits?: RateLimits;
  /** Native request fields the gateway fills in when the request leaves them unset (policy). */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Overrides the adapter's prefill support for stream continuation. */
  readonly prefill?: boolean;
  /** False when the entry was implied by a route (no `providers:` entry): public defaults, env keys. */
  readonly declared: boolean;
}

export interface Target {
  /** A provider entry id (a key of Manifest.providers). */
  readonly provider: string;
  readonly model: string;
  /** >= 0; 0 = never first, still a failover candidate. Fallbacks have weight 0. */
  readonly weight: number;
  /** Budget to first content for one attempt; absent = bounded only by the route's timeout_ms. */
  readonly maxLatencyMs?: number;
  /** Overrides the provider's prefill support for this target. */
  readonly prefill?: boolean;
}

export type StreamFailover = 'continue' | 'error';

export interface Route {
  readonly name: string;
  /** Exact model name the client requests. */
  readonly match: { readonly model: string };
  readonly targets: readonly Target[];
  /** From `fallback: provider/model` (the model part may contain '/'). */
  readonly fallback?: Target;
  /**
   * One overall deadline the app sees (default 60000): the whole non-stream request, and a stream
   * until its first content byte; after that, `streamIdleTimeoutMs` guards the stream.
   */
  readonly timeoutMs: number;
  readonly failoverOn: readonly FailoverTrigger[];
  readonly retry: RetryPolicy;
  readonly streamFailover: StreamFailover;
  /** No chunk for this long counts as a broken stream (default 15000). */
  readonly streamIdleTimeoutMs: number;
  readonly dropParams: boolean;
  /** Token reservation when the request sets no max_tokens (quota admission); default 4096. */
  readonly defaultMaxTokens: number;
}

export interface Credential {
  readonly id: string;
  /** Lower-case hex sha256 of the bearer key; never the key. */
  readonly keySha256: string;
  readonly quota?: RateLimits;
  /** Route allow-list; absent = every route. */
  readonly routes?: readonly string[];
}

export type CapturePolicy = 'full' | 'hash' | 'none';

export type AuditSinkConfig =
  | { readonly type: 'jsonl'; readonly path: string; readonly maxBytes?: number; readonly maxFiles?: number }
  | { readonly type: 'elasticsearch'; readonly url: string; readonly index: string;
      readonly apiKey?: SecretRef; readonly username?: string; readonly password?: SecretRef };

export type RedactionRule =
  | { readonly preset: 'email' | 'card' | 'api_key' }
  | { readonly pattern: string };

export interface AuditPolicy {
  /** Empty = the runtime's settings decide (embedded default: JSONL). */
  readonly sinks: readonly AuditSinkConfig[];
  readonly prompt: CapturePolicy;
  readonly completion: CapturePolicy;
  readonly redact: readonly RedactionRule[];
  /** Captured prompt/completion text is cut to this many characters (default 8192). */
  readonly maxCaptureChars: number;
}

export interface Manifest {
  readonly version: 1;
  /** Every provider a route uses plus every declared entry, keyed by id, in first-seen order. */
  readonly providers: ReadonlyMap<string, ProviderEntry>;
  /** Absent = open gateway (no auth; serve warns loudly). */
  readonly credentials?: readonly Credential[];
  readonly routes: readonly Route[];
  readonly audit: AuditPolicy;
}

export const ROUTE_DEFAULTS = {
  timeoutMs: 60_000,
  retry: { attempts: 1, backoffMs: 250, maxRetryAfterMs: 5_000 },
  streamFailover: 'continue',
  streamIdleTimeoutMs: 15_000,
  dropParams: false,
  defaultMaxTokens: 4_096,
} as const;
