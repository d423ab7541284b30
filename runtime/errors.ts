/**
 * The single table of runtime and HTTP error codes (style §I.1). Every `AIGW_E_*` code lives here with
 * its HTTP status, OpenAI error `type` and `code`, and a summary; `test/contract/codes.test.ts` checks
 * that each is unique, documented in the README and exercised by a test.
 */
import type { OpenAIErrorEnvelope } from './openai/wire.js';

export interface ErrorDefinition {
  readonly code: string;          // AIGW_E_*
  readonly status: number;        // HTTP status (0 = in-band, no status of its own)
  readonly type: string;          // OpenAI error `type`
  readonly openaiCode: string;    // OpenAI error `code`
  readonly summary: string;
}

function defineError(code: string, status: number, type: string, openaiCode: string, summary: string): ErrorDefinition {
  return Object.freeze({ code, status, type, openaiCode, summary });
}

export const ERRORS = {
  INVALID_JSON: defineError('AIGW_E_INVALID_JSON', 400, 'invalid_request_error', 'invalid_json', 'The request body is not valid JSON.'),
  INVALID_REQUEST: defineError('AIGW_E_INVALID_REQUEST', 400, 'invalid_request_error', 'invalid_request', 'The request violates the chat-completions request schema; `param` names the path.'),
  UNSUPPORTED_PARAMETER: defineError('AIGW_E_UNSUPPORTED_PARAMETER', 400, 'invalid_request_error', 'unsupported_parameter', 'No candidate of the route can honour a parameter (and the route does not set drop_params), or the request uses an OpenAI feature the gateway does not carry; `param` names it.'),
  UNAUTHENTICATED: defineError('AIGW_E_UNAUTHENTICATED', 401, 'invalid_request_error', 'invalid_api_key', 'The bearer key is missing or matches no credential.'),
  ROUTE_FORBIDDEN: defineError('AIGW_E_ROUTE_FORBIDDEN', 403, 'permission_error', 'route_not_allowed', "The credential's route allow-list excludes the matched route."),
  MODEL_NOT_FOUND: defineError('AIGW_E_MODEL_NOT_FOUND', 404, 'invalid_request_error', 'model_not_found', 'No route matches the requested model.'),
  NOT_FOUND: defineError('AIGW_E_NOT_FOUND', 404, 'invalid_request_error', 'unknown_url', 'No endpoint at this method and path.'),
  BODY_TOO_LARGE: defineError('AIGW_E_BODY_TOO_LARGE', 413, 'invalid_request_error', 'request_too_large', 'The request body exceeds the configured limit.'),
  MALFORMED_HTTP: defineError('AIGW_E_MALFORMED_HTTP', 400, 'invalid_request_error', 'invalid_http', 'The request is not valid HTTP/1.1 (the connection is closed after the answer), or its URL cannot be decoded (its body is read past and the connection kept).'),
  REQUEST_TIMEOUT: defineError('AIGW_E_REQUEST_TIMEOUT', 408, 'invalid_request_error', 'request_timeout', 'The request headers and body did not arrive within 60 s (checked every 2 s: the 408 may come up to 62 s in); the connection is closed.'),
  HEADERS_TOO_LARGE: defineError('AIGW_E_HEADERS_TOO_LARGE', 431, 'invalid_request_error', 'request_header_fields_too_large', "The request headers exceed Node's limit (16 KiB by default)."),
  QUOTA_EXCEEDED: defineError('AIGW_E_QUOTA_EXCEEDED', 429, 'requests', 'rate_limit_exceeded', "The credential's requests or tokens per minute quota is spent; Retry-After says when to come back."),
  UPSTREAM_REJECTED: defineError('AIGW_E_UPSTREAM_REJECTED', 400, 'invalid_request_error', 'upstream_rejected', 'A provider rejected the request for a client-caused reason: the client reads the provider\'s own status and envelope (its `code` the provider\'s, e.g. context_length_exceeded); this code names the case in logs and audit records.'),
  ALL_ATTEMPTS_FAILED: defineError('AIGW_E_ALL_ATTEMPTS_FAILED', 502, 'server_error', 'upstream_failed', 'Every attempt failed; the message lists provider/model, status and reason of each.'),
  TIMEOUT: defineError('AIGW_E_TIMEOUT', 504, 'server_error', 'gateway_timeout', "The route's timeout_ms elapsed before an answer started."),
  STREAM_INTERRUPTED: defineError('AIGW_E_STREAM_INTERRUPTED', 0, 'server_error', 'stream_interrupted', 'A stream failed after its first byte and no candidate could continue it: an in-band error event ends it.'),
  SHUTTING_DOWN: defineError('AIGW_E_SHUTTING_DOWN', 503, 'server_error', 'shutting_down', 'The gateway is draining for shutdown and takes no new requests; retry on a new connection (another replica).'),
  INTERNAL: defineError('AIGW_E_INTERNAL', 500, 'server_error', 'internal_error', 'A bug: a generic message; logged with its stack and request id.'),
  SIGNATURE_MISSING: defineError('AIGW_E_SIGNATURE_MISSING', 401, 'authentication_error', 'signature_missing', 'An admin request carries no signature headers.'),
  SIGNATURE_MALFORMED: defineError('AIGW_E_SIGNATURE_MALFORMED', 401, 'authentication_error', 'signature_malformed', 'An admin signature header cannot be parsed.'),
  SIGNATURE_UNKNOWN_KEY: defineError('AIGW_E_SIGNATURE_UNKNOWN_KEY', 401, 'authentication_error', 'signature_unknown_key', 'An admin request names a key id the gateway does not hold.'),
  SIGNATURE_INVALID: defineError('AIGW_E_SIGNATURE_INVALID', 401, 'authentication_error', 'signature_invalid', 'An admin signature does not verify.'),
  SIGNATURE_CLOCK_SKEW: defineError('AIGW_E_SIGNATURE_CLOCK_SKEW', 401, 'authentication_error', 'signature_clock_skew', 'An admin request timestamp is outside ±300 s.'),
  SIGNATURE_REPLAYED: defineError('AIGW_E_SIGNATURE_REPLAYED', 401, 'authentication_error', 'signature_replayed', 'An admin request reuses a nonce seen within the window.'),
  SIGNATURE_MISMATCH: defineError('AIGW_E_SIGNATURE_MISMATCH', 401, 'authentication_error', 'signature_mismatch', 'The body or path differs from what was signed.'),
  MANIFEST_INVALID: defineError('AIGW_E_MANIFEST_INVALID', 422, 'invalid_request_error', 'manifest_invalid', 'A reload body fails validation; the diagnostics are those of aigw validate.'),
  VERSION_CONFLICT: defineError('AIGW_E_VERSION_CONFLICT', 412, 'invalid_request_error', 'version_conflict', 'If-Match differs from the live manifest version.'),
  VERSION_UNKNOWN: defineError('AIGW_E_VERSION_UNKNOWN', 404, 'invalid_request_error', 'version_not_found', 'The rollback target is not in the version history.'),
  ADMIN_THROTTLED: defineError('AIGW_E_ADMIN_THROTTLED', 429, 'rate_limit_error', 'admin_throttled', "The admin plane's replay window is full (too many signed requests within 10 minutes); nothing changed."),
  ADMIN_STORE_UNAVAILABLE: defineError('AIGW_E_ADMIN_STORE_UNAVAILABLE', 503, 'server_error', 'store_unavailable', 'The shared config store (Redis) did not answer; nothing changed.'),
} as const;

export type ErrorKey = keyof typeof ERRORS;

/**
 * An error the gateway itself raises. `message` is what the client reads, so it never carries a secret,
 * a prompt or an upstream body.
 */
export class AigwError extends Error {
  readonly definition: ErrorDefinition;
  readonly status: number;
  readonly param: string | null;
  readonly headers: Readonly<Record<string, string>>;
  /** Machine-readable details for logs and the admin plane (never secrets). */
  readonly details: unknown;

  constructor(
    definition: ErrorDefinition,
    message: string,
    options: { param?: string | null; status?: number; headers?: Record<string, string>; details?: unknown; cause?: unknown; type?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AigwError';
    this.definition = options.type === undefined ? definition : { ...definition, type: options.type };
    this.status = options.status ?? definition.status;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
    this.details = options.details;
  }

  get code(): string {
    return this.definition.code;
  }

  toEnvelope(): OpenAIErrorEnvelope {
    return { error: { message: this.message, type: this.definition.type, param: this.param, code: this.definition.openaiCode } };
  }
}

export function isAigwError(value: unknown): value is AigwError {
  return value instanceof AigwError;
}
