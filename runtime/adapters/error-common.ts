/**
 * The one error policy of every adapter: a provider's error (status + headers + reason) becomes a
 * TranslatedError — the failover class, the status the app gets, the retry hint and a scrubbed OpenAI
 * envelope. Each adapter parses its own body shape (OpenAI `{error}`, google.rpc.Status, Bedrock
 * exceptions, …) and hands the fields it found to `translateProviderError`, so the classification rules
 * (design §3.4–3.5, style §I.2), the retry-after parsing, the context-length wording and the message
 * scrubbing live in one place. The gateway's own failures of an attempt (malformed answer, truncated
 * stream, broken generation, untranslatable request) are built here too.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
import type { OpenAIErrorEnvelope } from '../openai/wire.js';
import type { FailoverClass, TranslatedError } from './contract.js';
import { isRecord } from './json-value.js';

/** What an adapter extracted from a provider's error body; every field optional. */
export interface ProviderErrorFields {
  readonly message?: string | undefined;
  readonly type?: string | undefined;
  readonly param?: string | undefined;
  readonly code?: string | undefined;
  /** The provider flagged the content (Azure `content_filter`, OpenRouter moderation, …). */
  readonly contentFilter?: boolean | undefined;
  /** The provider account is out of quota or credit (OpenAI `insufficient_quota`, HTTP 402). */
  readonly quotaExhausted?: boolean | undefined;
  /**
   * The class the provider's own error name already decides (Bedrock `ThrottlingException`, Google
   * `RESOURCE_EXHAUSTED` or an `API_KEY_INVALID` reason), whatever the HTTP status says.
   */
  readonly failoverClass?: FailoverClass | undefined;
  /** A provider-specific retry delay (Google `RetryInfo.retryDelay`), preferred over the headers. */
  readonly retryAfterMs?: number | undefined;
}

/**
 * Retry hint in milliseconds: `retry-after-ms` (OpenAI/Azure, fractional ms) first, then `retry-after`
 * as delta-seconds or an HTTP-date. An HTTP-date is resolved against the response's own `date` header,
 * because adapters have no clock; without one the date form yields no hint.
 * OpenAI's `x-ratelimit-reset-*` headers are deliberately not used: they give the time until the whole
 * window is full again, which overstates the wait for one request, and openai-node ignores them too.
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function retryAfterMs(headers: Readonly<Record<string, string>>): number | undefined {
  const milliseconds = header(headers, 'retry-after-ms');
  if (milliseconds !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(milliseconds)) {
    return Math.ceil(Number(milliseconds));
  }
  const value = header(headers, 'retry-after');
  if (value === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value);
  const sent = Date.parse(header(headers, 'date') ?? '');
  if (Number.isNaN(at) || Number.isNaN(sent)) return undefined;
  return Math.max(0, at - sent);
}

/** Case-insensitive header lookup (transports lower-case names, fixtures and tests may not). */
export function header(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** Default failover class by status alone (before body-based refinements). */
export function classForStatus(status: number): FailoverClass {
  if (status === 429) return 'rate_limited';
  // 407: a forward proxy between the gateway and the provider wants credentials — the operator's setup, like a 401.
  if (status === 401 || status === 403 || status === 402 || status === 407) return 'auth_error';
  if (status === 408 || status >= 500) return 'retryable_5xx';
  // A redirect (or any other status outside 2xx–5xx): the gateway never follows one (it would send the
  // key elsewhere), so the target's base_url does not serve here — the operator's, not the client's.
  if (status < 400) return 'target_unavailable';
  return 'client_error';
}

/**
 * Context-window rejections, as the providers word them. Only consulted for 4xx statuses.
 * OpenAI/Azure/DeepSeek/vLLM: "This model's maximum context length is …"; Mistral: "… too large for
 * model with 32768 maximum context length"; Groq: "Please reduce the length of the messages or
 * completion"; Together (TGI): "`inputs` tokens + `max_new_tokens` must be <= …"; Anthropic and
 * Bedrock's Claude: "prompt is too long"; Bedrock: "Input is too long for requested model";
 * Gemini: "The input token count (…) exceeds the maximum number of tokens allowed (…)"; Cohere:
 * "too many tokens: …"; Ollama: "the input length exceeds the context length".
 */
const CONTEXT_LENGTH_PATTERNS: readonly RegExp[] = [
  /maximum context length/i,
  /context[ _-]?(length|window)[ _-]?(exceeded|is|of)/i,
  /exceeds? (the )?(model's )?(maximum )?context[ _-]?(length|window)/i,
  /reduce the length of the messages/i,
  /tokens \+ `?max_new_tokens`? must be <=/i,
  /prompt (is )?too long/i,
  /input is too long/i,
  /input token count/i,
  /exceeds the maximum number of tokens/i,
  /too many (input )?tokens/i,
  /input length .*exceeds?/i,
  /exceeds? .*(context|input) (limit|length)/i,
];

export function isContextLength(fields: ProviderErrorFields): boolean {
  if (fields.code === 'context_length_exceeded' || fields.type === 'context_length_exceeded') return true;
  const message = fields.message ?? '';
  return CONTEXT_LENGTH_PATTERNS.some((pattern) => pattern.test(message));
}

/**
 * A credential complaint under another status (xAI answers a wrong key with HTTP 400). The client's own
 * key never reaches a provider, so any key complaint is about the gateway's key.
 */
const CREDENTIAL_PATTERNS: readonly RegExp[] = [/incorrect api key/i, /invalid api key/i, /api key (is )?(invalid|not valid|expired)/i];

export function isCredentialRejection(fields: ProviderErrorFields): boolean {
  if (fields.code === 'invalid_api_key') return true;
  const message = fields.message ?? '';
  return CREDENTIAL_PATTERNS.some((pattern) => pattern.test(message));
}

/**
 * A target the provider does not serve: the model or deployment the manifest names does not exist
 * there (or not for this account or endpoint), or the account's region or billing rules it out. The
 * gateway builds the URL and names the model, so the app cannot have caused it and cannot fix it.
 * Codes: Groq/OpenAI-compatible `model_not_found`, Azure `DeploymentNotFound`, Bedrock
 * `ResourceNotFoundException`. Messages: "The model `x` does not exist", Ollama "model \"x\" not found",
 * Bedrock "The provided model identifier is invalid" and "… with on-demand throughput isn't supported.
 * Retry your request with the ID or ARN of an inference profile …", Gemini's FAILED_PRECONDITION
 * "User location is not supported for the API use".
 */
const TARGET_UNAVAILABLE_CODES = new Set(['model_not_found', 'DeploymentNotFound', 'ResourceNotFoundException']);

const TARGET_UNAVAILABLE_PATTERNS: readonly RegExp[] = [
  /\bmodel\b[^.]{0,120}\b(does not exist|not found|is not available)/i,
  /\bdeployment\b[^.]{0,120}\b(does not exist|not found)/i,
  /model identifier is invalid/i,
  /on-demand throughput isn.?t supported/i,
  /user location is not supported/i,
];

/** Any 404 (the gateway made the URL), or a 4xx whose code or message says the target is not served. */
export function isTargetUnavailable(status: number, fields: ProviderErrorFields): boolean {
  if (status === 404) return true;
  if (TARGET_UNAVAILABLE_CODES.has(fields.code ?? '') || TARGET_UNAVAILABLE_CODES.has(fields.type ?? '')) return true;
  const message = fields.message ?? '';
  return TARGET_UNAVAILABLE_PATTERNS.some((pattern) => pattern.test(message));
}

const CONTENT_FILTER_CODES = new Set(['content_filter', 'content_policy_violation', 'ResponsibleAIPolicyViolation']);

/**
 * Redacts anything key-shaped from a provider message before it reaches a client, a log or an audit
 * record (OpenAI's 401 echoes a partly masked key; others echo query strings), and bounds its length.
 */
export function scrubMessage(message: string): string {
  const scrubbed = message
    .replace(/\b(bearer)\s+[A-Za-z0-9._~+/-]+=*/gi, '$1 [redacted]')
    .replace(/\b((?:api[_-]?)?key|token|access_token|sig|signature)=[^&\s"']+/gi, '$1=[redacted]')
    .replace(/\b(?:sk|gsk|xai|pplx|fw|nvapi|hf|csk|sess)[-_][A-Za-z0-9._*-]{6,}/g, '[redacted]')
    .replace(/\bAIza[A-Za-z0-9_-]{20,}/g, '[redacted]')
    // Google OAuth access tokens (Vertex), AWS access key ids (Bedrock).
    .replace(/\bya29\.[A-Za-z0-9._-]+/g, '[redacted]')
    .replace(/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, '[redacted]')
    .replace(/\b[A-Za-z0-9]{40,}\b/g, '[redacted]');
  return scrubbed.length > 1000 ? `${scrubbed.slice(0, 997)}...` : scrubbed;
}

/**
 * OpenAI error `type` when the provider gives none: OpenAI's own values, by class first (`requests`
 * for any rate limit, as on OpenAI's 429s, even Bedrock's 400 ServiceQuotaExceededException;
 * `server_error` for anything retryable, even a Bedrock 408 or 424 model timeout), then by status.
 */
export function typeForStatus(status: number, failoverClass?: FailoverClass): string {
  if (failoverClass === 'retryable_5xx' || status >= 500) return 'server_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (failoverClass === 'rate_limited' || status === 429) return 'requests';
  return 'invalid_request_error';
}

/**
 * The single classification policy:
 * - a class named by the provider's own error (`fields.failoverClass`) wins;
 * - content filter (by code or the adapter's flag) → `content_filter`, returned to the client;
 * - quota/credit exhausted (`insufficient_quota`, 402) → `auth_error`: the operator's account, not the
 *   client's request, is at fault; retrying the same target never helps, another provider may answer;
 * - 401/403 (and a 400 that complains about the API key) → `auth_error` with a gateway-authored message
 *   (the provider rejected the gateway's key; the app's key is fine), status 502 as the app would see it
 *   if nothing else answers;
 * - 4xx context-window rejections → `context_length` (another model may have a larger window), code
 *   `context_length_exceeded` as OpenAI's own, which SDK users test for;
 * - other 4xx that say the target is not served (any 404, an unknown model or deployment, a region or
 *   billing precondition) → `target_unavailable`: the manifest's or the account's fault, status 502
 *   as the app would see it if nothing else answers, failed over like `auth_error`;
 * - 429 → `rate_limited` with the retry hint; 408/5xx → `retryable_5xx`; other 4xx → `client_error`.
 * The provider's own code (`RESOURCE_EXHAUSTED`, `ThrottlingException`) is kept in `code` otherwise.
 */
export function translateProviderError(
  provider: string,
  status: number,
  headers: Readonly<Record<string, string>>,
  fields: ProviderErrorFields,
): TranslatedError {
  const quota = fields.quotaExhausted === true || fields.code === 'insufficient_quota' || fields.type === 'insufficient_quota' || status === 402;
  const failoverClass = classify(status, fields, quota);
  switch (failoverClass) {
    case 'auth_error':
      return quota
        ? authError(provider, status, 'its account quota or credit is exhausted', fields.code ?? 'insufficient_quota')
        : authError(provider, status, 'it rejected the gateway\'s credentials for it', fields.code);
    case 'content_filter':
      return make(status, failoverClass, fields, 'content_filter');
    case 'target_unavailable':
      return targetUnavailable(provider, status, fields);
    case 'context_length':
      return make(status, failoverClass, { ...fields, code: 'context_length_exceeded' }, undefined);
    case 'client_error':
      return make(status, failoverClass, fields, undefined);
    case 'rate_limited':
    case 'retryable_5xx': {
      const error = make(status, failoverClass, fields, failoverClass === 'rate_limited' ? 'rate_limit_exceeded' : undefined);
      const retry = fields.retryAfterMs ?? retryAfterMs(headers);
      return retry === undefined ? error : { ...error, retryAfterMs: retry };
    }
    default: {
      const unknownClass: never = failoverClass;
      throw new Error(`unhandled failover class ${String(unknownClass)}`);
    }
  }
}

function classify(status: number, fields: ProviderErrorFields, quota: boolean): FailoverClass {
  if (fields.failoverClass !== undefined) return fields.failoverClass;
  const contentFilter = fields.contentFilter === true || CONTENT_FILTER_CODES.has(fields.code ?? '');
  if (contentFilter && status < 500) return 'content_filter';
  if (quota) return 'auth_error';
  if (status === 401 || status === 403 || (status === 400 && isCredentialRejection(fields))) return 'auth_error';
  if (status >= 400 && status < 500 && status !== 429 && isContextLength(fields)) return 'context_length';
  if (status >= 400 && status < 500 && status !== 429 && isTargetUnavailable(status, fields)) return 'target_unavailable';
  return classForStatus(status);
}

function make(
  status: number,
  failoverClass: FailoverClass,
  fields: ProviderErrorFields,
  fallbackCode: string | undefined,
): TranslatedError {
  const message = fields.message !== undefined && fields.message.trim() !== ''
    ? scrubMessage(fields.message)
    : `The provider answered HTTP ${status}.`;
  return {
    status,
    failoverClass,
    envelope: envelope(message, nonEmpty(fields.type) ?? typeForStatus(status, failoverClass), nonEmpty(fields.param) ?? null, nonEmpty(fields.code) ?? fallbackCode ?? null),
  };
}

/**
 * The provider refused the gateway's own credentials (or account): never phrased as the client's key
 * being wrong, and never echoing the provider's text, which may quote a partial key.
 */
function authError(provider: string, status: number, what: string, code: string | undefined): TranslatedError {
  return {
    status: 502,
    failoverClass: 'auth_error',
    envelope: envelope(
      `Provider '${provider}' could not serve the request: ${what} (HTTP ${status}${code === undefined ? '' : `, ${code}`}). ` +
        'This is a gateway configuration problem for the operator, not a problem with your API key.',
      'server_error',
      null,
      'upstream_auth_failed',
    ),
  };
}

/**
 * The provider does not serve the target (see isTargetUnavailable): a 502 in the gateway's words, with
 * the provider's own (scrubbed) reason, which names the model or deployment for the operator.
 */
function targetUnavailable(provider: string, status: number, fields: ProviderErrorFields): TranslatedError {
  const code = nonEmpty(fields.code);
  const reason = nonEmpty(fields.message);
  const what = status < 400
    ? 'it answered with a redirect, which the gateway does not follow (its base_url may be out of date)'
    : 'it does not serve the model the gateway asked for';
  return {
    status: 502,
    failoverClass: 'target_unavailable',
    envelope: envelope(
      `Provider '${provider}' could not serve the request: ${what} (HTTP ${status}${code === undefined ? '' : `, ${code}`}${reason === undefined ? '' : `: ${scrubMessage(reason)}`}). ` +
        'This is a gateway configuration problem for the operator, not a problem with your request.',
      'server_error',
      null,
      'upstream_target_unavailable',
    ),
  };
}

export function envelope(message: string, type: string, param: string | null, code: string | null): OpenAIErrorEnvelope {
  return { error: { message, type, param, code } };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * The provider answered, but not with a usable answer (a broken generation, a framing error): its
 * fault, so another attempt may succeed — 502, `retryable_5xx`, the gateway's own code. The message
 * may quote a provider's detail, so it is scrubbed like any provider message.
 */
export function providerFailure(message: string, code: string): TranslatedError {
  return { status: 502, failoverClass: 'retryable_5xx', envelope: envelope(scrubMessage(message), 'server_error', null, code) };
}

/** A 2xx body the adapter cannot read: the provider is at fault, so another attempt may succeed. */
export function malformedResponse(provider: string, what: string): TranslatedError {
  return providerFailure(`Provider '${provider}' returned a response the gateway could not read (${what}).`, 'upstream_malformed_response');
}

/**
 * A stream that stopped before the provider said it was complete (no finish reason, no terminator).
 * Classed `retryable_5xx` with status 502 — the failover vocabulary has no stream class of its own; the
 * engine records it as `stream_error` because it arrives in a StreamStep — so it is never mistaken for a
 * clean, truncated answer (design §3.6, §10.1).
 */
export function streamEndedEarly(provider: string): TranslatedError {
  return providerFailure(`The upstream stream from provider '${provider}' ended before the answer was complete.`, 'upstream_stream_truncated');
}

/** A 400 for a request the adapter cannot translate (bad tool arguments, unknown tool_call_id, …). */
export function invalidRequest(param: string, message: string): TranslatedError {
  return { status: 400, failoverClass: 'client_error', envelope: envelope(message, 'invalid_request_error', param, 'invalid_request') };
}

/** The value as a JSON object, or undefined (for optional chaining through untrusted JSON). */
export function asRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return isRecord(value) ? value : undefined;
}

/** Provider codes arrive as strings (`"rate_limit_exceeded"`, Azure `"429"`) or numbers (OpenRouter 402). */
export function asCode(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
