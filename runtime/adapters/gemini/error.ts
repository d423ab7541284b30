/**
 * Gemini / Vertex AI errors → OpenAI envelope + failover class. The body is a `google.rpc.Status`
 * `{error:{code,message,status,details}}`; Vertex sometimes wraps it in an array (`[{error:{…}}]`),
 * and both come through here. The canonical `status` string is kept as the OpenAI `code`. A rejected
 * gateway credential becomes a 502 in the gateway's words (the app's own key is not at fault).
 *
 * | HTTP / status                                            | class          |
 * |----------------------------------------------------------|----------------|
 * | 429 RESOURCE_EXHAUSTED (delay from RetryInfo.retryDelay) | rate_limited   |
 * | 500 INTERNAL, 502, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED| retryable_5xx  |
 * | 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 400 API_KEY_INVALID | auth_error (502) |
 * | 400 INVALID_ARGUMENT about the input token limit         | context_length |
 * | 404 NOT_FOUND (model), 400 FAILED_PRECONDITION (region, billing) | target_unavailable (502) |
 * | other 4xx                                                | client_error   |
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 * @see https://cloud.google.com/apis/design/errors#error_model
 */
import type { FailoverClass, TranslatedError } from '../contract.js';
import { translateProviderError } from '../error-common.js';
import { isRecord, numberOr, parseJson, stringOr } from '../json-value.js';

const AUTH_REASONS = new Set(['API_KEY_INVALID', 'API_KEY_SERVICE_BLOCKED', 'ACCESS_TOKEN_EXPIRED', 'ACCESS_TOKEN_TYPE_UNSUPPORTED', 'CREDENTIALS_MISSING']);

export interface GoogleStatus {
  readonly code: number | undefined;
  readonly message: string | undefined;
  readonly status: string | undefined;
  readonly details: readonly unknown[];
}

/** The `error` object of a google.rpc.Status body, bare or array-wrapped; undefined for anything else. */
export function readGoogleStatus(value: unknown): GoogleStatus | undefined {
  const envelope = Array.isArray(value) ? value[0] : value;
  const error = isRecord(envelope) ? envelope['error'] : undefined;
  if (!isRecord(error)) return undefined;
  return {
    code: numberOr(error['code']),
    message: stringOr(error['message']),
    status: stringOr(error['status']),
    details: Array.isArray(error['details']) ? error['details'] : [],
  };
}

export function parseGeminiError(provider: string, status: number, headers: Readonly<Record<string, string>>, body: string): TranslatedError {
  return translateGoogleStatus(provider, status, headers, readGoogleStatus(parseJson(body)));
}

/** A google.rpc.Status (HTTP or in-stream; status 0 means "take the status's own code") → TranslatedError. */
export function translateGoogleStatus(provider: string, httpStatus: number, headers: Readonly<Record<string, string>>, error: GoogleStatus | undefined): TranslatedError {
  // An HTTP error status (a redirect included) decides; a 2xx body or an in-stream error (0) carries its own code.
  const status = httpStatus >= 300 ? httpStatus : error?.code ?? 500;
  return translateProviderError(provider, status, headers, {
    message: error?.message,
    code: error?.status,
    failoverClass: classNamedBy(error),
    retryAfterMs: retryDelayOf(error?.details ?? []),
  });
}

/** Classes the canonical status or an ErrorInfo reason decide, whatever the HTTP status (else the shared policy). */
function classNamedBy(error: GoogleStatus | undefined): FailoverClass | undefined {
  if (error?.status === 'RESOURCE_EXHAUSTED') return 'rate_limited';
  if (error?.status === 'UNAUTHENTICATED' || error?.status === 'PERMISSION_DENIED') return 'auth_error';
  // "User location is not supported", "free tier is not available in your country": the account's, not the request's.
  if (error?.status === 'FAILED_PRECONDITION') return 'target_unavailable';
  if (reasons(error?.details ?? []).some((reason) => AUTH_REASONS.has(reason))) return 'auth_error';
  return undefined;
}

/** `google.rpc.ErrorInfo.reason` values among the details. */
function reasons(details: readonly unknown[]): string[] {
  return details.flatMap((detail) => (isRecord(detail) && typeof detail['reason'] === 'string' ? [detail['reason']] : []));
}

/**
 * `google.rpc.RetryInfo.retryDelay`, a protobuf Duration in JSON form ("34.4s", "2s").
 * @see https://github.com/googleapis/googleapis/blob/master/google/rpc/error_details.proto
 */
export function retryDelayOf(details: readonly unknown[]): number | undefined {
  for (const detail of details) {
    if (!isRecord(detail) || typeof detail['retryDelay'] !== 'string') continue;
    const match = /^(\d+(?:\.\d+)?)s$/.exec(detail['retryDelay'].trim());
    if (match !== null) return Math.round(Number(match[1]) * 1000);
  }
  return undefined;
}
