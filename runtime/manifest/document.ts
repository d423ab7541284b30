/**
 * The manifest as written (snake_case), once schemas/routes.schema.json has accepted it. `Secret` is
 * `string` before interpolation and `SecretRef` after it: secret fields are the only ones whose type
 * changes. Only the loader and the linter read this; everything else reads the normalized types.ts.
 */
import type { FailoverTrigger, CapturePolicy, StreamFailover } from './types.js';
import type { ProviderType } from '../adapters/contract.js';

export interface RateLimitsDocument {
  readonly requests_per_minute?: number;
  readonly tokens_per_minute?: number;
}

/** Fields a provider entry may hold, in the order the schema lists them. */
export const PROVIDER_SETTING_FIELDS = ['api_version', 'region', 'project', 'location', 'resource'] as const;
export const PROVIDER_SECRET_FIELDS = ['api_key', 'access_key_id', 'secret_access_key', 'session_token', 'access_token', 'service_account'] as const;
/** Secret fields of an Elasticsearch audit sink. */
export const SINK_SECRET_FIELDS = ['api_key', 'password'] as const;
export type ProviderSettingField = (typeof PROVIDER_SETTING_FIELDS)[number];
export type ProviderSecretField = (typeof PROVIDER_SECRET_FIELDS)[number];

export type ProviderDocument<Secret> = {
  readonly type?: ProviderType;
  readonly base_url?: string;
  readonly limits?: RateLimitsDocument;
  readonly defaults?: Readonly<Record<string, unknown>>;
  readonly prefill?: boolean;
} & { readonly [Field in ProviderSettingField]?: string } & { readonly [Field in ProviderSecretField]?: Secret };

export interface CredentialDocument {
  readonly id: string;
  readonly key_sha256: string;
  readonly quota?: RateLimitsDocument;
  readonly routes?: readonly string[];
}

export interface TargetDocument {
  readonly provider: string;
  readonly model: string;
  readonly weight?: number;
  readonly max_latency_ms?: number;
  readonly prefill?: boolean;
}

export interface RouteDocument {
  readonly name: string;
  readonly match: { readonly model: string };
  readonly targets: readonly TargetDocument[];
  readonly fallback?: string;
  readonly timeout_ms?: number;
  /** `429` written unquoted is a YAML number. */
  readonly failover_on?: readonly (FailoverTrigger | 429)[];
  readonly retry?: { readonly attempts?: number; readonly backoff_ms?: number; readonly max_retry_after_ms?: number };
  readonly stream_failover?: StreamFailover;
  readonly stream_idle_timeout_ms?: number;
  readonly drop_params?: boolean;
  readonly default_max_tokens?: number;
}

export type SinkDocument<Secret> =
  | { readonly type: 'jsonl'; readonly path: string; readonly max_bytes?: number; readonly max_files?: number }
  | { readonly type: 'elasticsearch'; readonly url: string; readonly index: string; readonly api_key?: Secret;
      readonly username?: string; readonly password?: Secret };

export interface AuditDocument<Secret> {
  readonly sinks?: readonly SinkDocument<Secret>[];
  readonly prompt?: CapturePolicy;
  readonly completion?: CapturePolicy;
  readonly redact?: readonly ('email' | 'card' | 'api_key' | { readonly pattern: string })[];
  readonly max_capture_chars?: number;
}

export interface ManifestDocument<Secret = string> {
  readonly version?: 1;
  readonly providers?: Readonly<Record<string, ProviderDocument<Secret>>>;
  readonly credentials?: readonly CredentialDocument[];
  readonly ai_routes: readonly RouteDocument[];
  readonly audit?: AuditDocument<Secret>;
}

const SECRET_POINTERS = [
  new RegExp(`^/providers/[^/]+/(${PROVIDER_SECRET_FIELDS.join('|')})$`),
  new RegExp(`^/audit/sinks/\\d+/(${SINK_SECRET_FIELDS.join('|')})$`),
];

/**
 * Whether a JSON pointer names a secret field: its value becomes a SecretRef, and no diagnostic, diff
 * or admin response may quote it.
 */
export function isSecretPointer(pointer: string): boolean {
  return SECRET_POINTERS.some((pattern) => pattern.test(pointer));
}
