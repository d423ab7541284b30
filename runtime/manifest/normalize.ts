/**
 * Interpolated document → the normalized Manifest every consumer reads: defaults filled
 * (ROUTE_DEFAULTS, provider defaults), `type:` aliases resolved, implicit provider entries added for
 * known ids used without a `providers:` entry, fallbacks split on the first '/'. Total on any
 * schema-valid document: what it cannot resolve (an unknown provider id, a malformed fallback) it
 * leaves out, and the linter reports it.
 */
import type { ProviderType } from '../adapters/contract.js';
import { PROVIDER_DEFAULTS } from '../adapters/provider-defaults.js';
import { envSecret, type SecretRef } from '../secrets.js';
import type {
  AuditDocument, CredentialDocument, ManifestDocument, ProviderDocument, RateLimitsDocument, RouteDocument, TargetDocument,
} from './document.js';
import { PROVIDER_SECRET_FIELDS, PROVIDER_SETTING_FIELDS } from './document.js';
import { fillPlaceholders, isProviderType, splitProviderModel } from './provider-catalog.js';
import type {
  AuditPolicy, AuditSinkConfig, Credential, Manifest, ProviderEntry, RateLimits, RedactionRule, Route, Target,
} from './types.js';
import { DEFAULT_FAILOVER_ON, ROUTE_DEFAULTS } from './types.js';

/** Defaults of optional fields outside routes, stated once (README `manifest` section lists them). */
export const MANIFEST_DEFAULTS = {
  targetWeight: 1,
  audit: { prompt: 'hash', completion: 'none', maxCaptureChars: 8_192 },
} as const;

type Env = Readonly<Record<string, string | undefined>>;

export function normalizeManifest(document: ManifestDocument<SecretRef>, env: Env): Manifest {
  const providers = new Map<string, ProviderEntry>();
  for (const [id, entry] of Object.entries(document.providers ?? {})) {
    const provider = buildProvider(id, entry, env);
    if (provider !== undefined) providers.set(id, provider);
  }
  const declared = new Set(Object.keys(document.providers ?? {}));
  const routes = document.ai_routes.map(normalizeRoute);
  for (const route of routes) {
    for (const target of route.fallback === undefined ? route.targets : [...route.targets, route.fallback]) {
      if (providers.has(target.provider) || declared.has(target.provider)) continue;
      const implicit = buildProvider(target.provider, undefined, env);
      if (implicit !== undefined) providers.set(target.provider, implicit);
    }
  }
  return {
    version: 1,
    providers,
    ...(document.credentials === undefined ? {} : { credentials: document.credentials.map(normalizeCredential) }),
    routes,
    audit: normalizeAudit(document.audit),
  };
}

/** A provider entry from its declaration, or the implicit one for a known id; undefined for an unknown id. */
export function buildProvider(id: string, entry: ProviderDocument<SecretRef> | undefined, env: Env): ProviderEntry | undefined {
  const type: ProviderType | undefined = entry?.type ?? (isProviderType(id) ? id : undefined);
  if (type === undefined) return undefined;
  const defaults = PROVIDER_DEFAULTS[type];
  const settings: Record<string, string> = { ...defaults.settingDefaults };
  for (const field of PROVIDER_SETTING_FIELDS) {
    const value = entry?.[field];
    if (value !== undefined) settings[field] = value;
  }
  const credentials: Record<string, SecretRef> = {};
  for (const field of PROVIDER_SECRET_FIELDS) {
    const value = entry?.[field];
    if (value !== undefined) credentials[field] = value;
  }
  // An entry that names no credential takes the conventional variables (OPENAI_API_KEY, the AWS ones…).
  if (Object.keys(credentials).length === 0) {
    for (const [field, name] of Object.entries(defaults.credentialEnv)) credentials[field] = envSecret(name, env[name]);
  }
  const limits = entry?.limits === undefined ? undefined : normalizeLimits(entry.limits);
  return {
    id,
    type,
    baseUrl: fillPlaceholders(entry?.base_url ?? defaults.baseUrl, settings).replace(/\/+$/, ''),
    settings,
    credentials,
    ...(limits === undefined ? {} : { limits }),
    defaults: entry?.defaults ?? {},
    ...(entry?.prefill === undefined ? {} : { prefill: entry.prefill }),
    declared: entry !== undefined,
  };
}

function normalizeRoute(route: RouteDocument): Route {
  const fallback = route.fallback === undefined ? undefined : splitProviderModel(route.fallback);
  return {
    name: route.name,
    match: { model: route.match.model },
    targets: route.targets.map(normalizeTarget),
    ...(fallback === undefined ? {} : { fallback: { provider: fallback.provider, model: fallback.model, weight: 0 } }),
    timeoutMs: route.timeout_ms ?? ROUTE_DEFAULTS.timeoutMs,
    failoverOn: route.failover_on === undefined ? DEFAULT_FAILOVER_ON : [...new Set(route.failover_on.map((trigger) => (trigger === 429 ? '429' : trigger)))],
    retry: {
      attempts: route.retry?.attempts ?? ROUTE_DEFAULTS.retry.attempts,
      backoffMs: route.retry?.backoff_ms ?? ROUTE_DEFAULTS.retry.backoffMs,
      maxRetryAfterMs: route.retry?.max_retry_after_ms ?? ROUTE_DEFAULTS.retry.maxRetryAfterMs,
    },
    streamFailover: route.stream_failover ?? ROUTE_DEFAULTS.streamFailover,
    streamIdleTimeoutMs: route.stream_idle_timeout_ms ?? ROUTE_DEFAULTS.streamIdleTimeoutMs,
    dropParams: route.drop_params ?? ROUTE_DEFAULTS.dropParams,
    defaultMaxTokens: route.default_max_tokens ?? ROUTE_DEFAULTS.defaultMaxTokens,
  };
}

function normalizeTarget(target: TargetDocument): Target {
  return {
    provider: target.provider,
    model: target.model,
    weight: target.weight ?? MANIFEST_DEFAULTS.targetWeight,
    ...(target.max_latency_ms === undefined ? {} : { maxLatencyMs: target.max_latency_ms }),
    ...(target.prefill === undefined ? {} : { prefill: target.prefill }),
  };
}

function normalizeLimits(limits: RateLimitsDocument): RateLimits {
  return {
    ...(limits.requests_per_minute === undefined ? {} : { requestsPerMinute: limits.requests_per_minute }),
    ...(limits.tokens_per_minute === undefined ? {} : { tokensPerMinute: limits.tokens_per_minute }),
  };
}

function normalizeCredential(credential: CredentialDocument): Credential {
  return {
    id: credential.id,
    keySha256: credential.key_sha256.toLowerCase(),
    ...(credential.quota === undefined ? {} : { quota: normalizeLimits(credential.quota) }),
    ...(credential.routes === undefined ? {} : { routes: credential.routes }),
  };
}

function normalizeAudit(audit: AuditDocument<SecretRef> | undefined): AuditPolicy {
  return {
    sinks: (audit?.sinks ?? []).map((sink): AuditSinkConfig => sink.type === 'jsonl'
      ? {
          type: 'jsonl',
          path: sink.path,
          ...(sink.max_bytes === undefined ? {} : { maxBytes: sink.max_bytes }),
          ...(sink.max_files === undefined ? {} : { maxFiles: sink.max_files }),
        }
      : {
          type: 'elasticsearch',
          url: sink.url,
          index: sink.index,
          ...(sink.api_key === undefined ? {} : { apiKey: sink.api_key }),
          ...(sink.username === undefined ? {} : { username: sink.username }),
          ...(sink.password === undefined ? {} : { password: sink.password }),
        }),
    prompt: audit?.prompt ?? MANIFEST_DEFAULTS.audit.prompt,
    completion: audit?.completion ?? MANIFEST_DEFAULTS.audit.completion,
    redact: (audit?.redact ?? []).map((rule): RedactionRule => (typeof rule === 'string' ? { preset: rule } : { pattern: rule.pattern })),
    maxCaptureChars: audit?.max_capture_chars ?? MANIFEST_DEFAULTS.audit.maxCaptureChars,
  };
}
