/**
 * The adapter contract (style §H): pure translation between OpenAI chat completions and one provider's
 * native API. No I/O, no clock, no randomness: everything that varies arrives as an argument, so the
 * same input always yields the same output (a contract test checks it, and that inputs are not mutated).
 */
import type {
  ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, OpenAIErrorEnvelope, Usage,
} from '../openai/wire.js';
import type { SecretRef } from '../secrets.js';
import type { ParamTable } from './param-table.js';

export type ProviderType =
  | 'openai' | 'azure-openai' | 'anthropic' | 'bedrock' | 'gemini' | 'vertex-ai' | 'mistral'
  | 'cohere' | 'groq' | 'together' | 'fireworks' | 'deepseek' | 'xai' | 'perplexity'
  | 'openrouter' | 'ollama' | 'vllm';

export const PROVIDER_TYPES: readonly ProviderType[] = [
  'openai', 'azure-openai', 'anthropic', 'bedrock', 'gemini', 'vertex-ai', 'mistral',
  'cohere', 'groq', 'together', 'fireworks', 'deepseek', 'xai', 'perplexity',
  'openrouter', 'ollama', 'vllm',
];

/** What an adapter knows about the chosen target; resolved by the engine from the manifest. */
export interface TargetContext {
  /** Manifest key, e.g. "openai-eu" (equals the type for implicit entries). */
  readonly providerId: string;
  /** Target model (Azure: the deployment name; Bedrock: the model id or inference profile). */
  readonly model: string;
  /** Defaulted per the provider SDK convention, no trailing slash. */
  readonly baseUrl: string;
  /** Non-secret settings: api_version, region, project, location. */
  readonly settings: Readonly<Record<string, string>>;
  /** api_key, access_key_id, secret_access_key, session_token, access_token, … */
  readonly credentials: Readonly<Record<string, SecretRef>>;
  /** Native fields the gateway fills in when the request leaves them unset (provider `defaults`). */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Route's drop_params: drop (and record) what the target cannot honour instead of a 400. */
  readonly dropParams: boolean;
}

/** Per-call options beyond the request itself. */
export interface BuildOptions {
  /**
   * Stream continuation (design §3.6): the assistant text already sent to the client. An adapter whose
   * `supportsPrefill` is true sends it as an assistant prefill so the model continues from it.
   */
  readonly prefill?: string;
}

/** Authentication is described, not performed: the transport applies it (envoy's backendauth split). */
export type AuthSpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer'; readonly secret: SecretRef }
  | { readonly kind: 'header'; readonly name: string; readonly secret: SecretRef }
  | { readonly kind: 'sigv4'; readonly service: 'bedrock'; readonly region: string;
      readonly accessKeyId: SecretRef; readonly secretAccessKey: SecretRef; readonly sessionToken?: SecretRef }
  /** Vertex AI with a service-account key file: the runtime mints and refreshes OAuth2 tokens. */
  | { readonly kind: 'google-service-account'; readonly keyFile: SecretRef };

export type StreamFraming = 'sse' | 'ndjson' | 'aws-eventstream';

/** Exactly what dry-run prints (auth masked) and what the transport sends. */
export interface NativeRequest {
  readonly method: 'POST';
  /** Absolute, query included. */
  readonly url: string;
  /** content-type, anthropic-version, accept, …; never a secret (those live in `auth`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Serialised once; never re-serialised downstream (SigV4 signs these exact bytes). */
  readonly body: string;
  readonly auth: AuthSpec;
  readonly stream: false | { readonly framing: StreamFraming };
}

export interface DroppedParam { readonly param: string; readonly reason: string }

export type BuildResult =
  | { readonly ok: true; readonly request: NativeRequest; readonly dropped: readonly DroppedParam[] }
  | { readonly ok: false; readonly error: TranslatedError };

/** Everything time- or id-dependent that an OpenAI response needs, supplied by the caller. */
export interface ResponseContext {
  /** Used when the provider gives no id (Bedrock, Gemini). */
  readonly completionId: string;
  /** Unix seconds from the injected clock, used when the provider gives none. */
  readonly created: number;
  /** The target model; echoed when the provider does not name the model that answered. */
  readonly model: string;
  /** The client asked `stream_options.include_usage`: emit the usage chunk; otherwise report it only in the step. */
  readonly includeUsage: boolean;
}

/**
 * `auth_error` and `target_unavailable` are the operator's faults (the gateway's key or account; a
 * model, deployment or region the target names that the provider does not serve): always failed over,
 * never blamed on the app.
 */
export type FailoverClass =
  | 'retryable_5xx' | 'rate_limited' | 'client_error' | 'auth_error' | 'target_unavailable' | 'context_length' | 'content_filter';

export interface TranslatedError {
  /** What the app gets if no failover applies. */
  readonly status: number;
  /** Message scrubbed: no secrets, no echoed prompt. */
  readonly envelope: OpenAIErrorEnvelope;
  readonly failoverClass: FailoverClass;
  /** From retry-after / retry-after-ms / provider-specific retry hints. */
  readonly retryAfterMs?: number;
  /** false: fail over, but never retry the same target (the same request would get the same answer). */
  readonly retry?: false;
}

export type ParseResult =
  | {
      readonly ok: true;
      readonly completion: ChatCompletion;
      /**
       * The provider's own count; absent when it reported none. Unknown is never zero (design §3.8, §5):
       * the engine then leaves the result without usage, so the quota keeps its reservation and neither
       * the audit record nor the token metrics count a made-up 0.
       */
      readonly usage?: Usage;
      readonly rawFinishReason?: string;
    }
  | { readonly ok: false; readonly error: TranslatedError };

export interface StreamStep {
  /** Zero or more, in order, ready for the SSE writer. */
  readonly chunks: readonly ChatCompletionChunk[];
  /** True on the step holding the first content-bearing event (the latency target's end). */
  readonly firstContent: boolean;
  /** As soon as known (quotas, audit), even when the app did not ask for it; never made up when the provider sent none. */
  readonly usage?: Usage;
  /** In-band provider error event (e.g. Anthropic `event: error`), or a truncated stream at `end()`. */
  readonly error?: TranslatedError;
  /** The provider signalled the end (message_stop, [DONE], done:true, the metadata frame). */
  readonly done: boolean;
  /** The provider's own finish value, for audit, when it arrives. */
  readonly rawFinishReason?: string;
  /** Upstream events that could not be parsed and were skipped (counted, never forwarded). */
  readonly malformed?: number;
}

/** Created per attempt; holds partial-frame state; accepts any byte split, even one byte at a time. */
export interface StreamTranslator {
  push(bytes: Uint8Array): StreamStep;
  /** Flush at end of body: a stream that ended without its terminator is finalised or reported. */
  end(): StreamStep;
}

/** Default base URLs and credential variables are data, in `provider-defaults.ts` (no adapter load needed). */
export interface ProviderAdapter {
  readonly type: ProviderType;
  /** The declarative param table: which OpenAI params map, pass, are range-checked or unsupported. */
  readonly params: ParamTable;
  /** Whether this provider accepts an assistant prefill (stream continuation); a manifest may override. */
  readonly supportsPrefill: boolean;
  buildRequest(request: ChatCompletionRequest, target: TargetContext, options?: BuildOptions): BuildResult;
  parseResponse(status: number, headers: Readonly<Record<string, string>>, body: string, context: ResponseContext): ParseResult;
  createStreamTranslator(context: ResponseContext): StreamTranslator;
  parseError(status: number, headers: Readonly<Record<string, string>>, body: string): TranslatedError;
}
